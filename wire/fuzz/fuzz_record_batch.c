/*
 * fuzz_record_batch.c - kafka_batch_validate and record/header iteration
 * over arbitrary bytes.  The CRC is recomputed on a copy (when the input is
 * long enough) so the fuzzer gets past it and into the decompressors and
 * the record parser; the untouched input is validated too.  A batch that
 * validates must iterate to exactly its count.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crc32c.h"
#include "kafka.h"
#include "kafka_record_batch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void run(const uint8_t *p, size_t n, buf_writer *scratch)
{
    kafka_batch_limits lim = {0, 1 << 20, 0};
    kafka_batch_info info;
    kafka_record_iter it;
    kafka_record rec;
    int32_t count = 0;
    char err[96];

    if (kafka_batch_validate(p, n, &lim, scratch, &info, err, sizeof(err)) !=
        0)
        return;
    kafka_record_iter_init(&it, info.records, info.records_len, info.count);
    while (kafka_record_next(&it, &rec) == 1) {
        kafka_header_iter hi;
        buf_view k, v;
        int32_t nh = 0;
        kafka_header_iter_init(&hi, &rec);
        while (kafka_header_next(&hi, &k, &v) == 1)
            nh++;
        if (nh != rec.header_count)
            abort();
        count++;
    }
    if (count != info.count)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    buf_writer scratch;
    uint8_t *copy;

    buf_writer_init(&scratch, 0, 0);
    run(data, size, &scratch);
    if (size >= KAFKA_BATCH_HEADER_SIZE) {
        copy = malloc(size);
        if (copy) {
            memcpy(copy, data, size);
            buf_put_u32be(copy + 8, (uint32_t)(size - 12));
            copy[16] = 2;
            buf_put_u32be(copy + 17, crc32c(0, copy + 21, size - 21));
            run(copy, size, &scratch);
            free(copy);
        }
    }
    buf_writer_release(&scratch);
    return 0;
}

#include "fuzz_replay.h"
