/*
 * rmq_schedule.h - delayed delivery: RocketMQ delay levels (property
 * DELAY, the Kafka header DELAY), arbitrary delivery times (TIMER_DELIVER_MS,
 * TIMER_DELAY_SEC, TIMER_DELAY_MS, __STARTDELIVERTIME) and the service that
 * moves due messages to their real topic and queue.
 *
 * Where delayed messages live (see docs/ARCHITECTURE.md, "Delayed
 * delivery"):
 *   - delay level n (1..N)  -> SCHEDULE_TOPIC_XXXX queue n-1; the
 *     ConsumeQueue tag hash of the entry is its delivery time in ms.  All
 *     messages of one level have the same delay, so each queue is in
 *     delivery-time order and one progress offset per level says what has
 *     been delivered;
 *   - a delivery time       -> rmq_sys_wheel_timer queue 0, tag hash =
 *     delivery time; entries are in arrival order, not time order, so an
 *     in-memory min-heap of (time, offset) orders them; it is rebuilt at
 *     start from the ConsumeQueue entries at or after the persisted
 *     watermark (the lowest offset not yet delivered), less those listed
 *     as delivered above it.
 * Both carry REAL_TOPIC / REAL_QID.  Progress (per-level offsets, the
 * timer watermark and the timers delivered above it) is persisted in
 * <store>/config/delayOffset.json,
 * rewritten atomically, only once the CommitLog is flushed past every
 * delivered copy: a crash re-delivers (at least once), never loses.
 *
 * Pure parts (delay_levels_parse, delay_heap_*, delay_progress_*) have no
 * globals and are unit-tested; the service runs on the event loop thread.
 */
#ifndef FERRY_RMQ_SCHEDULE_H
#define FERRY_RMQ_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "remoting_message.h"
#include "store.h"

typedef struct broker broker;

#define DELAY_SCHEDULE_TOPIC "SCHEDULE_TOPIC_XXXX"
#define DELAY_TIMER_TOPIC    "rmq_sys_wheel_timer"
#define DELAY_MAX_LEVELS     64
#define DELAY_DEFAULT_LEVELS                                                 \
    "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h"
/* Ali/Aliyun clients' absolute delivery time (ms). */
#define DELAY_PROP_START_DELIVER_TIME "__STARTDELIVERTIME"

/* ---- pure parts ---- */

/* Parses a messageDelayLevel table ("1s 5s 10m 2h 1d", units ms s m h d,
 * separated by spaces).  Fills ms[0..n-1]; returns n (1..max) or -1 with a
 * reason in err. */
int delay_levels_parse(const char *s, int64_t *ms, int max, char *err,
                       size_t errlen);

/* A binary min-heap of (due time, queue offset); an all-zero struct is an
 * empty heap. */
typedef struct delay_heap_item {
    int64_t due_ms;
    int64_t offset;
} delay_heap_item;

typedef struct delay_heap {
    delay_heap_item *v;
    size_t n, cap;
} delay_heap;

int delay_heap_push(delay_heap *h, int64_t due_ms, int64_t offset);
/* 1 and the earliest item (ties: lower offset first), 0 when empty. */
int delay_heap_top(const delay_heap *h, delay_heap_item *out);
int delay_heap_pop(delay_heap *h, delay_heap_item *out);
/* The lowest offset held, or `none` when empty (O(n)). */
int64_t delay_heap_min_offset(const delay_heap *h, int64_t none);
void delay_heap_release(delay_heap *h);

/* Delivery progress: next offset to deliver per level queue, the timer
 * watermark (every timer entry below it is delivered) and timer entries at
 * or above it already delivered (ascending; at most DELAY_MAX_DONE are
 * written, the rest are delivered again after a crash). */
#define DELAY_MAX_DONE 4096
typedef struct delay_progress {
    int n_levels;
    int64_t level[DELAY_MAX_LEVELS];
    int64_t timer;
    int64_t *timer_done; /* owned; sorted */
    size_t n_timer_done;
} delay_progress;

/* Reads the progress file.  0 loaded, 1 no file (p zeroed), -1 unreadable
 * or malformed (p zeroed, err says why).  delay_progress_release after. */
int delay_progress_load(const char *path, delay_progress *p, char *err,
                        size_t errlen);
/* Writes it atomically (temp file, fsync, rename, fsync dir).  0 or -1. */
int delay_progress_save(const char *path, const delay_progress *p, char *err,
                        size_t errlen);
void delay_progress_release(delay_progress *p);
/* 1 if off is in p's timer_done set. */
int delay_progress_timer_done(const delay_progress *p, int64_t off);

/* What the properties ask for.  0: deliver now; 1: level *level (already
 * clamped to 1..n_levels); 2: at *due_ms; -1: a malformed value, or a
 * delivery time more than max_timer_ms ahead (0 = no limit) (err).  A
 * level wins; then, as RocketMQ 5 reads them, TIMER_DELAY_SEC,
 * TIMER_DELAY_MS, TIMER_DELIVER_MS, and last __STARTDELIVERTIME. */
int delay_classify(const uint8_t *props, size_t plen, int64_t now_ms,
                   int n_levels, int64_t max_timer_ms, int *level,
                   int64_t *due_ms, char *err, size_t errlen);

/* ---- the service (event loop thread) ---- */

/* Loads the level table and the progress, rebuilds the timer heap, starts
 * the 100 ms delivery timer.  0 or -1 (err). */
int delay_start(broker *b, char *err, size_t errlen);
/* Persists progress and stops.  No-op when not started. */
void delay_stop(broker *b);
/* TEST ONLY: stops without writing progress, as a crash would. */
void delay_stop_for_test_crash(void);
/* timerMaxDelaySec in ms (0 before delay_start). */
int64_t delay_timer_max_ms(void);
/* Levels in force (0 before delay_start). */
int delay_level_count(void);
int64_t delay_level_ms(int level);

/* Parks one message for later delivery to (real_topic, real_qid): stored
 * in the schedule topic (mode 1, level) or the timer topic (mode 2, due).
 * props are the message's properties as sent; key (may be NULL) is kept
 * for Kafka consumers.  Fills *res and uniq_text (80 bytes) as
 * rmq_store_message does.  0 or a STORE_E* code. */
int delay_park(broker *b, const remoting_host *born_host,
               const char *real_topic, int32_t real_qid, int mode, int level,
               int64_t due_ms, const uint8_t *props, size_t plen,
               const uint8_t *key, size_t key_len, buf_view body,
               int32_t flag, int32_t sys_flag, int64_t born,
               int32_t reconsume, store_append_result *res,
               char *uniq_text);

/* Figures for logs, tests and benchmarks. */
typedef struct delay_stats {
    uint64_t parked;
    uint64_t delivered;
    uint64_t dropped; /* unreadable or topic gone */
    int64_t max_late_ms;
    size_t timers_pending;
} delay_stats;
void delay_stats_get(delay_stats *out);

#endif /* FERRY_RMQ_SCHEDULE_H */
