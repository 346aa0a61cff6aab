/*
 * buf.h - bounds-checked byte reader and growable byte writer.
 *
 * Every decoder in Ferry reads through a buf_reader and every encoder writes
 * through a buf_writer.  Both carry a sticky error: once a read runs past the
 * end (or a write cannot grow), `err` is set, every later read returns 0 /
 * an empty view and every later write is a no-op, so a codec checks once at
 * the end instead of after every field (after librdkafka's rd_slice and
 * rdkafka_buf.h read macros).
 *
 * Integers are big-endian (network order), as in both Kafka and RocketMQ.
 * Views ({ptr,len}) borrow from the reader's bytes and are never assumed to be
 * NUL-terminated.
 *
 * This module has no dependencies; store/ uses it too (the inline big-endian
 * helpers and CRC32C), which is why it lives in its own library, ferry_bytes.
 */
#ifndef FERRY_BUF_H
#define FERRY_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Error codes shared by the byte layer and codecs (0 = ok). */
#define BUF_OK        0
#define BUF_ESHORT    (-1) /* ran past the end of input */
#define BUF_EINVAL    (-2) /* malformed: bad varint, count too large, ... */
#define BUF_ENOMEM    (-3) /* writer could not grow */
#define BUF_ELIMIT    (-4) /* writer would exceed its hard cap */

/* A borrowed view of bytes.  ptr may be NULL when len == 0 or for a null
 * (absent) value, which is signalled by is_null. */
typedef struct buf_view {
    const uint8_t *ptr;
    size_t len;
    int is_null;
} buf_view;

typedef struct buf_reader {
    const uint8_t *p;
    size_t len;
    size_t off;
    int err;
} buf_reader;

typedef struct buf_writer {
    uint8_t *p;
    size_t len;
    size_t cap;
    size_t max; /* hard cap on len; 0 = no cap */
    int err;
    int fixed;  /* 1: p is caller memory and never reallocated */
} buf_writer;

/* ---- inline big-endian helpers on raw memory (no bounds checks) ---- */

static inline uint16_t buf_get_u16be(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}
static inline uint32_t buf_get_u32be(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           (uint32_t)p[3];
}
static inline uint64_t buf_get_u64be(const uint8_t *p)
{
    return (uint64_t)buf_get_u32be(p) << 32 | buf_get_u32be(p + 4);
}
static inline void buf_put_u16be(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void buf_put_u32be(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
static inline void buf_put_u64be(uint8_t *p, uint64_t v)
{
    buf_put_u32be(p, (uint32_t)(v >> 32));
    buf_put_u32be(p + 4, (uint32_t)v);
}

/* ---- reader ---- */

void buf_reader_init(buf_reader *r, const void *p, size_t len);
static inline size_t buf_left(const buf_reader *r)
{
    return r->err ? 0 : r->len - r->off;
}
int8_t buf_read_i8(buf_reader *r);
int16_t buf_read_i16(buf_reader *r);
int32_t buf_read_i32(buf_reader *r);
int64_t buf_read_i64(buf_reader *r);
uint32_t buf_read_u32(buf_reader *r);
/*
 * Unsigned LEB128 of at most max_bytes, the last of which may carry only
 * last_bits bits (longer or overflowing: BUF_EINVAL; past the end:
 * BUF_ESHORT).  Inline because record batches are walked varint by
 * varint: a one-byte varint (the common case) costs one bounds test, and
 * with max_bytes left no further byte needs its own; otherwise, or after
 * an error, buf_read_leb_slow reads byte by byte.  Both leave off and err
 * alike.
 */
uint64_t buf_read_leb_slow(buf_reader *r, int max_bytes, int last_bits);
static inline uint64_t buf_read_leb(buf_reader *r, int max_bytes,
                                    int last_bits)
{
    if (!r->err && r->off < r->len) {
        const uint8_t *q = r->p + r->off;
        uint64_t v = q[0];
        if (!(v & 0x80)) {
            r->off++;
            return v;
        }
        if (max_bytes < 3 || r->len - r->off < (size_t)max_bytes)
            return buf_read_leb_slow(r, max_bytes, last_bits);
        v = (v & 0x7f) | (uint64_t)(q[1] & 0x7f) << 7;
        if (!(q[1] & 0x80)) { /* two bytes (max_bytes is 5 or 10) */
            r->off += 2;
            return v;
        }
        for (int i = 2; i < max_bytes; i++) {
            uint8_t b = q[i];
            if (i == max_bytes - 1 && (b & 0x80 || (b >> last_bits) != 0)) {
                r->off += (size_t)max_bytes;
                r->err = BUF_EINVAL;
                return 0;
            }
            v |= (uint64_t)(b & 0x7f) << (7 * i);
            if (!(b & 0x80)) {
                r->off += (size_t)i + 1;
                return v;
            }
        }
    }
    return buf_read_leb_slow(r, max_bytes, last_bits);
}
/* Unsigned LEB128 varint (Kafka flexible versions); max 5 bytes. */
static inline uint32_t buf_read_uvarint(buf_reader *r)
{
    return (uint32_t)buf_read_leb(r, 5, 4);
}
/* Zigzag varint / varlong (Kafka records). */
static inline int32_t buf_read_varint(buf_reader *r)
{
    uint32_t u = (uint32_t)buf_read_leb(r, 5, 4);
    return (int32_t)((u >> 1) ^ (0u - (u & 1)));
}
static inline int64_t buf_read_varlong(buf_reader *r)
{
    uint64_t u = buf_read_leb(r, 10, 1);
    return (int64_t)((u >> 1) ^ (0u - (u & 1)));
}
/* n raw bytes as a view; sets BUF_ESHORT if fewer are left. */
buf_view buf_read_raw(buf_reader *r, size_t n);
/* Skip n bytes. */
void buf_skip(buf_reader *r, size_t n);
/* Read an element count and check count * min_elem <= bytes left; a count
 * that cannot fit sets BUF_EINVAL and returns 0.  A negative count (-1 = null
 * array) is returned as -1 without error; the caller decides. */
int32_t buf_check_count(buf_reader *r, int64_t count, size_t min_elem);
/* Narrow: a sub-reader over the next n bytes, which the parent skips. */
int buf_reader_sub(buf_reader *r, size_t n, buf_reader *sub);
/* Mark the reader malformed (sticky). */
static inline void buf_reader_fail(buf_reader *r, int err)
{
    if (!r->err)
        r->err = err;
}

/* ---- writer ---- */

/* Growable writer on the heap; max = hard cap (0 = none). */
void buf_writer_init(buf_writer *w, size_t initial_cap, size_t max);
/* Writer over caller memory that never grows. */
void buf_writer_init_fixed(buf_writer *w, void *mem, size_t cap);
void buf_writer_release(buf_writer *w);
/* Make room for n more bytes; returns a pointer to write them or NULL (err
 * set).  The caller must then call buf_commit(w, n). */
uint8_t *buf_reserve(buf_writer *w, size_t n);
static inline void buf_commit(buf_writer *w, size_t n)
{
    w->len += n;
}
void buf_write_raw(buf_writer *w, const void *p, size_t n);
void buf_write_i8(buf_writer *w, int8_t v);
void buf_write_i16(buf_writer *w, int16_t v);
void buf_write_i32(buf_writer *w, int32_t v);
void buf_write_i64(buf_writer *w, int64_t v);
void buf_write_u32(buf_writer *w, uint32_t v);
void buf_write_uvarint(buf_writer *w, uint32_t v);
void buf_write_varint(buf_writer *w, int32_t v);
void buf_write_varlong(buf_writer *w, int64_t v);
/* Placeholders patched later (length / count prefixes). Return the offset. */
size_t buf_reserve_i32(buf_writer *w);
void buf_patch_i32(buf_writer *w, size_t at, int32_t v);
/* Size in bytes of a varint encoding. */
size_t buf_uvarint_size(uint32_t v);
size_t buf_varint_size(int32_t v);
size_t buf_varlong_size(int64_t v);

#endif /* FERRY_BUF_H */
