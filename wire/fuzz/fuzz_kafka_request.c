/*
 * fuzz_kafka_request.c - a whole request frame as the broker sees it:
 * frame size check, request header, then the request schema for the
 * header's (api_key, version) when we have one.  Input = frame bytes
 * including the 4-byte size.  Must never crash, leak or read out of
 * bounds; decoded views must lie inside the frame.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "kafka.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_view(const buf_view *v, const uint8_t *lo, size_t n)
{
    if (v->is_null || v->len == 0)
        return;
    if (v->ptr < lo || v->ptr + v->len > lo + n)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kafka_req_header h;
    const kafka_schema *s;
    buf_reader r;
    wire_arena a;
    size_t body;
    void *msg;

    if (size < 4 || kafka_frame_check(data, 1 << 20, &body) != 0)
        return 0;
    if (body > size - 4)
        body = size - 4; /* fuzz the partial frame as if complete */
    buf_reader_init(&r, data + 4, body);
    if (kafka_req_header_decode(&r, &h) != 0)
        return 0;
    check_view(&h.client_id, data, size);
    s = kafka_request_schema(h.api_key);
    if (!s)
        return 0;
    msg = malloc(s->size);
    if (!msg)
        return 0;
    wire_arena_init(&a, 4096, 1 << 20);
    if (kafka_decode(s, h.api_version, &r, msg, &a) == 0) {
        /* re-encoding what we decoded must work */
        buf_writer w;
        buf_writer_init(&w, 256, 0);
        if (kafka_encode(s, h.api_version, msg, &w, NULL) != 0)
            abort();
        buf_writer_release(&w);
        if (h.api_key == KAFKA_API_PRODUCE) {
            kafka_produce_req *p = msg;
            int32_t i, k;
            for (i = 0; i < p->topic_data.count; i++)
                for (k = 0; k < p->topic_data.items[i].partition_data.count;
                     k++)
                    check_view(
                        &p->topic_data.items[i].partition_data.items[k].records,
                        data, size);
        }
    }
    wire_arena_release(&a);
    free(msg);
    return 0;
}

#include "fuzz_replay.h"
