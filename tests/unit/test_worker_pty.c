/*
 * test_worker_pty.c — agent-side/pty_shell.c: real programs on real ptys.
 *
 * Covers: output of `sh -c 'echo hi; exit 3'` read to EOF and its exit code 3
 * through on_exit; the initial window size and a resize, both as `stty size`
 * sees them; input written through the bounded buffer reaching the program
 * (and the buffer refusing what does not fit); signals reaching the program's
 * process group (exit code 128 + signal); a program that cannot be executed
 * (its message on the terminal, exit 127); the exact environment given;
 * and, as root, the drop to another user (uid, gid, groups).
 */
#include <criterion/criterion.h>

#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../agent-side/pty_shell.h"

#define OUT_MAX 65536

struct run {
	char out[OUT_MAX];
	size_t len;
	size_t max_chunk;
	int exits;
	int status;
};

static void on_output(void *ctx, const uint8_t *data, size_t len)
{
	struct run *r = ctx;

	cr_assert_leq(len, PTY_SHELL_OUTPUT_MAX);
	if (len > r->max_chunk)
		r->max_chunk = len;
	if (len > sizeof(r->out) - 1 - r->len)
		len = sizeof(r->out) - 1 - r->len;
	memcpy(r->out + r->len, data, len);
	r->len += len;
	r->out[r->len] = '\0';
}

static void on_exit_cb(void *ctx, int status)
{
	struct run *r = ctx;

	r->exits++;
	r->status = status;
}

static const struct pty_shell_ops ops = {on_output, on_exit_cb};
static char *const test_env[] = {"PATH=/usr/bin:/bin", "LANG=C", "POSTERN_TEST=yes", NULL};

static struct pty_shell *spawn_sh(const char *script, unsigned cols, unsigned rows,
				  const struct pty_shell_cred *cred, struct run *r)
{
	char *const argv[] = {"sh", "-c", (char *)script, NULL};
	struct pty_shell_spec spec = {
		.path = "/bin/sh", .argv = argv, .envp = test_env, .cwd = "/",
		.cols = cols, .rows = rows, .cred = cred,
	};
	char err[256] = "";
	struct pty_shell *p;

	memset(r, 0, sizeof(*r));
	p = pty_shell_spawn(&spec, &ops, r, err, sizeof(err));
	cr_assert_not_null(p, "spawn: %s", err);
	return p;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Read until the output contains want (or EOF when want is NULL). */
static bool read_until(struct pty_shell *p, struct run *r, const char *want, unsigned ms)
{
	uint64_t end = mono_ms() + ms;

	while (mono_ms() < end) {
		struct pollfd pfd = {pty_shell_fd(p), POLLIN, 0};

		if (want && strstr(r->out, want))
			return true;
		if (poll(&pfd, 1, 50) > 0 && pty_shell_read(p, PTY_SHELL_READ_MAX) == PTY_SHELL_EOF)
			return !want || strstr(r->out, want);
		if (pty_shell_write_pending(p))
			pty_shell_flush(p);
	}
	return false;
}

static void reap(struct pty_shell *p, unsigned ms)
{
	uint64_t end = mono_ms() + ms;

	while (!pty_shell_reap(p) && mono_ms() < end)
		usleep(10000);
	cr_assert(pty_shell_reap(p), "the program did not exit");
}

TestSuite(worker_pty, .timeout = 20);

Test(worker_pty, output_then_exit_status)
{
	struct run r;
	struct pty_shell *p = spawn_sh("echo hi; exit 3", 0, 0, NULL, &r);

	cr_assert(read_until(p, &r, NULL, 5000), "no EOF; got '%s'", r.out);
	cr_assert_str_eq(r.out, "hi\r\n");
	cr_assert_eq(pty_shell_read(p, PTY_SHELL_READ_MAX), PTY_SHELL_EOF, "EOF sticks");
	reap(p, 5000);
	cr_assert_eq(r.exits, 1);
	cr_assert_eq(pty_shell_exit_code(r.status), 3);
	cr_assert(pty_shell_reap(p));
	cr_assert_eq(r.exits, 1, "on_exit is called once");
	pty_shell_free(p);
}

Test(worker_pty, initial_size_and_resize)
{
	struct run r;
	struct pty_shell *p = spawn_sh("stty size; read x; stty size", 100, 30, NULL, &r);

	cr_assert(read_until(p, &r, "30 100\r\n", 5000), "got '%s'", r.out);
	cr_assert_eq(pty_shell_resize(p, 123, 45), 0);
	cr_assert_eq(pty_shell_resize(p, 0, 45), 0, "a zero dimension is ignored");
	cr_assert_eq(pty_shell_write(p, (const uint8_t *)"\r", 1), 0);
	cr_assert(read_until(p, &r, "45 123\r\n", 5000), "got '%s'", r.out);
	reap(p, 5000);
	pty_shell_free(p);
}

Test(worker_pty, default_size)
{
	struct run r;
	struct pty_shell *p = spawn_sh("stty size", 0, 0, NULL, &r);

	cr_assert(read_until(p, &r, NULL, 5000));
	cr_assert_str_eq(r.out, "24 80\r\n");
	reap(p, 5000);
	pty_shell_free(p);
}

Test(worker_pty, input_reaches_the_program)
{
	struct run r;
	struct pty_shell *p = spawn_sh("stty -echo; read line; echo \"got:$line\"", 0, 0, NULL, &r);

	cr_assert_eq(pty_shell_write(p, (const uint8_t *)"hello\r", 6), 0);
	cr_assert_eq(pty_shell_write_pending(p), 6);
	cr_assert(read_until(p, &r, "got:hello", 5000), "got '%s'", r.out);
	cr_assert_eq(pty_shell_write_pending(p), 0);
	reap(p, 5000);
	cr_assert_eq(pty_shell_exit_code(r.status), 0);
	pty_shell_free(p);
}

Test(worker_pty, write_buffer_is_bounded)
{
	struct run r;
	struct pty_shell *p = spawn_sh("sleep 5", 0, 0, NULL, &r);
	static uint8_t big[PTY_SHELL_WRITE_MAX];

	cr_assert_eq(pty_shell_write_room(p), PTY_SHELL_WRITE_MAX);
	cr_assert_eq(pty_shell_write(p, big, sizeof(big) - 10), 0);
	cr_assert_eq(pty_shell_write_room(p), 10);
	cr_assert_eq(pty_shell_write(p, big, 11), -1, "does not fit: refused whole");
	cr_assert_eq(pty_shell_write_pending(p), sizeof(big) - 10);
	cr_assert_eq(pty_shell_write(p, big, 10), 0);
	cr_assert_eq(pty_shell_write_room(p), 0);
	pty_shell_signal(p, SIGKILL);
	reap(p, 5000);
	pty_shell_free(p);
}

Test(worker_pty, signal_reaches_the_group)
{
	struct run r;
	struct pty_shell *p = spawn_sh("sleep 100 & wait", 0, 0, NULL, &r);

	usleep(100000);
	pty_shell_signal(p, SIGHUP);
	reap(p, 5000);
	cr_assert_eq(pty_shell_exit_code(r.status), 128 + SIGHUP, "status %d", r.status);
	pty_shell_signal(p, SIGKILL); /* after the reap: does nothing */
	pty_shell_free(p);
}

Test(worker_pty, exec_failure_is_reported_on_the_terminal)
{
	char *const argv[] = {"nope", NULL};
	struct pty_shell_spec spec = {.path = "/nonexistent/postern-shell", .argv = argv,
				      .envp = test_env};
	struct run r = {0};
	char err[256];
	struct pty_shell *p = pty_shell_spawn(&spec, &ops, &r, err, sizeof(err));

	cr_assert_not_null(p);
	cr_assert(read_until(p, &r, NULL, 5000));
	cr_assert(strstr(r.out, "postern: cannot start the session's shell") != NULL, "'%s'", r.out);
	cr_assert(strstr(r.out, "/nonexistent/postern-shell") != NULL);
	reap(p, 5000);
	cr_assert_eq(pty_shell_exit_code(r.status), PTY_SHELL_EXEC_FAILED);
	pty_shell_free(p);
}

Test(worker_pty, environment_is_exactly_the_given_one)
{
	struct run r;
	struct pty_shell *p = spawn_sh("env | sort; tty", 0, 0, NULL, &r);

	cr_assert(read_until(p, &r, NULL, 5000));
	cr_assert(strstr(r.out, "POSTERN_TEST=yes\r\n") != NULL, "'%s'", r.out);
	cr_assert(strstr(r.out, "HOME=") == NULL, "nothing inherited: '%s'", r.out);
	cr_assert(strstr(r.out, "/dev/pts/") != NULL, "stdin is the pty: '%s'", r.out);
	reap(p, 5000);
	pty_shell_free(p);
}

Test(worker_pty, only_stdio_is_open)
{
	struct run r;
	struct pty_shell *p = spawn_sh("ls /proc/self/fd | wc -l", 0, 0, NULL, &r);

	/* ls sees 0, 1, 2 and the directory it is reading */
	cr_assert(read_until(p, &r, NULL, 5000));
	cr_assert_str_eq(r.out, "4\r\n");
	reap(p, 5000);
	pty_shell_free(p);
}

Test(worker_pty, drops_to_another_user_as_root)
{
	struct passwd *pw = getpwnam("nobody");
	struct pty_shell_cred cred;
	char want[128];
	struct run r;
	struct pty_shell *p;

	if (geteuid() != 0 || !pw)
		cr_skip_test("needs root and the user nobody");
	cred = (struct pty_shell_cred){"nobody", pw->pw_uid, pw->pw_gid};
	p = spawn_sh("echo $(id -u):$(id -g):$(id -G); ls -l $(tty) | cut -d' ' -f3", 0, 0, &cred,
		     &r);
	cr_assert(read_until(p, &r, NULL, 5000));
	snprintf(want, sizeof(want), "%ld:%ld:%ld\r\nnobody\r\n", (long)pw->pw_uid,
		 (long)pw->pw_gid, (long)pw->pw_gid);
	cr_assert_str_eq(r.out, want);
	reap(p, 5000);
	cr_assert_eq(pty_shell_exit_code(r.status), 0);
	pty_shell_free(p);
}
