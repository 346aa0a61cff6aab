/*
 * remoting.c - RocketMQ remoting frames and command headers (see remoting.h
 * for the layouts).
 *
 * Invariants:
 *   - a decoded header never points outside the frame or the arena;
 *   - JSON headers are decoded by the streaming decoder of
 *     remoting_jheader.c (no tree, arena only); the jansson tree decoder
 *     below is kept as its reference (remoting_json_header_decode_tree),
 *     and the bodies still go through jansson (remoting_json_load);
 *   - numbers are int64 end to end, never doubles;
 *   - encoders write nothing partial that a caller could mistake for a
 *     complete frame: errors are sticky in the writer.
 */
#include "remoting.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "remoting_int.h"

/* ------------------------------------------------------------------ */
/* names                                                               */
/* ------------------------------------------------------------------ */

#define X_CASE(name, val)                                                      \
    case val:                                                                  \
        return #name;

const char *remoting_request_code_name(int32_t code)
{
    switch (code) {
        REMOTING_REQUEST_CODES(X_CASE)
    default:
        return NULL;
    }
}

const char *remoting_response_code_name(int32_t code)
{
    switch (code) {
        REMOTING_RESPONSE_CODES(X_CASE)
    default:
        return NULL;
    }
}

const char *remoting_language_name(int32_t language)
{
    switch (language) {
        REMOTING_LANGUAGES(X_CASE)
    default:
        return NULL;
    }
}
#undef X_CASE

int32_t remoting_language_by_name(const char *name, size_t len)
{
#define X_CMP(lname, val)                                                      \
    if (len == sizeof(#lname) - 1 && memcmp(name, #lname, len) == 0)           \
        return val;
    REMOTING_LANGUAGES(X_CMP)
#undef X_CMP
    return -1;
}

/* ------------------------------------------------------------------ */
/* shared helpers (remoting_int.h)                                     */
/* ------------------------------------------------------------------ */

void remoting_json_raw(buf_writer *w, const char *s)
{
    buf_write_raw(w, s, strlen(s));
}

void remoting_json_i64(buf_writer *w, int64_t v)
{
    char tmp[24];
    int n = snprintf(tmp, sizeof(tmp), "%" PRId64, v);
    buf_write_raw(w, tmp, (size_t)n);
}

/* Length of the well-formed UTF-8 sequence at p[0..n) (RFC 3629: no
 * overlongs, no surrogates, <= U+10FFFF), or 0 if it is not one. */
size_t remoting_utf8_len(const uint8_t *p, size_t n)
{
    uint8_t c = p[0];
    size_t len;
    uint32_t cp, min;

    if (c < 0x80)
        return 1;
    if ((c & 0xe0) == 0xc0) {
        len = 2;
        cp = c & 0x1fu;
        min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        len = 3;
        cp = c & 0x0fu;
        min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        len = 4;
        cp = c & 0x07u;
        min = 0x10000;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t k = 1; k < len; k++) {
        if ((p[k] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (p[k] & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

/* Escapes '"', '\\' and control characters; a byte that does not start a
 * well-formed UTF-8 sequence becomes \ufffd, so the output is always valid
 * JSON whatever the bytes (binary headers and records carry raw bytes). */
void remoting_json_str(buf_writer *w, const uint8_t *p, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t i = 0, run = 0;

    buf_write_raw(w, "\"", 1);
    while (i < n) {
        uint8_t c = p[i];
        char esc[6];
        size_t elen = 2;
        if (c >= 0x80) {
            size_t sl = remoting_utf8_len(p + i, n - i);
            if (sl) {
                i += sl;
                continue;
            }
            buf_write_raw(w, p + run, i - run);
            buf_write_raw(w, "\\ufffd", 6);
            run = ++i;
            continue;
        }
        if (c >= 0x20 && c != '"' && c != '\\') {
            i++;
            continue;
        }
        buf_write_raw(w, p + run, i - run);
        run = ++i;
        esc[0] = '\\';
        switch (c) {
        case '"':
            esc[1] = '"';
            break;
        case '\\':
            esc[1] = '\\';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            elen = 6;
            break;
        }
        buf_write_raw(w, esc, elen);
    }
    buf_write_raw(w, p + run, n - run);
    buf_write_raw(w, "\"", 1);
}

void remoting_json_key(buf_writer *w, const char *key)
{
    remoting_json_str(w, (const uint8_t *)key, strlen(key));
    buf_write_raw(w, ":", 1);
}

/*
 * Bound what jansson will build before it builds anything: one pass over
 * the text, outside strings, counting container nesting and values (a
 * value per ',' '[' '{', plus one).  jansson's own depth limit is 2048 and
 * it has no size limit: a 16 MiB frame of "0,0,0,..." would make millions
 * of json_t, hundreds of MiB.  Malformed text is left for jansson.
 */
static int json_prescan(const uint8_t *p, size_t n, int max_depth,
                        size_t max_values)
{
    size_t values = 1;
    int depth = 0, in_str = 0;

    for (size_t i = 0; i < n; i++) {
        uint8_t c = p[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
            continue;
        }
        switch (c) {
        case '"':
            in_str = 1;
            break;
        case '[':
        case '{':
            if (++depth > max_depth)
                return BUF_EINVAL;
            values++;
            break;
        case ']':
        case '}':
            depth--;
            break;
        case ',':
            values++;
            break;
        default:
            break;
        }
        if (values > max_values)
            return BUF_ELIMIT;
    }
    return 0;
}

int remoting_json_load(const uint8_t *p, size_t n, int max_depth,
                       size_t max_values, json_t **root)
{
    json_error_t jerr;
    int rc = json_prescan(p, n, max_depth, max_values);

    *root = NULL;
    if (rc)
        return rc;
    *root = json_loadb((const char *)p, n, 0, &jerr);
    if (!*root)
        return BUF_EINVAL;
    return 0;
}

buf_view remoting_arena_copy(wire_arena *a, const void *p, size_t n,
                             int *failed)
{
    buf_view v = {NULL, 0, 0};
    uint8_t *d;

    if (n == SIZE_MAX || !(d = wire_arena_alloc(a, n + 1))) {
        *failed = 1;
        return v;
    }
    if (n)
        memcpy(d, p, n);
    d[n] = 0;
    v.ptr = d;
    v.len = n;
    return v;
}

/* ------------------------------------------------------------------ */
/* framing                                                             */
/* ------------------------------------------------------------------ */

int remoting_frame_check(const uint8_t hdr8[8], size_t max_frame,
                         size_t *header_len, size_t *body_len)
{
    int32_t frame_len = (int32_t)buf_get_u32be(hdr8);
    uint32_t word = buf_get_u32be(hdr8 + 4);
    uint32_t hlen = word & 0xFFFFFFu;
    uint32_t type = word >> 24;

    if (frame_len < 4)
        return BUF_EINVAL;
    if ((uint64_t)frame_len + 4 > (uint64_t)max_frame)
        return BUF_ELIMIT;
    if (type != REMOTING_SERIALIZE_JSON && type != REMOTING_SERIALIZE_ROCKETMQ)
        return BUF_EINVAL;
    if (hlen > (uint32_t)frame_len - 4)
        return BUF_EINVAL;
    *header_len = hlen;
    *body_len = (size_t)((uint32_t)frame_len - 4 - hlen);
    return 0;
}

int remoting_frame_decode(const uint8_t *p, size_t len, size_t max_frame,
                          wire_arena *a, remoting_header *h, buf_view *body)
{
    size_t hlen, blen;
    int rc;

    if (len < REMOTING_FRAME_PREFIX)
        return BUF_ESHORT;
    rc = remoting_frame_check(p, max_frame, &hlen, &blen);
    if (rc)
        return rc;
    if (len - REMOTING_FRAME_PREFIX < hlen + blen)
        return BUF_ESHORT;
    if (len - REMOTING_FRAME_PREFIX > hlen + blen)
        return BUF_EINVAL; /* trailing bytes: not exactly one frame */
    rc = remoting_header_decode(p + REMOTING_FRAME_PREFIX, hlen,
                                remoting_frame_serialize_type(p), a, h);
    if (rc)
        return rc;
    body->ptr = p + REMOTING_FRAME_PREFIX + hlen;
    body->len = blen;
    body->is_null = 0;
    return 0;
}

/* ------------------------------------------------------------------ */
/* binary (ROCKETMQ) header                                            */
/* ------------------------------------------------------------------ */

static int decode_binary(const uint8_t *p, size_t len, wire_arena *a,
                         remoting_header *h)
{
    buf_reader r, ext;
    int32_t remark_len, ext_len, n = 0;

    buf_reader_init(&r, p, len);
    h->code = buf_read_i16(&r);
    h->language = (uint8_t)buf_read_i8(&r);
    h->version = buf_read_i16(&r);
    h->opaque = buf_read_i32(&r);
    h->flag = buf_read_i32(&r);
    remark_len = buf_read_i32(&r);
    if (remark_len < 0)
        return BUF_EINVAL;
    if (remark_len == 0) {
        h->remark.is_null = 1;
    } else {
        h->remark = buf_read_raw(&r, (size_t)remark_len);
    }
    ext_len = buf_read_i32(&r);
    if (r.err)
        return r.err;
    if (ext_len < 0)
        return BUF_EINVAL;
    if (buf_reader_sub(&r, (size_t)ext_len, &ext) != 0 || r.err)
        return r.err ? r.err : BUF_ESHORT;
    if (buf_left(&r) != 0)
        return BUF_EINVAL; /* bytes after the map */

    /* Pass 1: validate and count, so the array is sized exactly. */
    {
        buf_reader c = ext;
        while (buf_left(&c) > 0) {
            int16_t kl = buf_read_i16(&c);
            int32_t vl;
            if (kl < 0)
                return BUF_EINVAL;
            buf_skip(&c, (size_t)kl);
            vl = buf_read_i32(&c);
            if (vl < 0)
                return BUF_EINVAL;
            buf_skip(&c, (size_t)vl);
            if (c.err)
                return BUF_EINVAL;
            n++;
        }
    }
    if (n > 0) {
        h->ext = wire_arena_calloc(a, (size_t)n, sizeof(*h->ext));
        if (!h->ext)
            return BUF_ENOMEM;
    }
    h->ext_count = h->ext_cap = n;
    for (int32_t i = 0; i < n; i++) {
        int16_t kl = buf_read_i16(&ext);
        int32_t vl;
        h->ext[i].key = buf_read_raw(&ext, (size_t)kl);
        vl = buf_read_i32(&ext);
        h->ext[i].value = buf_read_raw(&ext, (size_t)vl);
        if (vl == 0)
            h->ext[i].value.is_null = 1;
    }
    return ext.err;
}

static int encode_binary(buf_writer *w, const remoting_header *h)
{
    size_t at;

    if (h->code < INT16_MIN || h->code > INT16_MAX || h->version < INT16_MIN ||
        h->version > INT16_MAX || h->language < 0 || h->language > 255)
        return BUF_EINVAL;
    if (!h->remark.is_null && h->remark.len > INT32_MAX)
        return BUF_EINVAL;
    buf_write_i16(w, (int16_t)h->code);
    buf_write_i8(w, (int8_t)(uint8_t)h->language);
    buf_write_i16(w, (int16_t)h->version);
    buf_write_i32(w, h->opaque);
    buf_write_i32(w, h->flag);
    if (h->remark.is_null) {
        buf_write_i32(w, 0);
    } else {
        buf_write_i32(w, (int32_t)h->remark.len);
        buf_write_raw(w, h->remark.ptr, h->remark.len);
    }
    at = buf_reserve_i32(w);
    for (int32_t i = 0; i < h->ext_count; i++) {
        const remoting_ext *e = &h->ext[i];
        if (e->key.len > INT16_MAX || e->value.len > INT32_MAX)
            return BUF_EINVAL;
        buf_write_i16(w, (int16_t)e->key.len);
        buf_write_raw(w, e->key.ptr, e->key.len);
        buf_write_i32(w, (int32_t)e->value.len);
        buf_write_raw(w, e->value.ptr, e->value.len);
    }
    if (w->err)
        return w->err;
    if (w->len - at - 4 > INT32_MAX)
        return BUF_EINVAL;
    buf_patch_i32(w, at, (int32_t)(w->len - at - 4));
    return w->err;
}

/* ------------------------------------------------------------------ */
/* JSON header                                                         */
/* ------------------------------------------------------------------ */

/* An int32 from a JSON integer or a decimal string (fastjson takes both). */
static int json_get_i32(json_t *v, int32_t *out)
{
    if (json_is_integer(v)) {
        json_int_t x = json_integer_value(v);
        if (x < INT32_MIN || x > INT32_MAX)
            return BUF_EINVAL;
        *out = (int32_t)x;
        return 0;
    }
    if (json_is_string(v)) {
        buf_view s = {(const uint8_t *)json_string_value(v),
                      json_string_length(v), 0};
        return remoting_parse_i32(s, out);
    }
    return BUF_EINVAL;
}

/* Text form of an extFields scalar; 1 = skip (null), 0 ok, <0 error. */
static int json_scalar_text(json_t *v, wire_arena *a, buf_view *out)
{
    char tmp[40];
    int n, failed = 0;

    switch (json_typeof(v)) {
    case JSON_STRING:
        *out = remoting_arena_copy(a, json_string_value(v),
                                   json_string_length(v), &failed);
        break;
    case JSON_INTEGER:
        n = snprintf(tmp, sizeof(tmp), "%" JSON_INTEGER_FORMAT,
                     json_integer_value(v));
        *out = remoting_arena_copy(a, tmp, (size_t)n, &failed);
        break;
    case JSON_REAL:
        n = snprintf(tmp, sizeof(tmp), "%.17g", json_real_value(v));
        *out = remoting_arena_copy(a, tmp, (size_t)n, &failed);
        break;
    case JSON_TRUE:
        *out = remoting_arena_copy(a, "true", 4, &failed);
        break;
    case JSON_FALSE:
        *out = remoting_arena_copy(a, "false", 5, &failed);
        break;
    case JSON_NULL:
        return 1;
    default:
        return BUF_EINVAL; /* objects/arrays are not header values */
    }
    return failed ? BUF_ENOMEM : 0;
}

static int decode_json_tree(json_t *root, wire_arena *a, remoting_header *h)
{
    json_t *v, *ext;
    int failed = 0;

    if (!json_is_object(root))
        return BUF_EINVAL;
    if ((v = json_object_get(root, "code")) && json_get_i32(v, &h->code))
        return BUF_EINVAL;
    if ((v = json_object_get(root, "version")) && json_get_i32(v, &h->version))
        return BUF_EINVAL;
    if ((v = json_object_get(root, "opaque")) && json_get_i32(v, &h->opaque))
        return BUF_EINVAL;
    if ((v = json_object_get(root, "flag")) && json_get_i32(v, &h->flag))
        return BUF_EINVAL;
    h->language = REMOTING_LANG_JAVA;
    h->language_name.is_null = 1;
    if ((v = json_object_get(root, "language")) && !json_is_null(v)) {
        if (json_is_string(v)) {
            h->language_name = remoting_arena_copy(
                a, json_string_value(v), json_string_length(v), &failed);
            h->language = remoting_language_by_name(json_string_value(v),
                                                    json_string_length(v));
            if (h->language < 0)
                h->language = REMOTING_LANG_OTHER;
        } else if (json_get_i32(v, &h->language)) {
            return BUF_EINVAL;
        }
    }
    h->remark.is_null = 1;
    if ((v = json_object_get(root, "remark")) && !json_is_null(v)) {
        if (!json_is_string(v))
            return BUF_EINVAL;
        h->remark = remoting_arena_copy(a, json_string_value(v),
                                        json_string_length(v), &failed);
    }
    if (failed)
        return BUF_ENOMEM;
    ext = json_object_get(root, "extFields");
    if (!ext || json_is_null(ext))
        return 0;
    if (!json_is_object(ext))
        return BUF_EINVAL;
    if (json_object_size(ext) > 0) {
        const char *k;
        size_t klen;
        json_t *c;
        h->ext = wire_arena_calloc(a, json_object_size(ext), sizeof(*h->ext));
        if (!h->ext)
            return BUF_ENOMEM;
        h->ext_cap = (int32_t)json_object_size(ext);
        json_object_keylen_foreach(ext, k, klen, c)
        {
            remoting_ext *e = &h->ext[h->ext_count];
            int rc = json_scalar_text(c, a, &e->value);
            if (rc < 0)
                return rc;
            if (rc == 1)
                continue;
            e->key = remoting_arena_copy(a, k, klen, &failed);
            if (failed)
                return BUF_ENOMEM;
            h->ext_count++;
        }
    }
    return 0;
}

/* The jansson tree decoder the streaming one (remoting_jheader.c)
 * replaced; kept as the reference for the differential test and fuzz
 * target (remoting_int.h). */
int remoting_json_header_decode_tree(const uint8_t *p, size_t len,
                                     wire_arena *a, remoting_header *h)
{
    json_t *root;
    int rc;

    rc = remoting_json_load(p, len, REMOTING_JSON_MAX_DEPTH,
                            REMOTING_JSON_MAX_VALUES, &root);
    if (rc)
        return rc;
    rc = decode_json_tree(root, a, h);
    json_decref(root);
    return rc;
}

static int encode_json(buf_writer *w, const remoting_header *h)
{
    const char *lang = remoting_language_name(h->language);

    remoting_json_raw(w, "{\"code\":");
    remoting_json_i64(w, h->code);
    remoting_json_raw(w, ",\"extFields\":{");
    for (int32_t i = 0, first = 1; i < h->ext_count; i++) {
        const remoting_ext *e = &h->ext[i];
        if (e->value.is_null)
            continue;
        if (!first)
            buf_write_raw(w, ",", 1);
        first = 0;
        remoting_json_view(w, e->key);
        buf_write_raw(w, ":", 1);
        remoting_json_view(w, e->value);
    }
    remoting_json_raw(w, "},\"flag\":");
    remoting_json_i64(w, h->flag);
    remoting_json_raw(w, ",\"language\":");
    remoting_json_str(w, (const uint8_t *)(lang ? lang : "JAVA"),
                      strlen(lang ? lang : "JAVA"));
    remoting_json_raw(w, ",\"opaque\":");
    remoting_json_i64(w, h->opaque);
    if (!h->remark.is_null) {
        remoting_json_raw(w, ",\"remark\":");
        remoting_json_view(w, h->remark);
    }
    remoting_json_raw(w, ",\"serializeTypeCurrentRPC\":\"JSON\",\"version\":");
    remoting_json_i64(w, h->version);
    remoting_json_raw(w, "}");
    return w->err;
}

/* ------------------------------------------------------------------ */
/* public header API                                                   */
/* ------------------------------------------------------------------ */

int remoting_header_decode(const uint8_t *p, size_t len, int serialize_type,
                           wire_arena *a, remoting_header *h)
{
    memset(h, 0, sizeof(*h));
    h->serialize_type = serialize_type;
    h->language_name.is_null = 1;
    if (serialize_type == REMOTING_SERIALIZE_ROCKETMQ)
        return decode_binary(p, len, a, h);
    if (serialize_type == REMOTING_SERIALIZE_JSON)
        return remoting_json_header_decode(p, len, a, h);
    return BUF_EINVAL;
}

int remoting_header_encode(buf_writer *w, const remoting_header *h,
                           int serialize_type)
{
    if (serialize_type == REMOTING_SERIALIZE_ROCKETMQ)
        return encode_binary(w, h);
    if (serialize_type == REMOTING_SERIALIZE_JSON)
        return encode_json(w, h);
    return BUF_EINVAL;
}

size_t remoting_frame_begin(buf_writer *w, const remoting_header *h,
                            int serialize_type)
{
    size_t at = buf_reserve_i32(w);
    size_t word = buf_reserve_i32(w);
    size_t hstart = w->len;
    int rc = remoting_header_encode(w, h, serialize_type);

    if (rc && !w->err)
        w->err = rc;
    if (w->err)
        return at;
    if (w->len - hstart > 0xFFFFFFu) {
        w->err = BUF_ELIMIT;
        return at;
    }
    buf_patch_i32(w, word,
                  (int32_t)((uint32_t)serialize_type << 24 |
                            (uint32_t)(w->len - hstart)));
    return at;
}

int remoting_frame_end(buf_writer *w, size_t at)
{
    if (w->err)
        return w->err;
    if (at > w->len || w->len - at < REMOTING_FRAME_PREFIX)
        return BUF_EINVAL;
    if (w->len - at - 4 > INT32_MAX) {
        w->err = BUF_ELIMIT;
        return w->err;
    }
    buf_patch_i32(w, at, (int32_t)(w->len - at - 4));
    return w->err;
}

int remoting_frame_encode(buf_writer *w, const remoting_header *h,
                          int serialize_type, const void *body, size_t body_len)
{
    size_t at = remoting_frame_begin(w, h, serialize_type);
    if (body_len)
        buf_write_raw(w, body, body_len);
    return remoting_frame_end(w, at);
}

/* ------------------------------------------------------------------ */
/* extFields                                                           */
/* ------------------------------------------------------------------ */

int remoting_ext_find(const remoting_header *h, const char *key, buf_view *val)
{
    size_t kl = strlen(key);

    for (int32_t i = h->ext_count - 1; i >= 0; i--) {
        const remoting_ext *e = &h->ext[i];
        if (e->key.len == kl && (kl == 0 || memcmp(e->key.ptr, key, kl) == 0)) {
            if (e->value.is_null)
                return 0;
            *val = e->value;
            return 1;
        }
    }
    return 0;
}

int remoting_parse_i64(buf_view v, int64_t *out)
{
    size_t i = 0;
    int neg = 0;
    uint64_t acc = 0, lim;

    if (v.is_null || v.len == 0)
        return BUF_EINVAL;
    if (v.ptr[0] == '-' || v.ptr[0] == '+') {
        neg = v.ptr[0] == '-';
        i = 1;
        if (v.len == 1)
            return BUF_EINVAL;
    }
    lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < v.len; i++) {
        unsigned d = (unsigned)v.ptr[i] - '0';
        if (d > 9)
            return BUF_EINVAL;
        if (acc > (lim - d) / 10)
            return BUF_EINVAL;
        acc = acc * 10 + d;
    }
    if (neg)
        *out = acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc;
    else
        *out = (int64_t)acc;
    return 0;
}

int remoting_parse_i32(buf_view v, int32_t *out)
{
    int64_t x;
    if (remoting_parse_i64(v, &x) || x < INT32_MIN || x > INT32_MAX)
        return BUF_EINVAL;
    *out = (int32_t)x;
    return 0;
}

int remoting_ext_get_i32(const remoting_header *h, const char *key,
                         int32_t *out)
{
    buf_view v;
    if (!remoting_ext_find(h, key, &v))
        return REMOTING_EMISSING;
    return remoting_parse_i32(v, out);
}

int remoting_ext_get_i64(const remoting_header *h, const char *key,
                         int64_t *out)
{
    buf_view v;
    if (!remoting_ext_find(h, key, &v))
        return REMOTING_EMISSING;
    return remoting_parse_i64(v, out);
}

static int ieq(buf_view v, const char *s)
{
    size_t n = strlen(s);
    if (v.len != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        uint8_t c = v.ptr[i];
        if (c >= 'A' && c <= 'Z')
            c = (uint8_t)(c + 32);
        if (c != (uint8_t)s[i])
            return 0;
    }
    return 1;
}

int remoting_ext_get_bool(const remoting_header *h, const char *key, int *out)
{
    buf_view v;
    if (!remoting_ext_find(h, key, &v))
        return REMOTING_EMISSING;
    if (ieq(v, "true"))
        *out = 1;
    else if (ieq(v, "false"))
        *out = 0;
    else
        return BUF_EINVAL;
    return 0;
}

int remoting_ext_add(remoting_header *h, wire_arena *a, const char *key,
                     buf_view value)
{
    if (h->ext_count >= h->ext_cap) {
        int32_t ncap = h->ext_cap ? h->ext_cap * 2 : 8;
        remoting_ext *n;
        if (ncap < h->ext_cap)
            return BUF_ENOMEM;
        n = wire_arena_calloc(a, (size_t)ncap, sizeof(*n));
        if (!n)
            return BUF_ENOMEM;
        if (h->ext_count)
            memcpy(n, h->ext, (size_t)h->ext_count * sizeof(*n));
        h->ext = n;
        h->ext_cap = ncap;
    }
    h->ext[h->ext_count].key = remoting_view(key);
    h->ext[h->ext_count].value = value;
    h->ext_count++;
    return 0;
}

int remoting_ext_add_str(remoting_header *h, wire_arena *a, const char *key,
                         const char *value)
{
    return remoting_ext_add(h, a, key, remoting_view(value));
}

int remoting_ext_add_i64(remoting_header *h, wire_arena *a, const char *key,
                         int64_t value)
{
    char tmp[24];
    int failed = 0, n = snprintf(tmp, sizeof(tmp), "%" PRId64, value);
    buf_view v = remoting_arena_copy(a, tmp, (size_t)n, &failed);
    if (failed)
        return BUF_ENOMEM;
    return remoting_ext_add(h, a, key, v);
}
