/*
 * session_impl.h — what session.c shares with the session kinds
 * (session_shell.c, session_port.c): the running session and the interface
 * each kind implements.
 */
#ifndef POSTERN_SESSION_IMPL_H
#define POSTERN_SESSION_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "data_channel.h"
#include "handshake.h"
#include "session.h"
#include "session_port.h"
#include "session_shell.h"
#include "signals.h"

struct session;

/* One kind of session, chosen by the handshake (or by a first Output from an
 * agent that does not handshake, which means a shell). */
struct session_kind {
	const char *name;
	/* Begin (terminal, listeners, …): CLIENT_OK or an error in err. */
	int (*start)(struct session *s, char *err, size_t errlen);
	/* Every in-order stream message after the handshake. */
	enum rstream_delivery (*on_payload)(struct session *s, const struct frame *f);
	/* A signal (signals.h) while the kind runs. */
	void (*on_signal)(struct session *s, int signo);
	/* Room in the send window again. */
	void (*on_send_room)(struct session *s);
	/* The end: flush, restore, release; also after a failed start. Sets
	 * s->mid_line. */
	void (*stop)(struct session *s);
};

struct session {
	struct loop *loop;
	const struct session_params *params;
	struct session_result *result;
	struct data_channel *dc;
	struct signals signals;
	struct handshake_outcome hs;
	const struct session_kind *kind; /* NULL until known */
	bool started;                    /* kind->start succeeded */
	bool done;                       /* the session is over (set wake with it) */
	bool wake;                       /* the loop may stop: done, or resume wanted */
	bool resume_wanted;              /* the data channel dropped: dial again */
	unsigned resume_failures;        /* attempts since the agent was last heard */
	char resume_why[512];            /* why the channel dropped */
	bool mid_line;                   /* the terminal cursor is not at a line start */
	struct session_shell shell;      /* state of the shell kind */
	struct session_port port;        /* state of the port kind */
};

/* End the session for the first reason given (later ones are ignored) and
 * let the loop return. message may be NULL. */
void session_end(struct session *s, enum session_end end, int signo, const char *message);

#endif
