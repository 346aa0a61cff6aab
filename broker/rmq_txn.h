/*
 * rmq_txn.h - RocketMQ transactional messages: half messages, the op log,
 * END_TRANSACTION and check-back (CHECK_TRANSACTION_STATE), for rmq.c.
 * Design in rmq_txn.c's header and docs/ARCHITECTURE.md.
 * @locality: event loop thread.
 */
#ifndef FERRY_RMQ_TXN_H
#define FERRY_RMQ_TXN_H

#include <stddef.h>
#include <stdint.h>

#include "rmq_int.h"

#define RMQ_TXN_HALF_TOPIC "RMQ_SYS_TRANS_HALF_TOPIC"
#define RMQ_TXN_OP_TOPIC   "RMQ_SYS_TRANS_OP_HALF_TOPIC"
#define RMQ_TXN_MAX_TOPIC  "TRANS_CHECK_MAX_TIME_TOPIC"

/* Rebuilds the pending table from the half and op queues.  0 or -1. */
int rmq_txn_start(broker *b, char *err, size_t errlen);
/* Saves the progress (after a flush) and frees everything. */
void rmq_txn_stop(broker *b);

/* 1 for the transaction system topics (producers may not send to them). */
int rmq_txn_is_system_topic(const char *topic);

/* The half path of a send with TRAN_MSG=true: writes into *w (initialized
 * by the caller) the half properties (the producer's, plus REAL_TOPIC,
 * REAL_QID, __transactionId__, PGROUP when absent) and sets *hq to the
 * half queue.  0, or -1 with a reason in err. */
int rmq_txn_half_prepare(broker *b, const char *group, const char *real_topic,
                         int32_t real_qid, const uint8_t *props, size_t plen,
                         buf_writer *w, store_queue **hq, char *err,
                         size_t errlen);
/* After the half record is stored: starts tracking it. */
void rmq_txn_half_stored(broker *b, const store_append_result *res,
                         const uint8_t *props, size_t plen);

/* END_TRANSACTION. */
void rmq_txn_end(rconn *c, const remoting_header *req);

/* Producer groups seen on a connection (HEART_BEAT producerDataSet, or a
 * transactional send's producerGroup): check-backs go to them. */
void rmq_txn_producer_seen(rconn *c, const uint8_t *group, size_t len);

/* Once a second from rmq.c's tick: check-back when the interval is due. */
void rmq_txn_tick(broker *b, int64_t now_ms);

/* Admin view (rmq_admin.c): cb for every pending transaction. */
struct txn_pending;
void rmq_txn_pending_foreach(void (*cb)(void *arg,
                                        const struct txn_pending *p),
                             void *arg);

#endif /* FERRY_RMQ_TXN_H */
