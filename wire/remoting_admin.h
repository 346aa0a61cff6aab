/*
 * remoting_admin.h - the admin bodies of the remoting protocol that
 * ferryctl, mqadmin and the consoles read (ref 2.11), both directions:
 *
 *   TopicStatsTable     GET_TOPIC_STATS_INFO answer        decode
 *                       (encode: remoting_topic_stats_encode)
 *   ConsumeStats        GET_CONSUME_STATS answer           decode
 *                       (encode: remoting_consume_stats_encode)
 *   ConsumerConnection  GET_CONSUMER_CONNECTION_LIST       encode, decode
 *   SubscriptionGroupWrapper  GET_ALL_SUBSCRIPTIONGROUP_CONFIG
 *                                                          encode, decode
 *   ResetOffsetBody     INVOKE_BROKER_TO_RESET_OFFSET      encode, decode
 *   pending transactions (Ferry's own code, below)         encode, decode
 *   KVTable             GET_BROKER_RUNTIME_INFO answer     decode
 *
 * Maps keyed by a MessageQueue are written as fastjson does, with the
 * object itself as the key ({{"brokerName":..,"queueId":..,"topic":..}:
 * {...}}), which Java's tools parse and jansson does not: the decoders
 * rewrite every object-valued key into a JSON string first
 * (remoting_admin_quote_object_keys), then parse the key text as a
 * MessageQueue.
 *
 * Ferry extensions ride in extra keys ("ferry*"), which fastjson ignores
 * when Java tools read the same bodies:
 *   Connection:               ferryAssigned [{topic,brokerName,queueId}]
 *                             (Kafka members: their assignment)
 *   ConsumerConnection:       ferryProtocol "kafka" | "rocketmq",
 *                             ferryState (Kafka group state)
 *   SubscriptionGroupConfig:  ferryProtocol "kafka" | "rocketmq" | ""
 *                             (offsets only), ferryMembers, ferryState
 *
 * Decoders: same limits as remoting_body.c (REMOTING_BODY_MAX_DEPTH,
 * REMOTING_BODY_MAX_VALUES), strings copied into the caller's arena
 * (NUL-terminated), numbers as JSON numbers or decimal strings, unknown
 * keys ignored, BUF_EINVAL for wrong types, BUF_ENOMEM when the arena is
 * full.  Pure; thread-safe.
 */
#ifndef FERRY_REMOTING_ADMIN_H
#define FERRY_REMOTING_ADMIN_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "remoting_body.h"
#include "wire_arena.h"

/* Ferry's own request codes, in the int16 range RocketMQ's binary
 * (ROCKETMQ) header can carry and outside the codes RocketMQ uses:
 *   30001  the pending (half, undecided) transactions of a broker; no
 *          header; answer body remoting_pending_txn_encode;
 *   30002  re-send the dead letter at CommitLog position "offset" to its
 *          original topic (RETRY_TOPIC); answer extFields msgId,
 *          offsetMsgId, topic, queueId, queueOffset. */
#define REMOTING_REQ_FERRY_GET_PENDING_TXN 30001
#define REMOTING_REQ_FERRY_DLQ_RESEND      30002

/*
 * Rewrites every object key that is itself a JSON object ({..}:) into a
 * JSON string holding that object's text, so jansson can parse the body.
 * Returns a malloc'd copy (*out_n bytes; the caller frees), or NULL with
 * *err = 0 when nothing needed quoting, or NULL with *err = BUF_EINVAL
 * (unbalanced / too deep) or BUF_ENOMEM.
 */
uint8_t *remoting_admin_quote_object_keys(const uint8_t *p, size_t n,
                                          size_t *out_n, int *err);

/* KVTable {"table":{"k":"v",...}} (GET_BROKER_RUNTIME_INFO answer); the
 * encoder is remoting_kv_table_encode.  Values may be strings or
 * numbers (numbers are kept as their text). */
int remoting_kv_table_decode(const uint8_t *p, size_t n, wire_arena *a,
                             remoting_kv **out, int32_t *count);

/* ---- TopicStatsTable, ConsumeStats ---- */

int remoting_topic_stats_decode(const uint8_t *p, size_t n, wire_arena *a,
                                remoting_topic_offset **out, int32_t *count);
/* ConsumeStats as remoting_consume_stats_encode writes it, except that a
 * queue without a committed offset (consumer_offset < 0) is written as
 * RocketMQ's broker writes it, consumerOffset 0 (so Java's
 * computeTotalDiff is right), with "ferryNoCommit":true beside it, which
 * remoting_consume_stats_decode turns back into -1. */
int remoting_consume_stats_encode_ferry(buf_writer *w, double consume_tps,
                                        const remoting_consume_offset *offsets,
                                        int32_t count);
int remoting_consume_stats_decode(const uint8_t *p, size_t n, wire_arena *a,
                                  double *consume_tps,
                                  remoting_consume_offset **out,
                                  int32_t *count);

/* ---- ConsumerConnection ---- */

typedef struct remoting_connection {
    buf_view client_id;
    buf_view client_addr;
    buf_view language; /* LanguageCode name: JAVA, CPP, GO, OTHER, ... */
    int32_t version;
    remoting_message_queue *assigned; /* Ferry: ferryAssigned */
    int32_t assigned_count;
    /* Ferry: ferrySubscriptions, this member's own "topic\texpr\n..."
     * lines (RocketMQ reports one subscription per group; Ferry also says
     * what each member asked for, so conflicts can be shown) */
    buf_view ferry_subscriptions;
} remoting_connection;

typedef struct remoting_consumer_connection {
    remoting_connection *connections;
    int32_t connection_count;
    remoting_subscription *subscriptions; /* subscriptionTable values */
    int32_t subscription_count;
    buf_view consume_type;  /* CONSUME_ACTIVELY / CONSUME_PASSIVELY */
    buf_view message_model; /* CLUSTERING / BROADCASTING */
    buf_view consume_from_where;
    buf_view ferry_protocol; /* "kafka" / "rocketmq" */
    buf_view ferry_state;    /* Kafka group state, or "" */
} remoting_consumer_connection;

int remoting_consumer_connection_encode(buf_writer *w,
                                        const remoting_consumer_connection *cc);
int remoting_consumer_connection_decode(const uint8_t *p, size_t n,
                                        wire_arena *a,
                                        remoting_consumer_connection *out);

/* ---- SubscriptionGroupWrapper ---- */

typedef struct remoting_subscription_group {
    buf_view group_name;
    int consume_enable;           /* true */
    int consume_broadcast_enable; /* true */
    int consume_message_orderly;  /* false */
    int32_t retry_queue_nums;     /* 1 */
    int32_t retry_max_times;      /* 16 */
    buf_view ferry_protocol;      /* "kafka", "rocketmq", "" */
    buf_view ferry_state;         /* Kafka state, "Active", "Empty" */
    int32_t ferry_members;
} remoting_subscription_group;

/* {"dataVersion":{..},"forbiddenTable":{},"subscriptionGroupTable":
 * {name:SubscriptionGroupConfig,...}} */
int remoting_subscription_groups_encode(buf_writer *w,
                                        const remoting_data_version *dv,
                                        const remoting_subscription_group *g,
                                        int32_t count);
int remoting_subscription_groups_decode(const uint8_t *p, size_t n,
                                        wire_arena *a,
                                        remoting_subscription_group **out,
                                        int32_t *count);

/* ---- ResetOffsetBody {"offsetTable":{MQ:offset,...}} ---- */

typedef struct remoting_queue_offset {
    remoting_message_queue mq;
    int64_t offset;
} remoting_queue_offset;

int remoting_reset_offset_encode(buf_writer *w,
                                 const remoting_queue_offset *offsets,
                                 int32_t count);
int remoting_reset_offset_decode(const uint8_t *p, size_t n, wire_arena *a,
                                 remoting_queue_offset **out, int32_t *count);

/* ---- pending transactions (REMOTING_REQ_FERRY_GET_PENDING_TXN) ---- */

typedef struct remoting_pending_txn {
    buf_view producer_group;
    int64_t queue_offset;      /* half-queue offset of the first half */
    int64_t commit_log_offset; /* CommitLog position of the newest copy */
    int64_t first_timestamp;   /* store time of the first half, ms */
    int32_t check_times;       /* check-backs sent so far */
} remoting_pending_txn;

/* {"pendingList":[{"checkTimes":..,"commitLogOffset":..,
 * "firstTimestamp":..,"producerGroup":..,"queueOffset":..}],"total":n}
 * total may exceed the list (the broker caps it). */
int remoting_pending_txn_encode(buf_writer *w, const remoting_pending_txn *t,
                                int32_t count, int64_t total);
int remoting_pending_txn_decode(const uint8_t *p, size_t n, wire_arena *a,
                                remoting_pending_txn **out, int32_t *count,
                                int64_t *total);

#endif /* FERRY_REMOTING_ADMIN_H */
