/*
 * rmq_schedule.c - delay levels, delivery times and the delivery service
 * (the design is in rmq_schedule.h and docs/ARCHITECTURE.md).
 *
 * Parked copy of a message (what delay_park stores):
 *   topic     SCHEDULE_TOPIC_XXXX, queue level-1   (a level)
 *             rmq_sys_wheel_timer, queue 0        (a delivery time)
 *   tag hash  delivery time, ms since the epoch (ConsumeQueue + aux)
 *   props     as sent + REAL_TOPIC + REAL_QID (replacing older ones) +
 *             UNIQ_KEY when the sender had none (so msgId is stable)
 *   key, body, flag, sysFlag, born time/host, reconsumeTimes: as sent
 *
 * Delivered copy (deliver_one): the parked record's properties minus DELAY,
 * TIMER_DELIVER_MS, TIMER_DELAY_SEC, TIMER_DELAY_MS, __STARTDELIVERTIME
 * (REAL_TOPIC/REAL_QID stay, as RocketMQ keeps them), stored to the real
 * topic and queue with the tag hash of its TAGS; the rest as parked.
 *
 * Progress file config/delayOffset.json:
 *   {"offsetTable":{"1":<next offset of queue 0>, ...},"timerWatermark":<n>,
 *    "timerDelivered":[<timer offsets >= n already delivered>, ...]}
 * Written at most once a second, and only when the CommitLog is flushed
 * past the end of every copy delivered so far; so the file never claims a
 * delivery a crash could undo.  Offsets past it are delivered again after
 * a crash: at least once.
 * @locality: event loop thread (pure helpers: any).
 */
#include "rmq_schedule.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <inttypes.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "broker.h"
#include "log.h"
#include "remoting_message.h"
#include "rmq_int.h"

/* ------------------------------------------------------------------ */
/* level table                                                         */
/* ------------------------------------------------------------------ */

int delay_levels_parse(const char *s, int64_t *ms, int max, char *err,
                       size_t errlen)
{
    int n = 0;
    if (!s) {
        snprintf(err, errlen, "no delay levels given");
        return -1;
    }
    const char *p = s;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        if (*p < '0' || *p > '9') {
            snprintf(err, errlen, "level %d: '%.20s' is not <number><unit>",
                     n + 1, p);
            return -1;
        }
        int64_t v = 0;
        while (*p >= '0' && *p <= '9') {
            if (v > (INT64_C(1) << 40)) {
                snprintf(err, errlen, "level %d: number too large", n + 1);
                return -1;
            }
            v = v * 10 + (*p - '0');
            p++;
        }
        int64_t unit;
        if (p[0] == 'm' && p[1] == 's') {
            unit = 1;
            p += 2;
        } else if (*p == 's') {
            unit = 1000;
            p++;
        } else if (*p == 'm') {
            unit = 60000;
            p++;
        } else if (*p == 'h') {
            unit = 3600000;
            p++;
        } else if (*p == 'd') {
            unit = 86400000;
            p++;
        } else {
            snprintf(err, errlen,
                     "level %d: unit must be ms, s, m, h or d (got '%.8s')",
                     n + 1, p);
            return -1;
        }
        if (*p && *p != ' ' && *p != '\t') {
            snprintf(err, errlen, "level %d: junk after the unit: '%.8s'",
                     n + 1, p);
            return -1;
        }
        if (v <= 0 || v > INT64_C(365) * 86400000 / unit) {
            snprintf(err, errlen, "level %d: must be > 0 and at most 365d",
                     n + 1);
            return -1;
        }
        if (n == max) {
            snprintf(err, errlen, "more than %d levels", max);
            return -1;
        }
        ms[n++] = v * unit;
    }
    if (n == 0) {
        snprintf(err, errlen, "no delay levels given");
        return -1;
    }
    return n;
}

/* ------------------------------------------------------------------ */
/* timer heap                                                          */
/* ------------------------------------------------------------------ */

static int heap_less(const delay_heap_item *a, const delay_heap_item *b)
{
    return a->due_ms < b->due_ms ||
           (a->due_ms == b->due_ms && a->offset < b->offset);
}

int delay_heap_push(delay_heap *h, int64_t due_ms, int64_t offset)
{
    if (h->n == h->cap) {
        size_t ncap = h->cap ? h->cap * 2 : 64;
        delay_heap_item *nv = realloc(h->v, ncap * sizeof *nv);
        if (!nv)
            return -1;
        h->v = nv;
        h->cap = ncap;
    }
    size_t i = h->n++;
    h->v[i].due_ms = due_ms;
    h->v[i].offset = offset;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!heap_less(&h->v[i], &h->v[parent]))
            break;
        delay_heap_item t = h->v[i];
        h->v[i] = h->v[parent];
        h->v[parent] = t;
        i = parent;
    }
    return 0;
}

int delay_heap_top(const delay_heap *h, delay_heap_item *out)
{
    if (!h->n)
        return 0;
    *out = h->v[0];
    return 1;
}

int delay_heap_pop(delay_heap *h, delay_heap_item *out)
{
    if (!h->n)
        return 0;
    if (out)
        *out = h->v[0];
    h->v[0] = h->v[--h->n];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < h->n && heap_less(&h->v[l], &h->v[m]))
            m = l;
        if (r < h->n && heap_less(&h->v[r], &h->v[m]))
            m = r;
        if (m == i)
            break;
        delay_heap_item t = h->v[i];
        h->v[i] = h->v[m];
        h->v[m] = t;
        i = m;
    }
    return 1;
}

int64_t delay_heap_min_offset(const delay_heap *h, int64_t none)
{
    int64_t m = none;
    for (size_t i = 0; i < h->n; i++)
        if (h->v[i].offset < m)
            m = h->v[i].offset;
    return m;
}

void delay_heap_release(delay_heap *h)
{
    free(h->v);
    memset(h, 0, sizeof *h);
}

/* ------------------------------------------------------------------ */
/* progress file                                                       */
/* ------------------------------------------------------------------ */

int delay_progress_load(const char *path, delay_progress *p, char *err,
                        size_t errlen)
{
    memset(p, 0, sizeof *p);
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return 1;
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    json_error_t je;
    json_t *root = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
    fclose(f);
    if (!root) {
        snprintf(err, errlen, "%s: not JSON (line %d: %s)", path, je.line,
                 je.text);
        return -1;
    }
    int rc = 0;
    json_t *table = json_object_get(root, "offsetTable");
    json_t *wm = json_object_get(root, "timerWatermark");
    if (!json_is_object(table) || (wm && !json_is_integer(wm))) {
        snprintf(err, errlen,
                 "%s: offsetTable must be an object, timerWatermark an "
                 "integer",
                 path);
        rc = -1;
        goto out;
    }
    const char *k;
    json_t *v;
    json_object_foreach(table, k, v)
    {
        char *end;
        errno = 0;
        long lvl = strtol(k, &end, 10);
        if (errno || end == k || *end || lvl < 1 || lvl > DELAY_MAX_LEVELS ||
            !json_is_integer(v) || json_integer_value(v) < 0) {
            snprintf(err, errlen,
                     "%s: offsetTable entry \"%.16s\" is not level -> "
                     "offset >= 0",
                     path, k);
            rc = -1;
            goto out;
        }
        p->level[lvl - 1] = json_integer_value(v);
        if (lvl > p->n_levels)
            p->n_levels = (int)lvl;
    }
    p->timer = wm ? json_integer_value(wm) : 0;
    if (p->timer < 0) {
        snprintf(err, errlen, "%s: timerWatermark is negative", path);
        rc = -1;
        goto out;
    }
    json_t *done = json_object_get(root, "timerDelivered");
    if (done) {
        size_t n = json_is_array(done) ? json_array_size(done) : 0;
        if (!json_is_array(done) || n > DELAY_MAX_DONE) {
            snprintf(err, errlen,
                     "%s: timerDelivered must be an array of at most %d",
                     path, DELAY_MAX_DONE);
            rc = -1;
            goto out;
        }
        p->timer_done = n ? malloc(n * sizeof *p->timer_done) : NULL;
        if (n && !p->timer_done) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
            goto out;
        }
        for (size_t i = 0; i < n; i++) {
            json_t *x = json_array_get(done, i);
            int64_t o = json_is_integer(x) ? json_integer_value(x) : -1;
            if (o < p->timer || (i && o <= p->timer_done[i - 1])) {
                snprintf(err, errlen,
                         "%s: timerDelivered must hold ascending offsets "
                         ">= timerWatermark",
                         path);
                rc = -1;
                goto out;
            }
            p->timer_done[p->n_timer_done++] = o;
        }
    }
out:
    json_decref(root);
    if (rc != 0) {
        free(p->timer_done);
        memset(p, 0, sizeof *p);
    }
    return rc;
}

void delay_progress_release(delay_progress *p)
{
    free(p->timer_done);
    p->timer_done = NULL;
    p->n_timer_done = 0;
}

int delay_progress_timer_done(const delay_progress *p, int64_t off)
{
    size_t lo = 0, hi = p->n_timer_done;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->timer_done[mid] == off)
            return 1;
        if (p->timer_done[mid] < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static int progress_write(const char *path, const char *text, size_t n,
                          char *err, size_t errlen);

int delay_progress_save(const char *path, const delay_progress *p, char *err,
                        size_t errlen)
{
    size_t nd = p->n_timer_done < DELAY_MAX_DONE ? p->n_timer_done
                                                 : DELAY_MAX_DONE;
    size_t cap = 64 * 32 + 128 + nd * 22;
    char *text = malloc(cap);
    if (!text) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t n = (size_t)snprintf(text, cap, "{\"offsetTable\":{");
    for (int i = 0; i < p->n_levels && i < DELAY_MAX_LEVELS; i++)
        n += (size_t)snprintf(text + n, cap - n, "%s\"%d\":%" PRId64,
                              i ? "," : "", i + 1, p->level[i]);
    n += (size_t)snprintf(text + n, cap - n,
                          "},\"timerWatermark\":%" PRId64
                          ",\"timerDelivered\":[",
                          p->timer);
    for (size_t i = 0; i < nd; i++)
        n += (size_t)snprintf(text + n, cap - n, "%s%" PRId64, i ? "," : "",
                              p->timer_done[i]);
    n += (size_t)snprintf(text + n, cap - n, "]}\n");
    if (n >= cap) {
        free(text);
        snprintf(err, errlen, "progress too large");
        return -1;
    }
    int rc = progress_write(path, text, n, err, errlen);
    free(text);
    return rc;
}

static int progress_write(const char *path, const char *text, size_t n,
                          char *err, size_t errlen)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        snprintf(err, errlen, "path too long");
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
        return -1;
    }
    size_t off = 0;
    while (off < n) {
        ssize_t w = write(fd, text + off, n - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    if (off != n || fsync(fd) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
        close(fd);
        unlink(tmp);
        return -1;
    }
    close(fd);
    if (rename(tmp, path) != 0) {
        snprintf(err, errlen, "cannot rename %s: %s", tmp, strerror(errno));
        unlink(tmp);
        return -1;
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        int dfd = open(dir, O_RDONLY | O_DIRECTORY);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* what a message asks for                                             */
/* ------------------------------------------------------------------ */

/* A whole decimal int64 (optional leading '-'); 0 ok, -1 not one. */
static int view_i64(buf_view v, int64_t *out)
{
    if (v.len == 0 || v.len > 20)
        return -1;
    size_t i = 0;
    int neg = 0;
    if (v.ptr[0] == '-') {
        neg = 1;
        i = 1;
        if (v.len == 1)
            return -1;
    }
    int64_t x = 0;
    for (; i < v.len; i++) {
        if (v.ptr[i] < '0' || v.ptr[i] > '9')
            return -1;
        if (x > (INT64_MAX - 9) / 10)
            return -1;
        x = x * 10 + (v.ptr[i] - '0');
    }
    *out = neg ? -x : x;
    return 0;
}

int delay_classify(const uint8_t *props, size_t plen, int64_t now_ms,
                   int n_levels, int64_t max_timer_ms, int *level,
                   int64_t *due_ms, char *err, size_t errlen)
{
    buf_view v;
    int64_t x;
    if (!props || !plen)
        return 0;
    if (remoting_props_find(props, plen, REMOTING_PROP_DELAY, &v)) {
        if (view_i64(v, &x) != 0) {
            snprintf(err, errlen, "DELAY must be an integer level");
            return -1;
        }
        if (x > 0 && n_levels > 0) {
            *level = x > n_levels ? n_levels : (int)x;
            return 1;
        }
    }
    static const struct {
        const char *key;
        int relative;
        int64_t unit;
    } keys[] = {
        {REMOTING_PROP_TIMER_DELAY_SEC, 1, 1000},
        {REMOTING_PROP_TIMER_DELAY_MS, 1, 1},
        {REMOTING_PROP_TIMER_DELIVER_MS, 0, 1},
        {DELAY_PROP_START_DELIVER_TIME, 0, 1},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (!remoting_props_find(props, plen, keys[i].key, &v))
            continue;
        if (view_i64(v, &x) != 0 || x < 0 ||
            x > INT64_C(100) * 365 * 86400000 / keys[i].unit) {
            snprintf(err, errlen, "%s must be a non-negative integer",
                     keys[i].key);
            return -1;
        }
        int64_t due = keys[i].relative ? now_ms + x * keys[i].unit : x;
        if (due <= now_ms)
            return 0;
        if (max_timer_ms > 0 && due - now_ms > max_timer_ms) {
            snprintf(err, errlen,
                     "%s is %" PRId64 " s ahead, more than timerMaxDelaySec "
                     "(%" PRId64 ")",
                     keys[i].key, (due - now_ms) / 1000, max_timer_ms / 1000);
            return -1;
        }
        *due_ms = due;
        return 2;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* the service                                                         */
/* ------------------------------------------------------------------ */

#define DELAY_POLL_MS        100
#define DELAY_SAVE_EVERY_MS  1000
#define DELAY_BUDGET_PER_RUN 2000

static struct {
    broker *b;
    int started;
    int n_levels;
    int64_t level_ms[DELAY_MAX_LEVELS];
    delay_progress prog;
    int dirty;
    int64_t last_save_ms;
    int64_t pending_end;   /* CommitLog end of the last delivered copy */
    delay_heap heap;
    int64_t *done; /* timer offsets delivered since the last save, and
                    * those at or above the watermark saved before */
    size_t n_done, cap_done;
    struct event *ev;
    char path[PATH_MAX];
    delay_stats st;
    int64_t backoff_until;
} D;

int64_t delay_timer_max_ms(void)
{
    return D.started ? D.b->cfg->timer_max_delay_sec * 1000 : 0;
}

int delay_level_count(void)
{
    return D.started ? D.n_levels : 0;
}

int64_t delay_level_ms(int level)
{
    return level >= 1 && level <= D.n_levels ? D.level_ms[level - 1] : 0;
}

void delay_stats_get(delay_stats *out)
{
    *out = D.st;
    out->timers_pending = D.heap.n;
}

static int is_timer_or_delay_key(buf_view k)
{
    static const char *const drop[] = {
        REMOTING_PROP_DELAY, REMOTING_PROP_TIMER_DELIVER_MS,
        REMOTING_PROP_TIMER_DELAY_SEC, REMOTING_PROP_TIMER_DELAY_MS,
        DELAY_PROP_START_DELIVER_TIME};
    for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++)
        if (k.len == strlen(drop[i]) && !memcmp(k.ptr, drop[i], k.len))
            return 1;
    return 0;
}

static int is_real_key(buf_view k)
{
    return (k.len == 10 && !memcmp(k.ptr, REMOTING_PROP_REAL_TOPIC, 10)) ||
           (k.len == 8 && !memcmp(k.ptr, REMOTING_PROP_REAL_QID, 8));
}

/* Copies props into w without the pairs `skip` says no to. */
static void props_copy(buf_writer *w, const uint8_t *p, size_t n,
                       int (*skip)(buf_view))
{
    remoting_prop_iter it;
    remoting_prop pr;
    remoting_prop_iter_init(&it, p, n);
    while (remoting_prop_next(&it, &pr) == 1) {
        if (skip(pr.key))
            continue;
        buf_write_raw(w, pr.key.ptr, pr.key.len);
        buf_write_raw(w, "\x01", 1);
        buf_write_raw(w, pr.value.ptr, pr.value.len);
        buf_write_raw(w, "\x02", 1);
    }
}

int delay_park(broker *b, const remoting_host *born_host,
               const char *real_topic, int32_t real_qid, int mode, int level,
               int64_t due_ms, const uint8_t *props, size_t plen,
               const uint8_t *key, size_t key_len, buf_view body,
               int32_t flag, int32_t sys_flag, int64_t born,
               int32_t reconsume, store_append_result *res,
               char *uniq_text)
{
    if (!D.started || (mode == 1 && (level < 1 || level > D.n_levels)))
        return STORE_EINVAL;
    int64_t now = rmq_now_ms();
    if (mode == 1)
        due_ms = now + D.level_ms[level - 1];
    const char *tn = mode == 1 ? DELAY_SCHEDULE_TOPIC : DELAY_TIMER_TOPIC;
    topic *t = topics_find(b->topics, tn, strlen(tn));
    store_queue *q = t ? topics_queue(b->topics, t, mode == 1 ? level - 1
                                                              : 0)
                       : NULL;
    if (!q)
        return STORE_ENOENT;
    buf_writer pw;
    buf_writer_init(&pw, plen + 96, 0);
    props_copy(&pw, props, plen, is_real_key);
    char qs[16];
    snprintf(qs, sizeof qs, "%d", real_qid);
    size_t start = 0;
    int rc = remoting_props_append(&pw, start, REMOTING_PROP_REAL_TOPIC,
                                   remoting_view(real_topic));
    if (rc == 0)
        rc = remoting_props_append(&pw, start, REMOTING_PROP_REAL_QID,
                                   remoting_view(qs));
    if (rc != 0 || pw.err) {
        buf_writer_release(&pw);
        return STORE_EINVAL;
    }
    rc = rmq_store_message_full(b, born_host, q, pw.p, pw.len, body, flag,
                                sys_flag, born, reconsume, 0, key, key_len,
                                &due_ms, res, uniq_text);
    buf_writer_release(&pw);
    if (rc != 0)
        return rc;
    D.st.parked++;
    if (mode == 2 && delay_heap_push(&D.heap, due_ms, res->queue_offset) != 0)
        log_error("delay", NULL,
                  "out of memory for the timer heap: timer@%" PRId64
                  " is delivered after the next restart",
                  res->queue_offset);
    if (mode == 2 && D.ev) {
        /* a due time before the next poll: come back sooner */
        struct timeval tv = {0, 0};
        int64_t wait = due_ms - now;
        if (wait < DELAY_POLL_MS) {
            tv.tv_usec = (suseconds_t)(wait > 0 ? wait * 1000 : 0);
            event_add(D.ev, &tv);
        }
    }
    return 0;
}

/* Moves the parked record at pos to its real topic.  0 done (or dropped
 * for good), -1 try again later (the append failed). */
static int deliver_one(int64_t pos, int64_t due, int64_t now)
{
    broker *b = D.b;
    store_record rec;
    if (store_read_record(b->st, pos, &rec) != 0) {
        log_warn("delay", NULL,
                 "parked message at %" PRId64 " is unreadable (%s): dropped",
                 pos, store_errmsg(b->st));
        D.st.dropped++;
        return 0;
    }
    buf_view rt = {NULL, 0, 1}, rq = {NULL, 0, 1};
    char tname[256] = "";
    int64_t qid = -1;
    if (rec.kind == STORE_KIND_MESSAGE &&
        remoting_props_find(rec.properties, rec.properties_len,
                            REMOTING_PROP_REAL_TOPIC, &rt) &&
        rt.len && rt.len < sizeof tname &&
        remoting_props_find(rec.properties, rec.properties_len,
                            REMOTING_PROP_REAL_QID, &rq)) {
        memcpy(tname, rt.ptr, rt.len);
        tname[rt.len] = '\0';
        if (view_i64(rq, &qid) != 0)
            qid = -1;
    }
    topic *t = tname[0] ? topics_find(b->topics, tname, strlen(tname)) : NULL;
    if (!t || qid < 0) {
        log_warn("delay", NULL,
                 "parked message at %" PRId64
                 ": real topic '%s' is gone or unnamed: dropped",
                 pos, tname);
        store_record_release(b->st, &rec);
        D.st.dropped++;
        return 0;
    }
    if (qid >= t->queues)
        qid %= t->queues;
    store_queue *q = topics_queue(b->topics, t, (int32_t)qid);
    buf_writer pw;
    buf_writer_init(&pw, rec.properties_len + 16, 0);
    props_copy(&pw, rec.properties, rec.properties_len,
               is_timer_or_delay_key);
    remoting_host bh;
    rmq_host_from_store(&rec.born_host, &bh);
    buf_view body = {rec.body, rec.body_len, 0};
    store_append_result res;
    char uniq[80];
    int rc = q && !pw.err
                 ? rmq_store_message_full(b, &bh, q, pw.p, pw.len, body,
                                          rec.flag, rec.sys_flag,
                                          rec.born_timestamp,
                                          rec.reconsume_times, 0, rec.key,
                                          rec.key ? rec.key_len : 0, NULL,
                                          &res, uniq)
                 : STORE_ENOMEM;
    buf_writer_release(&pw);
    store_record_release(b->st, &rec);
    if (rc != 0) {
        log_warn("delay", NULL, "delivery to %s-%d failed: %s; retrying "
                                "in 10 s",
                 tname, (int)qid, store_errmsg(b->st));
        return -1;
    }
    if (res.end_pos > D.pending_end)
        D.pending_end = res.end_pos;
    D.st.delivered++;
    if (now - due > D.st.max_late_ms)
        D.st.max_late_ms = now - due;
    log_debug("delay", NULL, "delivered %s to %s-%d, %" PRId64 " ms late",
              uniq, tname, (int)qid, now - due);
    return 0;
}

/* In-memory bound of the delivered-timer set (8 MiB); past it, timers
 * delivered out of order are delivered again after a crash. */
#define DELAY_MAX_DONE_MEM (1u << 20)

static void done_add(int64_t off)
{
    if (D.n_done == D.cap_done) {
        size_t ncap = D.cap_done ? D.cap_done * 2 : 256;
        int64_t *nd = ncap <= DELAY_MAX_DONE_MEM
                          ? realloc(D.done, ncap * sizeof *nd)
                          : NULL;
        if (!nd)
            return;
        D.done = nd;
        D.cap_done = ncap;
    }
    D.done[D.n_done++] = off;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static topic *sys_topic(const char *name)
{
    return topics_find(D.b->topics, name, strlen(name));
}

static void progress_save(int64_t now, int force)
{
    if (!D.dirty)
        return;
    if (!force && now - D.last_save_ms < DELAY_SAVE_EVERY_MS)
        return;
    /* never claim a delivery whose copy is not durable yet */
    if (store_flushed_pos(D.b->st) < D.pending_end) {
        if (!force)
            return;
        store_flush_all(D.b->st);
    }
    topic *tt = sys_topic(DELAY_TIMER_TOPIC);
    store_queue *tq = tt ? topics_queue(D.b->topics, tt, 0) : NULL;
    int64_t tmax = tq ? store_queue_max_offset(tq) : D.prog.timer;
    D.prog.timer = delay_heap_min_offset(&D.heap, tmax);
    /* keep only delivered offsets at or above the watermark, sorted */
    size_t k = 0;
    for (size_t i = 0; i < D.n_done; i++)
        if (D.done[i] >= D.prog.timer)
            D.done[k++] = D.done[i];
    D.n_done = k;
    if (D.n_done > 1)
        qsort(D.done, D.n_done, sizeof *D.done, cmp_i64);
    D.prog.timer_done = D.done; /* borrowed for the write */
    D.prog.n_timer_done = D.n_done;
    char err[256];
    int rc = delay_progress_save(D.path, &D.prog, err, sizeof err);
    D.prog.timer_done = NULL;
    D.prog.n_timer_done = 0;
    if (rc != 0) {
        log_error("delay", NULL, "%s (progress kept in memory; retried)",
                  err);
        return;
    }
    D.dirty = 0;
    D.last_save_ms = now;
}

static void delay_run(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    broker *b = D.b;
    int64_t now = rmq_now_ms();
    int budget = DELAY_BUDGET_PER_RUN, delivered = 0;
    if (now < D.backoff_until)
        goto done;
    topic *st = sys_topic(DELAY_SCHEDULE_TOPIC);
    for (int32_t i = 0; st && i < st->queues && i < DELAY_MAX_LEVELS; i++) {
        store_queue *q = topics_queue(b->topics, st, i);
        if (!q)
            continue;
        int64_t off = D.prog.level[i];
        int64_t min = store_queue_min_offset(q), max = store_queue_max_offset(q);
        if (off < min)
            off = min;
        while (off < max && budget > 0) {
            store_cq_entry e;
            if (store_queue_read(q, off, &e, 1) != 1)
                break;
            if (e.tag_hash > now)
                break;
            if (deliver_one(e.commitlog_pos, e.tag_hash, now) != 0) {
                D.backoff_until = now + 10000;
                break;
            }
            off++;
            budget--;
            delivered++;
        }
        if (off != D.prog.level[i]) {
            D.prog.level[i] = off;
            D.dirty = 1;
        }
        if (i + 1 > D.prog.n_levels)
            D.prog.n_levels = i + 1;
    }
    topic *tt = sys_topic(DELAY_TIMER_TOPIC);
    store_queue *tq = tt ? topics_queue(b->topics, tt, 0) : NULL;
    delay_heap_item it;
    while (tq && budget > 0 && now >= D.backoff_until &&
           delay_heap_top(&D.heap, &it) && it.due_ms <= now) {
        store_cq_entry e;
        if (store_queue_read(tq, it.offset, &e, 1) != 1) {
            log_warn("delay", NULL,
                     "timer entry %" PRId64 " is gone (retention?): dropped",
                     it.offset);
            delay_heap_pop(&D.heap, NULL);
            D.st.dropped++;
            D.dirty = 1;
            continue;
        }
        if (deliver_one(e.commitlog_pos, it.due_ms, now) != 0) {
            D.backoff_until = now + 10000;
            break;
        }
        delay_heap_pop(&D.heap, NULL);
        done_add(it.offset);
        D.dirty = 1;
        budget--;
        delivered++;
    }
    if (delivered)
        broker_notify_append(b);
done:
    progress_save(now, 0);
    struct timeval tv = {0, DELAY_POLL_MS * 1000};
    if (budget == 0)
        tv.tv_usec = 0; /* more is due: go on after other events */
    else if (delay_heap_top(&D.heap, &it) && it.due_ms - now < DELAY_POLL_MS)
        tv.tv_usec = (suseconds_t)(it.due_ms > now ? (it.due_ms - now) * 1000
                                                   : 0);
    event_add(D.ev, &tv);
}

static int ensure_topic(const char *name, int32_t queues, char *err,
                        size_t errlen)
{
    broker *b = D.b;
    topic *t = topics_find(b->topics, name, strlen(name));
    if (!t) {
        if (topics_create_any(b->topics, name, strlen(name), queues, 1, &t,
                              err, errlen) != 0)
            return -1;
    } else if (t->queues < queues &&
               topics_set_queues(b->topics, t, queues) != 0) {
        snprintf(err, errlen, "cannot grow %s to %d queues", name, queues);
        return -1;
    }
    return 0;
}

int delay_start(broker *b, char *err, size_t errlen)
{
    memset(&D, 0, sizeof D);
    D.b = b;
    const char *table = b->cfg->message_delay_level && *b->cfg->message_delay_level
                            ? b->cfg->message_delay_level
                            : DELAY_DEFAULT_LEVELS;
    char why[200];
    D.n_levels = delay_levels_parse(table, D.level_ms, DELAY_MAX_LEVELS, why,
                                    sizeof why);
    if (D.n_levels < 0) {
        snprintf(err, errlen, "messageDelayLevel: %s", why);
        return -1;
    }
    if (ensure_topic(DELAY_SCHEDULE_TOPIC, D.n_levels, err, errlen) != 0 ||
        ensure_topic(DELAY_TIMER_TOPIC, 1, err, errlen) != 0)
        return -1;
    snprintf(D.path, sizeof D.path, "%s/config/delayOffset.json",
             b->cfg->store_dir);
    int rc = delay_progress_load(D.path, &D.prog, why, sizeof why);
    if (rc < 0)
        log_error("delay", NULL,
                  "%s: delivering every parked message again from the "
                  "start of its queue (at least once; duplicates likely)",
                  why);
    /* rebuild the timer heap from the watermark */
    topic *tt = sys_topic(DELAY_TIMER_TOPIC);
    store_queue *tq = tt ? topics_queue(b->topics, tt, 0) : NULL;
    if (tq) {
        int64_t off = D.prog.timer, max = store_queue_max_offset(tq);
        if (off < store_queue_min_offset(tq))
            off = store_queue_min_offset(tq);
        store_cq_entry es[256];
        while (off < max) {
            int n = store_queue_read(tq, off, es, 256);
            if (n <= 0)
                break;
            for (int i = 0; i < n; i++) {
                if (delay_progress_timer_done(&D.prog, off + i))
                    continue; /* delivered before the restart */
                if (delay_heap_push(&D.heap, es[i].tag_hash, off + i) != 0) {
                    snprintf(err, errlen, "out of memory for timers");
                    return -1;
                }
            }
            off += n;
        }
    }
    /* the saved set stays part of the next saves */
    D.done = D.prog.timer_done;
    D.n_done = D.cap_done = D.prog.n_timer_done;
    D.prog.timer_done = NULL;
    D.prog.n_timer_done = 0;
    D.ev = event_new(b->base, -1, 0, delay_run, NULL);
    if (!D.ev) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    D.started = 1;
    D.last_save_ms = rmq_now_ms();
    struct timeval tv = {0, 0};
    event_add(D.ev, &tv);
    log_info("delay", NULL,
             "%d delay levels (%s); %zu timer message(s) pending", D.n_levels,
             table, D.heap.n);
    return 0;
}

void delay_stop(broker *b)
{
    (void)b;
    if (!D.started)
        return;
    progress_save(rmq_now_ms(), 1);
    if (D.ev)
        event_free(D.ev);
    delay_heap_release(&D.heap);
    free(D.done);
    memset(&D, 0, sizeof D);
}

void delay_stop_for_test_crash(void)
{
    if (!D.started)
        return;
    if (D.ev)
        event_free(D.ev);
    delay_heap_release(&D.heap);
    free(D.done);
    memset(&D, 0, sizeof D);
}
