/*
 * rstream.c — reliable stream lifecycle, input dispatch and publication state.
 * Sending and retransmission live in rstream_send.c, receiving in rstream_recv.c.
 */
#include "rstream_impl.h"
#include "payload.h"
#include "proto_err.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_WINDOW_BYTES (1024u * 1024u)
#define DEFAULT_WINDOW_MSGS 10000u
#define DEFAULT_MAX_RESENDS 3000u
#define DEFAULT_RESENDS_PER_TICK 16u

static size_t or_default(size_t v, size_t dflt)
{
	return v ? v : dflt;
}

struct rstream *rstream_new(const struct rstream_config *cfg,
			    const struct rstream_ops *ops, void *ctx)
{
	struct rstream *rs;

	if (cfg->send_kind != MSG_INPUT_STREAM_DATA && cfg->send_kind != MSG_OUTPUT_STREAM_DATA)
		return NULL;
	rs = calloc(1, sizeof(*rs));
	if (!rs)
		return NULL;
	rs->cfg = *cfg;
	rs->cfg.send_window_bytes = or_default(cfg->send_window_bytes, DEFAULT_WINDOW_BYTES);
	rs->cfg.send_window_msgs = or_default(cfg->send_window_msgs, DEFAULT_WINDOW_MSGS);
	rs->cfg.recv_buffer_bytes = or_default(cfg->recv_buffer_bytes, DEFAULT_WINDOW_BYTES);
	rs->cfg.recv_buffer_msgs = or_default(cfg->recv_buffer_msgs, DEFAULT_WINDOW_MSGS);
	rs->cfg.max_resends = (unsigned)or_default(cfg->max_resends, DEFAULT_MAX_RESENDS);
	rs->cfg.resends_per_tick = (unsigned)or_default(cfg->resends_per_tick, DEFAULT_RESENDS_PER_TICK);
	rs->cfg.max_frame = or_default(cfg->max_frame, FRAME_MAX_DEFAULT);
	rs->ops = *ops;
	rs->ctx = ctx;
	rs->recv_kind = cfg->send_kind == MSG_INPUT_STREAM_DATA ? MSG_OUTPUT_STREAM_DATA
								: MSG_INPUT_STREAM_DATA;
	rs->srtt_ms = RSTREAM_INITIAL_SRTT_MS;
	rs->rttvar_ms = 0;
	rs->rto_ms = RSTREAM_INITIAL_RTO_MS;
	return rs;
}

void rstream_free(struct rstream *rs)
{
	if (!rs)
		return;
	rstream_send_release_all(rs);
	rstream_recv_release_all(rs);
	free(rs);
}

struct uuid rstream_new_id(struct rstream *rs)
{
	uint8_t random16[UUID_LEN];

	rs->ops.random_bytes(rs->ctx, random16, sizeof(random16));
	return uuid_v4_from_bytes(random16);
}

static void handle_ack(struct rstream *rs, const struct frame *f, uint64_t now_ms)
{
	struct payload_ack ack;

	/* An ack that does not parse is dropped like any invalid frame. */
	if (payload_ack_decode(f->payload, f->payload_len, &ack) != PROTO_OK)
		return;
	rstream_on_ack(rs, ack.sequence_number, now_ms);
}

/* Any sign of life from the peer ends a pause (§7.2). */
static void peer_active(struct rstream *rs, uint64_t now_ms)
{
	if (rs->paused && rs->cfg.honour_publication)
		rstream_resume(rs, now_ms);
}

int rstream_input(struct rstream *rs, const uint8_t *buf, size_t len,
		  uint64_t now_ms, struct frame *other)
{
	struct frame f;
	enum message_kind kind;
	int rc = frame_decode(buf, len, rs->cfg.max_frame, &f);

	if (rc != PROTO_OK)
		return rc;
	kind = message_kind_of(f.message_type);
	if (kind == rs->recv_kind) {
		peer_active(rs, now_ms);
		rstream_on_stream_frame(rs, &f, buf, len, now_ms);
		return RSTREAM_CONSUMED;
	}
	if (kind == rs->cfg.send_kind)
		return PROTO_E_NOT_STREAM;
	if (kind == MSG_ACKNOWLEDGE) {
		peer_active(rs, now_ms);
		handle_ack(rs, &f, now_ms);
		return RSTREAM_CONSUMED;
	}
	if (rs->cfg.honour_publication && kind == MSG_PAUSE_PUBLICATION) {
		rstream_pause(rs);
		return RSTREAM_CONSUMED;
	}
	if (rs->cfg.honour_publication && kind == MSG_START_PUBLICATION) {
		rstream_resume(rs, now_ms);
		return RSTREAM_CONSUMED;
	}
	*other = f;
	return RSTREAM_OTHER;
}

void rstream_pause(struct rstream *rs)
{
	rs->paused = true;
}

void rstream_resume(struct rstream *rs, uint64_t now_ms)
{
	if (!rs->paused)
		return;
	rs->paused = false;
	rstream_flush_unsent(rs, now_ms);
}

size_t rstream_unacked(const struct rstream *rs)
{
	return rs->unacked_msgs;
}

void rstream_get_stats(const struct rstream *rs, struct rstream_stats *out)
{
	*out = rs->counters;
	out->unacked_msgs = rs->unacked_msgs;
	out->unacked_bytes = rs->unacked_bytes;
	out->buffered_msgs = rs->held_msgs;
	out->buffered_bytes = rs->held_bytes;
	out->next_send_seq = rs->next_seq;
	out->expected_seq = rs->expected_seq;
	out->srtt_ms = rs->srtt_ms;
	out->rttvar_ms = rs->rttvar_ms;
	out->rto_ms = rs->rto_ms;
	out->paused = rs->paused;
}
