/*
 * session_port.c — the Port kind: mode choice, dispatch to the mode, and the
 * user's end of the session (see session_port.h).
 */
#include "session_port.h"
#include "client_err.h"
#include "loop.h"
#include "payload.h"
#include "proto_err.h"
#include "session_impl.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static struct session_port *port_of(struct session *s)
{
	return &s->port;
}

void session_port_say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

void session_port_warn(const char *fmt, ...)
{
	va_list ap;

	fputs("postern: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int session_port_send(struct session *s, uint32_t type, const uint8_t *buf, size_t len)
{
	int rc = data_channel_send(s->dc, type, buf, len);

	if (rc != CLIENT_OK && rc != CLIENT_E_WOULD_BLOCK)
		session_end(s, SESSION_END_ERROR, 0, "cannot send to the agent");
	return rc;
}

int session_port_listen(struct session *s, const struct forward_listener_ops *ops, char *err,
			size_t errlen)
{
	struct session_port *sp = port_of(s);
	int rc;

	rc = forward_listener_start(&sp->listener, s->loop, &sp->listen_at, ops, s, err, errlen);

	if (rc != CLIENT_OK)
		return rc;
	if (sp->listener.at.kind == FORWARD_LISTEN_UNIX)
		session_port_say("Unix socket %s opened for sessionId %s.", sp->listener.at.path,
				 s->params->session_id);
	else
		session_port_say("Port %u opened for sessionId %s.", (unsigned)sp->listener.at.port,
				 s->params->session_id);
	session_port_say("Waiting for connections...");
	return CLIENT_OK;
}

static void retry(lws_sorted_usec_list_t *sul)
{
	struct session_port *sp = lws_container_of(sul, struct session_port, retry_timer);
	struct session *s = lws_container_of(sp, struct session, port);

	if (!s->done && !sp->terminating)
		data_channel_retry(s->dc);
}

void session_port_wake(struct session *s)
{
	struct session_port *sp = port_of(s);

	if (!sp->refused)
		return;
	sp->refused = false;
	lws_sul_schedule(s->loop->ctx, 0, &sp->retry_timer, retry, 1);
}

void session_port_hold(struct session *s, bool hold)
{
	struct session_port *sp = port_of(s);

	if (sp->holding != hold) {
		sp->holding = hold;
		data_channel_pause_rx(s->dc, hold);
	}
	if (!hold)
		session_port_wake(s);
}

/* ---- the end ---------------------------------------------------------------------- */

static void finish(struct session *s, bool agent_told)
{
	struct session_port *sp = port_of(s);

	lws_sul_cancel(&sp->terminate_timer);
	if (session_result_end(s->result, SESSION_END_TERMINATED, sp->signo, NULL)) {
		s->result->agent_unaware = !agent_told;
		s->result->quiet = forward_mode_stdio(sp->mode);
		s->done = s->wake = true;
	}
}

static void terminate_timeout(lws_sorted_usec_list_t *sul)
{
	struct session_port *sp = lws_container_of(sul, struct session_port, terminate_timer);
	struct session *s = lws_container_of(sp, struct session, port);

	finish(s, false);
}

/* The end, from the loop: never inside a callback of what close_io frees. */
static void terminate_now(lws_sorted_usec_list_t *sul)
{
	struct session_port *sp = lws_container_of(sul, struct session_port, terminate_timer);
	struct session *s = lws_container_of(sp, struct session, port);
	uint8_t *flag;
	size_t len;
	int rc;

	if (s->done)
		return;
	sp->ops->close_io(s);
	session_port_hold(s, false); /* the flag's acknowledgement must get in */
	if (!forward_mode_terminate_by_flag(sp->mode, s->hs.agent_version)) {
		finish(s, false);
		return;
	}
	if (payload_flag_encode(PAYLOAD_FLAG_TERMINATE_SESSION, &flag, &len) != PROTO_OK) {
		finish(s, false);
		return;
	}
	rc = data_channel_send(s->dc, PAYLOAD_FLAG, flag, len);
	free(flag);
	if (rc != CLIENT_OK) {
		finish(s, false);
		return;
	}
	sp->flag_out = true;
	lws_sul_schedule(s->loop->ctx, 0, &sp->terminate_timer, terminate_timeout,
			 (lws_usec_t)SESSION_PORT_TERMINATE_WAIT_MS * LWS_US_PER_MS);
}

void session_port_terminate(struct session *s, int signo)
{
	struct session_port *sp = port_of(s);

	if (sp->terminating || s->done)
		return;
	sp->terminating = true;
	sp->signo = signo;
	lws_sul_schedule(s->loop->ctx, 0, &sp->terminate_timer, terminate_now, 1);
}

void session_port_input_ended(struct session *s)
{
	struct session_port *sp = port_of(s);

	sp->draining = true;
	if (data_channel_unacked(s->dc) == 0)
		session_port_terminate(s, 0);
}

/* ---- the kind --------------------------------------------------------------------- */

static bool is_pipe_or_socket(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

static const struct session_port_mode *ops_for(enum forward_mode mode)
{
	switch (mode) {
	case FORWARD_MODE_BASIC:
		return &forward_basic_ops;
	case FORWARD_MODE_MUX:
	case FORWARD_MODE_MUX_STDIO:
		return &forward_mux_ops;
	case FORWARD_MODE_STDIO:
		break;
	}
	return &forward_stdio_ops;
}

static int port_start(struct session *s, char *err, size_t errlen)
{
	struct session_port *sp = port_of(s);
	bool stdio_wanted;
	int rc;

	memset(sp, 0, sizeof(*sp));
	sp->ops = &forward_stdio_ops; /* close_io must work whatever fails below */
	rc = forward_props_parse(s->hs.properties, &sp->props, err, errlen);
	if (rc != CLIENT_OK)
		return rc;
	stdio_wanted = forward_mode_stdio_wanted(is_pipe_or_socket(STDIN_FILENO),
						 is_pipe_or_socket(STDOUT_FILENO),
						 s->params->local_port_named);
	sp->mode = forward_mode_choose(&sp->props, s->hs.agent_version, stdio_wanted);
	sp->ops = ops_for(sp->mode);
	sp->msg_max = s->hs.large_messages ? PAYLOAD_LARGE_MESSAGE_MAX
					   : SESSION_PORT_SMALL_MESSAGE_MAX;
	if (s->hs.large_messages)
		data_channel_set_send_window(s->dc, PAYLOAD_LARGE_WINDOW);
	if (!forward_mode_stdio(sp->mode)) {
		rc = forward_props_listen(&sp->props, &sp->listen_at, err, errlen);
		if (rc != CLIENT_OK)
			return rc;
	}
	if (getenv("POSTERN_DEBUG"))
		fprintf(stderr, "postern: port session, %s mode, agent %s, messages up to %zu\n",
			forward_mode_name(sp->mode), s->hs.agent_version, sp->msg_max);
	return sp->ops->start(s, err, errlen);
}

static enum rstream_delivery port_payload(struct session *s, const struct frame *f)
{
	struct session_port *sp = port_of(s);
	enum payload_flag flag;

	if (sp->terminating)
		return RSTREAM_DELIVERED; /* nothing is relayed any more */
	switch (f->payload_type) {
	case PAYLOAD_OUTPUT:
		if (sp->ops->on_output(s, f->payload, f->payload_len) == RSTREAM_DELIVERED)
			return RSTREAM_DELIVERED;
		sp->refused = true; /* the mode calls session_port_wake() when it has room */
		return RSTREAM_NOT_READY;
	case PAYLOAD_FLAG:
		if (payload_flag_decode(f->payload, f->payload_len, &flag) == PROTO_OK)
			sp->ops->on_flag(s, flag);
		return RSTREAM_DELIVERED;
	default:
		return RSTREAM_DELIVERED; /* nothing else means anything here */
	}
}

static void port_signal(struct session *s, int signo)
{
	switch (signo) {
	case SIGINT:
	case SIGQUIT:
	case SIGTSTP:
	case SIGTERM:
	case SIGHUP:
		session_port_terminate(s, signo);
		break;
	default: /* SIGWINCH: no terminal here */
		break;
	}
}

static void port_send_room(struct session *s)
{
	struct session_port *sp = port_of(s);

	if (sp->terminating) {
		if (sp->flag_out && data_channel_unacked(s->dc) == 0)
			finish(s, true);
		return;
	}
	if (sp->draining) {
		if (data_channel_unacked(s->dc) == 0)
			session_port_terminate(s, 0);
		return;
	}
	sp->ops->on_send_room(s);
}

static void port_stop(struct session *s)
{
	struct session_port *sp = port_of(s);

	lws_sul_cancel(&sp->terminate_timer);
	lws_sul_cancel(&sp->retry_timer);
	if (sp->ops)
		sp->ops->close_io(s);
}

const struct session_kind session_port_kind = {
	"port", port_start, port_payload, port_signal, port_send_room, port_stop,
};
