/*
 * rstream_harness.h — a recording peer for reliable-stream unit tests.
 *
 * A `struct endpoint` wraps one rstream with ops that record every transmitted
 * frame (decoded header + raw copy), collect delivered payload bytes, can
 * answer RSTREAM_NOT_READY on demand, and draw message ids from a seeded PRNG.
 */
#ifndef POSTERN_RSTREAM_HARNESS_H
#define POSTERN_RSTREAM_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rstream.h"

struct sent_record {
	uint8_t *raw;
	size_t len;
	struct frame f; /* payload points into raw */
};

struct endpoint {
	struct rstream *rs;
	enum message_kind send_kind;
	uint64_t rng;
	/* transmissions, in order */
	struct sent_record *sent;
	size_t n_sent, cap_sent;
	/* delivered payload bytes, in order */
	uint8_t *got;
	size_t got_len, got_cap;
	size_t delivered_msgs;
	bool not_ready; /* answer RSTREAM_NOT_READY while set */
	/* optional hook: called for every transmission instead of recording it */
	void (*on_transmit)(void *hook_ctx, struct endpoint *from, const uint8_t *buf, size_t len);
	void *hook_ctx;
};

/* splitmix64: deterministic test randomness. */
uint64_t harness_rand(uint64_t *state);

/* Create an endpoint; cfg may be NULL for defaults with the given kind. */
void endpoint_init(struct endpoint *ep, enum message_kind send_kind,
		   const struct rstream_config *cfg, uint64_t seed);
void endpoint_fini(struct endpoint *ep);

/* Forget recorded transmissions. */
void endpoint_clear_sent(struct endpoint *ep);

/* Count recorded transmissions of one message kind. */
size_t endpoint_count_sent(const struct endpoint *ep, enum message_kind kind);

/* The i-th recorded transmission of a kind, or NULL. */
const struct sent_record *endpoint_nth_sent(const struct endpoint *ep,
					    enum message_kind kind, size_t i);

/* Build a peer stream frame (the kind ep receives) and feed it to ep. */
int endpoint_feed_stream(struct endpoint *ep, int64_t seq, const void *data,
			 size_t len, uint64_t now_ms);

/* Feed ep an acknowledge for its own message with this sequence number. */
int endpoint_feed_ack(struct endpoint *ep, int64_t seq, uint64_t now_ms);

/* Feed ep an unsequenced frame of this kind (pause/start_publication, ...). */
int endpoint_feed_control(struct endpoint *ep, enum message_kind kind, uint64_t now_ms);

#endif
