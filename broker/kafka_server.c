/*
 * kafka_server.c - the Kafka listener: accept, frame, decode the header,
 * dispatch through kafka_api_table, and write replies in request order.
 *
 * Framing (STYLE.md §5): copy out the 4-byte size, check it against
 * socket.request.max.bytes, wait for the whole frame, then take exactly
 * that frame.  A negative or oversized size, an undecodable header, an API
 * or version we do not serve (except ApiVersions, which answers KIP-511
 * style), or a body that does not decode closes the connection after the
 * replies already queued; nothing else is affected.
 *
 * Backpressure: reading pauses while a connection has more than
 * KCONN_MAX_INFLIGHT requests in flight or more than KCONN_OUT_HIGH bytes
 * queued for the socket, and resumes when the socket drains.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "kafka_int.h"
#include "log.h"
#include "tls_event.h"
#include "metrics.h"
#include "tls.h"

#include <openssl/err.h>

#define KCONN_MAX_INFLIGHT 1000
#define KCONN_OUT_HIGH     (32u * 1024 * 1024)

const kafka_api_entry kafka_api_table[] = {
    /* key                      adv.min max serve_min handler */
    {KAFKA_API_PRODUCE, 0, 11, 3, kafka_handle_produce},
    {KAFKA_API_FETCH, 4, 12, 4, kafka_handle_fetch},
    {KAFKA_API_LIST_OFFSETS, 1, 7, 1, kafka_handle_list_offsets},
    {KAFKA_API_METADATA, 0, 12, 0, kafka_handle_metadata},
    {KAFKA_API_API_VERSIONS, 0, 4, 0, kafka_handle_api_versions},
    {KAFKA_API_CREATE_TOPICS, 2, 7, 2, kafka_handle_create_topics},
    {KAFKA_API_FIND_COORDINATOR, 0, 4, 0, kafka_handle_find_coordinator},
    {KAFKA_API_JOIN_GROUP, 0, 9, 0, kafka_handle_join_group},
    {KAFKA_API_SYNC_GROUP, 0, 5, 0, kafka_handle_sync_group},
    {KAFKA_API_HEARTBEAT, 0, 4, 0, kafka_handle_heartbeat},
    {KAFKA_API_LEAVE_GROUP, 0, 5, 0, kafka_handle_leave_group},
    {KAFKA_API_OFFSET_COMMIT, 2, 9, 2, kafka_handle_offset_commit},
    {KAFKA_API_OFFSET_FETCH, 1, 9, 1, kafka_handle_offset_fetch},
    {KAFKA_API_LIST_GROUPS, 0, 5, 0, kafka_handle_list_groups},
    {KAFKA_API_DESCRIBE_GROUPS, 0, 5, 0, kafka_handle_describe_groups},
    {KAFKA_API_DELETE_GROUPS, 0, 2, 0, kafka_handle_delete_groups},
    {KAFKA_API_INIT_PRODUCER_ID, 0, 5, 0, kafka_handle_init_producer_id},
    {KAFKA_API_DELETE_TOPICS, 1, 6, 1, kafka_handle_delete_topics},
    {KAFKA_API_CREATE_PARTITIONS, 0, 3, 0, kafka_handle_create_partitions},
    {KAFKA_API_DESCRIBE_CONFIGS, 1, 4, 1, kafka_handle_describe_configs},
    {KAFKA_API_ALTER_CONFIGS, 0, 2, 0, kafka_handle_alter_configs},
    {KAFKA_API_INCREMENTAL_ALTER_CONFIGS, 0, 1, 0,
     kafka_handle_incremental_alter_configs},
    {KAFKA_API_DESCRIBE_CLUSTER, 0, 1, 0, kafka_handle_describe_cluster},
    {KAFKA_API_DESCRIBE_LOG_DIRS, 1, 4, 1, kafka_handle_describe_log_dirs},
    {KAFKA_API_OFFSET_FOR_LEADER_EPOCH, 2, 4, 2,
     kafka_handle_offset_for_leader_epoch},
};
const int kafka_api_table_len =
    (int)(sizeof kafka_api_table / sizeof kafka_api_table[0]);

static const kafka_api_entry *kafka_api_find(int16_t key)
{
    for (int i = 0; i < kafka_api_table_len; i++)
        if (kafka_api_table[i].api_key == key)
            return &kafka_api_table[i];
    return NULL;
}

static int64_t now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

/* ------------------------------------------------------------------ */
/* connections                                                         */
/* ------------------------------------------------------------------ */

static void kconn_unref(kconn *c)
{
    if (--c->refs == 0) {
        c->b->n_conns--;
        free(c);
    }
}

static void kconn_close(kconn *c)
{
    if (c->closed)
        return;
    c->closed = 1;
    log_debug("kafka", c->peer, "connection closed");
    if (c->prev_conn)
        c->prev_conn->next_conn = c->next_conn;
    else if (c->b->conns == c)
        c->b->conns = c->next_conn;
    if (c->next_conn)
        c->next_conn->prev_conn = c->prev_conn;
    c->prev_conn = c->next_conn = NULL;
    if (c->bev) {
        bufferevent_free(c->bev);
        c->bev = NULL;
    }
    /* Drop requests that are ready or waiting (Fetch long polls).  A
     * Produce waiting for a SYNC_FLUSH group commit stays queued: the flush
     * thread will post its completion, and kreq_complete() frees it. */
    kreq *r = c->head, *prev = NULL;
    while (r) {
        kreq *next = r->next;
        if (r->ready || r->waiting) {
            if (prev)
                prev->next = next;
            else
                c->head = next;
            if (c->tail == r)
                c->tail = prev;
            c->n_inflight--;
            kreq_free(r);
        } else {
            prev = r;
        }
        r = next;
    }
    kconn_unref(c);
}

void kreq_free(kreq *r)
{
    kconn *c = r->conn;
    if (r->waiting) {
        kreq **pp = &c->b->waiting_fetches;
        while (*pp && *pp != r)
            pp = &(*pp)->wait_next;
        if (*pp)
            *pp = r->wait_next;
        r->waiting = 0;
    }
    if (r->timer)
        event_free(r->timer);
    if (r->out)
        evbuffer_free(r->out);
    wire_arena_release(&r->arena);
    free(r->frame);
    free(r);
    kconn_unref(c);
}

static void kconn_update_read(kconn *c)
{
    if (c->closed || !c->bev)
        return;
    size_t out = evbuffer_get_length(bufferevent_get_output(c->bev));
    int want_pause = c->n_inflight >= KCONN_MAX_INFLIGHT ||
                     out > KCONN_OUT_HIGH || c->close_on_flush;
    if (want_pause && !c->read_paused) {
        bufferevent_disable(c->bev, EV_READ);
        c->read_paused = 1;
    } else if (!want_pause && c->read_paused) {
        bufferevent_enable(c->bev, EV_READ);
        c->read_paused = 0;
    }
}

void kconn_flush(kconn *c)
{
    while (c->head && c->head->ready) {
        kreq *r = c->head;
        c->head = r->next;
        if (!c->head)
            c->tail = NULL;
        c->n_inflight--;
        if (!c->closed && c->bev && r->out)
            bufferevent_write_buffer(c->bev, r->out);
        kreq_free(r);
    }
    if (c->closed)
        return;
    if (c->stalled && c->n_inflight < KCONN_MAX_INFLIGHT && c->bev) {
        /* frames are still buffered: run the read callback again soon */
        c->stalled = 0;
        bufferevent_trigger(c->bev, EV_READ,
                            BEV_TRIG_IGNORE_WATERMARKS |
                                BEV_TRIG_DEFER_CALLBACKS);
    }
    if (c->close_on_flush && !c->head) {
        struct evbuffer *out = bufferevent_get_output(c->bev);
        if (evbuffer_get_length(out) == 0)
            kconn_close(c);
        /* else: closed from the write callback once drained */
        return;
    }
    kconn_update_read(c);
}

void kreq_complete(kreq *r)
{
    r->ready = 1;
    kconn *c = r->conn;
    if (c->closed) {
        /* The connection is gone; the request is no longer in its queue
         * unless it was deferred, in which case unlink it here. */
        kreq **pp = &c->head, *prev = NULL;
        while (*pp && *pp != r) {
            prev = *pp;
            pp = &(*pp)->next;
        }
        if (*pp) {
            *pp = r->next;
            if (c->tail == r)
                c->tail = prev;
            c->n_inflight--;
        }
        kreq_free(r);
        return;
    }
    c->refs++; /* kconn_flush may free r, which drops a reference */
    kconn_flush(c);
    kconn_unref(c);
}

static void kconn_protocol_error(kconn *c, const char *what,
                                 const uint8_t *sample, size_t n)
{
    char buf[200];
    log_sanitize(buf, sizeof buf, sample, n < 48 ? n : 48);
    log_warn("kafka", c->peer, "%s; closing connection (first bytes: %s)",
             what, buf);
    c->close_on_flush = 1;
}

/* Answers a request whose version we do not serve: KIP-511 for
 * ApiVersions, otherwise close (as Kafka does). */
static int kreq_unsupported(kreq *r, const kafka_api_entry *api)
{
    if (r->hdr.api_key == KAFKA_API_API_VERSIONS && api) {
        buf_writer w;
        buf_writer_init(&w, 64, 0);
        size_t at = kafka_frame_begin(&w);
        kafka_api_versions_unsupported_encode(&w, r->hdr.correlation_id,
                                              api->min_version,
                                              api->max_version);
        kafka_frame_end(&w, at, NULL);
        r->out = evbuffer_new();
        if (!w.err && r->out)
            evbuffer_add(r->out, w.p, w.len);
        buf_writer_release(&w);
        return KH_DONE;
    }
    return KH_CLOSE;
}

static void kconn_handle_frame(kconn *c, uint8_t *frame, size_t len)
{
    kreq *r = calloc(1, sizeof *r);
    if (!r) {
        free(frame);
        kconn_protocol_error(c, "out of memory", NULL, 0);
        return;
    }
    r->conn = c;
    c->refs++;
    r->frame = frame;
    r->frame_len = len;
    r->start_us = now_us();
    wire_arena_init(&r->arena, 4096, 0);

    buf_reader rd;
    buf_reader_init(&rd, frame, len);
    if (kafka_req_header_decode(&rd, &r->hdr) != 0) {
        kconn_protocol_error(c, "undecodable request header", frame, len);
        kreq_free(r);
        return;
    }
    /* queue the slot first so replies stay in order */
    if (c->tail)
        c->tail->next = r;
    else
        c->head = r;
    c->tail = r;
    c->n_inflight++;

    const kafka_api_entry *api = kafka_api_find(r->hdr.api_key);
    int16_t api_key = r->hdr.api_key; /* r may complete inside the handler */
    int64_t t0 = metrics_now_us();
    int rc;
    if (!api || r->hdr.api_version < api->serve_min ||
        r->hdr.api_version > api->max_version) {
        rc = kreq_unsupported(r, api);
        if (rc == KH_CLOSE) {
            char what[128];
            snprintf(what, sizeof what, "unsupported request %s (key %d) v%d",
                     kafka_api_name(r->hdr.api_key), r->hdr.api_key,
                     r->hdr.api_version);
            kconn_protocol_error(c, what, NULL, 0);
        }
    } else {
        const kafka_schema *s = kafka_request_schema(r->hdr.api_key);
        r->req = s ? wire_arena_alloc(&r->arena, s->size) : NULL;
        if (!s || !r->req ||
            kafka_decode(s, r->hdr.api_version, &rd, r->req, &r->arena) !=
                0) {
            char what[128];
            snprintf(what, sizeof what, "malformed %s v%d request",
                     kafka_api_name(r->hdr.api_key), r->hdr.api_version);
            kconn_protocol_error(c, what, frame, len);
            rc = KH_CLOSE;
        } else {
            rc = api->fn(r);
        }
    }
    metrics_request(METRICS_KAFKA, api_key, rc == KH_CLOSE ? -1 : 0,
                    metrics_now_us() - t0);
    if (rc == KH_CLOSE) {
        c->close_on_flush = 1;
        r->ready = 1; /* no reply; just leaves the queue in order */
        kconn_flush(c);
    } else if (rc == KH_DONE) {
        r->ready = 1;
        kconn_flush(c);
    }
    /* KH_DEFERRED: completes later */
}

static void kconn_read_cb(struct bufferevent *bev, void *arg)
{
    kconn *c = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    c->refs++;
    while (!c->closed && !c->close_on_flush) {
        if (c->n_inflight >= KCONN_MAX_INFLIGHT) {
            c->stalled = 1; /* resumed by kconn_flush */
            break;
        }
        uint8_t hdr[4];
        if (evbuffer_copyout(in, hdr, 4) < 4)
            break;
        size_t body_len;
        int rc = kafka_frame_check(
            hdr, (size_t)c->b->cfg->socket_request_max_bytes, &body_len);
        if (rc != 0) {
            kconn_protocol_error(c,
                                 rc == BUF_ELIMIT
                                     ? "request size above "
                                       "socket.request.max.bytes"
                                     : "negative request size",
                                 hdr, 4);
            kconn_flush(c);
            break;
        }
        if (evbuffer_get_length(in) < 4 + body_len) {
            /* let libevent read the rest before calling again */
            break;
        }
        uint8_t *frame = malloc(body_len ? body_len : 1);
        if (!frame) {
            kconn_protocol_error(c, "out of memory", NULL, 0);
            kconn_flush(c);
            break;
        }
        evbuffer_drain(in, 4);
        evbuffer_remove(in, frame, body_len);
        kconn_handle_frame(c, frame, body_len);
    }
    if (!c->closed) {
        if (c->close_on_flush)
            kconn_flush(c); /* closes once earlier replies are out */
        else
            kconn_update_read(c);
    }
    kconn_unref(c);
}

static void kconn_write_cb(struct bufferevent *bev, void *arg)
{
    kconn *c = arg;
    (void)bev;
    if (c->close_on_flush && !c->head) {
        kconn_close(c);
        return;
    }
    kconn_update_read(c);
}

static void kconn_event_cb(struct bufferevent *bev, short what, void *arg)
{
    kconn *c = arg;
    (void)bev;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        if ((what & BEV_EVENT_ERROR) && c->lst->tls) {
            unsigned long e;
            int any = 0;
            while ((e = bufferevent_get_openssl_error(c->bev)) != 0) {
                char buf[256];
                if (ERR_GET_LIB(e) == 0)
                    continue; /* libevent's own marker, not OpenSSL's */
                ERR_error_string_n(e, buf, sizeof buf);
                log_info("kafka", c->peer, "TLS: %s", buf);
                any = 1;
            }
            if (!any)
                log_debug("kafka", c->peer, "TLS connection error");
        } else if (what & BEV_EVENT_ERROR)
            log_debug("kafka", c->peer, "socket error: %s",
                      strerror(EVUTIL_SOCKET_ERROR()));
        kconn_close(c);
    }
}

static void kafka_accept_cb(struct evconnlistener *l, evutil_socket_t fd,
                            struct sockaddr *sa, int salen, void *arg)
{
    kafka_listener *kl = arg;
    broker *b = kl->b;
    (void)l;
    (void)salen;
    kconn *c = calloc(1, sizeof *c);
    if (!c) {
        evutil_closesocket(fd);
        return;
    }
    c->b = b;
    c->lst = kl;
    c->refs = 1;
    b->n_conns++;
    char host[INET6_ADDRSTRLEN] = "?";
    int port = 0;
    if (sa->sa_family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        port = ntohs(in->sin_port);
    } else if (sa->sa_family == AF_INET6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        port = ntohs(in6->sin6_port);
    }
    snprintf(c->peer, sizeof c->peer, "%s:%d", host, port);
    socklen_t ll = sizeof c->local;
    getsockname(fd, (struct sockaddr *)&c->local, &ll);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (kl->tls) {
        SSL *ssl = SSL_new(kl->ssl_ctx);
        if (ssl)
            tls_ssl_quiet_eof(ssl); /* a close without close_notify is EOF */
        c->bev = ssl ? bufferevent_openssl_socket_new(
                           b->base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
                           BEV_OPT_CLOSE_ON_FREE)
                     : NULL;
        if (c->bev)
            bufferevent_openssl_set_allow_dirty_shutdown(c->bev, 1);
        else if (ssl)
            SSL_free(ssl);
    } else {
        c->bev = bufferevent_socket_new(b->base, fd, BEV_OPT_CLOSE_ON_FREE);
    }
    if (!c->bev) {
        evutil_closesocket(fd);
        kconn_unref(c);
        return;
    }
    bufferevent_setcb(c->bev, kconn_read_cb, kconn_write_cb, kconn_event_cb,
                      c);
    /* libevent reads 4 KiB per call by default: three syscalls per 4 KiB
     * of produce traffic.  Larger reads cut that by ~16x. */
    bufferevent_set_max_single_read(c->bev, 256 * 1024);
    bufferevent_set_max_single_write(c->bev, 1024 * 1024);
    bufferevent_setwatermark(c->bev, EV_WRITE, KCONN_OUT_HIGH / 2, 0);
    /* never buffer more than one maximal frame of unread input */
    bufferevent_setwatermark(
        c->bev, EV_READ, 0,
        (size_t)b->cfg->socket_request_max_bytes + 4);
    bufferevent_enable(c->bev, EV_READ | EV_WRITE);
    c->next_conn = b->conns;
    if (b->conns)
        b->conns->prev_conn = c;
    b->conns = c;
    log_debug("kafka", c->peer, "connection accepted");
}

static void kafka_listener_error_cb(struct evconnlistener *l, void *arg)
{
    (void)l;
    (void)arg;
    log_error("kafka", NULL, "accept failed: %s",
              strerror(EVUTIL_SOCKET_ERROR()));
}

/* ------------------------------------------------------------------ */
/* responses                                                           */
/* ------------------------------------------------------------------ */

static void piece_cleanup(const void *data, size_t len, void *extra)
{
    (void)data;
    (void)len;
    piece_ref *ref = extra;
    if (ref)
        ref->release(ref);
}

static void release_splice_refs(const kafka_splice_list *sl, size_t from)
{
    for (size_t i = from; i < sl->count; i++)
        for (int32_t k = 0; k < sl->items[i].n_pieces; k++) {
            piece_ref *ref = sl->items[i].pieces[k].ref;
            if (ref)
                ref->release(ref);
        }
}

int kreq_respond(kreq *r, const kafka_schema *s, const void *resp)
{
    buf_writer w;
    kafka_splice_list sl;
    buf_writer_init(&w, 256, 0);
    kafka_splice_list_init(&sl);
    size_t at = kafka_frame_begin(&w);
    kafka_resp_header_encode(&w, r->hdr.api_key, r->hdr.api_version,
                             r->hdr.correlation_id);
    int rc = kafka_encode(s, r->hdr.api_version, resp, &w, &sl);
    if (rc != 0 || w.err) {
        log_error("kafka", r->conn->peer, "cannot encode %s v%d reply (%d)",
                  kafka_api_name(r->hdr.api_key), r->hdr.api_version, rc);
        release_splice_refs(&sl, 0);
        kafka_splice_list_release(&sl);
        buf_writer_release(&w);
        return -1;
    }
    kafka_frame_end(&w, at, &sl);
    struct evbuffer *out = evbuffer_new();
    size_t pos = 0;
    size_t i = 0;
    int failed = 0;
    for (; out && i < sl.count && !failed; i++) {
        const kafka_splice *sp = &sl.items[i];
        if (sp->at > pos && evbuffer_add(out, w.p + pos, sp->at - pos) != 0)
            failed = 1;
        pos = sp->at;
        for (int32_t k = 0; k < sp->n_pieces; k++) {
            const kafka_rec_piece *pc = &sp->pieces[k];
            if (failed) {
                if (pc->ref)
                    ((piece_ref *)pc->ref)->release(pc->ref);
                continue;
            }
            if (pc->len == 0) {
                if (pc->ref)
                    ((piece_ref *)pc->ref)->release(pc->ref);
                continue;
            }
            if (evbuffer_add_reference(out, pc->p, pc->len, piece_cleanup,
                                       pc->ref) != 0) {
                failed = 1;
                if (pc->ref)
                    ((piece_ref *)pc->ref)->release(pc->ref);
            }
        }
    }
    if (!out || failed) {
        release_splice_refs(&sl, i);
        if (out)
            evbuffer_free(out);
        kafka_splice_list_release(&sl);
        buf_writer_release(&w);
        return -1;
    }
    if (w.len > pos)
        evbuffer_add(out, w.p + pos, w.len - pos);
    kafka_splice_list_release(&sl);
    buf_writer_release(&w);
    if (r->out)
        evbuffer_free(r->out);
    r->out = out;
    return 0;
}

/* ------------------------------------------------------------------ */
/* start / stop                                                        */
/* ------------------------------------------------------------------ */

/* Resolves host text to a socket address (IP literals and "localhost"). */
static int listener_addr(const char *host, int port,
                         struct sockaddr_storage *ss, socklen_t *sl)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *in = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    if (!*host)
        host = "0.0.0.0";
    if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        *sl = sizeof *in;
    } else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        *sl = sizeof *in6;
    } else if (strcmp(host, "localhost") == 0) {
        in->sin_family = AF_INET;
        in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        in->sin_port = htons((uint16_t)port);
        *sl = sizeof *in;
    } else {
        return -1;
    }
    return 0;
}

static int tls_listener_ctx(broker *b, kafka_listener *kl, char *err,
                            size_t errlen)
{
    const broker_config *c = b->cfg;
    if (!c->ssl_cert || !*c->ssl_cert) {
        snprintf(err, errlen,
                 "an SSL:// listener needs ssl.certificate.location");
        return -1;
    }
    tls_config tc;
    memset(&tc, 0, sizeof tc);
    tc.cert_file = c->ssl_cert;
    tc.key_file = c->ssl_key && *c->ssl_key ? c->ssl_key : c->ssl_cert;
    tc.key_password =
        c->ssl_key_password && *c->ssl_key_password ? c->ssl_key_password
                                                    : NULL;
    tc.ca_file = c->ssl_ca && *c->ssl_ca ? c->ssl_ca : NULL;
    if (tls_client_auth_parse(c->ssl_client_auth, &tc.client_auth) != 0) {
        snprintf(err, errlen,
                 "config key 'ssl.client.auth': '%s' is not none, requested "
                 "or required",
                 c->ssl_client_auth);
        return -1;
    }
    kl->ssl_ctx = tls_server_ctx_new(&tc, err, errlen);
    return kl->ssl_ctx ? 0 : -1;
}

static int kafka_listener_start(broker *b, kafka_listener *kl,
                                const char *proto, const char *list,
                                char *err, size_t errlen)
{
    char host[256];
    int port;
    int rc = config_find_listener(list, proto, host, sizeof host, &port);
    if (rc < 0) {
        snprintf(err, errlen, "config key 'listeners': cannot parse '%s'",
                 list);
        return -1;
    }
    if (rc == 1 || port == 0) {
        if (rc == 0)
            log_info("kafka", NULL, "%s listener disabled (port 0)", proto);
        return 0;
    }
    kl->tls = strcmp(proto, "SSL") == 0;
    if (kl->tls && tls_listener_ctx(b, kl, err, errlen) != 0)
        return -1;
    struct sockaddr_storage ss;
    socklen_t sl;
    if (listener_addr(host, port, &ss, &sl) != 0) {
        snprintf(err, errlen,
                 "config key 'listeners': host '%s' must be an IP address",
                 host);
        return -1;
    }
    kl->l = evconnlistener_new_bind(b->base, kafka_accept_cb, kl,
                                    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE,
                                    512, (struct sockaddr *)&ss, (int)sl);
    if (!kl->l) {
        snprintf(err, errlen, "cannot listen on %s:%d: %s", host, port,
                 strerror(errno));
        return -1;
    }
    evconnlistener_set_error_cb(kl->l, kafka_listener_error_cb);
    kl->port = port;
    const char *adv = b->cfg->advertised_listeners;
    int arc = adv && *adv ? config_find_listener(adv, proto, kl->adv_host,
                                                 sizeof kl->adv_host,
                                                 &kl->adv_port)
                          : 1;
    if (arc < 0) {
        snprintf(err, errlen,
                 "config key 'advertised.listeners': cannot parse '%s'", adv);
        return -1;
    }
    if (arc == 1) {
        if (strcmp(host, "0.0.0.0") == 0 || strcmp(host, "::") == 0 ||
            !*host)
            kl->adv_host[0] = '\0'; /* the address each client used */
        else
            snprintf(kl->adv_host, sizeof kl->adv_host, "%s", host);
        kl->adv_port = port;
    }
    log_info("kafka", NULL, "Kafka %s listener on %s:%d", proto, host, port);
    return 0;
}

int kafka_server_start(broker *b, char *err, size_t errlen)
{
    for (int i = 0; i < 2; i++)
        b->kafka[i].b = b;
    const char *list = b->cfg->listeners;
    char implicit[300];
    char host[256];
    int port;
    if (config_find_listener(list, "SSL", host, sizeof host, &port) == 1 &&
        b->cfg->ssl_cert && *b->cfg->ssl_cert) {
        /* a certificate but no SSL:// entry: TLS on 9093, same host as the
         * plaintext listener (Kafka's customary TLS port) */
        if (config_find_listener(list, "PLAINTEXT", host, sizeof host,
                                 &port) != 0)
            snprintf(host, sizeof host, "0.0.0.0");
        snprintf(implicit, sizeof implicit, "SSL://%s%s%s:9093",
                 strchr(host, ':') ? "[" : "", host,
                 strchr(host, ':') ? "]" : "");
        if (kafka_listener_start(b, &b->kafka[1], "SSL", implicit, err,
                                 errlen) != 0)
            return -1;
    } else if (kafka_listener_start(b, &b->kafka[1], "SSL", list, err,
                                    errlen) != 0) {
        return -1;
    }
    if (kafka_listener_start(b, &b->kafka[0], "PLAINTEXT", list, err,
                             errlen) != 0)
        return -1;
    if (!b->kafka[0].l && !b->kafka[1].l)
        log_warn("kafka", NULL, "no Kafka listener is enabled");
    return 0;
}

void kafka_server_stop(broker *b)
{
    while (b->conns)
        kconn_close(b->conns);
    for (int i = 0; i < 2; i++) {
        if (b->kafka[i].l) {
            evconnlistener_free(b->kafka[i].l);
            b->kafka[i].l = NULL;
        }
        tls_ctx_free(b->kafka[i].ssl_ctx);
        b->kafka[i].ssl_ctx = NULL;
    }
}
