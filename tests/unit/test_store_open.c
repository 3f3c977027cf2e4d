/*
 * test_store_open.c — the store handle (broker/store.c).
 *
 * Covers: schema creation at version 1 and idempotent re-opening; WAL,
 * synchronous=FULL and foreign keys in force on the store's own connection;
 * mode 0600 for the database and its WAL, including tightening a wider mode
 * on an existing file; refusing a database from a newer schema; open errors
 * reported through err; durability of every table across close and reopen;
 * statements prepared once and reused; caller transactions (commit,
 * rollback, misuse, a failing call inside one); status names.
 */
#include <criterion/criterion.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../broker/store_impl.h"
#include "store_fixture.h"

TestSuite(store_open, .init = fx_setup, .fini = fx_teardown);

static const char *const tables[] = {
	"access_keys", "activations", "instances", "revoked_certs", "sessions", "tokens", "audit",
};

static long long table_count(void)
{
	return fx_query_int("SELECT count(*) FROM sqlite_schema WHERE type = 'table'");
}

static bool table_exists(const char *name)
{
	char sql[128];

	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = '%s'", name);
	return fx_query_int(sql) == 1;
}

static void make_key(uint32_t seed, struct store_key *k)
{
	uint8_t rnd[STORE_KEY_RANDOM_BYTES];

	fx_random(rnd, sizeof(rnd), seed);
	cr_assert_eq(store_key_create(fx_store(), "alice", rnd, FX_NOW, k), STORE_OK, "%s",
		     store_errmsg(fx_store()));
}

Test(store_open, creates_schema_at_current_version)
{
	cr_assert_eq(fx_pragma_int("user_version"), STORE_SCHEMA_VERSION);
	cr_assert_eq(STORE_SCHEMA_VERSION, 1);
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		cr_assert(table_exists(tables[i]), "table %s", tables[i]);
}

Test(store_open, reopening_is_idempotent)
{
	long long n = table_count();

	for (int i = 0; i < 3; i++) {
		fx_reopen();
		cr_assert_eq(fx_pragma_int("user_version"), STORE_SCHEMA_VERSION);
		cr_assert_eq(table_count(), n);
	}
}

Test(store_open, wal_synchronous_full_and_foreign_keys_in_force)
{
	char mode[16];

	fx_pragma_text("journal_mode", mode, sizeof(mode));
	cr_assert_str_eq(mode, "wal");
	cr_assert_eq(fx_pragma_int("synchronous"), 2, "synchronous must be FULL (2)");
	cr_assert_eq(fx_pragma_int("foreign_keys"), 1);
	cr_assert_gt(fx_pragma_int("busy_timeout"), 0);
	fx_reopen();
	fx_pragma_text("journal_mode", mode, sizeof(mode));
	cr_assert_str_eq(mode, "wal");
	cr_assert_eq(fx_pragma_int("synchronous"), 2);
}

Test(store_open, database_and_wal_are_mode_0600)
{
	char wal[4200];
	struct store_key k;

	make_key(1, &k);
	cr_assert_eq(fx_mode(fx_path()), 0600);
	snprintf(wal, sizeof(wal), "%s-wal", fx_path());
	cr_assert_eq(fx_mode(wal), 0600, "WAL mode %o", (unsigned)fx_mode(wal));
}

Test(store_open, tightens_a_wider_mode)
{
	char wal[4200];

	fx_close();
	snprintf(wal, sizeof(wal), "%s-wal", fx_path());
	cr_assert_eq(chmod(fx_path(), 0644), 0);
	if (fx_mode(wal) >= 0)
		cr_assert_eq(chmod(wal, 0666), 0);
	fx_reopen();
	cr_assert_eq(fx_mode(fx_path()), 0600);
	if (fx_mode(wal) >= 0)
		cr_assert_eq(fx_mode(wal), 0600);
}

Test(store_open, refuses_a_newer_schema)
{
	struct store *s = (struct store *)1;
	char err[256] = "";

	cr_assert_eq(fx_exec("PRAGMA user_version = 99"), SQLITE_OK);
	fx_close();
	cr_assert_eq(store_open(fx_path(), &s, err, sizeof(err)), STORE_ERROR);
	cr_assert_null(s);
	cr_assert_not_null(strstr(err, "99"), "message: %s", err);
}

Test(store_open, reports_open_errors)
{
	struct store *s = (struct store *)1;
	char path[4200], err[256] = "";

	snprintf(path, sizeof(path), "%s/missing/state.db", fx_dir());
	cr_assert_eq(store_open(path, &s, err, sizeof(err)), STORE_ERROR);
	cr_assert_null(s);
	cr_assert_neq(err[0], '\0');
	/* a directory is not a database */
	cr_assert_eq(store_open(fx_dir(), &s, err, sizeof(err)), STORE_ERROR);
	cr_assert_null(s);
	/* errlen 0 is allowed */
	cr_assert_eq(store_open(path, &s, NULL, 0), STORE_ERROR);
}

Test(store_open, refuses_a_file_that_is_not_a_database)
{
	struct store *s = (struct store *)1;
	char path[4200], err[256] = "";
	int fd;

	snprintf(path, sizeof(path), "%s/junk.db", fx_dir());
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	cr_assert_geq(fd, 0);
	for (int i = 0; i < 512; i++)
		cr_assert_eq(write(fd, "not a database! ", 16), 16);
	close(fd);
	cr_assert_eq(store_open(path, &s, err, sizeof(err)), STORE_ERROR);
	cr_assert_null(s);
	cr_assert_neq(err[0], '\0');
}

Test(store_open, every_table_survives_close_and_reopen)
{
	char act[STORE_UUID_LEN + 1], live[STORE_INSTANCE_ID_LEN + 1];
	char gone[STORE_INSTANCE_ID_LEN + 1], serial[STORE_CERT_SERIAL_MAX + 1];
	char ses[STORE_SESSION_ID_MAX + 1], bound[STORE_SESSION_ID_MAX + 1];
	struct store_audit_new ev = { .time = FX_NOW, .actor = "alice", .action = "ssm:StartSession",
				      .allowed = true };
	struct store_key k, k2;
	struct store_instance in;
	struct store_session se;
	struct store_audit_page page;
	enum store_token_role role;
	bool revoked = false;

	make_key(1, &k);
	fx_activation("ABCDEFGHIJKLMNOPQRST", 2, FX_NOW + 3600, 1, act);
	fx_instance(act, "0a0b", 1, live);
	fx_instance(NULL, "0c0d", 2, gone);
	cr_assert_eq(store_instance_deregister(fx_store(), gone, FX_NOW, serial), STORE_OK);
	fx_session("alice", live, FX_NOW, 1, ses);
	cr_assert_eq(store_token_add(fx_store(), ses, STORE_ROLE_CLIENT, "tok-1", FX_NOW + 60),
		     STORE_OK);
	cr_assert_eq(store_audit_append(fx_store(), &ev, NULL), STORE_OK);

	fx_reopen();

	cr_assert_eq(store_key_lookup(fx_store(), k.id, &k2), STORE_OK);
	cr_assert_str_eq(k2.secret, k.secret);
	cr_assert_eq(store_activation_consume(fx_store(), act, "ABCDEFGHIJKLMNOPQRST", FX_NOW,
					      NULL), STORE_OK);
	cr_assert_eq(store_instance_get(fx_store(), live, &in), STORE_OK);
	cr_assert_str_eq(in.cert_serial, "0a0b");
	cr_assert_eq(store_instance_get(fx_store(), gone, &in), STORE_NOT_FOUND);
	cr_assert_eq(store_instance_cert_revoked(fx_store(), "0c0d", &revoked), STORE_OK);
	cr_assert(revoked);
	cr_assert_eq(store_session_get(fx_store(), ses, &se), STORE_OK);
	cr_assert_str_eq(se.target, live);
	store_session_clear(&se);
	cr_assert_eq(store_token_consume(fx_store(), "tok-1", FX_NOW, bound, &role), STORE_OK);
	cr_assert_str_eq(bound, ses);
	cr_assert_eq(store_audit_list(fx_store(), 0, 10, &page), STORE_OK);
	cr_assert_eq(page.count, 1);
	cr_assert_str_eq(page.items[0].action, "ssm:StartSession");
	store_audit_page_free(&page);
}

/* Count the statements prepared on the store's connection. */
static int prepared_count(void)
{
	int n = 0;

	for (sqlite3_stmt *st = sqlite3_next_stmt(fx_store()->db, NULL); st;
	     st = sqlite3_next_stmt(fx_store()->db, st))
		n++;
	return n;
}

Test(store_open, statements_are_prepared_once)
{
	struct store_key k, out;
	int after_first;

	make_key(1, &k);
	cr_assert_eq(store_key_lookup(fx_store(), k.id, &out), STORE_OK);
	after_first = prepared_count();
	for (int i = 0; i < 100; i++) {
		cr_assert_eq(store_key_lookup(fx_store(), k.id, &out), STORE_OK);
		cr_assert_eq(store_key_lookup(fx_store(), "PKIAUNKNOWNUNKNOWN00", &out),
			     STORE_NOT_FOUND);
	}
	cr_assert_eq(prepared_count(), after_first);
	/* and none is left holding a read transaction */
	for (sqlite3_stmt *st = sqlite3_next_stmt(fx_store()->db, NULL); st;
	     st = sqlite3_next_stmt(fx_store()->db, st))
		cr_assert_eq(sqlite3_stmt_busy(st), 0, "busy: %s", sqlite3_sql(st));
}

Test(store_open, transaction_commit_keeps_everything)
{
	struct store_key a, b, out;

	cr_assert_eq(store_begin(fx_store()), STORE_OK);
	make_key(1, &a);
	make_key(2, &b);
	cr_assert_eq(store_commit(fx_store()), STORE_OK);
	fx_reopen();
	cr_assert_eq(store_key_lookup(fx_store(), a.id, &out), STORE_OK);
	cr_assert_eq(store_key_lookup(fx_store(), b.id, &out), STORE_OK);
}

Test(store_open, transaction_rollback_undoes_everything)
{
	char act[STORE_UUID_LEN + 1], inst[STORE_INSTANCE_ID_LEN + 1];
	struct store_activation a;
	struct store_key k, out;

	fx_activation("ABCDEFGHIJKLMNOPQRST", 1, FX_NOW + 3600, 1, act);
	cr_assert_eq(store_begin(fx_store()), STORE_OK);
	make_key(1, &k);
	cr_assert_eq(store_activation_consume(fx_store(), act, "ABCDEFGHIJKLMNOPQRST", FX_NOW,
					      NULL), STORE_OK);
	fx_instance(act, "01", 1, inst);
	cr_assert_eq(store_rollback(fx_store()), STORE_OK);
	cr_assert_eq(store_key_lookup(fx_store(), k.id, &out), STORE_NOT_FOUND);
	cr_assert_eq(store_instance_get(fx_store(), inst, &(struct store_instance){ 0 }),
		     STORE_NOT_FOUND);
	cr_assert_eq(store_activation_get(fx_store(), act, &a), STORE_OK);
	cr_assert_eq(a.registrations, 0);
}

Test(store_open, a_failing_call_inside_a_transaction_undoes_only_itself)
{
	char act[STORE_UUID_LEN + 1];
	struct store_key a, dup, out;
	uint8_t rnd[STORE_KEY_RANDOM_BYTES];

	fx_activation("ABCDEFGHIJKLMNOPQRST", 1, FX_NOW + 3600, 1, act);
	cr_assert_eq(store_begin(fx_store()), STORE_OK);
	make_key(1, &a);
	fx_random(rnd, sizeof(rnd), 1);
	cr_assert_eq(store_key_create(fx_store(), "bob", rnd, FX_NOW, &dup), STORE_CONFLICT);
	cr_assert_eq(store_activation_consume(fx_store(), act, "ABCDEFGHIJKLMNOPQRST", FX_NOW,
					      NULL), STORE_OK);
	cr_assert_eq(store_activation_consume(fx_store(), act, "ABCDEFGHIJKLMNOPQRST", FX_NOW,
					      NULL), STORE_LIMIT);
	cr_assert_eq(store_commit(fx_store()), STORE_OK);
	fx_reopen();
	cr_assert_eq(store_key_lookup(fx_store(), a.id, &out), STORE_OK);
	cr_assert_str_eq(out.user, "alice");
}

Test(store_open, transaction_misuse_is_an_error)
{
	cr_assert_eq(store_commit(fx_store()), STORE_ERROR);
	cr_assert_neq(store_errmsg(fx_store())[0], '\0');
	cr_assert_eq(store_rollback(fx_store()), STORE_OK, "nothing to undo is not an error");
	cr_assert_eq(store_begin(fx_store()), STORE_OK);
	cr_assert_eq(store_begin(fx_store()), STORE_ERROR);
	cr_assert_eq(store_rollback(fx_store()), STORE_OK);
	/* closing with a transaction open rolls it back */
	cr_assert_eq(store_begin(fx_store()), STORE_OK);
	fx_close();
	fx_reopen();
	cr_assert_eq(store_begin(fx_store()), STORE_OK);
	cr_assert_eq(store_commit(fx_store()), STORE_OK);
}

Test(store_open, status_names_are_distinct)
{
	for (int a = STORE_OK; a <= STORE_ERROR; a++) {
		cr_assert_neq(strcmp(store_status_str(a), "unknown status"), 0);
		for (int b = a + 1; b <= STORE_ERROR; b++)
			cr_assert_neq(strcmp(store_status_str(a), store_status_str(b)), 0);
	}
	cr_assert_str_eq(store_status_str(-1), "unknown status");
	cr_assert_str_eq(store_status_str(STORE_ERROR + 1), "unknown status");
	cr_assert_str_eq(store_errmsg(NULL), "no store");
}
