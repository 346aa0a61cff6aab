/*
 * indexfile.c - hash index from "topic#key" to CommitLog positions, for
 * query-by-key (RocketMQ's IndexFile shape, our own hash).
 *
 * Files: <dir>/index/<20-digit creation time ms> (a later file created in
 * the same millisecond takes the next number).  A full file is followed by a
 * new one; lookups walk files newest first.
 *
 *   off                       size  field
 *     0                          8  begin_ts     store time of first entry
 *     8                          8  end_ts       store time of last entry
 *    16                          8  begin_pos    position of first record
 *    24                          8  end_pos      end (pos + size) of the last
 *                                                record whose keys are in
 *    32                          4  slot_count   S
 *    36                          4  entry_count  next entry number (from 1)
 *    40                      S x 4  slots        newest entry number, 0 = empty
 *    40 + 4S                 E x 20 entries      (entry 0 unused)
 *
 *   entry:  0 i32 key_hash   4 i64 commitlog_pos   12 i32 time_diff_s
 *           (store ts - begin_ts, seconds)   16 i32 prev (older entry in
 *           the same slot, 0 = end of chain)
 *
 * All integers big-endian.  key_hash = crc32c("topic" "#" "key");
 * slot = key_hash % S.  File size = 40 + 4S + 20E with S = cfg->index_slots,
 * E = cfg->index_entries (a file keeps the sizes it was made with).
 *
 * Indexed: every aux key of every record.  A lookup keeps chain entries with
 * the same hash whose coarse time is within the window (+- 1 s, the entry
 * time has second resolution), then verifies each candidate by reading the
 * record: same topic, exact store time in the window, the key in its aux
 * list.  So hash collisions and stale entries (after a crash) are dropped,
 * and positions are de-duplicated (re-dispatch after a crash may add a key
 * twice).
 *
 * Robustness: chain walks only follow prev < current and entry numbers
 * below entry_count and capacity, so a damaged file cannot loop or read out
 * of bounds.  Files are written under st->append_lock and read under
 * ix->lock (both writers and readers take ix->lock).
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
#include <unistd.h>


#define IX_HEADER 40u
#define IX_ENTRY  20u

enum {
    IX_BEGIN_TS = 0,
    IX_END_TS = 8,
    IX_BEGIN_POS = 16,
    IX_END_POS = 24,
    IX_SLOTS = 32,
    IX_COUNT = 36,
};

uint32_t indexfile_key_hash(const char *topic, size_t topic_len,
                            const uint8_t *key, size_t key_len)
{
    uint32_t h = crc32c(0, topic, topic_len);
    h = crc32c(h, "#", 1);
    return crc32c(h, key, key_len);
}

static int64_t ix_get64(const indexfile *f, size_t off)
{
    return (int64_t)buf_get_u64be(f->map + off);
}

static uint32_t ix_get32(const indexfile *f, size_t off)
{
    return buf_get_u32be(f->map + off);
}

static size_t ix_entry_off(const indexfile *f, uint32_t n)
{
    return IX_HEADER + (size_t)f->slots * 4 + (size_t)n * IX_ENTRY;
}

static void indexfile_free(indexfile *f, int unlink_it)
{
    if (!f)
        return;
    if (f->map)
        munmap(f->map, f->map_len);
    if (f->fd >= 0)
        close(f->fd);
    if (unlink_it)
        unlink(f->path);
    free(f);
}

/* Maps an index file; create=1 sizes and initialises a new one. */
static indexfile *indexfile_map(store *st, int64_t name_ms, int create)
{
    indexfile_set *ix = &st->ix;
    indexfile *f = calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    f->fd = -1;
    f->name_ms = name_ms;
    snprintf(f->path, sizeof(f->path), "%s/%020lld", ix->dir,
             (long long)name_ms);
    f->fd = open(f->path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0644);
    if (f->fd < 0)
        goto fail;
    uint64_t want = IX_HEADER + (uint64_t)ix->cfg_slots * 4 +
                    (uint64_t)ix->cfg_entries * IX_ENTRY;
    struct stat sb;
    if (fstat(f->fd, &sb) != 0)
        goto fail;
    if (create) {
        if (ftruncate(f->fd, (off_t)want) != 0)
            goto fail;
        sb.st_size = (off_t)want;
    }
    if ((uint64_t)sb.st_size < IX_HEADER + 4 + IX_ENTRY * 2) {
        errno = EINVAL;
        goto fail;
    }
    f->map_len = (size_t)sb.st_size;
    void *m = mmap(NULL, f->map_len, PROT_READ | PROT_WRITE, MAP_SHARED,
                   f->fd, 0);
    if (m == MAP_FAILED)
        goto fail;
    /* Hash slots and entries are touched at random: no read-around on
     * faults (with a large read_ahead_kb every first touch of a slot page
     * zero-filled megabytes of the sparse file around it). */
    (void)madvise(m, f->map_len, MADV_RANDOM);
    f->map = m;
    uint32_t slots = ix_get32(f, IX_SLOTS);
    if (create || slots == 0) {
        /* New, or created but never initialised before a crash. */
        if ((uint64_t)sb.st_size != want) {
            errno = EINVAL;
            goto fail;
        }
        memset(f->map, 0, IX_HEADER);
        buf_put_u32be(f->map + IX_SLOTS, ix->cfg_slots);
        buf_put_u32be(f->map + IX_COUNT, 1);
        slots = ix->cfg_slots;
        f->dirty = 1;
    }
    uint64_t slot_bytes = IX_HEADER + (uint64_t)slots * 4;
    if (slot_bytes + IX_ENTRY * 2 > f->map_len) {
        errno = EINVAL;
        goto fail;
    }
    f->slots = slots;
    f->entries = (uint32_t)((f->map_len - slot_bytes) / IX_ENTRY);
    uint32_t count = ix_get32(f, IX_COUNT);
    if (count == 0 || count > f->entries)
        buf_put_u32be(f->map + IX_COUNT, count == 0 ? 1 : f->entries);
    return f;
fail:
    store_set_err(st, "index: %s: %s", f->path, strerror(errno));
    indexfile_free(f, create);
    return NULL;
}

static int indexfile_push(indexfile_set *ix, indexfile *f)
{
    if (ix->nfiles == ix->cap) {
        size_t ncap = ix->cap ? ix->cap * 2 : 8;
        indexfile **n = realloc(ix->files, ncap * sizeof(*n));
        if (!n)
            return STORE_ENOMEM;
        ix->files = n;
        ix->cap = ncap;
    }
    ix->files[ix->nfiles++] = f;
    return 0;
}

int indexfile_open_all(store *st)
{
    indexfile_set *ix = &st->ix;
    snprintf(ix->dir, sizeof(ix->dir), "%s/index", st->dir);
    ix->cfg_slots = st->cfg.index_slots ? st->cfg.index_slots : 1;
    ix->cfg_entries = st->cfg.index_entries < 2 ? 2 : st->cfg.index_entries;
    if (store_mkdirs(ix->dir) != 0) {
        store_set_err(st, "index: mkdir %s: %s", ix->dir, strerror(errno));
        return STORE_EIO;
    }
    int64_t *names;
    size_t n;
    int lrc = store_list_names20(ix->dir, &names, &n);
    if (lrc != 0)
        return lrc;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        indexfile *f = indexfile_map(st, names[i], 0);
        if (!f) {
            /* An unusable index file only costs lookups: drop it. */
            char path[STORE_PATH_MAX];
            snprintf(path, sizeof(path), "%s/%020lld", ix->dir,
                     (long long)names[i]);
            unlink(path);
            continue;
        }
        rc = indexfile_push(ix, f);
        if (rc)
            indexfile_free(f, 0);
    }
    free(names);
    return rc;
}

void indexfile_close_all(store *st)
{
    indexfile_set *ix = &st->ix;
    for (size_t i = 0; i < ix->nfiles; i++)
        indexfile_free(ix->files[i], 0);
    free(ix->files);
    ix->files = NULL;
    ix->nfiles = ix->cap = 0;
}

int64_t indexfile_end_pos(store *st)
{
    indexfile_set *ix = &st->ix;
    pthread_mutex_lock(&ix->lock);
    int64_t end =
        ix->nfiles ? ix_get64(ix->files[ix->nfiles - 1], IX_END_POS) : 0;
    pthread_mutex_unlock(&ix->lock);
    return end;
}

/* The newest file with room for one more entry (new file if needed). */
static indexfile *indexfile_writable(store *st)
{
    indexfile_set *ix = &st->ix;
    if (ix->nfiles) {
        indexfile *f = ix->files[ix->nfiles - 1];
        if (ix_get32(f, IX_COUNT) < f->entries)
            return f;
    }
    int64_t name = store_now_ms();
    if (ix->nfiles && name <= ix->files[ix->nfiles - 1]->name_ms)
        name = ix->files[ix->nfiles - 1]->name_ms + 1;
    indexfile *f = indexfile_map(st, name, 1);
    if (!f)
        return NULL;
    if (indexfile_push(ix, f) != 0) {
        indexfile_free(f, 1);
        return NULL;
    }
    return f;
}

int indexfile_add_record(store *st, const char *topic, size_t topic_len,
                         const uint8_t *keys, uint32_t n_keys, int64_t pos,
                         uint32_t size, int64_t store_ts)
{
    if (n_keys == 0)
        return 0;
    indexfile_set *ix = &st->ix;
    int rc = 0;
    pthread_mutex_lock(&ix->lock);
    const uint8_t *k = keys;
    indexfile *f = NULL;
    for (uint32_t i = 0; i < n_keys; i++) {
        uint16_t len = buf_get_u16be(k + 4);
        const uint8_t *key = k + 6;
        k += 6 + len;
        f = indexfile_writable(st);
        if (!f) {
            rc = STORE_EIO;
            break;
        }
        uint32_t n = ix_get32(f, IX_COUNT);
        if (n == 1) {
            buf_put_u64be(f->map + IX_BEGIN_TS, (uint64_t)store_ts);
            buf_put_u64be(f->map + IX_BEGIN_POS, (uint64_t)pos);
        }
        uint32_t h = indexfile_key_hash(topic, topic_len, key, len);
        size_t slot_off = IX_HEADER + (size_t)(h % f->slots) * 4;
        uint32_t prev = buf_get_u32be(f->map + slot_off);
        if (prev >= n)
            prev = 0; /* damaged slot: start a fresh chain */
        int64_t diff;
        if (__builtin_sub_overflow(store_ts, ix_get64(f, IX_BEGIN_TS), &diff))
            diff = 0;
        diff /= 1000;
        if (diff < 0)
            diff = 0;
        if (diff > INT32_MAX)
            diff = INT32_MAX;
        uint8_t *e = f->map + ix_entry_off(f, n);
        buf_put_u32be(e, h);
        buf_put_u64be(e + 4, (uint64_t)pos);
        buf_put_u32be(e + 12, (uint32_t)diff);
        buf_put_u32be(e + 16, prev);
        buf_put_u32be(f->map + slot_off, n);
        buf_put_u32be(f->map + IX_COUNT, n + 1);
        buf_put_u64be(f->map + IX_END_TS, (uint64_t)store_ts);
        buf_put_u64be(f->map + IX_END_POS, (uint64_t)(pos + size));
        f->dirty = 1;
    }
    pthread_mutex_unlock(&ix->lock);
    return rc;
}

int indexfile_flush_all(store *st)
{
    indexfile_set *ix = &st->ix;
    int rc = 0;
    pthread_mutex_lock(&ix->lock);
    for (size_t i = 0; i < ix->nfiles; i++) {
        indexfile *f = ix->files[i];
        if (!f->dirty)
            continue;
        if (msync(f->map, f->map_len, MS_SYNC) != 0) {
            store_set_err(st, "index: msync %s: %s", f->path,
                          strerror(errno));
            rc = STORE_EIO;
        } else {
            f->dirty = 0;
        }
    }
    pthread_mutex_unlock(&ix->lock);
    return rc;
}

int indexfile_drop_below(store *st, int64_t min_pos)
{
    indexfile_set *ix = &st->ix;
    pthread_mutex_lock(&ix->lock);
    size_t drop = 0;
    /* Never the newest: it tells recovery how far the index reaches. */
    while (drop + 1 < ix->nfiles &&
           ix_get64(ix->files[drop], IX_END_POS) <= min_pos)
        drop++;
    for (size_t i = 0; i < drop; i++)
        indexfile_free(ix->files[i], 1);
    if (drop) {
        memmove(ix->files, ix->files + drop,
                (ix->nfiles - drop) * sizeof(*ix->files));
        ix->nfiles -= drop;
    }
    pthread_mutex_unlock(&ix->lock);
    return (int)drop;
}

/* ------------------------------------------------------------------ */
/* Lookup                                                              */
/* ------------------------------------------------------------------ */

#define IX_MAX_CANDIDATES 65536

/* 1 if the record at pos is in topic, stored in the window, with key. */
static int indexfile_verify(store *st, int64_t pos, const char *topic,
                            size_t tl, const uint8_t *key, size_t klen,
                            int64_t begin_ts, int64_t end_ts)
{
    store_record rec;
    if (store_read_record(st, pos, &rec) != 0)
        return 0;
    int ok = 0;
    if (rec.topic_len == tl && memcmp(rec.topic, topic, tl) == 0 &&
        rec.store_timestamp >= begin_ts && rec.store_timestamp <= end_ts) {
        uint32_t aux_len = buf_get_u32be(rec.raw + CL_OFF_AUX_LEN);
        const uint8_t *aux = rec.raw + rec.raw_len - aux_len;
        uint32_t nt, nk;
        const uint8_t *tags, *keys;
        if (commitlog_aux_parse(aux, aux_len, &nt, &tags, &nk, &keys) == 0) {
            for (uint32_t i = 0; i < nk && !ok; i++) {
                uint16_t len = buf_get_u16be(keys + 4);
                if (len == klen && memcmp(keys + 6, key, klen) == 0)
                    ok = 1;
                keys += 6 + len;
            }
        }
    }
    store_record_release(st, &rec);
    return ok;
}

int store_query_by_key(store *st, const char *topic, const uint8_t *key,
                       size_t key_len, int64_t begin_ts, int64_t end_ts,
                       int64_t *positions, int max)
{
    if (!topic || max <= 0 || key_len > 65535 || begin_ts > end_ts)
        return max <= 0 ? 0 : STORE_EINVAL;
    size_t tl = strlen(topic);
    uint32_t h = indexfile_key_hash(topic, tl, key, key_len);
    int64_t *cand = NULL;
    size_t nc = 0, cc = 0;
    /* Entry times have second resolution: widen the coarse window. */
    int64_t lo_ts = begin_ts > INT64_MIN + 1000 ? begin_ts - 1000 : INT64_MIN;
    int64_t hi_ts = end_ts < INT64_MAX - 1000 ? end_ts + 1000 : INT64_MAX;
    indexfile_set *ix = &st->ix;
    pthread_mutex_lock(&ix->lock);
    for (size_t i = ix->nfiles; i-- > 0 && nc < IX_MAX_CANDIDATES;) {
        indexfile *f = ix->files[i];
        uint32_t count = ix_get32(f, IX_COUNT);
        if (count <= 1)
            continue;
        int64_t fb = ix_get64(f, IX_BEGIN_TS), fe = ix_get64(f, IX_END_TS);
        if (fe < lo_ts || fb > hi_ts)
            continue;
        uint32_t n = ix_get32(f, IX_HEADER + (size_t)(h % f->slots) * 4);
        uint32_t limit = count < f->entries ? count : f->entries;
        while (n > 0 && n < limit && nc < IX_MAX_CANDIDATES) {
            size_t eo = ix_entry_off(f, n);
            uint32_t prev = ix_get32(f, eo + 16);
            if (ix_get32(f, eo) == h) {
                int64_t t;
                if (__builtin_add_overflow(
                        fb, (int64_t)(int32_t)ix_get32(f, eo + 12) * 1000, &t))
                    t = INT64_MAX;
                if (t >= lo_ts && t <= hi_ts) {
                    if (nc == cc) {
                        cc = cc ? cc * 2 : 64;
                        int64_t *nn = realloc(cand, cc * sizeof(*nn));
                        if (!nn)
                            break;
                        cand = nn;
                    }
                    cand[nc++] = ix_get64(f, eo + 4);
                }
            }
            if (prev >= n)
                break;
            n = prev;
        }
    }
    pthread_mutex_unlock(&ix->lock);
    int found = 0;
    for (size_t i = 0; i < nc && found < max; i++) {
        int dup = 0;
        for (int j = 0; j < found && !dup; j++)
            dup = positions[j] == cand[i];
        if (dup || !indexfile_verify(st, cand[i], topic, tl, key, key_len,
                                     begin_ts, end_ts))
            continue;
        positions[found++] = cand[i];
    }
    free(cand);
    return found;
}
