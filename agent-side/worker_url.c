/*
 * worker_url.c — parsing the data-channel URL (see worker_url.h). The host
 * and port are checked by agent_url_parse, given the authority as an https
 * URL; the path and query are checked here.
 */
#include "worker_url.h"

#include <stdio.h>
#include <string.h>

#define WORKER_URL_SCHEME "wss://"

int worker_url_parse(const char *text, struct worker_url *out, char *err, size_t errlen)
{
	char base[AGENT_URL_MAX];
	const char *auth, *path;
	size_t auth_len;
	int n;

	memset(out, 0, sizeof(*out));
	if (!text || strncmp(text, WORKER_URL_SCHEME, strlen(WORKER_URL_SCHEME)) != 0) {
		snprintf(err, errlen, "the data-channel URL must start with %s", WORKER_URL_SCHEME);
		return -1;
	}
	auth = text + strlen(WORKER_URL_SCHEME);
	auth_len = strcspn(auth, "/?#");
	path = auth + auth_len;
	if (*path != '/') {
		snprintf(err, errlen, "the data-channel URL has no path");
		return -1;
	}
	if (strlen(path) >= sizeof(out->path) || strpbrk(path, "# \t\r\n")) {
		snprintf(err, errlen, "the data-channel URL's path is too long or holds a fragment "
				      "or white space");
		return -1;
	}
	n = snprintf(base, sizeof(base), "https://%.*s", (int)auth_len, auth);
	if (n < 0 || (size_t)n >= sizeof(base)) {
		snprintf(err, errlen, "the data-channel URL's host is too long");
		return -1;
	}
	if (agent_url_parse(base, &out->server, err, errlen) != 0)
		return -1;
	memcpy(out->path, path, strlen(path) + 1);
	n = snprintf(out->host_header, sizeof(out->host_header),
		     out->server.host_is_ipv6 ? "[%s]:%d" : "%s:%d", out->server.host,
		     out->server.port);
	if (n < 0 || (size_t)n >= sizeof(out->host_header)) {
		snprintf(err, errlen, "the data-channel URL's host is too long");
		return -1;
	}
	return 0;
}
