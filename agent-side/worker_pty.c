/*
 * worker_pty.c — the session's shell in the worker's event loop (see
 * worker_impl.h): starting it as the run-as user, its pty adopted into lws as
 * a raw file, output into the reliable stream with backpressure, input from
 * it through the pty's bounded buffer, written only when the pty is writable.
 *
 * lws is given a dup of the master and closes that one; the pty_shell keeps
 * the original. When the shell's side hangs up while reading is paused, lws
 * drops the dup (POLLHUP without POLLIN) though output may still sit in the
 * pty: it is then read from the original whenever the stream has room —
 * such reads never block, because nobody can write to the pty any more.
 */
#include "worker_impl.h"
#include "agent_log.h"
#include "payload.h"
#include "proto_err.h"
#include "shell_env.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static struct worker *worker_pty_of(struct lws *wsi)
{
	return lws_context_user(lws_get_context(wsi));
}

/* ---- callbacks from the pty_shell ---------------------------------------------------- */

static void worker_pty_on_output(void *ctx, const uint8_t *data, size_t len)
{
	struct worker *w = ctx;
	int rc = rstream_send(w->rs, PAYLOAD_OUTPUT, data, len, worker_now_ms());

	/* Reading waits for room for a whole message, so only memory can fail. */
	if (rc != PROTO_OK)
		worker_session_stop(w, WORKER_EXIT_FAILED, "shell output lost: %s",
				    proto_err_str(rc));
}

static void worker_pty_on_exit(void *ctx, int wait_status)
{
	struct worker *w = ctx;

	w->shell_exited = true;
	w->shell_status = wait_status;
	w->shell_exit_ms = worker_now_ms();
	worker_session_shell_check(w);
}

/* ---- starting the shell ---------------------------------------------------------------- */

/* Hand a dup of the master to lws (which closes what it adopts). */
static int worker_pty_adopt(struct worker *w, char *err, size_t errlen)
{
	lws_sock_file_fd_type u;
	int fd = fcntl(pty_shell_fd(w->pty), F_DUPFD_CLOEXEC, 3);

	if (fd < 0) {
		snprintf(err, errlen, "cannot duplicate the pty: %s", strerror(errno));
		return -1;
	}
	u.filefd = (lws_filefd_type)(long long)fd;
	w->pty_wsi = lws_adopt_descriptor_vhost(lws_get_vhost(w->ws), LWS_ADOPT_RAW_FILE_DESC, u,
						WORKER_PROTOCOL_PTY, NULL);
	if (!w->pty_wsi) {
		close(fd);
		snprintf(err, errlen, "cannot add the pty to the event loop");
		return -1;
	}
	w->pty_reading = true; /* adopted with POLLIN on */
	return 0;
}

/* The preferences' shell profile, typed into the shell like the official
 * agent does (it shows in the output too). */
static void worker_pty_profile(struct worker *w)
{
	const Postern__Control__SessionPreferences *prefs = w->start->preferences;
	static const uint8_t newline = '\n';

	if (!prefs || !prefs->shell_profile || !prefs->shell_profile[0])
		return;
	if (worker_pty_input(w, (const uint8_t *)prefs->shell_profile,
			     strlen(prefs->shell_profile)) != 0 ||
	    worker_pty_input(w, &newline, 1) != 0)
		agent_log(AGENT_LOG_WARN, "session %s: the shell profile is too long: not run",
			  w->start->session_id);
}

int worker_pty_start(struct worker *w, char *err, size_t errlen)
{
	static const struct pty_shell_ops ops = {
		.on_output = worker_pty_on_output,
		.on_exit = worker_pty_on_exit,
	};
	struct pty_shell_cred cred = {w->user.name, w->user.uid, w->user.gid};
	char argv0[RUN_AS_NAME_MAX + PATH_MAX];
	char *argv[] = {argv0, NULL};
	char **envp = shell_env_build(&w->user, environ);
	struct pty_shell_spec spec = {
		.path = w->user.shell,
		.argv = argv,
		.envp = envp,
		.cwd = w->user.home,
		.cred = w->user.switch_user ? &cred : NULL,
	};

	if (!envp || shell_env_login_name(w->user.shell, argv0, sizeof(argv0)) != 0) {
		snprintf(err, errlen, "cannot prepare the shell's environment");
		shell_env_free(envp);
		return -1;
	}
	w->pty = pty_shell_spawn(&spec, &ops, w, err, errlen);
	shell_env_free(envp);
	if (!w->pty || worker_pty_adopt(w, err, errlen) != 0)
		return -1;
	agent_log(AGENT_LOG_INFO, "session %s: shell %s (pid %ld) started as %s",
		  w->start->session_id, w->user.shell, (long)pty_shell_pid(w->pty), w->user.name);
	worker_pty_profile(w);
	return 0;
}

/* ---- flow control ------------------------------------------------------------------------ */

bool worker_pty_may_read(const struct worker *w)
{
	return w->pty && !w->pty_eof && w->phase == WORKER_RUNNING &&
	       rstream_send_room(w->rs) >= PTY_SHELL_OUTPUT_MAX &&
	       w->outq.bytes <= WORKER_OUTQ_MAX / 2;
}

static void worker_pty_eof(struct worker *w)
{
	w->pty_eof = true;
	worker_session_shell_check(w);
}

void worker_pty_flow(struct worker *w)
{
	bool want = worker_pty_may_read(w);

	if (w->pty_wsi) {
		if (want != w->pty_reading) {
			lws_rx_flow_control(w->pty_wsi, want);
			w->pty_reading = want;
		}
		return;
	}
	while (want) { /* hung up: read what is left directly (see the top) */
		int r = pty_shell_read(w->pty, PTY_SHELL_READ_MAX);

		if (r == PTY_SHELL_EOF)
			worker_pty_eof(w);
		if (r <= 0)
			return;
		want = worker_pty_may_read(w);
	}
}

/* Write what the shell's input buffer holds, as far as the pty takes it. */
static void worker_pty_write_out(struct worker *w)
{
	if (pty_shell_flush(w->pty) != 0)
		agent_log(AGENT_LOG_WARN, "session %s: writing to the shell's terminal failed: %s",
			  w->start->session_id, strerror(errno));
}

int worker_pty_input(struct worker *w, const uint8_t *data, size_t len)
{
	bool was_idle;

	if (!w->pty)
		return -1;
	was_idle = pty_shell_write_pending(w->pty) == 0;
	if (pty_shell_write(w->pty, data, len) != 0)
		return -1;
	/* The master is non-blocking: when nothing waits before this input,
	 * write it now rather than one loop turn later (keystroke latency). */
	if (was_idle)
		worker_pty_write_out(w);
	if (w->pty_wsi && pty_shell_write_pending(w->pty))
		lws_callback_on_writable(w->pty_wsi);
	return 0;
}

void worker_pty_tick(struct worker *w)
{
	if (!w->pty)
		return;
	pty_shell_reap(w->pty);
	if (w->phase == WORKER_RUNNING && rstream_send_room(w->rs) >= UTF8_TAIL_MAX)
		pty_shell_age_held(w->pty);
	worker_pty_flow(w);
}

/* ---- the raw file in lws -------------------------------------------------------------------- */

static int worker_pty_on_readable(struct worker *w)
{
	int r;

	if (!worker_pty_may_read(w)) {
		worker_pty_flow(w);
		return 0;
	}
	r = pty_shell_read(w->pty, PTY_SHELL_READ_MAX);
	if (r == PTY_SHELL_EOF) {
		worker_pty_eof(w);
		return -1; /* lws closes its dup */
	}
	worker_pty_flow(w);
	return 0;
}

static int worker_pty_on_writeable(struct worker *w, struct lws *wsi)
{
	if (!w->pty)
		return 0;
	worker_pty_write_out(w);
	if (pty_shell_write_pending(w->pty))
		lws_callback_on_writable(wsi);
	else if (w->phase == WORKER_RUNNING)
		rstream_retry_delivery(w->rs); /* input refused for lack of room may fit now */
	return 0;
}

static int worker_pty_on_close(struct worker *w, struct lws *wsi)
{
	if (wsi != w->pty_wsi)
		return 0;
	w->pty_wsi = NULL;
	w->pty_reading = false;
	if (!w->destroying)
		worker_pty_flow(w);
	return 0;
}

int worker_pty_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			void *in, size_t len)
{
	struct worker *w = worker_pty_of(wsi);

	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
		return worker_pty_on_readable(w);
	case LWS_CALLBACK_RAW_WRITEABLE_FILE:
		return worker_pty_on_writeable(w, wsi);
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		return worker_pty_on_close(w, wsi);
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}
