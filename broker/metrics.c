/*
 * metrics.c - counters kept by the request paths, figures read at scrape
 * time, and the HTTP listener that serves them (see metrics.h).
 *
 * Storage is sized for what a broker meets: request stats are indexed
 * directly by (protocol, API key or request code), per-topic delivery
 * counters live in a chained hash by topic name.  Everything runs on the
 * event loop thread, so nothing here takes a lock; the store's counters
 * read at scrape time are atomics of their own.
 * @locality: event loop thread.
 */
#include "metrics.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "kafka.h"
#include "log.h"
#include "remoting.h"
#include "rmq_int.h"

#define METRICS_MAX_API   2048 /* request codes and API keys below this */
#define METRICS_MAX_CODES 12   /* distinct response codes kept per API */
#define METRICS_OTHER_CODE INT32_MIN
#define METRICS_TOPIC_BUCKETS 256
#define METRICS_MAX_COLLECTORS 8

/* Handler-time buckets, in seconds (upper bounds; +Inf is implied). */
static const double metrics_buckets[] = {0.00005, 0.0001, 0.00025, 0.0005,
                                         0.001,   0.0025, 0.005,   0.01,
                                         0.025,   0.05,   0.1,     0.25,
                                         0.5,     1.0};
#define METRICS_NBUCKETS                                                     \
    (sizeof metrics_buckets / sizeof metrics_buckets[0])

typedef struct code_count {
    int32_t code;
    uint64_t n;
} code_count;

typedef struct req_stat {
    code_count codes[METRICS_MAX_CODES];
    int ncodes;
    uint64_t other; /* codes beyond METRICS_MAX_CODES distinct ones */
    uint64_t buckets[METRICS_NBUCKETS]; /* per bucket, not cumulative */
    uint64_t count;
    int64_t sum_us;
} req_stat;

typedef struct topic_stat {
    struct topic_stat *next;
    char *name;
    uint64_t msgs_out[2];
    uint64_t bytes_out[2];
} topic_stat;

typedef struct collector {
    metrics_collector_fn fn;
    void *arg;
} collector;

static struct {
    req_stat *req[2][METRICS_MAX_API];
    topic_stat *topics[METRICS_TOPIC_BUCKETS];
    collector collectors[METRICS_MAX_COLLECTORS];
    int ncollectors;
    int64_t start_ms;
    struct evhttp *http;
    broker *b;
} M;

static const char *const proto_names[2] = {"kafka", "rocketmq"};

int64_t metrics_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void metrics_request(metrics_proto p, int32_t api, int32_t code,
                     int64_t handler_us)
{
    if ((unsigned)p > 1 || api < 0 || api >= METRICS_MAX_API)
        return;
    req_stat *s = M.req[p][api];
    if (!s) {
        s = calloc(1, sizeof *s);
        if (!s)
            return;
        M.req[p][api] = s;
    }
    int i;
    for (i = 0; i < s->ncodes && s->codes[i].code != code; i++)
        ;
    if (i < s->ncodes)
        s->codes[i].n++;
    else if (s->ncodes < METRICS_MAX_CODES) {
        s->codes[s->ncodes].code = code;
        s->codes[s->ncodes++].n = 1;
    } else
        s->other++;
    if (handler_us < 0)
        handler_us = 0;
    double sec = (double)handler_us / 1e6;
    size_t b = 0;
    while (b < METRICS_NBUCKETS && sec > metrics_buckets[b])
        b++;
    if (b < METRICS_NBUCKETS)
        s->buckets[b]++;
    s->count++;
    s->sum_us += handler_us;
}

static uint32_t name_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

void metrics_topic_out(metrics_proto p, const char *tname, size_t len,
                       int64_t msgs, int64_t bytes)
{
    if ((unsigned)p > 1 || !tname || msgs <= 0)
        return;
    uint32_t h = name_hash(tname, len) % METRICS_TOPIC_BUCKETS;
    topic_stat *t;
    for (t = M.topics[h]; t; t = t->next)
        if (strlen(t->name) == len && memcmp(t->name, tname, len) == 0)
            break;
    if (!t) {
        t = calloc(1, sizeof *t);
        if (!t || !(t->name = malloc(len + 1))) {
            free(t);
            return;
        }
        memcpy(t->name, tname, len);
        t->name[len] = '\0';
        t->next = M.topics[h];
        M.topics[h] = t;
    }
    t->msgs_out[p] += (uint64_t)msgs;
    t->bytes_out[p] += bytes > 0 ? (uint64_t)bytes : 0;
}

int metrics_add_collector(metrics_collector_fn fn, void *arg)
{
    if (M.ncollectors >= METRICS_MAX_COLLECTORS)
        return -1;
    M.collectors[M.ncollectors].fn = fn;
    M.collectors[M.ncollectors++].arg = arg;
    return 0;
}

/* ------------------------------------------------------------------ */
/* rendering                                                           */
/* ------------------------------------------------------------------ */

/* A label value with \, " and newline escaped, as the format requires. */
static void put_label(struct evbuffer *out, const char *s, size_t n)
{
    evbuffer_add(out, "\"", 1);
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        const char *esc = s[i] == '\\'   ? "\\\\"
                          : s[i] == '"'  ? "\\\""
                          : s[i] == '\n' ? "\\n"
                                         : NULL;
        if (!esc)
            continue;
        evbuffer_add(out, s + from, i - from);
        evbuffer_add(out, esc, 2);
        from = i + 1;
    }
    evbuffer_add(out, s + from, n - from);
    evbuffer_add(out, "\"", 1);
}

static void family(struct evbuffer *out, const char *name, const char *type,
                   const char *help)
{
    evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help,
                        name, type);
}

static void api_label(struct evbuffer *out, int p, int32_t api)
{
    const char *name = p == METRICS_KAFKA ? kafka_api_name((int16_t)api)
                                          : remoting_request_code_name(api);
    char num[32];
    if (!name) {
        snprintf(num, sizeof num, "%" PRId32, api);
        name = num;
    }
    evbuffer_add_printf(out, "protocol=\"%s\",api=", proto_names[p]);
    put_label(out, name, strlen(name));
}

static void render_requests(struct evbuffer *out)
{
    family(out, "ferry_requests_total", "counter",
           "Requests handled, by protocol, API and response code (Kafka: "
           "0 unless the reply has a top-level error; -1 = connection "
           "closed instead of an answer).");
    for (int p = 0; p < 2; p++)
        for (int32_t a = 0; a < METRICS_MAX_API; a++) {
            req_stat *s = M.req[p][a];
            if (!s)
                continue;
            for (int i = 0; i <= s->ncodes; i++) {
                if (i == s->ncodes && !s->other)
                    break;
                evbuffer_add_printf(out, "ferry_requests_total{");
                api_label(out, p, a);
                int32_t code = i < s->ncodes ? s->codes[i].code
                                             : METRICS_OTHER_CODE;
                const char *cn = NULL;
                if (p == METRICS_RMQ && code != METRICS_OTHER_CODE)
                    cn = remoting_response_code_name(code);
                if (code == METRICS_OTHER_CODE)
                    cn = "other";
                if (cn)
                    evbuffer_add_printf(out, ",code=\"%s\"} ", cn);
                else
                    evbuffer_add_printf(out, ",code=\"%" PRId32 "\"} ", code);
                evbuffer_add_printf(out, "%" PRIu64 "\n",
                                    i < s->ncodes ? s->codes[i].n : s->other);
            }
        }
    family(out, "ferry_request_handler_seconds", "histogram",
           "Time the event loop spent in a request's handler (long-poll "
           "waits and SYNC_FLUSH fsyncs excluded).");
    for (int p = 0; p < 2; p++)
        for (int32_t a = 0; a < METRICS_MAX_API; a++) {
            req_stat *s = M.req[p][a];
            if (!s)
                continue;
            uint64_t cum = 0;
            for (size_t k = 0; k < METRICS_NBUCKETS; k++) {
                cum += s->buckets[k];
                evbuffer_add_printf(out, "ferry_request_handler_seconds_bucket{");
                api_label(out, p, a);
                evbuffer_add_printf(out, ",le=\"%g\"} %" PRIu64 "\n",
                                    metrics_buckets[k], cum);
            }
            evbuffer_add_printf(out, "ferry_request_handler_seconds_bucket{");
            api_label(out, p, a);
            evbuffer_add_printf(out, ",le=\"+Inf\"} %" PRIu64 "\n", s->count);
            evbuffer_add_printf(out, "ferry_request_handler_seconds_sum{");
            api_label(out, p, a);
            evbuffer_add_printf(out, "} %.6f\n", (double)s->sum_us / 1e6);
            evbuffer_add_printf(out, "ferry_request_handler_seconds_count{");
            api_label(out, p, a);
            evbuffer_add_printf(out, "} %" PRIu64 "\n", s->count);
        }
}

/* Per-topic sums of the store's queue counters, in topic order. */
typedef struct topic_sum {
    const char *name;
    int64_t msgs, bytes;
} topic_sum;

static void render_topics(broker *b, struct evbuffer *out)
{
    int n = topics_count(b->topics);
    topic_sum *sums = n > 0 ? calloc((size_t)n, sizeof *sums) : NULL;
    for (int i = 0; i < n && sums; i++) {
        topic *t = topics_at(b->topics, i);
        sums[i].name = t->name;
        for (int32_t q = 0; q < t->queues; q++) {
            store_queue *sq = store_queue_get(b->st, t->name, q, 0);
            if (!sq)
                continue;
            sums[i].msgs += store_queue_appended_msgs(sq);
            sums[i].bytes += store_queue_appended_bytes(sq);
        }
    }
    family(out, "ferry_topic_messages_in_total", "counter",
           "Messages appended to the topic since the broker started (both "
           "protocols, and the broker's own re-deliveries).");
    for (int i = 0; i < n && sums; i++) {
        evbuffer_add_printf(out, "ferry_topic_messages_in_total{topic=");
        put_label(out, sums[i].name, strlen(sums[i].name));
        evbuffer_add_printf(out, "} %" PRId64 "\n", sums[i].msgs);
    }
    family(out, "ferry_topic_bytes_in_total", "counter",
           "CommitLog bytes appended for the topic since the broker started "
           "(records with their headers).");
    for (int i = 0; i < n && sums; i++) {
        evbuffer_add_printf(out, "ferry_topic_bytes_in_total{topic=");
        put_label(out, sums[i].name, strlen(sums[i].name));
        evbuffer_add_printf(out, "} %" PRId64 "\n", sums[i].bytes);
    }
    free(sums);

    static const char *const out_names[2] = {"ferry_topic_messages_out_total",
                                             "ferry_topic_bytes_out_total"};
    static const char *const out_help[2] = {
        "Messages sent to consumers (Kafka fetch, RocketMQ pull) since the "
        "broker started.",
        "Bytes of messages sent to consumers since the broker started."};
    for (int k = 0; k < 2; k++) {
        family(out, out_names[k], "counter", out_help[k]);
        for (int h = 0; h < METRICS_TOPIC_BUCKETS; h++)
            for (topic_stat *t = M.topics[h]; t; t = t->next)
                for (int p = 0; p < 2; p++) {
                    uint64_t v = k == 0 ? t->msgs_out[p] : t->bytes_out[p];
                    if (!v)
                        continue;
                    evbuffer_add_printf(out, "%s{topic=", out_names[k]);
                    put_label(out, t->name, strlen(t->name));
                    evbuffer_add_printf(out, ",protocol=\"%s\"} %" PRIu64 "\n",
                                        proto_names[p], v);
                }
    }

    family(out, "ferry_queue_end_offset", "gauge",
           "Next offset to be assigned in the queue (Kafka log end offset).");
    for (int i = 0; i < n; i++) {
        topic *t = topics_at(b->topics, i);
        for (int32_t q = 0; q < t->queues; q++) {
            store_queue *sq = store_queue_get(b->st, t->name, q, 0);
            evbuffer_add_printf(out, "ferry_queue_end_offset{topic=");
            put_label(out, t->name, t->name_len);
            evbuffer_add_printf(out, ",queue=\"%" PRId32 "\"} %" PRId64 "\n",
                                q, sq ? store_queue_max_offset(sq) : 0);
        }
    }
    family(out, "ferry_dlq_messages", "gauge",
           "Messages held in a consumer group's dead-letter topic "
           "(%DLQ%group).");
    for (int i = 0; i < n; i++) {
        topic *t = topics_at(b->topics, i);
        if (t->name_len <= 5 || memcmp(t->name, "%DLQ%", 5) != 0)
            continue;
        int64_t held = 0;
        for (int32_t q = 0; q < t->queues; q++) {
            store_queue *sq = store_queue_get(b->st, t->name, q, 0);
            if (sq)
                held += store_queue_max_offset(sq) -
                        store_queue_min_offset(sq);
        }
        evbuffer_add_printf(out, "ferry_dlq_messages{group=");
        put_label(out, t->name + 5, t->name_len - 5);
        evbuffer_add_printf(out, "} %" PRId64 "\n", held);
    }
}

typedef struct lag_walk {
    broker *b;
    struct evbuffer *out;
    int lag; /* 1: lag lines, 0: committed-offset lines */
} lag_walk;

static void lag_one(void *arg, const offset_entry *e)
{
    lag_walk *w = arg;
    store_queue *sq = store_queue_get(w->b->st, e->topic, e->queue, 0);
    if (!sq)
        return;
    int64_t end = store_queue_max_offset(sq);
    int64_t v = w->lag ? (end > e->offset ? end - e->offset : 0) : e->offset;
    evbuffer_add_printf(w->out, "%s{group=",
                        w->lag ? "ferry_consumer_group_lag"
                               : "ferry_consumer_group_committed_offset");
    put_label(w->out, e->group, strlen(e->group));
    evbuffer_add_printf(w->out, ",topic=");
    put_label(w->out, e->topic, strlen(e->topic));
    evbuffer_add_printf(w->out, ",queue=\"%" PRId32 "\"} %" PRId64 "\n",
                        e->queue, v);
}

static void render_groups(broker *b, struct evbuffer *out)
{
    lag_walk w = {b, out, 1};
    family(out, "ferry_consumer_group_lag", "gauge",
           "Messages between a group's committed offset and the queue's end "
           "(Kafka groups and RocketMQ clustering groups alike).");
    offsets_foreach(b->offsets, NULL, 0, lag_one, &w);
    w.lag = 0;
    family(out, "ferry_consumer_group_committed_offset", "gauge",
           "A group's committed offset in a queue.");
    offsets_foreach(b->offsets, NULL, 0, lag_one, &w);
}

static void render_process(broker *b, struct evbuffer *out)
{
    family(out, "ferry_build_info", "gauge", "Ferry's version.");
    evbuffer_add_printf(out, "ferry_build_info{version=\"%s\"} 1\n",
                        FERRY_VERSION);
    family(out, "ferry_start_time_seconds", "gauge",
           "When the broker started, seconds since the epoch.");
    evbuffer_add_printf(out, "ferry_start_time_seconds %.3f\n",
                        (double)M.start_ms / 1000.0);
    int rconns = 0;
    if (rmq_state)
        for (rconn *c = rmq_state->conns; c; c = c->next)
            rconns++;
    family(out, "ferry_connections", "gauge", "Open client connections.");
    evbuffer_add_printf(out,
                        "ferry_connections{protocol=\"kafka\"} %d\n"
                        "ferry_connections{protocol=\"rocketmq\"} %d\n",
                        b->n_conns, rconns);

    family(out, "ferry_store_commitlog_bytes", "gauge",
           "Bytes of CommitLog kept on disk (end minus start position).");
    evbuffer_add_printf(out, "ferry_store_commitlog_bytes %" PRId64 "\n",
                        store_commitlog_max_pos(b->st) -
                            store_commitlog_min_pos(b->st));
    family(out, "ferry_store_unflushed_bytes", "gauge",
           "CommitLog bytes written but not yet flushed to disk.");
    int64_t unflushed =
        store_commitlog_max_pos(b->st) - store_flushed_pos(b->st);
    evbuffer_add_printf(out, "ferry_store_unflushed_bytes %" PRId64 "\n",
                        unflushed > 0 ? unflushed : 0);
    store_flush_stats fs;
    store_flush_stats_get(b->st, &fs);
    family(out, "ferry_store_sync_flushes_total", "counter",
           "SYNC_FLUSH group commits (one fdatasync each).");
    evbuffer_add_printf(out, "ferry_store_sync_flushes_total %" PRIu64 "\n",
                        fs.syncs);
    family(out, "ferry_store_sync_flush_waiters_total", "counter",
           "Writes acknowledged after a SYNC_FLUSH group commit (divide by "
           "ferry_store_sync_flushes_total for the batching).");
    evbuffer_add_printf(out,
                        "ferry_store_sync_flush_waiters_total %" PRIu64 "\n",
                        fs.waiters);
    family(out, "ferry_store_sync_flush_timeouts_total", "counter",
           "Writes failed because their flush took longer than "
           "syncFlushTimeout.");
    evbuffer_add_printf(out,
                        "ferry_store_sync_flush_timeouts_total %" PRIu64 "\n",
                        fs.timeouts);
}

void metrics_render(broker *b, struct evbuffer *out)
{
    render_process(b, out);
    render_requests(out);
    render_topics(b, out);
    render_groups(b, out);
    for (int i = 0; i < M.ncollectors; i++)
        M.collectors[i].fn(M.collectors[i].arg, out);
}

/* ------------------------------------------------------------------ */
/* HTTP                                                                */
/* ------------------------------------------------------------------ */

static void metrics_http_cb(struct evhttp_request *req, void *arg)
{
    broker *b = arg;
    if (evhttp_request_get_command(req) != EVHTTP_REQ_GET &&
        evhttp_request_get_command(req) != EVHTTP_REQ_HEAD) {
        evhttp_send_error(req, 405, "only GET");
        return;
    }
    struct evbuffer *out = evbuffer_new();
    if (!out) {
        evhttp_send_error(req, 500, "out of memory");
        return;
    }
    metrics_render(b, out);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type",
                      "text/plain; version=0.0.4; charset=utf-8");
    evhttp_send_reply(req, 200, "OK", out);
    evbuffer_free(out);
}

static void metrics_http_other(struct evhttp_request *req, void *arg)
{
    (void)arg;
    evhttp_send_error(req, 404, "see /metrics");
}

int metrics_start(broker *b, char *err, size_t errlen)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    M.start_ms = (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
    M.b = b;
    if (b->cfg->metrics_port <= 0)
        return 0;
    M.http = evhttp_new(b->base);
    if (!M.http) {
        snprintf(err, errlen, "metrics: cannot create the HTTP server");
        return -1;
    }
    evhttp_set_allowed_methods(M.http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
    evhttp_set_max_headers_size(M.http, 16384);
    evhttp_set_max_body_size(M.http, 0);
    evhttp_set_timeout(M.http, 30);
    evhttp_set_cb(M.http, "/metrics", metrics_http_cb, b);
    evhttp_set_gencb(M.http, metrics_http_other, NULL);
    if (!evhttp_bind_socket_with_handle(M.http, b->cfg->metrics_bind,
                                        (uint16_t)b->cfg->metrics_port)) {
        snprintf(err, errlen, "metrics: cannot listen on %s:%lld",
                 b->cfg->metrics_bind, (long long)b->cfg->metrics_port);
        evhttp_free(M.http);
        M.http = NULL;
        return -1;
    }
    log_info("metrics", NULL, "Prometheus metrics on http://%s:%lld/metrics",
             b->cfg->metrics_bind, (long long)b->cfg->metrics_port);
    return 0;
}

void metrics_stop(void)
{
    if (M.http)
        evhttp_free(M.http);
    M.http = NULL;
    for (int p = 0; p < 2; p++)
        for (int a = 0; a < METRICS_MAX_API; a++) {
            free(M.req[p][a]);
            M.req[p][a] = NULL;
        }
    for (int h = 0; h < METRICS_TOPIC_BUCKETS; h++) {
        topic_stat *t = M.topics[h];
        while (t) {
            topic_stat *next = t->next;
            free(t->name);
            free(t);
            t = next;
        }
        M.topics[h] = NULL;
    }
    M.ncollectors = 0;
}
