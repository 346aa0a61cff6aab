/*
 * kafka_schema.c - the one walker that decodes, encodes, defaults and
 * compares any Kafka message described by a kafka_schema (see kafka.h).
 *
 * Encodings handled here, once:
 *   classic  string = int16 len (-1 null); bytes/records = int32 len (-1
 *            null); array = int32 count (-1 null)
 *   compact  string/bytes/records/array = uvarint N+1 (0 = null)
 *   tags     at the end of every struct in flexible versions:
 *            uvarint n, then n x (uvarint tag, uvarint size, size bytes)
 *
 * Decoding invariants: counts are checked against the bytes left (times the
 * smallest encoding of one element) before the arena is asked for memory;
 * a tagged field is decoded from a sub-reader of exactly its size and must
 * consume it; unknown tags are skipped.
 *
 * Schemas are static and not recursive, so recursion depth is bounded by
 * the deepest table (4 levels).
 */
#include "kafka.h"

#include <stdlib.h>
#include <string.h>

typedef struct kctx {
    int16_t ver;
    int flex;
    wire_arena *a;
    kafka_splice_list *spl;
} kctx;

static int field_present(const kafka_field *f, const kctx *c)
{
    if (c->ver < f->from || c->ver > f->until)
        return 0;
    if (f->tag >= 0 && !c->flex)
        return 0;
    return 1;
}

static int field_nullable(const kafka_field *f, const kctx *c)
{
    return c->ver >= f->nullable_from;
}

static size_t type_size(const kafka_field *f)
{
    switch ((kafka_type)f->type) {
    case KT_BOOL:
    case KT_I8:
        return 1;
    case KT_I16:
        return 2;
    case KT_I32:
        return 4;
    case KT_I64:
        return 8;
    case KT_UUID:
        return sizeof(kafka_uuid);
    case KT_STRING:
    case KT_BYTES:
    case KT_RECORDS_VIEW:
        return sizeof(buf_view);
    case KT_RECORDS:
        return sizeof(kafka_records);
    case KT_STRUCT:
        return f->sub->size;
    case KT_ARRAY:
    case KT_ARRAY_I32:
    case KT_ARRAY_I64:
    case KT_ARRAY_STRING:
        return sizeof(kafka_array);
    }
    return 0;
}

static size_t elem_size(const kafka_field *f)
{
    switch ((kafka_type)f->type) {
    case KT_ARRAY:
        return f->sub->size;
    case KT_ARRAY_I32:
        return sizeof(int32_t);
    case KT_ARRAY_I64:
        return sizeof(int64_t);
    case KT_ARRAY_STRING:
        return sizeof(buf_view);
    default:
        return 0;
    }
}

/* ------------------------------------------------------------------ */
/* defaults                                                            */
/* ------------------------------------------------------------------ */

static void set_defaults(const kafka_schema *s, uint8_t *obj)
{
    uint16_t i;

    for (i = 0; i < s->n_fields; i++) {
        const kafka_field *f = &s->fields[i];
        uint8_t *p = obj + f->offset;

        switch ((kafka_type)f->type) {
        case KT_BOOL:
            *p = (uint8_t)(f->def != 0);
            break;
        case KT_I8:
            *(int8_t *)p = (int8_t)f->def;
            break;
        case KT_I16:
            *(int16_t *)p = (int16_t)f->def;
            break;
        case KT_I32:
            *(int32_t *)p = (int32_t)f->def;
            break;
        case KT_I64:
            *(int64_t *)p = f->def;
            break;
        case KT_STRING:
        case KT_BYTES:
        case KT_RECORDS_VIEW:
            ((buf_view *)p)->is_null = f->def == 1;
            break;
        case KT_RECORDS:
            ((kafka_records *)p)->len = f->def == 1 ? -1 : 0;
            break;
        case KT_STRUCT:
            set_defaults(f->sub, p);
            break;
        case KT_ARRAY:
        case KT_ARRAY_I32:
        case KT_ARRAY_I64:
        case KT_ARRAY_STRING:
            ((kafka_array *)p)->count = f->def == 1 ? -1 : 0;
            break;
        case KT_UUID:
            break;
        }
    }
}

void kafka_init_defaults(const kafka_schema *s, void *obj)
{
    memset(obj, 0, s->size);
    set_defaults(s, obj);
}

/* ------------------------------------------------------------------ */
/* decode                                                              */
/* ------------------------------------------------------------------ */

static int dec_struct(const kafka_schema *s, kctx *c, buf_reader *r,
                      uint8_t *out);

/* Smallest number of bytes one struct can take at this version; >= 1 so a
 * count check always bounds the allocation. */
static size_t min_struct_size(const kafka_schema *s, const kctx *c)
{
    size_t n = c->flex ? 1 : 0;
    uint16_t i;

    for (i = 0; i < s->n_fields; i++) {
        const kafka_field *f = &s->fields[i];
        if (!field_present(f, c) || f->tag >= 0)
            continue;
        switch ((kafka_type)f->type) {
        case KT_BOOL:
        case KT_I8:
        case KT_I16:
        case KT_I32:
        case KT_I64:
        case KT_UUID:
            n += type_size(f);
            break;
        case KT_STRING:
            n += c->flex ? 1 : 2;
            break;
        case KT_BYTES:
        case KT_RECORDS:
        case KT_RECORDS_VIEW:
        case KT_ARRAY:
        case KT_ARRAY_I32:
        case KT_ARRAY_I64:
        case KT_ARRAY_STRING:
            n += c->flex ? 1 : 4;
            break;
        case KT_STRUCT:
            n += min_struct_size(f->sub, c);
            break;
        }
    }
    return n ? n : 1;
}

/* Read a string (str=1) or bytes length; returns the view.  Null where not
 * allowed is BUF_EINVAL. */
static buf_view dec_view(buf_reader *r, int flex, int is_str, int nullable)
{
    buf_view v = {NULL, 0, 0};
    int64_t n;

    if (flex) {
        uint32_t u = buf_read_uvarint(r);
        n = (int64_t)u - 1;
    } else if (is_str) {
        n = buf_read_i16(r);
    } else {
        n = buf_read_i32(r);
    }
    if (r->err)
        return v;
    if (n < -1) {
        buf_reader_fail(r, BUF_EINVAL);
        return v;
    }
    if (n == -1) {
        if (!nullable)
            buf_reader_fail(r, BUF_EINVAL);
        v.is_null = 1;
        return v;
    }
    v = buf_read_raw(r, (size_t)n);
    return v;
}

static int32_t dec_count(buf_reader *r, int flex, int nullable, size_t min)
{
    int64_t n;

    if (flex)
        n = (int64_t)buf_read_uvarint(r) - 1;
    else
        n = buf_read_i32(r);
    if (r->err)
        return 0;
    if (n == -1 && !nullable) {
        buf_reader_fail(r, BUF_EINVAL);
        return 0;
    }
    return buf_check_count(r, n, min);
}

static void dec_field(const kafka_field *f, kctx *c, buf_reader *r,
                      uint8_t *p)
{
    int nullable = field_nullable(f, c);

    switch ((kafka_type)f->type) {
    case KT_BOOL:
        *p = buf_read_i8(r) != 0;
        break;
    case KT_I8:
        *(int8_t *)p = buf_read_i8(r);
        break;
    case KT_I16:
        *(int16_t *)p = buf_read_i16(r);
        break;
    case KT_I32:
        *(int32_t *)p = buf_read_i32(r);
        break;
    case KT_I64:
        *(int64_t *)p = buf_read_i64(r);
        break;
    case KT_UUID: {
        buf_view v = buf_read_raw(r, 16);
        if (v.ptr)
            memcpy(p, v.ptr, 16);
        break;
    }
    case KT_STRING:
        *(buf_view *)p = dec_view(r, c->flex, 1, nullable);
        break;
    case KT_BYTES:
    case KT_RECORDS_VIEW:
        *(buf_view *)p = dec_view(r, c->flex, 0, nullable);
        break;
    case KT_RECORDS: {
        buf_view v = dec_view(r, c->flex, 0, nullable);
        kafka_records *rec = (kafka_records *)p;
        memset(rec, 0, sizeof(*rec));
        if (r->err)
            break;
        if (v.is_null) {
            rec->len = -1;
        } else {
            rec->len = (int64_t)v.len;
            if (v.len) {
                kafka_rec_piece *pc = wire_arena_alloc(c->a, sizeof(*pc));
                if (!pc) {
                    buf_reader_fail(r, BUF_ELIMIT);
                    break;
                }
                pc->p = v.ptr;
                pc->len = v.len;
                rec->pieces = pc;
                rec->n_pieces = 1;
            }
        }
        break;
    }
    case KT_STRUCT:
        dec_struct(f->sub, c, r, p);
        break;
    case KT_ARRAY:
    case KT_ARRAY_I32:
    case KT_ARRAY_I64:
    case KT_ARRAY_STRING: {
        kafka_array *arr = (kafka_array *)p;
        size_t min, esz = elem_size(f);
        int32_t n, i;
        uint8_t *items;

        arr->items = NULL;
        arr->count = 0;
        if (f->type == KT_ARRAY)
            min = min_struct_size(f->sub, c);
        else if (f->type == KT_ARRAY_I32)
            min = 4;
        else if (f->type == KT_ARRAY_I64)
            min = 8;
        else
            min = c->flex ? 1 : 2;
        n = dec_count(r, c->flex, nullable, min);
        if (r->err)
            break;
        arr->count = n;
        if (n <= 0)
            break;
        items = wire_arena_calloc(c->a, (size_t)n, esz);
        if (!items) {
            buf_reader_fail(r, BUF_ELIMIT);
            arr->count = 0;
            break;
        }
        arr->items = items;
        for (i = 0; i < n && !r->err; i++) {
            uint8_t *e = items + (size_t)i * esz;
            switch ((kafka_type)f->type) {
            case KT_ARRAY:
                dec_struct(f->sub, c, r, e);
                break;
            case KT_ARRAY_I32:
                *(int32_t *)e = buf_read_i32(r);
                break;
            case KT_ARRAY_I64:
                *(int64_t *)e = buf_read_i64(r);
                break;
            default:
                *(buf_view *)e = dec_view(r, c->flex, 1, 0);
                break;
            }
        }
        break;
    }
    }
}

static void dec_tags(const kafka_schema *s, kctx *c, buf_reader *r,
                     uint8_t *out)
{
    uint32_t n, i;

    n = buf_read_uvarint(r);
    /* each tagged field is at least 2 bytes (tag, size) */
    if (!r->err && n > buf_left(r) / 2) {
        buf_reader_fail(r, BUF_EINVAL);
        return;
    }
    for (i = 0; i < n && !r->err; i++) {
        uint32_t tag = buf_read_uvarint(r);
        uint32_t size = buf_read_uvarint(r);
        buf_reader sub;
        uint16_t k;
        const kafka_field *f = NULL;

        if (buf_reader_sub(r, size, &sub))
            return;
        for (k = 0; k < s->n_fields; k++) {
            const kafka_field *g = &s->fields[k];
            if (g->tag >= 0 && (uint32_t)g->tag == tag &&
                field_present(g, c)) {
                f = g;
                break;
            }
        }
        if (!f)
            continue; /* unknown tag: skipped */
        dec_field(f, c, &sub, out + f->offset);
        if (sub.err || buf_left(&sub) != 0)
            buf_reader_fail(r, sub.err ? sub.err : BUF_EINVAL);
    }
}

static int dec_struct(const kafka_schema *s, kctx *c, buf_reader *r,
                      uint8_t *out)
{
    uint16_t i;

    set_defaults(s, out);
    for (i = 0; i < s->n_fields && !r->err; i++) {
        const kafka_field *f = &s->fields[i];
        if (!field_present(f, c) || f->tag >= 0)
            continue;
        dec_field(f, c, r, out + f->offset);
    }
    if (c->flex && !r->err)
        dec_tags(s, c, r, out);
    return r->err;
}

int kafka_decode(const kafka_schema *s, int16_t version, buf_reader *r,
                 void *out, wire_arena *a)
{
    kctx c;

    memset(out, 0, s->size);
    if (version < s->min_version || version > s->max_version)
        return KAFKA_EVERSION;
    c.ver = version;
    c.flex = version >= s->flexible_from;
    c.a = a;
    c.spl = NULL;
    return dec_struct(s, &c, r, out);
}

/* ------------------------------------------------------------------ */
/* encode                                                              */
/* ------------------------------------------------------------------ */

static void enc_struct(const kafka_schema *s, kctx *c, buf_writer *w,
                       const uint8_t *in);

static void enc_fail(buf_writer *w, int err)
{
    if (!w->err)
        w->err = err;
}

static void enc_len(buf_writer *w, int flex, int is_str, int64_t n)
{
    if (flex) {
        if (n + 1 > (int64_t)UINT32_MAX) {
            enc_fail(w, BUF_EINVAL);
            return;
        }
        buf_write_uvarint(w, (uint32_t)(n + 1));
    } else if (is_str) {
        if (n > INT16_MAX) {
            enc_fail(w, BUF_EINVAL);
            return;
        }
        buf_write_i16(w, (int16_t)n);
    } else {
        if (n > INT32_MAX) {
            enc_fail(w, BUF_EINVAL);
            return;
        }
        buf_write_i32(w, (int32_t)n);
    }
}

static void enc_view(buf_writer *w, int flex, int is_str, int nullable,
                     const buf_view *v)
{
    if (v->is_null) {
        enc_len(w, flex, is_str, nullable ? -1 : 0);
        return;
    }
    if (v->len && !v->ptr) {
        enc_fail(w, BUF_EINVAL);
        return;
    }
    enc_len(w, flex, is_str, (int64_t)v->len);
    buf_write_raw(w, v->ptr, v->len);
}

static void splice_push(kafka_splice_list *l, buf_writer *w,
                        const kafka_records *rec)
{
    kafka_splice *sp;

    if (l->count == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 16;
        kafka_splice *ni = realloc(l->items, ncap * sizeof(*ni));
        if (!ni) {
            enc_fail(w, BUF_ENOMEM);
            return;
        }
        l->items = ni;
        l->cap = ncap;
    }
    sp = &l->items[l->count++];
    sp->at = w->len;
    sp->pieces = rec->pieces;
    sp->n_pieces = rec->n_pieces;
    sp->len = rec->len;
}

static void enc_records(const kafka_field *f, kctx *c, buf_writer *w,
                        const kafka_records *rec)
{
    int64_t sum = 0;
    int32_t i;

    if (rec->len < 0) {
        enc_len(w, c->flex, 0, field_nullable(f, c) ? -1 : 0);
        return;
    }
    if (rec->n_pieces < 0 || (rec->n_pieces > 0 && !rec->pieces)) {
        enc_fail(w, BUF_EINVAL);
        return;
    }
    for (i = 0; i < rec->n_pieces; i++) {
        if (rec->pieces[i].len && !rec->pieces[i].p) {
            enc_fail(w, BUF_EINVAL);
            return;
        }
        sum += (int64_t)rec->pieces[i].len;
    }
    if (sum != rec->len) {
        enc_fail(w, BUF_EINVAL);
        return;
    }
    enc_len(w, c->flex, 0, rec->len);
    if (w->err || rec->len == 0)
        return;
    if (c->spl) {
        splice_push(c->spl, w, rec);
        return;
    }
    for (i = 0; i < rec->n_pieces; i++)
        buf_write_raw(w, rec->pieces[i].p, rec->pieces[i].len);
}

static void enc_field(const kafka_field *f, kctx *c, buf_writer *w,
                      const uint8_t *p)
{
    int nullable = field_nullable(f, c);

    switch ((kafka_type)f->type) {
    case KT_BOOL:
        buf_write_i8(w, *p ? 1 : 0);
        break;
    case KT_I8:
        buf_write_i8(w, *(const int8_t *)p);
        break;
    case KT_I16:
        buf_write_i16(w, *(const int16_t *)p);
        break;
    case KT_I32:
        buf_write_i32(w, *(const int32_t *)p);
        break;
    case KT_I64:
        buf_write_i64(w, *(const int64_t *)p);
        break;
    case KT_UUID:
        buf_write_raw(w, p, 16);
        break;
    case KT_STRING:
        enc_view(w, c->flex, 1, nullable, (const buf_view *)p);
        break;
    case KT_BYTES:
    case KT_RECORDS_VIEW:
        enc_view(w, c->flex, 0, nullable, (const buf_view *)p);
        break;
    case KT_RECORDS:
        enc_records(f, c, w, (const kafka_records *)p);
        break;
    case KT_STRUCT:
        enc_struct(f->sub, c, w, p);
        break;
    case KT_ARRAY:
    case KT_ARRAY_I32:
    case KT_ARRAY_I64:
    case KT_ARRAY_STRING: {
        const kafka_array *arr = (const kafka_array *)p;
        size_t esz = elem_size(f);
        int32_t i;

        if (arr->count < 0) {
            if (arr->count != -1) {
                enc_fail(w, BUF_EINVAL);
                break;
            }
            enc_len(w, c->flex, 0, nullable ? -1 : 0);
            break;
        }
        if (arr->count > 0 && !arr->items) {
            enc_fail(w, BUF_EINVAL);
            break;
        }
        enc_len(w, c->flex, 0, arr->count);
        for (i = 0; i < arr->count && !w->err; i++) {
            const uint8_t *e = (const uint8_t *)arr->items + (size_t)i * esz;
            switch ((kafka_type)f->type) {
            case KT_ARRAY:
                enc_struct(f->sub, c, w, e);
                break;
            case KT_ARRAY_I32:
                buf_write_i32(w, *(const int32_t *)e);
                break;
            case KT_ARRAY_I64:
                buf_write_i64(w, *(const int64_t *)e);
                break;
            default:
                enc_view(w, c->flex, 1, 0, (const buf_view *)e);
                break;
            }
        }
        break;
    }
    }
}

static int is_default(const kafka_field *f, const kctx *c, const uint8_t *p);

static int struct_is_default(const kafka_schema *s, const kctx *c,
                             const uint8_t *obj)
{
    uint16_t i;

    for (i = 0; i < s->n_fields; i++) {
        const kafka_field *f = &s->fields[i];
        if (field_present(f, c) && !is_default(f, c, obj + f->offset))
            return 0;
    }
    return 1;
}

static int is_default(const kafka_field *f, const kctx *c, const uint8_t *p)
{
    static const uint8_t zero16[16];

    switch ((kafka_type)f->type) {
    case KT_BOOL:
        return (*p != 0) == (f->def != 0);
    case KT_I8:
        return *(const int8_t *)p == (int8_t)f->def;
    case KT_I16:
        return *(const int16_t *)p == (int16_t)f->def;
    case KT_I32:
        return *(const int32_t *)p == (int32_t)f->def;
    case KT_I64:
        return *(const int64_t *)p == f->def;
    case KT_UUID:
        return memcmp(p, zero16, 16) == 0;
    case KT_STRING:
    case KT_BYTES:
    case KT_RECORDS_VIEW: {
        const buf_view *v = (const buf_view *)p;
        if (f->def == 1)
            return v->is_null;
        return !v->is_null && v->len == 0;
    }
    case KT_RECORDS:
        return ((const kafka_records *)p)->len <= 0;
    case KT_STRUCT:
        return struct_is_default(f->sub, c, p);
    case KT_ARRAY:
    case KT_ARRAY_I32:
    case KT_ARRAY_I64:
    case KT_ARRAY_STRING:
        return ((const kafka_array *)p)->count == (f->def == 1 ? -1 : 0);
    }
    return 1;
}

static void enc_tags(const kafka_schema *s, kctx *c, buf_writer *w,
                     const uint8_t *in)
{
    uint32_t n = 0;
    uint16_t i;
    kafka_splice_list *saved = c->spl;

    for (i = 0; i < s->n_fields; i++) {
        const kafka_field *f = &s->fields[i];
        if (f->tag >= 0 && field_present(f, c) &&
            !is_default(f, c, in + f->offset))
            n++;
    }
    buf_write_uvarint(w, n);
    if (n == 0)
        return;
    c->spl = NULL; /* records never live in tagged fields */
    /* tables list tagged fields in ascending tag order */
    for (i = 0; i < s->n_fields && !w->err; i++) {
        const kafka_field *f = &s->fields[i];
        buf_writer tmp;

        if (f->tag < 0 || !field_present(f, c) ||
            is_default(f, c, in + f->offset))
            continue;
        buf_writer_init(&tmp, 64, w->max);
        enc_field(f, c, &tmp, in + f->offset);
        if (tmp.err) {
            enc_fail(w, tmp.err);
        } else if (tmp.len > UINT32_MAX) {
            enc_fail(w, BUF_EINVAL);
        } else {
            buf_write_uvarint(w, (uint32_t)f->tag);
            buf_write_uvarint(w, (uint32_t)tmp.len);
            buf_write_raw(w, tmp.p, tmp.len);
        }
        buf_writer_release(&tmp);
    }
    c->spl = saved;
}

static void enc_struct(const kafka_schema *s, kctx *c, buf_writer *w,
                       const uint8_t *in)
{
    uint16_t i;

    for (i = 0; i < s->n_fields && !w->err; i++) {
        const kafka_field *f = &s->fields[i];
        if (!field_present(f, c) || f->tag >= 0)
            continue;
        enc_field(f, c, w, in + f->offset);
    }
    if (c->flex && !w->err)
        enc_tags(s, c, w, in);
}

int kafka_encode(const kafka_schema *s, int16_t version, const void *in,
                 buf_writer *w, kafka_splice_list *splices)
{
    kctx c;

    if (version < s->min_version || version > s->max_version)
        return KAFKA_EVERSION;
    if (w->err)
        return w->err;
    c.ver = version;
    c.flex = version >= s->flexible_from;
    c.a = NULL;
    c.spl = splices;
    enc_struct(s, &c, w, in);
    return w->err;
}

/* ------------------------------------------------------------------ */
/* equality                                                            */
/* ------------------------------------------------------------------ */

static int view_eq(const buf_view *x, const buf_view *y)
{
    if (x->is_null || y->is_null)
        return x->is_null == y->is_null;
    return x->len == y->len && (x->len == 0 || memcmp(x->ptr, y->ptr, x->len) == 0);
}

static int records_eq(const kafka_records *x, const kafka_records *y)
{
    int32_t ix = 0, iy = 0;
    size_t ox = 0, oy = 0;

    if (x->len < 0 || y->len < 0)
        return (x->len < 0) == (y->len < 0);
    if (x->len != y->len)
        return 0;
    for (;;) {
        size_t n;
        while (ix < x->n_pieces && ox == x->pieces[ix].len) {
            ix++;
            ox = 0;
        }
        while (iy < y->n_pieces && oy == y->pieces[iy].len) {
            iy++;
            oy = 0;
        }
        if (ix >= x->n_pieces || iy >= y->n_pieces)
            return ix >= x->n_pieces && iy >= y->n_pieces;
        n = x->pieces[ix].len - ox;
        if (y->pieces[iy].len - oy < n)
            n = y->pieces[iy].len - oy;
        if (memcmp(x->pieces[ix].p + ox, y->pieces[iy].p + oy, n) != 0)
            return 0;
        ox += n;
        oy += n;
    }
}

static int struct_eq(const kafka_schema *s, const kctx *c, const uint8_t *x,
                     const uint8_t *y);

static int field_eq(const kafka_field *f, const kctx *c, const uint8_t *x,
                    const uint8_t *y)
{
    switch ((kafka_type)f->type) {
    case KT_BOOL:
        return (*x != 0) == (*y != 0);
    case KT_I8:
    case KT_I16:
    case KT_I32:
    case KT_I64:
    case KT_UUID:
        return memcmp(x, y, type_size(f)) == 0;
    case KT_STRING:
    case KT_BYTES:
    case KT_RECORDS_VIEW:
        return view_eq((const buf_view *)x, (const buf_view *)y);
    case KT_RECORDS:
        return records_eq((const kafka_records *)x, (const kafka_records *)y);
    case KT_STRUCT:
        return struct_eq(f->sub, c, x, y);
    case KT_ARRAY:
    case KT_ARRAY_I32:
    case KT_ARRAY_I64:
    case KT_ARRAY_STRING: {
        const kafka_array *ax = (const kafka_array *)x;
        const kafka_array *ay = (const kafka_array *)y;
        size_t esz = elem_size(f);
        int32_t i;

        if (ax->count != ay->count)
            return 0;
        for (i = 0; i < ax->count; i++) {
            const uint8_t *ex = (const uint8_t *)ax->items + (size_t)i * esz;
            const uint8_t *ey = (const uint8_t *)ay->items + (size_t)i * esz;
            int eq;
            switch ((kafka_type)f->type) {
            case KT_ARRAY:
                eq = struct_eq(f->sub, c, ex, ey);
                break;
            case KT_ARRAY_STRING:
                eq = view_eq((const buf_view *)ex, (const buf_view *)ey);
                break;
            default:
                eq = memcmp(ex, ey, esz) == 0;
                break;
            }
            if (!eq)
                return 0;
        }
        return 1;
    }
    }
    return 0;
}

static int struct_eq(const kafka_schema *s, const kctx *c, const uint8_t *x,
                     const uint8_t *y)
{
    uint16_t i;

    for (i = 0; i < s->n_fields; i++) {
        const kafka_field *f = &s->fields[i];
        if (field_present(f, c) &&
            !field_eq(f, c, x + f->offset, y + f->offset))
            return 0;
    }
    return 1;
}

int kafka_equal(const kafka_schema *s, int16_t version, const void *a,
                const void *b)
{
    kctx c;

    c.ver = version;
    c.flex = version >= s->flexible_from;
    c.a = NULL;
    c.spl = NULL;
    return struct_eq(s, &c, a, b);
}
