/*
 * terminal.h — the local terminal of an interactive session: raw mode
 * (as ssh: no echo, no line editing, no signal keys — Ctrl-C, Ctrl-Z and
 * Ctrl-\ arrive as bytes — no CR/NL translation either way, 8-bit) and its
 * restoration, and the window size.
 *
 * terminal_raw_enter() saves the current mode and registers
 * terminal_restore() with atexit() (once), so every way out of the program
 * restores the terminal: the normal path calls terminal_restore() itself, and
 * exit() from anywhere runs it again harmlessly. The saved mode is the one
 * piece of file-scope state here, because an atexit handler takes no argument.
 */
#ifndef POSTERN_TERMINAL_H
#define POSTERN_TERMINAL_H

#include <stdbool.h>
#include <stddef.h>

#include "payload.h"

bool terminal_is_tty(int fd);

/* Put the terminal on fd in raw mode. CLIENT_OK, or CLIENT_E_IO (not a
 * terminal, or tcgetattr/tcsetattr failed: the mode is unchanged). */
int terminal_raw_enter(int fd, char *err, size_t errlen);

/* Restore the mode saved by terminal_raw_enter(); idempotent. */
void terminal_restore(void);

/* True between terminal_raw_enter() and terminal_restore(). */
bool terminal_is_raw(void);

/* The window size of the terminal on fd: CLIENT_OK, or CLIENT_E_IO when fd is
 * not a terminal or reports 0 columns. */
int terminal_size(int fd, struct payload_size *out);

#endif
