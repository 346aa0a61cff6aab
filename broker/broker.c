/*
 * broker.c - process-wide plumbing on the event loop: tasks posted from
 * other threads (the store's flush thread) and wake-ups for Fetch long
 * polls after appends.
 */
#include "broker.h"

#include <stdlib.h>

#include "kafka_int.h"
#include "log.h"

void broker_post(broker *b, void (*fn)(void *, int), void *arg, int status)
{
    broker_task *t = malloc(sizeof *t);
    if (!t) {
        /* cannot happen in practice; losing the task would hang a client,
         * so run nothing and log loudly */
        log_error("broker", NULL, "out of memory posting a task");
        return;
    }
    t->next = NULL;
    t->fn = fn;
    t->arg = arg;
    t->status = status;
    pthread_mutex_lock(&b->post_lock);
    if (b->post_tail)
        b->post_tail->next = t;
    else
        b->post_head = t;
    b->post_tail = t;
    pthread_mutex_unlock(&b->post_lock);
    event_active(b->post_ev, EV_READ, 0);
}

void broker_run_posted(evutil_socket_t fd, short what, void *arg);
void broker_run_posted(evutil_socket_t fd, short what, void *arg)
{
    broker *b = arg;
    (void)fd;
    (void)what;
    pthread_mutex_lock(&b->post_lock);
    broker_task *t = b->post_head;
    b->post_head = b->post_tail = NULL;
    pthread_mutex_unlock(&b->post_lock);
    while (t) {
        broker_task *next = t->next;
        t->fn(t->arg, t->status);
        free(t);
        t = next;
    }
}

void broker_notify_append(broker *b)
{
    if (b->waiting_fetches)
        event_active(b->fetch_wake_ev, EV_READ, 0);
    if (b->rmq_wake_ev)
        event_active(b->rmq_wake_ev, EV_READ, 0);
}

void broker_wake_fetches(evutil_socket_t fd, short what, void *arg);
void broker_wake_fetches(evutil_socket_t fd, short what, void *arg)
{
    broker *b = arg;
    (void)fd;
    (void)what;
    /* kafka_fetch_retry may unlink the current entry: walk a snapshot */
    int n = 0;
    for (kreq *r = b->waiting_fetches; r; r = r->wait_next)
        n++;
    if (!n)
        return;
    kreq **snap = malloc((size_t)n * sizeof *snap);
    if (!snap)
        return;
    int i = 0;
    for (kreq *r = b->waiting_fetches; r; r = r->wait_next)
        snap[i++] = r;
    for (i = 0; i < n; i++) {
        /* still waiting? (an earlier retry cannot free another request,
         * but check membership to be safe) */
        kreq *r;
        for (r = b->waiting_fetches; r && r != snap[i]; r = r->wait_next)
            ;
        if (r)
            kafka_fetch_retry(r, 0);
    }
    free(snap);
}
