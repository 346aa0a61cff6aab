/*
 * remoting_message.h - RocketMQ messages on the wire: the stored/pulled
 * record, the SEND_BATCH_MESSAGE body, the properties string, reserved
 * property keys, sysFlag bits, message ids, BODYCRC and the tag hash.
 *
 * Stored record (= pulled record, = CHECK_TRANSACTION_STATE body), offsets
 * for IPv4 hosts:
 *
 *   0  4  TOTALSIZE (whole record)        48  8|20 BORNHOST ip + int32 port
 *   4  4  MAGICCODE V1 0xDAA320A7 /        56  8  STORETIMESTAMP
 *         V2 0xDAA320AB                   64  8|20 STOREHOST ip + int32 port
 *   8  4  BODYCRC                         72  4  RECONSUMETIMES
 *  12  4  QUEUEID                         76  8  PREPARED TRANSACTION OFFSET
 *  16  4  FLAG                            84  4+n BODY
 *  20  8  QUEUEOFFSET                         1+t TOPIC (V1) / 2+t (V2)
 *  28  8  PHYSICALOFFSET                      2+p PROPERTIES
 *  36  4  SYSFLAG (0x10: born v6, 0x20: store v6)
 *  40  8  BORNTIMESTAMP
 *
 * A record is valid when TOTALSIZE equals the bytes its fields use, the
 * magic is V1 or V2 and every length is non-negative and inside TOTALSIZE.
 * BODYCRC is not checked by the decoder (remoting_body_crc computes it).
 *
 * Batch body entry: TOTALSIZE, MAGICCODE (ignored), BODYCRC (ignored), FLAG,
 * int32 bodyLen + body, int16 propertiesLen + properties; TOTALSIZE must
 * equal 22 + bodyLen + propertiesLen.
 *
 * Properties: key \x01 value \x02 ...; decoding follows Java's
 * MessageDecoder.string2messageProperties: pieces between \x02 without a
 * \x01 after a non-empty key, or with an empty value, are skipped.
 *
 * Decoded views borrow the input bytes.  Pure; thread-safe.
 */
#ifndef FERRY_REMOTING_MESSAGE_H
#define FERRY_REMOTING_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "wire_arena.h"

#define REMOTING_MAGIC_V1    ((int32_t)0xDAA320A7) /* -626843481 */
#define REMOTING_MAGIC_V2    ((int32_t)0xDAA320AB) /* -626843477 */
#define REMOTING_BLANK_MAGIC ((int32_t)0xCBD43194) /* CommitLog end marker */

/* Fixed bytes of a V1 record with IPv4 hosts and empty body/topic/props. */
#define REMOTING_MSG_FIXED_V4 91
/* Topics longer than this need the V2 magic (2-byte topic length). */
#define REMOTING_TOPIC_MAX_V1   127
#define REMOTING_PROPERTIES_MAX 32767
#define REMOTING_BATCH_FIXED    22

/* ---- sysFlag (MessageSysFlag) ---- */
#define REMOTING_SYSFLAG_COMPRESSED           0x1
#define REMOTING_SYSFLAG_MULTI_TAGS           0x2
#define REMOTING_SYSFLAG_TRANSACTION_NOT      0x0
#define REMOTING_SYSFLAG_TRANSACTION_PREPARED 0x4
#define REMOTING_SYSFLAG_TRANSACTION_COMMIT   0x8
#define REMOTING_SYSFLAG_TRANSACTION_ROLLBACK 0xC
#define REMOTING_SYSFLAG_TRANSACTION_MASK     0xC
#define REMOTING_SYSFLAG_BORNHOST_V6          0x10
#define REMOTING_SYSFLAG_STOREHOST_V6         0x20
#define REMOTING_SYSFLAG_NEED_UNWRAP          0x40
#define REMOTING_SYSFLAG_INNER_BATCH          0x80
#define REMOTING_SYSFLAG_COMPRESSION_LZ4      0x100
#define REMOTING_SYSFLAG_COMPRESSION_ZSTD     0x200
#define REMOTING_SYSFLAG_COMPRESSION_ZLIB     0x300
#define REMOTING_SYSFLAG_COMPRESSION_MASK     0x700

/* ---- PullSysFlag ---- */
#define REMOTING_PULL_COMMIT_OFFSET 0x1
#define REMOTING_PULL_SUSPEND       0x2
#define REMOTING_PULL_SUBSCRIPTION  0x4
#define REMOTING_PULL_CLASS_FILTER  0x8
#define REMOTING_PULL_LITE_PULL     0x10

/* ---- reserved property keys (MessageConst) ---- */
#define REMOTING_PROP_TAGS                       "TAGS"
#define REMOTING_PROP_KEYS                       "KEYS"
#define REMOTING_PROP_WAIT                       "WAIT"
#define REMOTING_PROP_DELAY                      "DELAY"
#define REMOTING_PROP_UNIQ_KEY                   "UNIQ_KEY"
#define REMOTING_PROP_REAL_TOPIC                 "REAL_TOPIC"
#define REMOTING_PROP_REAL_QID                   "REAL_QID"
#define REMOTING_PROP_TRAN_MSG                   "TRAN_MSG"
#define REMOTING_PROP_PGROUP                     "PGROUP"
#define REMOTING_PROP_TRANSACTION_ID             "__transactionId__"
#define REMOTING_PROP_TRAN_PREPARED_QUEUE_OFFSET "TRAN_PREPARED_QUEUE_OFFSET"
#define REMOTING_PROP_TRANSACTION_CHECK_TIMES    "TRANSACTION_CHECK_TIMES"
#define REMOTING_PROP_CHECK_IMMUNITY_TIME_IN_SECONDS                           \
    "CHECK_IMMUNITY_TIME_IN_SECONDS"
#define REMOTING_PROP_RETRY_TOPIC           "RETRY_TOPIC"
#define REMOTING_PROP_RECONSUME_TIME        "RECONSUME_TIME"
#define REMOTING_PROP_MAX_RECONSUME_TIMES   "MAX_RECONSUME_TIMES"
#define REMOTING_PROP_ORIGIN_MESSAGE_ID     "ORIGIN_MESSAGE_ID"
#define REMOTING_PROP_MIN_OFFSET            "MIN_OFFSET"
#define REMOTING_PROP_MAX_OFFSET            "MAX_OFFSET"
#define REMOTING_PROP_CLUSTER               "CLUSTER"
#define REMOTING_PROP_MSG_REGION            "MSG_REGION"
#define REMOTING_PROP_TRACE_ON              "TRACE_ON"
#define REMOTING_PROP_INSTANCE_ID           "INSTANCE_ID"
#define REMOTING_PROP_CORRELATION_ID        "CORRELATION_ID"
#define REMOTING_PROP_REPLY_TO_CLIENT       "REPLY_TO_CLIENT"
#define REMOTING_PROP_TTL                   "TTL"
#define REMOTING_PROP_ARRIVE_TIME           "ARRIVE_TIME"
#define REMOTING_PROP_PUSH_REPLY_TIME       "PUSH_REPLY_TIME"
#define REMOTING_PROP_MSG_TYPE              "MSG_TYPE"
#define REMOTING_PROP_SHARDING_KEY          "__SHARDINGKEY"
#define REMOTING_PROP_CONSUME_START_TIME    "CONSUME_START_TIME"
#define REMOTING_PROP_TIMER_DELIVER_MS      "TIMER_DELIVER_MS"
#define REMOTING_PROP_TIMER_DELAY_SEC       "TIMER_DELAY_SEC"
#define REMOTING_PROP_TIMER_DELAY_MS        "TIMER_DELAY_MS"
#define REMOTING_PROP_TIMER_OUT_MS          "TIMER_OUT_MS"
#define REMOTING_PROP_INNER_NUM             "INNER_NUM"
#define REMOTING_PROP_INNER_BASE            "INNER_BASE"
#define REMOTING_PROP_CRC32                 "__CRC32#"
#define REMOTING_PROP_BUYER_ID              "BUYER_ID"
#define REMOTING_PROP_TRANSFER_FLAG         "TRANSFER_FLAG"
#define REMOTING_PROP_CORRECTION_FLAG       "CORRECTION_FLAG"
#define REMOTING_PROP_MQ2_FLAG              "MQ2_FLAG"
#define REMOTING_PROP_DUP_INFO              "DUP_INFO"
#define REMOTING_PROP_EXTEND_UNIQ_INFO      "EXTEND_UNIQ_INFO"
#define REMOTING_PROP_POP_CK                "POP_CK"
#define REMOTING_PROP_FIRST_POP_TIME        "1ST_POP_TIME"
#define REMOTING_PROP_DLQ_ORIGIN_TOPIC      "DLQ_ORIGIN_TOPIC"
#define REMOTING_PROP_DLQ_ORIGIN_MESSAGE_ID "DLQ_ORIGIN_MESSAGE_ID"
#define REMOTING_PROP_BORN_TIMESTAMP        "BORN_TIMESTAMP"
#define REMOTING_PROP_BORN_HOST             "__BORNHOST"
/* Keys with this prefix are never stored. */
#define REMOTING_PROP_TRANSIENT_PREFIX "__RMQ.TRANSIENT."

#define REMOTING_PROP_NAME_VALUE_SEP 0x01
#define REMOTING_PROP_SEP            0x02

/* ------------------------------------------------------------------ */
/* Stored record                                                       */
/* ------------------------------------------------------------------ */

typedef struct remoting_host {
    uint8_t ip[16]; /* IPv4 in ip[0..3] */
    int is_v6;
    int32_t port;
} remoting_host;

typedef struct remoting_msg {
    int32_t total_size; /* decode: as read; encode: ignored (computed) */
    int32_t magic;      /* encode: 0 = V1, or V2 when the topic needs it */
    int32_t body_crc;   /* written verbatim */
    int32_t queue_id;
    int32_t flag;
    int64_t queue_offset;
    int64_t physical_offset;
    int32_t sys_flag; /* encode: the host bits follow the hosts */
    int64_t born_timestamp;
    remoting_host born_host;
    int64_t store_timestamp;
    remoting_host store_host;
    int32_t reconsume_times;
    int64_t prepared_transaction_offset;
    buf_view body;
    buf_view topic;
    buf_view properties;
} remoting_msg;

/* Decode one record at the reader; on success the reader is just past it.
 * BUF_ESHORT when the bytes end inside the record (a pull body cut short),
 * BUF_EINVAL when it is malformed. */
int remoting_msg_decode(buf_reader *r, remoting_msg *m);

/* Bytes remoting_msg_encode will write, or 0 if the message cannot be
 * encoded (topic > 32767 bytes, properties > 32767, body > INT32_MAX). */
size_t remoting_msg_encoded_size(const remoting_msg *m);

/* Append one record.  BUF_EINVAL if it cannot be encoded (see above, or a
 * V1 magic asked for a topic over 127 bytes). */
int remoting_msg_encode(buf_writer *w, const remoting_msg *m);

/* ------------------------------------------------------------------ */
/* SEND_BATCH_MESSAGE body                                             */
/* ------------------------------------------------------------------ */

typedef struct remoting_batch_msg {
    int32_t flag;
    buf_view body;
    buf_view properties;
} remoting_batch_msg;

typedef struct remoting_batch_iter {
    buf_reader r;
} remoting_batch_iter;

void remoting_batch_iter_init(remoting_batch_iter *it, const uint8_t *p,
                              size_t n);
/* 1 = *m filled, 0 = end, <0 = malformed (BUF_EINVAL / BUF_ESHORT). */
int remoting_batch_next(remoting_batch_iter *it, remoting_batch_msg *m);
/* Walk the whole body first (STYLE §3); *count = messages.  An empty
 * body is malformed (Java rejects an empty batch). */
int remoting_batch_validate(const uint8_t *p, size_t n, int32_t *count);
/* Append one batch entry (what a producer sends). */
int remoting_batch_append(buf_writer *w, int32_t flag, buf_view body,
                          buf_view properties);

/* ------------------------------------------------------------------ */
/* Properties                                                          */
/* ------------------------------------------------------------------ */

typedef struct remoting_prop {
    buf_view key;
    buf_view value;
} remoting_prop;

typedef struct remoting_prop_iter {
    const uint8_t *p;
    size_t len, off;
} remoting_prop_iter;

void remoting_prop_iter_init(remoting_prop_iter *it, const uint8_t *p,
                             size_t n);
/* 1 = next valid pair, 0 = end.  Never fails: malformed pieces are
 * skipped as Java does. */
int remoting_prop_next(remoting_prop_iter *it, remoting_prop *out);

/* Decode into an array from the arena; BUF_ENOMEM if it is full. */
int remoting_props_decode(const uint8_t *p, size_t n, wire_arena *a,
                          remoting_prop **props, int32_t *count);
/* The value of key (last one wins, as in Java's map); 1 found, 0 not. */
int remoting_props_find(const uint8_t *p, size_t n, const char *key,
                        buf_view *val);
/* Append key\x01value\x02 for each pair.  BUF_EINVAL (and nothing
 * written) when a key or value is empty, a key holds \x01 or \x02, a value
 * holds \x02, or the pairs would pass REMOTING_PROPERTIES_MAX bytes. */
int remoting_props_encode(buf_writer *w, const remoting_prop *props,
                          int32_t count);
/* One pair, for building properties piece by piece: `start` is w->len
 * before the first pair, so the limit counts them all. */
int remoting_props_append(buf_writer *w, size_t start, const char *key,
                          buf_view value);

/* ------------------------------------------------------------------ */
/* Message ids, CRC, tag hash                                          */
/* ------------------------------------------------------------------ */

#define REMOTING_OFFSET_MSGID_V4_LEN 32
#define REMOTING_OFFSET_MSGID_V6_LEN 56
#define REMOTING_UNIQ_KEY_V4_LEN     32
#define REMOTING_UNIQ_KEY_V6_LEN     56

/* offsetMsgId: uppercase hex of store ip + int32 port + int64 commit-log
 * offset.  out needs 57 bytes; NUL-terminated; returns the length. */
size_t remoting_offset_msgid_encode(const remoting_host *store,
                                    int64_t physical_offset, char *out);
/* Either case of hex; 32 or 56 chars.  0 or BUF_EINVAL. */
int remoting_offset_msgid_decode(const char *s, size_t n, remoting_host *store,
                                 int64_t *physical_offset);

/* UNIQ_KEY (MessageClientIDSetter): uppercase hex of ip (4 or 16 bytes),
 * int16 pid, int32 class-loader hash (Go: 0), int32 milliseconds since the
 * start of the current month, int16 counter.  No clock inside: the caller
 * passes every part.  out needs 57 bytes; returns the length. */
size_t remoting_uniq_key_make(const remoting_host *client, uint16_t pid,
                              int32_t loader_hash, int32_t ms_in_month,
                              uint16_t counter, char *out);

/* BODYCRC: CRC-32 (zlib/java.util.zip.CRC32) & 0x7FFFFFFF. */
int32_t remoting_body_crc(const uint8_t *p, size_t n);

/* tagsCode: Java String.hashCode() of the tag over UTF-16 code units
 * (invalid UTF-8 counts as U+FFFD), sign-extended; 0 for an empty tag. */
int64_t remoting_tag_hash(const uint8_t *s, size_t len);

#endif /* FERRY_REMOTING_MESSAGE_H */
