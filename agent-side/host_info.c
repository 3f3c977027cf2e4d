/*
 * host_info.c — facts about the host for AgentHello (see host_info.h).
 */
#include "host_info.h"
#include "agent_file.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

static const char *const os_release_paths[] = {"/etc/os-release", "/usr/lib/os-release"};

/* Copy a value (line text after '=') into out, removing quotes and escapes. */
static void unquote(const char *v, size_t len, char *out, size_t outlen)
{
	size_t o = 0;
	char quote = 0;

	if (outlen == 0)
		return;
	if (len >= 2 && (v[0] == '"' || v[0] == '\'') && v[len - 1] == v[0]) {
		quote = v[0];
		v++;
		len -= 2;
	}
	for (size_t i = 0; i < len && o + 1 < outlen; i++) {
		if (quote == '"' && v[i] == '\\' && i + 1 < len && strchr("\"\\$`", v[i + 1]))
			i++;
		out[o++] = v[i];
	}
	out[o] = '\0';
}

void host_info_parse_os_release(const char *text, size_t len, char *name, size_t name_len,
				char *version, size_t version_len)
{
	size_t pos = 0;

	snprintf(name, name_len, "Linux");
	if (version_len)
		version[0] = '\0';
	while (pos < len) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos), *eq;
		size_t n = nl ? (size_t)(nl - line) : len - pos;

		pos += n + (nl ? 1 : 0);
		while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' ' || line[n - 1] == '\t'))
			n--;
		eq = memchr(line, '=', n);
		if (!eq || line[0] == '#')
			continue;
		if ((size_t)(eq - line) == 4 && strncmp(line, "NAME", 4) == 0)
			unquote(eq + 1, n - 5, name, name_len);
		else if ((size_t)(eq - line) == 10 && strncmp(line, "VERSION_ID", 10) == 0)
			unquote(eq + 1, n - 11, version, version_len);
	}
	if (name_len && name[0] == '\0')
		snprintf(name, name_len, "Linux");
}

bool host_info_address_wanted(const struct sockaddr *sa, unsigned int if_flags)
{
	if (!sa || !(if_flags & IFF_UP) || (if_flags & IFF_LOOPBACK))
		return false;
	if (sa->sa_family == AF_INET) {
		uint32_t a = ntohl(((const struct sockaddr_in *)(const void *)sa)->sin_addr.s_addr);

		return a != 0 && (a >> 24) != 127;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;

		return !IN6_IS_ADDR_LOOPBACK(a) && !IN6_IS_ADDR_UNSPECIFIED(a) &&
		       !IN6_IS_ADDR_V4MAPPED(a);
	}
	return false;
}

static void add_address(struct host_info *h, const struct sockaddr *sa)
{
	const void *bytes = sa->sa_family == AF_INET
				    ? (const void *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr
				    : (const void *)&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
	char text[HOST_INFO_ADDR_LEN];

	if (h->n_addrs >= HOST_INFO_MAX_ADDRS ||
	    !inet_ntop(sa->sa_family, bytes, text, sizeof(text)))
		return;
	for (size_t i = 0; i < h->n_addrs; i++)
		if (strcmp(h->addrs[i], text) == 0)
			return;
	memcpy(h->addrs[h->n_addrs++], text, sizeof(text));
}

static void collect_addresses(struct host_info *h)
{
	static const int families[] = {AF_INET, AF_INET6};
	struct ifaddrs *list, *ifa;

	if (getifaddrs(&list) != 0)
		return;
	for (size_t f = 0; f < sizeof(families) / sizeof(families[0]); f++)
		for (ifa = list; ifa; ifa = ifa->ifa_next)
			if (ifa->ifa_addr && ifa->ifa_addr->sa_family == families[f] &&
			    host_info_address_wanted(ifa->ifa_addr, ifa->ifa_flags))
				add_address(h, ifa->ifa_addr);
	freeifaddrs(list);
}

static void collect_os_release(struct host_info *h)
{
	char err[256], *text = NULL;
	size_t len = 0;

	for (size_t i = 0; i < sizeof(os_release_paths) / sizeof(os_release_paths[0]); i++)
		if (agent_file_read(os_release_paths[i], HOST_INFO_OS_RELEASE_MAX, &text, &len, err,
				    sizeof(err)) == 0)
			break;
	host_info_parse_os_release(text ? text : "", len, h->platform_name,
				   sizeof(h->platform_name), h->platform_version,
				   sizeof(h->platform_version));
	free(text);
}

void host_info_collect(struct host_info *h)
{
	struct utsname u;
	struct passwd *pw;
	uid_t euid = geteuid();

	memset(h, 0, sizeof(*h));
	collect_os_release(h);
	if (uname(&u) == 0)
		snprintf(h->architecture, sizeof(h->architecture), "%.*s",
			 (int)sizeof(h->architecture) - 1, u.machine);
	if (gethostname(h->hostname, sizeof(h->hostname) - 1) != 0)
		h->hostname[0] = '\0';
	collect_addresses(h);
	h->runs_as_root = euid == 0;
	pw = getpwuid(euid);
	if (pw)
		snprintf(h->user, sizeof(h->user), "%s", pw->pw_name);
	else
		snprintf(h->user, sizeof(h->user), "uid %u", (unsigned)euid);
}
