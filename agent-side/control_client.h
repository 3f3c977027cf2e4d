/*
 * control_client.h — the agent's control channel to the broker over
 * libwebsockets: one lws context and one event loop, one websocket at a
 * time to <broker>/v1/control with mutual TLS (agent_tls.h), no
 * subprotocol, each binary message one Envelope.
 *
 * It owns the connection's life: connecting, reassembling messages (capped
 * at CONTROL_MAX_MESSAGE), writing the queue one message per WRITEABLE
 * callback with LWS_PRE headroom, the per-connection timer that drives
 * heartbeats and the liveness check (lws_set_timer_usecs) — with a
 * websocket ping after each heartbeat, whose pong counts as a sign of life
 * from a broker that sends no heartbeats of its own — and reconnecting
 * after any failure or close with jittered exponential backoff
 * (control_backoff.h, timed with an lws_sul). What is said on the channel is
 * control_link's business. Every attempt and every reason for losing the
 * connection is logged (agent_log.h).
 */
#ifndef POSTERN_CONTROL_CLIENT_H
#define POSTERN_CONTROL_CLIENT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "agent_state.h"

#define CONTROL_CLIENT_PATH "/v1/control"
#define CONTROL_CLIENT_CONNECT_TIMEOUT_S 20u
#define CONTROL_CLIENT_STOP_GRACE_MS 3000u /* for the close handshake when stopping */
#define CONTROL_CLIENT_STABLE_MS 10000u    /* a connection this long resets the backoff */

struct control_client;

/*
 * Load the TLS material named by st (which must outlive the client) and
 * create the lws context. NULL with a sentence in err (unusable key or
 * certificate, lws failure). With verbose, libwebsockets' own warnings and
 * errors are logged too.
 */
struct control_client *control_client_new(const struct agent_state *st, bool verbose,
					  char *err, size_t errlen);

/*
 * Connect, and stay connected, until *stop becomes non-zero (set it from a
 * signal handler, then call control_client_wake). Then close the websocket
 * with a close frame (1001, going away), waiting at most
 * CONTROL_CLIENT_STOP_GRACE_MS for it, and return.
 */
void control_client_run(struct control_client *c, const volatile sig_atomic_t *stop);

/* Make the event loop look at *stop now. Only calls lws_cancel_service(), so
 * it may be called from a signal handler. */
void control_client_wake(struct control_client *c);

/*
 * The flag run_cmd.c's SIGCHLD handler sets: when it is set the loop reaps
 * ended session workers and clears it (the handler also wakes the loop).
 */
void control_client_watch_children(struct control_client *c,
				   volatile sig_atomic_t *child_exited);

/* Destroy the lws context (closing any connection) and free c. NULL is fine. */
void control_client_free(struct control_client *c);

#endif
