/*
 * test_flush.c - flushing: SYNC flush_wait callbacks, group commit
 * batching (syncs < waiters under concurrency), ASYNC immediate callbacks
 * and interval flushes, the checkpoint.
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

typedef struct done {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int calls;
    int bad;
} done;

static void on_flushed(void *arg, int status)
{
    done *d = arg;
    pthread_mutex_lock(&d->lock);
    d->calls++;
    if (status != 0)
        d->bad++;
    pthread_cond_broadcast(&d->cond);
    pthread_mutex_unlock(&d->lock);
}

static void wait_calls(done *d, int n)
{
    pthread_mutex_lock(&d->lock);
    int64_t until = store_now_ms() + 10000;
    while (d->calls < n && store_now_ms() < until) {
        struct timespec ts = {0, 0};
        int64_t at = store_now_ms() + 50;
        ts.tv_sec = at / 1000;
        ts.tv_nsec = (at % 1000) * 1000000;
        pthread_cond_timedwait(&d->cond, &d->lock, &ts);
    }
    pthread_mutex_unlock(&d->lock);
}

static void test_sync_flush_wait_calls_back_when_durable(void **state)
{
    fixture *f = *state;
    f->cfg.flush_mode = STORE_FLUSH_SYNC;
    f->st = tu_open(&f->cfg);
    store_queue *q = store_queue_get(f->st, "t", 0, 1);
    done d = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
    store_append_result r;
    for (uint32_t i = 0; i < 50; i++) {
        assert_int_equal(tu_append(f->st, q, 100, i, NULL, &r), 0);
        assert_int_equal(store_flush_wait(f->st, r.end_pos, on_flushed, &d),
                         0);
    }
    wait_calls(&d, 50);
    assert_int_equal(d.calls, 50);
    assert_int_equal(d.bad, 0);
    assert_true(store_flushed_pos(f->st) >= r.end_pos);
    store_flush_stats s;
    store_flush_stats_get(f->st, &s);
    assert_int_equal(s.waiters, 50);
    assert_true(s.syncs >= 1);
    assert_int_equal(s.timeouts, 0);
}

enum { THREADS = 8, ROUNDS = 100 };

typedef struct syncer {
    store *st;
    store_queue *q;
    int failures;
} syncer;

static void *syncer_main(void *arg)
{
    syncer *s = arg;
    for (int i = 0; i < ROUNDS; i++) {
        done d = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
        store_append_result r;
        if (tu_append(s->st, s->q, 100, (uint32_t)i, NULL, &r) != 0 ||
            store_flush_wait(s->st, r.end_pos, on_flushed, &d) != 0) {
            s->failures++;
            continue;
        }
        wait_calls(&d, 1);
        if (d.calls != 1 || d.bad || store_flushed_pos(s->st) < r.end_pos)
            s->failures++;
    }
    return NULL;
}

static void test_group_commit_shares_syncs_between_waiters(void **state)
{
    fixture *f = *state;
    f->cfg.flush_mode = STORE_FLUSH_SYNC;
    f->st = tu_open(&f->cfg);
    syncer s[THREADS];
    pthread_t th[THREADS];
    for (int t = 0; t < THREADS; t++) {
        s[t].st = f->st;
        s[t].q = store_queue_get(f->st, "t", t, 1);
        s[t].failures = 0;
        pthread_create(&th[t], NULL, syncer_main, &s[t]);
    }
    for (int t = 0; t < THREADS; t++) {
        pthread_join(th[t], NULL);
        assert_int_equal(s[t].failures, 0);
    }
    store_flush_stats st;
    store_flush_stats_get(f->st, &st);
    print_message("group commit: %llu waiters, %llu syncs (%.2f per sync)\n",
                  (unsigned long long)st.waiters,
                  (unsigned long long)st.syncs,
                  (double)st.waiters / (double)st.syncs);
    assert_int_equal(st.waiters, THREADS * ROUNDS);
    /* With 8 appenders blocked on their sync, a sync covers more than one
     * of them on average. */
    assert_true(st.syncs < st.waiters);
}

static void test_async_flush_wait_calls_back_at_once(void **state)
{
    fixture *f = *state;
    f->st = tu_open(&f->cfg);
    store_queue *q = store_queue_get(f->st, "t", 0, 1);
    done d = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
    store_append_result r;
    assert_int_equal(tu_append(f->st, q, 100, 1, NULL, &r), 0);
    assert_int_equal(store_flush_wait(f->st, r.end_pos, on_flushed, &d), 0);
    assert_int_equal(d.calls, 1); /* already, on this thread */
    assert_int_equal(d.bad, 0);
}

static void test_async_interval_flush_writes_checkpoint(void **state)
{
    fixture *f = *state;
    f->cfg.flush_interval_ms = 20;
    f->st = tu_open(&f->cfg);
    store_queue *q = store_queue_get(f->st, "t", 0, 1);
    store_append_result r;
    for (uint32_t i = 0; i < 20; i++)
        assert_int_equal(tu_append(f->st, q, 1000, i, "k", &r), 0);
    int64_t until = store_now_ms() + 5000;
    checkpoint cp = {0, 0, 0, 0};
    while (store_now_ms() < until) {
        if (checkpoint_read(f->dir, &cp) == 0 &&
            cp.dispatch_pos >= r.end_pos)
            break;
        tu_sleep_ms(10);
    }
    assert_int_equal(cp.flushed_pos, r.end_pos);
    assert_int_equal(cp.dispatch_pos, r.end_pos);
    assert_int_equal(cp.flushed_store_ts, r.store_timestamp);
    assert_true(store_flushed_pos(f->st) >= r.end_pos);
}

static void test_flush_all_and_checkpoint_round_trip(void **state)
{
    fixture *f = *state;
    f->st = tu_open(&f->cfg);
    store_queue *q = store_queue_get(f->st, "t", 0, 1);
    store_append_result r;
    assert_int_equal(tu_append(f->st, q, 100, 1, NULL, &r), 0);
    assert_int_equal(store_flush_all(f->st), 0);
    assert_int_equal(store_flushed_pos(f->st), r.end_pos);
    checkpoint cp;
    assert_int_equal(checkpoint_read(f->dir, &cp), 0);
    assert_int_equal(cp.flushed_pos, r.end_pos);
    /* A damaged checkpoint reads as absent. */
    char path[128];
    snprintf(path, sizeof(path), "%s/checkpoint", f->dir);
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    uint8_t b = 0x5a;
    assert_int_equal(pwrite(fd, &b, 1, 10), 1);
    close(fd);
    assert_int_equal(checkpoint_read(f->dir, &cp), STORE_ECORRUPT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_sync_flush_wait_calls_back_when_durable, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_group_commit_shares_syncs_between_waiters, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_async_flush_wait_calls_back_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_async_interval_flush_writes_checkpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_flush_all_and_checkpoint_round_trip, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
