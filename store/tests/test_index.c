/*
 * test_index.c - query by key: shared keys, hash collisions dropped by
 * verification, time windows, lookups across several index files, topic
 * separation.
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

static int query(store *st, const char *topic, const char *key,
                 int64_t begin, int64_t end, int64_t *pos, int max)
{
    return store_query_by_key(st, topic, (const uint8_t *)key, strlen(key),
                              begin, end, pos, max);
}

static void test_query_finds_every_record_with_key_newest_first(void **state)
{
    fixture *f = *state;
    store_queue *q = store_queue_get(f->st, "t", 0, 1);
    int64_t want[10];
    int nw = 0;
    for (uint32_t i = 0; i < 40; i++) {
        store_append_result r;
        const char *key = i % 4 == 0 ? "order-1" : "order-2";
        assert_int_equal(tu_append(f->st, q, 50, i, key, &r), 0);
        if (i % 4 == 0)
            want[nw++] = r.commitlog_pos;
    }
    int64_t pos[20];
    assert_int_equal(query(f->st, "t", "order-1", 0, INT64_MAX, pos, 20), 10);
    for (int i = 0; i < 10; i++)
        assert_int_equal(pos[i], want[9 - i]);
    assert_int_equal(query(f->st, "t", "order-1", 0, INT64_MAX, pos, 3), 3);
    assert_int_equal(pos[0], want[9]);
    assert_int_equal(query(f->st, "t", "order-3", 0, INT64_MAX, pos, 20), 0);
    /* Same key, other topic: not found. */
    store_queue *q2 = store_queue_get(f->st, "u", 0, 1);
    store_append_result r;
    assert_int_equal(tu_append(f->st, q2, 50, 1, "order-1", &r), 0);
    assert_int_equal(query(f->st, "t", "order-1", 0, INT64_MAX, pos, 20), 10);
    assert_int_equal(query(f->st, "u", "order-1", 0, INT64_MAX, pos, 20), 1);
    assert_int_equal(pos[0], r.commitlog_pos);
}

static int cmp_hash(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Keys spread over 64 bits (CRC is linear: keys differing in a few low
 * bytes never collide, so sequential names would not do). */
static int keyname(char *buf, size_t n, uint32_t i)
{
    uint64_t x = (uint64_t)i * 0x9E3779B97F4A7C15ull + 1;
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 29;
    return snprintf(buf, n, "k%016llx", (unsigned long long)x);
}

static void test_hash_collision_is_dropped_by_verification(void **state)
{
    fixture *f = *state;
    /* Birthday search for two keys with the same crc32c("t#key"). */
    enum { K = 1 << 18 };
    uint64_t *h = malloc(K * sizeof(*h));
    assert_non_null(h);
    for (uint32_t i = 0; i < K; i++) {
        char key[24];
        int n = keyname(key, sizeof(key), i);
        h[i] = (uint64_t)indexfile_key_hash("t", 1, (const uint8_t *)key,
                                            (size_t)n)
                   << 32 |
               i;
    }
    qsort(h, K, sizeof(*h), cmp_hash);
    uint32_t a = 0, b = 0;
    for (uint32_t i = 1; i < K && a == b; i++)
        if (h[i] >> 32 == h[i - 1] >> 32) {
            a = (uint32_t)h[i - 1];
            b = (uint32_t)h[i];
        }
    free(h);
    assert_true(a != b);
    char ka[24], kb[24];
    keyname(ka, sizeof(ka), a);
    keyname(kb, sizeof(kb), b);
    assert_int_equal(indexfile_key_hash("t", 1, (const uint8_t *)ka,
                                        strlen(ka)),
                     indexfile_key_hash("t", 1, (const uint8_t *)kb,
                                        strlen(kb)));

    store_queue *q = store_queue_get(f->st, "t", 0, 1);
    store_append_result ra, rb;
    assert_int_equal(tu_append(f->st, q, 10, 1, ka, &ra), 0);
    assert_int_equal(tu_append(f->st, q, 10, 2, kb, &rb), 0);
    int64_t pos[4];
    assert_int_equal(query(f->st, "t", ka, 0, INT64_MAX, pos, 4), 1);
    assert_int_equal(pos[0], ra.commitlog_pos);
    assert_int_equal(query(f->st, "t", kb, 0, INT64_MAX, pos, 4), 1);
    assert_int_equal(pos[0], rb.commitlog_pos);
}

static void test_query_respects_time_window(void **state)
{
    fixture *f = *state;
    store_queue *q = store_queue_get(f->st, "t", 0, 1);
    store_append_result r1, r2;
    assert_int_equal(tu_append(f->st, q, 10, 1, "k", &r1), 0);
    tu_sleep_ms(20);
    assert_int_equal(tu_append(f->st, q, 10, 2, "k", &r2), 0);
    assert_true(r2.store_timestamp > r1.store_timestamp);
    int64_t pos[4];
    assert_int_equal(query(f->st, "t", "k", r2.store_timestamp,
                           r2.store_timestamp, pos, 4),
                     1);
    assert_int_equal(pos[0], r2.commitlog_pos);
    assert_int_equal(query(f->st, "t", "k", r1.store_timestamp,
                           r2.store_timestamp - 1, pos, 4),
                     1);
    assert_int_equal(pos[0], r1.commitlog_pos);
    assert_int_equal(query(f->st, "t", "k", 0, r1.store_timestamp - 1, pos, 4),
                     0);
    assert_int_equal(query(f->st, "t", "k", r1.store_timestamp,
                           r2.store_timestamp, pos, 4),
                     2);
}

static void test_lookup_spans_several_index_files(void **state)
{
    fixture *f = *state;
    store_queue *q = store_queue_get(f->st, "t", 0, 1);
    enum { N = 200 }; /* 63 entries per file: 4+ files */
    int64_t want[N];
    for (uint32_t i = 0; i < N; i++) {
        store_append_result r;
        assert_int_equal(tu_append(f->st, q, 30, i, "same", &r), 0);
        want[i] = r.commitlog_pos;
    }
    char idir[128];
    snprintf(idir, sizeof(idir), "%s/index", f->dir);
    assert_true(tu_count_files(idir) >= 4);
    int64_t pos[N + 10];
    assert_int_equal(query(f->st, "t", "same", 0, INT64_MAX, pos, N + 10), N);
    for (int i = 0; i < N; i++)
        assert_int_equal(pos[i], want[N - 1 - i]);
    /* And after a reopen. */
    store_close(f->st);
    f->st = tu_open(&f->cfg);
    assert_int_equal(query(f->st, "t", "same", 0, INT64_MAX, pos, N + 10), N);
}

static void test_batch_keys_point_at_their_record(void **state)
{
    fixture *f = *state;
    store_queue *q = store_queue_get(f->st, "t", 0, 1);
    store_index_key keys[3] = {{0, (const uint8_t *)"a", 1},
                               {1, (const uint8_t *)"b", 1},
                               {2, (const uint8_t *)"a", 1}};
    uint8_t body[10] = {0};
    store_append_req req;
    memset(&req, 0, sizeof(req));
    req.queue = q;
    req.kind = STORE_KIND_BATCH;
    req.count = 3;
    req.body = body;
    req.body_len = sizeof(body);
    req.keys = keys;
    req.n_keys = 3;
    store_append_result r;
    assert_int_equal(store_append(f->st, &req, &r), 0);
    int64_t pos[4];
    /* Key "a" twice in one record: one position (de-duplicated). */
    assert_int_equal(query(f->st, "t", "a", 0, INT64_MAX, pos, 4), 1);
    assert_int_equal(pos[0], r.commitlog_pos);
    assert_int_equal(query(f->st, "t", "b", 0, INT64_MAX, pos, 4), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_query_finds_every_record_with_key_newest_first, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_hash_collision_is_dropped_by_verification, setup, teardown),
        cmocka_unit_test_setup_teardown(test_query_respects_time_window,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_lookup_spans_several_index_files,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_keys_point_at_their_record,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
