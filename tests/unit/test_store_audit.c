/*
 * test_store_audit.c — the audit log (broker/store_audit.c).
 *
 * Covers: append and list (ids ascending, every field, the "{}" default
 * detail); listing after an id and in pages; the log is append-only (raw
 * UPDATE and DELETE refused by the schema); argument checks (missing actor
 * or action, malformed detail JSON, list bounds); events survive a reopen.
 */
#include <criterion/criterion.h>

#include <sqlite3.h>
#include <string.h>

#include "store_fixture.h"

TestSuite(store_audit, .init = fx_setup, .fini = fx_teardown);

static int64_t append(const char *actor, const char *action, bool allowed, const char *detail)
{
	struct store_audit_new e = {
		.time = FX_NOW,
		.actor = actor,
		.action = action,
		.target = "mi-0123456789abcdef0",
		.allowed = allowed,
		.detail = detail,
	};
	int64_t id = -1;
	int rc = store_audit_append(fx_store(), &e, &id);

	cr_assert_eq(rc, STORE_OK, "%s: %s", store_status_str(rc), store_errmsg(fx_store()));
	return id;
}

Test(store_audit, append_and_list)
{
	struct store_audit_page page;
	int64_t a, b;

	a = append("alice", "ssm:StartSession", true, "{\"document\":\"AWS-StartSSHSession\"}");
	b = append("mallory", "ssm:StartSession", false, NULL);
	cr_assert_gt(b, a);
	cr_assert_eq(store_audit_list(fx_store(), 0, 10, &page), STORE_OK);
	cr_assert_eq(page.count, 2);
	cr_assert_eq(page.items[0].id, a);
	cr_assert_eq(page.items[0].time, FX_NOW);
	cr_assert_str_eq(page.items[0].actor, "alice");
	cr_assert_str_eq(page.items[0].action, "ssm:StartSession");
	cr_assert_str_eq(page.items[0].target, "mi-0123456789abcdef0");
	cr_assert(page.items[0].allowed);
	cr_assert_str_eq(page.items[0].detail, "{\"document\":\"AWS-StartSSHSession\"}");
	cr_assert_eq(page.items[1].id, b);
	cr_assert_str_eq(page.items[1].actor, "mallory");
	cr_assert_not(page.items[1].allowed);
	cr_assert_str_eq(page.items[1].detail, "{}");
	store_audit_page_free(&page);
	cr_assert_null(page.items);
}

Test(store_audit, list_after_an_id_in_pages)
{
	struct store_audit_page page;
	int64_t ids[25], after = 0;
	size_t seen = 0;

	for (int i = 0; i < 25; i++)
		ids[i] = append("alice", "ssm:DescribeSessions", true, NULL);
	do {
		cr_assert_eq(store_audit_list(fx_store(), after, 10, &page), STORE_OK);
		for (size_t i = 0; i < page.count; i++)
			cr_assert_eq(page.items[i].id, ids[seen++]);
		if (page.count)
			after = page.items[page.count - 1].id;
		store_audit_page_free(&page);
	} while (seen < 25 && after);
	cr_assert_eq(seen, 25);
	cr_assert_eq(store_audit_list(fx_store(), ids[24], 10, &page), STORE_OK);
	cr_assert_eq(page.count, 0);
	store_audit_page_free(&page);
}

Test(store_audit, the_log_is_append_only)
{
	struct store_audit_page page;

	append("alice", "ssm:TerminateSession", false, NULL);
	cr_assert_neq(fx_exec("UPDATE audit SET allowed = 1"), SQLITE_OK);
	cr_assert_neq(fx_exec("DELETE FROM audit"), SQLITE_OK);
	cr_assert_eq(store_audit_list(fx_store(), 0, 10, &page), STORE_OK);
	cr_assert_eq(page.count, 1);
	cr_assert_not(page.items[0].allowed);
	store_audit_page_free(&page);
}

Test(store_audit, append_checks_its_arguments)
{
	struct store_audit_new e = { .time = FX_NOW, .actor = "alice", .action = "x" };
	struct store_audit_page page;
	char action[STORE_ACTION_MAX + 2];

	memset(action, 'a', sizeof(action) - 1);
	action[sizeof(action) - 1] = '\0';
#define REFUSED(field, value)                                                       \
	do {                                                                        \
		struct store_audit_new m = e;                                       \
		m.field = value;                                                    \
		cr_assert_eq(store_audit_append(fx_store(), &m, NULL), STORE_ERROR, \
			     #field " = " #value);                                  \
		cr_assert_neq(store_errmsg(fx_store())[0], '\0');                   \
	} while (0)
	REFUSED(actor, NULL);
	REFUSED(actor, "");
	REFUSED(action, NULL);
	REFUSED(action, action);
	REFUSED(detail, "{\"unterminated\":");
	REFUSED(detail, "");
#undef REFUSED
	cr_assert_eq(store_audit_list(fx_store(), 0, 0, &page), STORE_ERROR);
	cr_assert_eq(store_audit_list(fx_store(), 0, STORE_PAGE_MAX + 1, &page), STORE_ERROR);
	cr_assert_eq(store_audit_list(fx_store(), 0, STORE_PAGE_MAX, &page), STORE_OK);
	cr_assert_eq(page.count, 0, "refused events left nothing behind");
	store_audit_page_free(&page);
}

Test(store_audit, events_survive_a_reopen)
{
	struct store_audit_page page;
	int64_t id = append("alice", "ssm:StartSession", true, "[1,2,3]");

	fx_reopen();
	cr_assert_eq(store_audit_list(fx_store(), 0, 5, &page), STORE_OK);
	cr_assert_eq(page.count, 1);
	cr_assert_eq(page.items[0].id, id);
	cr_assert_str_eq(page.items[0].detail, "[1,2,3]");
	store_audit_page_free(&page);
	cr_assert_gt(append("alice", "ssm:StartSession", true, NULL), id);
}
