/*
 * session_table.h — the agent's running sessions: one worker process each
 * (worker.h), started and stopped on the broker's word, reaped when they end,
 * each end reported back as a SessionState through a callback.
 */
#ifndef POSTERN_AGENT_SESSION_TABLE_H
#define POSTERN_AGENT_SESSION_TABLE_H

#include <stdbool.h>
#include <sys/types.h>

#include "control.h"

#define SESSION_TABLE_MAX 256
#define SESSION_ID_MAX 96

/* Called with the outcome of a session: a state of SessionState.State. */
typedef void (*session_report_fn)(void *ctx, const char *session_id, int state,
				  bool has_exit_code, int exit_code, const char *detail);

struct session_entry {
	char id[SESSION_ID_MAX + 1];
	pid_t pid; /* 0: slot free */
};

struct session_table {
	const char *state_dir;
	struct session_entry entries[SESSION_TABLE_MAX];
	session_report_fn report;
	void *report_ctx;
};

void session_table_init(struct session_table *t, const char *state_dir,
			session_report_fn report, void *ctx);

/* Start a worker for the session; reports STARTING, or FAILED with a reason. */
void session_table_start(struct session_table *t, const Postern__Control__StartSession *start);

/* Stop the session's worker (SIGTERM); unknown ids are ignored. */
void session_table_stop(struct session_table *t, const char *session_id);

/* Reap ended workers and report each (TERMINATED or FAILED). */
void session_table_reap(struct session_table *t);

/* Stop every worker (agent shutdown). */
void session_table_stop_all(struct session_table *t);

/* Workers running. */
unsigned session_table_count(const struct session_table *t);

#endif
