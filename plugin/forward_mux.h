/*
 * forward_mux.h — multiplexed mode of a port session (session-flow.md §4.3,
 * smux.md): every local connection is one smux stream (ids 3, 5, 7, …) inside
 * the session's Output messages; the agent dials the destination for each.
 *
 *   accept     SYN; "Connection accepted for session [S]" on stdout the
 *              first time; beyond FORWARD_MUX_MAX_CONNS open connections a new
 *              one is closed at once (with a warning)
 *   local data PSH, read only while the data channel has room for a whole
 *              message and smux_write_room() allows (a stash of one read per
 *              connection, forward_conn.h)
 *   agent PSH  queued toward the connection
 *   FIN        from the agent: the connection is closed once its queue is
 *              written; a local EOF or error: what was read goes out, then FIN
 *   ConnectToPortError  a warning on stderr; the FIN that follows closes the
 *              connection it was about; other connections go on
 *   keepalive  NOP every FORWARD_MUX_KEEPALIVE_MS, only to agents up to
 *              FORWARD_MODE_KEEPALIVE_UNTIL (smux.md §5); silence never ends the
 *              session
 *
 * Sending: smux output (frames of all streams) is gathered in smux's FIFO
 * (SMUX_DEFAULT_TX_CAP) and moved into as few Output messages as possible
 * (msg_max bytes each) from a zero-delay timer, so reads of one loop turn
 * share messages.
 *
 * FORWARD_MODE_MUX_STDIO (ProxyCommand use, forward_mode.h): no listener; one
 * stream opened at start carries stdin (read only while smux and the window
 * take a whole read) and stdout (forward_stdio.h's queue; reading the data
 * channel pauses while stdout is behind). The agent's FIN ends the session
 * once stdout has it all; stdin's end sends FIN and ends the session once the
 * agent has acknowledged everything (session_port.h).
 *
 * Memory and flow control:
 *   v1  no per-stream window: while any connection has more than
 *       FORWARD_CONN_QUEUE_MAX bytes queued (stdout: STDIO_RELAY_HIGH_MARK), or
 *       all of them together more than FORWARD_MUX_V1_BUDGET, the data channel
 *       is not read (session_port_hold) — every stream stalls, as with
 *       official peers, and the broker holds back the agent. Bound: the
 *       budget plus what lws had read (one message).
 *   v2  smux_consumed() is called only as bytes are handed to the local
 *       socket, so the agent never has more than SMUX_V2_WINDOW unconsumed
 *       bytes of one stream in flight and one stalled reader holds up no
 *       other connection (the per-connection stall rule stays as a safety
 *       net against an agent that ignores its window). Worst case:
 *       FORWARD_MUX_MAX_CONNS × (FORWARD_CONN_QUEUE_MAX + one message + a read).
 */
#ifndef POSTERN_FORWARD_MUX_H
#define POSTERN_FORWARD_MUX_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FORWARD_MUX_MAX_CONNS 256u
#define FORWARD_MUX_V1_BUDGET (4u * 1024u * 1024u) /* queued toward all connections, v1 */
#define FORWARD_MUX_KEEPALIVE_MS 10000u

struct smux;
struct forward_conn;

struct forward_mux {
	struct smux *smux;
	struct forward_conn *conns[FORWARD_MUX_MAX_CONNS]; /* open ones; NULL slots free */
	size_t n_conns;
	size_t rr;                /* where the next feeding round starts */
	bool accepted_once;       /* the "Connection accepted" line is out */
	bool keepalive;           /* send NOPs (old agents) */
	bool refused;             /* the warning for FORWARD_MUX_MAX_CONNS is out */
	uint32_t stdio_id;        /* FORWARD_MODE_MUX_STDIO: the stream of stdin/stdout */
	bool stdin_ended;         /* its FIN is queued: end once it is out */
	lws_sorted_usec_list_t pump, keepalive_timer;
	uint8_t *msg;             /* one message being assembled (msg_max bytes) */
};

#endif
