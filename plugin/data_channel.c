/*
 * data_channel.c — the data-channel websocket and its reliable stream (see
 * data_channel.h).
 */
#include "data_channel.h"
#include "api_client.h"
#include "client_err.h"
#include "loop.h"
#include "payload.h"
#include "proto_err.h"
#include "url.h"
#include "uuid.h"
#include "ws_link.h"

#include <openssl/x509.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* At most this much output goes to one lws_write: what the socket does not
 * take at once, lws copies aside, so large chunks cost copies. */
#define DC_WRITE_MAX (256u * 1024u)
/* Ciphertext waiting for the socket beyond which no more is encrypted. */
#define DC_TLS_OUT_MAX (512u * 1024u)

struct data_channel {
	struct loop *loop;
	const struct data_channel_ops *ops;
	void *ctx;
	struct url url;
	struct rstream *rs;
	struct ws_link *link; /* websocket over TLS, no I/O: lws moves its bytes */
	struct lws *wsi;
	lws_sorted_usec_list_t tick;
	bool connected, established, stopped, gone;

	uint8_t *open_msg; /* OpenDataChannel, sent first once connected (holds the token) */
	size_t open_len;
	char close_why[160]; /* the broker's Close frame, said */
	char client_id[UUID_STR_LEN + 1];
};

static void random_bytes(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	if (RAND_bytes(buf, (int)len) != 1) /* ids only: uniqueness is what matters */
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)random();
}

static void new_uuid(char out[UUID_STR_LEN + 1])
{
	uint8_t r[UUID_LEN];
	struct uuid id;

	random_bytes(NULL, r, sizeof(r));
	id = uuid_v4_from_bytes(r);
	uuid_format(&id, out);
}

/* ---- sending ------------------------------------------------------------------ */

static void want_write(struct data_channel *dc)
{
	const uint8_t *p;

	if (dc->wsi && dc->connected && ws_link_output(dc->link, &p))
		lws_callback_on_writable(dc->wsi);
}

/* rstream ops->transmit: a lost frame is recovered by the resend timer. */
static int transmit(void *ctx, const uint8_t *frame, size_t len)
{
	struct data_channel *dc = ctx;

	if (!dc->wsi || !dc->established ||
	    ws_client_send(ws_link_ws(dc->link), WS_OP_BINARY, frame, len) != PROTO_OK)
		return -1;
	want_write(dc);
	return 0;
}

/* Whatever the websocket has for the broker, in one write (or a chunk). */
static int on_writeable(struct data_channel *dc, struct lws *wsi)
{
	const uint8_t *p;
	size_t n = ws_link_output(dc->link, &p);
	bool backlogged;

	if (!n)
		return 0; /* lws may call unasked */
	if (n > DC_WRITE_MAX)
		n = DC_WRITE_MAX;
	/* lws takes it all: what the socket refuses now it keeps and sends first */
	if (lws_write(wsi, (unsigned char *)p, n, LWS_WRITE_RAW) < 0)
		return -1;
	backlogged = ws_link_pending(dc->link) >= DATA_CHANNEL_BACKLOG_MAX;
	ws_link_output_done(dc->link, n);
	want_write(dc);
	if (backlogged && data_channel_send_room(dc) > 0 && !dc->stopped)
		dc->ops->on_send_room(dc->ctx);
	if (ws_client_state(ws_link_ws(dc->link)) == WS_CLIENT_CLOSED &&
	    !ws_link_output(dc->link, &p))
		return -1; /* both Close frames passed */
	return 0;
}

int data_channel_send(struct data_channel *dc, uint32_t payload_type, const uint8_t *buf,
		      size_t len)
{
	switch (rstream_send(dc->rs, payload_type, buf, len, loop_now_ms())) {
	case PROTO_OK:
		return CLIENT_OK;
	case PROTO_E_WOULD_BLOCK:
		return CLIENT_E_WOULD_BLOCK;
	case PROTO_E_NOMEM:
		return CLIENT_E_NOMEM;
	default:
		return CLIENT_E_PROTOCOL;
	}
}

size_t data_channel_send_room(const struct data_channel *dc)
{
	if (dc->link && ws_link_pending(dc->link) >= DATA_CHANNEL_BACKLOG_MAX)
		return 0; /* the socket is behind: on_send_room once it catches up */
	return rstream_send_room(dc->rs);
}

void data_channel_set_send_window(struct data_channel *dc, size_t bytes)
{
	rstream_set_send_window(dc->rs, bytes);
}

size_t data_channel_unacked(const struct data_channel *dc)
{
	return rstream_unacked(dc->rs);
}

/* ---- receiving ---------------------------------------------------------------- */

static enum rstream_delivery deliver(void *ctx, const struct frame *f)
{
	struct data_channel *dc = ctx;

	return dc->stopped ? RSTREAM_NOT_READY : dc->ops->on_message(dc->ctx, f);
}

static void channel_closed(struct data_channel *dc, const struct frame *f)
{
	struct payload_channel_closed cc;

	/* act on it even when the payload is odd: the broker says it is over */
	if (payload_channel_closed_decode(f->payload, f->payload_len, &cc) == PROTO_OK) {
		dc->ops->on_closed(dc->ctx, cc.output);
		payload_channel_closed_free(&cc);
	} else {
		dc->ops->on_closed(dc->ctx, "");
	}
}

static void process(struct data_channel *dc, const uint8_t *buf, size_t len)
{
	struct frame other;
	int rc = rstream_input(dc->rs, buf, len, loop_now_ms(), &other);

	if (dc->stopped)
		return;
	if (rc == RSTREAM_OTHER && message_kind_of(other.message_type) == MSG_CHANNEL_CLOSED)
		channel_closed(dc, &other);
	else if (rc == RSTREAM_CONSUMED && rstream_send_room(dc->rs) > 0)
		dc->ops->on_send_room(dc->ctx);
	else if (rc < 0)
		lwsl_notice("data channel: dropped a frame: %s\n", proto_err_str(rc));
}

/* ---- timer and lifetime -------------------------------------------------------- */

/* The websocket is gone (reported once: there is no reconnect yet). */
static void lost(struct data_channel *dc, const char *why)
{
	if (dc->wsi) /* its later callbacks are no longer this channel's */
		lws_set_opaque_user_data(dc->wsi, NULL);
	dc->wsi = NULL;
	dc->established = false;
	if (dc->stopped || dc->gone)
		return;
	dc->gone = true;
	dc->ops->on_lost(dc->ctx, why);
}

static void on_tick(lws_sorted_usec_list_t *sul)
{
	struct data_channel *dc = lws_container_of(sul, struct data_channel, tick);
	char why[128];

	if (dc->stopped)
		return;
	if (rstream_tick(dc->rs, loop_now_ms()) == PROTO_E_RESEND_LIMIT) {
		dc->ops->on_resend_limit(dc->ctx);
		return;
	}
	if (dc->connected &&
	    ws_client_tick(ws_link_ws(dc->link), loop_now_ms()) == PROTO_E_WS_TIMEOUT) {
		if (ws_client_state(ws_link_ws(dc->link)) == WS_CLIENT_HANDSHAKE)
			snprintf(why, sizeof(why), "the broker did not open the data channel "
				 "within %d s", LOOP_TIMEOUT_S);
		else
			snprintf(why, sizeof(why), "the broker sent nothing for %d s, not even "
				 "a pong", DATA_CHANNEL_HANGUP_S);
		if (dc->wsi)
			lws_set_timeout(dc->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
		lost(dc, why);
		return;
	}
	want_write(dc); /* a keepalive ping, maybe */
	lws_sul_schedule(dc->loop->ctx, 0, &dc->tick, on_tick,
			 (lws_usec_t)RSTREAM_TICK_MS * LWS_US_PER_MS);
}

/* ws_client ops: the upgrade went through; OpenDataChannel goes first. */
static void ws_opened(void *ctx)
{
	struct data_channel *dc = ctx;

	dc->established = true;
	if (ws_client_send(ws_link_ws(dc->link), WS_OP_TEXT, dc->open_msg, dc->open_len) !=
	    PROTO_OK) {
		lost(dc, "cannot queue OpenDataChannel");
		return;
	}
	OPENSSL_cleanse(dc->open_msg, dc->open_len);
	dc->ops->on_open(dc->ctx);
}

static void ws_message(void *ctx, bool text, uint8_t *data, size_t len)
{
	(void)text; /* receivers treat text and binary alike (data-channel.md §1.3) */
	process(ctx, data, len);
}

static void ws_closed(void *ctx, const struct ws_close *close)
{
	struct data_channel *dc = ctx;

	snprintf(dc->close_why, sizeof(dc->close_why), "the broker closed the data channel (%u%s%.*s)",
		 close->has_code ? close->code : 1005u, close->reason_len ? ": " : "",
		 (int)close->reason_len, (const char *)close->reason);
}

/* Why the connection failed, in words, from the error ws_link_input gave. */
static void explain(struct data_channel *dc, int rc, char *why, size_t len)
{
	struct ws_client *ws = ws_link_ws(dc->link);
	struct tls_pipe *tls = ws_link_tls(dc->link);
	int status = ws_client_http_status(ws);

	if (rc == PROTO_E_TLS_VERIFY)
		snprintf(why, len, "cannot open the data channel: the broker's certificate was "
			 "not accepted (%s)%s",
			 X509_verify_cert_error_string(tls_pipe_verify_result(tls)),
			 API_CLIENT_TLS_HINT);
	else if (rc == PROTO_E_TLS)
		snprintf(why, len, "cannot open the data channel: TLS failed (%s)",
			 tls_pipe_error_text(tls));
	else if (rc == PROTO_E_WS_HANDSHAKE && status && status != 101)
		snprintf(why, len, "the broker refused the data channel (HTTP %d)", status);
	else
		snprintf(why, len, "the data channel broke: %s", proto_err_str(rc));
}

/* Bytes from the broker: TLS records holding the upgrade response, then frames. */
static int on_raw_rx(struct data_channel *dc, uint8_t *in, size_t len)
{
	char why[512];
	int rc = ws_link_input(dc->link, in, len, loop_now_ms());

	if (rc != PROTO_OK) {
		explain(dc, rc, why, sizeof(why));
		lost(dc, why);
		return -1;
	}
	want_write(dc);
	return 0;
}

int data_channel_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			      void *in, size_t len)
{
	struct data_channel *dc = lws_get_opaque_user_data(wsi);
	char why[256];

	if (!dc)
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		snprintf(why, sizeof(why), "cannot open the data channel: %s%s",
			 in ? (const char *)in : "error",
			 in && strstr(in, "SSL") ? API_CLIENT_TLS_HINT : "");
		lost(dc, why);
		return 0;
	case LWS_CALLBACK_RAW_CONNECTED:
		dc->connected = true;
		want_write(dc); /* the ClientHello, or (ws://) the upgrade request */
		return 0;
	case LWS_CALLBACK_RAW_RX:
		return on_raw_rx(dc, in, len);
	case LWS_CALLBACK_RAW_WRITEABLE:
		return on_writeable(dc, wsi);
	case LWS_CALLBACK_RAW_CLOSE:
		lost(dc, dc->close_why[0] ? dc->close_why : "the broker closed the data channel");
		return 0;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

/* OpenDataChannel with token, a fresh RequestId and this channel's ClientId
 * (the same on every reconnect, data-channel.md §1.2). */
static int encode_open(struct data_channel *dc, const char *token)
{
	char request_id[UUID_STR_LEN + 1];
	struct payload_open_data_channel odc = {
		.message_schema_version = "1.0",
		.request_id = request_id,
		.token_value = (char *)token,
		.client_id = dc->client_id,
		.client_version = POSTERN_VERSION,
	};

	if (dc->open_msg) {
		OPENSSL_cleanse(dc->open_msg, dc->open_len);
		free(dc->open_msg);
		dc->open_msg = NULL;
	}
	new_uuid(request_id);
	return payload_open_data_channel_encode(&odc, &dc->open_msg, &dc->open_len) == PROTO_OK
		       ? CLIENT_OK
		       : CLIENT_E_NOMEM;
}

/* A new connection to the stream URL: a fresh websocket over a fresh TLS
 * link, OpenDataChannel (already encoded) first once it is up. */
static int dial(struct data_channel *dc, char *err, size_t errlen)
{
	static const struct ws_client_ops ws_ops = {ws_opened, ws_message, ws_closed,
						    random_bytes};
	struct ws_link_config link_cfg = {
		.ws = {.host = dc->url.host_header,
		       .path = dc->url.path,
		       .max_message = FRAME_MAX_DEFAULT,
		       .out_max = DATA_CHANNEL_TXQ_MAX,
		       .ping_after_ms = DATA_CHANNEL_PING_S * 1000u,
		       .hangup_after_ms = DATA_CHANNEL_HANGUP_S * 1000u,
		       .open_timeout_ms = LOOP_TIMEOUT_S * 1000u},
		.use_tls = dc->url.tls,
		.tls = {.ssl_ctx = dc->loop->tls,
			.server = dc->url.host,
			.check_name = true,
			.out_max = DC_TLS_OUT_MAX},
	};
	struct lws_client_connect_info i;

	ws_link_free(dc->link);
	dc->link = NULL;
	if (ws_link_new(&link_cfg, &ws_ops, dc, loop_now_ms(), &dc->link) != PROTO_OK)
		return client_errf(err, errlen, CLIENT_E_CONFIG,
				   "the stream URL cannot be requested");
	dc->connected = dc->established = dc->gone = false;
	dc->close_why[0] = '\0';
	memset(&i, 0, sizeof(i));
	i.context = dc->loop->ctx;
	i.address = dc->url.host;
	i.port = dc->url.port;
	i.ssl_connection = 0; /* TLS is the link's (lws 4.1 cannot do it on a raw client) */
	i.path = dc->url.path;
	i.host = dc->url.host_header;
	i.alpn = "http/1.1";
	i.method = "RAW";
	i.local_protocol_name = LOOP_PROTOCOL_DATA;
	i.opaque_user_data = dc;
	i.pwsi = &dc->wsi;
	/* a failure here is reported through ops->on_lost (from the loop or now) */
	if (!lws_client_connect_via_info(&i))
		lost(dc, "cannot open the data channel");
	return CLIENT_OK;
}

int data_channel_open(struct loop *l, const char *stream_url, const char *token,
		      const struct data_channel_ops *ops, void *ctx, struct data_channel **out,
		      char *err, size_t errlen)
{
	static const struct rstream_ops rs_ops = {transmit, deliver, random_bytes};
	struct rstream_config cfg = {.send_kind = MSG_INPUT_STREAM_DATA,
				     .max_resends = DATA_CHANNEL_MAX_RESENDS};
	struct data_channel *dc = calloc(1, sizeof(*dc));
	int rc;

	if (!dc)
		return client_errf(err, errlen, CLIENT_E_NOMEM, "out of memory");
	dc->loop = l;
	dc->ops = ops;
	dc->ctx = ctx;
	new_uuid(dc->client_id); /* one per channel, kept across reconnects */
	rc = url_parse(stream_url, &dc->url, err, errlen);
	if (rc == CLIENT_OK && !dc->url.websocket)
		rc = client_errf(err, errlen, CLIENT_E_CONFIG,
				 "the stream URL is not a ws:// or wss:// URL");
	if (rc == CLIENT_OK) {
		dc->rs = rstream_new(&cfg, &rs_ops, dc);
		rc = dc->rs ? encode_open(dc, token) : CLIENT_E_NOMEM;
		if (rc != CLIENT_OK)
			client_errf(err, errlen, rc, "out of memory");
	}
	if (rc != CLIENT_OK) {
		data_channel_free(dc);
		return rc;
	}
	lws_sul_schedule(l->ctx, 0, &dc->tick, on_tick, (lws_usec_t)RSTREAM_TICK_MS * LWS_US_PER_MS);
	rc = dial(dc, err, errlen);
	if (rc != CLIENT_OK) {
		data_channel_stop(dc);
		data_channel_free(dc);
		return rc;
	}
	*out = dc;
	return CLIENT_OK;
}

int data_channel_reopen(struct data_channel *dc, const char *token, char *err, size_t errlen)
{
	if (dc->stopped || !dc->gone)
		return client_errf(err, errlen, CLIENT_E_PROTOCOL,
				   "the data channel is not waiting to be reopened");
	if (encode_open(dc, token) != CLIENT_OK)
		return client_errf(err, errlen, CLIENT_E_NOMEM, "out of memory");
	return dial(dc, err, errlen);
}

void data_channel_retry(struct data_channel *dc)
{
	if (!dc->stopped)
		rstream_retry_delivery(dc->rs);
}

void data_channel_pause_rx(struct data_channel *dc, bool paused)
{
	if (dc->wsi && !dc->stopped)
		lws_rx_flow_control(dc->wsi, !paused);
}

void data_channel_stop(struct data_channel *dc)
{
	if (!dc || dc->stopped)
		return;
	dc->stopped = true;
	lws_sul_cancel(&dc->tick);
	if (dc->wsi) {
		lws_set_opaque_user_data(dc->wsi, NULL);
		lws_set_timeout(dc->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
		dc->wsi = NULL;
	}
}

void data_channel_free(struct data_channel *dc)
{
	if (!dc)
		return;
	rstream_free(dc->rs);
	ws_link_free(dc->link);
	if (dc->open_msg) {
		OPENSSL_cleanse(dc->open_msg, dc->open_len);
		free(dc->open_msg);
	}
	free(dc);
}
