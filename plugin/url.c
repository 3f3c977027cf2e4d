/*
 * url.c — absolute URL parsing for endpoints and stream URLs.
 */
#include "url.h"
#include "client_err.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct url_scheme {
	const char *name;
	bool tls, websocket;
	int port;
};

static const struct url_scheme schemes[] = {
	{"https", true, false, 443},
	{"http", false, false, 80},
	{"wss", true, true, 443},
	{"ws", false, true, 80},
};

static const struct url_scheme *scheme_of(const char *text, size_t len)
{
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strlen(schemes[i].name) == len && strncasecmp(schemes[i].name, text, len) == 0)
			return &schemes[i];
	return NULL;
}

static int parse_port(const char *text, size_t len, int *out)
{
	char digits[8], *end;
	long v;

	if (len == 0 || len >= sizeof(digits) || strspn(text, "0123456789") < len)
		return -1;
	memcpy(digits, text, len);
	digits[len] = '\0';
	errno = 0;
	v = strtol(digits, &end, 10);
	if (errno || *end || v < 1 || v > 65535)
		return -1;
	*out = (int)v;
	return 0;
}

/* Split "host", "host:port", "[v6]" or "[v6]:port" (authority[0..len)). */
static int parse_authority(const char *a, size_t len, struct url *out, char *err, size_t errlen)
{
	const char *host = a, *colon = NULL;
	size_t host_len = len;

	if (memchr(a, '@', len))
		return client_errf(err, errlen, CLIENT_E_CONFIG, "user info in URLs is not supported");
	if (len && a[0] == '[') {
		const char *close = memchr(a, ']', len);

		if (!close)
			return client_errf(err, errlen, CLIENT_E_CONFIG, "unterminated [ in the host");
		host = a + 1;
		host_len = (size_t)(close - host);
		if (close + 1 < a + len) {
			if (close[1] != ':')
				return client_errf(err, errlen, CLIENT_E_CONFIG, "bad text after ]");
			colon = close + 1;
		}
	} else if ((colon = memchr(a, ':', len))) {
		host_len = (size_t)(colon - a);
	}
	if (host_len == 0 || host_len > URL_HOST_MAX)
		return client_errf(err, errlen, CLIENT_E_CONFIG, "the URL has no usable host");
	memcpy(out->host, host, host_len);
	out->host[host_len] = '\0';
	if (colon && parse_port(colon + 1, (size_t)(a + len - colon - 1), &out->port) != 0)
		return client_errf(err, errlen, CLIENT_E_CONFIG, "bad port in the URL");
	return CLIENT_OK;
}

int url_parse(const char *text, struct url *out, char *err, size_t errlen)
{
	const char *sep = strstr(text, "://"), *auth, *rest;
	const struct url_scheme *scheme;
	size_t auth_len, path_len;
	int default_port, rc;
	bool v6;

	memset(out, 0, sizeof(*out));
	scheme = sep ? scheme_of(text, (size_t)(sep - text)) : NULL;
	if (!scheme)
		return client_errf(err, errlen, CLIENT_E_CONFIG,
				   "'%.64s' is not an http(s):// or ws(s):// URL", text);
	out->tls = scheme->tls;
	out->websocket = scheme->websocket;
	out->port = default_port = scheme->port;
	auth = sep + 3;
	auth_len = strcspn(auth, "/?#");
	rc = parse_authority(auth, auth_len, out, err, errlen);
	if (rc != CLIENT_OK)
		return rc;
	rest = auth + auth_len;
	path_len = strcspn(rest, "#");
	if (path_len > URL_PATH_MAX - 1)
		return client_errf(err, errlen, CLIENT_E_CONFIG, "the URL's path is too long");
	if (path_len == 0 || rest[0] != '/')
		out->path[0] = '/';
	memcpy(out->path + strlen(out->path), rest, path_len);
	v6 = strchr(out->host, ':') != NULL;
	if (out->port == default_port)
		snprintf(out->host_header, sizeof(out->host_header), v6 ? "[%s]" : "%s", out->host);
	else
		snprintf(out->host_header, sizeof(out->host_header), v6 ? "[%s]:%d" : "%s:%d",
			 out->host, out->port);
	return CLIENT_OK;
}
