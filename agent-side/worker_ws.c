/*
 * worker_ws.c — the session's data-channel websocket (see worker_impl.h): a
 * raw TCP connection in the loop carrying proto/ws_link (TLS with the state
 * directory's CA, then the websocket); whole messages in, queued output
 * written in one lws_write per WRITEABLE, the close handshake, keepalive.
 * What the messages mean is worker_session.c's business; one handler per
 * callback reason.
 */
#include "worker_impl.h"
#include "agent_log.h"
#include "proto_err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Output handed to one lws_write at most (what the socket refuses, lws
 * copies aside, so larger chunks cost copies). */
#define WORKER_WS_WRITE_MAX (256u * 1024u)
/* Ciphertext waiting for the socket beyond which no more is encrypted. */
#define WORKER_WS_TLS_OUT_MAX (512u * 1024u)
#define WORKER_WS_CLOSE_NORMAL 1000u

static struct worker *worker_ws_of(struct lws *wsi)
{
	return lws_context_user(lws_get_context(wsi));
}

static void worker_ws_want_write(struct worker *w)
{
	const uint8_t *p;

	if (w->ws && w->ws_connected && ws_link_output(w->link, &p))
		lws_callback_on_writable(w->ws);
}

/* ws_client ops */
static void worker_ws_opened(void *ctx)
{
	struct worker *w = ctx;

	w->ws_open = true;
	worker_session_open(w);
}

static void worker_ws_message(void *ctx, bool text, uint8_t *data, size_t len)
{
	(void)text; /* treated alike (data-channel.md §1.3) */
	worker_session_input(ctx, data, len);
}

static void worker_ws_peer_closed(void *ctx, const struct ws_close *close)
{
	struct worker *w = ctx;

	if (w->close_reason[0])
		return;
	snprintf(w->close_reason, sizeof(w->close_reason), "the broker closed it (%u%s%.*s)",
		 close->has_code ? close->code : 1005u, close->reason_len ? ": " : "",
		 (int)close->reason_len, (const char *)close->reason);
}

static void worker_ws_random(void *ctx, uint8_t *buf, size_t len)
{
	worker_random(ctx, buf, len);
}

int worker_ws_connect(struct worker *w)
{
	static const struct ws_client_ops ops = {worker_ws_opened, worker_ws_message,
						 worker_ws_peer_closed, worker_ws_random};
	struct ws_link_config cfg = {
		.ws = {.host = w->url.host_header,
		       .path = w->url.path,
		       .origin = w->url.host_header,
		       .max_message = WORKER_MAX_FRAME,
		       .out_max = WORKER_OUTQ_MAX,
		       .ping_after_ms = WORKER_PING_S * 1000u,
		       .hangup_after_ms = WORKER_HANGUP_S * 1000u,
		       .open_timeout_ms = WORKER_CONNECT_TIMEOUT_S * 1000u},
		.use_tls = true,
		/* the context checks the broker's name (agent_tls_context) */
		.tls = {.ssl_ctx = w->ssl, .server = w->url.server.host,
			.out_max = WORKER_WS_TLS_OUT_MAX},
	};
	struct lws_client_connect_info i;

	if (ws_link_new(&cfg, &ops, w, worker_now_ms(), &w->link) != PROTO_OK)
		return -1;
	memset(&i, 0, sizeof(i));
	i.context = w->lws;
	i.address = w->url.server.host;
	i.port = w->url.server.port;
	i.method = "RAW"; /* TLS is the link's: lws 4.1 cannot do it on a raw client */
	i.local_protocol_name = WORKER_PROTOCOL_WS;
	i.pwsi = &w->ws;
	if (!lws_client_connect_via_info(&i)) {
		w->ws = NULL;
		return -1;
	}
	return 0;
}

int worker_ws_queue(struct worker *w, const uint8_t *data, size_t len, bool text)
{
	if (!w->ws_open || w->ws_close_wanted ||
	    ws_client_send(ws_link_ws(w->link), text ? WS_OP_TEXT : WS_OP_BINARY, data, len) !=
		    PROTO_OK)
		return -1; /* counts as lost: the reliable stream resends */
	worker_ws_want_write(w);
	return 0;
}

size_t worker_ws_backlog(const struct worker *w)
{
	return w->link ? ws_link_pending(w->link) : 0;
}

void worker_ws_close(struct worker *w, bool flush)
{
	if (w->ws_close_wanted || !w->ws)
		return;
	w->ws_close_wanted = true;
	w->close_deadline_ms = worker_now_ms() + WORKER_CLOSE_GRACE_MS;
	if (flush && w->ws_open &&
	    ws_client_close(ws_link_ws(w->link), WORKER_WS_CLOSE_NORMAL, NULL) == PROTO_OK)
		worker_ws_want_write(w);
	else /* still connecting, or nothing more to say: just drop it */
		lws_set_timeout(w->ws, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
}

void worker_ws_tick(struct worker *w)
{
	if (!w->ws || !w->ws_connected)
		return;
	if (ws_client_tick(ws_link_ws(w->link), worker_now_ms()) == PROTO_E_WS_TIMEOUT) {
		if (!w->ws_open)
			snprintf(w->close_reason, sizeof(w->close_reason),
				 "the broker did not open the websocket within %u s",
				 WORKER_CONNECT_TIMEOUT_S);
		else
			snprintf(w->close_reason, sizeof(w->close_reason),
				 "the broker sent nothing for %u s, not even a pong",
				 WORKER_HANGUP_S);
		lws_set_timeout(w->ws, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
		return;
	}
	worker_ws_want_write(w); /* a keepalive ping, maybe */
}

static int worker_ws_on_connection_error(struct worker *w, struct lws *wsi, const char *in)
{
	char why[768];

	if (wsi != w->ws || w->destroying)
		return 0;
	w->ws = NULL;
	agent_tls_explain(&w->diag, &w->url.server, in, w->st.paths.ca, why, sizeof(why));
	worker_session_lost(w, why);
	return 0;
}

/* Why the link failed, in words, into close_reason. */
static void worker_ws_explain(struct worker *w, int rc)
{
	struct tls_pipe *tls = ws_link_tls(w->link);
	int status = ws_client_http_status(ws_link_ws(w->link));

	if (rc == PROTO_E_TLS || rc == PROTO_E_TLS_VERIFY) {
		if (rc == PROTO_E_TLS_VERIFY && w->diag.verify_error == X509_V_OK)
			w->diag.verify_error = (int)tls_pipe_verify_result(tls);
		agent_tls_explain(&w->diag, &w->url.server, tls_pipe_error_text(tls),
				  w->st.paths.ca, w->close_reason, sizeof(w->close_reason));
	} else if (rc == PROTO_E_WS_HANDSHAKE && status && status != 101) {
		snprintf(w->close_reason, sizeof(w->close_reason),
			 "the broker refused the websocket with HTTP %d", status);
	} else {
		snprintf(w->close_reason, sizeof(w->close_reason), "the data channel broke: %s",
			 proto_err_str(rc));
	}
}

static int worker_ws_on_receive(struct worker *w, struct lws *wsi, uint8_t *in, size_t len)
{
	int rc;

	if (wsi != w->ws)
		return -1;
	rc = ws_link_input(w->link, in, len, worker_now_ms());
	if (rc != PROTO_OK) {
		worker_ws_explain(w, rc);
		return -1;
	}
	worker_ws_want_write(w);
	return 0;
}

static int worker_ws_on_writeable(struct worker *w, struct lws *wsi)
{
	const uint8_t *p;
	size_t n = ws_link_output(w->link, &p);

	if (n) {
		if (n > WORKER_WS_WRITE_MAX)
			n = WORKER_WS_WRITE_MAX;
		/* lws takes it all: what the socket refuses now it keeps and sends first */
		if (lws_write(wsi, (unsigned char *)p, n, LWS_WRITE_RAW) < 0) {
			snprintf(w->close_reason, sizeof(w->close_reason),
				 "writing to the broker failed");
			return -1;
		}
		ws_link_output_done(w->link, n);
		worker_ws_want_write(w);
	}
	if (ws_client_state(ws_link_ws(w->link)) == WS_CLIENT_CLOSED && !ws_link_output(w->link, &p))
		return -1; /* both Close frames passed */
	worker_session_flow(w); /* the output shrank: sources may be read again */
	return 0;
}

static int worker_ws_on_closed(struct worker *w, struct lws *wsi)
{
	if (wsi != w->ws || w->destroying)
		return 0;
	w->ws = NULL;
	w->ws_open = false;
	w->ws_connected = false;
	worker_session_lost(w, w->close_reason[0]
				       ? w->close_reason
				       : "the connection closed (network or broker went away)");
	return 0;
}

int worker_ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
		       void *in, size_t len)
{
	struct worker *w = worker_ws_of(wsi);

	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		return worker_ws_on_connection_error(w, wsi, in);
	case LWS_CALLBACK_RAW_CONNECTED:
		if (wsi != w->ws)
			return -1;
		w->ws_connected = true;
		worker_ws_want_write(w); /* the ClientHello */
		return 0;
	case LWS_CALLBACK_RAW_RX:
		return worker_ws_on_receive(w, wsi, in, len);
	case LWS_CALLBACK_RAW_WRITEABLE:
		return worker_ws_on_writeable(w, wsi);
	case LWS_CALLBACK_RAW_CLOSE:
		return worker_ws_on_closed(w, wsi);
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		if (!w->destroying)
			worker_signals_poll(w);
		return 0;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}
