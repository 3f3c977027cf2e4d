/*
 * test_agent_backoff.c — the control channel's reconnect schedule
 * (agent-side/control_backoff.c).
 *
 * Covers: the ceiling doubles from 1 s and stops at 30 s, and never
 * overflows however many failures; every delay lies in [100 ms, ceiling]
 * with the extremes reached by the extreme random values; the draw is spread
 * over the whole range (full jitter), not bunched at the ceiling; the
 * schedule never asks for zero (no busy loop).
 */
#include <criterion/criterion.h>

#include <stdint.h>

#include "../../agent-side/control_backoff.h"

Test(agent_backoff, ceiling_doubles_to_the_cap)
{
	static const uint32_t want[] = {1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};

	for (unsigned n = 0; n < sizeof(want) / sizeof(want[0]); n++)
		cr_assert_eq(control_backoff_ceiling_ms(n), want[n], "failures %u", n);
	cr_assert_eq(control_backoff_ceiling_ms(64), 30000u);
	cr_assert_eq(control_backoff_ceiling_ms(1000000u), 30000u);
	cr_assert_eq(control_backoff_ceiling_ms(UINT32_MAX), 30000u, "no overflow");
}

Test(agent_backoff, extremes_of_the_random_value)
{
	for (unsigned n = 0; n < 40; n++) {
		cr_assert_eq(control_backoff_delay_ms(n, 0), CONTROL_BACKOFF_FLOOR_MS);
		cr_assert_eq(control_backoff_delay_ms(n, UINT32_MAX), control_backoff_ceiling_ms(n),
			     "failures %u", n);
	}
}

Test(agent_backoff, every_delay_within_bounds)
{
	uint32_t x = 2463534242u; /* xorshift32: deterministic "random" values */

	for (unsigned n = 0; n < 12; n++) {
		for (int i = 0; i < 20000; i++) {
			uint32_t d;

			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			d = control_backoff_delay_ms(n, x);
			cr_assert_geq(d, CONTROL_BACKOFF_FLOOR_MS);
			cr_assert_leq(d, control_backoff_ceiling_ms(n));
			cr_assert_leq(d, CONTROL_BACKOFF_CAP_MS);
		}
	}
}

Test(agent_backoff, full_jitter_spreads_over_the_range)
{
	unsigned buckets[10] = {0};
	uint32_t ceiling = control_backoff_ceiling_ms(5), span = ceiling - CONTROL_BACKOFF_FLOOR_MS;

	/* random values evenly spaced over 32 bits land evenly over the range */
	for (uint32_t i = 0; i < 10000; i++) {
		uint32_t d = control_backoff_delay_ms(5, (uint32_t)(((uint64_t)i << 32) / 10000));
		unsigned b = (unsigned)((uint64_t)(d - CONTROL_BACKOFF_FLOOR_MS) * 10 / (span + 1));

		buckets[b]++;
	}
	for (int b = 0; b < 10; b++)
		cr_assert(buckets[b] >= 990 && buckets[b] <= 1010, "bucket %d holds %u", b,
			  buckets[b]);
	/* the middle of the random range is the middle of the delay range */
	cr_assert_eq(control_backoff_delay_ms(0, UINT32_C(1) << 31),
		     CONTROL_BACKOFF_FLOOR_MS + (1000 - CONTROL_BACKOFF_FLOOR_MS + 1) / 2);
}
