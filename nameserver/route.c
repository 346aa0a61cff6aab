/*
 * route.c - the name server's route table, kept as jansson objects (hash
 * tables keyed by name), which also makes the JSON bodies straightforward.
 *
 *   brokers  {brokerName: {"cluster": c, "brokerName": n,
 *                          "brokerAddrs": {"<id>": "ip:port"}}}
 *   clusters {cluster: {brokerName: true}}
 *   topics   {topic: {brokerName: {"brokerName", "perm", "readQueueNums",
 *                                  "topicSysFlag", "writeQueueNums"}}}
 *   live     {"ip:port": {"last": ms, "timeout": ms, "conn": id,
 *                         "cluster", "brokerName", "brokerId", "ha",
 *                         "version": {"counter","stateVersion","timestamp"}}}
 *   kv       {namespace: {key: value}}
 *
 * Invariants: every address in brokers[*].brokerAddrs has a live entry and
 * the reverse; a broker name with no addresses has no brokers entry, no
 * cluster membership and no queue data in any topic; a topic with no queue
 * data has no topics entry.
 */
#include "route.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct route_table {
    json_t *brokers;
    json_t *clusters;
    json_t *topics;
    json_t *live;
    json_t *kv;
    int64_t default_timeout_ms;
};

route_table *route_new(int64_t default_timeout_ms)
{
    route_table *rt = calloc(1, sizeof *rt);
    if (!rt)
        return NULL;
    rt->brokers = json_object();
    rt->clusters = json_object();
    rt->topics = json_object();
    rt->live = json_object();
    rt->kv = json_object();
    rt->default_timeout_ms =
        default_timeout_ms > 0 ? default_timeout_ms : 120000;
    if (!rt->brokers || !rt->clusters || !rt->topics || !rt->live ||
        !rt->kv) {
        route_free(rt);
        return NULL;
    }
    return rt;
}

void route_free(route_table *rt)
{
    if (!rt)
        return;
    json_decref(rt->brokers);
    json_decref(rt->clusters);
    json_decref(rt->topics);
    json_decref(rt->live);
    json_decref(rt->kv);
    free(rt);
}

static json_t *version_json(const route_data_version *v)
{
    return json_pack("{s:I,s:I,s:I}", "counter", (json_int_t)v->counter,
                     "stateVersion", (json_int_t)v->state_version,
                     "timestamp", (json_int_t)v->timestamp);
}

static int version_equal(json_t *j, const route_data_version *v)
{
    return j &&
           json_integer_value(json_object_get(j, "counter")) == v->counter &&
           json_integer_value(json_object_get(j, "stateVersion")) ==
               v->state_version &&
           json_integer_value(json_object_get(j, "timestamp")) ==
               v->timestamp;
}

/* Removes a broker name entirely: cluster membership and queue data. */
static void drop_broker_name(route_table *rt, const char *name)
{
    json_t *b = json_object_get(rt->brokers, name);
    const char *cluster = b ? json_string_value(json_object_get(b, "cluster"))
                            : NULL;
    if (cluster) {
        json_t *members = json_object_get(rt->clusters, cluster);
        if (members) {
            json_object_del(members, name);
            if (json_object_size(members) == 0)
                json_object_del(rt->clusters, cluster);
        }
    }
    json_object_del(rt->brokers, name);
    const char *topic;
    json_t *per, *tmp;
    json_object_foreach_safe(rt->topics, tmp, topic, per)
    {
        json_object_del(per, name);
        if (json_object_size(per) == 0)
            json_object_del(rt->topics, topic);
    }
}

/* Removes one address (its live entry and its place in brokerAddrs). */
static void drop_address(route_table *rt, const char *addr)
{
    json_t *l = json_object_get(rt->live, addr);
    if (!l)
        return;
    char name[512];
    snprintf(name, sizeof name, "%s",
             json_string_value(json_object_get(l, "brokerName"))
                 ? json_string_value(json_object_get(l, "brokerName"))
                 : "");
    json_object_del(rt->live, addr);
    json_t *b = json_object_get(rt->brokers, name);
    if (!b)
        return;
    json_t *addrs = json_object_get(b, "brokerAddrs");
    const char *id;
    json_t *a, *tmp;
    json_object_foreach_safe(addrs, tmp, id, a)
    {
        if (json_is_string(a) && strcmp(json_string_value(a), addr) == 0)
            json_object_del(addrs, id);
    }
    if (json_object_size(addrs) == 0)
        drop_broker_name(rt, name);
}

int route_register_broker(route_table *rt, const route_register *reg,
                          int64_t now_ms, const char **master_addr)
{
    if (master_addr)
        *master_addr = "";
    if (!reg->cluster || !reg->broker_name || !reg->broker_addr ||
        !*reg->cluster || !*reg->broker_name || !*reg->broker_addr ||
        reg->broker_id < 0)
        return -1;
    /* cluster membership */
    json_t *members = json_object_get(rt->clusters, reg->cluster);
    if (!members) {
        members = json_object();
        json_object_set_new(rt->clusters, reg->cluster, members);
    }
    json_object_set_new(members, reg->broker_name, json_true());
    /* broker data */
    json_t *b = json_object_get(rt->brokers, reg->broker_name);
    if (!b) {
        b = json_pack("{s:s,s:s,s:{}}", "cluster", reg->cluster, "brokerName",
                      reg->broker_name, "brokerAddrs");
        if (!b)
            return -1;
        json_object_set_new(rt->brokers, reg->broker_name, b);
    }
    json_t *addrs = json_object_get(b, "brokerAddrs");
    char idtext[32];
    snprintf(idtext, sizeof idtext, "%lld", (long long)reg->broker_id);
    /* the same address under another id goes (a slave promoted, ...) */
    const char *id;
    json_t *a, *tmp;
    json_object_foreach_safe(addrs, tmp, id, a)
    {
        if (strcmp(id, idtext) != 0 && json_is_string(a) &&
            strcmp(json_string_value(a), reg->broker_addr) == 0)
            json_object_del(addrs, id);
    }
    json_t *old_at_id = json_object_get(addrs, idtext);
    if (old_at_id && strcmp(json_string_value(old_at_id), reg->broker_addr))
        json_object_del(rt->live, json_string_value(old_at_id));
    json_object_set_new(addrs, idtext, json_string(reg->broker_addr));
    /* liveness */
    json_t *l = json_object_get(rt->live, reg->broker_addr);
    int first = l == NULL;
    int changed = first || !version_equal(json_object_get(l, "version"),
                                          &reg->version);
    json_t *nl = json_pack(
        "{s:I,s:I,s:I,s:s,s:s,s:I,s:s,s:o}", "last", (json_int_t)now_ms,
        "timeout",
        (json_int_t)(reg->timeout_ms > 0 ? reg->timeout_ms
                                         : rt->default_timeout_ms),
        "conn", (json_int_t)reg->conn_id, "cluster", reg->cluster,
        "brokerName", reg->broker_name, "brokerId",
        (json_int_t)reg->broker_id, "ha", reg->ha_addr ? reg->ha_addr : "",
        "version", version_json(&reg->version));
    if (!nl)
        return -1;
    json_object_set_new(rt->live, reg->broker_addr, nl);
    /* queue data: a master's topic configs */
    if (reg->broker_id == 0 && changed) {
        for (int i = 0; i < reg->n_topics; i++) {
            const route_queue_data *q = &reg->topics[i];
            if (!q->topic || !*q->topic)
                continue;
            json_t *per = json_object_get(rt->topics, q->topic);
            if (!per) {
                per = json_object();
                json_object_set_new(rt->topics, q->topic, per);
            }
            json_object_set_new(
                per, reg->broker_name,
                json_pack("{s:s,s:i,s:i,s:i,s:i}", "brokerName",
                          reg->broker_name, "perm", q->perm, "readQueueNums",
                          q->read_queues, "topicSysFlag", q->topic_sys_flag,
                          "writeQueueNums", q->write_queues));
        }
    }
    if (reg->broker_id != 0 && master_addr) {
        json_t *m = json_object_get(addrs, "0");
        *master_addr = m ? json_string_value(m) : "";
    }
    return 0;
}

int route_unregister_broker(route_table *rt, const char *cluster,
                            const char *broker_name, const char *broker_addr,
                            int64_t broker_id)
{
    (void)cluster;
    (void)broker_id;
    json_t *l = json_object_get(rt->live, broker_addr);
    if (!l)
        return 0;
    const char *n = json_string_value(json_object_get(l, "brokerName"));
    if (broker_name && n && strcmp(n, broker_name) != 0)
        return 0;
    drop_address(rt, broker_addr);
    return 1;
}

int route_touch(route_table *rt, const char *broker_addr, int64_t now_ms,
                route_data_version *version)
{
    json_t *l = json_object_get(rt->live, broker_addr);
    if (!l)
        return 0;
    json_object_set_new(l, "last", json_integer(now_ms));
    if (version) {
        json_t *v = json_object_get(l, "version");
        version->counter = json_integer_value(json_object_get(v, "counter"));
        version->state_version =
            json_integer_value(json_object_get(v, "stateVersion"));
        version->timestamp =
            json_integer_value(json_object_get(v, "timestamp"));
    }
    return 1;
}

int route_expire(route_table *rt, int64_t now_ms)
{
    int n = 0;
    const char *addr;
    json_t *l, *tmp;
    json_object_foreach_safe(rt->live, tmp, addr, l)
    {
        int64_t last = json_integer_value(json_object_get(l, "last"));
        int64_t to = json_integer_value(json_object_get(l, "timeout"));
        if (last + to < now_ms) {
            char a[256];
            snprintf(a, sizeof a, "%s", addr);
            drop_address(rt, a);
            n++;
        }
    }
    return n;
}

int route_connection_closed(route_table *rt, uint64_t conn_id)
{
    if (!conn_id)
        return 0;
    int n = 0;
    const char *addr;
    json_t *l, *tmp;
    json_object_foreach_safe(rt->live, tmp, addr, l)
    {
        if ((uint64_t)json_integer_value(json_object_get(l, "conn")) ==
            conn_id) {
            char a[256];
            snprintf(a, sizeof a, "%s", addr);
            drop_address(rt, a);
            n++;
        }
    }
    return n;
}

static char *dump(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    return s;
}

char *route_topic_route_json(route_table *rt, const char *topic)
{
    json_t *per = json_object_get(rt->topics, topic);
    if (!per || json_object_size(per) == 0)
        return NULL;
    json_t *bds = json_array(), *qds = json_array();
    const char *name;
    json_t *qd;
    json_object_foreach(per, name, qd)
    {
        json_t *b = json_object_get(rt->brokers, name);
        if (!b)
            continue;
        json_array_append(qds, qd);
        json_array_append_new(
            bds, json_pack("{s:O,s:s,s:O,s:b}", "brokerAddrs",
                           json_object_get(b, "brokerAddrs"), "brokerName",
                           name, "cluster", json_object_get(b, "cluster"),
                           "enableActingMaster", 0));
    }
    if (json_array_size(qds) == 0) {
        json_decref(bds);
        json_decref(qds);
        return NULL;
    }
    return dump(json_pack("{s:o,s:{},s:o}", "brokerDatas", bds,
                          "filterServerTable", "queueDatas", qds));
}

char *route_cluster_info_json(route_table *rt)
{
    json_t *bt = json_object(), *ct = json_object();
    const char *name;
    json_t *b;
    json_object_foreach(rt->brokers, name, b)
    {
        json_object_set_new(
            bt, name,
            json_pack("{s:O,s:s,s:O}", "brokerAddrs",
                      json_object_get(b, "brokerAddrs"), "brokerName", name,
                      "cluster", json_object_get(b, "cluster")));
    }
    const char *cluster;
    json_t *members;
    json_object_foreach(rt->clusters, cluster, members)
    {
        json_t *arr = json_array();
        const char *m;
        json_t *v;
        json_object_foreach(members, m, v)
        {
            (void)v;
            json_array_append_new(arr, json_string(m));
        }
        json_object_set_new(ct, cluster, arr);
    }
    return dump(json_pack("{s:o,s:o}", "brokerAddrTable", bt,
                          "clusterAddrTable", ct));
}

char *route_topic_list_json(route_table *rt, const char *cluster)
{
    json_t *list = json_array();
    json_t *members = cluster ? json_object_get(rt->clusters, cluster) : NULL;
    const char *topic;
    json_t *per;
    json_object_foreach(rt->topics, topic, per)
    {
        if (cluster) {
            int in = 0;
            const char *name;
            json_t *qd;
            json_object_foreach(per, name, qd)
            {
                (void)qd;
                if (members && json_object_get(members, name))
                    in = 1;
            }
            if (!in)
                continue;
        }
        json_array_append_new(list, json_string(topic));
    }
    return dump(json_pack("{s:o}", "topicList", list));
}

int route_delete_topic(route_table *rt, const char *topic,
                       const char *cluster)
{
    json_t *per = json_object_get(rt->topics, topic);
    if (!per)
        return 0;
    if (!cluster || !*cluster) {
        json_object_del(rt->topics, topic);
        return 1;
    }
    json_t *members = json_object_get(rt->clusters, cluster);
    int n = 0;
    const char *name;
    json_t *qd, *tmp;
    json_object_foreach_safe(per, tmp, name, qd)
    {
        if (members && json_object_get(members, name)) {
            json_object_del(per, name);
            n++;
        }
    }
    if (json_object_size(per) == 0)
        json_object_del(rt->topics, topic);
    return n > 0;
}

int route_kv_put(route_table *rt, const char *ns, const char *key,
                 const char *value)
{
    json_t *t = json_object_get(rt->kv, ns);
    if (!t) {
        t = json_object();
        if (json_object_set_new(rt->kv, ns, t) != 0)
            return -1;
    }
    return json_object_set_new(t, key, json_string(value ? value : ""));
}

const char *route_kv_get(route_table *rt, const char *ns, const char *key)
{
    return json_string_value(json_object_get(json_object_get(rt->kv, ns),
                                             key));
}

int route_kv_delete(route_table *rt, const char *ns, const char *key)
{
    json_t *t = json_object_get(rt->kv, ns);
    return t && json_object_del(t, key) == 0;
}

char *route_kv_list_json(route_table *rt, const char *ns)
{
    json_t *t = json_object_get(rt->kv, ns);
    if (!t)
        return NULL;
    return dump(json_pack("{s:O}", "table", t));
}

int route_live_broker_count(route_table *rt)
{
    return (int)json_object_size(rt->live);
}

int route_topic_count(route_table *rt)
{
    return (int)json_object_size(rt->topics);
}
