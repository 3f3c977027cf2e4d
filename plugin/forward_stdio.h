/*
 * forward_stdio.h — stdio mode of a port session (session-flow.md §5, the
 * ProxyCommand use): stdin is read in chunks of up to STDIO_RELAY_READ_MAX
 * bytes, each sent as one Output message while the send window has room;
 * Output from the agent is written to stdout exactly (reading the data channel
 * pauses while stdout is behind, stdio_relay.h, session_port_hold). The end of stdin ends the
 * session once the agent has acknowledged every byte (session_port.h); so
 * does a stdout that cannot be written any more. stdin is relayed as is,
 * terminal or not (no raw mode, no escape).
 */
#ifndef POSTERN_FORWARD_STDIO_H
#define POSTERN_FORWARD_STDIO_H

#include <stdbool.h>

#include "stdio_relay.h"

struct forward_stdio {
	struct stdio_relay relay;
	bool started;
	bool input_paused; /* by the send window */
};

#endif
