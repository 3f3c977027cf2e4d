/*
 * test_payload_ack.c — the acknowledge payload (data-channel.md §5.1): the §9.1
 * test vector byte for byte, decoding, Go-style key handling and every error.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "payload.h"
#include "proto_err.h"
#include "test_payload_util.h"
#include "test_util.h"

/* data-channel.md §9.1: the 176-byte payload. */
static const char ack_91[] =
	"{\"AcknowledgedMessageType\":\"output_stream_data\","
	"\"AcknowledgedMessageId\":\"7c9e6679-7425-40de-944b-e07fc1f90ae7\","
	"\"AcknowledgedMessageSequenceNumber\":0,\"IsSequentialMessage\":true}";

/* data-channel.md §9.1: the whole 296-byte frame carrying it. */
static const char frame_91_hex[] =
	"0000007461636b6e6f776c65646765202020202020202020202020202020202020202020"
	"000000010000018bcfe56800000000000000000000000000000000038e7f9a0b1c2d3e4f"
	"6f1c2d3e4a5b4c6d02cd971e905da746e9806c71debc018f7a2b9aadb4d1322f19da9fe4"
	"b4878ef700000000000000b07b2241636b6e6f776c65646765644d657373616765547970"
	"65223a226f75747075745f73747265616d5f64617461222c2241636b6e6f776c65646765"
	"644d6573736167654964223a2237633965363637392d373432352d343064652d39343462"
	"2d653037666331663930616537222c2241636b6e6f776c65646765644d65737361676553"
	"657175656e63654e756d626572223a302c22497353657175656e7469616c4d6573736167"
	"65223a747275657d";

static struct payload_ack ack_91_struct(void)
{
	struct payload_ack ack = { .sequence_number = 0, .is_sequential = true };

	strcpy(ack.message_type, "output_stream_data");
	cr_assert_eq(uuid_parse("7c9e6679-7425-40de-944b-e07fc1f90ae7", &ack.message_id), PROTO_OK);
	return ack;
}

static int decode(const char *text, struct payload_ack *ack)
{
	return payload_ack_decode(PT_IN(text), ack);
}

Test(payload_ack, encodes_the_91_vector_byte_for_byte)
{
	struct payload_ack ack = ack_91_struct();
	uint8_t *out;
	size_t n;
	int rc = payload_ack_encode(&ack, &out, &n);

	cr_assert_eq(strlen(ack_91), 176);
	pt_expect_encoded(rc, out, n, ack_91);
}

Test(payload_ack, matches_the_payload_inside_the_91_frame)
{
	struct payload_ack ack = ack_91_struct();
	size_t frame_len, n;
	uint8_t *frame = hex_decode_alloc(frame_91_hex, &frame_len);
	uint8_t *out;

	cr_assert_not_null(frame);
	cr_assert_eq(frame_len, 296);
	cr_assert_eq(payload_ack_encode(&ack, &out, &n), PROTO_OK);
	cr_assert_eq(n, frame_len - 120);
	cr_assert(memcmp(out, frame + 120, n) == 0);
	free(out);
	free(frame);
}

Test(payload_ack, decodes_the_91_vector)
{
	struct payload_ack want = ack_91_struct(), got;

	cr_assert_eq(decode(ack_91, &got), PROTO_OK);
	cr_assert_str_eq(got.message_type, "output_stream_data");
	cr_assert(uuid_equal(&got.message_id, &want.message_id));
	cr_assert_eq(got.sequence_number, 0);
	cr_assert_eq(got.is_sequential, true);
}

Test(payload_ack, round_trips_every_field)
{
	struct payload_ack ack = { .sequence_number = INT64_MAX, .is_sequential = false }, got;
	uint8_t *out;
	size_t n;

	strcpy(ack.message_type, "input_stream_data");
	for (int i = 0; i < UUID_LEN; i++)
		ack.message_id.b[i] = (uint8_t)(0xf0 + i);
	cr_assert_eq(payload_ack_encode(&ack, &out, &n), PROTO_OK);
	cr_assert_eq(payload_ack_decode(pt_exact(out, n), n, &got), PROTO_OK);
	cr_assert_str_eq(got.message_type, "input_stream_data");
	cr_assert(uuid_equal(&got.message_id, &ack.message_id));
	cr_assert_eq(got.sequence_number, INT64_MAX);
	cr_assert_eq(got.is_sequential, false);
	pt_expect_encoded(PROTO_OK, out, n,
			  "{\"AcknowledgedMessageType\":\"input_stream_data\","
			  "\"AcknowledgedMessageId\":\"f0f1f2f3-f4f5-f6f7-f8f9-fafbfcfdfeff\","
			  "\"AcknowledgedMessageSequenceNumber\":9223372036854775807,"
			  "\"IsSequentialMessage\":false}");
}

Test(payload_ack, keys_match_case_insensitively)
{
	struct payload_ack got;

	cr_assert_eq(decode("{\"acknowledgedmessagetype\":\"x\",\"ACKNOWLEDGEDMESSAGEID\":"
			    "\"7C9E6679-7425-40DE-944B-E07FC1F90AE7\","
			    "\"acknowledgedMessageSequenceNumber\":42,"
			    "\"issequentialmessage\":true}",
			    &got),
		     PROTO_OK);
	cr_assert_str_eq(got.message_type, "x");
	cr_assert_eq(got.message_id.b[0], 0x7c);
	cr_assert_eq(got.sequence_number, 42);
	cr_assert(got.is_sequential);
}

Test(payload_ack, unknown_keys_and_missing_optional_keys)
{
	struct payload_ack got, zero;

	memset(&zero, 0, sizeof(zero));
	cr_assert_eq(decode("{\"Extra\":{\"deep\":[1,2,{}]},"
			    "\"AcknowledgedMessageSequenceNumber\":7,\"More\":null}",
			    &got),
		     PROTO_OK);
	cr_assert_eq(got.sequence_number, 7);
	cr_assert_str_eq(got.message_type, "");
	cr_assert(uuid_equal(&got.message_id, &zero.message_id));
	cr_assert_eq(got.is_sequential, false);
}

Test(payload_ack, sequence_number_is_required)
{
	struct payload_ack got;

	cr_assert_eq(decode("{}", &got), PROTO_E_FIELD_MISSING);
	cr_assert_eq(decode("{\"AcknowledgedMessageSequenceNumber\":null}", &got),
		     PROTO_E_FIELD_MISSING);
}

Test(payload_ack, field_errors)
{
	static const struct {
		const char *json;
		int rc;
	} cases[] = {
		{ "{\"AcknowledgedMessageSequenceNumber\":-1}", PROTO_E_FIELD_RANGE },
		{ "{\"AcknowledgedMessageSequenceNumber\":1.0}", PROTO_E_FIELD_RANGE },
		{ "{\"AcknowledgedMessageSequenceNumber\":2.5}", PROTO_E_FIELD_RANGE },
		{ "{\"AcknowledgedMessageSequenceNumber\":9223372036854775808}",
		  PROTO_E_FIELD_RANGE },
		{ "{\"AcknowledgedMessageSequenceNumber\":\"5\"}", PROTO_E_FIELD_TYPE },
		{ "{\"AcknowledgedMessageSequenceNumber\":true}", PROTO_E_FIELD_TYPE },
		{ "{\"AcknowledgedMessageSequenceNumber\":1,\"AcknowledgedMessageId\":\"nope\"}",
		  PROTO_E_UUID },
		{ "{\"AcknowledgedMessageSequenceNumber\":1,\"AcknowledgedMessageId\":\"\"}",
		  PROTO_E_UUID },
		{ "{\"AcknowledgedMessageSequenceNumber\":1,\"AcknowledgedMessageId\":"
		  "\"7c9e6679-7425-40de-944b-e07fc1f90ae7 \"}",
		  PROTO_E_UUID },
		{ "{\"AcknowledgedMessageSequenceNumber\":1,\"AcknowledgedMessageId\":7}",
		  PROTO_E_FIELD_TYPE },
		{ "{\"AcknowledgedMessageSequenceNumber\":1,\"AcknowledgedMessageType\":7}",
		  PROTO_E_FIELD_TYPE },
		{ "{\"AcknowledgedMessageSequenceNumber\":1,"
		  "\"AcknowledgedMessageType\":\"123456789012345678901234567890123\"}",
		  PROTO_E_FIELD_RANGE },
		{ "{\"AcknowledgedMessageSequenceNumber\":1,\"IsSequentialMessage\":\"true\"}",
		  PROTO_E_FIELD_TYPE },
		{ "{\"AcknowledgedMessageSequenceNumber\":1,\"IsSequentialMessage\":1}",
		  PROTO_E_FIELD_TYPE },
		{ "", PROTO_E_JSON },
		{ "[]", PROTO_E_JSON },
		{ "{\"AcknowledgedMessageSequenceNumber\":1", PROTO_E_JSON },
		{ "{\"AcknowledgedMessageSequenceNumber\":1}}", PROTO_E_JSON },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct payload_ack got, zero;

		memset(&got, 0xa5, sizeof(got));
		memset(&zero, 0, sizeof(zero));
		cr_assert_eq(decode(cases[i].json, &got), cases[i].rc, "%s -> %s", cases[i].json,
			     proto_err_str(decode(cases[i].json, &got)));
		cr_assert(memcmp(&got, &zero, sizeof(got)) == 0, "not zeroed after %s",
			  cases[i].json);
	}
}

Test(payload_ack, longest_message_type_fits)
{
	struct payload_ack got;

	cr_assert_eq(decode("{\"AcknowledgedMessageSequenceNumber\":1,"
			    "\"AcknowledgedMessageType\":\"12345678901234567890123456789012\"}",
			    &got),
		     PROTO_OK);
	cr_assert_eq(strlen(got.message_type), 32);
}

Test(payload_ack, size_cap)
{
	char *ok = pt_make_text("{\"AcknowledgedMessageSequenceNumber\":3", ' ', PAYLOAD_JSON_MAX,
				"}");
	char *big = pt_make_text("{\"AcknowledgedMessageSequenceNumber\":3", ' ',
				 PAYLOAD_JSON_MAX + 1, "}");
	struct payload_ack got;

	cr_assert_eq(decode(ok, &got), PROTO_OK);
	cr_assert_eq(got.sequence_number, 3);
	cr_assert_eq(decode(big, &got), PROTO_E_TOO_LARGE);
	free(ok);
	free(big);
}

Test(payload_ack, encode_refuses_bad_arguments)
{
	struct payload_ack ack = ack_91_struct();
	uint8_t *out = NULL;
	size_t n;

	ack.sequence_number = -1;
	cr_assert_eq(payload_ack_encode(&ack, &out, &n), PROTO_E_INVALID_ARG);
	ack.sequence_number = 0;
	memset(ack.message_type, 'a', sizeof(ack.message_type)); /* no NUL */
	cr_assert_eq(payload_ack_encode(&ack, &out, &n), PROTO_E_INVALID_ARG);
	strcpy(ack.message_type, "\xff");
	cr_assert_eq(payload_ack_encode(&ack, &out, &n), PROTO_E_INVALID_ARG);
	cr_assert_null(out);
}
