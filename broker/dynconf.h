/*
 * dynconf.h - broker settings changed while it runs, through Kafka's
 * IncrementalAlterConfigs / AlterConfigs on the broker resource and
 * RocketMQ's UPDATE_BROKER_CONFIG.
 *
 * Only the keys config_is_dynamic() names can change; a change is
 * validated as a whole (all or nothing), applied to the live broker_config
 * and pushed to whoever holds a copy (log level, store retention), then
 * persisted in <storePathRootDir>/config/broker-dynamic.properties
 * (temp file, fsync, rename).  At start that file is applied over the
 * properties file and command line, as Kafka's dynamic broker configs
 * override server.properties: the last value set at run time wins, and a
 * revert (Kafka DELETE) returns the key to its static value.
 * @locality: event loop thread.
 */
#ifndef FERRY_DYNCONF_H
#define FERRY_DYNCONF_H

#include <stddef.h>

#include "broker.h"

typedef struct dynconf_change {
    const char *key;   /* name or alias */
    const char *value; /* NULL: revert to the static value */
} dynconf_change;

/* Remembers the static values and applies the persisted overrides.  0, or
 * -1 with a message naming the file and key (a bad file stops the start,
 * as a bad properties file does). */
int dynconf_load(broker *b, char *err, size_t errlen);
/* Validates every change, then (unless validate_only) applies and
 * persists them.  0, or -1 with a message naming the key. */
int dynconf_apply(broker *b, const dynconf_change *ch, int n,
                  int validate_only, char *err, size_t errlen);
/* 1 if the key currently holds a value set at run time. */
int dynconf_is_set(const char *key);
void dynconf_release(void);

#endif /* FERRY_DYNCONF_H */
