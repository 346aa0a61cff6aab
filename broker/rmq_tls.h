/*
 * rmq_tls.h - TLS of the broker's RocketMQ side: the server context and
 * tls.server.mode shared by the remoting ports and the embedded name
 * server, and the client context for registering with name servers over
 * TLS (tls.enable).  Built once at start-up from broker_config; the
 * per-connection work is tls_event.h's.
 * @locality: start-up and the event loop thread.
 */
#ifndef FERRY_RMQ_TLS_H
#define FERRY_RMQ_TLS_H

#include <stddef.h>

#include <openssl/ssl.h>

#include "config.h"

/*
 * Reads tls.server.mode (empty: permissive when ssl.certificate.location
 * is set, else disabled), builds the server context from the ssl.* keys
 * and, with tls.enable, the client context from the tls.client.* keys.
 * 0, or -1 with a message naming the key or file.
 */
int rmq_tls_init(const broker_config *cfg, char *err, size_t errlen);
/* TLS_MODE_* of the remoting ports and the embedded name server. */
int rmq_tls_mode(void);
/* The server context, or NULL when the mode is disabled. */
SSL_CTX *rmq_tls_server_ctx(void);
/* The client context for name server links, or NULL (plain). */
SSL_CTX *rmq_tls_client_ctx(void);
/* Frees both contexts (connections keep their own references). */
void rmq_tls_shutdown(void);

#endif /* FERRY_RMQ_TLS_H */
