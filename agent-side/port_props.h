/*
 * port_props.h — what a Port session's properties ask for (cli-and-api.md
 * §6.1; session-flow.md §4.1), and the mode the agent runs it in.
 *
 * Properties are the session document's `properties` after parameter
 * substitution, as StartSession.properties_json carries them. The agent reads
 * three keys (matched as Go's encoding/json does: an exact match, else the
 * last case-insensitive one; other keys — localPortNumber and the like, the
 * client's business — are ignored):
 *
 *   portNumber  required: the destination port, a string of digits (or a
 *               JSON integer) from 1 to 65535
 *   host        the destination, a name or an address; absent, null or ""
 *               means PORT_DEFAULT_HOST
 *   type        PORT_TYPE_LOCAL_FORWARDING for port forwarding to a local
 *               listener; anything else or absent is the stdio (SSH) use
 *
 * Mode (the official agent's decision, which both ends must share):
 * multiplexed iff type is PORT_TYPE_LOCAL_FORWARDING and the ClientVersion is
 * at least PORT_MUX_MIN_CLIENT (version_cmp.h); otherwise one connection,
 * re-dialed when it ends (LocalPortForwarding) or ending the session when it
 * ends (stdio). smux keepalives go only to clients of at most
 * PORT_KEEPALIVE_MAX_CLIENT, which still expect them (smux.md §5).
 *
 * Pure: no I/O. Names are resolved by port_dest.h.
 */
#ifndef POSTERN_PORT_PROPS_H
#define POSTERN_PORT_PROPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PORT_PROPS_JSON_MAX 65536u     /* properties text accepted, at most */
#define PORT_HOST_MAX 253u             /* a DNS name's longest text form */
#define PORT_DEFAULT_HOST "localhost"
#define PORT_TYPE_LOCAL_FORWARDING "LocalPortForwarding"
#define PORT_MUX_MIN_CLIENT "1.1.70"
#define PORT_KEEPALIVE_MAX_CLIENT "1.2.331.0"

enum port_mode {
	PORT_MODE_STDIO, /* one connection, dialed at start; its end ends the session */
	PORT_MODE_BASIC, /* one connection, dialed at start, re-dialed on the next data */
	PORT_MODE_MUX,   /* smux server: one connection per stream the client opens */
};

struct port_props {
	uint16_t port;
	char host[PORT_HOST_MAX + 1]; /* brackets of "[::1]" removed */
	bool local_forwarding;        /* type == PORT_TYPE_LOCAL_FORWARDING */
};

/*
 * Read and check properties_json. 0 with *out filled, or -1 with a sentence
 * in err: not a JSON object, portNumber missing or not a port, host or type
 * not a string, host empty of meaning or with characters no name or address
 * has, or longer than PORT_HOST_MAX.
 */
int port_props_parse(const char *properties_json, struct port_props *out, char *err,
		     size_t errlen);

/* The mode for a client reporting client_version (NULL or "": unknown, which
 * is below every threshold). */
enum port_mode port_props_mode(const struct port_props *p, const char *client_version);

/* Whether a multiplexed session sends smux NOPs to this client. */
bool port_props_keepalive(const char *client_version);

/* "stdio", "basic", "multiplexed". */
const char *port_mode_name(enum port_mode mode);

#endif
