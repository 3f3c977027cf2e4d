/*
 * sigv4_verify.c — the broker's side of SigV4: sigv4_verify checks a parsed
 * Authorization header against the request, the secret and the clock, in the
 * order and with the codes sigv4.h lists, then recomputes the signature
 * (sigv4_compute_signature) and compares it in constant time.
 */
#include "sigv4_impl.h"
#include "proto_err.h"

#include <openssl/crypto.h>
#include <string.h>

/* |time| beyond this is refused, so that time ± skew never overflows. */
#define TIME_LIMIT ((int64_t)1 << 62)

/* The one X-Amz-Date of req, trimmed, into out. */
static int find_amz_date(const struct sigv4_request *req, char out[SIGV4_AMZ_DATE_LEN + 1])
{
	const char *found = NULL;
	size_t len;

	for (size_t i = 0; i < req->n_headers; i++) {
		if (!req->headers[i].name || !sigv4_name_eq(req->headers[i].name, "x-amz-date"))
			continue;
		if (found || !req->headers[i].value)
			return PROTO_E_AUTH_DATE;
		found = req->headers[i].value;
	}
	if (!found)
		return PROTO_E_AUTH_DATE;
	while (sigv4_is_space(*found))
		found++;
	len = strnlen(found, SIGV4_AMZ_DATE_LEN + 64);
	while (len > 0 && sigv4_is_space(found[len - 1]))
		len--;
	if (len != SIGV4_AMZ_DATE_LEN)
		return PROTO_E_AUTH_DATE;
	memcpy(out, found, len);
	out[len] = '\0';
	return PROTO_OK;
}

/* Is `name` among auth's SignedHeaders? */
static bool signs(const struct sigv4_auth *auth, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = auth->signed_headers; *p;) {
		size_t k = strcspn(p, ";");

		if (k == n && memcmp(p, name, n) == 0)
			return true;
		p += k + (p[k] == ';');
	}
	return false;
}

int sigv4_verify(const struct sigv4_auth *auth, const struct sigv4_request *req,
		 const char *secret, time_t now, unsigned skew_seconds, time_t *request_time)
{
	char amz_date[SIGV4_AMZ_DATE_LEN + 1];
	uint8_t sig[SIGV4_SIG_LEN];
	int64_t t, skew = skew_seconds;
	time_t when;
	int rc;

	if (!auth || !req || !secret || (req->n_headers && !req->headers) ||
	    (int64_t)now > TIME_LIMIT || (int64_t)now < -TIME_LIMIT)
		return PROTO_E_INVALID_ARG;
	if (!signs(auth, "host") || !signs(auth, "x-amz-date"))
		return PROTO_E_AUTH_UNSIGNED;
	rc = find_amz_date(req, amz_date);
	if (rc == PROTO_OK)
		rc = sigv4_parse_amz_date(amz_date, SIGV4_AMZ_DATE_LEN, &when);
	if (rc != PROTO_OK)
		return rc;
	if (request_time)
		*request_time = when;
	t = (int64_t)when;
	if (strcmp(auth->terminator, SIGV4_TERMINATOR) != 0 ||
	    memcmp(auth->date, amz_date, 8) != 0)
		return PROTO_E_AUTH_SCOPE;
	if (t < (int64_t)now - skew || t > (int64_t)now + skew)
		return PROTO_E_AUTH_EXPIRED;
	rc = sigv4_compute_signature(auth, amz_date, req, secret, sig);
	if (rc == PROTO_OK && CRYPTO_memcmp(sig, auth->signature, sizeof(sig)) != 0)
		rc = PROTO_E_AUTH_SIGNATURE;
	OPENSSL_cleanse(sig, sizeof(sig));
	return rc;
}
