/*
 * store_sessions.c — the sessions table: one record per StartSession (id,
 * target, owner, document, parameters, reason, status, start and end dates,
 * exit code, relayed byte counts, details) and the DescribeSessions listing
 * with keyset paging. See store.h.
 */
#include "store_impl.h"

#include <stdlib.h>
#include <string.h>

#define SES_COLUMNS \
	"id, target, owner, document_name, parameters, reason, status, start_date, " \
	"end_date, exit_code, bytes_in, bytes_out, details"

enum { COL_ID, COL_TARGET, COL_OWNER, COL_DOCUMENT, COL_PARAMETERS, COL_REASON, COL_STATUS,
       COL_START, COL_END, COL_EXIT, COL_BYTES_IN, COL_BYTES_OUT, COL_DETAILS };

static const char *const status_names[] = {
	[STORE_SESSION_CONNECTING] = "Connecting",
	[STORE_SESSION_CONNECTED] = "Connected",
	[STORE_SESSION_DISCONNECTED] = "Disconnected",
	[STORE_SESSION_TERMINATING] = "Terminating",
	[STORE_SESSION_TERMINATED] = "Terminated",
	[STORE_SESSION_FAILED] = "Failed",
};

#define N_STATUS (sizeof(status_names) / sizeof(status_names[0]))
#define STATUS_NAME_MAX 15

const char *store_session_status_name(enum store_session_status st)
{
	return (unsigned)st < N_STATUS ? status_names[st] : "";
}

int store_session_status_parse(const char *name, enum store_session_status *out)
{
	for (size_t i = 0; name && i < N_STATUS; i++) {
		if (strcmp(name, status_names[i]) == 0) {
			*out = (enum store_session_status)i;
			return STORE_OK;
		}
	}
	return STORE_NOT_FOUND;
}

static bool status_terminal(enum store_session_status st)
{
	return st == STORE_SESSION_TERMINATED || st == STORE_SESSION_FAILED;
}

struct text_col {
	int col;
	size_t offset, cap;
	const char *what;
};

#define TEXT_COL(c, field, what) \
	{ c, offsetof(struct store_session, field), sizeof(((struct store_session *)0)->field), what }

static const struct text_col text_cols[] = {
	TEXT_COL(COL_ID, id, "session id"),
	TEXT_COL(COL_TARGET, target, "target"),
	TEXT_COL(COL_OWNER, owner, "owner"),
	TEXT_COL(COL_DOCUMENT, document_name, "document name"),
	TEXT_COL(COL_REASON, reason, "reason"),
	TEXT_COL(COL_DETAILS, details, "details"),
};

/* Fill *se from the current row; on failure *se owns nothing. */
static int read_session(struct store *s, sqlite3_stmt *st, struct store_session *se)
{
	char status[STATUS_NAME_MAX + 1];
	int rc = STORE_OK;

	memset(se, 0, sizeof(*se));
	for (size_t i = 0; rc == STORE_OK && i < sizeof(text_cols) / sizeof(text_cols[0]); i++)
		rc = store__col_text(s, st, text_cols[i].col, (char *)se + text_cols[i].offset,
				     text_cols[i].cap, text_cols[i].what);
	if (rc == STORE_OK)
		rc = store__col_text(s, st, COL_STATUS, status, sizeof(status), "status");
	if (rc == STORE_OK && store_session_status_parse(status, &se->status) != STORE_OK)
		rc = store__fail(s, "stored session status '%s' is unknown", status);
	if (rc == STORE_OK)
		rc = store__col_dup(s, st, COL_PARAMETERS, &se->parameters, "parameters");
	se->start_date = sqlite3_column_int64(st, COL_START);
	se->ended = sqlite3_column_type(st, COL_END) != SQLITE_NULL;
	se->end_date = sqlite3_column_int64(st, COL_END);
	se->has_exit_code = sqlite3_column_type(st, COL_EXIT) != SQLITE_NULL;
	se->exit_code = sqlite3_column_int(st, COL_EXIT);
	se->bytes_in = sqlite3_column_int64(st, COL_BYTES_IN);
	se->bytes_out = sqlite3_column_int64(st, COL_BYTES_OUT);
	if (rc != STORE_OK)
		store_session_clear(se);
	return rc;
}

void store_session_clear(struct store_session *se)
{
	free(se->parameters);
	se->parameters = NULL;
}

int store_session_create(struct store *s, const struct store_session_new *n,
			 const uint8_t random[STORE_ID_RANDOM_BYTES],
			 char id_out[STORE_SESSION_ID_MAX + 1])
{
	static const char sql[] =
		"INSERT INTO sessions (id, target, owner, document_name, parameters, reason, "
		"status, start_date) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'Connecting', ?7)";
	char id[STORE_SESSION_ID_MAX + 1];
	sqlite3_stmt *st = NULL;
	size_t len;
	int rc = STORE_OK;

	if (!store__valid_name(n->caller, STORE_CALLER_MAX)) {
		rc = store__fail(s, "caller name must be 1-%d of A-Z a-z 0-9 +=,.@_-",
				 STORE_CALLER_MAX);
		goto out;
	}
	len = strlen(n->caller);
	memcpy(id, n->caller, len);
	id[len] = '-';
	store__hex17(random, id + len + 1);
	st = store__stmt(s, STMT_SES_INSERT, sql);
	if (!st) {
		rc = STORE_ERROR;
		goto out;
	}
	rc = store__bind_text(s, st, 1, id, STORE_SESSION_ID_MAX, TEXT_REQUIRED, "session id");
	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 2, n->target, STORE_TARGET_MAX, TEXT_REQUIRED, "target");
	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 3, n->owner, STORE_OWNER_MAX, TEXT_REQUIRED, "owner");
	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 4, n->document_name, STORE_DOCUMENT_MAX, TEXT_REQUIRED,
				      "document name");
	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 5, n->parameters ? n->parameters : "{}",
				      STORE_PARAMETERS_MAX, TEXT_REQUIRED, "parameters");
	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 6, n->reason, STORE_REASON_MAX, TEXT_OPTIONAL,
				      "reason");
	if (rc == STORE_OK)
		rc = store__bind_i64(s, st, 7, n->start_date);
	if (rc == STORE_OK)
		rc = store__run(s, st, "insert session");
	if (rc == STORE_OK)
		memcpy(id_out, id, strlen(id) + 1);
out:
	store__release(st);
	return rc;
}

/* Bind the session id (parameter 1); malformed ids are STORE_NOT_FOUND. */
static int bind_id(struct store *s, sqlite3_stmt *st, const char *id)
{
	return store__bind_text(s, st, 1, id, STORE_SESSION_ID_MAX, TEXT_KEY, "session id");
}

int store_session_get(struct store *s, const char *id, struct store_session *out)
{
	static const char sql[] = "SELECT " SES_COLUMNS " FROM sessions WHERE id = ?1";
	sqlite3_stmt *st = store__stmt(s, STMT_SES_GET, sql);
	int rc = st ? bind_id(s, st, id) : STORE_ERROR;

	out->parameters = NULL;
	if (rc == STORE_OK)
		rc = store__step_row(s, st, "read session");
	if (rc == STORE_OK)
		rc = read_session(s, st, out);
	store__release(st);
	return rc;
}

/* Run an UPDATE of one session: STORE_NOT_FOUND if none matched. */
static int run_update(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = store__run(s, st, what);

	if (rc == STORE_OK && store__changes(s) == 0)
		rc = STORE_NOT_FOUND;
	return rc;
}

/* Read a session's status and whether it has ended. */
static int status_of(struct store *s, const char *id, enum store_session_status *status,
		     bool *ended)
{
	static const char sql[] = "SELECT status, end_date FROM sessions WHERE id = ?1";
	sqlite3_stmt *st = store__stmt(s, STMT_SES_STATUS_OF, sql);
	int rc = st ? bind_id(s, st, id) : STORE_ERROR;
	char name[STATUS_NAME_MAX + 1];

	if (rc == STORE_OK)
		rc = store__step_row(s, st, "read session status");
	if (rc == STORE_OK)
		rc = store__col_text(s, st, 0, name, sizeof(name), "status");
	if (rc == STORE_OK && store_session_status_parse(name, status) != STORE_OK)
		rc = store__fail(s, "stored session status '%s' is unknown", name);
	if (rc == STORE_OK)
		*ended = sqlite3_column_type(st, 1) != SQLITE_NULL;
	store__release(st);
	return rc;
}

/* Write a new status; a terminal one also sets the end date (once). */
static int write_status(struct store *s, const char *id, enum store_session_status status,
			int64_t now)
{
	static const char sql[] =
		"UPDATE sessions SET status = ?2, "
		"end_date = CASE WHEN ?3 THEN IFNULL(end_date, ?4) ELSE end_date END "
		"WHERE id = ?1";
	const char *name = store_session_status_name(status);
	sqlite3_stmt *st = store__stmt(s, STMT_SES_SET_STATUS, sql);
	int rc = st ? bind_id(s, st, id) : STORE_ERROR;

	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 2, name, strlen(name), TEXT_REQUIRED, "status");
	if (rc == STORE_OK)
		rc = store__bind_i64(s, st, 3, status_terminal(status));
	if (rc == STORE_OK)
		rc = store__bind_i64(s, st, 4, now);
	if (rc == STORE_OK)
		rc = run_update(s, st, "set session status");
	store__release(st);
	return rc;
}

int store_session_set_status(struct store *s, const char *id, enum store_session_status status,
			     int64_t now)
{
	enum store_session_status current = status;
	struct store__tx tx = { 0 };
	bool ended = false;
	int rc;

	if (!*store_session_status_name(status)) {
		rc = store__fail(s, "session status %d is not valid", (int)status);
		goto out;
	}
	rc = store__tx_begin(s, &tx);
	if (rc == STORE_OK)
		rc = status_of(s, id, &current, &ended);
	/* An ended session's status is final; repeating it changes nothing. */
	if (rc == STORE_OK && ended && current != status)
		rc = STORE_CONFLICT;
	if (rc == STORE_OK && !ended)
		rc = write_status(s, id, status, now);
	if (rc == STORE_OK)
		rc = store__tx_commit(s, &tx);
out:
	store__tx_abort(s, &tx);
	return rc;
}

int store_session_set_exit_code(struct store *s, const char *id, int exit_code)
{
	static const char sql[] = "UPDATE sessions SET exit_code = ?2 WHERE id = ?1";
	sqlite3_stmt *st = store__stmt(s, STMT_SES_SET_EXIT, sql);
	int rc = st ? bind_id(s, st, id) : STORE_ERROR;

	if (rc == STORE_OK)
		rc = store__bind_i64(s, st, 2, exit_code);
	if (rc == STORE_OK)
		rc = run_update(s, st, "set exit code");
	store__release(st);
	return rc;
}

int store_session_add_bytes(struct store *s, const char *id, int64_t bytes_in,
			    int64_t bytes_out)
{
	static const char sql[] =
		"UPDATE sessions SET bytes_in = bytes_in + ?2, bytes_out = bytes_out + ?3 "
		"WHERE id = ?1";
	sqlite3_stmt *st = NULL;
	int rc;

	if (bytes_in < 0 || bytes_out < 0) {
		rc = store__fail(s, "byte counts cannot decrease");
		goto out;
	}
	st = store__stmt(s, STMT_SES_ADD_BYTES, sql);
	rc = st ? bind_id(s, st, id) : STORE_ERROR;
	if (rc == STORE_OK)
		rc = store__bind_i64(s, st, 2, bytes_in);
	if (rc == STORE_OK)
		rc = store__bind_i64(s, st, 3, bytes_out);
	if (rc == STORE_OK)
		rc = run_update(s, st, "add byte counts");
out:
	store__release(st);
	return rc;
}

int store_session_set_details(struct store *s, const char *id, const char *details)
{
	static const char sql[] = "UPDATE sessions SET details = ?2 WHERE id = ?1";
	sqlite3_stmt *st = store__stmt(s, STMT_SES_SET_DETAILS, sql);
	int rc = st ? bind_id(s, st, id) : STORE_ERROR;

	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 2, details, STORE_DETAILS_MAX, TEXT_OPTIONAL,
				      "details");
	if (rc == STORE_OK)
		rc = run_update(s, st, "set details");
	store__release(st);
	return rc;
}

/* ---- DescribeSessions ---- */

static int query_fingerprint(struct store *s, const struct store_session_query *q,
			     uint8_t out[STORE_CURSOR_QUERY_LEN])
{
	struct store__query_hash qh;
	int rc = store__qh_init(s, &qh, 'S');

	if (rc != STORE_OK)
		return rc;
	store__qh_i64(&qh, true, q->state);
	store__qh_i64(&qh, q->has_invoked_after, q->invoked_after);
	store__qh_i64(&qh, q->has_invoked_before, q->invoked_before);
	store__qh_text(&qh, q->target);
	store__qh_text(&qh, q->owner);
	store__qh_text(&qh, q->session_id);
	store__qh_i64(&qh, q->has_status, q->status);
	return store__qh_final(s, &qh, out);
}

/* Bind an optional integer: SQL NULL when absent. */
static int bind_opt_i64(struct store *s, sqlite3_stmt *st, int idx, bool present, int64_t v)
{
	if (present)
		return store__bind_i64(s, st, idx, v);
	return store__bind_text(s, st, idx, NULL, 0, TEXT_NULLABLE, "filter");
}

static int bind_list(struct store *s, sqlite3_stmt *st, const struct store_session_query *q,
		     const struct store__cursor *after)
{
	int rc = store__bind_i64(s, st, 1, q->state == STORE_SESSIONS_ACTIVE);

	if (rc == STORE_OK)
		rc = bind_opt_i64(s, st, 2, q->has_invoked_after, q->invoked_after);
	if (rc == STORE_OK)
		rc = bind_opt_i64(s, st, 3, q->has_invoked_before, q->invoked_before);
	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 4, q->target, STORE_TARGET_MAX, TEXT_NULLABLE,
				      "target filter");
	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 5, q->owner, STORE_OWNER_MAX, TEXT_NULLABLE,
				      "owner filter");
	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 6,
				      q->has_status ? store_session_status_name(q->status) : NULL,
				      STATUS_NAME_MAX, TEXT_NULLABLE, "status filter");
	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 7, q->session_id, STORE_SESSION_ID_MAX,
				      TEXT_NULLABLE, "session id filter");
	if (rc == STORE_OK)
		rc = bind_opt_i64(s, st, 8, after != NULL, after ? after->ts : 0);
	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 9, after ? after->id : NULL, STORE_SESSION_ID_MAX,
				      TEXT_NULLABLE, "next token");
	if (rc == STORE_OK)
		rc = store__bind_i64(s, st, 10, (int64_t)q->max_results + 1);
	return rc;
}

/* Whether a text filter is given but no stored value could equal it. */
static bool filter_impossible(const char *value, size_t max)
{
	return value && (!*value || strnlen(value, max + 1) > max);
}

/* Refuse a query the API layer should have refused; the message says why. */
static int check_query(struct store *s, const struct store_session_query *q)
{
	if (q->state != STORE_SESSIONS_ACTIVE && q->state != STORE_SESSIONS_HISTORY)
		return store__fail(s, "session state %d is not valid", (int)q->state);
	if (q->max_results < 1 || q->max_results > STORE_PAGE_MAX)
		return store__fail(s, "max results %u is not 1-%d", q->max_results, STORE_PAGE_MAX);
	if (q->has_status && !*store_session_status_name(q->status))
		return store__fail(s, "session status %d is not valid", (int)q->status);
	return STORE_OK;
}

int store_session_list(struct store *s, const struct store_session_query *q,
		       struct store_session_page *page)
{
	static const char sql[] =
		"SELECT " SES_COLUMNS " FROM sessions "
		"WHERE (CASE WHEN ?1 THEN end_date IS NULL ELSE end_date IS NOT NULL END)"
		"  AND (?2 IS NULL OR start_date >= ?2)"
		"  AND (?3 IS NULL OR start_date < ?3)"
		"  AND (?4 IS NULL OR target = ?4)"
		"  AND (?5 IS NULL OR owner = ?5)"
		"  AND (?6 IS NULL OR status = ?6)"
		"  AND (?7 IS NULL OR id = ?7)"
		"  AND (?8 IS NULL OR start_date < ?8 OR (start_date = ?8 AND id < ?9)) "
		"ORDER BY start_date DESC, id DESC LIMIT ?10";
	uint8_t fingerprint[STORE_CURSOR_QUERY_LEN];
	struct store__cursor after = { 0 }, next = { .kind = 'S' };
	bool has_after = q->next_token && *q->next_token;
	sqlite3_stmt *st = NULL;
	int rc, step = SQLITE_DONE;

	memset(page, 0, sizeof(*page));
	rc = check_query(s, q);
	if (rc != STORE_OK || filter_impossible(q->target, STORE_TARGET_MAX) ||
	    filter_impossible(q->owner, STORE_OWNER_MAX) ||
	    filter_impossible(q->session_id, STORE_SESSION_ID_MAX))
		goto out; /* an error, or nothing can match: an empty last page */
	rc = query_fingerprint(s, q, fingerprint);
	if (rc == STORE_OK && has_after)
		rc = store__cursor_decode(s, q->next_token, 'S', STORE_SESSION_ID_MAX,
					  fingerprint, &after);
	if (rc != STORE_OK)
		goto out;
	page->items = calloc(q->max_results, sizeof(*page->items));
	st = store__stmt(s, STMT_SES_LIST, sql);
	if (!page->items || !st) {
		rc = st ? store__fail(s, "out of memory") : STORE_ERROR;
		goto out;
	}
	rc = bind_list(s, st, q, has_after ? &after : NULL);
	while (rc == STORE_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if (page->count == q->max_results) {
			const struct store_session *last = &page->items[page->count - 1];

			memcpy(next.query, fingerprint, sizeof(fingerprint));
			next.ts = last->start_date;
			memcpy(next.id, last->id, sizeof(next.id));
			rc = store__cursor_encode(s, &next, page->next_token);
			break;
		}
		rc = read_session(s, st, &page->items[page->count]);
		if (rc == STORE_OK)
			page->count++;
	}
	if (rc == STORE_OK && step != SQLITE_ROW && step != SQLITE_DONE)
		rc = store__sql_fail(s, "list sessions");
out:
	store__release(st);
	if (rc != STORE_OK)
		store_session_page_free(page);
	return rc;
}

void store_session_page_free(struct store_session_page *page)
{
	for (size_t i = 0; i < page->count; i++)
		store_session_clear(&page->items[i]);
	free(page->items);
	memset(page, 0, sizeof(*page));
}
