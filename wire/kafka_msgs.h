/*
 * kafka_msgs.h - C structs for the Kafka request/response bodies we code,
 * and their schemas (tables in kafka_msgs.c).  Included by kafka.h.
 *
 * Field names are the spec's names in snake_case; the comment after a field
 * gives its versions when it is not in every version, "?" when nullable,
 * "tagN" for tagged fields, and "=x" for a default other than 0.
 *
 * Codec version ranges (what the tables can code; the broker's dispatch
 * table decides what is advertised and served):
 *   ApiVersions 0-4, Metadata 0-12, Produce 0-11, Fetch 0-12,
 *   ListOffsets 0-7, CreateTopics 0-7.
 *
 * For a response, kafka_init_defaults(&schema, &resp) first, then fill what
 * you know; the defaults make the untouched fields right.
 */
#ifndef FERRY_KAFKA_MSGS_H
#define FERRY_KAFKA_MSGS_H

/* Shared by Produce and Fetch responses: LeaderIdAndEpoch. */
typedef struct kafka_leader_id_and_epoch {
    int32_t leader_id;    /* =-1 */
    int32_t leader_epoch; /* =-1 */
} kafka_leader_id_and_epoch;

/* Shared: NodeEndpoint (Produce response v10+ tag0). */
typedef struct kafka_node_endpoint {
    int32_t node_id;
    buf_view host;
    int32_t port;
    buf_view rack; /* ?, =null */
} kafka_node_endpoint;

/* ---- ApiVersions (18) ---------------------------------------------- */

typedef struct kafka_api_versions_req {
    buf_view client_software_name;    /* 3+ */
    buf_view client_software_version; /* 3+ */
} kafka_api_versions_req;

typedef struct kafka_api_versions_resp_api_key {
    int16_t api_key;
    int16_t min_version;
    int16_t max_version;
} kafka_api_versions_resp_api_key;

typedef struct kafka_api_versions_resp_supported_feature {
    buf_view name;
    int16_t min_version;
    int16_t max_version;
} kafka_api_versions_resp_supported_feature;

typedef struct kafka_api_versions_resp_finalized_feature {
    buf_view name;
    int16_t max_version_level;
    int16_t min_version_level;
} kafka_api_versions_resp_finalized_feature;

typedef struct kafka_api_versions_resp {
    int16_t error_code;
    KAFKA_ARRAY(kafka_api_versions_resp_api_key) api_keys;
    int32_t throttle_time_ms; /* 1+ */
    KAFKA_ARRAY(kafka_api_versions_resp_supported_feature)
    supported_features;               /* 3+ tag0 */
    int64_t finalized_features_epoch; /* 3+ tag1 =-1 */
    KAFKA_ARRAY(kafka_api_versions_resp_finalized_feature)
    finalized_features;         /* 3+ tag2 */
    uint8_t zk_migration_ready; /* 3+ tag3 */
} kafka_api_versions_resp;

/* ---- Metadata (3) -------------------------------------------------- */

typedef struct kafka_metadata_req_topic {
    kafka_uuid topic_id; /* 10+ */
    buf_view name;       /* ?10+ */
} kafka_metadata_req_topic;

typedef struct kafka_metadata_req {
    KAFKA_ARRAY(kafka_metadata_req_topic) topics; /* ?1+ (null = all) */
    uint8_t allow_auto_topic_creation;            /* 4+ =1 */
    uint8_t include_cluster_authorized_operations; /* 8-10 */
    uint8_t include_topic_authorized_operations;   /* 8+ */
} kafka_metadata_req;

typedef struct kafka_metadata_resp_broker {
    int32_t node_id;
    buf_view host;
    int32_t port;
    buf_view rack; /* 1+ ? =null */
} kafka_metadata_resp_broker;

typedef struct kafka_metadata_resp_partition {
    int16_t error_code;
    int32_t partition_index;
    int32_t leader_id;
    int32_t leader_epoch; /* 7+ =-1 */
    KAFKA_ARRAY(int32_t) replica_nodes;
    KAFKA_ARRAY(int32_t) isr_nodes;
    KAFKA_ARRAY(int32_t) offline_replicas; /* 5+ */
} kafka_metadata_resp_partition;

typedef struct kafka_metadata_resp_topic {
    int16_t error_code;
    buf_view name;        /* ?12+ */
    kafka_uuid topic_id;  /* 10+ */
    uint8_t is_internal;  /* 1+ */
    KAFKA_ARRAY(kafka_metadata_resp_partition) partitions;
    int32_t topic_authorized_operations; /* 8+ =INT32_MIN */
} kafka_metadata_resp_topic;

typedef struct kafka_metadata_resp {
    int32_t throttle_time_ms; /* 3+ */
    KAFKA_ARRAY(kafka_metadata_resp_broker) brokers;
    buf_view cluster_id;   /* 2+ ? =null */
    int32_t controller_id; /* 1+ =-1 */
    KAFKA_ARRAY(kafka_metadata_resp_topic) topics;
    int32_t cluster_authorized_operations; /* 8-10 =INT32_MIN */
} kafka_metadata_resp;

/* ---- Produce (0) --------------------------------------------------- */

typedef struct kafka_produce_req_partition {
    int32_t index;
    buf_view records; /* ? view into the frame */
} kafka_produce_req_partition;

typedef struct kafka_produce_req_topic {
    buf_view name;
    KAFKA_ARRAY(kafka_produce_req_partition) partition_data;
} kafka_produce_req_topic;

typedef struct kafka_produce_req {
    buf_view transactional_id; /* 3+ ? =null */
    int16_t acks;
    int32_t timeout_ms;
    KAFKA_ARRAY(kafka_produce_req_topic) topic_data;
} kafka_produce_req;

typedef struct kafka_produce_resp_record_error {
    int32_t batch_index;
    buf_view batch_index_error_message; /* ? =null */
} kafka_produce_resp_record_error;

typedef struct kafka_produce_resp_partition {
    int32_t index;
    int16_t error_code;
    int64_t base_offset;
    int64_t log_append_time_ms; /* 2+ =-1 */
    int64_t log_start_offset;   /* 5+ =-1 */
    KAFKA_ARRAY(kafka_produce_resp_record_error) record_errors; /* 8+ */
    buf_view error_message;                     /* 8+ ? =null */
    kafka_leader_id_and_epoch current_leader;   /* 10+ tag0 */
} kafka_produce_resp_partition;

typedef struct kafka_produce_resp_topic {
    buf_view name;
    KAFKA_ARRAY(kafka_produce_resp_partition) partition_responses;
} kafka_produce_resp_topic;

typedef struct kafka_produce_resp {
    KAFKA_ARRAY(kafka_produce_resp_topic) responses;
    int32_t throttle_time_ms;                       /* 1+ */
    KAFKA_ARRAY(kafka_node_endpoint) node_endpoints; /* 10+ tag0 */
} kafka_produce_resp;

/* ---- Fetch (1) ----------------------------------------------------- */

typedef struct kafka_fetch_req_partition {
    int32_t partition;
    int32_t current_leader_epoch; /* 9+ =-1 */
    int64_t fetch_offset;
    int32_t last_fetched_epoch; /* 12+ =-1 */
    int64_t log_start_offset;   /* 5+ =-1 */
    int32_t partition_max_bytes;
} kafka_fetch_req_partition;

typedef struct kafka_fetch_req_topic {
    buf_view topic;
    KAFKA_ARRAY(kafka_fetch_req_partition) partitions;
} kafka_fetch_req_topic;

typedef struct kafka_fetch_req_forgotten_topic {
    buf_view topic;
    KAFKA_ARRAY(int32_t) partitions;
} kafka_fetch_req_forgotten_topic;

typedef struct kafka_fetch_req {
    buf_view cluster_id; /* 12+ tag0 ? =null */
    int32_t replica_id;
    int32_t max_wait_ms;
    int32_t min_bytes;
    int32_t max_bytes;       /* 3+ =0x7fffffff */
    int8_t isolation_level;  /* 4+ */
    int32_t session_id;      /* 7+ */
    int32_t session_epoch;   /* 7+ =-1 */
    KAFKA_ARRAY(kafka_fetch_req_topic) topics;
    KAFKA_ARRAY(kafka_fetch_req_forgotten_topic) forgotten_topics_data; /* 7+ */
    buf_view rack_id; /* 11+ */
} kafka_fetch_req;

typedef struct kafka_fetch_resp_epoch_end_offset {
    int32_t epoch;      /* =-1 */
    int64_t end_offset; /* =-1 */
} kafka_fetch_resp_epoch_end_offset;

typedef struct kafka_fetch_resp_snapshot_id {
    int64_t end_offset; /* =-1 */
    int32_t epoch;      /* =-1 */
} kafka_fetch_resp_snapshot_id;

typedef struct kafka_fetch_resp_aborted_transaction {
    int64_t producer_id;
    int64_t first_offset;
} kafka_fetch_resp_aborted_transaction;

typedef struct kafka_fetch_resp_partition {
    int32_t partition_index;
    int16_t error_code;
    int64_t high_watermark;
    int64_t last_stable_offset; /* 4+ =-1 */
    int64_t log_start_offset;   /* 5+ =-1 */
    kafka_fetch_resp_epoch_end_offset diverging_epoch; /* 12+ tag0 */
    kafka_leader_id_and_epoch current_leader;          /* 12+ tag1 */
    kafka_fetch_resp_snapshot_id snapshot_id;          /* 12+ tag2 */
    KAFKA_ARRAY(kafka_fetch_resp_aborted_transaction)
    aborted_transactions;           /* 4+ ? (null under read_uncommitted) */
    int32_t preferred_read_replica; /* 11+ =-1 */
    kafka_records records;          /* ? */
} kafka_fetch_resp_partition;

typedef struct kafka_fetch_resp_topic {
    buf_view topic;
    KAFKA_ARRAY(kafka_fetch_resp_partition) partitions;
} kafka_fetch_resp_topic;

typedef struct kafka_fetch_resp {
    int32_t throttle_time_ms; /* 1+ */
    int16_t error_code;       /* 7+ */
    int32_t session_id;       /* 7+ */
    KAFKA_ARRAY(kafka_fetch_resp_topic) responses;
} kafka_fetch_resp;

/* ---- ListOffsets (2) ----------------------------------------------- */

typedef struct kafka_list_offsets_req_partition {
    int32_t partition_index;
    int32_t current_leader_epoch; /* 4+ =-1 */
    int64_t timestamp;
    int32_t max_num_offsets; /* 0 only =1 */
} kafka_list_offsets_req_partition;

typedef struct kafka_list_offsets_req_topic {
    buf_view name;
    KAFKA_ARRAY(kafka_list_offsets_req_partition) partitions;
} kafka_list_offsets_req_topic;

typedef struct kafka_list_offsets_req {
    int32_t replica_id;
    int8_t isolation_level; /* 2+ */
    KAFKA_ARRAY(kafka_list_offsets_req_topic) topics;
} kafka_list_offsets_req;

typedef struct kafka_list_offsets_resp_partition {
    int32_t partition_index;
    int16_t error_code;
    KAFKA_ARRAY(int64_t) old_style_offsets; /* 0 only */
    int64_t timestamp;                      /* 1+ =-1 */
    int64_t offset;                         /* 1+ =-1 */
    int32_t leader_epoch;                   /* 4+ =-1 */
} kafka_list_offsets_resp_partition;

typedef struct kafka_list_offsets_resp_topic {
    buf_view name;
    KAFKA_ARRAY(kafka_list_offsets_resp_partition) partitions;
} kafka_list_offsets_resp_topic;

typedef struct kafka_list_offsets_resp {
    int32_t throttle_time_ms; /* 2+ */
    KAFKA_ARRAY(kafka_list_offsets_resp_topic) topics;
} kafka_list_offsets_resp;

/* ---- CreateTopics (19) --------------------------------------------- */

typedef struct kafka_create_topics_req_assignment {
    int32_t partition_index;
    KAFKA_ARRAY(int32_t) broker_ids;
} kafka_create_topics_req_assignment;

typedef struct kafka_create_topics_req_config {
    buf_view name;
    buf_view value; /* ? */
} kafka_create_topics_req_config;

typedef struct kafka_create_topics_req_topic {
    buf_view name;
    int32_t num_partitions;     /* -1 = broker default (4+) */
    int16_t replication_factor; /* -1 = broker default (4+) */
    KAFKA_ARRAY(kafka_create_topics_req_assignment) assignments;
    KAFKA_ARRAY(kafka_create_topics_req_config) configs;
} kafka_create_topics_req_topic;

typedef struct kafka_create_topics_req {
    KAFKA_ARRAY(kafka_create_topics_req_topic) topics;
    int32_t timeout_ms;
    uint8_t validate_only; /* 1+ */
} kafka_create_topics_req;

typedef struct kafka_create_topics_resp_config {
    buf_view name;
    buf_view value; /* ? */
    uint8_t read_only;
    int8_t config_source; /* =-1 */
    uint8_t is_sensitive;
} kafka_create_topics_resp_config;

typedef struct kafka_create_topics_resp_topic {
    buf_view name;
    kafka_uuid topic_id; /* 7+ */
    int16_t error_code;
    buf_view error_message;          /* 1+ ? =null */
    int16_t topic_config_error_code; /* 5+ tag0 */
    int32_t num_partitions;          /* 5+ =-1 */
    int16_t replication_factor;      /* 5+ =-1 */
    KAFKA_ARRAY(kafka_create_topics_resp_config) configs; /* 5+ ? */
} kafka_create_topics_resp_topic;

typedef struct kafka_create_topics_resp {
    int32_t throttle_time_ms; /* 2+ */
    KAFKA_ARRAY(kafka_create_topics_resp_topic) topics;
} kafka_create_topics_resp;

/* ---- schemas ------------------------------------------------------- */

extern const struct kafka_schema kafka_api_versions_req_schema;
extern const struct kafka_schema kafka_api_versions_resp_schema;
extern const struct kafka_schema kafka_metadata_req_schema;
extern const struct kafka_schema kafka_metadata_resp_schema;
extern const struct kafka_schema kafka_produce_req_schema;
extern const struct kafka_schema kafka_produce_resp_schema;
extern const struct kafka_schema kafka_fetch_req_schema;
extern const struct kafka_schema kafka_fetch_resp_schema;
extern const struct kafka_schema kafka_list_offsets_req_schema;
extern const struct kafka_schema kafka_list_offsets_resp_schema;
extern const struct kafka_schema kafka_create_topics_req_schema;
extern const struct kafka_schema kafka_create_topics_resp_schema;

#endif /* FERRY_KAFKA_MSGS_H */
