/*
 * test_client.c - libferry against a real ferry-broker --standalone (its
 * path is argv[1]): admin (create topic, topic list, route, cluster info,
 * offsets, consumer list, view by id, query by key), producer (sync,
 * async, oneway, batch, chosen queue, selector keeps order, results),
 * pull consumer (reads exactly what was sent, tag filter, long polling,
 * offsets: min/max/search/commit/committed), push consumer (CLUSTERING
 * once each; a second member joins and both share the queues with the
 * union exactly the sent set; it leaves and the survivor takes every queue;
 * BROADCASTING to both; committed offsets survive a restart; tag filter;
 * orderly: queue locks split between two members, each queue consumed by
 * one callback at a time in order, a failed batch retried in place; a new
 * group starting at the last offset or at a timestamp; a broker restart
 * under a producer and a push consumer).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "broker_proc.h"
#include "testkit.h"
#include "ferry/ferry.h"

static broker_proc B;
static const char *broker_bin;

static ferry_producer *producer_new(void)
{
    ferry_conf c;
    char err[256];
    testkit_conf(&c, "pg");
    ferry_producer *p = ferry_producer_new(&c, err, sizeof err);
    assert_non_null(p);
    return p;
}

/* Every message of every queue of topic (pull from 0 to the end). */
static void pull_all(const char *topic, const char *expr, char ***bodies,
                     int *n)
{
    ferry_conf c;
    char err[256];
    ferry_queue *qs;
    int nq, cap = 64;

    testkit_conf(&c, "pull_all");
    ferry_pull_consumer *pc = ferry_pull_consumer_new(&c, err, sizeof err);
    assert_non_null(pc);
    assert_int_equal(ferry_pull_consumer_queues(pc, topic, &qs, &nq), 0);
    *bodies = malloc(sizeof(char *) * (size_t)cap);
    *n = 0;
    for (int i = 0; i < nq; i++) {
        int64_t off = 0;
        for (;;) {
            ferry_pull_result r;
            assert_int_equal(ferry_pull(pc, &qs[i], off, 32, expr, 0, &r), 0);
            if (r.status == FERRY_PULL_NO_NEW_MSG) {
                ferry_pull_result_release(&r);
                break;
            }
            assert_true(r.status == FERRY_PULL_FOUND ||
                        r.status == FERRY_PULL_NO_MATCHED_MSG);
            for (int k = 0; k < r.msgs.count; k++) {
                if (*n == cap) {
                    cap *= 2;
                    *bodies = realloc(*bodies, sizeof(char *) * (size_t)cap);
                }
                (*bodies)[(*n)++] = strndup(r.msgs.msgs[k]->body,
                                            r.msgs.msgs[k]->body_len);
            }
            assert_true(r.next_begin_offset > off);
            off = r.next_begin_offset;
            ferry_pull_result_release(&r);
        }
    }
    free(qs);
    ferry_pull_consumer_free(pc);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void strs_free(char **v, int n)
{
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* ------------------------------------------------------------------ */

static void test_admin(void **state)
{
    (void)state;
    testkit_create_topic("c_admin", 3);
    ferry_admin *a = testkit_admin_new();
    char **topics;
    assert_int_equal(ferry_admin_topic_list(a, &topics), 0);
    int found = 0;
    for (char **t = topics; *t; t++)
        found |= !strcmp(*t, "c_admin");
    ferry_strv_free(topics);
    assert_true(found);

    ferry_route *r;
    assert_int_equal(ferry_admin_route(a, "c_admin", &r), 0);
    assert_int_equal(r->broker_count, 1);
    assert_string_equal(r->brokers[0].addr, B.addr);
    assert_int_equal(r->queue_count, 1);
    assert_int_equal(r->queues[0].read_queues, 3);
    assert_int_equal(r->queues[0].write_queues, 3);
    ferry_route_free(r);

    assert_int_equal(ferry_admin_cluster_info(a, &r), 0);
    assert_int_equal(r->broker_count, 1);
    assert_string_equal(r->brokers[0].addr, B.addr);
    assert_true(r->brokers[0].cluster[0] != 0);
    ferry_route_free(r);

    assert_int_equal(ferry_admin_route(a, "c_no_such_topic", &r),
                     FERRY_ERR_NO_ROUTE);
    /* by broker address too */
    assert_int_equal(
        ferry_admin_create_topic(a, NULL, B.addr, "c_admin_addr", 2, 2), 0);
    ferry_admin_free(a);
}

static void test_send_sync_and_pull(void **state)
{
    (void)state;
    testkit_create_topic("c_sync", 4);
    ferry_producer *p = producer_new();
    char body[64], keys[64];
    ferry_prop props[1] = {{"color", "blue"}};
    int64_t last_off[4] = {-1, -1, -1, -1};

    for (int i = 0; i < 40; i++) {
        snprintf(body, sizeof body, "sync-%02d", i);
        snprintf(keys, sizeof keys, "k%d kk%d", i, i);
        ferry_msg m = testkit_text_msg("c_sync", i % 2 ? "B" : "A", keys, body);
        m.props = props;
        m.prop_count = 1;
        ferry_send_result r;
        assert_int_equal(ferry_producer_send(p, &m, &r), 0);
        assert_int_equal(r.status, FERRY_SEND_OK);
        assert_int_equal(strlen(r.msg_id), 32);
        assert_int_equal(strlen(r.offset_msg_id), 32);
        assert_string_equal(r.queue.topic, "c_sync");
        assert_true(r.queue.queue_id >= 0 && r.queue.queue_id < 4);
        assert_true(r.queue_offset > last_off[r.queue.queue_id]);
        last_off[r.queue.queue_id] = r.queue_offset;
    }
    /* round robin touched every queue */
    for (int q = 0; q < 4; q++)
        assert_true(last_off[q] >= 0);
    ferry_producer_free(p);

    char **got;
    int n;
    pull_all("c_sync", "*", &got, &n);
    assert_int_equal(n, 40);
    qsort(got, (size_t)n, sizeof(char *), cmp_str);
    for (int i = 0; i < 40; i++) {
        snprintf(body, sizeof body, "sync-%02d", i);
        assert_string_equal(got[i], body);
    }
    strs_free(got, n);

    /* tag filter: only the A's (even numbers) */
    pull_all("c_sync", "A", &got, &n);
    assert_int_equal(n, 20);
    for (int i = 0; i < n; i++)
        assert_int_equal((got[i][6] - '0') % 2, 0);
    strs_free(got, n);
    pull_all("c_sync", "A || B", &got, &n);
    assert_int_equal(n, 40);
    strs_free(got, n);

    /* properties, keys, tags and ids survive */
    ferry_conf c;
    char err[256];
    testkit_conf(&c, "c_sync_pull");
    ferry_pull_consumer *pc = ferry_pull_consumer_new(&c, err, sizeof err);
    ferry_queue *qs;
    int nq;
    assert_int_equal(ferry_pull_consumer_queues(pc, "c_sync", &qs, &nq), 0);
    assert_int_equal(nq, 4);
    ferry_pull_result r;
    assert_int_equal(ferry_pull(pc, &qs[0], 0, 1, NULL, 0, &r), 0);
    assert_int_equal(r.status, FERRY_PULL_FOUND);
    assert_int_equal(r.msgs.count, 1);
    ferry_rmsg *m = r.msgs.msgs[0];
    assert_string_equal(ferry_rmsg_property(m, "color"), "blue");
    assert_true(!strcmp(m->tags, "A") || !strcmp(m->tags, "B"));
    assert_true(!strncmp(m->keys, "k", 1));
    assert_int_equal(strlen(m->msg_id), 32);
    assert_int_equal(m->queue_offset, 0);
    assert_string_equal(m->topic, "c_sync");
    ferry_pull_result_release(&r);

    /* offsets */
    int64_t min = -1, max = -1, s = -1;
    assert_int_equal(ferry_pull_consumer_min_offset(pc, &qs[0], &min), 0);
    assert_int_equal(ferry_pull_consumer_max_offset(pc, &qs[0], &max), 0);
    assert_int_equal(min, 0);
    assert_int_equal(max, 10);
    assert_int_equal(ferry_pull_consumer_search_offset(pc, &qs[0], 0, &s), 0);
    assert_int_equal(s, 0);
    /* at the end: nothing new; past it: illegal */
    assert_int_equal(ferry_pull(pc, &qs[0], max, 32, NULL, 0, &r), 0);
    assert_int_equal(r.status, FERRY_PULL_NO_NEW_MSG);
    assert_int_equal(ferry_pull(pc, &qs[0], max + 5, 32, NULL, 0, &r), 0);
    assert_int_equal(r.status, FERRY_PULL_OFFSET_ILLEGAL);
    assert_int_equal(r.next_begin_offset, max);

    /* commit / committed */
    int64_t got_off;
    assert_int_equal(ferry_pull_consumer_committed(pc, &qs[1], &got_off),
                     FERRY_ERR_NOT_FOUND);
    assert_int_equal(ferry_pull_consumer_commit(pc, &qs[1], 7), 0);
    assert_int_equal(ferry_pull_consumer_committed(pc, &qs[1], &got_off), 0);
    assert_int_equal(got_off, 7);
    ferry_admin *a = testkit_admin_new();
    assert_int_equal(ferry_admin_consumer_offset(a, "c_sync_pull", &qs[1],
                                                 &got_off),
                     0);
    assert_int_equal(got_off, 7);
    assert_int_equal(ferry_admin_max_offset(a, &qs[0], &got_off), 0);
    assert_int_equal(got_off, 10);
    assert_int_equal(ferry_admin_min_offset(a, &qs[0], &got_off), 0);
    assert_int_equal(got_off, 0);
    ferry_admin_free(a);
    free(qs);
    ferry_pull_consumer_free(pc);
}

static void test_long_poll(void **state)
{
    (void)state;
    testkit_create_topic("c_poll", 1);
    ferry_conf c;
    char err[256];
    testkit_conf(&c, "c_poll");
    ferry_pull_consumer *pc = ferry_pull_consumer_new(&c, err, sizeof err);
    ferry_queue *qs;
    int nq;
    assert_int_equal(ferry_pull_consumer_queues(pc, "c_poll", &qs, &nq), 0);
    /* nothing there: the broker holds the pull for about the poll time */
    int64_t t0 = testkit_now_ms();
    ferry_pull_result r;
    assert_int_equal(ferry_pull(pc, &qs[0], 0, 32, NULL, 600, &r), 0);
    int64_t took = testkit_now_ms() - t0;
    assert_int_equal(r.status, FERRY_PULL_NO_NEW_MSG);
    assert_true(took >= 400);
    free(qs);
    ferry_pull_consumer_free(pc);
}

typedef struct async_state {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    int done, ok;
} async_state;

static void on_sent(int err, const ferry_send_result *r, const char *remark,
                    void *arg)
{
    async_state *s = arg;
    (void)remark;
    pthread_mutex_lock(&s->mu);
    s->done++;
    if (err == 0 && r && strlen(r->msg_id) == 32 && r->queue_offset >= 0)
        s->ok++;
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->mu);
}

static void test_async_oneway_batch(void **state)
{
    (void)state;
    testkit_create_topic("c_async", 2);
    ferry_producer *p = producer_new();
    async_state s = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0,
                     0};
    char body[64];

    for (int i = 0; i < 50; i++) {
        snprintf(body, sizeof body, "async-%02d", i);
        ferry_msg m = testkit_text_msg("c_async", "X", NULL, body);
        assert_int_equal(ferry_producer_send_async(p, &m, on_sent, &s), 0);
    }
    pthread_mutex_lock(&s.mu);
    int64_t deadline = testkit_now_ms() + 10000;
    while (s.done < 50 && testkit_now_ms() < deadline) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&s.cond, &s.mu, &ts);
    }
    pthread_mutex_unlock(&s.mu);
    assert_int_equal(s.done, 50);
    assert_int_equal(s.ok, 50);

    for (int i = 0; i < 10; i++) {
        snprintf(body, sizeof body, "oneway-%02d", i);
        ferry_msg m = testkit_text_msg("c_async", "X", NULL, body);
        assert_int_equal(ferry_producer_send_oneway(p, &m), 0);
    }

    /* a batch to a chosen queue: consecutive offsets from the result */
    ferry_msg batch[10];
    char bodies[10][32];
    for (int i = 0; i < 10; i++) {
        snprintf(bodies[i], sizeof bodies[i], "batch-%02d", i);
        batch[i] = testkit_text_msg("c_async", "Y", "bk", bodies[i]);
    }
    ferry_queue *qs;
    int nq;
    assert_int_equal(ferry_producer_queues(p, "c_async", &qs, &nq), 0);
    assert_int_equal(nq, 2);
    ferry_send_result r;
    assert_int_equal(ferry_producer_send_batch(p, batch, 10, &qs[1], &r), 0);
    assert_int_equal(r.queue.queue_id, qs[1].queue_id);
    assert_int_equal(strlen(r.offset_msg_id), 32);
    /* and one without a queue (round robin) */
    assert_int_equal(ferry_producer_send_batch(p, batch, 3, NULL, &r), 0);

    ferry_conf c;
    char err[256];
    testkit_conf(&c, "c_async");
    ferry_pull_consumer *pc = ferry_pull_consumer_new(&c, err, sizeof err);
    ferry_pull_result pr;
    int64_t off = -1;
    /* the first batch: its offset and the nine after it */
    assert_int_equal(ferry_producer_send_batch(p, batch, 10, &qs[1], &r), 0);
    off = r.queue_offset;
    assert_int_equal(ferry_pull(pc, &qs[1], off, 10, "Y", 0, &pr), 0);
    assert_int_equal(pr.status, FERRY_PULL_FOUND);
    assert_int_equal(pr.msgs.count, 10);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(pr.msgs.msgs[i]->queue_offset, off + i);
        assert_memory_equal(pr.msgs.msgs[i]->body, bodies[i],
                            strlen(bodies[i]));
    }
    assert_string_equal(pr.msgs.msgs[0]->msg_id, r.msg_id);
    ferry_pull_result_release(&pr);
    ferry_pull_consumer_free(pc);
    free(qs);
    ferry_producer_free(p);

    char **got;
    int n;
    /* 50 async + 10 oneway (oneway: give the broker a moment) */
    for (int i = 0; i < 50; i++) {
        pull_all("c_async", "X", &got, &n);
        if (n == 60)
            break;
        strs_free(got, n);
        got = NULL;
        usleep(100000);
    }
    assert_non_null(got);
    assert_int_equal(n, 60);
    strs_free(got, n);
    pull_all("c_async", "Y", &got, &n);
    assert_int_equal(n, 23);
    strs_free(got, n);
}

static void test_order_and_selector(void **state)
{
    (void)state;
    testkit_create_topic("c_order", 4);
    ferry_producer *p = producer_new();
    char body[64];
    int qid = -1;

    for (int i = 0; i < 30; i++) {
        snprintf(body, sizeof body, "o-%03d", i);
        ferry_msg m = testkit_text_msg("c_order", NULL, NULL, body);
        ferry_send_result r;
        assert_int_equal(
            ferry_producer_send_select(p, &m, ferry_select_by_hash,
                                       (void *)"order-42", &r),
            0);
        if (qid < 0)
            qid = r.queue.queue_id;
        assert_int_equal(r.queue.queue_id, qid);
        assert_int_equal(r.queue_offset, i);
    }
    /* send_to a chosen queue */
    ferry_queue *qs;
    int nq;
    assert_int_equal(ferry_producer_queues(p, "c_order", &qs, &nq), 0);
    int other = (qid + 1) % 4;
    for (int i = 0; i < 5; i++) {
        snprintf(body, sizeof body, "to-%d", i);
        ferry_msg m = testkit_text_msg("c_order", NULL, NULL, body);
        ferry_send_result r;
        assert_int_equal(ferry_producer_send_to(p, &m, &qs[other], &r), 0);
        assert_int_equal(r.queue.queue_id, qs[other].queue_id);
    }
    ferry_producer_free(p);

    ferry_conf c;
    char err[256];
    testkit_conf(&c, "c_order");
    ferry_pull_consumer *pc = ferry_pull_consumer_new(&c, err, sizeof err);
    ferry_pull_result r;
    ferry_queue q = qs[0];
    q.queue_id = qid;
    assert_int_equal(ferry_pull(pc, &q, 0, 64, NULL, 0, &r), 0);
    assert_int_equal(r.msgs.count, 30);
    for (int i = 0; i < 30; i++) {
        snprintf(body, sizeof body, "o-%03d", i);
        assert_int_equal(r.msgs.msgs[i]->body_len, strlen(body));
        assert_memory_equal(r.msgs.msgs[i]->body, body, strlen(body));
    }
    ferry_pull_result_release(&r);
    assert_int_equal(ferry_pull(pc, &qs[other], 0, 64, NULL, 0, &r), 0);
    assert_int_equal(r.msgs.count, 5);
    ferry_pull_result_release(&r);
    free(qs);
    ferry_pull_consumer_free(pc);
}

static void test_view_and_query(void **state)
{
    (void)state;
    testkit_create_topic("c_view", 2);
    ferry_producer *p = producer_new();
    ferry_msg m = testkit_text_msg("c_view", "T", "needle haystack", "find me");
    ferry_send_result r;
    assert_int_equal(ferry_producer_send(p, &m, &r), 0);
    ferry_producer_free(p);

    ferry_admin *a = testkit_admin_new();
    ferry_msg_list l;
    assert_int_equal(ferry_admin_view_message(a, r.offset_msg_id, &l), 0);
    assert_int_equal(l.count, 1);
    assert_int_equal(l.msgs[0]->body_len, 7);
    assert_memory_equal(l.msgs[0]->body, "find me", 7);
    assert_string_equal(l.msgs[0]->msg_id, r.msg_id);
    assert_string_equal(l.msgs[0]->offset_msg_id, r.offset_msg_id);
    ferry_msg_list_free(&l);

    int rc = FERRY_ERR_NOT_FOUND;
    for (int i = 0; i < 30 && rc == FERRY_ERR_NOT_FOUND; i++) {
        rc = ferry_admin_query_by_key(a, "c_view", "needle", 10, 0, 0, &l);
        if (rc == FERRY_ERR_NOT_FOUND)
            usleep(100000);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(l.count, 1);
    assert_memory_equal(l.msgs[0]->body, "find me", 7);
    ferry_msg_list_free(&l);
    assert_int_equal(
        ferry_admin_query_by_key(a, "c_view", "absent-key", 10, 0, 0, &l),
        FERRY_ERR_NOT_FOUND);
    assert_int_equal(
        ferry_admin_view_message(a, "not-an-id", &l), FERRY_ERR_INVALID);
    ferry_admin_free(a);
}

/* ------------------------------------------------------------------ */
/* push consumers                                                      */
/* ------------------------------------------------------------------ */

typedef struct collector {
    pthread_mutex_t mu;
    char **bodies;
    int n, cap;
    int later_once; /* answer LATER the first time (redelivery) */
    int laters;
} collector;

static void collector_init(collector *c)
{
    memset(c, 0, sizeof(*c));
    pthread_mutex_init(&c->mu, NULL);
}

static void collector_release(collector *c)
{
    strs_free(c->bodies, c->n);
    pthread_mutex_destroy(&c->mu);
}

static int collector_count(collector *c)
{
    pthread_mutex_lock(&c->mu);
    int n = c->n;
    pthread_mutex_unlock(&c->mu);
    return n;
}

static ferry_consume_status on_msgs(ferry_push_consumer *pc,
                                    ferry_rmsg *const *msgs, int count,
                                    void *arg)
{
    collector *c = arg;
    (void)pc;
    pthread_mutex_lock(&c->mu);
    if (c->later_once && c->laters == 0) {
        c->laters++;
        pthread_mutex_unlock(&c->mu);
        return FERRY_CONSUME_LATER;
    }
    for (int i = 0; i < count; i++) {
        if (c->n == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 64;
            c->bodies = realloc(c->bodies, sizeof(char *) * (size_t)c->cap);
        }
        c->bodies[c->n++] = strndup(msgs[i]->body, msgs[i]->body_len);
    }
    pthread_mutex_unlock(&c->mu);
    return FERRY_CONSUME_SUCCESS;
}

static int orderly_next; /* push_new: make the next consumer orderly */
static int from_next = FERRY_CONSUME_FROM_FIRST_OFFSET; /* and where from */
static int64_t from_ts_next;
static ferry_consume_status on_ordered(ferry_push_consumer *pc,
                                       ferry_rmsg *const *msgs, int count,
                                       void *arg);

static ferry_push_consumer *push_new(const char *group, const char *topic,
                                     const char *expr,
                                     ferry_message_model model,
                                     collector *col, const char *store)
{
    ferry_conf c;
    char err[256];
    testkit_conf(&c, group);
    c.orderly = orderly_next;
    if (orderly_next) {
        c.consume_threads = 3;
        c.consume_batch_size = 2;
    }
    c.model = model;
    c.consume_from = (ferry_consume_from)from_next;
    c.consume_timestamp_ms = from_ts_next;
    if (!orderly_next) {
        c.consume_threads = 2;
        c.consume_batch_size = 4;
    }
    c.commit_interval_ms = 500;
    c.offset_store_path = store;
    ferry_push_consumer *pc = ferry_push_consumer_new(&c, err, sizeof err);
    assert_non_null(pc);
    assert_int_equal(ferry_push_consumer_subscribe(pc, topic, expr), 0);
    assert_int_equal(ferry_push_consumer_set_callback(
                         pc, orderly_next ? on_ordered : on_msgs, col),
                     0);
    assert_int_equal(ferry_push_consumer_start(pc), 0);
    return pc;
}

static void send_n(const char *topic, const char *prefix, int n,
                   const char *const *tags, int ntags)
{
    ferry_producer *p = producer_new();
    char body[64];
    for (int i = 0; i < n; i++) {
        snprintf(body, sizeof body, "%s-%03d", prefix, i);
        ferry_msg m = testkit_text_msg(topic, ntags ? tags[i % ntags] : NULL, NULL,
                               body);
        assert_int_equal(ferry_producer_send(p, &m, NULL), 0);
    }
    ferry_producer_free(p);
}

static int wait_count(collector *c, int want, int ms)
{
    int64_t deadline = testkit_now_ms() + ms;
    while (collector_count(c) < want && testkit_now_ms() < deadline)
        usleep(20000);
    return collector_count(c);
}

static int wait_assigned(ferry_push_consumer *a, int wa,
                         ferry_push_consumer *b, int wb, int ms)
{
    int64_t deadline = testkit_now_ms() + ms;
    while (testkit_now_ms() < deadline) {
        if (ferry_push_consumer_assigned(a) == wa &&
            (!b || ferry_push_consumer_assigned(b) == wb))
            return 1;
        usleep(20000);
    }
    return 0;
}

/* Bodies of cols together are exactly prefix-000..n-1, each once. */
static void assert_exact(collector **cols, int ncols, const char *prefix,
                         int n)
{
    char **all = NULL;
    int total = 0;
    for (int k = 0; k < ncols; k++) {
        pthread_mutex_lock(&cols[k]->mu);
        for (int i = 0; i < cols[k]->n; i++) {
            if (strncmp(cols[k]->bodies[i], prefix, strlen(prefix)) != 0)
                continue;
            all = realloc(all, sizeof(char *) * (size_t)(total + 1));
            all[total++] = cols[k]->bodies[i];
        }
        pthread_mutex_unlock(&cols[k]->mu);
    }
    if (total != n)
        fprintf(stderr, "%s: got %d messages, want %d\n", prefix, total, n);
    assert_int_equal(total, n);
    qsort(all, (size_t)total, sizeof(char *), cmp_str);
    for (int i = 0; i < n; i++) {
        char want[64];
        snprintf(want, sizeof want, "%s-%03d", prefix, i);
        assert_string_equal(all[i], want);
    }
    free(all);
}

static void test_push_clustering_rebalance(void **state)
{
    (void)state;
    testkit_create_topic("c_cluster", 4);
    collector ca, cb;
    collector_init(&ca);
    collector_init(&cb);
    ferry_push_consumer *a = push_new("g_cluster", "c_cluster", "*",
                                      FERRY_CLUSTERING, &ca, NULL);
    assert_true(wait_assigned(a, 4, NULL, 0, 10000));
    /* alone: every message once */
    send_n("c_cluster", "solo", 20, NULL, 0);
    assert_int_equal(wait_count(&ca, 20, 10000), 20);
    collector *only_a[1] = {&ca};
    assert_exact(only_a, 1, "solo", 20);
    /* let the periodic commit (500 ms here) record them: delivery is at
     * least once, and a queue handed over before its owner committed is
     * read again from the last commit (as with the Java client) */
    usleep(800000);

    /* a second member joins: the broker notifies, both rebalance */
    ferry_push_consumer *b = push_new("g_cluster", "c_cluster", "*",
                                      FERRY_CLUSTERING, &cb, NULL);
    assert_true(wait_assigned(a, 2, b, 2, 10000));
    ferry_admin *ad = testkit_admin_new();
    char **ids;
    assert_int_equal(
        ferry_admin_consumer_list(ad, "g_cluster", "c_cluster", &ids), 0);
    int nids = 0;
    for (char **s = ids; *s; s++) {
        assert_true(!strcmp(*s, ferry_push_consumer_client_id(a)) ||
                    !strcmp(*s, ferry_push_consumer_client_id(b)));
        nids++;
    }
    assert_int_equal(nids, 2);
    ferry_strv_free(ids);
    ferry_admin_free(ad);

    send_n("c_cluster", "pair", 40, NULL, 0);
    int64_t deadline = testkit_now_ms() + 10000;
    while (collector_count(&ca) + collector_count(&cb) < 60 &&
           testkit_now_ms() < deadline)
        usleep(20000);
    usleep(200000); /* anything extra (a duplicate) would show up now */
    collector *both[2] = {&ca, &cb};
    assert_exact(both, 2, "pair", 40);
    assert_int_equal(collector_count(&cb), 20); /* its 2 queues of 4 */

    /* b leaves: a takes every queue and gets all that follows */
    ferry_push_consumer_free(b);
    assert_true(wait_assigned(a, 4, NULL, 0, 10000));
    send_n("c_cluster", "after", 40, NULL, 0);
    assert_int_equal(wait_count(&ca, 20 + 20 + 40, 10000), 80);
    assert_exact(only_a, 1, "after", 40);
    assert_exact(both, 2, "solo", 20);
    ferry_push_consumer_free(a);
    collector_release(&ca);
    collector_release(&cb);
}

static void test_push_broadcasting(void **state)
{
    (void)state;
    char path[300];
    testkit_create_topic("c_bcast", 3);
    snprintf(path, sizeof path, "%s/bcast.offsets", B.dir);
    collector ca, cb;
    collector_init(&ca);
    collector_init(&cb);
    ferry_push_consumer *a = push_new("g_bcast", "c_bcast", NULL,
                                      FERRY_BROADCASTING, &ca, path);
    ferry_push_consumer *b = push_new("g_bcast", "c_bcast", NULL,
                                      FERRY_BROADCASTING, &cb, NULL);
    assert_true(wait_assigned(a, 3, b, 3, 10000));
    send_n("c_bcast", "all", 30, NULL, 0);
    assert_int_equal(wait_count(&ca, 30, 10000), 30);
    assert_int_equal(wait_count(&cb, 30, 10000), 30);
    collector *ka[1] = {&ca}, *kb[1] = {&cb};
    assert_exact(ka, 1, "all", 30);
    assert_exact(kb, 1, "all", 30);
    ferry_push_consumer_free(a);
    ferry_push_consumer_free(b);
    collector_release(&ca);
    collector_release(&cb);

    /* the local offset file lets a restarted member continue */
    send_n("c_bcast", "more", 6, NULL, 0);
    collector cc;
    collector_init(&cc);
    ferry_push_consumer *c = push_new("g_bcast", "c_bcast", NULL,
                                      FERRY_BROADCASTING, &cc, path);
    assert_int_equal(wait_count(&cc, 6, 10000), 6);
    usleep(300000);
    collector *kc[1] = {&cc};
    assert_exact(kc, 1, "more", 6);
    assert_int_equal(collector_count(&cc), 6);
    ferry_push_consumer_free(c);
    collector_release(&cc);
}

static void test_push_resume_and_filter(void **state)
{
    (void)state;
    static const char *const tags[3] = {"A", "B", "C"};
    testkit_create_topic("c_resume", 2);
    collector c1;
    collector_init(&c1);
    c1.later_once = 1; /* the first batch is redelivered (sent back through
                          %RETRY%g_resume, or locally) */
    ferry_push_consumer *p1 = push_new("g_resume", "c_resume", "A || B",
                                       FERRY_CLUSTERING, &c1, NULL);
    assert_true(wait_assigned(p1, 2, NULL, 0, 10000));
    send_n("c_resume", "first", 30, tags, 3); /* 20 of them A or B */
    assert_int_equal(wait_count(&c1, 20, 10000), 20);
    usleep(200000);
    assert_int_equal(collector_count(&c1), 20);
    assert_int_equal(c1.laters, 1);
    for (int i = 0; i < c1.n; i++) {
        int k = atoi(c1.bodies[i] + 6);
        assert_int_not_equal(k % 3, 2); /* no C */
    }
    ferry_push_consumer_free(p1); /* commits */

    send_n("c_resume", "second", 12, tags, 3);
    collector c2;
    collector_init(&c2);
    ferry_push_consumer *p2 = push_new("g_resume", "c_resume", "*",
                                       FERRY_CLUSTERING, &c2, NULL);
    assert_int_equal(wait_count(&c2, 12, 10000), 12);
    usleep(300000);
    /* nothing of the first round again: it continued after the commit */
    collector *k2[1] = {&c2};
    assert_exact(k2, 1, "second", 12);
    assert_int_equal(collector_count(&c2), 12);
    ferry_push_consumer_free(p2);
    collector_release(&c1);
    collector_release(&c2);
}

/* orderly: per queue, the numbers must arrive in increasing order */
static pthread_mutex_t order_mu = PTHREAD_MUTEX_INITIALIZER;
static int order_last[4] = {-1, -1, -1, -1}, order_bad, order_running[4];

static ferry_consume_status on_ordered(ferry_push_consumer *pc,
                                       ferry_rmsg *const *msgs, int count,
                                       void *arg)
{
    int q = msgs[0]->queue_id;
    pthread_mutex_lock(&order_mu);
    if (order_running[q]++)
        order_bad++; /* two callbacks on one queue at once */
    pthread_mutex_unlock(&order_mu);
    usleep(1000); /* widen the window for a wrong interleaving */
    ferry_consume_status st = on_msgs(pc, msgs, count, arg);
    pthread_mutex_lock(&order_mu);
    order_running[q]--;
    for (int i = 0; st == FERRY_CONSUME_SUCCESS && i < count; i++) {
        int n = atoi((const char *)msgs[i]->body + 4);
        if (n / 10 != msgs[i]->queue_id || n % 10 != order_last[q] + 1)
            order_bad++;
        order_last[q] = n % 10;
    }
    pthread_mutex_unlock(&order_mu);
    return st;
}

static void test_push_orderly(void **state)
{
    (void)state;
    testkit_create_topic("c_orderly", 4);
    collector ca, cb;
    collector_init(&ca);
    collector_init(&cb);
    ca.later_once = 1; /* a queue is suspended, then retried in order */
    orderly_next = 1;
    ferry_push_consumer *a = push_new("g_orderly", "c_orderly", "*",
                                      FERRY_CLUSTERING, &ca, NULL);
    ferry_push_consumer *b = push_new("g_orderly", "c_orderly", "*",
                                      FERRY_CLUSTERING, &cb, NULL);
    orderly_next = 0;
    assert_true(wait_assigned(a, 2, b, 2, 10000));

    ferry_producer *p = producer_new();
    ferry_queue *qs;
    int nq;
    assert_int_equal(ferry_producer_queues(p, "c_orderly", &qs, &nq), 0);
    assert_int_equal(nq, 4);
    char body[32];
    for (int seq = 0; seq < 10; seq++) {
        for (int q = 0; q < 4; q++) {
            snprintf(body, sizeof body, "ord-%03d", q * 10 + seq);
            ferry_msg m = testkit_text_msg("c_orderly", NULL, NULL, body);
            assert_int_equal(ferry_producer_send_to(p, &m, &qs[q], NULL), 0);
        }
    }
    free(qs);
    ferry_producer_free(p);
    int64_t deadline = testkit_now_ms() + 10000;
    while (collector_count(&ca) + collector_count(&cb) < 40 &&
           testkit_now_ms() < deadline)
        usleep(20000);
    usleep(200000);
    collector *both[2] = {&ca, &cb};
    assert_exact(both, 2, "ord", 40);
    assert_int_equal(collector_count(&ca), 20);
    assert_int_equal(collector_count(&cb), 20);
    assert_int_equal(ca.laters, 1);
    assert_int_equal(order_bad, 0);
    for (int q = 0; q < 4; q++)
        assert_int_equal(order_last[q], 9);
    ferry_push_consumer_free(a);
    ferry_push_consumer_free(b);
    collector_release(&ca);
    collector_release(&cb);
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A new group starts at the end (LAST_OFFSET) or at a time (TIMESTAMP). */
static void test_push_consume_from(void **state)
{
    (void)state;
    testkit_create_topic("c_from", 2);
    send_n("c_from", "old", 6, NULL, 0);
    usleep(50000);
    int64_t mid = wall_ms();
    usleep(50000);
    send_n("c_from", "mid", 4, NULL, 0);

    collector cl, ct;
    collector_init(&cl);
    collector_init(&ct);
    from_next = FERRY_CONSUME_FROM_LAST_OFFSET;
    ferry_push_consumer *last = push_new("g_from_last", "c_from", "*",
                                         FERRY_CLUSTERING, &cl, NULL);
    from_next = FERRY_CONSUME_FROM_TIMESTAMP;
    from_ts_next = mid;
    ferry_push_consumer *ts = push_new("g_from_ts", "c_from", "*",
                                       FERRY_CLUSTERING, &ct, NULL);
    from_next = FERRY_CONSUME_FROM_FIRST_OFFSET;
    from_ts_next = 0;
    assert_true(wait_assigned(last, 2, ts, 2, 10000));
    send_n("c_from", "new", 4, NULL, 0);
    assert_int_equal(wait_count(&cl, 4, 10000), 4);
    assert_int_equal(wait_count(&ct, 8, 10000), 8);
    usleep(300000);
    collector *kl[1] = {&cl}, *kt[1] = {&ct};
    assert_exact(kl, 1, "new", 4);
    assert_int_equal(collector_count(&cl), 4);
    assert_exact(kt, 1, "mid", 4);
    assert_exact(kt, 1, "new", 4);
    assert_int_equal(collector_count(&ct), 8);
    ferry_push_consumer_free(last);
    ferry_push_consumer_free(ts);
    collector_release(&cl);
    collector_release(&ct);
}

/* The broker restarts under a producer and a push consumer: both
 * reconnect (the producer on its next send, the consumer's pulls after
 * their retry delay) and nothing is lost. */
static void test_reconnect(void **state)
{
    (void)state;
    testkit_create_topic("c_reconn", 2);
    collector col;
    collector_init(&col);
    ferry_push_consumer *c = push_new("g_reconn", "c_reconn", "*",
                                      FERRY_CLUSTERING, &col, NULL);
    assert_true(wait_assigned(c, 2, NULL, 0, 10000));
    ferry_producer *p = producer_new();
    char body[32];
    for (int i = 0; i < 10; i++) {
        if (i == 5) {
            assert_int_equal(wait_count(&col, 5, 10000), 5);
            assert_int_equal(broker_proc_restart(&B, broker_bin), 0);
        }
        snprintf(body, sizeof body, "rc-%03d", i);
        ferry_msg m = testkit_text_msg("c_reconn", NULL, NULL, body);
        int rc = ferry_producer_send(p, &m, NULL);
        if (rc)
            fprintf(stderr, "send after restart: %s\n", ferry_strerror(rc));
        assert_int_equal(rc, 0);
    }
    ferry_producer_free(p);
    assert_int_equal(wait_count(&col, 10, 15000), 10);
    usleep(200000);
    collector *k[1] = {&col};
    assert_exact(k, 1, "rc", 10);
    ferry_push_consumer_free(c);
    collector_release(&col);
}

static void test_errors(void **state)
{
    (void)state;
    ferry_conf c;
    char err[256];
    ferry_conf_init(&c);
    assert_null(ferry_producer_new(&c, err, sizeof err)); /* no namesrv */
    assert_null(ferry_push_consumer_new(&c, err, sizeof err));
    c.namesrv_addr = "127.0.0.1:1"; /* nobody there */
    c.group = "g";
    ferry_producer *p = ferry_producer_new(&c, err, sizeof err);
    assert_non_null(p);
    ferry_msg m = testkit_text_msg("t", NULL, NULL, "x");
    assert_int_equal(ferry_producer_send(p, &m, NULL), FERRY_ERR_CONNECT);
    m.topic = NULL;
    assert_int_equal(ferry_producer_send(p, &m, NULL), FERRY_ERR_INVALID);
    ferry_producer_free(p);
    assert_string_equal(ferry_strerror(FERRY_ERR_TIMEOUT), "timed out");
    ferry_producer_free(NULL);
    ferry_push_consumer_free(NULL);
    ferry_pull_consumer_free(NULL);
    ferry_admin_free(NULL);

    /* a topic nobody created goes through TBW102 (auto-creation on) */
    p = producer_new();
    m = testkit_text_msg("c_auto_created", NULL, NULL, "auto");
    ferry_send_result r;
    int rc = ferry_producer_send(p, &m, &r);
    if (rc)
        fprintf(stderr, "auto-create: %s %s\n", ferry_strerror(rc),
                ferry_last_remark());
    assert_int_equal(rc, 0);
    /* a broker error comes back with its code and remark */
    m = testkit_text_msg("bad topic!", NULL, NULL, "x");
    rc = ferry_producer_send(p, &m, &r);
    assert_int_equal(rc, FERRY_ERR_BROKER);
    assert_int_equal(ferry_last_response_code(), 13); /* MESSAGE_ILLEGAL */
    assert_true(strstr(ferry_last_remark(), "topic") != NULL);
    /* DELAY passes through: stored, or refused by a broker without delay
     * levels (MESSAGE_ILLEGAL with a remark) */
    m = testkit_text_msg("c_auto_created", NULL, NULL, "later");
    m.delay_level = 3;
    rc = ferry_producer_send(p, &m, &r);
    if (rc != 0) {
        assert_int_equal(rc, FERRY_ERR_BROKER);
        assert_int_equal(ferry_last_response_code(), 13);
        assert_true(strlen(ferry_last_remark()) > 0);
    }
    ferry_producer_free(p);
}

/* The broker sends a RECONSUME_LATER message back through %RETRY% with
 * level 3 + reconsumeTimes: make those levels short. */
static const char *broker_args[2];

static int setup(void **state)
{
    (void)state;
    broker_args[0] = "--messageDelayLevel=1s 1s 1s 1s 1s 1s 1s 1s";
    broker_proc_extra_args = broker_args;
    if (broker_proc_start(&B, broker_bin) != 0) {
        fprintf(stderr, "cannot start %s\n", broker_bin);
        return -1;
    }
    testkit_namesrv = B.namesrv;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return broker_proc_stop(&B);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FERRY_BROKER_BINARY\n", argv[0]);
        return 2;
    }
    broker_bin = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_admin),
        cmocka_unit_test(test_send_sync_and_pull),
        cmocka_unit_test(test_long_poll),
        cmocka_unit_test(test_async_oneway_batch),
        cmocka_unit_test(test_order_and_selector),
        cmocka_unit_test(test_view_and_query),
        cmocka_unit_test(test_push_clustering_rebalance),
        cmocka_unit_test(test_push_broadcasting),
        cmocka_unit_test(test_push_resume_and_filter),
        cmocka_unit_test(test_push_orderly),
        cmocka_unit_test(test_push_consume_from),
        cmocka_unit_test(test_reconnect),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
