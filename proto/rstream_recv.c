/*
 * rstream_recv.c — the receiving half of the reliable stream: acknowledgements,
 * the reorder buffer, duplicate handling and in-order delivery
 * (data-channel.md §6.2, §6.3, §6.6, §6.7).
 *
 * Frames with expected < seq < expected + held_cap are acknowledged and held
 * (a copy of the raw frame, slot seq % held_cap); the one with seq == expected
 * is delivered, acknowledged only if the owner took it, and then held frames
 * are delivered for as long as they continue the sequence. Duplicates are
 * re-acknowledged so a lost acknowledgement never stalls the peer.
 */
#include "rstream_impl.h"
#include "payload.h"
#include "proto_err.h"

#include <stdlib.h>
#include <string.h>

static void send_ack(struct rstream *rs, const struct frame *f, uint64_t now_ms)
{
	struct payload_ack ack = {
		.message_id = f->message_id,
		.sequence_number = f->sequence_number,
		.is_sequential = true,
	};
	struct uuid id = rstream_new_id(rs);
	struct frame out;
	uint8_t *json = NULL, *wire = NULL;
	size_t json_len, wire_len;

	strcpy(ack.message_type, f->message_type);
	if (payload_ack_encode(&ack, &json, &json_len) != PROTO_OK)
		return; /* out of memory: the peer resends and we ack then */
	frame_init(&out, MSG_ACKNOWLEDGE, now_ms ? now_ms : 1, &id);
	out.payload = json;
	out.payload_len = json_len;
	wire_len = frame_encoded_len(&out);
	wire = malloc(wire_len);
	if (wire && frame_encode(&out, wire, wire_len, &wire_len) == PROTO_OK)
		(void)rs->ops.transmit(rs->ctx, wire, wire_len);
	free(wire);
	free(json);
}

static struct held_frame *held_slot(struct rstream *rs, int64_t seq)
{
	return &rs->held[(size_t)seq % rs->held_cap];
}

static void drop_held(struct rstream *rs, struct held_frame *h)
{
	if (!h->buf)
		return;
	rs->held_msgs--;
	rs->held_bytes -= h->len;
	free(h->buf);
	h->buf = NULL;
	h->len = 0;
}

static bool hold(struct rstream *rs, int64_t seq, const uint8_t *raw, size_t len)
{
	struct held_frame *h;

	if (!rs->held) {
		rs->held_cap = rs->cfg.recv_buffer_msgs;
		rs->held = calloc(rs->held_cap, sizeof(*rs->held));
		if (!rs->held)
			return false;
	}
	if ((uint64_t)(seq - rs->expected_seq) >= rs->held_cap)
		return false;
	h = held_slot(rs, seq);
	if (h->buf) /* a resend is byte-identical: keep the copy we have */
		return true;
	if (rs->held_bytes + len > rs->cfg.recv_buffer_bytes)
		return false;
	h->buf = malloc(len);
	if (!h->buf)
		return false;
	memcpy(h->buf, raw, len);
	h->len = len;
	rs->held_msgs++;
	rs->held_bytes += len;
	return true;
}

static bool deliver(struct rstream *rs, const struct frame *f)
{
	if (rs->ops.deliver(rs->ctx, f) == RSTREAM_NOT_READY) {
		rs->counters.not_ready++;
		return false;
	}
	rs->counters.delivered_msgs++;
	rs->counters.delivered_bytes += f->payload_len;
	return true;
}

/* Move past `expected`, forgetting any held copy of it. */
static void advance(struct rstream *rs)
{
	if (rs->held)
		drop_held(rs, held_slot(rs, rs->expected_seq));
	rs->expected_seq++;
}

/* Deliver held frames that continue the sequence, until a gap or NOT_READY. */
static void drain_held(struct rstream *rs)
{
	while (rs->held && rs->held_msgs) {
		struct held_frame *h = held_slot(rs, rs->expected_seq);
		struct frame f;

		if (!h->buf)
			return;
		/* Held frames were validated on arrival; decoding again cannot fail. */
		if (frame_decode(h->buf, h->len, rs->cfg.max_frame, &f) != PROTO_OK ||
		    f.sequence_number != rs->expected_seq) {
			drop_held(rs, h);
			return;
		}
		if (!deliver(rs, &f))
			return;
		advance(rs);
	}
}

void rstream_on_stream_frame(struct rstream *rs, const struct frame *f,
			     const uint8_t *raw, size_t raw_len, uint64_t now_ms)
{
	int64_t seq = f->sequence_number;

	if (seq < rs->expected_seq) {
		rs->counters.duplicates++;
		send_ack(rs, f, now_ms);
		return;
	}
	if (seq > rs->expected_seq) {
		if (hold(rs, seq, raw, raw_len))
			send_ack(rs, f, now_ms);
		else
			rs->counters.dropped_full++;
		return;
	}
	if (!deliver(rs, f))
		return;
	send_ack(rs, f, now_ms);
	advance(rs);
	drain_held(rs);
}

void rstream_retry_delivery(struct rstream *rs)
{
	drain_held(rs);
}

void rstream_recv_release_all(struct rstream *rs)
{
	if (rs->held)
		for (size_t i = 0; i < rs->held_cap; i++)
			free(rs->held[i].buf);
	free(rs->held);
	rs->held = NULL;
	rs->held_cap = 0;
	rs->held_msgs = 0;
	rs->held_bytes = 0;
}
