/*
 * kafka_fill.h - test helper: fill any schema'd Kafka struct with
 * pseudo-random values valid for one version (schema-driven, so every
 * table gets exercised without hand-written fixtures).
 *
 * Header-only (static functions) so the unit tests and the corpus
 * generator can share it without a library.  Strings, bytes and records
 * point into static pools; arrays come from the given arena.
 */
#ifndef FERRY_KAFKA_FILL_H
#define FERRY_KAFKA_FILL_H

#include "kafka.h"

#include <string.h>

typedef struct fill_rng {
    uint64_t s;
} fill_rng;

static uint32_t fill_next(fill_rng *g)
{
    g->s ^= g->s << 13;
    g->s ^= g->s >> 7;
    g->s ^= g->s << 17;
    return (uint32_t)(g->s >> 16);
}

static const char *const fill_strings[] = {
    "", "a", "topic-1", "ferry", "librdkafka", "__consumer_offsets",
    ("0123456789012345678901234567890123456789012345678901234567890123456789"
     "0123456789012345678901234567890123456789012345678901234567890123456789"),
};

static const uint8_t fill_bytes[300] = {1, 2, 3, 0, 255, 0x80, 0x7f};

static buf_view fill_view(fill_rng *g, int nullable)
{
    buf_view v = {NULL, 0, 0};

    if (nullable && fill_next(g) % 4 == 0) {
        v.is_null = 1;
        return v;
    }
    if (fill_next(g) % 2) {
        const char *s =
            fill_strings[fill_next(g) %
                         (sizeof(fill_strings) / sizeof(fill_strings[0]))];
        v.ptr = (const uint8_t *)s;
        v.len = strlen(s);
    } else {
        v.ptr = fill_bytes;
        v.len = fill_next(g) % sizeof(fill_bytes);
    }
    return v;
}

static int fill_present(const kafka_field *f, int16_t ver, int flex)
{
    if (ver < f->from || ver > f->until)
        return 0;
    return f->tag < 0 || flex;
}

static void fill_struct(const kafka_schema *s, int16_t ver, int flex,
                        fill_rng *g, wire_arena *a, uint8_t *obj);

static void fill_field(const kafka_field *f, int16_t ver, int flex,
                       fill_rng *g, wire_arena *a, uint8_t *p)
{
    int nullable = ver >= f->nullable_from;

    switch ((kafka_type)f->type) {
    case KT_BOOL:
        *p = (uint8_t)(fill_next(g) & 1);
        break;
    case KT_I8:
        *(int8_t *)p = (int8_t)fill_next(g);
        break;
    case KT_I16:
        *(int16_t *)p = (int16_t)fill_next(g);
        break;
    case KT_I32:
        *(int32_t *)p = (int32_t)fill_next(g);
        break;
    case KT_I64:
        *(int64_t *)p =
            (int64_t)((uint64_t)fill_next(g) << 32 | fill_next(g));
        break;
    case KT_UUID: {
        int i;
        for (i = 0; i < 16; i++)
            p[i] = (uint8_t)fill_next(g);
        break;
    }
    case KT_STRING:
    case KT_BYTES:
    case KT_RECORDS_VIEW:
        *(buf_view *)p = fill_view(g, nullable);
        break;
    case KT_RECORDS: {
        kafka_records *rec = (kafka_records *)p;
        memset(rec, 0, sizeof(*rec));
        if (nullable && fill_next(g) % 4 == 0) {
            rec->len = -1;
        } else {
            kafka_rec_piece *pc = wire_arena_calloc(a, 2, sizeof(*pc));
            pc[0].p = fill_bytes;
            pc[0].len = fill_next(g) % 100;
            pc[1].p = fill_bytes + 100;
            pc[1].len = fill_next(g) % 100;
            rec->pieces = pc;
            rec->n_pieces = 2;
            rec->len = (int64_t)(pc[0].len + pc[1].len);
        }
        break;
    }
    case KT_STRUCT:
        fill_struct(f->sub, ver, flex, g, a, p);
        break;
    case KT_ARRAY:
    case KT_ARRAY_I32:
    case KT_ARRAY_I64:
    case KT_ARRAY_STRING: {
        kafka_array *arr = (kafka_array *)p;
        size_t esz = f->type == KT_ARRAY       ? f->sub->size
                     : f->type == KT_ARRAY_I32 ? sizeof(int32_t)
                     : f->type == KT_ARRAY_I64 ? sizeof(int64_t)
                                               : sizeof(buf_view);
        int32_t i;
        if (nullable && fill_next(g) % 5 == 0) {
            arr->count = -1;
            arr->items = NULL;
            break;
        }
        arr->count = (int32_t)(fill_next(g) % 4);
        arr->items = wire_arena_calloc(a, (size_t)arr->count + 1, esz);
        for (i = 0; i < arr->count; i++) {
            uint8_t *e = (uint8_t *)arr->items + (size_t)i * esz;
            if (f->type == KT_ARRAY)
                fill_struct(f->sub, ver, flex, g, a, e);
            else if (f->type == KT_ARRAY_I32)
                *(int32_t *)e = (int32_t)fill_next(g);
            else if (f->type == KT_ARRAY_I64)
                *(int64_t *)e = (int64_t)fill_next(g) * 977;
            else
                *(buf_view *)e = fill_view(g, 0);
        }
        break;
    }
    }
}

static void fill_struct(const kafka_schema *s, int16_t ver, int flex,
                        fill_rng *g, wire_arena *a, uint8_t *obj)
{
    uint16_t i;

    kafka_init_defaults(s, obj);
    for (i = 0; i < s->n_fields; i++) {
        const kafka_field *f = &s->fields[i];
        if (!fill_present(f, ver, flex))
            continue;
        /* leave tagged fields at their default now and then */
        if (f->tag >= 0 && fill_next(g) % 3 == 0)
            continue;
        fill_field(f, ver, flex, g, a, obj + f->offset);
    }
}

/* Fill a top-level message of schema s for version ver. */
static void kafka_fill(const kafka_schema *s, int16_t ver, uint64_t seed,
                       wire_arena *a, void *obj)
{
    fill_rng g;
    g.s = seed * 0x9E3779B97F4A7C15ull + 1;
    fill_struct(s, ver, ver >= s->flexible_from, &g, a, obj);
}

/* kafka_all_schemas / KAFKA_N_SCHEMAS */
#include "kafka_schemas.h"

#endif /* FERRY_KAFKA_FILL_H */
