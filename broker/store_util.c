/*
 * store_util.c — small helpers the store's modules share: checked text
 * binding, bounded column copies, name validation, hex ids and SHA-256
 * (see store_impl.h).
 */
#include "store_impl.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

int store__bind_text(struct store *s, sqlite3_stmt *st, int idx, const char *text,
		     size_t max, enum store__text_kind kind, const char *what)
{
	size_t len;
	int rc;

	if (kind == TEXT_KEY) {
		len = text ? strnlen(text, max + 1) : 0;
		if (len == 0 || len > max)
			return STORE_NOT_FOUND;
		rc = sqlite3_bind_text(st, idx, text, (int)len, SQLITE_STATIC);
		return rc == SQLITE_OK ? STORE_OK : store__sql_fail(s, what);
	}
	if (!text && kind == TEXT_REQUIRED)
		return store__fail(s, "%s is missing", what);
	if (!text && kind == TEXT_NULLABLE)
		return sqlite3_bind_null(st, idx) == SQLITE_OK ? STORE_OK
							       : store__sql_fail(s, what);
	if (!text)
		text = "";
	len = strnlen(text, max + 1);
	if (len > max)
		return store__fail(s, "%s is longer than %zu bytes", what, max);
	if (len == 0 && kind == TEXT_REQUIRED)
		return store__fail(s, "%s is empty", what);
	if (len == 0 && kind == TEXT_NULLABLE)
		rc = sqlite3_bind_null(st, idx);
	else
		rc = sqlite3_bind_text(st, idx, text, (int)len, SQLITE_STATIC);
	return rc == SQLITE_OK ? STORE_OK : store__sql_fail(s, what);
}

int store__bind_i64(struct store *s, sqlite3_stmt *st, int idx, int64_t v)
{
	if (sqlite3_bind_int64(st, idx, v) != SQLITE_OK)
		return store__sql_fail(s, "bind integer");
	return STORE_OK;
}

int store__col_text(struct store *s, sqlite3_stmt *st, int col, char *dst, size_t cap,
		    const char *what)
{
	const unsigned char *p;
	size_t n;

	if (sqlite3_column_type(st, col) == SQLITE_NULL) {
		dst[0] = '\0';
		return STORE_OK;
	}
	p = sqlite3_column_text(st, col);
	if (!p)
		return store__fail(s, "reading %s: out of memory", what);
	n = (size_t)sqlite3_column_bytes(st, col);
	if (n >= cap)
		return store__fail(s, "stored %s is longer than %zu bytes", what, cap - 1);
	memcpy(dst, p, n);
	dst[n] = '\0';
	return STORE_OK;
}

int store__col_dup(struct store *s, sqlite3_stmt *st, int col, char **out, const char *what)
{
	const unsigned char *p = NULL;
	size_t n = 0;

	*out = NULL;
	if (sqlite3_column_type(st, col) != SQLITE_NULL) {
		p = sqlite3_column_text(st, col);
		if (!p)
			return store__fail(s, "reading %s: out of memory", what);
		n = (size_t)sqlite3_column_bytes(st, col);
	}
	*out = malloc(n + 1);
	if (!*out)
		return store__fail(s, "reading %s: out of memory", what);
	if (n)
		memcpy(*out, p, n);
	(*out)[n] = '\0';
	return STORE_OK;
}

bool store__valid_name(const char *name, size_t max)
{
	size_t n;

	if (!name)
		return false;
	for (n = 0; name[n]; n++) {
		char c = name[n];

		if (n >= max)
			return false;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      strchr("+=,.@_-", c)))
			return false;
	}
	return n > 0;
}

void store__hex17(const uint8_t random[STORE_ID_RANDOM_BYTES], char out[18])
{
	static const char digits[] = "0123456789abcdef";

	for (int i = 0; i < 17; i++) {
		uint8_t b = random[i / 2];

		out[i] = digits[i % 2 ? b & 0x0f : b >> 4];
	}
	out[17] = '\0';
}

int store__sha256_hex(struct store *s, const void *data, size_t len,
		      char out[STORE_SHA256_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
		return store__fail(s, "SHA-256 failed");
	for (unsigned int i = 0; i < mdlen; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 0x0f];
	}
	out[2 * mdlen] = '\0';
	return STORE_OK;
}
