/*
 * test_port_props.c — the pure decisions of a Port session on the agent:
 * agent-side/version_cmp.c (the official agent's version order) and
 * agent-side/port_props.c (properties and mode).
 *
 * Covers: version order for semantic versions (numbers, prereleases below
 * releases, prerelease identifiers, build metadata ignored) and for
 * everything else (numeric and text components, more components greater,
 * empty and NULL strings); the mode thresholds exactly at, above and below
 * 1.1.70 (including four-component and unparsable versions) and the
 * keepalive threshold 1.2.331.0; the three documents' properties; portNumber
 * 1 and 65535 accepted, 0, 65536, 70000, signs, spaces, leading zeros,
 * non-digits, empty, missing, null and non-string values refused with a
 * sentence; JSON integers accepted in range; host defaults, brackets,
 * refusals; type other than LocalPortForwarding means stdio; keys matched as
 * Go does (exact first, else case-insensitive).
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "../../agent-side/port_props.h"
#include "../../agent-side/version_cmp.h"

TestSuite(port_props);

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

Test(port_props, version_order)
{
	static const struct {
		const char *a, *b;
		int want;
	} cases[] = {
		/* semantic versions */
		{"1.1.70", "1.1.70", 0},
		{"1.1.71", "1.1.70", 1},
		{"1.10.0", "1.9.99", 1},
		{"1.1.70-beta", "1.1.70", -1},
		{"1.1.70-alpha", "1.1.70-beta", -1},
		{"1.1.70-2", "1.1.70-10", -1},
		{"1.1.70-10", "1.1.70-a", -1},
		{"1.1.70-a.1", "1.1.70-a", 1},
		{"1.1.70+build5", "1.1.70", 0},
		/* component by component */
		{"1.2.650.0", "1.1.70", 1},
		{"1.1.70.0", "1.1.70", 1},
		{"1.1.69.9", "1.1.70", -1},
		{"1.2.331.0", "1.2.331.0", 0},
		{"1.2.332.0", "1.2.331.0", 1},
		{"1.2.0.0", "1.2.331.0", -1},
		{"1.10.0.0", "1.9.0.0", 1},
		{"1.a.0.0", "1.b.0.0", -1},
		{"1.x", "1.1.70", 1},   /* "x" > "1" as text */
		{"", "1.1.70", -1},
		{NULL, "1.2.331.0", -1},
		{"", "", 0},
		{"1.2.3.4.5", "1.2.3.4", 1},
		{"01.1.70.0", "1.1.70", 1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(sign(version_cmp(cases[i].a, cases[i].b)), cases[i].want,
			     "case %zu: %s vs %s", i, cases[i].a ? cases[i].a : "NULL", cases[i].b);
		cr_assert_eq(sign(version_cmp(cases[i].b, cases[i].a)), -cases[i].want,
			     "case %zu reversed", i);
	}
}

static struct port_props parse_ok(const char *json)
{
	struct port_props p;
	char err[256] = "";

	cr_assert_eq(port_props_parse(json, &p, err, sizeof(err)), 0, "%s: %s", json, err);
	return p;
}

static void parse_bad(const char *json, const char *why)
{
	struct port_props p;
	char err[256] = "";

	cr_assert_eq(port_props_parse(json, &p, err, sizeof(err)), -1, "%s accepted",
		     json ? json : "NULL");
	cr_assert(strstr(err, why) != NULL, "%s: '%s' lacks '%s'", json ? json : "NULL", err, why);
}

Test(port_props, the_documents)
{
	struct port_props p;

	p = parse_ok("{\"portNumber\":\"22\"}"); /* AWS-StartSSHSession */
	cr_assert_eq(p.port, 22);
	cr_assert_str_eq(p.host, "localhost");
	cr_assert_not(p.local_forwarding);
	p = parse_ok("{\"portNumber\":\"80\",\"type\":\"LocalPortForwarding\","
		     "\"localPortNumber\":\"0\"}");
	cr_assert_eq(p.port, 80);
	cr_assert_str_eq(p.host, "localhost");
	cr_assert(p.local_forwarding);
	p = parse_ok("{\"host\":\"db.internal\",\"portNumber\":\"5432\","
		     "\"type\":\"LocalPortForwarding\",\"localPortNumber\":\"15432\"}");
	cr_assert_eq(p.port, 5432);
	cr_assert_str_eq(p.host, "db.internal");
	cr_assert(p.local_forwarding);
}

Test(port_props, port_numbers)
{
	cr_assert_eq(parse_ok("{\"portNumber\":\"1\"}").port, 1);
	cr_assert_eq(parse_ok("{\"portNumber\":\"65535\"}").port, 65535);
	cr_assert_eq(parse_ok("{\"portNumber\":443}").port, 443);
	parse_bad("{\"portNumber\":\"0\"}", "not a port number");
	parse_bad("{\"portNumber\":\"65536\"}", "not a port number");
	parse_bad("{\"portNumber\":\"70000\"}", "'70000' is not a port number");
	parse_bad("{\"portNumber\":\"123456\"}", "not a port number");
	parse_bad("{\"portNumber\":\"022\"}", "not a port number");
	parse_bad("{\"portNumber\":\"+22\"}", "not a port number");
	parse_bad("{\"portNumber\":\"-22\"}", "not a port number");
	parse_bad("{\"portNumber\":\" 22\"}", "not a port number");
	parse_bad("{\"portNumber\":\"22 \"}", "not a port number");
	parse_bad("{\"portNumber\":\"2x\"}", "not a port number");
	parse_bad("{\"portNumber\":\"\"}", "not a port number");
	parse_bad("{\"portNumber\":\"{{ portNumber }}\"}", "not a port number");
	parse_bad("{\"portNumber\":0}", "0 is not a port number");
	parse_bad("{\"portNumber\":70000}", "70000 is not a port number");
	parse_bad("{\"portNumber\":22.5}", "must be a string");
	parse_bad("{\"portNumber\":[\"22\"]}", "must be a string");
	parse_bad("{\"portNumber\":null}", "no portNumber");
	parse_bad("{\"type\":\"LocalPortForwarding\"}", "no portNumber");
	parse_bad("{}", "no portNumber");
}

Test(port_props, not_an_object)
{
	parse_bad(NULL, "not a JSON object");
	parse_bad("", "not a JSON object");
	parse_bad("null", "not a JSON object");
	parse_bad("[\"22\"]", "not a JSON object");
	parse_bad("{\"portNumber\":\"22\"", "not a JSON object");
	parse_bad("{\"portNumber\":\"22\"} x", "not a JSON object");
}

Test(port_props, hosts)
{
	cr_assert_str_eq(parse_ok("{\"portNumber\":\"1\",\"host\":\"\"}").host, "localhost");
	cr_assert_str_eq(parse_ok("{\"portNumber\":\"1\",\"host\":null}").host, "localhost");
	cr_assert_str_eq(parse_ok("{\"portNumber\":\"1\",\"host\":\"10.0.0.5\"}").host, "10.0.0.5");
	cr_assert_str_eq(parse_ok("{\"portNumber\":\"1\",\"host\":\"[::1]\"}").host, "::1");
	cr_assert_str_eq(parse_ok("{\"portNumber\":\"1\",\"host\":\"fd00::1\"}").host, "fd00::1");
	cr_assert_str_eq(parse_ok("{\"portNumber\":\"1\",\"host\":\"my_db-1.example\"}").host,
			 "my_db-1.example");
	parse_bad("{\"portNumber\":\"1\",\"host\":\"-oProxy\"}", "not a name or an address");
	parse_bad("{\"portNumber\":\"1\",\"host\":\"a b\"}", "not a name or an address");
	parse_bad("{\"portNumber\":\"1\",\"host\":\"a/b\"}", "not a name or an address");
	parse_bad("{\"portNumber\":\"1\",\"host\":\"a\\u0000b\"}", "not a JSON object");
	parse_bad("{\"portNumber\":\"1\",\"host\":\"[]\"}", "not a name or an address");
	parse_bad("{\"portNumber\":\"1\",\"host\":5}", "host must be a string");

	char json[400], name[300];

	memset(name, 'a', 254);
	name[254] = '\0';
	snprintf(json, sizeof(json), "{\"portNumber\":\"1\",\"host\":\"%s\"}", name);
	parse_bad(json, "not a name or an address");
	name[253] = '\0';
	snprintf(json, sizeof(json), "{\"portNumber\":\"1\",\"host\":\"%s\"}", name);
	cr_assert_eq(strlen(parse_ok(json).host), 253);
}

Test(port_props, keys_as_go_reads_them)
{
	struct port_props p = parse_ok("{\"PortNumber\":\"8080\",\"HOST\":\"h\",\"Type\":"
				       "\"LocalPortForwarding\"}");

	cr_assert_eq(p.port, 8080);
	cr_assert_str_eq(p.host, "h");
	cr_assert(p.local_forwarding);
	cr_assert_eq(parse_ok("{\"portnumber\":\"1\",\"portNumber\":\"2\"}").port, 2);
	parse_bad("{\"portNumber\":\"1\",\"type\":7}", "type must be a string");
}

Test(port_props, modes)
{
	struct port_props fwd = parse_ok("{\"portNumber\":\"80\",\"type\":\"LocalPortForwarding\"}");
	struct port_props ssh = parse_ok("{\"portNumber\":\"22\"}");
	struct port_props other = parse_ok("{\"portNumber\":\"22\",\"type\":\"localportforwarding\"}");

	cr_assert_eq(port_props_mode(&fwd, "1.2.650.0"), PORT_MODE_MUX);
	cr_assert_eq(port_props_mode(&fwd, "1.1.70"), PORT_MODE_MUX);
	cr_assert_eq(port_props_mode(&fwd, "1.1.70.0"), PORT_MODE_MUX);
	cr_assert_eq(port_props_mode(&fwd, "1.2.0.0"), PORT_MODE_MUX);
	cr_assert_eq(port_props_mode(&fwd, "1.1.69"), PORT_MODE_BASIC);
	cr_assert_eq(port_props_mode(&fwd, "1.1.69.999"), PORT_MODE_BASIC);
	cr_assert_eq(port_props_mode(&fwd, "1.0.0.0"), PORT_MODE_BASIC);
	cr_assert_eq(port_props_mode(&fwd, ""), PORT_MODE_BASIC);
	cr_assert_eq(port_props_mode(&fwd, NULL), PORT_MODE_BASIC);
	cr_assert_eq(port_props_mode(&ssh, "1.2.650.0"), PORT_MODE_STDIO);
	cr_assert_eq(port_props_mode(&ssh, "1.0.0.0"), PORT_MODE_STDIO);
	cr_assert_eq(port_props_mode(&other, "1.2.650.0"), PORT_MODE_STDIO);
	cr_assert_str_eq(port_mode_name(PORT_MODE_MUX), "multiplexed");
	cr_assert_str_eq(port_mode_name(PORT_MODE_BASIC), "basic");
	cr_assert_str_eq(port_mode_name(PORT_MODE_STDIO), "stdio");
}

Test(port_props, keepalive_threshold)
{
	cr_assert(port_props_keepalive("1.2.0.0")); /* source builds of the plugin */
	cr_assert(port_props_keepalive("1.2.331.0"));
	cr_assert(port_props_keepalive("1.1.70.0"));
	cr_assert(port_props_keepalive(""));
	cr_assert_not(port_props_keepalive("1.2.332.0"));
	cr_assert_not(port_props_keepalive("1.2.650.0"));
	cr_assert_not(port_props_keepalive("1.3.0.0"));
}
