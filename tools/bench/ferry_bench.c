/*
 * ferry_bench.c - libferry against a broker: send and consume rates,
 * latency percentiles, and the broker's CPU per million messages.
 *
 *   ferry-bench --namesrv H:P --topic T --mode MODE [--size BYTES]
 *               [--messages N] [--inflight K] [--batch B] [--queues Q]
 *               [--broker-pid PID] [--group G] [--tags T]
 *
 * MODE: sync     K threads, each a sync send at a time (K in flight)
 *       async    one thread, at most K async sends in flight
 *       batch    K threads of sync SEND_BATCH_MESSAGE with B messages
 *       consume  a push consumer (new group, from the first offset) until N
 *                messages arrived
 *       raw      reference: K threads doing request/answer round trips of
 *                the same frame size over loopback TCP to an echo thread
 *                (no broker; what the kernel and one socket cost)
 *       tags     tag filtering: K threads store N messages with SEND_BATCH
 *                (B per batch), message i tagged "tag<i mod T>" (T = 0: no
 *                tag), then a push consumer of a new group subscribed to
 *                "tag0" ("*" when T = 0) reads from the first offset until
 *                it has the ceil(N/T) matching ones.  Only the consume phase
 *                is timed: msgs/s and broker CPU-s per million count the
 *                messages *delivered*; the broker walked past all N
 *                ConsumeQueue entries (scanned=N, printed at the end).
 * --queues Q creates the topic with Q queues first (admin).
 * Prints one line: mode size inflight msgs secs msgs/s p50_us p99_us
 * broker_cpu_s_per_M (latency: per request; "-" when not measured).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <ferry/ferry.h>

static const char *namesrv, *topic, *mode = "sync", *group = "bench_group";
static int size = 128, inflight = 1, batch = 32, queues, pid, ntags;
static long messages = 10000;
static char *payload;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* utime + stime of pid in seconds, or -1 */
static double proc_cpu(int p)
{
    char path[64], buf[2048];
    FILE *f;
    size_t n;

    if (p <= 0)
        return -1;
    snprintf(path, sizeof path, "/proc/%d/stat", p);
    if (!(f = fopen(path, "r")))
        return -1;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *s = strrchr(buf, ')');
    if (!s)
        return -1;
    unsigned long ut = 0, st = 0;
    /* fields after ")": state(3) ... utime(14) stime(15) */
    if (sscanf(s + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
               &ut, &st) != 2)
        return -1;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* latency samples (ns) */
static int64_t *lat;
static atomic_long nlat;

static void lat_add(int64_t ns)
{
    long i = atomic_fetch_add(&nlat, 1);
    if (i < messages)
        lat[i] = ns;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static ferry_msg bench_msg(void)
{
    ferry_msg m;
    memset(&m, 0, sizeof m);
    m.topic = topic;
    m.body = payload;
    m.body_len = (size_t)size;
    return m;
}

/* ---- sync / batch ---- */

static ferry_producer *prod;
static atomic_long next_msg, errors;

static char (*tag_names)[16]; /* tags mode: "tag0" ... */

static void *sync_worker(void *arg)
{
    (void)arg;
    ferry_msg m = bench_msg();
    ferry_msg *ms = NULL;
    int per = !strcmp(mode, "batch") || !strcmp(mode, "tags") ? batch : 1;
    if (per > 1) {
        ms = malloc(sizeof(*ms) * (size_t)per);
        for (int i = 0; i < per; i++)
            ms[i] = m;
    }
    for (;;) {
        long i = atomic_fetch_add(&next_msg, per);
        if (i >= messages)
            break;
        if (tag_names) /* message i + k gets tag (i + k) mod T */
            for (int k = 0; k < per; k++)
                ms[k].tags = tag_names[(i + k) % ntags];
        int64_t t0 = now_ns();
        int rc = per > 1 ? ferry_producer_send_batch(prod, ms, per, NULL, NULL)
                         : ferry_producer_send(prod, &m, NULL);
        if (rc != 0)
            atomic_fetch_add(&errors, 1);
        lat_add(now_ns() - t0);
    }
    free(ms);
    return NULL;
}

/* ---- async ---- */

static pthread_mutex_t amu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t acond = PTHREAD_COND_INITIALIZER;
static int in_flight;
static long acked;

static void on_sent(int err, const ferry_send_result *r, const char *remark,
                    void *arg)
{
    int64_t t0 = (int64_t)(intptr_t)arg;
    (void)r;
    (void)remark;
    if (err)
        atomic_fetch_add(&errors, 1);
    lat_add(now_ns() - t0);
    pthread_mutex_lock(&amu);
    in_flight--;
    acked++;
    pthread_cond_signal(&acond);
    pthread_mutex_unlock(&amu);
}

static void run_async(void)
{
    ferry_msg m = bench_msg();
    for (long i = 0; i < messages; i++) {
        pthread_mutex_lock(&amu);
        while (in_flight >= inflight)
            pthread_cond_wait(&acond, &amu);
        in_flight++;
        pthread_mutex_unlock(&amu);
        if (ferry_producer_send_async(prod, &m, on_sent,
                                      (void *)(intptr_t)now_ns()) != 0) {
            atomic_fetch_add(&errors, 1);
            pthread_mutex_lock(&amu);
            in_flight--;
            acked++;
            pthread_mutex_unlock(&amu);
        }
    }
    pthread_mutex_lock(&amu);
    while (acked < messages)
        pthread_cond_wait(&acond, &amu);
    pthread_mutex_unlock(&amu);
}

/* ---- consume ---- */

static atomic_long consumed;

static ferry_consume_status on_msgs(ferry_push_consumer *c,
                                    ferry_rmsg *const *msgs, int count,
                                    void *arg)
{
    (void)c;
    (void)msgs;
    (void)arg;
    atomic_fetch_add(&consumed, count);
    return FERRY_CONSUME_SUCCESS;
}

/* ---- raw reference ---- */

static int raw_port;

static void *echo_conn(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char *buf = malloc((size_t)size + 64);
    for (;;) {
        ssize_t got = 0, n;
        while (got < size + 64 && (n = read(fd, buf + got,
                                            (size_t)(size + 64 - got))) > 0)
            got += n;
        if (got < size + 64)
            break;
        if (write(fd, buf, 64) != 64) /* an answer the size of a header */
            break;
    }
    close(fd);
    free(buf);
    return NULL;
}

static void *echo_server(void *arg)
{
    int lfd = (int)(intptr_t)arg;
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0)
            break;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        pthread_t t;
        pthread_create(&t, NULL, echo_conn, (void *)(intptr_t)fd);
        pthread_detach(t);
    }
    return NULL;
}

static void *raw_worker(void *arg)
{
    (void)arg;
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    char *buf = calloc(1, (size_t)size + 64);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons((uint16_t)raw_port);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        atomic_fetch_add(&errors, 1);
        free(buf);
        return NULL;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    for (;;) {
        long i = atomic_fetch_add(&next_msg, 1);
        if (i >= messages)
            break;
        int64_t t0 = now_ns();
        if (write(fd, buf, (size_t)size + 64) != size + 64)
            break;
        ssize_t got = 0, n;
        while (got < 64 && (n = read(fd, buf, (size_t)(64 - got))) > 0)
            got += n;
        lat_add(now_ns() - t0);
    }
    close(fd);
    free(buf);
    return NULL;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: ferry-bench --namesrv H:P --topic T --mode "
            "sync|async|batch|consume|raw [--size N] [--messages N] "
            "[--inflight K] [--batch B] [--queues Q] [--broker-pid PID] "
            "[--group G] [--tags T]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    char err[256];
    ferry_conf conf;

    for (int i = 1; i < argc; i += 2) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v)
            usage();
        if (!strcmp(a, "--namesrv"))
            namesrv = v;
        else if (!strcmp(a, "--topic"))
            topic = v;
        else if (!strcmp(a, "--mode"))
            mode = v;
        else if (!strcmp(a, "--size"))
            size = atoi(v);
        else if (!strcmp(a, "--messages"))
            messages = atol(v);
        else if (!strcmp(a, "--inflight"))
            inflight = atoi(v);
        else if (!strcmp(a, "--batch"))
            batch = atoi(v);
        else if (!strcmp(a, "--queues"))
            queues = atoi(v);
        else if (!strcmp(a, "--broker-pid"))
            pid = atoi(v);
        else if (!strcmp(a, "--tags"))
            ntags = atoi(v);
        else if (!strcmp(a, "--group"))
            group = v;
        else
            usage();
    }
    if ((!namesrv || !topic) && strcmp(mode, "raw") != 0)
        usage();
    if (size < 0 || messages <= 0 || inflight <= 0 || batch <= 0)
        usage();
    payload = malloc((size_t)size + 1);
    memset(payload, 'x', (size_t)size);
    lat = calloc((size_t)messages, sizeof(*lat));
    ferry_conf_init(&conf);
    conf.namesrv_addr = namesrv;
    conf.group = group;
    conf.request_timeout_ms = 10000;

    if (queues > 0) {
        ferry_admin *ad = ferry_admin_new(&conf, err, sizeof err);
        int rc = ad ? ferry_admin_create_topic(ad, NULL, NULL, topic, queues,
                                               queues)
                    : FERRY_ERR_INVALID;
        if (rc != 0) {
            fprintf(stderr, "create topic: %s %s\n", ferry_strerror(rc),
                    ad ? ferry_last_remark() : err);
            return 1;
        }
        ferry_admin_free(ad);
    }

    pthread_t *th = calloc((size_t)inflight, sizeof(*th));
    double cpu0, cpu1;
    int64_t t0, t1;
    long scanned = 0, delivered_goal = messages;
    if (!strcmp(mode, "sync") || !strcmp(mode, "batch") ||
        !strcmp(mode, "async")) {
        prod = ferry_producer_new(&conf, err, sizeof err);
        if (!prod) {
            fprintf(stderr, "producer: %s\n", err);
            return 1;
        }
        ferry_msg warm = bench_msg(); /* route + connection */
        ferry_producer_send(prod, &warm, NULL);
        cpu0 = proc_cpu(pid);
        t0 = now_ns();
        if (!strcmp(mode, "async")) {
            run_async();
        } else {
            for (int i = 0; i < inflight; i++)
                pthread_create(&th[i], NULL, sync_worker, NULL);
            for (int i = 0; i < inflight; i++)
                pthread_join(th[i], NULL);
        }
        t1 = now_ns();
        cpu1 = proc_cpu(pid);
        ferry_producer_free(prod);
    } else if (!strcmp(mode, "consume")) {
        conf.consume_from = FERRY_CONSUME_FROM_FIRST_OFFSET;
        conf.consume_batch_size = 32;
        conf.pull_batch_size = 64;
        ferry_push_consumer *pc =
            ferry_push_consumer_new(&conf, err, sizeof err);
        if (!pc) {
            fprintf(stderr, "consumer: %s\n", err);
            return 1;
        }
        ferry_push_consumer_subscribe(pc, topic, "*");
        ferry_push_consumer_set_callback(pc, on_msgs, NULL);
        cpu0 = proc_cpu(pid);
        t0 = now_ns();
        if (ferry_push_consumer_start(pc) != 0) {
            fprintf(stderr, "consumer start failed\n");
            return 1;
        }
        int64_t deadline = t0 + (int64_t)300 * 1000000000;
        while (atomic_load(&consumed) < messages && now_ns() < deadline)
            usleep(1000);
        t1 = now_ns();
        cpu1 = proc_cpu(pid);
        ferry_push_consumer_free(pc);
        if (atomic_load(&consumed) < messages)
            atomic_fetch_add(&errors, 1);
    } else if (!strcmp(mode, "tags")) {
        if (ntags < 0 || ntags > 10000)
            usage();
        if (ntags > 0) {
            tag_names = calloc((size_t)ntags, sizeof(*tag_names));
            for (int i = 0; i < ntags; i++)
                snprintf(tag_names[i], sizeof tag_names[i], "tag%d", i);
        }
        prod = ferry_producer_new(&conf, err, sizeof err);
        if (!prod) {
            fprintf(stderr, "producer: %s\n", err);
            return 1;
        }
        for (int i = 0; i < inflight; i++)
            pthread_create(&th[i], NULL, sync_worker, NULL);
        for (int i = 0; i < inflight; i++)
            pthread_join(th[i], NULL);
        ferry_producer_free(prod);
        /* stored (a batch may overshoot N: count what is there) */
        long stored = ((messages + batch - 1) / batch) * batch;
        scanned = stored;
        delivered_goal = ntags > 0 ? (stored + ntags - 1) / ntags : stored;
        nlat = 0; /* the produce latencies are not this row's */
        conf.consume_from = FERRY_CONSUME_FROM_FIRST_OFFSET;
        conf.consume_batch_size = 32;
        conf.pull_batch_size = 64;
        ferry_push_consumer *pc =
            ferry_push_consumer_new(&conf, err, sizeof err);
        if (!pc) {
            fprintf(stderr, "consumer: %s\n", err);
            return 1;
        }
        ferry_push_consumer_subscribe(pc, topic, ntags > 0 ? "tag0" : "*");
        ferry_push_consumer_set_callback(pc, on_msgs, NULL);
        cpu0 = proc_cpu(pid);
        t0 = now_ns();
        if (ferry_push_consumer_start(pc) != 0) {
            fprintf(stderr, "consumer start failed\n");
            return 1;
        }
        int64_t deadline = t0 + (int64_t)300 * 1000000000;
        while (atomic_load(&consumed) < delivered_goal && now_ns() < deadline)
            usleep(1000);
        t1 = now_ns();
        cpu1 = proc_cpu(pid);
        ferry_push_consumer_free(pc);
        if (atomic_load(&consumed) != delivered_goal) {
            fprintf(stderr, "tags: got %ld of %ld\n", atomic_load(&consumed),
                    delivered_goal);
            atomic_fetch_add(&errors, 1);
        }
        free(tag_names);
    } else if (!strcmp(mode, "raw")) {
        struct sockaddr_in sa;
        socklen_t sl = sizeof sa;
        int lfd = socket(AF_INET, SOCK_STREAM, 0);
        memset(&sa, 0, sizeof sa);
        sa.sin_family = AF_INET;
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
            listen(lfd, 128) != 0 ||
            getsockname(lfd, (struct sockaddr *)&sa, &sl) != 0)
            return 1;
        raw_port = ntohs(sa.sin_port);
        pthread_t es;
        pthread_create(&es, NULL, echo_server, (void *)(intptr_t)lfd);
        pthread_detach(es);
        cpu0 = cpu1 = -1;
        t0 = now_ns();
        for (int i = 0; i < inflight; i++)
            pthread_create(&th[i], NULL, raw_worker, NULL);
        for (int i = 0; i < inflight; i++)
            pthread_join(th[i], NULL);
        t1 = now_ns();
    } else {
        usage();
        return 2;
    }

    double secs = (double)(t1 - t0) / 1e9;
    long n = atomic_load(&nlat) < messages ? atomic_load(&nlat) : messages;
    char p50[32] = "-", p99[32] = "-", cpu[32] = "-";
    if (n > 0) {
        qsort(lat, (size_t)n, sizeof(*lat), cmp_i64);
        snprintf(p50, sizeof p50, "%.0f", (double)lat[n / 2] / 1000);
        snprintf(p99, sizeof p99, "%.0f", (double)lat[n * 99 / 100] / 1000);
    }
    if (cpu0 >= 0 && cpu1 >= 0)
        snprintf(cpu, sizeof cpu, "%.2f",
                 (cpu1 - cpu0) * 1e6 / (double)delivered_goal);
    printf("%s %d %d %ld %.3f %.0f %s %s %s errors=%ld", mode, size, inflight,
           delivered_goal, secs, (double)delivered_goal / secs, p50, p99, cpu,
           atomic_load(&errors));
    if (!strcmp(mode, "tags"))
        printf(" tags=%d scanned=%ld delivered=%ld scanned_per_s=%.0f "
               "cpu_s_per_M_scanned=%s",
               ntags, scanned, atomic_load(&consumed), (double)scanned / secs,
               cpu0 >= 0 && cpu1 >= 0 ? "" : "-");
    if (!strcmp(mode, "tags") && cpu0 >= 0 && cpu1 >= 0)
        printf("%.2f", (cpu1 - cpu0) * 1e6 / (double)scanned);
    printf("\n");
    free(th);
    free(lat);
    free(payload);
    return atomic_load(&errors) ? 1 : 0;
}
