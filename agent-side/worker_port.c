/*
 * worker_port.c — the Port kind (worker_kind.h; session-flow.md §4–§5): the
 * properties and the destination, checked before the data channel opens;
 * the mode, decided from the handshake; and the two single-connection
 * modes (worker_mux.c runs the multiplexed one):
 *
 *   basic  (LocalPortForwarding, older clients) one connection, dialed at
 *          the start. Output → the connection; its bytes → Output.
 *          DisconnectToPort closes it (after what is queued for it is
 *          written); so does the destination. Either way the next Output
 *          dials again first — and a dial that fails ends the session.
 *   stdio  (no type: SSH through ProxyCommand) the same, except that the
 *          destination closing ends the session successfully (drain,
 *          Terminating), and an error reading it ends it as failed.
 *
 * Output that cannot be taken yet (not connected, or WORKER_PORT_CONN_QUEUE
 * bytes already queued for the connection) is left unacknowledged: the
 * client resends it. TerminateSession ends the session in every mode.
 */
#include "worker_impl.h"
#include "agent_log.h"
#include "payload.h"
#include "proto_err.h"

#include <stdio.h>
#include <string.h>

static struct worker_port *worker_port_of(struct worker *w)
{
	return &w->port;
}

bool worker_port_may_send(const struct worker *w, size_t len)
{
	struct rstream_stats st;

	if (w->phase != WORKER_RUNNING || worker_ws_backlog(w) > WORKER_WS_BACKLOG_MAX ||
	    rstream_send_room(w->rs) < len)
		return false;
	rstream_get_stats(w->rs, &st);
	return !st.paused;
}

/* ---- the one connection (basic, stdio) -------------------------------------------------- */

static void worker_port_on_connected(void *ctx, struct worker_tcp *t)
{
	struct worker *w = ctx;

	agent_log(AGENT_LOG_INFO, "session %s: connected to %s", w->start->session_id,
		  worker_tcp_peer(t));
	worker_session_flow(w);
}

static void worker_port_on_failed(void *ctx, struct worker_tcp *t, const char *why)
{
	struct worker *w = ctx;

	worker_tcp_close(t, false);
	w->port.conn = NULL;
	worker_session_stop(w, WORKER_EXIT_DESTINATION, "cannot connect to port %u of %s: %s",
			    (unsigned)w->port.props.port, w->port.props.host, why);
}

static void worker_port_on_data(void *ctx, struct worker_tcp *t, const uint8_t *data,
				size_t len)
{
	struct worker *w = ctx;
	int rc = rstream_send(w->rs, PAYLOAD_OUTPUT, data, len, worker_now_ms());

	(void)t;
	/* Reading waits for room for a whole message, so only memory can fail. */
	if (rc != PROTO_OK)
		worker_session_stop(w, WORKER_EXIT_FAILED, "output lost: %s", proto_err_str(rc));
	else
		worker_session_flow(w);
}

static void worker_port_on_written(void *ctx, struct worker_tcp *t, size_t n)
{
	(void)ctx;
	(void)t;
	(void)n; /* refused Output comes back with the client's resends */
}

static void worker_port_on_closed(void *ctx, struct worker_tcp *t, bool error, const char *why)
{
	struct worker *w = ctx;
	struct worker_port *p = worker_port_of(w);

	worker_tcp_close(t, false);
	p->conn = NULL;
	if (p->mode == PORT_MODE_BASIC) {
		agent_log(AGENT_LOG_INFO, "session %s: the destination closed the connection (%s); "
			  "dialing again on the client's next data", w->start->session_id, why);
		return;
	}
	if (error) {
		worker_session_stop(w, WORKER_EXIT_DESTINATION, "the connection to the "
				    "destination failed: %s", why);
		return;
	}
	agent_log(AGENT_LOG_INFO, "session %s: the destination closed the connection: the "
		  "session ends", w->start->session_id);
	worker_session_finish(w);
}

static int worker_port_dial(struct worker *w)
{
	static const struct worker_tcp_ops ops = {
		.on_connected = worker_port_on_connected,
		.on_failed = worker_port_on_failed,
		.on_data = worker_port_on_data,
		.on_written = worker_port_on_written,
		.on_closed = worker_port_on_closed,
	};

	w->port.conn = worker_tcp_dial(w->lws, lws_get_vhost(w->ws), &w->port.dest,
				       WORKER_PORT_CONN_CAP, &ops, w);
	return w->port.conn ? 0 : -1;
}

static enum rstream_delivery worker_port_output(struct worker *w, const struct frame *f)
{
	struct worker_port *p = worker_port_of(w);

	if (!p->conn) {
		if (worker_port_dial(w) != 0)
			worker_session_stop(w, WORKER_EXIT_FAILED, "cannot dial: out of memory");
		return RSTREAM_NOT_READY; /* taken once connected */
	}
	if (!worker_tcp_connected(p->conn) || worker_tcp_queued(p->conn) > WORKER_PORT_CONN_QUEUE)
		return RSTREAM_NOT_READY;
	return worker_tcp_write(p->conn, f->payload, f->payload_len) == 0 ? RSTREAM_DELIVERED
									  : RSTREAM_NOT_READY;
}

static enum rstream_delivery worker_port_flag(struct worker *w, const struct frame *f)
{
	struct worker_port *p = worker_port_of(w);
	enum payload_flag flag;

	if (payload_flag_decode(f->payload, f->payload_len, &flag) != PROTO_OK)
		return RSTREAM_DELIVERED; /* not a flag we know: ignored */
	switch (flag) {
	case PAYLOAD_FLAG_TERMINATE_SESSION:
		worker_session_stop(w, WORKER_EXIT_OK, "the client ended the session");
		break;
	case PAYLOAD_FLAG_DISCONNECT_TO_PORT:
		if (p->mode == PORT_MODE_MUX || !p->conn)
			break; /* multiplexed: streams end with FIN instead */
		agent_log(AGENT_LOG_INFO, "session %s: the client's connection ended; closing the "
			  "one to %s", w->start->session_id, worker_tcp_peer(p->conn));
		worker_tcp_close(p->conn, true);
		p->conn = NULL;
		break;
	default:
		break;
	}
	return RSTREAM_DELIVERED;
}

/* ---- the kind ------------------------------------------------------------------------------ */

static int worker_port_prepare(struct worker *w, char *err, size_t errlen)
{
	struct worker_port *p = worker_port_of(w);

	if (port_props_parse(w->start->properties_json, &p->props, err, errlen) != 0)
		return WORKER_EXIT_PROPERTIES;
	if (port_dest_resolve(p->props.host, p->props.port, &p->dest, err, errlen) != 0)
		return WORKER_EXIT_DESTINATION;
	return WORKER_EXIT_OK;
}

static int worker_port_start(struct worker *w, char *err, size_t errlen)
{
	struct worker_port *p = worker_port_of(w);

	p->mode = port_props_mode(&p->props, w->hs.client_version);
	p->msg_max = w->hs.large_messages ? PAYLOAD_LARGE_MESSAGE_MAX : WORKER_PORT_MSG_OFFICIAL;
	if (w->hs.large_messages)
		rstream_set_send_window(w->rs, PAYLOAD_LARGE_WINDOW);
	agent_log(AGENT_LOG_INFO, "session %s: %s port session to port %u of %s (%zu bytes per "
		  "message%s)", w->start->session_id, port_mode_name(p->mode),
		  (unsigned)p->props.port, p->props.host, p->msg_max,
		  p->mode == PORT_MODE_MUX && w->hs.smux_v2 ? ", smux v2" : "");
	if (p->mode == PORT_MODE_MUX) {
		p->mux = worker_mux_new(w, w->hs.smux_v2,
					port_props_keepalive(w->hs.client_version));
		if (p->mux)
			return WORKER_EXIT_OK;
	} else if (worker_port_dial(w) == 0) {
		return WORKER_EXIT_OK;
	}
	snprintf(err, errlen, "cannot start the port session: out of memory");
	return WORKER_EXIT_FAILED;
}

static enum rstream_delivery worker_port_deliver(struct worker *w, const struct frame *f)
{
	struct worker_port *p = worker_port_of(w);

	if (f->payload_type == PAYLOAD_FLAG)
		return worker_port_flag(w, f);
	if (p->mode == PORT_MODE_MUX)
		return worker_mux_deliver(p->mux, f);
	if (f->payload_type == PAYLOAD_OUTPUT)
		return worker_port_output(w, f);
	return RSTREAM_DELIVERED; /* Size and the like mean nothing here */
}

static void worker_port_flow(struct worker *w)
{
	struct worker_port *p = worker_port_of(w);

	if (p->mux)
		worker_mux_flow(p->mux);
	else if (p->conn)
		worker_tcp_read(p->conn, worker_port_may_send(w, p->msg_max) ? p->msg_max : 0);
}

static void worker_port_tick(struct worker *w)
{
	if (w->port.mux && w->phase == WORKER_RUNNING)
		worker_mux_tick(w->port.mux, worker_now_ms());
}

static void worker_port_stop(struct worker *w)
{
	struct worker_port *p = worker_port_of(w);

	if (p->mux)
		worker_mux_stop(p->mux);
	worker_tcp_close(p->conn, false);
	p->conn = NULL;
}

static void worker_port_free(struct worker *w)
{
	struct worker_port *p = worker_port_of(w);

	worker_port_stop(w);
	worker_mux_free(p->mux);
	p->mux = NULL;
}

const struct worker_kind worker_kind_port = {
	.session_type = "Port",
	.prepare = worker_port_prepare,
	.start = worker_port_start,
	.deliver = worker_port_deliver,
	.flow = worker_port_flow,
	.tick = worker_port_tick,
	.stop = worker_port_stop,
	.free = worker_port_free,
};
