/*
 * remoting_message.c - stored/pulled message records, batch bodies,
 * properties, message ids, BODYCRC and tag hash (layouts in
 * remoting_message.h).
 *
 * Every length read from the input is checked against what is left of the
 * record (a sub-reader bounded by TOTALSIZE) before it is used, so a lying
 * length yields BUF_EINVAL, never a read past the record.
 */
#include "remoting_message.h"

#include <string.h>

#include <zlib.h>

/* ------------------------------------------------------------------ */
/* stored record                                                       */
/* ------------------------------------------------------------------ */

static void read_host(buf_reader *r, remoting_host *h, int v6)
{
    buf_view ip = buf_read_raw(r, v6 ? 16 : 4);
    memset(h, 0, sizeof(*h));
    h->is_v6 = v6;
    if (!r->err)
        memcpy(h->ip, ip.ptr, ip.len);
    h->port = buf_read_i32(r);
}

static void write_host(buf_writer *w, const remoting_host *h)
{
    buf_write_raw(w, h->ip, h->is_v6 ? 16 : 4);
    buf_write_i32(w, h->port);
}

int remoting_msg_decode(buf_reader *r, remoting_msg *m)
{
    buf_reader rec;
    int32_t len;
    int v2;

    memset(m, 0, sizeof(*m));
    if (buf_left(r) < 4)
        return r->err ? r->err : BUF_ESHORT;
    m->total_size = (int32_t)buf_get_u32be(r->p + r->off);
    if (m->total_size < REMOTING_MSG_FIXED_V4)
        return BUF_EINVAL;
    if ((size_t)m->total_size > buf_left(r))
        return BUF_ESHORT;
    buf_reader_sub(r, (size_t)m->total_size, &rec);
    buf_skip(&rec, 4);
    m->magic = buf_read_i32(&rec);
    if (m->magic != REMOTING_MAGIC_V1 && m->magic != REMOTING_MAGIC_V2)
        return BUF_EINVAL;
    v2 = m->magic == REMOTING_MAGIC_V2;
    m->body_crc = buf_read_i32(&rec);
    m->queue_id = buf_read_i32(&rec);
    m->flag = buf_read_i32(&rec);
    m->queue_offset = buf_read_i64(&rec);
    m->physical_offset = buf_read_i64(&rec);
    m->sys_flag = buf_read_i32(&rec);
    m->born_timestamp = buf_read_i64(&rec);
    read_host(&rec, &m->born_host,
              (m->sys_flag & REMOTING_SYSFLAG_BORNHOST_V6) != 0);
    m->store_timestamp = buf_read_i64(&rec);
    read_host(&rec, &m->store_host,
              (m->sys_flag & REMOTING_SYSFLAG_STOREHOST_V6) != 0);
    m->reconsume_times = buf_read_i32(&rec);
    m->prepared_transaction_offset = buf_read_i64(&rec);
    len = buf_read_i32(&rec);
    if (len < 0 || (size_t)len > buf_left(&rec))
        return BUF_EINVAL;
    m->body = buf_read_raw(&rec, (size_t)len);
    /* Java reads the topic length signed: V1 topics stop at 127 bytes. */
    len = v2 ? buf_read_i16(&rec) : buf_read_i8(&rec);
    if (len < 0 || (size_t)len > buf_left(&rec))
        return BUF_EINVAL;
    m->topic = buf_read_raw(&rec, (size_t)len);
    len = buf_read_i16(&rec);
    if (len < 0 || (size_t)len > buf_left(&rec))
        return BUF_EINVAL;
    m->properties = buf_read_raw(&rec, (size_t)len);
    if (rec.err)
        return BUF_EINVAL;
    if (buf_left(&rec) != 0)
        return BUF_EINVAL; /* TOTALSIZE larger than the fields */
    return 0;
}

static int msg_wants_v2(const remoting_msg *m)
{
    if (m->magic == REMOTING_MAGIC_V2)
        return 1;
    if (m->magic == 0)
        return m->topic.len > REMOTING_TOPIC_MAX_V1;
    return 0;
}

size_t remoting_msg_encoded_size(const remoting_msg *m)
{
    int v2 = msg_wants_v2(m);
    size_t n = REMOTING_MSG_FIXED_V4;

    if (m->magic != 0 && m->magic != REMOTING_MAGIC_V1 &&
        m->magic != REMOTING_MAGIC_V2)
        return 0;
    if (m->topic.len >
            (v2 ? (size_t)INT16_MAX : (size_t)REMOTING_TOPIC_MAX_V1) ||
        m->properties.len > REMOTING_PROPERTIES_MAX ||
        m->body.len > (size_t)INT32_MAX)
        return 0;
    n += (m->born_host.is_v6 ? 12u : 0u) + (m->store_host.is_v6 ? 12u : 0u);
    n += (size_t)v2;
    n += m->body.len + m->topic.len + m->properties.len;
    if (n > (size_t)INT32_MAX)
        return 0;
    return n;
}

int remoting_msg_encode(buf_writer *w, const remoting_msg *m)
{
    size_t n = remoting_msg_encoded_size(m);
    int v2 = msg_wants_v2(m);
    int32_t sys = m->sys_flag & ~(REMOTING_SYSFLAG_BORNHOST_V6 |
                                  REMOTING_SYSFLAG_STOREHOST_V6);

    if (n == 0)
        return BUF_EINVAL;
    if (m->born_host.is_v6)
        sys |= REMOTING_SYSFLAG_BORNHOST_V6;
    if (m->store_host.is_v6)
        sys |= REMOTING_SYSFLAG_STOREHOST_V6;
    buf_write_i32(w, (int32_t)n);
    buf_write_i32(w, v2 ? REMOTING_MAGIC_V2 : REMOTING_MAGIC_V1);
    buf_write_i32(w, m->body_crc);
    buf_write_i32(w, m->queue_id);
    buf_write_i32(w, m->flag);
    buf_write_i64(w, m->queue_offset);
    buf_write_i64(w, m->physical_offset);
    buf_write_i32(w, sys);
    buf_write_i64(w, m->born_timestamp);
    write_host(w, &m->born_host);
    buf_write_i64(w, m->store_timestamp);
    write_host(w, &m->store_host);
    buf_write_i32(w, m->reconsume_times);
    buf_write_i64(w, m->prepared_transaction_offset);
    buf_write_i32(w, (int32_t)m->body.len);
    buf_write_raw(w, m->body.ptr, m->body.len);
    if (v2)
        buf_write_i16(w, (int16_t)m->topic.len);
    else
        buf_write_i8(w, (int8_t)(uint8_t)m->topic.len);
    buf_write_raw(w, m->topic.ptr, m->topic.len);
    buf_write_i16(w, (int16_t)m->properties.len);
    buf_write_raw(w, m->properties.ptr, m->properties.len);
    return w->err;
}

/* ------------------------------------------------------------------ */
/* batch body                                                          */
/* ------------------------------------------------------------------ */

void remoting_batch_iter_init(remoting_batch_iter *it, const uint8_t *p,
                              size_t n)
{
    buf_reader_init(&it->r, p, n);
}

int remoting_batch_next(remoting_batch_iter *it, remoting_batch_msg *m)
{
    buf_reader rec;
    int32_t total, len;

    if (it->r.err)
        return it->r.err;
    if (buf_left(&it->r) == 0)
        return 0;
    total = buf_read_i32(&it->r);
    if (it->r.err)
        return BUF_ESHORT;
    if (total < REMOTING_BATCH_FIXED || (size_t)total - 4 > buf_left(&it->r)) {
        buf_reader_fail(&it->r, BUF_EINVAL);
        return BUF_EINVAL;
    }
    buf_reader_sub(&it->r, (size_t)total - 4, &rec);
    buf_skip(&rec, 8); /* magic, body crc: ignored */
    m->flag = buf_read_i32(&rec);
    len = buf_read_i32(&rec);
    if (len < 0 || (size_t)len > buf_left(&rec))
        goto bad;
    m->body = buf_read_raw(&rec, (size_t)len);
    len = buf_read_i16(&rec);
    if (len < 0 || (size_t)len != buf_left(&rec))
        goto bad;
    m->properties = buf_read_raw(&rec, (size_t)len);
    if (rec.err)
        goto bad;
    return 1;
bad:
    buf_reader_fail(&it->r, BUF_EINVAL);
    return BUF_EINVAL;
}

int remoting_batch_validate(const uint8_t *p, size_t n, int32_t *count)
{
    remoting_batch_iter it;
    remoting_batch_msg m;
    int32_t c = 0;
    int rc;

    remoting_batch_iter_init(&it, p, n);
    while ((rc = remoting_batch_next(&it, &m)) == 1) {
        if (c == INT32_MAX)
            return BUF_EINVAL;
        c++;
    }
    if (rc < 0)
        return rc;
    if (c == 0)
        return BUF_EINVAL;
    *count = c;
    return 0;
}

int remoting_batch_append(buf_writer *w, int32_t flag, buf_view body,
                          buf_view properties)
{
    size_t total = REMOTING_BATCH_FIXED + body.len + properties.len;

    if (properties.len > REMOTING_PROPERTIES_MAX || body.len > INT32_MAX ||
        total > INT32_MAX)
        return BUF_EINVAL;
    buf_write_i32(w, (int32_t)total);
    buf_write_i32(w, 0);
    buf_write_i32(w, 0);
    buf_write_i32(w, flag);
    buf_write_i32(w, (int32_t)body.len);
    buf_write_raw(w, body.ptr, body.len);
    buf_write_i16(w, (int16_t)properties.len);
    buf_write_raw(w, properties.ptr, properties.len);
    return w->err;
}

/* ------------------------------------------------------------------ */
/* properties                                                          */
/* ------------------------------------------------------------------ */

void remoting_prop_iter_init(remoting_prop_iter *it, const uint8_t *p, size_t n)
{
    it->p = p;
    it->len = n;
    it->off = 0;
}

int remoting_prop_next(remoting_prop_iter *it, remoting_prop *out)
{
    while (it->off < it->len) {
        size_t start = it->off, end, kv;
        const uint8_t *sep =
            memchr(it->p + start, REMOTING_PROP_SEP, it->len - start);
        const uint8_t *nv;

        end = sep ? (size_t)(sep - it->p) : it->len;
        it->off = end + 1;
        if (end - start < 3)
            continue;
        nv = memchr(it->p + start, REMOTING_PROP_NAME_VALUE_SEP, end - start);
        if (!nv)
            continue;
        kv = (size_t)(nv - it->p);
        if (kv == start || kv >= end - 1)
            continue; /* empty key or empty value: Java drops it */
        out->key.ptr = it->p + start;
        out->key.len = kv - start;
        out->key.is_null = 0;
        out->value.ptr = it->p + kv + 1;
        out->value.len = end - kv - 1;
        out->value.is_null = 0;
        return 1;
    }
    return 0;
}

int remoting_props_decode(const uint8_t *p, size_t n, wire_arena *a,
                          remoting_prop **props, int32_t *count)
{
    remoting_prop_iter it;
    remoting_prop pr, *arr;
    int32_t c = 0;

    remoting_prop_iter_init(&it, p, n);
    while (remoting_prop_next(&it, &pr) == 1)
        c++;
    *props = NULL;
    *count = 0;
    if (c == 0)
        return 0;
    arr = wire_arena_calloc(a, (size_t)c, sizeof(*arr));
    if (!arr)
        return BUF_ENOMEM;
    remoting_prop_iter_init(&it, p, n);
    for (int32_t i = 0; i < c; i++)
        remoting_prop_next(&it, &arr[i]);
    *props = arr;
    *count = c;
    return 0;
}

int remoting_props_find(const uint8_t *p, size_t n, const char *key,
                        buf_view *val)
{
    remoting_prop_iter it;
    remoting_prop pr;
    size_t kl = strlen(key);
    int found = 0;

    remoting_prop_iter_init(&it, p, n);
    while (remoting_prop_next(&it, &pr) == 1) {
        if (pr.key.len == kl && memcmp(pr.key.ptr, key, kl) == 0) {
            *val = pr.value;
            found = 1;
        }
    }
    return found;
}

/* Keys may hold neither separator; values may hold \x01 (decoding splits
 * at the first one, so it stays in the value) but not \x02. */
static int prop_text_ok(const uint8_t *p, size_t n, int is_key)
{
    if (n == 0)
        return 0;
    return !memchr(p, REMOTING_PROP_SEP, n) &&
           (!is_key || !memchr(p, REMOTING_PROP_NAME_VALUE_SEP, n));
}

static int props_put(buf_writer *w, size_t start, buf_view key, buf_view value)
{
    if (!prop_text_ok(key.ptr, key.len, 1) ||
        !prop_text_ok(value.ptr, value.len, 0))
        return BUF_EINVAL;
    if (w->len < start ||
        w->len - start + key.len + value.len + 2 > REMOTING_PROPERTIES_MAX)
        return BUF_EINVAL;
    buf_write_raw(w, key.ptr, key.len);
    buf_write_i8(w, REMOTING_PROP_NAME_VALUE_SEP);
    buf_write_raw(w, value.ptr, value.len);
    buf_write_i8(w, REMOTING_PROP_SEP);
    return w->err;
}

int remoting_props_append(buf_writer *w, size_t start, const char *key,
                          buf_view value)
{
    buf_view k = {(const uint8_t *)key, strlen(key), 0};
    return props_put(w, start, k, value);
}

int remoting_props_encode(buf_writer *w, const remoting_prop *props,
                          int32_t count)
{
    size_t start = w->len;
    for (int32_t i = 0; i < count; i++) {
        int rc = props_put(w, start, props[i].key, props[i].value);
        if (rc) {
            if (!w->err)
                w->len = start; /* leave nothing half-written */
            return rc;
        }
    }
    return w->err;
}

/* ------------------------------------------------------------------ */
/* message ids                                                         */
/* ------------------------------------------------------------------ */

static const char HEX[] = "0123456789ABCDEF";

static size_t hex_put(char *out, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = HEX[p[i] >> 4];
        out[2 * i + 1] = HEX[p[i] & 15];
    }
    return 2 * n;
}

static int hex_val(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

size_t remoting_offset_msgid_encode(const remoting_host *store,
                                    int64_t physical_offset, char *out)
{
    uint8_t raw[28];
    size_t iplen = store->is_v6 ? 16 : 4, n;

    memcpy(raw, store->ip, iplen);
    buf_put_u32be(raw + iplen, (uint32_t)store->port);
    buf_put_u64be(raw + iplen + 4, (uint64_t)physical_offset);
    n = hex_put(out, raw, iplen + 12);
    out[n] = 0;
    return n;
}

int remoting_offset_msgid_decode(const char *s, size_t n, remoting_host *store,
                                 int64_t *physical_offset)
{
    uint8_t raw[28];
    size_t iplen;

    if (n == REMOTING_OFFSET_MSGID_V4_LEN)
        iplen = 4;
    else if (n == REMOTING_OFFSET_MSGID_V6_LEN)
        iplen = 16;
    else
        return BUF_EINVAL;
    for (size_t i = 0; i < n / 2; i++) {
        int hi = hex_val(s[2 * i]), lo = hex_val(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return BUF_EINVAL;
        raw[i] = (uint8_t)(hi << 4 | lo);
    }
    memset(store, 0, sizeof(*store));
    store->is_v6 = iplen == 16;
    memcpy(store->ip, raw, iplen);
    store->port = (int32_t)buf_get_u32be(raw + iplen);
    *physical_offset = (int64_t)buf_get_u64be(raw + iplen + 4);
    return 0;
}

size_t remoting_uniq_key_make(const remoting_host *client, uint16_t pid,
                              int32_t loader_hash, int32_t ms_in_month,
                              uint16_t counter, char *out)
{
    uint8_t raw[28];
    size_t iplen = client->is_v6 ? 16 : 4, n;

    memcpy(raw, client->ip, iplen);
    buf_put_u16be(raw + iplen, pid);
    buf_put_u32be(raw + iplen + 2, (uint32_t)loader_hash);
    buf_put_u32be(raw + iplen + 6, (uint32_t)ms_in_month);
    buf_put_u16be(raw + iplen + 10, counter);
    n = hex_put(out, raw, iplen + 12);
    out[n] = 0;
    return n;
}

/* ------------------------------------------------------------------ */
/* CRC and tag hash                                                    */
/* ------------------------------------------------------------------ */

int32_t remoting_body_crc(const uint8_t *p, size_t n)
{
    uLong c = crc32_z(0L, Z_NULL, 0);
    c = crc32_z(c, p, n);
    return (int32_t)(c & 0x7FFFFFFFu);
}

/* Decode one UTF-8 sequence at s[i] (Java's decoder turns every malformed
 * byte into U+FFFD); returns the code point, *adv = bytes used. */
static uint32_t utf8_next(const uint8_t *s, size_t len, size_t i, size_t *adv)
{
    uint8_t c = s[i];
    uint32_t cp, min;
    size_t n;

    *adv = 1;
    if (c < 0x80)
        return c;
    if ((c & 0xe0) == 0xc0) {
        cp = c & 0x1fu;
        n = 2;
        min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        cp = c & 0x0fu;
        n = 3;
        min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        cp = c & 0x07u;
        n = 4;
        min = 0x10000;
    } else {
        return 0xfffd;
    }
    if (i + n > len)
        return 0xfffd;
    for (size_t k = 1; k < n; k++) {
        if ((s[i + k] & 0xc0) != 0x80)
            return 0xfffd;
        cp = cp << 6 | (s[i + k] & 0x3fu);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0xfffd;
    *adv = n;
    return cp;
}

int64_t remoting_tag_hash(const uint8_t *s, size_t len)
{
    uint32_t h = 0;
    size_t i = 0, adv;

    while (i < len) {
        uint32_t cp = utf8_next(s, len, i, &adv);
        i += adv;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            h = h * 31 + (0xd800 + (cp >> 10));
            h = h * 31 + (0xdc00 + (cp & 0x3ff));
        } else {
            h = h * 31 + cp;
        }
    }
    return (int64_t)(int32_t)h;
}
