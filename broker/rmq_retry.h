/*
 * rmq_retry.h - consumer retry and dead letters: CONSUMER_SEND_MSG_BACK,
 * the %RETRY%<group> and %DLQ%<group> topics, and re-sending a dead letter
 * to its original topic.
 *
 * A message a consumer gives back is copied (body, flag, sysFlag, born
 * time/host, properties, key) with reconsumeTimes + 1 and RETRY_TOPIC /
 * ORIGIN_MESSAGE_ID set:
 *   - to %RETRY%<group> queue 0 through delay level (3 + reconsumeTimes,
 *     or the level the consumer asked for), i.e. via SCHEDULE_TOPIC_XXXX;
 *   - to %DLQ%<group> queue 0, at once, when reconsumeTimes has reached
 *     maxReconsumeTimes (the request's, from clients of version >= 3.4.9,
 *     else 16) or the consumer asked for a negative level.
 * Both topics have one queue, are routed through the name server
 * (consumers subscribe to %RETRY%<group>; tools read %DLQ%<group>) and are
 * hidden from Kafka listings.
 * @locality: event loop thread.
 */
#ifndef FERRY_RMQ_RETRY_H
#define FERRY_RMQ_RETRY_H

#include <stddef.h>
#include <stdint.h>

#include "remoting.h"
#include "rmq_int.h"

#define RETRY_DEFAULT_MAX_TIMES 16
#define RETRY_TOPIC_PREFIX "%RETRY%"
#define DLQ_TOPIC_PREFIX   "%DLQ%"

/* CONSUMER_SEND_MSG_BACK (36). */
void retry_handle_send_back(rconn *c, const remoting_header *req);

/* The send path's rule for sends to a %RETRY% topic (the clients'
 * fallback when CONSUMER_SEND_MSG_BACK failed, and orderly consumers past
 * their local retries): with reconsumeTimes above the maximum, or while
 * the group holds unexpired queue locks, it goes to the group's DLQ.  Returns 1 and
 * the DLQ topic name in dlq (created if needed), 0 to send as asked, -1
 * if the DLQ topic cannot be created. */
int retry_send_redirect(rconn *c, const remoting_header *req,
                        const char *tname, int32_t reconsume, char *dlq,
                        size_t dlq_len);

/* Re-sends the dead letter stored at CommitLog position pos to its
 * original topic (property RETRY_TOPIC), a random queue, reconsumeTimes 0,
 * same UNIQ_KEY (so the same msgId).  0 and *res, or -1 with err. */
int retry_dlq_resend(broker *b, int64_t pos, store_append_result *res,
                     char *err, size_t errlen);

/* Creates (1 queue, routed, hidden from Kafka) a %RETRY% / %DLQ% topic if
 * missing.  0 or -1. */
int retry_ensure_topic(broker *b, const char *name);

#endif /* FERRY_RMQ_RETRY_H */
