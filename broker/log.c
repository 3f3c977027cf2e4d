/*
 * log.c — the broker's log lines: "<time> <level> message" on stderr.
 */
#include "broker.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

void broker_log(const struct broker *b, int level, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warn", "notice", "debug"};
	char stamp[32];
	struct tm tm;
	time_t now;
	va_list ap;

	if (level > b->cfg.log_level)
		return;
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s ", stamp, names[level < 0 ? 0 : level > 3 ? 3 : level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
