/*
 * port_dest.c — resolving a Port session's destination and refusing the
 * addresses no session may reach (see port_dest.h).
 */
#include "port_dest.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static const char *const port_dest_denied_text[] = {
	"169.254.169.254", "fd00:ec2::254", /* instance metadata */
	"169.254.169.253", "fd00:ec2::253", /* DNS resolver */
	"169.254.169.123", "fd00:ec2::123", /* time sync */
	"169.254.169.250", "169.254.169.251", "fd00:ec2::250",
};

/* sa's address as IPv6 bytes (IPv4 as IPv4-mapped); false for other families. */
static bool port_dest_bytes(const struct sockaddr *sa, uint8_t out[16])
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	if (sa->sa_family == AF_INET) {
		memcpy(out, mapped, sizeof(mapped));
		memcpy(out + 12, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(out, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
		return true;
	}
	return false;
}

bool port_dest_denied(const struct sockaddr *sa)
{
	uint8_t addr[16], deny[16];

	if (!port_dest_bytes(sa, addr))
		return false;
	for (size_t i = 0; i < sizeof(port_dest_denied_text) / sizeof(port_dest_denied_text[0]);
	     i++) {
		const char *t = port_dest_denied_text[i];

		if (strchr(t, ':')) {
			if (inet_pton(AF_INET6, t, deny) != 1)
				continue;
		} else {
			memset(deny, 0, 10);
			deny[10] = deny[11] = 0xff;
			if (inet_pton(AF_INET, t, deny + 12) != 1)
				continue;
		}
		if (memcmp(addr, deny, sizeof(addr)) == 0)
			return true;
	}
	return false;
}

void port_dest_format(const struct sockaddr *sa, char *buf, size_t len)
{
	char text[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;

		inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
		snprintf(buf, len, "%s:%u", text, (unsigned)ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
		snprintf(buf, len, "[%s]:%u", text, (unsigned)ntohs(in6->sin6_port));
	} else {
		snprintf(buf, len, "?");
	}
}

static bool port_dest_seen(const struct port_dest *d, const struct addrinfo *ai)
{
	for (size_t i = 0; i < d->n; i++)
		if (d->addr[i].len == ai->ai_addrlen &&
		    memcmp(&d->addr[i].sa, ai->ai_addr, ai->ai_addrlen) == 0)
			return true;
	return false;
}

int port_dest_resolve(const char *host, uint16_t port, struct port_dest *out, char *err,
		      size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	char service[8], text[PORT_DEST_TEXT_MAX];
	int rc;

	memset(out, 0, sizeof(*out));
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(service, sizeof(service), "%u", (unsigned)port);
	rc = getaddrinfo(host, service, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "cannot resolve host '%s': %s", host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		if (port_dest_denied(ai->ai_addr)) {
			port_dest_format(ai->ai_addr, text, sizeof(text));
			snprintf(err, errlen, "host '%s' resolves to %s, which port sessions may not "
				 "reach", host, text);
			freeaddrinfo(res);
			return -1;
		}
		if (out->n < PORT_DEST_ADDRS_MAX && ai->ai_addrlen <= sizeof(out->addr[0].sa) &&
		    !port_dest_seen(out, ai)) {
			memcpy(&out->addr[out->n].sa, ai->ai_addr, ai->ai_addrlen);
			out->addr[out->n].len = (socklen_t)ai->ai_addrlen;
			out->n++;
		}
	}
	freeaddrinfo(res);
	if (out->n == 0) {
		snprintf(err, errlen, "host '%s' has no IPv4 or IPv6 address", host);
		return -1;
	}
	return 0;
}
