/*
 * txn_table.h - the pending-transaction table of the RocketMQ face: pure
 * bookkeeping (no store, no sockets, no clock), so it is unit-tested
 * apart from rmq_txn.c, which feeds it from the half and op queues.
 *
 * A transaction is named by its "root": the half-queue offset of its first
 * half message.  A check-back re-appends the half message (a "copy", with
 * TRAN_PREPARED_QUEUE_OFFSET = root and TRANSACTION_CHECK_TIMES + 1), so a
 * transaction may have several half records; the table keeps the newest.
 * An op record names the root; a root with an op is done and leaves the
 * table.
 * @locality: owner's thread (the event loop for rmq_txn.c).
 */
#ifndef FERRY_TXN_TABLE_H
#define FERRY_TXN_TABLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct txn_pending {
    int64_t root;        /* half-queue offset of the first half */
    int64_t half_offset; /* half-queue offset of the newest copy */
    int64_t half_pos;    /* CommitLog position of the newest copy */
    int64_t first_ms;    /* store time of the first half */
    int64_t immunity_ms; /* no check before first_ms + this; <0: default */
    int64_t op_mark;     /* op-queue max offset when first tracked: no op
                            of this root can sit below it */
    int32_t checks;      /* check-backs sent (TRANSACTION_CHECK_TIMES) */
    int done;            /* tombstone: ended, awaiting compaction */
    char *group;         /* producer group (PGROUP), owned; NULL if done */
} txn_pending;

/* Sorted by root; an all-zero struct is an empty table.  Ended roots stay
 * as tombstones (so a later put of the same root is refused and ends
 * cost O(log n)) until they are more than half of the entries; walkers of
 * v[0..n) skip entries with done set.  live = entries not done. */
typedef struct txn_table {
    txn_pending *v;
    size_t n, cap, live;
} txn_table;

void txn_table_release(txn_table *t);
/* Records a half record of transaction `root`: a new entry, or, for a
 * known root, the newer copy (higher half_offset) replaces the older
 * one's offsets and check count (first_ms and group stay); a root still
 * held as ended stays ended.  0, or -1 when out of memory. */
int txn_table_put(txn_table *t, int64_t root, int64_t half_offset,
                  int64_t half_pos, int64_t first_ms, int64_t immunity_ms,
                  int64_t op_mark, int32_t checks, const char *group,
                  size_t group_len);
/* The pending entry of root, or NULL (unknown or done). */
txn_pending *txn_table_find(txn_table *t, int64_t root);
/* Marks root done (a tombstone; entries do not move).  1 if it was
 * pending, 0 if not. */
int txn_table_done(txn_table *t, int64_t root);
/* Drops the tombstones once they outnumber the live entries (and are more
 * than 64); entries move, so call it outside walks over v. */
void txn_table_compact_maybe(txn_table *t);
/* Entries due for a check at now_ms: first_ms + immunity_ms <= now_ms,
 * with default_ms (transactionTimeOut, read at each call so a run-time
 * change applies to every pending entry) when immunity_ms < 0. */
int txn_pending_due(const txn_pending *p, int64_t now_ms, int64_t default_ms);

/* Start-up progress to persist: every root below *half_from has ended,
 * and every op of a root at or above it sits at op offset >= *op_from, so
 * a start may read the half queue from *half_from (skipping records whose
 * root is below it) and the op queue from *op_from.  With live entries:
 * the smallest live root and the smallest op_mark; without: the queues'
 * current max offsets (half_max, op_max). */
void txn_table_progress(const txn_table *t, int64_t half_max, int64_t op_max,
                        int64_t *half_from, int64_t *op_from);
/* Parses a progress file ("half=H\nop=O\n", both required, any order,
 * nothing else but blank lines).  0, or -1 on anything else. */
int txn_progress_parse(const char *p, size_t n, int64_t *half_from,
                       int64_t *op_from);

/* Parses a decimal int64 (optional '-'), the whole view, no spaces;
 * 0 ok, -1 garbage or overflow. */
int txn_parse_i64(const uint8_t *p, size_t n, int64_t *out);
/* Parses an op record body: roots as decimal text separated by ','
 * (a trailing ',' allowed: "12,13," or "12").  Fills out[0..max) and
 * returns the count, or -1 if any piece is garbage (nothing is trusted
 * from a damaged body). */
int txn_op_parse(const uint8_t *p, size_t n, int64_t *out, int max);

#endif /* FERRY_TXN_TABLE_H */
