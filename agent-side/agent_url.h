/*
 * agent_url.h — the broker's base URL as given to `register --broker` and kept
 * in agent.conf: https://HOST[:PORT][/PREFIX]. HOST is a DNS name, an IPv4
 * address or an IPv6 address in brackets; PORT defaults to 443; an optional
 * path prefix (a broker behind a reverse proxy) is kept without its trailing
 * '/'. No user info, query or fragment. Pure text handling, no I/O.
 */
#ifndef POSTERN_AGENT_URL_H
#define POSTERN_AGENT_URL_H

#include <stdbool.h>
#include <stddef.h>

#define AGENT_URL_MAX 512
#define AGENT_URL_HOST_MAX 256

struct agent_url {
	char host[AGENT_URL_HOST_MAX];  /* name or address; IPv6 without brackets */
	bool host_is_ipv6;
	int port;                       /* 1..65535 */
	char prefix[AGENT_URL_MAX];     /* "" or "/a/b" (no trailing '/') */
};

/* 0, or -1 with a sentence in err saying what is wrong with text. */
int agent_url_parse(const char *text, struct agent_url *out, char *err, size_t errlen);

/* prefix + path (path starts with '/') into out. 0, or -1 if it does not fit. */
int agent_url_path(const struct agent_url *u, const char *path, char *out, size_t outlen);

/* The host as it goes into a URL: IPv6 in brackets. 0 or -1. */
int agent_url_host_text(const struct agent_url *u, char *out, size_t outlen);

/* The Host header's value: the host as above, then ":PORT" unless it is 443.
 * 0 or -1. */
int agent_url_authority(const struct agent_url *u, char *out, size_t outlen);

#endif
