/*
 * store_fixture.c — fresh database per test and shared helpers for the store
 * tests (see store_fixture.h).
 */
#include "store_fixture.h"

#include <criterion/criterion.h>

#include <dirent.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../broker/store_impl.h"

static struct {
	char dir[PATH_MAX];
	char path[PATH_MAX];
	struct store *store;
} fx;

void fx_setup(void)
{
	const char *tmp = getenv("TMPDIR");
	char err[256] = "";
	int n;

	n = snprintf(fx.dir, sizeof(fx.dir), "%s/postern-store-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	cr_assert(n > 0 && (size_t)n < sizeof(fx.dir));
	cr_assert_not_null(mkdtemp(fx.dir), "mkdtemp %s", fx.dir);
	n = snprintf(fx.path, sizeof(fx.path), "%s/state.db", fx.dir);
	cr_assert(n > 0 && (size_t)n < sizeof(fx.path));
	cr_assert_eq(store_open(fx.path, &fx.store, err, sizeof(err)), STORE_OK, "%s", err);
}

void fx_teardown(void)
{
	DIR *d;
	struct dirent *e;
	char p[PATH_MAX];

	fx_close();
	if (!fx.dir[0])
		return;
	d = opendir(fx.dir);
	while (d && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (snprintf(p, sizeof(p), "%s/%s", fx.dir, e->d_name) < (int)sizeof(p))
			unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(fx.dir);
}

struct store *fx_store(void)
{
	return fx.store;
}

const char *fx_path(void)
{
	return fx.path;
}

const char *fx_dir(void)
{
	return fx.dir;
}

void fx_close(void)
{
	store_close(fx.store);
	fx.store = NULL;
}

void fx_reopen(void)
{
	char err[256] = "";

	fx_close();
	cr_assert_eq(store_open(fx.path, &fx.store, err, sizeof(err)), STORE_OK, "%s", err);
}

void fx_random(uint8_t *out, size_t n, uint32_t seed)
{
	uint64_t x = 0x9e3779b97f4a7c15ull * (seed + 1u);

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		out[i] = (uint8_t)(x >> 24);
	}
}

static sqlite3_stmt *prepare(const char *sql)
{
	sqlite3_stmt *st = NULL;

	cr_assert_not_null(fx.store);
	cr_assert_eq(sqlite3_prepare_v2(fx.store->db, sql, -1, &st, NULL), SQLITE_OK, "%s: %s",
		     sql, sqlite3_errmsg(fx.store->db));
	return st;
}

long long fx_query_int(const char *sql)
{
	sqlite3_stmt *st = prepare(sql);
	long long v;

	cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "%s", sql);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

long fx_pragma_int(const char *name)
{
	char sql[64];

	cr_assert(snprintf(sql, sizeof(sql), "PRAGMA %s", name) < (int)sizeof(sql));
	return (long)fx_query_int(sql);
}

void fx_pragma_text(const char *name, char *buf, size_t cap)
{
	char sql[64];
	sqlite3_stmt *st;

	cr_assert(snprintf(sql, sizeof(sql), "PRAGMA %s", name) < (int)sizeof(sql));
	st = prepare(sql);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "%s", sql);
	cr_assert(snprintf(buf, cap, "%s", (const char *)sqlite3_column_text(st, 0)) < (int)cap);
	sqlite3_finalize(st);
}

int fx_exec(const char *sql)
{
	cr_assert_not_null(fx.store);
	return sqlite3_exec(fx.store->db, sql, NULL, NULL, NULL);
}

static bool one_file_contains(const char *path, const char *needle)
{
	size_t n = strlen(needle), len = 0, cap = 0;
	char *buf = NULL;
	bool found = false;
	FILE *f = fopen(path, "rb");

	if (!f)
		return false;
	for (;;) {
		if (len == cap) {
			cap = cap ? 2 * cap : 65536;
			buf = realloc(buf, cap);
			cr_assert_not_null(buf);
		}
		size_t got = fread(buf + len, 1, cap - len, f);

		if (got == 0)
			break;
		len += got;
	}
	fclose(f);
	for (size_t i = 0; !found && n && i + n <= len; i++)
		found = memcmp(buf + i, needle, n) == 0;
	free(buf);
	return found;
}

bool fx_file_contains(const char *needle)
{
	char wal[PATH_MAX + 8];

	snprintf(wal, sizeof(wal), "%s-wal", fx.path);
	return one_file_contains(fx.path, needle) || one_file_contains(wal, needle);
}

void fx_sha256_hex(const char *text, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	cr_assert_eq(EVP_Digest(text, strlen(text), md, &n, EVP_sha256(), NULL), 1);
	cr_assert_eq(n, 32);
	for (unsigned int i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

int fx_mode(const char *path)
{
	struct stat sb;

	if (stat(path, &sb) != 0)
		return -1;
	return (int)(sb.st_mode & 07777);
}

void fx_activation(const char *code, int limit, int64_t expires, uint32_t seed,
		   char id[STORE_UUID_LEN + 1])
{
	struct store_activation_new a = {
		.iam_role = "postern-agent",
		.description = "test activation",
		.default_instance_name = "web",
		.registration_limit = limit,
		.expires = expires,
	};
	uint8_t rnd[STORE_ACTIVATION_RANDOM_BYTES];
	int rc;

	fx_random(rnd, sizeof(rnd), seed);
	rc = store_activation_create(fx.store, &a, code, rnd, FX_NOW, id);
	cr_assert_eq(rc, STORE_OK, "%s: %s", store_status_str(rc), store_errmsg(fx.store));
}

void fx_instance(const char *activation_id, const char *serial, uint32_t seed,
		 char id[STORE_INSTANCE_ID_LEN + 1])
{
	struct store_instance_new n = {
		.activation_id = activation_id,
		.name = "web",
		.cert_serial = serial,
	};
	uint8_t rnd[STORE_ID_RANDOM_BYTES];
	int rc;

	fx_random(rnd, sizeof(rnd), seed);
	rc = store_instance_register(fx.store, &n, rnd, FX_NOW, id);
	cr_assert_eq(rc, STORE_OK, "%s: %s", store_status_str(rc), store_errmsg(fx.store));
}

void fx_session(const char *caller, const char *target, int64_t start, uint32_t seed,
		char id[STORE_SESSION_ID_MAX + 1])
{
	struct store_session_new n = {
		.caller = caller,
		.target = target,
		.owner = caller,
		.document_name = "SSM-SessionManagerRunShell",
		.parameters = NULL,
		.reason = NULL,
		.start_date = start,
	};
	uint8_t rnd[STORE_ID_RANDOM_BYTES];
	int rc;

	fx_random(rnd, sizeof(rnd), seed);
	rc = store_session_create(fx.store, &n, rnd, id);
	cr_assert_eq(rc, STORE_OK, "%s: %s", store_status_str(rc), store_errmsg(fx.store));
}
