/*
 * client_err.h — the one error enum of the operator's client (plugin/).
 *
 * Every plugin/ function that can fail returns CLIENT_OK (zero) or one of the
 * negative codes below, and writes a one-line, human-readable explanation into
 * the caller's `char *err, size_t errlen` buffer (never a secret). The program
 * turns a code into its exit status with client_err_exit_status(): usage
 * mistakes exit 2, everything else that failed exits 1.
 */
#ifndef POSTERN_CLIENT_ERR_H
#define POSTERN_CLIENT_ERR_H

#include <stddef.h>

enum client_err {
	CLIENT_OK = 0,
	CLIENT_E_USAGE = -1,     /* bad command line: exit status 2 */
	CLIENT_E_CONFIG = -2,    /* a setting or credential missing or malformed */
	CLIENT_E_NOT_FOUND = -3, /* a file or profile that does not exist (callers may
				  * fall through to the next source) */
	CLIENT_E_NOMEM = -4,     /* allocation failed */
	CLIENT_E_IO = -5,        /* reading a file, the terminal, stdin/stdout */
	CLIENT_E_NET = -6,       /* connecting, TLS, the HTTP or websocket transport */
	CLIENT_E_API = -7,       /* the service answered with an AWS error */
	CLIENT_E_PROTOCOL = -8,  /* an answer or message we cannot use */
	CLIENT_E_WOULD_BLOCK = -9, /* a queue or window is full: retry later */
};

/* Exit status for a result: 0 for CLIENT_OK, 2 for CLIENT_E_USAGE, else 1. */
int client_err_exit_status(int err);

/*
 * Format a message into err[0..errlen) (truncated, always NUL-terminated when
 * errlen > 0) and return code, so a failing path reads
 * `return client_errf(err, errlen, CLIENT_E_CONFIG, "…", …);`.
 */
int client_errf(char *err, size_t errlen, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
