/*
 * test_tls_event.c - ferry_tls_event: RocketMQ's tls.server.mode words and
 * the first-byte sniff on real sockets (socketpairs) and a real libevent
 * loop, in one thread: the client side is a non-blocking socket (plain
 * writes, or an OpenSSL client stepped between loop turns).
 *
 * Certificates: tools/tls/make-certs.sh (FERRY_MAKE_CERTS or argv[1]) into
 * a fresh temp dir.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "tls.h"
#include "tls_event.h"

#ifndef FERRY_MAKE_CERTS
#define FERRY_MAKE_CERTS "tools/tls/make-certs.sh"
#endif

static const char *make_certs = FERRY_MAKE_CERTS;
static char cert_dir[256];

static const char *P(const char *name)
{
    static char bufs[4][512];
    static unsigned next;
    char *b = bufs[next++ % 4];
    snprintf(b, sizeof bufs[0], "%s/%s", cert_dir, name);
    return b;
}

static int rm_cb(const char *path, const struct stat *sb, int flag,
                 struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int group_setup(void **state)
{
    char cmd[1024];
    (void)state;
    snprintf(cert_dir, sizeof cert_dir, "/tmp/ferry-tls-event-XXXXXX");
    if (!mkdtemp(cert_dir))
        return -1;
    snprintf(cmd, sizeof cmd, "sh '%s' '%s' >/dev/null", make_certs,
             cert_dir);
    int rc = system(cmd);
    if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0) {
        fprintf(stderr, "test_tls_event: '%s' failed\n", cmd);
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    nftw(cert_dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}

/* What the sniff and the bufferevent reported. */
typedef struct outcome {
    int calls;
    struct bufferevent *bev;
    int is_tls;
    char why[128];
    int connected; /* BEV_EVENT_CONNECTED seen */
    int eof_or_error;
    char data[256];
    size_t data_len;
} outcome;

static void bev_read_cb(struct bufferevent *bev, void *arg)
{
    outcome *o = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    size_t n = evbuffer_get_length(in);
    if (n > sizeof o->data - o->data_len - 1)
        n = sizeof o->data - o->data_len - 1;
    evbuffer_remove(in, o->data + o->data_len, n);
    o->data_len += n;
}

static void bev_event_cb(struct bufferevent *bev, short what, void *arg)
{
    outcome *o = arg;
    (void)bev;
    if (what & BEV_EVENT_CONNECTED)
        o->connected = 1;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
        o->eof_or_error = 1;
}

static void sniff_cb(void *arg, struct bufferevent *bev, int is_tls,
                     const struct sockaddr *sa, int salen, const char *why)
{
    outcome *o = arg;
    (void)sa;
    (void)salen;
    o->calls++;
    o->bev = bev;
    o->is_tls = is_tls;
    snprintf(o->why, sizeof o->why, "%s", why ? why : "");
    if (bev) {
        bufferevent_setcb(bev, bev_read_cb, NULL, bev_event_cb, o);
        bufferevent_enable(bev, EV_READ | EV_WRITE);
    }
}

static SSL_CTX *server_ctx(void)
{
    tls_config cfg = {0};
    char err[512] = "";
    cfg.cert_file = P("server.pem");
    cfg.key_file = P("server.key");
    SSL_CTX *ctx = tls_server_ctx_new(&cfg, err, sizeof err);
    if (!ctx)
        fprintf(stderr, "%s\n", err);
    assert_non_null(ctx);
    return ctx;
}

typedef struct rig {
    struct event_base *base;
    SSL_CTX *ctx;
    tls_sniff *sniff;
    int client; /* our end of the socketpair */
    outcome o;
} rig;

static void rig_up(rig *r, int mode, int timeout_s)
{
    int sv[2];
    memset(r, 0, sizeof *r);
    r->base = event_base_new();
    assert_non_null(r->base);
    r->ctx = server_ctx();
    r->sniff = tls_sniff_new(r->base, r->ctx, mode, timeout_s, sniff_cb,
                             &r->o);
    assert_non_null(r->sniff);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    r->client = sv[0];
    fcntl(r->client, F_SETFL, fcntl(r->client, F_GETFL) | O_NONBLOCK);
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    ss.ss_family = AF_UNIX;
    tls_sniff_accept(r->sniff, sv[1], (struct sockaddr *)&ss,
                     (int)sizeof(sa_family_t));
    assert_int_equal(tls_sniff_pending(r->sniff), 1);
    assert_int_equal(r->o.calls, 0); /* never from inside accept */
}

static void rig_down(rig *r)
{
    if (r->o.bev)
        bufferevent_free(r->o.bev);
    tls_sniff_free(r->sniff);
    tls_ctx_free(r->ctx);
    event_base_free(r->base);
    if (r->client >= 0)
        close(r->client);
}

static void turn(rig *r)
{
    event_base_loop(r->base, EVLOOP_NONBLOCK);
}

/* Runs the loop until cond or ~3 s. */
#define SPIN(r, cond)                                                       \
    do {                                                                    \
        for (int spin_ = 0; spin_ < 3000 && !(cond); spin_++) {             \
            turn(r);                                                        \
            struct timespec ms_ = {0, 1000000};                             \
            nanosleep(&ms_, NULL);                                          \
        }                                                                   \
    } while (0)

/* 1 when the peer closed our socketpair end (read returns 0). */
static int peer_closed(int fd)
{
    char b[64];
    for (int i = 0; i < 3000; i++) {
        ssize_t n = read(fd, b, sizeof b);
        if (n == 0)
            return 1;
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
            return 1;
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    return 0;
}

static void test_mode_parse(void **state)
{
    int m = -1;
    (void)state;
    assert_int_equal(tls_mode_parse("disabled", &m), TLS_OK);
    assert_int_equal(m, TLS_MODE_DISABLED);
    assert_int_equal(tls_mode_parse("permissive", &m), TLS_OK);
    assert_int_equal(m, TLS_MODE_PERMISSIVE);
    assert_int_equal(tls_mode_parse("ENFORCING", &m), TLS_OK);
    assert_int_equal(m, TLS_MODE_ENFORCING);
    /* RocketMQ would take a typo as permissive; we refuse it */
    assert_int_equal(tls_mode_parse("enforce", &m), TLS_ERR);
    assert_int_equal(tls_mode_parse("", &m), TLS_ERR);
    assert_int_equal(tls_mode_parse(NULL, &m), TLS_ERR);
    assert_string_equal(tls_mode_name(TLS_MODE_ENFORCING), "enforcing");
    assert_string_equal(tls_mode_name(TLS_MODE_PERMISSIVE), "permissive");
    assert_string_equal(tls_mode_name(TLS_MODE_DISABLED), "disabled");
}

/* Permissive, plain first byte: a plain bufferevent that reads every
 * byte, the first included (the peek consumed nothing). */
static void test_plain_in_permissive_keeps_every_byte(void **state)
{
    rig r;
    (void)state;
    rig_up(&r, TLS_MODE_PERMISSIVE, 0);
    turn(&r);
    assert_int_equal(r.o.calls, 0); /* nothing sent yet: still waiting */
    assert_int_equal(write(r.client, "\x00\x00\x00\x10hello", 9), 9);
    SPIN(&r, r.o.data_len >= 9);
    assert_int_equal(r.o.calls, 1);
    assert_non_null(r.o.bev);
    assert_int_equal(r.o.is_tls, 0);
    assert_int_equal(tls_bev_is_tls(r.o.bev), 0);
    assert_int_equal(r.o.data_len, 9);
    assert_memory_equal(r.o.data, "\x00\x00\x00\x10hello", 9);
    assert_int_equal(tls_sniff_pending(r.sniff), 0);
    rig_down(&r);
}

/* 0x16 first: a TLS bufferevent, the handshake completes on the bytes
 * still in the kernel, data crosses both ways. */
static void tls_roundtrip(int mode)
{
    rig r;
    rig_up(&r, mode, 5);
    tls_config cc = {0};
    char err[512] = "";
    cc.ca_file = P("ca.pem");
    SSL_CTX *cctx = tls_client_ctx_new(&cc, "localhost", err, sizeof err);
    assert_non_null(cctx);
    SSL *cli = SSL_new(cctx);
    assert_non_null(cli);
    SSL_set_fd(cli, r.client);
    SSL_set_tlsext_host_name(cli, "localhost");
    int done = 0;
    for (int i = 0; i < 3000 && !(done && r.o.connected); i++) {
        if (!done) {
            int rc = SSL_connect(cli);
            if (rc == 1)
                done = 1;
            else {
                int e = SSL_get_error(cli, rc);
                assert_true(e == SSL_ERROR_WANT_READ ||
                            e == SSL_ERROR_WANT_WRITE);
            }
        }
        turn(&r);
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    assert_true(done);
    assert_int_equal(r.o.calls, 1);
    assert_non_null(r.o.bev);
    assert_int_equal(r.o.is_tls, 1);
    assert_true(r.o.connected);
    assert_int_equal(tls_bev_is_tls(r.o.bev), 1);
    char d[256];
    tls_bev_describe(r.o.bev, d, sizeof d);
    assert_memory_equal(d, "TLSv1.3 ", 8);
    assert_non_null(strstr(d, "no client certificate"));
    assert_int_equal(SSL_write(cli, "ping", 4), 4);
    SPIN(&r, r.o.data_len >= 4);
    assert_int_equal(r.o.data_len, 4);
    assert_memory_equal(r.o.data, "ping", 4);
    bufferevent_write(r.o.bev, "pong", 4);
    char back[8];
    int got = -1;
    for (int i = 0; i < 3000 && got <= 0; i++) {
        turn(&r);
        got = SSL_read(cli, back, sizeof back);
    }
    assert_int_equal(got, 4);
    assert_memory_equal(back, "pong", 4);
    /* the client goes away without close_notify: an EOF, not an error
     * with "unexpected eof" (tls_ssl_quiet_eof) */
    SSL_free(cli);
    close(r.client);
    r.client = -1;
    SPIN(&r, r.o.eof_or_error);
    assert_true(r.o.eof_or_error);
    tls_ctx_free(cctx);
    rig_down(&r);
}

static void test_tls_in_permissive(void **state)
{
    (void)state;
    tls_roundtrip(TLS_MODE_PERMISSIVE);
}

static void test_tls_in_enforcing(void **state)
{
    (void)state;
    tls_roundtrip(TLS_MODE_ENFORCING);
}

static void test_plain_in_enforcing_is_refused(void **state)
{
    rig r;
    (void)state;
    rig_up(&r, TLS_MODE_ENFORCING, 0);
    assert_int_equal(write(r.client, "\x00\x00\x00\x10", 4), 4);
    SPIN(&r, r.o.calls > 0);
    assert_int_equal(r.o.calls, 1);
    assert_null(r.o.bev);
    assert_non_null(strstr(r.o.why, "refused"));
    assert_true(peer_closed(r.client));
    assert_int_equal(tls_sniff_pending(r.sniff), 0);
    rig_down(&r);
}

static void test_garbage_after_0x16_fails_the_handshake(void **state)
{
    rig r;
    (void)state;
    rig_up(&r, TLS_MODE_PERMISSIVE, 0);
    assert_int_equal(write(r.client, "\x16garbage, not a ClientHello", 27),
                     27);
    SPIN(&r, r.o.eof_or_error);
    assert_int_equal(r.o.calls, 1);
    assert_int_equal(r.o.is_tls, 1);
    assert_true(r.o.eof_or_error);
    assert_false(r.o.connected);
    char e[512];
    tls_bev_error(r.o.bev, e, sizeof e);
    assert_true(strlen(e) > 0);
    rig_down(&r);
}

static void test_close_before_sending(void **state)
{
    rig r;
    (void)state;
    rig_up(&r, TLS_MODE_PERMISSIVE, 0);
    close(r.client);
    r.client = -1;
    SPIN(&r, r.o.calls > 0);
    assert_int_equal(r.o.calls, 1);
    assert_null(r.o.bev);
    assert_string_equal(r.o.why, "closed before sending");
    rig_down(&r);
}

static void test_silence_times_out(void **state)
{
    rig r;
    (void)state;
    rig_up(&r, TLS_MODE_PERMISSIVE, 1);
    SPIN(&r, r.o.calls > 0); /* ~3 s at most; the timeout is 1 s */
    assert_int_equal(r.o.calls, 1);
    assert_null(r.o.bev);
    assert_string_equal(r.o.why, "no data within 1 s");
    assert_true(peer_closed(r.client));
    rig_down(&r);
}

/* Shutdown with a socket still waiting: closed, no callback, no leak. */
static void test_free_closes_pending(void **state)
{
    rig r;
    (void)state;
    rig_up(&r, TLS_MODE_PERMISSIVE, 0);
    turn(&r);
    tls_sniff_free(r.sniff);
    r.sniff = NULL;
    assert_int_equal(r.o.calls, 0);
    assert_true(peer_closed(r.client));
    tls_sniff_free(NULL);
    rig_down(&r);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mode_parse),
        cmocka_unit_test(test_plain_in_permissive_keeps_every_byte),
        cmocka_unit_test(test_tls_in_permissive),
        cmocka_unit_test(test_tls_in_enforcing),
        cmocka_unit_test(test_plain_in_enforcing_is_refused),
        cmocka_unit_test(test_garbage_after_0x16_fails_the_handshake),
        cmocka_unit_test(test_close_before_sending),
        cmocka_unit_test(test_silence_times_out),
        cmocka_unit_test(test_free_closes_pending),
    };
    if (argc > 1)
        make_certs = argv[1];
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
