/*
 * session_result.h — how a session ended and what the client exits with.
 * Pure bookkeeping, no I/O: the session records the agent's ExitCode payload
 * (PayloadType 12, "EXIT_CODE: n", data-channel.md §5.9) and the first reason
 * it ended; the program asks for its exit status:
 *
 *   ended by          exit status
 *   channel_closed    n if an exit code arrived; else 0 for an empty Output,
 *                     1 for a non-empty one (a failure or time-out text)
 *   websocket lost    n if an exit code arrived before; else 1
 *   ~.                255 (as ssh)
 *   a port session    0 (Ctrl-C, SIGTERM, SIGHUP, or stdin's end in stdio
 *   ended by the user   mode: session_port.h)
 *   a signal          128 + signal number
 *   a local error     1
 * n is taken modulo 256, as exit() does (EXIT_CODE: -1 → 255).
 */
#ifndef POSTERN_SESSION_RESULT_H
#define POSTERN_SESSION_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SESSION_RESULT_ESCAPE_STATUS 255

enum session_end {
	SESSION_END_NONE = 0, /* still running */
	SESSION_END_CLOSED,   /* channel_closed from the broker */
	SESSION_END_LOST,     /* the websocket closed or failed without channel_closed */
	SESSION_END_ESCAPE,   /* ~. */
	SESSION_END_TERMINATED, /* the user ended a port session (signo: the signal, or 0) */
	SESSION_END_SIGNAL,   /* SIGTERM, SIGHUP, or SIGINT before the terminal was live */
	SESSION_END_ERROR,    /* a local failure: resend limit, handshake, stdout */
};

struct session_result {
	enum session_end end;
	bool have_exit_code;
	int32_t exit_code;
	int signo;         /* SESSION_END_SIGNAL, SESSION_END_TERMINATED */
	char message[1024]; /* channel_closed Output, or what went wrong */
	/* SESSION_END_TERMINATED: no acknowledged TerminateSession flag told the
	 * agent (an old agent, or no acknowledgement in time) */
	bool agent_unaware;
	bool quiet;        /* print no closing line (stdio port sessions: under
			    * ssh's ProxyCommand stderr is the user's terminal) */
};

void session_result_init(struct session_result *r);

/* Record how the session ended; only the first call counts (returns false
 * for later ones). message may be NULL. */
bool session_result_end(struct session_result *r, enum session_end end, int signo,
			const char *message);

/* Record an ExitCode payload. CLIENT_OK, or CLIENT_E_PROTOCOL if it is not
 * "EXIT_CODE: n" (nothing recorded). A later exit code replaces an earlier. */
int session_result_exit_code(struct session_result *r, const uint8_t *payload, size_t len);

int session_result_exit_status(const struct session_result *r);

/* Whether the client should end the session on the broker with the
 * TerminateSession API: after ~., a signal, a local error, or a port session
 * the user ended while the agent may not know. */
bool session_result_wants_terminate(const struct session_result *r);

#endif
