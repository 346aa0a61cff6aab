/*
 * rmq_admin.h - the admin request codes of the RocketMQ face that ferryctl,
 * mqadmin and the consoles use to look at topics and consumer groups, for
 * Kafka and RocketMQ groups alike (rmq_admin.c).
 * @locality: event loop thread, like rmq.c.
 */
#ifndef FERRY_RMQ_ADMIN_H
#define FERRY_RMQ_ADMIN_H

#include "rmq_int.h"

/* 1 for the codes rmq_admin_handle answers. */
int rmq_admin_handles(int32_t code);
/* Answers one of those requests (always replies). */
void rmq_admin_handle(rconn *c, const remoting_header *req, buf_view body);

#endif /* FERRY_RMQ_ADMIN_H */
