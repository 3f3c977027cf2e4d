/*
 * forward_basic.c — basic mode of a port session (see forward_basic.h).
 */
#include "client_err.h"
#include "payload.h"
#include "forward_conn.h"
#include "proto_err.h"
#include "session_impl.h"

#include <stdlib.h>
#include <unistd.h>

static struct forward_basic *basic_of(struct session *s)
{
	return &s->port.basic;
}

static void on_accept(void *ctx, int fd);

/* Send DisconnectToPort if it is due; true once it is out. */
static bool send_disconnect(struct session *s)
{
	struct forward_basic *b = basic_of(s);
	uint8_t *flag;
	size_t len;
	int rc;

	if (!b->disconnect_pending)
		return true;
	if (payload_flag_encode(PAYLOAD_FLAG_DISCONNECT_TO_PORT, &flag, &len) != PROTO_OK) {
		session_end(s, SESSION_END_ERROR, 0, "out of memory");
		return false;
	}
	rc = session_port_send(s, PAYLOAD_FLAG, flag, len);
	free(flag);
	if (rc != CLIENT_OK)
		return false; /* no room: again on on_send_room */
	b->disconnect_pending = false;
	forward_listener_pause(&s->port.listener, false); /* the next connection */
	return true;
}

/* Move what the connection read into Output messages while the window has
 * room for them; read on only while it has room for a whole message. After
 * the connection's end, once all it read is out, DisconnectToPort. */
static void pump(struct session *s)
{
	struct forward_basic *b = basic_of(s);
	struct forward_conn *c = b->conn;
	size_t max = s->port.msg_max, len;
	const uint8_t *in;

	if (!c) {
		(void)send_disconnect(s);
		return;
	}
	while ((in = forward_conn_input(c, &len)), len) {
		size_t n = len < max ? len : max;

		if (data_channel_send_room(s->dc) < n ||
		    session_port_send(s, PAYLOAD_OUTPUT, in, n) != CLIENT_OK)
			break;
		forward_conn_consume(c, n);
	}
	if (s->done)
		return;
	if (c->closed && len == 0) {
		forward_conn_free(c);
		b->conn = NULL;
		session_port_hold(s, false); /* its queue went with it */
		b->disconnect_pending = true;
		(void)send_disconnect(s);
		return;
	}
	forward_conn_want_input(c, data_channel_send_room(s->dc) >= max);
}

static void on_conn_input(void *ctx, struct forward_conn *c)
{
	(void)c;
	pump(ctx);
}

static void on_conn_written(void *ctx, struct forward_conn *c, size_t n)
{
	(void)n;
	if (forward_conn_queued(c) <= FORWARD_CONN_QUEUE_MAX)
		session_port_hold(ctx, false);
}

static void on_conn_closed(void *ctx, struct forward_conn *c)
{
	(void)c;
	pump(ctx); /* sends what is left, then DisconnectToPort */
}

static const struct forward_conn_ops basic_conn_ops = {
	on_conn_input, on_conn_written, on_conn_closed,
};

static void on_accept(void *ctx, int fd)
{
	struct session *s = ctx;
	struct forward_basic *b = basic_of(s);

	if (b->conn || b->disconnect_pending) { /* cannot happen: the listener is paused */
		close(fd);
		return;
	}
	b->conn = forward_conn_adopt(s->loop, fd, &basic_conn_ops, s);
	if (!b->conn) {
		session_port_warn("cannot take a local connection");
		return;
	}
	forward_listener_pause(&s->port.listener, true);
	session_port_say("Connection accepted for session %s.", s->params->session_id);
	session_port_wake(s); /* what the agent sent meanwhile */
	pump(s);
}

static const struct forward_listener_ops basic_listener_ops = {on_accept};

static int basic_start(struct session *s, char *err, size_t errlen)
{
	return session_port_listen(s, &basic_listener_ops, err, errlen);
}

static enum rstream_delivery basic_output(struct session *s, const uint8_t *buf, size_t len)
{
	struct forward_conn *c = basic_of(s)->conn;

	/* no connection (yet, or any more): the agent resends until there is one */
	if (!c || c->closed || c->closing)
		return RSTREAM_NOT_READY;
	if (forward_conn_write(c, buf, len) != CLIENT_OK) {
		session_end(s, SESSION_END_ERROR, 0, "out of memory");
		return RSTREAM_NOT_READY;
	}
	if (forward_conn_queued(c) > FORWARD_CONN_QUEUE_MAX)
		session_port_hold(s, true); /* until the application reads (on_conn_written) */
	return RSTREAM_DELIVERED;
}

static void basic_flag(struct session *s, uint32_t flag)
{
	(void)s;
	(void)flag; /* the agent sends none in basic mode */
}

static void basic_send_room(struct session *s)
{
	pump(s);
}

static void basic_close_io(struct session *s)
{
	struct forward_basic *b = basic_of(s);

	forward_listener_stop(&s->port.listener);
	forward_conn_free(b->conn);
	b->conn = NULL;
	b->disconnect_pending = false;
}

const struct session_port_mode forward_basic_ops = {
	basic_start, basic_output, basic_flag, basic_send_room, basic_close_io,
};
