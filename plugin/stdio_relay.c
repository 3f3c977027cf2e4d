/*
 * stdio_relay.c — stdin and stdout as raw files in the event loop (see
 * stdio_relay.h).
 */
#include "stdio_relay.h"
#include "client_err.h"
#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct lws *adopt(struct stdio_relay *s, int fd)
{
	lws_sock_file_fd_type u;
	struct lws *wsi;
	int copy = fcntl(fd, F_DUPFD_CLOEXEC, 3);

	if (copy < 0)
		return NULL;
	u.filefd = (lws_filefd_type)(long)copy;
	wsi = lws_adopt_descriptor_vhost(s->loop->vhost, LWS_ADOPT_RAW_FILE_DESC, u,
					 LOOP_PROTOCOL_STDIO, NULL);
	if (!wsi) {
		close(copy);
		return NULL;
	}
	lws_set_opaque_user_data(wsi, s);
	return wsi;
}

static void input_end(struct stdio_relay *s)
{
	if (s->in_ended)
		return;
	s->in_ended = true;
	if (!s->stopped)
		s->ops->on_input_end(s->ctx);
}

static void output_error(struct stdio_relay *s, const char *why)
{
	if (s->out_failed)
		return;
	s->out_failed = true;
	s->out_head = s->out_len = 0;
	if (!s->stopped)
		s->ops->on_output_error(s->ctx, why);
}

static void check_output(lws_sorted_usec_list_t *sul)
{
	struct stdio_relay *s = lws_container_of(sul, struct stdio_relay, check);
	struct pollfd p = {.fd = STDOUT_FILENO, .events = 0};

	if (s->stopped)
		return;
	if (poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP | POLLNVAL)))
		output_error(s, "stdout was closed");
	else
		lws_sul_schedule(s->loop->ctx, 0, &s->check, check_output,
				 (lws_usec_t)STDIO_RELAY_CHECK_MS * LWS_US_PER_MS);
}

int stdio_relay_start(struct stdio_relay *s, struct loop *l, const struct stdio_relay_ops *ops,
		      void *ctx, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->loop = l;
	s->ops = ops;
	s->ctx = ctx;
	s->out_wsi = adopt(s, STDOUT_FILENO);
	if (!s->out_wsi)
		return client_errf(err, errlen, CLIENT_E_IO, "cannot watch stdout: %s",
				   strerror(errno));
	s->out_fd = lws_get_socket_fd(s->out_wsi);
	lws_rx_flow_control(s->out_wsi, 0); /* never read from it */
	s->in_wsi = adopt(s, STDIN_FILENO);
	if (!s->in_wsi)
		s->in_ended = true; /* stdin closed: nothing to read, not an error */
	lws_sul_schedule(l->ctx, 0, &s->check, check_output,
			 (lws_usec_t)STDIO_RELAY_CHECK_MS * LWS_US_PER_MS);
	return CLIENT_OK;
}

void stdio_relay_pause_input(struct stdio_relay *s, bool paused)
{
	if (s->stopped || s->in_ended || s->in_paused == paused)
		return;
	s->in_paused = paused;
	if (s->in_wsi) {
		lws_rx_flow_control(s->in_wsi, !paused);
	} else if (!paused && s->in_reopen) {
		/* stdin hung up while paused: what it still holds is readable */
		s->in_reopen = false;
		s->in_wsi = adopt(s, STDIN_FILENO);
		if (!s->in_wsi)
			input_end(s);
	}
}

static int grow(struct stdio_relay *s, size_t need)
{
	size_t cap = s->out_cap ? s->out_cap : STDIO_RELAY_WRITE_MAX;
	uint8_t *p;

	if (s->out_head) { /* compact first */
		memmove(s->out_buf, s->out_buf + s->out_head, s->out_len);
		s->out_head = 0;
	}
	if (need <= s->out_cap)
		return CLIENT_OK;
	while (cap < need)
		cap *= 2;
	p = realloc(s->out_buf, cap);
	if (!p)
		return CLIENT_E_NOMEM;
	s->out_buf = p;
	s->out_cap = cap;
	return CLIENT_OK;
}

/*
 * A small write with nothing queued before it goes out at once instead of
 * one loop turn later (echoed keystrokes). Only when stdout reports room now:
 * a pipe then takes PIPE_BUF bytes and a terminal at least 256 without
 * blocking, and STDIO_RELAY_DIRECT_MAX stays below both. Returns the bytes
 * written; the rest is queued as usual.
 */
static size_t write_direct(struct stdio_relay *s, const uint8_t *buf, size_t len)
{
	struct pollfd pfd = {.fd = s->out_fd, .events = POLLOUT};
	ssize_t w;

	if (poll(&pfd, 1, 0) != 1 || !(pfd.revents & POLLOUT) ||
	    (pfd.revents & (POLLERR | POLLHUP)))
		return 0;
	w = write(s->out_fd, buf, len);
	if (w <= 0)
		return 0; /* the queued path reports errors */
	s->out_mid_line = buf[w - 1] != '\n';
	return (size_t)w;
}

int stdio_relay_write(struct stdio_relay *s, const uint8_t *buf, size_t len)
{
	if (s->out_failed || len == 0)
		return CLIENT_OK;
	if (s->out_len + len > STDIO_RELAY_HARD_CAP)
		return CLIENT_E_WOULD_BLOCK;
	if (s->out_len == 0 && len <= STDIO_RELAY_DIRECT_MAX && s->out_wsi) {
		size_t done = write_direct(s, buf, len);

		buf += done;
		len -= done;
		if (len == 0)
			return CLIENT_OK;
	}
	if (s->out_head + s->out_len + len > s->out_cap && grow(s, s->out_len + len) != CLIENT_OK)
		return CLIENT_E_NOMEM;
	memcpy(s->out_buf + s->out_head + s->out_len, buf, len);
	s->out_len += len;
	if (s->out_len >= STDIO_RELAY_HIGH_MARK)
		s->out_was_full = true;
	if (s->out_wsi)
		lws_callback_on_writable(s->out_wsi);
	return CLIENT_OK;
}

bool stdio_relay_output_full(const struct stdio_relay *s)
{
	return s->out_len >= STDIO_RELAY_HIGH_MARK;
}

bool stdio_relay_mid_line(const struct stdio_relay *s)
{
	return s->out_mid_line;
}

/* Account for n bytes written from the head of the queue. */
static void consumed(struct stdio_relay *s, size_t n)
{
	s->out_mid_line = s->out_buf[s->out_head + n - 1] != '\n';
	s->out_head += n;
	s->out_len -= n;
	if (s->out_len == 0)
		s->out_head = 0;
}

static void rearm(lws_sorted_usec_list_t *sul)
{
	struct stdio_relay *s = lws_container_of(sul, struct stdio_relay, rearm);

	if (!s->stopped && s->out_wsi && s->out_len)
		lws_callback_on_writable(s->out_wsi);
}

/*
 * lws's raw-file role clears POLLOUT after the WRITEABLE callback returns, so
 * asking for the next one from inside it is lost: ask from a timer instead.
 */
static void on_writeable(struct stdio_relay *s)
{
	size_t n = s->out_len < STDIO_RELAY_WRITE_MAX ? s->out_len : STDIO_RELAY_WRITE_MAX;
	ssize_t w;

	if (n == 0 || s->out_failed)
		return;
	w = write(s->out_fd, s->out_buf + s->out_head, n);
	if (w > 0)
		consumed(s, (size_t)w);
	else if (w < 0 && errno != EAGAIN && errno != EINTR)
		output_error(s, strerror(errno));
	if (s->out_len)
		lws_sul_schedule(s->loop->ctx, 0, &s->rearm, rearm, 1);
	if (s->out_was_full && s->out_len < STDIO_RELAY_LOW_MARK) {
		s->out_was_full = false;
		if (!s->stopped)
			s->ops->on_output_room(s->ctx);
	}
}

static int on_readable(struct stdio_relay *s, struct lws *wsi)
{
	uint8_t buf[STDIO_RELAY_READ_MAX];
	ssize_t n;

	if (s->stopped || s->in_paused || s->in_ended)
		return 0;
	n = read(lws_get_socket_fd(wsi), buf, sizeof(buf));
	if (n > 0) {
		s->ops->on_input(s->ctx, buf, (size_t)n);
		return 0;
	}
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	input_end(s);
	return -1; /* lws closes our copy of stdin */
}

static void on_close(struct stdio_relay *s, struct lws *wsi)
{
	if (wsi == s->in_wsi) {
		s->in_wsi = NULL;
		if (s->in_paused && !s->in_ended)
			s->in_reopen = true; /* a hang-up seen while not reading */
		else
			input_end(s);
	} else if (wsi == s->out_wsi) {
		s->out_wsi = NULL;
		output_error(s, "stdout was closed");
	}
}

/* Detach a connection from s (which may not outlive it) and let lws close it. */
static void kill_async(struct lws **wsi)
{
	if (!*wsi)
		return;
	lws_set_opaque_user_data(*wsi, NULL);
	lws_set_timeout(*wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
	*wsi = NULL;
}

void stdio_relay_stop(struct stdio_relay *s)
{
	if (s->stopped || !s->ops)
		return;
	s->stopped = true;
	lws_sul_cancel(&s->check);
	lws_sul_cancel(&s->rearm);
	while (s->out_len && !s->out_failed) { /* what the agent sent is shown in full */
		ssize_t w = write(STDOUT_FILENO, s->out_buf + s->out_head, s->out_len);

		struct pollfd p = {.fd = STDOUT_FILENO, .events = POLLOUT};

		if (w > 0)
			consumed(s, (size_t)w);
		else if (w < 0 && errno == EAGAIN) /* an inherited O_NONBLOCK */
			(void)poll(&p, 1, 1000);
		else if (w < 0 && errno != EINTR)
			break;
	}
	kill_async(&s->in_wsi);
	kill_async(&s->out_wsi);
}

void stdio_relay_free(struct stdio_relay *s)
{
	free(s->out_buf);
	s->out_buf = NULL;
	s->out_head = s->out_len = s->out_cap = 0;
}

int stdio_relay_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			     void *in, size_t len)
{
	struct stdio_relay *s = lws_get_opaque_user_data(wsi);

	(void)user;
	(void)in;
	(void)len;
	if (!s)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
		return wsi == s->in_wsi ? on_readable(s, wsi) : 0;
	case LWS_CALLBACK_RAW_WRITEABLE_FILE:
		if (wsi == s->out_wsi)
			on_writeable(s);
		return 0;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		on_close(s, wsi);
		return 0;
	default:
		return 0;
	}
}
