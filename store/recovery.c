/*
 * recovery.c - bring CommitLog, ConsumeQueues and index back in step at
 * store_open, after a clean close or a crash.
 *
 * Inputs: the mapped segments (commitlog_open), the ConsumeQueues and index
 * files as found, and the checkpoint (F = flushed_pos, D = dispatch_pos; both
 * 0 without one).
 *
 *  1. Validation starts at the beginning of the segment holding D, so the
 *     newest flushed records are re-checked (a damaged record there is found
 *     at open, not by the first reader).  Older segments are not scanned;
 *     their records are still CRC-checked by every store_read_record.
 *  2. Walk forward: a valid record (see commitlog.c for "valid") at pos >= D
 *     is re-dispatched into its ConsumeQueue (idempotent: entries sit at the
 *     record's queue offsets) and, if pos >= the newest index file's end_pos,
 *     into the index.  A BLANK marker (or the exact end of a segment) moves
 *     to the next segment.  A record is never split across segments.
 *  3. The first invalid position X ends the walk.  It is CORRUPTION if
 *     X < F (data the checkpoint says was durable is damaged), or a later
 *     segment starts with a valid record (the log continues past the hole).
 *     Corruption fails store_open with STORE_ECORRUPT and a message naming
 *     the segment file, the offset inside it and the ways out, unless
 *     cfg->truncate_corrupt is set.  Otherwise X is a TORN TAIL.
 *  4. Tail or accepted truncation: bytes from X to the end of that segment
 *     are zeroed with pwrite (only pages that are not already zero are
 *     written, and the scan is skipped after a clean close), later
 *     segments are deleted, and the number of bytes dropped goes into the
 *     recovery summary.
 *  5. Every ConsumeQueue loses entries with commitlog_pos >= the new end;
 *     max offsets follow; min offsets are recomputed from the CommitLog min.
 *
 * After recovery the write position is the new end, so appends continue
 * right behind the last valid record, with each queue's next offset = its
 * max offset.  Runs single-threaded, before the flush thread starts.
 */
#include "store_int.h"

#include "buf.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

/* Zeroes [off, size) of seg, writing (pwrite, so a failure is an error
 * rather than a SIGBUS) only non-zero 4 KiB chunks; returns the number of bytes from off to the
 * last non-zero byte, or -1 if a write failed (errno set). */
static int64_t recovery_zero_tail(commitlog_segment *seg, uint64_t off)
{
    static const uint8_t zeros[4096];
    int64_t dropped = 0;
    uint64_t chunk = sizeof(zeros);
    for (uint64_t a = off; a < seg->size;) {
        uint64_t e = (a / chunk + 1) * chunk;
        if (e > seg->size)
            e = seg->size;
        if (memcmp(seg->map + a, zeros, e - a) != 0) {
            uint64_t last_nz = e - 1;
            while (seg->map[last_nz] == 0)
                last_nz--;
            struct iovec iov = {(void *)zeros, e - a};
            int rc = store_pwritev_all(seg->fd, &iov, 1, (int64_t)a);
            if (rc != 0) {
                errno = -rc;
                return -1;
            }
            dropped = (int64_t)(last_nz + 1 - off);
        }
        a = e;
    }
    return dropped;
}

static void recovery_dispatch(store *st, const uint8_t *p, uint32_t size,
                              int64_t pos, int do_cq, int do_index)
{
    store_record rec;
    commitlog_decode(p, size, pos, &rec);
    uint32_t aux_len = buf_get_u32be(p + CL_OFF_AUX_LEN);
    uint32_t nt, nk;
    const uint8_t *tags, *keys;
    if (commitlog_aux_parse(p + size - aux_len, aux_len, &nt, &tags, &nk,
                            &keys) != 0)
        return; /* cannot happen: the record was validated */
    if (do_cq) {
        store_queue *q = consumequeue_lookup(st, rec.topic, rec.topic_len,
                                             rec.queue_id, 1);
        if (q) {
            consumequeue_dispatch(st, q, rec.queue_offset, rec.count, pos,
                                  size, tags, nt, rec.store_timestamp, 1);
            st->recovery.records_redispatched++;
        }
    }
    if (do_index)
        indexfile_add_record(st, rec.topic, rec.topic_len, keys, nk, pos,
                             size, rec.store_timestamp);
}

int recovery_run(store *st, const checkpoint *cp, int have_cp, char *errbuf,
                 size_t errlen)
{
    commitlog *cl = &st->cl;
    store_recovery_info *ri = &st->recovery;
    int64_t F = have_cp ? cp->flushed_pos : 0;
    int64_t D = have_cp ? cp->dispatch_pos : 0;
    ri->had_checkpoint = have_cp;
    if (have_cp && cp->flushed_store_ts > st->last_store_ts)
        st->last_store_ts = cp->flushed_store_ts;

    if (cl->nsegs == 0) {
        if (F > 0 && !st->cfg.truncate_corrupt) {
            snprintf(errbuf, errlen,
                     "store: %s holds no CommitLog segment but the "
                     "checkpoint says %" PRId64
                     " bytes were flushed; restore the commitlog directory "
                     "from a backup, or restart with truncate_corrupt=1 to "
                     "start an empty log",
                     cl->dir, F);
            return STORE_ECORRUPT;
        }
        int rc = commitlog_segment_create(st, 0);
        if (rc)
            return rc;
        atomic_store(&cl->write_pos, 0);
        atomic_store(&cl->min_pos, 0);
        atomic_store(&cl->flushed_pos, 0);
        consumequeue_truncate_all(st, 0);
        consumequeue_apply_min_pos(st, 0);
        snprintf(ri->summary, sizeof(ri->summary), "new CommitLog");
        return 0;
    }

    int64_t min_pos = cl->segs[0]->start;
    commitlog_segment *last = cl->segs[cl->nsegs - 1];
    int64_t log_end = last->start + (int64_t)last->size;
    if (D < min_pos)
        D = min_pos;
    if (D > log_end)
        D = log_end;
    size_t si = 0;
    while (si + 1 < cl->nsegs &&
           cl->segs[si]->start + (int64_t)cl->segs[si]->size <= D)
        si++;
    int64_t ix_end = indexfile_end_pos(st);
    ri->scan_from = cl->segs[si]->start;
    ri->redispatch_from = D;

    int64_t pos = cl->segs[si]->start;
    int bad = 0;
    for (;;) {
        commitlog_segment *seg = cl->segs[si];
        uint64_t off = (uint64_t)(pos - seg->start);
        uint32_t size = 0;
        int k = commitlog_check(seg->map + off, seg->size - off, &size);
        if (k == COMMITLOG_SCAN_RECORD) {
            const uint8_t *p = seg->map + off;
            int64_t ts = (int64_t)buf_get_u64be(p + CL_OFF_STORE_TS);
            atomic_store(&seg->last_store_ts, ts);
            if (ts > st->last_store_ts)
                st->last_store_ts = ts;
            ri->records_scanned++;
            if (pos >= D || pos >= ix_end)
                recovery_dispatch(st, p, size, pos, pos >= D,
                                  pos >= ix_end);
            pos += size;
            continue;
        }
        if (k == COMMITLOG_SCAN_BLANK) {
            if (si + 1 == cl->nsegs) {
                pos = seg->start + (int64_t)seg->size;
                break;
            }
            si++;
            pos = cl->segs[si]->start;
            continue;
        }
        bad = 1;
        break;
    }

    if (bad) {
        commitlog_segment *seg = cl->segs[si];
        uint64_t off = (uint64_t)(pos - seg->start);
        const char *later = NULL;
        for (size_t j = si + 1; j < cl->nsegs && !later; j++) {
            uint32_t sz;
            if (commitlog_check(cl->segs[j]->map, cl->segs[j]->size, &sz) ==
                COMMITLOG_SCAN_RECORD)
                later = cl->segs[j]->path;
        }
        int corrupt = pos < F || later;
        if (corrupt && !st->cfg.truncate_corrupt) {
            snprintf(errbuf, errlen,
                     "store: corrupt CommitLog record in %s at offset %" PRIu64
                     " (position %" PRId64 "): %s. Ways out: restore %s from "
                     "a backup, or restart with truncate_corrupt=1 to drop "
                     "everything from position %" PRId64
                     " on (the rest of this segment and %zu later "
                     "segment(s))",
                     seg->path, off, pos,
                     later ? "a later segment starts with a valid record"
                           : "it lies below the flushed checkpoint",
                     seg->path, pos, cl->nsegs - si - 1);
            return STORE_ECORRUPT;
        }
        ri->truncated_corrupt = corrupt;
        if (!ri->previous_clean || corrupt) {
            int64_t z = recovery_zero_tail(seg, off);
            if (z < 0) {
                snprintf(errbuf, errlen,
                         "store: cannot zero the torn tail of %s from "
                         "offset %" PRIu64 ": %s",
                         seg->path, off, strerror(errno));
                return STORE_EIO;
            }
            ri->bytes_dropped += z;
        }
        /* Later segments hold nothing we keep. */
        pthread_mutex_lock(&cl->segs_lock);
        while (cl->nsegs > si + 1) {
            commitlog_segment *s = cl->segs[--cl->nsegs];
            ri->bytes_dropped += (int64_t)s->size;
            unlink(s->path);
            commitlog_segment_unref(s);
        }
        cl->cur = cl->segs[cl->nsegs - 1];
        pthread_mutex_unlock(&cl->segs_lock);
    }

    int64_t end = pos;
    cl->cur = cl->segs[cl->nsegs - 1];
    if (end == cl->cur->start + (int64_t)cl->cur->size) {
        int rc = commitlog_segment_create(st, end);
        if (rc)
            return rc;
    }
    atomic_store(&cl->write_pos, end);
    atomic_store(&cl->min_pos, min_pos);
    atomic_store(&cl->flushed_pos, F < end ? (F > min_pos ? F : min_pos)
                                           : end);
    ri->end_pos = end;
    consumequeue_truncate_all(st, end);
    consumequeue_apply_min_pos(st, min_pos);

    snprintf(ri->summary, sizeof(ri->summary),
             "recovery: previous close %s, checkpoint %s (flushed %" PRId64
             ", dispatched %" PRId64 "), scanned %" PRId64
             " record(s) from %" PRId64 ", re-dispatched %" PRId64
             ", end %" PRId64 ", dropped %" PRId64 " byte(s)%s",
             ri->previous_clean ? "clean" : "NOT clean",
             have_cp ? "found" : "absent", F, D, ri->records_scanned,
             ri->scan_from, ri->records_redispatched, end, ri->bytes_dropped,
             ri->truncated_corrupt ? " (corruption truncated on request)"
                                   : "");
    return 0;
}
