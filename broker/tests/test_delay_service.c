/*
 * test_delay_service.c - the delay service and dead-letter re-send over a
 * real store and topic registry, with the event loop driven by the test:
 *   - a level and a delivery-time message stay invisible until due, then
 *     appear in their real queue with DELAY gone, UNIQ_KEY, key, tag hash
 *     and REAL_TOPIC kept; progress is written and a restart delivers
 *     nothing twice;
 *   - a timer pending at a crash is delivered after the restart, and one
 *     delivered before it (above the watermark) is not delivered again;
 *   - retry_dlq_resend() puts a dead letter back on its RETRY_TOPIC with
 *     reconsumeTimes 0 and the same UNIQ_KEY, and refuses what it cannot.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker.h"
#include "log.h"
#include "rmq_int.h"
#include "rmq_retry.h"
#include "rmq_schedule.h"

static char dir[64];
static broker_config cfg;
static broker b;
static rmq fake_rmq;

static void open_broker(void)
{
    char err[256];
    store_config sc;
    store_config_defaults(&sc);
    sc.dir = dir;
    sc.commitlog_segment_size = 1 << 20;
    sc.cq_entries_per_file = 1024;
    sc.index_slots = 1024;
    sc.index_entries = 4096;
    sc.max_record_size = 64 * 1024;
    memset(&b, 0, sizeof b);
    b.cfg = &cfg;
    b.st = store_open(&sc, err, sizeof err);
    assert_non_null(b.st);
    b.topics = topics_open(dir, b.st, err, sizeof err);
    assert_non_null(b.topics);
    b.base = event_base_new();
    assert_non_null(b.base);
    memset(&fake_rmq, 0, sizeof fake_rmq);
    fake_rmq.b = &b;
    fake_rmq.store_host.ip[0] = 127;
    fake_rmq.store_host.ip[3] = 1;
    fake_rmq.store_host.port = 10911;
    rmq_state = &fake_rmq;
    assert_int_equal(delay_start(&b, err, sizeof err), 0);
}

static void close_broker(int clean)
{
    if (clean)
        delay_stop(&b);
    else
        delay_stop_for_test_crash();
    topics_close(b.topics);
    if (clean)
        store_close(b.st);
    else
        store_crash_for_test(b.st);
    event_base_free(b.base);
    rmq_state = NULL;
}

static void run_loop_ms(int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    event_base_loopexit(b.base, &tv);
    event_base_dispatch(b.base);
}

static int setup(void **state)
{
    (void)state;
    log_set_level(LOG_WARN);
    snprintf(dir, sizeof dir, "/tmp/ferry-test-delaysvc.XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    char cfgdir[128];
    snprintf(cfgdir, sizeof cfgdir, "%s/config", dir);
    config_defaults(&cfg);
    char err[200];
    if (config_set(&cfg, "storePathRootDir", dir, err, sizeof err) != 0 ||
        config_set(&cfg, "messageDelayLevel", "300ms 1s", err,
                   sizeof err) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    config_release(&cfg);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static store_queue *real_queue(int32_t q)
{
    topic *t = topics_find(b.topics, "real", 4);
    assert_non_null(t);
    return topics_queue(b.topics, t, q);
}

/* The properties of message `off` of real-q, copied NUL-terminated. */
static void read_real(int32_t q, int64_t off, store_record *rec)
{
    store_cq_entry e;
    assert_int_equal(store_queue_read(real_queue(q), off, &e, 1), 1);
    assert_int_equal(store_read_record(b.st, e.commitlog_pos, rec), 0);
    assert_int_equal(e.tag_hash, remoting_tag_hash((const uint8_t *)"tg", 2));
}

static int has_prop(const store_record *rec, const char *k, const char *v)
{
    buf_view x;
    if (!remoting_props_find(rec->properties, rec->properties_len, k, &x))
        return 0;
    return !v || (x.len == strlen(v) && !memcmp(x.ptr, v, x.len));
}

static void test_park_and_deliver(void **state)
{
    (void)state;
    open_broker();
    topic *t;
    char why[128];
    assert_int_equal(topics_create_any(b.topics, "real", 4, 2, 0, &t, why,
                                       sizeof why),
                     0);
    static const char props[] = "TAGS\001tg\002DELAY\0011\002UNIQ_KEY\001U1\002";
    remoting_host bh;
    memset(&bh, 0, sizeof bh);
    buf_view body = {(const uint8_t *)"hello", 5, 0};
    store_append_result res;
    char uniq[80];
    assert_int_equal(delay_park(&b, &bh, "real", 1, 1, 1, 0,
                                (const uint8_t *)props, sizeof props - 1,
                                (const uint8_t *)"kk", 2, body, 7, 0, 1234, 0,
                                &res, uniq),
                     0);
    assert_string_equal(uniq, "U1");
    static const char tprops[] = "TAGS\001tg\002TIMER_DELAY_MS\001500\002";
    int64_t due = rmq_now_ms() + 500;
    assert_int_equal(delay_park(&b, &bh, "real", 0, 2, 0, due,
                                (const uint8_t *)tprops, sizeof tprops - 1,
                                NULL, 0, body, 0, 0, 1234, 0, &res, uniq),
                     0);
    run_loop_ms(150);
    assert_int_equal(store_queue_max_offset(real_queue(1)), 0);
    assert_int_equal(store_queue_max_offset(real_queue(0)), 0);
    run_loop_ms(300); /* 450 ms: the level (300 ms) is due */
    assert_int_equal(store_queue_max_offset(real_queue(1)), 1);
    assert_int_equal(store_queue_max_offset(real_queue(0)), 0);
    run_loop_ms(250); /* 700 ms: the timer (500 ms) too */
    assert_int_equal(store_queue_max_offset(real_queue(0)), 1);
    store_record rec;
    read_real(1, 0, &rec);
    assert_false(has_prop(&rec, "DELAY", NULL));
    assert_true(has_prop(&rec, "UNIQ_KEY", "U1"));
    assert_true(has_prop(&rec, "REAL_TOPIC", "real"));
    assert_true(has_prop(&rec, "REAL_QID", "1"));
    assert_int_equal(rec.key_len, 2);
    assert_memory_equal(rec.key, "kk", 2);
    assert_int_equal(rec.flag, 7);
    assert_int_equal(rec.born_timestamp, 1234);
    assert_int_equal(rec.body_len, 5);
    store_record_release(b.st, &rec);
    read_real(0, 0, &rec);
    assert_false(has_prop(&rec, "TIMER_DELAY_MS", NULL));
    store_record_release(b.st, &rec);
    delay_stats st;
    delay_stats_get(&st);
    assert_int_equal(st.delivered, 2);
    assert_true(st.max_late_ms < 300);
    close_broker(1);

    /* progress persisted: a restart delivers nothing again */
    char path[128];
    snprintf(path, sizeof path, "%s/config/delayOffset.json", dir);
    delay_progress p;
    char err[200];
    assert_int_equal(delay_progress_load(path, &p, err, sizeof err), 0);
    assert_int_equal(p.level[0], 1);
    assert_int_equal(p.timer, 1);
    delay_progress_release(&p);
    open_broker();
    run_loop_ms(400);
    assert_int_equal(store_queue_max_offset(real_queue(1)), 1);
    assert_int_equal(store_queue_max_offset(real_queue(0)), 1);
    close_broker(1);
}

static void test_timer_survives_crash(void **state)
{
    (void)state;
    open_broker();
    static const char tprops[] = "TAGS\001tg\002";
    remoting_host bh;
    memset(&bh, 0, sizeof bh);
    buf_view body = {(const uint8_t *)"later", 5, 0};
    store_append_result res;
    char uniq[80];
    int64_t q0 = store_queue_max_offset(real_queue(0));
    int64_t q1 = store_queue_max_offset(real_queue(1));
    /* A (due in 3 s) sits below B (due in 300 ms) in the timer queue */
    int64_t now = rmq_now_ms();
    assert_int_equal(delay_park(&b, &bh, "real", 0, 2, 0, now + 3000,
                                (const uint8_t *)tprops, sizeof tprops - 1,
                                NULL, 0, body, 0, 0, 1, 0, &res, uniq),
                     0);
    assert_int_equal(delay_park(&b, &bh, "real", 1, 2, 0, now + 300,
                                (const uint8_t *)tprops, sizeof tprops - 1,
                                NULL, 0, body, 0, 0, 1, 0, &res, uniq),
                     0);
    run_loop_ms(2000); /* B delivered, progress written (once a second) */
    assert_int_equal(store_queue_max_offset(real_queue(1)), q1 + 1);
    assert_int_equal(store_queue_max_offset(real_queue(0)), q0);
    close_broker(0); /* crash with A pending */
    char path[128], err[200];
    snprintf(path, sizeof path, "%s/config/delayOffset.json", dir);
    delay_progress p;
    assert_int_equal(delay_progress_load(path, &p, err, sizeof err), 0);
    assert_int_equal(p.n_timer_done, 1); /* B, above the watermark (A) */
    assert_int_equal(p.timer_done[0], p.timer + 1);
    delay_progress_release(&p);
    open_broker();
    delay_stats st;
    delay_stats_get(&st);
    assert_int_equal(st.timers_pending, 1); /* A only: B is not redone */
    run_loop_ms(1500);
    assert_int_equal(store_queue_max_offset(real_queue(0)), q0 + 1);
    assert_int_equal(store_queue_max_offset(real_queue(1)), q1 + 1);
    close_broker(1);
}

static void test_dlq_resend(void **state)
{
    (void)state;
    open_broker();
    assert_int_equal(retry_ensure_topic(&b, "%DLQ%g1"), 0);
    topic *dt = topics_find(b.topics, "%DLQ%g1", 7);
    assert_non_null(dt);
    assert_int_equal(dt->queues, 1);
    assert_int_equal(dt->is_internal, 1);
    static const char props[] =
        "TAGS\001tg\002RETRY_TOPIC\001real\002UNIQ_KEY\001DEAD1\002"
        "DELAY\0015\002color\001red\002";
    remoting_host bh;
    memset(&bh, 0, sizeof bh);
    buf_view body = {(const uint8_t *)"dead", 4, 0};
    store_append_result res, res2;
    char uniq[80], err[200];
    assert_int_equal(rmq_store_message(&b, &bh, topics_queue(b.topics, dt, 0),
                                          (const uint8_t *)props,
                                          sizeof props - 1, body, 0, 0, 9, 3,
                                          &res, uniq),
                     0);
    int64_t before = store_queue_max_offset(real_queue(0)) +
                     store_queue_max_offset(real_queue(1));
    assert_int_equal(retry_dlq_resend(&b, res.commitlog_pos, &res2, err,
                                      sizeof err),
                     0);
    assert_int_equal(store_queue_max_offset(real_queue(0)) +
                         store_queue_max_offset(real_queue(1)),
                     before + 1);
    store_record rec;
    assert_int_equal(store_read_record(b.st, res2.commitlog_pos, &rec), 0);
    assert_int_equal(rec.topic_len, 4);
    assert_memory_equal(rec.topic, "real", 4);
    assert_int_equal(rec.reconsume_times, 0);
    assert_true(has_prop(&rec, "UNIQ_KEY", "DEAD1"));
    assert_true(has_prop(&rec, "color", "red"));
    assert_false(has_prop(&rec, "DELAY", NULL));
    store_record_release(b.st, &rec);
    /* refusals: no message there, no RETRY_TOPIC, topic gone */
    assert_int_equal(retry_dlq_resend(&b, 999999999, &res2, err, sizeof err),
                     -1);
    static const char noretry[] = "TAGS\001tg\002";
    assert_int_equal(rmq_store_message(&b, &bh, topics_queue(b.topics, dt, 0),
                                          (const uint8_t *)noretry,
                                          sizeof noretry - 1, body, 0, 0, 9,
                                          3, &res, uniq),
                     0);
    assert_int_equal(retry_dlq_resend(&b, res.commitlog_pos, &res2, err,
                                      sizeof err),
                     -1);
    assert_non_null(strstr(err, "RETRY_TOPIC"));
    static const char gone[] = "RETRY_TOPIC\001nosuchtopic\002";
    assert_int_equal(rmq_store_message(&b, &bh, topics_queue(b.topics, dt, 0),
                                          (const uint8_t *)gone,
                                          sizeof gone - 1, body, 0, 0, 9, 3,
                                          &res, uniq),
                     0);
    assert_int_equal(retry_dlq_resend(&b, res.commitlog_pos, &res2, err,
                                      sizeof err),
                     -1);
    close_broker(1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_park_and_deliver),
        cmocka_unit_test(test_timer_survives_crash),
        cmocka_unit_test(test_dlq_resend),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
