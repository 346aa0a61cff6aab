/*
 * test_retention.c - deleting old segments by age (clock driven by the
 * test) and by disk use; min offsets, ConsumeQueue and index files follow;
 * record views outlive deletion; appends refused above the disk mark.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_util.h"

typedef struct fixture {
    char dir[64];
    store_config cfg;
    store *st;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    tu_mkdtemp(f->dir, sizeof(f->dir));
    tu_config(&f->cfg, f->dir);
    f->cfg.file_reserved_ms = 1000;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    store_close(f->st);
    tu_rmrf(f->dir);
    free(f);
    return 0;
}

enum { OLD = 200, NEW = 100 };

typedef struct filled {
    store_append_result res[OLD + NEW];
    int64_t old_last_ts;
} filled;

/* OLD records (about 3 segments), a pause, NEW records (1-2 segments), to
 * queues 0 and 1 alternately, each with key "k<i>". */
static void fill(fixture *f, filled *d)
{
    store_queue *q[2] = {store_queue_get(f->st, "t", 0, 1),
                         store_queue_get(f->st, "t", 1, 1)};
    for (uint32_t i = 0; i < OLD + NEW; i++) {
        if (i == OLD)
            tu_sleep_ms(30);
        char key[16];
        snprintf(key, sizeof(key), "k%u", i);
        assert_int_equal(tu_append(f->st, q[i % 2], 1000, i, key,
                                   &d->res[i]),
                         0);
        if (i == OLD - 1)
            d->old_last_ts = d->res[i].store_timestamp;
    }
}

static void test_age_retention_moves_min_offsets(void **state)
{
    fixture *f = *state;
    f->st = tu_open(&f->cfg);
    static filled d;
    fill(f, &d);
    char cq0[128], idx[128];
    snprintf(cq0, sizeof(cq0), "%s/consumequeue/t/0", f->dir);
    snprintf(idx, sizeof(idx), "%s/index", f->dir);
    int cq_files = tu_count_files(cq0), ix_files = tu_count_files(idx);

    /* Nothing is old enough yet. */
    assert_int_equal(store_retention_run(f->st, d.old_last_ts), 0);
    /* Everything at or before old_last_ts has expired: segments holding
     * only OLD records go. */
    int n = store_retention_run(f->st, d.old_last_ts + 1000 + 1);
    assert_true(n >= 2);
    int64_t min_pos = store_commitlog_min_pos(f->st);
    assert_int_equal(min_pos, (int64_t)n * TU_SEG);
    assert_true(min_pos <= d.res[OLD].commitlog_pos);
    assert_true(tu_count_files(cq0) < cq_files);
    assert_true(tu_count_files(idx) < ix_files);

    for (int qid = 0; qid < 2; qid++) {
        store_queue *q = store_queue_get(f->st, "t", qid, 0);
        int64_t min = store_queue_min_offset(q);
        assert_true(min > 0);
        assert_int_equal(store_queue_max_offset(q), (OLD + NEW) / 2);
        /* min is the first entry at or above the CommitLog min. */
        store_cq_entry e;
        assert_int_equal(store_queue_read(q, min, &e, 1), 1);
        assert_true(e.commitlog_pos >= min_pos);
        int i = (int)min * 2 + qid;
        assert_int_equal(e.commitlog_pos, d.res[i].commitlog_pos);
        assert_true(d.res[i - 2].commitlog_pos < min_pos);
        assert_int_equal(store_queue_read(q, min - 1, &e, 1), 0);
        store_record rec;
        assert_int_equal(store_read_record(f->st, e.commitlog_pos, &rec), 0);
        assert_true(tu_body_ok(rec.body, rec.body_len, (uint32_t)i));
        store_record_release(f->st, &rec);
        assert_int_equal(store_read_record(f->st, d.res[i - 2].commitlog_pos,
                                           &rec),
                         STORE_ENOENT);
    }
    int64_t pos[2];
    assert_int_equal(store_query_by_key(f->st, "t", (const uint8_t *)"k0", 2,
                                        0, INT64_MAX, pos, 2),
                     0);

    /* Never the newest segment, whatever the clock says. */
    store_retention_run(f->st, INT64_MAX / 2);
    assert_int_equal(store_commitlog_min_pos(f->st),
                     store_commitlog_max_pos(f->st) / TU_SEG * TU_SEG);
    store_queue *q0 = store_queue_get(f->st, "t", 0, 0);
    store_append_result r;
    assert_int_equal(tu_append(f->st, q0, 10, 5, NULL, &r), 0);
    assert_int_equal(r.queue_offset, (OLD + NEW) / 2);

    /* Reopen: min offsets are recomputed from the files. */
    int64_t min0 = store_queue_min_offset(q0);
    store_close(f->st);
    f->st = tu_open(&f->cfg);
    q0 = store_queue_get(f->st, "t", 0, 0);
    assert_int_equal(store_queue_min_offset(q0), min0);
    assert_int_equal(store_queue_max_offset(q0), (OLD + NEW) / 2 + 1);
}

static void test_record_view_outlives_segment_deletion(void **state)
{
    fixture *f = *state;
    f->st = tu_open(&f->cfg);
    static filled d;
    fill(f, &d);
    store_record rec;
    assert_int_equal(store_read_record(f->st, d.res[0].commitlog_pos, &rec),
                     0);
    char path[128];
    snprintf(path, sizeof(path), "%s/commitlog/%020d", f->dir, 0);
    assert_true(store_retention_run(f->st, INT64_MAX / 2) >= 1);
    assert_int_equal(access(path, F_OK), -1); /* file gone */
    /* The mapping is still ours. */
    assert_true(tu_body_ok(rec.body, rec.body_len, 0));
    store_record_release(f->st, &rec);
}

static void test_disk_use_above_max_deletes_oldest(void **state)
{
    fixture *f = *state;
    f->cfg.file_reserved_ms = 1000ull * 3600 * 1000; /* age never hits */
    f->st = tu_open(&f->cfg);
    static filled d;
    fill(f, &d);
    assert_int_equal(store_retention_run(f->st, store_now_ms()), 0);
    store_close(f->st);
    f->cfg.disk_max_used_percent = 0; /* any use is "too much" */
    f->st = tu_open(&f->cfg);
    int n = store_retention_run(f->st, store_now_ms());
    assert_true(n >= 3);
    assert_int_equal(store_commitlog_min_pos(f->st),
                     store_commitlog_max_pos(f->st) / TU_SEG * TU_SEG);
}

static void test_disk_use_above_refuse_mark_refuses_appends(void **state)
{
    fixture *f = *state;
    f->cfg.disk_refuse_percent = 0;
    f->st = tu_open(&f->cfg);
    store_queue *q = store_queue_get(f->st, "t", 0, 1);
    store_append_result r;
    assert_int_equal(tu_append(f->st, q, 10, 1, NULL, &r), STORE_EFULL);
    assert_int_equal(store_queue_max_offset(q), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_age_retention_moves_min_offsets,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_record_view_outlives_segment_deletion, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_disk_use_above_max_deletes_oldest, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_disk_use_above_refuse_mark_refuses_appends, setup,
            teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
