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

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One queued websocket message, LWS_PRE bytes of headroom before it. */
struct dc_msg {
	struct dc_msg *next;
	enum lws_write_protocol kind;
	size_t len;
	uint8_t buf[];
};

struct data_channel {
	struct loop *loop;
	const struct data_channel_ops *ops;
	void *ctx;
	struct url url;
	struct rstream *rs;
	struct lws *wsi;
	lws_sorted_usec_list_t tick;
	bool established, stopped, gone;

	uint8_t *open_msg; /* OpenDataChannel, sent first once connected (holds the token) */
	size_t open_len;

	struct dc_msg *txq_head, *txq_tail;
	size_t txq_bytes;

	uint8_t *rx; /* one message being reassembled, up to FRAME_MAX_DEFAULT */
	size_t rx_len;
	bool rx_discard;
};

static const lws_retry_bo_t keepalive = {
	.secs_since_valid_ping = DATA_CHANNEL_PING_S,
	.secs_since_valid_hangup = DATA_CHANNEL_HANGUP_S,
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

static int enqueue(struct data_channel *dc, enum lws_write_protocol kind, const uint8_t *buf,
		   size_t len)
{
	struct dc_msg *m;

	if (!dc->wsi || !dc->established || dc->txq_bytes + len > DATA_CHANNEL_TXQ_MAX)
		return -1;
	m = malloc(sizeof(*m) + LWS_PRE + len);
	if (!m)
		return -1;
	m->next = NULL;
	m->kind = kind;
	m->len = len;
	memcpy(m->buf + LWS_PRE, buf, len);
	if (dc->txq_tail)
		dc->txq_tail->next = m;
	else
		dc->txq_head = m;
	dc->txq_tail = m;
	dc->txq_bytes += len;
	lws_callback_on_writable(dc->wsi);
	return 0;
}

/* rstream ops->transmit: a lost frame is recovered by the resend timer. */
static int transmit(void *ctx, const uint8_t *frame, size_t len)
{
	return enqueue(ctx, LWS_WRITE_BINARY, frame, len);
}

static int on_writeable(struct data_channel *dc, struct lws *wsi)
{
	struct dc_msg *m = dc->txq_head;
	int n;

	if (!m)
		return 0;
	dc->txq_head = m->next;
	if (!dc->txq_head)
		dc->txq_tail = NULL;
	dc->txq_bytes -= m->len;
	n = lws_write(wsi, m->buf + LWS_PRE, m->len, m->kind);
	if (m->kind == LWS_WRITE_TEXT)
		OPENSSL_cleanse(m->buf + LWS_PRE, m->len); /* OpenDataChannel: the token */
	free(m);
	if (n < 0)
		return -1;
	if (dc->txq_head)
		lws_callback_on_writable(wsi);
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
	return rstream_send_room(dc->rs);
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

/* Reassemble one websocket message from lws's pieces, capped. */
static void on_receive(struct data_channel *dc, struct lws *wsi, const void *in, size_t len)
{
	if (!dc->rx_discard && dc->rx_len + len <= FRAME_MAX_DEFAULT) {
		memcpy(dc->rx + dc->rx_len, in, len);
		dc->rx_len += len;
	} else {
		dc->rx_discard = true; /* over the cap: never from a sane peer */
	}
	if (!lws_is_final_fragment(wsi))
		return;
	if (!dc->rx_discard)
		process(dc, dc->rx, dc->rx_len);
	dc->rx_len = 0;
	dc->rx_discard = false;
}

/* ---- timer and lifetime -------------------------------------------------------- */

static void on_tick(lws_sorted_usec_list_t *sul)
{
	struct data_channel *dc = lws_container_of(sul, struct data_channel, tick);

	if (dc->stopped)
		return;
	if (rstream_tick(dc->rs, loop_now_ms()) == PROTO_E_RESEND_LIMIT) {
		dc->ops->on_resend_limit(dc->ctx);
		return;
	}
	lws_sul_schedule(dc->loop->ctx, 0, &dc->tick, on_tick,
			 (lws_usec_t)RSTREAM_TICK_MS * LWS_US_PER_MS);
}

/* The websocket is gone (reported once: there is no reconnect yet). */
static void lost(struct data_channel *dc, const char *why)
{
	dc->wsi = NULL;
	dc->established = false;
	if (dc->stopped || dc->gone)
		return;
	dc->gone = true;
	dc->ops->on_lost(dc->ctx, why);
}

static void on_established(struct data_channel *dc)
{
	dc->established = true;
	if (enqueue(dc, LWS_WRITE_TEXT, dc->open_msg, dc->open_len) != 0) {
		lost(dc, "cannot queue OpenDataChannel");
		return;
	}
	OPENSSL_cleanse(dc->open_msg, dc->open_len);
	dc->ops->on_open(dc->ctx);
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
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		on_established(dc);
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		on_receive(dc, wsi, in, len);
		return 0;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return on_writeable(dc, wsi);
	case LWS_CALLBACK_CLIENT_CLOSED:
		lost(dc, "the broker closed the data channel");
		return 0;
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

static int encode_open(struct data_channel *dc, const char *token)
{
	char request_id[UUID_STR_LEN + 1], client_id[UUID_STR_LEN + 1];
	struct payload_open_data_channel odc = {
		.message_schema_version = "1.0",
		.request_id = request_id,
		.token_value = (char *)token,
		.client_id = client_id,
		.client_version = POSTERN_VERSION,
	};

	new_uuid(request_id);
	new_uuid(client_id); /* one per process: this process opens one channel */
	return payload_open_data_channel_encode(&odc, &dc->open_msg, &dc->open_len) == PROTO_OK
		       ? CLIENT_OK
		       : CLIENT_E_NOMEM;
}

int data_channel_open(struct loop *l, const char *stream_url, const char *token,
		      const struct data_channel_ops *ops, void *ctx, struct data_channel **out,
		      char *err, size_t errlen)
{
	static const struct rstream_ops rs_ops = {transmit, deliver, random_bytes};
	struct rstream_config cfg = {.send_kind = MSG_INPUT_STREAM_DATA,
				     .max_resends = DATA_CHANNEL_MAX_RESENDS};
	struct lws_client_connect_info i;
	struct data_channel *dc = calloc(1, sizeof(*dc));
	int rc;

	if (!dc)
		return client_errf(err, errlen, CLIENT_E_NOMEM, "out of memory");
	dc->loop = l;
	dc->ops = ops;
	dc->ctx = ctx;
	rc = url_parse(stream_url, &dc->url, err, errlen);
	if (rc == CLIENT_OK && !dc->url.websocket)
		rc = client_errf(err, errlen, CLIENT_E_CONFIG,
				 "the stream URL is not a ws:// or wss:// URL");
	if (rc == CLIENT_OK) {
		dc->rs = rstream_new(&cfg, &rs_ops, dc);
		dc->rx = malloc(FRAME_MAX_DEFAULT);
		rc = dc->rs && dc->rx ? encode_open(dc, token) : CLIENT_E_NOMEM;
		if (rc != CLIENT_OK)
			client_errf(err, errlen, rc, "out of memory");
	}
	if (rc != CLIENT_OK) {
		data_channel_free(dc);
		return rc;
	}
	memset(&i, 0, sizeof(i));
	i.context = l->ctx;
	i.address = dc->url.host;
	i.port = dc->url.port;
	i.ssl_connection = dc->url.tls ? LCCSCF_USE_SSL : 0;
	i.path = dc->url.path;
	i.host = dc->url.host_header;
	i.alpn = "http/1.1";
	i.ietf_version_or_minus_one = -1;
	i.local_protocol_name = LOOP_PROTOCOL_DATA;
	i.opaque_user_data = dc;
	i.retry_and_idle_policy = &keepalive;
	i.pwsi = &dc->wsi;
	lws_sul_schedule(l->ctx, 0, &dc->tick, on_tick, (lws_usec_t)RSTREAM_TICK_MS * LWS_US_PER_MS);
	*out = dc;
	/* a failure here is reported through ops->on_lost (from the loop or now) */
	if (!lws_client_connect_via_info(&i))
		lost(dc, "cannot open the data channel");
	return CLIENT_OK;
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
	struct dc_msg *m, *next;

	if (!dc)
		return;
	for (m = dc->txq_head; m; m = next) {
		next = m->next;
		free(m);
	}
	rstream_free(dc->rs);
	free(dc->rx);
	if (dc->open_msg) {
		OPENSSL_cleanse(dc->open_msg, dc->open_len);
		free(dc->open_msg);
	}
	free(dc);
}
