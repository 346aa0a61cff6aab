/*
 * test_remoting_message.c - stored/pulled message records (IPv4/IPv6 hosts,
 * V1/V2 magic), batch bodies, properties, message ids, BODYCRC and the tag
 * hash, including every truncation and lying length.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "remoting_message.h"

static buf_view V(const char *s)
{
    buf_view v = {(const uint8_t *)s, strlen(s), 0};
    return v;
}

static int view_is(buf_view v, const char *s)
{
    return v.len == strlen(s) && (v.len == 0 || memcmp(v.ptr, s, v.len) == 0);
}

static void sample(remoting_msg *m, int born_v6, int store_v6)
{
    static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
                                   0,    0,    0,    0,    0, 0, 0, 1};
    memset(m, 0, sizeof(*m));
    m->body_crc = 0x1234567;
    m->queue_id = 3;
    m->flag = 77;
    m->queue_offset = 42;
    m->physical_offset = 0x100000000LL;
    m->sys_flag = REMOTING_SYSFLAG_MULTI_TAGS;
    m->born_timestamp = 1700000000000LL;
    m->store_timestamp = 1700000000123LL;
    m->reconsume_times = 2;
    m->prepared_transaction_offset = 9;
    if (born_v6) {
        memcpy(m->born_host.ip, v6, 16);
        m->born_host.is_v6 = 1;
    } else {
        memcpy(m->born_host.ip, "\x0a\x00\x00\x05", 4);
    }
    m->born_host.port = 50000;
    if (store_v6) {
        memcpy(m->store_host.ip, v6, 16);
        m->store_host.ip[15] = 2;
        m->store_host.is_v6 = 1;
    } else {
        memcpy(m->store_host.ip, "\x0a\x00\x00\x07", 4);
    }
    m->store_host.port = 10911;
    m->body = V("hello");
    m->topic = V("TopicTest");
    m->properties = V("TAGS\001TagA\002KEYS\001k1 k2\002");
}

static void check_equal(const remoting_msg *a, const remoting_msg *b)
{
    assert_int_equal(a->body_crc, b->body_crc);
    assert_int_equal(a->queue_id, b->queue_id);
    assert_int_equal(a->flag, b->flag);
    assert_true(a->queue_offset == b->queue_offset);
    assert_true(a->physical_offset == b->physical_offset);
    assert_true(a->born_timestamp == b->born_timestamp);
    assert_true(a->store_timestamp == b->store_timestamp);
    assert_int_equal(a->reconsume_times, b->reconsume_times);
    assert_true(a->prepared_transaction_offset ==
                b->prepared_transaction_offset);
    assert_int_equal(a->born_host.is_v6, b->born_host.is_v6);
    assert_memory_equal(a->born_host.ip, b->born_host.ip, 16);
    assert_int_equal(a->born_host.port, b->born_host.port);
    assert_int_equal(a->store_host.is_v6, b->store_host.is_v6);
    assert_memory_equal(a->store_host.ip, b->store_host.ip, 16);
    assert_int_equal(a->store_host.port, b->store_host.port);
    assert_int_equal(a->body.len, b->body.len);
    assert_memory_equal(a->body.ptr, b->body.ptr, a->body.len);
    assert_int_equal(a->topic.len, b->topic.len);
    assert_memory_equal(a->topic.ptr, b->topic.ptr, a->topic.len);
    assert_int_equal(a->properties.len, b->properties.len);
    assert_memory_equal(a->properties.ptr, b->properties.ptr,
                        a->properties.len);
}

static void test_record_v1_ipv4_layout_and_round_trip(void **state)
{
    remoting_msg m, d;
    buf_writer w;
    buf_reader r;
    size_t want;
    (void)state;
    sample(&m, 0, 0);
    want = 91 + 5 + 9 + m.properties.len;
    assert_int_equal(remoting_msg_encoded_size(&m), want);
    buf_writer_init(&w, 0, 0);
    assert_int_equal(remoting_msg_encode(&w, &m), 0);
    assert_int_equal(w.len, want);
    /* fixed offsets of the ref table */
    assert_int_equal(buf_get_u32be(w.p), want);
    assert_memory_equal(w.p + 4, "\xda\xa3\x20\xa7", 4);
    assert_int_equal(buf_get_u32be(w.p + 12), 3);
    assert_int_equal(buf_get_u32be(w.p + 36), REMOTING_SYSFLAG_MULTI_TAGS);
    assert_memory_equal(w.p + 48, "\x0a\x00\x00\x05\x00\x00\xc3\x50", 8);
    assert_memory_equal(w.p + 64, "\x0a\x00\x00\x07\x00\x00\x2a\x9f", 8);
    assert_int_equal(buf_get_u32be(w.p + 84), 5);
    assert_memory_equal(w.p + 88, "hello", 5);
    assert_int_equal(w.p[93], 9);
    assert_memory_equal(w.p + 94, "TopicTest", 9);
    assert_int_equal(buf_get_u16be(w.p + 103), m.properties.len);

    buf_reader_init(&r, w.p, w.len);
    assert_int_equal(remoting_msg_decode(&r, &d), 0);
    assert_int_equal(buf_left(&r), 0);
    assert_int_equal(d.magic, REMOTING_MAGIC_V1);
    assert_int_equal(d.total_size, (int32_t)want);
    check_equal(&m, &d);
    buf_writer_release(&w);
}

static void test_record_ipv6_hosts_and_v2_magic(void **state)
{
    char topic[300];
    remoting_msg m, d;
    buf_writer w;
    buf_reader r;
    (void)state;
    for (int bv6 = 0; bv6 <= 1; bv6++) {
        for (int sv6 = 0; sv6 <= 1; sv6++) {
            for (int v2 = 0; v2 <= 1; v2++) {
                sample(&m, bv6, sv6);
                if (v2) {
                    memset(topic, 'T', 200);
                    m.topic.ptr = (const uint8_t *)topic;
                    m.topic.len = 200; /* needs V2 */
                }
                buf_writer_init(&w, 0, 0);
                assert_int_equal(remoting_msg_encode(&w, &m), 0);
                assert_int_equal(w.len, 91 + 12 * (bv6 + sv6) + v2 + 5 +
                                            m.topic.len + m.properties.len);
                buf_reader_init(&r, w.p, w.len);
                assert_int_equal(remoting_msg_decode(&r, &d), 0);
                assert_int_equal(d.magic,
                                 v2 ? REMOTING_MAGIC_V2 : REMOTING_MAGIC_V1);
                assert_int_equal(d.sys_flag & 0x30, bv6 * 0x10 + sv6 * 0x20);
                check_equal(&m, &d);
                buf_writer_release(&w);
            }
        }
    }
    /* V2 asked explicitly for a short topic; V1 refused for a long one */
    sample(&m, 0, 0);
    m.magic = REMOTING_MAGIC_V2;
    buf_writer_init(&w, 0, 0);
    assert_int_equal(remoting_msg_encode(&w, &m), 0);
    buf_reader_init(&r, w.p, w.len);
    assert_int_equal(remoting_msg_decode(&r, &d), 0);
    assert_int_equal(d.magic, REMOTING_MAGIC_V2);
    check_equal(&m, &d);
    m.magic = REMOTING_MAGIC_V1;
    m.topic.ptr = (const uint8_t *)topic;
    m.topic.len = 128;
    assert_int_equal(remoting_msg_encode(&w, &m), BUF_EINVAL);
    assert_int_equal(remoting_msg_encoded_size(&m), 0);
    m.magic = 0x1234;
    m.topic.len = 1;
    assert_int_equal(remoting_msg_encode(&w, &m), BUF_EINVAL);
    buf_writer_release(&w);
}

static void test_record_truncations_and_lies(void **state)
{
    remoting_msg m, d;
    buf_writer w;
    buf_reader r;
    uint8_t *cp;
    (void)state;
    sample(&m, 1, 0);
    buf_writer_init(&w, 0, 0);
    assert_int_equal(remoting_msg_encode(&w, &m), 0);
    cp = malloc(w.len);
    for (size_t n = 0; n < w.len; n++) {
        memcpy(cp, w.p, n);
        buf_reader_init(&r, cp, n);
        assert_true(remoting_msg_decode(&r, &d) < 0);
    }
    /* TOTALSIZE shrunk by one: the record no longer fits its fields */
    memcpy(cp, w.p, w.len);
    buf_put_u32be(cp, (uint32_t)w.len - 1);
    buf_reader_init(&r, cp, w.len);
    assert_int_equal(remoting_msg_decode(&r, &d), BUF_EINVAL);
    /* TOTALSIZE grown: trailing bytes inside the record */
    {
        uint8_t *big = calloc(1, w.len + 1);
        memcpy(big, w.p, w.len);
        buf_put_u32be(big, (uint32_t)w.len + 1);
        buf_reader_init(&r, big, w.len + 1);
        assert_int_equal(remoting_msg_decode(&r, &d), BUF_EINVAL);
        free(big);
    }
    /* negative and tiny TOTALSIZE */
    memcpy(cp, w.p, w.len);
    buf_put_u32be(cp, 0x80000000u);
    buf_reader_init(&r, cp, w.len);
    assert_int_equal(remoting_msg_decode(&r, &d), BUF_EINVAL);
    buf_put_u32be(cp, 10);
    buf_reader_init(&r, cp, w.len);
    assert_int_equal(remoting_msg_decode(&r, &d), BUF_EINVAL);
    /* bad magic */
    memcpy(cp, w.p, w.len);
    cp[7] ^= 1;
    buf_reader_init(&r, cp, w.len);
    assert_int_equal(remoting_msg_decode(&r, &d), BUF_EINVAL);
    /* body length negative / past the record (born host is v6: body length
     * at 84 + 12) */
    memcpy(cp, w.p, w.len);
    buf_put_u32be(cp + 96, 0xffffffffu);
    buf_reader_init(&r, cp, w.len);
    assert_int_equal(remoting_msg_decode(&r, &d), BUF_EINVAL);
    buf_put_u32be(cp + 96, 1000);
    buf_reader_init(&r, cp, w.len);
    assert_int_equal(remoting_msg_decode(&r, &d), BUF_EINVAL);
    /* sysFlag claims an IPv6 store host it does not have */
    memcpy(cp, w.p, w.len);
    cp[39] |= REMOTING_SYSFLAG_STOREHOST_V6;
    buf_reader_init(&r, cp, w.len);
    assert_true(remoting_msg_decode(&r, &d) < 0);
    /* V1 topic length byte >= 128 is negative in Java */
    memcpy(cp, w.p, w.len);
    cp[96 + 4 + 5] = 0x80;
    buf_reader_init(&r, cp, w.len);
    assert_int_equal(remoting_msg_decode(&r, &d), BUF_EINVAL);
    free(cp);
    buf_writer_release(&w);
}

static void test_pull_body_of_several_records(void **state)
{
    remoting_msg m, d;
    buf_writer w;
    buf_reader r;
    int n = 0;
    (void)state;
    buf_writer_init(&w, 0, 0);
    for (int i = 0; i < 3; i++) {
        sample(&m, i == 1, i == 2);
        m.queue_offset = i;
        assert_int_equal(remoting_msg_encode(&w, &m), 0);
    }
    buf_reader_init(&r, w.p, w.len);
    while (buf_left(&r) > 0) {
        assert_int_equal(remoting_msg_decode(&r, &d), 0);
        assert_int_equal(d.queue_offset, n);
        n++;
    }
    assert_int_equal(n, 3);
    buf_writer_release(&w);
}

static void test_batch_body(void **state)
{
    buf_writer w;
    remoting_batch_iter it;
    remoting_batch_msg bm;
    int32_t count = 0;
    uint8_t *cp;
    (void)state;
    buf_writer_init(&w, 0, 0);
    assert_int_equal(
        remoting_batch_append(&w, 1, V("a"), V("UNIQ_KEY\001X1\002")), 0);
    assert_int_equal(remoting_batch_append(&w, 2, V(""), V("")), 0);
    assert_int_equal(remoting_batch_append(&w, 3, V("body3"),
                                           V("KEYS\001k\002WAIT\001true\002")),
                     0);
    /* hand-checked first entry: 22 + 1 + 12 bytes */
    assert_int_equal(buf_get_u32be(w.p), 35);
    assert_memory_equal(w.p + 4, "\0\0\0\0\0\0\0\0\0\0\0\1\0\0\0\1a\0\x0c", 19);
    assert_int_equal(remoting_batch_validate(w.p, w.len, &count), 0);
    assert_int_equal(count, 3);
    remoting_batch_iter_init(&it, w.p, w.len);
    assert_int_equal(remoting_batch_next(&it, &bm), 1);
    assert_int_equal(bm.flag, 1);
    assert_true(view_is(bm.body, "a"));
    assert_true(view_is(bm.properties, "UNIQ_KEY\001X1\002"));
    assert_int_equal(remoting_batch_next(&it, &bm), 1);
    assert_int_equal(bm.body.len, 0);
    assert_int_equal(remoting_batch_next(&it, &bm), 1);
    assert_true(view_is(bm.body, "body3"));
    assert_int_equal(remoting_batch_next(&it, &bm), 0);

    cp = malloc(w.len);
    for (size_t n = 0; n < w.len; n++) {
        memcpy(cp, w.p, n);
        if (n == 35 || n == 57)
            continue; /* cuts between entries are valid shorter bodies */
        assert_true(remoting_batch_validate(cp, n, &count) < 0);
    }
    /* lying lengths: total too big / too small, body past the entry,
     * negative property length */
    memcpy(cp, w.p, w.len);
    buf_put_u32be(cp, 36);
    assert_true(remoting_batch_validate(cp, w.len, &count) < 0);
    buf_put_u32be(cp, 21);
    assert_true(remoting_batch_validate(cp, w.len, &count) < 0);
    buf_put_u32be(cp, 0xffffffffu);
    assert_true(remoting_batch_validate(cp, w.len, &count) < 0);
    memcpy(cp, w.p, w.len);
    buf_put_u32be(cp + 16, 100);
    assert_true(remoting_batch_validate(cp, w.len, &count) < 0);
    memcpy(cp, w.p, w.len);
    cp[21] = 0xff;
    assert_true(remoting_batch_validate(cp, w.len, &count) < 0);
    /* an error is sticky in the iterator */
    remoting_batch_iter_init(&it, cp, w.len);
    assert_true(remoting_batch_next(&it, &bm) < 0);
    assert_true(remoting_batch_next(&it, &bm) < 0);
    free(cp);
    assert_int_equal(remoting_batch_validate(w.p, 0, &count), BUF_EINVAL);
    buf_writer_release(&w);
}

static void test_properties_edge_cases(void **state)
{
    static const struct {
        const char *in;
        const char *want; /* "k=v;" joined */
    } cases[] = {
        {"", ""},
        {"\002\002\002", ""},
        {"A\001B\002", "A=B;"},
        {"A\001B", "A=B;"},               /* no trailing separator */
        {"A\001B\002C\001D", "A=B;C=D;"}, /* last unterminated */
        {"AB\002", ""},                   /* no name/value separator */
        {"A\001\002", ""},                /* key without value */
        {"\001B\002", ""},                /* value without key */
        {"K\001\002X\001Y\002", "X=Y;"},  /* empty value skipped */
        {"A\001B\001C\002", "A=B\001C;"}, /* second \x01 is in the value */
        {"TAGS\001TagA\002KEYS\001k1 k2\002", "TAGS=TagA;KEYS=k1 k2;"},
        {"A\001B\002A\001C\002", "A=B;A=C;"},
    };
    wire_arena a = {0};
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        remoting_prop *props;
        int32_t count;
        char got[128] = "";
        size_t gl = 0;
        assert_int_equal(remoting_props_decode((const uint8_t *)cases[i].in,
                                               strlen(cases[i].in), &a, &props,
                                               &count),
                         0);
        for (int32_t k = 0; k < count; k++) {
            memcpy(got + gl, props[k].key.ptr, props[k].key.len);
            gl += props[k].key.len;
            got[gl++] = '=';
            memcpy(got + gl, props[k].value.ptr, props[k].value.len);
            gl += props[k].value.len;
            got[gl++] = ';';
        }
        got[gl] = 0;
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("case %zu: got '%s' want '%s'", i, got, cases[i].want);
    }
    {
        const char *s = "A\001B\002A\001C\002TAGS\001t\002";
        buf_view v;
        assert_int_equal(
            remoting_props_find((const uint8_t *)s, strlen(s), "A", &v), 1);
        assert_true(view_is(v, "C")); /* last wins */
        assert_int_equal(
            remoting_props_find((const uint8_t *)s, strlen(s), "TAG", &v), 0);
    }
    wire_arena_release(&a);
}

static void test_properties_encode(void **state)
{
    remoting_prop p[2] = {
        {{(const uint8_t *)"TAGS", 4, 0}, {(const uint8_t *)"TagA", 4, 0}},
        {{(const uint8_t *)"KEYS", 4, 0}, {(const uint8_t *)"a b", 3, 0}}};
    buf_writer w;
    char *big;
    (void)state;
    buf_writer_init(&w, 0, 0);
    assert_int_equal(remoting_props_encode(&w, p, 2), 0);
    assert_int_equal(w.len, 19);
    assert_memory_equal(w.p, "TAGS\001TagA\002KEYS\001a b\002", 19);
    /* separators inside, empty key or value: refused, nothing written */
    p[1].value = V("x\002y");
    assert_int_equal(remoting_props_encode(&w, p, 2), BUF_EINVAL);
    assert_int_equal(w.len, 19);
    p[1].value = V("");
    assert_int_equal(remoting_props_encode(&w, p, 2), BUF_EINVAL);
    /* the 32767-byte limit */
    big = malloc(40000);
    memset(big, 'v', 40000);
    w.len = 0;
    assert_int_equal(remoting_props_append(
                         &w, 0, "K", (buf_view){(uint8_t *)big, 32767 - 3, 0}),
                     0);
    assert_int_equal(w.len, 32767);
    w.len = 0;
    assert_int_equal(remoting_props_append(
                         &w, 0, "K", (buf_view){(uint8_t *)big, 32767 - 2, 0}),
                     BUF_EINVAL);
    free(big);
    buf_writer_release(&w);
}

static void test_offset_msgid(void **state)
{
    remoting_host h = {{10, 0, 0, 7}, 0, 10911}, d;
    char out[64];
    int64_t off;
    (void)state;
    assert_int_equal(remoting_offset_msgid_encode(&h, 0x1234, out), 32);
    assert_string_equal(out, "0A00000700002A9F0000000000001234");
    assert_int_equal(remoting_offset_msgid_decode(out, 32, &d, &off), 0);
    assert_int_equal(d.is_v6, 0);
    assert_memory_equal(d.ip, h.ip, 4);
    assert_int_equal(d.port, 10911);
    assert_true(off == 0x1234);
    /* lowercase accepted */
    assert_int_equal(remoting_offset_msgid_decode(
                         "0a00000700002a9f00000000000012ff", 32, &d, &off),
                     0);
    assert_true(off == 0x12ff);
    /* IPv6 */
    memset(&h, 0, sizeof(h));
    h.is_v6 = 1;
    h.ip[0] = 0xfe;
    h.ip[1] = 0x80;
    h.ip[15] = 1;
    h.port = 10911;
    assert_int_equal(remoting_offset_msgid_encode(&h, INT64_MAX, out), 56);
    assert_string_equal(out, "FE80000000000000000000000000000100002A9F"
                             "7FFFFFFFFFFFFFFF");
    assert_int_equal(remoting_offset_msgid_decode(out, 56, &d, &off), 0);
    assert_int_equal(d.is_v6, 1);
    assert_memory_equal(d.ip, h.ip, 16);
    assert_true(off == INT64_MAX);
    /* wrong length, bad hex */
    assert_int_equal(remoting_offset_msgid_decode(out, 31, &d, &off),
                     BUF_EINVAL);
    assert_int_equal(remoting_offset_msgid_decode(
                         "0A00000700002A9F000000000000123G", 32, &d, &off),
                     BUF_EINVAL);
}

static void test_uniq_key(void **state)
{
    remoting_host c = {{192, 168, 1, 2}, 0, 0};
    char out[64];
    (void)state;
    assert_int_equal(
        remoting_uniq_key_make(&c, 0x1234, 0x0A0B0C0D, 0x100, 5, out), 32);
    assert_string_equal(out, "C0A8010212340A0B0C0D000001000005");
    c.is_v6 = 1;
    assert_int_equal(remoting_uniq_key_make(&c, 1, 0, 0, 0, out), 56);
}

static void test_body_crc_and_tag_hash(void **state)
{
    (void)state;
    /* CRC-32 check value 0xCBF43926, masked */
    assert_int_equal(remoting_body_crc((const uint8_t *)"123456789", 9),
                     0x4BF43926);
    assert_int_equal(remoting_body_crc(NULL, 0), 0);
    assert_true(remoting_tag_hash((const uint8_t *)"TagA", 4) == 2598919);
    assert_true(remoting_tag_hash((const uint8_t *)"\xe6\xa0\x87\xe7\xad\xbe",
                                  6) == 857175);
    assert_true(remoting_tag_hash((const uint8_t *)"\xf0\x9f\x98\x80", 4) ==
                1772899);
    assert_true(remoting_tag_hash((const uint8_t *)"", 0) == 0);
    /* wraps and sign-extends like Java int */
    assert_true(remoting_tag_hash((const uint8_t *)"polygenelubricants", 18) ==
                INT32_MIN);
    /* invalid UTF-8 byte = U+FFFD */
    assert_true(remoting_tag_hash((const uint8_t *)"\xff", 1) == 0xfffd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_v1_ipv4_layout_and_round_trip),
        cmocka_unit_test(test_record_ipv6_hosts_and_v2_magic),
        cmocka_unit_test(test_record_truncations_and_lies),
        cmocka_unit_test(test_pull_body_of_several_records),
        cmocka_unit_test(test_batch_body),
        cmocka_unit_test(test_properties_edge_cases),
        cmocka_unit_test(test_properties_encode),
        cmocka_unit_test(test_offset_msgid),
        cmocka_unit_test(test_uniq_key),
        cmocka_unit_test(test_body_crc_and_tag_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
