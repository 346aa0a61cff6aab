/*
 * rdk_groups: librdkafka consumer groups (classic protocol) against a live
 * broker.
 *
 *   rdk_groups BOOTSTRAP move TOPIC N
 *     Creates TOPIC with 6 partitions (CreateTopics), starts three consumers
 *     in one group (rd_kafka_subscribe, range assignor, manual commits) and
 *     waits until each owns 2 partitions. Then produces N keyed messages and
 *     consumes them, committing synchronously every COMMIT_EVERY messages
 *     and in every revoke callback. When half the messages are processed,
 *     the third consumer leaves (rd_kafka_consumer_close); the other two
 *     must then own 3 partitions each and finish the job. Checks: every
 *     message processed exactly once across the group (a revoke commit that
 *     the broker loses shows up as duplicates), each one at the partition
 *     and offset its delivery report gave, the leaver's partitions served by
 *     the others afterwards, the committed offsets (OffsetFetch) equal to
 *     the log end offsets, and no failed commit in a revoke callback.
 *
 *   rdk_groups BOOTSTRAP static TOPIC
 *     Creates TOPIC with 6 partitions. A dynamic member B joins, then a
 *     static member A (group.instance.id, session.timeout.ms 10 s); each
 *     must own 3 partitions. A closes and a new consumer with the same
 *     group.instance.id starts 1 s later: it must get A's partitions back
 *     while B sees no revoke and no assign (no rebalance).
 *
 *   rdk_groups BOOTSTRAP check-committed TOPIC
 *     Run after `move` and a broker restart: a new member of the same
 *     group finds the committed offsets (OffsetFetch) equal to the log end
 *     offsets and gets no message within 3 s.
 *
 * Exit 0 on success, 1 on a failed check, 2 on usage errors. Every wait is
 * bounded, and an alarm ends the process if librdkafka itself hangs.
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

#define PARTITIONS 6
#define ADMIN_TIMEOUT_MS 15000
#define COMMIT_EVERY 50
#define PROCESS_ALARM_S 170

static int failures;

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "rdk_groups: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

__attribute__((format(printf, 1, 2))) static void check_fail(const char *fmt,
                                                              ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "rdk_groups: FAIL: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    failures++;
}

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

/* librdkafka's own errors (broker down, all brokers down...) go to stderr
 * with the client name, so a failing run shows what the client saw. */
static void error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    (void)opaque;
    say("%s: client error %s: %s", rd_kafka_name(rk),
        rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
}

/* ---- topic creation ---------------------------------------------------- */

static int create_topic(const char *bootstrap, const char *topic, int parts)
{
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    conf_set(conf, "bootstrap.servers", bootstrap);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    if (!rk) {
        check_fail("rd_kafka_new: %s", err);
        return -1;
    }
    rd_kafka_NewTopic_t *nt =
        rd_kafka_NewTopic_new(topic, parts, 1, err, sizeof(err));
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t *opt =
        rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_request_timeout(opt, ADMIN_TIMEOUT_MS, err,
                                              sizeof(err));
    rd_kafka_CreateTopics(rk, &nt, 1, opt, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, ADMIN_TIMEOUT_MS + 5000);
    int rc = -1;
    if (!ev) {
        check_fail("CreateTopics %s: no result within %d ms", topic,
                   ADMIN_TIMEOUT_MS + 5000);
    } else if (rd_kafka_event_error(ev)) {
        check_fail("CreateTopics %s: %s", topic, rd_kafka_event_error_string(ev));
    } else {
        size_t n = 0;
        const rd_kafka_topic_result_t **res = rd_kafka_CreateTopics_result_topics(
            rd_kafka_event_CreateTopics_result(ev), &n);
        if (n != 1)
            check_fail("CreateTopics %s: %zu results", topic, n);
        else if (rd_kafka_topic_result_error(res[0]))
            check_fail("CreateTopics %s: %s (%s)", topic,
                       rd_kafka_err2name(rd_kafka_topic_result_error(res[0])),
                       rd_kafka_topic_result_error_string(res[0])
                           ? rd_kafka_topic_result_error_string(res[0])
                           : "");
        else
            rc = 0;
    }
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(opt);
    rd_kafka_NewTopic_destroy(nt);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
    if (rc == 0)
        say("created %s with %d partitions", topic, parts);
    return rc;
}

/* ---- group members ----------------------------------------------------- */

struct member {
    char name[32];
    rd_kafka_t *rk;
    int open;
    int assigned;      /* partitions in the current assignment */
    int assigns;       /* ASSIGN callbacks */
    int revokes;       /* REVOKE callbacks */
    int revoke_commit_errors;
    int since_commit;  /* processed since the last commit */
    long processed;
    char parts[128];   /* the last assignment, "0,1," */
    unsigned mask;     /* the last assignment, bit p = partition p */
};

static void format_parts(const rd_kafka_topic_partition_list_t *l, char *out,
                         size_t cap)
{
    /* partitions in increasing order, so two lists compare as strings */
    int have[64] = {0};
    out[0] = '\0';
    for (int i = 0; i < l->cnt; i++)
        if (l->elems[i].partition >= 0 && l->elems[i].partition < 64)
            have[l->elems[i].partition] = 1;
    size_t used = 0;
    for (int p = 0; p < 64 && used + 8 < cap; p++)
        if (have[p])
            used += (size_t)snprintf(out + used, cap - used, "%d,", p);
}

/* Commit the consumed positions of the current assignment, synchronously.
 * Nothing consumed since the last commit is not an error. */
static rd_kafka_resp_err_t commit_sync(struct member *m)
{
    long long t0 = now_ms();
    rd_kafka_resp_err_t e = rd_kafka_commit(m->rk, NULL, 0);
    long long took = now_ms() - t0;
    if (took > 500)
        say("%s: a synchronous commit took %lld ms", m->name, took);
    if (e == RD_KAFKA_RESP_ERR__NO_OFFSET)
        e = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
        m->since_commit = 0;
    return e;
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    struct member *m = opaque;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        m->assigns++;
        m->assigned = parts->cnt;
        format_parts(parts, m->parts, sizeof(m->parts));
        m->mask = 0;
        for (int i = 0; i < parts->cnt; i++)
            if (parts->elems[i].partition >= 0 &&
                parts->elems[i].partition < 32)
                m->mask |= 1u << parts->elems[i].partition;
        say("%s: assigned [%s] (assign #%d)", m->name, m->parts, m->assigns);
        rd_kafka_assign(rk, parts);
    } else {
        m->revokes++;
        if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS) {
            /* The point of the test: everything processed so far is
             * committed before the partitions can go to someone else. */
            rd_kafka_resp_err_t e = commit_sync(m);
            if (e) {
                m->revoke_commit_errors++;
                check_fail("%s: commit in revoke callback: %s", m->name,
                           rd_kafka_err2name(e));
            }
        } else {
            say("%s: rebalance error %s", m->name, rd_kafka_err2name(err));
        }
        say("%s: revoked [%s] (revoke #%d)", m->name, m->parts, m->revokes);
        m->assigned = 0;
        rd_kafka_assign(rk, NULL);
    }
}

static int member_start(struct member *m, const char *name,
                        const char *bootstrap, const char *group,
                        const char *topic, const char *instance_id)
{
    char err[512];
    memset(m, 0, sizeof(*m));
    snprintf(m->name, sizeof(m->name), "%s", name);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    conf_set(conf, "bootstrap.servers", bootstrap);
    conf_set(conf, "client.id", name);
    conf_set(conf, "group.id", group);
    conf_set(conf, "enable.auto.commit", "false");
    conf_set(conf, "auto.offset.reset", "earliest");
    conf_set(conf, "partition.assignment.strategy", "range");
    conf_set(conf, "heartbeat.interval.ms", "500");
    conf_set(conf, "session.timeout.ms", "10000");
    conf_set(conf, "topic.metadata.refresh.interval.ms", "2000");
    if (instance_id)
        conf_set(conf, "group.instance.id", instance_id);
    if (getenv("RDK_DEBUG")) /* e.g. RDK_DEBUG=cgrp,fetch when diagnosing */
        conf_set(conf, "debug", getenv("RDK_DEBUG"));
    rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
    rd_kafka_conf_set_error_cb(conf, error_cb);
    rd_kafka_conf_set_opaque(conf, m);
    m->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    if (!m->rk) {
        check_fail("%s: rd_kafka_new: %s", name, err);
        return -1;
    }
    rd_kafka_poll_set_consumer(m->rk);
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(sub, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(m->rk, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    if (e) {
        check_fail("%s: subscribe: %s", name, rd_kafka_err2name(e));
        return -1;
    }
    m->open = 1;
    return 0;
}

static void member_close(struct member *m)
{
    if (!m->open)
        return;
    long long t0 = now_ms();
    rd_kafka_resp_err_t e = rd_kafka_consumer_close(m->rk);
    if (e)
        check_fail("%s: consumer_close: %s", m->name, rd_kafka_err2name(e));
    rd_kafka_destroy(m->rk);
    m->rk = NULL;
    m->open = 0;
    say("%s: closed in %lld ms", m->name, now_ms() - t0);
}

/* ---- the messages ------------------------------------------------------ */

struct msgstate {
    int n;
    int32_t *dr_part;   /* from the delivery report */
    int64_t *dr_off;
    int *dr_done;
    int *seen;          /* times processed */
    int *by;            /* member index that processed it last */
    long long *when;    /* ms of the last processing */
    long processed;     /* distinct messages processed */
    long duplicates;
    long bad;           /* wrong key/partition/offset */
};

static struct msgstate S;
static int expect_no_messages; /* check-committed: all was committed */

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    (void)opaque;
    intptr_t i = (intptr_t)m->_private;
    if (i < 0 || i >= S.n)
        return;
    S.dr_done[i] = 1;
    if (m->err) {
        check_fail("delivery of message %ld: %s", (long)i,
                   rd_kafka_err2name(m->err));
        return;
    }
    S.dr_part[i] = m->partition;
    S.dr_off[i] = m->offset;
}

static int produce_all(const char *bootstrap, const char *topic, int n)
{
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    conf_set(conf, "bootstrap.servers", bootstrap);
    conf_set(conf, "client.id", "producer");
    conf_set(conf, "linger.ms", "5");
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    rd_kafka_conf_set_error_cb(conf, error_cb);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    if (!rk) {
        check_fail("producer: %s", err);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        char key[32], val[64];
        snprintf(key, sizeof(key), "k%06d", i);
        snprintf(val, sizeof(val), "v%06d payload for the group test", i);
        rd_kafka_resp_err_t e;
        long long deadline = now_ms() + 10000;
        do {
            e = rd_kafka_producev(
                rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, strlen(key)),
                RD_KAFKA_V_VALUE(val, strlen(val)),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                RD_KAFKA_V_OPAQUE((void *)(intptr_t)i), RD_KAFKA_V_END);
            if (e == RD_KAFKA_RESP_ERR__QUEUE_FULL)
                rd_kafka_poll(rk, 50);
        } while (e == RD_KAFKA_RESP_ERR__QUEUE_FULL && now_ms() < deadline);
        if (e) {
            check_fail("produce %d: %s", i, rd_kafka_err2name(e));
            rd_kafka_destroy(rk);
            return -1;
        }
        rd_kafka_poll(rk, 0);
    }
    rd_kafka_resp_err_t e = rd_kafka_flush(rk, 30000);
    if (e)
        check_fail("flush: %s (%d messages outstanding)", rd_kafka_err2name(e),
                   rd_kafka_outq_len(rk));
    rd_kafka_destroy(rk);
    int done = 0;
    for (int i = 0; i < n; i++)
        done += S.dr_done[i];
    if (done != n) {
        check_fail("only %d of %d delivery reports", done, n);
        return -1;
    }
    return failures ? -1 : 0;
}

/* Process one message: check it against its delivery report, count it. */
static void process(struct member *m, int who, const rd_kafka_message_t *msg)
{
    int idx = -1;
    if (msg->len < 7 || sscanf((const char *)msg->payload, "v%6d", &idx) != 1 ||
        idx < 0 || idx >= S.n) {
        S.bad++;
        check_fail("%s: unexpected message at p%" PRId32 " offset %" PRId64,
                   m->name, msg->partition, msg->offset);
        return;
    }
    char key[32];
    snprintf(key, sizeof(key), "k%06d", idx);
    if (!msg->key || msg->key_len != strlen(key) ||
        memcmp(msg->key, key, msg->key_len) != 0) {
        S.bad++;
        check_fail("%s: message %d has the wrong key", m->name, idx);
    }
    if (msg->partition != S.dr_part[idx] || msg->offset != S.dr_off[idx]) {
        S.bad++;
        if (S.bad < 10)
            check_fail("%s: message %d at p%" PRId32 "@%" PRId64
                       ", delivery report said p%" PRId32 "@%" PRId64,
                       m->name, idx, msg->partition, msg->offset,
                       S.dr_part[idx], S.dr_off[idx]);
    }
    if (S.seen[idx]++ == 0) {
        S.processed++;
    } else {
        S.duplicates++;
        if (S.duplicates <= 10)
            say("%s: DUPLICATE message %d (p%" PRId32 "@%" PRId64
                "), first processed by member %d",
                m->name, idx, msg->partition, msg->offset, S.by[idx]);
    }
    S.by[idx] = who;
    S.when[idx] = now_ms();
    m->processed++;
    if (++m->since_commit >= COMMIT_EVERY) {
        rd_kafka_resp_err_t e = commit_sync(m);
        /* Outside a revoke callback a commit may race with a rebalance the
         * member has not noticed yet; Kafka answers REBALANCE_IN_PROGRESS or
         * ILLEGAL_GENERATION then. Log it: a lost commit that matters would
         * still show up as duplicates. */
        if (e)
            say("%s: periodic commit: %s", m->name, rd_kafka_err2name(e));
    }
}

/* Poll one member once; process what comes. 1 if something came. */
static int poll_member(struct member *m, int who, int timeout_ms)
{
    if (!m->open)
        return 0;
    rd_kafka_message_t *msg = rd_kafka_consumer_poll(m->rk, timeout_ms);
    if (!msg)
        return 0;
    if (msg->err) {
        if (msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            say("%s: consumer error %s: %s", m->name,
                rd_kafka_err2name(msg->err), rd_kafka_message_errstr(msg));
    } else if (expect_no_messages) {
        check_fail("%s: got a message at p%" PRId32 "@%" PRId64
                   " although everything was committed",
                   m->name, msg->partition, msg->offset);
    } else {
        process(m, who, msg);
    }
    rd_kafka_message_destroy(msg);
    return 1;
}

/* Poll members 0..count-1 without blocking on any one of them (a member
 * with nothing to do must not slow the others down); nap when all idle. */
static void poll_all(struct member *ms, int count)
{
    int got = 0;
    for (int i = 0; i < count; i++)
        got += poll_member(&ms[i], i, 0);
    if (!got)
        usleep(5000);
}

static int alloc_state(int n)
{
    S.n = n;
    S.dr_part = calloc((size_t)n, sizeof(*S.dr_part));
    S.dr_off = calloc((size_t)n, sizeof(*S.dr_off));
    S.dr_done = calloc((size_t)n, sizeof(*S.dr_done));
    S.seen = calloc((size_t)n, sizeof(*S.seen));
    S.by = calloc((size_t)n, sizeof(*S.by));
    S.when = calloc((size_t)n, sizeof(*S.when));
    return S.dr_part && S.dr_off && S.dr_done && S.seen && S.by && S.when
               ? 0
               : -1;
}

/* Log end offsets (ListOffsets latest) of the topic's partitions. */
static int end_offsets(rd_kafka_t *rk, const char *topic, int64_t *end)
{
    for (int p = 0; p < PARTITIONS; p++) {
        int64_t lo = -1, hi = -1;
        rd_kafka_resp_err_t e =
            rd_kafka_query_watermark_offsets(rk, topic, p, &lo, &hi, 10000);
        if (e) {
            check_fail("watermarks of p%d: %s", p, rd_kafka_err2name(e));
            return -1;
        }
        end[p] = hi;
    }
    return 0;
}

/* Committed offsets (OffsetFetch) of the member's group must equal END. */
static void check_committed(struct member *m, const char *topic,
                            const int64_t *end)
{
    rd_kafka_topic_partition_list_t *l =
        rd_kafka_topic_partition_list_new(PARTITIONS);
    for (int p = 0; p < PARTITIONS; p++)
        rd_kafka_topic_partition_list_add(l, topic, p);
    rd_kafka_resp_err_t e = rd_kafka_committed(m->rk, l, 10000);
    if (e) {
        check_fail("committed (OffsetFetch): %s", rd_kafka_err2name(e));
    } else {
        for (int i = 0; i < l->cnt; i++) {
            rd_kafka_topic_partition_t *tp = &l->elems[i];
            if (tp->err)
                check_fail("committed offset of p%" PRId32 ": %s",
                           tp->partition, rd_kafka_err2name(tp->err));
            else if (tp->offset != end[tp->partition])
                check_fail("committed offset of p%" PRId32 " is %" PRId64
                           ", log end offset %" PRId64,
                           tp->partition, tp->offset, end[tp->partition]);
        }
        if (!failures)
            say("committed offsets equal the log end offsets");
    }
    rd_kafka_topic_partition_list_destroy(l);
}

static int all_assigned(struct member *ms, int count, int each)
{
    for (int i = 0; i < count; i++)
        if (!ms[i].open || ms[i].assigned != each)
            return 0;
    return 1;
}

static int run_move(const char *bootstrap, const char *topic, int n)
{
    char group[128];
    snprintf(group, sizeof(group), "%s-group", topic);
    if (alloc_state(n) != 0) {
        say("out of memory");
        return 2;
    }
    if (create_topic(bootstrap, topic, PARTITIONS) != 0)
        return 1;

    struct member ms[3];
    const char *names[3] = {"c0", "c1", "c2-leaver"};
    for (int i = 0; i < 3; i++)
        if (member_start(&ms[i], names[i], bootstrap, group, topic, NULL) != 0)
            return 1;

    /* 1. the group settles with 2 partitions each (range over 6) */
    long long deadline = now_ms() + 60000;
    while (!all_assigned(ms, 3, 2) && now_ms() < deadline)
        poll_all(ms, 3);
    if (!all_assigned(ms, 3, 2)) {
        check_fail("group did not settle within 60 s: assigned %d/%d/%d "
                   "(assigns %d/%d/%d), want 2/2/2",
                   ms[0].assigned, ms[1].assigned, ms[2].assigned,
                   ms[0].assigns, ms[1].assigns, ms[2].assigns);
        return 1;
    }
    say("group settled: c0 [%s] c1 [%s] c2 [%s]", ms[0].parts, ms[1].parts,
        ms[2].parts);
    char leaver_parts[128];
    snprintf(leaver_parts, sizeof(leaver_parts), "%s", ms[2].parts);
    unsigned leaver_mask = ms[2].mask;

    /* 2. produce, then consume until half is processed */
    if (produce_all(bootstrap, topic, n) != 0)
        return 1;
    say("produced %d keyed messages", n);
    deadline = now_ms() + 60000;
    while (S.processed < n / 2 && now_ms() < deadline)
        poll_all(ms, 3);
    if (S.processed < n / 2) {
        check_fail("only %ld of %d messages processed in 60 s", S.processed, n);
        return 1;
    }

    /* 3. the third member leaves: revoke callback commits, LeaveGroup */
    int revokes_before[3] = {ms[0].revokes, ms[1].revokes, ms[2].revokes};
    long leaver_done = ms[2].processed;
    say("c2 leaves after %ld messages (%ld of %d processed in all)",
        leaver_done, S.processed, n);
    long long left_at = now_ms();
    member_close(&ms[2]);
    if (ms[2].revokes != revokes_before[2] + 1)
        check_fail("c2: close ran %d revoke callbacks, want 1",
                   ms[2].revokes - revokes_before[2]);

    /* 4. the other two take over 3 partitions each and finish */
    deadline = now_ms() + 60000;
    long long next_report = now_ms() + 2000, settled_at = 0;
    while ((!all_assigned(ms, 2, 3) || S.processed < n) &&
           now_ms() < deadline) {
        poll_all(ms, 2);
        if (!settled_at && all_assigned(ms, 2, 3))
            settled_at = now_ms();
        if (now_ms() >= next_report) {
            say("  %ld of %d processed, c0 owns %d, c1 owns %d", S.processed,
                n, ms[0].assigned, ms[1].assigned);
            next_report += 2000;
        }
    }
    if (settled_at)
        say("c0/c1 own 3 partitions each %lld ms after c2 left",
            settled_at - left_at);
    if (!all_assigned(ms, 2, 3))
        check_fail("after c2 left: assigned %d/%d, want 3/3 (revokes %d/%d)",
                   ms[0].assigned, ms[1].assigned,
                   ms[0].revokes - revokes_before[0],
                   ms[1].revokes - revokes_before[1]);
    else
        say("after c2 left: c0 [%s] c1 [%s], all processed after %lld ms",
            ms[0].parts, ms[1].parts, now_ms() - left_at);
    /* a little longer, so late duplicates would be seen */
    long long quiet = now_ms() + 3000;
    while (now_ms() < quiet)
        poll_all(ms, 2);

    /* 5. checks */
    long missing = 0, moved = 0;
    for (int i = 0; i < n; i++) {
        if (!S.seen[i]) {
            if (missing++ < 10)
                say("message %d (p%" PRId32 "@%" PRId64 ") never processed", i,
                    S.dr_part[i], S.dr_off[i]);
            continue;
        }
        int in_leaver = (leaver_mask >> (S.dr_part[i] & 31)) & 1u;
        if (in_leaver && S.by[i] != 2 && S.when[i] >= left_at)
            moved++;
    }
    if (missing)
        check_fail("%ld of %d messages never processed (lost)", missing, n);
    if (S.duplicates)
        check_fail("%ld messages processed twice although every revoke "
                   "committed first",
                   S.duplicates);
    if (S.bad)
        check_fail("%ld messages with a wrong key, partition or offset", S.bad);
    if (moved == 0)
        check_fail("no message of c2's partitions [%s] was processed by c0/c1 "
                   "after c2 left",
                   leaver_parts);
    else
        say("%ld messages of c2's partitions [%s] processed by c0/c1 after it "
            "left",
            moved, leaver_parts);
    for (int i = 0; i < 2; i++)
        if (ms[i].revokes == revokes_before[i])
            check_fail("%s saw no revoke when c2 left", ms[i].name);

    for (int i = 0; i < 2; i++) {
        rd_kafka_resp_err_t e = commit_sync(&ms[i]);
        if (e)
            check_fail("%s: final commit: %s", ms[i].name, rd_kafka_err2name(e));
    }
    int64_t end[PARTITIONS];
    if (end_offsets(ms[0].rk, topic, end) == 0) {
        int64_t total = 0;
        for (int p = 0; p < PARTITIONS; p++)
            total += end[p];
        if (total != n)
            check_fail("log end offsets add up to %" PRId64 ", want %d", total,
                       n);
        check_committed(&ms[0], topic, end);
    }
    member_close(&ms[0]);
    member_close(&ms[1]);
    if (failures)
        return 1;
    say("PASS: %d messages, each processed once across the group; c2's "
        "partitions moved",
        n);
    return 0;
}

static int run_static(const char *bootstrap, const char *topic)
{
    char group[128], instance[128];
    snprintf(group, sizeof(group), "%s-static", topic);
    snprintf(instance, sizeof(instance), "%s-instance-a", topic);
    if (alloc_state(1) != 0)
        return 2;
    if (create_topic(bootstrap, topic, PARTITIONS) != 0)
        return 1;

    struct member b, a, a2;
    if (member_start(&b, "b-dynamic", bootstrap, group, topic, NULL) != 0)
        return 1;
    long long deadline = now_ms() + 45000;
    while (b.assigned != PARTITIONS && now_ms() < deadline)
        poll_member(&b, 0, 50);
    if (b.assigned != PARTITIONS) {
        check_fail("b alone: assigned %d partitions in 45 s, want %d",
                   b.assigned, PARTITIONS);
        return 1;
    }
    if (member_start(&a, "a-static", bootstrap, group, topic, instance) != 0)
        return 1;
    deadline = now_ms() + 45000;
    while (!(a.assigned == 3 && b.assigned == 3) && now_ms() < deadline) {
        poll_member(&b, 0, 20);
        poll_member(&a, 1, 20);
    }
    if (!(a.assigned == 3 && b.assigned == 3)) {
        check_fail("with a: assigned a=%d b=%d in 45 s, want 3/3", a.assigned,
                   b.assigned);
        return 1;
    }
    /* let any straggling rebalance show itself before counting */
    long long settle = now_ms() + 2000;
    while (now_ms() < settle) {
        poll_member(&b, 0, 20);
        poll_member(&a, 1, 20);
    }
    char a_parts[128];
    snprintf(a_parts, sizeof(a_parts), "%s", a.parts);
    int b_assigns = b.assigns, b_revokes = b.revokes;
    say("settled: a [%s] b [%s]; a (static) restarts now", a.parts, b.parts);

    long long closed_at = now_ms();
    member_close(&a);
    long long pause = now_ms() + 1000;
    while (now_ms() < pause)
        poll_member(&b, 0, 50);
    if (member_start(&a2, "a-static-again", bootstrap, group, topic,
                     instance) != 0)
        return 1;
    deadline = now_ms() + 9000; /* within session.timeout.ms of the close */
    while (a2.assigned != 3 && now_ms() < deadline) {
        poll_member(&b, 0, 20);
        poll_member(&a2, 1, 20);
    }
    if (a2.assigned != 3)
        check_fail("restarted static member: assigned %d partitions within "
                   "%lld ms of the close, want 3",
                   a2.assigned, now_ms() - closed_at);
    else
        say("restarted static member got [%s] %lld ms after the close",
            a2.parts, now_ms() - closed_at);
    /* watch b for a while: no rebalance may reach it */
    long long watch = now_ms() + 4000;
    while (now_ms() < watch) {
        poll_member(&b, 0, 20);
        poll_member(&a2, 1, 20);
    }
    if (b.assigns != b_assigns || b.revokes != b_revokes)
        check_fail("b saw a rebalance when the static member restarted: "
                   "%d revoke and %d assign callbacks",
                   b.revokes - b_revokes, b.assigns - b_assigns);
    if (b.assigned != 3)
        check_fail("b owns %d partitions after the restart, want 3",
                   b.assigned);
    if (a2.assigned == 3 && strcmp(a2.parts, a_parts) != 0)
        check_fail("restarted static member got [%s], it had [%s]", a2.parts,
                   a_parts);
    if (a2.assigns != 1 || a2.revokes != 0)
        check_fail("restarted static member: %d assigns and %d revokes, "
                   "want 1 and 0",
                   a2.assigns, a2.revokes);
    member_close(&a2);
    member_close(&b);
    if (failures)
        return 1;
    say("PASS: static member rejoined with [%s], no rebalance for the others",
        a_parts);
    return 0;
}

/* After a broker restart: the group's committed offsets must still equal
 * the log end offsets, and a new member must find nothing left to read. */
static int run_check_committed(const char *bootstrap, const char *topic)
{
    char group[128];
    snprintf(group, sizeof(group), "%s-group", topic);
    if (alloc_state(1) != 0)
        return 2;
    struct member m;
    if (member_start(&m, "after-restart", bootstrap, group, topic, NULL) != 0)
        return 1;
    long long deadline = now_ms() + 45000;
    while (m.assigned != PARTITIONS && now_ms() < deadline)
        poll_member(&m, 0, 50);
    if (m.assigned != PARTITIONS) {
        check_fail("after restart: assigned %d partitions in 45 s, want %d",
                   m.assigned, PARTITIONS);
        return 1;
    }
    int64_t end[PARTITIONS];
    if (end_offsets(m.rk, topic, end) == 0)
        check_committed(&m, topic, end);
    /* anything delivered now was committed already */
    expect_no_messages = 1;
    long long quiet = now_ms() + 3000;
    while (now_ms() < quiet)
        poll_member(&m, 0, 50);
    member_close(&m);
    if (failures)
        return 1;
    say("PASS: committed offsets survived the restart");
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stderr, NULL, _IOLBF, 0);
    alarm(PROCESS_ALARM_S);
    if (argc == 5 && strcmp(argv[2], "move") == 0) {
        int n = atoi(argv[4]);
        if (n < 100 || n > 1000000) {
            say("N must be within 100..1000000");
            return 2;
        }
        return run_move(argv[1], argv[3], n);
    }
    if (argc == 4 && strcmp(argv[2], "static") == 0)
        return run_static(argv[1], argv[3]);
    if (argc == 4 && strcmp(argv[2], "check-committed") == 0)
        return run_check_committed(argv[1], argv[3]);
    fprintf(stderr, "usage: rdk_groups BOOTSTRAP move TOPIC N\n"
                    "       rdk_groups BOOTSTRAP static TOPIC\n"
                    "       rdk_groups BOOTSTRAP check-committed TOPIC\n");
    return 2;
}
