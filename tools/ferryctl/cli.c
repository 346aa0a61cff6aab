/*
 * cli.c - ferryctl's pure parts (see cli.h).
 */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int cli_index(const cli_opt *opts, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(opts[i].name, name))
            return i;
    return -1;
}

static int short_index(const cli_opt *opts, int n, char c)
{
    for (int i = 0; i < n; i++)
        if (opts[i].short_name && opts[i].short_name == c)
            return i;
    return -1;
}

int cli_parse(int argc, char **argv, const cli_opt *opts, int n, cli_args *out,
              char *err, size_t errlen)
{
    int only_pos = 0;

    memset(out, 0, sizeof(*out));
    if (n > CLI_MAX_OPTS) {
        snprintf(err, errlen, "too many options in the table");
        return -1;
    }
    for (int i = 0; i < argc; i++) {
        char *a = argv[i];
        int k;
        const char *val = NULL;
        if (only_pos || a[0] != '-' || a[1] == '\0' ||
            (a[1] >= '0' && a[1] <= '9')) {
            if (out->npos == CLI_MAX_POS) {
                snprintf(err, errlen, "too many arguments");
                return -1;
            }
            out->pos[out->npos++] = a;
            continue;
        }
        if (!strcmp(a, "--")) {
            only_pos = 1;
            continue;
        }
        if (a[1] == '-') {
            char name[64];
            const char *eq = strchr(a + 2, '=');
            size_t nl = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
            if (nl >= sizeof name) {
                snprintf(err, errlen, "unknown option %.64s", a);
                return -1;
            }
            memcpy(name, a + 2, nl);
            name[nl] = '\0';
            if ((k = cli_index(opts, n, name)) < 0) {
                snprintf(err, errlen, "unknown option --%s", name);
                return -1;
            }
            if (opts[k].has_arg) {
                if (eq)
                    val = eq + 1;
                else if (i + 1 < argc)
                    val = argv[++i];
                else {
                    snprintf(err, errlen, "option --%s needs a value", name);
                    return -1;
                }
            } else if (eq) {
                snprintf(err, errlen, "option --%s takes no value", name);
                return -1;
            } else {
                val = "";
            }
        } else {
            if ((k = short_index(opts, n, a[1])) < 0) {
                snprintf(err, errlen, "unknown option -%c", a[1]);
                return -1;
            }
            if (opts[k].has_arg) {
                if (a[2])
                    val = a + 2;
                else if (i + 1 < argc)
                    val = argv[++i];
                else {
                    snprintf(err, errlen, "option -%c needs a value", a[1]);
                    return -1;
                }
            } else if (a[2]) {
                snprintf(err, errlen, "option -%c takes no value", a[1]);
                return -1;
            } else {
                val = "";
            }
        }
        out->value[k] = val;
        if (out->count[k] == CLI_MAX_REPEAT) {
            snprintf(err, errlen, "option --%s given more than %d times",
                     opts[k].name, CLI_MAX_REPEAT);
            return -1;
        }
        out->all[k][out->count[k]++] = val;
    }
    return 0;
}

int cli_parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    char *end;
    long long v;

    if (!s || !*s || isspace((unsigned char)*s))
        return -1;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* days since 1970-01-01 of a proleptic Gregorian date */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

int cli_parse_time(const char *s, int64_t now_ms, int64_t *out_ms)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0, zs = 0;
    const char *p = s;

    if (!s || !*s)
        return -1;
    if (!strcmp(s, "now")) {
        *out_ms = now_ms;
        return 0;
    }
    if (strlen(s) > 8 && strspn(s, "0123456789") == strlen(s))
        return cli_parse_i64(s, 0, INT64_MAX, out_ms);
    if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
        digits(&p, 2, &d))
        return -1;
    if (*p == 'T' || *p == ' ') {
        p++;
        if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi))
            return -1;
        if (*p == ':') {
            p++;
            if (digits(&p, 2, &sec))
                return -1;
            if (*p == '.') {
                p++;
                if (digits(&p, 3, &ms))
                    return -1;
            }
        }
    }
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, zh, zm;
        if (digits(&p, 2, &zh))
            return -1;
        if (*p == ':')
            p++;
        if (digits(&p, 2, &zm) || zh > 23 || zm > 59)
            return -1;
        zs = sign * (zh * 3600 + zm * 60);
    }
    if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        sec > 60)
        return -1;
    int64_t t =
        days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - zs;
    if (t < 0)
        return -1;
    *out_ms = t * 1000 + ms;
    return 0;
}

void cli_format_time(int64_t ms, char *buf, size_t len)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (ms <= 0 || !gmtime_r(&t, &tm)) {
        snprintf(buf, len, "-");
        return;
    }
    snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             (int)(ms % 1000));
}

/* ------------------------------------------------------------------ */
/* tables                                                              */
/* ------------------------------------------------------------------ */

static int table_row(cli_table *t, const char *const *cells)
{
    if (t->nrows + 1 >= t->cap) {
        int nc = t->cap ? t->cap * 2 : 16;
        char **ncells =
            realloc(t->cells, (size_t)nc * (size_t)t->ncols * sizeof(char *));
        if (!ncells)
            return -1;
        t->cells = ncells;
        t->cap = nc;
    }
    int base = t->nrows == 0 && !t->cells[0] ? 0 : (t->nrows + 1) * t->ncols;
    for (int i = 0; i < t->ncols; i++) {
        t->cells[base + i] = strdup(cells[i] ? cells[i] : "-");
        if (!t->cells[base + i]) {
            while (i-- > 0)
                free(t->cells[base + i]);
            return -1;
        }
    }
    return base;
}

int cli_table_init(cli_table *t, int ncols, const char *const *headers)
{
    memset(t, 0, sizeof(*t));
    t->ncols = ncols;
    t->cap = 16;
    t->cells = calloc((size_t)t->cap * (size_t)ncols, sizeof(char *));
    if (!t->cells)
        return -1;
    if (table_row(t, headers) < 0) {
        free(t->cells);
        t->cells = NULL;
        return -1;
    }
    return 0;
}

int cli_table_add(cli_table *t, const char *const *cells)
{
    if (table_row(t, cells) < 0)
        return -1;
    t->nrows++;
    return 0;
}

int cli_table_addf(cli_table *t, const char *fmt, ...)
{
    char buf[4096];
    const char *cells[64];
    va_list ap;
    int n = 0;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (t->ncols > 64)
        return -1;
    char *p = buf;
    for (n = 0; n < t->ncols; n++) {
        cells[n] = p;
        char *tab = p ? strchr(p, '\t') : NULL;
        if (tab) {
            *tab = '\0';
            p = tab + 1;
        } else {
            p = NULL;
        }
        if (!cells[n])
            cells[n] = "";
    }
    return cli_table_add(t, cells);
}

static int is_number(const char *s)
{
    if (*s == '-')
        s++;
    return *s && strspn(s, "0123456789") == strlen(s);
}

static size_t text_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    return w;
}

void cli_table_print(const cli_table *t, FILE *out)
{
    size_t width[64];
    int nc = t->ncols > 64 ? 64 : t->ncols;

    for (int c = 0; c < nc; c++) {
        width[c] = 0;
        for (int r = 0; r <= t->nrows; r++) {
            size_t w = text_width(t->cells[r * t->ncols + c]);
            if (w > width[c])
                width[c] = w;
        }
    }
    for (int r = 0; r <= t->nrows; r++) {
        for (int c = 0; c < nc; c++) {
            const char *s = t->cells[r * t->ncols + c];
            size_t pad = width[c] - text_width(s);
            int right = r > 0 && is_number(s);
            if (right)
                fprintf(out, "%*s", (int)pad, "");
            fputs(s, out);
            if (c + 1 < nc)
                fprintf(out, "%*s", (int)(right ? 2 : pad + 2), "");
        }
        fputc('\n', out);
    }
}

void cli_table_release(cli_table *t)
{
    if (t->cells)
        for (int i = 0; i < (t->nrows + 1) * t->ncols; i++)
            free(t->cells[i]);
    free(t->cells);
    memset(t, 0, sizeof(*t));
}

int cli_is_text(const void *p, size_t n)
{
    const unsigned char *s = p;
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                return 0;
            if (c == 0x7f)
                return 0;
            i++;
            continue;
        }
        int len = (c & 0xE0) == 0xC0   ? 2
                  : (c & 0xF0) == 0xE0 ? 3
                  : (c & 0xF8) == 0xF0 ? 4
                                       : 0;
        if (!len || c == 0xC0 || c == 0xC1 || c > 0xF4 || i + len > n)
            return 0;
        for (int k = 1; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
        i += (size_t)len;
    }
    return 1;
}
