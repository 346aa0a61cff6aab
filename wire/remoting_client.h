/*
 * remoting_client.h - the bodies a RocketMQ *client* reads and writes (the
 * other direction from remoting_body.h, which serves the broker and name
 * server side):
 *
 *   TopicRouteData     GET_ROUTEINFO_BY_TOPIC answer          decode
 *   ClusterInfo        GET_BROKER_CLUSTER_INFO answer         decode
 *   {"consumerIdList"} GET_CONSUMER_LIST_BY_GROUP answer      decode
 *   {"topicList"}      GET_ALL_TOPIC_LIST_FROM_NAMESERVER     decode
 *   HeartbeatData      HEART_BEAT body                        encode
 *   LockBatchRequestBody  LOCK_BATCH_MQ / UNLOCK_BATCH_MQ     encode
 *   {"lockOKMQSet"}    LOCK_BATCH_MQ answer                   decode
 *
 * The send and pull answers are typed custom headers
 * (remoting_send_response_schema, remoting_pull_response_schema in
 * remoting_headers.h); the pulled records are remoting_msg_decode.
 *
 * Decoders take the same limits as remoting_body.c (depth
 * REMOTING_BODY_MAX_DEPTH, REMOTING_BODY_MAX_VALUES values, refused before
 * jansson parses), copy every string into the caller's arena
 * (NUL-terminated), accept numbers as JSON numbers or decimal strings,
 * ignore unknown keys, and answer BUF_EINVAL for a wrong type, BUF_ELIMIT
 * past the limits, BUF_ENOMEM when the arena is full.  brokerAddrs keys
 * may be quoted ("0") or, as the fastjson name server writes them for old
 * clients, bare (0): the bare form is rewritten to quoted before parsing.
 * Encoders write compact JSON in fastjson's key order.  Pure; thread-safe.
 */
#ifndef FERRY_REMOTING_CLIENT_H
#define FERRY_REMOTING_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "remoting_body.h"
#include "wire_arena.h"

/* TopicRouteData; the arrays come from the arena (the const pointers in
 * remoting_topic_route point at arena memory). */
int remoting_topic_route_decode(const uint8_t *p, size_t n, wire_arena *a,
                                remoting_topic_route *out);

/* ClusterInfo: brokerAddrTable (as broker datas) and clusterAddrTable. */
typedef struct remoting_cluster_entry {
    buf_view cluster;
    buf_view *broker_names;
    int32_t broker_name_count;
} remoting_cluster_entry;

typedef struct remoting_cluster_info {
    remoting_broker_data *brokers;
    int32_t broker_count;
    remoting_cluster_entry *clusters;
    int32_t cluster_count;
} remoting_cluster_info;

int remoting_cluster_info_decode(const uint8_t *p, size_t n, wire_arena *a,
                                 remoting_cluster_info *out);

/* {"consumerIdList":[...]} */
int remoting_consumer_list_decode(const uint8_t *p, size_t n, wire_arena *a,
                                  buf_view **ids, int32_t *count);
/* {"topicList":[...],"brokerAddr":...} (brokerAddr ignored) */
int remoting_topic_list_decode(const uint8_t *p, size_t n, wire_arena *a,
                               buf_view **topics, int32_t *count);

/* HeartbeatData: clientID, consumerDataSet, producerDataSet (producer
 * groups), and heartbeatFingerprint / withoutSub only when non-zero.
 * remoting_heartbeat_decode reads it back. */
int remoting_heartbeat_encode(buf_writer *w, const remoting_heartbeat *hb);

/* LockBatchRequestBody / UnlockBatchRequestBody. */
int remoting_lock_batch_encode(buf_writer *w, const remoting_lock_batch *lb);
/* {"lockOKMQSet":[...]} */
int remoting_lock_batch_response_decode(const uint8_t *p, size_t n,
                                        wire_arena *a,
                                        remoting_message_queue **mqs,
                                        int32_t *count);

#endif /* FERRY_REMOTING_CLIENT_H */
