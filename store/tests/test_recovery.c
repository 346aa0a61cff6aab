/*
 * test_recovery.c - store_open after crashes: intact reopen, torn tails at
 * every byte of the last record, flipped bytes, corruption below the
 * checkpoint (refused, then truncate_corrupt), lost ConsumeQueues.
 *
 * A crash is store_crash_for_test(): no final flush, no checkpoint, no
 * clean-shutdown marker; the files keep what the page cache holds, and the
 * test then damages them as a power cut could.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_util.h"

enum { N = 60 };

typedef struct fixture {
    char dir[64];      /* pristine crashed store */
    char work[80];     /* damaged copy */
    store_config cfg;
    store_append_result res[N + 1];
} fixture;

/* N records to queues 0/1 of "t" (bodies 1.5-3 KiB, so ~4 segments), flush
 * (checkpoint covers them), then the last record (queue 0, key "last"),
 * then crash. */
static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    tu_mkdtemp(f->dir, sizeof(f->dir));
    snprintf(f->work, sizeof(f->work), "%s-work", f->dir);
    tu_config(&f->cfg, f->dir);
    store *st = tu_open(&f->cfg);
    store_queue *q0 = store_queue_get(st, "t", 0, 1);
    store_queue *q1 = store_queue_get(st, "t", 1, 1);
    for (uint32_t i = 0; i < N; i++) {
        char key[16];
        snprintf(key, sizeof(key), "k%u", i);
        assert_int_equal(tu_append(st, i % 2 ? q1 : q0, 1500 + i * 25, i,
                                   key, &f->res[i]),
                         0);
    }
    assert_int_equal(store_flush_all(st), 0);
    assert_int_equal(tu_append(st, q0, 200, N, "last", &f->res[N]), 0);
    /* The last record must not start a segment for the torn-tail test to
     * also cover "earlier records in the same segment". */
    assert_true(f->res[N].commitlog_pos % TU_SEG != 0);
    store_crash_for_test(st);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    tu_rmrf(f->dir);
    tu_rmrf(f->work);
    free(f);
    return 0;
}

static void fresh_copy(fixture *f)
{
    tu_rmrf(f->work);
    tu_copytree(f->dir, f->work);
}

/* Records 0..upto-1 are readable with correct ConsumeQueue entries. */
static void check_first_records(fixture *f, store *st, int upto)
{
    store_queue *q[2] = {store_queue_get(st, "t", 0, 0),
                         store_queue_get(st, "t", 1, 0)};
    assert_non_null(q[0]);
    assert_non_null(q[1]);
    for (int i = 0; i < upto; i++) {
        store_cq_entry e;
        assert_int_equal(store_queue_read(q[i % 2], i / 2, &e, 1), 1);
        assert_int_equal(e.commitlog_pos, f->res[i].commitlog_pos);
        assert_int_equal(e.size, f->res[i].size);
        assert_int_equal(e.tag_hash, (int64_t)i * 17);
        store_record rec;
        assert_int_equal(store_read_record(st, e.commitlog_pos, &rec), 0);
        assert_int_equal(rec.queue_offset, i / 2);
        assert_true(tu_body_ok(rec.body, rec.body_len, (uint32_t)i));
        store_record_release(st, &rec);
    }
}

/* After losing the last record: state is exactly the first N records and
 * appends continue where it stood. */
static void check_last_dropped(fixture *f, store *st)
{
    store_queue *q0 = store_queue_get(st, "t", 0, 0);
    assert_int_equal(store_queue_max_offset(q0), N / 2);
    assert_int_equal(store_commitlog_max_pos(st), f->res[N].commitlog_pos);
    store_record rec;
    assert_int_equal(store_read_record(st, f->res[N].commitlog_pos, &rec),
                     STORE_ENOENT);
    int64_t pos[2];
    assert_int_equal(store_query_by_key(st, "t", (const uint8_t *)"last", 4,
                                        0, INT64_MAX, pos, 2),
                     0);
    store_append_result r;
    assert_int_equal(tu_append(st, q0, 50, 999, NULL, &r), 0);
    assert_int_equal(r.queue_offset, N / 2);
    assert_int_equal(r.commitlog_pos, f->res[N].commitlog_pos);
    assert_int_equal(store_read_record(st, r.commitlog_pos, &rec), 0);
    assert_true(tu_body_ok(rec.body, rec.body_len, 999));
    store_record_release(st, &rec);
}

static void test_reopen_after_crash_keeps_every_record(void **state)
{
    fixture *f = *state;
    fresh_copy(f);
    store_config cfg = f->cfg;
    cfg.dir = f->work;
    store *st = tu_open(&cfg);
    const store_recovery_info *ri = store_recovery_info_get(st);
    assert_int_equal(ri->previous_clean, 0);
    assert_int_equal(ri->had_checkpoint, 1);
    assert_int_equal(ri->bytes_dropped, 0);
    assert_int_equal(ri->end_pos, f->res[N].end_pos);
    check_first_records(f, st, N);
    store_queue *q0 = store_queue_get(st, "t", 0, 0);
    assert_int_equal(store_queue_max_offset(q0), N / 2 + 1);
    int64_t pos[2];
    assert_int_equal(store_query_by_key(st, "t", (const uint8_t *)"last", 4,
                                        0, INT64_MAX, pos, 2),
                     1);
    assert_int_equal(pos[0], f->res[N].commitlog_pos);
    store_append_result r;
    assert_int_equal(tu_append(st, q0, 50, 7, NULL, &r), 0);
    assert_int_equal(r.queue_offset, N / 2 + 1);
    assert_int_equal(r.commitlog_pos, f->res[N].end_pos);
    store_close(st);
}

static void test_torn_tail_at_every_byte_of_last_record(void **state)
{
    fixture *f = *state;
    store_config cfg = f->cfg;
    cfg.dir = f->work;
    for (uint32_t p = 0; p < f->res[N].size; p++) {
        fresh_copy(f);
        tu_zero_from(f->work, f->res[N].commitlog_pos + p);
        store *st = tu_open(&cfg);
        const store_recovery_info *ri = store_recovery_info_get(st);
        assert_int_equal(ri->end_pos, f->res[N].commitlog_pos);
        assert_true(ri->bytes_dropped <= (int64_t)p);
        if (p >= 8)
            assert_true(ri->bytes_dropped > 0);
        check_first_records(f, st, N);
        check_last_dropped(f, st);
        store_close(st);
    }
}

static void test_flipped_byte_in_last_record_drops_only_it(void **state)
{
    fixture *f = *state;
    store_config cfg = f->cfg;
    cfg.dir = f->work;
    for (uint32_t p = 0; p < f->res[N].size; p++) {
        fresh_copy(f);
        tu_flip(f->work, f->res[N].commitlog_pos + p);
        store *st = tu_open(&cfg);
        assert_true(store_recovery_info_get(st)->bytes_dropped > 0);
        check_first_records(f, st, N);
        check_last_dropped(f, st);
        store_close(st);
    }
}

static void test_corrupt_record_below_checkpoint_refuses_open(void **state)
{
    fixture *f = *state;
    /* A record in the newest segment, below the flushed position. */
    int victim = N - 1;
    while (f->res[victim - 1].commitlog_pos / TU_SEG ==
           f->res[N].commitlog_pos / TU_SEG)
        victim--;
    assert_true(f->res[victim].commitlog_pos / TU_SEG ==
                f->res[N].commitlog_pos / TU_SEG);
    fresh_copy(f);
    tu_flip(f->work, f->res[victim].commitlog_pos + 130);
    store_config cfg = f->cfg;
    cfg.dir = f->work;
    char err[1024];
    assert_null(store_open(&cfg, err, sizeof(err)));
    char name[32], off[48];
    snprintf(name, sizeof(name), "%020lld",
             (long long)(f->res[victim].commitlog_pos / TU_SEG * TU_SEG));
    snprintf(off, sizeof(off), "offset %lld",
             (long long)(f->res[victim].commitlog_pos % TU_SEG));
    assert_non_null(strstr(err, name));
    assert_non_null(strstr(err, off));
    assert_non_null(strstr(err, "truncate_corrupt"));
    assert_non_null(strstr(err, "backup"));

    cfg.truncate_corrupt = 1;
    store *st = tu_open(&cfg);
    const store_recovery_info *ri = store_recovery_info_get(st);
    assert_int_equal(ri->truncated_corrupt, 1);
    assert_int_equal(ri->end_pos, f->res[victim].commitlog_pos);
    check_first_records(f, st, victim);
    store_queue *q0 = store_queue_get(st, "t", 0, 0);
    store_queue *q1 = store_queue_get(st, "t", 1, 0);
    assert_int_equal(store_queue_max_offset(q0) + store_queue_max_offset(q1),
                     victim);
    store_close(st);
    /* The cut is durable: a normal reopen is clean and refuses nothing. */
    cfg.truncate_corrupt = 0;
    st = tu_open(&cfg);
    assert_int_equal(store_recovery_info_get(st)->end_pos,
                     f->res[victim].commitlog_pos);
    store_close(st);
}

static void test_valid_segment_after_damage_means_corruption(void **state)
{
    fixture *f = *state;
    fresh_copy(f);
    /* Without a checkpoint every byte counts as "tail"... */
    char path[4096];
    snprintf(path, sizeof(path), "%s/checkpoint", f->work);
    assert_int_equal(unlink(path), 0);
    /* ...but a damaged record in the first segment is followed by valid
     * segments, so it cannot be a torn tail. */
    tu_flip(f->work, f->res[1].commitlog_pos + 20);
    store_config cfg = f->cfg;
    cfg.dir = f->work;
    char err[1024];
    assert_null(store_open(&cfg, err, sizeof(err)));
    assert_non_null(strstr(err, "00000000000000000000"));
    assert_non_null(strstr(err, "later segment"));
}

static void test_lost_consumequeue_is_rebuilt_from_commitlog(void **state)
{
    fixture *f = *state;
    fresh_copy(f);
    char path[4096];
    snprintf(path, sizeof(path), "%s/consumequeue", f->work);
    tu_rmrf(path);
    snprintf(path, sizeof(path), "%s/index", f->work);
    tu_rmrf(path);
    snprintf(path, sizeof(path), "%s/checkpoint", f->work);
    unlink(path);
    store_config cfg = f->cfg;
    cfg.dir = f->work;
    store *st = tu_open(&cfg);
    assert_int_equal(store_recovery_info_get(st)->records_redispatched,
                     N + 1);
    check_first_records(f, st, N);
    int64_t pos[2];
    assert_int_equal(store_query_by_key(st, "t", (const uint8_t *)"k7", 2, 0,
                                        INT64_MAX, pos, 2),
                     1);
    assert_int_equal(pos[0], f->res[7].commitlog_pos);
    store_close(st);
}

static void test_whole_segment_torn_away_after_blank(void **state)
{
    fixture *f = *state;
    /* Lose the newest segment's content entirely (written, never synced,
     * then a power cut): recovery falls back to the previous one's end. */
    fresh_copy(f);
    int64_t seg_start = f->res[N].commitlog_pos / TU_SEG * TU_SEG;
    tu_zero_from(f->work, seg_start);
    int first = 0;
    while (f->res[first].commitlog_pos < seg_start)
        first++;
    store_config cfg = f->cfg;
    cfg.dir = f->work;
    char err[1024];
    /* Records of that segment were below the checkpoint: refused. */
    assert_null(store_open(&cfg, err, sizeof(err)));
    cfg.truncate_corrupt = 1;
    store *st = tu_open(&cfg);
    check_first_records(f, st, first);
    store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_reopen_after_crash_keeps_every_record, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_torn_tail_at_every_byte_of_last_record, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_flipped_byte_in_last_record_drops_only_it, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_corrupt_record_below_checkpoint_refuses_open, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_valid_segment_after_damage_means_corruption, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_lost_consumequeue_is_rebuilt_from_commitlog, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_whole_segment_torn_away_after_blank, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
