/*
 * session_shell.h — the shell kind of session (Standard_Stream,
 * InteractiveCommands, NonInteractiveCommands; session-flow.md §3, §6):
 *
 *   stdin a terminal   raw mode, ~. escape, window size sent at once and on
 *                      SIGWINCH; keystrokes go out as typed (Ctrl-C, Ctrl-Z,
 *                      Ctrl-\ are bytes; a lone LF is never rewritten)
 *   stdin not one      no raw mode, no escape; bytes relayed as read; EOF
 *                      just stops reading; the size sent is stdout's, or
 *                      300x100 as the stock plugin does
 *   agent → client     Output to stdout in order, StdErr to stderr, ExitCode
 *                      remembered (session_result.h); other payloads ignored
 *   signals            SIGINT, SIGQUIT, SIGTSTP forwarded as 03, 1C, 1A;
 *                      SIGTERM, SIGHUP end the session
 */
#ifndef POSTERN_SESSION_SHELL_H
#define POSTERN_SESSION_SHELL_H

#include <stdbool.h>

#include "escape.h"
#include "payload.h"
#include "stdio_relay.h"

#define SESSION_SHELL_DEFAULT_COLS 300 /* when no terminal reports a size */
#define SESSION_SHELL_DEFAULT_ROWS 100

struct session_shell {
	struct stdio_relay stdio;
	struct escape escape;
	bool interactive;  /* stdin is a terminal */
	bool stdout_tty;
	bool input_paused; /* by the send window */
	bool have_size;
	struct payload_size size; /* last sent */
};

struct session_kind;
extern const struct session_kind session_shell_kind;

#endif
