/*
 * ferry.h - libferry, the native C client of Ferry (and of any broker that
 * speaks the RocketMQ remoting protocol): producer, pull consumer, push
 * consumer and the admin calls ferryctl needs.
 *
 * Threading model
 *   Every handle (producer, pull consumer, push consumer, admin) owns one
 *   I/O thread running a libevent loop, and its connections: to the name
 *   servers and to the brokers, opened lazily by the first call that needs
 *   one (a blocking connect on the calling thread, never on the I/O
 *   thread) and dropped when they fail (the next call reconnects).
 *   Requests and responses are matched by opaque; a sync call blocks its
 *   thread until the answer or its timeout.  All calls on a handle are
 *   thread-safe, except *_free, which must be the last call.
 *   - ferry_producer_send_async callbacks run on the I/O thread: keep them
 *     short, never call a sync libferry function from them.
 *   - push consumer callbacks run on the consumer's own threads
 *     (conf.consume_threads), never on the I/O thread, so a slow callback
 *     does not stall I/O (it stalls pulling through flow control only).
 *   - a push consumer has one more thread, its service thread: heartbeats
 *     (at start and every 30 s), rebalancing (every 20 s and at once on
 *     NOTIFY_CONSUMER_IDS_CHANGED), offset commits (every 5 s, on queue
 *     drop and on shutdown), route refresh (30 s).
 *   - a producer with a transaction checker has one more thread: it runs
 *     the checker for the broker's CHECK_TRANSACTION_STATE requests and
 *     heartbeats the brokers (every heartbeat_interval_ms).
 *
 * Routes: GET_ROUTEINFO_BY_TOPIC from the name servers (conf.namesrv_addr,
 * "host:port;host:port", tried in turn), cached for 30 s.  A producer uses
 * writeQueueNums queues per writable broker, a consumer readQueueNums per
 * readable broker; only the master (brokerId 0) address is used.  A topic
 * without a route is sent through TBW102's brokers (auto-creation, when the
 * broker allows it).
 *
 * Errors: every call returns 0 or a negative ferry_err; ferry_strerror
 * names it.  When the broker answered with a non-success code, the call
 * returns FERRY_ERR_BROKER (or a more precise code) and the calling thread
 * can read the response code and remark with ferry_last_response_code /
 * ferry_last_remark (thread-local, overwritten by the next call).  Bad
 * server input never aborts: responses go through wire/'s bounds-checked
 * decoders and a malformed one is FERRY_ERR_PROTOCOL.
 *
 * Transactions: ferry_producer_set_txn_checker + ferry_producer_send_txn
 * (half message, local transaction, END_TRANSACTION; the broker's
 * CHECK_TRANSACTION_STATE answered by the checker on a thread of its own).
 * Delay: ferry_msg.delay_level (DELAY) and ferry_msg.deliver_at_ms
 * (TIMER_DELIVER_MS).  Retry: a push consumer's FERRY_CONSUME_LATER sends
 * the message back (CONSUMER_SEND_MSG_BACK) to the group's %RETRY% topic,
 * which CLUSTERING consumers read too; after conf.max_reconsume_times the
 * broker moves it to %DLQ%<group>.
 *
 * Not done yet (see client/README.md): TLS, compressed bodies other than
 * zlib, slaves (brokerId != 0).
 */
#ifndef FERRY_FERRY_H
#define FERRY_FERRY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define FERRY_API __attribute__((visibility("default")))
#else
#define FERRY_API
#endif

/* ------------------------------------------------------------------ */
/* errors                                                              */
/* ------------------------------------------------------------------ */

typedef enum ferry_err {
    FERRY_OK = 0,
    FERRY_ERR_INVALID = -1,    /* bad argument or configuration */
    FERRY_ERR_NOMEM = -2,      /* out of memory */
    FERRY_ERR_TIMEOUT = -3,    /* no answer within the timeout */
    FERRY_ERR_CONNECT = -4,    /* connect failed, or connection lost */
    FERRY_ERR_PROTOCOL = -5,   /* malformed answer from the server */
    FERRY_ERR_BROKER = -6,     /* the server answered an error code */
    FERRY_ERR_NO_ROUTE = -7,   /* no name server knows the topic */
    FERRY_ERR_NOT_FOUND = -8,  /* offset / message / consumer not found */
    FERRY_ERR_STATE = -9,      /* handle closing, or not started */
    FERRY_ERR_IO = -10,        /* local file or system error */
} ferry_err;

FERRY_API const char *ferry_strerror(int err);
/* The last server answer of this thread that was not a success: its
 * response code (0 if none) and remark ("" if none). */
FERRY_API int ferry_last_response_code(void);
FERRY_API const char *ferry_last_remark(void);

/* ------------------------------------------------------------------ */
/* configuration                                                       */
/* ------------------------------------------------------------------ */

typedef enum ferry_message_model {
    FERRY_CLUSTERING = 0,   /* each message to one member of the group */
    FERRY_BROADCASTING = 1, /* each message to every member */
} ferry_message_model;

typedef enum ferry_consume_from {
    FERRY_CONSUME_FROM_LAST_OFFSET = 0,
    FERRY_CONSUME_FROM_FIRST_OFFSET = 1,
    FERRY_CONSUME_FROM_TIMESTAMP = 2,
} ferry_consume_from;

/* One struct for every handle; ferry_conf_init fills the defaults, then
 * set what you need.  Strings are copied by *_new. */
typedef struct ferry_conf {
    const char *namesrv_addr;  /* "host:port;host:port" (required) */
    const char *group;         /* producer / consumer group */
    const char *instance_name; /* client id = ip@instance; default pid#n */
    const char *client_ip;     /* for client id and UNIQ_KEY; 127.0.0.1 */
    int request_timeout_ms;    /* sync calls: 3000 */
    int connect_timeout_ms;    /* 3000 */
    /* producer */
    int retries;               /* extra sync attempts on failure: 2 */
    int default_topic_queues;  /* queues of an auto-created topic: 4 */
    /* consumers */
    ferry_message_model model;           /* CLUSTERING */
    ferry_consume_from consume_from;     /* LAST_OFFSET */
    int64_t consume_timestamp_ms;        /* for CONSUME_FROM_TIMESTAMP */
    int consume_threads;                 /* push: 1 */
    int consume_batch_size;              /* push: messages per callback, 1 */
    int pull_batch_size;                 /* push: per PULL_MESSAGE, 32 */
    int pull_threshold_per_queue;        /* push flow control: 1000 */
    int long_poll_ms;                    /* broker suspend time: 15000 */
    int rebalance_interval_ms;           /* 20000 */
    int heartbeat_interval_ms;           /* 30000 */
    int commit_interval_ms;              /* 5000 */
    int route_refresh_ms;                /* 30000 */
    /* push: orderly consumption.  Each queue is consumed by one callback
     * at a time, in queue order; in CLUSTERING a queue is consumed only
     * while this member holds the broker's lock on it (LOCK_BATCH_MQ at
     * assignment and at every rebalance pass, UNLOCK_BATCH_MQ on drop);
     * FERRY_CONSUME_LATER suspends the queue 1 s and retries the same
     * messages. */
    int orderly;
    const char *offset_store_path; /* BROADCASTING: file, or NULL (memory) */
    /* push, CLUSTERING: a message whose callback answers
     * FERRY_CONSUME_LATER is sent back to the broker (to %RETRY%<group>,
     * redelivered after delay level 3 + reconsume_times); after this many
     * redeliveries the broker moves it to %DLQ%<group> instead.  Orderly:
     * retried locally this many times, then sent to %DLQ%<group> and the
     * queue goes on.  -1 (default), as Java: 16, orderly unlimited. */
    int max_reconsume_times;
} ferry_conf;

FERRY_API void ferry_conf_init(ferry_conf *conf);

/* ------------------------------------------------------------------ */
/* messages                                                            */
/* ------------------------------------------------------------------ */

typedef struct ferry_prop {
    const char *key;
    const char *value;
} ferry_prop;

/* A message to send; nothing is kept after the call returns. */
typedef struct ferry_msg {
    const char *topic;       /* required */
    const char *tags;        /* one tag or NULL */
    const char *keys;        /* space-separated keys (indexed) or NULL */
    const void *body;
    size_t body_len;
    const ferry_prop *props; /* user properties (no \x01 / \x02) */
    int prop_count;
    int delay_level;         /* DELAY property when > 0: the broker keeps
                                the message back for that level of its
                                messageDelayLevel list (1s 5s 10s 30s 1m
                                ...) */
    int flag;                /* Message.flag, stored as is */
    int64_t deliver_at_ms;   /* > 0: TIMER_DELIVER_MS, the wall-clock time
                                (ms since the epoch) to deliver at (Ferry and
                                RocketMQ 5 brokers; a time already past is
                                delivered at once).  delay_level wins when
                                both are set. */
} ferry_msg;

/* A message received; fields stay valid until its list is freed.  Strings
 * are NUL-terminated ("" when absent). */
typedef struct ferry_rmsg {
    const char *topic;         /* a redelivery from %RETRY%<group>: the
                                  original topic (property RETRY_TOPIC) */
    const char *broker_name;   /* "" for admin lookups */
    int32_t queue_id;
    int64_t queue_offset;
    int64_t commitlog_offset;
    const char *msg_id;        /* UNIQ_KEY, else offset_msg_id */
    const char *offset_msg_id; /* store host + commit-log offset */
    const char *tags;
    const char *keys;
    const void *body;
    size_t body_len;
    int32_t flag;
    int32_t sys_flag;
    int32_t reconsume_times; /* redeliveries so far (retry topic) */
    int64_t born_timestamp;
    int64_t store_timestamp;
    const ferry_prop *props;   /* every property, system ones included */
    int prop_count;
} ferry_rmsg;

/* The value of a property, or NULL. */
FERRY_API const char *ferry_rmsg_property(const ferry_rmsg *m,
                                          const char *key);

typedef struct ferry_msg_list {
    ferry_rmsg **msgs;
    int count;
} ferry_msg_list;

FERRY_API void ferry_msg_list_free(ferry_msg_list *list);

/* A message queue. */
typedef struct ferry_queue {
    char topic[256];
    char broker_name[128];
    int32_t queue_id;
} ferry_queue;

/* ------------------------------------------------------------------ */
/* producer                                                            */
/* ------------------------------------------------------------------ */

typedef struct ferry_producer ferry_producer;

typedef enum ferry_send_status {
    FERRY_SEND_OK = 0,
    FERRY_SEND_FLUSH_DISK_TIMEOUT = 1,
    FERRY_SEND_FLUSH_SLAVE_TIMEOUT = 2,
    FERRY_SEND_SLAVE_NOT_AVAILABLE = 3,
} ferry_send_status;

typedef struct ferry_send_result {
    ferry_send_status status;
    char msg_id[64];        /* UNIQ_KEY (of the first message of a batch) */
    char offset_msg_id[64]; /* broker's offsetMsgId (first of a batch) */
    ferry_queue queue;
    int64_t queue_offset;   /* of the (first) message; a batch is
                               consecutive from here */
} ferry_send_result;

/* Picks the queue for a message among n (ordering: same arg, same queue). */
typedef int (*ferry_queue_selector)(int n, const ferry_msg *msg, void *arg);
/* A ready selector: arg is a NUL-terminated key, hashed (FNV-1a) mod n. */
FERRY_API int ferry_select_by_hash(int n, const ferry_msg *msg, void *arg);

/* err is 0 or a ferry_err; r is NULL unless err is 0.  remark is the
 * broker's text for FERRY_ERR_BROKER ("" otherwise). Runs on the I/O
 * thread. */
typedef void (*ferry_send_cb)(int err, const ferry_send_result *r,
                              const char *remark, void *arg);

/* NULL on failure, with a message in errbuf. */
FERRY_API ferry_producer *ferry_producer_new(const ferry_conf *conf,
                                             char *errbuf, size_t errlen);
/* Closes: async sends still waiting for their answer get their callback
 * with FERRY_ERR_STATE, on the calling thread.  NULL is a no-op. */
FERRY_API void ferry_producer_free(ferry_producer *p);

/* Round robin over the topic's write queues; on failure retries (conf
 * retries) on the next queue, preferring another broker. */
FERRY_API int ferry_producer_send(ferry_producer *p, const ferry_msg *msg,
                                  ferry_send_result *r);
/* To one queue (no retry on another queue: order is the point). */
FERRY_API int ferry_producer_send_to(ferry_producer *p, const ferry_msg *msg,
                                     const ferry_queue *q,
                                     ferry_send_result *r);
/* The selector picks the queue among the topic's write queues. */
FERRY_API int ferry_producer_send_select(ferry_producer *p,
                                         const ferry_msg *msg,
                                         ferry_queue_selector sel, void *arg,
                                         ferry_send_result *r);
/* Returns once the request is written (0) or could not be (error; cb is
 * then not called).  cb is called exactly once otherwise. */
FERRY_API int ferry_producer_send_async(ferry_producer *p,
                                        const ferry_msg *msg, ferry_send_cb cb,
                                        void *arg);
/* Fire and forget: no answer, no retry (the broker may still refuse it:
 * nobody hears). */
FERRY_API int ferry_producer_send_oneway(ferry_producer *p,
                                         const ferry_msg *msg);
/* SEND_BATCH_MESSAGE: n messages of one topic, stored consecutively in one
 * queue.  q may be NULL (round robin, with retries). */
FERRY_API int ferry_producer_send_batch(ferry_producer *p,
                                        const ferry_msg *msgs, int n,
                                        const ferry_queue *q,
                                        ferry_send_result *r);
/* The write queues of a topic (malloc'd array; free()). */
FERRY_API int ferry_producer_queues(ferry_producer *p, const char *topic,
                                    ferry_queue **qs, int *n);

/*
 * Transactions (RocketMQ's TransactionMQProducer).  ferry_producer_send_txn
 * stores a half message (properties TRAN_MSG=true and PGROUP=conf.group,
 * sysFlag TRANSACTION_PREPARED), invisible to consumers; then runs the
 * local transaction (execute) on the calling thread and ends it with
 * END_TRANSACTION: COMMIT makes the message visible, ROLLBACK drops it,
 * UNKNOWN leaves it to the broker, which asks again later
 * (CHECK_TRANSACTION_STATE, after its transactionTimeOut, every
 * transactionCheckInterval, at most transactionCheckMax times, then it
 * rolls back).  Check-backs are answered by the checker set with
 * ferry_producer_set_txn_checker, on the producer's check thread (one;
 * requests beyond 2000 waiting are dropped: the broker asks again), so it
 * may block; it gets the half message as stored (topic = the real topic,
 * msg_id = the send's msg_id, property __transactionId__).  While a
 * checker is set, the producer heartbeats (every conf.heartbeat_interval_ms)
 * every broker it has a route for, naming its group, so the broker knows
 * where to send checks.  A transaction's messages all go to producers of
 * the same group: give each application its own conf.group.
 */
typedef enum ferry_txn_state {
    FERRY_TXN_UNKNOWN = 0,  /* not decided yet: check back later */
    FERRY_TXN_COMMIT = 1,   /* deliver the message */
    FERRY_TXN_ROLLBACK = 2, /* drop it */
} ferry_txn_state;

/* The local transaction: called once the half message is stored (half:
 * its send result: msg_id, offset_msg_id, queue).  Calling thread. */
typedef ferry_txn_state (*ferry_txn_execute_cb)(ferry_producer *p,
                                                const ferry_msg *msg,
                                                const ferry_send_result *half,
                                                void *arg);
/* A check-back: what became of the transaction of this half message?
 * Runs on the producer's check thread (never the I/O thread). */
typedef ferry_txn_state (*ferry_txn_check_cb)(ferry_producer *p,
                                              const ferry_rmsg *half,
                                              void *arg);

/* Before the first ferry_producer_send_txn; once (FERRY_ERR_STATE after).
 * Starts the check and heartbeat thread. */
FERRY_API int ferry_producer_set_txn_checker(ferry_producer *p,
                                             ferry_txn_check_cb cb, void *arg);
/* Half message (sync, with conf.retries), execute, END_TRANSACTION
 * (oneway).  0 when the half message was stored: *state (optional) says
 * how the transaction was ended (a send status other than SEND_OK ends it
 * with ROLLBACK without calling execute, as Java does); an END that could
 * not be written is left to the check-back.  Needs a checker
 * (FERRY_ERR_STATE).  delay_level and deliver_at_ms are ignored. */
FERRY_API int ferry_producer_send_txn(ferry_producer *p, const ferry_msg *msg,
                                      ferry_txn_execute_cb execute, void *arg,
                                      ferry_send_result *r,
                                      ferry_txn_state *state);

/* ------------------------------------------------------------------ */
/* pull consumer                                                       */
/* ------------------------------------------------------------------ */

typedef struct ferry_pull_consumer ferry_pull_consumer;

typedef enum ferry_pull_status {
    FERRY_PULL_FOUND = 0,
    FERRY_PULL_NO_NEW_MSG = 1,     /* offset is the end of the queue */
    FERRY_PULL_NO_MATCHED_MSG = 2, /* messages there, none matched */
    FERRY_PULL_OFFSET_ILLEGAL = 3, /* offset outside [min, max] */
} ferry_pull_status;

typedef struct ferry_pull_result {
    ferry_pull_status status;
    int64_t next_begin_offset;
    int64_t min_offset;
    int64_t max_offset;
    ferry_msg_list msgs; /* status FOUND: the matching messages */
} ferry_pull_result;

FERRY_API void ferry_pull_result_release(ferry_pull_result *r);

FERRY_API ferry_pull_consumer *ferry_pull_consumer_new(const ferry_conf *conf,
                                                       char *errbuf,
                                                       size_t errlen);
FERRY_API void ferry_pull_consumer_free(ferry_pull_consumer *c);
/* The read queues of a topic (malloc'd array; free()). */
FERRY_API int ferry_pull_consumer_queues(ferry_pull_consumer *c,
                                         const char *topic, ferry_queue **qs,
                                         int *n);
/* PULL_MESSAGE at offset, at most max messages matching tag_expr ("*",
 * "A || B", NULL = all).  long_poll_ms > 0: the broker holds the request
 * until a message arrives or that time passes (NO_NEW_MSG then). */
FERRY_API int ferry_pull(ferry_pull_consumer *c, const ferry_queue *q,
                         int64_t offset, int max, const char *tag_expr,
                         int long_poll_ms, ferry_pull_result *r);
/* The group's committed offset (FERRY_ERR_NOT_FOUND if none) / commit. */
FERRY_API int ferry_pull_consumer_committed(ferry_pull_consumer *c,
                                            const ferry_queue *q,
                                            int64_t *offset);
FERRY_API int ferry_pull_consumer_commit(ferry_pull_consumer *c,
                                         const ferry_queue *q,
                                         int64_t offset);
FERRY_API int ferry_pull_consumer_min_offset(ferry_pull_consumer *c,
                                             const ferry_queue *q,
                                             int64_t *offset);
FERRY_API int ferry_pull_consumer_max_offset(ferry_pull_consumer *c,
                                             const ferry_queue *q,
                                             int64_t *offset);
/* First offset stored at or after timestamp_ms. */
FERRY_API int ferry_pull_consumer_search_offset(ferry_pull_consumer *c,
                                                const ferry_queue *q,
                                                int64_t timestamp_ms,
                                                int64_t *offset);

/* ------------------------------------------------------------------ */
/* push consumer                                                       */
/* ------------------------------------------------------------------ */

typedef struct ferry_push_consumer ferry_push_consumer;

typedef enum ferry_consume_status {
    FERRY_CONSUME_SUCCESS = 0,
    /* CLUSTERING, not orderly: every message of the batch is sent back
     * (CONSUMER_SEND_MSG_BACK, delay level 3 + reconsume_times: 10 s, 30 s,
     * 1 m, ...) and comes again through %RETRY%<group>, on any member, or
     * goes to %DLQ%<group> past conf.max_reconsume_times; a message the
     * broker does not take back is redelivered locally after 1 s.
     * BROADCASTING: redelivered locally after 1 s (Java drops it).
     * Orderly: the queue is suspended 1 s and the same messages retried,
     * in order, until conf.max_reconsume_times (then to the DLQ). */
    FERRY_CONSUME_LATER = 1,
} ferry_consume_status;

/* Called on a consumer thread with 1..consume_batch_size messages of one
 * queue, in queue order. */
typedef ferry_consume_status (*ferry_consume_cb)(ferry_push_consumer *c,
                                                 ferry_rmsg *const *msgs,
                                                 int count, void *arg);

FERRY_API ferry_push_consumer *ferry_push_consumer_new(const ferry_conf *conf,
                                                       char *errbuf,
                                                       size_t errlen);
/* Before start: one expression per topic ("*" or NULL = all, "A || B"). */
FERRY_API int ferry_push_consumer_subscribe(ferry_push_consumer *c,
                                            const char *topic,
                                            const char *tag_expr);
FERRY_API int ferry_push_consumer_set_callback(ferry_push_consumer *c,
                                               ferry_consume_cb cb, void *arg);
/* Heartbeat, first rebalance, then pulling. */
FERRY_API int ferry_push_consumer_start(ferry_push_consumer *c);
/* Stops pulling, lets running callbacks finish, commits offsets,
 * unregisters from the brokers, closes.  NULL is a no-op. */
FERRY_API void ferry_push_consumer_free(ferry_push_consumer *c);
/* Queues currently assigned to this member (after rebalancing). */
FERRY_API int ferry_push_consumer_assigned(ferry_push_consumer *c);
/* The client id the brokers know this member by. */
FERRY_API const char *ferry_push_consumer_client_id(ferry_push_consumer *c);

/* ------------------------------------------------------------------ */
/* admin                                                               */
/* ------------------------------------------------------------------ */

typedef struct ferry_admin ferry_admin;

typedef struct ferry_broker_info {
    char cluster[128];
    char name[128];
    char addr[128]; /* master (brokerId 0), "" if none */
} ferry_broker_info;

typedef struct ferry_queue_info {
    char broker_name[128];
    int32_t read_queues;
    int32_t write_queues;
    int32_t perm;
} ferry_queue_info;

typedef struct ferry_route {
    ferry_broker_info *brokers;
    int broker_count;
    ferry_queue_info *queues;
    int queue_count;
} ferry_route;

FERRY_API void ferry_route_free(ferry_route *r);

/* A NULL-terminated malloc'd array of strings. */
FERRY_API void ferry_strv_free(char **v);

FERRY_API ferry_admin *ferry_admin_new(const ferry_conf *conf, char *errbuf,
                                       size_t errlen);
FERRY_API void ferry_admin_free(ferry_admin *a);
/* UPDATE_AND_CREATE_TOPIC on broker_addr, or (broker_addr NULL) on every
 * master of `cluster` (NULL: every cluster the name server knows). */
FERRY_API int ferry_admin_create_topic(ferry_admin *a, const char *cluster,
                                       const char *broker_addr,
                                       const char *topic, int read_queues,
                                       int write_queues);
FERRY_API int ferry_admin_topic_list(ferry_admin *a, char ***topics);
FERRY_API int ferry_admin_route(ferry_admin *a, const char *topic,
                                ferry_route **out);
/* GET_BROKER_CLUSTER_INFO: every broker (brokers of a route; queues 0). */
FERRY_API int ferry_admin_cluster_info(ferry_admin *a, ferry_route **out);
FERRY_API int ferry_admin_min_offset(ferry_admin *a, const ferry_queue *q,
                                     int64_t *offset);
FERRY_API int ferry_admin_max_offset(ferry_admin *a, const ferry_queue *q,
                                     int64_t *offset);
FERRY_API int ferry_admin_consumer_offset(ferry_admin *a, const char *group,
                                          const ferry_queue *q,
                                          int64_t *offset);
/* Members of a group, asked of a broker serving topic. */
FERRY_API int ferry_admin_consumer_list(ferry_admin *a, const char *group,
                                        const char *topic, char ***ids);
/* VIEW_MESSAGE_BY_ID with an offsetMsgId (names its broker). */
FERRY_API int ferry_admin_view_message(ferry_admin *a,
                                       const char *offset_msg_id,
                                       ferry_msg_list *out);
/* QUERY_MESSAGE by key on every broker of the topic, stored between
 * begin_ms and end_ms (0, 0 = any time). */
FERRY_API int ferry_admin_query_by_key(ferry_admin *a, const char *topic,
                                       const char *key, int max,
                                       int64_t begin_ms, int64_t end_ms,
                                       ferry_msg_list *out);

/* ---- admin: what ferryctl needs (brokers, topics, groups) ---- */

/* Key/value pairs; the strings belong to the list. */
typedef struct ferry_kv_list {
    ferry_prop *kv;
    int count;
} ferry_kv_list;

FERRY_API void ferry_kv_list_free(ferry_kv_list *l);

/* The master address of every broker (broker_addr NULL) is found through
 * GET_BROKER_CLUSTER_INFO; the calls below that take a broker_addr ask
 * that broker, or, when it is NULL, the first master the name server
 * lists. */

/* GET_BROKER_RUNTIME_INFO: the broker's figures (KVTable). */
FERRY_API int ferry_admin_broker_runtime_info(ferry_admin *a,
                                              const char *broker_addr,
                                              ferry_kv_list *out);
/* GET_BROKER_CONFIG: every key with its current value. */
FERRY_API int ferry_admin_broker_config_get(ferry_admin *a,
                                            const char *broker_addr,
                                            ferry_kv_list *out);
/* UPDATE_BROKER_CONFIG: all or nothing; the broker's remark names a key
 * it refuses (ferry_last_remark). */
FERRY_API int ferry_admin_broker_config_update(ferry_admin *a,
                                               const char *broker_addr,
                                               const ferry_prop *kv, int n);

typedef struct ferry_queue_stats {
    char broker_name[128];
    int32_t queue_id;
    int64_t min_offset;
    int64_t max_offset;
    int64_t last_update_ms; /* store time of the newest message, 0 none */
} ferry_queue_stats;

/* GET_TOPIC_STATS_INFO on every broker of the topic's route; *out is a
 * malloc'd array sorted by broker and queue (free()). */
FERRY_API int ferry_admin_topic_stats(ferry_admin *a, const char *topic,
                                      ferry_queue_stats **out, int *n);

typedef struct ferry_consume_stats {
    char topic[256];
    char broker_name[128];
    int32_t queue_id;
    int64_t broker_offset;   /* end of the queue */
    int64_t consumer_offset; /* committed; -1 when the group has none */
    int64_t last_timestamp_ms; /* store time of the last consumed one */
} ferry_consume_stats;

/* GET_CONSUME_STATS on every master: any group of the offset store,
 * Kafka or RocketMQ; topic NULL = every topic of the group.  Sorted by
 * topic, broker, queue (free()).  FERRY_ERR_NOT_FOUND if no broker
 * knows the group. */
FERRY_API int ferry_admin_consume_stats(ferry_admin *a, const char *group,
                                        const char *topic,
                                        ferry_consume_stats **out, int *n);

typedef struct ferry_member {
    char client_id[256];
    char client_addr[128];
    char language[16];
    int32_t version;
    ferry_queue *assigned; /* known for Kafka members; NULL otherwise */
    int assigned_count;
    /* RocketMQ members on a Ferry broker: what this member subscribed,
     * "topic\texpression\n" lines (malloc'd; NULL if unknown).  Members
     * of one group with different expressions for one topic miss
     * messages: the broker filters with one expression per group. */
    char *subscriptions;
} ferry_member;

typedef struct ferry_subscription {
    char topic[256];
    char expression[256];
} ferry_subscription;

typedef struct ferry_group_members {
    char protocol[16]; /* "kafka", "rocketmq", "mixed" */
    char state[32];    /* Kafka group state, or "Active" */
    char consume_type[32];
    char message_model[32];
    ferry_member *members;
    int member_count;
    ferry_subscription *subscriptions;
    int subscription_count;
} ferry_group_members;

FERRY_API void ferry_group_members_free(ferry_group_members *g);
/* GET_CONSUMER_CONNECTION_LIST on every master, merged.
 * FERRY_ERR_NOT_FOUND when no broker has a live member. */
FERRY_API int ferry_admin_group_members(ferry_admin *a, const char *group,
                                        ferry_group_members **out);

typedef struct ferry_group_info {
    char name[256];
    char protocol[16]; /* "kafka", "rocketmq", "mixed", "" (offsets only) */
    char state[32];
    int members;
} ferry_group_info;

/* GET_ALL_SUBSCRIPTIONGROUP_CONFIG on every master, merged by name and
 * sorted (free()). */
FERRY_API int ferry_admin_group_list(ferry_admin *a, ferry_group_info **out,
                                     int *n);

/* DELETE_TOPIC_IN_BROKER on every master of cluster (NULL: all) that has
 * the topic, then DELETE_TOPIC_IN_NAMESRV on every name server.
 * FERRY_ERR_NOT_FOUND if no broker had it. */
FERRY_API int ferry_admin_delete_topic(ferry_admin *a, const char *cluster,
                                       const char *topic);
/* DELETE_SUBSCRIPTIONGROUP on every master: drops the group's committed
 * offsets.  The broker refuses while the group has live members
 * (FERRY_ERR_BROKER, remark says so); FERRY_ERR_NOT_FOUND if no broker
 * knew it. */
FERRY_API int ferry_admin_delete_group(ferry_admin *a, const char *cluster,
                                       const char *group);

typedef enum ferry_reset_to {
    FERRY_RESET_EARLIEST = 0,
    FERRY_RESET_LATEST = 1,
    FERRY_RESET_TIMESTAMP = 2, /* value: ms; first message at or after */
    FERRY_RESET_OFFSET = 3,    /* value: the offset (clamped per queue) */
} ferry_reset_to;

typedef struct ferry_queue_offset {
    ferry_queue queue;
    int64_t offset;
} ferry_queue_offset;

/* INVOKE_BROKER_TO_RESET_OFFSET on every broker of the topic: the new
 * committed offset of each queue (queue_id -1: all), or with dry_run what
 * it would be.  Refused (FERRY_ERR_BROKER) while the group has live
 * members.  *out malloc'd (free()). */
FERRY_API int ferry_admin_reset_offsets(ferry_admin *a, const char *group,
                                        const char *topic, ferry_reset_to to,
                                        int64_t value, int queue_id,
                                        int dry_run, ferry_queue_offset **out,
                                        int *n);

typedef struct ferry_pending_txn {
    char broker_name[128];
    char broker_addr[128];
    char producer_group[256];
    int64_t queue_offset;      /* half-queue offset of the first half */
    int64_t commit_log_offset; /* newest half copy (view it by offset) */
    int64_t first_timestamp_ms;
    int32_t check_times;
} ferry_pending_txn;

/* Ferry's pending-transaction list from every master (*total counts all,
 * each broker lists at most 1000).  free(). */
FERRY_API int ferry_admin_pending_transactions(ferry_admin *a,
                                               ferry_pending_txn **out,
                                               int *n, int64_t *total);

/* Ferry's DLQ re-send (code 30002) on the broker an offsetMsgId names:
 * the dead letter goes back to its original topic (RETRY_TOPIC) with the
 * same msgId; r says where (broker_name left empty).  A broker without
 * it answers REQUEST_CODE_NOT_SUPPORTED (FERRY_ERR_BROKER, response code
 * 3). */
FERRY_API int ferry_admin_dlq_resend(ferry_admin *a,
                                     const char *offset_msg_id,
                                     ferry_send_result *r);

#ifdef __cplusplus
}
#endif

#endif /* FERRY_FERRY_H */
