/*
 * store.c - the store handle: open/close, the lock file, the clean-shutdown
 * marker, configuration defaults and store_append.
 *
 * Directory layout under cfg->dir:
 *
 *   commitlog/<20-digit start position>          commitlog.c
 *   consumequeue/<topic>/<queueId>/<20-digit first offset>   consumequeue.c
 *   index/<20-digit creation ms>                 indexfile.c
 *   checkpoint                                   checkpoint.c
 *   clean_shutdown   empty; written (and fsync'd) by store_close after the
 *                    final flush; removed by store_open.  Present at open =
 *                    the previous close was clean (store_recovery_info_get).
 *   lock             flock(LOCK_EX | LOCK_NB) for the store's lifetime, so
 *                    two processes (or two handles) cannot open one store.
 *
 * store_append, under st->append_lock:
 *   1. assign store_timestamp (wall clock, never below the previous one) and
 *      queue_offset (the queue's max offset);
 *   2. commitlog_append builds the header and aux section in scratch
 *      memory, calls req->patch on a copy of the body's head, computes the
 *      CRC over the pieces and pwritev's them at the write position (a
 *      record of at most 4 KiB is memcpy'd into the mapping instead;
 *      rolling first if needed); on any error nothing is published;
 *   3. publish the CommitLog write position (release), only after the write
 *      succeeded, so readers (through the mapping, coherent with the page
 *      cache) never see a byte that was not written;
 *   4. dispatch: ConsumeQueue entries, then publish the queue's max offset
 *      (release), so an appended offset is readable when store_append
 *      returns; then index entries for the record's aux keys.
 * At most one system call on this path (the pwritev of a record above
 * 4 KiB; plus the BLANK at a segment roll), and
 * no allocation except when the scratch buffer grows or a segment,
 * ConsumeQueue file or index file has to be created.
 */
#include "store_int.h"

#include "buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

void flush_stop_how(store *st, int how);

void store_config_defaults(store_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->dir = "./data";
    cfg->commitlog_segment_size = 1024ull * 1024 * 1024;
    cfg->cq_entries_per_file = 300000;
    cfg->index_slots = 5000000;
    cfg->index_entries = 20000000;
    cfg->flush_mode = STORE_FLUSH_ASYNC;
    cfg->flush_interval_ms = 500;
    cfg->sync_flush_timeout_ms = 5000;
    cfg->file_reserved_ms = 72ull * 3600 * 1000;
    cfg->disk_max_used_percent = 75;
    cfg->disk_refuse_percent = 90;
    cfg->max_record_size = 4 * 1024 * 1024 + 64 * 1024;
    cfg->truncate_corrupt = 0;
}

void store_set_err(store *st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->errmsg, sizeof(st->errmsg), fmt, ap);
    va_end(ap);
}

const char *store_errmsg(store *st)
{
    return st ? st->errmsg : "no store";
}

const store_recovery_info *store_recovery_info_get(store *st)
{
    return &st->recovery;
}

int64_t store_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int store_mkdirs(const char *path)
{
    char tmp[STORE_PATH_MAX];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof(tmp)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(tmp, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (tmp[i] == '/' || tmp[i] == '\0') {
            char c = tmp[i];
            tmp[i] = '\0';
            if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
                return -1;
            tmp[i] = c;
        }
    }
    return 0;
}

int store_fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int store_pwritev_all(int fd, struct iovec *iov, int iovcnt, int64_t off)
{
    while (iovcnt > 0 && iov->iov_len == 0) {
        iov++;
        iovcnt--;
    }
    while (iovcnt > 0) {
        ssize_t n = pwritev(fd, iov, iovcnt, (off_t)off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0)
            return -EIO;
        off += n;
        /* short write: skip what went out, go on with the rest */
        size_t left = (size_t)n;
        while (iovcnt > 0 && left >= iov->iov_len) {
            left -= iov->iov_len;
            iov++;
            iovcnt--;
        }
        if (iovcnt > 0) {
            iov->iov_base = (uint8_t *)iov->iov_base + left;
            iov->iov_len -= left;
        }
        while (iovcnt > 0 && iov->iov_len == 0) {
            iov++;
            iovcnt--;
        }
    }
    return 0;
}

static store *store_alloc(const store_config *cfg)
{
    store *st = calloc(1, sizeof(*st));
    if (!st)
        return NULL;
    st->cfg = *cfg;
    snprintf(st->dir, sizeof(st->dir), "%s", cfg->dir);
    st->cfg.dir = st->dir;
    st->lock_fd = -1;
    pthread_mutex_init(&st->append_lock, NULL);
    pthread_mutex_init(&st->cl.segs_lock, NULL);
    pthread_mutex_init(&st->ix.lock, NULL);
    pthread_rwlock_init(&st->queues_lock, NULL);
    pthread_mutex_init(&st->flush_lock, NULL);
    pthread_cond_init(&st->flush_cond, NULL);
    pthread_mutex_init(&st->fullflush_lock, NULL);
    pthread_mutex_init(&st->retention_lock, NULL);
    return st;
}

/* Unmaps and frees everything (no flushing). */
static void store_free(store *st)
{
    consumequeue_close_all(st);
    indexfile_close_all(st);
    commitlog_close(&st->cl, 0);
    if (st->lock_fd >= 0)
        close(st->lock_fd); /* drops the flock */
    pthread_mutex_destroy(&st->append_lock);
    pthread_mutex_destroy(&st->cl.segs_lock);
    pthread_mutex_destroy(&st->ix.lock);
    pthread_rwlock_destroy(&st->queues_lock);
    pthread_mutex_destroy(&st->flush_lock);
    pthread_cond_destroy(&st->flush_cond);
    pthread_mutex_destroy(&st->fullflush_lock);
    pthread_mutex_destroy(&st->retention_lock);
    free(st);
}

static int store_check_config(const store_config *cfg, char *errbuf,
                              size_t errlen)
{
    const char *why = NULL;
    if (!cfg->dir || !*cfg->dir)
        why = "dir is empty";
    else if (strlen(cfg->dir) >= STORE_DIR_MAX)
        why = "dir is too long";
    else if (cfg->commitlog_segment_size < 4096 ||
             cfg->commitlog_segment_size > (1ull << 40))
        why = "commitlog_segment_size must be in [4 KiB, 1 TiB]";
    else if (cfg->cq_entries_per_file < 1 ||
             cfg->cq_entries_per_file > (1u << 26))
        why = "cq_entries_per_file must be in [1, 2^26]";
    else if (cfg->index_slots < 1 || cfg->index_entries < 2)
        why = "index_slots must be >= 1 and index_entries >= 2";
    else if (cfg->max_record_size < COMMITLOG_HEADER_SIZE + 16)
        why = "max_record_size is too small";
    else if (cfg->flush_mode != STORE_FLUSH_ASYNC &&
             cfg->flush_mode != STORE_FLUSH_SYNC)
        why = "flush_mode must be ASYNC or SYNC";
    else if (cfg->flush_interval_ms < 1)
        why = "flush_interval_ms must be >= 1";
    if (why && errbuf && errlen)
        snprintf(errbuf, errlen, "store: bad config: %s", why);
    return why ? STORE_EINVAL : 0;
}

store *store_open(const store_config *cfg, char *errbuf, size_t errlen)
{
    char dummy[8];
    if (!errbuf || !errlen) {
        errbuf = dummy;
        errlen = sizeof(dummy);
    }
    errbuf[0] = '\0';
    if (!cfg || store_check_config(cfg, errbuf, errlen) != 0)
        return NULL;
    store *st = store_alloc(cfg);
    if (!st) {
        snprintf(errbuf, errlen, "store: out of memory");
        return NULL;
    }
    char path[STORE_PATH_MAX];
    int rc = 0;
    if (store_mkdirs(st->dir) != 0) {
        snprintf(errbuf, errlen, "store: mkdir %s: %s", st->dir,
                 strerror(errno));
        goto fail_early;
    }
    snprintf(path, sizeof(path), "%s/lock", st->dir);
    st->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (st->lock_fd < 0) {
        snprintf(errbuf, errlen, "store: open %s: %s", path, strerror(errno));
        goto fail_early;
    }
    if (flock(st->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        snprintf(errbuf, errlen,
                 "store: %s is locked by another process (or handle)",
                 path);
        goto fail_early;
    }

    snprintf(path, sizeof(path), "%s/clean_shutdown", st->dir);
    if (access(path, F_OK) == 0) {
        st->recovery.previous_clean = 1;
        unlink(path);
        store_fsync_dir(st->dir);
    }
    checkpoint cp;
    memset(&cp, 0, sizeof(cp));
    int have_cp = checkpoint_read(st->dir, &cp) == 0;

    if ((rc = commitlog_open(st)) != 0 ||
        (rc = consumequeue_open_all(st)) != 0 ||
        (rc = indexfile_open_all(st)) != 0) {
        snprintf(errbuf, errlen, "%s", st->errmsg);
        goto fail_early;
    }
    rc = recovery_run(st, &cp, have_cp, errbuf, errlen);
    if (rc != 0) {
        if (!errbuf[0])
            snprintf(errbuf, errlen, "%s", st->errmsg);
        snprintf(st->errmsg, sizeof(st->errmsg), "%s", errbuf);
        goto fail_early;
    }
    retention_update_disk_full(st);
    if (flush_start(st) != 0) {
        snprintf(errbuf, errlen, "%s", st->errmsg);
        goto fail_early;
    }
    return st;

fail_early:
    store_free(st);
    return NULL;
}

void store_close(store *st)
{
    if (!st)
        return;
    atomic_store(&st->closing, 1);
    flush_stop_how(st, 1);
    if (flush_full(st) == 0) {
        char path[STORE_PATH_MAX];
        snprintf(path, sizeof(path), "%s/clean_shutdown", st->dir);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0) {
            fsync(fd);
            close(fd);
            store_fsync_dir(st->dir);
        }
    }
    store_free(st);
}

void store_crash_for_test(store *st)
{
    if (!st)
        return;
    atomic_store(&st->closing, 1);
    flush_stop_how(st, 2);
    store_free(st);
}

int store_append(store *st, const store_append_req *req,
                 store_append_result *res)
{
    if (!req || !req->queue || !res ||
        (req->kind != STORE_KIND_MESSAGE && req->kind != STORE_KIND_BATCH) ||
        req->count < 1 || (req->kind == STORE_KIND_MESSAGE && req->count != 1) ||
        (req->n_keys && !req->keys) || (req->body_len && !req->body) ||
        (req->properties_len && !req->properties) ||
        (req->key && req->key_len == COMMITLOG_NULL_KEY_LEN))
        return STORE_EINVAL;
    if (atomic_load_explicit(&st->closing, memory_order_relaxed))
        return STORE_ECLOSED;
    if (atomic_load_explicit(&st->disk_full, memory_order_relaxed))
        return STORE_EFULL;
    uint32_t size, aux_len;
    int rc = commitlog_record_size(st, req, &size, &aux_len);
    if (rc != 0)
        return rc;

    store_queue *q = req->queue;
    pthread_mutex_lock(&st->append_lock);
    if (q->deleted) {
        pthread_mutex_unlock(&st->append_lock);
        return STORE_ENOENT;
    }
    int64_t ts = store_now_ms();
    if (ts < st->last_store_ts)
        ts = st->last_store_ts;
    int64_t qo = atomic_load_explicit(&q->max_offset, memory_order_relaxed);
    int64_t pos;
    const uint8_t *aux;
    rc = commitlog_append(st, req, size, aux_len, qo, ts, &pos, &aux);
    if (rc != 0) {
        pthread_mutex_unlock(&st->append_lock);
        return rc;
    }
    st->last_store_ts = ts;
    atomic_store_explicit(&st->cl.write_pos, pos + size, memory_order_release);
    uint32_t n_tags = buf_get_u32be(aux);
    const uint8_t *tags = aux + 4;
    const uint8_t *keys = tags + (size_t)n_tags * 8 + 4;
    rc = consumequeue_dispatch(st, q, qo, req->count, pos, size, tags,
                               n_tags, ts, 1);
    if (rc != 0) {
        /* The record is in the log with these offsets: never reuse them. */
        atomic_store_explicit(&q->max_offset, qo + req->count,
                              memory_order_release);
    }
    if (req->n_keys) {
        int rc2 = indexfile_add_record(st, q->topic, q->topic_len, keys,
                                       req->n_keys, pos, size, ts);
        if (rc == 0)
            rc = rc2;
    }
    atomic_fetch_add_explicit(&q->appended_msgs, req->count,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&q->appended_bytes, size, memory_order_relaxed);
    pthread_mutex_unlock(&st->append_lock);
    res->queue_offset = qo;
    res->commitlog_pos = pos;
    res->size = size;
    res->store_timestamp = ts;
    res->end_pos = pos + size;
    return rc;
}
