/*
 * rmq_int.h - what the pieces of the broker's RocketMQ face share: the
 * connection and state structs of rmq.c and the reply / extFields / host
 * helpers, so features that grow beside rmq.c (delay levels, retry and
 * DLQ, transactions) live in files of their own and reuse one way of
 * answering a request and storing a message.
 * @locality: event loop thread, like everything in rmq.c.
 */
#ifndef FERRY_RMQ_INT_H
#define FERRY_RMQ_INT_H

#include <stddef.h>
#include <stdint.h>

#include "broker.h"
#include "remoting.h"
#include "remoting_message.h"
#include "store.h"
#include "wire_arena.h"

struct bufferevent;
struct evconnlistener;
struct event;
struct sockaddr;

typedef struct rconn rconn;

struct rconn {
    rconn *prev, *next;
    broker *b;
    struct bufferevent *bev;
    uint64_t id;
    char peer[64];
    remoting_host peer_host;
    wire_arena arena;
    int32_t m_req_code;   /* metrics: request being handled, -1 none */
    int32_t m_reply_code; /* metrics: what rmq_reply answered it */
    int m_replied;
};

/* A parked (long-polling) pull. */
typedef struct rpull {
    struct rpull *next;
    uint64_t conn_id;
    int64_t deadline_ms;
    size_t frame_len;
    uint8_t *frame; /* the request, replayed when data arrives */
} rpull;

/* A queue lock for orderly consumption (LOCK_BATCH_MQ). */
typedef struct rlock {
    struct rlock *next;
    char *group;
    char *topic;
    int32_t queue_id;
    char *client_id;
    int64_t last_ms;
} rlock;

#define RMQ_LOCK_EXPIRE_MS 60000

/* One consumer client of one group, from heartbeats. */
typedef struct rmember {
    struct rmember *next;
    char *group;
    char *client_id;
    char *subscription_topics; /* "\n"-joined "topic\tsubString" */
    uint64_t conn_id;
    int64_t last_seen_ms;
} rmember;

/* A connection to one remote name server (namesrvAddr). */
typedef struct ns_link {
    char addr[128]; /* "host:port" */
    struct bufferevent *bev;
    int32_t opaque;
} ns_link;

#define RMQ_MAX_NAMESRV 8

typedef struct rmq {
    ns_link ns[RMQ_MAX_NAMESRV];
    int n_ns;
    broker *b;
    struct evconnlistener *listeners[2];
    rconn *conns;
    uint64_t next_conn_id;
    rpull *parked;
    rmember *members;
    rlock *locks;
    struct event *tick;
    int64_t last_register_ms;
    uint64_t registered_version;
    char broker_addr[128];
    remoting_host store_host;
    uint16_t uniq_counter;
} rmq;


typedef struct rreply {
    remoting_header h; /* extFields for the reply */
    wire_arena *a;
} rreply;

/* The one instance (rmq_start .. rmq_stop), NULL otherwise. */
extern rmq *rmq_state;

int64_t rmq_now_ms(void);
/* The live connection with this id, or NULL (it closed meanwhile). */
rconn *rmq_conn_find(uint64_t id);

/* Replies: rmq_reply_init, then rmq_reply_ext* for extFields (copied into
 * the connection's arena), then rmq_reply.  No reply to one-way requests.
 * remark NULL = none. */
void rmq_reply_init(rreply *rp, rconn *c);
void rmq_reply_ext(rreply *rp, const char *key, const char *v);
void rmq_reply_ext_i64(rreply *rp, const char *key, int64_t v);
void rmq_reply(rconn *c, const remoting_header *req, rreply *rp,
               int32_t code, const char *remark, const void *body,
               size_t body_len);
/* The reply frame for req, encoded into w (for replies sent later). */
int rmq_reply_encode(buf_writer *w, const remoting_header *req,
                     rreply *rp, int32_t code, const char *remark,
                     const void *body, size_t body_len);

/* extFields as NUL-terminated copies in c's arena (NULL when absent); the
 * *2 forms try the SEND_MESSAGE_V2 one-letter key first, then the V1
 * name. */
const char *rmq_ext_str(rconn *c, const remoting_header *h, const char *key);
const char *rmq_ext_str2(rconn *c, const remoting_header *h, const char *k2,
                         const char *k1);
int rmq_ext_i64_2(const remoting_header *h, const char *k2, const char *k1,
                  int64_t *out);
int rmq_ext_i32_2(const remoting_header *h, const char *k2, const char *k1,
                  int32_t *out);

void rmq_host_from_sockaddr(const struct sockaddr *sa, remoting_host *h);
void rmq_host_to_store(const remoting_host *h, store_host *s);
void rmq_host_from_store(const store_host *s, remoting_host *h);

/* Topic names RocketMQ accepts: [%|a-zA-Z0-9_.-], 1..127 bytes. */
int rmq_valid_topic(const char *t);

/*
 * Stores one message the RocketMQ way: adds UNIQ_KEY when the properties
 * have none (as 5.x clients expect), indexes KEYS and UNIQ_KEY, puts the
 * TAGS hash in the ConsumeQueue entry.  props are the properties text
 * (plen bytes, may be 0).  Fills *res and uniq_text (80 bytes: the
 * UNIQ_KEY).  0 or a STORE_E* code (store_errmsg has the text).
 */
int rmq_store_message(broker *b, const remoting_host *born_host,
                      store_queue *q, const uint8_t *props, size_t plen,
                      buf_view body, int32_t flag, int32_t sys_flag,
                      int64_t born, int32_t reconsume,
                      store_append_result *res, char *uniq_text);

/* The same, with the record's PREPARED TRANSACTION OFFSET (a committed
 * transactional message: its half record's position). */
int rmq_store_message_ex(broker *b, const remoting_host *born_host,
                         store_queue *q, const uint8_t *props, size_t plen,
                         buf_view body, int32_t flag, int32_t sys_flag,
                         int64_t born, int32_t reconsume,
                         int64_t prepared_txn_offset,
                         store_append_result *res, char *uniq_text);

/* All of it: also keeping a record key (Kafka's; NULL = none) and, when
 * tag_hash_override is set, putting that in the ConsumeQueue entry instead
 * of the TAGS hash (the schedule topic keeps delivery times there). */
int rmq_store_message_full(broker *b, const remoting_host *born_host,
                           store_queue *q, const uint8_t *props,
                           size_t plen, buf_view body, int32_t flag,
                           int32_t sys_flag, int64_t born, int32_t reconsume,
                           int64_t prepared_txn_offset, const uint8_t *key,
                           size_t key_len, const int64_t *tag_hash_override,
                           store_append_result *res, char *uniq_text);

/* Registers with the name servers now (after a topic change). */
void rmq_register(void);

#endif /* FERRY_RMQ_INT_H */
