/*
 * test_remoting_admin.c - admin bodies: what the broker encodes
 * (TopicStatsTable, ConsumeStats with fastjson MessageQueue keys,
 * ConsumerConnection, SubscriptionGroupWrapper, ResetOffsetBody, pending
 * transactions) decodes back; object keys are quoted without touching
 * strings; garbage of every kind is refused without a crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "remoting_admin.h"

static buf_view V(const char *s)
{
    buf_view v = {(const uint8_t *)s, strlen(s), 0};
    return v;
}

static int view_is(buf_view v, const char *s)
{
    return !v.is_null && v.len == strlen(s) &&
           (v.len == 0 || memcmp(v.ptr, s, v.len) == 0);
}

static const uint8_t *U(const char *s)
{
    return (const uint8_t *)s;
}

static void test_quote_object_keys_leaves_strings_alone(void **state)
{
    const char *in = "{\"a\":\"{not:a key}\",\"m\":{{\"x\":\"q\\\"\"}:1}}";
    size_t n;
    int err;
    (void)state;
    uint8_t *out =
        remoting_admin_quote_object_keys(U(in), strlen(in), &n, &err);
    assert_non_null(out);
    assert_int_equal(err, 0);
    const char *want =
        "{\"a\":\"{not:a key}\",\"m\":{\"{\\\"x\\\":\\\"q\\\\\\\"\\\"}\":1}}";
    assert_int_equal(n, strlen(want));
    assert_memory_equal(out, want, n);
    free(out);
    /* nothing to quote: NULL, no error */
    const char *plain = "{\"a\":[{\"b\":1}]}";
    assert_null(
        remoting_admin_quote_object_keys(U(plain), strlen(plain), &n, &err));
    assert_int_equal(err, 0);
}

static void test_quote_object_keys_refuses_unbalanced(void **state)
{
    size_t n;
    int err;
    (void)state;
    assert_null(remoting_admin_quote_object_keys(U("{{\"a\":1"), 7, &n, &err));
    assert_int_equal(err, BUF_EINVAL);
    assert_null(remoting_admin_quote_object_keys(U("}}"), 2, &n, &err));
    assert_int_equal(err, BUF_EINVAL);
    char deep[200];
    memset(deep, '{', sizeof deep);
    assert_null(
        remoting_admin_quote_object_keys(U(deep), sizeof deep, &n, &err));
    assert_int_equal(err, BUF_EINVAL);
}

static void test_topic_stats_round_trip(void **state)
{
    remoting_topic_offset in[2] = {
        {{V("T"), V("broker-a"), 0}, 0, 10, 1700000000000},
        {{V("T"), V("broker-a"), 1}, 3, 7, 1700000000001}};
    remoting_topic_offset *out;
    int32_t n;
    wire_arena a;
    buf_writer w;
    (void)state;

    wire_arena_init(&a, 0, 0);
    buf_writer_init(&w, 0, 0);
    assert_int_equal(remoting_topic_stats_encode(&w, in, 2), 0);
    assert_int_equal(remoting_topic_stats_decode(w.p, w.len, &a, &out, &n), 0);
    assert_int_equal(n, 2);
    for (int i = 0; i < 2; i++) {
        int k = out[i].mq.queue_id;
        assert_true(view_is(out[i].mq.topic, "T"));
        assert_true(view_is(out[i].mq.broker_name, "broker-a"));
        assert_int_equal(out[i].min_offset, in[k].min_offset);
        assert_int_equal(out[i].max_offset, in[k].max_offset);
        assert_int_equal(out[i].last_update_timestamp,
                         in[k].last_update_timestamp);
    }
    buf_writer_release(&w);
    /* empty table */
    assert_int_equal(remoting_topic_stats_decode(U("{\"offsetTable\":{}}"), 18,
                                                 &a, &out, &n),
                     0);
    assert_int_equal(n, 0);
    wire_arena_release(&a);
}

static void test_consume_stats_round_trip(void **state)
{
    remoting_consume_offset in[1] = {
        {{V("T2"), V("b"), 3}, 100, 40, 41, 1700000000002}};
    remoting_consume_offset *out;
    double tps;
    int32_t n;
    wire_arena a;
    buf_writer w;
    (void)state;

    wire_arena_init(&a, 0, 0);
    buf_writer_init(&w, 0, 0);
    assert_int_equal(remoting_consume_stats_encode(&w, 1.5, in, 1), 0);
    assert_int_equal(
        remoting_consume_stats_decode(w.p, w.len, &a, &tps, &out, &n), 0);
    assert_int_equal(n, 1);
    assert_true(tps > 1.4 && tps < 1.6);
    assert_true(view_is(out[0].mq.topic, "T2"));
    assert_int_equal(out[0].mq.queue_id, 3);
    assert_int_equal(out[0].broker_offset, 100);
    assert_int_equal(out[0].consumer_offset, 40);
    assert_int_equal(out[0].pull_offset, 41);
    assert_int_equal(out[0].last_timestamp, 1700000000002);
    buf_writer_release(&w);
    wire_arena_release(&a);
}

static void test_consumer_connection_round_trip(void **state)
{
    remoting_message_queue asg[2] = {{V("T"), V("b"), 0}, {V("T"), V("b"), 2}};
    remoting_connection conns[2] = {
        {V("rdkafka-1"), V("/127.0.0.1"), V("OTHER"), 0, asg, 2, V("")},
        {V("10.0.0.1@77"), V("10.0.0.1:5555"), V("JAVA"), 479, NULL, 0,
         V("T\tA || B\n")}};
    buf_view tags[1] = {V("A")};
    int32_t codes[1] = {65};
    remoting_subscription subs[1];
    memset(subs, 0, sizeof subs);
    subs[0].topic = V("T");
    subs[0].sub_string = V("A");
    subs[0].expression_type = V("TAG");
    subs[0].tags = tags;
    subs[0].tag_count = 1;
    subs[0].codes = codes;
    subs[0].code_count = 1;
    remoting_consumer_connection cc = {conns,
                                       2,
                                       subs,
                                       1,
                                       V("CONSUME_ACTIVELY"),
                                       V("CLUSTERING"),
                                       V("CONSUME_FROM_LAST_OFFSET"),
                                       V("kafka"),
                                       V("Stable")};
    remoting_consumer_connection out;
    wire_arena a;
    buf_writer w;
    (void)state;

    wire_arena_init(&a, 0, 0);
    buf_writer_init(&w, 0, 0);
    assert_int_equal(remoting_consumer_connection_encode(&w, &cc), 0);
    assert_int_equal(remoting_consumer_connection_decode(w.p, w.len, &a, &out),
                     0);
    assert_int_equal(out.connection_count, 2);
    assert_true(view_is(out.connections[0].client_id, "rdkafka-1"));
    assert_int_equal(out.connections[0].assigned_count, 2);
    assert_int_equal(out.connections[0].ferry_subscriptions.len, 0);
    assert_true(view_is(out.connections[1].ferry_subscriptions,
                        "T\tA || B\n"));
    assert_int_equal(out.connections[0].assigned[1].queue_id, 2);
    assert_true(view_is(out.connections[1].language, "JAVA"));
    assert_int_equal(out.connections[1].version, 479);
    assert_int_equal(out.subscription_count, 1);
    assert_true(view_is(out.subscriptions[0].sub_string, "A"));
    assert_true(view_is(out.ferry_protocol, "kafka"));
    assert_true(view_is(out.ferry_state, "Stable"));
    assert_true(view_is(out.message_model, "CLUSTERING"));
    buf_writer_release(&w);
    wire_arena_release(&a);
}

static void test_consume_stats_ferry_marks_no_commit(void **state)
{
    remoting_consume_offset in[2] = {{{V("T"), V("b"), 0}, 9, -1, -1, 0},
                                     {{V("T"), V("b"), 1}, 9, 4, 4, 7}};
    remoting_consume_offset *out;
    double tps;
    int32_t n;
    wire_arena a;
    buf_writer w;
    (void)state;

    wire_arena_init(&a, 0, 0);
    buf_writer_init(&w, 0, 0);
    assert_int_equal(remoting_consume_stats_encode_ferry(&w, 0, in, 2), 0);
    /* RocketMQ's tools see 0, as the Java broker writes it */
    assert_non_null(strstr((const char *)w.p,
                           "\"consumerOffset\":0,\"ferryNoCommit\":true"));
    assert_int_equal(
        remoting_consume_stats_decode(w.p, w.len, &a, &tps, &out, &n), 0);
    assert_int_equal(n, 2);
    for (int i = 0; i < 2; i++)
        assert_int_equal(out[i].consumer_offset,
                         in[out[i].mq.queue_id].consumer_offset);
    buf_writer_release(&w);
    wire_arena_release(&a);
}

static void test_subscription_groups_round_trip(void **state)
{
    remoting_subscription_group g[2];
    remoting_data_version dv = {1700000000000, 3, 0};
    remoting_subscription_group *out;
    int32_t n;
    wire_arena a;
    buf_writer w;
    (void)state;

    memset(g, 0, sizeof g);
    g[0].group_name = V("kg");
    g[0].ferry_protocol = V("kafka");
    g[0].ferry_state = V("Stable");
    g[0].ferry_members = 2;
    g[0].consume_enable = 1;
    g[0].retry_queue_nums = 1;
    g[0].retry_max_times = 16;
    g[1].group_name = V("rg\"x");
    g[1].ferry_protocol = V("rocketmq");
    g[1].ferry_state = V("Empty");
    wire_arena_init(&a, 0, 0);
    buf_writer_init(&w, 0, 0);
    assert_int_equal(remoting_subscription_groups_encode(&w, &dv, g, 2), 0);
    assert_int_equal(
        remoting_subscription_groups_decode(w.p, w.len, &a, &out, &n), 0);
    assert_int_equal(n, 2);
    for (int i = 0; i < 2; i++) {
        int k = view_is(out[i].group_name, "kg") ? 0 : 1;
        assert_true(view_is(out[i].group_name, k ? "rg\"x" : "kg"));
        assert_int_equal(out[i].ferry_members, g[k].ferry_members);
        assert_true(view_is(out[i].ferry_protocol, k ? "rocketmq" : "kafka"));
    }
    buf_writer_release(&w);
    wire_arena_release(&a);
}

static void test_reset_offset_round_trip(void **state)
{
    remoting_queue_offset in[2] = {{{V("T"), V("b"), 0}, 5},
                                   {{V("T"), V("b"), 1}, -1}};
    remoting_queue_offset *out;
    int32_t n;
    wire_arena a;
    buf_writer w;
    (void)state;

    wire_arena_init(&a, 0, 0);
    buf_writer_init(&w, 0, 0);
    assert_int_equal(remoting_reset_offset_encode(&w, in, 2), 0);
    assert_int_equal(remoting_reset_offset_decode(w.p, w.len, &a, &out, &n), 0);
    assert_int_equal(n, 2);
    for (int i = 0; i < 2; i++)
        assert_int_equal(out[i].offset, in[out[i].mq.queue_id].offset);
    buf_writer_release(&w);
    wire_arena_release(&a);
}

static void test_pending_txn_round_trip(void **state)
{
    remoting_pending_txn in[1] = {{V("PG"), 7, 4096, 1700000000000, 2}};
    remoting_pending_txn *out;
    int32_t n;
    int64_t total;
    wire_arena a;
    buf_writer w;
    (void)state;

    wire_arena_init(&a, 0, 0);
    buf_writer_init(&w, 0, 0);
    assert_int_equal(remoting_pending_txn_encode(&w, in, 1, 5), 0);
    assert_int_equal(
        remoting_pending_txn_decode(w.p, w.len, &a, &out, &n, &total), 0);
    assert_int_equal(n, 1);
    assert_int_equal(total, 5);
    assert_true(view_is(out[0].producer_group, "PG"));
    assert_int_equal(out[0].queue_offset, 7);
    assert_int_equal(out[0].commit_log_offset, 4096);
    assert_int_equal(out[0].check_times, 2);
    buf_writer_release(&w);
    wire_arena_release(&a);
}

static void test_kv_table_round_trip(void **state)
{
    remoting_kv in[2] = {{V("brokerVersionDesc"), V("Ferry 0.1.0")},
                         {V("commitLogMaxOffset"), V("4096")}};
    remoting_kv *out;
    int32_t n;
    wire_arena a;
    buf_writer w;
    (void)state;

    wire_arena_init(&a, 0, 0);
    buf_writer_init(&w, 0, 0);
    assert_int_equal(remoting_kv_table_encode(&w, in, 2), 0);
    assert_int_equal(remoting_kv_table_decode(w.p, w.len, &a, &out, &n), 0);
    assert_int_equal(n, 2);
    assert_true(view_is(out[1].value, "4096"));
    /* numbers are kept as text; other types are refused */
    const char *num = "{\"table\":{\"k\":12}}";
    assert_int_equal(
        remoting_kv_table_decode(U(num), strlen(num), &a, &out, &n), 0);
    assert_true(view_is(out[0].value, "12"));
    const char *bad = "{\"table\":{\"k\":[1]}}";
    assert_int_not_equal(
        remoting_kv_table_decode(U(bad), strlen(bad), &a, &out, &n), 0);
    buf_writer_release(&w);
    wire_arena_release(&a);
}

static void test_decoders_refuse_garbage(void **state)
{
    static const char *const bad[] = {
        "",
        "[]",
        "{",
        "{\"offsetTable\":[]}",
        "{\"offsetTable\":{{\"queueId\":\"x\"}:{}}}",
        "{\"offsetTable\":{{\"queueId\":1}:5}}",
        "{\"offsetTable\":{\"not json\":{}}}",
        "{\"offsetTable\":{{\"topic\":3}:{}}}",
        "{\"connectionSet\":{}}",
        "{\"connectionSet\":[1]}",
        "{\"connectionSet\":[{\"ferryAssigned\":[7]}]}",
        "{\"subscriptionTable\":{\"t\":3}}",
        "{\"subscriptionGroupTable\":{\"g\":[]}}",
        "{\"subscriptionGroupTable\":{\"g\":{\"ferryMembers\":-1}}}",
        "{\"pendingList\":[\"x\"]}",
        "{\"consumeTps\":\"fast\"}",
        "{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{}",
    };
    wire_arena a;
    (void)state;

    wire_arena_init(&a, 0, 0);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const uint8_t *p = U(bad[i]);
        size_t n = strlen(bad[i]);
        remoting_topic_offset *to;
        remoting_consume_offset *co;
        remoting_consumer_connection cc;
        remoting_subscription_group *sg;
        remoting_queue_offset *qo;
        remoting_pending_txn *pt;
        int32_t c;
        int64_t t;
        double tps;
        int fails = 0;
        fails += remoting_topic_stats_decode(p, n, &a, &to, &c) != 0;
        fails += remoting_consume_stats_decode(p, n, &a, &tps, &co, &c) != 0;
        fails += remoting_consumer_connection_decode(p, n, &a, &cc) != 0;
        fails += remoting_subscription_groups_decode(p, n, &a, &sg, &c) != 0;
        fails += remoting_reset_offset_decode(p, n, &a, &qo, &c) != 0;
        fails += remoting_pending_txn_decode(p, n, &a, &pt, &c, &t) != 0;
        /* each is refused by at least one decoder that reads that key */
        if (fails == 0)
            fail_msg("accepted by every decoder: %s", bad[i]);
    }
    wire_arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quote_object_keys_leaves_strings_alone),
        cmocka_unit_test(test_quote_object_keys_refuses_unbalanced),
        cmocka_unit_test(test_topic_stats_round_trip),
        cmocka_unit_test(test_consume_stats_round_trip),
        cmocka_unit_test(test_consumer_connection_round_trip),
        cmocka_unit_test(test_consume_stats_ferry_marks_no_commit),
        cmocka_unit_test(test_subscription_groups_round_trip),
        cmocka_unit_test(test_reset_offset_round_trip),
        cmocka_unit_test(test_pending_txn_round_trip),
        cmocka_unit_test(test_kv_table_round_trip),
        cmocka_unit_test(test_decoders_refuse_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
