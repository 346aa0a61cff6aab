/*
 * rdk_durability: acknowledged messages survive kill -9 (with librdkafka).
 *
 *   rdk_durability produce BOOTSTRAP TOPIC PARTITIONS SEQ0 COUNT KILL_AFTER
 *                          BROKER_PID ACKFILE
 *   rdk_durability verify  BOOTSTRAP TOPIC PARTITIONS ACKFILE [tail-may-go]
 *
 * produce: sends messages SEQ0..SEQ0+COUNT-1 with acks=all (no idempotence,
 * few retries) to partition seq % PARTITIONS, keeping up to WINDOW in flight.
 * Once KILL_AFTER have been acknowledged it sends SIGKILL to BROKER_PID while
 * the rest are still in flight, stops producing, and waits (bounded) for the
 * outstanding delivery reports. Every acknowledged message is appended to
 * ACKFILE as "partition offset seq".
 *
 * verify (after the broker restarted on the same data dir): consumes every
 * partition from the beginning to its end (simple consumer, no group) and
 * checks that offsets are dense from 0, low watermark is 0 and high watermark
 * is the count, no sequence number appears twice, sequence numbers increase
 * within each partition, and every acknowledged message is at its acknowledged
 * offset. With tail-may-go (ASYNC flush), acknowledged messages past the end
 * of a partition may be missing (a lost unflushed tail), but every one
 * before the end must be at its offset.
 */
#include <librdkafka/rdkafka.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#define WINDOW       2000
#define MAX_PARTS    64
#define PRODUCE_SECS 120
#define VERIFY_SECS  90

struct ack {
    int32_t partition;
    int64_t offset;
    long seq;
};

static struct {
    struct ack *acks;
    size_t nacks, cap;
    long failed;
    rd_kafka_resp_err_t first_err;
    char first_errstr[256];
} dr;

__attribute__((format(printf, 1, 2))) static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "rdk_durability: FAIL: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n);
    if (!q) {
        fprintf(stderr, "rdk_durability: out of memory\n");
        exit(1);
    }
    return q;
}

static int set(rd_kafka_conf_t *conf, const char *k, const char *v)
{
    char err[512];
    if (rd_kafka_conf_set(conf, k, v, err, sizeof(err)) != RD_KAFKA_CONF_OK)
        return fail("config %s=%s: %s", k, v, err);
    return 0;
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m,
                        void *opaque)
{
    (void)rk;
    (void)opaque;
    long seq = (long)(intptr_t)m->_private;
    if (m->err) {
        if (dr.failed++ == 0) {
            dr.first_err = m->err;
            snprintf(dr.first_errstr, sizeof(dr.first_errstr), "%s",
                     rd_kafka_message_errstr(m));
        }
        return;
    }
    if (dr.nacks == dr.cap) {
        dr.cap = dr.cap ? dr.cap * 2 : 4096;
        dr.acks = xrealloc(dr.acks, dr.cap * sizeof(*dr.acks));
    }
    dr.acks[dr.nacks++] = (struct ack){m->partition, m->offset, seq};
}

static int payload(char *buf, size_t cap, long seq)
{
    /* Varying sizes, so batches and segments roll at odd places. */
    int n = snprintf(buf, cap, "seq=%08ld|", seq);
    int fill = (int)(seq % 401);
    memset(buf + n, 'a' + (int)(seq % 26), (size_t)fill);
    return n + fill;
}

static int do_produce(char **argv)
{
    const char *bootstrap = argv[0], *topic = argv[1];
    int parts = atoi(argv[2]);
    long seq0 = atol(argv[3]), count = atol(argv[4]);
    long kill_after = atol(argv[5]);
    pid_t pid = (pid_t)atol(argv[6]);
    const char *ackfile = argv[7];
    char err[512];

    if (parts <= 0 || parts > MAX_PARTS || count <= 0 || kill_after <= 0 ||
        kill_after >= count || pid <= 1)
        return fail("produce: bad arguments");

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (set(conf, "bootstrap.servers", bootstrap) ||
        set(conf, "request.required.acks", "-1") ||
        set(conf, "enable.idempotence", "false") ||
        set(conf, "message.send.max.retries", "1") ||
        set(conf, "retry.backoff.ms", "100") ||
        set(conf, "message.timeout.ms", "8000") ||
        set(conf, "linger.ms", "2") || set(conf, "batch.num.messages", "500") ||
        set(conf, "reconnect.backoff.max.ms", "500"))
        return 1;
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    if (!rk)
        return fail("rd_kafka_new: %s", err);

    double deadline = now_s() + PRODUCE_SECS;
    long sent = 0;
    int killed = 0, rc = 0;
    size_t acked_at_kill = 0;
    long outstanding_at_kill = 0;
    char buf[512];

    while (sent < count && !killed) {
        if (now_s() > deadline) {
            rc = fail("produce: %zu acks after %d s, wanted %ld before kill",
                      dr.nacks, PRODUCE_SECS, kill_after);
            break;
        }
        if (dr.failed > 0) {
            rc = fail("produce: delivery failed before the kill: %s (%s)",
                      rd_kafka_err2name(dr.first_err), dr.first_errstr);
            break;
        }
        if (sent - (long)dr.nacks - dr.failed >= WINDOW) {
            rd_kafka_poll(rk, 5);
        } else {
            long seq = seq0 + sent;
            int n = payload(buf, sizeof(buf), seq);
            char key[32];
            int kn = snprintf(key, sizeof(key), "k%ld", seq);
            rd_kafka_resp_err_t e = rd_kafka_producev(
                rk, RD_KAFKA_V_TOPIC(topic),
                RD_KAFKA_V_PARTITION((int32_t)(seq % parts)),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                RD_KAFKA_V_VALUE(buf, (size_t)n),
                RD_KAFKA_V_KEY(key, (size_t)kn),
                RD_KAFKA_V_OPAQUE((void *)(intptr_t)seq), RD_KAFKA_V_END);
            if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                rd_kafka_poll(rk, 5);
                continue;
            }
            if (e) {
                rc = fail("producev: %s", rd_kafka_err2name(e));
                break;
            }
            sent++;
            rd_kafka_poll(rk, 0);
        }
        if ((long)dr.nacks >= kill_after) {
            outstanding_at_kill = sent - (long)dr.nacks - dr.failed;
            acked_at_kill = dr.nacks;
            if (kill(pid, SIGKILL) != 0) {
                rc = fail("kill -9 %ld: %s", (long)pid, strerror(errno));
                break;
            }
            killed = 1;
            printf("rdk_durability: kill -9 broker %ld after %zu acks, "
                   "%ld in flight, %ld sent\n",
                   (long)pid, acked_at_kill, outstanding_at_kill, sent);
        }
    }
    if (rc == 0 && !killed)
        rc = fail("produce: all %ld sent before %ld acks; nothing killed", sent,
                  kill_after);

    /* Collect the outstanding delivery reports (they time out). */
    double flush_deadline = now_s() + 30;
    while (rd_kafka_outq_len(rk) > 0 && now_s() < flush_deadline)
        rd_kafka_poll(rk, 50);
    if (rd_kafka_outq_len(rk) > 0 && rc == 0)
        rc = fail("produce: %d messages undecided 30 s after the kill",
                  rd_kafka_outq_len(rk));

    FILE *f = fopen(ackfile, "a");
    if (!f)
        return fail("open %s: %s", ackfile, strerror(errno));
    for (size_t i = 0; i < dr.nacks; i++)
        fprintf(f, "%d %lld %ld\n", (int)dr.acks[i].partition,
                (long long)dr.acks[i].offset, dr.acks[i].seq);
    if (fclose(f) != 0)
        return fail("write %s: %s", ackfile, strerror(errno));
    printf("rdk_durability: sent %ld, acknowledged %zu (%zu after the kill), "
           "failed %ld%s%s\n",
           sent, dr.nacks, dr.nacks - acked_at_kill, dr.failed,
           dr.failed ? ", first error: " : "",
           dr.failed ? rd_kafka_err2name(dr.first_err) : "");
    rd_kafka_destroy(rk);
    return rc;
}

/* Per-partition log as read back: seq at each offset. */
struct plog {
    long *seq;
    size_t n, cap;
    int eof;
};

static int read_acks(const char *path, struct ack **out, size_t *nout)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return fail("open %s: %s", path, strerror(errno));
    struct ack a;
    int p;
    long long off;
    size_t n = 0, cap = 0;
    struct ack *v = NULL;
    while (fscanf(f, "%d %lld %ld", &p, &off, &a.seq) == 3) {
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            v = xrealloc(v, cap * sizeof(*v));
        }
        a.partition = p;
        a.offset = off;
        v[n++] = a;
    }
    fclose(f);
    *out = v;
    *nout = n;
    return 0;
}

static int do_verify(char **argv, int tail_ok)
{
    const char *bootstrap = argv[0], *topic = argv[1];
    int parts = atoi(argv[2]);
    const char *ackfile = argv[3];
    char err[512];
    struct ack *acks = NULL;
    size_t nacks = 0;
    int bad = 0;

    if (parts <= 0 || parts > MAX_PARTS)
        return fail("verify: bad partition count");
    if (read_acks(ackfile, &acks, &nacks))
        return 1;
    if (nacks == 0)
        return fail("verify: %s holds no acknowledged messages", ackfile);

    /* The simple (legacy) consumer: explicit partitions, no group, since
     * the broker has no group coordinator yet. */
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (set(conf, "bootstrap.servers", bootstrap) ||
        set(conf, "enable.partition.eof", "true") ||
        set(conf, "enable.auto.commit", "false") ||
        set(conf, "enable.auto.offset.store", "false"))
        return 1;
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    if (!rk)
        return fail("rd_kafka_new consumer: %s", err);
    rd_kafka_topic_conf_t *tconf = rd_kafka_topic_conf_new();
    if (rd_kafka_topic_conf_set(tconf, "auto.offset.reset", "error", err,
                                sizeof(err)) != RD_KAFKA_CONF_OK)
        return fail("auto.offset.reset: %s", err);
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, tconf);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    for (int p = 0; p < parts; p++)
        if (rd_kafka_consume_start_queue(rkt, p, RD_KAFKA_OFFSET_BEGINNING,
                                         q) == -1)
            return fail("consume_start p%d: %s", p,
                        rd_kafka_err2name(rd_kafka_last_error()));

    struct plog logs[MAX_PARTS];
    memset(logs, 0, sizeof(logs));
    int eofs = 0;
    double deadline = now_s() + VERIFY_SECS;
    while (eofs < parts) {
        if (now_s() > deadline) {
            return fail("verify: only %d of %d partitions reached their end "
                        "in %d s",
                        eofs, parts, VERIFY_SECS);
        }
        rd_kafka_message_t *m = rd_kafka_consume_queue(q, 500);
        if (!m)
            continue;
        int p = m->partition;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            if (p >= 0 && p < parts && !logs[p].eof) {
                logs[p].eof = 1;
                eofs++;
            }
        } else if (m->err) {
            fail("consume: %s: %s", rd_kafka_err2name(m->err),
                 rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            return 1;
        } else if (p < 0 || p >= parts) {
            bad = fail("consume: message from partition %d", p);
        } else {
            struct plog *l = &logs[p];
            long seq = -1;
            char head[16] = {0};
            if (m->payload)
                memcpy(head, m->payload, m->len < 15 ? m->len : 15);
            if (sscanf(head, "seq=%ld|", &seq) != 1 || seq < 0)
                bad = fail("p%d offset %lld: bad payload", p,
                           (long long)m->offset);
            if ((size_t)m->offset != l->n)
                bad = fail("p%d: offset %lld where %zu expected (not dense)", p,
                           (long long)m->offset, l->n);
            if (l->n == l->cap) {
                l->cap = l->cap ? l->cap * 2 : 4096;
                l->seq = xrealloc(l->seq, l->cap * sizeof(long));
            }
            l->seq[l->n++] = seq;
        }
        rd_kafka_message_destroy(m);
    }

    size_t total = 0;
    long maxseq = 0;
    for (int p = 0; p < parts; p++) {
        int64_t lo = -1, hi = -1;
        rd_kafka_resp_err_t e =
            rd_kafka_query_watermark_offsets(rk, topic, p, &lo, &hi, 10000);
        if (e)
            bad = fail("p%d: watermarks: %s", p, rd_kafka_err2name(e));
        else if (lo != 0 || (size_t)hi != logs[p].n)
            bad = fail("p%d: watermarks [%lld, %lld), read %zu messages", p,
                       (long long)lo, (long long)hi, logs[p].n);
        for (size_t i = 0; i < logs[p].n; i++) {
            long s = logs[p].seq[i];
            if (s % parts != p)
                bad = fail("p%d offset %zu: seq %ld belongs to partition %ld",
                           p, i, s, s % parts);
            if (i > 0 && s <= logs[p].seq[i - 1])
                bad = fail("p%d offset %zu: seq %ld after %ld (order)", p, i, s,
                           logs[p].seq[i - 1]);
            if (s > maxseq)
                maxseq = s;
        }
        total += logs[p].n;
    }
    for (int p = 0; p < parts; p++)
        rd_kafka_consume_stop(rkt, p);
    rd_kafka_queue_destroy(q);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    if (bad)
        return 1;

    /* Each seq at most once (order check made seqs unique per partition,
     * and seq % parts == partition makes them unique across partitions). */
    size_t missing = 0, moved = 0, lost_tail = 0;
    for (size_t i = 0; i < nacks; i++) {
        const struct ack *a = &acks[i];
        if (a->partition < 0 || a->partition >= parts || a->offset < 0) {
            bad = fail("ack %zu: partition %d offset %lld out of range", i,
                       (int)a->partition, (long long)a->offset);
            continue;
        }
        const struct plog *l = &logs[a->partition];
        if ((size_t)a->offset >= l->n) {
            if (tail_ok) {
                lost_tail++;
            } else if (missing++ < 10)
                fail("acked seq %ld at p%d offset %lld is missing (partition "
                     "ends at %zu)",
                     a->seq, (int)a->partition, (long long)a->offset, l->n);
        } else if (l->seq[a->offset] != a->seq) {
            if (moved++ < 10)
                fail("acked seq %ld at p%d offset %lld: log has seq %ld",
                     a->seq, (int)a->partition, (long long)a->offset,
                     l->seq[a->offset]);
        }
    }
    for (int p = 0; p < parts; p++)
        free(logs[p].seq);
    if (missing || moved || bad)
        return fail("verify: %zu acknowledged messages missing, %zu not at "
                    "their acknowledged offset (of %zu acknowledged)",
                    missing, moved, nacks);
    printf("rdk_durability: OK: %zu of %zu acknowledged messages present "
           "once at their offsets%s; %zu messages in the log\n",
           nacks - lost_tail, nacks,
           tail_ok ? " (the rest lost from partition tails only)" : "", total);
    free(acks);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 10 && strcmp(argv[1], "produce") == 0)
        return do_produce(argv + 2);
    if (argc == 6 && strcmp(argv[1], "verify") == 0)
        return do_verify(argv + 2, 0);
    if (argc == 7 && strcmp(argv[1], "verify") == 0 &&
        strcmp(argv[6], "tail-may-go") == 0)
        return do_verify(argv + 2, 1);
    fprintf(stderr,
            "usage: rdk_durability produce BOOTSTRAP TOPIC PARTITIONS SEQ0 "
            "COUNT KILL_AFTER BROKER_PID ACKFILE\n"
            "       rdk_durability verify BOOTSTRAP TOPIC PARTITIONS "
            "ACKFILE [tail-may-go]\n");
    return 2;
}
