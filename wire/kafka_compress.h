/*
 * kafka_compress.h - the four Kafka compression codecs, with output caps.
 *
 * Decompression never writes more than max_out bytes and never allocates
 * more than that (plus the codec's fixed working state): a zstd or gzip bomb
 * stops at the cap with BUF_ELIMIT.  Output goes to a buf_writer so the
 * caller owns and reuses the memory.
 *
 *   gzip    zlib inflate, windowBits 16+MAX_WBITS (gzip wrapper); several
 *           concatenated members are accepted.
 *   snappy  xerial framing (magic 82 'SNAPPY' 00, version, compat, then
 *           [int32 len][raw block]...) or a raw snappy block.
 *   lz4     LZ4 frame format (lz4frame.h).
 *   zstd    zstd frame(s), ZSTD_decompressStream with bounded output.
 *
 * Pure; thread-safe (contexts are per call).
 */
#ifndef FERRY_KAFKA_COMPRESS_H
#define FERRY_KAFKA_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* Append the decompressed form of in[0..len) to out, at most max_out bytes.
 * 0, BUF_ELIMIT (would exceed max_out), BUF_EINVAL (corrupt or unknown
 * codec), BUF_ENOMEM. */
int kafka_decompress(int codec, const uint8_t *in, size_t len,
                     buf_writer *out, size_t max_out);

/* Append the compressed form of in[0..len) to out.  level 0 = default.
 * snappy output uses the xerial framing (what Java and librdkafka send).
 * 0 or a negative BUF_* code. */
int kafka_compress(int codec, int level, const uint8_t *in, size_t len,
                   buf_writer *out);

/* Raw snappy block, no framing (tests; some clients send it). */
int kafka_compress_snappy_raw(const uint8_t *in, size_t len, buf_writer *out);

#endif /* FERRY_KAFKA_COMPRESS_H */
