/*
 * kafka_msgs_admin.h - C structs for the admin APIs and InitProducerId, and
 * their schemas (tables in kafka_msgs_admin.c).  Included by kafka.h.
 *
 * Same conventions as kafka_msgs.h / kafka_msgs_groups.h: spec names in
 * snake_case; comments give versions, "?" nullable, "=x" non-zero default.
 * Defaults follow the Kafka message JSON, except nullable error_message
 * fields, which default to null.
 *
 * Codec version ranges:
 *   DeleteTopics 0-6, CreatePartitions 0-3, DescribeConfigs 0-4,
 *   AlterConfigs 0-2, IncrementalAlterConfigs 0-1, DescribeCluster 0-1,
 *   DescribeLogDirs 0-4, DeleteRecords 0-2, OffsetForLeaderEpoch 0-4,
 *   InitProducerId 0-5.
 *
 * Kafka 4.x dropped DeleteTopics 0, DescribeConfigs 0, DescribeLogDirs 0
 * and OffsetForLeaderEpoch 0-1 from its JSON; their fields are the Kafka
 * 3.x ones (same per-field version ranges as the 4.x files).
 */
#ifndef FERRY_KAFKA_MSGS_ADMIN_H
#define FERRY_KAFKA_MSGS_ADMIN_H

/* ---- DeleteTopics (20) --------------------------------------------- */

typedef struct kafka_delete_topics_req_topic {
    buf_view name;       /* ? =null */
    kafka_uuid topic_id; /* zero = by name */
} kafka_delete_topics_req_topic;

typedef struct kafka_delete_topics_req {
    KAFKA_ARRAY(kafka_delete_topics_req_topic) topics; /* 6+ */
    KAFKA_ARRAY(buf_view) topic_names;                 /* 0-5 */
    int32_t timeout_ms;
} kafka_delete_topics_req;

typedef struct kafka_delete_topics_resp_result {
    buf_view name;       /* ?6+ */
    kafka_uuid topic_id; /* 6+ */
    int16_t error_code;
    buf_view error_message; /* 5+ ? =null */
} kafka_delete_topics_resp_result;

typedef struct kafka_delete_topics_resp {
    int32_t throttle_time_ms; /* 1+ */
    KAFKA_ARRAY(kafka_delete_topics_resp_result) responses;
} kafka_delete_topics_resp;

/* ---- CreatePartitions (37) ----------------------------------------- */

typedef struct kafka_create_partitions_req_assignment {
    KAFKA_ARRAY(int32_t) broker_ids;
} kafka_create_partitions_req_assignment;

typedef struct kafka_create_partitions_req_topic {
    buf_view name;
    int32_t count; /* the new total */
    KAFKA_ARRAY(kafka_create_partitions_req_assignment)
    assignments; /* ? (null = broker decides; JSON gives no default) */
} kafka_create_partitions_req_topic;

typedef struct kafka_create_partitions_req {
    KAFKA_ARRAY(kafka_create_partitions_req_topic) topics;
    int32_t timeout_ms;
    uint8_t validate_only;
} kafka_create_partitions_req;

typedef struct kafka_create_partitions_resp_result {
    buf_view name;
    int16_t error_code;
    buf_view error_message; /* ? =null */
} kafka_create_partitions_resp_result;

typedef struct kafka_create_partitions_resp {
    int32_t throttle_time_ms;
    KAFKA_ARRAY(kafka_create_partitions_resp_result) results;
} kafka_create_partitions_resp;

/* ---- DescribeConfigs (32) ------------------------------------------ */

typedef struct kafka_describe_configs_req_resource {
    int8_t resource_type; /* 2 topic, 4 broker, 8 broker logger, ... */
    buf_view resource_name;
    KAFKA_ARRAY(buf_view) configuration_keys; /* ? (null = all) */
} kafka_describe_configs_req_resource;

typedef struct kafka_describe_configs_req {
    KAFKA_ARRAY(kafka_describe_configs_req_resource) resources;
    uint8_t include_synonyms;      /* 1+ */
    uint8_t include_documentation; /* 3+ */
} kafka_describe_configs_req;

typedef struct kafka_describe_configs_resp_synonym {
    buf_view name;
    buf_view value; /* ? */
    int8_t source;
} kafka_describe_configs_resp_synonym;

typedef struct kafka_describe_configs_resp_config {
    buf_view name;
    buf_view value; /* ? */
    uint8_t read_only;
    int8_t config_source; /* 1+ =-1 */
    uint8_t is_default;   /* 0 only */
    uint8_t is_sensitive;
    KAFKA_ARRAY(kafka_describe_configs_resp_synonym) synonyms; /* 1+ */
    int8_t config_type;                                        /* 3+ */
    buf_view documentation; /* 3+ ? =null (JSON gives no default) */
} kafka_describe_configs_resp_config;

typedef struct kafka_describe_configs_resp_result {
    int16_t error_code;
    buf_view error_message; /* ? =null */
    int8_t resource_type;
    buf_view resource_name;
    KAFKA_ARRAY(kafka_describe_configs_resp_config) configs;
} kafka_describe_configs_resp_result;

typedef struct kafka_describe_configs_resp {
    int32_t throttle_time_ms;
    KAFKA_ARRAY(kafka_describe_configs_resp_result) results;
} kafka_describe_configs_resp;

/* ---- AlterConfigs (33) and IncrementalAlterConfigs (44) ------------ */

typedef struct kafka_alter_configs_req_config {
    buf_view name;
    buf_view value; /* ? */
} kafka_alter_configs_req_config;

typedef struct kafka_alter_configs_req_resource {
    int8_t resource_type;
    buf_view resource_name;
    KAFKA_ARRAY(kafka_alter_configs_req_config) configs;
} kafka_alter_configs_req_resource;

typedef struct kafka_alter_configs_req {
    KAFKA_ARRAY(kafka_alter_configs_req_resource) resources;
    uint8_t validate_only;
} kafka_alter_configs_req;

/* AlterConfigs and IncrementalAlterConfigs responses have the same shape. */
typedef struct kafka_alter_configs_resp_response {
    int16_t error_code;
    buf_view error_message; /* ? =null */
    int8_t resource_type;
    buf_view resource_name;
} kafka_alter_configs_resp_response;

typedef struct kafka_alter_configs_resp {
    int32_t throttle_time_ms;
    KAFKA_ARRAY(kafka_alter_configs_resp_response) responses;
} kafka_alter_configs_resp;

typedef struct kafka_incremental_alter_configs_req_config {
    buf_view name;
    int8_t config_operation; /* 0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT */
    buf_view value;          /* ? */
} kafka_incremental_alter_configs_req_config;

typedef struct kafka_incremental_alter_configs_req_resource {
    int8_t resource_type;
    buf_view resource_name;
    KAFKA_ARRAY(kafka_incremental_alter_configs_req_config) configs;
} kafka_incremental_alter_configs_req_resource;

typedef struct kafka_incremental_alter_configs_req {
    KAFKA_ARRAY(kafka_incremental_alter_configs_req_resource) resources;
    uint8_t validate_only;
} kafka_incremental_alter_configs_req;

typedef kafka_alter_configs_resp_response
    kafka_incremental_alter_configs_resp_response;
typedef kafka_alter_configs_resp kafka_incremental_alter_configs_resp;

/* ---- DescribeCluster (60) ------------------------------------------ */

typedef struct kafka_describe_cluster_req {
    uint8_t include_cluster_authorized_operations;
    int8_t endpoint_type; /* 1+ =1 (1 brokers, 2 controllers) */
} kafka_describe_cluster_req;

typedef struct kafka_describe_cluster_resp_broker {
    int32_t broker_id;
    buf_view host;
    int32_t port;
    buf_view rack; /* ? =null */
} kafka_describe_cluster_resp_broker;

typedef struct kafka_describe_cluster_resp {
    int32_t throttle_time_ms;
    int16_t error_code;
    buf_view error_message; /* ? =null */
    int8_t endpoint_type;   /* 1+ =1 */
    buf_view cluster_id;
    int32_t controller_id; /* =-1 */
    KAFKA_ARRAY(kafka_describe_cluster_resp_broker) brokers;
    int32_t cluster_authorized_operations; /* =INT32_MIN */
} kafka_describe_cluster_resp;

/* ---- DescribeLogDirs (35) ------------------------------------------ */

typedef struct kafka_describe_log_dirs_req_topic {
    buf_view topic;
    KAFKA_ARRAY(int32_t) partitions;
} kafka_describe_log_dirs_req_topic;

typedef struct kafka_describe_log_dirs_req {
    KAFKA_ARRAY(kafka_describe_log_dirs_req_topic)
    topics; /* ? (null = all; JSON gives no default) */
} kafka_describe_log_dirs_req;

typedef struct kafka_describe_log_dirs_resp_partition {
    int32_t partition_index;
    int64_t partition_size;
    int64_t offset_lag;
    uint8_t is_future_key;
} kafka_describe_log_dirs_resp_partition;

typedef struct kafka_describe_log_dirs_resp_topic {
    buf_view name;
    KAFKA_ARRAY(kafka_describe_log_dirs_resp_partition) partitions;
} kafka_describe_log_dirs_resp_topic;

typedef struct kafka_describe_log_dirs_resp_result {
    int16_t error_code;
    buf_view log_dir;
    KAFKA_ARRAY(kafka_describe_log_dirs_resp_topic) topics;
    int64_t total_bytes;  /* 4+ =-1 */
    int64_t usable_bytes; /* 4+ =-1 */
} kafka_describe_log_dirs_resp_result;

typedef struct kafka_describe_log_dirs_resp {
    int32_t throttle_time_ms;
    int16_t error_code; /* 3+ */
    KAFKA_ARRAY(kafka_describe_log_dirs_resp_result) results;
} kafka_describe_log_dirs_resp;

/* ---- DeleteRecords (21) -------------------------------------------- */

typedef struct kafka_delete_records_req_partition {
    int32_t partition_index;
    int64_t offset; /* -1 = high watermark */
} kafka_delete_records_req_partition;

typedef struct kafka_delete_records_req_topic {
    buf_view name;
    KAFKA_ARRAY(kafka_delete_records_req_partition) partitions;
} kafka_delete_records_req_topic;

typedef struct kafka_delete_records_req {
    KAFKA_ARRAY(kafka_delete_records_req_topic) topics;
    int32_t timeout_ms;
} kafka_delete_records_req;

typedef struct kafka_delete_records_resp_partition {
    int32_t partition_index;
    int64_t low_watermark;
    int16_t error_code;
} kafka_delete_records_resp_partition;

typedef struct kafka_delete_records_resp_topic {
    buf_view name;
    KAFKA_ARRAY(kafka_delete_records_resp_partition) partitions;
} kafka_delete_records_resp_topic;

typedef struct kafka_delete_records_resp {
    int32_t throttle_time_ms;
    KAFKA_ARRAY(kafka_delete_records_resp_topic) topics;
} kafka_delete_records_resp;

/* ---- OffsetForLeaderEpoch (23) ------------------------------------- */

typedef struct kafka_offset_for_leader_epoch_req_partition {
    int32_t partition;
    int32_t current_leader_epoch; /* 2+ =-1 */
    int32_t leader_epoch;
} kafka_offset_for_leader_epoch_req_partition;

typedef struct kafka_offset_for_leader_epoch_req_topic {
    buf_view topic;
    KAFKA_ARRAY(kafka_offset_for_leader_epoch_req_partition) partitions;
} kafka_offset_for_leader_epoch_req_topic;

typedef struct kafka_offset_for_leader_epoch_req {
    int32_t replica_id; /* 3+ =-2 (consumers send -1) */
    KAFKA_ARRAY(kafka_offset_for_leader_epoch_req_topic) topics;
} kafka_offset_for_leader_epoch_req;

typedef struct kafka_offset_for_leader_epoch_resp_partition {
    int16_t error_code;
    int32_t partition;
    int32_t leader_epoch; /* 1+ =-1 */
    int64_t end_offset;   /* =-1 */
} kafka_offset_for_leader_epoch_resp_partition;

typedef struct kafka_offset_for_leader_epoch_resp_topic {
    buf_view topic;
    KAFKA_ARRAY(kafka_offset_for_leader_epoch_resp_partition) partitions;
} kafka_offset_for_leader_epoch_resp_topic;

typedef struct kafka_offset_for_leader_epoch_resp {
    int32_t throttle_time_ms; /* 2+ */
    KAFKA_ARRAY(kafka_offset_for_leader_epoch_resp_topic) topics;
} kafka_offset_for_leader_epoch_resp;

/* ---- InitProducerId (22) ------------------------------------------- */

typedef struct kafka_init_producer_id_req {
    buf_view transactional_id; /* ? =null (null = idempotent only) */
    int32_t transaction_timeout_ms;
    int64_t producer_id;    /* 3+ =-1 */
    int16_t producer_epoch; /* 3+ =-1 */
} kafka_init_producer_id_req;

typedef struct kafka_init_producer_id_resp {
    int32_t throttle_time_ms;
    int16_t error_code;
    int64_t producer_id; /* =-1 */
    int16_t producer_epoch;
} kafka_init_producer_id_resp;

/* ---- schemas ------------------------------------------------------- */

extern const struct kafka_schema kafka_delete_topics_req_schema;
extern const struct kafka_schema kafka_delete_topics_resp_schema;
extern const struct kafka_schema kafka_create_partitions_req_schema;
extern const struct kafka_schema kafka_create_partitions_resp_schema;
extern const struct kafka_schema kafka_describe_configs_req_schema;
extern const struct kafka_schema kafka_describe_configs_resp_schema;
extern const struct kafka_schema kafka_alter_configs_req_schema;
extern const struct kafka_schema kafka_alter_configs_resp_schema;
extern const struct kafka_schema kafka_incremental_alter_configs_req_schema;
extern const struct kafka_schema kafka_incremental_alter_configs_resp_schema;
extern const struct kafka_schema kafka_describe_cluster_req_schema;
extern const struct kafka_schema kafka_describe_cluster_resp_schema;
extern const struct kafka_schema kafka_describe_log_dirs_req_schema;
extern const struct kafka_schema kafka_describe_log_dirs_resp_schema;
extern const struct kafka_schema kafka_delete_records_req_schema;
extern const struct kafka_schema kafka_delete_records_resp_schema;
extern const struct kafka_schema kafka_offset_for_leader_epoch_req_schema;
extern const struct kafka_schema kafka_offset_for_leader_epoch_resp_schema;
extern const struct kafka_schema kafka_init_producer_id_req_schema;
extern const struct kafka_schema kafka_init_producer_id_resp_schema;

#endif /* FERRY_KAFKA_MSGS_ADMIN_H */
