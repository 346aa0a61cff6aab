/*
 * kafka_record_batch.h - Kafka record batch v2 (magic 2): parse, validate,
 * iterate records and headers, patch offsets, encode.
 *
 * Batch layout (big-endian; CRC-32C covers [21, end)):
 *
 *   off  size field                 notes
 *     0     8 baseOffset            broker overwrites (not under CRC)
 *     8     4 batchLength           bytes after this field (= total - 12)
 *    12     4 partitionLeaderEpoch  broker overwrites (not under CRC)
 *    16     1 magic                 2
 *    17     4 crc                   CRC-32C of [21, end)
 *    21     2 attributes            0-2 codec, 3 ts type, 4 txn, 5 control,
 *                                   6 delete horizon
 *    23     4 lastOffsetDelta
 *    27     8 baseTimestamp
 *    35     8 maxTimestamp
 *    43     8 producerId
 *    51     2 producerEpoch
 *    53     4 baseSequence
 *    57     4 recordsCount
 *    61     - records (one compressed stream when codec != none)
 *
 * Record (zigzag varints): length, attributes:i8, timestampDelta:varlong,
 * offsetDelta, keyLength (-1 null), key, valueLength (-1 null), value,
 * headerCount, then per header: keyLength (>= 0), key, valueLength (-1
 * null), value.
 *
 * Validation (kafka_batch_validate) checks the batch end to end before the
 * broker trusts anything in it; a batch that passes can be iterated with
 * kafka_record_next without further error paths in practice (it still
 * checks, so a skipped validation cannot crash).
 *
 * Pure and thread-safe.
 */
#ifndef FERRY_KAFKA_RECORD_BATCH_H
#define FERRY_KAFKA_RECORD_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define KAFKA_BATCH_HEADER_SIZE 61
#define KAFKA_BATCH_LOG_OVERHEAD 12 /* baseOffset + batchLength */
#define KAFKA_BATCH_CRC_OFFSET 17
#define KAFKA_BATCH_CRC_START 21
#define KAFKA_BATCH_MAGIC 2

#define KAFKA_ATTR_CODEC_MASK     0x07
#define KAFKA_ATTR_TIMESTAMP_TYPE 0x08 /* 1 = LogAppendTime */
#define KAFKA_ATTR_TRANSACTIONAL  0x10
#define KAFKA_ATTR_CONTROL        0x20
#define KAFKA_ATTR_DELETE_HORIZON 0x40

typedef enum kafka_codec {
    KAFKA_CODEC_NONE = 0,
    KAFKA_CODEC_GZIP = 1,
    KAFKA_CODEC_SNAPPY = 2,
    KAFKA_CODEC_LZ4 = 3,
    KAFKA_CODEC_ZSTD = 4
} kafka_codec;

typedef struct kafka_batch_header {
    int64_t base_offset;
    int32_t batch_length;
    int32_t partition_leader_epoch;
    int8_t magic;
    uint32_t crc;
    int16_t attributes;
    int32_t last_offset_delta;
    int64_t base_timestamp;
    int64_t max_timestamp;
    int64_t producer_id;
    int16_t producer_epoch;
    int32_t base_sequence;
    int32_t records_count;
} kafka_batch_header;

/* Parse the 61-byte header (no CRC or size check beyond len >= 61 and
 * magic == 2).  0, BUF_ESHORT (len < 61) or BUF_EINVAL (magic). */
int kafka_batch_header_parse(const uint8_t *p, size_t len,
                             kafka_batch_header *h);

/* Total size of the batch starting at p as declared by batchLength
 * (12 + batchLength), or a negative BUF_* code when fewer than 12 bytes or a
 * batchLength < 49.  Lets callers split concatenated batches. */
int64_t kafka_batch_size(const uint8_t *p, size_t len);

typedef struct kafka_batch_limits {
    size_t max_batch_bytes;   /* 0 = no check; > it: MESSAGE_TOO_LARGE */
    size_t max_uncompressed;  /* cap on decompressed records; 0 = 64 MiB */
    int32_t max_records;      /* 0 = no extra cap */
} kafka_batch_limits;

typedef struct kafka_batch_info {
    kafka_batch_header hdr;
    int32_t count;
    int codec; /* kafka_codec */
    int64_t base_timestamp;
    int64_t max_timestamp;
    int64_t producer_id;
    int16_t producer_epoch;
    int32_t base_sequence;
    int is_transactional;
    int is_control;
    int timestamp_type;          /* 0 CreateTime, 1 LogAppendTime */
    int64_t max_record_timestamp; /* largest base + delta seen */
    /* Seen while validating, so that callers looking for keys or headers
     * can skip a batch (most batches) that has none without walking it. */
    int32_t records_with_key;     /* records whose key is not null */
    int32_t records_with_headers; /* records with headerCount > 0 */
    /* Uncompressed records section: points into the batch (codec none) or
     * into scratch->p (compressed; valid until scratch changes). */
    const uint8_t *records;
    size_t records_len;
} kafka_batch_info;

/* Validate one batch occupying exactly [p, p+len): magic 2, batchLength ==
 * len - 12, CRC-32C, codec known, decompression within
 * lim->max_uncompressed (into scratch, which is reset first; a bomb is
 * refused, never allocated), recordsCount sane, every record parses exactly
 * (varints, lengths, headers), offsetDeltas strictly increasing from >= 0,
 * lastOffsetDelta consistent with them.
 *
 * Returns a KAFKA_ERR_* (0 = ok): CORRUPT_MESSAGE for a size/CRC/format
 * problem, INVALID_RECORD for bad records, UNSUPPORTED_COMPRESSION_TYPE for
 * an unknown codec, MESSAGE_TOO_LARGE / RECORD_LIST_TOO_LARGE for limits.
 * errbuf (optional) gets a short reason.  scratch may be NULL for an
 * uncompressed batch (a compressed one then fails with
 * UNKNOWN_SERVER_ERROR).  lim may be NULL (defaults). */
int kafka_batch_validate(const uint8_t *p, size_t len,
                         const kafka_batch_limits *lim, buf_writer *scratch,
                         kafka_batch_info *info, char *errbuf, size_t errlen);

/* Overwrite baseOffset / partitionLeaderEpoch in place (outside the CRC). */
void kafka_batch_set_base_offset(uint8_t *batch, int64_t base_offset);
void kafka_batch_set_leader_epoch(uint8_t *batch, int32_t epoch);

/* ---- record iteration ---------------------------------------------- */

typedef struct kafka_record {
    int8_t attributes;
    int64_t timestamp_delta;
    int32_t offset_delta;
    buf_view key;   /* is_null for a null key */
    buf_view value; /* is_null for a null value */
    int32_t header_count;
    buf_view headers; /* raw header bytes, for kafka_header_iter_init */
} kafka_record;

typedef struct kafka_record_iter {
    buf_reader r;
    int32_t left; /* records still to read */
} kafka_record_iter;

/* Iterate `count` records over an uncompressed records section (e.g.
 * info.records / info.records_len / info.count). */
void kafka_record_iter_init(kafka_record_iter *it, const uint8_t *records,
                            size_t len, int32_t count);
/* 1 = *rec filled, 0 = no more records (and every byte consumed),
 * negative BUF_* = malformed (sticky). */
int kafka_record_next(kafka_record_iter *it, kafka_record *rec);

typedef struct kafka_header_iter {
    buf_reader r;
    int32_t left;
} kafka_header_iter;

void kafka_header_iter_init(kafka_header_iter *it, const kafka_record *rec);
/* 1 = key/value filled (value may be is_null), 0 = done, negative =
 * malformed. */
int kafka_header_next(kafka_header_iter *it, buf_view *key, buf_view *value);

/* ---- encoder ------------------------------------------------------- */

typedef struct kafka_rec_header {
    buf_view key;
    buf_view value; /* is_null allowed */
} kafka_rec_header;

typedef struct kafka_record_in {
    int64_t timestamp;     /* absolute; delta from the first is computed */
    int32_t offset_delta;  /* used only with kafka_batch_params.explicit_deltas */
    buf_view key;          /* is_null allowed */
    buf_view value;        /* is_null allowed */
    const kafka_rec_header *headers;
    int32_t n_headers;
} kafka_record_in;

typedef struct kafka_batch_params {
    int64_t base_offset;
    int32_t partition_leader_epoch;
    int codec;             /* kafka_codec */
    int level;             /* compression level; 0 = codec default */
    int timestamp_type;    /* 0 CreateTime, 1 LogAppendTime */
    int is_transactional;
    int is_control;
    int64_t producer_id;   /* -1 when not idempotent */
    int16_t producer_epoch;
    int32_t base_sequence;
    int explicit_deltas;   /* 1: use records[i].offset_delta (increasing) */
    int64_t max_timestamp; /* used when > every record's (LogAppendTime) */
} kafka_batch_params;

/* Sets the non-idempotent defaults: producer_id -1, epoch -1, sequence -1,
 * partition_leader_epoch -1, everything else 0. */
void kafka_batch_params_init(kafka_batch_params *bp);

/* Append one batch of n records (n >= 0) to w, compressed with bp->codec,
 * with a correct batchLength and CRC.  0 or a negative BUF_* code. */
int kafka_batch_encode(buf_writer *w, const kafka_batch_params *bp,
                       const kafka_record_in *recs, int32_t n);

#endif /* FERRY_KAFKA_RECORD_BATCH_H */
