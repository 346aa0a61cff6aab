/*
 * test_kafka_record_batch.c - record batch v2: encode/validate/iterate for
 * every codec, CRC and size checks, counts larger than their bytes,
 * truncation and byte flips at every offset, offset patching.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "crc32c.h"
#include "kafka.h"
#include "kafka_record_batch.h"

#define V(s) ((buf_view){(const uint8_t *)(s), sizeof(s) - 1, 0})
static const buf_view null_view = {NULL, 0, 1};

static void fix_crc(uint8_t *p, size_t len)
{
    buf_put_u32be(p + KAFKA_BATCH_CRC_OFFSET,
                  crc32c(0, p + KAFKA_BATCH_CRC_START,
                         len - KAFKA_BATCH_CRC_START));
}

/* Three records: a keyed one with two headers (one null value), a null
 * key, a null value. */
static void make_batch(buf_writer *w, int codec)
{
    static const kafka_rec_header hdrs[2] = {
        {{(const uint8_t *)"TAGS", 4, 0}, {(const uint8_t *)"a||b", 4, 0}},
        {{(const uint8_t *)"empty", 5, 0}, {NULL, 0, 1}}};
    kafka_record_in recs[3];
    kafka_batch_params bp;

    memset(recs, 0, sizeof(recs));
    recs[0].timestamp = 1700000000000LL;
    recs[0].key = V("key-0");
    recs[0].value = V("hello world hello world hello world");
    recs[0].headers = hdrs;
    recs[0].n_headers = 2;
    recs[1].timestamp = 1700000000005LL;
    recs[1].key = null_view;
    recs[1].value = V("v1");
    recs[2].timestamp = 1699999999999LL;
    recs[2].key = V("k2");
    recs[2].value = null_view;
    kafka_batch_params_init(&bp);
    bp.codec = codec;
    bp.producer_id = 77;
    bp.producer_epoch = 3;
    bp.base_sequence = 10;
    assert_int_equal(kafka_batch_encode(w, &bp, recs, 3), 0);
}

static void check_records(const kafka_batch_info *info)
{
    kafka_record_iter it;
    kafka_header_iter hi;
    kafka_record rec;
    buf_view k, v;

    /* validation's summary: keys on records 0 and 2, headers on 0 */
    assert_int_equal(info->records_with_key, 2);
    assert_int_equal(info->records_with_headers, 1);
    kafka_record_iter_init(&it, info->records, info->records_len,
                           info->count);
    assert_int_equal(kafka_record_next(&it, &rec), 1);
    assert_int_equal(rec.offset_delta, 0);
    assert_int_equal(rec.timestamp_delta, 0);
    assert_int_equal(rec.key.len, 5);
    assert_memory_equal(rec.key.ptr, "key-0", 5);
    assert_int_equal(rec.header_count, 2);
    kafka_header_iter_init(&hi, &rec);
    assert_int_equal(kafka_header_next(&hi, &k, &v), 1);
    assert_memory_equal(k.ptr, "TAGS", 4);
    assert_memory_equal(v.ptr, "a||b", 4);
    assert_int_equal(kafka_header_next(&hi, &k, &v), 1);
    assert_int_equal(k.len, 5);
    assert_true(v.is_null);
    assert_int_equal(kafka_header_next(&hi, &k, &v), 0);
    assert_int_equal(kafka_record_next(&it, &rec), 1);
    assert_true(rec.key.is_null);
    assert_int_equal(rec.offset_delta, 1);
    assert_int_equal(rec.timestamp_delta, 5);
    assert_int_equal(kafka_record_next(&it, &rec), 1);
    assert_true(rec.value.is_null);
    assert_int_equal(rec.timestamp_delta, -1);
    assert_int_equal(kafka_record_next(&it, &rec), 0);
}

static void test_every_codec_round_trip(void **state)
{
    int codec;
    (void)state;
    for (codec = KAFKA_CODEC_NONE; codec <= KAFKA_CODEC_ZSTD; codec++) {
        buf_writer w, scratch;
        kafka_batch_info info;
        kafka_batch_header h;
        char err[128];

        buf_writer_init(&w, 0, 0);
        buf_writer_init(&scratch, 0, 0);
        make_batch(&w, codec);
        assert_int_equal(kafka_batch_header_parse(w.p, w.len, &h), 0);
        assert_int_equal(h.attributes & KAFKA_ATTR_CODEC_MASK, codec);
        assert_int_equal(kafka_batch_size(w.p, w.len), (int64_t)w.len);
        assert_int_equal(kafka_batch_validate(w.p, w.len, NULL, &scratch,
                                              &info, err, sizeof(err)),
                         KAFKA_ERR_NONE);
        assert_int_equal(info.count, 3);
        assert_int_equal(info.codec, codec);
        assert_int_equal(info.producer_id, 77);
        assert_int_equal(info.producer_epoch, 3);
        assert_int_equal(info.base_sequence, 10);
        assert_int_equal(info.hdr.last_offset_delta, 2);
        assert_true(info.base_timestamp == 1700000000000LL);
        assert_true(info.max_timestamp == 1700000000005LL);
        assert_true(info.max_record_timestamp == 1700000000005LL);
        assert_false(info.is_transactional);
        if (codec == KAFKA_CODEC_NONE)
            assert_ptr_equal(info.records, w.p + KAFKA_BATCH_HEADER_SIZE);
        else
            assert_ptr_equal(info.records, scratch.p);
        check_records(&info);
        buf_writer_release(&w);
        buf_writer_release(&scratch);
    }
}

static void test_crc_mismatch_rejected(void **state)
{
    buf_writer w, scratch;
    kafka_batch_info info;
    char err[128];
    (void)state;
    buf_writer_init(&w, 0, 0);
    buf_writer_init(&scratch, 0, 0);
    make_batch(&w, KAFKA_CODEC_NONE);
    w.p[w.len - 1] ^= 1;
    assert_int_equal(kafka_batch_validate(w.p, w.len, NULL, &scratch, &info,
                                          err, sizeof(err)),
                     KAFKA_ERR_CORRUPT_MESSAGE);
    assert_non_null(strstr(err, "CRC"));
    w.p[w.len - 1] ^= 1;
    w.p[22] ^= 0x08; /* attributes are under the CRC too */
    assert_int_equal(kafka_batch_validate(w.p, w.len, NULL, &scratch, &info,
                                          NULL, 0),
                     KAFKA_ERR_CORRUPT_MESSAGE);
    buf_writer_release(&w);
    buf_writer_release(&scratch);
}

static void test_base_offset_and_epoch_patch_keep_crc(void **state)
{
    buf_writer w;
    kafka_batch_info info;
    (void)state;
    buf_writer_init(&w, 0, 0);
    make_batch(&w, KAFKA_CODEC_NONE);
    kafka_batch_set_base_offset(w.p, 123456789012LL);
    kafka_batch_set_leader_epoch(w.p, 5);
    assert_int_equal(kafka_batch_validate(w.p, w.len, NULL, NULL, &info, NULL,
                                          0),
                     0);
    assert_true(info.hdr.base_offset == 123456789012LL);
    assert_int_equal(info.hdr.partition_leader_epoch, 5);
    buf_writer_release(&w);
}

static void test_count_larger_than_bytes_rejected(void **state)
{
    buf_writer w;
    kafka_batch_info info;
    (void)state;
    buf_writer_init(&w, 0, 0);
    make_batch(&w, KAFKA_CODEC_NONE);
    buf_put_u32be(w.p + 57, 1000000);
    fix_crc(w.p, w.len);
    assert_int_equal(kafka_batch_validate(w.p, w.len, NULL, NULL, &info, NULL,
                                          0),
                     KAFKA_ERR_CORRUPT_MESSAGE);
    /* one more than present, but small enough for the byte bound */
    buf_put_u32be(w.p + 57, 4);
    fix_crc(w.p, w.len);
    assert_int_equal(kafka_batch_validate(w.p, w.len, NULL, NULL, &info, NULL,
                                          0),
                     KAFKA_ERR_CORRUPT_MESSAGE);
    /* fewer than present: bytes left over */
    buf_put_u32be(w.p + 57, 2);
    fix_crc(w.p, w.len);
    assert_int_equal(kafka_batch_validate(w.p, w.len, NULL, NULL, &info, NULL,
                                          0),
                     KAFKA_ERR_CORRUPT_MESSAGE);
    buf_put_u32be(w.p + 57, (uint32_t)-1);
    fix_crc(w.p, w.len);
    assert_int_equal(kafka_batch_validate(w.p, w.len, NULL, NULL, &info, NULL,
                                          0),
                     KAFKA_ERR_CORRUPT_MESSAGE);
    buf_writer_release(&w);
}

static void test_last_offset_delta_must_match(void **state)
{
    buf_writer w;
    kafka_batch_info info;
    (void)state;
    buf_writer_init(&w, 0, 0);
    make_batch(&w, KAFKA_CODEC_NONE);
    buf_put_u32be(w.p + 23, 5);
    fix_crc(w.p, w.len);
    assert_int_equal(kafka_batch_validate(w.p, w.len, NULL, NULL, &info, NULL,
                                          0),
                     KAFKA_ERR_INVALID_RECORD);
    buf_writer_release(&w);
}

static void test_explicit_offset_deltas_with_gaps(void **state)
{
    kafka_record_in recs[2];
    kafka_batch_params bp;
    kafka_batch_info info;
    buf_writer w;
    (void)state;
    memset(recs, 0, sizeof(recs));
    recs[0].offset_delta = 0;
    recs[1].offset_delta = 7;
    recs[0].key = recs[1].key = null_view;
    kafka_batch_params_init(&bp);
    bp.explicit_deltas = 1;
    buf_writer_init(&w, 0, 0);
    assert_int_equal(kafka_batch_encode(&w, &bp, recs, 2), 0);
    assert_int_equal(kafka_batch_validate(w.p, w.len, NULL, NULL, &info, NULL,
                                          0),
                     0);
    assert_int_equal(info.hdr.last_offset_delta, 7);
    /* decreasing deltas are refused by the encoder */
    recs[1].offset_delta = 0;
    assert_int_equal(kafka_batch_encode(&w, &bp, recs, 2), BUF_EINVAL);
    buf_writer_release(&w);
}

static void test_two_batches_or_wrong_magic_are_invalid(void **state)
{
    buf_writer w;
    kafka_batch_info info;
    size_t one;
    (void)state;
    buf_writer_init(&w, 0, 0);
    make_batch(&w, KAFKA_CODEC_NONE);
    one = w.len;
    make_batch(&w, KAFKA_CODEC_NONE);
    assert_int_equal(kafka_batch_validate(w.p, w.len, NULL, NULL, &info, NULL,
                                          0),
                     KAFKA_ERR_INVALID_RECORD);
    assert_int_equal(kafka_batch_size(w.p + one, w.len - one),
                     (int64_t)one);
    w.p[16] = 1;
    assert_int_equal(kafka_batch_validate(w.p, one, NULL, NULL, &info, NULL,
                                          0),
                     KAFKA_ERR_INVALID_RECORD);
    buf_writer_release(&w);
}

static void test_limits(void **state)
{
    buf_writer w, scratch;
    kafka_batch_info info;
    kafka_batch_limits lim;
    (void)state;
    buf_writer_init(&w, 0, 0);
    buf_writer_init(&scratch, 0, 0);
    make_batch(&w, KAFKA_CODEC_ZSTD);
    memset(&lim, 0, sizeof(lim));
    lim.max_batch_bytes = w.len - 1;
    assert_int_equal(kafka_batch_validate(w.p, w.len, &lim, &scratch, &info,
                                          NULL, 0),
                     KAFKA_ERR_MESSAGE_TOO_LARGE);
    memset(&lim, 0, sizeof(lim));
    lim.max_uncompressed = 20;
    assert_int_equal(kafka_batch_validate(w.p, w.len, &lim, &scratch, &info,
                                          NULL, 0),
                     KAFKA_ERR_MESSAGE_TOO_LARGE);
    memset(&lim, 0, sizeof(lim));
    lim.max_records = 2;
    assert_int_equal(kafka_batch_validate(w.p, w.len, &lim, &scratch, &info,
                                          NULL, 0),
                     KAFKA_ERR_RECORD_LIST_TOO_LARGE);
    /* compressed without scratch */
    assert_int_not_equal(kafka_batch_validate(w.p, w.len, NULL, NULL, &info,
                                              NULL, 0),
                         0);
    /* unknown codec 5 */
    w.p[22] = (uint8_t)((w.p[22] & ~7) | 5);
    fix_crc(w.p, w.len);
    assert_int_equal(kafka_batch_validate(w.p, w.len, NULL, &scratch, &info,
                                          NULL, 0),
                     KAFKA_ERR_UNSUPPORTED_COMPRESSION_TYPE);
    buf_writer_release(&w);
    buf_writer_release(&scratch);
}

/* Every truncation fails; every single-byte flip (CRC recomputed so the
 * parser is reached) never crashes. */
static void test_truncate_and_flip_every_byte(void **state)
{
    int codec;
    (void)state;
    for (codec = KAFKA_CODEC_NONE; codec <= KAFKA_CODEC_ZSTD; codec++) {
        buf_writer w, scratch;
        kafka_batch_info info;
        kafka_batch_limits lim = {0, 1 << 16, 0};
        uint8_t *copy;
        size_t cut, i;
        int bit;

        buf_writer_init(&w, 0, 0);
        buf_writer_init(&scratch, 0, 0);
        make_batch(&w, codec);
        copy = malloc(w.len);
        for (cut = 0; cut < w.len; cut++) {
            memcpy(copy, w.p, cut);
            assert_int_not_equal(kafka_batch_validate(copy, cut, &lim,
                                                      &scratch, &info, NULL,
                                                      0),
                                 0);
            /* even with the batchLength and CRC made consistent */
            if (cut >= KAFKA_BATCH_HEADER_SIZE) {
                buf_put_u32be(copy + 8, (uint32_t)(cut - 12));
                fix_crc(copy, cut);
                if (cut < w.len)
                    assert_int_not_equal(
                        kafka_batch_validate(copy, cut, &lim, &scratch, &info,
                                             NULL, 0),
                        0);
            }
        }
        for (i = KAFKA_BATCH_CRC_START; i < w.len; i++) {
            for (bit = 0; bit < 8; bit++) {
                int rc;
                memcpy(copy, w.p, w.len);
                copy[i] ^= (uint8_t)(1 << bit);
                fix_crc(copy, w.len);
                rc = kafka_batch_validate(copy, w.len, &lim, &scratch, &info,
                                          NULL, 0);
                if (rc == 0) {
                    /* if it validates, iteration must agree */
                    kafka_record_iter it;
                    kafka_record rec;
                    int32_t n = 0;
                    kafka_record_iter_init(&it, info.records,
                                           info.records_len, info.count);
                    while (kafka_record_next(&it, &rec) == 1)
                        n++;
                    assert_int_equal(n, info.count);
                }
            }
        }
        free(copy);
        buf_writer_release(&w);
        buf_writer_release(&scratch);
    }
}

static void test_empty_batch(void **state)
{
    kafka_batch_params bp;
    kafka_batch_info info;
    buf_writer w;
    (void)state;
    kafka_batch_params_init(&bp);
    buf_writer_init(&w, 0, 0);
    assert_int_equal(kafka_batch_encode(&w, &bp, NULL, 0), 0);
    assert_int_equal(w.len, KAFKA_BATCH_HEADER_SIZE);
    assert_int_equal(kafka_batch_validate(w.p, w.len, NULL, NULL, &info, NULL,
                                          0),
                     0);
    assert_int_equal(info.count, 0);
    assert_int_equal(info.base_timestamp, -1);
    buf_writer_release(&w);
}

static void test_control_batch_flags(void **state)
{
    static const uint8_t key[4] = {0, 0, 0, 1}; /* version 0, COMMIT */
    static const uint8_t val[6] = {0, 0, 0, 0, 0, 9};
    kafka_record_in rec;
    kafka_batch_params bp;
    kafka_batch_info info;
    buf_writer w;
    (void)state;
    memset(&rec, 0, sizeof(rec));
    rec.key = (buf_view){key, 4, 0};
    rec.value = (buf_view){val, 6, 0};
    kafka_batch_params_init(&bp);
    bp.is_control = 1;
    bp.is_transactional = 1;
    bp.producer_id = 5;
    bp.producer_epoch = 0;
    buf_writer_init(&w, 0, 0);
    assert_int_equal(kafka_batch_encode(&w, &bp, &rec, 1), 0);
    assert_int_equal(buf_get_u16be(w.p + 21), 0x30);
    assert_int_equal(kafka_batch_validate(w.p, w.len, NULL, NULL, &info, NULL,
                                          0),
                     0);
    assert_true(info.is_control);
    assert_true(info.is_transactional);
    buf_writer_release(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_codec_round_trip),
        cmocka_unit_test(test_crc_mismatch_rejected),
        cmocka_unit_test(test_base_offset_and_epoch_patch_keep_crc),
        cmocka_unit_test(test_count_larger_than_bytes_rejected),
        cmocka_unit_test(test_last_offset_delta_must_match),
        cmocka_unit_test(test_explicit_offset_deltas_with_gaps),
        cmocka_unit_test(test_two_batches_or_wrong_magic_are_invalid),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_truncate_and_flip_every_byte),
        cmocka_unit_test(test_empty_batch),
        cmocka_unit_test(test_control_batch_flags),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
