/*
 * producer.c - SEND_MESSAGE_V2 and SEND_BATCH_MESSAGE: queue choice (round
 * robin, chosen queue, selector), UNIQ_KEY and the reserved properties,
 * sync sends with retries on another queue (another broker first), async
 * sends (callback on the I/O thread, no retry) and oneway sends.
 * A topic the name servers do not know goes to TBW102's brokers with
 * defaultTopic TBW102, as the Java producer does (the broker creates it
 * when autoCreateTopicEnable is on).
 *
 * Transactions (as Java's TransactionMQProducer): a half send (TRAN_MSG,
 * PGROUP, sysFlag PREPARED), the caller's local transaction, then
 * END_TRANSACTION oneway to the broker that stored the half message
 * (commitLogOffset decoded from the offsetMsgId, tranStateTableOffset =
 * the half queue offset).  The broker's CHECK_TRANSACTION_STATE arrives on
 * the I/O thread (txn_on_request): its header and body are copied into a
 * bounded list that the txn thread drains, calling the checker and
 * answering END_TRANSACTION fromTransactionCheck=true on the connection's
 * address.  The same thread heartbeats (producerDataSet = our group) every
 * broker of every cached route, so the broker keeps a live connection of
 * the group to send checks to.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client_int.h"
#include "remoting_client.h"

#define TXN_CHECKS_MAX 2000

/* A CHECK_TRANSACTION_STATE waiting for the txn thread. */
typedef struct fcheck {
    struct fcheck *next;
    char addr[128];
    int64_t tran_state_table_offset;
    int64_t commit_log_offset;
    char msg_id[128];
    char transaction_id[128];
    size_t body_len;
    uint8_t body[]; /* the half message, stored layout */
} fcheck;

typedef struct wqueue {
    ferry_queue q;
    char addr[128];
} wqueue;

/* The write queues of one topic as built from one version of its route
 * (fclient_route.gen), sorted by broker then queue id.  Immutable once
 * built and shared by the sends that use it: building it per send cost a
 * calloc, two snprintfs per queue and a qsort, which with 1,000 queues was
 * most of a send.  refs and the producer's list are guarded by p->mu. */
typedef struct wtable {
    struct wtable *next;
    char *topic;
    uint64_t gen;
    int refs; /* the producer's list holds one while it is listed */
    int via_default;
    int n;
    wqueue q[];
} wtable;

struct ferry_producer {
    fclient *c;
    uint32_t rr;
    uint16_t uniq_counter;
    pthread_mutex_t mu;
    wtable *wtables; /* cache, one per topic (mu) */

    /* transactions (tmu guards the fields below it) */
    ferry_txn_check_cb check_cb;
    void *check_arg;
    pthread_t txn_thread;
    int txn_started;
    pthread_mutex_t tmu;
    pthread_cond_t tcond;
    int txn_stopping;
    fcheck *checks, *checks_tail;
    int check_count;
};

ferry_producer *ferry_producer_new(const ferry_conf *conf, char *errbuf,
                                   size_t errlen)
{
    ferry_producer *p = calloc(1, sizeof *p);
    if (!p) {
        fclient_errbuf(errbuf, errlen, "out of memory");
        return NULL;
    }
    p->c = fclient_new(conf, "producer", errbuf, errlen);
    if (!p->c) {
        free(p);
        return NULL;
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_mutex_init(&p->tmu, NULL);
    pthread_cond_init(&p->tcond, NULL);
    p->uniq_counter = (uint16_t)(getpid() ^ time(NULL));
    return p;
}

void ferry_producer_free(ferry_producer *p)
{
    if (!p)
        return;
    if (p->txn_started) {
        pthread_mutex_lock(&p->tmu);
        p->txn_stopping = 1;
        pthread_cond_broadcast(&p->tcond);
        pthread_mutex_unlock(&p->tmu);
        pthread_join(p->txn_thread, NULL);
    }
    fclient_free(p->c); /* no more check requests after this */
    while (p->checks) {
        fcheck *k = p->checks;
        p->checks = k->next;
        free(k);
    }
    while (p->wtables) {
        wtable *t = p->wtables;
        p->wtables = t->next;
        free(t->topic);
        free(t);
    }
    pthread_cond_destroy(&p->tcond);
    pthread_mutex_destroy(&p->tmu);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

int ferry_select_by_hash(int n, const ferry_msg *msg, void *arg)
{
    const unsigned char *s = arg;
    uint32_t h = 2166136261u;
    (void)msg;
    if (n <= 0)
        return 0;
    while (s && *s) {
        h ^= *s++;
        h *= 16777619u;
    }
    return (int)(h % (uint32_t)n);
}

static int by_broker_queue(const void *a, const void *b)
{
    const wqueue *x = a, *y = b;
    int c = strcmp(x->q.broker_name, y->q.broker_name);
    return c ? c : x->q.queue_id - y->q.queue_id;
}

static void wtable_release(ferry_producer *p, wtable *t)
{
    int last;
    if (!t)
        return;
    pthread_mutex_lock(&p->mu);
    last = --t->refs == 0;
    pthread_mutex_unlock(&p->mu);
    if (last) {
        free(t->topic);
        free(t);
    }
}

/* Builds the table of topic from route r (via_default: r is TBW102's). */
static int wtable_build(fclient *c, const char *topic, const fclient_route *r,
                        int via_default, wtable **out)
{
    int total = 0, k = 0;
    wtable *t;

    *out = NULL;
    for (int i = 0; i < r->queue_count; i++)
        total += r->queues[i].write_queues > 0 ? r->queues[i].write_queues : 0;
    if (total == 0)
        return FERRY_ERR_NO_ROUTE;
    t = calloc(1, sizeof(*t) + (size_t)total * sizeof(t->q[0]));
    if (!t || !(t->topic = strdup(topic))) {
        free(t);
        return FERRY_ERR_NOMEM;
    }
    for (int i = 0; i < r->queue_count; i++) {
        const fclient_route_queue *qd = &r->queues[i];
        const char *addr = fclient_route_addr(r, qd->broker_name);
        int nq = qd->write_queues;
        if (!(qd->perm & 2) || !*addr)
            continue;
        if (via_default && nq > c->conf.default_topic_queues &&
            c->conf.default_topic_queues > 0)
            nq = c->conf.default_topic_queues;
        for (int j = 0; j < nq; j++) {
            fclient_queue_set(&t->q[k].q, topic, qd->broker_name, j);
            snprintf(t->q[k].addr, sizeof t->q[k].addr, "%s", addr);
            k++;
        }
    }
    if (k == 0) {
        free(t->topic);
        free(t);
        return FERRY_ERR_NO_ROUTE;
    }
    qsort(t->q, (size_t)k, sizeof(t->q[0]), by_broker_queue);
    t->n = k;
    t->gen = r->gen;
    t->via_default = via_default;
    t->refs = 1;
    *out = t;
    return 0;
}

/* The write queues of topic (or of TBW102 when the topic has no route:
 * via_default set), shared: release with wtable_release. */
static int write_queues(ferry_producer *p, const char *topic, int force,
                        wtable **out)
{
    fclient *c = p->c;
    fclient_route r;
    int rc = fclient_route_get(c, topic, force, &r), via_default = 0;
    wtable *t, **pp;

    *out = NULL;
    if (rc == FERRY_ERR_NO_ROUTE) {
        rc = fclient_route_get(c, "TBW102", force, &r);
        if (rc != 0)
            return FERRY_ERR_NO_ROUTE;
        via_default = 1;
    }
    if (rc != 0)
        return rc;
    if (r.gen != 0) {
        pthread_mutex_lock(&p->mu);
        for (t = p->wtables; t; t = t->next) {
            if (t->gen == r.gen && t->via_default == via_default &&
                strcmp(t->topic, topic) == 0) {
                t->refs++;
                pthread_mutex_unlock(&p->mu);
                fclient_route_release(&r);
                *out = t;
                return 0;
            }
        }
        pthread_mutex_unlock(&p->mu);
    }
    rc = wtable_build(c, topic, &r, via_default, &t);
    fclient_route_release(&r);
    if (rc != 0)
        return rc;
    if (t->gen != 0) {
        /* list it in place of the topic's older table */
        wtable *old = NULL;
        pthread_mutex_lock(&p->mu);
        for (pp = &p->wtables; *pp; pp = &(*pp)->next) {
            if (strcmp((*pp)->topic, topic) == 0) {
                old = *pp;
                *pp = old->next;
                break;
            }
        }
        t->next = p->wtables;
        p->wtables = t;
        t->refs++; /* the list's and the caller's */
        pthread_mutex_unlock(&p->mu);
        wtable_release(p, old);
    }
    *out = t;
    return 0;
}

int ferry_producer_queues(ferry_producer *p, const char *topic,
                          ferry_queue **qs, int *n)
{
    wtable *t;
    int rc;

    *qs = NULL;
    *n = 0;
    if (!p || !topic)
        return FERRY_ERR_INVALID;
    if ((rc = write_queues(p, topic, 0, &t)) != 0)
        return rc;
    *qs = malloc((size_t)t->n * sizeof(**qs));
    if (!*qs) {
        wtable_release(p, t);
        return FERRY_ERR_NOMEM;
    }
    for (int i = 0; i < t->n; i++)
        (*qs)[i] = t->q[i].q;
    *n = t->n;
    wtable_release(p, t);
    return 0;
}

/* UNIQ_KEY as MessageClientIDSetter builds it. */
static void make_uniq_key(ferry_producer *p, char out[64])
{
    struct timespec ts;
    struct tm tm;
    time_t month_start;
    uint16_t counter;

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    tm.tm_mday = 1;
    tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
    month_start = timegm(&tm);
    int64_t ms = ((int64_t)ts.tv_sec - month_start) * 1000 +
                 ts.tv_nsec / 1000000;
    pthread_mutex_lock(&p->mu);
    counter = p->uniq_counter++;
    pthread_mutex_unlock(&p->mu);
    remoting_uniq_key_make(&p->c->client_host, (uint16_t)getpid(), 0,
                           (int32_t)ms, counter, out);
}

/* Properties of msg into w (reset first); uniq receives the UNIQ_KEY.
 * txn: a half message (TRAN_MSG, PGROUP; no delay, as Java clears it). */
static int build_props(ferry_producer *p, const ferry_msg *m, int txn,
                       buf_writer *w, char uniq[64])
{
    char delay[24];
    w->len = 0;
    make_uniq_key(p, uniq);
    if (m->tags && *m->tags)
        remoting_props_append(w, 0, REMOTING_PROP_TAGS,
                              remoting_view(m->tags));
    if (m->keys && *m->keys)
        remoting_props_append(w, 0, REMOTING_PROP_KEYS,
                              remoting_view(m->keys));
    remoting_props_append(w, 0, REMOTING_PROP_UNIQ_KEY, remoting_view(uniq));
    remoting_props_append(w, 0, REMOTING_PROP_WAIT, remoting_view("true"));
    if (txn) {
        remoting_props_append(w, 0, REMOTING_PROP_TRAN_MSG,
                              remoting_view("true"));
        remoting_props_append(w, 0, REMOTING_PROP_PGROUP,
                              remoting_view(p->c->group));
    } else if (m->delay_level > 0) {
        snprintf(delay, sizeof delay, "%d", m->delay_level);
        remoting_props_append(w, 0, REMOTING_PROP_DELAY, remoting_view(delay));
    } else if (m->deliver_at_ms > 0) {
        snprintf(delay, sizeof delay, "%lld", (long long)m->deliver_at_ms);
        remoting_props_append(w, 0, REMOTING_PROP_TIMER_DELIVER_MS,
                              remoting_view(delay));
    }
    for (int i = 0; i < m->prop_count; i++) {
        if (!m->props[i].key || !m->props[i].value)
            return FERRY_ERR_INVALID;
        if (remoting_props_append(w, 0, m->props[i].key,
                                  remoting_view(m->props[i].value)) != 0)
            return FERRY_ERR_INVALID;
    }
    return w->err ? FERRY_ERR_INVALID : 0;
}

/* A request ready to go to one queue. */
typedef struct sendreq {
    remoting_header h;
    wire_arena a;
    buf_writer props;
    buf_writer body; /* batch body */
    const void *raw_body;
    size_t raw_len;
    char uniq[64];
} sendreq;

static void sendreq_release(sendreq *s)
{
    wire_arena_release(&s->a);
    buf_writer_release(&s->props);
    buf_writer_release(&s->body);
}

static int sendreq_build(ferry_producer *p, const ferry_msg *msgs, int n,
                         int batch, int txn, const ferry_queue *q,
                         int via_default, sendreq *s)
{
    remoting_send_request r;
    int rc;

    memset(s, 0, sizeof(*s));
    wire_arena_init(&s->a, 0, 0);
    buf_writer_init(&s->props, 128, 0);
    buf_writer_init(&s->body, 0, 0);
    if (!batch) {
        if ((rc = build_props(p, &msgs[0], txn, &s->props, s->uniq)) != 0)
            return rc;
        s->raw_body = msgs[0].body;
        s->raw_len = msgs[0].body_len;
    } else {
        buf_writer one;
        char uniq[64];
        buf_writer_init(&one, 128, 0);
        for (int i = 0; i < n; i++) {
            if (!msgs[i].topic || strcmp(msgs[i].topic, msgs[0].topic) != 0) {
                buf_writer_release(&one);
                return FERRY_ERR_INVALID;
            }
            if ((rc = build_props(p, &msgs[i], 0, &one, uniq)) != 0) {
                buf_writer_release(&one);
                return rc;
            }
            if (i == 0)
                memcpy(s->uniq, uniq, sizeof uniq);
            buf_view body = {msgs[i].body, msgs[i].body_len, 0};
            buf_view props = {one.p, one.len, 0};
            remoting_batch_append(&s->body, msgs[i].flag, body, props);
        }
        buf_writer_release(&one);
        remoting_props_append(&s->props, 0, REMOTING_PROP_WAIT,
                              remoting_view("true"));
        if (s->body.err || s->props.err)
            return FERRY_ERR_NOMEM;
        s->raw_body = s->body.p;
        s->raw_len = s->body.len;
    }
    fclient_request_init(p->c, &s->h,
                         batch ? REMOTING_REQ_SEND_BATCH_MESSAGE
                               : REMOTING_REQ_SEND_MESSAGE_V2);
    memset(&r, 0, sizeof r);
    r.present = (1u << 14) - 1;
    r.present &= ~(1u << 11); /* maxReconsumeTimes */
    r.present &= ~(1u << 13); /* bname */
    r.producer_group = remoting_view(p->c->group);
    r.topic = remoting_view(q->topic);
    r.default_topic = remoting_view("TBW102");
    r.default_topic_queue_nums =
        p->c->conf.default_topic_queues > 0 ? p->c->conf.default_topic_queues
                                            : 4;
    r.queue_id = q->queue_id;
    r.sys_flag = txn ? REMOTING_SYSFLAG_TRANSACTION_PREPARED : 0;
    r.born_timestamp = fclient_now_ms();
    r.flag = batch ? 0 : msgs[0].flag;
    r.properties.ptr = s->props.p;
    r.properties.len = s->props.len;
    r.batch = batch;
    (void)via_default;
    if (remoting_header_fields_encode(&s->h, &s->a,
                                      &remoting_send_request_schema,
                                      REMOTING_HDR_V2, &r) != 0)
        return FERRY_ERR_NOMEM;
    return 0;
}

/* Fill a result from a SEND answer. */
static int send_result(const remoting_header *h, const ferry_queue *q,
                       const char *uniq, ferry_send_result *res)
{
    remoting_send_response sr;
    int rc;

    memset(res, 0, sizeof(*res));
    switch (h->code) {
    case REMOTING_RESP_SUCCESS:
        res->status = FERRY_SEND_OK;
        break;
    case REMOTING_RESP_FLUSH_DISK_TIMEOUT:
        res->status = FERRY_SEND_FLUSH_DISK_TIMEOUT;
        break;
    case REMOTING_RESP_FLUSH_SLAVE_TIMEOUT:
        res->status = FERRY_SEND_FLUSH_SLAVE_TIMEOUT;
        break;
    case REMOTING_RESP_SLAVE_NOT_AVAILABLE:
        res->status = FERRY_SEND_SLAVE_NOT_AVAILABLE;
        break;
    default:
        return fclient_check(h, REMOTING_RESP_SUCCESS);
    }
    fclient_clear_last();
    rc = remoting_header_fields_decode(h, &remoting_send_response_schema,
                                       REMOTING_HDR_V1, &sr, NULL, 0);
    if (rc != 0)
        return FERRY_ERR_PROTOCOL;
    res->queue = *q;
    res->queue.queue_id = sr.queue_id;
    res->queue_offset = sr.queue_offset;
    snprintf(res->msg_id, sizeof res->msg_id, "%s", uniq);
    /* a batch answers comma-joined ids: keep the first */
    size_t n = sr.msg_id.len;
    const uint8_t *comma = n ? memchr(sr.msg_id.ptr, ',', n) : NULL;
    if (comma)
        n = (size_t)(comma - sr.msg_id.ptr);
    buf_view first = {sr.msg_id.ptr, n, 0};
    fclient_copy(res->offset_msg_id, sizeof res->offset_msg_id, first);
    return 0;
}

static int retriable(int rc)
{
    if (rc == FERRY_ERR_INVALID || rc == FERRY_ERR_NOMEM ||
        rc == FERRY_ERR_STATE)
        return 0;
    if (rc == FERRY_ERR_BROKER &&
        (ferry_last_response_code() == REMOTING_RESP_MESSAGE_ILLEGAL ||
         ferry_last_response_code() == REMOTING_RESP_INVALID_PARAMETER))
        return 0;
    return 1;
}

static int msg_valid(const ferry_msg *m)
{
    return m && m->topic && *m->topic && strlen(m->topic) < 256 &&
           (m->body || m->body_len == 0);
}

/* Sync send of msgs (n > 1 or batch: SEND_BATCH_MESSAGE) to q (fixed) or
 * to queue index sel (>= 0) or round robin with retries. */
static int send_sync(ferry_producer *p, const ferry_msg *msgs, int n, int batch,
                     int txn, const ferry_queue *fixed,
                     ferry_queue_selector sel, void *sel_arg,
                     ferry_send_result *res)
{
    wtable *qt = NULL;
    int rc, attempts;
    char failed_broker[128] = "";
    ferry_send_result tmp;

    if (!res)
        res = &tmp;
    for (int i = 0; i < n; i++)
        if (!msg_valid(&msgs[i]))
            return FERRY_ERR_INVALID;
    attempts = fixed || sel ? 1 : 1 + (p->c->conf.retries > 0
                                           ? p->c->conf.retries
                                           : 0);
    rc = FERRY_ERR_NO_ROUTE;
    for (int attempt = 0; attempt < attempts; attempt++) {
        wqueue target;
        if (fixed) {
            memset(&target, 0, sizeof target);
            target.q = *fixed;
            if ((rc = fclient_queue_addr(p->c, fixed, target.addr,
                                         sizeof target.addr)) != 0)
                return rc;
        } else {
            wtable_release(p, qt);
            qt = NULL;
            rc = write_queues(p, msgs[0].topic, attempt > 0, &qt);
            if (rc != 0) {
                if (!retriable(rc))
                    break;
                continue;
            }
            const wqueue *qs = qt->q;
            int nq = qt->n, idx;
            if (sel) {
                idx = sel(nq, &msgs[0], sel_arg);
                if (idx < 0 || idx >= nq) {
                    rc = FERRY_ERR_INVALID;
                    break;
                }
            } else {
                pthread_mutex_lock(&p->mu);
                idx = (int)(p->rr++ % (uint32_t)nq);
                pthread_mutex_unlock(&p->mu);
                /* after a failure prefer another broker */
                for (int k = 0; failed_broker[0] && k < nq; k++) {
                    if (strcmp(qs[(idx + k) % nq].q.broker_name,
                               failed_broker) != 0) {
                        idx = (idx + k) % nq;
                        break;
                    }
                }
            }
            target = qs[idx];
        }
        sendreq s;
        fresp resp;
        rc = sendreq_build(p, msgs, n, batch, txn, &target.q,
                           qt ? qt->via_default : 0, &s);
        if (rc == 0) {
            rc = fclient_call(p->c, target.addr, &s.h, s.raw_body, s.raw_len,
                              0, &resp);
            if (rc == 0) {
                rc = send_result(&resp.h, &target.q, s.uniq, res);
                fresp_release(&resp);
            }
        }
        sendreq_release(&s);
        if (rc == 0 || !retriable(rc))
            break;
        snprintf(failed_broker, sizeof failed_broker, "%s",
                 target.q.broker_name);
    }
    wtable_release(p, qt);
    return rc;
}

int ferry_producer_send(ferry_producer *p, const ferry_msg *msg,
                        ferry_send_result *r)
{
    if (!p || !msg)
        return FERRY_ERR_INVALID;
    return send_sync(p, msg, 1, 0, 0, NULL, NULL, NULL, r);
}

int ferry_producer_send_to(ferry_producer *p, const ferry_msg *msg,
                           const ferry_queue *q, ferry_send_result *r)
{
    if (!p || !msg || !q)
        return FERRY_ERR_INVALID;
    return send_sync(p, msg, 1, 0, 0, q, NULL, NULL, r);
}

int ferry_producer_send_select(ferry_producer *p, const ferry_msg *msg,
                               ferry_queue_selector sel, void *arg,
                               ferry_send_result *r)
{
    if (!p || !msg || !sel)
        return FERRY_ERR_INVALID;
    return send_sync(p, msg, 1, 0, 0, NULL, sel, arg, r);
}

int ferry_producer_send_batch(ferry_producer *p, const ferry_msg *msgs, int n,
                              const ferry_queue *q, ferry_send_result *r)
{
    if (!p || !msgs || n <= 0)
        return FERRY_ERR_INVALID;
    return send_sync(p, msgs, n, 1, 0, q, NULL, NULL, r);
}

/* async */

typedef struct async_ctx {
    ferry_send_cb cb;
    void *arg;
    ferry_queue q;
    char uniq[64];
} async_ctx;

static void async_done(void *arg, int err, const remoting_header *h,
                       buf_view body)
{
    async_ctx *ctx = arg;
    ferry_send_result res;
    char remark[256] = "";
    (void)body;

    if (err == 0) {
        err = send_result(h, &ctx->q, ctx->uniq, &res);
        if (err != 0)
            fclient_copy(remark, sizeof remark, h->remark);
    }
    ctx->cb(err, err == 0 ? &res : NULL, remark, ctx->arg);
    free(ctx);
}

static int send_nowait(ferry_producer *p, const ferry_msg *msg,
                       ferry_send_cb cb, void *arg)
{
    wtable *qt = NULL;
    int rc, idx;
    sendreq s;
    async_ctx *ctx = NULL;

    if (!p || !msg_valid(msg))
        return FERRY_ERR_INVALID;
    if ((rc = write_queues(p, msg->topic, 0, &qt)) != 0)
        return rc;
    const wqueue *qs = qt->q;
    pthread_mutex_lock(&p->mu);
    idx = (int)(p->rr++ % (uint32_t)qt->n);
    pthread_mutex_unlock(&p->mu);
    rc = sendreq_build(p, msg, 1, 0, 0, &qs[idx].q, qt->via_default, &s);
    if (rc == 0 && cb) {
        ctx = calloc(1, sizeof *ctx);
        if (!ctx) {
            rc = FERRY_ERR_NOMEM;
        } else {
            ctx->cb = cb;
            ctx->arg = arg;
            ctx->q = qs[idx].q;
            memcpy(ctx->uniq, s.uniq, sizeof ctx->uniq);
        }
    }
    if (rc == 0) {
        rc = fclient_send(p->c, qs[idx].addr, &s.h, s.raw_body, s.raw_len, 0,
                          1, cb ? async_done : NULL, ctx);
        if (rc != 0)
            free(ctx);
    }
    sendreq_release(&s);
    wtable_release(p, qt);
    return rc;
}

int ferry_producer_send_async(ferry_producer *p, const ferry_msg *msg,
                              ferry_send_cb cb, void *arg)
{
    if (!cb)
        return FERRY_ERR_INVALID;
    return send_nowait(p, msg, cb, arg);
}

int ferry_producer_send_oneway(ferry_producer *p, const ferry_msg *msg)
{
    return send_nowait(p, msg, NULL, NULL);
}

/* ------------------------------------------------------------------ */
/* transactions                                                        */
/* ------------------------------------------------------------------ */

static int32_t txn_code(ferry_txn_state st)
{
    switch (st) {
    case FERRY_TXN_COMMIT:
        return REMOTING_SYSFLAG_TRANSACTION_COMMIT;
    case FERRY_TXN_ROLLBACK:
        return REMOTING_SYSFLAG_TRANSACTION_ROLLBACK;
    default:
        return REMOTING_SYSFLAG_TRANSACTION_NOT;
    }
}

/* END_TRANSACTION, oneway, to addr.  Calling thread (may connect). */
static int txn_end(ferry_producer *p, const char *addr, int64_t tso,
                   int64_t clo, ferry_txn_state st, const char *msg_id,
                   const char *txn_id, int from_check)
{
    remoting_header h;
    wire_arena a;
    int rc;

    wire_arena_init(&a, 0, 0);
    fclient_request_init(p->c, &h, REMOTING_REQ_END_TRANSACTION);
    remoting_ext_add_str(&h, &a, "producerGroup", p->c->group);
    remoting_ext_add_i64(&h, &a, "tranStateTableOffset", tso);
    remoting_ext_add_i64(&h, &a, "commitLogOffset", clo);
    remoting_ext_add_i64(&h, &a, "commitOrRollback", txn_code(st));
    remoting_ext_add_str(&h, &a, "fromTransactionCheck",
                         from_check ? "true" : "false");
    remoting_ext_add_str(&h, &a, "msgId", msg_id);
    if (txn_id && *txn_id)
        remoting_ext_add_str(&h, &a, "transactionId", txn_id);
    rc = fclient_send(p->c, addr, &h, NULL, 0, 0, 1, NULL, NULL);
    wire_arena_release(&a);
    return rc;
}

/* HEART_BEAT naming our group as a producer to every routed broker (txn
 * thread). */
static void txn_heartbeat(ferry_producer *p)
{
    remoting_heartbeat hb;
    buf_view group = remoting_view(p->c->group);
    buf_writer w;
    char(*addrs)[128] = NULL;
    int n;

    memset(&hb, 0, sizeof hb);
    hb.client_id = remoting_view(p->c->client_id);
    hb.producer_groups = &group;
    hb.producer_count = 1;
    buf_writer_init(&w, 256, 0);
    if (remoting_heartbeat_encode(&w, &hb) != 0) {
        buf_writer_release(&w);
        return;
    }
    /* TBW102's brokers too, as Java's producer keeps that route: a
     * producer that has not sent yet can still answer check-backs for
     * its group's older transactions */
    fclient_route tbw;
    if (fclient_route_get(p->c, "TBW102", 0, &tbw) == 0)
        fclient_route_release(&tbw);
    n = fclient_route_addrs(p->c, &addrs);
    for (int i = 0; i < n; i++) {
        remoting_header h;
        fresp resp;
        fclient_request_init(p->c, &h, REMOTING_REQ_HEART_BEAT);
        if (fclient_call(p->c, addrs[i], &h, w.p, w.len, 0, &resp) == 0)
            fresp_release(&resp);
    }
    free(addrs);
    buf_writer_release(&w);
}

/* One check-back: decode the half message, ask the checker, answer. */
static void txn_check_run(ferry_producer *p, const fcheck *k)
{
    ferry_msg_list list;
    const char *pg, *uniq;
    ferry_txn_state st;

    if (fclient_msgs_decode(k->body, k->body_len, "", NULL, &list) != 0)
        return;
    if (list.count != 1) {
        ferry_msg_list_free(&list);
        return;
    }
    /* a check for another group's transaction is not ours to answer */
    pg = ferry_rmsg_property(list.msgs[0], REMOTING_PROP_PGROUP);
    if (pg && strcmp(pg, p->c->group) != 0) {
        ferry_msg_list_free(&list);
        return;
    }
    st = p->check_cb(p, list.msgs[0], p->check_arg);
    uniq = ferry_rmsg_property(list.msgs[0], REMOTING_PROP_UNIQ_KEY);
    txn_end(p, k->addr, k->tran_state_table_offset, k->commit_log_offset, st,
            uniq ? uniq : k->msg_id, k->transaction_id, 1);
    ferry_msg_list_free(&list);
}

static void *txn_main(void *arg)
{
    ferry_producer *p = arg;
    int64_t next_hb = 0;

    pthread_mutex_lock(&p->tmu);
    while (!p->txn_stopping) {
        fcheck *k = p->checks;
        if (k) {
            p->checks = k->next;
            if (!p->checks)
                p->checks_tail = NULL;
            p->check_count--;
            pthread_mutex_unlock(&p->tmu);
            txn_check_run(p, k);
            free(k);
            pthread_mutex_lock(&p->tmu);
            continue;
        }
        int64_t now = fclient_now_ms();
        if (now >= next_hb) {
            pthread_mutex_unlock(&p->tmu);
            txn_heartbeat(p);
            next_hb = fclient_now_ms() + p->c->conf.heartbeat_interval_ms;
            pthread_mutex_lock(&p->tmu);
            continue;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t wait = next_hb - now;
        ts.tv_sec += wait / 1000;
        ts.tv_nsec += (wait % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        if (!p->checks && !p->txn_stopping)
            pthread_cond_timedwait(&p->tcond, &p->tmu, &ts);
    }
    pthread_mutex_unlock(&p->tmu);
    return NULL;
}

static void copy_ext(const remoting_header *h, const char *key, char *dst,
                     size_t cap)
{
    buf_view v = {NULL, 0, 1};
    remoting_ext_find(h, key, &v);
    fclient_copy(dst, cap, v);
}

/* CHECK_TRANSACTION_STATE (I/O thread): copy and hand to the txn thread. */
static int txn_on_request(void *arg, const char *addr, const remoting_header *h,
                          buf_view body)
{
    ferry_producer *p = arg;
    fcheck *k;

    if (h->code != REMOTING_REQ_CHECK_TRANSACTION_STATE)
        return 0;
    if (body.is_null || !body.ptr)
        body.len = 0;
    k = malloc(sizeof *k + body.len);
    if (!k)
        return 1;
    memset(k, 0, sizeof *k);
    snprintf(k->addr, sizeof k->addr, "%s", addr);
    if (remoting_ext_get_i64(h, "tranStateTableOffset",
                             &k->tran_state_table_offset) != 0 ||
        remoting_ext_get_i64(h, "commitLogOffset", &k->commit_log_offset) !=
            0) {
        free(k);
        return 1;
    }
    copy_ext(h, "msgId", k->msg_id, sizeof k->msg_id);
    copy_ext(h, "transactionId", k->transaction_id, sizeof k->transaction_id);
    k->body_len = body.len;
    if (body.len)
        memcpy(k->body, body.ptr, body.len);
    pthread_mutex_lock(&p->tmu);
    if (p->check_count >= TXN_CHECKS_MAX || p->txn_stopping) {
        pthread_mutex_unlock(&p->tmu);
        free(k); /* the broker asks again at its next run */
        return 1;
    }
    if (p->checks_tail)
        p->checks_tail->next = k;
    else
        p->checks = k;
    p->checks_tail = k;
    p->check_count++;
    pthread_cond_signal(&p->tcond);
    pthread_mutex_unlock(&p->tmu);
    return 1;
}

int ferry_producer_set_txn_checker(ferry_producer *p, ferry_txn_check_cb cb,
                                   void *arg)
{
    if (!p || !cb)
        return FERRY_ERR_INVALID;
    if (p->txn_started)
        return FERRY_ERR_STATE;
    p->check_cb = cb;
    p->check_arg = arg;
    if (p->c->conf.heartbeat_interval_ms <= 0)
        p->c->conf.heartbeat_interval_ms = 30000;
    if (pthread_create(&p->txn_thread, NULL, txn_main, p) != 0)
        return FERRY_ERR_NOMEM;
    p->txn_started = 1;
    pthread_mutex_lock(&p->c->mu);
    p->c->server_req = txn_on_request;
    p->c->server_req_arg = p;
    pthread_mutex_unlock(&p->c->mu);
    return 0;
}

int ferry_producer_send_txn(ferry_producer *p, const ferry_msg *msg,
                            ferry_txn_execute_cb execute, void *arg,
                            ferry_send_result *r, ferry_txn_state *state)
{
    ferry_send_result tmp;
    ferry_txn_state st = FERRY_TXN_ROLLBACK;
    remoting_host host;
    int64_t clo = -1;
    char addr[128] = "";
    int rc;

    if (state)
        *state = FERRY_TXN_UNKNOWN;
    if (!p || !msg || !execute)
        return FERRY_ERR_INVALID;
    if (!p->txn_started)
        return FERRY_ERR_STATE;
    if (!r)
        r = &tmp;
    rc = send_sync(p, msg, 1, 0, 1, NULL, NULL, NULL, r);
    if (rc != 0)
        return rc;
    if (r->status == FERRY_SEND_OK)
        st = execute(p, msg, r, arg);
    if (state)
        *state = st;
    /* where to end it: the half message's broker (its route), else the
     * store host inside the offsetMsgId */
    if (remoting_offset_msgid_decode(r->offset_msg_id, strlen(r->offset_msg_id),
                                     &host, &clo) != 0)
        return 0; /* no offset to name: the check-back decides */
    if (fclient_queue_addr(p->c, &r->queue, addr, sizeof addr) != 0) {
        char ip[64];
        if (!host.is_v6 && inet_ntop(AF_INET, host.ip, ip, sizeof ip))
            snprintf(addr, sizeof addr, "%s:%d", ip, (int)host.port);
    }
    if (addr[0])
        txn_end(p, addr, r->queue_offset, clo, st, r->msg_id, r->msg_id, 0);
    return 0;
}
