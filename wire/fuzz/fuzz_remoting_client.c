/*
 * fuzz_remoting_client.c - the client-side body decoders (TopicRouteData,
 * ClusterInfo, consumer and topic lists, the lock answer) over arbitrary
 * bytes.  A route that decodes re-encodes (strict JSON) and decodes again
 * to the same counts; a lock answer that decodes re-encodes and decodes
 * again to the same count.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "remoting_client.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wire_arena a;
    remoting_topic_route rt, rt2;
    remoting_cluster_info ci;
    remoting_message_queue *mqs, *mqs2;
    buf_view *v;
    int32_t n, n2;
    buf_writer w;

    wire_arena_init(&a, 0, 4u << 20);
    if (remoting_topic_route_decode(data, size, &a, &rt) == 0) {
        buf_writer_init(&w, 0, 0);
        if (remoting_topic_route_encode(&w, &rt, REMOTING_JSON_STRICT) != 0 ||
            remoting_topic_route_decode(w.p, w.len, &a, &rt2) != 0 ||
            rt2.broker_data_count != rt.broker_data_count ||
            rt2.queue_data_count != rt.queue_data_count)
            abort();
        buf_writer_release(&w);
    }
    (void)remoting_cluster_info_decode(data, size, &a, &ci);
    (void)remoting_consumer_list_decode(data, size, &a, &v, &n);
    (void)remoting_topic_list_decode(data, size, &a, &v, &n);
    if (remoting_lock_batch_response_decode(data, size, &a, &mqs, &n) == 0) {
        buf_writer_init(&w, 0, 0);
        if (remoting_lock_batch_response_encode(&w, mqs, n) != 0 ||
            remoting_lock_batch_response_decode(w.p, w.len, &a, &mqs2, &n2) !=
                0 ||
            n2 != n)
            abort();
        buf_writer_release(&w);
    }
    wire_arena_release(&a);
    return 0;
}

#include "fuzz_replay.h"
