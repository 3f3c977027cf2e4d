/*
 * store_audit.c — the audit table: an append-only log of decisions (time,
 * actor, action, target, allowed, JSON detail). See store.h. The schema's
 * triggers refuse UPDATE and DELETE, so no code path can rewrite history.
 */
#include "store_impl.h"

#include <stdlib.h>
#include <string.h>

int store_audit_append(struct store *s, const struct store_audit_new *e, int64_t *id_out)
{
	static const char sql[] =
		"INSERT INTO audit (time, actor, action, target, allowed, detail) "
		"VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
	sqlite3_stmt *st = store__stmt(s, STMT_AUD_INSERT, sql);
	int rc = st ? store__bind_i64(s, st, 1, e->time) : STORE_ERROR;

	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 2, e->actor, STORE_ACTOR_MAX, TEXT_REQUIRED, "actor");
	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 3, e->action, STORE_ACTION_MAX, TEXT_REQUIRED,
				      "action");
	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 4, e->target, STORE_TARGET_MAX, TEXT_OPTIONAL,
				      "target");
	if (rc == STORE_OK)
		rc = store__bind_i64(s, st, 5, e->allowed);
	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 6, e->detail ? e->detail : "{}",
				      STORE_AUDIT_DETAIL_MAX, TEXT_REQUIRED, "detail");
	if (rc == STORE_OK)
		rc = store__run(s, st, "append audit event");
	if (rc == STORE_OK && id_out)
		*id_out = sqlite3_last_insert_rowid(s->db);
	store__release(st);
	return rc;
}

static int read_event(struct store *s, sqlite3_stmt *st, struct store_audit_event *ev)
{
	int rc;

	memset(ev, 0, sizeof(*ev));
	ev->id = sqlite3_column_int64(st, 0);
	ev->time = sqlite3_column_int64(st, 1);
	rc = store__col_text(s, st, 2, ev->actor, sizeof(ev->actor), "actor");
	if (rc == STORE_OK)
		rc = store__col_text(s, st, 3, ev->action, sizeof(ev->action), "action");
	if (rc == STORE_OK)
		rc = store__col_text(s, st, 4, ev->target, sizeof(ev->target), "target");
	ev->allowed = sqlite3_column_int(st, 5) != 0;
	if (rc == STORE_OK)
		rc = store__col_dup(s, st, 6, &ev->detail, "detail");
	return rc;
}

int store_audit_list(struct store *s, int64_t after_id, unsigned max,
		     struct store_audit_page *page)
{
	static const char sql[] =
		"SELECT id, time, actor, action, target, allowed, detail FROM audit "
		"WHERE id > ?1 ORDER BY id LIMIT ?2";
	sqlite3_stmt *st = NULL;
	int rc, step = SQLITE_DONE;

	memset(page, 0, sizeof(*page));
	if (max < 1 || max > STORE_PAGE_MAX) {
		rc = store__fail(s, "max %u is not 1-%d", max, STORE_PAGE_MAX);
		goto out;
	}
	page->items = calloc(max, sizeof(*page->items));
	st = store__stmt(s, STMT_AUD_LIST, sql);
	if (!page->items || !st) {
		rc = st ? store__fail(s, "out of memory") : STORE_ERROR;
		goto out;
	}
	rc = store__bind_i64(s, st, 1, after_id);
	if (rc == STORE_OK)
		rc = store__bind_i64(s, st, 2, max);
	while (rc == STORE_OK && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = read_event(s, st, &page->items[page->count++]);
	if (rc == STORE_OK && step != SQLITE_DONE)
		rc = store__sql_fail(s, "list audit events");
out:
	store__release(st);
	if (rc != STORE_OK)
		store_audit_page_free(page);
	return rc;
}

void store_audit_page_free(struct store_audit_page *page)
{
	for (size_t i = 0; i < page->count; i++)
		free(page->items[i].detail);
	free(page->items);
	memset(page, 0, sizeof(*page));
}
