/*
 * gen_corpus.c - writes the seed corpora under wire/fuzz/corpus/ from our
 * own encoders: a valid frame/body for every request and response schema at
 * every version (schema-driven fill, tests/kafka_fill.h), record batches
 * for every codec, and a few malformed inputs.  Run by hand after a schema
 * change:  build/wire/wire_gen_corpus wire/fuzz/corpus
 * (the kcat golden frames are copied in by hand from wire/testdata/).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../tests/kafka_fill.h"
#include "kafka.h"
#include "kafka_record_batch.h"

static void put(const char *root, const char *dir, const char *name,
                const uint8_t *p, size_t n)
{
    char path[1024];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", root, dir);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/%s/%s", root, dir, name);
    f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
    fclose(f);
}

static void gen_messages(const char *root)
{
    size_t i;
    char name[128];

    for (i = 0; i < KAFKA_N_SCHEMAS; i++) {
        const kafka_schema *s = kafka_all_schemas[i];
        int16_t v;
        for (v = s->min_version; v <= s->max_version; v++) {
            wire_arena a;
            buf_writer w;
            void *m = calloc(1, s->size);
            uint8_t pre[2];

            wire_arena_init(&a, 0, 0);
            kafka_fill(s, v, (uint64_t)(i * 100 + (size_t)v), &a, m);
            /* round-trip corpus: [schema index, version offset, body] */
            buf_writer_init(&w, 256, 0);
            pre[0] = (uint8_t)i;
            pre[1] = (uint8_t)(v - s->min_version);
            buf_write_raw(&w, pre, 2);
            if (kafka_encode(s, v, m, &w, NULL) != 0)
                exit(1);
            snprintf(name, sizeof(name), "%s_v%d", s->name, v);
            put(root, "fuzz_kafka_roundtrip", name, w.p, w.len);
            /* request frames */
            if (s->api_key >= 0 && kafka_request_schema(s->api_key) == s) {
                kafka_req_header h;
                size_t at;
                w.len = 0;
                memset(&h, 0, sizeof(h));
                h.api_key = s->api_key;
                h.api_version = v;
                h.correlation_id = (int32_t)(v + 1);
                h.client_id.ptr = (const uint8_t *)"gen-corpus";
                h.client_id.len = 10;
                at = kafka_frame_begin(&w);
                kafka_req_header_encode(&w, &h);
                if (kafka_encode(s, v, m, &w, NULL) != 0)
                    exit(1);
                kafka_frame_end(&w, at, NULL);
                put(root, "fuzz_kafka_request", name, w.p, w.len);
                /* a truncated copy */
                snprintf(name, sizeof(name), "%s_v%d_trunc", s->name, v);
                put(root, "fuzz_kafka_request", name, w.p, w.len * 2 / 3);
            }
            buf_writer_release(&w);
            wire_arena_release(&a);
            free(m);
        }
    }
    {
        static const uint8_t neg[] = {0xff, 0xff, 0xff, 0xff, 0, 0};
        static const uint8_t unk[] = {0, 0, 0, 10, 0x03, 0xe7, 0, 1,
                                      0, 0, 0, 1,  0xff, 0xff};
        /* KIP-511: ApiVersions v9 */
        static const uint8_t av9[] = {0, 0, 0, 12, 0, 18, 0, 9, 0,
                                      0, 0, 1, 0,  2, 'i', 'd', 0};
        put(root, "fuzz_kafka_request", "bad_negative_size", neg, sizeof(neg));
        put(root, "fuzz_kafka_request", "unknown_api", unk, sizeof(unk));
        put(root, "fuzz_kafka_request", "api_versions_v9", av9, sizeof(av9));
    }
}

static void gen_batches(const char *root)
{
    static const kafka_rec_header hdrs[2] = {
        {{(const uint8_t *)"TAGS", 4, 0}, {(const uint8_t *)"tagA", 4, 0}},
        {{(const uint8_t *)"KEYS", 4, 0}, {NULL, 0, 1}}};
    kafka_record_in recs[4];
    kafka_batch_params bp;
    buf_writer w;
    char name[64];
    int codec, i;

    memset(recs, 0, sizeof(recs));
    for (i = 0; i < 4; i++) {
        recs[i].timestamp = 1700000000000LL + i;
        recs[i].key.ptr = (const uint8_t *)"key";
        recs[i].key.len = 3;
        recs[i].value.ptr = (const uint8_t *)"value value value value";
        recs[i].value.len = 23;
    }
    recs[1].key.is_null = 1;
    recs[2].value.is_null = 1;
    recs[3].headers = hdrs;
    recs[3].n_headers = 2;
    for (codec = 0; codec <= KAFKA_CODEC_ZSTD; codec++) {
        kafka_batch_params_init(&bp);
        bp.codec = codec;
        bp.producer_id = 1000;
        bp.producer_epoch = 0;
        bp.base_sequence = 0;
        buf_writer_init(&w, 0, 0);
        if (kafka_batch_encode(&w, &bp, recs, 4) != 0)
            exit(1);
        snprintf(name, sizeof(name), "batch_codec%d", codec);
        put(root, "fuzz_record_batch", name, w.p, w.len);
        snprintf(name, sizeof(name), "batch_codec%d_trunc", codec);
        put(root, "fuzz_record_batch", name, w.p, w.len - 5);
        buf_writer_release(&w);
    }
    kafka_batch_params_init(&bp);
    bp.is_control = 1;
    bp.is_transactional = 1;
    buf_writer_init(&w, 0, 0);
    if (kafka_batch_encode(&w, &bp, recs, 1) != 0)
        exit(1);
    put(root, "fuzz_record_batch", "batch_control", w.p, w.len);
    w.len = 0;
    if (kafka_batch_encode(&w, &bp, NULL, 0) != 0)
        exit(1);
    put(root, "fuzz_record_batch", "batch_empty", w.p, w.len);
    buf_writer_release(&w);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s <corpus-root>\n", argv[0]);
        return 2;
    }
    mkdir(argv[1], 0755);
    gen_messages(argv[1]);
    gen_batches(argv[1]);
    return 0;
}
