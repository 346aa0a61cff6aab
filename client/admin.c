/*
 * admin.c - what ferryctl needs: topics (create, list, route), clusters,
 * offsets, consumer groups, messages by id or key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_int.h"
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
