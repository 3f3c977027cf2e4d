/*
 * url.h — the endpoint and StreamUrl parser: scheme (http, https, ws, wss),
 * host, port and the request target (path plus query), plus the Host header
 * value a request to it carries (and signs). No I/O.
 */
#ifndef POSTERN_URL_H
#define POSTERN_URL_H

#include <stdbool.h>
#include <stddef.h>

#define URL_HOST_MAX 255
#define URL_PATH_MAX 2048

struct url {
	bool tls;                             /* https or wss */
	bool websocket;                       /* ws or wss */
	char host[URL_HOST_MAX + 1];          /* name or address, IPv6 without brackets */
	int port;                             /* given, or 80 / 443 by scheme */
	char path[URL_PATH_MAX + 1];          /* "/…[?query]", "/" when the URL has none;
					       * a #fragment is dropped */
	char host_header[URL_HOST_MAX + 10];  /* host[:port], the port left out when it is
					       * the scheme's default (as botocore signs it) */
};

/*
 * Parse an absolute URL. Returns CLIENT_OK or CLIENT_E_CONFIG with err naming
 * the problem: unknown scheme, user info, empty or over-long host, a port
 * outside 1–65535, an over-long path.
 */
int url_parse(const char *text, struct url *out, char *err, size_t errlen);

#endif
