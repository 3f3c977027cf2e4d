/*
 * session.h — running one session that StartSession started: open its data
 * channel, answer the handshake, run the session kind the agent announces
 * (a shell, session_shell.h, or port forwarding, session_port.h), and end on
 * channel_closed, a lost connection, ~., a signal or an error.
 */
#ifndef POSTERN_SESSION_H
#define POSTERN_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "session_result.h"

struct loop;

/* The ClientVersion reported in the handshake (and by `session-manager-plugin
 * --version`): 4 parts, above 1.2.497.0 so the AWS CLI hands the StartSession
 * response over in an environment variable rather than on the command line
 * (where `ps` shows the token), and above 1.2.331.0 so agents treat the client
 * as current for port sessions (session-flow.md §4.1). */
#define SESSION_CLIENT_VERSION "1.2.650.0"

/* A dropped data channel is dialled again with a token from ResumeSession
 * (as the stock plugin does): up to SESSION_RESUME_ATTEMPTS times in a row
 * without hearing from the agent, SESSION_RESUME_PAUSE_MS apart. */
#define SESSION_RESUME_ATTEMPTS 5u
#define SESSION_RESUME_PAUSE_MS 1000u

struct credentials;

struct session_params {
	const char *session_id;
	const char *token_value;
	const char *stream_url;
	const struct credentials *cred; /* for ResumeSession; NULL: a drop ends the session */
	/* The StartSession request named localPortNumber or localUnixSocket (a
	 * port session then listens even on piped stdio: forward_mode.h). */
	bool local_port_named;
};

/*
 * Run the session until it ends, in the caller's loop (not from a callback).
 * Returns CLIENT_OK when the session ran — *result says how it ended — or an
 * error that kept it from starting (message in err). *mid_line tells whether
 * the terminal's cursor was left mid-line. On return the terminal is restored
 * and the session's connections are detached and closing.
 */
int session_run(struct loop *l, const struct session_params *p, struct session_result *result,
		bool *mid_line, char *err, size_t errlen);

#endif
