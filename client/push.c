/*
 * push.c - the push consumer.
 *
 * Threads and what they own:
 *   service thread  heartbeats, rebalancing, offset commits, re-pulls after
 *                   errors; the only one that adds or drops process queues
 *                   and the only one that connects.
 *   I/O thread      pull answers (pull_done): messages cut into batches of
 *                   consume_batch_size, queued for the consumer threads,
 *                   then the next pull (or a 50 ms timer while the queue
 *                   holds more than pull_threshold_per_queue messages).
 *   consume threads the user callback, one batch at a time.
 * Everything below is guarded by pc->mu (never held across a network call
 * or a callback).
 *
 * A process queue (pq) is a subscribed queue assigned to this member.  Its
 * references: the assignment list (1), the pull chain (1 while a pull is
 * in flight, scheduled or waiting for a retry), and each of its batches.
 * Its batches stay on pq->head in pull order until consumed, so the offset
 * to commit is the first batch not yet consumed (or, with none left, the
 * next offset to pull): at-least-once, never past a message the callback
 * has not finished.
 *
 * Pull chain per pq:
 *
 *   service: add pq --> pq_pull --(send)--> broker parks it <= long_poll_ms
 *       ^                 ^  |                    |
 *       | retry_at        |  +--> 50 ms timer (flow control)
 *       +-- error --------+--------- pull_done <--+
 *
 * Orderly (conf.orderly): a pq is "busy" while a consume thread runs a
 * batch of it, and the others skip its batches, so one queue is consumed
 * by one callback at a time in pull order.  In CLUSTERING a pq is
 * consumed only while "locked": LOCK_BATCH_MQ before it is added and again
 * at every rebalance pass (the broker's lock lasts 60 s), UNLOCK_BATCH_MQ
 * after its offset is committed on drop and at shutdown.
 *
 * Retry (CLUSTERING, not orderly): a batch the callback answers
 * FERRY_CONSUME_LATER is sent back message by message
 * (CONSUMER_SEND_MSG_BACK, delayLevel 0: the broker stores it in
 * %RETRY%<group> through delay level 3 + reconsumeTimes, or in %DLQ%<group>
 * past maxReconsumeTimes) on the consume thread; what the broker took back
 * counts as consumed, what it did not is redelivered locally after 1 s with
 * reconsume_times + 1 (Java's fallback is to send it to %RETRY% itself).
 * CLUSTERING members subscribe %RETRY%<group> ("*") on their own, as Java
 * does; its messages are handed over with their original topic
 * (RETRY_TOPIC).  BROADCASTING and orderly keep the local redelivery.
 *
 * Rebalancing (CLUSTERING): the group's client ids from a broker, sorted;
 * the topic's read queues sorted by broker name and id; this member takes
 * its slice as Java's AllocateMessageQueueAveragely does.  BROADCASTING
 * takes every queue and keeps offsets locally (memory, or the file
 * conf.offset_store_path: "topic\tbroker\tqueue\toffset" lines, rewritten
 * atomically at each commit).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client_int.h"
#include "remoting_client.h"

#define FLOW_CONTROL_DELAY_MS 50
#define RETRY_DELAY_MS        1000

#define MAX_SUBS 16

typedef struct fsub {
    char *topic;
    char *expr;
    ftag_filter tf;
    int64_t version;
    int is_retry; /* %RETRY%<group>, subscribed by start (CLUSTERING) */
} fsub;

typedef struct fpq fpq;

typedef struct fbatch {
    struct fbatch *next;    /* consume queue */
    struct fbatch *pq_next; /* pq's in-order list */
    fpq *pq;
    ferry_msg_list msgs;
    int64_t first;
} fbatch;

struct fpq {
    fpq *next;
    ferry_queue q;
    char addr[128];
    fsub *sub;
    int refs;
    int dropped;
    int64_t next_offset;
    int64_t committed;
    int cached;
    fbatch *head;
    int pulling;
    int64_t retry_at;
    int locked; /* orderly CLUSTERING: this member holds the broker lock */
    int busy;   /* consume threads running one of its batches (orderly: 0/1) */
};

typedef struct floc {
    ferry_queue q;
    int64_t offset;
} floc;

struct ferry_push_consumer {
    fclient *c;
    ferry_conf conf;
    char *offset_path;
    fsub subs[MAX_SUBS + 1]; /* + the retry topic */
    int sub_count;
    ferry_consume_cb cb;
    void *cb_arg;

    pthread_mutex_t mu;
    pthread_cond_t work_cond;
    pthread_cond_t service_cond;
    int started, stopping, need_rebalance;
    int64_t rebalance_soon; /* a lock was refused, or the retry topic has
                               no route yet: try again */
    int64_t started_ms;
    pthread_t service;
    pthread_t *workers;
    int worker_count;

    fpq *pqs;
    fbatch *queue_head, *queue_tail;

    floc *local; /* BROADCASTING offsets */
    int local_count, local_cap;
};

static int64_t mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* mu held: drop n references */
static void pq_unref_n(fpq *pq, int n)
{
    pq->refs -= n;
    if (pq->refs == 0)
        free(pq);
}

static void pq_unref(fpq *pq)
{
    pq_unref_n(pq, 1);
}

/* The offset to commit (mu held): first unconsumed batch, or next pull. */
static int64_t pq_consumed(const fpq *pq)
{
    return pq->head ? pq->head->first : pq->next_offset;
}

/* ------------------------------------------------------------------ */
/* local offsets (BROADCASTING)                                        */
/* ------------------------------------------------------------------ */

static floc *local_find(ferry_push_consumer *pc, const ferry_queue *q)
{
    for (int i = 0; i < pc->local_count; i++)
        if (pc->local[i].q.queue_id == q->queue_id &&
            !strcmp(pc->local[i].q.topic, q->topic) &&
            !strcmp(pc->local[i].q.broker_name, q->broker_name))
            return &pc->local[i];
    return NULL;
}

static void local_set(ferry_push_consumer *pc, const ferry_queue *q,
                      int64_t offset)
{
    floc *l = local_find(pc, q);
    if (!l) {
        if (pc->local_count == pc->local_cap) {
            int ncap = pc->local_cap ? pc->local_cap * 2 : 16;
            floc *bigger = realloc(pc->local, (size_t)ncap * sizeof(*bigger));
            if (!bigger)
                return;
            pc->local = bigger;
            pc->local_cap = ncap;
        }
        l = &pc->local[pc->local_count++];
        l->q = *q;
    }
    l->offset = offset;
}

static void local_load(ferry_push_consumer *pc)
{
    FILE *f;
    char line[1024];

    if (!pc->offset_path || !(f = fopen(pc->offset_path, "r")))
        return;
    while (fgets(line, sizeof line, f)) {
        char *save = NULL, *t = strtok_r(line, "\t\n", &save);
        char *b = strtok_r(NULL, "\t\n", &save);
        char *qid = strtok_r(NULL, "\t\n", &save);
        char *off = strtok_r(NULL, "\t\n", &save);
        ferry_queue q;
        if (!t || !b || !qid || !off)
            continue;
        fclient_queue_set(&q, t, b, atoi(qid));
        local_set(pc, &q, strtoll(off, NULL, 10));
    }
    fclose(f);
}

/* mu held */
static void local_save(ferry_push_consumer *pc)
{
    char tmp[4096];
    FILE *f;

    if (!pc->offset_path)
        return;
    snprintf(tmp, sizeof tmp, "%s.tmp", pc->offset_path);
    if (!(f = fopen(tmp, "w")))
        return;
    for (int i = 0; i < pc->local_count; i++)
        fprintf(f, "%s\t%s\t%d\t%lld\n", pc->local[i].q.topic,
                pc->local[i].q.broker_name, (int)pc->local[i].q.queue_id,
                (long long)pc->local[i].offset);
    if (fclose(f) == 0)
        rename(tmp, pc->offset_path);
}

/* ------------------------------------------------------------------ */
/* pulling                                                             */
/* ------------------------------------------------------------------ */

static void pq_pull(ferry_push_consumer *pc, fpq *pq, int may_connect);

/* mu held: the chain stops (dropped, closing). */
static void chain_end(fpq *pq)
{
    pq->pulling = 0;
    pq_unref(pq);
}

typedef struct pull_ctx {
    ferry_push_consumer *pc;
    fpq *pq;
} pull_ctx;

static void flow_timer(void *arg)
{
    pull_ctx *x = arg;
    ferry_push_consumer *pc = x->pc;
    fpq *pq = x->pq;
    free(x);
    pq_pull(pc, pq, 0);
}

static void pull_done(void *arg, int err, const remoting_header *h,
                      buf_view body)
{
    pull_ctx *x = arg;
    ferry_push_consumer *pc = x->pc;
    fpq *pq = x->pq;
    ferry_pull_result r;
    int rc = err;

    free(x);
    memset(&r, 0, sizeof r);
    if (rc == 0)
        rc = fpull_result(h, body, pq->q.broker_name, &pq->sub->tf, &r);
    if (rc == 0 && pq->sub->is_retry) {
        /* redeliveries: under the topic they were first sent to */
        for (int i = 0; i < r.msgs.count; i++) {
            ferry_rmsg *m = r.msgs.msgs[i];
            const char *orig =
                ferry_rmsg_property(m, REMOTING_PROP_RETRY_TOPIC);
            if (orig && *orig && !strcmp(m->topic, pq->q.topic))
                m->topic = orig;
        }
    }
    pthread_mutex_lock(&pc->mu);
    if (pq->dropped || pc->stopping || err == FERRY_ERR_STATE) {
        chain_end(pq);
        pthread_mutex_unlock(&pc->mu);
        ferry_pull_result_release(&r);
        return;
    }
    if (rc != 0) {
        pq->retry_at = mono_now() + RETRY_DELAY_MS; /* service re-pulls */
        pthread_mutex_unlock(&pc->mu);
        ferry_pull_result_release(&r);
        return;
    }
    if (r.status == FERRY_PULL_FOUND) {
        int per = pc->conf.consume_batch_size > 0 ? pc->conf.consume_batch_size
                                                  : 1;
        fbatch **tailp = &pq->head;
        while (*tailp)
            tailp = &(*tailp)->pq_next;
        for (int i = 0; i < r.msgs.count; i += per) {
            int n = r.msgs.count - i < per ? r.msgs.count - i : per;
            fbatch *b = calloc(1, sizeof *b);
            ferry_rmsg **arr = b ? malloc((size_t)n * sizeof(*arr)) : NULL;
            if (!arr) {
                /* out of memory: drop the rest, pull them again later */
                free(b);
                r.next_begin_offset = r.msgs.msgs[i]->queue_offset;
                for (int k = i; k < r.msgs.count; k++)
                    fclient_rmsg_free(r.msgs.msgs[k]);
                break;
            }
            memcpy(arr, &r.msgs.msgs[i], (size_t)n * sizeof(*arr));
            b->msgs.msgs = arr;
            b->msgs.count = n;
            b->first = arr[0]->queue_offset;
            b->pq = pq;
            pq->refs++;
            pq->cached += n;
            *tailp = b;
            tailp = &b->pq_next;
            if (pc->queue_tail)
                pc->queue_tail->next = b;
            else
                pc->queue_head = b;
            pc->queue_tail = b;
        }
        free(r.msgs.msgs); /* the messages now belong to the batches */
        r.msgs.msgs = NULL;
        r.msgs.count = 0;
        pthread_cond_broadcast(&pc->work_cond);
    }
    pq->next_offset = r.next_begin_offset;
    pthread_mutex_unlock(&pc->mu);
    pq_pull(pc, pq, 0);
}

/* Issue the next pull of pq's chain (the chain's reference moves along). */
static void pq_pull(ferry_push_consumer *pc, fpq *pq, int may_connect)
{
    remoting_header h;
    wire_arena a;
    pull_ctx *x;
    int64_t offset;
    int rc;

    pthread_mutex_lock(&pc->mu);
    if (pq->dropped || pc->stopping || fclient_closing(pc->c)) {
        chain_end(pq);
        pthread_mutex_unlock(&pc->mu);
        return;
    }
    x = malloc(sizeof *x);
    if (!x) {
        pq->retry_at = mono_now() + RETRY_DELAY_MS;
        pthread_mutex_unlock(&pc->mu);
        return;
    }
    x->pc = pc;
    x->pq = pq;
    if (pq->cached > pc->conf.pull_threshold_per_queue) {
        pthread_mutex_unlock(&pc->mu);
        if (fclient_later(pc->c, FLOW_CONTROL_DELAY_MS, flow_timer, x) != 0) {
            free(x);
            pthread_mutex_lock(&pc->mu);
            chain_end(pq);
            pthread_mutex_unlock(&pc->mu);
        }
        return;
    }
    offset = pq->next_offset;
    pthread_mutex_unlock(&pc->mu);

    wire_arena_init(&a, 0, 0);
    fpull_build(pc->c, &h, &a, pc->c->group, &pq->q, offset,
                pc->conf.pull_batch_size, pq->sub->expr, pc->conf.long_poll_ms,
                0);
    rc = fclient_send(pc->c, pq->addr, &h, NULL, 0,
                      pc->conf.long_poll_ms + 5000, may_connect, pull_done, x);
    wire_arena_release(&a);
    if (rc != 0) {
        free(x);
        pthread_mutex_lock(&pc->mu);
        if (rc == FERRY_ERR_STATE || pq->dropped || pc->stopping)
            chain_end(pq);
        else
            pq->retry_at = mono_now() + RETRY_DELAY_MS;
        pthread_mutex_unlock(&pc->mu);
    }
}

/* ------------------------------------------------------------------ */
/* consume threads                                                     */
/* ------------------------------------------------------------------ */

/* mu held: b is consumed or discarded; unlink from its pq. */
static void batch_finish(fbatch *b)
{
    fpq *pq = b->pq;
    for (fbatch **pp = &pq->head; *pp; pp = &(*pp)->pq_next) {
        if (*pp == b) {
            *pp = b->pq_next;
            break;
        }
    }
    pq->cached -= b->msgs.count;
    pq_unref(pq);
}

/* mu held: may a consume thread take b now? */
static int batch_ready(const ferry_push_consumer *pc, const fbatch *b)
{
    if (!pc->conf.orderly || b->pq->dropped)
        return 1;
    return !b->pq->busy && (b->pq->locked || pc->conf.model ==
                                                 FERRY_BROADCASTING);
}

/* mu held: unlink and return the first batch ready to consume, or NULL. */
static fbatch *take_batch(ferry_push_consumer *pc)
{
    fbatch *prev = NULL;
    for (fbatch *b = pc->queue_head; b; prev = b, b = b->next) {
        if (!batch_ready(pc, b))
            continue;
        if (prev)
            prev->next = b->next;
        else
            pc->queue_head = b->next;
        if (pc->queue_tail == b)
            pc->queue_tail = prev;
        b->next = NULL;
        return b;
    }
    return NULL;
}

/* conf.max_reconsume_times, or Java's meaning of -1: 16, unlimited when
 * orderly (INT32_MAX). */
static int32_t max_reconsume(const ferry_push_consumer *pc)
{
    if (pc->conf.max_reconsume_times >= 0)
        return pc->conf.max_reconsume_times;
    return pc->conf.orderly ? INT32_MAX : 16;
}

/* Does a LATER batch go back to the broker?  CLUSTERING only; orderly only
 * once a message has used up its retries (then to the DLQ). */
static int uses_send_back(const ferry_push_consumer *pc)
{
    return pc->conf.model == FERRY_CLUSTERING &&
           (!pc->conf.orderly || max_reconsume(pc) != INT32_MAX);
}

/* CONSUMER_SEND_MSG_BACK for m, to the broker it came from (delay_level 0:
 * the broker's 3 + reconsumeTimes; -1: the DLQ at once).  Consume thread;
 * 0 when the broker took it. */
static int send_back(ferry_push_consumer *pc, const fpq *pq,
                     const ferry_rmsg *m, int delay_level)
{
    remoting_header h;
    wire_arena a;
    fresp resp;
    int rc;

    wire_arena_init(&a, 0, 0);
    fclient_request_init(pc->c, &h, REMOTING_REQ_CONSUMER_SEND_MSG_BACK);
    remoting_ext_add_i64(&h, &a, "offset", m->commitlog_offset);
    remoting_ext_add_str(&h, &a, "group", pc->c->group);
    remoting_ext_add_i64(&h, &a, "delayLevel", delay_level);
    remoting_ext_add_str(&h, &a, "originMsgId", m->msg_id);
    remoting_ext_add_str(&h, &a, "originTopic", m->topic);
    remoting_ext_add_str(&h, &a, "unitMode", "false");
    remoting_ext_add_i64(&h, &a, "maxReconsumeTimes", max_reconsume(pc));
    remoting_ext_add_str(&h, &a, "bname", pq->q.broker_name);
    rc = fclient_call(pc->c, pq->addr, &h, NULL, 0, 0, &resp);
    wire_arena_release(&a);
    if (rc != 0)
        return rc;
    rc = fclient_check(&resp.h, REMOTING_RESP_SUCCESS);
    fresp_release(&resp);
    return rc;
}

/* Send back the messages of b after a LATER (mu not held; b is ours while
 * pq->busy): every one (concurrently), or, orderly, those that used up
 * their retries, straight to the DLQ (as Java's orderly consumer does once
 * reconsumeTimes reaches the maximum).  Those the broker took leave the
 * batch. */
static void send_back_batch(ferry_push_consumer *pc, fbatch *b)
{
    int kept = 0, n = b->msgs.count;
    ferry_rmsg **gone = malloc((size_t)n * sizeof(*gone));
    int ngone = 0, orderly = pc->conf.orderly;
    int32_t max = max_reconsume(pc);

    if (!gone)
        return;
    for (int i = 0; i < n; i++) {
        ferry_rmsg *m = b->msgs.msgs[i];
        if ((!orderly || m->reconsume_times >= max) &&
            send_back(pc, b->pq, m, orderly ? -1 : 0) == 0)
            gone[ngone++] = m;
        else
            b->msgs.msgs[kept++] = m;
    }
    pthread_mutex_lock(&pc->mu);
    b->msgs.count = kept;
    b->pq->cached -= ngone;
    if (kept)
        b->first = b->msgs.msgs[0]->queue_offset;
    pthread_mutex_unlock(&pc->mu);
    for (int i = 0; i < ngone; i++)
        fclient_rmsg_free(gone[i]);
    free(gone);
}

static void *consume_main(void *arg)
{
    ferry_push_consumer *pc = arg;

    pthread_mutex_lock(&pc->mu);
    for (;;) {
        fbatch *b = NULL;
        while (!pc->stopping && (b = take_batch(pc)) == NULL)
            pthread_cond_wait(&pc->work_cond, &pc->mu);
        if (pc->stopping) {
            if (b) { /* not consumed: back to the front */
                b->next = pc->queue_head;
                pc->queue_head = b;
                if (!pc->queue_tail)
                    pc->queue_tail = b;
            }
            break;
        }
        b->pq->busy++;
        while (!b->pq->dropped && !pc->stopping) {
            ferry_consume_status st;
            pthread_mutex_unlock(&pc->mu);
            st = pc->cb(pc, b->msgs.msgs, b->msgs.count, pc->cb_arg);
            if (st != FERRY_CONSUME_SUCCESS && uses_send_back(pc))
                send_back_batch(pc, b);
            pthread_mutex_lock(&pc->mu);
            if (st == FERRY_CONSUME_SUCCESS || b->msgs.count == 0)
                break;
            for (int i = 0; i < b->msgs.count; i++)
                b->msgs.msgs[i]->reconsume_times++;
            /* RECONSUME_LATER: the same messages again after a second
             * (the queue waits meanwhile when orderly) */
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += 1;
            while (!pc->stopping &&
                   pthread_cond_timedwait(&pc->service_cond, &pc->mu, &ts) !=
                       ETIMEDOUT)
                ;
            if (pc->stopping) {
                /* not consumed: it must not count as consumed; put it back
                 * so the commit stops before it */
                b->pq->busy--;
                b->next = pc->queue_head;
                pc->queue_head = b;
                if (!pc->queue_tail)
                    pc->queue_tail = b;
                b = NULL;
                break;
            }
        }
        if (b) {
            b->pq->busy--;
            batch_finish(b);
            pthread_cond_broadcast(&pc->work_cond); /* its next batch */
            pthread_mutex_unlock(&pc->mu);
            ferry_msg_list_free(&b->msgs);
            free(b);
            pthread_mutex_lock(&pc->mu);
        }
    }
    pthread_mutex_unlock(&pc->mu);
    return NULL;
}

/* ------------------------------------------------------------------ */
/* offsets                                                             */
/* ------------------------------------------------------------------ */

typedef struct commit_item {
    fpq *pq;
    ferry_queue q;
    int64_t offset;
} commit_item;

/* Commit pq offsets that moved (only `only` when not NULL). */
static void commit_offsets(ferry_push_consumer *pc, fpq *only)
{
    commit_item *items;
    int n = 0, cap = 0;

    pthread_mutex_lock(&pc->mu);
    for (fpq *pq = pc->pqs; pq; pq = pq->next)
        cap++;
    if (only)
        cap = 1;
    items = cap ? calloc((size_t)cap, sizeof(*items)) : NULL;
    for (fpq *pq = only ? only : pc->pqs; items && pq;
         pq = only ? NULL : pq->next) {
        int64_t off = pq_consumed(pq);
        if (off < 0 || off == pq->committed)
            continue;
        if (pc->conf.model == FERRY_BROADCASTING) {
            local_set(pc, &pq->q, off);
            pq->committed = off;
            continue;
        }
        items[n].pq = pq;
        items[n].q = pq->q;
        items[n].offset = off;
        pq->refs++;
        n++;
    }
    if (pc->conf.model == FERRY_BROADCASTING)
        local_save(pc);
    pthread_mutex_unlock(&pc->mu);
    for (int i = 0; i < n; i++) {
        int rc = fclient_queue_offset(pc->c, REMOTING_REQ_UPDATE_CONSUMER_OFFSET,
                                      pc->c->group, &items[i].q,
                                      items[i].offset, NULL);
        pthread_mutex_lock(&pc->mu);
        if (rc == 0)
            items[i].pq->committed = items[i].offset;
        pq_unref(items[i].pq);
        pthread_mutex_unlock(&pc->mu);
    }
    free(items);
}

/* Where a newly assigned queue starts. */
static int64_t initial_offset(ferry_push_consumer *pc, const ferry_queue *q)
{
    int64_t off = -1;
    int rc;

    if (pc->conf.model == FERRY_BROADCASTING) {
        pthread_mutex_lock(&pc->mu);
        floc *l = local_find(pc, q);
        if (l)
            off = l->offset;
        pthread_mutex_unlock(&pc->mu);
        if (off >= 0)
            return off;
    } else {
        rc = fclient_queue_offset(pc->c, REMOTING_REQ_QUERY_CONSUMER_OFFSET,
                                  pc->c->group, q, 0, &off);
        if (rc == 0 && off >= 0)
            return off;
        if (rc != FERRY_ERR_NOT_FOUND)
            return -1; /* unknown: try again at the next rebalance */
    }
    switch (pc->conf.consume_from) {
    case FERRY_CONSUME_FROM_FIRST_OFFSET:
        rc = fclient_queue_offset(pc->c, REMOTING_REQ_GET_MIN_OFFSET, NULL, q,
                                  0, &off);
        break;
    case FERRY_CONSUME_FROM_TIMESTAMP:
        rc = fclient_queue_offset(pc->c,
                                  REMOTING_REQ_SEARCH_OFFSET_BY_TIMESTAMP,
                                  NULL, q, pc->conf.consume_timestamp_ms,
                                  &off);
        break;
    default:
        rc = fclient_queue_offset(pc->c, REMOTING_REQ_GET_MAX_OFFSET, NULL, q,
                                  0, &off);
        break;
    }
    return rc == 0 ? off : -1;
}

/* ------------------------------------------------------------------ */
/* heartbeat, rebalance                                                */
/* ------------------------------------------------------------------ */

static const char *model_name(const ferry_push_consumer *pc)
{
    return pc->conf.model == FERRY_BROADCASTING ? "BROADCASTING"
                                                : "CLUSTERING";
}

static const char *from_name(const ferry_push_consumer *pc)
{
    switch (pc->conf.consume_from) {
    case FERRY_CONSUME_FROM_FIRST_OFFSET:
        return "CONSUME_FROM_FIRST_OFFSET";
    case FERRY_CONSUME_FROM_TIMESTAMP:
        return "CONSUME_FROM_TIMESTAMP";
    default:
        return "CONSUME_FROM_LAST_OFFSET";
    }
}

/* Distinct master addresses of the subscribed topics (malloc'd). */
static int broker_addrs(ferry_push_consumer *pc, char (**out)[128])
{
    char(*addrs)[128] = NULL;
    int n = 0, cap = 0;

    for (int s = 0; s < pc->sub_count; s++) {
        fclient_route r;
        if (fclient_route_get(pc->c, pc->subs[s].topic, 0, &r) != 0)
            continue;
        for (int i = 0; i < r.broker_count; i++) {
            int seen = !r.brokers[i].addr[0];
            for (int k = 0; k < n && !seen; k++)
                seen = !strcmp(addrs[k], r.brokers[i].addr);
            if (seen)
                continue;
            if (n == cap) {
                int ncap = cap ? cap * 2 : 4;
                char(*bigger)[128] =
                    realloc(addrs, (size_t)ncap * sizeof(*bigger));
                if (!bigger)
                    break;
                addrs = bigger;
                cap = ncap;
            }
            memcpy(addrs[n++], r.brokers[i].addr, 128);
        }
        fclient_route_release(&r);
    }
    *out = addrs;
    return n;
}

static void heartbeat(ferry_push_consumer *pc)
{
    remoting_subscription subs[MAX_SUBS + 1];
    remoting_consumer_data cd;
    remoting_heartbeat hb;
    buf_writer w;
    char(*addrs)[128];
    int n;

    memset(subs, 0, sizeof subs);
    for (int i = 0; i < pc->sub_count; i++) {
        subs[i].topic = remoting_view(pc->subs[i].topic);
        subs[i].sub_string = remoting_view(pc->subs[i].expr);
        subs[i].expression_type = remoting_view("TAG");
        subs[i].sub_version = pc->subs[i].version;
    }
    memset(&cd, 0, sizeof cd);
    cd.group_name = remoting_view(pc->c->group);
    cd.consume_type = remoting_view("CONSUME_PASSIVELY");
    cd.message_model = remoting_view(model_name(pc));
    cd.consume_from_where = remoting_view(from_name(pc));
    cd.subscriptions = subs;
    cd.subscription_count = pc->sub_count;
    memset(&hb, 0, sizeof hb);
    hb.client_id = remoting_view(pc->c->client_id);
    hb.consumers = &cd;
    hb.consumer_count = 1;
    buf_writer_init(&w, 512, 0);
    if (remoting_heartbeat_encode(&w, &hb) != 0) {
        buf_writer_release(&w);
        return;
    }
    n = broker_addrs(pc, &addrs);
    for (int i = 0; i < n; i++) {
        remoting_header h;
        fresp resp;
        fclient_request_init(pc->c, &h, REMOTING_REQ_HEART_BEAT);
        if (fclient_call(pc->c, addrs[i], &h, w.p, w.len, 0, &resp) == 0)
            fresp_release(&resp);
    }
    free(addrs);
    buf_writer_release(&w);
}

static void unregister(ferry_push_consumer *pc)
{
    char(*addrs)[128];
    int n = broker_addrs(pc, &addrs);
    for (int i = 0; i < n; i++) {
        remoting_header h;
        wire_arena a;
        fresp resp;
        wire_arena_init(&a, 0, 0);
        fclient_request_init(pc->c, &h, REMOTING_REQ_UNREGISTER_CLIENT);
        remoting_ext_add_str(&h, &a, "clientID", pc->c->client_id);
        remoting_ext_add_str(&h, &a, "consumerGroup", pc->c->group);
        if (fclient_call(pc->c, addrs[i], &h, NULL, 0, 0, &resp) == 0)
            fresp_release(&resp);
        wire_arena_release(&a);
    }
    free(addrs);
}

/* LOCK_BATCH_MQ (lock = 1) or UNLOCK_BATCH_MQ for qs on addr; with lock,
 * granted[i] says which the broker gave us.  0 or FERRY_ERR_*. */
static int lock_queues(ferry_push_consumer *pc, const char *addr,
                       const ferry_queue *qs, int n, int lock, int *granted)
{
    remoting_message_queue *mqs;
    remoting_lock_batch lb;
    remoting_header h;
    buf_writer w;
    fresp resp;
    int rc;

    if (n <= 0)
        return 0;
    mqs = calloc((size_t)n, sizeof(*mqs));
    if (!mqs)
        return FERRY_ERR_NOMEM;
    for (int i = 0; i < n; i++) {
        mqs[i].topic = remoting_view(qs[i].topic);
        mqs[i].broker_name = remoting_view(qs[i].broker_name);
        mqs[i].queue_id = qs[i].queue_id;
    }
    memset(&lb, 0, sizeof lb);
    lb.consumer_group = remoting_view(pc->c->group);
    lb.client_id = remoting_view(pc->c->client_id);
    lb.mqs = mqs;
    lb.mq_count = n;
    buf_writer_init(&w, 256, 0);
    rc = remoting_lock_batch_encode(&w, &lb) == 0 ? 0 : FERRY_ERR_NOMEM;
    free(mqs);
    if (rc == 0) {
        fclient_request_init(pc->c, &h,
                             lock ? REMOTING_REQ_LOCK_BATCH_MQ
                                  : REMOTING_REQ_UNLOCK_BATCH_MQ);
        rc = fclient_call(pc->c, addr, &h, w.p, w.len, 0, &resp);
    }
    buf_writer_release(&w);
    if (rc != 0)
        return rc;
    rc = fclient_check(&resp.h, REMOTING_RESP_SUCCESS);
    if (rc == 0 && lock) {
        remoting_message_queue *ok;
        int32_t nok;
        wire_arena a;
        wire_arena_init(&a, 0, 0);
        if (remoting_lock_batch_response_decode(resp.body.ptr, resp.body.len,
                                                &a, &ok, &nok) != 0) {
            rc = FERRY_ERR_PROTOCOL;
        } else {
            for (int i = 0; i < n; i++) {
                granted[i] = 0;
                for (int32_t k = 0; k < nok && !granted[i]; k++) {
                    char t[256], b[128];
                    fclient_copy(t, sizeof t, ok[k].topic);
                    fclient_copy(b, sizeof b, ok[k].broker_name);
                    granted[i] = ok[k].queue_id == qs[i].queue_id &&
                                 !strcmp(t, qs[i].topic) &&
                                 !strcmp(b, qs[i].broker_name);
                }
            }
        }
        wire_arena_release(&a);
    }
    fresp_release(&resp);
    return rc;
}

static int orderly_locks(const ferry_push_consumer *pc)
{
    return pc->conf.orderly && pc->conf.model == FERRY_CLUSTERING;
}

/* Renew the locks of every assigned queue (every rebalance pass). */
static void relock_all(ferry_push_consumer *pc)
{
    typedef struct item {
        fpq *pq;
        ferry_queue q;
        char addr[128];
    } item;
    item *items = NULL;
    int n = 0, cap = 0;

    if (!orderly_locks(pc))
        return;
    pthread_mutex_lock(&pc->mu);
    for (fpq *pq = pc->pqs; pq; pq = pq->next)
        cap++;
    items = cap ? calloc((size_t)cap, sizeof(*items)) : NULL;
    for (fpq *pq = pc->pqs; items && pq; pq = pq->next) {
        items[n].pq = pq;
        items[n].q = pq->q;
        memcpy(items[n].addr, pq->addr, sizeof items[n].addr);
        pq->refs++;
        n++;
    }
    pthread_mutex_unlock(&pc->mu);
    for (int i = 0; i < n; i++) {
        int granted = 0;
        int rc = lock_queues(pc, items[i].addr, &items[i].q, 1, 1, &granted);
        pthread_mutex_lock(&pc->mu);
        if (rc == 0)
            items[i].pq->locked = granted;
        if (granted)
            pthread_cond_broadcast(&pc->work_cond);
        pq_unref(items[i].pq);
        pthread_mutex_unlock(&pc->mu);
    }
    free(items);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The group's members as one broker of the topic sees them, sorted. */
static int group_members(ferry_push_consumer *pc, const char *topic,
                         char ***ids, int *n)
{
    fclient_route r;
    int rc;

    *ids = NULL;
    *n = 0;
    if ((rc = fclient_route_get(pc->c, topic, 0, &r)) != 0)
        return rc;
    rc = FERRY_ERR_NO_ROUTE;
    for (int i = 0; i < r.broker_count && rc != 0; i++) {
        remoting_header h;
        wire_arena a;
        fresp resp;
        if (!r.brokers[i].addr[0])
            continue;
        wire_arena_init(&a, 0, 0);
        fclient_request_init(pc->c, &h,
                             REMOTING_REQ_GET_CONSUMER_LIST_BY_GROUP);
        remoting_ext_add_str(&h, &a, "consumerGroup", pc->c->group);
        rc = fclient_call(pc->c, r.brokers[i].addr, &h, NULL, 0, 0, &resp);
        wire_arena_release(&a);
        if (rc != 0)
            continue;
        rc = fclient_check(&resp.h, REMOTING_RESP_SUCCESS);
        if (rc == 0) {
            buf_view *items;
            int32_t count;
            wire_arena_init(&a, 0, 0);
            if (remoting_consumer_list_decode(resp.body.ptr, resp.body.len,
                                              &a, &items, &count) != 0) {
                rc = FERRY_ERR_PROTOCOL;
            } else {
                *ids = calloc((size_t)count + 1, sizeof(char *));
                for (int32_t k = 0; *ids && k < count; k++) {
                    (*ids)[k] = malloc(items[k].len + 1);
                    if ((*ids)[k])
                        fclient_copy((*ids)[k], items[k].len + 1, items[k]);
                    else
                        break;
                    (*n)++;
                }
                if (!*ids)
                    rc = FERRY_ERR_NOMEM;
            }
            wire_arena_release(&a);
        }
        fresp_release(&resp);
    }
    fclient_route_release(&r);
    if (rc == 0)
        qsort(*ids, (size_t)*n, sizeof(char *), cmp_str);
    return rc;
}

static void strv_free(char **v, int n)
{
    for (int i = 0; v && i < n; i++)
        free(v[i]);
    free(v);
}

static int same_queue(const ferry_queue *a, const ferry_queue *b)
{
    return a->queue_id == b->queue_id && !strcmp(a->topic, b->topic) &&
           !strcmp(a->broker_name, b->broker_name);
}

static void rebalance_topic(ferry_push_consumer *pc, fsub *sub)
{
    ferry_queue *qs = NULL, *mine = NULL;
    int nq = 0, nmine = 0;
    fclient_route r;

    if (fclient_read_queues(pc->c, sub->topic, 0, &qs, &nq) != 0) {
        /* the broker creates the retry topic at our first heartbeat; its
         * route may need a moment: look again soon, for a while */
        if (sub->is_retry && mono_now() - pc->started_ms < 30000)
            pc->rebalance_soon = mono_now() + RETRY_DELAY_MS;
        return;
    }
    if (pc->conf.model == FERRY_BROADCASTING) {
        mine = qs;
        nmine = nq;
        qs = NULL;
    } else {
        char **ids;
        int nids, me = -1;
        if (group_members(pc, sub->topic, &ids, &nids) != 0) {
            free(qs);
            return;
        }
        for (int i = 0; i < nids; i++)
            if (!strcmp(ids[i], pc->c->client_id))
                me = i;
        strv_free(ids, nids);
        if (me < 0) {
            free(qs); /* the broker does not know us yet: next time */
            return;
        }
        /* AllocateMessageQueueAveragely */
        int mod = nq % nids;
        int avg = nq <= nids ? 1 : (mod > 0 && me < mod ? nq / nids + 1
                                                        : nq / nids);
        int start = mod > 0 && me < mod ? me * avg : me * avg + mod;
        int range = nq - start < avg ? nq - start : avg;
        if (range > 0) {
            mine = calloc((size_t)range, sizeof(*mine));
            for (int i = 0; mine && i < range; i++)
                mine[nmine++] = qs[(start + i) % nq];
        }
        free(qs);
    }

    /* drop what is no longer ours */
    for (;;) {
        fpq *gone = NULL;
        pthread_mutex_lock(&pc->mu);
        for (fpq **pp = &pc->pqs; *pp; pp = &(*pp)->next) {
            fpq *pq = *pp;
            int keep = pq->sub != sub;
            for (int i = 0; !keep && i < nmine; i++)
                keep = same_queue(&pq->q, &mine[i]);
            if (!keep) {
                *pp = pq->next;
                gone = pq;
                gone->refs++; /* for the commit below */
                break;
            }
        }
        pthread_mutex_unlock(&pc->mu);
        if (!gone)
            break;
        pthread_mutex_lock(&pc->mu);
        gone->dropped = 1; /* its queued batches are discarded */
        while (gone->busy) { /* a callback runs: let it finish first */
            pthread_mutex_unlock(&pc->mu);
            usleep(5000);
            pthread_mutex_lock(&pc->mu);
        }
        pthread_mutex_unlock(&pc->mu);
        commit_offsets(pc, gone);
        if (orderly_locks(pc) && gone->locked)
            lock_queues(pc, gone->addr, &gone->q, 1, 0, NULL);
        pthread_mutex_lock(&pc->mu);
        int drop = 2; /* the commit's and the list's */
        if (gone->retry_at) { /* its chain waits for a retry: end it */
            gone->retry_at = 0;
            gone->pulling = 0;
            drop++;
        }
        pq_unref_n(gone, drop);
        pthread_mutex_unlock(&pc->mu);
    }

    /* add what is new */
    if (nmine && fclient_route_get(pc->c, sub->topic, 0, &r) == 0) {
        for (int i = 0; i < nmine; i++) {
            int have = 0;
            pthread_mutex_lock(&pc->mu);
            for (fpq *pq = pc->pqs; pq && !have; pq = pq->next)
                have = same_queue(&pq->q, &mine[i]);
            pthread_mutex_unlock(&pc->mu);
            const char *addr = fclient_route_addr(&r, mine[i].broker_name);
            if (have || !*addr)
                continue;
            int granted = 1;
            if (orderly_locks(pc) &&
                (lock_queues(pc, addr, &mine[i], 1, 1, &granted) != 0 ||
                 !granted)) {
                /* its previous owner has not unlocked it yet */
                pc->rebalance_soon = mono_now() + RETRY_DELAY_MS;
                continue;
            }
            int64_t off = initial_offset(pc, &mine[i]);
            if (off < 0)
                continue;
            fpq *pq = calloc(1, sizeof *pq);
            if (!pq)
                break;
            pq->q = mine[i];
            snprintf(pq->addr, sizeof pq->addr, "%s", addr);
            pq->sub = sub;
            pq->refs = 2; /* list + pull chain */
            pq->pulling = 1;
            pq->next_offset = off;
            pq->committed = off;
            pq->locked = orderly_locks(pc);
            pthread_mutex_lock(&pc->mu);
            pq->next = pc->pqs;
            pc->pqs = pq;
            pthread_mutex_unlock(&pc->mu);
            pq_pull(pc, pq, 1);
        }
        fclient_route_release(&r);
    }
    free(mine);
}

static void rebalance(ferry_push_consumer *pc)
{
    for (int i = 0; i < pc->sub_count; i++)
        rebalance_topic(pc, &pc->subs[i]);
    relock_all(pc);
}

/* At shutdown, after the last commit. */
static void unlock_all(ferry_push_consumer *pc)
{
    if (!orderly_locks(pc))
        return;
    for (;;) {
        fpq *pq = NULL;
        ferry_queue q;
        char addr[128];
        pthread_mutex_lock(&pc->mu);
        for (fpq *k = pc->pqs; k && !pq; k = k->next)
            if (k->locked)
                pq = k;
        if (pq) {
            pq->locked = 0;
            q = pq->q;
            memcpy(addr, pq->addr, sizeof addr);
        }
        pthread_mutex_unlock(&pc->mu);
        if (!pq)
            return;
        lock_queues(pc, addr, &q, 1, 0, NULL);
    }
}

/* Re-pull queues whose chain waits for a retry (connects if needed). */
static void retry_pulls(ferry_push_consumer *pc)
{
    for (;;) {
        fpq *due = NULL;
        int64_t now = mono_now();
        pthread_mutex_lock(&pc->mu);
        for (fpq *pq = pc->pqs; pq; pq = pq->next) {
            if (pq->retry_at && pq->retry_at <= now) {
                pq->retry_at = 0;
                due = pq;
                break;
            }
        }
        pthread_mutex_unlock(&pc->mu);
        if (!due)
            return;
        pq_pull(pc, due, 1);
    }
}

static void *service_main(void *arg)
{
    ferry_push_consumer *pc = arg;
    int64_t now = mono_now();
    int64_t next_hb = now, next_rb = now, next_commit =
                                              now + pc->conf.commit_interval_ms;

    pthread_mutex_lock(&pc->mu);
    while (!pc->stopping) {
        int do_rb = pc->need_rebalance;
        pc->need_rebalance = 0;
        pthread_mutex_unlock(&pc->mu);
        now = mono_now();
        if (now >= next_hb) {
            heartbeat(pc);
            next_hb = now + pc->conf.heartbeat_interval_ms;
        }
        if (pc->rebalance_soon && now >= pc->rebalance_soon)
            do_rb = 1;
        if (do_rb || now >= next_rb) {
            pc->rebalance_soon = 0;
            rebalance(pc);
            next_rb = mono_now() + pc->conf.rebalance_interval_ms;
        }
        retry_pulls(pc);
        if (mono_now() >= next_commit) {
            commit_offsets(pc, NULL);
            next_commit = mono_now() + pc->conf.commit_interval_ms;
        }
        pthread_mutex_lock(&pc->mu);
        if (pc->stopping || pc->need_rebalance)
            continue;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 200 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&pc->service_cond, &pc->mu, &ts);
    }
    pthread_mutex_unlock(&pc->mu);
    return NULL;
}

/* NOTIFY_CONSUMER_IDS_CHANGED (I/O thread) */
static void on_notify(void *arg, const remoting_header *h)
{
    ferry_push_consumer *pc = arg;
    (void)h;
    pthread_mutex_lock(&pc->mu);
    pc->need_rebalance = 1;
    pthread_cond_broadcast(&pc->service_cond);
    pthread_mutex_unlock(&pc->mu);
}

/* ------------------------------------------------------------------ */
/* public                                                              */
/* ------------------------------------------------------------------ */

ferry_push_consumer *ferry_push_consumer_new(const ferry_conf *conf,
                                             char *errbuf, size_t errlen)
{
    ferry_push_consumer *pc;

    if (!conf || !conf->group || !*conf->group) {
        fclient_errbuf(errbuf, errlen, "a consumer group is required");
        return NULL;
    }
    pc = calloc(1, sizeof *pc);
    if (!pc) {
        fclient_errbuf(errbuf, errlen, "out of memory");
        return NULL;
    }
    pc->conf = *conf;
    if (pc->conf.consume_threads <= 0)
        pc->conf.consume_threads = 1;
    if (pc->conf.consume_batch_size <= 0)
        pc->conf.consume_batch_size = 1;
    if (pc->conf.pull_batch_size <= 0)
        pc->conf.pull_batch_size = 32;
    if (pc->conf.pull_threshold_per_queue <= 0)
        pc->conf.pull_threshold_per_queue = 1000;
    if (pc->conf.long_poll_ms <= 0)
        pc->conf.long_poll_ms = 15000;
    if (pc->conf.rebalance_interval_ms <= 0)
        pc->conf.rebalance_interval_ms = 20000;
    if (pc->conf.heartbeat_interval_ms <= 0)
        pc->conf.heartbeat_interval_ms = 30000;
    if (pc->conf.commit_interval_ms <= 0)
        pc->conf.commit_interval_ms = 5000;
    if (conf->offset_store_path &&
        !(pc->offset_path = strdup(conf->offset_store_path))) {
        free(pc);
        fclient_errbuf(errbuf, errlen, "out of memory");
        return NULL;
    }
    pc->conf.offset_store_path = NULL;
    pc->conf.namesrv_addr = NULL;
    pc->conf.group = NULL;
    pc->conf.instance_name = NULL;
    pc->conf.client_ip = NULL;
    pc->c = fclient_new(conf, "push", errbuf, errlen);
    if (!pc->c) {
        free(pc->offset_path);
        free(pc);
        return NULL;
    }
    pthread_mutex_init(&pc->mu, NULL);
    pthread_cond_init(&pc->work_cond, NULL);
    pthread_cond_init(&pc->service_cond, NULL);
    if (pc->conf.model == FERRY_BROADCASTING)
        local_load(pc);
    return pc;
}

int ferry_push_consumer_subscribe(ferry_push_consumer *pc, const char *topic,
                                  const char *tag_expr)
{
    fsub *s;

    if (!pc || !topic || !*topic || strlen(topic) >= 256)
        return FERRY_ERR_INVALID;
    if (pc->started)
        return FERRY_ERR_STATE;
    if (!tag_expr || !*tag_expr)
        tag_expr = "*";
    for (int i = 0; i < pc->sub_count; i++) {
        if (!strcmp(pc->subs[i].topic, topic)) {
            char *e = strdup(tag_expr);
            if (!e)
                return FERRY_ERR_NOMEM;
            free(pc->subs[i].expr);
            pc->subs[i].expr = e;
            ftag_filter_parse(e, &pc->subs[i].tf);
            return 0;
        }
    }
    if (pc->sub_count == MAX_SUBS)
        return FERRY_ERR_INVALID;
    s = &pc->subs[pc->sub_count];
    s->topic = strdup(topic);
    s->expr = strdup(tag_expr);
    if (!s->topic || !s->expr) {
        free(s->topic);
        free(s->expr);
        memset(s, 0, sizeof(*s));
        return FERRY_ERR_NOMEM;
    }
    ftag_filter_parse(s->expr, &s->tf);
    s->version = fclient_now_ms();
    pc->sub_count++;
    return 0;
}

int ferry_push_consumer_set_callback(ferry_push_consumer *pc,
                                     ferry_consume_cb cb, void *arg)
{
    if (!pc || !cb)
        return FERRY_ERR_INVALID;
    if (pc->started)
        return FERRY_ERR_STATE;
    pc->cb = cb;
    pc->cb_arg = arg;
    return 0;
}

static int has_retry_sub(const ferry_push_consumer *pc)
{
    for (int i = 0; i < pc->sub_count; i++)
        if (pc->subs[i].is_retry)
            return 1;
    return 0;
}

int ferry_push_consumer_start(ferry_push_consumer *pc)
{
    if (!pc || !pc->cb || pc->sub_count == 0)
        return FERRY_ERR_INVALID;
    if (pc->started)
        return FERRY_ERR_STATE;
    for (int i = 0; i < pc->sub_count; i++) {
        fclient_route r;
        if (pc->subs[i].is_retry)
            continue; /* created by the broker at our heartbeat */
        int rc = fclient_route_get(pc->c, pc->subs[i].topic, 0, &r);
        if (rc != 0)
            return rc;
        fclient_route_release(&r);
    }
    if (pc->conf.model == FERRY_CLUSTERING && !has_retry_sub(pc)) {
        fsub *s = &pc->subs[pc->sub_count];
        char topic[300];
        snprintf(topic, sizeof topic, "%%RETRY%%%s", pc->c->group);
        s->topic = strdup(topic);
        s->expr = strdup("*");
        if (!s->topic || !s->expr) {
            free(s->topic);
            free(s->expr);
            memset(s, 0, sizeof(*s));
            return FERRY_ERR_NOMEM;
        }
        ftag_filter_parse(s->expr, &s->tf);
        s->version = fclient_now_ms();
        s->is_retry = 1;
        pc->sub_count++;
    }
    pc->workers = calloc((size_t)pc->conf.consume_threads, sizeof(pthread_t));
    if (!pc->workers)
        return FERRY_ERR_NOMEM;
    pthread_mutex_lock(&pc->c->mu);
    pc->c->notify = on_notify;
    pc->c->notify_arg = pc;
    pthread_mutex_unlock(&pc->c->mu);
    pc->started = 1;
    pc->started_ms = mono_now();
    for (int i = 0; i < pc->conf.consume_threads; i++) {
        if (pthread_create(&pc->workers[i], NULL, consume_main, pc) != 0)
            break;
        pc->worker_count++;
    }
    if (pc->worker_count == 0 ||
        pthread_create(&pc->service, NULL, service_main, pc) != 0) {
        pthread_mutex_lock(&pc->mu);
        pc->stopping = 1;
        pthread_cond_broadcast(&pc->work_cond);
        pthread_mutex_unlock(&pc->mu);
        for (int i = 0; i < pc->worker_count; i++)
            pthread_join(pc->workers[i], NULL);
        pc->worker_count = 0;
        pc->started = 0;
        pc->stopping = 0;
        return FERRY_ERR_NOMEM;
    }
    return 0;
}

void ferry_push_consumer_free(ferry_push_consumer *pc)
{
    if (!pc)
        return;
    if (pc->started) {
        pthread_mutex_lock(&pc->mu);
        pc->stopping = 1;
        pthread_cond_broadcast(&pc->work_cond);
        pthread_cond_broadcast(&pc->service_cond);
        pthread_mutex_unlock(&pc->mu);
        pthread_join(pc->service, NULL);
        for (int i = 0; i < pc->worker_count; i++)
            pthread_join(pc->workers[i], NULL);
        commit_offsets(pc, NULL);
        unlock_all(pc);
        unregister(pc);
    }
    /* no more notifications, pull answers fail with FERRY_ERR_STATE and
     * end their chains */
    fclient_free(pc->c);
    pthread_mutex_lock(&pc->mu);
    while (pc->queue_head) {
        fbatch *b = pc->queue_head;
        pc->queue_head = b->next;
        batch_finish(b);
        ferry_msg_list_free(&b->msgs);
        free(b);
    }
    pc->queue_tail = NULL;
    while (pc->pqs) {
        fpq *pq = pc->pqs;
        pc->pqs = pq->next;
        pq->dropped = 1;
        int drop = 1;
        if (pq->retry_at) { /* a chain parked for a retry */
            pq->retry_at = 0;
            pq->pulling = 0;
            drop++;
        }
        pq_unref_n(pq, drop);
    }
    pthread_mutex_unlock(&pc->mu);
    for (int i = 0; i < pc->sub_count; i++) {
        free(pc->subs[i].topic);
        free(pc->subs[i].expr);
    }
    free(pc->workers);
    free(pc->local);
    free(pc->offset_path);
    pthread_cond_destroy(&pc->work_cond);
    pthread_cond_destroy(&pc->service_cond);
    pthread_mutex_destroy(&pc->mu);
    free(pc);
}

int ferry_push_consumer_assigned(ferry_push_consumer *pc)
{
    int n = 0;
    if (!pc)
        return 0;
    pthread_mutex_lock(&pc->mu);
    for (fpq *pq = pc->pqs; pq; pq = pq->next)
        n += !pq->sub->is_retry;
    pthread_mutex_unlock(&pc->mu);
    return n;
}

const char *ferry_push_consumer_client_id(ferry_push_consumer *pc)
{
    return pc ? pc->c->client_id : "";
}
