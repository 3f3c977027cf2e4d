/*
 * host_info.h — what the agent tells the broker about its host in AgentHello:
 * the OS (from os-release), the machine architecture and host name (uname),
 * the host's non-loopback addresses, and whether the agent runs as root.
 * Reads the system; knows nothing of the control channel.
 */
#ifndef POSTERN_HOST_INFO_H
#define POSTERN_HOST_INFO_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define HOST_INFO_MAX_ADDRS 16
#define HOST_INFO_ADDR_LEN INET6_ADDRSTRLEN
#define HOST_INFO_OS_RELEASE_MAX 65536

struct host_info {
	char platform_name[128];   /* os-release NAME, e.g. "Debian GNU/Linux" ("Linux") */
	char platform_version[64]; /* os-release VERSION_ID, e.g. "12" ("" if none) */
	char architecture[64];     /* uname -m, e.g. "x86_64" */
	char hostname[256];        /* gethostname() */
	char addrs[HOST_INFO_MAX_ADDRS][HOST_INFO_ADDR_LEN]; /* IPv4 first, then IPv6 */
	size_t n_addrs;
	bool runs_as_root;         /* effective uid 0 */
	char user[64];             /* effective user's name (or its uid as text) */
};

/*
 * Parse os-release text (os-release(5): KEY=VALUE lines, values optionally
 * in single or double quotes, backslash escapes inside double quotes, '#'
 * comments) for NAME and VERSION_ID. Missing keys give the defaults the
 * specification names: NAME "Linux", VERSION_ID "". Values that do not fit
 * are cut. Pure: no I/O.
 */
void host_info_parse_os_release(const char *text, size_t len, char *name, size_t name_len,
				char *version, size_t version_len);

/* Whether an interface address belongs in AgentHello.ip_addresses: IPv4 or
 * IPv6, interface up and not loopback, address not loopback or unspecified. */
bool host_info_address_wanted(const struct sockaddr *sa, unsigned int if_flags);

/*
 * Fill h from this host: /etc/os-release (or /usr/lib/os-release), uname,
 * gethostname, getifaddrs, geteuid. Never fails: what cannot be read is left
 * at its default ("" or "Linux"), and the address list may be empty.
 */
void host_info_collect(struct host_info *h);

#endif
