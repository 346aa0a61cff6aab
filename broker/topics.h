/*
 * topics.h - the topic registry: every topic's name, queue (partition)
 * count, id and configs, shared by the Kafka and (later) RocketMQ faces.
 *
 * Persisted as JSON in <storePathRootDir>/config/topics.json, rewritten
 * atomically (temp file, fsync, rename) on every change.  Owned by the event
 * loop thread (@locality: main loop).
 */
#ifndef FERRY_TOPICS_H
#define FERRY_TOPICS_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

#define TOPIC_NAME_MAX 249

typedef struct topic_config_entry {
    char *name;
    char *value;
} topic_config_entry;

typedef struct topic {
    char *name;
    size_t name_len;
    int32_t queues;        /* partitions / queues, numbered 0..queues-1 */
    uint8_t id[16];        /* Kafka topic id (random UUID) */
    int64_t created_ms;
    int is_internal;       /* system topic: hidden from Kafka listings */
    topic_config_entry *configs;
    int n_configs;
    store_queue **sq;      /* per queue, resolved lazily */
} topic;

typedef struct topic_registry topic_registry;

/* Loads (or creates empty) the registry under dir.  NULL + err on failure. */
topic_registry *topics_open(const char *dir, store *st, char *err,
                            size_t errlen);
void topics_close(topic_registry *reg);
topic *topics_find(topic_registry *reg, const char *name, size_t len);
/* Validates the name ([a-zA-Z0-9._-], 1..249, not "." or ".."); returns 0
 * or -1 with a reason. */
int topics_validate_name(const char *name, size_t len, char *err,
                         size_t errlen);
/* Bumped on every change (create, delete, queue count, configs): lets the
 * RocketMQ face re-register routes when something changed. */
uint64_t topics_version(topic_registry *reg);
/* Like topics_create, for names RocketMQ allows beyond Kafka's
 * ([%|a-zA-Z0-9._-], up to 255: %RETRY%group, TBW102, ...); internal
 * topics are hidden from Kafka listings. */
int topics_create_any(topic_registry *reg, const char *name, size_t len,
                      int32_t queues, int internal, topic **out, char *err,
                      size_t errlen);
/* Creates and persists a topic.  Returns 0, -1 (invalid: err set), or -2
 * (exists). */
int topics_create(topic_registry *reg, const char *name, size_t len,
                  int32_t queues, const topic_config_entry *configs,
                  int n_configs, topic **out, char *err, size_t errlen);
/* The store queue of (t, q), created on first use; NULL if q is out of
 * range. */
store_queue *topics_queue(topic_registry *reg, topic *t, int32_t q);
/* Iteration in name order is not guaranteed. */
int topics_count(topic_registry *reg);
topic *topics_at(topic_registry *reg, int i);
const char *topics_config_get(const topic *t, const char *name);
/* Deletes a topic: registry entry and its ConsumeQueues (CommitLog records
 * stay until retention).  0 or -1. */
int topics_delete(topic_registry *reg, topic *t);
/* Grows a topic to `queues` queues (never shrinks).  0 or -1. */
int topics_set_queues(topic_registry *reg, topic *t, int32_t queues);
/* Replaces the topic's configs with the given set and persists.  0/-1. */
int topics_replace_configs(topic_registry *reg, topic *t,
                           const topic_config_entry *configs, int n);

#endif /* FERRY_TOPICS_H */
