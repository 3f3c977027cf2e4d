/*
 * store_cursor.c — the NextToken of paged listings (see store_impl.h).
 *
 * A token is standard base64 of:
 *
 *   offset  size  field
 *        0     1  format version (1)
 *        1     1  kind: 'S' sessions, 'I' instances
 *        2     8  query fingerprint: SHA-256 of the query's filters, first 8 bytes
 *       10     8  sort timestamp, big-endian two's complement (sessions: start_date)
 *       18     1  n, length of the last id (1–96)
 *       19     n  the last id returned
 *     19+n     8  check: SHA-256 of bytes 0..19+n, first 8 bytes
 *
 * The check catches truncated, altered and corrupted tokens; the fingerprint
 * catches a token carried over to a query with other filters. Neither is
 * secret: someone who writes a well-formed token by hand only chooses where
 * in the listing the page starts, which paging could reach anyway, and the
 * query's filters still decide which rows they see.
 */
#include "store_impl.h"

#include <openssl/evp.h>
#include <string.h>

#include "base64.h"
#include "byteorder.h"
#include "proto_err.h"

#define CURSOR_VERSION 1
#define CHECK_LEN 8
#define FIXED_LEN (19 + CHECK_LEN)
#define CURSOR_MAX (FIXED_LEN + STORE_SESSION_ID_MAX)

_Static_assert((CURSOR_MAX + 2) / 3 * 4 <= STORE_NEXT_TOKEN_MAX,
	       "the longest token fits STORE_NEXT_TOKEN_MAX");

/* ---- query fingerprint ---- */

int store__qh_init(struct store *s, struct store__query_hash *qh, char kind)
{
	unsigned char k = (unsigned char)kind;

	qh->failed = false;
	qh->md = EVP_MD_CTX_new();
	if (!qh->md || EVP_DigestInit_ex(qh->md, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(qh->md, &k, 1) != 1) {
		store__qh_free(qh);
		return store__fail(s, "query fingerprint: libcrypto failed");
	}
	return STORE_OK;
}

static void qh_update(struct store__query_hash *qh, const void *p, size_t n)
{
	if (!qh->failed && EVP_DigestUpdate(qh->md, p, n) != 1)
		qh->failed = true;
}

/* Each field is a presence byte, then (if present) an 8-byte length or value
 * and the bytes, so no two different queries serialize alike. */
void store__qh_text(struct store__query_hash *qh, const char *text)
{
	uint8_t head[9] = { text != NULL };
	size_t n = text ? strlen(text) : 0;

	be64_put(head + 1, n);
	qh_update(qh, head, text ? sizeof(head) : 1);
	if (n)
		qh_update(qh, text, n);
}

void store__qh_i64(struct store__query_hash *qh, bool present, int64_t v)
{
	uint8_t buf[9] = { present };

	be64_put(buf + 1, (uint64_t)v);
	qh_update(qh, buf, present ? sizeof(buf) : 1);
}

int store__qh_final(struct store *s, struct store__query_hash *qh,
		    uint8_t out[STORE_CURSOR_QUERY_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	int rc = STORE_OK;

	if (qh->failed || EVP_DigestFinal_ex(qh->md, md, &n) != 1 || n < STORE_CURSOR_QUERY_LEN)
		rc = store__fail(s, "query fingerprint: libcrypto failed");
	else
		memcpy(out, md, STORE_CURSOR_QUERY_LEN);
	store__qh_free(qh);
	return rc;
}

void store__qh_free(struct store__query_hash *qh)
{
	EVP_MD_CTX_free(qh->md);
	qh->md = NULL;
}

/* ---- token ---- */

static int check_bytes(const uint8_t *p, size_t n, uint8_t out[CHECK_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (EVP_Digest(p, n, md, &len, EVP_sha256(), NULL) != 1 || len < CHECK_LEN)
		return STORE_ERROR;
	memcpy(out, md, CHECK_LEN);
	return STORE_OK;
}

int store__cursor_encode(struct store *s, const struct store__cursor *c,
			 char out[STORE_NEXT_TOKEN_MAX + 1])
{
	uint8_t buf[CURSOR_MAX];
	size_t n = strlen(c->id);

	if (n == 0 || n > STORE_SESSION_ID_MAX)
		return store__fail(s, "next token: bad id length %zu", n);
	buf[0] = CURSOR_VERSION;
	buf[1] = (uint8_t)c->kind;
	memcpy(buf + 2, c->query, STORE_CURSOR_QUERY_LEN);
	be64_put(buf + 10, (uint64_t)c->ts);
	buf[18] = (uint8_t)n;
	memcpy(buf + 19, c->id, n);
	if (check_bytes(buf, 19 + n, buf + 19 + n) != STORE_OK)
		return store__fail(s, "next token: libcrypto failed");
	if (base64_encode(buf, FIXED_LEN + n, out, STORE_NEXT_TOKEN_MAX + 1, NULL) != PROTO_OK)
		return store__fail(s, "next token: does not fit");
	return STORE_OK;
}

/* Ids in tokens are what the store writes: IAM name characters and '-'. */
static bool plausible_id(const uint8_t *p, size_t n)
{
	char id[STORE_SESSION_ID_MAX + 1];

	memcpy(id, p, n);
	id[n] = '\0';
	return strlen(id) == n && store__valid_name(id, STORE_SESSION_ID_MAX);
}

int store__cursor_decode(struct store *s, const char *text, char kind, size_t id_max,
			 const uint8_t query[STORE_CURSOR_QUERY_LEN], struct store__cursor *c)
{
	uint8_t buf[CURSOR_MAX + 3], check[CHECK_LEN];
	size_t tlen = strnlen(text, STORE_NEXT_TOKEN_MAX + 1), len = 0, n;

	if (tlen > STORE_NEXT_TOKEN_MAX ||
	    base64_decode(text, tlen, buf, sizeof(buf), &len) != PROTO_OK || len < FIXED_LEN + 1)
		return STORE_BAD_TOKEN;
	n = buf[18];
	if (buf[0] != CURSOR_VERSION || n == 0 || n > STORE_SESSION_ID_MAX ||
	    len != FIXED_LEN + n)
		return STORE_BAD_TOKEN;
	if (check_bytes(buf, 19 + n, check) != STORE_OK)
		return store__fail(s, "next token: libcrypto failed");
	if (memcmp(check, buf + 19 + n, CHECK_LEN) != 0)
		return STORE_BAD_TOKEN;
	if (buf[1] != (uint8_t)kind || memcmp(buf + 2, query, STORE_CURSOR_QUERY_LEN) != 0 ||
	    n > id_max || !plausible_id(buf + 19, n))
		return STORE_BAD_TOKEN;
	c->kind = kind;
	memcpy(c->query, query, STORE_CURSOR_QUERY_LEN);
	c->ts = (int64_t)be64_get(buf + 10);
	memcpy(c->id, buf + 19, n);
	c->id[n] = '\0';
	return STORE_OK;
}
