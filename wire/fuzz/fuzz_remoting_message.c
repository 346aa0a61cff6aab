/*
 * fuzz_remoting_message.c - stored/pulled message records, batch bodies
 * and properties over arbitrary bytes.  The first byte picks nothing: the
 * whole input is tried as a pull body (records until the end), a batch
 * body and a properties string.  A record that decodes must re-encode to
 * the same bytes; a batch that validates must iterate to its count; decoded
 * properties re-encode and decode to the same pairs.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "remoting_message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void records(const uint8_t *p, size_t n)
{
    buf_reader r;
    remoting_msg m;

    buf_reader_init(&r, p, n);
    while (buf_left(&r) > 0) {
        size_t start = r.off;
        buf_writer w;
        if (remoting_msg_decode(&r, &m) != 0)
            break;
        if (r.off - start != (size_t)m.total_size)
            abort();
        buf_writer_init(&w, 0, 0);
        if (remoting_msg_encode(&w, &m) != 0 || w.len != (size_t)m.total_size ||
            memcmp(w.p, p + start, w.len) != 0)
            abort();
        buf_writer_release(&w);
        (void)remoting_tag_hash(m.topic.ptr, m.topic.len);
    }
}

static void batch(const uint8_t *p, size_t n)
{
    remoting_batch_iter it;
    remoting_batch_msg bm;
    int32_t count = 0, seen = 0;
    int ok = remoting_batch_validate(p, n, &count) == 0;

    remoting_batch_iter_init(&it, p, n);
    while (remoting_batch_next(&it, &bm) == 1) {
        if (bm.body.ptr + bm.body.len > p + n ||
            bm.properties.ptr + bm.properties.len > p + n)
            abort();
        seen++;
    }
    if (ok && seen != count)
        abort();
}

static void props(const uint8_t *p, size_t n)
{
    wire_arena a;
    remoting_prop *pr, *pr2;
    int32_t c, c2;
    buf_writer w;

    wire_arena_init(&a, 0, 0);
    if (remoting_props_decode(p, n, &a, &pr, &c) == 0) {
        buf_writer_init(&w, 0, 0);
        if (remoting_props_encode(&w, pr, c) == 0) {
            if (remoting_props_decode(w.p, w.len, &a, &pr2, &c2) != 0 ||
                c2 != c)
                abort();
            for (int32_t i = 0; i < c; i++)
                if (pr[i].key.len != pr2[i].key.len ||
                    pr[i].value.len != pr2[i].value.len)
                    abort();
        } else if (n < REMOTING_PROPERTIES_MAX) {
            abort(); /* decoded pairs are always encodable */
        }
        buf_writer_release(&w);
    }
    wire_arena_release(&a);
    if (n == 32 || n == 56) {
        remoting_host h;
        int64_t off;
        char out[64];
        if (remoting_offset_msgid_decode((const char *)p, n, &h, &off) == 0 &&
            remoting_offset_msgid_encode(&h, off, out) != n)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    records(data, size);
    batch(data, size);
    props(data, size);
    return 0;
}

#include "fuzz_replay.h"
