/*
 * rmq_tls.c - the RocketMQ side's TLS settings turned into contexts (see
 * rmq_tls.h).  The keys are RocketMQ's where it has them:
 *   tls.server.mode          disabled | permissive | enforcing
 *   ssl.certificate.location (tls.server.certPath) and the other ssl.*
 *                            keys, shared with the Kafka SSL:// listener
 *   tls.enable               register with namesrvAddr over TLS
 *   tls.client.trustCertPath / certPath / keyPath / keyPassword
 * Unlike RocketMQ's default (tls.client.authServer=false), the broker
 * always verifies the name server's certificate (tls.h policy): against
 * tls.client.trustCertPath, else the system store.
 */
#include "rmq_tls.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "tls.h"

static int tls_mode = TLS_MODE_DISABLED;
static SSL_CTX *server_ctx;
static SSL_CTX *client_ctx;

static const char *opt(const char *s)
{
    return s && *s ? s : NULL;
}

int rmq_tls_init(const broker_config *cfg, char *err, size_t errlen)
{
    int has_cert = opt(cfg->ssl_cert) != NULL;
    tls_mode = has_cert ? TLS_MODE_PERMISSIVE : TLS_MODE_DISABLED;
    if (opt(cfg->tls_mode) && tls_mode_parse(cfg->tls_mode, &tls_mode) != 0) {
        snprintf(err, errlen,
                 "config key 'tls.server.mode': '%s' is not disabled, "
                 "permissive or enforcing",
                 cfg->tls_mode);
        return -1;
    }
    if (tls_mode != TLS_MODE_DISABLED) {
        if (!has_cert) {
            snprintf(err, errlen,
                     "tls.server.mode=%s needs ssl.certificate.location "
                     "(tls.server.certPath)",
                     tls_mode_name(tls_mode));
            return -1;
        }
        tls_config tc;
        memset(&tc, 0, sizeof tc);
        tc.cert_file = cfg->ssl_cert;
        tc.key_file = opt(cfg->ssl_key) ? cfg->ssl_key : cfg->ssl_cert;
        tc.key_password = opt(cfg->ssl_key_password);
        tc.ca_file = opt(cfg->ssl_ca);
        if (tls_client_auth_parse(cfg->ssl_client_auth, &tc.client_auth) !=
            0) {
            snprintf(err, errlen,
                     "config key 'ssl.client.auth': '%s' is not none, "
                     "requested or required",
                     cfg->ssl_client_auth);
            return -1;
        }
        server_ctx = tls_server_ctx_new(&tc, err, errlen);
        if (!server_ctx)
            return -1;
    }
    if (cfg->tls_enable) {
        tls_config tc;
        memset(&tc, 0, sizeof tc);
        tc.cert_file = opt(cfg->tls_client_cert);
        tc.key_file = opt(cfg->tls_client_key) ? cfg->tls_client_key
                                               : tc.cert_file;
        tc.key_password = opt(cfg->tls_client_key_password);
        tc.ca_file = opt(cfg->tls_client_ca);
        client_ctx = tls_client_ctx_new(&tc, NULL, err, errlen);
        if (!client_ctx) {
            rmq_tls_shutdown();
            return -1;
        }
    }
    if (tls_mode != TLS_MODE_DISABLED || client_ctx)
        log_info("rmq", NULL,
                 "RocketMQ TLS: tls.server.mode=%s, name server links %s",
                 tls_mode_name(tls_mode), client_ctx ? "TLS" : "plain");
    return 0;
}

int rmq_tls_mode(void)
{
    return tls_mode;
}

SSL_CTX *rmq_tls_server_ctx(void)
{
    return server_ctx;
}

SSL_CTX *rmq_tls_client_ctx(void)
{
    return client_ctx;
}

void rmq_tls_shutdown(void)
{
    tls_ctx_free(server_ctx);
    tls_ctx_free(client_ctx);
    server_ctx = NULL;
    client_ctx = NULL;
    tls_mode = TLS_MODE_DISABLED;
}
