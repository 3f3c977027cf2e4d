/*
 * session_table.c — session id ↔ worker pid, and reporting their ends.
 */
#include "session_table.h"
#include "agent_log.h"
#include "worker.h"

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#define STATE(x) POSTERN__CONTROL__SESSION_STATE__STATE__STATE_##x

void session_table_init(struct session_table *t, const char *state_dir,
			session_report_fn report, void *ctx)
{
	memset(t, 0, sizeof(*t));
	t->state_dir = state_dir;
	t->report = report;
	t->report_ctx = ctx;
}

static struct session_entry *find(struct session_table *t, const char *id)
{
	for (size_t i = 0; i < SESSION_TABLE_MAX; i++)
		if (t->entries[i].pid && strcmp(t->entries[i].id, id) == 0)
			return &t->entries[i];
	return NULL;
}

static struct session_entry *free_slot(struct session_table *t)
{
	for (size_t i = 0; i < SESSION_TABLE_MAX; i++)
		if (!t->entries[i].pid)
			return &t->entries[i];
	return NULL;
}

void session_table_start(struct session_table *t, const Postern__Control__StartSession *start)
{
	struct session_entry *e = free_slot(t);
	pid_t pid;

	if (strlen(start->session_id) > SESSION_ID_MAX || find(t, start->session_id)) {
		t->report(t->report_ctx, start->session_id, STATE(FAILED), false, 0,
			  "bad or duplicate session id");
		return;
	}
	if (!e) {
		t->report(t->report_ctx, start->session_id, STATE(FAILED), false, 0,
			  "this agent runs too many sessions");
		return;
	}
	if (worker_spawn(start, t->state_dir, &pid) != 0) {
		t->report(t->report_ctx, start->session_id, STATE(FAILED), false, 0,
			  "the agent could not start a worker");
		return;
	}
	snprintf(e->id, sizeof(e->id), "%s", start->session_id);
	e->pid = pid;
	t->report(t->report_ctx, e->id, STATE(STARTING), false, 0, "");
}

void session_table_stop(struct session_table *t, const char *session_id)
{
	struct session_entry *e = find(t, session_id);

	if (!e)
		return;
	agent_log(AGENT_LOG_INFO, "session %s: stopping worker %d", e->id, (int)e->pid);
	worker_stop(e->pid);
}

static void on_exit(void *ctx, pid_t pid, int wait_status)
{
	struct session_table *t = ctx;

	for (size_t i = 0; i < SESSION_TABLE_MAX; i++) {
		struct session_entry *e = &t->entries[i];

		if (e->pid != pid)
			continue;
		agent_log(AGENT_LOG_INFO, "session %s: worker %d ended%s%s", e->id, (int)pid,
			  worker_exit_failed(wait_status) ? ": " : "",
			  worker_exit_failed(wait_status) ? worker_exit_reason(wait_status) : "");
		t->report(t->report_ctx, e->id,
			  worker_exit_failed(wait_status) ? STATE(FAILED) : STATE(TERMINATED), false,
			  0, worker_exit_reason(wait_status));
		e->pid = 0;
		e->id[0] = '\0';
		return;
	}
}

void session_table_reap(struct session_table *t)
{
	worker_reap(on_exit, t);
}

void session_table_stop_all(struct session_table *t)
{
	for (size_t i = 0; i < SESSION_TABLE_MAX; i++)
		if (t->entries[i].pid)
			worker_stop(t->entries[i].pid);
}

unsigned session_table_count(const struct session_table *t)
{
	unsigned n = 0;

	for (size_t i = 0; i < SESSION_TABLE_MAX; i++)
		n += t->entries[i].pid != 0;
	return n;
}
