/*
 * test_kafka_compress.c - codecs round trip, corrupt input is an error,
 * and decompression bombs (1 GiB of zeros for zstd, 256 MiB for gzip and
 * lz4) stop at a small cap without allocating past it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <lz4frame.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "crc32c.h"
#include "kafka.h"
#include "kafka_compress.h"
#include "kafka_record_batch.h"

#define MIB (1024u * 1024u)

static uint8_t *sample(size_t n)
{
    uint8_t *p = malloc(n);
    size_t i;
    for (i = 0; i < n; i++)
        p[i] = (uint8_t)((i * 7) ^ (i >> 5));
    return p;
}

static void test_round_trip_every_codec(void **state)
{
    static const size_t sizes[] = {0, 1, 100, 70000, 300000};
    int codec;
    size_t k;
    (void)state;
    for (codec = KAFKA_CODEC_NONE; codec <= KAFKA_CODEC_ZSTD; codec++) {
        for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
            uint8_t *in = sample(sizes[k] + 1);
            buf_writer c, d;
            buf_writer_init(&c, 0, 0);
            buf_writer_init(&d, 0, 0);
            assert_int_equal(kafka_compress(codec, 0, in, sizes[k], &c), 0);
            assert_int_equal(
                kafka_decompress(codec, c.p, c.len, &d, sizes[k] + 10), 0);
            assert_int_equal(d.len, sizes[k]);
            if (sizes[k])
                assert_memory_equal(d.p, in, sizes[k]);
            /* exactly at the cap is fine, one below is not */
            if (sizes[k]) {
                d.len = 0;
                assert_int_equal(
                    kafka_decompress(codec, c.p, c.len, &d, sizes[k]), 0);
                d.len = 0;
                assert_int_equal(
                    kafka_decompress(codec, c.p, c.len, &d, sizes[k] - 1),
                    BUF_ELIMIT);
            }
            buf_writer_release(&c);
            buf_writer_release(&d);
            free(in);
        }
    }
}

static void test_snappy_raw_block_is_accepted(void **state)
{
    uint8_t *in = sample(5000);
    buf_writer c, d;
    (void)state;
    buf_writer_init(&c, 0, 0);
    buf_writer_init(&d, 0, 0);
    assert_int_equal(kafka_compress_snappy_raw(in, 5000, &c), 0);
    assert_int_not_equal(c.p[1], 'S');
    assert_int_equal(kafka_decompress(KAFKA_CODEC_SNAPPY, c.p, c.len, &d,
                                      MIB),
                     0);
    assert_int_equal(d.len, 5000);
    assert_memory_equal(d.p, in, 5000);
    buf_writer_release(&c);
    buf_writer_release(&d);
    free(in);
}

static void test_corrupt_and_truncated_input_fails(void **state)
{
    int codec;
    (void)state;
    for (codec = KAFKA_CODEC_GZIP; codec <= KAFKA_CODEC_ZSTD; codec++) {
        uint8_t *in = sample(20000);
        buf_writer c, d;
        size_t cut;
        buf_writer_init(&c, 0, 0);
        buf_writer_init(&d, 0, 0);
        assert_int_equal(kafka_compress(codec, 0, in, 20000, &c), 0);
        for (cut = 0; cut < c.len; cut += (cut < 64 ? 1 : 97)) {
            d.len = 0;
            d.err = 0;
            /* a xerial stream cut at a block boundary is a valid, shorter
             * stream (the record parser catches it): skip those cuts */
            if (codec == KAFKA_CODEC_SNAPPY && cut == 16)
                continue;
            if (kafka_decompress(codec, c.p, cut, &d, MIB) == 0)
                fail_msg("codec %d: prefix %zu of %zu accepted", codec, cut,
                         c.len);
        }
        buf_writer_release(&c);
        buf_writer_release(&d);
        free(in);
    }
    {
        buf_writer d;
        buf_writer_init(&d, 0, 0);
        assert_int_equal(
            kafka_decompress(KAFKA_CODEC_ZSTD, (const uint8_t *)"garbage!", 8,
                             &d, MIB),
            BUF_EINVAL);
        assert_int_equal(kafka_decompress(7, (const uint8_t *)"x", 1, &d, MIB),
                         BUF_EINVAL);
        buf_writer_release(&d);
    }
}

/* 1 GiB of zeros as one zstd frame (about 40 KB compressed). */
static void zstd_bomb(buf_writer *out)
{
    ZSTD_CCtx *cc = ZSTD_createCCtx();
    uint8_t *zeros = calloc(1, MIB);
    size_t i;
    ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, 1);
    for (i = 0; i < 1024; i++) {
        ZSTD_inBuffer ib = {zeros, MIB, 0};
        while (ib.pos < ib.size) {
            uint8_t *p = buf_reserve(out, 1 << 16);
            ZSTD_outBuffer ob = {p, 1 << 16, 0};
            assert_false(ZSTD_isError(
                ZSTD_compressStream2(cc, &ob, &ib, ZSTD_e_continue)));
            buf_commit(out, ob.pos);
        }
    }
    for (;;) {
        ZSTD_inBuffer ib = {NULL, 0, 0};
        uint8_t *p = buf_reserve(out, 1 << 16);
        ZSTD_outBuffer ob = {p, 1 << 16, 0};
        size_t left = ZSTD_compressStream2(cc, &ob, &ib, ZSTD_e_end);
        assert_false(ZSTD_isError(left));
        buf_commit(out, ob.pos);
        if (left == 0)
            break;
    }
    ZSTD_freeCCtx(cc);
    free(zeros);
}

static void test_zstd_bomb_refused_under_small_cap(void **state)
{
    buf_writer bomb, out, batch, scratch;
    kafka_batch_limits lim = {0, MIB, 0};
    kafka_batch_info info;
    char err[128];
    (void)state;
    buf_writer_init(&bomb, 0, 0);
    zstd_bomb(&bomb);
    assert_true(bomb.len < 100000);
    buf_writer_init(&out, 0, 0);
    assert_int_equal(
        kafka_decompress(KAFKA_CODEC_ZSTD, bomb.p, bomb.len, &out, MIB),
        BUF_ELIMIT);
    assert_true(out.len <= MIB);
    assert_true(out.cap <= 2 * MIB + 64 * 1024); /* never allocated 1 GiB */
    buf_writer_release(&out);

    /* the same bomb as a batch's records section */
    buf_writer_init(&batch, 0, 0);
    buf_writer_init(&scratch, 0, 0);
    {
        uint8_t *h = buf_reserve(&batch, KAFKA_BATCH_HEADER_SIZE);
        memset(h, 0, KAFKA_BATCH_HEADER_SIZE);
        buf_commit(&batch, KAFKA_BATCH_HEADER_SIZE);
        buf_write_raw(&batch, bomb.p, bomb.len);
        h = batch.p;
        buf_put_u32be(h + 8, (uint32_t)(batch.len - 12));
        h[16] = 2;
        buf_put_u16be(h + 21, KAFKA_CODEC_ZSTD);
        buf_put_u32be(h + 57, 1);
        buf_put_u32be(h + 17, crc32c(0, h + 21, batch.len - 21));
    }
    assert_int_equal(kafka_batch_validate(batch.p, batch.len, &lim, &scratch,
                                          &info, err, sizeof(err)),
                     KAFKA_ERR_MESSAGE_TOO_LARGE);
    assert_true(scratch.cap <= 2 * MIB + 64 * 1024);
    buf_writer_release(&batch);
    buf_writer_release(&scratch);
    buf_writer_release(&bomb);
}

static void test_gzip_and_lz4_bombs_refused(void **state)
{
    uint8_t *zeros = calloc(1, 256 * MIB);
    int codecs[2] = {KAFKA_CODEC_GZIP, KAFKA_CODEC_LZ4};
    int k;
    (void)state;
    for (k = 0; k < 2; k++) {
        buf_writer c, d;
        buf_writer_init(&c, 0, 0);
        buf_writer_init(&d, 0, 0);
        assert_int_equal(kafka_compress(codecs[k], 1, zeros, 256 * MIB, &c),
                         0);
        assert_int_equal(
            kafka_decompress(codecs[k], c.p, c.len, &d, 512 * 1024),
            BUF_ELIMIT);
        assert_true(d.cap <= MIB + 64 * 1024);
        buf_writer_release(&c);
        buf_writer_release(&d);
    }
    free(zeros);
}

static void test_snappy_block_length_checked_before_alloc(void **state)
{
    /* raw snappy header claiming 2^31 bytes of output */
    static const uint8_t claim[] = {0x80, 0x80, 0x80, 0x80, 0x08, 0x00};
    buf_writer d;
    (void)state;
    buf_writer_init(&d, 0, 0);
    assert_int_equal(
        kafka_decompress(KAFKA_CODEC_SNAPPY, claim, sizeof(claim), &d, MIB),
        BUF_ELIMIT);
    assert_int_equal(d.cap, 0);
    buf_writer_release(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_every_codec),
        cmocka_unit_test(test_snappy_raw_block_is_accepted),
        cmocka_unit_test(test_corrupt_and_truncated_input_fails),
        cmocka_unit_test(test_zstd_bomb_refused_under_small_cap),
        cmocka_unit_test(test_gzip_and_lz4_bombs_refused),
        cmocka_unit_test(test_snappy_block_length_checked_before_alloc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
