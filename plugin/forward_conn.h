/*
 * forward_conn.h — one local connection of a port session (an application that
 * connected to the listener), adopted into the event loop as a raw socket.
 * Transport only: what the bytes mean (smux stream, basic relay) is the
 * owner's business.
 *
 * Input: lws reads at most LOOP_READ_MAX bytes at a time into the
 * connection's stash and calls ops->on_input; the owner takes what it can
 * (forward_conn_input, forward_conn_consume). Reading goes on only while the owner
 * wants input (forward_conn_want_input) and the stash is empty, so a
 * connection holds at most one read the owner has not taken.
 *
 * Output: forward_conn_write queues bytes (in chunks of LOOP_READ_MAX with
 * LWS_PRE headroom; the owner bounds the total with forward_conn_queued); they go
 * out from WRITEABLE, one lws_write per callback, and ops->on_written reports
 * each amount handed to the socket.
 *
 * End: EOF, an error, or forward_conn_close() once its queue is written closes
 * the socket; ops->on_closed then reports it once. The struct stays valid —
 * its stash still readable — until the owner calls forward_conn_free(), the only
 * way it is released (also right inside on_closed).
 */
#ifndef POSTERN_FORWARD_CONN_H
#define POSTERN_FORWARD_CONN_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loop.h"

/* Bytes queued toward one local connection above which the owner stops
 * taking the agent's output (at least smux's v2 window, so a v2 peer that
 * keeps to its window never reaches it). */
#define FORWARD_CONN_QUEUE_MAX (2048u * 1024u)

struct forward_conn;

struct forward_conn_ops {
	void (*on_input)(void *ctx, struct forward_conn *c);
	void (*on_written)(void *ctx, struct forward_conn *c, size_t n);
	void (*on_closed)(void *ctx, struct forward_conn *c);
};

struct forward_conn_chunk;

struct forward_conn {
	const struct forward_conn_ops *ops;
	void *ctx;
	struct lws *wsi;        /* NULL once the socket is gone */
	uint32_t id;            /* the owner's: its smux stream id */
	bool closed;            /* the socket is gone (on_closed was called) */
	bool closing;           /* forward_conn_close(): close once the queue is out */
	bool want_input, reading;
	struct forward_conn_chunk *out_head, *out_tail;
	size_t out_bytes;       /* queued toward the socket */
	size_t in_off, in_len;  /* the stash: in[in_off .. in_off + in_len) */
	uint8_t in[LOOP_READ_MAX];
};

/* Adopt an accepted socket. NULL if lws or memory failed (fd is closed). */
struct forward_conn *forward_conn_adopt(struct loop *l, int fd, const struct forward_conn_ops *ops,
					void *ctx);

/* The bytes read and not yet taken (*len 0: none). */
const uint8_t *forward_conn_input(const struct forward_conn *c, size_t *len);

/* The owner took n bytes of the stash. */
void forward_conn_consume(struct forward_conn *c, size_t n);

/* Whether the owner wants more input now; reading also waits for the stash to
 * be empty. */
void forward_conn_want_input(struct forward_conn *c, bool want);

/* Queue bytes for the socket: CLIENT_OK (also when the socket is gone or
 * closing: dropped), CLIENT_E_NOMEM. */
int forward_conn_write(struct forward_conn *c, const uint8_t *buf, size_t len);

size_t forward_conn_queued(const struct forward_conn *c);

/* Stop reading and close the socket once the queue is written. */
void forward_conn_close(struct forward_conn *c);

/* Release c: a socket still open is closed without further callbacks (what
 * is queued is dropped). NULL is ignored. */
void forward_conn_free(struct forward_conn *c);

/* The "postern-port" protocol callback (see loop.h). */
int forward_conn_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			      void *in, size_t len);

#endif
