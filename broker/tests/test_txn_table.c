/*
 * test_txn_table.c - the pending-transaction table and op-body parsing of
 * the RocketMQ transaction path: copies update their root's entry, done
 * roots leave and stay gone (idempotent ends), out-of-order inserts keep
 * the order, immunity decides when a check is due, and garbage op bodies
 * (random bytes included) are refused whole, never half-trusted.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "txn_table.h"

static void test_put_find_done(void **state)
{
    (void)state;
    txn_table t;
    memset(&t, 0, sizeof t);
    assert_null(txn_table_find(&t, 0));
    for (int64_t r = 0; r < 1000; r++)
        assert_int_equal(txn_table_put(&t, r, r, r * 100, 5000, 6000, 0, 0, "G", 1), 0);
    assert_int_equal(t.n, 1000);
    txn_pending *p = txn_table_find(&t, 500);
    assert_non_null(p);
    assert_int_equal(p->half_pos, 50000);
    assert_string_equal(p->group, "G");
    assert_int_equal(txn_table_done(&t, 500), 1);
    assert_null(txn_table_find(&t, 500));
    /* a second end of the same transaction changes nothing */
    assert_int_equal(txn_table_done(&t, 500), 0);
    assert_int_equal(t.live, 999);
    assert_int_equal(txn_table_done(&t, 123456), 0);
    for (size_t i = 1; i < t.n; i++)
        assert_true(t.v[i - 1].root < t.v[i].root);
    txn_table_release(&t);
    txn_table_release(&t); /* released twice: still fine */
    txn_table_release(NULL);
}

static void test_copies_update_their_root(void **state)
{
    (void)state;
    txn_table t;
    memset(&t, 0, sizeof t);
    assert_int_equal(txn_table_put(&t, 7, 7, 700, 1000, 6000, 0, 0, "PG", 2), 0);
    /* the check copy at half offset 9, count 1 */
    assert_int_equal(txn_table_put(&t, 7, 9, 900, 3000, 6000, 0, 1, "PG", 2), 0);
    txn_pending *p = txn_table_find(&t, 7);
    assert_int_equal(p->half_offset, 9);
    assert_int_equal(p->half_pos, 900);
    assert_int_equal(p->checks, 1);
    assert_int_equal(p->first_ms, 1000); /* the first half's time stays */
    /* an older copy seen later (never at run time) does not go back */
    assert_int_equal(txn_table_put(&t, 7, 8, 800, 2000, 6000, 0, 0, "PG", 2), 0);
    assert_int_equal(p->half_offset, 9);
    assert_int_equal(p->checks, 1);
    assert_int_equal(t.n, 1);
    txn_table_release(&t);
}

static void test_out_of_order_inserts_stay_sorted(void **state)
{
    (void)state;
    txn_table t;
    memset(&t, 0, sizeof t);
    srand(5);
    for (int i = 0; i < 2000; i++) {
        int64_t r = rand() % 5000;
        assert_int_equal(txn_table_put(&t, r, r, 0, 0, 0, 0, 0, "", 0), 0);
    }
    for (size_t i = 1; i < t.n; i++)
        assert_true(t.v[i - 1].root < t.v[i].root);
    for (int i = 0; i < 5000; i++)
        txn_table_done(&t, i);
    assert_int_equal(t.live, 0);
    txn_table_compact_maybe(&t);
    assert_int_equal(t.n, 0);
    txn_table_release(&t);
}

static void test_tombstones_and_compaction(void **state)
{
    (void)state;
    txn_table t;
    memset(&t, 0, sizeof t);
    for (int64_t r = 0; r < 1000; r++)
        assert_int_equal(txn_table_put(&t, r, r, 0, 0, 0, 0, 0, "G", 1), 0);
    /* ends keep entries in place (walkers hold pointers) */
    txn_pending *p999 = txn_table_find(&t, 999);
    for (int64_t r = 0; r < 900; r++)
        assert_int_equal(txn_table_done(&t, r), 1);
    assert_int_equal(t.n, 1000);
    assert_int_equal(t.live, 100);
    assert_ptr_equal(txn_table_find(&t, 999), p999);
    /* an ended root stays ended, even if a copy of it is seen again */
    assert_int_equal(txn_table_put(&t, 5, 1005, 0, 0, 0, 0, 3, "G", 1), 0);
    assert_null(txn_table_find(&t, 5));
    assert_int_equal(t.live, 100);
    txn_table_compact_maybe(&t);
    assert_int_equal(t.n, 100);
    assert_int_equal(t.live, 100);
    for (int64_t r = 900; r < 1000; r++)
        assert_non_null(txn_table_find(&t, r));
    assert_null(txn_table_find(&t, 5));
    /* few tombstones: no compaction */
    for (int64_t r = 900; r < 940; r++)
        txn_table_done(&t, r);
    txn_table_compact_maybe(&t);
    assert_int_equal(t.n, 100);
    assert_int_equal(t.live, 60);
    txn_table_release(&t);
}

static void test_progress(void **state)
{
    (void)state;
    txn_table t;
    memset(&t, 0, sizeof t);
    int64_t h, o;
    txn_table_progress(&t, 40, 17, &h, &o);
    assert_int_equal(h, 40); /* nothing pending: the queue ends */
    assert_int_equal(o, 17);
    assert_int_equal(txn_table_put(&t, 10, 10, 0, 0, -1, 5, 0, "G", 1), 0);
    assert_int_equal(txn_table_put(&t, 12, 12, 0, 0, -1, 6, 0, "G", 1), 0);
    assert_int_equal(txn_table_put(&t, 20, 20, 0, 0, -1, 9, 0, "G", 1), 0);
    txn_table_progress(&t, 40, 17, &h, &o);
    assert_int_equal(h, 10);
    assert_int_equal(o, 5);
    txn_table_done(&t, 10);
    txn_table_progress(&t, 40, 17, &h, &o);
    assert_int_equal(h, 12);
    assert_int_equal(o, 6);
    /* a root tracked at start-up with an older mark keeps op_from low */
    assert_int_equal(txn_table_put(&t, 15, 15, 0, 0, -1, 2, 0, "G", 1), 0);
    txn_table_progress(&t, 40, 17, &h, &o);
    assert_int_equal(h, 12);
    assert_int_equal(o, 2);
    txn_table_release(&t);
}

static void test_progress_file(void **state)
{
    (void)state;
    int64_t h = -1, o = -1;
    const char *good = "half=12\nop=7\n";
    assert_int_equal(txn_progress_parse(good, strlen(good), &h, &o), 0);
    assert_int_equal(h, 12);
    assert_int_equal(o, 7);
    const char *swapped = "op=0\n\nhalf=3";
    assert_int_equal(txn_progress_parse(swapped, strlen(swapped), &h, &o), 0);
    assert_int_equal(h, 3);
    assert_int_equal(o, 0);
    static const char *bad[] = {"", "half=1\n", "op=1\n", "half=1\nop=x\n",
                                "half=-1\nop=1\n", "half=1\nop=1\nx=2\n",
                                "half=1\nhalf=2\nop=1\n", "half=\nop=1\n",
                                " half=1\nop=1\n", "half=1 \nop=1\n",
                                "half=99999999999999999999\nop=1\n"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(txn_progress_parse(bad[i], strlen(bad[i]), &h, &o),
                         -1);
    /* random bytes: refused or parsed, never a negative offset */
    srand(9);
    char buf[48];
    for (int it = 0; it < 100000; it++) {
        size_t n = (size_t)(rand() % 48);
        for (size_t i = 0; i < n; i++) {
            static const char al[] = "half=op\n0123456789-x";
            buf[i] = rand() % 8 ? al[rand() % (sizeof al - 1)] : (char)rand();
        }
        h = o = 0;
        if (txn_progress_parse(buf, n, &h, &o) == 0)
            assert_true(h >= 0 && o >= 0);
    }
}

static void test_due(void **state)
{
    (void)state;
    txn_pending p;
    memset(&p, 0, sizeof p);
    p.first_ms = 10000;
    p.immunity_ms = 6000; /* CHECK_IMMUNITY_TIME_IN_SECONDS=6 */
    assert_false(txn_pending_due(&p, 15999, 1000));
    assert_true(txn_pending_due(&p, 16000, 1000));
    assert_false(txn_pending_due(&p, 0, 1000)); /* clock went back */
    p.immunity_ms = -1; /* the broker's transactionTimeOut */
    assert_false(txn_pending_due(&p, 10999, 1000));
    assert_true(txn_pending_due(&p, 11000, 1000));
    assert_false(txn_pending_due(&p, 11000, 6000));
}

static void test_op_bodies(void **state)
{
    (void)state;
    int64_t o[8];
    assert_int_equal(txn_op_parse((const uint8_t *)"12", 2, o, 8), 1);
    assert_int_equal(o[0], 12);
    assert_int_equal(txn_op_parse((const uint8_t *)"12,", 3, o, 8), 1);
    assert_int_equal(txn_op_parse((const uint8_t *)"12,13,", 6, o, 8), 2);
    assert_int_equal(o[1], 13);
    assert_int_equal(txn_op_parse((const uint8_t *)"0", 1, o, 8), 1);
    assert_int_equal(o[0], 0);
    /* more roots than room: the first max */
    assert_int_equal(txn_op_parse((const uint8_t *)"1,2,3", 5, o, 2), 2);
    assert_int_equal(o[1], 2);
}

static void test_op_garbage_is_refused(void **state)
{
    (void)state;
    int64_t o[8];
    static const char *bad[] = {"", ",", ",,", "12,,13", "a", "12a", " 12",
                                "-1", "-", "1.5", "99999999999999999999",
                                "9223372036854775808", "12,x,"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(
            txn_op_parse((const uint8_t *)bad[i], strlen(bad[i]), o, 8), -1);
    int64_t v;
    assert_int_equal(txn_parse_i64((const uint8_t *)"9223372036854775807",
                                   19, &v), 0);
    assert_true(v == INT64_MAX);
    assert_int_equal(txn_parse_i64((const uint8_t *)"-5", 2, &v), 0);
    assert_int_equal(v, -5);
    assert_int_equal(txn_parse_i64((const uint8_t *)"", 0, &v), -1);
    /* random bytes: never a crash, never a negative root */
    srand(42);
    uint8_t buf[64];
    for (int it = 0; it < 100000; it++) {
        size_t n = (size_t)(rand() % 64);
        for (size_t i = 0; i < n; i++)
            buf[i] = (uint8_t)(rand() % 4 == 0 ? ',' : rand() % 4 == 0 ? '0' + rand() % 10 : rand());
        int k = txn_op_parse(buf, n, o, 8);
        assert_true(k >= -1 && k <= 8);
        for (int i = 0; i < k; i++)
            assert_true(o[i] >= 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_find_done),
        cmocka_unit_test(test_copies_update_their_root),
        cmocka_unit_test(test_out_of_order_inserts_stay_sorted),
        cmocka_unit_test(test_tombstones_and_compaction),
        cmocka_unit_test(test_progress),
        cmocka_unit_test(test_progress_file),
        cmocka_unit_test(test_due),
        cmocka_unit_test(test_op_bodies),
        cmocka_unit_test(test_op_garbage_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
