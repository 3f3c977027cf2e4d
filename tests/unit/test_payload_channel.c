/*
 * test_payload_channel.c — OpenDataChannel (data-channel.md §1.2, both forms),
 * channel_closed (§5.2) and agent_session_state (§5.3): the documented JSON
 * byte for byte, decoding, round trips, zero values and every error.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "payload.h"
#include "proto_err.h"
#include "test_payload_util.h"

/* ---- channel_closed ------------------------------------------------------ */

static const char cc_52[] =
	"{\"MessageId\":\"5b3e2c1a-0f9d-4e8c-b7a6-9d8c7b6a5f4e\","
	"\"CreatedDate\":\"2023-11-14T22:13:20.000Z\",\"DestinationId\":\"i-0123456789abcdef0\","
	"\"SessionId\":\"alice-0a1b2c3d4e5f67890\",\"MessageType\":\"channel_closed\","
	"\"SchemaVersion\":1,\"Output\":\"\"}";

static struct payload_channel_closed cc_52_struct(void)
{
	return (struct payload_channel_closed){
		.message_id = (char *)"5b3e2c1a-0f9d-4e8c-b7a6-9d8c7b6a5f4e",
		.created_date = (char *)"2023-11-14T22:13:20.000Z",
		.destination_id = (char *)"i-0123456789abcdef0",
		.session_id = (char *)"alice-0a1b2c3d4e5f67890",
		.message_type = (char *)"channel_closed",
		.schema_version = 1,
		.output = (char *)"",
	};
}

Test(payload_channel_closed, encodes_the_52_example)
{
	struct payload_channel_closed cc = cc_52_struct();
	uint8_t *out;
	size_t n;
	int rc = payload_channel_closed_encode(&cc, &out, &n);

	pt_expect_encoded(rc, out, n, cc_52);
}

Test(payload_channel_closed, decodes_the_52_example)
{
	struct payload_channel_closed cc;

	cr_assert_eq(payload_channel_closed_decode(PT_IN(cc_52), &cc), PROTO_OK);
	cr_assert_str_eq(cc.message_id, "5b3e2c1a-0f9d-4e8c-b7a6-9d8c7b6a5f4e");
	cr_assert_str_eq(cc.created_date, "2023-11-14T22:13:20.000Z");
	cr_assert_str_eq(cc.destination_id, "i-0123456789abcdef0");
	cr_assert_str_eq(cc.session_id, "alice-0a1b2c3d4e5f67890");
	cr_assert_str_eq(cc.message_type, "channel_closed");
	cr_assert_eq(cc.schema_version, 1);
	cr_assert_str_eq(cc.output, "");
	payload_channel_closed_free(&cc);
	cr_assert_null(cc.output);
	payload_channel_closed_free(&cc); /* idempotent on a freed struct */
}

Test(payload_channel_closed, round_trips_text_that_needs_escaping)
{
	struct payload_channel_closed cc = cc_52_struct(), got;
	uint8_t *out;
	size_t n;
	char *text;

	cc.output = (char *)"\n----------ERROR-------\n\"quoted\" \\ tab\t \x01 "
			    "h\xc3\xa9 \xe2\x80\xa6";
	cc.schema_version = UINT32_MAX;
	cr_assert_eq(payload_channel_closed_encode(&cc, &out, &n), PROTO_OK);
	cr_assert_eq(payload_channel_closed_decode(pt_exact(out, n), n, &got), PROTO_OK);
	cr_assert_str_eq(got.output, cc.output);
	cr_assert_eq(got.schema_version, UINT32_MAX);
	cr_assert_str_eq(got.session_id, cc.session_id);
	payload_channel_closed_free(&got);
	text = pt_text(out, n);
	cr_assert(strstr(text, "\"Output\":\"\\n----------ERROR-------\\n\\\"quoted\\\" \\\\ "
			       "tab\\t \\u0001 h\xc3\xa9 \xe2\x80\xa6\"}") != NULL,
		  "%s", text);
	free(text);
}

Test(payload_channel_closed, missing_keys_read_as_empty_strings)
{
	struct payload_channel_closed cc;

	cr_assert_eq(payload_channel_closed_decode(PT_IN("{\"sessionid\":\"s\",\"output\":null,"
							 "\"Unknown\":[1]}"),
						   &cc),
		     PROTO_OK);
	cr_assert_str_eq(cc.session_id, "s");
	cr_assert_str_eq(cc.output, "");
	cr_assert_str_eq(cc.message_id, "");
	cr_assert_str_eq(cc.created_date, "");
	cr_assert_str_eq(cc.destination_id, "");
	cr_assert_str_eq(cc.message_type, "");
	cr_assert_eq(cc.schema_version, 0);
	payload_channel_closed_free(&cc);
}

Test(payload_channel_closed, field_errors)
{
	static const struct {
		const char *json;
		int rc;
	} cases[] = {
		{ "{\"SchemaVersion\":-1}", PROTO_E_FIELD_RANGE },
		{ "{\"SchemaVersion\":4294967296}", PROTO_E_FIELD_RANGE },
		{ "{\"SchemaVersion\":1.5}", PROTO_E_FIELD_RANGE },
		{ "{\"SchemaVersion\":\"1\"}", PROTO_E_FIELD_TYPE },
		{ "{\"Output\":5}", PROTO_E_FIELD_TYPE },
		{ "{\"MessageId\":\"a\",\"Output\":[]}", PROTO_E_FIELD_TYPE },
		{ "{\"SessionId\":{}}", PROTO_E_FIELD_TYPE },
		{ "{\"CreatedDate\":1700000000000}", PROTO_E_FIELD_TYPE },
		{ "\"channel_closed\"", PROTO_E_JSON },
		{ "{\"Output\":\"\\u0000\"}", PROTO_E_JSON },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct payload_channel_closed cc;
		int rc = payload_channel_closed_decode(PT_IN(cases[i].json), &cc);

		cr_assert_eq(rc, cases[i].rc, "%s -> %s", cases[i].json, proto_err_str(rc));
		cr_assert(cc.message_id == NULL && cc.output == NULL && cc.session_id == NULL);
	}
}

Test(payload_channel_closed, encode_refuses_null_and_bad_utf8)
{
	struct payload_channel_closed cc = cc_52_struct();
	uint8_t *out = NULL;
	size_t n;

	cc.output = NULL;
	cr_assert_eq(payload_channel_closed_encode(&cc, &out, &n), PROTO_E_INVALID_ARG);
	cc.output = (char *)"\xc3(";
	cr_assert_eq(payload_channel_closed_encode(&cc, &out, &n), PROTO_E_INVALID_ARG);
	cr_assert_null(out);
}

/* ---- agent_session_state ------------------------------------------------- */

static const char st_53[] =
	"{\"SchemaVersion\":1,\"SessionState\":\"Connected\","
	"\"SessionId\":\"alice-0a1b2c3d4e5f67890\"}";

Test(payload_session_state, encodes_and_decodes_the_53_example)
{
	struct payload_session_state st = {
		.schema_version = 1,
		.session_state = (char *)PAYLOAD_SESSION_STATE_CONNECTED,
		.session_id = (char *)"alice-0a1b2c3d4e5f67890",
	}, got;
	uint8_t *out;
	size_t n;
	int rc = payload_session_state_encode(&st, &out, &n);

	pt_expect_encoded(rc, out, n, st_53);
	cr_assert_eq(payload_session_state_decode(PT_IN(st_53), &got), PROTO_OK);
	cr_assert_eq(got.schema_version, 1);
	cr_assert_str_eq(got.session_state, "Connected");
	cr_assert_str_eq(got.session_id, "alice-0a1b2c3d4e5f67890");
	payload_session_state_free(&got);
}

Test(payload_session_state, terminating_round_trip)
{
	struct payload_session_state st = {
		.schema_version = 7,
		.session_state = (char *)PAYLOAD_SESSION_STATE_TERMINATING,
		.session_id = (char *)"",
	}, got;
	uint8_t *out;
	size_t n;

	cr_assert_eq(payload_session_state_encode(&st, &out, &n), PROTO_OK);
	cr_assert_eq(payload_session_state_decode(pt_exact(out, n), n, &got), PROTO_OK);
	cr_assert_eq(got.schema_version, 7);
	cr_assert_str_eq(got.session_state, "Terminating");
	cr_assert_str_eq(got.session_id, "");
	payload_session_state_free(&got);
	free(out);
}

Test(payload_session_state, case_insensitive_and_errors)
{
	struct payload_session_state got;

	cr_assert_eq(payload_session_state_decode(PT_IN("{\"SESSIONSTATE\":\"Terminating\","
							"\"schemaversion\":1}"),
						  &got),
		     PROTO_OK);
	cr_assert_str_eq(got.session_state, "Terminating");
	cr_assert_str_eq(got.session_id, "");
	payload_session_state_free(&got);
	cr_assert_eq(payload_session_state_decode(PT_IN("{\"SessionState\":1}"), &got),
		     PROTO_E_FIELD_TYPE);
	cr_assert_eq(payload_session_state_decode(PT_IN("{\"SchemaVersion\":-3}"), &got),
		     PROTO_E_FIELD_RANGE);
	cr_assert_eq(payload_session_state_decode(PT_IN("{\"SessionId\":true}"), &got),
		     PROTO_E_FIELD_TYPE);
	cr_assert_eq(payload_session_state_decode(PT_IN("nope"), &got), PROTO_E_JSON);
}

/* ---- OpenDataChannel ----------------------------------------------------- */

static const char odc_client[] =
	"{\"MessageSchemaVersion\":\"1.0\",\"RequestId\":\"3f6c1b8e-2d4a-4e0b-9c7d-5a1e2f3b4c5d\","
	"\"TokenValue\":\"<TokenValue from StartSession or ResumeSession>\","
	"\"ClientId\":\"9d1e0c3a-7b6f-4a2e-8f1d-0c9b8a7e6d5f\",\"ClientVersion\":\"1.2.0.0\"}";

static const char odc_agent[] =
	"{\"MessageSchemaVersion\":\"1.0\",\"RequestId\":\"<uuid>\","
	"\"TokenValue\":\"<token from CreateDataChannel>\","
	"\"ClientInstanceId\":\"i-0123456789abcdef0\",\"ClientId\":\"\"}";

Test(payload_open_data_channel, encodes_the_client_form)
{
	struct payload_open_data_channel odc = {
		.message_schema_version = (char *)"1.0",
		.request_id = (char *)"3f6c1b8e-2d4a-4e0b-9c7d-5a1e2f3b4c5d",
		.token_value = (char *)"<TokenValue from StartSession or ResumeSession>",
		.client_id = (char *)"9d1e0c3a-7b6f-4a2e-8f1d-0c9b8a7e6d5f",
		.client_version = (char *)"1.2.0.0",
	};
	uint8_t *out;
	size_t n;
	int rc = payload_open_data_channel_encode(&odc, &out, &n);

	pt_expect_encoded(rc, out, n, odc_client);
}

Test(payload_open_data_channel, encodes_the_released_plugin_form_without_version)
{
	struct payload_open_data_channel odc = {
		.message_schema_version = (char *)"1.0",
		.request_id = (char *)"r",
		.token_value = (char *)"t",
		.client_id = (char *)"c",
	};
	uint8_t *out;
	size_t n;
	int rc = payload_open_data_channel_encode(&odc, &out, &n);

	pt_expect_encoded(rc, out, n,
			  "{\"MessageSchemaVersion\":\"1.0\",\"RequestId\":\"r\","
			  "\"TokenValue\":\"t\",\"ClientId\":\"c\"}");
}

Test(payload_open_data_channel, encodes_the_agent_form)
{
	struct payload_open_data_channel odc = {
		.message_schema_version = (char *)"1.0",
		.request_id = (char *)"<uuid>",
		.token_value = (char *)"<token from CreateDataChannel>",
		.client_instance_id = (char *)"i-0123456789abcdef0",
		.client_id = (char *)"",
	};
	uint8_t *out;
	size_t n;
	int rc = payload_open_data_channel_encode(&odc, &out, &n);

	pt_expect_encoded(rc, out, n, odc_agent);
}

Test(payload_open_data_channel, decodes_the_client_form)
{
	struct payload_open_data_channel odc;

	cr_assert_eq(payload_open_data_channel_decode(PT_IN(odc_client), &odc), PROTO_OK);
	cr_assert_str_eq(odc.message_schema_version, "1.0");
	cr_assert_str_eq(odc.request_id, "3f6c1b8e-2d4a-4e0b-9c7d-5a1e2f3b4c5d");
	cr_assert_str_eq(odc.token_value, "<TokenValue from StartSession or ResumeSession>");
	cr_assert_str_eq(odc.client_id, "9d1e0c3a-7b6f-4a2e-8f1d-0c9b8a7e6d5f");
	cr_assert_str_eq(odc.client_version, "1.2.0.0");
	cr_assert_null(odc.client_instance_id);
	payload_open_data_channel_free(&odc);
}

Test(payload_open_data_channel, decodes_the_agent_form)
{
	struct payload_open_data_channel odc;

	cr_assert_eq(payload_open_data_channel_decode(PT_IN(odc_agent), &odc), PROTO_OK);
	cr_assert_str_eq(odc.token_value, "<token from CreateDataChannel>");
	cr_assert_str_eq(odc.client_instance_id, "i-0123456789abcdef0");
	cr_assert_str_eq(odc.client_id, "");
	cr_assert_null(odc.client_version);
	payload_open_data_channel_free(&odc);
}

Test(payload_open_data_channel, round_trip_with_every_field)
{
	struct payload_open_data_channel odc = {
		.message_schema_version = (char *)"1.0",
		.request_id = (char *)"q",
		.token_value = (char *)"tok",
		.client_instance_id = (char *)"i-1",
		.client_id = (char *)"cid",
		.client_version = (char *)"9.9",
	}, got;
	uint8_t *out;
	size_t n;

	cr_assert_eq(payload_open_data_channel_encode(&odc, &out, &n), PROTO_OK);
	cr_assert_eq(payload_open_data_channel_decode(pt_exact(out, n), n, &got), PROTO_OK);
	cr_assert_str_eq(got.request_id, "q");
	cr_assert_str_eq(got.token_value, "tok");
	cr_assert_str_eq(got.client_instance_id, "i-1");
	cr_assert_str_eq(got.client_id, "cid");
	cr_assert_str_eq(got.client_version, "9.9");
	payload_open_data_channel_free(&got);
	pt_expect_encoded(PROTO_OK, out, n,
			  "{\"MessageSchemaVersion\":\"1.0\",\"RequestId\":\"q\","
			  "\"TokenValue\":\"tok\",\"ClientInstanceId\":\"i-1\","
			  "\"ClientId\":\"cid\",\"ClientVersion\":\"9.9\"}");
}

Test(payload_open_data_channel, token_is_required)
{
	struct payload_open_data_channel odc;

	cr_assert_eq(payload_open_data_channel_decode(PT_IN("{\"RequestId\":\"r\"}"), &odc),
		     PROTO_E_FIELD_MISSING);
	cr_assert_null(odc.request_id);
	cr_assert_eq(payload_open_data_channel_decode(PT_IN("{\"TokenValue\":null}"), &odc),
		     PROTO_E_FIELD_MISSING);
	cr_assert_eq(payload_open_data_channel_decode(PT_IN("{\"TokenValue\":5}"), &odc),
		     PROTO_E_FIELD_TYPE);
	cr_assert_eq(payload_open_data_channel_decode(PT_IN("{\"tokenvalue\":\"\"}"), &odc),
		     PROTO_OK);
	cr_assert_str_eq(odc.token_value, "");
	cr_assert_str_eq(odc.message_schema_version, "");
	payload_open_data_channel_free(&odc);
}

Test(payload_open_data_channel, optional_fields_type_errors)
{
	struct payload_open_data_channel odc;

	cr_assert_eq(payload_open_data_channel_decode(
			     PT_IN("{\"TokenValue\":\"t\",\"ClientVersion\":1}"), &odc),
		     PROTO_E_FIELD_TYPE);
	cr_assert_eq(payload_open_data_channel_decode(
			     PT_IN("{\"TokenValue\":\"t\",\"ClientInstanceId\":[]}"), &odc),
		     PROTO_E_FIELD_TYPE);
	cr_assert_eq(payload_open_data_channel_decode(
			     PT_IN("{\"TokenValue\":\"t\",\"ClientVersion\":null}"), &odc),
		     PROTO_OK);
	cr_assert_null(odc.client_version);
	payload_open_data_channel_free(&odc);
}

Test(payload_open_data_channel, encode_refuses_missing_token)
{
	struct payload_open_data_channel odc = {
		.message_schema_version = (char *)"1.0",
		.request_id = (char *)"r",
		.client_id = (char *)"c",
	};
	uint8_t *out = NULL;
	size_t n;

	cr_assert_eq(payload_open_data_channel_encode(&odc, &out, &n), PROTO_E_INVALID_ARG);
	cr_assert_null(out);
}
