/*
 * rstream_impl.h — the reliable stream's private state, shared by rstream.c
 * (lifecycle, input dispatch, publication), rstream_send.c (numbering, unacked
 * window, retransmission) and rstream_recv.c (acknowledging, reordering,
 * delivery). Not for use outside those files.
 */
#ifndef POSTERN_RSTREAM_IMPL_H
#define POSTERN_RSTREAM_IMPL_H

#include "rstream.h"

/* One message this side sent and the peer has not acknowledged. */
struct sent_msg {
	uint8_t *frame;      /* encoded frame, resent byte for byte */
	size_t frame_len;
	size_t payload_len;  /* what counts against send_window_bytes */
	uint64_t last_sent;  /* ms; meaningful once transmitted */
	unsigned resends;
	bool transmitted;    /* false while held back by pause_publication */
	bool acked;          /* acknowledged, waiting to be released in order */
};

/* One out-of-order frame of the peer, already acknowledged. */
struct held_frame {
	uint8_t *buf; /* NULL: slot empty */
	size_t len;
};

struct rstream {
	struct rstream_config cfg;
	struct rstream_ops ops;
	void *ctx;
	enum message_kind recv_kind; /* the peer's stream type */

	/* send side: ring of messages base_seq .. next_seq-1 */
	struct sent_msg *ring;
	size_t ring_cap, ring_head;
	int64_t base_seq, next_seq;
	size_t unacked_msgs, unacked_bytes;
	double srtt_ms, rttvar_ms, rto_ms;
	bool paused;

	/* receive side: frames expected+1 .. expected+held_cap-1, slot seq % held_cap */
	struct held_frame *held;
	size_t held_cap;
	int64_t expected_seq;
	size_t held_msgs, held_bytes;

	struct rstream_stats counters; /* the monotonic counters only */
};

/* rstream_send.c */
void rstream_send_release_all(struct rstream *rs);
void rstream_on_ack(struct rstream *rs, int64_t seq, uint64_t now_ms);
void rstream_flush_unsent(struct rstream *rs, uint64_t now_ms);

/* rstream_recv.c */
void rstream_recv_release_all(struct rstream *rs);
void rstream_on_stream_frame(struct rstream *rs, const struct frame *f,
			     const uint8_t *raw, size_t raw_len, uint64_t now_ms);

/* rstream.c: a fresh random message id */
struct uuid rstream_new_id(struct rstream *rs);

#endif
