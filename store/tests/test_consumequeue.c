/*
 * test_consumequeue.c - ConsumeQueue: seek by offset across files, seek by
 * time, min/max offsets, persistence, deletion, concurrent appenders.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>

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
    f->st = tu_open(&f->cfg);
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

static void test_read_by_offset_across_files(void **state)
{
    fixture *f = *state;
    store_queue *q = store_queue_get(f->st, "t", 2, 1);
    enum { N = 300 }; /* 64 entries per file: 5 files */
    int64_t pos[N];
    for (uint32_t i = 0; i < N; i++) {
        store_append_result r;
        assert_int_equal(tu_append(f->st, q, 20, i, NULL, &r), 0);
        pos[i] = r.commitlog_pos;
    }
    char qdir[256];
    snprintf(qdir, sizeof(qdir), "%s/consumequeue/t/2", f->dir);
    assert_int_equal(tu_count_files(qdir), 5);
    for (int start = 0; start < N; start += 13) {
        store_cq_entry e[20];
        int n = store_queue_read(q, start, e, 20);
        assert_int_equal(n, start + 20 <= N ? 20 : N - start);
        for (int i = 0; i < n; i++) {
            assert_int_equal(e[i].commitlog_pos, pos[start + i]);
            assert_int_equal(e[i].batch_index, 0);
            assert_int_equal(e[i].tag_hash, (int64_t)(start + i) * 17);
        }
    }
    store_cq_entry e;
    assert_int_equal(store_queue_read(q, N, &e, 1), 0);
    assert_int_equal(store_queue_read(q, -1, &e, 1), 0);
    assert_int_equal(store_queue_read(q, 5, &e, 0), 0);
}

static void test_min_max_offsets_of_empty_and_filled_queue(void **state)
{
    fixture *f = *state;
    store_queue *q = store_queue_get(f->st, "t", 0, 1);
    assert_int_equal(store_queue_min_offset(q), 0);
    assert_int_equal(store_queue_max_offset(q), 0);
    assert_int_equal(store_queue_find_by_time(q, 0), 0);
    store_append_result r;
    for (uint32_t i = 0; i < 10; i++)
        assert_int_equal(tu_append(f->st, q, 10, i, NULL, &r), 0);
    assert_int_equal(store_queue_min_offset(q), 0);
    assert_int_equal(store_queue_max_offset(q), 10);
    assert_null(store_queue_get(f->st, "t", 1, 0));
}

static void test_find_by_time_returns_first_offset_at_or_after(void **state)
{
    fixture *f = *state;
    store_queue *q = store_queue_get(f->st, "t", 0, 1);
    int64_t first_ts[5];
    int64_t first_off[5];
    for (int g = 0; g < 5; g++) {
        for (uint32_t i = 0; i < 30; i++) {
            store_append_result r;
            assert_int_equal(tu_append(f->st, q, 10, i, NULL, &r), 0);
            if (i == 0) {
                first_ts[g] = r.store_timestamp;
                first_off[g] = r.queue_offset;
            }
        }
        tu_sleep_ms(5);
    }
    for (int g = 0; g < 5; g++) {
        assert_true(g == 0 || first_ts[g] > first_ts[g - 1]);
        assert_int_equal(store_queue_find_by_time(q, first_ts[g]),
                         first_off[g]);
        /* Just after the group's first time: still within the group. */
        int64_t off = store_queue_find_by_time(q, first_ts[g] + 1);
        assert_true(off > first_off[g]);
        assert_true(off <= first_off[g] + 30);
    }
    assert_int_equal(store_queue_find_by_time(q, 0), 0);
    assert_int_equal(store_queue_find_by_time(q, INT64_MAX), 150);
}

static void collect(void *arg, const char *topic, int32_t queue_id)
{
    int *seen = arg;
    if (!strcmp(topic, "a"))
        seen[queue_id] += 1;
    else if (!strcmp(topic, "b"))
        seen[8 + queue_id] += 1;
}

static void test_queues_persist_across_reopen(void **state)
{
    fixture *f = *state;
    for (int t = 0; t < 2; t++)
        for (int qid = 0; qid < 3; qid++) {
            store_queue *q = store_queue_get(f->st, t ? "b" : "a", qid, 1);
            for (int i = 0; i <= qid * 10 + t; i++) {
                store_append_result r;
                assert_int_equal(tu_append(f->st, q, 10, 1, NULL, &r), 0);
            }
        }
    store_close(f->st);
    f->st = tu_open(&f->cfg);
    int seen[16] = {0};
    store_queue_foreach(f->st, collect, seen);
    for (int t = 0; t < 2; t++)
        for (int qid = 0; qid < 3; qid++) {
            assert_int_equal(seen[t * 8 + qid], 1);
            store_queue *q = store_queue_get(f->st, t ? "b" : "a", qid, 0);
            assert_non_null(q);
            assert_int_equal(store_queue_max_offset(q), qid * 10 + t + 1);
        }
}

static void test_queue_delete_removes_files_and_handle(void **state)
{
    fixture *f = *state;
    store_queue *q = store_queue_get(f->st, "gone", 0, 1);
    store_append_result r;
    for (uint32_t i = 0; i < 100; i++)
        assert_int_equal(tu_append(f->st, q, 10, i, NULL, &r), 0);
    char qdir[256];
    snprintf(qdir, sizeof(qdir), "%s/consumequeue/gone/0", f->dir);
    assert_int_equal(tu_count_files(qdir), 2);
    assert_int_equal(store_queue_delete(f->st, "gone", 0), 0);
    assert_int_equal(store_queue_delete(f->st, "gone", 0), STORE_ENOENT);
    assert_int_equal(access(qdir, F_OK), -1);
    assert_null(store_queue_get(f->st, "gone", 0, 0));
    assert_int_equal(tu_append(f->st, q, 10, 1, NULL, &r), STORE_ENOENT);
    /* A new queue of that name starts empty. */
    store_queue *q2 = store_queue_get(f->st, "gone", 0, 1);
    assert_non_null(q2);
    assert_int_equal(store_queue_max_offset(q2), 0);
}

/* ---- concurrency ---- */

enum { THREADS = 4, PER_THREAD = 3000, QUEUES = 3 };

typedef struct worker {
    store *st;
    store_queue *q[QUEUES];
    int id;
    int failures;
} worker;

static void *worker_main(void *arg)
{
    worker *w = arg;
    uint8_t body[64];
    for (int i = 0; i < PER_THREAD; i++) {
        store_append_req req;
        memset(&req, 0, sizeof(req));
        req.queue = w->q[(i + w->id) % QUEUES];
        req.kind = STORE_KIND_MESSAGE;
        req.count = 1;
        req.flag = w->id;
        req.body = body;
        req.body_len = 16 + (uint32_t)(i % 48);
        memset(body, w->id, sizeof(body));
        store_append_result r;
        if (store_append(w->st, &req, &r) != 0)
            w->failures++;
    }
    return NULL;
}

static void test_concurrent_appends_give_dense_offsets(void **state)
{
    fixture *f = *state;
    worker w[THREADS];
    pthread_t th[THREADS];
    store_queue *q[QUEUES];
    for (int i = 0; i < QUEUES; i++)
        q[i] = store_queue_get(f->st, "busy", i, 1);
    for (int t = 0; t < THREADS; t++) {
        w[t].st = f->st;
        memcpy(w[t].q, q, sizeof(q));
        w[t].id = t;
        w[t].failures = 0;
        assert_int_equal(pthread_create(&th[t], NULL, worker_main, &w[t]),
                         0);
    }
    for (int t = 0; t < THREADS; t++) {
        pthread_join(th[t], NULL);
        assert_int_equal(w[t].failures, 0);
    }
    int64_t total = 0;
    int per_thread[THREADS] = {0};
    for (int i = 0; i < QUEUES; i++) {
        int64_t max = store_queue_max_offset(q[i]);
        total += max;
        int64_t prev_pos = -1;
        for (int64_t off = 0; off < max; off++) {
            store_cq_entry e;
            assert_int_equal(store_queue_read(q[i], off, &e, 1), 1);
            assert_true(e.size != 0);
            assert_true(e.commitlog_pos > prev_pos); /* log order */
            prev_pos = e.commitlog_pos;
            store_record rec;
            assert_int_equal(store_read_record(f->st, e.commitlog_pos, &rec),
                             0);
            assert_int_equal(rec.queue_offset, off);
            assert_int_equal(rec.queue_id, i);
            assert_true(rec.flag >= 0 && rec.flag < THREADS);
            assert_int_equal(rec.body[0], rec.flag);
            per_thread[rec.flag]++;
            store_record_release(f->st, &rec);
        }
    }
    assert_int_equal(total, THREADS * PER_THREAD);
    for (int t = 0; t < THREADS; t++)
        assert_int_equal(per_thread[t], PER_THREAD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_read_by_offset_across_files,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_min_max_offsets_of_empty_and_filled_queue, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_find_by_time_returns_first_offset_at_or_after, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_queues_persist_across_reopen,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_queue_delete_removes_files_and_handle, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_concurrent_appends_give_dense_offsets, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
