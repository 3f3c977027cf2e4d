/*
 * pty_shell.c — a program on a pseudo-terminal (see pty_shell.h).
 */
#define _XOPEN_SOURCE 700 /* grantpt, unlockpt, ptsname */

#include "pty_shell.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

struct pty_shell {
	int fd;
	pid_t pid;
	struct pty_shell_ops ops;
	void *ctx;
	bool eof, exited;
	int wait_status;
	uint8_t held[UTF8_TAIL_MAX]; /* start of an incomplete character */
	size_t held_len;
	bool held_aged;              /* held already at the last age call */
	uint8_t *wbuf;               /* queued input: wbuf[wstart..wend), grown on demand */
	size_t wstart, wend, wcap;
	uint8_t rbuf[PTY_SHELL_OUTPUT_MAX];
};

/* ---- the child ------------------------------------------------------------------ */

static void pty_shell_child_fail(const char *what, int err) __attribute__((noreturn));

static void pty_shell_child_fail(const char *what, int err)
{
	dprintf(STDERR_FILENO, "postern: cannot start the session's shell: %s: %s\r\n", what,
		err ? strerror(err) : "refused");
	_exit(PTY_SHELL_EXEC_FAILED);
}

/* Start from a clean slate: default dispositions, nothing blocked. */
static void pty_shell_child_signals(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL); /* SIGKILL, SIGSTOP and unused numbers just fail */
}

/* New session, slave as controlling terminal and stdio, nothing else open. */
static void pty_shell_child_terminal(const char *slave_name, const struct pty_shell_cred *cred)
{
	int slave;

	if (setsid() < 0)
		pty_shell_child_fail("setsid", errno);
	slave = open(slave_name, O_RDWR);
	if (slave < 0)
		pty_shell_child_fail(slave_name, errno);
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		pty_shell_child_fail("TIOCSCTTY", errno);
	/* like sshd: the user owns their terminal, so tools that reopen it work */
	if (cred && (fchown(slave, cred->uid, (gid_t)-1) < 0 || fchmod(slave, 0620) < 0))
		pty_shell_child_fail("chown of the terminal", errno);
	if (dup2(slave, STDIN_FILENO) < 0 || dup2(slave, STDOUT_FILENO) < 0 ||
	    dup2(slave, STDERR_FILENO) < 0)
		pty_shell_child_fail("dup2", errno);
	closefrom(STDERR_FILENO + 1);
}

static void pty_shell_child_drop(const struct pty_shell_cred *cred)
{
	if (!cred)
		return;
	if (initgroups(cred->name, cred->gid) != 0)
		pty_shell_child_fail("initgroups", errno);
	if (setgid(cred->gid) != 0)
		pty_shell_child_fail("setgid", errno);
	if (setuid(cred->uid) != 0)
		pty_shell_child_fail("setuid", errno);
	if (cred->uid != 0 && (setuid(0) == 0 || seteuid(0) == 0))
		pty_shell_child_fail("dropping root", 0);
	if (getuid() != cred->uid || geteuid() != cred->uid || getgid() != cred->gid ||
	    getegid() != cred->gid)
		pty_shell_child_fail("switching user", 0);
}

static void pty_shell_child(const struct pty_shell_spec *spec, const char *slave_name)
	__attribute__((noreturn));

static void pty_shell_child(const struct pty_shell_spec *spec, const char *slave_name)
{
	pty_shell_child_signals();
	pty_shell_child_terminal(slave_name, spec->cred);
	pty_shell_child_drop(spec->cred);
	if (spec->cwd && chdir(spec->cwd) != 0 && chdir("/") != 0)
		pty_shell_child_fail("chdir", errno);
	execve(spec->path, spec->argv, spec->envp);
	pty_shell_child_fail(spec->path, errno);
}

/* ---- the parent ----------------------------------------------------------------- */

/* A master with its slave unlocked; the slave's name in name. -1 on error. */
static int pty_shell_open_master(char *name, size_t namelen, char *err, size_t errlen)
{
	int fd = posix_openpt(O_RDWR | O_NOCTTY);
	const char *slave;

	if (fd < 0) {
		snprintf(err, errlen, "cannot open a pseudo-terminal: %s", strerror(errno));
		return -1;
	}
	if (grantpt(fd) != 0 || unlockpt(fd) != 0 || !(slave = ptsname(fd)) ||
	    strlen(slave) >= namelen || fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
		snprintf(err, errlen, "cannot set up a pseudo-terminal: %s", strerror(errno));
		close(fd);
		return -1;
	}
	memcpy(name, slave, strlen(slave) + 1);
	return fd;
}

struct pty_shell *pty_shell_spawn(const struct pty_shell_spec *spec,
				  const struct pty_shell_ops *ops, void *ctx, char *err,
				  size_t errlen)
{
	struct pty_shell *p = calloc(1, sizeof(*p));
	char slave[PATH_MAX];

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	p->ops = *ops;
	p->ctx = ctx;
	p->fd = pty_shell_open_master(slave, sizeof(slave), err, errlen);
	if (p->fd < 0)
		goto fail;
	pty_shell_resize(p, spec->cols ? spec->cols : PTY_SHELL_DEFAULT_COLS,
			 spec->rows ? spec->rows : PTY_SHELL_DEFAULT_ROWS);
	p->pid = fork();
	if (p->pid < 0) {
		snprintf(err, errlen, "cannot start a process: %s", strerror(errno));
		goto fail;
	}
	if (p->pid == 0)
		pty_shell_child(spec, slave);
	return p;
fail:
	if (p->fd >= 0)
		close(p->fd);
	free(p);
	return NULL;
}

int pty_shell_fd(const struct pty_shell *p)
{
	return p->fd;
}

pid_t pty_shell_pid(const struct pty_shell *p)
{
	return p->pid;
}

/* Pass on whatever is held back (at EOF, or when it has waited too long). */
static void pty_shell_release_held(struct pty_shell *p)
{
	uint8_t out[UTF8_TAIL_MAX];
	size_t len = p->held_len;

	if (!len)
		return;
	memcpy(out, p->held, len);
	p->held_len = 0;
	p->held_aged = false;
	p->ops.on_output(p->ctx, out, len);
}

int pty_shell_read(struct pty_shell *p, size_t max)
{
	size_t total, tail;
	ssize_t n;

	if (p->eof)
		return PTY_SHELL_EOF;
	if (max > PTY_SHELL_READ_MAX)
		max = PTY_SHELL_READ_MAX;
	if (max == 0)
		return PTY_SHELL_AGAIN;
	memcpy(p->rbuf, p->held, p->held_len);
	n = read(p->fd, p->rbuf + p->held_len, max);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return PTY_SHELL_AGAIN;
	if (n <= 0) { /* 0, or EIO once the last slave descriptor is closed */
		p->eof = true;
		pty_shell_release_held(p);
		return PTY_SHELL_EOF;
	}
	total = p->held_len + (size_t)n;
	tail = utf8_tail_incomplete(p->rbuf, total);
	memcpy(p->held, p->rbuf + total - tail, tail);
	p->held_len = tail;
	p->held_aged = false;
	if (total > tail)
		p->ops.on_output(p->ctx, p->rbuf, total - tail);
	return (int)n;
}

void pty_shell_age_held(struct pty_shell *p)
{
	if (!p->held_len)
		return;
	if (p->held_aged)
		pty_shell_release_held(p);
	else
		p->held_aged = true;
}

/* Room for len more bytes at wend: compact, then grow (up to the cap). */
static int pty_shell_reserve(struct pty_shell *p, size_t len)
{
	size_t pending = p->wend - p->wstart, cap;
	uint8_t *grown;

	if (p->wend + len <= p->wcap)
		return 0;
	if (p->wstart) {
		memmove(p->wbuf, p->wbuf + p->wstart, pending);
		p->wstart = 0;
		p->wend = pending;
	}
	if (pending + len <= p->wcap)
		return 0;
	cap = p->wcap ? p->wcap : 4096;
	while (cap < pending + len)
		cap *= 2;
	if (cap > PTY_SHELL_WRITE_MAX)
		cap = PTY_SHELL_WRITE_MAX;
	grown = realloc(p->wbuf, cap);
	if (!grown)
		return -1;
	p->wbuf = grown;
	p->wcap = cap;
	return 0;
}

int pty_shell_write(struct pty_shell *p, const uint8_t *data, size_t len)
{
	if (p->eof)
		return 0;
	if (len > pty_shell_write_room(p) || pty_shell_reserve(p, len) != 0)
		return -1;
	memcpy(p->wbuf + p->wend, data, len);
	p->wend += len;
	return 0;
}

size_t pty_shell_write_room(const struct pty_shell *p)
{
	return PTY_SHELL_WRITE_MAX - pty_shell_write_pending(p);
}

size_t pty_shell_write_pending(const struct pty_shell *p)
{
	return p->wend - p->wstart;
}

int pty_shell_flush(struct pty_shell *p)
{
	while (p->wend > p->wstart) {
		ssize_t n = write(p->fd, p->wbuf + p->wstart, p->wend - p->wstart);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0 && errno == EIO) {
			p->wstart = p->wend; /* nobody is left to read it */
			break;
		}
		if (n <= 0)
			return -1;
		p->wstart += (size_t)n;
	}
	p->wstart = p->wend = 0;
	return 0;
}

int pty_shell_resize(struct pty_shell *p, unsigned cols, unsigned rows)
{
	struct winsize ws = {0};

	if (!cols || !rows)
		return 0;
	ws.ws_col = (unsigned short)(cols > USHRT_MAX ? USHRT_MAX : cols);
	ws.ws_row = (unsigned short)(rows > USHRT_MAX ? USHRT_MAX : rows);
	return ioctl(p->fd, TIOCSWINSZ, &ws) == 0 ? 0 : -1;
}

void pty_shell_signal(struct pty_shell *p, int sig)
{
	pid_t fg;

	if (p->exited)
		return; /* its pid, and so its group id, may belong to someone else now */
	fg = tcgetpgrp(p->fd);
	if (kill(-p->pid, sig) != 0)
		kill(p->pid, sig);
	if (fg > 0 && fg != p->pid)
		kill(-fg, sig);
}

bool pty_shell_reap(struct pty_shell *p)
{
	int status;
	pid_t r;

	if (p->exited)
		return true;
	do
		r = waitpid(p->pid, &status, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r != p->pid)
		return false;
	p->exited = true;
	p->wait_status = status;
	p->ops.on_exit(p->ctx, status);
	return true;
}

int pty_shell_exit_code(int wait_status)
{
	if (WIFEXITED(wait_status))
		return WEXITSTATUS(wait_status);
	if (WIFSIGNALED(wait_status))
		return 128 + WTERMSIG(wait_status);
	return -1;
}

void pty_shell_free(struct pty_shell *p)
{
	if (!p)
		return;
	if (p->fd >= 0)
		close(p->fd);
	free(p->wbuf);
	free(p);
}
