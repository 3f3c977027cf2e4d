/*
 * session_shell.c — the shell kind: terminal, keystrokes, output, exit code
 * (see session_shell.h).
 */
#include "session_shell.h"
#include "client_err.h"
#include "loop.h"
#include "proto_err.h"
#include "session_impl.h"
#include "terminal.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Send-window room needed to read stdin once more: a read, a byte the
 * escape may release with it, and a Size message. */
#define SESSION_SHELL_ROOM_NEEDED (STDIO_RELAY_READ_MAX + 1 + 64)

static struct session_shell *shell_of(struct session *s)
{
	return &s->shell;
}

/*
 * Send one message and stop reading stdin while the window could not take
 * another read. Keystrokes always fit (reading pauses early enough); a Size
 * or signal byte finding the window full is dropped (CLIENT_E_WOULD_BLOCK
 * returned); anything else ends the session.
 */
static int send_payload(struct session *s, uint32_t type, const uint8_t *buf, size_t len)
{
	struct session_shell *sh = shell_of(s);
	int rc = data_channel_send(s->dc, type, buf, len);

	if (rc != CLIENT_OK && rc != CLIENT_E_WOULD_BLOCK)
		session_end(s, SESSION_END_ERROR, 0, "cannot send to the agent");
	if (!sh->input_paused && data_channel_send_room(s->dc) < SESSION_SHELL_ROOM_NEEDED) {
		sh->input_paused = true;
		stdio_relay_pause_input(&sh->stdio, true);
	}
	return rc;
}

/* Send the window size if it changed (data-channel.md §5.4). */
static void send_size(struct session *s)
{
	struct session_shell *sh = shell_of(s);
	struct payload_size size = {SESSION_SHELL_DEFAULT_COLS, SESSION_SHELL_DEFAULT_ROWS};
	uint8_t *json;
	size_t len;

	if (terminal_size(STDIN_FILENO, &size) != CLIENT_OK)
		(void)terminal_size(STDOUT_FILENO, &size);
	if (sh->have_size && size.cols == sh->size.cols && size.rows == sh->size.rows)
		return;
	if (payload_size_encode(&size, &json, &len) != PROTO_OK)
		return;
	if (send_payload(s, PAYLOAD_SIZE, json, len) == CLIENT_OK) {
		sh->size = size;
		sh->have_size = true;
	}
	free(json);
}

/* ---- stdin and stdout ---------------------------------------------------------- */

static void on_input(void *ctx, const uint8_t *buf, size_t len)
{
	struct session *s = ctx;
	struct session_shell *sh = shell_of(s);
	uint8_t filtered[STDIO_RELAY_READ_MAX + 1];
	enum escape_action action = ESCAPE_CONTINUE;
	size_t n = len;

	if (sh->interactive) {
		action = escape_feed(&sh->escape, buf, len, filtered, &n);
		buf = filtered;
	}
	if (n && send_payload(s, PAYLOAD_OUTPUT, buf, n) == CLIENT_E_WOULD_BLOCK)
		session_end(s, SESSION_END_ERROR, 0, "the send window overflowed");
	if (action == ESCAPE_DISCONNECT)
		session_end(s, SESSION_END_ESCAPE, 0, NULL);
}

static void on_input_end(void *ctx)
{
	(void)ctx; /* stop reading, keep the session: output may still come */
}

static void on_output_room(void *ctx)
{
	struct session *s = ctx;

	data_channel_pause_rx(s->dc, false);
}

static void on_output_error(void *ctx, const char *why)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "cannot write to stdout: %s", why);
	session_end(ctx, SESSION_END_ERROR, 0, msg);
}

static const struct stdio_relay_ops shell_stdio_ops = {
	on_input, on_input_end, on_output_room, on_output_error,
};

/* ---- the kind ------------------------------------------------------------------ */

static int shell_start(struct session *s, char *err, size_t errlen)
{
	struct session_shell *sh = shell_of(s);
	int rc;

	sh->interactive = terminal_is_tty(STDIN_FILENO);
	sh->stdout_tty = terminal_is_tty(STDOUT_FILENO);
	escape_init(&sh->escape);
	if (sh->interactive) {
		rc = terminal_raw_enter(STDIN_FILENO, err, errlen);
		if (rc != CLIENT_OK)
			return rc;
	}
	rc = stdio_relay_start(&sh->stdio, s->loop, &shell_stdio_ops, s, err, errlen);
	if (rc != CLIENT_OK)
		return rc;
	send_size(s);
	return CLIENT_OK;
}

static void write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

static enum rstream_delivery shell_payload(struct session *s, const struct frame *f)
{
	struct session_shell *sh = shell_of(s);

	switch (f->payload_type) {
	case PAYLOAD_OUTPUT:
		if (stdio_relay_write(&sh->stdio, f->payload, f->payload_len) != CLIENT_OK)
			return RSTREAM_NOT_READY; /* stdout is far behind: the agent resends */
		if (stdio_relay_output_full(&sh->stdio))
			data_channel_pause_rx(s->dc, true);
		return RSTREAM_DELIVERED;
	case PAYLOAD_STDERR:
		write_all(STDERR_FILENO, f->payload, f->payload_len);
		return RSTREAM_DELIVERED;
	case PAYLOAD_EXIT_CODE:
		(void)session_result_exit_code(s->result, f->payload, f->payload_len);
		return RSTREAM_DELIVERED;
	default:
		return RSTREAM_DELIVERED; /* Flag, Size, …: nothing for a shell */
	}
}

static void shell_signal(struct session *s, int signo)
{
	static const uint8_t ctrl_c = 0x03, ctrl_backslash = 0x1c, ctrl_z = 0x1a;

	switch (signo) {
	case SIGWINCH:
		send_size(s);
		break;
	case SIGINT:
		(void)send_payload(s, PAYLOAD_OUTPUT, &ctrl_c, 1);
		break;
	case SIGQUIT:
		(void)send_payload(s, PAYLOAD_OUTPUT, &ctrl_backslash, 1);
		break;
	case SIGTSTP:
		(void)send_payload(s, PAYLOAD_OUTPUT, &ctrl_z, 1);
		break;
	default: /* SIGTERM, SIGHUP */
		session_end(s, SESSION_END_SIGNAL, signo, NULL);
		break;
	}
}

static void shell_send_room(struct session *s)
{
	struct session_shell *sh = shell_of(s);

	if (sh->input_paused && data_channel_send_room(s->dc) >= SESSION_SHELL_ROOM_NEEDED) {
		sh->input_paused = false;
		stdio_relay_pause_input(&sh->stdio, false);
	}
}

static void shell_stop(struct session *s)
{
	struct session_shell *sh = shell_of(s);

	stdio_relay_stop(&sh->stdio);
	s->mid_line = sh->stdout_tty && stdio_relay_mid_line(&sh->stdio);
	stdio_relay_free(&sh->stdio);
	terminal_restore();
}

const struct session_kind session_shell_kind = {
	"shell", shell_start, shell_payload, shell_signal, shell_send_room, shell_stop,
};
