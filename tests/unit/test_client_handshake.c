/*
 * test_client_handshake.c — the client's answer to a HandshakeRequest
 * (plugin/handshake.h; session-flow.md §2, data-channel.md §5.5–5.6): the
 * exact HandshakeResponse bytes for each kind of request (with postern's
 * PosternCapabilities extension), and the session kind chosen.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugin/client_err.h"
#include "../../plugin/handshake.h"

#define VERSION "1.2.650.0"

static const struct handshake_options shell_only = {VERSION, false};

static char *answer(const char *request, const struct handshake_options *opt,
		    struct handshake_outcome *out)
{
	uint8_t *resp = NULL;
	size_t len = 0;
	char *text;

	cr_assert_eq(handshake_answer((const uint8_t *)request, strlen(request), opt, &resp, &len,
				      out),
		     CLIENT_OK, "%s", request);
	text = malloc(len + 1);
	memcpy(text, resp, len);
	text[len] = '\0';
	free(resp);
	return text;
}

static void answers(const char *request, const struct handshake_options *opt,
		    const char *response, enum handshake_kind kind)
{
	struct handshake_outcome out;
	char *got = answer(request, opt, &out);

	cr_assert_str_eq(got, response);
	cr_assert_eq(out.kind, kind, "%s", request);
	free(got);
	handshake_outcome_free(&out);
}

#define REQ(actions) "{\"AgentVersion\":\"3.3.0.0\",\"RequestedClientActions\":[" actions "]}"
#define SESSION_TYPE(t) \
	"{\"ActionType\":\"SessionType\",\"ActionParameters\":{\"SessionType\":\"" t \
	"\",\"Properties\":null}}"
/* Every answer lists the client's postern capabilities (payload.h). */
#define CAPS ",\"PosternCapabilities\":[\"exit-code\",\"smux-v2\",\"large-messages\"]"
#define RESP(actions, errors) \
	"{\"ClientVersion\":\"" VERSION "\",\"ProcessedClientActions\":[" actions \
	"],\"Errors\":" errors CAPS "}"
#define OK_ACTION(type) \
	"{\"ActionType\":\"" type "\",\"ActionStatus\":1,\"ActionResult\":null,\"Error\":\"\"}"

Test(client_handshake, shell_types_succeed)
{
	answers(REQ(SESSION_TYPE("Standard_Stream")), &shell_only,
		RESP(OK_ACTION("SessionType"), "null"), HANDSHAKE_KIND_SHELL);
	answers(REQ(SESSION_TYPE("InteractiveCommands")), &shell_only,
		RESP(OK_ACTION("SessionType"), "null"), HANDSHAKE_KIND_SHELL);
	answers(REQ(SESSION_TYPE("NonInteractiveCommands")), &shell_only,
		RESP(OK_ACTION("SessionType"), "null"), HANDSHAKE_KIND_SHELL);
}

Test(client_handshake, outcome_keeps_what_the_agent_said)
{
	struct handshake_outcome out;
	char *got = answer(REQ(SESSION_TYPE("InteractiveCommands")), &shell_only, &out);

	cr_assert_str_eq(out.agent_version, "3.3.0.0");
	cr_assert_str_eq(out.session_type, "InteractiveCommands");
	cr_assert_null(out.properties);
	cr_assert_not(out.failed);
	cr_assert_str_eq(handshake_kind_name(out.kind), "shell");
	free(got);
	handshake_outcome_free(&out);
}

#define PORT_REQ                                                                       \
	REQ("{\"ActionType\":\"SessionType\",\"ActionParameters\":{\"SessionType\":\"Port\"," \
	    "\"Properties\":{\"portNumber\":\"22\"}}}")

Test(client_handshake, port_is_refused_until_supported)
{
	struct handshake_outcome out;
	char *got = answer(PORT_REQ, &shell_only, &out);

	cr_assert_str_eq(got,
			 RESP("{\"ActionType\":\"SessionType\",\"ActionStatus\":2,\"ActionResult\":"
			      "null,\"Error\":\"SessionType Port is not supported by this client\"}",
			      "[\"SessionType Port is not supported by this client\"]"));
	cr_assert_eq(out.kind, HANDSHAKE_KIND_NONE);
	cr_assert(out.failed);
	cr_assert_str_eq(out.error, "SessionType Port is not supported by this client");
	free(got);
	handshake_outcome_free(&out);
}

Test(client_handshake, port_when_supported_keeps_its_properties)
{
	const struct handshake_options with_port = {VERSION, true};
	struct handshake_outcome out;
	char *got = answer(PORT_REQ, &with_port, &out);

	cr_assert_str_eq(got, RESP(OK_ACTION("SessionType"), "null"));
	cr_assert_eq(out.kind, HANDSHAKE_KIND_PORT);
	cr_assert_str_eq(out.properties, "{\"portNumber\":\"22\"}");
	free(got);
	handshake_outcome_free(&out);
}

Test(client_handshake, unknown_session_type_fails)
{
	answers(REQ(SESSION_TYPE("Teleport")), &shell_only,
		RESP("{\"ActionType\":\"SessionType\",\"ActionStatus\":2,\"ActionResult\":null,"
		     "\"Error\":\"SessionType Teleport is not supported by this client\"}",
		     "[\"SessionType Teleport is not supported by this client\"]"),
		HANDSHAKE_KIND_NONE);
}

#define KMS_ERROR "session encryption (KMSEncryption) is not supported by this client yet"

Test(client_handshake, kms_fails_for_now)
{
	struct handshake_outcome out;
	char *got = answer(REQ(SESSION_TYPE("Standard_Stream") ",{\"ActionType\":\"KMSEncryption\","
				"\"ActionParameters\":{\"KMSKeyId\":\"alias/k\",\"Challenge\":"
				"\"q83vEjRWeJCrze8SNFZ4kA==\"}}"),
			   &shell_only, &out);

	cr_assert_str_eq(got, RESP(OK_ACTION("SessionType") ",{\"ActionType\":\"KMSEncryption\","
					   "\"ActionStatus\":2,\"ActionResult\":null,\"Error\":\"" KMS_ERROR
					   "\"}",
				   "[\"" KMS_ERROR "\"]"));
	cr_assert_eq(out.kind, HANDSHAKE_KIND_SHELL, "the session type itself was fine");
	cr_assert(out.failed);
	cr_assert_str_eq(out.error, KMS_ERROR);
	free(got);
	handshake_outcome_free(&out);
}

Test(client_handshake, unknown_action_is_unsupported)
{
	answers(REQ(SESSION_TYPE("Standard_Stream") ",{\"ActionType\":\"Telepathy\","
						    "\"ActionParameters\":{\"x\":1}}"),
		&shell_only,
		RESP(OK_ACTION("SessionType") ",{\"ActionType\":\"Telepathy\",\"ActionStatus\":3,"
					      "\"ActionResult\":null,\"Error\":\"action type Telepathy "
					      "is not supported\"}",
		     "[\"action type Telepathy is not supported\"]"),
		HANDSHAKE_KIND_SHELL);
}

Test(client_handshake, no_actions_at_all)
{
	answers("{\"AgentVersion\":\"3.3.0.0\",\"RequestedClientActions\":null}", &shell_only,
		"{\"ClientVersion\":\"" VERSION "\",\"ProcessedClientActions\":[],\"Errors\":null" CAPS
		"}",
		HANDSHAKE_KIND_NONE);
}

Test(client_handshake, malformed_requests)
{
	static const char *const bad[] = {
		"", "not json", "[]", "{\"RequestedClientActions\":7}",
		"{\"RequestedClientActions\":[{\"ActionType\":\"SessionType\",\"ActionParameters\":3}]}",
	};
	struct handshake_outcome out;
	uint8_t *resp = NULL;
	size_t len;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(handshake_answer((const uint8_t *)bad[i], strlen(bad[i]), &shell_only,
					      &resp, &len, &out),
			     CLIENT_E_PROTOCOL, "%s", bad[i]);
		cr_assert_null(resp);
		cr_assert_null(out.agent_version);
	}
}

/* The agent's own PosternCapabilities: smux v2 and large messages are used
 * only when it lists them too (the client always does). */
static void agent_caps(const char *caps_json, bool smux_v2, bool large)
{
	const struct handshake_options with_port = {VERSION, true};
	char req[512];
	struct handshake_outcome out;
	char *got;

	snprintf(req, sizeof(req),
		 "{\"AgentVersion\":\"3.3.0.0\",\"RequestedClientActions\":[{\"ActionType\":"
		 "\"SessionType\",\"ActionParameters\":{\"SessionType\":\"Port\",\"Properties\":"
		 "{\"portNumber\":\"22\"}}}]%s}",
		 caps_json);
	got = answer(req, &with_port, &out);
	cr_assert_str_eq(got, RESP(OK_ACTION("SessionType"), "null"), "%s", caps_json);
	cr_assert_eq(out.smux_v2, smux_v2, "%s", caps_json);
	cr_assert_eq(out.large_messages, large, "%s", caps_json);
	free(got);
	handshake_outcome_free(&out);
}

Test(client_handshake, capabilities_both_sides_listed)
{
	agent_caps("", false, false); /* an official agent */
	agent_caps(",\"PosternCapabilities\":null", false, false);
	agent_caps(",\"PosternCapabilities\":[]", false, false);
	agent_caps(",\"PosternCapabilities\":[\"smux-v2\"]", true, false);
	agent_caps(",\"PosternCapabilities\":[\"large-messages\"]", false, true);
	agent_caps(",\"PosternCapabilities\":[\"large-messages\",\"future\",\"smux-v2\"]", true,
		   true);
	agent_caps(",\"PosternCapabilities\":[\"SMUX-V2\",\"large\"]", false, false);
}
