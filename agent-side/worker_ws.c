/*
 * worker_ws.c — the session's data-channel websocket (see worker_impl.h):
 * connecting with the state directory's CA, reassembling messages (capped),
 * writing one queued message per WRITEABLE callback, closing. What the
 * messages mean is worker_session.c's business; one handler per callback
 * reason.
 */
#include "worker_impl.h"
#include "agent_log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The official agent's keepalive: ping after 54 s without a pong, give up
 * 60 s later (data-channel.md §1.4). */
static const lws_retry_bo_t worker_ws_policy = {
	.secs_since_valid_ping = WORKER_PING_S,
	.secs_since_valid_hangup = WORKER_HANGUP_S,
};

static struct worker *worker_ws_of(struct lws *wsi)
{
	return lws_context_user(lws_get_context(wsi));
}

int worker_ws_connect(struct worker *w)
{
	struct lws_client_connect_info i;

	memset(&i, 0, sizeof(i));
	i.context = w->lws;
	i.address = w->url.server.host;
	i.port = w->url.server.port;
	i.path = w->url.path;
	i.host = w->url.host_header;
	i.origin = w->url.host_header;
	i.ssl_connection = LCCSCF_USE_SSL;
	/* lws cannot name an IPv6 host; the TLS context checks it anyway */
	if (w->url.server.host_is_ipv6)
		i.ssl_connection |= LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK;
	i.alpn = "http/1.1";
	i.protocol = NULL; /* no subprotocol */
	i.local_protocol_name = WORKER_PROTOCOL_WS;
	i.pwsi = &w->ws;
	i.retry_and_idle_policy = &worker_ws_policy;
	if (!lws_client_connect_via_info(&i)) {
		w->ws = NULL;
		return -1;
	}
	return 0;
}

int worker_ws_queue(struct worker *w, const uint8_t *data, size_t len, bool text)
{
	if (!w->ws_open || w->ws_close_wanted)
		return -1;
	if (worker_outq_push(&w->outq, data, len, text) != 0)
		return -1; /* counts as lost: the reliable stream resends */
	lws_callback_on_writable(w->ws);
	return 0;
}

void worker_ws_close(struct worker *w, bool flush)
{
	if (!flush)
		worker_outq_clear(&w->outq);
	if (w->ws_close_wanted || !w->ws)
		return;
	w->ws_close_wanted = true;
	w->close_deadline_ms = worker_now_ms() + WORKER_CLOSE_GRACE_MS;
	if (w->ws_open)
		lws_callback_on_writable(w->ws);
	else /* still connecting: nothing to say, just drop it */
		lws_set_timeout(w->ws, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
}

static int worker_ws_on_connection_error(struct worker *w, struct lws *wsi, const char *in)
{
	int status = wsi ? (int)lws_http_client_http_response(wsi) : 0;
	char why[768];

	if (wsi != w->ws || w->destroying)
		return 0;
	w->ws = NULL;
	if (status && status != 101 && w->diag.verify_error == X509_V_OK && !w->diag.alert[0])
		snprintf(why, sizeof(why), "the broker refused the websocket with HTTP %d", status);
	else
		agent_tls_explain(&w->diag, &w->url.server, in, w->st.paths.ca, why,
				  sizeof(why));
	worker_session_lost(w, why);
	return 0;
}

static int worker_ws_on_established(struct worker *w, struct lws *wsi)
{
	if (wsi != w->ws)
		return -1;
	w->ws_open = true;
	worker_session_open(w);
	return 0;
}

/* A fragment of a message; the session sees whole messages only. */
static int worker_ws_on_receive(struct worker *w, struct lws *wsi, const void *in, size_t len)
{
	uint8_t *grown;

	if (w->rx_len + len > WORKER_MAX_FRAME) {
		snprintf(w->close_reason, sizeof(w->close_reason),
			 "the broker sent a message over %u bytes", WORKER_MAX_FRAME);
		return -1;
	}
	grown = realloc(w->rx, w->rx_len + len + 1);
	if (!grown) {
		snprintf(w->close_reason, sizeof(w->close_reason), "out of memory");
		return -1;
	}
	w->rx = grown;
	memcpy(w->rx + w->rx_len, in, len);
	w->rx_len += len;
	if (!lws_is_final_fragment(wsi))
		return 0;
	len = w->rx_len;
	w->rx_len = 0;
	worker_session_input(w, w->rx, len);
	return 0;
}

static int worker_ws_on_writeable(struct worker *w, struct lws *wsi)
{
	struct worker_outq_msg *m = worker_outq_peek(&w->outq);
	int n;

	if (!m) {
		if (!w->ws_close_wanted)
			return 0; /* lws may call unasked */
		lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, NULL, 0);
		return -1;
	}
	n = lws_write(wsi, m->data + w->outq.headroom, m->len,
		      m->text ? LWS_WRITE_TEXT : LWS_WRITE_BINARY);
	if (n < (int)m->len) {
		snprintf(w->close_reason, sizeof(w->close_reason), "writing to the broker failed");
		return -1;
	}
	worker_outq_pop(&w->outq);
	if (worker_outq_peek(&w->outq) || w->ws_close_wanted)
		lws_callback_on_writable(wsi);
	worker_session_flow(w); /* the queue shrank: sources may be read again */
	return 0;
}

/* The broker's close frame: status code (2 bytes, big-endian) and reason. */
static void worker_ws_on_peer_close(struct worker *w, const uint8_t *in, size_t len)
{
	unsigned code = len >= 2 ? (unsigned)in[0] << 8 | in[1] : 0;

	if (w->close_reason[0])
		return;
	snprintf(w->close_reason, sizeof(w->close_reason), "the broker closed it (%u%s%.*s)", code,
		 len > 2 ? ": " : "", len > 2 ? (int)(len - 2) : 0,
		 len > 2 ? (const char *)in + 2 : "");
}

static int worker_ws_on_closed(struct worker *w, struct lws *wsi)
{
	if (wsi != w->ws || w->destroying)
		return 0;
	w->ws = NULL;
	w->ws_open = false;
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
	case LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION:
		return agent_tls_note_verify(&w->diag, user, (int)len);
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		return worker_ws_on_connection_error(w, wsi, in);
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		return worker_ws_on_established(w, wsi);
	case LWS_CALLBACK_CLIENT_RECEIVE:
		return worker_ws_on_receive(w, wsi, in, len);
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return worker_ws_on_writeable(w, wsi);
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		worker_ws_on_peer_close(w, in, len);
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		return worker_ws_on_closed(w, wsi);
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		if (!w->destroying)
			worker_signals_poll(w);
		return 0;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}
