/*
 * test_client_params.c — --parameters in the AWS CLI's shorthand and JSON
 * forms, into StartSession's Parameters map (cli-and-api.md §5.1, §6.3).
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugin/cli_params.h"
#include "../../plugin/client_err.h"

/* Parse text and compare the compact, key-sorted JSON with want. */
static void parses_to(const char *text, const char *want)
{
	char err[256] = "", *got;
	json_t *out = NULL;

	cr_assert_eq(cli_params_parse(text, &out, err, sizeof(err)), CLIENT_OK, "%s: %s", text,
		     err);
	got = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
	cr_assert_str_eq(got, want, "%s", text);
	free(got);
	json_decref(out);
}

static void refuses(const char *text, const char *why)
{
	char err[256] = "";
	json_t *out = NULL;

	cr_assert_eq(cli_params_parse(text, &out, err, sizeof(err)), CLIENT_E_USAGE, "%s", text);
	cr_assert_null(out);
	cr_assert(strstr(err, why), "%s: '%s' does not say '%s'", text, err, why);
}

Test(client_params, shorthand)
{
	parses_to("portNumber=22", "{\"portNumber\":[\"22\"]}");
	parses_to("host=db.internal,portNumber=5432,localPortNumber=15432",
		  "{\"host\":[\"db.internal\"],\"localPortNumber\":[\"15432\"],"
		  "\"portNumber\":[\"5432\"]}");
	parses_to(" portNumber = 22 , host = h ", "{\"host\":[\"h\"],\"portNumber\":[\"22\"]}");
	parses_to("command=a=b", "{\"command\":[\"a=b\"]}");
	parses_to("command=ls -l /tmp", "{\"command\":[\"ls -l /tmp\"]}");
}

Test(client_params, shorthand_lists)
{
	parses_to("hosts=a,b,c,port=1", "{\"hosts\":[\"a\",\"b\",\"c\"],\"port\":[\"1\"]}");
	parses_to("hosts=[a, b],port=1", "{\"hosts\":[\"a\",\"b\"],\"port\":[\"1\"]}");
	parses_to("hosts=[\"a,1\",'b']", "{\"hosts\":[\"a,1\",\"b\"]}");
}

Test(client_params, shorthand_quotes)
{
	parses_to("command=\"whoami && uptime\"", "{\"command\":[\"whoami && uptime\"]}");
	parses_to("command=\"echo a,b\",x=1", "{\"command\":[\"echo a,b\"],\"x\":[\"1\"]}");
	parses_to("command='say \"hi\", then go'", "{\"command\":[\"say \\\"hi\\\", then go\"]}");
	parses_to("command=\"a \\\" b\"", "{\"command\":[\"a \\\" b\"]}");
	parses_to("k=a,\"b=c\"", "{\"k\":[\"a\",\"b=c\"]}");
}

Test(client_params, json)
{
	parses_to("{\"portNumber\":[\"22\"]}", "{\"portNumber\":[\"22\"]}");
	parses_to("  {\"command\": \"echo a, b\", \"n\": [\"1\", \"2\"]}",
		  "{\"command\":[\"echo a, b\"],\"n\":[\"1\",\"2\"]}");
	parses_to("{}", "{}");
}

Test(client_params, refusals)
{
	refuses("", "empty");
	refuses("   ", "empty");
	refuses("=22", "empty name");
	refuses("portNumber=", "empty value");
	refuses("portNumber=22,", "empty item");
	refuses("22", "expected name=value");
	refuses("a=1,,b=2", "empty item");
	refuses(",a=1", "empty item");
	refuses("a=1,a=2", "a given twice");
	refuses("command=\"unterminated", "unterminated \" quote");
	refuses("command='x", "unterminated ' quote");
	refuses("command=\"a\"b", "unexpected text after a quoted value");
	refuses("hosts=[a,b", "unterminated [ list");
	refuses("hosts=[]", "empty list");
	refuses("{\"a\":[\"1\"]", "bad JSON");
	refuses("{\"a\":1}", "a must be a string or a list of strings");
	refuses("{\"a\":[1]}", "a must be a list of non-empty strings");
	refuses("{\"a\":[\"\"]}", "a must be a list of non-empty strings");
	refuses("{\"a\":\"\"}", "a has an empty value");
	refuses("{\"\":[\"1\"]}", "a parameter name is empty");
	refuses("{\"a\":[\"1\"],\"a\":[\"2\"]}", "bad JSON");
	refuses("[\"a\"]", "expected name=value");
}

/* A request naming a local port always gets a listener (plugin/port_mode.h). */
Test(client_params, names_a_local_port)
{
	json_t *p = NULL;
	char err[256];

	cr_assert_not(cli_params_name_local_port(NULL));
	cr_assert_eq(cli_params_parse("portNumber=22", &p, err, sizeof(err)), CLIENT_OK);
	cr_assert_not(cli_params_name_local_port(p));
	json_decref(p);
	cr_assert_eq(cli_params_parse("portNumber=22,localPortNumber=0", &p, err, sizeof(err)),
		     CLIENT_OK);
	cr_assert(cli_params_name_local_port(p));
	json_decref(p);
	cr_assert_eq(cli_params_parse("{\"localUnixSocket\":[\"/tmp/s\"]}", &p, err, sizeof(err)),
		     CLIENT_OK);
	cr_assert(cli_params_name_local_port(p));
	json_decref(p);
}
