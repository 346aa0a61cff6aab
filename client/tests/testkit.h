/*
 * testkit.h - small helpers the libferry tests share: a clock, a
 * configuration pointing at the test broker's name server, an admin
 * handle, topic creation that waits for the route, and a text message.
 * Each test sets testkit_namesrv once its broker is up.
 */
#ifndef FERRY_CLIENT_TESTKIT_H
#define FERRY_CLIENT_TESTKIT_H

#include <stdint.h>

#include "ferry/ferry.h"

/* "127.0.0.1:port" of the test broker's name server. */
extern const char *testkit_namesrv;

/* Milliseconds on a monotonic clock. */
int64_t testkit_now_ms(void);
/* Defaults, the test name server and group. */
void testkit_conf(ferry_conf *c, const char *group);
/* An admin handle (the test fails if it cannot be made). */
ferry_admin *testkit_admin_new(void);
/* Creates topic with `queues` queues on every broker and waits (at most
 * 5 s) until the name server routes it; the test fails otherwise. */
void testkit_create_topic(const char *topic, int queues);
/* A message with a text body (the strings must outlive its use). */
ferry_msg testkit_text_msg(const char *topic, const char *tags,
                           const char *keys, const char *body);

#endif /* FERRY_CLIENT_TESTKIT_H */
