/*
 * ws_decoder.c — the incremental websocket frame decoder (ws_frame.h): the
 * peer's bytes in, frame events out.
 *
 * A header is gathered into hdr_buf across chunks: two bytes first, which
 * tell how many more it has (extended length, mask key), then the rest. All
 * checks on the first two bytes run as soon as they are in, so a bad frame
 * is refused before its length is even read. Payload is never copied: each
 * chunk's part of it is unmasked in place and handed over whole.
 */
#include "byteorder.h"
#include "proto_err.h"
#include "ws_frame.h"

#include <string.h>

#define LEN16_MARK 126u
#define LEN64_MARK 127u

void ws_decoder_init(struct ws_decoder *d, const struct ws_decoder_config *cfg,
		     const struct ws_decoder_ops *ops, void *ctx)
{
	memset(d, 0, sizeof(*d));
	if (cfg)
		d->cfg = *cfg;
	if (!d->cfg.max_payload)
		d->cfg.max_payload = WS_DEFAULT_MAX_PAYLOAD;
	if (ops)
		d->ops = *ops;
	d->ctx = ctx;
	d->hdr_need = 2;
}

int ws_decoder_error(const struct ws_decoder *d)
{
	return d->dead;
}

bool ws_decoder_idle(const struct ws_decoder *d)
{
	return !d->in_payload && d->hdr_have == 0;
}

static bool opcode_known(uint8_t op)
{
	return op <= WS_OP_BINARY || (op >= WS_OP_CLOSE && op <= WS_OP_PONG);
}

/* The first two header bytes: check them and size the rest of the header. */
static int header_start(struct ws_decoder *d)
{
	uint8_t b0 = d->hdr_buf[0], b1 = d->hdr_buf[1], len7 = b1 & 0x7fu;
	bool fin = b0 & 0x80u, masked = b1 & 0x80u;
	uint8_t op = b0 & 0x0fu;

	if (b0 & 0x70u)
		return PROTO_E_WS_RSV;
	if (!opcode_known(op))
		return PROTO_E_WS_OPCODE;
	if (ws_opcode_is_control(op) && (!fin || len7 > WS_MAX_CONTROL_PAYLOAD))
		return PROTO_E_WS_CONTROL;
	if (masked != d->cfg.server)
		return PROTO_E_WS_MASK;
	if ((op == WS_OP_CONTINUATION && !d->in_message) ||
	    ((op == WS_OP_TEXT || op == WS_OP_BINARY) && d->in_message))
		return PROTO_E_WS_FRAGMENT;
	d->hdr = (struct ws_frame_header){.fin = fin, .opcode = op, .masked = masked};
	d->hdr_need = 2 + (len7 == LEN16_MARK ? 2 : len7 == LEN64_MARK ? 8 : 0) + (masked ? 4 : 0);
	return PROTO_OK;
}

/* The whole header is in: its length and key, then the frame begins. */
static int header_done(struct ws_decoder *d)
{
	uint8_t len7 = d->hdr_buf[1] & 0x7fu;
	size_t pos = 2;
	uint64_t len = len7;

	if (len7 == LEN16_MARK) {
		len = (uint64_t)d->hdr_buf[2] << 8 | d->hdr_buf[3];
		if (len <= WS_MAX_CONTROL_PAYLOAD)
			return PROTO_E_WS_LENGTH;
		pos += 2;
	} else if (len7 == LEN64_MARK) {
		len = be64_get(d->hdr_buf + 2);
		if (len >> 63)
			return PROTO_E_WS_LENGTH64;
		if (len <= 0xffffu)
			return PROTO_E_WS_LENGTH;
		pos += 8;
	}
	if (len > d->cfg.max_payload)
		return PROTO_E_WS_TOO_LARGE;
	if (d->hdr.masked)
		memcpy(d->hdr.mask_key, d->hdr_buf + pos, 4);
	d->hdr.payload_len = len;
	if (!ws_opcode_is_control(d->hdr.opcode))
		d->in_message = !d->hdr.fin;
	d->left = len;
	d->offset = 0;
	d->in_payload = true;
	d->hdr_have = 0;
	d->hdr_need = 2;
	if (d->ops.on_frame)
		d->ops.on_frame(d->ctx, &d->hdr);
	return PROTO_OK;
}

static void frame_end(struct ws_decoder *d)
{
	d->in_payload = false;
	if (d->ops.on_frame_end)
		d->ops.on_frame_end(d->ctx, &d->hdr);
}

/* Payload bytes of the current frame; returns how many of len were used. */
static size_t payload(struct ws_decoder *d, uint8_t *data, size_t len)
{
	size_t n = (uint64_t)len < d->left ? len : (size_t)d->left;

	if (n) {
		if (d->hdr.masked)
			ws_mask(data, n, d->hdr.mask_key, (size_t)(d->offset & 3u));
		d->offset += n;
		d->left -= n;
		if (d->ops.on_data)
			d->ops.on_data(d->ctx, data, n);
	}
	if (!d->left)
		frame_end(d);
	return n;
}

/* Header bytes; returns how many of len were used, or sets d->dead. */
static size_t header(struct ws_decoder *d, const uint8_t *data, size_t len)
{
	size_t n = d->hdr_need - d->hdr_have;
	int rc = PROTO_OK;

	if (n > len)
		n = len;
	memcpy(d->hdr_buf + d->hdr_have, data, n);
	d->hdr_have += n;
	if (d->hdr_have == 2 && d->hdr_need == 2)
		rc = header_start(d);
	if (rc == PROTO_OK && d->hdr_have == d->hdr_need)
		rc = header_done(d);
	if (rc != PROTO_OK)
		d->dead = rc;
	return n;
}

int ws_decoder_input(struct ws_decoder *d, uint8_t *data, size_t len)
{
	size_t pos = 0;

	if (d->dead != PROTO_OK)
		return d->dead;
	if (d->in_input)
		return PROTO_E_STATE;
	if (!len) /* nothing pending needs input: an empty frame ends with its header */
		return PROTO_OK;
	d->in_input = true;
	while (d->dead == PROTO_OK) {
		if (d->in_payload) {
			pos += payload(d, data + pos, len - pos);
			if (d->in_payload)
				break; /* chunk used up inside the payload */
		} else if (pos < len) {
			pos += header(d, data + pos, len - pos);
		} else {
			break;
		}
	}
	d->in_input = false;
	return d->dead;
}
