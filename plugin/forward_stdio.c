/*
 * forward_stdio.c — stdio mode of a port session (see forward_stdio.h).
 */
#include "client_err.h"
#include "payload.h"
#include "session_impl.h"

#include <stdio.h>

static struct forward_stdio *stdio_of(struct session *s)
{
	return &s->port.stdio;
}

/* Read stdin only while the window can take one more read. */
static void update_input(struct session *s)
{
	struct forward_stdio *ps = stdio_of(s);
	bool pause = data_channel_send_room(s->dc) < STDIO_RELAY_READ_MAX;

	if (pause != ps->input_paused) {
		ps->input_paused = pause;
		stdio_relay_pause_input(&ps->relay, pause);
	}
}

static void on_input(void *ctx, const uint8_t *buf, size_t len)
{
	struct session *s = ctx;

	/* reading pauses before the window could refuse a read */
	if (session_port_send(s, PAYLOAD_OUTPUT, buf, len) == CLIENT_E_WOULD_BLOCK)
		session_end(s, SESSION_END_ERROR, 0, "the send window overflowed");
	update_input(s);
}

static void on_input_end(void *ctx)
{
	session_port_input_ended(ctx);
}

static void on_output_room(void *ctx)
{
	struct session *s = ctx;

	session_port_hold(s, false);
}

static void on_output_error(void *ctx, const char *why)
{
	struct session *s = ctx;

	(void)why; /* whoever read our stdout is gone: nothing left to forward to */
	session_port_terminate(s, 0);
}

static const struct stdio_relay_ops forward_stdio_relay_ops = {
	on_input, on_input_end, on_output_room, on_output_error,
};

static int stdio_start(struct session *s, char *err, size_t errlen)
{
	struct forward_stdio *ps = stdio_of(s);
	int rc = stdio_relay_start(&ps->relay, s->loop, &forward_stdio_relay_ops, s, err, errlen);

	if (rc != CLIENT_OK)
		return rc;
	ps->started = true;
	update_input(s);
	return CLIENT_OK;
}

static enum rstream_delivery stdio_output(struct session *s, const uint8_t *buf, size_t len)
{
	struct forward_stdio *ps = stdio_of(s);

	if (stdio_relay_write(&ps->relay, buf, len) != CLIENT_OK)
		return RSTREAM_NOT_READY; /* stdout is far behind: the agent resends */
	if (stdio_relay_output_full(&ps->relay))
		session_port_hold(s, true);
	return RSTREAM_DELIVERED;
}

static void stdio_flag(struct session *s, uint32_t flag)
{
	(void)s;
	(void)flag; /* no flag means anything to a stdio client */
}

static void stdio_send_room(struct session *s)
{
	update_input(s);
}

static void stdio_close_io(struct session *s)
{
	struct forward_stdio *ps = stdio_of(s);

	if (!ps->started)
		return;
	ps->started = false;
	stdio_relay_stop(&ps->relay); /* what the agent sent is written out first */
	stdio_relay_free(&ps->relay);
}

const struct session_port_mode forward_stdio_ops = {
	stdio_start, stdio_output, stdio_flag, stdio_send_room, stdio_close_io,
};
