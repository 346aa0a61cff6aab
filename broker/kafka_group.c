/*
 * kafka_group.c - the classic Kafka group coordinator (this broker is the
 * coordinator of every group): FindCoordinator, JoinGroup, SyncGroup,
 * Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch, ListGroups,
 * DescribeGroups, DeleteGroups.  Committed offsets live in the shared
 * offset store (offsets.c); membership lives in memory (clients rejoin after
 * a broker restart, as they do after a coordinator move in Kafka).
 *
 * Group states and the functions that move between them
 * (group_set_state() logs every transition):
 *
 *              join (new member)              all members joined, or
 *   Empty ------------------------> Preparing  rebalance timeout
 *     ^                            Rebalance ----------------------+
 *     | last member leaves /          ^   ^                         v
 *     | expires                       |   |  join with new metadata,   Completing
 *     +---------------------------- (any) |  leader rejoin, member     Rebalance
 *                                         |  leaves or expires            |
 *                                         +------- Stable <---------------+
 *                                                         leader's SyncGroup
 *
 * JoinGroup v4+ with an empty member id gets MEMBER_ID_REQUIRED and a new
 * id, kept as "pending" for one session timeout.  Static members
 * (group.instance.id) that come back with an empty member id replace their
 * old id; in a Stable group with unchanged metadata that needs no
 * rebalance.  Requests still using a replaced id get FENCED_INSTANCE_ID.
 *
 * Deferred replies: a JoinGroup waits in member->join_req until the
 * rebalance completes, a follower's SyncGroup in member->sync_req until the
 * leader's arrives.  Every path that drops a member or restarts a rebalance
 * answers those requests, so no client is left hanging.
 * @locality: event loop thread.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "kafka_int.h"
#include "log.h"
#include "offsets.h"

#define GROUP_MIN_SESSION_MS   6000
#define GROUP_MAX_SESSION_MS   1800000
#define GROUP_METADATA_MAX     4096
#define GROUP_CHECK_PERIOD_MS  250

typedef enum group_state {
    GROUP_EMPTY,
    GROUP_PREPARING_REBALANCE,
    GROUP_COMPLETING_REBALANCE,
    GROUP_STABLE,
    GROUP_DEAD
} group_state;

static const char *const group_state_names[] = {
    "Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead"};

typedef struct gproto {
    char *name;
    uint8_t *meta;
    size_t meta_len;
} gproto;

typedef struct gmember {
    struct gmember *next;
    char *id;
    char *instance_id; /* NULL: dynamic member */
    char *client_id;
    char *client_host;
    int32_t session_ms;
    int32_t rebalance_ms;
    gproto *protos;
    int n_protos;
    uint8_t *assignment;
    size_t assignment_len;
    kreq *join_req;
    kreq *sync_req;
    int64_t last_seen_ms;
} gmember;

typedef struct gpending {
    struct gpending *next;
    char *id;
    int64_t expires_ms;
} gpending;

typedef struct kgroup {
    struct kgroup *next;
    char *id;
    group_state state;
    int32_t generation;
    char *protocol_type;
    char *protocol_name;
    char *leader;
    gmember *members;
    int n_members;
    gpending *pending;
    int64_t initial_deadline_ms; /* new group: wait for more members */
    int64_t rebalance_deadline_ms;
} kgroup;

typedef struct group_coordinator {
    kgroup *groups;
    struct event *tick;
    broker *b;
} group_coordinator;

static group_coordinator *coord;

static int64_t group_now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static char *dup_view(buf_view v)
{
    char *s = malloc(v.len + 1);
    if (!s)
        return NULL;
    if (v.len)
        memcpy(s, v.ptr, v.len);
    s[v.len] = '\0';
    return s;
}

static int view_eq(buf_view v, const char *s)
{
    return s && strlen(s) == v.len && memcmp(v.ptr, s, v.len) == 0;
}

static int respond_done(kreq *r, const kafka_schema *s, const void *resp)
{
    return kreq_respond(r, s, resp) == 0 ? KH_DONE : KH_CLOSE;
}

/* ------------------------------------------------------------------ */
/* group objects                                                       */
/* ------------------------------------------------------------------ */

static void group_set_state(kgroup *g, group_state st)
{
    if (g->state == st)
        return;
    log_info("group", g->id, "%s -> %s (generation %d, %d members)",
             group_state_names[g->state], group_state_names[st],
             g->generation, g->n_members);
    g->state = st;
}

static kgroup *group_find(buf_view id)
{
    for (kgroup *g = coord->groups; g; g = g->next)
        if (view_eq(id, g->id))
            return g;
    return NULL;
}

static kgroup *group_get_or_create(buf_view id)
{
    kgroup *g = group_find(id);
    if (g)
        return g;
    g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->id = dup_view(id);
    if (!g->id) {
        free(g);
        return NULL;
    }
    g->state = GROUP_EMPTY;
    g->next = coord->groups;
    coord->groups = g;
    return g;
}

static gmember *member_find(kgroup *g, buf_view id)
{
    for (gmember *m = g->members; m; m = m->next)
        if (view_eq(id, m->id))
            return m;
    return NULL;
}

static gmember *member_find_instance(kgroup *g, buf_view inst)
{
    if (inst.is_null || !inst.len)
        return NULL;
    for (gmember *m = g->members; m; m = m->next)
        if (m->instance_id && view_eq(inst, m->instance_id))
            return m;
    return NULL;
}

static void member_free_protos(gmember *m)
{
    for (int i = 0; i < m->n_protos; i++) {
        free(m->protos[i].name);
        free(m->protos[i].meta);
    }
    free(m->protos);
    m->protos = NULL;
    m->n_protos = 0;
}

static void member_free(gmember *m)
{
    member_free_protos(m);
    free(m->id);
    free(m->instance_id);
    free(m->client_id);
    free(m->client_host);
    free(m->assignment);
    free(m);
}

static int member_set_protos(gmember *m, const kafka_join_group_req *req)
{
    gproto *p = calloc((size_t)(req->protocols.count > 0
                                    ? req->protocols.count
                                    : 1),
                       sizeof *p);
    if (!p)
        return -1;
    for (int32_t i = 0; i < req->protocols.count; i++) {
        buf_view n = req->protocols.items[i].name;
        buf_view md = req->protocols.items[i].metadata;
        p[i].name = dup_view(n);
        p[i].meta = malloc(md.len ? md.len : 1);
        if (p[i].meta && md.len)
            memcpy(p[i].meta, md.ptr, md.len);
        p[i].meta_len = md.len;
    }
    member_free_protos(m);
    m->protos = p;
    m->n_protos = req->protocols.count > 0 ? req->protocols.count : 0;
    return 0;
}

/* 1 if the request's protocols equal the member's (names and metadata). */
static int member_protos_same(const gmember *m,
                              const kafka_join_group_req *req)
{
    if (m->n_protos != req->protocols.count)
        return 0;
    for (int i = 0; i < m->n_protos; i++) {
        buf_view n = req->protocols.items[i].name;
        buf_view md = req->protocols.items[i].metadata;
        if (!view_eq(n, m->protos[i].name) || md.len != m->protos[i].meta_len ||
            (md.len && memcmp(md.ptr, m->protos[i].meta, md.len) != 0))
            return 0;
    }
    return 1;
}

static const gproto *member_proto(const gmember *m, const char *name)
{
    for (int i = 0; i < m->n_protos; i++)
        if (name && strcmp(m->protos[i].name, name) == 0)
            return &m->protos[i];
    return NULL;
}

/* Is protocol `name` supported by every member (and the joiner)? */
static int proto_supported_by_all(kgroup *g, const char *name)
{
    for (gmember *m = g->members; m; m = m->next)
        if (!member_proto(m, name))
            return 0;
    return 1;
}

/* Picks the protocol every member supports that most members prefer. */
static char *group_select_protocol(kgroup *g)
{
    const char *best = NULL;
    int best_votes = -1;
    if (!g->members)
        return NULL;
    /* candidates: the first member's protocols supported by all */
    gmember *first = g->members;
    for (int i = 0; i < first->n_protos; i++) {
        const char *cand = first->protos[i].name;
        if (!proto_supported_by_all(g, cand))
            continue;
        int votes = 0;
        for (gmember *m = g->members; m; m = m->next) {
            /* a member votes for its most preferred common protocol */
            for (int k = 0; k < m->n_protos; k++) {
                if (proto_supported_by_all(g, m->protos[k].name)) {
                    if (strcmp(m->protos[k].name, cand) == 0)
                        votes++;
                    break;
                }
            }
        }
        if (votes > best_votes) {
            best_votes = votes;
            best = cand;
        }
    }
    return best ? strdup(best) : NULL;
}

static void pending_drop_expired(kgroup *g, int64_t now)
{
    gpending **pp = &g->pending;
    while (*pp) {
        gpending *p = *pp;
        if (p->expires_ms <= now) {
            *pp = p->next;
            free(p->id);
            free(p);
        } else {
            pp = &p->next;
        }
    }
}

static int pending_take(kgroup *g, buf_view id)
{
    for (gpending **pp = &g->pending; *pp; pp = &(*pp)->next) {
        if (view_eq(id, (*pp)->id)) {
            gpending *p = *pp;
            *pp = p->next;
            free(p->id);
            free(p);
            return 1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* replies to deferred requests                                        */
/* ------------------------------------------------------------------ */

static void join_reply(kgroup *g, gmember *m, kreq *r, int16_t err)
{
    kafka_join_group_resp resp;
    kafka_init_defaults(&kafka_join_group_resp_schema, &resp);
    resp.error_code = err;
    resp.member_id = kview(m ? m->id : "");
    if (!err && g && m) {
        resp.generation_id = g->generation;
        resp.protocol_type = kview(g->protocol_type);
        resp.protocol_name = kview(g->protocol_name);
        resp.leader = kview(g->leader);
        if (g->leader && strcmp(g->leader, m->id) == 0) {
            if (KREQ_ARRAY(r, resp.members, g->n_members)) {
                int i = 0;
                for (gmember *x = g->members; x; x = x->next, i++) {
                    const gproto *p = member_proto(x, g->protocol_name);
                    resp.members.items[i].member_id = kview(x->id);
                    resp.members.items[i].group_instance_id =
                        kview(x->instance_id);
                    resp.members.items[i].metadata.ptr = p ? p->meta : NULL;
                    resp.members.items[i].metadata.len = p ? p->meta_len : 0;
                }
                resp.members.count = i;
            }
        } else {
            resp.members.count = 0;
        }
    } else {
        resp.leader = kview("");
        resp.protocol_name = kview(r->hdr.api_version >= 7 ? NULL : "");
        resp.members.count = 0;
    }
    if (kreq_respond(r, &kafka_join_group_resp_schema, &resp) != 0)
        r->conn->close_on_flush = 1;
}

static void join_complete(kreq *r, kgroup *g, gmember *m, int16_t err)
{
    join_reply(g, m, r, err);
    kreq_complete(r);
}

static void sync_reply(kgroup *g, gmember *m, kreq *r, int16_t err)
{
    kafka_sync_group_resp resp;
    kafka_init_defaults(&kafka_sync_group_resp_schema, &resp);
    resp.error_code = err;
    if (!err && m) {
        resp.protocol_type = kview(g->protocol_type);
        resp.protocol_name = kview(g->protocol_name);
        resp.assignment.ptr = m->assignment;
        resp.assignment.len = m->assignment_len;
    }
    if (kreq_respond(r, &kafka_sync_group_resp_schema, &resp) != 0)
        r->conn->close_on_flush = 1;
}

static void sync_complete(kreq *r, kgroup *g, gmember *m, int16_t err)
{
    sync_reply(g, m, r, err);
    kreq_complete(r);
}

/* ------------------------------------------------------------------ */
/* rebalancing                                                         */
/* ------------------------------------------------------------------ */

static void group_remove_member(kgroup *g, gmember *m, int16_t err_for_waiters)
{
    gmember **pp = &g->members;
    while (*pp && *pp != m)
        pp = &(*pp)->next;
    if (!*pp)
        return;
    *pp = m->next;
    g->n_members--;
    if (m->join_req)
        join_complete(m->join_req, NULL, m, err_for_waiters);
    if (m->sync_req)
        sync_complete(m->sync_req, NULL, m, err_for_waiters);
    if (g->leader && strcmp(g->leader, m->id) == 0) {
        free(g->leader);
        g->leader = NULL;
    }
    member_free(m);
}

static int32_t group_max_rebalance_ms(kgroup *g)
{
    int32_t mx = 0;
    for (gmember *m = g->members; m; m = m->next)
        if (m->rebalance_ms > mx)
            mx = m->rebalance_ms;
    return mx > 0 ? mx : 60000;
}

static void group_prepare_rebalance(kgroup *g, const char *why)
{
    int64_t now = group_now_ms();
    if (g->state == GROUP_COMPLETING_REBALANCE) {
        for (gmember *m = g->members; m; m = m->next)
            if (m->sync_req) {
                kreq *r = m->sync_req;
                m->sync_req = NULL;
                sync_complete(r, g, m, KAFKA_ERR_REBALANCE_IN_PROGRESS);
            }
    }
    if (g->state == GROUP_EMPTY)
        g->initial_deadline_ms =
            now + coord->b->cfg->group_initial_rebalance_delay_ms;
    else
        g->initial_deadline_ms = now;
    if (g->state != GROUP_PREPARING_REBALANCE)
        g->rebalance_deadline_ms = now + group_max_rebalance_ms(g);
    log_info("group", g->id, "rebalance: %s", why);
    group_set_state(g, GROUP_PREPARING_REBALANCE);
}

/* Finishes the join phase if everyone is in (or time is up). */
static void group_try_complete_join(kgroup *g, int64_t now)
{
    if (g->state != GROUP_PREPARING_REBALANCE)
        return;
    int all = 1;
    for (gmember *m = g->members; m; m = m->next)
        if (!m->join_req)
            all = 0;
    int timed_out = now >= g->rebalance_deadline_ms;
    if (!timed_out && (!all || now < g->initial_deadline_ms))
        return;
    /* drop members that did not rejoin */
    gmember *m = g->members;
    while (m) {
        gmember *next = m->next;
        if (!m->join_req) {
            log_info("group", g->id, "member %s did not rejoin in time",
                     m->id);
            group_remove_member(g, m, KAFKA_ERR_UNKNOWN_MEMBER_ID);
        }
        m = next;
    }
    g->generation++;
    if (!g->members) {
        free(g->protocol_name);
        g->protocol_name = NULL;
        free(g->leader);
        g->leader = NULL;
        group_set_state(g, GROUP_EMPTY);
        return;
    }
    free(g->protocol_name);
    g->protocol_name = group_select_protocol(g);
    if (!g->leader)
        g->leader = strdup(g->members->id);
    for (gmember *x = g->members; x; x = x->next) {
        free(x->assignment);
        x->assignment = NULL;
        x->assignment_len = 0;
    }
    group_set_state(g, GROUP_COMPLETING_REBALANCE);
    for (gmember *x = g->members; x; x = x->next) {
        kreq *r = x->join_req;
        x->join_req = NULL;
        x->last_seen_ms = now;
        if (r)
            join_complete(r, g, x, 0);
    }
}

static void group_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    int64_t now = group_now_ms();
    for (kgroup *g = coord->groups; g; g = g->next) {
        pending_drop_expired(g, now);
        gmember *m = g->members;
        int removed = 0;
        while (m) {
            gmember *next = m->next;
            if (!m->join_req && !m->sync_req &&
                now - m->last_seen_ms > m->session_ms) {
                log_info("group", g->id,
                         "member %s expired (no heartbeat for %d ms)", m->id,
                         m->session_ms);
                group_remove_member(g, m, KAFKA_ERR_UNKNOWN_MEMBER_ID);
                removed = 1;
            }
            m = next;
        }
        if (removed) {
            if (!g->members && g->state != GROUP_PREPARING_REBALANCE) {
                g->generation++;
                group_set_state(g, GROUP_EMPTY);
            } else if (g->state == GROUP_STABLE ||
                       g->state == GROUP_COMPLETING_REBALANCE) {
                group_prepare_rebalance(g, "member expired");
            }
        }
        group_try_complete_join(g, now);
    }
}

void kafka_group_init(broker *b)
{
    coord = calloc(1, sizeof *coord);
    if (!coord)
        return;
    coord->b = b;
    coord->tick = event_new(b->base, -1, EV_PERSIST, group_tick, NULL);
    struct timeval tv = {0, GROUP_CHECK_PERIOD_MS * 1000};
    event_add(coord->tick, &tv);
}

void kafka_group_shutdown(void)
{
    if (!coord)
        return;
    event_free(coord->tick);
    kgroup *g = coord->groups;
    while (g) {
        kgroup *next = g->next;
        while (g->members)
            group_remove_member(g, g->members,
                                KAFKA_ERR_COORDINATOR_NOT_AVAILABLE);
        pending_drop_expired(g, INT64_MAX);
        free(g->id);
        free(g->protocol_type);
        free(g->protocol_name);
        free(g->leader);
        free(g);
        g = next;
    }
    free(coord);
    coord = NULL;
}

/* ------------------------------------------------------------------ */
/* FindCoordinator                                                     */
/* ------------------------------------------------------------------ */

int kafka_handle_find_coordinator(kreq *r)
{
    broker *b = r->conn->b;
    const kafka_find_coordinator_req *req = r->req;
    kafka_find_coordinator_resp resp;
    kafka_init_defaults(&kafka_find_coordinator_resp_schema, &resp);
    buf_view host = kafka_advertised_host(r);
    int32_t id = (int32_t)b->cfg->broker_id;
    if (r->hdr.api_version >= 4) {
        if (!KREQ_ARRAY(r, resp.coordinators, req->coordinator_keys.count))
            return KH_CLOSE;
        const kafka_schema *cs =
            kafka_sub_schema(&kafka_find_coordinator_resp_schema, "coordinators");
        for (int32_t i = 0; i < req->coordinator_keys.count; i++) {
            kafka_init_defaults(cs, &resp.coordinators.items[i]);
            resp.coordinators.items[i].key = req->coordinator_keys.items[i];
            resp.coordinators.items[i].node_id = id;
            resp.coordinators.items[i].host = host;
            resp.coordinators.items[i].port = kafka_advertised_port(r);
        }
    } else {
        resp.node_id = id;
        resp.host = host;
        resp.port = kafka_advertised_port(r);
    }
    return respond_done(r, &kafka_find_coordinator_resp_schema, &resp);
}

/* ------------------------------------------------------------------ */
/* JoinGroup                                                           */
/* ------------------------------------------------------------------ */

static int16_t join_check(kgroup *g, const kafka_join_group_req *req)
{
    if (req->group_id.len == 0)
        return KAFKA_ERR_INVALID_GROUP_ID;
    if (req->session_timeout_ms < GROUP_MIN_SESSION_MS ||
        req->session_timeout_ms > GROUP_MAX_SESSION_MS)
        return KAFKA_ERR_INVALID_SESSION_TIMEOUT;
    if (req->protocol_type.len == 0 || req->protocols.count <= 0)
        return KAFKA_ERR_INCONSISTENT_GROUP_PROTOCOL;
    if (g && g->members) {
        if (!view_eq(req->protocol_type, g->protocol_type))
            return KAFKA_ERR_INCONSISTENT_GROUP_PROTOCOL;
        /* at least one of the joiner's protocols must be common */
        int common = 0;
        for (int32_t i = 0; i < req->protocols.count && !common; i++) {
            char name[256];
            buf_view n = req->protocols.items[i].name;
            if (n.len >= sizeof name)
                continue;
            memcpy(name, n.ptr, n.len);
            name[n.len] = '\0';
            common = proto_supported_by_all(g, name);
        }
        if (!common)
            return KAFKA_ERR_INCONSISTENT_GROUP_PROTOCOL;
    }
    return 0;
}

static char *new_member_id(kreq *r, buf_view base)
{
    static uint64_t counter;
    char buf[512];
    struct timeval tv;
    gettimeofday(&tv, NULL);
    counter++;
    int n = snprintf(buf, sizeof buf, "%.*s-%08llx-%04llx-%012llx",
                     (int)(base.len > 200 ? 200 : base.len),
                     base.ptr ? (const char *)base.ptr : "",
                     (unsigned long long)(tv.tv_sec & 0xffffffff),
                     (unsigned long long)(counter & 0xffff),
                     (unsigned long long)(((uint64_t)tv.tv_usec << 20) ^
                                          (uint64_t)(uintptr_t)r) &
                         0xffffffffffffull);
    (void)n;
    return strdup(buf);
}

static gmember *member_add(kgroup *g, kreq *r,
                           const kafka_join_group_req *req, char *id)
{
    gmember *m = calloc(1, sizeof *m);
    if (!m) {
        free(id);
        return NULL;
    }
    m->id = id;
    if (!req->group_instance_id.is_null && req->group_instance_id.len)
        m->instance_id = dup_view(req->group_instance_id);
    m->client_id = dup_view(r->hdr.client_id);
    char host[80];
    snprintf(host, sizeof host, "/%s", r->conn->peer);
    char *colon = strrchr(host, ':');
    if (colon)
        *colon = '\0';
    m->client_host = strdup(host);
    m->session_ms = req->session_timeout_ms;
    m->rebalance_ms = req->rebalance_timeout_ms > 0 ? req->rebalance_timeout_ms
                                                    : req->session_timeout_ms;
    m->last_seen_ms = group_now_ms();
    if (member_set_protos(m, req) != 0) {
        member_free(m);
        return NULL;
    }
    /* append: the first member to join becomes leader */
    gmember **pp = &g->members;
    while (*pp)
        pp = &(*pp)->next;
    *pp = m;
    g->n_members++;
    if (!g->protocol_type)
        g->protocol_type = dup_view(req->protocol_type);
    return m;
}

static int join_immediate(kreq *r, kgroup *g, gmember *m)
{
    join_reply(g, m, r, 0);
    return KH_DONE;
}

static int join_error(kreq *r, int16_t err, buf_view member_id)
{
    kafka_join_group_resp resp;
    kafka_init_defaults(&kafka_join_group_resp_schema, &resp);
    resp.error_code = err;
    resp.member_id = member_id;
    resp.leader = kview("");
    resp.protocol_name = kview(r->hdr.api_version >= 7 ? NULL : "");
    resp.members.count = 0;
    return respond_done(r, &kafka_join_group_resp_schema, &resp);
}

int kafka_handle_join_group(kreq *r)
{
    const kafka_join_group_req *req = r->req;
    kgroup *g = group_find(req->group_id);
    int16_t err = join_check(g, req);
    if (err)
        return join_error(r, err, req->member_id);
    if (!g)
        g = group_get_or_create(req->group_id);
    if (!g)
        return KH_CLOSE;
    int64_t now = group_now_ms();
    int is_static = !req->group_instance_id.is_null &&
                    req->group_instance_id.len > 0;

    if (req->member_id.len == 0) {
        if (is_static) {
            gmember *old = member_find_instance(g, req->group_instance_id);
            if (old) {
                /* replace the old incarnation's id */
                char *nid = new_member_id(r, req->group_instance_id);
                if (!nid)
                    return KH_CLOSE;
                if (old->join_req) {
                    kreq *oj = old->join_req;
                    old->join_req = NULL;
                    join_complete(oj, NULL, old,
                                  KAFKA_ERR_FENCED_INSTANCE_ID);
                }
                if (old->sync_req) {
                    kreq *os = old->sync_req;
                    old->sync_req = NULL;
                    sync_complete(os, NULL, old,
                                  KAFKA_ERR_FENCED_INSTANCE_ID);
                }
                int was_leader = g->leader && !strcmp(g->leader, old->id);
                log_info("group", g->id,
                         "static member %s replaced: %s -> %s",
                         old->instance_id, old->id, nid);
                free(old->id);
                old->id = nid;
                if (was_leader) {
                    free(g->leader);
                    g->leader = strdup(nid);
                }
                old->last_seen_ms = now;
                old->session_ms = req->session_timeout_ms;
                int same = member_protos_same(old, req);
                if (g->state == GROUP_STABLE && same && !was_leader)
                    return join_immediate(r, g, old);
                if (!same)
                    member_set_protos(old, req);
                old->join_req = r;
                if (g->state != GROUP_PREPARING_REBALANCE)
                    group_prepare_rebalance(g, "static member rejoined");
                group_try_complete_join(g, now);
                return KH_DEFERRED;
            }
            char *nid = new_member_id(r, req->group_instance_id);
            gmember *m = nid ? member_add(g, r, req, nid) : NULL;
            if (!m)
                return KH_CLOSE;
            m->join_req = r;
            if (g->state != GROUP_PREPARING_REBALANCE)
                group_prepare_rebalance(g, "new static member");
            group_try_complete_join(g, now);
            return KH_DEFERRED;
        }
        char *nid = new_member_id(r, r->hdr.client_id);
        if (!nid)
            return KH_CLOSE;
        if (r->hdr.api_version >= 4) {
            /* KIP-394: hand out the id, wait for the rejoin with it */
            gpending *p = calloc(1, sizeof *p);
            if (!p) {
                free(nid);
                return KH_CLOSE;
            }
            p->id = nid;
            p->expires_ms = now + req->session_timeout_ms;
            p->next = g->pending;
            g->pending = p;
            return join_error(r, KAFKA_ERR_MEMBER_ID_REQUIRED, kview(nid));
        }
        gmember *m = member_add(g, r, req, nid);
        if (!m)
            return KH_CLOSE;
        m->join_req = r;
        if (g->state != GROUP_PREPARING_REBALANCE)
            group_prepare_rebalance(g, "new member");
        group_try_complete_join(g, now);
        return KH_DEFERRED;
    }

    gmember *m = member_find(g, req->member_id);
    if (!m) {
        if (is_static && member_find_instance(g, req->group_instance_id))
            return join_error(r, KAFKA_ERR_FENCED_INSTANCE_ID,
                              req->member_id);
        if (!pending_take(g, req->member_id))
            return join_error(r, KAFKA_ERR_UNKNOWN_MEMBER_ID,
                              req->member_id);
        m = member_add(g, r, req, dup_view(req->member_id));
        if (!m)
            return KH_CLOSE;
        m->join_req = r;
        if (g->state != GROUP_PREPARING_REBALANCE)
            group_prepare_rebalance(g, "new member");
        group_try_complete_join(g, now);
        return KH_DEFERRED;
    }
    if (is_static && (!m->instance_id ||
                      !view_eq(req->group_instance_id, m->instance_id)))
        return join_error(r, KAFKA_ERR_FENCED_INSTANCE_ID, req->member_id);
    m->last_seen_ms = now;
    m->session_ms = req->session_timeout_ms;
    if (req->rebalance_timeout_ms > 0)
        m->rebalance_ms = req->rebalance_timeout_ms;
    if (m->join_req) {
        /* a retried JoinGroup replaces the earlier one */
        kreq *old = m->join_req;
        m->join_req = NULL;
        join_complete(old, NULL, m, KAFKA_ERR_UNKNOWN_MEMBER_ID);
    }
    int same = member_protos_same(m, req);
    int is_leader = g->leader && strcmp(g->leader, m->id) == 0;
    switch (g->state) {
    case GROUP_PREPARING_REBALANCE:
        if (!same)
            member_set_protos(m, req);
        m->join_req = r;
        group_try_complete_join(g, now);
        return KH_DEFERRED;
    case GROUP_COMPLETING_REBALANCE:
        if (same)
            return join_immediate(r, g, m);
        member_set_protos(m, req);
        m->join_req = r;
        group_prepare_rebalance(g, "member changed its subscription");
        group_try_complete_join(g, now);
        return KH_DEFERRED;
    case GROUP_STABLE:
        if (same && !is_leader)
            return join_immediate(r, g, m);
        if (!same)
            member_set_protos(m, req);
        m->join_req = r;
        group_prepare_rebalance(g, is_leader ? "leader rejoined"
                                             : "member changed its "
                                               "subscription");
        group_try_complete_join(g, now);
        return KH_DEFERRED;
    default:
        return join_error(r, KAFKA_ERR_UNKNOWN_MEMBER_ID, req->member_id);
    }
}

/* ------------------------------------------------------------------ */
/* SyncGroup, Heartbeat, LeaveGroup                                    */
/* ------------------------------------------------------------------ */

static int16_t member_check(kgroup *g, buf_view member_id, buf_view inst,
                            int32_t generation, gmember **out)
{
    *out = NULL;
    if (!g)
        return KAFKA_ERR_UNKNOWN_MEMBER_ID;
    gmember *m = member_find(g, member_id);
    if (!m) {
        if (!inst.is_null && inst.len && member_find_instance(g, inst))
            return KAFKA_ERR_FENCED_INSTANCE_ID;
        return KAFKA_ERR_UNKNOWN_MEMBER_ID;
    }
    if (!inst.is_null && inst.len &&
        (!m->instance_id || !view_eq(inst, m->instance_id)))
        return KAFKA_ERR_FENCED_INSTANCE_ID;
    *out = m;
    if (generation != g->generation)
        return KAFKA_ERR_ILLEGAL_GENERATION;
    return 0;
}

int kafka_handle_sync_group(kreq *r)
{
    const kafka_sync_group_req *req = r->req;
    kgroup *g = group_find(req->group_id);
    gmember *m;
    int16_t err = member_check(g, req->member_id, req->group_instance_id,
                               req->generation_id, &m);
    if (!err && r->hdr.api_version >= 5 &&
        ((!req->protocol_type.is_null &&
          !view_eq(req->protocol_type, g->protocol_type)) ||
         (!req->protocol_name.is_null &&
          !view_eq(req->protocol_name, g->protocol_name))))
        err = KAFKA_ERR_INCONSISTENT_GROUP_PROTOCOL;
    if (!err && g->state == GROUP_PREPARING_REBALANCE)
        err = KAFKA_ERR_REBALANCE_IN_PROGRESS;
    if (!err && g->state == GROUP_EMPTY)
        err = KAFKA_ERR_UNKNOWN_MEMBER_ID;
    if (err) {
        sync_reply(g, NULL, r, err);
        return KH_DONE;
    }
    m->last_seen_ms = group_now_ms();
    if (g->state == GROUP_STABLE) {
        sync_reply(g, m, r, 0);
        return KH_DONE;
    }
    /* CompletingRebalance */
    if (m->sync_req) {
        kreq *old = m->sync_req;
        m->sync_req = NULL;
        sync_complete(old, g, m, KAFKA_ERR_REBALANCE_IN_PROGRESS);
    }
    m->sync_req = r;
    if (g->leader && strcmp(g->leader, m->id) == 0) {
        for (int32_t i = 0; i < req->assignments.count; i++) {
            gmember *x = member_find(g, req->assignments.items[i].member_id);
            if (!x)
                continue;
            buf_view a = req->assignments.items[i].assignment;
            free(x->assignment);
            x->assignment = malloc(a.len ? a.len : 1);
            if (x->assignment && a.len)
                memcpy(x->assignment, a.ptr, a.len);
            x->assignment_len = x->assignment ? a.len : 0;
        }
        group_set_state(g, GROUP_STABLE);
        for (gmember *x = g->members; x; x = x->next) {
            kreq *sr = x->sync_req;
            x->sync_req = NULL;
            if (sr)
                sync_complete(sr, g, x, 0);
        }
    }
    return KH_DEFERRED;
}

int kafka_handle_heartbeat(kreq *r)
{
    const kafka_heartbeat_req *req = r->req;
    kafka_heartbeat_resp resp;
    kafka_init_defaults(&kafka_heartbeat_resp_schema, &resp);
    kgroup *g = group_find(req->group_id);
    gmember *m;
    int16_t err = member_check(g, req->member_id, req->group_instance_id,
                               req->generation_id, &m);
    if (m)
        m->last_seen_ms = group_now_ms();
    if (!err && g->state == GROUP_PREPARING_REBALANCE)
        err = KAFKA_ERR_REBALANCE_IN_PROGRESS;
    if (!err && (g->state == GROUP_EMPTY || g->state == GROUP_DEAD))
        err = KAFKA_ERR_UNKNOWN_MEMBER_ID;
    resp.error_code = err;
    return respond_done(r, &kafka_heartbeat_resp_schema, &resp);
}

static int16_t leave_one(kgroup *g, buf_view member_id, buf_view inst)
{
    gmember *m = NULL;
    if (!inst.is_null && inst.len) {
        m = member_find_instance(g, inst);
        if (!m)
            return KAFKA_ERR_UNKNOWN_MEMBER_ID;
        if (member_id.len && !view_eq(member_id, m->id))
            return KAFKA_ERR_FENCED_INSTANCE_ID;
    } else {
        m = member_find(g, member_id);
        if (!m)
            return KAFKA_ERR_UNKNOWN_MEMBER_ID;
    }
    log_info("group", g->id, "member %s left", m->id);
    group_remove_member(g, m, KAFKA_ERR_UNKNOWN_MEMBER_ID);
    return 0;
}

static void group_after_leave(kgroup *g)
{
    if (!g->members) {
        if (g->state != GROUP_EMPTY) {
            g->generation++;
            free(g->leader);
            g->leader = NULL;
            group_set_state(g, GROUP_EMPTY);
        }
        return;
    }
    if (g->state == GROUP_STABLE || g->state == GROUP_COMPLETING_REBALANCE)
        group_prepare_rebalance(g, "member left");
    group_try_complete_join(g, group_now_ms());
}

int kafka_handle_leave_group(kreq *r)
{
    const kafka_leave_group_req *req = r->req;
    kafka_leave_group_resp resp;
    kafka_init_defaults(&kafka_leave_group_resp_schema, &resp);
    kgroup *g = group_find(req->group_id);
    if (r->hdr.api_version < 3) {
        buf_view none = {NULL, 0, 1};
        resp.error_code = g ? leave_one(g, req->member_id, none)
                            : KAFKA_ERR_UNKNOWN_MEMBER_ID;
        if (g && !resp.error_code)
            group_after_leave(g);
        return respond_done(r, &kafka_leave_group_resp_schema, &resp);
    }
    if (!KREQ_ARRAY(r, resp.members, req->members.count))
        return KH_CLOSE;
    int any = 0;
    for (int32_t i = 0; i < req->members.count; i++) {
        const kafka_leave_group_req_member *lm = &req->members.items[i];
        resp.members.items[i].member_id = lm->member_id;
        resp.members.items[i].group_instance_id = lm->group_instance_id;
        resp.members.items[i].error_code =
            g ? leave_one(g, lm->member_id, lm->group_instance_id)
              : KAFKA_ERR_UNKNOWN_MEMBER_ID;
        if (!resp.members.items[i].error_code)
            any = 1;
    }
    if (g && any)
        group_after_leave(g);
    return respond_done(r, &kafka_leave_group_resp_schema, &resp);
}

/* ------------------------------------------------------------------ */
/* OffsetCommit / OffsetFetch                                          */
/* ------------------------------------------------------------------ */

static int64_t now_for_offsets(void)
{
    return group_now_ms();
}

int kafka_handle_offset_commit(kreq *r)
{
    broker *b = r->conn->b;
    const kafka_offset_commit_req *req = r->req;
    kafka_offset_commit_resp resp;
    kafka_init_defaults(&kafka_offset_commit_resp_schema, &resp);
    kgroup *g = group_find(req->group_id);
    int16_t gerr = 0;
    if (req->group_id.len == 0)
        gerr = KAFKA_ERR_INVALID_GROUP_ID;
    else if (g && g->members) {
        gmember *m;
        gerr = member_check(g, req->member_id, req->group_instance_id,
                            req->generation_id_or_member_epoch, &m);
        if (!gerr && g->state == GROUP_COMPLETING_REBALANCE)
            gerr = KAFKA_ERR_REBALANCE_IN_PROGRESS;
        if (m)
            m->last_seen_ms = group_now_ms();
    } else if (req->generation_id_or_member_epoch >= 0 &&
               r->hdr.api_version >= 1) {
        /* a generation for a group with no members */
        gerr = g ? KAFKA_ERR_ILLEGAL_GENERATION
                 : KAFKA_ERR_UNKNOWN_MEMBER_ID;
    }
    if (!KREQ_ARRAY(r, resp.topics, req->topics.count))
        return KH_CLOSE;
    int64_t now = now_for_offsets();
    for (int32_t i = 0; i < req->topics.count; i++) {
        const kafka_offset_commit_req_topic *ct = &req->topics.items[i];
        resp.topics.items[i].name = ct->name;
        if (!KREQ_ARRAY(r, resp.topics.items[i].partitions,
                         ct->partitions.count))
            return KH_CLOSE;
        topic *t = topics_find(b->topics, (const char *)ct->name.ptr,
                               ct->name.len);
        for (int32_t k = 0; k < ct->partitions.count; k++) {
            const kafka_offset_commit_req_partition *cp =
                &ct->partitions.items[k];
            int16_t e = gerr;
            if (!e && (!t || cp->partition_index < 0 ||
                       cp->partition_index >= t->queues))
                e = KAFKA_ERR_UNKNOWN_TOPIC_OR_PARTITION;
            if (!e && !cp->committed_metadata.is_null &&
                cp->committed_metadata.len > GROUP_METADATA_MAX)
                e = KAFKA_ERR_OFFSET_METADATA_TOO_LARGE;
            if (!e &&
                offsets_commit(
                    b->offsets, (const char *)req->group_id.ptr,
                    req->group_id.len, (const char *)ct->name.ptr,
                    ct->name.len, cp->partition_index, cp->committed_offset,
                    cp->committed_leader_epoch,
                    (const char *)cp->committed_metadata.ptr,
                    cp->committed_metadata.is_null
                        ? 0
                        : cp->committed_metadata.len,
                    now) != 0)
                e = KAFKA_ERR_INVALID_COMMIT_OFFSET_SIZE;
            resp.topics.items[i].partitions.items[k].partition_index =
                cp->partition_index;
            resp.topics.items[i].partitions.items[k].error_code = e;
        }
    }
    if (offsets_sync(b->offsets) != 0) {
        for (int32_t i = 0; i < resp.topics.count; i++)
            for (int32_t k = 0; k < resp.topics.items[i].partitions.count;
                 k++)
                if (!resp.topics.items[i].partitions.items[k].error_code)
                    resp.topics.items[i].partitions.items[k].error_code =
                        KAFKA_ERR_COORDINATOR_NOT_AVAILABLE;
    }
    return respond_done(r, &kafka_offset_commit_resp_schema, &resp);
}

typedef struct fetch_all_ctx {
    kreq *r;
    int n;
    const char **topics; /* distinct topic names */
    int ntopics, cap;
} fetch_all_ctx;

static void collect_topics(void *arg, const offset_entry *e)
{
    fetch_all_ctx *c = arg;
    for (int i = 0; i < c->ntopics; i++)
        if (strcmp(c->topics[i], e->topic) == 0)
            return;
    if (c->ntopics == c->cap) {
        int nc = c->cap ? c->cap * 2 : 8;
        const char **nt =
            wire_arena_calloc(&c->r->arena, (size_t)nc, sizeof *nt);
        if (!nt)
            return;
        if (c->ntopics)
            memcpy(nt, c->topics, (size_t)c->ntopics * sizeof *nt);
        c->topics = nt;
        c->cap = nc;
    }
    c->topics[c->ntopics++] = e->topic;
}

typedef struct count_ctx {
    const char *topic;
    int32_t *queues;
    int n, cap;
    kreq *r;
} count_ctx;

static void collect_queues(void *arg, const offset_entry *e)
{
    count_ctx *c = arg;
    if (strcmp(c->topic, e->topic) != 0)
        return;
    if (c->n == c->cap) {
        int nc = c->cap ? c->cap * 2 : 8;
        int32_t *nq = wire_arena_calloc(&c->r->arena, (size_t)nc, sizeof *nq);
        if (!nq)
            return;
        if (c->n)
            memcpy(nq, c->queues, (size_t)c->n * sizeof *nq);
        c->queues = nq;
        c->cap = nc;
    }
    c->queues[c->n++] = e->queue;
}

static void fill_fetch_partition(broker *b, buf_view group, buf_view tname,
                                 int32_t q,
                                 kafka_offset_fetch_resp_partition *p)
{
    p->partition_index = q;
    p->committed_offset = -1;
    p->committed_leader_epoch = -1;
    p->metadata = kview("");
    p->error_code = 0;
    const offset_entry *e =
        offsets_get(b->offsets, (const char *)group.ptr, group.len,
                    (const char *)tname.ptr, tname.len, q);
    if (e) {
        p->committed_offset = e->offset;
        p->committed_leader_epoch = e->leader_epoch;
        p->metadata = kview(e->metadata);
    }
}

/* Fills the topics of one group's OffsetFetch answer. */
static int fill_fetch_group(kreq *r, buf_view group, int topics_null,
                            const kafka_offset_fetch_req_topic *topics,
                            int32_t ntopics, void *out_topics_arr)
{
    broker *b = r->conn->b;
    KAFKA_ARRAY(kafka_offset_fetch_resp_topic) *out = out_topics_arr;
    if (topics_null) {
        fetch_all_ctx c = {r, 0, NULL, 0, 0};
        offsets_foreach(b->offsets, (const char *)group.ptr, group.len,
                        collect_topics, &c);
        if (!KREQ_ARRAY(r, *out, c.ntopics))
            return -1;
        for (int i = 0; i < c.ntopics; i++) {
            count_ctx qc = {c.topics[i], NULL, 0, 0, r};
            offsets_foreach(b->offsets, (const char *)group.ptr, group.len,
                            collect_queues, &qc);
            out->items[i].name = kview(c.topics[i]);
            if (!KREQ_ARRAY(r, out->items[i].partitions, qc.n))
                return -1;
            for (int k = 0; k < qc.n; k++)
                fill_fetch_partition(b, group, out->items[i].name,
                                     qc.queues[k],
                                     &out->items[i].partitions.items[k]);
        }
        return 0;
    }
    if (!KREQ_ARRAY(r, *out, ntopics))
        return -1;
    for (int32_t i = 0; i < ntopics; i++) {
        out->items[i].name = topics[i].name;
        if (!KREQ_ARRAY(r, out->items[i].partitions,
                         topics[i].partition_indexes.count))
            return -1;
        for (int32_t k = 0; k < topics[i].partition_indexes.count; k++)
            fill_fetch_partition(b, group, topics[i].name,
                                 topics[i].partition_indexes.items[k],
                                 &out->items[i].partitions.items[k]);
    }
    return 0;
}

int kafka_handle_offset_fetch(kreq *r)
{
    const kafka_offset_fetch_req *req = r->req;
    kafka_offset_fetch_resp resp;
    kafka_init_defaults(&kafka_offset_fetch_resp_schema, &resp);
    if (r->hdr.api_version < 8) {
        if (fill_fetch_group(r, req->group_id, req->topics.count < 0,
                             req->topics.items, req->topics.count,
                             &resp.topics) != 0)
            return KH_CLOSE;
        return respond_done(r, &kafka_offset_fetch_resp_schema, &resp);
    }
    if (!KREQ_ARRAY(r, resp.groups, req->groups.count))
        return KH_CLOSE;
    for (int32_t i = 0; i < req->groups.count; i++) {
        const kafka_offset_fetch_req_group *rg = &req->groups.items[i];
        resp.groups.items[i].group_id = rg->group_id;
        if (fill_fetch_group(r, rg->group_id, rg->topics.count < 0,
                             rg->topics.items, rg->topics.count,
                             &resp.groups.items[i].topics) != 0)
            return KH_CLOSE;
    }
    return respond_done(r, &kafka_offset_fetch_resp_schema, &resp);
}

/* ------------------------------------------------------------------ */
/* ListGroups / DescribeGroups / DeleteGroups                          */
/* ------------------------------------------------------------------ */

typedef struct list_ctx {
    kreq *r;
    const char **names;
    int n, cap;
} list_ctx;

static void collect_groups(void *arg, const offset_entry *e)
{
    list_ctx *c = arg;
    buf_view gv = kview(e->group);
    if (group_find(gv))
        return;
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->names[i], e->group) == 0)
            return;
    if (c->n == c->cap) {
        int nc = c->cap ? c->cap * 2 : 16;
        const char **nn =
            wire_arena_calloc(&c->r->arena, (size_t)nc, sizeof *nn);
        if (!nn)
            return;
        if (c->n)
            memcpy(nn, c->names, (size_t)c->n * sizeof *nn);
        c->names = nn;
        c->cap = nc;
    }
    c->names[c->n++] = e->group;
}

static int state_matches(const kafka_list_groups_req *req, const char *st)
{
    if (req->states_filter.count <= 0)
        return 1;
    for (int32_t i = 0; i < req->states_filter.count; i++) {
        buf_view f = req->states_filter.items[i];
        if (f.len == strlen(st) && strncasecmp((const char *)f.ptr, st,
                                               f.len) == 0)
            return 1;
    }
    return 0;
}

int kafka_handle_list_groups(kreq *r)
{
    broker *b = r->conn->b;
    const kafka_list_groups_req *req = r->req;
    kafka_list_groups_resp resp;
    kafka_init_defaults(&kafka_list_groups_resp_schema, &resp);
    list_ctx lc = {r, NULL, 0, 0};
    offsets_foreach(b->offsets, NULL, 0, collect_groups, &lc);
    int n = lc.n;
    for (kgroup *g = coord->groups; g; g = g->next)
        n++;
    if (!KREQ_ARRAY(r, resp.groups, n))
        return KH_CLOSE;
    int k = 0;
    for (kgroup *g = coord->groups; g; g = g->next) {
        const char *st = group_state_names[g->state];
        if (!state_matches(req, st))
            continue;
        if (g->state == GROUP_EMPTY && !g->members &&
            !offsets_group_exists(b->offsets, g->id, strlen(g->id)))
            continue; /* nothing left of it */
        resp.groups.items[k].group_id = kview(g->id);
        resp.groups.items[k].protocol_type =
            kview(g->protocol_type ? g->protocol_type : "consumer");
        resp.groups.items[k].group_state = kview(st);
        resp.groups.items[k].group_type = kview("classic");
        k++;
    }
    for (int i = 0; i < lc.n; i++) {
        if (!state_matches(req, "Empty"))
            continue;
        resp.groups.items[k].group_id = kview(lc.names[i]);
        resp.groups.items[k].protocol_type = kview("consumer");
        resp.groups.items[k].group_state = kview("Empty");
        resp.groups.items[k].group_type = kview("classic");
        k++;
    }
    resp.groups.count = k;
    return respond_done(r, &kafka_list_groups_resp_schema, &resp);
}

int kafka_handle_describe_groups(kreq *r)
{
    broker *b = r->conn->b;
    const kafka_describe_groups_req *req = r->req;
    kafka_describe_groups_resp resp;
    kafka_init_defaults(&kafka_describe_groups_resp_schema, &resp);
    if (!KREQ_ARRAY(r, resp.groups, req->groups.count))
        return KH_CLOSE;
    const kafka_schema *gs =
        kafka_sub_schema(&kafka_describe_groups_resp_schema, "groups");
    for (int32_t i = 0; i < req->groups.count; i++) {
        buf_view id = req->groups.items[i];
        kafka_describe_groups_resp_group *out = &resp.groups.items[i];
        kafka_init_defaults(gs, out);
        out->group_id = id;
        out->protocol_type = kview("");
        out->protocol_data = kview("");
        out->members.count = 0;
        kgroup *g = group_find(id);
        if (!g) {
            int has = offsets_group_exists(b->offsets, (const char *)id.ptr,
                                           id.len);
            out->group_state = kview(has ? "Empty" : "Dead");
            if (has)
                out->protocol_type = kview("consumer");
            continue;
        }
        out->group_state = kview(group_state_names[g->state]);
        out->protocol_type = kview(g->protocol_type ? g->protocol_type : "");
        out->protocol_data =
            kview(g->state == GROUP_STABLE && g->protocol_name
                      ? g->protocol_name
                      : "");
        if (!KREQ_ARRAY(r, out->members, g->n_members))
            return KH_CLOSE;
        int k = 0;
        for (gmember *m = g->members; m; m = m->next, k++) {
            kafka_describe_groups_resp_member *dm = &out->members.items[k];
            const gproto *p = member_proto(m, g->protocol_name);
            dm->member_id = kview(m->id);
            dm->group_instance_id = kview(m->instance_id);
            dm->client_id = kview(m->client_id);
            dm->client_host = kview(m->client_host);
            dm->member_metadata.ptr = p ? p->meta : NULL;
            dm->member_metadata.len = p ? p->meta_len : 0;
            dm->member_assignment.ptr =
                g->state == GROUP_STABLE ? m->assignment : NULL;
            dm->member_assignment.len =
                g->state == GROUP_STABLE ? m->assignment_len : 0;
        }
        out->members.count = k;
    }
    return respond_done(r, &kafka_describe_groups_resp_schema, &resp);
}

int kafka_handle_delete_groups(kreq *r)
{
    broker *b = r->conn->b;
    const kafka_delete_groups_req *req = r->req;
    kafka_delete_groups_resp resp;
    kafka_init_defaults(&kafka_delete_groups_resp_schema, &resp);
    if (!KREQ_ARRAY(r, resp.results, req->groups_names.count))
        return KH_CLOSE;
    for (int32_t i = 0; i < req->groups_names.count; i++) {
        buf_view id = req->groups_names.items[i];
        resp.results.items[i].group_id = id;
        kgroup *g = group_find(id);
        int has = offsets_group_exists(b->offsets, (const char *)id.ptr,
                                       id.len);
        if (g && g->members) {
            resp.results.items[i].error_code = KAFKA_ERR_NON_EMPTY_GROUP;
            continue;
        }
        if (!g && !has) {
            resp.results.items[i].error_code = KAFKA_ERR_GROUP_ID_NOT_FOUND;
            continue;
        }
        offsets_delete_group(b->offsets, (const char *)id.ptr, id.len);
        if (g) {
            kgroup **pp = &coord->groups;
            while (*pp != g)
                pp = &(*pp)->next;
            *pp = g->next;
            pending_drop_expired(g, INT64_MAX);
            free(g->id);
            free(g->protocol_type);
            free(g->protocol_name);
            free(g->leader);
            free(g);
        }
        log_info("group", NULL, "deleted group %.*s", (int)id.len,
                 (const char *)id.ptr);
    }
    return respond_done(r, &kafka_delete_groups_resp_schema, &resp);
}

/* For admin views: the members of a group (0 if unknown). */
int kafka_group_member_count(const char *id, size_t len)
{
    buf_view v = {(const uint8_t *)id, len, 0};
    kgroup *g = coord ? group_find(v) : NULL;
    return g ? g->n_members : 0;
}

/* For admin views (rmq_admin.c): the members of group id, read-only.
 * Returns the group's state name, or NULL when the coordinator holds no
 * such group in memory.  The assignment is given only in Stable (it is
 * the leader's ConsumerProtocolAssignment bytes).  @locality: event loop
 * thread. */
const char *kafka_group_describe(const char *id,
                                 void (*cb)(void *arg,
                                            const kafka_group_member_view *m),
                                 void *arg)
{
    buf_view v = {(const uint8_t *)id, strlen(id), 0};
    kgroup *g = coord ? group_find(v) : NULL;
    if (!g)
        return NULL;
    for (gmember *m = g->members; m && cb; m = m->next) {
        kafka_group_member_view mv = {
            m->id, m->client_id, m->client_host, m->instance_id,
            g->state == GROUP_STABLE ? m->assignment : NULL,
            g->state == GROUP_STABLE ? m->assignment_len : 0};
        cb(arg, &mv);
    }
    return group_state_names[g->state];
}

/* Every group the coordinator holds in memory: id, state, member count. */
void kafka_group_foreach(void (*cb)(void *arg, const char *id,
                                    const char *state, int members),
                         void *arg)
{
    for (kgroup *g = coord ? coord->groups : NULL; g; g = g->next)
        cb(arg, g->id, group_state_names[g->state], g->n_members);
}
