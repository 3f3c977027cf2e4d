/*
 * test_store_activations.c — activations (broker/store_activations.c).
 *
 * Covers: create and get round trip, the id a version-4 UUID made from the
 * caller's bytes; the code never stored (not in the file, only its SHA-256);
 * consume: success increments and reports, the limit under repeated
 * consumption, expiry at exactly `expires`; an unknown id and a wrong code
 * give the same answer and change nothing, even for an expired or exhausted
 * activation; malformed codes; create's argument checks and id conflicts.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "store_fixture.h"

TestSuite(store_activations, .init = fx_setup, .fini = fx_teardown);

#define CODE "k3Jd9Qx2LmN8pR4tV6wY"
#define OTHER_CODE "k3Jd9Qx2LmN8pR4tV6wZ"

static int consume(const char *id, const char *code, int64_t now)
{
	return store_activation_consume(fx_store(), id, code, now, NULL);
}

static int registrations(const char *id)
{
	struct store_activation a;

	cr_assert_eq(store_activation_get(fx_store(), id, &a), STORE_OK);
	return a.registrations;
}

Test(store_activations, create_and_get)
{
	struct store_activation_new n = {
		.iam_role = "web-servers",
		.description = "the web tier",
		.default_instance_name = "web",
		.registration_limit = 5,
		.expires = FX_NOW + 86400,
	};
	uint8_t rnd[STORE_ACTIVATION_RANDOM_BYTES];
	char id[STORE_UUID_LEN + 1];
	struct store_activation a;

	memset(rnd, 0xab, sizeof(rnd));
	cr_assert_eq(store_activation_create(fx_store(), &n, CODE, rnd, FX_NOW, id), STORE_OK);
	cr_assert_str_eq(id, "abababab-abab-4bab-abab-abababababab");
	cr_assert_eq(store_activation_get(fx_store(), id, &a), STORE_OK);
	cr_assert_str_eq(a.id, id);
	cr_assert_str_eq(a.iam_role, "web-servers");
	cr_assert_str_eq(a.description, "the web tier");
	cr_assert_str_eq(a.default_instance_name, "web");
	cr_assert_eq(a.registration_limit, 5);
	cr_assert_eq(a.registrations, 0);
	cr_assert_eq(a.expires, FX_NOW + 86400);
	cr_assert_eq(a.created, FX_NOW);
	cr_assert_eq(store_activation_get(fx_store(), "00000000-0000-4000-8000-000000000000", &a),
		     STORE_NOT_FOUND);
}

Test(store_activations, optional_fields_may_be_absent)
{
	struct store_activation_new n = {
		.iam_role = "r", .registration_limit = 1, .expires = FX_NOW + 1,
	};
	uint8_t rnd[STORE_ACTIVATION_RANDOM_BYTES];
	char id[STORE_UUID_LEN + 1];
	struct store_activation a;

	fx_random(rnd, sizeof(rnd), 1);
	cr_assert_eq(store_activation_create(fx_store(), &n, CODE, rnd, FX_NOW, id), STORE_OK);
	cr_assert_eq(store_activation_get(fx_store(), id, &a), STORE_OK);
	cr_assert_str_eq(a.description, "");
	cr_assert_str_eq(a.default_instance_name, "");
}

Test(store_activations, only_the_code_hash_is_stored)
{
	char id[STORE_UUID_LEN + 1], want[65], sql[200];

	fx_activation(CODE, 1, FX_NOW + 60, 1, id);
	cr_assert_not(fx_file_contains(CODE));
	fx_sha256_hex(CODE, want);
	cr_assert(fx_file_contains(want));
	snprintf(sql, sizeof(sql), "SELECT code_hash = '%s' FROM activations WHERE id = '%s'",
		 want, id);
	cr_assert_eq(fx_query_int(sql), 1);
	fx_reopen(); /* after the checkpoint on close, in the main file too */
	cr_assert_not(fx_file_contains(CODE));
}

Test(store_activations, consume_increments_and_reports)
{
	char id[STORE_UUID_LEN + 1];
	struct store_activation a;

	fx_activation(CODE, 3, FX_NOW + 60, 1, id);
	memset(&a, 0, sizeof(a));
	cr_assert_eq(store_activation_consume(fx_store(), id, CODE, FX_NOW, &a), STORE_OK);
	cr_assert_str_eq(a.id, id);
	cr_assert_eq(a.registrations, 1);
	cr_assert_str_eq(a.iam_role, "postern-agent");
	cr_assert_str_eq(a.default_instance_name, "web");
	cr_assert_eq(registrations(id), 1);
}

Test(store_activations, limit_holds_under_repeated_consumption)
{
	char id[STORE_UUID_LEN + 1];

	fx_activation(CODE, 50, FX_NOW + 60, 1, id);
	for (int i = 0; i < 50; i++)
		cr_assert_eq(consume(id, CODE, FX_NOW + i % 10), STORE_OK, "registration %d", i);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(consume(id, CODE, FX_NOW), STORE_LIMIT);
	cr_assert_eq(registrations(id), 50);
	fx_reopen();
	cr_assert_eq(consume(id, CODE, FX_NOW), STORE_LIMIT);
}

Test(store_activations, the_largest_limit_is_accepted)
{
	char id[STORE_UUID_LEN + 1];

	fx_activation(CODE, STORE_REGISTRATION_LIMIT_MAX, FX_NOW + 60, 1, id);
	cr_assert_eq(consume(id, CODE, FX_NOW), STORE_OK);
}

Test(store_activations, expires_at_exactly_expires)
{
	char id[STORE_UUID_LEN + 1];

	fx_activation(CODE, 5, FX_NOW + 60, 1, id);
	cr_assert_eq(consume(id, CODE, FX_NOW + 59), STORE_OK);
	cr_assert_eq(consume(id, CODE, FX_NOW + 60), STORE_EXPIRED);
	cr_assert_eq(consume(id, CODE, FX_NOW + 6000), STORE_EXPIRED);
	cr_assert_eq(registrations(id), 1);
}

Test(store_activations, wrong_code_and_unknown_id_look_the_same)
{
	char id[STORE_UUID_LEN + 1], expired[STORE_UUID_LEN + 1], full[STORE_UUID_LEN + 1];
	struct store_activation a = { .registrations = 77 };
	int wrong, unknown;

	fx_activation(CODE, 1, FX_NOW + 60, 1, id);
	fx_activation(CODE, 1, FX_NOW + 10, 2, expired);
	fx_activation(CODE, 1, FX_NOW + 60, 3, full);
	cr_assert_eq(consume(full, CODE, FX_NOW), STORE_OK);

	wrong = store_activation_consume(fx_store(), id, OTHER_CODE, FX_NOW, &a);
	unknown = store_activation_consume(fx_store(), "6f1c9a52-3b1e-4c2f-9d4e-0a1b2c3d4e5f",
					   CODE, FX_NOW, &a);
	cr_assert_eq(wrong, STORE_NOT_FOUND);
	cr_assert_eq(unknown, STORE_NOT_FOUND);
	cr_assert_eq(a.registrations, 77, "nothing is reported on refusal");
	cr_assert_eq(registrations(id), 0);
	/* a wrong code does not reveal that an activation expired or is used up */
	cr_assert_eq(consume(expired, OTHER_CODE, FX_NOW + 20), STORE_NOT_FOUND);
	cr_assert_eq(consume(full, OTHER_CODE, FX_NOW), STORE_NOT_FOUND);
	/* the right code still works afterwards */
	cr_assert_eq(consume(id, CODE, FX_NOW), STORE_OK);
}

Test(store_activations, malformed_codes_and_ids_are_not_found)
{
	char id[STORE_UUID_LEN + 1], longcode[STORE_ACTIVATION_CODE_MAX + 2];

	memset(longcode, 'x', sizeof(longcode) - 1);
	longcode[sizeof(longcode) - 1] = '\0';
	fx_activation(CODE, 1, FX_NOW + 60, 1, id);
	cr_assert_eq(consume(id, NULL, FX_NOW), STORE_NOT_FOUND);
	cr_assert_eq(consume(id, "", FX_NOW), STORE_NOT_FOUND);
	cr_assert_eq(consume(id, "k3Jd9Qx2LmN8pR4tV6w", FX_NOW), STORE_NOT_FOUND);
	cr_assert_eq(consume(id, longcode, FX_NOW), STORE_NOT_FOUND);
	cr_assert_eq(consume(NULL, CODE, FX_NOW), STORE_NOT_FOUND);
	cr_assert_eq(consume("", CODE, FX_NOW), STORE_NOT_FOUND);
	cr_assert_eq(consume("not-a-uuid-but-much-longer-than-thirty-six", CODE, FX_NOW),
		     STORE_NOT_FOUND);
	cr_assert_eq(registrations(id), 0);
}

Test(store_activations, create_checks_its_arguments)
{
	struct store_activation_new n = {
		.iam_role = "r", .registration_limit = 1, .expires = FX_NOW + 60,
	};
	char shortcode[STORE_ACTIVATION_CODE_MIN], longcode[STORE_ACTIVATION_CODE_MAX + 2];
	char role[STORE_IAM_ROLE_MAX + 2];
	uint8_t rnd[STORE_ACTIVATION_RANDOM_BYTES];
	char id[STORE_UUID_LEN + 1];

	memset(shortcode, 'x', sizeof(shortcode) - 1);
	shortcode[sizeof(shortcode) - 1] = '\0';
	memset(longcode, 'x', sizeof(longcode) - 1);
	longcode[sizeof(longcode) - 1] = '\0';
	memset(role, 'r', sizeof(role) - 1);
	role[sizeof(role) - 1] = '\0';
	fx_random(rnd, sizeof(rnd), 1);

#define REFUSED(field, value, code)                                                        \
	do {                                                                               \
		struct store_activation_new m = n;                                         \
		m.field = value;                                                           \
		cr_assert_eq(store_activation_create(fx_store(), &m, code, rnd, FX_NOW, id), \
			     STORE_ERROR, #field " = " #value);                            \
		cr_assert_neq(store_errmsg(fx_store())[0], '\0');                          \
	} while (0)
	REFUSED(registration_limit, 0, CODE);
	REFUSED(registration_limit, STORE_REGISTRATION_LIMIT_MAX + 1, CODE);
	REFUSED(expires, FX_NOW, CODE);
	REFUSED(iam_role, NULL, CODE);
	REFUSED(iam_role, "", CODE);
	REFUSED(iam_role, role, CODE);
	REFUSED(iam_role, "r", shortcode);
	REFUSED(iam_role, "r", longcode);
	REFUSED(iam_role, "r", NULL);
#undef REFUSED

	cr_assert_eq(store_activation_create(fx_store(), &n, CODE, rnd, FX_NOW, id), STORE_OK);
	cr_assert_eq(store_activation_create(fx_store(), &n, CODE, rnd, FX_NOW, id),
		     STORE_CONFLICT, "the same bytes make the same id");
}
