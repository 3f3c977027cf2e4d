/*
 * test_agent_host_info.c — what the agent says about its host
 * (agent-side/host_info.c).
 *
 * Covers: os-release parsing (Debian's file; double and single quotes;
 * backslash escapes; unquoted values; comments, CRLF, look-alike keys;
 * missing NAME or VERSION_ID give "Linux" and ""; values cut to the buffer;
 * empty input); which interface addresses are reported (IPv4 and IPv6,
 * interface up, not loopback, not unspecified or v4-mapped; other families
 * never); host_info_collect on this machine gives consistent facts.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../agent-side/host_info.h"

static void parse(const char *text, char *name, size_t nlen, char *version, size_t vlen)
{
	host_info_parse_os_release(text, strlen(text), name, nlen, version, vlen);
}

Test(agent_os_release, debian)
{
	const char *text = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
			   "NAME=\"Debian GNU/Linux\"\n"
			   "VERSION_ID=\"12\"\n"
			   "VERSION=\"12 (bookworm)\"\n"
			   "VERSION_CODENAME=bookworm\n"
			   "ID=debian\n"
			   "HOME_URL=\"https://www.debian.org/\"\n";
	char name[128], version[64];

	parse(text, name, sizeof(name), version, sizeof(version));
	cr_assert_str_eq(name, "Debian GNU/Linux");
	cr_assert_str_eq(version, "12");
}

Test(agent_os_release, quoting_and_escapes)
{
	char name[128], version[64];

	parse("NAME='Single Quoted'\nVERSION_ID=22.04\n", name, sizeof(name), version,
	      sizeof(version));
	cr_assert_str_eq(name, "Single Quoted");
	cr_assert_str_eq(version, "22.04");

	parse("NAME=\"Say \\\"hi\\\" \\\\ \\$HOME \\`x\\`\"\n", name, sizeof(name), version,
	      sizeof(version));
	cr_assert_str_eq(name, "Say \"hi\" \\ $HOME `x`");
	cr_assert_str_eq(version, "");

	parse("NAME='no \\\"escapes\\\" in single quotes'\n", name, sizeof(name), version,
	      sizeof(version));
	cr_assert_str_eq(name, "no \\\"escapes\\\" in single quotes");

	parse("NAME=\"unbalanced\n", name, sizeof(name), version, sizeof(version));
	cr_assert_str_eq(name, "\"unbalanced");
}

Test(agent_os_release, comments_crlf_and_look_alikes)
{
	char name[128], version[64];
	const char *text = "# NAME=\"Commented\"\r\n"
			   "PRETTY_NAME=\"Not This\"\r\n"
			   "NAMEX=wrong\r\n"
			   "VERSION_IDX=wrong\r\n"
			   "NAME=Alpine Linux   \r\n"
			   "VERSION_ID=3.19.1\r\n";

	parse(text, name, sizeof(name), version, sizeof(version));
	cr_assert_str_eq(name, "Alpine Linux");
	cr_assert_str_eq(version, "3.19.1");
}

Test(agent_os_release, defaults_and_limits)
{
	char name[8], version[4];

	parse("", name, sizeof(name), version, sizeof(version));
	cr_assert_str_eq(name, "Linux");
	cr_assert_str_eq(version, "");
	parse("ID=arch\nNAME=\"\"\n", name, sizeof(name), version, sizeof(version));
	cr_assert_str_eq(name, "Linux", "an empty NAME is the default");
	parse("NAME=\"A very long distribution name\"\nVERSION_ID=12345\n", name, sizeof(name),
	      version, sizeof(version));
	cr_assert_str_eq(name, "A very ");
	cr_assert_str_eq(version, "123");
	/* text without a NUL after it: parsing stops at len */
	host_info_parse_os_release("NAME=Cut here", 8, name, sizeof(name), version,
				   sizeof(version));
	cr_assert_str_eq(name, "Cut");
}

static struct sockaddr_in v4(const char *text)
{
	struct sockaddr_in a = {.sin_family = AF_INET};

	cr_assert_eq(inet_pton(AF_INET, text, &a.sin_addr), 1);
	return a;
}

static struct sockaddr_in6 v6(const char *text)
{
	struct sockaddr_in6 a = {.sin6_family = AF_INET6};

	cr_assert_eq(inet_pton(AF_INET6, text, &a.sin6_addr), 1);
	return a;
}

#define WANTED(sa, flags) host_info_address_wanted((const struct sockaddr *)&(sa), (flags))

Test(agent_host_addresses, which_addresses_are_reported)
{
	struct sockaddr_in a4 = v4("192.168.1.10"), lo4 = v4("127.0.0.1"), lo4b = v4("127.1.2.3"),
			   any4 = v4("0.0.0.0");
	struct sockaddr_in6 a6 = v6("2001:db8::1"), ll6 = v6("fe80::1"), lo6 = v6("::1"),
			    any6 = v6("::"), mapped = v6("::ffff:10.0.0.1");
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	unsigned up = IFF_UP | IFF_RUNNING;

	cr_assert(WANTED(a4, up));
	cr_assert(WANTED(a6, up));
	cr_assert(WANTED(ll6, up), "link-local addresses are the host's too");
	cr_assert_not(WANTED(a4, 0), "interface down");
	cr_assert_not(WANTED(a4, up | IFF_LOOPBACK), "loopback interface");
	cr_assert_not(WANTED(lo4, up));
	cr_assert_not(WANTED(lo4b, up));
	cr_assert_not(WANTED(any4, up));
	cr_assert_not(WANTED(lo6, up));
	cr_assert_not(WANTED(any6, up));
	cr_assert_not(WANTED(mapped, up));
	cr_assert_not(WANTED(un, up));
	cr_assert_not(host_info_address_wanted(NULL, up));
}

Test(agent_host_info, collect_on_this_host)
{
	struct host_info h;
	char hostname[256] = "";

	host_info_collect(&h);
	cr_assert_neq(h.platform_name[0], '\0');
	cr_assert_neq(h.architecture[0], '\0');
	gethostname(hostname, sizeof(hostname) - 1);
	cr_assert_str_eq(h.hostname, hostname);
	cr_assert_eq(h.runs_as_root, geteuid() == 0);
	cr_assert_neq(h.user[0], '\0');
	cr_assert_leq(h.n_addrs, HOST_INFO_MAX_ADDRS);
	for (size_t i = 0; i < h.n_addrs; i++) {
		unsigned char buf[16];

		cr_assert(inet_pton(AF_INET, h.addrs[i], buf) == 1 ||
			  inet_pton(AF_INET6, h.addrs[i], buf) == 1, "'%s'", h.addrs[i]);
		cr_assert_str_neq(h.addrs[i], "127.0.0.1");
		cr_assert_str_neq(h.addrs[i], "::1");
		for (size_t k = 0; k < i; k++)
			cr_assert_str_neq(h.addrs[i], h.addrs[k], "no duplicates");
	}
}
