/*
 * server.c — the broker's libwebsockets context, TLS vhost and the protocol
 * callback that routes each callback reason to its handler.
 */
#include "agents.h"
#include "broker.h"
#include "server.h"
#include "sessions.h"

#include <libwebsockets.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* Per-connection storage: one of the connection kinds the port serves. */
struct conn {
	enum { CONN_NONE, CONN_HTTP, CONN_CONTROL, CONN_DATA } kind;
	struct http_conn *http;   /* CONN_HTTP: heap, freed on close */
	struct agent_conn *agent; /* CONN_CONTROL: owned by agents.c */
	struct data_conn *data;   /* CONN_DATA: owned by relay.c */
};

struct broker *server_broker(struct lws *wsi)
{
	return lws_context_user(lws_get_context(wsi));
}

static struct http_conn *http_of(struct conn *c)
{
	if (c->kind != CONN_HTTP) {
		c->http = calloc(1, http_conn_size());
		if (!c->http)
			return NULL;
		c->kind = CONN_HTTP;
	}
	return c->http;
}

static void conn_release(struct conn *c)
{
	if (c->kind == CONN_HTTP && c->http) {
		http_on_close(c->http);
		free(c->http);
	}
	c->http = NULL;
	c->kind = CONN_NONE;
}

/* The path of a websocket upgrade request, or "" */
static void ws_path(struct lws *wsi, char *out, size_t len)
{
	if (lws_hdr_copy(wsi, out, (int)len, WSI_TOKEN_GET_URI) < 0)
		out[0] = '\0';
}

static int ws_filter(struct lws *wsi)
{
	struct broker *b = server_broker(wsi);
	char path[256], peer[64];

	ws_path(wsi, path, sizeof(path));
	if (strcmp(path, AGENTS_CONTROL_PATH) == 0)
		return agents_admit(b, wsi);
	if (sessions_admit(b, path) == 0)
		return 0;
	lws_get_peer_simple(wsi, peer, sizeof(peer));
	broker_log(b, 2, "ws %s: refused upgrade to '%s'", peer, path);
	return -1;
}

static int ws_established(struct lws *wsi, struct conn *c)
{
	struct broker *b = server_broker(wsi);
	char path[256];

	ws_path(wsi, path, sizeof(path));
	if (strcmp(path, AGENTS_CONTROL_PATH) == 0) {
		c->kind = CONN_CONTROL;
		return agents_on_established(b, wsi, &c->agent);
	}
	c->kind = CONN_DATA;
	return sessions_on_established(b, wsi, &c->data);
}

static int ws_receive(struct lws *wsi, struct conn *c, const void *in, size_t len)
{
	struct broker *b = server_broker(wsi);
	bool final = lws_is_final_fragment(wsi);

	if (c->kind == CONN_CONTROL)
		return agents_on_receive(b, c->agent, in, len, final);
	if (c->kind == CONN_DATA)
		return sessions_on_receive(b, c->data, in, len, final, lws_frame_is_binary(wsi));
	return -1;
}

static int ws_closed(struct lws *wsi, struct conn *c)
{
	if (c->kind == CONN_CONTROL)
		agents_on_closed(server_broker(wsi), c->agent);
	if (c->kind == CONN_DATA)
		sessions_on_closed(server_broker(wsi), c->data);
	c->agent = NULL;
	c->data = NULL;
	c->kind = CONN_NONE;
	return 0;
}

static int callback_postern(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			    void *in, size_t len)
{
	struct conn *c = user;
	struct http_conn *h;

	switch (reason) {
	case LWS_CALLBACK_HTTP:
		h = http_of(c);
		return h ? http_on_request(wsi, h, in) : -1;
	case LWS_CALLBACK_HTTP_BODY:
		return c->kind == CONN_HTTP ? http_on_body(wsi, c->http, in, len) : -1;
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		return c->kind == CONN_HTTP ? http_on_body_complete(wsi, c->http) : -1;
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return c && c->kind == CONN_HTTP ? http_on_writeable(wsi, c->http) : 0;
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		return ws_filter(wsi);
	case LWS_CALLBACK_ESTABLISHED:
		return ws_established(wsi, c);
	case LWS_CALLBACK_RECEIVE:
		return ws_receive(wsi, c, in, len);
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (c->kind == CONN_DATA)
			return sessions_on_writeable(server_broker(wsi), c->data);
		return c->kind == CONN_CONTROL ? agents_on_writeable(server_broker(wsi), c->agent)
					       : 0;
	case LWS_CALLBACK_TIMER:
		if (c->kind == CONN_DATA)
			return sessions_on_timer(server_broker(wsi), c->data);
		return c->kind == CONN_CONTROL ? agents_on_timer(server_broker(wsi), c->agent) : 0;
	case LWS_CALLBACK_CLOSED:
		return ws_closed(wsi, c);
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
	case LWS_CALLBACK_CLOSED_HTTP:
		if (c)
			conn_release(c);
		return 0;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

static const struct lws_protocols protocols[] = {
	{"postern", callback_postern, sizeof(struct conn), 0, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0},
};

static void lws_log_bridge(int level, const char *line)
{
	/* lws's own lines are noise at our notice level; keep its errors */
	if (level & LLL_ERR)
		fprintf(stderr, "lws: %s", line);
}

static void server_sweep(lws_sorted_usec_list_t *sul)
{
	struct broker *b = lws_container_of(sul, struct broker, sweep);

	sessions_sweep(b, time(NULL));
	lws_sul_schedule(b->lws, 0, &b->sweep, server_sweep, LWS_US_PER_SEC);
}

int server_start(struct broker *b, char *err, size_t errlen)
{
	struct lws_context_creation_info info;
	char host[CONFIG_TEXT_MAX], cert[CONFIG_TEXT_MAX + 32], key[CONFIG_TEXT_MAX + 32],
		ca[CONFIG_TEXT_MAX + 32];
	int port;

	if (config_listen_parts(&b->cfg, host, sizeof(host), &port, err, errlen) != 0)
		return -1;
	snprintf(cert, sizeof(cert), "%s/server.pem", b->cfg.data_dir);
	snprintf(key, sizeof(key), "%s/server-key.pem", b->cfg.data_dir);
	snprintf(ca, sizeof(ca), "%s/ca.pem", b->cfg.data_dir);
	lws_set_log_level(LLL_ERR, lws_log_bridge);

	memset(&info, 0, sizeof(info));
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT |
		       LWS_SERVER_OPTION_REQUIRE_VALID_OPENSSL_CLIENT_CERT |
		       LWS_SERVER_OPTION_PEER_CERT_NOT_REQUIRED;
	if (!strchr(host, ':'))
		info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
	info.port = port;
	info.iface = host;
	info.protocols = protocols;
	info.user = b;
	info.ssl_cert_filepath = cert;
	info.ssl_private_key_filepath = key;
	info.ssl_ca_filepath = ca;
	info.alpn = "http/1.1";
	info.timeout_secs = 30;
	info.max_http_header_data = 8192;
	b->lws = lws_create_context(&info);
	if (!b->lws) {
		snprintf(err, errlen, "cannot serve on %s (address in use, or bad certificate in %s)",
			 b->cfg.listen, b->cfg.data_dir);
		return -1;
	}
	b->vhost = lws_get_vhost_by_name(b->lws, "default");
	server_sweep(&b->sweep);
	return 0;
}

void server_run(struct broker *b)
{
	while (!b->stop)
		if (lws_service(b->lws, 0) < 0)
			break;
}

void server_wake(struct broker *b)
{
	if (b->lws)
		lws_cancel_service(b->lws);
}

void server_stop(struct broker *b)
{
	if (b->lws)
		lws_context_destroy(b->lws);
	b->lws = NULL;
	agents_release_all(b);
	sessions_release_all(b);
}
