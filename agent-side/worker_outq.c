/*
 * worker_outq.c — bounded FIFO of outgoing websocket messages (see
 * worker_outq.h).
 */
#include "worker_outq.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

void worker_outq_init(struct worker_outq *q, size_t headroom, size_t cap_bytes)
{
	memset(q, 0, sizeof(*q));
	q->headroom = headroom;
	q->cap_bytes = cap_bytes;
}

int worker_outq_push(struct worker_outq *q, const uint8_t *data, size_t len, bool text)
{
	struct worker_outq_msg *m;

	if (len > q->cap_bytes - q->bytes)
		return -1;
	m = malloc(sizeof(*m) + q->headroom + len);
	if (!m)
		return -1;
	m->next = NULL;
	m->text = text;
	m->len = len;
	memcpy(m->data + q->headroom, data, len);
	if (q->tail)
		q->tail->next = m;
	else
		q->head = m;
	q->tail = m;
	q->bytes += len;
	q->count++;
	return 0;
}

struct worker_outq_msg *worker_outq_peek(const struct worker_outq *q)
{
	return q->head;
}

void worker_outq_pop(struct worker_outq *q)
{
	struct worker_outq_msg *m = q->head;

	if (!m)
		return;
	q->head = m->next;
	if (!q->head)
		q->tail = NULL;
	q->bytes -= m->len;
	q->count--;
	if (m->text) /* OpenDataChannel carries the session token: leave nothing behind */
		OPENSSL_cleanse(m->data + q->headroom, m->len);
	free(m);
}

void worker_outq_clear(struct worker_outq *q)
{
	while (q->head)
		worker_outq_pop(q);
}
