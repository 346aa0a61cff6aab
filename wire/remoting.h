/*
 * remoting.h - RocketMQ remoting protocol: frames, the logical command header
 * in both encodings (JSON and the binary "ROCKETMQ" form), request and
 * response codes, and typed access to extFields.
 *
 * Frame (all integers big-endian):
 *
 *   offset 0  int32  frameLen = 4 + headerLen + bodyLen (excludes itself)
 *   offset 4  int32  hdrWord  = serializeType << 24 | headerLen
 *   offset 8  headerLen bytes of header (JSON text or ROCKETMQ binary)
 *   ...       bodyLen bytes of body (whatever is left of the frame)
 *
 * ROCKETMQ binary header:
 *
 *   0  int16 code      2  int8 language   3  int16 version   5  int32 opaque
 *   9  int32 flag     13  int32 remarkLen (0 = null), remark bytes
 *   +0 int32 extLen, then extLen bytes of entries:
 *      int16 keyLen, key, int32 valLen, value   (valLen 0 = null value)
 *
 * JSON header: one object with code, language (enum name), version, opaque,
 * flag, remark, extFields; unknown keys are ignored, extFields scalars of any
 * type (ali-ons sends numbers and booleans) become their text form, nulls are
 * skipped, 64-bit numbers never pass through a double.
 *
 * Decoding fills a remoting_header.  Binary headers give views into the
 * frame; JSON strings must be unescaped, so for JSON every string (remark,
 * language name, ext keys/values) is a copy in the caller's wire_arena.
 * Either way the header lives as long as both the frame and the arena.
 * Strings are never assumed NUL-terminated (arena copies happen to be).
 *
 * Encoding writes into a buf_writer; a reply should use the encoding of its
 * request (remoting_header.serialize_type) except to ali-ons, which only
 * sends JSON anyway.
 *
 * Errors: 0 or a negative BUF_* code (buf.h); REMOTING_EMISSING for an
 * absent extFields key.  Pure: no I/O, no clocks, no globals; thread-safe.
 */
#ifndef FERRY_REMOTING_H
#define FERRY_REMOTING_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "wire_arena.h"

#define REMOTING_EMISSING (-6) /* extFields key absent */

/* Java's com.rocketmq.remoting.frameMaxLength, counting the length field. */
#define REMOTING_DEFAULT_MAX_FRAME (16u * 1024u * 1024u)
/* Bytes that precede the header: frameLen + hdrWord. */
#define REMOTING_FRAME_PREFIX 8
/* Fixed part of a ROCKETMQ binary header (with remarkLen and extLen). */
#define REMOTING_BINARY_FIXED 21
/* A JSON header may nest at most this deep (the real ones nest 2 levels)
 * and hold at most this many values (real ones: a few dozen); past it the
 * decoder answers BUF_ELIMIT without parsing, which bounds what a hostile
 * 16 MiB header costs. */
#define REMOTING_JSON_MAX_DEPTH  16
#define REMOTING_JSON_MAX_VALUES 65536

#define REMOTING_SERIALIZE_JSON     0
#define REMOTING_SERIALIZE_ROCKETMQ 1

#define REMOTING_FLAG_RESPONSE 0x1
#define REMOTING_FLAG_ONEWAY   0x2

/* Version we answer with: MQVersion V5_3_3 ordinal. */
#define REMOTING_VERSION_CURRENT 479

/* ------------------------------------------------------------------ */
/* Codes: one list each yields the enum and the names (STYLE §5)       */
/* ------------------------------------------------------------------ */

#define REMOTING_LANGUAGES(X)                                                  \
    X(JAVA, 0)                                                                 \
    X(CPP, 1)                                                                  \
    X(DOTNET, 2)                                                               \
    X(PYTHON, 3)                                                               \
    X(DELPHI, 4)                                                               \
    X(ERLANG, 5)                                                               \
    X(RUBY, 6)                                                                 \
    X(OTHER, 7)                                                                \
    X(HTTP, 8)                                                                 \
    X(GO, 9)                                                                   \
    X(PHP, 10)                                                                 \
    X(OMS, 11)                                                                 \
    X(RUST, 12)                                                                \
    X(NODE_JS, 13)

#define REMOTING_RESPONSE_CODES(X)                                             \
    X(SUCCESS, 0)                                                              \
    X(SYSTEM_ERROR, 1)                                                         \
    X(SYSTEM_BUSY, 2)                                                          \
    X(REQUEST_CODE_NOT_SUPPORTED, 3)                                           \
    X(TRANSACTION_FAILED, 4)                                                   \
    X(FLUSH_DISK_TIMEOUT, 10)                                                  \
    X(SLAVE_NOT_AVAILABLE, 11)                                                 \
    X(FLUSH_SLAVE_TIMEOUT, 12)                                                 \
    X(MESSAGE_ILLEGAL, 13)                                                     \
    X(SERVICE_NOT_AVAILABLE, 14)                                               \
    X(VERSION_NOT_SUPPORTED, 15)                                               \
    X(NO_PERMISSION, 16)                                                       \
    X(TOPIC_NOT_EXIST, 17)                                                     \
    X(TOPIC_EXIST_ALREADY, 18)                                                 \
    X(PULL_NOT_FOUND, 19)                                                      \
    X(PULL_RETRY_IMMEDIATELY, 20)                                              \
    X(PULL_OFFSET_MOVED, 21)                                                   \
    X(QUERY_NOT_FOUND, 22)                                                     \
    X(SUBSCRIPTION_PARSE_FAILED, 23)                                           \
    X(SUBSCRIPTION_NOT_EXIST, 24)                                              \
    X(SUBSCRIPTION_NOT_LATEST, 25)                                             \
    X(SUBSCRIPTION_GROUP_NOT_EXIST, 26)                                        \
    X(FILTER_DATA_NOT_EXIST, 27)                                               \
    X(FILTER_DATA_NOT_LATEST, 28)                                              \
    X(INVALID_PARAMETER, 29)                                                   \
    X(TRANSACTION_SHOULD_COMMIT, 200)                                          \
    X(TRANSACTION_SHOULD_ROLLBACK, 201)                                        \
    X(TRANSACTION_STATE_UNKNOW, 202)                                           \
    X(TRANSACTION_STATE_GROUP_WRONG, 203)                                      \
    X(NO_BUYER_ID, 204)                                                        \
    X(NOT_IN_CURRENT_UNIT, 205)                                                \
    X(CONSUMER_NOT_ONLINE, 206)                                                \
    X(CONSUME_MSG_TIMEOUT, 207)                                                \
    X(NO_MESSAGE, 208)                                                         \
    X(FLOW_CONTROL, 215)                                                       \
    X(NOT_LEADER_FOR_QUEUE, 501)                                               \
    X(ILLEGAL_OPERATION, 604)                                                  \
    X(GO_AWAY, 1500)

#define REMOTING_REQUEST_CODES(X)                                              \
    X(SEND_MESSAGE, 10)                                                        \
    X(PULL_MESSAGE, 11)                                                        \
    X(QUERY_MESSAGE, 12)                                                       \
    X(QUERY_CONSUMER_OFFSET, 14)                                               \
    X(UPDATE_CONSUMER_OFFSET, 15)                                              \
    X(UPDATE_AND_CREATE_TOPIC, 17)                                             \
    X(UPDATE_AND_CREATE_TOPIC_LIST, 18)                                        \
    X(GET_ALL_TOPIC_CONFIG, 21)                                                \
    X(UPDATE_BROKER_CONFIG, 25)                                                \
    X(GET_BROKER_CONFIG, 26)                                                   \
    X(GET_BROKER_RUNTIME_INFO, 28)                                             \
    X(SEARCH_OFFSET_BY_TIMESTAMP, 29)                                          \
    X(GET_MAX_OFFSET, 30)                                                      \
    X(GET_MIN_OFFSET, 31)                                                      \
    X(GET_EARLIEST_MSG_STORETIME, 32)                                          \
    X(VIEW_MESSAGE_BY_ID, 33)                                                  \
    X(HEART_BEAT, 34)                                                          \
    X(UNREGISTER_CLIENT, 35)                                                   \
    X(CONSUMER_SEND_MSG_BACK, 36)                                              \
    X(END_TRANSACTION, 37)                                                     \
    X(GET_CONSUMER_LIST_BY_GROUP, 38)                                          \
    X(CHECK_TRANSACTION_STATE, 39)                                             \
    X(NOTIFY_CONSUMER_IDS_CHANGED, 40)                                         \
    X(LOCK_BATCH_MQ, 41)                                                       \
    X(UNLOCK_BATCH_MQ, 42)                                                     \
    X(GET_ALL_CONSUMER_OFFSET, 43)                                             \
    X(CHECK_CLIENT_CONFIG, 46)                                                 \
    X(PUT_KV_CONFIG, 100)                                                      \
    X(GET_KV_CONFIG, 101)                                                      \
    X(DELETE_KV_CONFIG, 102)                                                   \
    X(REGISTER_BROKER, 103)                                                    \
    X(UNREGISTER_BROKER, 104)                                                  \
    X(GET_ROUTEINFO_BY_TOPIC, 105)                                             \
    X(GET_BROKER_CLUSTER_INFO, 106)                                            \
    X(UPDATE_AND_CREATE_SUBSCRIPTIONGROUP, 200)                                \
    X(GET_ALL_SUBSCRIPTIONGROUP_CONFIG, 201)                                   \
    X(GET_TOPIC_STATS_INFO, 202)                                               \
    X(GET_CONSUMER_CONNECTION_LIST, 203)                                       \
    X(GET_PRODUCER_CONNECTION_LIST, 204)                                       \
    X(WIPE_WRITE_PERM_OF_BROKER, 205)                                          \
    X(GET_ALL_TOPIC_LIST_FROM_NAMESERVER, 206)                                 \
    X(DELETE_SUBSCRIPTIONGROUP, 207)                                           \
    X(GET_CONSUME_STATS, 208)                                                  \
    X(DELETE_TOPIC_IN_BROKER, 215)                                             \
    X(DELETE_TOPIC_IN_NAMESRV, 216)                                            \
    X(REGISTER_TOPIC_IN_NAMESRV, 217)                                          \
    X(GET_KVLIST_BY_NAMESPACE, 219)                                            \
    X(RESET_CONSUMER_CLIENT_OFFSET, 220)                                       \
    X(GET_CONSUMER_STATUS_FROM_CLIENT, 221)                                    \
    X(INVOKE_BROKER_TO_RESET_OFFSET, 222)                                      \
    X(GET_TOPICS_BY_CLUSTER, 224)                                              \
    X(GET_CONSUMER_RUNNING_INFO, 307)                                          \
    X(CONSUME_MESSAGE_DIRECTLY, 309)                                           \
    X(SEND_MESSAGE_V2, 310)                                                    \
    X(SEND_BATCH_MESSAGE, 320)                                                 \
    X(QUERY_DATA_VERSION, 322)                                                 \
    X(RESUME_CHECK_HALF_MESSAGE, 323)                                          \
    X(SEND_REPLY_MESSAGE, 324)                                                 \
    X(SEND_REPLY_MESSAGE_V2, 325)                                              \
    X(PUSH_REPLY_MESSAGE_TO_CLIENT, 326)                                       \
    X(ADD_WRITE_PERM_OF_BROKER, 327)                                           \
    X(GET_TOPIC_CONFIG, 351)                                                   \
    X(LITE_PULL_MESSAGE, 361)                                                  \
    X(BROKER_HEARTBEAT, 904)

#define REMOTING_X_ENUM_LANG(name, val) REMOTING_LANG_##name = val,
#define REMOTING_X_ENUM_RESP(name, val) REMOTING_RESP_##name = val,
#define REMOTING_X_ENUM_REQ(name, val)  REMOTING_REQ_##name = val,
typedef enum remoting_language {
    REMOTING_LANGUAGES(REMOTING_X_ENUM_LANG) REMOTING_LANG__COUNT
} remoting_language;
typedef enum remoting_response_code {
    REMOTING_RESPONSE_CODES(REMOTING_X_ENUM_RESP) REMOTING_RESP__END
} remoting_response_code;
typedef enum remoting_request_code {
    REMOTING_REQUEST_CODES(REMOTING_X_ENUM_REQ) REMOTING_REQ__END
} remoting_request_code;
#undef REMOTING_X_ENUM_LANG
#undef REMOTING_X_ENUM_RESP
#undef REMOTING_X_ENUM_REQ

/* Names as Java spells them, or NULL for a code not in the list. */
const char *remoting_request_code_name(int32_t code);
const char *remoting_response_code_name(int32_t code);
const char *remoting_language_name(int32_t language);
/* LanguageCode by name (exact, case-sensitive); -1 if unknown. */
int32_t remoting_language_by_name(const char *name, size_t len);

/* ------------------------------------------------------------------ */
/* Frames                                                              */
/* ------------------------------------------------------------------ */

/*
 * Check the first 8 bytes of a frame before waiting for the rest of it.
 * On success the whole frame is 8 + *header_len + *body_len bytes long.
 * BUF_EINVAL: negative or too small frameLen, headerLen past the frame, or
 * an unknown serializeType; BUF_ELIMIT: 4 + frameLen > max_frame.
 * The serialize type is hdr8[4] (remoting_frame_serialize_type).
 */
int remoting_frame_check(const uint8_t hdr8[8], size_t max_frame,
                         size_t *header_len, size_t *body_len);

static inline int remoting_frame_serialize_type(const uint8_t hdr8[8])
{
    return hdr8[4];
}

/* ------------------------------------------------------------------ */
/* The logical header                                                  */
/* ------------------------------------------------------------------ */

typedef struct remoting_ext {
    buf_view key;
    buf_view value; /* is_null for a null value (binary valLen 0) */
} remoting_ext;

typedef struct remoting_header {
    int32_t code;
    int32_t language;       /* remoting_language; OTHER for unknown names */
    buf_view language_name; /* JSON only: the name as sent */
    int32_t version;
    int32_t opaque;
    int32_t flag;
    buf_view remark;   /* is_null when absent or null */
    remoting_ext *ext; /* in wire order; from the arena */
    int32_t ext_count;
    int32_t ext_cap;    /* capacity of ext (remoting_ext_add) */
    int serialize_type; /* REMOTING_SERIALIZE_* of the decoded header */
} remoting_header;

/*
 * Decode header bytes (the headerLen bytes after hdrWord) of the given
 * serialize type.  Arrays and JSON strings come from `a`.  BUF_EINVAL for
 * malformed input (bad JSON, wrong types, lengths past the end, nesting
 * deeper than REMOTING_JSON_MAX_DEPTH), BUF_ELIMIT for a JSON header of
 * more than REMOTING_JSON_MAX_VALUES values, BUF_ENOMEM when the arena is
 * full.
 */
int remoting_header_decode(const uint8_t *p, size_t len, int serialize_type,
                           wire_arena *a, remoting_header *h);

/*
 * Decode a whole frame (8-byte prefix included, exactly one frame): checks
 * it with max_frame, decodes the header and points *body at the body.
 */
int remoting_frame_decode(const uint8_t *p, size_t len, size_t max_frame,
                          wire_arena *a, remoting_header *h, buf_view *body);

/*
 * Append the header bytes in the given encoding.  JSON is compact, keys in
 * fastjson's (alphabetical) order, remark omitted when null, extFields
 * always present (Java dereferences it on responses).  The binary encoding
 * fails with BUF_EINVAL for a code or version outside int16.
 */
int remoting_header_encode(buf_writer *w, const remoting_header *h,
                           int serialize_type);

/*
 * Append a frame prefix and header; the caller then appends the body and
 * calls remoting_frame_end(w, at) with the returned offset, which patches
 * frameLen.  Check w->err (or the return of remoting_frame_end) once.
 */
size_t remoting_frame_begin(buf_writer *w, const remoting_header *h,
                            int serialize_type);
int remoting_frame_end(buf_writer *w, size_t at);

/* A whole frame with body (body may be NULL when body_len is 0). */
int remoting_frame_encode(buf_writer *w, const remoting_header *h,
                          int serialize_type, const void *body,
                          size_t body_len);

/* ------------------------------------------------------------------ */
/* extFields                                                           */
/* ------------------------------------------------------------------ */

/* The value of `key` (NUL-terminated); the last one wins on duplicates.
 * Returns 1 and sets *val, or 0 when absent (a null value counts as
 * absent, as in Java). */
int remoting_ext_find(const remoting_header *h, const char *key, buf_view *val);

/* Typed getters: 0 ok, REMOTING_EMISSING when absent, BUF_EINVAL when the
 * text is not a number of that type (Java's Integer/Long.parseLong rules:
 * optional sign, decimal digits, no spaces, no overflow).  bool accepts
 * "true"/"false" in any case. */
int remoting_ext_get_i32(const remoting_header *h, const char *key,
                         int32_t *out);
int remoting_ext_get_i64(const remoting_header *h, const char *key,
                         int64_t *out);
int remoting_ext_get_bool(const remoting_header *h, const char *key, int *out);

/* Parse a decimal view like Long.parseLong; 0 or BUF_EINVAL. */
int remoting_parse_i64(buf_view v, int64_t *out);
int remoting_parse_i32(buf_view v, int32_t *out);

/*
 * Append an ext entry for an encoder: the views must outlive the encode.
 * The array grows in the arena (capacity doubles); 0 or BUF_ENOMEM.
 */
int remoting_ext_add(remoting_header *h, wire_arena *a, const char *key,
                     buf_view value);
/* Same, with a NUL-terminated value / a decimal number (printed into the
 * arena). */
int remoting_ext_add_str(remoting_header *h, wire_arena *a, const char *key,
                         const char *value);
int remoting_ext_add_i64(remoting_header *h, wire_arena *a, const char *key,
                         int64_t value);

/* A view over a NUL-terminated string. */
static inline buf_view remoting_view(const char *s)
{
    buf_view v;
    v.ptr = (const uint8_t *)s;
    v.len = s ? strlen(s) : 0;
    v.is_null = s == NULL;
    return v;
}

#endif /* FERRY_REMOTING_H */
