/*
 * kafka_int.h - private to the broker's Kafka face: connections, in-flight
 * requests and the handler table.
 *
 * Ordering rule (ref kafka-protocol.md §1.1): responses on a connection go
 * out in request order.  Every request gets a kreq slot at the tail of its
 * connection's queue when it arrives; a handler either answers at once or
 * defers (Fetch long poll, Produce waiting for a SYNC_FLUSH group commit).
 * kconn_flush() moves ready slots from the head to the socket and stops at
 * the first slot still pending.
 *
 * Lifetime: a kconn is refcounted: the socket holds one reference and every
 * kreq holds one, so a deferred request that completes after its client went
 * away finds a closed (but still allocated) connection and just frees itself.
 * @locality: everything here runs on the event loop thread.
 */
#ifndef FERRY_KAFKA_INT_H
#define FERRY_KAFKA_INT_H

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "broker.h"
#include "kafka.h"
#include "kafka_record_batch.h"

struct kconn {
    kconn *prev_conn, *next_conn; /* broker->conns (open sockets only) */
    broker *b;
    kafka_listener *lst; /* the listener it came in on */
    struct bufferevent *bev;
    char peer[64];
    struct sockaddr_storage local; /* our address as the client sees it */
    kreq *head, *tail;             /* in-flight requests, arrival order */
    int n_inflight;
    int refs;
    int closed;         /* socket freed (or about to be) */
    int close_on_flush; /* protocol error: close after queued replies */
    int read_paused;
    int stalled;        /* stopped taking buffered frames (inflight cap) */
};

struct kreq {
    kreq *next;       /* in the connection's queue */
    kreq *wait_next;  /* in broker->waiting_fetches */
    kconn *conn;
    kafka_req_header hdr;
    uint8_t *frame;   /* the whole request (owned) */
    size_t frame_len;
    wire_arena arena; /* decoded arrays */
    void *req;        /* decoded request struct (in arena) */
    struct evbuffer *out; /* ready response frame, NULL if none */
    int ready;
    int waiting;          /* in the waiting-fetch list */
    struct event *timer;  /* Fetch max_wait */
    int64_t start_us;
};

/* What a handler returns. */
#define KH_DONE     0  /* r->out set (or no response, e.g. acks=0) */
#define KH_DEFERRED 1  /* will complete later via kreq_complete() */
#define KH_CLOSE    (-1) /* protocol violation: close the connection */

typedef int (*kafka_handler_fn)(kreq *r);

typedef struct kafka_api_entry {
    int16_t api_key;
    int16_t min_version; /* advertised */
    int16_t max_version;
    int16_t serve_min;   /* lowest version actually served */
    kafka_handler_fn fn;
} kafka_api_entry;

extern const kafka_api_entry kafka_api_table[];
extern const int kafka_api_table_len;

/* Encodes resp (schema s) as the response to r and queues it; takes
 * ownership of piece refs in records fields.  0 or -1. */
int kreq_respond(kreq *r, const kafka_schema *s, const void *resp);
/* Marks a deferred request complete and flushes its connection. */
void kreq_complete(kreq *r);
void kreq_free(kreq *r);
/* Connection helpers. */
void kconn_flush(kconn *c);

/* A reference-counted piece of response bytes (kafka_rec_piece.ref). */
typedef struct piece_ref {
    void (*release)(struct piece_ref *ref);
} piece_ref;

/* ---- helpers shared by the handler files ---- */

/* Allocates arr (a KAFKA_ARRAY member) with n zeroed items from the
 * request's arena; evaluates to 1 on success. */
#define KREQ_ARRAY(r, arr, n)                                               \
    ((arr).items = wire_arena_calloc(&(r)->arena, (size_t)((n) ? (n) : 1),  \
                                     sizeof *(arr).items),                  \
     (arr).count = (arr).items ? (int32_t)(n) : 0, (arr).items != NULL)

/* A view of a NUL-terminated string; NULL gives a null view. */
static inline buf_view kview(const char *s)
{
    buf_view v = {(const uint8_t *)(s ? s : ""), s ? strlen(s) : 0,
                  s == NULL};
    return v;
}

/* The schema of the struct-array field `name` of s (NULL if none). */
const kafka_schema *kafka_sub_schema(const kafka_schema *s, const char *name);

/* kafka_handlers.c */
int kafka_handle_api_versions(kreq *r);
int kafka_handle_metadata(kreq *r);
int kafka_handle_produce(kreq *r);
int kafka_handle_fetch(kreq *r);
int kafka_handle_list_offsets(kreq *r);
int kafka_handle_create_topics(kreq *r);
int kafka_handle_find_coordinator(kreq *r);
int kafka_handle_join_group(kreq *r);
int kafka_handle_sync_group(kreq *r);
int kafka_handle_heartbeat(kreq *r);
int kafka_handle_leave_group(kreq *r);
int kafka_handle_offset_commit(kreq *r);
int kafka_handle_offset_fetch(kreq *r);
int kafka_handle_list_groups(kreq *r);
int kafka_handle_describe_groups(kreq *r);
int kafka_handle_delete_groups(kreq *r);
buf_view kafka_advertised_host(kreq *r);
int32_t kafka_advertised_port(kreq *r);
/* kafka_admin.c */
int kafka_handle_delete_topics(kreq *r);
int kafka_handle_create_partitions(kreq *r);
int kafka_handle_describe_configs(kreq *r);
int kafka_handle_alter_configs(kreq *r);
int kafka_handle_incremental_alter_configs(kreq *r);
int kafka_handle_describe_cluster(kreq *r);
int kafka_handle_describe_log_dirs(kreq *r);
int kafka_handle_offset_for_leader_epoch(kreq *r);
/* kafka_idempotence.c */
int kafka_handle_init_producer_id(kreq *r);
int kafka_idempotence_init(broker *b, char *err, size_t errlen);
void kafka_idempotence_shutdown(void);
/* 0 = go ahead (and *dup_base_offset >= 0 means: a duplicate, do not
 * append, answer with that offset), else a KAFKA_ERR_* code. */
int kafka_idempotence_check(const store_queue *q, int64_t pid, int16_t epoch,
                            int32_t first_seq, int32_t last_offset_delta,
                            int64_t *dup_base_offset);
void kafka_idempotence_record(const store_queue *q, int64_t pid,
                              int16_t epoch, int32_t first_seq,
                              int32_t last_offset_delta, int64_t base_offset);
/* kafka_group.c */
void kafka_group_init(broker *b);
void kafka_group_shutdown(void);
int kafka_group_member_count(const char *id, size_t len);
/* Admin views of the coordinator's groups (read-only; kafka_group.c). */
typedef struct kafka_group_member_view {
    const char *member_id;
    const char *client_id;
    const char *client_host;
    const char *instance_id;  /* NULL: dynamic member */
    const uint8_t *assignment; /* ConsumerProtocolAssignment, Stable only */
    size_t assignment_len;
} kafka_group_member_view;
const char *kafka_group_describe(const char *id,
                                 void (*cb)(void *arg,
                                            const kafka_group_member_view *m),
                                 void *arg);
void kafka_group_foreach(void (*cb)(void *arg, const char *id,
                                    const char *state, int members),
                         void *arg);
/* Re-checks a waiting fetch (final = its timer fired). */
void kafka_fetch_retry(kreq *r, int final);


#endif /* FERRY_KAFKA_INT_H */
