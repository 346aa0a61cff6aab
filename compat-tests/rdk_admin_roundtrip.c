/*
 * rdk_admin_roundtrip: the admin round trip through librdkafka's admin API.
 *
 *   rdk_admin_roundtrip BOOTSTRAP TOPIC
 *
 *  1. CreateTopics TOPIC, 3 partitions, with retention.ms=3600000 and
 *     max.message.bytes=1048576;
 *  2. DescribeConfigs (topic): both values back, as topic overrides
 *     (source DYNAMIC_TOPIC_CONFIG, not default);
 *  3. CreatePartitions to 5; Metadata shows 5 partitions;
 *  4. 10 messages into each partition; a consumer in group TOPIC-admin
 *     subscribes, reads all 50 and commits 10,4,7,10,1;
 *  5. ListConsumerGroups shows the group; DescribeConsumerGroups shows it
 *     Stable with one member (our client id) owning the 5 partitions;
 *  6. ListConsumerGroupOffsets gives the committed offsets, and with the
 *     log end offsets (ListOffsets) the lag is 0,6,3,0,9 (18 in all);
 *  7. after the consumer closes the group is Empty with no members and its
 *     offsets are kept; DeleteGroups removes it (gone from ListConsumerGroups);
 *  8. DeleteTopics; a full Metadata no longer lists TOPIC.
 *
 * Exit 0 on success, 1 on a failed check (each printed with the API and
 * error), 2 on usage errors.
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

#define TIMEOUT_MS 15000
#define PARTS_BEFORE 3
#define PARTS_AFTER 5
#define PER_PARTITION 10

static const int64_t commit_at[PARTS_AFTER] = {10, 4, 7, 10, 1};

static int failures;

__attribute__((format(printf, 1, 2))) static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "rdk_admin_roundtrip: ");
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

static rd_kafka_t *client(rd_kafka_type_t type, const char *bootstrap,
                          const char *group)
{
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    conf_set(conf, "bootstrap.servers", bootstrap);
    conf_set(conf, "client.id", group ? "admin-rt-consumer" : "admin-rt");
    if (group) {
        conf_set(conf, "group.id", group);
        conf_set(conf, "enable.auto.commit", "false");
        conf_set(conf, "auto.offset.reset", "earliest");
    }
    rd_kafka_t *rk = rd_kafka_new(type, conf, err, sizeof(err));
    if (!rk) {
        say("rd_kafka_new: %s", err);
        exit(1);
    }
    return rk;
}

static rd_kafka_AdminOptions_t *options(rd_kafka_t *rk, rd_kafka_admin_op_t op)
{
    char err[256];
    rd_kafka_AdminOptions_t *o = rd_kafka_AdminOptions_new(rk, op);
    rd_kafka_AdminOptions_set_request_timeout(o, TIMEOUT_MS, err, sizeof(err));
    return o;
}

/* Wait for the admin result; NULL (with a FAIL) on timeout or a
 * request-level error. */
static rd_kafka_event_t *result(rd_kafka_queue_t *q, const char *api)
{
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, TIMEOUT_MS + 5000);
    if (!ev) {
        FAIL("%s: no result within %d ms", api, TIMEOUT_MS + 5000);
        return NULL;
    }
    if (rd_kafka_event_error(ev)) {
        FAIL("%s: %s (%s)", api, rd_kafka_err2name(rd_kafka_event_error(ev)),
             rd_kafka_event_error_string(ev));
        rd_kafka_event_destroy(ev);
        return NULL;
    }
    return ev;
}

static int topic_results(const rd_kafka_topic_result_t **res, size_t n,
                         const char *api, const char *topic)
{
    if (n != 1 || strcmp(rd_kafka_topic_result_name(res[0]), topic) != 0) {
        FAIL("%s: %zu topic results, want 1 for %s", api, n, topic);
        return -1;
    }
    if (rd_kafka_topic_result_error(res[0])) {
        const char *s = rd_kafka_topic_result_error_string(res[0]);
        FAIL("%s %s: %s (%s)", api, topic,
             rd_kafka_err2name(rd_kafka_topic_result_error(res[0])),
             s ? s : "");
        return -1;
    }
    return 0;
}

static int step_create(rd_kafka_t *rk, rd_kafka_queue_t *q, const char *topic)
{
    char err[256];
    rd_kafka_NewTopic_t *nt =
        rd_kafka_NewTopic_new(topic, PARTS_BEFORE, 1, err, sizeof(err));
    rd_kafka_NewTopic_set_config(nt, "retention.ms", "3600000");
    rd_kafka_NewTopic_set_config(nt, "max.message.bytes", "1048576");
    rd_kafka_AdminOptions_t *o = options(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_CreateTopics(rk, &nt, 1, o, q);
    rd_kafka_event_t *ev = result(q, "CreateTopics");
    int rc = -1;
    if (ev) {
        size_t n = 0;
        const rd_kafka_topic_result_t **r = rd_kafka_CreateTopics_result_topics(
            rd_kafka_event_CreateTopics_result(ev), &n);
        rc = topic_results(r, n, "CreateTopics", topic);
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_NewTopic_destroy(nt);
    if (rc == 0)
        say("1. CreateTopics %s: %d partitions, 2 configs", topic,
            PARTS_BEFORE);
    return rc;
}

static int step_describe_configs(rd_kafka_t *rk, rd_kafka_queue_t *q,
                                 const char *topic)
{
    rd_kafka_ConfigResource_t *res =
        rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic);
    rd_kafka_AdminOptions_t *o = options(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
    rd_kafka_DescribeConfigs(rk, &res, 1, o, q);
    rd_kafka_event_t *ev = result(q, "DescribeConfigs");
    int before = failures;
    if (ev) {
        size_t n = 0;
        const rd_kafka_ConfigResource_t **rs =
            rd_kafka_DescribeConfigs_result_resources(
                rd_kafka_event_DescribeConfigs_result(ev), &n);
        if (n != 1) {
            FAIL("DescribeConfigs: %zu resources, want 1", n);
        } else if (rd_kafka_ConfigResource_error(rs[0])) {
            FAIL("DescribeConfigs %s: %s (%s)", topic,
                 rd_kafka_err2name(rd_kafka_ConfigResource_error(rs[0])),
                 rd_kafka_ConfigResource_error_string(rs[0]));
        } else {
            size_t cn = 0;
            const rd_kafka_ConfigEntry_t **ce =
                rd_kafka_ConfigResource_configs(rs[0], &cn);
            const char *want[2][2] = {{"retention.ms", "3600000"},
                                      {"max.message.bytes", "1048576"}};
            for (int w = 0; w < 2; w++) {
                const rd_kafka_ConfigEntry_t *hit = NULL;
                for (size_t i = 0; i < cn; i++)
                    if (strcmp(rd_kafka_ConfigEntry_name(ce[i]), want[w][0]) ==
                        0)
                        hit = ce[i];
                if (!hit) {
                    FAIL("DescribeConfigs %s: no %s among %zu entries", topic,
                         want[w][0], cn);
                    continue;
                }
                const char *v = rd_kafka_ConfigEntry_value(hit);
                if (!v || strcmp(v, want[w][1]) != 0)
                    FAIL("DescribeConfigs %s: %s=%s, want %s", topic,
                         want[w][0], v ? v : "(null)", want[w][1]);
                if (rd_kafka_ConfigEntry_source(hit) !=
                    RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG)
                    FAIL("DescribeConfigs %s: %s source %s, want %s", topic,
                         want[w][0],
                         rd_kafka_ConfigSource_name(
                             rd_kafka_ConfigEntry_source(hit)),
                         rd_kafka_ConfigSource_name(
                             RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG));
                if (rd_kafka_ConfigEntry_is_default(hit))
                    FAIL("DescribeConfigs %s: %s marked default", topic,
                         want[w][0]);
            }
            if (failures == before)
                say("2. DescribeConfigs: %zu entries, retention.ms and "
                    "max.message.bytes set on the topic",
                    cn);
        }
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_ConfigResource_destroy(res);
    return failures == before ? 0 : -1;
}

/* Partition count in Metadata, or -1 when TOPIC is not listed. With
 * all_topics the request names no topic, so nothing is auto-created. */
static int metadata_partitions(rd_kafka_t *rk, const char *topic)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 1, NULL, &md, 10000);
    if (e) {
        FAIL("Metadata: %s", rd_kafka_err2name(e));
        return -2;
    }
    int cnt = -1;
    for (int i = 0; i < md->topic_cnt; i++)
        if (strcmp(md->topics[i].topic, topic) == 0 && !md->topics[i].err)
            cnt = md->topics[i].partition_cnt;
    rd_kafka_metadata_destroy(md);
    return cnt;
}

static int step_create_partitions(rd_kafka_t *rk, rd_kafka_queue_t *q,
                                  const char *topic)
{
    char err[256];
    rd_kafka_NewPartitions_t *np =
        rd_kafka_NewPartitions_new(topic, PARTS_AFTER, err, sizeof(err));
    rd_kafka_AdminOptions_t *o =
        options(rk, RD_KAFKA_ADMIN_OP_CREATEPARTITIONS);
    rd_kafka_CreatePartitions(rk, &np, 1, o, q);
    rd_kafka_event_t *ev = result(q, "CreatePartitions");
    int rc = -1;
    if (ev) {
        size_t n = 0;
        const rd_kafka_topic_result_t **r =
            rd_kafka_CreatePartitions_result_topics(
                rd_kafka_event_CreatePartitions_result(ev), &n);
        rc = topic_results(r, n, "CreatePartitions", topic);
        rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_NewPartitions_destroy(np);
    if (rc != 0)
        return rc;
    long long deadline = now_ms() + 10000;
    int got;
    while ((got = metadata_partitions(rk, topic)) != PARTS_AFTER &&
           now_ms() < deadline)
        usleep(200000);
    if (got != PARTS_AFTER) {
        FAIL("Metadata after CreatePartitions: %d partitions, want %d", got,
             PARTS_AFTER);
        return -1;
    }
    say("3. CreatePartitions: %s now has %d partitions", topic, PARTS_AFTER);
    return 0;
}

static int step_produce(rd_kafka_t *rk, const char *topic)
{
    for (int p = 0; p < PARTS_AFTER; p++)
        for (int i = 0; i < PER_PARTITION; i++) {
            char v[32];
            snprintf(v, sizeof(v), "p%d-%d", p, i);
            rd_kafka_resp_err_t e = rd_kafka_producev(
                rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(p),
                RD_KAFKA_V_VALUE(v, strlen(v)),
                RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
            if (e) {
                FAIL("produce: %s", rd_kafka_err2name(e));
                return -1;
            }
        }
    rd_kafka_resp_err_t e = rd_kafka_flush(rk, 20000);
    if (e) {
        FAIL("flush: %s", rd_kafka_err2name(e));
        return -1;
    }
    return 0;
}

/* Subscribe, read everything, commit commit_at[]. The consumer stays open. */
static rd_kafka_t *step_consume(const char *bootstrap, const char *topic,
                                const char *group)
{
    rd_kafka_t *c = client(RD_KAFKA_CONSUMER, bootstrap, group);
    rd_kafka_poll_set_consumer(c);
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(sub, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(c, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    if (e) {
        FAIL("subscribe: %s", rd_kafka_err2name(e));
        return c;
    }
    int got = 0, want = PARTS_AFTER * PER_PARTITION;
    long long deadline = now_ms() + 45000;
    while (got < want && now_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 200);
        if (!m)
            continue;
        if (!m->err)
            got++;
        else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
            say("consumer: %s", rd_kafka_message_errstr(m));
        rd_kafka_message_destroy(m);
    }
    if (got != want) {
        FAIL("group consumer read %d of %d messages in 45 s", got, want);
        return c;
    }
    rd_kafka_topic_partition_list_t *l =
        rd_kafka_topic_partition_list_new(PARTS_AFTER);
    for (int p = 0; p < PARTS_AFTER; p++)
        rd_kafka_topic_partition_list_add(l, topic, p)->offset = commit_at[p];
    e = rd_kafka_commit(c, l, 0);
    rd_kafka_topic_partition_list_destroy(l);
    if (e)
        FAIL("OffsetCommit: %s", rd_kafka_err2name(e));
    else
        say("4. group %s read %d messages, committed 10,4,7,10,1", group,
            got);
    return c;
}

static const char *state_name(rd_kafka_consumer_group_state_t s)
{
    return rd_kafka_consumer_group_state_name(s);
}

/* 1 if GROUP is listed (state in *state), 0 if not, -1 on error. */
static int list_groups(rd_kafka_t *rk, rd_kafka_queue_t *q, const char *group,
                       rd_kafka_consumer_group_state_t *state)
{
    rd_kafka_AdminOptions_t *o =
        options(rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS);
    rd_kafka_ListConsumerGroups(rk, o, q);
    rd_kafka_event_t *ev = result(q, "ListConsumerGroups");
    rd_kafka_AdminOptions_destroy(o);
    if (!ev)
        return -1;
    const rd_kafka_ListConsumerGroups_result_t *r =
        rd_kafka_event_ListConsumerGroups_result(ev);
    size_t n = 0, ne = 0;
    const rd_kafka_ConsumerGroupListing_t **gl =
        rd_kafka_ListConsumerGroups_result_valid(r, &n);
    const rd_kafka_error_t **errs =
        rd_kafka_ListConsumerGroups_result_errors(r, &ne);
    int found = 0;
    for (size_t i = 0; i < ne; i++)
        FAIL("ListConsumerGroups: %s", rd_kafka_error_string(errs[i]));
    for (size_t i = 0; i < n; i++)
        if (strcmp(rd_kafka_ConsumerGroupListing_group_id(gl[i]), group) ==
            0) {
            found = 1;
            if (state)
                *state = rd_kafka_ConsumerGroupListing_state(gl[i]);
        }
    rd_kafka_event_destroy(ev);
    return ne ? -1 : found;
}

/* DescribeConsumerGroups: check state and member count; with one member,
 * its client id and the partitions it owns. */
static void describe_group(rd_kafka_t *rk, rd_kafka_queue_t *q,
                           const char *group, const char *topic,
                           rd_kafka_consumer_group_state_t want_state,
                           int want_members)
{
    rd_kafka_AdminOptions_t *o =
        options(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS);
    const char *groups[1] = {group};
    rd_kafka_DescribeConsumerGroups(rk, groups, 1, o, q);
    rd_kafka_event_t *ev = result(q, "DescribeConsumerGroups");
    rd_kafka_AdminOptions_destroy(o);
    if (!ev)
        return;
    size_t n = 0;
    const rd_kafka_ConsumerGroupDescription_t **gd =
        rd_kafka_DescribeConsumerGroups_result_groups(
            rd_kafka_event_DescribeConsumerGroups_result(ev), &n);
    if (n != 1) {
        FAIL("DescribeConsumerGroups: %zu groups, want 1", n);
    } else if (rd_kafka_ConsumerGroupDescription_error(gd[0])) {
        FAIL("DescribeConsumerGroups %s: %s", group,
             rd_kafka_error_string(
                 rd_kafka_ConsumerGroupDescription_error(gd[0])));
    } else {
        rd_kafka_consumer_group_state_t st =
            rd_kafka_ConsumerGroupDescription_state(gd[0]);
        size_t mc = rd_kafka_ConsumerGroupDescription_member_count(gd[0]);
        if (st != want_state)
            FAIL("DescribeConsumerGroups %s: state %s, want %s", group,
                 state_name(st), state_name(want_state));
        if ((int)mc != want_members)
            FAIL("DescribeConsumerGroups %s: %zu members, want %d", group, mc,
                 want_members);
        if (mc == 1) {
            const rd_kafka_MemberDescription_t *md =
                rd_kafka_ConsumerGroupDescription_member(gd[0], 0);
            const char *cid = rd_kafka_MemberDescription_client_id(md);
            if (!cid || strcmp(cid, "admin-rt-consumer") != 0)
                FAIL("DescribeConsumerGroups: member client id %s",
                     cid ? cid : "(null)");
            const rd_kafka_topic_partition_list_t *as =
                rd_kafka_MemberAssignment_partitions(
                    rd_kafka_MemberDescription_assignment(md));
            int owned = 0;
            for (int i = 0; as && i < as->cnt; i++)
                owned += strcmp(as->elems[i].topic, topic) == 0;
            if (owned != PARTS_AFTER)
                FAIL("DescribeConsumerGroups: member owns %d partitions of "
                     "%s, want %d",
                     owned, topic, PARTS_AFTER);
        }
        say("   DescribeConsumerGroups %s: %s, %zu member(s), assignor %s",
            group, state_name(st), mc,
            rd_kafka_ConsumerGroupDescription_partition_assignor(gd[0])
                ? rd_kafka_ConsumerGroupDescription_partition_assignor(gd[0])
                : "-");
    }
    rd_kafka_event_destroy(ev);
}

/* ListConsumerGroupOffsets + ListOffsets: lag = end - committed. */
static void check_lag(rd_kafka_t *rk, rd_kafka_queue_t *q, const char *group,
                      const char *topic)
{
    rd_kafka_ListConsumerGroupOffsets_t *req =
        rd_kafka_ListConsumerGroupOffsets_new(group, NULL);
    rd_kafka_AdminOptions_t *o =
        options(rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS);
    rd_kafka_ListConsumerGroupOffsets(rk, &req, 1, o, q);
    rd_kafka_event_t *ev = result(q, "ListConsumerGroupOffsets");
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_ListConsumerGroupOffsets_destroy(req);
    if (!ev)
        return;
    size_t n = 0;
    const rd_kafka_group_result_t **gr =
        rd_kafka_ListConsumerGroupOffsets_result_groups(
            rd_kafka_event_ListConsumerGroupOffsets_result(ev), &n);
    if (n != 1) {
        FAIL("ListConsumerGroupOffsets: %zu groups", n);
    } else if (rd_kafka_group_result_error(gr[0])) {
        FAIL("ListConsumerGroupOffsets %s: %s", group,
             rd_kafka_error_string(rd_kafka_group_result_error(gr[0])));
    } else {
        const rd_kafka_topic_partition_list_t *l =
            rd_kafka_group_result_partitions(gr[0]);
        int64_t committed[PARTS_AFTER];
        for (int p = 0; p < PARTS_AFTER; p++)
            committed[p] = -9;
        for (int i = 0; l && i < l->cnt; i++) {
            const rd_kafka_topic_partition_t *tp = &l->elems[i];
            if (strcmp(tp->topic, topic) != 0 || tp->partition < 0 ||
                tp->partition >= PARTS_AFTER)
                continue;
            if (tp->err)
                FAIL("committed offset of p%" PRId32 ": %s", tp->partition,
                     rd_kafka_err2name(tp->err));
            committed[tp->partition] = tp->offset;
        }
        int64_t lag_sum = 0;
        char line[256];
        size_t used = 0;
        line[0] = '\0';
        for (int p = 0; p < PARTS_AFTER; p++) {
            int64_t lo, hi;
            rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(
                rk, topic, p, &lo, &hi, 10000);
            if (e) {
                FAIL("ListOffsets p%d: %s", p, rd_kafka_err2name(e));
                continue;
            }
            if (committed[p] != commit_at[p])
                FAIL("committed offset of p%d: %" PRId64 ", want %" PRId64, p,
                     committed[p], commit_at[p]);
            if (hi != PER_PARTITION)
                FAIL("log end offset of p%d: %" PRId64 ", want %d", p, hi,
                     PER_PARTITION);
            int64_t lag = hi - committed[p];
            lag_sum += lag;
            used += (size_t)snprintf(line + used, sizeof(line) - used,
                                     "%s%" PRId64, p ? "," : "", lag);
        }
        if (lag_sum != 18)
            FAIL("lag %s (sum %" PRId64 "), want 0,6,3,0,9 (18)", line,
                 lag_sum);
        else
            say("   lag per partition %s, total %" PRId64, line, lag_sum);
    }
    rd_kafka_event_destroy(ev);
}

static int step_delete_group(rd_kafka_t *rk, rd_kafka_queue_t *q,
                             const char *group)
{
    rd_kafka_DeleteGroup_t *dg = rd_kafka_DeleteGroup_new(group);
    rd_kafka_AdminOptions_t *o = options(rk, RD_KAFKA_ADMIN_OP_DELETEGROUPS);
    rd_kafka_DeleteGroups(rk, &dg, 1, o, q);
    rd_kafka_event_t *ev = result(q, "DeleteGroups");
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_DeleteGroup_destroy(dg);
    if (!ev)
        return -1;
    size_t n = 0;
    const rd_kafka_group_result_t **gr = rd_kafka_DeleteGroups_result_groups(
        rd_kafka_event_DeleteGroups_result(ev), &n);
    int rc = 0;
    if (n != 1) {
        FAIL("DeleteGroups: %zu results", n);
        rc = -1;
    } else if (rd_kafka_group_result_error(gr[0])) {
        FAIL("DeleteGroups %s: %s", group,
             rd_kafka_error_string(rd_kafka_group_result_error(gr[0])));
        rc = -1;
    }
    rd_kafka_event_destroy(ev);
    if (rc == 0 && list_groups(rk, q, group, NULL) != 0) {
        FAIL("ListConsumerGroups still lists %s after DeleteGroups", group);
        rc = -1;
    }
    if (rc == 0)
        say("7. DeleteGroups %s: gone", group);
    return rc;
}

static int step_delete_topic(rd_kafka_t *rk, rd_kafka_queue_t *q,
                             const char *topic)
{
    rd_kafka_DeleteTopic_t *dt = rd_kafka_DeleteTopic_new(topic);
    rd_kafka_AdminOptions_t *o = options(rk, RD_KAFKA_ADMIN_OP_DELETETOPICS);
    rd_kafka_DeleteTopics(rk, &dt, 1, o, q);
    rd_kafka_event_t *ev = result(q, "DeleteTopics");
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_DeleteTopic_destroy(dt);
    if (!ev)
        return -1;
    size_t n = 0;
    const rd_kafka_topic_result_t **r = rd_kafka_DeleteTopics_result_topics(
        rd_kafka_event_DeleteTopics_result(ev), &n);
    int rc = topic_results(r, n, "DeleteTopics", topic);
    rd_kafka_event_destroy(ev);
    if (rc)
        return rc;
    long long deadline = now_ms() + 10000;
    int got;
    while ((got = metadata_partitions(rk, topic)) != -1 && now_ms() < deadline)
        usleep(200000);
    if (got != -1) {
        FAIL("Metadata still lists %s after DeleteTopics", topic);
        return -1;
    }
    say("8. DeleteTopics %s: gone from Metadata", topic);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stderr, NULL, _IOLBF, 0);
    if (argc != 3) {
        fprintf(stderr, "usage: rdk_admin_roundtrip BOOTSTRAP TOPIC\n");
        return 2;
    }
    alarm(170);
    const char *bootstrap = argv[1], *topic = argv[2];
    char group[256];
    snprintf(group, sizeof(group), "%s-admin", topic);

    rd_kafka_t *rk = client(RD_KAFKA_PRODUCER, bootstrap, NULL);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);

    if (step_create(rk, q, topic) != 0)
        return 1;
    step_describe_configs(rk, q, topic);
    if (step_create_partitions(rk, q, topic) != 0 ||
        step_produce(rk, topic) != 0)
        return 1;
    rd_kafka_t *c = step_consume(bootstrap, topic, group);
    if (failures)
        return 1;

    rd_kafka_consumer_group_state_t st = RD_KAFKA_CONSUMER_GROUP_STATE_UNKNOWN;
    int listed = list_groups(rk, q, group, &st);
    if (listed != 1)
        FAIL("ListConsumerGroups does not list %s", group);
    else
        say("5. ListConsumerGroups lists %s (%s)", group, state_name(st));
    describe_group(rk, q, group, topic, RD_KAFKA_CONSUMER_GROUP_STATE_STABLE,
                   1);
    say("6. offsets and lag with the member active:");
    check_lag(rk, q, group, topic);

    rd_kafka_resp_err_t e = rd_kafka_consumer_close(c);
    if (e)
        FAIL("consumer close: %s", rd_kafka_err2name(e));
    rd_kafka_destroy(c);
    say("   consumer closed (LeaveGroup)");
    describe_group(rk, q, group, topic, RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY, 0);
    check_lag(rk, q, group, topic);
    step_delete_group(rk, q, group);
    step_delete_topic(rk, q, topic);

    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
    if (failures)
        return 1;
    say("PASS: admin round trip through librdkafka");
    return 0;
}
