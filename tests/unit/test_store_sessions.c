/*
 * test_store_sessions.c — session records and DescribeSessions
 * (broker/store_sessions.c).
 *
 * Covers: create and get (id = caller + "-" + 17 hex from the caller's
 * bytes, at most 96 chars); create's checks (caller names, JSON parameters,
 * conflicts); status changes, the end date set once by a terminal status and
 * final afterwards; exit code, byte counters, details; Active vs History;
 * each filter (InvokedAfter, InvokedBefore, Target, Owner, Status, SessionId)
 * and a combination; paging 450 sessions by 200: every one exactly once,
 * newest first, including sessions sharing a start second; paging stable
 * while sessions are created between pages; malformed, altered and foreign
 * NextTokens refused; status names.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "store_fixture.h"

TestSuite(store_sessions, .init = fx_setup, .fini = fx_teardown);

#define TARGET "mi-0123456789abcdef0"

typedef char session_id[STORE_SESSION_ID_MAX + 1];

/* A session's record without its parameters (which it frees). */
static struct store_session get(const char *id)
{
	struct store_session se;

	cr_assert_eq(store_session_get(fx_store(), id, &se), STORE_OK, "%s", id);
	store_session_clear(&se);
	return se;
}

/* Page through q; every session (id and start date) in order into out. */
struct listed {
	session_id id;
	int64_t start;
};

static size_t list_all(struct store_session_query q, struct listed *out, size_t cap,
		       size_t *pages)
{
	char token[STORE_NEXT_TOKEN_MAX + 1] = "";
	size_t n = 0;

	*pages = 0;
	do {
		struct store_session_page page;
		int rc;

		q.next_token = token;
		rc = store_session_list(fx_store(), &q, &page);
		cr_assert_eq(rc, STORE_OK, "%s: %s", store_status_str(rc), store_errmsg(fx_store()));
		cr_assert_leq(page.count, q.max_results);
		for (size_t i = 0; i < page.count; i++) {
			cr_assert_lt(n, cap);
			memcpy(out[n].id, page.items[i].id, sizeof(session_id));
			out[n++].start = page.items[i].start_date;
		}
		memcpy(token, page.next_token, sizeof(token));
		store_session_page_free(&page);
		++*pages;
	} while (token[0]);
	return n;
}

static size_t count(struct store_session_query q)
{
	struct listed got[64];
	size_t pages;

	if (!q.max_results)
		q.max_results = 7;
	return list_all(q, got, 64, &pages);
}

/* Strictly newest first: start date descending, then id descending. */
static void assert_newest_first(const struct listed *l, size_t n)
{
	for (size_t i = 1; i < n; i++)
		cr_assert(l[i - 1].start > l[i].start ||
			  (l[i - 1].start == l[i].start && strcmp(l[i - 1].id, l[i].id) > 0),
			  "order at %zu: %s@%lld then %s@%lld", i, l[i - 1].id,
			  (long long)l[i - 1].start, l[i].id, (long long)l[i].start);
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Every one of want[0..n) appears in got[0..m) exactly once, and nothing else. */
static void assert_exactly_once(session_id *want, size_t n, const struct listed *got, size_t m)
{
	session_id *sorted = malloc(m * sizeof(session_id) + 1);

	cr_assert_not_null(sorted);
	cr_assert_eq(m, n);
	for (size_t i = 0; i < m; i++)
		memcpy(sorted[i], got[i].id, sizeof(session_id));
	qsort(sorted, m, sizeof(session_id), cmp_id);
	qsort(want, n, sizeof(session_id), cmp_id);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(sorted[i], want[i]);
	free(sorted);
}

Test(store_sessions, create_and_get)
{
	struct store_session_new n = {
		.caller = "alice",
		.target = TARGET,
		.owner = "arn:aws:iam::123456789012:user/alice",
		.document_name = "AWS-StartPortForwardingSession",
		.parameters = "{\"portNumber\":[\"5432\"],\"localPortNumber\":[\"15432\"]}",
		.reason = "debug the database",
		.start_date = FX_NOW,
	};
	uint8_t rnd[STORE_ID_RANDOM_BYTES] = { 0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f, 0x67, 0x89, 0x0f };
	session_id id;
	struct store_session se;

	cr_assert_eq(store_session_create(fx_store(), &n, rnd, id), STORE_OK, "%s",
		     store_errmsg(fx_store()));
	cr_assert_str_eq(id, "alice-0a1b2c3d4e5f67890");
	cr_assert_eq(store_session_get(fx_store(), id, &se), STORE_OK);
	cr_assert_str_eq(se.id, id);
	cr_assert_str_eq(se.target, TARGET);
	cr_assert_str_eq(se.owner, "arn:aws:iam::123456789012:user/alice");
	cr_assert_str_eq(se.document_name, "AWS-StartPortForwardingSession");
	cr_assert_str_eq(se.parameters, n.parameters);
	cr_assert_str_eq(se.reason, "debug the database");
	cr_assert_eq(se.status, STORE_SESSION_CONNECTING);
	cr_assert_eq(se.start_date, FX_NOW);
	cr_assert_not(se.ended);
	cr_assert_not(se.has_exit_code);
	cr_assert_eq(se.bytes_in, 0);
	cr_assert_eq(se.bytes_out, 0);
	cr_assert_str_eq(se.details, "");
	store_session_clear(&se);
	cr_assert_null(se.parameters);
	cr_assert_eq(store_session_get(fx_store(), "alice-00000000000000000", &se),
		     STORE_NOT_FOUND);
	cr_assert_eq(store_session_get(fx_store(), NULL, &se), STORE_NOT_FOUND);
}

Test(store_sessions, defaults_for_absent_parameters_and_reason)
{
	session_id id;
	struct store_session se;

	fx_session("bob", TARGET, FX_NOW, 1, id);
	cr_assert_eq(store_session_get(fx_store(), id, &se), STORE_OK);
	cr_assert_str_eq(se.parameters, "{}");
	cr_assert_str_eq(se.reason, "");
	store_session_clear(&se);
}

Test(store_sessions, ids_are_at_most_96_characters)
{
	char caller[STORE_CALLER_MAX + 2];
	session_id id;

	memset(caller, 'c', sizeof(caller) - 1);
	caller[sizeof(caller) - 1] = '\0';
	cr_assert_eq(store_session_create(fx_store(),
					  &(struct store_session_new){
						  .caller = caller, .target = TARGET, .owner = "o",
						  .document_name = "doc", .start_date = FX_NOW },
					  (uint8_t[STORE_ID_RANDOM_BYTES]){ 0 }, id),
		     STORE_ERROR, "caller of %zu chars", strlen(caller));
	caller[STORE_CALLER_MAX] = '\0';
	fx_session(caller, TARGET, FX_NOW, 1, id);
	cr_assert_eq(strlen(id), STORE_SESSION_ID_MAX);
	cr_assert_eq(id[STORE_CALLER_MAX], '-');
}

Test(store_sessions, create_checks_its_arguments)
{
	static const struct store_session_new good = {
		.caller = "alice", .target = TARGET, .owner = "alice", .document_name = "doc",
		.start_date = FX_NOW,
	};
	uint8_t rnd[STORE_ID_RANDOM_BYTES];
	session_id id;

	fx_random(rnd, sizeof(rnd), 1);
#define REFUSED(field, value)                                                             \
	do {                                                                              \
		struct store_session_new m = good;                                        \
		m.field = value;                                                          \
		cr_assert_eq(store_session_create(fx_store(), &m, rnd, id), STORE_ERROR,  \
			     #field " = " #value);                                        \
		cr_assert_neq(store_errmsg(fx_store())[0], '\0');                         \
	} while (0)
	REFUSED(caller, "");
	REFUSED(caller, NULL);
	REFUSED(caller, "al ice");
	REFUSED(caller, "al/ice");
	REFUSED(target, NULL);
	REFUSED(target, "");
	REFUSED(owner, NULL);
	REFUSED(document_name, "");
	REFUSED(parameters, "{not json");
	REFUSED(parameters, "");
#undef REFUSED
	cr_assert_eq(store_session_create(fx_store(), &good, rnd, id), STORE_OK);
	cr_assert_eq(store_session_create(fx_store(), &good, rnd, id), STORE_CONFLICT);
}

Test(store_sessions, terminal_status_sets_the_end_date_once)
{
	session_id id;
	struct store_session se;

	fx_session("alice", TARGET, FX_NOW, 1, id);
	cr_assert_eq(store_session_set_status(fx_store(), id, STORE_SESSION_CONNECTED, FX_NOW + 1),
		     STORE_OK);
	se = get(id);
	cr_assert_eq(se.status, STORE_SESSION_CONNECTED);
	cr_assert_not(se.ended);
	cr_assert_eq(store_session_set_status(fx_store(), id, STORE_SESSION_DISCONNECTED,
					      FX_NOW + 2), STORE_OK);
	cr_assert_eq(store_session_set_status(fx_store(), id, STORE_SESSION_TERMINATING,
					      FX_NOW + 3), STORE_OK);
	cr_assert_not(get(id).ended);
	cr_assert_eq(store_session_set_status(fx_store(), id, STORE_SESSION_TERMINATED,
					      FX_NOW + 4), STORE_OK);
	se = get(id);
	cr_assert_eq(se.status, STORE_SESSION_TERMINATED);
	cr_assert(se.ended);
	cr_assert_eq(se.end_date, FX_NOW + 4);
	/* TerminateSession on an ended session: same status is fine, nothing moves */
	cr_assert_eq(store_session_set_status(fx_store(), id, STORE_SESSION_TERMINATED,
					      FX_NOW + 9), STORE_OK);
	cr_assert_eq(get(id).end_date, FX_NOW + 4);
	cr_assert_eq(store_session_set_status(fx_store(), id, STORE_SESSION_CONNECTED, FX_NOW + 9),
		     STORE_CONFLICT);
	cr_assert_eq(store_session_set_status(fx_store(), id, STORE_SESSION_FAILED, FX_NOW + 9),
		     STORE_CONFLICT);
	cr_assert_eq(get(id).status, STORE_SESSION_TERMINATED);
	cr_assert_eq(store_session_set_status(fx_store(), "x-00000000000000000",
					      STORE_SESSION_FAILED, FX_NOW), STORE_NOT_FOUND);
	cr_assert_eq(store_session_set_status(fx_store(), id, (enum store_session_status)42,
					      FX_NOW), STORE_ERROR);
}

Test(store_sessions, failed_is_terminal_too)
{
	session_id id;
	struct store_session se;

	fx_session("alice", TARGET, FX_NOW, 1, id);
	cr_assert_eq(store_session_set_status(fx_store(), id, STORE_SESSION_FAILED, FX_NOW + 7),
		     STORE_OK);
	se = get(id);
	cr_assert(se.ended);
	cr_assert_eq(se.end_date, FX_NOW + 7);
}

Test(store_sessions, exit_code_bytes_and_details)
{
	session_id id;
	struct store_session se;

	fx_session("alice", TARGET, FX_NOW, 1, id);
	cr_assert_eq(store_session_set_exit_code(fx_store(), id, 130), STORE_OK);
	cr_assert_eq(store_session_add_bytes(fx_store(), id, 10, 2000), STORE_OK);
	cr_assert_eq(store_session_add_bytes(fx_store(), id, 5, 1), STORE_OK);
	cr_assert_eq(store_session_set_details(fx_store(), id, "closed by the client"), STORE_OK);
	se = get(id);
	cr_assert(se.has_exit_code);
	cr_assert_eq(se.exit_code, 130);
	cr_assert_eq(se.bytes_in, 15);
	cr_assert_eq(se.bytes_out, 2001);
	cr_assert_str_eq(se.details, "closed by the client");
	cr_assert_eq(store_session_add_bytes(fx_store(), id, -1, 0), STORE_ERROR);
	cr_assert_eq(store_session_set_exit_code(fx_store(), "nobody-0", 1), STORE_NOT_FOUND);
	cr_assert_eq(store_session_add_bytes(fx_store(), "nobody-0", 1, 1), STORE_NOT_FOUND);
	cr_assert_eq(store_session_set_details(fx_store(), "nobody-0", "x"), STORE_NOT_FOUND);
}

Test(store_sessions, active_and_history)
{
	session_id a, b, c;
	struct store_session_query q = { .state = STORE_SESSIONS_ACTIVE };

	fx_session("alice", TARGET, FX_NOW, 1, a);
	fx_session("alice", TARGET, FX_NOW, 2, b);
	fx_session("alice", TARGET, FX_NOW, 3, c);
	cr_assert_eq(store_session_set_status(fx_store(), b, STORE_SESSION_TERMINATED, FX_NOW),
		     STORE_OK);
	cr_assert_eq(store_session_set_status(fx_store(), c, STORE_SESSION_DISCONNECTED, FX_NOW),
		     STORE_OK);
	cr_assert_eq(count(q), 2, "Connecting and Disconnected are active");
	q.state = STORE_SESSIONS_HISTORY;
	cr_assert_eq(count(q), 1);
}

Test(store_sessions, each_filter)
{
	session_id ids[6];
	struct store_session_query q = { .state = STORE_SESSIONS_ACTIVE };

	fx_session("alice", TARGET, FX_NOW + 0, 1, ids[0]);
	fx_session("alice", TARGET, FX_NOW + 10, 2, ids[1]);
	fx_session("bob", TARGET, FX_NOW + 20, 3, ids[2]);
	fx_session("bob", "mi-fedcba98765432100", FX_NOW + 30, 4, ids[3]);
	fx_session("carol", "mi-fedcba98765432100", FX_NOW + 40, 5, ids[4]);
	fx_session("carol", TARGET, FX_NOW + 50, 6, ids[5]);
	cr_assert_eq(store_session_set_status(fx_store(), ids[4], STORE_SESSION_CONNECTED, FX_NOW),
		     STORE_OK);
	cr_assert_eq(store_session_set_status(fx_store(), ids[5], STORE_SESSION_CONNECTED, FX_NOW),
		     STORE_OK);
	cr_assert_eq(count(q), 6);

	q.has_invoked_after = true;
	q.invoked_after = FX_NOW + 20;
	cr_assert_eq(count(q), 4, "InvokedAfter includes its own second");
	q.has_invoked_before = true;
	q.invoked_before = FX_NOW + 40;
	cr_assert_eq(count(q), 2, "InvokedBefore excludes its own second");
	q.has_invoked_after = false;
	cr_assert_eq(count(q), 4);
	q.has_invoked_before = false;

	q.target = "mi-fedcba98765432100";
	cr_assert_eq(count(q), 2);
	q.target = NULL;
	q.owner = "bob";
	cr_assert_eq(count(q), 2);
	q.owner = NULL;
	q.has_status = true;
	q.status = STORE_SESSION_CONNECTED;
	cr_assert_eq(count(q), 2);
	q.status = STORE_SESSION_TERMINATED;
	cr_assert_eq(count(q), 0);
	q.has_status = false;
	q.session_id = ids[3];
	cr_assert_eq(count(q), 1);
	q.session_id = "nobody-00000000000000000";
	cr_assert_eq(count(q), 0);
	q.session_id = NULL;

	/* all together: Connected sessions of carol on TARGET since +45 */
	q.owner = "carol";
	q.target = TARGET;
	q.has_status = true;
	q.status = STORE_SESSION_CONNECTED;
	q.has_invoked_after = true;
	q.invoked_after = FX_NOW + 45;
	cr_assert_eq(count(q), 1);
	q.invoked_after = FX_NOW + 51;
	cr_assert_eq(count(q), 0);
}

Test(store_sessions, filters_no_session_can_match)
{
	char huge[STORE_TARGET_MAX + 2];
	struct store_session_query q = { .state = STORE_SESSIONS_ACTIVE };
	session_id id;

	memset(huge, 't', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	fx_session("alice", TARGET, FX_NOW, 1, id);
	q.target = huge;
	cr_assert_eq(count(q), 0);
	q.target = "";
	cr_assert_eq(count(q), 0, "an empty filter value is not 'no filter'");
	q.target = NULL;
	q.session_id = huge;
	cr_assert_eq(count(q), 0);
}

Test(store_sessions, paging_450_sessions_by_200)
{
	enum { N = 450 };
	session_id *ids = calloc(N, sizeof(session_id));
	struct listed *got = calloc(N + 10, sizeof(*got));
	struct store_session_query q = { .state = STORE_SESSIONS_ACTIVE, .max_results = 200 };
	size_t n, pages;

	cr_assert_not_null(ids);
	cr_assert_not_null(got);
	/* groups of five share a start second, so the id breaks ties */
	cr_assert_eq(store_begin(fx_store()), STORE_OK);
	for (uint32_t i = 0; i < N; i++)
		fx_session(i % 2 ? "alice" : "bob", TARGET, FX_NOW + i / 5, i, ids[i]);
	cr_assert_eq(store_commit(fx_store()), STORE_OK);

	n = list_all(q, got, N + 10, &pages);
	cr_assert_eq(pages, 3);
	assert_newest_first(got, n);
	assert_exactly_once(ids, N, got, n);
	cr_assert_eq(got[0].start, FX_NOW + (N - 1) / 5);
	cr_assert_eq(got[N - 1].start, FX_NOW);
	free(ids);
	free(got);
}

Test(store_sessions, paging_is_stable_while_sessions_are_created)
{
	enum { N = 40 };
	session_id ids[N], extra;
	struct listed got[N + 20];
	char token[STORE_NEXT_TOKEN_MAX + 1];
	struct store_session_query q = { .state = STORE_SESSIONS_ACTIVE, .max_results = 15 };
	struct store_session_page page;
	size_t n = 0;
	uint32_t seed = 1000;

	for (uint32_t i = 0; i < N; i++)
		fx_session("alice", TARGET, FX_NOW + i / 4, i, ids[i]);
	q.next_token = "";
	do {
		cr_assert_eq(store_session_list(fx_store(), &q, &page), STORE_OK);
		for (size_t i = 0; i < page.count; i++) {
			memcpy(got[n].id, page.items[i].id, sizeof(session_id));
			got[n++].start = page.items[i].start_date;
		}
		memcpy(token, page.next_token, sizeof(token));
		store_session_page_free(&page);
		q.next_token = token;
		/* between pages: a newer session, and one in the newest second */
		fx_session("bob", TARGET, FX_NOW + 1000, seed++, extra);
		fx_session("bob", TARGET, FX_NOW + (N - 1) / 4, seed++, extra);
	} while (token[0]);
	assert_newest_first(got, n);
	assert_exactly_once(ids, N, got, n);
}

Test(store_sessions, bad_next_tokens_are_refused)
{
	session_id ids[5];
	char token[STORE_NEXT_TOKEN_MAX + 1], forged[STORE_NEXT_TOKEN_MAX + 1];
	struct store_session_query q = { .state = STORE_SESSIONS_ACTIVE, .max_results = 2 };
	struct store_session_page page;
	static const char *const garbage[] = {
		"x", "====", "AAAAAAAA", "bm90IGEgdG9rZW4=",
		"AQAAAAAAAAAAAAAAAAAAZU9VoAVhbGljZQAAAAAAAAAA",
		"much too long much too long much too long much too long much too long much too "
		"long much too long much too long much too long much too long much too long much "
		"too long much too long much too long much too long much too long much too long",
	};

	for (uint32_t i = 0; i < 5; i++)
		fx_session("alice", TARGET, FX_NOW + i, i, ids[i]);
	cr_assert_eq(store_session_list(fx_store(), &q, &page), STORE_OK);
	memcpy(token, page.next_token, sizeof(token));
	store_session_page_free(&page);
	cr_assert_neq(token[0], '\0');

	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		q.next_token = garbage[i];
		cr_assert_eq(store_session_list(fx_store(), &q, &page), STORE_BAD_TOKEN, "%s",
			     garbage[i]);
		cr_assert_null(page.items);
	}
	for (size_t i = 0; token[i]; i++) {
		memcpy(forged, token, sizeof(forged));
		forged[i] = forged[i] == 'z' ? 'y' : 'z';
		q.next_token = forged;
		cr_assert_eq(store_session_list(fx_store(), &q, &page), STORE_BAD_TOKEN,
			     "changed at %zu", i);
	}
	memcpy(forged, token, sizeof(forged));
	forged[strlen(forged) - 4] = '\0';
	q.next_token = forged;
	cr_assert_eq(store_session_list(fx_store(), &q, &page), STORE_BAD_TOKEN, "truncated");

	/* the real token against another query */
	q.next_token = token;
	q.state = STORE_SESSIONS_HISTORY;
	cr_assert_eq(store_session_list(fx_store(), &q, &page), STORE_BAD_TOKEN, "other state");
	q.state = STORE_SESSIONS_ACTIVE;
	q.owner = "alice";
	cr_assert_eq(store_session_list(fx_store(), &q, &page), STORE_BAD_TOKEN, "other filter");
	q.owner = NULL;
	q.max_results = 3;
	cr_assert_eq(store_session_list(fx_store(), &q, &page), STORE_OK,
		     "another page size is fine");
	cr_assert_eq(page.count, 3);
	cr_assert_str_eq(page.items[0].id, ids[2]);
	store_session_page_free(&page);
}

Test(store_sessions, instance_tokens_are_not_session_tokens)
{
	char inst[3][STORE_INSTANCE_ID_LEN + 1];
	struct store_instance_query iq = { .max_results = 1 };
	struct store_instance_page ipage;
	struct store_session_query q = { .state = STORE_SESSIONS_ACTIVE, .max_results = 1 };
	struct store_session_page page;

	for (uint32_t i = 0; i < 3; i++)
		fx_instance(NULL, NULL, i, inst[i]);
	cr_assert_eq(store_instance_list(fx_store(), &iq, &ipage), STORE_OK);
	q.next_token = ipage.next_token;
	cr_assert_eq(store_session_list(fx_store(), &q, &page), STORE_BAD_TOKEN);
	store_instance_page_free(&ipage);
}

Test(store_sessions, list_checks_its_query)
{
	struct store_session_page page;
	struct store_session_query q = { .state = STORE_SESSIONS_ACTIVE, .max_results = 0 };

	cr_assert_eq(store_session_list(fx_store(), &q, &page), STORE_ERROR);
	q.max_results = STORE_PAGE_MAX + 1;
	cr_assert_eq(store_session_list(fx_store(), &q, &page), STORE_ERROR);
	q.max_results = 1;
	q.state = (enum store_session_state)7;
	cr_assert_eq(store_session_list(fx_store(), &q, &page), STORE_ERROR);
	q.state = STORE_SESSIONS_HISTORY;
	q.has_status = true;
	q.status = (enum store_session_status)-1;
	cr_assert_eq(store_session_list(fx_store(), &q, &page), STORE_ERROR);
	q.has_status = false;
	cr_assert_eq(store_session_list(fx_store(), &q, &page), STORE_OK);
	cr_assert_eq(page.count, 0);
	store_session_page_free(&page);
}

Test(store_sessions, status_names_round_trip)
{
	static const char *const names[] = {
		"Connecting", "Connected", "Disconnected", "Terminating", "Terminated", "Failed",
	};
	enum store_session_status st;

	for (int i = 0; i < 6; i++) {
		cr_assert_str_eq(store_session_status_name((enum store_session_status)i), names[i]);
		cr_assert_eq(store_session_status_parse(names[i], &st), STORE_OK);
		cr_assert_eq(st, (enum store_session_status)i);
	}
	cr_assert_str_eq(store_session_status_name((enum store_session_status)6), "");
	cr_assert_eq(store_session_status_parse("connected", &st), STORE_NOT_FOUND);
	cr_assert_eq(store_session_status_parse(NULL, &st), STORE_NOT_FOUND);
}
