/*
 * kafka.c - Kafka protocol plumbing around the schema walker: API names and
 * flexible versions, error names, framing, request/response headers, splice
 * lists and the KIP-511 ApiVersions fallback answer.
 *
 * Header versions (ref §1.3): request header v1 = api_key, api_version,
 * correlation_id, client_id (classic nullable string); v2 adds a tagged
 * section.  Response header v0 = correlation_id; v1 adds a tagged section.
 * Which one applies follows from (api_key, api_version) and the API's
 * first flexible version; ApiVersions responses always use v0.
 */
#include "kafka.h"

#include <stdlib.h>
#include <string.h>

typedef struct kafka_api_info {
    int16_t key;
    int16_t flexible_from; /* -1 never */
    const char *name;
} kafka_api_info;

/* Flexible-from versions from the Kafka 4.x schemas (ref §1.4); -1 where
 * the ref does not list a key (header v1 is then assumed). */
static const kafka_api_info kafka_apis[] = {
    {KAFKA_API_PRODUCE, 9, "Produce"},
    {KAFKA_API_FETCH, 12, "Fetch"},
    {KAFKA_API_LIST_OFFSETS, 6, "ListOffsets"},
    {KAFKA_API_METADATA, 9, "Metadata"},
    {KAFKA_API_LEADER_AND_ISR, -1, "LeaderAndIsr"},
    {KAFKA_API_STOP_REPLICA, -1, "StopReplica"},
    {KAFKA_API_UPDATE_METADATA, -1, "UpdateMetadata"},
    {KAFKA_API_CONTROLLED_SHUTDOWN, -1, "ControlledShutdown"},
    {KAFKA_API_OFFSET_COMMIT, 8, "OffsetCommit"},
    {KAFKA_API_OFFSET_FETCH, 6, "OffsetFetch"},
    {KAFKA_API_FIND_COORDINATOR, 3, "FindCoordinator"},
    {KAFKA_API_JOIN_GROUP, 6, "JoinGroup"},
    {KAFKA_API_HEARTBEAT, 4, "Heartbeat"},
    {KAFKA_API_LEAVE_GROUP, 4, "LeaveGroup"},
    {KAFKA_API_SYNC_GROUP, 4, "SyncGroup"},
    {KAFKA_API_DESCRIBE_GROUPS, 5, "DescribeGroups"},
    {KAFKA_API_LIST_GROUPS, 3, "ListGroups"},
    {KAFKA_API_SASL_HANDSHAKE, -1, "SaslHandshake"},
    {KAFKA_API_API_VERSIONS, 3, "ApiVersions"},
    {KAFKA_API_CREATE_TOPICS, 5, "CreateTopics"},
    {KAFKA_API_DELETE_TOPICS, 4, "DeleteTopics"},
    {KAFKA_API_DELETE_RECORDS, 2, "DeleteRecords"},
    {KAFKA_API_INIT_PRODUCER_ID, 2, "InitProducerId"},
    {KAFKA_API_OFFSET_FOR_LEADER_EPOCH, 4, "OffsetForLeaderEpoch"},
    {KAFKA_API_ADD_PARTITIONS_TO_TXN, 3, "AddPartitionsToTxn"},
    {KAFKA_API_ADD_OFFSETS_TO_TXN, 3, "AddOffsetsToTxn"},
    {KAFKA_API_END_TXN, 3, "EndTxn"},
    {KAFKA_API_WRITE_TXN_MARKERS, 1, "WriteTxnMarkers"},
    {KAFKA_API_TXN_OFFSET_COMMIT, 3, "TxnOffsetCommit"},
    {KAFKA_API_DESCRIBE_ACLS, -1, "DescribeAcls"},
    {KAFKA_API_CREATE_ACLS, -1, "CreateAcls"},
    {KAFKA_API_DELETE_ACLS, -1, "DeleteAcls"},
    {KAFKA_API_DESCRIBE_CONFIGS, 4, "DescribeConfigs"},
    {KAFKA_API_ALTER_CONFIGS, 2, "AlterConfigs"},
    {KAFKA_API_ALTER_REPLICA_LOG_DIRS, -1, "AlterReplicaLogDirs"},
    {KAFKA_API_DESCRIBE_LOG_DIRS, 2, "DescribeLogDirs"},
    {KAFKA_API_SASL_AUTHENTICATE, 2, "SaslAuthenticate"},
    {KAFKA_API_CREATE_PARTITIONS, 2, "CreatePartitions"},
    {KAFKA_API_CREATE_DELEGATION_TOKEN, -1, "CreateDelegationToken"},
    {KAFKA_API_RENEW_DELEGATION_TOKEN, -1, "RenewDelegationToken"},
    {KAFKA_API_EXPIRE_DELEGATION_TOKEN, -1, "ExpireDelegationToken"},
    {KAFKA_API_DESCRIBE_DELEGATION_TOKEN, -1, "DescribeDelegationToken"},
    {KAFKA_API_DELETE_GROUPS, 2, "DeleteGroups"},
    {KAFKA_API_ELECT_LEADERS, -1, "ElectLeaders"},
    {KAFKA_API_INCREMENTAL_ALTER_CONFIGS, 1, "IncrementalAlterConfigs"},
    {KAFKA_API_ALTER_PARTITION_REASSIGNMENTS, 0,
     "AlterPartitionReassignments"},
    {KAFKA_API_LIST_PARTITION_REASSIGNMENTS, 0, "ListPartitionReassignments"},
    {KAFKA_API_OFFSET_DELETE, -1, "OffsetDelete"},
    {KAFKA_API_DESCRIBE_CLUSTER, 0, "DescribeCluster"},
    {KAFKA_API_DESCRIBE_PRODUCERS, 0, "DescribeProducers"},
    {KAFKA_API_CONSUMER_GROUP_HEARTBEAT, 0, "ConsumerGroupHeartbeat"},
    {KAFKA_API_CONSUMER_GROUP_DESCRIBE, 0, "ConsumerGroupDescribe"},
    {KAFKA_API_GET_TELEMETRY_SUBSCRIPTIONS, 0, "GetTelemetrySubscriptions"},
    {KAFKA_API_PUSH_TELEMETRY, 0, "PushTelemetry"},
};

static const kafka_api_info *api_info(int16_t key)
{
    size_t i;

    for (i = 0; i < sizeof(kafka_apis) / sizeof(kafka_apis[0]); i++)
        if (kafka_apis[i].key == key)
            return &kafka_apis[i];
    return NULL;
}

int kafka_api_flexible_from(int16_t api_key)
{
    const kafka_api_info *ai = api_info(api_key);
    return ai ? ai->flexible_from : -1;
}

const char *kafka_api_name(int16_t api_key)
{
    const kafka_api_info *ai = api_info(api_key);
    return ai ? ai->name : "Unknown";
}

static int is_flexible(int16_t api_key, int16_t api_version)
{
    int ff = kafka_api_flexible_from(api_key);
    return ff >= 0 && api_version >= ff;
}

const char *kafka_error_name(int16_t code)
{
    switch ((kafka_error)code) {
#define E(x)                                                                   \
    case KAFKA_ERR_##x:                                                        \
        return #x;
        E(UNKNOWN_SERVER_ERROR)
        E(NONE)
        E(OFFSET_OUT_OF_RANGE)
        E(CORRUPT_MESSAGE)
        E(UNKNOWN_TOPIC_OR_PARTITION)
        E(INVALID_FETCH_SIZE)
        E(LEADER_NOT_AVAILABLE)
        E(NOT_LEADER_OR_FOLLOWER)
        E(REQUEST_TIMED_OUT)
        E(BROKER_NOT_AVAILABLE)
        E(REPLICA_NOT_AVAILABLE)
        E(MESSAGE_TOO_LARGE)
        E(OFFSET_METADATA_TOO_LARGE)
        E(NETWORK_EXCEPTION)
        E(COORDINATOR_LOAD_IN_PROGRESS)
        E(COORDINATOR_NOT_AVAILABLE)
        E(NOT_COORDINATOR)
        E(INVALID_TOPIC_EXCEPTION)
        E(RECORD_LIST_TOO_LARGE)
        E(NOT_ENOUGH_REPLICAS)
        E(NOT_ENOUGH_REPLICAS_AFTER_APPEND)
        E(INVALID_REQUIRED_ACKS)
        E(ILLEGAL_GENERATION)
        E(INCONSISTENT_GROUP_PROTOCOL)
        E(INVALID_GROUP_ID)
        E(UNKNOWN_MEMBER_ID)
        E(INVALID_SESSION_TIMEOUT)
        E(REBALANCE_IN_PROGRESS)
        E(INVALID_COMMIT_OFFSET_SIZE)
        E(TOPIC_AUTHORIZATION_FAILED)
        E(GROUP_AUTHORIZATION_FAILED)
        E(CLUSTER_AUTHORIZATION_FAILED)
        E(INVALID_TIMESTAMP)
        E(UNSUPPORTED_SASL_MECHANISM)
        E(ILLEGAL_SASL_STATE)
        E(UNSUPPORTED_VERSION)
        E(TOPIC_ALREADY_EXISTS)
        E(INVALID_PARTITIONS)
        E(INVALID_REPLICATION_FACTOR)
        E(INVALID_REPLICA_ASSIGNMENT)
        E(INVALID_CONFIG)
        E(NOT_CONTROLLER)
        E(INVALID_REQUEST)
        E(UNSUPPORTED_FOR_MESSAGE_FORMAT)
        E(OUT_OF_ORDER_SEQUENCE_NUMBER)
        E(DUPLICATE_SEQUENCE_NUMBER)
        E(INVALID_PRODUCER_EPOCH)
        E(INVALID_TXN_STATE)
        E(INVALID_PRODUCER_ID_MAPPING)
        E(INVALID_TRANSACTION_TIMEOUT)
        E(CONCURRENT_TRANSACTIONS)
        E(TRANSACTION_COORDINATOR_FENCED)
        E(TRANSACTIONAL_ID_AUTHORIZATION_FAILED)
        E(KAFKA_STORAGE_ERROR)
        E(SASL_AUTHENTICATION_FAILED)
        E(UNKNOWN_PRODUCER_ID)
        E(NON_EMPTY_GROUP)
        E(GROUP_ID_NOT_FOUND)
        E(FETCH_SESSION_ID_NOT_FOUND)
        E(INVALID_FETCH_SESSION_EPOCH)
        E(LISTENER_NOT_FOUND)
        E(FENCED_LEADER_EPOCH)
        E(UNKNOWN_LEADER_EPOCH)
        E(UNSUPPORTED_COMPRESSION_TYPE)
        E(OFFSET_NOT_AVAILABLE)
        E(MEMBER_ID_REQUIRED)
        E(GROUP_MAX_SIZE_REACHED)
        E(FENCED_INSTANCE_ID)
        E(INVALID_RECORD)
        E(UNSTABLE_OFFSET_COMMIT)
        E(THROTTLING_QUOTA_EXCEEDED)
        E(PRODUCER_FENCED)
        E(UNKNOWN_TOPIC_ID)
        E(INCONSISTENT_TOPIC_ID)
        E(FETCH_SESSION_TOPIC_ID_ERROR)
        E(TRANSACTION_ABORTABLE)
#undef E
    }
    return "UNKNOWN";
}

/* ------------------------------------------------------------------ */
/* framing                                                             */
/* ------------------------------------------------------------------ */

int kafka_frame_check(const uint8_t hdr4[4], size_t max_frame,
                      size_t *body_len)
{
    int32_t n = (int32_t)buf_get_u32be(hdr4);

    if (n < 0)
        return BUF_EINVAL;
    if ((size_t)n > max_frame)
        return BUF_ELIMIT;
    *body_len = (size_t)n;
    return 0;
}

size_t kafka_frame_begin(buf_writer *w)
{
    return buf_reserve_i32(w);
}

void kafka_frame_end(buf_writer *w, size_t at, const kafka_splice_list *l)
{
    int64_t n;

    if (w->err || at > w->len || w->len - at < 4)
        return;
    n = (int64_t)(w->len - at - 4) + (l ? kafka_splice_list_bytes(l) : 0);
    if (n > INT32_MAX) {
        w->err = BUF_ELIMIT;
        return;
    }
    buf_patch_i32(w, at, (int32_t)n);
}

/* ------------------------------------------------------------------ */
/* headers                                                             */
/* ------------------------------------------------------------------ */

static void skip_tags(buf_reader *r)
{
    uint32_t n = buf_read_uvarint(r), i;

    if (!r->err && n > buf_left(r) / 2) {
        buf_reader_fail(r, BUF_EINVAL);
        return;
    }
    for (i = 0; i < n && !r->err; i++) {
        (void)buf_read_uvarint(r); /* tag */
        buf_skip(r, buf_read_uvarint(r));
    }
}

int kafka_req_header_decode(buf_reader *r, kafka_req_header *h)
{
    int16_t n;

    memset(h, 0, sizeof(*h));
    h->api_key = buf_read_i16(r);
    h->api_version = buf_read_i16(r);
    h->correlation_id = buf_read_i32(r);
    n = buf_read_i16(r);
    if (r->err)
        return r->err;
    if (n == -1) {
        h->client_id.is_null = 1;
    } else if (n < -1) {
        buf_reader_fail(r, BUF_EINVAL);
        return r->err;
    } else {
        h->client_id = buf_read_raw(r, (size_t)n);
    }
    if (is_flexible(h->api_key, h->api_version))
        skip_tags(r);
    return r->err;
}

void kafka_req_header_encode(buf_writer *w, const kafka_req_header *h)
{
    buf_write_i16(w, h->api_key);
    buf_write_i16(w, h->api_version);
    buf_write_i32(w, h->correlation_id);
    if (h->client_id.is_null) {
        buf_write_i16(w, -1);
    } else if (h->client_id.len > INT16_MAX) {
        if (!w->err)
            w->err = BUF_EINVAL;
    } else {
        buf_write_i16(w, (int16_t)h->client_id.len);
        buf_write_raw(w, h->client_id.ptr, h->client_id.len);
    }
    if (is_flexible(h->api_key, h->api_version))
        buf_write_uvarint(w, 0);
}

void kafka_resp_header_encode(buf_writer *w, int16_t api_key,
                              int16_t api_version, int32_t correlation_id)
{
    buf_write_i32(w, correlation_id);
    if (api_key != KAFKA_API_API_VERSIONS && is_flexible(api_key, api_version))
        buf_write_uvarint(w, 0);
}

int kafka_resp_header_decode(buf_reader *r, int16_t api_key,
                             int16_t api_version, int32_t *correlation_id)
{
    *correlation_id = buf_read_i32(r);
    if (api_key != KAFKA_API_API_VERSIONS && is_flexible(api_key, api_version))
        skip_tags(r);
    return r->err;
}

void kafka_api_versions_unsupported_encode(buf_writer *w,
                                           int32_t correlation_id,
                                           int16_t min_version,
                                           int16_t max_version)
{
    buf_write_i32(w, correlation_id); /* response header v0 */
    buf_write_i16(w, KAFKA_ERR_UNSUPPORTED_VERSION);
    buf_write_i32(w, 1);
    buf_write_i16(w, KAFKA_API_API_VERSIONS);
    buf_write_i16(w, min_version);
    buf_write_i16(w, max_version);
}

/* ------------------------------------------------------------------ */
/* splice lists                                                        */
/* ------------------------------------------------------------------ */

void kafka_splice_list_init(kafka_splice_list *l)
{
    memset(l, 0, sizeof(*l));
}

void kafka_splice_list_clear(kafka_splice_list *l)
{
    l->count = 0;
}

void kafka_splice_list_release(kafka_splice_list *l)
{
    free(l->items);
    memset(l, 0, sizeof(*l));
}

int64_t kafka_splice_list_bytes(const kafka_splice_list *l)
{
    int64_t n = 0;
    size_t i;

    for (i = 0; i < l->count; i++)
        n += l->items[i].len;
    return n;
}

int kafka_splice_flatten(const buf_writer *w, const kafka_splice_list *l,
                         buf_writer *out)
{
    size_t pos = 0, i;

    for (i = 0; l && i < l->count; i++) {
        const kafka_splice *sp = &l->items[i];
        int32_t k;

        if (sp->at < pos || sp->at > w->len)
            return BUF_EINVAL;
        buf_write_raw(out, w->p + pos, sp->at - pos);
        pos = sp->at;
        for (k = 0; k < sp->n_pieces; k++)
            buf_write_raw(out, sp->pieces[k].p, sp->pieces[k].len);
    }
    buf_write_raw(out, w->p + pos, w->len - pos);
    return out->err;
}

/* ------------------------------------------------------------------ */
/* schema lookup                                                       */
/* ------------------------------------------------------------------ */

const kafka_schema *kafka_request_schema(int16_t api_key)
{
    switch (api_key) {
    case KAFKA_API_PRODUCE:
        return &kafka_produce_req_schema;
    case KAFKA_API_FETCH:
        return &kafka_fetch_req_schema;
    case KAFKA_API_LIST_OFFSETS:
        return &kafka_list_offsets_req_schema;
    case KAFKA_API_METADATA:
        return &kafka_metadata_req_schema;
    case KAFKA_API_API_VERSIONS:
        return &kafka_api_versions_req_schema;
    case KAFKA_API_CREATE_TOPICS:
        return &kafka_create_topics_req_schema;
    case KAFKA_API_OFFSET_COMMIT:
        return &kafka_offset_commit_req_schema;
    case KAFKA_API_OFFSET_FETCH:
        return &kafka_offset_fetch_req_schema;
    case KAFKA_API_FIND_COORDINATOR:
        return &kafka_find_coordinator_req_schema;
    case KAFKA_API_JOIN_GROUP:
        return &kafka_join_group_req_schema;
    case KAFKA_API_HEARTBEAT:
        return &kafka_heartbeat_req_schema;
    case KAFKA_API_LEAVE_GROUP:
        return &kafka_leave_group_req_schema;
    case KAFKA_API_SYNC_GROUP:
        return &kafka_sync_group_req_schema;
    case KAFKA_API_DESCRIBE_GROUPS:
        return &kafka_describe_groups_req_schema;
    case KAFKA_API_LIST_GROUPS:
        return &kafka_list_groups_req_schema;
    case KAFKA_API_DELETE_TOPICS:
        return &kafka_delete_topics_req_schema;
    case KAFKA_API_DELETE_RECORDS:
        return &kafka_delete_records_req_schema;
    case KAFKA_API_INIT_PRODUCER_ID:
        return &kafka_init_producer_id_req_schema;
    case KAFKA_API_OFFSET_FOR_LEADER_EPOCH:
        return &kafka_offset_for_leader_epoch_req_schema;
    case KAFKA_API_DESCRIBE_CONFIGS:
        return &kafka_describe_configs_req_schema;
    case KAFKA_API_ALTER_CONFIGS:
        return &kafka_alter_configs_req_schema;
    case KAFKA_API_DESCRIBE_LOG_DIRS:
        return &kafka_describe_log_dirs_req_schema;
    case KAFKA_API_CREATE_PARTITIONS:
        return &kafka_create_partitions_req_schema;
    case KAFKA_API_DELETE_GROUPS:
        return &kafka_delete_groups_req_schema;
    case KAFKA_API_INCREMENTAL_ALTER_CONFIGS:
        return &kafka_incremental_alter_configs_req_schema;
    case KAFKA_API_DESCRIBE_CLUSTER:
        return &kafka_describe_cluster_req_schema;
    default:
        return NULL;
    }
}

const kafka_schema *kafka_response_schema(int16_t api_key)
{
    switch (api_key) {
    case KAFKA_API_PRODUCE:
        return &kafka_produce_resp_schema;
    case KAFKA_API_FETCH:
        return &kafka_fetch_resp_schema;
    case KAFKA_API_LIST_OFFSETS:
        return &kafka_list_offsets_resp_schema;
    case KAFKA_API_METADATA:
        return &kafka_metadata_resp_schema;
    case KAFKA_API_API_VERSIONS:
        return &kafka_api_versions_resp_schema;
    case KAFKA_API_CREATE_TOPICS:
        return &kafka_create_topics_resp_schema;
    case KAFKA_API_OFFSET_COMMIT:
        return &kafka_offset_commit_resp_schema;
    case KAFKA_API_OFFSET_FETCH:
        return &kafka_offset_fetch_resp_schema;
    case KAFKA_API_FIND_COORDINATOR:
        return &kafka_find_coordinator_resp_schema;
    case KAFKA_API_JOIN_GROUP:
        return &kafka_join_group_resp_schema;
    case KAFKA_API_HEARTBEAT:
        return &kafka_heartbeat_resp_schema;
    case KAFKA_API_LEAVE_GROUP:
        return &kafka_leave_group_resp_schema;
    case KAFKA_API_SYNC_GROUP:
        return &kafka_sync_group_resp_schema;
    case KAFKA_API_DESCRIBE_GROUPS:
        return &kafka_describe_groups_resp_schema;
    case KAFKA_API_LIST_GROUPS:
        return &kafka_list_groups_resp_schema;
    case KAFKA_API_DELETE_TOPICS:
        return &kafka_delete_topics_resp_schema;
    case KAFKA_API_DELETE_RECORDS:
        return &kafka_delete_records_resp_schema;
    case KAFKA_API_INIT_PRODUCER_ID:
        return &kafka_init_producer_id_resp_schema;
    case KAFKA_API_OFFSET_FOR_LEADER_EPOCH:
        return &kafka_offset_for_leader_epoch_resp_schema;
    case KAFKA_API_DESCRIBE_CONFIGS:
        return &kafka_describe_configs_resp_schema;
    case KAFKA_API_ALTER_CONFIGS:
        return &kafka_alter_configs_resp_schema;
    case KAFKA_API_DESCRIBE_LOG_DIRS:
        return &kafka_describe_log_dirs_resp_schema;
    case KAFKA_API_CREATE_PARTITIONS:
        return &kafka_create_partitions_resp_schema;
    case KAFKA_API_DELETE_GROUPS:
        return &kafka_delete_groups_resp_schema;
    case KAFKA_API_INCREMENTAL_ALTER_CONFIGS:
        return &kafka_incremental_alter_configs_resp_schema;
    case KAFKA_API_DESCRIBE_CLUSTER:
        return &kafka_describe_cluster_resp_schema;
    default:
        return NULL;
    }
}
