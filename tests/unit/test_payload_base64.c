/*
 * test_payload_base64.c — the strict base64 codec (proto/base64.c): the RFC 4648
 * §10 test vectors both ways, every byte value and length round-tripping, and
 * every kind of malformed input refused with PROTO_E_BASE64.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "base64.h"
#include "proto_err.h"
#include "test_payload_util.h"

static const struct {
	const char *plain;
	const char *b64;
} rfc4648[] = {
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

Test(payload_base64, rfc4648_encode)
{
	for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		char out[16];
		size_t n = 99;
		const char *p = rfc4648[i].plain;

		cr_assert_eq(base64_encode(pt_exact(p, strlen(p)), strlen(p), out, sizeof(out), &n),
			     PROTO_OK);
		cr_assert_str_eq(out, rfc4648[i].b64);
		cr_assert_eq(n, strlen(rfc4648[i].b64));
		cr_assert_eq(base64_encoded_len(strlen(p)), n);
	}
}

Test(payload_base64, rfc4648_decode)
{
	for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
		uint8_t out[16];
		size_t n = 99;
		const char *b = rfc4648[i].b64;

		cr_assert_eq(base64_decode((const char *)pt_exact(b, strlen(b)), strlen(b), out,
					   sizeof(out), &n),
			     PROTO_OK, "%s", b);
		cr_assert_eq(n, strlen(rfc4648[i].plain));
		cr_assert(memcmp(out, rfc4648[i].plain, n) == 0);
	}
}

Test(payload_base64, every_byte_and_length_round_trips)
{
	uint8_t in[256], back[256];
	char text[400];

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(255 - i);
	for (size_t len = 0; len <= sizeof(in); len++) {
		size_t tlen, n;

		cr_assert_eq(base64_encode(in, len, text, sizeof(text), &tlen), PROTO_OK);
		cr_assert_eq(tlen % 4, 0);
		cr_assert_eq(base64_decode((const char *)pt_exact(text, tlen), tlen, back, len, &n),
			     PROTO_OK, "len %zu", len);
		cr_assert_eq(n, len);
		cr_assert(memcmp(in, back, len) == 0);
	}
}

Test(payload_base64, alphabet_edges)
{
	static const uint8_t ff[] = { 0xfb, 0xff, 0xbf };
	uint8_t out[3];
	char text[5];
	size_t n;

	cr_assert_eq(base64_encode(ff, 3, text, sizeof(text), &n), PROTO_OK);
	cr_assert_str_eq(text, "+/+/");
	cr_assert_eq(base64_decode("+/+/", 4, out, sizeof(out), &n), PROTO_OK);
	cr_assert(n == 3 && memcmp(out, ff, 3) == 0);
}

Test(payload_base64, malformed_is_refused)
{
	static const char *bad[] = {
		"Z",        "Zg",       "Zg=",     /* length not a multiple of 4 */
		"====",     "Z===",     "Zg==Zg==", /* padding in the wrong place */
		"Z=g=",     "=Zg=",     "Zm9v====", "Zg=a",
		"Zh==",     "Zm9=",     "Zm+=",    /* unused bits not zero */
		"Zm9v\n",   "Zm9v\r\nZm9v", "Zm 9v", " Zm9", "Zm9v ", /* whitespace */
		"Zm9-",     "Zm9_",     "Zm9.",    /* URL-safe or foreign characters */
		"Zm\x80v",  "Zm\xffv",  "Zm9\x7f",
	};
	uint8_t out[16];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = 77;

		cr_assert_eq(base64_decode((const char *)PT_IN(bad[i]), out, sizeof(out), &n),
			     PROTO_E_BASE64, "accepted \"%s\"", bad[i]);
		cr_assert_eq(n, 77, "out_len written on error");
	}
}

Test(payload_base64, embedded_nul_is_refused)
{
	uint8_t out[4];
	size_t n;

	cr_assert_eq(base64_decode((const char *)pt_exact("Zm\0v", 4), 4, out, sizeof(out), &n),
		     PROTO_E_BASE64);
}

Test(payload_base64, small_buffers)
{
	uint8_t out[3];
	char text[9];
	size_t n = 5;

	cr_assert_eq(base64_decode("Zm9v", 4, out, 2, &n), PROTO_E_BUFFER_SMALL);
	cr_assert_eq(base64_decode("Zm8=", 4, out, 2, &n), PROTO_OK);
	cr_assert_eq(n, 2);
	cr_assert_eq(base64_encode((const uint8_t *)"foo", 3, text, 4, &n), PROTO_E_BUFFER_SMALL);
	cr_assert_eq(base64_encode((const uint8_t *)"foo", 3, text, 5, &n), PROTO_OK);
	cr_assert_eq(base64_encode(NULL, 0, text, 0, &n), PROTO_E_BUFFER_SMALL);
	cr_assert_eq(base64_encode(NULL, 0, text, 1, &n), PROTO_OK);
	cr_assert_eq(n, 0);
	cr_assert_str_eq(text, "");
}

Test(payload_base64, length_helpers)
{
	cr_assert_eq(base64_encoded_len(0), 0);
	cr_assert_eq(base64_encoded_len(1), 4);
	cr_assert_eq(base64_encoded_len(92), 124); /* the §5.8 challenge */
	cr_assert_eq(base64_encoded_len(SIZE_MAX), 0);
	cr_assert_eq(base64_decoded_max(124), 93);
	cr_assert_eq(base64_decoded_max(3), 0);
}
