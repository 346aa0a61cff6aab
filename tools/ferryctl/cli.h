/*
 * cli.h - the pure parts of ferryctl: option parsing against a table,
 * date/time and number parsing, exit codes, and a plain-text table
 * printer.  No sockets, no libferry: unit-tested in tests/test_cli.c.
 */
#ifndef FERRY_CTL_CLI_H
#define FERRY_CTL_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit codes (documented in README.md and the man page). */
enum {
    CTL_OK = 0,
    CTL_USAGE = 1,     /* bad command line */
    CTL_NOT_FOUND = 2, /* topic, group, message or broker not found */
    CTL_BROKER = 3,    /* the broker refused or failed */
    CTL_CONNECT = 4,   /* no connection / no answer */
};

/* One option a command accepts. */
typedef struct cli_opt {
    const char *name; /* long name, without "--" */
    char short_name;  /* 0 if none */
    int has_arg;      /* 1: takes a value */
    const char *help; /* one line */
} cli_opt;

#define CLI_MAX_OPTS   40
#define CLI_MAX_POS    32
#define CLI_MAX_REPEAT 16

typedef struct cli_args {
    const char *value[CLI_MAX_OPTS]; /* per option of the table: its value,
                                        "" for a flag that was given, NULL
                                        if absent */
    const char *pos[CLI_MAX_POS];
    int npos;
    /* every value of a repeated option (up to CLI_MAX_REPEAT) */
    const char *all[CLI_MAX_OPTS][CLI_MAX_REPEAT];
    int count[CLI_MAX_OPTS];
} cli_args;

/*
 * Parses argv[0..argc) against opts (n entries): "--name value",
 * "--name=value", "-x value", "-xvalue", flags; "--" ends options;
 * everything else is positional.  A repeated option keeps the last value
 * in value[] and every value in all[] (count[]).
 * 0, or -1 with a message in err.
 */
int cli_parse(int argc, char **argv, const cli_opt *opts, int n, cli_args *out,
              char *err, size_t errlen);
/* Index of option name in opts, or -1. */
int cli_index(const cli_opt *opts, int n, const char *name);

/* "1700000000000" (ms since the epoch), or ISO-8601
 * "YYYY-MM-DD[THH:MM[:SS[.mmm]]][Z|+hh:mm|-hh:mm]" (UTC when no zone is
 * given), or "now".  0 or -1. */
int cli_parse_time(const char *s, int64_t now_ms, int64_t *out_ms);
/* ms since the epoch as "YYYY-MM-DDTHH:MM:SS.mmmZ" (buf >= 32). */
void cli_format_time(int64_t ms, char *buf, size_t len);
/* A whole decimal int64 within [lo, hi].  0 or -1. */
int cli_parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out);

/* A text table: cells are copied. */
typedef struct cli_table {
    int ncols;
    int nrows;
    int cap;
    char **cells; /* (nrows + 1) * ncols, row 0 = header */
} cli_table;

int cli_table_init(cli_table *t, int ncols, const char *const *headers);
/* Adds a row of ncols cells (NULL prints as "-"). 0 or -1 (memory). */
int cli_table_add(cli_table *t, const char *const *cells);
/* Like cli_table_add with printf-style cells separated by '\t'. */
int cli_table_addf(cli_table *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Columns left-aligned, two spaces apart, padded to the widest cell;
 * numbers right-aligned (a cell that parses as an integer). */
void cli_table_print(const cli_table *t, FILE *out);
void cli_table_release(cli_table *t);

/* 1 if the bytes are valid UTF-8 without NUL and control characters
 * other than \t \n \r. */
int cli_is_text(const void *p, size_t n);

#endif /* FERRY_CTL_CLI_H */
