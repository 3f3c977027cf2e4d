/*
 * run_cmd.c — `postern-agent run` (see run_cmd.h).
 */
#include "run_cmd.h"
#include "agent_args.h"
#include "agent_log.h"
#include "agent_state.h"
#include "agent_version.h"
#include "control_client.h"
#include "host_info.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The process's only mutable global: what a signal handler may touch. The
 * flag is the request to stop; client is set once before the handlers are
 * installed and only read by them (to wake the loop).
 */
static struct {
	volatile sig_atomic_t stop;
	volatile sig_atomic_t child_exited; /* a session worker ended: reap it */
	struct control_client *client;
} run_signal;

static void on_child_signal(int sig)
{
	(void)sig;
	run_signal.child_exited = 1;
	control_client_wake(run_signal.client);
}

static void on_stop_signal(int sig)
{
	(void)sig;
	run_signal.stop = 1;
	control_client_wake(run_signal.client);
}

static void install_signals(struct control_client *c)
{
	struct sigaction sa;

	run_signal.client = c;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_child_signal;
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

static void block_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	run_signal.client = NULL;
}

static const char details[] =
	"Reads agent.conf, key.pem, cert.pem and ca.pem from the state directory\n"
	"(written by `postern-agent register`; default /var/lib/postern-agent as root,\n"
	"else $XDG_STATE_HOME/postern-agent or ~/.local/state/postern-agent), connects\n"
	"to the broker's /v1/control over mutual TLS and stays connected: heartbeats at\n"
	"the interval the broker asks for; three intervals without a sign of life from\n"
	"the broker (a message, or the answer to a websocket ping) end the connection;\n"
	"after any failure or close it reconnects with jittered exponential backoff\n"
	"(1 s doubling up to 30 s). One postern-agent at a time may use a state\n"
	"directory. Each session the broker starts runs in its own worker process\n"
	"(a login shell on a pty; as ssm-user when the agent is root, else as the\n"
	"agent's own user).\n"
	"\n"
	"Logs go to stderr, one timestamped line per event. SIGINT or SIGTERM closes\n"
	"the connection cleanly and exits 0. Running as a user other than root, the\n"
	"agent cannot switch users: sessions would run as that user.\n"
	"Exit status: 0 stopped by a signal, 1 cannot start, 2 bad usage.\n";

/* -1 to go on, else the exit status (help printed, bad usage). */
static int parse_options(int argc, char **argv, const char **state_dir, bool *verbose)
{
	const struct agent_option options[] = {
		{"state-dir", "DIR", "where the registration is (see below)", state_dir, NULL,
		 false},
		{"verbose", NULL, "also log libwebsockets' own warnings and errors", NULL, verbose,
		 false},
	};
	const struct agent_command cmd = {
		"run",
		"Run the agent: keep this host's control channel to the broker open.",
		details, options, sizeof(options) / sizeof(options[0]),
	};
	char err[512];
	int rc = agent_args_parse(&cmd, argc, argv, err, sizeof(err));

	if (rc == AGENT_ARGS_HELP)
		return EXIT_SUCCESS;
	if (rc == AGENT_ARGS_ERROR) {
		fprintf(stderr, "postern-agent run: %s (see postern-agent run --help)\n", err);
		return 2;
	}
	return -1;
}

static void log_start(const struct agent_state *st)
{
	struct host_info host;

	host_info_collect(&host);
	agent_log(AGENT_LOG_INFO, "postern-agent %s (agent version %s) starting: instance %s, "
		  "broker %s, state %s", POSTERN_VERSION, AGENT_VERSION, st->conf.instance_id,
		  st->conf.broker, st->paths.dir);
	if (!host.runs_as_root)
		agent_log(AGENT_LOG_WARN, "running as %s: sessions will run as this user "
			  "(no user switching)", host.user);
}

int run_cmd_main(int argc, char **argv)
{
	const char *state_dir = NULL;
	bool verbose = false;
	struct agent_state st;
	struct control_client *c;
	char err[1200];
	int rc, lock_fd;

	rc = parse_options(argc, argv, &state_dir, &verbose);
	if (rc >= 0)
		return rc;
	if (agent_state_load(state_dir, &st, err, sizeof(err)) != 0) {
		fprintf(stderr, "postern-agent: %s\n", err);
		return 1;
	}
	lock_fd = agent_state_lock(st.paths.dir, err, sizeof(err));
	if (lock_fd < 0) {
		fprintf(stderr, "postern-agent: %s\n", err);
		return 1;
	}
	c = control_client_new(&st, verbose, err, sizeof(err));
	if (!c) {
		fprintf(stderr, "postern-agent: %s\n", err);
		close(lock_fd);
		return 1;
	}
	log_start(&st);
	control_client_watch_children(c, &run_signal.child_exited);
	install_signals(c);
	control_client_run(c, &run_signal.stop);
	block_signals(); /* the handlers must not wake a client being freed */
	control_client_free(c);
	agent_log(AGENT_LOG_INFO, "stopped");
	close(lock_fd);
	return 0;
}
