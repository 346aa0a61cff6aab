/*
 * offsets.c - committed consumer offsets in memory, logged to
 * config/offsets.log.
 *
 * Log record (big-endian):
 *   off size field
 *     0    4 len       bytes after this field
 *     4    4 crc32c    of bytes [8, 4 + len)
 *     8    1 type      1 COMMIT, 2 DELETE_GROUP, 3 DELETE_TOPIC
 *     9    2 glen      then group bytes        (types 1, 2)
 *     .    2 tlen      then topic bytes        (types 1, 3)
 *     .    4 queue                             (type 1)
 *     .    8 offset                            (type 1)
 *     .    4 leader_epoch                      (type 1)
 *     .    8 commit_ms                         (type 1)
 *     .    2 mlen      then metadata bytes     (type 1)
 *
 * At open the log is replayed; a record that is short or fails its CRC
 * ends the replay (a torn tail: the write that was not acknowledged), and
 * the live entries are rewritten compactly into a new log (temp file,
 * fsync, rename), so the log never grows past one generation of churn
 * between restarts.
 */
#include "offsets.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "crc32c.h"
#include "log.h"

#define OFF_COMMIT       1
#define OFF_DELETE_GROUP 2
#define OFF_DELETE_TOPIC 3

typedef struct offset_slot {
    offset_entry e;
    char *key; /* group \0 topic \0 queue-as-text */
    size_t klen;
} offset_slot;

struct offset_store {
    char *path;
    int fd;
    int sync_writes;
    offset_slot *items;
    size_t n, cap;
    int32_t *index; /* hash -> item index, -1 empty */
    size_t nindex;
    buf_writer pending;
};

static uint64_t off_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

static size_t off_make_key(char *buf, size_t cap, const char *g, size_t gl,
                           const char *t, size_t tl, int32_t q)
{
    if (gl + tl + 16 > cap)
        return 0;
    memcpy(buf, g, gl);
    buf[gl] = '\0';
    memcpy(buf + gl + 1, t, tl);
    buf[gl + 1 + tl] = '\0';
    int n = snprintf(buf + gl + tl + 2, cap - gl - tl - 2, "%d", q);
    return gl + tl + 2 + (size_t)n;
}

static int off_reindex(offset_store *os)
{
    size_t ni = 64;
    while (ni < os->n * 2 + 2)
        ni *= 2;
    int32_t *idx = malloc(ni * sizeof *idx);
    if (!idx)
        return -1;
    for (size_t i = 0; i < ni; i++)
        idx[i] = -1;
    for (size_t i = 0; i < os->n; i++) {
        size_t h = off_hash(os->items[i].key, os->items[i].klen) & (ni - 1);
        while (idx[h] >= 0)
            h = (h + 1) & (ni - 1);
        idx[h] = (int32_t)i;
    }
    free(os->index);
    os->index = idx;
    os->nindex = ni;
    return 0;
}

static offset_slot *off_find(offset_store *os, const char *key, size_t klen)
{
    if (!os->nindex)
        return NULL;
    size_t h = off_hash(key, klen) & (os->nindex - 1);
    while (os->index[h] >= 0) {
        offset_slot *s = &os->items[os->index[h]];
        if (s->klen == klen && memcmp(s->key, key, klen) == 0)
            return s;
        h = (h + 1) & (os->nindex - 1);
    }
    return NULL;
}

static void off_slot_free(offset_slot *s)
{
    free(s->key);
    free((char *)s->e.metadata);
}

/* Sets an entry in memory (no log). */
static int off_set(offset_store *os, const char *g, size_t gl, const char *t,
                   size_t tl, int32_t q, int64_t offset, int32_t epoch,
                   const char *m, size_t ml, int64_t ts)
{
    char kbuf[1024];
    size_t klen = off_make_key(kbuf, sizeof kbuf, g, gl, t, tl, q);
    if (!klen)
        return -1;
    char *meta = malloc(ml + 1);
    if (!meta)
        return -1;
    memcpy(meta, m, ml);
    meta[ml] = '\0';
    offset_slot *s = off_find(os, kbuf, klen);
    if (!s) {
        if (os->n == os->cap) {
            size_t nc = os->cap ? os->cap * 2 : 64;
            offset_slot *ni = realloc(os->items, nc * sizeof *ni);
            if (!ni) {
                free(meta);
                return -1;
            }
            os->items = ni;
            os->cap = nc;
        }
        s = &os->items[os->n++];
        memset(s, 0, sizeof *s);
        s->key = malloc(klen);
        if (!s->key) {
            os->n--;
            free(meta);
            return -1;
        }
        memcpy(s->key, kbuf, klen);
        s->klen = klen;
        s->e.group = s->key;
        s->e.topic = s->key + gl + 1;
        s->e.queue = q;
        if (os->n * 2 > os->nindex) {
            if (off_reindex(os) != 0)
                return -1;
        } else {
            size_t h = off_hash(kbuf, klen) & (os->nindex - 1);
            while (os->index[h] >= 0)
                h = (h + 1) & (os->nindex - 1);
            os->index[h] = (int32_t)(os->n - 1);
        }
    } else {
        free((char *)s->e.metadata);
    }
    s->e.offset = offset;
    s->e.leader_epoch = epoch;
    s->e.commit_ms = ts;
    s->e.metadata = meta;
    return 0;
}

/* Removes entries matching group (or topic); returns count. */
static int off_remove(offset_store *os, const char *g, size_t gl,
                      const char *t, size_t tl)
{
    int n = 0;
    for (size_t i = 0; i < os->n;) {
        offset_slot *s = &os->items[i];
        int match = g ? (strlen(s->e.group) == gl &&
                         memcmp(s->e.group, g, gl) == 0)
                      : (strlen(s->e.topic) == tl &&
                         memcmp(s->e.topic, t, tl) == 0);
        if (match) {
            off_slot_free(s);
            os->items[i] = os->items[--os->n];
            n++;
        } else {
            i++;
        }
    }
    /* pointers into keys are stable (heap); only the index moves */
    for (size_t i = 0; i < os->n; i++) {
        offset_slot *s = &os->items[i];
        s->e.group = s->key;
        s->e.topic = s->key + strlen(s->key) + 1;
    }
    if (n)
        off_reindex(os);
    return n;
}

/* Appends one encoded record to w. */
static void off_encode(buf_writer *w, int type, const char *g, size_t gl,
                       const char *t, size_t tl, int32_t q, int64_t offset,
                       int32_t epoch, int64_t ts, const char *m, size_t ml)
{
    size_t at = buf_reserve_i32(w);
    size_t crc_at = buf_reserve_i32(w);
    size_t start = w->len;
    buf_write_i8(w, (int8_t)type);
    if (type != OFF_DELETE_TOPIC) {
        buf_write_i16(w, (int16_t)gl);
        buf_write_raw(w, g, gl);
    }
    if (type != OFF_DELETE_GROUP) {
        buf_write_i16(w, (int16_t)tl);
        buf_write_raw(w, t, tl);
    }
    if (type == OFF_COMMIT) {
        buf_write_i32(w, q);
        buf_write_i64(w, offset);
        buf_write_i32(w, epoch);
        buf_write_i64(w, ts);
        buf_write_i16(w, (int16_t)ml);
        buf_write_raw(w, m, ml);
    }
    if (w->err)
        return;
    buf_patch_i32(w, at, (int32_t)(w->len - at - 4));
    buf_patch_i32(w, crc_at, (int32_t)crc32c(0, w->p + start, w->len - start));
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void off_replay(offset_store *os, const uint8_t *p, size_t len)
{
    size_t off = 0;
    while (off + 8 <= len) {
        uint32_t rl = buf_get_u32be(p + off);
        if (rl < 5 || rl > len - off - 4)
            break;
        uint32_t crc = buf_get_u32be(p + off + 4);
        if (crc32c(0, p + off + 8, rl - 4) != crc)
            break;
        buf_reader r;
        buf_reader_init(&r, p + off + 8, rl - 4);
        int type = buf_read_i8(&r);
        buf_view g = {0}, t = {0}, m = {0};
        int32_t q = 0, epoch = -1;
        int64_t offset = 0, ts = 0;
        if (type != OFF_DELETE_TOPIC)
            g = buf_read_raw(&r, (uint16_t)buf_read_i16(&r));
        if (type != OFF_DELETE_GROUP)
            t = buf_read_raw(&r, (uint16_t)buf_read_i16(&r));
        if (type == OFF_COMMIT) {
            q = buf_read_i32(&r);
            offset = buf_read_i64(&r);
            epoch = buf_read_i32(&r);
            ts = buf_read_i64(&r);
            m = buf_read_raw(&r, (uint16_t)buf_read_i16(&r));
        }
        if (r.err)
            break;
        if (type == OFF_COMMIT)
            off_set(os, (const char *)g.ptr, g.len, (const char *)t.ptr,
                    t.len, q, offset, epoch, (const char *)m.ptr, m.len, ts);
        else if (type == OFF_DELETE_GROUP)
            off_remove(os, (const char *)g.ptr, g.len, NULL, 0);
        else if (type == OFF_DELETE_TOPIC)
            off_remove(os, NULL, 0, (const char *)t.ptr, t.len);
        off += 4 + rl;
    }
    if (off < len)
        log_warn("offsets", NULL,
                 "%s: dropped %zu bytes of torn or damaged tail at %zu",
                 os->path, len - off, off);
}

/* Rewrites the live entries into a fresh log and reopens it for append. */
static int off_compact(offset_store *os)
{
    buf_writer w;
    buf_writer_init(&w, 4096, 0);
    for (size_t i = 0; i < os->n; i++) {
        const offset_entry *e = &os->items[i].e;
        off_encode(&w, OFF_COMMIT, e->group, strlen(e->group), e->topic,
                   strlen(e->topic), e->queue, e->offset, e->leader_epoch,
                   e->commit_ms, e->metadata, strlen(e->metadata));
    }
    size_t pl = strlen(os->path);
    char *tmp = malloc(pl + 5);
    int rc = -1;
    if (tmp && !w.err) {
        memcpy(tmp, os->path, pl);
        memcpy(tmp + pl, ".tmp", 5);
        int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) {
            if (write_all(fd, w.p, w.len) == 0 && fsync(fd) == 0 &&
                rename(tmp, os->path) == 0)
                rc = 0;
            close(fd);
        }
    }
    free(tmp);
    buf_writer_release(&w);
    if (rc != 0)
        return -1;
    os->fd = open(os->path, O_WRONLY | O_APPEND);
    return os->fd >= 0 ? 0 : -1;
}

offset_store *offsets_open(const char *dir, int sync_writes, char *err,
                           size_t errlen)
{
    offset_store *os = calloc(1, sizeof *os);
    if (!os) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    os->fd = -1;
    os->sync_writes = sync_writes;
    size_t dl = strlen(dir);
    os->path = malloc(dl + 32);
    if (!os->path) {
        free(os);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    snprintf(os->path, dl + 32, "%s/config", dir);
    mkdir(os->path, 0755);
    snprintf(os->path, dl + 32, "%s/config/offsets.log", dir);
    buf_writer_init(&os->pending, 4096, 0);
    off_reindex(os);
    int fd = open(os->path, O_RDONLY);
    if (fd >= 0) {
        struct stat stt;
        if (fstat(fd, &stt) == 0 && stt.st_size > 0) {
            uint8_t *p = malloc((size_t)stt.st_size);
            ssize_t got = p ? read(fd, p, (size_t)stt.st_size) : -1;
            if (got > 0)
                off_replay(os, p, (size_t)got);
            free(p);
        }
        close(fd);
    }
    if (off_compact(os) != 0) {
        snprintf(err, errlen, "cannot write %s: %s", os->path,
                 strerror(errno));
        offsets_close(os);
        return NULL;
    }
    log_info("offsets", NULL, "loaded %zu committed offsets from %s", os->n,
             os->path);
    return os;
}

void offsets_close(offset_store *os)
{
    if (!os)
        return;
    offsets_sync(os);
    if (os->fd >= 0)
        close(os->fd);
    for (size_t i = 0; i < os->n; i++)
        off_slot_free(&os->items[i]);
    free(os->items);
    free(os->index);
    free(os->path);
    buf_writer_release(&os->pending);
    free(os);
}

int offsets_commit(offset_store *os, const char *group, size_t glen,
                   const char *topic, size_t tlen, int32_t queue,
                   int64_t offset, int32_t leader_epoch, const char *meta,
                   size_t mlen, int64_t now_ms)
{
    if (glen > 255 || tlen > 255 || mlen > 32767 || !glen ||
        memchr(group, 0, glen) || memchr(topic, 0, tlen))
        return -1;
    if (off_set(os, group, glen, topic, tlen, queue, offset, leader_epoch,
                meta, mlen, now_ms) != 0)
        return -1;
    off_encode(&os->pending, OFF_COMMIT, group, glen, topic, tlen, queue,
               offset, leader_epoch, now_ms, meta, mlen);
    return os->pending.err ? -1 : 0;
}

int offsets_sync(offset_store *os)
{
    if (!os->pending.len || os->fd < 0)
        return 0;
    int rc = write_all(os->fd, os->pending.p, os->pending.len);
    if (rc == 0 && os->sync_writes)
        rc = fdatasync(os->fd);
    if (rc != 0)
        log_error("offsets", NULL, "cannot write %s: %s", os->path,
                  strerror(errno));
    os->pending.len = 0;
    os->pending.err = 0;
    return rc;
}

const offset_entry *offsets_get(offset_store *os, const char *group,
                                size_t glen, const char *topic, size_t tlen,
                                int32_t queue)
{
    char kbuf[1024];
    size_t klen =
        off_make_key(kbuf, sizeof kbuf, group, glen, topic, tlen, queue);
    if (!klen)
        return NULL;
    offset_slot *s = off_find(os, kbuf, klen);
    return s ? &s->e : NULL;
}

void offsets_foreach(offset_store *os, const char *group, size_t glen,
                     void (*cb)(void *arg, const offset_entry *e), void *arg)
{
    for (size_t i = 0; i < os->n; i++) {
        const offset_entry *e = &os->items[i].e;
        if (group &&
            !(strlen(e->group) == glen && memcmp(e->group, group, glen) == 0))
            continue;
        cb(arg, e);
    }
}

int offsets_group_exists(offset_store *os, const char *group, size_t glen)
{
    for (size_t i = 0; i < os->n; i++) {
        const offset_entry *e = &os->items[i].e;
        if (strlen(e->group) == glen && memcmp(e->group, group, glen) == 0)
            return 1;
    }
    return 0;
}

int offsets_delete_group(offset_store *os, const char *group, size_t glen)
{
    int n = off_remove(os, group, glen, NULL, 0);
    off_encode(&os->pending, OFF_DELETE_GROUP, group, glen, NULL, 0, 0, 0, 0,
               0, NULL, 0);
    offsets_sync(os);
    return n;
}

int offsets_delete_topic(offset_store *os, const char *topic, size_t tlen)
{
    int n = off_remove(os, NULL, 0, topic, tlen);
    off_encode(&os->pending, OFF_DELETE_TOPIC, NULL, 0, topic, tlen, 0, 0, 0,
               0, NULL, 0);
    offsets_sync(os);
    return n;
}
