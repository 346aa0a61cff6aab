/*
 * rdk_idempotent: librdkafka's idempotent producer through a proxy that
 * loses Produce responses (lib/dropproxy.py), then a read-back.
 *
 *   rdk_idempotent BOOTSTRAP TOPIC PARTITIONS N
 *
 * Produces N messages with enable.idempotence=true (acks=all, up to 5
 * requests in flight), message i with value "m<i>" to partition
 * i % PARTITIONS, at RATE messages/s in small batches, so that there are
 * many Produce requests over several seconds.
 * request.timeout.ms is short, so a dropped response makes librdkafka time
 * the request out, reconnect and retry with the same producer id and
 * sequence numbers. Every message must be reported delivered without
 * error, and no fatal idempotence error may occur.
 *
 * Then each partition is read from the beginning up to its log end offset
 * (through the same bootstrap; the proxy only touches Produce responses):
 * partition p must hold exactly the messages i = p, p+P, p+2P, ... in that
 * order, once each, and each at the offset its delivery report gave.
 *
 * Exit 0 on success, 1 on a failed check, 2 on usage errors.
 */
#include <librdkafka/rdkafka.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* production pace, messages per second */
#define RATE 2000

static int failures;
static int fatal_seen;
static int n_msgs;
static int64_t *dr_off;
static int *dr_done;
static long dr_errors;

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "rdk_idempotent: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

#define FAIL(...)                                                              \
    do {                                                                       \
        say("FAIL: " __VA_ARGS__);                                             \
        failures++;                                                            \
    } while (0)

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void conf_set(rd_kafka_conf_t *conf, const char *k, const char *v)
{
    char err[512];
    if (rd_kafka_conf_set(conf, k, v, err, sizeof(err)) != RD_KAFKA_CONF_OK) {
        say("config %s=%s: %s", k, v, err);
        exit(2);
    }
}

static void error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)opaque;
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        char buf[512];
        rd_kafka_resp_err_t orig = rd_kafka_fatal_error(rk, buf, sizeof(buf));
        say("FATAL error: %s: %s", rd_kafka_err2name(orig), buf);
        fatal_seen = 1;
        return;
    }
    say("client error %s: %s", rd_kafka_err2name((rd_kafka_resp_err_t)err),
        reason);
}

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    (void)opaque;
    intptr_t i = (intptr_t)m->_private;
    if (i < 0 || i >= n_msgs)
        return;
    if (dr_done[i]++)
        FAIL("message %ld reported delivered twice", (long)i);
    if (m->err) {
        if (dr_errors++ < 10)
            say("delivery of message %ld failed: %s", (long)i,
                rd_kafka_err2name(m->err));
        return;
    }
    dr_off[i] = m->offset;
}

static int produce(const char *bootstrap, const char *topic, int parts, int n)
{
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    conf_set(conf, "bootstrap.servers", bootstrap);
    conf_set(conf, "client.id", "idempotent-producer");
    /* RDK_IDEMPOTENCE=false is a negative control for people changing this
     * test: without idempotence the lost responses must show duplicates */
    const char *idem = getenv("RDK_IDEMPOTENCE");
    conf_set(conf, "enable.idempotence", idem ? idem : "true");
    if (idem && strcmp(idem, "false") == 0) {
        conf_set(conf, "acks", "all");
        conf_set(conf, "max.in.flight", "5");
    }
    conf_set(conf, "linger.ms", "2");
    conf_set(conf, "batch.num.messages", "100");
    conf_set(conf, "request.timeout.ms", "3000");
    conf_set(conf, "socket.timeout.ms", "3000");
    conf_set(conf, "message.timeout.ms", "100000");
    conf_set(conf, "retry.backoff.ms", "100");
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    rd_kafka_conf_set_error_cb(conf, error_cb);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    if (!rk) {
        FAIL("rd_kafka_new: %s", err);
        return -1;
    }
    long long t0 = now_ms();
    for (int i = 0; i < n && !fatal_seen; i++) {
        char val[32];
        snprintf(val, sizeof(val), "m%d", i);
        rd_kafka_resp_err_t e;
        long long deadline = now_ms() + 30000;
        do {
            e = rd_kafka_producev(
                rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(i % parts),
                RD_KAFKA_V_VALUE(val, strlen(val)),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                RD_KAFKA_V_OPAQUE((void *)(intptr_t)i), RD_KAFKA_V_END);
            if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL)
                rd_kafka_poll(rk, 50);
        } while (e == RD_KAFKA_RESP_ERR__QUEUE_FULL && now_ms() < deadline);
        if (e) {
            FAIL("produce %d: %s", i, rd_kafka_err2name(e));
            break;
        }
        /* a steady RATE messages/s: many small requests over several
         * seconds, so the faults hit mid-stream with more in flight */
        rd_kafka_poll(rk, 0);
        long long due = t0 + (long long)i * 1000 / RATE;
        while (now_ms() < due)
            rd_kafka_poll(rk, 1);
    }
    long long deadline = now_ms() + 110000;
    while (rd_kafka_outq_len(rk) > 0 && now_ms() < deadline && !fatal_seen)
        rd_kafka_poll(rk, 100);
    if (rd_kafka_outq_len(rk) > 0)
        FAIL("%d messages still queued after 110 s", rd_kafka_outq_len(rk));
    say("produced %d messages in %lld ms", n, now_ms() - t0);
    rd_kafka_destroy(rk);
    if (fatal_seen)
        FAIL("the idempotent producer raised a fatal error");
    long undelivered = 0;
    for (int i = 0; i < n; i++)
        undelivered += dr_done[i] == 0;
    if (undelivered)
        FAIL("%ld messages without a delivery report", undelivered);
    if (dr_errors)
        FAIL("%ld messages failed delivery", dr_errors);
    return failures ? -1 : 0;
}

/* Read partition p from 0 to its end; check it holds p, p+P, ... once. */
static void verify_partition(rd_kafka_t *rk, const char *topic, int p,
                             int parts, int n)
{
    int64_t lo = -1, hi = -1;
    rd_kafka_resp_err_t e =
        rd_kafka_query_watermark_offsets(rk, topic, p, &lo, &hi, 10000);
    if (e) {
        FAIL("watermarks of p%d: %s", p, rd_kafka_err2name(e));
        return;
    }
    int64_t want = (n - p + parts - 1) / parts;
    if (lo != 0 || hi != want)
        FAIL("p%d: offsets %" PRId64 "..%" PRId64 ", want 0..%" PRId64
             " (%" PRId64 " extra: duplicates)",
             p, lo, hi, want, hi - want);

    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, p)->offset =
        RD_KAFKA_OFFSET_BEGINNING;
    e = rd_kafka_assign(rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (e) {
        FAIL("assign p%d: %s", p, rd_kafka_err2name(e));
        return;
    }
    int64_t got = 0;
    int next = p; /* the message expected at offset `got` */
    long bad = 0;
    long long deadline = now_ms() + 30000;
    while (got < hi && now_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (!m)
            continue;
        if (m->err) {
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                say("consumer error on p%d: %s", p, rd_kafka_err2name(m->err));
            rd_kafka_message_destroy(m);
            continue;
        }
        int idx = -1;
        char buf[32];
        size_t len = m->len < sizeof(buf) - 1 ? m->len : sizeof(buf) - 1;
        memcpy(buf, m->payload, len);
        buf[len] = '\0';
        if (sscanf(buf, "m%d", &idx) != 1)
            idx = -1;
        if (m->offset != got || idx != next) {
            if (bad++ < 10)
                say("p%d offset %" PRId64 ": \"%s\", want offset %" PRId64
                    " \"m%d\"",
                    p, m->offset, buf, got, next);
        } else if (dr_off[idx] != m->offset) {
            if (bad++ < 10)
                say("p%d: m%d at offset %" PRId64
                    ", its delivery report said %" PRId64,
                    p, idx, m->offset, dr_off[idx]);
        }
        got = m->offset + 1;
        next = idx + parts;
        rd_kafka_message_destroy(m);
    }
    if (got < hi)
        FAIL("p%d: read up to offset %" PRId64 " of %" PRId64 " in 30 s", p,
             got, hi);
    if (bad)
        FAIL("p%d: %ld messages out of order, duplicated or misplaced", p,
             bad);
    else if (got == hi)
        say("p%d: %" PRId64 " messages, each once, in order", p, got);
}

int main(int argc, char **argv)
{
    setvbuf(stderr, NULL, _IOLBF, 0);
    if (argc != 5) {
        fprintf(stderr, "usage: rdk_idempotent BOOTSTRAP TOPIC PARTITIONS N\n");
        return 2;
    }
    const char *bootstrap = argv[1], *topic = argv[2];
    int parts = atoi(argv[3]);
    n_msgs = atoi(argv[4]);
    if (parts < 1 || parts > 64 || n_msgs < 1 || n_msgs > 10000000)
        return 2;
    alarm(200);
    dr_off = calloc((size_t)n_msgs, sizeof(*dr_off));
    dr_done = calloc((size_t)n_msgs, sizeof(*dr_done));
    if (!dr_off || !dr_done)
        return 2;
    for (int i = 0; i < n_msgs; i++)
        dr_off[i] = -1;

    if (produce(bootstrap, topic, parts, n_msgs) != 0)
        return 1;

    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    conf_set(conf, "bootstrap.servers", bootstrap);
    conf_set(conf, "client.id", "verifier");
    /* librdkafka wants a group.id even for assign(); nothing is committed */
    conf_set(conf, "group.id", "rdk-idempotent-verifier");
    conf_set(conf, "enable.auto.commit", "false");
    rd_kafka_conf_set_error_cb(conf, error_cb);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    if (!rk) {
        FAIL("consumer: %s", err);
        return 1;
    }
    rd_kafka_poll_set_consumer(rk);
    for (int p = 0; p < parts; p++)
        verify_partition(rk, topic, p, parts, n_msgs);
    rd_kafka_assign(rk, NULL);
    rd_kafka_destroy(rk);
    if (failures)
        return 1;
    say("PASS: %d messages stored exactly once, in order", n_msgs);
    return 0;
}
