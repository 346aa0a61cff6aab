/*
 * broker.h - the broker process: one libevent loop (the main thread) that
 * owns connections, the topic registry and request handling, plus the
 * store's flush thread.  Work that finishes on the flush thread (a SYNC_FLUSH
 * group commit) comes back to the loop through broker_post().
 *
 *   main thread (event loop)            flush thread (store/)
 *   ------------------------            ---------------------
 *   accept, read, frame, decode
 *   handler -> store_append  --------->  fdatasync covering many appends
 *   encode reply, write      <---------  broker_post(completion)
 */
#ifndef FERRY_BROKER_H
#define FERRY_BROKER_H

#include <event2/event.h>
#include <event2/listener.h>
#include <pthread.h>
#include <stdint.h>

#include "config.h"
#include "store.h"
#include "offsets.h"
#include "topics.h"

typedef struct broker broker;

/* One Kafka listener (PLAINTEXT or SSL) and what it advertises. */
typedef struct kafka_listener {
    broker *b;
    struct evconnlistener *l;
    int tls;               /* 1: SSL:// */
    void *ssl_ctx;         /* SSL_CTX * for tls listeners */
    int port;
    char adv_host[256];    /* "" = the local address of each connection */
    int adv_port;
} kafka_listener;
typedef struct kconn kconn;
typedef struct kreq kreq;

/* A function run on the loop thread after being posted from any thread. */
typedef struct broker_task {
    struct broker_task *next;
    void (*fn)(void *arg, int status);
    void *arg;
    int status;
} broker_task;

struct broker {
    struct event_base *base;
    broker_config *cfg;
    store *st;
    topic_registry *topics;
    offset_store *offsets;
    kafka_listener kafka[2];  /* [0] PLAINTEXT, [1] SSL */
    struct event *sig_term, *sig_int, *sig_hup;
    struct event *post_ev;   /* drains posted tasks */
    pthread_mutex_t post_lock;
    broker_task *post_head, *post_tail;
    struct event *fetch_wake_ev; /* re-checks waiting fetches */
    struct event *rmq_wake_ev;   /* re-runs long-polling RocketMQ pulls */
    kreq *waiting_fetches;   /* long polls */
    kconn *conns;            /* open Kafka connections */
    struct event *retention_ev;
    int n_conns;
    int stopping;
    struct namesrv *namesrv; /* embedded name server (--standalone) */
    store_host store_host;   /* this broker's address for records */
};

/* Runs fn(arg, status) on the loop thread soon.  Thread-safe. */
void broker_post(broker *b, void (*fn)(void *, int), void *arg, int status);
/* Called after an append to any queue: wakes waiting fetches. */
void broker_notify_append(broker *b);

/* kafka_server.c */
int kafka_server_start(broker *b, char *err, size_t errlen);
void kafka_server_stop(broker *b);

#endif /* FERRY_BROKER_H */
