/*
 * buf.c - bounds-checked reader and growable writer (see buf.h).
 *
 * Reader: every read first checks the sticky error and the bytes left; a
 * short read sets BUF_ESHORT and returns 0 / an empty view.  Varints:
 * unsigned LEB128 (Kafka flexible versions) is at most 5 bytes and the 5th
 * byte may only carry the top 4 bits of a uint32; zigzag varint is at most
 * 5 bytes, varlong at most 10 (the 10th carrying one bit).  Non-minimal
 * ("overlong" but within the maximum length) encodings are accepted, as
 * Kafka's ByteUtils does; anything longer is BUF_EINVAL.
 *
 * Writer: grows by doubling up to `max` (0 = unbounded); a fixed writer
 * never grows.  On failure err is set and every later write is a no-op.
 */
#include "buf.h"

#include <stdlib.h>

/* ---- reader -------------------------------------------------------- */

void buf_reader_init(buf_reader *r, const void *p, size_t len)
{
    r->p = (const uint8_t *)p;
    r->len = p ? len : 0;
    r->off = 0;
    r->err = 0;
}

/* Pointer to the next n bytes and advance, or NULL (err set). */
static const uint8_t *buf_take(buf_reader *r, size_t n)
{
    const uint8_t *q;

    if (r->err)
        return NULL;
    if (r->len - r->off < n) {
        r->err = BUF_ESHORT;
        return NULL;
    }
    q = r->p + r->off;
    r->off += n;
    return q;
}

int8_t buf_read_i8(buf_reader *r)
{
    const uint8_t *q = buf_take(r, 1);
    return q ? (int8_t)q[0] : 0;
}

int16_t buf_read_i16(buf_reader *r)
{
    const uint8_t *q = buf_take(r, 2);
    return q ? (int16_t)buf_get_u16be(q) : 0;
}

int32_t buf_read_i32(buf_reader *r)
{
    const uint8_t *q = buf_take(r, 4);
    return q ? (int32_t)buf_get_u32be(q) : 0;
}

int64_t buf_read_i64(buf_reader *r)
{
    const uint8_t *q = buf_take(r, 8);
    return q ? (int64_t)buf_get_u64be(q) : 0;
}

uint32_t buf_read_u32(buf_reader *r)
{
    const uint8_t *q = buf_take(r, 4);
    return q ? buf_get_u32be(q) : 0;
}

/* Unsigned LEB128 of at most max_bytes; the last allowed byte may carry
 * only `last_bits` bits.  The byte-at-a-time path of buf_read_leb (buf.h),
 * taken near the end of the input and after an error. */
uint64_t buf_read_leb_slow(buf_reader *r, int max_bytes, int last_bits)
{
    uint64_t v = 0;
    int i;

    if (r->err)
        return 0;
    for (i = 0; i < max_bytes; i++) {
        uint8_t b;
        if (r->off >= r->len) {
            r->err = BUF_ESHORT;
            return 0;
        }
        b = r->p[r->off++];
        if (i == max_bytes - 1 && (b & 0x80 || (b >> last_bits) != 0)) {
            r->err = BUF_EINVAL;
            return 0;
        }
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80))
            return v;
    }
    r->err = BUF_EINVAL; /* not reached */
    return 0;
}

buf_view buf_read_raw(buf_reader *r, size_t n)
{
    buf_view v = {NULL, 0, 0};
    const uint8_t *q = buf_take(r, n);
    if (q) {
        v.ptr = q;
        v.len = n;
    }
    return v;
}

void buf_skip(buf_reader *r, size_t n)
{
    (void)buf_take(r, n);
}

int32_t buf_check_count(buf_reader *r, int64_t count, size_t min_elem)
{
    if (r->err)
        return 0;
    if (count == -1)
        return -1;
    if (count < 0 || count > INT32_MAX) {
        r->err = BUF_EINVAL;
        return 0;
    }
    if (min_elem && (uint64_t)count > (r->len - r->off) / min_elem) {
        r->err = BUF_EINVAL;
        return 0;
    }
    return (int32_t)count;
}

int buf_reader_sub(buf_reader *r, size_t n, buf_reader *sub)
{
    const uint8_t *q = buf_take(r, n);
    if (!q) {
        buf_reader_init(sub, NULL, 0);
        sub->err = r->err;
        return r->err;
    }
    buf_reader_init(sub, q, n);
    return 0;
}

/* ---- writer -------------------------------------------------------- */

void buf_writer_init(buf_writer *w, size_t initial_cap, size_t max)
{
    memset(w, 0, sizeof(*w));
    w->max = max;
    if (initial_cap) {
        if (max && initial_cap > max)
            initial_cap = max;
        w->p = malloc(initial_cap);
        if (w->p)
            w->cap = initial_cap;
    }
}

void buf_writer_init_fixed(buf_writer *w, void *mem, size_t cap)
{
    memset(w, 0, sizeof(*w));
    w->p = mem;
    w->cap = mem ? cap : 0;
    w->max = w->cap;
    w->fixed = 1;
}

void buf_writer_release(buf_writer *w)
{
    if (!w->fixed)
        free(w->p);
    memset(w, 0, sizeof(*w));
}

uint8_t *buf_reserve(buf_writer *w, size_t n)
{
    size_t need, ncap;
    uint8_t *np;

    if (w->err)
        return NULL;
    if (n > SIZE_MAX - w->len) {
        w->err = BUF_ELIMIT;
        return NULL;
    }
    need = w->len + n;
    if (w->max && need > w->max) {
        w->err = BUF_ELIMIT;
        return NULL;
    }
    if (need <= w->cap)
        return w->p + w->len;
    if (w->fixed) {
        w->err = BUF_ELIMIT;
        return NULL;
    }
    ncap = w->cap ? w->cap : 256;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2) {
            ncap = need;
            break;
        }
        ncap *= 2;
    }
    if (w->max && ncap > w->max)
        ncap = w->max;
    np = realloc(w->p, ncap);
    if (!np) {
        w->err = BUF_ENOMEM;
        return NULL;
    }
    w->p = np;
    w->cap = ncap;
    return w->p + w->len;
}

void buf_write_raw(buf_writer *w, const void *p, size_t n)
{
    uint8_t *q;

    if (n == 0)
        return;
    q = buf_reserve(w, n);
    if (!q)
        return;
    memcpy(q, p, n);
    w->len += n;
}

void buf_write_i8(buf_writer *w, int8_t v)
{
    uint8_t *q = buf_reserve(w, 1);
    if (q) {
        q[0] = (uint8_t)v;
        w->len += 1;
    }
}

void buf_write_i16(buf_writer *w, int16_t v)
{
    uint8_t *q = buf_reserve(w, 2);
    if (q) {
        buf_put_u16be(q, (uint16_t)v);
        w->len += 2;
    }
}

void buf_write_i32(buf_writer *w, int32_t v)
{
    uint8_t *q = buf_reserve(w, 4);
    if (q) {
        buf_put_u32be(q, (uint32_t)v);
        w->len += 4;
    }
}

void buf_write_i64(buf_writer *w, int64_t v)
{
    uint8_t *q = buf_reserve(w, 8);
    if (q) {
        buf_put_u64be(q, (uint64_t)v);
        w->len += 8;
    }
}

void buf_write_u32(buf_writer *w, uint32_t v)
{
    uint8_t *q = buf_reserve(w, 4);
    if (q) {
        buf_put_u32be(q, v);
        w->len += 4;
    }
}

static void buf_write_leb(buf_writer *w, uint64_t v)
{
    uint8_t tmp[10];
    size_t n = 0;

    while (v >= 0x80) {
        tmp[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    tmp[n++] = (uint8_t)v;
    buf_write_raw(w, tmp, n);
}

void buf_write_uvarint(buf_writer *w, uint32_t v)
{
    buf_write_leb(w, v);
}

void buf_write_varint(buf_writer *w, int32_t v)
{
    uint32_t u = ((uint32_t)v << 1) ^ (uint32_t)(v >> 31);
    buf_write_leb(w, u);
}

void buf_write_varlong(buf_writer *w, int64_t v)
{
    uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
    buf_write_leb(w, u);
}

size_t buf_reserve_i32(buf_writer *w)
{
    size_t at = w->len;
    buf_write_i32(w, 0);
    return at;
}

void buf_patch_i32(buf_writer *w, size_t at, int32_t v)
{
    if (w->err || at > w->len || w->len - at < 4)
        return;
    buf_put_u32be(w->p + at, (uint32_t)v);
}

static size_t buf_leb_size(uint64_t v)
{
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

size_t buf_uvarint_size(uint32_t v)
{
    return buf_leb_size(v);
}

size_t buf_varint_size(int32_t v)
{
    return buf_leb_size(((uint32_t)v << 1) ^ (uint32_t)(v >> 31));
}

size_t buf_varlong_size(int64_t v)
{
    return buf_leb_size(((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}
