/*
 * worker_mux.c — multiplexed port forwarding (session-flow.md §4.3; smux.md
 * §6): the worker is the smux server over the session's Output payloads,
 * and each stream the client opens is one connection to the destination.
 *
 *   SYN      dial (worker_tcp.h). More than WORKER_PORT_MAX_CONNS at once,
 *            or a dial that fails: a ConnectToPortError flag as its own
 *            message, then FIN for the stream; the session goes on.
 *   PSH      queued toward the connection (also while it is being dialed)
 *   TCP data PSH frames, read only while the stream's smux write room, the
 *            reliable stream's room for a whole message, the websocket queue
 *            and publication allow
 *   FIN      the connection is closed once what is queued for it is written
 *            (and FIN goes back); the destination's end of stream or an
 *            error: FIN, and the connection closed
 *   NOP      every WORKER_PORT_KEEPALIVE_MS, only to clients that expect it;
 *            silence never ends the session
 *
 * Flow control toward the destinations (worker.h): in smux v1 a message of
 * Output is left unacknowledged (the client resends it) while any
 * connection holds more than WORKER_PORT_CONN_QUEUE bytes or all together
 * more than WORKER_PORT_BUDGET — every stream waits, as with the official
 * peers. In v2 consumption is reported to smux only for bytes the socket
 * took, so the client holds back a stalled stream by itself; the budget
 * still applies, as a backstop.
 *
 * The pending smux output is moved into Output messages of the session's
 * message size whenever the reliable stream takes them (worker_mux_flow,
 * which runs after every event).
 */
#include "worker_impl.h"
#include "agent_log.h"
#include "payload.h"
#include "proto_err.h"
#include "smux.h"

#include <stdlib.h>
#include <string.h>

struct worker_mux_conn {
	struct worker_mux *mux;
	uint32_t id;
	struct worker_tcp *tcp; /* NULL once the dial failed */
	bool refused;           /* ConnectToPortError and FIN are due */
};

struct worker_mux {
	struct worker *w;
	struct smux *smux;
	bool v2, keepalive;
	uint64_t last_nop_ms;
	size_t n_conns;
	struct worker_mux_conn *conns[WORKER_PORT_MAX_CONNS];
	uint8_t *out;           /* one message of pending smux output */
};

static struct worker_mux_conn *worker_mux_find(struct worker_mux *m, uint32_t id, size_t *at)
{
	for (size_t i = 0; i < m->n_conns; i++)
		if (m->conns[i]->id == id) {
			if (at)
				*at = i;
			return m->conns[i];
		}
	return NULL;
}

/* Forget a stream's connection: close it (flush: after what is queued),
 * FIN unless sent, free. */
static void worker_mux_drop(struct worker_mux *m, struct worker_mux_conn *c, bool flush)
{
	size_t at;

	if (worker_mux_find(m, c->id, &at) == c)
		m->conns[at] = m->conns[--m->n_conns];
	worker_tcp_close(c->tcp, flush);
	smux_close(m->smux, c->id);
	free(c);
}

/* ---- the destination connections ----------------------------------------------------- */

static void worker_mux_tcp_connected(void *ctx, struct worker_tcp *t)
{
	struct worker_mux_conn *c = ctx;

	(void)t;
	worker_session_flow(c->mux->w); /* reading may start */
}

static void worker_mux_tcp_failed(void *ctx, struct worker_tcp *t, const char *why)
{
	struct worker_mux_conn *c = ctx;
	struct worker *w = c->mux->w;

	agent_log(AGENT_LOG_WARN, "session %s: stream %u: cannot connect to the destination: %s",
		  w->start->session_id, (unsigned)c->id, why);
	worker_tcp_close(t, false);
	c->tcp = NULL;
	c->refused = true;
	worker_session_flow(w);
}

static void worker_mux_tcp_data(void *ctx, struct worker_tcp *t, const uint8_t *data, size_t len)
{
	struct worker_mux_conn *c = ctx;
	struct worker_mux *m = c->mux;
	long n = smux_write(m->smux, c->id, data, len);

	(void)t;
	/* Reading stays within the stream's write room, so smux takes it all. */
	if (n != (long)len) {
		agent_log(AGENT_LOG_WARN, "session %s: stream %u: %s; closing it",
			  m->w->start->session_id, (unsigned)c->id,
			  n < 0 ? proto_err_str((int)n) : "data beyond the stream's room");
		worker_mux_drop(m, c, false);
	}
	worker_session_flow(m->w);
}

static void worker_mux_tcp_written(void *ctx, struct worker_tcp *t, size_t n)
{
	struct worker_mux_conn *c = ctx;

	(void)t;
	smux_consumed(c->mux->smux, c->id, n); /* v2: the client may send more */
	worker_session_flow(c->mux->w);
}

static void worker_mux_tcp_closed(void *ctx, struct worker_tcp *t, bool error, const char *why)
{
	struct worker_mux_conn *c = ctx;
	struct worker_mux *m = c->mux;

	(void)t;
	if (error)
		agent_log(AGENT_LOG_INFO, "session %s: stream %u: the connection failed: %s",
			  m->w->start->session_id, (unsigned)c->id, why);
	worker_mux_drop(m, c, false);
	worker_session_flow(m->w);
}

/* ---- smux --------------------------------------------------------------------------------- */

static void worker_mux_on_output(void *ctx)
{
	(void)ctx; /* moved into messages by worker_mux_flow, after the event */
}

/* ConnectToPortError as its own message, then FIN for the stream (the flag
 * names no stream: the FIN after it does). false: no room for the flag now. */
static bool worker_mux_refuse(struct worker_mux *m, uint32_t id)
{
	static const uint8_t flag[PAYLOAD_FLAG_LEN] = {0, 0, 0,
						       PAYLOAD_FLAG_CONNECT_TO_PORT_ERROR};
	struct worker *w = m->w;

	if (!worker_port_may_send(w, sizeof(flag)))
		return false;
	if (rstream_send(w->rs, PAYLOAD_FLAG, flag, sizeof(flag), worker_now_ms()) != PROTO_OK)
		return false;
	smux_close(m->smux, id);
	return true;
}

static void worker_mux_on_open(void *ctx, uint32_t id)
{
	static const struct worker_tcp_ops ops = {
		.on_connected = worker_mux_tcp_connected,
		.on_failed = worker_mux_tcp_failed,
		.on_data = worker_mux_tcp_data,
		.on_written = worker_mux_tcp_written,
		.on_closed = worker_mux_tcp_closed,
	};
	struct worker_mux *m = ctx;
	struct worker *w = m->w;
	struct worker_mux_conn *c = NULL;

	if (m->n_conns < WORKER_PORT_MAX_CONNS)
		c = calloc(1, sizeof(*c));
	if (!c) { /* no slot to remember it by: the flag if it fits now, FIN anyway */
		agent_log(AGENT_LOG_WARN, "session %s: stream %u refused: %s", w->start->session_id,
			  (unsigned)id, m->n_conns < WORKER_PORT_MAX_CONNS ? "out of memory"
									: "too many connections");
		if (!worker_mux_refuse(m, id))
			smux_close(m->smux, id);
		return;
	}
	c->mux = m;
	c->id = id;
	m->conns[m->n_conns++] = c;
	c->tcp = worker_tcp_dial(w->lws, lws_get_vhost(w->ws), &w->port.dest, WORKER_PORT_CONN_CAP,
				 &ops, c);
	c->refused = !c->tcp;
}

static void worker_mux_on_data(void *ctx, uint32_t id, const uint8_t *data, size_t len)
{
	struct worker_mux *m = ctx;
	struct worker_mux_conn *c = worker_mux_find(m, id, NULL);

	if (!c || !c->tcp) { /* refused: its data goes nowhere, and is out of the way */
		smux_consumed(m->smux, id, len);
		return;
	}
	if (worker_tcp_write(c->tcp, data, len) == 0)
		return;
	agent_log(AGENT_LOG_WARN, "session %s: stream %u: %zu bytes do not fit its queue (%zu "
		  "queued); closing it", m->w->start->session_id, (unsigned)id, len,
		  worker_tcp_queued(c->tcp));
	worker_mux_drop(m, c, false);
}

static void worker_mux_on_fin(void *ctx, uint32_t id)
{
	struct worker_mux *m = ctx;
	struct worker_mux_conn *c = worker_mux_find(m, id, NULL);

	if (c && !c->refused)
		worker_mux_drop(m, c, true);
}

static void worker_mux_on_writable(void *ctx, uint32_t id)
{
	(void)ctx;
	(void)id; /* reading resumes in worker_mux_flow, after the event */
}

struct worker_mux *worker_mux_new(struct worker *w, bool smux_v2, bool keepalive)
{
	static const struct smux_ops ops = {
		.on_output = worker_mux_on_output,
		.on_open = worker_mux_on_open,
		.on_data = worker_mux_on_data,
		.on_fin = worker_mux_on_fin,
		.on_writable = worker_mux_on_writable,
	};
	struct smux_config cfg = {
		.version = smux_v2 ? 2 : 1,
		.client = false,
	};
	struct worker_mux *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->w = w;
	m->v2 = smux_v2;
	m->keepalive = keepalive;
	m->last_nop_ms = worker_now_ms();
	m->out = malloc(w->port.msg_max);
	m->smux = smux_new(&cfg, &ops, m);
	if (!m->out || !m->smux) {
		worker_mux_free(m);
		return NULL;
	}
	return m;
}

/* ---- the client's messages ------------------------------------------------------------- */

/* Whether the destinations can take another message of Output (see the top). */
static bool worker_mux_may_take(const struct worker_mux *m)
{
	size_t total = 0;

	for (size_t i = 0; i < m->n_conns; i++) {
		size_t q = m->conns[i]->tcp ? worker_tcp_queued(m->conns[i]->tcp) : 0;

		if (!m->v2 && q > WORKER_PORT_CONN_QUEUE)
			return false;
		total += q;
	}
	return total <= WORKER_PORT_BUDGET;
}

enum rstream_delivery worker_mux_deliver(struct worker_mux *m, const struct frame *f)
{
	int rc;

	if (f->payload_type != PAYLOAD_OUTPUT)
		return RSTREAM_DELIVERED; /* flags are worker_port.c's; nothing else means anything */
	if (!worker_mux_may_take(m))
		return RSTREAM_NOT_READY;
	rc = smux_input(m->smux, f->payload, f->payload_len);
	if (rc != PROTO_OK)
		worker_session_stop(m->w, rc == PROTO_E_NOMEM ? WORKER_EXIT_FAILED
							      : WORKER_EXIT_PROTOCOL,
				    "the client's smux stream is broken (%s): ending the session",
				    proto_err_str(rc));
	return RSTREAM_DELIVERED;
}

/* ---- flow ------------------------------------------------------------------------------------- */

/* Pending smux output into Output messages, while the stream takes them. */
static void worker_mux_pump(struct worker_mux *m)
{
	struct worker *w = m->w;
	size_t pending;

	while ((pending = smux_pending(m->smux)) > 0) {
		size_t n = pending < w->port.msg_max ? pending : w->port.msg_max;
		int rc;

		if (!worker_port_may_send(w, n))
			return;
		n = smux_take(m->smux, m->out, n);
		rc = rstream_send(w->rs, PAYLOAD_OUTPUT, m->out, n, worker_now_ms());
		if (rc != PROTO_OK) {
			worker_session_stop(w, WORKER_EXIT_FAILED, "output lost: %s",
					    proto_err_str(rc));
			return;
		}
	}
}

void worker_mux_flow(struct worker_mux *m)
{
	struct worker *w = m->w;
	bool may_read;

	for (size_t i = 0; i < m->n_conns && w->phase == WORKER_RUNNING;) {
		struct worker_mux_conn *c = m->conns[i];

		if (c->refused && worker_mux_refuse(m, c->id)) {
			m->conns[i] = m->conns[--m->n_conns]; /* FIN sent: forget it */
			free(c);
			continue;
		}
		i++;
	}
	if (w->phase == WORKER_RUNNING)
		worker_mux_pump(m);
	may_read = worker_port_may_send(w, w->port.msg_max);
	for (size_t i = 0; i < m->n_conns; i++) {
		struct worker_mux_conn *c = m->conns[i];
		size_t room = may_read ? smux_write_room(m->smux, c->id) : 0;

		if (c->tcp)
			worker_tcp_read(c->tcp, room < WORKER_TCP_READ_MAX ? room : WORKER_TCP_READ_MAX);
	}
}

void worker_mux_tick(struct worker_mux *m, uint64_t now_ms)
{
	if (!m->keepalive || now_ms - m->last_nop_ms < WORKER_PORT_KEEPALIVE_MS)
		return;
	m->last_nop_ms = now_ms;
	smux_keepalive(m->smux);
	worker_mux_flow(m);
}

void worker_mux_stop(struct worker_mux *m)
{
	if (!m)
		return;
	while (m->n_conns) {
		struct worker_mux_conn *c = m->conns[--m->n_conns];

		worker_tcp_close(c->tcp, false);
		free(c);
	}
}

void worker_mux_free(struct worker_mux *m)
{
	if (!m)
		return;
	worker_mux_stop(m);
	smux_free(m->smux);
	free(m->out);
	free(m);
}
