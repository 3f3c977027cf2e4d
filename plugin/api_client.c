/*
 * api_client.c — a signed AWS JSON 1.1 POST over an lws HTTPS client
 * connection (see api_client.h). One call at a time; its state lives on the
 * caller's stack, so every way out detaches it from the connection first.
 */
#include "api_client.h"
#include "client_err.h"
#include "credentials.h"
#include "loop.h"
#include "sigv4.h"
#include "url.h"
#include "uuid.h"

#include <openssl/rand.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CONTENT_TYPE "application/x-amz-json-1.1"
/*
 * A random value signed with every request: two identical calls in the same
 * second (two `start-session` runs on one target) would otherwise carry the
 * same signature, and the broker refuses the second as a replay. AWS ignores
 * headers it does not know; SigV4 signs every x-amz-* header.
 */
#define NONCE_HEADER "x-amz-postern-nonce"
#define USER_AGENT "postern/" POSTERN_VERSION
#define CALL_DEADLINE_S 60
#define TARGET_MAX 128

struct api_call {
	const struct credentials *cred;
	struct url url;
	char target[TARGET_MAX];
	char amz_date[SIGV4_AMZ_DATE_LEN + 1];
	char authz[SIGV4_AUTH_MAX + 1];
	char content_length[24];
	char nonce[UUID_STR_LEN + 1];
	uint8_t *body; /* LWS_PRE bytes of headroom, then body_len bytes */
	size_t body_len;
	bool body_sent;

	struct lws *wsi;
	lws_sorted_usec_list_t deadline;
	int status;
	uint8_t *resp;
	size_t resp_len;

	bool done;
	int rc;
	char *err;
	size_t errlen;
};

/* Record the outcome; the first one wins. True if this call decided it (the
 * caller then writes the message). */
static bool finish(struct api_call *call, int rc)
{
	if (call->done)
		return false;
	call->done = true;
	call->rc = rc;
	return true;
}

static void on_deadline(lws_sorted_usec_list_t *sul)
{
	struct api_call *call = lws_container_of(sul, struct api_call, deadline);

	if (finish(call, CLIENT_E_NET))
		client_errf(call->err, call->errlen, CLIENT_E_NET, "no answer from %s within %d s",
			    call->cred->endpoint_url, CALL_DEADLINE_S);
}

/* ---- the request ------------------------------------------------------------ */

static int sign(struct api_call *call)
{
	const struct credentials *c = call->cred;
	char path[URL_PATH_MAX + 1], *query;
	const struct sigv4_header headers[] = {
		{"host", call->url.host_header},
		{"content-type", CONTENT_TYPE},
		{"x-amz-target", call->target},
		{NONCE_HEADER, call->nonce},
	};
	struct sigv4_credentials keys = {c->access_key_id, c->secret_access_key,
					 c->session_token};
	struct sigv4_request req = {
		.method = "POST", .path = path, .headers = headers,
		.n_headers = sizeof(headers) / sizeof(headers[0]),
		.body = call->body + LWS_PRE, .body_len = call->body_len,
	};

	snprintf(path, sizeof(path), "%s", call->url.path);
	query = strchr(path, '?');
	if (query)
		*query++ = '\0';
	req.query = query;
	if (sigv4_sign(&req, &keys, c->region, API_CLIENT_SERVICE, time(NULL), call->amz_date,
		       call->authz, sizeof(call->authz)) != 0)
		return client_errf(call->err, call->errlen, CLIENT_E_CONFIG,
				   "cannot sign the request (is the access key id or region "
				   "malformed?)");
	return CLIENT_OK;
}

static void new_nonce(char out[UUID_STR_LEN + 1])
{
	uint8_t r[UUID_LEN];
	struct uuid id;

	if (RAND_bytes(r, sizeof(r)) != 1) /* unlikely; the time still varies */
		memset(r, 0, sizeof(r));
	id = uuid_v4_from_bytes(r);
	uuid_format(&id, out);
}

static int prepare(struct api_call *call, const char *action, const json_t *body)
{
	char *text = json_dumps(body, JSON_COMPACT);
	int rc;

	if (!text)
		return client_errf(call->err, call->errlen, CLIENT_E_NOMEM, "out of memory");
	call->body_len = strlen(text);
	call->body = malloc(LWS_PRE + call->body_len + 1);
	if (call->body)
		memcpy(call->body + LWS_PRE, text, call->body_len + 1);
	free(text);
	if (!call->body)
		return client_errf(call->err, call->errlen, CLIENT_E_NOMEM, "out of memory");
	snprintf(call->content_length, sizeof(call->content_length), "%zu", call->body_len);
	new_nonce(call->nonce);
	if ((size_t)snprintf(call->target, sizeof(call->target), "%s%s", API_CLIENT_TARGET_PREFIX,
			     action) >= sizeof(call->target))
		return client_errf(call->err, call->errlen, CLIENT_E_CONFIG, "action name too long");
	rc = url_parse(call->cred->endpoint_url, &call->url, call->err, call->errlen);
	if (rc == CLIENT_OK && call->url.websocket)
		rc = client_errf(call->err, call->errlen, CLIENT_E_CONFIG,
				 "the endpoint must be an http(s):// URL");
	return rc == CLIENT_OK ? sign(call) : rc;
}

static int add_header(struct lws *wsi, const char *name, const char *value, unsigned char **p,
		      unsigned char *end)
{
	return lws_add_http_header_by_name(wsi, (const unsigned char *)name,
					   (const unsigned char *)value, (int)strlen(value), p, end);
}

static int append_headers(struct api_call *call, struct lws *wsi, void *in, size_t len)
{
	unsigned char **p = in, *end = *p + len;
	const char *token = call->cred->session_token;

	if (add_header(wsi, "content-type:", CONTENT_TYPE, p, end) ||
	    add_header(wsi, "x-amz-target:", call->target, p, end) ||
	    add_header(wsi, NONCE_HEADER ":", call->nonce, p, end) ||
	    add_header(wsi, "x-amz-date:", call->amz_date, p, end) ||
	    add_header(wsi, "authorization:", call->authz, p, end) ||
	    (token && add_header(wsi, "x-amz-security-token:", token, p, end)) ||
	    add_header(wsi, "content-length:", call->content_length, p, end) ||
	    add_header(wsi, "user-agent:", USER_AGENT, p, end))
		return -1;
	lws_client_http_body_pending(wsi, 1);
	lws_callback_on_writable(wsi);
	return 0;
}

static int send_body(struct api_call *call, struct lws *wsi)
{
	if (call->body_sent)
		return 0;
	call->body_sent = true;
	lws_client_http_body_pending(wsi, 0);
	if (lws_write(wsi, call->body + LWS_PRE, call->body_len, LWS_WRITE_HTTP_FINAL) !=
	    (int)call->body_len)
		return -1;
	return 0;
}

/* ---- the answer ------------------------------------------------------------- */

static int keep_answer(struct api_call *call, const void *in, size_t len)
{
	uint8_t *p;

	if (call->resp_len + len > API_CLIENT_RESPONSE_MAX) {
		if (finish(call, CLIENT_E_PROTOCOL))
			client_errf(call->err, call->errlen, CLIENT_E_PROTOCOL,
				    "the answer from %s is too long", call->cred->endpoint_url);
		return -1;
	}
	p = realloc(call->resp, call->resp_len + len + 1);
	if (!p) {
		if (finish(call, CLIENT_E_NOMEM))
			client_errf(call->err, call->errlen, CLIENT_E_NOMEM, "out of memory");
		return -1;
	}
	memcpy(p + call->resp_len, in, len);
	call->resp = p;
	call->resp_len += len;
	return 0;
}

static int read_more(struct lws *wsi)
{
	char buf[LWS_PRE + 4096], *px = buf + LWS_PRE;
	int n = (int)(sizeof(buf) - LWS_PRE);

	return lws_http_client_read(wsi, &px, &n) < 0 ? -1 : 0;
}

/* The AWS error of a non-200 answer into err. */
static int aws_error(struct api_call *call, const json_t *root)
{
	const char *type = json_string_value(json_object_get(root, "__type"));
	const char *msg = json_string_value(json_object_get(root, "message"));
	const char *hash;

	if (!msg)
		msg = json_string_value(json_object_get(root, "Message"));
	if (!type)
		return client_errf(call->err, call->errlen, CLIENT_E_API, "HTTP %d from %s%s%s",
				   call->status, call->cred->endpoint_url, msg ? ": " : "",
				   msg ? msg : "");
	hash = strrchr(type, '#');
	return client_errf(call->err, call->errlen, CLIENT_E_API, "%s: %s", hash ? hash + 1 : type,
			   msg ? msg : "(no message)");
}

static int parse_answer(struct api_call *call, json_t **response)
{
	json_t *root = json_loadb((const char *)call->resp, call->resp_len, 0, NULL);
	int rc;

	if (call->status == 200 && json_is_object(root)) {
		*response = root;
		return CLIENT_OK;
	}
	if (call->status == 200)
		rc = client_errf(call->err, call->errlen, CLIENT_E_PROTOCOL,
				 "the answer from %s is not a JSON object", call->cred->endpoint_url);
	else
		rc = aws_error(call, json_is_object(root) ? root : NULL);
	json_decref(root);
	return rc;
}

/* ---- lws glue --------------------------------------------------------------- */

int api_client_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			    void *in, size_t len)
{
	struct api_call *call = lws_get_opaque_user_data(wsi);

	if (!call)
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		call->wsi = NULL;
		if (finish(call, CLIENT_E_NET))
			client_errf(call->err, call->errlen, CLIENT_E_NET, "cannot reach %s: %s%s",
				    call->cred->endpoint_url, in ? (const char *)in : "error",
				    in && strstr(in, "SSL") ? API_CLIENT_TLS_HINT : "");
		return 0;
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		return append_headers(call, wsi, in, len);
	case LWS_CALLBACK_CLIENT_HTTP_WRITEABLE:
		return send_body(call, wsi);
	case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
		call->status = (int)lws_http_client_http_response(wsi);
		return 0;
	case LWS_CALLBACK_RECEIVE_CLIENT_HTTP:
		return read_more(wsi);
	case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
		return keep_answer(call, in, len);
	case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
		finish(call, CLIENT_OK);
		return 0;
	case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
		call->wsi = NULL;
		if (call->status && call->resp_len)
			finish(call, CLIENT_OK); /* an answer ended by the close */
		if (finish(call, CLIENT_E_NET))
			client_errf(call->err, call->errlen, CLIENT_E_NET,
				    "%s closed the connection before answering",
				    call->cred->endpoint_url);
		return 0;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

int api_client_call(struct loop *l, const struct credentials *c, const char *action,
		    const json_t *body, json_t **response, char *err, size_t errlen)
{
	struct lws_client_connect_info i;
	struct api_call call;
	int rc;

	memset(&call, 0, sizeof(call));
	call.cred = c;
	call.err = err;
	call.errlen = errlen;
	if (credentials_require(c, err, errlen) != CLIENT_OK)
		return CLIENT_E_CONFIG;
	rc = prepare(&call, action, body);
	if (rc != CLIENT_OK)
		goto out;
	memset(&i, 0, sizeof(i));
	i.context = l->ctx;
	i.address = call.url.host;
	i.port = call.url.port;
	i.ssl_connection = call.url.tls ? LCCSCF_USE_SSL : 0;
	i.path = call.url.path;
	i.host = call.url.host_header;
	i.method = "POST";
	i.alpn = "http/1.1";
	i.local_protocol_name = LOOP_PROTOCOL_API;
	i.opaque_user_data = &call;
	i.pwsi = &call.wsi;
	lws_sul_schedule(l->ctx, 0, &call.deadline, on_deadline,
			 (lws_usec_t)CALL_DEADLINE_S * LWS_US_PER_SEC);
	if (!lws_client_connect_via_info(&i) && finish(&call, CLIENT_E_NET))
		client_errf(err, errlen, CLIENT_E_NET, "cannot connect to %s", c->endpoint_url);
	rc = loop_run_until(l, &call.done);
	lws_sul_cancel(&call.deadline);
	if (call.wsi) { /* still open (or late): forget it, let lws close it */
		lws_set_opaque_user_data(call.wsi, NULL);
		lws_set_timeout(call.wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
	}
	if (rc == CLIENT_OK)
		rc = call.rc;
	else
		client_errf(err, errlen, rc, "the event loop failed");
	if (rc == CLIENT_OK)
		rc = parse_answer(&call, response);
out:
	free(call.body);
	free(call.resp);
	return rc;
}
