/*
 * test_client_port_mode.c — how the client runs a Port session
 * (plugin/forward_mode.h; session-flow.md §4.1): the stock plugin's version
 * comparison, the mode table, postern's ProxyCommand rule, and the version
 * thresholds for keepalive and the TerminateSession flag.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "../../plugin/forward_mode.h"

Test(client_forward_version, strictly_greater_component_by_component)
{
	cr_assert(forward_version_greater("3.0.197.0", "3.0.196.0"));
	cr_assert(forward_version_greater("3.3.0.0", "3.0.196.0"));
	cr_assert(forward_version_greater("10.0.0.0", "9.9.9.9")); /* numbers, not text */
	cr_assert(forward_version_greater("3.0.196.10", "3.0.196.9"));
	/* leading zeros are numbers */
	cr_assert(forward_version_greater("3.0.0196.1", "3.0.196.0"));
	cr_assert_not(forward_version_greater("3.0.196.0", "3.0.196.0"));
	cr_assert_not(forward_version_greater("3.0.195.999", "3.0.196.0"));
	cr_assert_not(forward_version_greater("2.99.999.999", "3.0.196.0"));
}

Test(client_forward_version, any_parse_problem_is_not_greater)
{
	static const char *const bad[] = {
		"3.3.0",       /* three components against four */
		"3.3.0.0.0",   /* five */
		"",            "3.3.0.x",   "3.3..0",  ".3.3.0.0", "3.3.0.0.",
		"3.3.0.-1",    "3.3.0.+1",  " 3.3.0.0", "3.3.0.0 ",  "v3.3.0.0",
		"9999999999.0.0.0", /* over the digits a part may have */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_not(forward_version_greater(bad[i], "3.0.196.0"), "%s", bad[i]);
	cr_assert_not(forward_version_greater(NULL, "3.0.196.0"));
	cr_assert_not(forward_version_greater("3.3.0.0", "3.0.x.0"));
}

static struct forward_props props_of_type(const char *type)
{
	struct forward_props p;

	memset(&p, 0, sizeof(p));
	strcpy(p.type, type);
	return p;
}

Test(client_forward_mode, the_plugin_table)
{
	struct forward_props forward = props_of_type("LocalPortForwarding");
	struct forward_props none = props_of_type(""), other = props_of_type("Something");

	cr_assert_eq(forward_mode_choose(&forward, "3.0.196.1", false), FORWARD_MODE_MUX);
	cr_assert_eq(forward_mode_choose(&forward, "3.3.0.0", false), FORWARD_MODE_MUX);
	cr_assert_eq(forward_mode_choose(&forward, "3.0.196.0", false), FORWARD_MODE_BASIC);
	cr_assert_eq(forward_mode_choose(&forward, "3.3.0", false), FORWARD_MODE_BASIC);
	cr_assert_eq(forward_mode_choose(&forward, "", false), FORWARD_MODE_BASIC);
	cr_assert_eq(forward_mode_choose(&none, "3.3.0.0", false), FORWARD_MODE_STDIO);
	cr_assert_eq(forward_mode_choose(&other, "3.3.0.0", false), FORWARD_MODE_STDIO);
	cr_assert_eq(forward_mode_choose(&none, "3.3.0.0", true), FORWARD_MODE_STDIO);
}

Test(client_forward_mode, proxycommand_use_keeps_the_agents_wire)
{
	struct forward_props forward = props_of_type("LocalPortForwarding");

	/* stdio, but smux toward an agent that multiplexes, raw bytes otherwise */
	cr_assert_eq(forward_mode_choose(&forward, "3.3.0.0", true), FORWARD_MODE_MUX_STDIO);
	cr_assert_eq(forward_mode_choose(&forward, "3.0.196.0", true), FORWARD_MODE_STDIO);
	cr_assert(forward_mode_multiplexed(FORWARD_MODE_MUX_STDIO));
	cr_assert(forward_mode_multiplexed(FORWARD_MODE_MUX));
	cr_assert_not(forward_mode_multiplexed(FORWARD_MODE_BASIC));
	cr_assert_not(forward_mode_multiplexed(FORWARD_MODE_STDIO));
	cr_assert(forward_mode_stdio(FORWARD_MODE_STDIO));
	cr_assert(forward_mode_stdio(FORWARD_MODE_MUX_STDIO));
	cr_assert_not(forward_mode_stdio(FORWARD_MODE_MUX));
	cr_assert_not(forward_mode_stdio(FORWARD_MODE_BASIC));
}

Test(client_forward_mode, stdio_only_for_two_pipes_and_no_local_port_named)
{
	cr_assert(forward_mode_stdio_wanted(true, true, false));
	cr_assert_not(forward_mode_stdio_wanted(true, true, true));
	cr_assert_not(forward_mode_stdio_wanted(false, true, false));
	cr_assert_not(forward_mode_stdio_wanted(true, false, false));
	cr_assert_not(forward_mode_stdio_wanted(false, false, false));
}

Test(client_forward_mode, keepalive_only_to_old_agents)
{
	cr_assert(forward_mode_keepalive("3.1.1511.0"));
	cr_assert(forward_mode_keepalive("3.1.0.0"));
	cr_assert(forward_mode_keepalive("3.1.1511")); /* unparsable: not newer, so keep it */
	cr_assert_not(forward_mode_keepalive("3.1.1511.1"));
	cr_assert_not(forward_mode_keepalive("3.3.0.0"));
}

Test(client_forward_mode, terminate_flag_or_api)
{
	cr_assert(forward_mode_terminate_by_flag(FORWARD_MODE_MUX, "1.0.0.0"));
	cr_assert(forward_mode_terminate_by_flag(FORWARD_MODE_MUX_STDIO, "1.0.0.0"));
	cr_assert(forward_mode_terminate_by_flag(FORWARD_MODE_BASIC, "2.3.722.1"));
	cr_assert(forward_mode_terminate_by_flag(FORWARD_MODE_STDIO, "3.3.0.0"));
	cr_assert_not(forward_mode_terminate_by_flag(FORWARD_MODE_BASIC, "2.3.722.0"));
	cr_assert_not(forward_mode_terminate_by_flag(FORWARD_MODE_STDIO, "2.3.0.0"));
}

Test(client_forward_mode, names)
{
	cr_assert_str_eq(forward_mode_name(FORWARD_MODE_STDIO), "stdio");
	cr_assert_str_eq(forward_mode_name(FORWARD_MODE_BASIC), "basic");
	cr_assert_str_eq(forward_mode_name(FORWARD_MODE_MUX), "multiplexed");
	cr_assert_str_eq(forward_mode_name(FORWARD_MODE_MUX_STDIO), "multiplexed stdio");
}
