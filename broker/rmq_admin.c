/*
 * rmq_admin.c - admin codes of the RocketMQ face (ref 2.11), served the way
 * RocketMQ's broker serves them so ferryctl, mqadmin and the consoles can
 * all use them, over Ferry's one offset store:
 *
 *   GET_TOPIC_STATS_INFO (202)     min/max offset and last store time per
 *                                  queue
 *   GET_CONSUME_STATS (208)        per queue: broker (end) offset, the
 *                                  group's committed offset (none: 0, as
 *                                  RocketMQ writes it, and ferryNoCommit),
 *                                  store time of the last consumed message;
 *                                  any group of the offset store, Kafka or
 *                                  RocketMQ
 *   GET_CONSUMER_CONNECTION_LIST (203)  RocketMQ members (heartbeats), or
 *                                  Kafka members with their assignment in
 *                                  "ferryAssigned" (RocketMQ members: the
 *                                  queues they hold locks on, orderly
 *                                  consumers only); CONSUMER_NOT_ONLINE if
 *                                  the group has none
 *   GET_ALL_SUBSCRIPTIONGROUP_CONFIG (201)  every group known: offset store,
 *                                  Kafka coordinator, RocketMQ heartbeats
 *   DELETE_TOPIC_IN_BROKER (215)   registry entry, queues and offsets, and
 *                                  the topic at the embedded and namesrvAddr
 *                                  name servers (clients also send 216)
 *   DELETE_SUBSCRIPTIONGROUP (207) drops the group's offsets; refused while
 *                                  it has live members
 *   INVOKE_BROKER_TO_RESET_OFFSET (222)  see handle_reset
 *   REMOTING_REQ_FERRY_GET_PENDING_TXN   Ferry's own: pending transactions
 *   REMOTING_REQ_FERRY_DLQ_RESEND  Ferry's own: a dead letter back to its
 *                                  topic (rmq_retry.c does the copy)
 *
 * Groups have no configuration of their own here: a group is what the
 * offset store, the Kafka coordinator and the heartbeats know of it.
 * @locality: event loop thread.
 */
#include "rmq_admin.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/bufferevent.h>

#include "kafka_int.h"
#include "log.h"
#include "namesrv.h"
#include "offsets.h"
#include "remoting_admin.h"
#include "remoting_headers.h"
#include "remoting_message.h"
#include "rmq_retry.h"
#include "rmq_txn.h"
#include "topics.h"
#include "txn_table.h"

#define R rmq_state

#define ADMIN_MAX_GROUPS  4096
#define ADMIN_MAX_ENTRIES 65536
#define ADMIN_MAX_TXN     1000

int rmq_admin_handles(int32_t code)
{
    switch (code) {
    case REMOTING_REQ_GET_TOPIC_STATS_INFO:
    case REMOTING_REQ_GET_CONSUME_STATS:
    case REMOTING_REQ_GET_CONSUMER_CONNECTION_LIST:
    case REMOTING_REQ_GET_ALL_SUBSCRIPTIONGROUP_CONFIG:
    case REMOTING_REQ_DELETE_TOPIC_IN_BROKER:
    case REMOTING_REQ_DELETE_SUBSCRIPTIONGROUP:
    case REMOTING_REQ_INVOKE_BROKER_TO_RESET_OFFSET:
    case REMOTING_REQ_FERRY_GET_PENDING_TXN:
    case REMOTING_REQ_FERRY_DLQ_RESEND:
        return 1;
    default:
        return 0;
    }
}

static void reply_body(rconn *c, const remoting_header *req, buf_writer *w)
{
    if (w->err)
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR,
                  "out of memory encoding the answer", NULL, 0);
    else
        rmq_reply(c, req, NULL, REMOTING_RESP_SUCCESS, NULL, w->p, w->len);
}

static buf_view V(const char *s)
{
    buf_view v = {(const uint8_t *)s, s ? strlen(s) : 0, s == NULL};
    return v;
}

/* Store time of the entry at offset (0 if none). */
static int64_t entry_time(store_queue *q, int64_t offset)
{
    store_cq_entry e;
    if (offset < store_queue_min_offset(q) || offset < 0 ||
        offset >= store_queue_max_offset(q))
        return 0;
    return store_queue_read(q, offset, &e, 1) == 1 ? e.store_timestamp : 0;
}

/* Live RocketMQ members (heartbeats) of a group. */
static int rmq_members(const char *group)
{
    int n = 0;
    for (rmember *m = R->members; m; m = m->next)
        if (!strcmp(m->group, group))
            n++;
    return n;
}

static int live_members(const char *group)
{
    return rmq_members(group) + kafka_group_member_count(group, strlen(group));
}

/* ------------------------------------------------------------------ */
/* GET_TOPIC_STATS_INFO                                                */
/* ------------------------------------------------------------------ */

static void handle_topic_stats(rconn *c, const remoting_header *req)
{
    broker *b = c->b;
    const char *tname = rmq_ext_str(c, req, "topic");
    topic *t = tname ? topics_find(b->topics, tname, strlen(tname)) : NULL;
    if (!t) {
        char remark[300];
        snprintf(remark, sizeof remark, "topic[%s] not exist",
                 tname ? tname : "");
        rmq_reply(c, req, NULL, REMOTING_RESP_TOPIC_NOT_EXIST, remark, NULL, 0);
        return;
    }
    remoting_topic_offset *to =
        wire_arena_calloc(&c->arena, (size_t)t->queues + 1, sizeof *to);
    if (!to) {
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR, "out of memory",
                  NULL, 0);
        return;
    }
    for (int32_t i = 0; i < t->queues; i++) {
        store_queue *q = topics_queue(b->topics, t, i);
        to[i].mq.topic = V(t->name);
        to[i].mq.broker_name = V(b->cfg->broker_name);
        to[i].mq.queue_id = i;
        if (!q)
            continue;
        to[i].min_offset = store_queue_min_offset(q);
        to[i].max_offset = store_queue_max_offset(q);
        to[i].last_update_timestamp = entry_time(q, to[i].max_offset - 1);
    }
    buf_writer w;
    buf_writer_init(&w, 256, 0);
    remoting_topic_stats_encode(&w, to, t->queues);
    reply_body(c, req, &w);
    buf_writer_release(&w);
}

/* ------------------------------------------------------------------ */
/* GET_CONSUME_STATS                                                   */
/* ------------------------------------------------------------------ */

/* A set of topic names (borrowed strings valid during the request). */
typedef struct name_set {
    const char *v[ADMIN_MAX_GROUPS];
    int n;
} name_set;

static void name_add(name_set *s, const char *name)
{
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->v[i], name))
            return;
    if (s->n < ADMIN_MAX_GROUPS)
        s->v[s->n++] = name;
}

static void topic_of_entry(void *arg, const offset_entry *e)
{
    name_add(arg, e->topic);
}

/*
 * The topics of a Kafka ConsumerProtocolAssignment (version i16, then
 * [topic string, [partition i32]], then user data): calls fn per
 * (topic, partition).  Stops at the first malformed byte.
 */
static void assignment_walk(const uint8_t *p, size_t n,
                            void (*fn)(void *arg, buf_view topic,
                                       int32_t partition),
                            void *arg)
{
    buf_reader r;
    buf_reader_init(&r, p, n);
    (void)buf_read_i16(&r);
    int32_t nt = buf_check_count(&r, buf_read_i32(&r), 6);
    for (int32_t i = 0; i < nt && !r.err; i++) {
        int16_t tl = buf_read_i16(&r);
        if (tl < 0)
            return;
        buf_view tv = buf_read_raw(&r, (size_t)tl);
        int32_t np = buf_check_count(&r, buf_read_i32(&r), 4);
        for (int32_t k = 0; k < np && !r.err; k++) {
            int32_t part = buf_read_i32(&r);
            if (!r.err)
                fn(arg, tv, part);
        }
    }
}

typedef struct topic_collect {
    name_set *set;
    rconn *c;
} topic_collect;

static void assigned_topic(void *arg, buf_view topic_name, int32_t part)
{
    topic_collect *tc = arg;
    (void)part;
    char *s = wire_arena_alloc(&tc->c->arena, topic_name.len + 1);
    if (!s)
        return;
    memcpy(s, topic_name.ptr, topic_name.len);
    s[topic_name.len] = '\0';
    name_add(tc->set, s);
}

static void member_topics(void *arg, const kafka_group_member_view *m)
{
    if (m->assignment)
        assignment_walk(m->assignment, m->assignment_len, assigned_topic, arg);
}

/* Topics of a RocketMQ member's subscriptions ("topic\tsub\n..."). */
static void rmq_member_topics(rconn *c, const rmember *m, name_set *s)
{
    const char *p = m->subscription_topics;
    while (p && *p) {
        const char *tab = strchr(p, '\t');
        const char *nl = strchr(p, '\n');
        if (!tab || (nl && tab > nl))
            break;
        size_t tl = (size_t)(tab - p);
        char *name = wire_arena_alloc(&c->arena, tl + 1);
        if (name) {
            memcpy(name, p, tl);
            name[tl] = '\0';
            name_add(s, name);
        }
        p = nl ? nl + 1 : NULL;
    }
}

static void handle_consume_stats(rconn *c, const remoting_header *req)
{
    broker *b = c->b;
    const char *group = rmq_ext_str(c, req, "consumerGroup");
    const char *only = rmq_ext_str(c, req, "topic");
    if (!group || !*group) {
        rmq_reply(c, req, NULL, REMOTING_RESP_INVALID_PARAMETER,
                  "consumerGroup is required", NULL, 0);
        return;
    }
    name_set *topics = calloc(1, sizeof *topics);
    if (!topics) {
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR, "out of memory",
                  NULL, 0);
        return;
    }
    offsets_foreach(b->offsets, group, strlen(group), topic_of_entry, topics);
    topic_collect tc = {topics, c};
    const char *kstate = kafka_group_describe(group, member_topics, &tc);
    int rmembers = 0;
    for (rmember *m = R->members; m; m = m->next)
        if (!strcmp(m->group, group)) {
            rmq_member_topics(c, m, topics);
            rmembers++;
        }
    if (topics->n == 0 && !kstate && rmembers == 0) {
        char remark[400];
        snprintf(remark, sizeof remark,
                 "the consumer group[%s] not exist (no offsets, no members)",
                 group);
        rmq_reply(c, req, NULL, REMOTING_RESP_SUBSCRIPTION_GROUP_NOT_EXIST,
                  remark, NULL, 0);
        free(topics);
        return;
    }
    /* one row per queue of every topic (of `only`, when given) */
    int64_t rows = 0;
    for (int i = 0; i < topics->n; i++) {
        topic *t = topics_find(b->topics, topics->v[i], strlen(topics->v[i]));
        if (t && (!only || !strcmp(only, t->name)))
            rows += t->queues;
    }
    if (rows > ADMIN_MAX_ENTRIES)
        rows = ADMIN_MAX_ENTRIES;
    remoting_consume_offset *co =
        wire_arena_calloc(&c->arena, (size_t)rows + 1, sizeof *co);
    int32_t k = 0;
    for (int i = 0; co && i < topics->n; i++) {
        topic *t = topics_find(b->topics, topics->v[i], strlen(topics->v[i]));
        if (!t || (only && strcmp(only, t->name)))
            continue;
        for (int32_t qi = 0; qi < t->queues && k < rows; qi++) {
            store_queue *q = topics_queue(b->topics, t, qi);
            const offset_entry *oe = offsets_get(
                b->offsets, group, strlen(group), t->name, t->name_len, qi);
            remoting_consume_offset *o = &co[k++];
            o->mq.topic = V(t->name);
            o->mq.broker_name = V(b->cfg->broker_name);
            o->mq.queue_id = qi;
            o->broker_offset = q ? store_queue_max_offset(q) : 0;
            o->consumer_offset = oe ? oe->offset : -1;
            o->pull_offset = o->consumer_offset;
            o->last_timestamp = q && oe ? entry_time(q, oe->offset - 1) : 0;
        }
    }
    free(topics);
    if (!co) {
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR, "out of memory",
                  NULL, 0);
        return;
    }
    buf_writer w;
    buf_writer_init(&w, 512, 0);
    remoting_consume_stats_encode_ferry(&w, 0.0, co, k);
    reply_body(c, req, &w);
    buf_writer_release(&w);
}

/* ------------------------------------------------------------------ */
/* GET_CONSUMER_CONNECTION_LIST                                        */
/* ------------------------------------------------------------------ */

typedef struct conn_collect {
    rconn *c;
    broker *b;
    remoting_connection *conns;
    int32_t n, cap;
    name_set *topics;
    /* assignment of the member being walked */
    remoting_message_queue *mqs;
    int32_t nmq, capmq;
} conn_collect;

static void assigned_mq(void *arg, buf_view topic_name, int32_t part)
{
    conn_collect *cc = arg;
    if (cc->nmq == cc->capmq) {
        int32_t nc = cc->capmq ? cc->capmq * 2 : 8;
        remoting_message_queue *nm =
            wire_arena_calloc(&cc->c->arena, (size_t)nc, sizeof *nm);
        if (!nm)
            return;
        if (cc->nmq)
            memcpy(nm, cc->mqs, (size_t)cc->nmq * sizeof *nm);
        cc->mqs = nm;
        cc->capmq = nc;
    }
    char *s = wire_arena_alloc(&cc->c->arena, topic_name.len + 1);
    if (!s)
        return;
    memcpy(s, topic_name.ptr, topic_name.len);
    s[topic_name.len] = '\0';
    name_add(cc->topics, s);
    remoting_message_queue *mq = &cc->mqs[cc->nmq++];
    mq->topic = V(s);
    mq->broker_name = V(cc->b->cfg->broker_name);
    mq->queue_id = part;
}

static remoting_connection *conn_next(conn_collect *cc)
{
    if (cc->n == cc->cap)
        return NULL;
    remoting_connection *k = &cc->conns[cc->n++];
    memset(k, 0, sizeof *k);
    return k;
}

static void kafka_member_conn(void *arg, const kafka_group_member_view *m)
{
    conn_collect *cc = arg;
    remoting_connection *k = conn_next(cc);
    if (!k)
        return;
    k->client_id = V(m->member_id);
    k->client_addr = V(m->client_host ? m->client_host : "");
    k->language = V("OTHER");
    cc->mqs = NULL;
    cc->nmq = cc->capmq = 0;
    if (m->assignment)
        assignment_walk(m->assignment, m->assignment_len, assigned_mq, cc);
    k->assigned = cc->mqs;
    k->assigned_count = cc->nmq;
}

static void handle_consumer_connections(rconn *c, const remoting_header *req)
{
    broker *b = c->b;
    const char *group = rmq_ext_str(c, req, "consumerGroup");
    if (!group || !*group) {
        rmq_reply(c, req, NULL, REMOTING_RESP_INVALID_PARAMETER,
                  "consumerGroup is required", NULL, 0);
        return;
    }
    int nr = rmq_members(group);
    int nk = kafka_group_member_count(group, strlen(group));
    if (nr + nk == 0) {
        char remark[400];
        snprintf(remark, sizeof remark, "the consumer group[%s] not online",
                 group);
        rmq_reply(c, req, NULL, REMOTING_RESP_CONSUMER_NOT_ONLINE, remark, NULL,
                  0);
        return;
    }
    conn_collect cc;
    memset(&cc, 0, sizeof cc);
    cc.c = c;
    cc.b = b;
    cc.cap = nr + nk;
    cc.conns = wire_arena_calloc(&c->arena, (size_t)cc.cap, sizeof *cc.conns);
    cc.topics = calloc(1, sizeof *cc.topics);
    if (!cc.conns || !cc.topics) {
        free(cc.topics);
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR, "out of memory",
                  NULL, 0);
        return;
    }
    remoting_consumer_connection out;
    memset(&out, 0, sizeof out);
    /* subscriptions: RocketMQ's from the first member (the broker keeps
     * one per group and topic), Kafka's from the assignments ("*") */
    remoting_subscription *subs = NULL;
    int32_t nsubs = 0;
    const rmember *first = NULL;
    for (rmember *m = R->members; m; m = m->next) {
        if (strcmp(m->group, group))
            continue;
        remoting_connection *k = conn_next(&cc);
        if (!k)
            break;
        rconn *mc = rmq_conn_find(m->conn_id);
        k->client_id = V(m->client_id);
        k->client_addr = V(mc ? mc->peer : "");
        k->language = V("OTHER");
        k->ferry_subscriptions = V(m->subscription_topics
                                       ? m->subscription_topics
                                       : "");
        /* queues are chosen by the clients; the broker knows them only
         * for orderly consumers, through their live queue locks */
        cc.mqs = NULL;
        cc.nmq = cc.capmq = 0;
        int64_t now = rmq_now_ms();
        for (rlock *l = R->locks; l; l = l->next)
            if (!strcmp(l->group, group) &&
                !strcmp(l->client_id, m->client_id) &&
                now - l->last_ms <= RMQ_LOCK_EXPIRE_MS)
                assigned_mq(&cc, V(l->topic), l->queue_id);
        k->assigned = cc.mqs;
        k->assigned_count = cc.nmq;
        if (!first)
            first = m;
    }
    if (first) {
        const char *p = first->subscription_topics;
        int lines = 0;
        for (const char *s = p; s && *s; s++)
            lines += *s == '\n';
        subs = wire_arena_calloc(&c->arena, (size_t)lines + 1, sizeof *subs);
        while (subs && p && *p) {
            const char *tab = strchr(p, '\t');
            const char *nl = strchr(p, '\n');
            if (!tab || !nl || tab > nl || nsubs == lines)
                break;
            remoting_subscription *s = &subs[nsubs++];
            s->topic.ptr = (const uint8_t *)p;
            s->topic.len = (size_t)(tab - p);
            s->sub_string.ptr = (const uint8_t *)tab + 1;
            s->sub_string.len = (size_t)(nl - tab - 1);
            s->expression_type = V("TAG");
            p = nl + 1;
        }
    }
    const char *kstate =
        nk ? kafka_group_describe(group, kafka_member_conn, &cc) : NULL;
    if (nk && cc.topics->n) {
        remoting_subscription *ks = wire_arena_calloc(
            &c->arena, (size_t)(nsubs + cc.topics->n), sizeof *ks);
        if (ks) {
            if (nsubs)
                memcpy(ks, subs, (size_t)nsubs * sizeof *ks);
            for (int i = 0; i < cc.topics->n; i++) {
                remoting_subscription *s = &ks[nsubs++];
                s->topic = V(cc.topics->v[i]);
                s->sub_string = V("*");
                s->expression_type = V("TAG");
            }
            subs = ks;
        }
    }
    out.connections = cc.conns;
    out.connection_count = cc.n;
    out.subscriptions = subs;
    out.subscription_count = nsubs;
    out.consume_type = V(nr ? "CONSUME_PASSIVELY" : "CONSUME_ACTIVELY");
    out.message_model = V("CLUSTERING");
    out.consume_from_where = V("CONSUME_FROM_LAST_OFFSET");
    out.ferry_protocol = V(nr && nk ? "mixed" : nr ? "rocketmq" : "kafka");
    out.ferry_state = V(kstate ? kstate : "Active");
    buf_writer w;
    buf_writer_init(&w, 512, 0);
    remoting_consumer_connection_encode(&w, &out);
    reply_body(c, req, &w);
    buf_writer_release(&w);
    free(cc.topics);
}

/* ------------------------------------------------------------------ */
/* GET_ALL_SUBSCRIPTIONGROUP_CONFIG                                    */
/* ------------------------------------------------------------------ */

typedef struct group_list {
    rconn *c;
    remoting_subscription_group *g;
    int32_t n, cap;
} group_list;

static remoting_subscription_group *group_slot(group_list *gl, const char *name)
{
    for (int32_t i = 0; i < gl->n; i++)
        if (gl->g[i].group_name.len == strlen(name) &&
            !memcmp(gl->g[i].group_name.ptr, name, gl->g[i].group_name.len))
            return &gl->g[i];
    if (gl->n == gl->cap) {
        if (gl->cap >= ADMIN_MAX_GROUPS)
            return NULL;
        int32_t nc = gl->cap ? gl->cap * 2 : 32;
        remoting_subscription_group *ng =
            realloc(gl->g, (size_t)nc * sizeof *ng);
        if (!ng)
            return NULL;
        gl->g = ng;
        gl->cap = nc;
    }
    remoting_subscription_group *s = &gl->g[gl->n++];
    memset(s, 0, sizeof *s);
    size_t len = strlen(name);
    char *copy = wire_arena_alloc(&gl->c->arena, len + 1);
    if (!copy) {
        gl->n--;
        return NULL;
    }
    memcpy(copy, name, len + 1);
    s->group_name = V(copy);
    s->consume_enable = 1;
    s->consume_broadcast_enable = 1;
    s->retry_queue_nums = 1;
    s->retry_max_times = 16;
    s->ferry_protocol = V("");
    s->ferry_state = V("Empty");
    return s;
}

static void group_of_entry(void *arg, const offset_entry *e)
{
    group_slot(arg, e->group);
}

static void kafka_group_seen(void *arg, const char *id, const char *state,
                             int members)
{
    group_list *gl = arg;
    broker *b = gl->c->b;
    /* an Empty coordinator entry without offsets is nothing left */
    if (members == 0 && !offsets_group_exists(b->offsets, id, strlen(id)))
        return;
    remoting_subscription_group *s = group_slot(gl, id);
    if (!s)
        return;
    s->ferry_protocol = V("kafka");
    s->ferry_state = V(state);
    s->ferry_members = members;
}

static void handle_all_groups(rconn *c, const remoting_header *req)
{
    broker *b = c->b;
    group_list gl = {c, NULL, 0, 0};
    offsets_foreach(b->offsets, NULL, 0, group_of_entry, &gl);
    kafka_group_foreach(kafka_group_seen, &gl);
    for (rmember *m = R->members; m; m = m->next) {
        remoting_subscription_group *s = group_slot(&gl, m->group);
        if (!s)
            continue;
        if (s->ferry_protocol.len == 0 ||
            !memcmp(s->ferry_protocol.ptr, "rocketmq", 8)) {
            s->ferry_protocol = V("rocketmq");
            s->ferry_state = V("Active");
        } else {
            s->ferry_protocol = V("mixed");
        }
        s->ferry_members++;
    }
    /* a group whose only trace is its retry topic's offsets is RocketMQ */
    for (int32_t i = 0; i < gl.n; i++) {
        remoting_subscription_group *s = &gl.g[i];
        char retry[300];
        if (s->ferry_protocol.len)
            continue;
        snprintf(retry, sizeof retry, "%%RETRY%%%.*s", (int)s->group_name.len,
                 (const char *)s->group_name.ptr);
        if (topics_find(b->topics, retry, strlen(retry)))
            s->ferry_protocol = V("rocketmq");
    }
    remoting_data_version dv = {rmq_now_ms(), gl.n, 0};
    buf_writer w;
    buf_writer_init(&w, 1024, 0);
    remoting_subscription_groups_encode(&w, &dv, gl.g, gl.n);
    reply_body(c, req, &w);
    buf_writer_release(&w);
    free(gl.g);
}

/* ------------------------------------------------------------------ */
/* DELETE_TOPIC_IN_BROKER, DELETE_SUBSCRIPTIONGROUP                    */
/* ------------------------------------------------------------------ */

/*
 * A registration only adds and updates topics at a name server (as
 * RocketMQ's does), so a deleted topic is taken out explicitly: from the
 * embedded name server in-process, and with DELETE_TOPIC_IN_NAMESRV on
 * every namesrvAddr link (its answer is read and dropped by rmq.c's
 * ns_link_read_cb; a link not connected now misses it, and clients
 * such as ferryctl and mqadmin send 216 to every name server anyway).
 */
static void unregister_topic(broker *b, const char *tname)
{
    if (b->namesrv)
        namesrv_delete_topic_local(b->namesrv, tname, b->cfg->cluster_name);
    for (int i = 0; i < R->n_ns; i++) {
        ns_link *l = &R->ns[i];
        if (!l->bev)
            continue;
        wire_arena a;
        wire_arena_init(&a, 512, 1u << 16);
        remoting_header h;
        memset(&h, 0, sizeof h);
        h.code = REMOTING_REQ_DELETE_TOPIC_IN_NAMESRV;
        h.language = REMOTING_LANG_CPP;
        h.version = REMOTING_VERSION_CURRENT;
        h.opaque = ++l->opaque;
        h.remark.is_null = 1;
        remoting_ext_add_str(&h, &a, "topic", tname);
        remoting_ext_add_str(&h, &a, "clusterName", b->cfg->cluster_name);
        buf_writer w;
        buf_writer_init(&w, 256, 0);
        if (remoting_frame_encode(&w, &h, REMOTING_SERIALIZE_JSON, NULL, 0) ==
                0 &&
            !w.err)
            bufferevent_write(l->bev, w.p, w.len);
        buf_writer_release(&w);
        wire_arena_release(&a);
    }
}

static void handle_delete_topic(rconn *c, const remoting_header *req)
{
    broker *b = c->b;
    const char *tname = rmq_ext_str(c, req, "topic");
    char remark[400];
    if (!tname || !*tname) {
        rmq_reply(c, req, NULL, REMOTING_RESP_INVALID_PARAMETER,
                  "topic is required", NULL, 0);
        return;
    }
    if (!strcmp(tname, "TBW102") || rmq_txn_is_system_topic(tname)) {
        snprintf(remark, sizeof remark,
                 "the topic[%s] is a system topic and cannot be deleted",
                 tname);
        rmq_reply(c, req, NULL, REMOTING_RESP_NO_PERMISSION, remark, NULL, 0);
        return;
    }
    topic *t = topics_find(b->topics, tname, strlen(tname));
    if (!t) {
        snprintf(remark, sizeof remark, "topic[%s] not exist", tname);
        rmq_reply(c, req, NULL, REMOTING_RESP_TOPIC_NOT_EXIST, remark, NULL, 0);
        return;
    }
    offsets_delete_topic(b->offsets, t->name, t->name_len);
    offsets_sync(b->offsets);
    if (topics_delete(b->topics, t) != 0) {
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR,
                  "could not delete the topic (see the broker log)", NULL, 0);
        return;
    }
    log_info("rmq", c->peer, "deleted topic %s (DELETE_TOPIC_IN_BROKER)",
             tname);
    unregister_topic(b, tname);
    rmq_register();
    rmq_reply(c, req, NULL, REMOTING_RESP_SUCCESS, NULL, NULL, 0);
}

static void handle_delete_group(rconn *c, const remoting_header *req)
{
    broker *b = c->b;
    const char *group = rmq_ext_str(c, req, "groupName");
    char remark[400];
    if (!group || !*group) {
        rmq_reply(c, req, NULL, REMOTING_RESP_INVALID_PARAMETER,
                  "groupName is required", NULL, 0);
        return;
    }
    int live = live_members(group);
    if (live > 0) {
        snprintf(remark, sizeof remark,
                 "the consumer group[%s] has %d live member(s); stop them "
                 "before deleting it",
                 group, live);
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR, remark, NULL, 0);
        return;
    }
    if (!offsets_group_exists(b->offsets, group, strlen(group))) {
        snprintf(remark, sizeof remark, "the consumer group[%s] not exist",
                 group);
        rmq_reply(c, req, NULL, REMOTING_RESP_SUBSCRIPTION_GROUP_NOT_EXIST,
                  remark, NULL, 0);
        return;
    }
    int n = offsets_delete_group(b->offsets, group, strlen(group));
    offsets_sync(b->offsets);
    log_info("rmq", c->peer,
             "deleted consumer group %s (%d committed offsets dropped)", group,
             n);
    rmq_reply(c, req, NULL, REMOTING_RESP_SUCCESS, NULL, NULL, 0);
}

/* ------------------------------------------------------------------ */
/* INVOKE_BROKER_TO_RESET_OFFSET                                       */
/* ------------------------------------------------------------------ */

/*
 * RocketMQ's broker answers this by pushing RESET_CONSUMER_CLIENT_OFFSET
 * to the group's live clients, which then commit; a group without live
 * clients gets CONSUMER_NOT_ONLINE and mqadmin falls back to committing
 * per queue.  Ferry refuses while the group has live members (Kafka or
 * RocketMQ: their next commit would undo the reset, as
 * kafka-consumer-groups refuses for a non-empty group) and otherwise
 * commits the new offsets itself.
 *
 * Header: group*, topic*, timestamp* (ms; the first offset stored at or
 * after it), isForce (ignored), queueId (-1: every queue), offset (5.x:
 * with a queueId, that queue to this offset).  Ferry adds:
 *   ferryTo      "earliest" | "latest" | "timestamp" (default) |
 *                "offset" (offset on every queue, or on queueId)
 *   ferryDryRun  "true": compute and answer, commit nothing
 * Offsets are clamped into [min, max] of each queue.  Answer:
 * ResetOffsetBody with the new offset of every queue.
 */
static void handle_reset(rconn *c, const remoting_header *req)
{
    broker *b = c->b;
    const char *group = rmq_ext_str(c, req, "group");
    const char *tname = rmq_ext_str(c, req, "topic");
    const char *to = rmq_ext_str(c, req, "ferryTo");
    const char *dry = rmq_ext_str(c, req, "ferryDryRun");
    int64_t ts = -1, offset = -1;
    int32_t only_q = -1;
    int has_offset =
        remoting_ext_get_i64(req, "offset", &offset) == 0 && offset >= 0;
    char remark[400];
    remoting_ext_get_i64(req, "timestamp", &ts);
    remoting_ext_get_i32(req, "queueId", &only_q);
    int dry_run = dry && !strcmp(dry, "true");
    enum { TO_TIME, TO_EARLIEST, TO_LATEST, TO_OFFSET } mode = TO_TIME;
    if (to && !strcmp(to, "earliest"))
        mode = TO_EARLIEST;
    else if (to && !strcmp(to, "latest"))
        mode = TO_LATEST;
    else if (to && !strcmp(to, "offset"))
        mode = TO_OFFSET;
    else if (to && strcmp(to, "timestamp")) {
        rmq_reply(c, req, NULL, REMOTING_RESP_INVALID_PARAMETER,
                  "ferryTo must be earliest, latest, timestamp or offset", NULL,
                  0);
        return;
    } else if (!to && has_offset && only_q >= 0)
        mode = TO_OFFSET; /* 5.x: an explicit offset for one queue */
    if (!group || !*group || !tname || !*tname || (mode == TO_TIME && ts < 0) ||
        (mode == TO_OFFSET && !has_offset)) {
        rmq_reply(c, req, NULL, REMOTING_RESP_INVALID_PARAMETER,
                  "group, topic and a timestamp (or ferryTo with an "
                  "offset) are required",
                  NULL, 0);
        return;
    }
    topic *t = topics_find(b->topics, tname, strlen(tname));
    if (!t) {
        snprintf(remark, sizeof remark, "topic[%s] not exist", tname);
        rmq_reply(c, req, NULL, REMOTING_RESP_TOPIC_NOT_EXIST, remark, NULL, 0);
        return;
    }
    if (only_q >= t->queues) {
        snprintf(remark, sizeof remark, "topic[%s] has no queue %d", tname,
                 (int)only_q);
        rmq_reply(c, req, NULL, REMOTING_RESP_INVALID_PARAMETER, remark, NULL,
                  0);
        return;
    }
    int live = live_members(group);
    if (live > 0) {
        snprintf(remark, sizeof remark,
                 "the consumer group[%s] has %d live member(s): stop them "
                 "first, or they will commit over the reset",
                 group, live);
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR, remark, NULL, 0);
        return;
    }
    remoting_queue_offset *qo =
        wire_arena_calloc(&c->arena, (size_t)t->queues + 1, sizeof *qo);
    if (!qo) {
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR, "out of memory",
                  NULL, 0);
        return;
    }
    int32_t n = 0;
    int64_t now = rmq_now_ms();
    for (int32_t qi = 0; qi < t->queues; qi++) {
        if (only_q >= 0 && qi != only_q)
            continue;
        store_queue *q = topics_queue(b->topics, t, qi);
        int64_t min = q ? store_queue_min_offset(q) : 0;
        int64_t max = q ? store_queue_max_offset(q) : 0;
        int64_t v;
        switch (mode) {
        case TO_EARLIEST:
            v = min;
            break;
        case TO_LATEST:
            v = max;
            break;
        case TO_OFFSET:
            v = offset;
            break;
        default:
            v = q ? store_queue_find_by_time(q, ts) : 0;
            break;
        }
        if (v < min)
            v = min;
        if (v > max)
            v = max;
        qo[n].mq.topic = V(t->name);
        qo[n].mq.broker_name = V(b->cfg->broker_name);
        qo[n].mq.queue_id = qi;
        qo[n].offset = v;
        n++;
        if (!dry_run)
            offsets_commit(b->offsets, group, strlen(group), t->name,
                           t->name_len, qi, v, -1, "", 0, now);
    }
    if (!dry_run) {
        offsets_sync(b->offsets);
        log_info("rmq", c->peer,
                 "reset offsets of group %s on topic %s (%d queues)", group,
                 t->name, (int)n);
    }
    buf_writer w;
    buf_writer_init(&w, 256, 0);
    remoting_reset_offset_encode(&w, qo, n);
    reply_body(c, req, &w);
    buf_writer_release(&w);
}

/* ------------------------------------------------------------------ */
/* pending transactions                                                */
/* ------------------------------------------------------------------ */

typedef struct txn_collect {
    remoting_pending_txn *v;
    int32_t n;
    int64_t total;
} txn_collect;

static void txn_one(void *arg, const txn_pending *p)
{
    txn_collect *tc = arg;
    tc->total++;
    if (tc->n == ADMIN_MAX_TXN)
        return;
    remoting_pending_txn *o = &tc->v[tc->n++];
    o->producer_group = V(p->group ? p->group : "");
    o->queue_offset = p->root;
    o->commit_log_offset = p->half_pos;
    o->first_timestamp = p->first_ms;
    o->check_times = p->checks;
}

static void handle_pending_txn(rconn *c, const remoting_header *req)
{
    txn_collect tc = {NULL, 0, 0};
    tc.v = wire_arena_calloc(&c->arena, ADMIN_MAX_TXN, sizeof *tc.v);
    if (!tc.v) {
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR, "out of memory",
                  NULL, 0);
        return;
    }
    rmq_txn_pending_foreach(txn_one, &tc);
    buf_writer w;
    buf_writer_init(&w, 256, 0);
    remoting_pending_txn_encode(&w, tc.v, tc.n, tc.total);
    reply_body(c, req, &w);
    buf_writer_release(&w);
}

/* ------------------------------------------------------------------ */
/* dead letters                                                        */
/* ------------------------------------------------------------------ */

/* REMOTING_REQ_FERRY_DLQ_RESEND: the record at CommitLog position
 * "offset" must be a message of a %DLQ% topic; rmq_retry.c's
 * retry_dlq_resend puts it back on its RETRY_TOPIC (same UNIQ_KEY,
 * reconsumeTimes 0).  The reply says where it went. */
static void handle_dlq_resend(rconn *c, const remoting_header *req)
{
    broker *b = c->b;
    int64_t pos;
    char remark[400];
    if (remoting_ext_get_i64(req, "offset", &pos) != 0 || pos < 0) {
        rmq_reply(c, req, NULL, REMOTING_RESP_INVALID_PARAMETER,
                  "offset (the dead letter's CommitLog position) is "
                  "required",
                  NULL, 0);
        return;
    }
    store_record rec;
    if (store_read_record(b->st, pos, &rec) != 0) {
        snprintf(remark, sizeof remark, "no message at CommitLog offset %lld",
                 (long long)pos);
        rmq_reply(c, req, NULL, REMOTING_RESP_QUERY_NOT_FOUND, remark, NULL, 0);
        return;
    }
    int is_dlq = rec.kind == STORE_KIND_MESSAGE && rec.topic_len > 5 &&
                 memcmp(rec.topic, "%DLQ%", 5) == 0;
    store_record_release(b->st, &rec);
    if (!is_dlq) {
        rmq_reply(c, req, NULL, REMOTING_RESP_INVALID_PARAMETER,
                  "the message there is not a dead letter (%DLQ% topic)", NULL,
                  0);
        return;
    }
    store_append_result res;
    char err[300];
    if (retry_dlq_resend(b, pos, &res, err, sizeof err) != 0) {
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR, err, NULL, 0);
        return;
    }
    rreply rp;
    rmq_reply_init(&rp, c);
    char id[64];
    remoting_offset_msgid_encode(&R->store_host, res.commitlog_pos, id);
    rmq_reply_ext(&rp, "offsetMsgId", id);
    rmq_reply_ext_i64(&rp, "queueOffset", res.queue_offset);
    if (store_read_record(b->st, res.commitlog_pos, &rec) == 0) {
        char tname[256], uniq[128] = "";
        buf_view v;
        snprintf(tname, sizeof tname, "%.*s", (int)rec.topic_len, rec.topic);
        if (remoting_props_find(rec.properties, rec.properties_len,
                                REMOTING_PROP_UNIQ_KEY, &v) &&
            v.len < sizeof uniq)
            snprintf(uniq, sizeof uniq, "%.*s", (int)v.len,
                     (const char *)v.ptr);
        rmq_reply_ext(&rp, "topic", tname);
        rmq_reply_ext_i64(&rp, "queueId", rec.queue_id);
        rmq_reply_ext(&rp, "msgId", *uniq ? uniq : id);
        store_record_release(b->st, &rec);
    }
    rmq_reply(c, req, &rp, REMOTING_RESP_SUCCESS, NULL, NULL, 0);
}

void rmq_admin_handle(rconn *c, const remoting_header *req, buf_view body)
{
    (void)body;
    switch (req->code) {
    case REMOTING_REQ_GET_TOPIC_STATS_INFO:
        handle_topic_stats(c, req);
        break;
    case REMOTING_REQ_GET_CONSUME_STATS:
        handle_consume_stats(c, req);
        break;
    case REMOTING_REQ_GET_CONSUMER_CONNECTION_LIST:
        handle_consumer_connections(c, req);
        break;
    case REMOTING_REQ_GET_ALL_SUBSCRIPTIONGROUP_CONFIG:
        handle_all_groups(c, req);
        break;
    case REMOTING_REQ_DELETE_TOPIC_IN_BROKER:
        handle_delete_topic(c, req);
        break;
    case REMOTING_REQ_DELETE_SUBSCRIPTIONGROUP:
        handle_delete_group(c, req);
        break;
    case REMOTING_REQ_INVOKE_BROKER_TO_RESET_OFFSET:
        handle_reset(c, req);
        break;
    case REMOTING_REQ_FERRY_GET_PENDING_TXN:
        handle_pending_txn(c, req);
        break;
    case REMOTING_REQ_FERRY_DLQ_RESEND:
        handle_dlq_resend(c, req);
        break;
    default:
        rmq_reply(c, req, NULL, REMOTING_RESP_REQUEST_CODE_NOT_SUPPORTED,
                  "not an admin code", NULL, 0);
        break;
    }
}
