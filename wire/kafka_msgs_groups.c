/*
 * kafka_msgs_groups.c - field tables for the consumer-group messages in
 * kafka_msgs_groups.h, and the versioned embedded-bytes helpers for the
 * consumer protocol.
 *
 * Versions come from the Kafka message JSON (apache/kafka
 * clients/src/main/resources/common/message/); rows as in kafka_msgs.c
 * (see kafka_table.h).  Nested schemas carry only fields and size; a nested
 * field's "from" only matters when it is later than its parent's.
 */
#include "kafka_table.h"

#include <string.h>

/* ---- FindCoordinator ------------------------------------------------ */

#define S kafka_find_coordinator_req
static const kafka_field find_coordinator_req_f[] = {
    FR(S, key, KT_STRING, 0, 3, 0),
    F(S, key_type, KT_I8, 1),
    F(S, coordinator_keys, KT_ARRAY_STRING, 4),
};
TOP(kafka_find_coordinator_req_schema, "FindCoordinatorRequest",
    KAFKA_API_FIND_COORDINATOR, 0, 4, 3, S, find_coordinator_req_f);
#undef S

#define S kafka_find_coordinator_resp_coordinator
static const kafka_field find_coordinator_resp_coord_f[] = {
    F(S, key, KT_STRING, 0),     F(S, node_id, KT_I32, 0),
    F(S, host, KT_STRING, 0),    F(S, port, KT_I32, 0),
    F(S, error_code, KT_I16, 0), FN(S, error_message, KT_STRING, 0, 0, 1),
};
NESTED(find_coordinator_resp_coord_s, "Coordinator", S,
       find_coordinator_resp_coord_f);
#undef S

#define S kafka_find_coordinator_resp
static const kafka_field find_coordinator_resp_f[] = {
    F(S, throttle_time_ms, KT_I32, 1),
    FR(S, error_code, KT_I16, 0, 3, 0),
    FX(S, error_message, KT_STRING, 1, 3, 1, -1, NULL, 1),
    FR(S, node_id, KT_I32, 0, 3, 0),
    FR(S, host, KT_STRING, 0, 3, 0),
    FR(S, port, KT_I32, 0, 3, 0),
    FA(S, coordinators, 4, NN, &find_coordinator_resp_coord_s, 0),
};
TOP(kafka_find_coordinator_resp_schema, "FindCoordinatorResponse",
    KAFKA_API_FIND_COORDINATOR, 0, 4, 3, S, find_coordinator_resp_f);
#undef S

/* ---- JoinGroup ------------------------------------------------------ */

#define S kafka_join_group_req_protocol
static const kafka_field join_group_req_protocol_f[] = {
    F(S, name, KT_STRING, 0),
    F(S, metadata, KT_BYTES, 0),
};
NESTED(join_group_req_protocol_s, "JoinGroupRequestProtocol", S,
       join_group_req_protocol_f);
#undef S

#define S kafka_join_group_req
static const kafka_field join_group_req_f[] = {
    F(S, group_id, KT_STRING, 0),
    F(S, session_timeout_ms, KT_I32, 0),
    FD(S, rebalance_timeout_ms, KT_I32, 1, -1),
    F(S, member_id, KT_STRING, 0),
    FN(S, group_instance_id, KT_STRING, 5, 5, 1),
    F(S, protocol_type, KT_STRING, 0),
    FA(S, protocols, 0, NN, &join_group_req_protocol_s, 0),
    FN(S, reason, KT_STRING, 8, 8, 1),
};
TOP(kafka_join_group_req_schema, "JoinGroupRequest", KAFKA_API_JOIN_GROUP, 0, 9,
    6, S, join_group_req_f);
#undef S

#define S kafka_join_group_resp_member
static const kafka_field join_group_resp_member_f[] = {
    F(S, member_id, KT_STRING, 0),
    FN(S, group_instance_id, KT_STRING, 5, 5, 1),
    F(S, metadata, KT_BYTES, 0),
};
NESTED(join_group_resp_member_s, "JoinGroupResponseMember", S,
       join_group_resp_member_f);
#undef S

#define S kafka_join_group_resp
static const kafka_field join_group_resp_f[] = {
    F(S, throttle_time_ms, KT_I32, 2),
    F(S, error_code, KT_I16, 0),
    FD(S, generation_id, KT_I32, 0, -1),
    FN(S, protocol_type, KT_STRING, 7, 7, 1),
    FN(S, protocol_name, KT_STRING, 0, 7, 0),
    F(S, leader, KT_STRING, 0),
    F(S, skip_assignment, KT_BOOL, 9),
    F(S, member_id, KT_STRING, 0),
    FA(S, members, 0, NN, &join_group_resp_member_s, 0),
};
TOP(kafka_join_group_resp_schema, "JoinGroupResponse", KAFKA_API_JOIN_GROUP, 0,
    9, 6, S, join_group_resp_f);
#undef S

/* ---- SyncGroup ------------------------------------------------------ */

#define S kafka_sync_group_req_assignment
static const kafka_field sync_group_req_assignment_f[] = {
    F(S, member_id, KT_STRING, 0),
    F(S, assignment, KT_BYTES, 0),
};
NESTED(sync_group_req_assignment_s, "SyncGroupRequestAssignment", S,
       sync_group_req_assignment_f);
#undef S

#define S kafka_sync_group_req
static const kafka_field sync_group_req_f[] = {
    F(S, group_id, KT_STRING, 0),
    F(S, generation_id, KT_I32, 0),
    F(S, member_id, KT_STRING, 0),
    FN(S, group_instance_id, KT_STRING, 3, 3, 1),
    FN(S, protocol_type, KT_STRING, 5, 5, 1),
    FN(S, protocol_name, KT_STRING, 5, 5, 1),
    FA(S, assignments, 0, NN, &sync_group_req_assignment_s, 0),
};
TOP(kafka_sync_group_req_schema, "SyncGroupRequest", KAFKA_API_SYNC_GROUP, 0, 5,
    4, S, sync_group_req_f);
#undef S

#define S kafka_sync_group_resp
static const kafka_field sync_group_resp_f[] = {
    F(S, throttle_time_ms, KT_I32, 1),
    F(S, error_code, KT_I16, 0),
    FN(S, protocol_type, KT_STRING, 5, 5, 1),
    FN(S, protocol_name, KT_STRING, 5, 5, 1),
    F(S, assignment, KT_BYTES, 0),
};
TOP(kafka_sync_group_resp_schema, "SyncGroupResponse", KAFKA_API_SYNC_GROUP, 0,
    5, 4, S, sync_group_resp_f);
#undef S

/* ---- Heartbeat ------------------------------------------------------ */

#define S kafka_heartbeat_req
static const kafka_field heartbeat_req_f[] = {
    F(S, group_id, KT_STRING, 0),
    F(S, generation_id, KT_I32, 0),
    F(S, member_id, KT_STRING, 0),
    FN(S, group_instance_id, KT_STRING, 3, 3, 1),
};
TOP(kafka_heartbeat_req_schema, "HeartbeatRequest", KAFKA_API_HEARTBEAT, 0, 4,
    4, S, heartbeat_req_f);
#undef S

#define S kafka_heartbeat_resp
static const kafka_field heartbeat_resp_f[] = {
    F(S, throttle_time_ms, KT_I32, 1),
    F(S, error_code, KT_I16, 0),
};
TOP(kafka_heartbeat_resp_schema, "HeartbeatResponse", KAFKA_API_HEARTBEAT, 0, 4,
    4, S, heartbeat_resp_f);
#undef S

/* ---- LeaveGroup ----------------------------------------------------- */

#define S kafka_leave_group_req_member
static const kafka_field leave_group_req_member_f[] = {
    F(S, member_id, KT_STRING, 3),
    FN(S, group_instance_id, KT_STRING, 3, 3, 1),
    FN(S, reason, KT_STRING, 5, 5, 1),
};
NESTED(leave_group_req_member_s, "MemberIdentity", S, leave_group_req_member_f);
#undef S

#define S kafka_leave_group_req
static const kafka_field leave_group_req_f[] = {
    F(S, group_id, KT_STRING, 0),
    FR(S, member_id, KT_STRING, 0, 2, 0),
    FA(S, members, 3, NN, &leave_group_req_member_s, 0),
};
TOP(kafka_leave_group_req_schema, "LeaveGroupRequest", KAFKA_API_LEAVE_GROUP, 0,
    5, 4, S, leave_group_req_f);
#undef S

#define S kafka_leave_group_resp_member
static const kafka_field leave_group_resp_member_f[] = {
    F(S, member_id, KT_STRING, 3),
    FN(S, group_instance_id, KT_STRING, 3, 3, 1),
    F(S, error_code, KT_I16, 3),
};
NESTED(leave_group_resp_member_s, "MemberResponse", S,
       leave_group_resp_member_f);
#undef S

#define S kafka_leave_group_resp
static const kafka_field leave_group_resp_f[] = {
    F(S, throttle_time_ms, KT_I32, 1),
    F(S, error_code, KT_I16, 0),
    FA(S, members, 3, NN, &leave_group_resp_member_s, 0),
};
TOP(kafka_leave_group_resp_schema, "LeaveGroupResponse", KAFKA_API_LEAVE_GROUP,
    0, 5, 4, S, leave_group_resp_f);
#undef S

/* ---- OffsetCommit --------------------------------------------------- */

#define S kafka_offset_commit_req_partition
static const kafka_field offset_commit_req_partition_f[] = {
    F(S, partition_index, KT_I32, 0),
    F(S, committed_offset, KT_I64, 0),
    FD(S, committed_leader_epoch, KT_I32, 6, -1),
    FR(S, commit_timestamp, KT_I64, 1, 1, -1),
    FN(S, committed_metadata, KT_STRING, 0, 0, 0),
};
NESTED(offset_commit_req_partition_s, "OffsetCommitRequestPartition", S,
       offset_commit_req_partition_f);
#undef S

#define S kafka_offset_commit_req_topic
static const kafka_field offset_commit_req_topic_f[] = {
    F(S, name, KT_STRING, 0),
    FA(S, partitions, 0, NN, &offset_commit_req_partition_s, 0),
};
NESTED(offset_commit_req_topic_s, "OffsetCommitRequestTopic", S,
       offset_commit_req_topic_f);
#undef S

#define S kafka_offset_commit_req
static const kafka_field offset_commit_req_f[] = {
    F(S, group_id, KT_STRING, 0),
    FD(S, generation_id_or_member_epoch, KT_I32, 1, -1),
    F(S, member_id, KT_STRING, 1),
    FN(S, group_instance_id, KT_STRING, 7, 7, 1),
    FR(S, retention_time_ms, KT_I64, 2, 4, -1),
    FA(S, topics, 0, NN, &offset_commit_req_topic_s, 0),
};
TOP(kafka_offset_commit_req_schema, "OffsetCommitRequest",
    KAFKA_API_OFFSET_COMMIT, 0, 9, 8, S, offset_commit_req_f);
#undef S

#define S kafka_offset_commit_resp_partition
static const kafka_field offset_commit_resp_partition_f[] = {
    F(S, partition_index, KT_I32, 0),
    F(S, error_code, KT_I16, 0),
};
NESTED(offset_commit_resp_partition_s, "OffsetCommitResponsePartition", S,
       offset_commit_resp_partition_f);
#undef S

#define S kafka_offset_commit_resp_topic
static const kafka_field offset_commit_resp_topic_f[] = {
    F(S, name, KT_STRING, 0),
    FA(S, partitions, 0, NN, &offset_commit_resp_partition_s, 0),
};
NESTED(offset_commit_resp_topic_s, "OffsetCommitResponseTopic", S,
       offset_commit_resp_topic_f);
#undef S

#define S kafka_offset_commit_resp
static const kafka_field offset_commit_resp_f[] = {
    F(S, throttle_time_ms, KT_I32, 3),
    FA(S, topics, 0, NN, &offset_commit_resp_topic_s, 0),
};
TOP(kafka_offset_commit_resp_schema, "OffsetCommitResponse",
    KAFKA_API_OFFSET_COMMIT, 0, 9, 8, S, offset_commit_resp_f);
#undef S

/* ---- OffsetFetch ---------------------------------------------------- */

#define S kafka_offset_fetch_req_topic
static const kafka_field offset_fetch_req_topic_f[] = {
    F(S, name, KT_STRING, 0),
    F(S, partition_indexes, KT_ARRAY_I32, 0),
};
NESTED(offset_fetch_req_topic_s, "OffsetFetchRequestTopic", S,
       offset_fetch_req_topic_f);
#undef S

#define S kafka_offset_fetch_req_group
static const kafka_field offset_fetch_req_group_f[] = {
    F(S, group_id, KT_STRING, 8),
    FN(S, member_id, KT_STRING, 9, 9, 1),
    FD(S, member_epoch, KT_I32, 9, -1),
    FA(S, topics, 8, 8, &offset_fetch_req_topic_s, 0),
};
NESTED(offset_fetch_req_group_s, "OffsetFetchRequestGroup", S,
       offset_fetch_req_group_f);
#undef S

#define S kafka_offset_fetch_req
static const kafka_field offset_fetch_req_f[] = {
    FR(S, group_id, KT_STRING, 0, 7, 0),
    FX(S, topics, KT_ARRAY, 0, 7, 2, -1, &offset_fetch_req_topic_s, 0),
    FA(S, groups, 8, NN, &offset_fetch_req_group_s, 0),
    F(S, require_stable, KT_BOOL, 7),
};
TOP(kafka_offset_fetch_req_schema, "OffsetFetchRequest", KAFKA_API_OFFSET_FETCH,
    0, 9, 6, S, offset_fetch_req_f);
#undef S

#define S kafka_offset_fetch_resp_partition
static const kafka_field offset_fetch_resp_partition_f[] = {
    F(S, partition_index, KT_I32, 0),
    F(S, committed_offset, KT_I64, 0),
    FD(S, committed_leader_epoch, KT_I32, 5, -1),
    FN(S, metadata, KT_STRING, 0, 0, 0),
    F(S, error_code, KT_I16, 0),
};
NESTED(offset_fetch_resp_partition_s, "OffsetFetchResponsePartition", S,
       offset_fetch_resp_partition_f);
#undef S

#define S kafka_offset_fetch_resp_topic
static const kafka_field offset_fetch_resp_topic_f[] = {
    F(S, name, KT_STRING, 0),
    FA(S, partitions, 0, NN, &offset_fetch_resp_partition_s, 0),
};
NESTED(offset_fetch_resp_topic_s, "OffsetFetchResponseTopic", S,
       offset_fetch_resp_topic_f);
#undef S

#define S kafka_offset_fetch_resp_group
static const kafka_field offset_fetch_resp_group_f[] = {
    F(S, group_id, KT_STRING, 8),
    FA(S, topics, 8, NN, &offset_fetch_resp_topic_s, 0),
    F(S, error_code, KT_I16, 8),
};
NESTED(offset_fetch_resp_group_s, "OffsetFetchResponseGroup", S,
       offset_fetch_resp_group_f);
#undef S

#define S kafka_offset_fetch_resp
static const kafka_field offset_fetch_resp_f[] = {
    F(S, throttle_time_ms, KT_I32, 3),
    FX(S, topics, KT_ARRAY, 0, 7, NN, -1, &offset_fetch_resp_topic_s, 0),
    FR(S, error_code, KT_I16, 2, 7, 0),
    FA(S, groups, 8, NN, &offset_fetch_resp_group_s, 0),
};
TOP(kafka_offset_fetch_resp_schema, "OffsetFetchResponse",
    KAFKA_API_OFFSET_FETCH, 0, 9, 6, S, offset_fetch_resp_f);
#undef S

/* ---- ListGroups ----------------------------------------------------- */

#define S kafka_list_groups_req
static const kafka_field list_groups_req_f[] = {
    F(S, states_filter, KT_ARRAY_STRING, 4),
    F(S, types_filter, KT_ARRAY_STRING, 5),
};
TOP(kafka_list_groups_req_schema, "ListGroupsRequest", KAFKA_API_LIST_GROUPS, 0,
    5, 3, S, list_groups_req_f);
#undef S

#define S kafka_list_groups_resp_group
static const kafka_field list_groups_resp_group_f[] = {
    F(S, group_id, KT_STRING, 0),
    F(S, protocol_type, KT_STRING, 0),
    F(S, group_state, KT_STRING, 4),
    F(S, group_type, KT_STRING, 5),
};
NESTED(list_groups_resp_group_s, "ListedGroup", S, list_groups_resp_group_f);
#undef S

#define S kafka_list_groups_resp
static const kafka_field list_groups_resp_f[] = {
    F(S, throttle_time_ms, KT_I32, 1),
    F(S, error_code, KT_I16, 0),
    FA(S, groups, 0, NN, &list_groups_resp_group_s, 0),
};
TOP(kafka_list_groups_resp_schema, "ListGroupsResponse", KAFKA_API_LIST_GROUPS,
    0, 5, 3, S, list_groups_resp_f);
#undef S

/* ---- DescribeGroups ------------------------------------------------- */

#define S kafka_describe_groups_req
static const kafka_field describe_groups_req_f[] = {
    F(S, groups, KT_ARRAY_STRING, 0),
    F(S, include_authorized_operations, KT_BOOL, 3),
};
TOP(kafka_describe_groups_req_schema, "DescribeGroupsRequest",
    KAFKA_API_DESCRIBE_GROUPS, 0, 5, 5, S, describe_groups_req_f);
#undef S

#define S kafka_describe_groups_resp_member
static const kafka_field describe_groups_resp_member_f[] = {
    F(S, member_id, KT_STRING, 0),
    FN(S, group_instance_id, KT_STRING, 4, 4, 1),
    F(S, client_id, KT_STRING, 0),
    F(S, client_host, KT_STRING, 0),
    F(S, member_metadata, KT_BYTES, 0),
    F(S, member_assignment, KT_BYTES, 0),
};
NESTED(describe_groups_resp_member_s, "DescribedGroupMember", S,
       describe_groups_resp_member_f);
#undef S

#define S kafka_describe_groups_resp_group
static const kafka_field describe_groups_resp_group_f[] = {
    F(S, error_code, KT_I16, 0),
    F(S, group_id, KT_STRING, 0),
    F(S, group_state, KT_STRING, 0),
    F(S, protocol_type, KT_STRING, 0),
    F(S, protocol_data, KT_STRING, 0),
    FA(S, members, 0, NN, &describe_groups_resp_member_s, 0),
    FD(S, authorized_operations, KT_I32, 3, INT32_MIN),
};
NESTED(describe_groups_resp_group_s, "DescribedGroup", S,
       describe_groups_resp_group_f);
#undef S

#define S kafka_describe_groups_resp
static const kafka_field describe_groups_resp_f[] = {
    F(S, throttle_time_ms, KT_I32, 1),
    FA(S, groups, 0, NN, &describe_groups_resp_group_s, 0),
};
TOP(kafka_describe_groups_resp_schema, "DescribeGroupsResponse",
    KAFKA_API_DESCRIBE_GROUPS, 0, 5, 5, S, describe_groups_resp_f);
#undef S

/* ---- DeleteGroups --------------------------------------------------- */

#define S kafka_delete_groups_req
static const kafka_field delete_groups_req_f[] = {
    F(S, groups_names, KT_ARRAY_STRING, 0),
};
TOP(kafka_delete_groups_req_schema, "DeleteGroupsRequest",
    KAFKA_API_DELETE_GROUPS, 0, 2, 2, S, delete_groups_req_f);
#undef S

#define S kafka_delete_groups_resp_result
static const kafka_field delete_groups_resp_result_f[] = {
    F(S, group_id, KT_STRING, 0),
    F(S, error_code, KT_I16, 0),
};
NESTED(delete_groups_resp_result_s, "DeletableGroupResult", S,
       delete_groups_resp_result_f);
#undef S

#define S kafka_delete_groups_resp
static const kafka_field delete_groups_resp_f[] = {
    F(S, throttle_time_ms, KT_I32, 0),
    FA(S, results, 0, NN, &delete_groups_resp_result_s, 0),
};
TOP(kafka_delete_groups_resp_schema, "DeleteGroupsResponse",
    KAFKA_API_DELETE_GROUPS, 0, 2, 2, S, delete_groups_resp_f);
#undef S

/* ---- consumer protocol (embedded, classic, versioned) --------------- */

#define S kafka_consumer_protocol_topic_partition
static const kafka_field consumer_protocol_tp_f[] = {
    F(S, topic, KT_STRING, 0),
    F(S, partitions, KT_ARRAY_I32, 0),
};
NESTED(consumer_protocol_tp_s, "TopicPartition", S, consumer_protocol_tp_f);
#undef S

#define S kafka_consumer_protocol_subscription
static const kafka_field consumer_protocol_subscription_f[] = {
    F(S, topics, KT_ARRAY_STRING, 0),
    FN(S, user_data, KT_BYTES, 0, 0, 1),
    FA(S, owned_partitions, 1, NN, &consumer_protocol_tp_s, 0),
    FD(S, generation_id, KT_I32, 2, -1),
    FN(S, rack_id, KT_STRING, 3, 3, 1),
};
TOP(kafka_consumer_protocol_subscription_schema, "ConsumerProtocolSubscription",
    -1, 0, 3, NN, S, consumer_protocol_subscription_f);
#undef S

#define S kafka_consumer_protocol_assignment
static const kafka_field consumer_protocol_assignment_f[] = {
    FA(S, assigned_partitions, 0, NN, &consumer_protocol_tp_s, 0),
    FN(S, user_data, KT_BYTES, 0, 0, 1),
};
TOP(kafka_consumer_protocol_assignment_schema, "ConsumerProtocolAssignment", -1,
    0, 3, NN, S, consumer_protocol_assignment_f);
#undef S

int kafka_embedded_decode(const kafka_schema *s, buf_view bytes,
                          int16_t *version, void *out, wire_arena *a)
{
    buf_reader r;
    int16_t v;

    memset(out, 0, s->size);
    if (version)
        *version = -1;
    if (bytes.is_null || (bytes.len && !bytes.ptr))
        return BUF_EINVAL;
    buf_reader_init(&r, bytes.ptr, bytes.len);
    v = buf_read_i16(&r);
    if (r.err)
        return r.err;
    if (version)
        *version = v;
    if (v < s->min_version)
        return KAFKA_EVERSION;
    if (v > s->max_version)
        v = s->max_version; /* newer writer: read what we know */
    return kafka_decode(s, v, &r, out, a);
}

int kafka_embedded_encode(const kafka_schema *s, int16_t version,
                          const void *in, buf_writer *w)
{
    if (version < s->min_version || version > s->max_version)
        return KAFKA_EVERSION;
    if (w->err)
        return w->err;
    buf_write_i16(w, version);
    return kafka_encode(s, version, in, w, NULL);
}
