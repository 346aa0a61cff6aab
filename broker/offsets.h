/*
 * offsets.h - the one consumer-offset store: committed positions per
 * (group, topic, queue), shared by Kafka groups (OffsetCommit/OffsetFetch)
 * and RocketMQ groups (UPDATE/QUERY_CONSUMER_OFFSET): the same group name
 * means the same committed positions whichever protocol asks.
 *
 * Durability: every change is appended to <dir>/config/offsets.log (see
 * offsets.c for the record layout) before the commit is acknowledged;
 * offsets_sync() writes the pending records and, when the store runs
 * SYNC_FLUSH, fdatasyncs them.  The log is compacted at open.
 * @locality: event loop thread.
 */
#ifndef FERRY_OFFSETS_H
#define FERRY_OFFSETS_H

#include <stddef.h>
#include <stdint.h>

typedef struct offset_store offset_store;

typedef struct offset_entry {
    const char *group;
    const char *topic;
    int32_t queue;
    int64_t offset;
    int32_t leader_epoch;
    int64_t commit_ms;
    const char *metadata; /* NUL-terminated, may be "" */
} offset_entry;

offset_store *offsets_open(const char *dir, int sync_writes, char *err,
                           size_t errlen);
void offsets_close(offset_store *os);
/* Records a commit in memory and queues its log record.  0 or -1. */
int offsets_commit(offset_store *os, const char *group, size_t glen,
                   const char *topic, size_t tlen, int32_t queue,
                   int64_t offset, int32_t leader_epoch, const char *meta,
                   size_t mlen, int64_t now_ms);
/* Writes queued records (and fdatasyncs in sync mode).  0 or -1. */
int offsets_sync(offset_store *os);
/* The committed entry or NULL. */
const offset_entry *offsets_get(offset_store *os, const char *group,
                                size_t glen, const char *topic, size_t tlen,
                                int32_t queue);
/* Calls cb for every entry of group (group == NULL: all entries). */
void offsets_foreach(offset_store *os, const char *group, size_t glen,
                     void (*cb)(void *arg, const offset_entry *e),
                     void *arg);
/* 1 if the group has any committed offset. */
int offsets_group_exists(offset_store *os, const char *group, size_t glen);
/* Drops all offsets of a group / of a topic.  Returns entries dropped. */
int offsets_delete_group(offset_store *os, const char *group, size_t glen);
int offsets_delete_topic(offset_store *os, const char *topic, size_t tlen);

#endif /* FERRY_OFFSETS_H */
