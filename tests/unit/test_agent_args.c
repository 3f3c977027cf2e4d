/*
 * test_agent_args.c — postern-agent's option tables (agent-side/agent_args.c).
 *
 * Covers: --name VALUE and --name=VALUE; switches; -h/--help print the help
 * (usage line with required and optional options, every option, details);
 * errors for an unknown option, a missing value (end of argv, empty, or the
 * next option), a value given to a switch, a repeated option, a positional
 * argument, a required option left out.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include <string.h>

#include "../../agent-side/agent_args.h"

static const char *broker, *dir;
static bool force;

static const struct agent_option options[] = {
	{"broker", "URL", "the broker", &broker, NULL, true},
	{"state-dir", "DIR", "the state", &dir, NULL, false},
	{"force", NULL, "replace", NULL, &force, false},
};

static const struct agent_command cmd = {
	"demo", "A demo command.", "Details here.\n", options, 3,
};

static int parse(int argc, const char *const *argv, char *err, size_t errlen)
{
	broker = dir = NULL;
	force = false;
	return agent_args_parse(&cmd, argc, (char **)argv, err, errlen);
}

Test(agent_args, both_value_forms_and_switches)
{
	const char *const a[] = {"demo", "--broker", "https://b", "--state-dir=/s", "--force"};
	char err[256];

	cr_assert_eq(parse(5, a, err, sizeof(err)), AGENT_ARGS_OK, "%s", err);
	cr_assert_str_eq(broker, "https://b");
	cr_assert_str_eq(dir, "/s");
	cr_assert(force);

	const char *const b[] = {"demo", "--broker=x=y"};
	cr_assert_eq(parse(2, b, err, sizeof(err)), AGENT_ARGS_OK);
	cr_assert_str_eq(broker, "x=y");
	cr_assert_null(dir);
	cr_assert_not(force);
}

struct bad {
	int argc;
	const char *argv[4];
	const char *says;
};

static const struct bad bads[] = {
	{3, {"demo", "--broker", "b", "--nope"}, "unknown option '--nope'"},
	{4, {"demo", "--broker", "b", "--nope=1"}, "unknown option '--nope'"},
	{2, {"demo", "--broker"}, "--broker needs a value (URL)"},
	{2, {"demo", "--broker="}, "--broker needs a value"},
	{3, {"demo", "--broker", "--force"}, "--broker needs a value"},
	{4, {"demo", "--broker", "b", "--force=yes"}, "--force takes no value"},
	{4, {"demo", "--broker", "a", "--broker=b"}, "--broker given twice"},
	{4, {"demo", "--broker", "a", "extra"}, "unexpected argument 'extra'"},
	{2, {"demo", "--"}, "unexpected argument '--'"},
	{2, {"demo", "--force"}, "missing --broker URL"},
};

Test(agent_args, errors_name_the_option)
{
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		char err[256] = "";
		int argc = bads[i].argc;

		if (i == 0)
			argc = 4;
		cr_assert_eq(parse(argc, bads[i].argv, err, sizeof(err)), AGENT_ARGS_ERROR,
			     "case %zu", i);
		cr_assert(strstr(err, bads[i].says), "case %zu: '%s' lacks '%s'", i, err,
			  bads[i].says);
	}
}

Test(agent_args, help_lists_everything, .init = cr_redirect_stdout)
{
	const char *const a[] = {"demo", "--state-dir", "x", "-h"};
	char err[256];

	cr_assert_eq(parse(4, a, err, sizeof(err)), AGENT_ARGS_HELP);
	fflush(stdout);
	cr_assert_stdout_eq_str(
		"usage: postern-agent demo --broker URL [--state-dir DIR] [--force]\n"
		"\n"
		"A demo command.\n"
		"\n"
		"options:\n"
		"  --broker URL               the broker (required)\n"
		"  --state-dir DIR            the state\n"
		"  --force                    replace\n"
		"  -h, --help                 show this help and exit\n"
		"\n"
		"Details here.\n");
}

Test(agent_args, help_wins_over_missing_required, .init = cr_redirect_stdout)
{
	const char *const a[] = {"demo", "--help"};
	char err[256];

	cr_assert_eq(parse(2, a, err, sizeof(err)), AGENT_ARGS_HELP);
}
