/*
 * commitlog.c - the shared CommitLog: fixed-size, memory-mapped segment files
 * holding self-describing records of every topic and queue.
 *
 * Files: <dir>/commitlog/<20-digit global start position>.  Every segment is
 * preallocated (fallocate, else ftruncate) to its size, opened O_RDWR and
 * mapped MAP_SHARED.  Segments are contiguous: segment k+1 starts
 * at start(k) + size(k).  A new segment gets cfg->commitlog_segment_size; an
 * existing one keeps its file size.
 *
 * Write path (under st->append_lock): the 124-byte fixed header is built on
 * the stack, the aux section (and, with a patch callback, a copy of the
 * body's first patch_len bytes, patched) in cl->scratch; the CRC is chained
 * over the pieces; one pwritev puts header | topic | properties | key | body
 * | aux at the write position, straight from the caller's buffers.  Readers
 * (store_read_record, zero-copy fetch views) read through the mapping; on
 * Linux a MAP_SHARED mapping and pwrite share the page cache, so what
 * pwritev wrote is what the mapping shows.  Why not memcpy into the
 * mapping: each fresh page then costs a fault that reads (zero-fills) the
 * page, and every flush write-protects the written pages again (TLB
 * shootdowns), so the writer re-faults; a pwrite of a whole page into the
 * page cache needs neither (Kafka produce of ~1 MiB batches, kafka_bench.sh:
 * broker CPU per message 0.57 -> 0.41 s/M with acks=1, 0.84 -> 0.37 with
 * acks=-1 under SYNC_FLUSH; docs/BENCHMARKS.md).
 *
 * Except small records: up to COMMITLOG_MAP_WRITE_MAX (4 KiB) the same
 * pieces are memcpy'd into the mapping instead (so it is PROT_WRITE).  One
 * pwritev per 100-byte record cost 1.4-1.5 CPU-s per million appends in
 * ferry-bench-store against 0.3-0.45 for the memcpy, whose page faults
 * are shared by the ~40 records of a page.  Both kinds of writes land in
 * the same page cache, and fdatasync writes back pages dirtied either way.
 * 4 KiB is a guess between the measured points (1 KiB: memcpy cheaper;
 * ~1 MiB: pwritev cheaper), not a measured crossover.
 *
 * Errors: a failed or short pwritev (EINTR and short counts are retried
 * first) returns STORE_EIO (STORE_EFULL for ENOSPC/EDQUOT) and does not
 * move the write position (a memcpy cannot fail: the segment is
 * preallocated; on a filesystem without fallocate a full disk would be a
 * SIGBUS there, as before); the caller publishes write_pos (release) only
 * after a successful write, so readers never see bytes that were not
 * written, and torn bytes past write_pos are overwritten by the next append
 * (or cut by recovery as a torn tail after a crash).
 *
 * Flush: fdatasync of each segment the range touches (commitlog_flush).
 *
 * A record never spans segments.  A record of size n is written at offset off
 * of a segment of size S if n == S - off (it fills the segment exactly) or
 * n + 8 <= S - off.  Otherwise an 8-byte BLANK marker is written at off and
 * the record goes to the next segment:
 *
 *   BLANK   0 u32 remaining bytes (S - off)   4 u32 0xCBD43194
 *
 * so after any write S - off is 0 or >= 8.  (The BLANK is pwritten too.)
 *
 * Record (all integers big-endian):
 *
 *   off  size  field
 *     0     4  total_size      whole record, this field included
 *     4     4  magic           0x46525931 "FRY1"
 *     8     4  crc32c          CRC-32C of bytes [12, total_size)
 *    12     1  kind            1 MESSAGE, 2 BATCH
 *    13     1  reserved        0
 *    14     2  topic_len       1..255
 *    16     4  queue_id
 *    20     8  queue_offset    first logical offset covered
 *    28     4  count           offsets covered (>= 1)
 *    32     4  flag
 *    36     4  sys_flag
 *    40     8  born_timestamp  ms
 *    48     8  store_timestamp ms, non-decreasing along the log
 *    56    20  born_host       16 B address (v4-mapped) + u32 port
 *    76    20  store_host
 *    96     4  reconsume_times
 *   100     8  prepared_txn_offset
 *   108     4  properties_len
 *   112     4  key_len         0xFFFFFFFF = null key (no key bytes)
 *   116     4  body_len
 *   120     4  aux_len
 *   124     .  topic | properties | key | body | aux
 *
 *   aux:  u32 n_tags (0 = all tag hashes 0, else == count)
 *         n_tags x i64 tag hash (message i of the record)
 *         u32 n_keys
 *         n_keys x { i32 batch_index, u16 len, len bytes }   (index keys)
 *
 * A record at segment offset off is VALID iff (cf. SQLite's WAL frames):
 *   - total_size >= 124 and off + total_size <= segment size;
 *   - magic == 0x46525931;
 *   - 124 + topic_len + properties_len + key bytes + body_len + aux_len ==
 *     total_size exactly (key bytes = 0 for a null key);
 *   - kind is 1 or 2, topic_len >= 1, count >= 1;
 *   - aux parses to exactly aux_len bytes, n_tags is 0 or count, every key's
 *     batch_index is in [0, count);
 *   - crc32c over [12, total_size) equals the stored crc.
 * Anything else at a position (zeros included) is invalid; recovery.c decides
 * whether that is a torn tail or corruption.
 *
 * No warm-up thread.  Until 95d1653 a thread kept ~1/4 s of appends ahead
 * of the write position populated with madvise(MADV_POPULATE_READ), so the
 * memcpy writer would not take page-allocating faults.  With pwritev that
 * only zero-filled page-cache pages (the fallocated extents are unwritten,
 * so a read fills zeros) that the write then overwrote: 41% of the broker's
 * samples during Kafka produce, and 2-3x the CPU per append in
 * ferry-bench-store.  A pwrite of a whole page needs no read at all, and a
 * partial page of an unwritten extent is zero-filled only for the part not
 * written.  Dropping it also keeps an idle broker from holding the warmed
 * megabyte(s) of the log resident.
 *
 * Lifetime: a segment is refcounted.  The log's array holds one ref; every
 * store_record view and every flush holds one.  Retention removes a segment
 * from the array and unlinks its file at once (a crash then cannot bring it
 * back); the mapping stays valid until the last ref is dropped, which
 * munmaps and closes it.
 */
#include "store_int.h"

#include "buf.h"
#include "crc32c.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Segments                                                            */
/* ------------------------------------------------------------------ */

void commitlog_segment_ref(commitlog_segment *seg)
{
    atomic_fetch_add_explicit(&seg->refs, 1, memory_order_relaxed);
}

void commitlog_segment_unref(commitlog_segment *seg)
{
    if (!seg)
        return;
    if (atomic_fetch_sub_explicit(&seg->refs, 1, memory_order_acq_rel) != 1)
        return;
    if (seg->map)
        munmap(seg->map, seg->size);
    if (seg->fd >= 0)
        close(seg->fd);
    free(seg);
}

static int commitlog_segment_map(store *st, commitlog_segment *seg,
                                 int create)
{
    int flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0);
    seg->fd = open(seg->path, flags, 0644);
    if (seg->fd < 0) {
        store_set_err(st, "commitlog: open %s: %s", seg->path,
                      strerror(errno));
        return STORE_EIO;
    }
    struct stat sb;
    if (fstat(seg->fd, &sb) != 0) {
        store_set_err(st, "commitlog: stat %s: %s", seg->path,
                      strerror(errno));
        return STORE_EIO;
    }
    if (create || sb.st_size == 0) {
        if (sb.st_size == 0)
            seg->size = st->cl.seg_size;
        else
            seg->size = (uint64_t)sb.st_size;
        /* Preallocate so a full disk shows up here, not as SIGBUS. */
        int rc = posix_fallocate(seg->fd, 0, (off_t)seg->size);
        if (rc != 0 && ftruncate(seg->fd, (off_t)seg->size) != 0) {
            store_set_err(st, "commitlog: allocate %s: %s", seg->path,
                          strerror(rc));
            return STORE_EIO;
        }
    } else {
        seg->size = (uint64_t)sb.st_size;
    }
    if (seg->size < 4096) {
        store_set_err(st, "commitlog: segment %s is only %llu bytes",
                      seg->path, (unsigned long long)seg->size);
        return STORE_ECORRUPT;
    }
    void *m = mmap(NULL, seg->size, PROT_READ | PROT_WRITE, MAP_SHARED,
                   seg->fd, 0);
    if (m == MAP_FAILED) {
        store_set_err(st, "commitlog: mmap %s: %s", seg->path,
                      strerror(errno));
        return STORE_EIO;
    }
    seg->map = m;
    return 0;
}

static commitlog_segment *commitlog_segment_alloc(store *st, int64_t start)
{
    commitlog_segment *seg = calloc(1, sizeof(*seg));
    if (!seg)
        return NULL;
    seg->start = start;
    seg->fd = -1;
    atomic_init(&seg->refs, 1);
    atomic_init(&seg->doomed, 0);
    atomic_init(&seg->last_store_ts, 0);
    snprintf(seg->path, sizeof(seg->path), "%s/%020lld", st->cl.dir,
             (long long)start);
    return seg;
}

static int commitlog_push(commitlog *cl, commitlog_segment *seg)
{
    pthread_mutex_lock(&cl->segs_lock);
    if (cl->nsegs == cl->cap) {
        size_t ncap = cl->cap ? cl->cap * 2 : 16;
        commitlog_segment **n = realloc(cl->segs, ncap * sizeof(*n));
        if (!n) {
            pthread_mutex_unlock(&cl->segs_lock);
            return STORE_ENOMEM;
        }
        cl->segs = n;
        cl->cap = ncap;
    }
    cl->segs[cl->nsegs++] = seg;
    cl->cur = seg;
    pthread_mutex_unlock(&cl->segs_lock);
    return 0;
}

int commitlog_segment_create(store *st, int64_t start)
{
    commitlog_segment *seg = commitlog_segment_alloc(st, start);
    if (!seg)
        return STORE_ENOMEM;
    int rc = commitlog_segment_map(st, seg, 1);
    if (rc == 0)
        rc = commitlog_push(&st->cl, seg);
    if (rc != 0) {
        unlink(seg->path);
        commitlog_segment_unref(seg);
        return rc;
    }
    atomic_store_explicit(&seg->last_store_ts, 0, memory_order_relaxed);
    return 0;
}

commitlog_segment *commitlog_segment_find(commitlog *cl, int64_t pos)
{
    commitlog_segment *found = NULL;
    pthread_mutex_lock(&cl->segs_lock);
    size_t lo = 0, hi = cl->nsegs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        commitlog_segment *s = cl->segs[mid];
        if (pos < s->start)
            hi = mid;
        else if ((uint64_t)(pos - s->start) >= s->size)
            lo = mid + 1;
        else {
            found = s;
            break;
        }
    }
    if (found)
        commitlog_segment_ref(found);
    pthread_mutex_unlock(&cl->segs_lock);
    return found;
}

commitlog_segment *commitlog_segment_first(commitlog *cl)
{
    commitlog_segment *s = NULL;
    pthread_mutex_lock(&cl->segs_lock);
    if (cl->nsegs) {
        s = cl->segs[0];
        commitlog_segment_ref(s);
    }
    pthread_mutex_unlock(&cl->segs_lock);
    return s;
}

static int store_cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

int store_list_names20(const char *dir, int64_t **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return STORE_EIO;
    int64_t *names = NULL;
    size_t cnt = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        int64_t v = store_parse_name20(de->d_name);
        if (v < 0)
            continue;
        if (cnt == cap) {
            cap = cap ? cap * 2 : 16;
            int64_t *nn = realloc(names, cap * sizeof(*nn));
            if (!nn) {
                closedir(d);
                free(names);
                return STORE_ENOMEM;
            }
            names = nn;
        }
        names[cnt++] = v;
    }
    closedir(d);
    if (cnt)
        qsort(names, cnt, sizeof(*names), store_cmp64);
    *out = names;
    *n = cnt;
    return 0;
}
int64_t store_parse_name20(const char *name)
{
    if (strlen(name) != 20)
        return -1;
    int64_t v = 0;
    for (int i = 0; i < 20; i++) {
        if (name[i] < '0' || name[i] > '9')
            return -1;
        if (v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (name[i] - '0');
    }
    return v;
}

/* Maps every existing segment (sorted, checked contiguous).  Leaves
 * write_pos at the start of the first segment; recovery moves it. */
int commitlog_open(store *st)
{
    commitlog *cl = &st->cl;
    snprintf(cl->dir, sizeof(cl->dir), "%s/commitlog", st->dir);
    cl->seg_size = st->cfg.commitlog_segment_size;
    cl->map_write_max = COMMITLOG_MAP_WRITE_MAX;
    if (store_mkdirs(cl->dir) != 0) {
        store_set_err(st, "commitlog: mkdir %s: %s", cl->dir,
                      strerror(errno));
        return STORE_EIO;
    }
    int64_t *names;
    size_t n;
    int lrc = store_list_names20(cl->dir, &names, &n);
    if (lrc == STORE_EIO) {
        store_set_err(st, "commitlog: opendir %s: %s", cl->dir,
                      strerror(errno));
        return STORE_EIO;
    }
    if (lrc != 0)
        return lrc;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        commitlog_segment *seg = commitlog_segment_alloc(st, names[i]);
        if (!seg) {
            rc = STORE_ENOMEM;
            break;
        }
        rc = commitlog_segment_map(st, seg, 0);
        if (rc == 0 && cl->nsegs) {
            commitlog_segment *prev = cl->segs[cl->nsegs - 1];
            if (prev->start + (int64_t)prev->size != seg->start) {
                store_set_err(st,
                              "commitlog: segment %s does not follow %s "
                              "(expected start %lld): a segment is missing "
                              "or has the wrong size; restore it from "
                              "backup",
                              seg->path, prev->path,
                              (long long)(prev->start + (int64_t)prev->size));
                rc = STORE_ECORRUPT;
            }
        }
        if (rc == 0)
            rc = commitlog_push(cl, seg);
        if (rc != 0)
            commitlog_segment_unref(seg);
    }
    free(names);
    if (rc != 0)
        return rc;
    int64_t first = cl->nsegs ? cl->segs[0]->start : 0;
    atomic_store(&cl->min_pos, first);
    atomic_store(&cl->write_pos, first);
    atomic_store(&cl->flushed_pos, first);
    return 0;
}

void commitlog_close(commitlog *cl, int unused)
{
    (void)unused;
    pthread_mutex_lock(&cl->segs_lock);
    for (size_t i = 0; i < cl->nsegs; i++)
        commitlog_segment_unref(cl->segs[i]);
    free(cl->segs);
    cl->segs = NULL;
    free(cl->scratch);
    cl->scratch = NULL;
    cl->scratch_cap = 0;
    cl->nsegs = cl->cap = 0;
    cl->cur = NULL;
    pthread_mutex_unlock(&cl->segs_lock);
}

/* ------------------------------------------------------------------ */
/* Records                                                             */
/* ------------------------------------------------------------------ */

int commitlog_record_size(const store *st, const store_append_req *req,
                          uint32_t *size, uint32_t *aux_len)
{
    uint64_t aux = 4 + 4;
    if (req->tag_hashes)
        aux += (uint64_t)req->count * 8;
    for (uint32_t i = 0; i < req->n_keys; i++) {
        if (req->keys[i].batch_index < 0 ||
            req->keys[i].batch_index >= req->count ||
            (req->keys[i].len && !req->keys[i].key))
            return STORE_EINVAL;
        aux += 6 + (uint64_t)req->keys[i].len;
    }
    uint64_t key_bytes = req->key ? req->key_len : 0;
    uint64_t total = COMMITLOG_HEADER_SIZE + req->queue->topic_len +
                     (uint64_t)req->properties_len + key_bytes +
                     req->body_len + aux;
    uint64_t limit = st->cfg.max_record_size;
    uint64_t seg_limit = st->cl.seg_size - COMMITLOG_BLANK_SIZE;
    if (seg_limit < limit)
        limit = seg_limit;
    if (total > limit || aux > UINT32_MAX)
        return STORE_EINVAL;
    *size = (uint32_t)total;
    *aux_len = (uint32_t)aux;
    return 0;
}

static uint8_t *commitlog_put_host(uint8_t *p, const store_host *h)
{
    memcpy(p, h->addr, 16);
    buf_put_u32be(p + 16, h->port);
    return p + 20;
}

static void commitlog_get_host(const uint8_t *p, store_host *h)
{
    memcpy(h->addr, p, 16);
    h->port = buf_get_u32be(p + 16);
}

/* Makes cl->scratch at least n bytes (append_lock).  Grows only, so after
 * the first appends of a given shape this path does not allocate. */
static int commitlog_scratch(store *st, size_t n)
{
    commitlog *cl = &st->cl;
    if (n <= cl->scratch_cap)
        return 0;
    size_t cap = cl->scratch_cap ? cl->scratch_cap : 4096;
    while (cap < n)
        cap *= 2;
    uint8_t *p = realloc(cl->scratch, cap);
    if (!p) {
        store_set_err(st, "commitlog: out of memory for a %zu-byte record",
                      n);
        return STORE_ENOMEM;
    }
    cl->scratch = p;
    cl->scratch_cap = cap;
    return 0;
}

/* pwritev at segment offset off; an error becomes STORE_EIO (STORE_EFULL
 * for a full disk) with a message naming the file. */
static int commitlog_write(store *st, commitlog_segment *seg, uint64_t off,
                           struct iovec *iov, int iovcnt)
{
    int e = store_pwritev_all(seg->fd, iov, iovcnt, (int64_t)off);
    if (e == 0)
        return 0;
    store_set_err(st, "commitlog: write %s at offset %llu: %s", seg->path,
                  (unsigned long long)off, strerror(-e));
    return e == -ENOSPC || e == -EDQUOT ? STORE_EFULL : STORE_EIO;
}

int commitlog_append(store *st, const store_append_req *req, uint32_t size,
                     uint32_t aux_len, int64_t queue_offset, int64_t store_ts,
                     int64_t *pos_out, const uint8_t **aux_out)
{
    commitlog *cl = &st->cl;
    int64_t pos = atomic_load_explicit(&cl->write_pos, memory_order_relaxed);
    commitlog_segment *seg = cl->cur;
    uint64_t off = seg ? (uint64_t)(pos - seg->start) : 0;
    if (!seg || off == seg->size ||
        (size != seg->size - off && size + COMMITLOG_BLANK_SIZE >
                                        seg->size - off)) {
        int64_t next;
        if (seg) {
            uint64_t remaining = seg->size - off;
            if (remaining >= COMMITLOG_BLANK_SIZE) {
                uint8_t blank[COMMITLOG_BLANK_SIZE];
                buf_put_u32be(blank, (uint32_t)remaining);
                buf_put_u32be(blank + 4, COMMITLOG_BLANK_MAGIC);
                struct iovec bv = {blank, sizeof(blank)};
                int rc = commitlog_write(st, seg, off, &bv, 1);
                if (rc != 0)
                    return rc;
            }
            next = seg->start + (int64_t)seg->size;
        } else {
            next = pos;
        }
        int rc = commitlog_segment_create(st, next);
        if (rc != 0)
            return rc;
        seg = cl->cur;
        pos = next;
        off = 0;
        /* Readers may look at the blank: publish the skip. */
        atomic_store_explicit(&cl->write_pos, pos, memory_order_release);
    }

    /* The fixed header on the stack, the aux section and the patched head
     * of the body in cl->scratch; everything else is written straight from
     * the caller's buffers. */
    uint16_t tl = req->queue->topic_len;
    uint32_t key_bytes = req->key ? req->key_len : 0;
    uint32_t head_len = 0;
    if (req->patch)
        head_len = req->patch_len && req->patch_len < req->body_len
                       ? req->patch_len
                       : req->body_len;
    int rc = commitlog_scratch(st, (size_t)aux_len + head_len);
    if (rc != 0)
        return rc;
    uint8_t *aux = cl->scratch;
    uint8_t *head = cl->scratch + aux_len;

    uint8_t r[COMMITLOG_HEADER_SIZE];
    buf_put_u32be(r + CL_OFF_TOTAL_SIZE, size);
    buf_put_u32be(r + CL_OFF_MAGIC, COMMITLOG_MAGIC);
    r[CL_OFF_KIND] = (uint8_t)req->kind;
    r[CL_OFF_RESERVED] = 0;
    buf_put_u16be(r + CL_OFF_TOPIC_LEN, tl);
    buf_put_u32be(r + CL_OFF_QUEUE_ID, (uint32_t)req->queue->queue_id);
    buf_put_u64be(r + CL_OFF_QUEUE_OFFSET, (uint64_t)queue_offset);
    buf_put_u32be(r + CL_OFF_COUNT, (uint32_t)req->count);
    buf_put_u32be(r + CL_OFF_FLAG, (uint32_t)req->flag);
    buf_put_u32be(r + CL_OFF_SYS_FLAG, (uint32_t)req->sys_flag);
    buf_put_u64be(r + CL_OFF_BORN_TS, (uint64_t)req->born_timestamp);
    buf_put_u64be(r + CL_OFF_STORE_TS, (uint64_t)store_ts);
    commitlog_put_host(r + CL_OFF_BORN_HOST, &req->born_host);
    commitlog_put_host(r + CL_OFF_STORE_HOST, &req->store_host);
    buf_put_u32be(r + CL_OFF_RECONSUME, (uint32_t)req->reconsume_times);
    buf_put_u64be(r + CL_OFF_PREPARED_TXN, (uint64_t)req->prepared_txn_offset);
    buf_put_u32be(r + CL_OFF_PROPS_LEN, req->properties_len);
    buf_put_u32be(r + CL_OFF_KEY_LEN,
                  req->key ? req->key_len : COMMITLOG_NULL_KEY_LEN);
    buf_put_u32be(r + CL_OFF_BODY_LEN, req->body_len);
    buf_put_u32be(r + CL_OFF_AUX_LEN, aux_len);

    uint8_t *p = aux;
    if (req->tag_hashes) {
        buf_put_u32be(p, (uint32_t)req->count);
        p += 4;
        for (int32_t i = 0; i < req->count; i++, p += 8)
            buf_put_u64be(p, (uint64_t)req->tag_hashes[i]);
    } else {
        buf_put_u32be(p, 0);
        p += 4;
    }
    buf_put_u32be(p, req->n_keys);
    p += 4;
    for (uint32_t i = 0; i < req->n_keys; i++) {
        const store_index_key *k = &req->keys[i];
        buf_put_u32be(p, (uint32_t)k->batch_index);
        buf_put_u16be(p + 4, k->len);
        if (k->len)
            memcpy(p + 6, k->key, k->len);
        p += 6 + k->len;
    }
    if ((uint32_t)(p - aux) != aux_len ||
        COMMITLOG_HEADER_SIZE + tl + (uint64_t)req->properties_len +
                key_bytes + req->body_len + aux_len !=
            size)
        return STORE_EINVAL; /* cannot happen: sizes computed above */
    if (head_len) {
        memcpy(head, req->body, head_len);
        req->patch(req->patch_arg, head, head_len, queue_offset, store_ts);
    }

    struct iovec iov[7] = {
        {r, COMMITLOG_HEADER_SIZE},
        {(void *)req->queue->topic, tl},
        {(void *)req->properties, req->properties_len},
        {(void *)req->key, key_bytes},
        {head, head_len},
        {req->body ? (void *)(req->body + head_len) : NULL,
         req->body_len - head_len},
        {aux, aux_len},
    };
    uint32_t crc = crc32c(0, r + CL_OFF_KIND,
                          COMMITLOG_HEADER_SIZE - CL_OFF_KIND);
    for (int i = 1; i < 7; i++)
        if (iov[i].iov_len)
            crc = crc32c(crc, iov[i].iov_base, iov[i].iov_len);
    buf_put_u32be(r + CL_OFF_CRC, crc);

    if (size <= cl->map_write_max) {
        /* small record: a memcpy beats a system call (see header) */
        uint8_t *d = seg->map + off;
        for (int i = 0; i < 7; i++) {
            if (iov[i].iov_len)
                memcpy(d, iov[i].iov_base, iov[i].iov_len);
            d += iov[i].iov_len;
        }
    } else {
        rc = commitlog_write(st, seg, off, iov, 7);
        if (rc != 0)
            return rc;
    }
    atomic_store_explicit(&seg->last_store_ts, store_ts,
                          memory_order_relaxed);
    *pos_out = pos;
    *aux_out = aux;
    return 0;
}

int commitlog_aux_parse(const uint8_t *aux, uint32_t aux_len,
                        uint32_t *n_tags, const uint8_t **tags,
                        uint32_t *n_keys, const uint8_t **keys)
{
    if (aux_len < 8)
        return -1;
    uint32_t nt = buf_get_u32be(aux);
    uint64_t off = 4 + (uint64_t)nt * 8;
    if (off + 4 > aux_len)
        return -1;
    uint32_t nk = buf_get_u32be(aux + off);
    *n_tags = nt;
    *tags = aux + 4;
    *n_keys = nk;
    *keys = aux + off + 4;
    off += 4;
    for (uint32_t i = 0; i < nk; i++) {
        if (off + 6 > aux_len)
            return -1;
        off += 6 + (uint64_t)buf_get_u16be(aux + off + 4);
        if (off > aux_len)
            return -1;
    }
    return off == aux_len ? 0 : -1;
}

static int commitlog_check_ex(const uint8_t *p, uint64_t avail,
                              uint32_t *size, int check_crc);

int commitlog_check(const uint8_t *p, uint64_t avail, uint32_t *size)
{
    return commitlog_check_ex(p, avail, size, 1);
}

static int commitlog_check_ex(const uint8_t *p, uint64_t avail,
                              uint32_t *size, int check_crc)
{
    if (avail == 0)
        return COMMITLOG_SCAN_BLANK;
    if (avail < COMMITLOG_BLANK_SIZE)
        return COMMITLOG_SCAN_BAD;
    uint32_t total = buf_get_u32be(p + CL_OFF_TOTAL_SIZE);
    uint32_t magic = buf_get_u32be(p + CL_OFF_MAGIC);
    if (magic == COMMITLOG_BLANK_MAGIC)
        return total == avail ? COMMITLOG_SCAN_BLANK : COMMITLOG_SCAN_BAD;
    if (magic != COMMITLOG_MAGIC || total < COMMITLOG_HEADER_SIZE ||
        total > avail)
        return COMMITLOG_SCAN_BAD;
    uint8_t kind = p[CL_OFF_KIND];
    uint16_t tl = buf_get_u16be(p + CL_OFF_TOPIC_LEN);
    int32_t count = (int32_t)buf_get_u32be(p + CL_OFF_COUNT);
    uint32_t kl = buf_get_u32be(p + CL_OFF_KEY_LEN);
    uint64_t sum = COMMITLOG_HEADER_SIZE + (uint64_t)tl +
                   buf_get_u32be(p + CL_OFF_PROPS_LEN) +
                   (kl == COMMITLOG_NULL_KEY_LEN ? 0 : (uint64_t)kl) +
                   buf_get_u32be(p + CL_OFF_BODY_LEN) +
                   buf_get_u32be(p + CL_OFF_AUX_LEN);
    if (sum != total || (kind != STORE_KIND_MESSAGE &&
                         kind != STORE_KIND_BATCH) ||
        tl == 0 || count < 1)
        return COMMITLOG_SCAN_BAD;
    uint32_t aux_len = buf_get_u32be(p + CL_OFF_AUX_LEN);
    const uint8_t *aux = p + total - aux_len;
    uint32_t nt, nk;
    const uint8_t *tags, *keys;
    if (commitlog_aux_parse(aux, aux_len, &nt, &tags, &nk, &keys) != 0)
        return COMMITLOG_SCAN_BAD;
    if (nt != 0 && nt != (uint32_t)count)
        return COMMITLOG_SCAN_BAD;
    for (uint32_t i = 0; i < nk; i++) {
        int32_t bi = (int32_t)buf_get_u32be(keys);
        if (bi < 0 || bi >= count)
            return COMMITLOG_SCAN_BAD;
        keys += 6 + buf_get_u16be(keys + 4);
    }
    if (check_crc && crc32c(0, p + CL_OFF_KIND, total - 12) !=
                         buf_get_u32be(p + CL_OFF_CRC))
        return COMMITLOG_SCAN_BAD;
    *size = total;
    return COMMITLOG_SCAN_RECORD;
}

void commitlog_decode(const uint8_t *p, uint32_t size, int64_t pos,
                      store_record *rec)
{
    memset(rec, 0, sizeof(*rec));
    rec->kind = p[CL_OFF_KIND];
    rec->topic_len = buf_get_u16be(p + CL_OFF_TOPIC_LEN);
    rec->topic = (const char *)(p + CL_OFF_TOPIC);
    rec->queue_id = (int32_t)buf_get_u32be(p + CL_OFF_QUEUE_ID);
    rec->queue_offset = (int64_t)buf_get_u64be(p + CL_OFF_QUEUE_OFFSET);
    rec->count = (int32_t)buf_get_u32be(p + CL_OFF_COUNT);
    rec->flag = (int32_t)buf_get_u32be(p + CL_OFF_FLAG);
    rec->sys_flag = (int32_t)buf_get_u32be(p + CL_OFF_SYS_FLAG);
    rec->born_timestamp = (int64_t)buf_get_u64be(p + CL_OFF_BORN_TS);
    rec->store_timestamp = (int64_t)buf_get_u64be(p + CL_OFF_STORE_TS);
    commitlog_get_host(p + CL_OFF_BORN_HOST, &rec->born_host);
    commitlog_get_host(p + CL_OFF_STORE_HOST, &rec->store_host);
    rec->reconsume_times = (int32_t)buf_get_u32be(p + CL_OFF_RECONSUME);
    rec->prepared_txn_offset =
        (int64_t)buf_get_u64be(p + CL_OFF_PREPARED_TXN);
    const uint8_t *q = p + CL_OFF_TOPIC + rec->topic_len;
    rec->properties_len = buf_get_u32be(p + CL_OFF_PROPS_LEN);
    rec->properties = q;
    q += rec->properties_len;
    uint32_t kl = buf_get_u32be(p + CL_OFF_KEY_LEN);
    if (kl == COMMITLOG_NULL_KEY_LEN) {
        rec->key = NULL;
        rec->key_len = 0;
    } else {
        rec->key = q;
        rec->key_len = kl;
        q += kl;
    }
    rec->body_len = buf_get_u32be(p + CL_OFF_BODY_LEN);
    rec->body = q;
    rec->raw = p;
    rec->raw_len = size;
    rec->commitlog_pos = pos;
}

/* ------------------------------------------------------------------ */
/* Public reads                                                        */
/* ------------------------------------------------------------------ */

int store_read_record(store *st, int64_t commitlog_pos, store_record *rec)
{
    return store_read_record_ex(st, commitlog_pos, rec, 0);
}

int store_read_record_ex(store *st, int64_t commitlog_pos, store_record *rec,
                         int flags)
{
    commitlog *cl = &st->cl;
    int64_t end = atomic_load_explicit(&cl->write_pos, memory_order_acquire);
    if (commitlog_pos < atomic_load_explicit(&cl->min_pos,
                                             memory_order_relaxed) ||
        commitlog_pos >= end)
        return STORE_ENOENT;
    commitlog_segment *seg = commitlog_segment_find(cl, commitlog_pos);
    if (!seg)
        return STORE_ENOENT;
    uint64_t off = (uint64_t)(commitlog_pos - seg->start);
    uint64_t avail = seg->size - off;
    if ((uint64_t)(end - seg->start) < seg->size)
        avail = (uint64_t)(end - commitlog_pos);
    uint32_t size = 0;
    int k = commitlog_check_ex(seg->map + off, avail, &size,
                               !(flags & STORE_READ_NO_CRC));
    if (k != COMMITLOG_SCAN_RECORD) {
        if (k == COMMITLOG_SCAN_BAD)
            store_set_err(st,
                          "commitlog: invalid record in %s at offset %llu "
                          "(position %lld)",
                          seg->path, (unsigned long long)off,
                          (long long)commitlog_pos);
        commitlog_segment_unref(seg);
        return k == COMMITLOG_SCAN_BAD ? STORE_ECORRUPT : STORE_ENOENT;
    }
    commitlog_decode(seg->map + off, size, commitlog_pos, rec);
    rec->seg_ref = seg;
    return 0;
}

void store_record_release(store *st, store_record *rec)
{
    (void)st;
    if (rec && rec->seg_ref) {
        commitlog_segment_unref(rec->seg_ref);
        rec->seg_ref = NULL;
    }
}

int64_t store_record_tag_hash(const store_record *rec, int32_t batch_index)
{
    if (!rec->raw || batch_index < 0 || batch_index >= rec->count)
        return 0;
    uint32_t aux_len = buf_get_u32be(rec->raw + CL_OFF_AUX_LEN);
    const uint8_t *aux = rec->raw + rec->raw_len - aux_len;
    uint32_t nt, nk;
    const uint8_t *tags, *keys;
    if (commitlog_aux_parse(aux, aux_len, &nt, &tags, &nk, &keys) != 0 ||
        (uint32_t)batch_index >= nt)
        return 0;
    return (int64_t)buf_get_u64be(tags + (size_t)batch_index * 8);
}

/* ------------------------------------------------------------------ */
/* Flushing                                                            */
/* ------------------------------------------------------------------ */

/* Makes [flushed_pos, pos) durable: fdatasync of every segment the range
 * touches; it writes back page-cache pages dirtied by pwritev and by
 * memcpy into the mapping alike (msync(MS_SYNC) is the same fsync of the
 * range on Linux; fdatasync needs no page-aligned address).  fdatasync,
 * not sync_file_range: the segments are fallocated, and only fdatasync
 * commits the unwritten->written extent conversion to the journal.  Called
 * by the flush thread and store_flush_all; serialized by the caller's
 * fullflush/flush locks (cl->flushed_pos only moves forward). */
/* Resident trim: pages of the mapping stay mapped into the broker once a
 * small record was memcpy'd into them or a reader faulted them in, so the
 * broker's RSS grew with every byte produced or fetched (4.4 GB after the
 * issue #7 comparison's 1,000-partition runs).  Page cache is page cache
 * either way, but RSS is what operators watch and what the OOM killer
 * ranks by.  After a flush, at most once a second, the flush thread drops
 * the page-table entries of everything older than the last
 * COMMITLOG_RESIDENT_KEEP bytes before the flushed position
 * (MADV_DONTNEED on a shared file mapping: the page cache keeps the pages,
 * dirty state included; a later read takes a minor fault).  Only flushed
 * bytes are trimmed, so the writer, which is always past them, never
 * faults on a trimmed page. */
#define COMMITLOG_RESIDENT_KEEP (64ll << 20)
#define COMMITLOG_TRIM_EVERY_MS 1000

static void commitlog_trim_resident(store *st, int64_t flushed)
{
    commitlog *cl = &st->cl;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    long long last = atomic_load(&cl->trimmed_ms);
    if (now - last < COMMITLOG_TRIM_EVERY_MS ||
        !atomic_compare_exchange_strong(&cl->trimmed_ms, &last, now))
        return; /* recent, or another flusher trims */
    long page = sysconf(_SC_PAGESIZE);
    int64_t end = flushed - COMMITLOG_RESIDENT_KEEP;
    int64_t from = atomic_load(&cl->min_pos);
    while (page > 0 && from < end) {
        commitlog_segment *seg = commitlog_segment_find(cl, from);
        if (!seg)
            break;
        int64_t seg_end = seg->start + (int64_t)seg->size;
        int64_t stop = end < seg_end ? end : seg_end;
        uint64_t a = (uint64_t)(from - seg->start) & ~(uint64_t)(page - 1);
        uint64_t b = (uint64_t)(stop - seg->start) & ~(uint64_t)(page - 1);
        if (b > a)
            (void)madvise(seg->map + a, b - a, MADV_DONTNEED);
        from = seg_end;
        commitlog_segment_unref(seg);
    }
}

int commitlog_flush(store *st, int64_t pos)
{
    commitlog *cl = &st->cl;
    int64_t from = atomic_load(&cl->flushed_pos);
    int64_t minp = atomic_load(&cl->min_pos);
    if (from < minp)
        from = minp;
    int rc = 0;
    while (from < pos) {
        commitlog_segment *seg = commitlog_segment_find(cl, from);
        if (!seg)
            break;
        uint64_t end = (uint64_t)(pos - seg->start);
        if (end > seg->size)
            end = seg->size;
        if (fdatasync(seg->fd) != 0) {
            store_set_err(st, "commitlog: fdatasync %s: %s", seg->path,
                          strerror(errno));
            rc = STORE_EIO;
        }
        from = seg->start + (int64_t)end;
        commitlog_segment_unref(seg);
        if (rc)
            return rc;
    }
    long long cur = atomic_load(&cl->flushed_pos);
    while (cur < pos &&
           !atomic_compare_exchange_weak(&cl->flushed_pos, &cur, pos))
        ;
    commitlog_trim_resident(st, pos);
    return 0;
}

int64_t store_flushed_pos(store *st)
{
    return atomic_load_explicit(&st->cl.flushed_pos, memory_order_acquire);
}

int64_t store_commitlog_min_pos(store *st)
{
    return atomic_load_explicit(&st->cl.min_pos, memory_order_acquire);
}

int64_t store_commitlog_max_pos(store *st)
{
    return atomic_load_explicit(&st->cl.write_pos, memory_order_acquire);
}
