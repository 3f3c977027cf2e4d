/*
 * forward_basic.h — basic mode of a port session (session-flow.md §4.2): one
 * local connection at a time, its bytes as raw Output messages both ways.
 *
 *   - The listener accepts one connection ("Connection accepted for session
 *     S." on stdout), then pauses; others wait in its backlog.
 *   - The connection is read only while the send window has room for a whole
 *     message; agent Output is queued toward it, and above
 *     FORWARD_CONN_QUEUE_MAX the data channel is not read until the application
 *     has taken some (session_port_hold).
 *   - Before a connection is accepted, and between two, agent Output is left
 *     unacknowledged (RSTREAM_NOT_READY), as the stock plugin does.
 *   - When the connection ends (after what it sent has gone out), the
 *     DisconnectToPort flag tells the agent to close its side; then the next
 *     connection is accepted.
 */
#ifndef POSTERN_FORWARD_BASIC_H
#define POSTERN_FORWARD_BASIC_H

#include <stdbool.h>

struct forward_conn;

struct forward_basic {
	struct forward_conn *conn; /* the connection, NULL between two */
	bool disconnect_pending;   /* its DisconnectToPort is still to be sent */
};

#endif
