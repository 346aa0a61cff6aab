/*
 * test_client_semantics.c - issue #5's scenarios with libferry against a
 * real ferry-broker --standalone (argv[1]) started with short transaction
 * check settings (and short delay levels): transactions (commit visible to
 * push and pull consumers, rollback never, UNKNOWN checked back and the
 * checker's later answer honoured), retry through %RETRY%<group> with
 * growing reconsume_times and the dead-letter queue after
 * max_reconsume_times, delay levels and a delivery time (not before, and
 * delivered within a generous bound), orderly consumption keeping
 * per-queue order across a consumer restart, and query by key and by id.
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

/* transactionCheckInterval / transactionTimeOut: checked back ~1 s after
 * the half message, then every 0.5 s; delay levels 1 s, 2 s, then 1 s
 * (retries use level 3 + reconsumeTimes) when the broker has them */
static const char *broker_args[] = {
    "--transactionCheckInterval=500",
    "--transactionTimeOut=500",
    NULL, /* messageDelayLevel, when supported */
    NULL,
};
/* How many messages of topic (every queue, from 0) have this body. */
static int pull_count(const char *topic, const char *body)
{
    ferry_conf c;
    char err[256];
    ferry_queue *qs;
    int nq, found = 0;

    testkit_conf(&c, "pull_count");
    ferry_pull_consumer *pc = ferry_pull_consumer_new(&c, err, sizeof err);
    assert_non_null(pc);
    if (ferry_pull_consumer_queues(pc, topic, &qs, &nq) != 0) {
        ferry_pull_consumer_free(pc);
        return 0;
    }
    for (int i = 0; i < nq; i++) {
        int64_t off = 0;
        for (;;) {
            ferry_pull_result r;
            assert_int_equal(ferry_pull(pc, &qs[i], off, 32, NULL, 0, &r), 0);
            if (r.status != FERRY_PULL_FOUND) {
                ferry_pull_result_release(&r);
                break;
            }
            for (int k = 0; k < r.msgs.count; k++)
                found += r.msgs.msgs[k]->body_len == strlen(body) &&
                         !memcmp(r.msgs.msgs[k]->body, body, strlen(body));
            off = r.next_begin_offset;
            ferry_pull_result_release(&r);
        }
    }
    free(qs);
    ferry_pull_consumer_free(pc);
    return found;
}

/* Wait up to ms for pull_count(topic, body) == want. */
static int wait_pull(const char *topic, const char *body, int want, int ms)
{
    int64_t end = testkit_now_ms() + ms;
    int n;
    while ((n = pull_count(topic, body)) != want && testkit_now_ms() < end)
        usleep(100000);
    return n;
}

/* ------------------------------------------------------------------ */
/* a push consumer that records what it gets                           */
/* ------------------------------------------------------------------ */

typedef struct got {
    char body[64];
    char topic[128];
    int reconsume_times;
    int queue_id;
    int64_t queue_offset;
    int64_t at_ms;
    int later; /* the callback answered LATER */
} got;

typedef struct recorder {
    pthread_mutex_t mu;
    got items[512];
    int n;
    /* answer LATER for bodies starting "always", for those starting
     * "once" while reconsume_times is 0, and for the body equal to
     * later_body the first time it comes */
    char later_body[64];
    int later_body_done;
} recorder;

static void recorder_init(recorder *r)
{
    memset(r, 0, sizeof(*r));
    pthread_mutex_init(&r->mu, NULL);
}

static int recorder_count(recorder *r)
{
    pthread_mutex_lock(&r->mu);
    int n = r->n;
    pthread_mutex_unlock(&r->mu);
    return n;
}

static int wait_recorded(recorder *r, int want, int ms)
{
    int64_t end = testkit_now_ms() + ms;
    while (recorder_count(r) < want && testkit_now_ms() < end)
        usleep(20000);
    return recorder_count(r);
}

static ferry_consume_status on_record(ferry_push_consumer *pc,
                                      ferry_rmsg *const *msgs, int count,
                                      void *arg)
{
    recorder *r = arg;
    int later = 0;
    (void)pc;
    pthread_mutex_lock(&r->mu);
    for (int i = 0; i < count; i++) {
        const char *b = msgs[i]->body;
        size_t len = msgs[i]->body_len;
        if ((len >= 6 && !memcmp(b, "always", 6)) ||
            (len >= 4 && !memcmp(b, "once", 4) &&
             msgs[i]->reconsume_times == 0))
            later = 1;
        if (!r->later_body_done && len == strlen(r->later_body) && len > 0 &&
            !memcmp(b, r->later_body, len)) {
            r->later_body_done = 1;
            later = 1;
        }
    }
    for (int i = 0; i < count; i++) {
        if (r->n < (int)(sizeof r->items / sizeof r->items[0])) {
            got *g = &r->items[r->n++];
            snprintf(g->body, sizeof g->body, "%.*s", (int)msgs[i]->body_len,
                     (const char *)msgs[i]->body);
            snprintf(g->topic, sizeof g->topic, "%s", msgs[i]->topic);
            g->reconsume_times = msgs[i]->reconsume_times;
            g->queue_id = msgs[i]->queue_id;
            g->queue_offset = msgs[i]->queue_offset;
            g->at_ms = testkit_now_ms();
            g->later = later;
        }
    }
    pthread_mutex_unlock(&r->mu);
    return later ? FERRY_CONSUME_LATER : FERRY_CONSUME_SUCCESS;
}

static ferry_push_consumer *push_start(const char *group, const char *topic,
                                       recorder *r, int orderly,
                                       int max_reconsume)
{
    ferry_conf c;
    char err[256];
    testkit_conf(&c, group);
    c.consume_from = FERRY_CONSUME_FROM_FIRST_OFFSET;
    c.rebalance_interval_ms = 1000;
    c.long_poll_ms = 1000;
    c.orderly = orderly;
    if (max_reconsume > 0)
        c.max_reconsume_times = max_reconsume;
    ferry_push_consumer *pc = ferry_push_consumer_new(&c, err, sizeof err);
    assert_non_null(pc);
    assert_int_equal(ferry_push_consumer_subscribe(pc, topic, "*"), 0);
    assert_int_equal(ferry_push_consumer_set_callback(pc, on_record, r), 0);
    assert_int_equal(ferry_push_consumer_start(pc), 0);
    return pc;
}

/* ------------------------------------------------------------------ */
/* transactions                                                        */
/* ------------------------------------------------------------------ */

typedef struct txn_book {
    pthread_mutex_t mu;
    /* per body: the answers the checker gives, in turn (the last one
     * repeats), and how often it was asked */
    struct {
        char body[32];
        ferry_txn_state answers[4];
        int nanswers;
        int checks;
        char msg_id[64];
        char topic[128];
    } tx[8];
    int n;
} txn_book;

static int book_find(txn_book *b, const void *body, size_t len)
{
    for (int i = 0; i < b->n; i++)
        if (strlen(b->tx[i].body) == len && !memcmp(b->tx[i].body, body, len))
            return i;
    return -1;
}

static ferry_txn_state on_check(ferry_producer *p, const ferry_rmsg *half,
                                void *arg)
{
    txn_book *b = arg;
    ferry_txn_state st = FERRY_TXN_UNKNOWN;
    (void)p;
    pthread_mutex_lock(&b->mu);
    int i = book_find(b, half->body, half->body_len);
    if (i >= 0) {
        int k = b->tx[i].checks++;
        if (k >= b->tx[i].nanswers)
            k = b->tx[i].nanswers - 1;
        st = k >= 0 ? b->tx[i].answers[k] : FERRY_TXN_UNKNOWN;
        snprintf(b->tx[i].msg_id, sizeof b->tx[i].msg_id, "%s", half->msg_id);
        snprintf(b->tx[i].topic, sizeof b->tx[i].topic, "%s", half->topic);
    }
    pthread_mutex_unlock(&b->mu);
    return st;
}

static int book_checks(txn_book *b, const char *body)
{
    pthread_mutex_lock(&b->mu);
    int i = book_find(b, body, strlen(body));
    int n = i >= 0 ? b->tx[i].checks : -1;
    pthread_mutex_unlock(&b->mu);
    return n;
}

static void book_add(txn_book *b, const char *body, ferry_txn_state a0,
                     ferry_txn_state a1)
{
    pthread_mutex_lock(&b->mu);
    snprintf(b->tx[b->n].body, sizeof b->tx[b->n].body, "%s", body);
    b->tx[b->n].answers[0] = a0;
    b->tx[b->n].answers[1] = a1;
    b->tx[b->n].nanswers = 2;
    b->n++;
    pthread_mutex_unlock(&b->mu);
}

static ferry_txn_state exec_answer(ferry_producer *p, const ferry_msg *msg,
                                   const ferry_send_result *half, void *arg)
{
    (void)p;
    (void)msg;
    assert_true(half->offset_msg_id[0] != 0);
    return *(ferry_txn_state *)arg;
}

static ferry_producer *txn_producer(const char *group, txn_book *book)
{
    ferry_conf c;
    char err[256];
    testkit_conf(&c, group);
    ferry_producer *p = ferry_producer_new(&c, err, sizeof err);
    assert_non_null(p);
    assert_int_equal(ferry_producer_set_txn_checker(p, on_check, book), 0);
    assert_int_equal(ferry_producer_set_txn_checker(p, on_check, book),
                     FERRY_ERR_STATE);
    return p;
}

static void send_txn(ferry_producer *p, const char *topic, const char *body,
                     ferry_txn_state local, ferry_send_result *r)
{
    ferry_msg m = testkit_text_msg(topic, "T", body, body);
    ferry_txn_state st = FERRY_TXN_UNKNOWN;
    int rc = ferry_producer_send_txn(p, &m, exec_answer, &local, r, &st);
    if (rc)
        fprintf(stderr, "send_txn: %s %s\n", ferry_strerror(rc),
                ferry_last_remark());
    assert_int_equal(rc, 0);
    assert_int_equal(st, local);
}

/* Commit is delivered to a push consumer and a pull; rollback never is;
 * neither is ever checked back (they ended before the timeout). */
static void test_txn_commit_rollback(void **state)
{
    (void)state;
    txn_book book;
    memset(&book, 0, sizeof book);
    pthread_mutex_init(&book.mu, NULL);
    book_add(&book, "txn-commit", FERRY_TXN_UNKNOWN, FERRY_TXN_UNKNOWN);
    book_add(&book, "txn-rollback", FERRY_TXN_UNKNOWN, FERRY_TXN_UNKNOWN);
    testkit_create_topic("s_txn", 2);

    /* without a checker: refused */
    ferry_conf c;
    char err[256];
    testkit_conf(&c, "txn_pg_none");
    ferry_producer *plain = ferry_producer_new(&c, err, sizeof err);
    ferry_msg m = testkit_text_msg("s_txn", NULL, NULL, "x");
    assert_int_equal(
        ferry_producer_send_txn(plain, &m, exec_answer, NULL, NULL, NULL),
        FERRY_ERR_STATE);
    ferry_producer_free(plain);

    recorder rec;
    recorder_init(&rec);
    ferry_push_consumer *pc = push_start("g_txn", "s_txn", &rec, 0, 0);
    ferry_producer *p = txn_producer("txn_pg1", &book);
    ferry_send_result r1, r2;
    send_txn(p, "s_txn", "txn-commit", FERRY_TXN_COMMIT, &r1);
    send_txn(p, "s_txn", "txn-rollback", FERRY_TXN_ROLLBACK, &r2);
    assert_string_not_equal(r1.msg_id, r2.msg_id);

    assert_int_equal(wait_recorded(&rec, 1, 10000), 1);
    assert_string_equal(rec.items[0].body, "txn-commit");
    assert_string_equal(rec.items[0].topic, "s_txn");
    /* two check periods past the timeout: the rollback stays invisible
     * and nothing was checked back */
    usleep(2000000);
    assert_int_equal(recorder_count(&rec), 1);
    assert_int_equal(pull_count("s_txn", "txn-commit"), 1);
    assert_int_equal(pull_count("s_txn", "txn-rollback"), 0);
    assert_int_equal(book_checks(&book, "txn-commit"), 0);
    assert_int_equal(book_checks(&book, "txn-rollback"), 0);
    ferry_producer_free(p);
    ferry_push_consumer_free(pc);
    pthread_mutex_destroy(&rec.mu);
    pthread_mutex_destroy(&book.mu);
}

/* UNKNOWN: the broker checks back; the checker says UNKNOWN once, then
 * COMMIT (visible, once) or ROLLBACK (never visible, no more checks). */
static void test_txn_unknown_checked_back(void **state)
{
    (void)state;
    txn_book book;
    memset(&book, 0, sizeof book);
    pthread_mutex_init(&book.mu, NULL);
    book_add(&book, "txn-late-commit", FERRY_TXN_UNKNOWN, FERRY_TXN_COMMIT);
    book_add(&book, "txn-late-rollback", FERRY_TXN_ROLLBACK,
             FERRY_TXN_ROLLBACK);
    testkit_create_topic("s_txn2", 2);
    ferry_producer *p = txn_producer("txn_pg2", &book);
    ferry_send_result r1, r2;
    int64_t t0 = testkit_now_ms();
    send_txn(p, "s_txn2", "txn-late-commit", FERRY_TXN_UNKNOWN, &r1);
    send_txn(p, "s_txn2", "txn-late-rollback", FERRY_TXN_UNKNOWN, &r2);
    /* not visible while unknown */
    assert_int_equal(pull_count("s_txn2", "txn-late-commit"), 0);
    assert_int_equal(wait_pull("s_txn2", "txn-late-commit", 1, 15000), 1);
    int64_t took = testkit_now_ms() - t0;
    assert_true(book_checks(&book, "txn-late-commit") >= 2);
    assert_true(took >= 500); /* not before transactionTimeOut */
    /* the checker saw the half message as sent */
    pthread_mutex_lock(&book.mu);
    assert_string_equal(book.tx[0].msg_id, r1.msg_id);
    assert_string_equal(book.tx[0].topic, "s_txn2");
    pthread_mutex_unlock(&book.mu);
    /* the rollback was asked once and answered: never visible, never
     * asked again */
    usleep(1500000);
    assert_int_equal(book_checks(&book, "txn-late-rollback"), 1);
    assert_int_equal(pull_count("s_txn2", "txn-late-rollback"), 0);
    int n = book_checks(&book, "txn-late-commit");
    usleep(1200000);
    assert_int_equal(book_checks(&book, "txn-late-commit"), n);
    assert_int_equal(pull_count("s_txn2", "txn-late-commit"), 1);
    ferry_producer_free(p);
    pthread_mutex_destroy(&book.mu);
}

/* A transaction left UNKNOWN by a producer that is gone is checked back
 * on another live producer of the group, one that has sent nothing (the
 * broker knows it from its heartbeat's producerDataSet). */
static void test_txn_checked_on_other_producer(void **state)
{
    (void)state;
    txn_book book1, book2;
    memset(&book1, 0, sizeof book1);
    memset(&book2, 0, sizeof book2);
    pthread_mutex_init(&book1.mu, NULL);
    pthread_mutex_init(&book2.mu, NULL);
    book_add(&book1, "txn-orphan", FERRY_TXN_UNKNOWN, FERRY_TXN_UNKNOWN);
    book_add(&book2, "txn-orphan", FERRY_TXN_COMMIT, FERRY_TXN_COMMIT);
    testkit_create_topic("s_txn3", 2);
    ferry_producer *p1 = txn_producer("txn_pg3", &book1);
    ferry_send_result r;
    send_txn(p1, "s_txn3", "txn-orphan", FERRY_TXN_UNKNOWN, &r);
    ferry_producer_free(p1); /* its connection closes */
    ferry_producer *p2 = txn_producer("txn_pg3", &book2);
    assert_int_equal(wait_pull("s_txn3", "txn-orphan", 1, 15000), 1);
    assert_true(book_checks(&book2, "txn-orphan") >= 1);
    ferry_producer_free(p2);
    pthread_mutex_destroy(&book1.mu);
    pthread_mutex_destroy(&book2.mu);
}

/* ------------------------------------------------------------------ */
/* retry and dead letters                                              */
/* ------------------------------------------------------------------ */

static int wait_assigned(ferry_push_consumer *pc, int want, int ms)
{
    int64_t end = testkit_now_ms() + ms;
    while (ferry_push_consumer_assigned(pc) != want && testkit_now_ms() < end)
        usleep(50000);
    return ferry_push_consumer_assigned(pc);
}

/* The bodies in the first queue of topic (a %DLQ% topic has one). */
static int pull_queue0(const char *topic, char bodies[][64], int max,
                       char retry_topic[][128])
{
    ferry_conf c;
    char err[256];
    ferry_queue *qs;
    int nq, n = 0;

    testkit_conf(&c, "pull_dlq");
    ferry_pull_consumer *pc = ferry_pull_consumer_new(&c, err, sizeof err);
    assert_non_null(pc);
    if (ferry_pull_consumer_queues(pc, topic, &qs, &nq) != 0) {
        ferry_pull_consumer_free(pc);
        return 0;
    }
    int64_t off = 0;
    for (;;) {
        ferry_pull_result r;
        assert_int_equal(ferry_pull(pc, &qs[0], off, 32, NULL, 0, &r), 0);
        if (r.status != FERRY_PULL_FOUND) {
            ferry_pull_result_release(&r);
            break;
        }
        for (int k = 0; k < r.msgs.count && n < max; k++, n++) {
            const ferry_rmsg *m = r.msgs.msgs[k];
            const char *rt = ferry_rmsg_property(m, "RETRY_TOPIC");
            snprintf(bodies[n], 64, "%.*s", (int)m->body_len,
                     (const char *)m->body);
            snprintf(retry_topic[n], 128, "%s", rt ? rt : "");
        }
        off = r.next_begin_offset;
        ferry_pull_result_release(&r);
    }
    free(qs);
    ferry_pull_consumer_free(pc);
    return n;
}

/* CONSUME_LATER sends the message back: it returns from %RETRY%<group>
 * under its own topic with reconsume_times 1, 2, ... after the retry
 * delay (levels 3 and up are 1 s here); after max_reconsume_times (2) it is
 * in %DLQ%<group> and no longer delivered.  One that succeeds on its
 * second delivery is not a dead letter. */
static void test_retry_then_dlq(void **state)
{
    (void)state;
    testkit_create_topic("s_retry", 2);
    recorder rec;
    recorder_init(&rec);
    ferry_push_consumer *pc = push_start("g_retry", "s_retry", &rec, 0, 2);
    assert_int_equal(wait_assigned(pc, 2, 10000), 2);
    ferry_conf c;
    char err[256];
    testkit_conf(&c, "pg_retry");
    ferry_producer *p = ferry_producer_new(&c, err, sizeof err);
    ferry_msg m = testkit_text_msg("s_retry", "R", "k-always", "always-fails");
    assert_int_equal(ferry_producer_send(p, &m, NULL), 0);
    m = testkit_text_msg("s_retry", "R", "k-once", "once-fails");
    assert_int_equal(ferry_producer_send(p, &m, NULL), 0);
    ferry_producer_free(p);

    /* always: 3 deliveries (0, 1, 2); once: 2 (0, 1) */
    assert_int_equal(wait_recorded(&rec, 5, 20000), 5);
    usleep(2500000); /* a fourth delivery would come within 1-2 s */
    assert_int_equal(recorder_count(&rec), 5);
    int always = 0, once = 0;
    int64_t last_at = 0;
    for (int i = 0; i < rec.n; i++) {
        got *g = &rec.items[i];
        assert_string_equal(g->topic, "s_retry"); /* not %RETRY%g_retry */
        if (!strcmp(g->body, "always-fails")) {
            assert_int_equal(g->reconsume_times, always);
            if (always > 0) /* came back through the delay level */
                assert_true(g->at_ms - last_at >= 800);
            last_at = g->at_ms;
            always++;
        } else {
            assert_string_equal(g->body, "once-fails");
            assert_int_equal(g->reconsume_times, once);
            once++;
        }
    }
    assert_int_equal(always, 3);
    assert_int_equal(once, 2);

    char bodies[8][64], rts[8][128];
    int n = 0;
    for (int i = 0; i < 30 && n == 0; i++) {
        n = pull_queue0("%DLQ%g_retry", bodies, 8, rts);
        if (n == 0)
            usleep(100000);
    }
    assert_int_equal(n, 1);
    assert_string_equal(bodies[0], "always-fails");
    assert_string_equal(rts[0], "s_retry");
    ferry_push_consumer_free(pc);
    pthread_mutex_destroy(&rec.mu);
}

/* ------------------------------------------------------------------ */
/* delay                                                               */
/* ------------------------------------------------------------------ */

/* A level-2 message (2 s here) and one with a delivery time 1.5 s ahead:
 * neither arrives before its time, both within a generous bound. */
static void test_delay_level_and_deliver_at(void **state)
{
    (void)state;
    testkit_create_topic("s_delay", 2);
    recorder rec;
    recorder_init(&rec);
    ferry_push_consumer *pc = push_start("g_delay", "s_delay", &rec, 0, 0);
    assert_int_equal(wait_assigned(pc, 2, 10000), 2);
    ferry_conf c;
    char err[256];
    testkit_conf(&c, "pg_delay");
    ferry_producer *p = ferry_producer_new(&c, err, sizeof err);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t wall = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    int64_t t0 = testkit_now_ms();
    ferry_msg m = testkit_text_msg("s_delay", NULL, NULL, "level-2");
    m.delay_level = 2;
    assert_int_equal(ferry_producer_send(p, &m, NULL), 0);
    m = testkit_text_msg("s_delay", NULL, NULL, "at-1500");
    m.deliver_at_ms = wall + 1500;
    assert_int_equal(ferry_producer_send(p, &m, NULL), 0);
    ferry_producer_free(p);
    /* not visible to a pull before its time either */
    assert_int_equal(pull_count("s_delay", "level-2"), 0);
    assert_int_equal(wait_recorded(&rec, 2, 12000), 2);
    for (int i = 0; i < 2; i++) {
        got *g = &rec.items[i];
        int64_t after = g->at_ms - t0;
        if (!strcmp(g->body, "level-2")) {
            assert_true(after >= 1900);
            assert_true(after < 10000);
        } else {
            assert_string_equal(g->body, "at-1500");
            assert_true(after >= 1400);
            assert_true(after < 10000);
        }
    }
    assert_string_not_equal(rec.items[0].body, rec.items[1].body);
    ferry_push_consumer_free(pc);
    pthread_mutex_destroy(&rec.mu);
}

/* ------------------------------------------------------------------ */
/* orderly across a restart                                            */
/* ------------------------------------------------------------------ */

static void send_ordered(const char *topic, int from, int to)
{
    ferry_conf c;
    char err[256];
    testkit_conf(&c, "pg_order");
    ferry_producer *p = ferry_producer_new(&c, err, sizeof err);
    assert_non_null(p);
    for (int i = from; i < to; i++) {
        char key[16], body[32];
        snprintf(key, sizeof key, "k%d", i % 4);
        snprintf(body, sizeof body, "k%d-%03d", i % 4, i);
        ferry_msg m = testkit_text_msg(topic, NULL, key, body);
        assert_int_equal(
            ferry_producer_send_select(p, &m, ferry_select_by_hash, key, NULL),
            0);
    }
    ferry_producer_free(p);
}

/* Per key (one queue each, by the selector): the successful deliveries
 * are in send order, exactly once, across a consumer restart and a
 * batch suspended with LATER and retried in place. */
static void test_orderly_across_restart(void **state)
{
    (void)state;
    testkit_create_topic("s_order", 4);
    recorder rec;
    recorder_init(&rec);
    snprintf(rec.later_body, sizeof rec.later_body, "k1-005");
    send_ordered("s_order", 0, 40);
    ferry_push_consumer *pc = push_start("g_order", "s_order", &rec, 1, 0);
    assert_true(wait_recorded(&rec, 15, 15000) >= 15);
    ferry_push_consumer_free(pc); /* commits, unlocks */
    send_ordered("s_order", 40, 80);
    pc = push_start("g_order", "s_order", &rec, 1, 0);
    int64_t end = testkit_now_ms() + 20000;
    int ok = 0;
    while (testkit_now_ms() < end) {
        ok = 0;
        pthread_mutex_lock(&rec.mu);
        for (int i = 0; i < rec.n; i++)
            ok += !rec.items[i].later;
        pthread_mutex_unlock(&rec.mu);
        if (ok >= 80)
            break;
        usleep(50000);
    }
    usleep(300000);
    ferry_push_consumer_free(pc);
    assert_int_equal(rec.later_body_done, 1);
    int last[4] = {-1, -1, -1, -1}, count = 0, retried = 0;
    for (int i = 0; i < rec.n; i++) {
        got *g = &rec.items[i];
        int key = g->body[1] - '0', seq = atoi(g->body + 3);
        assert_true(key >= 0 && key < 4);
        if (g->later) {
            retried++;
            continue;
        }
        if (seq <= last[key])
            fprintf(stderr, "key %d: %d after %d\n", key, seq, last[key]);
        assert_true(seq > last[key]);
        last[key] = seq;
        count++;
    }
    assert_int_equal(retried, 1);
    assert_int_equal(count, 80);
    pthread_mutex_destroy(&rec.mu);
}

/* Orderly with max_reconsume_times 2: a failing message is retried in
 * place (the queue waits: nothing after it is delivered meanwhile), with
 * reconsume_times 0, 1, 2, then goes to %DLQ%<group> and the queue goes on
 * in order. */
static void test_orderly_dlq(void **state)
{
    (void)state;
    testkit_create_topic("s_order_dlq", 1);
    ferry_conf c;
    char err[256];
    testkit_conf(&c, "pg_order_dlq");
    ferry_producer *p = ferry_producer_new(&c, err, sizeof err);
    static const char *const bodies[] = {"before", "always-poison", "after-1",
                                         "after-2"};
    for (int i = 0; i < 4; i++) {
        ferry_msg m = testkit_text_msg("s_order_dlq", NULL, NULL, bodies[i]);
        assert_int_equal(ferry_producer_send(p, &m, NULL), 0);
    }
    ferry_producer_free(p);
    recorder rec;
    recorder_init(&rec);
    ferry_push_consumer *pc =
        push_start("g_order_dlq", "s_order_dlq", &rec, 1, 2);
    assert_int_equal(wait_recorded(&rec, 6, 15000), 6);
    usleep(300000);
    ferry_push_consumer_free(pc);
    assert_int_equal(rec.n, 6);
    static const char *const want[] = {"before",        "always-poison",
                                       "always-poison", "always-poison",
                                       "after-1",       "after-2"};
    for (int i = 0; i < 6; i++) {
        assert_string_equal(rec.items[i].body, want[i]);
        if (i >= 1 && i <= 3)
            assert_int_equal(rec.items[i].reconsume_times, i - 1);
    }
    char dl[8][64], rts[8][128];
    int n = 0;
    for (int i = 0; i < 30 && n == 0; i++) {
        n = pull_queue0("%DLQ%g_order_dlq", dl, 8, rts);
        if (n == 0)
            usleep(100000);
    }
    assert_int_equal(n, 1);
    assert_string_equal(dl[0], "always-poison");
    pthread_mutex_destroy(&rec.mu);
}

/* ------------------------------------------------------------------ */
/* query                                                               */
/* ------------------------------------------------------------------ */

static void test_query_by_key_and_id(void **state)
{
    (void)state;
    testkit_create_topic("s_query", 2);
    ferry_conf c;
    char err[256];
    testkit_conf(&c, "pg_query");
    ferry_producer *p = ferry_producer_new(&c, err, sizeof err);
    assert_non_null(p);
    ferry_msg m = testkit_text_msg("s_query", "Q", "order-77 other", "query me");
    ferry_send_result r;
    assert_int_equal(ferry_producer_send(p, &m, &r), 0);
    ferry_producer_free(p);

    ferry_admin *a = testkit_admin_new();
    ferry_msg_list l;
    int rc = FERRY_ERR_NOT_FOUND;
    for (int i = 0; i < 30 && rc == FERRY_ERR_NOT_FOUND; i++) {
        rc = ferry_admin_query_by_key(a, "s_query", "order-77", 10, 0, 0, &l);
        if (rc == FERRY_ERR_NOT_FOUND)
            usleep(100000);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(l.count, 1);
    assert_string_equal(l.msgs[0]->msg_id, r.msg_id);
    assert_memory_equal(l.msgs[0]->body, "query me", 8);
    ferry_msg_list_free(&l);
    /* by id: the broker's offsetMsgId */
    assert_int_equal(ferry_admin_view_message(a, r.offset_msg_id, &l), 0);
    assert_int_equal(l.count, 1);
    assert_string_equal(l.msgs[0]->msg_id, r.msg_id);
    assert_memory_equal(l.msgs[0]->body, "query me", 8);
    ferry_msg_list_free(&l);
    /* by the client msgId (UNIQ_KEY): the broker indexes it as a key */
    assert_int_equal(
        ferry_admin_query_by_key(a, "s_query", r.msg_id, 10, 0, 0, &l), 0);
    assert_true(l.count >= 1);
    int hit = 0;
    for (int i = 0; i < l.count; i++)
        hit += !strcmp(l.msgs[i]->msg_id, r.msg_id);
    assert_int_equal(hit, 1);
    ferry_msg_list_free(&l);
    ferry_admin_free(a);
}

static int setup(void **state)
{
    (void)state;
    broker_args[2] = "--messageDelayLevel=1s 2s 1s 1s 1s 1s 1s 1s";
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
        cmocka_unit_test(test_txn_commit_rollback),
        cmocka_unit_test(test_txn_unknown_checked_back),
        cmocka_unit_test(test_txn_checked_on_other_producer),
        cmocka_unit_test(test_retry_then_dlq),
        cmocka_unit_test(test_delay_level_and_deliver_at),
        cmocka_unit_test(test_orderly_across_restart),
        cmocka_unit_test(test_orderly_dlq),
        cmocka_unit_test(test_query_by_key_and_id),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
