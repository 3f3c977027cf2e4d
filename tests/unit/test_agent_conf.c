/*
 * test_agent_conf.c — agent.conf's text (agent-side/agent_conf.c) and the
 * broker URL inside it (agent-side/agent_url.c).
 *
 * Covers: a valid file with comments, blank lines, tabs, CRLF and surrounding
 * blanks; every kind of bad line (unknown key, key without value, key given
 * twice, malformed broker URL, malformed instance id, an over-long line, a NUL
 * byte, an over-large file), each reported with its line number; each missing
 * key; format -> parse round trip; instance id syntax; broker URL forms
 * (ports, IPv6, path prefix, trailing slash), the Host header made from
 * them, and refusals.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "../../agent-side/agent_conf.h"
#include "../../agent-side/agent_url.h"

#define GOOD_ID "mi-0123456789abcdef0"

static int parse(const char *text, struct agent_conf *c, char *err, size_t errlen)
{
	return agent_conf_parse(text, strlen(text), c, err, errlen);
}

Test(agent_conf, parses_a_valid_file)
{
	struct agent_conf c;
	char err[256] = "";
	const char *text = "# written by register\n"
			   "\n"
			   "   broker \t https://broker.example:8443/postern/  \r\n"
			   "\tinstance-id " GOOD_ID "\n"
			   "# the end";

	cr_assert_eq(parse(text, &c, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(c.broker, "https://broker.example:8443/postern/");
	cr_assert_str_eq(c.instance_id, GOOD_ID);
}

Test(agent_conf, last_line_needs_no_newline)
{
	struct agent_conf c;
	char err[256];

	cr_assert_eq(parse("broker https://b\ninstance-id " GOOD_ID, &c, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_str_eq(c.instance_id, GOOD_ID);
}

struct bad_case {
	const char *text;
	const char *expect; /* a substring of the error */
};

static const struct bad_case bad_cases[] = {
	{"broker https://b\ninstance-id " GOOD_ID "\ncolour blue\n", "line 3: unknown key 'colour'"},
	{"broker\ninstance-id " GOOD_ID "\n", "line 1: 'broker' has no value"},
	{"broker   \t \ninstance-id " GOOD_ID "\n", "line 1: 'broker' has no value"},
	{"broker https://a\nbroker https://b\ninstance-id " GOOD_ID "\n", "line 2: 'broker' given twice"},
	{"broker http://b\ninstance-id " GOOD_ID "\n", "line 1: bad broker URL"},
	{"broker https://b\ninstance-id mi-123\n", "line 2: 'mi-123' is not an instance id"},
	{"broker https://b\ninstance-id MI-0123456789ABCDEF0\n", "line 2:"},
	{"broker https://b\ninstance-id " GOOD_ID " trailing\n", "line 2:"},
	{"Broker https://b\ninstance-id " GOOD_ID "\n", "line 1: unknown key 'Broker'"},
	{"broker=https://b\n", "line 1: unknown key 'broker=https://b'"},
};

Test(agent_conf, bad_lines_name_the_line)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct agent_conf c;
		char err[512] = "";

		cr_assert_eq(parse(bad_cases[i].text, &c, err, sizeof(err)), -1, "case %zu accepted",
			     i);
		cr_assert(strstr(err, bad_cases[i].expect), "case %zu: '%s' lacks '%s'", i, err,
			  bad_cases[i].expect);
	}
}

Test(agent_conf, missing_keys_are_named)
{
	struct agent_conf c;
	char err[256];

	cr_assert_eq(parse("broker https://b\n", &c, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "no 'instance-id' line");
	cr_assert_eq(parse("instance-id " GOOD_ID "\n", &c, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "no 'broker' line");
	cr_assert_eq(parse("", &c, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "no 'broker' line");
	cr_assert_eq(parse("# only a comment\n\n", &c, err, sizeof(err)), -1);
}

Test(agent_conf, refuses_long_lines_nul_bytes_and_large_files)
{
	static char big[AGENT_CONF_MAX_BYTES + 2];
	char line[1100], err[256];
	struct agent_conf c;

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	cr_assert_eq(parse(line, &c, err, sizeof(err)), -1);
	cr_assert(strstr(err, "line 1: longer than"), "%s", err);

	cr_assert_eq(agent_conf_parse("broker https://b\0x\n", 18, &c, err, sizeof(err)), -1);
	cr_assert(strstr(err, "NUL"), "%s", err);

	memset(big, '\n', sizeof(big) - 1);
	cr_assert_eq(agent_conf_parse(big, sizeof(big) - 1, &c, err, sizeof(err)), -1);
	cr_assert(strstr(err, "larger than"), "%s", err);
}

Test(agent_conf, format_then_parse_round_trips)
{
	struct agent_conf in = {.broker = "https://[::1]:8443", .instance_id = GOOD_ID}, out;
	char text[512], err[256], tiny[20];
	int len = agent_conf_format(&in, text, sizeof(text));

	cr_assert_gt(len, 0);
	cr_assert_eq((size_t)len, strlen(text));
	cr_assert_eq(agent_conf_parse(text, (size_t)len, &out, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(out.broker, in.broker);
	cr_assert_str_eq(out.instance_id, in.instance_id);
	cr_assert_eq(agent_conf_format(&in, tiny, sizeof(tiny)), -1, "does not fit");
}

Test(agent_conf, instance_id_syntax)
{
	cr_assert(agent_conf_instance_id_valid(GOOD_ID));
	cr_assert(agent_conf_instance_id_valid("mi-fffffffffffffffff"));
	cr_assert_not(agent_conf_instance_id_valid(NULL));
	cr_assert_not(agent_conf_instance_id_valid(""));
	cr_assert_not(agent_conf_instance_id_valid("mi-0123456789abcdef"));   /* 16 digits */
	cr_assert_not(agent_conf_instance_id_valid("mi-0123456789abcdef01")); /* 18 */
	cr_assert_not(agent_conf_instance_id_valid("i-0123456789abcdef012"));
	cr_assert_not(agent_conf_instance_id_valid("mi-0123456789abcdefg"));
	cr_assert_not(agent_conf_instance_id_valid("mi-0123456789ABCDEF0"));
}

Test(agent_url, accepts_the_forms_brokers_use)
{
	struct agent_url u;
	char err[256], text[600];

	cr_assert_eq(agent_url_parse("https://127.0.0.1:8443", &u, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(u.host, "127.0.0.1");
	cr_assert_eq(u.port, 8443);
	cr_assert_str_eq(u.prefix, "");
	cr_assert_not(u.host_is_ipv6);

	cr_assert_eq(agent_url_parse("https://broker.example.com", &u, err, sizeof(err)), 0);
	cr_assert_eq(u.port, 443);
	cr_assert_eq(agent_url_authority(&u, text, sizeof(text)), 0);
	cr_assert_str_eq(text, "broker.example.com", "no :443 in the Host header");
	cr_assert_eq(agent_url_authority(&u, text, 5), -1, "does not fit");

	cr_assert_eq(agent_url_parse("https://[::1]:9/", &u, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(u.host, "::1");
	cr_assert(u.host_is_ipv6);
	cr_assert_eq(u.port, 9);
	cr_assert_eq(agent_url_host_text(&u, text, sizeof(text)), 0);
	cr_assert_str_eq(text, "[::1]");
	cr_assert_eq(agent_url_authority(&u, text, sizeof(text)), 0);
	cr_assert_str_eq(text, "[::1]:9");

	cr_assert_eq(agent_url_parse("https://b:65535/a//b", &u, err, sizeof(err)), -1,
		     "empty segment");
	cr_assert_eq(agent_url_parse("https://b:65535/a/b/", &u, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(u.prefix, "/a/b");
	cr_assert_eq(agent_url_path(&u, "/v1/control", text, sizeof(text)), 0);
	cr_assert_str_eq(text, "/a/b/v1/control");
	cr_assert_eq(agent_url_path(&u, "/v1/control", text, 8), -1, "does not fit");
}

Test(agent_url, refuses_what_is_not_a_broker_url)
{
	static const char *const bad[] = {
		NULL, "", "http://b", "wss://b", "https://", "https://:8443", "https://b:",
		"https://b:0", "https://b:65536", "https://b:12a", "https://b:123456",
		"https://user@b", "https://b/?x=1", "https://b/#f", "https://b c",
		"https://[::1", "https://[zz]:1", "https://b]:1", "https://b;c",
		"https://[::1]x:1",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct agent_url u;
		char err[256] = "";

		cr_assert_eq(agent_url_parse(bad[i], &u, err, sizeof(err)), -1, "accepted '%s'",
			     bad[i] ? bad[i] : "(null)");
		cr_assert_neq(err[0], '\0');
	}
}
