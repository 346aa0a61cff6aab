/*
 * remoting_body.h - JSON bodies of the remoting protocol that the broker
 * and the name server exchange with clients and with each other:
 *
 *   TopicRouteData         GET_ROUTEINFO_BY_TOPIC answer        encode
 *   RegisterBrokerBody     REGISTER_BROKER body (uncompressed)   decode
 *   TopicConfigSerializeWrapper  GET_ALL_TOPIC_CONFIG / old
 *                          REGISTER_BROKER bodies                decode, encode
 *   HeartbeatData          HEART_BEAT body                       decode
 *   LockBatchRequestBody   LOCK_BATCH_MQ / UNLOCK_BATCH_MQ       decode
 *   {"lockOKMQSet":[..]}   LOCK_BATCH_MQ answer                  encode
 *   {"consumerIdList":[..]} GET_CONSUMER_LIST_BY_GROUP answer    encode
 *
 * Encoders write compact JSON with fields in alphabetical order, as
 * fastjson does (Go's route parser splits brokerAddrs text on ',' and ':',
 * so there must be no spaces).  REMOTING_JSON_FASTJSON writes integer map
 * keys unquoted ({0:"ip:port"}), as the Java name server does for clients
 * older than 4.9.4 (request version < 401 without acceptStandardJsonOnly);
 * REMOTING_JSON_STRICT quotes them (safe for Java, Go and ali-ons).
 *
 * Decoders parse through jansson; every string is copied into the caller's
 * arena (NUL-terminated, length known), arrays too.  Missing optional keys
 * take Java's defaults; a key of the wrong type is BUF_EINVAL; numbers may
 * be JSON numbers or decimal strings (codeSet items come either way);
 * unknown keys are ignored.  Pure; thread-safe.
 */
#ifndef FERRY_REMOTING_BODY_H
#define FERRY_REMOTING_BODY_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "wire_arena.h"

#define REMOTING_JSON_STRICT   0
#define REMOTING_JSON_FASTJSON 1

/* Bodies nest a few levels; anything deeper is refused (BUF_EINVAL).  A
 * body of more values than REMOTING_BODY_MAX_VALUES is refused before
 * parsing (BUF_ELIMIT): about 100000 topic configs or subscriptions. */
#define REMOTING_BODY_MAX_DEPTH  32
#define REMOTING_BODY_MAX_VALUES (1u << 20)

/* ---- TopicRouteData ---- */

typedef struct remoting_queue_data {
    buf_view broker_name;
    int32_t read_queue_nums;
    int32_t write_queue_nums;
    int32_t perm;
    int32_t topic_sys_flag;
} remoting_queue_data;

typedef struct remoting_broker_addr {
    int64_t broker_id; /* 0 = master */
    buf_view addr;     /* "ip:port" */
} remoting_broker_addr;

typedef struct remoting_broker_data {
    buf_view cluster;
    buf_view broker_name;
    const remoting_broker_addr *addrs; /* written in this order */
    int32_t addr_count;
    buf_view zone_name; /* omitted when is_null or empty */
    int enable_acting_master;
} remoting_broker_data;

typedef struct remoting_topic_route {
    const remoting_queue_data *queue_datas;
    int32_t queue_data_count;
    const remoting_broker_data *broker_datas;
    int32_t broker_data_count;
    buf_view order_topic_conf; /* omitted when is_null or empty */
} remoting_topic_route;

int remoting_topic_route_encode(buf_writer *w, const remoting_topic_route *rt,
                                int style);

/* ---- DataVersion, TopicConfig, wrappers ---- */

typedef struct remoting_data_version {
    int64_t timestamp;
    int64_t counter;
    int64_t state_version;
} remoting_data_version;

typedef struct remoting_topic_config {
    buf_view topic_name;
    int32_t read_queue_nums;    /* default 16 */
    int32_t write_queue_nums;   /* default 16 */
    int32_t perm;               /* default 6 (read|write) */
    buf_view topic_filter_type; /* default "SINGLE_TAG" */
    int32_t topic_sys_flag;
    int order;
} remoting_topic_config;

typedef struct remoting_topic_config_wrapper {
    remoting_data_version data_version;
    remoting_topic_config *topics;
    int32_t topic_count;
} remoting_topic_config_wrapper;

typedef struct remoting_register_broker_body {
    remoting_topic_config_wrapper wrapper;
    buf_view *filter_servers;
    int32_t filter_server_count;
} remoting_register_broker_body;

int remoting_topic_config_wrapper_decode(const uint8_t *p, size_t n,
                                         wire_arena *a,
                                         remoting_topic_config_wrapper *out);
/* topicConfigTable in the given order, then dataVersion. */
int remoting_topic_config_wrapper_encode(
    buf_writer *w, const remoting_topic_config_wrapper *wr);
int remoting_register_broker_body_decode(const uint8_t *p, size_t n,
                                         wire_arena *a,
                                         remoting_register_broker_body *out);
/*
 * The compressed REGISTER_BROKER body (header compressed=true): a zlib
 * stream of int32 len + DataVersion JSON; int32 topicCount; per topic
 * int32 len + "name read write perm FILTERTYPE [attributesJSON]" (space
 * separated; topicSysFlag and order do not travel); int32 len +
 * filter-server JSON array; then (5.x brokers only) int32 count + count *
 * (int32 len + TopicQueueMappingInfo JSON), validated and skipped.
 * Inflating stops at max_inflated bytes (BUF_ELIMIT): 0 means 64 MiB.
 */
int remoting_register_broker_body_decode_compressed(
    const uint8_t *p, size_t n, size_t max_inflated, wire_arena *a,
    remoting_register_broker_body *out);
/* {"filterServerList":[...],"topicConfigSerializeWrapper":{...}} */
int remoting_register_broker_body_encode(
    buf_writer *w, const remoting_register_broker_body *body);

/* ---- HeartbeatData ---- */

typedef struct remoting_subscription {
    buf_view topic;
    buf_view sub_string;
    buf_view expression_type; /* default "TAG" */
    buf_view *tags;
    int32_t tag_count;
    int32_t *codes;
    int32_t code_count;
    int64_t sub_version;
    int class_filter_mode;
} remoting_subscription;

typedef struct remoting_consumer_data {
    buf_view group_name;
    buf_view consume_type;       /* CONSUME_ACTIVELY / CONSUME_PASSIVELY */
    buf_view message_model;      /* CLUSTERING / BROADCASTING */
    buf_view consume_from_where; /* CONSUME_FROM_LAST_OFFSET, ... */
    int unit_mode;
    remoting_subscription *subscriptions;
    int32_t subscription_count;
} remoting_consumer_data;

typedef struct remoting_heartbeat {
    buf_view client_id;
    buf_view *producer_groups;
    int32_t producer_count;
    remoting_consumer_data *consumers;
    int32_t consumer_count;
    int64_t heartbeat_fingerprint;
    int without_sub;
} remoting_heartbeat;

int remoting_heartbeat_decode(const uint8_t *p, size_t n, wire_arena *a,
                              remoting_heartbeat *out);

/* ---- queue locks, consumer list ---- */

typedef struct remoting_message_queue {
    buf_view topic;
    buf_view broker_name;
    int32_t queue_id;
} remoting_message_queue;

typedef struct remoting_lock_batch {
    buf_view consumer_group;
    buf_view client_id;
    int only_this_broker;
    remoting_message_queue *mqs;
    int32_t mq_count;
} remoting_lock_batch;

/* LockBatchRequestBody / UnlockBatchRequestBody. */
int remoting_lock_batch_decode(const uint8_t *p, size_t n, wire_arena *a,
                               remoting_lock_batch *out);
/* {"lockOKMQSet":[{"brokerName":..,"queueId":..,"topic":..},...]} */
int remoting_lock_batch_response_encode(buf_writer *w,
                                        const remoting_message_queue *mqs,
                                        int32_t count);
/* {"consumerIdList":["cid",...]} */
int remoting_consumer_list_encode(buf_writer *w, const buf_view *ids,
                                  int32_t count);

/* ---- admin bodies ---- */

typedef struct remoting_kv {
    buf_view key;
    buf_view value;
} remoting_kv;

/* KVTable {"table":{"k":"v",...}} (GET_BROKER_RUNTIME_INFO,
 * GET_KVLIST_BY_NAMESPACE, REGISTER_BROKER answers), in the given order. */
int remoting_kv_table_encode(buf_writer *w, const remoting_kv *kvs,
                             int32_t count);
/* TopicList {"topicList":["a",...]} (GET_ALL_TOPIC_LIST_FROM_NAMESERVER,
 * GET_TOPICS_BY_CLUSTER). */
int remoting_topic_list_encode(buf_writer *w, const buf_view *topics,
                               int32_t count);

/*
 * Maps keyed by a MessageQueue are written the fastjson way, with the
 * object itself as the key (ref 7.5):
 *   {{"brokerName":"b","queueId":0,"topic":"t"}:{...},...}
 * That is not strict JSON (jansson cannot read it back) but it is what the
 * Java admin tools (mqadmin topicStatus / consumerProgress) parse.
 */
typedef struct remoting_topic_offset {
    remoting_message_queue mq;
    int64_t min_offset;
    int64_t max_offset;
    int64_t last_update_timestamp;
} remoting_topic_offset;

/* TopicStatsTable {"offsetTable":{MQ:{lastUpdateTimestamp,maxOffset,
 * minOffset}}} (GET_TOPIC_STATS_INFO). */
int remoting_topic_stats_encode(buf_writer *w,
                                const remoting_topic_offset *offsets,
                                int32_t count);

typedef struct remoting_consume_offset {
    remoting_message_queue mq;
    int64_t broker_offset;
    int64_t consumer_offset;
    int64_t pull_offset;
    int64_t last_timestamp;
} remoting_consume_offset;

/* ConsumeStats {"consumeTps":x,"offsetTable":{MQ:{brokerOffset,
 * consumerOffset,lastTimestamp,pullOffset}}} (GET_CONSUME_STATS). */
int remoting_consume_stats_encode(buf_writer *w, double consume_tps,
                                  const remoting_consume_offset *offsets,
                                  int32_t count);

#endif /* FERRY_REMOTING_BODY_H */
