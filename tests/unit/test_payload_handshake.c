/*
 * test_payload_handshake.c — HandshakeRequest (data-channel.md §5.5),
 * HandshakeResponse (§5.6) and HandshakeComplete (§5.7): the documented JSON
 * byte for byte, SessionType / KMSEncryption / unknown actions, every result
 * shape, round trips, Go-style keys and every error.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "payload.h"
#include "proto_err.h"
#include "test_payload_util.h"

#define KMS_KEY "arn:aws:kms:us-east-1:111122223333:key/\xe2\x80\xa6"

/* ---- HandshakeRequest ---------------------------------------------------- */

static const char req_port[] =
	"{\"AgentVersion\":\"3.3.0.0\",\"RequestedClientActions\":[{\"ActionType\":\"SessionType\","
	"\"ActionParameters\":{\"SessionType\":\"Port\",\"Properties\":{\"portNumber\":\"22\"}}}]}";

static const char req_kms[] =
	"{\"AgentVersion\":\"3.3.0.0\",\"RequestedClientActions\":[{\"ActionType\":\"SessionType\","
	"\"ActionParameters\":{\"SessionType\":\"Standard_Stream\",\"Properties\":null}},"
	"{\"ActionType\":\"KMSEncryption\",\"ActionParameters\":{\"KMSKeyId\":\"" KMS_KEY "\","
	"\"Challenge\":\"q83vEjRWeJCrze8SNFZ4kA==\"}}]}";

static int req_decode(const char *json, struct payload_handshake_request *req)
{
	return payload_handshake_request_decode(PT_IN(json), req);
}

Test(payload_handshake_request, encodes_the_55_port_example)
{
	struct payload_requested_action a = {
		.action_type = (char *)"SessionType",
		.session_type = (char *)"Port",
		.properties = (char *)"{\"portNumber\":\"22\"}",
	};
	struct payload_handshake_request req = {
		.agent_version = (char *)"3.3.0.0", .actions = &a, .n_actions = 1,
	};
	uint8_t *out;
	size_t n;
	int rc = payload_handshake_request_encode(&req, &out, &n);

	pt_expect_encoded(rc, out, n, req_port);
}

Test(payload_handshake_request, encodes_the_55_kms_example)
{
	struct payload_requested_action a[2] = {
		{ .action_type = (char *)"SessionType", .session_type = (char *)"Standard_Stream" },
		{ .action_type = (char *)"KMSEncryption", .kms_key_id = (char *)KMS_KEY,
		  .challenge = (char *)"q83vEjRWeJCrze8SNFZ4kA==" },
	};
	struct payload_handshake_request req = {
		.agent_version = (char *)"3.3.0.0", .actions = a, .n_actions = 2,
	};
	uint8_t *out;
	size_t n;
	int rc = payload_handshake_request_encode(&req, &out, &n);

	pt_expect_encoded(rc, out, n, req_kms);
}

Test(payload_handshake_request, decodes_the_55_examples)
{
	struct payload_handshake_request req;

	cr_assert_eq(req_decode(req_port, &req), PROTO_OK);
	cr_assert_str_eq(req.agent_version, "3.3.0.0");
	cr_assert_eq(req.n_actions, 1);
	cr_assert_eq(payload_action_kind_of(req.actions[0].action_type),
		     PAYLOAD_ACTION_SESSION_TYPE);
	cr_assert_str_eq(req.actions[0].session_type, "Port");
	cr_assert_str_eq(req.actions[0].properties, "{\"portNumber\":\"22\"}");
	cr_assert_null(req.actions[0].kms_key_id);
	cr_assert_null(req.actions[0].parameters);
	payload_handshake_request_free(&req);

	cr_assert_eq(req_decode(req_kms, &req), PROTO_OK);
	cr_assert_eq(req.n_actions, 2);
	cr_assert_str_eq(req.actions[0].session_type, "Standard_Stream");
	cr_assert_null(req.actions[0].properties);
	cr_assert_eq(payload_action_kind_of(req.actions[1].action_type),
		     PAYLOAD_ACTION_KMS_ENCRYPTION);
	cr_assert_str_eq(req.actions[1].kms_key_id, KMS_KEY);
	cr_assert_str_eq(req.actions[1].challenge, "q83vEjRWeJCrze8SNFZ4kA==");
	payload_handshake_request_free(&req);
	cr_assert_null(req.actions);
}

Test(payload_handshake_request, properties_are_kept_compact_in_order)
{
	struct payload_handshake_request req;
	uint8_t *out;
	size_t n;
	int rc;

	cr_assert_eq(req_decode("{ \"AgentVersion\" : \"3.3.0.0\" , "
				"\"RequestedClientActions\" : [ {\"ActionType\":\"SessionType\","
				"\"ActionParameters\":{\"SessionType\":\"Port\",\"Properties\":{ "
				"\"portNumber\" : \"5432\", \"type\" : \"LocalPortForwarding\", "
				"\"localPortNumber\":\"15432\", \"host\":\"db.internal\" , "
				"\"n\" : [ 1 , 2 ] } } } ] }",
				&req),
		     PROTO_OK);
	cr_assert_str_eq(req.actions[0].properties,
			 "{\"portNumber\":\"5432\",\"type\":\"LocalPortForwarding\","
			 "\"localPortNumber\":\"15432\",\"host\":\"db.internal\",\"n\":[1,2]}");
	rc = payload_handshake_request_encode(&req, &out, &n);
	pt_expect_encoded(rc, out, n,
			  "{\"AgentVersion\":\"3.3.0.0\",\"RequestedClientActions\":[{"
			  "\"ActionType\":\"SessionType\",\"ActionParameters\":{"
			  "\"SessionType\":\"Port\",\"Properties\":{\"portNumber\":\"5432\","
			  "\"type\":\"LocalPortForwarding\",\"localPortNumber\":\"15432\","
			  "\"host\":\"db.internal\",\"n\":[1,2]}}}]}");
	payload_handshake_request_free(&req);
}

Test(payload_handshake_request, kms_without_challenge_round_trips_without_it)
{
	static const char json[] =
		"{\"AgentVersion\":\"3.0.0.0\",\"RequestedClientActions\":[{\"ActionType\":"
		"\"KMSEncryption\",\"ActionParameters\":{\"KMSKeyId\":\"alias/x\"}}]}";
	struct payload_handshake_request req;
	uint8_t *out;
	size_t n;
	int rc;

	cr_assert_eq(req_decode(json, &req), PROTO_OK);
	cr_assert_str_eq(req.actions[0].kms_key_id, "alias/x");
	cr_assert_null(req.actions[0].challenge);
	rc = payload_handshake_request_encode(&req, &out, &n);
	pt_expect_encoded(rc, out, n, json);
	payload_handshake_request_free(&req);
}

Test(payload_handshake_request, unknown_actions_are_kept_by_name)
{
	static const char json[] =
		"{\"AgentVersion\":\"9.0.0.0\",\"RequestedClientActions\":[{\"ActionType\":"
		"\"FutureThing\",\"ActionParameters\":{\"x\":[1,{\"y\":null}],\"z\":\"w\"}},"
		"{\"ActionType\":\"Bare\",\"ActionParameters\":null},"
		"{\"ActionType\":\"Scalar\",\"ActionParameters\":\"text\"},"
		"{\"ActionType\":\"sessiontype\",\"ActionParameters\":7}]}";
	struct payload_handshake_request req;
	uint8_t *out;
	size_t n;
	int rc;

	cr_assert_eq(req_decode(json, &req), PROTO_OK);
	cr_assert_eq(req.n_actions, 4);
	for (size_t i = 0; i < 4; i++)
		cr_assert_eq(payload_action_kind_of(req.actions[i].action_type),
			     PAYLOAD_ACTION_UNKNOWN);
	cr_assert_str_eq(req.actions[0].action_type, "FutureThing");
	cr_assert_str_eq(req.actions[0].parameters, "{\"x\":[1,{\"y\":null}],\"z\":\"w\"}");
	cr_assert_null(req.actions[1].parameters);
	cr_assert_str_eq(req.actions[2].parameters, "\"text\"");
	cr_assert_str_eq(req.actions[3].parameters, "7");
	rc = payload_handshake_request_encode(&req, &out, &n);
	pt_expect_encoded(rc, out, n, json);
	payload_handshake_request_free(&req);
}

Test(payload_handshake_request, keys_match_case_insensitively)
{
	struct payload_handshake_request req;

	cr_assert_eq(req_decode("{\"agentversion\":\"1.2.3.4\",\"requestedclientactions\":[{"
				"\"ACTIONTYPE\":\"SessionType\",\"actionparameters\":{"
				"\"sessiontype\":\"InteractiveCommands\","
				"\"PROPERTIES\":{\"a\":1}}}],"
				"\"Ignored\":{\"RequestedClientActions\":5}}",
				&req),
		     PROTO_OK);
	cr_assert_str_eq(req.agent_version, "1.2.3.4");
	cr_assert_eq(req.n_actions, 1);
	cr_assert_str_eq(req.actions[0].session_type, "InteractiveCommands");
	cr_assert_str_eq(req.actions[0].properties, "{\"a\":1}");
	payload_handshake_request_free(&req);
}

Test(payload_handshake_request, zero_values)
{
	struct payload_handshake_request req;

	cr_assert_eq(req_decode("{}", &req), PROTO_OK);
	cr_assert_str_eq(req.agent_version, "");
	cr_assert_eq(req.n_actions, 0);
	cr_assert_null(req.actions);
	payload_handshake_request_free(&req);

	cr_assert_eq(req_decode("{\"RequestedClientActions\":null}", &req), PROTO_OK);
	cr_assert_eq(req.n_actions, 0);
	payload_handshake_request_free(&req);

	cr_assert_eq(req_decode("{\"RequestedClientActions\":[]}", &req), PROTO_OK);
	cr_assert_eq(req.n_actions, 0);
	payload_handshake_request_free(&req);

	/* a null element is an action with every key missing */
	cr_assert_eq(req_decode("{\"RequestedClientActions\":[null,{\"ActionType\":"
				"\"SessionType\"}]}",
				&req),
		     PROTO_OK);
	cr_assert_eq(req.n_actions, 2);
	cr_assert_str_eq(req.actions[0].action_type, "");
	cr_assert_null(req.actions[0].parameters);
	cr_assert_str_eq(req.actions[1].session_type, "");
	cr_assert_null(req.actions[1].properties);
	payload_handshake_request_free(&req);
}

Test(payload_handshake_request, empty_list_encodes_as_empty_array)
{
	struct payload_handshake_request req = { .agent_version = (char *)"3.3.0.0" };
	uint8_t *out;
	size_t n;
	int rc = payload_handshake_request_encode(&req, &out, &n);

	pt_expect_encoded(rc, out, n,
			  "{\"AgentVersion\":\"3.3.0.0\",\"RequestedClientActions\":[]}");
}

Test(payload_handshake_request, field_errors)
{
	static const struct {
		const char *json;
		int rc;
	} cases[] = {
		{ "{\"AgentVersion\":3.3}", PROTO_E_FIELD_TYPE },
		{ "{\"RequestedClientActions\":{}}", PROTO_E_FIELD_TYPE },
		{ "{\"RequestedClientActions\":\"SessionType\"}", PROTO_E_FIELD_TYPE },
		{ "{\"RequestedClientActions\":[1]}", PROTO_E_FIELD_TYPE },
		{ "{\"RequestedClientActions\":[{\"ActionType\":\"SessionType\"},[]]}",
		  PROTO_E_FIELD_TYPE },
		{ "{\"RequestedClientActions\":[{\"ActionType\":5}]}", PROTO_E_FIELD_TYPE },
		{ "{\"RequestedClientActions\":[{\"ActionType\":\"SessionType\","
		  "\"ActionParameters\":\"Port\"}]}",
		  PROTO_E_FIELD_TYPE },
		{ "{\"RequestedClientActions\":[{\"ActionType\":\"SessionType\","
		  "\"ActionParameters\":{\"SessionType\":1}}]}",
		  PROTO_E_FIELD_TYPE },
		{ "{\"RequestedClientActions\":[{\"ActionType\":\"KMSEncryption\","
		  "\"ActionParameters\":[]}]}",
		  PROTO_E_FIELD_TYPE },
		{ "{\"RequestedClientActions\":[{\"ActionType\":\"KMSEncryption\","
		  "\"ActionParameters\":{\"KMSKeyId\":{}}}]}",
		  PROTO_E_FIELD_TYPE },
		{ "{\"RequestedClientActions\":[{\"ActionType\":\"KMSEncryption\","
		  "\"ActionParameters\":{\"KMSKeyId\":\"k\",\"Challenge\":16}}]}",
		  PROTO_E_FIELD_TYPE },
		{ "{\"RequestedClientActions\":[{\"ActionType\":\"SessionType\","
		  "\"ActionParameters\":{\"Properties\":{\"a\":1e999}}}]}",
		  PROTO_E_FIELD_RANGE },
		{ "{\"RequestedClientActions\":[{\"ActionType\":\"X\"},{\"ActionType\":\"Y\"}",
		  PROTO_E_JSON },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct payload_handshake_request req;
		int rc = req_decode(cases[i].json, &req);

		cr_assert_eq(rc, cases[i].rc, "%s -> %s", cases[i].json, proto_err_str(rc));
		cr_assert(req.actions == NULL && req.agent_version == NULL && req.n_actions == 0);
	}
}

Test(payload_handshake_request, later_action_error_frees_earlier_ones)
{
	struct payload_handshake_request req;

	/* three good actions with heap members, then a bad one (checked by ASan/LSan) */
	cr_assert_eq(req_decode("{\"AgentVersion\":\"v\",\"RequestedClientActions\":["
				"{\"ActionType\":\"SessionType\",\"ActionParameters\":{"
				"\"SessionType\":\"Port\",\"Properties\":{\"a\":\"b\"}}},"
				"{\"ActionType\":\"KMSEncryption\",\"ActionParameters\":{"
				"\"KMSKeyId\":\"k\",\"Challenge\":\"c\"}},"
				"{\"ActionType\":\"Other\",\"ActionParameters\":[1]},"
				"{\"ActionType\":\"SessionType\","
				"\"ActionParameters\":{\"Properties\":{},\"Extra\":1,"
				"\"sessionType\":false}}]}",
				&req),
		     PROTO_E_FIELD_TYPE);
}

Test(payload_handshake_request, action_count_is_capped)
{
	char json[32 * 40 + 200];
	struct payload_handshake_request req;
	size_t n = 0;

	n += (size_t)snprintf(json + n, sizeof(json) - n, "{\"RequestedClientActions\":[");
	for (size_t i = 0; i < PAYLOAD_ACTIONS_MAX; i++)
		n += (size_t)snprintf(json + n, sizeof(json) - n, "%s{\"ActionType\":\"A%zu\"}",
				      i ? "," : "", i);
	strcpy(json + n, "]}");
	cr_assert_eq(req_decode(json, &req), PROTO_OK);
	cr_assert_eq(req.n_actions, PAYLOAD_ACTIONS_MAX);
	cr_assert_str_eq(req.actions[PAYLOAD_ACTIONS_MAX - 1].action_type, "A31");
	payload_handshake_request_free(&req);
	strcpy(json + n, ",{}]}");
	cr_assert_eq(req_decode(json, &req), PROTO_E_TOO_LARGE);
}

Test(payload_handshake_request, encode_errors)
{
	struct payload_requested_action a = {
		.action_type = (char *)"SessionType",
		.session_type = (char *)"Port",
		.properties = (char *)"{\"portNumber\":",
	};
	struct payload_handshake_request req = {
		.agent_version = (char *)"3.3.0.0", .actions = &a, .n_actions = 1,
	};
	uint8_t *out = NULL;
	size_t n;

	cr_assert_eq(payload_handshake_request_encode(&req, &out, &n), PROTO_E_JSON);
	a.properties = (char *)"[1,2]"; /* any JSON value is embedded as such */
	cr_assert_eq(payload_handshake_request_encode(&req, &out, &n), PROTO_OK);
	free(out);
	out = NULL;
	a.session_type = NULL;
	cr_assert_eq(payload_handshake_request_encode(&req, &out, &n), PROTO_E_INVALID_ARG);
	a.session_type = (char *)"Port";
	a.action_type = NULL;
	cr_assert_eq(payload_handshake_request_encode(&req, &out, &n), PROTO_E_INVALID_ARG);
	a.action_type = (char *)"Other";
	a.parameters = (char *)"{oops}";
	cr_assert_eq(payload_handshake_request_encode(&req, &out, &n), PROTO_E_JSON);
	req.agent_version = NULL;
	a.parameters = NULL;
	cr_assert_eq(payload_handshake_request_encode(&req, &out, &n), PROTO_E_INVALID_ARG);
	req.agent_version = (char *)"v";
	req.actions = NULL;
	cr_assert_eq(payload_handshake_request_encode(&req, &out, &n), PROTO_E_INVALID_ARG);
	cr_assert_null(out);
}

Test(payload_handshake_request, action_kind_names)
{
	cr_assert_eq(payload_action_kind_of("SessionType"), PAYLOAD_ACTION_SESSION_TYPE);
	cr_assert_eq(payload_action_kind_of("KMSEncryption"), PAYLOAD_ACTION_KMS_ENCRYPTION);
	cr_assert_eq(payload_action_kind_of("kmsencryption"), PAYLOAD_ACTION_UNKNOWN);
	cr_assert_eq(payload_action_kind_of(""), PAYLOAD_ACTION_UNKNOWN);
	cr_assert_eq(payload_action_kind_of(NULL), PAYLOAD_ACTION_UNKNOWN);
}

/* ---- HandshakeResponse --------------------------------------------------- */

static const char resp_56[] =
	"{\"ClientVersion\":\"1.2.650.0\",\"ProcessedClientActions\":[{\"ActionType\":"
	"\"SessionType\",\"ActionStatus\":1,\"ActionResult\":null,\"Error\":\"\"}],"
	"\"Errors\":null}";

/* the §5.6 KMS success entry after a SessionType entry, CiphertextBlob 01 02 03 04 */
static const char resp_kms[] =
	"{\"ClientVersion\":\"1.2.650.0\",\"ProcessedClientActions\":[{\"ActionType\":"
	"\"SessionType\",\"ActionStatus\":1,\"ActionResult\":null,\"Error\":\"\"},"
	"{\"ActionType\":\"KMSEncryption\",\"ActionStatus\":1,\"ActionResult\":{"
	"\"KMSCipherTextKey\":\"AQIDBA==\",\"KMSCipherTextHash\":null},\"Error\":\"\"}],"
	"\"Errors\":null}";

static int resp_decode(const char *json, struct payload_handshake_response *resp)
{
	return payload_handshake_response_decode(PT_IN(json), resp);
}

static int resp_encode_text(const struct payload_handshake_response *resp, char **text)
{
	uint8_t *out;
	size_t n;
	int rc = payload_handshake_response_encode(resp, &out, &n);

	if (rc == PROTO_OK)
		*text = pt_text(out, n);
	return rc;
}

Test(payload_handshake_response, encodes_the_56_example)
{
	struct payload_processed_action a = {
		.action_type = (char *)"SessionType",
		.action_status = PAYLOAD_ACTION_STATUS_SUCCESS,
		.error = (char *)"",
	};
	struct payload_handshake_response resp = {
		.client_version = (char *)"1.2.650.0", .actions = &a, .n_actions = 1,
	};
	uint8_t *out;
	size_t n;
	int rc = payload_handshake_response_encode(&resp, &out, &n);

	pt_expect_encoded(rc, out, n, resp_56);
}

Test(payload_handshake_response, encodes_the_56_kms_entry)
{
	static uint8_t blob[] = { 1, 2, 3, 4 };
	struct payload_processed_action a[2] = {
		{ .action_type = (char *)"SessionType", .action_status = 1, .error = (char *)"" },
		{ .action_type = (char *)"KMSEncryption", .action_status = 1,
		  .result_kind = PAYLOAD_RESULT_KMS,
		  .kms = { .cipher_text_key = blob, .cipher_text_key_len = sizeof(blob) },
		  .error = (char *)"" },
	};
	struct payload_handshake_response resp = {
		.client_version = (char *)"1.2.650.0", .actions = a, .n_actions = 2,
	};
	uint8_t *out;
	size_t n;
	int rc = payload_handshake_response_encode(&resp, &out, &n);

	pt_expect_encoded(rc, out, n, resp_kms);
}

Test(payload_handshake_response, decodes_the_56_examples)
{
	struct payload_handshake_response resp;

	cr_assert_eq(resp_decode(resp_56, &resp), PROTO_OK);
	cr_assert_str_eq(resp.client_version, "1.2.650.0");
	cr_assert_eq(resp.n_actions, 1);
	cr_assert_str_eq(resp.actions[0].action_type, "SessionType");
	cr_assert_eq(resp.actions[0].action_status, PAYLOAD_ACTION_STATUS_SUCCESS);
	cr_assert_eq(resp.actions[0].result_kind, PAYLOAD_RESULT_NULL);
	cr_assert_str_eq(resp.actions[0].error, "");
	cr_assert_null(resp.errors);
	cr_assert_eq(resp.n_errors, 0);
	payload_handshake_response_free(&resp);

	cr_assert_eq(resp_decode(resp_kms, &resp), PROTO_OK);
	cr_assert_eq(resp.n_actions, 2);
	cr_assert_eq(resp.actions[1].result_kind, PAYLOAD_RESULT_KMS);
	cr_assert_eq(resp.actions[1].kms.cipher_text_key_len, 4);
	cr_assert(memcmp(resp.actions[1].kms.cipher_text_key, "\1\2\3\4", 4) == 0);
	cr_assert_null(resp.actions[1].kms.cipher_text_hash);
	cr_assert_eq(resp.actions[1].kms.challenge_ack, false);
	payload_handshake_response_free(&resp);
}

Test(payload_handshake_response, kms_result_every_field_round_trips)
{
	static const char json[] =
		"{\"ClientVersion\":\"2.0.0.0\",\"ProcessedClientActions\":[{\"ActionType\":"
		"\"KMSEncryption\",\"ActionStatus\":1,\"ActionResult\":{\"KMSCipherTextKey\":"
		"\"/+8=\",\"KMSCipherTextHash\":\"\",\"ChallengeAcknowledgement\":true},"
		"\"Error\":\"\"}],\"Errors\":[]}";
	struct payload_handshake_response resp;
	char *text;

	cr_assert_eq(resp_decode(json, &resp), PROTO_OK);
	cr_assert_eq(resp.actions[0].kms.cipher_text_key_len, 2);
	cr_assert_eq(resp.actions[0].kms.cipher_text_key[0], 0xff);
	cr_assert_not_null(resp.actions[0].kms.cipher_text_hash);
	cr_assert_eq(resp.actions[0].kms.cipher_text_hash_len, 0);
	cr_assert(resp.actions[0].kms.challenge_ack);
	cr_assert_not_null(resp.errors);
	cr_assert_eq(resp.n_errors, 0);
	cr_assert_eq(resp_encode_text(&resp, &text), PROTO_OK);
	cr_assert_str_eq(text, json);
	free(text);
	payload_handshake_response_free(&resp);
}

Test(payload_handshake_response, failures_and_errors_round_trip)
{
	static const char json[] =
		"{\"ClientVersion\":\"1.2.650.0\",\"ProcessedClientActions\":[{\"ActionType\":"
		"\"KMSEncryption\",\"ActionStatus\":2,\"ActionResult\":null,\"Error\":"
		"\"Installed version of CLI does not support Session Manager encryption "
		"feature.\"},"
		"{\"ActionType\":\"Unheard\",\"ActionStatus\":0,\"ActionResult\":3,\"Error\":\"\"},"
		"{\"ActionType\":\"SessionType\",\"ActionStatus\":3,\"ActionResult\":{\"b\":[true],"
		"\"a\":\"x\"},\"Error\":\"nope\"}],\"Errors\":[\"first\",\"second\"]}";
	struct payload_handshake_response resp;
	char *text;

	cr_assert_eq(resp_decode(json, &resp), PROTO_OK);
	cr_assert_eq(resp.actions[0].action_status, PAYLOAD_ACTION_STATUS_FAILED);
	cr_assert_eq(resp.actions[0].result_kind, PAYLOAD_RESULT_NULL);
	cr_assert_eq(resp.actions[1].action_status, 0);
	cr_assert_eq(resp.actions[1].result_kind, PAYLOAD_RESULT_RAW);
	cr_assert_str_eq(resp.actions[1].result, "3");
	cr_assert_eq(resp.actions[2].action_status, PAYLOAD_ACTION_STATUS_UNSUPPORTED);
	cr_assert_str_eq(resp.actions[2].result, "{\"b\":[true],\"a\":\"x\"}");
	cr_assert_str_eq(resp.actions[2].error, "nope");
	cr_assert_eq(resp.n_errors, 2);
	cr_assert_str_eq(resp.errors[0], "first");
	cr_assert_str_eq(resp.errors[1], "second");
	cr_assert_null(resp.errors[2]);
	cr_assert_eq(resp_encode_text(&resp, &text), PROTO_OK);
	cr_assert_str_eq(text, json);
	free(text);
	payload_handshake_response_free(&resp);
}

Test(payload_handshake_response, keys_match_case_insensitively)
{
	struct payload_handshake_response resp;

	cr_assert_eq(resp_decode("{\"clientversion\":\"1\",\"processedclientactions\":[{"
				 "\"actiontype\":\"KMSEncryption\",\"actionstatus\":1,"
				 "\"actionresult\":{\"kmsciphertextkey\":\"AA==\","
				 "\"challengeacknowledgement\":true},\"ERROR\":\"e\"}],"
				 "\"errors\":[\"x\"],\"Unknown\":1}",
				 &resp),
		     PROTO_OK);
	cr_assert_str_eq(resp.client_version, "1");
	cr_assert_eq(resp.actions[0].result_kind, PAYLOAD_RESULT_KMS);
	cr_assert_eq(resp.actions[0].kms.cipher_text_key_len, 1);
	cr_assert(resp.actions[0].kms.challenge_ack);
	cr_assert_str_eq(resp.actions[0].error, "e");
	cr_assert_str_eq(resp.errors[0], "x");
	payload_handshake_response_free(&resp);
}

Test(payload_handshake_response, zero_values)
{
	struct payload_handshake_response resp;

	cr_assert_eq(resp_decode("{\"ProcessedClientActions\":[{},null]}", &resp), PROTO_OK);
	cr_assert_str_eq(resp.client_version, "");
	cr_assert_eq(resp.n_actions, 2);
	for (size_t i = 0; i < 2; i++) {
		cr_assert_str_eq(resp.actions[i].action_type, "");
		cr_assert_eq(resp.actions[i].action_status, 0);
		cr_assert_eq(resp.actions[i].result_kind, PAYLOAD_RESULT_NULL);
		cr_assert_str_eq(resp.actions[i].error, "");
	}
	cr_assert_null(resp.errors);
	payload_handshake_response_free(&resp);
}

Test(payload_handshake_response, field_errors)
{
	static const struct {
		const char *json;
		int rc;
	} cases[] = {
		{ "{\"ClientVersion\":1}", PROTO_E_FIELD_TYPE },
		{ "{\"ProcessedClientActions\":{}}", PROTO_E_FIELD_TYPE },
		{ "{\"ProcessedClientActions\":[\"x\"]}", PROTO_E_FIELD_TYPE },
		{ "{\"ProcessedClientActions\":[{\"ActionStatus\":\"1\"}]}", PROTO_E_FIELD_TYPE },
		{ "{\"ProcessedClientActions\":[{\"ActionStatus\":2147483648}]}",
		  PROTO_E_FIELD_RANGE },
		{ "{\"ProcessedClientActions\":[{\"ActionStatus\":-2147483649}]}",
		  PROTO_E_FIELD_RANGE },
		{ "{\"ProcessedClientActions\":[{\"ActionStatus\":1.0}]}", PROTO_E_FIELD_RANGE },
		{ "{\"ProcessedClientActions\":[{\"Error\":false}]}", PROTO_E_FIELD_TYPE },
		{ "{\"ProcessedClientActions\":[{\"ActionType\":\"KMSEncryption\","
		  "\"ActionResult\":3}]}",
		  PROTO_E_FIELD_TYPE },
		{ "{\"ProcessedClientActions\":[{\"ActionType\":\"KMSEncryption\","
		  "\"ActionResult\":{\"KMSCipherTextKey\":\"AQ=\"}}]}",
		  PROTO_E_BASE64 },
		{ "{\"ProcessedClientActions\":[{\"ActionType\":\"KMSEncryption\","
		  "\"ActionResult\":{\"KMSCipherTextKey\":[1]}}]}",
		  PROTO_E_FIELD_TYPE },
		{ "{\"ProcessedClientActions\":[{\"ActionType\":\"KMSEncryption\","
		  "\"ActionResult\":{\"KMSCipherTextKey\":\"AA==\","
		  "\"KMSCipherTextHash\":\"!!!!\"}}]}",
		  PROTO_E_BASE64 },
		{ "{\"ProcessedClientActions\":[{\"ActionType\":\"KMSEncryption\","
		  "\"ActionResult\":{\"KMSCipherTextKey\":\"AA==\","
		  "\"ChallengeAcknowledgement\":1}}]}",
		  PROTO_E_FIELD_TYPE },
		{ "{\"Errors\":\"x\"}", PROTO_E_FIELD_TYPE },
		{ "{\"Errors\":[\"a\",2]}", PROTO_E_FIELD_TYPE },
		{ "{\"Errors\":[{}]}", PROTO_E_FIELD_TYPE },
		{ "{\"ProcessedClientActions\":[{\"ActionType\":\"KMSEncryption\",\"ActionResult\":"
		  "{\"KMSCipherTextKey\":\"AAAA\"}}],\"Errors\":[7]}",
		  PROTO_E_FIELD_TYPE },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct payload_handshake_response resp;
		int rc = resp_decode(cases[i].json, &resp);

		cr_assert_eq(rc, cases[i].rc, "%s -> %s", cases[i].json, proto_err_str(rc));
		cr_assert(resp.actions == NULL && resp.errors == NULL &&
			  resp.client_version == NULL);
	}
}

Test(payload_handshake_response, list_caps)
{
	char json[64 * 8 + 100];
	struct payload_handshake_response resp;
	size_t n = 0;

	n += (size_t)snprintf(json + n, sizeof(json) - n, "{\"Errors\":[");
	for (size_t i = 0; i <= PAYLOAD_ACTIONS_MAX; i++)
		n += (size_t)snprintf(json + n, sizeof(json) - n, "%s\"e\"", i ? "," : "");
	strcpy(json + n, "]}");
	cr_assert_eq(resp_decode(json, &resp), PROTO_E_TOO_LARGE);
	n = 0;
	n += (size_t)snprintf(json + n, sizeof(json) - n, "{\"ProcessedClientActions\":[");
	for (size_t i = 0; i <= PAYLOAD_ACTIONS_MAX; i++)
		n += (size_t)snprintf(json + n, sizeof(json) - n, "%s{}", i ? "," : "");
	strcpy(json + n, "]}");
	cr_assert_eq(resp_decode(json, &resp), PROTO_E_TOO_LARGE);
}

Test(payload_handshake_response, encode_errors)
{
	struct payload_processed_action a = {
		.action_type = (char *)"X", .result_kind = PAYLOAD_RESULT_RAW,
		.result = (char *)"{", .error = (char *)"",
	};
	char *errs[] = { (char *)"ok", NULL };
	struct payload_handshake_response resp = {
		.client_version = (char *)"1", .actions = &a, .n_actions = 1,
	};
	char *text = NULL;

	cr_assert_eq(resp_encode_text(&resp, &text), PROTO_E_JSON);
	a.result = NULL; /* raw NULL is written as null */
	cr_assert_eq(resp_encode_text(&resp, &text), PROTO_OK);
	cr_assert(strstr(text, "\"ActionResult\":null") != NULL);
	free(text);
	text = NULL;
	a.result_kind = (enum payload_result_kind)9;
	cr_assert_eq(resp_encode_text(&resp, &text), PROTO_E_INVALID_ARG);
	a.result_kind = PAYLOAD_RESULT_NULL;
	a.error = NULL;
	cr_assert_eq(resp_encode_text(&resp, &text), PROTO_E_INVALID_ARG);
	a.error = (char *)"";
	resp.errors = errs;
	resp.n_errors = 2; /* a NULL entry inside the count */
	cr_assert_eq(resp_encode_text(&resp, &text), PROTO_E_INVALID_ARG);
	resp.n_errors = 1;
	cr_assert_eq(resp_encode_text(&resp, &text), PROTO_OK);
	cr_assert(strstr(text, "\"Errors\":[\"ok\"]}") != NULL);
	free(text);
	text = NULL;
	resp.actions = NULL;
	cr_assert_eq(resp_encode_text(&resp, &text), PROTO_E_INVALID_ARG);
	cr_assert_null(text);
}

/* ---- HandshakeComplete --------------------------------------------------- */

static const char hc_57[] =
	"{\"HandshakeTimeToComplete\":1523000000,"
	"\"CustomerMessage\":\"This session is encrypted using AWS KMS.\"}";

Test(payload_handshake_complete, encodes_and_decodes_the_57_example)
{
	struct payload_handshake_complete hc = {
		.time_to_complete_ns = 1523000000,
		.customer_message = (char *)"This session is encrypted using AWS KMS.",
	}, got;
	uint8_t *out;
	size_t n;
	int rc = payload_handshake_complete_encode(&hc, &out, &n);

	pt_expect_encoded(rc, out, n, hc_57);
	cr_assert_eq(payload_handshake_complete_decode(PT_IN(hc_57), &got), PROTO_OK);
	cr_assert_eq(got.time_to_complete_ns, 1523000000);
	cr_assert_str_eq(got.customer_message, "This session is encrypted using AWS KMS.");
	payload_handshake_complete_free(&got);
}

Test(payload_handshake_complete, int64_extremes_round_trip)
{
	static const int64_t values[] = { INT64_MIN, -1, 0, INT64_MAX };

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct payload_handshake_complete hc = {
			.time_to_complete_ns = values[i], .customer_message = (char *)"",
		}, got;
		uint8_t *out;
		size_t n;

		cr_assert_eq(payload_handshake_complete_encode(&hc, &out, &n), PROTO_OK);
		cr_assert_eq(payload_handshake_complete_decode(pt_exact(out, n), n, &got),
			     PROTO_OK);
		cr_assert_eq(got.time_to_complete_ns, values[i]);
		cr_assert_str_eq(got.customer_message, "");
		payload_handshake_complete_free(&got);
		free(out);
	}
}

Test(payload_handshake_complete, zero_values_and_errors)
{
	struct payload_handshake_complete got;

	cr_assert_eq(payload_handshake_complete_decode(PT_IN("{\"customermessage\":null}"), &got),
		     PROTO_OK);
	cr_assert_eq(got.time_to_complete_ns, 0);
	cr_assert_str_eq(got.customer_message, "");
	payload_handshake_complete_free(&got);
	cr_assert_eq(payload_handshake_complete_decode(
			     PT_IN("{\"HandshakeTimeToComplete\":9223372036854775808}"), &got),
		     PROTO_E_FIELD_RANGE);
	cr_assert_eq(payload_handshake_complete_decode(
			     PT_IN("{\"HandshakeTimeToComplete\":1.523e9}"), &got),
		     PROTO_E_FIELD_RANGE);
	cr_assert_eq(payload_handshake_complete_decode(
			     PT_IN("{\"HandshakeTimeToComplete\":\"1s\"}"), &got),
		     PROTO_E_FIELD_TYPE);
	cr_assert_eq(payload_handshake_complete_decode(
			     PT_IN("{\"HandshakeTimeToComplete\":1,\"CustomerMessage\":[]}"), &got),
		     PROTO_E_FIELD_TYPE);
	cr_assert_null(got.customer_message);
}

Test(payload_handshake_request, reals_in_properties_grow_but_still_encode)
{
	static const char head[] = "{\"RequestedClientActions\":[{\"ActionType\":\"SessionType\","
				   "\"ActionParameters\":{\"Properties\":[1e9";
	static const char tail[] = "]}}]}";
	size_t reals = (PAYLOAD_JSON_MAX - sizeof(head) - sizeof(tail)) / 4;
	char *json = malloc(PAYLOAD_JSON_MAX + 1);
	struct payload_handshake_request req;
	uint8_t *out;
	size_t n = 0;

	cr_assert_not_null(json);
	memcpy(json, head, sizeof(head) - 1);
	n = sizeof(head) - 1;
	for (size_t i = 1; i < reals; i++, n += 4)
		memcpy(json + n, ",1e9", 4);
	memcpy(json + n, tail, sizeof(tail));
	cr_assert_leq(strlen(json), PAYLOAD_JSON_MAX);
	cr_assert_eq(req_decode(json, &req), PROTO_OK);
	/* every "1e9" comes back as "1000000000.0": about 3.25 times longer */
	cr_assert_eq(payload_handshake_request_encode(&req, &out, &n), PROTO_OK);
	cr_assert_gt(n, 3 * PAYLOAD_JSON_MAX);
	free(out);
	payload_handshake_request_free(&req);
	free(json);
}

/* Whether out[0..len) contains needle. */
static bool bytes_contain(const uint8_t *out, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(out + i, needle, n) == 0)
			return true;
	return false;
}

/* postern's capability extension: present only when set, round-trips, and an
 * official-shaped response (no key) has none. */
Test(payload_handshake_response, postern_capabilities)
{
	static const char official[] =
		"{\"ClientVersion\":\"1.2.650.0\",\"ProcessedClientActions\":[],\"Errors\":null}";
	char *caps[] = {"exit-code", "smux.v2", NULL};
	struct payload_handshake_response resp = {.client_version = "0.1.0",
						   .capabilities = caps, .n_capabilities = 2};
	struct payload_handshake_response back;
	uint8_t *out;
	size_t len;

	cr_assert_eq(payload_handshake_response_encode(&resp, &out, &len), PROTO_OK);
	cr_assert(bytes_contain(out, len, "\"PosternCapabilities\":[\"exit-code\",\"smux.v2\"]"));
	cr_assert_eq(payload_handshake_response_decode(out, len, &back), PROTO_OK);
	cr_assert(payload_has_capability(&back, PAYLOAD_CAP_EXIT_CODE));
	cr_assert_not(payload_has_capability(&back, "nope"));
	payload_handshake_response_free(&back);
	free(out);

	resp.capabilities = NULL;
	resp.n_capabilities = 0;
	cr_assert_eq(payload_handshake_response_encode(&resp, &out, &len), PROTO_OK);
	cr_assert_not(bytes_contain(out, len, "PosternCapabilities"));
	free(out);
	cr_assert_eq(payload_handshake_response_decode((const uint8_t *)official,
						       sizeof(official) - 1, &back), PROTO_OK);
	cr_assert_not(payload_has_capability(&back, PAYLOAD_CAP_EXIT_CODE));
	payload_handshake_response_free(&back);
}

/* The same extension in the agent's request: byte-exact when set, absent
 * when not, and an official request (no key) offers nothing. */
Test(payload_handshake_request, postern_capabilities)
{
	static const char want[] =
		"{\"AgentVersion\":\"3.3.0.0\",\"RequestedClientActions\":[],"
		"\"PosternCapabilities\":[\"smux-v2\",\"large-messages\"]}";
	static const char official[] =
		"{\"AgentVersion\":\"3.3.0.0\",\"RequestedClientActions\":[]}";
	char *caps[] = {PAYLOAD_CAP_SMUX_V2, PAYLOAD_CAP_LARGE_MESSAGES, NULL};
	struct payload_handshake_request req = {.agent_version = "3.3.0.0",
						 .capabilities = caps, .n_capabilities = 2};
	struct payload_handshake_request back;
	uint8_t *out;
	size_t len;

	cr_assert_eq(payload_handshake_request_encode(&req, &out, &len), PROTO_OK);
	cr_assert_eq(len, sizeof(want) - 1);
	cr_assert_arr_eq(out, want, len);
	cr_assert_eq(payload_handshake_request_decode(out, len, &back), PROTO_OK);
	cr_assert(payload_caps_have(back.capabilities, back.n_capabilities, PAYLOAD_CAP_SMUX_V2));
	cr_assert(payload_caps_have(back.capabilities, back.n_capabilities,
				    PAYLOAD_CAP_LARGE_MESSAGES));
	cr_assert_not(payload_caps_have(back.capabilities, back.n_capabilities, "exit-code"));
	payload_handshake_request_free(&back);
	free(out);

	req.capabilities = NULL;
	req.n_capabilities = 0;
	cr_assert_eq(payload_handshake_request_encode(&req, &out, &len), PROTO_OK);
	cr_assert_eq(len, sizeof(official) - 1);
	cr_assert_arr_eq(out, official, len);
	free(out);
	cr_assert_eq(payload_handshake_request_decode((const uint8_t *)official,
						      sizeof(official) - 1, &back), PROTO_OK);
	cr_assert_null(back.capabilities);
	cr_assert_not(payload_caps_have(back.capabilities, back.n_capabilities,
					PAYLOAD_CAP_SMUX_V2));
	payload_handshake_request_free(&back);

	/* a capability that is not a string is refused */
	static const char bad[] = "{\"AgentVersion\":\"3.3.0.0\",\"RequestedClientActions\":[],"
				  "\"PosternCapabilities\":[1]}";
	cr_assert_lt(payload_handshake_request_decode((const uint8_t *)bad, sizeof(bad) - 1, &back),
		     0);
}
