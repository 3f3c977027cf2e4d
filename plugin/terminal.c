/*
 * terminal.c — raw mode, its restoration (also at exit) and the window size.
 */
#include "terminal.h"
#include "client_err.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

/* The mode to put back; file scope because atexit handlers take no argument. */
static struct {
	bool active;
	bool atexit_registered;
	int fd;
	struct termios mode;
} saved_tty;

bool terminal_is_tty(int fd)
{
	return isatty(fd) == 1;
}

static void make_raw(struct termios *t)
{
	t->c_iflag &= ~(tcflag_t)(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL |
				  IXON | IXOFF);
	t->c_oflag &= ~(tcflag_t)OPOST;
	t->c_lflag &= ~(tcflag_t)(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t->c_cflag &= ~(tcflag_t)(CSIZE | PARENB);
	t->c_cflag |= CS8;
	t->c_cc[VMIN] = 1;
	t->c_cc[VTIME] = 0;
}

int terminal_raw_enter(int fd, char *err, size_t errlen)
{
	struct termios raw;

	if (saved_tty.active)
		return CLIENT_OK;
	if (tcgetattr(fd, &saved_tty.mode) != 0)
		return client_errf(err, errlen, CLIENT_E_IO, "cannot read the terminal mode: %s",
				   strerror(errno));
	if (!saved_tty.atexit_registered) {
		if (atexit(terminal_restore) != 0)
			return client_errf(err, errlen, CLIENT_E_IO, "atexit failed");
		saved_tty.atexit_registered = true;
	}
	raw = saved_tty.mode;
	make_raw(&raw);
	if (tcsetattr(fd, TCSADRAIN, &raw) != 0)
		return client_errf(err, errlen, CLIENT_E_IO, "cannot set the terminal to raw mode: %s",
				   strerror(errno));
	saved_tty.fd = fd;
	saved_tty.active = true;
	return CLIENT_OK;
}

void terminal_restore(void)
{
	if (!saved_tty.active)
		return;
	saved_tty.active = false;
	/* TCSADRAIN: output already written is shown before the mode changes */
	while (tcsetattr(saved_tty.fd, TCSADRAIN, &saved_tty.mode) != 0 && errno == EINTR)
		;
}

bool terminal_is_raw(void)
{
	return saved_tty.active;
}

int terminal_size(int fd, struct payload_size *out)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0)
		return CLIENT_E_IO;
	out->cols = ws.ws_col;
	out->rows = ws.ws_row;
	return CLIENT_OK;
}
