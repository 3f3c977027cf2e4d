/*
 * pty_shell.h — a program on a pseudo-terminal, knowing nothing of the
 * network: spawn, read, write, resize, signal, reap.
 *
 * The program runs in a new session with the pty's slave as its controlling
 * terminal and as stdin/stdout/stderr, with every other descriptor closed,
 * every signal at its default disposition and none blocked, optionally as
 * another user (supplementary groups, gid, uid, then a check that root
 * cannot be regained), in the given directory, with exactly the given
 * environment. If anything in that list fails, the child writes one line
 * saying what to the terminal and exits 127, so the failure reaches the user
 * as output like any other.
 *
 * The owner drives it from its own event loop: it polls pty_shell_fd() for
 * reading and calls pty_shell_read(), which hands complete output to
 * ops->on_output (an incomplete UTF-8 character at the end of a read is held
 * back for the next one, utf8_tail.h); it queues input with pty_shell_write()
 * into a bounded buffer and calls pty_shell_flush() when the fd is writable
 * (nothing here ever blocks: the master is non-blocking); it calls
 * pty_shell_reap() when SIGCHLD arrived, which reports the exit once through
 * ops->on_exit.
 */
#ifndef POSTERN_PTY_SHELL_H
#define POSTERN_PTY_SHELL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "utf8_tail.h"

#define PTY_SHELL_READ_MAX (16u * 1024u)  /* bytes per pty_shell_read() */
#define PTY_SHELL_OUTPUT_MAX (PTY_SHELL_READ_MAX + UTF8_TAIL_MAX) /* per on_output */
#define PTY_SHELL_WRITE_MAX (1024u * 1024u) /* input queued for the terminal, at most */
#define PTY_SHELL_DEFAULT_COLS 80u
#define PTY_SHELL_DEFAULT_ROWS 24u
#define PTY_SHELL_EXEC_FAILED 127         /* the child's exit status if it cannot start */

/* pty_shell_read() results besides a positive byte count. */
enum pty_shell_read_result {
	PTY_SHELL_AGAIN = 0, /* nothing to read now */
	PTY_SHELL_EOF = -1,  /* every process closed the terminal (or it failed) */
};

struct pty_shell_ops {
	/* Output of the program, at most PTY_SHELL_OUTPUT_MAX bytes, valid only
	 * during the call. */
	void (*on_output)(void *ctx, const uint8_t *data, size_t len);
	/* The program exited; wait_status as from waitpid(). Called once. */
	void (*on_exit)(void *ctx, int wait_status);
};

/* Whom to run as; NULL in the spec: stay who we are. */
struct pty_shell_cred {
	const char *name; /* for initgroups */
	uid_t uid;
	gid_t gid;
};

struct pty_shell_spec {
	const char *path;            /* the program to execute */
	char *const *argv;           /* NULL-terminated; argv[0] may be "-bash" */
	char *const *envp;           /* the complete environment */
	const char *cwd;             /* NULL: inherit; unusable: "/" */
	unsigned cols, rows;         /* initial size; 0 gives the defaults */
	const struct pty_shell_cred *cred;
};

struct pty_shell;

/*
 * Open a pty and start the program on it. NULL with a sentence in err when
 * the pty or the process cannot be created (a failing exec is not detected
 * here: see above). ops is copied; ctx is passed to its callbacks.
 */
struct pty_shell *pty_shell_spawn(const struct pty_shell_spec *spec,
				  const struct pty_shell_ops *ops, void *ctx, char *err,
				  size_t errlen);

/* The pty master: non-blocking, close-on-exec, owned by the pty_shell (a
 * loop that wants to own a descriptor should adopt a dup of it). */
int pty_shell_fd(const struct pty_shell *p);
pid_t pty_shell_pid(const struct pty_shell *p);

/*
 * Read at most max (≤ PTY_SHELL_READ_MAX) bytes and pass complete output
 * on. Returns the bytes read, PTY_SHELL_AGAIN, or PTY_SHELL_EOF — after
 * which any held-back bytes have been passed on and every later call says
 * EOF too.
 */
int pty_shell_read(struct pty_shell *p, size_t max);

/*
 * Pass on a held-back incomplete character that has waited since the
 * previous call: call it periodically, so a program that prints part of a
 * character and then waits does not hide it.
 */
void pty_shell_age_held(struct pty_shell *p);

/*
 * Queue len bytes of input. 0, or -1 when they do not fit in the space left
 * (pty_shell_write_room(); nothing is queued then). After EOF input is
 * discarded and 0 returned.
 */
int pty_shell_write(struct pty_shell *p, const uint8_t *data, size_t len);
size_t pty_shell_write_room(const struct pty_shell *p);
size_t pty_shell_write_pending(const struct pty_shell *p);

/* Write as much queued input as the terminal takes now. 0, or -1 on an
 * error other than "would block" (a hung-up terminal discards the input). */
int pty_shell_flush(struct pty_shell *p);

/* Set the window size (the foreground job gets SIGWINCH). A zero dimension
 * is ignored; larger than 65535 is capped. 0 or -1. */
int pty_shell_resize(struct pty_shell *p, unsigned cols, unsigned rows);

/* Send sig to the program's process group and to the terminal's foreground
 * process group. Does nothing once the program has been reaped. */
void pty_shell_signal(struct pty_shell *p, int sig);

/* Collect the program's exit without waiting. true once it has exited (and
 * on_exit has been called). */
bool pty_shell_reap(struct pty_shell *p);

/* An exit status in shell terms: the exit code, or 128 + the signal. */
int pty_shell_exit_code(int wait_status);

/* Close the master and free p; does not signal or wait for the program.
 * NULL is fine. */
void pty_shell_free(struct pty_shell *p);

#endif
