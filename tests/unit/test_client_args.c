/*
 * test_client_args.c — the client's command lines: which command argv names,
 * `postern start-session` flags, and the session-manager-plugin positional
 * contract (cli-and-api.md §1), every refusal included.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugin/cli_args.h"
#include "../../plugin/client_err.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))

static const char response[] =
	"{\"SessionId\":\"alice-0a1b2c3d4e5f67890\",\"TokenValue\":\"AAEAAQtoken\","
	"\"StreamUrl\":\"wss://broker.example:8443/v1/data-channel/alice-0a1b2c3d4e5f67890"
	"?role=publish_subscribe\"}";

/* ---- command choice ------------------------------------------------------------ */

Test(client_command, chooses_by_program_name_and_first_argument)
{
	char *plugin[] = {"/usr/local/bin/session-manager-plugin", "x", "y"};
	char *via[] = {"postern", "session-manager-plugin", "--version"};
	char *start[] = {"./postern", "start-session", "--target", "i-1"};
	char *help[] = {"postern", "--help"}, *h[] = {"postern", "-h"}, *word[] = {"postern", "help"};
	char *version[] = {"postern", "--version"}, *none[] = {"postern"};
	char *unknown[] = {"postern", "frobnicate"};
	int first = -1;

	cr_assert_eq(cli_command_of(ARGC(plugin), plugin, &first), CLI_CMD_PLUGIN);
	cr_assert_eq(first, 0);
	cr_assert_eq(cli_command_of(ARGC(via), via, &first), CLI_CMD_PLUGIN);
	cr_assert_eq(first, 1);
	cr_assert_eq(cli_command_of(ARGC(start), start, &first), CLI_CMD_START_SESSION);
	cr_assert_eq(first, 1);
	cr_assert_eq(cli_command_of(ARGC(help), help, &first), CLI_CMD_HELP);
	cr_assert_eq(cli_command_of(ARGC(h), h, &first), CLI_CMD_HELP);
	cr_assert_eq(cli_command_of(ARGC(word), word, &first), CLI_CMD_HELP);
	cr_assert_eq(cli_command_of(ARGC(version), version, &first), CLI_CMD_VERSION);
	cr_assert_eq(cli_command_of(ARGC(none), none, &first), CLI_CMD_USAGE_ERROR);
	cr_assert_eq(cli_command_of(ARGC(unknown), unknown, &first), CLI_CMD_USAGE_ERROR);
	cr_assert_eq(cli_command_of(0, none, &first), CLI_CMD_USAGE_ERROR);
}

Test(client_command, usage_names_every_flag_and_source)
{
	static const char *const words[] = {
		"--target", "--document-name", "--parameters", "--reason", "--endpoint-url", "--ca",
		"--region", "--profile", "AWS_ENDPOINT_URL_SSM", "AWS_ENDPOINT_URL", "AWS_CA_BUNDLE",
		"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
		"AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE",
		"~/.config/postern/config", "~.", "255", "session-manager-plugin",
		"AWS-StartPortForwardingSession", "AWS-StartSSHSession", "localPortNumber",
		"ProxyCommand", "Port N opened for sessionId S.", "localUnixSocket",
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		cr_expect(strstr(cli_usage_text, words[i]), "usage lacks %s", words[i]);
}

/* ---- start-session --------------------------------------------------------------- */

Test(client_args, every_flag_in_both_spellings)
{
	char *argv[] = {"start-session", "--target", "mi-0123456789abcdef0",
			"--document-name=AWS-StartSSHSession", "--parameters", "portNumber=22",
			"--reason=maintenance window", "--endpoint-url", "https://b:8443",
			"--ca=/etc/ca.pem", "--region", "eu-west-1", "--profile=ops"};
	struct cli_start a;
	char err[256];

	cr_assert_eq(cli_start_parse(ARGC(argv), argv, &a, err, sizeof(err)), CLIENT_OK, "%s", err);
	cr_assert_str_eq(a.target, "mi-0123456789abcdef0");
	cr_assert_str_eq(a.document_name, "AWS-StartSSHSession");
	cr_assert_str_eq(a.parameters, "portNumber=22");
	cr_assert_str_eq(a.reason, "maintenance window");
	cr_assert_str_eq(a.endpoint_url, "https://b:8443");
	cr_assert_str_eq(a.ca, "/etc/ca.pem");
	cr_assert_str_eq(a.region, "eu-west-1");
	cr_assert_str_eq(a.profile, "ops");
	cr_assert_not(a.help);
}

Test(client_args, only_target_is_required)
{
	char *argv[] = {"start-session", "--target=i-1"};
	struct cli_start a;
	char err[256];

	cr_assert_eq(cli_start_parse(ARGC(argv), argv, &a, err, sizeof(err)), CLIENT_OK);
	cr_assert_str_eq(a.target, "i-1");
	cr_assert_null(a.document_name);
	cr_assert_null(a.parameters);
	cr_assert_null(a.profile);
}

Test(client_args, value_may_start_with_dashes_or_hold_equals)
{
	char *argv[] = {"start-session", "--target", "i-1", "--reason", "--not-a-flag",
			"--parameters=command=a=b"};
	struct cli_start a;
	char err[256];

	cr_assert_eq(cli_start_parse(ARGC(argv), argv, &a, err, sizeof(err)), CLIENT_OK);
	cr_assert_str_eq(a.reason, "--not-a-flag");
	cr_assert_str_eq(a.parameters, "command=a=b");
}

Test(client_args, help_wins_over_everything)
{
	char *argv[] = {"start-session", "--bogus", "--help"};
	char *short_argv[] = {"start-session", "-h"};
	struct cli_start a;
	char err[256];

	cr_assert_eq(cli_start_parse(ARGC(argv), argv, &a, err, sizeof(err)), CLIENT_OK);
	cr_assert(a.help);
	cr_assert_eq(cli_start_parse(ARGC(short_argv), short_argv, &a, err, sizeof(err)),
		     CLIENT_OK);
	cr_assert(a.help);
}

static void refuses(int argc, char **argv, const char *why)
{
	struct cli_start a;
	char err[256] = "";

	cr_assert_eq(cli_start_parse(argc, argv, &a, err, sizeof(err)), CLIENT_E_USAGE);
	cr_assert(strstr(err, why), "'%s' does not say '%s'", err, why);
}

Test(client_args, refusals)
{
	char *no_target[] = {"start-session", "--region", "us-east-1"};
	char *nothing[] = {"start-session"};
	char *unknown[] = {"start-session", "--target", "i-1", "--instance-id", "i-2"};
	char *unknown_eq[] = {"start-session", "--target", "i-1", "--colour=blue"};
	char *positional[] = {"start-session", "i-1"};
	char *single_dash[] = {"start-session", "-t", "i-1"};
	char *missing_value[] = {"start-session", "--target"};
	char *empty_value[] = {"start-session", "--target="};
	char *empty_next[] = {"start-session", "--target", ""};
	char *twice[] = {"start-session", "--target", "i-1", "--target=i-2"};
	char *prefix[] = {"start-session", "--targ", "i-1"};

	refuses(ARGC(no_target), no_target, "--target is required");
	refuses(ARGC(nothing), nothing, "--target is required");
	refuses(ARGC(unknown), unknown, "unknown option '--instance-id'");
	refuses(ARGC(unknown_eq), unknown_eq, "unknown option '--colour'");
	refuses(ARGC(positional), positional, "unexpected argument 'i-1'");
	refuses(ARGC(single_dash), single_dash, "unexpected argument '-t'");
	refuses(ARGC(missing_value), missing_value, "--target needs a value");
	refuses(ARGC(empty_value), empty_value, "--target needs a non-empty value");
	refuses(ARGC(empty_next), empty_next, "--target needs a non-empty value");
	refuses(ARGC(twice), twice, "--target given twice");
	refuses(ARGC(prefix), prefix, "unknown option '--targ'");
}

/* ---- session-manager-plugin -------------------------------------------------------- */

static void plugin_ok(int argc, char **argv, struct cli_plugin *p)
{
	char err[256] = "";

	cr_assert_eq(cli_plugin_parse(argc, argv, p, err, sizeof(err)), CLIENT_OK, "%s", err);
}

static void plugin_refuses(int argc, char **argv, const char *why)
{
	struct cli_plugin p;
	char err[256] = "";

	cr_assert_eq(cli_plugin_parse(argc, argv, &p, err, sizeof(err)), CLIENT_E_USAGE);
	cr_assert(strstr(err, why), "'%s' does not say '%s'", err, why);
	cr_assert_null(strstr(err, "AAEAAQtoken"), "the token leaked into: %s", err);
	cli_plugin_free(&p);
}

Test(client_plugin_args, no_arguments_and_version)
{
	char *none[] = {"session-manager-plugin"};
	char *version[] = {"session-manager-plugin", "--version"};
	struct cli_plugin p;

	plugin_ok(ARGC(none), none, &p);
	cr_assert_eq(p.mode, CLI_PLUGIN_INSTALLED);
	cli_plugin_free(&p);
	plugin_ok(ARGC(version), version, &p);
	cr_assert_eq(p.mode, CLI_PLUGIN_VERSION);
	cli_plugin_free(&p);
}

Test(client_plugin_args, two_or_three_arguments_are_an_unknown_operation)
{
	char *two[] = {"session-manager-plugin", "--help"};
	char *three[] = {"session-manager-plugin", "a", "b"};

	plugin_refuses(ARGC(two), two, "unknown operation '--help'");
	plugin_refuses(ARGC(three), three, "unknown operation 'a'");
}

Test(client_plugin_args, the_seven_argument_form)
{
	char *argv[] = {"session-manager-plugin", (char *)response, "eu-west-1", "StartSession",
			"ops", "{\"Target\": \"mi-0123456789abcdef0\", \"DocumentName\": \"X\"}",
			"https://broker.example:8443"};
	struct cli_plugin p;

	plugin_ok(ARGC(argv), argv, &p);
	cr_assert_eq(p.mode, CLI_PLUGIN_SESSION);
	cr_assert_str_eq(p.session_id, "alice-0a1b2c3d4e5f67890");
	cr_assert_str_eq(p.token_value, "AAEAAQtoken");
	cr_assert_str_eq(p.stream_url, "wss://broker.example:8443/v1/data-channel/"
				       "alice-0a1b2c3d4e5f67890?role=publish_subscribe");
	cr_assert_str_eq(p.region, "eu-west-1");
	cr_assert_str_eq(p.profile, "ops");
	cr_assert_str_eq(p.endpoint, "https://broker.example:8443");
	cr_assert_str_eq(p.target, "mi-0123456789abcdef0");
	cr_assert_not(p.legacy);
	cr_assert_not(p.response_from_env);
	cr_assert_not(p.local_port_named);
	cli_plugin_free(&p);
}

/* The AWS CLI's REQUEST for a port forwarding session names its local port. */
Test(client_plugin_args, the_request_names_a_local_port)
{
	char *named[] = {"session-manager-plugin", (char *)response, "r", "StartSession", "",
			 "{\"Target\": \"i-1\", \"DocumentName\": "
			 "\"AWS-StartPortForwardingSession\", \"Parameters\": "
			 "{\"portNumber\": [\"80\"], \"localPortNumber\": [\"0\"]}}",
			 "https://e"};
	char *unnamed[] = {"session-manager-plugin", (char *)response, "r", "StartSession", "",
			   "{\"Target\": \"i-1\", \"Parameters\": {\"portNumber\": [\"22\"]}}",
			   "https://e"};
	struct cli_plugin p;

	plugin_ok(ARGC(named), named, &p);
	cr_assert(p.local_port_named);
	cli_plugin_free(&p);
	plugin_ok(ARGC(unnamed), unnamed, &p);
	cr_assert_not(p.local_port_named);
	cli_plugin_free(&p);
}

Test(client_plugin_args, the_legacy_four_argument_form)
{
	char *argv[] = {"session-manager-plugin", (char *)response, "us-east-1", "StartSession"};
	struct cli_plugin p;

	plugin_ok(ARGC(argv), argv, &p);
	cr_assert(p.legacy);
	cr_assert_null(p.profile);
	cr_assert_null(p.endpoint);
	cr_assert_null(p.target);
	cli_plugin_free(&p);
}

Test(client_plugin_args, five_and_six_arguments_and_extra_ones)
{
	char *five[] = {"session-manager-plugin", (char *)response, "r", "StartSession", ""};
	char *six[] = {"session-manager-plugin", (char *)response, "r", "StartSession", "",
		       "{\"Target\":\"i-6\"}"};
	char *nine[] = {"session-manager-plugin", (char *)response, "r", "StartSession", "p",
			"{\"Target\":\"i-9\"}", "https://e", "extra", "more"};
	struct cli_plugin p;

	plugin_ok(ARGC(five), five, &p);
	cr_assert_str_eq(p.profile, "");
	cr_assert_null(p.target);
	cr_assert_not(p.legacy);
	cli_plugin_free(&p);
	plugin_ok(ARGC(six), six, &p);
	cr_assert_str_eq(p.target, "i-6");
	cr_assert_null(p.endpoint);
	cli_plugin_free(&p);
	plugin_ok(ARGC(nine), nine, &p);
	cr_assert_str_eq(p.target, "i-9");
	cr_assert_str_eq(p.endpoint, "https://e");
	cli_plugin_free(&p);
}

Test(client_plugin_args, response_from_an_environment_variable_is_read_then_unset)
{
	char *argv[] = {"session-manager-plugin", "AWS_SSM_START_SESSION_RESPONSE", "us-east-1",
			"StartSession", "", "{\"Target\":\"i-1\"}", "https://e"};
	char *custom[] = {"session-manager-plugin", "AWS_SSM_START_SESSION_RESPONSE_2", "r",
			  "StartSession"};
	struct cli_plugin p;

	cr_assert_eq(setenv("AWS_SSM_START_SESSION_RESPONSE", response, 1), 0);
	plugin_ok(ARGC(argv), argv, &p);
	cr_assert(p.response_from_env);
	cr_assert_str_eq(p.token_value, "AAEAAQtoken");
	cr_assert_null(getenv("AWS_SSM_START_SESSION_RESPONSE"));
	cli_plugin_free(&p);

	cr_assert_eq(setenv("AWS_SSM_START_SESSION_RESPONSE_2", response, 1), 0);
	plugin_ok(ARGC(custom), custom, &p);
	cr_assert_str_eq(p.session_id, "alice-0a1b2c3d4e5f67890");
	cr_assert_null(getenv("AWS_SSM_START_SESSION_RESPONSE_2"));
	cli_plugin_free(&p);
}

Test(client_plugin_args, refusals)
{
	char *operation[] = {"session-manager-plugin", (char *)response, "r", "ResumeSession"};
	char *unset[] = {"session-manager-plugin", "AWS_SSM_START_SESSION_RESPONSE_X", "r",
			 "StartSession"};
	char *not_json[] = {"session-manager-plugin", "{\"TokenValue\":\"AAEAAQtoken\"", "r",
			    "StartSession"};
	char *array[] = {"session-manager-plugin", "[]", "r", "StartSession"};
	char *no_id[] = {"session-manager-plugin",
			 "{\"TokenValue\":\"AAEAAQtoken\",\"StreamUrl\":\"wss://x\"}", "r",
			 "StartSession"};
	char *null_token[] = {"session-manager-plugin",
			      "{\"SessionId\":\"s\",\"TokenValue\":null,\"StreamUrl\":\"wss://x\"}",
			      "r", "StartSession"};
	char *empty_url[] = {"session-manager-plugin",
			     "{\"SessionId\":\"s\",\"TokenValue\":\"AAEAAQtoken\",\"StreamUrl\":\"\"}",
			     "r", "StartSession"};
	char *number_id[] = {"session-manager-plugin",
			     "{\"SessionId\":1,\"TokenValue\":\"AAEAAQtoken\",\"StreamUrl\":\"w\"}",
			     "r", "StartSession"};
	char *bad_request[] = {"session-manager-plugin", (char *)response, "r", "StartSession",
			       "", "not json"};
	char *no_target[] = {"session-manager-plugin", (char *)response, "r", "StartSession", "",
			     "{\"DocumentName\":\"X\"}"};

	plugin_refuses(ARGC(operation), operation, "invalid operation 'ResumeSession'");
	plugin_refuses(ARGC(unset), unset, "AWS_SSM_START_SESSION_RESPONSE_X is not set");
	plugin_refuses(ARGC(not_json), not_json, "response (argument 1) is not a JSON object");
	plugin_refuses(ARGC(array), array, "is not a JSON object");
	plugin_refuses(ARGC(no_id), no_id, "no SessionId string");
	plugin_refuses(ARGC(null_token), null_token, "no TokenValue string");
	plugin_refuses(ARGC(empty_url), empty_url, "no StreamUrl string");
	plugin_refuses(ARGC(number_id), number_id, "no SessionId string");
	plugin_refuses(ARGC(bad_request), bad_request, "request (argument 5) is not a JSON object");
	plugin_refuses(ARGC(no_target), no_target, "no Target string");
}
