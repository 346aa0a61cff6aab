/*
 * tls.c - server and client SSL_CTX construction for Ferry (see tls.h).
 *
 * What a finished context guarantees:
 *   - protocol versions TLS 1.2 .. TLS 1.3, whatever openssl.cnf says;
 *   - a server context holds a certificate chain and a private key that
 *     match each other (OpenSSL checks the pair when the key is installed
 *     after the chain; SSL_CTX_check_private_key confirms it);
 *   - with client_auth > 0 it verifies client certificates against ca_file
 *     only (no system store: a public CA must not vouch for our clients),
 *     advertises that CA's names in CertificateRequest, and has a session
 *     id context so resumed sessions keep their verified identity;
 *   - a client context verifies the server chain (SSL_VERIFY_PEER) and, with
 *     verify_host, the host name or IP address in its SAN.
 *
 * Private keys are read with PEM_read_bio_PrivateKey and a callback that
 * copies the configured password, so OpenSSL never prompts on a terminal (a
 * broker has none) and the password pointer is not kept in the context.
 *
 * Every failure leaves one line in err: "tls: <what> '<file>': <reason>",
 * the reason coming from the OpenSSL error queue, which is drained so the
 * next caller starts clean.
 */
#include "tls.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Session id context: any constant; it ties sessions to "a Ferry server". */
static const unsigned char tls_session_id_context[] = "ferry";

/* ------------------------------------------------------------------------ */
/* Error text                                                               */
/* ------------------------------------------------------------------------ */

const char *tls_last_error(char *buf, size_t len)
{
    size_t used = 0;
    unsigned long code;
    const char *data;
    int flags;

    if (len == 0)
        return buf;
    buf[0] = '\0';
    while ((code = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
        const char *reason = ERR_reason_error_string(code);
        char one[256];
        int n;

        if (reason == NULL) {
            snprintf(one, sizeof(one), "error %lx", code);
            reason = one;
        }
        if (used >= len - 1)
            continue; /* keep draining; the buffer is full */
        n = snprintf(buf + used, len - used, "%s%s%s%s", used > 0 ? "; " : "",
                     reason,
                     (flags & ERR_TXT_STRING) && data && *data ? ": " : "",
                     (flags & ERR_TXT_STRING) && data ? data : "");
        if (n < 0)
            break;
        used += (size_t)n < len - used ? (size_t)n : len - used - 1;
    }
    if (used == 0)
        snprintf(buf, len, "no OpenSSL error reported");
    return buf;
}

/* Formats "tls: <message>: <OpenSSL reason>" into err (drains the queue). */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
tls_fail(char *err, size_t errlen, const char *fmt, ...)
{
    char what[512];
    char why[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    tls_last_error(why, sizeof(why));
    if (errlen > 0)
        snprintf(err, errlen, "tls: %s: %s", what, why);
}

/* Like tls_fail, for failures that are not OpenSSL's (reason given). */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
tls_fail_plain(char *err, size_t errlen, const char *fmt, ...)
{
    char what[768];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    ERR_clear_error();
    if (errlen > 0)
        snprintf(err, errlen, "tls: %s", what);
}

/*
 * Checks that path names a readable regular file (or a directory when
 * dir_ok), so a typo is reported as "No such file or directory" with the
 * name rather than as a PEM parse error.  Returns 1 for a directory, 0 for a
 * file, -1 (err filled) otherwise.
 */
static int tls_check_path(const char *what, const char *path, int dir_ok,
                          char *err, size_t errlen)
{
    struct stat st;

    if (path == NULL || path[0] == '\0') {
        tls_fail_plain(err, errlen, "%s: no file given", what);
        return -1;
    }
    if (stat(path, &st) != 0) {
        tls_fail_plain(err, errlen, "%s '%s': %s", what, path, strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        if (dir_ok)
            return 1;
        tls_fail_plain(err, errlen, "%s '%s': is a directory", what, path);
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Loading                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * pem_password_cb: hands OpenSSL the configured password.  With none
 * configured it returns -1, which makes reading an encrypted key fail at
 * once instead of prompting on the (absent) terminal.
 */
static int tls_password_cb(char *buf, int size, int rwflag, void *userdata)
{
    const char *password = userdata;
    size_t n;

    (void)rwflag;
    if (password == NULL || size <= 0)
        return -1;
    n = strlen(password);
    if (n > (size_t)size)
        return -1;
    memcpy(buf, password, n);
    return (int)n;
}

/* Installs cert_file (chain) and key_file into ctx and checks the pair. */
static int tls_load_identity(SSL_CTX *ctx, const tls_config *cfg, char *err,
                             size_t errlen)
{
    EVP_PKEY *pkey;
    BIO *bio;

    if (tls_check_path("certificate", cfg->cert_file, 0, err, errlen) < 0 ||
        tls_check_path("private key", cfg->key_file, 0, err, errlen) < 0)
        return TLS_ERR;

    ERR_clear_error();
    if (SSL_CTX_use_certificate_chain_file(ctx, cfg->cert_file) != 1) {
        tls_fail(err, errlen, "cannot load certificate chain '%s'",
                 cfg->cert_file);
        return TLS_ERR;
    }

    bio = BIO_new_file(cfg->key_file, "r");
    if (bio == NULL) {
        tls_fail(err, errlen, "cannot open private key '%s'", cfg->key_file);
        return TLS_ERR;
    }
    pkey = PEM_read_bio_PrivateKey(bio, NULL, tls_password_cb,
                                   (void *)cfg->key_password);
    BIO_free(bio);
    if (pkey == NULL) {
        tls_fail(err, errlen, "cannot read private key '%s'%s", cfg->key_file,
                 cfg->key_password ? "" : " (encrypted? set a key password)");
        return TLS_ERR;
    }
    /* Installing the key after the certificate checks that they match. */
    if (SSL_CTX_use_PrivateKey(ctx, pkey) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        EVP_PKEY_free(pkey);
        tls_fail(err, errlen,
                 "private key '%s' does not match certificate '%s'",
                 cfg->key_file, cfg->cert_file);
        return TLS_ERR;
    }
    EVP_PKEY_free(pkey);
    return TLS_OK;
}

/* Loads ca_file (a PEM bundle or a hashed directory) as trust anchors. */
static int tls_load_ca(SSL_CTX *ctx, const char *ca_file, char *err,
                       size_t errlen)
{
    int is_dir = tls_check_path("CA file", ca_file, 1, err, errlen);

    if (is_dir < 0)
        return TLS_ERR;
    ERR_clear_error();
    if (SSL_CTX_load_verify_locations(ctx, is_dir ? NULL : ca_file,
                                      is_dir ? ca_file : NULL) != 1) {
        tls_fail(err, errlen, "cannot load CA certificates '%s'", ca_file);
        return TLS_ERR;
    }
    return TLS_OK;
}

/* Version floor/ceiling, cipher lists and I/O modes shared by both sides. */
static SSL_CTX *tls_ctx_base(const SSL_METHOD *method, const tls_config *cfg,
                             char *err, size_t errlen)
{
    SSL_CTX *ctx;

    ERR_clear_error();
    ctx = SSL_CTX_new(method);
    if (ctx == NULL) {
        tls_fail(err, errlen, "cannot create SSL context");
        return NULL;
    }
    if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
        SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1) {
        tls_fail(err, errlen, "cannot restrict protocol to TLS 1.2-1.3");
        SSL_CTX_free(ctx);
        return NULL;
    }
    if (cfg->ciphers && cfg->ciphers[0] &&
        SSL_CTX_set_cipher_list(ctx, cfg->ciphers) != 1) {
        tls_fail(err, errlen, "bad TLS 1.2 cipher list '%s'", cfg->ciphers);
        SSL_CTX_free(ctx);
        return NULL;
    }
    if (cfg->ciphersuites && cfg->ciphersuites[0] &&
        SSL_CTX_set_ciphersuites(ctx, cfg->ciphersuites) != 1) {
        tls_fail(err, errlen, "bad TLS 1.3 ciphersuites '%s'",
                 cfg->ciphersuites);
        SSL_CTX_free(ctx);
        return NULL;
    }
    /*
     * Event loops retry a write with the same bytes from a buffer that may
     * have moved (evbuffer chains); OpenSSL must not treat that as an error.
     */
    SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return ctx;
}

/* ------------------------------------------------------------------------ */
/* Public API                                                               */
/* ------------------------------------------------------------------------ */

/* A name -> value table, matched without regard to case. */
typedef struct tls_name {
    const char *name;
    int value;
} tls_name;

static int tls_name_lookup(const tls_name *names, size_t n, const char *s,
                           int *out)
{
    if (s == NULL)
        return TLS_ERR;
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(s, names[i].name) == 0) {
            *out = names[i].value;
            return TLS_OK;
        }
    }
    return TLS_ERR;
}

int tls_mode_parse(const char *s, int *out)
{
    static const tls_name names[] = {
        {"disabled", TLS_MODE_DISABLED},
        {"permissive", TLS_MODE_PERMISSIVE},
        {"enforcing", TLS_MODE_ENFORCING},
    };
    return tls_name_lookup(names, sizeof names / sizeof names[0], s, out);
}

const char *tls_mode_name(int mode)
{
    switch (mode) {
    case TLS_MODE_PERMISSIVE:
        return "permissive";
    case TLS_MODE_ENFORCING:
        return "enforcing";
    default:
        return "disabled";
    }
}

int tls_client_auth_parse(const char *s, int *out)
{
    static const tls_name names[] = {
        {"none", TLS_CLIENT_AUTH_NONE},
        {"false", TLS_CLIENT_AUTH_NONE},
        {"requested", TLS_CLIENT_AUTH_REQUESTED},
        {"optional", TLS_CLIENT_AUTH_REQUESTED},
        {"required", TLS_CLIENT_AUTH_REQUIRED},
        {"require", TLS_CLIENT_AUTH_REQUIRED},
        {"true", TLS_CLIENT_AUTH_REQUIRED},
    };
    return tls_name_lookup(names, sizeof names / sizeof names[0], s, out);
}

SSL_CTX *tls_server_ctx_new(const tls_config *cfg, char *err, size_t errlen)
{
    SSL_CTX *ctx;

    if (cfg->client_auth < TLS_CLIENT_AUTH_NONE ||
        cfg->client_auth > TLS_CLIENT_AUTH_REQUIRED) {
        tls_fail_plain(err, errlen, "client auth must be 0, 1 or 2, not %d",
                       cfg->client_auth);
        return NULL;
    }
    if (cfg->client_auth != TLS_CLIENT_AUTH_NONE &&
        (cfg->ca_file == NULL || cfg->ca_file[0] == '\0')) {
        tls_fail_plain(err, errlen,
                       "client certificates are %s but no CA file is set "
                       "to verify them",
                       cfg->client_auth == TLS_CLIENT_AUTH_REQUIRED
                           ? "required"
                           : "requested");
        return NULL;
    }

    ctx = tls_ctx_base(TLS_server_method(), cfg, err, errlen);
    if (ctx == NULL)
        return NULL;
    if (tls_load_identity(ctx, cfg, err, errlen) != TLS_OK)
        goto fail;

    if (cfg->client_auth != TLS_CLIENT_AUTH_NONE) {
        int mode = SSL_VERIFY_PEER;
        STACK_OF(X509_NAME) * names;

        if (tls_load_ca(ctx, cfg->ca_file, err, errlen) != TLS_OK)
            goto fail;
        /* Tell clients which CAs we accept (helps them pick a cert). */
        ERR_clear_error();
        names = SSL_load_client_CA_file(cfg->ca_file);
        if (names != NULL)
            SSL_CTX_set_client_CA_list(ctx, names);
        ERR_clear_error(); /* a CA directory has no list; not an error */
        if (cfg->client_auth == TLS_CLIENT_AUTH_REQUIRED)
            mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
        SSL_CTX_set_verify(ctx, mode, NULL);
    }
    /* Needed as soon as peers are verified, harmless otherwise. */
    if (SSL_CTX_set_session_id_context(ctx, tls_session_id_context,
                                       sizeof(tls_session_id_context) - 1) !=
        1) {
        tls_fail(err, errlen, "cannot set session id context");
        goto fail;
    }
    return ctx;

fail:
    SSL_CTX_free(ctx);
    return NULL;
}

SSL_CTX *tls_client_ctx_new(const tls_config *cfg, const char *verify_host,
                            char *err, size_t errlen)
{
    SSL_CTX *ctx;

    if (cfg->key_file && cfg->key_file[0] &&
        !(cfg->cert_file && cfg->cert_file[0])) {
        tls_fail_plain(err, errlen,
                       "private key '%s' given without a certificate",
                       cfg->key_file);
        return NULL;
    }

    ctx = tls_ctx_base(TLS_client_method(), cfg, err, errlen);
    if (ctx == NULL)
        return NULL;
    if (cfg->cert_file && cfg->cert_file[0] &&
        tls_load_identity(ctx, cfg, err, errlen) != TLS_OK)
        goto fail;

    if (cfg->ca_file && cfg->ca_file[0]) {
        if (tls_load_ca(ctx, cfg->ca_file, err, errlen) != TLS_OK)
            goto fail;
    } else if (SSL_CTX_set_default_verify_paths(ctx) != 1) {
        tls_fail(err, errlen, "cannot load the system CA store");
        goto fail;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);

    if (verify_host && verify_host[0]) {
        X509_VERIFY_PARAM *param = SSL_CTX_get0_param(ctx);
        int ok;

        ERR_clear_error();
        /* An IP literal must match an IP SAN, a name a DNS SAN. */
        if (X509_VERIFY_PARAM_set1_ip_asc(param, verify_host) == 1) {
            ok = 1;
        } else {
            ERR_clear_error();
            X509_VERIFY_PARAM_set_hostflags(
                param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            ok = X509_VERIFY_PARAM_set1_host(param, verify_host, 0);
        }
        if (ok != 1) {
            tls_fail(err, errlen, "bad host name to verify '%s'", verify_host);
            goto fail;
        }
    }
    return ctx;

fail:
    SSL_CTX_free(ctx);
    return NULL;
}

int tls_client_set_host(SSL *ssl, const char *host)
{
    X509_VERIFY_PARAM *param;
    ASN1_OCTET_STRING *ip;

    if (host == NULL || host[0] == '\0')
        return TLS_ERR;
    param = SSL_get0_param(ssl);
    ip = a2i_IPADDRESS(host);
    if (ip != NULL) {
        /* RFC 6066: no SNI for IP literals; match an IP SAN instead. */
        ASN1_OCTET_STRING_free(ip);
        if (X509_VERIFY_PARAM_set1_ip_asc(param, host) != 1)
            return TLS_ERR;
        return TLS_OK;
    }
    ERR_clear_error(); /* a2i_IPADDRESS may leave a parse error behind */
    if (SSL_set_tlsext_host_name(ssl, host) != 1)
        return TLS_ERR;
    X509_VERIFY_PARAM_set_hostflags(param,
                                    X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    if (X509_VERIFY_PARAM_set1_host(param, host, 0) != 1)
        return TLS_ERR;
    return TLS_OK;
}

void tls_ctx_free(SSL_CTX *ctx)
{
    SSL_CTX_free(ctx); /* NULL is a no-op */
}

int tls_peer_subject(SSL *ssl, char *out, size_t outlen)
{
    X509 *peer = SSL_get0_peer_certificate(ssl);
    BIO *mem;
    char *text;
    long n;

    if (outlen == 0)
        return TLS_ERR;
    if (peer == NULL) {
        snprintf(out, outlen, "-");
        return TLS_ERR;
    }
    mem = BIO_new(BIO_s_mem());
    if (mem == NULL || X509_NAME_print_ex(mem, X509_get_subject_name(peer), 0,
                                          XN_FLAG_RFC2253) < 0) {
        BIO_free(mem);
        ERR_clear_error();
        snprintf(out, outlen, "-");
        return TLS_ERR;
    }
    n = BIO_get_mem_data(mem, &text);
    if (n < 0)
        n = 0;
    if ((size_t)n >= outlen)
        n = (long)(outlen - 1);
    memcpy(out, text, (size_t)n);
    out[n] = '\0';
    BIO_free(mem);
    return TLS_OK;
}
