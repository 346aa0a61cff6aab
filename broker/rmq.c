/*
 * rmq.c - the broker's RocketMQ face: the remoting listener (listenPort,
 * 10911, and the old "VIP" port listenPort - 2) over the same topics,
 * queues, offsets and CommitLog as the Kafka face.
 *
 * Codes served: SEND_MESSAGE (v1 and v2 headers), SEND_BATCH_MESSAGE
 * (each message of the batch body one record, consecutive offsets),
 * PULL_MESSAGE and
 * LITE_PULL_MESSAGE (tag filtering, long polling), QUERY_CONSUMER_OFFSET,
 * UPDATE_CONSUMER_OFFSET, GET_MAX_OFFSET, GET_MIN_OFFSET,
 * SEARCH_OFFSET_BY_TIMESTAMP, GET_EARLIEST_MSG_STORETIME, HEART_BEAT,
 * UNREGISTER_CLIENT, GET_CONSUMER_LIST_BY_GROUP, VIEW_MESSAGE_BY_ID
 * (offsetMsgId), QUERY_MESSAGE (by key, through the index),
 * LOCK_BATCH_MQ / UNLOCK_BATCH_MQ (60 s expiry) for orderly consumers,
 * UPDATE_AND_CREATE_TOPIC, GET_ALL_TOPIC_CONFIG, GET_BROKER_RUNTIME_INFO,
 * END_TRANSACTION (rmq_txn.c: half messages, op log, check-back with
 * CHECK_TRANSACTION_STATE); the broker sends
 * NOTIFY_CONSUMER_IDS_CHANGED to a group's members when its membership
 * changes.  Anything else: REQUEST_CODE_NOT_SUPPORTED, so a client knows.
 *
 * How the two worlds meet in the store:
 *   - a RocketMQ send is one MESSAGE record (properties, body, flags,
 *     hosts as sent); its tag hash and KEYS/UNIQ_KEY index keys go to the
 *     ConsumeQueue entry and the index;
 *   - a pull returns every message in RocketMQ's stored-record layout
 *     (wire/remoting_message.h), built from the store record; a message
 *     inside a Kafka batch is cut out of the (decompressed) batch, its
 *     headers becoming properties, so a RocketMQ consumer reads Kafka
 *     producers' messages at the same offsets;
 *   - consumer offsets are the one offset store the Kafka groups use.
 *
 * Delay levels and delivery times are parked by rmq_schedule.c;
 * CONSUMER_SEND_MSG_BACK and the %RETRY%/%DLQ% rules are rmq_retry.c;
 * transactional (half) messages are rmq_txn.c.
 * Not yet (issue #4/#5): query by time range, most admin codes.
 *
 * TLS (rmq_tls.h): with tls.server.mode permissive or enforcing, both
 * ports hand each new socket to a tls_sniff (tls_event.h), which peeks at
 * the first byte as RocketMQ does (0x16: TLS) and gives back a TLS or
 * plain bufferevent; rmq_conn_open makes the rconn either way.  With
 * tls.enable the name server links are TLS too.
 *
 * Registration: with the embedded name server of --standalone (in-process)
 * and with every name server of namesrvAddr over TCP (REGISTER_BROKER with
 * a RegisterBrokerBody), at start, on every topic change and every 30 s;
 * a lost connection is re-established on the next tick.
 * @locality: event loop thread.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "kafka_int.h"
#include "dynconf.h"
#include "log.h"
#include "metrics.h"
#include "namesrv.h"
#include "remoting.h"
#include "remoting_body.h"
#include "remoting_message.h"
#include "rmq.h"
#include "rmq_admin.h"
#include "rmq_int.h"
#include "rmq_retry.h"
#include "rmq_schedule.h"
#include "rmq_txn.h"
#include "route.h"
#include "rmq_tls.h"
#include "tls.h"
#include "tls_event.h"

#define RMQ_MAX_PULL_MSGS  64
#define RMQ_MAX_PULL_BYTES (256 * 1024)
#define RMQ_CLIENT_EXPIRE_MS 120000

rmq *rmq_state;
#define R rmq_state

/* First-byte sniff of both remoting ports; NULL when TLS is disabled. */
static tls_sniff *rmq_sniff;


int64_t rmq_now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

rconn *rmq_conn_find(uint64_t id)
{
    for (rconn *c = R->conns; c; c = c->next)
        if (c->id == id)
            return c;
    return NULL;
}

/* ------------------------------------------------------------------ */
/* replies                                                             */
/* ------------------------------------------------------------------ */

void rmq_reply_init(rreply *rp, rconn *c)
{
    memset(rp, 0, sizeof *rp);
    rp->a = &c->arena;
}

void rmq_reply_ext(rreply *rp, const char *key, const char *v)
{
    remoting_ext_add_str(&rp->h, rp->a, key, v);
}

void rmq_reply_ext_i64(rreply *rp, const char *key, int64_t v)
{
    remoting_ext_add_i64(&rp->h, rp->a, key, v);
}

/* Encodes a reply frame for req into w. */
int rmq_reply_encode(buf_writer *w, const remoting_header *req,
                     rreply *rp, int32_t code, const char *remark,
                        const void *body, size_t body_len)
{
    remoting_header h;
    if (rp)
        h = rp->h;
    else
        memset(&h, 0, sizeof h);
    h.code = code;
    h.language = REMOTING_LANG_CPP;
    h.version = REMOTING_VERSION_CURRENT;
    h.opaque = req->opaque;
    h.flag = REMOTING_FLAG_RESPONSE;
    h.remark = remark ? remoting_view(remark) : (buf_view){NULL, 0, 1};
    return remoting_frame_encode(w, &h, req->serialize_type, body, body_len);
}

void rmq_reply(rconn *c, const remoting_header *req, rreply *rp,
               int32_t code, const char *remark, const void *body,
               size_t body_len)
{
    c->m_reply_code = code;
    c->m_replied = 1;
    if (req->flag & REMOTING_FLAG_ONEWAY)
        return;
    buf_writer w;
    buf_writer_init(&w, 256 + body_len, 0);
    if (rmq_reply_encode(&w, req, rp, code, remark, body, body_len) == 0 &&
        !w.err)
        bufferevent_write(c->bev, w.p, w.len);
    else
        log_error("rmq", c->peer, "cannot encode the reply to code %d",
                  req->code);
    buf_writer_release(&w);
}

const char *rmq_ext_str(rconn *c, const remoting_header *h,
                           const char *key)
{
    buf_view v;
    if (!remoting_ext_find(h, key, &v))
        return NULL;
    char *s = wire_arena_alloc(&c->arena, v.len + 1);
    if (s && v.len)
        memcpy(s, v.ptr, v.len);
    return s;
}

/* The first of two spellings (V2 one-letter key, V1 name). */
const char *rmq_ext_str2(rconn *c, const remoting_header *h,
                            const char *k2, const char *k1)
{
    const char *s = rmq_ext_str(c, h, k2);
    return s ? s : rmq_ext_str(c, h, k1);
}

int rmq_ext_i64_2(const remoting_header *h, const char *k2,
                     const char *k1, int64_t *out)
{
    int rc = remoting_ext_get_i64(h, k2, out);
    if (rc == REMOTING_EMISSING)
        rc = remoting_ext_get_i64(h, k1, out);
    return rc;
}

int rmq_ext_i32_2(const remoting_header *h, const char *k2,
                     const char *k1, int32_t *out)
{
    int rc = remoting_ext_get_i32(h, k2, out);
    if (rc == REMOTING_EMISSING)
        rc = remoting_ext_get_i32(h, k1, out);
    return rc;
}

/* ------------------------------------------------------------------ */
/* hosts                                                               */
/* ------------------------------------------------------------------ */

void rmq_host_from_sockaddr(const struct sockaddr *sa, remoting_host *h)
{
    memset(h, 0, sizeof *h);
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        memcpy(h->ip, &in->sin_addr, 4);
        h->port = ntohs(in->sin_port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        const uint8_t *a = in6->sin6_addr.s6_addr;
        static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0,
                                             0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(a, v4mapped, 12) == 0) {
            memcpy(h->ip, a + 12, 4); /* clients assume IPv4 hosts */
        } else {
            memcpy(h->ip, a, 16);
            h->is_v6 = 1;
        }
        h->port = ntohs(in6->sin6_port);
    }
}

void rmq_host_to_store(const remoting_host *h, store_host *s)
{
    memset(s, 0, sizeof *s);
    if (h->is_v6) {
        memcpy(s->addr, h->ip, 16);
    } else {
        s->addr[10] = s->addr[11] = 0xff;
        memcpy(s->addr + 12, h->ip, 4);
    }
    s->port = (uint32_t)h->port;
}

void rmq_host_from_store(const store_host *s, remoting_host *h)
{
    static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0,
                                         0, 0, 0, 0, 0xff, 0xff};
    static const uint8_t zero[12];
    memset(h, 0, sizeof *h);
    if (memcmp(s->addr, v4mapped, 12) == 0 || memcmp(s->addr, zero, 12) == 0)
        memcpy(h->ip, s->addr + 12, 4);
    else {
        memcpy(h->ip, s->addr, 16);
        h->is_v6 = 1;
    }
    h->port = (int32_t)s->port;
}

/* ------------------------------------------------------------------ */
/* registration with the (embedded) name server                        */
/* ------------------------------------------------------------------ */

static void ns_link_read_cb(struct bufferevent *bev, void *arg)
{
    ns_link *l = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    for (;;) {
        uint8_t hdr[8];
        if (evbuffer_copyout(in, hdr, 8) < 8)
            return;
        size_t hl, bl;
        if (remoting_frame_check(hdr, REMOTING_DEFAULT_MAX_FRAME, &hl, &bl) !=
            0) {
            log_warn("rmq", l->addr, "bad frame from name server; "
                                     "reconnecting");
            bufferevent_free(l->bev);
            l->bev = NULL;
            return;
        }
        size_t total = 8 + hl + bl;
        if (evbuffer_get_length(in) < total)
            return;
        const uint8_t *f = evbuffer_pullup(in, (ev_ssize_t)total);
        wire_arena a;
        wire_arena_init(&a, 1024, 1u << 20);
        remoting_header h;
        buf_view body;
        if (f && remoting_frame_decode(f, total, REMOTING_DEFAULT_MAX_FRAME,
                                       &a, &h, &body) == 0 &&
            h.code != REMOTING_RESP_SUCCESS)
            log_warn("rmq", l->addr, "name server refused registration: %d "
                                     "%.*s",
                     h.code, (int)h.remark.len,
                     h.remark.ptr ? (const char *)h.remark.ptr : "");
        wire_arena_release(&a);
        evbuffer_drain(in, total);
    }
}

static void ns_link_event_cb(struct bufferevent *bev, short what, void *arg)
{
    ns_link *l = arg;
    if (what & BEV_EVENT_CONNECTED) {
        log_info("rmq", l->addr, "connected to name server%s",
                 tls_bev_is_tls(bev) ? " over TLS" : "");
        return;
    }
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        if ((what & BEV_EVENT_ERROR) && tls_bev_is_tls(bev)) {
            char e[512];
            log_warn("rmq", l->addr, "name server TLS: %s",
                     tls_bev_error(bev, e, sizeof e));
        }
        log_warn("rmq", l->addr, "name server connection lost; will retry");
        bufferevent_free(l->bev);
        l->bev = NULL;
        R->last_register_ms = 0; /* re-register on the next tick */
    }
}

/* A new, unconnected bufferevent for a name server link: TLS (verifying
 * the server's certificate against host) with tls.enable, else plain. */
static struct bufferevent *ns_link_bufferevent(broker *b, const char *host)
{
    SSL_CTX *ctx = rmq_tls_client_ctx();
    if (!ctx)
        return bufferevent_socket_new(b->base, -1, BEV_OPT_CLOSE_ON_FREE);
    SSL *ssl = SSL_new(ctx);
    if (!ssl || tls_client_set_host(ssl, host) != TLS_OK) {
        SSL_free(ssl);
        return NULL;
    }
    tls_ssl_quiet_eof(ssl);
    struct bufferevent *bev = bufferevent_openssl_socket_new(
        b->base, -1, ssl, BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
    if (!bev)
        SSL_free(ssl);
    else
        bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
    return bev;
}

/* Sends REGISTER_BROKER to one remote name server (connecting first). */
static void ns_link_register(ns_link *l, const uint8_t *body, size_t len)
{
    broker *b = R->b;
    if (!l->bev) {
        char host[128];
        snprintf(host, sizeof host, "%s", l->addr);
        char *colon = strrchr(host, ':');
        if (!colon)
            return;
        *colon = '\0';
        struct sockaddr_in sin;
        memset(&sin, 0, sizeof sin);
        sin.sin_family = AF_INET;
        sin.sin_port = htons((uint16_t)atoi(colon + 1));
        if (inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
            log_warn("rmq", l->addr, "namesrvAddr must be IPv4 host:port");
            return;
        }
        l->bev = ns_link_bufferevent(b, host);
        if (!l->bev)
            return;
        bufferevent_setcb(l->bev, ns_link_read_cb, NULL, ns_link_event_cb,
                          l);
        bufferevent_enable(l->bev, EV_READ | EV_WRITE);
        if (bufferevent_socket_connect(l->bev, (struct sockaddr *)&sin,
                                       sizeof sin) != 0) {
            bufferevent_free(l->bev);
            l->bev = NULL;
            return;
        }
    }
    wire_arena a;
    wire_arena_init(&a, 2048, 1u << 20);
    remoting_header h;
    memset(&h, 0, sizeof h);
    h.code = REMOTING_REQ_REGISTER_BROKER;
    h.language = REMOTING_LANG_CPP;
    h.version = REMOTING_VERSION_CURRENT;
    h.opaque = ++l->opaque;
    h.remark.is_null = 1;
    remoting_ext_add_str(&h, &a, "brokerName", b->cfg->broker_name);
    remoting_ext_add_str(&h, &a, "brokerAddr", R->broker_addr);
    remoting_ext_add_str(&h, &a, "clusterName", b->cfg->cluster_name);
    remoting_ext_add_str(&h, &a, "haServerAddr", "");
    remoting_ext_add_i64(&h, &a, "brokerId", 0);
    remoting_ext_add_str(&h, &a, "compressed", "false");
    remoting_ext_add_i64(&h, &a, "bodyCrc32",
                         remoting_body_crc(body, len));
    buf_writer w;
    buf_writer_init(&w, 256 + len, 0);
    if (remoting_frame_encode(&w, &h, REMOTING_SERIALIZE_JSON, body, len) ==
            0 &&
        !w.err)
        bufferevent_write(l->bev, w.p, w.len);
    buf_writer_release(&w);
    wire_arena_release(&a);
}

void rmq_register(void)
{
    broker *b = R->b;
    if (!b->namesrv && R->n_ns == 0)
        return;
    int n = topics_count(b->topics);
    route_queue_data *qs = calloc((size_t)n + 1, sizeof *qs);
    if (!qs)
        return;
    int k = 0;
    for (int i = 0; i < n; i++) {
        topic *t = topics_at(b->topics, i);
        qs[k].topic = t->name;
        qs[k].read_queues = t->queues;
        qs[k].write_queues = t->queues;
        /* TBW102 carries INHERIT so producers may auto-create from it */
        qs[k].perm = strcmp(t->name, "TBW102") == 0 ? 7 : 6;
        k++;
    }
    route_register reg;
    memset(&reg, 0, sizeof reg);
    reg.cluster = b->cfg->cluster_name;
    reg.broker_name = b->cfg->broker_name;
    reg.broker_addr = R->broker_addr;
    reg.broker_id = 0;
    reg.version.counter = (int64_t)topics_version(b->topics);
    reg.version.timestamp = rmq_now_ms();
    reg.topics = qs;
    reg.n_topics = k;
    if (b->namesrv && namesrv_register_local(b->namesrv, &reg) != 0)
        log_warn("rmq", NULL, "registration with the embedded name server "
                              "failed");
    if (R->n_ns > 0) {
        /* the same topics as a RegisterBrokerBody for remote servers */
        remoting_topic_config *tcs = calloc((size_t)k + 1, sizeof *tcs);
        if (tcs) {
            for (int i = 0; i < k; i++) {
                tcs[i].topic_name = remoting_view(qs[i].topic);
                tcs[i].read_queue_nums = qs[i].read_queues;
                tcs[i].write_queue_nums = qs[i].write_queues;
                tcs[i].perm = qs[i].perm;
                tcs[i].topic_filter_type = remoting_view("SINGLE_TAG");
            }
            remoting_register_broker_body rb;
            memset(&rb, 0, sizeof rb);
            rb.wrapper.data_version.counter = reg.version.counter;
            rb.wrapper.data_version.timestamp = reg.version.timestamp;
            rb.wrapper.topics = tcs;
            rb.wrapper.topic_count = k;
            buf_writer w;
            buf_writer_init(&w, 1024, 0);
            if (remoting_register_broker_body_encode(&w, &rb) == 0 && !w.err)
                for (int i = 0; i < R->n_ns; i++)
                    ns_link_register(&R->ns[i], w.p, w.len);
            buf_writer_release(&w);
            free(tcs);
        }
    }
    free(qs);
    R->registered_version = topics_version(b->topics);
    R->last_register_ms = rmq_now_ms();
}

/* ------------------------------------------------------------------ */
/* SEND_MESSAGE                                                        */
/* ------------------------------------------------------------------ */

typedef struct rsend_wait {
    uint64_t conn_id;
    uint8_t *frame; /* the encoded reply */
    size_t len;
} rsend_wait;

static void send_flushed(void *arg, int status)
{
    rsend_wait *sw = arg;
    rconn *c = rmq_conn_find(sw->conn_id);
    if (c && status == 0)
        bufferevent_write(c->bev, sw->frame, sw->len);
    else if (c)
        log_warn("rmq", c->peer, "SYNC_FLUSH did not complete; send left "
                                 "unanswered (the client retries)");
    free(sw->frame);
    free(sw);
}

static void send_flush_cb(void *arg, int status)
{
    broker_post(R->b, send_flushed, arg, status);
}

int rmq_valid_topic(const char *t)
{
    size_t n = strlen(t);
    if (n == 0 || n > 127)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '%' ||
              c == '|' || c == '.'))
            return 0;
    }
    return 1;
}

int rmq_store_message(broker *b, const remoting_host *born_host,
                      store_queue *q, const uint8_t *props, size_t plen,
                      buf_view body, int32_t flag, int32_t sys_flag,
                      int64_t born, int32_t reconsume,
                      store_append_result *res, char *uniq_text)
{
    return rmq_store_message_ex(b, born_host, q, props, plen, body, flag,
                                sys_flag, born, reconsume, 0, res, uniq_text);
}

int rmq_store_message_ex(broker *b, const remoting_host *born_host,
                         store_queue *q, const uint8_t *props, size_t plen,
                         buf_view body, int32_t flag, int32_t sys_flag,
                         int64_t born, int32_t reconsume,
                         int64_t prepared_txn_offset,
                         store_append_result *res, char *uniq_text)
{
    return rmq_store_message_full(b, born_host, q, props, plen, body, flag,
                                  sys_flag, born, reconsume,
                                  prepared_txn_offset, NULL, 0, NULL, res,
                                  uniq_text);
}

int rmq_store_message_full(broker *b, const remoting_host *born_host,
                           store_queue *q, const uint8_t *props,
                           size_t plen, buf_view body, int32_t flag,
                           int32_t sys_flag, int64_t born, int32_t reconsume,
                           int64_t prepared_txn_offset, const uint8_t *key,
                           size_t key_len, const int64_t *tag_hash_override,
                           store_append_result *res, char *uniq_text)
{
    buf_writer pw;
    buf_writer_init(&pw, plen + 80, 0);
    if (plen)
        buf_write_raw(&pw, props, plen);
    buf_view uniq = {NULL, 0, 1};
    if (!plen || !remoting_props_find(props, plen, REMOTING_PROP_UNIQ_KEY,
                                      &uniq)) {
        char id[64];
        struct timeval tv;
        gettimeofday(&tv, NULL);
        remoting_uniq_key_make(&R->store_host, (uint16_t)getpid(), 0,
                               (int32_t)(tv.tv_sec % 2592000) * 1000,
                               R->uniq_counter++, id);
        size_t before = pw.len;
        if (remoting_props_append(&pw, 0, REMOTING_PROP_UNIQ_KEY,
                                  remoting_view(id)) != 0)
            pw.len = before;
    }
    buf_view tags = {NULL, 0, 1}, keys = {NULL, 0, 1};
    remoting_props_find(pw.p, pw.len, REMOTING_PROP_TAGS, &tags);
    remoting_props_find(pw.p, pw.len, REMOTING_PROP_KEYS, &keys);
    remoting_props_find(pw.p, pw.len, REMOTING_PROP_UNIQ_KEY, &uniq);
    int64_t tag_hash = tag_hash_override ? *tag_hash_override
                       : tags.len ? remoting_tag_hash(tags.ptr, tags.len)
                                  : 0;
    store_index_key ik[17];
    uint32_t nk = 0;
    if (uniq.len && uniq.len < 65535) {
        ik[nk].batch_index = 0;
        ik[nk].key = uniq.ptr;
        ik[nk].len = (uint16_t)uniq.len;
        nk++;
    }
    for (size_t s = 0, i = 0; keys.len && i <= keys.len && nk < 17; i++) {
        if (i == keys.len || keys.ptr[i] == ' ') {
            if (i > s && i - s < 65535) {
                ik[nk].batch_index = 0;
                ik[nk].key = keys.ptr + s;
                ik[nk].len = (uint16_t)(i - s);
                nk++;
            }
            s = i + 1;
        }
    }
    store_append_req ar;
    memset(&ar, 0, sizeof ar);
    ar.queue = q;
    ar.kind = STORE_KIND_MESSAGE;
    ar.count = 1;
    ar.flag = flag;
    ar.sys_flag = sys_flag;
    ar.born_timestamp = born;
    rmq_host_to_store(born_host, &ar.born_host);
    rmq_host_to_store(&R->store_host, &ar.store_host);
    ar.reconsume_times = reconsume;
    ar.prepared_txn_offset = prepared_txn_offset;
    ar.properties = pw.p;
    ar.properties_len = (uint32_t)pw.len;
    ar.body = body.ptr;
    ar.body_len = (uint32_t)body.len;
    ar.key = key;
    ar.key_len = (uint32_t)key_len;
    ar.tag_hashes = tag_hash ? &tag_hash : NULL;
    ar.keys = nk ? ik : NULL;
    ar.n_keys = nk;
    int rc = store_append(b->st, &ar, res);
    uniq_text[0] = '\0';
    if (uniq.len && uniq.len < 80) {
        memcpy(uniq_text, uniq.ptr, uniq.len);
        uniq_text[uniq.len] = '\0';
    }
    buf_writer_release(&pw);
    return rc;
}

static void handle_send(rconn *c, const remoting_header *req, buf_view body)
{
    broker *b = c->b;
    const char *tname = rmq_ext_str2(c, req, "b", "topic");
    int32_t qid = -1, sys_flag = 0, flag = 0, reconsume = 0;
    int64_t born = 0, defq = 4;
    if (!tname || rmq_ext_i32_2(req, "e", "queueId", &qid) != 0 ||
        rmq_ext_i64_2(req, "g", "bornTimestamp", &born) != 0) {
        rmq_reply(c, req, NULL, REMOTING_RESP_INVALID_PARAMETER,
              "topic, queueId and bornTimestamp are required", NULL, 0);
        return;
    }
    rmq_ext_i32_2(req, "f", "sysFlag", &sys_flag);
    rmq_ext_i32_2(req, "h", "flag", &flag);
    rmq_ext_i32_2(req, "j", "reconsumeTimes", &reconsume);
    rmq_ext_i64_2(req, "d", "defaultTopicQueueNums", &defq);
    const char *props = rmq_ext_str2(c, req, "i", "properties");
    size_t plen = props ? strlen(props) : 0;
    if (!rmq_valid_topic(tname)) {
        rmq_reply(c, req, NULL, REMOTING_RESP_MESSAGE_ILLEGAL,
              "topic name is not valid ([%|a-zA-Z0-9_.-], at most 127)",
              NULL, 0);
        return;
    }
    if (body.len > (size_t)b->cfg->max_message_size || plen > 32767) {
        rmq_reply(c, req, NULL, REMOTING_RESP_MESSAGE_ILLEGAL,
              "message body or properties too large", NULL, 0);
        return;
    }
    buf_view v;
    /* delay levels and delivery times: parked (rmq_schedule.c) */
    int dmode = 0, dlevel = 0;
    int64_t ddue = 0;
    char dwhy[160];
    if (!strcmp(tname, DELAY_SCHEDULE_TOPIC) ||
        !strcmp(tname, DELAY_TIMER_TOPIC)) {
        rmq_reply(c, req, NULL, REMOTING_RESP_NO_PERMISSION,
                  "sending to a system topic is not allowed", NULL, 0);
        return;
    }
    if (req->code != REMOTING_REQ_SEND_BATCH_MESSAGE &&
        (dmode = delay_classify((const uint8_t *)props, plen, rmq_now_ms(),
                                delay_level_count(), delay_timer_max_ms(),
                                &dlevel, &ddue, dwhy, sizeof dwhy)) < 0) {
        rmq_reply(c, req, NULL, REMOTING_RESP_MESSAGE_ILLEGAL, dwhy, NULL, 0);
        return;
    }
    /* %RETRY% sends past maxReconsumeTimes go to the DLQ (rmq_retry.c) */
    char dlq[300];
    int redirect = retry_send_redirect(c, req, tname, reconsume, dlq,
                                       sizeof dlq);
    if (redirect < 0) {
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR,
                  "cannot create the dead-letter topic", NULL, 0);
        return;
    }
    if (redirect == 1) {
        tname = dlq;
        dmode = 0;
        qid = 0;
    }
    if (!strncmp(tname, RETRY_TOPIC_PREFIX, strlen(RETRY_TOPIC_PREFIX)))
        retry_ensure_topic(b, tname); /* 1 queue, as RocketMQ */
    /* transactions (rmq_txn.c): a TRAN_MSG=true send is a half message */
    int txn = props && remoting_props_find((const uint8_t *)props, plen,
                                           REMOTING_PROP_TRAN_MSG, &v) &&
              v.len == 4 && memcmp(v.ptr, "true", 4) == 0;
    if (txn && req->code == REMOTING_REQ_SEND_BATCH_MESSAGE) {
        rmq_reply(c, req, NULL, REMOTING_RESP_MESSAGE_ILLEGAL,
              "batch messages do not support transactions", NULL, 0);
        return;
    }
    if (rmq_txn_is_system_topic(tname)) {
        rmq_reply(c, req, NULL, REMOTING_RESP_NO_PERMISSION,
              "sending to a transaction system topic is forbidden", NULL, 0);
        return;
    }
    topic *t = topics_find(b->topics, tname, strlen(tname));
    if (!t) {
        if (!b->cfg->auto_create_topics) {
            char remark[300];
            snprintf(remark, sizeof remark, "topic[%s] not exist, apply first "
                                            "please!",
                     tname);
            rmq_reply(c, req, NULL, REMOTING_RESP_TOPIC_NOT_EXIST, remark, NULL,
                  0);
            return;
        }
        int32_t nq = defq > 0 && defq <= 1024 ? (int32_t)defq : 4;
        char why[200];
        if (topics_create_any(b->topics, tname, strlen(tname), nq, 0, &t,
                              why, sizeof why) != 0) {
            rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR, why, NULL, 0);
            return;
        }
        rmq_register(); /* consumers need the route now */
    }
    if (qid < 0)
        qid = (int32_t)((uint32_t)rand() % (uint32_t)t->queues);
    store_queue *q = topics_queue(b->topics, t, qid);
    if (!q) {
        char remark[200];
        snprintf(remark, sizeof remark,
                 "request queueId[%d] is illegal, topic has %d queues", qid,
                 t->queues);
        rmq_reply(c, req, NULL, REMOTING_RESP_INVALID_PARAMETER, remark, NULL, 0);
        return;
    }
    buf_writer half_props;
    buf_writer_init(&half_props, 0, 0);
    if (txn) {
        /* the half message is never parked (RocketMQ applies a delay level
         * when the committed copy is written) */
        dmode = 0;
        const char *pg = rmq_ext_str2(c, req, "a", "producerGroup");
        char why[160];
        buf_writer_init(&half_props, plen + 128, 0);
        if (rmq_txn_half_prepare(b, pg, tname, qid, (const uint8_t *)props,
                                 plen, &half_props, &q, why,
                                 sizeof why) != 0) {
            buf_writer_release(&half_props);
            rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR, why, NULL, 0);
            return;
        }
        if (pg)
            rmq_txn_producer_seen(c, (const uint8_t *)pg, strlen(pg));
        props = (const char *)half_props.p;
        plen = half_props.len;
        sys_flag &= ~REMOTING_SYSFLAG_TRANSACTION_MASK;
    }
    store_append_result res;
    char uniq_text[80] = "";
    /* msgId: one offsetMsgId, or for a batch the comma-joined ids */
    buf_writer ids;
    buf_writer_init(&ids, 64, 0);
    int rc = 0;
    int64_t first_offset = -1;
    if (req->code == REMOTING_REQ_SEND_BATCH_MESSAGE) {
        int32_t count = 0;
        if (remoting_batch_validate(body.ptr, body.len, &count) != 0 ||
            count <= 0) {
            buf_writer_release(&ids);
            rmq_reply(c, req, NULL, REMOTING_RESP_MESSAGE_ILLEGAL,
                  "batch body is malformed", NULL, 0);
            return;
        }
        remoting_batch_iter it;
        remoting_batch_msg bm;
        remoting_batch_iter_init(&it, body.ptr, body.len);
        while (rc == 0 && remoting_batch_next(&it, &bm) == 1) {
            char one[80];
            rc = rmq_store_message(b, &c->peer_host, q,
                                   bm.properties.ptr, bm.properties.len, bm.body, bm.flag,
                                   sys_flag, born, reconsume, &res, one);
            if (rc != 0)
                break;
            if (first_offset < 0) {
                first_offset = res.queue_offset;
                snprintf(uniq_text, sizeof uniq_text, "%s", one);
            }
            char msgid[64];
            remoting_offset_msgid_encode(&R->store_host, res.commitlog_pos,
                                         msgid);
            if (ids.len)
                buf_write_raw(&ids, ",", 1);
            buf_write_raw(&ids, msgid, strlen(msgid));
        }
    } else {
        rc = dmode > 0
                 ? delay_park(b, &c->peer_host, tname, qid, dmode, dlevel,
                              ddue, (const uint8_t *)props, plen, NULL, 0,
                              body, flag, sys_flag, born, reconsume, &res,
                              uniq_text)
                 : rmq_store_message(b, &c->peer_host, q,
                                     (const uint8_t *)props, plen, body,
                                     flag, sys_flag, born, reconsume, &res,
                                     uniq_text);
        if (rc == 0 && txn)
            rmq_txn_half_stored(b, &res, (const uint8_t *)props, plen);
        if (rc == 0) {
            first_offset = res.queue_offset;
            char msgid[64];
            remoting_offset_msgid_encode(&R->store_host, res.commitlog_pos,
                                         msgid);
            buf_write_raw(&ids, msgid, strlen(msgid));
        }
    }
    buf_write_raw(&ids, "", 1);
    buf_writer_release(&half_props);
    if (rc != 0) {
        buf_writer_release(&ids);
        log_warn("rmq", c->peer, "append to %s-%d failed: %s", tname, qid,
                 store_errmsg(b->st));
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR, store_errmsg(b->st),
              NULL, 0);
        return;
    }
    broker_notify_append(b);
    if (req->flag & REMOTING_FLAG_ONEWAY) {
        buf_writer_release(&ids);
        return;
    }
    rreply rp;
    rmq_reply_init(&rp, c);
    rmq_reply_ext(&rp, "msgId", ids.err ? "" : (const char *)ids.p);
    rmq_reply_ext_i64(&rp, "queueId", qid);
    rmq_reply_ext_i64(&rp, "queueOffset", first_offset);
    rmq_reply_ext(&rp, "transactionId", uniq_text);
    rmq_reply_ext(&rp, "MSG_REGION", "DefaultRegion");
    rmq_reply_ext(&rp, "TRACE_ON", "true");
    if (b->cfg->flush_disk_type == BROKER_FLUSH_SYNC) {
        rsend_wait *sw = calloc(1, sizeof *sw);
        buf_writer w;
        buf_writer_init(&w, 256, 0);
        if (!sw || rmq_reply_encode(&w, req, &rp, REMOTING_RESP_SUCCESS, NULL,
                                NULL, 0) != 0 ||
            w.err) {
            free(sw);
            buf_writer_release(&w);
            buf_writer_release(&ids);
            return;
        }
        sw->conn_id = c->id;
        sw->frame = w.p; /* ownership moves */
        sw->len = w.len;
        if (store_flush_wait(b->st, res.end_pos, send_flush_cb, sw) != 0) {
            free(sw->frame);
            free(sw);
        }
        buf_writer_release(&ids);
        return;
    }
    rmq_reply(c, req, &rp, REMOTING_RESP_SUCCESS, NULL, NULL, 0);
    buf_writer_release(&ids);
}

/* ------------------------------------------------------------------ */
/* PULL_MESSAGE                                                        */
/* ------------------------------------------------------------------ */

/* A tag expression: "*" / empty (all) or "A || B". */
typedef struct tag_filter {
    int all;
    buf_view tags[32];
    int64_t codes[32];
    int n;
} tag_filter;

static void tag_filter_parse(const char *expr, tag_filter *f)
{
    memset(f, 0, sizeof *f);
    if (!expr || !*expr || strcmp(expr, "*") == 0) {
        f->all = 1;
        return;
    }
    const char *p = expr;
    while (*p && f->n < 32) {
        const char *e = strstr(p, "||");
        const char *end = e ? e : p + strlen(p);
        const char *s = p;
        while (s < end && (*s == ' ' || *s == '\t'))
            s++;
        const char *t = end;
        while (t > s && (t[-1] == ' ' || t[-1] == '\t'))
            t--;
        if (t > s) {
            if (t - s == 1 && *s == '*') {
                f->all = 1;
                return;
            }
            f->tags[f->n].ptr = (const uint8_t *)s;
            f->tags[f->n].len = (size_t)(t - s);
            f->codes[f->n] = remoting_tag_hash(f->tags[f->n].ptr,
                                               f->tags[f->n].len);
            f->n++;
        }
        if (!e)
            break;
        p = e + 2;
    }
    if (f->n == 0)
        f->all = 1;
}

static int tag_filter_code(const tag_filter *f, int64_t code)
{
    if (f->all)
        return 1;
    for (int i = 0; i < f->n; i++)
        if (f->codes[i] == (int64_t)(int32_t)code || f->codes[i] == code)
            return 1;
    return 0;
}

static int tag_filter_exact(const tag_filter *f, buf_view tag)
{
    if (f->all)
        return 1;
    for (int i = 0; i < f->n; i++)
        if (f->tags[i].len == tag.len &&
            memcmp(f->tags[i].ptr, tag.ptr, tag.len) == 0)
            return 1;
    return 0;
}

/* The subscription a group's heartbeat registered for topic, or NULL. */
static const char *member_subscription(const char *group, const char *tname,
                                       char *buf, size_t buflen)
{
    for (rmember *m = R->members; m; m = m->next) {
        if (strcmp(m->group, group) != 0 || !m->subscription_topics)
            continue;
        const char *p = m->subscription_topics;
        size_t tl = strlen(tname);
        while (*p) {
            const char *nl = strchr(p, '\n');
            size_t ll = nl ? (size_t)(nl - p) : strlen(p);
            if (ll > tl && memcmp(p, tname, tl) == 0 && p[tl] == '\t') {
                size_t sl = ll - tl - 1;
                if (sl >= buflen)
                    sl = buflen - 1;
                memcpy(buf, p + tl + 1, sl);
                buf[sl] = '\0';
                return buf;
            }
            if (!nl)
                break;
            p = nl + 1;
        }
    }
    return NULL;
}

/* A decoded Kafka batch kept across consecutive entries of one pull. */
typedef struct batch_cache {
    int64_t pos;
    store_record rec;
    int have;
    buf_writer scratch;
    kafka_batch_info info;
} batch_cache;

/* Appends message `e` (offset `off`) in the stored-record layout.
 * Returns 1 appended, 0 filtered out, -1 error. */
static int pull_append_one(rconn *c, batch_cache *bc, const store_cq_entry *e,
                           int64_t off, const tag_filter *f, buf_writer *out)
{
    broker *b = c->b;
    if (!bc->have || bc->pos != e->commitlog_pos) {
        if (bc->have)
            store_record_release(b->st, &bc->rec);
        bc->have = 0;
        if (store_read_record(b->st, e->commitlog_pos, &bc->rec) != 0)
            return -1;
        bc->have = 1;
        bc->pos = e->commitlog_pos;
        if (bc->rec.kind == STORE_KIND_BATCH) {
            kafka_batch_limits lim = {0};
            lim.max_uncompressed = 64u << 20;
            if (kafka_batch_validate(bc->rec.body, bc->rec.body_len, &lim,
                                     &bc->scratch, &bc->info, NULL, 0) != 0)
                return -1;
        }
    }
    const store_record *rec = &bc->rec;
    remoting_msg m;
    memset(&m, 0, sizeof m);
    m.queue_id = rec->queue_id;
    m.queue_offset = off;
    m.physical_offset = e->commitlog_pos;
    m.store_timestamp = rec->store_timestamp;
    rmq_host_from_store(&rec->store_host, &m.store_host);
    rmq_host_from_store(&rec->born_host, &m.born_host);
    m.topic.ptr = (const uint8_t *)rec->topic;
    m.topic.len = rec->topic_len;
    buf_writer props;
    buf_writer_init(&props, 128, 0);
    int keep = 1;
    if (rec->kind == STORE_KIND_MESSAGE) {
        buf_view tag = {NULL, 0, 1};
        remoting_props_find(rec->properties, rec->properties_len,
                            REMOTING_PROP_TAGS, &tag);
        keep = tag_filter_exact(f, tag);
        m.flag = rec->flag;
        m.sys_flag = rec->sys_flag;
        m.born_timestamp = rec->born_timestamp;
        m.reconsume_times = rec->reconsume_times;
        m.prepared_transaction_offset = rec->prepared_txn_offset;
        m.body.ptr = rec->body;
        m.body.len = rec->body_len;
        m.properties.ptr = rec->properties;
        m.properties.len = rec->properties_len;
    } else {
        /* find the record with this offset delta in the batch */
        kafka_record_iter it;
        kafka_record kr;
        kafka_record_iter_init(&it, bc->info.records, bc->info.records_len,
                               bc->info.count);
        int found = 0;
        int32_t want = (int32_t)(off - rec->queue_offset);
        while (kafka_record_next(&it, &kr) == 1)
            if (kr.offset_delta == want) {
                found = 1;
                break;
            }
        if (!found) {
            buf_writer_release(&props);
            return 0; /* a gap in the batch (compacted away) */
        }
        buf_view tag = {NULL, 0, 1};
        int has_keys = 0;
        kafka_header_iter hi;
        buf_view hk, hv;
        kafka_header_iter_init(&hi, &kr);
        while (kafka_header_next(&hi, &hk, &hv) == 1) {
            if (hv.is_null || !hv.len || !hk.len)
                continue;
            if (hk.len == 4 && !memcmp(hk.ptr, "TAGS", 4))
                tag = hv;
            if (hk.len == 4 && !memcmp(hk.ptr, "KEYS", 4))
                has_keys = 1;
            char key[256];
            if (hk.len >= sizeof key)
                continue;
            memcpy(key, hk.ptr, hk.len);
            key[hk.len] = '\0';
            size_t before = props.len;
            if (remoting_props_append(&props, 0, key, hv) != 0)
                props.len = before; /* not representable: left out */
        }
        if (!has_keys && !kr.key.is_null && kr.key.len) {
            size_t before = props.len;
            if (remoting_props_append(&props, 0, REMOTING_PROP_KEYS,
                                      kr.key) != 0)
                props.len = before;
        }
        keep = tag_filter_exact(f, tag);
        m.born_timestamp = bc->info.base_timestamp + kr.timestamp_delta;
        m.body.ptr = kr.value.is_null ? (const uint8_t *)"" : kr.value.ptr;
        m.body.len = kr.value.is_null ? 0 : kr.value.len;
        m.properties.ptr = props.p;
        m.properties.len = props.len;
    }
    if (!keep) {
        buf_writer_release(&props);
        return 0;
    }
    m.body_crc = remoting_body_crc(m.body.ptr, m.body.len);
    int rc = remoting_msg_encode(out, &m);
    buf_writer_release(&props);
    return rc == 0 ? 1 : -1;
}

static void pull_park(rconn *c, const uint8_t *frame, size_t len,
                      int64_t suspend_ms)
{
    rpull *p = calloc(1, sizeof *p);
    if (!p)
        return;
    p->frame = malloc(len);
    if (!p->frame) {
        free(p);
        return;
    }
    memcpy(p->frame, frame, len);
    p->frame_len = len;
    p->conn_id = c->id;
    if (suspend_ms <= 0 || suspend_ms > 30000)
        suspend_ms = 15000;
    p->deadline_ms = rmq_now_ms() + suspend_ms;
    p->next = R->parked;
    R->parked = p;
}

/* Runs a pull.  may_park: this is the first execution.  Returns 1 if it
 * parked the request instead of answering. */
static int handle_pull(rconn *c, const remoting_header *req,
                       const uint8_t *frame, size_t frame_len, int may_park)
{
    broker *b = c->b;
    const char *group = rmq_ext_str(c, req, "consumerGroup");
    const char *tname = rmq_ext_str(c, req, "topic");
    int32_t qid, max_nums = 32, sys_flag = 0;
    int64_t offset, commit = 0, suspend = 15000;
    if (!group || !tname || remoting_ext_get_i32(req, "queueId", &qid) != 0 ||
        remoting_ext_get_i64(req, "queueOffset", &offset) != 0) {
        rmq_reply(c, req, NULL, REMOTING_RESP_INVALID_PARAMETER,
              "consumerGroup, topic, queueId and queueOffset are required",
              NULL, 0);
        return 0;
    }
    remoting_ext_get_i32(req, "maxMsgNums", &max_nums);
    remoting_ext_get_i32(req, "sysFlag", &sys_flag);
    remoting_ext_get_i64(req, "commitOffset", &commit);
    remoting_ext_get_i64(req, "suspendTimeoutMillis", &suspend);
    topic *t = topics_find(b->topics, tname, strlen(tname));
    /* a group's retry topic exists as soon as anyone reads it */
    if (!t && !strncmp(tname, RETRY_TOPIC_PREFIX, strlen(RETRY_TOPIC_PREFIX)) &&
        rmq_valid_topic(tname) && retry_ensure_topic(b, tname) == 0)
        t = topics_find(b->topics, tname, strlen(tname));
    if (!t) {
        char remark[300];
        snprintf(remark, sizeof remark, "topic[%s] not exist, apply first "
                                        "please!",
                 tname);
        rmq_reply(c, req, NULL, REMOTING_RESP_TOPIC_NOT_EXIST, remark, NULL, 0);
        return 0;
    }
    store_queue *q = topics_queue(b->topics, t, qid);
    if (!q) {
        rmq_reply(c, req, NULL, REMOTING_RESP_INVALID_PARAMETER,
              "queueId is out of range", NULL, 0);
        return 0;
    }
    if (may_park && (sys_flag & REMOTING_PULL_COMMIT_OFFSET) && commit >= 0)
        offsets_commit(b->offsets, group, strlen(group), tname,
                       strlen(tname), qid, commit, -1, "", 0, rmq_now_ms());
    char subbuf[1024];
    const char *expr = (sys_flag & REMOTING_PULL_SUBSCRIPTION)
                           ? rmq_ext_str(c, req, "subscription")
                           : member_subscription(group, tname, subbuf,
                                                 sizeof subbuf);
    tag_filter f;
    tag_filter_parse(expr, &f);
    int64_t min = store_queue_min_offset(q), max = store_queue_max_offset(q);
    rreply rp;
    rmq_reply_init(&rp, c);
    rmq_reply_ext_i64(&rp, "suggestWhichBrokerId", 0);
    rmq_reply_ext_i64(&rp, "minOffset", min);
    rmq_reply_ext_i64(&rp, "maxOffset", max);
    int32_t code;
    const char *status;
    int64_t next;
    if (max == 0) {
        code = offset == 0 ? REMOTING_RESP_PULL_NOT_FOUND
                           : REMOTING_RESP_PULL_OFFSET_MOVED;
        status = "NO_MESSAGE_IN_QUEUE";
        next = 0;
    } else if (offset < min) {
        code = REMOTING_RESP_PULL_OFFSET_MOVED;
        status = "OFFSET_TOO_SMALL";
        next = min;
    } else if (offset == max) {
        code = REMOTING_RESP_PULL_NOT_FOUND;
        status = "OFFSET_OVERFLOW_ONE";
        next = offset;
    } else if (offset > max) {
        code = REMOTING_RESP_PULL_OFFSET_MOVED;
        status = "OFFSET_OVERFLOW_BADLY";
        next = max;
    } else {
        code = -1;
        status = "FOUND";
        next = offset;
    }
    buf_writer body;
    buf_writer_init(&body, 0, 0);
    if (code == -1) {
        batch_cache bc;
        memset(&bc, 0, sizeof bc);
        buf_writer_init(&bc.scratch, 0, 0);
        int n = 0;
        int limit = max_nums > 0 && max_nums < RMQ_MAX_PULL_MSGS
                        ? max_nums
                        : RMQ_MAX_PULL_MSGS;
        int64_t off = offset;
        int scanned = 0;
        while (off < max && n < limit && scanned < 800 &&
               (n == 0 || body.len < RMQ_MAX_PULL_BYTES)) {
            store_cq_entry e;
            if (store_queue_read(q, off, &e, 1) != 1)
                break;
            scanned++;
            if (tag_filter_code(&f, e.tag_hash)) {
                int rc = pull_append_one(c, &bc, &e, off, &f, &body);
                if (rc < 0) {
                    log_warn("rmq", c->peer,
                             "unreadable message %s-%d@%" PRId64 ": skipped",
                             tname, qid, off);
                } else if (rc == 1) {
                    n++;
                }
            }
            off++;
        }
        if (bc.have)
            store_record_release(b->st, &bc.rec);
        buf_writer_release(&bc.scratch);
        next = off;
        if (n > 0) {
            code = REMOTING_RESP_SUCCESS;
            metrics_topic_out(METRICS_RMQ, tname, strlen(tname), n,
                              (int64_t)body.len);
        } else {
            code = REMOTING_RESP_PULL_RETRY_IMMEDIATELY;
            status = "NO_MATCHED_MESSAGE";
        }
    }
    if (code == REMOTING_RESP_PULL_NOT_FOUND && may_park &&
        (sys_flag & REMOTING_PULL_SUSPEND)) {
        buf_writer_release(&body);
        pull_park(c, frame, frame_len, suspend);
        return 1;
    }
    rmq_reply_ext_i64(&rp, "nextBeginOffset", next);
    rmq_reply(c, req, &rp, code, status, body.p, body.len);
    buf_writer_release(&body);
    return 0;
}

/* ------------------------------------------------------------------ */
/* offsets, heartbeats, consumer lists                                 */
/* ------------------------------------------------------------------ */

static store_queue *queue_of(rconn *c, const remoting_header *req,
                             const char **tname_out, int32_t *qid_out)
{
    const char *tname = rmq_ext_str(c, req, "topic");
    int32_t qid;
    if (!tname || remoting_ext_get_i32(req, "queueId", &qid) != 0)
        return NULL;
    topic *t = topics_find(c->b->topics, tname, strlen(tname));
    if (tname_out)
        *tname_out = tname;
    if (qid_out)
        *qid_out = qid;
    return t ? topics_queue(c->b->topics, t, qid) : NULL;
}

static void handle_offsets(rconn *c, const remoting_header *req)
{
    broker *b = c->b;
    const char *tname = NULL;
    int32_t qid = 0;
    store_queue *q = queue_of(c, req, &tname, &qid);
    rreply rp;
    rmq_reply_init(&rp, c);
    if (!q && req->code != REMOTING_REQ_UPDATE_CONSUMER_OFFSET &&
        req->code != REMOTING_REQ_QUERY_CONSUMER_OFFSET) {
        rmq_reply(c, req, NULL, REMOTING_RESP_TOPIC_NOT_EXIST,
              "topic or queue does not exist", NULL, 0);
        return;
    }
    switch (req->code) {
    case REMOTING_REQ_GET_MAX_OFFSET:
        rmq_reply_ext_i64(&rp, "offset", store_queue_max_offset(q));
        break;
    case REMOTING_REQ_GET_MIN_OFFSET:
        rmq_reply_ext_i64(&rp, "offset", store_queue_min_offset(q));
        break;
    case REMOTING_REQ_SEARCH_OFFSET_BY_TIMESTAMP: {
        int64_t ts = 0;
        remoting_ext_get_i64(req, "timestamp", &ts);
        int64_t off = store_queue_find_by_time(q, ts);
        int64_t min = store_queue_min_offset(q);
        rmq_reply_ext_i64(&rp, "offset", off < min ? min : off);
        break;
    }
    case REMOTING_REQ_GET_EARLIEST_MSG_STORETIME: {
        store_cq_entry e;
        int64_t ts = -1;
        if (store_queue_read(q, store_queue_min_offset(q), &e, 1) == 1)
            ts = e.store_timestamp;
        rmq_reply_ext_i64(&rp, "timestamp", ts);
        break;
    }
    case REMOTING_REQ_QUERY_CONSUMER_OFFSET: {
        const char *group = rmq_ext_str(c, req, "consumerGroup");
        const offset_entry *oe =
            group && tname ? offsets_get(b->offsets, group, strlen(group),
                                         tname, strlen(tname), qid)
                           : NULL;
        if (!oe) {
            rmq_reply(c, req, NULL, REMOTING_RESP_QUERY_NOT_FOUND,
                  "Not found, maybe this group consumer boot first", NULL, 0);
            return;
        }
        rmq_reply_ext_i64(&rp, "offset", oe->offset);
        break;
    }
    case REMOTING_REQ_UPDATE_CONSUMER_OFFSET: {
        const char *group = rmq_ext_str(c, req, "consumerGroup");
        int64_t off;
        if (!group || !tname ||
            remoting_ext_get_i64(req, "commitOffset", &off) != 0) {
            rmq_reply(c, req, NULL, REMOTING_RESP_INVALID_PARAMETER,
                  "consumerGroup, topic, queueId and commitOffset are "
                  "required",
                  NULL, 0);
            return;
        }
        if (!q) {
            rmq_reply(c, req, NULL, REMOTING_RESP_TOPIC_NOT_EXIST,
                  "topic or queue does not exist", NULL, 0);
            return;
        }
        offsets_commit(b->offsets, group, strlen(group), tname,
                       strlen(tname), qid, off, -1, "", 0, rmq_now_ms());
        offsets_sync(b->offsets);
        break;
    }
    default:
        break;
    }
    rmq_reply(c, req, &rp, REMOTING_RESP_SUCCESS, NULL, NULL, 0);
}

static void notify_group(const char *group)
{
    for (rmember *m = R->members; m; m = m->next) {
        if (strcmp(m->group, group) != 0)
            continue;
        rconn *c = rmq_conn_find(m->conn_id);
        if (!c)
            continue;
        remoting_header h;
        memset(&h, 0, sizeof h);
        h.code = REMOTING_REQ_NOTIFY_CONSUMER_IDS_CHANGED;
        h.language = REMOTING_LANG_CPP;
        h.version = REMOTING_VERSION_CURRENT;
        h.flag = REMOTING_FLAG_ONEWAY;
        h.remark.is_null = 1;
        remoting_ext_add_str(&h, &c->arena, "consumerGroup", group);
        buf_writer w;
        buf_writer_init(&w, 128, 0);
        if (remoting_frame_encode(&w, &h, REMOTING_SERIALIZE_JSON, NULL, 0) ==
            0)
            bufferevent_write(c->bev, w.p, w.len);
        buf_writer_release(&w);
    }
}

static void member_free(rmember *m)
{
    free(m->group);
    free(m->client_id);
    free(m->subscription_topics);
    free(m);
}

/* Removes members matching (client id and/or connection); notifies the
 * groups that changed. */
static void members_remove(const char *client_id, uint64_t conn_id,
                           const char *only_group)
{
    char changed[16][256];
    int nchanged = 0;
    rmember **pp = &R->members;
    while (*pp) {
        rmember *m = *pp;
        int match = (client_id && strcmp(m->client_id, client_id) == 0) ||
                    (conn_id && m->conn_id == conn_id);
        if (match && only_group && strcmp(m->group, only_group) != 0)
            match = 0;
        if (match) {
            *pp = m->next;
            if (nchanged < 16)
                snprintf(changed[nchanged++], 256, "%s", m->group);
            member_free(m);
        } else {
            pp = &m->next;
        }
    }
    for (int i = 0; i < nchanged; i++)
        notify_group(changed[i]);
}

/* The expression `m` subscribes `tname` (tl bytes) with, or NULL. */
static const char *subscription_of(const rmember *m, const char *tname,
                                   size_t tl, size_t *len)
{
    const char *p = m->subscription_topics;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t ll = nl ? (size_t)(nl - p) : strlen(p);
        if (ll > tl && memcmp(p, tname, tl) == 0 && p[tl] == '\t') {
            *len = ll - tl - 1;
            return p + tl + 1;
        }
        p = nl ? nl + 1 : NULL;
    }
    return NULL;
}

/*
 * RocketMQ's trap: the broker keeps one subscription per group and topic,
 * and filters every member's pulls with it, so members of one group that
 * subscribe one topic with different expressions silently miss messages.
 * Ferry behaves the same (member_subscription) but says so, loudly, each
 * time a member's subscriptions change into a conflict.
 */
static void warn_subscription_conflicts(const rmember *m)
{
    const char *p = m->subscription_topics;
    while (p && *p) {
        const char *tab = strchr(p, '\t');
        const char *nl = strchr(p, '\n');
        if (!tab || (nl && tab > nl))
            break;
        size_t tl = (size_t)(tab - p);
        size_t el = nl ? (size_t)(nl - tab - 1) : strlen(tab + 1);
        for (const rmember *o = R->members; o; o = o->next) {
            size_t ol;
            const char *oe;
            if (o == m || strcmp(o->group, m->group) != 0 ||
                !(oe = subscription_of(o, p, tl, &ol)))
                continue;
            if (ol != el || memcmp(oe, tab + 1, el) != 0) {
                log_warn("rmq", m->client_id,
                         "SUBSCRIPTION CONFLICT in group %s: topic %.*s is "
                         "subscribed with '%.*s' by %s and '%.*s' by %s; the "
                         "broker filters with one expression per group (as "
                         "RocketMQ does), so some messages reach no member. "
                         "Give every member of a group the same "
                         "subscriptions.",
                         m->group, (int)tl, p, (int)el, tab + 1, m->client_id,
                         (int)ol, oe, o->client_id);
                break;
            }
        }
        p = nl ? nl + 1 : NULL;
    }
}

static void handle_heartbeat(rconn *c, const remoting_header *req,
                             buf_view body)
{
    broker *b = c->b;
    remoting_heartbeat hb;
    if (remoting_heartbeat_decode(body.ptr, body.len, &c->arena, &hb) != 0) {
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR,
              "heartbeat body is not valid HeartbeatData JSON", NULL, 0);
        return;
    }
    char cid[256];
    snprintf(cid, sizeof cid, "%.*s", (int)hb.client_id.len,
             hb.client_id.ptr ? (const char *)hb.client_id.ptr : "");
    int64_t now = rmq_now_ms();
    for (int32_t i = 0; i < hb.producer_count; i++)
        rmq_txn_producer_seen(c, hb.producer_groups[i].ptr,
                              hb.producer_groups[i].len);
    for (int32_t i = 0; i < hb.consumer_count; i++) {
        const remoting_consumer_data *cd = &hb.consumers[i];
        char group[256];
        snprintf(group, sizeof group, "%.*s", (int)cd->group_name.len,
                 (const char *)cd->group_name.ptr);
        /* subscriptions as "topic\tsubString\n..." */
        buf_writer sw;
        buf_writer_init(&sw, 128, 0);
        for (int32_t k = 0; k < cd->subscription_count; k++) {
            const remoting_subscription *s = &cd->subscriptions[k];
            buf_write_raw(&sw, s->topic.ptr, s->topic.len);
            buf_write_raw(&sw, "\t", 1);
            buf_write_raw(&sw, s->sub_string.ptr, s->sub_string.len);
            buf_write_raw(&sw, "\n", 1);
            /* a consumer group reads its retry topic too */
            if (s->topic.len > 7 && !memcmp(s->topic.ptr, "%RETRY%", 7) &&
                !topics_find(b->topics, (const char *)s->topic.ptr,
                             s->topic.len)) {
                topic *nt;
                char why[128];
                topics_create_any(b->topics, (const char *)s->topic.ptr,
                                  s->topic.len, 1, 1, &nt, why, sizeof why);
            }
        }
        buf_write_raw(&sw, "", 1);
        rmember *m;
        for (m = R->members; m; m = m->next)
            if (!strcmp(m->group, group) && !strcmp(m->client_id, cid))
                break;
        int is_new = m == NULL;
        if (!m) {
            m = calloc(1, sizeof *m);
            if (!m) {
                buf_writer_release(&sw);
                continue;
            }
            m->group = strdup(group);
            m->client_id = strdup(cid);
            m->next = R->members;
            R->members = m;
        }
        int changed = is_new || !m->subscription_topics || sw.err ||
                      strcmp(m->subscription_topics, (char *)sw.p) != 0;
        free(m->subscription_topics);
        m->subscription_topics = sw.err ? NULL : strdup((char *)sw.p);
        buf_writer_release(&sw);
        if (changed)
            warn_subscription_conflicts(m);
        m->conn_id = c->id;
        m->last_seen_ms = now;
        if (is_new) {
            log_info("rmq", c->peer, "consumer %s joined group %s", cid,
                     group);
            notify_group(group);
        }
    }
    rmq_reply(c, req, NULL, REMOTING_RESP_SUCCESS, NULL, NULL, 0);
}

static void handle_consumer_list(rconn *c, const remoting_header *req)
{
    const char *group = rmq_ext_str(c, req, "consumerGroup");
    buf_view ids[256];
    int n = 0;
    for (rmember *m = R->members; m && n < 256; m = m->next)
        if (group && !strcmp(m->group, group))
            ids[n++] = remoting_view(m->client_id);
    if (n == 0) {
        char remark[300];
        snprintf(remark, sizeof remark, "no consumer for this group, %s",
                 group ? group : "");
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR, remark, NULL, 0);
        return;
    }
    buf_writer w;
    buf_writer_init(&w, 256, 0);
    remoting_consumer_list_encode(&w, ids, n);
    rmq_reply(c, req, NULL, REMOTING_RESP_SUCCESS, NULL, w.p, w.len);
    buf_writer_release(&w);
}

/* LOCK_BATCH_MQ / UNLOCK_BATCH_MQ: a queue is granted if free, held by
 * the same client, or its holder's lock is older than 60 s (RocketMQ's
 * lockMaxLiveTime); granting refreshes it.  The reply lists the queues the
 * client now holds. */
static void handle_lock(rconn *c, const remoting_header *req, buf_view body)
{
    remoting_lock_batch lb;
    if (remoting_lock_batch_decode(body.ptr, body.len, &c->arena, &lb) != 0) {
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR,
              "lock body is not valid LockBatchRequestBody JSON", NULL, 0);
        return;
    }
    char group[256], cid[256];
    snprintf(group, sizeof group, "%.*s", (int)lb.consumer_group.len,
             lb.consumer_group.ptr ? (const char *)lb.consumer_group.ptr
                                   : "");
    snprintf(cid, sizeof cid, "%.*s", (int)lb.client_id.len,
             lb.client_id.ptr ? (const char *)lb.client_id.ptr : "");
    int64_t now = rmq_now_ms();
    int unlock = req->code == REMOTING_REQ_UNLOCK_BATCH_MQ;
    remoting_message_queue *held =
        wire_arena_calloc(&c->arena, (size_t)(lb.mq_count + 1), sizeof *held);
    int32_t nheld = 0;
    for (int32_t i = 0; held && i < lb.mq_count; i++) {
        const remoting_message_queue *mq = &lb.mqs[i];
        rlock **pp = &R->locks, *l = NULL;
        for (; *pp; pp = &(*pp)->next)
            if (!strcmp((*pp)->group, group) &&
                (*pp)->queue_id == mq->queue_id &&
                strlen((*pp)->topic) == mq->topic.len &&
                !memcmp((*pp)->topic, mq->topic.ptr, mq->topic.len)) {
                l = *pp;
                break;
            }
        if (unlock) {
            if (l && !strcmp(l->client_id, cid)) {
                *pp = l->next;
                free(l->group);
                free(l->topic);
                free(l->client_id);
                free(l);
            }
            continue;
        }
        if (!l) {
            l = calloc(1, sizeof *l);
            if (!l)
                continue;
            l->group = strdup(group);
            l->topic = malloc(mq->topic.len + 1);
            if (l->topic) {
                memcpy(l->topic, mq->topic.ptr, mq->topic.len);
                l->topic[mq->topic.len] = '\0';
            }
            l->queue_id = mq->queue_id;
            l->client_id = strdup(cid);
            l->next = R->locks;
            R->locks = l;
        } else if (strcmp(l->client_id, cid) != 0) {
            if (now - l->last_ms <= RMQ_LOCK_EXPIRE_MS)
                continue; /* held by another live client */
            log_info("rmq", c->peer, "lock on %s-%d moves from expired %s "
                                     "to %s",
                     l->topic, l->queue_id, l->client_id, cid);
            free(l->client_id);
            l->client_id = strdup(cid);
        }
        l->last_ms = now;
        held[nheld++] = *mq;
    }
    if (unlock) {
        rmq_reply(c, req, NULL, REMOTING_RESP_SUCCESS, NULL, NULL, 0);
        return;
    }
    buf_writer w;
    buf_writer_init(&w, 256, 0);
    remoting_lock_batch_response_encode(&w, held, nheld);
    rmq_reply(c, req, NULL, w.err ? REMOTING_RESP_SYSTEM_ERROR
                              : REMOTING_RESP_SUCCESS,
          NULL, w.p, w.len);
    buf_writer_release(&w);
}

/* ------------------------------------------------------------------ */
/* query and view; admin codes                                         */
/* ------------------------------------------------------------------ */

/* Appends every message of the record at pos (one for a MESSAGE record,
 * each of a batch) to out, at most *left of them. */
static void append_record_messages(rconn *c, int64_t pos, buf_writer *out,
                                   int *left)
{
    store_record rec;
    if (store_read_record(c->b->st, pos, &rec) != 0)
        return;
    int32_t count = rec.kind == STORE_KIND_BATCH ? rec.count : 1;
    int64_t first = rec.queue_offset;
    uint32_t size = rec.raw_len;
    store_record_release(c->b->st, &rec);
    batch_cache bc;
    memset(&bc, 0, sizeof bc);
    buf_writer_init(&bc.scratch, 0, 0);
    tag_filter all;
    tag_filter_parse(NULL, &all);
    for (int32_t i = 0; i < count && *left > 0; i++) {
        store_cq_entry e;
        memset(&e, 0, sizeof e);
        e.commitlog_pos = pos;
        e.size = size;
        e.batch_index = i;
        if (pull_append_one(c, &bc, &e, first + i, &all, out) == 1)
            (*left)--;
    }
    if (bc.have)
        store_record_release(c->b->st, &bc.rec);
    buf_writer_release(&bc.scratch);
}

static void handle_view(rconn *c, const remoting_header *req)
{
    int64_t pos;
    if (remoting_ext_get_i64(req, "offset", &pos) != 0) {
        rmq_reply(c, req, NULL, REMOTING_RESP_INVALID_PARAMETER,
              "offset is required", NULL, 0);
        return;
    }
    buf_writer out;
    buf_writer_init(&out, 256, 0);
    int left = 1;
    append_record_messages(c, pos, &out, &left);
    if (left) {
        char remark[96];
        snprintf(remark, sizeof remark,
                 "can not find message by the offset, %" PRId64, pos);
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR, remark, NULL, 0);
    } else {
        rmq_reply(c, req, NULL, REMOTING_RESP_SUCCESS, NULL, out.p, out.len);
    }
    buf_writer_release(&out);
}

static void handle_query(rconn *c, const remoting_header *req)
{
    broker *b = c->b;
    const char *tname = rmq_ext_str(c, req, "topic");
    const char *key = rmq_ext_str(c, req, "key");
    int32_t max = 32;
    int64_t begin = 0, end = INT64_MAX;
    remoting_ext_get_i32(req, "maxNum", &max);
    remoting_ext_get_i64(req, "beginTimestamp", &begin);
    remoting_ext_get_i64(req, "endTimestamp", &end);
    if (!tname || !key) {
        rmq_reply(c, req, NULL, REMOTING_RESP_INVALID_PARAMETER,
              "topic and key are required", NULL, 0);
        return;
    }
    if (max <= 0 || max > 64)
        max = 64;
    int64_t pos[64];
    int n = store_query_by_key(b->st, tname, (const uint8_t *)key,
                               strlen(key), begin, end, pos, max);
    buf_writer out;
    buf_writer_init(&out, 1024, 0);
    int left = max;
    for (int i = 0; i < n && left > 0; i++)
        append_record_messages(c, pos[i], &out, &left);
    rreply rp;
    rmq_reply_init(&rp, c);
    rmq_reply_ext_i64(&rp, "indexLastUpdateTimestamp", rmq_now_ms());
    rmq_reply_ext_i64(&rp, "indexLastUpdatePhyoffset",
                  store_commitlog_max_pos(b->st));
    if (out.len == 0)
        rmq_reply(c, req, &rp, REMOTING_RESP_QUERY_NOT_FOUND,
              "can not find message, maybe time range not correct", NULL, 0);
    else
        rmq_reply(c, req, &rp, REMOTING_RESP_SUCCESS, NULL, out.p, out.len);
    buf_writer_release(&out);
}

static void handle_create_topic(rconn *c, const remoting_header *req)
{
    broker *b = c->b;
    const char *tname = rmq_ext_str(c, req, "topic");
    int32_t rq = 8, wq = 8;
    remoting_ext_get_i32(req, "readQueueNums", &rq);
    remoting_ext_get_i32(req, "writeQueueNums", &wq);
    int32_t nq = rq > wq ? rq : wq;
    if (!tname || !rmq_valid_topic(tname) || nq <= 0 || nq > 1024) {
        rmq_reply(c, req, NULL, REMOTING_RESP_INVALID_PARAMETER,
              "a valid topic and 1..1024 queues are required", NULL, 0);
        return;
    }
    topic *t = topics_find(b->topics, tname, strlen(tname));
    char why[200] = "";
    int rc = 0;
    if (!t)
        rc = topics_create_any(b->topics, tname, strlen(tname), nq,
                               tname[0] == '%', &t, why, sizeof why);
    else if (nq > t->queues)
        rc = topics_set_queues(b->topics, t, nq);
    if (rc != 0) {
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR,
              *why ? why : "cannot update the topic", NULL, 0);
        return;
    }
    rmq_register();
    rmq_reply(c, req, NULL, REMOTING_RESP_SUCCESS, NULL, NULL, 0);
}

static void handle_all_topic_config(rconn *c, const remoting_header *req)
{
    broker *b = c->b;
    int n = topics_count(b->topics);
    remoting_topic_config *tcs = calloc((size_t)n + 1, sizeof *tcs);
    if (!tcs) {
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR, "out of memory",
              NULL, 0);
        return;
    }
    for (int i = 0; i < n; i++) {
        topic *t = topics_at(b->topics, i);
        tcs[i].topic_name = remoting_view(t->name);
        tcs[i].read_queue_nums = t->queues;
        tcs[i].write_queue_nums = t->queues;
        tcs[i].perm = strcmp(t->name, "TBW102") == 0 ? 7 : 6;
        tcs[i].topic_filter_type = remoting_view("SINGLE_TAG");
    }
    remoting_topic_config_wrapper wr;
    memset(&wr, 0, sizeof wr);
    wr.data_version.counter = (int64_t)topics_version(b->topics);
    wr.data_version.timestamp = rmq_now_ms();
    wr.topics = tcs;
    wr.topic_count = n;
    buf_writer w;
    buf_writer_init(&w, 1024, 0);
    if (remoting_topic_config_wrapper_encode(&w, &wr) == 0 && !w.err)
        rmq_reply(c, req, NULL, REMOTING_RESP_SUCCESS, NULL, w.p, w.len);
    else
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR, "encode failed",
              NULL, 0);
    buf_writer_release(&w);
    free(tcs);
}

static void handle_runtime_info(rconn *c, const remoting_header *req)
{
    broker *b = c->b;
    char maxpos[32], minpos[32], topics_n[32], conns[32];
    snprintf(maxpos, sizeof maxpos, "%" PRId64,
             store_commitlog_max_pos(b->st));
    snprintf(minpos, sizeof minpos, "%" PRId64,
             store_commitlog_min_pos(b->st));
    snprintf(topics_n, sizeof topics_n, "%d", topics_count(b->topics));
    int nc = 0;
    for (rconn *x = R->conns; x; x = x->next)
        nc++;
    snprintf(conns, sizeof conns, "%d", nc);
    remoting_kv kv[] = {
        {remoting_view("brokerVersionDesc"), remoting_view("Ferry 0.1.0")},
        {remoting_view("brokerVersion"), remoting_view("479")},
        {remoting_view("commitLogMaxOffset"), remoting_view(maxpos)},
        {remoting_view("commitLogMinOffset"), remoting_view(minpos)},
        {remoting_view("topicCount"), remoting_view(topics_n)},
        {remoting_view("remotingConnections"), remoting_view(conns)},
        {remoting_view("flushDiskType"),
         remoting_view(b->cfg->flush_disk_type == BROKER_FLUSH_SYNC
                           ? "SYNC_FLUSH"
                           : "ASYNC_FLUSH")},
    };
    buf_writer w;
    buf_writer_init(&w, 512, 0);
    remoting_kv_table_encode(&w, kv, (int32_t)(sizeof kv / sizeof kv[0]));
    rmq_reply(c, req, NULL, w.err ? REMOTING_RESP_SYSTEM_ERROR
                              : REMOTING_RESP_SUCCESS,
          NULL, w.p, w.len);
    buf_writer_release(&w);
}

/* ------------------------------------------------------------------ */
/* dispatch and connections                                            */
/* ------------------------------------------------------------------ */

/* UPDATE_BROKER_CONFIG: the body is properties text (key=value lines, as
 * Java's MixAll.properties2String writes them); all or nothing, through
 * dynconf.  GET_BROKER_CONFIG: every key as properties text. */
static void props_cb(void *arg, const char *name, const char *value,
                     int is_default, int type, const char *doc)
{
    buf_writer *w = arg;
    (void)is_default;
    (void)type;
    (void)doc;
    buf_write_raw(w, name, strlen(name));
    buf_write_raw(w, "=", 1);
    buf_write_raw(w, value, strlen(value));
    buf_write_raw(w, "\n", 1);
}

static void handle_broker_config(rconn *c, const remoting_header *req,
                                 buf_view body)
{
    broker *b = c->b;
    static int64_t config_version;
    if (req->code == REMOTING_REQ_GET_BROKER_CONFIG) {
        buf_writer w;
        buf_writer_init(&w, 4096, 0);
        config_foreach(b->cfg, props_cb, &w);
        char version[96];
        snprintf(version, sizeof version,
                 "{\"counter\":%" PRId64 ",\"timestamp\":%" PRId64 "}",
                 config_version, rmq_now_ms());
        rreply rp;
        rmq_reply_init(&rp, c);
        rmq_reply_ext(&rp, "version", version);
        if (w.err)
            rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR,
                      "out of memory", NULL, 0);
        else
            rmq_reply(c, req, &rp, REMOTING_RESP_SUCCESS, NULL, w.p, w.len);
        buf_writer_release(&w);
        return;
    }
    /* key=value lines into NUL-terminated copies in the arena */
    dynconf_change ch[32];
    int n = 0;
    char *text = wire_arena_alloc(&c->arena, body.len + 1);
    if (!text) {
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR,
                  "config body too large", NULL, 0);
        return;
    }
    if (body.len)
        memcpy(text, body.ptr, body.len);
    text[body.len] = '\0';
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        line[strcspn(line, "\r")] = '\0';
        if (!*line || *line == '#')
            continue;
        char *eq = strchr(line, '=');
        if (!eq || n == 32) {
            rmq_reply(c, req, NULL, REMOTING_RESP_INVALID_PARAMETER,
                      !eq ? "config body: expected key=value lines"
                          : "config body: at most 32 keys at once",
                      NULL, 0);
            return;
        }
        *eq = '\0';
        ch[n].key = line;
        ch[n].value = eq + 1;
        n++;
    }
    char err[300];
    if (n == 0) {
        rmq_reply(c, req, NULL, REMOTING_RESP_INVALID_PARAMETER,
                  "config body has no key=value line", NULL, 0);
        return;
    }
    if (dynconf_apply(b, ch, n, 0, err, sizeof err) != 0) {
        log_warn("rmq", c->peer, "UPDATE_BROKER_CONFIG refused: %s", err);
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR, err, NULL, 0);
        return;
    }
    config_version++;
    rmq_reply(c, req, NULL, REMOTING_RESP_SUCCESS, NULL, NULL, 0);
}

/* Runs one request; returns 1 if it was parked (long poll). */
static int rmq_dispatch_one(rconn *c, const uint8_t *frame, size_t len,
                            int first)
{
    remoting_header req;
    buf_view body;
    wire_arena_reset(&c->arena);
    if (remoting_frame_decode(frame, len, REMOTING_DEFAULT_MAX_FRAME,
                              &c->arena, &req, &body) != 0)
        return -1;
    if (req.flag & REMOTING_FLAG_RESPONSE)
        return 0; /* answers to our one-way notifications: none expected */
    c->m_req_code = req.code;
    switch (req.code) {
    case REMOTING_REQ_SEND_MESSAGE:
    case REMOTING_REQ_SEND_MESSAGE_V2:
    case REMOTING_REQ_SEND_BATCH_MESSAGE:
        handle_send(c, &req, body);
        return 0;
    case REMOTING_REQ_CONSUMER_SEND_MSG_BACK:
        retry_handle_send_back(c, &req);
        return 0;
    case REMOTING_REQ_PULL_MESSAGE:
    case REMOTING_REQ_LITE_PULL_MESSAGE:
        return handle_pull(c, &req, frame, len, first);
    case REMOTING_REQ_QUERY_CONSUMER_OFFSET:
    case REMOTING_REQ_UPDATE_CONSUMER_OFFSET:
    case REMOTING_REQ_GET_MAX_OFFSET:
    case REMOTING_REQ_GET_MIN_OFFSET:
    case REMOTING_REQ_SEARCH_OFFSET_BY_TIMESTAMP:
    case REMOTING_REQ_GET_EARLIEST_MSG_STORETIME:
        handle_offsets(c, &req);
        return 0;
    case REMOTING_REQ_HEART_BEAT:
        handle_heartbeat(c, &req, body);
        return 0;
    case REMOTING_REQ_END_TRANSACTION:
        rmq_txn_end(c, &req);
        return 0;
    case REMOTING_REQ_UNREGISTER_CLIENT: {
        const char *cid = rmq_ext_str(c, &req, "clientID");
        const char *g = rmq_ext_str(c, &req, "consumerGroup");
        if (cid && g && *g)
            members_remove(cid, 0, g);
        rmq_reply(c, &req, NULL, REMOTING_RESP_SUCCESS, NULL, NULL, 0);
        return 0;
    }
    case REMOTING_REQ_GET_CONSUMER_LIST_BY_GROUP:
        handle_consumer_list(c, &req);
        return 0;
    case REMOTING_REQ_LOCK_BATCH_MQ:
    case REMOTING_REQ_UNLOCK_BATCH_MQ:
        handle_lock(c, &req, body);
        return 0;
    case REMOTING_REQ_VIEW_MESSAGE_BY_ID:
        handle_view(c, &req);
        return 0;
    case REMOTING_REQ_QUERY_MESSAGE:
        handle_query(c, &req);
        return 0;
    case REMOTING_REQ_UPDATE_AND_CREATE_TOPIC:
        handle_create_topic(c, &req);
        return 0;
    case REMOTING_REQ_GET_ALL_TOPIC_CONFIG:
        handle_all_topic_config(c, &req);
        return 0;
    case REMOTING_REQ_UPDATE_BROKER_CONFIG:
    case REMOTING_REQ_GET_BROKER_CONFIG:
        handle_broker_config(c, &req, body);
        return 0;
    case REMOTING_REQ_GET_BROKER_RUNTIME_INFO:
        handle_runtime_info(c, &req);
        return 0;
    default: {
        if (rmq_admin_handles(req.code)) { /* rmq_admin.c */
            rmq_admin_handle(c, &req, body);
            return 0;
        }
        char remark[160];
        const char *name = remoting_request_code_name(req.code);
        snprintf(remark, sizeof remark,
                 "request code %d (%s) is not supported by Ferry yet",
                 req.code, name ? name : "unknown");
        log_debug("rmq", c->peer, "%s", remark);
        rmq_reply(c, &req, NULL, REMOTING_RESP_REQUEST_CODE_NOT_SUPPORTED, remark,
              NULL, 0);
        return 0;
    }
    }
}

/* rmq_dispatch_one, counted in the metrics once it is answered (a parked
 * pull counts when its last run answers; a SYNC_FLUSH send answered
 * after the flush counts as SUCCESS). */
static int rmq_dispatch(rconn *c, const uint8_t *frame, size_t len,
                        int first)
{
    int64_t t0 = metrics_now_us();
    c->m_req_code = -1;
    c->m_replied = 0;
    int rc = rmq_dispatch_one(c, frame, len, first);
    if (rc != 1 && c->m_req_code >= 0)
        metrics_request(METRICS_RMQ, c->m_req_code,
                        c->m_replied ? c->m_reply_code : 0,
                        metrics_now_us() - t0);
    return rc;
}

static void rconn_free(rconn *c)
{
    members_remove(NULL, c->id, NULL);
    if (c->prev)
        c->prev->next = c->next;
    else
        R->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    bufferevent_free(c->bev);
    wire_arena_release(&c->arena);
    free(c);
}

static void rconn_read_cb(struct bufferevent *bev, void *arg)
{
    rconn *c = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    for (;;) {
        uint8_t hdr[8];
        if (evbuffer_copyout(in, hdr, 8) < 8)
            return;
        size_t hl, bl;
        if (remoting_frame_check(hdr, REMOTING_DEFAULT_MAX_FRAME, &hl, &bl) !=
            0) {
            char sample[64];
            log_sanitize(sample, sizeof sample, hdr, 8);
            log_warn("rmq", c->peer,
                     "bad frame prefix; closing connection (%s)", sample);
            rconn_free(c);
            return;
        }
        size_t total = 8 + hl + bl;
        if (evbuffer_get_length(in) < total)
            return;
        const uint8_t *frame = evbuffer_pullup(in, (ev_ssize_t)total);
        if (!frame || rmq_dispatch(c, frame, total, 1) < 0) {
            log_warn("rmq", c->peer, "malformed request; closing connection");
            rconn_free(c);
            return;
        }
        evbuffer_drain(in, total);
    }
}

static void rconn_event_cb(struct bufferevent *bev, short what, void *arg)
{
    rconn *c = arg;
    if (what & BEV_EVENT_CONNECTED) {
        /* only TLS server connections report this: handshake done */
        char d[384];
        log_info("rmq", c->peer, "TLS connection: %s",
                 tls_bev_describe(bev, d, sizeof d));
        return;
    }
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        if ((what & BEV_EVENT_ERROR) && tls_bev_is_tls(bev)) {
            char e[512];
            log_info("rmq", c->peer, "TLS: %s",
                     tls_bev_error(bev, e, sizeof e));
        }
        rconn_free(c);
    }
}

static void rmq_peer_text(const struct sockaddr *sa, int port, char *out,
                          size_t len)
{
    char host[INET6_ADDRSTRLEN] = "?";
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, host,
                  sizeof host);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr,
                  host, sizeof host);
    snprintf(out, len, "%s:%d", host, port);
}

/* A remoting connection whose bufferevent exists (plain, or TLS with the
 * handshake under way). */
static void rmq_conn_open(struct bufferevent *bev, const struct sockaddr *sa)
{
    rconn *c = calloc(1, sizeof *c);
    if (!c) {
        bufferevent_free(bev);
        return;
    }
    c->b = R->b;
    c->id = ++R->next_conn_id;
    wire_arena_init(&c->arena, 8192, 32u << 20);
    rmq_host_from_sockaddr(sa, &c->peer_host);
    rmq_peer_text(sa, c->peer_host.port, c->peer, sizeof c->peer);
    c->bev = bev;
    bufferevent_setcb(c->bev, rconn_read_cb, NULL, rconn_event_cb, c);
    bufferevent_setwatermark(c->bev, EV_READ, 0,
                             REMOTING_DEFAULT_MAX_FRAME + 8);
    bufferevent_enable(c->bev, EV_READ | EV_WRITE);
    c->next = R->conns;
    if (R->conns)
        R->conns->prev = c;
    R->conns = c;
}

static void rmq_sniff_cb(void *arg, struct bufferevent *bev, int is_tls,
                         const struct sockaddr *sa, int salen,
                         const char *why)
{
    (void)arg;
    (void)is_tls;
    (void)salen;
    if (!bev) {
        remoting_host h;
        char peer[64];
        rmq_host_from_sockaddr(sa, &h);
        rmq_peer_text(sa, h.port, peer, sizeof peer);
        /* plain in enforcing mode is worth a warning (RocketMQ warns);
         * connect-and-close (health checks, scanners) is not */
        if (strstr(why, "refused"))
            log_warn("rmq", peer, "connection closed: %s", why);
        else
            log_debug("rmq", peer, "connection closed: %s", why);
        return;
    }
    if (!R) {
        bufferevent_free(bev);
        return;
    }
    rmq_conn_open(bev, sa);
}

static void rmq_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
                          struct sockaddr *sa, int salen, void *arg)
{
    (void)l;
    (void)arg;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (rmq_sniff) {
        tls_sniff_accept(rmq_sniff, fd, sa, salen);
        return;
    }
    struct bufferevent *bev =
        bufferevent_socket_new(R->b->base, fd, BEV_OPT_CLOSE_ON_FREE);
    if (!bev) {
        evutil_closesocket(fd);
        return;
    }
    rmq_conn_open(bev, sa);
}

/* Re-runs parked pulls: all of them when final (deadline sweep answers
 * PULL_NOT_FOUND for expired ones), else those that now have data. */
static void rmq_run_parked(int64_t now, int only_expired)
{
    rpull *list = R->parked;
    R->parked = NULL;
    while (list) {
        rpull *p = list;
        list = p->next;
        rconn *c = rmq_conn_find(p->conn_id);
        int expired = now >= p->deadline_ms;
        if (!c) {
            free(p->frame);
            free(p);
            continue;
        }
        if (only_expired && !expired) {
            p->next = R->parked;
            R->parked = p;
            continue;
        }
        /* re-run; with may_park only while time is left */
        if (!expired) {
            int64_t left = p->deadline_ms - now;
            int parked = 0;
            /* run it as a first execution would, but keep its deadline */
            rpull *before = R->parked;
            parked = rmq_dispatch(c, p->frame, p->frame_len, 1);
            if (parked == 1 && R->parked != before) {
                R->parked->deadline_ms = now + left;
            }
        } else {
            rmq_dispatch(c, p->frame, p->frame_len, 0);
        }
        free(p->frame);
        free(p);
    }
}

void rmq_notify_append(broker *b)
{
    (void)b;
    if (R && R->parked)
        rmq_run_parked(rmq_now_ms(), 0);
}

static void rmq_tick_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    int64_t now = rmq_now_ms();
    rmq_run_parked(now, 1);
    /* clients silent for 120 s leave their groups */
    rmember **pp = &R->members;
    char changed[16][256];
    int nchanged = 0;
    while (*pp) {
        rmember *m = *pp;
        if (now - m->last_seen_ms > RMQ_CLIENT_EXPIRE_MS) {
            *pp = m->next;
            if (nchanged < 16)
                snprintf(changed[nchanged++], 256, "%s", m->group);
            member_free(m);
        } else {
            pp = &m->next;
        }
    }
    for (int i = 0; i < nchanged; i++)
        notify_group(changed[i]);
    rmq_txn_tick(R->b, now);
    if (R->registered_version != topics_version(R->b->topics) ||
        now - R->last_register_ms >= 30000)
        rmq_register();
}

static struct evconnlistener *rmq_listen(broker *b, int port, char *err,
                                         size_t errlen)
{
    char host[256] = "0.0.0.0";
    int kp;
    if (config_find_listener(b->cfg->listeners, "PLAINTEXT", host,
                             sizeof host, &kp) != 0 ||
        !*host || !strcmp(host, "localhost"))
        snprintf(host, sizeof host, "0.0.0.0");
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t sl;
    struct sockaddr_in *in = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        sl = sizeof *in;
    } else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        sl = sizeof *in6;
    } else {
        snprintf(err, errlen, "remoting listener: '%s' is not an IP", host);
        return NULL;
    }
    struct evconnlistener *l = evconnlistener_new_bind(
        b->base, rmq_accept_cb, NULL,
        LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 512,
        (struct sockaddr *)&ss, (int)sl);
    if (!l)
        snprintf(err, errlen, "cannot listen on %s:%d: %s", host, port,
                 strerror(errno));
    else
        log_info("rmq", NULL, "RocketMQ remoting listener on %s:%d (TLS %s)",
                 host, port, tls_mode_name(rmq_tls_mode()));
    return l;
}

int rmq_start(broker *b, char *err, size_t errlen)
{
    if (b->cfg->listen_port == 0) {
        log_info("rmq", NULL, "RocketMQ listener disabled (listenPort=0)");
        return 0;
    }
    R = calloc(1, sizeof *R);
    if (!R) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    R->b = b;
    snprintf(R->broker_addr, sizeof R->broker_addr, "%s:%" PRId64,
             b->cfg->broker_ip, b->cfg->listen_port);
    struct in_addr ia;
    if (inet_pton(AF_INET, b->cfg->broker_ip, &ia) == 1)
        memcpy(R->store_host.ip, &ia, 4);
    R->store_host.port = (int32_t)b->cfg->listen_port;
    /* namesrvAddr: "host:port;host:port" */
    const char *nsa = b->cfg->namesrv_addr ? b->cfg->namesrv_addr : "";
    while (*nsa && R->n_ns < RMQ_MAX_NAMESRV) {
        const char *e = strpbrk(nsa, ";,");
        size_t len = e ? (size_t)(e - nsa) : strlen(nsa);
        if (len > 0 && len < sizeof R->ns[0].addr) {
            memcpy(R->ns[R->n_ns].addr, nsa, len);
            R->ns[R->n_ns].addr[len] = '\0';
            R->n_ns++;
        }
        nsa = e ? e + 1 : nsa + len;
    }
    if (b->cfg->auto_create_topics &&
        !topics_find(b->topics, "TBW102", 6)) {
        topic *t;
        char why[128];
        topics_create_any(b->topics, "TBW102", 6, 8, 1, &t, why, sizeof why);
    }
    if (rmq_tls_mode() != TLS_MODE_DISABLED) {
        /* RocketMQ closes channels idle for 120 s; so does the sniff */
        rmq_sniff = tls_sniff_new(b->base, rmq_tls_server_ctx(),
                                  rmq_tls_mode(), 120, rmq_sniff_cb, NULL);
        if (!rmq_sniff) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
    }
    R->listeners[0] = rmq_listen(b, (int)b->cfg->listen_port, err, errlen);
    if (!R->listeners[0])
        return -1;
    if (b->cfg->listen_port > 2) {
        char e2[256];
        R->listeners[1] = rmq_listen(b, (int)b->cfg->listen_port - 2, e2,
                                     sizeof e2);
        if (!R->listeners[1])
            log_warn("rmq", NULL, "old VIP port: %s", e2);
    }
    if (delay_start(b, err, errlen) != 0 ||
        rmq_txn_start(b, err, errlen) != 0)
        return -1;
    R->tick = event_new(b->base, -1, EV_PERSIST, rmq_tick_cb, NULL);
    struct timeval sec = {1, 0};
    event_add(R->tick, &sec);
    rmq_register();
    return 0;
}

void rmq_stop(broker *b)
{
    (void)b;
    if (!R)
        return;
    delay_stop(b);
    for (int i = 0; i < 2; i++)
        if (R->listeners[i])
            evconnlistener_free(R->listeners[i]);
    tls_sniff_free(rmq_sniff);
    rmq_sniff = NULL;
    while (R->conns)
        rconn_free(R->conns);
    while (R->parked) {
        rpull *p = R->parked;
        R->parked = p->next;
        free(p->frame);
        free(p);
    }
    while (R->members) {
        rmember *m = R->members;
        R->members = m->next;
        member_free(m);
    }
    while (R->locks) {
        rlock *l = R->locks;
        R->locks = l->next;
        free(l->group);
        free(l->topic);
        free(l->client_id);
        free(l);
    }
    if (R->tick)
        event_free(R->tick);
    rmq_txn_stop(R->b);
    for (int i = 0; i < R->n_ns; i++)
        if (R->ns[i].bev)
            bufferevent_free(R->ns[i].bev);
    free(R);
    R = NULL;
}
