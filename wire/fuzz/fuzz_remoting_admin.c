/*
 * fuzz_remoting_admin.c - the admin body decoders (TopicStatsTable,
 * ConsumeStats, ConsumerConnection, SubscriptionGroupWrapper,
 * ResetOffsetBody, pending transactions, KVTable) and the object-key quoting
 * over arbitrary bytes.  Whatever decodes re-encodes and decodes again to the
 * same count.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "remoting_admin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    wire_arena a;
    buf_writer w;
    int32_t n, n2;
    size_t qn;
    int err;

    wire_arena_init(&a, 0, 4u << 20);
    free(remoting_admin_quote_object_keys(data, size, &qn, &err));

    remoting_topic_offset *to, *to2;
    if (remoting_topic_stats_decode(data, size, &a, &to, &n) == 0) {
        buf_writer_init(&w, 0, 0);
        if (remoting_topic_stats_encode(&w, to, n) != 0 ||
            remoting_topic_stats_decode(w.p, w.len, &a, &to2, &n2) != 0 ||
            n2 > n)
            abort(); /* equal MQ keys may merge: never more */
        buf_writer_release(&w);
    }
    remoting_consume_offset *co, *co2;
    double tps;
    if (remoting_consume_stats_decode(data, size, &a, &tps, &co, &n) == 0) {
        buf_writer_init(&w, 0, 0);
        if (remoting_consume_stats_encode_ferry(&w, tps, co, n) != 0 ||
            remoting_consume_stats_decode(w.p, w.len, &a, &tps, &co2, &n2) !=
                0 ||
            n2 > n)
            abort();
        buf_writer_release(&w);
    }
    remoting_consumer_connection cc, cc2;
    if (remoting_consumer_connection_decode(data, size, &a, &cc) == 0) {
        buf_writer_init(&w, 0, 0);
        if (remoting_consumer_connection_encode(&w, &cc) != 0 ||
            remoting_consumer_connection_decode(w.p, w.len, &a, &cc2) != 0 ||
            cc2.connection_count != cc.connection_count)
            abort();
        buf_writer_release(&w);
    }
    remoting_subscription_group *sg, *sg2;
    if (remoting_subscription_groups_decode(data, size, &a, &sg, &n) == 0) {
        remoting_data_version dv = {0, 0, 0};
        buf_writer_init(&w, 0, 0);
        if (remoting_subscription_groups_encode(&w, &dv, sg, n) != 0 ||
            remoting_subscription_groups_decode(w.p, w.len, &a, &sg2, &n2) !=
                0 ||
            n2 > n)
            abort();
        buf_writer_release(&w);
    }
    remoting_queue_offset *qo, *qo2;
    if (remoting_reset_offset_decode(data, size, &a, &qo, &n) == 0) {
        buf_writer_init(&w, 0, 0);
        if (remoting_reset_offset_encode(&w, qo, n) != 0 ||
            remoting_reset_offset_decode(w.p, w.len, &a, &qo2, &n2) != 0 ||
            n2 > n)
            abort();
        buf_writer_release(&w);
    }
    remoting_pending_txn *pt, *pt2;
    int64_t total;
    if (remoting_pending_txn_decode(data, size, &a, &pt, &n, &total) == 0) {
        buf_writer_init(&w, 0, 0);
        if (remoting_pending_txn_encode(&w, pt, n, total) != 0 ||
            remoting_pending_txn_decode(w.p, w.len, &a, &pt2, &n2, &total) !=
                0 ||
            n2 != n)
            abort();
        buf_writer_release(&w);
    }
    remoting_kv *kv, *kv2;
    if (remoting_kv_table_decode(data, size, &a, &kv, &n) == 0) {
        buf_writer_init(&w, 0, 0);
        if (remoting_kv_table_encode(&w, kv, n) != 0 ||
            remoting_kv_table_decode(w.p, w.len, &a, &kv2, &n2) != 0 || n2 > n)
            abort();
        buf_writer_release(&w);
    }
    wire_arena_release(&a);
    return 0;
}

#include "fuzz_replay.h"
