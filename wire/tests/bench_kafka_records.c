/*
 * bench_kafka_records.c - micro-benchmark (not a ctest test): one zstd
 * batch of 1000 records of 100-byte values (8-byte keys, one header), as
 * a producer sends it; times walking the decompressed records with
 * kafka_record_next (ns/record) and the whole kafka_batch_validate
 * (decompress + CRC + walk, ns/record).
 *
 *   wire_bench_records [rounds]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kafka.h"
#include "kafka_record_batch.h"

#define NREC 1000

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 2000;
    static kafka_record_in recs[NREC];
    static char keys[NREC][9], vals[NREC][101];
    kafka_rec_header hdr = {{(const uint8_t *)"h", 1, 0},
                            {(const uint8_t *)"v", 1, 0}};
    kafka_batch_params bp;
    kafka_batch_info info;
    buf_writer w, scratch;
    double t0, walk = 0, validate = 0;
    volatile int64_t sink = 0;
    char err[128];

    for (int i = 0; i < NREC; i++) {
        snprintf(keys[i], sizeof(keys[i]), "k%07d", i);
        for (int k = 0; k < 100; k++)
            vals[i][k] = (char)('a' + (i * 7 + k * 13) % 26);
        recs[i].timestamp = 1700000000000LL + i;
        recs[i].key.ptr = (const uint8_t *)keys[i];
        recs[i].key.len = 8;
        recs[i].value.ptr = (const uint8_t *)vals[i];
        recs[i].value.len = 100;
        recs[i].headers = &hdr;
        recs[i].n_headers = 1;
    }
    kafka_batch_params_init(&bp);
    bp.codec = KAFKA_CODEC_ZSTD;
    buf_writer_init(&w, 0, 0);
    buf_writer_init(&scratch, 0, 0);
    if (kafka_batch_encode(&w, &bp, recs, NREC) != 0 ||
        kafka_batch_validate(w.p, w.len, NULL, &scratch, &info, err,
                             sizeof(err)) != 0) {
        fprintf(stderr, "batch: %s\n", err);
        return 1;
    }
    for (int pass = 0; pass < 3; pass++) { /* best of three */
        t0 = now_ns();
        for (long r = 0; r < rounds; r++) {
            kafka_record_iter it;
            kafka_record rec;
            kafka_record_iter_init(&it, info.records, info.records_len,
                                   info.count);
            while (kafka_record_next(&it, &rec) == 1)
                sink += rec.offset_delta + (int64_t)rec.value.len;
        }
        t0 = (now_ns() - t0) / ((double)rounds * NREC);
        if (pass == 0 || t0 < walk)
            walk = t0;
        t0 = now_ns();
        for (long r = 0; r < rounds / 10 + 1; r++)
            if (kafka_batch_validate(w.p, w.len, NULL, &scratch, &info, NULL,
                                     0) != 0)
                return 1;
        t0 = (now_ns() - t0) / ((double)(rounds / 10 + 1) * NREC);
        if (pass == 0 || t0 < validate)
            validate = t0;
    }
    printf("zstd batch: %d records, %zu bytes compressed, %zu decompressed\n",
           NREC, w.len, info.records_len);
    printf("kafka_record_next walk: %6.2f ns/record\n", walk);
    printf("kafka_batch_validate:   %6.2f ns/record\n", validate);
    buf_writer_release(&w);
    buf_writer_release(&scratch);
    (void)sink;
    return 0;
}
