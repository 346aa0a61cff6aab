/*
 * kafka_admin.c - the Kafka admin APIs Ferry serves: DeleteTopics,
 * CreatePartitions, DescribeConfigs, AlterConfigs, IncrementalAlterConfigs
 * (topic configs), DescribeCluster, DescribeLogDirs and OffsetForLeaderEpoch
 * (single broker, fixed leader epoch 0).
 *
 * Topic configs: Ferry stores what clients set and reports, for every
 * known topic config, either that value (source DYNAMIC_TOPIC_CONFIG) or
 * the broker-wide effective value (source DEFAULT_CONFIG).  Retention and
 * segment sizes are broker-wide in this version (one CommitLog): per-topic
 * values are kept and shown but do not change retention yet.
 * Broker configs are described (from the config table) but changing them
 * at run time is not supported yet (INVALID_REQUEST with a message).
 * @locality: event loop thread.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "kafka_int.h"
#include "dynconf.h"
#include "log.h"

#define RES_TOPIC  2
#define RES_BROKER 4

#define SRC_DYNAMIC_TOPIC 1
#define SRC_DYNAMIC_BROKER 2
#define SRC_STATIC_BROKER 4
#define SRC_DEFAULT       5

static buf_view arena_text(kreq *r, const char *s)
{
    size_t n = strlen(s);
    char *p = wire_arena_alloc(&r->arena, n + 1);
    if (!p)
        return kview("");
    memcpy(p, s, n + 1);
    return kview(p);
}

static char *arena_cstr(kreq *r, buf_view v)
{
    char *p = wire_arena_alloc(&r->arena, v.len + 1);
    if (p && v.len)
        memcpy(p, v.ptr, v.len);
    return p;
}

static int respond(kreq *r, const kafka_schema *s, const void *resp)
{
    return kreq_respond(r, s, resp) == 0 ? KH_DONE : KH_CLOSE;
}

static topic *find_topic(kreq *r, buf_view name)
{
    return topics_find(r->conn->b->topics, (const char *)name.ptr, name.len);
}

/* ------------------------------------------------------------------ */
/* topic config table                                                  */
/* ------------------------------------------------------------------ */

typedef struct topic_cfg_def {
    const char *name;
    int type; /* Kafka config type: 1 boolean, 2 string, 3 int, 5 long, 7 list */
    const char *doc;
} topic_cfg_def;

static const topic_cfg_def topic_cfg_defs[] = {
    {"cleanup.policy", 7, "delete (compaction is not supported)"},
    {"compression.type", 2, "producer: batches are stored as sent"},
    {"retention.ms", 5, "broker-wide fileReservedTime in this version"},
    {"retention.bytes", 5, "not enforced per topic in this version"},
    {"segment.bytes", 3, "CommitLog segment size (broker-wide)"},
    {"segment.ms", 5, "not used: one shared CommitLog"},
    {"max.message.bytes", 3, "largest record batch accepted"},
    {"message.timestamp.type", 2, "CreateTime"},
    {"min.insync.replicas", 3, "single broker: 1"},
    {"unclean.leader.election.enable", 1, "single broker: false"},
    {"message.timestamp.difference.max.ms", 5, "not checked"},
    {"flush.messages", 5, "see flushDiskType"},
    {"flush.ms", 5, "see flushIntervalCommitLog"},
    {"delete.retention.ms", 5, "not used (no compaction)"},
    {NULL, 0, NULL}};

static const topic_cfg_def *topic_cfg_find(buf_view name)
{
    for (int i = 0; topic_cfg_defs[i].name; i++)
        if (strlen(topic_cfg_defs[i].name) == name.len &&
            memcmp(topic_cfg_defs[i].name, name.ptr, name.len) == 0)
            return &topic_cfg_defs[i];
    return NULL;
}

static void topic_cfg_default(broker *b, const char *name, char *out,
                              size_t n)
{
    const broker_config *c = b->cfg;
    if (!strcmp(name, "cleanup.policy"))
        snprintf(out, n, "delete");
    else if (!strcmp(name, "compression.type"))
        snprintf(out, n, "producer");
    else if (!strcmp(name, "retention.ms"))
        snprintf(out, n, "%" PRId64, c->file_reserved_hours * 3600000);
    else if (!strcmp(name, "retention.bytes"))
        snprintf(out, n, "-1");
    else if (!strcmp(name, "segment.bytes"))
        snprintf(out, n, "%" PRId64, c->commitlog_segment_size);
    else if (!strcmp(name, "segment.ms"))
        snprintf(out, n, "604800000");
    else if (!strcmp(name, "max.message.bytes"))
        snprintf(out, n, "%" PRId64, c->max_message_size);
    else if (!strcmp(name, "message.timestamp.type"))
        snprintf(out, n, "CreateTime");
    else if (!strcmp(name, "min.insync.replicas"))
        snprintf(out, n, "1");
    else if (!strcmp(name, "unclean.leader.election.enable"))
        snprintf(out, n, "false");
    else if (!strcmp(name, "message.timestamp.difference.max.ms"))
        snprintf(out, n, "9223372036854775807");
    else if (!strcmp(name, "flush.messages"))
        snprintf(out, n, "%s",
                 c->flush_disk_type == BROKER_FLUSH_SYNC
                     ? "1"
                     : "9223372036854775807");
    else if (!strcmp(name, "flush.ms"))
        snprintf(out, n, "%" PRId64, c->flush_interval_ms);
    else if (!strcmp(name, "delete.retention.ms"))
        snprintf(out, n, "86400000");
    else if (n)
        out[0] = '\0';
}

/* Checks a value for a known topic config. */
static int topic_cfg_valid(const char *name, const char *v, char *why,
                           size_t wl)
{
    if (!strcmp(name, "cleanup.policy")) {
        if (strcmp(v, "delete") != 0) {
            snprintf(why, wl, "cleanup.policy=%s is not supported (only "
                              "delete)",
                     v);
            return 0;
        }
        return 1;
    }
    const topic_cfg_def *d = topic_cfg_find(kview(name));
    if (d && (d->type == 3 || d->type == 5)) {
        char *end;
        strtoll(v, &end, 10);
        if (!*v || *end) {
            snprintf(why, wl, "%s: '%s' is not a number", name, v);
            return 0;
        }
    }
    if (d && d->type == 1 && strcmp(v, "true") && strcmp(v, "false")) {
        snprintf(why, wl, "%s: '%s' is not a boolean", name, v);
        return 0;
    }
    return 1;
}

/* ------------------------------------------------------------------ */
/* DeleteTopics                                                        */
/* ------------------------------------------------------------------ */

static int16_t delete_one(kreq *r, buf_view name, const kafka_uuid *id,
                          buf_view *name_out, kafka_uuid *id_out)
{
    broker *b = r->conn->b;
    topic *t = NULL;
    if (!name.is_null && name.len) {
        t = find_topic(r, name);
    } else if (id) {
        for (int i = 0; i < topics_count(b->topics) && !t; i++)
            if (!memcmp(topics_at(b->topics, i)->id, id->b, 16))
                t = topics_at(b->topics, i);
        if (!t)
            return KAFKA_ERR_UNKNOWN_TOPIC_ID;
    }
    if (!t)
        return KAFKA_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    *name_out = arena_text(r, t->name);
    memcpy(id_out->b, t->id, 16);
    offsets_delete_topic(b->offsets, t->name, t->name_len);
    if (topics_delete(b->topics, t) != 0)
        return KAFKA_ERR_UNKNOWN_SERVER_ERROR;
    return 0;
}

int kafka_handle_delete_topics(kreq *r)
{
    const kafka_delete_topics_req *req = r->req;
    kafka_delete_topics_resp resp;
    kafka_init_defaults(&kafka_delete_topics_resp_schema, &resp);
    int v6 = r->hdr.api_version >= 6;
    int32_t n = v6 ? req->topics.count : req->topic_names.count;
    if (!KREQ_ARRAY(r, resp.responses, n))
        return KH_CLOSE;
    for (int32_t i = 0; i < n; i++) {
        kafka_delete_topics_resp_result *res = &resp.responses.items[i];
        buf_view name = v6 ? req->topics.items[i].name
                           : req->topic_names.items[i];
        res->name = name;
        res->error_message.is_null = 1;
        res->error_code = delete_one(r, name,
                                     v6 ? &req->topics.items[i].topic_id
                                        : NULL,
                                     &res->name, &res->topic_id);
    }
    return respond(r, &kafka_delete_topics_resp_schema, &resp);
}

/* ------------------------------------------------------------------ */
/* CreatePartitions                                                    */
/* ------------------------------------------------------------------ */

int kafka_handle_create_partitions(kreq *r)
{
    broker *b = r->conn->b;
    const kafka_create_partitions_req *req = r->req;
    kafka_create_partitions_resp resp;
    kafka_init_defaults(&kafka_create_partitions_resp_schema, &resp);
    if (!KREQ_ARRAY(r, resp.results, req->topics.count))
        return KH_CLOSE;
    for (int32_t i = 0; i < req->topics.count; i++) {
        const kafka_create_partitions_req_topic *ct = &req->topics.items[i];
        kafka_create_partitions_resp_result *res = &resp.results.items[i];
        res->name = ct->name;
        res->error_message.is_null = 1;
        topic *t = find_topic(r, ct->name);
        char why[160] = "";
        if (!t) {
            res->error_code = KAFKA_ERR_UNKNOWN_TOPIC_OR_PARTITION;
            continue;
        }
        if (ct->count <= t->queues || ct->count > 100000) {
            res->error_code = KAFKA_ERR_INVALID_PARTITIONS;
            snprintf(why, sizeof why,
                     "Topic currently has %d partitions, which is higher "
                     "than or equal to the requested %d.",
                     t->queues, ct->count);
            res->error_message = arena_text(r, why);
            continue;
        }
        if (ct->assignments.count > 0) {
            int ok = ct->assignments.count == ct->count - t->queues;
            for (int32_t k = 0; ok && k < ct->assignments.count; k++)
                ok = ct->assignments.items[k].broker_ids.count == 1 &&
                     ct->assignments.items[k].broker_ids.items[0] ==
                         b->cfg->broker_id;
            if (!ok) {
                res->error_code = KAFKA_ERR_INVALID_REPLICA_ASSIGNMENT;
                res->error_message =
                    arena_text(r, "this cluster has one broker");
                continue;
            }
        }
        if (!req->validate_only &&
            topics_set_queues(b->topics, t, ct->count) != 0)
            res->error_code = KAFKA_ERR_UNKNOWN_SERVER_ERROR;
    }
    return respond(r, &kafka_create_partitions_resp_schema, &resp);
}

/* ------------------------------------------------------------------ */
/* DescribeConfigs                                                     */
/* ------------------------------------------------------------------ */

static int key_wanted(const kafka_describe_configs_req_resource *rs,
                      const char *name)
{
    if (rs->configuration_keys.count < 0)
        return 1;
    for (int32_t i = 0; i < rs->configuration_keys.count; i++)
        if (strlen(name) == rs->configuration_keys.items[i].len &&
            memcmp(name, rs->configuration_keys.items[i].ptr,
                   rs->configuration_keys.items[i].len) == 0)
            return 1;
    return 0;
}

typedef struct broker_cfg_ctx {
    kreq *r;
    const kafka_describe_configs_req_resource *rs;
    kafka_describe_configs_resp_result *res;
    int include_docs;
    int version;
} broker_cfg_ctx;

static void add_config(kreq *r, kafka_describe_configs_resp_result *res,
                       const char *name, const char *value, int source,
                       int type, const char *doc, int include_docs,
                       int read_only)
{
    int32_t k = res->configs.count;
    kafka_describe_configs_resp_config *c = &res->configs.items[k];
    c->name = arena_text(r, name);
    c->value = arena_text(r, value);
    c->read_only = (uint8_t)read_only;
    c->config_source = (int8_t)source;
    c->is_default = source == SRC_DEFAULT;
    c->is_sensitive = 0;
    c->synonyms.count = 0;
    c->config_type = (int8_t)type;
    c->documentation = include_docs ? arena_text(r, doc) : kview(NULL);
    res->configs.count = k + 1;
}

static void broker_cfg_cb(void *arg, const char *name, const char *value,
                          int is_default, int type, const char *doc)
{
    broker_cfg_ctx *c = arg;
    if (!key_wanted(c->rs, name))
        return;
    add_config(c->r, c->res, name, value,
               dynconf_is_set(name) ? SRC_DYNAMIC_BROKER
               : is_default         ? SRC_DEFAULT
                                    : SRC_STATIC_BROKER,
               type, doc, c->include_docs, !config_is_dynamic(name));
}

static int count_cb_n;
static void count_cb(void *arg, const char *name, const char *value,
                     int is_default, int type, const char *doc)
{
    (void)arg;
    (void)name;
    (void)value;
    (void)is_default;
    (void)type;
    (void)doc;
    count_cb_n++;
}

int kafka_handle_describe_configs(kreq *r)
{
    broker *b = r->conn->b;
    const kafka_describe_configs_req *req = r->req;
    kafka_describe_configs_resp resp;
    kafka_init_defaults(&kafka_describe_configs_resp_schema, &resp);
    if (!KREQ_ARRAY(r, resp.results, req->resources.count))
        return KH_CLOSE;
    count_cb_n = 0;
    config_foreach(b->cfg, count_cb, NULL);
    int n_broker_keys = count_cb_n;
    for (int32_t i = 0; i < req->resources.count; i++) {
        const kafka_describe_configs_req_resource *rs =
            &req->resources.items[i];
        kafka_describe_configs_resp_result *res = &resp.results.items[i];
        res->resource_type = rs->resource_type;
        res->resource_name = rs->resource_name;
        res->error_message.is_null = 1;
        int include_docs = r->hdr.api_version >= 3 && req->include_documentation;
        if (rs->resource_type == RES_TOPIC) {
            topic *t = find_topic(r, rs->resource_name);
            if (!t) {
                res->error_code = KAFKA_ERR_UNKNOWN_TOPIC_OR_PARTITION;
                res->error_message = arena_text(r, "unknown topic");
                res->configs.count = 0;
                continue;
            }
            int n = 0;
            while (topic_cfg_defs[n].name)
                n++;
            if (!KREQ_ARRAY(r, res->configs, n))
                return KH_CLOSE;
            res->configs.count = 0;
            for (int k = 0; k < n; k++) {
                const topic_cfg_def *d = &topic_cfg_defs[k];
                if (!key_wanted(rs, d->name))
                    continue;
                const char *set = topics_config_get(t, d->name);
                char def[64];
                topic_cfg_default(b, d->name, def, sizeof def);
                add_config(r, res, d->name, set ? set : def,
                           set ? SRC_DYNAMIC_TOPIC : SRC_DEFAULT, d->type,
                           d->doc, include_docs, 0);
            }
        } else if (rs->resource_type == RES_BROKER) {
            char idtext[32];
            snprintf(idtext, sizeof idtext, "%" PRId64, b->cfg->broker_id);
            if (rs->resource_name.len &&
                !(rs->resource_name.len == strlen(idtext) &&
                  !memcmp(rs->resource_name.ptr, idtext, strlen(idtext)))) {
                res->error_code = KAFKA_ERR_INVALID_REQUEST;
                res->error_message = arena_text(r, "unknown broker id");
                res->configs.count = 0;
                continue;
            }
            if (!KREQ_ARRAY(r, res->configs, n_broker_keys))
                return KH_CLOSE;
            res->configs.count = 0;
            broker_cfg_ctx c = {r, rs, res, include_docs,
                                r->hdr.api_version};
            config_foreach(b->cfg, broker_cfg_cb, &c);
        } else {
            res->error_code = KAFKA_ERR_INVALID_REQUEST;
            res->error_message =
                arena_text(r, "only topic and broker resources are known");
            res->configs.count = 0;
        }
    }
    return respond(r, &kafka_describe_configs_resp_schema, &resp);
}

/* ------------------------------------------------------------------ */
/* AlterConfigs / IncrementalAlterConfigs                              */
/* ------------------------------------------------------------------ */

/* Applies a new config set to a topic after validating every entry. */
static int16_t alter_topic(kreq *r, topic *t, topic_config_entry *set, int n,
                           int validate_only, char *why, size_t wl)
{
    for (int i = 0; i < n; i++) {
        if (!topic_cfg_find(kview(set[i].name))) {
            snprintf(why, wl, "Unknown topic config name: %s", set[i].name);
            return KAFKA_ERR_INVALID_CONFIG;
        }
        if (!topic_cfg_valid(set[i].name, set[i].value, why, wl))
            return KAFKA_ERR_INVALID_CONFIG;
    }
    if (validate_only)
        return 0;
    if (topics_replace_configs(r->conn->b->topics, t, set, n) != 0) {
        snprintf(why, wl, "cannot persist the topic registry");
        return KAFKA_ERR_UNKNOWN_SERVER_ERROR;
    }
    return 0;
}

/* AlterConfigs on the broker: every current override that the request
 * does not list is reverted. */
static void broker_cfg_revert_unlisted(dynconf_change *ch, int *n, int cap)
{
    static const char *const keys[] = {
        "logLevel", "fileReservedTime", "diskMaxUsedSpaceRatio",
        "num.partitions", "auto.create.topics.enable",
        "fetch.max.wait.cap.ms", "group.initial.rebalance.delay.ms", NULL};
    for (int i = 0; keys[i] && *n < cap; i++) {
        if (!dynconf_is_set(keys[i]))
            continue;
        int listed = 0;
        for (int k = 0; k < *n && !listed; k++) {
            const char *c = config_canonical(ch[k].key);
            listed = c && strcmp(c, keys[i]) == 0;
        }
        if (!listed) {
            ch[*n].key = keys[i];
            ch[*n].value = NULL;
            (*n)++;
        }
    }
}

/* Applies run-time changes to this broker (resource "" = the cluster
 * default, or our id). */
static int16_t alter_broker(kreq *r, buf_view name, const dynconf_change *ch,
                            int n, int validate_only, char *why, size_t wl)
{
    broker *b = r->conn->b;
    char idtext[32];
    snprintf(idtext, sizeof idtext, "%" PRId64, b->cfg->broker_id);
    if (name.len && !(name.len == strlen(idtext) &&
                      !memcmp(name.ptr, idtext, strlen(idtext)))) {
        snprintf(why, wl, "unknown broker id");
        return KAFKA_ERR_INVALID_REQUEST;
    }
    for (int i = 0; i < n; i++)
        if (config_canonical(ch[i].key) && !config_is_dynamic(ch[i].key)) {
            snprintf(why, wl,
                     "Cannot update these configs dynamically: %s (set it "
                     "in the properties file and restart)",
                     config_canonical(ch[i].key));
            return KAFKA_ERR_INVALID_REQUEST;
        }
    if (dynconf_apply(b, ch, n, validate_only, why, wl) != 0)
        return KAFKA_ERR_INVALID_CONFIG;
    return 0;
}

int kafka_handle_alter_configs(kreq *r)
{
    const kafka_alter_configs_req *req = r->req;
    kafka_alter_configs_resp resp;
    kafka_init_defaults(&kafka_alter_configs_resp_schema, &resp);
    if (!KREQ_ARRAY(r, resp.responses, req->resources.count))
        return KH_CLOSE;
    for (int32_t i = 0; i < req->resources.count; i++) {
        const kafka_alter_configs_req_resource *rs = &req->resources.items[i];
        kafka_alter_configs_resp_response *res = &resp.responses.items[i];
        res->resource_type = rs->resource_type;
        res->resource_name = rs->resource_name;
        res->error_message.is_null = 1;
        char why[200] = "";
        if (rs->resource_type == RES_BROKER) {
            /* AlterConfigs replaces the resource's whole dynamic set:
             * listed keys are set, overrides not listed are reverted */
            int cap = rs->configs.count + 32;
            dynconf_change *ch =
                wire_arena_calloc(&r->arena, (size_t)cap, sizeof *ch);
            if (!ch)
                return KH_CLOSE;
            int n = 0;
            for (int32_t k = 0; k < rs->configs.count; k++) {
                ch[n].key = arena_cstr(r, rs->configs.items[k].name);
                ch[n].value = rs->configs.items[k].value.is_null
                                  ? NULL
                                  : arena_cstr(r, rs->configs.items[k].value);
                n++;
            }
            broker_cfg_revert_unlisted(ch, &n, cap);
            res->error_code = alter_broker(r, rs->resource_name, ch, n,
                                           req->validate_only, why,
                                           sizeof why);
            if (res->error_code)
                res->error_message = arena_text(r, why);
            continue;
        }
        if (rs->resource_type != RES_TOPIC) {
            res->error_code = KAFKA_ERR_INVALID_REQUEST;
            res->error_message =
                arena_text(r, "only topic and broker resources are known");
            continue;
        }
        topic *t = find_topic(r, rs->resource_name);
        if (!t) {
            res->error_code = KAFKA_ERR_UNKNOWN_TOPIC_OR_PARTITION;
            continue;
        }
        topic_config_entry *set = wire_arena_calloc(
            &r->arena, (size_t)(rs->configs.count + 1), sizeof *set);
        if (!set)
            return KH_CLOSE;
        int n = 0;
        for (int32_t k = 0; k < rs->configs.count; k++) {
            if (rs->configs.items[k].value.is_null)
                continue;
            set[n].name = arena_cstr(r, rs->configs.items[k].name);
            set[n].value = arena_cstr(r, rs->configs.items[k].value);
            n++;
        }
        res->error_code =
            alter_topic(r, t, set, n, req->validate_only, why, sizeof why);
        if (res->error_code)
            res->error_message = arena_text(r, why);
    }
    return respond(r, &kafka_alter_configs_resp_schema, &resp);
}

int kafka_handle_incremental_alter_configs(kreq *r)
{
    const kafka_incremental_alter_configs_req *req = r->req;
    kafka_incremental_alter_configs_resp resp;
    kafka_init_defaults(&kafka_incremental_alter_configs_resp_schema, &resp);
    if (!KREQ_ARRAY(r, resp.responses, req->resources.count))
        return KH_CLOSE;
    for (int32_t i = 0; i < req->resources.count; i++) {
        const kafka_incremental_alter_configs_req_resource *rs =
            &req->resources.items[i];
        kafka_alter_configs_resp_response *res = &resp.responses.items[i];
        res->resource_type = rs->resource_type;
        res->resource_name = rs->resource_name;
        res->error_message.is_null = 1;
        char why[200] = "";
        if (rs->resource_type == RES_BROKER) {
            dynconf_change *ch = wire_arena_calloc(
                &r->arena, (size_t)rs->configs.count + 1, sizeof *ch);
            if (!ch)
                return KH_CLOSE;
            int n = 0;
            for (int32_t k = 0; k < rs->configs.count && !res->error_code;
                 k++) {
                const kafka_incremental_alter_configs_req_config *c =
                    &rs->configs.items[k];
                ch[n].key = arena_cstr(r, c->name);
                if (c->config_operation == 0 && !c->value.is_null)
                    ch[n++].value = arena_cstr(r, c->value);
                else if (c->config_operation == 1)
                    ch[n++].value = NULL;
                else {
                    res->error_code = c->config_operation == 0
                                          ? KAFKA_ERR_INVALID_REQUEST
                                          : KAFKA_ERR_INVALID_CONFIG;
                    snprintf(why, sizeof why,
                             c->config_operation == 0
                                 ? "SET %s needs a value"
                                 : "APPEND/SUBTRACT: %s is not a list config",
                             ch[n].key);
                }
            }
            if (!res->error_code)
                res->error_code = alter_broker(r, rs->resource_name, ch, n,
                                               req->validate_only, why,
                                               sizeof why);
            if (res->error_code)
                res->error_message = arena_text(r, why);
            continue;
        }
        if (rs->resource_type != RES_TOPIC) {
            res->error_code = KAFKA_ERR_INVALID_REQUEST;
            res->error_message =
                arena_text(r, "only topic and broker resources are known");
            continue;
        }
        topic *t = find_topic(r, rs->resource_name);
        if (!t) {
            res->error_code = KAFKA_ERR_UNKNOWN_TOPIC_OR_PARTITION;
            continue;
        }
        /* start from the current set, apply SET / DELETE */
        int cap = t->n_configs + rs->configs.count + 1;
        topic_config_entry *set =
            wire_arena_calloc(&r->arena, (size_t)cap, sizeof *set);
        if (!set)
            return KH_CLOSE;
        int n = 0;
        for (int k = 0; k < t->n_configs; k++) {
            set[n].name = t->configs[k].name;
            set[n].value = t->configs[k].value;
            n++;
        }
        for (int32_t k = 0; k < rs->configs.count && !res->error_code; k++) {
            const kafka_incremental_alter_configs_req_config *c =
                &rs->configs.items[k];
            char *name = arena_cstr(r, c->name);
            int at = -1;
            for (int j = 0; j < n; j++)
                if (!strcmp(set[j].name, name))
                    at = j;
            switch (c->config_operation) {
            case 0: /* SET */
                if (c->value.is_null) {
                    res->error_code = KAFKA_ERR_INVALID_REQUEST;
                    snprintf(why, sizeof why, "SET %s needs a value", name);
                    break;
                }
                if (at < 0)
                    at = n++;
                set[at].name = name;
                set[at].value = arena_cstr(r, c->value);
                break;
            case 1: /* DELETE */
                if (at >= 0)
                    set[at] = set[--n];
                break;
            default:
                res->error_code = KAFKA_ERR_INVALID_CONFIG;
                snprintf(why, sizeof why,
                         "APPEND/SUBTRACT: %s is not a list config here",
                         name);
                break;
            }
        }
        if (!res->error_code)
            res->error_code = alter_topic(r, t, set, n, req->validate_only,
                                          why, sizeof why);
        if (res->error_code)
            res->error_message = arena_text(r, why);
    }
    return respond(r, &kafka_incremental_alter_configs_resp_schema, &resp);
}

/* ------------------------------------------------------------------ */
/* DescribeCluster, DescribeLogDirs, OffsetForLeaderEpoch              */
/* ------------------------------------------------------------------ */

int kafka_handle_describe_cluster(kreq *r)
{
    broker *b = r->conn->b;
    const kafka_describe_cluster_req *req = r->req;
    kafka_describe_cluster_resp resp;
    kafka_init_defaults(&kafka_describe_cluster_resp_schema, &resp);
    resp.endpoint_type = req->endpoint_type;
    if (r->hdr.api_version >= 1 && req->endpoint_type != 1) {
        resp.error_code = KAFKA_ERR_UNSUPPORTED_VERSION;
        resp.error_message =
            arena_text(r, "only broker endpoints (type 1) exist here");
        resp.cluster_id = kview(b->cfg->cluster_name);
        resp.brokers.count = 0;
        return respond(r, &kafka_describe_cluster_resp_schema, &resp);
    }
    resp.cluster_id = kview(b->cfg->cluster_name);
    resp.controller_id = (int32_t)b->cfg->broker_id;
    if (!KREQ_ARRAY(r, resp.brokers, 1))
        return KH_CLOSE;
    resp.brokers.items[0].broker_id = (int32_t)b->cfg->broker_id;
    resp.brokers.items[0].host = kafka_advertised_host(r);
    resp.brokers.items[0].port = kafka_advertised_port(r);
    resp.brokers.items[0].rack.is_null = 1;
    return respond(r, &kafka_describe_cluster_resp_schema, &resp);
}

int kafka_handle_describe_log_dirs(kreq *r)
{
    broker *b = r->conn->b;
    const kafka_describe_log_dirs_req *req = r->req;
    kafka_describe_log_dirs_resp resp;
    kafka_init_defaults(&kafka_describe_log_dirs_resp_schema, &resp);
    if (!KREQ_ARRAY(r, resp.results, 1))
        return KH_CLOSE;
    kafka_describe_log_dirs_resp_result *res = &resp.results.items[0];
    kafka_init_defaults(
        kafka_sub_schema(&kafka_describe_log_dirs_resp_schema, "results"),
        res);
    res->log_dir = kview(b->cfg->store_dir);
    struct statvfs sv;
    if (statvfs(b->cfg->store_dir, &sv) == 0) {
        res->total_bytes = (int64_t)sv.f_blocks * (int64_t)sv.f_frsize;
        res->usable_bytes = (int64_t)sv.f_bavail * (int64_t)sv.f_frsize;
    }
    /* Partition sizes are not tracked separately (one shared CommitLog
     * holds every queue): partition_size is reported as 0. */
    int n = 0;
    if (req->topics.count < 0) {
        n = topics_count(b->topics);
    } else {
        n = req->topics.count;
    }
    if (!KREQ_ARRAY(r, res->topics, n))
        return KH_CLOSE;
    int k = 0;
    for (int i = 0; i < n; i++) {
        topic *t = req->topics.count < 0
                       ? topics_at(b->topics, i)
                       : find_topic(r, req->topics.items[i].topic);
        if (!t || t->is_internal)
            continue;
        res->topics.items[k].name = kview(t->name);
        int32_t np = req->topics.count < 0
                         ? t->queues
                         : req->topics.items[i].partitions.count;
        if (!KREQ_ARRAY(r, res->topics.items[k].partitions, np))
            return KH_CLOSE;
        for (int32_t p = 0; p < np; p++) {
            int32_t pi = req->topics.count < 0
                             ? p
                             : req->topics.items[i].partitions.items[p];
            res->topics.items[k].partitions.items[p].partition_index = pi;
            res->topics.items[k].partitions.items[p].partition_size = 0;
            res->topics.items[k].partitions.items[p].offset_lag = 0;
        }
        k++;
    }
    res->topics.count = k;
    return respond(r, &kafka_describe_log_dirs_resp_schema, &resp);
}

int kafka_handle_offset_for_leader_epoch(kreq *r)
{
    broker *b = r->conn->b;
    const kafka_offset_for_leader_epoch_req *req = r->req;
    kafka_offset_for_leader_epoch_resp resp;
    kafka_init_defaults(&kafka_offset_for_leader_epoch_resp_schema, &resp);
    if (!KREQ_ARRAY(r, resp.topics, req->topics.count))
        return KH_CLOSE;
    for (int32_t i = 0; i < req->topics.count; i++) {
        const kafka_offset_for_leader_epoch_req_topic *lt =
            &req->topics.items[i];
        resp.topics.items[i].topic = lt->topic;
        if (!KREQ_ARRAY(r, resp.topics.items[i].partitions,
                         lt->partitions.count))
            return KH_CLOSE;
        topic *t = find_topic(r, lt->topic);
        for (int32_t k = 0; k < lt->partitions.count; k++) {
            const kafka_offset_for_leader_epoch_req_partition *lp =
                &lt->partitions.items[k];
            kafka_offset_for_leader_epoch_resp_partition *rp =
                &resp.topics.items[i].partitions.items[k];
            rp->partition = lp->partition;
            rp->leader_epoch = -1;
            rp->end_offset = -1;
            store_queue *q =
                t ? topics_queue(b->topics, t, lp->partition) : NULL;
            if (!q) {
                rp->error_code = KAFKA_ERR_UNKNOWN_TOPIC_OR_PARTITION;
                continue;
            }
            if (lp->current_leader_epoch > 0) {
                rp->error_code = KAFKA_ERR_UNKNOWN_LEADER_EPOCH;
                continue;
            }
            /* one epoch (0) for the whole log */
            rp->leader_epoch = 0;
            rp->end_offset = store_queue_max_offset(q);
        }
    }
    return respond(r, &kafka_offset_for_leader_epoch_resp_schema, &resp);
}
