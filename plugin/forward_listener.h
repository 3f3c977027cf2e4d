/*
 * forward_listener.h — the local listener of a port session (session-flow.md
 * §4.2–§4.3): TCP on 127.0.0.1 or a Unix socket (forward_props.h chooses),
 * adopted into the event loop as a raw file; readiness to accept is its
 * "readable". Each accepted connection, non-blocking and close-on-exec, is
 * handed to ops->on_accept, which owns the descriptor from then on.
 *
 * A Unix socket is created mode 0600 (the forwarded port is the user's
 * alone); a stale socket left by a process that died is replaced, anything
 * else at the path is an error; the path is unlinked again by
 * forward_listener_stop(). When accepting fails for another reason than an
 * empty backlog (no descriptors left, say), the listener rests for
 * FORWARD_LISTENER_BACKOFF_MS rather than spin on a connection it cannot take.
 */
#ifndef POSTERN_FORWARD_LISTENER_H
#define POSTERN_FORWARD_LISTENER_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "forward_props.h"

struct loop;

#define FORWARD_LISTENER_BACKLOG 128
#define FORWARD_LISTENER_ACCEPTS_PER_WAKE 16 /* then let the loop serve the rest */
#define FORWARD_LISTENER_BACKOFF_MS 500    /* accepting failed (out of descriptors…) */

struct forward_listener_ops {
	/* A new connection: fd is the owner's (adopt it or close it). */
	void (*on_accept)(void *ctx, int fd);
};

struct forward_listener {
	const struct forward_listener_ops *ops;
	void *ctx;
	struct lws *wsi;
	int fd;                   /* the listening socket (owned by wsi once adopted) */
	struct forward_listen at; /* TCP: .port is the bound one, also when 0 was asked */
	struct lws_context *context;
	lws_sorted_usec_list_t backoff;
	bool paused, backing_off, unlink_at_stop, started;
};

/* Listen at `at`. CLIENT_OK, or CLIENT_E_IO with err saying why (port in use,
 * path taken…). */
int forward_listener_start(struct forward_listener *pl, struct loop *l,
			   const struct forward_listen *at, const struct forward_listener_ops *ops,
			   void *ctx, char *err, size_t errlen);

/* Stop (true) or resume (false) accepting: connections wait in the backlog.
 * on_accept may pause, and no further connection is accepted in that wake. */
void forward_listener_pause(struct forward_listener *pl, bool paused);

/* Close the listener (lws closes it asynchronously), unlink a Unix socket;
 * ops are not called any more. Idempotent; safe on a zeroed struct. */
void forward_listener_stop(struct forward_listener *pl);

/* The "postern-listen" protocol callback (see loop.h). */
int forward_listener_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
				  void *in, size_t len);

#endif
