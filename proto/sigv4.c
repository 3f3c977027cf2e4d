/*
 * sigv4.c — SigV4 keys and signatures: the signing key chain, the string to
 * sign, the signature of a request (which sigv4_verify in sigv4_verify.c
 * recomputes) and sigv4_sign for clients (see sigv4.h).
 */
#include "sigv4_impl.h"
#include "proto_err.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest string to sign: fixed parts plus the two longest scope parts. */
#define STS_MAX (sizeof(SIGV4_ALGORITHM) + SIGV4_AMZ_DATE_LEN + 9 + \
		 2 * (SIGV4_SCOPE_PART_MAX + 1) + sizeof(SIGV4_TERMINATOR) + 2 * SIGV4_SIG_LEN + 4)

static int hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len,
		       uint8_t out[SIGV4_SIG_LEN])
{
	unsigned int n = 0;

	if (!HMAC(EVP_sha256(), key, (int)key_len, msg, msg_len, out, &n) || n != SIGV4_SIG_LEN)
		return PROTO_E_NOMEM;
	return PROTO_OK;
}

int sigv4_signing_key(const char *secret, const char *date, const char *region,
		      const char *service, uint8_t key[SIGV4_SIG_LEN])
{
	const char *const parts[] = { date, region, service, SIGV4_TERMINATOR };
	char k_secret[4 + SIGV4_SECRET_MAX];
	uint8_t k[SIGV4_SIG_LEN], next[SIGV4_SIG_LEN];
	size_t n;
	int rc;

	if (!secret || !date || !region || !service || !key)
		return PROTO_E_INVALID_ARG;
	n = strnlen(secret, SIGV4_SECRET_MAX + 1);
	if (n > SIGV4_SECRET_MAX)
		return PROTO_E_INVALID_ARG;
	memcpy(k_secret, "AWS4", 4);
	memcpy(k_secret + 4, secret, n);
	rc = hmac_sha256(k_secret, 4 + n, date, strlen(date), k);
	for (size_t i = 1; i < sizeof(parts) / sizeof(parts[0]) && rc == PROTO_OK; i++) {
		rc = hmac_sha256(k, sizeof(k), parts[i], strlen(parts[i]), next);
		memcpy(k, next, sizeof(k));
	}
	if (rc == PROTO_OK)
		memcpy(key, k, sizeof(k));
	OPENSSL_cleanse(k_secret, sizeof(k_secret));
	OPENSSL_cleanse(k, sizeof(k));
	OPENSSL_cleanse(next, sizeof(next));
	return rc;
}

int sigv4_string_to_sign(const char *canonical, size_t len, const char *amz_date,
			 const char *region, const char *service, char *out, size_t out_cap)
{
	uint8_t digest[SHA256_DIGEST_LENGTH];
	char hex[2 * SHA256_DIGEST_LENGTH + 1];
	int n;

	if (!canonical || !amz_date || !region || !service || !out ||
	    strlen(amz_date) != SIGV4_AMZ_DATE_LEN)
		return PROTO_E_INVALID_ARG;
	SHA256((const uint8_t *)canonical, len, digest);
	sigv4_hex(digest, sizeof(digest), hex);
	n = snprintf(out, out_cap, SIGV4_ALGORITHM "\n%s\n%.8s/%s/%s/" SIGV4_TERMINATOR "\n%s",
		     amz_date, amz_date, region, service, hex);
	if (n < 0 || (size_t)n >= out_cap)
		return PROTO_E_BUFFER_SMALL;
	return PROTO_OK;
}

int sigv4_compute_signature(const struct sigv4_auth *auth, const char *amz_date,
			    const struct sigv4_request *req, const char *secret,
			    uint8_t sig[SIGV4_SIG_LEN])
{
	struct sigv4_buf canon = { 0 };
	char sts[STS_MAX];
	uint8_t key[SIGV4_SIG_LEN];
	int rc;

	rc = sigv4_canon_request(req, auth->signed_headers, &canon);
	if (rc != PROTO_OK)
		goto out;
	rc = sigv4_string_to_sign(canon.data, canon.len, amz_date, auth->region, auth->service,
				  sts, sizeof(sts));
	if (rc != PROTO_OK)
		goto out;
	rc = sigv4_signing_key(secret, auth->date, auth->region, auth->service, key);
	if (rc != PROTO_OK)
		goto out;
	rc = hmac_sha256(key, sizeof(key), sts, strlen(sts), sig);
out:
	OPENSSL_cleanse(key, sizeof(key));
	sigv4_buf_free(&canon);
	return rc;
}

/* ---- signing -------------------------------------------------------------- */

/* Headers sigv4_sign replaces with its own values. */
static bool supplied_by_signer(const char *name)
{
	return sigv4_name_eq(name, "x-amz-date") || sigv4_name_eq(name, "x-amz-security-token") ||
	       sigv4_name_eq(name, "authorization");
}

static bool signable(const char *name)
{
	static const char prefix[] = "x-amz-";
	size_t i = 0;

	if (sigv4_name_eq(name, "host") || sigv4_name_eq(name, "content-type"))
		return true;
	while (i < sizeof(prefix) - 1 && sigv4_lower(name[i]) == prefix[i])
		i++;
	return i == sizeof(prefix) - 1;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Set auth's SignedHeaders to the sorted, distinct lower-case names of the
 * signable headers of h[0..n), which must include host. */
static int choose_signed(const struct sigv4_header *h, size_t n, struct sigv4_auth *auth)
{
	char names[SIGV4_SIGNED_MAX][SIGV4_HEADER_NAME_MAX + 1];
	char text[SIGV4_SIGNED_TEXT_MAX + 1];
	size_t count = 0, len = 0;
	bool host = false;

	for (size_t i = 0; i < n; i++) {
		char lower[SIGV4_HEADER_NAME_MAX + 1];
		size_t k, dup = 0;

		if (!h[i].name || !signable(h[i].name))
			continue;
		for (k = 0; h[i].name[k] && k < SIGV4_HEADER_NAME_MAX; k++)
			lower[k] = sigv4_lower(h[i].name[k]);
		if (h[i].name[k])
			return PROTO_E_INVALID_ARG;
		lower[k] = '\0';
		while (dup < count && strcmp(names[dup], lower) != 0)
			dup++;
		if (dup < count)
			continue;
		if (count == SIGV4_SIGNED_MAX)
			return PROTO_E_INVALID_ARG;
		memcpy(names[count++], lower, k + 1);
		host |= strcmp(lower, "host") == 0;
	}
	if (!host)
		return PROTO_E_INVALID_ARG;
	qsort(names, count, sizeof(names[0]), name_cmp);
	for (size_t i = 0; i < count; i++) {
		size_t k = strlen(names[i]);

		if (len + k + 1 > sizeof(text))
			return PROTO_E_INVALID_ARG;
		if (i > 0)
			text[len++] = ';';
		memcpy(text + len, names[i], k);
		len += k;
	}
	return sigv4_auth_set_signed(auth, text, len) ? PROTO_OK : PROTO_E_INVALID_ARG;
}

/* Credential scope of auth from the caller's strings. */
static int set_scope(struct sigv4_auth *auth, const char *akid, const char *amz_date,
		     const char *region, const char *service)
{
	const char *const part[5] = { akid, amz_date, region, service, SIGV4_TERMINATOR };
	size_t len[5];

	for (int i = 0; i < 5; i++)
		len[i] = strnlen(part[i], SIGV4_AKID_MAX + 1);
	len[1] = 8; /* the date of X-Amz-Date */
	return sigv4_auth_set_scope(auth, part, len) ? PROTO_OK : PROTO_E_INVALID_ARG;
}

int sigv4_sign(const struct sigv4_request *req, const struct sigv4_credentials *cred,
	       const char *region, const char *service, time_t when,
	       char amz_date[SIGV4_AMZ_DATE_LEN + 1], char *authz, size_t authz_cap)
{
	struct sigv4_auth auth;
	struct sigv4_request signed_req;
	struct sigv4_header *hdrs = NULL;
	size_t n = 0;
	int rc;

	if (!req || !cred || !cred->access_key_id || !cred->secret_access_key || !region ||
	    !service || !amz_date || !authz || (req->n_headers && !req->headers) ||
	    req->n_headers > SIZE_MAX / sizeof(*hdrs) - 2)
		return PROTO_E_INVALID_ARG;
	memset(&auth, 0, sizeof(auth));
	rc = sigv4_format_amz_date(when, amz_date);
	if (rc == PROTO_OK)
		rc = set_scope(&auth, cred->access_key_id, amz_date, region, service);
	if (rc != PROTO_OK)
		return rc;
	hdrs = malloc((req->n_headers + 2) * sizeof(*hdrs));
	if (!hdrs)
		return PROTO_E_NOMEM;
	for (size_t i = 0; i < req->n_headers; i++)
		if (req->headers[i].name && !supplied_by_signer(req->headers[i].name))
			hdrs[n++] = req->headers[i];
	hdrs[n++] = (struct sigv4_header){ "X-Amz-Date", amz_date };
	if (cred->session_token)
		hdrs[n++] = (struct sigv4_header){ "X-Amz-Security-Token", cred->session_token };
	rc = choose_signed(hdrs, n, &auth);
	if (rc != PROTO_OK)
		goto out;
	signed_req = *req;
	signed_req.headers = hdrs;
	signed_req.n_headers = n;
	rc = sigv4_compute_signature(&auth, amz_date, &signed_req, cred->secret_access_key,
				     auth.signature);
	if (rc != PROTO_OK)
		goto out;
	rc = sigv4_format_authorization(&auth, authz, authz_cap, NULL);
out:
	free(hdrs);
	return rc;
}
