/*
 * worker_host.c — a stand-in for postern-agent around the session worker,
 * for tests/e2e/test_worker.py, until the agent's own command table has the
 * "worker" entry and its control client spawns workers:
 *
 *   worker_host worker --state-dir DIR   worker_main(), what the agent's
 *                                        `postern-agent worker` will be
 *   worker_host spawn --state-dir DIR    read a packed StartSession envelope
 *                                        from stdin, worker_spawn() it (which
 *                                        re-executes this program as
 *                                        `worker`), print "worker PID", then
 *                                        worker_reap() it and print
 *                                        "exit PID STATUS FAILED REASON";
 *                                        SIGTERM is passed on by worker_stop()
 *
 * Built by the test from the agent's library; not part of any product.
 */
#include "worker.h"
#include "worker_start.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t host_term, host_child;

static void host_on_signal(int sig)
{
	if (sig == SIGCHLD)
		host_child = 1;
	else
		host_term = 1;
}

struct host {
	pid_t pid;
	bool gone;
};

static void host_on_exit(void *ctx, pid_t pid, int status)
{
	struct host *h = ctx;

	printf("exit %ld %d %d %s\n", (long)pid, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
	       worker_exit_failed(status), worker_exit_reason(status));
	fflush(stdout);
	if (pid == h->pid)
		h->gone = true;
}

static int host_spawn(const char *state_dir)
{
	struct sigaction sa;
	sigset_t block, old;
	control_envelope *env;
	struct host h = {0};
	char err[256];

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = host_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	if (worker_start_read(STDIN_FILENO, &env, err, sizeof(err)) != 0) {
		fprintf(stderr, "worker_host: %s\n", err);
		return 1;
	}
	if (worker_spawn(env->start_session, state_dir, &h.pid) != 0)
		return 1;
	control_free(env);
	printf("worker %ld\n", (long)h.pid);
	fflush(stdout);
	while (!h.gone) {
		sigsuspend(&old);
		if (host_term) {
			host_term = 0;
			worker_stop(h.pid);
		}
		if (host_child) {
			host_child = 0;
			worker_reap(host_on_exit, &h);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "worker") == 0)
		return worker_main(argc - 1, argv + 1);
	if (argc == 4 && strcmp(argv[1], "spawn") == 0 && strcmp(argv[2], "--state-dir") == 0)
		return host_spawn(argv[3]);
	fprintf(stderr, "usage: worker_host worker|spawn --state-dir DIR\n");
	return 2;
}
