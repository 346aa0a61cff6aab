/*
 * main.c - ferry-namesrv: parse --key=value settings, run the name server
 * component (namesrv.h) on a libevent loop until SIGTERM or SIGINT; SIGHUP
 * reopens the log file (logFile) for rotation.
 * TLS keys are RocketMQ's (tls.server.*), also read from the properties
 * file named by tls.config.file as RocketMQ's name server does.
 * Exit codes: 0 clean stop, 1 bad configuration, 2 could not start.
 */
#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "namesrv.h"
#include "tls.h"

/* TLS settings as given (owned copies), turned into a context in main. */
typedef struct ns_tls_opts {
    char *mode; /* NULL: permissive with a certificate, else disabled */
    char *cert, *key, *key_password, *ca, *client_auth;
} ns_tls_opts;

static void ns_tls_opts_release(ns_tls_opts *t)
{
    free(t->mode);
    free(t->cert);
    free(t->key);
    free(t->key_password);
    free(t->ca);
    free(t->client_auth);
    memset(t, 0, sizeof *t);
}

static int ns_set_str(char **slot, const char *v)
{
    char *d = strdup(v);
    if (!d)
        return -1;
    free(*slot);
    *slot = d;
    return 0;
}

/* Sets one TLS key (RocketMQ's name, or the broker's ssl.* name).
 * 1 when the key is a TLS key, 0 when it is not one, -1 out of memory. */
static int ns_tls_set(ns_tls_opts *t, const char *k, size_t kl, const char *v)
{
    static const struct {
        const char *name;
        size_t off;
    } keys[] = {
        {"tls.server.mode", offsetof(ns_tls_opts, mode)},
        {"tlsMode", offsetof(ns_tls_opts, mode)},
        {"tls.server.certPath", offsetof(ns_tls_opts, cert)},
        {"ssl.certificate.location", offsetof(ns_tls_opts, cert)},
        {"tls.server.keyPath", offsetof(ns_tls_opts, key)},
        {"ssl.key.location", offsetof(ns_tls_opts, key)},
        {"tls.server.keyPassword", offsetof(ns_tls_opts, key_password)},
        {"ssl.key.password", offsetof(ns_tls_opts, key_password)},
        {"tls.server.trustCertPath", offsetof(ns_tls_opts, ca)},
        {"ssl.ca.location", offsetof(ns_tls_opts, ca)},
        {"tls.server.need.client.auth", offsetof(ns_tls_opts, client_auth)},
        {"ssl.client.auth", offsetof(ns_tls_opts, client_auth)},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (kl == strlen(keys[i].name) && !strncmp(k, keys[i].name, kl))
            return ns_set_str((char **)((char *)t + keys[i].off), v) == 0
                       ? 1
                       : -1;
    return 0;
}

/* Reads RocketMQ's tls.properties (key=value lines; only tls.* keys and
 * the ssl.* spellings above; the rest, like tls.test.mode.enable, are
 * ignored with a warning).  0 or -1 with a message on stderr. */
static int ns_tls_load_file(ns_tls_opts *t, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "ferry-namesrv: tls.config.file '%s': %s\n", path,
                strerror(errno));
        return -1;
    }
    char line[4096];
    int rc = 0;
    while (fgets(line, sizeof line, f)) {
        char *p = line;
        while (*p == ' ' || *p == '\t')
            p++;
        size_t n = strcspn(p, "\r\n");
        p[n] = '\0';
        if (!*p || *p == '#' || *p == '!')
            continue;
        char *eq = strpbrk(p, "=:");
        if (!eq)
            continue;
        char *ke = eq;
        while (ke > p && (ke[-1] == ' ' || ke[-1] == '\t'))
            ke--;
        char *v = eq + 1;
        while (*v == ' ' || *v == '\t')
            v++;
        char *ve = v + strlen(v);
        while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
            *--ve = '\0';
        int r = ns_tls_set(t, p, (size_t)(ke - p), v);
        if (r < 0) {
            rc = -1;
            break;
        }
        if (r == 0)
            fprintf(stderr, "ferry-namesrv: %s: ignoring '%.*s'\n", path,
                    (int)(ke - p), p);
    }
    fclose(f);
    return rc;
}

static void ns_signal_cb(evutil_socket_t sig, short what, void *arg)
{
    struct event_base *base = arg;
    (void)what;
    log_info("namesrv", NULL, "signal %d, shutting down", (int)sig);
    event_base_loopexit(base, NULL);
}

static void ns_hup_cb(evutil_socket_t sig, short what, void *arg)
{
    (void)sig;
    (void)what;
    (void)arg;
    if (log_reopen() != 0)
        log_error("namesrv", NULL, "SIGHUP: cannot reopen the log file: %s",
                  strerror(errno));
    else
        log_info("namesrv", NULL, "SIGHUP received, log file reopened");
}

static void ns_usage(void)
{
    printf("usage: ferry-namesrv [--key=value ...]\n\n"
           "  listenPort            default 9876   port to listen on\n"
           "  bindAddress           default 0.0.0.0\n"
           "  brokerTimeoutMillis   default 120000 a broker expires after "
           "this long without registering\n"
           "  maxFrameSize          default 16777216 largest request frame\n"
           "  logLevel              default info   debug, info, warn, "
           "error\n"
           "  logFile               default stderr append the log here; "
           "reopened on SIGHUP\n"
           "\nTLS (RocketMQ's keys; the broker's ssl.* names work too):\n"
           "  tls.server.mode       default permissive with a certificate, "
           "else disabled\n"
           "                        disabled | permissive (TLS and plain on "
           "one port) |\n"
           "                        enforcing (TLS only)  alias: tlsMode\n"
           "  tls.server.certPath   PEM certificate chain  alias: "
           "ssl.certificate.location\n"
           "  tls.server.keyPath    PEM private key (default: the "
           "certificate file)\n"
           "                        alias: ssl.key.location\n"
           "  tls.server.keyPassword  passphrase of an encrypted key  "
           "alias: ssl.key.password\n"
           "  tls.server.trustCertPath  CA bundle for client certificates  "
           "alias: ssl.ca.location\n"
           "  tls.server.need.client.auth  none | optional | require  "
           "alias: ssl.client.auth\n"
           "  tls.config.file       a properties file with the keys above "
           "(RocketMQ's\n"
           "                        tls.properties); command-line keys "
           "win\n");
}

static int ns_parse_args(namesrv_config *cfg, char *level, char *logfile,
                         size_t logfile_len, ns_tls_opts *tls, int argc,
                         char **argv, int *help)
{
    *help = 0;
    /* tls.config.file first, so that command-line keys win */
    for (int i = 1; i < argc; i++) {
        static const char fk[] = "--tls.config.file=";
        if (!strncmp(argv[i], fk, sizeof fk - 1) &&
            ns_tls_load_file(tls, argv[i] + sizeof fk - 1) != 0)
            return -1;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            *help = 1;
            continue;
        }
        const char *eq = strchr(a, '=');
        if (strncmp(a, "--", 2) != 0 || !eq) {
            fprintf(stderr, "ferry-namesrv: unexpected argument '%s'\n", a);
            return -1;
        }
        size_t kl = (size_t)(eq - a - 2);
        const char *v = eq + 1;
        char *end;
        long long n = strtoll(v, &end, 10);
        int numeric = *v && !*end;
#define KEY(s) (kl == strlen(s) && !strncmp(a + 2, s, kl))
        int t = ns_tls_set(tls, a + 2, kl, v);
        if (t < 0) {
            fprintf(stderr, "ferry-namesrv: out of memory\n");
            return -1;
        }
        if (t > 0 || KEY("tls.config.file"))
            continue;
        if (KEY("listenPort") && numeric && n >= 0 && n <= 65535)
            cfg->port = (int)n;
        else if (KEY("bindAddress") && strlen(v) < sizeof cfg->bind)
            snprintf(cfg->bind, sizeof cfg->bind, "%s", v);
        else if (KEY("brokerTimeoutMillis") && numeric && n >= 1000)
            cfg->broker_timeout_ms = n;
        else if (KEY("maxFrameSize") && numeric && n >= 1024 &&
                 n <= (1 << 30))
            cfg->max_frame = (size_t)n;
        else if (KEY("logLevel") && log_level_parse(v) >= 0 &&
                 strlen(v) < 16)
            snprintf(level, 16, "%s", v);
        else if (KEY("logFile") && strlen(v) < logfile_len)
            snprintf(logfile, logfile_len, "%s", v);
        else {
            fprintf(stderr,
                    "ferry-namesrv: unknown config key or bad value: '%s' "
                    "(see --help)\n",
                    a);
            return -1;
        }
#undef KEY
    }
    return 0;
}

/* Turns the TLS settings into cfg->tls_mode and cfg->tls_ctx (owned by
 * the caller).  0, or -1 with the reason logged. */
static int ns_tls_setup(const ns_tls_opts *t, namesrv_config *cfg)
{
    int has_cert = t->cert && *t->cert;
    cfg->tls_mode = has_cert ? TLS_MODE_PERMISSIVE : TLS_MODE_DISABLED;
    if (t->mode && *t->mode && tls_mode_parse(t->mode, &cfg->tls_mode) != 0) {
        log_error("namesrv", NULL,
                  "tls.server.mode: '%s' is not disabled, permissive or "
                  "enforcing",
                  t->mode);
        return -1;
    }
    if (cfg->tls_mode == TLS_MODE_DISABLED)
        return 0;
    if (!has_cert) {
        log_error("namesrv", NULL,
                  "tls.server.mode=%s needs tls.server.certPath",
                  tls_mode_name(cfg->tls_mode));
        return -1;
    }
    tls_config tc;
    memset(&tc, 0, sizeof tc);
    tc.cert_file = t->cert;
    tc.key_file = t->key && *t->key ? t->key : t->cert;
    tc.key_password =
        t->key_password && *t->key_password ? t->key_password : NULL;
    tc.ca_file = t->ca && *t->ca ? t->ca : NULL;
    if (tls_client_auth_parse(t->client_auth ? t->client_auth : "none",
                              &tc.client_auth) != 0) {
        log_error("namesrv", NULL,
                  "tls.server.need.client.auth: '%s' is not none, optional "
                  "or require",
                  t->client_auth);
        return -1;
    }
    char err[512];
    cfg->tls_ctx = tls_server_ctx_new(&tc, err, sizeof err);
    if (!cfg->tls_ctx) {
        log_error("namesrv", NULL, "%s", err);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    namesrv_config cfg;
    namesrv_config_defaults(&cfg);
    char level[16] = "info";
    char logfile[4096] = "";
    int help;
    ns_tls_opts tls;
    memset(&tls, 0, sizeof tls);
    if (ns_parse_args(&cfg, level, logfile, sizeof logfile, &tls, argc,
                      argv, &help) != 0) {
        ns_tls_opts_release(&tls);
        return 1;
    }
    if (help) {
        ns_usage();
        ns_tls_opts_release(&tls);
        return 0;
    }
    log_set_level(log_level_parse(level));
    if (log_open(logfile) != 0) {
        fprintf(stderr, "ferry-namesrv: cannot open logFile %s: %s\n",
                logfile, strerror(errno));
        return 1;
    }
    int bad_tls = ns_tls_setup(&tls, &cfg) != 0;
    ns_tls_opts_release(&tls);
    if (bad_tls)
        return 1;
    signal(SIGPIPE, SIG_IGN);
    struct event_base *base = event_base_new();
    if (!base) {
        fprintf(stderr, "ferry-namesrv: cannot create the event loop\n");
        tls_ctx_free(cfg.tls_ctx);
        return 2;
    }
    char err[256];
    namesrv *ns = namesrv_start(base, &cfg, err, sizeof err);
    if (!ns) {
        log_error("namesrv", NULL, "%s", err);
        event_base_free(base);
        tls_ctx_free(cfg.tls_ctx);
        return 2;
    }
    struct event *st = evsignal_new(base, SIGTERM, ns_signal_cb, base);
    struct event *si = evsignal_new(base, SIGINT, ns_signal_cb, base);
    struct event *sh = evsignal_new(base, SIGHUP, ns_hup_cb, NULL);
    event_add(st, NULL);
    event_add(si, NULL);
    event_add(sh, NULL);
    event_base_dispatch(base);
    namesrv_stop(ns);
    event_free(st);
    event_free(si);
    event_free(sh);
    event_base_free(base);
    tls_ctx_free(cfg.tls_ctx);
    log_info("namesrv", NULL, "stopped cleanly");
    return 0;
}
