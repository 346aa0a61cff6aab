/*
 * retention.c - deleting old CommitLog segments and what points into them.
 *
 * store_retention_run(st, now_ms) deletes whole segments, oldest first,
 * never the newest (the one being written):
 *   - while the oldest segment's newest record is older than
 *     now_ms - file_reserved_ms (the store time of its last record, known
 *     for segments written or scanned since open; otherwise the file's
 *     mtime, which is when its last record was written back), or
 *   - while the filesystem holding the store is more than
 *     disk_max_used_percent full (statvfs).
 * Then: CommitLog min position = start of the new oldest segment;
 * ConsumeQueue files wholly below it are dropped and min offsets recomputed
 * (consumequeue_apply_min_pos); index files whose end_pos <= it are dropped
 * (never the newest).  Finally the disk-full flag is refreshed.
 *
 * Disk-full flag: store_append refuses with STORE_EFULL while the filesystem
 * is more than disk_refuse_percent full.  The flag is computed here, at
 * open, and after every interval flush, so appends never call statvfs.
 *
 * Who runs it: the broker, periodically, and the flush thread every 60 s
 * (flush.c).  Runs are serialized by st->retention_lock.  A deleted
 * segment's file is unlinked at once; its mapping lives until the last
 * store_record view of it is released (commitlog.c).
 */
#include "store_int.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

static int retention_disk_used_percent(const store *st, double *pct)
{
    struct statvfs vfs;
    if (statvfs(st->dir, &vfs) != 0 || vfs.f_blocks == 0)
        return -1;
    double used = (double)(vfs.f_blocks - vfs.f_bfree);
    double avail = (double)vfs.f_bavail;
    *pct = used + avail > 0 ? used * 100.0 / (used + avail) : 100.0;
    return 0;
}

void retention_update_disk_full(store *st);
void retention_update_disk_full(store *st)
{
    double pct;
    if (retention_disk_used_percent(st, &pct) != 0)
        return;
    atomic_store(&st->disk_full, pct > (double)st->cfg.disk_refuse_percent);
}

static int64_t retention_segment_time(commitlog_segment *seg)
{
    int64_t ts = atomic_load(&seg->last_store_ts);
    if (ts > 0)
        return ts;
    struct stat sb;
    if (fstat(seg->fd, &sb) != 0)
        return INT64_MAX; /* unknown: keep it */
    return (int64_t)sb.st_mtim.tv_sec * 1000 + sb.st_mtim.tv_nsec / 1000000;
}

int store_retention_run(store *st, int64_t now_ms)
{
    commitlog *cl = &st->cl;
    int deleted = 0;
    pthread_mutex_lock(&st->retention_lock);
    for (;;) {
        pthread_mutex_lock(&cl->segs_lock);
        if (cl->nsegs < 2 || cl->segs[0] == cl->cur) {
            pthread_mutex_unlock(&cl->segs_lock);
            break;
        }
        commitlog_segment *seg = cl->segs[0];
        int expired =
            retention_segment_time(seg) < now_ms - (int64_t)st->cfg
                                                        .file_reserved_ms;
        double pct;
        int over = !expired && retention_disk_used_percent(st, &pct) == 0 &&
                   pct > (double)st->cfg.disk_max_used_percent;
        if (!expired && !over) {
            pthread_mutex_unlock(&cl->segs_lock);
            break;
        }
        memmove(cl->segs, cl->segs + 1, (cl->nsegs - 1) * sizeof(*cl->segs));
        cl->nsegs--;
        atomic_store_explicit(&cl->min_pos, cl->segs[0]->start,
                              memory_order_release);
        pthread_mutex_unlock(&cl->segs_lock);
        unlink(seg->path);
        commitlog_segment_unref(seg);
        deleted++;
    }
    if (deleted) {
        int64_t min = atomic_load(&cl->min_pos);
        consumequeue_apply_min_pos(st, min);
        indexfile_drop_below(st, min);
    }
    retention_update_disk_full(st);
    pthread_mutex_unlock(&st->retention_lock);
    return deleted;
}

void store_set_retention(store *st, uint64_t file_reserved_ms,
                         uint32_t disk_max_used_percent)
{
    pthread_mutex_lock(&st->retention_lock);
    st->cfg.file_reserved_ms = file_reserved_ms;
    st->cfg.disk_max_used_percent = disk_max_used_percent;
    pthread_mutex_unlock(&st->retention_lock);
}
