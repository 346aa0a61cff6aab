/*
 * namesrv.c - the RocketMQ name server over the remoting protocol (the
 * component behind ferry-namesrv and ferry-broker --standalone), on the
 * caller's libevent loop.  Each connection reads whole frames
 * (remoting_frame_check, then the frame), decodes the header with
 * wire/remoting.h, runs the code against the route table (route.c) and
 * answers in the request's header encoding (JSON or ROCKETMQ binary) with
 * the request's opaque.  Oneway requests get no answer.
 *
 * Codes served (ref rocketmq-remoting.md §2.2): REGISTER_BROKER,
 * UNREGISTER_BROKER, BROKER_HEARTBEAT, QUERY_DATA_VERSION,
 * GET_ROUTEINFO_BY_TOPIC, GET_BROKER_CLUSTER_INFO,
 * GET_ALL_TOPIC_LIST_FROM_NAMESERVER, GET_TOPICS_BY_CLUSTER,
 * DELETE_TOPIC_IN_NAMESRV, PUT/GET/DELETE_KV_CONFIG,
 * GET_KVLIST_BY_NAMESPACE.  Anything else: REQUEST_CODE_NOT_SUPPORTED.
 * A malformed frame closes its connection; nothing else is affected.
 * Brokers expire after brokerTimeoutMillis without a registration or
 * heartbeat, or at once when their connection closes.
 *
 * REGISTER_BROKER bodies, plain or compressed, are decoded by
 * wire/remoting_body.h (bounded before any JSON parsing).
 * TLS (cfg.tls_mode, cfg.tls_ctx): RocketMQ's permissive and enforcing
 * modes through tls_event.h's first-byte sniff; a connection is the same
 * ns_conn either way once its bufferevent exists.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <zlib.h>

#include "log.h"
#include "namesrv.h"
#include "remoting.h"
#include "remoting_body.h"
#include "route.h"
#include "tls.h"
#include "tls_event.h"

typedef struct ns_conn ns_conn;

struct namesrv {
    ns_conn *conns; /* open connections, freed at shutdown */
    struct event_base *base;
    route_table *rt;
    namesrv_config cfg;
    uint64_t next_conn_id;
    struct event *expire_ev;
    struct evconnlistener *listener;
    tls_sniff *sniff; /* NULL when TLS is disabled */
};

struct ns_conn {
    ns_conn *prev, *next;
    namesrv *ns;
    struct bufferevent *bev;
    uint64_t id;
    char peer[64];
    wire_arena arena;
};

static int64_t ns_now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* A NUL-terminated copy of an extField (in the arena), or NULL. */
static const char *ext_str(ns_conn *c, const remoting_header *h,
                           const char *key)
{
    buf_view v;
    if (!remoting_ext_find(h, key, &v))
        return NULL;
    char *s = wire_arena_alloc(&c->arena, v.len + 1);
    if (!s)
        return NULL;
    if (v.len)
        memcpy(s, v.ptr, v.len);
    return s;
}

/* Sends a response frame (body may be NULL). */
static void ns_reply(ns_conn *c, const remoting_header *req, int32_t code,
                     const char *remark, remoting_header *resp,
                     const char *body, size_t body_len)
{
    if (req->flag & REMOTING_FLAG_ONEWAY)
        return;
    remoting_header h;
    if (resp)
        h = *resp;
    else
        memset(&h, 0, sizeof h);
    h.code = code;
    h.language = REMOTING_LANG_CPP;
    h.version = REMOTING_VERSION_CURRENT;
    h.opaque = req->opaque;
    h.flag = REMOTING_FLAG_RESPONSE;
    h.remark = remark ? remoting_view(remark) : (buf_view){NULL, 0, 1};
    buf_writer w;
    buf_writer_init(&w, 256 + body_len, 0);
    if (remoting_frame_encode(&w, &h, req->serialize_type, body, body_len) ==
            0 &&
        !w.err)
        bufferevent_write(c->bev, w.p, w.len);
    else
        log_error("namesrv", c->peer, "cannot encode the reply to code %d",
                  req->code);
    buf_writer_release(&w);
}

/* ---- REGISTER_BROKER ---------------------------------------------- */

static void ns_register(ns_conn *c, const remoting_header *req, buf_view body)
{
    namesrv *ns = c->ns;
    route_register reg;
    memset(&reg, 0, sizeof reg);
    reg.broker_name = ext_str(c, req, "brokerName");
    reg.broker_addr = ext_str(c, req, "brokerAddr");
    reg.cluster = ext_str(c, req, "clusterName");
    reg.ha_addr = ext_str(c, req, "haServerAddr");
    reg.conn_id = c->id;
    if (remoting_ext_get_i64(req, "brokerId", &reg.broker_id) != 0 ||
        !reg.broker_name || !reg.broker_addr || !reg.cluster) {
        ns_reply(c, req, REMOTING_RESP_SYSTEM_ERROR,
                 "brokerName, brokerAddr, clusterName and brokerId are "
                 "required",
                 NULL, NULL, 0);
        return;
    }
    int64_t to = 0;
    if (remoting_ext_get_i64(req, "heartbeatTimeoutMillis", &to) == 0)
        reg.timeout_ms = to;
    int compressed = 0;
    remoting_ext_get_bool(req, "compressed", &compressed);
    int32_t crc = 0;
    if (remoting_ext_get_i32(req, "bodyCrc32", &crc) == 0 && crc != 0) {
        uLong k = crc32(0L, body.ptr, (uInt)body.len) & 0x7fffffff;
        if ((int32_t)k != crc) {
            ns_reply(c, req, REMOTING_RESP_SYSTEM_ERROR, "crc32 not match",
                     NULL, NULL, 0);
            return;
        }
    }
    remoting_register_broker_body rb;
    memset(&rb, 0, sizeof rb);
    int drc = 0;
    if (compressed)
        drc = remoting_register_broker_body_decode_compressed(
            body.ptr, body.len, 0, &c->arena, &rb);
    else if (body.len)
        drc = remoting_register_broker_body_decode(body.ptr, body.len,
                                                   &c->arena, &rb);
    if (drc != 0) {
        log_warn("namesrv", c->peer, "bad register body (%d bytes%s)",
                 (int)body.len, compressed ? ", compressed" : "");
        ns_reply(c, req, REMOTING_RESP_SYSTEM_ERROR,
                 "register broker failed: malformed body", NULL, NULL, 0);
        return;
    }
    reg.version.counter = rb.wrapper.data_version.counter;
    reg.version.timestamp = rb.wrapper.data_version.timestamp;
    reg.version.state_version = rb.wrapper.data_version.state_version;
    int32_t n = rb.wrapper.topic_count > 0 ? rb.wrapper.topic_count : 0;
    route_queue_data *qs =
        wire_arena_calloc(&c->arena, (size_t)(n ? n : 1), sizeof *qs);
    int nq = 0;
    for (int32_t i = 0; qs && i < n; i++) {
        const remoting_topic_config *tc = &rb.wrapper.topics[i];
        char *name = wire_arena_alloc(&c->arena, tc->topic_name.len + 1);
        if (!name)
            break;
        if (tc->topic_name.len)
            memcpy(name, tc->topic_name.ptr, tc->topic_name.len);
        qs[nq].topic = name;
        qs[nq].read_queues = tc->read_queue_nums;
        qs[nq].write_queues = tc->write_queue_nums;
        qs[nq].perm = tc->perm;
        qs[nq].topic_sys_flag = tc->topic_sys_flag;
        nq++;
    }
    reg.topics = qs;
    reg.n_topics = nq;
    const char *master = "";
    int rc = route_register_broker(ns->rt, &reg, ns_now_ms(), &master);
    if (rc != 0) {
        ns_reply(c, req, REMOTING_RESP_SYSTEM_ERROR, "register broker failed",
                 NULL, NULL, 0);
        return;
    }
    log_info("namesrv", c->peer,
             "broker %s (%s, id %lld, cluster %s) registered %d topics",
             reg.broker_name, reg.broker_addr, (long long)reg.broker_id,
             reg.cluster, nq);
    remoting_header resp;
    memset(&resp, 0, sizeof resp);
    remoting_ext_add_str(&resp, &c->arena, "haServerAddr",
                         reg.ha_addr ? reg.ha_addr : "");
    remoting_ext_add_str(&resp, &c->arena, "masterAddr", master);
    char *kv = route_kv_list_json(ns->rt, "ORDER_TOPIC_CONFIG");
    ns_reply(c, req, REMOTING_RESP_SUCCESS, NULL, &resp, kv,
             kv ? strlen(kv) : 0);
    free(kv);
}

/* ---- dispatch ------------------------------------------------------ */

static void ns_handle(ns_conn *c, const remoting_header *req, buf_view body)
{
    namesrv *ns = c->ns;
    if (req->flag & REMOTING_FLAG_RESPONSE)
        return; /* we send no requests; ignore stray responses */
    char *json = NULL;
    switch (req->code) {
    case REMOTING_REQ_REGISTER_BROKER:
        ns_register(c, req, body);
        return;
    case REMOTING_REQ_UNREGISTER_BROKER: {
        const char *addr = ext_str(c, req, "brokerAddr");
        int64_t id = 0;
        remoting_ext_get_i64(req, "brokerId", &id);
        if (addr && route_unregister_broker(ns->rt,
                                            ext_str(c, req, "clusterName"),
                                            ext_str(c, req, "brokerName"),
                                            addr, id))
            log_info("namesrv", c->peer, "broker %s unregistered", addr);
        ns_reply(c, req, REMOTING_RESP_SUCCESS, NULL, NULL, NULL, 0);
        return;
    }
    case REMOTING_REQ_BROKER_HEARTBEAT: {
        const char *addr = ext_str(c, req, "brokerAddr");
        if (addr)
            route_touch(ns->rt, addr, ns_now_ms(), NULL);
        ns_reply(c, req, REMOTING_RESP_SUCCESS, NULL, NULL, NULL, 0);
        return;
    }
    case REMOTING_REQ_QUERY_DATA_VERSION: {
        const char *addr = ext_str(c, req, "brokerAddr");
        route_data_version v = {0, 0, 0};
        int known = addr && route_touch(ns->rt, addr, ns_now_ms(), &v);
        int changed = 1;
        json_t *sent = body.len ? json_loadb((const char *)body.ptr,
                                             body.len, 0, NULL)
                                : NULL;
        if (known && sent &&
            json_integer_value(json_object_get(sent, "counter")) ==
                v.counter &&
            json_integer_value(json_object_get(sent, "timestamp")) ==
                v.timestamp &&
            json_integer_value(json_object_get(sent, "stateVersion")) ==
                v.state_version)
            changed = 0;
        json_decref(sent);
        remoting_header resp;
        memset(&resp, 0, sizeof resp);
        remoting_ext_add_str(&resp, &c->arena, "changed",
                             changed ? "true" : "false");
        json_t *vj = json_pack("{s:I,s:I,s:I}", "counter",
                               (json_int_t)v.counter, "stateVersion",
                               (json_int_t)v.state_version, "timestamp",
                               (json_int_t)v.timestamp);
        json = json_dumps(vj, JSON_COMPACT | JSON_SORT_KEYS);
        json_decref(vj);
        ns_reply(c, req, REMOTING_RESP_SUCCESS, NULL, &resp, json,
                 json ? strlen(json) : 0);
        free(json);
        return;
    }
    case REMOTING_REQ_GET_ROUTEINFO_BY_TOPIC: {
        const char *topic = ext_str(c, req, "topic");
        json = topic ? route_topic_route_json(ns->rt, topic) : NULL;
        if (!json) {
            char remark[512];
            snprintf(remark, sizeof remark,
                     "No topic route info in name server for the topic: %s",
                     topic ? topic : "");
            ns_reply(c, req, REMOTING_RESP_TOPIC_NOT_EXIST, remark, NULL,
                     NULL, 0);
            return;
        }
        break;
    }
    case REMOTING_REQ_GET_BROKER_CLUSTER_INFO:
        json = route_cluster_info_json(ns->rt);
        break;
    case REMOTING_REQ_GET_ALL_TOPIC_LIST_FROM_NAMESERVER:
        json = route_topic_list_json(ns->rt, NULL);
        break;
    case REMOTING_REQ_GET_TOPICS_BY_CLUSTER:
        json = route_topic_list_json(ns->rt, ext_str(c, req, "cluster"));
        break;
    case REMOTING_REQ_DELETE_TOPIC_IN_NAMESRV: {
        const char *topic = ext_str(c, req, "topic");
        if (topic)
            route_delete_topic(ns->rt, topic,
                               ext_str(c, req, "clusterName"));
        ns_reply(c, req, REMOTING_RESP_SUCCESS, NULL, NULL, NULL, 0);
        return;
    }
    case REMOTING_REQ_PUT_KV_CONFIG: {
        const char *nsn = ext_str(c, req, "namespace");
        const char *key = ext_str(c, req, "key");
        const char *val = ext_str(c, req, "value");
        if (!nsn || !key) {
            ns_reply(c, req, REMOTING_RESP_SYSTEM_ERROR,
                     "namespace and key are required", NULL, NULL, 0);
            return;
        }
        route_kv_put(ns->rt, nsn, key, val ? val : "");
        ns_reply(c, req, REMOTING_RESP_SUCCESS, NULL, NULL, NULL, 0);
        return;
    }
    case REMOTING_REQ_GET_KV_CONFIG: {
        const char *nsn = ext_str(c, req, "namespace");
        const char *key = ext_str(c, req, "key");
        const char *val =
            nsn && key ? route_kv_get(ns->rt, nsn, key) : NULL;
        if (!val) {
            char remark[512];
            snprintf(remark, sizeof remark, "No config item, Namespace: %s "
                                            "Key: %s",
                     nsn ? nsn : "", key ? key : "");
            ns_reply(c, req, REMOTING_RESP_QUERY_NOT_FOUND, remark, NULL,
                     NULL, 0);
            return;
        }
        remoting_header resp;
        memset(&resp, 0, sizeof resp);
        remoting_ext_add_str(&resp, &c->arena, "value", val);
        ns_reply(c, req, REMOTING_RESP_SUCCESS, NULL, &resp, NULL, 0);
        return;
    }
    case REMOTING_REQ_DELETE_KV_CONFIG: {
        const char *nsn = ext_str(c, req, "namespace");
        const char *key = ext_str(c, req, "key");
        if (nsn && key)
            route_kv_delete(ns->rt, nsn, key);
        ns_reply(c, req, REMOTING_RESP_SUCCESS, NULL, NULL, NULL, 0);
        return;
    }
    case REMOTING_REQ_GET_KVLIST_BY_NAMESPACE: {
        const char *nsn = ext_str(c, req, "namespace");
        json = nsn ? route_kv_list_json(ns->rt, nsn) : NULL;
        if (!json) {
            ns_reply(c, req, REMOTING_RESP_QUERY_NOT_FOUND,
                     "namespace has no config", NULL, NULL, 0);
            return;
        }
        break;
    }
    default: {
        char remark[128];
        const char *name = remoting_request_code_name(req->code);
        snprintf(remark, sizeof remark, "request type %d (%s) not supported",
                 req->code, name ? name : "unknown");
        log_debug("namesrv", c->peer, "%s", remark);
        ns_reply(c, req, REMOTING_RESP_REQUEST_CODE_NOT_SUPPORTED, remark,
                 NULL, NULL, 0);
        return;
    }
    }
    ns_reply(c, req, json ? REMOTING_RESP_SUCCESS : REMOTING_RESP_SYSTEM_ERROR,
             json ? NULL : "out of memory", NULL, json, json ? strlen(json) : 0);
    free(json);
}

/* ---- connections --------------------------------------------------- */

static void ns_conn_free(ns_conn *c)
{
    int n = route_connection_closed(c->ns->rt, c->id);
    if (n)
        log_info("namesrv", c->peer,
                 "connection closed: %d broker address(es) removed", n);
    if (c->prev)
        c->prev->next = c->next;
    else
        c->ns->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    bufferevent_free(c->bev);
    wire_arena_release(&c->arena);
    free(c);
}

static void ns_read_cb(struct bufferevent *bev, void *arg)
{
    ns_conn *c = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    for (;;) {
        uint8_t hdr[8];
        if (evbuffer_copyout(in, hdr, 8) < 8)
            return;
        size_t hl, bl;
        if (remoting_frame_check(hdr, c->ns->cfg.max_frame, &hl, &bl) != 0) {
            char sample[64];
            log_sanitize(sample, sizeof sample, hdr, 8);
            log_warn("namesrv", c->peer,
                     "bad frame prefix; closing connection (first bytes: %s)",
                     sample);
            ns_conn_free(c);
            return;
        }
        size_t total = 8 + hl + bl;
        if (evbuffer_get_length(in) < total)
            return;
        const uint8_t *frame = evbuffer_pullup(in, (ev_ssize_t)total);
        if (!frame) {
            ns_conn_free(c);
            return;
        }
        remoting_header h;
        buf_view body;
        wire_arena_reset(&c->arena);
        int rc = remoting_frame_decode(frame, total, c->ns->cfg.max_frame,
                                       &c->arena, &h, &body);
        if (rc != 0) {
            char sample[96];
            log_sanitize(sample, sizeof sample, frame, total < 48 ? total : 48);
            log_warn("namesrv", c->peer,
                     "malformed request; closing connection (%s)", sample);
            ns_conn_free(c);
            return;
        }
        ns_handle(c, &h, body);
        evbuffer_drain(in, total);
    }
}

static void ns_event_cb(struct bufferevent *bev, short what, void *arg)
{
    ns_conn *c = arg;
    if (what & BEV_EVENT_CONNECTED) {
        /* only TLS server connections report this: handshake done */
        char d[384];
        log_info("namesrv", c->peer, "TLS connection: %s",
                 tls_bev_describe(bev, d, sizeof d));
        return;
    }
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        if ((what & BEV_EVENT_ERROR) && tls_bev_is_tls(bev)) {
            char e[512];
            log_info("namesrv", c->peer, "TLS: %s",
                     tls_bev_error(bev, e, sizeof e));
        }
        ns_conn_free(c);
    }
}

static void ns_peer_text(const struct sockaddr *sa, char *out, size_t len)
{
    char host[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        port = ntohs(in->sin_port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        port = ntohs(in6->sin6_port);
    }
    snprintf(out, len, "%s:%d", host, port);
}

/* A connection whose bufferevent exists (plain, or TLS mid-handshake). */
static void ns_conn_open(namesrv *ns, struct bufferevent *bev,
                         const struct sockaddr *sa)
{
    ns_conn *c = calloc(1, sizeof *c);
    if (!c) {
        bufferevent_free(bev);
        return;
    }
    c->ns = ns;
    c->id = ++ns->next_conn_id;
    wire_arena_init(&c->arena, 8192, 32u << 20);
    ns_peer_text(sa, c->peer, sizeof c->peer);
    c->bev = bev;
    bufferevent_setcb(c->bev, ns_read_cb, NULL, ns_event_cb, c);
    c->next = ns->conns;
    if (ns->conns)
        ns->conns->prev = c;
    ns->conns = c;
    bufferevent_setwatermark(c->bev, EV_READ, 0, ns->cfg.max_frame + 8);
    bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

static void ns_sniff_cb(void *arg, struct bufferevent *bev, int is_tls,
                        const struct sockaddr *sa, int salen,
                        const char *why)
{
    namesrv *ns = arg;
    (void)is_tls;
    (void)salen;
    if (!bev) {
        char peer[64];
        ns_peer_text(sa, peer, sizeof peer);
        /* plain in enforcing mode is worth a warning (RocketMQ warns);
         * connect-and-close (health checks, scanners) is not */
        if (strstr(why, "refused"))
            log_warn("namesrv", peer, "connection closed: %s", why);
        else
            log_debug("namesrv", peer, "connection closed: %s", why);
        return;
    }
    ns_conn_open(ns, bev, sa);
}

static void ns_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
                         struct sockaddr *sa, int salen, void *arg)
{
    namesrv *ns = arg;
    (void)l;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (ns->sniff) {
        tls_sniff_accept(ns->sniff, fd, sa, salen);
        return;
    }
    struct bufferevent *bev =
        bufferevent_socket_new(ns->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (!bev) {
        evutil_closesocket(fd);
        return;
    }
    ns_conn_open(ns, bev, sa);
}

static void ns_expire_cb(evutil_socket_t fd, short what, void *arg)
{
    namesrv *ns = arg;
    (void)fd;
    (void)what;
    int n = route_expire(ns->rt, ns_now_ms());
    if (n)
        log_info("namesrv", NULL, "%d broker address(es) expired", n);
}

void namesrv_config_defaults(namesrv_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    snprintf(cfg->bind, sizeof cfg->bind, "0.0.0.0");
    cfg->port = 9876;
    cfg->broker_timeout_ms = 120000;
    cfg->max_frame = REMOTING_DEFAULT_MAX_FRAME;
}

namesrv *namesrv_start(struct event_base *base, const namesrv_config *cfg,
                       char *err, size_t errlen)
{
    namesrv *ns = calloc(1, sizeof *ns);
    if (!ns) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    ns->cfg = *cfg;
    ns->base = base;
    ns->rt = route_new(cfg->broker_timeout_ms);
    if (!ns->rt) {
        snprintf(err, errlen, "out of memory");
        free(ns);
        return NULL;
    }
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t sl;
    struct sockaddr_in *in = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, cfg->bind, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)cfg->port);
        sl = sizeof *in;
    } else if (inet_pton(AF_INET6, cfg->bind, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)cfg->port);
        sl = sizeof *in6;
    } else {
        snprintf(err, errlen, "name server address '%s' is not an IP",
                 cfg->bind);
        namesrv_stop(ns);
        return NULL;
    }
    if (cfg->tls_mode != TLS_MODE_DISABLED) {
        if (!cfg->tls_ctx) {
            snprintf(err, errlen,
                     "name server: tls.server.mode=%s needs a certificate",
                     tls_mode_name(cfg->tls_mode));
            namesrv_stop(ns);
            return NULL;
        }
        /* RocketMQ closes channels idle for 120 s; so does the sniff */
        ns->sniff = tls_sniff_new(base, cfg->tls_ctx, cfg->tls_mode, 120,
                                  ns_sniff_cb, ns);
        if (!ns->sniff) {
            snprintf(err, errlen, "out of memory");
            namesrv_stop(ns);
            return NULL;
        }
    }
    ns->listener = evconnlistener_new_bind(
        base, ns_accept_cb, ns, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE,
        128, (struct sockaddr *)&ss, (int)sl);
    if (!ns->listener) {
        snprintf(err, errlen, "name server cannot listen on %s:%d: %s",
                 cfg->bind, cfg->port, strerror(errno));
        namesrv_stop(ns);
        return NULL;
    }
    ns->expire_ev = event_new(base, -1, EV_PERSIST, ns_expire_cb, ns);
    struct timeval five = {5, 0};
    if (ns->expire_ev)
        event_add(ns->expire_ev, &five);
    log_info("namesrv", NULL, "name server listening on %s:%d (TLS %s)",
             cfg->bind, cfg->port, tls_mode_name(cfg->tls_mode));
    return ns;
}

int namesrv_register_local(namesrv *ns, const route_register *reg)
{
    return route_register_broker(ns->rt, reg, ns_now_ms(), NULL);
}

int namesrv_delete_topic_local(namesrv *ns, const char *topic,
                               const char *cluster)
{
    return route_delete_topic(ns->rt, topic, cluster);
}

void namesrv_stop(namesrv *ns)
{
    if (!ns)
        return;
    if (ns->listener)
        evconnlistener_free(ns->listener);
    while (ns->conns)
        ns_conn_free(ns->conns);
    tls_sniff_free(ns->sniff);
    if (ns->expire_ev)
        event_free(ns->expire_ev);
    route_free(ns->rt);
    free(ns);
}
