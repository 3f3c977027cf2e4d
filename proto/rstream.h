/*
 * rstream.h — the reliable stream of one data-channel endpoint (data-channel.md §6).
 *
 * One `struct rstream` per endpoint of a session: it numbers and keeps the
 * stream messages this side sends until the peer acknowledges them, resends them
 * on the round-trip-estimated timer, and on the receiving side acknowledges,
 * reorders, de-duplicates (re-acknowledging duplicates, §6.6) and delivers the
 * peer's messages strictly in order. It does no I/O and reads no clock: the owner
 * passes every received websocket message to rstream_input(), the current time
 * in milliseconds to every call, and calls rstream_tick() every
 * RSTREAM_TICK_MS while rstream_unacked() is non-zero. Frames go out through
 * ops->transmit, in-order messages come back through ops->deliver.
 *
 * Memory is bounded by the config: at most send_window_bytes of payload (and
 * send_window_msgs messages) waiting for acknowledgement — rstream_send() says
 * PROTO_E_WOULD_BLOCK beyond that, and the owner must stop reading its source —
 * and at most recv_buffer_bytes / recv_buffer_msgs of out-of-order frames held
 * for reordering; frames beyond that are dropped unacknowledged (the peer
 * resends them). Unacknowledged data is never evicted.
 *
 * Retransmission (§6.4): SRTT starts at 100 ms, RTTVAR at 0, RTO at 200 ms; each
 * acknowledgement of message m with R = now - m.last_sent updates
 * RTTVAR = 3/4 RTTVAR + 1/4 |SRTT - R|, SRTT = 7/8 SRTT + 1/8 R,
 * RTO = SRTT + max(10, 4 RTTVAR) capped at 1000 ms. On each tick every message
 * with now - last_sent > RTO is sent again, oldest first, at most
 * resends_per_tick of them, and its last_sent becomes now (so no message is
 * resent faster than once per RTO). A message resent more than max_resends times
 * makes rstream_tick() return PROTO_E_RESEND_LIMIT: the peer is gone.
 *
 * Publication (§7.2): with honour_publication set (the agent's side),
 * pause_publication stops transmission and resends (messages are still numbered
 * and kept), and start_publication — or any incoming stream data or acknowledge —
 * resumes and flushes the backlog at once.
 */
#ifndef POSTERN_RSTREAM_H
#define POSTERN_RSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"

#define RSTREAM_TICK_MS 100u
#define RSTREAM_INITIAL_SRTT_MS 100.0
#define RSTREAM_INITIAL_RTO_MS 200.0
#define RSTREAM_MIN_RTO_VAR_MS 10.0
#define RSTREAM_MAX_RTO_MS 1000.0

/* What ops->deliver returns. */
enum rstream_delivery {
	RSTREAM_DELIVERED = 0, /* consumed: acknowledge it and move on */
	RSTREAM_NOT_READY = 1, /* session not ready: leave unacknowledged (peer resends) */
};

/* What rstream_input() returns besides a negative proto_err. */
enum rstream_input_result {
	RSTREAM_CONSUMED = 0, /* stream data, acknowledge or publication: handled */
	RSTREAM_OTHER = 1,    /* a valid frame for the owner (channel_closed, ...) */
};

struct rstream_ops {
	/*
	 * Send one whole frame as one websocket binary message. The bytes are only
	 * valid during the call. Return 0 if queued, non-zero if the transport could
	 * not take it (the frame counts as lost; the resend timer recovers it).
	 */
	int (*transmit)(void *ctx, const uint8_t *frame, size_t len);
	/* The peer's next in-order stream message; f->payload valid during the call. */
	enum rstream_delivery (*deliver)(void *ctx, const struct frame *f);
	/* Fill buf with len random bytes (message ids). */
	void (*random_bytes)(void *ctx, uint8_t *buf, size_t len);
};

struct rstream_config {
	enum message_kind send_kind;  /* MSG_INPUT_STREAM_DATA (client) or MSG_OUTPUT_STREAM_DATA (agent) */
	size_t send_window_bytes;     /* unacknowledged payload bytes; 0 → 1 MiB */
	size_t send_window_msgs;      /* unacknowledged messages; 0 → 10 000 */
	size_t recv_buffer_bytes;     /* out-of-order frame bytes held; 0 → 1 MiB */
	size_t recv_buffer_msgs;      /* out-of-order frames held; 0 → 10 000 */
	unsigned max_resends;         /* resends of one message before giving up; 0 → 3000 */
	unsigned resends_per_tick;    /* 0 → 16 */
	size_t max_frame;             /* decode cap per message; 0 → FRAME_MAX_DEFAULT */
	bool honour_publication;      /* obey pause_publication / start_publication */
};

struct rstream_stats {
	size_t unacked_msgs, unacked_bytes;   /* send side, payload bytes */
	size_t buffered_msgs, buffered_bytes; /* receive side, frame bytes */
	uint64_t sent_msgs, resent_msgs;
	uint64_t delivered_msgs, delivered_bytes;
	uint64_t duplicates, dropped_full, not_ready;
	int64_t next_send_seq, expected_seq;
	double srtt_ms, rttvar_ms, rto_ms;
	bool paused;
};

struct rstream;

/* Allocate a stream. cfg is copied (zeros become defaults). NULL on OOM or a
 * send_kind that is not a stream type. */
struct rstream *rstream_new(const struct rstream_config *cfg,
			    const struct rstream_ops *ops, void *ctx);
void rstream_free(struct rstream *rs);

/*
 * Number, keep and transmit one stream message. Returns PROTO_OK,
 * PROTO_E_WOULD_BLOCK (window full: retry after acknowledgements arrive),
 * PROTO_E_TOO_LARGE (len can never fit the window or a frame),
 * PROTO_E_INVALID_ARG (empty payload: §2.8) or PROTO_E_NOMEM.
 */
int rstream_send(struct rstream *rs, uint32_t payload_type, const uint8_t *data,
		 size_t len, uint64_t now_ms);

/* Change the send window (payload bytes unacknowledged at most), e.g. once a
 * handshake shows the session moves bulk data. Shrinking it below what is
 * in flight only stops sending until acknowledgements catch up. */
void rstream_set_send_window(struct rstream *rs, size_t bytes);

/* Payload bytes rstream_send() would accept now (0 when the window is full). */
size_t rstream_send_room(const struct rstream *rs);

/*
 * Feed one received websocket message. Returns RSTREAM_CONSUMED, RSTREAM_OTHER
 * (then *other holds the decoded frame; its payload points into buf), or a
 * negative proto_err for a frame that failed validation (drop it; it is not
 * acknowledged) or PROTO_E_NOT_STREAM for this side's own stream type.
 */
int rstream_input(struct rstream *rs, const uint8_t *buf, size_t len,
		  uint64_t now_ms, struct frame *other);

/* Resend overdue messages. PROTO_OK, or PROTO_E_RESEND_LIMIT. */
int rstream_tick(struct rstream *rs, uint64_t now_ms);

/* Retry delivering buffered in-order messages after a RSTREAM_NOT_READY. */
void rstream_retry_delivery(struct rstream *rs);

void rstream_pause(struct rstream *rs);
void rstream_resume(struct rstream *rs, uint64_t now_ms);

/* Messages sent but not yet acknowledged. */
size_t rstream_unacked(const struct rstream *rs);

void rstream_get_stats(const struct rstream *rs, struct rstream_stats *out);

#endif
