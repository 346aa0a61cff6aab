/*
 * kafka_msgs_groups.h - C structs for the classic consumer-group APIs and
 * the consumer protocol's embedded bytes, and their schemas (tables in
 * kafka_msgs_groups.c).  Included by kafka.h.
 *
 * Same conventions as kafka_msgs.h: field names are the spec's names in
 * snake_case; the comment after a field gives its versions when it is not
 * in every version, "?" when nullable (with the first nullable version if
 * it is not the first version of the field), "tagN" for tagged fields, and
 * "=x" for a default other than 0 / "" / empty array.  Defaults follow the
 * Kafka message JSON; nullable error_message and group_instance_id style
 * fields default to null (what Kafka sends when there is nothing to say).
 *
 * Codec version ranges:
 *   FindCoordinator 0-4, JoinGroup 0-9, SyncGroup 0-5, Heartbeat 0-4,
 *   LeaveGroup 0-5, OffsetCommit 0-9, OffsetFetch 0-9, ListGroups 0-5,
 *   DescribeGroups 0-5, DeleteGroups 0-2;
 *   ConsumerProtocolSubscription 0-3, ConsumerProtocolAssignment 0-3
 *   (never flexible; see kafka_embedded_decode below).
 *
 * Kafka 4.x dropped OffsetCommit 0-1 and OffsetFetch 0 from its JSON; the
 * field versions for them are the Kafka 3.x ones (the 4.x files keep the
 * same per-field version ranges).
 */
#ifndef FERRY_KAFKA_MSGS_GROUPS_H
#define FERRY_KAFKA_MSGS_GROUPS_H

/* ---- FindCoordinator (10) ------------------------------------------ */

typedef struct kafka_find_coordinator_req {
    buf_view key;    /* 0-3 */
    int8_t key_type; /* 1+ (0 = group, 1 = transaction) */
    KAFKA_ARRAY(buf_view) coordinator_keys; /* 4+ */
} kafka_find_coordinator_req;

typedef struct kafka_find_coordinator_resp_coordinator {
    buf_view key;
    int32_t node_id;
    buf_view host;
    int32_t port;
    int16_t error_code;
    buf_view error_message; /* ? =null */
} kafka_find_coordinator_resp_coordinator;

typedef struct kafka_find_coordinator_resp {
    int32_t throttle_time_ms; /* 1+ */
    int16_t error_code;       /* 0-3 */
    buf_view error_message;   /* 1-3 ? =null */
    int32_t node_id;          /* 0-3 */
    buf_view host;            /* 0-3 */
    int32_t port;             /* 0-3 */
    KAFKA_ARRAY(kafka_find_coordinator_resp_coordinator)
    coordinators; /* 4+ */
} kafka_find_coordinator_resp;

/* ---- JoinGroup (11) ------------------------------------------------ */

typedef struct kafka_join_group_req_protocol {
    buf_view name;
    buf_view metadata; /* bytes: ConsumerProtocolSubscription for "consumer" */
} kafka_join_group_req_protocol;

typedef struct kafka_join_group_req {
    buf_view group_id;
    int32_t session_timeout_ms;
    int32_t rebalance_timeout_ms; /* 1+ =-1 (v0: = session timeout) */
    buf_view member_id;
    buf_view group_instance_id; /* 5+ ? =null */
    buf_view protocol_type;
    KAFKA_ARRAY(kafka_join_group_req_protocol) protocols;
    buf_view reason; /* 8+ ? =null */
} kafka_join_group_req;

typedef struct kafka_join_group_resp_member {
    buf_view member_id;
    buf_view group_instance_id; /* 5+ ? =null */
    buf_view metadata;          /* bytes */
} kafka_join_group_resp_member;

typedef struct kafka_join_group_resp {
    int32_t throttle_time_ms; /* 2+ */
    int16_t error_code;
    int32_t generation_id;  /* =-1 */
    buf_view protocol_type; /* 7+ ? =null */
    buf_view protocol_name; /* ?7+ */
    buf_view leader;
    uint8_t skip_assignment; /* 9+ */
    buf_view member_id;
    KAFKA_ARRAY(kafka_join_group_resp_member) members; /* leader only */
} kafka_join_group_resp;

/* ---- SyncGroup (14) ------------------------------------------------ */

typedef struct kafka_sync_group_req_assignment {
    buf_view member_id;
    buf_view assignment; /* bytes: ConsumerProtocolAssignment */
} kafka_sync_group_req_assignment;

typedef struct kafka_sync_group_req {
    buf_view group_id;
    int32_t generation_id;
    buf_view member_id;
    buf_view group_instance_id; /* 3+ ? =null */
    buf_view protocol_type;     /* 5+ ? =null */
    buf_view protocol_name;     /* 5+ ? =null */
    KAFKA_ARRAY(kafka_sync_group_req_assignment) assignments;
} kafka_sync_group_req;

typedef struct kafka_sync_group_resp {
    int32_t throttle_time_ms; /* 1+ */
    int16_t error_code;
    buf_view protocol_type; /* 5+ ? =null */
    buf_view protocol_name; /* 5+ ? =null */
    buf_view assignment;    /* bytes */
} kafka_sync_group_resp;

/* ---- Heartbeat (12) ------------------------------------------------ */

typedef struct kafka_heartbeat_req {
    buf_view group_id;
    int32_t generation_id;
    buf_view member_id;
    buf_view group_instance_id; /* 3+ ? =null */
} kafka_heartbeat_req;

typedef struct kafka_heartbeat_resp {
    int32_t throttle_time_ms; /* 1+ */
    int16_t error_code;
} kafka_heartbeat_resp;

/* ---- LeaveGroup (13) ----------------------------------------------- */

typedef struct kafka_leave_group_req_member {
    buf_view member_id;
    buf_view group_instance_id; /* ? =null */
    buf_view reason;            /* 5+ ? =null */
} kafka_leave_group_req_member;

typedef struct kafka_leave_group_req {
    buf_view group_id;
    buf_view member_id;                                /* 0-2 */
    KAFKA_ARRAY(kafka_leave_group_req_member) members; /* 3+ */
} kafka_leave_group_req;

typedef struct kafka_leave_group_resp_member {
    buf_view member_id;
    buf_view group_instance_id; /* ? =null (JSON gives no default) */
    int16_t error_code;
} kafka_leave_group_resp_member;

typedef struct kafka_leave_group_resp {
    int32_t throttle_time_ms; /* 1+ */
    int16_t error_code;
    KAFKA_ARRAY(kafka_leave_group_resp_member) members; /* 3+ */
} kafka_leave_group_resp;

/* ---- OffsetCommit (8) ---------------------------------------------- */

typedef struct kafka_offset_commit_req_partition {
    int32_t partition_index;
    int64_t committed_offset;
    int32_t committed_leader_epoch; /* 6+ =-1 */
    int64_t commit_timestamp;       /* 1 only =-1 */
    buf_view committed_metadata;    /* ? */
} kafka_offset_commit_req_partition;

typedef struct kafka_offset_commit_req_topic {
    buf_view name;
    KAFKA_ARRAY(kafka_offset_commit_req_partition) partitions;
} kafka_offset_commit_req_topic;

typedef struct kafka_offset_commit_req {
    buf_view group_id;
    int32_t generation_id_or_member_epoch; /* 1+ =-1 */
    buf_view member_id;                    /* 1+ */
    buf_view group_instance_id;            /* 7+ ? =null */
    int64_t retention_time_ms;             /* 2-4 =-1 */
    KAFKA_ARRAY(kafka_offset_commit_req_topic) topics;
} kafka_offset_commit_req;

typedef struct kafka_offset_commit_resp_partition {
    int32_t partition_index;
    int16_t error_code;
} kafka_offset_commit_resp_partition;

typedef struct kafka_offset_commit_resp_topic {
    buf_view name;
    KAFKA_ARRAY(kafka_offset_commit_resp_partition) partitions;
} kafka_offset_commit_resp_topic;

typedef struct kafka_offset_commit_resp {
    int32_t throttle_time_ms; /* 3+ */
    KAFKA_ARRAY(kafka_offset_commit_resp_topic) topics;
} kafka_offset_commit_resp;

/* ---- OffsetFetch (9) ----------------------------------------------- */
/* Two shapes in one struct: v0-7 use the top-level group_id / topics
 * (/ error_code in the response); v8+ use groups[] only.  The topic and
 * partition structs are the same in both shapes. */

typedef struct kafka_offset_fetch_req_topic {
    buf_view name;
    KAFKA_ARRAY(int32_t) partition_indexes;
} kafka_offset_fetch_req_topic;

typedef struct kafka_offset_fetch_req_group {
    buf_view group_id;
    buf_view member_id;                               /* 9+ ? =null */
    int32_t member_epoch;                             /* 9+ =-1 */
    KAFKA_ARRAY(kafka_offset_fetch_req_topic) topics; /* ? (null = all) */
} kafka_offset_fetch_req_group;

typedef struct kafka_offset_fetch_req {
    buf_view group_id; /* 0-7 */
    KAFKA_ARRAY(kafka_offset_fetch_req_topic)
    topics; /* 0-7 ?2+ (null = all committed) */
    KAFKA_ARRAY(kafka_offset_fetch_req_group) groups; /* 8+ */
    uint8_t require_stable;                           /* 7+ */
} kafka_offset_fetch_req;

typedef struct kafka_offset_fetch_resp_partition {
    int32_t partition_index;
    int64_t committed_offset;
    int32_t committed_leader_epoch; /* 5+ =-1 */
    buf_view metadata;              /* ? */
    int16_t error_code;
} kafka_offset_fetch_resp_partition;

typedef struct kafka_offset_fetch_resp_topic {
    buf_view name;
    KAFKA_ARRAY(kafka_offset_fetch_resp_partition) partitions;
} kafka_offset_fetch_resp_topic;

typedef struct kafka_offset_fetch_resp_group {
    buf_view group_id;
    KAFKA_ARRAY(kafka_offset_fetch_resp_topic) topics;
    int16_t error_code;
} kafka_offset_fetch_resp_group;

typedef struct kafka_offset_fetch_resp {
    int32_t throttle_time_ms;                          /* 3+ */
    KAFKA_ARRAY(kafka_offset_fetch_resp_topic) topics; /* 0-7 */
    int16_t error_code;                                /* 2-7 */
    KAFKA_ARRAY(kafka_offset_fetch_resp_group) groups; /* 8+ */
} kafka_offset_fetch_resp;

/* ---- ListGroups (16) ----------------------------------------------- */

typedef struct kafka_list_groups_req {
    KAFKA_ARRAY(buf_view) states_filter; /* 4+ */
    KAFKA_ARRAY(buf_view) types_filter;  /* 5+ */
} kafka_list_groups_req;

typedef struct kafka_list_groups_resp_group {
    buf_view group_id;
    buf_view protocol_type;
    buf_view group_state; /* 4+ */
    buf_view group_type;  /* 5+ */
} kafka_list_groups_resp_group;

typedef struct kafka_list_groups_resp {
    int32_t throttle_time_ms; /* 1+ */
    int16_t error_code;
    KAFKA_ARRAY(kafka_list_groups_resp_group) groups;
} kafka_list_groups_resp;

/* ---- DescribeGroups (15) ------------------------------------------- */

typedef struct kafka_describe_groups_req {
    KAFKA_ARRAY(buf_view) groups;
    uint8_t include_authorized_operations; /* 3+ */
} kafka_describe_groups_req;

typedef struct kafka_describe_groups_resp_member {
    buf_view member_id;
    buf_view group_instance_id; /* 4+ ? =null */
    buf_view client_id;
    buf_view client_host;
    buf_view member_metadata;   /* bytes: ConsumerProtocolSubscription */
    buf_view member_assignment; /* bytes: ConsumerProtocolAssignment */
} kafka_describe_groups_resp_member;

typedef struct kafka_describe_groups_resp_group {
    int16_t error_code;
    buf_view group_id;
    buf_view group_state;
    buf_view protocol_type;
    buf_view protocol_data; /* the selected protocol (assignor) name */
    KAFKA_ARRAY(kafka_describe_groups_resp_member) members;
    int32_t authorized_operations; /* 3+ =INT32_MIN */
} kafka_describe_groups_resp_group;

typedef struct kafka_describe_groups_resp {
    int32_t throttle_time_ms; /* 1+ */
    KAFKA_ARRAY(kafka_describe_groups_resp_group) groups;
} kafka_describe_groups_resp;

/* ---- DeleteGroups (42) --------------------------------------------- */

typedef struct kafka_delete_groups_req {
    KAFKA_ARRAY(buf_view) groups_names;
} kafka_delete_groups_req;

typedef struct kafka_delete_groups_resp_result {
    buf_view group_id;
    int16_t error_code;
} kafka_delete_groups_resp_result;

typedef struct kafka_delete_groups_resp {
    int32_t throttle_time_ms;
    KAFKA_ARRAY(kafka_delete_groups_resp_result) results;
} kafka_delete_groups_resp;

/* ---- consumer protocol bytes (ref §7.1) ---------------------------- */
/* JoinGroup protocols[].metadata / DescribeGroups member_metadata, and
 * SyncGroup assignment(s) / DescribeGroups member_assignment, when
 * protocol_type is "consumer".  Classic encoding (never flexible), prefixed
 * by version:i16; use kafka_embedded_decode / kafka_embedded_encode. */

typedef struct kafka_consumer_protocol_topic_partition {
    buf_view topic;
    KAFKA_ARRAY(int32_t) partitions;
} kafka_consumer_protocol_topic_partition;

typedef struct kafka_consumer_protocol_subscription {
    KAFKA_ARRAY(buf_view) topics;
    buf_view user_data; /* bytes ? =null */
    KAFKA_ARRAY(kafka_consumer_protocol_topic_partition)
    owned_partitions;      /* 1+ */
    int32_t generation_id; /* 2+ =-1 */
    buf_view rack_id;      /* 3+ ? =null */
} kafka_consumer_protocol_subscription;

typedef struct kafka_consumer_protocol_assignment {
    KAFKA_ARRAY(kafka_consumer_protocol_topic_partition) assigned_partitions;
    buf_view user_data; /* bytes ? =null */
} kafka_consumer_protocol_assignment;

/* Decode versioned embedded bytes (version:i16 then the body) with schema
 * s (api_key -1, e.g. kafka_consumer_protocol_subscription_schema).  A
 * version above s->max_version is decoded as max_version and trailing
 * bytes are ignored (readers must accept newer writers); a negative
 * version, or a body shorter than its version needs, is an error.  Views
 * point into `bytes`.  *version (may be NULL) gets the version as written.
 * 0, BUF_* or KAFKA_EVERSION. */
int kafka_embedded_decode(const struct kafka_schema *s, buf_view bytes,
                          int16_t *version, void *out, wire_arena *a);
/* Append version:i16 and the body at that version.  0, BUF_* or
 * KAFKA_EVERSION. */
int kafka_embedded_encode(const struct kafka_schema *s, int16_t version,
                          const void *in, buf_writer *w);

/* ---- schemas ------------------------------------------------------- */

extern const struct kafka_schema kafka_find_coordinator_req_schema;
extern const struct kafka_schema kafka_find_coordinator_resp_schema;
extern const struct kafka_schema kafka_join_group_req_schema;
extern const struct kafka_schema kafka_join_group_resp_schema;
extern const struct kafka_schema kafka_sync_group_req_schema;
extern const struct kafka_schema kafka_sync_group_resp_schema;
extern const struct kafka_schema kafka_heartbeat_req_schema;
extern const struct kafka_schema kafka_heartbeat_resp_schema;
extern const struct kafka_schema kafka_leave_group_req_schema;
extern const struct kafka_schema kafka_leave_group_resp_schema;
extern const struct kafka_schema kafka_offset_commit_req_schema;
extern const struct kafka_schema kafka_offset_commit_resp_schema;
extern const struct kafka_schema kafka_offset_fetch_req_schema;
extern const struct kafka_schema kafka_offset_fetch_resp_schema;
extern const struct kafka_schema kafka_list_groups_req_schema;
extern const struct kafka_schema kafka_list_groups_resp_schema;
extern const struct kafka_schema kafka_describe_groups_req_schema;
extern const struct kafka_schema kafka_describe_groups_resp_schema;
extern const struct kafka_schema kafka_delete_groups_req_schema;
extern const struct kafka_schema kafka_delete_groups_resp_schema;
/* api_key -1, versions 0-3, never flexible */
extern const struct kafka_schema kafka_consumer_protocol_subscription_schema;
extern const struct kafka_schema kafka_consumer_protocol_assignment_schema;

#endif /* FERRY_KAFKA_MSGS_GROUPS_H */
