/*
 * remoting_client.c - client-side bodies (see remoting_client.h).
 *
 * Decoders: remoting_json_load bounds depth and size before jansson
 * parses; the typed accessors below copy what is kept into the arena and
 * the jansson tree is freed before returning.
 */
#include "remoting_client.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "remoting.h"
#include "remoting_int.h"

/*
 * fastjson writes integer map keys bare ({0:"ip:port"}); quote every bare
 * integer key (outside strings, after '{' or ',') so jansson accepts it.
 * Returns a malloc'd copy (*out_n bytes) or NULL when nothing needed it.
 */
static uint8_t *quote_bare_keys(const uint8_t *p, size_t n, size_t *out_n)
{
    uint8_t *out = NULL;
    size_t i = 0, o = 0;
    int in_str = 0, esc = 0, changed = 0;

    if (n > SIZE_MAX / 2 - 1)
        return NULL;
    out = malloc(2 * n + 1);
    if (!out)
        return NULL;
    while (i < n) {
        uint8_t ch = p[i];
        out[o++] = p[i++];
        if (in_str) {
            if (esc)
                esc = 0;
            else if (ch == '\\')
                esc = 1;
            else if (ch == '"')
                in_str = 0;
            continue;
        }
        if (ch == '"') {
            in_str = 1;
            continue;
        }
        if (ch != '{' && ch != ',')
            continue;
        size_t j = i;
        while (j < n && (p[j] == ' ' || p[j] == '\t' || p[j] == '\n' ||
                         p[j] == '\r'))
            j++;
        size_t start = j;
        if (j < n && p[j] == '-')
            j++;
        size_t digits = j;
        while (j < n && p[j] >= '0' && p[j] <= '9')
            j++;
        if (j == digits)
            continue;
        size_t end = j;
        while (j < n && (p[j] == ' ' || p[j] == '\t' || p[j] == '\n' ||
                         p[j] == '\r'))
            j++;
        if (j >= n || p[j] != ':')
            continue;
        out[o++] = '"';
        memcpy(out + o, p + start, end - start);
        o += end - start;
        out[o++] = '"';
        i = end;
        changed = 1;
    }
    if (!changed) {
        free(out);
        return NULL;
    }
    *out_n = o;
    return out;
}

/* Load with the body limits, retrying with bare integer keys quoted. */
static int cload(const uint8_t *p, size_t n, json_t **root)
{
    int rc = remoting_json_load(p, n, REMOTING_BODY_MAX_DEPTH,
                                REMOTING_BODY_MAX_VALUES, root);
    if (rc == BUF_EINVAL) {
        size_t qn = 0;
        uint8_t *q = quote_bare_keys(p, n, &qn);
        if (q) {
            rc = remoting_json_load(q, qn, REMOTING_BODY_MAX_DEPTH,
                                    REMOTING_BODY_MAX_VALUES, root);
            free(q);
        }
    }
    if (rc == 0 && !json_is_object(*root)) {
        json_decref(*root);
        *root = NULL;
        return BUF_EINVAL;
    }
    return rc;
}

/* brokerAddrs {"0":"ip:port",...} into an arena array. */
static void broker_addrs(rjd *c, json_t *obj, remoting_broker_data *bd)
{
    json_t *addrs = rjd_typed(c, obj, "brokerAddrs", 0), *v;
    remoting_broker_addr *out;
    const char *key;
    int32_t i = 0;

    if (!addrs || json_object_size(addrs) == 0)
        return;
    out = rjd_calloc(c, json_object_size(addrs), sizeof(*out));
    if (!out)
        return;
    json_object_foreach(addrs, key, v)
    {
        buf_view kv = remoting_view(key);
        if (remoting_parse_i64(kv, &out[i].broker_id) != 0 ||
            !json_is_string(v)) {
            rjd_fail(c, BUF_EINVAL);
            return;
        }
        out[i].addr = rjd_str_of(c, v, NULL);
        i++;
    }
    bd->addrs = out;
    bd->addr_count = i;
}

int remoting_topic_route_decode(const uint8_t *p, size_t n, wire_arena *a,
                                remoting_topic_route *out)
{
    rjd c = {a, 0};
    json_t *root, *arr, *v;
    size_t i;
    int rc;

    memset(out, 0, sizeof(*out));
    out->order_topic_conf.is_null = 1;
    if ((rc = cload(p, n, &root)) != 0)
        return rc;
    if ((arr = rjd_typed(&c, root, "brokerDatas", 1)) != NULL &&
        json_array_size(arr) > 0) {
        remoting_broker_data *bds =
            rjd_calloc(&c, json_array_size(arr), sizeof(*bds));
        if (bds) {
            json_array_foreach(arr, i, v)
            {
                if (!json_is_object(v)) {
                    rjd_fail(&c, BUF_EINVAL);
                    break;
                }
                bds[i].cluster = rjd_str(&c, v, "cluster", "");
                bds[i].broker_name = rjd_str(&c, v, "brokerName", "");
                bds[i].zone_name = rjd_str(&c, v, "zoneName", NULL);
                bds[i].enable_acting_master =
                    rjd_bool(&c, v, "enableActingMaster", 0);
                broker_addrs(&c, v, &bds[i]);
            }
            out->broker_datas = bds;
            out->broker_data_count = (int32_t)json_array_size(arr);
        }
    }
    if ((arr = rjd_typed(&c, root, "queueDatas", 1)) != NULL &&
        json_array_size(arr) > 0) {
        remoting_queue_data *qds =
            rjd_calloc(&c, json_array_size(arr), sizeof(*qds));
        if (qds) {
            json_array_foreach(arr, i, v)
            {
                if (!json_is_object(v)) {
                    rjd_fail(&c, BUF_EINVAL);
                    break;
                }
                qds[i].broker_name = rjd_str(&c, v, "brokerName", "");
                qds[i].read_queue_nums = (int32_t)rjd_num(
                    &c, v, "readQueueNums", 0, 0, 65535);
                qds[i].write_queue_nums = (int32_t)rjd_num(
                    &c, v, "writeQueueNums", 0, 0, 65535);
                qds[i].perm = (int32_t)rjd_num(&c, v, "perm", 6, 0, INT32_MAX);
                qds[i].topic_sys_flag = (int32_t)rjd_num(
                    &c, v, "topicSysFlag", 0, INT32_MIN, INT32_MAX);
            }
            out->queue_datas = qds;
            out->queue_data_count = (int32_t)json_array_size(arr);
        }
    }
    out->order_topic_conf = rjd_str(&c, root, "orderTopicConf", NULL);
    json_decref(root);
    if (c.err)
        memset(out, 0, sizeof(*out));
    return c.err;
}

int remoting_cluster_info_decode(const uint8_t *p, size_t n, wire_arena *a,
                                 remoting_cluster_info *out)
{
    rjd c = {a, 0};
    json_t *root, *tab, *v;
    const char *key;
    int32_t i;
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = cload(p, n, &root)) != 0)
        return rc;
    tab = rjd_typed(&c, root, "brokerAddrTable", 0);
    if (tab && json_object_size(tab) > 0) {
        remoting_broker_data *bds =
            rjd_calloc(&c, json_object_size(tab), sizeof(*bds));
        i = 0;
        if (bds) {
            json_object_foreach(tab, key, v)
            {
                if (!json_is_object(v)) {
                    rjd_fail(&c, BUF_EINVAL);
                    break;
                }
                bds[i].cluster = rjd_str(&c, v, "cluster", "");
                bds[i].broker_name = rjd_str(&c, v, "brokerName", key);
                bds[i].zone_name = rjd_str(&c, v, "zoneName", NULL);
                broker_addrs(&c, v, &bds[i]);
                i++;
            }
            out->brokers = bds;
            out->broker_count = i;
        }
    }
    tab = rjd_typed(&c, root, "clusterAddrTable", 0);
    if (tab && json_object_size(tab) > 0 && !c.err) {
        remoting_cluster_entry *ce =
            rjd_calloc(&c, json_object_size(tab), sizeof(*ce));
        i = 0;
        if (ce) {
            json_object_foreach(tab, key, v)
            {
                int failed = 0;
                if (!json_is_array(v)) {
                    rjd_fail(&c, BUF_EINVAL);
                    break;
                }
                ce[i].cluster =
                    remoting_arena_copy(c.a, key, strlen(key), &failed);
                if (failed)
                    rjd_fail(&c, BUF_ENOMEM);
                ce[i].broker_names = rjd_strings(&c, v, &ce[i].broker_name_count);
                i++;
            }
            out->clusters = ce;
            out->cluster_count = i;
        }
    }
    json_decref(root);
    if (c.err)
        memset(out, 0, sizeof(*out));
    return c.err;
}

static int string_list_decode(const uint8_t *p, size_t n, wire_arena *a,
                              const char *key, buf_view **items,
                              int32_t *count)
{
    rjd c = {a, 0};
    json_t *root;
    int rc;

    *items = NULL;
    *count = 0;
    if ((rc = cload(p, n, &root)) != 0)
        return rc;
    *items = rjd_strings(&c, rjd_typed(&c, root, key, 1), count);
    json_decref(root);
    if (c.err) {
        *items = NULL;
        *count = 0;
    }
    return c.err;
}

int remoting_consumer_list_decode(const uint8_t *p, size_t n, wire_arena *a,
                                  buf_view **ids, int32_t *count)
{
    return string_list_decode(p, n, a, "consumerIdList", ids, count);
}

int remoting_topic_list_decode(const uint8_t *p, size_t n, wire_arena *a,
                               buf_view **topics, int32_t *count)
{
    return string_list_decode(p, n, a, "topicList", topics, count);
}

/* ------------------------------------------------------------------ */
/* encoders                                                            */
/* ------------------------------------------------------------------ */

static void comma(buf_writer *w, int32_t i)
{
    if (i > 0)
        buf_write_raw(w, ",", 1);
}

static void jview_or(buf_writer *w, buf_view v, const char *dflt)
{
    if (v.is_null || (v.len == 0 && dflt))
        remoting_json_raw(w, dflt ? dflt : "\"\"");
    else
        remoting_json_view(w, v);
}

static void encode_subscription(buf_writer *w, const remoting_subscription *s)
{
    remoting_json_raw(w, "{\"classFilterMode\":");
    remoting_json_raw(w, s->class_filter_mode ? "true" : "false");
    remoting_json_raw(w, ",\"codeSet\":[");
    for (int32_t k = 0; k < s->code_count; k++) {
        comma(w, k);
        remoting_json_i64(w, s->codes[k]);
    }
    remoting_json_raw(w, "],\"expressionType\":");
    jview_or(w, s->expression_type, "\"TAG\"");
    remoting_json_raw(w, ",\"subString\":");
    jview_or(w, s->sub_string, "\"*\"");
    remoting_json_raw(w, ",\"subVersion\":");
    remoting_json_i64(w, s->sub_version);
    remoting_json_raw(w, ",\"tagsSet\":[");
    for (int32_t k = 0; k < s->tag_count; k++) {
        comma(w, k);
        remoting_json_view(w, s->tags[k]);
    }
    remoting_json_raw(w, "],\"topic\":");
    jview_or(w, s->topic, NULL);
    remoting_json_raw(w, "}");
}

int remoting_heartbeat_encode(buf_writer *w, const remoting_heartbeat *hb)
{
    remoting_json_raw(w, "{\"clientID\":");
    jview_or(w, hb->client_id, NULL);
    remoting_json_raw(w, ",\"consumerDataSet\":[");
    for (int32_t i = 0; i < hb->consumer_count; i++) {
        const remoting_consumer_data *cd = &hb->consumers[i];
        comma(w, i);
        remoting_json_raw(w, "{\"consumeFromWhere\":");
        jview_or(w, cd->consume_from_where, "\"CONSUME_FROM_LAST_OFFSET\"");
        remoting_json_raw(w, ",\"consumeType\":");
        jview_or(w, cd->consume_type, "\"CONSUME_PASSIVELY\"");
        remoting_json_raw(w, ",\"groupName\":");
        jview_or(w, cd->group_name, NULL);
        remoting_json_raw(w, ",\"messageModel\":");
        jview_or(w, cd->message_model, "\"CLUSTERING\"");
        remoting_json_raw(w, ",\"subscriptionDataSet\":[");
        for (int32_t k = 0; k < cd->subscription_count; k++) {
            comma(w, k);
            encode_subscription(w, &cd->subscriptions[k]);
        }
        remoting_json_raw(w, "],\"unitMode\":");
        remoting_json_raw(w, cd->unit_mode ? "true}" : "false}");
    }
    remoting_json_raw(w, "]");
    if (hb->heartbeat_fingerprint) {
        remoting_json_raw(w, ",\"heartbeatFingerprint\":");
        remoting_json_i64(w, hb->heartbeat_fingerprint);
    }
    remoting_json_raw(w, ",\"producerDataSet\":[");
    for (int32_t i = 0; i < hb->producer_count; i++) {
        comma(w, i);
        remoting_json_raw(w, "{\"groupName\":");
        jview_or(w, hb->producer_groups[i], NULL);
        remoting_json_raw(w, "}");
    }
    remoting_json_raw(w, "]");
    if (hb->without_sub)
        remoting_json_raw(w, ",\"withoutSub\":true");
    remoting_json_raw(w, "}");
    return w->err;
}

static void encode_mq(buf_writer *w, const remoting_message_queue *mq)
{
    remoting_json_raw(w, "{\"brokerName\":");
    jview_or(w, mq->broker_name, NULL);
    remoting_json_raw(w, ",\"queueId\":");
    remoting_json_i64(w, mq->queue_id);
    remoting_json_raw(w, ",\"topic\":");
    jview_or(w, mq->topic, NULL);
    remoting_json_raw(w, "}");
}

int remoting_lock_batch_encode(buf_writer *w, const remoting_lock_batch *lb)
{
    remoting_json_raw(w, "{\"clientId\":");
    jview_or(w, lb->client_id, NULL);
    remoting_json_raw(w, ",\"consumerGroup\":");
    jview_or(w, lb->consumer_group, NULL);
    remoting_json_raw(w, ",\"mqSet\":[");
    for (int32_t i = 0; i < lb->mq_count; i++) {
        comma(w, i);
        encode_mq(w, &lb->mqs[i]);
    }
    remoting_json_raw(w, "],\"onlyThisBroker\":");
    remoting_json_raw(w, lb->only_this_broker ? "true}" : "false}");
    return w->err;
}

int remoting_lock_batch_response_decode(const uint8_t *p, size_t n,
                                        wire_arena *a,
                                        remoting_message_queue **mqs,
                                        int32_t *count)
{
    rjd c = {a, 0};
    json_t *root, *arr, *v;
    remoting_message_queue *out = NULL;
    size_t i, total = 0;
    int rc;

    *mqs = NULL;
    *count = 0;
    if ((rc = cload(p, n, &root)) != 0)
        return rc;
    arr = rjd_typed(&c, root, "lockOKMQSet", 1);
    if (arr && json_array_size(arr) > 0 &&
        (out = rjd_calloc(&c, json_array_size(arr), sizeof(*out))) != NULL) {
        total = json_array_size(arr);
        json_array_foreach(arr, i, v)
        {
            if (!json_is_object(v)) {
                rjd_fail(&c, BUF_EINVAL);
                break;
            }
            out[i].topic = rjd_str(&c, v, "topic", "");
            out[i].broker_name = rjd_str(&c, v, "brokerName", "");
            out[i].queue_id =
                (int32_t)rjd_num(&c, v, "queueId", 0, INT32_MIN, INT32_MAX);
        }
    }
    json_decref(root);
    if (!c.err && out) {
        *mqs = out;
        *count = (int32_t)total;
    }
    return c.err;
}
