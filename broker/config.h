/*
 * config.h - the broker's configuration: one table of keys (config.c) drives
 * the properties-file parser, the --key=value overrides, range checks and
 * --help.  Where RocketMQ's broker.conf or Kafka's server.properties already
 * name a setting, that name is accepted (as the key or an alias).
 *
 * Unknown keys and ill-typed values are refused with a message naming the
 * key, so a typo never silently becomes a default.
 */
#ifndef FERRY_CONFIG_H
#define FERRY_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define BROKER_FLUSH_ASYNC 0
#define BROKER_FLUSH_SYNC  1

typedef struct broker_config {
    /* identity */
    int64_t broker_id;
    char *broker_name;
    char *cluster_name;
    /* store */
    char *store_dir;
    int flush_disk_type;
    int64_t commitlog_segment_size;
    int64_t cq_entries_per_file;
    int64_t flush_interval_ms;
    int64_t sync_flush_timeout_ms;
    int64_t file_reserved_hours;
    int64_t disk_max_used_percent;
    int64_t max_message_size;
    int64_t index_slots;
    int64_t index_entries;
    int truncate_corrupt;
    /* kafka */
    char *listeners;
    char *advertised_listeners;
    int64_t num_partitions;
    int auto_create_topics;
    int64_t socket_request_max_bytes;
    int64_t fetch_max_wait_cap_ms;
    int64_t group_initial_rebalance_delay_ms;
    /* TLS (PEM files) */
    char *ssl_cert;
    char *ssl_key;
    char *ssl_key_password;
    char *ssl_ca;
    char *ssl_client_auth;
    /* TLS of the RocketMQ side (rmq_tls.c) */
    char *tls_mode;               /* tls.server.mode; "" = by certificate */
    int tls_enable;               /* register with name servers over TLS */
    char *tls_client_cert;
    char *tls_client_key;
    char *tls_client_key_password;
    char *tls_client_ca;
    /* process */
    int standalone;
    int64_t namesrv_port;
    /* RocketMQ face */
    int64_t listen_port;
    char *broker_ip;
    char *namesrv_addr;
    int64_t transaction_check_interval_ms;
    int64_t transaction_timeout_ms;
    int64_t transaction_check_max;
    char *log_level;
    char *log_file;
    int64_t metrics_port;
    char *metrics_bind;
    /* delayed delivery, retry */
    char *message_delay_level;
    int64_t timer_max_delay_sec;
} broker_config;

/* Sets every key to its default. */
void config_defaults(broker_config *cfg);
void config_release(broker_config *cfg);
/* Sets one key (name or alias) from text.  Returns 0, or -1 with a message
 * naming the key in err. */
int config_set(broker_config *cfg, const char *key, const char *value,
               char *err, size_t errlen);
/* Loads a properties file (key=value or key: value, # and ! comments). */
int config_load_file(broker_config *cfg, const char *path, char *err,
                     size_t errlen);
/* Parses argv: -c FILE, --key=value, --standalone, --help.  *help is set
 * when --help was given.  File values are applied before overrides. */
int config_parse_args(broker_config *cfg, int argc, char **argv, int *help,
                      char *err, size_t errlen);
/* Prints every key with its aliases, default and meaning. */
void config_print_help(const char *prog);
/* Writes "key=value" lines of the effective configuration to the log. */
void config_log(const broker_config *cfg);

/* Calls cb for every key with its current value as text, whether that is
 * the default, and a Kafka config type (1 boolean, 2 string, 5 long). */
void config_foreach(const broker_config *cfg,
                    void (*cb)(void *arg, const char *name,
                               const char *value, int is_default, int type,
                               const char *doc),
                    void *arg);

/* The table name of a key given by name or alias, or NULL if unknown. */
const char *config_canonical(const char *key);
/* 1 if the key (name or alias) may be changed while the broker runs. */
int config_is_dynamic(const char *key);
/* The current value of a key as text (passwords hidden).  0 or -1. */
int config_get_text(const broker_config *cfg, const char *key, char *out,
                    size_t outlen);

/* Parses "PLAINTEXT://host:port" (first listener of a comma list).  Returns
 * 0 and fills host (cap hostlen) and port, or -1. */
int config_parse_listener(const char *s, char *host, size_t hostlen,
                          int *port);
/* Finds the listener of a comma list whose protocol is proto
 * ("PLAINTEXT", "SSL"; case-insensitive) and parses it like
 * config_parse_listener.  0, -1 (malformed) or 1 (no such protocol). */
int config_find_listener(const char *list, const char *proto, char *host,
                         size_t hostlen, int *port);

#endif /* FERRY_CONFIG_H */
