/*
 * consumequeue.c - per (topic, queue) index from logical offset to CommitLog
 * record: O(1) seek by offset, binary search by time.
 *
 * Files: <dir>/consumequeue/<topic>/<queueId>/<20-digit first offset>, each
 * cfg->cq_entries_per_file entries of 32 bytes (an existing file keeps its
 * size: entries = file size / 32), mapped MAP_SHARED.  Files of a queue are
 * contiguous: file k+1 starts at first(k) + entries(k).  Entry n lives at
 * byte (n - first) * 32 of the file covering n.
 *
 * Entry (big-endian):
 *
 *   off  size  field
 *     0     8  commitlog_pos    position of the record
 *     8     4  size             whole record size; 0 = no entry (a hole)
 *    12     4  batch_index      message within the record (0 for MESSAGE)
 *    16     8  tag_hash         from the record's aux section
 *    24     8  store_timestamp  ms, non-decreasing along a queue
 *
 * A BATCH record of count c gets c entries: same position and size,
 * batch_index 0..c-1.
 *
 * Invariants:
 *   - entries are written only by dispatch, under st->append_lock (or by
 *     recovery before any other thread runs), at offsets fixed by the
 *     record's queue_offset, so re-dispatching a record is idempotent;
 *   - max_offset (next offset) is published with a release store after the
 *     entries are written; readers load it with acquire;
 *   - min_offset is the first entry whose commitlog_pos >= the CommitLog min
 *     position; it moves with retention (consumequeue_apply_min_pos);
 *   - a queue's file array changes under q->lock (dispatch adds at the end,
 *     retention drops from the front, never the last file).
 *
 * The queue table is a chained hash map keyed by (topic, queue_id), under
 * st->queues_lock (rwlock).  It is filled at open by scanning consumequeue/.
 */
#include "store_int.h"

#include "buf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>


/* ------------------------------------------------------------------ */
/* Files                                                               */
/* ------------------------------------------------------------------ */

static void consumequeue_file_free(cq_file *f, int unlink_it)
{
    if (!f)
        return;
    if (f->map)
        munmap(f->map, (size_t)f->entries * CQ_ENTRY_SIZE);
    if (f->fd >= 0)
        close(f->fd);
    if (unlink_it)
        unlink(f->path);
    free(f);
}

static cq_file *consumequeue_file_map(store *st, store_queue *q,
                                      int64_t first, int create)
{
    cq_file *f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    f->fd = -1;
    f->first = first;
    snprintf(f->path, sizeof(f->path), "%s/%020lld", q->dir,
             (long long)first);
    f->fd = open(f->path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0644);
    if (f->fd < 0)
        goto fail;
    struct stat sb;
    if (fstat(f->fd, &sb) != 0)
        goto fail;
    uint64_t bytes = (uint64_t)sb.st_size;
    if (create || bytes < CQ_ENTRY_SIZE) {
        bytes = (uint64_t)st->cfg.cq_entries_per_file * CQ_ENTRY_SIZE;
        if (ftruncate(f->fd, (off_t)bytes) != 0)
            goto fail;
    }
    f->entries = (uint32_t)(bytes / CQ_ENTRY_SIZE);
    void *m = mmap(NULL, (size_t)f->entries * CQ_ENTRY_SIZE,
                   PROT_READ | PROT_WRITE, MAP_SHARED, f->fd, 0);
    if (m == MAP_FAILED)
        goto fail;
    /* No read-around on faults: the first write into a fresh (sparse) file
     * would otherwise "read" read_ahead_kb of holes as zeros - 8 MiB per
     * fault on this VM's disk, the whole file - and with 1,000 queues
     * that zeroing was most of the broker's CPU.  A reader of a cold
     * file then faults page by page (128 entries each). */
    (void)madvise(m, (size_t)f->entries * CQ_ENTRY_SIZE, MADV_RANDOM);
    f->map = m;
    return f;
fail:
    store_set_err(st, "consumequeue: %s: %s", f->path, strerror(errno));
    consumequeue_file_free(f, 0);
    return NULL;
}

static int consumequeue_push_file(store_queue *q, cq_file *f)
{
    if (q->nfiles == q->cap) {
        size_t ncap = q->cap ? q->cap * 2 : 4;
        cq_file **n = realloc(q->files, ncap * sizeof(*n));
        if (!n)
            return STORE_ENOMEM;
        q->files = n;
        q->cap = ncap;
    }
    q->files[q->nfiles++] = f;
    return 0;
}

/* File covering offset, or NULL.  Caller holds q->lock. */
static cq_file *consumequeue_file_for(store_queue *q, int64_t off)
{
    size_t lo = 0, hi = q->nfiles;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        cq_file *f = q->files[mid];
        if (off < f->first)
            hi = mid;
        else if (off >= f->first + f->entries)
            lo = mid + 1;
        else
            return f;
    }
    return NULL;
}

static void consumequeue_entry_get(const cq_file *f, int64_t off,
                                   store_cq_entry *e)
{
    const uint8_t *p = f->map + (size_t)(off - f->first) * CQ_ENTRY_SIZE;
    e->commitlog_pos = (int64_t)buf_get_u64be(p);
    e->size = buf_get_u32be(p + 8);
    e->batch_index = (int32_t)buf_get_u32be(p + 12);
    e->tag_hash = (int64_t)buf_get_u64be(p + 16);
    e->store_timestamp = (int64_t)buf_get_u64be(p + 24);
}

/* ------------------------------------------------------------------ */
/* Queue table                                                         */
/* ------------------------------------------------------------------ */

static uint64_t consumequeue_hash(const char *topic, size_t len, int32_t qid)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (uint8_t)topic[i];
        h *= 1099511628211ull;
    }
    h ^= (uint32_t)qid;
    h *= 1099511628211ull;
    return h;
}

static int consumequeue_topic_ok(const char *topic, size_t len)
{
    if (len == 0 || len > STORE_TOPIC_MAX)
        return 0;
    if ((len == 1 && topic[0] == '.') ||
        (len == 2 && topic[0] == '.' && topic[1] == '.'))
        return 0;
    for (size_t i = 0; i < len; i++)
        if (topic[i] == '/' || topic[i] == '\0')
            return 0;
    return 1;
}

static int consumequeue_table_insert(store *st, store_queue *q)
{
    if (st->nqueues + 1 > st->nbuckets * 2) {
        size_t nb = st->nbuckets ? st->nbuckets * 4 : 256;
        store_queue **b = calloc(nb, sizeof(*b));
        if (!b)
            return STORE_ENOMEM;
        for (size_t i = 0; i < st->nbuckets; i++) {
            store_queue *x = st->buckets[i];
            while (x) {
                store_queue *nx = x->next;
                size_t h = consumequeue_hash(x->topic, x->topic_len,
                                             x->queue_id) %
                           nb;
                x->next = b[h];
                b[h] = x;
                x = nx;
            }
        }
        free(st->buckets);
        st->buckets = b;
        st->nbuckets = nb;
    }
    size_t h = consumequeue_hash(q->topic, q->topic_len, q->queue_id) %
               st->nbuckets;
    q->next = st->buckets[h];
    st->buckets[h] = q;
    st->nqueues++;
    return 0;
}

static store_queue *consumequeue_table_find(store *st, const char *topic,
                                            size_t len, int32_t qid)
{
    if (!st->nbuckets)
        return NULL;
    size_t h = consumequeue_hash(topic, len, qid) % st->nbuckets;
    for (store_queue *q = st->buckets[h]; q; q = q->next)
        if (q->queue_id == qid && q->topic_len == len &&
            memcmp(q->topic, topic, len) == 0)
            return q;
    return NULL;
}

static store_queue *consumequeue_new(store *st, const char *topic,
                                     size_t len, int32_t qid)
{
    store_queue *q = calloc(1, sizeof(*q));
    if (!q)
        return NULL;
    q->st = st;
    memcpy(q->topic, topic, len);
    q->topic[len] = '\0';
    q->topic_len = (uint16_t)len;
    q->queue_id = qid;
    snprintf(q->dir, sizeof(q->dir), "%s/consumequeue/%s/%d", st->dir,
             q->topic, (int)qid);
    pthread_mutex_init(&q->lock, NULL);
    atomic_init(&q->max_offset, 0);
    atomic_init(&q->min_offset, 0);
    return q;
}

static void consumequeue_free(store_queue *q, int unlink_files)
{
    for (size_t i = 0; i < q->nfiles; i++)
        consumequeue_file_free(q->files[i], unlink_files);
    free(q->files);
    q->files = NULL;
    q->nfiles = q->cap = 0;
}

store_queue *consumequeue_lookup(store *st, const char *topic,
                                 size_t topic_len, int32_t queue_id,
                                 int create)
{
    if (!consumequeue_topic_ok(topic, topic_len) || queue_id < 0)
        return NULL;
    pthread_rwlock_rdlock(&st->queues_lock);
    store_queue *q = consumequeue_table_find(st, topic, topic_len, queue_id);
    pthread_rwlock_unlock(&st->queues_lock);
    if (q || !create)
        return q;
    pthread_rwlock_wrlock(&st->queues_lock);
    q = consumequeue_table_find(st, topic, topic_len, queue_id);
    if (!q) {
        q = consumequeue_new(st, topic, topic_len, queue_id);
        if (q && (store_mkdirs(q->dir) != 0 ||
                  consumequeue_table_insert(st, q) != 0)) {
            store_set_err(st, "consumequeue: create %s: %s", q->dir,
                          strerror(errno));
            pthread_mutex_destroy(&q->lock);
            free(q);
            q = NULL;
        }
    }
    pthread_rwlock_unlock(&st->queues_lock);
    return q;
}

store_queue *store_queue_get(store *st, const char *topic, int32_t queue_id,
                             int create)
{
    if (!topic)
        return NULL;
    return consumequeue_lookup(st, topic, strlen(topic), queue_id, create);
}

int store_queue_delete(store *st, const char *topic, int32_t queue_id)
{
    size_t len = strlen(topic);
    pthread_mutex_lock(&st->append_lock);
    pthread_rwlock_wrlock(&st->queues_lock);
    store_queue *q = consumequeue_table_find(st, topic, len, queue_id);
    if (!q) {
        pthread_rwlock_unlock(&st->queues_lock);
        pthread_mutex_unlock(&st->append_lock);
        return STORE_ENOENT;
    }
    size_t h = consumequeue_hash(topic, len, queue_id) % st->nbuckets;
    store_queue **pp = &st->buckets[h];
    while (*pp != q)
        pp = &(*pp)->next;
    *pp = q->next;
    st->nqueues--;
    pthread_mutex_lock(&q->lock);
    consumequeue_free(q, 1);
    q->deleted = 1;
    atomic_store(&q->min_offset, 0);
    atomic_store(&q->max_offset, 0);
    pthread_mutex_unlock(&q->lock);
    rmdir(q->dir);
    char tdir[STORE_PATH_MAX];
    snprintf(tdir, sizeof(tdir), "%s/consumequeue/%s", st->dir, q->topic);
    rmdir(tdir); /* fails while other queues of the topic exist: fine */
    q->next = st->graveyard;
    st->graveyard = q;
    pthread_rwlock_unlock(&st->queues_lock);
    pthread_mutex_unlock(&st->append_lock);
    return 0;
}

void store_queue_foreach(store *st,
                         void (*cb)(void *arg, const char *topic,
                                    int32_t queue_id),
                         void *arg)
{
    /* Snapshot, so cb may call back into the store. */
    pthread_rwlock_rdlock(&st->queues_lock);
    size_t n = st->nqueues, k = 0;
    store_queue **list = n ? malloc(n * sizeof(*list)) : NULL;
    if (list)
        for (size_t i = 0; i < st->nbuckets; i++)
            for (store_queue *q = st->buckets[i]; q; q = q->next)
                list[k++] = q;
    pthread_rwlock_unlock(&st->queues_lock);
    for (size_t i = 0; i < k; i++)
        cb(arg, list[i]->topic, list[i]->queue_id);
    free(list);
}

/* ------------------------------------------------------------------ */
/* Open / close                                                        */
/* ------------------------------------------------------------------ */

static int consumequeue_load(store *st, store_queue *q)
{
    int64_t *names;
    size_t n;
    int lrc = store_list_names20(q->dir, &names, &n);
    if (lrc == STORE_EIO)
        return 0; /* no directory yet: an empty queue */
    if (lrc != 0)
        return lrc;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        if (q->nfiles) {
            cq_file *last = q->files[q->nfiles - 1];
            if (last->first + last->entries != names[i]) {
                /* A gap: keep the newer run only (older files are
                 * unreachable below a hole). */
                consumequeue_free(q, 0);
            }
        }
        cq_file *f = consumequeue_file_map(st, q, names[i], 0);
        if (!f) {
            rc = STORE_EIO;
            break;
        }
        if ((rc = consumequeue_push_file(q, f)) != 0) {
            consumequeue_file_free(f, 0);
            break;
        }
    }
    free(names);
    if (rc)
        return rc;
    /* max = first hole in the last file (entries after it are replayed or
     * truncated by recovery). */
    int64_t max = 0, min = 0;
    if (q->nfiles) {
        cq_file *f = q->files[q->nfiles - 1];
        uint32_t i = 0;
        while (i < f->entries &&
               buf_get_u32be(f->map + (size_t)i * CQ_ENTRY_SIZE + 8) != 0)
            i++;
        max = f->first + i;
        min = q->files[0]->first;
    }
    atomic_store(&q->max_offset, max);
    atomic_store(&q->min_offset, min);
    q->flushed_offset = max;
    return 0;
}

int consumequeue_open_all(store *st)
{
    char root[STORE_SUBDIR_MAX];
    snprintf(root, sizeof(root), "%s/consumequeue", st->dir);
    if (store_mkdirs(root) != 0) {
        store_set_err(st, "consumequeue: mkdir %s: %s", root,
                      strerror(errno));
        return STORE_EIO;
    }
    DIR *d = opendir(root);
    if (!d)
        return STORE_EIO;
    struct dirent *de;
    int rc = 0;
    while (rc == 0 && (de = readdir(d)) != NULL) {
        size_t tl = strlen(de->d_name);
        if (!consumequeue_topic_ok(de->d_name, tl))
            continue;
        char tdir[STORE_PATH_MAX];
        snprintf(tdir, sizeof(tdir), "%s/%s", root, de->d_name);
        DIR *qd = opendir(tdir);
        if (!qd)
            continue;
        struct dirent *qe;
        while (rc == 0 && (qe = readdir(qd)) != NULL) {
            char *end;
            errno = 0;
            long v = strtol(qe->d_name, &end, 10);
            if (*end || end == qe->d_name || errno || v < 0 ||
                v > INT32_MAX)
                continue;
            store_queue *q = consumequeue_new(st, de->d_name, tl,
                                              (int32_t)v);
            if (!q) {
                rc = STORE_ENOMEM;
                break;
            }
            rc = consumequeue_load(st, q);
            if (rc == 0)
                rc = consumequeue_table_insert(st, q);
            if (rc != 0) {
                consumequeue_free(q, 0);
                pthread_mutex_destroy(&q->lock);
                free(q);
            }
        }
        closedir(qd);
    }
    closedir(d);
    return rc;
}

void consumequeue_close_all(store *st)
{
    for (size_t i = 0; i < st->nbuckets; i++) {
        store_queue *q = st->buckets[i];
        while (q) {
            store_queue *nx = q->next;
            consumequeue_free(q, 0);
            pthread_mutex_destroy(&q->lock);
            free(q);
            q = nx;
        }
    }
    free(st->buckets);
    st->buckets = NULL;
    st->nbuckets = st->nqueues = 0;
    while (st->graveyard) {
        store_queue *nx = st->graveyard->next;
        pthread_mutex_destroy(&st->graveyard->lock);
        free(st->graveyard);
        st->graveyard = nx;
    }
}

/* ------------------------------------------------------------------ */
/* Dispatch and maintenance                                            */
/* ------------------------------------------------------------------ */

/* Runs of at least CQ_PWRITE_MIN entries are pwrite'd, shorter ones
 * (single RocketMQ messages, small batches) stored through the mapping,
 * where a system call would cost more than the page faults it saves. */
#define CQ_PWRITE_MIN 128
#define CQ_PWRITE_CHUNK 256

/* n entries for batch indexes first.. of the record at pos into p. */
static void cq_fill(uint8_t *p, int32_t n, int64_t pos, uint32_t size,
                    int32_t first, const uint8_t *tag, int64_t store_ts)
{
    for (int32_t j = 0; j < n; j++, p += CQ_ENTRY_SIZE) {
        buf_put_u64be(p, (uint64_t)pos);
        buf_put_u32be(p + 8, size);
        buf_put_u32be(p + 12, (uint32_t)(first + j));
        if (tag) {
            memcpy(p + 16, tag, 8); /* already big-endian */
            tag += 8;
        } else {
            memset(p + 16, 0, 8);
        }
        buf_put_u64be(p + 24, (uint64_t)store_ts);
    }
}

int consumequeue_dispatch(store *st, store_queue *q, int64_t queue_offset,
                          int32_t count, int64_t pos, uint32_t size,
                          const uint8_t *tags, uint32_t n_tags,
                          int64_t store_ts, int publish)
{
    int rc = 0;
    pthread_mutex_lock(&q->lock);
    /* A batch's entries are contiguous: find the file once per run of
     * entries it holds (one bounds check), then fill the run in a tight
     * loop (a 1 MiB Kafka batch of 100 B records is ~10000 entries). */
    for (int32_t i = 0; i < count;) {
        int64_t off = queue_offset + i;
        cq_file *f = consumequeue_file_for(q, off);
        while (!f) {
            int64_t first;
            if (q->nfiles) {
                cq_file *last = q->files[q->nfiles - 1];
                if (off < q->files[0]->first)
                    break; /* below what we keep */
                first = last->first + last->entries;
            } else {
                uint32_t per = st->cfg.cq_entries_per_file;
                first = off - off % per;
            }
            cq_file *nf = consumequeue_file_map(st, q, first, 1);
            if (!nf) {
                rc = STORE_EIO;
                goto out;
            }
            if ((rc = consumequeue_push_file(q, nf)) != 0) {
                consumequeue_file_free(nf, 1);
                goto out;
            }
            if (off >= nf->first && off < nf->first + nf->entries)
                f = nf;
        }
        if (!f) {
            i++;
            continue;
        }
        int64_t room = f->first + f->entries - off;
        int32_t run = count - i < room ? count - i : (int32_t)room;
        const uint8_t *tag = n_tags ? tags + (size_t)i * 8 : NULL;
        if (run < CQ_PWRITE_MIN) {
            uint8_t *p = f->map + (size_t)(off - f->first) * CQ_ENTRY_SIZE;
            cq_fill(p, run, pos, size, i, tag, store_ts);
        } else {
            /* A long run (a Kafka batch): built in a buffer and pwrite'd,
             * so that no page of the mapping is dirtied through it and the
             * flush's write-back has no page-table entry to write-protect
             * (msync of mapped-and-written ConsumeQueue pages cost TLB
             * shootdowns, 7% of broker samples at 64 partitions). */
            uint8_t buf[CQ_PWRITE_CHUNK * CQ_ENTRY_SIZE];
            for (int32_t done = 0; done < run;) {
                int32_t n = run - done < CQ_PWRITE_CHUNK ? run - done
                                                         : CQ_PWRITE_CHUNK;
                cq_fill(buf, n, pos, size, i + done, tag, store_ts);
                if (tag)
                    tag += (size_t)n * 8;
                off_t at = (off_t)(off + done - f->first) * CQ_ENTRY_SIZE;
                size_t len = (size_t)n * CQ_ENTRY_SIZE, put = 0;
                while (put < len) {
                    ssize_t w = pwrite(f->fd, buf + put, len - put,
                                       at + (off_t)put);
                    if (w < 0 && errno == EINTR)
                        continue;
                    if (w <= 0) {
                        store_set_err(st, "consumequeue: pwrite %s: %s",
                                      f->path,
                                      w < 0 ? strerror(errno) : "no progress");
                        rc = w < 0 && (errno == ENOSPC || errno == EDQUOT)
                                 ? STORE_EFULL
                                 : STORE_EIO;
                        goto out;
                    }
                    put += (size_t)w;
                }
                done += n;
            }
        }
        i += run;
    }
out:
    pthread_mutex_unlock(&q->lock);
    if (rc == 0 && publish) {
        int64_t nmax = queue_offset + count;
        if (atomic_load_explicit(&q->max_offset, memory_order_relaxed) <
            nmax)
            atomic_store_explicit(&q->max_offset, nmax,
                                  memory_order_release);
    }
    return rc;
}

/* Queue offsets of the queue as a sorted run of entries: reads entry off
 * (caller holds q->lock); returns 0 if there is no file for it. */
static int consumequeue_entry_at(store_queue *q, int64_t off,
                                 store_cq_entry *e)
{
    cq_file *f = consumequeue_file_for(q, off);
    if (!f)
        return 0;
    consumequeue_entry_get(f, off, e);
    return 1;
}

void consumequeue_truncate_all(store *st, int64_t end_pos)
{
    pthread_rwlock_rdlock(&st->queues_lock);
    for (size_t b = 0; b < st->nbuckets; b++) {
        for (store_queue *q = st->buckets[b]; q; q = q->next) {
            pthread_mutex_lock(&q->lock);
            int64_t max = atomic_load(&q->max_offset);
            int64_t lo = q->nfiles ? q->files[0]->first : 0;
            store_cq_entry e;
            while (max > lo && consumequeue_entry_at(q, max - 1, &e) &&
                   (e.size == 0 || e.commitlog_pos >= end_pos))
                max--;
            /* Zero everything from max to the end of its file, drop later
             * files: stale entries must not survive a later crash. */
            while (q->nfiles > 1 &&
                   q->files[q->nfiles - 1]->first > max) {
                consumequeue_file_free(q->files[q->nfiles - 1], 1);
                q->nfiles--;
            }
            cq_file *f = consumequeue_file_for(q, max);
            if (f) {
                size_t from = (size_t)(max - f->first) * CQ_ENTRY_SIZE;
                size_t len = (size_t)f->entries * CQ_ENTRY_SIZE - from;
                for (size_t i = from; i < from + len; i += CQ_ENTRY_SIZE)
                    if (buf_get_u32be(f->map + i + 8) != 0)
                        memset(f->map + i, 0, CQ_ENTRY_SIZE);
            }
            atomic_store(&q->max_offset, max);
            if (atomic_load(&q->min_offset) > max)
                atomic_store(&q->min_offset, max);
            if (q->flushed_offset > max)
                q->flushed_offset = max;
            pthread_mutex_unlock(&q->lock);
        }
    }
    pthread_rwlock_unlock(&st->queues_lock);
}

void consumequeue_apply_min_pos(store *st, int64_t min_pos)
{
    pthread_rwlock_rdlock(&st->queues_lock);
    for (size_t b = 0; b < st->nbuckets; b++) {
        for (store_queue *q = st->buckets[b]; q; q = q->next) {
            pthread_mutex_lock(&q->lock);
            int64_t max = atomic_load(&q->max_offset);
            store_cq_entry e;
            /* Drop whole files below min_pos, never the last one. */
            size_t drop = 0;
            while (drop + 1 < q->nfiles) {
                cq_file *f = q->files[drop];
                consumequeue_entry_get(f, f->first + f->entries - 1, &e);
                if (e.size != 0 && e.commitlog_pos >= min_pos)
                    break;
                drop++;
            }
            for (size_t i = 0; i < drop; i++)
                consumequeue_file_free(q->files[i], 1);
            if (drop) {
                memmove(q->files, q->files + drop,
                        (q->nfiles - drop) * sizeof(*q->files));
                q->nfiles -= drop;
            }
            /* Binary search the first entry at or above min_pos. */
            int64_t lo = q->nfiles ? q->files[0]->first : max;
            int64_t hi = max;
            if (lo > hi)
                lo = hi;
            while (lo < hi) {
                int64_t mid = lo + (hi - lo) / 2;
                if (consumequeue_entry_at(q, mid, &e) &&
                    e.commitlog_pos < min_pos)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            atomic_store_explicit(&q->min_offset, lo, memory_order_release);
            pthread_mutex_unlock(&q->lock);
        }
    }
    pthread_rwlock_unlock(&st->queues_lock);
}

#define CQ_RESIDENT_KEEP (16u << 10)

int consumequeue_flush_all(store *st)
{
    int rc = 0;
    long page = sysconf(_SC_PAGESIZE);
    pthread_rwlock_rdlock(&st->queues_lock);
    for (size_t b = 0; b < st->nbuckets; b++) {
        for (store_queue *q = st->buckets[b]; q; q = q->next) {
            pthread_mutex_lock(&q->lock);
            int64_t max = atomic_load(&q->max_offset);
            int64_t from = q->flushed_offset;
            if (q->nfiles && from < q->files[0]->first)
                from = q->files[0]->first;
            while (from < max) {
                cq_file *f = consumequeue_file_for(q, from);
                if (!f)
                    break;
                int64_t end = f->first + f->entries;
                if (end > max)
                    end = max;
                size_t a = (size_t)(from - f->first) * CQ_ENTRY_SIZE;
                size_t e = (size_t)(end - f->first) * CQ_ENTRY_SIZE;
                a &= ~(size_t)(page - 1);
                if (msync(f->map + a, e - a, MS_SYNC) != 0) {
                    store_set_err(st, "consumequeue: msync %s: %s", f->path,
                                  strerror(errno));
                    rc = STORE_EIO;
                    break;
                }
                /* The entries just made durable leave the broker's RSS
                 * (the page cache keeps them; see commitlog.c's resident
                 * trim), but for the last CQ_RESIDENT_KEEP bytes, where
                 * the writer and tail readers are.  32 bytes a message
                 * were most of the RSS of a 1,000-queue broker. */
                if (e > CQ_RESIDENT_KEEP) {
                    size_t t = (e - CQ_RESIDENT_KEEP) & ~(size_t)(page - 1);
                    if (t > a)
                        (void)madvise(f->map + a, t - a, MADV_DONTNEED);
                }
                from = end;
            }
            if (rc == 0)
                q->flushed_offset = max;
            pthread_mutex_unlock(&q->lock);
        }
    }
    pthread_rwlock_unlock(&st->queues_lock);
    return rc;
}

/* ------------------------------------------------------------------ */
/* Public reads                                                        */
/* ------------------------------------------------------------------ */

int64_t store_queue_min_offset(store_queue *q)
{
    return atomic_load_explicit(&q->min_offset, memory_order_acquire);
}

int64_t store_queue_max_offset(store_queue *q)
{
    return atomic_load_explicit(&q->max_offset, memory_order_acquire);
}

int64_t store_queue_appended_msgs(store_queue *q)
{
    return atomic_load_explicit(&q->appended_msgs, memory_order_relaxed);
}

int64_t store_queue_appended_bytes(store_queue *q)
{
    return atomic_load_explicit(&q->appended_bytes, memory_order_relaxed);
}

int store_queue_read(store_queue *q, int64_t offset, store_cq_entry *out,
                     int n)
{
    if (n <= 0)
        return 0;
    int64_t max = atomic_load_explicit(&q->max_offset, memory_order_acquire);
    int64_t min = atomic_load_explicit(&q->min_offset, memory_order_acquire);
    if (offset < min || offset >= max)
        return 0;
    if ((int64_t)n > max - offset)
        n = (int)(max - offset);
    int got = 0;
    pthread_mutex_lock(&q->lock);
    if (q->deleted) {
        pthread_mutex_unlock(&q->lock);
        return STORE_ENOENT;
    }
    cq_file *f = NULL;
    while (got < n) {
        int64_t off = offset + got;
        if (!f || off >= f->first + f->entries) {
            f = consumequeue_file_for(q, off);
            if (!f)
                break;
        }
        consumequeue_entry_get(f, off, &out[got]);
        got++;
    }
    pthread_mutex_unlock(&q->lock);
    return got;
}

int64_t store_queue_find_by_time(store_queue *q, int64_t ts)
{
    int64_t max = atomic_load_explicit(&q->max_offset, memory_order_acquire);
    int64_t lo = atomic_load_explicit(&q->min_offset, memory_order_acquire);
    int64_t hi = max;
    pthread_mutex_lock(&q->lock);
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        store_cq_entry e;
        if (consumequeue_entry_at(q, mid, &e) && e.store_timestamp < ts)
            lo = mid + 1;
        else
            hi = mid;
    }
    pthread_mutex_unlock(&q->lock);
    return lo;
}
