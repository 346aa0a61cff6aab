/*
 * log.c - line-oriented logging to stderr or a file (see log.h for the
 * line format).
 *
 * One write(2) per line so lines from the flush thread and the event loop
 * never interleave mid-line.  A log file is opened O_APPEND; log_reopen
 * (SIGHUP, for logrotate) opens the path again and dup2()s the new file
 * onto the old descriptor, so a line written by another thread at that
 * moment lands whole in one file or the other.
 */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

int log_min_level = LOG_INFO;

static int log_fd = STDERR_FILENO;
static char log_path[4096];

static int log_open_path(const char *path)
{
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

int log_open(const char *path)
{
    if (!path || !*path)
        return 0;
    if (strlen(path) >= sizeof log_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = log_open_path(path);
    if (fd < 0)
        return -1;
    snprintf(log_path, sizeof log_path, "%s", path);
    log_fd = fd;
    return 0;
}

int log_reopen(void)
{
    if (!log_path[0])
        return 0; /* stderr: whoever redirected it rotates it */
    int fd = log_open_path(log_path);
    if (fd < 0)
        return -1;
    int rc = dup2(fd, log_fd) < 0 ? -1 : 0;
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

void log_close(void)
{
    if (log_path[0] && log_fd != STDERR_FILENO) {
        close(log_fd);
        log_fd = STDERR_FILENO;
        log_path[0] = '\0';
    }
}

static const char *const log_level_names[] = {"DEBUG", "INFO", "WARN",
                                              "ERROR"};

int log_level_parse(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (strcasecmp(s, log_level_names[i]) == 0)
            return i;
    if (strcasecmp(s, "warning") == 0)
        return LOG_WARN;
    return -1;
}

void log_set_level(int level)
{
    log_min_level = level;
}

void log_write(int level, const char *subsys, const char *ctx,
               const char *fmt, ...)
{
    char line[2048];
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    int n = snprintf(line, sizeof line,
                     "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ %-5s %-7s ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000),
                     log_level_names[level < 0 || level > 3 ? 1 : level],
                     subsys);
    if (ctx && *ctx && n < (int)sizeof line)
        n += snprintf(line + n, sizeof line - (size_t)n, "[%s] ", ctx);
    if (n < (int)sizeof line) {
        va_list ap;
        va_start(ap, fmt);
        n += vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
        va_end(ap);
    }
    if (n >= (int)sizeof line - 1)
        n = (int)sizeof line - 2;
    line[n++] = '\n';
    ssize_t w = write(log_fd, line, (size_t)n);
    (void)w;
}

void log_sanitize(char *out, size_t outlen, const void *p, size_t n)
{
    const unsigned char *s = p;
    size_t o = 0;
    if (!outlen)
        return;
    for (size_t i = 0; i < n && o + 4 < outlen; i++) {
        if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\') {
            out[o++] = (char)s[i];
        } else {
            o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", s[i]);
        }
    }
    out[o < outlen ? o : outlen - 1] = '\0';
}
