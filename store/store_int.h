/*
 * store_int.h - private structures shared by the store's modules.
 *
 * Nothing outside store/ (and store/tests/) includes this file.
 *
 * Locks, in the order they may be taken (never the other way round):
 *
 *   st->append_lock   serializes store_append (CommitLog write, ConsumeQueue
 *                     and index dispatch) and segment rolls
 *   st->queues_lock   rwlock over the queue hash table
 *   q->lock           a queue's file array (readers, dispatch, retention)
 *   cl->segs_lock     the CommitLog's segment array (lookups take a ref)
 *   ix->lock          the index file list and its contents
 *   st->flush_lock    flush waiters, flush-thread state
 *
 * Published positions (written under append_lock, read lock-free):
 * cl->write_pos and q->max_offset use release stores / acquire loads, so a
 * reader that sees an offset or position also sees the bytes behind it.
 */
#ifndef FERRY_STORE_INT_H
#define FERRY_STORE_INT_H

#include "store.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#define STORE_PATH_MAX 4096   /* file paths */
#define STORE_SUBDIR_MAX 3072 /* commitlog/, index/, a queue's dir */
#define STORE_DIR_MAX 2048    /* the store root */
#define STORE_ERRMSG_MAX 512

/* ---- CommitLog record format (see commitlog.c for the table) ---- */

#define COMMITLOG_MAGIC        0x46525931u /* "FRY1" */
#define COMMITLOG_BLANK_MAGIC  0xCBD43194u
#define COMMITLOG_HEADER_SIZE  124u
#define COMMITLOG_BLANK_SIZE   8u
#define COMMITLOG_NULL_KEY_LEN 0xFFFFFFFFu
#define COMMITLOG_MAP_WRITE_MAX 4096u /* see commitlog.c "Write path" */

/* Field offsets inside a record. */
enum {
    CL_OFF_TOTAL_SIZE = 0,
    CL_OFF_MAGIC = 4,
    CL_OFF_CRC = 8,
    CL_OFF_KIND = 12,
    CL_OFF_RESERVED = 13,
    CL_OFF_TOPIC_LEN = 14,
    CL_OFF_QUEUE_ID = 16,
    CL_OFF_QUEUE_OFFSET = 20,
    CL_OFF_COUNT = 28,
    CL_OFF_FLAG = 32,
    CL_OFF_SYS_FLAG = 36,
    CL_OFF_BORN_TS = 40,
    CL_OFF_STORE_TS = 48,
    CL_OFF_BORN_HOST = 56,
    CL_OFF_STORE_HOST = 76,
    CL_OFF_RECONSUME = 96,
    CL_OFF_PREPARED_TXN = 100,
    CL_OFF_PROPS_LEN = 108,
    CL_OFF_KEY_LEN = 112,
    CL_OFF_BODY_LEN = 116,
    CL_OFF_AUX_LEN = 120,
    CL_OFF_TOPIC = 124,
};

/* What sits at a CommitLog position. */
enum {
    COMMITLOG_SCAN_RECORD = 0, /* a valid record */
    COMMITLOG_SCAN_BLANK = 1,  /* end-of-segment marker or segment end */
    COMMITLOG_SCAN_BAD = 2,    /* anything else (zeros, torn, corrupt) */
};

typedef struct commitlog_segment {
    int64_t start;       /* global position of byte 0 (= file name) */
    uint64_t size;       /* file size */
    uint8_t *map;        /* MAP_SHARED, size bytes */
    int fd;              /* O_RDWR: large appends pwritev here */
    atomic_int refs;     /* 1 for the log's array + 1 per view */
    atomic_int doomed;   /* unlink the file when refs reaches 0 */
    atomic_llong last_store_ts; /* newest record's store time; 0 unknown */
    int64_t flushed;     /* bytes [0, flushed) are durable (flush thread) */
    char path[STORE_PATH_MAX];
} commitlog_segment;

typedef struct commitlog {
    char dir[STORE_SUBDIR_MAX];
    uint64_t seg_size;             /* size of new segments */
    pthread_mutex_t segs_lock;
    commitlog_segment **segs;      /* sorted by start, contiguous */
    size_t nsegs, cap;
    commitlog_segment *cur;        /* newest; written under append_lock */
    atomic_llong write_pos;        /* next byte to write (global) */
    atomic_llong min_pos;          /* first byte still on disk */
    atomic_llong flushed_pos;      /* durable up to here */
    uint8_t *scratch;              /* append_lock: aux + patched body head */
    size_t scratch_cap;
    uint32_t map_write_max;        /* records up to this size are memcpy'd
                                      into the mapping, larger ones
                                      pwritev'd (COMMITLOG_MAP_WRITE_MAX;
                                      tests set 0: always pwritev) */
    atomic_llong trimmed_ms;       /* last resident trim (flushers) */
} commitlog;

/* ---- ConsumeQueue ---- */

#define CQ_ENTRY_SIZE 32u

typedef struct cq_file {
    int64_t first;    /* first logical offset (= file name) */
    uint32_t entries; /* file size / 32 */
    uint8_t *map;
    int fd;
    char path[STORE_PATH_MAX];
} cq_file;

struct store_queue {
    store *st;
    char topic[STORE_TOPIC_MAX + 1];
    uint16_t topic_len;
    int32_t queue_id;
    char dir[STORE_SUBDIR_MAX];
    pthread_mutex_t lock;     /* files array */
    cq_file **files;          /* sorted by first, contiguous */
    size_t nfiles, cap;
    atomic_llong max_offset;  /* next offset to assign */
    atomic_llong min_offset;  /* first readable */
    int64_t flushed_offset;   /* entries below are durable (flush thread) */
    atomic_llong appended_msgs;  /* since store_open, for metrics */
    atomic_llong appended_bytes; /* record bytes, same */
    int deleted;
    store_queue *next;        /* hash chain, or graveyard list */
};

/* ---- index ---- */

typedef struct indexfile {
    int64_t name_ms;
    uint8_t *map;
    size_t map_len;
    int fd;
    uint32_t slots;
    uint32_t entries;  /* capacity incl. unused entry 0 */
    int dirty;
    char path[STORE_PATH_MAX];
} indexfile;

typedef struct indexfile_set {
    char dir[STORE_SUBDIR_MAX];
    pthread_mutex_t lock;
    indexfile **files; /* oldest first */
    size_t nfiles, cap;
    uint32_t cfg_slots, cfg_entries;
} indexfile_set;

/* ---- flush ---- */

typedef struct flush_waiter {
    int64_t end_pos;
    int64_t deadline_ms;
    store_flush_cb cb;
    void *arg;
    struct flush_waiter *next;
} flush_waiter;

/* ---- checkpoint ---- */

typedef struct checkpoint {
    int64_t flushed_pos;    /* CommitLog durable up to here */
    int64_t dispatch_pos;   /* ConsumeQueues + index durable up to here */
    int64_t flushed_store_ts; /* store time of the last record covered */
    int64_t written_ms;     /* wall clock when written */
} checkpoint;

struct store {
    store_config cfg;
    char dir[STORE_DIR_MAX];
    int lock_fd;
    char errmsg[STORE_ERRMSG_MAX];

    pthread_mutex_t append_lock;
    commitlog cl;
    indexfile_set ix;

    pthread_rwlock_t queues_lock;
    store_queue **buckets;
    size_t nbuckets, nqueues;
    store_queue *graveyard;  /* deleted queue handles, freed at close */

    atomic_int disk_full;    /* set by retention: refuse appends */
    atomic_int closing;
    int64_t last_store_ts;   /* monotonic store clock (append_lock) */

    /* flush thread */
    pthread_t flush_thread;
    int flush_started;
    pthread_mutex_t flush_lock;
    pthread_cond_t flush_cond;
    flush_waiter *waiters, *waiters_tail;
    int flush_stop;
    atomic_ullong stat_syncs;       /* CommitLog group-commit syncs */
    atomic_ullong stat_waiters;     /* waiters completed with status 0 */
    atomic_ullong stat_timeouts;
    pthread_mutex_t fullflush_lock; /* one full flush at a time */
    pthread_mutex_t retention_lock;

    store_recovery_info recovery;
};

/* ---- store.c ---- */
void store_set_err(store *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int64_t store_now_ms(void);
int store_mkdirs(const char *path);
int store_fsync_dir(const char *path);
/* pwritev of the whole of iov (retrying EINTR and short writes) at off.
 * 0, or -errno of the failing call (-EIO for a write of 0 bytes). */
struct iovec;
int store_pwritev_all(int fd, struct iovec *iov, int iovcnt, int64_t off);

/* ---- commitlog.c ---- */
int commitlog_open(store *st);
void commitlog_close(commitlog *cl, int unlink_doomed);
/* Sizes of the record req would produce. */
int commitlog_record_size(const store *st, const store_append_req *req,
                          uint32_t *size, uint32_t *aux_len);
/* Writes req as a record at the current write position (rolling if needed)
 * with one pwritev (memcpy into the mapping up to map_write_max bytes),
 * under append_lock; fills pos and a pointer to the
 * record's aux section as written (valid until the next append).  On error
 * the write position is unchanged (bytes past it may have been written). */
int commitlog_append(store *st, const store_append_req *req, uint32_t size,
                     uint32_t aux_len, int64_t queue_offset, int64_t store_ts,
                     int64_t *pos, const uint8_t **aux_out);
/* Checks the bytes at p (avail bytes up to the segment end).  Returns
 * COMMITLOG_SCAN_*; for a record, *size is its total size. */
int commitlog_check(const uint8_t *p, uint64_t avail, uint32_t *size);
/* Decodes a checked record into a view (no ref taken). */
void commitlog_decode(const uint8_t *p, uint32_t size, int64_t pos,
                      store_record *rec);
/* Aux walking: tag hash of message i, key iteration. */
int commitlog_aux_parse(const uint8_t *aux, uint32_t aux_len,
                        uint32_t *n_tags, const uint8_t **tags,
                        uint32_t *n_keys, const uint8_t **keys);
/* Segment lookup: the segment holding pos, with a ref taken; NULL if none. */
commitlog_segment *commitlog_segment_find(commitlog *cl, int64_t pos);
commitlog_segment *commitlog_segment_first(commitlog *cl);
void commitlog_segment_ref(commitlog_segment *seg);
void commitlog_segment_unref(commitlog_segment *seg);
/* Create the segment starting at start (append_lock or recovery). */
int commitlog_segment_create(store *st, int64_t start);
/* fdatasync CommitLog bytes up to pos; updates flushed_pos. */
int commitlog_flush(store *st, int64_t pos);

/* ---- consumequeue.c ---- */
int consumequeue_open_all(store *st);
void consumequeue_close_all(store *st);
store_queue *consumequeue_lookup(store *st, const char *topic,
                                 size_t topic_len, int32_t queue_id,
                                 int create);
/* Writes entries for a record (append_lock or recovery). */
int consumequeue_dispatch(store *st, store_queue *q, int64_t queue_offset,
                          int32_t count, int64_t pos, uint32_t size,
                          const uint8_t *tags, uint32_t n_tags,
                          int64_t store_ts, int publish);
/* After recovery: drop entries at or past end_pos, fix max/min. */
void consumequeue_truncate_all(store *st, int64_t end_pos);
/* Recompute min offsets against the CommitLog min position; drop files
 * wholly below it. */
void consumequeue_apply_min_pos(store *st, int64_t min_pos);
int consumequeue_flush_all(store *st);

/* ---- indexfile.c ---- */
int indexfile_open_all(store *st);
void indexfile_close_all(store *st);
uint32_t indexfile_key_hash(const char *topic, size_t topic_len,
                            const uint8_t *key, size_t key_len);
/* Adds every aux key of a record. */
int indexfile_add_record(store *st, const char *topic, size_t topic_len,
                         const uint8_t *keys, uint32_t n_keys, int64_t pos,
                         uint32_t size, int64_t store_ts);
/* End position covered by the newest index file (0 if none). */
int64_t indexfile_end_pos(store *st);
int indexfile_flush_all(store *st);
int indexfile_drop_below(store *st, int64_t min_pos);

/* ---- checkpoint.c ---- */
int checkpoint_read(const char *dir, checkpoint *cp);
int checkpoint_write(const char *dir, const checkpoint *cp);

/* ---- recovery.c ---- */
int recovery_run(store *st, const checkpoint *cp, int have_cp, char *errbuf,
                 size_t errlen);

/* ---- flush.c ---- */
int flush_start(store *st);
void flush_stop(store *st);
int flush_full(store *st);

/* ---- retention.c ---- */
void retention_update_disk_full(store *st);

/* Parses a 20-digit file name; -1 if it is not one. */
int64_t store_parse_name20(const char *name);
/* The 20-digit-named files of dir as numbers, ascending (*out is malloc'd,
 * free it).  0, STORE_EIO when dir cannot be opened (errno kept) or
 * STORE_ENOMEM. */
int store_list_names20(const char *dir, int64_t **out, size_t *n);

#endif /* FERRY_STORE_INT_H */
