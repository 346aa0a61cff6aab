/*
 * test_tls.c - ferry_tls: context loading, refusals with readable messages,
 * and real handshakes between a server and a client context.
 *
 * Certificates come from tools/tls/make-certs.sh (path compiled in as
 * FERRY_MAKE_CERTS, or argv[1]) run once into a fresh temp dir.  Handshakes
 * run in one thread over an in-memory BIO pair: each side's
 * SSL_do_handshake is stepped in turn until both finish or one fails, and
 * each side's OpenSSL error queue is captured right after its own call, so
 * the test can tell who refused and why.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tls.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#ifndef FERRY_MAKE_CERTS
#define FERRY_MAKE_CERTS "tools/tls/make-certs.sh"
#endif

static const char *make_certs = FERRY_MAKE_CERTS;
static char cert_dir[256];

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

/* cert_dir/name, in one of a few rotating buffers (several per call). */
static const char *P(const char *name)
{
    static char bufs[8][512];
    static unsigned next;
    char *b = bufs[next++ % 8];

    snprintf(b, sizeof(bufs[0]), "%s/%s", cert_dir, name);
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
    int rc;

    (void)state;
    snprintf(cert_dir, sizeof(cert_dir), "/tmp/ferry-tls-test-XXXXXX");
    if (mkdtemp(cert_dir) == NULL)
        return -1;
    snprintf(cmd, sizeof(cmd), "sh '%s' '%s' >/dev/null", make_certs, cert_dir);
    rc = system(cmd);
    if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0) {
        fprintf(stderr, "test_tls: '%s' failed (is openssl installed?)\n", cmd);
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

static tls_config server_cfg(int client_auth)
{
    tls_config cfg = {0};

    cfg.cert_file = P("server.pem");
    cfg.key_file = P("server.key");
    cfg.ca_file = client_auth ? P("ca.pem") : NULL;
    cfg.client_auth = client_auth;
    return cfg;
}

static SSL_CTX *server_ctx(int client_auth)
{
    tls_config cfg = server_cfg(client_auth);
    char err[512] = "";
    SSL_CTX *ctx = tls_server_ctx_new(&cfg, err, sizeof(err));

    if (ctx == NULL)
        fprintf(stderr, "server ctx: %s\n", err);
    assert_non_null(ctx);
    return ctx;
}

/* A client trusting ca.pem, presenting cert/key when given. */
static SSL_CTX *client_ctx(const char *cert, const char *key,
                           const char *verify_host)
{
    tls_config cfg = {0};
    char err[512] = "";
    SSL_CTX *ctx;

    cfg.ca_file = P("ca.pem");
    cfg.cert_file = cert ? P(cert) : NULL;
    cfg.key_file = key ? P(key) : NULL;
    ctx = tls_client_ctx_new(&cfg, verify_host, err, sizeof(err));
    if (ctx == NULL)
        fprintf(stderr, "client ctx: %s\n", err);
    assert_non_null(ctx);
    return ctx;
}

typedef struct hs_result {
    int server_ok, client_ok;     /* SSL_do_handshake returned 1 */
    int server_fail, client_fail; /* it failed for good */
    char server_err[512], client_err[512];
    int version;    /* negotiated, when both finished */
    int data_ok;    /* "ping"/"pong" crossed both ways */
    int subject_rc; /* tls_peer_subject on the server side */
    char subject[256];
    char sni[256]; /* SNI the server saw, "" if none */
} hs_result;

static void hs_step(SSL *ssl, int *ok, int *fail, char *err, size_t errlen)
{
    int r, e;

    ERR_clear_error();
    r = SSL_do_handshake(ssl);
    if (r == 1) {
        *ok = 1;
        return;
    }
    e = SSL_get_error(ssl, r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
        return;
    *fail = 1;
    tls_last_error(err, errlen);
}

/*
 * Runs a handshake between a server SSL from sctx and a client SSL from
 * cctx (host: optional, passed to tls_client_set_host), then exchanges one
 * message each way.  Fills res; asserts nothing about the outcome.
 */
static void handshake(SSL_CTX *sctx, SSL_CTX *cctx, const char *host,
                      hs_result *res)
{
    SSL *srv = SSL_new(sctx);
    SSL *cli = SSL_new(cctx);
    BIO *sbio, *cbio;
    const char *sni;
    int i;

    memset(res, 0, sizeof(*res));
    assert_non_null(srv);
    assert_non_null(cli);
    assert_int_equal(BIO_new_bio_pair(&sbio, 0, &cbio, 0), 1);
    SSL_set_bio(srv, sbio, sbio);
    SSL_set_bio(cli, cbio, cbio);
    SSL_set_accept_state(srv);
    SSL_set_connect_state(cli);
    if (host)
        assert_int_equal(tls_client_set_host(cli, host), TLS_OK);

    for (i = 0; i < 64; i++) {
        if (res->server_fail || res->client_fail)
            break;
        if (res->server_ok && res->client_ok)
            break;
        if (!res->client_ok)
            hs_step(cli, &res->client_ok, &res->client_fail, res->client_err,
                    sizeof(res->client_err));
        if (!res->server_ok && !res->client_fail)
            hs_step(srv, &res->server_ok, &res->server_fail, res->server_err,
                    sizeof(res->server_err));
    }

    if (res->server_ok && res->client_ok) {
        char buf[16];

        res->version = SSL_version(srv);
        if (SSL_write(cli, "ping", 4) == 4 &&
            SSL_read(srv, buf, sizeof(buf)) == 4 &&
            memcmp(buf, "ping", 4) == 0 && SSL_write(srv, "pong", 4) == 4 &&
            SSL_read(cli, buf, sizeof(buf)) == 4 && memcmp(buf, "pong", 4) == 0)
            res->data_ok = 1;
        res->subject_rc =
            tls_peer_subject(srv, res->subject, sizeof(res->subject));
        sni = SSL_get_servername(srv, TLSEXT_NAMETYPE_host_name);
        snprintf(res->sni, sizeof(res->sni), "%s", sni ? sni : "");
    }
    ERR_clear_error();
    SSL_free(cli);
    SSL_free(srv);
}

static void expect_ok(const hs_result *res)
{
    if (!res->server_ok || !res->client_ok)
        fprintf(stderr, "handshake failed: server '%s' client '%s'\n",
                res->server_err, res->client_err);
    assert_true(res->server_ok);
    assert_true(res->client_ok);
    assert_true(res->data_ok);
}

/* The server refused; its OpenSSL reason contains `reason`. */
static void expect_server_refused(const hs_result *res, const char *reason)
{
    assert_false(res->server_ok);
    assert_true(res->server_fail);
    if (strstr(res->server_err, reason) == NULL)
        fprintf(stderr, "server error '%s' lacks '%s'\n", res->server_err,
                reason);
    assert_non_null(strstr(res->server_err, reason));
}

static void expect_client_refused(const hs_result *res, const char *reason)
{
    assert_false(res->client_ok);
    assert_true(res->client_fail);
    if (strstr(res->client_err, reason) == NULL)
        fprintf(stderr, "client error '%s' lacks '%s'\n", res->client_err,
                reason);
    assert_non_null(strstr(res->client_err, reason));
}

/* A server context that also speaks TLS 1.1 (control for the floor test). */
static SSL_CTX *legacy_server_ctx(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

    assert_non_null(ctx);
    SSL_CTX_set_security_level(ctx, 0);
    assert_int_equal(SSL_CTX_set_min_proto_version(ctx, TLS1_1_VERSION), 1);
    assert_int_equal(SSL_CTX_set_max_proto_version(ctx, TLS1_1_VERSION), 1);
    assert_int_equal(SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0"), 1);
    assert_int_equal(SSL_CTX_use_certificate_chain_file(ctx, P("server.pem")),
                     1);
    assert_int_equal(
        SSL_CTX_use_PrivateKey_file(ctx, P("server.key"), SSL_FILETYPE_PEM), 1);
    return ctx;
}

/* A client that offers TLS 1.1 only (no verification: not the point). */
static SSL_CTX *tls11_client_ctx(void)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

    assert_non_null(ctx);
    SSL_CTX_set_security_level(ctx, 0);
    assert_int_equal(SSL_CTX_set_min_proto_version(ctx, TLS1_1_VERSION), 1);
    assert_int_equal(SSL_CTX_set_max_proto_version(ctx, TLS1_1_VERSION), 1);
    assert_int_equal(SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0"), 1);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    return ctx;
}

/* ------------------------------------------------------------------------ */
/* Loading and refusals                                                     */
/* ------------------------------------------------------------------------ */

static void test_server_ctx_loads_chain_key_and_pins_versions(void **state)
{
    SSL_CTX *ctx;
    X509 *cert;
    char cn[64] = "";

    (void)state;
    ctx = server_ctx(TLS_CLIENT_AUTH_NONE);
    cert = SSL_CTX_get0_certificate(ctx);
    assert_non_null(cert);
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn,
                              sizeof(cn));
    assert_string_equal(cn, "localhost");
    assert_int_equal(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
    assert_int_equal(SSL_CTX_get_max_proto_version(ctx), TLS1_3_VERSION);
    assert_int_equal(SSL_CTX_get_verify_mode(ctx), SSL_VERIFY_NONE);
    tls_ctx_free(ctx);
    tls_ctx_free(NULL);
}

/* Kafka's PEM keystore layout: key and chain in one file. */
static void test_server_ctx_loads_combined_keystore_file(void **state)
{
    tls_config cfg = {0};
    char err[512] = "";
    SSL_CTX *sctx, *cctx;
    hs_result res;

    (void)state;
    cfg.cert_file = P("server-keystore.pem");
    cfg.key_file = P("server-keystore.pem");
    sctx = tls_server_ctx_new(&cfg, err, sizeof(err));
    assert_non_null(sctx);
    cfg = (tls_config){0};
    cfg.ca_file = P("ca.pem");
    cfg.cert_file = P("client-keystore.pem");
    cfg.key_file = P("client-keystore.pem");
    cctx = tls_client_ctx_new(&cfg, "localhost", err, sizeof(err));
    assert_non_null(cctx);
    handshake(sctx, cctx, NULL, &res);
    expect_ok(&res);
    tls_ctx_free(cctx);
    tls_ctx_free(sctx);
}

static void test_server_refuses_key_not_matching_cert(void **state)
{
    tls_config cfg = server_cfg(TLS_CLIENT_AUTH_NONE);
    char err[512] = "";

    (void)state;
    cfg.key_file = P("client.key"); /* same curve, other key */
    assert_null(tls_server_ctx_new(&cfg, err, sizeof(err)));
    assert_non_null(strstr(err, "client.key"));
    assert_non_null(strstr(err, "server.pem"));
    assert_non_null(strstr(err, "does not match"));
    assert_non_null(strstr(err, "key values mismatch")); /* OpenSSL's */
    assert_int_equal(ERR_peek_error(), 0);               /* queue drained */
}

static void test_server_refuses_missing_files(void **state)
{
    tls_config cfg = server_cfg(TLS_CLIENT_AUTH_NONE);
    char err[512] = "";

    (void)state;
    cfg.cert_file = P("nope.pem");
    assert_null(tls_server_ctx_new(&cfg, err, sizeof(err)));
    assert_non_null(strstr(err, "nope.pem"));
    assert_non_null(strstr(err, "No such file"));

    cfg = server_cfg(TLS_CLIENT_AUTH_NONE);
    cfg.key_file = P("nope.key");
    assert_null(tls_server_ctx_new(&cfg, err, sizeof(err)));
    assert_non_null(strstr(err, "nope.key"));

    cfg = server_cfg(TLS_CLIENT_AUTH_REQUIRED);
    cfg.ca_file = P("nope-ca.pem");
    assert_null(tls_server_ctx_new(&cfg, err, sizeof(err)));
    assert_non_null(strstr(err, "nope-ca.pem"));
}

static void test_server_refuses_non_pem_certificate(void **state)
{
    tls_config cfg = server_cfg(TLS_CLIENT_AUTH_NONE);
    char err[512] = "";
    FILE *f = fopen(P("garbage.pem"), "w");

    (void)state;
    assert_non_null(f);
    fputs("this is not a certificate\n", f);
    fclose(f);
    cfg.cert_file = P("garbage.pem");
    assert_null(tls_server_ctx_new(&cfg, err, sizeof(err)));
    assert_non_null(strstr(err, "garbage.pem"));
    assert_non_null(strstr(err, "no start line")); /* OpenSSL's reason */
}

static void test_server_requires_ca_when_client_auth(void **state)
{
    tls_config cfg = server_cfg(TLS_CLIENT_AUTH_REQUIRED);
    char err[512] = "";

    (void)state;
    cfg.ca_file = NULL;
    assert_null(tls_server_ctx_new(&cfg, err, sizeof(err)));
    assert_non_null(strstr(err, "no CA file"));
    cfg.client_auth = 7;
    assert_null(tls_server_ctx_new(&cfg, err, sizeof(err)));
    assert_non_null(strstr(err, "client auth"));
}

static void test_encrypted_key_loads_only_with_its_password(void **state)
{
    static const char pw[] = "correct horse";
    tls_config cfg = server_cfg(TLS_CLIENT_AUTH_NONE);
    char err[512] = "";
    EVP_PKEY *pkey;
    SSL_CTX *ctx;
    FILE *f;

    (void)state;
    f = fopen(P("server.key"), "r");
    assert_non_null(f);
    pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    assert_non_null(pkey);
    f = fopen(P("server-enc.key"), "w");
    assert_non_null(f);
    assert_int_equal(PEM_write_PrivateKey(f, pkey, EVP_aes_256_cbc(),
                                          (const unsigned char *)pw,
                                          (int)strlen(pw), NULL, NULL),
                     1);
    fclose(f);
    EVP_PKEY_free(pkey);

    cfg.key_file = P("server-enc.key");
    cfg.key_password = pw;
    ctx = tls_server_ctx_new(&cfg, err, sizeof(err));
    assert_non_null(ctx);
    tls_ctx_free(ctx);

    cfg.key_password = NULL; /* must fail, not prompt on the terminal */
    assert_null(tls_server_ctx_new(&cfg, err, sizeof(err)));
    assert_non_null(strstr(err, "server-enc.key"));
    assert_non_null(strstr(err, "key password"));

    cfg.key_password = "wrong horse";
    assert_null(tls_server_ctx_new(&cfg, err, sizeof(err)));
    assert_non_null(strstr(err, "server-enc.key"));
    assert_null(strstr(err, "wrong horse")); /* never echo a password */
}

static void test_bad_cipher_lists_are_refused(void **state)
{
    tls_config cfg = server_cfg(TLS_CLIENT_AUTH_NONE);
    char err[512] = "";
    SSL_CTX *ctx;

    (void)state;
    cfg.ciphers = "NO-SUCH-CIPHER";
    assert_null(tls_server_ctx_new(&cfg, err, sizeof(err)));
    assert_non_null(strstr(err, "NO-SUCH-CIPHER"));

    cfg.ciphers = NULL;
    cfg.ciphersuites = "TLS_NOPE";
    assert_null(tls_server_ctx_new(&cfg, err, sizeof(err)));
    assert_non_null(strstr(err, "TLS_NOPE"));

    cfg.ciphersuites = "TLS_AES_128_GCM_SHA256";
    ctx = tls_server_ctx_new(&cfg, err, sizeof(err));
    assert_non_null(ctx);
    tls_ctx_free(ctx);
}

static void test_client_auth_parse_accepts_kafka_and_rocketmq(void **state)
{
    int v = -1;

    (void)state;
    assert_int_equal(tls_client_auth_parse("none", &v), TLS_OK);
    assert_int_equal(v, TLS_CLIENT_AUTH_NONE);
    assert_int_equal(tls_client_auth_parse("requested", &v), TLS_OK);
    assert_int_equal(v, TLS_CLIENT_AUTH_REQUESTED);
    assert_int_equal(tls_client_auth_parse("OPTIONAL", &v), TLS_OK);
    assert_int_equal(v, TLS_CLIENT_AUTH_REQUESTED);
    assert_int_equal(tls_client_auth_parse("required", &v), TLS_OK);
    assert_int_equal(v, TLS_CLIENT_AUTH_REQUIRED);
    assert_int_equal(tls_client_auth_parse("require", &v), TLS_OK);
    assert_int_equal(v, TLS_CLIENT_AUTH_REQUIRED);
    assert_int_equal(tls_client_auth_parse("true", &v), TLS_OK);
    assert_int_equal(v, TLS_CLIENT_AUTH_REQUIRED);
    v = 42;
    assert_int_equal(tls_client_auth_parse("sometimes", &v), TLS_ERR);
    assert_int_equal(tls_client_auth_parse("", &v), TLS_ERR);
    assert_int_equal(v, 42);
}

static void test_last_error_drains_the_queue(void **state)
{
    char buf[256];

    (void)state;
    ERR_clear_error();
    assert_null(BIO_new_file(P("does-not-exist"), "r"));
    assert_int_not_equal(ERR_peek_error(), 0);
    tls_last_error(buf, sizeof(buf));
    assert_null(strstr(buf, "no OpenSSL error"));
    assert_int_equal(ERR_peek_error(), 0);
    assert_string_equal(tls_last_error(buf, sizeof(buf)),
                        "no OpenSSL error reported");
    /* A tiny buffer still gets a terminated, truncated line. */
    assert_null(BIO_new_file(P("does-not-exist"), "r"));
    tls_last_error(buf, 5);
    assert_int_equal(strlen(buf), 4);
    assert_int_equal(ERR_peek_error(), 0);
}

/* ------------------------------------------------------------------------ */
/* Handshakes: versions                                                     */
/* ------------------------------------------------------------------------ */

static void test_handshake_negotiates_tls13(void **state)
{
    SSL_CTX *sctx = server_ctx(TLS_CLIENT_AUTH_NONE);
    SSL_CTX *cctx = client_ctx(NULL, NULL, "localhost");
    hs_result res;

    (void)state;
    handshake(sctx, cctx, NULL, &res);
    expect_ok(&res);
    assert_int_equal(res.version, TLS1_3_VERSION);
    /* No client certificate was asked for. */
    assert_int_equal(res.subject_rc, TLS_ERR);
    assert_string_equal(res.subject, "-");
    tls_ctx_free(cctx);
    tls_ctx_free(sctx);
}

static void test_handshake_accepts_client_capped_at_tls12(void **state)
{
    SSL_CTX *sctx = server_ctx(TLS_CLIENT_AUTH_NONE);
    SSL_CTX *cctx = client_ctx(NULL, NULL, "localhost");
    hs_result res;

    (void)state;
    assert_int_equal(SSL_CTX_set_max_proto_version(cctx, TLS1_2_VERSION), 1);
    handshake(sctx, cctx, NULL, &res);
    expect_ok(&res);
    assert_int_equal(res.version, TLS1_2_VERSION);
    tls_ctx_free(cctx);
    tls_ctx_free(sctx);
}

static void test_handshake_refuses_tls11_client(void **state)
{
    SSL_CTX *legacy = legacy_server_ctx();
    SSL_CTX *sctx = server_ctx(TLS_CLIENT_AUTH_NONE);
    SSL_CTX *cctx = tls11_client_ctx();
    hs_result res;

    (void)state;
    /* Control: this client really can speak TLS 1.1 to a server that does. */
    handshake(legacy, cctx, NULL, &res);
    if (!res.server_ok && strstr(res.server_err, "unsupported protocol")) {
        tls_ctx_free(cctx);
        tls_ctx_free(sctx);
        tls_ctx_free(legacy);
        skip(); /* this libssl was built without TLS 1.1 */
    }
    expect_ok(&res);
    assert_int_equal(res.version, TLS1_1_VERSION);

    /* Ours refuses it. */
    handshake(sctx, cctx, NULL, &res);
    expect_server_refused(&res, "unsupported protocol");
    assert_false(res.client_ok);
    tls_ctx_free(cctx);
    tls_ctx_free(sctx);
    tls_ctx_free(legacy);
}

/* ------------------------------------------------------------------------ */
/* Handshakes: server identity as seen by the client                        */
/* ------------------------------------------------------------------------ */

static void test_client_checks_host_name_and_ip(void **state)
{
    SSL_CTX *sctx = server_ctx(TLS_CLIENT_AUTH_NONE);
    SSL_CTX *cctx;
    hs_result res;

    (void)state;
    cctx = client_ctx(NULL, NULL, "127.0.0.1");
    handshake(sctx, cctx, NULL, &res);
    expect_ok(&res);
    tls_ctx_free(cctx);

    cctx = client_ctx(NULL, NULL, "::1");
    handshake(sctx, cctx, NULL, &res);
    expect_ok(&res);
    tls_ctx_free(cctx);

    cctx = client_ctx(NULL, NULL, "wrong.example");
    handshake(sctx, cctx, NULL, &res);
    expect_client_refused(&res, "certificate verify failed");
    tls_ctx_free(cctx);

    cctx = client_ctx(NULL, NULL, "10.9.8.7");
    handshake(sctx, cctx, NULL, &res);
    expect_client_refused(&res, "certificate verify failed");
    tls_ctx_free(cctx);
    tls_ctx_free(sctx);
}

static void test_client_set_host_sends_sni_and_verifies(void **state)
{
    SSL_CTX *sctx = server_ctx(TLS_CLIENT_AUTH_NONE);
    SSL_CTX *cctx = client_ctx(NULL, NULL, NULL);
    hs_result res;

    (void)state;
    handshake(sctx, cctx, "localhost", &res);
    expect_ok(&res);
    assert_string_equal(res.sni, "localhost");

    handshake(sctx, cctx, "127.0.0.1", &res); /* no SNI for IP literals */
    expect_ok(&res);
    assert_string_equal(res.sni, "");

    handshake(sctx, cctx, "elsewhere.example", &res);
    expect_client_refused(&res, "certificate verify failed");
    tls_ctx_free(cctx);
    tls_ctx_free(sctx);
}

static void test_client_refuses_server_from_unknown_ca(void **state)
{
    SSL_CTX *sctx = server_ctx(TLS_CLIENT_AUTH_NONE);
    tls_config cfg = {0};
    char err[512] = "";
    SSL_CTX *cctx;
    hs_result res;

    (void)state;
    cfg.ca_file = P("other-ca.pem");
    cctx = tls_client_ctx_new(&cfg, "localhost", err, sizeof(err));
    assert_non_null(cctx);
    handshake(sctx, cctx, NULL, &res);
    expect_client_refused(&res, "certificate verify failed");
    tls_ctx_free(cctx);
    tls_ctx_free(sctx);
}

/* ------------------------------------------------------------------------ */
/* Handshakes: client certificates                                          */
/* ------------------------------------------------------------------------ */

static void test_required_client_auth_refuses_client_without_cert(void **st)
{
    SSL_CTX *sctx = server_ctx(TLS_CLIENT_AUTH_REQUIRED);
    SSL_CTX *cctx = client_ctx(NULL, NULL, "localhost");
    hs_result res;

    (void)st;
    assert_int_equal(SSL_CTX_get_verify_mode(sctx),
                     SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
    handshake(sctx, cctx, NULL, &res);
    expect_server_refused(&res, "peer did not return a certificate");

    /* Same with TLS 1.2, where the client learns of it in the handshake. */
    assert_int_equal(SSL_CTX_set_max_proto_version(cctx, TLS1_2_VERSION), 1);
    handshake(sctx, cctx, NULL, &res);
    expect_server_refused(&res, "peer did not return a certificate");
    tls_ctx_free(cctx);
    tls_ctx_free(sctx);
}

static void test_required_client_auth_refuses_cert_from_other_ca(void **st)
{
    SSL_CTX *sctx = server_ctx(TLS_CLIENT_AUTH_REQUIRED);
    SSL_CTX *cctx =
        client_ctx("other-client.pem", "other-client.key", "localhost");
    hs_result res;

    (void)st;
    handshake(sctx, cctx, NULL, &res);
    expect_server_refused(&res, "certificate verify failed");
    tls_ctx_free(cctx);
    tls_ctx_free(sctx);
}

static void test_required_client_auth_accepts_cert_and_names_it(void **st)
{
    SSL_CTX *sctx = server_ctx(TLS_CLIENT_AUTH_REQUIRED);
    SSL_CTX *cctx = client_ctx("client.pem", "client.key", "localhost");
    hs_result res;

    (void)st;
    handshake(sctx, cctx, NULL, &res);
    expect_ok(&res);
    assert_int_equal(res.version, TLS1_3_VERSION);
    assert_int_equal(res.subject_rc, TLS_OK);
    assert_non_null(strstr(res.subject, "CN=ferry-test-client"));

    assert_int_equal(SSL_CTX_set_max_proto_version(cctx, TLS1_2_VERSION), 1);
    handshake(sctx, cctx, NULL, &res);
    expect_ok(&res);
    assert_int_equal(res.version, TLS1_2_VERSION);
    assert_non_null(strstr(res.subject, "CN=ferry-test-client"));
    tls_ctx_free(cctx);
    tls_ctx_free(sctx);
}

static void test_requested_client_auth_allows_anonymous_not_foreign(void **st)
{
    SSL_CTX *sctx = server_ctx(TLS_CLIENT_AUTH_REQUESTED);
    SSL_CTX *anon = client_ctx(NULL, NULL, "localhost");
    SSL_CTX *mine = client_ctx("client.pem", "client.key", "localhost");
    SSL_CTX *foreign =
        client_ctx("other-client.pem", "other-client.key", "localhost");
    hs_result res;

    (void)st;
    assert_int_equal(SSL_CTX_get_verify_mode(sctx), SSL_VERIFY_PEER);
    handshake(sctx, anon, NULL, &res);
    expect_ok(&res);
    assert_int_equal(res.subject_rc, TLS_ERR);

    handshake(sctx, mine, NULL, &res);
    expect_ok(&res);
    assert_non_null(strstr(res.subject, "CN=ferry-test-client"));

    handshake(sctx, foreign, NULL, &res);
    expect_server_refused(&res, "certificate verify failed");
    tls_ctx_free(foreign);
    tls_ctx_free(mine);
    tls_ctx_free(anon);
    tls_ctx_free(sctx);
}

static void test_peer_subject_truncates_to_buffer(void **st)
{
    SSL_CTX *sctx = server_ctx(TLS_CLIENT_AUTH_REQUIRED);
    SSL_CTX *cctx = client_ctx("client.pem", "client.key", "localhost");
    SSL *srv = SSL_new(sctx), *cli = SSL_new(cctx);
    BIO *sbio, *cbio;
    char small[8];
    int i, sdone = 0, cdone = 0;

    (void)st;
    assert_int_equal(BIO_new_bio_pair(&sbio, 0, &cbio, 0), 1);
    SSL_set_bio(srv, sbio, sbio);
    SSL_set_bio(cli, cbio, cbio);
    SSL_set_accept_state(srv);
    SSL_set_connect_state(cli);
    for (i = 0; i < 64 && !(sdone && cdone); i++) {
        if (!cdone)
            cdone = SSL_do_handshake(cli) == 1;
        if (!sdone)
            sdone = SSL_do_handshake(srv) == 1;
    }
    assert_true(sdone && cdone);
    memset(small, 'x', sizeof(small));
    assert_int_equal(tls_peer_subject(srv, small, sizeof(small)), TLS_OK);
    assert_int_equal(strlen(small), sizeof(small) - 1);
    assert_memory_equal(small, "CN=ferr", 7);
    SSL_free(cli);
    SSL_free(srv);
    tls_ctx_free(cctx);
    tls_ctx_free(sctx);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_ctx_loads_chain_key_and_pins_versions),
        cmocka_unit_test(test_server_ctx_loads_combined_keystore_file),
        cmocka_unit_test(test_server_refuses_key_not_matching_cert),
        cmocka_unit_test(test_server_refuses_missing_files),
        cmocka_unit_test(test_server_refuses_non_pem_certificate),
        cmocka_unit_test(test_server_requires_ca_when_client_auth),
        cmocka_unit_test(test_encrypted_key_loads_only_with_its_password),
        cmocka_unit_test(test_bad_cipher_lists_are_refused),
        cmocka_unit_test(test_client_auth_parse_accepts_kafka_and_rocketmq),
        cmocka_unit_test(test_last_error_drains_the_queue),
        cmocka_unit_test(test_handshake_negotiates_tls13),
        cmocka_unit_test(test_handshake_accepts_client_capped_at_tls12),
        cmocka_unit_test(test_handshake_refuses_tls11_client),
        cmocka_unit_test(test_client_checks_host_name_and_ip),
        cmocka_unit_test(test_client_set_host_sends_sni_and_verifies),
        cmocka_unit_test(test_client_refuses_server_from_unknown_ca),
        cmocka_unit_test(test_required_client_auth_refuses_client_without_cert),
        cmocka_unit_test(test_required_client_auth_refuses_cert_from_other_ca),
        cmocka_unit_test(test_required_client_auth_accepts_cert_and_names_it),
        cmocka_unit_test(
            test_requested_client_auth_allows_anonymous_not_foreign),
        cmocka_unit_test(test_peer_subject_truncates_to_buffer),
    };

    if (argc > 1)
        make_certs = argv[1];
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
