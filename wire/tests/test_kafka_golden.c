/*
 * test_kafka_golden.c - request frames captured from kcat (Debian 12) with
 * librdkafka 2.0.2 (wire/testdata/capture_kcat.py), and from the
 * rdkafka_performance consumer of librdkafka 2.0.2
 * (capture_rdkafka_group.py), decode as expected and re-encode to the
 * same bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka.h"

static size_t load(const char *name, uint8_t *buf, size_t cap)
{
    char path[512];
    FILE *f;
    size_t n;

    snprintf(path, sizeof(path), "%s/%s", WIRE_TESTDATA_DIR, name);
    f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

/* frame -> header + body; body re-encodes to the same bytes */
static void check_frame(const uint8_t *frame, size_t len, int16_t key,
                        int16_t ver, void *body, wire_arena *a)
{
    kafka_req_header h;
    const kafka_schema *s;
    buf_reader r;
    buf_writer w;
    size_t n, body_off;

    assert_int_equal(kafka_frame_check(frame, 1 << 20, &n), 0);
    assert_int_equal(n, len - 4);
    buf_reader_init(&r, frame + 4, n);
    assert_int_equal(kafka_req_header_decode(&r, &h), 0);
    assert_int_equal(h.api_key, key);
    assert_int_equal(h.api_version, ver);
    assert_int_equal(h.client_id.len, 12);
    assert_memory_equal(h.client_id.ptr, "ferry-golden", 12);
    body_off = r.off;
    s = kafka_request_schema(key);
    assert_non_null(s);
    assert_int_equal(kafka_decode(s, ver, &r, body, a), 0);
    assert_int_equal(buf_left(&r), 0);

    buf_writer_init(&w, 64, 0);
    {
        size_t at = kafka_frame_begin(&w);
        kafka_req_header_encode(&w, &h);
        assert_int_equal(w.len - 4, body_off);
        assert_int_equal(kafka_encode(s, ver, body, &w, NULL), 0);
        kafka_frame_end(&w, at, NULL);
    }
    assert_int_equal(w.len, len);
    assert_memory_equal(w.p, frame, len);
    buf_writer_release(&w);
}

static void test_kcat_api_versions_v3(void **state)
{
    uint8_t frame[256];
    kafka_api_versions_req req;
    wire_arena a;
    size_t len = load("kcat_0_api_versions_v3.bin", frame, sizeof(frame));
    (void)state;
    wire_arena_init(&a, 0, 0);
    check_frame(frame, len, KAFKA_API_API_VERSIONS, 3, &req, &a);
    assert_int_equal(req.client_software_name.len, 10);
    assert_memory_equal(req.client_software_name.ptr, "librdkafka", 10);
    assert_int_equal(req.client_software_version.len, 5);
    assert_memory_equal(req.client_software_version.ptr, "2.0.2", 5);
    wire_arena_release(&a);
}

static void test_kcat_metadata_v4(void **state)
{
    uint8_t frame[256];
    kafka_metadata_req req;
    wire_arena a;
    size_t len = load("kcat_1_metadata_v4.bin", frame, sizeof(frame));
    (void)state;
    wire_arena_init(&a, 0, 0);
    check_frame(frame, len, KAFKA_API_METADATA, 4, &req, &a);
    /* kcat -L first asks for brokers only: an empty (not null) list */
    assert_int_equal(req.topics.count, 0);
    assert_int_equal(req.allow_auto_topic_creation, 0);
    wire_arena_release(&a);
}

/* librdkafka 2.0.2 high-level consumer (rdkafka_performance -C -G),
 * captured by wire/testdata/capture_rdkafka_group.py */
static void test_rdk_find_coordinator_v2(void **state)
{
    uint8_t frame[256];
    kafka_find_coordinator_req req;
    wire_arena a;
    size_t len = load("rdk_find_coordinator_v2.bin", frame, sizeof(frame));
    (void)state;
    wire_arena_init(&a, 0, 0);
    check_frame(frame, len, KAFKA_API_FIND_COORDINATOR, 2, &req, &a);
    assert_int_equal(req.key.len, 11);
    assert_memory_equal(req.key.ptr, "ferry-group", 11);
    assert_int_equal(req.key_type, 0);
    wire_arena_release(&a);
}

static void test_rdk_join_group_v5(void **state)
{
    uint8_t frame[512];
    kafka_join_group_req req;
    kafka_consumer_protocol_subscription sub;
    int16_t sv;
    int32_t i;
    wire_arena a;
    size_t len = load("rdk_join_group_v5.bin", frame, sizeof(frame));
    (void)state;
    wire_arena_init(&a, 0, 0);
    check_frame(frame, len, KAFKA_API_JOIN_GROUP, 5, &req, &a);
    assert_int_equal(req.group_id.len, 11);
    assert_int_equal(req.session_timeout_ms, 6000); /* rdkafka_performance */
    assert_int_equal(req.rebalance_timeout_ms, 300000);
    assert_int_equal(req.member_id.len, 0);
    assert_true(req.group_instance_id.is_null);
    assert_int_equal(req.protocol_type.len, 8);
    assert_memory_equal(req.protocol_type.ptr, "consumer", 8);
    assert_int_equal(req.protocols.count, 2);
    assert_memory_equal(req.protocols.items[0].name.ptr, "range", 5);
    assert_memory_equal(req.protocols.items[1].name.ptr, "roundrobin", 10);
    for (i = 0; i < req.protocols.count; i++) {
        buf_writer w;
        /* Subscription v1: topics ["t"], empty user_data, no owned */
        assert_int_equal(
            kafka_embedded_decode(&kafka_consumer_protocol_subscription_schema,
                                  req.protocols.items[i].metadata, &sv, &sub,
                                  &a),
            0);
        assert_int_equal(sv, 1);
        assert_int_equal(sub.topics.count, 1);
        assert_int_equal(sub.topics.items[0].len, 1);
        assert_memory_equal(sub.topics.items[0].ptr, "t", 1);
        assert_false(sub.user_data.is_null);
        assert_int_equal(sub.user_data.len, 0);
        assert_int_equal(sub.owned_partitions.count, 0);
        assert_int_equal(sub.generation_id, -1);
        /* and it re-encodes to the same bytes */
        buf_writer_init(&w, 32, 0);
        assert_int_equal(
            kafka_embedded_encode(&kafka_consumer_protocol_subscription_schema,
                                  sv, &sub, &w),
            0);
        assert_int_equal(w.len, req.protocols.items[i].metadata.len);
        assert_memory_equal(w.p, req.protocols.items[i].metadata.ptr, w.len);
        buf_writer_release(&w);
    }
    wire_arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kcat_api_versions_v3),
        cmocka_unit_test(test_kcat_metadata_v4),
        cmocka_unit_test(test_rdk_find_coordinator_v2),
        cmocka_unit_test(test_rdk_join_group_v5),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
