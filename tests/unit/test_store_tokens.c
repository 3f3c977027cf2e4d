/*
 * test_store_tokens.c — data-channel tokens (broker/store_tokens.c).
 *
 * Covers: a token consumed once gives its session and role, then
 * STORE_USED; expiry at exactly `expires` gives STORE_EXPIRED and leaves the
 * token unused; used is reported before expired; unknown, empty and
 * over-long tokens are STORE_NOT_FOUND; only the SHA-256 is stored; adding
 * for an unknown session, twice, or with a bad role; purging expired tokens;
 * tokens survive a reopen.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "store_fixture.h"

#define TOKEN "AAEAAQ-secret-token-value-0001"

static char session[STORE_SESSION_ID_MAX + 1];

static void with_session(void)
{
	fx_setup();
	fx_session("alice", "mi-0123456789abcdef0", FX_NOW, 1, session);
}

/* Every test starts with one session to bind tokens to. */
TestSuite(store_tokens, .init = with_session, .fini = fx_teardown);

static int add(const char *token, enum store_token_role role, int64_t expires)
{
	return store_token_add(fx_store(), session, role, token, expires);
}

static int consume(const char *token, int64_t now, enum store_token_role *role)
{
	char bound[STORE_SESSION_ID_MAX + 1] = "";
	enum store_token_role r = (enum store_token_role)-1;
	int rc = store_token_consume(fx_store(), token, now, bound, &r);

	if (rc == STORE_OK)
		cr_assert_str_eq(bound, session);
	if (role)
		*role = r;
	return rc;
}

Test(store_tokens, single_use)
{
	enum store_token_role role;

	cr_assert_eq(add(TOKEN, STORE_ROLE_CLIENT, FX_NOW + 60), STORE_OK);
	cr_assert_eq(consume(TOKEN, FX_NOW, &role), STORE_OK);
	cr_assert_eq(role, STORE_ROLE_CLIENT);
	cr_assert_eq(consume(TOKEN, FX_NOW, NULL), STORE_USED);
	cr_assert_eq(consume(TOKEN, FX_NOW + 1, NULL), STORE_USED);
}

Test(store_tokens, roles_are_kept_apart)
{
	enum store_token_role role;

	cr_assert_eq(add("client-token", STORE_ROLE_CLIENT, FX_NOW + 60), STORE_OK);
	cr_assert_eq(add("agent-token", STORE_ROLE_AGENT, FX_NOW + 60), STORE_OK);
	cr_assert_eq(consume("agent-token", FX_NOW, &role), STORE_OK);
	cr_assert_eq(role, STORE_ROLE_AGENT);
	cr_assert_eq(consume("client-token", FX_NOW, &role), STORE_OK);
	cr_assert_eq(role, STORE_ROLE_CLIENT);
}

Test(store_tokens, expiry_is_exclusive_and_leaves_the_token_unused)
{
	cr_assert_eq(add(TOKEN, STORE_ROLE_AGENT, FX_NOW + 30), STORE_OK);
	cr_assert_eq(consume(TOKEN, FX_NOW + 30, NULL), STORE_EXPIRED);
	cr_assert_eq(consume(TOKEN, FX_NOW + 3000, NULL), STORE_EXPIRED);
	cr_assert_eq(consume(TOKEN, FX_NOW + 29, NULL), STORE_OK, "not used by the refusals");
	cr_assert_eq(consume(TOKEN, FX_NOW + 3000, NULL), STORE_USED,
		     "a reuse is reported as a reuse even when also expired");
}

Test(store_tokens, unknown_and_impossible_tokens_are_not_found)
{
	char longtoken[STORE_TOKEN_MAX + 2];

	memset(longtoken, 't', sizeof(longtoken) - 1);
	longtoken[sizeof(longtoken) - 1] = '\0';
	cr_assert_eq(add(TOKEN, STORE_ROLE_CLIENT, FX_NOW + 60), STORE_OK);
	cr_assert_eq(consume("AAEAAQ-secret-token-value-0002", FX_NOW, NULL), STORE_NOT_FOUND);
	cr_assert_eq(consume("", FX_NOW, NULL), STORE_NOT_FOUND);
	cr_assert_eq(consume(NULL, FX_NOW, NULL), STORE_NOT_FOUND);
	cr_assert_eq(consume(longtoken, FX_NOW, NULL), STORE_NOT_FOUND);
	cr_assert_eq(consume(TOKEN, FX_NOW, NULL), STORE_OK);
}

Test(store_tokens, only_the_hash_is_stored)
{
	char hash[65], sql[160];

	cr_assert_eq(add(TOKEN, STORE_ROLE_CLIENT, FX_NOW + 60), STORE_OK);
	cr_assert_not(fx_file_contains(TOKEN));
	fx_sha256_hex(TOKEN, hash);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM tokens WHERE hash = '%s'", hash);
	cr_assert_eq(fx_query_int(sql), 1);
	fx_reopen();
	cr_assert_not(fx_file_contains(TOKEN));
	cr_assert_eq(consume(TOKEN, FX_NOW, NULL), STORE_OK, "durable across reopen");
}

Test(store_tokens, add_checks_its_arguments)
{
	char longtoken[STORE_TOKEN_MAX + 2];

	memset(longtoken, 't', sizeof(longtoken) - 1);
	longtoken[sizeof(longtoken) - 1] = '\0';
	cr_assert_eq(add(TOKEN, STORE_ROLE_CLIENT, FX_NOW + 60), STORE_OK);
	cr_assert_eq(add(TOKEN, STORE_ROLE_AGENT, FX_NOW + 60), STORE_CONFLICT);
	cr_assert_eq(store_token_add(fx_store(), "nobody-00000000000000000", STORE_ROLE_CLIENT,
				     "other", FX_NOW + 60), STORE_NOT_FOUND);
	cr_assert_eq(store_token_add(fx_store(), NULL, STORE_ROLE_CLIENT, "other", FX_NOW + 60),
		     STORE_NOT_FOUND);
	cr_assert_eq(add("", STORE_ROLE_CLIENT, FX_NOW + 60), STORE_ERROR);
	cr_assert_eq(add(NULL, STORE_ROLE_CLIENT, FX_NOW + 60), STORE_ERROR);
	cr_assert_eq(add(longtoken, STORE_ROLE_CLIENT, FX_NOW + 60), STORE_ERROR);
	cr_assert_eq(add("other", (enum store_token_role)2, FX_NOW + 60), STORE_ERROR);
	cr_assert_neq(store_errmsg(fx_store())[0], '\0');
}

Test(store_tokens, purge_removes_only_expired_tokens)
{
	int64_t removed = -1;

	cr_assert_eq(add("old-1", STORE_ROLE_CLIENT, FX_NOW + 10), STORE_OK);
	cr_assert_eq(add("old-2", STORE_ROLE_AGENT, FX_NOW + 20), STORE_OK);
	cr_assert_eq(add("fresh", STORE_ROLE_CLIENT, FX_NOW + 100), STORE_OK);
	cr_assert_eq(store_token_purge(fx_store(), FX_NOW + 21, &removed), STORE_OK);
	cr_assert_eq(removed, 2);
	cr_assert_eq(consume("old-1", FX_NOW, NULL), STORE_NOT_FOUND);
	cr_assert_eq(consume("fresh", FX_NOW, NULL), STORE_OK);
	cr_assert_eq(store_token_purge(fx_store(), FX_NOW + 21, NULL), STORE_OK);
}

Test(store_tokens, consume_with_no_tokens)
{
	char bound[STORE_SESSION_ID_MAX + 1];
	enum store_token_role role;

	cr_assert_eq(store_token_consume(fx_store(), TOKEN, FX_NOW, bound, &role), STORE_NOT_FOUND);
}
