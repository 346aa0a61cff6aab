/*
 * pull.c - the pull consumer: read queues from the route, PULL_MESSAGE
 * with long polling (the broker parks the request up to long_poll_ms), the
 * tag expression sent as the subscription (the broker filters by tag hash)
 * and checked again on the exact tag here, as the Java client does; and
 * the offset calls (QUERY/UPDATE_CONSUMER_OFFSET, GET_MIN/MAX_OFFSET,
 * SEARCH_OFFSET_BY_TIMESTAMP).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client_int.h"

struct ferry_pull_consumer {
    fclient *c;
};

static int by_queue(const void *a, const void *b)
{
    const ferry_queue *x = a, *y = b;
    int c = strcmp(x->broker_name, y->broker_name);
    return c ? c : x->queue_id - y->queue_id;
}

int fclient_read_queues(fclient *c, const char *topic, int force,
                        ferry_queue **qs, int *n)
{
    fclient_route r;
    int rc, total = 0, k = 0;

    *qs = NULL;
    *n = 0;
    if ((rc = fclient_route_get(c, topic, force, &r)) != 0)
        return rc;
    for (int i = 0; i < r.queue_count; i++)
        if (r.queues[i].read_queues > 0)
            total += r.queues[i].read_queues;
    ferry_queue *out = total ? calloc((size_t)total, sizeof(*out)) : NULL;
    for (int i = 0; out && i < r.queue_count; i++) {
        const fclient_route_queue *qd = &r.queues[i];
        if (!(qd->perm & 4) || !*fclient_route_addr(&r, qd->broker_name))
            continue;
        for (int j = 0; j < qd->read_queues; j++)
            fclient_queue_set(&out[k++], topic, qd->broker_name, j);
    }
    fclient_route_release(&r);
    if (k == 0) {
        free(out);
        return total && !out ? FERRY_ERR_NOMEM : FERRY_ERR_NO_ROUTE;
    }
    qsort(out, (size_t)k, sizeof(*out), by_queue);
    *qs = out;
    *n = k;
    return 0;
}

void fpull_build(fclient *c, remoting_header *h, wire_arena *a,
                 const char *group, const ferry_queue *q, int64_t offset,
                 int max, const char *expr, int suspend_ms,
                 int64_t commit_offset)
{
    int32_t sys_flag = REMOTING_PULL_SUBSCRIPTION;

    if (suspend_ms > 0)
        sys_flag |= REMOTING_PULL_SUSPEND;
    if (commit_offset > 0)
        sys_flag |= REMOTING_PULL_COMMIT_OFFSET;
    fclient_request_init(c, h, REMOTING_REQ_PULL_MESSAGE);
    remoting_ext_add_str(h, a, "consumerGroup", group);
    remoting_ext_add_str(h, a, "topic", q->topic);
    remoting_ext_add_i64(h, a, "queueId", q->queue_id);
    remoting_ext_add_i64(h, a, "queueOffset", offset);
    remoting_ext_add_i64(h, a, "maxMsgNums", max > 0 ? max : 32);
    remoting_ext_add_i64(h, a, "sysFlag", sys_flag);
    remoting_ext_add_i64(h, a, "commitOffset",
                         commit_offset > 0 ? commit_offset : 0);
    remoting_ext_add_i64(h, a, "suspendTimeoutMillis",
                         suspend_ms > 0 ? suspend_ms : 0);
    remoting_ext_add_str(h, a, "subscription", expr && *expr ? expr : "*");
    remoting_ext_add_i64(h, a, "subVersion", 0);
    remoting_ext_add_str(h, a, "expressionType", "TAG");
}

int fpull_result(const remoting_header *h, buf_view body,
                 const char *broker_name, const ftag_filter *tf,
                 ferry_pull_result *r)
{
    remoting_pull_response pr;
    int rc;

    memset(r, 0, sizeof(*r));
    switch (h->code) {
    case REMOTING_RESP_SUCCESS:
        r->status = FERRY_PULL_FOUND;
        break;
    case REMOTING_RESP_PULL_NOT_FOUND:
        r->status = FERRY_PULL_NO_NEW_MSG;
        break;
    case REMOTING_RESP_PULL_RETRY_IMMEDIATELY:
        r->status = FERRY_PULL_NO_MATCHED_MSG;
        break;
    case REMOTING_RESP_PULL_OFFSET_MOVED:
        r->status = FERRY_PULL_OFFSET_ILLEGAL;
        break;
    default:
        return fclient_check(h, REMOTING_RESP_SUCCESS);
    }
    fclient_clear_last();
    if (remoting_header_fields_decode(h, &remoting_pull_response_schema,
                                      REMOTING_HDR_V1, &pr, NULL, 0) != 0)
        return FERRY_ERR_PROTOCOL;
    r->next_begin_offset = pr.next_begin_offset;
    r->min_offset = pr.min_offset;
    r->max_offset = pr.max_offset;
    if (r->status != FERRY_PULL_FOUND)
        return 0;
    rc = fclient_msgs_decode(body.ptr, body.len, broker_name, tf, &r->msgs);
    if (rc != 0)
        return rc;
    if (r->msgs.count == 0)
        r->status = FERRY_PULL_NO_MATCHED_MSG;
    return 0;
}

void ferry_pull_result_release(ferry_pull_result *r)
{
    if (r)
        ferry_msg_list_free(&r->msgs);
}

ferry_pull_consumer *ferry_pull_consumer_new(const ferry_conf *conf,
                                             char *errbuf, size_t errlen)
{
    ferry_pull_consumer *pc = calloc(1, sizeof *pc);
    if (!pc) {
        fclient_errbuf(errbuf, errlen, "out of memory");
        return NULL;
    }
    pc->c = fclient_new(conf, "pull", errbuf, errlen);
    if (!pc->c) {
        free(pc);
        return NULL;
    }
    return pc;
}

void ferry_pull_consumer_free(ferry_pull_consumer *pc)
{
    if (!pc)
        return;
    fclient_free(pc->c);
    free(pc);
}

int ferry_pull_consumer_queues(ferry_pull_consumer *pc, const char *topic,
                               ferry_queue **qs, int *n)
{
    if (!pc || !topic || !qs || !n)
        return FERRY_ERR_INVALID;
    return fclient_read_queues(pc->c, topic, 0, qs, n);
}

int ferry_pull(ferry_pull_consumer *pc, const ferry_queue *q, int64_t offset,
               int max, const char *tag_expr, int long_poll_ms,
               ferry_pull_result *r)
{
    char addr[128];
    remoting_header h;
    wire_arena a;
    fresp resp;
    ftag_filter tf;
    int rc;

    if (!pc || !q || !r || offset < 0)
        return FERRY_ERR_INVALID;
    memset(r, 0, sizeof(*r));
    if ((rc = fclient_queue_addr(pc->c, q, addr, sizeof addr)) != 0)
        return rc;
    ftag_filter_parse(tag_expr, &tf);
    wire_arena_init(&a, 0, 0);
    fpull_build(pc->c, &h, &a, pc->c->group, q, offset, max, tag_expr,
                long_poll_ms, 0);
    rc = fclient_call(pc->c, addr, &h, NULL, 0,
                      long_poll_ms > 0 ? long_poll_ms + 5000 : 0, &resp);
    wire_arena_release(&a);
    if (rc != 0)
        return rc;
    rc = fpull_result(&resp.h, resp.body, q->broker_name, &tf, r);
    fresp_release(&resp);
    return rc;
}

int ferry_pull_consumer_committed(ferry_pull_consumer *pc,
                                  const ferry_queue *q, int64_t *offset)
{
    if (!pc || !offset)
        return FERRY_ERR_INVALID;
    return fclient_queue_offset(pc->c, REMOTING_REQ_QUERY_CONSUMER_OFFSET,
                                pc->c->group, q, 0, offset);
}

int ferry_pull_consumer_commit(ferry_pull_consumer *pc, const ferry_queue *q,
                               int64_t offset)
{
    if (!pc)
        return FERRY_ERR_INVALID;
    return fclient_queue_offset(pc->c, REMOTING_REQ_UPDATE_CONSUMER_OFFSET,
                                pc->c->group, q, offset, NULL);
}

int ferry_pull_consumer_min_offset(ferry_pull_consumer *pc,
                                   const ferry_queue *q, int64_t *offset)
{
    if (!pc || !offset)
        return FERRY_ERR_INVALID;
    return fclient_queue_offset(pc->c, REMOTING_REQ_GET_MIN_OFFSET, NULL, q,
                                0, offset);
}

int ferry_pull_consumer_max_offset(ferry_pull_consumer *pc,
                                   const ferry_queue *q, int64_t *offset)
{
    if (!pc || !offset)
        return FERRY_ERR_INVALID;
    return fclient_queue_offset(pc->c, REMOTING_REQ_GET_MAX_OFFSET, NULL, q,
                                0, offset);
}

int ferry_pull_consumer_search_offset(ferry_pull_consumer *pc,
                                      const ferry_queue *q,
                                      int64_t timestamp_ms, int64_t *offset)
{
    if (!pc || !offset)
        return FERRY_ERR_INVALID;
    return fclient_queue_offset(pc->c, REMOTING_REQ_SEARCH_OFFSET_BY_TIMESTAMP,
                                NULL, q, timestamp_ms, offset);
}
