/*
 * msg_queue.h — a FIFO of whole websocket messages waiting to be written,
 * each stored with LWS_PRE bytes of headroom so it can be handed to lws_write
 * as is, with a running byte count so owners can bound it.
 */
#ifndef POSTERN_BROKER_MSG_QUEUE_H
#define POSTERN_BROKER_MSG_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lws;

struct msg_queue {
	struct queued_msg *head, *tail;
	size_t bytes; /* payload bytes queued */
	size_t count;
};

/* Append a copy of data[0..len). 0, or -1 on allocation failure. */
int msg_queue_push(struct msg_queue *q, const uint8_t *data, size_t len, bool binary);

/*
 * Write the oldest message to wsi (one lws_write) and drop it. Returns 1 if a
 * message was written, 0 if the queue was empty, -1 if the write failed.
 */
int msg_queue_write_one(struct msg_queue *q, struct lws *wsi);

void msg_queue_clear(struct msg_queue *q);

#endif
