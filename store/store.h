/*
 * store.h - Ferry's storage engine: one shared CommitLog, a ConsumeQueue per
 * (topic, queue), a key/time index, flushing, recovery and retention.
 *
 * The store knows no protocol.  It keeps opaque, self-describing records.  A
 * record covers `count` consecutive logical offsets of one queue:
 *
 *   - a MESSAGE record (count == 1) is one message: properties, key, body;
 *   - a BATCH record (count >= 1) is a group of messages that arrived
 *     together and are stored as one opaque body (for the broker: a Kafka
 *     record batch v2, possibly compressed).  Each of its messages still gets
 *     its own ConsumeQueue entry (same CommitLog position, its own
 *     batch_index and tag hash), so a per-message reader (RocketMQ pull) finds
 *     offset n in O(1), and a per-batch reader (Kafka fetch) serves the body
 *     bytes as they are.
 *
 * Every record carries an "aux" section with its per-message tag hashes and
 * index keys, so recovery rebuilds ConsumeQueue and index entries from the
 * CommitLog alone, without understanding bodies.
 *
 * Formats (offset tables) are documented in commitlog.c, consumequeue.c,
 * indexfile.c and docs/ARCHITECTURE.md.
 *
 * Threads: store_append() and the read calls may be called from any thread;
 * appends are serialized by an internal lock.  A background flush thread
 * (started by store_open) does ASYNC interval flushes and SYNC group commits;
 * store_flush_wait() callbacks run on that thread.
 *
 * Errors: functions return 0 or a negative STORE_E*; store_errmsg() keeps the
 * last message (thread-local to the store handle; good enough for startup and
 * admin paths).  The store never exits or aborts on bad files.
 */
#ifndef FERRY_STORE_H
#define FERRY_STORE_H

#include <stddef.h>
#include <stdint.h>

#define STORE_OK        0
#define STORE_EIO       (-1)  /* system call failed */
#define STORE_ECORRUPT  (-2)  /* on-disk data damaged (not a torn tail) */
#define STORE_EINVAL    (-3)  /* bad argument (too large, bad name, ...) */
#define STORE_ENOENT    (-4)  /* no such queue / offset / record */
#define STORE_ENOMEM    (-5)
#define STORE_EFULL     (-6)  /* disk usage above the write-refusal mark */
#define STORE_ELOCKED   (-7)  /* another process holds the store lock */
#define STORE_ECLOSED   (-8)  /* store is shutting down */

#define STORE_FLUSH_ASYNC 0
#define STORE_FLUSH_SYNC  1

#define STORE_KIND_MESSAGE 1
#define STORE_KIND_BATCH   2

#define STORE_TOPIC_MAX 255

typedef struct store store;
typedef struct store_queue store_queue;

typedef struct store_config {
    const char *dir;                 /* root; commitlog/, consumequeue/, index/ */
    uint64_t commitlog_segment_size; /* bytes per segment file (default 1 GiB) */
    uint32_t cq_entries_per_file;    /* ConsumeQueue entries per file (300000) */
    uint32_t index_slots;            /* hash slots per index file (5000000) */
    uint32_t index_entries;          /* entries per index file (20000000) */
    int flush_mode;                  /* STORE_FLUSH_ASYNC or _SYNC */
    uint32_t flush_interval_ms;      /* ASYNC flush period (500) */
    uint32_t sync_flush_timeout_ms;  /* SYNC: give up waiting after (5000) */
    uint64_t file_reserved_ms;       /* retention by age (72 h) */
    uint32_t disk_max_used_percent;  /* delete oldest above this (75) */
    uint32_t disk_refuse_percent;    /* refuse appends above this (90) */
    uint32_t max_record_size;        /* bytes (4 MiB + headers) */
    int truncate_corrupt;            /* recovery: truncate instead of refusing */
} store_config;

/* Fills cfg with the defaults above (dir = "./data"). */
void store_config_defaults(store_config *cfg);

/* A network peer: IPv4 is kept as a v4-mapped IPv6 address. */
typedef struct store_host {
    uint8_t addr[16];
    uint32_t port;
} store_host;

/* One index key of a record: which message of the record (0 for MESSAGE)
 * and the key text (not NUL-terminated; at most 65535 bytes). */
typedef struct store_index_key {
    int32_t batch_index;
    const uint8_t *key;
    uint16_t len;
} store_index_key;

/* Called during store_append() once the record's offsets are assigned,
 * before its CRC is computed and before it is written: lets the caller patch
 * protocol fields inside the body (e.g. a Kafka batch's baseOffset).  body
 * points to the store's private copy of the first patch_len bytes of the
 * body (all of it when patch_len is 0 or above body_len), which is what gets
 * written; body_len is that copy's length.  The caller's buffer is never
 * written. */
typedef void (*store_patch_fn)(void *arg, uint8_t *body, uint32_t body_len,
                               int64_t queue_offset, int64_t store_timestamp);

typedef struct store_append_req {
    store_queue *queue;          /* from store_queue_get(..., create=1) */
    int kind;                    /* STORE_KIND_MESSAGE or _BATCH */
    int32_t count;               /* offsets covered; 1 for MESSAGE */
    int32_t flag;                /* user flag (RocketMQ FLAG) */
    int32_t sys_flag;            /* RocketMQ sysFlag bits, opaque to the store */
    int64_t born_timestamp;      /* ms */
    store_host born_host;
    store_host store_host;
    int32_t reconsume_times;
    int64_t prepared_txn_offset;
    const uint8_t *properties;   /* opaque bytes */
    uint32_t properties_len;
    const uint8_t *key;          /* NULL = null key */
    uint32_t key_len;
    const uint8_t *body;
    uint32_t body_len;
    const int64_t *tag_hashes;   /* count entries, or NULL = all 0 */
    const store_index_key *keys; /* index keys, may be NULL */
    uint32_t n_keys;
    store_patch_fn patch;        /* optional */
    void *patch_arg;
    uint32_t patch_len;          /* patch touches body[0, patch_len) only;
                                    0 = the whole body (copied) */
} store_append_req;

typedef struct store_append_result {
    int64_t queue_offset;    /* first logical offset assigned */
    int64_t commitlog_pos;   /* physical position of the record */
    uint32_t size;           /* record size in bytes */
    int64_t store_timestamp; /* ms */
    int64_t end_pos;         /* CommitLog position after it (for flush_wait) */
} store_append_result;

/* One ConsumeQueue entry (32 bytes on disk, see consumequeue.c). */
typedef struct store_cq_entry {
    int64_t commitlog_pos;
    uint32_t size;        /* size of the whole record at commitlog_pos */
    int32_t batch_index;  /* which message of the record (0 for MESSAGE) */
    int64_t tag_hash;
    int64_t store_timestamp;
} store_cq_entry;

/* A decoded view of one CommitLog record.  Pointers borrow from the mapped
 * segment and stay valid until store_record_release(). */
typedef struct store_record {
    int kind;
    const char *topic; /* not NUL-terminated */
    uint16_t topic_len;
    int32_t queue_id;
    int64_t queue_offset;
    int32_t count;
    int32_t flag;
    int32_t sys_flag;
    int64_t born_timestamp;
    int64_t store_timestamp;
    store_host born_host;
    store_host store_host;
    int32_t reconsume_times;
    int64_t prepared_txn_offset;
    const uint8_t *properties;
    uint32_t properties_len;
    const uint8_t *key; /* NULL = null key */
    uint32_t key_len;
    const uint8_t *body;
    uint32_t body_len;
    const uint8_t *raw; /* the whole record */
    uint32_t raw_len;
    int64_t commitlog_pos;
    void *seg_ref;      /* internal: pins the segment mapping */
} store_record;

/* ---- lifecycle ---- */

/* Opens (creating if needed) the store at cfg->dir, takes its lock file,
 * runs recovery, starts the flush thread.  On failure returns NULL and, if
 * errbuf is given, a message naming the file and position at fault. */
store *store_open(const store_config *cfg, char *errbuf, size_t errlen);
/* Flushes everything, writes the checkpoint and the clean-shutdown marker,
 * stops the flush thread, unmaps.  store_close(NULL) is a no-op. */
void store_close(store *st);
const char *store_errmsg(store *st);

/* ---- queues ---- */

/* Finds (or with create=1 makes) the ConsumeQueue of (topic, queue_id).
 * The handle lives until store_close or store_queue_delete. */
store_queue *store_queue_get(store *st, const char *topic, int32_t queue_id,
                             int create);
/* Deletes a queue's ConsumeQueue files (topic deletion).  CommitLog records
 * stay until retention removes them. */
int store_queue_delete(store *st, const char *topic, int32_t queue_id);
/* Logical offsets: min = first readable, max = next to be assigned. */
int64_t store_queue_min_offset(store_queue *q);
int64_t store_queue_max_offset(store_queue *q);
/* Messages and CommitLog record bytes appended to the queue since
 * store_open (counters for metrics; any thread). */
int64_t store_queue_appended_msgs(store_queue *q);
int64_t store_queue_appended_bytes(store_queue *q);
/* Reads up to n entries starting at offset; returns how many (0 at end or
 * below min), or a negative STORE_E*. */
int store_queue_read(store_queue *q, int64_t offset, store_cq_entry *out,
                     int n);
/* First offset whose store timestamp is >= ts; max_offset if none. */
int64_t store_queue_find_by_time(store_queue *q, int64_t ts);

/* ---- append ---- */

int store_append(store *st, const store_append_req *req,
                 store_append_result *res);

/* SYNC flush: calls cb(arg, status) once the CommitLog is durable up to
 * end_pos (status 0) or after sync_flush_timeout_ms (STORE_EIO).  Appends from
 * many callers share one fdatasync (group commit).  cb runs on the flush
 * thread.  In ASYNC mode cb is called immediately with 0. */
typedef void (*store_flush_cb)(void *arg, int status);
int store_flush_wait(store *st, int64_t end_pos, store_flush_cb cb,
                     void *arg);
/* Flushes CommitLog, ConsumeQueues and index now and writes the checkpoint. */
int store_flush_all(store *st);
/* CommitLog position up to which data is known durable. */
int64_t store_flushed_pos(store *st);

/* ---- reads ---- */

/* Reads and validates (magic, length, CRC) the record at pos. */
int store_read_record(store *st, int64_t commitlog_pos, store_record *rec);
void store_record_release(store *st, store_record *rec);
/* As store_read_record; flags STORE_READ_NO_CRC skips the CRC (magic and
 * every length are still checked).  For hot read paths whose consumer
 * checks its own end-to-end checksum (a Kafka batch carries one); records
 * were CRC-checked by recovery when they were not known durable. */
#define STORE_READ_NO_CRC 1
int store_read_record_ex(store *st, int64_t commitlog_pos, store_record *rec,
                         int flags);
/* Per-message tag hash and index keys of a record, from its aux section. */
int64_t store_record_tag_hash(const store_record *rec, int32_t batch_index);

/* Index lookup: CommitLog positions of records in topic with index key `key`
 * stored within [begin_ts, end_ts] (ms), newest first, at most max.  Returns
 * the count found (records are verified, so hash collisions are dropped). */
int store_query_by_key(store *st, const char *topic, const uint8_t *key,
                       size_t key_len, int64_t begin_ts, int64_t end_ts,
                       int64_t *positions, int max);

/* ---- retention ---- */

/* Changes the retention settings of a running store (the next
 * store_retention_run uses them).  Thread-safe. */
void store_set_retention(store *st, uint64_t file_reserved_ms,
                         uint32_t disk_max_used_percent);
/* Deletes whole CommitLog segments older than file_reserved_ms (never the
 * newest), and oldest-first while disk use is above disk_max_used_percent;
 * moves ConsumeQueue minimum offsets and drops index files with them.
 * now_ms lets tests drive the clock.  Returns segments deleted. */
int store_retention_run(store *st, int64_t now_ms);

/* ---- figures (for metrics and tests) ---- */
int64_t store_commitlog_min_pos(store *st);
int64_t store_commitlog_max_pos(store *st);

/* Walks all known queues: cb(arg, topic, queue_id). */
void store_queue_foreach(store *st,
                         void (*cb)(void *arg, const char *topic,
                                    int32_t queue_id),
                         void *arg);

/* ---- additions (store team) ---- */

/* What the last store_open found and did (for logs and ferryctl). */
typedef struct store_recovery_info {
    int previous_clean;      /* 1: the last close was clean (marker found) */
    int had_checkpoint;      /* 1: a valid checkpoint file was read */
    int64_t scan_from;       /* CommitLog position validation started at */
    int64_t redispatch_from; /* position re-dispatch started at */
    int64_t end_pos;         /* CommitLog end after recovery */
    int64_t records_scanned; /* valid records walked */
    int64_t records_redispatched;
    int64_t bytes_dropped;   /* torn tail / truncated bytes removed */
    int truncated_corrupt;   /* 1: truncate_corrupt cut real damage */
    char summary[512];       /* one line for the log */
} store_recovery_info;
const store_recovery_info *store_recovery_info_get(store *st);

/* Flush-thread counters: syncs = CommitLog group-commit syncs done for
 * SYNC waiters; waiters = waiters completed with status 0; timeouts =
 * waiters completed with STORE_EIO.  waiters / syncs is the batching. */
typedef struct store_flush_stats {
    uint64_t syncs;
    uint64_t waiters;
    uint64_t timeouts;
} store_flush_stats;
void store_flush_stats_get(store *st, store_flush_stats *out);

/* TEST ONLY: simulates a crash.  Stops the flush thread, drops the lock,
 * unmaps and frees everything without flushing, without writing the
 * checkpoint or the clean-shutdown marker.  The files keep whatever the
 * page cache holds, as after kill -9 (not as after a power cut). */
void store_crash_for_test(store *st);

#endif /* FERRY_STORE_H */
