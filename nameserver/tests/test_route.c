/*
 * test_route.c - the name server's route table: registration builds the
 * TopicRouteData clients read, slaves point at their master, expiry and a
 * closed connection remove a broker and the topics only it served, data
 * versions decide whether topic queue data is rewritten, and the JSON is
 * strict and compact (quoted broker ids, no spaces).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "route.h"

static route_register reg_of(const char *name, const char *addr, int64_t id,
                             const route_queue_data *q, int n, int64_t ver,
                             uint64_t conn)
{
    route_register r;
    memset(&r, 0, sizeof r);
    r.cluster = "FerryCluster";
    r.broker_name = name;
    r.broker_addr = addr;
    r.broker_id = id;
    r.topics = q;
    r.n_topics = n;
    r.version.counter = ver;
    r.version.timestamp = 1000 + ver;
    r.conn_id = conn;
    return r;
}

static void test_registered_topic_has_a_route(void **state)
{
    (void)state;
    route_table *rt = route_new(120000);
    route_queue_data q[] = {{"TopicA", 4, 4, 6, 0}, {"TopicB", 8, 8, 6, 0}};
    route_register r = reg_of("broker-a", "127.0.0.1:10911", 0, q, 2, 1, 7);
    assert_int_equal(route_register_broker(rt, &r, 1000, NULL), 0);
    char *json = route_topic_route_json(rt, "TopicA");
    assert_non_null(json);
    assert_string_equal(
        json, "{\"brokerDatas\":[{\"brokerAddrs\":{\"0\":\"127.0.0.1:10911\"},"
              "\"brokerName\":\"broker-a\",\"cluster\":\"FerryCluster\","
              "\"enableActingMaster\":false}],\"filterServerTable\":{},"
              "\"queueDatas\":[{\"brokerName\":\"broker-a\",\"perm\":6,"
              "\"readQueueNums\":4,\"topicSysFlag\":0,\"writeQueueNums\":4}]}");
    free(json);
    assert_null(route_topic_route_json(rt, "NoSuchTopic"));
    assert_int_equal(route_topic_count(rt), 2);
    route_free(rt);
}

static void test_slave_gets_master_address(void **state)
{
    (void)state;
    route_table *rt = route_new(0);
    route_queue_data q[] = {{"T", 2, 2, 6, 0}};
    route_register m = reg_of("b", "10.0.0.1:10911", 0, q, 1, 1, 1);
    route_register s = reg_of("b", "10.0.0.2:10911", 1, q, 1, 1, 2);
    const char *master = NULL;
    assert_int_equal(route_register_broker(rt, &m, 0, &master), 0);
    assert_string_equal(master, "");
    assert_int_equal(route_register_broker(rt, &s, 0, &master), 0);
    assert_string_equal(master, "10.0.0.1:10911");
    char *json = route_topic_route_json(rt, "T");
    assert_non_null(strstr(json, "\"1\":\"10.0.0.2:10911\""));
    free(json);
    route_free(rt);
}

static void test_expiry_removes_broker_and_its_topics(void **state)
{
    (void)state;
    route_table *rt = route_new(120000);
    route_queue_data qa[] = {{"Shared", 4, 4, 6, 0}, {"OnlyA", 1, 1, 6, 0}};
    route_queue_data qb[] = {{"Shared", 2, 2, 6, 0}};
    route_register a = reg_of("a", "1.1.1.1:1", 0, qa, 2, 1, 1);
    route_register b = reg_of("b", "2.2.2.2:2", 0, qb, 1, 1, 2);
    route_register_broker(rt, &a, 0, NULL);
    route_register_broker(rt, &b, 100000, NULL);
    /* a is silent for more than 120 s, b refreshed */
    assert_int_equal(route_expire(rt, 119999), 0);
    assert_int_equal(route_expire(rt, 120001), 1);
    assert_int_equal(route_live_broker_count(rt), 1);
    assert_null(route_topic_route_json(rt, "OnlyA"));
    char *json = route_topic_route_json(rt, "Shared");
    assert_non_null(json);
    assert_null(strstr(json, "\"a\""));
    assert_non_null(strstr(json, "\"brokerName\":\"b\""));
    free(json);
    /* a touch keeps b alive past its first deadline */
    assert_int_equal(route_touch(rt, "2.2.2.2:2", 200000, NULL), 1);
    assert_int_equal(route_expire(rt, 250000), 0);
    /* closing b's connection removes it at once */
    assert_int_equal(route_connection_closed(rt, 2), 1);
    assert_null(route_topic_route_json(rt, "Shared"));
    assert_int_equal(route_topic_count(rt), 0);
    char *ci = route_cluster_info_json(rt);
    assert_string_equal(ci, "{\"brokerAddrTable\":{},\"clusterAddrTable\":{}}");
    free(ci);
    route_free(rt);
}

static void test_unchanged_data_version_keeps_queue_data(void **state)
{
    (void)state;
    route_table *rt = route_new(0);
    route_queue_data q1[] = {{"T", 4, 4, 6, 0}};
    route_queue_data q2[] = {{"T", 16, 16, 6, 0}};
    route_register r = reg_of("a", "1.1.1.1:1", 0, q1, 1, 5, 1);
    route_register_broker(rt, &r, 0, NULL);
    /* same version, different body: not rewritten (as the Java NS) */
    r = reg_of("a", "1.1.1.1:1", 0, q2, 1, 5, 1);
    route_register_broker(rt, &r, 1, NULL);
    char *json = route_topic_route_json(rt, "T");
    assert_non_null(strstr(json, "\"readQueueNums\":4"));
    free(json);
    /* a new version: rewritten */
    r = reg_of("a", "1.1.1.1:1", 0, q2, 1, 6, 1);
    route_register_broker(rt, &r, 2, NULL);
    json = route_topic_route_json(rt, "T");
    assert_non_null(strstr(json, "\"readQueueNums\":16"));
    free(json);
    route_data_version v;
    assert_int_equal(route_touch(rt, "1.1.1.1:1", 3, &v), 1);
    assert_int_equal(v.counter, 6);
    route_free(rt);
}

static void test_unregister_delete_topic_lists_and_kv(void **state)
{
    (void)state;
    route_table *rt = route_new(0);
    route_queue_data q[] = {{"T1", 1, 1, 6, 0}, {"T2", 1, 1, 6, 0}};
    route_register r = reg_of("a", "1.1.1.1:1", 0, q, 2, 1, 1);
    route_register_broker(rt, &r, 0, NULL);
    char *list = route_topic_list_json(rt, NULL);
    assert_non_null(strstr(list, "\"T1\""));
    assert_non_null(strstr(list, "\"T2\""));
    free(list);
    list = route_topic_list_json(rt, "OtherCluster");
    assert_string_equal(list, "{\"topicList\":[]}");
    free(list);
    assert_int_equal(route_delete_topic(rt, "T1", NULL), 1);
    assert_null(route_topic_route_json(rt, "T1"));
    assert_int_equal(route_delete_topic(rt, "T1", NULL), 0);
    assert_int_equal(route_unregister_broker(rt, "FerryCluster", "a",
                                             "1.1.1.1:1", 0),
                     1);
    assert_null(route_topic_route_json(rt, "T2"));
    assert_int_equal(route_live_broker_count(rt), 0);
    assert_int_equal(route_kv_put(rt, "ORDER_TOPIC_CONFIG", "T", "a:4"), 0);
    assert_string_equal(route_kv_get(rt, "ORDER_TOPIC_CONFIG", "T"), "a:4");
    char *kv = route_kv_list_json(rt, "ORDER_TOPIC_CONFIG");
    assert_string_equal(kv, "{\"table\":{\"T\":\"a:4\"}}");
    free(kv);
    assert_int_equal(route_kv_delete(rt, "ORDER_TOPIC_CONFIG", "T"), 1);
    assert_null(route_kv_get(rt, "ORDER_TOPIC_CONFIG", "T"));
    route_free(rt);
}

static void test_bad_registrations_are_refused(void **state)
{
    (void)state;
    route_table *rt = route_new(0);
    route_register r = reg_of("", "1.1.1.1:1", 0, NULL, 0, 1, 1);
    assert_int_equal(route_register_broker(rt, &r, 0, NULL), -1);
    r = reg_of("a", NULL, 0, NULL, 0, 1, 1);
    assert_int_equal(route_register_broker(rt, &r, 0, NULL), -1);
    r = reg_of("a", "1.1.1.1:1", -1, NULL, 0, 1, 1);
    assert_int_equal(route_register_broker(rt, &r, 0, NULL), -1);
    assert_int_equal(route_live_broker_count(rt), 0);
    route_free(rt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registered_topic_has_a_route),
        cmocka_unit_test(test_slave_gets_master_address),
        cmocka_unit_test(test_expiry_removes_broker_and_its_topics),
        cmocka_unit_test(test_unchanged_data_version_keeps_queue_data),
        cmocka_unit_test(test_unregister_delete_topic_lists_and_kv),
        cmocka_unit_test(test_bad_registrations_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
