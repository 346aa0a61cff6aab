/*
 * kafka.h - Kafka protocol: API keys, error codes, headers, framing and the
 * table-driven message codec.
 *
 * Every request/response body is described by a kafka_schema: a table of
 * fields, each with its type, the versions it exists in, the version it
 * becomes nullable, its place in the C struct (offsetof) and, for tagged
 * fields, its tag.  One walker (kafka_decode / kafka_encode) handles any
 * (schema, version): classic vs compact (KIP-482) strings, bytes and arrays,
 * nullability, and tagged-field sections are coded in one place.
 *
 * Decoding:
 *   - strings and bytes are buf_views into the frame (not NUL-terminated);
 *   - arrays come from the caller's wire_arena; every count is checked
 *     against the bytes left before anything is allocated;
 *   - fields absent in the decoded version get their schema default
 *     (e.g. Fetch session_epoch = -1, Metadata allow_auto_topic_creation = 1);
 *   - unknown tags are skipped;
 *   - a null where the version does not allow one is malformed.
 * Encoding:
 *   - fields absent in the version are not written (non-default values are
 *     silently dropped, not an error);
 *   - a null string/array in a version where it is not nullable is written
 *     as empty;
 *   - tagged fields are written only when they differ from their default;
 *   - `records` fields (kafka_records) can be spliced instead of copied: see
 *     kafka_splice_list below.
 *
 * Struct conventions: field names are the spec's names in snake_case; arrays
 * are `struct { T *items; int32_t count; }` with count -1 = null; bool is
 * uint8_t (0/1); uuid is kafka_uuid.
 *
 * Error codes: functions return 0 or a negative BUF_* code (buf.h), or
 * KAFKA_EVERSION for a version outside the schema's range.
 *
 * Pure: no I/O, no clocks, no global mutable state; thread-safe.
 */
#ifndef FERRY_KAFKA_H
#define FERRY_KAFKA_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "wire_arena.h"

#define KAFKA_EVERSION (-5) /* api version outside the schema's range */

#define KAFKA_VMAX   0x7fff /* "and every later version" */
#define KAFKA_VNEVER 0x7fff /* flexible_from / nullable_from: never */

/* Kafka's default socket.request.max.bytes. */
#define KAFKA_DEFAULT_MAX_FRAME (100u * 1024u * 1024u)

/* ------------------------------------------------------------------ */
/* API keys and error codes                                            */
/* ------------------------------------------------------------------ */

typedef enum kafka_api_key {
    KAFKA_API_PRODUCE = 0,
    KAFKA_API_FETCH = 1,
    KAFKA_API_LIST_OFFSETS = 2,
    KAFKA_API_METADATA = 3,
    KAFKA_API_LEADER_AND_ISR = 4,
    KAFKA_API_STOP_REPLICA = 5,
    KAFKA_API_UPDATE_METADATA = 6,
    KAFKA_API_CONTROLLED_SHUTDOWN = 7,
    KAFKA_API_OFFSET_COMMIT = 8,
    KAFKA_API_OFFSET_FETCH = 9,
    KAFKA_API_FIND_COORDINATOR = 10,
    KAFKA_API_JOIN_GROUP = 11,
    KAFKA_API_HEARTBEAT = 12,
    KAFKA_API_LEAVE_GROUP = 13,
    KAFKA_API_SYNC_GROUP = 14,
    KAFKA_API_DESCRIBE_GROUPS = 15,
    KAFKA_API_LIST_GROUPS = 16,
    KAFKA_API_SASL_HANDSHAKE = 17,
    KAFKA_API_API_VERSIONS = 18,
    KAFKA_API_CREATE_TOPICS = 19,
    KAFKA_API_DELETE_TOPICS = 20,
    KAFKA_API_DELETE_RECORDS = 21,
    KAFKA_API_INIT_PRODUCER_ID = 22,
    KAFKA_API_OFFSET_FOR_LEADER_EPOCH = 23,
    KAFKA_API_ADD_PARTITIONS_TO_TXN = 24,
    KAFKA_API_ADD_OFFSETS_TO_TXN = 25,
    KAFKA_API_END_TXN = 26,
    KAFKA_API_WRITE_TXN_MARKERS = 27,
    KAFKA_API_TXN_OFFSET_COMMIT = 28,
    KAFKA_API_DESCRIBE_ACLS = 29,
    KAFKA_API_CREATE_ACLS = 30,
    KAFKA_API_DELETE_ACLS = 31,
    KAFKA_API_DESCRIBE_CONFIGS = 32,
    KAFKA_API_ALTER_CONFIGS = 33,
    KAFKA_API_ALTER_REPLICA_LOG_DIRS = 34,
    KAFKA_API_DESCRIBE_LOG_DIRS = 35,
    KAFKA_API_SASL_AUTHENTICATE = 36,
    KAFKA_API_CREATE_PARTITIONS = 37,
    KAFKA_API_CREATE_DELEGATION_TOKEN = 38,
    KAFKA_API_RENEW_DELEGATION_TOKEN = 39,
    KAFKA_API_EXPIRE_DELEGATION_TOKEN = 40,
    KAFKA_API_DESCRIBE_DELEGATION_TOKEN = 41,
    KAFKA_API_DELETE_GROUPS = 42,
    KAFKA_API_ELECT_LEADERS = 43,
    KAFKA_API_INCREMENTAL_ALTER_CONFIGS = 44,
    KAFKA_API_ALTER_PARTITION_REASSIGNMENTS = 45,
    KAFKA_API_LIST_PARTITION_REASSIGNMENTS = 46,
    KAFKA_API_OFFSET_DELETE = 47,
    KAFKA_API_DESCRIBE_CLUSTER = 60,
    KAFKA_API_DESCRIBE_PRODUCERS = 61,
    KAFKA_API_CONSUMER_GROUP_HEARTBEAT = 68,
    KAFKA_API_CONSUMER_GROUP_DESCRIBE = 69,
    KAFKA_API_GET_TELEMETRY_SUBSCRIPTIONS = 71,
    KAFKA_API_PUSH_TELEMETRY = 72,
    KAFKA_API__MAX = 73 /* one past the highest key above */
} kafka_api_key;

typedef enum kafka_error {
    KAFKA_ERR_UNKNOWN_SERVER_ERROR = -1,
    KAFKA_ERR_NONE = 0,
    KAFKA_ERR_OFFSET_OUT_OF_RANGE = 1,
    KAFKA_ERR_CORRUPT_MESSAGE = 2,
    KAFKA_ERR_UNKNOWN_TOPIC_OR_PARTITION = 3,
    KAFKA_ERR_INVALID_FETCH_SIZE = 4,
    KAFKA_ERR_LEADER_NOT_AVAILABLE = 5,
    KAFKA_ERR_NOT_LEADER_OR_FOLLOWER = 6,
    KAFKA_ERR_REQUEST_TIMED_OUT = 7,
    KAFKA_ERR_BROKER_NOT_AVAILABLE = 8,
    KAFKA_ERR_REPLICA_NOT_AVAILABLE = 9,
    KAFKA_ERR_MESSAGE_TOO_LARGE = 10,
    KAFKA_ERR_OFFSET_METADATA_TOO_LARGE = 12,
    KAFKA_ERR_NETWORK_EXCEPTION = 13,
    KAFKA_ERR_COORDINATOR_LOAD_IN_PROGRESS = 14,
    KAFKA_ERR_COORDINATOR_NOT_AVAILABLE = 15,
    KAFKA_ERR_NOT_COORDINATOR = 16,
    KAFKA_ERR_INVALID_TOPIC_EXCEPTION = 17,
    KAFKA_ERR_RECORD_LIST_TOO_LARGE = 18,
    KAFKA_ERR_NOT_ENOUGH_REPLICAS = 19,
    KAFKA_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND = 20,
    KAFKA_ERR_INVALID_REQUIRED_ACKS = 21,
    KAFKA_ERR_ILLEGAL_GENERATION = 22,
    KAFKA_ERR_INCONSISTENT_GROUP_PROTOCOL = 23,
    KAFKA_ERR_INVALID_GROUP_ID = 24,
    KAFKA_ERR_UNKNOWN_MEMBER_ID = 25,
    KAFKA_ERR_INVALID_SESSION_TIMEOUT = 26,
    KAFKA_ERR_REBALANCE_IN_PROGRESS = 27,
    KAFKA_ERR_INVALID_COMMIT_OFFSET_SIZE = 28,
    KAFKA_ERR_TOPIC_AUTHORIZATION_FAILED = 29,
    KAFKA_ERR_GROUP_AUTHORIZATION_FAILED = 30,
    KAFKA_ERR_CLUSTER_AUTHORIZATION_FAILED = 31,
    KAFKA_ERR_INVALID_TIMESTAMP = 32,
    KAFKA_ERR_UNSUPPORTED_SASL_MECHANISM = 33,
    KAFKA_ERR_ILLEGAL_SASL_STATE = 34,
    KAFKA_ERR_UNSUPPORTED_VERSION = 35,
    KAFKA_ERR_TOPIC_ALREADY_EXISTS = 36,
    KAFKA_ERR_INVALID_PARTITIONS = 37,
    KAFKA_ERR_INVALID_REPLICATION_FACTOR = 38,
    KAFKA_ERR_INVALID_REPLICA_ASSIGNMENT = 39,
    KAFKA_ERR_INVALID_CONFIG = 40,
    KAFKA_ERR_NOT_CONTROLLER = 41,
    KAFKA_ERR_INVALID_REQUEST = 42,
    KAFKA_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT = 43,
    KAFKA_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER = 45,
    KAFKA_ERR_DUPLICATE_SEQUENCE_NUMBER = 46,
    KAFKA_ERR_INVALID_PRODUCER_EPOCH = 47,
    KAFKA_ERR_INVALID_TXN_STATE = 48,
    KAFKA_ERR_INVALID_PRODUCER_ID_MAPPING = 49,
    KAFKA_ERR_INVALID_TRANSACTION_TIMEOUT = 50,
    KAFKA_ERR_CONCURRENT_TRANSACTIONS = 51,
    KAFKA_ERR_TRANSACTION_COORDINATOR_FENCED = 52,
    KAFKA_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED = 53,
    KAFKA_ERR_KAFKA_STORAGE_ERROR = 56,
    KAFKA_ERR_SASL_AUTHENTICATION_FAILED = 58,
    KAFKA_ERR_UNKNOWN_PRODUCER_ID = 59,
    KAFKA_ERR_NON_EMPTY_GROUP = 68,
    KAFKA_ERR_GROUP_ID_NOT_FOUND = 69,
    KAFKA_ERR_FETCH_SESSION_ID_NOT_FOUND = 70,
    KAFKA_ERR_INVALID_FETCH_SESSION_EPOCH = 71,
    KAFKA_ERR_LISTENER_NOT_FOUND = 72,
    KAFKA_ERR_FENCED_LEADER_EPOCH = 74,
    KAFKA_ERR_UNKNOWN_LEADER_EPOCH = 75,
    KAFKA_ERR_UNSUPPORTED_COMPRESSION_TYPE = 76,
    KAFKA_ERR_OFFSET_NOT_AVAILABLE = 78,
    KAFKA_ERR_MEMBER_ID_REQUIRED = 79,
    KAFKA_ERR_GROUP_MAX_SIZE_REACHED = 81,
    KAFKA_ERR_FENCED_INSTANCE_ID = 82,
    KAFKA_ERR_INVALID_RECORD = 87,
    KAFKA_ERR_UNSTABLE_OFFSET_COMMIT = 88,
    KAFKA_ERR_THROTTLING_QUOTA_EXCEEDED = 89,
    KAFKA_ERR_PRODUCER_FENCED = 90,
    KAFKA_ERR_UNKNOWN_TOPIC_ID = 100,
    KAFKA_ERR_INCONSISTENT_TOPIC_ID = 103,
    KAFKA_ERR_FETCH_SESSION_TOPIC_ID_ERROR = 106,
    KAFKA_ERR_TRANSACTION_ABORTABLE = 120
} kafka_error;

/* First flexible version of an API (ref §1.4), or -1 = never / unknown. */
int kafka_api_flexible_from(int16_t api_key);
/* "Produce", "ApiVersions", ...; "Unknown" for keys we do not know. */
const char *kafka_api_name(int16_t api_key);
/* "OFFSET_OUT_OF_RANGE", ...; "UNKNOWN" for codes we do not know. */
const char *kafka_error_name(int16_t code);

/* ------------------------------------------------------------------ */
/* Framing and headers                                                 */
/* ------------------------------------------------------------------ */

/* Check a frame's 4-byte size prefix.  0 and *body_len set when
 * 0 <= size <= max_frame; BUF_EINVAL for a negative size, BUF_ELIMIT for a
 * size above max_frame (close the connection in both cases). */
int kafka_frame_check(const uint8_t hdr4[4], size_t max_frame,
                      size_t *body_len);

typedef struct kafka_req_header {
    int16_t api_key;
    int16_t api_version;
    int32_t correlation_id;
    buf_view client_id; /* nullable */
} kafka_req_header;

/* Decode request header v1, or v2 when (api_key, version) is flexible (its
 * tagged fields are skipped).  An unknown api_key is decoded as v1, so the
 * broker can still answer with the correlation id.  0 or a BUF_* code. */
int kafka_req_header_decode(buf_reader *r, kafka_req_header *h);
/* Encode a request header (v1/v2 by the same rule); for clients and tests. */
void kafka_req_header_encode(buf_writer *w, const kafka_req_header *h);
/* Response header v0, or v1 (empty tag section) for flexible versions,
 * except ApiVersions which is always v0. */
void kafka_resp_header_encode(buf_writer *w, int16_t api_key,
                              int16_t api_version, int32_t correlation_id);
/* Decode a response header by the same rule (tests, clients). */
int kafka_resp_header_decode(buf_reader *r, int16_t api_key,
                             int16_t api_version, int32_t *correlation_id);

/* ------------------------------------------------------------------ */
/* Zero-copy records and splices                                       */
/* ------------------------------------------------------------------ */

/* A borrowed piece of log bytes; `ref` is the broker's handle (e.g. a
 * CommitLog segment reference released by evbuffer cleanup). */
typedef struct kafka_rec_piece {
    const uint8_t *p;
    size_t len;
    void *ref;
} kafka_rec_piece;

/* A `records` field in a response: concatenation of pieces.
 * len = -1: null; otherwise len must equal the sum of piece lengths. */
typedef struct kafka_records {
    int64_t len;
    const kafka_rec_piece *pieces;
    int32_t n_pieces;
} kafka_records;

/* "After writer offset `at`, emit these pieces" (then continue with the
 * writer bytes from `at`). */
typedef struct kafka_splice {
    size_t at;
    const kafka_rec_piece *pieces;
    int32_t n_pieces;
    int64_t len; /* sum of piece lengths */
} kafka_splice;

typedef struct kafka_splice_list {
    kafka_splice *items; /* heap, grown by the encoder */
    size_t count;
    size_t cap;
} kafka_splice_list;

void kafka_splice_list_init(kafka_splice_list *l);
void kafka_splice_list_clear(kafka_splice_list *l); /* keep memory */
void kafka_splice_list_release(kafka_splice_list *l);
/* Total bytes of all pieces. */
int64_t kafka_splice_list_bytes(const kafka_splice_list *l);
/* Concatenate writer bytes and pieces in wire order into out (tests, and
 * callers that want one flat buffer).  0 or BUF_* code. */
int kafka_splice_flatten(const buf_writer *w, const kafka_splice_list *l,
                         buf_writer *out);

/* Start a frame: reserves the int32 size; returns its offset. */
size_t kafka_frame_begin(buf_writer *w);
/* Patch the size: bytes written after `at`+4 plus spliced bytes (l may be
 * NULL).  Splices must all lie after `at`. */
void kafka_frame_end(buf_writer *w, size_t at, const kafka_splice_list *l);

/* ------------------------------------------------------------------ */
/* Schemas and the walker                                              */
/* ------------------------------------------------------------------ */

typedef enum kafka_type {
    KT_BOOL,         /* uint8_t */
    KT_I8,           /* int8_t */
    KT_I16,          /* int16_t */
    KT_I32,          /* int32_t */
    KT_I64,          /* int64_t */
    KT_UUID,         /* kafka_uuid */
    KT_STRING,       /* buf_view */
    KT_BYTES,        /* buf_view */
    KT_RECORDS,      /* kafka_records (responses: spliceable) */
    KT_RECORDS_VIEW, /* buf_view: "records" type decoded as a view */
    KT_STRUCT,       /* embedded struct (sub) */
    KT_ARRAY,        /* array of structs (sub) */
    KT_ARRAY_I32,    /* struct { int32_t *items; int32_t count; } */
    KT_ARRAY_I64,    /* struct { int64_t *items; int32_t count; } */
    KT_ARRAY_STRING  /* struct { buf_view *items; int32_t count; } */
} kafka_type;

struct kafka_schema;

typedef struct kafka_field {
    const char *name;
    uint8_t type;          /* kafka_type */
    int16_t from;          /* first version holding the field */
    int16_t until;         /* last version (KAFKA_VMAX = open) */
    int16_t nullable_from; /* KAFKA_VNEVER = never nullable */
    int16_t tag;           /* -1 = regular field; >= 0 tagged field */
    uint32_t offset;       /* offsetof in the C struct */
    const struct kafka_schema *sub; /* KT_STRUCT / KT_ARRAY */
    int64_t def; /* default: integers/bool value; strings: 1 = null */
} kafka_field;

typedef struct kafka_schema {
    const char *name;      /* "ProduceRequest", "FetchResponse.Topic", ... */
    int16_t api_key;       /* -1 for nested structs */
    int16_t min_version;   /* top-level only */
    int16_t max_version;   /* top-level only */
    int16_t flexible_from; /* top-level only; KAFKA_VNEVER = never */
    const kafka_field *fields;
    uint16_t n_fields;
    uint32_t size; /* sizeof the C struct */
} kafka_schema;

/* Generic view of every array member (layout-compatible). */
typedef struct kafka_array {
    void *items;
    int32_t count; /* -1 = null */
} kafka_array;

#define KAFKA_ARRAY(T)                                                     \
    struct {                                                               \
        T *items;                                                          \
        int32_t count;                                                     \
    }

typedef struct kafka_uuid {
    uint8_t b[16];
} kafka_uuid;

/* Decode a body of schema s at version into out (s->size bytes, fully
 * overwritten).  Arrays from a (required).  Does not require the reader to
 * be empty afterwards (check buf_left if you care).  0, BUF_* or
 * KAFKA_EVERSION. */
int kafka_decode(const struct kafka_schema *s, int16_t version, buf_reader *r,
                 void *out, wire_arena *a);
/* Encode in at version, appending to w.  splices: NULL = copy records
 * pieces into w; else append splice points (see kafka_splice).  0, BUF_* or
 * KAFKA_EVERSION (and w->err is set on writer failure). */
int kafka_encode(const struct kafka_schema *s, int16_t version, const void *in,
                 buf_writer *w, kafka_splice_list *splices);
/* Fill obj (s->size bytes) with zeroes and every scalar default, recursing
 * into KT_STRUCT fields; arrays are empty, strings empty or null per
 * default. */
void kafka_init_defaults(const struct kafka_schema *s, void *obj);
/* 1 if a and b hold equal values for every field present in version
 * (views compared by content; records by content), else 0. */
int kafka_equal(const struct kafka_schema *s, int16_t version, const void *a,
                const void *b);
/* Schemas by api key (NULL if we have none). */
const struct kafka_schema *kafka_request_schema(int16_t api_key);
const struct kafka_schema *kafka_response_schema(int16_t api_key);

/* KIP-511: answer to an ApiVersions request whose version we do not know:
 * response header v0 + v0 body {UNSUPPORTED_VERSION, [{18, min, max}]}.
 * Writes no frame size (wrap in kafka_frame_begin/end). */
void kafka_api_versions_unsupported_encode(buf_writer *w,
                                           int32_t correlation_id,
                                           int16_t min_version,
                                           int16_t max_version);

#include "kafka_msgs.h"
#include "kafka_msgs_admin.h"
#include "kafka_msgs_groups.h"

#endif /* FERRY_KAFKA_H */
