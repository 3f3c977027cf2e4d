/*
 * rstream_send.c — the sending half of the reliable stream: sequence numbering,
 * the window of unacknowledged messages, the round-trip estimate and resends
 * (data-channel.md §6.1, §6.3–§6.5).
 *
 * The window is a ring of struct sent_msg for sequence numbers base_seq ..
 * next_seq-1. Acknowledgements may arrive in any order: an acknowledged message
 * frees its frame at once and the ring's head advances past every acknowledged
 * message at the front.
 */
#include "rstream_impl.h"
#include "proto_err.h"

#include <stdlib.h>
#include <string.h>

static struct sent_msg *slot(struct rstream *rs, int64_t seq)
{
	size_t offset = (size_t)(seq - rs->base_seq);

	return &rs->ring[(rs->ring_head + offset) % rs->ring_cap];
}

static size_t in_ring(const struct rstream *rs)
{
	return (size_t)(rs->next_seq - rs->base_seq);
}

/* Make room for one more message in the ring, growing it up to the window. */
static int ring_reserve(struct rstream *rs)
{
	size_t count = in_ring(rs), new_cap;
	struct sent_msg *grown;

	if (count < rs->ring_cap)
		return PROTO_OK;
	new_cap = rs->ring_cap ? rs->ring_cap * 2 : 64;
	grown = calloc(new_cap, sizeof(*grown));
	if (!grown)
		return PROTO_E_NOMEM;
	for (size_t i = 0; i < count; i++)
		grown[i] = rs->ring[(rs->ring_head + i) % rs->ring_cap];
	free(rs->ring);
	rs->ring = grown;
	rs->ring_cap = new_cap;
	rs->ring_head = 0;
	return PROTO_OK;
}

size_t rstream_send_room(const struct rstream *rs)
{
	if (rs->unacked_msgs >= rs->cfg.send_window_msgs ||
	    in_ring(rs) >= rs->cfg.send_window_msgs)
		return 0;
	return rs->unacked_bytes < rs->cfg.send_window_bytes
		       ? rs->cfg.send_window_bytes - rs->unacked_bytes
		       : 0;
}

void rstream_set_send_window(struct rstream *rs, size_t bytes)
{
	if (bytes)
		rs->cfg.send_window_bytes = bytes;
}

/* Flags the official senders use (data-channel.md §2.5). */
static uint64_t stream_flags(const struct rstream *rs, int64_t seq)
{
	return rs->cfg.send_kind == MSG_OUTPUT_STREAM_DATA && seq == 0 ? FRAME_FLAG_SYN : 0;
}

static void transmit(struct rstream *rs, struct sent_msg *m, uint64_t now_ms)
{
	/* A refused transmission counts as a loss: the resend timer recovers it. */
	(void)rs->ops.transmit(rs->ctx, m->frame, m->frame_len);
	m->transmitted = true;
	m->last_sent = now_ms;
}

static int encode_message(struct rstream *rs, uint32_t payload_type, const uint8_t *data,
			  size_t len, uint64_t now_ms, struct sent_msg *m)
{
	struct uuid id = rstream_new_id(rs);
	struct frame f;
	int rc;

	frame_init(&f, rs->cfg.send_kind, now_ms ? now_ms : 1, &id);
	f.sequence_number = rs->next_seq;
	f.flags = stream_flags(rs, rs->next_seq);
	f.payload_type = payload_type;
	f.payload = data;
	f.payload_len = len;
	m->frame_len = frame_encoded_len(&f);
	m->frame = malloc(m->frame_len);
	if (!m->frame)
		return PROTO_E_NOMEM;
	rc = frame_encode(&f, m->frame, m->frame_len, &m->frame_len);
	if (rc != PROTO_OK) {
		free(m->frame);
		m->frame = NULL;
	}
	return rc;
}

int rstream_send(struct rstream *rs, uint32_t payload_type, const uint8_t *data,
		 size_t len, uint64_t now_ms)
{
	struct sent_msg m = {0};
	int rc;

	if (len == 0)
		return PROTO_E_INVALID_ARG;
	if (len > rs->cfg.send_window_bytes || FRAME_PAYLOAD_OFFSET + len > rs->cfg.max_frame)
		return PROTO_E_TOO_LARGE;
	if (len > rstream_send_room(rs))
		return PROTO_E_WOULD_BLOCK;
	rc = ring_reserve(rs);
	if (rc == PROTO_OK)
		rc = encode_message(rs, payload_type, data, len, now_ms, &m);
	if (rc != PROTO_OK)
		return rc;
	m.payload_len = len;
	rs->next_seq++;
	*slot(rs, rs->next_seq - 1) = m;
	rs->unacked_msgs++;
	rs->unacked_bytes += len;
	rs->counters.sent_msgs++;
	if (!rs->paused)
		transmit(rs, slot(rs, rs->next_seq - 1), now_ms);
	return PROTO_OK;
}

/* §6.4: update the estimate from one round-trip sample. */
static void rtt_sample(struct rstream *rs, double r_ms)
{
	double deviation = rs->srtt_ms > r_ms ? rs->srtt_ms - r_ms : r_ms - rs->srtt_ms;
	double var_term;

	rs->rttvar_ms = 0.75 * rs->rttvar_ms + 0.25 * deviation;
	rs->srtt_ms = 0.875 * rs->srtt_ms + 0.125 * r_ms;
	var_term = 4.0 * rs->rttvar_ms;
	if (var_term < RSTREAM_MIN_RTO_VAR_MS)
		var_term = RSTREAM_MIN_RTO_VAR_MS;
	rs->rto_ms = rs->srtt_ms + var_term;
	if (rs->rto_ms > RSTREAM_MAX_RTO_MS)
		rs->rto_ms = RSTREAM_MAX_RTO_MS;
}

static void release_head(struct rstream *rs)
{
	while (rs->base_seq < rs->next_seq && slot(rs, rs->base_seq)->acked) {
		memset(slot(rs, rs->base_seq), 0, sizeof(struct sent_msg));
		rs->ring_head = (rs->ring_head + 1) % rs->ring_cap;
		rs->base_seq++;
	}
}

void rstream_on_ack(struct rstream *rs, int64_t seq, uint64_t now_ms)
{
	struct sent_msg *m;

	if (seq < rs->base_seq || seq >= rs->next_seq)
		return; /* unknown or long released: ignored (§6.3) */
	m = slot(rs, seq);
	if (m->acked)
		return;
	if (m->transmitted)
		rtt_sample(rs, now_ms >= m->last_sent ? (double)(now_ms - m->last_sent) : 0.0);
	free(m->frame);
	m->frame = NULL;
	m->acked = true;
	rs->unacked_msgs--;
	rs->unacked_bytes -= m->payload_len;
	release_head(rs);
}

int rstream_tick(struct rstream *rs, uint64_t now_ms)
{
	unsigned budget = rs->cfg.resends_per_tick;

	if (rs->paused)
		return PROTO_OK;
	for (int64_t seq = rs->base_seq; seq < rs->next_seq && budget; seq++) {
		struct sent_msg *m = slot(rs, seq);

		if (m->acked || !m->transmitted || now_ms < m->last_sent ||
		    (double)(now_ms - m->last_sent) <= rs->rto_ms)
			continue;
		if (m->resends >= rs->cfg.max_resends)
			return PROTO_E_RESEND_LIMIT;
		m->resends++;
		rs->counters.resent_msgs++;
		budget--;
		transmit(rs, m, now_ms);
	}
	return PROTO_OK;
}

void rstream_flush_unsent(struct rstream *rs, uint64_t now_ms)
{
	for (int64_t seq = rs->base_seq; seq < rs->next_seq; seq++) {
		struct sent_msg *m = slot(rs, seq);

		if (!m->acked && !m->transmitted)
			transmit(rs, m, now_ms);
	}
}

void rstream_send_release_all(struct rstream *rs)
{
	for (int64_t seq = rs->base_seq; seq < rs->next_seq; seq++)
		free(slot(rs, seq)->frame);
	free(rs->ring);
	rs->ring = NULL;
	rs->ring_cap = 0;
}
