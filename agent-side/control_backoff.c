/*
 * control_backoff.c — the reconnect schedule (see control_backoff.h).
 */
#include "control_backoff.h"

uint32_t control_backoff_ceiling_ms(unsigned failures)
{
	uint64_t ceiling = CONTROL_BACKOFF_BASE_MS;

	for (unsigned i = 0; i < failures && ceiling < CONTROL_BACKOFF_CAP_MS; i++)
		ceiling *= CONTROL_BACKOFF_FACTOR;
	return ceiling < CONTROL_BACKOFF_CAP_MS ? (uint32_t)ceiling : CONTROL_BACKOFF_CAP_MS;
}

uint32_t control_backoff_delay_ms(unsigned failures, uint32_t random)
{
	uint64_t span = control_backoff_ceiling_ms(failures) - CONTROL_BACKOFF_FLOOR_MS + 1;

	/* scale rather than take a remainder: no modulo bias, all of [0, span) reached */
	return CONTROL_BACKOFF_FLOOR_MS + (uint32_t)(((uint64_t)random * span) >> 32);
}
