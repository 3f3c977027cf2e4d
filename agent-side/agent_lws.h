/*
 * agent_lws.h — the one way the agent's processes make a libwebsockets
 * context: client-only, trusting only the TLS context they provide (never the
 * system's CA store), with their own protocols and a connect timeout.
 */
#ifndef POSTERN_AGENT_LWS_H
#define POSTERN_AGENT_LWS_H

#include <libwebsockets.h>

/* NULL if libwebsockets cannot start. */
struct lws_context *agent_lws_client_context(const struct lws_protocols *protocols,
					     SSL_CTX *ssl, void *user, unsigned fd_limit,
					     int timeout_s);

#endif
