/*
 * test_rstream_sim.c — the reliable stream end to end over a seeded simulated
 * network that drops, duplicates and reorders frames (each at least 10%), for
 * thousands of seeds: both directions must deliver exactly the bytes sent, in
 * order, while every buffer stays within its configured bound.
 *
 * The simulation is event driven on a fake clock: frames in flight carry a
 * delivery time; the loop jumps to the next delivery or resend tick, lets each
 * side send as much of its data as its window allows, and stops when both sides
 * have everything and nothing is unacknowledged. SIM_SEEDS in the environment
 * overrides the seed count (the sanitizer run uses fewer).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "proto_err.h"
#include "rstream_harness.h"

#define T0 1700000000000ull
#define DEFAULT_SEEDS 5000
#define BYTES_EACH_WAY 24000
#define SIM_TIME_LIMIT_MS (30u * 60u * 1000u)

/* What the network did, summed over seeds, so the test can show it was lossy. */
struct net_counts {
	uint64_t frames, dropped, duplicated, delayed, resent;
};

struct packet {
	uint64_t at;
	struct endpoint *to;
	uint8_t *buf;
	size_t len;
};

struct sim {
	uint64_t rng, now;
	struct endpoint side[2];
	struct endpoint *peer_of[2];
	struct packet *inflight;
	size_t n_inflight, cap_inflight;
	uint8_t *source[2];
	size_t offset[2];
	struct rstream_config cfg;
	unsigned drop_pct, dup_pct, reorder_pct;
	struct net_counts *counts;
};

static unsigned pct(struct sim *s)
{
	return (unsigned)(harness_rand(&s->rng) % 100);
}

static void enqueue(struct sim *s, struct endpoint *to, const uint8_t *buf, size_t len)
{
	struct packet *p;
	uint64_t delay = 2 + harness_rand(&s->rng) % 20;

	if (pct(s) < s->reorder_pct) {
		delay += 5 + harness_rand(&s->rng) % 120;
		s->counts->delayed++;
	}
	if (s->n_inflight == s->cap_inflight) {
		s->cap_inflight = s->cap_inflight ? s->cap_inflight * 2 : 256;
		s->inflight = realloc(s->inflight, s->cap_inflight * sizeof(*s->inflight));
		cr_assert_not_null(s->inflight);
	}
	p = &s->inflight[s->n_inflight++];
	p->at = s->now + delay;
	p->to = to;
	p->buf = malloc(len);
	cr_assert_not_null(p->buf);
	memcpy(p->buf, buf, len);
	p->len = len;
}

static void network(void *ctx, struct endpoint *from, const uint8_t *buf, size_t len)
{
	struct sim *s = ctx;
	struct endpoint *to = s->peer_of[from == &s->side[1]];

	s->counts->frames++;
	if (pct(s) < s->drop_pct) {
		s->counts->dropped++;
		return;
	}
	enqueue(s, to, buf, len);
	if (pct(s) < s->dup_pct) {
		s->counts->duplicated++;
		enqueue(s, to, buf, len);
	}
}

static void check_bounds(struct sim *s)
{
	for (int i = 0; i < 2; i++) {
		struct rstream_stats st;

		rstream_get_stats(s->side[i].rs, &st);
		cr_assert_leq(st.unacked_bytes, s->cfg.send_window_bytes);
		cr_assert_leq(st.unacked_msgs, s->cfg.send_window_msgs);
		cr_assert_leq(st.buffered_bytes, s->cfg.recv_buffer_bytes);
		cr_assert_leq(st.buffered_msgs, s->cfg.recv_buffer_msgs);
	}
}

/* Send as much of side i's data as its window takes, in random-sized pieces. */
static void pump(struct sim *s, int i)
{
	while (s->offset[i] < BYTES_EACH_WAY) {
		size_t want = 1 + harness_rand(&s->rng) % 1500;
		size_t left = BYTES_EACH_WAY - s->offset[i];
		int rc;

		if (want > left)
			want = left;
		rc = rstream_send(s->side[i].rs, PAYLOAD_OUTPUT, s->source[i] + s->offset[i],
				  want, s->now);
		if (rc == PROTO_E_WOULD_BLOCK)
			return;
		cr_assert_eq(rc, PROTO_OK, "send: %s", proto_err_str(rc));
		s->offset[i] += want;
	}
}

static bool done(struct sim *s)
{
	for (int i = 0; i < 2; i++)
		if (s->offset[i] < BYTES_EACH_WAY || s->side[i].got_len < BYTES_EACH_WAY ||
		    rstream_unacked(s->side[i].rs))
			return false;
	return true;
}

/* Deliver every packet due by now, in due order (ties in queue order). */
static void deliver_due(struct sim *s)
{
	for (;;) {
		size_t best = s->n_inflight;
		struct packet p;
		struct frame other;
		int rc;

		for (size_t k = 0; k < s->n_inflight; k++)
			if (s->inflight[k].at <= s->now &&
			    (best == s->n_inflight || s->inflight[k].at < s->inflight[best].at))
				best = k;
		if (best == s->n_inflight)
			return;
		p = s->inflight[best];
		memmove(&s->inflight[best], &s->inflight[best + 1],
			(s->n_inflight - best - 1) * sizeof(*s->inflight));
		s->n_inflight--;
		rc = rstream_input(p.to->rs, p.buf, p.len, s->now, &other);
		cr_assert(rc == RSTREAM_CONSUMED, "input: %d", rc);
		free(p.buf);
		check_bounds(s);
	}
}

static uint64_t next_event(struct sim *s, uint64_t next_tick)
{
	uint64_t t = next_tick;

	for (size_t k = 0; k < s->n_inflight; k++)
		if (s->inflight[k].at < t)
			t = s->inflight[k].at;
	return t;
}

static void run_seed(uint64_t seed, struct net_counts *counts)
{
	struct sim s = {.rng = seed * 7919 + 1, .now = T0, .counts = counts};
	uint64_t next_tick = T0 + RSTREAM_TICK_MS;

	/* small windows so the bounds are exercised, not just configured */
	s.cfg = (struct rstream_config){
		.send_window_bytes = 8192, .send_window_msgs = 32,
		.recv_buffer_bytes = 16384, .recv_buffer_msgs = 24,
		.max_resends = 100000,
	};
	s.drop_pct = 10 + seed % 6;
	s.dup_pct = 10 + seed % 5;
	s.reorder_pct = 10 + seed % 11;
	endpoint_init(&s.side[0], MSG_INPUT_STREAM_DATA, &s.cfg, seed);
	endpoint_init(&s.side[1], MSG_OUTPUT_STREAM_DATA, &s.cfg, ~seed);
	for (int i = 0; i < 2; i++) {
		s.side[i].on_transmit = network;
		s.side[i].hook_ctx = &s;
		s.source[i] = malloc(BYTES_EACH_WAY);
		cr_assert_not_null(s.source[i]);
		for (size_t k = 0; k < BYTES_EACH_WAY; k++)
			s.source[i][k] = (uint8_t)harness_rand(&s.rng);
	}
	s.peer_of[0] = &s.side[1];
	s.peer_of[1] = &s.side[0];

	while (!done(&s)) {
		cr_assert_lt(s.now - T0, SIM_TIME_LIMIT_MS, "seed %llu: no progress",
			     (unsigned long long)seed);
		pump(&s, 0);
		pump(&s, 1);
		s.now = next_event(&s, next_tick);
		deliver_due(&s);
		if (s.now >= next_tick) {
			for (int i = 0; i < 2; i++)
				cr_assert_eq(rstream_tick(s.side[i].rs, s.now), PROTO_OK);
			next_tick += RSTREAM_TICK_MS;
		}
	}
	for (int i = 0; i < 2; i++) {
		struct endpoint *rx = s.peer_of[i];

		cr_assert_eq(rx->got_len, BYTES_EACH_WAY);
		cr_assert_eq(memcmp(rx->got, s.source[i], BYTES_EACH_WAY), 0,
			     "seed %llu: direction %d corrupted", (unsigned long long)seed, i);
	}
	for (size_t k = 0; k < s.n_inflight; k++)
		free(s.inflight[k].buf);
	free(s.inflight);
	for (int i = 0; i < 2; i++) {
		struct rstream_stats st;

		rstream_get_stats(s.side[i].rs, &st);
		counts->resent += st.resent_msgs;
		free(s.source[i]);
		endpoint_fini(&s.side[i]);
	}
}

static unsigned seed_count(void)
{
	const char *env = getenv("SIM_SEEDS");
	char *end;
	unsigned long n;

	if (!env || !*env)
		return DEFAULT_SEEDS;
	n = strtoul(env, &end, 10);
	return (*end || n == 0 || n > 1000000) ? DEFAULT_SEEDS : (unsigned)n;
}

/* Run seeds [first, first + n) and show the network really misbehaved. */
static void run_part(unsigned part, unsigned parts)
{
	unsigned total = seed_count(), per = (total + parts - 1) / parts;
	unsigned first = 1 + part * per, last = first + per;
	struct net_counts c = {0};

	if (last > total + 1)
		last = total + 1;
	for (unsigned seed = first; seed < last; seed++)
		run_seed(seed, &c);
	if (first >= last)
		return;
	cr_assert_geq(c.dropped * 100, c.frames * 10, "drop rate under 10%%");
	cr_assert_geq(c.duplicated * 100, (c.frames - c.dropped) * 10, "dup rate under 10%%");
	cr_assert_geq(c.delayed * 100, c.frames * 10, "reorder rate under 10%%");
	cr_assert_gt(c.resent, 0);
	cr_log_info("seeds %u..%u: %llu frames, %llu dropped, %llu duplicated, "
		    "%llu reordered, %llu resent", first, last - 1,
		    (unsigned long long)c.frames, (unsigned long long)c.dropped,
		    (unsigned long long)c.duplicated, (unsigned long long)c.delayed,
		    (unsigned long long)c.resent);
}

/* Four parts so Criterion can spread the seeds over the machine's cores. */
#define SIM_PARTS 4
Test(rstream_sim, lossy_network_part_1, .timeout = 600) { run_part(0, SIM_PARTS); }
Test(rstream_sim, lossy_network_part_2, .timeout = 600) { run_part(1, SIM_PARTS); }
Test(rstream_sim, lossy_network_part_3, .timeout = 600) { run_part(2, SIM_PARTS); }
Test(rstream_sim, lossy_network_part_4, .timeout = 600) { run_part(3, SIM_PARTS); }
