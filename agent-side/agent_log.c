/*
 * agent_log.c — timestamped log lines on stderr (see agent_log.h).
 */
#include "agent_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define AGENT_LOG_LINE_MAX 1024

void agent_log(enum agent_log_level level, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warn", "info"};
	char line[AGENT_LOG_LINE_MAX];
	struct timespec ts;
	struct tm tm;
	size_t len;
	va_list ap;
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	len = strftime(line, sizeof(line), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line + len, sizeof(line) - len, ".%03ldZ %s ", ts.tv_nsec / 1000000L,
		     names[level <= AGENT_LOG_INFO ? level : AGENT_LOG_INFO]);
	if (n < 0 || (size_t)n >= sizeof(line) - len)
		return;
	len += (size_t)n;
	va_start(ap, fmt);
	n = vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	len = (size_t)n >= sizeof(line) - len ? sizeof(line) - 2 : len + (size_t)n;
	line[len++] = '\n';
	if (write(STDERR_FILENO, line, len) < 0)
		return; /* nowhere left to report it */
}
