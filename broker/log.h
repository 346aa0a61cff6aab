/*
 * log.h - the broker's log: one line per event, level tested before any
 * formatting (after Redis serverLog), a subsystem name on every line and an
 * optional context (connection peer, client id) as nginx's "while ..." does.
 *
 * Lines go to stderr (or the file given by log_open) as:
 *   2026-11-23T15:04:05.123Z INFO  kafka  [127.0.0.1:5342] message
 * Never log secrets or raw payloads; use log_sanitize() for protocol samples.
 */
#ifndef FERRY_LOG_H
#define FERRY_LOG_H

#include <stddef.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARN, LOG_ERROR };

extern int log_min_level;

int log_level_parse(const char *s); /* -1 if unknown */
void log_set_level(int level);
void log_write(int level, const char *subsys, const char *ctx,
               const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Log to this file (appending) instead of stderr: 0, or -1 with errno.
 * An empty path keeps stderr.  Call before other threads start. */
int log_open(const char *path);
/* Opens the file again at its path (after a rotation moved it away): 0,
 * or -1 with errno (logging goes on to the old file).  Safe while other
 * threads log. */
int log_reopen(void);
void log_close(void);
/* Writes up to n bytes of p as printable text into out (cap outlen). */
void log_sanitize(char *out, size_t outlen, const void *p, size_t n);

#define LOG(level, subsys, ctx, ...)                                        \
    do {                                                                    \
        if ((level) >= log_min_level)                                       \
            log_write((level), (subsys), (ctx), __VA_ARGS__);               \
    } while (0)

#define log_debug(subsys, ctx, ...) LOG(LOG_DEBUG, subsys, ctx, __VA_ARGS__)
#define log_info(subsys, ctx, ...)  LOG(LOG_INFO, subsys, ctx, __VA_ARGS__)
#define log_warn(subsys, ctx, ...)  LOG(LOG_WARN, subsys, ctx, __VA_ARGS__)
#define log_error(subsys, ctx, ...) LOG(LOG_ERROR, subsys, ctx, __VA_ARGS__)

#endif /* FERRY_LOG_H */
