/*
 * test_schedule.c - the pure parts of delayed delivery: the level table
 * parser (and the config key that uses it), the timer heap, the progress
 * file (round trip, atomic replace, garbage), and how message properties
 * ask for a delay.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "rmq_schedule.h"

static void test_default_table(void **state)
{
    (void)state;
    int64_t ms[DELAY_MAX_LEVELS];
    char err[160];
    int n = delay_levels_parse(DELAY_DEFAULT_LEVELS, ms, DELAY_MAX_LEVELS,
                               err, sizeof err);
    assert_int_equal(n, 18);
    assert_int_equal(ms[0], 1000);
    assert_int_equal(ms[1], 5000);
    assert_int_equal(ms[2], 10000);
    assert_int_equal(ms[3], 30000);
    assert_int_equal(ms[4], 60000);
    assert_int_equal(ms[16], 3600000);
    assert_int_equal(ms[17], 7200000);
}

static void test_units_and_spaces(void **state)
{
    (void)state;
    int64_t ms[8];
    char err[160];
    assert_int_equal(delay_levels_parse("  250ms\t1s 2m  3h 1d ", ms, 8, err,
                                        sizeof err),
                     5);
    assert_int_equal(ms[0], 250);
    assert_int_equal(ms[1], 1000);
    assert_int_equal(ms[2], 120000);
    assert_int_equal(ms[3], 10800000);
    assert_int_equal(ms[4], 86400000);
}

static void test_garbage_tables(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",          "   ",        "1",        "s",         "1x",
        "1s 2",      "0s",         "-1s",      "1s,2s",     "1.5s",
        "1sm",       "99999999999999999999s",  "400d",      "1s junk",
        "\x01\x02",  "1s 5s 10s\n", NULL};
    for (int i = 0; bad[i]; i++) {
        int64_t ms[DELAY_MAX_LEVELS];
        char err[160] = "";
        assert_int_equal(delay_levels_parse(bad[i], ms, DELAY_MAX_LEVELS,
                                            err, sizeof err),
                         -1);
        assert_true(err[0] != '\0');
    }
    int64_t ms[2];
    char err[160];
    assert_int_equal(delay_levels_parse("1s 2s 3s", ms, 2, err, sizeof err),
                     -1); /* more than max */
    assert_int_equal(delay_levels_parse(NULL, ms, 2, err, sizeof err), -1);
}

static void test_config_key(void **state)
{
    (void)state;
    broker_config c;
    char err[256];
    config_defaults(&c);
    assert_string_equal(c.message_delay_level, DELAY_DEFAULT_LEVELS);
    assert_int_equal(config_set(&c, "messageDelayLevel", "1s 1s 1s", err,
                                sizeof err),
                     0);
    assert_string_equal(c.message_delay_level, "1s 1s 1s");
    assert_int_equal(config_set(&c, "messageDelayLevel", "1s soon", err,
                                sizeof err),
                     -1);
    assert_non_null(strstr(err, "messageDelayLevel"));
    assert_string_equal(c.message_delay_level, "1s 1s 1s"); /* unchanged */
    config_release(&c);
}

static void test_heap_orders_by_time_then_offset(void **state)
{
    (void)state;
    delay_heap h = {0};
    delay_heap_item it;
    assert_int_equal(delay_heap_top(&h, &it), 0);
    assert_int_equal(delay_heap_pop(&h, &it), 0);
    assert_int_equal(delay_heap_min_offset(&h, 77), 77);
    /* a pseudo-random mix, with equal times */
    uint32_t x = 12345;
    for (int i = 0; i < 5000; i++) {
        x = x * 1103515245u + 12345u;
        assert_int_equal(delay_heap_push(&h, (int64_t)(x % 1000), i), 0);
    }
    assert_int_equal(delay_heap_min_offset(&h, 99999), 0);
    int64_t last_t = -1, last_o = -1;
    size_t n = 0;
    while (delay_heap_pop(&h, &it)) {
        assert_true(it.due_ms > last_t ||
                    (it.due_ms == last_t && it.offset > last_o));
        last_t = it.due_ms;
        last_o = it.offset;
        n++;
    }
    assert_int_equal(n, 5000);
    delay_heap_release(&h);
    delay_heap_release(&h); /* twice: fine */
}

static void test_heap_min_offset_after_pops(void **state)
{
    (void)state;
    delay_heap h = {0};
    delay_heap_push(&h, 300, 0); /* late, lowest offset */
    delay_heap_push(&h, 100, 1);
    delay_heap_push(&h, 200, 2);
    delay_heap_item it;
    delay_heap_pop(&h, &it);
    assert_int_equal(it.offset, 1);
    /* offset 0 is still pending: the watermark must stay at 0 */
    assert_int_equal(delay_heap_min_offset(&h, 3), 0);
    delay_heap_pop(&h, &it);
    delay_heap_pop(&h, &it);
    assert_int_equal(delay_heap_min_offset(&h, 3), 3);
    delay_heap_release(&h);
}

static char dir[64];

static int setup_dir(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/ferry-test-schedule.XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_progress_round_trip(void **state)
{
    (void)state;
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/delayOffset.json", dir);
    delay_progress p;
    assert_int_equal(delay_progress_load(path, &p, err, sizeof err), 1);
    assert_int_equal(p.n_levels, 0);
    memset(&p, 0, sizeof p);
    p.n_levels = 18;
    for (int i = 0; i < 18; i++)
        p.level[i] = (int64_t)i * 1000000007;
    p.timer = 424242;
    int64_t done[3] = {424243, 424250, 500000};
    p.timer_done = done;
    p.n_timer_done = 3;
    assert_int_equal(delay_progress_save(path, &p, err, sizeof err), 0);
    delay_progress q;
    assert_int_equal(delay_progress_load(path, &q, err, sizeof err), 0);
    assert_int_equal(q.n_levels, 18);
    for (int i = 0; i < 18; i++)
        assert_int_equal(q.level[i], p.level[i]);
    assert_int_equal(q.timer, 424242);
    assert_int_equal(q.n_timer_done, 3);
    assert_true(delay_progress_timer_done(&q, 424250));
    assert_true(delay_progress_timer_done(&q, 500000));
    assert_false(delay_progress_timer_done(&q, 424242));
    assert_false(delay_progress_timer_done(&q, 424244));
    delay_progress_release(&q);
    p.timer_done = NULL;
    p.n_timer_done = 0;
    /* saved again: replaced, no temp file left */
    p.timer = 5;
    assert_int_equal(delay_progress_save(path, &p, err, sizeof err), 0);
    assert_int_equal(delay_progress_load(path, &q, err, sizeof err), 0);
    assert_int_equal(q.timer, 5);
    delay_progress_release(&q);
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    assert_int_equal(access(tmp, F_OK), -1);
}

static void test_progress_garbage(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",
        "{",
        "not json",
        "[]",
        "{\"offsetTable\":[]}",
        "{\"offsetTable\":{\"x\":1}}",
        "{\"offsetTable\":{\"0\":1}}",
        "{\"offsetTable\":{\"65\":1}}",
        "{\"offsetTable\":{\"1\":-1}}",
        "{\"offsetTable\":{\"1\":\"5\"}}",
        "{\"offsetTable\":{\"1\":1.5}}",
        "{\"offsetTable\":{},\"timerWatermark\":\"0\"}",
        "{\"offsetTable\":{},\"timerWatermark\":-3}",
        "{\"offsetTable\":{\"1\":1,\"1\":2}}",
        "{\"offsetTable\":{},\"timerDelivered\":5}",
        "{\"offsetTable\":{},\"timerWatermark\":5,\"timerDelivered\":[4]}",
        "{\"offsetTable\":{},\"timerDelivered\":[3,2]}",
        "{\"offsetTable\":{},\"timerDelivered\":[3,3]}",
        "{\"offsetTable\":{},\"timerDelivered\":[\"7\"]}",
        "\xff\xfe\x00garbage",
        NULL};
    char path[128], err[256];
    snprintf(path, sizeof path, "%s/bad.json", dir);
    for (int i = 0; bad[i]; i++) {
        write_file(path, bad[i]);
        delay_progress p;
        memset(&p, 0x5a, sizeof p);
        err[0] = '\0';
        assert_int_equal(delay_progress_load(path, &p, err, sizeof err), -1);
        assert_true(err[0] != '\0');
        /* zeroed: the service then starts over (at least once) */
        assert_int_equal(p.n_levels, 0);
        assert_int_equal(p.level[0], 0);
        assert_int_equal(p.timer, 0);
        assert_null(p.timer_done);
    }
    /* more than DELAY_MAX_DONE delivered offsets */
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("{\"offsetTable\":{},\"timerDelivered\":[", f);
    for (int i = 0; i <= DELAY_MAX_DONE; i++)
        fprintf(f, "%s%d", i ? "," : "", i);
    fputs("]}", f);
    fclose(f);
    delay_progress big;
    assert_int_equal(delay_progress_load(path, &big, err, sizeof err), -1);
    write_file(path, "{\"offsetTable\":{\"3\":7}}");
    delay_progress p;
    assert_int_equal(delay_progress_load(path, &p, err, sizeof err), 0);
    assert_int_equal(p.n_levels, 3);
    assert_int_equal(p.level[2], 7);
    assert_int_equal(p.timer, 0);
    delay_progress_release(&p);
}

/* "k\1v\2" pairs */
static size_t props(char *buf, size_t cap, const char *k1, const char *v1,
                    const char *k2, const char *v2)
{
    int n = snprintf(buf, cap, "%s\x01%s\x02", k1, v1);
    if (k2)
        n += snprintf(buf + n, cap - (size_t)n, "%s\x01%s\x02", k2, v2);
    return (size_t)n;
}

static void test_classify(void **state)
{
    (void)state;
    char b[256], err[160];
    int level = -1;
    int64_t due = -1, now = 1000000;
    size_t n;
#define CLASSIFY(nlev)                                                       \
    delay_classify((const uint8_t *)b, n, now, (nlev), 0, &level, &due, err, \
                   sizeof err)
    n = props(b, sizeof b, "TAGS", "a", NULL, NULL);
    assert_int_equal(CLASSIFY(18), 0);
    assert_int_equal(delay_classify(NULL, 0, now, 18, 0, &level, &due, err,
                                    sizeof err),
                     0);
    n = props(b, sizeof b, "DELAY", "3", NULL, NULL);
    assert_int_equal(CLASSIFY(18), 1);
    assert_int_equal(level, 3);
    n = props(b, sizeof b, "DELAY", "99", NULL, NULL);
    assert_int_equal(CLASSIFY(18), 1);
    assert_int_equal(level, 18); /* clamped, as RocketMQ does */
    n = props(b, sizeof b, "DELAY", "0", NULL, NULL);
    assert_int_equal(CLASSIFY(18), 0);
    n = props(b, sizeof b, "DELAY", "-2", NULL, NULL);
    assert_int_equal(CLASSIFY(18), 0);
    n = props(b, sizeof b, "DELAY", "three", NULL, NULL);
    assert_int_equal(CLASSIFY(18), -1);
    n = props(b, sizeof b, "DELAY", "99999999999999999999999", NULL, NULL);
    assert_int_equal(CLASSIFY(18), -1);
    n = props(b, sizeof b, "TIMER_DELIVER_MS", "1005000", NULL, NULL);
    assert_int_equal(CLASSIFY(18), 2);
    assert_int_equal(due, 1005000);
    n = props(b, sizeof b, "__STARTDELIVERTIME", "1002000", NULL, NULL);
    assert_int_equal(CLASSIFY(18), 2);
    assert_int_equal(due, 1002000);
    n = props(b, sizeof b, "TIMER_DELAY_SEC", "7", NULL, NULL);
    assert_int_equal(CLASSIFY(18), 2);
    assert_int_equal(due, now + 7000);
    n = props(b, sizeof b, "TIMER_DELAY_MS", "250", NULL, NULL);
    assert_int_equal(CLASSIFY(18), 2);
    assert_int_equal(due, now + 250);
    /* in the past: now */
    n = props(b, sizeof b, "TIMER_DELIVER_MS", "5", NULL, NULL);
    assert_int_equal(CLASSIFY(18), 0);
    n = props(b, sizeof b, "TIMER_DELAY_SEC", "0", NULL, NULL);
    assert_int_equal(CLASSIFY(18), 0);
    /* garbage */
    n = props(b, sizeof b, "TIMER_DELIVER_MS", "soon", NULL, NULL);
    assert_int_equal(CLASSIFY(18), -1);
    n = props(b, sizeof b, "TIMER_DELAY_SEC", "-5", NULL, NULL);
    assert_int_equal(CLASSIFY(18), -1);
    n = props(b, sizeof b, "TIMER_DELAY_SEC", "9999999999999999", NULL, NULL);
    assert_int_equal(CLASSIFY(18), -1);
    n = props(b, sizeof b, "__STARTDELIVERTIME", "", NULL, NULL);
    assert_int_equal(CLASSIFY(18), 0); /* an empty value is no property */
    /* a level wins over a time */
    n = props(b, sizeof b, "TIMER_DELAY_SEC", "100", "DELAY", "2");
    assert_int_equal(CLASSIFY(18), 1);
    assert_int_equal(level, 2);
    /* RocketMQ 5's order: TIMER_DELAY_SEC before TIMER_DELIVER_MS */
    n = props(b, sizeof b, "TIMER_DELIVER_MS", "1009000", "TIMER_DELAY_SEC",
              "2");
    assert_int_equal(CLASSIFY(18), 2);
    assert_int_equal(due, now + 2000);
    /* timerMaxDelaySec */
    n = props(b, sizeof b, "TIMER_DELAY_SEC", "11", NULL, NULL);
    assert_int_equal(delay_classify((const uint8_t *)b, n, now, 18, 10000,
                                    &level, &due, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "timerMaxDelaySec"));
    assert_int_equal(delay_classify((const uint8_t *)b, n, now, 18, 11000,
                                    &level, &due, err, sizeof err),
                     2);
    /* a level is not bound by it */
    n = props(b, sizeof b, "DELAY", "18", NULL, NULL);
    assert_int_equal(delay_classify((const uint8_t *)b, n, now, 18, 1000,
                                    &level, &due, err, sizeof err),
                     1);
    /* no levels (service off): a level is not applied */
    n = props(b, sizeof b, "DELAY", "2", NULL, NULL);
    assert_int_equal(CLASSIFY(0), 0);
#undef CLASSIFY
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_table),
        cmocka_unit_test(test_units_and_spaces),
        cmocka_unit_test(test_garbage_tables),
        cmocka_unit_test(test_config_key),
        cmocka_unit_test(test_heap_orders_by_time_then_offset),
        cmocka_unit_test(test_heap_min_offset_after_pops),
        cmocka_unit_test(test_progress_round_trip),
        cmocka_unit_test(test_progress_garbage),
        cmocka_unit_test(test_classify),
    };
    return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
