/*
 * test_payload_terminal.c — Size (data-channel.md §5.4), ExitCode (§5.9) and
 * Flag (§4.1): exact encodings, ranges, every malformed input.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "payload.h"
#include "proto_err.h"
#include "test_payload_util.h"

/* ---- Size ---------------------------------------------------------------- */

Test(payload_size, encodes_and_decodes_the_54_example)
{
	struct payload_size sz = { .cols = 120, .rows = 40 }, got;
	uint8_t *out;
	size_t n;
	int rc = payload_size_encode(&sz, &out, &n);

	pt_expect_encoded(rc, out, n, "{\"cols\":120,\"rows\":40}");
	cr_assert_eq(payload_size_decode(PT_IN("{\"cols\":120,\"rows\":40}"), &got), PROTO_OK);
	cr_assert(got.cols == 120 && got.rows == 40);
}

Test(payload_size, uint32_extremes_round_trip)
{
	struct payload_size sz = { .cols = UINT32_MAX, .rows = 0 }, got;
	uint8_t *out;
	size_t n;
	int rc = payload_size_encode(&sz, &out, &n);

	cr_assert_eq(rc, PROTO_OK);
	cr_assert_eq(payload_size_decode(pt_exact(out, n), n, &got), PROTO_OK);
	cr_assert(got.cols == UINT32_MAX && got.rows == 0);
	pt_expect_encoded(rc, out, n, "{\"cols\":4294967295,\"rows\":0}");
}

Test(payload_size, keys_case_insensitive_unknown_ignored_missing_zero)
{
	struct payload_size got;

	cr_assert_eq(payload_size_decode(PT_IN("{\"COLS\":80,\"Rows\":24,\"x\":-1}"), &got),
		     PROTO_OK);
	cr_assert(got.cols == 80 && got.rows == 24);
	cr_assert_eq(payload_size_decode(PT_IN("{\"rows\":5}"), &got), PROTO_OK);
	cr_assert(got.cols == 0 && got.rows == 5);
	cr_assert_eq(payload_size_decode(PT_IN("{\"cols\":null,\"rows\":null}"), &got), PROTO_OK);
	cr_assert(got.cols == 0 && got.rows == 0);
}

Test(payload_size, field_errors)
{
	static const struct {
		const char *json;
		int rc;
	} cases[] = {
		{ "{\"cols\":-1,\"rows\":1}", PROTO_E_FIELD_RANGE },
		{ "{\"cols\":1,\"rows\":4294967296}", PROTO_E_FIELD_RANGE },
		{ "{\"cols\":80.0}", PROTO_E_FIELD_RANGE },
		{ "{\"cols\":80.5}", PROTO_E_FIELD_RANGE },
		{ "{\"cols\":8e1}", PROTO_E_FIELD_RANGE },
		{ "{\"cols\":18446744073709551616}", PROTO_E_FIELD_RANGE },
		{ "{\"cols\":\"80\"}", PROTO_E_FIELD_TYPE },
		{ "{\"rows\":true}", PROTO_E_FIELD_TYPE },
		{ "{\"rows\":[24]}", PROTO_E_FIELD_TYPE },
		{ "[80,24]", PROTO_E_JSON },
		{ "{\"cols\":80,\"rows\":24", PROTO_E_JSON },
		{ "{\"cols\":80,\"rows\":24}\0", PROTO_E_JSON },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct payload_size got = { 7, 7 };
		size_t len = strlen(cases[i].json) + (i == 11); /* the last one carries its NUL */
		int rc = payload_size_decode(pt_exact(cases[i].json, len), len, &got);

		cr_assert_eq(rc, cases[i].rc, "%s -> %s", cases[i].json, proto_err_str(rc));
		cr_assert(got.cols == 0 && got.rows == 0);
	}
}

/* ---- ExitCode ------------------------------------------------------------ */

static void expect_exit_text(int32_t code, const char *want)
{
	uint8_t *out;
	size_t n;
	int rc = payload_exit_code_encode(code, &out, &n);

	pt_expect_encoded(rc, out, n, want);
}

Test(payload_exit_code, encodes)
{
	expect_exit_text(0, "EXIT_CODE: 0");
	expect_exit_text(1, "EXIT_CODE: 1");
	expect_exit_text(-1, "EXIT_CODE: -1");
	expect_exit_text(130, "EXIT_CODE: 130");
	expect_exit_text(INT32_MAX, "EXIT_CODE: 2147483647");
	expect_exit_text(INT32_MIN, "EXIT_CODE: -2147483648");
}

Test(payload_exit_code, decodes_and_round_trips)
{
	static const int32_t values[] = { 0, 1, -1, 255, 256, -255, INT32_MAX, INT32_MIN,
					  INT32_MAX - 1, INT32_MIN + 1 };

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		uint8_t *out;
		size_t n;
		int32_t got = 12345;

		cr_assert_eq(payload_exit_code_encode(values[i], &out, &n), PROTO_OK);
		cr_assert_eq(payload_exit_code_decode(pt_exact(out, n), n, &got), PROTO_OK);
		cr_assert_eq(got, values[i]);
		free(out);
	}
}

Test(payload_exit_code, lenient_but_unambiguous_forms)
{
	int32_t got;

	cr_assert_eq(payload_exit_code_decode(PT_IN("EXIT_CODE: 007"), &got), PROTO_OK);
	cr_assert_eq(got, 7);
	cr_assert_eq(payload_exit_code_decode(PT_IN("EXIT_CODE: -0"), &got), PROTO_OK);
	cr_assert_eq(got, 0);
	cr_assert_eq(payload_exit_code_decode(PT_IN("EXIT_CODE: 00000000000000000002147483647"),
					      &got),
		     PROTO_OK);
	cr_assert_eq(got, INT32_MAX);
}

Test(payload_exit_code, malformed_is_refused)
{
	static const char *bad[] = {
		"",
		"EXIT_CODE",
		"EXIT_CODE:",
		"EXIT_CODE: ",
		"EXIT_CODE:0",          /* missing space */
		"EXIT_CODE:  0",        /* two spaces */
		"EXIT_CODE:\t0",
		"exit_code: 0",
		"EXIT CODE: 0",
		" EXIT_CODE: 0",
		"EXIT_CODE: -",
		"EXIT_CODE: +1",
		"EXIT_CODE: --1",
		"EXIT_CODE: 1x",        /* trailing junk */
		"EXIT_CODE: 1 ",
		"EXIT_CODE: 1\n",
		"EXIT_CODE: 1\r\n",
		"EXIT_CODE: 0x10",
		"EXIT_CODE: 1.0",
		"EXIT_CODE: 1e3",
		"EXIT_CODE: 2147483648", /* INT32_MAX + 1 */
		"EXIT_CODE: -2147483649", /* INT32_MIN - 1 */
		"EXIT_CODE: 4294967296",
		"EXIT_CODE: 99999999999999999999999999",
		"EXIT_CODE: -99999999999999999999999999",
		"EXIT_CODE: \xd9\xa1",  /* ARABIC-INDIC DIGIT ONE */
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int32_t got = 4242;

		cr_assert_eq(payload_exit_code_decode(PT_IN(bad[i]), &got), PROTO_E_EXIT_CODE,
			     "accepted \"%s\"", bad[i]);
		cr_assert_eq(got, 4242);
	}
}

Test(payload_exit_code, embedded_nul_is_refused)
{
	int32_t got;

	cr_assert_eq(payload_exit_code_decode(pt_exact("EXIT_CODE: 1\0", 13), 13, &got),
		     PROTO_E_EXIT_CODE);
	cr_assert_eq(payload_exit_code_decode(pt_exact("EXIT_CODE: \0" "1", 12), 12, &got),
		     PROTO_E_EXIT_CODE);
}

/* ---- Flag ---------------------------------------------------------------- */

Test(payload_flag, encodes_each_known_value)
{
	static const uint8_t want[3][4] = { { 0, 0, 0, 1 }, { 0, 0, 0, 2 }, { 0, 0, 0, 3 } };

	for (int v = 1; v <= 3; v++) {
		uint8_t *out;
		size_t n;

		cr_assert_eq(payload_flag_encode((enum payload_flag)v, &out, &n), PROTO_OK);
		cr_assert_eq(n, PAYLOAD_FLAG_LEN);
		cr_assert(memcmp(out, want[v - 1], 4) == 0);
		free(out);
	}
}

Test(payload_flag, decodes_the_41_terminate_example)
{
	enum payload_flag f;

	cr_assert_eq(payload_flag_decode(pt_exact("\0\0\0\2", 4), 4, &f), PROTO_OK);
	cr_assert_eq(f, PAYLOAD_FLAG_TERMINATE_SESSION);
	cr_assert_eq(payload_flag_decode(pt_exact("\0\0\0\1", 4), 4, &f), PROTO_OK);
	cr_assert_eq(f, PAYLOAD_FLAG_DISCONNECT_TO_PORT);
	cr_assert_eq(payload_flag_decode(pt_exact("\0\0\0\3", 4), 4, &f), PROTO_OK);
	cr_assert_eq(f, PAYLOAD_FLAG_CONNECT_TO_PORT_ERROR);
}

Test(payload_flag, every_length_but_four_is_refused)
{
	/* value 2 right-aligned in each length, so only the length is wrong */
	static const uint8_t buf[8] = { 0, 0, 0, 0, 0, 0, 0, 2 };

	for (size_t len = 0; len <= 8; len++) {
		enum payload_flag f = (enum payload_flag)99;
		int rc = payload_flag_decode(pt_exact(buf + 8 - len, len), len, &f);

		if (len == 4) {
			cr_assert_eq(rc, PROTO_OK);
			cr_assert_eq(f, PAYLOAD_FLAG_TERMINATE_SESSION);
		} else {
			cr_assert_eq(rc, PROTO_E_FLAG, "len %zu", len);
			cr_assert_eq((int)f, 99);
		}
	}
}

Test(payload_flag, unknown_values_are_refused)
{
	static const uint8_t bad[][4] = {
		{ 0, 0, 0, 0 }, { 0, 0, 0, 4 }, { 0xff, 0xff, 0xff, 0xff },
		{ 1, 0, 0, 0 }, /* little-endian 1 */
		{ 2, 0, 0, 0 }, { 0, 0, 1, 1 }, { 0x80, 0, 0, 2 },
	};
	enum payload_flag f;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(payload_flag_decode(pt_exact(bad[i], 4), 4, &f), PROTO_E_FLAG,
			     "#%zu", i);
}

Test(payload_flag, encode_refuses_unknown_values)
{
	uint8_t *out = NULL;
	size_t n;

	cr_assert_eq(payload_flag_encode((enum payload_flag)0, &out, &n), PROTO_E_FLAG);
	cr_assert_eq(payload_flag_encode((enum payload_flag)4, &out, &n), PROTO_E_FLAG);
	cr_assert_eq(payload_flag_encode((enum payload_flag)-1, &out, &n), PROTO_E_FLAG);
	cr_assert_null(out);
}
