/*
 * store_tokens.c — the tokens table: single-use data-channel tokens, each
 * bound to one session and one role, kept only as SHA-256 hashes with an
 * expiry and a used flag. See store.h.
 */
#include "store_impl.h"

#include <string.h>

static const char *const role_names[] = {
	[STORE_ROLE_CLIENT] = "client",
	[STORE_ROLE_AGENT] = "agent",
};

#define ROLE_NAME_MAX 6

/* SHA-256 hex of a token; STORE_NOT_FOUND if it cannot be a token at all. */
static int hash_token(struct store *s, const char *token, char out[STORE_SHA256_HEX_LEN + 1])
{
	size_t n = token ? strnlen(token, STORE_TOKEN_MAX + 1) : 0;

	if (n == 0 || n > STORE_TOKEN_MAX)
		return STORE_NOT_FOUND;
	return store__sha256_hex(s, token, n, out);
}

int store_token_add(struct store *s, const char *session_id, enum store_token_role role,
		    const char *token, int64_t expires)
{
	static const char sql[] =
		"INSERT INTO tokens (hash, session_id, role, expires) VALUES (?1, ?2, ?3, ?4)";
	char hash[STORE_SHA256_HEX_LEN + 1];
	sqlite3_stmt *st = NULL;
	int rc;

	if ((unsigned)role >= sizeof(role_names) / sizeof(role_names[0])) {
		rc = store__fail(s, "token role %d is not valid", (int)role);
		goto out;
	}
	rc = hash_token(s, token, hash);
	if (rc == STORE_NOT_FOUND)
		rc = store__fail(s, "token must be 1-%d characters", STORE_TOKEN_MAX);
	if (rc != STORE_OK)
		goto out;
	st = store__stmt(s, STMT_TOK_INSERT, sql);
	rc = st ? store__bind_text(s, st, 1, hash, STORE_SHA256_HEX_LEN, TEXT_REQUIRED,
				   "token hash")
		: STORE_ERROR;
	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 2, session_id, STORE_SESSION_ID_MAX, TEXT_KEY,
				      "session id");
	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 3, role_names[role], ROLE_NAME_MAX, TEXT_REQUIRED,
				      "role");
	if (rc == STORE_OK)
		rc = store__bind_i64(s, st, 4, expires);
	if (rc == STORE_OK)
		rc = store__run(s, st, "insert token");
out:
	store__release(st);
	return rc;
}

/* After a failed consume: why was the token refused? */
static int refusal(struct store *s, const char *hash, int64_t now)
{
	static const char sql[] = "SELECT used, expires FROM tokens WHERE hash = ?1";
	sqlite3_stmt *st = store__stmt(s, STMT_TOK_STATE, sql);
	int rc = st ? store__bind_text(s, st, 1, hash, STORE_SHA256_HEX_LEN, TEXT_REQUIRED,
				       "token hash")
		    : STORE_ERROR;

	if (rc == STORE_OK)
		rc = store__step_row(s, st, "read token");
	if (rc == STORE_OK) {
		if (sqlite3_column_int(st, 0))
			rc = STORE_USED;
		else if (now >= sqlite3_column_int64(st, 1))
			rc = STORE_EXPIRED;
		else
			rc = store__fail(s, "token is valid but could not be consumed");
	}
	store__release(st);
	return rc;
}

static int read_binding(struct store *s, sqlite3_stmt *st, char session_out[STORE_SESSION_ID_MAX + 1],
			enum store_token_role *role_out)
{
	char role[ROLE_NAME_MAX + 1];
	int rc = store__col_text(s, st, 0, session_out, STORE_SESSION_ID_MAX + 1, "session id");

	if (rc == STORE_OK)
		rc = store__col_text(s, st, 1, role, sizeof(role), "role");
	if (rc != STORE_OK)
		return rc;
	for (size_t i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++) {
		if (strcmp(role, role_names[i]) == 0) {
			*role_out = (enum store_token_role)i;
			return STORE_OK;
		}
	}
	return store__fail(s, "stored token role '%s' is unknown", role);
}

int store_token_consume(struct store *s, const char *token, int64_t now,
			char session_out[STORE_SESSION_ID_MAX + 1],
			enum store_token_role *role_out)
{
	/* One statement: the check and the marking cannot be separated. */
	static const char sql[] =
		"UPDATE tokens SET used = 1 WHERE hash = ?1 AND used = 0 AND expires > ?2 "
		"RETURNING session_id, role";
	char hash[STORE_SHA256_HEX_LEN + 1];
	sqlite3_stmt *st = NULL;
	int rc;

	rc = hash_token(s, token, hash);
	if (rc != STORE_OK)
		goto out;
	st = store__stmt(s, STMT_TOK_CONSUME, sql);
	rc = st ? store__bind_text(s, st, 1, hash, STORE_SHA256_HEX_LEN, TEXT_REQUIRED,
				   "token hash")
		: STORE_ERROR;
	if (rc == STORE_OK)
		rc = store__bind_i64(s, st, 2, now);
	if (rc == STORE_OK)
		rc = store__step_row(s, st, "consume token");
	if (rc == STORE_OK)
		rc = read_binding(s, st, session_out, role_out);
	if (rc == STORE_OK)
		rc = store__run(s, st, "consume token"); /* finish: commits the update */
	store__release(st);
	st = NULL;
	if (rc == STORE_NOT_FOUND)
		rc = refusal(s, hash, now);
out:
	store__release(st);
	return rc;
}

int store_token_purge(struct store *s, int64_t before, int64_t *removed)
{
	static const char sql[] = "DELETE FROM tokens WHERE expires < ?1";
	sqlite3_stmt *st = store__stmt(s, STMT_TOK_PURGE, sql);
	int rc = st ? store__bind_i64(s, st, 1, before) : STORE_ERROR;

	if (rc == STORE_OK)
		rc = store__run(s, st, "purge tokens");
	if (rc == STORE_OK && removed)
		*removed = store__changes(s);
	store__release(st);
	return rc;
}
