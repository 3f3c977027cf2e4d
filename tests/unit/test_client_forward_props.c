/*
 * test_client_port_props.c — a Port session's Properties as the agent echoes
 * them in the handshake, and the listen address they choose
 * (plugin/forward_props.h; session-flow.md §4.2, cli-and-api.md §6.1).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "../../plugin/client_err.h"
#include "../../plugin/forward_props.h"

static struct forward_props parse(const char *json)
{
	struct forward_props p;
	char err[256] = "";

	cr_assert_eq(forward_props_parse(json, &p, err, sizeof(err)), CLIENT_OK, "%s: %s",
		     json ? json : "NULL", err);
	return p;
}

static void refuses(const char *json, const char *why)
{
	struct forward_props p;
	char err[256] = "";

	cr_assert_eq(forward_props_parse(json, &p, err, sizeof(err)), CLIENT_E_PROTOCOL, "%s",
		     json);
	cr_assert(strstr(err, why), "%s: '%s' does not say '%s'", json, err, why);
	cr_assert_str_eq(p.type, "");
}

Test(client_forward_props, the_documents_properties)
{
	struct forward_props p =
		parse("{\"host\":\"db.internal\",\"portNumber\":\"5432\","
		      "\"type\":\"LocalPortForwarding\",\"localPortNumber\":\"15432\"}");

	cr_assert_str_eq(p.port_number, "5432");
	cr_assert_str_eq(p.type, "LocalPortForwarding");
	cr_assert_str_eq(p.local_port_number, "15432");
	cr_assert_str_eq(p.local_unix_socket, "");
	cr_assert_str_eq(p.local_connection_type, "");
}

Test(client_forward_props, ssh_has_no_type)
{
	struct forward_props p = parse("{\"portNumber\":\"22\"}");

	cr_assert_str_eq(p.port_number, "22");
	cr_assert_str_eq(p.type, "");
}

Test(client_forward_props, null_missing_and_integers)
{
	struct forward_props p = parse("{\"portNumber\":22,\"type\":null,\"localPortNumber\":0}");

	cr_assert_str_eq(p.port_number, "22");
	cr_assert_str_eq(p.type, "");
	cr_assert_str_eq(p.local_port_number, "0");
	p = parse(NULL);
	cr_assert_str_eq(p.port_number, "");
	p = parse("null");
	cr_assert_str_eq(p.port_number, "");
	p = parse("{\"localUnixSocket\":\"/run/x.sock\",\"localConnectionType\":\"unix\","
		  "\"unknown\":[1,2]}");
	cr_assert_str_eq(p.local_unix_socket, "/run/x.sock");
	cr_assert_str_eq(p.local_connection_type, "unix");
}

Test(client_forward_props, refusals)
{
	char long_value[FORWARD_PROPS_TEXT_MAX + 40];

	refuses("[1]", "not a JSON object");
	refuses("\"x\"", "not a JSON object");
	refuses("{", "not a JSON object");
	refuses("{\"type\":true}", "type is not a string");
	refuses("{\"portNumber\":1.5}", "portNumber is not a string");
	refuses("{\"localPortNumber\":{\"a\":1}}", "localPortNumber is not a string");
	strcpy(long_value, "{\"localUnixSocket\":\"");
	memset(long_value + strlen(long_value), 'a', FORWARD_PROPS_TEXT_MAX + 1);
	strcpy(long_value + 20 + FORWARD_PROPS_TEXT_MAX + 1, "\"}");
	refuses(long_value, "localUnixSocket is too long");
	refuses("{\"type\":\"a\\u0000b\"}", "not a JSON object"); /* jansson refuses NUL */
}

static struct forward_listen listen_at(const char *json)
{
	struct forward_props p = parse(json);
	struct forward_listen l;
	char err[256] = "";

	cr_assert_eq(forward_props_listen(&p, &l, err, sizeof(err)), CLIENT_OK, "%s: %s", json,
		     err);
	return l;
}

static void listen_refused(const char *json, const char *why)
{
	struct forward_props p = parse(json);
	struct forward_listen l;
	char err[256] = "";

	cr_assert_eq(forward_props_listen(&p, &l, err, sizeof(err)), CLIENT_E_PROTOCOL, "%s", json);
	cr_assert(strstr(err, why), "%s: '%s' does not say '%s'", json, err, why);
}

Test(client_forward_listen, tcp_port_or_any_free_one)
{
	struct forward_listen l = listen_at("{\"localPortNumber\":\"15432\"}");

	cr_assert_eq(l.kind, FORWARD_LISTEN_TCP);
	cr_assert_eq(l.port, 15432);
	cr_assert_eq(listen_at("{\"localPortNumber\":\"65535\"}").port, 65535);
	cr_assert_eq(listen_at("{\"localPortNumber\":\"0\"}").port, 0);
	cr_assert_eq(listen_at("{\"localPortNumber\":\"\"}").port, 0);
	cr_assert_eq(listen_at("{}").port, 0);
	cr_assert_eq(listen_at("{\"localPortNumber\":\"00080\"}").port, 80);
	/* any localConnectionType but unix means TCP, as in the stock plugin */
	l = listen_at("{\"localConnectionType\":\"tcp\",\"localUnixSocket\":\"/x\","
		      "\"localPortNumber\":\"7\"}");
	cr_assert_eq(l.kind, FORWARD_LISTEN_TCP);
	cr_assert_eq(l.port, 7);
}

Test(client_forward_listen, bad_ports)
{
	listen_refused("{\"localPortNumber\":\"65536\"}", "'65536' is not a port number");
	listen_refused("{\"localPortNumber\":\"-1\"}", "'-1' is not a port number");
	listen_refused("{\"localPortNumber\":\"+80\"}", "not a port number");
	listen_refused("{\"localPortNumber\":\" 80\"}", "not a port number");
	listen_refused("{\"localPortNumber\":\"80a\"}", "not a port number");
	listen_refused("{\"localPortNumber\":\"1000000\"}", "not a port number");
}

Test(client_forward_listen, unix_socket)
{
	struct forward_listen l = listen_at("{\"localConnectionType\":\"unix\","
					    "\"localUnixSocket\":\"/tmp/db.sock\","
					    "\"localPortNumber\":\"nonsense\"}");
	char json[300];

	cr_assert_eq(l.kind, FORWARD_LISTEN_UNIX);
	cr_assert_str_eq(l.path, "/tmp/db.sock");
	listen_refused("{\"localConnectionType\":\"unix\"}", "localUnixSocket is empty");
	snprintf(json, sizeof(json),
		 "{\"localConnectionType\":\"unix\",\"localUnixSocket\":\"/%0*d\"}",
		 FORWARD_PROPS_PATH_MAX, 0); /* one byte over sun_path */
	listen_refused(json, "longer than 107 bytes");
	snprintf(json, sizeof(json),
		 "{\"localConnectionType\":\"unix\",\"localUnixSocket\":\"/%0*d\"}",
		 FORWARD_PROPS_PATH_MAX - 1, 0);
	cr_assert_eq(strlen(listen_at(json).path), FORWARD_PROPS_PATH_MAX);
}
