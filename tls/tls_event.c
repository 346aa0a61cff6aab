/*
 * tls_event.c - the first-byte sniff of RocketMQ's permissive/enforcing
 * TLS modes, on libevent (see tls_event.h).
 *
 * Each accepted socket gets a one-shot read event (with the silence
 * timeout).  When it fires, recv(MSG_PEEK) looks at one byte without
 * taking it, so whichever bufferevent is made next still reads the whole
 * stream from the kernel: OpenSSL the ClientHello, the remoting decoder
 * the frame length.
 */
#include "tls_event.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <openssl/err.h>

#include "tls.h"

#define TLS_HANDSHAKE_RECORD 0x16

typedef struct sniff_conn {
    struct sniff_conn *prev, *next;
    tls_sniff *s;
    evutil_socket_t fd;
    struct event *ev;
    struct sockaddr_storage sa;
    int salen;
} sniff_conn;

struct tls_sniff {
    struct event_base *base;
    SSL_CTX *ctx;
    int mode;
    int timeout_s;
    tls_sniff_cb cb;
    void *arg;
    sniff_conn *pending;
    int n_pending;
};

void tls_ssl_quiet_eof(SSL *ssl)
{
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
    /* OpenSSL 3 reports a close without close_notify as an SSL error,
     * which libevent's allow_dirty_shutdown does not recognise */
    SSL_set_options(ssl, SSL_OP_IGNORE_UNEXPECTED_EOF);
#else
    (void)ssl;
#endif
}

tls_sniff *tls_sniff_new(struct event_base *base, SSL_CTX *ctx, int mode,
                         int timeout_s, tls_sniff_cb cb, void *arg)
{
    tls_sniff *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->base = base;
    s->ctx = ctx;
    s->mode = mode;
    s->timeout_s = timeout_s;
    s->cb = cb;
    s->arg = arg;
    return s;
}

/* Unlinks and frees the waiting state; the fd is the caller's business. */
static void sniff_conn_drop(sniff_conn *c)
{
    tls_sniff *s = c->s;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->pending = c->next;
    if (c->next)
        c->next->prev = c->prev;
    s->n_pending--;
    if (c->ev)
        event_free(c->ev);
    free(c);
}

/* Closes the socket and tells the caller why. */
static void sniff_refuse(sniff_conn *c, const char *why)
{
    tls_sniff *s = c->s;
    struct sockaddr_storage sa = c->sa;
    int salen = c->salen;
    evutil_closesocket(c->fd);
    sniff_conn_drop(c);
    s->cb(s->arg, NULL, 0, (struct sockaddr *)&sa, salen, why);
}

static void sniff_ready_cb(evutil_socket_t fd, short what, void *arg)
{
    sniff_conn *c = arg;
    tls_sniff *s = c->s;
    char why[96];

    if (what & EV_TIMEOUT) {
        snprintf(why, sizeof why, "no data within %d s", s->timeout_s);
        sniff_refuse(c, why);
        return;
    }
    unsigned char first;
    ssize_t n = recv(fd, &first, 1, MSG_PEEK);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        struct timeval tv = {s->timeout_s, 0};
        event_add(c->ev, s->timeout_s > 0 ? &tv : NULL);
        return;
    }
    if (n <= 0) {
        sniff_refuse(c, n == 0 ? "closed before sending"
                               : "socket error before the first byte");
        return;
    }
    int is_tls = first == TLS_HANDSHAKE_RECORD;
    if (!is_tls && s->mode == TLS_MODE_ENFORCING) {
        sniff_refuse(c, "plain connection refused: tls.server.mode is "
                        "enforcing");
        return;
    }
    struct bufferevent *bev = NULL;
    if (is_tls) {
        SSL *ssl = SSL_new(s->ctx);
        if (ssl) {
            tls_ssl_quiet_eof(ssl);
            bev = bufferevent_openssl_socket_new(s->base, fd, ssl,
                                                 BUFFEREVENT_SSL_ACCEPTING,
                                                 BEV_OPT_CLOSE_ON_FREE);
            if (bev)
                /* clients often close without close_notify */
                bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
            else
                SSL_free(ssl);
        }
    } else {
        bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);
    }
    if (!bev) {
        sniff_refuse(c, "out of memory");
        return;
    }
    struct sockaddr_storage sa = c->sa;
    int salen = c->salen;
    sniff_conn_drop(c); /* the fd now belongs to bev */
    s->cb(s->arg, bev, is_tls, (struct sockaddr *)&sa, salen, NULL);
}

void tls_sniff_accept(tls_sniff *s, evutil_socket_t fd,
                      const struct sockaddr *sa, int salen)
{
    sniff_conn *c = calloc(1, sizeof *c);
    struct sockaddr_storage copy;
    memset(&copy, 0, sizeof copy);
    if (salen < 0 || (size_t)salen > sizeof copy)
        salen = 0;
    if (sa && salen > 0)
        memcpy(&copy, sa, (size_t)salen);
    if (!c) {
        evutil_closesocket(fd);
        s->cb(s->arg, NULL, 0, (struct sockaddr *)&copy, salen,
              "out of memory");
        return;
    }
    c->s = s;
    c->fd = fd;
    c->sa = copy;
    c->salen = salen;
    c->next = s->pending;
    if (s->pending)
        s->pending->prev = c;
    s->pending = c;
    s->n_pending++;
    evutil_make_socket_nonblocking(fd);
    c->ev = event_new(s->base, fd, EV_READ, sniff_ready_cb, c);
    struct timeval tv = {s->timeout_s, 0};
    if (!c->ev || event_add(c->ev, s->timeout_s > 0 ? &tv : NULL) != 0)
        sniff_refuse(c, "out of memory");
}

int tls_sniff_pending(const tls_sniff *s)
{
    return s ? s->n_pending : 0;
}

void tls_sniff_free(tls_sniff *s)
{
    if (!s)
        return;
    while (s->pending) {
        sniff_conn *c = s->pending;
        evutil_closesocket(c->fd);
        sniff_conn_drop(c);
    }
    free(s);
}

const char *tls_bev_error(struct bufferevent *bev, char *buf, size_t len)
{
    size_t used = 0;
    unsigned long e;
    if (len == 0)
        return buf;
    buf[0] = '\0';
    while ((e = bufferevent_get_openssl_error(bev)) != 0) {
        if (ERR_GET_LIB(e) == 0)
            continue; /* libevent's own marker, not OpenSSL's */
        char one[256];
        ERR_error_string_n(e, one, sizeof one);
        if (used + 3 < len) {
            int n = snprintf(buf + used, len - used, "%s%s",
                             used ? "; " : "", one);
            if (n > 0)
                used += (size_t)n < len - used ? (size_t)n : len - used - 1;
        }
    }
    if (!buf[0])
        snprintf(buf, len, "no OpenSSL error reported");
    return buf;
}

int tls_bev_is_tls(struct bufferevent *bev)
{
    return bev && bufferevent_openssl_get_ssl(bev) != NULL;
}

const char *tls_bev_describe(struct bufferevent *bev, char *buf, size_t len)
{
    SSL *ssl = bev ? bufferevent_openssl_get_ssl(bev) : NULL;
    if (!ssl) {
        snprintf(buf, len, "-");
        return buf;
    }
    char subject[256];
    int has_cert = tls_peer_subject(ssl, subject, sizeof subject) == TLS_OK;
    snprintf(buf, len, "%s %s, %s%s", SSL_get_version(ssl),
             SSL_get_cipher_name(ssl),
             has_cert ? "client certificate " : "no client certificate",
             has_cert ? subject : "");
    return buf;
}
