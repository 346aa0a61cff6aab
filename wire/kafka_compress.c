/*
 * kafka_compress.c - gzip, snappy, lz4 and zstd for Kafka record batches,
 * with a hard cap on decompressed output (see kafka_compress.h).
 *
 * The streaming decoders (zstd, gzip, lz4) write into windows of the output
 * writer that never reach past max_out + 1 bytes in total; producing that
 * extra byte means the input expands past the cap, which is BUF_ELIMIT.
 * Memory therefore grows with the real output, up to the cap, and a bomb
 * costs at most max_out bytes and the time to produce them.  snappy knows
 * its block sizes up front, so each is checked before it is reserved.
 */
#include "kafka_compress.h"

#include "kafka_record_batch.h"

#include <lz4frame.h>
#include <snappy-c.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#define WINDOW_MIN (64u * 1024u)

/* Room for the next window of output: at most max_out + 1 - produced
 * bytes.  Returns NULL with *err set when the cap was passed or the writer
 * cannot grow. */
static uint8_t *out_window(buf_writer *out, size_t start, size_t max_out,
                           size_t *room, int *err)
{
    size_t produced = out->len - start;
    size_t left, want;
    uint8_t *p;

    if (produced > max_out) {
        *err = BUF_ELIMIT;
        return NULL;
    }
    left = max_out + 1 - produced;
    want = produced > WINDOW_MIN ? produced : WINDOW_MIN;
    if (want > left)
        want = left;
    p = buf_reserve(out, want);
    if (!p) {
        *err = out->err ? out->err : BUF_ENOMEM;
        return NULL;
    }
    *room = want;
    return p;
}

static int finish_cap(buf_writer *out, size_t start, size_t max_out)
{
    if (out->len - start > max_out) {
        out->len = start + max_out;
        return BUF_ELIMIT;
    }
    return 0;
}

/* ---- zstd ---------------------------------------------------------- */

static int zstd_window_log(size_t max_out)
{
    int lg = 0;

    while (lg < 27 && ((size_t)1 << lg) < max_out)
        lg++;
    lg++;
    if (lg < 23)
        lg = 23;
    return lg > 27 ? 27 : lg;
}

static int zstd_decompress(const uint8_t *in, size_t len, buf_writer *out,
                           size_t max_out)
{
    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    ZSTD_inBuffer ib = {in, len, 0};
    size_t start = out->len, last = 1;
    int err = 0;

    if (!dctx)
        return BUF_ENOMEM;
    /* Bound the window the decoder may allocate: enough for any frame
     * whose output fits the cap (2 x cap), at least 8 MiB (what producers
     * use at default levels), at most 128 MiB. */
    ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, zstd_window_log(max_out));
    while (!err) {
        size_t room, before;
        uint8_t *p;
        ZSTD_outBuffer ob;

        if (ib.pos == ib.size && last == 0)
            break; /* every frame complete, input consumed */
        p = out_window(out, start, max_out, &room, &err);
        if (!p)
            break;
        ob.dst = p;
        ob.size = room;
        ob.pos = 0;
        before = ib.pos;
        last = ZSTD_decompressStream(dctx, &ob, &ib);
        if (ZSTD_isError(last)) {
            err = BUF_EINVAL;
            break;
        }
        buf_commit(out, ob.pos);
        if (out->len - start > max_out) {
            err = BUF_ELIMIT;
            break;
        }
        if (ob.pos == 0 && ib.pos == before && ob.pos < ob.size) {
            /* no progress with room left: input truncated */
            err = BUF_EINVAL;
            break;
        }
    }
    ZSTD_freeDCtx(dctx);
    if (!err && len == 0)
        err = BUF_EINVAL;
    if (err)
        return err;
    return finish_cap(out, start, max_out);
}

/* ---- gzip ---------------------------------------------------------- */

static int gzip_decompress(const uint8_t *in, size_t len, buf_writer *out,
                           size_t max_out)
{
    z_stream zs;
    size_t start = out->len;
    size_t consumed = 0;
    int err = 0, zr = Z_OK;

    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK)
        return BUF_ENOMEM;
    while (!err) {
        size_t room, in_chunk;
        uint8_t *p;
        uInt avail_before_in, avail_before_out;

        if (zr == Z_STREAM_END) {
            if (consumed == len)
                break;
            /* another gzip member follows */
            if (inflateReset(&zs) != Z_OK) {
                err = BUF_EINVAL;
                break;
            }
            zr = Z_OK;
        }
        p = out_window(out, start, max_out, &room, &err);
        if (!p)
            break;
        if (room > UINT_MAX)
            room = UINT_MAX;
        in_chunk = len - consumed;
        if (in_chunk > UINT_MAX)
            in_chunk = UINT_MAX;
        zs.next_in = (Bytef *)(uintptr_t)(in + consumed);
        zs.avail_in = (uInt)in_chunk;
        zs.next_out = p;
        zs.avail_out = (uInt)room;
        avail_before_in = zs.avail_in;
        avail_before_out = zs.avail_out;
        zr = inflate(&zs, Z_NO_FLUSH);
        consumed += avail_before_in - zs.avail_in;
        buf_commit(out, avail_before_out - zs.avail_out);
        if (zr == Z_NEED_DICT || zr == Z_DATA_ERROR || zr == Z_MEM_ERROR ||
            zr == Z_STREAM_ERROR) {
            err = zr == Z_MEM_ERROR ? BUF_ENOMEM : BUF_EINVAL;
            break;
        }
        if (out->len - start > max_out) {
            err = BUF_ELIMIT;
            break;
        }
        if (zr != Z_STREAM_END && avail_before_in == zs.avail_in &&
            avail_before_out == zs.avail_out) {
            err = BUF_EINVAL; /* truncated */
            break;
        }
    }
    inflateEnd(&zs);
    if (err)
        return err;
    return finish_cap(out, start, max_out);
}

/* ---- lz4 ----------------------------------------------------------- */

static int lz4_decompress(const uint8_t *in, size_t len, buf_writer *out,
                          size_t max_out)
{
    LZ4F_dctx *dctx = NULL;
    size_t start = out->len, consumed = 0, hint = 1;
    int err = 0;

    if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION)))
        return BUF_ENOMEM;
    while (!err) {
        size_t room, src_size, dst_size;
        uint8_t *p;

        if (consumed == len) {
            if (hint != 0)
                err = BUF_EINVAL; /* truncated (or empty) */
            break;
        }
        p = out_window(out, start, max_out, &room, &err);
        if (!p)
            break;
        src_size = len - consumed;
        dst_size = room;
        hint = LZ4F_decompress(dctx, p, &dst_size, in + consumed, &src_size,
                               NULL);
        if (LZ4F_isError(hint)) {
            err = BUF_EINVAL;
            break;
        }
        consumed += src_size;
        buf_commit(out, dst_size);
        if (out->len - start > max_out) {
            err = BUF_ELIMIT;
            break;
        }
        if (src_size == 0 && dst_size == 0) {
            err = BUF_EINVAL;
            break;
        }
    }
    LZ4F_freeDecompressionContext(dctx);
    if (err)
        return err;
    return finish_cap(out, start, max_out);
}

/* ---- snappy -------------------------------------------------------- */

static const uint8_t xerial_magic[8] = {0x82, 'S', 'N', 'A',
                                        'P',  'P', 'Y', 0};

static int snappy_block(const uint8_t *in, size_t len, buf_writer *out,
                        size_t start, size_t max_out)
{
    size_t ulen;
    uint8_t *p;

    if (snappy_uncompressed_length((const char *)in, len, &ulen) != SNAPPY_OK)
        return BUF_EINVAL;
    if (ulen > max_out - (out->len - start))
        return BUF_ELIMIT;
    if (ulen == 0)
        return snappy_validate_compressed_buffer((const char *)in, len) ==
                       SNAPPY_OK
                   ? 0
                   : BUF_EINVAL;
    p = buf_reserve(out, ulen);
    if (!p)
        return out->err ? out->err : BUF_ENOMEM;
    if (snappy_uncompress((const char *)in, len, (char *)p, &ulen) !=
        SNAPPY_OK)
        return BUF_EINVAL;
    buf_commit(out, ulen);
    return 0;
}

static int snappy_decompress(const uint8_t *in, size_t len, buf_writer *out,
                             size_t max_out)
{
    size_t start = out->len;
    buf_reader r;
    int err;

    if (len >= 16 && memcmp(in, xerial_magic, 8) == 0) {
        buf_reader_init(&r, in + 16, len - 16);
        while (buf_left(&r) > 0) {
            int32_t n = buf_read_i32(&r);
            buf_view blk;
            if (r.err || n < 0)
                return BUF_EINVAL;
            blk = buf_read_raw(&r, (size_t)n);
            if (r.err)
                return BUF_EINVAL;
            err = snappy_block(blk.ptr, blk.len, out, start, max_out);
            if (err)
                return err;
        }
        return 0;
    }
    return snappy_block(in, len, out, start, max_out);
}

static int decompress_any(int codec, const uint8_t *in, size_t len,
                          buf_writer *out, size_t max_out)
{
    switch (codec) {
    case KAFKA_CODEC_NONE:
        if (len > max_out)
            return BUF_ELIMIT;
        buf_write_raw(out, in, len);
        return out->err;
    case KAFKA_CODEC_GZIP:
        return gzip_decompress(in, len, out, max_out);
    case KAFKA_CODEC_SNAPPY:
        return snappy_decompress(in, len, out, max_out);
    case KAFKA_CODEC_LZ4:
        return lz4_decompress(in, len, out, max_out);
    case KAFKA_CODEC_ZSTD:
        return zstd_decompress(in, len, out, max_out);
    default:
        return BUF_EINVAL;
    }
}

int kafka_decompress(int codec, const uint8_t *in, size_t len,
                     buf_writer *out, size_t max_out)
{
    size_t start = out->len;
    int rc;

    if (out->err)
        return out->err;
    if (len && !in)
        return BUF_EINVAL;
    rc = decompress_any(codec, in, len, out, max_out);
    /* never leave more than max_out bytes (the +1 probe byte) behind */
    if (out->len - start > max_out)
        out->len = start + max_out;
    return rc;
}

/* ---- compression --------------------------------------------------- */

static int zstd_compress(int level, const uint8_t *in, size_t len,
                         buf_writer *out)
{
    size_t bound = ZSTD_compressBound(len), n;
    uint8_t *p = buf_reserve(out, bound);

    if (!p)
        return out->err;
    n = ZSTD_compress(p, bound, in, len, level ? level : 3);
    if (ZSTD_isError(n))
        return BUF_EINVAL;
    buf_commit(out, n);
    return 0;
}

static int gzip_compress(int level, const uint8_t *in, size_t len,
                         buf_writer *out)
{
    z_stream zs;
    uLong bound;
    uint8_t *p;
    int zr;

    if (len > UINT_MAX / 2)
        return BUF_ELIMIT;
    memset(&zs, 0, sizeof(zs));
    if (deflateInit2(&zs, level ? level : Z_DEFAULT_COMPRESSION, Z_DEFLATED,
                     16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return BUF_ENOMEM;
    bound = deflateBound(&zs, (uLong)len) + 32;
    p = buf_reserve(out, bound);
    if (!p) {
        deflateEnd(&zs);
        return out->err;
    }
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)len;
    zs.next_out = p;
    zs.avail_out = (uInt)bound;
    zr = deflate(&zs, Z_FINISH);
    if (zr != Z_STREAM_END) {
        deflateEnd(&zs);
        return BUF_EINVAL;
    }
    buf_commit(out, bound - zs.avail_out);
    deflateEnd(&zs);
    return 0;
}

static int lz4_compress(int level, const uint8_t *in, size_t len,
                        buf_writer *out)
{
    LZ4F_preferences_t prefs;
    size_t bound, n;
    uint8_t *p;

    memset(&prefs, 0, sizeof(prefs));
    prefs.compressionLevel = level;
    prefs.frameInfo.blockSizeID = LZ4F_max64KB;
    bound = LZ4F_compressFrameBound(len, &prefs);
    p = buf_reserve(out, bound);
    if (!p)
        return out->err;
    n = LZ4F_compressFrame(p, bound, in, len, &prefs);
    if (LZ4F_isError(n))
        return BUF_EINVAL;
    buf_commit(out, n);
    return 0;
}

int kafka_compress_snappy_raw(const uint8_t *in, size_t len, buf_writer *out)
{
    size_t bound = snappy_max_compressed_length(len), n = bound;
    uint8_t *p = buf_reserve(out, bound);

    if (!p)
        return out->err;
    if (snappy_compress((const char *)in, len, (char *)p, &n) != SNAPPY_OK)
        return BUF_EINVAL;
    buf_commit(out, n);
    return 0;
}

#define XERIAL_BLOCK (32u * 1024u)

static int snappy_xerial_compress(const uint8_t *in, size_t len,
                                  buf_writer *out)
{
    size_t off = 0;

    buf_write_raw(out, xerial_magic, 8);
    buf_write_i32(out, 1); /* version */
    buf_write_i32(out, 1); /* compatible version */
    while (off < len && !out->err) {
        size_t n = len - off < XERIAL_BLOCK ? len - off : XERIAL_BLOCK;
        size_t at = buf_reserve_i32(out);
        size_t before = out->len;
        int err = kafka_compress_snappy_raw(in + off, n, out);
        if (err)
            return err;
        buf_patch_i32(out, at, (int32_t)(out->len - before));
        off += n;
    }
    return out->err;
}

int kafka_compress(int codec, int level, const uint8_t *in, size_t len,
                   buf_writer *out)
{
    if (out->err)
        return out->err;
    if (len && !in)
        return BUF_EINVAL;
    switch (codec) {
    case KAFKA_CODEC_NONE:
        buf_write_raw(out, in, len);
        return out->err;
    case KAFKA_CODEC_GZIP:
        return gzip_compress(level, in, len, out);
    case KAFKA_CODEC_SNAPPY:
        return snappy_xerial_compress(in, len, out);
    case KAFKA_CODEC_LZ4:
        return lz4_compress(level, in, len, out);
    case KAFKA_CODEC_ZSTD:
        return zstd_compress(level, in, len, out);
    default:
        return BUF_EINVAL;
    }
}
