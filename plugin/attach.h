/*
 * attach.h — from a started session to the program's exit status, shared by
 * `postern start-session` and the session-manager-plugin contract: run the
 * session (session.h), end it on the broker with TerminateSession when the
 * client ended it (~., a signal, a local error), and print the one final line
 * on stderr (a newline first if the cursor was left mid-line).
 */
#ifndef POSTERN_ATTACH_H
#define POSTERN_ATTACH_H

#include <stdbool.h>

struct credentials;
struct loop;

struct attach_params {
	const char *session_id;
	const char *token_value;
	const char *stream_url;
	const struct credentials *cred; /* for TerminateSession; NULL if unavailable */
	const char *cred_error;         /* why cred is NULL */
	/*
	 * Exit with the remote shell's exit code (postern start-session). Under
	 * the AWS CLI (session-manager-plugin) a session that ended normally
	 * exits 0 instead: the CLI turns any other status into an error of its
	 * own and exits 255.
	 */
	bool remote_status;
	bool local_port_named; /* see session_params */
};

/* Returns the exit status (session_result.h's table, or 1 if the session
 * could not start). Not from a loop callback. */
int attach_run(struct loop *l, const struct attach_params *p);

#endif
