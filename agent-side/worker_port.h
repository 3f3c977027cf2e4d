/*
 * worker_port.h — the Port kind's state, shared by its two files (not for
 * use elsewhere):
 *
 *   worker_port.c  the kind (worker_kind.h): properties, destination, mode;
 *                  the single-connection modes (basic and stdio)
 *   worker_mux.c   the multiplexed mode: an smux server, one destination
 *                  connection per stream
 *
 * The bounds are worker.h's WORKER_PORT_*.
 */
#ifndef POSTERN_WORKER_PORT_H
#define POSTERN_WORKER_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "port_dest.h"
#include "port_props.h"
#include "rstream.h"
#include "worker_tcp.h"

struct worker;
struct worker_mux;

/* What a destination connection may hold queued, at most (worker.h). */
#define WORKER_PORT_CONN_CAP (WORKER_PORT_CONN_QUEUE + WORKER_MAX_FRAME)

struct worker_port {
	struct port_props props;
	struct port_dest dest;
	enum port_mode mode;
	size_t msg_max;             /* bytes per message to the client */
	/* basic and stdio */
	struct worker_tcp *conn;    /* NULL: dial again on the next Output */
	/* multiplexed */
	struct worker_mux *mux;
};

/* worker_port.c: whether len bytes may be sent to the client now (the kind
 * runs, publication is not paused, the reliable stream has room for them,
 * the websocket queue is at most half full). */
bool worker_port_may_send(const struct worker *w, size_t len);

/* worker_mux.c */
struct worker_mux *worker_mux_new(struct worker *w, bool smux_v2, bool keepalive);
enum rstream_delivery worker_mux_deliver(struct worker_mux *m, const struct frame *f);
void worker_mux_flow(struct worker_mux *m);
void worker_mux_tick(struct worker_mux *m, uint64_t now_ms);
/* Close every connection at once (the session is over). */
void worker_mux_stop(struct worker_mux *m);
void worker_mux_free(struct worker_mux *m);

#endif
