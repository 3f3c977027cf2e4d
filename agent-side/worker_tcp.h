/*
 * worker_tcp.h — one outgoing TCP connection in the worker's event loop,
 * knowing nothing of sessions or smux (STYLE §1, §14, §15).
 *
 *   dial     a non-blocking connect() to each address of a port_dest in
 *            turn, each given WORKER_TCP_CONNECT_TIMEOUT_MS; the socket is
 *            adopted into lws as a raw descriptor (lws polls, this module
 *            reads and writes), so nothing here ever blocks
 *   read     only while the owner opens a read window (worker_tcp_read):
 *            each read takes at most the window (and WORKER_TCP_READ_MAX)
 *            and hands the bytes to ops->on_data; a window of 0 stops
 *            polling for input, which is the owner's backpressure
 *   write    worker_tcp_write() queues up to the connection's queue_cap bytes
 *            (more is refused, nothing queued); the queue is written when the
 *            socket is writable, and ops->on_written reports every byte that
 *            reached the socket
 *   close    worker_tcp_close(), at once or after the queue is written
 *            (at most WORKER_TCP_LINGER_MS later; a connection still being
 *            dialed then gets that long to connect and take it)
 *
 * Every ops callback runs from the loop, never from inside a worker_tcp_*
 * call, and may call any worker_tcp_* function on the connection, including
 * worker_tcp_close(). After on_failed or on_closed the connection is dead:
 * nothing more is reported, and the owner still closes it.
 *
 * Ownership: the owner holds the connection from worker_tcp_dial() until it
 * calls worker_tcp_close() (exactly once); after that no callback reaches it
 * and the memory is freed when lws has let go of the descriptor. The
 * port_dest must outlive the connection.
 */
#ifndef POSTERN_WORKER_TCP_H
#define POSTERN_WORKER_TCP_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "port_dest.h"

#define WORKER_TCP_CONNECT_TIMEOUT_MS 10000u /* per address */
#define WORKER_TCP_LINGER_MS 5000u           /* closing after the queue: at most this */
#define WORKER_TCP_READ_MAX (64u * 1024u)    /* bytes per read, at most */
#define WORKER_TCP_PROTOCOL "postern-tcp"    /* the lws protocol: worker_tcp_callback */

struct worker_tcp;

struct worker_tcp_ops {
	/* Connected; worker_tcp_peer() names the address. */
	void (*on_connected)(void *ctx, struct worker_tcp *t);
	/* No address could be connected; why names the last failure. */
	void (*on_failed)(void *ctx, struct worker_tcp *t, const char *why);
	/* len (≥ 1) bytes read; data valid during the call only. */
	void (*on_data)(void *ctx, struct worker_tcp *t, const uint8_t *data, size_t len);
	/* n queued bytes reached the socket. */
	void (*on_written)(void *ctx, struct worker_tcp *t, size_t n);
	/* The destination closed the connection (error false: end of stream;
	 * true: reset or failure, why says which). Queued bytes are lost. */
	void (*on_closed)(void *ctx, struct worker_tcp *t, bool error, const char *why);
};

/*
 * Start connecting to dest's addresses on vhost of cx (whose protocols
 * include WORKER_TCP_PROTOCOL). queue_cap bounds what worker_tcp_write()
 * queues. Reading starts closed (window 0). NULL only when out of memory; a
 * connection that fails is reported through ops->on_failed.
 */
struct worker_tcp *worker_tcp_dial(struct lws_context *cx, struct lws_vhost *vhost,
				   const struct port_dest *dest, size_t queue_cap,
				   const struct worker_tcp_ops *ops, void *ctx);

/* Queue len bytes. 0, or -1 (nothing queued): over queue_cap, out of memory,
 * the connection is dead or closing. Bytes queued while connecting are
 * written once connected. */
int worker_tcp_write(struct worker_tcp *t, const uint8_t *data, size_t len);

/* Bytes queued and not yet written. */
size_t worker_tcp_queued(const struct worker_tcp *t);

/* Read at most window bytes at a time from now on; 0 stops reading. */
void worker_tcp_read(struct worker_tcp *t, size_t window);

bool worker_tcp_connected(const struct worker_tcp *t);

/* The address being tried or connected ("127.0.0.1:22"), for logs. */
const char *worker_tcp_peer(const struct worker_tcp *t);

/* Let go (see above): flush true closes once the queue is written, else at
 * once. NULL is fine. */
void worker_tcp_close(struct worker_tcp *t, bool flush);

int worker_tcp_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			void *in, size_t len);

#endif
