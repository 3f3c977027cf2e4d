/*
 * worker_main.c — `postern-agent worker`: the process that runs one session
 * (see worker.h): its arguments, its setup, its signals, its event loop and
 * its teardown.
 */
#include "worker_impl.h"
#include "agent_args.h"
#include "agent_log.h"
#include "agent_lws.h"
#include "worker_start.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/*
 * The process's only mutable global: what the signal handlers may touch.
 * They set a flag and wake the loop (lws_cancel_service); the loop acts
 * (worker_signals_poll). lws is set before the handlers are installed and
 * cleared after they are blocked again.
 */
static struct {
	volatile sig_atomic_t stop, child;
	struct lws_context *lws;
} worker_signal;

static void worker_on_signal(int sig)
{
	if (sig == SIGCHLD)
		worker_signal.child = 1;
	else
		worker_signal.stop = 1;
	if (worker_signal.lws)
		lws_cancel_service(worker_signal.lws);
}

static const int worker_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGCHLD};
#define WORKER_N_SIGNALS (sizeof(worker_signals) / sizeof(worker_signals[0]))

static void worker_signals_install(struct lws_context *lws)
{
	struct sigaction sa;

	worker_signal.lws = lws;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = worker_on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; i < WORKER_N_SIGNALS; i++)
		sigaction(worker_signals[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void worker_signals_block(void)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < WORKER_N_SIGNALS; i++)
		sigaddset(&set, worker_signals[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
	worker_signal.lws = NULL;
}

void worker_signals_poll(struct worker *w)
{
	if (worker_signal.child) {
		worker_signal.child = 0;
		if (w->kind && w->kind->child)
			w->kind->child(w);
	}
	if (worker_signal.stop) {
		worker_signal.stop = 0;
		worker_session_stop(w, WORKER_EXIT_OK, "stopped by a signal");
	}
}

uint64_t worker_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void worker_random(struct worker *w, uint8_t *buf, size_t len)
{
	if (RAND_bytes(buf, (int)len) != 1)
		lws_get_random(w->lws, buf, len);
}

/* ---- setup ---------------------------------------------------------------------------------- */

static const struct lws_protocols worker_protocols[] = {
	{WORKER_PROTOCOL_WS, worker_ws_callback, 0, 65536, 0, NULL, 0},
	{WORKER_PROTOCOL_PTY, worker_pty_callback, 0, 0, 0, NULL, 0},
	{WORKER_PROTOCOL_TCP, worker_tcp_callback, 0, 65536, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0},
};

static void worker_lws_log(int level, const char *line)
{
	agent_log(level & LLL_ERR ? AGENT_LOG_ERROR : AGENT_LOG_WARN, "lws: %.*s",
		  (int)strcspn(line, "\n"), line);
}

const struct worker_kind *worker_kind_find(const char *session_type)
{
	static const struct worker_kind *const kinds[] = {&worker_kind_shell, &worker_kind_port};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (session_type && strcmp(kinds[i]->session_type, session_type) == 0)
			return kinds[i];
	return NULL;
}

/* Can this worker run what was asked? WORKER_EXIT_OK or why not. */
static int worker_check_request(struct worker *w, char *err, size_t errlen)
{
	w->kind = worker_kind_find(w->start->session_type);
	if (!w->kind) {
		snprintf(err, errlen, "session type '%s' is not supported by this agent yet",
			 w->start->session_type);
		return WORKER_EXIT_UNSUPPORTED;
	}
	return w->kind->prepare(w, err, errlen);
}

static int worker_setup(struct worker *w, const char *state_dir, char *err, size_t errlen)
{
	int rc;

	if (agent_state_load(state_dir, &w->st, err, errlen) != 0 ||
	    worker_url_parse(w->start->data_channel_url, &w->url, err, errlen) != 0)
		return WORKER_EXIT_FAILED;
	rc = worker_check_request(w, err, errlen);
	if (rc != WORKER_EXIT_OK)
		return rc;
	w->ssl = agent_tls_context(&w->url.server, w->st.paths.ca, NULL, NULL, &w->diag, err,
				   errlen);
	if (!w->ssl)
		return WORKER_EXIT_FAILED;
	if (worker_session_init(w) != 0) {
		snprintf(err, errlen, "out of memory");
		return WORKER_EXIT_FAILED;
	}
	lws_set_log_level(LLL_ERR, worker_lws_log);
	w->lws = agent_lws_client_context(worker_protocols, w->ssl, w, WORKER_FD_LIMIT,
					  WORKER_CONNECT_TIMEOUT_S);
	if (!w->lws) {
		snprintf(err, errlen, "cannot start libwebsockets");
		return WORKER_EXIT_FAILED;
	}
	return WORKER_EXIT_OK;
}

/* ---- the loop ----------------------------------------------------------------------------- */

static void worker_on_tick(lws_sorted_usec_list_t *sul)
{
	struct worker *w = lws_container_of(sul, struct worker, tick);

	worker_session_tick(w);
	if (!w->done)
		lws_sul_schedule(w->lws, 0, &w->tick, worker_on_tick,
				 (lws_usec_t)RSTREAM_TICK_MS * LWS_US_PER_MS);
}

static void worker_run(struct worker *w)
{
	worker_signals_install(w->lws);
	agent_log(AGENT_LOG_INFO, "session %s: connecting to %s:%d", w->start->session_id,
		  w->url.server.host, w->url.server.port);
	w->phase = WORKER_CONNECTING;
	if (worker_ws_connect(w) != 0)
		worker_session_lost(w, "cannot start a connection");
	lws_sul_schedule(w->lws, 0, &w->tick, worker_on_tick,
			 (lws_usec_t)RSTREAM_TICK_MS * LWS_US_PER_MS);
	while (!w->done)
		if (lws_service(w->lws, 0) < 0)
			break;
	worker_signals_block();
}

static void worker_free(struct worker *w)
{
	w->destroying = true;
	if (w->kind)
		w->kind->free(w); /* lets go of its descriptors before lws closes them */
	if (w->lws) {
		lws_sul_cancel(&w->tick);
		lws_context_destroy(w->lws);
	}
	rstream_free(w->rs);
	ws_link_free(w->link);
	free(w->hs_response);
	if (w->ssl)
		SSL_CTX_free(w->ssl);
	control_free(w->env);
	free(w);
}

/* ---- the command ---------------------------------------------------------------------------- */

static const char worker_details[] =
	"Started by `postern-agent run`, once per session: reads the session's\n"
	"StartSession (a control-channel Envelope) from stdin, opens its data channel\n"
	"and runs it. Not meant to be run by hand.\n"
	"Exit status: 0 the session ran and ended; 1 setup failed; 2 no data channel;\n"
	"3 data channel lost; 4 handshake failed; 5 no shell; 6 the client stopped\n"
	"acknowledging; 7 unsupported session; 8 invalid port properties; 9 the\n"
	"destination refused or unreachable; 10 the client broke the protocol.\n";

/* -1 to go on, else the exit status (help printed, bad usage). */
static int worker_parse_options(int argc, char **argv, const char **state_dir)
{
	const struct agent_option options[] = {
		{"state-dir", "DIR", "the agent's state directory", state_dir, NULL, true},
	};
	const struct agent_command cmd = {
		"worker", "Run one session (internal: started by the agent).", worker_details,
		options, sizeof(options) / sizeof(options[0]),
	};
	char err[512];
	int rc = agent_args_parse(&cmd, argc, argv, err, sizeof(err));

	if (rc == AGENT_ARGS_HELP)
		return WORKER_EXIT_OK;
	if (rc == AGENT_ARGS_ERROR) {
		fprintf(stderr, "postern-agent worker: %s\n", err);
		return WORKER_EXIT_FAILED;
	}
	return -1;
}

/* The StartSession from stdin; stdin is /dev/null afterwards. */
static control_envelope *worker_read_start(char *err, size_t errlen)
{
	control_envelope *env = NULL;
	int null_fd;

	if (worker_start_read(STDIN_FILENO, &env, err, errlen) != 0)
		return NULL;
	null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0) {
		snprintf(err, errlen, "cannot reopen stdin on /dev/null");
		control_free(env);
		env = NULL;
	}
	if (null_fd > STDIN_FILENO)
		close(null_fd);
	return env;
}

int worker_main(int argc, char **argv)
{
	const char *state_dir = NULL;
	struct worker *w = NULL;
	char err[1200];
	int rc = worker_parse_options(argc, argv, &state_dir);

	if (rc >= 0)
		return rc;
	w = calloc(1, sizeof(*w));
	if (!w) {
		agent_log(AGENT_LOG_ERROR, "worker: out of memory");
		return WORKER_EXIT_FAILED;
	}
	w->env = worker_read_start(err, sizeof(err));
	if (!w->env) {
		agent_log(AGENT_LOG_ERROR, "worker: %s", err);
		rc = WORKER_EXIT_FAILED;
		goto out;
	}
	w->start = w->env->start_session;
	rc = worker_setup(w, state_dir, err, sizeof(err));
	if (rc != WORKER_EXIT_OK) {
		agent_log(AGENT_LOG_ERROR, "session %s: %s", w->start->session_id, err);
		goto out;
	}
	worker_run(w);
	rc = w->exit_status;
	agent_log(AGENT_LOG_INFO, "session %s: worker done (exit status %d)", w->start->session_id,
		  rc);
out:
	worker_free(w);
	return rc;
}
