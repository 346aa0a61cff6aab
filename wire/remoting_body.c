/*
 * remoting_body.c - JSON bodies (see remoting_body.h).
 *
 * Decoders: the text is checked for depth and size, then jansson parses
 * the whole body (remoting_json_load), then typed accessors below copy what is
 * needed into the arena; the jansson tree is freed before returning, so results
 * never point into it.
 */
#include "remoting_body.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <zlib.h>

#include "remoting.h"
#include "remoting_int.h"

/* ------------------------------------------------------------------ */
/* decoding helpers                                                    */
/* ------------------------------------------------------------------ */

typedef struct jctx {
    wire_arena *a;
    int err;
} jctx;

static void jfail(jctx *c, int err)
{
    if (!c->err)
        c->err = err;
}

/* String member (absent/null -> dflt, a NULL dflt gives an is_null view). */
static buf_view jstr(jctx *c, json_t *obj, const char *key, const char *dflt)
{
    json_t *v = json_object_get(obj, key);
    buf_view out = {NULL, 0, 1};
    int failed = 0;

    if (!v || json_is_null(v)) {
        if (dflt)
            out = remoting_arena_copy(c->a, dflt, strlen(dflt), &failed);
    } else if (json_is_string(v)) {
        out = remoting_arena_copy(c->a, json_string_value(v),
                                  json_string_length(v), &failed);
    } else {
        jfail(c, BUF_EINVAL);
    }
    if (failed)
        jfail(c, BUF_ENOMEM);
    return out;
}

static int64_t jnum_value(jctx *c, json_t *v, int64_t dflt)
{
    int64_t x;

    if (!v || json_is_null(v))
        return dflt;
    if (json_is_integer(v))
        return json_integer_value(v);
    if (json_is_string(v)) {
        buf_view s = {(const uint8_t *)json_string_value(v),
                      json_string_length(v), 0};
        if (remoting_parse_i64(s, &x) == 0)
            return x;
    }
    jfail(c, BUF_EINVAL);
    return dflt;
}

static int64_t ji64(jctx *c, json_t *obj, const char *key, int64_t dflt)
{
    return jnum_value(c, json_object_get(obj, key), dflt);
}

static int32_t ji32(jctx *c, json_t *obj, const char *key, int32_t dflt)
{
    int64_t x = ji64(c, obj, key, dflt);
    if (x < INT32_MIN || x > INT32_MAX) {
        jfail(c, BUF_EINVAL);
        return dflt;
    }
    return (int32_t)x;
}

static int jbool(jctx *c, json_t *obj, const char *key, int dflt)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return dflt;
    if (json_is_boolean(v))
        return json_is_true(v);
    if (json_is_string(v)) {
        if (strcmp(json_string_value(v), "true") == 0)
            return 1;
        if (strcmp(json_string_value(v), "false") == 0)
            return 0;
    }
    jfail(c, BUF_EINVAL);
    return dflt;
}

/* Array member: NULL (and *n = 0) when absent/null; type error if not an
 * array.  Allocates n elements of size sz in the arena. */
static void *jarray(jctx *c, json_t *obj, const char *key, size_t sz,
                    json_t **arr, int32_t *n)
{
    json_t *v = json_object_get(obj, key);
    void *mem;

    *arr = NULL;
    *n = 0;
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_array(v)) {
        jfail(c, BUF_EINVAL);
        return NULL;
    }
    if (json_array_size(v) == 0)
        return NULL;
    if (json_array_size(v) > INT32_MAX) {
        jfail(c, BUF_EINVAL);
        return NULL;
    }
    mem = wire_arena_calloc(c->a, json_array_size(v), sz);
    if (!mem) {
        jfail(c, BUF_ENOMEM);
        return NULL;
    }
    *arr = v;
    *n = (int32_t)json_array_size(v);
    return mem;
}

/* Array of strings. */
static buf_view *jstrings(jctx *c, json_t *obj, const char *key, int32_t *n)
{
    json_t *arr, *v;
    buf_view *out = jarray(c, obj, key, sizeof(buf_view), &arr, n);
    size_t i;
    int failed = 0;

    if (!out)
        return NULL;
    json_array_foreach(arr, i, v)
    {
        if (!json_is_string(v)) {
            jfail(c, BUF_EINVAL);
            return out;
        }
        out[i] = remoting_arena_copy(c->a, json_string_value(v),
                                     json_string_length(v), &failed);
    }
    if (failed)
        jfail(c, BUF_ENOMEM);
    return out;
}

static json_t *jobject(jctx *c, json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_object(v)) {
        jfail(c, BUF_EINVAL);
        return NULL;
    }
    return v;
}

/* ------------------------------------------------------------------ */
/* TopicRouteData                                                      */
/* ------------------------------------------------------------------ */

static void json_comma(buf_writer *w, int32_t i)
{
    if (i > 0)
        buf_write_raw(w, ",", 1);
}

int remoting_topic_route_encode(buf_writer *w, const remoting_topic_route *rt,
                                int style)
{
    remoting_json_raw(w, "{\"brokerDatas\":[");
    for (int32_t i = 0; i < rt->broker_data_count; i++) {
        const remoting_broker_data *bd = &rt->broker_datas[i];
        json_comma(w, i);
        remoting_json_raw(w, "{\"brokerAddrs\":{");
        for (int32_t k = 0; k < bd->addr_count; k++) {
            json_comma(w, k);
            if (style == REMOTING_JSON_FASTJSON) {
                remoting_json_i64(w, bd->addrs[k].broker_id);
            } else {
                buf_write_raw(w, "\"", 1);
                remoting_json_i64(w, bd->addrs[k].broker_id);
                buf_write_raw(w, "\"", 1);
            }
            buf_write_raw(w, ":", 1);
            remoting_json_view(w, bd->addrs[k].addr);
        }
        remoting_json_raw(w, "},\"brokerName\":");
        remoting_json_view(w, bd->broker_name);
        remoting_json_raw(w, ",\"cluster\":");
        remoting_json_view(w, bd->cluster);
        remoting_json_raw(w, bd->enable_acting_master
                                 ? ",\"enableActingMaster\":true"
                                 : ",\"enableActingMaster\":false");
        if (!bd->zone_name.is_null && bd->zone_name.len) {
            remoting_json_raw(w, ",\"zoneName\":");
            remoting_json_view(w, bd->zone_name);
        }
        remoting_json_raw(w, "}");
    }
    remoting_json_raw(w, "],\"filterServerTable\":{}");
    if (!rt->order_topic_conf.is_null && rt->order_topic_conf.len) {
        remoting_json_raw(w, ",\"orderTopicConf\":");
        remoting_json_view(w, rt->order_topic_conf);
    }
    remoting_json_raw(w, ",\"queueDatas\":[");
    for (int32_t i = 0; i < rt->queue_data_count; i++) {
        const remoting_queue_data *qd = &rt->queue_datas[i];
        json_comma(w, i);
        remoting_json_raw(w, "{\"brokerName\":");
        remoting_json_view(w, qd->broker_name);
        remoting_json_raw(w, ",\"perm\":");
        remoting_json_i64(w, qd->perm);
        remoting_json_raw(w, ",\"readQueueNums\":");
        remoting_json_i64(w, qd->read_queue_nums);
        remoting_json_raw(w, ",\"topicSysFlag\":");
        remoting_json_i64(w, qd->topic_sys_flag);
        remoting_json_raw(w, ",\"writeQueueNums\":");
        remoting_json_i64(w, qd->write_queue_nums);
        remoting_json_raw(w, "}");
    }
    remoting_json_raw(w, "]}");
    return w->err;
}

/* ------------------------------------------------------------------ */
/* TopicConfigSerializeWrapper / RegisterBrokerBody                    */
/* ------------------------------------------------------------------ */

static void decode_wrapper(jctx *c, json_t *root,
                           remoting_topic_config_wrapper *out)
{
    json_t *dv, *table, *tc;
    const char *name;
    size_t nlen;
    int32_t i = 0;
    int failed = 0;

    memset(out, 0, sizeof(*out));
    if (!json_is_object(root)) {
        jfail(c, BUF_EINVAL);
        return;
    }
    if ((dv = jobject(c, root, "dataVersion")) != NULL) {
        out->data_version.timestamp = ji64(c, dv, "timestamp", 0);
        out->data_version.counter = ji64(c, dv, "counter", 0);
        out->data_version.state_version = ji64(c, dv, "stateVersion", 0);
    }
    table = jobject(c, root, "topicConfigTable");
    if (!table || json_object_size(table) == 0 || c->err)
        return;
    out->topics =
        wire_arena_calloc(c->a, json_object_size(table), sizeof(*out->topics));
    if (!out->topics) {
        jfail(c, BUF_ENOMEM);
        return;
    }
    json_object_keylen_foreach(table, name, nlen, tc)
    {
        remoting_topic_config *t = &out->topics[i++];
        if (!json_is_object(tc)) {
            jfail(c, BUF_EINVAL);
            return;
        }
        t->topic_name = jstr(c, tc, "topicName", NULL);
        if (t->topic_name.is_null)
            t->topic_name = remoting_arena_copy(c->a, name, nlen, &failed);
        t->read_queue_nums = ji32(c, tc, "readQueueNums", 16);
        t->write_queue_nums = ji32(c, tc, "writeQueueNums", 16);
        t->perm = ji32(c, tc, "perm", 6);
        t->topic_filter_type = jstr(c, tc, "topicFilterType", "SINGLE_TAG");
        t->topic_sys_flag = ji32(c, tc, "topicSysFlag", 0);
        t->order = jbool(c, tc, "order", 0);
    }
    if (failed)
        jfail(c, BUF_ENOMEM);
    out->topic_count = i;
}

int remoting_topic_config_wrapper_decode(const uint8_t *p, size_t n,
                                         wire_arena *a,
                                         remoting_topic_config_wrapper *out)
{
    jctx c = {a, 0};
    json_t *root;
    int rc = remoting_json_load(p, n, REMOTING_BODY_MAX_DEPTH,
                                REMOTING_BODY_MAX_VALUES, &root);

    memset(out, 0, sizeof(*out));
    if (rc)
        return rc;
    decode_wrapper(&c, root, out);
    json_decref(root);
    return c.err;
}

int remoting_register_broker_body_decode(const uint8_t *p, size_t n,
                                         wire_arena *a,
                                         remoting_register_broker_body *out)
{
    jctx c = {a, 0};
    json_t *root, *wr;
    int rc = remoting_json_load(p, n, REMOTING_BODY_MAX_DEPTH,
                                REMOTING_BODY_MAX_VALUES, &root);

    memset(out, 0, sizeof(*out));
    if (rc)
        return rc;
    if (!json_is_object(root)) {
        json_decref(root);
        return BUF_EINVAL;
    }
    wr = jobject(&c, root, "topicConfigSerializeWrapper");
    if (wr)
        decode_wrapper(&c, wr, &out->wrapper);
    out->filter_servers =
        jstrings(&c, root, "filterServerList", &out->filter_server_count);
    json_decref(root);
    return c.err;
}

/* Inflate one whole zlib stream (and nothing after it) into w, at most max
 * bytes: BUF_ELIMIT past it, BUF_EINVAL for a corrupt or cut stream. */
static int inflate_all(const uint8_t *p, size_t n, size_t max, buf_writer *w)
{
    z_stream zs;
    int zrc, rc = 0;

    memset(&zs, 0, sizeof(zs));
    if (inflateInit(&zs) != Z_OK)
        return BUF_ENOMEM;
    zs.next_in = (Bytef *)(uintptr_t)p;
    for (;;) {
        uint8_t *dst;
        size_t room = 64 * 1024;
        if (zs.avail_in == 0 && n > 0) {
            size_t chunk = n > UINT32_MAX ? UINT32_MAX : n;
            zs.avail_in = (uInt)chunk;
            n -= chunk;
        }
        if (w->len >= max) {
            rc = BUF_ELIMIT;
            break;
        }
        if (room > max - w->len)
            room = max - w->len;
        dst = buf_reserve(w, room);
        if (!dst) {
            rc = w->err;
            break;
        }
        zs.next_out = dst;
        zs.avail_out = (uInt)room;
        zrc = inflate(&zs, Z_NO_FLUSH);
        buf_commit(w, room - zs.avail_out);
        if (zrc == Z_STREAM_END) {
            if (zs.avail_in != 0 || n != 0)
                rc = BUF_EINVAL; /* bytes after the stream */
            break;
        }
        if (zrc != Z_OK) {
            /* Z_BUF_ERROR: no progress possible, i.e. the input ended */
            rc = zrc == Z_MEM_ERROR ? BUF_ENOMEM : BUF_EINVAL;
            break;
        }
    }
    inflateEnd(&zs);
    return rc;
}

/* A length-prefixed piece of the inflated body. */
static buf_view read_piece(buf_reader *r)
{
    int32_t len = buf_read_i32(r);
    buf_view v = {NULL, 0, 0};
    if (len < 0) {
        buf_reader_fail(r, BUF_EINVAL);
        return v;
    }
    return buf_read_raw(r, (size_t)len);
}

/* "name read write perm FILTERTYPE [attributesJSON]" (TopicConfig.encode). */
static int decode_topic_text(buf_view t, wire_arena *a,
                             remoting_topic_config *tc)
{
    buf_view part[6];
    size_t start = 0, np = 0;
    int failed = 0;

    for (size_t i = 0; i <= t.len && np < 6; i++) {
        if (i == t.len || (t.ptr[i] == ' ' && np < 5)) {
            part[np].ptr = t.ptr + start;
            part[np].len = i - start;
            part[np].is_null = 0;
            np++;
            start = i + 1;
        }
    }
    if (np < 5 || part[0].len == 0 || part[4].len == 0 ||
        remoting_parse_i32(part[1], &tc->read_queue_nums) ||
        remoting_parse_i32(part[2], &tc->write_queue_nums) ||
        remoting_parse_i32(part[3], &tc->perm))
        return BUF_EINVAL;
    tc->topic_name = remoting_arena_copy(a, part[0].ptr, part[0].len, &failed);
    tc->topic_filter_type =
        remoting_arena_copy(a, part[4].ptr, part[4].len, &failed);
    return failed ? BUF_ENOMEM : 0;
}

int remoting_register_broker_body_decode_compressed(
    const uint8_t *p, size_t n, size_t max_inflated, wire_arena *a,
    remoting_register_broker_body *out)
{
    buf_writer w;
    buf_reader r;
    buf_view v;
    json_t *root = NULL;
    jctx c = {a, 0};
    int32_t count;
    int rc;

    memset(out, 0, sizeof(*out));
    buf_writer_init(&w, 0, 0);
    rc = inflate_all(p, n, max_inflated ? max_inflated : 64u << 20, &w);
    if (rc)
        goto done;
    buf_reader_init(&r, w.p, w.len);

    /* DataVersion */
    v = read_piece(&r);
    if (r.err) {
        rc = BUF_EINVAL;
        goto done;
    }
    rc = remoting_json_load(v.ptr, v.len, REMOTING_BODY_MAX_DEPTH,
                            REMOTING_BODY_MAX_VALUES, &root);
    if (rc)
        goto done;
    if (!json_is_object(root)) {
        rc = BUF_EINVAL;
        goto done;
    }
    out->wrapper.data_version.timestamp = ji64(&c, root, "timestamp", 0);
    out->wrapper.data_version.counter = ji64(&c, root, "counter", 0);
    out->wrapper.data_version.state_version = ji64(&c, root, "stateVersion", 0);
    json_decref(root);
    root = NULL;
    if ((rc = c.err) != 0)
        goto done;

    /* topic configs: each at least 4 bytes of length */
    count = buf_read_i32(&r);
    if (r.err || count < 0 || (size_t)count > buf_left(&r) / 4) {
        rc = BUF_EINVAL;
        goto done;
    }
    if (count > 0) {
        out->wrapper.topics =
            wire_arena_calloc(a, (size_t)count, sizeof(*out->wrapper.topics));
        if (!out->wrapper.topics) {
            rc = BUF_ENOMEM;
            goto done;
        }
    }
    for (int32_t i = 0; i < count; i++) {
        v = read_piece(&r);
        if (r.err) {
            rc = BUF_EINVAL;
            goto done;
        }
        out->wrapper.topics[i].perm = 6;
        rc = decode_topic_text(v, a, &out->wrapper.topics[i]);
        if (rc)
            goto done;
    }
    out->wrapper.topic_count = count;

    /* filter servers: a JSON array of strings */
    v = read_piece(&r);
    if (r.err) {
        rc = BUF_EINVAL;
        goto done;
    }
    rc = remoting_json_load(v.ptr, v.len, REMOTING_BODY_MAX_DEPTH,
                            REMOTING_BODY_MAX_VALUES, &root);
    if (rc)
        goto done;
    {
        json_t *holder = json_object();
        if (!holder || json_object_set(holder, "l", root) != 0) {
            json_decref(holder);
            rc = BUF_ENOMEM;
            goto done;
        }
        out->filter_servers =
            jstrings(&c, holder, "l", &out->filter_server_count);
        json_decref(holder);
        if ((rc = c.err) != 0)
            goto done;
    }

    /* 5.x: topic queue mapping infos, checked for shape and skipped */
    if (buf_left(&r) > 0) {
        count = buf_read_i32(&r);
        if (r.err || count < 0 || (size_t)count > buf_left(&r) / 4) {
            rc = BUF_EINVAL;
            goto done;
        }
        for (int32_t i = 0; i < count && !r.err; i++)
            (void)read_piece(&r);
        if (r.err || buf_left(&r) != 0) {
            rc = BUF_EINVAL;
            goto done;
        }
    }
    rc = 0;
done:
    json_decref(root);
    buf_writer_release(&w);
    if (rc)
        memset(out, 0, sizeof(*out));
    return rc;
}

static void encode_data_version(buf_writer *w, const remoting_data_version *d)
{
    remoting_json_raw(w, "{\"counter\":");
    remoting_json_i64(w, d->counter);
    remoting_json_raw(w, ",\"stateVersion\":");
    remoting_json_i64(w, d->state_version);
    remoting_json_raw(w, ",\"timestamp\":");
    remoting_json_i64(w, d->timestamp);
    remoting_json_raw(w, "}");
}

int remoting_topic_config_wrapper_encode(
    buf_writer *w, const remoting_topic_config_wrapper *wr)
{
    remoting_json_raw(w, "{\"dataVersion\":");
    encode_data_version(w, &wr->data_version);
    remoting_json_raw(w, ",\"topicConfigTable\":{");
    for (int32_t i = 0; i < wr->topic_count; i++) {
        const remoting_topic_config *t = &wr->topics[i];
        json_comma(w, i);
        remoting_json_view(w, t->topic_name);
        remoting_json_raw(w, ":{\"attributes\":{},\"order\":");
        remoting_json_raw(w, t->order ? "true" : "false");
        remoting_json_raw(w, ",\"perm\":");
        remoting_json_i64(w, t->perm);
        remoting_json_raw(w, ",\"readQueueNums\":");
        remoting_json_i64(w, t->read_queue_nums);
        remoting_json_raw(w, ",\"topicFilterType\":");
        if (t->topic_filter_type.is_null || t->topic_filter_type.len == 0)
            remoting_json_raw(w, "\"SINGLE_TAG\"");
        else
            remoting_json_view(w, t->topic_filter_type);
        remoting_json_raw(w, ",\"topicName\":");
        remoting_json_view(w, t->topic_name);
        remoting_json_raw(w, ",\"topicSysFlag\":");
        remoting_json_i64(w, t->topic_sys_flag);
        remoting_json_raw(w, ",\"writeQueueNums\":");
        remoting_json_i64(w, t->write_queue_nums);
        remoting_json_raw(w, "}");
    }
    remoting_json_raw(w, "}}");
    return w->err;
}

int remoting_register_broker_body_encode(
    buf_writer *w, const remoting_register_broker_body *body)
{
    remoting_json_raw(w, "{\"filterServerList\":[");
    for (int32_t i = 0; i < body->filter_server_count; i++) {
        json_comma(w, i);
        remoting_json_view(w, body->filter_servers[i]);
    }
    remoting_json_raw(w, "],\"topicConfigSerializeWrapper\":");
    remoting_topic_config_wrapper_encode(w, &body->wrapper);
    remoting_json_raw(w, "}");
    return w->err;
}

/* ------------------------------------------------------------------ */
/* HeartbeatData                                                       */
/* ------------------------------------------------------------------ */

static void decode_subscription(jctx *c, json_t *s, remoting_subscription *o)
{
    json_t *arr, *v;
    size_t i;

    if (!json_is_object(s)) {
        jfail(c, BUF_EINVAL);
        return;
    }
    o->topic = jstr(c, s, "topic", "");
    o->sub_string = jstr(c, s, "subString", "");
    o->expression_type = jstr(c, s, "expressionType", "TAG");
    o->tags = jstrings(c, s, "tagsSet", &o->tag_count);
    o->codes = jarray(c, s, "codeSet", sizeof(int32_t), &arr, &o->code_count);
    if (o->codes) {
        json_array_foreach(arr, i, v)
        {
            int64_t x = jnum_value(c, v, 0);
            if (x < INT32_MIN || x > INT32_MAX)
                jfail(c, BUF_EINVAL);
            o->codes[i] = (int32_t)x;
        }
    }
    o->sub_version = ji64(c, s, "subVersion", 0);
    o->class_filter_mode = jbool(c, s, "classFilterMode", 0);
}

int remoting_heartbeat_decode(const uint8_t *p, size_t n, wire_arena *a,
                              remoting_heartbeat *out)
{
    jctx c = {a, 0};
    json_t *root, *arr, *v;
    size_t i;
    int rc = remoting_json_load(p, n, REMOTING_BODY_MAX_DEPTH,
                                REMOTING_BODY_MAX_VALUES, &root);

    memset(out, 0, sizeof(*out));
    if (rc)
        return rc;
    if (!json_is_object(root)) {
        json_decref(root);
        return BUF_EINVAL;
    }
    out->client_id = jstr(&c, root, "clientID", "");
    out->heartbeat_fingerprint = ji64(&c, root, "heartbeatFingerprint", 0);
    out->without_sub = jbool(&c, root, "withoutSub", 0);
    out->producer_groups = jarray(&c, root, "producerDataSet", sizeof(buf_view),
                                  &arr, &out->producer_count);
    if (out->producer_groups) {
        json_array_foreach(arr, i, v)
        {
            if (!json_is_object(v)) {
                jfail(&c, BUF_EINVAL);
                break;
            }
            out->producer_groups[i] = jstr(&c, v, "groupName", "");
        }
    }
    out->consumers =
        jarray(&c, root, "consumerDataSet", sizeof(remoting_consumer_data),
               &arr, &out->consumer_count);
    if (out->consumers) {
        json_array_foreach(arr, i, v)
        {
            remoting_consumer_data *cd = &out->consumers[i];
            json_t *subs, *s;
            size_t k;
            if (!json_is_object(v)) {
                jfail(&c, BUF_EINVAL);
                break;
            }
            cd->group_name = jstr(&c, v, "groupName", "");
            cd->consume_type = jstr(&c, v, "consumeType", "");
            cd->message_model = jstr(&c, v, "messageModel", "CLUSTERING");
            cd->consume_from_where =
                jstr(&c, v, "consumeFromWhere", "CONSUME_FROM_LAST_OFFSET");
            cd->unit_mode = jbool(&c, v, "unitMode", 0);
            cd->subscriptions = jarray(&c, v, "subscriptionDataSet",
                                       sizeof(remoting_subscription), &subs,
                                       &cd->subscription_count);
            if (!cd->subscriptions)
                continue;
            json_array_foreach(subs, k, s)
            {
                decode_subscription(&c, s, &cd->subscriptions[k]);
            }
        }
    }
    json_decref(root);
    return c.err;
}

/* ------------------------------------------------------------------ */
/* LockBatch, consumer list                                            */
/* ------------------------------------------------------------------ */

int remoting_lock_batch_decode(const uint8_t *p, size_t n, wire_arena *a,
                               remoting_lock_batch *out)
{
    jctx c = {a, 0};
    json_t *root, *arr, *v;
    size_t i;
    int rc = remoting_json_load(p, n, REMOTING_BODY_MAX_DEPTH,
                                REMOTING_BODY_MAX_VALUES, &root);

    memset(out, 0, sizeof(*out));
    if (rc)
        return rc;
    if (!json_is_object(root)) {
        json_decref(root);
        return BUF_EINVAL;
    }
    out->consumer_group = jstr(&c, root, "consumerGroup", "");
    out->client_id = jstr(&c, root, "clientId", "");
    out->only_this_broker = jbool(&c, root, "onlyThisBroker", 0);
    out->mqs = jarray(&c, root, "mqSet", sizeof(remoting_message_queue), &arr,
                      &out->mq_count);
    if (out->mqs) {
        json_array_foreach(arr, i, v)
        {
            if (!json_is_object(v)) {
                jfail(&c, BUF_EINVAL);
                break;
            }
            out->mqs[i].topic = jstr(&c, v, "topic", "");
            out->mqs[i].broker_name = jstr(&c, v, "brokerName", "");
            out->mqs[i].queue_id = ji32(&c, v, "queueId", 0);
        }
    }
    json_decref(root);
    return c.err;
}

int remoting_lock_batch_response_encode(buf_writer *w,
                                        const remoting_message_queue *mqs,
                                        int32_t count)
{
    remoting_json_raw(w, "{\"lockOKMQSet\":[");
    for (int32_t i = 0; i < count; i++) {
        json_comma(w, i);
        remoting_json_raw(w, "{\"brokerName\":");
        remoting_json_view(w, mqs[i].broker_name);
        remoting_json_raw(w, ",\"queueId\":");
        remoting_json_i64(w, mqs[i].queue_id);
        remoting_json_raw(w, ",\"topic\":");
        remoting_json_view(w, mqs[i].topic);
        remoting_json_raw(w, "}");
    }
    remoting_json_raw(w, "]}");
    return w->err;
}

int remoting_consumer_list_encode(buf_writer *w, const buf_view *ids,
                                  int32_t count)
{
    remoting_json_raw(w, "{\"consumerIdList\":[");
    for (int32_t i = 0; i < count; i++) {
        json_comma(w, i);
        remoting_json_view(w, ids[i]);
    }
    remoting_json_raw(w, "]}");
    return w->err;
}

/* ------------------------------------------------------------------ */
/* admin bodies                                                        */
/* ------------------------------------------------------------------ */

int remoting_kv_table_encode(buf_writer *w, const remoting_kv *kvs,
                             int32_t count)
{
    remoting_json_raw(w, "{\"table\":{");
    for (int32_t i = 0; i < count; i++) {
        json_comma(w, i);
        remoting_json_view(w, kvs[i].key);
        buf_write_raw(w, ":", 1);
        remoting_json_view(w, kvs[i].value);
    }
    remoting_json_raw(w, "}}");
    return w->err;
}

int remoting_topic_list_encode(buf_writer *w, const buf_view *topics,
                               int32_t count)
{
    remoting_json_raw(w, "{\"topicList\":[");
    for (int32_t i = 0; i < count; i++) {
        json_comma(w, i);
        remoting_json_view(w, topics[i]);
    }
    remoting_json_raw(w, "]}");
    return w->err;
}

/* A MessageQueue object, used as a map key by fastjson. */
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

int remoting_topic_stats_encode(buf_writer *w,
                                const remoting_topic_offset *offsets,
                                int32_t count)
{
    remoting_json_raw(w, "{\"offsetTable\":{");
    for (int32_t i = 0; i < count; i++) {
        const remoting_topic_offset *o = &offsets[i];
        json_comma(w, i);
        encode_mq(w, &o->mq);
        remoting_json_raw(w, ":{\"lastUpdateTimestamp\":");
        remoting_json_i64(w, o->last_update_timestamp);
        remoting_json_raw(w, ",\"maxOffset\":");
        remoting_json_i64(w, o->max_offset);
        remoting_json_raw(w, ",\"minOffset\":");
        remoting_json_i64(w, o->min_offset);
        remoting_json_raw(w, "}");
    }
    remoting_json_raw(w, "}}");
    return w->err;
}

/* A Java double as fastjson prints it: always with a fraction ("0.0"). */
static void json_double(buf_writer *w, double v)
{
    char tmp[40];
    int n;

    if (v != v || v > 1e308 || v < -1e308)
        v = 0; /* NaN/Infinity are not JSON */
    n = snprintf(tmp, sizeof(tmp), "%.17g", v);
    if (n > 0 && !memchr(tmp, '.', (size_t)n) && !memchr(tmp, 'e', (size_t)n))
        n += snprintf(tmp + n, sizeof(tmp) - (size_t)n, ".0");
    buf_write_raw(w, tmp, (size_t)n);
}

int remoting_consume_stats_encode(buf_writer *w, double consume_tps,
                                  const remoting_consume_offset *offsets,
                                  int32_t count)
{
    remoting_json_raw(w, "{\"consumeTps\":");
    json_double(w, consume_tps);
    remoting_json_raw(w, ",\"offsetTable\":{");
    for (int32_t i = 0; i < count; i++) {
        const remoting_consume_offset *o = &offsets[i];
        json_comma(w, i);
        encode_mq(w, &o->mq);
        remoting_json_raw(w, ":{\"brokerOffset\":");
        remoting_json_i64(w, o->broker_offset);
        remoting_json_raw(w, ",\"consumerOffset\":");
        remoting_json_i64(w, o->consumer_offset);
        remoting_json_raw(w, ",\"lastTimestamp\":");
        remoting_json_i64(w, o->last_timestamp);
        remoting_json_raw(w, ",\"pullOffset\":");
        remoting_json_i64(w, o->pull_offset);
        remoting_json_raw(w, "}");
    }
    remoting_json_raw(w, "}}");
    return w->err;
}
