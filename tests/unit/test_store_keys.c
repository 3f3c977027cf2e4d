/*
 * test_store_keys.c — access keys (broker/store_keys.c).
 *
 * Covers: id and secret derived exactly from the caller's bytes (known
 * vectors, alphabet and length for many seeds); the same bytes twice is a
 * conflict; lookup of every field; unknown, empty and over-long ids are
 * STORE_NOT_FOUND, not errors; disabling and re-enabling; user names outside
 * IAM's set refused with a message.
 */
#include <criterion/criterion.h>

#include <string.h>

#include "store_fixture.h"

TestSuite(store_keys, .init = fx_setup, .fini = fx_teardown);

static int create(const char *user, const uint8_t *rnd, struct store_key *k)
{
	return store_key_create(fx_store(), user, rnd, FX_NOW, k);
}

Test(store_keys, id_and_secret_come_from_the_bytes)
{
	uint8_t rnd[STORE_KEY_RANDOM_BYTES];
	struct store_key k;

	memset(rnd, 0, sizeof(rnd));
	cr_assert_eq(create("alice", rnd, &k), STORE_OK);
	cr_assert_str_eq(k.id, "PKIAAAAAAAAAAAAAAAAA");
	cr_assert_str_eq(k.secret, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");

	memset(rnd, 0xff, sizeof(rnd));
	cr_assert_eq(create("alice", rnd, &k), STORE_OK);
	cr_assert_str_eq(k.id, "PKIA7777777777777777");
	cr_assert_str_eq(k.secret, "////////////////////////////////////////");

	/* 00 44 32 14 c7 = 00000 00001 00010 00011 00100 00101 00110 00111 */
	memcpy(rnd, "\x00\x44\x32\x14\xc7\x42\x54\xb6\x35\xcf", 10);
	memcpy(rnd + 10, "\xfb\xff", 2);
	cr_assert_eq(create("alice", rnd, &k), STORE_OK);
	cr_assert_str_eq(k.id, "PKIAABCDEFGHIJKLMNOP");
	cr_assert_eq(strncmp(k.secret, "+/", 2), 0);
	cr_assert_str_eq(k.user, "alice");
	cr_assert_eq(k.created, FX_NOW);
	cr_assert_not(k.disabled);
}

Test(store_keys, ids_and_secrets_have_the_documented_shape)
{
	uint8_t rnd[STORE_KEY_RANDOM_BYTES];
	struct store_key k;

	for (uint32_t seed = 0; seed < 50; seed++) {
		fx_random(rnd, sizeof(rnd), seed);
		cr_assert_eq(create("alice", rnd, &k), STORE_OK, "%s", store_errmsg(fx_store()));
		cr_assert_eq(strlen(k.id), STORE_KEY_ID_LEN);
		cr_assert_eq(strncmp(k.id, "PKIA", 4), 0);
		cr_assert_eq(strspn(k.id + 4, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), 16);
		cr_assert_eq(strlen(k.secret), STORE_KEY_SECRET_LEN);
		cr_assert_eq(strspn(k.secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
					      "0123456789+/"), STORE_KEY_SECRET_LEN);
	}
}

Test(store_keys, the_same_bytes_twice_is_a_conflict)
{
	uint8_t rnd[STORE_KEY_RANDOM_BYTES];
	struct store_key k, again, out;

	fx_random(rnd, sizeof(rnd), 7);
	cr_assert_eq(create("alice", rnd, &k), STORE_OK);
	cr_assert_eq(create("bob", rnd, &again), STORE_CONFLICT);
	cr_assert_eq(store_key_lookup(fx_store(), k.id, &out), STORE_OK);
	cr_assert_str_eq(out.user, "alice");
}

Test(store_keys, lookup_returns_secret_user_and_state)
{
	uint8_t rnd[STORE_KEY_RANDOM_BYTES];
	struct store_key k, out;

	fx_random(rnd, sizeof(rnd), 1);
	cr_assert_eq(create("ops.bot@example.com", rnd, &k), STORE_OK);
	memset(&out, 0x55, sizeof(out));
	cr_assert_eq(store_key_lookup(fx_store(), k.id, &out), STORE_OK);
	cr_assert_str_eq(out.id, k.id);
	cr_assert_str_eq(out.secret, k.secret);
	cr_assert_str_eq(out.user, "ops.bot@example.com");
	cr_assert_eq(out.created, FX_NOW);
	cr_assert_not(out.disabled);
}

Test(store_keys, unknown_or_impossible_ids_are_not_found)
{
	struct store_key out;

	cr_assert_eq(store_key_lookup(fx_store(), "PKIAAAAAAAAAAAAAAAAA", &out), STORE_NOT_FOUND);
	cr_assert_eq(store_key_lookup(fx_store(), "", &out), STORE_NOT_FOUND);
	cr_assert_eq(store_key_lookup(fx_store(), NULL, &out), STORE_NOT_FOUND);
	cr_assert_eq(store_key_lookup(fx_store(), "PKIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &out),
		     STORE_NOT_FOUND);
	cr_assert_eq(store_key_set_disabled(fx_store(), "PKIAAAAAAAAAAAAAAAAA", true),
		     STORE_NOT_FOUND);
}

Test(store_keys, disable_and_enable)
{
	uint8_t rnd[STORE_KEY_RANDOM_BYTES];
	struct store_key k, out;

	fx_random(rnd, sizeof(rnd), 1);
	cr_assert_eq(create("alice", rnd, &k), STORE_OK);
	cr_assert_eq(store_key_set_disabled(fx_store(), k.id, true), STORE_OK);
	cr_assert_eq(store_key_lookup(fx_store(), k.id, &out), STORE_OK);
	cr_assert(out.disabled);
	cr_assert_str_eq(out.secret, k.secret, "a disabled key is still found");
	cr_assert_eq(store_key_set_disabled(fx_store(), k.id, false), STORE_OK);
	cr_assert_eq(store_key_lookup(fx_store(), k.id, &out), STORE_OK);
	cr_assert_not(out.disabled);
}

Test(store_keys, user_names_outside_the_iam_set_are_refused)
{
	static const char *const bad[] = {
		"", "has space", "slash/name", "tab\tname", "quote\"", "naïve",
		"a12345678901234567890123456789012345678901234567890123456789012345",
	};
	uint8_t rnd[STORE_KEY_RANDOM_BYTES];
	struct store_key k;

	fx_random(rnd, sizeof(rnd), 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(create(bad[i], rnd, &k), STORE_ERROR, "'%s'", bad[i]);
		cr_assert_neq(store_errmsg(fx_store())[0], '\0');
	}
	cr_assert_eq(create(NULL, rnd, &k), STORE_ERROR);
	/* exactly 64 of every allowed character class is fine */
	cr_assert_eq(create("A-z_0.9+=,@bcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01",
			    rnd, &k), STORE_OK, "%s", store_errmsg(fx_store()));
}
