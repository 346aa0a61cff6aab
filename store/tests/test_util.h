/*
 * test_util.h - helpers shared by the store tests: temp dirs under /tmp,
 * small-file configs (64 KiB segments so rolls happen), appends, file
 * surgery (copy a store, zero or flip bytes of a segment).
 *
 * Include after <cmocka.h>.
 */
#ifndef FERRY_STORE_TEST_UTIL_H
#define FERRY_STORE_TEST_UTIL_H

#include "store.h"
#include "store_int.h"

#include "buf.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TU_SEG (64u * 1024u)

static inline void tu_mkdtemp(char *buf, size_t n)
{
    snprintf(buf, n, "/tmp/ferry-store-test-XXXXXX");
    assert_non_null(mkdtemp(buf));
}

static inline int tu_rm_cb(const char *path, const struct stat *sb, int flag,
                           struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static inline void tu_rmrf(const char *path)
{
    nftw(path, tu_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static inline void tu_copy_file(const char *src, const char *dst)
{
    int in = open(src, O_RDONLY);
    assert_true(in >= 0);
    int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(out >= 0);
    char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof(buf))) > 0)
        assert_int_equal(write(out, buf, (size_t)n), n);
    close(in);
    close(out);
}

/* Recursive copy of a store directory (regular files and dirs only). */
static inline void tu_copytree(const char *src, const char *dst)
{
    mkdir(dst, 0755);
    DIR *d = opendir(src);
    assert_non_null(d);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char s[4096], t[4096];
        snprintf(s, sizeof(s), "%s/%s", src, de->d_name);
        snprintf(t, sizeof(t), "%s/%s", dst, de->d_name);
        struct stat sb;
        assert_int_equal(lstat(s, &sb), 0);
        if (S_ISDIR(sb.st_mode))
            tu_copytree(s, t);
        else if (S_ISREG(sb.st_mode))
            tu_copy_file(s, t);
    }
    closedir(d);
}

static inline void tu_config(store_config *cfg, const char *dir)
{
    store_config_defaults(cfg);
    cfg->dir = dir;
    cfg->commitlog_segment_size = TU_SEG;
    cfg->cq_entries_per_file = 64;
    cfg->index_slots = 16;
    cfg->index_entries = 64;
    cfg->flush_interval_ms = 3600 * 1000; /* tests flush explicitly */
    cfg->disk_max_used_percent = 100;
    cfg->disk_refuse_percent = 100;
    cfg->max_record_size = 32 * 1024;
}

static inline store *tu_open(const store_config *cfg)
{
    char err[1024];
    store *st = store_open(cfg, err, sizeof(err));
    if (!st)
        fprintf(stderr, "store_open: %s\n", err);
    assert_non_null(st);
    return st;
}

/* Body bytes derived from seed, so a read can be checked. */
static inline void tu_fill(uint8_t *p, uint32_t n, uint32_t seed)
{
    for (uint32_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed * 31u + i * 7u + (i >> 8));
}

static inline int tu_body_ok(const uint8_t *p, uint32_t n, uint32_t seed)
{
    for (uint32_t i = 0; i < n; i++)
        if (p[i] != (uint8_t)(seed * 31u + i * 7u + (i >> 8)))
            return 0;
    return 1;
}

/* Appends a MESSAGE with a body of body_len pattern bytes (seed) and, if
 * key is given, one index key.  Returns the store_append result code. */
static inline int tu_append(store *st, store_queue *q, uint32_t body_len,
                            uint32_t seed, const char *key,
                            store_append_result *res)
{
    static uint8_t body[256 * 1024];
    assert_true(body_len <= sizeof(body));
    tu_fill(body, body_len, seed);
    store_index_key k;
    store_append_req req;
    memset(&req, 0, sizeof(req));
    req.queue = q;
    req.kind = STORE_KIND_MESSAGE;
    req.count = 1;
    req.flag = (int32_t)seed;
    req.born_timestamp = 1000 + seed;
    req.properties = (const uint8_t *)"TAGS\001a\002";
    req.properties_len = 7;
    req.body = body;
    req.body_len = body_len;
    int64_t tag = (int64_t)seed * 17;
    req.tag_hashes = &tag;
    if (key) {
        k.batch_index = 0;
        k.key = (const uint8_t *)key;
        k.len = (uint16_t)strlen(key);
        req.keys = &k;
        req.n_keys = 1;
    }
    return store_append(st, &req, res);
}

/* Path of the segment file holding pos. */
static inline void tu_seg_path(char *out, size_t n, const char *dir,
                               int64_t pos)
{
    snprintf(out, n, "%s/commitlog/%020lld", dir,
             (long long)(pos - pos % TU_SEG));
}

/* Zeroes segment bytes from pos to the end of its segment. */
static inline void tu_zero_from(const char *dir, int64_t pos)
{
    char path[4096];
    tu_seg_path(path, sizeof(path), dir, pos);
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    static uint8_t zeros[TU_SEG];
    size_t off = (size_t)(pos % TU_SEG);
    assert_int_equal(pwrite(fd, zeros, TU_SEG - off, (off_t)off),
                     (ssize_t)(TU_SEG - off));
    close(fd);
}

static inline void tu_flip(const char *dir, int64_t pos)
{
    char path[4096];
    tu_seg_path(path, sizeof(path), dir, pos);
    int fd = open(path, O_RDWR);
    assert_true(fd >= 0);
    uint8_t b;
    assert_int_equal(pread(fd, &b, 1, pos % TU_SEG), 1);
    b ^= 0xFF;
    assert_int_equal(pwrite(fd, &b, 1, pos % TU_SEG), 1);
    close(fd);
}

static inline int tu_count_files(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

static inline void tu_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

#endif /* FERRY_STORE_TEST_UTIL_H */
