/*
 * namesrv.h - the RocketMQ name server as a component: a remoting listener
 * serving the route table (route.h) on a caller's libevent loop.  Used by
 * ferry-namesrv (main.c) and embedded by ferry-broker --standalone.
 * @locality: the event loop thread that started it.
 */
#ifndef FERRY_NAMESRV_H
#define FERRY_NAMESRV_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct ssl_ctx_st;

typedef struct namesrv namesrv;

typedef struct namesrv_config {
    char bind[64];             /* IP address to listen on */
    int port;                  /* 9876 */
    int64_t broker_timeout_ms; /* a silent broker expires after (120 s) */
    size_t max_frame;          /* largest request frame (16 MiB) */
    /* TLS, as RocketMQ's tls.server.mode (tls.h TLS_MODE_*): disabled
     * (plain only), permissive (TLS and plain on the port, told apart by
     * the first byte) or enforcing (TLS only).  tls_ctx: the server
     * context, borrowed (must outlive namesrv_stop); needed unless
     * disabled. */
    int tls_mode;
    struct ssl_ctx_st *tls_ctx;
} namesrv_config;

void namesrv_config_defaults(namesrv_config *cfg);
/* Binds and starts serving on base.  NULL with a message in err on
 * failure (the address, and why). */
namesrv *namesrv_start(struct event_base *base, const namesrv_config *cfg,
                       char *err, size_t errlen);
struct route_register;
/* Registers a broker living in the same process (ferry-broker
 * --standalone) straight into the table, as REGISTER_BROKER would.  0/-1. */
int namesrv_register_local(namesrv *ns, const struct route_register *reg);
/* DELETE_TOPIC_IN_NAMESRV for a broker in the same process (a topic it
 * deleted); cluster may be NULL.  1 if something was removed. */
int namesrv_delete_topic_local(namesrv *ns, const char *topic,
                               const char *cluster);
/* Stops listening, closes every connection, frees the table.
 * namesrv_stop(NULL) is a no-op. */
void namesrv_stop(namesrv *ns);

#endif /* FERRY_NAMESRV_H */
