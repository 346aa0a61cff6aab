/*
 * jheader_diff.h - the differential check between the streaming JSON
 * header decoder and the jansson tree decoder it replaced: both run on the
 * same bytes with their own arena; they must agree on ok/error and, when
 * both decode, on every field.  Shared by fuzz_remoting_jheader.c and
 * tests/test_remoting_jheader.c.
 */
#ifndef FERRY_JHEADER_DIFF_H
#define FERRY_JHEADER_DIFF_H

#include <string.h>

#include "remoting.h"
#include "remoting_int.h"

static int jhd_view_eq(buf_view a, buf_view b)
{
    if (a.is_null || b.is_null)
        return a.is_null == b.is_null;
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static void jhd_init(remoting_header *h)
{
    memset(h, 0, sizeof(*h));
    h->serialize_type = REMOTING_SERIALIZE_JSON;
    h->language_name.is_null = 1;
}

/* 0 when both decoders agree; otherwise a number naming what differs.
 * *rc_new and *rc_tree get the two return codes. */
static int jhd_compare(const uint8_t *p, size_t n, int *rc_new, int *rc_tree)
{
    wire_arena an = {0}, at = {0};
    remoting_header hn, ht;
    int diff = 0;

    jhd_init(&hn);
    jhd_init(&ht);
    *rc_new = remoting_json_header_decode(p, n, &an, &hn);
    *rc_tree = remoting_json_header_decode_tree(p, n, &at, &ht);
    if ((*rc_new == 0) != (*rc_tree == 0))
        diff = 1;
    else if (*rc_new == 0) {
        if (hn.code != ht.code || hn.version != ht.version ||
            hn.opaque != ht.opaque || hn.flag != ht.flag)
            diff = 2;
        else if (hn.language != ht.language ||
                 !jhd_view_eq(hn.language_name, ht.language_name))
            diff = 3;
        else if (!jhd_view_eq(hn.remark, ht.remark))
            diff = 4;
        else if (hn.ext_count != ht.ext_count || hn.ext_cap != ht.ext_cap)
            diff = 5;
        else {
            for (int32_t i = 0; i < hn.ext_count; i++) {
                if (!jhd_view_eq(hn.ext[i].key, ht.ext[i].key) ||
                    !jhd_view_eq(hn.ext[i].value, ht.ext[i].value)) {
                    diff = 6;
                    break;
                }
                /* arena copies are NUL-terminated, callers may rely on it */
                if (hn.ext[i].key.ptr[hn.ext[i].key.len] != 0 ||
                    hn.ext[i].value.ptr[hn.ext[i].value.len] != 0) {
                    diff = 7;
                    break;
                }
            }
        }
    }
    wire_arena_release(&an);
    wire_arena_release(&at);
    return diff;
}

#endif /* FERRY_JHEADER_DIFF_H */
