/*
 * test_kafka_codec.c - the table-driven Kafka codec: round trips for every
 * schema and version, hand-computed classic and flexible encodings, tagged
 * fields, zero-copy splices, and hostile input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "kafka.h"
#include "kafka_fill.h"

#define BUFVIEW(s) ((buf_view){(const uint8_t *)(s), sizeof(s) - 1, 0})

static void assert_bytes(const buf_writer *w, const uint8_t *exp, size_t n)
{
    assert_int_equal(w->err, 0);
    assert_int_equal(w->len, n);
    assert_memory_equal(w->p, exp, n);
}

/* encode -> decode -> equal, and every strict prefix fails to decode. */
static void roundtrip_one(const kafka_schema *s, int16_t v, uint64_t seed)
{
    wire_arena a, a2;
    buf_writer w;
    buf_reader r;
    void *in = calloc(1, s->size), *out = calloc(1, s->size);
    size_t cut;
    int rc;

    wire_arena_init(&a, 0, 0);
    wire_arena_init(&a2, 0, 0);
    buf_writer_init(&w, 256, 0);
    kafka_fill(s, v, seed, &a, in);
    rc = kafka_encode(s, v, in, &w, NULL);
    assert_int_equal(rc, 0);
    buf_reader_init(&r, w.p, w.len);
    rc = kafka_decode(s, v, &r, out, &a2);
    if (rc)
        fail_msg("%s v%d seed %llu: decode %d", s->name, v,
                 (unsigned long long)seed, rc);
    assert_int_equal(buf_left(&r), 0);
    if (!kafka_equal(s, v, in, out))
        fail_msg("%s v%d seed %llu: not equal after round trip", s->name, v,
                 (unsigned long long)seed);
    /* a second encode of the decoded struct gives the same bytes */
    {
        buf_writer w2;
        buf_writer_init(&w2, 256, 0);
        assert_int_equal(kafka_encode(s, v, out, &w2, NULL), 0);
        assert_int_equal(w2.len, w.len);
        assert_memory_equal(w2.p, w.p, w.len);
        buf_writer_release(&w2);
    }
    for (cut = 0; cut < w.len; cut++) {
        buf_reader_init(&r, w.p, cut);
        wire_arena_reset(&a2);
        if (kafka_decode(s, v, &r, out, &a2) == 0)
            fail_msg("%s v%d: prefix %zu of %zu decoded", s->name, v, cut,
                     w.len);
    }
    buf_writer_release(&w);
    wire_arena_release(&a);
    wire_arena_release(&a2);
    free(in);
    free(out);
}

static void test_roundtrip_every_schema_every_version(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < KAFKA_N_SCHEMAS; i++) {
        const kafka_schema *s = kafka_all_schemas[i];
        int16_t v;
        for (v = s->min_version; v <= s->max_version; v++) {
            uint64_t seed;
            for (seed = 1; seed <= 12; seed++)
                roundtrip_one(s, v, seed * 1000 + (uint64_t)v);
        }
    }
}

static void test_version_out_of_range_is_refused(void **state)
{
    kafka_metadata_req req;
    kafka_api_versions_req avreq;
    kafka_fetch_req freq;
    buf_writer w;
    buf_reader r;
    wire_arena a;
    (void)state;
    wire_arena_init(&a, 0, 0);
    buf_writer_init(&w, 64, 0);
    kafka_init_defaults(&kafka_fetch_req_schema, &freq);
    kafka_init_defaults(&kafka_metadata_req_schema, &req);
    assert_int_equal(kafka_encode(&kafka_metadata_req_schema, 13, &req, &w,
                                  NULL),
                     KAFKA_EVERSION);
    assert_int_equal(kafka_encode(&kafka_fetch_req_schema, -1, &freq, &w, NULL),
                     KAFKA_EVERSION);
    buf_reader_init(&r, "\0\0\0\0", 4);
    assert_int_equal(kafka_decode(&kafka_api_versions_req_schema, 5, &r,
                                  &avreq, &a),
                     KAFKA_EVERSION);
    buf_writer_release(&w);
    wire_arena_release(&a);
}

/* ApiVersions response v0 and v3 against hand-computed bytes. */
static void test_api_versions_resp_v0_v3_bytes(void **state)
{
    kafka_api_versions_resp_api_key keys[1] = {{18, 0, 4}};
    kafka_api_versions_resp resp;
    buf_writer w;
    static const uint8_t v0[] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
                                 0x00, 0x12, 0x00, 0x00, 0x00, 0x04};
    static const uint8_t v3[] = {0x00, 0x00,                   /* error */
                                 0x02,                         /* 1+1 */
                                 0x00, 0x12, 0x00, 0x00, 0x00, 0x04,
                                 0x00,                   /* entry tags */
                                 0x00, 0x00, 0x00, 0x07, /* throttle */
                                 0x00};                  /* tags */
    static const uint8_t v3tag[] = {
        0x00, 0x00, 0x02, 0x00, 0x12, 0x00, 0x00, 0x00, 0x04, 0x00,
        0x00, 0x00, 0x00, 0x07,
        0x01,       /* one tagged field */
        0x01, 0x08, /* tag 1 (finalized_features_epoch), 8 bytes */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05};
    (void)state;

    kafka_init_defaults(&kafka_api_versions_resp_schema, &resp);
    assert_int_equal(resp.finalized_features_epoch, -1);
    resp.api_keys.items = keys;
    resp.api_keys.count = 1;
    resp.throttle_time_ms = 7;

    buf_writer_init(&w, 64, 0);
    assert_int_equal(
        kafka_encode(&kafka_api_versions_resp_schema, 0, &resp, &w, NULL), 0);
    assert_bytes(&w, v0, sizeof(v0));

    w.len = 0;
    assert_int_equal(
        kafka_encode(&kafka_api_versions_resp_schema, 3, &resp, &w, NULL), 0);
    assert_bytes(&w, v3, sizeof(v3));

    w.len = 0;
    resp.finalized_features_epoch = 5;
    assert_int_equal(
        kafka_encode(&kafka_api_versions_resp_schema, 3, &resp, &w, NULL), 0);
    assert_bytes(&w, v3tag, sizeof(v3tag));

    /* and back: the tag is decoded into its field */
    {
        kafka_api_versions_resp out;
        wire_arena a;
        buf_reader r;
        wire_arena_init(&a, 0, 0);
        buf_reader_init(&r, v3tag, sizeof(v3tag));
        assert_int_equal(kafka_decode(&kafka_api_versions_resp_schema, 3, &r,
                                      &out, &a),
                         0);
        assert_int_equal(out.finalized_features_epoch, 5);
        assert_int_equal(out.api_keys.count, 1);
        assert_int_equal(out.api_keys.items[0].max_version, 4);
        assert_int_equal(out.throttle_time_ms, 7);
        wire_arena_release(&a);
    }
    buf_writer_release(&w);
}

static void test_api_versions_req_v3_compact_strings(void **state)
{
    static const uint8_t v3[] = {0x05, 'k', 'c', 'a', 't', 0x04,
                                 '1',  '.', '0', 0x00};
    kafka_api_versions_req req;
    buf_writer w;
    buf_reader r;
    wire_arena a;
    (void)state;
    wire_arena_init(&a, 0, 0);
    buf_reader_init(&r, v3, sizeof(v3));
    assert_int_equal(
        kafka_decode(&kafka_api_versions_req_schema, 3, &r, &req, &a), 0);
    assert_int_equal(req.client_software_name.len, 4);
    assert_memory_equal(req.client_software_name.ptr, "kcat", 4);
    assert_int_equal(req.client_software_version.len, 3);
    /* v0-2 have no body at all */
    buf_writer_init(&w, 16, 0);
    assert_int_equal(
        kafka_encode(&kafka_api_versions_req_schema, 2, &req, &w, NULL), 0);
    assert_int_equal(w.len, 0);
    assert_int_equal(
        kafka_encode(&kafka_api_versions_req_schema, 3, &req, &w, NULL), 0);
    assert_bytes(&w, v3, sizeof(v3));
    buf_writer_release(&w);
    wire_arena_release(&a);
}

/* Metadata request v1 (classic) and v9 (flexible) against hand bytes. */
static void test_metadata_req_v1_v9_bytes(void **state)
{
    kafka_metadata_req_topic topics[1];
    kafka_metadata_req req;
    buf_writer w;
    static const uint8_t v1[] = {0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 't'};
    static const uint8_t v1null[] = {0xff, 0xff, 0xff, 0xff};
    static const uint8_t v9[] = {0x02,       /* 1 topic */
                                 0x02, 't',  /* name */
                                 0x00,       /* topic tags */
                                 0x01,       /* allow_auto_topic_creation */
                                 0x00, 0x01, /* include_*_authorized_ops */
                                 0x00};      /* tags */
    (void)state;

    memset(topics, 0, sizeof(topics));
    topics[0].name = BUFVIEW("t");
    kafka_init_defaults(&kafka_metadata_req_schema, &req);
    assert_int_equal(req.allow_auto_topic_creation, 1);
    req.topics.items = topics;
    req.topics.count = 1;
    req.include_topic_authorized_operations = 1;

    buf_writer_init(&w, 64, 0);
    assert_int_equal(
        kafka_encode(&kafka_metadata_req_schema, 1, &req, &w, NULL), 0);
    assert_bytes(&w, v1, sizeof(v1));
    w.len = 0;
    assert_int_equal(
        kafka_encode(&kafka_metadata_req_schema, 9, &req, &w, NULL), 0);
    assert_bytes(&w, v9, sizeof(v9));
    w.len = 0;
    req.topics.count = -1; /* null = all topics */
    req.topics.items = NULL;
    assert_int_equal(
        kafka_encode(&kafka_metadata_req_schema, 1, &req, &w, NULL), 0);
    assert_bytes(&w, v1null, sizeof(v1null));
    w.len = 0;
    /* v0 cannot carry null: written as an empty array (= all in v0) */
    assert_int_equal(
        kafka_encode(&kafka_metadata_req_schema, 0, &req, &w, NULL), 0);
    assert_int_equal(w.len, 4);
    assert_memory_equal(w.p, "\0\0\0\0", 4);
    buf_writer_release(&w);
}

static void test_decode_defaults_for_absent_fields(void **state)
{
    /* Fetch v4: replica_id, max_wait, min_bytes, max_bytes, isolation,
     * topics (empty) */
    static const uint8_t v4[] = {0xff, 0xff, 0xff, 0xff, 0, 0, 1, 0xf4,
                                 0,    0,    0,    1,    0, 0, 0, 9,
                                 1,    0,    0,    0,    0};
    kafka_fetch_req req;
    wire_arena a;
    buf_reader r;
    (void)state;
    wire_arena_init(&a, 0, 0);
    buf_reader_init(&r, v4, sizeof(v4));
    assert_int_equal(kafka_decode(&kafka_fetch_req_schema, 4, &r, &req, &a),
                     0);
    assert_int_equal(req.replica_id, -1);
    assert_int_equal(req.max_wait_ms, 500);
    assert_int_equal(req.max_bytes, 9);
    assert_int_equal(req.isolation_level, 1);
    assert_int_equal(req.session_id, 0);
    assert_int_equal(req.session_epoch, -1); /* absent in v4: default */
    assert_true(req.cluster_id.is_null);
    assert_int_equal(req.topics.count, 0);
    wire_arena_release(&a);
}

static void test_decode_rejects_count_past_frame(void **state)
{
    /* Metadata v1: topics count 0x7fffffff with 2 bytes behind it */
    static const uint8_t big[] = {0x7f, 0xff, 0xff, 0xff, 0x00, 0x01};
    /* Metadata v9: compact count 2^28 */
    static const uint8_t bigc[] = {0x80, 0x80, 0x80, 0x80, 0x01, 0x00};
    kafka_metadata_req req;
    wire_arena a;
    buf_reader r;
    (void)state;
    wire_arena_init(&a, 0, 0);
    buf_reader_init(&r, big, sizeof(big));
    assert_int_equal(kafka_decode(&kafka_metadata_req_schema, 1, &r, &req, &a),
                     BUF_EINVAL);
    assert_int_equal(a.used, 0); /* nothing was allocated */
    buf_reader_init(&r, bigc, sizeof(bigc));
    assert_int_equal(kafka_decode(&kafka_metadata_req_schema, 9, &r, &req, &a),
                     BUF_EINVAL);
    assert_int_equal(a.used, 0);
    wire_arena_release(&a);
}

static void test_decode_rejects_null_where_not_nullable(void **state)
{
    /* Produce v3: transactional_id null ok, acks, timeout, topic_data with
     * one topic whose name is null (not nullable) */
    static const uint8_t bad[] = {0xff, 0xff, 0, 1, 0,    0,    0, 5, 0,
                                  0,    0,    1, 0xff, 0xff, 0, 0, 0, 0};
    /* Metadata v9 topics null (nullable from v1) is fine */
    static const uint8_t ok[] = {0x00, 0x01, 0x00, 0x00, 0x00};
    kafka_produce_req preq;
    kafka_metadata_req mreq;
    wire_arena a;
    buf_reader r;
    (void)state;
    wire_arena_init(&a, 0, 0);
    buf_reader_init(&r, bad, sizeof(bad));
    assert_int_equal(
        kafka_decode(&kafka_produce_req_schema, 3, &r, &preq, &a), BUF_EINVAL);
    buf_reader_init(&r, ok, sizeof(ok));
    assert_int_equal(
        kafka_decode(&kafka_metadata_req_schema, 9, &r, &mreq, &a), 0);
    assert_int_equal(mreq.topics.count, -1);
    wire_arena_release(&a);
}

static void test_unknown_tags_are_skipped(void **state)
{
    /* ApiVersions v3 request with two unknown tags (7 and 9) at the end */
    static const uint8_t in[] = {0x02, 'x', 0x02, 'y', 0x02, 0x07, 0x02,
                                 0xaa, 0xbb, 0x09, 0x00};
    /* known tag with a wrong size: finalized_features_epoch in 4 bytes */
    static const uint8_t bad[] = {0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
                                  0x01, 0x01, 0x04, 0x00, 0x00, 0x00, 0x05};
    kafka_api_versions_req req;
    kafka_api_versions_resp resp;
    wire_arena a;
    buf_reader r;
    (void)state;
    wire_arena_init(&a, 0, 0);
    buf_reader_init(&r, in, sizeof(in));
    assert_int_equal(
        kafka_decode(&kafka_api_versions_req_schema, 3, &r, &req, &a), 0);
    assert_int_equal(buf_left(&r), 0);
    assert_memory_equal(req.client_software_version.ptr, "y", 1);
    buf_reader_init(&r, bad, sizeof(bad));
    assert_int_not_equal(
        kafka_decode(&kafka_api_versions_resp_schema, 3, &r, &resp, &a), 0);
    wire_arena_release(&a);
}

/* Fetch response records: spliced (zero-copy) and copied encodings agree. */
static void test_fetch_records_splice_equals_copy(void **state)
{
    static const uint8_t log1[] = "first-piece-of-log";
    static const uint8_t log2[] = "second";
    kafka_rec_piece pieces[2] = {{log1, sizeof(log1) - 1, (void *)1},
                                 {log2, sizeof(log2) - 1, (void *)2}};
    kafka_fetch_resp_partition part;
    kafka_fetch_resp_topic topic;
    kafka_fetch_resp resp;
    kafka_splice_list spl;
    buf_writer flat, w, joined;
    size_t at;
    int16_t v;
    (void)state;

    for (v = 4; v <= 12; v++) {
        kafka_init_defaults(&kafka_fetch_resp_schema, &resp);
        kafka_init_defaults(kafka_fetch_resp_schema.fields[3].sub, &topic);
        memset(&part, 0, sizeof(part));
        part.high_watermark = 10;
        part.last_stable_offset = 10;
        part.aborted_transactions.count = -1;
        part.preferred_read_replica = -1;
        part.records.len = (int64_t)(pieces[0].len + pieces[1].len);
        part.records.pieces = pieces;
        part.records.n_pieces = 2;
        topic.topic = BUFVIEW("t");
        topic.partitions.items = &part;
        topic.partitions.count = 1;
        resp.responses.items = &topic;
        resp.responses.count = 1;

        buf_writer_init(&flat, 64, 0);
        buf_writer_init(&w, 64, 0);
        buf_writer_init(&joined, 64, 0);
        kafka_splice_list_init(&spl);

        at = kafka_frame_begin(&flat);
        kafka_resp_header_encode(&flat, KAFKA_API_FETCH, v, 42);
        assert_int_equal(
            kafka_encode(&kafka_fetch_resp_schema, v, &resp, &flat, NULL), 0);
        kafka_frame_end(&flat, at, NULL);

        at = kafka_frame_begin(&w);
        kafka_resp_header_encode(&w, KAFKA_API_FETCH, v, 42);
        assert_int_equal(
            kafka_encode(&kafka_fetch_resp_schema, v, &resp, &w, &spl), 0);
        kafka_frame_end(&w, at, &spl);
        assert_int_equal(spl.count, 1);
        assert_int_equal(spl.items[0].n_pieces, 2);
        assert_int_equal(kafka_splice_list_bytes(&spl), 24);
        /* the writer holds no log bytes */
        assert_int_equal(w.len + 24, flat.len);
        assert_int_equal(kafka_splice_flatten(&w, &spl, &joined), 0);
        assert_int_equal(joined.len, flat.len);
        assert_memory_equal(joined.p, flat.p, flat.len);
        assert_int_equal((int64_t)buf_get_u32be(flat.p), (int64_t)flat.len - 4);

        buf_writer_release(&flat);
        buf_writer_release(&w);
        buf_writer_release(&joined);
        kafka_splice_list_release(&spl);
    }
}

static void test_records_len_must_match_pieces(void **state)
{
    static const uint8_t log1[] = "abc";
    kafka_rec_piece pc = {log1, 3, NULL};
    kafka_fetch_resp_partition part;
    kafka_fetch_resp_topic topic;
    kafka_fetch_resp resp;
    buf_writer w;
    (void)state;
    kafka_init_defaults(&kafka_fetch_resp_schema, &resp);
    memset(&topic, 0, sizeof(topic));
    memset(&part, 0, sizeof(part));
    part.records.len = 4; /* lies */
    part.records.pieces = &pc;
    part.records.n_pieces = 1;
    topic.partitions.items = &part;
    topic.partitions.count = 1;
    resp.responses.items = &topic;
    resp.responses.count = 1;
    buf_writer_init(&w, 64, 0);
    assert_int_equal(kafka_encode(&kafka_fetch_resp_schema, 11, &resp, &w,
                                  NULL),
                     BUF_EINVAL);
    buf_writer_release(&w);
}

static void test_arena_cap_stops_hostile_arrays(void **state)
{
    /* Metadata v1 request with 1000 one-byte-name topics: fine with the
     * default cap, refused with a 4 KiB cap */
    buf_writer w;
    wire_arena a;
    buf_reader r;
    kafka_metadata_req req;
    int i;
    (void)state;
    buf_writer_init(&w, 64, 0);
    buf_write_i32(&w, 1000);
    for (i = 0; i < 1000; i++) {
        buf_write_i16(&w, 1);
        buf_write_i8(&w, 'x');
    }
    buf_write_i8(&w, 1);
    wire_arena_init(&a, 1024, 4096);
    buf_reader_init(&r, w.p, w.len);
    assert_int_equal(kafka_decode(&kafka_metadata_req_schema, 1, &r, &req, &a),
                     BUF_ELIMIT);
    wire_arena_release(&a);
    wire_arena_init(&a, 0, 0);
    buf_reader_init(&r, w.p, w.len);
    assert_int_equal(kafka_decode(&kafka_metadata_req_schema, 1, &r, &req, &a),
                     0);
    assert_int_equal(req.topics.count, 1000);
    wire_arena_release(&a);
    buf_writer_release(&w);
}

static void test_tagged_struct_emitted_only_when_not_default(void **state)
{
    kafka_produce_resp_partition part;
    kafka_produce_resp_topic topic;
    kafka_produce_resp resp, out;
    buf_writer w;
    buf_reader r;
    wire_arena a;
    size_t len_default;
    (void)state;
    wire_arena_init(&a, 0, 0);
    kafka_init_defaults(&kafka_produce_resp_schema, &resp);
    kafka_init_defaults(kafka_produce_resp_schema.fields[0].sub, &topic);
    kafka_init_defaults(kafka_produce_resp_schema.fields[0].sub->fields[1].sub,
                        &part);
    assert_int_equal(part.current_leader.leader_id, -1);
    assert_true(part.error_message.is_null);
    topic.partition_responses.items = &part;
    topic.partition_responses.count = 1;
    resp.responses.items = &topic;
    resp.responses.count = 1;
    buf_writer_init(&w, 64, 0);
    assert_int_equal(
        kafka_encode(&kafka_produce_resp_schema, 10, &resp, &w, NULL), 0);
    len_default = w.len;
    w.len = 0;
    part.current_leader.leader_id = 1;
    part.current_leader.leader_epoch = 0;
    assert_int_equal(
        kafka_encode(&kafka_produce_resp_schema, 10, &resp, &w, NULL), 0);
    /* tag count stays one byte; + tag, size, 8 bytes of struct, its tags */
    assert_int_equal(w.len, len_default + 1 + 1 + 8 + 1);
    buf_reader_init(&r, w.p, w.len);
    assert_int_equal(
        kafka_decode(&kafka_produce_resp_schema, 10, &r, &out, &a), 0);
    assert_int_equal(
        out.responses.items[0].partition_responses.items[0]
            .current_leader.leader_id,
        1);
    /* v9 has no such tag: same bytes as the default */
    w.len = 0;
    assert_int_equal(
        kafka_encode(&kafka_produce_resp_schema, 9, &resp, &w, NULL), 0);
    assert_int_equal(w.len, len_default);
    buf_writer_release(&w);
    wire_arena_release(&a);
}

static void test_schema_lookup(void **state)
{
    (void)state;
    assert_ptr_equal(kafka_request_schema(KAFKA_API_FETCH),
                     &kafka_fetch_req_schema);
    assert_ptr_equal(kafka_response_schema(KAFKA_API_CREATE_TOPICS),
                     &kafka_create_topics_resp_schema);
    assert_ptr_equal(kafka_request_schema(KAFKA_API_JOIN_GROUP),
                     &kafka_join_group_req_schema);
    assert_null(kafka_request_schema(KAFKA_API_SASL_HANDSHAKE));
    assert_null(kafka_response_schema(KAFKA_API_END_TXN));
    assert_int_equal(kafka_produce_req_schema.flexible_from, 9);
    assert_int_equal(kafka_fetch_resp_schema.max_version, 12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_every_schema_every_version),
        cmocka_unit_test(test_version_out_of_range_is_refused),
        cmocka_unit_test(test_api_versions_resp_v0_v3_bytes),
        cmocka_unit_test(test_api_versions_req_v3_compact_strings),
        cmocka_unit_test(test_metadata_req_v1_v9_bytes),
        cmocka_unit_test(test_decode_defaults_for_absent_fields),
        cmocka_unit_test(test_decode_rejects_count_past_frame),
        cmocka_unit_test(test_decode_rejects_null_where_not_nullable),
        cmocka_unit_test(test_unknown_tags_are_skipped),
        cmocka_unit_test(test_fetch_records_splice_equals_copy),
        cmocka_unit_test(test_records_len_must_match_pieces),
        cmocka_unit_test(test_arena_cap_stops_hostile_arrays),
        cmocka_unit_test(test_tagged_struct_emitted_only_when_not_default),
        cmocka_unit_test(test_schema_lookup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
