/*
 * test_sigv4.c — SigV4 signing and verification against published and
 * generated vectors: AWS's worked examples (get-vanilla, IAM ListUsers and
 * its signing key) byte for byte, every case of AWS's SigV4 test suite, the
 * requests botocore signed (sigv4_vectors.c), the canonical form of paths
 * and queries, what the signer refuses, and the AWS error names.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_err.h"
#include "sigv4.h"
#include "sigv4_vectors.h"
#include "test_util.h"

#define SUITE_TIME 1440938160 /* 2015-08-30T12:36:00Z */

static const struct sigv4_credentials vec_creds = { VEC_AKID, VEC_SECRET, NULL };

/* Canonical request of req for signed, compared with want byte for byte. */
static void expect_canonical(const struct sigv4_request *req, const char *signed_headers,
			     const char *want, const char *what)
{
	char *got = NULL;
	size_t len = 0;
	int rc = sigv4_canonical_request(req, signed_headers, &got, &len);

	cr_assert_eq(rc, PROTO_OK, "%s: %s", what, proto_err_str(rc));
	cr_assert_eq(len, strlen(got));
	cr_assert_str_eq(got, want, "%s", what);
	free(got);
}

static void expect_string_to_sign(const char *canonical, const char *amz_date,
				  const char *region, const char *service, const char *want,
				  const char *what)
{
	char sts[512];

	cr_assert_eq(sigv4_string_to_sign(canonical, strlen(canonical), amz_date, region, service,
					  sts, sizeof(sts)),
		     PROTO_OK, "%s", what);
	cr_assert_str_eq(sts, want, "%s", what);
}

/* sigv4_sign on req (its X-Amz-Date/Authorization are ignored) must give
 * exactly amz_date and authz. */
static void expect_signed(const struct sigv4_request *req, const struct sigv4_credentials *cred,
			  const char *region, const char *service, time_t when,
			  const char *amz_date, const char *authz, const char *what)
{
	char date[SIGV4_AMZ_DATE_LEN + 1], out[SIGV4_AUTH_MAX + 1];
	int rc = sigv4_sign(req, cred, region, service, when, date, out, sizeof(out));

	cr_assert_eq(rc, PROTO_OK, "%s: %s", what, proto_err_str(rc));
	cr_assert_str_eq(date, amz_date, "%s", what);
	cr_assert_str_eq(out, authz, "%s", what);
}

Test(sigv4, get_vanilla_byte_for_byte)
{
	/* AWS SigV4 test suite, get-vanilla (docs "Signature Version 4 test suite") */
	static const struct sigv4_header headers[] = {
		{ "Host", "example.amazonaws.com" },
		{ "X-Amz-Date", "20150830T123600Z" },
	};
	const struct sigv4_request req = { .method = "GET", .path = "/", .headers = headers,
					   .n_headers = 2 };
	const char *authz = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/"
			    "aws4_request, SignedHeaders=host;x-amz-date, Signature="
			    "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
	const char *canonical = "GET\n/\n\nhost:example.amazonaws.com\n"
				"x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
				"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

	expect_canonical(&req, "host;x-amz-date", canonical, "get-vanilla");
	expect_string_to_sign(canonical, "20150830T123600Z", "us-east-1", "service",
			      "AWS4-HMAC-SHA256\n20150830T123600Z\n"
			      "20150830/us-east-1/service/aws4_request\n"
			      "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
			      "get-vanilla");
	expect_signed(&req, &vec_creds, "us-east-1", "service", SUITE_TIME, "20150830T123600Z",
		      authz, "get-vanilla");
	cr_assert_eq(sigv4_vector_check(&req, authz, SUITE_TIME), PROTO_OK);
}

Test(sigv4, iam_list_users_example)
{
	/* AWS General Reference, "Create a signed AWS API request": IAM ListUsers */
	static const struct sigv4_header headers[] = {
		{ "Host", "iam.amazonaws.com" },
		{ "Content-Type", "application/x-www-form-urlencoded; charset=utf-8" },
		{ "X-Amz-Date", "20150830T123600Z" },
	};
	const struct sigv4_request req = { .method = "GET", .path = "/",
					   .query = "Action=ListUsers&Version=2010-05-08",
					   .headers = headers, .n_headers = 3 };
	const char *canonical =
		"GET\n/\nAction=ListUsers&Version=2010-05-08\n"
		"content-type:application/x-www-form-urlencoded; charset=utf-8\n"
		"host:iam.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
		"content-type;host;x-amz-date\n"
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	const char *authz = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/"
			    "aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature="
			    "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";
	uint8_t key[SIGV4_SIG_LEN];
	char hex[2 * SIGV4_SIG_LEN + 1];

	expect_canonical(&req, "content-type;host;x-amz-date", canonical, "ListUsers");
	expect_string_to_sign(canonical, "20150830T123600Z", "us-east-1", "iam",
			      "AWS4-HMAC-SHA256\n20150830T123600Z\n"
			      "20150830/us-east-1/iam/aws4_request\n"
			      "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59",
			      "ListUsers");
	cr_assert_eq(sigv4_signing_key(VEC_SECRET, "20150830", "us-east-1", "iam", key), PROTO_OK);
	hex_encode(key, sizeof(key), hex);
	cr_assert_str_eq(hex, "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
	expect_signed(&req, &vec_creds, "us-east-1", "iam", SUITE_TIME, "20150830T123600Z",
		      authz, "ListUsers");
	cr_assert_eq(sigv4_vector_check(&req, authz, SUITE_TIME), PROTO_OK);
}

/* Canonical request and string to sign (when the vector has them), our
 * signature (when we sign the same header set) and verification. */
static void check_vector(const struct sigv4_vector *v)
{
	const struct sigv4_credentials cred = { VEC_AKID, VEC_SECRET, v->token };
	struct sigv4_request req = sigv4_vector_request(v);
	struct sigv4_auth auth;

	cr_assert_eq(sigv4_parse_authorization(v->authorization, strlen(v->authorization), &auth),
		     PROTO_OK, "%s", v->name);
	if (v->canonical) {
		expect_canonical(&req, auth.signed_headers, v->canonical, v->name);
		expect_string_to_sign(v->canonical, v->amz_date, v->region, v->service,
				      v->string_to_sign, v->name);
	}
	if (v->signer_agrees)
		expect_signed(&req, &cred, v->region, v->service, v->when, v->amz_date,
			      v->authorization, v->name);
	cr_assert_eq(sigv4_vector_check(&req, v->authorization, v->when), PROTO_OK, "%s",
		     v->name);
}

Test(sigv4, aws_test_suite)
{
	size_t signed_by_us = 0;

	cr_assert_geq(sigv4_suite_count, 38);
	for (size_t i = 0; i < sigv4_suite_count; i++) {
		check_vector(&sigv4_suite[i]);
		signed_by_us += sigv4_suite[i].signer_agrees;
	}
	cr_assert_geq(signed_by_us, 25);
}

Test(sigv4, botocore_vectors)
{
	cr_assert_geq(sigv4_botocore_count, 7);
	for (size_t i = 0; i < sigv4_botocore_count; i++)
		check_vector(&sigv4_botocore[i]);
}

Test(sigv4, format_reproduces_parsed_header)
{
	for (size_t i = 0; i < sigv4_botocore_count; i++) {
		const char *text = sigv4_botocore[i].authorization;
		struct sigv4_auth auth;
		char out[SIGV4_AUTH_MAX + 1];
		size_t len;

		cr_assert_eq(sigv4_parse_authorization(text, strlen(text), &auth), PROTO_OK);
		cr_assert_eq(sigv4_format_authorization(&auth, out, sizeof(out), &len), PROTO_OK);
		cr_assert_str_eq(out, text);
		cr_assert_eq(len, strlen(text));
		cr_assert_eq(sigv4_format_authorization(&auth, out, len, NULL), PROTO_E_BUFFER_SMALL);
	}
}

/* The canonical URI and query of one request line. */
static void expect_uri_query(const char *path, const char *query, unsigned flags,
			     const char *want_uri, const char *want_query)
{
	static const struct sigv4_header host = { "Host", "h" };
	const struct sigv4_request req = { .method = "GET", .path = path, .query = query,
					   .headers = &host, .n_headers = 1, .flags = flags };
	char want[512];

	snprintf(want, sizeof(want), "GET\n%s\n%s\nhost:h\n\nhost\n"
		 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		 want_uri, want_query);
	expect_canonical(&req, "host", want, path ? path : "(null)");
}

Test(sigv4, canonical_uri_and_query)
{
	expect_uri_query(NULL, NULL, 0, "/", "");
	expect_uri_query("", "", 0, "/", "");
	expect_uri_query("/a%20b/c", NULL, 0, "/a%2520b/c", "");
	expect_uri_query("/a%20b/c", NULL, SIGV4_PATH_AS_SENT, "/a%20b/c", "");
	expect_uri_query("/a/./b/../../c//d/", NULL, 0, "/c/d/", "");
	expect_uri_query("/a/./b/../../c//d/", NULL, SIGV4_PATH_NO_NORMALIZE,
			 "/a/./b/../../c//d/", "");
	expect_uri_query("/../..", NULL, 0, "/", "");
	expect_uri_query("/a/.", NULL, 0, "/a", "");
	expect_uri_query("a/b/..", NULL, 0, "a", "");
	expect_uri_query("/~user/$x!*", NULL, 0, "/~user/%24x%21%2A", "");
	expect_uri_query("/", "b=2&a=%7e&a=1+1", 0, "/", "a=1%2B1&a=~&b=2");
	expect_uri_query("/", "&&x&=v&y=a=b&", 0, "/", "=v&x=&y=a%3Db");
	expect_uri_query("/", "k=%zz%4&q=%2f%2F", 0, "/", "k=%25zz%254&q=%2F%2F");
	expect_uri_query("/", "%E1%88%B4=1&\xe1\x88\xb4=2&Z=3", 0, "/",
			 "%E1%88%B4=1&%E1%88%B4=2&Z=3");
}

Test(sigv4, canonical_request_refuses_missing_header)
{
	static const struct sigv4_header host = { "Host", "h" };
	const struct sigv4_request req = { .method = "GET", .headers = &host, .n_headers = 1 };
	char *out = NULL;

	cr_assert_eq(sigv4_canonical_request(&req, "host;x-amz-date", &out, NULL),
		     PROTO_E_AUTH_HEADER);
	cr_assert_eq(sigv4_canonical_request(&req, "", &out, NULL), PROTO_E_AUTH_HEADER);
	cr_assert_eq(sigv4_canonical_request(&req, NULL, &out, NULL), PROTO_E_INVALID_ARG);
	cr_assert_null(out);
}

Test(sigv4, sign_ignores_supplied_date_and_unsigned_headers)
{
	const struct sigv4_vector *v = sigv4_vector_find("ssm StartSession");
	struct sigv4_header h[VEC_HEADERS_MAX + 3];
	struct sigv4_request req;

	cr_assert_not_null(v);
	memcpy(h, v->headers, v->n_headers * sizeof(h[0]));
	h[v->n_headers] = (struct sigv4_header){ "x-amz-date", "19990101T000000Z" };
	h[v->n_headers + 1] = (struct sigv4_header){ "Connection", "keep-alive" };
	h[v->n_headers + 2] = (struct sigv4_header){ "x-amz-security-token", "stale" };
	req = sigv4_vector_request(v);
	req.headers = h;
	req.n_headers = v->n_headers + 3;
	expect_signed(&req, &vec_creds, v->region, v->service, v->when, v->amz_date,
		      v->authorization, v->name);
}

Test(sigv4, sign_refuses_what_would_not_parse)
{
	static const struct sigv4_header no_host[] = { { "Content-Type", "x" } };
	static const struct sigv4_header bad_name[] = { { "Host", "h" }, { "X-Amz-Bad Name", "x" } };
	const struct sigv4_request req = { .method = "POST", .path = "/",
					   .headers = sigv4_botocore[0].headers,
					   .n_headers = sigv4_botocore[0].n_headers };
	const struct sigv4_credentials bad_akid = { "AKID/EXAMPLE", VEC_SECRET, NULL };
	struct sigv4_request r = req;
	char date[SIGV4_AMZ_DATE_LEN + 1], out[SIGV4_AUTH_MAX + 1];

	cr_assert_eq(sigv4_sign(&req, &vec_creds, "us-east-1", "ssm", 0, date, out, sizeof(out)),
		     PROTO_OK);
	cr_assert_str_eq(date, "19700101T000000Z");
	cr_assert_eq(sigv4_sign(&req, &vec_creds, "US-EAST-1", "ssm", 0, date, out, sizeof(out)),
		     PROTO_E_INVALID_ARG);
	cr_assert_eq(sigv4_sign(&req, &vec_creds, "us-east-1", "", 0, date, out, sizeof(out)),
		     PROTO_E_INVALID_ARG);
	cr_assert_eq(sigv4_sign(&req, &bad_akid, "us-east-1", "ssm", 0, date, out, sizeof(out)),
		     PROTO_E_INVALID_ARG);
	cr_assert_eq(sigv4_sign(&req, &vec_creds, "us-east-1", "ssm", 253402300800, date, out,
				sizeof(out)),
		     PROTO_E_INVALID_ARG);
	cr_assert_eq(sigv4_sign(&req, &vec_creds, "us-east-1", "ssm", 0, date, out, 100),
		     PROTO_E_BUFFER_SMALL);
	r.headers = no_host;
	r.n_headers = 1;
	cr_assert_eq(sigv4_sign(&r, &vec_creds, "us-east-1", "ssm", 0, date, out, sizeof(out)),
		     PROTO_E_INVALID_ARG);
	r.headers = bad_name;
	r.n_headers = 2;
	cr_assert_eq(sigv4_sign(&r, &vec_creds, "us-east-1", "ssm", 0, date, out, sizeof(out)),
		     PROTO_E_INVALID_ARG);
}

Test(sigv4, aws_error_names)
{
	static const struct {
		int err;
		const char *type;
	} want[] = {
		{ PROTO_E_AUTH_MALFORMED, "IncompleteSignatureException" },
		{ PROTO_E_AUTH_ALGORITHM, "IncompleteSignatureException" },
		{ PROTO_E_AUTH_DATE, "IncompleteSignatureException" },
		{ PROTO_E_AUTH_UNSIGNED, "InvalidSignatureException" },
		{ PROTO_E_AUTH_SCOPE, "InvalidSignatureException" },
		{ PROTO_E_AUTH_EXPIRED, "InvalidSignatureException" },
		{ PROTO_E_AUTH_HEADER, "InvalidSignatureException" },
		{ PROTO_E_AUTH_SIGNATURE, "InvalidSignatureException" },
		{ PROTO_E_AUTH_REPLAY, "InvalidSignatureException" },
		{ PROTO_E_AUTH_THROTTLED, "ThrottlingException" },
		{ PROTO_E_AUTH_KEY, "UnrecognizedClientException" },
		{ PROTO_E_NOMEM, "InternalFailure" },
		{ PROTO_E_DIGEST, "InternalFailure" },
	};
	const char *msg = "unset";

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		cr_assert_str_eq(sigv4_err_aws_type(want[i].err, &msg), want[i].type);
		cr_assert(msg && *msg);
		cr_assert_str_neq(proto_err_str(want[i].err), "unknown error");
	}
	cr_assert_null(sigv4_err_aws_type(PROTO_OK, &msg));
	cr_assert_null(msg);
	cr_assert_str_eq(sigv4_err_aws_type(PROTO_E_AUTH_SIGNATURE, NULL),
			 "InvalidSignatureException");
}
