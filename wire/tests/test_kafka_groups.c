/*
 * test_kafka_groups.c - group, admin and consumer-protocol schemas against
 * hand-computed bytes (classic and flexible), the embedded versioned
 * Subscription/Assignment helpers, and the agreement between each
 * registered schema and kafka_api_flexible_from (which picks the header).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "kafka.h"
#include "kafka_schemas.h"

#define BV(s) ((buf_view){(const uint8_t *)(s), sizeof(s) - 1, 0})
#define BNULL ((buf_view){NULL, 0, 1})

static void assert_bytes(const buf_writer *w, const uint8_t *exp, size_t n)
{
    assert_int_equal(w->err, 0);
    assert_int_equal(w->len, n);
    assert_memory_equal(w->p, exp, n);
}

static void assert_view(buf_view v, const char *s)
{
    assert_false(v.is_null);
    assert_int_equal(v.len, strlen(s));
    if (v.len)
        assert_memory_equal(v.ptr, s, v.len);
}

/* encode `in` at v, compare with exp, decode exp back into out and check
 * it is equal and consumes every byte */
static void check_both_ways(const kafka_schema *s, int16_t v, const void *in,
                            const uint8_t *exp, size_t n, void *out,
                            wire_arena *a)
{
    buf_writer w;
    buf_reader r;

    buf_writer_init(&w, 64, 0);
    assert_int_equal(kafka_encode(s, v, in, &w, NULL), 0);
    assert_bytes(&w, exp, n);
    buf_writer_release(&w);
    buf_reader_init(&r, exp, n);
    assert_int_equal(kafka_decode(s, v, &r, out, a), 0);
    assert_int_equal(buf_left(&r), 0);
    assert_true(kafka_equal(s, v, in, out));
}

/* ConsumerProtocolSubscription v0, topics ["t"], user_data null */
static const uint8_t sub_v0[] = {
    0x00, 0x00,             /* version 0 */
    0x00, 0x00, 0x00, 0x01, /* topics: 1 */
    0x00, 0x01, 't',        /* "t" */
    0xff, 0xff, 0xff, 0xff, /* user_data null */
};

/* JoinGroup v5 request (classic; group_instance_id exists, reason not) */
static void test_join_group_v5_request_bytes(void **state)
{
    static const uint8_t exp[] = {
        0x00, 0x01, 'g',                               /* group_id */
        0x00, 0x00, 0xaf, 0xc8,                        /* session 45000 */
        0x00, 0x04, 0x93, 0xe0,                        /* rebalance 300000 */
        0x00, 0x00,                                    /* member_id "" */
        0xff, 0xff,                                    /* instance id null */
        0x00, 0x08, 'c', 'o', 'n', 's', 'u', 'm', 'e', 'r', /* type */
        0x00, 0x00, 0x00, 0x01,                        /* protocols: 1 */
        0x00, 0x05, 'r', 'a', 'n', 'g', 'e',           /* name */
        0x00, 0x00, 0x00, 0x0d,                        /* metadata: 13 bytes */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 't',
        0xff, 0xff, 0xff, 0xff};
    kafka_join_group_req_protocol prot = {BV("range"),
                                          {sub_v0, sizeof(sub_v0), 0}};
    kafka_join_group_req req, out;
    kafka_consumer_protocol_subscription sub;
    int16_t sv;
    wire_arena a;
    (void)state;

    wire_arena_init(&a, 0, 0);
    kafka_init_defaults(&kafka_join_group_req_schema, &req);
    assert_int_equal(req.rebalance_timeout_ms, -1);
    assert_true(req.group_instance_id.is_null);
    assert_true(req.reason.is_null);
    req.group_id = BV("g");
    req.session_timeout_ms = 45000;
    req.rebalance_timeout_ms = 300000;
    req.member_id = BV("");
    req.protocol_type = BV("consumer");
    req.protocols.items = &prot;
    req.protocols.count = 1;
    check_both_ways(&kafka_join_group_req_schema, 5, &req, exp, sizeof(exp),
                    &out, &a);
    assert_true(out.group_instance_id.is_null);
    assert_true(out.reason.is_null); /* v8+ only: default */

    /* the protocol metadata is a consumer Subscription v0 */
    assert_int_equal(kafka_embedded_decode(
                         &kafka_consumer_protocol_subscription_schema,
                         out.protocols.items[0].metadata, &sv, &sub, &a),
                     0);
    assert_int_equal(sv, 0);
    assert_int_equal(sub.topics.count, 1);
    assert_view(sub.topics.items[0], "t");
    assert_true(sub.user_data.is_null);
    assert_int_equal(sub.owned_partitions.count, 0);
    assert_int_equal(sub.generation_id, -1); /* v2+ only: default */
    assert_true(sub.rack_id.is_null);
    wire_arena_release(&a);
}

/* SyncGroup v3 response (classic; no protocol_type/name before v5) */
static void test_sync_group_v3_response_bytes(void **state)
{
    static const uint8_t asg[] = {
        0x00, 0x00,                         /* version 0 */
        0x00, 0x00, 0x00, 0x01,             /* assigned_partitions: 1 */
        0x00, 0x01, 't',                    /* topic */
        0x00, 0x00, 0x00, 0x02,             /* partitions: 2 */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0xff, 0xff, 0xff, 0xff};            /* user_data null */
    static const uint8_t exp[] = {
        0x00, 0x00, 0x00, 0x00, /* throttle */
        0x00, 0x00,             /* error_code */
        0x00, 0x00, 0x00, 0x19, /* assignment: 25 bytes */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 't',
        0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x01, 0xff, 0xff, 0xff, 0xff};
    int32_t parts[2] = {0, 1};
    kafka_consumer_protocol_topic_partition tp;
    kafka_consumer_protocol_assignment as, as_out;
    kafka_sync_group_resp resp, out;
    buf_writer aw;
    wire_arena a;
    int16_t av;
    (void)state;

    wire_arena_init(&a, 0, 0);
    kafka_init_defaults(&kafka_consumer_protocol_assignment_schema, &as);
    assert_true(as.user_data.is_null);
    tp.topic = BV("t");
    tp.partitions.items = parts;
    tp.partitions.count = 2;
    as.assigned_partitions.items = &tp;
    as.assigned_partitions.count = 1;
    buf_writer_init(&aw, 64, 0);
    assert_int_equal(kafka_embedded_encode(
                         &kafka_consumer_protocol_assignment_schema, 0, &as,
                         &aw),
                     0);
    assert_bytes(&aw, asg, sizeof(asg));

    kafka_init_defaults(&kafka_sync_group_resp_schema, &resp);
    resp.assignment.ptr = aw.p;
    resp.assignment.len = aw.len;
    check_both_ways(&kafka_sync_group_resp_schema, 3, &resp, exp, sizeof(exp),
                    &out, &a);
    assert_true(out.protocol_type.is_null);
    assert_true(out.protocol_name.is_null);
    assert_int_equal(kafka_embedded_decode(
                         &kafka_consumer_protocol_assignment_schema,
                         out.assignment, &av, &as_out, &a),
                     0);
    assert_int_equal(av, 0);
    assert_int_equal(as_out.assigned_partitions.count, 1);
    assert_int_equal(as_out.assigned_partitions.items[0].partitions.items[1],
                     1);
    buf_writer_release(&aw);
    wire_arena_release(&a);
}

/* OffsetCommit v8 request: first flexible version */
static void test_offset_commit_v8_request_bytes(void **state)
{
    static const uint8_t exp[] = {
        0x02, 'g',              /* group_id (compact) */
        0x00, 0x00, 0x00, 0x05, /* generation_id_or_member_epoch */
        0x02, 'm',              /* member_id */
        0x00,                   /* group_instance_id null */
        /* no retention_time_ms (2-4) */
        0x02,                   /* topics: 1 */
        0x02, 't',              /* name */
        0x02,                   /* partitions: 1 */
        0x00, 0x00, 0x00, 0x03, /* partition_index */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, /* offset 42 */
        0xff, 0xff, 0xff, 0xff, /* committed_leader_epoch -1 */
        /* no commit_timestamp (v1 only) */
        0x01,                   /* committed_metadata "" */
        0x00,                   /* partition tags */
        0x00,                   /* topic tags */
        0x00};                  /* tags */
    kafka_offset_commit_req_partition p;
    kafka_offset_commit_req_topic t;
    kafka_offset_commit_req req, out;
    wire_arena a;
    (void)state;

    wire_arena_init(&a, 0, 0);
    kafka_init_defaults(&kafka_offset_commit_req_schema, &req);
    assert_int_equal(req.retention_time_ms, -1);
    assert_int_equal(req.generation_id_or_member_epoch, -1);
    memset(&p, 0, sizeof(p));
    p.partition_index = 3;
    p.committed_offset = 42;
    p.committed_leader_epoch = -1;
    p.commit_timestamp = -1;
    p.committed_metadata = BV("");
    t.name = BV("t");
    t.partitions.items = &p;
    t.partitions.count = 1;
    req.group_id = BV("g");
    req.generation_id_or_member_epoch = 5;
    req.member_id = BV("m");
    req.topics.items = &t;
    req.topics.count = 1;
    check_both_ways(&kafka_offset_commit_req_schema, 8, &req, exp, sizeof(exp),
                    &out, &a);
    assert_int_equal(out.retention_time_ms, -1);
    assert_int_equal(out.topics.items[0].partitions.items[0].commit_timestamp,
                     -1);

    /* the same commit at v2 (classic): retention, no leader epoch */
    {
        static const uint8_t v2[] = {
            0x00, 0x01, 'g', 0x00, 0x00, 0x00, 0x05, 0x00, 0x01, 'm',
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, /* retention */
            0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 't',
            0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a,
            0x00, 0x00}; /* metadata "" */
        check_both_ways(&kafka_offset_commit_req_schema, 2, &req, v2,
                        sizeof(v2), &out, &a);
    }
    wire_arena_release(&a);
}

/* OffsetFetch v8 request: the multi-group shape */
static void test_offset_fetch_v8_request_bytes(void **state)
{
    static const uint8_t exp[] = {
        0x03,                   /* groups: 2 */
        0x02, 'g',              /* group_id */
        0x00,                   /* topics null = all */
        0x00,                   /* group tags */
        0x02, 'h',              /* group_id */
        0x02,                   /* topics: 1 */
        0x02, 't',              /* name */
        0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, /* [0, 1] */
        0x00,                   /* topic tags */
        0x00,                   /* group tags */
        0x01,                   /* require_stable */
        0x00};                  /* tags */
    int32_t parts[2] = {0, 1};
    kafka_offset_fetch_req_topic t = {BV("t"), {parts, 2}};
    kafka_offset_fetch_req_group g[2];
    kafka_offset_fetch_req req, out;
    wire_arena a;
    (void)state;

    wire_arena_init(&a, 0, 0);
    kafka_init_defaults(&kafka_offset_fetch_req_schema, &req);
    memset(g, 0, sizeof(g));
    g[0].group_id = BV("g");
    g[0].member_id = BNULL;
    g[0].member_epoch = -1;
    g[0].topics.count = -1;
    g[1].group_id = BV("h");
    g[1].member_id = BNULL;
    g[1].member_epoch = -1;
    g[1].topics.items = &t;
    g[1].topics.count = 1;
    req.groups.items = g;
    req.groups.count = 2;
    req.require_stable = 1;
    check_both_ways(&kafka_offset_fetch_req_schema, 8, &req, exp, sizeof(exp),
                    &out, &a);
    assert_int_equal(out.groups.items[0].topics.count, -1);
    assert_int_equal(out.groups.items[1].member_epoch, -1);
    assert_true(out.groups.items[1].member_id.is_null);
    /* v0-7 fields are absent: defaults */
    assert_int_equal(out.group_id.len, 0);
    assert_int_equal(out.topics.count, 0);
    wire_arena_release(&a);
}

/* OffsetFetch v0-7 shape: topics nullable from v2 only (v6+ flexible) */
static void test_offset_fetch_old_shape_nullability(void **state)
{
    static const uint8_t null_topics[] = {0x00, 0x01, 'g', 0xff,
                                          0xff, 0xff, 0xff};
    static const uint8_t v7null[] = {0x02, 'g', 0x00, /* topics null */
                                     0x01,            /* require_stable */
                                     0x00};
    kafka_offset_fetch_req req;
    buf_reader r;
    wire_arena a;
    (void)state;

    wire_arena_init(&a, 0, 0);
    buf_reader_init(&r, null_topics, sizeof(null_topics));
    assert_int_equal(
        kafka_decode(&kafka_offset_fetch_req_schema, 5, &r, &req, &a), 0);
    assert_int_equal(req.topics.count, -1);
    assert_int_equal(buf_left(&r), 0);
    buf_reader_init(&r, null_topics, sizeof(null_topics));
    assert_int_not_equal(
        kafka_decode(&kafka_offset_fetch_req_schema, 1, &r, &req, &a), 0);
    buf_reader_init(&r, v7null, sizeof(v7null));
    assert_int_equal(
        kafka_decode(&kafka_offset_fetch_req_schema, 7, &r, &req, &a), 0);
    assert_int_equal(buf_left(&r), 0);
    assert_int_equal(req.topics.count, -1);
    assert_int_equal(req.require_stable, 1);
    assert_int_equal(req.groups.count, 0);
    wire_arena_release(&a);
}

/* FindCoordinator v4 response: batched coordinators, flexible */
static void test_find_coordinator_v4_response_bytes(void **state)
{
    static const uint8_t exp[] = {
        0x00, 0x00, 0x00, 0x00, /* throttle */
        0x02,                   /* coordinators: 1 */
        0x02, 'g',              /* key */
        0x00, 0x00, 0x00, 0x01, /* node_id */
        0x02, 'h',              /* host */
        0x00, 0x00, 0x23, 0x84, /* port 9092 */
        0x00, 0x00,             /* error_code */
        0x00,                   /* error_message null */
        0x00,                   /* coordinator tags */
        0x00};                  /* tags */
    kafka_find_coordinator_resp_coordinator c = {
        BV("g"), 1, BV("h"), 9092, 0, BNULL};
    kafka_find_coordinator_resp resp, out;
    wire_arena a;
    (void)state;

    wire_arena_init(&a, 0, 0);
    kafka_init_defaults(&kafka_find_coordinator_resp_schema, &resp);
    resp.coordinators.items = &c;
    resp.coordinators.count = 1;
    check_both_ways(&kafka_find_coordinator_resp_schema, 4, &resp, exp,
                    sizeof(exp), &out, &a);
    wire_arena_release(&a);
}

/* A newer Subscription (v5, unknown trailing fields) reads as v3. */
static void test_subscription_newer_version_and_errors(void **state)
{
    static const uint8_t v5[] = {
        0x00, 0x05,                   /* version 5 */
        0x00, 0x00, 0x00, 0x00,       /* topics: 0 */
        0x00, 0x00, 0x00, 0x02, 'u', 'd', /* user_data */
        0x00, 0x00, 0x00, 0x00,       /* owned_partitions: 0 */
        0x00, 0x00, 0x00, 0x07,       /* generation_id */
        0x00, 0x02, 'r', '1',         /* rack_id */
        0xde, 0xad, 0xbe, 0xef};      /* a field from the future */
    static const uint8_t neg[] = {0xff, 0xff, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff};
    kafka_consumer_protocol_subscription sub;
    buf_view bv = {v5, sizeof(v5), 0};
    buf_writer w;
    wire_arena a;
    int16_t ver;
    (void)state;

    wire_arena_init(&a, 0, 0);
    assert_int_equal(kafka_embedded_decode(
                         &kafka_consumer_protocol_subscription_schema, bv,
                         &ver, &sub, &a),
                     0);
    assert_int_equal(ver, 5);
    assert_view(sub.user_data, "ud");
    assert_int_equal(sub.generation_id, 7);
    assert_view(sub.rack_id, "r1");

    /* truncated v3 body: error */
    bv.len = 20;
    assert_int_not_equal(kafka_embedded_decode(
                             &kafka_consumer_protocol_subscription_schema, bv,
                             &ver, &sub, &a),
                         0);
    /* negative version, empty, null */
    bv.ptr = neg;
    bv.len = sizeof(neg);
    assert_int_equal(kafka_embedded_decode(
                         &kafka_consumer_protocol_subscription_schema, bv,
                         &ver, &sub, &a),
                     KAFKA_EVERSION);
    bv.len = 1;
    assert_int_not_equal(kafka_embedded_decode(
                             &kafka_consumer_protocol_subscription_schema, bv,
                             NULL, &sub, &a),
                         0);
    assert_int_not_equal(kafka_embedded_decode(
                             &kafka_consumer_protocol_subscription_schema,
                             BNULL, NULL, &sub, &a),
                         0);
    /* encoding a version we do not know is refused */
    buf_writer_init(&w, 16, 0);
    kafka_init_defaults(&kafka_consumer_protocol_subscription_schema, &sub);
    assert_int_equal(kafka_embedded_encode(
                         &kafka_consumer_protocol_subscription_schema, 4,
                         &sub, &w),
                     KAFKA_EVERSION);
    assert_int_equal(w.len, 0);
    buf_writer_release(&w);
    wire_arena_release(&a);
}

/* DescribeConfigs v0 (is_default, no synonyms) vs v1 (config_source) */
static void test_describe_configs_v0_v1_response_bytes(void **state)
{
    static const uint8_t v0[] = {
        0x00, 0x00, 0x00, 0x00, /* throttle */
        0x00, 0x00, 0x00, 0x01, /* results: 1 */
        0x00, 0x00, 0xff, 0xff, /* error_code, error_message null */
        0x02, 0x00, 0x01, 't',  /* TOPIC "t" */
        0x00, 0x00, 0x00, 0x01, /* configs: 1 */
        0x00, 0x01, 'k', 0x00, 0x01, 'v', /* name, value */
        0x00,                   /* read_only */
        0x01,                   /* is_default */
        0x00};                  /* is_sensitive */
    static const uint8_t v1[] = {
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
        0xff, 0xff, 0x02, 0x00, 0x01, 't',  0x00, 0x00, 0x00, 0x01,
        0x00, 0x01, 'k',  0x00, 0x01, 'v',
        0x00,                   /* read_only */
        0x05,                   /* config_source DEFAULT_CONFIG */
        0x00,                   /* is_sensitive */
        0x00, 0x00, 0x00, 0x00}; /* synonyms: 0 */
    kafka_describe_configs_resp_config c;
    kafka_describe_configs_resp_result res;
    kafka_describe_configs_resp resp, out;
    wire_arena a;
    (void)state;

    wire_arena_init(&a, 0, 0);
    memset(&c, 0, sizeof(c));
    c.name = BV("k");
    c.value = BV("v");
    c.config_source = 5;
    c.is_default = 1;
    c.documentation = BNULL;
    memset(&res, 0, sizeof(res));
    res.error_message = BNULL;
    res.resource_type = 2;
    res.resource_name = BV("t");
    res.configs.items = &c;
    res.configs.count = 1;
    kafka_init_defaults(&kafka_describe_configs_resp_schema, &resp);
    resp.results.items = &res;
    resp.results.count = 1;
    check_both_ways(&kafka_describe_configs_resp_schema, 0, &resp, v0,
                    sizeof(v0), &out, &a);
    assert_int_equal(out.results.items[0].configs.items[0].config_source, -1);
    check_both_ways(&kafka_describe_configs_resp_schema, 1, &resp, v1,
                    sizeof(v1), &out, &a);
    assert_int_equal(out.results.items[0].configs.items[0].is_default, 0);
    wire_arena_release(&a);
}

/* InitProducerId v2 (flexible) request and response */
static void test_init_producer_id_v2_bytes(void **state)
{
    static const uint8_t req_exp[] = {0x00,                   /* txn id null */
                                      0x00, 0x00, 0xea, 0x60, /* 60000 */
                                      0x00};
    static const uint8_t resp_exp[] = {
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00,             /* throttle, error */
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8, /* pid 1000 */
        0x00, 0x00,                                     /* epoch */
        0x00};
    kafka_init_producer_id_req req, rout;
    kafka_init_producer_id_resp resp, pout;
    wire_arena a;
    (void)state;

    wire_arena_init(&a, 0, 0);
    kafka_init_defaults(&kafka_init_producer_id_req_schema, &req);
    assert_true(req.transactional_id.is_null);
    assert_int_equal(req.producer_id, -1);
    assert_int_equal(req.producer_epoch, -1);
    req.transaction_timeout_ms = 60000;
    check_both_ways(&kafka_init_producer_id_req_schema, 2, &req, req_exp,
                    sizeof(req_exp), &rout, &a);
    assert_int_equal(rout.producer_id, -1); /* v3+ only */
    kafka_init_defaults(&kafka_init_producer_id_resp_schema, &resp);
    resp.producer_id = 1000;
    check_both_ways(&kafka_init_producer_id_resp_schema, 2, &resp, resp_exp,
                    sizeof(resp_exp), &pout, &a);
    wire_arena_release(&a);
}

/* Every registered schema: the lookup finds it, and its flexible version
 * is the one the header codec uses (kafka_api_flexible_from). */
static void test_registered_schemas_agree_with_api_table(void **state)
{
    size_t i;
    (void)state;
    for (i = 0; i < KAFKA_N_SCHEMAS; i++) {
        const kafka_schema *s = kafka_all_schemas[i];
        int ff;
        if (s->api_key < 0) {
            assert_int_equal(s->flexible_from, KAFKA_VNEVER);
            continue;
        }
        assert_true(kafka_request_schema(s->api_key) == s ||
                    kafka_response_schema(s->api_key) == s);
        assert_int_equal(kafka_request_schema(s->api_key)->max_version,
                         kafka_response_schema(s->api_key)->max_version);
        assert_int_equal(kafka_request_schema(s->api_key)->min_version,
                         kafka_response_schema(s->api_key)->min_version);
        ff = kafka_api_flexible_from(s->api_key);
        if (s->flexible_from == KAFKA_VNEVER)
            assert_int_equal(ff, -1);
        else if (ff != s->flexible_from)
            fail_msg("%s: flexible from %d, api table says %d", s->name,
                     s->flexible_from, ff);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_join_group_v5_request_bytes),
        cmocka_unit_test(test_sync_group_v3_response_bytes),
        cmocka_unit_test(test_offset_commit_v8_request_bytes),
        cmocka_unit_test(test_offset_fetch_v8_request_bytes),
        cmocka_unit_test(test_offset_fetch_old_shape_nullability),
        cmocka_unit_test(test_find_coordinator_v4_response_bytes),
        cmocka_unit_test(test_subscription_newer_version_and_errors),
        cmocka_unit_test(test_describe_configs_v0_v1_response_bytes),
        cmocka_unit_test(test_init_producer_id_v2_bytes),
        cmocka_unit_test(test_registered_schemas_agree_with_api_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
