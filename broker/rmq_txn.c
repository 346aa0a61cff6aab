/*
 * rmq_txn.c - RocketMQ transactional messages on the shared CommitLog.
 *
 * Where things live (all of it ordinary store records, so the CommitLog is
 * the only truth and kill -9 loses nothing that was written):
 *   - half messages: topic RMQ_SYS_TRANS_HALF_TOPIC, queue 0 (internal:
 *     hidden from Kafka listings; no consumer of the real topic, RocketMQ
 *     or Kafka, can see them because they are not in its queues).  The
 *     producer's properties plus REAL_TOPIC, REAL_QID, __transactionId__
 *     (= UNIQ_KEY) and PGROUP; transaction bits of sysFlag cleared.
 *   - ops: topic RMQ_SYS_TRANS_OP_HALF_TOPIC, queue 0, tag "d", body = the
 *     transaction's root as decimal text and ',' (RocketMQ's layout).  The
 *     root is the half-queue offset of the transaction's first half record
 *     (see check copies below); an op means "done, never check again".
 *   - check count: as RocketMQ does, a check-back re-appends the half
 *     message to the half queue with TRANSACTION_CHECK_TIMES = n + 1 and
 *     TRAN_PREPARED_QUEUE_OFFSET = root, then sends CHECK_TRANSACTION_STATE
 *     naming that copy.  The newest copy carries the persisted count.
 *   - after transactionCheckMax checks the half message is copied to
 *     TRANS_CHECK_MAX_TIME_TOPIC (internal), rolled back (op) and logged.
 *
 * In memory: the pending table (txn_table.h: root -> newest copy, count,
 * group), rebuilt at start by reading the half queue and then the op
 * queue from the progress marks below (done roots leave the table), so
 * after kill -9 every transaction without an op is pending again and is
 * checked on the next run.  END_TRANSACTION for any half record of a root that is not pending
 * (already committed or rolled back) is ignored: ends are idempotent.
 *
 * Commit writes the final message (REAL_TOPIC/REAL_QID, sysFlag COMMIT,
 * prepared offset = the half record's position, UNIQ_KEY kept so the
 * msgId stays; REAL_TOPIC, REAL_QID and TRAN_MSG removed) and then the op;
 * a crash between the two makes the transaction pending again and a
 * check-back may commit it twice (at least once, as in RocketMQ).
 *
 * Progress: config/txn_progress ("half=H\nop=O") says where a start may
 * begin reading: every root below H has ended, and every op of a root at
 * or above H sits at op offset >= O (txn_table_progress).  It is written
 * (temp, fsync, rename) at each check run, but only a value taken at an
 * earlier run once the CommitLog is durable up to where that value was
 * taken, and at a clean stop after a flush; so a power cut can never make
 * a start skip a root whose commit or op it lost.  No file, or a damaged
 * one: both queues are read from their minimum offsets.
 *
 * Differences from RocketMQ, on purpose: a check is counted only when it
 * is sent to a live producer connection of the group (one seen in a
 * HEART_BEAT producerDataSet, a transactional send or an END_TRANSACTION),
 * so a broker restart or a producer's reconnect does not burn the
 * transactionCheckMax budget; with no live producer the transaction
 * waits (logged once per run).
 * @locality: event loop thread.
 */
#include "rmq_schedule.h"
#include "rmq_txn.h"

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "metrics.h"
#include "topics.h"
#include "txn_table.h"

#define TXN_PRODUCER_EXPIRE_MS 120000
#define TXN_MAX_CHECKS_PER_RUN 10000

typedef struct txn_producer {
    struct txn_producer *next;
    char *group;
    uint64_t conn_id;
    int64_t last_ms;
} txn_producer;

static struct {
    txn_table pending;
    txn_producer *producers;
    int64_t last_run_ms;
    int started;
    int64_t scan_half_from; /* start-up: roots below it have ended */
    int64_t scan_op_mark;   /* start-up: op_mark of scanned roots */
    /* progress: the one on disk, and the next one, written once the
     * CommitLog is durable up to cand_end (so no root is skipped at start
     * whose op or commit a power cut could still take away) */
    int64_t saved_half, saved_op;
    int64_t cand_half, cand_op, cand_end;
    int have_cand;
} T;

/* Counters since the process started (metrics). */
static struct {
    uint64_t halves, commits, rollbacks, checks, given_up;
    int registered;
} C;

static void txn_metrics(void *arg, struct evbuffer *out)
{
    (void)arg;
    evbuffer_add_printf(
        out,
        "# HELP ferry_rmq_transactions_pending RocketMQ transactions whose "
        "half message has neither commit nor rollback yet.\n"
        "# TYPE ferry_rmq_transactions_pending gauge\n"
        "ferry_rmq_transactions_pending %zu\n"
        "# HELP ferry_rmq_transactions_total RocketMQ transactions by "
        "outcome since start: half (stored), commit, rollback (by the "
        "producer), given_up (rolled back after transactionCheckMax).\n"
        "# TYPE ferry_rmq_transactions_total counter\n"
        "ferry_rmq_transactions_total{outcome=\"half\"} %" PRIu64 "\n"
        "ferry_rmq_transactions_total{outcome=\"commit\"} %" PRIu64 "\n"
        "ferry_rmq_transactions_total{outcome=\"rollback\"} %" PRIu64 "\n"
        "ferry_rmq_transactions_total{outcome=\"given_up\"} %" PRIu64 "\n"
        "# HELP ferry_rmq_transaction_checks_total CHECK_TRANSACTION_STATE "
        "requests sent to producers since start.\n"
        "# TYPE ferry_rmq_transaction_checks_total counter\n"
        "ferry_rmq_transaction_checks_total %" PRIu64 "\n",
        T.pending.live, C.halves, C.commits, C.rollbacks, C.given_up,
        C.checks);
}

int rmq_txn_is_system_topic(const char *t)
{
    return !strcmp(t, RMQ_TXN_HALF_TOPIC) || !strcmp(t, RMQ_TXN_OP_TOPIC) ||
           !strcmp(t, RMQ_TXN_MAX_TOPIC);
}

/* The queue 0 of an internal topic, created on first use. */
static store_queue *sys_queue(broker *b, const char *name, int create)
{
    topic *t = topics_find(b->topics, name, strlen(name));
    if (!t) {
        if (!create)
            return NULL;
        char why[160];
        if (topics_create_any(b->topics, name, strlen(name), 1, 1, &t, why,
                              sizeof why) != 0) {
            log_error("rmq", NULL, "cannot create %s: %s", name, why);
            return NULL;
        }
    }
    return topics_queue(b->topics, t, 0);
}

static int prop_i64(const uint8_t *p, size_t n, const char *key,
                    int64_t *out)
{
    buf_view v;
    if (!n || !remoting_props_find(p, n, key, &v))
        return 0;
    return txn_parse_i64(v.ptr, v.len, out) == 0;
}

/* Copies properties p[0..n) into w without the keys in drop[]. */
static void props_without(buf_writer *w, const uint8_t *p, size_t n,
                          const char *const *drop, int ndrop)
{
    remoting_prop_iter it;
    remoting_prop pr;
    size_t start = w->len;
    remoting_prop_iter_init(&it, p, n);
    while (remoting_prop_next(&it, &pr) == 1) {
        int skip = 0;
        for (int i = 0; i < ndrop && !skip; i++)
            skip = pr.key.len == strlen(drop[i]) &&
                   !memcmp(pr.key.ptr, drop[i], pr.key.len);
        if (skip)
            continue;
        char key[256];
        if (pr.key.len >= sizeof key)
            continue;
        memcpy(key, pr.key.ptr, pr.key.len);
        key[pr.key.len] = '\0';
        size_t before = w->len;
        if (remoting_props_append(w, start, key, pr.value) != 0)
            w->len = before;
    }
}

static void props_add_i64(buf_writer *w, const char *key, int64_t v)
{
    char num[32];
    snprintf(num, sizeof num, "%" PRId64, v);
    size_t before = w->len;
    if (remoting_props_append(w, 0, key, remoting_view(num)) != 0)
        w->len = before;
}

/* Tracks one half record read from (or just written to) the half queue. */
static void track_half(broker *b, int64_t offset, int64_t pos,
                       int64_t store_ms, const uint8_t *p, size_t n,
                       int64_t op_mark)
{
    int64_t root = offset, checks = 0, immunity_s = -1;
    prop_i64(p, n, REMOTING_PROP_TRAN_PREPARED_QUEUE_OFFSET, &root);
    prop_i64(p, n, REMOTING_PROP_TRANSACTION_CHECK_TIMES, &checks);
    prop_i64(p, n, REMOTING_PROP_CHECK_IMMUNITY_TIME_IN_SECONDS, &immunity_s);
    if (root < 0 || root > offset)
        root = offset; /* a copy points back, never forward */
    buf_view g = {(const uint8_t *)"", 0, 0};
    if (n)
        remoting_props_find(p, n, REMOTING_PROP_PGROUP, &g);
    (void)b;
    int64_t immunity = -1; /* transactionTimeOut, read when checking */
    if (immunity_s > 0 && immunity_s < INT32_MAX)
        immunity = immunity_s * 1000;
    if (checks < 0 || checks > INT32_MAX)
        checks = 0;
    if (root < T.scan_half_from)
        return; /* a copy of a transaction ended before the progress mark */
    if (txn_table_put(&T.pending, root, offset, pos, store_ms, immunity,
                      op_mark, (int32_t)checks, (const char *)g.ptr,
                      g.len) != 0)
        log_error("rmq", NULL, "out of memory tracking transaction %" PRId64,
                  root);
}

/* Appends an op ("done") record for root. */
static int write_op(broker *b, int64_t root)
{
    store_queue *q = sys_queue(b, RMQ_TXN_OP_TOPIC, 1);
    if (!q)
        return -1;
    char body[32];
    int bl = snprintf(body, sizeof body, "%" PRId64 ",", root);
    static const uint8_t props[] = "TAGS\001d\002";
    store_append_req ar;
    memset(&ar, 0, sizeof ar);
    ar.queue = q;
    ar.kind = STORE_KIND_MESSAGE;
    ar.count = 1;
    ar.born_timestamp = rmq_now_ms();
    rmq_host_to_store(&rmq_state->store_host, &ar.born_host);
    rmq_host_to_store(&rmq_state->store_host, &ar.store_host);
    ar.properties = props;
    ar.properties_len = sizeof props - 1;
    ar.body = (const uint8_t *)body;
    ar.body_len = (uint32_t)bl;
    store_append_result res;
    int rc = store_append(b->st, &ar, &res);
    if (rc != 0) {
        log_error("rmq", NULL, "op record for transaction %" PRId64
                               " not written: %s",
                  root, store_errmsg(b->st));
        return -1;
    }
    txn_table_done(&T.pending, root);
    return 0;
}

/* ------------------------------------------------------------------ */
/* start-up                                                            */
/* ------------------------------------------------------------------ */

typedef void (*scan_fn)(broker *b, int64_t offset, const store_record *rec);

static int64_t queue_max(broker *b, const char *name)
{
    store_queue *q = sys_queue(b, name, 0);
    return q ? store_queue_max_offset(q) : 0;
}

static int64_t scan_queue(broker *b, const char *name, int64_t from,
                          scan_fn fn)
{
    store_queue *q = sys_queue(b, name, 0);
    if (!q)
        return 0;
    int64_t off = store_queue_min_offset(q), max = store_queue_max_offset(q);
    if (from > off)
        off = from;
    int64_t seen = 0;
    store_cq_entry e[256];
    while (off < max) {
        int n = store_queue_read(q, off, e, 256);
        if (n <= 0)
            break;
        for (int i = 0; i < n; i++) {
            store_record rec;
            if (store_read_record(b->st, e[i].commitlog_pos, &rec) != 0) {
                log_warn("rmq", NULL, "%s offset %" PRId64
                                      ": record unreadable, skipped",
                         name, off + i);
                continue;
            }
            if (rec.kind == STORE_KIND_MESSAGE)
                fn(b, off + i, &rec);
            store_record_release(b->st, &rec);
            seen++;
        }
        off += n;
    }
    return seen;
}

static void scan_half_one(broker *b, int64_t offset, const store_record *rec)
{
    track_half(b, offset, rec->commitlog_pos, rec->store_timestamp,
               rec->properties, rec->properties_len, T.scan_op_mark);
}

static void scan_op_one(broker *b, int64_t offset, const store_record *rec)
{
    (void)b;
    int64_t roots[64];
    int n = txn_op_parse(rec->body, rec->body_len, roots, 64);
    if (n < 0) {
        log_warn("rmq", NULL, RMQ_TXN_OP_TOPIC " offset %" PRId64
                              ": body is not an op, ignored",
                 offset);
        return;
    }
    for (int i = 0; i < n; i++)
        txn_table_done(&T.pending, roots[i]);
}

static void progress_path(broker *b, char *out, size_t outlen,
                          const char *suffix)
{
    snprintf(out, outlen, "%s/config/txn_progress%s", b->cfg->store_dir,
             suffix);
}

/* Reads config/txn_progress; 0 when absent or unusable (full scan). */
static void progress_load(broker *b)
{
    char path[4096], text[256];
    progress_path(b, path, sizeof path, "");
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    size_t n = fread(text, 1, sizeof text, f);
    fclose(f);
    int64_t h, o;
    if (n == sizeof text || txn_progress_parse(text, n, &h, &o) != 0) {
        log_warn("rmq", NULL, "%s is not a progress file; reading the whole "
                              "half and op queues",
                 path);
        return;
    }
    T.scan_half_from = T.saved_half = h;
    T.scan_op_mark = T.saved_op = o;
}

/* Writes config/txn_progress (temp, fsync, rename).  0 or -1. */
static int progress_save(broker *b, int64_t h, int64_t o)
{
    char path[4096], tmp[4100];
    progress_path(b, path, sizeof path, "");
    progress_path(b, tmp, sizeof tmp, ".tmp");
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    fprintf(f, "half=%" PRId64 "\nop=%" PRId64 "\n", h, o);
    int rc = fflush(f) == 0 && fsync(fileno(f)) == 0 ? 0 : -1;
    if (fclose(f) != 0)
        rc = -1;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -1;
    if (rc != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* Once a check run: persist the candidate if the CommitLog is durable up
 * to where it was taken, then take a new one. */
static void progress_step(broker *b)
{
    if (T.have_cand && store_flushed_pos(b->st) >= T.cand_end &&
        (T.cand_half != T.saved_half || T.cand_op != T.saved_op)) {
        if (progress_save(b, T.cand_half, T.cand_op) == 0) {
            T.saved_half = T.cand_half;
            T.saved_op = T.cand_op;
        } else {
            log_warn("rmq", NULL, "transaction progress not saved: %s",
                     strerror(errno));
        }
    }
    txn_table_progress(&T.pending, queue_max(b, RMQ_TXN_HALF_TOPIC),
                       queue_max(b, RMQ_TXN_OP_TOPIC), &T.cand_half,
                       &T.cand_op);
    T.cand_end = store_commitlog_max_pos(b->st);
    T.have_cand = 1;
}

int rmq_txn_start(broker *b, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    memset(&T, 0, sizeof T);
    progress_load(b);
    /* never past what the queues hold (a recovery that cut damage may
     * have taken records the file counted): new halves must be tracked */
    if (T.scan_half_from > queue_max(b, RMQ_TXN_HALF_TOPIC))
        T.scan_half_from = queue_max(b, RMQ_TXN_HALF_TOPIC);
    if (T.scan_op_mark > queue_max(b, RMQ_TXN_OP_TOPIC))
        T.scan_op_mark = queue_max(b, RMQ_TXN_OP_TOPIC);
    int64_t halves = scan_queue(b, RMQ_TXN_HALF_TOPIC, T.scan_half_from,
                                scan_half_one);
    int64_t ops = scan_queue(b, RMQ_TXN_OP_TOPIC, T.scan_op_mark,
                             scan_op_one);
    txn_table_compact_maybe(&T.pending);
    if (halves || ops)
        log_info("rmq", NULL,
                 "transactions: %" PRId64 " half records (from offset %" PRId64
                 "), %" PRId64 " ops (from offset %" PRId64
                 ") read; %zu pending (checked back from the next run)",
                 halves, T.scan_half_from, ops, T.scan_op_mark,
                 T.pending.live);
    T.last_run_ms = rmq_now_ms();
    T.started = 1;
    if (!C.registered && metrics_add_collector(txn_metrics, NULL) == 0)
        C.registered = 1;
    return 0;
}

void rmq_txn_stop(broker *b)
{
    /* a clean stop saves the progress as it is now, after a flush, so the
     * next start reads only what is still pending */
    if (T.started && b && b->st && store_flush_all(b->st) == 0) {
        T.have_cand = 0;
        progress_step(b); /* takes the candidate */
        progress_step(b); /* durable up to it: saves it */
    }
    txn_table_release(&T.pending);
    while (T.producers) {
        txn_producer *p = T.producers;
        T.producers = p->next;
        free(p->group);
        free(p);
    }
    T.started = 0;
}

/* ------------------------------------------------------------------ */
/* producers                                                           */
/* ------------------------------------------------------------------ */

void rmq_txn_producer_seen(rconn *c, const uint8_t *group, size_t len)
{
    if (!len || len > 255 ||
        (len == 21 && !memcmp(group, "CLIENT_INNER_PRODUCER", 21)))
        return;
    int64_t now = rmq_now_ms();
    for (txn_producer *p = T.producers; p; p = p->next)
        if (p->conn_id == c->id && strlen(p->group) == len &&
            !memcmp(p->group, group, len)) {
            p->last_ms = now;
            return;
        }
    txn_producer *p = calloc(1, sizeof *p);
    if (!p || !(p->group = malloc(len + 1))) {
        free(p);
        return;
    }
    memcpy(p->group, group, len);
    p->group[len] = '\0';
    p->conn_id = c->id;
    p->last_ms = now;
    p->next = T.producers;
    T.producers = p;
    log_debug("rmq", c->peer, "producer of group %s", p->group);
}

/* The most recently seen live connection of group; drops dead entries. */
static rconn *producer_for(const char *group, int64_t now)
{
    rconn *best = NULL;
    int64_t best_ms = 0;
    txn_producer **pp = &T.producers;
    while (*pp) {
        txn_producer *p = *pp;
        rconn *c = rmq_conn_find(p->conn_id);
        if (!c || now - p->last_ms > TXN_PRODUCER_EXPIRE_MS) {
            *pp = p->next;
            free(p->group);
            free(p);
            continue;
        }
        if (!strcmp(p->group, group) && (!best || p->last_ms > best_ms)) {
            best = c;
            best_ms = p->last_ms;
        }
        pp = &p->next;
    }
    return best;
}

/* ------------------------------------------------------------------ */
/* half path                                                           */
/* ------------------------------------------------------------------ */

int rmq_txn_half_prepare(broker *b, const char *group, const char *real_topic,
                         int32_t real_qid, const uint8_t *props, size_t plen,
                         buf_writer *w, store_queue **hq, char *err,
                         size_t errlen)
{
    static const char *const drop[] = {
        REMOTING_PROP_REAL_TOPIC, REMOTING_PROP_REAL_QID,
        REMOTING_PROP_TRANSACTION_ID, REMOTING_PROP_TRAN_PREPARED_QUEUE_OFFSET,
        REMOTING_PROP_TRANSACTION_CHECK_TIMES};
    props_without(w, props, plen, drop, 5);
    size_t before = w->len;
    buf_view v;
    if (remoting_props_append(w, 0, REMOTING_PROP_REAL_TOPIC,
                              remoting_view(real_topic)) != 0) {
        w->len = before;
        snprintf(err, errlen, "properties too large for a half message");
        return -1;
    }
    props_add_i64(w, REMOTING_PROP_REAL_QID, real_qid);
    if (plen && remoting_props_find(props, plen, REMOTING_PROP_UNIQ_KEY, &v) &&
        v.len) {
        before = w->len;
        if (remoting_props_append(w, 0, REMOTING_PROP_TRANSACTION_ID, v) != 0)
            w->len = before;
    }
    if (!(plen && remoting_props_find(props, plen, REMOTING_PROP_PGROUP,
                                      &v) && v.len) &&
        group && *group) {
        before = w->len;
        if (remoting_props_append(w, 0, REMOTING_PROP_PGROUP,
                                  remoting_view(group)) != 0)
            w->len = before;
    }
    if (w->err) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    *hq = sys_queue(b, RMQ_TXN_HALF_TOPIC, 1);
    if (!*hq) {
        snprintf(err, errlen, "cannot create " RMQ_TXN_HALF_TOPIC);
        return -1;
    }
    return 0;
}

void rmq_txn_half_stored(broker *b, const store_append_result *res,
                         const uint8_t *props, size_t plen)
{
    track_half(b, res->queue_offset, res->commitlog_pos, res->store_timestamp,
               props, plen, queue_max(b, RMQ_TXN_OP_TOPIC));
    C.halves++;
}

/* ------------------------------------------------------------------ */
/* commit, rollback, END_TRANSACTION                                   */
/* ------------------------------------------------------------------ */

/* Writes the final message of a half record to its real topic/queue. */
static int commit_half(broker *b, const store_record *rec, char *why,
                       size_t whylen)
{
    buf_view rt, rq;
    int32_t qid;
    if (!remoting_props_find(rec->properties, rec->properties_len,
                             REMOTING_PROP_REAL_TOPIC, &rt) ||
        !remoting_props_find(rec->properties, rec->properties_len,
                             REMOTING_PROP_REAL_QID, &rq) ||
        remoting_parse_i32(rq, &qid) != 0) {
        snprintf(why, whylen, "half message has no REAL_TOPIC/REAL_QID");
        return -1;
    }
    topic *t = topics_find(b->topics, (const char *)rt.ptr, rt.len);
    store_queue *q = t ? topics_queue(b->topics, t, qid) : NULL;
    if (!q) {
        snprintf(why, whylen, "topic %.*s queue %d no longer exists",
                 (int)rt.len, (const char *)rt.ptr, qid);
        return -1;
    }
    static const char *const drop[] = {REMOTING_PROP_REAL_TOPIC,
                                       REMOTING_PROP_REAL_QID,
                                       REMOTING_PROP_TRAN_MSG};
    buf_writer pw;
    buf_writer_init(&pw, rec->properties_len + 16, 0);
    props_without(&pw, rec->properties, rec->properties_len, drop, 3);
    remoting_host born;
    rmq_host_from_store(&rec->born_host, &born);
    store_append_result res;
    char uniq[80];
    int32_t sys_flag = (rec->sys_flag & ~REMOTING_SYSFLAG_TRANSACTION_MASK) |
                       REMOTING_SYSFLAG_TRANSACTION_COMMIT;
    /* A delay asked for at send time starts at the commit, as RocketMQ
     * does: the committed copy is parked, not made visible. */
    int level = 0;
    int64_t due = 0;
    char dwhy[160];
    int mode = delay_classify(pw.p, pw.len, rmq_now_ms(), delay_level_count(),
                              delay_timer_max_ms(), &level, &due, dwhy,
                              sizeof dwhy);
    int rc;
    if (mode > 0)
        rc = delay_park(b, &born, t->name, qid, mode, level, due, pw.p,
                        pw.len, NULL, 0,
                        (buf_view){rec->body, rec->body_len, 0}, rec->flag,
                        sys_flag, rec->born_timestamp, rec->reconsume_times,
                        &res, uniq);
    else
        rc = rmq_store_message_ex(
            b, &born, q, pw.p, pw.len,
            (buf_view){rec->body, rec->body_len, 0}, rec->flag, sys_flag,
            rec->born_timestamp, rec->reconsume_times, rec->commitlog_pos,
            &res, uniq);
    buf_writer_release(&pw);
    if (rc != 0) {
        snprintf(why, whylen, "%s", store_errmsg(b->st));
        return -1;
    }
    return 0;
}

void rmq_txn_end(rconn *c, const remoting_header *req)
{
    broker *b = c->b;
    const char *group = rmq_ext_str(c, req, "producerGroup");
    int64_t tso, clo;
    int32_t cor;
    int from_check = 0;
    if (!group || remoting_ext_get_i64(req, "tranStateTableOffset", &tso) ||
        remoting_ext_get_i64(req, "commitLogOffset", &clo) ||
        remoting_ext_get_i32(req, "commitOrRollback", &cor)) {
        log_warn("rmq", c->peer, "END_TRANSACTION without producerGroup, "
                                 "tranStateTableOffset, commitLogOffset or "
                                 "commitOrRollback");
        rmq_reply(c, req, NULL, REMOTING_RESP_INVALID_PARAMETER,
                  "producerGroup, tranStateTableOffset, commitLogOffset and "
                  "commitOrRollback are required",
                  NULL, 0);
        return;
    }
    remoting_ext_get_bool(req, "fromTransactionCheck", &from_check);
    rmq_txn_producer_seen(c, (const uint8_t *)group, strlen(group));
    if (cor == REMOTING_SYSFLAG_TRANSACTION_NOT) {
        log_debug("rmq", c->peer, "transaction at %" PRId64
                                  " answered UNKNOW%s; left for check-back",
                  clo, from_check ? " (check)" : "");
        rmq_reply(c, req, NULL, REMOTING_RESP_SUCCESS, NULL, NULL, 0);
        return;
    }
    if (cor != REMOTING_SYSFLAG_TRANSACTION_COMMIT &&
        cor != REMOTING_SYSFLAG_TRANSACTION_ROLLBACK) {
        rmq_reply(c, req, NULL, REMOTING_RESP_INVALID_PARAMETER,
                  "commitOrRollback must be 0, 8 or 12", NULL, 0);
        return;
    }
    store_record rec;
    if (clo < 0 || store_read_record(b->st, clo, &rec) != 0) {
        log_warn("rmq", c->peer, "END_TRANSACTION: no half message at %" PRId64,
                 clo);
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR,
                  "find prepared transaction message failed", NULL, 0);
        return;
    }
    const char *bad = NULL;
    buf_view pg = {NULL, 0, 1};
    if (rec.kind != STORE_KIND_MESSAGE ||
        rec.topic_len != strlen(RMQ_TXN_HALF_TOPIC) ||
        memcmp(rec.topic, RMQ_TXN_HALF_TOPIC, rec.topic_len) != 0)
        bad = "the record at commitLogOffset is not a half message";
    else if (rec.queue_offset != tso)
        bad = "tranStateTableOffset does not match the half message";
    else if (remoting_props_find(rec.properties, rec.properties_len,
                                 REMOTING_PROP_PGROUP, &pg) &&
             (pg.len != strlen(group) || memcmp(pg.ptr, group, pg.len)))
        bad = "the producer group is wrong";
    if (bad) {
        store_record_release(b->st, &rec);
        log_warn("rmq", c->peer, "END_TRANSACTION at %" PRId64 ": %s", clo,
                 bad);
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR, bad, NULL, 0);
        return;
    }
    int64_t root = rec.queue_offset;
    prop_i64(rec.properties, rec.properties_len,
             REMOTING_PROP_TRAN_PREPARED_QUEUE_OFFSET, &root);
    if (!txn_table_find(&T.pending, root)) {
        store_record_release(b->st, &rec);
        log_debug("rmq", c->peer, "transaction %" PRId64
                                  " already ended; END ignored",
                  root);
        rmq_reply(c, req, NULL, REMOTING_RESP_SUCCESS, NULL, NULL, 0);
        return;
    }
    char why[200] = "";
    int rc = 0;
    if (cor == REMOTING_SYSFLAG_TRANSACTION_COMMIT)
        rc = commit_half(b, &rec, why, sizeof why);
    store_record_release(b->st, &rec);
    if (rc == 0 && write_op(b, root) != 0) {
        rc = -1;
        snprintf(why, sizeof why, "op record not written: %s",
                 store_errmsg(b->st));
    }
    if (rc != 0) {
        log_warn("rmq", c->peer, "END_TRANSACTION %s of %" PRId64
                                 " failed: %s",
                 cor == REMOTING_SYSFLAG_TRANSACTION_COMMIT ? "commit"
                                                            : "rollback",
                 root, why);
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR, why, NULL, 0);
        return;
    }
    if (cor == REMOTING_SYSFLAG_TRANSACTION_COMMIT)
        C.commits++;
    else
        C.rollbacks++;
    txn_table_compact_maybe(&T.pending);
    broker_notify_append(b);
    rmq_reply(c, req, NULL, REMOTING_RESP_SUCCESS, NULL, NULL, 0);
}

/* ------------------------------------------------------------------ */
/* check-back                                                          */
/* ------------------------------------------------------------------ */

/* Sends CHECK_TRANSACTION_STATE for the half record at pos to pc. */
static int send_check_request(broker *b, rconn *pc, int64_t pos)
{
    store_record rec;
    if (store_read_record(b->st, pos, &rec) != 0)
        return -1;
    buf_view rt = {NULL, 0, 1}, rq, uniq = {(const uint8_t *)"", 0, 0};
    int32_t qid = 0;
    remoting_props_find(rec.properties, rec.properties_len,
                        REMOTING_PROP_UNIQ_KEY, &uniq);
    if (!remoting_props_find(rec.properties, rec.properties_len,
                             REMOTING_PROP_REAL_TOPIC, &rt) ||
        !remoting_props_find(rec.properties, rec.properties_len,
                             REMOTING_PROP_REAL_QID, &rq) ||
        remoting_parse_i32(rq, &qid) != 0) {
        store_record_release(b->st, &rec);
        return -1;
    }
    remoting_msg m;
    memset(&m, 0, sizeof m);
    m.queue_id = qid;
    m.queue_offset = rec.queue_offset;
    m.physical_offset = rec.commitlog_pos;
    m.flag = rec.flag;
    m.sys_flag = rec.sys_flag;
    m.born_timestamp = rec.born_timestamp;
    m.store_timestamp = rec.store_timestamp;
    rmq_host_from_store(&rec.born_host, &m.born_host);
    rmq_host_from_store(&rec.store_host, &m.store_host);
    m.reconsume_times = rec.reconsume_times;
    m.body.ptr = rec.body;
    m.body.len = rec.body_len;
    m.body_crc = remoting_body_crc(rec.body, rec.body_len);
    m.topic = rt;
    m.properties.ptr = rec.properties;
    m.properties.len = rec.properties_len;
    buf_writer body;
    buf_writer_init(&body, 256 + rec.raw_len, 0);
    int rc = remoting_msg_encode(&body, &m);

    char uniq_s[80], msgid[64];
    snprintf(uniq_s, sizeof uniq_s, "%.*s", (int)uniq.len,
             (const char *)uniq.ptr);
    remoting_offset_msgid_encode(&rmq_state->store_host, rec.commitlog_pos,
                                 msgid);
    wire_arena a;
    wire_arena_init(&a, 1024, 0);
    remoting_header h;
    memset(&h, 0, sizeof h);
    h.code = REMOTING_REQ_CHECK_TRANSACTION_STATE;
    h.language = REMOTING_LANG_CPP;
    h.version = REMOTING_VERSION_CURRENT;
    h.flag = REMOTING_FLAG_ONEWAY;
    h.remark.is_null = 1;
    remoting_ext_add_i64(&h, &a, "tranStateTableOffset", rec.queue_offset);
    remoting_ext_add_i64(&h, &a, "commitLogOffset", rec.commitlog_pos);
    remoting_ext_add_str(&h, &a, "msgId", uniq_s);
    remoting_ext_add_str(&h, &a, "transactionId", uniq_s);
    remoting_ext_add_str(&h, &a, "offsetMsgId", msgid);
    remoting_ext_add_str(&h, &a, "topic", RMQ_TXN_HALF_TOPIC);
    remoting_ext_add_str(&h, &a, "bname", b->cfg->broker_name);
    store_record_release(b->st, &rec);
    buf_writer w;
    buf_writer_init(&w, 256 + body.len, 0);
    if (rc == 0 && !body.err &&
        remoting_frame_encode(&w, &h, REMOTING_SERIALIZE_JSON, body.p,
                              body.len) == 0 &&
        !w.err)
        bufferevent_write(pc->bev, w.p, w.len);
    else
        rc = -1;
    buf_writer_release(&w);
    buf_writer_release(&body);
    wire_arena_release(&a);
    return rc;
}

/* Re-appends the newest half record of p with the check count + 1 and
 * sends the check for that copy. */
static int check_one(broker *b, rconn *pc, txn_pending *p)
{
    store_record rec;
    if (store_read_record(b->st, p->half_pos, &rec) != 0) {
        /* gone with retention, or damaged: nothing left to commit */
        int64_t root = p->root;
        log_warn("rmq", NULL, "transaction %" PRId64
                              ": half record at %" PRId64
                              " unreadable (%s); dropped as rolled back",
                 root, p->half_pos, store_errmsg(b->st));
        write_op(b, root);
        return -2;
    }
    static const char *const drop[] = {REMOTING_PROP_TRANSACTION_CHECK_TIMES,
                                       REMOTING_PROP_TRAN_PREPARED_QUEUE_OFFSET};
    buf_writer pw;
    buf_writer_init(&pw, rec.properties_len + 80, 0);
    props_without(&pw, rec.properties, rec.properties_len, drop, 2);
    props_add_i64(&pw, REMOTING_PROP_TRANSACTION_CHECK_TIMES, p->checks + 1);
    props_add_i64(&pw, REMOTING_PROP_TRAN_PREPARED_QUEUE_OFFSET, p->root);
    remoting_host born;
    rmq_host_from_store(&rec.born_host, &born);
    store_queue *hq = sys_queue(b, RMQ_TXN_HALF_TOPIC, 1);
    store_append_result res;
    char uniq[80];
    int rc = hq ? rmq_store_message_ex(
                      b, &born, hq, pw.p, pw.len,
                      (buf_view){rec.body, rec.body_len, 0}, rec.flag,
                      rec.sys_flag, rec.born_timestamp, rec.reconsume_times,
                      0, &res, uniq)
                : -1;
    buf_writer_release(&pw);
    store_record_release(b->st, &rec);
    if (rc != 0) {
        log_warn("rmq", NULL, "transaction %" PRId64
                              ": check copy not written: %s",
                 p->root, store_errmsg(b->st));
        return -1;
    }
    p->half_offset = res.queue_offset;
    p->half_pos = res.commitlog_pos;
    p->checks++;
    if (send_check_request(b, pc, res.commitlog_pos) != 0) {
        log_warn("rmq", pc->peer, "transaction %" PRId64
                                  ": check request not sent",
                 p->root);
        return -1;
    }
    C.checks++;
    log_debug("rmq", pc->peer, "transaction %" PRId64 " checked (%d)",
              p->root, p->checks);
    return 0;
}

/* transactionCheckMax reached: park a copy in TRANS_CHECK_MAX_TIME_TOPIC,
 * roll back, log. */
static void give_up(broker *b, txn_pending *p)
{
    int64_t root = p->root;
    store_record rec;
    if (store_read_record(b->st, p->half_pos, &rec) == 0) {
        store_queue *mq = sys_queue(b, RMQ_TXN_MAX_TOPIC, 1);
        remoting_host born;
        rmq_host_from_store(&rec.born_host, &born);
        store_append_result res;
        char uniq[80];
        if (mq)
            rmq_store_message_ex(b, &born, mq, rec.properties,
                                 rec.properties_len,
                                 (buf_view){rec.body, rec.body_len, 0},
                                 rec.flag, rec.sys_flag, rec.born_timestamp,
                                 rec.reconsume_times, 0, &res, uniq);
        store_record_release(b->st, &rec);
    }
    log_warn("rmq", NULL,
             "transaction %" PRId64 " of group %s still unknown after %d "
             "checks (transactionCheckMax): rolled back, kept in "
             RMQ_TXN_MAX_TOPIC,
             root, p->group, p->checks);
    if (write_op(b, root) == 0) /* p becomes a tombstone */
        C.given_up++;
}

void rmq_txn_tick(broker *b, int64_t now)
{
    if (!T.started || now - T.last_run_ms < b->cfg->transaction_check_interval_ms)
        return;
    T.last_run_ms = now;
    int sent = 0, waiting = 0;
    char waiting_group[256] = "";
    size_t i = 0;
    while (i < T.pending.n && sent < TXN_MAX_CHECKS_PER_RUN) {
        txn_pending *p = &T.pending.v[i];
        if (p->done ||
            !txn_pending_due(p, now, b->cfg->transaction_timeout_ms)) {
            i++;
            continue;
        }
        if (p->checks >= b->cfg->transaction_check_max) {
            give_up(b, p); /* the entry becomes a tombstone */
            i++;
            continue;
        }
        rconn *pc = producer_for(p->group, now);
        if (!pc) {
            if (!waiting++)
                snprintf(waiting_group, sizeof waiting_group, "%s", p->group);
            i++;
            continue;
        }
        if (check_one(b, pc, p) == 0)
            sent++;
        i++;
    }
    txn_table_compact_maybe(&T.pending);
    progress_step(b);
    if (sent)
        broker_notify_append(b);
    if (waiting)
        log_info("rmq", NULL,
                 "%d pending transaction(s) wait for a live producer of their "
                 "group (e.g. %s) to check them back",
                 waiting, waiting_group);
}

/* For admin views (rmq_admin.c): every pending transaction, read-only. */
void rmq_txn_pending_foreach(void (*cb)(void *arg, const txn_pending *p),
                             void *arg)
{
    for (size_t i = 0; i < T.pending.n; i++)
        if (!T.pending.v[i].done)
            cb(arg, &T.pending.v[i]);
}
