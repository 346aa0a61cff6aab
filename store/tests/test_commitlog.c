/*
 * test_commitlog.c - CommitLog records: MESSAGE and BATCH round trips across
 * segment rolls, exact segment fills, size limits, the patch hook, the lock,
 * and failed or short writes (which must not move the write position).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "test_util.h"

#include <signal.h>
#include <sys/resource.h>

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

static void test_message_round_trip_across_segment_rolls(void **state)
{
    fixture *f = *state;
    store_queue *q[3];
    q[0] = store_queue_get(f->st, "orders", 0, 1);
    q[1] = store_queue_get(f->st, "orders", 1, 1);
    q[2] = store_queue_get(f->st, "payments", 7, 1);
    enum { N = 400 };
    store_append_result res[N];
    for (uint32_t i = 0; i < N; i++) {
        char key[32];
        snprintf(key, sizeof(key), "k%u", i);
        assert_int_equal(tu_append(f->st, q[i % 3], 1 + (i * 37) % 1500, i,
                                   key, &res[i]),
                         0);
        assert_int_equal(res[i].queue_offset, i / 3);
        /* A record never spans segments. */
        assert_int_equal(res[i].commitlog_pos / TU_SEG,
                         (res[i].end_pos - 1) / TU_SEG);
    }
    assert_true(store_commitlog_max_pos(f->st) > 3 * (int64_t)TU_SEG);
    for (uint32_t i = 0; i < N; i++) {
        store_record rec;
        assert_int_equal(store_read_record(f->st, res[i].commitlog_pos, &rec),
                         0);
        assert_int_equal(rec.kind, STORE_KIND_MESSAGE);
        assert_int_equal(rec.count, 1);
        assert_int_equal(rec.flag, (int32_t)i);
        assert_int_equal(rec.born_timestamp, 1000 + i);
        assert_int_equal(rec.queue_offset, i / 3);
        assert_int_equal(rec.queue_id, q[i % 3]->queue_id);
        assert_int_equal(rec.topic_len, strlen(q[i % 3]->topic));
        assert_memory_equal(rec.topic, q[i % 3]->topic, rec.topic_len);
        assert_int_equal(rec.body_len, 1 + (i * 37) % 1500);
        assert_true(tu_body_ok(rec.body, rec.body_len, i));
        assert_int_equal(rec.properties_len, 7);
        assert_null(rec.key);
        assert_int_equal(rec.raw_len, res[i].size);
        assert_int_equal(rec.store_timestamp, res[i].store_timestamp);
        assert_int_equal(store_record_tag_hash(&rec, 0), (int64_t)i * 17);
        store_record_release(f->st, &rec);
    }
}

static void test_batch_round_trip_gives_each_message_an_entry(void **state)
{
    fixture *f = *state;
    store_queue *q = store_queue_get(f->st, "kafka-topic", 3, 1);
    store_append_result r0;
    assert_int_equal(tu_append(f->st, q, 10, 1, NULL, &r0), 0);
    int64_t tags[5] = {11, 22, 33, 44, 55};
    store_index_key keys[2] = {{1, (const uint8_t *)"alpha", 5},
                               {4, (const uint8_t *)"omega", 5}};
    uint8_t body[300];
    tu_fill(body, sizeof(body), 9);
    store_append_req req;
    memset(&req, 0, sizeof(req));
    req.queue = q;
    req.kind = STORE_KIND_BATCH;
    req.count = 5;
    req.key = (const uint8_t *)"";
    req.key_len = 0;
    req.body = body;
    req.body_len = sizeof(body);
    req.tag_hashes = tags;
    req.keys = keys;
    req.n_keys = 2;
    store_append_result res;
    assert_int_equal(store_append(f->st, &req, &res), 0);
    assert_int_equal(res.queue_offset, 1);
    assert_int_equal(store_queue_max_offset(q), 6);

    store_cq_entry e[8];
    assert_int_equal(store_queue_read(q, 1, e, 8), 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(e[i].commitlog_pos, res.commitlog_pos);
        assert_int_equal(e[i].size, res.size);
        assert_int_equal(e[i].batch_index, i);
        assert_int_equal(e[i].tag_hash, tags[i]);
    }
    store_record rec;
    assert_int_equal(store_read_record(f->st, res.commitlog_pos, &rec), 0);
    assert_int_equal(rec.kind, STORE_KIND_BATCH);
    assert_int_equal(rec.count, 5);
    assert_non_null(rec.key); /* empty key is not a null key */
    assert_int_equal(rec.key_len, 0);
    assert_true(tu_body_ok(rec.body, rec.body_len, 9));
    assert_int_equal(store_record_tag_hash(&rec, 4), 55);
    assert_int_equal(store_record_tag_hash(&rec, 5), 0);
    store_record_release(f->st, &rec);

    int64_t pos[4];
    assert_int_equal(store_query_by_key(f->st, "kafka-topic",
                                        (const uint8_t *)"omega", 5, 0,
                                        INT64_MAX, pos, 4),
                     1);
    assert_int_equal(pos[0], res.commitlog_pos);
}

/* A batch whose entries cross ConsumeQueue files (64 entries per file in
 * the tests): dispatch fills each file's run, every entry right. */
static void test_batch_entries_across_consumequeue_files(void **state)
{
    fixture *f = *state;
    store_queue *q = store_queue_get(f->st, "t", 0, 1);
    store_append_result r0;
    for (int i = 0; i < 60; i++)
        assert_int_equal(tu_append(f->st, q, 10, 1, NULL, &r0), 0);
    enum { N = 150 };
    int64_t tags[N];
    for (int i = 0; i < N; i++)
        tags[i] = (int64_t)(0x0102030405060708ull * (uint64_t)(i + 1));
    uint8_t body[64] = {1};
    store_append_req req;
    memset(&req, 0, sizeof(req));
    req.queue = q;
    req.kind = STORE_KIND_BATCH;
    req.count = N;
    req.body = body;
    req.body_len = sizeof(body);
    req.tag_hashes = tags;
    store_append_result res, res2;
    assert_int_equal(store_append(f->st, &req, &res), 0);
    req.tag_hashes = NULL;
    assert_int_equal(store_append(f->st, &req, &res2), 0);
    assert_int_equal(store_queue_max_offset(q), 60 + 2 * N);
    store_cq_entry e[2 * N];
    assert_int_equal(store_queue_read(q, 60, e, 2 * N), 2 * N);
    for (int i = 0; i < 2 * N; i++) {
        const store_append_result *rr = i < N ? &res : &res2;
        assert_int_equal(e[i].commitlog_pos, rr->commitlog_pos);
        assert_int_equal(e[i].size, rr->size);
        assert_int_equal(e[i].batch_index, i % N);
        assert_int_equal(e[i].tag_hash, i < N ? tags[i] : 0);
        assert_int_equal(e[i].store_timestamp, rr->store_timestamp);
    }
}

/* Long runs of a batch's ConsumeQueue entries (128 or more in one file)
 * take the pwrite path, in chunks: with 1,000 entries per file a batch of
 * 2,500 after 100 single messages writes runs of 900, 1,000 and 600, each
 * several chunks with a partial last one.  Every entry must read back the
 * same through the mapping, now and after a reopen. */
static void test_long_batch_runs_are_pwritten_and_read_back(void **state)
{
    fixture *f = *state;
    store_close(f->st);
    f->cfg.cq_entries_per_file = 1000;
    f->st = tu_open(&f->cfg);
    store_queue *q = store_queue_get(f->st, "big", 0, 1);
    store_append_result r0;
    for (int i = 0; i < 100; i++)
        assert_int_equal(tu_append(f->st, q, 10, 1, NULL, &r0), 0);
    enum { N = 2500 };
    static int64_t tags[N];
    for (int i = 0; i < N; i++)
        tags[i] = (int64_t)(0x1111111111111111ull * (uint64_t)(i % 15 + 1)) ^
                  i;
    uint8_t body[64] = {2};
    store_append_req req;
    memset(&req, 0, sizeof(req));
    req.queue = q;
    req.kind = STORE_KIND_BATCH;
    req.count = N;
    req.body = body;
    req.body_len = sizeof(body);
    req.tag_hashes = tags;
    store_append_result res;
    assert_int_equal(store_append(f->st, &req, &res), 0);
    for (int round = 0; round < 2; round++) {
        assert_int_equal(store_queue_max_offset(q), 100 + N);
        static store_cq_entry e[N];
        assert_int_equal(store_queue_read(q, 100, e, N), N);
        for (int i = 0; i < N; i++) {
            assert_int_equal(e[i].commitlog_pos, res.commitlog_pos);
            assert_int_equal(e[i].size, res.size);
            assert_int_equal(e[i].batch_index, i);
            assert_int_equal(e[i].tag_hash, tags[i]);
            assert_int_equal(e[i].store_timestamp, res.store_timestamp);
        }
        store_close(f->st);
        f->st = tu_open(&f->cfg);
        q = store_queue_get(f->st, "big", 0, 0);
        assert_non_null(q);
    }
}

/* Size of a tu_append record with body n and no key. */
static uint32_t record_size(const char *topic, uint32_t body)
{
    return COMMITLOG_HEADER_SIZE + (uint32_t)strlen(topic) + 7 + body +
           4 + 8 + 4;
}

static void test_record_exactly_filling_segment_then_next_segment(
    void **state)
{
    fixture *f = *state;
    store_queue *q = store_queue_get(f->st, "t", 0, 1);
    store_append_result r;
    assert_int_equal(tu_append(f->st, q, 20000, 1, NULL, &r), 0);
    assert_int_equal(tu_append(f->st, q, 20000, 2, NULL, &r), 0);
    int64_t remaining = (int64_t)TU_SEG - r.end_pos;
    uint32_t fixed = record_size("t", 0);
    assert_true(remaining > fixed);
    /* Exactly fills what is left: no BLANK, ends at the segment end. */
    assert_int_equal(tu_append(f->st, q, (uint32_t)remaining - fixed, 3, NULL,
                               &r),
                     0);
    assert_int_equal(r.end_pos, (int64_t)TU_SEG);
    assert_int_equal(tu_append(f->st, q, 100, 4, NULL, &r), 0);
    assert_int_equal(r.commitlog_pos, (int64_t)TU_SEG);
    /* Fits only without room for a BLANK: goes to the next segment. */
    assert_int_equal(tu_append(f->st, q, 20000, 5, NULL, &r), 0);
    assert_int_equal(tu_append(f->st, q, 20000, 6, NULL, &r), 0);
    remaining = 2 * (int64_t)TU_SEG - r.end_pos;
    assert_int_equal(tu_append(f->st, q, (uint32_t)remaining - fixed - 4, 7,
                               NULL, &r),
                     0);
    assert_int_equal(r.commitlog_pos, 2 * (int64_t)TU_SEG);
    store_cq_entry e[8];
    assert_int_equal(store_queue_read(q, 0, e, 8), 7);
    for (int i = 0; i < 7; i++) {
        store_record rec;
        assert_int_equal(store_read_record(f->st, e[i].commitlog_pos, &rec),
                         0);
        assert_true(tu_body_ok(rec.body, rec.body_len, (uint32_t)i + 1));
        store_record_release(f->st, &rec);
    }
    /* And the same after a reopen (recovery walks the exact fill). */
    store_close(f->st);
    f->st = tu_open(&f->cfg);
    q = store_queue_get(f->st, "t", 0, 0);
    assert_non_null(q);
    assert_int_equal(store_queue_max_offset(q), 7);
    assert_int_equal(tu_append(f->st, q, 10, 8, NULL, &r), 0);
    assert_int_equal(r.queue_offset, 7);
}

static void test_too_large_record_is_einval(void **state)
{
    fixture *f = *state;
    store_queue *q = store_queue_get(f->st, "t", 0, 1);
    store_append_result r;
    int64_t before = store_commitlog_max_pos(f->st);
    /* Above max_record_size (32 KiB). */
    assert_int_equal(tu_append(f->st, q, 40000, 1, NULL, &r), STORE_EINVAL);
    /* Largest allowed. */
    assert_int_equal(tu_append(f->st, q,
                               f->cfg.max_record_size - record_size("t", 0),
                               2, NULL, &r),
                     0);
    assert_int_equal(r.size, f->cfg.max_record_size);
    assert_int_equal(tu_append(f->st, q,
                               f->cfg.max_record_size - record_size("t", 0) +
                                   1,
                               3, NULL, &r),
                     STORE_EINVAL);
    assert_int_equal(store_queue_max_offset(q), 1);
    assert_true(store_commitlog_max_pos(f->st) > before);
    store_close(f->st);

    /* With a huge max_record_size the segment size is the limit. */
    f->cfg.max_record_size = 1u << 30;
    f->st = tu_open(&f->cfg);
    q = store_queue_get(f->st, "t", 0, 1);
    assert_int_equal(tu_append(f->st, q, TU_SEG, 4, NULL, &r), STORE_EINVAL);
    assert_int_equal(tu_append(f->st, q, TU_SEG - 8 - record_size("t", 0), 5,
                               NULL, &r),
                     0);
    assert_int_equal(r.size, TU_SEG - 8);
}

static void patch_offset(void *arg, uint8_t *body, uint32_t body_len,
                         int64_t queue_offset, int64_t store_timestamp)
{
    (void)store_timestamp;
    *(int *)arg += 1;
    assert_true(body_len >= 8);
    buf_put_u64be(body, (uint64_t)queue_offset);
}

static void test_patch_runs_before_crc_and_sees_offset(void **state)
{
    fixture *f = *state;
    store_queue *q = store_queue_get(f->st, "t", 0, 1);
    store_append_result r;
    for (int i = 0; i < 3; i++)
        assert_int_equal(tu_append(f->st, q, 10, 1, NULL, &r), 0);
    uint8_t body[16] = {0};
    int calls = 0;
    store_append_req req;
    memset(&req, 0, sizeof(req));
    req.queue = q;
    req.kind = STORE_KIND_BATCH;
    req.count = 2;
    req.body = body;
    req.body_len = sizeof(body);
    req.patch = patch_offset;
    req.patch_arg = &calls;
    assert_int_equal(store_append(f->st, &req, &r), 0);
    assert_int_equal(calls, 1);
    store_record rec;
    assert_int_equal(store_read_record(f->st, r.commitlog_pos, &rec), 0);
    assert_int_equal((int64_t)buf_get_u64be(rec.body), 3);
    store_record_release(f->st, &rec);
    /* the caller's buffer is never written */
    for (size_t i = 0; i < sizeof(body); i++)
        assert_int_equal(body[i], 0);

    /* patch_len: only the head is copied and patched, the rest goes out
     * as given, and the CRC covers the patched bytes */
    uint8_t big[4000];
    tu_fill(big, sizeof(big), 7);
    uint8_t want_tail[sizeof(big) - 8];
    memcpy(want_tail, big + 8, sizeof(want_tail));
    req.body = big;
    req.body_len = sizeof(big);
    req.patch_len = 8;
    assert_int_equal(store_append(f->st, &req, &r), 0);
    assert_int_equal(calls, 2);
    assert_int_equal(store_read_record(f->st, r.commitlog_pos, &rec), 0);
    assert_int_equal((int64_t)buf_get_u64be(rec.body), 5);
    assert_memory_equal(rec.body + 8, want_tail, sizeof(want_tail));
    store_record_release(f->st, &rec);
}

/* A write that fails (here: the segment's fd swapped for a read-only one,
 * so pwritev gets EBADF) returns an error and publishes nothing: write
 * position, queue max offset and readable records stay as they were, and
 * the next append lands where the failed one would have. */
static void test_failed_write_does_not_advance_position(void **state)
{
    fixture *f = *state;
    f->st->cl.map_write_max = 0; /* every record pwritev'd */
    store_queue *q = store_queue_get(f->st, "t", 0, 1);
    store_append_result r;
    for (int i = 0; i < 3; i++)
        assert_int_equal(tu_append(f->st, q, 100, (uint32_t)i, NULL, &r), 0);
    int64_t end = store_commitlog_max_pos(f->st);
    commitlog_segment *seg = f->st->cl.cur;
    int saved = dup(seg->fd);
    assert_true(saved >= 0);
    int ro = open(seg->path, O_RDONLY | O_CLOEXEC);
    assert_true(ro >= 0);
    assert_true(dup2(ro, seg->fd) >= 0);
    close(ro);

    assert_int_equal(tu_append(f->st, q, 100, 99, "k", &r), STORE_EIO);
    assert_non_null(strstr(store_errmsg(f->st), seg->path));
    assert_int_equal(store_commitlog_max_pos(f->st), end);
    assert_int_equal(store_queue_max_offset(q), 3);
    store_record rec;
    assert_int_equal(store_read_record(f->st, end, &rec), STORE_ENOENT);

    assert_true(dup2(saved, seg->fd) >= 0);
    close(saved);
    assert_int_equal(tu_append(f->st, q, 100, 4, NULL, &r), 0);
    assert_int_equal(r.commitlog_pos, end);
    assert_int_equal(r.queue_offset, 3);
    assert_int_equal(store_read_record(f->st, end, &rec), 0);
    assert_int_equal(rec.flag, 4);
    store_record_release(f->st, &rec);
}

/* A short write (RLIMIT_FSIZE just past the write position: pwritev writes
 * 64 bytes, the retry gets EFBIG) is an error too, and the torn bytes it
 * left are not exposed: the next append overwrites them, and a crash
 * followed by recovery ends the log at the last whole record. */
static void test_short_write_does_not_advance_position(void **state)
{
    fixture *f = *state;
    f->st->cl.map_write_max = 0; /* every record pwritev'd */
    store_queue *q = store_queue_get(f->st, "t", 0, 1);
    store_append_result r;
    for (int i = 0; i < 3; i++)
        assert_int_equal(tu_append(f->st, q, 100, (uint32_t)i, NULL, &r), 0);
    int64_t end = store_commitlog_max_pos(f->st);
    commitlog_segment *seg = f->st->cl.cur;
    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    void (*prev)(int) = signal(SIGXFSZ, SIG_IGN);
    lim = old;
    lim.rlim_cur = (rlim_t)(end - seg->start) + 64;
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    int rc = tu_append(f->st, q, 1000, 99, NULL, &r);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, prev);
    assert_int_equal(rc, STORE_EIO);
    assert_int_equal(store_commitlog_max_pos(f->st), end);
    assert_int_equal(store_queue_max_offset(q), 3);
    /* the 64 torn bytes are in the file, past the published end */
    assert_int_equal(buf_get_u32be(seg->map + (end - seg->start) + 4),
                     COMMITLOG_MAGIC);

    store_crash_for_test(f->st);
    f->st = tu_open(&f->cfg);
    assert_int_equal(store_commitlog_max_pos(f->st), end);
    q = store_queue_get(f->st, "t", 0, 0);
    assert_int_equal(store_queue_max_offset(q), 3);
    assert_int_equal(tu_append(f->st, q, 100, 4, NULL, &r), 0);
    assert_int_equal(r.commitlog_pos, end);
    store_record rec;
    assert_int_equal(store_read_record(f->st, end, &rec), 0);
    assert_int_equal(rec.flag, 4);
    store_record_release(f->st, &rec);
}

static void test_bad_requests_and_positions_are_rejected(void **state)
{
    fixture *f = *state;
    store_queue *q = store_queue_get(f->st, "t", 0, 1);
    store_append_result r;
    store_append_req req;
    memset(&req, 0, sizeof(req));
    req.queue = q;
    req.kind = STORE_KIND_MESSAGE;
    req.count = 2; /* a MESSAGE covers one offset */
    assert_int_equal(store_append(f->st, &req, &r), STORE_EINVAL);
    req.kind = 9;
    req.count = 1;
    assert_int_equal(store_append(f->st, &req, &r), STORE_EINVAL);
    store_index_key k = {3, (const uint8_t *)"x", 1}; /* index past count */
    req.kind = STORE_KIND_MESSAGE;
    req.keys = &k;
    req.n_keys = 1;
    assert_int_equal(store_append(f->st, &req, &r), STORE_EINVAL);
    assert_int_equal(store_queue_max_offset(q), 0);

    assert_int_equal(tu_append(f->st, q, 100, 1, NULL, &r), 0);
    store_record rec;
    assert_int_equal(store_read_record(f->st, r.end_pos, &rec), STORE_ENOENT);
    assert_int_equal(store_read_record(f->st, -5, &rec), STORE_ENOENT);
    assert_int_equal(store_read_record(f->st, r.commitlog_pos + 4, &rec),
                     STORE_ECORRUPT);
    assert_non_null(strstr(store_errmsg(f->st), "commitlog/"));

    assert_null(store_queue_get(f->st, "", 0, 1));
    assert_null(store_queue_get(f->st, "a/b", 0, 1));
    assert_null(store_queue_get(f->st, "..", 0, 1));
    assert_null(store_queue_get(f->st, "t", -1, 1));
    char longname[300];
    memset(longname, 'x', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    assert_null(store_queue_get(f->st, longname, 0, 1));
}

static void test_second_open_of_a_store_is_refused(void **state)
{
    fixture *f = *state;
    char err[512];
    assert_null(store_open(&f->cfg, err, sizeof(err)));
    assert_non_null(strstr(err, "locked"));
}

static void test_reopen_after_clean_close_reports_clean(void **state)
{
    fixture *f = *state;
    store_queue *q = store_queue_get(f->st, "t", 0, 1);
    store_append_result r;
    for (uint32_t i = 0; i < 100; i++)
        assert_int_equal(tu_append(f->st, q, 900, i, NULL, &r), 0);
    int64_t end = store_commitlog_max_pos(f->st);
    store_close(f->st);
    f->st = tu_open(&f->cfg);
    const store_recovery_info *ri = store_recovery_info_get(f->st);
    assert_int_equal(ri->previous_clean, 1);
    assert_int_equal(ri->had_checkpoint, 1);
    assert_int_equal(ri->bytes_dropped, 0);
    assert_int_equal(ri->end_pos, end);
    assert_int_equal(store_commitlog_max_pos(f->st), end);
    q = store_queue_get(f->st, "t", 0, 0);
    assert_int_equal(store_queue_max_offset(q), 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_message_round_trip_across_segment_rolls, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_batch_round_trip_gives_each_message_an_entry, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_batch_entries_across_consumequeue_files, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_long_batch_runs_are_pwritten_and_read_back, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_record_exactly_filling_segment_then_next_segment, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_too_large_record_is_einval,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_patch_runs_before_crc_and_sees_offset, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_bad_requests_and_positions_are_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_failed_write_does_not_advance_position, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_short_write_does_not_advance_position, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_second_open_of_a_store_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_reopen_after_clean_close_reports_clean, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
