/*
 * test_payload_challenge.c — EncChallengeRequest / EncChallengeResponse
 * (data-channel.md §5.8): {"Challenge":"<base64>"} both ways, the decoded-size
 * cap and every malformed input.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "payload.h"
#include "proto_err.h"
#include "test_payload_util.h"

static int decode(const char *json, struct payload_enc_challenge *ch)
{
	return payload_enc_challenge_decode(PT_IN(json), ch);
}

Test(payload_enc_challenge, encodes_and_decodes_16_bytes)
{
	static const uint8_t bytes[16] = { 0xab, 0xcd, 0xef, 0x12, 0x34, 0x56, 0x78, 0x90,
					   0xab, 0xcd, 0xef, 0x12, 0x34, 0x56, 0x78, 0x90 };
	static const char json[] = "{\"Challenge\":\"q83vEjRWeJCrze8SNFZ4kA==\"}";
	struct payload_enc_challenge ch = { .challenge = (uint8_t *)bytes, .len = 16 }, got;
	uint8_t *out;
	size_t n;
	int rc = payload_enc_challenge_encode(&ch, &out, &n);

	pt_expect_encoded(rc, out, n, json);
	cr_assert_eq(decode(json, &got), PROTO_OK);
	cr_assert_eq(got.len, 16);
	cr_assert(memcmp(got.challenge, bytes, 16) == 0);
	payload_enc_challenge_free(&got);
	cr_assert_null(got.challenge);
}

Test(payload_enc_challenge, the_92_byte_challenge_round_trips)
{
	uint8_t bytes[92];
	struct payload_enc_challenge ch = { .challenge = bytes, .len = sizeof(bytes) }, got;
	uint8_t *out;
	size_t n;

	for (size_t i = 0; i < sizeof(bytes); i++)
		bytes[i] = (uint8_t)(i * 37 + 11);
	cr_assert_eq(payload_enc_challenge_encode(&ch, &out, &n), PROTO_OK);
	cr_assert_eq(n, strlen("{\"Challenge\":\"\"}") + 124);
	cr_assert_eq(payload_enc_challenge_decode(pt_exact(out, n), n, &got), PROTO_OK);
	cr_assert_eq(got.len, 92);
	cr_assert(memcmp(got.challenge, bytes, 92) == 0);
	payload_enc_challenge_free(&got);
	free(out);
}

Test(payload_enc_challenge, empty_and_case_insensitive)
{
	struct payload_enc_challenge ch = { 0 }, got;
	uint8_t *out;
	size_t n;
	int rc = payload_enc_challenge_encode(&ch, &out, &n);

	pt_expect_encoded(rc, out, n, "{\"Challenge\":\"\"}");
	cr_assert_eq(decode("{\"challenge\":\"\",\"other\":1}", &got), PROTO_OK);
	cr_assert_not_null(got.challenge);
	cr_assert_eq(got.len, 0);
	payload_enc_challenge_free(&got);
	cr_assert_eq(decode("{\"CHALLENGE\":\"AAE=\"}", &got), PROTO_OK);
	cr_assert(got.len == 2 && got.challenge[1] == 1);
	payload_enc_challenge_free(&got);
}

Test(payload_enc_challenge, decoded_size_cap)
{
	uint8_t *big = calloc(1, PAYLOAD_CHALLENGE_MAX + 1);
	struct payload_enc_challenge ch = { .challenge = big, .len = PAYLOAD_CHALLENGE_MAX }, got;
	uint8_t *out, *out2;
	size_t n, n2;

	cr_assert_not_null(big);
	cr_assert_eq(payload_enc_challenge_encode(&ch, &out, &n), PROTO_OK);
	cr_assert_eq(payload_enc_challenge_decode(pt_exact(out, n), n, &got), PROTO_OK);
	cr_assert_eq(got.len, PAYLOAD_CHALLENGE_MAX);
	payload_enc_challenge_free(&got);
	free(out);

	ch.len = PAYLOAD_CHALLENGE_MAX + 1;
	cr_assert_eq(payload_enc_challenge_encode(&ch, &out2, &n2), PROTO_E_INVALID_ARG);
	/* payloads one and two bytes over, built by hand: 1368 characters hold
	 * 1026 bytes, one '=' makes it 1025 */
	{
		char *json = pt_make_text("{\"Challenge\":\"", 'A', 14 + 1368 + 2, "\"}");

		memcpy(json + 14 + 1368 - 4, "AAA=", 4);
		cr_assert_eq(decode(json, &got), PROTO_E_TOO_LARGE);
		cr_assert_null(got.challenge);
		memcpy(json + 14 + 1368 - 4, "AAAA", 4);
		cr_assert_eq(decode(json, &got), PROTO_E_TOO_LARGE);
		memcpy(json + 14 + 1368 - 4, "AA==", 4); /* exactly the cap */
		cr_assert_eq(decode(json, &got), PROTO_OK);
		cr_assert_eq(got.len, PAYLOAD_CHALLENGE_MAX);
		payload_enc_challenge_free(&got);
		free(json);
	}
	free(big);
}

Test(payload_enc_challenge, field_errors)
{
	static const struct {
		const char *json;
		int rc;
	} cases[] = {
		{ "{}", PROTO_E_FIELD_MISSING },
		{ "{\"Challenge\":null}", PROTO_E_FIELD_MISSING },
		{ "{\"Challenge\":5}", PROTO_E_FIELD_TYPE },
		{ "{\"Challenge\":[1,2]}", PROTO_E_FIELD_TYPE },
		{ "{\"Challenge\":\"q83vEjRWeJCrze8SNFZ4kA=\"}", PROTO_E_BASE64 },
		{ "{\"Challenge\":\"q83vEjRWeJCrze8SNFZ4kA\"}", PROTO_E_BASE64 },
		{ "{\"Challenge\":\"q83vEjRWeJCrze8SNFZ4kB==\"}", PROTO_E_BASE64 },
		{ "{\"Challenge\":\"q83v EjRW\"}", PROTO_E_BASE64 },
		{ "{\"Challenge\":\"q83v\\nEjRW\"}", PROTO_E_BASE64 },
		{ "{\"Challenge\":\"q83v-_RW\"}", PROTO_E_BASE64 },
		{ "{\"Challenge\":\"AAAA\"", PROTO_E_JSON },
		{ "null", PROTO_E_JSON },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct payload_enc_challenge got;
		int rc = decode(cases[i].json, &got);

		cr_assert_eq(rc, cases[i].rc, "%s -> %s", cases[i].json, proto_err_str(rc));
		cr_assert(got.challenge == NULL && got.len == 0);
	}
}

Test(payload_enc_challenge, encode_refuses_null_with_length)
{
	struct payload_enc_challenge ch = { .challenge = NULL, .len = 3 };
	uint8_t *out = NULL;
	size_t n;

	cr_assert_eq(payload_enc_challenge_encode(&ch, &out, &n), PROTO_E_INVALID_ARG);
	cr_assert_null(out);
}
