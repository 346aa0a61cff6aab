/*
 * rdk_admin: create a topic through librdkafka's admin API
 * (rd_kafka_CreateTopics) and check the broker's answer.
 *
 *   rdk_admin BOOTSTRAP create TOPIC PARTITIONS [EXPECTED_ERROR]
 *
 * Without EXPECTED_ERROR the topic result must be NO_ERROR and Metadata must
 * then show TOPIC with PARTITIONS partitions, each with a leader. With
 * EXPECTED_ERROR (a librdkafka error name such as TOPIC_ALREADY_EXISTS) the
 * topic result must carry exactly that error. Exit 0 on success, 1 on a
 * failed check, 2 on usage errors. Every wait is bounded.
 */
#include <librdkafka/rdkafka.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ADMIN_TIMEOUT_MS 15000
#define METADATA_WAIT_MS 10000

__attribute__((format(printf, 1, 2))) static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "rdk_admin: FAIL: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static rd_kafka_t *make_client(const char *bootstrap)
{
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err,
                          sizeof(err)) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "rdk_admin: %s\n", err);
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    if (!rk)
        fprintf(stderr, "rdk_admin: rd_kafka_new: %s\n", err);
    return rk;
}

/* Poll Metadata until TOPIC has `want` partitions, all with a leader. */
static int check_metadata(rd_kafka_t *rk, const char *topic, int want)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    long long deadline = now_ms() + METADATA_WAIT_MS;
    char last[256] = "no answer";
    int ok = 0;

    while (!ok && now_ms() < deadline) {
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, 5000);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
            snprintf(last, sizeof(last), "Metadata: %s", rd_kafka_err2str(e));
        } else if (md->topic_cnt != 1 ||
                   strcmp(md->topics[0].topic, topic) != 0) {
            snprintf(last, sizeof(last), "Metadata: %d topics in answer",
                     md->topic_cnt);
        } else if (md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            snprintf(last, sizeof(last), "Metadata: topic error %s",
                     rd_kafka_err2name(md->topics[0].err));
        } else if (md->topics[0].partition_cnt != want) {
            snprintf(last, sizeof(last), "Metadata: %d partitions, want %d",
                     md->topics[0].partition_cnt, want);
        } else {
            ok = 1;
            for (int i = 0; i < want; i++) {
                const rd_kafka_metadata_partition_t *p =
                    &md->topics[0].partitions[i];
                if (p->err != RD_KAFKA_RESP_ERR_NO_ERROR || p->leader < 0) {
                    snprintf(last, sizeof(last),
                             "Metadata: partition %d err %s leader %d",
                             (int)p->id, rd_kafka_err2name(p->err),
                             (int)p->leader);
                    ok = 0;
                }
            }
        }
        if (md)
            rd_kafka_metadata_destroy(md);
        if (!ok) {
            struct timespec ts = {0, 200 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    rd_kafka_topic_destroy(rkt);
    if (!ok)
        return fail("topic %s not visible as wanted: %s", topic, last);
    return 0;
}

static int create_topic(rd_kafka_t *rk, const char *topic, int partitions,
                        const char *expect)
{
    char err[512];
    rd_kafka_NewTopic_t *nt =
        rd_kafka_NewTopic_new(topic, partitions, 1, err, sizeof(err));
    if (!nt)
        return fail("NewTopic: %s", err);

    rd_kafka_AdminOptions_t *opt =
        rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_request_timeout(opt, ADMIN_TIMEOUT_MS, err,
                                              sizeof(err));
    rd_kafka_AdminOptions_set_operation_timeout(opt, ADMIN_TIMEOUT_MS - 2000,
                                                err, sizeof(err));
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &nt, 1, opt, q);

    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, ADMIN_TIMEOUT_MS + 5000);
    int rc = 0;
    if (!ev) {
        rc = fail("CreateTopics: no result within %d ms",
                  ADMIN_TIMEOUT_MS + 5000);
    } else if (rd_kafka_event_error(ev)) {
        rc = fail("CreateTopics request failed: %s (%s)",
                  rd_kafka_err2name(rd_kafka_event_error(ev)),
                  rd_kafka_event_error_string(ev));
    } else {
        const rd_kafka_CreateTopics_result_t *res =
            rd_kafka_event_CreateTopics_result(ev);
        size_t n = 0;
        const rd_kafka_topic_result_t **tr =
            rd_kafka_CreateTopics_result_topics(res, &n);
        if (n != 1 || strcmp(rd_kafka_topic_result_name(tr[0]), topic)) {
            rc = fail("CreateTopics: answer does not name %s", topic);
        } else {
            rd_kafka_resp_err_t e = rd_kafka_topic_result_error(tr[0]);
            const char *name = rd_kafka_err2name(e);
            const char *want = expect ? expect : "NO_ERROR";
            const char *msg = rd_kafka_topic_result_error_string(tr[0]);
            if (strcmp(name, want) != 0) {
                fprintf(stderr, "rdk_admin: broker message: %s\n",
                        msg ? msg : "(none)");
                rc = fail("CreateTopics: topic error %s, want %s", name, want);
            } else {
                printf("rdk_admin: CreateTopics %s -> %s\n", topic, name);
            }
        }
    }
    if (ev)
        rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_AdminOptions_destroy(opt);
    rd_kafka_NewTopic_destroy(nt);
    if (rc == 0 && !expect)
        rc = check_metadata(rk, topic, partitions);
    if (rc == 0 && !expect)
        printf("rdk_admin: topic %s has %d partitions\n", topic, partitions);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 5 || argc > 6 || strcmp(argv[2], "create") != 0) {
        fprintf(stderr, "usage: rdk_admin BOOTSTRAP create TOPIC PARTITIONS "
                        "[EXPECTED_ERROR]\n");
        return 2;
    }
    int partitions = atoi(argv[4]);
    if (partitions <= 0) {
        fprintf(stderr, "rdk_admin: bad partition count %s\n", argv[4]);
        return 2;
    }
    rd_kafka_t *rk = make_client(argv[1]);
    if (!rk)
        return 1;
    int rc = create_topic(rk, argv[3], partitions, argc == 6 ? argv[5] : NULL);
    rd_kafka_destroy(rk);
    return rc;
}
