/*
 * smux.c — an smux session (smux.md): lifecycle, and the input parser that
 * turns the peer's byte stream into stream events. Frames this side emits
 * live in smux_send.c, the stream table in smux_table.c, the pending-output
 * FIFO in smux_fifo.c.
 *
 * The parser keeps only the 8-byte header of the frame in progress (and the
 * 8-byte body of a UPD): PSH data goes to ops->on_data in the slices it
 * arrives in. Callbacks may close streams, so no stream pointer is held
 * across one; each slice looks its stream up again (O(1)).
 */
#include "byteorder.h"
#include "proto_err.h"
#include "smux_impl.h"

#include <stdlib.h>
#include <string.h>

#define UPD_BODY_LEN 8u

static size_t or_default(size_t v, size_t dflt)
{
	return v ? v : dflt;
}

struct smux *smux_new(const struct smux_config *cfg, const struct smux_ops *ops, void *ctx)
{
	struct smux *s;

	if (!cfg || (cfg->version != 1 && cfg->version != 2))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->cfg = *cfg;
	s->cfg.max_streams = or_default(cfg->max_streams, SMUX_DEFAULT_MAX_STREAMS);
	s->cfg.tx_cap = or_default(cfg->tx_cap, SMUX_DEFAULT_TX_CAP);
	if (s->cfg.tx_cap <= SMUX_HEADER_LEN) /* room for at least one data byte */
		s->cfg.tx_cap = SMUX_HEADER_LEN + 1;
	s->cfg.frame_data = or_default(cfg->frame_data, SMUX_FRAME_DATA);
	if (s->cfg.frame_data > SMUX_MAX_LENGTH)
		s->cfg.frame_data = SMUX_MAX_LENGTH;
	/* Data fills the FIFO to tx_cap, so a buffer of up to twice that is in
	 * steady use; anything larger grew from a burst of control frames. */
	s->out.keep = s->cfg.tx_cap <= SIZE_MAX / 2 ? 2 * s->cfg.tx_cap : SIZE_MAX;
	if (ops)
		s->ops = *ops;
	s->ctx = ctx;
	s->last_id = SMUX_FIRST_CLIENT_ID - 2;
	/* An honest peer keeps within our announced window after our first
	 * UPD, and within its initial guess before it. */
	s->window_limit = SMUX_V2_WINDOW > SMUX_V2_INITIAL_PEER_WINDOW
				  ? SMUX_V2_WINDOW : SMUX_V2_INITIAL_PEER_WINDOW;
	return s;
}

void smux_free(struct smux *s)
{
	if (!s)
		return;
	smux_table_free_all(&s->table);
	smux_fifo_release(&s->out);
	free(s);
}

void smux_die(struct smux *s, int err)
{
	if (s->dead == PROTO_OK)
		s->dead = err;
}

int smux_error(const struct smux *s)
{
	return s->dead;
}

struct smux_stream *smux_stream_add(struct smux *s, uint32_t id)
{
	struct smux_stream *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->id = id;
	st->peer_window = SMUX_V2_INITIAL_PEER_WINDOW;
	if (smux_table_insert(&s->table, st) != PROTO_OK) {
		free(st);
		return NULL;
	}
	return st;
}

/* ---- one handler per command ----------------------------------------------- */

static void on_syn(struct smux *s, uint32_t id)
{
	if (s->cfg.client) {
		smux_die(s, PROTO_E_SMUX_SYN);
		return;
	}
	if (smux_table_find(&s->table, id))
		return; /* already open: ignored, as the library does */
	if (s->table.count >= s->cfg.max_streams) {
		smux_die(s, PROTO_E_SMUX_STREAMS);
		return;
	}
	if (!smux_stream_add(s, id)) {
		smux_die(s, PROTO_E_NOMEM);
		return;
	}
	if (s->ops.on_open)
		s->ops.on_open(s->ctx, id);
}

static void on_fin(struct smux *s, uint32_t id)
{
	struct smux_stream *st = smux_table_find(&s->table, id);

	if (!st || st->fin_received)
		return; /* unknown (never opened, or closed here): ignored */
	st->fin_received = true;
	if (s->ops.on_fin)
		s->ops.on_fin(s->ctx, id);
}

/* The start of a PSH: in version 2 the stream must have room for all of it. */
static void on_psh_header(struct smux *s, uint32_t id, uint16_t length)
{
	struct smux_stream *st = smux_table_find(&s->table, id);

	if (s->cfg.version < 2 || !st || st->fin_received)
		return;
	if ((uint64_t)(uint32_t)(st->received - st->consumed) + length > s->window_limit)
		smux_die(s, PROTO_E_SMUX_WINDOW);
}

/* A slice of PSH data: to its stream if open and not finished, else dropped. */
static void on_psh_data(struct smux *s, uint32_t id, const uint8_t *data, size_t len)
{
	struct smux_stream *st = smux_table_find(&s->table, id);

	if (!st || st->fin_received)
		return;
	st->received += (uint32_t)len;
	if (s->ops.on_data)
		s->ops.on_data(s->ctx, id, data, len);
}

static void on_upd(struct smux *s, uint32_t id, const uint8_t body[UPD_BODY_LEN])
{
	struct smux_stream *st = smux_table_find(&s->table, id);

	if (st)
		smux_send_on_upd(s, st, le32_get(body), le32_get(body + 4));
}

/* ---- the parser -------------------------------------------------------------- */

static void frame_done(struct smux_rx *rx)
{
	rx->hdr_have = 0;
	rx->upd_have = 0;
}

/* The 8 header bytes are in: check them, and act on bodiless frames. */
static void begin_frame(struct smux *s)
{
	struct smux_rx *rx = &s->rx;
	int rc = smux_header_decode(rx->hdr_buf, s->cfg.version, &rx->hdr);

	if (rc != PROTO_OK) {
		smux_die(s, rc);
		return;
	}
	rx->body_left = rx->hdr.length;
	switch (rx->hdr.cmd) {
	case SMUX_CMD_SYN:
		on_syn(s, rx->hdr.stream_id);
		break;
	case SMUX_CMD_FIN:
		on_fin(s, rx->hdr.stream_id);
		break;
	case SMUX_CMD_PSH:
		on_psh_header(s, rx->hdr.stream_id, rx->hdr.length);
		break;
	default: /* NOP: only a sign of life; UPD: its body follows */
		break;
	}
	if (!rx->body_left)
		frame_done(rx);
}

/* Body bytes of the current frame; returns how many of len were used. */
static size_t frame_body(struct smux *s, const uint8_t *data, size_t len)
{
	struct smux_rx *rx = &s->rx;
	size_t n = len < rx->body_left ? len : rx->body_left;

	if (rx->hdr.cmd == SMUX_CMD_UPD) {
		memcpy(rx->upd_buf + rx->upd_have, data, n);
		rx->upd_have += n;
	} else {
		on_psh_data(s, rx->hdr.stream_id, data, n);
	}
	rx->body_left -= n;
	if (!rx->body_left) {
		if (rx->hdr.cmd == SMUX_CMD_UPD)
			on_upd(s, rx->hdr.stream_id, rx->upd_buf);
		frame_done(rx);
	}
	return n;
}

int smux_input(struct smux *s, const uint8_t *data, size_t len)
{
	struct smux_rx *rx = &s->rx;
	size_t pos = 0;

	if (s->dead != PROTO_OK)
		return s->dead;
	if (s->in_input)
		return PROTO_E_STATE;
	s->in_input = true;
	while (pos < len && s->dead == PROTO_OK) {
		if (rx->hdr_have < SMUX_HEADER_LEN) {
			size_t n = SMUX_HEADER_LEN - rx->hdr_have;

			if (n > len - pos)
				n = len - pos;
			memcpy(rx->hdr_buf + rx->hdr_have, data + pos, n);
			rx->hdr_have += n;
			pos += n;
			if (rx->hdr_have == SMUX_HEADER_LEN)
				begin_frame(s);
		} else {
			pos += frame_body(s, data + pos, len - pos);
		}
	}
	s->in_input = false;
	return s->dead;
}

/* ---- queries -------------------------------------------------------------------- */

size_t smux_pending(const struct smux *s)
{
	return s->out.len;
}

size_t smux_take(struct smux *s, uint8_t *out, size_t max)
{
	return smux_fifo_take(&s->out, out, max);
}

size_t smux_stream_count(const struct smux *s)
{
	return s->table.count;
}

bool smux_stream_open(const struct smux *s, uint32_t id)
{
	return smux_table_find(&s->table, id) != NULL;
}
