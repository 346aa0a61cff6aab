/*
 * metrics.h - the broker's metrics, served in the Prometheus text format
 * (version 0.0.4) over HTTP on metricsPort (0 = off), path /metrics.
 *
 * Two kinds of figures:
 *   - counted as they happen, by the request paths: requests per protocol,
 *     API and response code with a histogram of handler time; messages
 *     and bytes delivered per topic (Kafka fetch, RocketMQ pull);
 *   - read at scrape time from the objects that own them, so nothing has
 *     to be kept in step: messages and bytes appended per topic (store
 *     counters), queue end offsets, consumer lag per group and queue (the
 *     offset store against end offsets), connections, CommitLog size and
 *     flush figures, DLQ depth, and whatever the RocketMQ features
 *     register with metrics_add_collector (delay queue depth, pending
 *     transactions).
 *
 * "Handler time" is the time the event loop spent in the request's
 * handler: a long poll's wait and a SYNC_FLUSH's fsync are not in it, so
 * the histogram shows what a request costs the broker, not what the
 * client waited.
 * @locality: event loop thread (every function here).
 */
#ifndef FERRY_METRICS_H
#define FERRY_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "broker.h"

struct evbuffer;

typedef enum metrics_proto {
    METRICS_KAFKA = 0,
    METRICS_RMQ = 1,
} metrics_proto;

/* One request handled: api = Kafka API key or remoting request code;
 * code = Kafka top-level error (0 when the reply has none) or remoting
 * response code; -1 = closed the connection instead of answering. */
void metrics_request(metrics_proto p, int32_t api, int32_t code,
                     int64_t handler_us);
/* Messages and bytes sent to consumers from one topic. */
void metrics_topic_out(metrics_proto p, const char *tname, size_t len,
                       int64_t msgs, int64_t bytes);

/* A feature's own lines, appended to every scrape (text format, with
 * its # HELP and # TYPE lines). */
typedef void (*metrics_collector_fn)(void *arg, struct evbuffer *out);
int metrics_add_collector(metrics_collector_fn fn, void *arg);

/* Writes the whole page. */
void metrics_render(broker *b, struct evbuffer *out);

/* Starts the HTTP listener when cfg->metrics_port > 0.  0, or -1 with a
 * message. */
int metrics_start(broker *b, char *err, size_t errlen);
void metrics_stop(void);

/* Microseconds on a monotonic clock, for handler timing. */
int64_t metrics_now_us(void);

#endif /* FERRY_METRICS_H */
