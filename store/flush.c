/*
 * flush.c - the flush thread: ASYNC interval flushes, SYNC group commit,
 * periodic retention.
 *
 * One pthread per store, started by store_open, stopped by store_close.
 * Its loop:
 *
 *   wait (flush_cond) until a SYNC waiter arrives or the next deadline
 *     |
 *     +-- waiters queued?  take ALL of them, read the write position W,
 *     |   fdatasync the CommitLog up to W once (group commit: every append that
 *     |   finished before W shares this sync), then call every waiter with
 *     |   end_pos <= W with status 0.  A waiter not covered (the sync
 *     |   failed) is retried until its deadline (sync_flush_timeout_ms after
 *     |   it was queued), then called with STORE_EIO.
 *     +-- every flush_interval_ms: flush_full(): CommitLog, ConsumeQueues,
 *     |   index, then the checkpoint; also refreshes the disk-full flag.
 *     +-- every STORE_RETENTION_PERIOD_MS (60 s): store_retention_run(now).
 *
 * Callbacks run on this thread, without store locks held; they may call
 * store_append / store_flush_wait but must not block for long (they delay
 * every other waiter).
 */
#include "store_int.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#define STORE_RETENTION_PERIOD_MS 60000

void retention_update_disk_full(store *st);

int flush_full(store *st)
{
    pthread_mutex_lock(&st->fullflush_lock);
    /* Under append_lock the write position is a record boundary whose
     * ConsumeQueue and index entries are written. */
    pthread_mutex_lock(&st->append_lock);
    int64_t pos = atomic_load(&st->cl.write_pos);
    int64_t ts = st->last_store_ts;
    pthread_mutex_unlock(&st->append_lock);
    int rc = commitlog_flush(st, pos);
    int rc2 = consumequeue_flush_all(st);
    int rc3 = indexfile_flush_all(st);
    if (rc == 0)
        rc = rc2 ? rc2 : rc3;
    if (rc == 0) {
        checkpoint cp = {
            .flushed_pos = pos,
            .dispatch_pos = pos,
            .flushed_store_ts = ts,
            .written_ms = store_now_ms(),
        };
        if (checkpoint_write(st->dir, &cp) != 0) {
            store_set_err(st, "store: cannot write %s/checkpoint", st->dir);
            rc = STORE_EIO;
        }
    }
    pthread_mutex_unlock(&st->fullflush_lock);
    return rc;
}

int store_flush_all(store *st)
{
    return flush_full(st);
}

void store_flush_stats_get(store *st, store_flush_stats *out)
{
    out->syncs = atomic_load(&st->stat_syncs);
    out->waiters = atomic_load(&st->stat_waiters);
    out->timeouts = atomic_load(&st->stat_timeouts);
}

int store_flush_wait(store *st, int64_t end_pos, store_flush_cb cb, void *arg)
{
    if (st->cfg.flush_mode != STORE_FLUSH_SYNC) {
        cb(arg, 0);
        return 0;
    }
    flush_waiter *w = malloc(sizeof(*w));
    if (!w)
        return STORE_ENOMEM;
    w->end_pos = end_pos;
    w->deadline_ms = store_now_ms() + st->cfg.sync_flush_timeout_ms;
    w->cb = cb;
    w->arg = arg;
    w->next = NULL;
    pthread_mutex_lock(&st->flush_lock);
    if (st->flush_stop) {
        pthread_mutex_unlock(&st->flush_lock);
        free(w);
        return STORE_ECLOSED;
    }
    if (st->waiters_tail)
        st->waiters_tail->next = w;
    else
        st->waiters = w;
    st->waiters_tail = w;
    pthread_cond_signal(&st->flush_cond);
    pthread_mutex_unlock(&st->flush_lock);
    return 0;
}

/* One group commit over the list; returns the waiters still pending. */
static flush_waiter *flush_group_commit(store *st, flush_waiter *list,
                                        int final)
{
    int64_t w_pos = atomic_load_explicit(&st->cl.write_pos,
                                         memory_order_acquire);
    int rc = commitlog_flush(st, w_pos);
    atomic_fetch_add(&st->stat_syncs, 1);
    int64_t now = store_now_ms();
    flush_waiter *keep = NULL, **kt = &keep;
    while (list) {
        flush_waiter *w = list;
        list = w->next;
        w->next = NULL;
        if (rc == 0 && w->end_pos <= w_pos) {
            atomic_fetch_add(&st->stat_waiters, 1);
            w->cb(w->arg, 0);
            free(w);
        } else if (final || now >= w->deadline_ms) {
            atomic_fetch_add(&st->stat_timeouts, 1);
            w->cb(w->arg, STORE_EIO);
            free(w);
        } else {
            *kt = w;
            kt = &w->next;
        }
    }
    return keep;
}

static void flush_deadline(struct timespec *ts, int64_t at_ms)
{
    ts->tv_sec = at_ms / 1000;
    ts->tv_nsec = (at_ms % 1000) * 1000000;
}

static void *flush_main(void *arg)
{
    store *st = arg;
    int64_t now = store_now_ms();
    int64_t next_full = now + st->cfg.flush_interval_ms;
    int64_t next_ret = now + STORE_RETENTION_PERIOD_MS;
    pthread_mutex_lock(&st->flush_lock);
    while (!st->flush_stop) {
        if (!st->waiters) {
            int64_t at = next_full < next_ret ? next_full : next_ret;
            struct timespec ts;
            flush_deadline(&ts, at);
            pthread_cond_timedwait(&st->flush_cond, &st->flush_lock, &ts);
        }
        if (st->flush_stop)
            break;
        if (st->waiters) {
            flush_waiter *list = st->waiters;
            st->waiters = st->waiters_tail = NULL;
            pthread_mutex_unlock(&st->flush_lock);
            flush_waiter *keep = flush_group_commit(st, list, 0);
            pthread_mutex_lock(&st->flush_lock);
            if (keep) {
                /* Sync failed: put them back in front and back off. */
                flush_waiter *t = keep;
                while (t->next)
                    t = t->next;
                t->next = st->waiters;
                if (!st->waiters)
                    st->waiters_tail = t;
                st->waiters = keep;
                struct timespec ts;
                flush_deadline(&ts, store_now_ms() + 10);
                pthread_cond_timedwait(&st->flush_cond, &st->flush_lock,
                                       &ts);
            }
        }
        now = store_now_ms();
        if (now >= next_full) {
            pthread_mutex_unlock(&st->flush_lock);
            flush_full(st);
            retention_update_disk_full(st);
            pthread_mutex_lock(&st->flush_lock);
            next_full = store_now_ms() + st->cfg.flush_interval_ms;
        }
        if (now >= next_ret) {
            pthread_mutex_unlock(&st->flush_lock);
            store_retention_run(st, now);
            pthread_mutex_lock(&st->flush_lock);
            next_ret = store_now_ms() + STORE_RETENTION_PERIOD_MS;
        }
    }
    flush_waiter *list = st->waiters;
    st->waiters = st->waiters_tail = NULL;
    int crash = st->flush_stop == 2;
    pthread_mutex_unlock(&st->flush_lock);
    if (crash) {
        while (list) {
            flush_waiter *w = list;
            list = w->next;
            w->cb(w->arg, STORE_ECLOSED);
            free(w);
        }
    } else if (list) {
        flush_group_commit(st, list, 1);
    }
    return NULL;
}

int flush_start(store *st)
{
    if (pthread_create(&st->flush_thread, NULL, flush_main, st) != 0) {
        store_set_err(st, "store: cannot start the flush thread");
        return STORE_ENOMEM;
    }
    st->flush_started = 1;
    return 0;
}

/* how: 1 = stop (pending waiters get a final sync), 2 = crash (they get
 * STORE_ECLOSED). */
void flush_stop_how(store *st, int how);
void flush_stop_how(store *st, int how)
{
    if (!st->flush_started)
        return;
    pthread_mutex_lock(&st->flush_lock);
    st->flush_stop = how;
    pthread_cond_signal(&st->flush_cond);
    pthread_mutex_unlock(&st->flush_lock);
    pthread_join(st->flush_thread, NULL);
    st->flush_started = 0;
}

void flush_stop(store *st)
{
    flush_stop_how(st, 1);
}
