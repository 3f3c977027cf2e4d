/*
 * ws_client.c — one client-side websocket connection without I/O (see
 * ws_client.h): the upgrade, messages in, frames out, Close, keepalive.
 *
 * Output is one byte buffer, [out_head, out_tail) pending: frames are appended
 * whole (header, then the payload copied and masked), so a writer may take any
 * prefix. Mask keys come from a pool refilled from ops->random a few hundred
 * bytes at a time, not one call per frame.
 */
#include "proto_err.h"
#include "ws_client_impl.h"

#include <stdlib.h>
#include <string.h>

#define KEY_POOL 256u           /* random bytes fetched at once: 64 mask keys */
#define KEEPALIVE "keepalive"   /* the Ping payload the official peers use */
#define CLOSE_PROTOCOL_ERROR 1002u

struct ws_client {
	struct ws_client_config cfg; /* strings point into the copies below */
	char *host, *path, *origin;
	const struct ws_client_ops *ops;
	void *ctx;
	enum ws_client_state state;
	int error;
	int http_status;
	bool in_input;

	/* opening */
	char accept[WS_ACCEPT_LEN + 1];
	uint8_t *resp; /* the response's header block, gathered */
	size_t resp_len;

	/* receiving */
	struct ws_decoder dec;
	struct ws_frame_header frame; /* the frame in progress */
	uint64_t frame_got;           /* its payload bytes seen */
	bool frame_delivered;         /* handed over in place, whole */
	uint8_t *msg;                 /* a message being gathered */
	size_t msg_len, msg_cap;
	bool msg_text;
	uint8_t ctl[WS_MAX_CONTROL_PAYLOAD];
	size_t ctl_len;
	bool close_received, close_sent;

	/* sending */
	uint8_t *out;
	size_t out_head, out_tail, out_cap;
	uint8_t keys[KEY_POOL];
	size_t keys_used;

	/* keepalive */
	uint64_t created_ms, last_rx_ms, last_ping_ms;
};

static char *copy_or_null(const char *s, bool *failed)
{
	char *c;

	if (!s)
		return NULL;
	c = strdup(s);
	if (!c)
		*failed = true;
	return c;
}

static void fail(struct ws_client *c, int err)
{
	if (c->error)
		return;
	c->error = err;
	c->state = WS_CLIENT_FAILED;
}

/* ---- output ----------------------------------------------------------------------- */

/* Room for need more bytes at out_tail: slide the pending bytes to the front
 * when that moves no more than it frees (so each byte moves O(1) times),
 * else grow. */
static int out_reserve(struct ws_client *c, size_t need)
{
	size_t pending = c->out_tail - c->out_head, cap;
	uint8_t *grown;

	if (c->out_cap - c->out_tail >= need)
		return PROTO_OK;
	if (c->out_head && c->out_head >= pending) {
		memmove(c->out, c->out + c->out_head, pending);
		c->out_head = 0;
		c->out_tail = pending;
		if (c->out_cap - c->out_tail >= need)
			return PROTO_OK;
	}
	cap = c->out_cap ? c->out_cap : 4096;
	while (cap - c->out_tail < need)
		cap *= 2;
	grown = realloc(c->out, cap);
	if (!grown)
		return PROTO_E_NOMEM;
	c->out = grown;
	c->out_cap = cap;
	return PROTO_OK;
}

static void mask_key(struct ws_client *c, uint8_t key[4])
{
	if (c->keys_used + 4 > sizeof(c->keys)) {
		c->ops->random(c->ctx, c->keys, sizeof(c->keys));
		c->keys_used = 0;
	}
	memcpy(key, c->keys + c->keys_used, 4);
	c->keys_used += 4;
}

/* Append one whole masked frame. */
static int out_frame(struct ws_client *c, uint8_t opcode, const uint8_t *data, size_t len)
{
	struct ws_frame_header h = {.fin = true, .opcode = opcode, .masked = true,
				    .payload_len = len};
	size_t hlen = ws_frame_header_len(len, true);
	uint8_t *p;
	int rc = out_reserve(c, hlen + len);

	if (rc != PROTO_OK)
		return rc;
	mask_key(c, h.mask_key);
	p = c->out + c->out_tail;
	ws_frame_header_encode(&h, p);
	if (len)
		ws_mask_copy(p + hlen, data, len, h.mask_key, 0);
	c->out_tail += hlen + len;
	return PROTO_OK;
}

size_t ws_client_output(const struct ws_client *c, const uint8_t **data)
{
	size_t pending = c->out_tail - c->out_head;

	*data = pending ? c->out + c->out_head : NULL;
	return pending;
}

void ws_client_output_done(struct ws_client *c, size_t n)
{
	size_t pending = c->out_tail - c->out_head;

	c->out_head += n < pending ? n : pending;
	if (c->out_head == c->out_tail)
		c->out_head = c->out_tail = 0;
}

bool ws_client_send_ready(const struct ws_client *c, size_t len)
{
	size_t pending = c->out_tail - c->out_head;

	return c->state == WS_CLIENT_OPEN &&
	       (pending == 0 || pending + ws_frame_header_len(len, true) + len <= c->cfg.out_max);
}

int ws_client_send(struct ws_client *c, uint8_t opcode, const uint8_t *data, size_t len)
{
	if (c->error)
		return c->error;
	if (opcode == WS_OP_PING ? len > WS_MAX_CONTROL_PAYLOAD
				 : opcode != WS_OP_TEXT && opcode != WS_OP_BINARY)
		return PROTO_E_INVALID_ARG;
	if (c->state != WS_CLIENT_OPEN)
		return PROTO_E_STATE;
	if (opcode != WS_OP_PING && !ws_client_send_ready(c, len))
		return PROTO_E_WOULD_BLOCK;
	return out_frame(c, opcode, data, len);
}

int ws_client_close(struct ws_client *c, uint16_t code, const char *reason)
{
	struct ws_close cl = {.has_code = true, .code = code, .reason = (const uint8_t *)reason,
			      .reason_len = reason ? strlen(reason) : 0};
	uint8_t payload[WS_MAX_CONTROL_PAYLOAD];
	size_t len;
	int rc;

	if (c->error)
		return c->error;
	if (c->close_sent || c->state == WS_CLIENT_HANDSHAKE)
		return PROTO_E_STATE;
	rc = ws_close_encode(&cl, payload, sizeof(payload), &len);
	if (rc == PROTO_OK)
		rc = out_frame(c, WS_OP_CLOSE, payload, len);
	if (rc == PROTO_E_NOMEM)
		fail(c, rc);
	if (rc != PROTO_OK)
		return rc;
	c->close_sent = true;
	c->state = c->close_received ? WS_CLIENT_CLOSED : WS_CLIENT_CLOSING;
	return PROTO_OK;
}

/* ---- receiving -------------------------------------------------------------------- */

static bool ignoring(const struct ws_client *c)
{
	return c->error || c->close_received;
}

static void on_frame(void *ctx, const struct ws_frame_header *h)
{
	struct ws_client *c = ctx;

	if (ignoring(c))
		return;
	c->frame = *h;
	c->frame_got = 0;
	c->frame_delivered = false;
	if (ws_opcode_is_control(h->opcode)) {
		c->ctl_len = 0;
		return;
	}
	if (h->opcode != WS_OP_CONTINUATION) {
		c->msg_text = h->opcode == WS_OP_TEXT;
		c->msg_len = 0;
	}
	if (h->payload_len > c->cfg.max_message - c->msg_len)
		fail(c, PROTO_E_WS_TOO_LARGE);
}

static int msg_append(struct ws_client *c, const uint8_t *data, size_t len)
{
	if (c->msg_cap - c->msg_len < len) {
		size_t cap = c->msg_cap ? c->msg_cap : 4096;
		uint8_t *grown;

		while (cap - c->msg_len < len)
			cap *= 2;
		grown = realloc(c->msg, cap);
		if (!grown)
			return PROTO_E_NOMEM;
		c->msg = grown;
		c->msg_cap = cap;
	}
	memcpy(c->msg + c->msg_len, data, len);
	c->msg_len += len;
	return PROTO_OK;
}

static void on_data(void *ctx, uint8_t *data, size_t len)
{
	struct ws_client *c = ctx;
	bool whole;
	int rc;

	if (ignoring(c))
		return;
	if (ws_opcode_is_control(c->frame.opcode)) {
		memcpy(c->ctl + c->ctl_len, data, len); /* the decoder caps it at 125 */
		c->ctl_len += len;
		return;
	}
	whole = c->frame.fin && c->frame.opcode != WS_OP_CONTINUATION && c->frame_got == 0 &&
		len == c->frame.payload_len;
	c->frame_got += len;
	if (whole) {
		c->frame_delivered = true;
		c->ops->on_message(c->ctx, c->msg_text, data, len);
		return;
	}
	rc = msg_append(c, data, len);
	if (rc != PROTO_OK)
		fail(c, rc);
}

static void on_peer_close(struct ws_client *c)
{
	struct ws_close cl;
	uint16_t reply;

	if (ws_close_decode(c->ctl, c->ctl_len, &cl) != PROTO_OK)
		cl = (struct ws_close){.has_code = true, .code = CLOSE_PROTOCOL_ERROR};
	c->close_received = true;
	if (!c->close_sent) {
		reply = cl.has_code && ws_close_code_valid(cl.code) ? cl.code : 1000u;
		(void)ws_client_close(c, reply, NULL); /* out of memory: the socket just drops */
	}
	c->state = WS_CLIENT_CLOSED;
	c->ops->on_close(c->ctx, &cl);
}

static void on_frame_end(void *ctx, const struct ws_frame_header *h)
{
	struct ws_client *c = ctx;
	int rc = PROTO_OK;

	if (ignoring(c))
		return;
	switch (h->opcode) {
	case WS_OP_PING:
		/* a peer pinging faster than we can write gets fewer Pongs
		 * (RFC 6455 §5.5.3 allows answering only the latest) */
		if (!c->close_sent &&
		    c->out_tail - c->out_head <= c->cfg.out_max + WS_CLIENT_CONTROL_SLACK)
			rc = out_frame(c, WS_OP_PONG, c->ctl, c->ctl_len);
		break;
	case WS_OP_PONG:
		break; /* arriving at all is what counts */
	case WS_OP_CLOSE:
		on_peer_close(c);
		break;
	default:
		if (!h->fin || c->frame_delivered)
			break;
		c->ops->on_message(c->ctx, c->msg_text, c->msg ? c->msg : c->ctl, c->msg_len);
		c->msg_len = 0;
		break;
	}
	if (rc != PROTO_OK)
		fail(c, rc);
}

/* Gather the upgrade response; the bytes after it go on to the decoder. */
static int opening_input(struct ws_client *c, uint8_t *data, size_t len, size_t *used)
{
	size_t room = WS_CLIENT_MAX_RESPONSE - c->resp_len, take = len < room ? len : room;
	size_t from = c->resp_len > 3 ? c->resp_len - 3 : 0, block;
	int rc;

	memcpy(c->resp + c->resp_len, data, take);
	c->resp_len += take;
	block = ws_handshake_block_len(c->resp, c->resp_len, from);
	if (!block) {
		*used = take;
		return take < len || c->resp_len == WS_CLIENT_MAX_RESPONSE ? PROTO_E_WS_HANDSHAKE
									     : PROTO_OK;
	}
	*used = take - (c->resp_len - block);
	rc = ws_handshake_check(c->resp, block, c->accept, &c->http_status);
	free(c->resp);
	c->resp = NULL;
	if (rc != PROTO_OK)
		return rc;
	c->state = WS_CLIENT_OPEN;
	c->ops->on_open(c->ctx);
	return PROTO_OK;
}

int ws_client_input(struct ws_client *c, uint8_t *data, size_t len, uint64_t now_ms)
{
	size_t used = 0;
	int rc = PROTO_OK;

	if (c->error)
		return c->error;
	if (c->in_input)
		return PROTO_E_STATE;
	if (!len)
		return PROTO_OK;
	c->in_input = true;
	c->last_rx_ms = now_ms;
	if (c->state == WS_CLIENT_HANDSHAKE)
		rc = opening_input(c, data, len, &used);
	if (rc == PROTO_OK && used < len && c->state != WS_CLIENT_HANDSHAKE && !c->error)
		rc = ws_decoder_input(&c->dec, data + used, len - used);
	c->in_input = false;
	if (rc != PROTO_OK)
		fail(c, rc);
	return c->error;
}

/* ---- the rest --------------------------------------------------------------------- */

int ws_client_tick(struct ws_client *c, uint64_t now_ms)
{
	uint64_t silent = now_ms > c->last_rx_ms ? now_ms - c->last_rx_ms : 0;

	if (c->error)
		return c->error;
	if ((c->cfg.hangup_after_ms && silent >= c->cfg.hangup_after_ms) ||
	    (c->cfg.open_timeout_ms && c->state == WS_CLIENT_HANDSHAKE &&
	     now_ms >= c->created_ms && now_ms - c->created_ms >= c->cfg.open_timeout_ms)) {
		fail(c, PROTO_E_WS_TIMEOUT);
		return c->error;
	}
	if (c->cfg.ping_after_ms && c->state == WS_CLIENT_OPEN &&
	    silent >= c->cfg.ping_after_ms && now_ms - c->last_ping_ms >= c->cfg.ping_after_ms) {
		int rc = ws_client_send(c, WS_OP_PING, (const uint8_t *)KEEPALIVE,
					sizeof(KEEPALIVE) - 1);

		c->last_ping_ms = now_ms;
		if (rc == PROTO_E_NOMEM)
			fail(c, rc);
		return rc;
	}
	return PROTO_OK;
}

enum ws_client_state ws_client_state(const struct ws_client *c)
{
	return c->state;
}

int ws_client_http_status(const struct ws_client *c)
{
	return c->http_status;
}

int ws_client_error(const struct ws_client *c)
{
	return c->error;
}

int ws_client_new(const struct ws_client_config *cfg, const struct ws_client_ops *ops, void *ctx,
		  uint64_t now_ms, struct ws_client **out)
{
	static const struct ws_decoder_ops dec_ops = {on_frame, on_data, on_frame_end};
	struct ws_decoder_config dec_cfg = {.server = false};
	struct ws_client *c = calloc(1, sizeof(*c));
	uint8_t key[WS_CLIENT_KEY_LEN], *req = NULL;
	bool failed = false;
	size_t req_len = 0;
	int rc;

	if (!c)
		return PROTO_E_NOMEM;
	c->cfg = *cfg;
	c->host = copy_or_null(cfg->host, &failed);
	c->path = copy_or_null(cfg->path, &failed);
	c->origin = copy_or_null(cfg->origin, &failed);
	c->cfg.host = c->host;
	c->cfg.path = c->path;
	c->cfg.origin = c->origin;
	if (!c->cfg.max_message)
		c->cfg.max_message = WS_DEFAULT_MAX_PAYLOAD;
	c->ops = ops;
	c->ctx = ctx;
	c->created_ms = c->last_rx_ms = c->last_ping_ms = now_ms;
	c->keys_used = sizeof(c->keys); /* empty pool: fill on first use */
	dec_cfg.max_payload = c->cfg.max_message;
	ws_decoder_init(&c->dec, &dec_cfg, &dec_ops, c);
	c->resp = malloc(WS_CLIENT_MAX_RESPONSE);
	rc = failed || !c->resp ? PROTO_E_NOMEM : PROTO_OK;
	if (rc == PROTO_OK) {
		ops->random(ctx, key, sizeof(key));
		rc = ws_handshake_request(&c->cfg, key, &req, &req_len, c->accept);
	}
	if (rc == PROTO_OK)
		rc = out_reserve(c, req_len);
	if (rc != PROTO_OK) {
		free(req);
		ws_client_free(c);
		return rc;
	}
	memcpy(c->out, req, req_len);
	c->out_tail = req_len;
	free(req);
	*out = c;
	return PROTO_OK;
}

void ws_client_free(struct ws_client *c)
{
	if (!c)
		return;
	free(c->host);
	free(c->path);
	free(c->origin);
	free(c->resp);
	free(c->msg);
	free(c->out);
	free(c);
}
