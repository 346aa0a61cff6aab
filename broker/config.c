/*
 * config.c - the configuration table and its parsers.
 *
 * config_keys[] is the single source of truth: name, aliases (RocketMQ and
 * Kafka spellings), type, where the value lives in broker_config, default,
 * range and a one-line doc.  The file parser, the --key=value parser, the
 * range checks and --help all walk it (after redis config.c static_configs
 * and librdkafka's rdkafka_conf.c table).
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "rmq_schedule.h"

enum cfg_type { CFG_INT, CFG_BOOL, CFG_STR, CFG_FLUSH, CFG_LEVEL, CFG_DELAYS };

typedef struct config_key {
    const char *name;
    const char *aliases; /* space separated, may be NULL */
    enum cfg_type type;
    size_t offset;
    const char *def;
    int64_t min, max;
    const char *doc;
} config_key;

#define O(m) offsetof(broker_config, m)
#define I64MAX INT64_MAX

static const config_key config_keys[] = {
    {"brokerId", "broker.id node.id", CFG_INT, O(broker_id), "0", 0, 1 << 30,
     "numeric broker id (Kafka node id)"},
    {"brokerName", NULL, CFG_STR, O(broker_name), "broker-a", 0, 0,
     "broker name (RocketMQ)"},
    {"brokerClusterName", NULL, CFG_STR, O(cluster_name), "FerryCluster", 0,
     0, "cluster name; also the Kafka cluster id"},
    {"storePathRootDir", "log.dirs log.dir", CFG_STR, O(store_dir), "./data",
     0, 0, "data directory (CommitLog, ConsumeQueues, index, config)"},
    {"flushDiskType", NULL, CFG_FLUSH, O(flush_disk_type), "ASYNC_FLUSH", 0,
     0,
     "ASYNC_FLUSH: flush in the background; SYNC_FLUSH: acknowledge only "
     "after fsync (group commit)"},
    {"mappedFileSizeCommitLog", "log.segment.bytes", CFG_INT,
     O(commitlog_segment_size), "1073741824", 65536, (int64_t)1 << 40,
     "CommitLog segment file size in bytes"},
    {"mappedFileSizeConsumeQueue", NULL, CFG_INT, O(cq_entries_per_file),
     "300000", 64, 1 << 26, "ConsumeQueue entries per file"},
    {"flushIntervalCommitLog", "log.flush.interval.ms", CFG_INT,
     O(flush_interval_ms), "500", 1, 3600000,
     "ASYNC_FLUSH interval in milliseconds"},
    {"syncFlushTimeout", NULL, CFG_INT, O(sync_flush_timeout_ms), "5000", 1,
     600000, "SYNC_FLUSH: fail a write whose fsync takes longer (ms)"},
    {"fileReservedTime", "log.retention.hours", CFG_INT,
     O(file_reserved_hours), "72", 0, 24 * 365 * 100,
     "delete CommitLog segments older than this many hours"},
    {"diskMaxUsedSpaceRatio", NULL, CFG_INT, O(disk_max_used_percent), "75",
     10, 95, "delete oldest segments while disk use is above this percent"},
    {"maxMessageSize", "message.max.bytes", CFG_INT, O(max_message_size),
     "4194304", 1024, 1 << 30,
     "largest message or record batch accepted, in bytes"},
    {"maxHashSlotNum", NULL, CFG_INT, O(index_slots), "5000000", 16,
     1 << 28, "index file hash slots"},
    {"maxIndexNum", NULL, CFG_INT, O(index_entries), "20000000", 16, 1 << 28,
     "index file entries"},
    {"recoverTruncateCorrupt", NULL, CFG_BOOL, O(truncate_corrupt), "false",
     0, 0,
     "on corruption that is not a torn tail, truncate the CommitLog there "
     "instead of refusing to start (loses data after the damage)"},
    {"listeners", NULL, CFG_STR, O(listeners), "PLAINTEXT://0.0.0.0:9092", 0,
     0,
     "Kafka listeners, PLAINTEXT://host:port[,SSL://host:port] (port 0 "
     "disables one); with ssl.certificate.location set and no SSL:// entry, "
     "TLS listens on port 9093"},
    {"advertised.listeners", NULL, CFG_STR, O(advertised_listeners), "", 0, 0,
     "Kafka address given to clients in Metadata (default: listeners, with "
     "0.0.0.0 replaced by 127.0.0.1)"},
    {"num.partitions", "defaultTopicQueueNums", CFG_INT, O(num_partitions),
     "1", 1, 100000, "partitions (queues) of an auto-created topic"},
    {"auto.create.topics.enable", "autoCreateTopicEnable", CFG_BOOL,
     O(auto_create_topics), "true", 0, 0,
     "create unknown topics on produce or metadata"},
    {"socket.request.max.bytes", NULL, CFG_INT, O(socket_request_max_bytes),
     "104857600", 1024, 1 << 30, "largest Kafka request frame accepted"},
    {"fetch.max.wait.cap.ms", NULL, CFG_INT, O(fetch_max_wait_cap_ms),
     "30000", 0, 600000, "upper bound on a Fetch long poll's max_wait_ms"},
    {"group.initial.rebalance.delay.ms", NULL, CFG_INT,
     O(group_initial_rebalance_delay_ms), "3000", 0, 300000,
     "how long a new or empty group waits for more members before its "
     "first rebalance completes"},
    {"ssl.certificate.location",
     "ssl.keystore.location tlsServerCertPath tls.server.certPath", CFG_STR,
     O(ssl_cert), "", 0, 0,
     "PEM certificate chain of the SSL:// listener and of the RocketMQ "
     "remoting and embedded name server ports (may also hold the key)"},
    {"ssl.key.location", "tlsServerKeyPath tls.server.keyPath", CFG_STR,
     O(ssl_key), "", 0, 0,
     "PEM private key of the certificate above (default: the certificate "
     "file)"},
    {"ssl.key.password", "tlsServerKeyPassword tls.server.keyPassword",
     CFG_STR, O(ssl_key_password), "", 0, 0,
     "passphrase of an encrypted private key (never logged)"},
    {"ssl.ca.location",
     "ssl.truststore.location tlsServerTrustCertPath tls.server.trustCertPath",
     CFG_STR, O(ssl_ca), "", 0, 0,
     "PEM CA bundle that client certificates must chain to"},
    {"ssl.client.auth", "tlsServerNeedClientAuth tls.server.need.client.auth",
     CFG_STR, O(ssl_client_auth), "none", 0, 0,
     "client certificates: none, requested or required"},
    {"tls.server.mode", "tlsMode", CFG_STR, O(tls_mode), "", 0, 0,
     "TLS on the RocketMQ remoting ports and the embedded name server: "
     "disabled, permissive (TLS and plain on one port, told apart by the "
     "first byte, as RocketMQ does) or enforcing (TLS only); default: "
     "permissive when ssl.certificate.location is set, else disabled"},
    {"tls.enable", NULL, CFG_BOOL, O(tls_enable), "false", 0, 0,
     "register with the name servers of namesrvAddr over TLS (their "
     "certificate is verified: tls.client.trustCertPath, else the system "
     "store, and must name the namesrvAddr IP)"},
    {"tls.client.trustCertPath", NULL, CFG_STR, O(tls_client_ca), "", 0, 0,
     "PEM CA bundle the name servers' certificates must chain to"},
    {"tls.client.certPath", NULL, CFG_STR, O(tls_client_cert), "", 0, 0,
     "PEM client certificate shown to name servers that ask for one"},
    {"tls.client.keyPath", NULL, CFG_STR, O(tls_client_key), "", 0, 0,
     "PEM private key of tls.client.certPath (default: that file)"},
    {"tls.client.keyPassword", NULL, CFG_STR, O(tls_client_key_password), "",
     0, 0, "passphrase of an encrypted tls.client.keyPath (never logged)"},
    {"standalone", NULL, CFG_BOOL, O(standalone), "false", 0, 0,
     "run with an embedded name server (zero-setup mode)"},
    {"listenPort", NULL, CFG_INT, O(listen_port), "10911", 0, 65535,
     "RocketMQ remoting port (also listenPort-2, the old VIP port); 0 "
     "disables the RocketMQ face"},
    {"brokerIP1", NULL, CFG_STR, O(broker_ip), "127.0.0.1", 0, 0,
     "IPv4 address registered with the name server for RocketMQ clients"},
    {"namesrvAddr", NULL, CFG_STR, O(namesrv_addr), "", 0, 0,
     "name servers to register with, host:port;host:port (IPv4)"},
    {"namesrvListenPort", NULL, CFG_INT, O(namesrv_port), "9876", 0, 65535,
     "port of the embedded name server in standalone mode (0 disables it)"},
    {"transactionCheckInterval", NULL, CFG_INT,
     O(transaction_check_interval_ms), "60000", 100, 86400000,
     "ms between check-back runs over pending transactional (half) "
     "messages (RocketMQ 4.x default)"},
    {"transactionTimeOut", NULL, CFG_INT, O(transaction_timeout_ms), "6000",
     0, 86400000,
     "ms a half message waits for END_TRANSACTION before it is checked back "
     "(CHECK_IMMUNITY_TIME_IN_SECONDS overrides it per message)"},
    {"transactionCheckMax", NULL, CFG_INT, O(transaction_check_max), "15", 1,
     1000,
     "check-backs sent to a live producer before a still-unknown "
     "transaction is rolled back (kept in TRANS_CHECK_MAX_TIME_TOPIC)"},
    {"logLevel", "log.level", CFG_LEVEL, O(log_level), "info", 0, 0,
     "debug, info, warn or error"},
    {"metricsPort", "metrics.port", CFG_INT, O(metrics_port), "0", 0, 65535,
     "HTTP port serving Prometheus metrics at /metrics (0 = off)"},
    {"metricsBindAddress", NULL, CFG_STR, O(metrics_bind), "0.0.0.0", 0, 0,
     "address the metrics HTTP listener binds to"},
    {"logFile", "log.file", CFG_STR, O(log_file), "", 0, 0,
     "append the log to this file instead of stderr; reopened on SIGHUP "
     "(for logrotate)"},
    {"messageDelayLevel", NULL, CFG_DELAYS, O(message_delay_level),
     DELAY_DEFAULT_LEVELS, 0, 0,
     "delay of each RocketMQ delay level 1..n (property DELAY, Kafka "
     "header DELAY), space separated, units ms s m h d; at most 64"},
    {"timerMaxDelaySec", NULL, CFG_INT, O(timer_max_delay_sec), "259200", 1,
     (int64_t)100 * 365 * 86400,
     "a delivery time (TIMER_DELIVER_MS, TIMER_DELAY_SEC, TIMER_DELAY_MS, "
     "__STARTDELIVERTIME) further ahead than this many seconds is refused"},
};

#define N_KEYS (sizeof config_keys / sizeof config_keys[0])

static int config_key_matches(const config_key *k, const char *key)
{
    if (strcmp(k->name, key) == 0)
        return 1;
    if (!k->aliases)
        return 0;
    size_t kl = strlen(key);
    for (const char *a = k->aliases; *a;) {
        const char *e = strchr(a, ' ');
        size_t al = e ? (size_t)(e - a) : strlen(a);
        if (al == kl && memcmp(a, key, kl) == 0)
            return 1;
        if (!e)
            break;
        a = e + 1;
    }
    return 0;
}

static int config_apply(broker_config *cfg, const config_key *k,
                        const char *value, char *err, size_t errlen)
{
    char *base = (char *)cfg;
    switch (k->type) {
    case CFG_INT: {
        char *end;
        errno = 0;
        long long v = strtoll(value, &end, 10);
        if (errno || end == value || *end) {
            snprintf(err, errlen, "config key '%s': '%s' is not an integer",
                     k->name, value);
            return -1;
        }
        if (v < k->min || v > k->max) {
            snprintf(err, errlen,
                     "config key '%s': %lld is out of range [%" PRId64
                     ", %" PRId64 "]",
                     k->name, v, k->min, k->max);
            return -1;
        }
        *(int64_t *)(base + k->offset) = v;
        return 0;
    }
    case CFG_BOOL:
        if (!strcasecmp(value, "true") || !strcmp(value, "1") ||
            !strcasecmp(value, "yes"))
            *(int *)(base + k->offset) = 1;
        else if (!strcasecmp(value, "false") || !strcmp(value, "0") ||
                 !strcasecmp(value, "no"))
            *(int *)(base + k->offset) = 0;
        else {
            snprintf(err, errlen,
                     "config key '%s': '%s' is not a boolean (true/false)",
                     k->name, value);
            return -1;
        }
        return 0;
    case CFG_FLUSH:
        if (!strcasecmp(value, "ASYNC_FLUSH"))
            *(int *)(base + k->offset) = BROKER_FLUSH_ASYNC;
        else if (!strcasecmp(value, "SYNC_FLUSH"))
            *(int *)(base + k->offset) = BROKER_FLUSH_SYNC;
        else {
            snprintf(err, errlen,
                     "config key '%s': '%s' is not ASYNC_FLUSH or SYNC_FLUSH",
                     k->name, value);
            return -1;
        }
        return 0;
    case CFG_LEVEL:
        if (log_level_parse(value) < 0) {
            snprintf(err, errlen,
                     "config key '%s': '%s' is not debug/info/warn/error",
                     k->name, value);
            return -1;
        }
        /* stored as a string, like CFG_STR */
        __attribute__((fallthrough));
    case CFG_DELAYS:
        if (k->type == CFG_DELAYS) {
            int64_t ms[DELAY_MAX_LEVELS];
            char why[160];
            if (delay_levels_parse(value, ms, DELAY_MAX_LEVELS, why,
                                   sizeof why) < 0) {
                snprintf(err, errlen, "config key '%s': %s", k->name, why);
                return -1;
            }
        }
        __attribute__((fallthrough));
    case CFG_STR: {
        char **slot = (char **)(base + k->offset);
        char *dup = strdup(value);
        if (!dup) {
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        free(*slot);
        *slot = dup;
        return 0;
    }
    }
    return -1;
}

void config_defaults(broker_config *cfg)
{
    char err[256];
    memset(cfg, 0, sizeof *cfg);
    for (size_t i = 0; i < N_KEYS; i++)
        if (config_apply(cfg, &config_keys[i], config_keys[i].def, err,
                         sizeof err) != 0) {
            /* a bad default is our bug, caught by the unit test */
            fprintf(stderr, "bad default: %s\n", err);
        }
}

void config_release(broker_config *cfg)
{
    char *base = (char *)cfg;
    for (size_t i = 0; i < N_KEYS; i++) {
        if (config_keys[i].type == CFG_STR ||
            config_keys[i].type == CFG_LEVEL ||
            config_keys[i].type == CFG_DELAYS) {
            char **slot = (char **)(base + config_keys[i].offset);
            free(*slot);
            *slot = NULL;
        }
    }
}

int config_set(broker_config *cfg, const char *key, const char *value,
               char *err, size_t errlen)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (config_key_matches(&config_keys[i], key))
            return config_apply(cfg, &config_keys[i], value, err, errlen);
    snprintf(err, errlen, "unknown config key '%s' (see --help)", key);
    return -1;
}

static char *config_trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

int config_load_file(broker_config *cfg, const char *path, char *err,
                     size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "cannot open config file %s: %s", path,
                 strerror(errno));
        return -1;
    }
    char line[4096];
    int lineno = 0, rc = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *s = config_trim(line);
        if (!*s || *s == '#' || *s == '!')
            continue;
        char *sep = strpbrk(s, "=:");
        if (!sep) {
            snprintf(err, errlen, "%s:%d: expected key=value", path, lineno);
            rc = -1;
            break;
        }
        *sep = '\0';
        char *key = config_trim(s), *val = config_trim(sep + 1);
        char inner[512];
        if (config_set(cfg, key, val, inner, sizeof inner) != 0) {
            snprintf(err, errlen, "%s:%d: %s", path, lineno, inner);
            rc = -1;
            break;
        }
    }
    fclose(f);
    return rc;
}

int config_parse_args(broker_config *cfg, int argc, char **argv, int *help,
                      char *err, size_t errlen)
{
    *help = 0;
    /* First the file, so that command-line overrides win. */
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-c") == 0) {
            if (i + 1 >= argc) {
                snprintf(err, errlen, "-c needs a file name");
                return -1;
            }
            if (config_load_file(cfg, argv[i + 1], err, errlen) != 0)
                return -1;
            i++;
        }
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-c") == 0) {
            i++;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            *help = 1;
            continue;
        }
        if (strncmp(a, "--", 2) != 0) {
            snprintf(err, errlen, "unexpected argument '%s'", a);
            return -1;
        }
        char key[256];
        const char *eq = strchr(a + 2, '=');
        const char *val;
        size_t kl = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
        if (kl >= sizeof key) {
            snprintf(err, errlen, "argument '%.40s...' is too long", a);
            return -1;
        }
        memcpy(key, a + 2, kl);
        key[kl] = '\0';
        if (eq) {
            val = eq + 1;
        } else {
            /* "--standalone" style flags are booleans set to true */
            val = "true";
        }
        if (config_set(cfg, key, val, err, errlen) != 0)
            return -1;
    }
    return 0;
}

void config_print_help(const char *prog)
{
    printf("usage: %s [--standalone] [-c FILE] [--key=value ...]\n\n"
           "Every key can be set in the properties file or as --key=value "
           "(command line wins).\n\n",
           prog);
    for (size_t i = 0; i < N_KEYS; i++) {
        const config_key *k = &config_keys[i];
        printf("  %-28s default %s\n", k->name, *k->def ? k->def : "\"\"");
        if (k->aliases)
            printf("  %-28s aliases: %s\n", "", k->aliases);
        printf("  %-28s %s\n", "", k->doc);
    }
}

void config_log(const broker_config *cfg)
{
    const char *base = (const char *)cfg;
    for (size_t i = 0; i < N_KEYS; i++) {
        const config_key *k = &config_keys[i];
        switch (k->type) {
        case CFG_INT:
            log_debug("config", NULL, "%s=%" PRId64, k->name,
                      *(const int64_t *)(base + k->offset));
            break;
        case CFG_BOOL:
            log_debug("config", NULL, "%s=%s", k->name,
                      *(const int *)(base + k->offset) ? "true" : "false");
            break;
        case CFG_FLUSH:
            log_debug("config", NULL, "%s=%s", k->name,
                      *(const int *)(base + k->offset) ? "SYNC_FLUSH"
                                                       : "ASYNC_FLUSH");
            break;
        case CFG_STR:
        case CFG_LEVEL:
        case CFG_DELAYS:
            log_debug("config", NULL, "%s=%s", k->name,
                      strcasestr(k->name, "password")
                          ? "(hidden)"
                          : *(char *const *)(base + k->offset));
            break;
        }
    }
}

void config_foreach(const broker_config *cfg,
                    void (*cb)(void *arg, const char *name,
                               const char *value, int is_default, int type,
                               const char *doc),
                    void *arg)
{
    const char *base = (const char *)cfg;
    for (size_t i = 0; i < N_KEYS; i++) {
        const config_key *k = &config_keys[i];
        char text[512];
        int type = 2;
        switch (k->type) {
        case CFG_INT:
            snprintf(text, sizeof text, "%" PRId64,
                     *(const int64_t *)(base + k->offset));
            type = 5;
            break;
        case CFG_BOOL:
            snprintf(text, sizeof text, "%s",
                     *(const int *)(base + k->offset) ? "true" : "false");
            type = 1;
            break;
        case CFG_FLUSH:
            snprintf(text, sizeof text, "%s",
                     *(const int *)(base + k->offset) ? "SYNC_FLUSH"
                                                      : "ASYNC_FLUSH");
            break;
        case CFG_STR:
        case CFG_LEVEL:
        case CFG_DELAYS: {
            const char *v = *(char *const *)(base + k->offset);
            snprintf(text, sizeof text, "%s",
                     strcasestr(k->name, "password") && v && *v ? "(hidden)"
                                                           : (v ? v : ""));
            break;
        }
        }
        cb(arg, k->name, text, strcasecmp(text, k->def) == 0, type, k->doc);
    }
}

/* Keys that take effect while the broker runs: each is either read where
 * it is used (no copy elsewhere) or pushed by dynconf.c (log level,
 * retention).  Everything else is fixed for the process's life. */
static const char *const config_dynamic_keys[] = {
    "logLevel",
    "fileReservedTime",
    "diskMaxUsedSpaceRatio",
    "num.partitions",
    "auto.create.topics.enable",
    "fetch.max.wait.cap.ms",
    "group.initial.rebalance.delay.ms",
    "transactionCheckInterval",
    "transactionTimeOut",
    "transactionCheckMax",
    "timerMaxDelaySec", /* read where used (delay_timer_max_ms) */
    NULL,
};

const char *config_canonical(const char *key)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (config_key_matches(&config_keys[i], key))
            return config_keys[i].name;
    return NULL;
}

int config_is_dynamic(const char *key)
{
    const char *name = config_canonical(key);
    for (int i = 0; name && config_dynamic_keys[i]; i++)
        if (strcmp(config_dynamic_keys[i], name) == 0)
            return 1;
    return 0;
}

typedef struct text_of {
    const char *name;
    char *out;
    size_t outlen;
    int found;
} text_of;

static void text_of_cb(void *arg, const char *name, const char *value,
                       int is_default, int type, const char *doc)
{
    text_of *t = arg;
    (void)is_default;
    (void)type;
    (void)doc;
    if (!t->found && strcmp(name, t->name) == 0) {
        snprintf(t->out, t->outlen, "%s", value);
        t->found = 1;
    }
}

int config_get_text(const broker_config *cfg, const char *key, char *out,
                    size_t outlen)
{
    text_of t = {config_canonical(key), out, outlen, 0};
    if (!t.name)
        return -1;
    config_foreach(cfg, text_of_cb, &t);
    return t.found ? 0 : -1;
}

int config_find_listener(const char *list, const char *proto, char *host,
                         size_t hostlen, int *port)
{
    size_t pl = strlen(proto);
    const char *s = list;
    while (s && *s) {
        while (*s == ' ' || *s == ',')
            s++;
        const char *sep = strstr(s, "://");
        const char *end = strchr(s, ',');
        if (!sep || (end && sep > end))
            return -1;
        if ((size_t)(sep - s) == pl && strncasecmp(s, proto, pl) == 0)
            return config_parse_listener(s, host, hostlen, port);
        s = end ? end + 1 : NULL;
    }
    return 1;
}

int config_parse_listener(const char *s, char *host, size_t hostlen,
                          int *port)
{
    const char *p = strstr(s, "://");
    p = p ? p + 3 : s;
    const char *end = strchr(p, ',');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    const char *colon = NULL;
    for (size_t i = 0; i < n; i++)
        if (p[i] == ':')
            colon = p + i;
    if (!colon)
        return -1;
    const char *h = p;
    size_t hl = (size_t)(colon - p);
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
        h++;
        hl -= 2;
    }
    if (hl >= hostlen)
        return -1;
    memcpy(host, h, hl);
    host[hl] = '\0';
    char pbuf[16];
    size_t pl = n - (size_t)(colon + 1 - p);
    if (pl == 0 || pl >= sizeof pbuf)
        return -1;
    memcpy(pbuf, colon + 1, pl);
    pbuf[pl] = '\0';
    char *e;
    long v = strtol(pbuf, &e, 10);
    if (*e || v < 0 || v > 65535)
        return -1;
    *port = (int)v;
    return 0;
}
