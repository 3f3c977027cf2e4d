/*
 * worker_outq.h — the worker's queue of whole websocket messages waiting to
 * be written, oldest first, each stored behind `headroom` spare bytes (the
 * transport's LWS_PRE) so it can be handed to the writer in place. The
 * queue is bounded in bytes: a message that would exceed the bound is
 * refused, and the caller treats it as lost (the reliable stream resends
 * data; acknowledgements are resent by the peer's resends). Knows nothing
 * of the transport.
 */
#ifndef POSTERN_WORKER_OUTQ_H
#define POSTERN_WORKER_OUTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct worker_outq_msg {
	struct worker_outq_msg *next;
	bool text;     /* a websocket text message (else binary) */
	size_t len;    /* message bytes, stored at data + headroom */
	uint8_t data[];
};

struct worker_outq {
	struct worker_outq_msg *head, *tail;
	size_t headroom;
	size_t cap_bytes; /* most message bytes held */
	size_t bytes, count;
};

void worker_outq_init(struct worker_outq *q, size_t headroom, size_t cap_bytes);

/* Append a copy of data[0..len). 0, or -1 (over the cap, or out of memory). */
int worker_outq_push(struct worker_outq *q, const uint8_t *data, size_t len, bool text);

/* The oldest message, or NULL. Its bytes start at msg->data + q->headroom. */
struct worker_outq_msg *worker_outq_peek(const struct worker_outq *q);

/* Drop the oldest message. */
void worker_outq_pop(struct worker_outq *q);

void worker_outq_clear(struct worker_outq *q);

#endif
