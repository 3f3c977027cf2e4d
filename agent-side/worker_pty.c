/*
 * worker_pty.c — the shell kind (worker_kind.h: Standard_Stream): a login
 * shell in the worker's event loop, started as the run-as user, its pty
 * adopted into lws as a raw file, output into the reliable stream with
 * backpressure, input from it through the pty's bounded buffer, written only
 * when the pty is writable; when the shell exits, its exit code (to clients
 * that want it) and the session's end; when the session is stopped, SIGHUP
 * and, WORKER_KILL_GRACE_MS later, SIGKILL.
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
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static void worker_pty_flow(struct worker *w);
static void worker_pty_check_exit(struct worker *w);
static int worker_pty_input(struct worker *w, const uint8_t *data, size_t len);

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

	w->shell.exited = true;
	w->shell.status = wait_status;
	w->shell.exit_ms = worker_now_ms();
	worker_pty_check_exit(w);
}

/* ---- starting the shell ---------------------------------------------------------------- */

/* Hand a dup of the master to lws (which closes what it adopts). */
static int worker_pty_adopt(struct worker *w, char *err, size_t errlen)
{
	lws_sock_file_fd_type u;
	int fd = fcntl(pty_shell_fd(w->shell.pty), F_DUPFD_CLOEXEC, 3);

	if (fd < 0) {
		snprintf(err, errlen, "cannot duplicate the pty: %s", strerror(errno));
		return -1;
	}
	u.filefd = (lws_filefd_type)(long long)fd;
	w->shell.wsi = lws_adopt_descriptor_vhost(lws_get_vhost(w->ws), LWS_ADOPT_RAW_FILE_DESC, u,
						WORKER_PROTOCOL_PTY, NULL);
	if (!w->shell.wsi) {
		close(fd);
		snprintf(err, errlen, "cannot add the pty to the event loop");
		return -1;
	}
	w->shell.reading = true; /* adopted with POLLIN on */
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

static int worker_pty_prepare(struct worker *w, char *err, size_t errlen)
{
	const Postern__Control__SessionPreferences *prefs = w->start->preferences;

	if (prefs && prefs->kms_key_id && prefs->kms_key_id[0]) {
		snprintf(err, errlen, "session encryption (KMS) is not supported by this agent "
				      "yet");
		return WORKER_EXIT_UNSUPPORTED;
	}
	if (run_as_resolve(w->start->run_as, geteuid(), &w->shell.user, err, errlen) != 0)
		return WORKER_EXIT_SHELL;
	return WORKER_EXIT_OK;
}

static int worker_pty_start(struct worker *w, char *err, size_t errlen)
{
	static const struct pty_shell_ops ops = {
		.on_output = worker_pty_on_output,
		.on_exit = worker_pty_on_exit,
	};
	struct pty_shell_cred cred = {w->shell.user.name, w->shell.user.uid, w->shell.user.gid};
	char argv0[RUN_AS_NAME_MAX + PATH_MAX];
	char *argv[] = {argv0, NULL};
	char **envp = shell_env_build(&w->shell.user, environ);
	struct pty_shell_spec spec = {
		.path = w->shell.user.shell,
		.argv = argv,
		.envp = envp,
		.cwd = w->shell.user.home,
		.cred = w->shell.user.switch_user ? &cred : NULL,
	};

	if (!envp || shell_env_login_name(w->shell.user.shell, argv0, sizeof(argv0)) != 0) {
		snprintf(err, errlen, "cannot prepare the shell's environment");
		shell_env_free(envp);
		return WORKER_EXIT_SHELL;
	}
	w->shell.pty = pty_shell_spawn(&spec, &ops, w, err, errlen);
	shell_env_free(envp);
	if (!w->shell.pty || worker_pty_adopt(w, err, errlen) != 0)
		return WORKER_EXIT_SHELL;
	agent_log(AGENT_LOG_INFO, "session %s: shell %s (pid %ld) started as %s",
		  w->start->session_id, w->shell.user.shell, (long)pty_shell_pid(w->shell.pty),
		  w->shell.user.name);
	worker_pty_profile(w);
	return WORKER_EXIT_OK;
}

/* ---- flow control ------------------------------------------------------------------------ */

/* Whether the pty may be read now: the shell runs, and the stream and the
 * websocket queue have room for a whole message. */
static bool worker_pty_may_read(const struct worker *w)
{
	return w->shell.pty && !w->shell.eof && w->phase == WORKER_RUNNING &&
	       rstream_send_room(w->rs) >= PTY_SHELL_OUTPUT_MAX &&
	       worker_ws_backlog(w) <= WORKER_WS_BACKLOG_MAX;
}

static void worker_pty_eof(struct worker *w)
{
	w->shell.eof = true;
	worker_pty_check_exit(w);
}

/* Read the pty while the stream has room; stop reading while it has not. */
static void worker_pty_flow(struct worker *w)
{
	bool want = worker_pty_may_read(w);

	if (w->shell.wsi) {
		if (want != w->shell.reading) {
			lws_rx_flow_control(w->shell.wsi, want);
			w->shell.reading = want;
		}
		return;
	}
	while (want) { /* hung up: read what is left directly (see the top) */
		int r = pty_shell_read(w->shell.pty, PTY_SHELL_READ_MAX);

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
	if (pty_shell_flush(w->shell.pty) != 0)
		agent_log(AGENT_LOG_WARN, "session %s: writing to the shell's terminal failed: %s",
			  w->start->session_id, strerror(errno));
}

/* Input for the shell: 0, or -1 when its buffer is full (try again later). */
static int worker_pty_input(struct worker *w, const uint8_t *data, size_t len)
{
	bool was_idle;

	if (!w->shell.pty)
		return -1;
	was_idle = pty_shell_write_pending(w->shell.pty) == 0;
	if (pty_shell_write(w->shell.pty, data, len) != 0)
		return -1;
	/* The master is non-blocking: when nothing waits before this input,
	 * write it now rather than one loop turn later (keystroke latency). */
	if (was_idle)
		worker_pty_write_out(w);
	if (w->shell.wsi && pty_shell_write_pending(w->shell.pty))
		lws_callback_on_writable(w->shell.wsi);
	return 0;
}

static enum rstream_delivery worker_pty_deliver(struct worker *w, const struct frame *f)
{
	struct payload_size size;

	switch (f->payload_type) {
	case PAYLOAD_OUTPUT:
		return worker_pty_input(w, f->payload, f->payload_len) == 0 ? RSTREAM_DELIVERED
									     : RSTREAM_NOT_READY;
	case PAYLOAD_SIZE:
		if (payload_size_decode(f->payload, f->payload_len, &size) == PROTO_OK)
			pty_shell_resize(w->shell.pty, size.cols, size.rows);
		return RSTREAM_DELIVERED;
	default: /* Flag: shells ignore it; anything else has no meaning here */
		return RSTREAM_DELIVERED;
	}
}

/* ---- the end ------------------------------------------------------------------------------- */

/* The shell exited: once its output is read (or, if something keeps its
 * terminal open, WORKER_EOF_GRACE_MS later), the session finishes. */
static void worker_pty_check_exit(struct worker *w)
{
	uint64_t now = worker_now_ms();

	if (w->phase != WORKER_RUNNING || !w->shell.exited)
		return;
	if (!w->shell.eof && !worker_pty_may_read(w))
		w->shell.exit_ms = now; /* output is held back, not absent: keep waiting */
	if (!w->shell.eof && now - w->shell.exit_ms < WORKER_EOF_GRACE_MS)
		return;
	agent_log(AGENT_LOG_INFO, "session %s: the shell exited with %d%s", w->start->session_id,
		  pty_shell_exit_code(w->shell.status),
		  w->shell.eof ? "" : " (something still holds its terminal)");
	w->shell.exit_code_pending = w->hs.exit_code;
	worker_session_finish(w);
}

/* ExitCode, if the client wants it. */
static bool worker_pty_drain(struct worker *w)
{
	uint8_t *payload = NULL;
	size_t len = 0;
	int rc;

	if (!w->shell.exit_code_pending)
		return true;
	rc = payload_exit_code_encode(pty_shell_exit_code(w->shell.status), &payload, &len);
	if (rc == PROTO_OK)
		rc = rstream_send(w->rs, PAYLOAD_EXIT_CODE, payload, len, worker_now_ms());
	free(payload);
	if (rc != PROTO_E_WOULD_BLOCK)
		w->shell.exit_code_pending = false; /* sent, or never will be */
	return !w->shell.exit_code_pending;
}

static void worker_pty_stop(struct worker *w)
{
	if (w->shell.pty && !w->shell.exited) {
		pty_shell_signal(w->shell.pty, SIGHUP);
		w->shell.kill_deadline_ms = worker_now_ms() + WORKER_KILL_GRACE_MS;
	}
}

/* SIGHUP went out at the stop; SIGKILL follows, and then we give up. */
static void worker_pty_kill_step(struct worker *w, uint64_t now)
{
	if (!w->shell.kill_deadline_ms || now < w->shell.kill_deadline_ms)
		return;
	if (!w->shell.pty || w->shell.exited) {
		w->shell.kill_deadline_ms = 0;
		return;
	}
	if (!w->shell.killed) {
		pty_shell_signal(w->shell.pty, SIGKILL);
		w->shell.killed = true;
		w->shell.kill_deadline_ms = now + WORKER_KILL_GRACE_MS;
		return;
	}
	agent_log(AGENT_LOG_ERROR, "session %s: the shell (pid %ld) survives SIGKILL; leaving it",
		  w->start->session_id, (long)pty_shell_pid(w->shell.pty));
	w->shell.kill_deadline_ms = 0;
}

static bool worker_pty_busy(const struct worker *w)
{
	return w->shell.pty && !w->shell.exited && w->shell.kill_deadline_ms;
}

static void worker_pty_child(struct worker *w)
{
	if (w->shell.pty)
		pty_shell_reap(w->shell.pty);
}

static void worker_pty_tick(struct worker *w)
{
	if (w->shell.pty) {
		pty_shell_reap(w->shell.pty);
		if (w->phase == WORKER_RUNNING && rstream_send_room(w->rs) >= UTF8_TAIL_MAX)
			pty_shell_age_held(w->shell.pty);
		worker_pty_flow(w);
	}
	worker_pty_check_exit(w);
	worker_pty_kill_step(w, worker_now_ms());
}

static void worker_pty_free(struct worker *w)
{
	pty_shell_free(w->shell.pty);
	w->shell.pty = NULL;
}

/* ---- the raw file in lws -------------------------------------------------------------------- */

static int worker_pty_on_readable(struct worker *w)
{
	int r;

	if (!worker_pty_may_read(w)) {
		worker_pty_flow(w);
		return 0;
	}
	r = pty_shell_read(w->shell.pty, PTY_SHELL_READ_MAX);
	if (r == PTY_SHELL_EOF) {
		worker_pty_eof(w);
		return -1; /* lws closes its dup */
	}
	worker_pty_flow(w);
	return 0;
}

static int worker_pty_on_writeable(struct worker *w, struct lws *wsi)
{
	if (!w->shell.pty)
		return 0;
	worker_pty_write_out(w);
	if (pty_shell_write_pending(w->shell.pty))
		lws_callback_on_writable(wsi);
	else if (w->phase == WORKER_RUNNING)
		rstream_retry_delivery(w->rs); /* input refused for lack of room may fit now */
	return 0;
}

static int worker_pty_on_close(struct worker *w, struct lws *wsi)
{
	if (wsi != w->shell.wsi)
		return 0;
	w->shell.wsi = NULL;
	w->shell.reading = false;
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

const struct worker_kind worker_kind_shell = {
	.session_type = "Standard_Stream",
	.prepare = worker_pty_prepare,
	.start = worker_pty_start,
	.deliver = worker_pty_deliver,
	.flow = worker_pty_flow,
	.tick = worker_pty_tick,
	.child = worker_pty_child,
	.drain = worker_pty_drain,
	.stop = worker_pty_stop,
	.busy = worker_pty_busy,
	.free = worker_pty_free,
};
