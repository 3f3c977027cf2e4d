/*
 * control_backoff.h — how long the agent waits before reconnecting its
 * control channel: exponential backoff with full jitter.
 *
 *   ceiling(n) = min(CAP, BASE * FACTOR^n)     n = failures in a row, from 0
 *   delay(n)   = uniform in [FLOOR, ceiling(n)]
 *
 * BASE 1 s, FACTOR 2, CAP 30 s. "Full jitter" draws from the whole range
 * rather than around the ceiling, so agents cut off together do not return
 * together; the 100 ms floor keeps a run of unlucky draws from becoming a
 * busy loop. Pure: the random value is an argument.
 */
#ifndef POSTERN_CONTROL_BACKOFF_H
#define POSTERN_CONTROL_BACKOFF_H

#include <stdint.h>

#define CONTROL_BACKOFF_BASE_MS 1000u
#define CONTROL_BACKOFF_FACTOR 2u
#define CONTROL_BACKOFF_CAP_MS 30000u
#define CONTROL_BACKOFF_FLOOR_MS 100u

/* ceiling(failures) in milliseconds (never above CAP, never overflows). */
uint32_t control_backoff_ceiling_ms(unsigned failures);

/* The delay before the next attempt after `failures` failures in a row,
 * given a uniformly random 32-bit value. Always in [FLOOR, ceiling]. */
uint32_t control_backoff_delay_ms(unsigned failures, uint32_t random);

#endif
