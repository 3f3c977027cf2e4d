/*
 * forward_mode.h — how a Port session runs on the client, decided from the
 * handshake (session-flow.md §4.1, the stock plugin's rules) plus one rule of
 * postern's own for ProxyCommand use. Pure.
 *
 *   type property          AgentVersion          mode
 *   LocalPortForwarding    > 3.0.196.0           FORWARD_MODE_MUX (smux, many connections)
 *   LocalPortForwarding    otherwise             FORWARD_MODE_BASIC (one at a time)
 *   anything else, absent  any                   FORWARD_MODE_STDIO (stdin/stdout)
 *
 * postern's rule for ProxyCommand use: a LocalPortForwarding session relays
 * stdin and stdout instead of listening when both are pipes or sockets (as
 * under ssh's ProxyCommand) and the StartSession request named neither
 * localPortNumber nor localUnixSocket. Naming a local port
 * (localPortNumber=0 for any free one) always gets a listener; so does a
 * terminal, /dev/null or a file on stdin or stdout. The wire stays what the
 * agent expects (it chooses the same way from the type and ClientVersion):
 *
 *   LocalPortForwarding    > 3.0.196.0           FORWARD_MODE_MUX_STDIO (one smux
 *                                                stream for stdin/stdout)
 *   LocalPortForwarding    otherwise             FORWARD_MODE_STDIO
 *
 * Versions compare as the stock plugin compares them: split on '.', the same
 * number of components on both sides, each a decimal integer, compared left
 * to right; "greater" is strict and any parse problem means "not greater".
 */
#ifndef POSTERN_FORWARD_MODE_H
#define POSTERN_FORWARD_MODE_H

#include <stdbool.h>

#include "forward_props.h"

/* Above this AgentVersion a LocalPortForwarding session is multiplexed. */
#define FORWARD_MODE_MUX_AFTER "3.0.196.0"
/* Up to this AgentVersion the agent closes a silent smux session after 30 s:
 * the client sends keepalive NOPs (smux.md §5). */
#define FORWARD_MODE_KEEPALIVE_UNTIL "3.1.1511.0"
/* Above this AgentVersion the TerminateSession flag ends a basic session;
 * older agents need the TerminateSession API. */
#define FORWARD_MODE_FLAG_AFTER "2.3.722.0"

enum forward_mode {
	FORWARD_MODE_STDIO = 0,
	FORWARD_MODE_BASIC,
	FORWARD_MODE_MUX,
	FORWARD_MODE_MUX_STDIO,
};

/* "stdio", "basic", "multiplexed", "multiplexed stdio". */
const char *forward_mode_name(enum forward_mode mode);

/* Whether the mode speaks smux; whether it relays stdin/stdout (else it
 * listens). */
bool forward_mode_multiplexed(enum forward_mode mode);
bool forward_mode_stdio(enum forward_mode mode);

/* Whether version a is strictly greater than b (rules above). */
bool forward_version_greater(const char *a, const char *b);

/* postern's ProxyCommand rule (above): whether the standard streams ask for
 * stdio mode. */
bool forward_mode_stdio_wanted(bool stdin_pipe, bool stdout_pipe, bool local_port_named);

enum forward_mode forward_mode_choose(const struct forward_props *p, const char *agent_version,
				      bool stdio_wanted);

/* Send smux NOP keepalives (multiplexed mode) to this agent. */
bool forward_mode_keepalive(const char *agent_version);

/* End the session with the TerminateSession flag (else: the API): always in
 * the multiplexed modes, in the others for agents above FORWARD_MODE_FLAG_AFTER. */
bool forward_mode_terminate_by_flag(enum forward_mode mode, const char *agent_version);

#endif
