/*
 * main.c - ferry-broker: parse configuration, open the store (running
 * recovery), load topics, start listeners, run the event loop until SIGTERM
 * or SIGINT, then shut down cleanly: stop accepting, flush everything, write
 * the checkpoint and the clean-shutdown marker.
 *
 * Exit codes: 0 clean stop, 1 bad configuration, 2 store or listener could
 * not start (the message says which file/position or address).
 */
#include <errno.h>
#include <event2/thread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "broker.h"
#include "namesrv.h"
#include "rmq.h"
#include "rmq_tls.h"
#include "kafka_int.h"
#include "dynconf.h"
#include "log.h"
#include "metrics.h"

void broker_run_posted(evutil_socket_t fd, short what, void *arg);
void broker_wake_fetches(evutil_socket_t fd, short what, void *arg);

static void broker_wake_rmq(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    rmq_notify_append(arg);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    broker *b = arg;
    (void)what;
    log_info("broker", NULL, "%s received, shutting down",
             sig == SIGTERM ? "SIGTERM" : "SIGINT");
    b->stopping = 1;
    event_base_loopexit(b->base, NULL);
}

static void on_hup(evutil_socket_t sig, short what, void *arg)
{
    (void)sig;
    (void)what;
    (void)arg;
    if (log_reopen() != 0)
        log_error("broker", NULL, "SIGHUP: cannot reopen the log file: %s",
                  strerror(errno));
    else
        log_info("broker", NULL, "SIGHUP received, log file reopened");
}

static void on_retention(evutil_socket_t fd, short what, void *arg)
{
    broker *b = arg;
    (void)fd;
    (void)what;
    struct timeval tv;
    gettimeofday(&tv, NULL);
    int n = store_retention_run(b->st, (int64_t)tv.tv_sec * 1000 +
                                           tv.tv_usec / 1000);
    if (n > 0)
        log_info("store", NULL, "retention deleted %d CommitLog segments", n);
}

static int mkdir_p(const char *path)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n >= sizeof buf)
        return -1;
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return -1;
            buf[i] = c;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    broker_config cfg;
    char err[1024];
    int help;
    config_defaults(&cfg);
    if (config_parse_args(&cfg, argc, argv, &help, err, sizeof err) != 0) {
        fprintf(stderr, "ferry-broker: %s\n", err);
        config_release(&cfg);
        return 1;
    }
    if (help) {
        config_print_help("ferry-broker");
        config_release(&cfg);
        return 0;
    }
    log_set_level(log_level_parse(cfg.log_level));
    if (log_open(cfg.log_file) != 0) {
        fprintf(stderr, "ferry-broker: cannot open logFile %s: %s\n",
                cfg.log_file, strerror(errno));
        config_release(&cfg);
        return 1;
    }
    /* the RocketMQ side's TLS (remoting ports, embedded name server):
     * a bad key or certificate is a configuration error */
    if (rmq_tls_init(&cfg, err, sizeof err) != 0) {
        fprintf(stderr, "ferry-broker: %s\n", err);
        config_release(&cfg);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    evthread_use_pthreads();

    broker b;
    memset(&b, 0, sizeof b);
    b.cfg = &cfg;
    pthread_mutex_init(&b.post_lock, NULL);
    /* store host: 127.0.0.1 until the remoting face knows better */
    b.store_host.addr[10] = 0xff;
    b.store_host.addr[11] = 0xff;
    b.store_host.addr[12] = 127;
    b.store_host.addr[15] = 1;

    if (mkdir_p(cfg.store_dir) != 0) {
        fprintf(stderr, "ferry-broker: cannot create %s: %s\n", cfg.store_dir,
                strerror(errno));
        config_release(&cfg);
        rmq_tls_shutdown();
        return 2;
    }
    store_config sc;
    store_config_defaults(&sc);
    sc.dir = cfg.store_dir;
    sc.commitlog_segment_size = (uint64_t)cfg.commitlog_segment_size;
    sc.cq_entries_per_file = (uint32_t)cfg.cq_entries_per_file;
    sc.index_slots = (uint32_t)cfg.index_slots;
    sc.index_entries = (uint32_t)cfg.index_entries;
    sc.flush_mode = cfg.flush_disk_type == BROKER_FLUSH_SYNC
                        ? STORE_FLUSH_SYNC
                        : STORE_FLUSH_ASYNC;
    sc.flush_interval_ms = (uint32_t)cfg.flush_interval_ms;
    sc.sync_flush_timeout_ms = (uint32_t)cfg.sync_flush_timeout_ms;
    sc.file_reserved_ms = (uint64_t)cfg.file_reserved_hours * 3600 * 1000;
    sc.disk_max_used_percent = (uint32_t)cfg.disk_max_used_percent;
    sc.max_record_size = (uint32_t)cfg.max_message_size + 64 * 1024;
    sc.truncate_corrupt = cfg.truncate_corrupt;
    if ((uint64_t)sc.max_record_size + 4096 > sc.commitlog_segment_size) {
        /* A record must fit in one segment; small (test) segments clamp
         * the largest accepted message instead of refusing to start. */
        sc.max_record_size = (uint32_t)(sc.commitlog_segment_size - 4096);
        cfg.max_message_size = (int64_t)sc.max_record_size - 4096;
        log_warn("broker", NULL,
                 "maxMessageSize lowered to %lld to fit "
                 "mappedFileSizeCommitLog=%lld",
                 (long long)cfg.max_message_size,
                 (long long)cfg.commitlog_segment_size);
    }
    log_info("broker", NULL, "opening store in %s (%s)", cfg.store_dir,
             sc.flush_mode == STORE_FLUSH_SYNC ? "SYNC_FLUSH" : "ASYNC_FLUSH");
    b.st = store_open(&sc, err, sizeof err);
    if (!b.st) {
        log_error("store", NULL, "cannot open the store: %s", err);
        config_release(&cfg);
        rmq_tls_shutdown();
        return 2;
    }
    const store_recovery_info *ri = store_recovery_info_get(b.st);
    if (ri)
        log_info("store", NULL, "%s", ri->summary);
    b.topics = topics_open(cfg.store_dir, b.st, err, sizeof err);
    if (!b.topics) {
        log_error("topics", NULL, "%s", err);
        store_close(b.st);
        config_release(&cfg);
        rmq_tls_shutdown();
        return 2;
    }
    b.offsets = offsets_open(cfg.store_dir,
                             cfg.flush_disk_type == BROKER_FLUSH_SYNC, err,
                             sizeof err);
    if (!b.offsets) {
        log_error("offsets", NULL, "%s", err);
        topics_close(b.topics);
        store_close(b.st);
        config_release(&cfg);
        rmq_tls_shutdown();
        return 2;
    }
    if (dynconf_load(&b, err, sizeof err) != 0) {
        log_error("config", NULL, "%s", err);
        offsets_close(b.offsets);
        topics_close(b.topics);
        store_close(b.st);
        config_release(&cfg);
        return 1;
    }
    b.base = event_base_new();
    if (!b.base) {
        log_error("broker", NULL, "cannot create the event loop");
        return 2;
    }
    b.post_ev = event_new(b.base, -1, 0, broker_run_posted, &b);
    b.fetch_wake_ev = event_new(b.base, -1, 0, broker_wake_fetches, &b);
    b.rmq_wake_ev = event_new(b.base, -1, 0, broker_wake_rmq, &b);
    b.sig_term = evsignal_new(b.base, SIGTERM, on_signal, &b);
    b.sig_int = evsignal_new(b.base, SIGINT, on_signal, &b);
    b.retention_ev = event_new(b.base, -1, EV_PERSIST, on_retention, &b);
    event_add(b.sig_term, NULL);
    event_add(b.sig_int, NULL);
    b.sig_hup = evsignal_new(b.base, SIGHUP, on_hup, &b);
    event_add(b.sig_hup, NULL);
    struct timeval minute = {60, 0};
    event_add(b.retention_ev, &minute);

    kafka_group_init(&b);
    if (kafka_idempotence_init(&b, err, sizeof err) != 0) {
        log_error("kafka", NULL, "%s", err);
        return 2;
    }
    int rc = 0;
    if (kafka_server_start(&b, err, sizeof err) != 0) {
        log_error("broker", NULL, "%s", err);
        rc = 2;
    } else {
        if (cfg.standalone && cfg.namesrv_port > 0) {
            namesrv_config nc;
            namesrv_config_defaults(&nc);
            nc.port = (int)cfg.namesrv_port;
            nc.tls_mode = rmq_tls_mode();
            nc.tls_ctx = rmq_tls_server_ctx();
            char host[256];
            int p;
            /* the name server listens where the Kafka listener does */
            if (config_find_listener(cfg.listeners, "PLAINTEXT", host,
                                     sizeof host, &p) == 0 &&
                *host && strlen(host) < sizeof nc.bind &&
                strcmp(host, "localhost") != 0)
                snprintf(nc.bind, sizeof nc.bind, "%s", host);
            b.namesrv = namesrv_start(b.base, &nc, err, sizeof err);
            if (!b.namesrv) {
                log_error("broker", NULL, "%s", err);
                rc = 2;
            } else {
                log_info("broker", NULL,
                         "standalone mode: embedded name server on %s:%d",
                         nc.bind, nc.port);
            }
        }
        if (rc == 0 && rmq_start(&b, err, sizeof err) != 0) {
            log_error("broker", NULL, "%s", err);
            rc = 2;
        }
        if (rc == 0 && metrics_start(&b, err, sizeof err) != 0) {
            log_error("broker", NULL, "%s", err);
            rc = 2;
        }
        if (rc == 0) {
            log_info("broker", NULL, "ferry-broker ready");
            event_base_dispatch(b.base);
        }
    }

    metrics_stop();
    kafka_server_stop(&b);
    rmq_stop(&b);
    namesrv_stop(b.namesrv);
    kafka_group_shutdown();
    kafka_idempotence_shutdown();
    /* Pending SYNC_FLUSH completions are posted before the store closes its
     * flush thread; run them so no client is left without an answer. */
    store_close(b.st);
    b.st = NULL;
    broker_run_posted(-1, 0, &b);
    event_free(b.post_ev);
    event_free(b.fetch_wake_ev);
    event_free(b.rmq_wake_ev);
    event_free(b.sig_term);
    event_free(b.sig_int);
    event_free(b.sig_hup);
    event_free(b.retention_ev);
    topics_close(b.topics);
    offsets_close(b.offsets);
    event_base_free(b.base);
    rmq_tls_shutdown();
    log_info("broker", NULL, "stopped cleanly");
    log_close();
    dynconf_release();
    config_release(&cfg);
    return rc;
}
