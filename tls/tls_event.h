/*
 * tls_event.h - TLS for libevent listeners that speak RocketMQ remoting
 * (broker remoting ports, name server): RocketMQ's server modes and the
 * first-byte sniff that lets one port serve TLS and plain TCP.
 *
 * RocketMQ (NettyRemotingServer's HandshakeHandler) looks at the first byte
 * a client sends: 0x16, a TLS handshake record, starts TLS; anything else
 * stays plain.  tls.server.mode decides what is allowed:
 *   disabled    plain only (no sniff at all: the listener is plain TCP)
 *   permissive  TLS and plain on the same port
 *   enforcing   TLS only; a plain first byte closes the connection
 *
 * A tls_sniff waits, per accepted socket, until the first byte can be
 * peeked (recv MSG_PEEK: nothing is consumed), then makes the bufferevent:
 * bufferevent_openssl_socket_new in BUFFEREVENT_SSL_ACCEPTING (the
 * handshake runs on the bytes still queued in the kernel) or
 * bufferevent_socket_new.  Sockets still waiting are owned by the sniff
 * and closed by tls_sniff_free.
 *
 * This part links libevent and libevent_openssl (ferry_tls_event); tls.h
 * stays free of both.  It logs nothing: outcomes go to the caller's
 * callback with a reason, and the caller logs under its own name.
 * @locality: the event loop thread of the base given to tls_sniff_new.
 */
#ifndef FERRY_TLS_EVENT_H
#define FERRY_TLS_EVENT_H

#include <stddef.h>

#include <event2/util.h>
#include <openssl/ssl.h>

struct bufferevent;
struct event_base;
struct sockaddr;

typedef struct tls_sniff tls_sniff;

/*
 * Called once per socket given to tls_sniff_accept, except for sockets
 * still pending when tls_sniff_free runs (closed silently).
 *   bev != NULL: the connection, owned by the callee from now on (made
 *     with BEV_OPT_CLOSE_ON_FREE; no callbacks set, nothing enabled);
 *     is_tls says which kind.  For TLS the handshake is under way: the
 *     callee's event callback sees BEV_EVENT_CONNECTED when it completes
 *     or BEV_EVENT_ERROR when it fails (tls_bev_error).
 *   bev == NULL: the socket was closed; why says why ("plain connection
 *     refused: tls.server.mode is enforcing", "closed before sending",
 *     "no data within 120 s", "out of memory").
 * sa/salen: the peer address given to tls_sniff_accept.
 */
typedef void (*tls_sniff_cb)(void *arg, struct bufferevent *bev, int is_tls,
                             const struct sockaddr *sa, int salen,
                             const char *why);

/*
 * A sniff for one or more listeners on base.  ctx: the server context
 * (borrowed; must outlive the sniff; the SSL objects hold their own
 * reference).  mode: TLS_MODE_PERMISSIVE or TLS_MODE_ENFORCING.
 * timeout_s: how long a new connection may stay silent (0 = forever).
 * NULL when out of memory.
 */
tls_sniff *tls_sniff_new(struct event_base *base, SSL_CTX *ctx, int mode,
                         int timeout_s, tls_sniff_cb cb, void *arg);

/*
 * Takes an accepted socket (made non-blocking here) and calls cb once the
 * first byte decides, or the socket closes.  Never calls cb before
 * returning.  On failure to watch the socket, closes it and calls cb with
 * bev == NULL at once.
 */
void tls_sniff_accept(tls_sniff *s, evutil_socket_t fd,
                      const struct sockaddr *sa, int salen);

/* Number of sockets still waiting for their first byte. */
int tls_sniff_pending(const tls_sniff *s);

/* Closes every socket still waiting, then frees.  NULL is a no-op. */
void tls_sniff_free(tls_sniff *s);

/*
 * Why a TLS bufferevent failed, as one line ("reason; reason"), from the
 * errors libevent kept for it (bufferevent_get_openssl_error); "no
 * OpenSSL error reported" when there is none (the peer just closed).
 * Returns buf.
 */
const char *tls_bev_error(struct bufferevent *bev, char *buf, size_t len);

/*
 * One line on a finished handshake for logs: "TLSv1.3
 * TLS_AES_128_GCM_SHA256, client certificate CN=..." or "..., no client
 * certificate".  Returns buf; "-" when bev is not a TLS bufferevent.
 */
const char *tls_bev_describe(struct bufferevent *bev, char *buf, size_t len);

/*
 * Lets a peer close without close_notify (most remoting clients do) end
 * the stream as EOF instead of an error: OpenSSL 3 reports it as an SSL
 * error that libevent's allow_dirty_shutdown does not catch.  The sniff
 * does this for its connections; call it on other SSL objects (client
 * links) before the bufferevent is made.
 */
void tls_ssl_quiet_eof(SSL *ssl);

/* 1 when bev is a bufferevent_openssl (a TLS connection), else 0. */
int tls_bev_is_tls(struct bufferevent *bev);

#endif /* FERRY_TLS_EVENT_H */
