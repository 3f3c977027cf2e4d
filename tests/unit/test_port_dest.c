/*
 * test_port_dest.c — agent-side/port_dest.c: resolving a Port session's
 * destination and refusing the cloud's link-local service addresses.
 *
 * Covers: every denied address, IPv4 and IPv6, and IPv4 ones written as
 * IPv4-mapped IPv6, refused whatever the port; their neighbours and ordinary
 * addresses allowed; literal denied hosts refused by port_dest_resolve with a
 * sentence naming the address; loopback literals and "localhost" resolved
 * with the port set; a name that cannot resolve refused; the log format.
 * (Only literals and localhost: the tests never need a DNS server.)
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "../../agent-side/port_dest.h"

TestSuite(port_dest);

static struct sockaddr_storage addr(const char *text, uint16_t port)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(text, ':')) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		cr_assert_eq(inet_pton(AF_INET6, text, &in6->sin6_addr), 1, "%s", text);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		cr_assert_eq(inet_pton(AF_INET, text, &in->sin_addr), 1, "%s", text);
	}
	return ss;
}

static bool denied(const char *text)
{
	struct sockaddr_storage ss = addr(text, 80);

	return port_dest_denied((struct sockaddr *)&ss);
}

Test(port_dest, denied_addresses)
{
	static const char *const no[] = {
		"169.254.169.254", "169.254.169.123", "169.254.169.253", "169.254.169.250",
		"169.254.169.251", "fd00:ec2::254", "fd00:ec2::123", "fd00:ec2::253",
		"fd00:ec2::250", "::ffff:169.254.169.254", "::ffff:169.254.169.123",
		"FD00:EC2:0:0:0:0:0:254",
	};
	static const char *const yes[] = {
		"127.0.0.1", "10.0.0.1", "169.254.169.252", "169.254.169.255", "169.254.170.254",
		"::1", "fd00:ec2::255", "fd00:ec3::254", "::ffff:127.0.0.1", "::169.254.169.254",
	};

	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		cr_assert(denied(no[i]), "%s allowed", no[i]);
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		cr_assert_not(denied(yes[i]), "%s denied", yes[i]);
}

Test(port_dest, resolve_refuses_denied_literals)
{
	static const char *const hosts[] = {"169.254.169.254", "fd00:ec2::123",
					    "::ffff:169.254.169.254", "169.254.169.123"};

	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		struct port_dest d;
		char err[256] = "";

		cr_assert_eq(port_dest_resolve(hosts[i], 80, &d, err, sizeof(err)), -1, "%s",
			     hosts[i]);
		cr_assert(strstr(err, "may not reach") != NULL, "%s: %s", hosts[i], err);
		cr_assert_eq(d.n, 0);
	}
}

Test(port_dest, resolve_loopback)
{
	struct port_dest d;
	char err[256] = "", text[PORT_DEST_TEXT_MAX];

	cr_assert_eq(port_dest_resolve("127.0.0.1", 8022, &d, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(d.n, 1);
	port_dest_format((struct sockaddr *)&d.addr[0].sa, text, sizeof(text));
	cr_assert_str_eq(text, "127.0.0.1:8022");

	cr_assert_eq(port_dest_resolve("::1", 65535, &d, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(d.n, 1);
	port_dest_format((struct sockaddr *)&d.addr[0].sa, text, sizeof(text));
	cr_assert_str_eq(text, "[::1]:65535");

	cr_assert_eq(port_dest_resolve("localhost", 22, &d, err, sizeof(err)), 0, "%s", err);
	cr_assert(d.n >= 1 && d.n <= PORT_DEST_ADDRS_MAX);
	for (size_t i = 0; i < d.n; i++) {
		port_dest_format((struct sockaddr *)&d.addr[i].sa, text, sizeof(text));
		cr_assert(strcmp(text, "127.0.0.1:22") == 0 || strcmp(text, "[::1]:22") == 0, "%s",
			  text);
		for (size_t j = 0; j < i; j++)
			cr_assert_neq(memcmp(&d.addr[i].sa, &d.addr[j].sa, d.addr[i].len), 0,
				      "duplicate %s", text);
	}
}

Test(port_dest, unresolvable_name)
{
	struct port_dest d;
	char err[256] = "";

	cr_assert_eq(port_dest_resolve("no-such-host.invalid", 22, &d, err, sizeof(err)), -1);
	cr_assert(strstr(err, "cannot resolve host 'no-such-host.invalid'") != NULL, "%s", err);
}
