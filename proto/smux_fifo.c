/*
 * smux_fifo.c — the smux session's pending output: a ring of bytes that grows
 * by doubling when a frame does not fit. Once drained it keeps its buffer if
 * that is no larger than f->keep (so a bulk transfer that fills and drains it
 * over and over does not reallocate each time), and releases a larger one, so
 * a burst of control frames does not pin its memory for the rest of the
 * session. The bound on its size is the session's business (smux_send.c:
 * data only up to tx_cap); this file only keeps bytes in order.
 */
#include "proto_err.h"
#include "smux_impl.h"

#include <stdlib.h>
#include <string.h>

#define INITIAL_CAP 4096u

/* Copy the first n (<= len) bytes out without dropping them. */
static void peek(const struct smux_fifo *f, uint8_t *out, size_t n)
{
	size_t first = f->cap - f->head < n ? f->cap - f->head : n;

	if (!n)
		return;
	memcpy(out, f->buf + f->head, first);
	memcpy(out + first, f->buf, n - first);
}

/* Room for len more bytes is reserved. */
static void append(struct smux_fifo *f, const uint8_t *data, size_t len)
{
	size_t tail, first;

	if (!len)
		return;
	tail = (f->head + f->len) & (f->cap - 1);
	first = f->cap - tail < len ? f->cap - tail : len;
	memcpy(f->buf + tail, data, first);
	memcpy(f->buf, data + first, len - first);
	f->len += len;
}

static int reserve(struct smux_fifo *f, size_t more)
{
	size_t need = f->len + more, new_cap = f->cap ? f->cap : INITIAL_CAP;
	uint8_t *buf;

	if (need < f->len)
		return PROTO_E_NOMEM;
	if (need <= f->cap || !more)
		return PROTO_OK;
	while (new_cap < need) {
		if (new_cap > SIZE_MAX / 2)
			return PROTO_E_NOMEM;
		new_cap *= 2;
	}
	buf = malloc(new_cap);
	if (!buf)
		return PROTO_E_NOMEM;
	peek(f, buf, f->len); /* unwrapped: the head moves to 0 */
	free(f->buf);
	f->buf = buf;
	f->cap = new_cap;
	f->head = 0;
	return PROTO_OK;
}

int smux_fifo_push(struct smux_fifo *f, const uint8_t *a, size_t alen,
		   const uint8_t *b, size_t blen)
{
	int rc;

	if (alen + blen < alen)
		return PROTO_E_NOMEM;
	rc = reserve(f, alen + blen);
	if (rc != PROTO_OK)
		return rc;
	append(f, a, alen);
	append(f, b, blen);
	return PROTO_OK;
}

size_t smux_fifo_take(struct smux_fifo *f, uint8_t *out, size_t max)
{
	size_t n = f->len < max ? f->len : max;

	peek(f, out, n);
	f->len -= n;
	f->head = f->len ? (f->head + n) & (f->cap - 1) : 0;
	if (!f->len && f->cap > f->keep)
		smux_fifo_release(f);
	return n;
}

void smux_fifo_release(struct smux_fifo *f)
{
	free(f->buf);
	f->buf = NULL;
	f->cap = f->head = f->len = 0; /* keep stays */
}
