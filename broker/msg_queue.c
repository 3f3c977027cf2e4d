/*
 * msg_queue.c — FIFO of outgoing websocket messages with lws headroom.
 */
#include "msg_queue.h"

#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>

struct queued_msg {
	struct queued_msg *next;
	size_t len;
	bool binary;
	uint8_t data[]; /* LWS_PRE bytes of headroom, then len bytes */
};

int msg_queue_push(struct msg_queue *q, const uint8_t *data, size_t len, bool binary)
{
	struct queued_msg *m = malloc(sizeof(*m) + LWS_PRE + len);

	if (!m)
		return -1;
	m->next = NULL;
	m->len = len;
	m->binary = binary;
	memcpy(m->data + LWS_PRE, data, len);
	if (q->tail)
		q->tail->next = m;
	else
		q->head = m;
	q->tail = m;
	q->bytes += len;
	q->count++;
	return 0;
}

int msg_queue_write_one(struct msg_queue *q, struct lws *wsi)
{
	struct queued_msg *m = q->head;
	int n;

	if (!m)
		return 0;
	n = lws_write(wsi, m->data + LWS_PRE, m->len, m->binary ? LWS_WRITE_BINARY : LWS_WRITE_TEXT);
	q->head = m->next;
	if (!q->head)
		q->tail = NULL;
	q->bytes -= m->len;
	q->count--;
	free(m);
	return n < 0 ? -1 : 1;
}

void msg_queue_clear(struct msg_queue *q)
{
	while (q->head) {
		struct queued_msg *m = q->head;

		q->head = m->next;
		free(m);
	}
	q->tail = NULL;
	q->bytes = 0;
	q->count = 0;
}
