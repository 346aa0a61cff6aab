/*
 * kafka_schemas.h - test helper: every top-level schema we have, requests
 * and responses in pairs, then the embedded (api_key -1) ones.  Shared by
 * the unit tests, the corpus generator and fuzz_kafka_roundtrip, whose
 * corpus files start with an index into this list: append only.
 */
#ifndef FERRY_KAFKA_SCHEMAS_H
#define FERRY_KAFKA_SCHEMAS_H

#include "kafka.h"

static const kafka_schema *const kafka_all_schemas[] = {
    &kafka_api_versions_req_schema,
    &kafka_api_versions_resp_schema,
    &kafka_metadata_req_schema,
    &kafka_metadata_resp_schema,
    &kafka_produce_req_schema,
    &kafka_produce_resp_schema,
    &kafka_fetch_req_schema,
    &kafka_fetch_resp_schema,
    &kafka_list_offsets_req_schema,
    &kafka_list_offsets_resp_schema,
    &kafka_create_topics_req_schema,
    &kafka_create_topics_resp_schema,
    /* groups */
    &kafka_find_coordinator_req_schema,
    &kafka_find_coordinator_resp_schema,
    &kafka_join_group_req_schema,
    &kafka_join_group_resp_schema,
    &kafka_sync_group_req_schema,
    &kafka_sync_group_resp_schema,
    &kafka_heartbeat_req_schema,
    &kafka_heartbeat_resp_schema,
    &kafka_leave_group_req_schema,
    &kafka_leave_group_resp_schema,
    &kafka_offset_commit_req_schema,
    &kafka_offset_commit_resp_schema,
    &kafka_offset_fetch_req_schema,
    &kafka_offset_fetch_resp_schema,
    &kafka_list_groups_req_schema,
    &kafka_list_groups_resp_schema,
    &kafka_describe_groups_req_schema,
    &kafka_describe_groups_resp_schema,
    &kafka_delete_groups_req_schema,
    &kafka_delete_groups_resp_schema,
    /* admin, idempotence */
    &kafka_delete_topics_req_schema,
    &kafka_delete_topics_resp_schema,
    &kafka_create_partitions_req_schema,
    &kafka_create_partitions_resp_schema,
    &kafka_describe_configs_req_schema,
    &kafka_describe_configs_resp_schema,
    &kafka_alter_configs_req_schema,
    &kafka_alter_configs_resp_schema,
    &kafka_incremental_alter_configs_req_schema,
    &kafka_incremental_alter_configs_resp_schema,
    &kafka_describe_cluster_req_schema,
    &kafka_describe_cluster_resp_schema,
    &kafka_describe_log_dirs_req_schema,
    &kafka_describe_log_dirs_resp_schema,
    &kafka_delete_records_req_schema,
    &kafka_delete_records_resp_schema,
    &kafka_offset_for_leader_epoch_req_schema,
    &kafka_offset_for_leader_epoch_resp_schema,
    &kafka_init_producer_id_req_schema,
    &kafka_init_producer_id_resp_schema,
    /* embedded consumer protocol bytes (api_key -1, never flexible) */
    &kafka_consumer_protocol_subscription_schema,
    &kafka_consumer_protocol_assignment_schema,
};
#define KAFKA_N_SCHEMAS                                                        \
    (sizeof(kafka_all_schemas) / sizeof(kafka_all_schemas[0]))

#endif /* FERRY_KAFKA_SCHEMAS_H */
