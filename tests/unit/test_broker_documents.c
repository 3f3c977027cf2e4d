/*
 * test_broker_documents.c — the built-in session documents: each port
 * document's properties byte for byte after substitution, defaults, required
 * parameters, and every kind of bad value refused with a message naming it.
 */
#include "../../broker/document_values.h"
#include "../../broker/documents.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

/* Resolve doc_name with params (JSON text or NULL); expect success and the
 * given properties and parameters text. */
static void expect_resolved(const char *doc_name, const char *params, const char *want_props,
			    const char *want_params)
{
	const struct document *doc = documents_find(doc_name);
	json_t *p = params ? json_loads(params, 0, NULL) : NULL;
	char *params_out, *props_out, err[256] = "";

	cr_assert_not_null(doc, "%s", doc_name);
	cr_assert_eq(documents_resolve(doc, p, &params_out, &props_out, err, sizeof(err)), 0,
		     "%s %s: %s", doc_name, params ? params : "-", err);
	cr_assert_str_eq(props_out, want_props);
	cr_assert_str_eq(params_out, want_params);
	free(params_out);
	free(props_out);
	json_decref(p);
}

/* Expect refusal with a message containing needle, and nothing allocated. */
static void expect_refused(const char *doc_name, const char *params, const char *needle)
{
	const struct document *doc = documents_find(doc_name);
	json_t *p = json_loads(params, 0, NULL);
	char *params_out = (char *)1, *props_out = (char *)1, err[256] = "";

	cr_assert_not_null(p, "test JSON %s", params);
	cr_assert_eq(documents_resolve(doc, p, &params_out, &props_out, err, sizeof(err)), -1,
		     "%s accepted", params);
	cr_assert_null(params_out);
	cr_assert_null(props_out);
	cr_assert(strstr(err, needle), "'%s' lacks '%s'", err, needle);
	json_decref(p);
}

Test(documents, shell_has_no_properties)
{
	const struct document *doc = documents_find("SSM-SessionManagerRunShell");

	cr_assert_str_eq(doc->session_type, "Standard_Stream");
	expect_resolved("SSM-SessionManagerRunShell", NULL, "null", "{}");
	cr_assert_null(documents_find("AWS-NoSuchDocument"));
}

Test(documents, ssh_session)
{
	cr_assert_str_eq(documents_find("AWS-StartSSHSession")->session_type, "Port");
	expect_resolved("AWS-StartSSHSession", NULL, "{\"portNumber\":\"22\"}",
			"{\"portNumber\":[\"22\"]}");
	expect_resolved("AWS-StartSSHSession", "{\"portNumber\":[\"2222\"]}",
			"{\"portNumber\":\"2222\"}", "{\"portNumber\":[\"2222\"]}");
}

Test(documents, port_forwarding)
{
	expect_resolved("AWS-StartPortForwardingSession",
			"{\"portNumber\":[\"5432\"],\"localPortNumber\":[\"15432\"]}",
			"{\"portNumber\":\"5432\",\"type\":\"LocalPortForwarding\","
			"\"localPortNumber\":\"15432\"}",
			"{\"localPortNumber\":[\"15432\"],\"portNumber\":[\"5432\"]}");
	expect_resolved("AWS-StartPortForwardingSession", "{}",
			"{\"portNumber\":\"80\",\"type\":\"LocalPortForwarding\","
			"\"localPortNumber\":\"0\"}",
			"{\"localPortNumber\":[\"0\"],\"portNumber\":[\"80\"]}");
}

Test(documents, port_forwarding_to_remote_host)
{
	expect_resolved("AWS-StartPortForwardingSessionToRemoteHost",
			"{\"host\":[\"db.internal\"],\"portNumber\":[\"5432\"]}",
			"{\"host\":\"db.internal\",\"portNumber\":\"5432\","
			"\"type\":\"LocalPortForwarding\",\"localPortNumber\":\"0\"}",
			"{\"host\":[\"db.internal\"],\"localPortNumber\":[\"0\"],"
			"\"portNumber\":[\"5432\"]}");
	expect_resolved("AWS-StartPortForwardingSessionToRemoteHost",
			"{\"host\":[\"::1\"],\"portNumber\":[\"1\"],\"localPortNumber\":[\"65535\"]}",
			"{\"host\":\"::1\",\"portNumber\":\"1\",\"type\":\"LocalPortForwarding\","
			"\"localPortNumber\":\"65535\"}",
			"{\"host\":[\"::1\"],\"localPortNumber\":[\"65535\"],\"portNumber\":[\"1\"]}");
	expect_refused("AWS-StartPortForwardingSessionToRemoteHost", "{\"portNumber\":[\"5432\"]}",
		       "parameter host is required");
}

Test(documents, bad_parameters_refused)
{
	static const char *const bad_ports[] = {"0", "65536", "70000", "-1", "+22", "022",
						"22 ", " 22", "2a", "0x16", "99999999999999999999"};
	static const char *const bad_hosts[] = {
		"db.internal\"", "a b", "-a.example", "a-.example", "a..b", ".", "..",
		"1.2.3", "1.2.3.256", "256.1.1.1", "[::1]", "fe80::1%eth0", "::g",
		"host/path", "user@host", "a_b.example", "é.example",
	};
	char params[512];

	for (size_t i = 0; i < sizeof(bad_ports) / sizeof(bad_ports[0]); i++) {
		snprintf(params, sizeof(params), "{\"portNumber\":[\"%s\"]}", bad_ports[i]);
		expect_refused("AWS-StartPortForwardingSession", params,
			       "is not a port number from 1 to 65535");
	}
	expect_refused("AWS-StartPortForwardingSession", "{\"localPortNumber\":[\"65536\"]}",
		       "is not a port number from 0 to 65535");
	for (size_t i = 0; i < sizeof(bad_hosts) / sizeof(bad_hosts[0]); i++) {
		json_t *p = json_pack("{s:[s]}", "host", bad_hosts[i]);
		char *text = json_dumps(p, JSON_COMPACT);

		expect_refused("AWS-StartPortForwardingSessionToRemoteHost", text,
			       "is not a host name or an IPv4 or IPv6 address");
		free(text);
		json_decref(p);
	}
	expect_refused("AWS-StartSSHSession", "{\"host\":[\"x\"]}",
		       "document AWS-StartSSHSession has no parameter host");
	expect_refused("AWS-StartSSHSession", "{\"portNumber\":[\"22\",\"23\"]}",
		       "parameter portNumber takes exactly one value");
	expect_refused("AWS-StartSSHSession", "{\"portNumber\":\"22\"}",
		       "parameter portNumber takes exactly one value");
	expect_refused("AWS-StartSSHSession", "[]", "Parameters must be a map of lists");
}

Test(documents, host_values)
{
	static const char *const good[] = {
		"localhost", "db.internal", "db.internal.", "a", "xn--bcher-kva.example",
		"10.0.0.1", "127.0.0.1", "::1", "2001:db8::42", "::ffff:10.0.0.1",
		"a-b.c-d.example", "123.example",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		cr_assert(document_valid_host(good[i]), "%s refused", good[i]);
	char longest[DOCUMENT_HOST_MAX + 2];

	memset(longest, 'a', sizeof(longest));
	for (size_t i = 63; i < sizeof(longest); i += 64)
		longest[i] = '.';
	longest[DOCUMENT_HOST_MAX] = '\0';
	cr_assert(document_valid_host(longest));
	longest[DOCUMENT_HOST_MAX] = 'a';
	longest[DOCUMENT_HOST_MAX + 1] = '\0';
	cr_assert_not(document_valid_host(longest));
}
