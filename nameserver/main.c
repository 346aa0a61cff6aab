/*
 * main.c - ferry-namesrv: parse --key=value settings, run the name server
 * component (namesrv.h) on a libevent loop until SIGTERM or SIGINT.
 * Exit codes: 0 clean stop, 1 bad configuration, 2 could not start.
 */
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

static void ns_usage(void)
{
    printf("usage: ferry-namesrv [--key=value ...]\n\n"
           "  listenPort            default 9876   port to listen on\n"
           "  bindAddress           default 0.0.0.0\n"
           "  brokerTimeoutMillis   default 120000 a broker expires after "
           "this long without registering\n"
           "  maxFrameSize          default 16777216 largest request frame\n"
           "  logLevel              default info   debug, info, warn, "
           "error\n");
}

static int ns_parse_args(namesrv_config *cfg, char *level, int argc,
                         char **argv, int *help)
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
    int help;
    if (ns_parse_args(&cfg, level, argc, argv, &help) != 0)
        return 1;
    if (help) {
        ns_usage();
        return 0;
    }
    log_set_level(log_level_parse(level));
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
    event_add(st, NULL);
    event_add(si, NULL);
    event_base_dispatch(base);
    namesrv_stop(ns);
    event_free(st);
    event_free(si);
    event_base_free(base);
    log_info("namesrv", NULL, "stopped cleanly");
    return 0;
}
