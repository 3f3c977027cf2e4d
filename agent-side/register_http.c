/*
 * register_http.c — the one-shot HTTPS POST of registration (see
 * register_http.h), after libwebsockets' minimal-http-client-post.
 */
#include "register_http.h"
#include "agent_log.h"
#include "agent_net.h"
#include "agent_tls.h"
#include "register_json.h"

#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>

/* Everything one POST needs; the lws context's user pointer. */
struct post {
	const char *body;
	size_t body_len;
	bool body_sent;
	bool done;
	int result;         /* enum register_http_status */
	int http_status;
	char *rx;
	size_t rx_len;
	bool rx_too_large;
	char reason[512];   /* why it failed */
	struct agent_tls_diag diag;
	const struct agent_url *url;
	const char *ca_file;
	lws_sorted_usec_list_t deadline;
	unsigned timeout_s;
};

static struct post *post_of(struct lws *wsi)
{
	return lws_context_user(lws_get_context(wsi));
}

static void finish(struct post *p, int result, const char *reason)
{
	if (p->done)
		return;
	p->done = true;
	p->result = result;
	if (reason)
		snprintf(p->reason, sizeof(p->reason), "%s", reason);
}

static void on_deadline(lws_sorted_usec_list_t *sul)
{
	struct post *p = lws_container_of(sul, struct post, deadline);
	char why[64];

	snprintf(why, sizeof(why), "no answer within %u s", p->timeout_s);
	finish(p, REGISTER_HTTP_UNREACHABLE, why);
}

/* A connection error: the network, TLS, or the broker hanging up. */
static void on_connection_error(struct post *p, const char *in)
{
	char why[512];

	switch (agent_tls_explain(&p->diag, p->url, in, p->ca_file, why, sizeof(why))) {
	case AGENT_TLS_NO_CONNECTION:
		finish(p, REGISTER_HTTP_UNREACHABLE, why);
		break;
	case AGENT_TLS_FAILED:
		finish(p, REGISTER_HTTP_TLS, why);
		break;
	default:
		snprintf(why, sizeof(why), "the broker closed the connection without an answer "
			 "(%s)", in ? in : "no detail");
		finish(p, REGISTER_HTTP_FAILED, why);
	}
}

static int add_headers(struct lws *wsi, struct post *p, unsigned char **pos, size_t room)
{
	unsigned char *end = *pos + room - 1;
	static const char type[] = "application/json";

	if (lws_add_http_header_by_token(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE,
					 (const unsigned char *)type, (int)strlen(type), pos, end) ||
	    lws_add_http_header_content_length(wsi, p->body_len, pos, end))
		return -1;
	lws_client_http_body_pending(wsi, 1);
	lws_callback_on_writable(wsi);
	return 0;
}

static int write_body(struct lws *wsi, struct post *p)
{
	unsigned char *buf;
	int n;

	if (p->body_sent)
		return 0;
	buf = malloc(LWS_PRE + p->body_len);
	if (!buf)
		return -1;
	memcpy(buf + LWS_PRE, p->body, p->body_len);
	n = lws_write(wsi, buf + LWS_PRE, p->body_len, LWS_WRITE_HTTP_FINAL);
	free(buf);
	p->body_sent = true;
	lws_client_http_body_pending(wsi, 0);
	return n < 0 || (size_t)n != p->body_len ? -1 : 0;
}

static int append_answer(struct post *p, const void *in, size_t len)
{
	char *grown;

	if (p->rx_too_large || p->rx_len + len > REGISTER_ANSWER_MAX) {
		p->rx_too_large = true;
		return 0;
	}
	grown = realloc(p->rx, p->rx_len + len + 1);
	if (!grown)
		return -1;
	p->rx = grown;
	memcpy(p->rx + p->rx_len, in, len);
	p->rx_len += len;
	p->rx[p->rx_len] = '\0';
	return 0;
}

static int drain(struct lws *wsi)
{
	char buf[LWS_PRE + 4096], *px = buf + LWS_PRE;
	int n = (int)sizeof(buf) - LWS_PRE;

	return lws_http_client_read(wsi, &px, &n) < 0 ? -1 : 0;
}

static int callback_register(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			     void *in, size_t len)
{
	struct post *p;

	switch (reason) {
	case LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION:
		return agent_tls_note_verify(&post_of(wsi)->diag, user, (int)len);
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		on_connection_error(post_of(wsi), in);
		return 0;
	case LWS_CALLBACK_CLIENT_APPEND_HANDSHAKE_HEADER:
		return add_headers(wsi, post_of(wsi), in, len);
	case LWS_CALLBACK_CLIENT_HTTP_WRITEABLE:
		return write_body(wsi, post_of(wsi));
	case LWS_CALLBACK_ESTABLISHED_CLIENT_HTTP:
		p = post_of(wsi);
		p->http_status = (int)lws_http_client_http_response(wsi);
		return 0;
	case LWS_CALLBACK_RECEIVE_CLIENT_HTTP_READ:
		return append_answer(post_of(wsi), in, len);
	case LWS_CALLBACK_RECEIVE_CLIENT_HTTP:
		return drain(wsi);
	case LWS_CALLBACK_COMPLETED_CLIENT_HTTP:
		p = post_of(wsi);
		if (p->rx_too_large)
			finish(p, REGISTER_HTTP_FAILED, "the broker's answer is too large");
		else
			finish(p, REGISTER_HTTP_OK, NULL);
		return 0;
	case LWS_CALLBACK_CLOSED_CLIENT_HTTP:
		finish(post_of(wsi), REGISTER_HTTP_FAILED,
		       "the broker closed the connection before its answer was complete");
		return 0;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

static const struct lws_protocols register_protocols[] = {
	{"postern-register", callback_register, 0, 0, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0},
};

static void lws_log_line(int level, const char *line)
{
	(void)level;
	agent_log(AGENT_LOG_INFO, "lws: %.*s", (int)strcspn(line, "\n"), line);
}

static int run_post(struct post *p, struct lws_context *ctx, const struct agent_url *url,
		    const char *path)
{
	struct lws_client_connect_info i;
	char host[AGENT_URL_HOST_MAX + 8];
	struct lws *wsi = NULL;

	memset(&i, 0, sizeof(i));
	if (agent_url_authority(url, host, sizeof(host)) != 0) {
		finish(p, REGISTER_HTTP_FAILED, "the broker's host name is too long");
		return p->result;
	}
	i.context = ctx;
	i.address = url->host;
	i.port = url->port;
	i.path = path;
	i.host = host; /* the Host header; lws takes the TLS name from it, up to a ':' */
	i.method = "POST";
	i.alpn = "http/1.1";
	i.ssl_connection = LCCSCF_USE_SSL;
	if (url->host_is_ipv6) /* lws cannot name an IPv6 host; the context checks it */
		i.ssl_connection |= LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK;
	i.protocol = register_protocols[0].name;
	i.pwsi = &wsi;
	if (!lws_client_connect_via_info(&i) && !p->done) {
		char why[512];

		agent_net_explain_start_failure(url, why, sizeof(why));
		finish(p, REGISTER_HTTP_UNREACHABLE, why);
	}
	lws_sul_schedule(ctx, 0, &p->deadline, on_deadline,
			 (lws_usec_t)p->timeout_s * LWS_US_PER_SEC);
	while (!p->done)
		if (lws_service(ctx, 0) < 0)
			finish(p, REGISTER_HTTP_FAILED, "the event loop failed");
	lws_sul_cancel(&p->deadline);
	return p->result;
}

int register_http_post(const struct agent_url *url, const char *ca_file, const char *path,
		       const char *body, unsigned timeout_s, bool verbose,
		       struct register_http_answer *answer, char *err, size_t errlen)
{
	struct lws_context_creation_info info;
	struct lws_context *ctx;
	struct post p;
	char full_path[AGENT_URL_MAX + 64];
	SSL_CTX *ssl;
	int rc;

	memset(answer, 0, sizeof(*answer));
	memset(&p, 0, sizeof(p));
	p.body = body;
	p.body_len = strlen(body);
	p.timeout_s = timeout_s;
	p.url = url;
	p.ca_file = ca_file;
	if (agent_url_path(url, path, full_path, sizeof(full_path)) != 0) {
		snprintf(err, errlen, "the broker URL is too long");
		return REGISTER_HTTP_FAILED;
	}
	ssl = agent_tls_context(url, ca_file, NULL, NULL, &p.diag, err, errlen);
	if (!ssl)
		return REGISTER_HTTP_TLS;
	lws_set_log_level(verbose ? LLL_ERR | LLL_WARN : 0, lws_log_line);
	memset(&info, 0, sizeof(info));
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT |
		       LWS_SERVER_OPTION_DISABLE_OS_CA_CERTS;
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = register_protocols;
	info.provided_client_ssl_ctx = ssl;
	info.user = &p;
	info.fd_limit_per_thread = 8;
	info.timeout_secs = timeout_s;
	info.connect_timeout_secs = timeout_s;
	ctx = lws_create_context(&info);
	if (!ctx) {
		SSL_CTX_free(ssl);
		snprintf(err, errlen, "cannot start libwebsockets");
		return REGISTER_HTTP_FAILED;
	}
	rc = run_post(&p, ctx, url, full_path);
	lws_context_destroy(ctx);
	SSL_CTX_free(ssl);
	if (rc == REGISTER_HTTP_OK) {
		answer->status = p.http_status;
		answer->body = p.rx ? p.rx : strdup("");
		answer->len = p.rx_len;
		if (!answer->body) {
			snprintf(err, errlen, "out of memory");
			return REGISTER_HTTP_FAILED;
		}
		return REGISTER_HTTP_OK;
	}
	free(p.rx);
	snprintf(err, errlen, "%s", p.reason);
	return rc;
}
