/*
 * port_dest.h — where a Port session's connections go: its host resolved
 * once, when the session is prepared, to the addresses every dial of the
 * session tries in order (session-flow.md §4.2: "each resolved address of
 * host in turn").
 *
 * Some addresses are never a destination, as with the official agent's
 * default DeniedPortForwardingRemoteIPs: the cloud's instance metadata
 * (169.254.169.254, fd00:ec2::254), its DNS resolver (169.254.169.253,
 * fd00:ec2::253), time sync (169.254.169.123, fd00:ec2::123) and other
 * link-local services (169.254.169.250, 169.254.169.251, fd00:ec2::250),
 * also when written as IPv4-mapped IPv6 addresses. A name resolving to any of
 * them is refused as a whole.
 *
 * Resolving blocks (getaddrinfo): call it before the event loop runs.
 */
#ifndef POSTERN_PORT_DEST_H
#define POSTERN_PORT_DEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define PORT_DEST_ADDRS_MAX 16u  /* addresses kept per destination, the first ones */
#define PORT_DEST_TEXT_MAX 64u   /* "[ffff:...:ffff]:65535" and the like */

struct port_dest_addr {
	struct sockaddr_storage sa; /* port set */
	socklen_t len;
};

struct port_dest {
	size_t n;
	struct port_dest_addr addr[PORT_DEST_ADDRS_MAX];
};

/*
 * Resolve host (a name, or an IPv4 or IPv6 address) for TCP to port. 0 with
 * *out holding 1..PORT_DEST_ADDRS_MAX addresses (duplicates dropped), or -1
 * with a sentence in err: the name does not resolve, or it resolves to a
 * denied address.
 */
int port_dest_resolve(const char *host, uint16_t port, struct port_dest *out, char *err,
		      size_t errlen);

/* Whether sa is one of the denied addresses above (any port). */
bool port_dest_denied(const struct sockaddr *sa);

/* "127.0.0.1:22", "[::1]:22" (for logs); "?" for other families. */
void port_dest_format(const struct sockaddr *sa, char *buf, size_t len);

#endif
