/*
 * worker_impl.h — the state of a session worker process, shared by its
 * files (not for use elsewhere):
 *
 *   worker_main.c     arguments, setup, signals, the event loop, teardown
 *   worker_ws.c       the data-channel websocket (proto/ws_link over a raw
 *                     TCP connection): connect, whole messages in, queued
 *                     output out per WRITEABLE, close, keepalive
 *   worker_session.c  the session over it: opening, handshake, delivery of the
 *                     client's stream, the end of the session
 *   worker_kind.h     what runs over it, by session type:
 *   worker_pty.c      the shell: start it, its pty in the loop (raw file),
 *                     output into the stream with backpressure, input out of it
 *   worker_port.c     port sessions (worker_port.h): one connection, or
 *   worker_mux.c      many multiplexed with smux; each a TCP connection in
 *                     the loop (worker_tcp.h)
 *
 * There is exactly one struct worker per process; every lws callback finds
 * it with lws_context_user().
 */
#ifndef POSTERN_WORKER_IMPL_H
#define POSTERN_WORKER_IMPL_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent_state.h"
#include "agent_tls.h"
#include "control.h"
#include "pty_shell.h"
#include "rstream.h"
#include "run_as.h"
#include "worker.h"
#include "worker_handshake.h"
#include "worker_kind.h"
#include "worker_port.h"
#include "worker_url.h"
#include "ws_link.h"

#define WORKER_MAX_FRAME (1024u * 1024u)    /* largest message accepted from the broker */
#define WORKER_OUTQ_MAX (4u * 1024u * 1024u) /* bytes queued for the websocket */
#define WORKER_WS_BACKLOG_MAX (1024u * 1024u) /* ... beyond which sources wait */
#define WORKER_DRAIN_MS 2000u     /* after the shell: wait this long for acknowledgements */
#define WORKER_EOF_GRACE_MS 1000u /* shell gone, pty still open (a background job) */
#define WORKER_KILL_GRACE_MS 2000u /* SIGHUP, then SIGKILL this much later */
#define WORKER_CLOSE_GRACE_MS 3000u /* for the websocket close handshake */
#define WORKER_CONNECT_TIMEOUT_S 20u
#define WORKER_FD_LIMIT (WORKER_PORT_MAX_CONNS + 16u) /* descriptors in the loop */
#define WORKER_PING_S 54u          /* websocket ping after this much silence ... */
#define WORKER_HANGUP_S 114u       /* ... and give up without a pong (data-channel.md §1.4) */
#define WORKER_PROTOCOL_WS "postern-data"
#define WORKER_PROTOCOL_PTY "postern-pty"
#define WORKER_PROTOCOL_TCP WORKER_TCP_PROTOCOL

enum worker_phase {
	WORKER_CONNECTING, /* the websocket is being opened */
	WORKER_HANDSHAKE,  /* HandshakeRequest sent, no answer judged yet */
	WORKER_RUNNING,    /* the kind runs (a shell: or has exited and its output is being read) */
	WORKER_DRAINING,   /* kind finished: ExitCode out, waiting for acknowledgements */
	WORKER_CLOSING,    /* Terminating sent: closing the websocket */
	WORKER_STOPPING,   /* ended from outside or by a failure: killing, closing */
};

/* The shell kind's state (worker_pty.c). */
struct worker_shell {
	struct run_as user;
	struct pty_shell *pty;
	struct lws *wsi;                          /* a dup of the master, adopted */
	bool reading;                             /* POLLIN wanted on wsi */
	bool eof;
	bool exited;
	int status;                               /* waitpid() status */
	uint64_t exit_ms;
	bool exit_code_pending;
	uint64_t kill_deadline_ms;
	bool killed;                              /* SIGKILL sent */
};

struct worker {
	control_envelope *env;                    /* the StartSession, owned */
	const Postern__Control__StartSession *start;
	struct agent_state st;
	struct worker_url url;
	const struct worker_kind *kind;

	struct lws_context *lws;
	struct lws_vhost *vhost;
	SSL_CTX *ssl;
	struct agent_tls_diag diag;
	lws_sorted_usec_list_t tick;
	bool destroying;                          /* lws_context_destroy under way */

	/* the data channel */
	struct lws *ws;                           /* the raw TCP connection to the broker */
	struct ws_link *link;                     /* TLS and websocket over it (no I/O) */
	bool ws_connected;                        /* TCP is up */
	bool ws_open;                             /* upgraded and not yet closed */
	bool ws_close_wanted;                     /* closing (after what is queued) */
	char close_reason[256];
	struct rstream *rs;

	/* handshake */
	uint64_t hs_sent_ms;
	uint8_t *hs_response;                     /* delivered, judged after rstream_input */
	size_t hs_response_len;
	struct worker_hs_result hs;

	/* what runs over it */
	struct worker_shell shell;
	struct worker_port port;

	/* the end */
	enum worker_phase phase;
	uint64_t drain_deadline_ms, close_deadline_ms;
	int exit_status;                          /* enum worker_exit */
	bool done;
};

/* Milliseconds since the epoch: frames carry it as CreatedDate. */
uint64_t worker_now_ms(void);
void worker_random(struct worker *w, uint8_t *buf, size_t len);

/* worker_main.c */
void worker_signals_poll(struct worker *w);

/* worker_ws.c */
int worker_ws_connect(struct worker *w);
int worker_ws_queue(struct worker *w, const uint8_t *data, size_t len, bool text);
/* Bytes queued toward the broker and not yet written: sources hold back
 * while it is over WORKER_WS_BACKLOG_MAX. */
size_t worker_ws_backlog(const struct worker *w);
/* Keepalive: ping a silent broker, hang up on one silent too long. */
void worker_ws_tick(struct worker *w);
/* Close after what is queued is written (flush) or at once (queue dropped). */
void worker_ws_close(struct worker *w, bool flush);
int worker_ws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
		       void *in, size_t len);

/* worker_session.c */
int worker_session_init(struct worker *w);
void worker_session_open(struct worker *w);
void worker_session_input(struct worker *w, const uint8_t *msg, size_t len);
void worker_session_lost(struct worker *w, const char *why);
void worker_session_stop(struct worker *w, int exit_status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The kind is done and the session ends well: let the client acknowledge
 * what it was sent (at most WORKER_DRAIN_MS), agent_session_state
 * Terminating, close, exit 0. */
void worker_session_finish(struct worker *w);
/* Sources may be read again, or must not be: the kind's flow hook. */
void worker_session_flow(struct worker *w);
void worker_session_tick(struct worker *w);

/* worker_pty.c (the shell kind's lws protocol) */
int worker_pty_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			void *in, size_t len);

#endif
