/*
 * store_bench.c - ferry-bench-store: append throughput of the store, with
 * the raw disk measured by the same tool in the same run as the reference.
 *
 * Modes (each run for --seconds, repeated --runs times, median reported):
 *   async-<size>-<n>q     ASYNC flush, one thread, MESSAGE records with a
 *                         <size> body round-robin over n queues
 *   sync-<size>-<t>thr    SYNC flush, t threads each doing append +
 *                         store_flush_wait + wait for the callback (group
 *                         commit); reports waiters per sync
 *   raw-write-<size>      write() of one record-sized buffer per call into
 *                         a plain file (page cache, no sync)
 *   raw-fdatasync-<size>  write() records, fdatasync every B records, B =
 *                         the waiters-per-sync of the SYNC run just before
 *                         (SYNC and raw runs alternate)
 * Raw files are preallocated (posix_fallocate, 1 GiB, overwritten in a
 * ring) like CommitLog segments, so both sides pay the same metadata.
 *
 * Per mode: appends/s, MB/s (whole record bytes), CPU seconds per million
 * appends (getrusage, whole process: includes the flush thread).
 *
 * Data goes under --dir (default /tmp), in a fresh directory removed after
 * each run.  Not a test: prints numbers, asserts nothing.
 */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

typedef struct bench_opts {
    int runs;
    double seconds;
    int sync_threads;
    const char *dir;
    int queues;
    const char *only; /* run modes whose name contains this */
} bench_opts;

typedef struct bench_result {
    double appends_per_s;
    double mb_per_s;
    double cpu_s_per_million;
    double per_sync; /* SYNC only */
} bench_result;

static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double bench_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static int bench_rm_cb(const char *path, const struct stat *sb, int flag,
                       struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void bench_rmrf(const char *path)
{
    nftw(path, bench_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static void bench_tmpdir(const bench_opts *o, char *buf, size_t n)
{
    snprintf(buf, n, "%s/ferry-bench-store-XXXXXX", o->dir);
    if (!mkdtemp(buf)) {
        fprintf(stderr, "mkdtemp %s: %s\n", buf, strerror(errno));
        exit(1);
    }
}

static store *bench_open(const char *dir, int mode)
{
    store_config cfg;
    store_config_defaults(&cfg);
    cfg.dir = dir;
    cfg.flush_mode = mode;
    cfg.disk_max_used_percent = 100;
    cfg.disk_refuse_percent = 100;
    char err[512];
    store *st = store_open(&cfg, err, sizeof(err));
    if (!st) {
        fprintf(stderr, "store_open: %s\n", err);
        exit(1);
    }
    return st;
}

/* ---- ASYNC: one thread ---- */

static bench_result bench_async(const bench_opts *o, uint32_t body_len,
                                int nqueues)
{
    char dir[512];
    bench_tmpdir(o, dir, sizeof(dir));
    store *st = bench_open(dir, STORE_FLUSH_ASYNC);
    store_queue *q[64];
    for (int i = 0; i < nqueues; i++)
        q[i] = store_queue_get(st, "bench", i, 1);
    static uint8_t body[1 << 16];
    memset(body, 'x', sizeof(body));
    int64_t tag = 12345;
    store_append_req req;
    memset(&req, 0, sizeof(req));
    req.kind = STORE_KIND_MESSAGE;
    req.count = 1;
    req.properties = (const uint8_t *)"TAGS\001a\002";
    req.properties_len = 7;
    req.body = body;
    req.body_len = body_len;
    req.tag_hashes = &tag;
    uint64_t n = 0, bytes = 0;
    double c0 = bench_cpu(), t0 = bench_now(), t1 = t0;
    while (t1 - t0 < o->seconds) {
        for (int k = 0; k < 4096; k++) {
            store_append_result r;
            req.queue = q[n % (uint64_t)nqueues];
            req.born_timestamp = (int64_t)n;
            if (store_append(st, &req, &r) != 0) {
                fprintf(stderr, "append: %s\n", store_errmsg(st));
                exit(1);
            }
            n++;
            bytes += r.size;
        }
        t1 = bench_now();
    }
    double c1 = bench_cpu();
    store_close(st);
    bench_rmrf(dir);
    bench_result res = {(double)n / (t1 - t0),
                        (double)bytes / (t1 - t0) / 1e6,
                        (c1 - c0) / ((double)n / 1e6), 0};
    return res;
}

/* ---- SYNC: threads waiting on group commit ---- */

typedef struct sync_waiter {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int done;
    int status;
} sync_waiter;

static void bench_sync_cb(void *arg, int status)
{
    sync_waiter *w = arg;
    pthread_mutex_lock(&w->lock);
    w->done = 1;
    w->status = status;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

typedef struct sync_thread {
    store *st;
    store_queue *q;
    uint32_t body_len;
    double until;
    uint64_t n, bytes;
} sync_thread;

static void *bench_sync_main(void *arg)
{
    sync_thread *t = arg;
    uint8_t body[1 << 12];
    memset(body, 'y', sizeof(body));
    sync_waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0,
                     0};
    store_append_req req;
    memset(&req, 0, sizeof(req));
    req.queue = t->q;
    req.kind = STORE_KIND_MESSAGE;
    req.count = 1;
    req.body = body;
    req.body_len = t->body_len;
    while (bench_now() < t->until) {
        store_append_result r;
        if (store_append(t->st, &req, &r) != 0)
            break;
        w.done = 0;
        if (store_flush_wait(t->st, r.end_pos, bench_sync_cb, &w) != 0)
            break;
        pthread_mutex_lock(&w.lock);
        while (!w.done)
            pthread_cond_wait(&w.cond, &w.lock);
        pthread_mutex_unlock(&w.lock);
        if (w.status != 0)
            break;
        t->n++;
        t->bytes += r.size;
    }
    return NULL;
}

static bench_result bench_sync(const bench_opts *o, uint32_t body_len)
{
    char dir[512];
    bench_tmpdir(o, dir, sizeof(dir));
    store *st = bench_open(dir, STORE_FLUSH_SYNC);
    int nt = o->sync_threads;
    sync_thread *t = calloc((size_t)nt, sizeof(*t));
    pthread_t *th = calloc((size_t)nt, sizeof(*th));
    double c0 = bench_cpu(), t0 = bench_now();
    store_flush_stats s0, s1;
    store_flush_stats_get(st, &s0);
    for (int i = 0; i < nt; i++) {
        t[i].st = st;
        t[i].q = store_queue_get(st, "bench", i % 8, 1);
        t[i].body_len = body_len;
        t[i].until = t0 + o->seconds;
        pthread_create(&th[i], NULL, bench_sync_main, &t[i]);
    }
    uint64_t n = 0, bytes = 0;
    for (int i = 0; i < nt; i++) {
        pthread_join(th[i], NULL);
        n += t[i].n;
        bytes += t[i].bytes;
    }
    double t1 = bench_now(), c1 = bench_cpu();
    store_flush_stats_get(st, &s1);
    store_close(st);
    bench_rmrf(dir);
    free(t);
    free(th);
    double syncs = (double)(s1.syncs - s0.syncs);
    bench_result res = {(double)n / (t1 - t0),
                        (double)bytes / (t1 - t0) / 1e6,
                        (c1 - c0) / ((double)n / 1e6),
                        syncs > 0 ? (double)n / syncs : 0};
    return res;
}

/* ---- raw disk reference ---- */

static bench_result bench_raw(const bench_opts *o, uint32_t rec_size,
                              int batch)
{
    char dir[512];
    bench_tmpdir(o, dir, sizeof(dir));
    char path[600];
    snprintf(path, sizeof(path), "%s/raw", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        perror("open raw");
        exit(1);
    }
    /* Preallocated like a CommitLog segment, so both sides pay the same
     * metadata costs; wraps around at the end. */
    const off_t file_size = (off_t)1 << 30;
    if (posix_fallocate(fd, 0, file_size) != 0) {
        perror("fallocate raw");
        exit(1);
    }
    off_t at = 0;
    static uint8_t buf[1 << 16];
    memset(buf, 'z', sizeof(buf));
    uint64_t n = 0;
    double c0 = bench_cpu(), t0 = bench_now(), t1 = t0;
    while (t1 - t0 < o->seconds) {
        for (int k = 0; k < (batch ? 1 : 4096); k++) {
            if (batch) {
                for (int b = 0; b < batch; b++, n++) {
                    if (at + (off_t)rec_size > file_size)
                        at = 0;
                    if (pwrite(fd, buf, rec_size, at) != (ssize_t)rec_size) {
                        perror("write");
                        exit(1);
                    }
                    at += rec_size;
                }
                if (fdatasync(fd) != 0) {
                    perror("fdatasync");
                    exit(1);
                }
            } else {
                if (at + (off_t)rec_size > file_size)
                    at = 0;
                if (pwrite(fd, buf, rec_size, at) != (ssize_t)rec_size) {
                    perror("write");
                    exit(1);
                }
                at += rec_size;
                n++;
            }
        }
        t1 = bench_now();
    }
    double c1 = bench_cpu();
    close(fd);
    bench_rmrf(dir);
    bench_result res = {(double)n / (t1 - t0),
                        (double)n * rec_size / (t1 - t0) / 1e6,
                        (c1 - c0) / ((double)n / 1e6), (double)batch};
    return res;
}

/* ---- reporting ---- */

static int bench_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double bench_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), bench_cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

typedef enum { M_ASYNC, M_SYNC, M_RAW, M_RAWSYNC } bench_kind;

static bench_result bench_mode(const bench_opts *o, const char *name,
                               bench_kind kind, uint32_t body, int queues,
                               uint32_t rec_size, int batch)
{
    double a[64], m[64], c[64], s[64];
    if (o->only && !strstr(name, o->only)) {
        bench_result skip = {0, 0, 0, (double)o->sync_threads / 2};
        return skip;
    }
    int runs = o->runs > 64 ? 64 : o->runs;
    for (int i = 0; i < runs; i++) {
        bench_result r;
        sync(); /* drain the previous run's dirty pages first */
        switch (kind) {
        case M_ASYNC:
            r = bench_async(o, body, queues);
            break;
        case M_SYNC:
            r = bench_sync(o, body);
            break;
        case M_RAW:
            r = bench_raw(o, rec_size, 0);
            break;
        default:
            r = bench_raw(o, rec_size, batch);
            break;
        }
        a[i] = r.appends_per_s;
        m[i] = r.mb_per_s;
        c[i] = r.cpu_s_per_million;
        s[i] = r.per_sync;
    }
    bench_result med = {bench_median(a, runs), bench_median(m, runs),
                        bench_median(c, runs), bench_median(s, runs)};
    printf("%-26s %12.0f %9.1f %12.3f", name, med.appends_per_s, med.mb_per_s,
           med.cpu_s_per_million);
    if (kind == M_SYNC)
        printf("   %.1f appends/sync", med.per_sync);
    if (kind == M_RAWSYNC)
        printf("   batch %d", batch);
    printf("\n");
    fflush(stdout);
    return med;
}

static void bench_machine(void)
{
    char model[256] = "unknown";
    FILE *fp = fopen("/proc/cpuinfo", "r");
    if (fp) {
        char line[512];
        while (fgets(line, sizeof(line), fp)) {
            if (!strncmp(line, "model name", 10)) {
                char *p = strchr(line, ':');
                if (p) {
                    snprintf(model, sizeof(model), "%s", p + 2);
                    model[strcspn(model, "\n")] = '\0';
                }
                break;
            }
        }
        fclose(fp);
    }
    struct utsname u;
    uname(&u);
    char commit[64] = "unknown";
    fp = popen("git rev-parse --short HEAD 2>/dev/null", "r");
    if (fp) {
        if (fgets(commit, sizeof(commit), fp))
            commit[strcspn(commit, "\n")] = '\0';
        else
            snprintf(commit, sizeof(commit), "unknown");
        pclose(fp);
    }
    printf("machine: nproc=%ld cpu=\"%s\" kernel=%s %s\n",
           sysconf(_SC_NPROCESSORS_ONLN), model, u.sysname, u.release);
    printf("commit:  %s\n", commit);
}

static uint32_t bench_record_size(uint32_t body, int with_props)
{
    /* header + topic "bench" + properties + body + aux (1 tag, 0 keys) */
    return 124 + 5 + (with_props ? 7 : 0) + body +
           (with_props ? 4 + 8 + 4 : 4 + 4);
}

int main(int argc, char **argv)
{
    bench_opts o = {5, 1.0, 8, "/tmp", 8, NULL};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            o.runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
            o.seconds = atof(argv[++i]);
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            o.sync_threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--queues") && i + 1 < argc)
            o.queues = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
            o.dir = argv[++i];
        else if (!strcmp(argv[i], "--only") && i + 1 < argc)
            o.only = argv[++i];
        else {
            fprintf(stderr,
                    "usage: %s [--runs N (5)] [--seconds S (1.0)] "
                    "[--threads T (8)] [--queues Q (8)] [--dir D (/tmp)] "
                    "[--only MODE-SUBSTRING]\n",
                    argv[0]);
            return 2;
        }
    }
    if (o.runs < 1 || o.seconds <= 0 || o.sync_threads < 1 ||
        o.queues < 1 || o.queues > 64) {
        fprintf(stderr, "bad arguments\n");
        return 2;
    }
    bench_machine();
    printf("runs: %d x %.1f s each, median reported; data under %s\n\n",
           o.runs, o.seconds, o.dir);
    printf("%-26s %12s %9s %12s\n", "mode", "appends/s", "MB/s",
           "CPU-s/M");
    char name[64];
    static const uint32_t sizes[2] = {100, 1024};
    for (int s = 0; s < 2; s++) {
        uint32_t body = sizes[s];
        const char *sz = body == 100 ? "100B" : "1KiB";
        snprintf(name, sizeof(name), "async-%s-1q", sz);
        bench_mode(&o, name, M_ASYNC, body, 1, 0, 0);
        snprintf(name, sizeof(name), "async-%s-%dq", sz, o.queues);
        bench_mode(&o, name, M_ASYNC, body, o.queues, 0, 0);
        snprintf(name, sizeof(name), "raw-write-%s", sz);
        bench_mode(&o, name, M_RAW, 0, 0, bench_record_size(body, 1), 0);
    }
    /* SYNC vs raw fdatasync: interleaved run by run (disk latency drifts
     * on shared machines), raw batch = that run's appends per sync. */
    for (int s = 0; s < 2; s++) {
        uint32_t body = sizes[s];
        const char *sz = body == 100 ? "100B" : "1KiB";
        char sname[64], rname[64];
        snprintf(sname, sizeof(sname), "sync-%s-%dthr", sz, o.sync_threads);
        snprintf(rname, sizeof(rname), "raw-fdatasync-%s", sz);
        if (o.only && !strstr(sname, o.only) && !strstr(rname, o.only))
            continue;
        double sa[64], sm[64], sc[64], sb[64], ra[64], rm[64], rc[64],
            ratio[64];
        int runs = o.runs > 64 ? 64 : o.runs;
        for (int i = 0; i < runs; i++) {
            sync();
            bench_result r = bench_sync(&o, body);
            int batch = (int)(r.per_sync + 0.5);
            if (batch < 1)
                batch = 1;
            sync();
            bench_result raw = bench_raw(&o, bench_record_size(body, 0),
                                         batch);
            sa[i] = r.appends_per_s;
            sm[i] = r.mb_per_s;
            sc[i] = r.cpu_s_per_million;
            sb[i] = r.per_sync;
            ra[i] = raw.appends_per_s;
            rm[i] = raw.mb_per_s;
            rc[i] = raw.cpu_s_per_million;
            ratio[i] = raw.appends_per_s > 0
                           ? 100.0 * r.appends_per_s / raw.appends_per_s
                           : 0;
        }
        printf("%-26s %12.0f %9.1f %12.3f   %.1f appends/sync\n", sname,
               bench_median(sa, runs), bench_median(sm, runs),
               bench_median(sc, runs), bench_median(sb, runs));
        printf("%-26s %12.0f %9.1f %12.3f   batch = that run's "
               "appends/sync\n",
               rname, bench_median(ra, runs), bench_median(rm, runs),
               bench_median(rc, runs));
        printf("%-26s %11.0f%%   (median of per-run ratios)\n",
               "  sync / raw", bench_median(ratio, runs));
        fflush(stdout);
    }
    return 0;
}
