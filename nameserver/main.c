/*
 * main.c - ferry-namesrv: parse --key=value settings, run the name server
 * component (namesrv.h) on a libevent loop until SIGTERM or SIGINT; SIGHUP
 * reopens the log file (logFile) for rotation.
 * Exit codes: 0 clean stop, 1 bad configuration, 2 could not start.
 */
#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "namesrv.h"

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
           "reopened on SIGHUP\n");
}

static int ns_parse_args(namesrv_config *cfg, char *level, char *logfile,
                         size_t logfile_len, int argc, char **argv,
                         int *help)
{
    *help = 0;
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

int main(int argc, char **argv)
{
    namesrv_config cfg;
    namesrv_config_defaults(&cfg);
    char level[16] = "info";
    char logfile[4096] = "";
    int help;
    if (ns_parse_args(&cfg, level, logfile, sizeof logfile, argc, argv,
                      &help) != 0)
        return 1;
    if (help) {
        ns_usage();
        return 0;
    }
    log_set_level(log_level_parse(level));
    if (log_open(logfile) != 0) {
        fprintf(stderr, "ferry-namesrv: cannot open logFile %s: %s\n",
                logfile, strerror(errno));
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    struct event_base *base = event_base_new();
    if (!base) {
        fprintf(stderr, "ferry-namesrv: cannot create the event loop\n");
        return 2;
    }
    char err[256];
    namesrv *ns = namesrv_start(base, &cfg, err, sizeof err);
    if (!ns) {
        log_error("namesrv", NULL, "%s", err);
        event_base_free(base);
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
    log_info("namesrv", NULL, "stopped cleanly");
    return 0;
}
