/*
 * test_remoting_client.c - client-side bodies: TopicRouteData decoded from
 * what remoting_topic_route_encode writes (strict and fastjson bare keys)
 * and from a name-server answer, ClusterInfo, consumer and topic lists,
 * HeartbeatData and LockBatch encodes read back by the broker-side
 * decoders, the lock answer, and garbage of every kind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "remoting_client.h"

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

static void test_route_round_trip(void **state)
{
    remoting_broker_addr addrs[2] = {{0, V("10.0.0.7:10911")},
                                     {1, V("10.0.0.8:10911")}};
    remoting_broker_data bd = {
        V("DefaultCluster"), V("broker-a"), addrs, 2, {NULL, 0, 1}, 0};
    remoting_queue_data qd = {V("broker-a"), 4, 8, 6, 0};
    remoting_topic_route rt = {&qd, 1, &bd, 1, {NULL, 0, 1}};
    remoting_topic_route out;
    wire_arena a;
    (void)state;

    wire_arena_init(&a, 0, 0);
    for (int style = 0; style < 2; style++) {
        buf_writer w;
        buf_writer_init(&w, 0, 0);
        assert_int_equal(remoting_topic_route_encode(&w, &rt, style), 0);
        assert_int_equal(remoting_topic_route_decode(w.p, w.len, &a, &out),
                         0);
        assert_int_equal(out.broker_data_count, 1);
        assert_int_equal(out.queue_data_count, 1);
        assert_true(view_is(out.broker_datas[0].broker_name, "broker-a"));
        assert_true(view_is(out.broker_datas[0].cluster, "DefaultCluster"));
        assert_int_equal(out.broker_datas[0].addr_count, 2);
        for (int k = 0; k < 2; k++) {
            const remoting_broker_addr *ba = &out.broker_datas[0].addrs[k];
            assert_true(view_is(ba->addr, ba->broker_id == 0
                                              ? "10.0.0.7:10911"
                                              : "10.0.0.8:10911"));
        }
        assert_int_equal(out.queue_datas[0].read_queue_nums, 4);
        assert_int_equal(out.queue_datas[0].write_queue_nums, 8);
        assert_int_equal(out.queue_datas[0].perm, 6);
        buf_writer_release(&w);
    }
    wire_arena_release(&a);
}

static void test_route_name_server_shape(void **state)
{
    /* as nameserver/route.c prints it (jansson, keys unsorted) */
    const char *js =
        "{\"brokerDatas\": [{\"cluster\": \"c1\", \"brokerName\": \"b\", "
        "\"brokerAddrs\": {\"0\": \"127.0.0.1:1\"}}], "
        "\"filterServerTable\": {}, \"queueDatas\": [{\"brokerName\": \"b\","
        " \"readQueueNums\": \"2\", \"writeQueueNums\": 3, \"perm\": 6}]}";
    remoting_topic_route out;
    wire_arena a;
    (void)state;

    wire_arena_init(&a, 0, 0);
    assert_int_equal(remoting_topic_route_decode(U(js), strlen(js), &a, &out),
                     0);
    assert_int_equal(out.queue_datas[0].read_queue_nums, 2);
    assert_int_equal(out.queue_datas[0].write_queue_nums, 3);
    assert_true(view_is(out.broker_datas[0].addrs[0].addr, "127.0.0.1:1"));
    /* a string holding "{0:" is not rewritten */
    const char *tricky = "{\"brokerDatas\":[{\"brokerName\":\"{0:x\","
                         "\"brokerAddrs\":{0:\"a:1\"}}]}";
    assert_int_equal(
        remoting_topic_route_decode(U(tricky), strlen(tricky), &a, &out), 0);
    assert_true(view_is(out.broker_datas[0].broker_name, "{0:x"));
    assert_true(view_is(out.broker_datas[0].addrs[0].addr, "a:1"));
    wire_arena_release(&a);
}

static void test_cluster_info(void **state)
{
    const char *js =
        "{\"brokerAddrTable\":{\"b1\":{\"brokerAddrs\":{\"0\":\"h:1\"},"
        "\"brokerName\":\"b1\",\"cluster\":\"C\"},\"b2\":{\"brokerAddrs\":"
        "{\"0\":\"h:2\",\"1\":\"h:3\"},\"brokerName\":\"b2\",\"cluster\":"
        "\"C\"}},\"clusterAddrTable\":{\"C\":[\"b1\",\"b2\"]}}";
    remoting_cluster_info ci;
    wire_arena a;
    (void)state;

    wire_arena_init(&a, 0, 0);
    assert_int_equal(remoting_cluster_info_decode(U(js), strlen(js), &a, &ci),
                     0);
    assert_int_equal(ci.broker_count, 2);
    assert_int_equal(ci.cluster_count, 1);
    assert_true(view_is(ci.clusters[0].cluster, "C"));
    assert_int_equal(ci.clusters[0].broker_name_count, 2);
    assert_true(view_is(ci.clusters[0].broker_names[1], "b2"));
    assert_int_equal(ci.brokers[1].addr_count, 2);
    wire_arena_release(&a);
}

static void test_lists(void **state)
{
    buf_view ids[2] = {V("10.0.0.1@1"), V("10.0.0.2@2")};
    buf_view *out;
    int32_t n;
    buf_writer w;
    wire_arena a;
    (void)state;

    wire_arena_init(&a, 0, 0);
    buf_writer_init(&w, 0, 0);
    assert_int_equal(remoting_consumer_list_encode(&w, ids, 2), 0);
    assert_int_equal(remoting_consumer_list_decode(w.p, w.len, &a, &out, &n),
                     0);
    assert_int_equal(n, 2);
    assert_true(view_is(out[1], "10.0.0.2@2"));
    w.len = 0;
    assert_int_equal(remoting_topic_list_encode(&w, ids, 1), 0);
    assert_int_equal(remoting_topic_list_decode(w.p, w.len, &a, &out, &n), 0);
    assert_int_equal(n, 1);
    assert_true(view_is(out[0], "10.0.0.1@1"));
    /* empty and absent lists are empty, not errors */
    assert_int_equal(remoting_topic_list_decode(U("{}"), 2, &a, &out, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(
        remoting_topic_list_decode(U("{\"topicList\":[1]}"), 15, &a, &out, &n),
        BUF_EINVAL);
    buf_writer_release(&w);
    wire_arena_release(&a);
}

static void test_heartbeat_round_trip(void **state)
{
    buf_view tags[2] = {V("A"), V("B")};
    int32_t codes[2] = {65, 66};
    remoting_subscription sub = {V("T"), V("A || B"), V("TAG"), tags, 2,
                                 codes, 2, 1234, 0};
    remoting_consumer_data cd = {V("G"), V("CONSUME_PASSIVELY"),
                                 V("BROADCASTING"),
                                 V("CONSUME_FROM_FIRST_OFFSET"), 0, &sub, 1};
    buf_view pg = V("P");
    remoting_heartbeat hb = {V("cid@1"), &pg, 1, &cd, 1, 0, 0}, back;
    buf_writer w;
    wire_arena a;
    (void)state;

    wire_arena_init(&a, 0, 0);
    buf_writer_init(&w, 0, 0);
    assert_int_equal(remoting_heartbeat_encode(&w, &hb), 0);
    assert_int_equal(remoting_heartbeat_decode(w.p, w.len, &a, &back), 0);
    assert_true(view_is(back.client_id, "cid@1"));
    assert_int_equal(back.producer_count, 1);
    assert_true(view_is(back.producer_groups[0], "P"));
    assert_int_equal(back.consumer_count, 1);
    assert_true(view_is(back.consumers[0].message_model, "BROADCASTING"));
    assert_int_equal(back.consumers[0].subscription_count, 1);
    assert_true(
        view_is(back.consumers[0].subscriptions[0].sub_string, "A || B"));
    assert_int_equal(back.consumers[0].subscriptions[0].tag_count, 2);
    assert_int_equal(back.consumers[0].subscriptions[0].codes[1], 66);
    assert_int_equal(back.consumers[0].subscriptions[0].sub_version, 1234);
    buf_writer_release(&w);
    wire_arena_release(&a);
}

static void test_lock_round_trip(void **state)
{
    remoting_message_queue mqs[2] = {{V("T"), V("b"), 0}, {V("T"), V("b"), 3}};
    remoting_lock_batch lb = {V("G"), V("cid"), 1, mqs, 2}, back;
    remoting_message_queue *got;
    int32_t n;
    buf_writer w;
    wire_arena a;
    (void)state;

    wire_arena_init(&a, 0, 0);
    buf_writer_init(&w, 0, 0);
    assert_int_equal(remoting_lock_batch_encode(&w, &lb), 0);
    assert_int_equal(remoting_lock_batch_decode(w.p, w.len, &a, &back), 0);
    assert_int_equal(back.mq_count, 2);
    assert_int_equal(back.only_this_broker, 1);
    assert_int_equal(back.mqs[1].queue_id, 3);
    w.len = 0;
    assert_int_equal(remoting_lock_batch_response_encode(&w, mqs, 2), 0);
    assert_int_equal(
        remoting_lock_batch_response_decode(w.p, w.len, &a, &got, &n), 0);
    assert_int_equal(n, 2);
    assert_true(view_is(got[0].broker_name, "b"));
    assert_int_equal(got[1].queue_id, 3);
    buf_writer_release(&w);
    wire_arena_release(&a);
}

static void test_garbage(void **state)
{
    static const char *bad[] = {
        "",
        "{",
        "[]",
        "null",
        "\"x\"",
        "{\"brokerDatas\":{}}",
        "{\"brokerDatas\":[1]}",
        "{\"brokerDatas\":[{\"brokerAddrs\":{\"x\":\"a\"}}]}",
        "{\"brokerDatas\":[{\"brokerAddrs\":{\"0\":5}}]}",
        "{\"queueDatas\":[{\"readQueueNums\":\"12a\"}]}",
        "{\"queueDatas\":[{\"readQueueNums\":99999999999}]}",
        "{\"queueDatas\":[{\"perm\":true}]}",
        "{\"brokerAddrTable\":[],\"clusterAddrTable\":{}}",
        "{\"clusterAddrTable\":{\"C\":\"b\"}}",
        "{\"consumerIdList\":\"a\",\"topicList\":{},\"lockOKMQSet\":[3]}",
        "{\"brokerDatas\":[{\"brokerAddrs\":{0:\"a\",}}]}",
        "{0:",
        "{,-:",
        "\xff\xfe{}",
    };
    wire_arena a;
    (void)state;

    wire_arena_init(&a, 0, 1u << 20);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const uint8_t *p = U(bad[i]);
        size_t n = strlen(bad[i]);
        remoting_topic_route rt;
        remoting_cluster_info ci;
        remoting_message_queue *mqs;
        buf_view *v;
        int32_t c;
        int r1 = remoting_topic_route_decode(p, n, &a, &rt);
        int r2 = remoting_cluster_info_decode(p, n, &a, &ci);
        int r3 = remoting_consumer_list_decode(p, n, &a, &v, &c);
        int r4 = remoting_topic_list_decode(p, n, &a, &v, &c);
        int r5 = remoting_lock_batch_response_decode(p, n, &a, &mqs, &c);
        /* every input here is wrong for at least the route or the lists */
        assert_true(r1 != 0 || r2 != 0 || r3 != 0 || r4 != 0 || r5 != 0);
        if (r1)
            assert_int_equal(rt.broker_data_count, 0);
    }
    /* nesting past the limit is refused before parsing */
    char deep[200];
    memset(deep, '[', sizeof deep);
    remoting_topic_route rt;
    assert_int_not_equal(
        remoting_topic_route_decode(U(deep), sizeof deep, &a, &rt), 0);
    /* a tiny arena runs out: an error, not a crash */
    wire_arena small;
    wire_arena_init(&small, 64, 64);
    const char *js = "{\"topicList\":[\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
                     "\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"]}";
    buf_view *v;
    int32_t c;
    assert_int_equal(remoting_topic_list_decode(U(js), strlen(js), &small, &v,
                                                &c),
                     BUF_ENOMEM);
    wire_arena_release(&small);
    wire_arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_route_round_trip),
        cmocka_unit_test(test_route_name_server_shape),
        cmocka_unit_test(test_cluster_info),
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_heartbeat_round_trip),
        cmocka_unit_test(test_lock_round_trip),
        cmocka_unit_test(test_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
