/*
 * fuzz_kafka_roundtrip.c - decode -> encode -> decode must give equal
 * structs, for every schema.  Input: byte 0 picks the schema (index into
 * tests/kafka_schemas.h, mod its size), byte 1 the version (mod its
 * range), the rest is the body.  Also checks that the splice encoding flattens to the copy
 * encoding.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../tests/kafka_schemas.h"
#include "kafka.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const kafka_schema *s;
    int16_t ver;
    void *m1, *m2;
    wire_arena a1, a2;
    buf_reader r;
    buf_writer w, ws, flat;
    kafka_splice_list spl;

    if (size < 2)
        return 0;
    s = kafka_all_schemas[data[0] % KAFKA_N_SCHEMAS];
    ver = (int16_t)(s->min_version +
                    data[1] % (s->max_version - s->min_version + 1));
    m1 = malloc(s->size);
    m2 = malloc(s->size);
    if (!m1 || !m2) {
        free(m1);
        free(m2);
        return 0;
    }
    wire_arena_init(&a1, 4096, 1 << 20);
    wire_arena_init(&a2, 4096, 1 << 20);
    buf_writer_init(&w, 256, 0);
    buf_writer_init(&ws, 256, 0);
    buf_writer_init(&flat, 256, 0);
    kafka_splice_list_init(&spl);

    buf_reader_init(&r, data + 2, size - 2);
    if (kafka_decode(s, ver, &r, m1, &a1) == 0) {
        size_t used = r.off;
        if (kafka_encode(s, ver, m1, &w, NULL) != 0)
            abort();
        buf_reader_init(&r, w.p, w.len);
        if (kafka_decode(s, ver, &r, m2, &a2) != 0 || buf_left(&r) != 0)
            abort();
        if (!kafka_equal(s, ver, m1, m2))
            abort();
        /* canonical: re-encoding is never longer than the input used
         * (non-minimal varints and unknown tags only shrink) */
        if (w.len > used)
            abort();
        if (kafka_encode(s, ver, m1, &ws, &spl) != 0)
            abort();
        if (kafka_splice_flatten(&ws, &spl, &flat) != 0)
            abort();
        if (flat.len != w.len || memcmp(flat.p, w.p, w.len) != 0)
            abort();
    }
    kafka_splice_list_release(&spl);
    buf_writer_release(&w);
    buf_writer_release(&ws);
    buf_writer_release(&flat);
    wire_arena_release(&a1);
    wire_arena_release(&a2);
    free(m1);
    free(m2);
    return 0;
}

#include "fuzz_replay.h"
