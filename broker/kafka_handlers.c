/*
 * kafka_handlers.c - the Kafka APIs served in this version: ApiVersions,
 * Metadata, Produce, Fetch, ListOffsets, CreateTopics.
 *
 * How Kafka maps onto the store (docs/ARCHITECTURE.md has the whole story):
 *   - a partition p of topic T is queue p of T;
 *   - a produced record batch is validated end to end (CRC, sizes, every
 *     record, decompressed under a cap), then appended AS RECEIVED as one
 *     BATCH record covering lastOffsetDelta+1 offsets; the store patches
 *     baseOffset in place (outside the batch CRC), so the stored bytes are
 *     exactly what a consumer gets back - zstd batches are never
 *     recompressed;
 *   - each record's TAGS header becomes its tag hash, its key (when it is
 *     text) and the tokens of a KEYS header become index keys;
 *   - Fetch walks the ConsumeQueue from fetch_offset and hands the mapped
 *     batch bytes to the socket without copying (evbuffer references that
 *     pin the CommitLog segment).
 *
 * Single broker: it is the leader of everything, leader epoch 0, replicas
 * and ISR = itself, controller = itself.
 * @locality: event loop thread.
 */
#include <arpa/inet.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "kafka_int.h"
#include "log.h"
#include "metrics.h"
#include "remoting_message.h"
#include "rmq_int.h"
#include "rmq_schedule.h"

#define LEADER_EPOCH 0

static buf_view view_str(const char *s, size_t n)
{
    buf_view v = {(const uint8_t *)s, n, 0};
    return v;
}

/* Copies text into the request arena and returns a view of it. */
static buf_view arena_str(kreq *r, const char *s, size_t n)
{
    char *p = wire_arena_alloc(&r->arena, n + 1);
    if (!p)
        return view_str("", 0);
    memcpy(p, s, n);
    return view_str(p, n);
}

const kafka_schema *kafka_sub_schema(const kafka_schema *s, const char *name)
{
    for (uint16_t i = 0; s && i < s->n_fields; i++)
        if (strcmp(s->fields[i].name, name) == 0)
            return s->fields[i].sub;
    return NULL;
}


/* ------------------------------------------------------------------ */
/* ApiVersions                                                         */
/* ------------------------------------------------------------------ */

static int valid_software_token(buf_view v)
{
    if (v.is_null || v.len == 0)
        return 1; /* absent: fine */
    for (size_t i = 0; i < v.len; i++) {
        uint8_t c = v.ptr[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9');
        if (i == 0 || i == v.len - 1) {
            if (!alnum)
                return 0;
        } else if (!alnum && c != '-' && c != '.') {
            return 0;
        }
    }
    return 1;
}

int kafka_handle_api_versions(kreq *r)
{
    const kafka_api_versions_req *req = r->req;
    kafka_api_versions_resp resp;
    kafka_init_defaults(&kafka_api_versions_resp_schema, &resp);
    if (r->hdr.api_version >= 3 &&
        (!valid_software_token(req->client_software_name) ||
         !valid_software_token(req->client_software_version))) {
        resp.error_code = KAFKA_ERR_INVALID_REQUEST;
    }
    if (!KREQ_ARRAY(r, resp.api_keys, kafka_api_table_len))
        return KH_CLOSE;
    for (int i = 0; i < kafka_api_table_len; i++) {
        resp.api_keys.items[i].api_key = kafka_api_table[i].api_key;
        resp.api_keys.items[i].min_version = kafka_api_table[i].min_version;
        resp.api_keys.items[i].max_version = kafka_api_table[i].max_version;
    }
    return kreq_respond(r, &kafka_api_versions_resp_schema, &resp) == 0
               ? KH_DONE
               : KH_CLOSE;
}

/* ------------------------------------------------------------------ */
/* Metadata                                                            */
/* ------------------------------------------------------------------ */

/* The host clients should use for this broker: advertised.listeners, or
 * the local address of this connection when listening on a wildcard. */
int32_t kafka_advertised_port(kreq *r)
{
    return r->conn->lst->adv_port;
}

buf_view kafka_advertised_host(kreq *r)
{
    const kafka_listener *lst = r->conn->lst;
    if (lst->adv_host[0])
        return kview(lst->adv_host);
    char host[64] = "127.0.0.1";
    const struct sockaddr_storage *ss = &r->conn->local;
    if (ss->ss_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, host,
                  sizeof host);
    else if (ss->ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr,
                  host, sizeof host);
    return arena_str(r, host, strlen(host));
}

static int fill_metadata_topic(kreq *r, kafka_metadata_resp_topic *mt,
                               topic *t)
{
    int32_t id = (int32_t)r->conn->b->cfg->broker_id;
    mt->name = view_str(t->name, t->name_len);
    memcpy(mt->topic_id.b, t->id, 16);
    mt->is_internal = (uint8_t)t->is_internal;
    if (!KREQ_ARRAY(r, mt->partitions, t->queues))
        return -1;
    for (int32_t p = 0; p < t->queues; p++) {
        kafka_metadata_resp_partition *mp = &mt->partitions.items[p];
        kafka_init_defaults(
            kafka_sub_schema(kafka_sub_schema(&kafka_metadata_resp_schema, "topics"),
                       "partitions"),
            mp);
        mp->error_code = 0;
        mp->partition_index = p;
        mp->leader_id = id;
        mp->leader_epoch = LEADER_EPOCH;
        if (!KREQ_ARRAY(r, mp->replica_nodes, 1) ||
            !KREQ_ARRAY(r, mp->isr_nodes, 1))
            return -1;
        mp->replica_nodes.items[0] = id;
        mp->isr_nodes.items[0] = id;
        mp->offline_replicas.count = 0;
    }
    return 0;
}

/* The broker's own bookkeeping topics (transaction halves and ops, the
 * delay schedule, TBW102): internal and not %RETRY%/%DLQ% group topics.
 * Kafka clients can neither read nor write them, even by name: a half
 * message must stay invisible until its commit. */
static int kafka_hidden(const topic *t)
{
    return t && t->is_internal &&
           !(t->name_len > 7 && !memcmp(t->name, "%RETRY%", 7)) &&
           !(t->name_len > 5 && !memcmp(t->name, "%DLQ%", 5));
}

/* Finds or (if allowed) auto-creates a topic named by a client.  Returns
 * the topic or NULL with *err set to a Kafka error code. */
static topic *lookup_or_create(kreq *r, buf_view name, int allow_create,
                               int16_t *err)
{
    broker *b = r->conn->b;
    topic *t = topics_find(b->topics, (const char *)name.ptr, name.len);
    if (kafka_hidden(t)) {
        *err = KAFKA_ERR_UNKNOWN_TOPIC_OR_PARTITION;
        return NULL;
    }
    if (t) {
        *err = 0;
        return t;
    }
    char why[128];
    if (topics_validate_name((const char *)name.ptr, name.len, why,
                             sizeof why) != 0) {
        *err = KAFKA_ERR_INVALID_TOPIC_EXCEPTION;
        return NULL;
    }
    if (!allow_create || !b->cfg->auto_create_topics) {
        *err = KAFKA_ERR_UNKNOWN_TOPIC_OR_PARTITION;
        return NULL;
    }
    if (topics_create(b->topics, (const char *)name.ptr, name.len,
                      (int32_t)b->cfg->num_partitions, NULL, 0, &t, why,
                      sizeof why) != 0) {
        log_warn("kafka", r->conn->peer, "auto-create of '%.*s' failed: %s",
                 (int)name.len, (const char *)name.ptr, why);
        *err = KAFKA_ERR_UNKNOWN_TOPIC_OR_PARTITION;
        return NULL;
    }
    *err = 0;
    return t;
}

int kafka_handle_metadata(kreq *r)
{
    broker *b = r->conn->b;
    const kafka_metadata_req *req = r->req;
    kafka_metadata_resp resp;
    kafka_init_defaults(&kafka_metadata_resp_schema, &resp);
    if (!KREQ_ARRAY(r, resp.brokers, 1))
        return KH_CLOSE;
    resp.brokers.items[0].node_id = (int32_t)b->cfg->broker_id;
    resp.brokers.items[0].host = kafka_advertised_host(r);
    resp.brokers.items[0].port = kafka_advertised_port(r);
    resp.brokers.items[0].rack.is_null = 1;
    resp.cluster_id = kview(b->cfg->cluster_name);
    resp.controller_id = (int32_t)b->cfg->broker_id;

    int all = req->topics.count < 0 ||
              (r->hdr.api_version == 0 && req->topics.count == 0);
    if (all) {
        int n = topics_count(b->topics), k = 0;
        if (!KREQ_ARRAY(r, resp.topics, n))
            return KH_CLOSE;
        for (int i = 0; i < n; i++) {
            topic *t = topics_at(b->topics, i);
            if (t->is_internal)
                continue;
            kafka_metadata_resp_topic *mt = &resp.topics.items[k++];
            kafka_init_defaults(kafka_sub_schema(&kafka_metadata_resp_schema, "topics"),
                                mt);
            if (fill_metadata_topic(r, mt, t) != 0)
                return KH_CLOSE;
        }
        resp.topics.count = k;
    } else {
        if (!KREQ_ARRAY(r, resp.topics, req->topics.count))
            return KH_CLOSE;
        for (int32_t i = 0; i < req->topics.count; i++) {
            const kafka_metadata_req_topic *rt = &req->topics.items[i];
            kafka_metadata_resp_topic *mt = &resp.topics.items[i];
            kafka_init_defaults(kafka_sub_schema(&kafka_metadata_resp_schema, "topics"),
                                mt);
            topic *t = NULL;
            int16_t err = 0;
            if (rt->name.is_null) {
                /* v10+: by topic id */
                for (int k = 0; k < topics_count(b->topics); k++) {
                    topic *c = topics_at(b->topics, k);
                    if (memcmp(c->id, rt->topic_id.b, 16) == 0)
                        t = c;
                }
                if (!t) {
                    mt->error_code = KAFKA_ERR_UNKNOWN_TOPIC_ID;
                    mt->topic_id = rt->topic_id;
                    mt->name.is_null = 1;
                    continue;
                }
            } else {
                t = lookup_or_create(r, rt->name,
                                     req->allow_auto_topic_creation, &err);
            }
            if (!t) {
                mt->error_code = err;
                mt->name = rt->name;
                continue;
            }
            if (fill_metadata_topic(r, mt, t) != 0)
                return KH_CLOSE;
        }
    }
    return kreq_respond(r, &kafka_metadata_resp_schema, &resp) == 0
               ? KH_DONE
               : KH_CLOSE;
}

/* ------------------------------------------------------------------ */
/* Produce                                                             */
/* ------------------------------------------------------------------ */

#define MAX_INDEX_KEYS_PER_BATCH 4096

typedef struct produce_scan {
    int64_t *tag_hashes;
    int any_tag;
    store_index_key *keys;
    uint32_t n_keys, cap_keys;
} produce_scan;

static int is_text_key(buf_view k)
{
    if (k.is_null || k.len == 0 || k.len > 255)
        return 0;
    for (size_t i = 0; i < k.len; i++)
        if (k.ptr[i] < 0x20 || k.ptr[i] == 0x7f)
            return 0;
    return 1;
}

static void scan_add_key(produce_scan *ps, int32_t idx, const uint8_t *p,
                         size_t n)
{
    if (ps->n_keys >= ps->cap_keys || n == 0 || n > 255)
        return;
    ps->keys[ps->n_keys].batch_index = idx;
    ps->keys[ps->n_keys].key = p;
    ps->keys[ps->n_keys].len = (uint16_t)n;
    ps->n_keys++;
}

/* Reads every record of a validated batch for its TAGS header, text key
 * and KEYS header tokens. */
static int produce_scan_batch(kreq *r, const kafka_batch_info *info,
                              produce_scan *ps)
{
    memset(ps, 0, sizeof *ps);
    if (info->records_with_key == 0 && info->records_with_headers == 0)
        return 0; /* nothing to find (validation counted them) */
    ps->tag_hashes = wire_arena_calloc(&r->arena, (size_t)info->count + 1,
                                       sizeof *ps->tag_hashes);
    ps->cap_keys = (uint32_t)(info->count < MAX_INDEX_KEYS_PER_BATCH
                                  ? info->count + 1
                                  : MAX_INDEX_KEYS_PER_BATCH);
    ps->keys =
        wire_arena_calloc(&r->arena, ps->cap_keys, sizeof *ps->keys);
    if (!ps->tag_hashes || !ps->keys)
        return -1;
    kafka_record_iter it;
    kafka_record rec;
    kafka_record_iter_init(&it, info->records, info->records_len,
                           info->count);
    int32_t i = 0, rc;
    while ((rc = kafka_record_next(&it, &rec)) == 1) {
        int32_t idx = rec.offset_delta;
        if (idx < 0 || idx >= info->hdr.last_offset_delta + 1)
            return -1;
        if (is_text_key(rec.key))
            scan_add_key(ps, idx, rec.key.ptr, rec.key.len);
        if (rec.header_count > 0) {
            kafka_header_iter hi;
            buf_view hk, hv;
            kafka_header_iter_init(&hi, &rec);
            while (kafka_header_next(&hi, &hk, &hv) == 1) {
                if (hv.is_null)
                    continue;
                if (hk.len == 4 && memcmp(hk.ptr, "TAGS", 4) == 0 &&
                    hv.len > 0) {
                    ps->tag_hashes[idx] = remoting_tag_hash(hv.ptr, hv.len);
                    ps->any_tag = 1;
                } else if (hk.len == 4 && memcmp(hk.ptr, "KEYS", 4) == 0) {
                    size_t s = 0;
                    for (size_t k = 0; k <= hv.len; k++) {
                        if (k == hv.len || hv.ptr[k] == ' ') {
                            scan_add_key(ps, idx, hv.ptr + s, k - s);
                            s = k + 1;
                        }
                    }
                }
            }
        }
        i++;
    }
    return rc < 0 ? -1 : 0;
}

typedef struct produce_patch {
    int64_t base_offset;
} produce_patch;

static void produce_patch_fn(void *arg, uint8_t *body, uint32_t body_len,
                             int64_t queue_offset, int64_t store_timestamp)
{
    (void)store_timestamp;
    (void)body_len;
    produce_patch *pp = arg;
    kafka_batch_set_base_offset(body, queue_offset);
    kafka_batch_set_leader_epoch(body, LEADER_EPOCH);
    pp->base_offset = queue_offset;
}

static int16_t store_err_to_kafka(int rc, int16_t version)
{
    if (rc == STORE_EINVAL)
        return KAFKA_ERR_MESSAGE_TOO_LARGE;
    return version >= 4 ? KAFKA_ERR_KAFKA_STORAGE_ERROR
                        : KAFKA_ERR_UNKNOWN_SERVER_ERROR;
}

/* Delayed Kafka records (header DELAY = level, or TIMER_DELIVER_MS,
 * TIMER_DELAY_SEC, TIMER_DELAY_MS, __STARTDELIVERTIME): 1 if a record of
 * the batch carries one. */
static int batch_has_delay(const kafka_batch_info *info)
{
    kafka_record_iter it;
    kafka_record kr;
    if (info->records_with_headers == 0)
        return 0; /* counted by kafka_batch_validate: no walk */
    kafka_record_iter_init(&it, info->records, info->records_len,
                           info->count);
    while (kafka_record_next(&it, &kr) == 1) {
        if (kr.header_count <= 0)
            continue;
        kafka_header_iter hi;
        buf_view hk, hv;
        kafka_header_iter_init(&hi, &kr);
        while (kafka_header_next(&hi, &hk, &hv) == 1) {
            static const char *const keys[] = {
                REMOTING_PROP_DELAY, REMOTING_PROP_TIMER_DELIVER_MS,
                REMOTING_PROP_TIMER_DELAY_SEC, REMOTING_PROP_TIMER_DELAY_MS,
                DELAY_PROP_START_DELIVER_TIME};
            for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
                if (hk.len == strlen(keys[k]) &&
                    !memcmp(hk.ptr, keys[k], hk.len))
                    return 1;
        }
    }
    return 0;
}

/* A batch with delayed records is taken apart: every record becomes one
 * message (headers as properties, key and value kept, the record's
 * timestamp as born time).  Delayed ones are parked in the schedule topic
 * and get their offset in the partition when delivered; the others are
 * appended now, in order.  The answer's base_offset is -1 ("unknown"):
 * clients number a batch's records base + index, which no longer holds
 * once delayed records leave it.  (Kafka keeps no batch for these: a
 * RocketMQ style message per record is what a consumer of either protocol
 * reads.) */
static int16_t produce_delayed(kreq *r, topic *t, int32_t partition,
                               store_queue *q, const kafka_batch_info *info,
                               kafka_produce_resp_partition *pr,
                               int64_t *end_pos)
{
    broker *b = r->conn->b;
    if (!rmq_state || delay_level_count() == 0) {
        log_info("kafka", r->conn->peer,
                 "DELAY header on %s-%d refused: the RocketMQ face "
                 "(listenPort) runs the delay service and is off",
                 t->name, partition);
        return KAFKA_ERR_INVALID_RECORD;
    }
    kafka_record_iter it;
    kafka_record kr;
    int64_t now = rmq_now_ms();
    remoting_host none;
    memset(&none, 0, sizeof none);
    buf_writer props;
    buf_writer_init(&props, 256, 0);
    int16_t err = 0;
    /* pass 0 checks every record's delay headers, pass 1 stores: a bad
     * value refuses the batch before any of it is stored */
    for (int pass = 0; pass < 2 && !err; pass++) {
        kafka_record_iter_init(&it, info->records, info->records_len,
                               info->count);
        while (!err && kafka_record_next(&it, &kr) == 1) {
            props.len = 0;
            props.err = 0;
            kafka_header_iter hi;
            buf_view hk, hv;
            kafka_header_iter_init(&hi, &kr);
            while (kafka_header_next(&hi, &hk, &hv) == 1) {
                char key[256];
                if (hv.is_null || !hv.len || !hk.len || hk.len >= sizeof key)
                    continue;
                memcpy(key, hk.ptr, hk.len);
                key[hk.len] = '\0';
                size_t before = props.len;
                if (remoting_props_append(&props, 0, key, hv) != 0)
                    props.len = before; /* not representable: left out */
            }
            int level = 0;
            int64_t due = 0;
            char why[160];
            int mode = delay_classify(props.p, props.len, now,
                                      delay_level_count(),
                                      delay_timer_max_ms(), &level, &due,
                                      why, sizeof why);
            if (mode < 0) {
                log_info("kafka", r->conn->peer, "record for %s-%d: %s",
                         t->name, partition, why);
                err = KAFKA_ERR_INVALID_RECORD;
                break;
            }
            if (pass == 0)
                continue;
            buf_view body = {kr.value.is_null ? (const uint8_t *)""
                                              : kr.value.ptr,
                             kr.value.is_null ? 0 : kr.value.len, 0};
            const uint8_t *key = kr.key.is_null ? NULL : kr.key.ptr;
            size_t klen = kr.key.is_null ? 0 : kr.key.len;
            int64_t born = info->base_timestamp + kr.timestamp_delta;
            store_append_result res;
            char uniq[80];
            int rc = mode > 0
                         ? delay_park(b, &none, t->name, partition, mode, level,
                                      due, props.p, props.len, key, klen, body,
                                      0, 0, born, 0, &res, uniq)
                         : rmq_store_message_full(b, &none, q, props.p,
                                                  props.len, body, 0, 0, born,
                                                  0, 0, key, klen, NULL, &res,
                                                  uniq);
            if (rc != 0) {
                log_warn("kafka", r->conn->peer, "append for %s-%d failed: %s",
                         t->name, partition, store_errmsg(b->st));
                err = store_err_to_kafka(rc, r->hdr.api_version);
                break;
            }
            if (res.end_pos > *end_pos)
                *end_pos = res.end_pos;
        }
    }
    buf_writer_release(&props);
    pr->base_offset = -1;
    pr->log_start_offset = store_queue_min_offset(q);
    return err;
}

static int16_t produce_partition(kreq *r, topic *t,
                                 const kafka_produce_req_partition *pd,
                                 kafka_produce_resp_partition *pr,
                                 int64_t *end_pos, buf_writer *scratch)
{
    broker *b = r->conn->b;
    store_queue *q = topics_queue(b->topics, t, pd->index);
    if (!q)
        return KAFKA_ERR_UNKNOWN_TOPIC_OR_PARTITION;
    if (pd->records.is_null || pd->records.len == 0)
        return KAFKA_ERR_INVALID_RECORD;
    int64_t bsize = kafka_batch_size(pd->records.ptr, pd->records.len);
    if (bsize < 0)
        return KAFKA_ERR_CORRUPT_MESSAGE;
    if ((size_t)bsize != pd->records.len)
        return KAFKA_ERR_INVALID_RECORD; /* v3+: exactly one batch */
    if (pd->records.len > (size_t)b->cfg->max_message_size)
        return KAFKA_ERR_MESSAGE_TOO_LARGE;
    kafka_batch_limits lim = {0};
    lim.max_batch_bytes = (size_t)b->cfg->max_message_size;
    lim.max_uncompressed = (size_t)b->cfg->max_message_size * 4 < 64u << 20
                               ? 64u << 20
                               : (size_t)b->cfg->max_message_size * 4;
    kafka_batch_info info;
    char why[160] = "";
    int err = kafka_batch_validate(pd->records.ptr, pd->records.len, &lim,
                                   scratch, &info, why, sizeof why);
    if (err != 0) {
        log_info("kafka", r->conn->peer,
                 "rejected batch for %s-%d: %s (%s)", t->name, pd->index,
                 kafka_error_name((int16_t)err), why);
        return (int16_t)err;
    }
    if (info.codec == KAFKA_CODEC_ZSTD && r->hdr.api_version < 7)
        return KAFKA_ERR_UNSUPPORTED_COMPRESSION_TYPE;
    if (info.is_control || info.is_transactional)
        return KAFKA_ERR_INVALID_RECORD; /* transactions: not yet */
    if (info.count == 0)
        return KAFKA_ERR_INVALID_RECORD;
    int64_t pid = info.base_sequence >= 0 ? info.producer_id : -1;
    int64_t dup = -1;
    int16_t ierr = (int16_t)kafka_idempotence_check(
        q, pid, info.producer_epoch, info.base_sequence,
        info.hdr.last_offset_delta, &dup);
    if (ierr) {
        log_info("kafka", r->conn->peer,
                 "producer %" PRId64 " epoch %d seq %d on %s-%d: %s", pid,
                 info.producer_epoch, info.base_sequence, t->name, pd->index,
                 kafka_error_name(ierr));
        return ierr;
    }
    if (dup >= 0) {
        /* a retry of a batch we already have: answer as the first time */
        pr->base_offset = dup;
        pr->log_start_offset = store_queue_min_offset(q);
        int64_t now_end = store_commitlog_max_pos(b->st);
        if (now_end > *end_pos)
            *end_pos = now_end;
        return 0;
    }
    if (batch_has_delay(&info)) {
        int16_t derr = produce_delayed(r, t, pd->index, q, &info, pr,
                                       end_pos);
        if (!derr)
            kafka_idempotence_record(q, pid, info.producer_epoch,
                                     info.base_sequence,
                                     info.hdr.last_offset_delta,
                                     pr->base_offset);
        return derr;
    }
    produce_scan ps;
    if (produce_scan_batch(r, &info, &ps) != 0)
        return KAFKA_ERR_INVALID_RECORD;

    produce_patch pp = {0};
    store_append_req ar;
    memset(&ar, 0, sizeof ar);
    ar.queue = q;
    ar.kind = STORE_KIND_BATCH;
    ar.count = info.hdr.last_offset_delta + 1;
    ar.born_timestamp = info.base_timestamp;
    ar.store_host = b->store_host;
    ar.body = pd->records.ptr;
    ar.body_len = (uint32_t)pd->records.len;
    ar.key = NULL;
    ar.tag_hashes = ps.any_tag ? ps.tag_hashes : NULL;
    ar.keys = ps.n_keys ? ps.keys : NULL;
    ar.n_keys = ps.n_keys;
    ar.patch = produce_patch_fn;
    ar.patch_arg = &pp;
    ar.patch_len = KAFKA_BATCH_HEADER_SIZE; /* baseOffset, leader epoch */
    store_append_result res;
    int rc = store_append(b->st, &ar, &res);
    if (rc != 0) {
        log_warn("kafka", r->conn->peer, "append to %s-%d failed: %s",
                 t->name, pd->index, store_errmsg(b->st));
        return store_err_to_kafka(rc, r->hdr.api_version);
    }
    kafka_idempotence_record(q, pid, info.producer_epoch, info.base_sequence,
                             info.hdr.last_offset_delta, res.queue_offset);
    pr->base_offset = res.queue_offset;
    pr->log_start_offset = store_queue_min_offset(q);
    if (res.end_pos > *end_pos)
        *end_pos = res.end_pos;
    return 0;
}

static void produce_flushed(void *arg, int status)
{
    kreq *r = arg;
    if (status != 0) {
        /* Re-encode with REQUEST_TIMED_OUT for every partition that had
         * succeeded: the data is in the log but not known durable. */
        log_warn("kafka", r->conn->peer,
                 "SYNC_FLUSH did not complete in time; answering "
                 "REQUEST_TIMED_OUT");
        if (r->out) {
            evbuffer_free(r->out);
            r->out = NULL;
        }
        kafka_produce_resp *saved = *(kafka_produce_resp **)r->req;
        for (int32_t i = 0; i < saved->responses.count; i++)
            for (int32_t k = 0;
                 k < saved->responses.items[i].partition_responses.count;
                 k++) {
                kafka_produce_resp_partition *p =
                    &saved->responses.items[i].partition_responses.items[k];
                if (p->error_code == 0) {
                    p->error_code = KAFKA_ERR_REQUEST_TIMED_OUT;
                    p->base_offset = -1;
                }
            }
        kreq_respond(r, &kafka_produce_resp_schema, saved);
    }
    kreq_complete(r);
}

static void produce_flush_cb(void *arg, int status)
{
    /* flush thread: hop to the loop */
    kreq *r = arg;
    broker_post(r->conn->b, produce_flushed, r, status);
}

int kafka_handle_produce(kreq *r)
{
    broker *b = r->conn->b;
    const kafka_produce_req *req = r->req;
    kafka_produce_resp *resp = wire_arena_alloc(&r->arena, sizeof *resp);
    if (!resp)
        return KH_CLOSE;
    kafka_init_defaults(&kafka_produce_resp_schema, resp);
    int acks = req->acks;
    int16_t all_err = 0;
    if (acks != 0 && acks != 1 && acks != -1)
        all_err = KAFKA_ERR_INVALID_REQUIRED_ACKS;
    else if (!req->transactional_id.is_null)
        all_err = KAFKA_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
    if (!KREQ_ARRAY(r, resp->responses, req->topic_data.count))
        return KH_CLOSE;
    buf_writer scratch;
    buf_writer_init(&scratch, 0, 0);
    int64_t end_pos = -1;
    int any_err = 0;
    for (int32_t i = 0; i < req->topic_data.count; i++) {
        const kafka_produce_req_topic *td = &req->topic_data.items[i];
        kafka_produce_resp_topic *rt = &resp->responses.items[i];
        rt->name = td->name;
        if (!KREQ_ARRAY(r, rt->partition_responses,
                         td->partition_data.count)) {
            buf_writer_release(&scratch);
            return KH_CLOSE;
        }
        int16_t terr = all_err;
        topic *t = NULL;
        if (!terr)
            t = lookup_or_create(r, td->name, 1, &terr);
        for (int32_t k = 0; k < td->partition_data.count; k++) {
            const kafka_produce_req_partition *pd =
                &td->partition_data.items[k];
            kafka_produce_resp_partition *pr =
                &rt->partition_responses.items[k];
            kafka_init_defaults(
                kafka_sub_schema(kafka_sub_schema(&kafka_produce_resp_schema,
                                      "responses"),
                           "partition_responses"),
                pr);
            pr->index = pd->index;
            pr->base_offset = -1;
            int16_t e = terr;
            if (!e)
                e = produce_partition(r, t, pd, pr, &end_pos, &scratch);
            pr->error_code = e;
            if (e)
                any_err = 1;
        }
    }
    buf_writer_release(&scratch);
    if (end_pos >= 0)
        broker_notify_append(b);
    if (acks == 0) {
        /* No reply at all; Kafka closes the connection on an error so the
         * client notices. */
        if (any_err)
            return KH_CLOSE;
        r->out = NULL;
        return KH_DONE;
    }
    if (kreq_respond(r, &kafka_produce_resp_schema, resp) != 0)
        return KH_CLOSE;
    if (b->cfg->flush_disk_type == BROKER_FLUSH_SYNC && end_pos >= 0) {
        /* keep the response struct reachable for the timeout path */
        kafka_produce_resp **slot = wire_arena_alloc(&r->arena, sizeof resp);
        if (!slot)
            return KH_CLOSE;
        *slot = resp;
        r->req = slot;
        if (store_flush_wait(b->st, end_pos, produce_flush_cb, r) != 0) {
            log_error("kafka", r->conn->peer, "flush wait failed: %s",
                      store_errmsg(b->st));
            return KH_CLOSE;
        }
        return KH_DEFERRED;
    }
    return KH_DONE;
}

/* ------------------------------------------------------------------ */
/* Fetch                                                               */
/* ------------------------------------------------------------------ */

/* A pinned CommitLog record handed to the socket. */
typedef struct record_ref {
    piece_ref base;
    store *st;
    store_record rec;
} record_ref;

static void record_ref_release(piece_ref *ref)
{
    record_ref *rr = (record_ref *)ref;
    store_record_release(rr->st, &rr->rec);
    free(rr);
}

/* A heap buffer (a batch built on the fly from a single message). */
typedef struct heap_ref {
    piece_ref base;
    uint8_t *p;
} heap_ref;

static void heap_ref_release(piece_ref *ref)
{
    heap_ref *h = (heap_ref *)ref;
    free(h->p);
    free(h);
}

/* Turns a single-message record (written by a RocketMQ producer) into a
 * one-record batch: body = value, the record's key (if any) = key, and
 * every message property (TAGS, KEYS, UNIQ_KEY, user properties) a
 * header.  A zlib-compressed RocketMQ body stays as stored (sysFlag is not
 * a Kafka notion); the COMPRESSED flag is visible in no header. */
#define MAX_PROPS_AS_HEADERS 256
static int message_as_batch(const store_record *rec, heap_ref **out,
                            size_t *len)
{
    kafka_rec_header hdrs[MAX_PROPS_AS_HEADERS];
    int32_t nh = 0;
    remoting_prop_iter pit;
    remoting_prop pr;
    remoting_prop_iter_init(&pit, rec->properties, rec->properties_len);
    while (nh < MAX_PROPS_AS_HEADERS && remoting_prop_next(&pit, &pr) == 1) {
        hdrs[nh].key = pr.key;
        hdrs[nh].value = pr.value;
        nh++;
    }
    buf_writer w;
    buf_writer_init(&w, rec->body_len + 128, 0);
    kafka_batch_params bp;
    kafka_batch_params_init(&bp);
    bp.base_offset = rec->queue_offset;
    bp.partition_leader_epoch = LEADER_EPOCH;
    kafka_record_in in;
    memset(&in, 0, sizeof in);
    in.timestamp = rec->born_timestamp;
    in.key.ptr = rec->key;
    in.key.len = rec->key_len;
    in.key.is_null = rec->key == NULL;
    in.value.ptr = rec->body;
    in.value.len = rec->body_len;
    in.headers = hdrs;
    in.n_headers = nh;
    if (kafka_batch_encode(&w, &bp, &in, 1) != 0 || w.err) {
        buf_writer_release(&w);
        return -1;
    }
    heap_ref *h = malloc(sizeof *h);
    if (!h) {
        buf_writer_release(&w);
        return -1;
    }
    h->base.release = heap_ref_release;
    h->p = w.p; /* ownership moves to the ref */
    *len = w.len;
    *out = h;
    return 0;
}

typedef struct fetch_pieces {
    kafka_rec_piece *items;
    int32_t n, cap;
} fetch_pieces;

static int pieces_push(kreq *r, fetch_pieces *fp, const uint8_t *p,
                       size_t len, void *ref)
{
    if (fp->n == fp->cap) {
        int32_t ncap = fp->cap ? fp->cap * 2 : 8;
        kafka_rec_piece *ni =
            wire_arena_calloc(&r->arena, (size_t)ncap, sizeof *ni);
        if (!ni)
            return -1;
        if (fp->n)
            memcpy(ni, fp->items, (size_t)fp->n * sizeof *ni);
        fp->items = ni;
        fp->cap = ncap;
    }
    fp->items[fp->n].p = p;
    fp->items[fp->n].len = len;
    fp->items[fp->n].ref = ref;
    fp->n++;
    return 0;
}

/* Collects batches of one partition from offset `off` up to `hw`, within
 * the byte budgets.  `first` = nothing has been added to the response yet
 * (then the first batch goes in whole, KIP-74).  *msgs gets the offsets
 * covered (for metrics). */
static int64_t fetch_collect(kreq *r, store_queue *q, int64_t off,
                             int64_t hw, int64_t part_budget,
                             int64_t *total_budget, int *first,
                             fetch_pieces *fp, int64_t *msgs)
{
    store *st = r->conn->b->st;
    int64_t bytes = 0;
    int64_t start = off;
    while (off < hw) {
        store_cq_entry e;
        int n = store_queue_read(q, off, &e, 1);
        if (n <= 0)
            break;
        record_ref *rr = malloc(sizeof *rr);
        if (!rr)
            break;
        rr->base.release = record_ref_release;
        rr->st = st;
        /* The Kafka batch carries its own CRC-32C, which clients can check;
         * skipping the record CRC here saves a quarter of fetch CPU. */
        if (store_read_record_ex(st, e.commitlog_pos, &rr->rec,
                                 STORE_READ_NO_CRC) != 0) {
            log_error("kafka", r->conn->peer,
                      "unreadable record at CommitLog position %" PRId64
                      ": %s",
                      e.commitlog_pos, store_errmsg(st));
            free(rr);
            break;
        }
        const uint8_t *p;
        size_t len;
        piece_ref *ref;
        int64_t next;
        if (rr->rec.kind == STORE_KIND_BATCH) {
            p = rr->rec.body;
            len = rr->rec.body_len;
            ref = &rr->base;
            next = rr->rec.queue_offset + rr->rec.count;
        } else {
            heap_ref *h;
            if (message_as_batch(&rr->rec, &h, &len) != 0) {
                record_ref_release(&rr->base);
                break;
            }
            record_ref_release(&rr->base);
            p = h->p;
            ref = &h->base;
            next = off + 1;
        }
        if (!*first && ((int64_t)len + bytes > part_budget ||
                        (int64_t)len > *total_budget)) {
            ref->release(ref);
            break;
        }
        if (pieces_push(r, fp, p, len, ref) != 0) {
            ref->release(ref);
            break;
        }
        *first = 0;
        bytes += (int64_t)len;
        *total_budget -= (int64_t)len;
        if (next <= off)
            next = off + 1;
        off = next;
        if (bytes >= part_budget || *total_budget <= 0)
            break;
    }
    *msgs = off - start;
    return bytes;
}

static void fetch_release_pieces(kafka_fetch_resp *resp)
{
    for (int32_t i = 0; i < resp->responses.count; i++)
        for (int32_t k = 0; k < resp->responses.items[i].partitions.count;
             k++) {
            kafka_records *rec =
                &resp->responses.items[i].partitions.items[k].records;
            for (int32_t j = 0; j < rec->n_pieces; j++) {
                piece_ref *ref = rec->pieces[j].ref;
                if (ref)
                    ref->release(ref);
            }
            rec->n_pieces = 0;
        }
}

static int fetch_has_new_data(kreq *r)
{
    broker *b = r->conn->b;
    const kafka_fetch_req *req = r->req;
    for (int32_t i = 0; i < req->topics.count; i++) {
        const kafka_fetch_req_topic *ft = &req->topics.items[i];
        topic *t = topics_find(b->topics, (const char *)ft->topic.ptr,
                               ft->topic.len);
        if (!t)
            continue;
        for (int32_t k = 0; k < ft->partitions.count; k++) {
            store_queue *q =
                topics_queue(b->topics, t, ft->partitions.items[k].partition);
            if (q && store_queue_max_offset(q) >
                         ft->partitions.items[k].fetch_offset)
                return 1;
        }
    }
    return 0;
}

/* Builds the Fetch response.  Returns 1 if it was sent (r complete), 0 if
 * there is not enough data yet and the caller should wait. */
static int fetch_build(kreq *r, int final)
{
    broker *b = r->conn->b;
    const kafka_fetch_req *req = r->req;
    kafka_fetch_resp *resp = wire_arena_alloc(&r->arena, sizeof *resp);
    if (!resp)
        return -1;
    kafka_init_defaults(&kafka_fetch_resp_schema, resp);
    resp->session_id = 0;
    if (r->hdr.api_version >= 7 && req->session_id != 0) {
        resp->error_code = KAFKA_ERR_FETCH_SESSION_ID_NOT_FOUND;
        resp->responses.count = 0;
        return kreq_respond(r, &kafka_fetch_resp_schema, resp) == 0 ? 1 : -1;
    }
    if (r->hdr.api_version >= 7 && req->session_epoch > 0) {
        resp->error_code = KAFKA_ERR_INVALID_FETCH_SESSION_EPOCH;
        resp->responses.count = 0;
        return kreq_respond(r, &kafka_fetch_resp_schema, resp) == 0 ? 1 : -1;
    }
    if (!KREQ_ARRAY(r, resp->responses, req->topics.count))
        return -1;
    int64_t total_budget =
        req->max_bytes > 0 ? req->max_bytes : (int64_t)INT32_MAX;
    int64_t total = 0;
    int first = 1, any_error = 0;
    /* per request topic: messages and bytes sent, for metrics */
    int64_t *sent = wire_arena_alloc(
        &r->arena, sizeof(int64_t) * 2 * (size_t)(req->topics.count + 1));
    if (!sent)
        return -1;
    memset(sent, 0, sizeof(int64_t) * 2 * (size_t)(req->topics.count + 1));
    const kafka_schema *ps = kafka_sub_schema(
        kafka_sub_schema(&kafka_fetch_resp_schema, "responses"), "partitions");
    for (int32_t i = 0; i < req->topics.count; i++) {
        const kafka_fetch_req_topic *ft = &req->topics.items[i];
        kafka_fetch_resp_topic *rt = &resp->responses.items[i];
        rt->topic = ft->topic;
        if (!KREQ_ARRAY(r, rt->partitions, ft->partitions.count))
            return -1;
        topic *t = topics_find(b->topics, (const char *)ft->topic.ptr,
                               ft->topic.len);
        if (kafka_hidden(t))
            t = NULL;
        for (int32_t k = 0; k < ft->partitions.count; k++) {
            const kafka_fetch_req_partition *fpq = &ft->partitions.items[k];
            kafka_fetch_resp_partition *rp = &rt->partitions.items[k];
            kafka_init_defaults(ps, rp);
            rp->partition_index = fpq->partition;
            rp->records.len = 0;
            rp->high_watermark = -1;
            rp->aborted_transactions.count =
                req->isolation_level == 1 ? 0 : -1;
            store_queue *q = t ? topics_queue(b->topics, t, fpq->partition)
                               : NULL;
            if (!q) {
                rp->error_code = KAFKA_ERR_UNKNOWN_TOPIC_OR_PARTITION;
                any_error = 1;
                continue;
            }
            if (fpq->current_leader_epoch > LEADER_EPOCH) {
                rp->error_code = KAFKA_ERR_UNKNOWN_LEADER_EPOCH;
                any_error = 1;
                continue;
            }
            int64_t hw = store_queue_max_offset(q);
            int64_t lso = store_queue_min_offset(q);
            rp->high_watermark = hw;
            rp->last_stable_offset = hw;
            rp->log_start_offset = lso;
            if (fpq->fetch_offset < lso || fpq->fetch_offset > hw) {
                rp->error_code = KAFKA_ERR_OFFSET_OUT_OF_RANGE;
                any_error = 1;
                continue;
            }
            fetch_pieces fp = {0};
            int64_t nmsgs = 0;
            int64_t n = fetch_collect(
                r, q, fpq->fetch_offset, hw,
                fpq->partition_max_bytes > 0 ? fpq->partition_max_bytes
                                             : INT32_MAX,
                &total_budget, &first, &fp, &nmsgs);
            rp->records.pieces = fp.items;
            rp->records.n_pieces = fp.n;
            rp->records.len = n;
            total += n;
            sent[2 * i] += nmsgs;
            sent[2 * i + 1] += n;
        }
    }
    if (!final && !any_error && req->max_wait_ms > 0 &&
        total < (req->min_bytes > 0 ? req->min_bytes : 1) &&
        req->min_bytes > 0) {
        fetch_release_pieces(resp);
        return 0;
    }
    if (kreq_respond(r, &kafka_fetch_resp_schema, resp) != 0)
        return -1;
    for (int32_t i = 0; i < req->topics.count; i++)
        metrics_topic_out(METRICS_KAFKA,
                          (const char *)req->topics.items[i].topic.ptr,
                          req->topics.items[i].topic.len, sent[2 * i],
                          sent[2 * i + 1]);
    return 1;
}

static void fetch_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    kafka_fetch_retry(arg, 1);
}

static void fetch_unwait(kreq *r)
{
    broker *b = r->conn->b;
    if (r->waiting) {
        kreq **pp = &b->waiting_fetches;
        while (*pp && *pp != r)
            pp = &(*pp)->wait_next;
        if (*pp)
            *pp = r->wait_next;
        r->waiting = 0;
    }
    if (r->timer) {
        event_free(r->timer);
        r->timer = NULL;
    }
}

void kafka_fetch_retry(kreq *r, int final)
{
    if (!final && !fetch_has_new_data(r))
        return;
    int rc = fetch_build(r, final);
    if (rc == 0)
        return; /* keep waiting */
    fetch_unwait(r);
    if (rc < 0) {
        r->conn->close_on_flush = 1;
        if (r->out) {
            evbuffer_free(r->out);
            r->out = NULL;
        }
    }
    kreq_complete(r);
}

int kafka_handle_fetch(kreq *r)
{
    broker *b = r->conn->b;
    int rc = fetch_build(r, 0);
    if (rc < 0)
        return KH_CLOSE;
    if (rc == 1)
        return KH_DONE;
    const kafka_fetch_req *req = r->req;
    int64_t wait = req->max_wait_ms;
    if (wait > b->cfg->fetch_max_wait_cap_ms)
        wait = b->cfg->fetch_max_wait_cap_ms;
    r->timer = evtimer_new(b->base, fetch_timeout_cb, r);
    if (!r->timer)
        return KH_CLOSE;
    struct timeval tv = {(time_t)(wait / 1000), (suseconds_t)(wait % 1000) *
                                                    1000};
    evtimer_add(r->timer, &tv);
    r->wait_next = b->waiting_fetches;
    b->waiting_fetches = r;
    r->waiting = 1;
    return KH_DEFERRED;
}

/* ------------------------------------------------------------------ */
/* ListOffsets                                                         */
/* ------------------------------------------------------------------ */

int kafka_handle_list_offsets(kreq *r)
{
    broker *b = r->conn->b;
    const kafka_list_offsets_req *req = r->req;
    kafka_list_offsets_resp resp;
    kafka_init_defaults(&kafka_list_offsets_resp_schema, &resp);
    if (!KREQ_ARRAY(r, resp.topics, req->topics.count))
        return KH_CLOSE;
    const kafka_schema *ps = kafka_sub_schema(
        kafka_sub_schema(&kafka_list_offsets_resp_schema, "topics"), "partitions");
    for (int32_t i = 0; i < req->topics.count; i++) {
        const kafka_list_offsets_req_topic *lt = &req->topics.items[i];
        kafka_list_offsets_resp_topic *rt = &resp.topics.items[i];
        rt->name = lt->name;
        if (!KREQ_ARRAY(r, rt->partitions, lt->partitions.count))
            return KH_CLOSE;
        topic *t = topics_find(b->topics, (const char *)lt->name.ptr,
                               lt->name.len);
        for (int32_t k = 0; k < lt->partitions.count; k++) {
            const kafka_list_offsets_req_partition *lp =
                &lt->partitions.items[k];
            kafka_list_offsets_resp_partition *rp = &rt->partitions.items[k];
            kafka_init_defaults(ps, rp);
            rp->partition_index = lp->partition_index;
            rp->timestamp = -1;
            rp->offset = -1;
            /* duplicate partitions in one request are invalid */
            for (int32_t j = 0; j < k; j++)
                if (lt->partitions.items[j].partition_index ==
                    lp->partition_index)
                    rp->error_code = KAFKA_ERR_INVALID_REQUEST;
            if (rp->error_code)
                continue;
            store_queue *q =
                t ? topics_queue(b->topics, t, lp->partition_index) : NULL;
            if (!q) {
                rp->error_code = KAFKA_ERR_UNKNOWN_TOPIC_OR_PARTITION;
                continue;
            }
            if (lp->current_leader_epoch > LEADER_EPOCH) {
                rp->error_code = KAFKA_ERR_UNKNOWN_LEADER_EPOCH;
                continue;
            }
            rp->leader_epoch = LEADER_EPOCH;
            int64_t min = store_queue_min_offset(q);
            int64_t max = store_queue_max_offset(q);
            store_cq_entry e;
            switch (lp->timestamp) {
            case -1: /* LATEST: HW (= LSO, no open transactions) */
                rp->offset = max;
                break;
            case -2: /* EARLIEST */
            case -4: /* EARLIEST_LOCAL: no tiered storage */
                rp->offset = min;
                break;
            case -3: /* MAX_TIMESTAMP: store time grows with offsets */
                if (max > min &&
                    store_queue_read(q, max - 1, &e, 1) == 1) {
                    rp->offset = max - 1;
                    rp->timestamp = e.store_timestamp;
                }
                break;
            default:
                if (lp->timestamp < 0) {
                    rp->error_code = KAFKA_ERR_INVALID_REQUEST;
                    break;
                }
                {
                    int64_t off =
                        store_queue_find_by_time(q, lp->timestamp);
                    if (off < max && off >= min &&
                        store_queue_read(q, off, &e, 1) == 1) {
                        rp->offset = off;
                        rp->timestamp = e.store_timestamp;
                    }
                }
                break;
            }
        }
    }
    return kreq_respond(r, &kafka_list_offsets_resp_schema, &resp) == 0
               ? KH_DONE
               : KH_CLOSE;
}

/* ------------------------------------------------------------------ */
/* CreateTopics                                                        */
/* ------------------------------------------------------------------ */

/* Topic configs accepted at creation.  Ferry keeps them with the topic;
 * retention and segment sizes are broker-wide in this version (the store
 * has one CommitLog), which `ferryctl topic describe` will show. */
static const char *const known_topic_configs[] = {
    "cleanup.policy",        "compression.type",   "retention.ms",
    "retention.bytes",       "segment.bytes",      "segment.ms",
    "max.message.bytes",     "message.timestamp.type",
    "min.insync.replicas",   "unclean.leader.election.enable",
    "message.timestamp.difference.max.ms",     "flush.messages",
    "flush.ms",              "delete.retention.ms", NULL};

static int known_topic_config(buf_view name)
{
    for (int i = 0; known_topic_configs[i]; i++)
        if (strlen(known_topic_configs[i]) == name.len &&
            memcmp(known_topic_configs[i], name.ptr, name.len) == 0)
            return 1;
    return 0;
}

int kafka_handle_create_topics(kreq *r)
{
    broker *b = r->conn->b;
    const kafka_create_topics_req *req = r->req;
    kafka_create_topics_resp resp;
    kafka_init_defaults(&kafka_create_topics_resp_schema, &resp);
    if (!KREQ_ARRAY(r, resp.topics, req->topics.count))
        return KH_CLOSE;
    const kafka_schema *ts =
        kafka_sub_schema(&kafka_create_topics_resp_schema, "topics");
    for (int32_t i = 0; i < req->topics.count; i++) {
        const kafka_create_topics_req_topic *ct = &req->topics.items[i];
        kafka_create_topics_resp_topic *rt = &resp.topics.items[i];
        kafka_init_defaults(ts, rt);
        rt->name = ct->name;
        rt->configs.count = -1;
        char why[200] = "";
        int16_t err = 0;
        int32_t parts = ct->num_partitions;
        for (int32_t j = 0; j < i && !err; j++)
            if (req->topics.items[j].name.len == ct->name.len &&
                memcmp(req->topics.items[j].name.ptr, ct->name.ptr,
                       ct->name.len) == 0) {
                err = KAFKA_ERR_INVALID_REQUEST;
                snprintf(why, sizeof why, "topic named twice in one request");
            }
        if (!err && topics_validate_name((const char *)ct->name.ptr,
                                         ct->name.len, why, sizeof why) != 0)
            err = KAFKA_ERR_INVALID_TOPIC_EXCEPTION;
        if (!err && topics_find(b->topics, (const char *)ct->name.ptr,
                                ct->name.len)) {
            err = KAFKA_ERR_TOPIC_ALREADY_EXISTS;
            snprintf(why, sizeof why, "Topic '%.*s' already exists.",
                     (int)ct->name.len, (const char *)ct->name.ptr);
        }
        if (!err && ct->assignments.count > 0) {
            parts = ct->assignments.count;
            for (int32_t j = 0; j < ct->assignments.count && !err; j++) {
                const kafka_create_topics_req_assignment *as =
                    &ct->assignments.items[j];
                if (as->partition_index != j || as->broker_ids.count != 1 ||
                    as->broker_ids.items[0] != b->cfg->broker_id) {
                    err = KAFKA_ERR_INVALID_REPLICA_ASSIGNMENT;
                    snprintf(why, sizeof why,
                             "this cluster has one broker (id %" PRId64 ")",
                             b->cfg->broker_id);
                }
            }
        }
        if (!err && parts == -1)
            parts = (int32_t)b->cfg->num_partitions;
        if (!err && (parts <= 0 || parts > 100000)) {
            err = KAFKA_ERR_INVALID_PARTITIONS;
            snprintf(why, sizeof why,
                     "Number of partitions must be in 1..100000.");
        }
        if (!err && ct->replication_factor != -1 &&
            ct->replication_factor != 1 && ct->assignments.count <= 0) {
            err = KAFKA_ERR_INVALID_REPLICATION_FACTOR;
            snprintf(why, sizeof why,
                     "Replication factor: %d larger than available brokers: "
                     "1.",
                     ct->replication_factor);
        }
        topic_config_entry *cfgs = NULL;
        int ncfg = 0;
        if (!err && ct->configs.count > 0) {
            cfgs = wire_arena_calloc(&r->arena, (size_t)ct->configs.count,
                                     sizeof *cfgs);
            if (!cfgs)
                return KH_CLOSE;
            for (int32_t j = 0; j < ct->configs.count && !err; j++) {
                const kafka_create_topics_req_config *c =
                    &ct->configs.items[j];
                if (!known_topic_config(c->name)) {
                    err = KAFKA_ERR_INVALID_CONFIG;
                    snprintf(why, sizeof why, "Unknown topic config name: %.*s",
                             (int)c->name.len, (const char *)c->name.ptr);
                    break;
                }
                if (c->value.is_null)
                    continue;
                char *n = (char *)arena_str(r, (const char *)c->name.ptr,
                                            c->name.len)
                              .ptr;
                char *v = (char *)arena_str(r, (const char *)c->value.ptr,
                                            c->value.len)
                              .ptr;
                cfgs[ncfg].name = n;
                cfgs[ncfg].value = v;
                ncfg++;
            }
        }
        if (!err && !req->validate_only) {
            topic *t = NULL;
            int rc = topics_create(b->topics, (const char *)ct->name.ptr,
                                   ct->name.len, parts, cfgs, ncfg, &t, why,
                                   sizeof why);
            if (rc == -2)
                err = KAFKA_ERR_TOPIC_ALREADY_EXISTS;
            else if (rc != 0)
                err = KAFKA_ERR_INVALID_REQUEST;
            else
                memcpy(rt->topic_id.b, t->id, 16);
        }
        rt->error_code = err;
        if (err) {
            rt->error_message = arena_str(r, why, strlen(why));
        } else {
            rt->num_partitions = parts;
            rt->replication_factor = 1;
            rt->configs.count = 0;
        }
    }
    return kreq_respond(r, &kafka_create_topics_resp_schema, &resp) == 0
               ? KH_DONE
               : KH_CLOSE;
}
