/*
 * admin.c - what ferryctl needs: topics (create, list, route, stats,
 * delete), clusters, broker figures and configuration, offsets, consumer
 * groups (list, members, consume stats, reset, delete), messages by id or
 * key, pending transactions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_int.h"
#include "remoting_admin.h"
#include "remoting_client.h"

struct ferry_admin {
    fclient *c;
};

ferry_admin *ferry_admin_new(const ferry_conf *conf, char *errbuf,
                             size_t errlen)
{
    ferry_admin *a = calloc(1, sizeof *a);
    if (!a) {
        fclient_errbuf(errbuf, errlen, "out of memory");
        return NULL;
    }
    a->c = fclient_new(conf, "admin", errbuf, errlen);
    if (!a->c) {
        free(a);
        return NULL;
    }
    return a;
}

void ferry_admin_free(ferry_admin *a)
{
    if (!a)
        return;
    fclient_free(a->c);
    free(a);
}

void ferry_strv_free(char **v)
{
    if (!v)
        return;
    for (char **p = v; *p; p++)
        free(*p);
    free(v);
}

void ferry_route_free(ferry_route *r)
{
    if (!r)
        return;
    free(r->brokers);
    free(r->queues);
    free(r);
}

static char **strv_from(const buf_view *items, int32_t n)
{
    char **v = calloc((size_t)n + 1, sizeof(char *));
    if (!v)
        return NULL;
    for (int32_t i = 0; i < n; i++) {
        v[i] = malloc(items[i].len + 1);
        if (!v[i]) {
            ferry_strv_free(v);
            return NULL;
        }
        fclient_copy(v[i], items[i].len + 1, items[i]);
    }
    return v;
}

/* A name-server call with no ext fields, answer body decoded by fn. */
static int namesrv_simple(ferry_admin *a, int32_t code, fresp *resp)
{
    remoting_header h;
    int rc;

    fclient_request_init(a->c, &h, code);
    if ((rc = fclient_call_namesrv(a->c, &h, resp)) != 0)
        return rc;
    if ((rc = fclient_check(&resp->h, REMOTING_RESP_SUCCESS)) != 0)
        fresp_release(resp);
    return rc;
}

int ferry_admin_topic_list(ferry_admin *a, char ***topics)
{
    fresp resp;
    wire_arena ar;
    buf_view *items;
    int32_t n;
    int rc;

    if (!a || !topics)
        return FERRY_ERR_INVALID;
    *topics = NULL;
    if ((rc = namesrv_simple(a, REMOTING_REQ_GET_ALL_TOPIC_LIST_FROM_NAMESERVER,
                             &resp)) != 0)
        return rc;
    wire_arena_init(&ar, 0, 0);
    if (remoting_topic_list_decode(resp.body.ptr, resp.body.len, &ar, &items,
                                   &n) != 0)
        rc = FERRY_ERR_PROTOCOL;
    else if ((*topics = strv_from(items, n)) == NULL)
        rc = FERRY_ERR_NOMEM;
    wire_arena_release(&ar);
    fresp_release(&resp);
    return rc;
}

static ferry_route *route_public(const fclient_route *r)
{
    ferry_route *out = calloc(1, sizeof *out);
    if (!out)
        return NULL;
    if (r->broker_count) {
        out->brokers = calloc((size_t)r->broker_count, sizeof(*out->brokers));
        if (!out->brokers)
            goto fail;
        for (int i = 0; i < r->broker_count; i++) {
            memcpy(out->brokers[i].cluster, r->brokers[i].cluster,
                   sizeof out->brokers[i].cluster);
            memcpy(out->brokers[i].name, r->brokers[i].name,
                   sizeof out->brokers[i].name);
            memcpy(out->brokers[i].addr, r->brokers[i].addr,
                   sizeof out->brokers[i].addr);
        }
        out->broker_count = r->broker_count;
    }
    if (r->queue_count) {
        out->queues = calloc((size_t)r->queue_count, sizeof(*out->queues));
        if (!out->queues)
            goto fail;
        for (int i = 0; i < r->queue_count; i++) {
            memcpy(out->queues[i].broker_name, r->queues[i].broker_name,
                   sizeof out->queues[i].broker_name);
            out->queues[i].read_queues = r->queues[i].read_queues;
            out->queues[i].write_queues = r->queues[i].write_queues;
            out->queues[i].perm = r->queues[i].perm;
        }
        out->queue_count = r->queue_count;
    }
    return out;
fail:
    ferry_route_free(out);
    return NULL;
}

int ferry_admin_route(ferry_admin *a, const char *topic, ferry_route **out)
{
    fclient_route r;
    int rc;

    if (!a || !topic || !out)
        return FERRY_ERR_INVALID;
    *out = NULL;
    if ((rc = fclient_route_get(a->c, topic, 1, &r)) != 0)
        return rc;
    *out = route_public(&r);
    fclient_route_release(&r);
    return *out ? 0 : FERRY_ERR_NOMEM;
}

/* Cluster info as an fclient_route (brokers only). */
static int cluster_brokers(ferry_admin *a, fclient_route *out)
{
    fresp resp;
    wire_arena ar;
    remoting_cluster_info ci;
    int rc;

    memset(out, 0, sizeof(*out));
    if ((rc = namesrv_simple(a, REMOTING_REQ_GET_BROKER_CLUSTER_INFO,
                             &resp)) != 0)
        return rc;
    wire_arena_init(&ar, 0, 0);
    if (remoting_cluster_info_decode(resp.body.ptr, resp.body.len, &ar,
                                     &ci) != 0) {
        rc = FERRY_ERR_PROTOCOL;
    } else if (ci.broker_count > 0) {
        out->brokers = calloc((size_t)ci.broker_count, sizeof(*out->brokers));
        if (!out->brokers) {
            rc = FERRY_ERR_NOMEM;
        } else {
            for (int32_t i = 0; i < ci.broker_count; i++) {
                const remoting_broker_data *bd = &ci.brokers[i];
                fclient_route_broker *b = &out->brokers[i];
                fclient_copy(b->name, sizeof b->name, bd->broker_name);
                fclient_copy(b->cluster, sizeof b->cluster, bd->cluster);
                for (int32_t k = 0; k < bd->addr_count; k++)
                    if (bd->addrs[k].broker_id == 0)
                        fclient_copy(b->addr, sizeof b->addr,
                                     bd->addrs[k].addr);
            }
            out->broker_count = ci.broker_count;
        }
    }
    wire_arena_release(&ar);
    fresp_release(&resp);
    return rc;
}

int ferry_admin_cluster_info(ferry_admin *a, ferry_route **out)
{
    fclient_route r;
    int rc;

    if (!a || !out)
        return FERRY_ERR_INVALID;
    *out = NULL;
    if ((rc = cluster_brokers(a, &r)) != 0)
        return rc;
    *out = route_public(&r);
    fclient_route_release(&r);
    return *out ? 0 : FERRY_ERR_NOMEM;
}

static int create_on(ferry_admin *a, const char *addr, const char *topic,
                     int rq, int wq)
{
    remoting_header h;
    remoting_create_topic_request r;
    wire_arena ar;
    fresp resp;
    int rc;

    memset(&r, 0, sizeof r);
    r.present = (1u << 6) - 1; /* topic..topicFilterType */
    r.present |= 1u << 7;      /* order */
    r.topic = remoting_view(topic);
    r.default_topic = remoting_view("TBW102");
    r.read_queue_nums = rq;
    r.write_queue_nums = wq;
    r.perm = 6;
    r.topic_filter_type = remoting_view("SINGLE_TAG");
    wire_arena_init(&ar, 0, 0);
    fclient_request_init(a->c, &h, REMOTING_REQ_UPDATE_AND_CREATE_TOPIC);
    if (remoting_header_fields_encode(&h, &ar,
                                      &remoting_create_topic_request_schema,
                                      REMOTING_HDR_V1, &r) != 0) {
        wire_arena_release(&ar);
        return FERRY_ERR_NOMEM;
    }
    rc = fclient_call(a->c, addr, &h, NULL, 0, 0, &resp);
    wire_arena_release(&ar);
    if (rc != 0)
        return rc;
    rc = fclient_check(&resp.h, REMOTING_RESP_SUCCESS);
    fresp_release(&resp);
    return rc;
}

int ferry_admin_create_topic(ferry_admin *a, const char *cluster,
                             const char *broker_addr, const char *topic,
                             int read_queues, int write_queues)
{
    fclient_route r;
    int rc, done = 0;

    if (!a || !topic || !*topic || read_queues <= 0 || write_queues <= 0)
        return FERRY_ERR_INVALID;
    if (broker_addr)
        return create_on(a, broker_addr, topic, read_queues, write_queues);
    if ((rc = cluster_brokers(a, &r)) != 0)
        return rc;
    for (int i = 0; i < r.broker_count && rc == 0; i++) {
        if (!r.brokers[i].addr[0] ||
            (cluster && strcmp(cluster, r.brokers[i].cluster) != 0))
            continue;
        rc = create_on(a, r.brokers[i].addr, topic, read_queues,
                       write_queues);
        done++;
    }
    fclient_route_release(&r);
    if (rc == 0 && done == 0)
        rc = FERRY_ERR_NOT_FOUND;
    if (rc == 0) {
        /* the brokers re-register with the name servers: forget the old
         * route so the next lookup sees the new queues */
        fclient_route fresh;
        if (fclient_route_get(a->c, topic, 1, &fresh) == 0)
            fclient_route_release(&fresh);
    }
    return rc;
}

int ferry_admin_min_offset(ferry_admin *a, const ferry_queue *q,
                           int64_t *offset)
{
    if (!a || !offset)
        return FERRY_ERR_INVALID;
    return fclient_queue_offset(a->c, REMOTING_REQ_GET_MIN_OFFSET, NULL, q, 0,
                                offset);
}

int ferry_admin_max_offset(ferry_admin *a, const ferry_queue *q,
                           int64_t *offset)
{
    if (!a || !offset)
        return FERRY_ERR_INVALID;
    return fclient_queue_offset(a->c, REMOTING_REQ_GET_MAX_OFFSET, NULL, q, 0,
                                offset);
}

int ferry_admin_consumer_offset(ferry_admin *a, const char *group,
                                const ferry_queue *q, int64_t *offset)
{
    if (!a || !group || !offset)
        return FERRY_ERR_INVALID;
    return fclient_queue_offset(a->c, REMOTING_REQ_QUERY_CONSUMER_OFFSET,
                                group, q, 0, offset);
}

int ferry_admin_consumer_list(ferry_admin *a, const char *group,
                              const char *topic, char ***ids)
{
    fclient_route r;
    remoting_header h;
    wire_arena ar;
    fresp resp;
    int rc;

    if (!a || !group || !topic || !ids)
        return FERRY_ERR_INVALID;
    *ids = NULL;
    if ((rc = fclient_route_get(a->c, topic, 0, &r)) != 0)
        return rc;
    rc = FERRY_ERR_NO_ROUTE;
    for (int i = 0; i < r.broker_count; i++) {
        if (!r.brokers[i].addr[0])
            continue;
        wire_arena_init(&ar, 0, 0);
        fclient_request_init(a->c, &h, REMOTING_REQ_GET_CONSUMER_LIST_BY_GROUP);
        remoting_ext_add_str(&h, &ar, "consumerGroup", group);
        rc = fclient_call(a->c, r.brokers[i].addr, &h, NULL, 0, 0, &resp);
        wire_arena_release(&ar);
        if (rc != 0)
            continue;
        rc = fclient_check(&resp.h, REMOTING_RESP_SUCCESS);
        if (rc == 0) {
            buf_view *items;
            int32_t n;
            wire_arena_init(&ar, 0, 0);
            if (remoting_consumer_list_decode(resp.body.ptr, resp.body.len,
                                              &ar, &items, &n) != 0)
                rc = FERRY_ERR_PROTOCOL;
            else if ((*ids = strv_from(items, n)) == NULL)
                rc = FERRY_ERR_NOMEM;
            wire_arena_release(&ar);
        } else if (resp.h.code == REMOTING_RESP_SYSTEM_ERROR) {
            rc = FERRY_ERR_NOT_FOUND; /* "no consumer for this group" */
        }
        fresp_release(&resp);
        if (rc == 0)
            break;
    }
    fclient_route_release(&r);
    return rc;
}

int ferry_admin_view_message(ferry_admin *a, const char *offset_msg_id,
                             ferry_msg_list *out)
{
    remoting_host host;
    int64_t pos;
    char addr[128], ip[64];
    remoting_header h;
    wire_arena ar;
    fresp resp;
    int rc;

    if (!a || !offset_msg_id || !out)
        return FERRY_ERR_INVALID;
    memset(out, 0, sizeof(*out));
    if (remoting_offset_msgid_decode(offset_msg_id, strlen(offset_msg_id),
                                     &host, &pos) != 0 ||
        host.is_v6)
        return FERRY_ERR_INVALID;
    snprintf(ip, sizeof ip, "%u.%u.%u.%u", host.ip[0], host.ip[1],
             host.ip[2], host.ip[3]);
    snprintf(addr, sizeof addr, "%s:%d", ip, (int)host.port);
    wire_arena_init(&ar, 0, 0);
    fclient_request_init(a->c, &h, REMOTING_REQ_VIEW_MESSAGE_BY_ID);
    remoting_ext_add_i64(&h, &ar, "offset", pos);
    rc = fclient_call(a->c, addr, &h, NULL, 0, 0, &resp);
    wire_arena_release(&ar);
    if (rc != 0)
        return rc;
    rc = fclient_check(&resp.h, REMOTING_RESP_SUCCESS);
    if (rc == 0)
        rc = fclient_msgs_decode(resp.body.ptr, resp.body.len, "", NULL, out);
    if (rc == 0 && out->count == 0)
        rc = FERRY_ERR_NOT_FOUND;
    fresp_release(&resp);
    return rc;
}

static int list_append(ferry_msg_list *dst, ferry_msg_list *src)
{
    if (src->count == 0)
        return 0;
    ferry_rmsg **m = realloc(dst->msgs, (size_t)(dst->count + src->count) *
                                            sizeof(*m));
    if (!m)
        return FERRY_ERR_NOMEM;
    memcpy(m + dst->count, src->msgs, (size_t)src->count * sizeof(*m));
    dst->msgs = m;
    dst->count += src->count;
    free(src->msgs);
    src->msgs = NULL;
    src->count = 0;
    return 0;
}

int ferry_admin_query_by_key(ferry_admin *a, const char *topic,
                             const char *key, int max, int64_t begin_ms,
                             int64_t end_ms, ferry_msg_list *out)
{
    fclient_route r;
    int rc, any = 0;

    if (!a || !topic || !key || !out)
        return FERRY_ERR_INVALID;
    memset(out, 0, sizeof(*out));
    if (end_ms <= 0)
        end_ms = INT64_MAX / 2;
    if ((rc = fclient_route_get(a->c, topic, 0, &r)) != 0)
        return rc;
    for (int i = 0; i < r.broker_count; i++) {
        remoting_header h;
        remoting_query_message_request q;
        wire_arena ar;
        fresp resp;
        if (!r.brokers[i].addr[0])
            continue;
        memset(&q, 0, sizeof q);
        q.present = (1u << 5) - 1;
        q.topic = remoting_view(topic);
        q.key = remoting_view(key);
        q.max_num = max > 0 ? max : 32;
        q.begin_timestamp = begin_ms;
        q.end_timestamp = end_ms;
        wire_arena_init(&ar, 0, 0);
        fclient_request_init(a->c, &h, REMOTING_REQ_QUERY_MESSAGE);
        remoting_header_fields_encode(&h, &ar,
                                      &remoting_query_message_request_schema,
                                      REMOTING_HDR_V1, &q);
        rc = fclient_call(a->c, r.brokers[i].addr, &h, NULL, 0, 0, &resp);
        wire_arena_release(&ar);
        if (rc != 0)
            break;
        if (resp.h.code == REMOTING_RESP_SUCCESS) {
            ferry_msg_list part;
            rc = fclient_msgs_decode(resp.body.ptr, resp.body.len,
                                     r.brokers[i].name, NULL, &part);
            if (rc == 0) {
                rc = list_append(out, &part);
                ferry_msg_list_free(&part);
                any = 1;
            }
        } else if (resp.h.code != REMOTING_RESP_QUERY_NOT_FOUND) {
            rc = fclient_check(&resp.h, REMOTING_RESP_SUCCESS);
        }
        fresp_release(&resp);
        if (rc != 0)
            break;
    }
    fclient_route_release(&r);
    if (rc != 0)
        ferry_msg_list_free(out);
    else if (!any || out->count == 0)
        rc = FERRY_ERR_NOT_FOUND;
    return rc;
}

/* ------------------------------------------------------------------ */
/* brokers, topics and groups for ferryctl                             */
/* ------------------------------------------------------------------ */


void ferry_kv_list_free(ferry_kv_list *l)
{
    if (!l)
        return;
    for (int i = 0; i < l->count; i++) {
        free((char *)l->kv[i].key);
        free((char *)l->kv[i].value);
    }
    free(l->kv);
    l->kv = NULL;
    l->count = 0;
}

static char *dup_view(buf_view v)
{
    char *s = malloc(v.len + 1);
    if (s) {
        if (v.len)
            memcpy(s, v.ptr, v.len);
        s[v.len] = '\0';
    }
    return s;
}

static int kv_add(ferry_kv_list *l, buf_view k, buf_view v)
{
    ferry_prop *nk = realloc(l->kv, (size_t)(l->count + 1) * sizeof(*nk));
    if (!nk)
        return FERRY_ERR_NOMEM;
    l->kv = nk;
    nk[l->count].key = dup_view(k);
    nk[l->count].value = dup_view(v);
    if (!nk[l->count].key || !nk[l->count].value) {
        free((char *)nk[l->count].key);
        free((char *)nk[l->count].value);
        return FERRY_ERR_NOMEM;
    }
    l->count++;
    return 0;
}

/* The first master's address when addr is NULL. */
static int pick_broker(ferry_admin *a, const char *addr, char *out,
                       size_t len)
{
    fclient_route r;
    int rc;

    if (addr) {
        snprintf(out, len, "%s", addr);
        return 0;
    }
    if ((rc = cluster_brokers(a, &r)) != 0)
        return rc;
    rc = FERRY_ERR_NOT_FOUND;
    for (int i = 0; i < r.broker_count; i++)
        if (r.brokers[i].addr[0]) {
            snprintf(out, len, "%s", r.brokers[i].addr);
            rc = 0;
            break;
        }
    fclient_route_release(&r);
    return rc;
}

/* One request with string ext fields (NULL-terminated key, value list)
 * to addr; 0 with *resp (SUCCESS only) or an error. */
static int admin_call(ferry_admin *a, const char *addr, int32_t code,
                      const char *const *kv, const void *body,
                      size_t body_len, fresp *resp)
{
    remoting_header h;
    wire_arena ar;
    int rc;

    wire_arena_init(&ar, 0, 0);
    fclient_request_init(a->c, &h, code);
    for (int i = 0; kv && kv[i]; i += 2)
        if (kv[i + 1])
            remoting_ext_add_str(&h, &ar, kv[i], kv[i + 1]);
    rc = fclient_call(a->c, addr, &h, body, body_len, 0, resp);
    wire_arena_release(&ar);
    if (rc != 0)
        return rc;
    if ((rc = fclient_check(&resp->h, REMOTING_RESP_SUCCESS)) != 0) {
        int32_t code_got = resp->h.code;
        fresp_release(resp);
        if (code_got == REMOTING_RESP_TOPIC_NOT_EXIST ||
            code_got == REMOTING_RESP_SUBSCRIPTION_GROUP_NOT_EXIST ||
            code_got == REMOTING_RESP_CONSUMER_NOT_ONLINE)
            rc = FERRY_ERR_NOT_FOUND;
    }
    return rc;
}

int ferry_admin_broker_runtime_info(ferry_admin *a, const char *broker_addr,
                                    ferry_kv_list *out)
{
    char addr[128];
    fresp resp;
    wire_arena ar;
    remoting_kv *kv;
    int32_t n;
    int rc;

    if (!a || !out)
        return FERRY_ERR_INVALID;
    memset(out, 0, sizeof(*out));
    if ((rc = pick_broker(a, broker_addr, addr, sizeof addr)) != 0)
        return rc;
    if ((rc = admin_call(a, addr, REMOTING_REQ_GET_BROKER_RUNTIME_INFO, NULL,
                         NULL, 0, &resp)) != 0)
        return rc;
    wire_arena_init(&ar, 0, 0);
    if (remoting_kv_table_decode(resp.body.ptr, resp.body.len, &ar, &kv,
                                 &n) != 0)
        rc = FERRY_ERR_PROTOCOL;
    for (int32_t i = 0; rc == 0 && i < n; i++)
        rc = kv_add(out, kv[i].key, kv[i].value);
    if (rc != 0)
        ferry_kv_list_free(out);
    wire_arena_release(&ar);
    fresp_release(&resp);
    return rc;
}

int ferry_admin_broker_config_get(ferry_admin *a, const char *broker_addr,
                                  ferry_kv_list *out)
{
    char addr[128];
    fresp resp;
    int rc;

    if (!a || !out)
        return FERRY_ERR_INVALID;
    memset(out, 0, sizeof(*out));
    if ((rc = pick_broker(a, broker_addr, addr, sizeof addr)) != 0)
        return rc;
    if ((rc = admin_call(a, addr, REMOTING_REQ_GET_BROKER_CONFIG, NULL, NULL,
                         0, &resp)) != 0)
        return rc;
    /* Java properties text: key=value lines, '#' comments */
    const char *p = (const char *)resp.body.ptr;
    const char *end = p + resp.body.len;
    while (rc == 0 && p && p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        const char *eq = memchr(p, '=', (size_t)(le - p));
        size_t ll = (size_t)(le - p);
        if (ll && p[ll - 1] == '\r')
            ll--;
        if (ll && *p != '#' && eq && eq < p + ll) {
            buf_view k = {(const uint8_t *)p, (size_t)(eq - p), 0};
            buf_view v = {(const uint8_t *)eq + 1,
                          (size_t)(p + ll - eq - 1), 0};
            rc = kv_add(out, k, v);
        }
        p = nl ? nl + 1 : NULL;
    }
    if (rc != 0)
        ferry_kv_list_free(out);
    fresp_release(&resp);
    return rc;
}

int ferry_admin_broker_config_update(ferry_admin *a, const char *broker_addr,
                                     const ferry_prop *kv, int n)
{
    char addr[128];
    buf_writer w;
    fresp resp;
    int rc;

    if (!a || !kv || n <= 0)
        return FERRY_ERR_INVALID;
    for (int i = 0; i < n; i++)
        if (!kv[i].key || !kv[i].value || !*kv[i].key ||
            strpbrk(kv[i].key, "=\n\r") || strpbrk(kv[i].value, "\n\r"))
            return FERRY_ERR_INVALID;
    if ((rc = pick_broker(a, broker_addr, addr, sizeof addr)) != 0)
        return rc;
    buf_writer_init(&w, 256, 0);
    for (int i = 0; i < n; i++) {
        buf_write_raw(&w, kv[i].key, strlen(kv[i].key));
        buf_write_raw(&w, "=", 1);
        buf_write_raw(&w, kv[i].value, strlen(kv[i].value));
        buf_write_raw(&w, "\n", 1);
    }
    if (w.err) {
        buf_writer_release(&w);
        return FERRY_ERR_NOMEM;
    }
    rc = admin_call(a, addr, REMOTING_REQ_UPDATE_BROKER_CONFIG, NULL, w.p,
                    w.len, &resp);
    buf_writer_release(&w);
    if (rc == 0)
        fresp_release(&resp);
    return rc;
}

static int cmp_queue_stats(const void *x, const void *y)
{
    const ferry_queue_stats *a = x, *b = y;
    int c = strcmp(a->broker_name, b->broker_name);
    return c ? c : (a->queue_id > b->queue_id) - (a->queue_id < b->queue_id);
}

int ferry_admin_topic_stats(ferry_admin *a, const char *topic,
                            ferry_queue_stats **out, int *n)
{
    fclient_route r;
    int rc, count = 0, any = 0;
    ferry_queue_stats *v = NULL;

    if (!a || !topic || !out || !n)
        return FERRY_ERR_INVALID;
    *out = NULL;
    *n = 0;
    if ((rc = fclient_route_get(a->c, topic, 1, &r)) != 0)
        return rc;
    for (int i = 0; i < r.broker_count && rc == 0; i++) {
        const char *kv[] = {"topic", topic, NULL};
        fresp resp;
        wire_arena ar;
        remoting_topic_offset *to;
        int32_t k;
        if (!r.brokers[i].addr[0])
            continue;
        rc = admin_call(a, r.brokers[i].addr,
                        REMOTING_REQ_GET_TOPIC_STATS_INFO, kv, NULL, 0,
                        &resp);
        if (rc == FERRY_ERR_NOT_FOUND) {
            rc = 0;
            continue;
        }
        if (rc != 0)
            break;
        any = 1;
        wire_arena_init(&ar, 0, 0);
        if (remoting_topic_stats_decode(resp.body.ptr, resp.body.len, &ar,
                                        &to, &k) != 0) {
            rc = FERRY_ERR_PROTOCOL;
        } else if (k > 0) {
            ferry_queue_stats *nv =
                realloc(v, (size_t)(count + k) * sizeof(*nv));
            if (!nv) {
                rc = FERRY_ERR_NOMEM;
            } else {
                v = nv;
                for (int32_t j = 0; j < k; j++) {
                    ferry_queue_stats *s = &v[count++];
                    memset(s, 0, sizeof(*s));
                    fclient_copy(s->broker_name, sizeof s->broker_name,
                                 to[j].mq.broker_name);
                    s->queue_id = to[j].mq.queue_id;
                    s->min_offset = to[j].min_offset;
                    s->max_offset = to[j].max_offset;
                    s->last_update_ms = to[j].last_update_timestamp;
                }
            }
        }
        wire_arena_release(&ar);
        fresp_release(&resp);
    }
    fclient_route_release(&r);
    if (rc == 0 && !any)
        rc = FERRY_ERR_NOT_FOUND;
    if (rc != 0) {
        free(v);
        return rc;
    }
    if (count > 1)
        qsort(v, (size_t)count, sizeof(*v), cmp_queue_stats);
    *out = v;
    *n = count;
    return 0;
}

static int cmp_consume_stats(const void *x, const void *y)
{
    const ferry_consume_stats *a = x, *b = y;
    int c = strcmp(a->topic, b->topic);
    if (!c)
        c = strcmp(a->broker_name, b->broker_name);
    return c ? c : (a->queue_id > b->queue_id) - (a->queue_id < b->queue_id);
}

int ferry_admin_consume_stats(ferry_admin *a, const char *group,
                              const char *topic, ferry_consume_stats **out,
                              int *n)
{
    fclient_route r;
    int rc, count = 0, any = 0;
    ferry_consume_stats *v = NULL;

    if (!a || !group || !*group || !out || !n)
        return FERRY_ERR_INVALID;
    *out = NULL;
    *n = 0;
    if ((rc = cluster_brokers(a, &r)) != 0)
        return rc;
    for (int i = 0; i < r.broker_count && rc == 0; i++) {
        const char *kv[] = {"consumerGroup", group, "topic", topic, NULL};
        fresp resp;
        wire_arena ar;
        remoting_consume_offset *co;
        double tps;
        int32_t k;
        if (!r.brokers[i].addr[0])
            continue;
        rc = admin_call(a, r.brokers[i].addr, REMOTING_REQ_GET_CONSUME_STATS,
                        kv, NULL, 0, &resp);
        if (rc == FERRY_ERR_NOT_FOUND) {
            rc = 0;
            continue;
        }
        if (rc != 0)
            break;
        any = 1;
        wire_arena_init(&ar, 0, 0);
        if (remoting_consume_stats_decode(resp.body.ptr, resp.body.len, &ar,
                                          &tps, &co, &k) != 0) {
            rc = FERRY_ERR_PROTOCOL;
        } else if (k > 0) {
            ferry_consume_stats *nv =
                realloc(v, (size_t)(count + k) * sizeof(*nv));
            if (!nv) {
                rc = FERRY_ERR_NOMEM;
            } else {
                v = nv;
                for (int32_t j = 0; j < k; j++) {
                    ferry_consume_stats *s = &v[count++];
                    memset(s, 0, sizeof(*s));
                    fclient_copy(s->topic, sizeof s->topic, co[j].mq.topic);
                    fclient_copy(s->broker_name, sizeof s->broker_name,
                                 co[j].mq.broker_name);
                    s->queue_id = co[j].mq.queue_id;
                    s->broker_offset = co[j].broker_offset;
                    s->consumer_offset = co[j].consumer_offset;
                    s->last_timestamp_ms = co[j].last_timestamp;
                }
            }
        }
        wire_arena_release(&ar);
        fresp_release(&resp);
    }
    fclient_route_release(&r);
    if (rc == 0 && !any)
        rc = FERRY_ERR_NOT_FOUND;
    if (rc != 0) {
        free(v);
        return rc;
    }
    if (count > 1)
        qsort(v, (size_t)count, sizeof(*v), cmp_consume_stats);
    *out = v;
    *n = count;
    return 0;
}

void ferry_group_members_free(ferry_group_members *g)
{
    if (!g)
        return;
    for (int i = 0; i < g->member_count; i++) {
        free(g->members[i].assigned);
        free(g->members[i].subscriptions);
    }
    free(g->members);
    free(g->subscriptions);
    free(g);
}

static int members_merge(ferry_group_members *g,
                         const remoting_consumer_connection *cc)
{
    if (!g->protocol[0]) {
        fclient_copy(g->protocol, sizeof g->protocol, cc->ferry_protocol);
        fclient_copy(g->state, sizeof g->state, cc->ferry_state);
        fclient_copy(g->consume_type, sizeof g->consume_type,
                     cc->consume_type);
        fclient_copy(g->message_model, sizeof g->message_model,
                     cc->message_model);
    }
    if (cc->connection_count > 0) {
        ferry_member *nm = realloc(g->members,
                                   (size_t)(g->member_count +
                                            cc->connection_count) *
                                       sizeof(*nm));
        if (!nm)
            return FERRY_ERR_NOMEM;
        g->members = nm;
        for (int32_t i = 0; i < cc->connection_count; i++) {
            const remoting_connection *k = &cc->connections[i];
            ferry_member *m = &g->members[g->member_count++];
            memset(m, 0, sizeof(*m));
            fclient_copy(m->client_id, sizeof m->client_id, k->client_id);
            fclient_copy(m->client_addr, sizeof m->client_addr,
                         k->client_addr);
            fclient_copy(m->language, sizeof m->language, k->language);
            m->version = k->version;
            if (k->ferry_subscriptions.len) {
                m->subscriptions = malloc(k->ferry_subscriptions.len + 1);
                if (!m->subscriptions)
                    return FERRY_ERR_NOMEM;
                memcpy(m->subscriptions, k->ferry_subscriptions.ptr,
                       k->ferry_subscriptions.len);
                m->subscriptions[k->ferry_subscriptions.len] = '\0';
            }
            if (k->assigned_count > 0) {
                m->assigned = calloc((size_t)k->assigned_count,
                                     sizeof(*m->assigned));
                if (!m->assigned)
                    return FERRY_ERR_NOMEM;
                for (int32_t q = 0; q < k->assigned_count; q++) {
                    fclient_copy(m->assigned[q].topic,
                                 sizeof m->assigned[q].topic,
                                 k->assigned[q].topic);
                    fclient_copy(m->assigned[q].broker_name,
                                 sizeof m->assigned[q].broker_name,
                                 k->assigned[q].broker_name);
                    m->assigned[q].queue_id = k->assigned[q].queue_id;
                }
                m->assigned_count = k->assigned_count;
            }
        }
    }
    for (int32_t i = 0; i < cc->subscription_count; i++) {
        char t[256];
        int dup = 0;
        fclient_copy(t, sizeof t, cc->subscriptions[i].topic);
        for (int k = 0; k < g->subscription_count; k++)
            dup |= !strcmp(g->subscriptions[k].topic, t);
        if (dup)
            continue;
        ferry_subscription *ns =
            realloc(g->subscriptions,
                    (size_t)(g->subscription_count + 1) * sizeof(*ns));
        if (!ns)
            return FERRY_ERR_NOMEM;
        g->subscriptions = ns;
        ferry_subscription *s = &ns[g->subscription_count++];
        memcpy(s->topic, t, sizeof s->topic);
        fclient_copy(s->expression, sizeof s->expression,
                     cc->subscriptions[i].sub_string);
    }
    return 0;
}

int ferry_admin_group_members(ferry_admin *a, const char *group,
                              ferry_group_members **out)
{
    fclient_route r;
    int rc, any = 0;
    ferry_group_members *g;

    if (!a || !group || !*group || !out)
        return FERRY_ERR_INVALID;
    *out = NULL;
    if (!(g = calloc(1, sizeof(*g))))
        return FERRY_ERR_NOMEM;
    if ((rc = cluster_brokers(a, &r)) != 0) {
        free(g);
        return rc;
    }
    for (int i = 0; i < r.broker_count && rc == 0; i++) {
        const char *kv[] = {"consumerGroup", group, NULL};
        fresp resp;
        wire_arena ar;
        remoting_consumer_connection cc;
        if (!r.brokers[i].addr[0])
            continue;
        rc = admin_call(a, r.brokers[i].addr,
                        REMOTING_REQ_GET_CONSUMER_CONNECTION_LIST, kv, NULL,
                        0, &resp);
        if (rc == FERRY_ERR_NOT_FOUND) {
            rc = 0;
            continue;
        }
        if (rc != 0)
            break;
        any = 1;
        wire_arena_init(&ar, 0, 0);
        if (remoting_consumer_connection_decode(resp.body.ptr, resp.body.len,
                                                &ar, &cc) != 0)
            rc = FERRY_ERR_PROTOCOL;
        else
            rc = members_merge(g, &cc);
        wire_arena_release(&ar);
        fresp_release(&resp);
    }
    fclient_route_release(&r);
    if (rc == 0 && !any)
        rc = FERRY_ERR_NOT_FOUND;
    if (rc != 0) {
        ferry_group_members_free(g);
        return rc;
    }
    *out = g;
    return 0;
}

static int cmp_group_info(const void *x, const void *y)
{
    return strcmp(((const ferry_group_info *)x)->name,
                  ((const ferry_group_info *)y)->name);
}

int ferry_admin_group_list(ferry_admin *a, ferry_group_info **out, int *n)
{
    fclient_route r;
    int rc, count = 0;
    ferry_group_info *v = NULL;

    if (!a || !out || !n)
        return FERRY_ERR_INVALID;
    *out = NULL;
    *n = 0;
    if ((rc = cluster_brokers(a, &r)) != 0)
        return rc;
    for (int i = 0; i < r.broker_count && rc == 0; i++) {
        fresp resp;
        wire_arena ar;
        remoting_subscription_group *sg;
        int32_t k;
        if (!r.brokers[i].addr[0])
            continue;
        rc = admin_call(a, r.brokers[i].addr,
                        REMOTING_REQ_GET_ALL_SUBSCRIPTIONGROUP_CONFIG, NULL,
                        NULL, 0, &resp);
        if (rc != 0)
            break;
        wire_arena_init(&ar, 0, 0);
        if (remoting_subscription_groups_decode(resp.body.ptr, resp.body.len,
                                                &ar, &sg, &k) != 0)
            rc = FERRY_ERR_PROTOCOL;
        for (int32_t j = 0; rc == 0 && j < k; j++) {
            char name[256];
            ferry_group_info *gi = NULL;
            fclient_copy(name, sizeof name, sg[j].group_name);
            for (int x = 0; x < count; x++)
                if (!strcmp(v[x].name, name))
                    gi = &v[x];
            if (!gi) {
                ferry_group_info *nv =
                    realloc(v, (size_t)(count + 1) * sizeof(*nv));
                if (!nv) {
                    rc = FERRY_ERR_NOMEM;
                    break;
                }
                v = nv;
                gi = &v[count++];
                memset(gi, 0, sizeof(*gi));
                memcpy(gi->name, name, sizeof gi->name);
                fclient_copy(gi->state, sizeof gi->state, sg[j].ferry_state);
            }
            if (!gi->protocol[0])
                fclient_copy(gi->protocol, sizeof gi->protocol,
                             sg[j].ferry_protocol);
            if (sg[j].ferry_members > 0)
                fclient_copy(gi->state, sizeof gi->state, sg[j].ferry_state);
            gi->members += sg[j].ferry_members;
        }
        wire_arena_release(&ar);
        fresp_release(&resp);
    }
    fclient_route_release(&r);
    if (rc != 0) {
        free(v);
        return rc;
    }
    if (count > 1)
        qsort(v, (size_t)count, sizeof(*v), cmp_group_info);
    *out = v;
    *n = count;
    return 0;
}

/* code with one ext (key=value) on every master of cluster; counts the
 * brokers that answered SUCCESS. */
static int on_masters(ferry_admin *a, const char *cluster, int32_t code,
                      const char *key, const char *value, int *done)
{
    fclient_route r;
    int rc;

    *done = 0;
    if ((rc = cluster_brokers(a, &r)) != 0)
        return rc;
    for (int i = 0; i < r.broker_count && rc == 0; i++) {
        const char *kv[] = {key, value, NULL};
        fresp resp;
        if (!r.brokers[i].addr[0] ||
            (cluster && strcmp(cluster, r.brokers[i].cluster) != 0))
            continue;
        rc = admin_call(a, r.brokers[i].addr, code, kv, NULL, 0, &resp);
        if (rc == FERRY_ERR_NOT_FOUND) {
            rc = 0;
            continue;
        }
        if (rc == 0) {
            (*done)++;
            fresp_release(&resp);
        }
    }
    fclient_route_release(&r);
    return rc;
}

int ferry_admin_delete_topic(ferry_admin *a, const char *cluster,
                             const char *topic)
{
    int rc, done;

    if (!a || !topic || !*topic)
        return FERRY_ERR_INVALID;
    rc = on_masters(a, cluster, REMOTING_REQ_DELETE_TOPIC_IN_BROKER, "topic",
                    topic, &done);
    if (rc != 0)
        return rc;
    /* and on every name server (the brokers re-register without it too) */
    for (int i = 0; i < a->c->namesrv_count; i++) {
        const char *kv[] = {"topic", topic, "clusterName", cluster, NULL};
        fresp resp;
        if (admin_call(a, a->c->namesrvs[i],
                       REMOTING_REQ_DELETE_TOPIC_IN_NAMESRV, kv, NULL, 0,
                       &resp) == 0)
            fresp_release(&resp);
    }
    fclient_clear_last();
    return done ? 0 : FERRY_ERR_NOT_FOUND;
}

int ferry_admin_delete_group(ferry_admin *a, const char *cluster,
                             const char *group)
{
    int rc, done;

    if (!a || !group || !*group)
        return FERRY_ERR_INVALID;
    rc = on_masters(a, cluster, REMOTING_REQ_DELETE_SUBSCRIPTIONGROUP,
                    "groupName", group, &done);
    if (rc != 0)
        return rc;
    return done ? 0 : FERRY_ERR_NOT_FOUND;
}

int ferry_admin_reset_offsets(ferry_admin *a, const char *group,
                              const char *topic, ferry_reset_to to,
                              int64_t value, int queue_id, int dry_run,
                              ferry_queue_offset **out, int *n)
{
    static const char *const modes[] = {"earliest", "latest", "timestamp",
                                        "offset"};
    fclient_route r;
    int rc, count = 0, any = 0;
    ferry_queue_offset *v = NULL;
    char ts[32], off[32], qid[16];

    if (!a || !group || !*group || !topic || !*topic || !out || !n ||
        (int)to < 0 || (int)to > 3 || value < 0)
        return FERRY_ERR_INVALID;
    *out = NULL;
    *n = 0;
    snprintf(ts, sizeof ts, "%lld",
             (long long)(to == FERRY_RESET_TIMESTAMP ? value : 0));
    snprintf(off, sizeof off, "%lld",
             (long long)(to == FERRY_RESET_OFFSET ? value : -1));
    snprintf(qid, sizeof qid, "%d", queue_id < 0 ? -1 : queue_id);
    if ((rc = fclient_route_get(a->c, topic, 1, &r)) != 0)
        return rc;
    for (int i = 0; i < r.broker_count && rc == 0; i++) {
        const char *kv[] = {"group",       group,
                            "topic",       topic,
                            "timestamp",   ts,
                            "isForce",     "true",
                            "queueId",     qid,
                            "offset",      off,
                            "ferryTo",     modes[to],
                            "ferryDryRun", dry_run ? "true" : "false",
                            NULL};
        fresp resp;
        wire_arena ar;
        remoting_queue_offset *qo;
        int32_t k;
        if (!r.brokers[i].addr[0])
            continue;
        rc = admin_call(a, r.brokers[i].addr,
                        REMOTING_REQ_INVOKE_BROKER_TO_RESET_OFFSET, kv, NULL,
                        0, &resp);
        if (rc == FERRY_ERR_NOT_FOUND) {
            rc = 0;
            continue;
        }
        if (rc != 0)
            break;
        any = 1;
        wire_arena_init(&ar, 0, 0);
        if (remoting_reset_offset_decode(resp.body.ptr, resp.body.len, &ar,
                                         &qo, &k) != 0) {
            rc = FERRY_ERR_PROTOCOL;
        } else if (k > 0) {
            ferry_queue_offset *nv =
                realloc(v, (size_t)(count + k) * sizeof(*nv));
            if (!nv) {
                rc = FERRY_ERR_NOMEM;
            } else {
                v = nv;
                for (int32_t j = 0; j < k; j++) {
                    ferry_queue_offset *q = &v[count++];
                    memset(q, 0, sizeof(*q));
                    fclient_copy(q->queue.topic, sizeof q->queue.topic,
                                 qo[j].mq.topic);
                    fclient_copy(q->queue.broker_name,
                                 sizeof q->queue.broker_name,
                                 qo[j].mq.broker_name);
                    q->queue.queue_id = qo[j].mq.queue_id;
                    q->offset = qo[j].offset;
                }
            }
        }
        wire_arena_release(&ar);
        fresp_release(&resp);
    }
    fclient_route_release(&r);
    if (rc == 0 && !any)
        rc = FERRY_ERR_NOT_FOUND;
    if (rc != 0) {
        free(v);
        return rc;
    }
    *out = v;
    *n = count;
    return 0;
}

int ferry_admin_pending_transactions(ferry_admin *a, ferry_pending_txn **out,
                                     int *n, int64_t *total)
{
    fclient_route r;
    int rc, count = 0;
    ferry_pending_txn *v = NULL;

    if (!a || !out || !n || !total)
        return FERRY_ERR_INVALID;
    *out = NULL;
    *n = 0;
    *total = 0;
    if ((rc = cluster_brokers(a, &r)) != 0)
        return rc;
    for (int i = 0; i < r.broker_count && rc == 0; i++) {
        fresp resp;
        wire_arena ar;
        remoting_pending_txn *pt;
        int32_t k;
        int64_t t;
        if (!r.brokers[i].addr[0])
            continue;
        rc = admin_call(a, r.brokers[i].addr,
                        REMOTING_REQ_FERRY_GET_PENDING_TXN, NULL, NULL, 0,
                        &resp);
        if (rc != 0)
            break;
        wire_arena_init(&ar, 0, 0);
        if (remoting_pending_txn_decode(resp.body.ptr, resp.body.len, &ar,
                                        &pt, &k, &t) != 0) {
            rc = FERRY_ERR_PROTOCOL;
        } else {
            *total += t;
            if (k > 0) {
                ferry_pending_txn *nv =
                    realloc(v, (size_t)(count + k) * sizeof(*nv));
                if (!nv) {
                    rc = FERRY_ERR_NOMEM;
                } else {
                    v = nv;
                    for (int32_t j = 0; j < k; j++) {
                        ferry_pending_txn *p = &v[count++];
                        memset(p, 0, sizeof(*p));
                        snprintf(p->broker_name, sizeof p->broker_name, "%s",
                                 r.brokers[i].name);
                        snprintf(p->broker_addr, sizeof p->broker_addr, "%s",
                                 r.brokers[i].addr);
                        fclient_copy(p->producer_group,
                                     sizeof p->producer_group,
                                     pt[j].producer_group);
                        p->queue_offset = pt[j].queue_offset;
                        p->commit_log_offset = pt[j].commit_log_offset;
                        p->first_timestamp_ms = pt[j].first_timestamp;
                        p->check_times = pt[j].check_times;
                    }
                }
            }
        }
        wire_arena_release(&ar);
        fresp_release(&resp);
    }
    fclient_route_release(&r);
    if (rc != 0) {
        free(v);
        return rc;
    }
    *out = v;
    *n = count;
    return 0;
}

int ferry_admin_dlq_resend(ferry_admin *a, const char *offset_msg_id,
                           ferry_send_result *r)
{
    remoting_host host;
    int64_t pos;
    char addr[128], off[32];
    fresp resp;
    buf_view v;
    int rc;

    if (!a || !offset_msg_id || !r)
        return FERRY_ERR_INVALID;
    memset(r, 0, sizeof(*r));
    if (remoting_offset_msgid_decode(offset_msg_id, strlen(offset_msg_id),
                                     &host, &pos) != 0 ||
        host.is_v6)
        return FERRY_ERR_INVALID;
    snprintf(addr, sizeof addr, "%u.%u.%u.%u:%d", host.ip[0], host.ip[1],
             host.ip[2], host.ip[3], (int)host.port);
    snprintf(off, sizeof off, "%lld", (long long)pos);
    const char *kv[] = {"offset", off, NULL};
    if ((rc = admin_call(a, addr, REMOTING_REQ_FERRY_DLQ_RESEND, kv, NULL, 0,
                         &resp)) != 0)
        return rc;
    r->status = FERRY_SEND_OK;
    if (remoting_ext_find(&resp.h, "msgId", &v))
        fclient_copy(r->msg_id, sizeof r->msg_id, v);
    if (remoting_ext_find(&resp.h, "offsetMsgId", &v))
        fclient_copy(r->offset_msg_id, sizeof r->offset_msg_id, v);
    if (remoting_ext_find(&resp.h, "topic", &v))
        fclient_copy(r->queue.topic, sizeof r->queue.topic, v);
    remoting_ext_get_i32(&resp.h, "queueId", &r->queue.queue_id);
    remoting_ext_get_i64(&resp.h, "queueOffset", &r->queue_offset);
    fresp_release(&resp);
    return 0;
}
