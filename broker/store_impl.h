/*
 * store_impl.h — what the store's modules share and nothing outside them
 * should use (unit tests excepted): the handle's layout, the statement
 * cache, transactions, error reporting, binding and column helpers, hashing,
 * and the NextToken codec. Internal names are store__*.
 */
#ifndef POSTERN_STORE_IMPL_H
#define POSTERN_STORE_IMPL_H

#include <sqlite3.h>

#include "store.h"

/* Every cached statement. Each is prepared once, on first use, with the SQL
 * its one call site gives, and lives until store_close(). */
enum store__stmt_id {
	STMT_TX_BEGIN,
	STMT_TX_COMMIT,
	STMT_TX_ROLLBACK,
	STMT_TX_SAVEPOINT,
	STMT_TX_RELEASE,
	STMT_TX_ROLLBACK_TO,

	STMT_KEY_INSERT,
	STMT_KEY_LOOKUP,
	STMT_KEY_SET_DISABLED,

	STMT_ACT_INSERT,
	STMT_ACT_GET,
	STMT_ACT_INCREMENT,

	STMT_INST_INSERT,
	STMT_INST_GET,
	STMT_INST_HELLO,
	STMT_INST_PING,
	STMT_INST_SET_ONLINE,
	STMT_INST_SET_OFFLINE,
	STMT_INST_BROKER_OF,
	STMT_INST_SERIAL_OF,
	STMT_INST_SET_CERT,
	STMT_INST_DEREGISTER,
	STMT_INST_REVOKE,
	STMT_INST_REVOKED,
	STMT_INST_LIST,

	STMT_SES_INSERT,
	STMT_SES_GET,
	STMT_SES_STATUS_OF,
	STMT_SES_SET_STATUS,
	STMT_SES_SET_EXIT,
	STMT_SES_ADD_BYTES,
	STMT_SES_SET_DETAILS,
	STMT_SES_LIST,

	STMT_TOK_INSERT,
	STMT_TOK_CONSUME,
	STMT_TOK_STATE,
	STMT_TOK_PURGE,

	STMT_AUD_INSERT,
	STMT_AUD_LIST,

	STMT_COUNT
};

#define STORE_ERRMSG_MAX 256

struct store {
	sqlite3 *db;
	sqlite3_stmt *stmt[STMT_COUNT];
	bool user_tx;                 /* store_begin() holds a transaction open */
	char err[STORE_ERRMSG_MAX];
};

/* ---- errors (store.c) ---- */

/* Format a message for store_errmsg() and return STORE_ERROR. */
int store__fail(struct store *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "what: <SQLite's message>" for the database's last error; STORE_ERROR. */
int store__sql_fail(struct store *s, const char *what);

/* ---- statements (store.c) ---- */

/* The cached statement id, preparing sql on first use. NULL (message set)
 * if it cannot be prepared. */
sqlite3_stmt *store__stmt(struct store *s, enum store__stmt_id id, const char *sql);

/* Reset a statement and clear its bindings, so it holds no row, lock or
 * pointer into the caller's memory. NULL is ignored. */
void store__release(sqlite3_stmt *st);

/*
 * Step a statement that returns no rows (or whose rows are not needed) to
 * completion. STORE_OK; STORE_CONFLICT for a primary-key or unique
 * violation; STORE_NOT_FOUND for a foreign-key violation (the parent row is
 * missing); else STORE_ERROR with "what: ...".
 */
int store__run(struct store *s, sqlite3_stmt *st, const char *what);

/*
 * Step once expecting at most one row: STORE_OK with a row ready to read,
 * STORE_NOT_FOUND if there is none, STORE_ERROR otherwise.
 */
int store__step_row(struct store *s, sqlite3_stmt *st, const char *what);

/* Rows changed by the last INSERT/UPDATE/DELETE on the handle. */
int64_t store__changes(struct store *s);

/* ---- transactions (store.c) ---- */

/* A transaction, or a savepoint when one is already open, so modules may be
 * called inside the caller's store_begin(). */
struct store__tx {
	bool active;
	bool outermost;
};

int store__tx_begin(struct store *s, struct store__tx *tx);
/* Commit (or release the savepoint). On failure everything is rolled back. */
int store__tx_commit(struct store *s, struct store__tx *tx);
/* Undo (if still active). Safe to call after a commit; never fails loudly. */
void store__tx_abort(struct store *s, struct store__tx *tx);

/* ---- binding and reading (store_util.c) ---- */

enum store__text_kind {
	TEXT_REQUIRED,   /* 1..max bytes; NULL or "" is an error */
	TEXT_OPTIONAL,   /* 0..max bytes; NULL is bound as "" */
	TEXT_NULLABLE,   /* 0..max bytes; NULL or "" is bound as SQL NULL */
	TEXT_KEY,        /* a key to look up: NULL, "" or over max is
			    STORE_NOT_FOUND (no row can have it), not an error */
};

/* Check text against its kind and max and bind it with its length (no copy:
 * text must outlive the step). STORE_ERROR naming `what` if out of bounds. */
int store__bind_text(struct store *s, sqlite3_stmt *st, int idx, const char *text,
		     size_t max, enum store__text_kind kind, const char *what);

/* Bind an int64 / bool. Errors only on a wrong index. */
int store__bind_i64(struct store *s, sqlite3_stmt *st, int idx, int64_t v);

/* Copy text column col into dst (cap bytes with NUL); NULL reads as "".
 * STORE_ERROR if it does not fit. */
int store__col_text(struct store *s, sqlite3_stmt *st, int col, char *dst, size_t cap,
		    const char *what);

/* A malloc'd copy of text column col (NULL reads as ""). STORE_ERROR if out
 * of memory. */
int store__col_dup(struct store *s, sqlite3_stmt *st, int col, char **out, const char *what);

/* Whether name is 1..max chars of IAM's name set [A-Za-z0-9+=,.@_-]. */
bool store__valid_name(const char *name, size_t max);

/* The first 17 lower-case hex digits of 9 bytes, and a NUL, into out. */
void store__hex17(const uint8_t random[STORE_ID_RANDOM_BYTES], char out[18]);

/* SHA-256 of len bytes as 64 lower-case hex digits and a NUL. STORE_ERROR
 * (message set) if libcrypto fails. */
#define STORE_SHA256_HEX_LEN 64
int store__sha256_hex(struct store *s, const void *data, size_t len,
		      char out[STORE_SHA256_HEX_LEN + 1]);

/* ---- NextToken codec (store_cursor.c) ---- */

#define STORE_CURSOR_QUERY_LEN 8

/* Fingerprint of a query's filters, built field by field. */
struct store__query_hash {
	void *md;          /* EVP_MD_CTX */
	bool failed;
};

int store__qh_init(struct store *s, struct store__query_hash *qh, char kind);
void store__qh_text(struct store__query_hash *qh, const char *text); /* NULL ≠ "" */
void store__qh_i64(struct store__query_hash *qh, bool present, int64_t v);
/* Finish into out and free; STORE_ERROR if any step failed. */
int store__qh_final(struct store *s, struct store__query_hash *qh,
		    uint8_t out[STORE_CURSOR_QUERY_LEN]);
/* Free without finishing (error paths); safe after final. */
void store__qh_free(struct store__query_hash *qh);

/* A position in a listing: the sort key of the last row returned. */
struct store__cursor {
	char kind;                                 /* 'S' sessions, 'I' instances */
	uint8_t query[STORE_CURSOR_QUERY_LEN];     /* store__qh_final() of the query */
	int64_t ts;                                /* sessions: start_date */
	char id[STORE_SESSION_ID_MAX + 1];         /* last id returned */
};

/* Encode as base64 text (at most STORE_NEXT_TOKEN_MAX chars) into out. */
int store__cursor_encode(struct store *s, const struct store__cursor *c,
			 char out[STORE_NEXT_TOKEN_MAX + 1]);

/*
 * Decode text into *c, requiring it to be of kind `kind` and query `query`
 * and its id to be at most id_max characters. STORE_BAD_TOKEN for any
 * malformed, altered or foreign token.
 */
int store__cursor_decode(struct store *s, const char *text, char kind, size_t id_max,
			 const uint8_t query[STORE_CURSOR_QUERY_LEN], struct store__cursor *c);

#endif
