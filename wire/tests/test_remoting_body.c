/*
 * test_remoting_body.c - JSON bodies: TopicRouteData in strict and
 * fastjson form (exact bytes), RegisterBrokerBody / TopicConfig wrapper
 * round trip, HeartbeatData from Java, Go and ali-ons shapes, LockBatch and
 * consumer list, and malformed bodies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "remoting_body.h"

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

static void test_topic_route_strict_and_fastjson(void **state)
{
    remoting_broker_addr addrs[2] = {{0, V("10.0.0.7:10911")},
                                     {1, V("10.0.0.8:10911")}};
    remoting_broker_data bd = {
        V("DefaultCluster"), V("broker-a"), addrs, 2, {NULL, 0, 1}, 0};
    remoting_queue_data qd = {V("broker-a"), 4, 4, 6, 0};
    remoting_topic_route rt = {&qd, 1, &bd, 1, {NULL, 0, 1}};
    static const char strict[] =
        "{\"brokerDatas\":[{\"brokerAddrs\":{\"0\":\"10.0.0.7:10911\",\"1\":"
        "\"10.0.0.8:10911\"},\"brokerName\":\"broker-a\",\"cluster\":"
        "\"DefaultCluster\",\"enableActingMaster\":false}],"
        "\"filterServerTable\":{},\"queueDatas\":[{\"brokerName\":"
        "\"broker-a\",\"perm\":6,\"readQueueNums\":4,\"topicSysFlag\":0,"
        "\"writeQueueNums\":4}]}";
    static const char fast[] =
        "{\"brokerDatas\":[{\"brokerAddrs\":{0:\"10.0.0.7:10911\",1:"
        "\"10.0.0.8:10911\"},\"brokerName\":\"broker-a\",\"cluster\":"
        "\"DefaultCluster\",\"enableActingMaster\":false}],"
        "\"filterServerTable\":{},\"queueDatas\":[{\"brokerName\":"
        "\"broker-a\",\"perm\":6,\"readQueueNums\":4,\"topicSysFlag\":0,"
        "\"writeQueueNums\":4}]}";
    buf_writer w;
    (void)state;
    buf_writer_init(&w, 0, 0);
    assert_int_equal(remoting_topic_route_encode(&w, &rt, REMOTING_JSON_STRICT),
                     0);
    assert_int_equal(w.len, strlen(strict));
    assert_memory_equal(w.p, strict, w.len);
    w.len = 0;
    assert_int_equal(
        remoting_topic_route_encode(&w, &rt, REMOTING_JSON_FASTJSON), 0);
    assert_int_equal(w.len, strlen(fast));
    assert_memory_equal(w.p, fast, w.len);
    /* optional fields */
    bd.zone_name = V("z1");
    bd.enable_acting_master = 1;
    rt.order_topic_conf = V("broker-a:4");
    w.len = 0;
    assert_int_equal(remoting_topic_route_encode(&w, &rt, REMOTING_JSON_STRICT),
                     0);
    assert_non_null(memmem(
        w.p, w.len, "\"enableActingMaster\":true,\"zoneName\":\"z1\"}", 41));
    assert_non_null(memmem(
        w.p, w.len, "{},\"orderTopicConf\":\"broker-a:4\",\"queueDatas\"", 45));
    /* empty route */
    memset(&rt, 0, sizeof(rt));
    w.len = 0;
    assert_int_equal(remoting_topic_route_encode(&w, &rt, REMOTING_JSON_STRICT),
                     0);
    assert_int_equal(w.len, strlen("{\"brokerDatas\":[],\"filterServerTable"
                                   "\":{},\"queueDatas\":[]}"));
    buf_writer_release(&w);
}

static void test_register_broker_body(void **state)
{
    static const char body[] =
        "{\"filterServerList\":[],\"topicConfigSerializeWrapper\":{"
        "\"dataVersion\":{\"counter\":3,\"stateVersion\":0,\"timestamp\":"
        "1700000000000},\"topicConfigTable\":{\"T\":{\"attributes\":{},"
        "\"order\":false,\"perm\":6,\"readQueueNums\":8,\"topicFilterType\":"
        "\"SINGLE_TAG\",\"topicName\":\"T\",\"topicSysFlag\":0,"
        "\"writeQueueNums\":8},\"%RETRY%g\":{\"readQueueNums\":1,"
        "\"writeQueueNums\":1,\"order\":true}},\"topicQueueMappingInfoMap\":"
        "{},\"mappingDataVersion\":{\"counter\":0}}}";
    wire_arena a = {0};
    remoting_register_broker_body rb, rb2;
    buf_writer w;
    (void)state;
    assert_int_equal(remoting_register_broker_body_decode(
                         (const uint8_t *)body, strlen(body), &a, &rb),
                     0);
    assert_true(rb.wrapper.data_version.timestamp == 1700000000000LL);
    assert_int_equal(rb.wrapper.data_version.counter, 3);
    assert_int_equal(rb.wrapper.topic_count, 2);
    assert_true(view_is(rb.wrapper.topics[0].topic_name, "T"));
    assert_int_equal(rb.wrapper.topics[0].read_queue_nums, 8);
    assert_int_equal(rb.wrapper.topics[0].perm, 6);
    /* name from the key; Java defaults for the missing fields */
    assert_true(view_is(rb.wrapper.topics[1].topic_name, "%RETRY%g"));
    assert_int_equal(rb.wrapper.topics[1].perm, 6);
    assert_true(view_is(rb.wrapper.topics[1].topic_filter_type, "SINGLE_TAG"));
    assert_int_equal(rb.wrapper.topics[1].order, 1);
    assert_int_equal(rb.filter_server_count, 0);

    buf_writer_init(&w, 0, 0);
    assert_int_equal(remoting_register_broker_body_encode(&w, &rb), 0);
    assert_int_equal(remoting_register_broker_body_decode(w.p, w.len, &a, &rb2),
                     0);
    assert_int_equal(rb2.wrapper.topic_count, 2);
    assert_int_equal(rb2.wrapper.topics[1].write_queue_nums, 1);
    assert_true(rb2.wrapper.data_version.timestamp == 1700000000000LL);
    {
        /* exact bytes of one topic config */
        static const char want[] =
            "\"T\":{\"attributes\":{},\"order\":false,\"perm\":6,"
            "\"readQueueNums\":8,\"topicFilterType\":\"SINGLE_TAG\","
            "\"topicName\":\"T\",\"topicSysFlag\":0,\"writeQueueNums\":8}";
        assert_non_null(memmem(w.p, w.len, want, strlen(want)));
    }
    /* the bare wrapper (GET_ALL_TOPIC_CONFIG, old REGISTER_BROKER) */
    {
        remoting_topic_config_wrapper tw;
        const char *s = strstr(body, "{\"dataVersion\"");
        assert_int_equal(remoting_topic_config_wrapper_decode(
                             (const uint8_t *)s, strlen(s) - 1, &a, &tw),
                         0);
        assert_int_equal(tw.topic_count, 2);
    }
    buf_writer_release(&w);
    wire_arena_release(&a);
}

static void test_heartbeat_java_go_ons(void **state)
{
    static const char java[] =
        "{\"clientID\":\"10.0.0.5@12345#987654321\",\"producerDataSet\":[{"
        "\"groupName\":\"PG\"},{\"groupName\":\"CLIENT_INNER_PRODUCER\"}],"
        "\"consumerDataSet\":[{\"groupName\":\"CG\",\"consumeType\":"
        "\"CONSUME_PASSIVELY\",\"messageModel\":\"CLUSTERING\","
        "\"consumeFromWhere\":\"CONSUME_FROM_LAST_OFFSET\",\"unitMode\":false,"
        "\"subscriptionDataSet\":[{\"topic\":\"T\",\"subString\":\"TagA || "
        "TagB\",\"tagsSet\":[\"TagA\",\"TagB\"],\"codeSet\":[2598919,2598920],"
        "\"subVersion\":1700000000000,\"expressionType\":\"TAG\","
        "\"classFilterMode\":false}]}],\"heartbeatFingerprint\":0,"
        "\"withoutSub\":false}";
    /* Go: codeSet items as strings, subVersion in nanoseconds */
    static const char go[] =
        "{\"clientID\":\"c\",\"producerDataSet\":[],\"consumerDataSet\":[{"
        "\"groupName\":\"G\",\"consumeType\":\"CONSUME_PASSIVELY\","
        "\"messageModel\":\"BROADCASTING\",\"consumeFromWhere\":"
        "\"CONSUME_FROM_FIRST_OFFSET\",\"unitMode\":false,"
        "\"subscriptionDataSet\":[{\"topic\":\"T\",\"subString\":\"*\","
        "\"tagsSet\":[],\"codeSet\":[\"-1234\"],\"subVersion\":"
        "1700000000000000000,\"expressionType\":\"TAG\","
        "\"classFilterMode\":false}]}]}";
    /* ali-ons: no expressionType, no producerDataSet */
    static const char ons[] =
        "{\"clientID\":\"1.2.3.4@99\",\"consumerDataSet\":[{\"groupName\":"
        "\"G\",\"consumeType\":\"CONSUME_PASSIVELY\",\"messageModel\":"
        "\"CLUSTERING\",\"consumeFromWhere\":\"CONSUME_FROM_LAST_OFFSET\","
        "\"subscriptionDataSet\":[{\"topic\":\"%RETRY%G\",\"subString\":\"*\","
        "\"classFilterMode\":false,\"tagsSet\":[],\"codeSet\":[],"
        "\"subVersion\":1700000000000}]}]}";
    wire_arena a = {0};
    remoting_heartbeat hb;
    const remoting_subscription *s;
    (void)state;
    assert_int_equal(
        remoting_heartbeat_decode((const uint8_t *)java, strlen(java), &a, &hb),
        0);
    assert_true(view_is(hb.client_id, "10.0.0.5@12345#987654321"));
    assert_int_equal(hb.producer_count, 2);
    assert_true(view_is(hb.producer_groups[1], "CLIENT_INNER_PRODUCER"));
    assert_int_equal(hb.consumer_count, 1);
    assert_true(view_is(hb.consumers[0].consume_type, "CONSUME_PASSIVELY"));
    assert_int_equal(hb.consumers[0].subscription_count, 1);
    s = &hb.consumers[0].subscriptions[0];
    assert_true(view_is(s->sub_string, "TagA || TagB"));
    assert_int_equal(s->tag_count, 2);
    assert_true(view_is(s->tags[1], "TagB"));
    assert_int_equal(s->code_count, 2);
    assert_int_equal(s->codes[0], 2598919);
    assert_true(s->sub_version == 1700000000000LL);

    assert_int_equal(
        remoting_heartbeat_decode((const uint8_t *)go, strlen(go), &a, &hb), 0);
    assert_int_equal(hb.producer_count, 0);
    s = &hb.consumers[0].subscriptions[0];
    assert_int_equal(s->codes[0], -1234);
    assert_true(s->sub_version == 1700000000000000000LL);
    assert_true(view_is(hb.consumers[0].message_model, "BROADCASTING"));

    assert_int_equal(
        remoting_heartbeat_decode((const uint8_t *)ons, strlen(ons), &a, &hb),
        0);
    s = &hb.consumers[0].subscriptions[0];
    assert_true(view_is(s->expression_type, "TAG"));
    assert_true(view_is(s->topic, "%RETRY%G"));
    assert_int_equal(s->code_count, 0);
    wire_arena_release(&a);
}

static void test_bodies_reject_malformed(void **state)
{
    static const char *bad_hb[] = {
        "",
        "[]",
        "{\"clientID\":5}",
        "{\"producerDataSet\":{}}",
        "{\"producerDataSet\":[1]}",
        "{\"consumerDataSet\":[{\"subscriptionDataSet\":[{\"codeSet\":"
        "[\"x\"]}]}]}",
        "{\"consumerDataSet\":[{\"subscriptionDataSet\":[{\"codeSet\":"
        "[4294967296]}]}]}",
        "{\"consumerDataSet\":[{\"subscriptionDataSet\":[{\"tagsSet\":"
        "[1]}]}]}",
        "{\"consumerDataSet\":[{\"unitMode\":\"maybe\"}]}",
        "{\"withoutSub\":1}",
        "{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]"
        "]]]]]]]]]]}",
    };
    wire_arena a = {0};
    remoting_heartbeat hb;
    remoting_lock_batch lb;
    remoting_register_broker_body rb;
    (void)state;
    for (size_t i = 0; i < sizeof(bad_hb) / sizeof(bad_hb[0]); i++) {
        int rc = remoting_heartbeat_decode((const uint8_t *)bad_hb[i],
                                           strlen(bad_hb[i]), &a, &hb);
        if (rc != BUF_EINVAL)
            fail_msg("heartbeat accepted (%d): %s", rc, bad_hb[i]);
    }
    assert_int_equal(
        remoting_lock_batch_decode(
            (const uint8_t *)"{\"mqSet\":[{\"queueId\":\"a\"}]}", 27, &a, &lb),
        BUF_EINVAL);
    {
        static const char *bad_rb[] = {
            "{\"topicConfigSerializeWrapper\":{\"topicConfigTable\":"
            "{\"T\":1}}}",
            "{\"topicConfigSerializeWrapper\":{\"dataVersion\":[]}}",
            "{\"topicConfigSerializeWrapper\":{\"topicConfigTable\":"
            "{\"T\":{\"perm\":2147483648}}}}",
            "{\"filterServerList\":[null]}",
        };
        for (size_t i = 0; i < sizeof(bad_rb) / sizeof(bad_rb[0]); i++)
            assert_int_equal(
                remoting_register_broker_body_decode(
                    (const uint8_t *)bad_rb[i], strlen(bad_rb[i]), &a, &rb),
                BUF_EINVAL);
        /* while a well-formed one with those keys decodes */
        assert_int_equal(
            remoting_register_broker_body_decode(
                (const uint8_t *)"{\"filterServerList\":[\"x\"]}", 26, &a, &rb),
            0);
        assert_int_equal(rb.filter_server_count, 1);
    }
    wire_arena_release(&a);
}

/* The inflated form of a compressed REGISTER_BROKER body. */
static void piece(buf_writer *w, const char *s)
{
    buf_write_i32(w, (int32_t)strlen(s));
    buf_write_raw(w, s, strlen(s));
}

static void plain_register(buf_writer *w, int with_mapping)
{
    buf_writer_init(w, 0, 0);
    piece(w, "{\"counter\":7,\"stateVersion\":1,\"timestamp\":1700000000000}");
    buf_write_i32(w, 2);
    piece(w, "T 8 4 6 SINGLE_TAG");
    piece(w, "%RETRY%g 1 1 2 MULTI_TAG {\"+k\":\"a b\"}");
    piece(w, "[\"10.0.0.9:7\"]");
    if (with_mapping) {
        buf_write_i32(w, 1);
        piece(w, "{\"topic\":\"T\"}");
    }
}

static size_t deflate_into(const buf_writer *in, uint8_t *out, size_t cap)
{
    uLongf n = cap;
    assert_int_equal(compress2(out, &n, in->p, in->len, 9), Z_OK);
    return n;
}

static void test_register_broker_body_compressed(void **state)
{
    wire_arena a = {0};
    remoting_register_broker_body rb;
    buf_writer w;
    uint8_t z[4096];
    size_t zn;
    (void)state;
    for (int mapping = 0; mapping <= 1; mapping++) {
        plain_register(&w, mapping);
        zn = deflate_into(&w, z, sizeof(z));
        assert_int_equal(
            remoting_register_broker_body_decode_compressed(z, zn, 0, &a, &rb),
            0);
        assert_int_equal(rb.wrapper.data_version.counter, 7);
        assert_true(rb.wrapper.data_version.timestamp == 1700000000000LL);
        assert_int_equal(rb.wrapper.topic_count, 2);
        assert_true(view_is(rb.wrapper.topics[0].topic_name, "T"));
        assert_int_equal(rb.wrapper.topics[0].read_queue_nums, 8);
        assert_int_equal(rb.wrapper.topics[0].write_queue_nums, 4);
        assert_int_equal(rb.wrapper.topics[0].perm, 6);
        assert_true(
            view_is(rb.wrapper.topics[1].topic_filter_type, "MULTI_TAG"));
        assert_int_equal(rb.wrapper.topics[1].perm, 2);
        assert_int_equal(rb.filter_server_count, 1);
        assert_true(view_is(rb.filter_servers[0], "10.0.0.9:7"));

        /* every truncation of the inflated payload is refused, except the
         * one that ends where the optional 5.x section begins */
        {
            size_t full = w.len, base;
            buf_writer b4;
            plain_register(&b4, 0);
            base = b4.len;
            buf_writer_release(&b4);
            for (size_t cut = 0; cut < full; cut++) {
                int rc;
                w.len = cut;
                zn = deflate_into(&w, z, sizeof(z));
                rc = remoting_register_broker_body_decode_compressed(z, zn, 0,
                                                                     &a, &rb);
                if (cut == base)
                    assert_int_equal(rc, 0);
                else if (rc >= 0)
                    fail_msg("accepted a cut at %zu of %zu", cut, full);
            }
            w.len = full;
        }
        /* a cut stream, trailing bytes, a tight inflate limit */
        zn = deflate_into(&w, z, sizeof(z));
        assert_int_equal(remoting_register_broker_body_decode_compressed(
                             z, zn - 1, 0, &a, &rb),
                         BUF_EINVAL);
        z[zn] = 0;
        assert_int_equal(remoting_register_broker_body_decode_compressed(
                             z, zn + 1, 0, &a, &rb),
                         BUF_EINVAL);
        assert_int_equal(remoting_register_broker_body_decode_compressed(
                             z, zn, w.len - 1, &a, &rb),
                         BUF_ELIMIT);
        assert_int_equal(remoting_register_broker_body_decode_compressed(
                             z, zn, w.len, &a, &rb),
                         0);
        buf_writer_release(&w);
    }
    /* malformed topic lines and lengths */
    {
        static const char *bad[] = {"T x 8 6 SINGLE_TAG", "T 8 8 6",
                                    " 8 8 6 SINGLE_TAG", "T 8 8 6  ",
                                    "T 8 8 6 "};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
            buf_writer_init(&w, 0, 0);
            piece(&w, "{}");
            buf_write_i32(&w, 1);
            piece(&w, bad[i]);
            piece(&w, "[]");
            zn = deflate_into(&w, z, sizeof(z));
            assert_int_equal(remoting_register_broker_body_decode_compressed(
                                 z, zn, 0, &a, &rb),
                             BUF_EINVAL);
            buf_writer_release(&w);
        }
        buf_writer_init(&w, 0, 0);
        piece(&w, "{}");
        buf_write_i32(&w, 0x7fffffff); /* count past the bytes */
        zn = deflate_into(&w, z, sizeof(z));
        assert_int_equal(
            remoting_register_broker_body_decode_compressed(z, zn, 0, &a, &rb),
            BUF_EINVAL);
        buf_writer_release(&w);
    }
    assert_int_equal(remoting_register_broker_body_decode_compressed(
                         (const uint8_t *)"not zlib", 8, 0, &a, &rb),
                     BUF_EINVAL);
    wire_arena_release(&a);
}

static void test_lock_batch_and_consumer_list(void **state)
{
    static const char req[] =
        "{\"consumerGroup\":\"CG\",\"clientId\":\"cid\",\"onlyThisBroker\":"
        "false,\"mqSet\":[{\"topic\":\"T\",\"brokerName\":\"b\",\"queueId\":0},"
        "{\"topic\":\"T\",\"brokerName\":\"b\",\"queueId\":3}]}";
    wire_arena a = {0};
    remoting_lock_batch lb;
    buf_writer w;
    buf_view ids[2] = {{(const uint8_t *)"c1", 2, 0},
                       {(const uint8_t *)"c\"2", 3, 0}};
    (void)state;
    assert_int_equal(
        remoting_lock_batch_decode((const uint8_t *)req, strlen(req), &a, &lb),
        0);
    assert_true(view_is(lb.consumer_group, "CG"));
    assert_true(view_is(lb.client_id, "cid"));
    assert_int_equal(lb.mq_count, 2);
    assert_int_equal(lb.mqs[1].queue_id, 3);
    buf_writer_init(&w, 0, 0);
    assert_int_equal(remoting_lock_batch_response_encode(&w, lb.mqs, 2), 0);
    {
        static const char want[] =
            "{\"lockOKMQSet\":[{\"brokerName\":\"b\",\"queueId\":0,\"topic\":"
            "\"T\"},{\"brokerName\":\"b\",\"queueId\":3,\"topic\":\"T\"}]}";
        assert_int_equal(w.len, strlen(want));
        assert_memory_equal(w.p, want, w.len);
    }
    w.len = 0;
    assert_int_equal(remoting_consumer_list_encode(&w, ids, 2), 0);
    assert_int_equal(w.len, strlen("{\"consumerIdList\":[\"c1\",\"c\\\"2\"]}"));
    assert_memory_equal(w.p, "{\"consumerIdList\":[\"c1\",\"c\\\"2\"]}", w.len);
    buf_writer_release(&w);
    wire_arena_release(&a);
}

static void expect(const buf_writer *w, const char *want)
{
    if (w->len != strlen(want) || memcmp(w->p, want, w->len) != 0)
        fail_msg("got %.*s\nwant %s", (int)w->len, (const char *)w->p, want);
}

static void test_admin_bodies(void **state)
{
    remoting_kv kv[2] = {{{(const uint8_t *)"brokerVersionDesc", 17, 0},
                          {(const uint8_t *)"V4_9_8", 6, 0}},
                         {{(const uint8_t *)"commitLogMaxOffset", 18, 0},
                          {(const uint8_t *)"42", 2, 0}}};
    buf_view topics[2] = {{(const uint8_t *)"A", 1, 0},
                          {(const uint8_t *)"%RETRY%g", 8, 0}};
    remoting_topic_offset to = {
        {{(const uint8_t *)"T", 1, 0}, {(const uint8_t *)"b", 1, 0}, 3},
        0,
        10,
        1700000000000LL};
    remoting_consume_offset co = {
        {{(const uint8_t *)"T", 1, 0}, {(const uint8_t *)"b", 1, 0}, 0},
        10,
        7,
        8,
        1700000000000LL};
    buf_writer w;
    (void)state;
    buf_writer_init(&w, 0, 0);
    assert_int_equal(remoting_kv_table_encode(&w, kv, 2), 0);
    expect(&w, "{\"table\":{\"brokerVersionDesc\":\"V4_9_8\","
               "\"commitLogMaxOffset\":\"42\"}}");
    w.len = 0;
    assert_int_equal(remoting_topic_list_encode(&w, topics, 2), 0);
    expect(&w, "{\"topicList\":[\"A\",\"%RETRY%g\"]}");
    w.len = 0;
    assert_int_equal(remoting_topic_stats_encode(&w, &to, 1), 0);
    expect(&w, "{\"offsetTable\":{{\"brokerName\":\"b\",\"queueId\":3,"
               "\"topic\":\"T\"}:{\"lastUpdateTimestamp\":1700000000000,"
               "\"maxOffset\":10,\"minOffset\":0}}}");
    w.len = 0;
    assert_int_equal(remoting_consume_stats_encode(&w, 0, &co, 1), 0);
    expect(&w, "{\"consumeTps\":0.0,\"offsetTable\":{{\"brokerName\":\"b\","
               "\"queueId\":0,\"topic\":\"T\"}:{\"brokerOffset\":10,"
               "\"consumerOffset\":7,\"lastTimestamp\":1700000000000,"
               "\"pullOffset\":8}}}");
    w.len = 0;
    assert_int_equal(remoting_consume_stats_encode(&w, 2.5, NULL, 0), 0);
    expect(&w, "{\"consumeTps\":2.5,\"offsetTable\":{}}");
    buf_writer_release(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_topic_route_strict_and_fastjson),
        cmocka_unit_test(test_register_broker_body),
        cmocka_unit_test(test_heartbeat_java_go_ons),
        cmocka_unit_test(test_bodies_reject_malformed),
        cmocka_unit_test(test_register_broker_body_compressed),
        cmocka_unit_test(test_lock_batch_and_consumer_list),
        cmocka_unit_test(test_admin_bodies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
