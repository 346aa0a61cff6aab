/*
 * remoting_jheader.c - streaming decoder for JSON remoting command headers
 * (serialize type 0, what the Java client sends on every request).
 *
 * One pass over the text, no tree, no malloc: strings go straight into the
 * caller's wire_arena (unescaped when they hold escapes), the extFields
 * array grows in the arena.  It answers exactly what the jansson tree
 * decoder (remoting_json_header_decode_tree in remoting.c, kept for the
 * differential test and fuzz target) answers:
 *
 *   - the text is one JSON object (RFC 8259 grammar, strict numbers,
 *     well-formed UTF-8, whitespace around tokens, nothing after it);
 *     like jansson without JSON_ALLOW_NUL, \u0000 is refused in any
 *     string or key, integers must fit int64 and reals must not overflow
 *     a double, also inside values that are skipped; one jansson quirk
 *     is kept (after_bare_token: a NUL byte right after a number or
 *     literal is ignored);
 *   - nesting deeper than REMOTING_JSON_MAX_DEPTH is BUF_EINVAL; more than
 *     REMOTING_JSON_MAX_VALUES values (counted as the old pre-scan did: one,
 *     plus one per '{' '[' ',') is BUF_ELIMIT;
 *   - a duplicate key: the last value wins, at the place of the first
 *     (jansson's object), both at the top level and inside extFields, so a
 *     value's type is only judged once the object is complete: a bad
 *     value that a later duplicate replaces is no error;
 *   - code/version/opaque/flag: JSON integer or decimal string in int32
 *     (null or anything else is BUF_EINVAL); language: null (JAVA), a name
 *     (unknown names are OTHER) or an int32 integer; remark: null or a
 *     string; extFields: null or an object of string, number, boolean or
 *     null values (numbers and booleans become their text, integers as
 *     "%lld", reals as "%.17g"; null members are dropped; an object or
 *     array member is BUF_EINVAL).
 *
 * Every read is bounds-checked against the end of the header; nothing is
 * ever read past it.  Recursion (skipped containers) is bounded by the
 * depth limit.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "remoting.h"
#include "remoting_int.h"

/* value kinds of jh_value */
enum { JV_STR, JV_INT, JV_REAL, JV_TRUE, JV_FALSE, JV_NULL, JV_CONTAINER };

/* extFields entry marks kept in remoting_ext.value.is_null while parsing */
#define EXT_VALUE  0
#define EXT_NULL   1
#define EXT_BADVAL 2

typedef struct jh {
    const uint8_t *cur;
    const uint8_t *end;
    wire_arena *a;
    size_t values; /* as json_prescan counted them */
    int depth;
} jh;

/* One scalar (or a skipped container) as found in the text. */
typedef struct jv {
    int kind;
    const uint8_t *s; /* strings: between the quotes; numbers: the token */
    size_t n;
    int esc;          /* string holds backslash escapes */
} jv;

static inline int is_ws(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static inline void skip_ws(jh *j)
{
    while (j->cur < j->end && is_ws(*j->cur))
        j->cur++;
}

static inline int is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

static int hex4(const uint8_t *p, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        uint8_t c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* 1 for a byte a string may hold as is: printable ASCII but '"' and
 * '\\' (controls end in an error, bytes >= 0x80 are checked as UTF-8). */
static const uint8_t str_plain[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/*
 * A string: j->cur is at the opening quote.  Checks everything (controls,
 * UTF-8, escapes, surrogate pairs, no U+0000) so that unescape() can trust
 * it; leaves j->cur after the closing quote.
 */
static int scan_string(jh *j, jv *v)
{
    const uint8_t *q = j->cur + 1, *end = j->end;

    v->kind = JV_STR;
    v->s = q;
    v->esc = 0;
    for (;;) {
        uint8_t c;
        while (end - q >= 4 && str_plain[q[0]] && str_plain[q[1]] &&
               str_plain[q[2]] && str_plain[q[3]])
            q += 4;
        while (q < end && str_plain[*q])
            q++;
        if (q >= end)
            return BUF_EINVAL;
        c = *q;
        if (c == '"')
            break;
        if (c < 0x20)
            return BUF_EINVAL;
        if (c >= 0x80) {
            size_t sl = remoting_utf8_len(q, (size_t)(end - q));
            if (!sl)
                return BUF_EINVAL;
            q += sl;
            continue;
        }
        /* backslash */
        v->esc = 1;
        if (end - q < 2)
            return BUF_EINVAL;
        switch (q[1]) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
            q += 2;
            break;
        case 'u': {
            uint32_t cp, lo;
            if (end - q < 6 || hex4(q + 2, &cp))
                return BUF_EINVAL;
            q += 6;
            if (cp == 0 || (cp >= 0xdc00 && cp <= 0xdfff))
                return BUF_EINVAL;
            if (cp >= 0xd800 && cp <= 0xdbff) {
                if (end - q < 6 || q[0] != '\\' || q[1] != 'u' ||
                    hex4(q + 2, &lo) || lo < 0xdc00 || lo > 0xdfff)
                    return BUF_EINVAL;
                q += 6;
            }
            break;
        }
        default:
            return BUF_EINVAL;
        }
    }
    v->n = (size_t)(q - v->s);
    j->cur = q + 1;
    return 0;
}

/* Unescape a string scan_string accepted into d (room for n bytes: the
 * text never grows); returns the length written. */
static size_t unescape(const uint8_t *s, size_t n, uint8_t *d)
{
    const uint8_t *end = s + n;
    uint8_t *o = d;

    while (s < end) {
        const uint8_t *bs = memchr(s, '\\', (size_t)(end - s));
        uint32_t cp, lo;
        if (!bs) {
            memcpy(o, s, (size_t)(end - s));
            o += end - s;
            break;
        }
        memcpy(o, s, (size_t)(bs - s));
        o += bs - s;
        s = bs + 2;
        switch (bs[1]) {
        case 'b':
            *o++ = '\b';
            break;
        case 'f':
            *o++ = '\f';
            break;
        case 'n':
            *o++ = '\n';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 't':
            *o++ = '\t';
            break;
        case 'u':
            (void)hex4(s, &cp);
            s += 4;
            if (cp >= 0xd800 && cp <= 0xdbff) {
                (void)hex4(s + 2, &lo);
                s += 6;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            }
            if (cp < 0x80) {
                *o++ = (uint8_t)cp;
            } else if (cp < 0x800) {
                *o++ = (uint8_t)(0xc0 | cp >> 6);
                *o++ = (uint8_t)(0x80 | (cp & 0x3f));
            } else if (cp < 0x10000) {
                *o++ = (uint8_t)(0xe0 | cp >> 12);
                *o++ = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
                *o++ = (uint8_t)(0x80 | (cp & 0x3f));
            } else {
                *o++ = (uint8_t)(0xf0 | cp >> 18);
                *o++ = (uint8_t)(0x80 | (cp >> 12 & 0x3f));
                *o++ = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
                *o++ = (uint8_t)(0x80 | (cp & 0x3f));
            }
            break;
        default: /* '"' '\\' '/' */
            *o++ = bs[1];
            break;
        }
    }
    return (size_t)(o - d);
}

/* The string's text as an arena copy (NUL-terminated), unescaped. */
static int string_copy(jh *j, const jv *v, buf_view *out)
{
    uint8_t *d;
    size_t n;

    if (!v->esc) {
        int failed = 0;
        *out = remoting_arena_copy(j->a, v->s, v->n, &failed);
        return failed ? BUF_ENOMEM : 0;
    }
    d = wire_arena_alloc(j->a, v->n + 1);
    if (!d)
        return BUF_ENOMEM;
    n = unescape(v->s, v->n, d);
    d[n] = 0;
    out->ptr = d;
    out->len = n;
    out->is_null = 0;
    return 0;
}

/* A real's value, as strtod (jansson) reads it; BUF_EINVAL on overflow. */
static int real_value(jh *j, const jv *v, double *out)
{
    char tmp[128], *z = tmp, *endp;

    if (v->n >= sizeof(tmp)) {
        z = wire_arena_alloc(j->a, v->n + 1);
        if (!z)
            return BUF_ENOMEM;
    }
    memcpy(z, v->s, v->n);
    z[v->n] = 0;
    errno = 0;
    *out = strtod(z, &endp);
    if ((*out == HUGE_VAL || *out == -HUGE_VAL) && errno == ERANGE)
        return BUF_EINVAL;
    return 0;
}

/* A number token at j->cur: strict grammar, integers within int64, reals
 * finite. */
static int scan_number(jh *j, jv *v)
{
    const uint8_t *q = j->cur, *end = j->end;
    int real = 0;

    v->s = q;
    if (*q == '-')
        q++;
    if (q >= end)
        return BUF_EINVAL;
    if (*q == '0') {
        q++;
        if (q < end && is_digit(*q))
            return BUF_EINVAL;
    } else if (is_digit(*q)) {
        while (q < end && is_digit(*q))
            q++;
    } else {
        return BUF_EINVAL;
    }
    if (q < end && *q == '.') {
        real = 1;
        q++;
        if (q >= end || !is_digit(*q))
            return BUF_EINVAL;
        while (q < end && is_digit(*q))
            q++;
    }
    if (q < end && (*q == 'e' || *q == 'E')) {
        real = 1;
        q++;
        if (q < end && (*q == '+' || *q == '-'))
            q++;
        if (q >= end || !is_digit(*q))
            return BUF_EINVAL;
        while (q < end && is_digit(*q))
            q++;
    }
    v->n = (size_t)(q - v->s);
    v->esc = 0;
    j->cur = q;
    if (real) {
        double d;
        v->kind = JV_REAL;
        return real_value(j, v, &d);
    }
    v->kind = JV_INT;
    if (v->n > 18) { /* shorter ones always fit */
        int64_t x;
        buf_view t = {v->s, v->n, 0};
        if (remoting_parse_i64(t, &x))
            return BUF_EINVAL;
    }
    return 0;
}

static int literal(jh *j, const char *word, size_t n)
{
    if ((size_t)(j->end - j->cur) < n || memcmp(j->cur, word, n) != 0)
        return BUF_EINVAL;
    j->cur += n;
    return 0;
}

static int open_container(jh *j)
{
    if (++j->depth > REMOTING_JSON_MAX_DEPTH)
        return BUF_EINVAL;
    if (++j->values > REMOTING_JSON_MAX_VALUES)
        return BUF_ELIMIT;
    j->cur++;
    return 0;
}

/* After a member or element: ',' (counted) or the closing byte.  Returns
 * 1 for another member, 0 at the close (consumed), <0 on error. */
static int next_member(jh *j, uint8_t close)
{
    skip_ws(j);
    if (j->cur >= j->end)
        return BUF_EINVAL;
    if (*j->cur == ',') {
        if (++j->values > REMOTING_JSON_MAX_VALUES)
            return BUF_ELIMIT;
        j->cur++;
        skip_ws(j);
        return 1;
    }
    if (*j->cur == close) {
        j->cur++;
        j->depth--;
        return 0;
    }
    return BUF_EINVAL;
}

static int read_value(jh *j, jv *v);

/* A key and its ':' (j->cur at the key's quote after whitespace). */
static int read_key(jh *j, jv *k)
{
    int rc;

    if (j->cur >= j->end || *j->cur != '"')
        return BUF_EINVAL;
    if ((rc = scan_string(j, k)) != 0)
        return rc;
    skip_ws(j);
    if (j->cur >= j->end || *j->cur != ':')
        return BUF_EINVAL;
    j->cur++;
    skip_ws(j);
    return 0;
}

/* Skip an object or array at j->cur, checking all of it. */
static int skip_container(jh *j)
{
    uint8_t close = *j->cur == '{' ? '}' : ']';
    int rc = open_container(j);
    jv v;

    if (rc)
        return rc;
    skip_ws(j);
    if (j->cur < j->end && *j->cur == close) {
        j->cur++;
        j->depth--;
        return 0;
    }
    for (;;) {
        if (close == '}' && (rc = read_key(j, &v)) != 0)
            return rc;
        if ((rc = read_value(j, &v)) != 0)
            return rc;
        rc = next_member(j, close);
        if (rc <= 0)
            return rc;
    }
}

/*
 * jansson quirk, kept so that no header changes from accepted to refused:
 * its lexer reads one byte past a number or a true/false/null literal and
 * puts it back, and a NUL byte put back is lost, so "1\0," reads as "1,".
 * One NUL right after such a token is skipped here too.
 */
static int after_bare_token(jh *j, int rc)
{
    if (rc == 0 && j->cur < j->end && *j->cur == 0)
        j->cur++;
    return rc;
}

/* Any value at j->cur (whitespace already skipped); containers are
 * checked and skipped (kind JV_CONTAINER). */
static int read_value(jh *j, jv *v)
{
    if (j->cur >= j->end)
        return BUF_EINVAL;
    switch (*j->cur) {
    case '"':
        return scan_string(j, v);
    case '{':
    case '[':
        v->kind = JV_CONTAINER;
        return skip_container(j);
    case 't':
        v->kind = JV_TRUE;
        return after_bare_token(j, literal(j, "true", 4));
    case 'f':
        v->kind = JV_FALSE;
        return after_bare_token(j, literal(j, "false", 5));
    case 'n':
        v->kind = JV_NULL;
        return after_bare_token(j, literal(j, "null", 4));
    default:
        if (*j->cur == '-' || is_digit(*j->cur))
            return after_bare_token(j, scan_number(j, v));
        return BUF_EINVAL;
    }
}

/* ---- what the known keys hold, judged when the object is complete ---- */

/* 0 absent, 1 ok, 2 error: code/version/opaque/flag */
typedef struct pend_i32 {
    int state;
    int32_t v;
} pend_i32;

/* An int32 from a JSON integer or a decimal string (remoting.c
 * json_get_i32); 0 ok, BUF_EINVAL, BUF_ENOMEM. */
static int value_i32(jh *j, const jv *v, int32_t *out)
{
    buf_view t = {v->s, v->n, 0};
    int64_t x;

    if (v->kind == JV_INT) {
        if (remoting_parse_i64(t, &x) || x < INT32_MIN || x > INT32_MAX)
            return BUF_EINVAL;
        *out = (int32_t)x;
        return 0;
    }
    if (v->kind != JV_STR)
        return BUF_EINVAL;
    if (v->esc) {
        int rc = string_copy(j, v, &t);
        if (rc)
            return rc;
    }
    return remoting_parse_i32(t, out);
}

static int pend_set_i32(jh *j, pend_i32 *p, const jv *v)
{
    int rc = value_i32(j, v, &p->v);
    if (rc == BUF_ENOMEM)
        return rc;
    p->state = rc ? 2 : 1;
    return 0;
}

/* ---- extFields ---- */

typedef struct jext {
    remoting_ext *e; /* value.is_null: EXT_VALUE / EXT_NULL / EXT_BADVAL */
    int32_t n, cap;
    uint64_t seen;   /* one bit per (key length, first, last byte) */
    int maybe_dup;
    int state;       /* 0 absent or null, 1 object, 2 not an object */
} jext;

/* Text of an extFields scalar (remoting.c json_scalar_text). */
static int ext_value(jh *j, const jv *v, remoting_ext *e)
{
    char tmp[40];
    int n, failed = 0;
    double d;

    switch (v->kind) {
    case JV_STR:
        return string_copy(j, v, &e->value);
    case JV_INT:
        if (v->n == 2 && v->s[0] == '-' && v->s[1] == '0')
            e->value = remoting_arena_copy(j->a, "0", 1, &failed);
        else
            e->value = remoting_arena_copy(j->a, v->s, v->n, &failed);
        break;
    case JV_REAL:
        if ((n = real_value(j, v, &d)) != 0)
            return n;
        n = snprintf(tmp, sizeof(tmp), "%.17g", d);
        e->value = remoting_arena_copy(j->a, tmp, (size_t)n, &failed);
        break;
    case JV_TRUE:
        e->value = remoting_arena_copy(j->a, "true", 4, &failed);
        break;
    case JV_FALSE:
        e->value = remoting_arena_copy(j->a, "false", 5, &failed);
        break;
    case JV_NULL:
        e->value.ptr = NULL;
        e->value.len = 0;
        e->value.is_null = EXT_NULL;
        return 0;
    default:
        e->value.ptr = NULL;
        e->value.len = 0;
        e->value.is_null = EXT_BADVAL;
        return 0;
    }
    return failed ? BUF_ENOMEM : 0;
}

static int ext_grow(jh *j, jext *x)
{
    int32_t ncap = x->cap ? x->cap * 2 : 16;
    remoting_ext *ne;

    if (ncap <= x->cap)
        return BUF_ENOMEM;
    ne = wire_arena_calloc(j->a, (size_t)ncap, sizeof(*ne));
    if (!ne)
        return BUF_ENOMEM;
    if (x->n)
        memcpy(ne, x->e, (size_t)x->n * sizeof(*ne));
    x->e = ne;
    x->cap = ncap;
    return 0;
}

/* The extFields object at j->cur; replaces what an earlier extFields
 * left. */
static int ext_object(jh *j, jext *x)
{
    int rc = open_container(j);

    x->n = 0;
    x->seen = 0;
    x->maybe_dup = 0;
    x->state = 1;
    if (rc)
        return rc;
    skip_ws(j);
    if (j->cur < j->end && *j->cur == '}') {
        j->cur++;
        j->depth--;
        return 0;
    }
    for (;;) {
        jv k, v;
        remoting_ext *e;
        uint64_t bit;
        if ((rc = read_key(j, &k)) != 0 || (rc = read_value(j, &v)) != 0)
            return rc;
        if (x->n == x->cap && (rc = ext_grow(j, x)) != 0)
            return rc;
        e = &x->e[x->n];
        if ((rc = string_copy(j, &k, &e->key)) != 0 ||
            (rc = ext_value(j, &v, e)) != 0)
            return rc;
        x->n++;
        bit = (uint64_t)1
              << ((e->key.len * 7 +
                   (e->key.len ? e->key.ptr[0] + e->key.ptr[e->key.len - 1] * 3
                               : 0)) &
                  63);
        if (x->seen & bit)
            x->maybe_dup = 1;
        x->seen |= bit;
        rc = next_member(j, '}');
        if (rc <= 0)
            return rc;
    }
}

static int key_cmp(const remoting_ext *e, int32_t a, int32_t b)
{
    const buf_view *ka = &e[a].key, *kb = &e[b].key;
    int c;

    if (ka->len != kb->len)
        return ka->len < kb->len ? -1 : 1;
    c = ka->len ? memcmp(ka->ptr, kb->ptr, ka->len) : 0;
    if (c)
        return c;
    return a < b ? -1 : a > b;
}

/*
 * Collapse duplicate keys as a JSON object does: the first place, the last
 * value.  Small maps compare every pair; large ones sort an index (merge
 * sort, O(n log n) whatever the keys) so a hostile header stays cheap.
 */
static int ext_dedup(jh *j, jext *x, uint8_t *gone)
{
    remoting_ext *e = x->e;
    int32_t n = x->n;

    if (n <= 32) {
        for (int32_t i = 1; i < n; i++) {
            for (int32_t k = 0; k < i; k++) {
                if (!gone[k] && e[k].key.len == e[i].key.len &&
                    memcmp(e[k].key.ptr, e[i].key.ptr, e[i].key.len) == 0) {
                    e[k].value = e[i].value;
                    gone[i] = 1;
                    break;
                }
            }
        }
        return 0;
    }
    {
        int32_t *idx = wire_arena_calloc(j->a, (size_t)n, sizeof(*idx));
        int32_t *tmp = wire_arena_calloc(j->a, (size_t)n, sizeof(*tmp));
        if (!idx || !tmp)
            return BUF_ENOMEM;
        for (int32_t i = 0; i < n; i++)
            idx[i] = i;
        for (int32_t w = 1; w < n; w *= 2) {
            for (int32_t lo = 0; lo < n; lo += 2 * w) {
                int32_t mid = lo + w < n ? lo + w : n;
                int32_t hi = lo + 2 * w < n ? lo + 2 * w : n;
                int32_t a = lo, b = mid, o = lo;
                while (a < mid && b < hi)
                    tmp[o++] = key_cmp(e, idx[a], idx[b]) <= 0 ? idx[a++]
                                                               : idx[b++];
                while (a < mid)
                    tmp[o++] = idx[a++];
                while (b < hi)
                    tmp[o++] = idx[b++];
            }
            memcpy(idx, tmp, (size_t)n * sizeof(*idx));
            if (w > INT32_MAX / 2)
                break;
        }
        /* runs of one key, in input order: the first survives with the
         * last run member's value */
        for (int32_t r = 0; r < n;) {
            int32_t s = r + 1;
            while (s < n && e[idx[s]].key.len == e[idx[r]].key.len &&
                   memcmp(e[idx[s]].key.ptr, e[idx[r]].key.ptr,
                          e[idx[r]].key.len) == 0)
                gone[idx[s++]] = 1;
            if (s - r > 1)
                e[idx[r]].value = e[idx[s - 1]].value;
            r = s;
        }
    }
    return 0;
}

/* Into h: drop duplicates and nulls; a surviving non-scalar is an error. */
static int ext_finish(jh *j, jext *x, remoting_header *h)
{
    int32_t uniq = x->n, out = 0;
    uint8_t *gone = NULL;

    if (x->n == 0)
        return 0;
    if (x->maybe_dup) {
        int rc;
        gone = wire_arena_alloc(j->a, (size_t)x->n);
        if (!gone)
            return BUF_ENOMEM;
        if ((rc = ext_dedup(j, x, gone)) != 0)
            return rc;
    }
    for (int32_t i = 0; i < x->n; i++) {
        remoting_ext *e = &x->e[i];
        if (gone && gone[i]) {
            uniq--;
            continue;
        }
        if (e->value.is_null == EXT_BADVAL)
            return BUF_EINVAL;
        if (e->value.is_null == EXT_NULL)
            continue;
        x->e[out++] = *e;
    }
    h->ext = x->e;
    h->ext_count = out;
    h->ext_cap = uniq;
    return 0;
}

/* ---- the header object ---- */

static int key_is(const buf_view *k, const char *s, size_t n)
{
    return k->len == n && memcmp(k->ptr, s, n) == 0;
}

int remoting_json_header_decode(const uint8_t *p, size_t len, wire_arena *a,
                                remoting_header *h)
{
    jh j = {p, p ? p + len : p, a, 1, 0};
    pend_i32 code = {0, 0}, version = {0, 0}, opaque = {0, 0}, flag = {0, 0};
    int lang_state = 0; /* 0 absent/null, 1 name, 2 number, 3 error */
    int remark_state = 0; /* 0 absent/null, 1 string, 2 error */
    int32_t lang_num = 0;
    buf_view lang_name = {NULL, 0, 1}, remark = {NULL, 0, 1};
    jext ext;
    int rc;

    memset(&ext, 0, sizeof(ext));
    if (len == 0)
        return BUF_EINVAL;
    skip_ws(&j);
    if (j.cur >= j.end || *j.cur != '{')
        return BUF_EINVAL;
    if ((rc = open_container(&j)) != 0)
        return rc;
    skip_ws(&j);
    if (j.cur < j.end && *j.cur == '}') {
        j.cur++;
        goto done;
    }
    for (;;) {
        jv k, v;
        buf_view key;
        if ((rc = read_key(&j, &k)) != 0)
            return rc;
        key.ptr = k.s;
        key.len = k.n;
        key.is_null = 0;
        if (k.esc) {
            uint8_t *d = wire_arena_alloc(a, k.n + 1);
            if (!d)
                return BUF_ENOMEM;
            key.len = unescape(k.s, k.n, d);
            key.ptr = d;
        }
        if (key_is(&key, "extFields", 9) && j.cur < j.end && *j.cur == '{') {
            rc = ext_object(&j, &ext);
        } else if ((rc = read_value(&j, &v)) != 0) {
            return rc;
        } else if (key_is(&key, "extFields", 9)) {
            ext.n = 0;
            ext.state = v.kind == JV_NULL ? 0 : 2;
        } else if (key.len == 4 && memcmp(key.ptr, "code", 4) == 0) {
            rc = pend_set_i32(&j, &code, &v);
        } else if (key_is(&key, "version", 7)) {
            rc = pend_set_i32(&j, &version, &v);
        } else if (key_is(&key, "opaque", 6)) {
            rc = pend_set_i32(&j, &opaque, &v);
        } else if (key_is(&key, "flag", 4)) {
            rc = pend_set_i32(&j, &flag, &v);
        } else if (key_is(&key, "language", 8)) {
            if (v.kind == JV_NULL) {
                lang_state = 0;
            } else if (v.kind == JV_STR) {
                rc = string_copy(&j, &v, &lang_name);
                lang_state = 1;
            } else {
                rc = value_i32(&j, &v, &lang_num);
                lang_state = rc ? 3 : 2;
                if (rc != BUF_ENOMEM)
                    rc = 0;
            }
        } else if (key_is(&key, "remark", 6)) {
            if (v.kind == JV_NULL) {
                remark_state = 0;
            } else if (v.kind == JV_STR) {
                rc = string_copy(&j, &v, &remark);
                remark_state = 1;
            } else {
                remark_state = 2;
            }
        }
        if (rc)
            return rc;
        rc = next_member(&j, '}');
        if (rc < 0)
            return rc;
        if (rc == 0)
            break;
    }
done:
    skip_ws(&j);
    if (j.cur != j.end)
        return BUF_EINVAL; /* trailing bytes */

    if (code.state == 2 || version.state == 2 || opaque.state == 2 ||
        flag.state == 2 || lang_state == 3 || remark_state == 2 ||
        ext.state == 2)
        return BUF_EINVAL;
    h->code = code.v;
    h->version = version.v;
    h->opaque = opaque.v;
    h->flag = flag.v;
    h->language = REMOTING_LANG_JAVA;
    h->language_name.is_null = 1;
    if (lang_state == 1) {
        h->language_name = lang_name;
        h->language = remoting_language_by_name((const char *)lang_name.ptr,
                                                lang_name.len);
        if (h->language < 0)
            h->language = REMOTING_LANG_OTHER;
    } else if (lang_state == 2) {
        h->language = lang_num;
    }
    h->remark.is_null = 1;
    if (remark_state == 1)
        h->remark = remark;
    if (ext.state == 1)
        return ext_finish(&j, &ext, h);
    return 0;
}
