/*
 * forward_props.h — the Properties of a Port session (the session document's
 * `properties` after substitution, echoed by the agent in its handshake:
 * session-flow.md §4.1, cli-and-api.md §6.1) and where the client listens.
 * Pure: JSON text in, a struct out.
 *
 * Keys read (all others ignored): portNumber, type, localPortNumber,
 * localUnixSocket, localConnectionType. Each value must be a string (an
 * integer is taken as its decimal text); JSON null or a missing key reads as
 * "". Properties that are JSON null or absent altogether read as all "".
 *
 * Listen address (forward_props_listen):
 *   localConnectionType "unix"   the Unix socket localUnixSocket (required,
 *                                at most FORWARD_PROPS_PATH_MAX bytes)
 *   anything else                TCP on 127.0.0.1:localPortNumber, where ""
 *                                and "0" mean a free port chosen by the
 *                                system, else a decimal 1–65535 (digits only)
 */
#ifndef POSTERN_FORWARD_PROPS_H
#define POSTERN_FORWARD_PROPS_H

#include <stddef.h>
#include <stdint.h>

#define FORWARD_PROPS_TEXT_MAX 255 /* longest value of any key read */
#define FORWARD_PROPS_PATH_MAX 107 /* sun_path holds 108 bytes with the NUL */
#define FORWARD_PROPS_LOCAL_FORWARDING "LocalPortForwarding"

struct forward_props {
	char port_number[FORWARD_PROPS_TEXT_MAX + 1]; /* the destination's port (the agent's) */
	char type[FORWARD_PROPS_TEXT_MAX + 1];        /* "LocalPortForwarding", or "" */
	char local_port_number[FORWARD_PROPS_TEXT_MAX + 1];
	char local_unix_socket[FORWARD_PROPS_TEXT_MAX + 1];
	char local_connection_type[FORWARD_PROPS_TEXT_MAX + 1];
};

enum forward_listen_kind {
	FORWARD_LISTEN_TCP = 0,
	FORWARD_LISTEN_UNIX,
};

struct forward_listen {
	enum forward_listen_kind kind;
	uint16_t port;                         /* TCP: 0 = any free port */
	char path[FORWARD_PROPS_PATH_MAX + 1]; /* UNIX */
};

/* Parse Properties JSON text (NULL: none). CLIENT_OK, or CLIENT_E_PROTOCOL
 * (not an object, a value of another type, a value over
 * FORWARD_PROPS_TEXT_MAX) with err saying which. */
int forward_props_parse(const char *json, struct forward_props *out, char *err, size_t errlen);

/* Where to listen (rules above). CLIENT_OK, or CLIENT_E_PROTOCOL with err
 * naming the bad value. */
int forward_props_listen(const struct forward_props *p, struct forward_listen *out, char *err,
			 size_t errlen);

#endif
