/*
 * test_remoting_headers.c - the table-driven custom headers: V1 and V2
 * (one-letter) send headers as Go, Java and ali-ons send them, required
 * fields, malformed numbers, Java's boolean rule, encode -> decode for
 * every table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "remoting_headers.h"
#include "remoting_message.h"

static int view_is(buf_view v, const char *s)
{
    return !v.is_null && v.len == strlen(s) &&
           (v.len == 0 || memcmp(v.ptr, s, v.len) == 0);
}

static void hdr_of(remoting_header *h, wire_arena *a, const char *const *kv)
{
    memset(h, 0, sizeof(*h));
    for (; kv[0]; kv += 2)
        assert_int_equal(remoting_ext_add_str(h, a, kv[0], kv[1]), 0);
}

static void test_send_v2_and_v1(void **state)
{
    static const char *const v2[] = {"a", "PG",
                                     "b", "TopicTest",
                                     "c", "TBW102",
                                     "d", "4",
                                     "e", "-1",
                                     "f", "0",
                                     "g", "1700000000000",
                                     "h", "0",
                                     "i", "TAGS\001TagA\002",
                                     "j", "0",
                                     "k", "false",
                                     "l", "16",
                                     "m", "TRUE",
                                     NULL};
    static const char *const v1[] = {"producerGroup",
                                     "PG",
                                     "topic",
                                     "T",
                                     "defaultTopic",
                                     "TBW102",
                                     "defaultTopicQueueNums",
                                     "4",
                                     "queueId",
                                     "2",
                                     "sysFlag",
                                     "0",
                                     "bornTimestamp",
                                     "1",
                                     "flag",
                                     "7",
                                     "unitMode",
                                     "yes",
                                     "bname",
                                     "b",
                                     NULL};
    wire_arena a = {0};
    remoting_header h;
    remoting_send_request s;
    char err[128];
    (void)state;
    hdr_of(&h, &a, v2);
    assert_int_equal(
        remoting_header_fields_decode(&h, &remoting_send_request_schema,
                                      REMOTING_HDR_V2, &s, err, sizeof(err)),
        0);
    assert_true(view_is(s.producer_group, "PG"));
    assert_true(view_is(s.topic, "TopicTest"));
    assert_int_equal(s.queue_id, -1);
    assert_true(s.born_timestamp == 1700000000000LL);
    assert_true(view_is(s.properties, "TAGS\001TagA\002"));
    assert_int_equal(s.max_reconsume_times, 16);
    assert_int_equal(s.batch, 1);
    assert_int_equal(s.unit_mode, 0);
    assert_true(s.bname.is_null);
    assert_int_equal(s.present, 0x1fffu); /* a..m, not n */
    /* the same header read with V1 names misses everything */
    assert_int_equal(
        remoting_header_fields_decode(&h, &remoting_send_request_schema,
                                      REMOTING_HDR_V1, &s, err, sizeof(err)),
        REMOTING_EMISSING);
    assert_string_equal(err, "SendMessageRequestHeader.producerGroup missing");

    hdr_of(&h, &a, v1);
    assert_int_equal(
        remoting_header_fields_decode(&h, &remoting_send_request_schema,
                                      REMOTING_HDR_V1, &s, err, sizeof(err)),
        0);
    assert_int_equal(s.queue_id, 2);
    assert_int_equal(s.flag, 7);
    assert_int_equal(s.unit_mode, 0); /* Boolean.parseBoolean("yes") */
    assert_true(view_is(s.bname, "b"));
    assert_true(s.properties.is_null);
    assert_false(s.present & (1u << 8));
    wire_arena_release(&a);
}

static void test_required_and_malformed(void **state)
{
    static const char *const pull[] = {"consumerGroup",
                                       "CG",
                                       "topic",
                                       "T",
                                       "queueId",
                                       "0",
                                       "queueOffset",
                                       "12a",
                                       "maxMsgNums",
                                       "32",
                                       "sysFlag",
                                       "3",
                                       "commitOffset",
                                       "0",
                                       "suspendTimeoutMillis",
                                       "15000",
                                       "subVersion",
                                       "0",
                                       NULL};
    static const char *const q[] = {"topic", "T", NULL};
    wire_arena a = {0};
    remoting_header h;
    remoting_pull_request p;
    remoting_queue_request qr;
    char err[128];
    (void)state;
    hdr_of(&h, &a, pull);
    assert_int_equal(
        remoting_header_fields_decode(&h, &remoting_pull_request_schema, 0, &p,
                                      err, sizeof(err)),
        BUF_EINVAL);
    assert_string_equal(err,
                        "PullMessageRequestHeader.queueOffset malformed: 12a");
    hdr_of(&h, &a, q);
    assert_int_equal(
        remoting_header_fields_decode(&h, &remoting_queue_request_schema, 0,
                                      &qr, err, sizeof(err)),
        REMOTING_EMISSING);
    assert_string_equal(err, "GetMaxOffsetRequestHeader.queueId missing");
    /* no errbuf is fine */
    assert_int_equal(remoting_header_fields_decode(
                         &h, &remoting_queue_request_schema, 0, &qr, NULL, 0),
                     REMOTING_EMISSING);
    /* int32 overflow */
    remoting_ext_add_str(&h, &a, "queueId", "2147483648");
    assert_int_equal(remoting_header_fields_decode(
                         &h, &remoting_queue_request_schema, 0, &qr, NULL, 0),
                     BUF_EINVAL);
    wire_arena_release(&a);
}

static void test_pull_response_encode(void **state)
{
    wire_arena a = {0};
    remoting_header h, d;
    remoting_pull_response r, back;
    buf_writer w;
    (void)state;
    memset(&r, 0, sizeof(r));
    r.next_begin_offset = 5;
    r.max_offset = 5;
    r.present = 0; /* required fields are written anyway */
    memset(&h, 0, sizeof(h));
    h.code = 0;
    h.flag = REMOTING_FLAG_RESPONSE;
    h.remark = remoting_view("FOUND");
    assert_int_equal(remoting_header_fields_encode(
                         &h, &a, &remoting_pull_response_schema, 0, &r),
                     0);
    assert_int_equal(h.ext_count, 4);
    buf_writer_init(&w, 0, 0);
    assert_int_equal(remoting_header_encode(&w, &h, 0), 0);
    {
        static const char want[] =
            "{\"code\":0,\"extFields\":{\"suggestWhichBrokerId\":\"0\","
            "\"nextBeginOffset\":\"5\",\"minOffset\":\"0\",\"maxOffset\":"
            "\"5\"},\"flag\":1,";
        assert_memory_equal(w.p, want, strlen(want));
    }
    assert_int_equal(remoting_header_decode(w.p, w.len, 0, &a, &d), 0);
    assert_int_equal(remoting_header_fields_decode(
                         &d, &remoting_pull_response_schema, 0, &back, NULL, 0),
                     0);
    assert_true(back.next_begin_offset == 5);
    assert_int_equal(back.present, 0xfu);
    buf_writer_release(&w);
    wire_arena_release(&a);
}

static void test_send_v2_encode_uses_letters(void **state)
{
    wire_arena a = {0};
    remoting_header h;
    remoting_send_request s, back;
    buf_view v;
    (void)state;
    memset(&s, 0, sizeof(s));
    s.producer_group = remoting_view("PG");
    s.topic = remoting_view("T");
    s.default_topic = remoting_view("TBW102");
    s.default_topic_queue_nums = 4;
    s.queue_id = 1;
    s.born_timestamp = 1700000000000LL;
    s.properties = remoting_view("WAIT\001true\002");
    s.batch = 1;
    s.present = 1u << 8 | 1u << 12;
    memset(&h, 0, sizeof(h));
    assert_int_equal(
        remoting_header_fields_encode(&h, &a, &remoting_send_request_schema,
                                      REMOTING_HDR_V2, &s),
        0);
    assert_int_equal(h.ext_count, 10);
    assert_int_equal(remoting_ext_find(&h, "g", &v), 1);
    assert_true(view_is(v, "1700000000000"));
    assert_int_equal(remoting_ext_find(&h, "m", &v), 1);
    assert_true(view_is(v, "true"));
    assert_int_equal(remoting_ext_find(&h, "topic", &v), 0);
    assert_int_equal(
        remoting_header_fields_decode(&h, &remoting_send_request_schema,
                                      REMOTING_HDR_V2, &back, NULL, 0),
        0);
    assert_int_equal(back.queue_id, 1);
    assert_int_equal(back.batch, 1);
    assert_int_equal(back.present, s.present | 0xffu);
    wire_arena_release(&a);
}

/* Every table: offsets distinct and inside a 512-byte struct, <= 32
 * fields, and a struct of zero values with every bit set survives
 * encode -> decode. */
static void test_every_table_round_trips(void **state)
{
    static const remoting_header_schema *const all[] = {
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
    (void)state;
    for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++) {
        const remoting_header_schema *s = all[k];
        _Alignas(16) uint8_t in[512], out[512];
        wire_arena a = {0};
        remoting_header h;
        uint32_t all_bits;
        assert_true(s->count > 0 && s->count <= 32);
        memset(in, 0, sizeof(in));
        for (int32_t i = 0; i < s->count; i++) {
            assert_true(s->fields[i].offset >= sizeof(uint32_t));
            assert_true(s->fields[i].offset + sizeof(buf_view) <= sizeof(in));
            for (int32_t j = 0; j < i; j++)
                assert_true(s->fields[i].offset != s->fields[j].offset);
            if (s->fields[i].type == REMOTING_F_STR) {
                buf_view v = remoting_view("x");
                memcpy(in + s->fields[i].offset, &v, sizeof(v));
            }
        }
        all_bits = s->count == 32 ? 0xffffffffu : (1u << s->count) - 1;
        memcpy(in, &all_bits, sizeof(all_bits));
        memset(&h, 0, sizeof(h));
        assert_int_equal(remoting_header_fields_encode(&h, &a, s, 1, in), 0);
        assert_int_equal(h.ext_count, s->count);
        assert_int_equal(remoting_header_fields_decode(&h, s, 1, out, NULL, 0),
                         0);
        assert_memory_equal(out, &all_bits, sizeof(all_bits));
        wire_arena_release(&a);
    }
}

/* SEND_MESSAGE_V2 from rocketmq-client 4.9.8 (testdata/capture_rocketmq.py):
 * the V2 table reads it, its properties parse, and the frame re-encodes to
 * the same bytes. */
static void test_golden_java_send_v2(void **state)
{
    char path[512];
    uint8_t buf[4096];
    size_t n;
    FILE *f;
    wire_arena a = {0};
    remoting_header h;
    remoting_send_request s;
    buf_view body, v;
    buf_writer w;
    char err[128];
    (void)state;
    snprintf(path, sizeof(path), "%s/rmq_java_send_v2_json.bin",
             WIRE_TESTDATA_DIR);
    f = fopen(path, "rb");
    assert_non_null(f);
    n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    assert_int_equal(remoting_frame_decode(buf, n, REMOTING_DEFAULT_MAX_FRAME,
                                           &a, &h, &body),
                     0);
    assert_int_equal(h.code, REMOTING_REQ_SEND_MESSAGE_V2);
    assert_true(view_is(body, "hello"));
    assert_int_equal(
        remoting_header_fields_decode(&h, &remoting_send_request_schema,
                                      REMOTING_HDR_V2, &s, err, sizeof(err)),
        0);
    assert_true(view_is(s.producer_group, "CapturePG"));
    assert_true(view_is(s.topic, "TopicTest"));
    assert_true(view_is(s.default_topic, "TBW102"));
    assert_int_equal(s.default_topic_queue_nums, 4);
    assert_int_equal(s.queue_id, 0);
    assert_int_equal(s.sys_flag, 0);
    assert_true(s.born_timestamp > 1600000000000LL);
    assert_int_equal(s.batch, 0);
    assert_true(view_is(s.bname, "broker-a"));
    /* Java's properties: no trailing separator after the last pair */
    assert_int_equal(remoting_props_find(s.properties.ptr, s.properties.len,
                                         REMOTING_PROP_TAGS, &v),
                     1);
    assert_true(view_is(v, "TagA"));
    assert_int_equal(remoting_props_find(s.properties.ptr, s.properties.len,
                                         REMOTING_PROP_KEYS, &v),
                     1);
    assert_true(view_is(v, "k1"));
    assert_int_equal(remoting_props_find(s.properties.ptr, s.properties.len,
                                         REMOTING_PROP_WAIT, &v),
                     1);
    assert_true(view_is(v, "true"));
    assert_int_equal(remoting_props_find(s.properties.ptr, s.properties.len,
                                         REMOTING_PROP_UNIQ_KEY, &v),
                     1);
    assert_true(v.len == REMOTING_UNIQ_KEY_V4_LEN ||
                v.len == REMOTING_UNIQ_KEY_V6_LEN);
    buf_writer_init(&w, 0, 0);
    assert_int_equal(remoting_frame_encode(&w, &h, REMOTING_SERIALIZE_JSON,
                                           body.ptr, body.len),
                     0);
    assert_int_equal(w.len, n);
    assert_memory_equal(w.p, buf, n);
    buf_writer_release(&w);
    wire_arena_release(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_send_v2_and_v1),
        cmocka_unit_test(test_required_and_malformed),
        cmocka_unit_test(test_pull_response_encode),
        cmocka_unit_test(test_send_v2_encode_uses_letters),
        cmocka_unit_test(test_every_table_round_trips),
        cmocka_unit_test(test_golden_java_send_v2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
