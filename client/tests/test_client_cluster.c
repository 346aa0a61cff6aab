/*
 * test_client_cluster.c - libferry with two ferry-namesrv and two
 * ferry-broker processes (argv[1] broker, argv[2] name server), each broker
 * registered with both name servers: a topic created on the whole cluster
 * spreads over both brokers; sync sends land on both; a push consumer gets
 * every message from both; with one broker killed (SIGKILL) and the first
 * name server gone too, the producer carries on through the survivors
 * (retry on another broker, route refresh from the second name server) and
 * the consumer gets the rest.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "broker_proc.h"
#include "ferry/ferry.h"

static const char *broker_bin, *namesrv_bin;
static char dir[256], nsaddr[128];
static pid_t ns_pid[2], br_pid[2];

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int seen[200];

static ferry_consume_status on_msgs(ferry_push_consumer *c,
                                    ferry_rmsg *const *msgs, int count,
                                    void *arg)
{
    (void)c;
    (void)arg;
    pthread_mutex_lock(&mu);
    for (int i = 0; i < count; i++) {
        int n = atoi((const char *)msgs[i]->body + 3);
        if (n >= 0 && n < 200)
            seen[n]++;
    }
    pthread_mutex_unlock(&mu);
    return FERRY_CONSUME_SUCCESS;
}

static int seen_all(int upto)
{
    pthread_mutex_lock(&mu);
    int ok = 1;
    for (int i = 0; i < upto; i++)
        ok &= seen[i] >= 1;
    pthread_mutex_unlock(&mu);
    return ok;
}

static void test_two_brokers(void **state)
{
    ferry_conf c;
    char err[256], body[32];
    (void)state;

    ferry_conf_init(&c);
    c.namesrv_addr = nsaddr;
    c.group = "cluster_test";
    ferry_admin *a = ferry_admin_new(&c, err, sizeof err);
    assert_non_null(a);
    /* both brokers registered with the name servers */
    ferry_route *r = NULL;
    int64_t deadline = now_ms() + 15000;
    while (now_ms() < deadline) {
        if (ferry_admin_cluster_info(a, &r) == 0 && r->broker_count == 2)
            break;
        ferry_route_free(r);
        r = NULL;
        usleep(100000);
    }
    assert_non_null(r);
    ferry_route_free(r);
    assert_int_equal(ferry_admin_create_topic(a, NULL, NULL, "spread", 2, 2),
                     0);
    r = NULL;
    deadline = now_ms() + 15000;
    while (now_ms() < deadline) {
        if (ferry_admin_route(a, "spread", &r) == 0 && r->queue_count == 2)
            break;
        ferry_route_free(r);
        r = NULL;
        usleep(100000);
    }
    assert_non_null(r);
    assert_int_equal(r->broker_count, 2);
    ferry_route_free(r);
    ferry_admin_free(a);

    c.consume_from = FERRY_CONSUME_FROM_FIRST_OFFSET;
    ferry_push_consumer *pc = ferry_push_consumer_new(&c, err, sizeof err);
    assert_non_null(pc);
    ferry_push_consumer_subscribe(pc, "spread", "*");
    ferry_push_consumer_set_callback(pc, on_msgs, NULL);
    assert_int_equal(ferry_push_consumer_start(pc), 0);
    deadline = now_ms() + 10000;
    while (ferry_push_consumer_assigned(pc) != 4 && now_ms() < deadline)
        usleep(20000);
    assert_int_equal(ferry_push_consumer_assigned(pc), 4);

    ferry_producer *p = ferry_producer_new(&c, err, sizeof err);
    assert_non_null(p);
    int on_a = 0, on_b = 0;
    for (int i = 0; i < 20; i++) {
        ferry_send_result res;
        snprintf(body, sizeof body, "sp-%03d", i);
        ferry_msg m = {.topic = "spread", .body = body,
                       .body_len = strlen(body)};
        assert_int_equal(ferry_producer_send(p, &m, &res), 0);
        on_a += !strcmp(res.queue.broker_name, "broker-a");
        on_b += !strcmp(res.queue.broker_name, "broker-b");
    }
    assert_int_equal(on_a, 10);
    assert_int_equal(on_b, 10);
    deadline = now_ms() + 10000;
    while (!seen_all(20) && now_ms() < deadline)
        usleep(20000);
    assert_true(seen_all(20));

    /* broker-b and the first name server go away */
    assert_int_equal(proc_end(br_pid[1], SIGKILL), 128 + SIGKILL);
    br_pid[1] = 0;
    assert_int_equal(proc_end(ns_pid[0], SIGTERM), 0);
    ns_pid[0] = 0;
    for (int i = 20; i < 40; i++) {
        ferry_send_result res;
        snprintf(body, sizeof body, "sp-%03d", i);
        ferry_msg m = {.topic = "spread", .body = body,
                       .body_len = strlen(body)};
        int rc = ferry_producer_send(p, &m, &res);
        if (rc)
            fprintf(stderr, "send %d: %s %s\n", i, ferry_strerror(rc),
                    ferry_last_remark());
        assert_int_equal(rc, 0);
        assert_string_equal(res.queue.broker_name, "broker-a");
    }
    ferry_producer_free(p);
    deadline = now_ms() + 15000;
    while (!seen_all(40) && now_ms() < deadline)
        usleep(20000);
    assert_true(seen_all(40));
    ferry_push_consumer_free(pc);
}

static int setup(void **state)
{
    char a_port[64], a_ns[300], a_store[320], a_listen[64], a_name[64],
        a_kafka[128], log[320];
    int ns_ports[2];
    (void)state;

    snprintf(dir, sizeof dir, "%s/ferry-client-cluster.XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir))
        return -1;
    for (int i = 0; i < 2; i++) {
        ns_ports[i] = free_port();
        snprintf(a_port, sizeof a_port, "--listenPort=%d", ns_ports[i]);
        snprintf(log, sizeof log, "%s/ns%d.log", dir, i);
        char *argv[] = {(char *)namesrv_bin, a_port,
                        "--bindAddress=127.0.0.1",
                        "--brokerTimeoutMillis=10000", NULL};
        ns_pid[i] = proc_spawn(argv, log);
    }
    snprintf(nsaddr, sizeof nsaddr, "127.0.0.1:%d;127.0.0.1:%d", ns_ports[0],
             ns_ports[1]);
    snprintf(a_ns, sizeof a_ns, "--namesrvAddr=%s", nsaddr);
    for (int i = 0; i < 2; i++) {
        int rp = free_port_pair();
        snprintf(a_store, sizeof a_store, "--storePathRootDir=%s/data%d", dir,
                 i);
        snprintf(a_listen, sizeof a_listen, "--listenPort=%d", rp);
        snprintf(a_name, sizeof a_name, "--brokerName=broker-%c", 'a' + i);
        snprintf(a_kafka, sizeof a_kafka,
                 "--listeners=PLAINTEXT://127.0.0.1:%d", free_port());
        snprintf(log, sizeof log, "%s/broker%d.log", dir, i);
        char *argv[] = {(char *)broker_bin, a_name, a_store, a_kafka,
                        a_listen, a_ns, "--mappedFileSizeCommitLog=4194304",
                        "--auto.create.topics.enable=true", NULL};
        br_pid[i] = proc_spawn(argv, log);
        for (int k = 0; k < 150 && !port_open(rp); k++)
            usleep(100000);
        if (!port_open(rp))
            return -1;
    }
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < 150 && !port_open(ns_ports[i]); k++)
            usleep(100000);
    return 0;
}

static int teardown(void **state)
{
    char cmd[400];
    (void)state;
    for (int i = 0; i < 2; i++) {
        if (br_pid[i] > 0)
            proc_end(br_pid[i], SIGTERM);
        if (ns_pid[i] > 0)
            proc_end(ns_pid[i], SIGTERM);
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s FERRY_BROKER FERRY_NAMESRV\n", argv[0]);
        return 2;
    }
    broker_bin = argv[1];
    namesrv_bin = argv[2];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_brokers),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
