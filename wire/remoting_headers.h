/*
 * remoting_headers.h - the "custom headers" of remoting commands (the
 * fields that travel as extFields text) as C structs described by field
 * tables, so one walker decodes and encodes any of them (STYLE §5).
 *
 * Each struct starts with `uint32_t present`: bit i set = field i of its
 * table was in the header (decode) / is to be written (encode).  Required
 * fields (marked * in the ref) must be present on decode, else
 * REMOTING_EMISSING with the field named in errbuf; numbers follow the
 * extFields getters (BUF_EINVAL for "12a", overflow, ...).  Strings are
 * views into the decoded header (not NUL-terminated).
 *
 * SEND_MESSAGE_V2 / SEND_BATCH_MESSAGE carry SendMessageRequestHeader with
 * one-letter keys (a..n): pass REMOTING_HDR_V2 and the walker uses them.
 * Encoding appends to the header's ext list (remoting_ext_add), numbers
 * printed into the arena.  Pure; thread-safe.
 */
#ifndef FERRY_REMOTING_HEADERS_H
#define FERRY_REMOTING_HEADERS_H

#include <stddef.h>
#include <stdint.h>

#include "remoting.h"

typedef enum remoting_field_type {
    REMOTING_F_STR,  /* buf_view */
    REMOTING_F_I32,  /* int32_t */
    REMOTING_F_I64,  /* int64_t */
    REMOTING_F_BOOL, /* int (0/1) */
} remoting_field_type;

typedef struct remoting_field {
    const char *name;    /* the Java field name */
    const char *v2_name; /* SendMessageRequestHeaderV2 key, or NULL */
    remoting_field_type type;
    int required;
    size_t offset; /* in the C struct */
} remoting_field;

typedef struct remoting_header_schema {
    const char *name; /* Java class name, for messages */
    const remoting_field *fields;
    int32_t count; /* <= 32 */
} remoting_header_schema;

#define REMOTING_HDR_V1 0
#define REMOTING_HDR_V2 1

/* Fill `out` (zeroed first) from h's extFields.  errbuf (optional) gets
 * "<Class>.<field> missing" / "... malformed". */
int remoting_header_fields_decode(const remoting_header *h,
                                  const remoting_header_schema *s, int keys,
                                  void *out, char *errbuf, size_t errlen);
/* Append every present field (and every required one) to h's extFields. */
int remoting_header_fields_encode(remoting_header *h, wire_arena *a,
                                  const remoting_header_schema *s, int keys,
                                  const void *in);

/* ------------------------------------------------------------------ */
/* Header structs (field order = table order = bit order)               */
/* ------------------------------------------------------------------ */

typedef struct remoting_send_request {
    uint32_t present;
    buf_view producer_group;          /* a * */
    buf_view topic;                   /* b * */
    buf_view default_topic;           /* c * */
    int32_t default_topic_queue_nums; /* d * */
    int32_t queue_id;                 /* e * */
    int32_t sys_flag;                 /* f * */
    int64_t born_timestamp;           /* g * */
    int32_t flag;                     /* h * */
    buf_view properties;              /* i */
    int32_t reconsume_times;          /* j */
    int unit_mode;                    /* k */
    int32_t max_reconsume_times;      /* l */
    int batch;                        /* m */
    buf_view bname;                   /* n */
} remoting_send_request;
extern const remoting_header_schema remoting_send_request_schema;

typedef struct remoting_send_response {
    uint32_t present;
    buf_view msg_id;      /* * */
    int32_t queue_id;     /* * */
    int64_t queue_offset; /* * */
    buf_view transaction_id;
    buf_view batch_uniq_id;
} remoting_send_response;
extern const remoting_header_schema remoting_send_response_schema;

typedef struct remoting_pull_request {
    uint32_t present;
    buf_view consumer_group;        /* * */
    buf_view topic;                 /* * */
    int32_t queue_id;               /* * */
    int64_t queue_offset;           /* * */
    int32_t max_msg_nums;           /* * */
    int32_t sys_flag;               /* * */
    int64_t commit_offset;          /* * */
    int64_t suspend_timeout_millis; /* * */
    buf_view subscription;
    int64_t sub_version; /* * */
    buf_view expression_type;
    int32_t max_msg_bytes;
} remoting_pull_request;
extern const remoting_header_schema remoting_pull_request_schema;

typedef struct remoting_pull_response {
    uint32_t present;
    int64_t suggest_which_broker_id; /* * */
    int64_t next_begin_offset;       /* * */
    int64_t min_offset;              /* * */
    int64_t max_offset;              /* * */
    int64_t offset_delta;
    int32_t topic_sys_flag;
    int32_t group_sys_flag;
    int32_t forbidden_type;
} remoting_pull_response;
extern const remoting_header_schema remoting_pull_response_schema;

/* QUERY_CONSUMER_OFFSET (14) */
typedef struct remoting_query_consumer_offset_request {
    uint32_t present;
    buf_view consumer_group; /* * */
    buf_view topic;          /* * */
    int32_t queue_id;        /* * */
    int set_zero_if_not_found;
} remoting_query_consumer_offset_request;
extern const remoting_header_schema
    remoting_query_consumer_offset_request_schema;

/* UPDATE_CONSUMER_OFFSET (15) */
typedef struct remoting_update_consumer_offset_request {
    uint32_t present;
    buf_view consumer_group; /* * */
    buf_view topic;          /* * */
    int32_t queue_id;        /* * */
    int64_t commit_offset;   /* * */
} remoting_update_consumer_offset_request;
extern const remoting_header_schema
    remoting_update_consumer_offset_request_schema;

/* GET_MAX_OFFSET (30), GET_MIN_OFFSET (31), GET_EARLIEST_MSG_STORETIME
 * (32): topic, queueId (+ committed for 30). */
typedef struct remoting_queue_request {
    uint32_t present;
    buf_view topic;   /* * */
    int32_t queue_id; /* * */
    int committed;
} remoting_queue_request;
extern const remoting_header_schema remoting_queue_request_schema;

/* SEARCH_OFFSET_BY_TIMESTAMP (29) */
typedef struct remoting_search_offset_request {
    uint32_t present;
    buf_view topic;    /* * */
    int32_t queue_id;  /* * */
    int64_t timestamp; /* * */
    buf_view boundary_type;
} remoting_search_offset_request;
extern const remoting_header_schema remoting_search_offset_request_schema;

/* Answers of 14, 29, 30, 31: offset*; of 32: timestamp*. */
typedef struct remoting_offset_response {
    uint32_t present;
    int64_t offset; /* * */
} remoting_offset_response;
extern const remoting_header_schema remoting_offset_response_schema;
typedef struct remoting_timestamp_response {
    uint32_t present;
    int64_t timestamp; /* * */
} remoting_timestamp_response;
extern const remoting_header_schema remoting_timestamp_response_schema;

/* CONSUMER_SEND_MSG_BACK (36) */
typedef struct remoting_send_back_request {
    uint32_t present;
    int64_t offset;      /* * commit-log offset */
    buf_view group;      /* * */
    int32_t delay_level; /* * */
    buf_view origin_msg_id;
    buf_view origin_topic;
    int unit_mode;
    int32_t max_reconsume_times;
} remoting_send_back_request;
extern const remoting_header_schema remoting_send_back_request_schema;

/* END_TRANSACTION (37) */
typedef struct remoting_end_transaction_request {
    uint32_t present;
    buf_view producer_group;         /* * */
    int64_t tran_state_table_offset; /* * */
    int64_t commit_log_offset;       /* * */
    int32_t commit_or_rollback;      /* * 0, 8 commit, 12 rollback */
    int from_transaction_check;
    buf_view msg_id; /* * */
    buf_view transaction_id;
    buf_view topic;
} remoting_end_transaction_request;
extern const remoting_header_schema remoting_end_transaction_request_schema;

/* CHECK_TRANSACTION_STATE (39, broker -> client) */
typedef struct remoting_check_transaction_request {
    uint32_t present;
    int64_t tran_state_table_offset; /* * */
    int64_t commit_log_offset;       /* * */
    buf_view msg_id;
    buf_view transaction_id;
    buf_view offset_msg_id;
    buf_view topic;
} remoting_check_transaction_request;
extern const remoting_header_schema remoting_check_transaction_request_schema;

/* GET_CONSUMER_LIST_BY_GROUP (38), NOTIFY_CONSUMER_IDS_CHANGED (40) */
typedef struct remoting_consumer_group_request {
    uint32_t present;
    buf_view consumer_group; /* * */
} remoting_consumer_group_request;
extern const remoting_header_schema remoting_consumer_group_request_schema;

/* UNREGISTER_CLIENT (35) */
typedef struct remoting_unregister_client_request {
    uint32_t present;
    buf_view client_id; /* * */
    buf_view producer_group;
    buf_view consumer_group;
} remoting_unregister_client_request;
extern const remoting_header_schema remoting_unregister_client_request_schema;

/* VIEW_MESSAGE_BY_ID (33) */
typedef struct remoting_view_message_request {
    uint32_t present;
    int64_t offset; /* * */
    buf_view topic;
} remoting_view_message_request;
extern const remoting_header_schema remoting_view_message_request_schema;

/* QUERY_MESSAGE (12) and its answer */
typedef struct remoting_query_message_request {
    uint32_t present;
    buf_view topic;          /* * */
    buf_view key;            /* * */
    int32_t max_num;         /* * */
    int64_t begin_timestamp; /* * */
    int64_t end_timestamp;   /* * */
} remoting_query_message_request;
extern const remoting_header_schema remoting_query_message_request_schema;
typedef struct remoting_query_message_response {
    uint32_t present;
    int64_t index_last_update_timestamp; /* * */
    int64_t index_last_update_phyoffset; /* * */
} remoting_query_message_response;
extern const remoting_header_schema remoting_query_message_response_schema;

/* GET_ROUTEINFO_BY_TOPIC (105) */
typedef struct remoting_get_route_request {
    uint32_t present;
    buf_view topic; /* * */
    int accept_standard_json_only;
} remoting_get_route_request;
extern const remoting_header_schema remoting_get_route_request_schema;

/* REGISTER_BROKER (103) and its answer; UNREGISTER_BROKER (104) uses the
 * first five fields' table remoting_unregister_broker_request_schema. */
typedef struct remoting_register_broker_request {
    uint32_t present;
    buf_view broker_name;    /* * */
    buf_view broker_addr;    /* * */
    buf_view cluster_name;   /* * */
    buf_view ha_server_addr; /* * */
    int64_t broker_id;       /* * */
    int64_t heartbeat_timeout_millis;
    int enable_acting_master;
    int compressed;
    int32_t body_crc32;
} remoting_register_broker_request;
extern const remoting_header_schema remoting_register_broker_request_schema;
typedef struct remoting_unregister_broker_request {
    uint32_t present;
    buf_view broker_name;  /* * */
    buf_view broker_addr;  /* * */
    buf_view cluster_name; /* * */
    int64_t broker_id;     /* * */
} remoting_unregister_broker_request;
extern const remoting_header_schema remoting_unregister_broker_request_schema;
typedef struct remoting_register_broker_response {
    uint32_t present;
    buf_view ha_server_addr;
    buf_view master_addr;
} remoting_register_broker_response;
extern const remoting_header_schema remoting_register_broker_response_schema;

/* UPDATE_AND_CREATE_TOPIC (17) */
typedef struct remoting_create_topic_request {
    uint32_t present;
    buf_view topic;             /* * */
    buf_view default_topic;     /* * */
    int32_t read_queue_nums;    /* * */
    int32_t write_queue_nums;   /* * */
    int32_t perm;               /* * */
    buf_view topic_filter_type; /* * */
    int32_t topic_sys_flag;
    int order; /* * */
    buf_view attributes;
    int force;
} remoting_create_topic_request;
extern const remoting_header_schema remoting_create_topic_request_schema;

/* DELETE_TOPIC_IN_BROKER (215), DELETE_TOPIC_IN_NAMESRV (216) */
typedef struct remoting_delete_topic_request {
    uint32_t present;
    buf_view topic; /* * */
    buf_view cluster_name;
} remoting_delete_topic_request;
extern const remoting_header_schema remoting_delete_topic_request_schema;

#endif /* FERRY_REMOTING_HEADERS_H */
