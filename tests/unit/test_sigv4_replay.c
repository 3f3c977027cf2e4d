/*
 * test_sigv4_replay.c — the SigV4 replay cache (proto/sigv4_replay.c): a
 * signature is refused while its time is inside the window and forgotten
 * after; a full cache refuses rather than forget a live entry; its size
 * and memory never grow; and a long random run with colliding hashes
 * matches a plain list model decision for decision.
 */
#include <criterion/criterion.h>
#include <malloc.h>
#include <stdint.h>
#include <string.h>

#include "proto_err.h"
#include "sigv4.h"

#define T0 1700000000

/* A signature made from n; with `collide`, the bytes the index hashes take
 * only three values, so probe runs are long and deletions shift entries. */
static void make_sig(uint32_t n, bool collide, uint8_t sig[SIGV4_SIG_LEN])
{
	uint64_t x = n * UINT64_C(0x9e3779b97f4a7c15) + 1;

	for (size_t i = 0; i < SIGV4_SIG_LEN; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		sig[i] = (uint8_t)x;
	}
	if (collide)
		memset(sig, (int)(n % 3), 8);
}

static uint32_t rng_next(uint64_t *state)
{
	*state = *state * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return (uint32_t)(*state >> 33);
}

Test(sigv4_replay, same_signature_twice)
{
	struct sigv4_replay_cache c;
	uint8_t a[SIGV4_SIG_LEN], b[SIGV4_SIG_LEN];

	make_sig(1, false, a);
	make_sig(2, false, b);
	cr_assert_eq(sigv4_replay_init(&c, 16, 300), PROTO_OK);
	cr_assert_eq(sigv4_replay_check_and_add(&c, a, T0, T0), PROTO_OK);
	cr_assert_eq(sigv4_replay_check_and_add(&c, a, T0, T0), PROTO_E_AUTH_REPLAY);
	cr_assert_eq(sigv4_replay_check_and_add(&c, b, T0 - 300, T0), PROTO_OK);
	cr_assert_eq(sigv4_replay_count(&c), 2);
	/* remembered as long as sigv4_verify would accept it ... */
	cr_assert_eq(sigv4_replay_check_and_add(&c, a, T0, T0 + 300), PROTO_E_AUTH_REPLAY);
	/* ... after which the time check refuses it anyway */
	cr_assert_eq(sigv4_replay_check_and_add(&c, a, T0, T0 + 301), PROTO_E_AUTH_EXPIRED);
	cr_assert_eq(sigv4_replay_count(&c), 0);
	/* a time in the future lives until that time + skew */
	cr_assert_eq(sigv4_replay_check_and_add(&c, b, T0 + 300, T0), PROTO_OK);
	cr_assert_eq(sigv4_replay_check_and_add(&c, b, T0 + 300, T0 + 600), PROTO_E_AUTH_REPLAY);
	cr_assert_eq(sigv4_replay_check_and_add(&c, b, T0 + 300, T0 + 601), PROTO_E_AUTH_EXPIRED);
	cr_assert_eq(sigv4_replay_check_and_add(&c, b, T0 + 302, T0 + 1), PROTO_E_AUTH_EXPIRED);
	sigv4_replay_free(&c);
	sigv4_replay_free(&c);
}

Test(sigv4_replay, full_of_live_entries_refuses_instead_of_evicting)
{
	struct sigv4_replay_cache c;
	uint8_t sig[SIGV4_SIG_LEN];

	cr_assert_eq(sigv4_replay_init(&c, 8, 300), PROTO_OK);
	for (uint32_t i = 0; i < 8; i++) {
		make_sig(i, false, sig);
		cr_assert_eq(sigv4_replay_check_and_add(&c, sig, T0 + i, T0 + i), PROTO_OK);
	}
	make_sig(100, false, sig);
	cr_assert_eq(sigv4_replay_check_and_add(&c, sig, T0 + 8, T0 + 8), PROTO_E_AUTH_THROTTLED);
	make_sig(0, false, sig);
	cr_assert_eq(sigv4_replay_check_and_add(&c, sig, T0, T0 + 300), PROTO_E_AUTH_REPLAY);
	/* the oldest expires: exactly one slot frees */
	make_sig(100, false, sig);
	cr_assert_eq(sigv4_replay_check_and_add(&c, sig, T0 + 301, T0 + 301), PROTO_OK);
	cr_assert_eq(sigv4_replay_count(&c), 8);
	make_sig(101, false, sig);
	cr_assert_eq(sigv4_replay_check_and_add(&c, sig, T0 + 301, T0 + 301),
		     PROTO_E_AUTH_THROTTLED);
	make_sig(7, false, sig);
	cr_assert_eq(sigv4_replay_check_and_add(&c, sig, T0 + 7, T0 + 301), PROTO_E_AUTH_REPLAY);
	sigv4_replay_free(&c);
}

/* n requests per second for `seconds`, times spread over the window;
 * returns how many were throttled. Size and memory must not move. */
static size_t run_load(size_t capacity, unsigned skew, unsigned per_second, unsigned seconds)
{
	struct sigv4_replay_cache c;
	struct sigv4_replay_entry *ring;
	uint32_t *index;
	struct mallinfo2 before, after;
	uint8_t sig[SIGV4_SIG_LEN];
	size_t throttled = 0;
	uint32_t n = 0;

	cr_assert_eq(sigv4_replay_init(&c, capacity, skew), PROTO_OK);
	ring = c.ring;
	index = c.index;
	before = mallinfo2();
	for (time_t now = T0; now < T0 + seconds; now++) {
		for (unsigned k = 0; k < per_second; k++, n++) {
			time_t t = now - skew + (time_t)(n % (2 * skew + 1));
			int rc;

			make_sig(n, false, sig);
			rc = sigv4_replay_check_and_add(&c, sig, t, now);
			cr_assert(rc == PROTO_OK || rc == PROTO_E_AUTH_THROTTLED, "%d", rc);
			throttled += rc == PROTO_E_AUTH_THROTTLED;
			cr_assert_leq(sigv4_replay_count(&c), capacity);
		}
	}
	after = mallinfo2();
	cr_assert_eq(before.uordblks, after.uordblks);
	cr_assert_eq(c.ring, ring);
	cr_assert_eq(c.index, index);
	sigv4_replay_free(&c);
	return throttled;
}

Test(sigv4_replay, bounded_size_and_constant_memory)
{
	/* 3/s for 20 s of life fits 64 entries: nothing refused */
	cr_assert_eq(run_load(64, 10, 3, 2000), 0);
	/* 50/s does not: refused, never grown */
	cr_assert_gt(run_load(64, 10, 50, 2000), 0);
}

struct model_entry {
	uint32_t id;
	int64_t expires;
};

Test(sigv4_replay, matches_a_list_model_with_colliding_hashes)
{
	enum { CAP = 32, SKEW = 5, POOL = 100, STEPS = 50000 };
	struct model_entry model[CAP];
	size_t model_len = 0;
	struct sigv4_replay_cache c;
	uint64_t state = 42;
	time_t now = T0;
	size_t seen[4] = { 0 };

	cr_assert_eq(sigv4_replay_init(&c, CAP, SKEW), PROTO_OK);
	for (int step = 0; step < STEPS; step++) {
		uint32_t id = rng_next(&state) % POOL;
		time_t t = now - SKEW + rng_next(&state) % (2 * SKEW + 1);
		uint8_t sig[SIGV4_SIG_LEN];
		int want = PROTO_OK, rc;
		size_t i;

		now += rng_next(&state) % 3 == 0;
		if (t < now - SKEW)
			t = now - SKEW;
		while (model_len > 0 && model[0].expires < now)
			memmove(model, model + 1, --model_len * sizeof(model[0]));
		for (i = 0; i < model_len && model[i].id != id; i++)
			;
		if (i < model_len)
			want = PROTO_E_AUTH_REPLAY;
		else if (model_len == CAP)
			want = PROTO_E_AUTH_THROTTLED;
		else
			model[model_len++] = (struct model_entry){ id, (int64_t)t + SKEW };
		make_sig(id, true, sig);
		rc = sigv4_replay_check_and_add(&c, sig, t, now);
		cr_assert_eq(rc, want, "step %d: id %u", step, id);
		cr_assert_eq(sigv4_replay_count(&c), model_len, "step %d", step);
		seen[want == PROTO_OK ? 0 : want == PROTO_E_AUTH_REPLAY ? 1 : 2]++;
	}
	cr_assert(seen[0] > 1000 && seen[1] > 1000, "ok %zu replay %zu throttled %zu", seen[0],
		  seen[1], seen[2]);
	sigv4_replay_free(&c);
}

Test(sigv4_replay, arguments)
{
	struct sigv4_replay_cache c;
	uint8_t sig[SIGV4_SIG_LEN] = { 0 };

	cr_assert_eq(sigv4_replay_init(&c, 0, 300), PROTO_E_INVALID_ARG);
	cr_assert_eq(sigv4_replay_init(&c, 16, 0), PROTO_E_INVALID_ARG);
	cr_assert_eq(sigv4_replay_init(&c, ((size_t)1 << 24) + 1, 300), PROTO_E_INVALID_ARG);
	cr_assert_eq(sigv4_replay_init(NULL, 16, 300), PROTO_E_INVALID_ARG);
	cr_assert_eq(sigv4_replay_check_and_add(&c, sig, T0, T0), PROTO_E_INVALID_ARG);
	cr_assert_eq(sigv4_replay_count(&c), 0);
	cr_assert_eq(sigv4_replay_init(&c, 1, 300), PROTO_OK);
	cr_assert_eq(sigv4_replay_check_and_add(&c, NULL, T0, T0), PROTO_E_INVALID_ARG);
	cr_assert_eq(sigv4_replay_check_and_add(&c, sig, T0, (time_t)1 << 62), PROTO_E_AUTH_EXPIRED);
	cr_assert_eq(sigv4_replay_check_and_add(&c, sig, T0, ((time_t)1 << 62) + 1),
		     PROTO_E_INVALID_ARG);
	cr_assert_eq(sigv4_replay_check_and_add(&c, sig, T0, T0), PROTO_OK);
	sigv4_replay_free(&c);
	sigv4_replay_free(NULL);
}
