/*
 * remoting_admin.c - admin bodies (see remoting_admin.h).
 *
 * Decoding a MessageQueue-keyed map takes two passes: a byte scanner that
 * turns object keys into string keys (tracking strings, escapes and a
 * bounded stack of containers), then jansson over the result, and jansson
 * again over each key's text.  Encoders write fastjson's alphabetical key
 * order.
 */
#include "remoting_admin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "remoting.h"
#include "remoting_int.h"

/* ------------------------------------------------------------------ */
/* object keys -> string keys                                          */
/* ------------------------------------------------------------------ */

static int is_ws(uint8_t ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* End (one past '}') of the object starting at p[i] == '{', or 0. */
static size_t object_end(const uint8_t *p, size_t n, size_t i)
{
    int depth = 0, in_str = 0, esc = 0;
    for (; i < n; i++) {
        uint8_t ch = p[i];
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
        } else if (ch == '{' || ch == '[') {
            if (++depth > REMOTING_BODY_MAX_DEPTH)
                return 0;
        } else if (ch == '}' || ch == ']') {
            if (--depth == 0)
                return i + 1;
            if (depth < 0)
                return 0;
        }
    }
    return 0;
}

uint8_t *remoting_admin_quote_object_keys(const uint8_t *p, size_t n,
                                          size_t *out_n, int *err)
{
    char stack[REMOTING_BODY_MAX_DEPTH + 1];
    int depth = 0, in_str = 0, esc = 0, changed = 0;
    size_t o = 0;
    uint8_t *out;

    *err = 0;
    *out_n = 0;
    if (n > SIZE_MAX / 2 - 2) {
        *err = BUF_ELIMIT;
        return NULL;
    }
    /* a key grows by its quotes and one escape per '"' or '\\' */
    out = malloc(2 * n + 2);
    if (!out) {
        *err = BUF_ENOMEM;
        return NULL;
    }
    for (size_t i = 0; i < n;) {
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
        if (ch == '{' || ch == '[') {
            if (depth == REMOTING_BODY_MAX_DEPTH)
                goto bad;
            stack[depth++] = (char)ch;
        } else if (ch == '}' || ch == ']') {
            if (depth == 0)
                goto bad;
            depth--;
        }
        if (!(ch == '{' || (ch == ',' && depth > 0 && stack[depth - 1] == '{')))
            continue;
        /* at a key position: is the key an object? */
        size_t j = i;
        while (j < n && is_ws(p[j]))
            j++;
        if (j >= n || p[j] != '{')
            continue;
        size_t end = object_end(p, n, j);
        if (end == 0)
            goto bad;
        out[o++] = '"';
        for (size_t k = j; k < end; k++) {
            if (p[k] == '"' || p[k] == '\\')
                out[o++] = '\\';
            if (p[k] < 0x20)
                out[o++] = ' '; /* a raw control in a key: not JSON */
            else
                out[o++] = p[k];
        }
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
bad:
    free(out);
    *err = BUF_EINVAL;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* decoding helpers                                                    */
/* ------------------------------------------------------------------ */

/* The body as a JSON object, object keys quoted first when present. */
static int aload(const uint8_t *p, size_t n, json_t **root)
{
    size_t qn = 0;
    int err = 0;
    uint8_t *q = remoting_admin_quote_object_keys(p, n, &qn, &err);
    int rc;

    *root = NULL;
    if (err)
        return err;
    if (q) {
        rc = remoting_json_load(q, qn, REMOTING_BODY_MAX_DEPTH,
                                REMOTING_BODY_MAX_VALUES, root);
        free(q);
    } else {
        rc = remoting_json_load(p, n, REMOTING_BODY_MAX_DEPTH,
                                REMOTING_BODY_MAX_VALUES, root);
    }
    if (rc == 0 && !json_is_object(*root)) {
        json_decref(*root);
        *root = NULL;
        return BUF_EINVAL;
    }
    return rc;
}

static void amq(rjd *c, json_t *o, remoting_message_queue *mq)
{
    mq->topic = rjd_str(c, o, "topic", "");
    mq->broker_name = rjd_str(c, o, "brokerName", "");
    mq->queue_id = (int32_t)rjd_num(c, o, "queueId", 0, INT32_MIN, INT32_MAX);
}

/* A map key holding a MessageQueue's JSON text. */
static void amq_key(rjd *c, const char *key, remoting_message_queue *mq)
{
    json_error_t jerr;
    json_t *o;

    if (strlen(key) > 65536) {
        rjd_fail(c, BUF_EINVAL);
        return;
    }
    o = json_loads(key, JSON_DISABLE_EOF_CHECK, &jerr);
    if (!o || !json_is_object(o)) {
        rjd_fail(c, BUF_EINVAL);
        json_decref(o);
        return;
    }
    amq(c, o, mq);
    json_decref(o);
}

static json_t *offset_table(rjd *c, json_t *root, size_t *count)
{
    json_t *t = rjd_typed(c, root, "offsetTable", 0);
    *count = t ? json_object_size(t) : 0;
    return t;
}

/* ------------------------------------------------------------------ */
/* TopicStatsTable, ConsumeStats, ResetOffsetBody                      */
/* ------------------------------------------------------------------ */

int remoting_topic_stats_decode(const uint8_t *p, size_t n, wire_arena *a,
                                remoting_topic_offset **out, int32_t *count)
{
    rjd c = {a, 0};
    json_t *root, *t, *v;
    const char *key;
    size_t cnt, i = 0;
    int rc;

    *out = NULL;
    *count = 0;
    if ((rc = aload(p, n, &root)) != 0)
        return rc;
    t = offset_table(&c, root, &cnt);
    remoting_topic_offset *o = cnt ? rjd_calloc(&c, cnt, sizeof(*o)) : NULL;
    if (o) {
        json_object_foreach(t, key, v)
        {
            if (!json_is_object(v)) {
                rjd_fail(&c, BUF_EINVAL);
                break;
            }
            amq_key(&c, key, &o[i].mq);
            o[i].min_offset = rjd_num(&c, v, "minOffset", 0, INT64_MIN, INT64_MAX);
            o[i].max_offset = rjd_num(&c, v, "maxOffset", 0, INT64_MIN, INT64_MAX);
            o[i].last_update_timestamp =
                rjd_num(&c, v, "lastUpdateTimestamp", 0, INT64_MIN, INT64_MAX);
            i++;
        }
    }
    json_decref(root);
    if (c.err)
        return c.err;
    *out = o;
    *count = (int32_t)i;
    return 0;
}

int remoting_consume_stats_decode(const uint8_t *p, size_t n, wire_arena *a,
                                  double *consume_tps,
                                  remoting_consume_offset **out, int32_t *count)
{
    rjd c = {a, 0};
    json_t *root, *t, *v;
    const char *key;
    size_t cnt, i = 0;
    int rc;

    *out = NULL;
    *count = 0;
    *consume_tps = 0;
    if ((rc = aload(p, n, &root)) != 0)
        return rc;
    v = json_object_get(root, "consumeTps");
    if (v && json_is_number(v))
        *consume_tps = json_number_value(v);
    else if (v && !json_is_null(v))
        rjd_fail(&c, BUF_EINVAL);
    t = offset_table(&c, root, &cnt);
    remoting_consume_offset *o = cnt ? rjd_calloc(&c, cnt, sizeof(*o)) : NULL;
    if (o) {
        json_object_foreach(t, key, v)
        {
            if (!json_is_object(v)) {
                rjd_fail(&c, BUF_EINVAL);
                break;
            }
            amq_key(&c, key, &o[i].mq);
            o[i].broker_offset =
                rjd_num(&c, v, "brokerOffset", 0, INT64_MIN, INT64_MAX);
            o[i].consumer_offset =
                rjd_num(&c, v, "consumerOffset", 0, INT64_MIN, INT64_MAX);
            o[i].pull_offset =
                rjd_num(&c, v, "pullOffset", 0, INT64_MIN, INT64_MAX);
            if (rjd_bool(&c, v, "ferryNoCommit", 0))
                o[i].consumer_offset = o[i].pull_offset = -1;
            o[i].last_timestamp =
                rjd_num(&c, v, "lastTimestamp", 0, INT64_MIN, INT64_MAX);
            i++;
        }
    }
    json_decref(root);
    if (c.err)
        return c.err;
    *out = o;
    *count = (int32_t)i;
    return 0;
}

static void encode_mq(buf_writer *w, const remoting_message_queue *mq)
{
    remoting_json_raw(w, "{\"brokerName\":");
    remoting_json_view(w, mq->broker_name);
    remoting_json_raw(w, ",\"queueId\":");
    remoting_json_i64(w, mq->queue_id);
    remoting_json_raw(w, ",\"topic\":");
    remoting_json_view(w, mq->topic);
    remoting_json_raw(w, "}");
}

/* A Java double as fastjson prints it (always with a fraction). */
static void json_double(buf_writer *w, double v)
{
    char tmp[40];
    int n;

    if (v != v || v > 1e308 || v < -1e308)
        v = 0;
    n = snprintf(tmp, sizeof(tmp), "%.17g", v);
    if (n > 0 && !memchr(tmp, '.', (size_t)n) && !memchr(tmp, 'e', (size_t)n))
        n += snprintf(tmp + n, sizeof(tmp) - (size_t)n, ".0");
    buf_write_raw(w, tmp, (size_t)n);
}

int remoting_consume_stats_encode_ferry(buf_writer *w, double consume_tps,
                                        const remoting_consume_offset *offsets,
                                        int32_t count)
{
    remoting_json_raw(w, "{\"consumeTps\":");
    json_double(w, consume_tps);
    remoting_json_raw(w, ",\"offsetTable\":{");
    for (int32_t i = 0; i < count; i++) {
        const remoting_consume_offset *o = &offsets[i];
        int none = o->consumer_offset < 0;
        if (i)
            remoting_json_raw(w, ",");
        encode_mq(w, &o->mq);
        remoting_json_raw(w, ":{\"brokerOffset\":");
        remoting_json_i64(w, o->broker_offset);
        remoting_json_raw(w, ",\"consumerOffset\":");
        remoting_json_i64(w, none ? 0 : o->consumer_offset);
        if (none)
            remoting_json_raw(w, ",\"ferryNoCommit\":true");
        remoting_json_raw(w, ",\"lastTimestamp\":");
        remoting_json_i64(w, o->last_timestamp);
        remoting_json_raw(w, ",\"pullOffset\":");
        remoting_json_i64(w, none ? 0 : o->pull_offset);
        remoting_json_raw(w, "}");
    }
    remoting_json_raw(w, "}}");
    return w->err;
}

int remoting_reset_offset_encode(buf_writer *w,
                                 const remoting_queue_offset *offsets,
                                 int32_t count)
{
    remoting_json_raw(w, "{\"offsetTable\":{");
    for (int32_t i = 0; i < count; i++) {
        if (i)
            remoting_json_raw(w, ",");
        encode_mq(w, &offsets[i].mq);
        remoting_json_raw(w, ":");
        remoting_json_i64(w, offsets[i].offset);
    }
    remoting_json_raw(w, "}}");
    return w->err;
}

int remoting_reset_offset_decode(const uint8_t *p, size_t n, wire_arena *a,
                                 remoting_queue_offset **out, int32_t *count)
{
    rjd c = {a, 0};
    json_t *root, *t, *v;
    const char *key;
    size_t cnt, i = 0;
    int rc;

    *out = NULL;
    *count = 0;
    if ((rc = aload(p, n, &root)) != 0)
        return rc;
    t = offset_table(&c, root, &cnt);
    remoting_queue_offset *o = cnt ? rjd_calloc(&c, cnt, sizeof(*o)) : NULL;
    if (o) {
        json_object_foreach(t, key, v)
        {
            amq_key(&c, key, &o[i].mq);
            o[i].offset = rjd_num_of(&c, v, 0, INT64_MIN, INT64_MAX);
            i++;
        }
    }
    json_decref(root);
    if (c.err)
        return c.err;
    *out = o;
    *count = (int32_t)i;
    return 0;
}

/* ------------------------------------------------------------------ */
/* ConsumerConnection                                                  */
/* ------------------------------------------------------------------ */

static void encode_bool(buf_writer *w, int v)
{
    remoting_json_raw(w, v ? "true" : "false");
}

static void encode_subscription(buf_writer *w, const remoting_subscription *s)
{
    remoting_json_raw(w, "{\"classFilterMode\":");
    encode_bool(w, s->class_filter_mode);
    remoting_json_raw(w, ",\"codeSet\":[");
    for (int32_t i = 0; i < s->code_count; i++) {
        if (i)
            remoting_json_raw(w, ",");
        remoting_json_i64(w, s->codes[i]);
    }
    remoting_json_raw(w, "],\"expressionType\":");
    remoting_json_view(w, s->expression_type.is_null
                              ? (buf_view){(const uint8_t *)"TAG", 3, 0}
                              : s->expression_type);
    remoting_json_raw(w, ",\"subString\":");
    remoting_json_view(w, s->sub_string);
    remoting_json_raw(w, ",\"subVersion\":");
    remoting_json_i64(w, s->sub_version);
    remoting_json_raw(w, ",\"tagsSet\":[");
    for (int32_t i = 0; i < s->tag_count; i++) {
        if (i)
            remoting_json_raw(w, ",");
        remoting_json_view(w, s->tags[i]);
    }
    remoting_json_raw(w, "],\"topic\":");
    remoting_json_view(w, s->topic);
    remoting_json_raw(w, "}");
}

int remoting_consumer_connection_encode(buf_writer *w,
                                        const remoting_consumer_connection *cc)
{
    remoting_json_raw(w, "{\"connectionSet\":[");
    for (int32_t i = 0; i < cc->connection_count; i++) {
        const remoting_connection *k = &cc->connections[i];
        if (i)
            remoting_json_raw(w, ",");
        remoting_json_raw(w, "{\"clientAddr\":");
        remoting_json_view(w, k->client_addr);
        remoting_json_raw(w, ",\"clientId\":");
        remoting_json_view(w, k->client_id);
        if (k->assigned_count > 0) {
            remoting_json_raw(w, ",\"ferryAssigned\":[");
            for (int32_t q = 0; q < k->assigned_count; q++) {
                if (q)
                    remoting_json_raw(w, ",");
                encode_mq(w, &k->assigned[q]);
            }
            remoting_json_raw(w, "]");
        }
        if (k->ferry_subscriptions.len) {
            remoting_json_raw(w, ",\"ferrySubscriptions\":");
            remoting_json_view(w, k->ferry_subscriptions);
        }
        remoting_json_raw(w, ",\"language\":");
        remoting_json_view(w, k->language.is_null
                                  ? (buf_view){(const uint8_t *)"OTHER", 5, 0}
                                  : k->language);
        remoting_json_raw(w, ",\"version\":");
        remoting_json_i64(w, k->version);
        remoting_json_raw(w, "}");
    }
    remoting_json_raw(w, "],\"consumeFromWhere\":");
    remoting_json_view(w, cc->consume_from_where);
    remoting_json_raw(w, ",\"consumeType\":");
    remoting_json_view(w, cc->consume_type);
    remoting_json_raw(w, ",\"ferryProtocol\":");
    remoting_json_view(w, cc->ferry_protocol);
    remoting_json_raw(w, ",\"ferryState\":");
    remoting_json_view(w, cc->ferry_state);
    remoting_json_raw(w, ",\"messageModel\":");
    remoting_json_view(w, cc->message_model);
    remoting_json_raw(w, ",\"subscriptionTable\":{");
    for (int32_t i = 0; i < cc->subscription_count; i++) {
        if (i)
            remoting_json_raw(w, ",");
        remoting_json_view(w, cc->subscriptions[i].topic);
        remoting_json_raw(w, ":");
        encode_subscription(w, &cc->subscriptions[i]);
    }
    remoting_json_raw(w, "}}");
    return w->err;
}

int remoting_consumer_connection_decode(const uint8_t *p, size_t n,
                                        wire_arena *a,
                                        remoting_consumer_connection *out)
{
    rjd c = {a, 0};
    json_t *root, *set, *subs, *v;
    size_t i;
    const char *key;
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = aload(p, n, &root)) != 0)
        return rc;
    out->consume_type = rjd_str(&c, root, "consumeType", "");
    out->message_model = rjd_str(&c, root, "messageModel", "");
    out->consume_from_where = rjd_str(&c, root, "consumeFromWhere", "");
    out->ferry_protocol = rjd_str(&c, root, "ferryProtocol", "");
    out->ferry_state = rjd_str(&c, root, "ferryState", "");
    set = rjd_typed(&c, root, "connectionSet", 1);
    if (set && json_array_size(set) > 0) {
        out->connections =
            rjd_calloc(&c, json_array_size(set), sizeof(*out->connections));
        if (out->connections) {
            json_array_foreach(set, i, v)
            {
                remoting_connection *k = &out->connections[i];
                json_t *as, *m;
                size_t q;
                if (!json_is_object(v)) {
                    rjd_fail(&c, BUF_EINVAL);
                    break;
                }
                k->client_id = rjd_str(&c, v, "clientId", "");
                k->client_addr = rjd_str(&c, v, "clientAddr", "");
                k->language = rjd_str(&c, v, "language", "");
                k->ferry_subscriptions = rjd_str(&c, v, "ferrySubscriptions", "");
                k->version =
                    (int32_t)rjd_num(&c, v, "version", 0, INT32_MIN, INT32_MAX);
                as = rjd_typed(&c, v, "ferryAssigned", 1);
                if (as && json_array_size(as) > 0) {
                    k->assigned =
                        rjd_calloc(&c, json_array_size(as), sizeof(*k->assigned));
                    if (!k->assigned)
                        break;
                    json_array_foreach(as, q, m)
                    {
                        if (!json_is_object(m)) {
                            rjd_fail(&c, BUF_EINVAL);
                            break;
                        }
                        amq(&c, m, &k->assigned[q]);
                    }
                    k->assigned_count = (int32_t)json_array_size(as);
                }
                out->connection_count = (int32_t)(i + 1);
            }
        }
    }
    subs = rjd_typed(&c, root, "subscriptionTable", 0);
    if (subs && json_object_size(subs) > 0) {
        out->subscriptions =
            rjd_calloc(&c, json_object_size(subs), sizeof(*out->subscriptions));
        i = 0;
        if (out->subscriptions) {
            json_object_foreach(subs, key, v)
            {
                remoting_subscription *s = &out->subscriptions[i];
                if (!json_is_object(v)) {
                    rjd_fail(&c, BUF_EINVAL);
                    break;
                }
                s->topic = rjd_str(&c, v, "topic", key);
                s->sub_string = rjd_str(&c, v, "subString", "*");
                s->expression_type = rjd_str(&c, v, "expressionType", "TAG");
                s->sub_version =
                    rjd_num(&c, v, "subVersion", 0, INT64_MIN, INT64_MAX);
                s->class_filter_mode = rjd_bool(&c, v, "classFilterMode", 0);
                i++;
            }
            out->subscription_count = (int32_t)i;
        }
    }
    json_decref(root);
    if (c.err) {
        memset(out, 0, sizeof(*out));
        return c.err;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* SubscriptionGroupWrapper                                            */
/* ------------------------------------------------------------------ */

int remoting_subscription_groups_encode(buf_writer *w,
                                        const remoting_data_version *dv,
                                        const remoting_subscription_group *g,
                                        int32_t count)
{
    remoting_json_raw(w, "{\"dataVersion\":{\"counter\":");
    remoting_json_i64(w, dv->counter);
    remoting_json_raw(w, ",\"stateVersion\":");
    remoting_json_i64(w, dv->state_version);
    remoting_json_raw(w, ",\"timestamp\":");
    remoting_json_i64(w, dv->timestamp);
    remoting_json_raw(w, "},\"forbiddenTable\":{},"
                         "\"subscriptionGroupTable\":{");
    for (int32_t i = 0; i < count; i++) {
        const remoting_subscription_group *s = &g[i];
        if (i)
            remoting_json_raw(w, ",");
        remoting_json_view(w, s->group_name);
        remoting_json_raw(w, ":{\"brokerId\":0,\"consumeBroadcastEnable\":");
        encode_bool(w, s->consume_broadcast_enable);
        remoting_json_raw(w, ",\"consumeEnable\":");
        encode_bool(w, s->consume_enable);
        remoting_json_raw(w, ",\"consumeFromMinEnable\":true,"
                             "\"consumeMessageOrderly\":");
        encode_bool(w, s->consume_message_orderly);
        remoting_json_raw(w, ",\"ferryMembers\":");
        remoting_json_i64(w, s->ferry_members);
        remoting_json_raw(w, ",\"ferryProtocol\":");
        remoting_json_view(w, s->ferry_protocol);
        remoting_json_raw(w, ",\"ferryState\":");
        remoting_json_view(w, s->ferry_state);
        remoting_json_raw(w, ",\"groupName\":");
        remoting_json_view(w, s->group_name);
        remoting_json_raw(w, ",\"groupSysFlag\":0,"
                             "\"notifyConsumerIdsChangedEnable\":true,"
                             "\"retryMaxTimes\":");
        remoting_json_i64(w, s->retry_max_times);
        remoting_json_raw(w, ",\"retryQueueNums\":");
        remoting_json_i64(w, s->retry_queue_nums);
        remoting_json_raw(w, ",\"whichBrokerWhenConsumeSlowly\":1}");
    }
    remoting_json_raw(w, "}}");
    return w->err;
}

int remoting_subscription_groups_decode(const uint8_t *p, size_t n,
                                        wire_arena *a,
                                        remoting_subscription_group **out,
                                        int32_t *count)
{
    rjd c = {a, 0};
    json_t *root, *t, *v;
    const char *key;
    size_t i = 0;
    int rc;

    *out = NULL;
    *count = 0;
    if ((rc = aload(p, n, &root)) != 0)
        return rc;
    t = rjd_typed(&c, root, "subscriptionGroupTable", 0);
    remoting_subscription_group *g =
        t && json_object_size(t) ? rjd_calloc(&c, json_object_size(t), sizeof(*g))
                                 : NULL;
    if (g) {
        json_object_foreach(t, key, v)
        {
            remoting_subscription_group *s = &g[i];
            if (!json_is_object(v)) {
                rjd_fail(&c, BUF_EINVAL);
                break;
            }
            s->group_name = rjd_str(&c, v, "groupName", key);
            s->consume_enable = rjd_bool(&c, v, "consumeEnable", 1);
            s->consume_broadcast_enable =
                rjd_bool(&c, v, "consumeBroadcastEnable", 1);
            s->consume_message_orderly =
                rjd_bool(&c, v, "consumeMessageOrderly", 0);
            s->retry_queue_nums =
                (int32_t)rjd_num(&c, v, "retryQueueNums", 1, 0, INT32_MAX);
            s->retry_max_times =
                (int32_t)rjd_num(&c, v, "retryMaxTimes", 16, -1, INT32_MAX);
            s->ferry_protocol = rjd_str(&c, v, "ferryProtocol", "");
            s->ferry_state = rjd_str(&c, v, "ferryState", "");
            s->ferry_members =
                (int32_t)rjd_num(&c, v, "ferryMembers", 0, 0, INT32_MAX);
            i++;
        }
    }
    json_decref(root);
    if (c.err)
        return c.err;
    *out = g;
    *count = (int32_t)i;
    return 0;
}

/* ------------------------------------------------------------------ */
/* pending transactions                                                */
/* ------------------------------------------------------------------ */

int remoting_pending_txn_encode(buf_writer *w, const remoting_pending_txn *t,
                                int32_t count, int64_t total)
{
    remoting_json_raw(w, "{\"pendingList\":[");
    for (int32_t i = 0; i < count; i++) {
        if (i)
            remoting_json_raw(w, ",");
        remoting_json_raw(w, "{\"checkTimes\":");
        remoting_json_i64(w, t[i].check_times);
        remoting_json_raw(w, ",\"commitLogOffset\":");
        remoting_json_i64(w, t[i].commit_log_offset);
        remoting_json_raw(w, ",\"firstTimestamp\":");
        remoting_json_i64(w, t[i].first_timestamp);
        remoting_json_raw(w, ",\"producerGroup\":");
        remoting_json_view(w, t[i].producer_group);
        remoting_json_raw(w, ",\"queueOffset\":");
        remoting_json_i64(w, t[i].queue_offset);
        remoting_json_raw(w, "}");
    }
    remoting_json_raw(w, "],\"total\":");
    remoting_json_i64(w, total);
    remoting_json_raw(w, "}");
    return w->err;
}

int remoting_pending_txn_decode(const uint8_t *p, size_t n, wire_arena *a,
                                remoting_pending_txn **out, int32_t *count,
                                int64_t *total)
{
    rjd c = {a, 0};
    json_t *root, *l, *v;
    size_t i;
    int rc;

    *out = NULL;
    *count = 0;
    *total = 0;
    if ((rc = aload(p, n, &root)) != 0)
        return rc;
    l = rjd_typed(&c, root, "pendingList", 1);
    remoting_pending_txn *t = l && json_array_size(l)
                                  ? rjd_calloc(&c, json_array_size(l), sizeof(*t))
                                  : NULL;
    if (t) {
        json_array_foreach(l, i, v)
        {
            if (!json_is_object(v)) {
                rjd_fail(&c, BUF_EINVAL);
                break;
            }
            t[i].producer_group = rjd_str(&c, v, "producerGroup", "");
            t[i].queue_offset =
                rjd_num(&c, v, "queueOffset", 0, INT64_MIN, INT64_MAX);
            t[i].commit_log_offset =
                rjd_num(&c, v, "commitLogOffset", 0, INT64_MIN, INT64_MAX);
            t[i].first_timestamp =
                rjd_num(&c, v, "firstTimestamp", 0, INT64_MIN, INT64_MAX);
            t[i].check_times =
                (int32_t)rjd_num(&c, v, "checkTimes", 0, INT32_MIN, INT32_MAX);
        }
    }
    int32_t cnt = t ? (int32_t)json_array_size(l) : 0;
    *total = rjd_num(&c, root, "total", cnt, 0, INT64_MAX);
    json_decref(root);
    if (c.err)
        return c.err;
    *out = t;
    *count = cnt;
    return 0;
}

/* ------------------------------------------------------------------ */
/* KVTable                                                             */
/* ------------------------------------------------------------------ */

int remoting_kv_table_decode(const uint8_t *p, size_t n, wire_arena *a,
                             remoting_kv **out, int32_t *count)
{
    rjd c = {a, 0};
    json_t *root, *t, *v;
    const char *key;
    size_t i = 0;
    int rc;

    *out = NULL;
    *count = 0;
    if ((rc = aload(p, n, &root)) != 0)
        return rc;
    t = rjd_typed(&c, root, "table", 0);
    remoting_kv *kv = t && json_object_size(t)
                          ? rjd_calloc(&c, json_object_size(t), sizeof(*kv))
                          : NULL;
    if (kv) {
        json_object_foreach(t, key, v)
        {
            int failed = 0;
            kv[i].key = remoting_arena_copy(a, key, strlen(key), &failed);
            if (json_is_integer(v)) {
                char tmp[32];
                int len = snprintf(tmp, sizeof tmp, "%" JSON_INTEGER_FORMAT,
                                   json_integer_value(v));
                kv[i].value = remoting_arena_copy(a, tmp, (size_t)len, &failed);
            } else {
                kv[i].value = rjd_str_of(&c, v, NULL);
            }
            if (failed)
                rjd_fail(&c, BUF_ENOMEM);
            i++;
        }
    }
    json_decref(root);
    if (c.err)
        return c.err;
    *out = kv;
    *count = (int32_t)i;
    return 0;
}
