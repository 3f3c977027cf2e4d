/*
 * store_activations.c — the activations table: what CreateActivation issues
 * and agent registration consumes (id, SHA-256 of the code, IAM role,
 * description, default instance name, registration limit and count, expiry).
 * See store.h. The activation code itself is never stored.
 */
#include "store_impl.h"

#include <openssl/crypto.h>
#include <string.h>

#include "uuid.h"

#define ACT_COLUMNS \
	"id, iam_role, description, default_instance_name, registration_limit, " \
	"registrations, expires, created, code_hash"

enum { COL_ID, COL_ROLE, COL_DESCRIPTION, COL_NAME, COL_LIMIT, COL_USED, COL_EXPIRES,
       COL_CREATED, COL_CODE_HASH };

static int read_activation(struct store *s, sqlite3_stmt *st, struct store_activation *a)
{
	int rc = store__col_text(s, st, COL_ID, a->id, sizeof(a->id), "activation id");

	if (rc == STORE_OK)
		rc = store__col_text(s, st, COL_ROLE, a->iam_role, sizeof(a->iam_role), "IAM role");
	if (rc == STORE_OK)
		rc = store__col_text(s, st, COL_DESCRIPTION, a->description,
				     sizeof(a->description), "description");
	if (rc == STORE_OK)
		rc = store__col_text(s, st, COL_NAME, a->default_instance_name,
				     sizeof(a->default_instance_name), "default instance name");
	if (rc == STORE_OK) {
		a->registration_limit = sqlite3_column_int(st, COL_LIMIT);
		a->registrations = sqlite3_column_int(st, COL_USED);
		a->expires = sqlite3_column_int64(st, COL_EXPIRES);
		a->created = sqlite3_column_int64(st, COL_CREATED);
	}
	return rc;
}

static int hash_code(struct store *s, const char *code, char out[STORE_SHA256_HEX_LEN + 1])
{
	size_t n = code ? strnlen(code, STORE_ACTIVATION_CODE_MAX + 1) : 0;

	if (n < STORE_ACTIVATION_CODE_MIN || n > STORE_ACTIVATION_CODE_MAX)
		return STORE_NOT_FOUND;
	return store__sha256_hex(s, code, n, out);
}

int store_activation_create(struct store *s, const struct store_activation_new *a,
			    const char *code,
			    const uint8_t random[STORE_ACTIVATION_RANDOM_BYTES], int64_t now,
			    char id_out[STORE_UUID_LEN + 1])
{
	static const char sql[] =
		"INSERT INTO activations (id, code_hash, iam_role, description, "
		"default_instance_name, registration_limit, expires, created) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	char id[STORE_UUID_LEN + 1], hash[STORE_SHA256_HEX_LEN + 1];
	struct uuid u = uuid_v4_from_bytes(random);
	sqlite3_stmt *st = NULL;
	int rc;

	if (a->registration_limit < 1 || a->registration_limit > STORE_REGISTRATION_LIMIT_MAX) {
		rc = store__fail(s, "registration limit %d is not 1-%d", a->registration_limit,
				 STORE_REGISTRATION_LIMIT_MAX);
		goto out;
	}
	if (a->expires <= now) {
		rc = store__fail(s, "activation would expire before it is created");
		goto out;
	}
	rc = hash_code(s, code, hash);
	if (rc == STORE_NOT_FOUND)
		rc = store__fail(s, "activation code must be %d-%d characters",
				 STORE_ACTIVATION_CODE_MIN, STORE_ACTIVATION_CODE_MAX);
	if (rc != STORE_OK)
		goto out;
	uuid_format(&u, id);
	st = store__stmt(s, STMT_ACT_INSERT, sql);
	if (!st) {
		rc = STORE_ERROR;
		goto out;
	}
	rc = store__bind_text(s, st, 1, id, STORE_UUID_LEN, TEXT_REQUIRED, "activation id");
	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 2, hash, STORE_SHA256_HEX_LEN, TEXT_REQUIRED,
				      "code hash");
	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 3, a->iam_role, STORE_IAM_ROLE_MAX, TEXT_REQUIRED,
				      "IAM role");
	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 4, a->description, STORE_DESCRIPTION_MAX,
				      TEXT_OPTIONAL, "description");
	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 5, a->default_instance_name, STORE_INSTANCE_NAME_MAX,
				      TEXT_OPTIONAL, "default instance name");
	if (rc == STORE_OK)
		rc = store__bind_i64(s, st, 6, a->registration_limit);
	if (rc == STORE_OK)
		rc = store__bind_i64(s, st, 7, a->expires);
	if (rc == STORE_OK)
		rc = store__bind_i64(s, st, 8, now);
	if (rc == STORE_OK)
		rc = store__run(s, st, "insert activation");
	if (rc == STORE_OK)
		memcpy(id_out, id, sizeof(id));
out:
	store__release(st);
	return rc;
}

/* Select one activation by id into st (row ready) or STORE_NOT_FOUND. */
static int select_activation(struct store *s, sqlite3_stmt *st, const char *id)
{
	int rc = store__bind_text(s, st, 1, id, STORE_UUID_LEN, TEXT_KEY, "activation id");

	if (rc == STORE_OK)
		rc = store__step_row(s, st, "read activation");
	return rc;
}

int store_activation_get(struct store *s, const char *id, struct store_activation *out)
{
	static const char sql[] = "SELECT " ACT_COLUMNS " FROM activations WHERE id = ?1";
	sqlite3_stmt *st = store__stmt(s, STMT_ACT_GET, sql);
	int rc = st ? select_activation(s, st, id) : STORE_ERROR;

	if (rc == STORE_OK)
		rc = read_activation(s, st, out);
	store__release(st);
	return rc;
}

/* With the activation's row in st: is the code right, is it still usable? */
static int judge(struct store *s, sqlite3_stmt *st, const char *hash, int64_t now)
{
	const unsigned char *stored = sqlite3_column_text(st, COL_CODE_HASH);

	if (!stored)
		return store__fail(s, "reading code hash: out of memory");
	if (sqlite3_column_bytes(st, COL_CODE_HASH) != STORE_SHA256_HEX_LEN ||
	    CRYPTO_memcmp(stored, hash, STORE_SHA256_HEX_LEN) != 0)
		return STORE_NOT_FOUND;
	if (now >= sqlite3_column_int64(st, COL_EXPIRES))
		return STORE_EXPIRED;
	if (sqlite3_column_int(st, COL_USED) >= sqlite3_column_int(st, COL_LIMIT))
		return STORE_LIMIT;
	return STORE_OK;
}

int store_activation_consume(struct store *s, const char *id, const char *code, int64_t now,
			     struct store_activation *out)
{
	static const char get_sql[] = "SELECT " ACT_COLUMNS " FROM activations WHERE id = ?1";
	static const char inc_sql[] =
		"UPDATE activations SET registrations = registrations + 1 WHERE id = ?1";
	char hash[STORE_SHA256_HEX_LEN + 1];
	struct store__tx tx = { 0 };
	sqlite3_stmt *get = NULL, *inc = NULL;
	int rc;

	/* Hash before the lookup, so an unknown id and a wrong code cost the
	 * same; a code of impossible length is refused like a wrong one. */
	rc = hash_code(s, code, hash);
	if (rc != STORE_OK)
		goto out;
	rc = store__tx_begin(s, &tx);
	if (rc != STORE_OK)
		goto out;
	get = store__stmt(s, STMT_ACT_GET, get_sql);
	rc = get ? select_activation(s, get, id) : STORE_ERROR;
	if (rc == STORE_OK)
		rc = judge(s, get, hash, now);
	store__release(get);
	get = NULL;
	if (rc != STORE_OK)
		goto out;
	inc = store__stmt(s, STMT_ACT_INCREMENT, inc_sql);
	rc = inc ? store__bind_text(s, inc, 1, id, STORE_UUID_LEN, TEXT_REQUIRED, "activation id")
		 : STORE_ERROR;
	if (rc == STORE_OK)
		rc = store__run(s, inc, "use activation");
	if (rc == STORE_OK && out)
		rc = store_activation_get(s, id, out);
	if (rc == STORE_OK)
		rc = store__tx_commit(s, &tx);
out:
	store__release(get);
	store__release(inc);
	store__tx_abort(s, &tx);
	return rc;
}
