/*
 * test_kafka_header.c - request/response headers (v1/v2, v0/v1), frame
 * size checks, flexible-version table and the KIP-511 ApiVersions answer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "kafka.h"

static void test_frame_check(void **state)
{
    static const uint8_t ok[4] = {0, 0, 1, 0};
    static const uint8_t neg[4] = {0xff, 0xff, 0xff, 0xfe};
    static const uint8_t big[4] = {0x10, 0, 0, 0};
    size_t n = 7;
    (void)state;
    assert_int_equal(kafka_frame_check(ok, 1024, &n), 0);
    assert_int_equal(n, 256);
    assert_int_equal(kafka_frame_check(ok, 255, &n), BUF_ELIMIT);
    assert_int_equal(kafka_frame_check(neg, 1024, &n), BUF_EINVAL);
    assert_int_equal(kafka_frame_check(big, KAFKA_DEFAULT_MAX_FRAME, &n),
                     BUF_ELIMIT);
}

static void test_req_header_v1_and_null_client_id(void **state)
{
    static const uint8_t v1[] = {0x00, 0x03, 0x00, 0x04, 0x00, 0x00, 0x00,
                                 0x2a, 0x00, 0x02, 'i',  'd',  0x99};
    static const uint8_t v1null[] = {0x00, 0x00, 0x00, 0x07, 0x00, 0x00,
                                     0x00, 0x01, 0xff, 0xff};
    kafka_req_header h;
    buf_reader r;
    (void)state;
    buf_reader_init(&r, v1, sizeof(v1));
    assert_int_equal(kafka_req_header_decode(&r, &h), 0);
    assert_int_equal(h.api_key, KAFKA_API_METADATA);
    assert_int_equal(h.api_version, 4);
    assert_int_equal(h.correlation_id, 42);
    assert_int_equal(h.client_id.len, 2);
    assert_memory_equal(h.client_id.ptr, "id", 2);
    assert_int_equal(buf_left(&r), 1); /* body starts at 0x99 */
    buf_reader_init(&r, v1null, sizeof(v1null));
    assert_int_equal(kafka_req_header_decode(&r, &h), 0);
    assert_true(h.client_id.is_null);
}

static void test_req_header_v2_skips_tags(void **state)
{
    /* Metadata v9 is flexible: header v2 = classic client_id + tags */
    static const uint8_t v2[] = {0x00, 0x03, 0x00, 0x09, 0x00, 0x00,
                                 0x00, 0x01, 0x00, 0x01, 'c',  0x01,
                                 0x05, 0x02, 0xaa, 0xbb, 0x77};
    kafka_req_header h;
    buf_writer w;
    buf_reader r;
    (void)state;
    buf_reader_init(&r, v2, sizeof(v2));
    assert_int_equal(kafka_req_header_decode(&r, &h), 0);
    assert_int_equal(buf_left(&r), 1);
    assert_int_equal(r.p[r.off], 0x77);
    /* encode writes an empty tag section */
    buf_writer_init(&w, 32, 0);
    kafka_req_header_encode(&w, &h);
    assert_int_equal(w.len, 12);
    assert_int_equal(w.p[11], 0);
    buf_writer_release(&w);
}

static void test_unknown_api_key_decodes_as_v1(void **state)
{
    /* key 999 v7: header v1, so the 0x00 after client_id is body */
    static const uint8_t in[] = {0x03, 0xe7, 0x00, 0x07, 0x00, 0x00,
                                 0x00, 0x05, 0x00, 0x00, 0x00};
    kafka_req_header h;
    buf_reader r;
    (void)state;
    buf_reader_init(&r, in, sizeof(in));
    assert_int_equal(kafka_req_header_decode(&r, &h), 0);
    assert_int_equal(h.api_key, 999);
    assert_int_equal(h.correlation_id, 5);
    assert_int_equal(buf_left(&r), 1);
    assert_string_equal(kafka_api_name(999), "Unknown");
}

static void test_truncated_header_fails(void **state)
{
    static const uint8_t in[] = {0x00, 0x03, 0x00, 0x09, 0x00, 0x00,
                                 0x00, 0x01, 0x00, 0x05, 'c'};
    kafka_req_header h;
    buf_reader r;
    size_t cut;
    (void)state;
    for (cut = 0; cut <= sizeof(in); cut++) {
        buf_reader_init(&r, in, cut);
        assert_int_not_equal(kafka_req_header_decode(&r, &h), 0);
    }
}

static void test_resp_header_versions(void **state)
{
    buf_writer w;
    (void)state;
    buf_writer_init(&w, 16, 0);
    kafka_resp_header_encode(&w, KAFKA_API_METADATA, 8, 9);
    assert_int_equal(w.len, 4);
    w.len = 0;
    kafka_resp_header_encode(&w, KAFKA_API_METADATA, 9, 9);
    assert_int_equal(w.len, 5);
    assert_int_equal(w.p[4], 0);
    w.len = 0;
    /* ApiVersions stays on header v0 even at flexible v3/v4 */
    kafka_resp_header_encode(&w, KAFKA_API_API_VERSIONS, 4, 9);
    assert_int_equal(w.len, 4);
    w.len = 0;
    kafka_resp_header_encode(&w, KAFKA_API_FETCH, 12, 9);
    assert_int_equal(w.len, 5);
    buf_writer_release(&w);
}

static void test_flexible_table(void **state)
{
    (void)state;
    assert_int_equal(kafka_api_flexible_from(KAFKA_API_PRODUCE), 9);
    assert_int_equal(kafka_api_flexible_from(KAFKA_API_FETCH), 12);
    assert_int_equal(kafka_api_flexible_from(KAFKA_API_LIST_OFFSETS), 6);
    assert_int_equal(kafka_api_flexible_from(KAFKA_API_METADATA), 9);
    assert_int_equal(kafka_api_flexible_from(KAFKA_API_API_VERSIONS), 3);
    assert_int_equal(kafka_api_flexible_from(KAFKA_API_CREATE_TOPICS), 5);
    assert_int_equal(kafka_api_flexible_from(KAFKA_API_SASL_HANDSHAKE), -1);
    assert_int_equal(kafka_api_flexible_from(KAFKA_API_DESCRIBE_CLUSTER), 0);
    assert_int_equal(kafka_api_flexible_from(12345), -1);
    assert_string_equal(kafka_api_name(KAFKA_API_FETCH), "Fetch");
    assert_string_equal(kafka_error_name(KAFKA_ERR_OFFSET_OUT_OF_RANGE),
                        "OFFSET_OUT_OF_RANGE");
    assert_string_equal(kafka_error_name(12345), "UNKNOWN");
}

static void test_kip511_unknown_api_versions_answer(void **state)
{
    static const uint8_t exp[] = {0x00, 0x00, 0x00, 0x10, /* size 16 */
                                  0x00, 0x00, 0x00, 0x07, /* corr */
                                  0x00, 0x23,             /* 35 */
                                  0x00, 0x00, 0x00, 0x01, 0x00, 0x12,
                                  0x00, 0x00, 0x00, 0x04};
    kafka_api_versions_resp resp;
    wire_arena a;
    buf_writer w;
    buf_reader r;
    size_t at;
    int32_t corr;
    (void)state;
    buf_writer_init(&w, 32, 0);
    at = kafka_frame_begin(&w);
    kafka_api_versions_unsupported_encode(&w, 7, 0, 4);
    kafka_frame_end(&w, at, NULL);
    assert_int_equal(w.len, sizeof(exp));
    assert_memory_equal(w.p, exp, sizeof(exp));
    /* a v0 client can read it */
    wire_arena_init(&a, 0, 0);
    buf_reader_init(&r, w.p + 4, w.len - 4);
    assert_int_equal(
        kafka_resp_header_decode(&r, KAFKA_API_API_VERSIONS, 0, &corr), 0);
    assert_int_equal(corr, 7);
    assert_int_equal(
        kafka_decode(&kafka_api_versions_resp_schema, 0, &r, &resp, &a), 0);
    assert_int_equal(resp.error_code, KAFKA_ERR_UNSUPPORTED_VERSION);
    assert_int_equal(resp.api_keys.count, 1);
    assert_int_equal(resp.api_keys.items[0].api_key, 18);
    assert_int_equal(resp.api_keys.items[0].max_version, 4);
    assert_int_equal(buf_left(&r), 0);
    wire_arena_release(&a);
    buf_writer_release(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_check),
        cmocka_unit_test(test_req_header_v1_and_null_client_id),
        cmocka_unit_test(test_req_header_v2_skips_tags),
        cmocka_unit_test(test_unknown_api_key_decodes_as_v1),
        cmocka_unit_test(test_truncated_header_fails),
        cmocka_unit_test(test_resp_header_versions),
        cmocka_unit_test(test_flexible_table),
        cmocka_unit_test(test_kip511_unknown_api_versions_answer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
