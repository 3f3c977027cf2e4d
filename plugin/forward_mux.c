/*
 * forward_mux.c — multiplexed mode of a port session: local connections as smux
 * streams (see forward_mux.h).
 */
#include "client_err.h"
#include "payload.h"
#include "forward_conn.h"
#include "proto_err.h"
#include "session_impl.h"
#include "smux.h"

#include <stdlib.h>
#include <unistd.h>

_Static_assert(FORWARD_CONN_QUEUE_MAX >= SMUX_V2_WINDOW,
	       "a v2 agent keeping to its window must never stall the session");

static struct forward_mux *mux_of(struct session *s)
{
	return &s->port.mux;
}

static void pump(lws_sorted_usec_list_t *sul);

/* Whether reading the agent's output must wait (forward_mux.h): a connection
 * (or stdout) too far behind, or (v1) all of them together. */
static bool stalled(struct session *s)
{
	struct forward_mux *m = mux_of(s);
	size_t total = 0;

	if (s->port.stdio.started && stdio_relay_output_full(&s->port.stdio.relay))
		return true;
	for (size_t i = 0; i < FORWARD_MUX_MAX_CONNS; i++) {
		size_t q = m->conns[i] ? forward_conn_queued(m->conns[i]) : 0;

		if (q > FORWARD_CONN_QUEUE_MAX)
			return true;
		total += q;
	}
	return !s->hs.smux_v2 && total > FORWARD_MUX_V1_BUDGET;
}

/* Read the data channel again if nothing is too far behind any more. */
static void relieve(struct session *s)
{
	if (s->port.holding && !stalled(s))
		session_port_hold(s, false);
}

/* Move smux output into messages soon: after this loop turn's other events,
 * so that what they produce shares messages. */
static void schedule_pump(struct session *s)
{
	struct forward_mux *m = mux_of(s);

	if (m->smux && !lws_dll2_is_detached(&m->pump.list))
		return; /* already due */
	if (m->smux)
		lws_sul_schedule(s->loop->ctx, 0, &m->pump, pump, 1);
}

static struct forward_conn **slot_of(struct forward_mux *m, uint32_t id)
{
	for (size_t i = 0; i < FORWARD_MUX_MAX_CONNS; i++)
		if (m->conns[i] && m->conns[i]->id == id)
			return &m->conns[i];
	return NULL;
}

/* Forget a connection: FIN to the agent unless it is gone, then free. */
static void drop(struct session *s, struct forward_conn **slot)
{
	struct forward_mux *m = mux_of(s);

	smux_close(m->smux, (*slot)->id);
	forward_conn_free(*slot);
	*slot = NULL;
	m->n_conns--;
	relieve(s); /* its queue went with it */
}

/* Hand what the connection read to smux, as far as its room goes; a
 * connection whose socket is gone is dropped once all it read is out. */
static void feed(struct session *s, struct forward_conn **slot)
{
	struct forward_mux *m = mux_of(s);
	struct forward_conn *c = *slot;
	const uint8_t *in;
	size_t len, room;

	while ((in = forward_conn_input(c, &len)),
	       len && (room = smux_write_room(m->smux, c->id))) {
		long n = smux_write(m->smux, c->id, in, len < room ? len : room);

		if (n <= 0) {
			if (n < 0) /* the stream is over on smux's side */
				forward_conn_consume(c, len);
			break;
		}
		forward_conn_consume(c, (size_t)n);
	}
	if (c->closed && (len == 0 || !smux_stream_open(m->smux, c->id)))
		drop(s, slot);
}

static void feed_all(struct session *s)
{
	struct forward_mux *m = mux_of(s);

	for (size_t i = 0; i < FORWARD_MUX_MAX_CONNS && !s->done; i++) {
		struct forward_conn **slot = &m->conns[(m->rr + i) % FORWARD_MUX_MAX_CONNS];

		if (*slot)
			feed(s, slot);
	}
	m->rr = (m->rr + 1) % FORWARD_MUX_MAX_CONNS;
}

/* Read the connections (or stdin) only while a whole message fits the send
 * window and smux would take what they give. */
static void update_reading(struct session *s)
{
	struct forward_mux *m = mux_of(s);
	struct forward_stdio *ps = &s->port.stdio;
	bool room = data_channel_send_room(s->dc) >= s->port.msg_max, pause;

	for (size_t i = 0; i < FORWARD_MUX_MAX_CONNS; i++) {
		struct forward_conn *c = m->conns[i];

		if (c)
			forward_conn_want_input(c, room && smux_write_room(m->smux, c->id) > 0);
	}
	if (!ps->started)
		return;
	pause = !room || smux_write_room(m->smux, m->stdio_id) < STDIO_RELAY_READ_MAX;
	if (pause != ps->input_paused) {
		ps->input_paused = pause;
		stdio_relay_pause_input(&ps->relay, pause);
	}
}

static void pump(lws_sorted_usec_list_t *sul)
{
	struct forward_mux *m = lws_container_of(sul, struct forward_mux, pump);
	struct session *s = lws_container_of(m, struct session, port.mux);
	size_t max = s->port.msg_max, pending;

	if (!m->smux || s->done)
		return;
	feed_all(s);
	while (!s->done && (pending = smux_pending(m->smux))) {
		size_t n = pending < max ? pending : max;

		if (data_channel_send_room(s->dc) < n)
			break; /* on_send_room pumps again */
		n = smux_take(m->smux, m->msg, n);
		if (session_port_send(s, PAYLOAD_OUTPUT, m->msg, n) != CLIENT_OK) {
			session_end(s, SESSION_END_ERROR, 0, "cannot send to the agent");
			return;
		}
		feed_all(s); /* smux has room again */
	}
	if (s->done)
		return;
	update_reading(s);
	if (m->stdin_ended && !smux_pending(m->smux))
		session_port_input_ended(s); /* the FIN is out: end once acknowledged */
}

/* ---- smux --------------------------------------------------------------------------- */

static void smux_on_output(void *ctx)
{
	schedule_pump(ctx);
}

static void smux_on_open(void *ctx, uint32_t id)
{
	(void)ctx;
	(void)id; /* the client side opens streams; smux refuses a peer's SYN */
}

static void smux_on_data(void *ctx, uint32_t id, const uint8_t *data, size_t len)
{
	struct session *s = ctx;
	struct forward_mux *m = mux_of(s);
	struct forward_conn **slot = slot_of(m, id);

	if (s->port.stdio.started && id == m->stdio_id) {
		/* reading stops when stdout is behind (stalled()): this fits */
		if (stdio_relay_write(&s->port.stdio.relay, data, len) != CLIENT_OK)
			session_end(s, SESSION_END_ERROR, 0, "cannot queue output for stdout");
		smux_consumed(m->smux, id, len);
		return;
	}
	if (!slot || (*slot)->closed || (*slot)->closing) {
		smux_consumed(m->smux, id, len); /* dropped: nobody will read it */
		return;
	}
	if (forward_conn_write(*slot, data, len) != CLIENT_OK)
		session_end(s, SESSION_END_ERROR, 0, "out of memory");
}

static void smux_on_fin(void *ctx, uint32_t id)
{
	struct session *s = ctx;
	struct forward_conn **slot = slot_of(mux_of(s), id);

	if (s->port.stdio.started && id == mux_of(s)->stdio_id) {
		session_port_terminate(s, 0); /* stdout gets what came first */
		return;
	}
	if (!slot)
		return;
	if ((*slot)->closed)
		drop(s, slot);
	else
		forward_conn_close(*slot); /* what is queued goes out, then on_closed */
}

static void smux_on_writable(void *ctx, uint32_t id)
{
	(void)id;
	schedule_pump(ctx);
}

static const struct smux_ops mux_smux_ops = {
	smux_on_output, smux_on_open, smux_on_data, smux_on_fin, smux_on_writable,
};

/* ---- local connections ------------------------------------------------------------- */

static void on_conn_input(void *ctx, struct forward_conn *c)
{
	struct session *s = ctx;
	struct forward_conn **slot = slot_of(mux_of(s), c->id);

	if (slot)
		feed(s, slot);
	schedule_pump(s);
}

static void on_conn_written(void *ctx, struct forward_conn *c, size_t n)
{
	struct session *s = ctx;

	smux_consumed(mux_of(s)->smux, c->id, n); /* v2: the agent may send more */
	relieve(s);
}

static void on_conn_closed(void *ctx, struct forward_conn *c)
{
	struct session *s = ctx;
	struct forward_conn **slot = slot_of(mux_of(s), c->id);

	if (!slot)
		return;
	if (c->closing)
		drop(s, slot); /* the agent's FIN, answered with ours */
	else
		feed(s, slot); /* what was read goes out before the FIN */
	schedule_pump(s);
}

static const struct forward_conn_ops mux_conn_ops = {
	on_conn_input, on_conn_written, on_conn_closed,
};

static void on_accept(void *ctx, int fd)
{
	struct session *s = ctx;
	struct forward_mux *m = mux_of(s);
	struct forward_conn *c;
	size_t i;
	uint32_t id;

	if (m->n_conns == FORWARD_MUX_MAX_CONNS) {
		close(fd);
		if (!m->refused)
			session_port_warn("%u local connections are open: refusing more",
					  FORWARD_MUX_MAX_CONNS);
		m->refused = true;
		return;
	}
	c = forward_conn_adopt(s->loop, fd, &mux_conn_ops, s);
	if (!c) {
		session_port_warn("cannot take a local connection");
		return;
	}
	if (smux_open(m->smux, &id) != PROTO_OK) {
		session_port_warn("cannot open a stream for a local connection");
		forward_conn_free(c);
		return;
	}
	c->id = id;
	for (i = 0; m->conns[i]; i++)
		;
	m->conns[i] = c;
	m->n_conns++;
	if (!m->accepted_once)
		session_port_say("Connection accepted for session [%s]", s->params->session_id);
	m->accepted_once = true;
	schedule_pump(s);
}

static const struct forward_listener_ops mux_listener_ops = {on_accept};

/* ---- stdin and stdout as one stream (FORWARD_MODE_MUX_STDIO) --------------------------- */

static void on_stdin(void *ctx, const uint8_t *buf, size_t len)
{
	struct session *s = ctx;
	struct forward_mux *m = mux_of(s);

	/* reading pauses before smux could refuse a read (update_reading) */
	if (smux_write(m->smux, m->stdio_id, buf, len) != (long)len)
		session_end(s, SESSION_END_ERROR, 0, "the agent closed the stream");
	update_reading(s);
}

static void on_stdin_end(void *ctx)
{
	struct session *s = ctx;
	struct forward_mux *m = mux_of(s);

	m->stdin_ended = true;
	smux_close(m->smux, m->stdio_id); /* FIN; the session ends once it is out */
	schedule_pump(s);
}

static void on_stdout_room(void *ctx)
{
	relieve(ctx);
}

static void on_stdout_error(void *ctx, const char *why)
{
	(void)why; /* whoever read our stdout is gone */
	session_port_terminate(ctx, 0);
}

static const struct stdio_relay_ops mux_stdio_ops = {
	on_stdin, on_stdin_end, on_stdout_room, on_stdout_error,
};

static int stdio_start(struct session *s, char *err, size_t errlen)
{
	struct forward_mux *m = mux_of(s);
	struct forward_stdio *ps = &s->port.stdio;
	int rc;

	if (smux_open(m->smux, &m->stdio_id) != PROTO_OK)
		return client_errf(err, errlen, CLIENT_E_NOMEM, "cannot open a stream");
	rc = stdio_relay_start(&ps->relay, s->loop, &mux_stdio_ops, s, err, errlen);
	if (rc == CLIENT_OK)
		ps->started = true;
	return rc;
}

/* ---- the mode ---------------------------------------------------------------------- */

static void keepalive(lws_sorted_usec_list_t *sul)
{
	struct forward_mux *m = lws_container_of(sul, struct forward_mux, keepalive_timer);
	struct session *s = lws_container_of(m, struct session, port.mux);

	if (!m->smux)
		return;
	smux_keepalive(m->smux);
	lws_sul_schedule(s->loop->ctx, 0, &m->keepalive_timer, keepalive,
			 (lws_usec_t)FORWARD_MUX_KEEPALIVE_MS * LWS_US_PER_MS);
}

static int mux_start(struct session *s, char *err, size_t errlen)
{
	struct forward_mux *m = mux_of(s);
	const struct smux_config cfg = {
		.version = s->hs.smux_v2 ? 2 : 1,
		.client = true,
		.max_streams = FORWARD_MUX_MAX_CONNS,
	};

	m->msg = malloc(s->port.msg_max);
	m->smux = smux_new(&cfg, &mux_smux_ops, s);
	if (!m->msg || !m->smux)
		return client_errf(err, errlen, CLIENT_E_NOMEM, "out of memory");
	m->keepalive = forward_mode_keepalive(s->hs.agent_version);
	if (m->keepalive)
		lws_sul_schedule(s->loop->ctx, 0, &m->keepalive_timer, keepalive,
				 (lws_usec_t)FORWARD_MUX_KEEPALIVE_MS * LWS_US_PER_MS);
	if (s->port.mode == FORWARD_MODE_MUX_STDIO)
		return stdio_start(s, err, errlen);
	return session_port_listen(s, &mux_listener_ops, err, errlen);
}

static enum rstream_delivery mux_output(struct session *s, const uint8_t *buf, size_t len)
{
	struct forward_mux *m = mux_of(s);
	char msg[256];
	int rc;

	rc = smux_input(m->smux, buf, len);
	if (rc != PROTO_OK && !s->done) {
		snprintf(msg, sizeof(msg), "the agent's multiplexed stream is broken: %s",
			 proto_err_str(rc));
		session_end(s, SESSION_END_ERROR, 0, msg);
	}
	if (!s->done && stalled(s))
		session_port_hold(s, true); /* until the applications read (relieve) */
	return RSTREAM_DELIVERED;
}

static void mux_flag(struct session *s, uint32_t flag)
{
	if (flag != PAYLOAD_FLAG_CONNECT_TO_PORT_ERROR)
		return; /* the agent sends no other */
	session_port_warn("the agent could not connect to the destination port %s for a new "
			  "connection, which is closed (ConnectToPortError; see the agent's log)",
			  s->port.props.port_number[0] ? s->port.props.port_number : "(unknown)");
}

static void mux_send_room(struct session *s)
{
	schedule_pump(s); /* once for all the acknowledgements of this loop turn */
}

static void mux_close_io(struct session *s)
{
	struct forward_mux *m = mux_of(s);

	lws_sul_cancel(&m->pump);
	lws_sul_cancel(&m->keepalive_timer);
	forward_listener_stop(&s->port.listener);
	if (s->port.stdio.started) {
		s->port.stdio.started = false;
		stdio_relay_stop(&s->port.stdio.relay); /* what the agent sent is written first */
		stdio_relay_free(&s->port.stdio.relay);
	}
	for (size_t i = 0; i < FORWARD_MUX_MAX_CONNS; i++) {
		forward_conn_free(m->conns[i]); /* no FIN: the session ends (smux.md §6) */
		m->conns[i] = NULL;
	}
	m->n_conns = 0;
	smux_free(m->smux);
	m->smux = NULL;
	free(m->msg);
	m->msg = NULL;
}

const struct session_port_mode forward_mux_ops = {
	mux_start, mux_output, mux_flag, mux_send_room, mux_close_io,
};
