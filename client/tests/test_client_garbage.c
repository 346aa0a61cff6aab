/*
 * test_client_garbage.c - libferry against a fake server that answers
 * junk: a lying frame length, a header longer than its frame, a header
 * that is not JSON, a route body that is not TopicRouteData, a pull
 * answer whose records are cut, a closed connection, and silence.  Every
 * call returns an error (FERRY_ERR_PROTOCOL / CONNECT / TIMEOUT), nothing
 * crashes, and the client keeps working for the next call.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ferry/ferry.h"
#include "remoting.h"

enum mode {
    M_LYING_LENGTH,
    M_HEADER_PAST_FRAME,
    M_BAD_JSON,
    M_BAD_ROUTE_BODY,
    M_CUT_RECORDS,
    M_CLOSE,
    M_SILENT,
    M_GOOD_ROUTE, /* a valid route naming this server as the broker */
};

static int listen_fd, port;
static volatile int mode, stop;

static int read_full(int fd, uint8_t *p, size_t n)
{
    while (n) {
        ssize_t k = read(fd, p, n);
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static void write_all(int fd, const void *p, size_t n)
{
    const uint8_t *q = p;
    while (n) {
        ssize_t k = write(fd, q, n);
        if (k <= 0)
            return;
        q += k;
        n -= (size_t)k;
    }
}

static void answer(int fd, int32_t opaque, int32_t req_code)
{
    remoting_header h;
    buf_writer w;
    char route[256];

    memset(&h, 0, sizeof h);
    h.code = 0;
    h.opaque = opaque;
    h.flag = REMOTING_FLAG_RESPONSE;
    h.remark.is_null = 1;
    buf_writer_init(&w, 0, 0);
    int m = mode;
    if (m == M_GOOD_ROUTE && req_code == REMOTING_REQ_PULL_MESSAGE)
        m = M_CUT_RECORDS;
    switch (m) {
    case M_LYING_LENGTH: {
        static const uint8_t junk[] = {0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 9,
                                       'x', 'y'};
        write_all(fd, junk, sizeof junk);
        break;
    }
    case M_HEADER_PAST_FRAME: {
        static const uint8_t junk[] = {0, 0, 0, 8, 0, 0, 1, 0, 'a', 'b',
                                       'c', 'd'};
        write_all(fd, junk, sizeof junk);
        break;
    }
    case M_BAD_JSON: {
        static const uint8_t junk[] = {0, 0, 0, 9, 0, 0, 0, 5,
                                       '{', '"', 'c', ':', ']'};
        write_all(fd, junk, sizeof junk);
        break;
    }
    case M_BAD_ROUTE_BODY:
        remoting_frame_encode(&w, &h, REMOTING_SERIALIZE_JSON,
                              "{\"brokerDatas\":7}", 17);
        write_all(fd, w.p, w.len);
        break;
    case M_CUT_RECORDS: {
        wire_arena a;
        wire_arena_init(&a, 0, 0);
        remoting_ext_add_str(&h, &a, "suggestWhichBrokerId", "0");
        remoting_ext_add_str(&h, &a, "nextBeginOffset", "5");
        remoting_ext_add_str(&h, &a, "minOffset", "0");
        remoting_ext_add_str(&h, &a, "maxOffset", "9");
        static const uint8_t rec[] = {0, 0, 0, 200, 0xda, 0xa3, 0x20, 0xa7,
                                      1, 2, 3};
        remoting_frame_encode(&w, &h, REMOTING_SERIALIZE_JSON, rec,
                              sizeof rec);
        write_all(fd, w.p, w.len);
        wire_arena_release(&a);
        break;
    }
    case M_GOOD_ROUTE:
        snprintf(route, sizeof route,
                 "{\"brokerDatas\":[{\"brokerAddrs\":{\"0\":\"127.0.0.1:%d\"}"
                 ",\"brokerName\":\"fake\",\"cluster\":\"c\"}],\"queueDatas\":"
                 "[{\"brokerName\":\"fake\",\"perm\":6,\"readQueueNums\":1,"
                 "\"writeQueueNums\":1}]}",
                 port);
        remoting_frame_encode(&w, &h, REMOTING_SERIALIZE_JSON, route,
                              strlen(route));
        write_all(fd, w.p, w.len);
        break;
    default:
        break;
    }
    buf_writer_release(&w);
}

static void *server_main(void *arg)
{
    (void)arg;
    while (!stop) {
        struct pollfd pfd = {listen_fd, POLLIN, 0};
        if (poll(&pfd, 1, 100) != 1)
            continue;
        int fd = accept(listen_fd, NULL, NULL);
        if (fd < 0)
            continue;
        for (;;) {
            uint8_t pre[8];
            struct pollfd cf = {fd, POLLIN, 0};
            if (stop || poll(&cf, 1, 100) < 0)
                break;
            if (!(cf.revents & (POLLIN | POLLHUP)))
                continue;
            if (read_full(fd, pre, 8) != 0)
                break;
            size_t hl, bl;
            if (remoting_frame_check(pre, REMOTING_DEFAULT_MAX_FRAME, &hl,
                                     &bl) != 0)
                break;
            uint8_t *rest = malloc(hl + bl + 8);
            memcpy(rest, pre, 8);
            if (read_full(fd, rest + 8, hl + bl) != 0) {
                free(rest);
                break;
            }
            wire_arena a;
            remoting_header h;
            buf_view body;
            wire_arena_init(&a, 0, 0);
            int ok = remoting_frame_decode(rest, hl + bl + 8,
                                           REMOTING_DEFAULT_MAX_FRAME, &a, &h,
                                           &body) == 0;
            free(rest);
            int32_t opaque = h.opaque, code = h.code;
            wire_arena_release(&a);
            if (!ok || mode == M_CLOSE)
                break;
            if (mode != M_SILENT)
                answer(fd, opaque, code);
        }
        close(fd);
    }
    return NULL;
}

static ferry_admin *admin(void)
{
    ferry_conf c;
    char err[128], addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
    ferry_conf_init(&c);
    c.namesrv_addr = addr;
    c.request_timeout_ms = 400;
    ferry_admin *a = ferry_admin_new(&c, err, sizeof err);
    assert_non_null(a);
    return a;
}

static void test_junk_answers(void **state)
{
    static const struct {
        int mode, want;
    } cases[] = {
        {M_LYING_LENGTH, FERRY_ERR_PROTOCOL},
        {M_HEADER_PAST_FRAME, FERRY_ERR_PROTOCOL},
        {M_BAD_JSON, FERRY_ERR_PROTOCOL},
        {M_BAD_ROUTE_BODY, FERRY_ERR_PROTOCOL},
        {M_CLOSE, FERRY_ERR_CONNECT},
        {M_SILENT, FERRY_ERR_TIMEOUT},
    };
    (void)state;
    ferry_admin *a = admin();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ferry_route *r = NULL;
        char **topics = NULL;
        mode = cases[i].mode;
        int rc = ferry_admin_route(a, "t", &r);
        if (rc != cases[i].want)
            fprintf(stderr, "mode %d: %s\n", mode, ferry_strerror(rc));
        assert_int_equal(rc, cases[i].want);
        assert_null(r);
        /* the other calls fail the same way; a route body that is junk as
         * a route is a valid (empty) topic list and cluster info */
        rc = ferry_admin_topic_list(a, &topics);
        if (mode == M_BAD_ROUTE_BODY) {
            assert_int_equal(rc, 0);
            ferry_strv_free(topics);
        } else {
            assert_int_equal(rc, cases[i].want);
            assert_null(topics);
        }
        rc = ferry_admin_cluster_info(a, &r);
        if (mode == M_BAD_ROUTE_BODY) {
            assert_int_equal(rc, 0);
            ferry_route_free(r);
        } else {
            assert_int_equal(rc, cases[i].want);
        }
    }
    ferry_admin_free(a);
}

static void test_cut_pull_records(void **state)
{
    (void)state;
    ferry_conf c;
    char err[128], addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
    ferry_conf_init(&c);
    c.namesrv_addr = addr;
    c.group = "g";
    c.request_timeout_ms = 400;
    mode = M_GOOD_ROUTE;
    ferry_pull_consumer *pc = ferry_pull_consumer_new(&c, err, sizeof err);
    assert_non_null(pc);
    ferry_queue *qs;
    int n;
    assert_int_equal(ferry_pull_consumer_queues(pc, "t", &qs, &n), 0);
    assert_int_equal(n, 1);
    ferry_pull_result r;
    assert_int_equal(ferry_pull(pc, &qs[0], 0, 8, NULL, 0, &r),
                     FERRY_ERR_PROTOCOL);
    /* the answer was a well-formed frame: the connection stays usable */
    assert_int_equal(ferry_pull(pc, &qs[0], 0, 8, NULL, 0, &r),
                     FERRY_ERR_PROTOCOL);
    free(qs);
    ferry_pull_consumer_free(pc);
}

int main(void)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    pthread_t th;

    listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listen_fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
        listen(listen_fd, 16) != 0 ||
        getsockname(listen_fd, (struct sockaddr *)&sa, &sl) != 0)
        return 1;
    port = ntohs(sa.sin_port);
    pthread_create(&th, NULL, server_main, NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_junk_answers),
        cmocka_unit_test(test_cut_pull_records),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    stop = 1;
    pthread_join(th, NULL);
    close(listen_fd);
    return rc;
}
