/*
 * control_link.h — the agent's side of one control-channel conversation
 * (proto/control.proto), without any I/O: the transport (control_client.c)
 * feeds it whole received messages and the clock, sends what it queues, and
 * closes the connection when it says so.
 *
 *   open     queue AgentHello; wait up to CONTROL_LINK_HELLO_TIMEOUT_MS for
 *            HelloAck
 *   HelloAck ready: queue a Heartbeat every heartbeat_interval_ms
 *   any      message from the broker is a sign of life; three intervals of
 *            silence mean the connection is dead. The broker need not send
 *            heartbeats itself: with each heartbeat the link asks the
 *            transport to probe the connection (a websocket ping), and the
 *            transport reports the answer (the pong) with control_link_alive
 *   StartSession / TerminateSession: handed to the session hooks (the
 *            transport's session table); without hooks, answered with
 *            Error{CODE_REFUSED}
 *   Error    logged
 *   a message that does not parse is answered with Error (CODE_MALFORMED or
 *            CODE_UNSUPPORTED_VERSION) and otherwise ignored
 *
 * The outgoing queue is bounded (CONTROL_LINK_QUEUE_MAX messages); a broker
 * that stops reading while it keeps asking is disconnected.
 */
#ifndef POSTERN_CONTROL_LINK_H
#define POSTERN_CONTROL_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control.h"
#include "host_info.h"

#define CONTROL_LINK_QUEUE_MAX 64
#define CONTROL_LINK_HELLO_TIMEOUT_MS 30000u
#define CONTROL_LINK_MISSED_BEATS 3u
#define CONTROL_LINK_INTERVAL_DEFAULT_MS 20000u /* if HelloAck names none */
#define CONTROL_LINK_INTERVAL_MIN_MS 100u
#define CONTROL_LINK_INTERVAL_MAX_MS 3600000u

enum control_link_status {
	CONTROL_LINK_OK = 0,
	CONTROL_LINK_CLOSE = 1, /* close the connection; control_link_reason() says why */
};

enum control_link_state {
	CONTROL_LINK_IDLE,       /* no connection */
	CONTROL_LINK_HELLO_SENT, /* waiting for HelloAck */
	CONTROL_LINK_READY,      /* heartbeating */
};

/* Now, twice: monotonic for deadlines, wall clock for timestamps on the wire. */
struct control_link_time {
	uint64_t mono_ms;
	uint64_t wall_ms;
};

struct control_link_msg {
	uint8_t *data; /* one packed Envelope (malloc'd, owned by the queue) */
	size_t len;
};

/* What the link does with the broker's session requests (no I/O here). */
struct control_link_sessions {
	void (*start)(void *ctx, const Postern__Control__StartSession *start);
	void (*stop)(void *ctx, const char *session_id);
	void *ctx;
};

struct control_link {
	const char *instance_id;      /* the caller's; outlives the link */
	struct control_link_sessions sessions; /* NULL start: refuse sessions */
	const struct host_info *host; /* the caller's; read at each open */
	enum control_link_state state;
	uint64_t next_message_id;     /* across connections */
	uint64_t opened_ms, last_rx_ms, next_beat_ms; /* monotonic */
	uint32_t interval_ms;
	bool probe_wanted;            /* a heartbeat went out: probe the connection too */
	int64_t clock_offset_ms;      /* broker's clock minus ours, from HelloAck */
	struct control_link_msg queue[CONTROL_LINK_QUEUE_MAX];
	size_t queue_head, queue_count;
	char reason[256];
};

void control_link_init(struct control_link *l, const char *instance_id,
		       const struct host_info *host);

/* Route StartSession / TerminateSession to these hooks. */
void control_link_set_sessions(struct control_link *l, const struct control_link_sessions *h);

/*
 * Queue a SessionState for the broker (state: a SessionState.State value).
 * Dropped (OK) when not connected: the broker ends sessions whose agent left.
 */
int control_link_session_state(struct control_link *l, const char *session_id, int state,
			       bool has_exit_code, int exit_code, const char *detail);

/* A connection opened: queue AgentHello. OK, or CLOSE (cannot build it). */
int control_link_open(struct control_link *l, const struct control_link_time *now);

/* One whole websocket message from the broker. */
int control_link_receive(struct control_link *l, const uint8_t *buf, size_t len,
			 const struct control_link_time *now);

/* Time passed: queue a heartbeat if one is due; CLOSE if the broker has
 * been silent too long (or never answered the hello). */
int control_link_tick(struct control_link *l, const struct control_link_time *now);

/* A sign of life from the broker below the protocol (a websocket pong). */
void control_link_alive(struct control_link *l, const struct control_link_time *now);

/* True once after each heartbeat: the transport should probe the connection
 * (send a websocket ping) so that a broker which sends no heartbeats of its
 * own still gives signs of life. */
bool control_link_take_probe(struct control_link *l);

/* When control_link_tick() next has something to do (monotonic ms);
 * UINT64_MAX when idle. */
uint64_t control_link_deadline(const struct control_link *l);

/* Oldest queued message, or NULL; pop it once it is written. */
const struct control_link_msg *control_link_peek(const struct control_link *l);
void control_link_pop(struct control_link *l);

/* The connection is gone: drop the queue and return to idle. */
void control_link_close(struct control_link *l);

/* Why the last CLOSE was returned. */
const char *control_link_reason(const struct control_link *l);

#endif
