/*
 * store.c — the store handle: opening state.db safely (mode 0600, WAL,
 * synchronous=FULL, foreign keys), the schema and its migrations, the
 * prepared-statement cache, transactions and error reporting (see store.h).
 */
#include "store_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUSY_TIMEOUT_MS 5000

/*
 * The schema, as a list of steps: migrations[i] takes a database from
 * user_version i to i + 1. Version 2 is one more entry; a step never changes
 * once released. Tables are STRICT (typed); times are epoch seconds.
 */
static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE access_keys ("
	"  id         TEXT PRIMARY KEY NOT NULL,"
	"  secret     TEXT NOT NULL,"
	"  user_name  TEXT NOT NULL,"
	"  created    INTEGER NOT NULL,"
	"  disabled   INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1))"
	") STRICT;"
	"CREATE INDEX access_keys_by_user ON access_keys (user_name);"

	"CREATE TABLE activations ("
	"  id                    TEXT PRIMARY KEY NOT NULL,"
	"  code_hash             TEXT NOT NULL,"
	"  iam_role              TEXT NOT NULL,"
	"  description           TEXT NOT NULL DEFAULT '',"
	"  default_instance_name TEXT NOT NULL DEFAULT '',"
	"  registration_limit    INTEGER NOT NULL"
	"                        CHECK (registration_limit BETWEEN 1 AND 1000),"
	"  registrations         INTEGER NOT NULL DEFAULT 0"
	"                        CHECK (registrations BETWEEN 0 AND registration_limit),"
	"  expires               INTEGER NOT NULL,"
	"  created               INTEGER NOT NULL"
	") STRICT;"

	"CREATE TABLE instances ("
	"  id               TEXT PRIMARY KEY NOT NULL,"
	"  activation_id    TEXT REFERENCES activations (id) ON DELETE SET NULL,"
	"  name             TEXT NOT NULL DEFAULT '',"
	"  cert_serial      TEXT UNIQUE,"
	"  registered_at    INTEGER NOT NULL,"
	"  last_ping        INTEGER,"
	"  agent_version    TEXT NOT NULL DEFAULT '',"
	"  platform_type    TEXT NOT NULL DEFAULT '',"
	"  platform_name    TEXT NOT NULL DEFAULT '',"
	"  platform_version TEXT NOT NULL DEFAULT '',"
	"  hostname         TEXT NOT NULL DEFAULT '',"
	"  ip_address       TEXT NOT NULL DEFAULT '',"
	"  online           INTEGER NOT NULL DEFAULT 0 CHECK (online IN (0, 1)),"
	"  broker_id        TEXT,"
	"  deregistered     INTEGER NOT NULL DEFAULT 0 CHECK (deregistered IN (0, 1)),"
	"  deregistered_at  INTEGER"
	") STRICT;"
	"CREATE INDEX instances_by_activation ON instances (activation_id);"

	"CREATE TABLE revoked_certs ("
	"  serial      TEXT PRIMARY KEY NOT NULL,"
	"  instance_id TEXT NOT NULL,"
	"  revoked_at  INTEGER NOT NULL"
	") STRICT;"

	"CREATE TABLE sessions ("
	"  id            TEXT PRIMARY KEY NOT NULL CHECK (length(id) BETWEEN 1 AND 96),"
	"  target        TEXT NOT NULL,"
	"  owner         TEXT NOT NULL,"
	"  document_name TEXT NOT NULL,"
	"  parameters    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(parameters)),"
	"  reason        TEXT NOT NULL DEFAULT '',"
	"  status        TEXT NOT NULL CHECK (status IN ('Connecting', 'Connected',"
	"                  'Disconnected', 'Terminating', 'Terminated', 'Failed')),"
	"  start_date    INTEGER NOT NULL,"
	"  end_date      INTEGER,"
	"  exit_code     INTEGER,"
	"  bytes_in      INTEGER NOT NULL DEFAULT 0,"
	"  bytes_out     INTEGER NOT NULL DEFAULT 0,"
	"  details       TEXT NOT NULL DEFAULT ''"
	") STRICT;"
	"CREATE INDEX sessions_by_start ON sessions (start_date, id);"
	"CREATE INDEX sessions_by_target ON sessions (target, start_date);"
	"CREATE INDEX sessions_by_owner ON sessions (owner, start_date);"

	"CREATE TABLE tokens ("
	"  hash       TEXT PRIMARY KEY NOT NULL,"
	"  session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,"
	"  role       TEXT NOT NULL CHECK (role IN ('client', 'agent')),"
	"  expires    INTEGER NOT NULL,"
	"  used       INTEGER NOT NULL DEFAULT 0 CHECK (used IN (0, 1))"
	") STRICT;"
	"CREATE INDEX tokens_by_session ON tokens (session_id);"
	"CREATE INDEX tokens_by_expiry ON tokens (expires);"

	"CREATE TABLE audit ("
	"  id      INTEGER PRIMARY KEY,"
	"  time    INTEGER NOT NULL,"
	"  actor   TEXT NOT NULL,"
	"  action  TEXT NOT NULL,"
	"  target  TEXT NOT NULL DEFAULT '',"
	"  allowed INTEGER NOT NULL CHECK (allowed IN (0, 1)),"
	"  detail  TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(detail))"
	") STRICT;"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;",
};

_Static_assert(sizeof(migrations) / sizeof(migrations[0]) == STORE_SCHEMA_VERSION,
	       "one migration step per schema version");

static const char *const status_names[] = {
	[STORE_OK] = "ok",
	[STORE_NOT_FOUND] = "not found",
	[STORE_CONFLICT] = "conflict",
	[STORE_EXPIRED] = "expired",
	[STORE_USED] = "already used",
	[STORE_LIMIT] = "limit reached",
	[STORE_BAD_TOKEN] = "bad next token",
	[STORE_ERROR] = "error",
};

const char *store_status_str(int status)
{
	if (status < 0 || (size_t)status >= sizeof(status_names) / sizeof(status_names[0]))
		return "unknown status";
	return status_names[status];
}

/* ---- errors ------------------------------------------------------------------- */

int store__fail(struct store *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	return STORE_ERROR;
}

int store__sql_fail(struct store *s, const char *what)
{
	return store__fail(s, "%s: %s (%d)", what, sqlite3_errmsg(s->db),
			   sqlite3_extended_errcode(s->db));
}

const char *store_errmsg(const struct store *s)
{
	return s ? s->err : "no store";
}

/* ---- statements ------------------------------------------------------------------ */

sqlite3_stmt *store__stmt(struct store *s, enum store__stmt_id id, const char *sql)
{
	int rc;

	if (s->stmt[id])
		return s->stmt[id];
	rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[id], NULL);
	if (rc != SQLITE_OK) {
		store__sql_fail(s, "prepare");
		sqlite3_finalize(s->stmt[id]);
		s->stmt[id] = NULL;
	}
	return s->stmt[id];
}

void store__release(sqlite3_stmt *st)
{
	if (!st)
		return;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

int store__run(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		;
	switch (rc) {
	case SQLITE_DONE:
		return STORE_OK;
	case SQLITE_CONSTRAINT_PRIMARYKEY:
	case SQLITE_CONSTRAINT_UNIQUE:
		return STORE_CONFLICT;
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		return STORE_NOT_FOUND;
	default:
		return store__sql_fail(s, what);
	}
}

int store__step_row(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW)
		return STORE_OK;
	if (rc == SQLITE_DONE)
		return STORE_NOT_FOUND;
	return store__sql_fail(s, what);
}

int64_t store__changes(struct store *s)
{
	return sqlite3_changes64(s->db);
}

/* ---- transactions ------------------------------------------------------------------ */

/* Run one cached transaction-control statement. With report false, a failure
 * leaves the error message alone (it is cleanup after an earlier error). */
static int tx_exec(struct store *s, enum store__stmt_id id, const char *sql, bool report)
{
	char saved[STORE_ERRMSG_MAX];
	sqlite3_stmt *st;
	int rc;

	memcpy(saved, s->err, sizeof(saved));
	st = store__stmt(s, id, sql);
	rc = st ? store__run(s, st, sql) : STORE_ERROR;
	store__release(st);
	if (rc != STORE_OK && !report)
		memcpy(s->err, saved, sizeof(saved));
	return rc == STORE_OK ? STORE_OK : STORE_ERROR;
}

static int tx_begin_immediate(struct store *s, bool report)
{
	return tx_exec(s, STMT_TX_BEGIN, "BEGIN IMMEDIATE", report);
}

static int tx_commit(struct store *s)
{
	return tx_exec(s, STMT_TX_COMMIT, "COMMIT", true);
}

static void tx_rollback(struct store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		tx_exec(s, STMT_TX_ROLLBACK, "ROLLBACK", false);
}

int store__tx_begin(struct store *s, struct store__tx *tx)
{
	int rc;

	tx->active = false;
	tx->outermost = sqlite3_get_autocommit(s->db) != 0;
	if (tx->outermost && s->user_tx)
		return store__fail(s, "the caller's transaction was rolled back by an earlier error");
	if (tx->outermost)
		rc = tx_begin_immediate(s, true);
	else
		rc = tx_exec(s, STMT_TX_SAVEPOINT, "SAVEPOINT store_step", true);
	tx->active = rc == STORE_OK;
	return rc;
}

int store__tx_commit(struct store *s, struct store__tx *tx)
{
	int rc;

	if (!tx->active)
		return store__fail(s, "commit without a transaction");
	if (tx->outermost)
		rc = tx_commit(s);
	else
		rc = tx_exec(s, STMT_TX_RELEASE, "RELEASE store_step", true);
	if (rc != STORE_OK) {
		store__tx_abort(s, tx);
		return rc;
	}
	tx->active = false;
	return STORE_OK;
}

void store__tx_abort(struct store *s, struct store__tx *tx)
{
	if (!tx->active)
		return;
	tx->active = false;
	if (tx->outermost) {
		tx_rollback(s);
		return;
	}
	if (sqlite3_get_autocommit(s->db))
		return; /* SQLite already rolled everything back */
	tx_exec(s, STMT_TX_ROLLBACK_TO, "ROLLBACK TO store_step", false);
	tx_exec(s, STMT_TX_RELEASE, "RELEASE store_step", false);
}

int store_begin(struct store *s)
{
	int rc;

	if (s->user_tx || !sqlite3_get_autocommit(s->db))
		return store__fail(s, "store_begin: a transaction is already open");
	rc = tx_begin_immediate(s, true);
	s->user_tx = rc == STORE_OK;
	return rc;
}

int store_commit(struct store *s)
{
	int rc;

	if (!s->user_tx)
		return store__fail(s, "store_commit: no transaction is open");
	s->user_tx = false;
	if (sqlite3_get_autocommit(s->db))
		return store__fail(s, "store_commit: the transaction was rolled back by an error");
	rc = tx_commit(s);
	if (rc != STORE_OK)
		tx_rollback(s);
	return rc;
}

int store_rollback(struct store *s)
{
	if (!s->user_tx)
		return STORE_OK;
	s->user_tx = false;
	tx_rollback(s);
	return STORE_OK;
}

/* ---- opening ------------------------------------------------------------------------- */

/* Create path if missing and make it (and an existing -wal / -shm beside it)
 * a regular file of mode 0600 before SQLite opens it. */
static int secure_files(struct store *s, const char *path)
{
	static const char *const sidecars[] = { "-wal", "-shm" };
	struct stat sb;
	size_t n = strlen(path);
	char *side = NULL;
	int fd, rc = STORE_ERROR;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return store__fail(s, "open %s: %s", path, strerror(errno));
	if (fstat(fd, &sb) != 0) {
		store__fail(s, "stat %s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(sb.st_mode)) {
		store__fail(s, "%s is not a regular file", path);
		goto out;
	}
	if ((sb.st_mode & 07777) != 0600 && fchmod(fd, 0600) != 0) {
		store__fail(s, "chmod 0600 %s: %s", path, strerror(errno));
		goto out;
	}
	side = malloc(n + sizeof("-wal"));
	if (!side) {
		store__fail(s, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < sizeof(sidecars) / sizeof(sidecars[0]); i++) {
		memcpy(side, path, n);
		memcpy(side + n, sidecars[i], sizeof("-wal"));
		if (chmod(side, 0600) != 0 && errno != ENOENT) {
			store__fail(s, "chmod 0600 %s: %s", side, strerror(errno));
			goto out;
		}
	}
	rc = STORE_OK;
out:
	free(side);
	close(fd);
	return rc;
}

static int exec_sql(struct store *s, const char *sql, const char *what)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store__sql_fail(s, what);
	return STORE_OK;
}

/* Read a one-row, one-column pragma (or any such query) as text into buf. */
static int query_text(struct store *s, const char *sql, char *buf, size_t cap)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		rc = store__sql_fail(s, sql);
		goto out;
	}
	rc = store__step_row(s, st, sql);
	if (rc == STORE_NOT_FOUND)
		rc = store__fail(s, "%s: no result", sql);
	if (rc == STORE_OK)
		rc = store__col_text(s, st, 0, buf, cap, sql);
out:
	sqlite3_finalize(st);
	return rc;
}

static int query_int(struct store *s, const char *sql, long *out)
{
	char buf[32], *end;
	int rc = query_text(s, sql, buf, sizeof(buf));

	if (rc != STORE_OK)
		return rc;
	errno = 0;
	*out = strtol(buf, &end, 10);
	if (errno || end == buf || *end)
		return store__fail(s, "%s: not a number: %s", sql, buf);
	return STORE_OK;
}

/*
 * Connection settings; each is checked, not assumed. DEFENSIVE forbids
 * writes that can corrupt the file (writable_schema and the like).
 * trusted_schema stays on: SQLite 3.40 does not mark json_valid() innocuous,
 * and the schema's CHECK constraints use it.
 */
static int configure(struct store *s)
{
	char mode[16];
	long v;
	int rc;

	sqlite3_extended_result_codes(s->db, 1);
	if (sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS) != SQLITE_OK ||
	    sqlite3_db_config(s->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL) != SQLITE_OK)
		return store__sql_fail(s, "configure connection");
	rc = exec_sql(s, "PRAGMA foreign_keys = ON", "enable foreign keys");
	if (rc == STORE_OK)
		rc = query_int(s, "PRAGMA foreign_keys", &v);
	if (rc == STORE_OK && v != 1)
		return store__fail(s, "this SQLite cannot enforce foreign keys");
	if (rc == STORE_OK)
		rc = query_text(s, "PRAGMA journal_mode = WAL", mode, sizeof(mode));
	if (rc == STORE_OK && strcmp(mode, "wal") != 0)
		return store__fail(s, "cannot use WAL journal (got %s)", mode);
	if (rc == STORE_OK)
		rc = exec_sql(s, "PRAGMA synchronous = FULL", "set synchronous");
	if (rc == STORE_OK)
		rc = query_int(s, "PRAGMA synchronous", &v);
	if (rc == STORE_OK && v != 2)
		return store__fail(s, "synchronous is %ld, not FULL", v);
	return rc;
}

/* Bring the schema to STORE_SCHEMA_VERSION in one transaction, so a crash or a
 * second broker starting at the same time sees either version, never half. */
static int migrate(struct store *s)
{
	const long latest = (long)(sizeof(migrations) / sizeof(migrations[0]));
	char sql[48];
	long version;
	int rc;

	rc = exec_sql(s, "BEGIN IMMEDIATE", "begin migration");
	if (rc != STORE_OK)
		return rc;
	rc = query_int(s, "PRAGMA user_version", &version);
	if (rc == STORE_OK && (version < 0 || version > latest))
		rc = store__fail(s, "database schema version %ld is not one this broker knows "
				 "(latest %ld): refusing to open it", version, latest);
	for (long v = version; rc == STORE_OK && v < latest; v++) {
		rc = exec_sql(s, migrations[v], "migrate schema");
		if (rc == STORE_OK) {
			snprintf(sql, sizeof(sql), "PRAGMA user_version = %ld", v + 1);
			rc = exec_sql(s, sql, "set schema version");
		}
	}
	if (rc == STORE_OK)
		rc = exec_sql(s, "COMMIT", "commit migration");
	if (rc != STORE_OK && !sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

int store_open(const char *path, struct store **out, char *err, size_t errlen)
{
	struct store *s;
	int rc;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		if (errlen)
			snprintf(err, errlen, "out of memory");
		return STORE_ERROR;
	}
	rc = secure_files(s, path);
	if (rc != STORE_OK)
		goto out;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		rc = s->db ? store__sql_fail(s, path) : store__fail(s, "%s: out of memory", path);
		goto out;
	}
	rc = configure(s);
	if (rc == STORE_OK)
		rc = migrate(s);
out:
	if (rc != STORE_OK) {
		if (errlen)
			snprintf(err, errlen, "%s", s->err);
		store_close(s);
		return STORE_ERROR;
	}
	*out = s;
	return STORE_OK;
}

void store_close(struct store *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	sqlite3_close(s->db);
	free(s);
}
