/*
 * rmq_retry.c - CONSUMER_SEND_MSG_BACK, the %RETRY% / %DLQ% rules of the
 * send path and dead-letter re-send (see rmq_retry.h for the rules).
 * @locality: event loop thread.
 */
#include "rmq_retry.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"
#include "log.h"
#include "remoting_message.h"
#include "rmq_schedule.h"

/* V3_4_9: from this client version on maxReconsumeTimes is honoured. */
#define RETRY_MIN_VERSION_MAX_TIMES 121

int retry_ensure_topic(broker *b, const char *name)
{
    if (topics_find(b->topics, name, strlen(name)))
        return 0;
    topic *t;
    char why[200];
    if (topics_create_any(b->topics, name, strlen(name), 1, 1, &t, why,
                          sizeof why) != 0) {
        log_warn("retry", NULL, "cannot create %s: %s", name, why);
        return -1;
    }
    rmq_register(); /* consumers and tools look its route up */
    return 0;
}

static int skip_delay_keys(buf_view k)
{
    static const char *const drop[] = {
        REMOTING_PROP_DELAY, REMOTING_PROP_TIMER_DELIVER_MS,
        REMOTING_PROP_TIMER_DELAY_SEC, REMOTING_PROP_TIMER_DELAY_MS,
        DELAY_PROP_START_DELIVER_TIME};
    for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++)
        if (k.len == strlen(drop[i]) && !memcmp(k.ptr, drop[i], k.len))
            return 1;
    return 0;
}

static void props_copy_without_delay(buf_writer *w, const uint8_t *p,
                                     size_t n)
{
    remoting_prop_iter it;
    remoting_prop pr;
    remoting_prop_iter_init(&it, p, n);
    while (remoting_prop_next(&it, &pr) == 1) {
        if (skip_delay_keys(pr.key))
            continue;
        buf_write_raw(w, pr.key.ptr, pr.key.len);
        buf_write_raw(w, "\x01", 1);
        buf_write_raw(w, pr.value.ptr, pr.value.len);
        buf_write_raw(w, "\x02", 1);
    }
}

void retry_handle_send_back(rconn *c, const remoting_header *req)
{
    broker *b = c->b;
    int64_t pos;
    int32_t delay_level = 0, max_times = RETRY_DEFAULT_MAX_TIMES;
    const char *group = rmq_ext_str(c, req, "group");
    if (!group || !*group || remoting_ext_get_i64(req, "offset", &pos) != 0) {
        rmq_reply(c, req, NULL, REMOTING_RESP_INVALID_PARAMETER,
                  "offset and group are required", NULL, 0);
        return;
    }
    remoting_ext_get_i32(req, "delayLevel", &delay_level);
    if (req->version >= RETRY_MIN_VERSION_MAX_TIMES) {
        int32_t m;
        if (remoting_ext_get_i32(req, "maxReconsumeTimes", &m) == 0)
            max_times = m;
    }
    const char *origin_id = rmq_ext_str(c, req, "originMsgId");
    char remark[200];
    store_record rec;
    if (store_read_record(b->st, pos, &rec) != 0) {
        snprintf(remark, sizeof remark,
                 "look message by offset failed, %" PRId64, pos);
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR, remark, NULL, 0);
        return;
    }
    if (rec.kind != STORE_KIND_MESSAGE) {
        /* a message cut from a Kafka batch: the position alone does not
         * say which; the client then sends it to %RETRY% itself */
        store_record_release(b->st, &rec);
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR,
                  "message is part of a Kafka record batch; send it to the "
                  "retry topic instead",
                  NULL, 0);
        return;
    }
    int dlq = rec.reconsume_times >= max_times || delay_level < 0;
    char tname[300];
    snprintf(tname, sizeof tname, "%s%s",
             dlq ? DLQ_TOPIC_PREFIX : RETRY_TOPIC_PREFIX, group);
    if (!rmq_valid_topic(tname) && strlen(tname) > 127) {
        store_record_release(b->st, &rec);
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR,
                  "group name too long for a retry topic", NULL, 0);
        return;
    }
    if (retry_ensure_topic(b, tname) != 0) {
        store_record_release(b->st, &rec);
        snprintf(remark, sizeof remark, "topic[%s] not exist", tname);
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR, remark, NULL, 0);
        return;
    }
    topic *t = topics_find(b->topics, tname, strlen(tname));
    store_queue *q = topics_queue(b->topics, t, 0);
    /* properties: as stored, RETRY_TOPIC and ORIGIN_MESSAGE_ID kept if
     * present, else set */
    buf_writer pw;
    buf_writer_init(&pw, rec.properties_len + 160, 0);
    props_copy_without_delay(&pw, rec.properties, rec.properties_len);
    buf_view v;
    if (!remoting_props_find(rec.properties, rec.properties_len,
                             REMOTING_PROP_RETRY_TOPIC, &v)) {
        buf_view tv = {(const uint8_t *)rec.topic, rec.topic_len, 0};
        remoting_props_append(&pw, 0, REMOTING_PROP_RETRY_TOPIC, tv);
    }
    if (!remoting_props_find(rec.properties, rec.properties_len,
                             REMOTING_PROP_ORIGIN_MESSAGE_ID, &v) ||
        !v.len) {
        char id[64];
        if (origin_id && *origin_id) {
            snprintf(id, sizeof id, "%s", origin_id);
        } else {
            remoting_host sh;
            rmq_host_from_store(&rec.store_host, &sh);
            remoting_offset_msgid_encode(&sh, pos, id);
        }
        remoting_props_append(&pw, 0, REMOTING_PROP_ORIGIN_MESSAGE_ID,
                              remoting_view(id));
    }
    int level = 0;
    if (!dlq) {
        level = delay_level > 0 ? delay_level : 3 + rec.reconsume_times;
        int n = delay_level_count();
        if (level > n)
            level = n;
        char ls[16];
        snprintf(ls, sizeof ls, "%d", level);
        remoting_props_append(&pw, 0, REMOTING_PROP_DELAY,
                              remoting_view(ls));
    }
    remoting_host bh;
    rmq_host_from_store(&rec.born_host, &bh);
    buf_view body = {rec.body, rec.body_len, 0};
    store_append_result res;
    char uniq[80];
    int rc;
    if (pw.err)
        rc = STORE_ENOMEM;
    else if (dlq || level < 1)
        rc = rmq_store_message_full(b, &bh, q, pw.p, pw.len, body, rec.flag,
                                    rec.sys_flag, rec.born_timestamp,
                                    rec.reconsume_times + 1, 0, rec.key,
                                    rec.key ? rec.key_len : 0, NULL, &res,
                                    uniq);
    else
        rc = delay_park(b, &bh, tname, 0, 1, level, 0, pw.p, pw.len,
                        rec.key, rec.key ? rec.key_len : 0, body, rec.flag,
                        rec.sys_flag, rec.born_timestamp,
                        rec.reconsume_times + 1, &res, uniq);
    int32_t times = rec.reconsume_times;
    store_record_release(b->st, &rec);
    buf_writer_release(&pw);
    if (rc != 0) {
        log_warn("retry", c->peer, "send-back of %" PRId64 " to %s failed: %s",
                 pos, tname, store_errmsg(b->st));
        rmq_reply(c, req, NULL, REMOTING_RESP_SYSTEM_ERROR,
                  store_errmsg(b->st), NULL, 0);
        return;
    }
    if (dlq)
        log_info("retry", c->peer,
                 "message %s of group %s to %s after %d reconsume(s)", uniq,
                 group, tname, times);
    else
        log_debug("retry", c->peer,
                  "message %s of group %s to %s, level %d, reconsume %d",
                  uniq, group, tname, level, times + 1);
    broker_notify_append(b);
    rmq_reply(c, req, NULL, REMOTING_RESP_SUCCESS, NULL, NULL, 0);
}

int retry_send_redirect(rconn *c, const remoting_header *req,
                        const char *tname, int32_t reconsume, char *dlq,
                        size_t dlq_len)
{
    size_t pl = strlen(RETRY_TOPIC_PREFIX);
    if (strncmp(tname, RETRY_TOPIC_PREFIX, pl) != 0 || !tname[pl])
        return 0;
    int32_t max_times = RETRY_DEFAULT_MAX_TIMES;
    if (req->version >= RETRY_MIN_VERSION_MAX_TIMES)
        rmq_ext_i32_2(req, "l", "maxReconsumeTimes", &max_times);
    /* a group holding unexpired queue locks is orderly: its consumers
     * retried locally already, so what they send here is dead */
    int orderly = 0;
    int64_t now = rmq_now_ms();
    for (rlock *l = rmq_state ? rmq_state->locks : NULL; l && !orderly;
         l = l->next)
        orderly = !strcmp(l->group, tname + pl) &&
                  now - l->last_ms < RMQ_LOCK_EXPIRE_MS;
    if (reconsume <= max_times && !orderly)
        return 0;
    if ((size_t)snprintf(dlq, dlq_len, "%s%s", DLQ_TOPIC_PREFIX,
                         tname + pl) >= dlq_len)
        return -1;
    if (retry_ensure_topic(c->b, dlq) != 0)
        return -1;
    log_info("retry", c->peer,
             "send to %s with reconsumeTimes %d (max %d)%s: to %s", tname,
             reconsume, max_times,
             orderly ? ", group holds orderly locks" : "", dlq);
    return 1;
}

int retry_dlq_resend(broker *b, int64_t pos, store_append_result *res,
                     char *err, size_t errlen)
{
    store_record rec;
    if (store_read_record(b->st, pos, &rec) != 0) {
        snprintf(err, errlen, "no message at %" PRId64, pos);
        return -1;
    }
    buf_view v;
    char tname[256];
    if (rec.kind != STORE_KIND_MESSAGE ||
        !remoting_props_find(rec.properties, rec.properties_len,
                             REMOTING_PROP_RETRY_TOPIC, &v) ||
        !v.len || v.len >= sizeof tname) {
        store_record_release(b->st, &rec);
        snprintf(err, errlen, "message at %" PRId64 " has no RETRY_TOPIC",
                 pos);
        return -1;
    }
    memcpy(tname, v.ptr, v.len);
    tname[v.len] = '\0';
    topic *t = topics_find(b->topics, tname, strlen(tname));
    if (!t) {
        store_record_release(b->st, &rec);
        snprintf(err, errlen, "original topic %s does not exist", tname);
        return -1;
    }
    store_queue *q =
        topics_queue(b->topics, t, (int32_t)((uint32_t)rand() %
                                             (uint32_t)t->queues));
    buf_writer pw;
    buf_writer_init(&pw, rec.properties_len, 0);
    props_copy_without_delay(&pw, rec.properties, rec.properties_len);
    remoting_host bh;
    rmq_host_from_store(&rec.born_host, &bh);
    buf_view body = {rec.body, rec.body_len, 0};
    char uniq[80];
    int rc = pw.err ? STORE_ENOMEM
                    : rmq_store_message_full(b, &bh, q, pw.p, pw.len, body,
                                             rec.flag, rec.sys_flag,
                                             rec.born_timestamp, 0, 0,
                                             rec.key,
                                             rec.key ? rec.key_len : 0, NULL,
                                             res, uniq);
    store_record_release(b->st, &rec);
    buf_writer_release(&pw);
    if (rc != 0) {
        snprintf(err, errlen, "append failed: %s", store_errmsg(b->st));
        return -1;
    }
    broker_notify_append(b);
    log_info("retry", NULL, "dead letter %s re-sent to %s", uniq, tname);
    return 0;
}
