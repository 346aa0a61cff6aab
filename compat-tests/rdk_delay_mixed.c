/*
 * rdk_delay_mixed: one librdkafka batch mixing delayed and plain records.
 *
 *   rdk_delay_mixed BOOTSTRAP TOPIC
 *
 * An idempotent producer (enable.idempotence=true, linger.ms=200, so the
 * records share one batch) sends 10 records to partition 0: odd ones
 * carry header DELAY=1, even ones none. Then:
 *   - every record is reported delivered without error (the broker
 *     answers base offset -1, "unknown", for a split batch: its records
 *     can no longer be numbered base + index; librdkafka still adds the
 *     index to -1, so those report offsets are not checked, only printed);
 *   - a second, plain batch of 5 from the same producer is accepted (the
 *     idempotent sequence went on across the split batch) at 5..9;
 *   - read back after the delay: offsets 0..4 = p0 p2 p4 p6 p8, 5..9 = the
 *     second batch, and the five delayed records after them (10..14, in
 *     order: one level keeps its order), none with a DELAY header.
 * Exit 0 on success, 1 on a failed check, 2 on usage errors.
 */
#include <librdkafka/rdkafka.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int failures;
static int64_t dr_off[32];
static int dr_err[32];
static int dr_n;

#define FAIL(...)                                                              \
    do {                                                                       \
        fprintf(stderr, "rdk_delay_mixed: FAIL: " __VA_ARGS__);                \
        fputc('\n', stderr);                                                   \
        failures++;                                                            \
    } while (0)

static void conf_set(rd_kafka_conf_t *conf, const char *k, const char *v)
{
    char err[512];
    if (rd_kafka_conf_set(conf, k, v, err, sizeof err) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "config %s=%s: %s\n", k, v, err);
        exit(2);
    }
}

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    (void)opaque;
    intptr_t i = (intptr_t)m->_private;
    if (i >= 0 && i < 32) {
        dr_off[i] = m->offset;
        dr_err[i] = m->err;
        dr_n++;
    }
}

static void produce(rd_kafka_t *rk, const char *topic, int idx,
                    const char *value, int delayed)
{
    rd_kafka_resp_err_t e;
    if (delayed)
        e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic),
                              RD_KAFKA_V_PARTITION(0),
                              RD_KAFKA_V_VALUE((void *)value, strlen(value)),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                              RD_KAFKA_V_HEADER("DELAY", "1", 1),
                              RD_KAFKA_V_OPAQUE((void *)(intptr_t)idx),
                              RD_KAFKA_V_END);
    else
        e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic),
                              RD_KAFKA_V_PARTITION(0),
                              RD_KAFKA_V_VALUE((void *)value, strlen(value)),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                              RD_KAFKA_V_OPAQUE((void *)(intptr_t)idx),
                              RD_KAFKA_V_END);
    if (e)
        FAIL("produce %s: %s", value, rd_kafka_err2str(e));
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: rdk_delay_mixed BOOTSTRAP TOPIC\n");
        return 2;
    }
    const char *bs = argv[1], *topic = argv[2];
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    conf_set(conf, "bootstrap.servers", bs);
    conf_set(conf, "enable.idempotence", "true");
    conf_set(conf, "linger.ms", "200");
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    rd_kafka_t *p = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!p) {
        fprintf(stderr, "producer: %s\n", err);
        return 2;
    }
    char v[32];
    for (int i = 0; i < 10; i++) {
        snprintf(v, sizeof v, "%c%d", i % 2 ? 'd' : 'p', i);
        produce(p, topic, i, v, i % 2);
    }
    rd_kafka_flush(p, 20000);
    for (int i = 0; i < 10; i++) {
        if (dr_err[i])
            FAIL("record %d: %s", i, rd_kafka_err2str(dr_err[i]));
        else
            fprintf(stderr, "rdk_delay_mixed: record %d reported at %" PRId64
                    " (not checked)\n", i, dr_off[i]);
    }
    for (int i = 10; i < 15; i++) {
        snprintf(v, sizeof v, "q%d", i);
        produce(p, topic, i, v, 0);
    }
    rd_kafka_flush(p, 20000);
    for (int i = 10; i < 15; i++)
        if (dr_err[i] || dr_off[i] != i - 5)
            FAIL("second batch record %d: %s, offset %" PRId64 " (want %d)",
                 i, rd_kafka_err2str(dr_err[i]), dr_off[i], i - 5);
    if (dr_n != 15)
        FAIL("%d delivery reports, want 15", dr_n);
    rd_kafka_destroy(p);

    sleep(3); /* level 1 = 1 s */
    conf = rd_kafka_conf_new();
    conf_set(conf, "bootstrap.servers", bs);
    conf_set(conf, "group.id", "rdk_delay_mixed");
    conf_set(conf, "enable.auto.commit", "false");
    rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!c) {
        fprintf(stderr, "consumer: %s\n", err);
        return 2;
    }
    rd_kafka_topic_partition_list_t *tp = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(tp, topic, 0)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(c, tp);
    rd_kafka_topic_partition_list_destroy(tp);
    static const char *const want[15] = {"p0", "p2", "p4", "p6", "p8",
                                         "q10", "q11", "q12", "q13", "q14",
                                         "d1", "d3", "d5", "d7", "d9"};
    int got = 0;
    time_t until = time(NULL) + 20;
    while (got < 15 && time(NULL) < until) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 500);
        if (!m)
            continue;
        if (m->err) {
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                FAIL("consume: %s", rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            continue;
        }
        char val[32];
        snprintf(val, sizeof val, "%.*s", (int)m->len, (const char *)m->payload);
        if (m->offset != got || strcmp(val, want[got]) != 0)
            FAIL("offset %" PRId64 " holds %s, want %s at %d", m->offset, val,
                 want[got], got);
        rd_kafka_headers_t *h = NULL;
        const void *hv;
        size_t hl;
        if (rd_kafka_message_headers(m, &h) == 0 &&
            rd_kafka_header_get_last(h, "DELAY", &hv, &hl) == 0)
            FAIL("offset %" PRId64 " still has a DELAY header", m->offset);
        got++;
        rd_kafka_message_destroy(m);
    }
    if (got != 15)
        FAIL("read %d records, want 15", got);
    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);
    fprintf(stderr, "rdk_delay_mixed: %s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
