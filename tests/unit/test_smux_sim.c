/*
 * test_smux_sim.c — a client session and a server session wired back to back,
 * for many seeds, versions 1 and 2: the client opens dozens of streams, both
 * sides send random payloads on each (some empty, some far larger than a
 * window), half-close when done and close once both FINs are through, while
 * the bytes between the sessions move in random chunk sizes (one byte to a
 * few KiB). Every stream must deliver exactly the bytes sent, in order, in
 * both directions, and both sessions must end with no stream open.
 *
 * In version 2 the server's reader of one stream stalls: it takes that
 * stream's data but reports none of it consumed. Its sender must stop at
 * exactly the initial window, and every other stream must still complete;
 * then the reader catches up, on_writable wakes the sender and the stalled
 * stream completes too. That is what version 2 is for. SIM_SEEDS in the
 * environment overrides the number of seeds.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "proto_err.h"
#include "rstream_harness.h" /* harness_rand */
#include "smux.h"

#define STREAMS 48
#define DEFAULT_SEEDS 40
#define MAX_PAYLOAD 40000
#define STALLED_PAYLOAD (SMUX_V2_INITIAL_PEER_WINDOW + 150000)
#define STEP_LIMIT 200000

struct sim;

/* One stream as one side sees it. */
struct sstream {
	bool opened, fin_in, fin_out, closed;
	const uint8_t *tx;     /* what this side sends */
	size_t tx_len, tx_off;
	const uint8_t *want;   /* what it must receive: the other side's tx */
	size_t want_len, got;
	size_t unconsumed;     /* v2: received, not yet reported consumed */
	unsigned writable_calls;
};

struct side {
	struct sim *sim;
	struct smux *s;
	bool client;
	struct sstream st[STREAMS];
};

struct sim {
	uint64_t rng, seed;
	uint8_t version;
	struct side c, srv;
	uint8_t *payload[2][STREAMS]; /* [0] client → server, [1] server → client */
	size_t len[2][STREAMS];
	int stalled;                  /* index of the stalled stream, or -1 */
	bool stall_on;
	size_t opened;
};

static size_t index_of(uint32_t id)
{
	cr_assert(id >= 3 && id % 2 == 1 && (id - 3) / 2 < STREAMS, "unexpected id %u", id);
	return (id - 3) / 2;
}

static uint32_t id_of(size_t i)
{
	return 3 + 2 * (uint32_t)i;
}

static void maybe_close(struct side *sd, size_t i)
{
	struct sstream *st = &sd->st[i];

	if (st->fin_in && st->fin_out && !st->closed) {
		smux_close(sd->s, id_of(i));
		st->closed = true;
	}
}

static void on_open(void *ctx, uint32_t id)
{
	struct side *sd = ctx;
	size_t i = index_of(id);

	cr_assert(!sd->client);
	cr_assert(!sd->st[i].opened, "stream %u opened twice", id);
	sd->st[i].opened = true;
}

static bool is_stalled(const struct side *sd, size_t i)
{
	return !sd->client && sd->sim->stall_on && (int)i == sd->sim->stalled;
}

static void on_data(void *ctx, uint32_t id, const uint8_t *data, size_t len)
{
	struct side *sd = ctx;
	size_t i = index_of(id);
	struct sstream *st = &sd->st[i];

	cr_assert(st->opened && !st->fin_in && !st->closed);
	cr_assert_leq(st->got + len, st->want_len, "stream %u: too much data", id);
	cr_assert(memcmp(st->want + st->got, data, len) == 0, "stream %u: wrong bytes at %zu",
		  id, st->got);
	st->got += len;
	if (is_stalled(sd, i)) {
		st->unconsumed += len;
		cr_assert_leq(st->unconsumed, SMUX_V2_WINDOW);
	} else {
		smux_consumed(sd->s, id, len);
	}
}

static void on_fin(void *ctx, uint32_t id)
{
	struct side *sd = ctx;
	size_t i = index_of(id);

	cr_assert_eq(sd->st[i].got, sd->st[i].want_len, "stream %u: FIN before all data", id);
	sd->st[i].fin_in = true;
	maybe_close(sd, i);
}

static void on_writable(void *ctx, uint32_t id)
{
	struct side *sd = ctx;

	cr_assert_eq(sd->sim->version, 2);
	sd->st[index_of(id)].writable_calls++;
}

static void side_init(struct sim *sim, struct side *sd, bool client)
{
	static const struct smux_ops ops = {NULL, on_open, on_data, on_fin, on_writable};
	struct smux_config cfg = {.version = sim->version, .client = client};
	int dir = client ? 0 : 1;

	sd->sim = sim;
	sd->client = client;
	sd->s = smux_new(&cfg, &ops, sd);
	cr_assert_not_null(sd->s);
	for (size_t i = 0; i < STREAMS; i++) {
		sd->st[i].tx = sim->payload[dir][i];
		sd->st[i].tx_len = sim->len[dir][i];
		sd->st[i].want = sim->payload[!dir][i];
		sd->st[i].want_len = sim->len[!dir][i];
	}
}

/* Let one side send what it can on every open stream. */
static void side_write(struct side *sd)
{
	for (size_t i = 0; i < STREAMS; i++) {
		struct sstream *st = &sd->st[i];
		size_t n;
		long w;

		if (!st->opened || st->fin_out || st->closed)
			continue;
		n = 1 + harness_rand(&sd->sim->rng) % 9000;
		if (n > st->tx_len - st->tx_off)
			n = st->tx_len - st->tx_off;
		if (n) {
			w = smux_write(sd->s, id_of(i), st->tx + st->tx_off, n);
			cr_assert_geq(w, 0);
			st->tx_off += (size_t)w;
		}
		if (st->tx_off == st->tx_len) {
			cr_assert_eq(smux_shutdown(sd->s, id_of(i)), PROTO_OK);
			st->fin_out = true;
			maybe_close(sd, i);
		}
	}
}

/* Move a random amount, in random chunk sizes, from one session to the other. */
static void transfer(struct sim *sim, struct side *from, struct side *to)
{
	uint8_t buf[4096];
	size_t budget = harness_rand(&sim->rng) % 24000;

	while (budget && smux_pending(from->s)) {
		size_t max = harness_rand(&sim->rng) % 4 ? sizeof(buf) : 16; /* some tiny */
		size_t n = smux_take(from->s, buf, 1 + harness_rand(&sim->rng) % max);

		cr_assert_eq(smux_input(to->s, buf, n), PROTO_OK);
		budget = budget > n ? budget - n : 0;
	}
}

static bool side_done(const struct side *sd)
{
	for (size_t i = 0; i < STREAMS; i++)
		if (!sd->st[i].closed)
			return false;
	return true;
}

/* Every stream but the stalled one finished on both sides. */
static bool others_done(const struct sim *sim)
{
	for (size_t i = 0; i < STREAMS; i++)
		if ((int)i != sim->stalled && (!sim->c.st[i].closed || !sim->srv.st[i].closed))
			return false;
	return true;
}

static void release_stall(struct sim *sim)
{
	size_t i = (size_t)sim->stalled;
	struct sstream *rd = &sim->srv.st[i], *wr = &sim->c.st[i];

	/* the sender stopped at exactly the window, the reader holds all of it */
	cr_assert_eq(wr->tx_off, SMUX_V2_INITIAL_PEER_WINDOW, "seed %llu: %zu", (unsigned long long)sim->seed, wr->tx_off);
	cr_assert_eq(rd->got, SMUX_V2_INITIAL_PEER_WINDOW);
	cr_assert_eq(wr->writable_calls, 0);
	sim->stall_on = false;
	smux_consumed(sim->srv.s, id_of(i), rd->unconsumed);
	rd->unconsumed = 0;
}

static void run_seed(uint8_t version, uint64_t seed)
{
	struct sim sim = {.rng = seed, .seed = seed, .version = version, .stalled = -1};
	size_t steps = 0;

	for (int dir = 0; dir < 2; dir++)
		for (size_t i = 0; i < STREAMS; i++) {
			size_t n = harness_rand(&sim.rng) % 5 == 0 ? 0 : harness_rand(&sim.rng) % MAX_PAYLOAD;

			if (version == 2 && dir == 0 && i == 5)
				n = STALLED_PAYLOAD;
			sim.len[dir][i] = n;
			sim.payload[dir][i] = malloc(n ? n : 1);
			cr_assert_not_null(sim.payload[dir][i]);
			for (size_t j = 0; j < n; j++)
				sim.payload[dir][i][j] = (uint8_t)harness_rand(&sim.rng);
		}
	if (version == 2) {
		sim.stalled = 5;
		sim.stall_on = true;
	}
	side_init(&sim, &sim.c, true);
	side_init(&sim, &sim.srv, false);

	while (!side_done(&sim.c) || !side_done(&sim.srv)) {
		cr_assert_lt(++steps, STEP_LIMIT, "seed %llu v%u: no progress",
			     (unsigned long long)seed, version);
		for (unsigned k = harness_rand(&sim.rng) % 4; k && sim.opened < STREAMS; k--) {
			uint32_t id;

			cr_assert_eq(smux_open(sim.c.s, &id), PROTO_OK);
			cr_assert_eq(id, id_of(sim.opened));
			sim.c.st[sim.opened++].opened = true;
		}
		side_write(&sim.c);
		side_write(&sim.srv);
		transfer(&sim, &sim.c, &sim.srv);
		transfer(&sim, &sim.srv, &sim.c);
		/* once the others are through and the stalled sender can do no more */
		if (sim.stall_on && others_done(&sim) && !smux_pending(sim.c.s) &&
		    !smux_write_room(sim.c.s, id_of((size_t)sim.stalled)))
			release_stall(&sim);
	}
	if (version == 2)
		cr_assert_geq(sim.c.st[sim.stalled].writable_calls, 1);
	for (size_t i = 0; i < STREAMS; i++) {
		cr_assert_eq(sim.c.st[i].got, sim.len[1][i]);
		cr_assert_eq(sim.srv.st[i].got, sim.len[0][i]);
	}
	cr_assert_eq(smux_stream_count(sim.c.s), 0);
	cr_assert_eq(smux_stream_count(sim.srv.s), 0);
	cr_assert_eq(smux_pending(sim.c.s) + smux_pending(sim.srv.s), 0);
	smux_free(sim.c.s);
	smux_free(sim.srv.s);
	for (int dir = 0; dir < 2; dir++)
		for (size_t i = 0; i < STREAMS; i++)
			free(sim.payload[dir][i]);
}

static unsigned seeds(void)
{
	const char *env = getenv("SIM_SEEDS");
	char *end;
	unsigned long n;

	if (!env || !*env)
		return DEFAULT_SEEDS;
	n = strtoul(env, &end, 10);
	return *end || n == 0 || n > 100000 ? DEFAULT_SEEDS : (unsigned)n;
}

Test(smux_sim, v1_pair_delivers_every_stream, .timeout = 600)
{
	for (unsigned i = 0; i < seeds(); i++)
		run_seed(1, 1000 + i);
}

Test(smux_sim, v2_pair_with_a_stalled_reader, .timeout = 600)
{
	for (unsigned i = 0; i < seeds(); i++)
		run_seed(2, 2000 + i);
}
