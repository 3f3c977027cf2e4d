/*
 * worker.h — one session, one process (STYLE §18): the agent forks a worker
 * for each StartSession the broker sends, and the worker runs that session to
 * its end.
 *
 * Agent side (the control client calls these):
 *   worker_spawn   fork + exec of /proc/self/exe as
 *                  `postern-agent worker --state-dir DIR`, the StartSession
 *                  handed over on the child's stdin (worker_start.h), never in
 *                  argv or the environment. No descriptor of the agent but
 *                  stdout and stderr reaches the worker.
 *   worker_reap    collect exited workers (call it after SIGCHLD, from the
 *                  event loop: signal handlers only set flags)
 *   worker_stop    ask one worker to end its session (SIGTERM)
 *
 * Worker side (worker_main, `postern-agent worker`): one libwebsockets
 * context trusting DIR/ca.pem, one websocket to StartSession.data_channel_url
 * and what the session runs (a shell on a pty, or TCP connections) adopted
 * into the same loop:
 *
 *   open      TEXT OpenDataChannel (agent form, data-channel.md §1.2), then
 *             agent_session_state Connected
 *   handshake HandshakeRequest (offering the "smux-v2" and "large-messages"
 *             capabilities); HandshakeResponse within 15 s, every action
 *             with status 1 (else the session fails); HandshakeComplete
 *             (session-flow.md §2). Stream data before the response is
 *             acknowledged and dropped, as by the official agent.
 *   shell     (Standard_Stream) a login shell on a pty as the run-as user
 *             (run_as.h); output in
 *             messages of up to 16 KiB (+3 bytes of a held-back UTF-8
 *             character), read only while the reliable stream has room for a
 *             whole message; input, Size and Flag from the client
 *   end       the shell exits: ExitCode (PayloadType 12) if the client has
 *             the "exit-code" capability, up to 2 s for the acknowledgements,
 *             agent_session_state Terminating, close, exit 0.
 *             channel_closed or SIGTERM: SIGHUP to the shell (SIGKILL 2 s
 *             later), close, exit 0. The data channel lost: the shell is
 *             killed likewise and the worker exits WORKER_EXIT_LOST.
 *   port      (Port, session-flow.md §4–§5) properties portNumber, host, type
 *             (port_props.h), the host resolved before the data channel
 *             opens (port_dest.h: instance-metadata and similar addresses
 *             refused). Multiplexed iff type is LocalPortForwarding and the
 *             ClientVersion is at least 1.1.70: an smux server (version 2 iff
 *             the client took "smux-v2") dialing one connection per stream;
 *             a failed dial is a ConnectToPortError flag and a FIN, and the
 *             session goes on. Otherwise one connection dialed at the start:
 *             with LocalPortForwarding re-dialed on the next Output after
 *             DisconnectToPort or the destination's close; without it (SSH
 *             through ProxyCommand) the destination's close ends the session
 *             like a shell's exit. TerminateSession ends any port session.
 *             Messages to the client: at most WORKER_PORT_MSG_OFFICIAL bytes,
 *             PAYLOAD_LARGE_MESSAGE_MAX to clients with "large-messages".
 *             No KMS for Port (as the official agent), no run-as user.
 *
 * What a port session holds, at most (everything else is the reliable
 * stream's own window and the websocket queue):
 *   - per destination connection: WORKER_PORT_CONN_QUEUE bytes queued toward
 *     it before the client's Output waits (smux v1, basic), plus the one
 *     message that crossed the line (at most WORKER_MAX_FRAME, the hard
 *     limit); with smux v2 the stream's window (SMUX_V2_WINDOW, the same
 *     2 MiB), as consumption is reported only for bytes the socket took
 *     (a client sending beyond it breaks the protocol: the session ends);
 *   - all connections of a session together: WORKER_PORT_BUDGET (plus one
 *     message); beyond it further Output is left unacknowledged (the client
 *     resends it), which stalls every stream, as with the official peers;
 *   - WORKER_PORT_MAX_CONNS connections at once per multiplexed session
 *     (more streams are refused with ConnectToPortError); smux's own
 *     pending-output FIFO (SMUX_DEFAULT_TX_CAP).
 * Destinations are read only while the reliable stream has room for a whole
 * message, the websocket queue is at most half full, publication is not
 * paused and (multiplexed) the stream's smux write room allows.
 */
#ifndef POSTERN_WORKER_H
#define POSTERN_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "control.h"

/* The worker's exit status, for the agent's SessionState report. */
enum worker_exit {
	WORKER_EXIT_OK = 0,          /* the session ran and ended (shell exit or terminate) */
	WORKER_EXIT_FAILED = 1,      /* bad arguments, state directory, StartSession, memory */
	WORKER_EXIT_CONNECT = 2,     /* the data channel could not be opened */
	WORKER_EXIT_LOST = 3,        /* the data channel was lost during the session */
	WORKER_EXIT_HANDSHAKE = 4,   /* the client failed the handshake or did not answer */
	WORKER_EXIT_SHELL = 5,       /* no shell: run-as user or pty could not be set up */
	WORKER_EXIT_PEER_GONE = 6,   /* the client stopped acknowledging (resend limit) */
	WORKER_EXIT_UNSUPPORTED = 7, /* a session type or option this agent does not run */
	WORKER_EXIT_PROPERTIES = 8,  /* the session's properties are invalid (port, host, type) */
	WORKER_EXIT_DESTINATION = 9, /* the destination is refused, unknown or unreachable */
	WORKER_EXIT_PROTOCOL = 10,   /* the client broke the session's protocol (smux) */
};

/* Port sessions: the bounds above. */
#define WORKER_PORT_MSG_OFFICIAL 1024u                  /* bytes per message (official peers) */
#define WORKER_PORT_CONN_QUEUE (2048u * 1024u)           /* queued toward one connection */
#define WORKER_PORT_BUDGET (8u * 1024u * 1024u)         /* queued toward all of a session's */
#define WORKER_PORT_MAX_CONNS 256u                      /* connections of one session at once */
#define WORKER_PORT_KEEPALIVE_MS 10000u                 /* smux NOP interval (old clients) */

/*
 * Start a worker for start (the agent keeps no reference to it). state_dir
 * is the agent's state directory (absolute, as agent_state gives it).
 * 0 with *pid_out set, or -1 (the reason is logged: StartSession over
 * WORKER_START_MAX, no pipe, no process). Never blocks: the StartSession is
 * written into the pipe before the fork.
 */
int worker_spawn(const Postern__Control__StartSession *start, const char *state_dir,
		 pid_t *pid_out);

/*
 * `postern-agent worker --state-dir DIR` (argv[0] is "worker"): read the
 * StartSession from stdin, run the session. Returns the process exit status,
 * an enum worker_exit.
 */
int worker_main(int argc, char **argv);

/* Told about each reaped child: its pid and waitpid() status. */
typedef void (*worker_exit_fn)(void *ctx, pid_t pid, int wait_status);

/*
 * Collect every exited child of this process without waiting (waitpid(-1,
 * WNOHANG)), calling on_exit for each. Returns how many were collected.
 */
size_t worker_reap(worker_exit_fn on_exit, void *ctx);

/* Ask the worker to end its session (SIGTERM). 0, or -1 (no such process). */
int worker_stop(pid_t pid);

/* Whether a worker's waitpid() status means the session failed, and a
 * sentence for SessionState.detail ("" for a normal end). Never NULL. */
bool worker_exit_failed(int wait_status);
const char *worker_exit_reason(int wait_status);

#endif
