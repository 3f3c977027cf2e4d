/*
 * worker_url.h — the data-channel URL a session's StartSession names:
 *
 *   wss://HOST[:PORT]/v1/data-channel/<session id>?role=publish_subscribe
 *
 * HOST and PORT follow agent_url.h (a DNS name, IPv4, or IPv6 in brackets;
 * port 443 by default); the path, query included, is kept verbatim for the
 * websocket request. Only wss:// is accepted: session tokens never travel in
 * the clear. Pure text handling, no I/O.
 */
#ifndef POSTERN_WORKER_URL_H
#define POSTERN_WORKER_URL_H

#include <stddef.h>

#include "agent_url.h"

#define WORKER_URL_MAX 2048

struct worker_url {
	struct agent_url server;          /* host, port; prefix always "" */
	char path[WORKER_URL_MAX];        /* "/v1/...?..." as sent in the request */
	char host_header[AGENT_URL_HOST_MAX + 8]; /* "host:port", IPv6 in brackets */
};

/* 0, or -1 with a sentence in err saying what is wrong with text. */
int worker_url_parse(const char *text, struct worker_url *out, char *err, size_t errlen);

#endif
