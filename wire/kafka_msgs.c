/*
 * kafka_msgs.c - field tables for the Kafka messages in kafka_msgs.h.
 *
 * Each row: name, type, first version, last version, first nullable
 * version, tag (-1 = not tagged), offset in the C struct, sub-schema,
 * default.  Versions come from the Kafka message specs (ref §3); tagged
 * fields exist only in flexible versions and are listed in ascending tag
 * order.  Nested schemas carry only fields and size: version bounds and
 * flexibility always come from the top-level schema.
 */
#include "kafka.h"

#include <stddef.h>

#define V KAFKA_VMAX
#define NN KAFKA_VNEVER

/* general row */
#define FX(st, nm, ty, fr, un, nf, tg, sub, df)                                \
    {                                                                          \
        #nm, ty, fr, un, nf, tg, (uint32_t)offsetof(st, nm), sub, df           \
    }
/* plain field from version fr */
#define F(st, nm, ty, fr) FX(st, nm, ty, fr, V, NN, -1, NULL, 0)
/* with default */
#define FD(st, nm, ty, fr, df) FX(st, nm, ty, fr, V, NN, -1, NULL, df)
/* nullable from nf; df 1 = null default */
#define FN(st, nm, ty, fr, nf, df) FX(st, nm, ty, fr, V, nf, -1, NULL, df)
/* array of structs */
#define FA(st, nm, fr, nf, sub, df) FX(st, nm, KT_ARRAY, fr, V, nf, -1, sub, df)

#define NF(a) ((uint16_t)(sizeof(a) / sizeof((a)[0])))
#define NESTED(var, nm, st, fields)                                            \
    static const kafka_schema var = {nm, -1, 0, 0, NN, fields, NF(fields),     \
                                     (uint32_t)sizeof(st)}
#define TOP(var, nm, key, mn, mx, fl, st, fields)                              \
    const kafka_schema var = {nm, key, mn, mx, fl, fields, NF(fields),         \
                              (uint32_t)sizeof(st)}

/* ---- shared --------------------------------------------------------- */

#define S kafka_leader_id_and_epoch
static const kafka_field leader_id_and_epoch_f[] = {
    FD(S, leader_id, KT_I32, 0, -1),
    FD(S, leader_epoch, KT_I32, 0, -1),
};
NESTED(leader_id_and_epoch_s, "LeaderIdAndEpoch", S, leader_id_and_epoch_f);
#undef S

#define S kafka_node_endpoint
static const kafka_field node_endpoint_f[] = {
    F(S, node_id, KT_I32, 0),
    F(S, host, KT_STRING, 0),
    F(S, port, KT_I32, 0),
    FN(S, rack, KT_STRING, 0, 0, 1),
};
NESTED(node_endpoint_s, "NodeEndpoint", S, node_endpoint_f);
#undef S

/* ---- ApiVersions ---------------------------------------------------- */

#define S kafka_api_versions_req
static const kafka_field api_versions_req_f[] = {
    F(S, client_software_name, KT_STRING, 3),
    F(S, client_software_version, KT_STRING, 3),
};
TOP(kafka_api_versions_req_schema, "ApiVersionsRequest",
    KAFKA_API_API_VERSIONS, 0, 4, 3, S, api_versions_req_f);
#undef S

#define S kafka_api_versions_resp_api_key
static const kafka_field api_versions_resp_api_key_f[] = {
    F(S, api_key, KT_I16, 0),
    F(S, min_version, KT_I16, 0),
    F(S, max_version, KT_I16, 0),
};
NESTED(api_versions_resp_api_key_s, "ApiVersion", S,
       api_versions_resp_api_key_f);
#undef S

#define S kafka_api_versions_resp_supported_feature
static const kafka_field api_versions_resp_sf_f[] = {
    F(S, name, KT_STRING, 3),
    F(S, min_version, KT_I16, 3),
    F(S, max_version, KT_I16, 3),
};
NESTED(api_versions_resp_sf_s, "SupportedFeatureKey", S,
       api_versions_resp_sf_f);
#undef S

#define S kafka_api_versions_resp_finalized_feature
static const kafka_field api_versions_resp_ff_f[] = {
    F(S, name, KT_STRING, 3),
    F(S, max_version_level, KT_I16, 3),
    F(S, min_version_level, KT_I16, 3),
};
NESTED(api_versions_resp_ff_s, "FinalizedFeatureKey", S,
       api_versions_resp_ff_f);
#undef S

#define S kafka_api_versions_resp
static const kafka_field api_versions_resp_f[] = {
    F(S, error_code, KT_I16, 0),
    FA(S, api_keys, 0, NN, &api_versions_resp_api_key_s, 0),
    F(S, throttle_time_ms, KT_I32, 1),
    FX(S, supported_features, KT_ARRAY, 3, V, NN, 0, &api_versions_resp_sf_s,
       0),
    FX(S, finalized_features_epoch, KT_I64, 3, V, NN, 1, NULL, -1),
    FX(S, finalized_features, KT_ARRAY, 3, V, NN, 2, &api_versions_resp_ff_s,
       0),
    FX(S, zk_migration_ready, KT_BOOL, 3, V, NN, 3, NULL, 0),
};
TOP(kafka_api_versions_resp_schema, "ApiVersionsResponse",
    KAFKA_API_API_VERSIONS, 0, 4, 3, S, api_versions_resp_f);
#undef S

/* ---- Metadata ------------------------------------------------------- */

#define S kafka_metadata_req_topic
static const kafka_field metadata_req_topic_f[] = {
    F(S, topic_id, KT_UUID, 10),
    FN(S, name, KT_STRING, 0, 10, 0),
};
NESTED(metadata_req_topic_s, "MetadataRequestTopic", S, metadata_req_topic_f);
#undef S

#define S kafka_metadata_req
static const kafka_field metadata_req_f[] = {
    FA(S, topics, 0, 1, &metadata_req_topic_s, 0),
    FD(S, allow_auto_topic_creation, KT_BOOL, 4, 1),
    FX(S, include_cluster_authorized_operations, KT_BOOL, 8, 10, NN, -1, NULL,
       0),
    F(S, include_topic_authorized_operations, KT_BOOL, 8),
};
TOP(kafka_metadata_req_schema, "MetadataRequest", KAFKA_API_METADATA, 0, 12,
    9, S, metadata_req_f);
#undef S

#define S kafka_metadata_resp_broker
static const kafka_field metadata_resp_broker_f[] = {
    F(S, node_id, KT_I32, 0),
    F(S, host, KT_STRING, 0),
    F(S, port, KT_I32, 0),
    FN(S, rack, KT_STRING, 1, 1, 1),
};
NESTED(metadata_resp_broker_s, "MetadataResponseBroker", S,
       metadata_resp_broker_f);
#undef S

#define S kafka_metadata_resp_partition
static const kafka_field metadata_resp_partition_f[] = {
    F(S, error_code, KT_I16, 0),
    F(S, partition_index, KT_I32, 0),
    F(S, leader_id, KT_I32, 0),
    FD(S, leader_epoch, KT_I32, 7, -1),
    F(S, replica_nodes, KT_ARRAY_I32, 0),
    F(S, isr_nodes, KT_ARRAY_I32, 0),
    F(S, offline_replicas, KT_ARRAY_I32, 5),
};
NESTED(metadata_resp_partition_s, "MetadataResponsePartition", S,
       metadata_resp_partition_f);
#undef S

#define S kafka_metadata_resp_topic
static const kafka_field metadata_resp_topic_f[] = {
    F(S, error_code, KT_I16, 0),
    FN(S, name, KT_STRING, 0, 12, 0),
    F(S, topic_id, KT_UUID, 10),
    F(S, is_internal, KT_BOOL, 1),
    FA(S, partitions, 0, NN, &metadata_resp_partition_s, 0),
    FD(S, topic_authorized_operations, KT_I32, 8, INT32_MIN),
};
NESTED(metadata_resp_topic_s, "MetadataResponseTopic", S,
       metadata_resp_topic_f);
#undef S

#define S kafka_metadata_resp
static const kafka_field metadata_resp_f[] = {
    F(S, throttle_time_ms, KT_I32, 3),
    FA(S, brokers, 0, NN, &metadata_resp_broker_s, 0),
    FN(S, cluster_id, KT_STRING, 2, 2, 1),
    FD(S, controller_id, KT_I32, 1, -1),
    FA(S, topics, 0, NN, &metadata_resp_topic_s, 0),
    FX(S, cluster_authorized_operations, KT_I32, 8, 10, NN, -1, NULL,
       INT32_MIN),
};
TOP(kafka_metadata_resp_schema, "MetadataResponse", KAFKA_API_METADATA, 0, 12,
    9, S, metadata_resp_f);
#undef S

/* ---- Produce -------------------------------------------------------- */

#define S kafka_produce_req_partition
static const kafka_field produce_req_partition_f[] = {
    F(S, index, KT_I32, 0),
    FN(S, records, KT_RECORDS_VIEW, 0, 0, 0),
};
NESTED(produce_req_partition_s, "PartitionProduceData", S,
       produce_req_partition_f);
#undef S

#define S kafka_produce_req_topic
static const kafka_field produce_req_topic_f[] = {
    F(S, name, KT_STRING, 0),
    FA(S, partition_data, 0, NN, &produce_req_partition_s, 0),
};
NESTED(produce_req_topic_s, "TopicProduceData", S, produce_req_topic_f);
#undef S

#define S kafka_produce_req
static const kafka_field produce_req_f[] = {
    FN(S, transactional_id, KT_STRING, 3, 3, 1),
    F(S, acks, KT_I16, 0),
    F(S, timeout_ms, KT_I32, 0),
    FA(S, topic_data, 0, NN, &produce_req_topic_s, 0),
};
TOP(kafka_produce_req_schema, "ProduceRequest", KAFKA_API_PRODUCE, 0, 11, 9,
    S, produce_req_f);
#undef S

#define S kafka_produce_resp_record_error
static const kafka_field produce_resp_record_error_f[] = {
    F(S, batch_index, KT_I32, 8),
    FN(S, batch_index_error_message, KT_STRING, 8, 8, 1),
};
NESTED(produce_resp_record_error_s, "BatchIndexAndErrorMessage", S,
       produce_resp_record_error_f);
#undef S

#define S kafka_produce_resp_partition
static const kafka_field produce_resp_partition_f[] = {
    F(S, index, KT_I32, 0),
    F(S, error_code, KT_I16, 0),
    F(S, base_offset, KT_I64, 0),
    FD(S, log_append_time_ms, KT_I64, 2, -1),
    FD(S, log_start_offset, KT_I64, 5, -1),
    FA(S, record_errors, 8, NN, &produce_resp_record_error_s, 0),
    FN(S, error_message, KT_STRING, 8, 8, 1),
    FX(S, current_leader, KT_STRUCT, 10, V, NN, 0, &leader_id_and_epoch_s, 0),
};
NESTED(produce_resp_partition_s, "PartitionProduceResponse", S,
       produce_resp_partition_f);
#undef S

#define S kafka_produce_resp_topic
static const kafka_field produce_resp_topic_f[] = {
    F(S, name, KT_STRING, 0),
    FA(S, partition_responses, 0, NN, &produce_resp_partition_s, 0),
};
NESTED(produce_resp_topic_s, "TopicProduceResponse", S, produce_resp_topic_f);
#undef S

#define S kafka_produce_resp
static const kafka_field produce_resp_f[] = {
    FA(S, responses, 0, NN, &produce_resp_topic_s, 0),
    F(S, throttle_time_ms, KT_I32, 1),
    FX(S, node_endpoints, KT_ARRAY, 10, V, NN, 0, &node_endpoint_s, 0),
};
TOP(kafka_produce_resp_schema, "ProduceResponse", KAFKA_API_PRODUCE, 0, 11, 9,
    S, produce_resp_f);
#undef S

/* ---- Fetch ---------------------------------------------------------- */

#define S kafka_fetch_req_partition
static const kafka_field fetch_req_partition_f[] = {
    F(S, partition, KT_I32, 0),
    FD(S, current_leader_epoch, KT_I32, 9, -1),
    F(S, fetch_offset, KT_I64, 0),
    FD(S, last_fetched_epoch, KT_I32, 12, -1),
    FD(S, log_start_offset, KT_I64, 5, -1),
    F(S, partition_max_bytes, KT_I32, 0),
};
NESTED(fetch_req_partition_s, "FetchPartition", S, fetch_req_partition_f);
#undef S

#define S kafka_fetch_req_topic
static const kafka_field fetch_req_topic_f[] = {
    F(S, topic, KT_STRING, 0),
    FA(S, partitions, 0, NN, &fetch_req_partition_s, 0),
};
NESTED(fetch_req_topic_s, "FetchTopic", S, fetch_req_topic_f);
#undef S

#define S kafka_fetch_req_forgotten_topic
static const kafka_field fetch_req_forgotten_f[] = {
    F(S, topic, KT_STRING, 7),
    F(S, partitions, KT_ARRAY_I32, 7),
};
NESTED(fetch_req_forgotten_s, "ForgottenTopic", S, fetch_req_forgotten_f);
#undef S

#define S kafka_fetch_req
static const kafka_field fetch_req_f[] = {
    FX(S, cluster_id, KT_STRING, 12, V, 12, 0, NULL, 1),
    F(S, replica_id, KT_I32, 0),
    F(S, max_wait_ms, KT_I32, 0),
    F(S, min_bytes, KT_I32, 0),
    FD(S, max_bytes, KT_I32, 3, 0x7fffffff),
    F(S, isolation_level, KT_I8, 4),
    F(S, session_id, KT_I32, 7),
    FD(S, session_epoch, KT_I32, 7, -1),
    FA(S, topics, 0, NN, &fetch_req_topic_s, 0),
    FA(S, forgotten_topics_data, 7, NN, &fetch_req_forgotten_s, 0),
    F(S, rack_id, KT_STRING, 11),
};
TOP(kafka_fetch_req_schema, "FetchRequest", KAFKA_API_FETCH, 0, 12, 12, S,
    fetch_req_f);
#undef S

#define S kafka_fetch_resp_epoch_end_offset
static const kafka_field fetch_resp_eeo_f[] = {
    FD(S, epoch, KT_I32, 0, -1),
    FD(S, end_offset, KT_I64, 0, -1),
};
NESTED(fetch_resp_eeo_s, "EpochEndOffset", S, fetch_resp_eeo_f);
#undef S

#define S kafka_fetch_resp_snapshot_id
static const kafka_field fetch_resp_snapshot_f[] = {
    FD(S, end_offset, KT_I64, 0, -1),
    FD(S, epoch, KT_I32, 0, -1),
};
NESTED(fetch_resp_snapshot_s, "SnapshotId", S, fetch_resp_snapshot_f);
#undef S

#define S kafka_fetch_resp_aborted_transaction
static const kafka_field fetch_resp_aborted_f[] = {
    F(S, producer_id, KT_I64, 4),
    F(S, first_offset, KT_I64, 4),
};
NESTED(fetch_resp_aborted_s, "AbortedTransaction", S, fetch_resp_aborted_f);
#undef S

#define S kafka_fetch_resp_partition
static const kafka_field fetch_resp_partition_f[] = {
    F(S, partition_index, KT_I32, 0),
    F(S, error_code, KT_I16, 0),
    F(S, high_watermark, KT_I64, 0),
    FD(S, last_stable_offset, KT_I64, 4, -1),
    FD(S, log_start_offset, KT_I64, 5, -1),
    FX(S, diverging_epoch, KT_STRUCT, 12, V, NN, 0, &fetch_resp_eeo_s, 0),
    FX(S, current_leader, KT_STRUCT, 12, V, NN, 1, &leader_id_and_epoch_s, 0),
    FX(S, snapshot_id, KT_STRUCT, 12, V, NN, 2, &fetch_resp_snapshot_s, 0),
    FA(S, aborted_transactions, 4, 4, &fetch_resp_aborted_s, 1),
    FD(S, preferred_read_replica, KT_I32, 11, -1),
    FN(S, records, KT_RECORDS, 0, 0, 0),
};
NESTED(fetch_resp_partition_s, "PartitionData", S, fetch_resp_partition_f);
#undef S

#define S kafka_fetch_resp_topic
static const kafka_field fetch_resp_topic_f[] = {
    F(S, topic, KT_STRING, 0),
    FA(S, partitions, 0, NN, &fetch_resp_partition_s, 0),
};
NESTED(fetch_resp_topic_s, "FetchableTopicResponse", S, fetch_resp_topic_f);
#undef S

#define S kafka_fetch_resp
static const kafka_field fetch_resp_f[] = {
    F(S, throttle_time_ms, KT_I32, 1),
    F(S, error_code, KT_I16, 7),
    F(S, session_id, KT_I32, 7),
    FA(S, responses, 0, NN, &fetch_resp_topic_s, 0),
};
TOP(kafka_fetch_resp_schema, "FetchResponse", KAFKA_API_FETCH, 0, 12, 12, S,
    fetch_resp_f);
#undef S

/* ---- ListOffsets ---------------------------------------------------- */

#define S kafka_list_offsets_req_partition
static const kafka_field list_offsets_req_partition_f[] = {
    F(S, partition_index, KT_I32, 0),
    FD(S, current_leader_epoch, KT_I32, 4, -1),
    F(S, timestamp, KT_I64, 0),
    FX(S, max_num_offsets, KT_I32, 0, 0, NN, -1, NULL, 1),
};
NESTED(list_offsets_req_partition_s, "ListOffsetsPartition", S,
       list_offsets_req_partition_f);
#undef S

#define S kafka_list_offsets_req_topic
static const kafka_field list_offsets_req_topic_f[] = {
    F(S, name, KT_STRING, 0),
    FA(S, partitions, 0, NN, &list_offsets_req_partition_s, 0),
};
NESTED(list_offsets_req_topic_s, "ListOffsetsTopic", S,
       list_offsets_req_topic_f);
#undef S

#define S kafka_list_offsets_req
static const kafka_field list_offsets_req_f[] = {
    F(S, replica_id, KT_I32, 0),
    F(S, isolation_level, KT_I8, 2),
    FA(S, topics, 0, NN, &list_offsets_req_topic_s, 0),
};
TOP(kafka_list_offsets_req_schema, "ListOffsetsRequest",
    KAFKA_API_LIST_OFFSETS, 0, 7, 6, S, list_offsets_req_f);
#undef S

#define S kafka_list_offsets_resp_partition
static const kafka_field list_offsets_resp_partition_f[] = {
    F(S, partition_index, KT_I32, 0),
    F(S, error_code, KT_I16, 0),
    FX(S, old_style_offsets, KT_ARRAY_I64, 0, 0, NN, -1, NULL, 0),
    FD(S, timestamp, KT_I64, 1, -1),
    FD(S, offset, KT_I64, 1, -1),
    FD(S, leader_epoch, KT_I32, 4, -1),
};
NESTED(list_offsets_resp_partition_s, "ListOffsetsPartitionResponse", S,
       list_offsets_resp_partition_f);
#undef S

#define S kafka_list_offsets_resp_topic
static const kafka_field list_offsets_resp_topic_f[] = {
    F(S, name, KT_STRING, 0),
    FA(S, partitions, 0, NN, &list_offsets_resp_partition_s, 0),
};
NESTED(list_offsets_resp_topic_s, "ListOffsetsTopicResponse", S,
       list_offsets_resp_topic_f);
#undef S

#define S kafka_list_offsets_resp
static const kafka_field list_offsets_resp_f[] = {
    F(S, throttle_time_ms, KT_I32, 2),
    FA(S, topics, 0, NN, &list_offsets_resp_topic_s, 0),
};
TOP(kafka_list_offsets_resp_schema, "ListOffsetsResponse",
    KAFKA_API_LIST_OFFSETS, 0, 7, 6, S, list_offsets_resp_f);
#undef S

/* ---- CreateTopics --------------------------------------------------- */

#define S kafka_create_topics_req_assignment
static const kafka_field create_topics_req_assignment_f[] = {
    F(S, partition_index, KT_I32, 0),
    F(S, broker_ids, KT_ARRAY_I32, 0),
};
NESTED(create_topics_req_assignment_s, "CreatableReplicaAssignment", S,
       create_topics_req_assignment_f);
#undef S

#define S kafka_create_topics_req_config
static const kafka_field create_topics_req_config_f[] = {
    F(S, name, KT_STRING, 0),
    FN(S, value, KT_STRING, 0, 0, 0),
};
NESTED(create_topics_req_config_s, "CreatableTopicConfig", S,
       create_topics_req_config_f);
#undef S

#define S kafka_create_topics_req_topic
static const kafka_field create_topics_req_topic_f[] = {
    F(S, name, KT_STRING, 0),
    F(S, num_partitions, KT_I32, 0),
    F(S, replication_factor, KT_I16, 0),
    FA(S, assignments, 0, NN, &create_topics_req_assignment_s, 0),
    FA(S, configs, 0, NN, &create_topics_req_config_s, 0),
};
NESTED(create_topics_req_topic_s, "CreatableTopic", S,
       create_topics_req_topic_f);
#undef S

#define S kafka_create_topics_req
static const kafka_field create_topics_req_f[] = {
    FA(S, topics, 0, NN, &create_topics_req_topic_s, 0),
    F(S, timeout_ms, KT_I32, 0),
    F(S, validate_only, KT_BOOL, 1),
};
TOP(kafka_create_topics_req_schema, "CreateTopicsRequest",
    KAFKA_API_CREATE_TOPICS, 0, 7, 5, S, create_topics_req_f);
#undef S

#define S kafka_create_topics_resp_config
static const kafka_field create_topics_resp_config_f[] = {
    F(S, name, KT_STRING, 5),
    FN(S, value, KT_STRING, 5, 5, 0),
    F(S, read_only, KT_BOOL, 5),
    FD(S, config_source, KT_I8, 5, -1),
    F(S, is_sensitive, KT_BOOL, 5),
};
NESTED(create_topics_resp_config_s, "CreatableTopicConfigs", S,
       create_topics_resp_config_f);
#undef S

#define S kafka_create_topics_resp_topic
static const kafka_field create_topics_resp_topic_f[] = {
    F(S, name, KT_STRING, 0),
    F(S, topic_id, KT_UUID, 7),
    F(S, error_code, KT_I16, 0),
    FN(S, error_message, KT_STRING, 1, 0, 1),
    FX(S, topic_config_error_code, KT_I16, 5, V, NN, 0, NULL, 0),
    FD(S, num_partitions, KT_I32, 5, -1),
    FD(S, replication_factor, KT_I16, 5, -1),
    FA(S, configs, 5, 5, &create_topics_resp_config_s, 1),
};
NESTED(create_topics_resp_topic_s, "CreatableTopicResult", S,
       create_topics_resp_topic_f);
#undef S

#define S kafka_create_topics_resp
static const kafka_field create_topics_resp_f[] = {
    F(S, throttle_time_ms, KT_I32, 2),
    FA(S, topics, 0, NN, &create_topics_resp_topic_s, 0),
};
TOP(kafka_create_topics_resp_schema, "CreateTopicsResponse",
    KAFKA_API_CREATE_TOPICS, 0, 7, 5, S, create_topics_resp_f);
#undef S
