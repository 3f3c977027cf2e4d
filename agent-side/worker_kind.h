/*
 * worker_kind.h — what a session worker runs over its data channel, chosen
 * by the StartSession's session type: the interface between the session
 * (worker_session.c: data channel, handshake, the end) and each kind of
 * session (worker_pty.c: the shell; worker_port.c: port forwarding).
 *
 * Life of a kind, each hook called from the worker's one event loop:
 *
 *   prepare  before the data channel is opened: check the StartSession and
 *            get ready (may block: the loop is not running yet)
 *   start    the handshake succeeded: begin (start the shell, dial)
 *   deliver  each of the client's in-order stream messages while running
 *   flow     the stream, the websocket queue or publication changed: read
 *            sources that may be read now, stop reading those that may not
 *   tick     every RSTREAM_TICK_MS
 *   stop     the session ends (failure, broker, signal): let go of everything
 *   free     the process ends: release everything, before the lws context
 *            is destroyed (no callback may reach the kind afterwards)
 *
 * A kind that ends by itself calls worker_session_finish() (success: drain,
 * Terminating, close) or worker_session_stop() (anything else).
 */
#ifndef POSTERN_WORKER_KIND_H
#define POSTERN_WORKER_KIND_H

#include <stdbool.h>
#include <stddef.h>

#include "frame.h"
#include "rstream.h"

struct worker;

struct worker_kind {
	const char *session_type; /* as StartSession names it */
	/* WORKER_EXIT_OK, or an enum worker_exit with a sentence in err. */
	int (*prepare)(struct worker *w, char *err, size_t errlen);
	/* WORKER_EXIT_OK, or an enum worker_exit with a sentence in err. */
	int (*start)(struct worker *w, char *err, size_t errlen);
	enum rstream_delivery (*deliver)(struct worker *w, const struct frame *f);
	void (*flow)(struct worker *w);
	void (*tick)(struct worker *w);
	/* SIGCHLD arrived (may be NULL). */
	void (*child)(struct worker *w);
	/* Once finished: send what the kind still owes the client (an exit
	 * code). true when nothing is left to send. May be NULL. */
	bool (*drain)(struct worker *w);
	void (*stop)(struct worker *w);
	/* Whether the process must still wait (a shell being killed). May be
	 * NULL. */
	bool (*busy)(const struct worker *w);
	void (*free)(struct worker *w);
};

extern const struct worker_kind worker_kind_shell; /* worker_pty.c */
extern const struct worker_kind worker_kind_port;  /* worker_port.c */

/* The kind running session_type, or NULL. */
const struct worker_kind *worker_kind_find(const char *session_type);

#endif
