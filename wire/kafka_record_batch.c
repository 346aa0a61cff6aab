/*
 * kafka_record_batch.c - record batch v2: header parse, end-to-end
 * validation, record/header iteration, in-place offset patching and the
 * batch encoder (layout table in kafka_record_batch.h).
 *
 * What makes a batch valid here (checked in this order by
 * kafka_batch_validate; the first failure is returned):
 *   1. at least 61 bytes, magic 2                       CORRUPT / INVALID_RECORD
 *   2. 12 + batchLength == len (exactly one batch)       CORRUPT / INVALID_RECORD
 *   3. len <= max_batch_bytes                            MESSAGE_TOO_LARGE
 *   4. CRC-32C of [21, len) == crc                       CORRUPT_MESSAGE
 *   5. codec 0..4                                        UNSUPPORTED_COMPRESSION
 *   6. 0 <= recordsCount (<= max_records)                CORRUPT / RECORD_LIST_TOO_LARGE
 *   7. decompressed size <= max_uncompressed             MESSAGE_TOO_LARGE
 *   8. recordsCount * 7 <= records bytes (7 = smallest record)  CORRUPT
 *   9. every record parses exactly, headers included,
 *      no bytes left over                                CORRUPT_MESSAGE
 *  10. offsetDeltas strictly increase from >= 0 and the
 *      last equals lastOffsetDelta                       INVALID_RECORD
 */
#include "kafka_record_batch.h"

#include "crc32c.h"
#include "kafka.h"
#include "kafka_compress.h"

#include <stdio.h>
#include <string.h>

#define MIN_RECORD_SIZE 7 /* len, attr, tsDelta, offDelta, key, value, hdrs */
#define DEFAULT_MAX_UNCOMPRESSED (64u * 1024u * 1024u)

int kafka_batch_header_parse(const uint8_t *p, size_t len,
                             kafka_batch_header *h)
{
    if (len < KAFKA_BATCH_HEADER_SIZE)
        return BUF_ESHORT;
    h->base_offset = (int64_t)buf_get_u64be(p + 0);
    h->batch_length = (int32_t)buf_get_u32be(p + 8);
    h->partition_leader_epoch = (int32_t)buf_get_u32be(p + 12);
    h->magic = (int8_t)p[16];
    h->crc = buf_get_u32be(p + 17);
    h->attributes = (int16_t)buf_get_u16be(p + 21);
    h->last_offset_delta = (int32_t)buf_get_u32be(p + 23);
    h->base_timestamp = (int64_t)buf_get_u64be(p + 27);
    h->max_timestamp = (int64_t)buf_get_u64be(p + 35);
    h->producer_id = (int64_t)buf_get_u64be(p + 43);
    h->producer_epoch = (int16_t)buf_get_u16be(p + 51);
    h->base_sequence = (int32_t)buf_get_u32be(p + 53);
    h->records_count = (int32_t)buf_get_u32be(p + 57);
    return h->magic == KAFKA_BATCH_MAGIC ? 0 : BUF_EINVAL;
}

int64_t kafka_batch_size(const uint8_t *p, size_t len)
{
    int32_t bl;

    if (len < KAFKA_BATCH_LOG_OVERHEAD)
        return BUF_ESHORT;
    bl = (int32_t)buf_get_u32be(p + 8);
    if (bl < KAFKA_BATCH_HEADER_SIZE - KAFKA_BATCH_LOG_OVERHEAD)
        return BUF_EINVAL;
    return (int64_t)bl + KAFKA_BATCH_LOG_OVERHEAD;
}

void kafka_batch_set_base_offset(uint8_t *batch, int64_t base_offset)
{
    buf_put_u64be(batch, (uint64_t)base_offset);
}

void kafka_batch_set_leader_epoch(uint8_t *batch, int32_t epoch)
{
    buf_put_u32be(batch + 12, (uint32_t)epoch);
}

/* ------------------------------------------------------------------ */
/* iteration                                                           */
/* ------------------------------------------------------------------ */

void kafka_record_iter_init(kafka_record_iter *it, const uint8_t *records,
                            size_t len, int32_t count)
{
    buf_reader_init(&it->r, records, len);
    it->left = count < 0 ? 0 : count;
    if (count < 0)
        it->r.err = BUF_EINVAL;
}

/* A varint length: -1 (null, when allowed) or 0..left.  Inline, with the
 * view taken in place (buf_read_raw's check and ESHORT): it runs for every
 * key, value and header of every record. */
#if defined(__GNUC__)
__attribute__((always_inline))
#endif
static inline buf_view read_varbytes(buf_reader *r, int allow_null)
{
    buf_view v = {NULL, 0, 0};
    int32_t n = buf_read_varint(r);

    if (r->err)
        return v;
    if (n == -1 && allow_null) {
        v.is_null = 1;
        return v;
    }
    if (n < 0) {
        buf_reader_fail(r, BUF_EINVAL);
        return v;
    }
    if (r->len - r->off < (size_t)n) {
        r->err = BUF_ESHORT;
        return v;
    }
    v.ptr = r->p + r->off;
    v.len = (size_t)n;
    r->off += (size_t)n;
    return v;
}

int kafka_record_next(kafka_record_iter *it, kafka_record *rec)
{
    buf_reader sub;
    int32_t len, i;
    size_t hstart;

    if (it->r.err)
        return it->r.err;
    if (it->left == 0) {
        if (buf_left(&it->r) != 0) {
            buf_reader_fail(&it->r, BUF_EINVAL);
            return it->r.err;
        }
        return 0;
    }
    memset(rec, 0, sizeof(*rec));
    len = buf_read_varint(&it->r);
    if (!it->r.err && len < 0)
        buf_reader_fail(&it->r, BUF_EINVAL);
    if (it->r.err)
        return it->r.err;
    /* buf_reader_sub, inline so that sub can live in registers */
    if (it->r.len - it->r.off < (size_t)len) {
        it->r.err = BUF_ESHORT;
        return it->r.err;
    }
    sub.p = it->r.p + it->r.off;
    sub.len = (size_t)len;
    sub.off = 0;
    sub.err = 0;
    it->r.off += (size_t)len;
    if (sub.len > 0) /* buf_read_i8, inline */
        rec->attributes = (int8_t)sub.p[sub.off++];
    else
        sub.err = BUF_ESHORT;
    rec->timestamp_delta = buf_read_varlong(&sub);
    rec->offset_delta = buf_read_varint(&sub);
    rec->key = read_varbytes(&sub, 1);
    rec->value = read_varbytes(&sub, 1);
    rec->header_count = buf_read_varint(&sub);
    if (!sub.err && (rec->header_count < 0 ||
                     (size_t)rec->header_count > buf_left(&sub) / 2))
        buf_reader_fail(&sub, BUF_EINVAL);
    hstart = sub.off;
    for (i = 0; i < rec->header_count && !sub.err; i++) {
        (void)read_varbytes(&sub, 0);
        (void)read_varbytes(&sub, 1);
    }
    if (!sub.err && buf_left(&sub) != 0)
        buf_reader_fail(&sub, BUF_EINVAL);
    if (sub.err) {
        buf_reader_fail(&it->r, sub.err == BUF_ESHORT ? BUF_EINVAL : sub.err);
        return it->r.err;
    }
    rec->headers.ptr = sub.p + hstart;
    rec->headers.len = sub.off - hstart;
    it->left--;
    return 1;
}

void kafka_header_iter_init(kafka_header_iter *it, const kafka_record *rec)
{
    buf_reader_init(&it->r, rec->headers.ptr, rec->headers.len);
    it->left = rec->header_count < 0 ? 0 : rec->header_count;
}

int kafka_header_next(kafka_header_iter *it, buf_view *key, buf_view *value)
{
    if (it->r.err)
        return it->r.err;
    if (it->left == 0)
        return 0;
    *key = read_varbytes(&it->r, 0);
    *value = read_varbytes(&it->r, 1);
    if (it->r.err)
        return it->r.err;
    it->left--;
    return 1;
}

/* ------------------------------------------------------------------ */
/* validation                                                          */
/* ------------------------------------------------------------------ */

static int fail(char *errbuf, size_t errlen, int code, const char *msg,
                long long a, long long b)
{
    if (errbuf && errlen)
        snprintf(errbuf, errlen, "%s (%lld, %lld)", msg, a, b);
    return code;
}

int kafka_batch_validate(const uint8_t *p, size_t len,
                         const kafka_batch_limits *lim, buf_writer *scratch,
                         kafka_batch_info *info, char *errbuf, size_t errlen)
{
    static const kafka_batch_limits no_limits;
    kafka_batch_header h;
    kafka_record_iter it;
    kafka_record rec;
    uint32_t crc;
    size_t max_unc;
    int codec, rc;
    int32_t n = 0, prev_delta = -1;
    int64_t max_ts;

    if (!lim)
        lim = &no_limits;
    memset(info, 0, sizeof(*info));
    if (errbuf && errlen)
        errbuf[0] = '\0';
    if (len < KAFKA_BATCH_HEADER_SIZE)
        return fail(errbuf, errlen, KAFKA_ERR_CORRUPT_MESSAGE,
                    "batch shorter than its header", (long long)len,
                    KAFKA_BATCH_HEADER_SIZE);
    if (kafka_batch_header_parse(p, len, &h))
        return fail(errbuf, errlen, KAFKA_ERR_INVALID_RECORD,
                    "magic is not 2", h.magic, KAFKA_BATCH_MAGIC);
    info->hdr = h;
    if ((int64_t)h.batch_length + KAFKA_BATCH_LOG_OVERHEAD != (int64_t)len)
        return fail(errbuf, errlen,
                    (int64_t)h.batch_length + KAFKA_BATCH_LOG_OVERHEAD <
                                (int64_t)len &&
                            h.batch_length >= KAFKA_BATCH_HEADER_SIZE -
                                                  KAFKA_BATCH_LOG_OVERHEAD
                        ? KAFKA_ERR_INVALID_RECORD
                        : KAFKA_ERR_CORRUPT_MESSAGE,
                    "batchLength does not match the bytes (one batch)",
                    h.batch_length, (long long)len);
    if (lim->max_batch_bytes && len > lim->max_batch_bytes)
        return fail(errbuf, errlen, KAFKA_ERR_MESSAGE_TOO_LARGE,
                    "batch larger than max", (long long)len,
                    (long long)lim->max_batch_bytes);
    crc = crc32c(0, p + KAFKA_BATCH_CRC_START, len - KAFKA_BATCH_CRC_START);
    if (crc != h.crc)
        return fail(errbuf, errlen, KAFKA_ERR_CORRUPT_MESSAGE, "CRC mismatch",
                    (long long)h.crc, (long long)crc);
    codec = h.attributes & KAFKA_ATTR_CODEC_MASK;
    if (codec > KAFKA_CODEC_ZSTD)
        return fail(errbuf, errlen, KAFKA_ERR_UNSUPPORTED_COMPRESSION_TYPE,
                    "unknown codec", codec, 0);
    if (h.records_count < 0)
        return fail(errbuf, errlen, KAFKA_ERR_CORRUPT_MESSAGE,
                    "negative recordsCount", h.records_count, 0);
    if (lim->max_records && h.records_count > lim->max_records)
        return fail(errbuf, errlen, KAFKA_ERR_RECORD_LIST_TOO_LARGE,
                    "too many records", h.records_count, lim->max_records);

    info->count = h.records_count;
    info->codec = codec;
    info->base_timestamp = h.base_timestamp;
    info->max_timestamp = h.max_timestamp;
    info->producer_id = h.producer_id;
    info->producer_epoch = h.producer_epoch;
    info->base_sequence = h.base_sequence;
    info->is_transactional = (h.attributes & KAFKA_ATTR_TRANSACTIONAL) != 0;
    info->is_control = (h.attributes & KAFKA_ATTR_CONTROL) != 0;
    info->timestamp_type = (h.attributes & KAFKA_ATTR_TIMESTAMP_TYPE) != 0;

    if (codec == KAFKA_CODEC_NONE) {
        info->records = p + KAFKA_BATCH_HEADER_SIZE;
        info->records_len = len - KAFKA_BATCH_HEADER_SIZE;
    } else {
        if (!scratch)
            return fail(errbuf, errlen, KAFKA_ERR_UNKNOWN_SERVER_ERROR,
                        "no scratch buffer for a compressed batch", codec, 0);
        max_unc = lim->max_uncompressed ? lim->max_uncompressed
                                        : DEFAULT_MAX_UNCOMPRESSED;
        scratch->len = 0;
        scratch->err = 0;
        rc = kafka_decompress(codec, p + KAFKA_BATCH_HEADER_SIZE,
                              len - KAFKA_BATCH_HEADER_SIZE, scratch, max_unc);
        if (rc == BUF_ELIMIT)
            return fail(errbuf, errlen, KAFKA_ERR_MESSAGE_TOO_LARGE,
                        "decompressed records exceed the cap", codec,
                        (long long)max_unc);
        if (rc == BUF_ENOMEM)
            return fail(errbuf, errlen, KAFKA_ERR_UNKNOWN_SERVER_ERROR,
                        "out of memory decompressing", codec, 0);
        if (rc)
            return fail(errbuf, errlen, KAFKA_ERR_CORRUPT_MESSAGE,
                        "corrupt compressed records", codec, rc);
        info->records = scratch->p;
        info->records_len = scratch->len;
    }
    if ((uint64_t)h.records_count > info->records_len / MIN_RECORD_SIZE)
        return fail(errbuf, errlen, KAFKA_ERR_CORRUPT_MESSAGE,
                    "recordsCount larger than the records bytes can hold",
                    h.records_count, (long long)info->records_len);

    max_ts = -1;
    kafka_record_iter_init(&it, info->records, info->records_len,
                           h.records_count);
    while ((rc = kafka_record_next(&it, &rec)) == 1) {
        int64_t ts;
        if (rec.offset_delta <= prev_delta)
            return fail(errbuf, errlen, KAFKA_ERR_INVALID_RECORD,
                        "offsetDelta not increasing", n, rec.offset_delta);
        prev_delta = rec.offset_delta;
        if (rec.timestamp_delta > 0 &&
            h.base_timestamp > INT64_MAX - rec.timestamp_delta)
            return fail(errbuf, errlen, KAFKA_ERR_INVALID_RECORD,
                        "timestamp overflow", n, 0);
        if (rec.timestamp_delta < 0 &&
            h.base_timestamp < INT64_MIN - rec.timestamp_delta)
            return fail(errbuf, errlen, KAFKA_ERR_INVALID_RECORD,
                        "timestamp overflow", n, 0);
        ts = h.base_timestamp + rec.timestamp_delta;
        if (ts > max_ts)
            max_ts = ts;
        info->records_with_key += !rec.key.is_null;
        info->records_with_headers += rec.header_count > 0;
        n++;
    }
    if (rc < 0)
        return fail(errbuf, errlen, KAFKA_ERR_CORRUPT_MESSAGE,
                    "malformed record", n, rc);
    if (n > 0 && prev_delta != h.last_offset_delta)
        return fail(errbuf, errlen, KAFKA_ERR_INVALID_RECORD,
                    "lastOffsetDelta does not match the last record",
                    h.last_offset_delta, prev_delta);
    info->max_record_timestamp = max_ts;
    return KAFKA_ERR_NONE;
}

/* ------------------------------------------------------------------ */
/* encoder                                                             */
/* ------------------------------------------------------------------ */

void kafka_batch_params_init(kafka_batch_params *bp)
{
    memset(bp, 0, sizeof(*bp));
    bp->partition_leader_epoch = -1;
    bp->producer_id = -1;
    bp->producer_epoch = -1;
    bp->base_sequence = -1;
    bp->max_timestamp = -1;
}

static size_t varbytes_size(const buf_view *v)
{
    if (v->is_null)
        return buf_varint_size(-1);
    return buf_varint_size((int32_t)v->len) + v->len;
}

static void write_varbytes(buf_writer *w, const buf_view *v)
{
    if (v->is_null) {
        buf_write_varint(w, -1);
        return;
    }
    buf_write_varint(w, (int32_t)v->len);
    buf_write_raw(w, v->ptr, v->len);
}

static int view_ok(const buf_view *v)
{
    return v->is_null || (v->len <= INT32_MAX && (v->len == 0 || v->ptr));
}

static int write_records(buf_writer *w, const kafka_batch_params *bp,
                         const kafka_record_in *recs, int32_t n,
                         int64_t base_ts, int32_t *last_delta)
{
    int32_t i, k, prev = -1;

    for (i = 0; i < n; i++) {
        const kafka_record_in *r = &recs[i];
        int32_t od = bp->explicit_deltas ? r->offset_delta : i;
        int64_t tsd = (int64_t)((uint64_t)r->timestamp - (uint64_t)base_ts);
        size_t body;

        if (od <= prev || !view_ok(&r->key) || !view_ok(&r->value) ||
            r->n_headers < 0 || (r->n_headers > 0 && !r->headers))
            return BUF_EINVAL;
        prev = od;
        body = 1 + buf_varlong_size(tsd) + buf_varint_size(od) +
               varbytes_size(&r->key) + varbytes_size(&r->value) +
               buf_varint_size(r->n_headers);
        for (k = 0; k < r->n_headers; k++) {
            const kafka_rec_header *hd = &r->headers[k];
            if (hd->key.is_null || !view_ok(&hd->key) || !view_ok(&hd->value))
                return BUF_EINVAL;
            body += varbytes_size(&hd->key) + varbytes_size(&hd->value);
        }
        if (body > INT32_MAX)
            return BUF_EINVAL;
        buf_write_varint(w, (int32_t)body);
        buf_write_i8(w, 0);
        buf_write_varlong(w, tsd);
        buf_write_varint(w, od);
        write_varbytes(w, &r->key);
        write_varbytes(w, &r->value);
        buf_write_varint(w, r->n_headers);
        for (k = 0; k < r->n_headers; k++) {
            write_varbytes(w, &r->headers[k].key);
            write_varbytes(w, &r->headers[k].value);
        }
    }
    *last_delta = prev < 0 ? 0 : prev;
    return w->err;
}

int kafka_batch_encode(buf_writer *w, const kafka_batch_params *bp,
                       const kafka_record_in *recs, int32_t n)
{
    size_t start = w->len, total;
    int64_t base_ts = -1, max_ts = -1;
    int32_t last_delta = 0, i;
    int16_t attrs;
    uint8_t *h;
    int rc;

    if (w->err)
        return w->err;
    if (n < 0 || (n > 0 && !recs) || bp->codec < 0 ||
        bp->codec > KAFKA_CODEC_ZSTD)
        return BUF_EINVAL;
    if (n > 0) {
        base_ts = recs[0].timestamp;
        for (i = 0; i < n; i++)
            if (recs[i].timestamp > max_ts)
                max_ts = recs[i].timestamp;
    }
    if (bp->max_timestamp > max_ts)
        max_ts = bp->max_timestamp;

    h = buf_reserve(w, KAFKA_BATCH_HEADER_SIZE);
    if (!h)
        return w->err;
    memset(h, 0, KAFKA_BATCH_HEADER_SIZE);
    buf_commit(w, KAFKA_BATCH_HEADER_SIZE);

    if (bp->codec == KAFKA_CODEC_NONE) {
        rc = write_records(w, bp, recs, n, base_ts, &last_delta);
    } else {
        buf_writer tmp;
        buf_writer_init(&tmp, 1024, 0);
        rc = write_records(&tmp, bp, recs, n, base_ts, &last_delta);
        if (!rc)
            rc = kafka_compress(bp->codec, bp->level, tmp.p, tmp.len, w);
        buf_writer_release(&tmp);
    }
    if (rc) {
        if (!w->err)
            w->len = start;
        return rc;
    }
    total = w->len - start;
    if (total - KAFKA_BATCH_LOG_OVERHEAD > INT32_MAX) {
        w->len = start;
        return BUF_ELIMIT;
    }
    attrs = (int16_t)(bp->codec | (bp->timestamp_type ? 0x08 : 0) |
                      (bp->is_transactional ? 0x10 : 0) |
                      (bp->is_control ? 0x20 : 0));
    h = w->p + start; /* the writer may have moved */
    buf_put_u64be(h + 0, (uint64_t)bp->base_offset);
    buf_put_u32be(h + 8, (uint32_t)(total - KAFKA_BATCH_LOG_OVERHEAD));
    buf_put_u32be(h + 12, (uint32_t)bp->partition_leader_epoch);
    h[16] = KAFKA_BATCH_MAGIC;
    buf_put_u16be(h + 21, (uint16_t)attrs);
    buf_put_u32be(h + 23, (uint32_t)last_delta);
    buf_put_u64be(h + 27, (uint64_t)base_ts);
    buf_put_u64be(h + 35, (uint64_t)max_ts);
    buf_put_u64be(h + 43, (uint64_t)bp->producer_id);
    buf_put_u16be(h + 51, (uint16_t)bp->producer_epoch);
    buf_put_u32be(h + 53, (uint32_t)bp->base_sequence);
    buf_put_u32be(h + 57, (uint32_t)n);
    buf_put_u32be(h + 17, crc32c(0, h + KAFKA_BATCH_CRC_START,
                                 total - KAFKA_BATCH_CRC_START));
    return 0;
}
