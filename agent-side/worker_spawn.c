/*
 * worker_spawn.c — the agent's side of its session workers: starting one,
 * reaping them, stopping one (see worker.h).
 */
#define _GNU_SOURCE /* pipe2, F_GETPIPE_SZ / F_SETPIPE_SZ */

#include "worker.h"
#include "agent_log.h"
#include "worker_start.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORKER_SELF_EXE "/proc/self/exe"

/* The child: the pipe becomes stdin, nothing else of the agent survives. */
static void worker_spawn_child(int read_fd, const char *state_dir) __attribute__((noreturn));

static void worker_spawn_child(int read_fd, const char *state_dir)
{
	char *const argv[] = {"postern-agent", "worker", "--state-dir", (char *)state_dir, NULL};
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(read_fd, STDIN_FILENO) < 0)
		_exit(WORKER_EXIT_FAILED);
	closefrom(STDERR_FILENO + 1);
	execv(WORKER_SELF_EXE, argv);
	_exit(WORKER_EXIT_FAILED);
}

/* Make the pipe hold len bytes, so writing it never waits for the reader. */
static int worker_spawn_fit_pipe(int fd, size_t len)
{
	int size = fcntl(fd, F_GETPIPE_SZ);

	if (size >= 0 && (size_t)size >= len)
		return 0;
	return fcntl(fd, F_SETPIPE_SZ, (int)len) >= 0 ? 0 : -1;
}

int worker_spawn(const Postern__Control__StartSession *start, const char *state_dir,
		 pid_t *pid_out)
{
	int fds[2] = {-1, -1}, rc = -1;
	char err[256] = "";
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) != 0) {
		agent_log(AGENT_LOG_ERROR, "session %s: no pipe for its worker: %s",
			  start->session_id, strerror(errno));
		goto out;
	}
	if (worker_spawn_fit_pipe(fds[1], WORKER_START_MAX) != 0 ||
	    fcntl(fds[1], F_SETFL, O_NONBLOCK) != 0 ||
	    worker_start_write(fds[1], start, err, sizeof(err)) != 0) {
		agent_log(AGENT_LOG_ERROR, "session %s: %s", start->session_id,
			  err[0] ? err : "cannot size the worker's pipe");
		goto out;
	}
	close(fds[1]);
	fds[1] = -1; /* the worker reads to EOF */
	pid = fork();
	if (pid < 0) {
		agent_log(AGENT_LOG_ERROR, "session %s: cannot start its worker: %s",
			  start->session_id, strerror(errno));
		goto out;
	}
	if (pid == 0)
		worker_spawn_child(fds[0], state_dir);
	agent_log(AGENT_LOG_INFO, "session %s: worker %ld started (%s for %s)", start->session_id,
		  (long)pid, start->session_type, start->owner);
	*pid_out = pid;
	rc = 0;
out:
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	return rc;
}

size_t worker_reap(worker_exit_fn on_exit, void *ctx)
{
	size_t n = 0;
	int status;
	pid_t pid;

	for (;;) {
		pid = waitpid(-1, &status, WNOHANG);
		if (pid < 0 && errno == EINTR)
			continue;
		if (pid <= 0)
			return n;
		n++;
		if (on_exit)
			on_exit(ctx, pid, status);
	}
}

int worker_stop(pid_t pid)
{
	if (pid <= 0)
		return -1;
	return kill(pid, SIGTERM) == 0 ? 0 : -1;
}

bool worker_exit_failed(int wait_status)
{
	return !WIFEXITED(wait_status) || WEXITSTATUS(wait_status) != WORKER_EXIT_OK;
}

const char *worker_exit_reason(int wait_status)
{
	static const char *const reasons[] = {
		[WORKER_EXIT_OK] = "",
		[WORKER_EXIT_FAILED] = "the agent could not run the session (see its log)",
		[WORKER_EXIT_CONNECT] = "the agent could not open the session's data channel",
		[WORKER_EXIT_LOST] = "the agent lost the session's data channel",
		[WORKER_EXIT_HANDSHAKE] = "the client did not complete the session handshake",
		[WORKER_EXIT_SHELL] = "the agent could not start a shell as the run-as user",
		[WORKER_EXIT_PEER_GONE] = "the client stopped acknowledging the session's output",
		[WORKER_EXIT_UNSUPPORTED] = "this agent does not run this kind of session",
		[WORKER_EXIT_PROPERTIES] = "the session's port properties are invalid",
		[WORKER_EXIT_DESTINATION] = "the agent could not connect to the session's "
					    "destination",
		[WORKER_EXIT_PROTOCOL] = "the client broke the session's protocol",
	};
	int code;

	if (WIFSIGNALED(wait_status))
		return "the session's worker was killed by a signal";
	if (!WIFEXITED(wait_status))
		return "the session's worker stopped";
	code = WEXITSTATUS(wait_status);
	if (code < 0 || (size_t)code >= sizeof(reasons) / sizeof(reasons[0]))
		return "the session's worker failed";
	return reasons[code];
}
