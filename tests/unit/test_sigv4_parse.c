/*
 * test_sigv4_parse.c — the Authorization header parser (proto/sigv4_auth.c):
 * the fields it returns, the separators and orders it accepts, and every
 * kind of malformed header refused with its code — every truncation,
 * duplicates, missing and unknown parts, bad characters, limits one past
 * the edge, and overlong input refused without being read.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "proto_err.h"
#include "sigv4.h"
#include "test_payload_util.h"
#include "test_util.h"

#define CRED "AKIDEXAMPLE/20231114/us-east-1/ssm/aws4_request"
#define SIGNED "content-type;host;x-amz-date;x-amz-target"
#define SIG "730844b408667f96f656b691291b2ed841f0431b382a7a8a37a16087341205ea"
#define VALID "AWS4-HMAC-SHA256 Credential=" CRED ", SignedHeaders=" SIGNED ", Signature=" SIG

/* Parse text from an exact-size copy (ASan sees any read past its end). */
static int parse_into(const char *text, struct sigv4_auth *out)
{
	return sigv4_parse_authorization((const char *)pt_exact(text, strlen(text)), strlen(text),
					 out);
}

static int parse(const char *text)
{
	struct sigv4_auth a;

	return parse_into(text, &a);
}

/* The header with the given Credential, SignedHeaders and Signature values. */
static const char *header(const char *cred, const char *signed_headers, const char *sig)
{
	static char buf[4 * SIGV4_AUTH_MAX];
	int n = snprintf(buf, sizeof(buf), "AWS4-HMAC-SHA256 Credential=%s, SignedHeaders=%s, "
			 "Signature=%s", cred, signed_headers, sig);

	cr_assert(n > 0 && (size_t)n < sizeof(buf));
	return buf;
}

/* A text of n copies of unit joined by sep, with prefix. */
static const char *repeat(const char *prefix, const char *unit, const char *sep, size_t n)
{
	static char buf[4 * SIGV4_AUTH_MAX];
	size_t len = strlen(prefix);

	memcpy(buf, prefix, len + 1);
	for (size_t i = 0; i < n; i++) {
		cr_assert(len + strlen(unit) + strlen(sep) + 2 < sizeof(buf));
		len += (size_t)sprintf(buf + len, "%s%s", i ? sep : "", unit);
	}
	return buf;
}

Test(sigv4_parse, fields)
{
	struct sigv4_auth a;
	uint8_t sig[SIGV4_SIG_LEN];

	memset(&a, 0x55, sizeof(a));
	cr_assert_eq(parse_into(VALID, &a), PROTO_OK);
	cr_assert_str_eq(a.access_key_id, "AKIDEXAMPLE");
	cr_assert_str_eq(a.date, "20231114");
	cr_assert_str_eq(a.region, "us-east-1");
	cr_assert_str_eq(a.service, "ssm");
	cr_assert_str_eq(a.terminator, "aws4_request");
	cr_assert_str_eq(a.signed_headers, SIGNED);
	cr_assert_eq(a.n_signed, 4);
	cr_assert_eq(hex_decode(SIG, sig, sizeof(sig)), SIGV4_SIG_LEN);
	cr_assert(memcmp(a.signature, sig, sizeof(sig)) == 0);
	/* unused bytes are zero, so equal headers give memcmp-equal structs */
	cr_assert_eq(a.region[sizeof(a.region) - 1], 0);
	cr_assert_eq(a.signed_headers[sizeof(a.signed_headers) - 1], 0);
}

Test(sigv4_parse, separators_and_order)
{
	static const char *const same[] = {
		"AWS4-HMAC-SHA256 Credential=" CRED ",SignedHeaders=" SIGNED ",Signature=" SIG,
		"AWS4-HMAC-SHA256   Credential=" CRED ",   SignedHeaders=" SIGNED ",Signature=" SIG,
		"AWS4-HMAC-SHA256 Signature=" SIG ", Credential=" CRED ", SignedHeaders=" SIGNED,
		"AWS4-HMAC-SHA256 SignedHeaders=" SIGNED ",Signature=" SIG ", Credential=" CRED,
	};
	struct sigv4_auth want, got;

	cr_assert_eq(parse_into(VALID, &want), PROTO_OK);
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		cr_assert_eq(parse_into(same[i], &got), PROTO_OK, "%s", same[i]);
		cr_assert(memcmp(&want, &got, sizeof(want)) == 0, "%s", same[i]);
	}
}

Test(sigv4_parse, every_truncation)
{
	/* Signature last: its fixed length makes every proper prefix invalid (a
	 * header ending in the Credential, cut inside its terminator, parses). */
	static const char *const texts[] = {
		VALID,
		"AWS4-HMAC-SHA256 Credential=" CRED ",SignedHeaders=" SIGNED ",Signature=" SIG,
		"AWS4-HMAC-SHA256 SignedHeaders=" SIGNED ", Credential=" CRED ", Signature=" SIG,
	};

	for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++) {
		size_t full = strlen(texts[t]);

		cr_assert_eq(parse(texts[t]), PROTO_OK);
		for (size_t len = 0; len < full; len++) {
			struct sigv4_auth a;
			int want = len == 0 || len >= 16 ? PROTO_E_AUTH_MALFORMED
							 : PROTO_E_AUTH_ALGORITHM;
			int rc = sigv4_parse_authorization((const char *)pt_exact(texts[t], len),
							   len, &a);

			cr_assert_eq(rc, want, "%zu bytes of %s: %s", len, texts[t],
				     proto_err_str(rc));
		}
	}
}

Test(sigv4_parse, malformed)
{
	static const char *const bad[] = {
		"", " " VALID, VALID ",", VALID ", ", VALID " ", VALID ";",
		"AWS4-HMAC-SHA256", "AWS4-HMAC-SHA256 ", "AWS4-HMAC-SHA256 ,",
		/* duplicate, missing, unknown or misspelt parameters */
		VALID ", Signature=" SIG, VALID ", Credential=" CRED,
		VALID ", SignedHeaders=" SIGNED,
		"AWS4-HMAC-SHA256 SignedHeaders=" SIGNED ", Signature=" SIG,
		"AWS4-HMAC-SHA256 Credential=" CRED ", Signature=" SIG,
		"AWS4-HMAC-SHA256 Credential=" CRED ", SignedHeaders=" SIGNED,
		VALID ", Foo=bar", VALID ", Signature",
		"AWS4-HMAC-SHA256 credential=" CRED ", SignedHeaders=" SIGNED ", Signature=" SIG,
		"AWS4-HMAC-SHA256 Credential =" CRED ", SignedHeaders=" SIGNED ", Signature=" SIG,
		"AWS4-HMAC-SHA256 Credential= " CRED ", SignedHeaders=" SIGNED ", Signature=" SIG,
		"AWS4-HMAC-SHA256 Credential=" CRED ",, SignedHeaders=" SIGNED ", Signature=" SIG,
		"AWS4-HMAC-SHA256 Credential=" CRED " SignedHeaders=" SIGNED ", Signature=" SIG,
	};
	static const char *const bad_signatures[] = {
		"", "730844b408667f96f656b691291b2ed841f0431b382a7a8a37a16087341205e", SIG "0",
		"730844B408667f96f656b691291b2ed841f0431b382a7a8a37a16087341205ea",
		"730844g408667f96f656b691291b2ed841f0431b382a7a8a37a16087341205ea",
		"730844 408667f96f656b691291b2ed841f0431b382a7a8a37a16087341205ea",
		"0x30844b408667f96f656b691291b2ed841f0431b382a7a8a37a16087341205ea",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(parse(bad[i]), PROTO_E_AUTH_MALFORMED, "%s", bad[i]);
	for (size_t i = 0; i < sizeof(bad_signatures) / sizeof(bad_signatures[0]); i++)
		cr_assert_eq(parse(header(CRED, SIGNED, bad_signatures[i])), PROTO_E_AUTH_MALFORMED,
			     "%s", bad_signatures[i]);
}

Test(sigv4_parse, credential)
{
	static const char *const bad[] = {
		"AKIDEXAMPLE/20231114/us-east-1/ssm", "AKIDEXAMPLE/20231114/us-east-1/ssm/aws4_request/x",
		"/20231114/us-east-1/ssm/aws4_request", "AKID-EXAMPLE/20231114/us-east-1/ssm/aws4_request",
		"AKIDEXAMPLE/2023111/us-east-1/ssm/aws4_request",
		"AKIDEXAMPLE/202311145/us-east-1/ssm/aws4_request",
		"AKIDEXAMPLE/2023111a/us-east-1/ssm/aws4_request",
		"AKIDEXAMPLE/20231114/US-EAST-1/ssm/aws4_request",
		"AKIDEXAMPLE/20231114//ssm/aws4_request", "AKIDEXAMPLE/20231114/us-east-1/s_m/aws4_request",
		"AKIDEXAMPLE/20231114/us-east-1/ssm/", "AKIDEXAMPLE/20231114/us-east-1/ssm/AWS4_request",
		"AKIDEXAMPLE/20231114/us-east-1/ssm/aws4_request;",
	};
	char cred[512];
	struct sigv4_auth a;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(parse(header(bad[i], SIGNED, SIG)), PROTO_E_AUTH_MALFORMED, "%s", bad[i]);
	/* parsed as sent: sigv4_verify judges the terminator, the caller the rest */
	cr_assert_eq(parse_into(header("A/99999999/eu-west-1/ec2/aws9_x", SIGNED, SIG), &a),
		     PROTO_OK);
	cr_assert_str_eq(a.terminator, "aws9_x");
	cr_assert_str_eq(a.date, "99999999");
	snprintf(cred, sizeof(cred), "%s/20231114/us-east-1/ssm/aws4_request",
		 repeat("", "K", "", SIGV4_AKID_MAX));
	cr_assert_eq(parse(header(cred, SIGNED, SIG)), PROTO_OK);
	snprintf(cred, sizeof(cred), "%s/20231114/us-east-1/ssm/aws4_request",
		 repeat("", "K", "", SIGV4_AKID_MAX + 1));
	cr_assert_eq(parse(header(cred, SIGNED, SIG)), PROTO_E_AUTH_MALFORMED);
	snprintf(cred, sizeof(cred), "AKID/20231114/%s/ssm/aws4_request",
		 repeat("", "r", "", SIGV4_SCOPE_PART_MAX));
	cr_assert_eq(parse(header(cred, SIGNED, SIG)), PROTO_OK);
	snprintf(cred, sizeof(cred), "AKID/20231114/us-east-1/%s/aws4_request",
		 repeat("", "s", "", SIGV4_SCOPE_PART_MAX + 1));
	cr_assert_eq(parse(header(cred, SIGNED, SIG)), PROTO_E_AUTH_MALFORMED);
}

Test(sigv4_parse, signed_headers)
{
	static const char *const bad[] = {
		"", "host;content-type", "host;host", "Host;x-amz-date", "host;;x-amz-date",
		";host", "host;", "content type;host", "host;x-amz-date,", "host/x",
	};
	char name[SIGV4_HEADER_NAME_MAX + 2];
	char list[SIGV4_SIGNED_MAX + 1][4];
	struct sigv4_auth a;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(parse(header(CRED, bad[i], SIG)), PROTO_E_AUTH_MALFORMED, "%s", bad[i]);
	cr_assert_eq(parse(header(CRED, "x-amz-date;x-amz-date2;~!#$%&'*+-.^_`|", SIG)),
		     PROTO_OK);
	memset(name, 'h', sizeof(name) - 1);
	name[SIGV4_HEADER_NAME_MAX] = '\0';
	cr_assert_eq(parse(header(CRED, name, SIG)), PROTO_OK);
	name[SIGV4_HEADER_NAME_MAX] = 'h';
	name[SIGV4_HEADER_NAME_MAX + 1] = '\0';
	cr_assert_eq(parse(header(CRED, name, SIG)), PROTO_E_AUTH_MALFORMED);
	/* the whole list: 1024 characters are accepted, 1025 are not
	 * ("aaa…;bbb…;…;ppp…" 16 names of 60, then "qqq…" of 48 or 49) */
	for (size_t extra = 0; extra <= 1; extra++) {
		char text[SIGV4_SIGNED_TEXT_MAX + 2];
		size_t len = 0;

		for (char c = 'a'; c <= 'p'; c++) {
			memset(text + len, c, 60);
			len += 60;
			text[len++] = ';';
		}
		memset(text + len, 'q', 48 + extra);
		text[len + 48 + extra] = '\0';
		cr_assert_eq(strlen(text), SIGV4_SIGNED_TEXT_MAX + extra);
		cr_assert_eq(parse(header(CRED, text, SIG)), extra ? PROTO_E_AUTH_MALFORMED : PROTO_OK);
	}
	/* 32 names are accepted, 33 are not: "a00;a01;..." */
	for (size_t i = 0; i <= SIGV4_SIGNED_MAX; i++)
		snprintf(list[i], sizeof(list[i]), "a%02zu", i);
	for (size_t n = SIGV4_SIGNED_MAX; n <= SIGV4_SIGNED_MAX + 1; n++) {
		char text[256] = "";

		for (size_t i = 0; i < n; i++) {
			strcat(text, i ? ";" : "");
			strcat(text, list[i]);
		}
		cr_assert_eq(parse_into(header(CRED, text, SIG), &a),
			     n <= SIGV4_SIGNED_MAX ? PROTO_OK : PROTO_E_AUTH_MALFORMED);
	}
	cr_assert_eq(a.n_signed, SIGV4_SIGNED_MAX);
}

Test(sigv4_parse, other_algorithms)
{
	static const char *const other[] = {
		"Basic dXNlcjpwYXNz", "Bearer", "AWS4-ECDSA-P256-SHA256 Credential=" CRED,
		"aws4-hmac-sha256 Credential=" CRED ", SignedHeaders=" SIGNED ", Signature=" SIG,
		"AWS4-HMAC-SHA256\tCredential=" CRED ", SignedHeaders=" SIGNED ", Signature=" SIG,
		"AWS4-HMAC-SHA2566 Credential=" CRED, "AWS AKIDEXAMPLE:c2lnbmF0dXJl",
	};

	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		cr_assert_eq(parse(other[i]), PROTO_E_AUTH_ALGORITHM, "%s", other[i]);
}

Test(sigv4_parse, overlong_is_refused_unread)
{
	size_t len = SIGV4_AUTH_MAX + 1;
	uint8_t *unreadable = test_unreadable_alloc(len);
	const char *padded = repeat(VALID, "x", "", len - strlen(VALID));
	struct sigv4_auth a;

	cr_assert_not_null(unreadable);
	cr_assert_eq(sigv4_parse_authorization((const char *)unreadable, len, &a),
		     PROTO_E_AUTH_MALFORMED);
	test_unreadable_free(unreadable, len);
	cr_assert_eq(strlen(padded), len);
	cr_assert_eq(parse(padded), PROTO_E_AUTH_MALFORMED);
	cr_assert_eq(sigv4_parse_authorization(VALID "\0", sizeof(VALID), &a),
		     PROTO_E_AUTH_MALFORMED);
	cr_assert_eq(sigv4_parse_authorization(NULL, 0, &a), PROTO_E_INVALID_ARG);
	cr_assert_eq(sigv4_parse_authorization(VALID, strlen(VALID), NULL), PROTO_E_INVALID_ARG);
}
