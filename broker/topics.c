/*
 * topics.c - topic registry kept in memory and in config/topics.json.
 *
 * File format (JSON, written by jansson):
 *   {"version": 1,
 *    "topics": [ {"name": "t", "queues": 4, "id": "<32 hex>",
 *                 "created_ms": 1700000000000, "internal": false,
 *                 "configs": {"retention.ms": "86400000"}} ... ]}
 *
 * Lookup is a linear-probing hash table over names; the topics themselves
 * sit in an array (index order = creation order).  Both only grow, except
 * by deletion (a later issue).
 */
#include "topics.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "log.h"

struct topic_registry {
    uint64_t version; /* bumped on every change */
    char *path;     /* config/topics.json */
    char *dir;      /* config/ */
    store *st;
    topic **items;
    int n, cap;
    int32_t *slots; /* index into items, -1 empty */
    size_t nslots;
};

static uint64_t topics_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

static int64_t topics_now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static int topics_rehash(topic_registry *reg, size_t nslots)
{
    int32_t *s = malloc(nslots * sizeof *s);
    if (!s)
        return -1;
    for (size_t i = 0; i < nslots; i++)
        s[i] = -1;
    for (int i = 0; i < reg->n; i++) {
        size_t h = topics_hash(reg->items[i]->name, reg->items[i]->name_len) &
                   (nslots - 1);
        while (s[h] >= 0)
            h = (h + 1) & (nslots - 1);
        s[h] = i;
    }
    free(reg->slots);
    reg->slots = s;
    reg->nslots = nslots;
    return 0;
}

topic *topics_find(topic_registry *reg, const char *name, size_t len)
{
    if (!reg->nslots)
        return NULL;
    size_t h = topics_hash(name, len) & (reg->nslots - 1);
    while (reg->slots[h] >= 0) {
        topic *t = reg->items[reg->slots[h]];
        if (t->name_len == len && memcmp(t->name, name, len) == 0)
            return t;
        h = (h + 1) & (reg->nslots - 1);
    }
    return NULL;
}

int topics_validate_name(const char *name, size_t len, char *err,
                         size_t errlen)
{
    if (len == 0 || len > TOPIC_NAME_MAX) {
        snprintf(err, errlen, "topic name length must be 1..%d",
                 TOPIC_NAME_MAX);
        return -1;
    }
    if ((len == 1 && name[0] == '.') ||
        (len == 2 && name[0] == '.' && name[1] == '.')) {
        snprintf(err, errlen, "topic name cannot be '.' or '..'");
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) {
            snprintf(err, errlen,
                     "topic name may only contain [a-zA-Z0-9._-]");
            return -1;
        }
    }
    return 0;
}

static void topic_free(topic *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->n_configs; i++) {
        free(t->configs[i].name);
        free(t->configs[i].value);
    }
    free(t->configs);
    free(t->sq);
    free(t->name);
    free(t);
}

static int topics_add(topic_registry *reg, topic *t)
{
    if (reg->n == reg->cap) {
        int ncap = reg->cap ? reg->cap * 2 : 16;
        topic **ni = realloc(reg->items, (size_t)ncap * sizeof *ni);
        if (!ni)
            return -1;
        reg->items = ni;
        reg->cap = ncap;
    }
    reg->items[reg->n++] = t;
    if ((size_t)reg->n * 2 > reg->nslots) {
        if (topics_rehash(reg, reg->nslots ? reg->nslots * 2 : 64) != 0) {
            reg->n--;
            return -1;
        }
    } else {
        size_t h = topics_hash(t->name, t->name_len) & (reg->nslots - 1);
        while (reg->slots[h] >= 0)
            h = (h + 1) & (reg->nslots - 1);
        reg->slots[h] = reg->n - 1;
    }
    return 0;
}

uint64_t topics_version(topic_registry *reg)
{
    return reg->version;
}

static int topics_save(topic_registry *reg)
{
    reg->version++;
    json_t *root = json_object(), *arr = json_array();
    json_object_set_new(root, "version", json_integer(1));
    for (int i = 0; i < reg->n; i++) {
        topic *t = reg->items[i];
        char hex[33];
        for (int k = 0; k < 16; k++)
            snprintf(hex + 2 * k, 3, "%02x", t->id[k]);
        json_t *o = json_object(), *cf = json_object();
        json_object_set_new(o, "name", json_stringn(t->name, t->name_len));
        json_object_set_new(o, "queues", json_integer(t->queues));
        json_object_set_new(o, "id", json_string(hex));
        json_object_set_new(o, "created_ms", json_integer(t->created_ms));
        json_object_set_new(o, "internal", json_boolean(t->is_internal));
        for (int k = 0; k < t->n_configs; k++)
            json_object_set_new(cf, t->configs[k].name,
                                json_string(t->configs[k].value));
        json_object_set_new(o, "configs", cf);
        json_array_append_new(arr, o);
    }
    json_object_set_new(root, "topics", arr);
    char *text = json_dumps(root, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!text)
        return -1;
    size_t plen = strlen(reg->path);
    char *tmp = malloc(plen + 5);
    if (!tmp) {
        free(text);
        return -1;
    }
    memcpy(tmp, reg->path, plen);
    memcpy(tmp + plen, ".tmp", 5);
    int rc = -1;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        size_t len = strlen(text), off = 0;
        while (off < len) {
            ssize_t w = write(fd, text + off, len - off);
            if (w <= 0)
                break;
            off += (size_t)w;
        }
        if (off == len && fsync(fd) == 0 && close(fd) == 0) {
            fd = -1;
            if (rename(tmp, reg->path) == 0) {
                int dfd = open(reg->dir, O_RDONLY | O_DIRECTORY);
                if (dfd >= 0) {
                    fsync(dfd);
                    close(dfd);
                }
                rc = 0;
            }
        }
        if (fd >= 0)
            close(fd);
    }
    if (rc != 0)
        log_error("topics", NULL, "cannot write %s: %s", reg->path,
                  strerror(errno));
    free(tmp);
    free(text);
    return rc;
}

static topic *topic_new(const char *name, size_t len, int32_t queues)
{
    topic *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->name = malloc(len + 1);
    t->sq = calloc((size_t)queues, sizeof *t->sq);
    if (!t->name || !t->sq) {
        topic_free(t);
        return NULL;
    }
    memcpy(t->name, name, len);
    t->name[len] = '\0';
    t->name_len = len;
    t->queues = queues;
    return t;
}

static int topics_load(topic_registry *reg, char *err, size_t errlen)
{
    json_error_t jerr;
    json_t *root = json_load_file(reg->path, 0, &jerr);
    if (!root) {
        if (access(reg->path, F_OK) != 0)
            return 0; /* first start */
        snprintf(err, errlen, "%s:%d: %s", reg->path, jerr.line, jerr.text);
        return -1;
    }
    json_t *arr = json_object_get(root, "topics");
    size_t i;
    json_t *o;
    int rc = 0;
    if (!json_is_array(arr)) {
        snprintf(err, errlen, "%s: no \"topics\" array", reg->path);
        json_decref(root);
        return -1;
    }
    json_array_foreach(arr, i, o)
    {
        const char *name = json_string_value(json_object_get(o, "name"));
        json_int_t queues = json_integer_value(json_object_get(o, "queues"));
        const char *hex = json_string_value(json_object_get(o, "id"));
        if (!name || queues <= 0 || queues > 100000) {
            snprintf(err, errlen, "%s: topic entry %zu is malformed",
                     reg->path, i);
            rc = -1;
            break;
        }
        topic *t = topic_new(name, strlen(name), (int32_t)queues);
        if (!t) {
            rc = -1;
            snprintf(err, errlen, "out of memory");
            break;
        }
        if (hex && strlen(hex) == 32)
            for (int k = 0; k < 16; k++) {
                unsigned v;
                if (sscanf(hex + 2 * k, "%2x", &v) == 1)
                    t->id[k] = (uint8_t)v;
            }
        t->created_ms = json_integer_value(json_object_get(o, "created_ms"));
        t->is_internal = json_is_true(json_object_get(o, "internal"));
        json_t *cf = json_object_get(o, "configs");
        if (json_is_object(cf) && json_object_size(cf)) {
            t->configs = calloc(json_object_size(cf), sizeof *t->configs);
            const char *k;
            json_t *v;
            json_object_foreach(cf, k, v)
            {
                if (!json_is_string(v) || !t->configs)
                    continue;
                t->configs[t->n_configs].name = strdup(k);
                t->configs[t->n_configs].value = strdup(json_string_value(v));
                t->n_configs++;
            }
        }
        if (topics_add(reg, t) != 0) {
            topic_free(t);
            rc = -1;
            snprintf(err, errlen, "out of memory");
            break;
        }
    }
    json_decref(root);
    return rc;
}

static char *topics_join(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    char *s = malloc(la + lb + 2);
    if (!s)
        return NULL;
    memcpy(s, a, la);
    s[la] = '/';
    memcpy(s + la + 1, b, lb + 1);
    return s;
}

topic_registry *topics_open(const char *dir, store *st, char *err,
                            size_t errlen)
{
    topic_registry *reg = calloc(1, sizeof *reg);
    if (!reg) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    reg->st = st;
    reg->dir = topics_join(dir, "config");
    reg->path = reg->dir ? topics_join(reg->dir, "topics.json") : NULL;
    if (!reg->path) {
        snprintf(err, errlen, "out of memory");
        topics_close(reg);
        return NULL;
    }
    if (mkdir(reg->dir, 0755) != 0 && errno != EEXIST) {
        snprintf(err, errlen, "cannot create %s: %s", reg->dir,
                 strerror(errno));
        topics_close(reg);
        return NULL;
    }
    if (topics_rehash(reg, 64) != 0 || topics_load(reg, err, errlen) != 0) {
        topics_close(reg);
        return NULL;
    }
    log_info("topics", NULL, "loaded %d topics from %s", reg->n, reg->path);
    return reg;
}

void topics_close(topic_registry *reg)
{
    if (!reg)
        return;
    for (int i = 0; i < reg->n; i++)
        topic_free(reg->items[i]);
    free(reg->items);
    free(reg->slots);
    free(reg->path);
    free(reg->dir);
    free(reg);
}

static int topics_create_common(topic_registry *reg, const char *name,
                                size_t len, int32_t queues,
                                const topic_config_entry *configs,
                                int n_configs, int internal, topic **out,
                                char *err, size_t errlen);

int topics_create(topic_registry *reg, const char *name, size_t len,
                  int32_t queues, const topic_config_entry *configs,
                  int n_configs, topic **out, char *err, size_t errlen)
{
    if (topics_validate_name(name, len, err, errlen) != 0)
        return -1;
    return topics_create_common(reg, name, len, queues, configs, n_configs, 0,
                                out, err, errlen);
}

int topics_create_any(topic_registry *reg, const char *name, size_t len,
                      int32_t queues, int internal, topic **out, char *err,
                      size_t errlen)
{
    if (len == 0 || len > 255) {
        snprintf(err, errlen, "topic name length must be 1..255");
        return -1;
    }
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
              c == '%' || c == '|')) {
            snprintf(err, errlen,
                     "topic name may only contain [%%|a-zA-Z0-9._-]");
            return -1;
        }
    }
    return topics_create_common(reg, name, len, queues, NULL, 0, internal,
                                out, err, errlen);
}

static int topics_create_common(topic_registry *reg, const char *name,
                                size_t len, int32_t queues,
                                const topic_config_entry *configs,
                                int n_configs, int internal, topic **out,
                                char *err, size_t errlen)
{
    if (queues <= 0 || queues > 100000) {
        snprintf(err, errlen, "partition count must be 1..100000");
        return -1;
    }
    if (topics_find(reg, name, len)) {
        snprintf(err, errlen, "topic '%.*s' already exists", (int)len, name);
        return -2;
    }
    topic *t = topic_new(name, len, queues);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int ufd = open("/dev/urandom", O_RDONLY);
    if (ufd < 0 || read(ufd, t->id, 16) != 16) {
        /* fall back on time-derived bytes; ids need only be unique here */
        int64_t now = topics_now_ms();
        memcpy(t->id, &now, sizeof now);
        memcpy(t->id + 8, &reg, sizeof(void *) < 8 ? sizeof(void *) : 8);
    }
    if (ufd >= 0)
        close(ufd);
    t->id[6] = (uint8_t)((t->id[6] & 0x0f) | 0x40);
    t->id[8] = (uint8_t)((t->id[8] & 0x3f) | 0x80);
    t->created_ms = topics_now_ms();
    t->is_internal = internal;
    if (n_configs > 0) {
        t->configs = calloc((size_t)n_configs, sizeof *t->configs);
        if (!t->configs) {
            topic_free(t);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        for (int i = 0; i < n_configs; i++) {
            t->configs[i].name = strdup(configs[i].name);
            t->configs[i].value = strdup(configs[i].value);
        }
        t->n_configs = n_configs;
    }
    if (topics_add(reg, t) != 0) {
        topic_free(t);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (topics_save(reg) != 0) {
        snprintf(err, errlen, "cannot persist the topic registry");
        /* keep it in memory: the next successful save will include it */
    }
    log_info("topics", NULL, "created topic %s with %d queues", t->name,
             queues);
    if (out)
        *out = t;
    return 0;
}

store_queue *topics_queue(topic_registry *reg, topic *t, int32_t q)
{
    if (q < 0 || q >= t->queues)
        return NULL;
    if (!t->sq[q])
        t->sq[q] = store_queue_get(reg->st, t->name, q, 1);
    return t->sq[q];
}

int topics_count(topic_registry *reg)
{
    return reg->n;
}

topic *topics_at(topic_registry *reg, int i)
{
    return i >= 0 && i < reg->n ? reg->items[i] : NULL;
}

int topics_delete(topic_registry *reg, topic *t)
{
    int idx = -1;
    for (int i = 0; i < reg->n; i++)
        if (reg->items[i] == t)
            idx = i;
    if (idx < 0)
        return -1;
    for (int32_t q = 0; q < t->queues; q++)
        store_queue_delete(reg->st, t->name, q);
    memmove(&reg->items[idx], &reg->items[idx + 1],
            (size_t)(reg->n - idx - 1) * sizeof *reg->items);
    reg->n--;
    topics_rehash(reg, reg->nslots);
    log_info("topics", NULL, "deleted topic %s", t->name);
    topic_free(t);
    return topics_save(reg);
}

int topics_set_queues(topic_registry *reg, topic *t, int32_t queues)
{
    if (queues <= t->queues)
        return -1;
    store_queue **nq = realloc(t->sq, (size_t)queues * sizeof *nq);
    if (!nq)
        return -1;
    for (int32_t q = t->queues; q < queues; q++)
        nq[q] = NULL;
    t->sq = nq;
    log_info("topics", NULL, "topic %s: %d -> %d queues", t->name, t->queues,
             queues);
    t->queues = queues;
    return topics_save(reg);
}

int topics_replace_configs(topic_registry *reg, topic *t,
                           const topic_config_entry *configs, int n)
{
    topic_config_entry *nc = NULL;
    if (n > 0) {
        nc = calloc((size_t)n, sizeof *nc);
        if (!nc)
            return -1;
        for (int i = 0; i < n; i++) {
            nc[i].name = strdup(configs[i].name);
            nc[i].value = strdup(configs[i].value);
        }
    }
    for (int i = 0; i < t->n_configs; i++) {
        free(t->configs[i].name);
        free(t->configs[i].value);
    }
    free(t->configs);
    t->configs = nc;
    t->n_configs = n;
    return topics_save(reg);
}

const char *topics_config_get(const topic *t, const char *name)
{
    for (int i = 0; i < t->n_configs; i++)
        if (strcmp(t->configs[i].name, name) == 0)
            return t->configs[i].value;
    return NULL;
}
