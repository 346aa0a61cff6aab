/*
 * rmq.h - the broker's RocketMQ face (rmq.c): the remoting listener and
 * its handlers over the shared store, offsets and topics.
 * @locality: event loop thread.
 */
#ifndef FERRY_RMQ_H
#define FERRY_RMQ_H

#include <stddef.h>

#include "broker.h"

/* Starts the listeners on listenPort and listenPort - 2 (listenPort=0
 * disables the face), creates TBW102 when auto-create is on, and registers
 * with the embedded name server.  0, or -1 with a message. */
int rmq_start(broker *b, char *err, size_t errlen);
void rmq_stop(broker *b);
/* An append happened: re-run long-polling pulls that may now have data. */
void rmq_notify_append(broker *b);

#endif /* FERRY_RMQ_H */
