/*
 * txn_table.c - pending transactions by root, and op-body parsing.  See
 * txn_table.h.  Roots arrive in increasing order at run time (half-queue
 * offsets grow), so insertion is an append; the start-up scan may insert
 * out of order (a copy whose root was cut by retention) and pays a
 * memmove then.  Ends leave tombstones, compacted in one pass once they
 * outnumber the live entries, so each end costs O(log n) amortized.
 */
#include "txn_table.h"

#include <stdlib.h>
#include <string.h>

void txn_table_release(txn_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        free(t->v[i].group);
    free(t->v);
    memset(t, 0, sizeof *t);
}

/* Index of the first entry with root >= key. */
static size_t lower_bound(const txn_table *t, int64_t key)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->v[mid].root < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

txn_pending *txn_table_find(txn_table *t, int64_t root)
{
    size_t i = lower_bound(t, root);
    return i < t->n && t->v[i].root == root && !t->v[i].done ? &t->v[i]
                                                             : NULL;
}

void txn_table_compact_maybe(txn_table *t)
{
    if (!(t->n - t->live > 64 && t->n - t->live > t->live))
        return;
    size_t k = 0;
    for (size_t i = 0; i < t->n; i++)
        if (!t->v[i].done)
            t->v[k++] = t->v[i];
    t->n = k;
}

int txn_table_put(txn_table *t, int64_t root, int64_t half_offset,
                  int64_t half_pos, int64_t first_ms, int64_t immunity_ms,
                  int64_t op_mark, int32_t checks, const char *group,
                  size_t group_len)
{
    size_t i = lower_bound(t, root);
    if (i < t->n && t->v[i].root == root) {
        txn_pending *p = &t->v[i];
        if (!p->done && half_offset > p->half_offset) {
            p->half_offset = half_offset;
            p->half_pos = half_pos;
            if (checks > p->checks)
                p->checks = checks;
        }
        return 0;
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        txn_pending *nv = realloc(t->v, cap * sizeof *nv);
        if (!nv)
            return -1;
        t->v = nv;
        t->cap = cap;
    }
    char *g = malloc(group_len + 1);
    if (!g)
        return -1;
    if (group_len)
        memcpy(g, group, group_len);
    g[group_len] = '\0';
    memmove(&t->v[i + 1], &t->v[i], (t->n - i) * sizeof *t->v);
    txn_pending *p = &t->v[i];
    p->root = root;
    p->half_offset = half_offset;
    p->half_pos = half_pos;
    p->first_ms = first_ms;
    p->immunity_ms = immunity_ms;
    p->op_mark = op_mark;
    p->checks = checks;
    p->done = 0;
    p->group = g;
    t->n++;
    t->live++;
    return 0;
}

int txn_table_done(txn_table *t, int64_t root)
{
    size_t i = lower_bound(t, root);
    if (i >= t->n || t->v[i].root != root || t->v[i].done)
        return 0;
    free(t->v[i].group);
    t->v[i].group = NULL;
    t->v[i].done = 1;
    t->live--;
    return 1;
}

int txn_pending_due(const txn_pending *p, int64_t now_ms, int64_t default_ms)
{
    int64_t wait = p->immunity_ms >= 0 ? p->immunity_ms : default_ms;
    return now_ms - p->first_ms >= wait;
}

int txn_parse_i64(const uint8_t *p, size_t n, int64_t *out)
{
    size_t i = 0;
    int neg = 0;
    if (n && p[0] == '-') {
        neg = 1;
        i = 1;
    }
    if (i == n || n - i > 19)
        return -1;
    uint64_t v = 0;
    for (; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(p[i] - '0');
    }
    if (v > (uint64_t)INT64_MAX)
        return -1;
    *out = neg ? -(int64_t)v : (int64_t)v;
    return 0;
}

int txn_op_parse(const uint8_t *p, size_t n, int64_t *out, int max)
{
    int k = 0;
    size_t s = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && p[i] != ',')
            continue;
        if (i == s) {
            if (i == n && k > 0)
                break; /* the trailing ',' */
            return -1;
        }
        int64_t v;
        if (txn_parse_i64(p + s, i - s, &v) != 0 || v < 0)
            return -1;
        if (k < max)
            out[k] = v;
        k++;
        s = i + 1;
    }
    return k > max ? max : k;
}

void txn_table_progress(const txn_table *t, int64_t half_max, int64_t op_max,
                        int64_t *half_from, int64_t *op_from)
{
    int any = 0;
    int64_t h = half_max, o = op_max;
    for (size_t i = 0; i < t->n; i++) {
        const txn_pending *p = &t->v[i];
        if (p->done)
            continue;
        if (!any) {
            h = p->root; /* sorted: the first live one is the smallest */
            o = p->op_mark;
            any = 1;
        } else if (p->op_mark < o) {
            o = p->op_mark;
        }
    }
    *half_from = h;
    *op_from = o;
}

int txn_progress_parse(const char *p, size_t n, int64_t *half_from,
                       int64_t *op_from)
{
    int have_h = 0, have_o = 0;
    size_t s = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && p[i] != '\n')
            continue;
        const char *l = p + s;
        size_t len = i - s;
        s = i + 1;
        if (len == 0)
            continue;
        int64_t v;
        if (len > 5 && !memcmp(l, "half=", 5) && !have_h &&
            txn_parse_i64((const uint8_t *)l + 5, len - 5, &v) == 0 &&
            v >= 0) {
            *half_from = v;
            have_h = 1;
        } else if (len > 3 && !memcmp(l, "op=", 3) && !have_o &&
                   txn_parse_i64((const uint8_t *)l + 3, len - 3, &v) == 0 &&
                   v >= 0) {
            *op_from = v;
            have_o = 1;
        } else {
            return -1;
        }
    }
    return have_h && have_o ? 0 : -1;
}
