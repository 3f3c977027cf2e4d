/*
 * bench_timing.h — the timing loop the C benchmarks share: run a function in
 * doubling batches until BENCH_TARGET_SECONDS have passed and report seconds
 * per iteration. Header-only: each benchmark is one translation unit.
 */
#ifndef POSTERN_BENCH_TIMING_H
#define POSTERN_BENCH_TIMING_H

#include <stddef.h>
#include <time.h>

#define BENCH_TARGET_SECONDS 0.4

typedef void (*bench_fn)(void *ctx, size_t iterations);

static inline double bench_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seconds per iteration of fn, starting with batches of first_batch. */
static inline double bench_measure(bench_fn fn, void *ctx, size_t first_batch)
{
	size_t batch = first_batch, total = 0;
	double start = bench_now_s(), elapsed;

	do {
		fn(ctx, batch);
		total += batch;
		batch *= 2;
		elapsed = bench_now_s() - start;
	} while (elapsed < BENCH_TARGET_SECONDS);
	return elapsed / (double)total;
}

#endif
