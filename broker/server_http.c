/*
 * server_http.c — HTTP requests on the broker's port: collect a capped body,
 * hand the request to api_handle() (or the agent registration endpoint), and
 * write the JSON answer back. Knows lws, not the API's contents.
 */
#include "api.h"
#include "broker.h"
#include "server.h"

#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>

struct http_conn {
	char path[128];
	char peer[64];
	uint8_t *body;
	size_t body_len;
	bool too_large;
	bool responding;
	struct api_response resp;
};

size_t http_conn_size(void)
{
	return sizeof(struct http_conn);
}

/* Headers lws parses itself, by lower-case name; everything else is custom. */
static const struct {
	const char *name;
	enum lws_token_indexes token;
} known_headers[] = {
	{"host", WSI_TOKEN_HOST},
	{"content-type", WSI_TOKEN_HTTP_CONTENT_TYPE},
	{"content-length", WSI_TOKEN_HTTP_CONTENT_LENGTH},
	{"authorization", WSI_TOKEN_HTTP_AUTHORIZATION},
	{"user-agent", WSI_TOKEN_HTTP_USER_AGENT},
	{"accept", WSI_TOKEN_HTTP_ACCEPT},
	{"accept-encoding", WSI_TOKEN_HTTP_ACCEPT_ENCODING},
	{"connection", WSI_TOKEN_CONNECTION},
	{"expect", WSI_TOKEN_HTTP_EXPECT},
};

static int read_header(void *ctx, const char *name, char *buf, size_t buflen)
{
	struct lws *wsi = ctx;
	char custom[128];
	int n;

	for (size_t i = 0; i < sizeof(known_headers) / sizeof(known_headers[0]); i++) {
		if (strcmp(known_headers[i].name, name) != 0)
			continue;
		if (lws_hdr_total_length(wsi, known_headers[i].token) <= 0)
			return -1;
		n = lws_hdr_copy(wsi, buf, (int)buflen, known_headers[i].token);
		return n < 0 ? -1 : n;
	}
	n = snprintf(custom, sizeof(custom), "%s:", name);
	if (n < 0 || (size_t)n >= sizeof(custom))
		return -1;
	if (lws_hdr_custom_length(wsi, custom, n) < 0)
		return -1;
	n = lws_hdr_custom_copy(wsi, buf, (int)buflen, custom, n);
	return n < 0 ? -1 : n;
}

static int send_headers(struct lws *wsi, struct http_conn *c)
{
	uint8_t buf[LWS_PRE + 1024], *start = buf + LWS_PRE, *p = start,
		*end = buf + sizeof(buf) - 1;

	if (lws_add_http_common_headers(wsi, (unsigned int)c->resp.status,
					"application/x-amz-json-1.1", c->resp.body_len, &p, end) ||
	    lws_add_http_header_by_name(wsi, (const unsigned char *)"x-amzn-requestid:",
					(const unsigned char *)c->resp.request_id,
					(int)strlen(c->resp.request_id), &p, end) ||
	    lws_finalize_write_http_header(wsi, start, &p, end))
		return -1;
	c->responding = true;
	lws_callback_on_writable(wsi);
	return 0;
}

static int respond_error(struct lws *wsi, struct http_conn *c, int status, const char *type,
			 const char *message)
{
	api_error(&c->resp, status, type, "%s", message);
	return send_headers(wsi, c);
}

int http_on_request(struct lws *wsi, struct http_conn *c, const char *uri)
{
	struct broker *b = server_broker(wsi);

	memset(c, 0, sizeof(*c));
	lws_get_peer_simple(wsi, c->peer, sizeof(c->peer));
	if (strlen(uri) >= sizeof(c->path))
		return respond_error(wsi, c, 404, "UnknownOperationException", "no such path");
	strcpy(c->path, uri);
	if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) <= 0) {
		broker_log(b, 2, "http %s: %s is not a POST", c->peer, c->path);
		return respond_error(wsi, c, 405, "UnknownOperationException",
				     "the API takes POST requests only");
	}
	/* wait for the body (an empty body arrives as BODY_COMPLETION at once) */
	return 0;
}

int http_on_body(struct lws *wsi, struct http_conn *c, const void *in, size_t len)
{
	uint8_t *grown;

	(void)wsi;
	if (c->responding)
		return 0; /* already answered (e.g. 405): ignore the body */
	if (c->too_large || c->body_len + len > API_BODY_MAX) {
		c->too_large = true;
		return 0;
	}
	grown = realloc(c->body, c->body_len + len + 1);
	if (!grown) {
		c->too_large = true;
		return 0;
	}
	c->body = grown;
	memcpy(c->body + c->body_len, in, len);
	c->body_len += len;
	c->body[c->body_len] = '\0';
	return 0;
}

int http_on_body_complete(struct lws *wsi, struct http_conn *c)
{
	struct broker *b = server_broker(wsi);
	struct api_request req = {
		.method = "POST", .path = c->path, .query = "",
		.body = c->body ? c->body : (const uint8_t *)"", .body_len = c->body_len,
		.peer = c->peer, .header = read_header, .header_ctx = wsi,
		.now = time(NULL),
	};

	if (c->responding)
		return 0;
	if (c->too_large)
		return respond_error(wsi, c, 413, "ValidationException",
				     "request body over 64 KiB");
	api_handle(b, &req, &c->resp);
	return send_headers(wsi, c);
}

int http_on_writeable(struct lws *wsi, struct http_conn *c)
{
	size_t want = c->resp.body_len;
	uint8_t *buf;
	int n;

	if (!c->responding)
		return 0;
	buf = malloc(LWS_PRE + want);
	if (!buf)
		return -1;
	memcpy(buf + LWS_PRE, c->resp.body, want);
	n = lws_write(wsi, buf + LWS_PRE, want, LWS_WRITE_HTTP_FINAL);
	free(buf);
	c->responding = false;
	http_on_close(c);
	if (n < 0 || (size_t)n != want)
		return -1;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

void http_on_close(struct http_conn *c)
{
	free(c->body);
	c->body = NULL;
	c->body_len = 0;
	if (!c->responding)
		api_response_free(&c->resp);
}
