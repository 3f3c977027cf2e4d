/*
 * agent_url.c — parsing the broker's base URL (see agent_url.h).
 */
#include "agent_url.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#define SCHEME "https://"

static bool host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_';
}

/* Host part [start, end): a name, IPv4 or [IPv6]. 0 or -1. */
static int parse_host(const char *start, const char *end, struct agent_url *out, char *err,
		      size_t errlen)
{
	unsigned char addr[16];
	size_t len = (size_t)(end - start);

	if (len >= 2 && start[0] == '[' && end[-1] == ']') {
		start++;
		len -= 2;
		out->host_is_ipv6 = true;
	}
	if (len == 0 || len >= sizeof(out->host)) {
		snprintf(err, errlen, "the URL has %s host name", len ? "too long a" : "no");
		return -1;
	}
	memcpy(out->host, start, len);
	out->host[len] = '\0';
	if (out->host_is_ipv6) {
		if (inet_pton(AF_INET6, out->host, addr) != 1) {
			snprintf(err, errlen, "'%s' is not an IPv6 address", out->host);
			return -1;
		}
		return 0;
	}
	for (size_t i = 0; i < len; i++) {
		if (!host_char(out->host[i])) {
			snprintf(err, errlen, "the host name '%s' has a character not allowed there",
				 out->host);
			return -1;
		}
	}
	return 0;
}

static int parse_port(const char *start, const char *end, int *port, char *err, size_t errlen)
{
	long v = 0;

	if (start == end || end - start > 5) {
		snprintf(err, errlen, "the URL's port is not a number from 1 to 65535");
		return -1;
	}
	for (const char *p = start; p < end; p++) {
		if (*p < '0' || *p > '9') {
			snprintf(err, errlen, "the URL's port is not a number from 1 to 65535");
			return -1;
		}
		v = v * 10 + (*p - '0');
	}
	if (v < 1 || v > 65535) {
		snprintf(err, errlen, "the URL's port is not a number from 1 to 65535");
		return -1;
	}
	*port = (int)v;
	return 0;
}

int agent_url_parse(const char *text, struct agent_url *out, char *err, size_t errlen)
{
	const char *auth, *auth_end, *host_end, *path;
	size_t path_len;

	memset(out, 0, sizeof(*out));
	out->port = 443;
	if (!text || strncmp(text, SCHEME, strlen(SCHEME)) != 0) {
		snprintf(err, errlen, "the broker URL must start with https://");
		return -1;
	}
	if (strlen(text) >= AGENT_URL_MAX) {
		snprintf(err, errlen, "the broker URL is longer than %d characters",
			 AGENT_URL_MAX - 1);
		return -1;
	}
	if (strpbrk(text, "?#@ \t\r\n")) {
		snprintf(err, errlen, "the broker URL may not contain a query, fragment, user "
				      "name or white space");
		return -1;
	}
	auth = text + strlen(SCHEME);
	auth_end = auth + strcspn(auth, "/");
	host_end = auth_end;
	if (*auth == '[') {
		host_end = memchr(auth, ']', (size_t)(auth_end - auth));
		host_end = host_end ? host_end + 1 : auth_end;
	} else {
		const char *colon = memchr(auth, ':', (size_t)(auth_end - auth));

		if (colon)
			host_end = colon;
	}
	if (parse_host(auth, host_end, out, err, errlen) != 0)
		return -1;
	if (host_end < auth_end) {
		if (*host_end != ':') {
			snprintf(err, errlen, "unexpected text after the host in the broker URL");
			return -1;
		}
		if (parse_port(host_end + 1, auth_end, &out->port, err, errlen) != 0)
			return -1;
	}
	path = auth_end;
	path_len = strlen(path);
	while (path_len > 0 && path[path_len - 1] == '/')
		path_len--;
	memcpy(out->prefix, path, path_len);
	out->prefix[path_len] = '\0';
	if (strstr(out->prefix, "//")) {
		snprintf(err, errlen, "the broker URL's path has an empty segment");
		return -1;
	}
	return 0;
}

int agent_url_path(const struct agent_url *u, const char *path, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, "%s%s", u->prefix, path);

	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int agent_url_host_text(const struct agent_url *u, char *out, size_t outlen)
{
	int n = snprintf(out, outlen, u->host_is_ipv6 ? "[%s]" : "%s", u->host);

	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int agent_url_authority(const struct agent_url *u, char *out, size_t outlen)
{
	char host[AGENT_URL_HOST_MAX + 2];
	int n;

	if (agent_url_host_text(u, host, sizeof(host)) != 0)
		return -1;
	n = u->port == 443 ? snprintf(out, outlen, "%s", host)
			   : snprintf(out, outlen, "%s:%d", host, u->port);
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}
