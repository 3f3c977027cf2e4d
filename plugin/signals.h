/*
 * signals.h — signals for an interactive session, delivered inside the event
 * loop. The handlers only set a flag and write one byte to a wake-up pipe
 * whose read end is adopted into the loop; the loop then calls the session's
 * function once per pending signal. The flags and the pipe's write end are
 * the only mutable file-scope state of the client (a handler has no other
 * way to reach anything), besides the saved terminal mode (terminal.h).
 *
 * Handled: SIGINT, SIGQUIT, SIGTSTP (forwarded as keystrokes by a live shell),
 * SIGWINCH (window size), SIGTERM, SIGHUP (end the session). SIGPIPE is
 * ignored while the session runs (a broken stdout shows up as EPIPE; lws
 * ignores it anyway). signals_stop() puts back what was there before.
 */
#ifndef POSTERN_SIGNALS_H
#define POSTERN_SIGNALS_H

#include <libwebsockets.h>
#include <signal.h>
#include <stddef.h>

struct loop;

typedef void (*signals_fn)(void *ctx, int signo);

#define SIGNALS_HANDLED 7 /* the six above and SIGPIPE */

struct signals {
	struct lws *wsi; /* the adopted read end */
	int wake_rd;
	signals_fn fn;
	void *ctx;
	int installed;
	struct sigaction saved[SIGNALS_HANDLED]; /* dispositions before signals_start */
};

/* Install the handlers and adopt the wake-up pipe. CLIENT_OK or CLIENT_E_IO. */
int signals_start(struct signals *s, struct loop *l, signals_fn fn, void *ctx, char *err,
		  size_t errlen);

/* Restore the dispositions found by signals_start and close the pipe's write
 * end; pending flags are dropped. Idempotent; safe on a zeroed struct. */
void signals_stop(struct signals *s);

/* The "postern-signal" protocol callback (see loop.h). */
int signals_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			 void *in, size_t len);

#endif
