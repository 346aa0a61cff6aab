/*
 * client_int.h - libferry internals shared by the client/ sources: the core
 * (fclient: I/O thread, connections, request/response matching, routes),
 * received-message building, and small helpers.  Private.
 *
 * Lock order: fclient.mu, then a bufferevent's own lock (bufferevent_write
 * under mu).  Callbacks of the bufferevents are deferred and run unlocked
 * (BEV_OPT_UNLOCK_CALLBACKS), so the I/O thread never holds a bufferevent
 * lock while it takes mu.
 */
#ifndef FERRY_CLIENT_INT_H
#define FERRY_CLIENT_INT_H

#include <pthread.h>
#include <stdint.h>

#include "ferry/ferry.h"
#include "remoting.h"
#include "remoting_body.h"
#include "remoting_headers.h"
#include "remoting_message.h"

struct event_base;
struct event;

typedef struct fclient fclient;

void fclient_rmsg_free(ferry_rmsg *m);

/* Tag expression "*" / "A || B" */
typedef struct ftag_filter {
    int all;
    int n;
    char tags[32][128];
    int32_t codes[32];
} ftag_filter;
void ftag_filter_parse(const char *expr, ftag_filter *f);
int ftag_filter_match(const ftag_filter *f, const char *tag);

/* A decoded answer owned by the caller (sync calls): the frame bytes and
 * the header decoded from them with an arena of its own. */
typedef struct fresp {
    uint8_t *frame;
    size_t len;
    wire_arena arena;
    remoting_header h;
    buf_view body;
} fresp;

void fresp_release(fresp *r);

/* Async answer: err 0 and the header/body (valid during the call only), or
 * err < 0 (timeout, connection lost, client closing) and h NULL.  Runs on
 * the I/O thread (or on the freeing thread for FERRY_ERR_STATE). */
typedef void (*fclient_cb)(void *arg, int err, const remoting_header *h,
                           buf_view body);

/* Requests from the server (flag without RESPONSE): the hook answers
 * nothing by itself; the core replies SUCCESS for a known code that is
 * not oneway, REQUEST_CODE_NOT_SUPPORTED for an unknown one. */
typedef void (*fclient_notify_cb)(void *arg, const remoting_header *h);

/* Other requests from the server (CHECK_TRANSACTION_STATE): addr is the
 * connection's address, h and body valid during the call only (copy what
 * is kept).  Returns 1 when it knew the code (the core then answers
 * SUCCESS unless the request is oneway), 0 otherwise.  I/O thread: must
 * not block. */
typedef int (*fclient_server_cb)(void *arg, const char *addr,
                                 const remoting_header *h, buf_view body);

typedef struct fclient_route_broker {
    char name[128];
    char cluster[128];
    char addr[128]; /* master, "" if none */
} fclient_route_broker;

typedef struct fclient_route_queue {
    char broker_name[128];
    int32_t read_queues, write_queues, perm;
} fclient_route_queue;

typedef struct fclient_route {
    fclient_route_broker *brokers;
    int broker_count;
    fclient_route_queue *queues;
    int queue_count;
    uint64_t gen; /* changes whenever the client re-fetches the route;
                   * 0: not from the cache (do not cache what is built on it) */
} fclient_route;

struct fclient {
    ferry_conf conf;        /* strings below are owned copies */
    char *namesrv_addr;
    char *group;
    char client_id[256];
    remoting_host client_host;
    char **namesrvs;
    int namesrv_count;
    int namesrv_next;

    pthread_mutex_t mu;
    struct event_base *base;
    struct event *sweep_ev;
    struct event *stop_ev;
    pthread_t io_thread;
    int io_started;
    int closing;

    struct fconn *conns;
    struct fpending **pending; /* hash buckets by opaque */
    int64_t pending_count;
    int32_t next_opaque;
    uint64_t next_conn_id;

    /* route cache */
    struct froute_entry *routes;
    uint64_t route_gen; /* last fclient_route.gen handed out (mu) */

    struct ftimer *timers;

    fclient_notify_cb notify;
    void *notify_arg;
    fclient_server_cb server_req;
    void *server_req_arg;
};

/* conf copied (strings too); NULL + errbuf on failure. */
fclient *fclient_new(const ferry_conf *conf, const char *kind, char *errbuf,
                     size_t errlen);
/* Stop the I/O thread, close connections, fail what is pending. */
void fclient_free(fclient *c);

/* A header for a request: code, language CPP, version, fresh opaque. */
void fclient_request_init(fclient *c, remoting_header *h, int32_t code);

/*
 * Send a request (its ext fields in h, built in `a`) to addr and wait up
 * to timeout_ms (0: conf.request_timeout_ms) for the answer into *resp.
 * Returns 0 when an answer came (any code), or FERRY_ERR_*.
 */
int fclient_call(fclient *c, const char *addr, remoting_header *h,
                 const void *body, size_t body_len, int timeout_ms,
                 fresp *resp);
/* Async: cb exactly once unless this returns an error. may_connect = 0
 * fails with FERRY_ERR_CONNECT when there is no live connection (the I/O
 * thread never connects). oneway: no answer (cb must be NULL). */
int fclient_send(fclient *c, const char *addr, remoting_header *h,
                 const void *body, size_t body_len, int timeout_ms,
                 int may_connect, fclient_cb cb, void *arg);

/* Runs fn(arg) on the I/O thread after delay_ms (one-shot).  Timers still
 * waiting when the client is freed run then, on the freeing thread, with
 * fclient_closing() true: fn must release what it holds. */
int fclient_later(fclient *c, int delay_ms, void (*fn)(void *), void *arg);
int fclient_closing(fclient *c);

/* Response code -> ferry_err, recording code and remark for this thread
 * when it is not SUCCESS. */
int fclient_check(const remoting_header *h, int32_t ok_code);
void fclient_set_last(int32_t code, buf_view remark);
void fclient_clear_last(void);

/* The distinct master addresses of every cached route (malloc'd array of
 * 128-byte strings; free()); the brokers a producer heartbeats. */
int fclient_route_addrs(fclient *c, char (**out)[128]);

/* Route of topic (cached conf.route_refresh_ms); *out is a malloc'd copy
 * (fclient_route_release).  FERRY_ERR_NO_ROUTE when unknown. */
int fclient_route_get(fclient *c, const char *topic, int force,
                      fclient_route *out);
void fclient_route_release(fclient_route *r);
/* The master address of broker_name in a route ("" if none). */
const char *fclient_route_addr(const fclient_route *r,
                               const char *broker_name);
/* Address for a queue's broker: from the topic's route. */
int fclient_queue_addr(fclient *c, const ferry_queue *q, char *addr,
                       size_t len);
/* Ask a name server (each in turn until one answers). */
int fclient_call_namesrv(fclient *c, remoting_header *h, fresp *resp);

/* Queue requests on a queue's broker: GET_MAX/MIN_OFFSET,
 * SEARCH_OFFSET_BY_TIMESTAMP, QUERY/UPDATE_CONSUMER_OFFSET. */
int fclient_queue_offset(fclient *c, int32_t code, const char *group,
                         const ferry_queue *q, int64_t arg, int64_t *out);

/* Decode stored records into a list (topic/broker names given or from the
 * records), keeping those matching tags (NULL: all). */
int fclient_msgs_decode(const uint8_t *p, size_t n, const char *broker_name,
                        const ftag_filter *tf, ferry_msg_list *out);


int64_t fclient_now_ms(void);
void fclient_errbuf(char *errbuf, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void fclient_copy(char *dst, size_t cap, buf_view v);
void fclient_queue_set(ferry_queue *q, const char *topic,
                       const char *broker_name, int32_t qid);

/* pull.c: the read queues of a topic (perm readable, readQueueNums per
 * broker with a master), sorted by broker then id; malloc'd. */
int fclient_read_queues(fclient *c, const char *topic, int force,
                        ferry_queue **qs, int *n);
/* A PULL_MESSAGE header for q (ext fields in a). */
void fpull_build(fclient *c, remoting_header *h, wire_arena *a,
                 const char *group, const ferry_queue *q, int64_t offset,
                 int max, const char *expr, int suspend_ms,
                 int64_t commit_offset);
/* An answer to PULL_MESSAGE into r (messages filtered by tf). */
int fpull_result(const remoting_header *h, buf_view body,
                 const char *broker_name, const ftag_filter *tf,
                 ferry_pull_result *r);

#endif /* FERRY_CLIENT_INT_H */
