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
 * and the session's shell on a pty adopted into the same loop:
 *
 *   open      TEXT OpenDataChannel (agent form, data-channel.md §1.2), then
 *             agent_session_state Connected
 *   handshake HandshakeRequest; HandshakeResponse within 15 s, every action
 *             with status 1 (else the session fails); HandshakeComplete
 *             (session-flow.md §2). Stream data before the response is
 *             acknowledged and dropped, as by the official agent.
 *   shell     a login shell on a pty as the run-as user (run_as.h); output in
 *             messages of up to 16 KiB (+3 bytes of a held-back UTF-8
 *             character), read only while the reliable stream has room for a
 *             whole message; input, Size and Flag from the client
 *   end       the shell exits: ExitCode (PayloadType 12) if the client has
 *             the "exit-code" capability, up to 2 s for the acknowledgements,
 *             agent_session_state Terminating, close, exit 0.
 *             channel_closed or SIGTERM: SIGHUP to the shell (SIGKILL 2 s
 *             later), close, exit 0. The data channel lost: the shell is
 *             killed likewise and the worker exits WORKER_EXIT_LOST.
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
};

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
