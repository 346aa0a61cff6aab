/*
 * fuzz_remoting_body.c - the JSON body decoders (HeartbeatData,
 * RegisterBrokerBody, TopicConfigSerializeWrapper, LockBatchRequestBody)
 * over arbitrary bytes.  A RegisterBrokerBody that decodes re-encodes and
 * decodes again to the same topic count; a decoded lock batch re-encodes.
 * The compressed REGISTER_BROKER decoder gets the input as is (a zlib
 * stream, rarely valid) and deflated (so the input is the inflated
 * payload and the parser behind zlib gets exercised).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <zlib.h>

#include "remoting_body.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wire_arena a;
    remoting_heartbeat hb;
    remoting_register_broker_body rb, rb2;
    remoting_topic_config_wrapper tw;
    remoting_lock_batch lb;
    buf_writer w;

    wire_arena_init(&a, 0, 4u << 20);
    (void)remoting_heartbeat_decode(data, size, &a, &hb);
    (void)remoting_topic_config_wrapper_decode(data, size, &a, &tw);
    if (remoting_register_broker_body_decode(data, size, &a, &rb) == 0) {
        buf_writer_init(&w, 0, 0);
        if (remoting_register_broker_body_encode(&w, &rb) != 0)
            abort();
        /* strings may hold invalid UTF-8 only if jansson let them in,
         * which it does not: the re-encoding must parse */
        if (remoting_register_broker_body_decode(w.p, w.len, &a, &rb2) != 0 ||
            rb2.wrapper.topic_count != rb.wrapper.topic_count ||
            rb2.filter_server_count != rb.filter_server_count)
            abort();
        buf_writer_release(&w);
    }
    if (remoting_lock_batch_decode(data, size, &a, &lb) == 0) {
        buf_writer_init(&w, 0, 0);
        if (remoting_lock_batch_response_encode(&w, lb.mqs, lb.mq_count) != 0)
            abort();
        buf_writer_release(&w);
    }
    (void)remoting_register_broker_body_decode_compressed(data, size, 1u << 20,
                                                          &a, &rb);
    if (size < (1u << 16)) {
        uLongf zn = compressBound(size);
        uint8_t *z = malloc(zn);
        if (z && compress2(z, &zn, data, size, 1) == Z_OK)
            (void)remoting_register_broker_body_decode_compressed(
                z, zn, 1u << 20, &a, &rb);
        free(z);
    }
    wire_arena_release(&a);
    return 0;
}

#include "fuzz_replay.h"
