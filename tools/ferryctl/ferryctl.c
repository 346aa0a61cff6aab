/*
 * ferryctl.c - Ferry's admin command line: topics, consumer groups,
 * messages, cluster, broker status and configuration, pending
 * transactions, over the RocketMQ remoting protocol through libferry's
 * admin, producer and pull-consumer handles.  Kafka groups and RocketMQ
 * groups look the same: the broker answers from its one offset store.
 *
 *   ferryctl [-n host:port] [--json] NOUN VERB [ARGS] [OPTIONS]
 *
 * Output: human tables on stdout by default, one JSON document with
 * --json; errors on stderr.  Exit codes: cli.h (0 ok, 1 usage, 2 not
 * found, 3 broker error, 4 connection).  The correspondence with mqadmin
 * and kafka-topics / kafka-consumer-groups is in README.md.
 */
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <jansson.h>

#include "cli.h"
#include "ferry/ferry.h"

/* ------------------------------------------------------------------ */
/* context, errors                                                     */
/* ------------------------------------------------------------------ */

typedef struct ctl {
    const char *namesrv;
    int json;
    int timeout_ms;
    ferry_admin *admin;
    ferry_pull_consumer *pull;
    ferry_producer *producer;
} ctl;

static int64_t now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static int exit_code_of(int err)
{
    switch (err) {
    case FERRY_OK:
        return CTL_OK;
    case FERRY_ERR_NOT_FOUND:
    case FERRY_ERR_NO_ROUTE:
        return CTL_NOT_FOUND;
    case FERRY_ERR_CONNECT:
    case FERRY_ERR_TIMEOUT:
        return CTL_CONNECT;
    case FERRY_ERR_INVALID:
        return CTL_USAGE;
    default:
        return CTL_BROKER;
    }
}

/* Prints "ferryctl: what: error (broker said ...)" and returns the exit
 * code for err. */
static int fail(int err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int fail(int err, const char *fmt, ...)
{
    va_list ap;
    fputs("ferryctl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, ": %s", ferry_strerror(err));
    if (ferry_last_response_code() != 0 || *ferry_last_remark())
        fprintf(stderr, " (broker answered code %d: %s)",
                ferry_last_response_code(), ferry_last_remark());
    fputc('\n', stderr);
    return exit_code_of(err);
}

static int usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static int usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("ferryctl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs(" (see --help)\n", stderr);
    return CTL_USAGE;
}

static void conf_of(ctl *c, ferry_conf *conf, const char *group)
{
    ferry_conf_init(conf);
    conf->namesrv_addr = c->namesrv;
    conf->group = group;
    conf->instance_name = "ferryctl";
    if (c->timeout_ms > 0) {
        conf->request_timeout_ms = c->timeout_ms;
        conf->connect_timeout_ms = c->timeout_ms;
    }
}

static ferry_admin *admin(ctl *c)
{
    if (!c->admin) {
        ferry_conf conf;
        char err[256];
        conf_of(c, &conf, "FERRYCTL_ADMIN");
        c->admin = ferry_admin_new(&conf, err, sizeof err);
        if (!c->admin) {
            fprintf(stderr, "ferryctl: %s\n", err);
            exit(CTL_USAGE);
        }
    }
    return c->admin;
}

static ferry_pull_consumer *puller(ctl *c)
{
    if (!c->pull) {
        ferry_conf conf;
        char err[256];
        conf_of(c, &conf, "FERRYCTL_TOOLS");
        c->pull = ferry_pull_consumer_new(&conf, err, sizeof err);
        if (!c->pull) {
            fprintf(stderr, "ferryctl: %s\n", err);
            exit(CTL_USAGE);
        }
    }
    return c->pull;
}

static ferry_producer *producer(ctl *c)
{
    if (!c->producer) {
        ferry_conf conf;
        char err[256];
        conf_of(c, &conf, "FERRYCTL_PRODUCER");
        c->producer = ferry_producer_new(&conf, err, sizeof err);
        if (!c->producer) {
            fprintf(stderr, "ferryctl: %s\n", err);
            exit(CTL_USAGE);
        }
    }
    return c->producer;
}

static int print_json(json_t *root)
{
    if (!root) {
        fprintf(stderr, "ferryctl: out of memory\n");
        return CTL_BROKER;
    }
    json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(root);
    return CTL_OK;
}

static json_t *jtime(int64_t ms)
{
    char buf[40];
    if (ms <= 0)
        return json_null();
    cli_format_time(ms, buf, sizeof buf);
    return json_string(buf);
}

static const char *fmt_i64(char *buf, size_t len, int64_t v)
{
    snprintf(buf, len, "%" PRId64, v);
    return buf;
}

/* The option values of the command being run (see struct cmd). */
typedef struct cmdctx {
    const struct cmd *cmd;
    cli_args args;
    const cli_opt *opts;
    int nopts;
} cmdctx;

static const char *opt(const cmdctx *x, const char *name)
{
    int k = cli_index(x->opts, x->nopts, name);
    return k < 0 ? NULL : x->args.value[k];
}

static int opt_i64(const cmdctx *x, const char *name, int64_t dflt, int64_t lo,
                   int64_t hi, int64_t *out)
{
    const char *v = opt(x, name);
    *out = dflt;
    if (!v)
        return 0;
    if (cli_parse_i64(v, lo, hi, out) != 0) {
        usage_error("--%s: expected a whole number in [%" PRId64 ", %" PRId64
                    "], got '%s'",
                    name, lo, hi, v);
        return -1;
    }
    return 0;
}

static int opt_time(const cmdctx *x, const char *name, int64_t *out)
{
    const char *v = opt(x, name);
    if (!v)
        return 0;
    if (cli_parse_time(v, now_ms(), out) != 0) {
        usage_error("--%s: expected epoch milliseconds, 'now' or "
                    "YYYY-MM-DDTHH:MM[:SS[.mmm]][Z|+hh:mm], got '%s'",
                    name, v);
        return -1;
    }
    return 1;
}

/* ------------------------------------------------------------------ */
/* topics                                                              */
/* ------------------------------------------------------------------ */

static int is_system_topic(const char *t)
{
    return t[0] == '%' || !strcmp(t, "TBW102") || !strncmp(t, "RMQ_SYS_", 8) ||
           !strncmp(t, "SCHEDULE_TOPIC", 14) || !strncmp(t, "rmq_sys_", 8) ||
           !strcmp(t, "OFFSET_MOVED_EVENT") ||
           !strcmp(t, "TRANS_CHECK_MAX_TIME_TOPIC");
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int topic_exists(ctl *c, const char *topic, int *exists)
{
    char **topics;
    int rc = ferry_admin_topic_list(admin(c), &topics);
    *exists = 0;
    if (rc != 0)
        return rc;
    for (char **p = topics; *p; p++)
        if (!strcmp(*p, topic))
            *exists = 1;
    ferry_strv_free(topics);
    return 0;
}

static int cmd_topic_list(ctl *c, cmdctx *x)
{
    char **topics;
    int all = opt(x, "all") != NULL;
    int rc = ferry_admin_topic_list(admin(c), &topics);
    if (rc != 0)
        return fail(rc, "listing topics");
    size_t n = 0;
    while (topics[n])
        n++;
    qsort(topics, n, sizeof(char *), cmp_str);
    if (c->json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            if (all || !is_system_topic(topics[i]))
                json_array_append_new(arr, json_string(topics[i]));
        ferry_strv_free(topics);
        return print_json(json_pack("{s:o}", "topics", arr));
    }
    for (size_t i = 0; i < n; i++)
        if (all || !is_system_topic(topics[i]))
            printf("%s\n", topics[i]);
    ferry_strv_free(topics);
    return CTL_OK;
}

static int queues_opt(cmdctx *x, int64_t dflt, int64_t *q)
{
    const char *p = opt(x, "partitions");
    if (p && !opt(x, "queues"))
        return cli_parse_i64(p, 1, 1024, q) == 0
                   ? 0
                   : (usage_error("--partitions: expected 1..1024"), -1);
    return opt_i64(x, "queues", dflt, 1, 1024, q);
}

static int cmd_topic_create(ctl *c, cmdctx *x, int update)
{
    const char *topic = x->args.pos[0];
    int64_t queues;
    int exists, rc;
    ferry_route *route = NULL;
    int current = 0;

    if (x->args.npos != 1)
        return usage_error("topic %s: one topic name expected",
                           update ? "update" : "create");
    if (queues_opt(x, 8, &queues) != 0)
        return CTL_USAGE;
    if (update && !opt(x, "queues") && !opt(x, "partitions"))
        return usage_error("topic update: --queues N is required");
    if ((rc = topic_exists(c, topic, &exists)) != 0)
        return fail(rc, "looking up topic %s", topic);
    if (!update && exists) {
        fprintf(stderr,
                "ferryctl: topic %s already exists (use topic update to "
                "add queues)\n",
                topic);
        return CTL_BROKER;
    }
    if (update && !exists) {
        fprintf(stderr, "ferryctl: topic %s not found\n", topic);
        return CTL_NOT_FOUND;
    }
    if (update && ferry_admin_route(admin(c), topic, &route) == 0) {
        for (int i = 0; i < route->queue_count; i++)
            if (route->queues[i].write_queues > current)
                current = route->queues[i].write_queues;
        ferry_route_free(route);
        if (queues < current) {
            fprintf(stderr,
                    "ferryctl: topic %s has %d queues; queues can only be "
                    "added (as Kafka partitions)\n",
                    topic, current);
            return CTL_USAGE;
        }
    }
    rc = ferry_admin_create_topic(admin(c), opt(x, "cluster"), opt(x, "broker"),
                                  topic, (int)queues, (int)queues);
    if (rc != 0)
        return fail(rc, "%s topic %s", update ? "updating" : "creating", topic);
    if (c->json)
        return print_json(json_pack("{s:s,s:I,s:b}", "topic", topic, "queues",
                                    (json_int_t)queues,
                                    update ? "updated" : "created", 1));
    printf("%s topic %s with %d queues\n", update ? "Updated" : "Created",
           topic, (int)queues);
    return CTL_OK;
}

static int cmd_topic_create_(ctl *c, cmdctx *x)
{
    return cmd_topic_create(c, x, 0);
}

static int cmd_topic_update(ctl *c, cmdctx *x)
{
    return cmd_topic_create(c, x, 1);
}

static int cmd_topic_delete(ctl *c, cmdctx *x)
{
    if (x->args.npos != 1)
        return usage_error("topic delete: one topic name expected");
    const char *topic = x->args.pos[0];
    int rc = ferry_admin_delete_topic(admin(c), opt(x, "cluster"), topic);
    if (rc != 0)
        return fail(rc, "deleting topic %s", topic);
    if (c->json)
        return print_json(json_pack("{s:s,s:b}", "topic", topic, "deleted", 1));
    printf("Deleted topic %s\n", topic);
    return CTL_OK;
}

static const char *perm_text(int perm)
{
    switch (perm & 6) {
    case 6:
        return "RW";
    case 4:
        return "R";
    case 2:
        return "W";
    default:
        return "-";
    }
}

static json_t *route_json(const ferry_route *r)
{
    json_t *brokers = json_array(), *queues = json_array();
    for (int i = 0; i < r->broker_count; i++)
        json_array_append_new(brokers, json_pack("{s:s,s:s,s:s}", "cluster",
                                                 r->brokers[i].cluster,
                                                 "broker", r->brokers[i].name,
                                                 "addr", r->brokers[i].addr));
    for (int i = 0; i < r->queue_count; i++)
        json_array_append_new(queues,
                              json_pack("{s:s,s:i,s:i,s:i,s:s}", "broker",
                                        r->queues[i].broker_name, "readQueues",
                                        r->queues[i].read_queues, "writeQueues",
                                        r->queues[i].write_queues, "perm",
                                        r->queues[i].perm, "access",
                                        perm_text(r->queues[i].perm)));
    return json_pack("{s:o,s:o}", "brokers", brokers, "queueData", queues);
}

/* A topic a Kafka client has just created reaches the name servers with
 * the broker's next registration (within a second): wait up to 3 s for
 * it before saying it does not exist. */
static int route_wait(ctl *c, const char *topic, ferry_route **r)
{
    int rc;
    for (int i = 0;; i++) {
        rc = ferry_admin_route(admin(c), topic, r);
        if (rc != FERRY_ERR_NO_ROUTE || i == 10)
            return rc;
        struct timespec ts = {0, 300 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

static int cmd_topic_route(ctl *c, cmdctx *x)
{
    ferry_route *r;
    if (x->args.npos != 1)
        return usage_error("topic route: one topic name expected");
    int rc = route_wait(c, x->args.pos[0], &r);
    if (rc != 0)
        return fail(rc, "route of topic %s", x->args.pos[0]);
    if (c->json) {
        json_t *j = route_json(r);
        json_object_set_new(j, "topic", json_string(x->args.pos[0]));
        ferry_route_free(r);
        return print_json(j);
    }
    cli_table t;
    static const char *const h[] = {"CLUSTER", "BROKER", "ADDR"};
    cli_table_init(&t, 3, h);
    for (int i = 0; i < r->broker_count; i++) {
        const char *row[] = {r->brokers[i].cluster, r->brokers[i].name,
                             r->brokers[i].addr};
        cli_table_add(&t, row);
    }
    cli_table_print(&t, stdout);
    cli_table_release(&t);
    fputc('\n', stdout);
    static const char *const h2[] = {"BROKER", "READ-QUEUES", "WRITE-QUEUES",
                                     "PERM"};
    cli_table_init(&t, 4, h2);
    for (int i = 0; i < r->queue_count; i++)
        cli_table_addf(&t, "%s\t%d\t%d\t%s", r->queues[i].broker_name,
                       r->queues[i].read_queues, r->queues[i].write_queues,
                       perm_text(r->queues[i].perm));
    cli_table_print(&t, stdout);
    cli_table_release(&t);
    ferry_route_free(r);
    return CTL_OK;
}

static json_t *stats_json(const ferry_queue_stats *s, int n, int64_t *total)
{
    json_t *arr = json_array();
    *total = 0;
    for (int i = 0; i < n; i++) {
        json_array_append_new(
            arr, json_pack("{s:s,s:i,s:I,s:I,s:I,s:o,s:I}", "broker",
                           s[i].broker_name, "queue", s[i].queue_id,
                           "minOffset", (json_int_t)s[i].min_offset,
                           "maxOffset", (json_int_t)s[i].max_offset, "messages",
                           (json_int_t)(s[i].max_offset - s[i].min_offset),
                           "lastUpdate", jtime(s[i].last_update_ms),
                           "lastUpdateMs", (json_int_t)s[i].last_update_ms));
        *total += s[i].max_offset - s[i].min_offset;
    }
    return arr;
}

static void stats_table(const ferry_queue_stats *s, int n)
{
    cli_table t;
    static const char *const h[] = {"BROKER",     "QUEUE",    "MIN-OFFSET",
                                    "MAX-OFFSET", "MESSAGES", "LAST-UPDATE"};
    cli_table_init(&t, 6, h);
    for (int i = 0; i < n; i++) {
        char ts[40];
        cli_format_time(s[i].last_update_ms, ts, sizeof ts);
        cli_table_addf(&t, "%s\t%d\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%s",
                       s[i].broker_name, s[i].queue_id, s[i].min_offset,
                       s[i].max_offset, s[i].max_offset - s[i].min_offset, ts);
    }
    cli_table_print(&t, stdout);
    cli_table_release(&t);
}

static int cmd_topic_stats(ctl *c, cmdctx *x)
{
    ferry_queue_stats *s;
    int n;
    if (x->args.npos != 1)
        return usage_error("topic stats: one topic name expected");
    const char *topic = x->args.pos[0];
    ferry_route *r;
    int rc = route_wait(c, topic, &r);
    if (rc == 0) {
        ferry_route_free(r);
        rc = ferry_admin_topic_stats(admin(c), topic, &s, &n);
    }
    if (rc != 0)
        return fail(rc, "stats of topic %s", topic);
    if (c->json) {
        int64_t total;
        json_t *q = stats_json(s, n, &total);
        free(s);
        return print_json(json_pack("{s:s,s:o,s:I}", "topic", topic, "queues",
                                    q, "totalMessages", (json_int_t)total));
    }
    stats_table(s, n);
    free(s);
    return CTL_OK;
}

static int cmd_topic_describe(ctl *c, cmdctx *x)
{
    ferry_route *r;
    ferry_queue_stats *s;
    int n;
    if (x->args.npos != 1)
        return usage_error("topic describe: one topic name expected");
    const char *topic = x->args.pos[0];
    int rc = route_wait(c, topic, &r);
    if (rc != 0)
        return fail(rc, "describing topic %s", topic);
    rc = ferry_admin_topic_stats(admin(c), topic, &s, &n);
    if (rc != 0) {
        ferry_route_free(r);
        return fail(rc, "stats of topic %s", topic);
    }
    int queues = 0;
    for (int i = 0; i < r->queue_count; i++)
        queues += r->queues[i].write_queues > r->queues[i].read_queues
                      ? r->queues[i].write_queues
                      : r->queues[i].read_queues;
    if (c->json) {
        int64_t total;
        json_t *j = route_json(r);
        json_object_set_new(j, "topic", json_string(topic));
        json_object_set_new(j, "queueCount", json_integer(queues));
        json_object_set_new(j, "system", json_boolean(is_system_topic(topic)));
        json_object_set_new(j, "queues", stats_json(s, n, &total));
        json_object_set_new(j, "totalMessages", json_integer(total));
        free(s);
        ferry_route_free(r);
        return print_json(j);
    }
    printf("Topic: %s\tQueues: %d\tBrokers: %d%s\n", topic, queues,
           r->broker_count, is_system_topic(topic) ? "\t(system)" : "");
    for (int i = 0; i < r->queue_count; i++)
        printf("  %s: read %d, write %d, perm %s\n", r->queues[i].broker_name,
               r->queues[i].read_queues, r->queues[i].write_queues,
               perm_text(r->queues[i].perm));
    fputc('\n', stdout);
    stats_table(s, n);
    free(s);
    ferry_route_free(r);
    return CTL_OK;
}

/* ------------------------------------------------------------------ */
/* groups                                                              */
/* ------------------------------------------------------------------ */

static int cmd_group_list(ctl *c, cmdctx *x)
{
    ferry_group_info *g;
    int n;
    (void)x;
    int rc = ferry_admin_group_list(admin(c), &g, &n);
    if (rc != 0)
        return fail(rc, "listing groups");
    if (c->json) {
        json_t *arr = json_array();
        for (int i = 0; i < n; i++)
            json_array_append_new(
                arr,
                json_pack("{s:s,s:s,s:s,s:i}", "group", g[i].name, "protocol",
                          g[i].protocol[0] ? g[i].protocol : "unknown", "state",
                          g[i].state, "members", g[i].members));
        free(g);
        return print_json(json_pack("{s:o}", "groups", arr));
    }
    cli_table t;
    static const char *const h[] = {"GROUP", "PROTOCOL", "STATE", "MEMBERS"};
    cli_table_init(&t, 4, h);
    for (int i = 0; i < n; i++)
        cli_table_addf(&t, "%s\t%s\t%s\t%d", g[i].name,
                       g[i].protocol[0] ? g[i].protocol : "-", g[i].state,
                       g[i].members);
    cli_table_print(&t, stdout);
    cli_table_release(&t);
    free(g);
    return CTL_OK;
}

/* The member a queue is assigned to (Kafka groups), or NULL. */
static const ferry_member *owner_of(const ferry_group_members *m,
                                    const char *topic, const char *broker,
                                    int32_t qid)
{
    for (int i = 0; m && i < m->member_count; i++)
        for (int k = 0; k < m->members[i].assigned_count; k++) {
            const ferry_queue *q = &m->members[i].assigned[k];
            if (q->queue_id == qid && !strcmp(q->topic, topic) &&
                (!q->broker_name[0] || !strcmp(q->broker_name, broker)))
                return &m->members[i];
        }
    return NULL;
}

/* The expression member `m` subscribes `topic` with ("" if none): its
 * subscriptions are "topic\texpr\n" lines. */
static void member_expr(const ferry_member *m, const char *topic, char *out,
                        size_t outlen)
{
    out[0] = '\0';
    size_t tl = strlen(topic);
    for (const char *p = m->subscriptions; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t ll = nl ? (size_t)(nl - p) : strlen(p);
        if (ll > tl && !memcmp(p, topic, tl) && p[tl] == '\t') {
            snprintf(out, outlen, "%.*s", (int)(ll - tl - 1), p + tl + 1);
            return;
        }
        p = nl ? nl + 1 : NULL;
    }
}

/*
 * RocketMQ's trap, shown where an operator looks: members of one group
 * subscribing one topic with different expressions.  The broker filters
 * with one expression per group, so some messages reach no member.
 * Returns the conflicts as a JSON array (json) and prints a warning per
 * topic (human).
 */
static json_t *subscription_conflicts(const ferry_group_members *m, int json)
{
    json_t *arr = json_array();
    for (int i = 0; m && i < m->member_count; i++)
        for (const char *p = m->members[i].subscriptions; p && *p;) {
            const char *tab = strchr(p, '\t');
            const char *nl = strchr(p, '\n');
            if (!tab || (nl && tab > nl))
                break;
            char topic[256], ei[256];
            snprintf(topic, sizeof topic, "%.*s", (int)(tab - p), p);
            member_expr(&m->members[i], topic, ei, sizeof ei);
            for (int k = i + 1; k < m->member_count; k++) {
                char ek[256];
                member_expr(&m->members[k], topic, ek, sizeof ek);
                if (!m->members[k].subscriptions || !ek[0] ||
                    !strcmp(ei, ek))
                    continue;
                json_array_append_new(
                    arr, json_pack("{s:s,s:s,s:s,s:s,s:s}", "topic", topic,
                                   "clientId", m->members[i].client_id,
                                   "expression", ei, "otherClientId",
                                   m->members[k].client_id,
                                   "otherExpression", ek));
                if (!json)
                    printf("WARNING: SUBSCRIPTION CONFLICT on topic %s: %s "
                           "subscribes '%s', %s subscribes '%s'. The broker "
                           "filters with one expression per group, so some "
                           "messages reach no member; give every member the "
                           "same subscriptions.\n",
                           topic, m->members[i].client_id, ei,
                           m->members[k].client_id, ek);
            }
            p = nl ? nl + 1 : NULL;
        }
    return arr;
}

static int cmd_group_describe(ctl *c, cmdctx *x)
{
    ferry_group_members *m = NULL;
    ferry_consume_stats *s = NULL;
    int n = 0;
    if (x->args.npos != 1)
        return usage_error("group describe: one group name expected");
    const char *group = x->args.pos[0];
    int rm = ferry_admin_group_members(admin(c), group, &m);
    if (rm != 0 && rm != FERRY_ERR_NOT_FOUND)
        return fail(rm, "members of group %s", group);
    int rs =
        ferry_admin_consume_stats(admin(c), group, opt(x, "topic"), &s, &n);
    if (rs != 0 && !(rs == FERRY_ERR_NOT_FOUND && m)) {
        ferry_group_members_free(m);
        return fail(rs, "offsets of group %s", group);
    }
    /* without live members, the group list still knows its kind */
    char proto[16] = "", state[32] = "Empty";
    if (m) {
        snprintf(proto, sizeof proto, "%s", m->protocol);
        snprintf(state, sizeof state, "%s", m->state);
    } else {
        ferry_group_info *g;
        int ng;
        if (ferry_admin_group_list(admin(c), &g, &ng) == 0) {
            for (int i = 0; i < ng; i++)
                if (!strcmp(g[i].name, group)) {
                    snprintf(proto, sizeof proto, "%s", g[i].protocol);
                    snprintf(state, sizeof state, "%s", g[i].state);
                }
            free(g);
        }
    }
    int64_t total = 0;
    int any_lag = 0;
    if (c->json) {
        json_t *members = json_array(), *subs = json_array(),
               *offs = json_array();
        for (int i = 0; m && i < m->member_count; i++) {
            json_t *as = json_array();
            for (int k = 0; k < m->members[i].assigned_count; k++)
                json_array_append_new(
                    as, json_pack("{s:s,s:s,s:i}", "topic",
                                  m->members[i].assigned[k].topic, "broker",
                                  m->members[i].assigned[k].broker_name,
                                  "queue", m->members[i].assigned[k].queue_id));
            json_array_append_new(
                members, json_pack("{s:s,s:s,s:s,s:o}", "clientId",
                                   m->members[i].client_id, "clientAddr",
                                   m->members[i].client_addr, "language",
                                   m->members[i].language, "assigned", as));
        }
        for (int i = 0; m && i < m->subscription_count; i++)
            json_array_append_new(
                subs, json_pack("{s:s,s:s}", "topic", m->subscriptions[i].topic,
                                "expression", m->subscriptions[i].expression));
        for (int i = 0; i < n; i++) {
            const ferry_member *o =
                owner_of(m, s[i].topic, s[i].broker_name, s[i].queue_id);
            int has = s[i].consumer_offset >= 0;
            int64_t lag = has ? s[i].broker_offset - s[i].consumer_offset : 0;
            if (lag < 0)
                lag = 0;
            if (has) {
                total += lag;
                any_lag = 1;
            }
            json_array_append_new(
                offs,
                json_pack("{s:s,s:s,s:i,s:o,s:I,s:o,s:o,s:o}", "topic",
                          s[i].topic, "broker", s[i].broker_name, "queue",
                          s[i].queue_id, "committedOffset",
                          has ? json_integer(s[i].consumer_offset)
                              : json_null(),
                          "endOffset", (json_int_t)s[i].broker_offset, "lag",
                          has ? json_integer(lag) : json_null(), "lastConsumed",
                          jtime(s[i].last_timestamp_ms), "consumer",
                          o ? json_string(o->client_id) : json_null()));
        }
        json_t *j =
            json_pack("{s:s,s:s,s:s,s:i,s:o,s:o,s:o,s:o,s:o}", "group", group,
                      "protocol", proto[0] ? proto : "unknown", "state", state,
                      "memberCount", m ? m->member_count : 0, "members",
                      members, "subscriptions", subs, "offsets", offs,
                      "totalLag", any_lag ? json_integer(total) : json_null(),
                      "subscriptionConflicts", subscription_conflicts(m, 1));
        free(s);
        ferry_group_members_free(m);
        return print_json(j);
    }
    printf("Group %s: %s, %s, %d live member(s)\n\n", group,
           proto[0] ? proto : "protocol unknown", state,
           m ? m->member_count : 0);
    json_t *conflicts = subscription_conflicts(m, 0);
    if (json_array_size(conflicts))
        fputc('\n', stdout);
    json_decref(conflicts);
    cli_table t;
    static const char *const h[] = {"TOPIC",          "BROKER",         "QUEUE",
                                    "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG",
                                    "CONSUMER-ID",    "LAST-CONSUMED"};
    cli_table_init(&t, 8, h);
    for (int i = 0; i < n; i++) {
        const ferry_member *o =
            owner_of(m, s[i].topic, s[i].broker_name, s[i].queue_id);
        char cur[32], end[32], lag[32], ts[40], qid[16];
        int has = s[i].consumer_offset >= 0;
        int64_t l = has ? s[i].broker_offset - s[i].consumer_offset : 0;
        if (l < 0)
            l = 0;
        if (has)
            total += l;
        cli_format_time(s[i].last_timestamp_ms, ts, sizeof ts);
        snprintf(qid, sizeof qid, "%d", s[i].queue_id);
        const char *row[] = {
            s[i].topic,
            s[i].broker_name,
            qid,
            has ? fmt_i64(cur, sizeof cur, s[i].consumer_offset) : "-",
            fmt_i64(end, sizeof end, s[i].broker_offset),
            has ? fmt_i64(lag, sizeof lag, l) : "-",
            o ? o->client_id : "-",
            ts};
        cli_table_add(&t, row);
    }
    cli_table_print(&t, stdout);
    cli_table_release(&t);
    printf("\nTotal lag: %" PRId64 "\n", total);
    if (m && m->member_count) {
        static const char *const h2[] = {"CONSUMER-ID", "HOST", "LANGUAGE",
                                         "ASSIGNED"};
        cli_table_init(&t, 4, h2);
        for (int i = 0; i < m->member_count; i++) {
            char as[1024] = "";
            size_t o = 0;
            for (int k = 0; k < m->members[i].assigned_count && o < 900; k++)
                o += (size_t)snprintf(as + o, sizeof as - o, "%s%s-%d",
                                      k ? "," : "",
                                      m->members[i].assigned[k].topic,
                                      m->members[i].assigned[k].queue_id);
            const char *row[] = {
                m->members[i].client_id, m->members[i].client_addr,
                m->members[i].language,
                m->members[i].assigned_count ? as : "(client-side rebalance)"};
            cli_table_add(&t, row);
        }
        fputc('\n', stdout);
        cli_table_print(&t, stdout);
        cli_table_release(&t);
    }
    free(s);
    ferry_group_members_free(m);
    return CTL_OK;
}

static int cmd_group_reset(ctl *c, cmdctx *x)
{
    if (x->args.npos != 1)
        return usage_error("group reset-offsets: one group name expected");
    const char *group = x->args.pos[0];
    const char *topic = opt(x, "topic");
    if (!topic)
        return usage_error("group reset-offsets: --topic is required");
    int modes = (opt(x, "to-earliest") != NULL) +
                (opt(x, "to-latest") != NULL) +
                (opt(x, "to-datetime") != NULL) + (opt(x, "to-offset") != NULL);
    if (modes != 1)
        return usage_error("group reset-offsets: give exactly one of "
                           "--to-earliest, --to-latest, --to-datetime, "
                           "--to-offset");
    if (opt(x, "dry-run") && opt(x, "execute"))
        return usage_error("--dry-run and --execute exclude each other");
    int dry = opt(x, "execute") == NULL;
    ferry_reset_to to = FERRY_RESET_EARLIEST;
    int64_t value = 0, qid;
    if (opt(x, "to-latest"))
        to = FERRY_RESET_LATEST;
    if (opt(x, "to-datetime")) {
        to = FERRY_RESET_TIMESTAMP;
        if (opt_time(x, "to-datetime", &value) < 0)
            return CTL_USAGE;
    }
    if (opt(x, "to-offset")) {
        to = FERRY_RESET_OFFSET;
        if (opt_i64(x, "to-offset", 0, 0, INT64_MAX, &value) != 0)
            return CTL_USAGE;
    }
    if (opt_i64(x, "queue", -1, 0, 65535, &qid) != 0)
        return CTL_USAGE;
    /* current offsets, for the before/after view */
    ferry_consume_stats *s = NULL;
    int ns = 0;
    int rc = ferry_admin_consume_stats(admin(c), group, topic, &s, &ns);
    if (rc != 0 && rc != FERRY_ERR_NOT_FOUND)
        return fail(rc, "offsets of group %s", group);
    ferry_queue_offset *qo;
    int n;
    rc = ferry_admin_reset_offsets(admin(c), group, topic, to, value, (int)qid,
                                   dry, &qo, &n);
    if (rc != 0) {
        free(s);
        return fail(rc, "resetting offsets of group %s on topic %s", group,
                    topic);
    }
    json_t *arr = c->json ? json_array() : NULL;
    cli_table t;
    static const char *const h[] = {"TOPIC", "BROKER", "QUEUE",
                                    "CURRENT-OFFSET", "NEW-OFFSET"};
    if (!c->json)
        cli_table_init(&t, 5, h);
    for (int i = 0; i < n; i++) {
        int64_t cur = -1;
        for (int k = 0; k < ns; k++)
            if (s[k].queue_id == qo[i].queue.queue_id &&
                !strcmp(s[k].broker_name, qo[i].queue.broker_name) &&
                !strcmp(s[k].topic, qo[i].queue.topic))
                cur = s[k].consumer_offset;
        if (c->json) {
            json_array_append_new(
                arr,
                json_pack("{s:s,s:s,s:i,s:o,s:I}", "topic", qo[i].queue.topic,
                          "broker", qo[i].queue.broker_name, "queue",
                          qo[i].queue.queue_id, "previousOffset",
                          cur >= 0 ? json_integer(cur) : json_null(),
                          "newOffset", (json_int_t)qo[i].offset));
        } else {
            char cb[32], nb[32], qb[16];
            snprintf(qb, sizeof qb, "%d", qo[i].queue.queue_id);
            const char *row[] = {qo[i].queue.topic, qo[i].queue.broker_name, qb,
                                 cur >= 0 ? fmt_i64(cb, sizeof cb, cur) : "-",
                                 fmt_i64(nb, sizeof nb, qo[i].offset)};
            cli_table_add(&t, row);
        }
    }
    free(s);
    free(qo);
    if (c->json)
        return print_json(json_pack("{s:s,s:s,s:b,s:o}", "group", group,
                                    "topic", topic, "dryRun", dry, "offsets",
                                    arr));
    cli_table_print(&t, stdout);
    cli_table_release(&t);
    if (dry)
        printf("\nDry run: nothing changed. Add --execute to apply.\n");
    else
        printf("\nOffsets of group %s reset.\n", group);
    return CTL_OK;
}

static int cmd_group_delete(ctl *c, cmdctx *x)
{
    if (x->args.npos != 1)
        return usage_error("group delete: one group name expected");
    const char *group = x->args.pos[0];
    int rc = ferry_admin_delete_group(admin(c), opt(x, "cluster"), group);
    if (rc != 0)
        return fail(rc, "deleting group %s", group);
    if (c->json)
        return print_json(json_pack("{s:s,s:b}", "group", group, "deleted", 1));
    printf("Deleted group %s (its committed offsets)\n", group);
    return CTL_OK;
}

/* ------------------------------------------------------------------ */
/* messages                                                            */
/* ------------------------------------------------------------------ */

static json_t *msg_json(const ferry_rmsg *m)
{
    json_t *props = json_object();
    for (int i = 0; i < m->prop_count; i++)
        json_object_set_new(props, m->props[i].key,
                            json_string(m->props[i].value));
    json_t *j = json_pack(
        "{s:s,s:s,s:i,s:I,s:I,s:s,s:s,s:s,s:s,s:o,s:o,s:I,s:I,s:i,s:i,s:o}",
        "topic", m->topic, "broker", m->broker_name, "queue", m->queue_id,
        "queueOffset", (json_int_t)m->queue_offset, "commitLogOffset",
        (json_int_t)m->commitlog_offset, "msgId", m->msg_id, "offsetMsgId",
        m->offset_msg_id, "tags", m->tags, "keys", m->keys, "bornTime",
        jtime(m->born_timestamp), "storeTime", jtime(m->store_timestamp),
        "bornTimestamp", (json_int_t)m->born_timestamp, "storeTimestamp",
        (json_int_t)m->store_timestamp, "reconsumeTimes", m->reconsume_times,
        "bodyLength", (int)m->body_len, "properties", props);
    if (cli_is_text(m->body, m->body_len)) {
        json_object_set_new(j, "body", json_stringn(m->body, m->body_len));
    } else {
        char *hex = malloc(m->body_len * 2 + 1);
        if (hex) {
            for (size_t i = 0; i < m->body_len; i++)
                sprintf(hex + 2 * i, "%02x",
                        ((const unsigned char *)m->body)[i]);
            hex[m->body_len * 2] = '\0';
            json_object_set_new(j, "bodyHex", json_string(hex));
            free(hex);
        }
    }
    return j;
}

static void msg_print(const ferry_rmsg *m)
{
    char born[40], stored[40];
    cli_format_time(m->born_timestamp, born, sizeof born);
    cli_format_time(m->store_timestamp, stored, sizeof stored);
    printf("Topic:          %s\n", m->topic);
    printf("Queue:          %s %d, offset %" PRId64 "\n",
           m->broker_name[0] ? m->broker_name : "-", m->queue_id,
           m->queue_offset);
    printf("Msg id:         %s\n", m->msg_id);
    printf("Offset msg id:  %s\n", m->offset_msg_id);
    printf("Tags:           %s\n", m->tags[0] ? m->tags : "-");
    printf("Keys:           %s\n", m->keys[0] ? m->keys : "-");
    printf("Born / stored:  %s / %s\n", born, stored);
    printf("Reconsume:      %d\n", m->reconsume_times);
    printf("Properties:    ");
    for (int i = 0; i < m->prop_count; i++)
        printf(" %s=%s", m->props[i].key, m->props[i].value);
    printf("\nBody (%zu bytes): ", m->body_len);
    if (cli_is_text(m->body, m->body_len))
        fwrite(m->body, 1, m->body_len, stdout);
    else
        for (size_t i = 0; i < m->body_len && i < 256; i++)
            printf("%02x", ((const unsigned char *)m->body)[i]);
    printf("\n\n");
}

static int print_msgs(ctl *c, ferry_rmsg *const *msgs, int n)
{
    if (c->json) {
        json_t *arr = json_array();
        for (int i = 0; i < n; i++)
            json_array_append_new(arr, msg_json(msgs[i]));
        return print_json(json_pack("{s:i,s:o}", "count", n, "messages", arr));
    }
    for (int i = 0; i < n; i++)
        msg_print(msgs[i]);
    if (n == 0)
        printf("No message.\n");
    return CTL_OK;
}

/* An offsetMsgId: hex of store IP (4 or 16 bytes), port (int32, which
 * must be a port: a UNIQ_KEY has pid and a hash there) and offset. */
static int is_offset_msg_id(const char *id)
{
    size_t n = strlen(id);
    if ((n != 32 && n != 56) || strspn(id, "0123456789ABCDEFabcdef") != n)
        return 0;
    char port[9];
    memcpy(port, id + (n == 32 ? 8 : 32), 8);
    port[8] = '\0';
    return strtoul(port, NULL, 16) <= 65535;
}

/* 1 if key is one of the space-separated keys of m (what QUERY_MESSAGE
 * matched by hash), or its UNIQ_KEY. */
static int msg_has_key(const ferry_rmsg *m, const char *key)
{
    size_t kl = strlen(key);
    if (!strcmp(m->msg_id, key))
        return 1;
    for (const char *p = m->keys; *p;) {
        size_t l = strcspn(p, " ");
        if (l == kl && !memcmp(p, key, kl))
            return 1;
        p += l;
        while (*p == ' ')
            p++;
    }
    return 0;
}

/* A message by offsetMsgId, or by UNIQ_KEY in topic (NULL: offsetMsgId
 * only).  *out holds one message on success. */
static int find_by_id(ctl *c, const char *id, const char *topic,
                      ferry_msg_list *out)
{
    int rc = FERRY_ERR_NOT_FOUND;
    memset(out, 0, sizeof(*out));
    if (is_offset_msg_id(id)) {
        rc = ferry_admin_view_message(admin(c), id, out);
        if (rc == 0 || !topic)
            return rc;
    }
    if (!topic)
        return FERRY_ERR_INVALID;
    ferry_msg_list all;
    rc = ferry_admin_query_by_key(admin(c), topic, id, 64, 0, 0, &all);
    if (rc != 0)
        return rc;
    /* keep the one(s) whose UNIQ_KEY is the id */
    for (int i = 0; i < all.count; i++) {
        if (strcmp(all.msgs[i]->msg_id, id) != 0)
            continue;
        out->msgs = malloc(sizeof(ferry_rmsg *));
        if (!out->msgs)
            break;
        out->msgs[0] = all.msgs[i];
        out->count = 1;
        all.msgs[i] = all.msgs[--all.count];
        break;
    }
    ferry_msg_list_free(&all);
    return out->count ? 0 : FERRY_ERR_NOT_FOUND;
}

static int cmd_message_id(ctl *c, cmdctx *x)
{
    ferry_msg_list l;
    if (x->args.npos != 1)
        return usage_error("message id: one message id expected");
    const char *id = x->args.pos[0];
    if (!is_offset_msg_id(id) && !opt(x, "topic"))
        return usage_error("message id: %s is not an offsetMsgId; a "
                           "UNIQ_KEY id needs --topic",
                           id);
    int rc = find_by_id(c, id, opt(x, "topic"), &l);
    if (rc != 0)
        return fail(rc, "message %s", id);
    rc = print_msgs(c, l.msgs, l.count);
    ferry_msg_list_free(&l);
    return rc;
}

static int cmd_message_key(ctl *c, cmdctx *x)
{
    ferry_msg_list l;
    int64_t max, begin = 0, end = 0;
    if (x->args.npos != 1)
        return usage_error("message key: one key expected");
    if (!opt(x, "topic"))
        return usage_error("message key: --topic is required");
    if (opt_i64(x, "max", 32, 1, 10000, &max) != 0 ||
        opt_time(x, "begin", &begin) < 0 || opt_time(x, "end", &end) < 0)
        return CTL_USAGE;
    int rc = ferry_admin_query_by_key(admin(c), opt(x, "topic"), x->args.pos[0],
                                      (int)max, begin, end, &l);
    if (rc != 0)
        return fail(rc, "messages with key %s", x->args.pos[0]);
    /* the index matches by hash: keep the real matches, as mqadmin does */
    int kept = 0;
    ferry_msg_list drop = {NULL, 0};
    drop.msgs = malloc((size_t)l.count * sizeof(*drop.msgs) + 1);
    for (int i = 0; i < l.count; i++) {
        if (msg_has_key(l.msgs[i], x->args.pos[0]))
            l.msgs[kept++] = l.msgs[i];
        else if (drop.msgs)
            drop.msgs[drop.count++] = l.msgs[i];
    }
    l.count = kept;
    ferry_msg_list_free(&drop);
    if (kept == 0) {
        ferry_msg_list_free(&l);
        fprintf(stderr, "ferryctl: no message with key %s in %s\n",
                x->args.pos[0], opt(x, "topic"));
        return CTL_NOT_FOUND;
    }
    rc = print_msgs(c, l.msgs, l.count);
    ferry_msg_list_free(&l);
    return rc;
}

/* Appends up to max messages of q from offset (until end, exclusive, or
 * the queue's end) matching [begin_ms, end_ms] (0: no bound). */
static int pull_range(ctl *c, const ferry_queue *q, int64_t offset, int64_t end,
                      int max, int64_t begin_ms, int64_t end_ms,
                      ferry_msg_list *out)
{
    while (out->count < max && (end < 0 || offset < end)) {
        ferry_pull_result r;
        int want = max - out->count;
        if (want > 32)
            want = 32;
        int rc = ferry_pull(puller(c), q, offset, want, NULL, 0, &r);
        if (rc != 0)
            return rc;
        if (r.status == FERRY_PULL_OFFSET_ILLEGAL && offset < r.min_offset) {
            offset = r.min_offset;
            ferry_pull_result_release(&r);
            continue;
        }
        if (r.status != FERRY_PULL_FOUND &&
            r.status != FERRY_PULL_NO_MATCHED_MSG) {
            ferry_pull_result_release(&r);
            break;
        }
        int stop = 0;
        for (int i = 0; i < r.msgs.count; i++) {
            ferry_rmsg *m = r.msgs.msgs[i];
            if ((end >= 0 && m->queue_offset >= end) || out->count >= max ||
                (end_ms > 0 && m->store_timestamp > end_ms)) {
                stop = 1;
                continue;
            }
            if (begin_ms > 0 && m->store_timestamp < begin_ms)
                continue;
            ferry_rmsg **nm =
                realloc(out->msgs, (size_t)(out->count + 1) * sizeof(*nm));
            if (!nm) {
                ferry_pull_result_release(&r);
                return FERRY_ERR_NOMEM;
            }
            out->msgs = nm;
            out->msgs[out->count++] = m;
            r.msgs.msgs[i] = NULL;
        }
        /* the list holds NULLs where messages moved to out: compact it
         * so the release frees only the rest */
        int64_t next = r.next_begin_offset;
        int kept = 0;
        for (int i = 0; i < r.msgs.count; i++)
            if (r.msgs.msgs[i])
                r.msgs.msgs[kept++] = r.msgs.msgs[i];
        r.msgs.count = kept;
        ferry_pull_result_release(&r);
        if (stop || next <= offset)
            break;
        offset = next;
    }
    return 0;
}

static int queues_of(ctl *c, const char *topic, ferry_queue **qs, int *n)
{
    return ferry_pull_consumer_queues(puller(c), topic, qs, n);
}

static int cmd_message_print(ctl *c, cmdctx *x)
{
    const char *topic = opt(x, "topic");
    int64_t qid, offset, count;
    ferry_queue *qs;
    int nq;
    if (!topic)
        return usage_error("message print: --topic is required");
    if (opt_i64(x, "queue", -1, 0, 65535, &qid) != 0 ||
        opt_i64(x, "offset", 0, 0, INT64_MAX, &offset) != 0 ||
        opt_i64(x, "count", 10, 1, 100000, &count) != 0)
        return CTL_USAGE;
    int rc = queues_of(c, topic, &qs, &nq);
    if (rc != 0)
        return fail(rc, "queues of topic %s", topic);
    ferry_msg_list out = {NULL, 0};
    for (int i = 0; i < nq && rc == 0; i++) {
        if ((qid >= 0 && qs[i].queue_id != qid) ||
            (opt(x, "broker") && strcmp(opt(x, "broker"), qs[i].broker_name)))
            continue;
        ferry_msg_list part = {NULL, 0};
        rc = pull_range(c, &qs[i], offset, offset + count, (int)count, 0, 0,
                        &part);
        for (int k = 0; k < part.count; k++) {
            ferry_rmsg **nm =
                realloc(out.msgs, (size_t)(out.count + 1) * sizeof(*nm));
            if (!nm)
                break;
            out.msgs = nm;
            out.msgs[out.count++] = part.msgs[k];
        }
        free(part.msgs);
    }
    free(qs);
    if (rc != 0) {
        ferry_msg_list_free(&out);
        return fail(rc, "reading topic %s", topic);
    }
    rc = print_msgs(c, out.msgs, out.count);
    ferry_msg_list_free(&out);
    return rc;
}

static int cmd_message_time(ctl *c, cmdctx *x)
{
    const char *topic = opt(x, "topic");
    int64_t begin = 0, end = 0, max;
    ferry_queue *qs;
    int nq;
    if (!topic)
        return usage_error("message time: --topic is required");
    int hb = opt_time(x, "begin", &begin), he = opt_time(x, "end", &end);
    if (hb < 0 || he < 0 || opt_i64(x, "max", 32, 1, 100000, &max) != 0)
        return CTL_USAGE;
    if (hb == 0)
        return usage_error("message time: --begin is required");
    if (he == 0)
        end = now_ms();
    int rc = queues_of(c, topic, &qs, &nq);
    if (rc != 0)
        return fail(rc, "queues of topic %s", topic);
    ferry_msg_list out = {NULL, 0};
    for (int i = 0; i < nq && rc == 0 && out.count < max; i++) {
        int64_t from, to;
        rc = ferry_pull_consumer_search_offset(puller(c), &qs[i], begin, &from);
        if (rc == 0)
            rc = ferry_pull_consumer_max_offset(puller(c), &qs[i], &to);
        if (rc != 0)
            break;
        ferry_msg_list part = {NULL, 0};
        rc = pull_range(c, &qs[i], from, to, (int)(max - out.count), begin, end,
                        &part);
        for (int k = 0; k < part.count; k++) {
            ferry_rmsg **nm =
                realloc(out.msgs, (size_t)(out.count + 1) * sizeof(*nm));
            if (!nm)
                break;
            out.msgs = nm;
            out.msgs[out.count++] = part.msgs[k];
        }
        free(part.msgs);
    }
    free(qs);
    if (rc != 0) {
        ferry_msg_list_free(&out);
        return fail(rc, "reading topic %s", topic);
    }
    rc = print_msgs(c, out.msgs, out.count);
    ferry_msg_list_free(&out);
    return rc;
}

/* Properties the broker or client sets: not carried over by resend. */
static int is_reserved_prop(const char *k)
{
    static const char *const reserved[] = {"TAGS",
                                           "KEYS",
                                           "WAIT",
                                           "DELAY",
                                           "UNIQ_KEY",
                                           "REAL_TOPIC",
                                           "REAL_QID",
                                           "TRAN_MSG",
                                           "PGROUP",
                                           "__transactionId__",
                                           "TRAN_PREPARED_QUEUE_OFFSET",
                                           "TRANSACTION_CHECK_TIMES",
                                           "CHECK_IMMUNITY_TIME_IN_SECONDS",
                                           "RETRY_TOPIC",
                                           "RECONSUME_TIME",
                                           "MAX_RECONSUME_TIMES",
                                           "MIN_OFFSET",
                                           "MAX_OFFSET",
                                           "CLUSTER",
                                           "MSG_REGION",
                                           "TRACE_ON",
                                           "CONSUME_START_TIME",
                                           "__CRC32#",
                                           "DLQ_ORIGIN_TOPIC",
                                           "DLQ_ORIGIN_MESSAGE_ID",
                                           "ORIGIN_MESSAGE_ID",
                                           "INNER_NUM",
                                           "INNER_BASE",
                                           NULL};
    for (int i = 0; reserved[i]; i++)
        if (!strcmp(k, reserved[i]))
            return 1;
    return 0;
}

static int send_and_report(ctl *c, const ferry_msg *msg, const char *what,
                           json_t *extra)
{
    ferry_send_result r;
    int rc = ferry_producer_send(producer(c), msg, &r);
    if (rc != 0) {
        json_decref(extra);
        return fail(rc, "%s", what);
    }
    if (c->json) {
        json_t *j =
            json_pack("{s:s,s:s,s:s,s:s,s:i,s:I}", "topic", msg->topic, "msgId",
                      r.msg_id, "offsetMsgId", r.offset_msg_id, "broker",
                      r.queue.broker_name, "queue", r.queue.queue_id,
                      "queueOffset", (json_int_t)r.queue_offset);
        if (extra)
            json_object_update(j, extra);
        json_decref(extra);
        return print_json(j);
    }
    json_decref(extra);
    printf("Sent to %s (%s queue %d, offset %" PRId64 "): msgId %s, "
           "offsetMsgId %s\n",
           msg->topic, r.queue.broker_name, r.queue.queue_id, r.queue_offset,
           r.msg_id, r.offset_msg_id);
    return CTL_OK;
}

static int cmd_message_send(ctl *c, cmdctx *x)
{
    const char *topic = opt(x, "topic");
    ferry_prop props[16];
    int np = 0;
    char *copies[16];
    if (!topic)
        return usage_error("message send: --topic is required");
    if (x->args.npos != 1)
        return usage_error("message send: one body argument expected");
    int pk = cli_index(x->opts, x->nopts, "prop");
    for (int i = 0; pk >= 0 && i < x->args.count[pk]; i++) {
        const char *pv = x->args.all[pk][i];
        const char *eq = strchr(pv, '=');
        if (!eq || eq == pv) {
            for (int k = 0; k < np; k++)
                free(copies[k]);
            return usage_error("--prop: expected key=value, got '%s'", pv);
        }
        copies[np] = strndup(pv, (size_t)(eq - pv));
        props[np].key = copies[np];
        props[np].value = eq + 1;
        np++;
    }
    ferry_msg m;
    memset(&m, 0, sizeof m);
    m.topic = topic;
    m.tags = opt(x, "tag");
    m.keys = opt(x, "key");
    m.body = x->args.pos[0];
    m.body_len = strlen(x->args.pos[0]);
    m.props = np ? props : NULL;
    m.prop_count = np;
    int rc = send_and_report(c, &m, "sending", NULL);
    for (int i = 0; i < np; i++)
        free(copies[i]);
    return rc;
}

static int cmd_message_resend(ctl *c, cmdctx *x)
{
    const char *group = opt(x, "group");
    const char *id = opt(x, "id");
    char dlq[300];
    ferry_msg_list l = {NULL, 0};
    int rc;
    if (!group)
        return usage_error("message resend: --group is required");
    snprintf(dlq, sizeof dlq, "%%DLQ%%%s", group);
    if (id) {
        rc = find_by_id(c, id, dlq, &l);
    } else {
        int64_t qid, offset;
        if (!opt(x, "offset"))
            return usage_error("message resend: --id, or --offset (and "
                               "--queue) is required");
        if (opt_i64(x, "queue", 0, 0, 65535, &qid) != 0 ||
            opt_i64(x, "offset", 0, 0, INT64_MAX, &offset) != 0)
            return CTL_USAGE;
        ferry_queue *qs;
        int nq;
        rc = queues_of(c, dlq, &qs, &nq);
        if (rc == 0) {
            rc = FERRY_ERR_NOT_FOUND;
            for (int i = 0; i < nq; i++)
                if (qs[i].queue_id == qid) {
                    rc = pull_range(c, &qs[i], offset, offset + 1, 1, 0, 0, &l);
                    break;
                }
            free(qs);
            if (rc == 0 && l.count == 0)
                rc = FERRY_ERR_NOT_FOUND;
        }
    }
    if (rc != 0)
        return fail(rc, "reading the message from %s", dlq);
    const ferry_rmsg *m = l.msgs[0];
    /* the broker re-sends it itself (same msgId) when it can */
    if (!opt(x, "to-topic") && m->offset_msg_id[0]) {
        ferry_send_result r;
        rc = ferry_admin_dlq_resend(admin(c), m->offset_msg_id, &r);
        if (rc == 0) {
            int ret;
            if (c->json) {
                ret = print_json(json_pack(
                    "{s:s,s:s,s:s,s:i,s:I,s:s,s:s,s:I,s:s}", "topic",
                    r.queue.topic, "msgId", r.msg_id, "offsetMsgId",
                    r.offset_msg_id, "queue", r.queue.queue_id, "queueOffset",
                    (json_int_t)r.queue_offset, "resentFrom", m->msg_id,
                    "dlqTopic", dlq, "dlqOffset", (json_int_t)m->queue_offset,
                    "via", "broker"));
            } else {
                printf("Re-sent %s to %s (queue %d, offset %" PRId64
                       ") by the broker\n",
                       m->msg_id, r.queue.topic, r.queue.queue_id,
                       r.queue_offset);
                ret = CTL_OK;
            }
            ferry_msg_list_free(&l);
            return ret;
        }
        if (ferry_last_response_code() != 3) { /* not: code unsupported */
            ferry_msg_list_free(&l);
            return fail(rc, "re-sending %s", m->offset_msg_id);
        }
    }
    const char *target = opt(x, "to-topic");
    if (!target)
        target = ferry_rmsg_property(m, "RETRY_TOPIC");
    if (!target)
        target = ferry_rmsg_property(m, "DLQ_ORIGIN_TOPIC");
    if (!target || !*target) {
        ferry_msg_list_free(&l);
        return usage_error("message resend: the message names no original "
                           "topic (RETRY_TOPIC); give --to-topic");
    }
    char *target_copy = strdup(target);
    ferry_prop *props = calloc((size_t)m->prop_count + 1, sizeof *props);
    int np = 0;
    for (int i = 0; props && i < m->prop_count; i++)
        if (!is_reserved_prop(m->props[i].key))
            props[np++] = m->props[i];
    if (props) {
        props[np].key = "ORIGIN_MESSAGE_ID";
        props[np].value = m->msg_id;
        np++;
    }
    ferry_msg msg;
    memset(&msg, 0, sizeof msg);
    msg.topic = target_copy;
    msg.tags = m->tags[0] ? m->tags : NULL;
    msg.keys = m->keys[0] ? m->keys : NULL;
    msg.body = m->body;
    msg.body_len = m->body_len;
    msg.props = props;
    msg.prop_count = np;
    msg.flag = m->flag;
    json_t *extra =
        c->json ? json_pack("{s:s,s:s,s:I,s:s}", "resentFrom", m->msg_id,
                            "dlqTopic", dlq, "dlqOffset",
                            (json_int_t)m->queue_offset, "via", "client")
                : NULL;
    rc = send_and_report(c, &msg, "re-sending", extra);
    free(props);
    free(target_copy);
    ferry_msg_list_free(&l);
    return rc;
}

/* ------------------------------------------------------------------ */
/* cluster, broker, transactions                                       */
/* ------------------------------------------------------------------ */

static const char *kv_get(const ferry_kv_list *l, const char *key)
{
    for (int i = 0; i < l->count; i++)
        if (!strcmp(l->kv[i].key, key))
            return l->kv[i].value;
    return NULL;
}

static int cmd_cluster_list(ctl *c, cmdctx *x)
{
    ferry_route *r;
    (void)x;
    int rc = ferry_admin_cluster_info(admin(c), &r);
    if (rc != 0)
        return fail(rc, "cluster info");
    json_t *arr = c->json ? json_array() : NULL;
    cli_table t;
    static const char *const h[] = {"CLUSTER", "BROKER", "ADDR", "VERSION",
                                    "COMMITLOG-MAX"};
    if (!c->json)
        cli_table_init(&t, 5, h);
    for (int i = 0; i < r->broker_count; i++) {
        ferry_kv_list kv = {NULL, 0};
        const char *ver = NULL, *max = NULL;
        if (r->brokers[i].addr[0] &&
            ferry_admin_broker_runtime_info(admin(c), r->brokers[i].addr,
                                            &kv) == 0) {
            ver = kv_get(&kv, "brokerVersionDesc");
            max = kv_get(&kv, "commitLogMaxOffset");
        }
        if (c->json) {
            json_array_append_new(
                arr, json_pack("{s:s,s:s,s:s,s:o,s:o}", "cluster",
                               r->brokers[i].cluster, "broker",
                               r->brokers[i].name, "addr", r->brokers[i].addr,
                               "version", ver ? json_string(ver) : json_null(),
                               "alive", json_boolean(ver != NULL)));
        } else {
            const char *row[] = {r->brokers[i].cluster, r->brokers[i].name,
                                 r->brokers[i].addr, ver ? ver : "(no answer)",
                                 max};
            cli_table_add(&t, row);
        }
        ferry_kv_list_free(&kv);
    }
    ferry_route_free(r);
    if (c->json)
        return print_json(json_pack("{s:o}", "brokers", arr));
    cli_table_print(&t, stdout);
    cli_table_release(&t);
    return CTL_OK;
}

static int cmp_prop(const void *a, const void *b)
{
    return strcmp(((const ferry_prop *)a)->key, ((const ferry_prop *)b)->key);
}

static int print_kv(ctl *c, ferry_kv_list *kv, const cmdctx *x, int from)
{
    qsort(kv->kv, (size_t)kv->count, sizeof(ferry_prop), cmp_prop);
    json_t *o = c->json ? json_object() : NULL;
    cli_table t;
    static const char *const h[] = {"KEY", "VALUE"};
    int shown = 0;
    if (!c->json)
        cli_table_init(&t, 2, h);
    for (int i = 0; i < kv->count; i++) {
        int want = x->args.npos <= from;
        for (int k = from; k < x->args.npos; k++)
            want |= !strcmp(x->args.pos[k], kv->kv[i].key);
        if (!want)
            continue;
        shown++;
        if (c->json) {
            json_object_set_new(o, kv->kv[i].key, json_string(kv->kv[i].value));
        } else {
            const char *row[] = {kv->kv[i].key, kv->kv[i].value};
            cli_table_add(&t, row);
        }
    }
    if (x->args.npos > from && shown < x->args.npos - from) {
        for (int k = from; k < x->args.npos; k++)
            if (!kv_get(kv, x->args.pos[k]))
                fprintf(stderr, "ferryctl: no key %s\n", x->args.pos[k]);
        json_decref(o);
        if (!c->json)
            cli_table_release(&t);
        return CTL_NOT_FOUND;
    }
    if (c->json)
        return print_json(o);
    cli_table_print(&t, stdout);
    cli_table_release(&t);
    return CTL_OK;
}

static int cmd_broker_status(ctl *c, cmdctx *x)
{
    ferry_kv_list kv;
    int rc = ferry_admin_broker_runtime_info(admin(c), opt(x, "broker"), &kv);
    if (rc != 0)
        return fail(rc, "broker runtime info");
    rc = print_kv(c, &kv, x, 0);
    ferry_kv_list_free(&kv);
    return rc;
}

static int cmd_broker_config(ctl *c, cmdctx *x)
{
    const char *verb = x->args.npos ? x->args.pos[0] : "get";
    if (!strcmp(verb, "get")) {
        ferry_kv_list kv;
        int rc = ferry_admin_broker_config_get(admin(c), opt(x, "broker"), &kv);
        if (rc != 0)
            return fail(rc, "broker config");
        rc = print_kv(c, &kv, x, x->args.npos ? 1 : 0);
        ferry_kv_list_free(&kv);
        return rc;
    }
    if (strcmp(verb, "set") != 0)
        return usage_error("broker config: get or set expected, not '%s'",
                           verb);
    int n = x->args.npos - 1;
    if (n <= 0)
        return usage_error("broker config set: key=value expected");
    ferry_prop kv[CLI_MAX_POS];
    char *keys[CLI_MAX_POS];
    for (int i = 0; i < n; i++) {
        const char *a = x->args.pos[i + 1];
        const char *eq = strchr(a, '=');
        if (!eq || eq == a) {
            for (int k = 0; k < i; k++)
                free(keys[k]);
            return usage_error("broker config set: '%s' is not key=value", a);
        }
        keys[i] = strndup(a, (size_t)(eq - a));
        kv[i].key = keys[i];
        kv[i].value = eq + 1;
    }
    int rc =
        ferry_admin_broker_config_update(admin(c), opt(x, "broker"), kv, n);
    json_t *o = c->json && rc == 0 ? json_object() : NULL;
    for (int i = 0; i < n; i++) {
        if (o)
            json_object_set_new(o, kv[i].key, json_string(kv[i].value));
        else if (rc == 0)
            printf("%s=%s\n", kv[i].key, kv[i].value);
    }
    for (int i = 0; i < n; i++)
        free(keys[i]);
    if (rc != 0) {
        json_decref(o);
        return fail(rc, "updating the broker configuration");
    }
    if (o)
        return print_json(json_pack("{s:o}", "updated", o));
    return CTL_OK;
}

/* offsetMsgId of a CommitLog position on the broker at addr "a.b.c.d:p". */
static void offset_msg_id(const char *addr, int64_t pos, char *out, size_t len)
{
    unsigned a, b, c, d, port;
    if (sscanf(addr, "%u.%u.%u.%u:%u", &a, &b, &c, &d, &port) != 5) {
        snprintf(out, len, "-");
        return;
    }
    snprintf(out, len, "%02X%02X%02X%02X%08X%016" PRIX64, a & 255, b & 255,
             c & 255, d & 255, port, (uint64_t)pos);
}

static int cmd_txn_pending(ctl *c, cmdctx *x)
{
    ferry_pending_txn *p;
    int n;
    int64_t total;
    (void)x;
    int rc = ferry_admin_pending_transactions(admin(c), &p, &n, &total);
    if (rc != 0)
        return fail(rc, "pending transactions");
    if (c->json) {
        json_t *arr = json_array();
        for (int i = 0; i < n; i++) {
            char id[64];
            offset_msg_id(p[i].broker_addr, p[i].commit_log_offset, id,
                          sizeof id);
            json_array_append_new(
                arr,
                json_pack("{s:s,s:s,s:I,s:I,s:s,s:o,s:i}", "broker",
                          p[i].broker_name, "producerGroup",
                          p[i].producer_group, "halfOffset",
                          (json_int_t)p[i].queue_offset, "commitLogOffset",
                          (json_int_t)p[i].commit_log_offset, "offsetMsgId", id,
                          "firstSeen", jtime(p[i].first_timestamp_ms), "checks",
                          p[i].check_times));
        }
        free(p);
        return print_json(
            json_pack("{s:I,s:o}", "total", (json_int_t)total, "pending", arr));
    }
    cli_table t;
    static const char *const h[] = {"BROKER",      "PRODUCER-GROUP",
                                    "HALF-OFFSET", "FIRST-SEEN",
                                    "CHECKS",      "OFFSET-MSG-ID"};
    cli_table_init(&t, 6, h);
    for (int i = 0; i < n; i++) {
        char ts[40], id[64];
        cli_format_time(p[i].first_timestamp_ms, ts, sizeof ts);
        offset_msg_id(p[i].broker_addr, p[i].commit_log_offset, id, sizeof id);
        cli_table_addf(&t, "%s\t%s\t%" PRId64 "\t%s\t%d\t%s", p[i].broker_name,
                       p[i].producer_group, p[i].queue_offset, ts,
                       p[i].check_times, id);
    }
    cli_table_print(&t, stdout);
    cli_table_release(&t);
    printf("\n%" PRId64 " pending transaction(s)\n", total);
    free(p);
    return CTL_OK;
}

/* ------------------------------------------------------------------ */
/* the command table and help                                          */
/* ------------------------------------------------------------------ */

static const cli_opt common_opts[] = {
    {"namesrv", 'n', 1,
     "name server host:port[;host:port] (env "
     "FERRY_NAMESRV, default 127.0.0.1:9876)"},
    {"json", 0, 0, "print one JSON document instead of tables"},
    {"timeout", 0, 1, "request timeout in ms (default 3000)"},
    {"help", 'h', 0, "show this help"},
};
#define NCOMMON ((int)(sizeof common_opts / sizeof common_opts[0]))

#define O(n, s, a, h)                                                          \
    {                                                                          \
        n, s, a, h                                                             \
    }
static const cli_opt o_none[] = {O("", 0, 0, "")};
static const cli_opt o_topic_list[] = {
    O("all", 'a', 0, "include system topics (%RETRY%, %DLQ%, TBW102, ...)")};
static const cli_opt o_topic_create[] = {
    O("queues", 'q', 1, "queues (Kafka partitions) per broker, default 8"),
    O("partitions", 'p', 1, "same as --queues"),
    O("cluster", 'c', 1, "only the brokers of this cluster"),
    O("broker", 'b', 1, "only this broker (host:port)")};
static const cli_opt o_cluster[] = {
    O("cluster", 'c', 1, "only the brokers of this cluster")};
static const cli_opt o_group_describe[] = {
    O("topic", 't', 1, "only this topic")};
static const cli_opt o_group_reset[] = {
    O("topic", 't', 1, "the topic (required)"),
    O("to-earliest", 0, 0, "to the first offset still stored"),
    O("to-latest", 0, 0, "to the end (skip everything)"),
    O("to-datetime", 0, 1,
      "to the first message stored at or after this time (ISO-8601, UTC "
      "unless a zone is given, or epoch ms)"),
    O("to-offset", 0, 1, "to this offset (clamped into each queue)"),
    O("queue", 'q', 1, "only this queue (partition)"),
    O("dry-run", 0, 0, "show the new offsets, change nothing (default)"),
    O("execute", 0, 0, "apply")};
static const cli_opt o_message_id[] = {
    O("topic", 't', 1, "topic to search for a UNIQ_KEY (client) id")};
static const cli_opt o_message_key[] = {
    O("topic", 't', 1, "the topic (required)"),
    O("max", 0, 1, "at most this many messages (default 32)"),
    O("begin", 0, 1, "stored at or after this time"),
    O("end", 0, 1, "stored at or before this time")};
static const cli_opt o_message_time[] = {
    O("topic", 't', 1, "the topic (required)"),
    O("begin", 0, 1, "stored at or after this time (required)"),
    O("end", 0, 1, "stored at or before this time (default now)"),
    O("max", 0, 1, "at most this many messages (default 32)")};
static const cli_opt o_message_print[] = {
    O("topic", 't', 1, "the topic (required)"),
    O("queue", 'q', 1, "only this queue (default: every queue)"),
    O("offset", 'o', 1, "first queue offset (default 0)"),
    O("count", 0, 1, "messages per queue (default 10)"),
    O("broker", 'b', 1, "only queues of this broker name")};
static const cli_opt o_message_send[] = {
    O("topic", 't', 1, "the topic (required)"),
    O("tag", 0, 1, "the message's tag"), O("key", 'k', 1, "its keys"),
    O("prop", 0, 1, "a user property key=value (repeatable)")};
static const cli_opt o_message_resend[] = {
    O("group", 'g', 1, "consumer group whose %DLQ% topic holds it (required)"),
    O("id", 0, 1, "offsetMsgId or UNIQ_KEY of the DLQ message"),
    O("queue", 'q', 1, "DLQ queue (with --offset; default 0)"),
    O("offset", 'o', 1, "DLQ queue offset"),
    O("to-topic", 0, 1, "send here instead of its RETRY_TOPIC")};
static const cli_opt o_broker[] = {
    O("broker", 'b', 1, "broker host:port (default: the first master)")};

typedef struct cmd {
    const char *noun;
    const char *verb;
    int (*fn)(ctl *c, cmdctx *x);
    const cli_opt *opts;
    int nopts;
    const char *args;
    const char *summary;
} cmd;

#define N(a) ((int)(sizeof a / sizeof a[0]))
static const cmd commands[] = {
    {"topic", "list", cmd_topic_list, o_topic_list, N(o_topic_list), "",
     "list topics (name server)"},
    {"topic", "create", cmd_topic_create_, o_topic_create, N(o_topic_create),
     "TOPIC", "create a topic on every broker (or one)"},
    {"topic", "update", cmd_topic_update, o_topic_create, N(o_topic_create),
     "TOPIC", "add queues to a topic"},
    {"topic", "delete", cmd_topic_delete, o_cluster, N(o_cluster), "TOPIC",
     "delete a topic from the brokers and name servers"},
    {"topic", "describe", cmd_topic_describe, o_none, 0, "TOPIC",
     "queues, brokers and offsets of a topic"},
    {"topic", "route", cmd_topic_route, o_none, 0, "TOPIC",
     "the name server's route of a topic"},
    {"topic", "stats", cmd_topic_stats, o_none, 0, "TOPIC",
     "min/max offset and last store time per queue"},
    {"group", "list", cmd_group_list, o_none, 0, "",
     "consumer groups (Kafka and RocketMQ)"},
    {"group", "describe", cmd_group_describe, o_group_describe,
     N(o_group_describe), "GROUP",
     "members, assigned queues, committed offsets and lag"},
    {"group", "reset-offsets", cmd_group_reset, o_group_reset, N(o_group_reset),
     "GROUP", "move a stopped group's offsets (dry run unless --execute)"},
    {"group", "delete", cmd_group_delete, o_cluster, N(o_cluster), "GROUP",
     "drop a stopped group's committed offsets"},
    {"message", "id", cmd_message_id, o_message_id, N(o_message_id), "MSGID",
     "a message by offsetMsgId (or UNIQ_KEY with --topic)"},
    {"message", "key", cmd_message_key, o_message_key, N(o_message_key), "KEY",
     "messages by key (KEYS, or a Kafka record key)"},
    {"message", "time", cmd_message_time, o_message_time, N(o_message_time), "",
     "messages stored in a time range"},
    {"message", "print", cmd_message_print, o_message_print, N(o_message_print),
     "", "messages from a queue offset"},
    {"message", "send", cmd_message_send, o_message_send, N(o_message_send),
     "BODY", "send one message"},
    {"message", "resend", cmd_message_resend, o_message_resend,
     N(o_message_resend), "",
     "re-send a dead-letter message to its original topic"},
    {"cluster", "list", cmd_cluster_list, o_none, 0, "",
     "brokers known to the name server"},
    {"broker", "status", cmd_broker_status, o_broker, N(o_broker), "[KEY...]",
     "a broker's runtime figures"},
    {"broker", "config", cmd_broker_config, o_broker, N(o_broker),
     "[get [KEY...] | set KEY=VALUE...]", "read or change configuration"},
    {"txn", "pending", cmd_txn_pending, o_none, 0, "",
     "transactions waiting for commit or rollback"},
};
#define NCMD ((int)(sizeof commands / sizeof commands[0]))

static void print_opts(FILE *f, const cli_opt *o, int n)
{
    for (int i = 0; i < n; i++) {
        char left[64];
        if (o[i].short_name)
            snprintf(left, sizeof left, "-%c, --%s%s", o[i].short_name,
                     o[i].name, o[i].has_arg ? " VALUE" : "");
        else
            snprintf(left, sizeof left, "    --%s%s", o[i].name,
                     o[i].has_arg ? " VALUE" : "");
        fprintf(f, "  %-28s %s\n", left, o[i].help);
    }
}

static void help_top(FILE *f)
{
    fprintf(f, "usage: ferryctl [-n host:port] [--json] NOUN VERB [ARGS] "
               "[OPTIONS]\n\n"
               "Administer Ferry (and RocketMQ-protocol brokers): topics, "
               "consumer groups\n(Kafka and RocketMQ alike), messages, "
               "cluster, broker.\n\ncommands:\n");
    for (int i = 0; i < NCMD; i++) {
        char left[64];
        snprintf(left, sizeof left, "%s %s", commands[i].noun,
                 commands[i].verb);
        fprintf(f, "  %-22s %s\n", left, commands[i].summary);
    }
    fprintf(f, "\noptions (every command):\n");
    print_opts(f, common_opts, NCOMMON);
    fprintf(f, "\nexit codes: 0 ok, 1 usage, 2 not found, 3 broker error, "
               "4 connection\n'ferryctl NOUN --help', 'ferryctl NOUN VERB "
               "--help' and 'ferryctl --help-all' say more.\n");
}

static void help_noun(FILE *f, const char *noun)
{
    fprintf(f, "usage: ferryctl %s VERB [ARGS] [OPTIONS]\n\nverbs:\n", noun);
    for (int i = 0; i < NCMD; i++)
        if (!strcmp(commands[i].noun, noun))
            fprintf(f, "  %-16s %s\n", commands[i].verb, commands[i].summary);
}

static void help_cmd(FILE *f, const cmd *k)
{
    fprintf(f, "usage: ferryctl %s %s %s [OPTIONS]\n\n%s\n\noptions:\n",
            k->noun, k->verb, k->args, k->summary);
    print_opts(f, k->opts, k->nopts);
    print_opts(f, common_opts, NCOMMON);
}

/* Every command with its options (the man page's COMMANDS section). */
static void help_all(FILE *f)
{
    fprintf(f, "options of every command:\n");
    print_opts(f, common_opts, NCOMMON);
    for (int i = 0; i < NCMD; i++) {
        const cmd *k = &commands[i];
        fprintf(f, "\nferryctl %s %s %s\n    %s\n", k->noun, k->verb, k->args,
                k->summary);
        print_opts(f, k->opts, k->nopts);
    }
}

int main(int argc, char **argv)
{
    ctl c;
    memset(&c, 0, sizeof c);
    c.namesrv = getenv("FERRY_NAMESRV");
    if (!c.namesrv || !*c.namesrv)
        c.namesrv = "127.0.0.1:9876";

    if (argc == 2 && !strcmp(argv[1], "--help-all")) {
        help_all(stdout);
        return CTL_OK;
    }
    /* leading common options, then NOUN VERB */
    int i = 1;
    cli_args lead;
    char err[256];
    while (i < argc && argv[i][0] == '-')
        i += (argv[i][1] == 'n' && !argv[i][2]) ||
                     !strcmp(argv[i], "--namesrv") ||
                     !strcmp(argv[i], "--timeout")
                 ? 2
                 : 1;
    if (i > argc)
        i = argc;
    if (cli_parse(i - 1, argv + 1, common_opts, NCOMMON, &lead, err,
                  sizeof err) != 0)
        return usage_error("%s", err);
    if (lead.value[3] || i >= argc) {
        help_top(lead.value[3] ? stdout : stderr);
        return lead.value[3] ? CTL_OK : CTL_USAGE;
    }
    const char *noun = argv[i];
    int known_noun = 0;
    for (int k = 0; k < NCMD; k++)
        known_noun |= !strcmp(commands[k].noun, noun);
    if (!known_noun)
        return usage_error("unknown command '%s'", noun);
    const char *verb = i + 1 < argc ? argv[i + 1] : NULL;
    if (!verb || verb[0] == '-') {
        int h = verb && (!strcmp(verb, "--help") || !strcmp(verb, "-h"));
        help_noun(h ? stdout : stderr, noun);
        return h ? CTL_OK : CTL_USAGE;
    }
    const cmd *k = NULL;
    for (int j = 0; j < NCMD; j++)
        if (!strcmp(commands[j].noun, noun) && !strcmp(commands[j].verb, verb))
            k = &commands[j];
    if (!k) {
        usage_error("unknown command '%s %s'", noun, verb);
        help_noun(stderr, noun);
        return CTL_USAGE;
    }
    /* the command's options plus the common ones */
    cli_opt table[CLI_MAX_OPTS];
    int nt = 0;
    for (int j = 0; j < k->nopts; j++)
        table[nt++] = k->opts[j];
    for (int j = 0; j < NCOMMON; j++)
        table[nt++] = common_opts[j];
    cmdctx x;
    memset(&x, 0, sizeof x);
    x.cmd = k;
    x.opts = table;
    x.nopts = nt;
    if (cli_parse(argc - i - 2, argv + i + 2, table, nt, &x.args, err,
                  sizeof err) != 0)
        return usage_error("%s %s: %s", noun, verb, err);
    /* merge the leading common options (later ones win) */
    for (int j = 0; j < NCOMMON; j++)
        if (lead.value[j] && !x.args.value[k->nopts + j])
            x.args.value[k->nopts + j] = lead.value[j];
    if (opt(&x, "help")) {
        help_cmd(stdout, k);
        return CTL_OK;
    }
    if (opt(&x, "namesrv"))
        c.namesrv = opt(&x, "namesrv");
    c.json = opt(&x, "json") != NULL;
    if (opt(&x, "timeout")) {
        int64_t t;
        if (cli_parse_i64(opt(&x, "timeout"), 1, 600000, &t) != 0)
            return usage_error("--timeout: expected 1..600000 ms");
        c.timeout_ms = (int)t;
    }
    int rc = k->fn(&c, &x);
    ferry_producer_free(c.producer);
    ferry_pull_consumer_free(c.pull);
    ferry_admin_free(c.admin);
    return rc;
}
