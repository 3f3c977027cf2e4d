/*
 * test_store_instances.c — managed instances and revoked certificates
 * (broker/store_instances.c).
 *
 * Covers: register and get (id "mi-" + 17 hex from the caller's bytes, the
 * IAM role joined from the activation); register's conflicts and unknown
 * activation; hello, ping, online/offline across brokers; PingStatus by
 * threshold; certificate replacement revoking the old serial; deregistration
 * (serial returned, revocation checkable, the instance gone from every other
 * call, its serial never reusable); listing: paging through every instance
 * exactly once, the InstanceIds and PingStatus filters, deregistered
 * instances left out; malformed, altered and foreign NextTokens refused,
 * and a hand-made token only moves the start of the listing.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "../../broker/store_impl.h"
#include "store_fixture.h"

TestSuite(store_instances, .init = fx_setup, .fini = fx_teardown);

#define CODE "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

static struct store_instance get(const char *id)
{
	struct store_instance in;

	cr_assert_eq(store_instance_get(fx_store(), id, &in), STORE_OK, "%s", id);
	return in;
}

static bool revoked(const char *serial)
{
	bool r = false;

	cr_assert_eq(store_instance_cert_revoked(fx_store(), serial, &r), STORE_OK);
	return r;
}

/* Page through q, appending every id to ids (cap entries); the count. */
static size_t list_all(struct store_instance_query q, char ids[][STORE_INSTANCE_ID_LEN + 1],
		       size_t cap)
{
	char token[STORE_NEXT_TOKEN_MAX + 1] = "";
	size_t n = 0;

	do {
		struct store_instance_page page;
		int rc;

		q.next_token = token;
		rc = store_instance_list(fx_store(), &q, &page);
		cr_assert_eq(rc, STORE_OK, "%s: %s", store_status_str(rc), store_errmsg(fx_store()));
		cr_assert_leq(page.count, q.max_results);
		for (size_t i = 0; i < page.count; i++) {
			cr_assert_lt(n, cap);
			memcpy(ids[n++], page.items[i].id, STORE_INSTANCE_ID_LEN + 1);
		}
		cr_assert(page.next_token[0] == '\0' || page.count == q.max_results);
		memcpy(token, page.next_token, sizeof(token));
		store_instance_page_free(&page);
	} while (token[0]);
	return n;
}

Test(store_instances, register_and_get)
{
	struct store_instance_new n = { .name = "db-1", .cert_serial = "7f01" };
	uint8_t rnd[STORE_ID_RANDOM_BYTES] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x0f };
	char act[STORE_UUID_LEN + 1], id[STORE_INSTANCE_ID_LEN + 1];
	struct store_instance in;

	fx_activation(CODE, 2, FX_NOW + 60, 1, act);
	n.activation_id = act;
	cr_assert_eq(store_instance_register(fx_store(), &n, rnd, FX_NOW, id), STORE_OK, "%s",
		     store_errmsg(fx_store()));
	cr_assert_str_eq(id, "mi-0123456789abcdef0");
	in = get(id);
	cr_assert_str_eq(in.id, id);
	cr_assert_str_eq(in.activation_id, act);
	cr_assert_str_eq(in.iam_role, "postern-agent");
	cr_assert_str_eq(in.name, "db-1");
	cr_assert_str_eq(in.cert_serial, "7f01");
	cr_assert_eq(in.registered_at, FX_NOW);
	cr_assert_eq(in.last_ping, 0);
	cr_assert_str_eq(in.agent_version, "");
	cr_assert_not(in.online);
	cr_assert_str_eq(in.broker_id, "");
}

Test(store_instances, register_without_activation_or_serial)
{
	char id[STORE_INSTANCE_ID_LEN + 1];
	struct store_instance in;

	fx_instance(NULL, NULL, 1, id);
	in = get(id);
	cr_assert_str_eq(in.activation_id, "");
	cr_assert_str_eq(in.iam_role, "");
	cr_assert_str_eq(in.cert_serial, "");
}

Test(store_instances, register_conflicts_and_unknown_activation)
{
	struct store_instance_new n = { .cert_serial = "aa" };
	uint8_t rnd[STORE_ID_RANDOM_BYTES];
	char id[STORE_INSTANCE_ID_LEN + 1], other[STORE_INSTANCE_ID_LEN + 1];
	char longname[STORE_INSTANCE_NAME_MAX + 2];

	fx_random(rnd, sizeof(rnd), 1);
	cr_assert_eq(store_instance_register(fx_store(), &n, rnd, FX_NOW, id), STORE_OK);
	n.cert_serial = "bb";
	cr_assert_eq(store_instance_register(fx_store(), &n, rnd, FX_NOW, other), STORE_CONFLICT,
		     "same bytes, same id");
	fx_random(rnd, sizeof(rnd), 2);
	n.cert_serial = "aa";
	cr_assert_eq(store_instance_register(fx_store(), &n, rnd, FX_NOW, other), STORE_CONFLICT,
		     "serial in use");
	n.cert_serial = "bb";
	n.activation_id = "6f1c9a52-3b1e-4c2f-9d4e-0a1b2c3d4e5f";
	cr_assert_eq(store_instance_register(fx_store(), &n, rnd, FX_NOW, other), STORE_NOT_FOUND);
	n.activation_id = NULL;
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	n.name = longname;
	cr_assert_eq(store_instance_register(fx_store(), &n, rnd, FX_NOW, other), STORE_ERROR);
}

Test(store_instances, hello_records_what_the_agent_reports)
{
	struct store_instance_hello h = {
		.agent_version = "3.3.40.0",
		.platform_type = "Linux",
		.platform_name = "Debian GNU/Linux",
		.platform_version = "12",
		.hostname = "db-1.internal",
		.ip_address = "10.0.0.7",
	};
	char id[STORE_INSTANCE_ID_LEN + 1];
	struct store_instance in;

	fx_instance(NULL, NULL, 1, id);
	cr_assert_eq(store_instance_hello(fx_store(), id, &h, FX_NOW + 5), STORE_OK);
	in = get(id);
	cr_assert_str_eq(in.agent_version, "3.3.40.0");
	cr_assert_str_eq(in.platform_type, "Linux");
	cr_assert_str_eq(in.platform_name, "Debian GNU/Linux");
	cr_assert_str_eq(in.platform_version, "12");
	cr_assert_str_eq(in.hostname, "db-1.internal");
	cr_assert_str_eq(in.ip_address, "10.0.0.7");
	cr_assert_eq(in.last_ping, FX_NOW + 5);
	h.ip_address = NULL;
	cr_assert_eq(store_instance_hello(fx_store(), id, &h, FX_NOW + 6), STORE_OK);
	cr_assert_str_eq(get(id).ip_address, "");
	cr_assert_eq(store_instance_hello(fx_store(), "mi-00000000000000000", &h, FX_NOW),
		     STORE_NOT_FOUND);
}

Test(store_instances, ping_and_ping_status)
{
	char id[STORE_INSTANCE_ID_LEN + 1];
	struct store_instance in;

	fx_instance(NULL, NULL, 1, id);
	in = get(id);
	cr_assert_eq(store_instance_ping_status(&in, FX_NOW, 300), STORE_PING_CONNECTION_LOST,
		     "never pinged");
	cr_assert_eq(store_instance_ping(fx_store(), id, FX_NOW + 100), STORE_OK);
	in = get(id);
	cr_assert_eq(in.last_ping, FX_NOW + 100);
	cr_assert_eq(store_instance_ping_status(&in, FX_NOW + 400, 300), STORE_PING_ONLINE);
	cr_assert_eq(store_instance_ping_status(&in, FX_NOW + 401, 300),
		     STORE_PING_CONNECTION_LOST);
	cr_assert_eq(store_instance_ping(fx_store(), "mi-00000000000000000", FX_NOW),
		     STORE_NOT_FOUND);
	cr_assert_eq(store_instance_ping(fx_store(), "i-0123", FX_NOW), STORE_NOT_FOUND);
}

Test(store_instances, online_and_offline_across_brokers)
{
	char id[STORE_INSTANCE_ID_LEN + 1];
	struct store_instance in;

	fx_instance(NULL, NULL, 1, id);
	cr_assert_eq(store_instance_set_online(fx_store(), id, "broker-a", FX_NOW + 1), STORE_OK);
	in = get(id);
	cr_assert(in.online);
	cr_assert_str_eq(in.broker_id, "broker-a");
	cr_assert_eq(in.last_ping, FX_NOW + 1);
	/* the agent reconnects to broker b before a notices it left */
	cr_assert_eq(store_instance_set_online(fx_store(), id, "broker-b", FX_NOW + 2), STORE_OK);
	cr_assert_eq(store_instance_set_offline(fx_store(), id, "broker-a"), STORE_CONFLICT);
	in = get(id);
	cr_assert(in.online);
	cr_assert_str_eq(in.broker_id, "broker-b");
	cr_assert_eq(store_instance_set_offline(fx_store(), id, "broker-b"), STORE_OK);
	in = get(id);
	cr_assert_not(in.online);
	cr_assert_str_eq(in.broker_id, "");
	cr_assert_eq(store_instance_set_offline(fx_store(), id, "broker-b"), STORE_OK,
		     "offline twice is harmless");
	cr_assert_eq(store_instance_set_online(fx_store(), id, "", FX_NOW), STORE_ERROR);
	cr_assert_eq(store_instance_set_online(fx_store(), "mi-00000000000000000", "b", FX_NOW),
		     STORE_NOT_FOUND);
	cr_assert_eq(store_instance_set_offline(fx_store(), "mi-00000000000000000", "b"),
		     STORE_NOT_FOUND);
}

Test(store_instances, replacing_a_certificate_revokes_the_old_one)
{
	char id[STORE_INSTANCE_ID_LEN + 1], other[STORE_INSTANCE_ID_LEN + 1];

	fx_instance(NULL, NULL, 1, id);
	fx_instance(NULL, "cc", 2, other);
	cr_assert_eq(store_instance_set_cert(fx_store(), id, "aa", FX_NOW), STORE_OK);
	cr_assert_str_eq(get(id).cert_serial, "aa");
	cr_assert_not(revoked("aa"));
	cr_assert_eq(store_instance_set_cert(fx_store(), id, "aa", FX_NOW), STORE_OK,
		     "same serial again changes nothing");
	cr_assert_not(revoked("aa"));
	cr_assert_eq(store_instance_set_cert(fx_store(), id, "bb", FX_NOW), STORE_OK);
	cr_assert_str_eq(get(id).cert_serial, "bb");
	cr_assert(revoked("aa"));
	cr_assert_eq(store_instance_set_cert(fx_store(), id, "aa", FX_NOW), STORE_CONFLICT,
		     "a revoked serial never comes back");
	cr_assert_eq(store_instance_set_cert(fx_store(), id, "cc", FX_NOW), STORE_CONFLICT,
		     "another instance's serial");
	cr_assert_str_eq(get(id).cert_serial, "bb");
	cr_assert_eq(store_instance_set_cert(fx_store(), id, "", FX_NOW), STORE_ERROR);
	cr_assert_eq(store_instance_set_cert(fx_store(), "mi-00000000000000000", "dd", FX_NOW),
		     STORE_NOT_FOUND);
}

Test(store_instances, deregistration_revokes_and_hides)
{
	char act[STORE_UUID_LEN + 1], id[STORE_INSTANCE_ID_LEN + 1];
	char serial[STORE_CERT_SERIAL_MAX + 1] = "x", other[STORE_INSTANCE_ID_LEN + 1];
	struct store_instance_hello h = { .agent_version = "1.0.0" };
	struct store_instance in;

	fx_activation(CODE, 2, FX_NOW + 60, 1, act);
	fx_instance(act, "0123456789abcdef0123456789abcdef01234567", 1, id);
	cr_assert_eq(store_instance_set_online(fx_store(), id, "broker-a", FX_NOW), STORE_OK);
	cr_assert_not(revoked("0123456789abcdef0123456789abcdef01234567"));

	cr_assert_eq(store_instance_deregister(fx_store(), id, FX_NOW + 1, serial), STORE_OK);
	cr_assert_str_eq(serial, "0123456789abcdef0123456789abcdef01234567");
	cr_assert(revoked(serial));
	cr_assert_not(revoked("0123456789abcdef0123456789abcdef01234568"));
	fx_reopen();
	cr_assert(revoked(serial), "revocation is durable");

	cr_assert_eq(store_instance_get(fx_store(), id, &in), STORE_NOT_FOUND);
	cr_assert_eq(store_instance_deregister(fx_store(), id, FX_NOW, serial), STORE_NOT_FOUND);
	cr_assert_eq(store_instance_ping(fx_store(), id, FX_NOW), STORE_NOT_FOUND);
	cr_assert_eq(store_instance_hello(fx_store(), id, &h, FX_NOW), STORE_NOT_FOUND);
	cr_assert_eq(store_instance_set_online(fx_store(), id, "b", FX_NOW), STORE_NOT_FOUND);
	cr_assert_eq(store_instance_set_cert(fx_store(), id, "ee", FX_NOW), STORE_NOT_FOUND);

	/* the serial can never be given to anyone again */
	{
		struct store_instance_new n = { .cert_serial = serial };
		uint8_t rnd[STORE_ID_RANDOM_BYTES];

		fx_random(rnd, sizeof(rnd), 9);
		cr_assert_eq(store_instance_register(fx_store(), &n, rnd, FX_NOW, other),
			     STORE_CONFLICT);
	}
}

Test(store_instances, deregistering_without_a_certificate)
{
	char id[STORE_INSTANCE_ID_LEN + 1], serial[STORE_CERT_SERIAL_MAX + 1] = "x";
	bool r = true;

	fx_instance(NULL, NULL, 1, id);
	cr_assert_eq(store_instance_deregister(fx_store(), id, FX_NOW, serial), STORE_OK);
	cr_assert_str_eq(serial, "");
	cr_assert_eq(store_instance_cert_revoked(fx_store(), "", &r), STORE_ERROR);
	cr_assert_eq(store_instance_deregister(fx_store(), "bogus", FX_NOW, serial),
		     STORE_NOT_FOUND);
}

Test(store_instances, paging_returns_every_instance_once_in_id_order)
{
	char ids[23][STORE_INSTANCE_ID_LEN + 1], got[30][STORE_INSTANCE_ID_LEN + 1];
	size_t n;

	for (uint32_t i = 0; i < 23; i++)
		fx_instance(NULL, NULL, i, ids[i]);
	n = list_all((struct store_instance_query){ .max_results = 5 }, got, 30);
	cr_assert_eq(n, 23);
	for (size_t i = 1; i < n; i++)
		cr_assert_lt(strcmp(got[i - 1], got[i]), 0, "ascending, no repeats");
	for (size_t i = 0; i < 23; i++) {
		bool found = false;

		for (size_t j = 0; j < n && !found; j++)
			found = strcmp(ids[i], got[j]) == 0;
		cr_assert(found, "%s listed", ids[i]);
	}
	/* a page size that divides the count exactly: no empty last page */
	cr_assert_eq(list_all((struct store_instance_query){ .max_results = 23 }, got, 30), 23);
	cr_assert_eq(list_all((struct store_instance_query){ .max_results = 1 }, got, 30), 23);
}

Test(store_instances, list_filters_by_ids_and_ping_status)
{
	char ids[6][STORE_INSTANCE_ID_LEN + 1], got[10][STORE_INSTANCE_ID_LEN + 1];
	char serial[STORE_CERT_SERIAL_MAX + 1];
	struct store_instance_query q = { .max_results = 2, .now = FX_NOW + 1000,
					  .ping_threshold = 300 };
	const char *want[4];

	for (uint32_t i = 0; i < 6; i++)
		fx_instance(NULL, NULL, i, ids[i]);
	/* 0, 1 online; 2 lost (old ping); 3 never pinged; 4, 5 online but 5 deregistered */
	cr_assert_eq(store_instance_ping(fx_store(), ids[0], FX_NOW + 900), STORE_OK);
	cr_assert_eq(store_instance_ping(fx_store(), ids[1], FX_NOW + 700), STORE_OK);
	cr_assert_eq(store_instance_ping(fx_store(), ids[2], FX_NOW + 699), STORE_OK);
	cr_assert_eq(store_instance_ping(fx_store(), ids[4], FX_NOW + 999), STORE_OK);
	cr_assert_eq(store_instance_ping(fx_store(), ids[5], FX_NOW + 999), STORE_OK);
	cr_assert_eq(store_instance_deregister(fx_store(), ids[5], FX_NOW, serial), STORE_OK);

	cr_assert_eq(list_all(q, got, 10), 5, "deregistered instances are not listed");
	q.ping_mask = 1u << STORE_PING_ONLINE;
	cr_assert_eq(list_all(q, got, 10), 3);
	q.ping_mask = 1u << STORE_PING_CONNECTION_LOST;
	cr_assert_eq(list_all(q, got, 10), 2);
	q.ping_mask = 1u << STORE_PING_ONLINE | 1u << STORE_PING_CONNECTION_LOST;
	cr_assert_eq(list_all(q, got, 10), 5);

	want[0] = ids[0];
	want[1] = "mi-NOT-AN-ID";
	want[2] = ids[2];
	want[3] = ids[5];
	q.instance_ids = want;
	q.n_instance_ids = 4;
	q.ping_mask = 0;
	cr_assert_eq(list_all(q, got, 10), 2, "malformed and deregistered ids match nothing");
	q.ping_mask = 1u << STORE_PING_ONLINE;
	cr_assert_eq(list_all(q, got, 10), 1);
	cr_assert_str_eq(got[0], ids[0]);
	q.n_instance_ids = 2;
	q.instance_ids = (const char *const[]){ "mi-NOT-AN-ID", "\"],[" };
	cr_assert_eq(list_all(q, got, 10), 0);
}

Test(store_instances, bad_next_tokens_are_refused)
{
	char ids[4][STORE_INSTANCE_ID_LEN + 1], token[STORE_NEXT_TOKEN_MAX + 1];
	struct store_instance_query q = { .max_results = 2 };
	struct store_instance_page page;
	static const char *const garbage[] = {
		"x", "AAAA", "bm90IGEgdG9rZW4=", "!!!!", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
	};

	for (uint32_t i = 0; i < 4; i++)
		fx_instance(NULL, NULL, i, ids[i]);
	cr_assert_eq(store_instance_list(fx_store(), &q, &page), STORE_OK);
	cr_assert_neq(page.next_token[0], '\0');
	memcpy(token, page.next_token, sizeof(token));
	store_instance_page_free(&page);

	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		q.next_token = garbage[i];
		cr_assert_eq(store_instance_list(fx_store(), &q, &page), STORE_BAD_TOKEN, "%s",
			     garbage[i]);
		cr_assert_eq(page.count, 0);
		cr_assert_null(page.items);
	}
	/* every single-character change of a real token */
	for (size_t i = 0; token[i]; i++) {
		char forged[STORE_NEXT_TOKEN_MAX + 1];

		memcpy(forged, token, sizeof(forged));
		forged[i] = forged[i] == 'A' ? 'B' : 'A';
		q.next_token = forged;
		cr_assert_eq(store_instance_list(fx_store(), &q, &page), STORE_BAD_TOKEN,
			     "position %zu", i);
	}
	/* the real token, but with other filters */
	q.next_token = token;
	q.ping_mask = 1u << STORE_PING_ONLINE;
	cr_assert_eq(store_instance_list(fx_store(), &q, &page), STORE_BAD_TOKEN);
	q.ping_mask = 0;
	cr_assert_eq(store_instance_list(fx_store(), &q, &page), STORE_OK);
	cr_assert_eq(page.count, 2);
	store_instance_page_free(&page);
}

Test(store_instances, list_checks_max_results)
{
	struct store_instance_page page;
	struct store_instance_query q = { .max_results = 0 };

	cr_assert_eq(store_instance_list(fx_store(), &q, &page), STORE_ERROR);
	q.max_results = STORE_PAGE_MAX + 1;
	cr_assert_eq(store_instance_list(fx_store(), &q, &page), STORE_ERROR);
	q.max_results = STORE_PAGE_MAX;
	cr_assert_eq(store_instance_list(fx_store(), &q, &page), STORE_OK);
	cr_assert_eq(page.count, 0);
	cr_assert_str_eq(page.next_token, "");
	store_instance_page_free(&page);
}

/* A token written by hand with the store's own codec: the fingerprint of a
 * query with no filters (see query_fingerprint in store_instances.c). */
static void handmade_token(const char *id, char out[STORE_NEXT_TOKEN_MAX + 1])
{
	struct store__cursor c = { .kind = 'I' };
	struct store__query_hash qh;

	cr_assert_eq(store__qh_init(fx_store(), &qh, 'I'), STORE_OK);
	store__qh_i64(&qh, false, 0);
	store__qh_i64(&qh, false, 0);
	cr_assert_eq(store__qh_final(fx_store(), &qh, c.query), STORE_OK);
	snprintf(c.id, sizeof(c.id), "%s", id);
	cr_assert_eq(store__cursor_encode(fx_store(), &c, out), STORE_OK);
}

Test(store_instances, a_handmade_token_is_only_a_position)
{
	char ids[3][STORE_INSTANCE_ID_LEN + 1], token[STORE_NEXT_TOKEN_MAX + 1];
	struct store_instance_query q = { .max_results = 10, .next_token = token };
	struct store_instance_page page;

	for (uint32_t i = 0; i < 3; i++)
		fx_instance(NULL, NULL, i, ids[i]);
	/* well formed: the listing starts after that id, filters still apply */
	handmade_token("mi-00000000000000000", token);
	cr_assert_eq(store_instance_list(fx_store(), &q, &page), STORE_OK);
	cr_assert_eq(page.count, 3);
	store_instance_page_free(&page);
	/* an id no instance can have is refused, not an internal error */
	handmade_token("mi-0000000000000000000000000000000000000", token);
	cr_assert_eq(store_instance_list(fx_store(), &q, &page), STORE_BAD_TOKEN);
}
