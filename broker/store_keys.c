/*
 * store_keys.c — the access_keys table: API access keys (id, SigV4 secret,
 * user, created, disabled). See store.h.
 *
 * The secret is kept in clear because Signature V4 verification needs it as
 * the HMAC key; the database file is mode 0600 for this reason.
 */
#include "store_impl.h"

#include <openssl/crypto.h>
#include <string.h>

#include "base64.h"
#include "proto_err.h"

#define KEY_ID_PREFIX "PKIA"
#define KEY_ID_RANDOM 10   /* 80 bits: 16 base32 characters */
#define KEY_SECRET_RANDOM 30

_Static_assert(KEY_ID_RANDOM + KEY_SECRET_RANDOM == STORE_KEY_RANDOM_BYTES,
	       "key random bytes are split between id and secret");

/* "PKIA" + RFC 4648 base32 (A–Z, 2–7) of 10 bytes: exactly 16 characters. */
static void key_id_from(const uint8_t random[KEY_ID_RANDOM], char out[STORE_KEY_ID_LEN + 1])
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	size_t o = sizeof(KEY_ID_PREFIX) - 1;

	memcpy(out, KEY_ID_PREFIX, o);
	for (int group = 0; group < 2; group++) {
		const uint8_t *b = random + 5 * group;
		uint64_t v = (uint64_t)b[0] << 32 | (uint64_t)b[1] << 24 | (uint64_t)b[2] << 16 |
			     (uint64_t)b[3] << 8 | b[4];

		for (int shift = 35; shift >= 0; shift -= 5)
			out[o++] = alphabet[v >> shift & 0x1f];
	}
	out[o] = '\0';
}

int store_key_create(struct store *s, const char *user,
		     const uint8_t random[STORE_KEY_RANDOM_BYTES], int64_t now,
		     struct store_key *out)
{
	static const char sql[] =
		"INSERT INTO access_keys (id, secret, user_name, created) VALUES (?1, ?2, ?3, ?4)";
	sqlite3_stmt *st = NULL;
	struct store_key k = { .created = now };
	int rc;

	if (!store__valid_name(user, STORE_USER_MAX)) {
		rc = store__fail(s, "user name must be 1-%d of A-Z a-z 0-9 +=,.@_-",
				 STORE_USER_MAX);
		goto out;
	}
	key_id_from(random, k.id);
	if (base64_encode(random + KEY_ID_RANDOM, KEY_SECRET_RANDOM, k.secret,
			  sizeof(k.secret), NULL) != PROTO_OK) {
		rc = store__fail(s, "encoding the secret failed");
		goto out;
	}
	memcpy(k.user, user, strlen(user) + 1);
	st = store__stmt(s, STMT_KEY_INSERT, sql);
	if (!st) {
		rc = STORE_ERROR;
		goto out;
	}
	rc = store__bind_text(s, st, 1, k.id, STORE_KEY_ID_LEN, TEXT_REQUIRED, "key id");
	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 2, k.secret, STORE_KEY_SECRET_LEN, TEXT_REQUIRED,
				      "secret");
	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 3, k.user, STORE_USER_MAX, TEXT_REQUIRED, "user");
	if (rc == STORE_OK)
		rc = store__bind_i64(s, st, 4, now);
	if (rc == STORE_OK)
		rc = store__run(s, st, "insert access key");
	if (rc == STORE_OK)
		*out = k;
out:
	store__release(st);
	OPENSSL_cleanse(k.secret, sizeof(k.secret));
	return rc;
}

int store_key_lookup(struct store *s, const char *id, struct store_key *out)
{
	static const char sql[] =
		"SELECT id, secret, user_name, created, disabled FROM access_keys WHERE id = ?1";
	sqlite3_stmt *st = store__stmt(s, STMT_KEY_LOOKUP, sql);
	int rc = st ? STORE_OK : STORE_ERROR;

	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 1, id, STORE_KEY_ID_LEN, TEXT_KEY, "key id");
	if (rc == STORE_OK)
		rc = store__step_row(s, st, "look up access key");
	if (rc == STORE_OK)
		rc = store__col_text(s, st, 0, out->id, sizeof(out->id), "key id");
	if (rc == STORE_OK)
		rc = store__col_text(s, st, 1, out->secret, sizeof(out->secret), "secret");
	if (rc == STORE_OK)
		rc = store__col_text(s, st, 2, out->user, sizeof(out->user), "user");
	if (rc == STORE_OK) {
		out->created = sqlite3_column_int64(st, 3);
		out->disabled = sqlite3_column_int(st, 4) != 0;
	}
	store__release(st);
	return rc;
}

int store_key_set_disabled(struct store *s, const char *id, bool disabled)
{
	static const char sql[] = "UPDATE access_keys SET disabled = ?2 WHERE id = ?1";
	sqlite3_stmt *st = store__stmt(s, STMT_KEY_SET_DISABLED, sql);
	int rc = st ? STORE_OK : STORE_ERROR;

	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 1, id, STORE_KEY_ID_LEN, TEXT_KEY, "key id");
	if (rc == STORE_OK)
		rc = store__bind_i64(s, st, 2, disabled);
	if (rc == STORE_OK)
		rc = store__run(s, st, "disable access key");
	if (rc == STORE_OK && store__changes(s) == 0)
		rc = STORE_NOT_FOUND;
	store__release(st);
	return rc;
}
