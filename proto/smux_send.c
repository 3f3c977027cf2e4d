/*
 * smux_send.c — the frames this side of an smux session emits: SYN
 * (smux_open), PSH (smux_write), FIN (smux_shutdown, smux_close), NOP
 * (smux_keepalive) and, in version 2, UPD (smux_consumed), plus the version 2
 * send window each received UPD moves (smux.md §4.2).
 *
 * Every frame goes whole into the pending-output FIFO. Data fills it only up
 * to tx_cap, headers included; control frames are always taken, so closing or
 * acknowledging never waits behind data. Version 2 window arithmetic is
 * uint32 and wraps: bytes in flight are written − peer_consumed mod 2^32.
 */
#include "byteorder.h"
#include "proto_err.h"
#include "smux_impl.h"

#include <stdlib.h>

#define UPD_BODY_LEN 8u

int smux_send_frame(struct smux *s, uint8_t cmd, uint32_t id, const uint8_t *data,
		    size_t len)
{
	struct smux_header h = {s->cfg.version, cmd, (uint16_t)len, id};
	uint8_t hdr[SMUX_HEADER_LEN];
	bool was_empty = s->out.len == 0;
	int rc;

	smux_header_encode(&h, hdr);
	rc = smux_fifo_push(&s->out, hdr, sizeof(hdr), data, len);
	if (rc != PROTO_OK) {
		smux_die(s, rc);
		return rc;
	}
	if (was_empty && s->ops.on_output)
		s->ops.on_output(s->ctx);
	return PROTO_OK;
}

/* Data bytes that fit the FIFO below tx_cap, as PSH frames of frame_data. */
static size_t fifo_room(const struct smux *s)
{
	size_t per = s->cfg.frame_data + SMUX_HEADER_LEN, avail, rem;

	if (s->out.len >= s->cfg.tx_cap)
		return 0;
	avail = s->cfg.tx_cap - s->out.len;
	rem = avail % per;
	return avail / per * s->cfg.frame_data + (rem > SMUX_HEADER_LEN ? rem - SMUX_HEADER_LEN : 0);
}

/* Version 2: data bytes the peer's window still allows (SIZE_MAX in v1). */
static size_t window_room(const struct smux *s, const struct smux_stream *st)
{
	uint32_t inflight = st->written - st->peer_consumed;

	if (s->cfg.version < 2)
		return SIZE_MAX;
	return inflight >= st->peer_window ? 0 : st->peer_window - inflight;
}

size_t smux_write_room(const struct smux *s, uint32_t id)
{
	const struct smux_stream *st = smux_table_find(&s->table, id);
	size_t fifo, win;

	if (!st || st->fin_sent || s->dead != PROTO_OK)
		return 0;
	fifo = fifo_room(s);
	win = window_room(s, st);
	return fifo < win ? fifo : win;
}

long smux_write(struct smux *s, uint32_t id, const uint8_t *data, size_t len)
{
	struct smux_stream *st = smux_table_find(&s->table, id);
	size_t win, n, done = 0;

	if (!st || st->fin_sent || s->dead != PROTO_OK)
		return PROTO_E_STATE;
	win = window_room(s, st);
	n = fifo_room(s);
	if (win < n)
		n = win;
	if (len < n)
		n = len;
	if (n < len && n == win)
		st->window_blocked = true; /* on_writable once a UPD opens it */
	while (done < n) {
		size_t chunk = n - done < s->cfg.frame_data ? n - done : s->cfg.frame_data;
		int rc = smux_send_frame(s, SMUX_CMD_PSH, id, data + done, chunk);

		if (rc != PROTO_OK)
			return rc;
		done += chunk;
	}
	st->written += (uint32_t)n;
	return (long)n;
}

void smux_send_on_upd(struct smux *s, struct smux_stream *st, uint32_t consumed,
		      uint32_t window)
{
	bool blocked = st->window_blocked || window_room(s, st) == 0;

	/* A peer claiming to have consumed more than was written is ignored. */
	if ((uint32_t)(st->written - consumed) > INT32_MAX)
		return;
	st->peer_consumed = consumed;
	st->peer_window = window;
	if (!blocked || st->fin_sent || window_room(s, st) == 0)
		return;
	st->window_blocked = false;
	if (s->ops.on_writable)
		s->ops.on_writable(s->ctx, st->id); /* st may be gone after this */
}

void smux_consumed(struct smux *s, uint32_t id, size_t n)
{
	struct smux_stream *st = smux_table_find(&s->table, id);
	uint32_t unconsumed;
	uint8_t body[UPD_BODY_LEN];

	if (s->cfg.version < 2 || !st || s->dead != PROTO_OK)
		return;
	unconsumed = st->received - st->consumed;
	if (n > unconsumed)
		n = unconsumed; /* never announce bytes that did not arrive */
	if (!n)
		return;
	st->consumed += (uint32_t)n;
	if (st->upd_sent && st->consumed - st->upd_consumed < SMUX_V2_WINDOW / 2)
		return;
	le32_put(body, st->consumed);
	le32_put(body + 4, SMUX_V2_WINDOW);
	if (smux_send_frame(s, SMUX_CMD_UPD, id, body, sizeof(body)) != PROTO_OK)
		return;
	st->upd_sent = true;
	st->upd_consumed = st->consumed;
}

int smux_open(struct smux *s, uint32_t *id)
{
	struct smux_stream *st;
	uint32_t next;

	if (!s->cfg.client || s->dead != PROTO_OK)
		return PROTO_E_STATE;
	if (s->table.count >= s->cfg.max_streams || s->last_id > UINT32_MAX - 2)
		return PROTO_E_SMUX_STREAMS; /* the library's "go away" */
	next = s->last_id + 2;
	st = smux_stream_add(s, next);
	if (!st)
		return PROTO_E_NOMEM;
	s->last_id = next;
	*id = next;
	return smux_send_frame(s, SMUX_CMD_SYN, next, NULL, 0);
}

int smux_shutdown(struct smux *s, uint32_t id)
{
	struct smux_stream *st = smux_table_find(&s->table, id);
	int rc;

	if (!st || s->dead != PROTO_OK)
		return PROTO_E_STATE;
	if (st->fin_sent)
		return PROTO_OK;
	rc = smux_send_frame(s, SMUX_CMD_FIN, id, NULL, 0);
	if (rc == PROTO_OK)
		st->fin_sent = true;
	return rc;
}

void smux_close(struct smux *s, uint32_t id)
{
	struct smux_stream *st = smux_table_find(&s->table, id);

	if (!st)
		return;
	if (!st->fin_sent && s->dead == PROTO_OK)
		(void)smux_send_frame(s, SMUX_CMD_FIN, id, NULL, 0); /* failure kills s */
	smux_table_remove(&s->table, id);
	free(st);
}

void smux_keepalive(struct smux *s)
{
	if (s->dead == PROTO_OK)
		(void)smux_send_frame(s, SMUX_CMD_NOP, 0, NULL, 0);
}
