/*
 * api.h — the broker's HTTP API in the AWS JSON 1.1 style (cli-and-api.md §4),
 * independent of the transport: server_http.c turns an HTTP request into a
 * `struct api_request`, api_handle() authenticates and dispatches it by
 * X-Amz-Target to one handler per action (api_*.c), and the handler fills a
 * `struct api_response` that server_http.c writes back.
 *
 * Errors use AWS's shape: HTTP 400/500 with {"__type":"Name","message":"text"}.
 */
#ifndef POSTERN_BROKER_API_H
#define POSTERN_BROKER_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define API_BODY_MAX (64u * 1024u)
#define API_HEADER_MAX 2048u /* longest header value the API reads */

struct broker;

struct api_request {
	const char *method;     /* "POST" */
	const char *path;       /* "/" for the API */
	const char *query;      /* "" when none */
	const uint8_t *body;
	size_t body_len;
	const char *peer;       /* remote address, for logs */
	/* Copy header `name` (lower-case) into buf; length, or -1 if absent or too long. */
	int (*header)(void *ctx, const char *name, char *buf, size_t buflen);
	void *header_ctx;
	time_t now;
};

struct api_response {
	int status;             /* HTTP status */
	char *body;             /* malloc'd JSON text, owned by the response */
	size_t body_len;
	char request_id[37];    /* x-amzn-RequestId */
};

/* The authenticated caller of a request. */
struct api_caller {
	char access_key_id[64];
	char user[128];
	bool admin;
};

/* Handle one request; always fills resp (an AWS-shaped error on failure). */
void api_handle(struct broker *b, const struct api_request *req, struct api_response *resp);

void api_response_free(struct api_response *resp);

/* Fill resp with an AWS-shaped error. */
void api_error(struct api_response *resp, int status, const char *type, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Fill resp with 200 and the JSON text (takes ownership of json; NULL = OOM error). */
void api_ok(struct api_response *resp, char *json);

#endif
