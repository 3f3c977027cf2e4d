/*
 * session_port.h — the Port kind of session (session-flow.md §4, §5): the
 * handshake's Properties and AgentVersion choose a mode (forward_mode.h), which
 * runs the session's I/O; this file owns what the modes share.
 *
 *   mode          local side                          data channel
 *   stdio         stdin → Output, Output → stdout     raw bytes
 *                 (forward_stdio.h)
 *   basic         one connection at a time             raw bytes; DisconnectToPort
 *                 on the listener (forward_basic.h)      after each connection
 *   multiplexed   many connections on the listener    smux v1, or v2 between
 *                 (forward_mux.h)                        postern peers
 *   multiplexed   stdin and stdout as one stream       the same
 *   stdio         (forward_mux.h)
 *
 * Messages: in the listener modes "Port P opened for sessionId S." (or "Unix
 * socket PATH opened …") and "Waiting for connections..." go to stdout, as
 * the stock plugin prints them; everything else goes to stderr. In stdio mode
 * stdout carries the forwarded bytes and nothing else.
 *
 * Stream messages carry at most msg_max payload bytes: PAYLOAD_LARGE_MESSAGE_MAX
 * when both sides listed large-messages in the handshake, else
 * SESSION_PORT_SMALL_MESSAGE_MAX as the official peers send.
 *
 * Ending (session_port_terminate): Ctrl-C, SIGQUIT, SIGTSTP (as the stock
 * plugin), SIGTERM or SIGHUP, and in stdio mode the end of stdin once
 * everything sent is acknowledged. The listener, the connections and stdin
 * close at once; the TerminateSession flag goes out (agents above
 * FORWARD_MODE_FLAG_AFTER, and always in multiplexed mode) and the client waits
 * up to SESSION_PORT_TERMINATE_WAIT_MS for the agent to acknowledge it, then exits 0.
 * Without an acknowledged flag the broker's TerminateSession API ends the
 * session instead (attach.h).
 */
#ifndef POSTERN_SESSION_PORT_H
#define POSTERN_SESSION_PORT_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "forward_basic.h"
#include "forward_listener.h"
#include "forward_mode.h"
#include "forward_mux.h"
#include "forward_props.h"
#include "forward_stdio.h"
#include "rstream.h"

struct session;

/* Output payloads to official peers (data-channel.md §7.1) */
#define SESSION_PORT_SMALL_MESSAGE_MAX 1024u
/* How long to wait for the TerminateSession flag's acknowledgement */
#define SESSION_PORT_TERMINATE_WAIT_MS 2000u

/* What each mode does; session_port.c calls them. */
struct session_port_mode {
	/* Set up (listener, stdio, smux): CLIENT_OK or an error in err. */
	int (*start)(struct session *s, char *err, size_t errlen);
	/* An Output payload from the agent. */
	enum rstream_delivery (*on_output)(struct session *s, const uint8_t *buf, size_t len);
	/* A Flag payload from the agent (payload.h enum payload_flag). */
	void (*on_flag)(struct session *s, uint32_t flag);
	/* Room in the send window again. */
	void (*on_send_room)(struct session *s);
	/* Close every local descriptor (listener, connections, stdin and
	 * stdout) and stop all timers; nothing more is read or sent.
	 * Idempotent; also called after a failed or no start. */
	void (*close_io)(struct session *s);
};

extern const struct session_port_mode forward_stdio_ops, forward_basic_ops, forward_mux_ops;

struct session_port {
	const struct session_port_mode *ops;
	enum forward_mode mode;
	struct forward_props props;
	struct forward_listen listen_at;
	size_t msg_max;         /* largest Output payload sent */
	bool draining;          /* stdio: stdin ended; terminate once all is acknowledged */
	bool terminating;       /* ending (session_port_terminate) */
	bool flag_out;          /* the flag is out: waiting for its acknowledgement */
	int signo;              /* what ended it (0: stdin's end) */
	bool refused;           /* agent output was left unacknowledged */
	bool holding;           /* the data channel is not read (session_port_hold) */
	lws_sorted_usec_list_t terminate_timer, retry_timer;
	struct forward_listener listener; /* basic, multiplexed */
	struct forward_stdio stdio;
	struct forward_basic basic;
	struct forward_mux mux;
};

struct session_kind;
extern const struct session_kind session_port_kind;

/* For the modes: ------------------------------------------------------------- */

/* Room again for agent output the mode refused (RSTREAM_NOT_READY): have
 * the data channel deliver what it holds (soon, from the loop). Cheap when
 * nothing was refused. */
void session_port_wake(struct session *s);

/* Stop (true) or resume (false) reading the data channel: the mode's buffers
 * toward the local side are full. What arrives meanwhile is at most what lws
 * had already read. Resuming also wakes (above). Idempotent. */
void session_port_hold(struct session *s, bool hold);

/* End the session on the user's behalf (rules above); signo 0 for stdin's end.
 * Safe from any callback: the work is done from the loop right after. */
void session_port_terminate(struct session *s, int signo);

/* stdio: stdin ended; terminate once the agent has acknowledged everything. */
void session_port_input_ended(struct session *s);

/* Start the listener at listen_at and say where it is. CLIENT_OK or
 * CLIENT_E_IO. */
int session_port_listen(struct session *s, const struct forward_listener_ops *ops, char *err,
			size_t errlen);

/* Send one stream message; CLIENT_OK or CLIENT_E_WOULD_BLOCK (no room: try
 * again on on_send_room). Anything else ends the session with an error. */
int session_port_send(struct session *s, uint32_t type, const uint8_t *buf, size_t len);

/* Print a line on stdout now (listener modes). */
void session_port_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "postern: …" on stderr. */
void session_port_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
