/*
 * test_worker_handshake.c — agent-side/worker_handshake.c: the agent's
 * HandshakeRequest, its judgement of the HandshakeResponse, and
 * HandshakeComplete (session-flow.md §2, data-channel.md §5.5–§5.7).
 *
 * Covers: the exact request bytes for a shell (Properties null, from NULL,
 * "" and "null"; the offered capabilities) and for a port session
 * (properties embedded, decoded back with proto's own decoder, capabilities
 * offered); malformed properties refused; a stock plugin's response
 * (accepted, no capability); a postern client's response (each capability
 * seen on its own: exit code, smux v2, large messages); failed, unsupported and status-0 actions, a response
 * without the SessionType action, and garbage, each refused with a sentence;
 * the exact HandshakeComplete bytes.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../agent-side/worker_handshake.h"
#include "payload.h"
#include "proto_err.h"

TestSuite(worker_handshake);

static void assert_payload(uint8_t *got, size_t len, const char *want)
{
	cr_assert_eq(len, strlen(want), "got '%.*s'", (int)len, (const char *)got);
	cr_assert_eq(memcmp(got, want, len), 0, "got '%.*s'", (int)len, (const char *)got);
	free(got);
}

Test(worker_handshake, shell_request_exact)
{
	static const char want[] =
		"{\"AgentVersion\":\"3.3.0.0\",\"RequestedClientActions\":[{\"ActionType\":"
		"\"SessionType\",\"ActionParameters\":{\"SessionType\":\"Standard_Stream\","
		"\"Properties\":null}}],\"PosternCapabilities\":[\"smux-v2\",\"large-messages\"]}";
	const char *props[] = {NULL, "", "null"};

	for (size_t i = 0; i < 3; i++) {
		uint8_t *out = NULL;
		size_t len = 0;

		cr_assert_eq(worker_hs_request("Standard_Stream", props[i], &out, &len), PROTO_OK);
		assert_payload(out, len, want);
	}
}

Test(worker_handshake, port_request_embeds_properties)
{
	struct payload_handshake_request req;
	uint8_t *out = NULL;
	size_t len = 0;

	cr_assert_eq(worker_hs_request("Port", "{\"portNumber\":\"22\",\"type\":\"LocalPortForwarding\"}",
				       &out, &len), PROTO_OK);
	cr_assert_eq(payload_handshake_request_decode(out, len, &req), PROTO_OK);
	free(out);
	cr_assert_str_eq(req.agent_version, "3.3.0.0");
	cr_assert_eq(req.n_actions, 1);
	cr_assert_str_eq(req.actions[0].action_type, "SessionType");
	cr_assert_str_eq(req.actions[0].session_type, "Port");
	cr_assert_str_eq(req.actions[0].properties,
			 "{\"portNumber\":\"22\",\"type\":\"LocalPortForwarding\"}");
	cr_assert_eq(req.n_capabilities, 2);
	cr_assert(payload_caps_have(req.capabilities, req.n_capabilities, PAYLOAD_CAP_SMUX_V2));
	cr_assert(payload_caps_have(req.capabilities, req.n_capabilities,
				    PAYLOAD_CAP_LARGE_MESSAGES));
	payload_handshake_request_free(&req);
}

Test(worker_handshake, malformed_properties_refused)
{
	uint8_t *out = NULL;
	size_t len = 0;

	cr_assert_eq(worker_hs_request("Port", "{\"portNumber\":", &out, &len), PROTO_E_JSON);
	cr_assert_null(out);
}

static int check(const char *json, struct worker_hs_result *res, char *why, size_t whylen)
{
	return worker_hs_check((const uint8_t *)json, strlen(json), res, why, whylen);
}

Test(worker_handshake, stock_plugin_response_accepted)
{
	struct worker_hs_result res;
	char why[256] = "";

	cr_assert_eq(check("{\"ClientVersion\":\"1.2.650.0\",\"ProcessedClientActions\":[{"
			   "\"ActionType\":\"SessionType\",\"ActionStatus\":1,\"ActionResult\":null,"
			   "\"Error\":\"\"}],\"Errors\":null}", &res, why, sizeof(why)), 0, "%s", why);
	cr_assert_not(res.exit_code);
	cr_assert_not(res.smux_v2);
	cr_assert_not(res.large_messages);
	cr_assert_str_eq(res.client_version, "1.2.650.0");
}

Test(worker_handshake, postern_capabilities_seen)
{
	struct worker_hs_result res;
	char why[256] = "";

	cr_assert_eq(check("{\"ClientVersion\":\"0.1.0\",\"ProcessedClientActions\":[{"
			   "\"ActionType\":\"SessionType\",\"ActionStatus\":1}],\"Errors\":null,"
			   "\"PosternCapabilities\":[\"future-thing\",\"exit-code\"]}", &res, why,
			   sizeof(why)), 0, "%s", why);
	cr_assert(res.exit_code);
	cr_assert_not(res.smux_v2);
	cr_assert_not(res.large_messages);
	cr_assert_eq(check("{\"ProcessedClientActions\":[{\"ActionType\":\"SessionType\","
			   "\"ActionStatus\":1}],\"PosternCapabilities\":[]}", &res, why,
			   sizeof(why)), 0);
	cr_assert_not(res.exit_code);
}

Test(worker_handshake, port_capabilities_each_on_its_own)
{
	static const struct {
		const char *caps;
		bool smux_v2, large;
	} cases[] = {
		{"[\"smux-v2\"]", true, false},
		{"[\"large-messages\"]", false, true},
		{"[\"large-messages\",\"exit-code\",\"smux-v2\"]", true, true},
		{"[\"smux-v3\",\"large\",\"SMUX-V2\"]", false, false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct worker_hs_result res;
		char json[512], why[256] = "";

		snprintf(json, sizeof(json), "{\"ClientVersion\":\"1.2.650.0\","
			 "\"ProcessedClientActions\":[{\"ActionType\":\"SessionType\","
			 "\"ActionStatus\":1}],\"PosternCapabilities\":%s}", cases[i].caps);
		cr_assert_eq(check(json, &res, why, sizeof(why)), 0, "case %zu: %s", i, why);
		cr_assert_eq(res.smux_v2, cases[i].smux_v2, "case %zu", i);
		cr_assert_eq(res.large_messages, cases[i].large, "case %zu", i);
	}
}

Test(worker_handshake, failures_refused_with_a_reason)
{
	static const struct {
		const char *json, *why;
	} cases[] = {
		{"{\"ProcessedClientActions\":[{\"ActionType\":\"SessionType\",\"ActionStatus\":2,"
		 "\"Error\":\"no such mode\"}]}", "SessionType (status 2): no such mode"},
		{"{\"ProcessedClientActions\":[{\"ActionType\":\"SessionType\",\"ActionStatus\":3}]}",
		 "status 3"},
		{"{\"ProcessedClientActions\":[{\"ActionType\":\"SessionType\",\"ActionStatus\":1},"
		 "{\"ActionType\":\"Telepathy\",\"ActionStatus\":0,\"ActionResult\":3}]}",
		 "Telepathy (status 0)"},
		{"{\"ProcessedClientActions\":[]}", "does not answer the SessionType"},
		{"{\"ProcessedClientActions\":null}", "does not answer the SessionType"},
		{"{\"ProcessedClientActions\":[{\"ActionType\":\"Other\",\"ActionStatus\":1}]}",
		 "does not answer the SessionType"},
		{"not json", "does not parse"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct worker_hs_result res;
		char why[256] = "";

		cr_assert_eq(check(cases[i].json, &res, why, sizeof(why)), -1, "case %zu", i);
		cr_assert(strstr(why, cases[i].why) != NULL, "case %zu: '%s'", i, why);
		cr_assert_not(res.exit_code);
	}
}

Test(worker_handshake, complete_exact)
{
	uint8_t *out = NULL;
	size_t len = 0;

	cr_assert_eq(worker_hs_complete(1523, &out, &len), PROTO_OK);
	assert_payload(out, len, "{\"HandshakeTimeToComplete\":1523000000,\"CustomerMessage\":\"\"}");
}
