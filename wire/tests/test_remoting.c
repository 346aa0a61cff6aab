/*
 * test_remoting.c - remoting frames and command headers: hand-computed JSON
 * and ROCKETMQ header bytes, the fastjson/ali-ons/Go header variants, every
 * truncation, lying and negative lengths, garbage and deep JSON, typed
 * extFields getters and the code tables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remoting.h"

static const char JSON_HDR[] =
    "{\"code\":105,\"extFields\":{\"topic\":\"T\"},\"flag\":0,\"language\":"
    "\"JAVA\",\"opaque\":7,\"serializeTypeCurrentRPC\":\"JSON\",\"version\":"
    "401}";

/* code 10, GO, version 317, opaque 0x01020304, flag 2 (one-way), remark
 * "ok", extFields {a: b}. */
static const uint8_t BIN_HDR[] = {
    0x00, 0x0a,                        /* code */
    0x09,                              /* language GO */
    0x01, 0x3d,                        /* version 317 */
    0x01, 0x02, 0x03, 0x04,            /* opaque */
    0x00, 0x00, 0x00, 0x02,            /* flag */
    0x00, 0x00, 0x00, 0x02, 'o',  'k', /* remark */
    0x00, 0x00, 0x00, 0x08,            /* extLen */
    0x00, 0x01, 'a',  0x00, 0x00, 0x00, 0x01, 'b'};

static int view_is(buf_view v, const char *s)
{
    return !v.is_null && v.len == strlen(s) &&
           (v.len == 0 || memcmp(v.ptr, s, v.len) == 0);
}

static void test_frame_check_limits(void **state)
{
    uint8_t h[8] = {0, 0, 0, 10, 0, 0, 0, 4};
    size_t hl = 99, bl = 99;
    (void)state;
    assert_int_equal(remoting_frame_check(h, 1024, &hl, &bl), 0);
    assert_int_equal(hl, 4);
    assert_int_equal(bl, 2);
    /* 4 + frameLen must fit the limit */
    assert_int_equal(remoting_frame_check(h, 13, &hl, &bl), BUF_ELIMIT);
    assert_int_equal(remoting_frame_check(h, 14, &hl, &bl), 0);
    h[7] = 6; /* header exactly fills the frame */
    assert_int_equal(remoting_frame_check(h, 1024, &hl, &bl), 0);
    assert_int_equal(bl, 0);
    h[7] = 7; /* header past the frame */
    assert_int_equal(remoting_frame_check(h, 1024, &hl, &bl), BUF_EINVAL);
    h[7] = 4;
    h[4] = 1; /* ROCKETMQ type is fine */
    assert_int_equal(remoting_frame_check(h, 1024, &hl, &bl), 0);
    assert_int_equal(remoting_frame_serialize_type(h), 1);
    h[4] = 2; /* unknown type */
    assert_int_equal(remoting_frame_check(h, 1024, &hl, &bl), BUF_EINVAL);
    h[4] = 0;
    h[0] = 0xff; /* negative frameLen */
    assert_int_equal(remoting_frame_check(h, 1024, &hl, &bl), BUF_EINVAL);
    memcpy(h, "\0\0\0\3\0\0\0\0", 8); /* frameLen < 4 */
    assert_int_equal(remoting_frame_check(h, 1024, &hl, &bl), BUF_EINVAL);
    memcpy(h, "\x01\0\0\0\0\0\0\0", 8); /* 16 MiB + 4 > default */
    assert_int_equal(
        remoting_frame_check(h, REMOTING_DEFAULT_MAX_FRAME, &hl, &bl),
        BUF_ELIMIT);
    memcpy(h, "\x00\xff\xff\xfc\0\0\0\0", 8); /* exactly 16 MiB */
    assert_int_equal(
        remoting_frame_check(h, REMOTING_DEFAULT_MAX_FRAME, &hl, &bl), 0);
}

static void test_json_header_encodes_known_bytes(void **state)
{
    wire_arena a = {0};
    remoting_header h, d;
    buf_writer w;
    buf_view body;
    (void)state;
    memset(&h, 0, sizeof(h));
    h.code = REMOTING_REQ_GET_ROUTEINFO_BY_TOPIC;
    h.language = REMOTING_LANG_JAVA;
    h.version = 401;
    h.opaque = 7;
    h.remark.is_null = 1;
    assert_int_equal(remoting_ext_add_str(&h, &a, "topic", "T"), 0);
    buf_writer_init(&w, 0, 0);
    assert_int_equal(
        remoting_frame_encode(&w, &h, REMOTING_SERIALIZE_JSON, "xy", 2), 0);
    assert_int_equal(w.len, 8 + 123 + 2);
    assert_memory_equal(w.p, "\x00\x00\x00\x81\x00\x00\x00\x7b", 8);
    assert_memory_equal(w.p + 8, JSON_HDR, 123);
    assert_memory_equal(w.p + 131, "xy", 2);

    assert_int_equal(remoting_frame_decode(
                         w.p, w.len, REMOTING_DEFAULT_MAX_FRAME, &a, &d, &body),
                     0);
    assert_int_equal(d.serialize_type, REMOTING_SERIALIZE_JSON);
    assert_int_equal(d.code, 105);
    assert_int_equal(d.language, REMOTING_LANG_JAVA);
    assert_true(view_is(d.language_name, "JAVA"));
    assert_int_equal(d.version, 401);
    assert_int_equal(d.opaque, 7);
    assert_int_equal(d.flag, 0);
    assert_true(d.remark.is_null);
    assert_int_equal(d.ext_count, 1);
    assert_true(view_is(d.ext[0].key, "topic"));
    assert_true(view_is(d.ext[0].value, "T"));
    assert_true(view_is(body, "xy"));
    buf_writer_release(&w);
    wire_arena_release(&a);
}

static void test_binary_header_known_bytes_round_trip(void **state)
{
    wire_arena a = {0};
    remoting_header h;
    buf_writer w;
    int32_t v;
    (void)state;
    assert_int_equal(remoting_header_decode(BIN_HDR, sizeof(BIN_HDR),
                                            REMOTING_SERIALIZE_ROCKETMQ, &a,
                                            &h),
                     0);
    assert_int_equal(h.code, REMOTING_REQ_SEND_MESSAGE);
    assert_int_equal(h.language, REMOTING_LANG_GO);
    assert_int_equal(h.version, 317);
    assert_int_equal(h.opaque, 0x01020304);
    assert_int_equal(h.flag, REMOTING_FLAG_ONEWAY);
    assert_true(view_is(h.remark, "ok"));
    assert_int_equal(h.ext_count, 1);
    assert_true(view_is(h.ext[0].key, "a"));
    assert_true(view_is(h.ext[0].value, "b"));
    /* views point into the input */
    assert_ptr_equal(h.remark.ptr, BIN_HDR + 17);
    assert_int_equal(remoting_ext_get_i32(&h, "a", &v), BUF_EINVAL);

    buf_writer_init(&w, 0, 0);
    assert_int_equal(
        remoting_header_encode(&w, &h, REMOTING_SERIALIZE_ROCKETMQ), 0);
    assert_int_equal(w.len, sizeof(BIN_HDR));
    assert_memory_equal(w.p, BIN_HDR, sizeof(BIN_HDR));

    /* the same header answered in JSON */
    w.len = 0;
    assert_int_equal(remoting_header_encode(&w, &h, REMOTING_SERIALIZE_JSON),
                     0);
    {
        static const char want[] =
            "{\"code\":10,\"extFields\":{\"a\":\"b\"},\"flag\":2,"
            "\"language\":\"GO\",\"opaque\":16909060,\"remark\":\"ok\","
            "\"serializeTypeCurrentRPC\":\"JSON\",\"version\":317}";
        assert_int_equal(w.len, strlen(want));
        assert_memory_equal(w.p, want, w.len);
    }
    buf_writer_release(&w);
    wire_arena_release(&a);
}

static void test_binary_null_remark_and_null_value(void **state)
{
    static const uint8_t hdr[] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 0,   0, 0, 1, 0,
                                  0, 0, 0, 0, 0, 0, 7, 0, 1, 'k', 0, 0, 0, 0};
    wire_arena a = {0};
    remoting_header h;
    buf_view v;
    (void)state;
    assert_int_equal(remoting_header_decode(
                         hdr, sizeof(hdr), REMOTING_SERIALIZE_ROCKETMQ, &a, &h),
                     0);
    assert_true(h.remark.is_null);
    assert_int_equal(h.flag, 1);
    assert_int_equal(h.ext_count, 1);
    assert_true(h.ext[0].value.is_null);
    assert_int_equal(remoting_ext_find(&h, "k", &v), 0);
    wire_arena_release(&a);
}

static void test_json_header_java_pull_response(void **state)
{
    static const char js[] =
        "{\"code\":0,\"extFields\":{\"groupSysFlag\":\"0\",\"maxOffset\":"
        "\"5\",\"minOffset\":\"0\",\"nextBeginOffset\":\"5\","
        "\"suggestWhichBrokerId\":\"0\",\"topicSysFlag\":\"0\"},\"flag\":1,"
        "\"language\":\"JAVA\",\"opaque\":42,\"remark\":\"FOUND\","
        "\"serializeTypeCurrentRPC\":\"JSON\",\"version\":479}";
    wire_arena a = {0};
    remoting_header h;
    int64_t v;
    (void)state;
    assert_int_equal(remoting_header_decode((const uint8_t *)js, strlen(js),
                                            REMOTING_SERIALIZE_JSON, &a, &h),
                     0);
    assert_int_equal(h.flag, REMOTING_FLAG_RESPONSE);
    assert_int_equal(h.opaque, 42);
    assert_true(view_is(h.remark, "FOUND"));
    assert_int_equal(h.ext_count, 6);
    /* jansson keeps wire order */
    assert_true(view_is(h.ext[0].key, "groupSysFlag"));
    assert_true(view_is(h.ext[5].key, "topicSysFlag"));
    assert_int_equal(remoting_ext_get_i64(&h, "nextBeginOffset", &v), 0);
    assert_int_equal(v, 5);
    assert_int_equal(remoting_ext_get_i64(&h, "nope", &v), REMOTING_EMISSING);
    wire_arena_release(&a);
}

static void test_json_header_client_variants(void **state)
{
    /* ali-ons: raw numbers and booleans, a null, big int64, version 121;
     * unknown keys and a non-ASCII escaped remark */
    static const char ons[] =
        "{\"code\":11,\"language\":\"JAVA\",\"version\":121,\"opaque\":3,"
        "\"flag\":0,\"remark\":\"\\u6807\",\"unknown\":[1,{}],\"extFields\":"
        "{\"queueId\":0,\"unitMode\":false,\"queueOffset\":9007199254740993,"
        "\"skip\":null,\"neg\":-2,\"r\":1.5}}";
    /* Go: language GO, remark "", empty extFields */
    static const char go[] = "{\"code\":34,\"language\":\"GO\",\"version\":"
                             "317,\"opaque\":1,\"flag\":0,\"remark\":\"\","
                             "\"extFields\":{}}";
    /* Java 4.x heart beat: no extFields, no remark, unknown language */
    static const char j4[] = "{\"code\":34,\"flag\":0,\"language\":"
                             "\"COBOL\",\"opaque\":2,\"version\":401}";
    wire_arena a = {0};
    remoting_header h;
    int32_t i32;
    int64_t i64;
    int b;
    buf_view v;
    (void)state;
    assert_int_equal(remoting_header_decode((const uint8_t *)ons, strlen(ons),
                                            REMOTING_SERIALIZE_JSON, &a, &h),
                     0);
    assert_int_equal(h.ext_count, 5);
    assert_true(view_is(h.remark, "\xe6\xa0\x87"));
    assert_int_equal(remoting_ext_get_i32(&h, "queueId", &i32), 0);
    assert_int_equal(i32, 0);
    assert_int_equal(remoting_ext_get_bool(&h, "unitMode", &b), 0);
    assert_int_equal(b, 0);
    assert_int_equal(remoting_ext_get_i64(&h, "queueOffset", &i64), 0);
    assert_true(i64 == 9007199254740993LL); /* not through a double */
    assert_int_equal(remoting_ext_get_i32(&h, "neg", &i32), 0);
    assert_int_equal(i32, -2);
    assert_int_equal(remoting_ext_find(&h, "skip", &v), 0);
    assert_int_equal(remoting_ext_find(&h, "r", &v), 1);
    assert_int_equal(remoting_ext_get_i32(&h, "r", &i32), BUF_EINVAL);

    assert_int_equal(remoting_header_decode((const uint8_t *)go, strlen(go),
                                            REMOTING_SERIALIZE_JSON, &a, &h),
                     0);
    assert_int_equal(h.language, REMOTING_LANG_GO);
    assert_true(view_is(h.remark, ""));
    assert_int_equal(h.ext_count, 0);

    assert_int_equal(remoting_header_decode((const uint8_t *)j4, strlen(j4),
                                            REMOTING_SERIALIZE_JSON, &a, &h),
                     0);
    assert_int_equal(h.language, REMOTING_LANG_OTHER);
    assert_true(view_is(h.language_name, "COBOL"));
    assert_true(h.remark.is_null);
    assert_int_equal(h.ext_count, 0);
    assert_null(h.ext);
    wire_arena_release(&a);
}

static void test_json_garbage_rejected(void **state)
{
    static const char *bad[] = {
        "",
        "not json",
        "[1,2]",
        "\"str\"",
        "{\"code\":1",
        "{\"code\":1}trailing",
        "{\"code\":\"x\"}",
        "{\"code\":1.5}",
        "{\"code\":true}",
        "{\"opaque\":4294967296}",
        "{\"flag\":-2147483649}",
        "{\"version\":99999999999999999999999}",
        "{\"remark\":5}",
        "{\"language\":[]}",
        "{\"extFields\":[]}",
        "{\"extFields\":\"a\"}",
        "{\"extFields\":{\"a\":{\"b\":1}}}",
        "{\"extFields\":{\"a\":[1]}}",
        "{\"extFields\":{\"a\":\"\\u0000\"}}",
        "{\"code\":1,\"remark\":\"\xff\xfe\"}",
    };
    wire_arena a = {0};
    remoting_header h;
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int rc = remoting_header_decode((const uint8_t *)bad[i], strlen(bad[i]),
                                        REMOTING_SERIALIZE_JSON, &a, &h);
        if (rc != BUF_EINVAL)
            fail_msg("accepted or wrong error %d: %s", rc, bad[i]);
    }
    /* NUL inside the header bytes */
    assert_int_equal(remoting_header_decode((const uint8_t *)"{\0}", 3,
                                            REMOTING_SERIALIZE_JSON, &a, &h),
                     BUF_EINVAL);
    /* a numeric string code is accepted as fastjson does */
    assert_int_equal(remoting_header_decode((const uint8_t *)"{\"code\":\"7\"}",
                                            12, REMOTING_SERIALIZE_JSON, &a,
                                            &h),
                     0);
    assert_int_equal(h.code, 7);
    wire_arena_release(&a);
}

static char *nested(int depth)
{
    char *s = malloc((size_t)depth * 6 + 32);
    size_t n = 0;
    n += (size_t)sprintf(s, "{\"x\":");
    for (int i = 0; i < depth; i++)
        s[n++] = '[';
    for (int i = 0; i < depth; i++)
        s[n++] = ']';
    s[n++] = '}';
    s[n] = 0;
    return s;
}

static void test_json_deep_and_huge(void **state)
{
    wire_arena a = {0}, small;
    remoting_header h;
    char *s;
    buf_writer w;
    (void)state;
    s = nested(REMOTING_JSON_MAX_DEPTH - 1);
    assert_int_equal(remoting_header_decode((const uint8_t *)s, strlen(s),
                                            REMOTING_SERIALIZE_JSON, &a, &h),
                     0);
    free(s);
    s = nested(REMOTING_JSON_MAX_DEPTH + 1);
    assert_int_equal(remoting_header_decode((const uint8_t *)s, strlen(s),
                                            REMOTING_SERIALIZE_JSON, &a, &h),
                     BUF_EINVAL);
    free(s);
    s = nested(100000); /* beyond jansson's own limit too */
    assert_int_equal(remoting_header_decode((const uint8_t *)s, strlen(s),
                                            REMOTING_SERIALIZE_JSON, &a, &h),
                     BUF_EINVAL);
    free(s);

    /* 20000 extFields: decodes with a roomy arena, ENOMEM with a small
     * one (the arena cap bounds what a hostile header can cost) */
    buf_writer_init(&w, 0, 0);
    buf_write_raw(&w, "{\"extFields\":{", 14);
    for (int i = 0; i < 20000; i++) {
        char kv[48];
        int n =
            snprintf(kv, sizeof(kv), "%s\"k%d\":\"%d\"", i ? "," : "", i, i);
        buf_write_raw(&w, kv, (size_t)n);
    }
    buf_write_raw(&w, "}}", 2);
    assert_int_equal(
        remoting_header_decode(w.p, w.len, REMOTING_SERIALIZE_JSON, &a, &h), 0);
    assert_int_equal(h.ext_count, 20000);
    {
        int32_t v;
        assert_int_equal(remoting_ext_get_i32(&h, "k19999", &v), 0);
        assert_int_equal(v, 19999);
    }
    /* more values than REMOTING_JSON_MAX_VALUES: refused unparsed */
    {
        buf_writer big;
        buf_writer_init(&big, 0, 0);
        buf_write_raw(&big, "{\"x\":[", 6);
        for (int i = 0; i < REMOTING_JSON_MAX_VALUES; i++)
            buf_write_raw(&big, i ? ",0" : "0", i ? 2 : 1);
        buf_write_raw(&big, "]}", 2);
        assert_int_equal(remoting_header_decode(
                             big.p, big.len, REMOTING_SERIALIZE_JSON, &a, &h),
                         BUF_ELIMIT);
        /* commas and brackets inside strings do not count */
        big.len = 0;
        buf_write_raw(&big, "{\"remark\":\"", 11);
        for (int i = 0; i < REMOTING_JSON_MAX_VALUES; i++)
            buf_write_raw(&big, ",[{\\\"", 5);
        buf_write_raw(&big, "\"}", 2);
        assert_int_equal(remoting_header_decode(
                             big.p, big.len, REMOTING_SERIALIZE_JSON, &a, &h),
                         0);
        assert_int_equal(h.remark.len, 4u * REMOTING_JSON_MAX_VALUES);
        buf_writer_release(&big);
    }
    wire_arena_init(&small, 4096, 64 * 1024);
    assert_int_equal(
        remoting_header_decode(w.p, w.len, REMOTING_SERIALIZE_JSON, &small, &h),
        BUF_ENOMEM);
    wire_arena_release(&small);
    buf_writer_release(&w);
    wire_arena_release(&a);
}

static void frame_of(buf_writer *w, int type)
{
    wire_arena a = {0};
    remoting_header h;
    memset(&h, 0, sizeof(h));
    h.code = 310;
    h.opaque = 99;
    h.version = 401;
    h.remark = remoting_view("r");
    remoting_ext_add_str(&h, &a, "a", "pg");
    remoting_ext_add_str(&h, &a, "b", "Topic");
    remoting_ext_add_i64(&h, &a, "g", 1700000000000LL);
    buf_writer_init(w, 0, 0);
    assert_int_equal(remoting_frame_encode(w, &h, type, "body", 4), 0);
    wire_arena_release(&a);
}

static void test_every_truncation_rejected(void **state)
{
    (void)state;
    for (int type = 0; type <= 1; type++) {
        buf_writer w;
        wire_arena a = {0};
        remoting_header h;
        buf_view body;
        size_t hl, bl;
        frame_of(&w, type);
        assert_int_equal(remoting_frame_decode(w.p, w.len,
                                               REMOTING_DEFAULT_MAX_FRAME, &a,
                                               &h, &body),
                         0);
        assert_int_equal(h.ext_count, 3);
        assert_true(view_is(body, "body"));
        for (size_t n = 0; n < w.len; n++) {
            uint8_t *cut = malloc(n ? n : 1);
            memcpy(cut, w.p, n);
            assert_int_equal(remoting_frame_decode(cut, n,
                                                   REMOTING_DEFAULT_MAX_FRAME,
                                                   &a, &h, &body),
                             BUF_ESHORT);
            free(cut);
        }
        /* every truncation of the header bytes alone */
        assert_int_equal(remoting_frame_check(w.p, 1 << 20, &hl, &bl), 0);
        for (size_t n = 0; n < hl; n++) {
            uint8_t *cut = malloc(n ? n : 1);
            memcpy(cut, w.p + 8, n);
            assert_true(remoting_header_decode(cut, n, type, &a, &h) < 0);
            free(cut);
        }
        buf_writer_release(&w);
        wire_arena_release(&a);
    }
}

static void test_binary_lying_lengths(void **state)
{
    wire_arena a = {0};
    remoting_header h;
    uint8_t b[sizeof(BIN_HDR) + 1];
    (void)state;
    /* remarkLen negative, past the end */
    memcpy(b, BIN_HDR, sizeof(BIN_HDR));
    b[13] = 0x80;
    assert_int_equal(remoting_header_decode(b, sizeof(BIN_HDR), 1, &a, &h),
                     BUF_EINVAL);
    b[13] = 0;
    b[16] = 200;
    assert_true(remoting_header_decode(b, sizeof(BIN_HDR), 1, &a, &h) < 0);
    /* extLen negative, too large, too small (bytes left after the map) */
    memcpy(b, BIN_HDR, sizeof(BIN_HDR));
    b[19] = 0xff;
    assert_int_equal(remoting_header_decode(b, sizeof(BIN_HDR), 1, &a, &h),
                     BUF_EINVAL);
    b[19] = 0;
    b[22] = 9;
    assert_true(remoting_header_decode(b, sizeof(BIN_HDR), 1, &a, &h) < 0);
    b[22] = 7;
    assert_true(remoting_header_decode(b, sizeof(BIN_HDR), 1, &a, &h) < 0);
    /* key length negative / beyond the map; value length negative /
     * beyond the map */
    memcpy(b, BIN_HDR, sizeof(BIN_HDR));
    b[23] = 0x80;
    assert_int_equal(remoting_header_decode(b, sizeof(BIN_HDR), 1, &a, &h),
                     BUF_EINVAL);
    b[23] = 0;
    b[24] = 5;
    assert_int_equal(remoting_header_decode(b, sizeof(BIN_HDR), 1, &a, &h),
                     BUF_EINVAL);
    b[24] = 1;
    b[26] = 0x80;
    assert_int_equal(remoting_header_decode(b, sizeof(BIN_HDR), 1, &a, &h),
                     BUF_EINVAL);
    b[26] = 0;
    b[29] = 2;
    assert_int_equal(remoting_header_decode(b, sizeof(BIN_HDR), 1, &a, &h),
                     BUF_EINVAL);
    /* trailing byte after the map */
    memcpy(b, BIN_HDR, sizeof(BIN_HDR));
    b[sizeof(BIN_HDR)] = 0;
    assert_int_equal(remoting_header_decode(b, sizeof(b), 1, &a, &h),
                     BUF_EINVAL);
    /* unknown serialize type */
    assert_int_equal(
        remoting_header_decode(BIN_HDR, sizeof(BIN_HDR), 5, &a, &h),
        BUF_EINVAL);
    wire_arena_release(&a);
}

static void test_frame_lying_lengths(void **state)
{
    buf_writer w;
    wire_arena a = {0};
    remoting_header h;
    buf_view body;
    (void)state;
    frame_of(&w, 0);
    /* headerLen inside the frame but cutting the JSON short */
    w.p[7] = (uint8_t)(w.p[7] - 1);
    assert_int_equal(remoting_frame_decode(w.p, w.len, 1 << 20, &a, &h, &body),
                     BUF_EINVAL);
    w.p[7] = (uint8_t)(w.p[7] + 1);
    /* frameLen one less: trailing byte */
    w.p[3] = (uint8_t)(w.p[3] - 1);
    assert_int_equal(remoting_frame_decode(w.p, w.len, 1 << 20, &a, &h, &body),
                     BUF_EINVAL);
    w.p[3] = (uint8_t)(w.p[3] + 1);
    /* over the caller's limit */
    assert_int_equal(remoting_frame_decode(w.p, w.len, 16, &a, &h, &body),
                     BUF_ELIMIT);
    buf_writer_release(&w);
    wire_arena_release(&a);
}

static void test_binary_encode_refuses_out_of_range(void **state)
{
    remoting_header h;
    buf_writer w;
    (void)state;
    memset(&h, 0, sizeof(h));
    h.code = 200052; /* POP codes cannot travel in int16 */
    h.remark.is_null = 1;
    buf_writer_init(&w, 0, 0);
    assert_int_equal(remoting_header_encode(&w, &h, 1), BUF_EINVAL);
    assert_int_equal(remoting_header_encode(&w, &h, 7), BUF_EINVAL);
    buf_writer_release(&w);
}

static void test_json_escapes(void **state)
{
    wire_arena a = {0};
    remoting_header h, d;
    buf_writer w;
    (void)state;
    memset(&h, 0, sizeof(h));
    h.remark = remoting_view("q\"b\\\n\x01\xe6\xa0\x87");
    remoting_ext_add_str(&h, &a, "k\"", "v\t");
    remoting_ext_add(&h, &a, "nul", (buf_view){NULL, 0, 1});
    buf_writer_init(&w, 0, 0);
    assert_int_equal(remoting_header_encode(&w, &h, 0), 0);
    assert_non_null(
        memmem(w.p, w.len, "\"q\\\"b\\\\\\n\\u0001\xe6\xa0\x87\"", 19));
    assert_non_null(memmem(w.p, w.len, "{\"k\\\"\":\"v\\t\"}", 13));
    assert_int_equal(remoting_header_decode(w.p, w.len, 0, &a, &d), 0);
    assert_int_equal(d.remark.len, h.remark.len);
    assert_memory_equal(d.remark.ptr, h.remark.ptr, h.remark.len);
    assert_int_equal(d.ext_count, 1);
    assert_true(view_is(d.ext[0].value, "v\t"));
    buf_writer_release(&w);
    wire_arena_release(&a);
}

static void test_json_encoder_replaces_invalid_utf8(void **state)
{
    /* binary headers carry raw bytes; their JSON answer must still parse */
    static const uint8_t raw[] = {'a',  0xff, 'b',  0xc3, 0xa9, 0xed,
                                  0xa0, 0x80, 0xf0, 0x9f, 0x98};
    wire_arena a = {0};
    remoting_header h, d;
    buf_writer w;
    (void)state;
    memset(&h, 0, sizeof(h));
    h.remark.ptr = raw;
    h.remark.len = sizeof(raw);
    buf_writer_init(&w, 0, 0);
    assert_int_equal(remoting_header_encode(&w, &h, 0), 0);
    assert_non_null(memmem(w.p, w.len,
                           "\"a\\ufffdb\xc3\xa9\\ufffd\\ufffd\\ufffd"
                           "\\ufffd\\ufffd\\ufffd\"",
                           48));
    assert_int_equal(remoting_header_decode(w.p, w.len, 0, &a, &d), 0);
    assert_int_equal(d.remark.len, 1 + 3 + 1 + 2 + 6 * 3);
    buf_writer_release(&w);
    wire_arena_release(&a);
}

static void test_ext_number_parsing(void **state)
{
    static const struct {
        const char *s;
        int ok;
        int64_t v;
    } cases[] = {
        {"0", 1, 0},
        {"-1", 1, -1},
        {"+5", 1, 5},
        {"9223372036854775807", 1, INT64_MAX},
        {"-9223372036854775808", 1, INT64_MIN},
        {"9223372036854775808", 0, 0},
        {"-9223372036854775809", 0, 0},
        {"", 0, 0},
        {"-", 0, 0},
        {"+", 0, 0},
        {" 1", 0, 0},
        {"1 ", 0, 0},
        {"12a", 0, 0},
        {"0x10", 0, 0},
        {"1.0", 0, 0},
        {"1e3", 0, 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int64_t v = 42;
        int rc = remoting_parse_i64(remoting_view(cases[i].s), &v);
        if (cases[i].ok) {
            assert_int_equal(rc, 0);
            assert_true(v == cases[i].v);
        } else if (rc != BUF_EINVAL) {
            fail_msg("accepted %s", cases[i].s);
        }
    }
    {
        int32_t v;
        assert_int_equal(remoting_parse_i32(remoting_view("2147483647"), &v),
                         0);
        assert_int_equal(remoting_parse_i32(remoting_view("2147483648"), &v),
                         BUF_EINVAL);
        assert_int_equal(remoting_parse_i32(remoting_view("-2147483648"), &v),
                         0);
        assert_int_equal(v, INT32_MIN);
    }
    {
        wire_arena a = {0};
        remoting_header h;
        int b = 5;
        memset(&h, 0, sizeof(h));
        remoting_ext_add_str(&h, &a, "t", "TRUE");
        remoting_ext_add_str(&h, &a, "f", "false");
        remoting_ext_add_str(&h, &a, "x", "yes");
        assert_int_equal(remoting_ext_get_bool(&h, "t", &b), 0);
        assert_int_equal(b, 1);
        assert_int_equal(remoting_ext_get_bool(&h, "f", &b), 0);
        assert_int_equal(b, 0);
        assert_int_equal(remoting_ext_get_bool(&h, "x", &b), BUF_EINVAL);
        assert_int_equal(remoting_ext_get_bool(&h, "y", &b), REMOTING_EMISSING);
        /* duplicates: last wins, as Java's HashMap.put */
        remoting_ext_add_str(&h, &a, "t", "false");
        assert_int_equal(remoting_ext_get_bool(&h, "t", &b), 0);
        assert_int_equal(b, 0);
        wire_arena_release(&a);
    }
}

/* Golden frames from rocketmq-client 4.9.8 (testdata/capture_rocketmq.py):
 * decode, check, and re-encode to the same bytes in the same encoding. */
static void golden(const char *name, int type)
{
    char path[512];
    uint8_t buf[4096];
    size_t n;
    FILE *f;
    wire_arena a = {0};
    remoting_header h;
    buf_view body, v;
    buf_writer w;

    snprintf(path, sizeof(path), "%s/%s", WIRE_TESTDATA_DIR, name);
    f = fopen(path, "rb");
    assert_non_null(f);
    n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    assert_int_equal(remoting_frame_decode(buf, n, REMOTING_DEFAULT_MAX_FRAME,
                                           &a, &h, &body),
                     0);
    assert_int_equal(h.serialize_type, type);
    assert_int_equal(h.code, REMOTING_REQ_GET_ROUTEINFO_BY_TOPIC);
    assert_int_equal(h.language, REMOTING_LANG_JAVA);
    assert_int_equal(h.version, 409); /* MQVersion V4_9_8 */
    assert_int_equal(h.flag, 0);
    assert_true(h.remark.is_null);
    assert_int_equal(body.len, 0);
    assert_int_equal(remoting_ext_find(&h, "topic", &v), 1);
    assert_true(view_is(v, "TopicTest"));
    buf_writer_init(&w, 0, 0);
    assert_int_equal(remoting_frame_encode(&w, &h, type, NULL, 0), 0);
    assert_int_equal(w.len, n);
    assert_memory_equal(w.p, buf, n);
    buf_writer_release(&w);
    wire_arena_release(&a);
}

static void test_golden_java_client_frames(void **state)
{
    (void)state;
    golden("rmq_java_get_route_json.bin", REMOTING_SERIALIZE_JSON);
    golden("rmq_java_get_route_rocketmq.bin", REMOTING_SERIALIZE_ROCKETMQ);
}

static void test_code_tables(void **state)
{
    (void)state;
    assert_string_equal(remoting_request_code_name(105),
                        "GET_ROUTEINFO_BY_TOPIC");
    assert_string_equal(
        remoting_request_code_name(REMOTING_REQ_SEND_BATCH_MESSAGE),
        "SEND_BATCH_MESSAGE");
    assert_null(remoting_request_code_name(999));
    assert_string_equal(remoting_response_code_name(1500), "GO_AWAY");
    assert_string_equal(remoting_response_code_name(22), "QUERY_NOT_FOUND");
    assert_null(remoting_response_code_name(5));
    assert_string_equal(remoting_language_name(13), "NODE_JS");
    assert_int_equal(remoting_language_by_name("GO", 2), REMOTING_LANG_GO);
    assert_int_equal(remoting_language_by_name("G", 1), -1);
    assert_int_equal(REMOTING_REQ_LITE_PULL_MESSAGE, 361);
    assert_int_equal(REMOTING_RESP_FLOW_CONTROL, 215);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frame_check_limits),
        cmocka_unit_test(test_json_header_encodes_known_bytes),
        cmocka_unit_test(test_binary_header_known_bytes_round_trip),
        cmocka_unit_test(test_binary_null_remark_and_null_value),
        cmocka_unit_test(test_json_header_java_pull_response),
        cmocka_unit_test(test_json_header_client_variants),
        cmocka_unit_test(test_json_garbage_rejected),
        cmocka_unit_test(test_json_deep_and_huge),
        cmocka_unit_test(test_every_truncation_rejected),
        cmocka_unit_test(test_binary_lying_lengths),
        cmocka_unit_test(test_frame_lying_lengths),
        cmocka_unit_test(test_binary_encode_refuses_out_of_range),
        cmocka_unit_test(test_json_escapes),
        cmocka_unit_test(test_json_encoder_replaces_invalid_utf8),
        cmocka_unit_test(test_ext_number_parsing),
        cmocka_unit_test(test_golden_java_client_frames),
        cmocka_unit_test(test_code_tables),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
