/*
 * test_buf.c - the byte reader/writer: sticky errors, varints (maximum
 * length, overlong, zigzag), counts against bytes left, sub-readers, and
 * writer growth, caps and placeholders.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "buf.h"

static void test_reads_big_endian(void **state)
{
    static const uint8_t in[] = {0x81, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                                 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e,
                                 0x0f};
    buf_reader r;
    (void)state;
    buf_reader_init(&r, in, sizeof(in));
    assert_int_equal(buf_read_i8(&r), (int8_t)0x81);
    assert_int_equal(buf_read_i16(&r), 0x0203);
    assert_int_equal(buf_read_i32(&r), 0x04050607);
    assert_true(buf_read_i64(&r) == 0x08090a0b0c0d0e0fLL);
    assert_int_equal(buf_left(&r), 0);
    assert_int_equal(r.err, 0);
}

static void test_short_read_is_sticky(void **state)
{
    static const uint8_t in[] = {0x00, 0x01, 0x02};
    buf_reader r;
    buf_view v;
    (void)state;
    buf_reader_init(&r, in, sizeof(in));
    assert_int_equal(buf_read_i32(&r), 0);
    assert_int_equal(r.err, BUF_ESHORT);
    /* later reads give 0 even though bytes remain */
    assert_int_equal(buf_read_i8(&r), 0);
    assert_int_equal(buf_read_i16(&r), 0);
    v = buf_read_raw(&r, 1);
    assert_null(v.ptr);
    assert_int_equal(v.len, 0);
    assert_int_equal(buf_left(&r), 0);
    assert_int_equal(r.off, 0);
}

static void test_uvarint_limits(void **state)
{
    static const uint8_t max[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
    static const uint8_t over[] = {0xff, 0xff, 0xff, 0xff, 0x1f};
    static const uint8_t six[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
    static const uint8_t nonmin[] = {0x80, 0x00}; /* 0 in two bytes */
    static const uint8_t trunc[] = {0x80, 0x80};
    buf_reader r;
    (void)state;
    buf_reader_init(&r, max, sizeof(max));
    assert_int_equal(buf_read_uvarint(&r), UINT32_MAX);
    assert_int_equal(r.err, 0);
    buf_reader_init(&r, over, sizeof(over));
    (void)buf_read_uvarint(&r);
    assert_int_equal(r.err, BUF_EINVAL);
    buf_reader_init(&r, six, sizeof(six));
    (void)buf_read_uvarint(&r);
    assert_int_equal(r.err, BUF_EINVAL);
    buf_reader_init(&r, nonmin, sizeof(nonmin));
    assert_int_equal(buf_read_uvarint(&r), 0);
    assert_int_equal(r.err, 0);
    buf_reader_init(&r, trunc, sizeof(trunc));
    (void)buf_read_uvarint(&r);
    assert_int_equal(r.err, BUF_ESHORT);
}

static void test_zigzag_round_trip_and_sizes(void **state)
{
    static const int64_t vals[] = {0,          -1,         1,
                                   63,         -64,        64,
                                   INT32_MAX,  INT32_MIN,  INT64_MAX,
                                   INT64_MIN,  1LL << 40,  -(1LL << 40)};
    buf_writer w;
    buf_reader r;
    size_t i, expect = 0;
    (void)state;
    buf_writer_init(&w, 0, 0);
    for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        buf_write_varlong(&w, vals[i]);
        expect += buf_varlong_size(vals[i]);
        if (vals[i] >= INT32_MIN && vals[i] <= INT32_MAX) {
            buf_write_varint(&w, (int32_t)vals[i]);
            expect += buf_varint_size((int32_t)vals[i]);
        }
    }
    assert_int_equal(w.len, expect);
    buf_reader_init(&r, w.p, w.len);
    for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        assert_true(buf_read_varlong(&r) == vals[i]);
        if (vals[i] >= INT32_MIN && vals[i] <= INT32_MAX)
            assert_int_equal(buf_read_varint(&r), (int32_t)vals[i]);
    }
    assert_int_equal(r.err, 0);
    assert_int_equal(buf_left(&r), 0);
    assert_int_equal(buf_varint_size(-1), 1);
    assert_int_equal(buf_varint_size(64), 2);
    assert_int_equal(buf_varlong_size(INT64_MIN), 10);
    assert_int_equal(buf_uvarint_size(UINT32_MAX), 5);
    buf_writer_release(&w);
}

static void test_varlong_eleven_bytes_rejected(void **state)
{
    static const uint8_t ten_bad[] = {0xff, 0xff, 0xff, 0xff, 0xff,
                                      0xff, 0xff, 0xff, 0xff, 0x02};
    static const uint8_t ten_ok[] = {0xff, 0xff, 0xff, 0xff, 0xff,
                                     0xff, 0xff, 0xff, 0xff, 0x01};
    buf_reader r;
    (void)state;
    buf_reader_init(&r, ten_bad, sizeof(ten_bad));
    (void)buf_read_varlong(&r);
    assert_int_equal(r.err, BUF_EINVAL);
    buf_reader_init(&r, ten_ok, sizeof(ten_ok));
    assert_true(buf_read_varlong(&r) == INT64_MIN);
    assert_int_equal(r.err, 0);
}

/* One encoding read by the inline fast path (16 bytes of padding after it)
 * and from an exact-size copy (the byte-by-byte path for the last bytes):
 * same value, same error, same offset. */
enum { RD_UVARINT, RD_VARINT, RD_VARLONG };
static void read_both(const uint8_t *enc, size_t n, int kind, int64_t *val,
                      int *err, size_t *off)
{
    uint8_t pad[32];
    uint8_t *exact = malloc(n ? n : 1);
    int64_t v[2];
    buf_reader r[2];

    assert_true(n + 16 <= sizeof(pad));
    memset(pad, 0x80, sizeof(pad)); /* padding that would continue */
    memcpy(pad, enc, n);
    memcpy(exact, enc, n);
    buf_reader_init(&r[0], pad, n + 16);
    buf_reader_init(&r[1], exact, n);
    for (int i = 0; i < 2; i++) {
        if (kind == RD_UVARINT)
            v[i] = buf_read_uvarint(&r[i]);
        else if (kind == RD_VARINT)
            v[i] = buf_read_varint(&r[i]);
        else
            v[i] = buf_read_varlong(&r[i]);
    }
    /* a truncated encoding runs on into the padding on the fast path */
    if (r[1].err != BUF_ESHORT) {
        assert_true(v[0] == v[1]);
        assert_int_equal(r[0].off, r[1].off);
        assert_int_equal(r[0].err, r[1].err);
    }
    *val = v[1];
    *err = r[1].err;
    *off = r[1].off;
    free(exact);
}

static void test_varint_boundaries_both_paths(void **state)
{
    static const struct {
        uint8_t b[12];
        size_t n;
        int kind;
        int64_t val;
        int err;
    } cases[] = {
        /* maxima and minima */
        {{0xff, 0xff, 0xff, 0xff, 0x0f}, 5, RD_UVARINT, UINT32_MAX, 0},
        {{0xfe, 0xff, 0xff, 0xff, 0x0f}, 5, RD_VARINT, INT32_MAX, 0},
        {{0xff, 0xff, 0xff, 0xff, 0x0f}, 5, RD_VARINT, INT32_MIN, 0},
        {{0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
         10, RD_VARLONG, INT64_MAX, 0},
        {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
         10, RD_VARLONG, INT64_MIN, 0},
        /* one and two bytes */
        {{0x00}, 1, RD_VARINT, 0, 0},
        {{0x01}, 1, RD_VARINT, -1, 0},
        {{0x7f}, 1, RD_UVARINT, 127, 0},
        {{0x80, 0x01}, 2, RD_UVARINT, 128, 0},
        {{0xff, 0x7f}, 2, RD_UVARINT, 16383, 0},
        {{0xc8, 0x01}, 2, RD_VARLONG, 100, 0},
        /* non-minimal within the maximum length: accepted */
        {{0x80, 0x80, 0x80, 0x80, 0x00}, 5, RD_VARINT, 0, 0},
        {{0x81, 0x80, 0x00}, 3, RD_UVARINT, 1, 0},
        {{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00},
         10, RD_VARLONG, 0, 0},
        /* overflowing last byte */
        {{0xff, 0xff, 0xff, 0xff, 0x10}, 5, RD_VARINT, 0, BUF_EINVAL},
        {{0x80, 0x80, 0x80, 0x80, 0x7f}, 5, RD_UVARINT, 0, BUF_EINVAL},
        {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02},
         10, RD_VARLONG, 0, BUF_EINVAL},
        /* overlong: a continuation bit on the last allowed byte */
        {{0x80, 0x80, 0x80, 0x80, 0x80, 0x00}, 6, RD_VARINT, 0, BUF_EINVAL},
        {{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00},
         11, RD_VARLONG, 0, BUF_EINVAL},
    };
    (void)state;

    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        int64_t v;
        int err;
        size_t off;
        read_both(cases[c].b, cases[c].n, cases[c].kind, &v, &err, &off);
        assert_int_equal(err, cases[c].err);
        if (!err) {
            assert_true(v == cases[c].val);
            assert_int_equal(off, cases[c].n);
        }
        /* every truncation of a valid one is BUF_ESHORT on the exact copy */
        for (size_t k = 0; !cases[c].err && k < cases[c].n; k++) {
            read_both(cases[c].b, k, cases[c].kind, &v, &err, &off);
            assert_int_equal(err, BUF_ESHORT);
        }
    }
    /* every 1..3-byte pattern and random longer ones agree on both paths */
    {
        uint32_t seed = 7;
        for (int t = 0; t < 200000; t++) {
            uint8_t b[11];
            size_t n = 1 + (size_t)t % 11;
            int64_t v;
            int err;
            size_t off;
            for (size_t i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                b[i] = (uint8_t)(seed >> 16);
                if (i + 1 < n && (seed >> 8) % 4)
                    b[i] |= 0x80;
            }
            read_both(b, n, t % 3, &v, &err, &off);
        }
    }
}

static void test_count_checked_against_bytes_left(void **state)
{
    static const uint8_t in[16] = {0};
    buf_reader r;
    (void)state;
    buf_reader_init(&r, in, sizeof(in));
    assert_int_equal(buf_check_count(&r, 4, 4), 4);
    assert_int_equal(buf_check_count(&r, -1, 4), -1);
    assert_int_equal(r.err, 0);
    assert_int_equal(buf_check_count(&r, 5, 4), 0);
    assert_int_equal(r.err, BUF_EINVAL);
    buf_reader_init(&r, in, sizeof(in));
    assert_int_equal(buf_check_count(&r, -2, 1), 0);
    assert_int_equal(r.err, BUF_EINVAL);
    buf_reader_init(&r, in, sizeof(in));
    assert_int_equal(buf_check_count(&r, (int64_t)INT32_MAX + 1, 0), 0);
    assert_int_equal(r.err, BUF_EINVAL);
}

static void test_sub_reader_cannot_see_past_its_end(void **state)
{
    static const uint8_t in[] = {1, 2, 3, 4, 5, 6};
    buf_reader r, sub;
    (void)state;
    buf_reader_init(&r, in, sizeof(in));
    buf_skip(&r, 1);
    assert_int_equal(buf_reader_sub(&r, 2, &sub), 0);
    assert_int_equal(buf_read_i16(&sub), 0x0203);
    assert_int_equal(buf_read_i8(&sub), 0);
    assert_int_equal(sub.err, BUF_ESHORT);
    assert_int_equal(r.err, 0); /* the parent is unaffected */
    assert_int_equal(buf_read_i8(&r), 4);
    assert_int_not_equal(buf_reader_sub(&r, 3, &sub), 0);
    assert_int_equal(r.err, BUF_ESHORT);
    assert_int_not_equal(sub.err, 0);
}

static void test_writer_grows_and_patches(void **state)
{
    buf_writer w;
    size_t at;
    int i;
    (void)state;
    buf_writer_init(&w, 1, 0);
    at = buf_reserve_i32(&w);
    for (i = 0; i < 1000; i++)
        buf_write_i32(&w, i);
    buf_patch_i32(&w, at, 4000);
    assert_int_equal(w.err, 0);
    assert_int_equal(w.len, 4004);
    assert_int_equal(buf_get_u32be(w.p), 4000);
    assert_int_equal(buf_get_u32be(w.p + 4 + 999 * 4), 999);
    buf_writer_release(&w);
    assert_null(w.p);
}

static void test_writer_cap_is_sticky(void **state)
{
    uint8_t mem[6];
    buf_writer w;
    (void)state;
    buf_writer_init(&w, 0, 10);
    buf_write_i64(&w, 1);
    assert_int_equal(w.err, 0);
    buf_write_i32(&w, 2);
    assert_int_equal(w.err, BUF_ELIMIT);
    assert_int_equal(w.len, 8);
    buf_write_i8(&w, 1); /* would fit, but the error is sticky */
    assert_int_equal(w.len, 8);
    assert_null(buf_reserve(&w, 1));
    buf_writer_release(&w);

    buf_writer_init_fixed(&w, mem, sizeof(mem));
    buf_write_i32(&w, 0x01020304);
    buf_write_i16(&w, 0x0506);
    assert_int_equal(w.err, 0);
    assert_memory_equal(mem, "\x01\x02\x03\x04\x05\x06", 6);
    buf_write_i8(&w, 7);
    assert_int_equal(w.err, BUF_ELIMIT);
    buf_writer_release(&w); /* must not free caller memory */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_big_endian),
        cmocka_unit_test(test_short_read_is_sticky),
        cmocka_unit_test(test_uvarint_limits),
        cmocka_unit_test(test_zigzag_round_trip_and_sizes),
        cmocka_unit_test(test_varlong_eleven_bytes_rejected),
        cmocka_unit_test(test_varint_boundaries_both_paths),
        cmocka_unit_test(test_count_checked_against_bytes_left),
        cmocka_unit_test(test_sub_reader_cannot_see_past_its_end),
        cmocka_unit_test(test_writer_grows_and_patches),
        cmocka_unit_test(test_writer_cap_is_sticky),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
