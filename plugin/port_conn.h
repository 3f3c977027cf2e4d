/*
 * port_conn.h — one local connection of a port session (an application that
 * connected to the listener), adopted into the event loop as a raw socket.
 * Transport only: what the bytes mean (smux stream, basic relay) is the
 * owner's business.
 *
 * Input: lws reads at most LOOP_READ_MAX bytes at a time into the
 * connection's stash and calls ops->on_input; the owner takes what it can
 * (port_conn_input, port_conn_consume). Reading goes on only while the owner
 * wants input (port_conn_want_input) and the stash is empty, so a
 * connection holds at most one read the owner has not taken.
 *
 * Output: port_conn_write queues bytes (in chunks of LOOP_READ_MAX with
 * LWS_PRE headroom; the owner bounds the total with port_conn_queued); they go
 * out from WRITEABLE, one lws_write per callback, and ops->on_written reports
 * each amount handed to the socket.
 *
 * End: EOF, an error, or port_conn_close() once its queue is written closes
 * the socket; ops->on_closed then reports it once. The struct stays valid —
 * its stash still readable — until the owner calls port_conn_free(), the only
 * way it is released (also right inside on_closed).
 */
#ifndef POSTERN_PORT_CONN_H
#define POSTERN_PORT_CONN_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loop.h"

/* Bytes queued toward one local connection above which the owner stops
 * taking the agent's output (at least smux's v2 window, so a v2 peer that
 * keeps to its window never reaches it). */
#define PORT_CONN_QUEUE_MAX (256u * 1024u)

struct port_conn;

struct port_conn_ops {
	void (*on_input)(void *ctx, struct port_conn *c);
	void (*on_written)(void *ctx, struct port_conn *c, size_t n);
	void (*on_closed)(void *ctx, struct port_conn *c);
};

struct port_conn_chunk;

struct port_conn {
	const struct port_conn_ops *ops;
	void *ctx;
	struct lws *wsi;        /* NULL once the socket is gone */
	uint32_t id;            /* the owner's: its smux stream id */
	bool closed;            /* the socket is gone (on_closed was called) */
	bool closing;           /* port_conn_close(): close once the queue is out */
	bool want_input, reading;
	struct port_conn_chunk *out_head, *out_tail;
	size_t out_bytes;       /* queued toward the socket */
	size_t in_off, in_len;  /* the stash: in[in_off .. in_off + in_len) */
	uint8_t in[LOOP_READ_MAX];
};

/* Adopt an accepted socket. NULL if lws or memory failed (fd is closed). */
struct port_conn *port_conn_adopt(struct loop *l, int fd, const struct port_conn_ops *ops,
				  void *ctx);

/* The bytes read and not yet taken (*len 0: none). */
const uint8_t *port_conn_input(const struct port_conn *c, size_t *len);

/* The owner took n bytes of the stash. */
void port_conn_consume(struct port_conn *c, size_t n);

/* Whether the owner wants more input now; reading also waits for the stash to
 * be empty. */
void port_conn_want_input(struct port_conn *c, bool want);

/* Queue bytes for the socket: CLIENT_OK (also when the socket is gone or
 * closing: dropped), CLIENT_E_NOMEM. */
int port_conn_write(struct port_conn *c, const uint8_t *buf, size_t len);

size_t port_conn_queued(const struct port_conn *c);

/* Stop reading and close the socket once the queue is written. */
void port_conn_close(struct port_conn *c);

/* Release c: a socket still open is closed without further callbacks (what
 * is queued is dropped). NULL is ignored. */
void port_conn_free(struct port_conn *c);

/* The "postern-port" protocol callback (see loop.h). */
int port_conn_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			   void *in, size_t len);

#endif
