/*
 * agent_lws.c — client-only libwebsockets contexts for the agent.
 */
#include "agent_lws.h"

#include <string.h>

struct lws_context *agent_lws_client_context(const struct lws_protocols *protocols,
					     SSL_CTX *ssl, void *user, unsigned fd_limit,
					     int timeout_s)
{
	struct lws_context_creation_info info;

	memset(&info, 0, sizeof(info));
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT |
		       LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS;
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.provided_client_ssl_ctx = ssl;
	info.user = user;
	info.fd_limit_per_thread = fd_limit;
	info.timeout_secs = (unsigned)timeout_s;
	info.connect_timeout_secs = (unsigned)timeout_s;
	info.pt_serv_buf_size = 64 * 1024 + LWS_PRE;
	return lws_create_context(&info);
}
