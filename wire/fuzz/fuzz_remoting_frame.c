/*
 * fuzz_remoting_frame.c - remoting frame check and header decode, JSON and
 * ROCKETMQ.  The input is one frame with its 8-byte prefix; the frame is
 * decoded as given, and its header bytes are also decoded under the other
 * serialize type.  A header that decodes is re-encoded in both encodings
 * (binary may refuse codes outside int16) and the re-encoding must decode
 * to the same fields.  Typed getters run over every ext key, and every
 * custom-header table (V1 and V2 keys) reads the header; what it reads
 * re-encodes and reads back with the same present mask.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "remoting.h"
#include "remoting_headers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Fields both encodings carry exactly.  An empty remark travels as null
 * in the binary form; duplicate ext keys collapse in JSON, so ext entries
 * are not compared here (the unit tests do). */
static void check_same(const remoting_header *a, const remoting_header *b,
                       int exact_strings)
{
    if (a->code != b->code || a->opaque != b->opaque || a->flag != b->flag ||
        a->version != b->version)
        abort();
    if (a->remark.is_null || b->remark.is_null) {
        if (!a->remark.is_null && a->remark.len)
            abort();
        if (!b->remark.is_null && b->remark.len)
            abort();
        return;
    }
    if (!exact_strings)
        return; /* invalid UTF-8 became U+FFFD */
    if (a->remark.len != b->remark.len ||
        (a->remark.len && memcmp(a->remark.ptr, b->remark.ptr, a->remark.len)))
        abort();
}

static int has_nul(const remoting_header *h)
{
    if (!h->remark.is_null && h->remark.len &&
        memchr(h->remark.ptr, 0, h->remark.len))
        return 1;
    for (int32_t i = 0; i < h->ext_count; i++) {
        const remoting_ext *e = &h->ext[i];
        if ((e->key.len && memchr(e->key.ptr, 0, e->key.len)) ||
            (e->value.len && memchr(e->value.ptr, 0, e->value.len)))
            return 1;
    }
    return 0;
}

static void getters(const remoting_header *h)
{
    for (int32_t i = 0; i < h->ext_count && i < 64; i++) {
        char key[64];
        int32_t v32;
        int64_t v64;
        int b;
        size_t kl = h->ext[i].key.len;
        if (kl >= sizeof(key) || memchr(h->ext[i].key.ptr, 0, kl))
            continue;
        memcpy(key, h->ext[i].key.ptr, kl);
        key[kl] = 0;
        (void)remoting_ext_get_i32(h, key, &v32);
        (void)remoting_ext_get_i64(h, key, &v64);
        (void)remoting_ext_get_bool(h, key, &b);
    }
}

static const remoting_header_schema *const schemas[] = {
    &remoting_send_request_schema,
    &remoting_send_response_schema,
    &remoting_pull_request_schema,
    &remoting_pull_response_schema,
    &remoting_query_consumer_offset_request_schema,
    &remoting_update_consumer_offset_request_schema,
    &remoting_queue_request_schema,
    &remoting_search_offset_request_schema,
    &remoting_offset_response_schema,
    &remoting_timestamp_response_schema,
    &remoting_send_back_request_schema,
    &remoting_end_transaction_request_schema,
    &remoting_check_transaction_request_schema,
    &remoting_consumer_group_request_schema,
    &remoting_unregister_client_request_schema,
    &remoting_view_message_request_schema,
    &remoting_query_message_request_schema,
    &remoting_query_message_response_schema,
    &remoting_get_route_request_schema,
    &remoting_register_broker_request_schema,
    &remoting_unregister_broker_request_schema,
    &remoting_register_broker_response_schema,
    &remoting_create_topic_request_schema,
    &remoting_delete_topic_request_schema,
};

static void custom_headers(const remoting_header *h, wire_arena *a)
{
    for (size_t k = 0; k < sizeof(schemas) / sizeof(schemas[0]); k++) {
        for (int keys = 0; keys <= 1; keys++) {
            _Alignas(16) uint8_t st[512], back[512];
            remoting_header e;
            char err[96];
            if (remoting_header_fields_decode(h, schemas[k], keys, st, err,
                                              sizeof(err)) != 0)
                continue;
            memset(&e, 0, sizeof(e));
            if (remoting_header_fields_encode(&e, a, schemas[k], keys, st) != 0)
                continue; /* arena full */
            if (remoting_header_fields_decode(&e, schemas[k], keys, back, NULL,
                                              0) != 0 ||
                memcmp(st, back, sizeof(uint32_t)) != 0)
                abort();
        }
    }
}

static void one(const uint8_t *p, size_t n, int type, wire_arena *a)
{
    remoting_header h, d;
    buf_writer w;

    if (remoting_header_decode(p, n, type, a, &h) != 0)
        return;
    getters(&h);
    custom_headers(&h, a);
    for (int out = 0; out <= 1; out++) {
        buf_writer_init(&w, 0, 0);
        if (remoting_header_encode(&w, &h, out) == 0) {
            /* binary strings may hold NULs, which the JSON encoder writes
             * as \u0000 and jansson then refuses; anything else (invalid
             * UTF-8 included, written as \ufffd) must decode */
            if (remoting_header_decode(w.p, w.len, out, a, &d) != 0) {
                if (!(out == REMOTING_SERIALIZE_JSON && has_nul(&h)))
                    abort();
            } else {
                check_same(&h, &d,
                           out == REMOTING_SERIALIZE_ROCKETMQ ||
                               type == REMOTING_SERIALIZE_JSON);
            }
        }
        buf_writer_release(&w);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wire_arena a;
    remoting_header h;
    buf_view body;
    size_t hl, bl;

    wire_arena_init(&a, 0, 4u << 20);
    if (size >= REMOTING_FRAME_PREFIX &&
        remoting_frame_check(data, 1u << 20, &hl, &bl) == 0) {
        int rc = remoting_frame_decode(data, size, 1u << 20, &a, &h, &body);
        if (rc == 0 && (body.ptr < data || body.ptr + body.len > data + size))
            abort();
        if (size - REMOTING_FRAME_PREFIX >= hl) {
            one(data + REMOTING_FRAME_PREFIX, hl, 0, &a);
            one(data + REMOTING_FRAME_PREFIX, hl, 1, &a);
        }
    }
    /* the raw input as a header of either type */
    one(data, size, REMOTING_SERIALIZE_JSON, &a);
    one(data, size, REMOTING_SERIALIZE_ROCKETMQ, &a);
    wire_arena_release(&a);
    return 0;
}

#include "fuzz_replay.h"
