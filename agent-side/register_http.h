/*
 * register_http.h — one HTTPS POST to the broker, for registration: a
 * short-lived libwebsockets context, one client connection, wait for the
 * whole answer or a failure. Trusts only the given CA (agent_tls.h), speaks
 * HTTP/1.1, caps the answer at REGISTER_ANSWER_MAX bytes, and gives up after
 * a deadline. Knows nothing of what is posted.
 */
#ifndef POSTERN_REGISTER_HTTP_H
#define POSTERN_REGISTER_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "agent_url.h"

enum register_http_status {
	REGISTER_HTTP_OK = 0,           /* an answer arrived (any HTTP status) */
	REGISTER_HTTP_UNREACHABLE = -1, /* no TCP connection, or no answer in time */
	REGISTER_HTTP_TLS = -2,         /* the TLS handshake failed */
	REGISTER_HTTP_FAILED = -3,      /* anything else: setup, truncated answer, ... */
};

struct register_http_answer {
	int status;   /* HTTP status */
	char *body;   /* malloc'd, NUL-terminated; caller frees */
	size_t len;
};

/*
 * POST body (content type application/json) to url's prefix + path. With
 * verbose, libwebsockets' own error lines go to stderr. Returns a status
 * above; on REGISTER_HTTP_OK *answer is filled, else err holds a sentence.
 */
int register_http_post(const struct agent_url *url, const char *ca_file, const char *path,
		       const char *body, unsigned timeout_s, bool verbose,
		       struct register_http_answer *answer, char *err, size_t errlen);

#endif
