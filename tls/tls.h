/*
 * tls.h - OpenSSL server and client contexts for every Ferry listener
 * (Kafka SSL on 9093, RocketMQ remoting, name server) and for Ferry's own
 * clients (libferry, ferryctl, broker -> name server).
 *
 * This layer knows no protocol and no event loop.  It turns a few PEM file
 * names into a configured SSL_CTX and refuses, with a message naming the file
 * and OpenSSL's reason, anything it cannot use.  The broker composes it with
 * libevent's bufferevent_openssl: one SSL_new(ctx) per accepted socket.
 *
 * Policy (not configurable on purpose):
 *   - TLS 1.2 and 1.3 only (SSL_CTX_set_min/max_proto_version);
 *   - certificate chain and key in PEM; the key may be encrypted
 *     (key_password), and must match the certificate: checked at load time;
 *   - cipher lists, groups and session tickets are OpenSSL's defaults unless
 *     `ciphers` (TLS 1.2) / `ciphersuites` (TLS 1.3) are given;
 *   - a client context always verifies the server against ca_file (or the
 *     system trust store when ca_file is NULL);
 *   - passwords and key material are never logged nor kept in the context.
 *
 * Threads: the *_new functions are for start-up (any thread).  A finished
 * SSL_CTX is immutable here and may be shared by all threads; SSL objects
 * hold their own reference, so tls_ctx_free() may run while connections
 * made from the context are still open.
 *
 * Errors: functions that can fail take `char *err, size_t errlen` and fill it
 * with one line such as
 *   tls: cannot read private key '/etc/ferry/server.key': bad decrypt
 * err may be NULL when errlen is 0.  They never exit or abort.
 */
#ifndef FERRY_TLS_H
#define FERRY_TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

#define TLS_OK  0
#define TLS_ERR (-1)

/* Client-certificate policy of a server context (Kafka ssl.client.auth). */
#define TLS_CLIENT_AUTH_NONE      0 /* do not ask for a certificate */
#define TLS_CLIENT_AUTH_REQUESTED 1 /* ask; verify one if sent */
#define TLS_CLIENT_AUTH_REQUIRED  2 /* refuse a handshake without one */

/*
 * What a context is made of.  Borrowed strings: read during *_new only, never
 * kept.  An all-zero struct is a valid (empty) value.
 *
 *                 server context            client context
 *   cert_file     required                  optional (mTLS)
 *   key_file      required                  required with cert_file
 *   key_password  optional                  optional
 *   ca_file       required if client_auth   optional; NULL = system store
 *   client_auth   TLS_CLIENT_AUTH_*         ignored
 *
 * cert_file holds the leaf certificate first, then any intermediates.
 * ca_file is a PEM file of one or more CA certificates, or a directory
 * prepared with `openssl rehash`.
 */
typedef struct tls_config {
    const char *cert_file;    /* PEM certificate chain, leaf first */
    const char *key_file;     /* PEM private key (PKCS#8 or traditional) */
    const char *key_password; /* optional: passphrase of an encrypted key */
    const char *ca_file;      /* optional: PEM CA bundle or hashed dir */
    int client_auth;          /* TLS_CLIENT_AUTH_*, server only */
    const char *ciphers;      /* optional: TLS 1.2 list, OpenSSL syntax */
    const char *ciphersuites; /* optional: TLS 1.3 list, OpenSSL syntax */
} tls_config;

/*
 * Parses a client-auth setting: Kafka's "none" | "requested" | "required",
 * RocketMQ's "none" | "optional" | "require" (case-insensitive), and the
 * booleans "false" | "true" (as none | required).  Returns TLS_OK and sets
 * *out to a TLS_CLIENT_AUTH_* value, or TLS_ERR for anything else.
 */
int tls_client_auth_parse(const char *s, int *out);

/*
 * RocketMQ's tls.server.mode for a remoting port (tls_event.h does the
 * work): plain only, TLS and plain on one port, or TLS only.
 */
#define TLS_MODE_DISABLED   0
#define TLS_MODE_PERMISSIVE 1
#define TLS_MODE_ENFORCING  2

/*
 * Parses "disabled" | "permissive" | "enforcing" (case-insensitive).
 * Unlike RocketMQ, which takes any other word as permissive, anything else
 * is refused: TLS_ERR.  TLS_OK sets *out to a TLS_MODE_* value.
 */
int tls_mode_parse(const char *s, int *out);
/* The word for a TLS_MODE_* value, for logs. */
const char *tls_mode_name(int mode);

/*
 * Makes a server context: loads the certificate chain and key, checks that
 * they match, loads ca_file and sets the verify mode for client_auth.
 * Returns a new context owned by the caller (free with tls_ctx_free), or
 * NULL with err filled.
 */
SSL_CTX *tls_server_ctx_new(const tls_config *cfg, char *err, size_t errlen);

/*
 * Makes a client context that verifies servers against cfg->ca_file (system
 * store when NULL) and, if cfg->cert_file is set, presents that certificate.
 * verify_host (optional): a host name or IP literal every server reached
 * through this context must match (SAN); for one context reaching many
 * hosts pass NULL and call tls_client_set_host() on each connection.
 * Returns a new context owned by the caller, or NULL with err filled.
 */
SSL_CTX *tls_client_ctx_new(const tls_config *cfg, const char *verify_host,
                            char *err, size_t errlen);

/*
 * Prepares one client connection to `host`: sends SNI (unless host is an IP
 * literal, as RFC 6066 asks) and requires the server certificate to match
 * host (DNS name or IP SAN).  Call after SSL_new, before the handshake.
 * Returns TLS_OK or TLS_ERR (out of memory, or an empty host).
 */
int tls_client_set_host(SSL *ssl, const char *host);

/* Releases a context made here; NULL is a no-op. */
void tls_ctx_free(SSL_CTX *ctx);

/*
 * Writes the peer certificate's subject in RFC 2253 form ("CN=...,O=...")
 * into out, truncated to outlen - 1 bytes, for logs.  Returns TLS_OK, or
 * TLS_ERR with out set to "-" when the peer sent no certificate.
 */
int tls_peer_subject(SSL *ssl, char *out, size_t outlen);

/*
 * Drains this thread's OpenSSL error queue into buf as one readable line
 * ("reason: detail; reason ..."), or "no OpenSSL error reported" when it is
 * empty.  Returns buf.  Call it right after a failed OpenSSL call, e.g. to
 * log why a handshake failed.
 */
const char *tls_last_error(char *buf, size_t len);

#endif /* FERRY_TLS_H */
