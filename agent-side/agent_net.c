/*
 * agent_net.c — why a connection could not start (see agent_net.h).
 */
#include "agent_net.h"

#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

void agent_net_explain_start_failure(const struct agent_url *url, char *out, size_t outlen)
{
	struct addrinfo hints, *res = NULL;
	char port[8];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	snprintf(port, sizeof(port), "%d", url->port);
	rc = getaddrinfo(url->host, port, &hints, &res);
	if (rc != 0)
		snprintf(out, outlen, "cannot resolve %s: %s", url->host, gai_strerror(rc));
	else
		snprintf(out, outlen, "cannot start a connection to %s port %d", url->host,
			 url->port);
	if (res)
		freeaddrinfo(res);
}
