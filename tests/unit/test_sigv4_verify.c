/*
 * test_sigv4_verify.c — what sigv4_verify refuses, each with its code: any
 * single-character change of a valid header, of the body or of a signed
 * header value; signed headers absent; host or x-amz-date unsigned;
 * X-Amz-Date absent, repeated or malformed; times just outside the skew
 * (and accepted just inside); a scope of another date; a wrong secret. And
 * what it lets through: unsigned headers, white space the canonical form
 * folds, a region or service the caller must judge.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "proto_err.h"
#include "sigv4.h"
#include "sigv4_vectors.h"

/* A vector's request with editable headers. */
struct edited {
	struct sigv4_header h[VEC_HEADERS_MAX + 2];
	struct sigv4_request req;
};

static void edit_init(struct edited *e, const char *vector)
{
	const struct sigv4_vector *v = sigv4_vector_find(vector);

	cr_assert_not_null(v, "%s", vector);
	memcpy(e->h, v->headers, v->n_headers * sizeof(e->h[0]));
	e->req = sigv4_vector_request(v);
	e->req.headers = e->h;
}

/* Replace the value of header `name` (NULL value: remove it), or append it. */
static void edit_set(struct edited *e, const char *name, const char *value)
{
	for (size_t i = 0; i < e->req.n_headers; i++) {
		if (strcasecmp(e->h[i].name, name) != 0)
			continue;
		if (value) {
			e->h[i].value = value;
		} else {
			memmove(&e->h[i], &e->h[i + 1], (e->req.n_headers - i - 1) * sizeof(e->h[0]));
			e->req.n_headers--;
		}
		return;
	}
	cr_assert(value && e->req.n_headers < VEC_HEADERS_MAX + 2);
	e->h[e->req.n_headers++] = (struct sigv4_header){ name, value };
}

static void edit_add(struct edited *e, const char *name, const char *value)
{
	cr_assert(e->req.n_headers < VEC_HEADERS_MAX + 2);
	e->h[e->req.n_headers++] = (struct sigv4_header){ name, value };
}

/* text with its first `from` replaced by `to`. */
static const char *replaced(const char *text, const char *from, const char *to)
{
	static char buf[2 * SIGV4_AUTH_MAX];
	const char *at = strstr(text, from);

	cr_assert_not_null(at, "%s not in %s", from, text);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	return buf;
}

static const struct sigv4_vector *vec(const char *name)
{
	const struct sigv4_vector *v = sigv4_vector_find(name);

	cr_assert_not_null(v, "%s", name);
	return v;
}

Test(sigv4_verify, every_single_character_change)
{
	static const char alphabet[] = "0159adfgAFZ _-;,=/.~\t";
	const struct sigv4_vector *v = vec("ssm StartSession, session token");
	const struct sigv4_request req = sigv4_vector_request(v);
	const char *akid = strstr(v->authorization, VEC_AKID);
	char text[SIGV4_AUTH_MAX];
	size_t len = strlen(v->authorization), signature_hits = 0;

	cr_assert_lt(len, sizeof(text));
	for (size_t i = 0; i < len; i++) {
		/* the key id selects the secret: the caller's lookup, not ours */
		if (v->authorization + i >= akid && v->authorization + i < akid + strlen(VEC_AKID))
			continue;
		for (const char *c = alphabet; *c; c++) {
			int rc;

			if (*c == v->authorization[i])
				continue;
			memcpy(text, v->authorization, len + 1);
			text[i] = *c;
			rc = sigv4_vector_check(&req, text, v->when);
			cr_assert_neq(rc, PROTO_OK, "changed byte %zu to '%c': %s", i, *c, text);
			signature_hits += rc == PROTO_E_AUTH_SIGNATURE;
		}
	}
	cr_assert_geq(signature_hits, 64 * 6); /* 6+ hex digits per signature position */
}

Test(sigv4_verify, every_hex_digit_of_the_signature)
{
	const struct sigv4_vector *v = vec("ssm StartSession");
	const struct sigv4_request req = sigv4_vector_request(v);
	size_t at = (size_t)(strstr(v->authorization, "Signature=") - v->authorization) + 10;
	char text[SIGV4_AUTH_MAX];

	cr_assert_eq(strlen(v->authorization), at + 64);
	for (size_t i = at; i < at + 64; i++) {
		for (const char *c = "0123456789abcdef"; *c; c++) {
			if (*c == v->authorization[i])
				continue;
			strcpy(text, v->authorization);
			text[i] = *c;
			cr_assert_eq(sigv4_vector_check(&req, text, v->when), PROTO_E_AUTH_SIGNATURE);
		}
	}
}

Test(sigv4_verify, every_body_byte)
{
	static const char *const names[] = { "ssm StartSession", "raw UTF-8 body" };

	for (size_t n = 0; n < sizeof(names) / sizeof(names[0]); n++) {
		const struct sigv4_vector *v = vec(names[n]);
		struct sigv4_request req = sigv4_vector_request(v);
		uint8_t body[256];

		cr_assert_leq(v->body_len, sizeof(body));
		memcpy(body, v->body, v->body_len);
		req.body = body;
		for (size_t i = 0; i < v->body_len; i++) {
			for (uint8_t bit = 1; bit; bit <<= 1) {
				body[i] ^= bit;
				cr_assert_eq(sigv4_vector_check(&req, v->authorization, v->when),
					     PROTO_E_AUTH_SIGNATURE, "%s byte %zu", v->name, i);
				body[i] ^= bit;
			}
		}
		req.body_len--;
		cr_assert_eq(sigv4_vector_check(&req, v->authorization, v->when),
			     PROTO_E_AUTH_SIGNATURE);
		req.body_len++;
		cr_assert_eq(sigv4_vector_check(&req, v->authorization, v->when), PROTO_OK);
	}
}

Test(sigv4_verify, signed_and_unsigned_headers)
{
	static const struct {
		const char *name, *value;
		int want;
	} changes[] = {
		{ "Content-Type", "application/x-amz-json-1.0", PROTO_E_AUTH_SIGNATURE },
		{ "X-Amz-Target", "AmazonSSM.TerminateSession", PROTO_E_AUTH_SIGNATURE },
		{ "Host", "127.0.0.1:8444", PROTO_E_AUTH_SIGNATURE },
		{ "Host", "127.0.0.1", PROTO_E_AUTH_SIGNATURE },
		{ "X-Amz-Target", NULL, PROTO_E_AUTH_HEADER },
		{ "Content-Type", NULL, PROTO_E_AUTH_HEADER },
		{ "Host", NULL, PROTO_E_AUTH_HEADER },
		{ "Content-Type", " \t application/x-amz-json-1.1 \r\n", PROTO_OK },
		{ "User-Agent", "curl/7.88.1", PROTO_OK },
		{ "User-Agent", NULL, PROTO_OK },
		{ "Content-Length", "9999", PROTO_OK },
		{ "X-Amz-Security-Token", "not signed here", PROTO_OK },
	};
	const struct sigv4_vector *v = vec("ssm StartSession");
	struct edited e;

	for (size_t i = 0; i < sizeof(changes) / sizeof(changes[0]); i++) {
		edit_init(&e, v->name);
		edit_set(&e, changes[i].name, changes[i].value);
		cr_assert_eq(sigv4_vector_check(&e.req, v->authorization, v->when), changes[i].want,
			     "%s: %s", changes[i].name, changes[i].value ? changes[i].value : "(removed)");
	}
	edit_init(&e, v->name);
	e.h[0].name = "hOsT"; /* names match whatever their case */
	cr_assert_eq(sigv4_vector_check(&e.req, v->authorization, v->when), PROTO_OK);
	edit_add(&e, "X-Amz-Target", "AmazonSSM.StartSession"); /* now "a,a" */
	cr_assert_eq(sigv4_vector_check(&e.req, v->authorization, v->when),
		     PROTO_E_AUTH_SIGNATURE);
	/* an x-amz-target the client did not sign is fine */
	edit_init(&e, "get-vanilla");
	edit_add(&e, "X-Amz-Target", "AmazonSSM.StartSession");
	cr_assert_eq(sigv4_vector_check(&e.req, vec("get-vanilla")->authorization,
					vec("get-vanilla")->when),
		     PROTO_OK);
}

Test(sigv4_verify, host_and_date_must_be_signed)
{
	const struct sigv4_vector *v = vec("ssm StartSession");
	const struct sigv4_request req = sigv4_vector_request(v);
	struct edited e;

	cr_assert_eq(sigv4_vector_check(&req, replaced(v->authorization, "host;", ""), v->when),
		     PROTO_E_AUTH_UNSIGNED);
	cr_assert_eq(sigv4_vector_check(&req, replaced(v->authorization, "x-amz-date;", ""),
					v->when),
		     PROTO_E_AUTH_UNSIGNED);
	/* the same when the caller passes only the headers the client signed */
	edit_init(&e, v->name);
	edit_set(&e, "X-Amz-Date", NULL);
	cr_assert_eq(sigv4_vector_check(&e.req, replaced(v->authorization, "x-amz-date;", ""),
					v->when),
		     PROTO_E_AUTH_UNSIGNED);
}

Test(sigv4_verify, amz_date_header)
{
	static const struct {
		const char *value;
		int want;
	} values[] = {
		{ NULL, PROTO_E_AUTH_DATE },
		{ "", PROTO_E_AUTH_DATE },
		{ "2023-11-14T22:13:20Z", PROTO_E_AUTH_DATE },
		{ "20231114T221320", PROTO_E_AUTH_DATE },
		{ "20231114T221380Z", PROTO_E_AUTH_DATE },
		{ "Tue, 14 Nov 2023 22:13:20 GMT", PROTO_E_AUTH_DATE },
		{ "  20231114T221320Z \t", PROTO_OK },
		{ "20231114T221321Z", PROTO_E_AUTH_SIGNATURE },
	};
	const struct sigv4_vector *v = vec("ssm StartSession");
	struct edited e;

	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		edit_init(&e, v->name);
		edit_set(&e, "X-Amz-Date", values[i].value);
		cr_assert_eq(sigv4_vector_check(&e.req, v->authorization, v->when), values[i].want,
			     "%s", values[i].value ? values[i].value : "(absent)");
	}
	edit_init(&e, v->name);
	edit_add(&e, "x-amz-date", v->amz_date);
	cr_assert_eq(sigv4_vector_check(&e.req, v->authorization, v->when), PROTO_E_AUTH_DATE);
}

Test(sigv4_verify, clock_skew)
{
	const struct sigv4_vector *v = vec("kms GenerateDataKey, default port, leap day");
	const struct sigv4_request req = sigv4_vector_request(v);
	struct sigv4_auth auth;
	time_t t = 0;

	cr_assert_eq(sigv4_parse_authorization(v->authorization, strlen(v->authorization), &auth),
		     PROTO_OK);
	for (unsigned skew = 0; skew <= 900; skew += 300) {
		cr_assert_eq(sigv4_verify(&auth, &req, VEC_SECRET, v->when + skew, skew, &t), PROTO_OK);
		cr_assert_eq(t, v->when);
		cr_assert_eq(sigv4_verify(&auth, &req, VEC_SECRET, v->when - skew, skew, &t),
			     PROTO_OK);
		cr_assert_eq(sigv4_verify(&auth, &req, VEC_SECRET, v->when + skew + 1, skew, &t),
			     PROTO_E_AUTH_EXPIRED);
		cr_assert_eq(sigv4_verify(&auth, &req, VEC_SECRET, v->when - skew - 1, skew, &t),
			     PROTO_E_AUTH_EXPIRED);
	}
	cr_assert_eq(sigv4_verify(&auth, &req, VEC_SECRET, (time_t)1 << 62, 300, &t),
		     PROTO_E_AUTH_EXPIRED);
	cr_assert_eq(sigv4_verify(&auth, &req, VEC_SECRET, ((time_t)1 << 62) + 1, 300, &t),
		     PROTO_E_INVALID_ARG);
}

Test(sigv4_verify, credential_scope)
{
	const struct sigv4_vector *v = vec("ssm StartSession");
	struct edited e;

	edit_init(&e, v->name);
	cr_assert_eq(sigv4_vector_check(&e.req, replaced(v->authorization, "/20231114/",
							  "/20231113/"),
					v->when),
		     PROTO_E_AUTH_SCOPE);
	cr_assert_eq(sigv4_vector_check(&e.req, replaced(v->authorization, "aws4_request",
							  "aws4_requesx"),
					v->when),
		     PROTO_E_AUTH_SCOPE);
	edit_set(&e, "X-Amz-Date", "20231115T000000Z");
	cr_assert_eq(sigv4_vector_check(&e.req, v->authorization, 1700006400), PROTO_E_AUTH_SCOPE);
}

Test(sigv4_verify, region_and_service_are_the_callers_choice)
{
	const struct sigv4_vector *v = vec("ssm StartSession, escaped non-ASCII");
	const struct sigv4_request req = sigv4_vector_request(v);
	struct sigv4_auth auth;

	cr_assert_eq(sigv4_parse_authorization(v->authorization, strlen(v->authorization), &auth),
		     PROTO_OK);
	cr_assert_eq(sigv4_verify(&auth, &req, VEC_SECRET, v->when, 300, NULL), PROTO_OK);
	cr_assert_str_eq(auth.region, "eu-west-1");
	cr_assert_str_eq(auth.service, "ssm");
	/* ... and the signature covers them */
	cr_assert_eq(sigv4_vector_check(&req, replaced(v->authorization, "eu-west-1", "us-east-1"),
					v->when),
		     PROTO_E_AUTH_SIGNATURE);
	cr_assert_eq(sigv4_vector_check(&req, replaced(v->authorization, "/ssm/", "/kms/"),
					v->when),
		     PROTO_E_AUTH_SIGNATURE);
}

Test(sigv4_verify, wrong_secret_and_bad_arguments)
{
	const struct sigv4_vector *v = vec("ssm StartSession");
	const struct sigv4_request req = sigv4_vector_request(v);
	char long_secret[SIGV4_SECRET_MAX + 2];
	struct sigv4_auth auth;

	cr_assert_eq(sigv4_parse_authorization(v->authorization, strlen(v->authorization), &auth),
		     PROTO_OK);
	cr_assert_eq(sigv4_verify(&auth, &req, VEC_SECRET "x", v->when, 300, NULL),
		     PROTO_E_AUTH_SIGNATURE);
	cr_assert_eq(sigv4_verify(&auth, &req, "", v->when, 300, NULL), PROTO_E_AUTH_SIGNATURE);
	memset(long_secret, 's', sizeof(long_secret) - 1);
	long_secret[sizeof(long_secret) - 1] = '\0';
	cr_assert_eq(sigv4_verify(&auth, &req, long_secret, v->when, 300, NULL),
		     PROTO_E_INVALID_ARG);
	long_secret[SIGV4_SECRET_MAX] = '\0';
	cr_assert_eq(sigv4_verify(&auth, &req, long_secret, v->when, 300, NULL),
		     PROTO_E_AUTH_SIGNATURE);
	cr_assert_eq(sigv4_verify(NULL, &req, VEC_SECRET, v->when, 300, NULL), PROTO_E_INVALID_ARG);
	cr_assert_eq(sigv4_verify(&auth, NULL, VEC_SECRET, v->when, 300, NULL), PROTO_E_INVALID_ARG);
	cr_assert_eq(sigv4_verify(&auth, &req, NULL, v->when, 300, NULL), PROTO_E_INVALID_ARG);
}
