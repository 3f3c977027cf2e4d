/*
 * agent_log.h — postern-agent's log lines on stderr:
 *
 *   2026-01-31T12:00:00.123Z warn connection failed: ...
 *
 * UTC timestamp with milliseconds, a level word, the message. Each line is
 * written with a single write(2) so lines from several processes (the agent
 * and, later, its session workers) never interleave. Owns nothing else: no
 * level filter, no state.
 */
#ifndef POSTERN_AGENT_LOG_H
#define POSTERN_AGENT_LOG_H

enum agent_log_level {
	AGENT_LOG_ERROR,
	AGENT_LOG_WARN,
	AGENT_LOG_INFO,
};

/* Log one line (a trailing newline in fmt is not needed). Long lines are cut
 * at 1 KiB. Safe to call from anywhere but a signal handler. */
void agent_log(enum agent_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
