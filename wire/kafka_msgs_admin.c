/*
 * kafka_msgs_admin.c - field tables for the admin messages and
 * InitProducerId in kafka_msgs_admin.h.
 *
 * Versions come from the Kafka message JSON (apache/kafka
 * clients/src/main/resources/common/message/); rows as in kafka_msgs.c
 * (see kafka_table.h).
 */
#include "kafka_table.h"

/* ---- DeleteTopics --------------------------------------------------- */

#define S kafka_delete_topics_req_topic
static const kafka_field delete_topics_req_topic_f[] = {
    FN(S, name, KT_STRING, 6, 6, 1),
    F(S, topic_id, KT_UUID, 6),
};
NESTED(delete_topics_req_topic_s, "DeleteTopicState", S,
       delete_topics_req_topic_f);
#undef S

#define S kafka_delete_topics_req
static const kafka_field delete_topics_req_f[] = {
    FA(S, topics, 6, NN, &delete_topics_req_topic_s, 0),
    FR(S, topic_names, KT_ARRAY_STRING, 0, 5, 0),
    F(S, timeout_ms, KT_I32, 0),
};
TOP(kafka_delete_topics_req_schema, "DeleteTopicsRequest",
    KAFKA_API_DELETE_TOPICS, 0, 6, 4, S, delete_topics_req_f);
#undef S

#define S kafka_delete_topics_resp_result
static const kafka_field delete_topics_resp_result_f[] = {
    FN(S, name, KT_STRING, 0, 6, 0),
    F(S, topic_id, KT_UUID, 6),
    F(S, error_code, KT_I16, 0),
    FN(S, error_message, KT_STRING, 5, 5, 1),
};
NESTED(delete_topics_resp_result_s, "DeletableTopicResult", S,
       delete_topics_resp_result_f);
#undef S

#define S kafka_delete_topics_resp
static const kafka_field delete_topics_resp_f[] = {
    F(S, throttle_time_ms, KT_I32, 1),
    FA(S, responses, 0, NN, &delete_topics_resp_result_s, 0),
};
TOP(kafka_delete_topics_resp_schema, "DeleteTopicsResponse",
    KAFKA_API_DELETE_TOPICS, 0, 6, 4, S, delete_topics_resp_f);
#undef S

/* ---- CreatePartitions ----------------------------------------------- */

#define S kafka_create_partitions_req_assignment
static const kafka_field create_partitions_req_assignment_f[] = {
    F(S, broker_ids, KT_ARRAY_I32, 0),
};
NESTED(create_partitions_req_assignment_s, "CreatePartitionsAssignment", S,
       create_partitions_req_assignment_f);
#undef S

#define S kafka_create_partitions_req_topic
static const kafka_field create_partitions_req_topic_f[] = {
    F(S, name, KT_STRING, 0),
    F(S, count, KT_I32, 0),
    FA(S, assignments, 0, 0, &create_partitions_req_assignment_s, 1),
};
NESTED(create_partitions_req_topic_s, "CreatePartitionsTopic", S,
       create_partitions_req_topic_f);
#undef S

#define S kafka_create_partitions_req
static const kafka_field create_partitions_req_f[] = {
    FA(S, topics, 0, NN, &create_partitions_req_topic_s, 0),
    F(S, timeout_ms, KT_I32, 0),
    F(S, validate_only, KT_BOOL, 0),
};
TOP(kafka_create_partitions_req_schema, "CreatePartitionsRequest",
    KAFKA_API_CREATE_PARTITIONS, 0, 3, 2, S, create_partitions_req_f);
#undef S

#define S kafka_create_partitions_resp_result
static const kafka_field create_partitions_resp_result_f[] = {
    F(S, name, KT_STRING, 0),
    F(S, error_code, KT_I16, 0),
    FN(S, error_message, KT_STRING, 0, 0, 1),
};
NESTED(create_partitions_resp_result_s, "CreatePartitionsTopicResult", S,
       create_partitions_resp_result_f);
#undef S

#define S kafka_create_partitions_resp
static const kafka_field create_partitions_resp_f[] = {
    F(S, throttle_time_ms, KT_I32, 0),
    FA(S, results, 0, NN, &create_partitions_resp_result_s, 0),
};
TOP(kafka_create_partitions_resp_schema, "CreatePartitionsResponse",
    KAFKA_API_CREATE_PARTITIONS, 0, 3, 2, S, create_partitions_resp_f);
#undef S

/* ---- DescribeConfigs ------------------------------------------------ */

#define S kafka_describe_configs_req_resource
static const kafka_field describe_configs_req_resource_f[] = {
    F(S, resource_type, KT_I8, 0),
    F(S, resource_name, KT_STRING, 0),
    FX(S, configuration_keys, KT_ARRAY_STRING, 0, V, 0, -1, NULL, 0),
};
NESTED(describe_configs_req_resource_s, "DescribeConfigsResource", S,
       describe_configs_req_resource_f);
#undef S

#define S kafka_describe_configs_req
static const kafka_field describe_configs_req_f[] = {
    FA(S, resources, 0, NN, &describe_configs_req_resource_s, 0),
    F(S, include_synonyms, KT_BOOL, 1),
    F(S, include_documentation, KT_BOOL, 3),
};
TOP(kafka_describe_configs_req_schema, "DescribeConfigsRequest",
    KAFKA_API_DESCRIBE_CONFIGS, 0, 4, 4, S, describe_configs_req_f);
#undef S

#define S kafka_describe_configs_resp_synonym
static const kafka_field describe_configs_resp_synonym_f[] = {
    F(S, name, KT_STRING, 1),
    FN(S, value, KT_STRING, 1, 0, 0),
    F(S, source, KT_I8, 1),
};
NESTED(describe_configs_resp_synonym_s, "DescribeConfigsSynonym", S,
       describe_configs_resp_synonym_f);
#undef S

#define S kafka_describe_configs_resp_config
static const kafka_field describe_configs_resp_config_f[] = {
    F(S, name, KT_STRING, 0),
    FN(S, value, KT_STRING, 0, 0, 0),
    F(S, read_only, KT_BOOL, 0),
    FD(S, config_source, KT_I8, 1, -1),
    FR(S, is_default, KT_BOOL, 0, 0, 0),
    F(S, is_sensitive, KT_BOOL, 0),
    FA(S, synonyms, 1, NN, &describe_configs_resp_synonym_s, 0),
    F(S, config_type, KT_I8, 3),
    FN(S, documentation, KT_STRING, 3, 0, 1),
};
NESTED(describe_configs_resp_config_s, "DescribeConfigsResourceResult", S,
       describe_configs_resp_config_f);
#undef S

#define S kafka_describe_configs_resp_result
static const kafka_field describe_configs_resp_result_f[] = {
    F(S, error_code, KT_I16, 0),
    FN(S, error_message, KT_STRING, 0, 0, 1),
    F(S, resource_type, KT_I8, 0),
    F(S, resource_name, KT_STRING, 0),
    FA(S, configs, 0, NN, &describe_configs_resp_config_s, 0),
};
NESTED(describe_configs_resp_result_s, "DescribeConfigsResult", S,
       describe_configs_resp_result_f);
#undef S

#define S kafka_describe_configs_resp
static const kafka_field describe_configs_resp_f[] = {
    F(S, throttle_time_ms, KT_I32, 0),
    FA(S, results, 0, NN, &describe_configs_resp_result_s, 0),
};
TOP(kafka_describe_configs_resp_schema, "DescribeConfigsResponse",
    KAFKA_API_DESCRIBE_CONFIGS, 0, 4, 4, S, describe_configs_resp_f);
#undef S

/* ---- AlterConfigs --------------------------------------------------- */

#define S kafka_alter_configs_req_config
static const kafka_field alter_configs_req_config_f[] = {
    F(S, name, KT_STRING, 0),
    FN(S, value, KT_STRING, 0, 0, 0),
};
NESTED(alter_configs_req_config_s, "AlterableConfig", S,
       alter_configs_req_config_f);
#undef S

#define S kafka_alter_configs_req_resource
static const kafka_field alter_configs_req_resource_f[] = {
    F(S, resource_type, KT_I8, 0),
    F(S, resource_name, KT_STRING, 0),
    FA(S, configs, 0, NN, &alter_configs_req_config_s, 0),
};
NESTED(alter_configs_req_resource_s, "AlterConfigsResource", S,
       alter_configs_req_resource_f);
#undef S

#define S kafka_alter_configs_req
static const kafka_field alter_configs_req_f[] = {
    FA(S, resources, 0, NN, &alter_configs_req_resource_s, 0),
    F(S, validate_only, KT_BOOL, 0),
};
TOP(kafka_alter_configs_req_schema, "AlterConfigsRequest",
    KAFKA_API_ALTER_CONFIGS, 0, 2, 2, S, alter_configs_req_f);
#undef S

/* shared by AlterConfigs and IncrementalAlterConfigs responses */
#define S kafka_alter_configs_resp_response
static const kafka_field alter_configs_resp_response_f[] = {
    F(S, error_code, KT_I16, 0),
    FN(S, error_message, KT_STRING, 0, 0, 1),
    F(S, resource_type, KT_I8, 0),
    F(S, resource_name, KT_STRING, 0),
};
NESTED(alter_configs_resp_response_s, "AlterConfigsResourceResponse", S,
       alter_configs_resp_response_f);
#undef S

#define S kafka_alter_configs_resp
static const kafka_field alter_configs_resp_f[] = {
    F(S, throttle_time_ms, KT_I32, 0),
    FA(S, responses, 0, NN, &alter_configs_resp_response_s, 0),
};
TOP(kafka_alter_configs_resp_schema, "AlterConfigsResponse",
    KAFKA_API_ALTER_CONFIGS, 0, 2, 2, S, alter_configs_resp_f);
TOP(kafka_incremental_alter_configs_resp_schema,
    "IncrementalAlterConfigsResponse", KAFKA_API_INCREMENTAL_ALTER_CONFIGS, 0,
    1, 1, S, alter_configs_resp_f);
#undef S

/* ---- IncrementalAlterConfigs ---------------------------------------- */

#define S kafka_incremental_alter_configs_req_config
static const kafka_field inc_alter_configs_req_config_f[] = {
    F(S, name, KT_STRING, 0),
    F(S, config_operation, KT_I8, 0),
    FN(S, value, KT_STRING, 0, 0, 0),
};
NESTED(inc_alter_configs_req_config_s, "AlterableConfig", S,
       inc_alter_configs_req_config_f);
#undef S

#define S kafka_incremental_alter_configs_req_resource
static const kafka_field inc_alter_configs_req_resource_f[] = {
    F(S, resource_type, KT_I8, 0),
    F(S, resource_name, KT_STRING, 0),
    FA(S, configs, 0, NN, &inc_alter_configs_req_config_s, 0),
};
NESTED(inc_alter_configs_req_resource_s, "AlterConfigsResource", S,
       inc_alter_configs_req_resource_f);
#undef S

#define S kafka_incremental_alter_configs_req
static const kafka_field inc_alter_configs_req_f[] = {
    FA(S, resources, 0, NN, &inc_alter_configs_req_resource_s, 0),
    F(S, validate_only, KT_BOOL, 0),
};
TOP(kafka_incremental_alter_configs_req_schema,
    "IncrementalAlterConfigsRequest", KAFKA_API_INCREMENTAL_ALTER_CONFIGS, 0, 1,
    1, S, inc_alter_configs_req_f);
#undef S

/* ---- DescribeCluster ------------------------------------------------ */

#define S kafka_describe_cluster_req
static const kafka_field describe_cluster_req_f[] = {
    F(S, include_cluster_authorized_operations, KT_BOOL, 0),
    FD(S, endpoint_type, KT_I8, 1, 1),
};
TOP(kafka_describe_cluster_req_schema, "DescribeClusterRequest",
    KAFKA_API_DESCRIBE_CLUSTER, 0, 1, 0, S, describe_cluster_req_f);
#undef S

#define S kafka_describe_cluster_resp_broker
static const kafka_field describe_cluster_resp_broker_f[] = {
    F(S, broker_id, KT_I32, 0),
    F(S, host, KT_STRING, 0),
    F(S, port, KT_I32, 0),
    FN(S, rack, KT_STRING, 0, 0, 1),
};
NESTED(describe_cluster_resp_broker_s, "DescribeClusterBroker", S,
       describe_cluster_resp_broker_f);
#undef S

#define S kafka_describe_cluster_resp
static const kafka_field describe_cluster_resp_f[] = {
    F(S, throttle_time_ms, KT_I32, 0),
    F(S, error_code, KT_I16, 0),
    FN(S, error_message, KT_STRING, 0, 0, 1),
    FD(S, endpoint_type, KT_I8, 1, 1),
    F(S, cluster_id, KT_STRING, 0),
    FD(S, controller_id, KT_I32, 0, -1),
    FA(S, brokers, 0, NN, &describe_cluster_resp_broker_s, 0),
    FD(S, cluster_authorized_operations, KT_I32, 0, INT32_MIN),
};
TOP(kafka_describe_cluster_resp_schema, "DescribeClusterResponse",
    KAFKA_API_DESCRIBE_CLUSTER, 0, 1, 0, S, describe_cluster_resp_f);
#undef S

/* ---- DescribeLogDirs ------------------------------------------------ */

#define S kafka_describe_log_dirs_req_topic
static const kafka_field describe_log_dirs_req_topic_f[] = {
    F(S, topic, KT_STRING, 0),
    F(S, partitions, KT_ARRAY_I32, 0),
};
NESTED(describe_log_dirs_req_topic_s, "DescribableLogDirTopic", S,
       describe_log_dirs_req_topic_f);
#undef S

#define S kafka_describe_log_dirs_req
static const kafka_field describe_log_dirs_req_f[] = {
    FA(S, topics, 0, 0, &describe_log_dirs_req_topic_s, 1),
};
TOP(kafka_describe_log_dirs_req_schema, "DescribeLogDirsRequest",
    KAFKA_API_DESCRIBE_LOG_DIRS, 0, 4, 2, S, describe_log_dirs_req_f);
#undef S

#define S kafka_describe_log_dirs_resp_partition
static const kafka_field describe_log_dirs_resp_partition_f[] = {
    F(S, partition_index, KT_I32, 0),
    F(S, partition_size, KT_I64, 0),
    F(S, offset_lag, KT_I64, 0),
    F(S, is_future_key, KT_BOOL, 0),
};
NESTED(describe_log_dirs_resp_partition_s, "DescribeLogDirsPartition", S,
       describe_log_dirs_resp_partition_f);
#undef S

#define S kafka_describe_log_dirs_resp_topic
static const kafka_field describe_log_dirs_resp_topic_f[] = {
    F(S, name, KT_STRING, 0),
    FA(S, partitions, 0, NN, &describe_log_dirs_resp_partition_s, 0),
};
NESTED(describe_log_dirs_resp_topic_s, "DescribeLogDirsTopic", S,
       describe_log_dirs_resp_topic_f);
#undef S

#define S kafka_describe_log_dirs_resp_result
static const kafka_field describe_log_dirs_resp_result_f[] = {
    F(S, error_code, KT_I16, 0),
    F(S, log_dir, KT_STRING, 0),
    FA(S, topics, 0, NN, &describe_log_dirs_resp_topic_s, 0),
    FD(S, total_bytes, KT_I64, 4, -1),
    FD(S, usable_bytes, KT_I64, 4, -1),
};
NESTED(describe_log_dirs_resp_result_s, "DescribeLogDirsResult", S,
       describe_log_dirs_resp_result_f);
#undef S

#define S kafka_describe_log_dirs_resp
static const kafka_field describe_log_dirs_resp_f[] = {
    F(S, throttle_time_ms, KT_I32, 0),
    F(S, error_code, KT_I16, 3),
    FA(S, results, 0, NN, &describe_log_dirs_resp_result_s, 0),
};
TOP(kafka_describe_log_dirs_resp_schema, "DescribeLogDirsResponse",
    KAFKA_API_DESCRIBE_LOG_DIRS, 0, 4, 2, S, describe_log_dirs_resp_f);
#undef S

/* ---- DeleteRecords -------------------------------------------------- */

#define S kafka_delete_records_req_partition
static const kafka_field delete_records_req_partition_f[] = {
    F(S, partition_index, KT_I32, 0),
    F(S, offset, KT_I64, 0),
};
NESTED(delete_records_req_partition_s, "DeleteRecordsPartition", S,
       delete_records_req_partition_f);
#undef S

#define S kafka_delete_records_req_topic
static const kafka_field delete_records_req_topic_f[] = {
    F(S, name, KT_STRING, 0),
    FA(S, partitions, 0, NN, &delete_records_req_partition_s, 0),
};
NESTED(delete_records_req_topic_s, "DeleteRecordsTopic", S,
       delete_records_req_topic_f);
#undef S

#define S kafka_delete_records_req
static const kafka_field delete_records_req_f[] = {
    FA(S, topics, 0, NN, &delete_records_req_topic_s, 0),
    F(S, timeout_ms, KT_I32, 0),
};
TOP(kafka_delete_records_req_schema, "DeleteRecordsRequest",
    KAFKA_API_DELETE_RECORDS, 0, 2, 2, S, delete_records_req_f);
#undef S

#define S kafka_delete_records_resp_partition
static const kafka_field delete_records_resp_partition_f[] = {
    F(S, partition_index, KT_I32, 0),
    F(S, low_watermark, KT_I64, 0),
    F(S, error_code, KT_I16, 0),
};
NESTED(delete_records_resp_partition_s, "DeleteRecordsPartitionResult", S,
       delete_records_resp_partition_f);
#undef S

#define S kafka_delete_records_resp_topic
static const kafka_field delete_records_resp_topic_f[] = {
    F(S, name, KT_STRING, 0),
    FA(S, partitions, 0, NN, &delete_records_resp_partition_s, 0),
};
NESTED(delete_records_resp_topic_s, "DeleteRecordsTopicResult", S,
       delete_records_resp_topic_f);
#undef S

#define S kafka_delete_records_resp
static const kafka_field delete_records_resp_f[] = {
    F(S, throttle_time_ms, KT_I32, 0),
    FA(S, topics, 0, NN, &delete_records_resp_topic_s, 0),
};
TOP(kafka_delete_records_resp_schema, "DeleteRecordsResponse",
    KAFKA_API_DELETE_RECORDS, 0, 2, 2, S, delete_records_resp_f);
#undef S

/* ---- OffsetForLeaderEpoch ------------------------------------------- */

#define S kafka_offset_for_leader_epoch_req_partition
static const kafka_field ofle_req_partition_f[] = {
    F(S, partition, KT_I32, 0),
    FD(S, current_leader_epoch, KT_I32, 2, -1),
    F(S, leader_epoch, KT_I32, 0),
};
NESTED(ofle_req_partition_s, "OffsetForLeaderPartition", S,
       ofle_req_partition_f);
#undef S

#define S kafka_offset_for_leader_epoch_req_topic
static const kafka_field ofle_req_topic_f[] = {
    F(S, topic, KT_STRING, 0),
    FA(S, partitions, 0, NN, &ofle_req_partition_s, 0),
};
NESTED(ofle_req_topic_s, "OffsetForLeaderTopic", S, ofle_req_topic_f);
#undef S

#define S kafka_offset_for_leader_epoch_req
static const kafka_field ofle_req_f[] = {
    FD(S, replica_id, KT_I32, 3, -2),
    FA(S, topics, 0, NN, &ofle_req_topic_s, 0),
};
TOP(kafka_offset_for_leader_epoch_req_schema, "OffsetForLeaderEpochRequest",
    KAFKA_API_OFFSET_FOR_LEADER_EPOCH, 0, 4, 4, S, ofle_req_f);
#undef S

#define S kafka_offset_for_leader_epoch_resp_partition
static const kafka_field ofle_resp_partition_f[] = {
    F(S, error_code, KT_I16, 0),
    F(S, partition, KT_I32, 0),
    FD(S, leader_epoch, KT_I32, 1, -1),
    FD(S, end_offset, KT_I64, 0, -1),
};
NESTED(ofle_resp_partition_s, "EpochEndOffset", S, ofle_resp_partition_f);
#undef S

#define S kafka_offset_for_leader_epoch_resp_topic
static const kafka_field ofle_resp_topic_f[] = {
    F(S, topic, KT_STRING, 0),
    FA(S, partitions, 0, NN, &ofle_resp_partition_s, 0),
};
NESTED(ofle_resp_topic_s, "OffsetForLeaderTopicResult", S, ofle_resp_topic_f);
#undef S

#define S kafka_offset_for_leader_epoch_resp
static const kafka_field ofle_resp_f[] = {
    F(S, throttle_time_ms, KT_I32, 2),
    FA(S, topics, 0, NN, &ofle_resp_topic_s, 0),
};
TOP(kafka_offset_for_leader_epoch_resp_schema, "OffsetForLeaderEpochResponse",
    KAFKA_API_OFFSET_FOR_LEADER_EPOCH, 0, 4, 4, S, ofle_resp_f);
#undef S

/* ---- InitProducerId ------------------------------------------------- */

#define S kafka_init_producer_id_req
static const kafka_field init_producer_id_req_f[] = {
    FN(S, transactional_id, KT_STRING, 0, 0, 1),
    F(S, transaction_timeout_ms, KT_I32, 0),
    FD(S, producer_id, KT_I64, 3, -1),
    FD(S, producer_epoch, KT_I16, 3, -1),
};
TOP(kafka_init_producer_id_req_schema, "InitProducerIdRequest",
    KAFKA_API_INIT_PRODUCER_ID, 0, 5, 2, S, init_producer_id_req_f);
#undef S

#define S kafka_init_producer_id_resp
static const kafka_field init_producer_id_resp_f[] = {
    F(S, throttle_time_ms, KT_I32, 0),
    F(S, error_code, KT_I16, 0),
    FD(S, producer_id, KT_I64, 0, -1),
    F(S, producer_epoch, KT_I16, 0),
};
TOP(kafka_init_producer_id_resp_schema, "InitProducerIdResponse",
    KAFKA_API_INIT_PRODUCER_ID, 0, 5, 2, S, init_producer_id_resp_f);
#undef S
