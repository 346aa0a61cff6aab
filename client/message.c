/*
 * message.c - received messages: stored records (pull answers,
 * VIEW_MESSAGE_BY_ID, QUERY_MESSAGE) turned into ferry_rmsg, each one
 * malloc block holding the struct, its property array and every string;
 * zlib-compressed bodies (sysFlag COMPRESSED) inflated into a second block.
 * Also the tag expression parser and matcher.
 */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "client_int.h"

typedef struct frmsg {
    ferry_rmsg m; /* first: a ferry_rmsg * is a frmsg * */
    void *inflated;
} frmsg;

#define INFLATE_MAX (64u << 20)

const char *ferry_rmsg_property(const ferry_rmsg *m, const char *key)
{
    const char *found = NULL;
    if (!m || !key)
        return NULL;
    for (int i = 0; i < m->prop_count; i++)
        if (strcmp(m->props[i].key, key) == 0)
            found = m->props[i].value; /* last one wins, as in Java */
    return found;
}

void fclient_rmsg_free(ferry_rmsg *m)
{
    frmsg *x = (frmsg *)m;
    if (!x)
        return;
    free(x->inflated);
    free(x);
}

void ferry_msg_list_free(ferry_msg_list *list)
{
    if (!list)
        return;
    for (int i = 0; i < list->count; i++)
        fclient_rmsg_free(list->msgs[i]);
    free(list->msgs);
    list->msgs = NULL;
    list->count = 0;
}

static void *inflate_body(const uint8_t *p, size_t n, size_t *out_n)
{
    z_stream zs;
    size_t cap = n * 4 + 64, len = 0;
    uint8_t *out = malloc(cap);
    int zr = Z_OK;

    if (!out)
        return NULL;
    memset(&zs, 0, sizeof zs);
    if (inflateInit(&zs) != Z_OK) {
        free(out);
        return NULL;
    }
    zs.next_in = (Bytef *)(uintptr_t)p;
    zs.avail_in = (uInt)n;
    while (zr == Z_OK) {
        if (len == cap) {
            uint8_t *bigger;
            if (cap >= INFLATE_MAX)
                break;
            cap *= 2;
            bigger = realloc(out, cap);
            if (!bigger)
                break;
            out = bigger;
        }
        zs.next_out = out + len;
        zs.avail_out = (uInt)(cap - len);
        zr = inflate(&zs, Z_NO_FLUSH);
        len = cap - zs.avail_out;
    }
    inflateEnd(&zs);
    if (zr != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    *out_n = len;
    return out;
}

static char *put(char **cur, const void *p, size_t n)
{
    char *s = *cur;
    if (n)
        memcpy(s, p, n);
    s[n] = 0;
    *cur += n + 1;
    return s;
}

static ferry_rmsg *rmsg_build(const remoting_msg *m, const char *broker_name)
{
    remoting_prop_iter it;
    remoting_prop pr;
    size_t size = sizeof(frmsg), body_len = m->body.len;
    int nprops = 0;
    void *inflated = NULL;
    const uint8_t *body = m->body.ptr;
    frmsg *x;
    char *cur, oid[64];

    remoting_prop_iter_init(&it, m->properties.ptr, m->properties.len);
    while (remoting_prop_next(&it, &pr) == 1) {
        nprops++;
        size += pr.key.len + pr.value.len + 2;
    }
    if ((m->sys_flag & REMOTING_SYSFLAG_COMPRESSED) &&
        ((m->sys_flag & REMOTING_SYSFLAG_COMPRESSION_MASK) == 0 ||
         (m->sys_flag & REMOTING_SYSFLAG_COMPRESSION_MASK) ==
             REMOTING_SYSFLAG_COMPRESSION_ZLIB)) {
        size_t n = 0;
        inflated = inflate_body(m->body.ptr, m->body.len, &n);
        if (inflated) {
            body = inflated;
            body_len = n;
        }
    }
    remoting_offset_msgid_encode(&m->store_host, m->physical_offset, oid);
    size += (size_t)nprops * sizeof(ferry_prop) + sizeof(ferry_prop);
    size += m->topic.len + 1 + strlen(broker_name) + 1 + strlen(oid) + 1;
    if (!inflated)
        size += body_len + 1;
    x = calloc(1, size);
    if (!x) {
        free(inflated);
        return NULL;
    }
    x->inflated = inflated;
    ferry_prop *props = (ferry_prop *)(x + 1);
    cur = (char *)(props + nprops + 1);
    ferry_rmsg *r = &x->m;
    r->props = props;
    r->prop_count = nprops;
    remoting_prop_iter_init(&it, m->properties.ptr, m->properties.len);
    for (int i = 0; i < nprops && remoting_prop_next(&it, &pr) == 1; i++) {
        props[i].key = put(&cur, pr.key.ptr, pr.key.len);
        props[i].value = put(&cur, pr.value.ptr, pr.value.len);
    }
    r->topic = put(&cur, m->topic.ptr, m->topic.len);
    r->broker_name = put(&cur, broker_name, strlen(broker_name));
    r->offset_msg_id = put(&cur, oid, strlen(oid));
    if (inflated)
        r->body = inflated;
    else
        r->body = put(&cur, body, body_len);
    r->body_len = body_len;
    r->queue_id = m->queue_id;
    r->queue_offset = m->queue_offset;
    r->commitlog_offset = m->physical_offset;
    r->flag = m->flag;
    r->sys_flag = m->sys_flag;
    r->reconsume_times = m->reconsume_times;
    r->born_timestamp = m->born_timestamp;
    r->store_timestamp = m->store_timestamp;
    const char *v;
    r->tags = (v = ferry_rmsg_property(r, REMOTING_PROP_TAGS)) ? v : "";
    r->keys = (v = ferry_rmsg_property(r, REMOTING_PROP_KEYS)) ? v : "";
    r->msg_id = (v = ferry_rmsg_property(r, REMOTING_PROP_UNIQ_KEY))
                    ? v
                    : r->offset_msg_id;
    return r;
}

int fclient_msgs_decode(const uint8_t *p, size_t n, const char *broker_name,
                        const ftag_filter *tf, ferry_msg_list *out)
{
    buf_reader r;
    remoting_msg m;
    int cap = 0, rc = 0;

    memset(out, 0, sizeof(*out));
    buf_reader_init(&r, p, n);
    while (buf_left(&r) > 0) {
        if (remoting_msg_decode(&r, &m) != 0) {
            rc = FERRY_ERR_PROTOCOL;
            break;
        }
        if (tf) {
            buf_view tag;
            char tbuf[256] = "";
            if (remoting_props_find(m.properties.ptr, m.properties.len,
                                    REMOTING_PROP_TAGS, &tag))
                fclient_copy(tbuf, sizeof tbuf, tag);
            if (!ftag_filter_match(tf, tbuf))
                continue;
        }
        if (out->count == cap) {
            int ncap = cap ? cap * 2 : 16;
            ferry_rmsg **bigger = realloc(out->msgs, (size_t)ncap *
                                                         sizeof(*bigger));
            if (!bigger) {
                rc = FERRY_ERR_NOMEM;
                break;
            }
            out->msgs = bigger;
            cap = ncap;
        }
        ferry_rmsg *x = rmsg_build(&m, broker_name ? broker_name : "");
        if (!x) {
            rc = FERRY_ERR_NOMEM;
            break;
        }
        out->msgs[out->count++] = x;
    }
    if (rc != 0)
        ferry_msg_list_free(out);
    return rc;
}

/* ------------------------------------------------------------------ */
/* tag expressions                                                     */
/* ------------------------------------------------------------------ */

void ftag_filter_parse(const char *expr, ftag_filter *f)
{
    memset(f, 0, sizeof(*f));
    if (!expr) {
        f->all = 1;
        return;
    }
    const char *s = expr;
    while (*s) {
        while (*s == ' ' || *s == '|')
            s++;
        const char *e = s;
        while (*e && *e != '|')
            e++;
        const char *t = e;
        while (t > s && t[-1] == ' ')
            t--;
        if (t > s) {
            size_t len = (size_t)(t - s);
            if (len == 1 && *s == '*') {
                f->all = 1;
                return;
            }
            if (f->n < 32 && len < sizeof f->tags[0]) {
                memcpy(f->tags[f->n], s, len);
                f->tags[f->n][len] = 0;
                f->codes[f->n] =
                    (int32_t)remoting_tag_hash((const uint8_t *)s, len);
                f->n++;
            }
        }
        s = e;
    }
    if (f->n == 0)
        f->all = 1;
}

int ftag_filter_match(const ftag_filter *f, const char *tag)
{
    if (f->all)
        return 1;
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->tags[i], tag) == 0)
            return 1;
    return 0;
}
