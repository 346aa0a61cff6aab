/*
 * core.c - the part of libferry every handle shares: one I/O thread with a
 * libevent loop, connections by address, requests matched to answers by
 * opaque, timeouts, requests from the server, name-server calls and the
 * route cache.
 *
 * Connections: opened on the calling thread (blocking connect with
 * conf.connect_timeout_ms) and handed to the loop as a thread-safe
 * bufferevent with deferred, unlocked callbacks.  A connection that fails
 * (EOF, error, a frame that does not decode) is unlinked and freed on the
 * I/O thread; what was pending on it fails with FERRY_ERR_CONNECT (or
 * FERRY_ERR_PROTOCOL for garbage); the next call reconnects.
 *
 * Pending requests live in a hash of 1024 buckets keyed by opaque, under
 * mu.  A sync caller waits on its own condvar; the sweep timer (every
 * 50 ms) fails expired requests with FERRY_ERR_TIMEOUT.
 * @locality: callers' threads and the I/O thread, as noted per function.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/thread.h>

#include "client_int.h"
#include "remoting_client.h"

#define FC_BUCKETS 1024
#define FC_MAX_FRAME REMOTING_DEFAULT_MAX_FRAME

typedef struct fconn {
    struct fconn *next;
    fclient *c;
    char addr[128];
    uint64_t id;
    struct bufferevent *bev;
    wire_arena arena;
} fconn;

typedef struct fpending {
    struct fpending *next;
    int32_t opaque;
    uint64_t conn_id;
    int64_t deadline;
    fclient_cb cb;
    void *arg;
    int is_sync;
    /* Sync requests: the caller sleeps on cond under its own mu, not the
     * client's, so a completion wakes one thread that then runs without
     * contending for c->mu with the I/O thread and the other callers.
     * Whoever takes p off the pending table (under c->mu) completes it:
     * sets frame/len/err and done under p->mu (lock order c->mu, p->mu). */
    pthread_mutex_t mu;
    pthread_cond_t cond;
    int done;
    int err;
    uint8_t *frame;
    size_t len;
} fpending;

typedef struct ftimer {
    struct ftimer *next;
    fclient *c;
    struct event *ev;
    void (*fn)(void *);
    void *arg;
} ftimer;

typedef struct froute_entry {
    struct froute_entry *next;
    char *topic;
    int64_t fetched_ms;
    fclient_route route;
} froute_entry;

/* ------------------------------------------------------------------ */
/* errors, conf, helpers                                               */
/* ------------------------------------------------------------------ */

static _Thread_local int32_t last_code;
static _Thread_local char last_remark[512];

const char *ferry_strerror(int err)
{
    switch (err) {
    case FERRY_OK:
        return "success";
    case FERRY_ERR_INVALID:
        return "invalid argument";
    case FERRY_ERR_NOMEM:
        return "out of memory";
    case FERRY_ERR_TIMEOUT:
        return "timed out";
    case FERRY_ERR_CONNECT:
        return "connection failed or lost";
    case FERRY_ERR_PROTOCOL:
        return "malformed answer from the server";
    case FERRY_ERR_BROKER:
        return "the server answered an error";
    case FERRY_ERR_NO_ROUTE:
        return "no route for the topic";
    case FERRY_ERR_NOT_FOUND:
        return "not found";
    case FERRY_ERR_STATE:
        return "handle closing or not started";
    case FERRY_ERR_IO:
        return "local I/O error";
    default:
        return "unknown error";
    }
}

int ferry_last_response_code(void)
{
    return last_code;
}

const char *ferry_last_remark(void)
{
    return last_remark;
}

void fclient_set_last(int32_t code, buf_view remark)
{
    last_code = code;
    fclient_copy(last_remark, sizeof last_remark, remark);
}

void fclient_clear_last(void)
{
    last_code = 0;
    last_remark[0] = 0;
}

void ferry_conf_init(ferry_conf *conf)
{
    memset(conf, 0, sizeof(*conf));
    conf->request_timeout_ms = 3000;
    conf->connect_timeout_ms = 3000;
    conf->retries = 2;
    conf->default_topic_queues = 4;
    conf->model = FERRY_CLUSTERING;
    conf->consume_from = FERRY_CONSUME_FROM_LAST_OFFSET;
    conf->consume_threads = 1;
    conf->consume_batch_size = 1;
    conf->pull_batch_size = 32;
    conf->pull_threshold_per_queue = 1000;
    conf->long_poll_ms = 15000;
    conf->rebalance_interval_ms = 20000;
    conf->heartbeat_interval_ms = 30000;
    conf->commit_interval_ms = 5000;
    conf->route_refresh_ms = 30000;
    conf->max_reconsume_times = -1; /* 16, orderly unlimited */
}

int64_t fclient_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void fclient_errbuf(char *errbuf, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (!errbuf || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(errbuf, errlen, fmt, ap);
    va_end(ap);
}

void fclient_copy(char *dst, size_t cap, buf_view v)
{
    size_t n = v.is_null || !v.ptr ? 0 : v.len;
    if (cap == 0)
        return;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, v.ptr, n);
    dst[n] = 0;
}

void fclient_queue_set(ferry_queue *q, const char *topic,
                       const char *broker_name, int32_t qid)
{
    memset(q, 0, sizeof(*q));
    snprintf(q->topic, sizeof q->topic, "%s", topic);
    snprintf(q->broker_name, sizeof q->broker_name, "%s", broker_name);
    q->queue_id = qid;
}

void fresp_release(fresp *r)
{
    if (!r)
        return;
    free(r->frame);
    wire_arena_release(&r->arena);
    memset(r, 0, sizeof(*r));
}

int fclient_check(const remoting_header *h, int32_t ok_code)
{
    if (h->code == ok_code) {
        fclient_clear_last();
        return 0;
    }
    fclient_set_last(h->code, h->remark);
    switch (h->code) {
    case REMOTING_RESP_TOPIC_NOT_EXIST:
        return FERRY_ERR_NO_ROUTE;
    case REMOTING_RESP_QUERY_NOT_FOUND:
        return FERRY_ERR_NOT_FOUND;
    default:
        return FERRY_ERR_BROKER;
    }
}

/* ------------------------------------------------------------------ */
/* pending requests (mu held)                                          */
/* ------------------------------------------------------------------ */

static void pending_add(fclient *c, fpending *p)
{
    fpending **b = &c->pending[(uint32_t)p->opaque % FC_BUCKETS];
    p->next = *b;
    *b = p;
    c->pending_count++;
}

static fpending *pending_take(fclient *c, int32_t opaque, uint64_t conn_id)
{
    fpending **pp = &c->pending[(uint32_t)opaque % FC_BUCKETS];
    for (; *pp; pp = &(*pp)->next) {
        fpending *p = *pp;
        if (p->opaque == opaque && (conn_id == 0 || p->conn_id == conn_id)) {
            *pp = p->next;
            p->next = NULL;
            c->pending_count--;
            return p;
        }
    }
    return NULL;
}

/* Returns 1 if target was still pending (the caller now owns it). */
static int pending_unlink(fclient *c, fpending *target)
{
    fpending **pp = &c->pending[(uint32_t)target->opaque % FC_BUCKETS];
    for (; *pp; pp = &(*pp)->next) {
        if (*pp == target) {
            *pp = target->next;
            target->next = NULL;
            c->pending_count--;
            return 1;
        }
    }
    return 0;
}

/* Completes a sync request taken off the table; frame is NULL on error.
 * After the unlock the waiter may return and free p's stack frame. */
static void pending_complete_sync(fpending *p, int err, uint8_t *frame,
                                  size_t len)
{
    pthread_mutex_lock(&p->mu);
    p->err = err;
    p->frame = frame;
    p->len = len;
    p->done = 1;
    pthread_cond_signal(&p->cond);
    pthread_mutex_unlock(&p->mu);
}

/* Remove every pending request matching (conn_id, or all with 0, or the
 * expired ones with now > 0): sync ones are completed with err here, the
 * async ones are returned as a list for the caller to call back unlocked. */
static fpending *pending_fail(fclient *c, uint64_t conn_id, int64_t now,
                              int err)
{
    fpending *out = NULL;
    for (int i = 0; i < FC_BUCKETS; i++) {
        fpending **pp = &c->pending[i];
        while (*pp) {
            fpending *p = *pp;
            int hit = now > 0 ? p->deadline <= now
                              : (conn_id == 0 || p->conn_id == conn_id);
            if (!hit) {
                pp = &p->next;
                continue;
            }
            *pp = p->next;
            c->pending_count--;
            if (p->is_sync) {
                pending_complete_sync(p, err, NULL, 0);
            } else {
                p->next = out;
                out = p;
            }
        }
    }
    return out;
}

static void pending_callback_all(fpending *list, int err)
{
    while (list) {
        fpending *p = list;
        list = p->next;
        if (p->cb)
            p->cb(p->arg, err, NULL, (buf_view){NULL, 0, 1});
        free(p);
    }
}

/* ------------------------------------------------------------------ */
/* connections                                                         */
/* ------------------------------------------------------------------ */

static fconn *conn_find(fclient *c, const char *addr)
{
    for (fconn *k = c->conns; k; k = k->next)
        if (strcmp(k->addr, addr) == 0)
            return k;
    return NULL;
}

static fconn *conn_by_id(fclient *c, uint64_t id)
{
    for (fconn *k = c->conns; k; k = k->next)
        if (k->id == id)
            return k;
    return NULL;
}

/* Unlink and free (I/O thread, or the freeing thread after it stopped);
 * what was pending on it fails with err. */
static void conn_fail(fconn *k, int err)
{
    fclient *c = k->c;
    fpending *list;

    pthread_mutex_lock(&c->mu);
    for (fconn **pp = &c->conns; *pp; pp = &(*pp)->next) {
        if (*pp == k) {
            *pp = k->next;
            break;
        }
    }
    list = pending_fail(c, k->id, 0, err);
    bufferevent_setcb(k->bev, NULL, NULL, NULL, NULL);
    bufferevent_disable(k->bev, EV_READ | EV_WRITE);
    bufferevent_free(k->bev);
    pthread_mutex_unlock(&c->mu);
    wire_arena_release(&k->arena);
    free(k);
    pending_callback_all(list, err);
}

static void reply_to_server(fconn *k, const remoting_header *req,
                            int32_t code, const char *remark)
{
    remoting_header h;
    buf_writer w;

    memset(&h, 0, sizeof h);
    h.code = code;
    h.language = REMOTING_LANG_CPP;
    h.version = REMOTING_VERSION_CURRENT;
    h.opaque = req->opaque;
    h.flag = REMOTING_FLAG_RESPONSE;
    h.remark = remoting_view(remark);
    buf_writer_init(&w, 128, 0);
    if (remoting_frame_encode(&w, &h, REMOTING_SERIALIZE_JSON, NULL, 0) == 0)
        bufferevent_write(k->bev, w.p, w.len);
    buf_writer_release(&w);
}

/* One whole frame (I/O thread).  Returns -1 when the connection must go. */
static int conn_frame(fconn *k, const uint8_t *frame, size_t len)
{
    fclient *c = k->c;
    remoting_header h;
    buf_view body;
    fpending *p;

    wire_arena_reset(&k->arena);
    if (remoting_frame_decode(frame, len, FC_MAX_FRAME, &k->arena, &h,
                              &body) != 0)
        return -1;
    if (!(h.flag & REMOTING_FLAG_RESPONSE)) {
        pthread_mutex_lock(&c->mu);
        fclient_notify_cb fn = c->notify;
        void *arg = c->notify_arg;
        fclient_server_cb sfn = c->server_req;
        void *sarg = c->server_req_arg;
        pthread_mutex_unlock(&c->mu);
        int known = h.code == REMOTING_REQ_NOTIFY_CONSUMER_IDS_CHANGED;
        if (known && fn)
            fn(arg, &h);
        else if (!known && sfn)
            known = sfn(sarg, k->addr, &h, body);
        if (!(h.flag & REMOTING_FLAG_ONEWAY))
            reply_to_server(k, &h,
                            known ? REMOTING_RESP_SUCCESS
                                  : REMOTING_RESP_REQUEST_CODE_NOT_SUPPORTED,
                            known ? NULL : "not supported by libferry");
        return 0;
    }
    pthread_mutex_lock(&c->mu);
    p = pending_take(c, h.opaque, k->id);
    pthread_mutex_unlock(&c->mu);
    if (p && p->is_sync) {
        uint8_t *copy = malloc(len);
        if (copy)
            memcpy(copy, frame, len);
        pending_complete_sync(p, copy ? 0 : FERRY_ERR_NOMEM, copy,
                              copy ? len : 0);
        p = NULL;
    }
    if (p) {
        if (p->cb)
            p->cb(p->arg, 0, &h, body);
        free(p);
    }
    return 0;
}

static void conn_read_cb(struct bufferevent *bev, void *arg)
{
    fconn *k = arg;
    struct evbuffer *in = bufferevent_get_input(bev);

    for (;;) {
        uint8_t hdr[8];
        size_t hl, bl, avail = evbuffer_get_length(in);
        if (avail < 8)
            return;
        evbuffer_copyout(in, hdr, 8);
        if (remoting_frame_check(hdr, FC_MAX_FRAME, &hl, &bl) != 0) {
            conn_fail(k, FERRY_ERR_PROTOCOL);
            return;
        }
        if (avail < 8 + hl + bl)
            return;
        uint8_t *frame = evbuffer_pullup(in, (ev_ssize_t)(8 + hl + bl));
        if (!frame || conn_frame(k, frame, 8 + hl + bl) != 0) {
            conn_fail(k, FERRY_ERR_PROTOCOL);
            return;
        }
        evbuffer_drain(in, 8 + hl + bl);
    }
}

static void conn_event_cb(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
        conn_fail(arg, FERRY_ERR_CONNECT);
}

static int parse_addr(const char *addr, struct sockaddr_storage *ss,
                      socklen_t *sl)
{
    char host[128];
    const char *colon = strrchr(addr, ':');
    struct addrinfo hints, *res = NULL;

    if (!colon || colon == addr || (size_t)(colon - addr) >= sizeof host)
        return -1;
    memcpy(host, addr, (size_t)(colon - addr));
    host[colon - addr] = 0;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, colon + 1, &hints, &res) != 0 || !res)
        return -1;
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *sl = (socklen_t)res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

/* Blocking connect with a timeout; the fd is non-blocking on return. */
static int connect_fd(const char *addr, int timeout_ms)
{
    struct sockaddr_storage ss;
    socklen_t sl;
    int fd, one = 1;

    if (parse_addr(addr, &ss, &sl) != 0)
        return -1;
    fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *)&ss, sl) != 0) {
        struct pollfd pfd = {fd, POLLOUT, 0};
        int err = 0;
        socklen_t el = sizeof err;
        if (errno != EINPROGRESS || poll(&pfd, 1, timeout_ms) != 1 ||
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 || err) {
            close(fd);
            return -1;
        }
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* The live connection to addr, connecting when allowed (caller's thread,
 * mu not held).  0 and *id, or FERRY_ERR_CONNECT / FERRY_ERR_STATE. */
static int conn_get(fclient *c, const char *addr, int may_connect,
                    uint64_t *id)
{
    fconn *k;
    int fd;

    pthread_mutex_lock(&c->mu);
    if (c->closing) {
        pthread_mutex_unlock(&c->mu);
        return FERRY_ERR_STATE;
    }
    k = conn_find(c, addr);
    if (k) {
        *id = k->id;
        pthread_mutex_unlock(&c->mu);
        return 0;
    }
    pthread_mutex_unlock(&c->mu);
    if (!may_connect || strlen(addr) >= sizeof k->addr)
        return FERRY_ERR_CONNECT;
    fd = connect_fd(addr, c->conf.connect_timeout_ms);
    if (fd < 0)
        return FERRY_ERR_CONNECT;
    pthread_mutex_lock(&c->mu);
    if (c->closing || (k = conn_find(c, addr)) != NULL) {
        /* closing, or another thread connected meanwhile */
        int rc = c->closing ? FERRY_ERR_STATE : 0;
        if (k)
            *id = k->id;
        pthread_mutex_unlock(&c->mu);
        close(fd);
        return rc;
    }
    k = calloc(1, sizeof *k);
    if (!k) {
        pthread_mutex_unlock(&c->mu);
        close(fd);
        return FERRY_ERR_NOMEM;
    }
    k->c = c;
    snprintf(k->addr, sizeof k->addr, "%s", addr);
    k->id = ++c->next_conn_id;
    wire_arena_init(&k->arena, 0, 64u << 20);
    k->bev = bufferevent_socket_new(
        c->base, fd,
        BEV_OPT_CLOSE_ON_FREE | BEV_OPT_THREADSAFE | BEV_OPT_DEFER_CALLBACKS |
            BEV_OPT_UNLOCK_CALLBACKS);
    if (!k->bev) {
        pthread_mutex_unlock(&c->mu);
        close(fd);
        free(k);
        return FERRY_ERR_NOMEM;
    }
    bufferevent_setcb(k->bev, conn_read_cb, NULL, conn_event_cb, k);
    bufferevent_enable(k->bev, EV_READ | EV_WRITE);
    k->next = c->conns;
    c->conns = k;
    *id = k->id;
    pthread_mutex_unlock(&c->mu);
    return 0;
}

/* ------------------------------------------------------------------ */
/* I/O thread, timers                                                  */
/* ------------------------------------------------------------------ */

static void sweep_cb(evutil_socket_t fd, short what, void *arg)
{
    fclient *c = arg;
    fpending *list;
    (void)fd;
    (void)what;

    pthread_mutex_lock(&c->mu);
    list = c->pending_count ? pending_fail(c, 0, mono_ms(), FERRY_ERR_TIMEOUT)
                            : NULL;
    pthread_mutex_unlock(&c->mu);
    pending_callback_all(list, FERRY_ERR_TIMEOUT);
}

/* Activated by fclient_free: a loopbreak from inside the loop, which also
 * works when the loop had not started yet (event_base_loop clears a
 * loopbreak requested before it runs). */
static void stop_cb(evutil_socket_t fd, short what, void *arg)
{
    fclient *c = arg;
    (void)fd;
    (void)what;
    event_base_loopbreak(c->base);
}

static void *io_main(void *arg)
{
    fclient *c = arg;
    event_base_loop(c->base, EVLOOP_NO_EXIT_ON_EMPTY);
    return NULL;
}

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
    ftimer *t = arg;
    fclient *c = t->c;
    (void)fd;
    (void)what;

    pthread_mutex_lock(&c->mu);
    for (ftimer **pp = &c->timers; *pp; pp = &(*pp)->next) {
        if (*pp == t) {
            *pp = t->next;
            break;
        }
    }
    pthread_mutex_unlock(&c->mu);
    event_free(t->ev);
    t->fn(t->arg);
    free(t);
}

int fclient_later(fclient *c, int delay_ms, void (*fn)(void *), void *arg)
{
    ftimer *t = calloc(1, sizeof *t);
    struct timeval tv = {delay_ms / 1000, (delay_ms % 1000) * 1000};

    if (!t)
        return FERRY_ERR_NOMEM;
    t->c = c;
    t->fn = fn;
    t->arg = arg;
    pthread_mutex_lock(&c->mu);
    if (c->closing) {
        pthread_mutex_unlock(&c->mu);
        free(t);
        return FERRY_ERR_STATE;
    }
    t->ev = evtimer_new(c->base, timer_cb, t);
    if (!t->ev) {
        pthread_mutex_unlock(&c->mu);
        free(t);
        return FERRY_ERR_NOMEM;
    }
    t->next = c->timers;
    c->timers = t;
    evtimer_add(t->ev, &tv);
    pthread_mutex_unlock(&c->mu);
    return 0;
}

int fclient_closing(fclient *c)
{
    int v;
    pthread_mutex_lock(&c->mu);
    v = c->closing;
    pthread_mutex_unlock(&c->mu);
    return v;
}

static pthread_once_t evthread_once = PTHREAD_ONCE_INIT;
static int evthread_ok;

static void evthread_setup(void)
{
    evthread_ok = evthread_use_pthreads() == 0;
}

static int split_namesrvs(fclient *c, const char *list)
{
    char *copy = strdup(list), *save = NULL, *tok;
    int n = 0;

    if (!copy)
        return -1;
    c->namesrvs = calloc(strlen(list) / 2 + 2, sizeof(char *));
    if (!c->namesrvs) {
        free(copy);
        return -1;
    }
    for (tok = strtok_r(copy, ";, ", &save); tok;
         tok = strtok_r(NULL, ";, ", &save)) {
        if (!strchr(tok, ':'))
            continue;
        c->namesrvs[n] = strdup(tok);
        if (!c->namesrvs[n])
            break;
        n++;
    }
    free(copy);
    c->namesrv_count = n;
    return n > 0 ? 0 : -1;
}

static int instance_counter;

fclient *fclient_new(const ferry_conf *conf, const char *kind, char *errbuf,
                     size_t errlen)
{
    fclient *c;
    const char *ip;

    if (!conf || !conf->namesrv_addr || !*conf->namesrv_addr) {
        fclient_errbuf(errbuf, errlen, "namesrv_addr is required");
        return NULL;
    }
    pthread_once(&evthread_once, evthread_setup);
    if (!evthread_ok) {
        fclient_errbuf(errbuf, errlen, "libevent without pthreads support");
        return NULL;
    }
    c = calloc(1, sizeof *c);
    if (!c) {
        fclient_errbuf(errbuf, errlen, "out of memory");
        return NULL;
    }
    c->conf = *conf;
    if (c->conf.request_timeout_ms <= 0)
        c->conf.request_timeout_ms = 3000;
    if (c->conf.connect_timeout_ms <= 0)
        c->conf.connect_timeout_ms = 3000;
    if (c->conf.route_refresh_ms <= 0)
        c->conf.route_refresh_ms = 30000;
    c->namesrv_addr = strdup(conf->namesrv_addr);
    c->group = strdup(conf->group ? conf->group : "DEFAULT_GROUP");
    c->conf.namesrv_addr = c->namesrv_addr;
    c->conf.group = c->group;
    c->conf.instance_name = NULL;
    c->conf.client_ip = NULL;
    c->conf.offset_store_path = NULL; /* the push consumer keeps its copy */
    c->pending = calloc(FC_BUCKETS, sizeof(fpending *));
    pthread_mutex_init(&c->mu, NULL);
    if (!c->namesrv_addr || !c->group || !c->pending ||
        split_namesrvs(c, conf->namesrv_addr) != 0) {
        fclient_errbuf(errbuf, errlen, "bad namesrv_addr or out of memory");
        goto fail;
    }
    ip = conf->client_ip ? conf->client_ip : "127.0.0.1";
    memset(&c->client_host, 0, sizeof c->client_host);
    if (inet_pton(AF_INET, ip, c->client_host.ip) != 1) {
        fclient_errbuf(errbuf, errlen, "client_ip must be IPv4: %s", ip);
        goto fail;
    }
    if (conf->instance_name)
        snprintf(c->client_id, sizeof c->client_id, "%s@%s", ip,
                 conf->instance_name);
    else
        snprintf(c->client_id, sizeof c->client_id, "%s@%d#%s#%d#%lld", ip,
                 (int)getpid(), kind,
                 __atomic_add_fetch(&instance_counter, 1, __ATOMIC_RELAXED),
                 (long long)mono_ms());
    c->next_opaque = (int32_t)(mono_ms() & 0xffff);
    c->base = event_base_new();
    if (!c->base) {
        fclient_errbuf(errbuf, errlen, "event_base_new failed");
        goto fail;
    }
    c->sweep_ev = event_new(c->base, -1, EV_PERSIST, sweep_cb, c);
    c->stop_ev = event_new(c->base, -1, 0, stop_cb, c);
    struct timeval tv = {0, 50000};
    if (!c->sweep_ev || !c->stop_ev || event_add(c->sweep_ev, &tv) != 0 ||
        pthread_create(&c->io_thread, NULL, io_main, c) != 0) {
        fclient_errbuf(errbuf, errlen, "cannot start the I/O thread");
        goto fail;
    }
    c->io_started = 1;
    return c;
fail:
    fclient_free(c);
    return NULL;
}

static void route_data_free(fclient_route *r);

void fclient_free(fclient *c)
{
    fpending *list;
    ftimer *timers;

    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    c->closing = 1;
    pthread_mutex_unlock(&c->mu);
    if (c->io_started) {
        event_active(c->stop_ev, EV_READ, 0);
        pthread_join(c->io_thread, NULL);
    }
    /* the loop is stopped: this thread owns everything now */
    while (c->conns)
        conn_fail(c->conns, FERRY_ERR_STATE);
    if (c->pending) {
        pthread_mutex_lock(&c->mu);
        list = pending_fail(c, 0, 0, FERRY_ERR_STATE);
        pthread_mutex_unlock(&c->mu);
        pending_callback_all(list, FERRY_ERR_STATE);
    }
    pthread_mutex_lock(&c->mu);
    timers = c->timers;
    c->timers = NULL;
    pthread_mutex_unlock(&c->mu);
    while (timers) {
        ftimer *t = timers;
        timers = t->next;
        event_free(t->ev);
        t->fn(t->arg);
        free(t);
    }
    if (c->sweep_ev)
        event_free(c->sweep_ev);
    if (c->stop_ev)
        event_free(c->stop_ev);
    if (c->base)
        event_base_free(c->base);
    while (c->routes) {
        froute_entry *e = c->routes;
        c->routes = e->next;
        free(e->topic);
        route_data_free(&e->route);
        free(e);
    }
    for (int i = 0; i < c->namesrv_count; i++)
        free(c->namesrvs[i]);
    free(c->namesrvs);
    free(c->pending);
    free(c->namesrv_addr);
    free(c->group);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* ------------------------------------------------------------------ */
/* requests                                                            */
/* ------------------------------------------------------------------ */

void fclient_request_init(fclient *c, remoting_header *h, int32_t code)
{
    (void)c;
    memset(h, 0, sizeof(*h));
    h->code = code;
    h->language = REMOTING_LANG_CPP;
    h->version = REMOTING_VERSION_CURRENT;
    h->remark.is_null = 1;
}

static int encode_request(fclient *c, remoting_header *h, const void *body,
                          size_t body_len, buf_writer *w)
{
    pthread_mutex_lock(&c->mu);
    c->next_opaque = (c->next_opaque + 1) & 0x7fffffff;
    h->opaque = c->next_opaque;
    pthread_mutex_unlock(&c->mu);
    buf_writer_init(w, 256 + body_len, 0);
    if (remoting_frame_encode(w, h, REMOTING_SERIALIZE_ROCKETMQ, body,
                              body_len) != 0 ||
        w->err) {
        buf_writer_release(w);
        return FERRY_ERR_INVALID;
    }
    return 0;
}

/* Register p (may be NULL for oneway) and write the frame on conn id. */
static int write_request(fclient *c, uint64_t id, fpending *p,
                         const buf_writer *w)
{
    fconn *k;
    int rc = 0;

    pthread_mutex_lock(&c->mu);
    if (c->closing) {
        rc = FERRY_ERR_STATE;
    } else if ((k = conn_by_id(c, id)) == NULL) {
        rc = FERRY_ERR_CONNECT;
    } else {
        if (p)
            pending_add(c, p);
        if (bufferevent_write(k->bev, w->p, w->len) != 0) {
            if (p)
                pending_unlink(c, p);
            rc = FERRY_ERR_CONNECT;
        }
    }
    pthread_mutex_unlock(&c->mu);
    return rc;
}

int fclient_call(fclient *c, const char *addr, remoting_header *h,
                 const void *body, size_t body_len, int timeout_ms,
                 fresp *resp)
{
    fpending p;
    buf_writer w;
    uint64_t id;
    int rc;

    memset(resp, 0, sizeof(*resp));
    if (timeout_ms <= 0)
        timeout_ms = c->conf.request_timeout_ms;
    if ((rc = encode_request(c, h, body, body_len, &w)) != 0)
        return rc;
    if ((rc = conn_get(c, addr, 1, &id)) != 0) {
        buf_writer_release(&w);
        return rc;
    }
    memset(&p, 0, sizeof p);
    p.opaque = h->opaque;
    p.conn_id = id;
    p.is_sync = 1;
    p.deadline = mono_ms() + timeout_ms;
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cond, NULL);
    rc = write_request(c, id, &p, &w);
    buf_writer_release(&w);
    if (rc != 0) {
        pthread_cond_destroy(&p.cond);
        pthread_mutex_destroy(&p.mu);
        return rc;
    }
    pthread_mutex_lock(&p.mu);
    while (!p.done) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1; /* the sweeper ends it; this is a safety net */
        if (pthread_cond_timedwait(&p.cond, &p.mu, &ts) == ETIMEDOUT &&
            mono_ms() > p.deadline + 1000 && !p.done) {
            int mine;
            pthread_mutex_unlock(&p.mu); /* lock order: c->mu, then p.mu */
            pthread_mutex_lock(&c->mu);
            mine = pending_unlink(c, &p);
            pthread_mutex_unlock(&c->mu);
            pthread_mutex_lock(&p.mu);
            if (mine) {
                p.done = 1;
                p.err = FERRY_ERR_TIMEOUT;
            } /* else whoever took it completes it: keep waiting */
        }
    }
    pthread_mutex_unlock(&p.mu);
    pthread_cond_destroy(&p.cond);
    pthread_mutex_destroy(&p.mu);
    if (p.err) {
        free(p.frame);
        return p.err;
    }
    resp->frame = p.frame;
    resp->len = p.len;
    wire_arena_init(&resp->arena, 0, 64u << 20);
    if (remoting_frame_decode(resp->frame, resp->len, FC_MAX_FRAME,
                              &resp->arena, &resp->h, &resp->body) != 0) {
        fresp_release(resp);
        return FERRY_ERR_PROTOCOL;
    }
    return 0;
}

int fclient_send(fclient *c, const char *addr, remoting_header *h,
                 const void *body, size_t body_len, int timeout_ms,
                 int may_connect, fclient_cb cb, void *arg)
{
    fpending *p = NULL;
    buf_writer w;
    uint64_t id;
    int rc;

    if (timeout_ms <= 0)
        timeout_ms = c->conf.request_timeout_ms;
    if (!cb)
        h->flag |= REMOTING_FLAG_ONEWAY;
    if ((rc = encode_request(c, h, body, body_len, &w)) != 0)
        return rc;
    if ((rc = conn_get(c, addr, may_connect, &id)) != 0) {
        buf_writer_release(&w);
        return rc;
    }
    if (cb) {
        p = calloc(1, sizeof *p);
        if (!p) {
            buf_writer_release(&w);
            return FERRY_ERR_NOMEM;
        }
        p->opaque = h->opaque;
        p->conn_id = id;
        p->cb = cb;
        p->arg = arg;
        p->deadline = mono_ms() + timeout_ms;
    }
    rc = write_request(c, id, p, &w);
    buf_writer_release(&w);
    if (rc != 0)
        free(p);
    return rc;
}

/* ------------------------------------------------------------------ */
/* name servers and routes                                             */
/* ------------------------------------------------------------------ */

int fclient_call_namesrv(fclient *c, remoting_header *h, fresp *resp)
{
    int rc = FERRY_ERR_CONNECT, start;

    pthread_mutex_lock(&c->mu);
    start = c->namesrv_next;
    pthread_mutex_unlock(&c->mu);
    for (int i = 0; i < c->namesrv_count; i++) {
        int k = (start + i) % c->namesrv_count;
        rc = fclient_call(c, c->namesrvs[k], h, NULL, 0, 0, resp);
        if (rc == 0) {
            pthread_mutex_lock(&c->mu);
            c->namesrv_next = k; /* stick with one that answers */
            pthread_mutex_unlock(&c->mu);
            return 0;
        }
    }
    return rc;
}

static void route_data_free(fclient_route *r)
{
    free(r->brokers);
    free(r->queues);
    memset(r, 0, sizeof(*r));
}

void fclient_route_release(fclient_route *r)
{
    if (r)
        route_data_free(r);
}

static int route_copy(fclient_route *dst, const fclient_route *src)
{
    memset(dst, 0, sizeof(*dst));
    if (src->broker_count) {
        dst->brokers = malloc((size_t)src->broker_count * sizeof(*dst->brokers));
        if (!dst->brokers)
            return FERRY_ERR_NOMEM;
        memcpy(dst->brokers, src->brokers,
               (size_t)src->broker_count * sizeof(*dst->brokers));
    }
    dst->broker_count = src->broker_count;
    if (src->queue_count) {
        dst->queues = malloc((size_t)src->queue_count * sizeof(*dst->queues));
        if (!dst->queues) {
            route_data_free(dst);
            return FERRY_ERR_NOMEM;
        }
        memcpy(dst->queues, src->queues,
               (size_t)src->queue_count * sizeof(*dst->queues));
    }
    dst->queue_count = src->queue_count;
    dst->gen = src->gen;
    return 0;
}

static int route_from_wire(const remoting_topic_route *rt, fclient_route *out)
{
    memset(out, 0, sizeof(*out));
    if (rt->broker_data_count > 0) {
        out->brokers = calloc((size_t)rt->broker_data_count,
                              sizeof(*out->brokers));
        if (!out->brokers)
            return FERRY_ERR_NOMEM;
    }
    if (rt->queue_data_count > 0) {
        out->queues =
            calloc((size_t)rt->queue_data_count, sizeof(*out->queues));
        if (!out->queues) {
            route_data_free(out);
            return FERRY_ERR_NOMEM;
        }
    }
    for (int32_t i = 0; i < rt->broker_data_count; i++) {
        const remoting_broker_data *bd = &rt->broker_datas[i];
        fclient_route_broker *b = &out->brokers[i];
        fclient_copy(b->name, sizeof b->name, bd->broker_name);
        fclient_copy(b->cluster, sizeof b->cluster, bd->cluster);
        for (int32_t k = 0; k < bd->addr_count; k++)
            if (bd->addrs[k].broker_id == 0)
                fclient_copy(b->addr, sizeof b->addr, bd->addrs[k].addr);
    }
    out->broker_count = rt->broker_data_count;
    for (int32_t i = 0; i < rt->queue_data_count; i++) {
        const remoting_queue_data *qd = &rt->queue_datas[i];
        fclient_route_queue *q = &out->queues[i];
        fclient_copy(q->broker_name, sizeof q->broker_name, qd->broker_name);
        q->read_queues = qd->read_queue_nums;
        q->write_queues = qd->write_queue_nums;
        q->perm = qd->perm;
    }
    out->queue_count = rt->queue_data_count;
    return 0;
}

int fclient_route_get(fclient *c, const char *topic, int force,
                      fclient_route *out)
{
    froute_entry *e;
    remoting_header h;
    remoting_topic_route rt;
    fclient_route fresh;
    fresp resp;
    wire_arena a;
    int rc;

    memset(out, 0, sizeof(*out));
    if (!topic || !*topic)
        return FERRY_ERR_INVALID;
    pthread_mutex_lock(&c->mu);
    for (e = c->routes; e; e = e->next)
        if (strcmp(e->topic, topic) == 0)
            break;
    if (e && !force &&
        mono_ms() - e->fetched_ms < c->conf.route_refresh_ms) {
        rc = route_copy(out, &e->route);
        pthread_mutex_unlock(&c->mu);
        return rc;
    }
    pthread_mutex_unlock(&c->mu);

    wire_arena_init(&a, 0, 0);
    fclient_request_init(c, &h, REMOTING_REQ_GET_ROUTEINFO_BY_TOPIC);
    remoting_ext_add_str(&h, &a, "topic", topic);
    remoting_ext_add_str(&h, &a, "acceptStandardJsonOnly", "true");
    rc = fclient_call_namesrv(c, &h, &resp);
    wire_arena_release(&a);
    if (rc != 0)
        return rc;
    if ((rc = fclient_check(&resp.h, REMOTING_RESP_SUCCESS)) != 0) {
        fresp_release(&resp);
        return rc == FERRY_ERR_BROKER ? FERRY_ERR_NO_ROUTE : rc;
    }
    wire_arena_init(&a, 0, 0);
    rc = remoting_topic_route_decode(resp.body.ptr, resp.body.len, &a, &rt);
    if (rc == 0)
        rc = route_from_wire(&rt, &fresh);
    else
        rc = FERRY_ERR_PROTOCOL;
    wire_arena_release(&a);
    fresp_release(&resp);
    if (rc != 0)
        return rc;
    pthread_mutex_lock(&c->mu);
    for (e = c->routes; e; e = e->next)
        if (strcmp(e->topic, topic) == 0)
            break;
    if (!e && (e = calloc(1, sizeof *e)) != NULL) {
        e->topic = strdup(topic);
        if (!e->topic) {
            free(e);
            e = NULL;
        } else {
            e->next = c->routes;
            c->routes = e;
        }
    }
    if (e) {
        route_data_free(&e->route);
        fresh.gen = ++c->route_gen;
        e->route = fresh;
        e->fetched_ms = mono_ms();
        rc = route_copy(out, &e->route);
    } else {
        *out = fresh;
    }
    pthread_mutex_unlock(&c->mu);
    return rc;
}

int fclient_route_addrs(fclient *c, char (**out)[128])
{
    char(*addrs)[128] = NULL;
    int n = 0, cap = 0;

    pthread_mutex_lock(&c->mu);
    for (froute_entry *e = c->routes; e; e = e->next) {
        for (int i = 0; i < e->route.broker_count; i++) {
            const char *addr = e->route.brokers[i].addr;
            int seen = !addr[0];
            for (int k = 0; k < n && !seen; k++)
                seen = !strcmp(addrs[k], addr);
            if (seen)
                continue;
            if (n == cap) {
                int ncap = cap ? cap * 2 : 4;
                char(*bigger)[128] =
                    realloc(addrs, (size_t)ncap * sizeof(*bigger));
                if (!bigger)
                    goto out;
                addrs = bigger;
                cap = ncap;
            }
            snprintf(addrs[n++], 128, "%s", addr);
        }
    }
out:
    pthread_mutex_unlock(&c->mu);
    *out = addrs;
    return n;
}

const char *fclient_route_addr(const fclient_route *r,
                               const char *broker_name)
{
    for (int i = 0; i < r->broker_count; i++)
        if (strcmp(r->brokers[i].name, broker_name) == 0)
            return r->brokers[i].addr;
    return "";
}

int fclient_queue_addr(fclient *c, const ferry_queue *q, char *addr,
                       size_t len)
{
    fclient_route r;
    int rc = fclient_route_get(c, q->topic, 0, &r);
    if (rc != 0)
        return rc;
    snprintf(addr, len, "%s", fclient_route_addr(&r, q->broker_name));
    fclient_route_release(&r);
    return addr[0] ? 0 : FERRY_ERR_NO_ROUTE;
}

int fclient_queue_offset(fclient *c, int32_t code, const char *group,
                         const ferry_queue *q, int64_t arg, int64_t *out)
{
    char addr[128];
    remoting_header h;
    wire_arena a;
    fresp resp;
    int rc;

    if (!q)
        return FERRY_ERR_INVALID;
    if ((rc = fclient_queue_addr(c, q, addr, sizeof addr)) != 0)
        return rc;
    wire_arena_init(&a, 0, 0);
    fclient_request_init(c, &h, code);
    if (code == REMOTING_REQ_QUERY_CONSUMER_OFFSET ||
        code == REMOTING_REQ_UPDATE_CONSUMER_OFFSET)
        remoting_ext_add_str(&h, &a, "consumerGroup", group);
    remoting_ext_add_str(&h, &a, "topic", q->topic);
    remoting_ext_add_i64(&h, &a, "queueId", q->queue_id);
    if (code == REMOTING_REQ_SEARCH_OFFSET_BY_TIMESTAMP)
        remoting_ext_add_i64(&h, &a, "timestamp", arg);
    if (code == REMOTING_REQ_UPDATE_CONSUMER_OFFSET)
        remoting_ext_add_i64(&h, &a, "commitOffset", arg);
    rc = fclient_call(c, addr, &h, NULL, 0, 0, &resp);
    wire_arena_release(&a);
    if (rc != 0)
        return rc;
    rc = fclient_check(&resp.h, REMOTING_RESP_SUCCESS);
    if (rc == 0 && out && code != REMOTING_REQ_UPDATE_CONSUMER_OFFSET) {
        remoting_offset_response o;
        if (remoting_header_fields_decode(&resp.h,
                                          &remoting_offset_response_schema,
                                          REMOTING_HDR_V1, &o, NULL, 0) != 0)
            rc = FERRY_ERR_PROTOCOL;
        else
            *out = o.offset;
    }
    fresp_release(&resp);
    return rc;
}
