/*
 * client_err.c — exit statuses and message formatting for enum client_err.
 */
#include "client_err.h"

#include <stdarg.h>
#include <stdio.h>

int client_err_exit_status(int err)
{
	if (err == CLIENT_OK)
		return 0;
	return err == CLIENT_E_USAGE ? 2 : 1;
}

int client_errf(char *err, size_t errlen, int code, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return code;
}
