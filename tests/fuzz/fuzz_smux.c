/*
 * fuzz_smux.c — libFuzzer target for the smux session's input path.
 *
 * The input is the peer's byte stream. It is fed, in chunk sizes drawn from a
 * PRNG seeded by the input itself, to four sessions: version 1 and 2, client
 * (with a few streams of its own open) and server. The owner's callbacks act
 * like a busy port session — they write replies, consume, half-close and
 * close streams, and drain the output at random moments — so the send path
 * runs against whatever the input does.
 *
 * Whatever arrives: smux_input() returns PROTO_OK or a documented error, and
 * once it failed it keeps returning that error; no more than max_streams are
 * open; in version 2 no stream is ever handed more than its window of
 * unconsumed data; smux_write() never takes the FIFO past tx_cap; and every
 * byte the session emits parses as a valid frame of its version (no SYN from
 * a server, no PSH longer than frame_data). ASan and LSan do the rest.
 */
#include "fuzz_common.h"
#include "proto_err.h"
#include "smux.h"

#include <stdlib.h>
#include <string.h>

#define MAX_STREAMS 8
#define TX_CAP 4096
#define FRAME_DATA 1000
#define CLIENT_STREAMS 4

struct tracked {
	uint32_t id;
	bool used;
	size_t unconsumed; /* v2: delivered, not yet reported consumed */
};

/* A parser of the session's own output, to check what it emits. */
struct out_check {
	uint8_t hdr[SMUX_HEADER_LEN];
	size_t have, body_left;
};

struct fuzz_owner {
	struct smux *s;
	uint8_t version;
	bool client;
	uint64_t rng;
	struct tracked t[MAX_STREAMS];
	struct out_check out;
};

static uint64_t next(struct fuzz_owner *o)
{
	o->rng = o->rng * 6364136223846793005ull + 1442695040888963407ull;
	return o->rng >> 33;
}

static struct tracked *track(struct fuzz_owner *o, uint32_t id, bool add)
{
	for (size_t i = 0; i < MAX_STREAMS; i++)
		if (o->t[i].used && o->t[i].id == id)
			return &o->t[i];
	if (!add)
		return NULL;
	for (size_t i = 0; i < MAX_STREAMS; i++)
		if (!o->t[i].used) {
			o->t[i] = (struct tracked){.id = id, .used = true};
			return &o->t[i];
		}
	abort(); /* more open streams than max_streams */
}

static void check_output_bytes(struct fuzz_owner *o, const uint8_t *p, size_t n)
{
	struct out_check *c = &o->out;

	while (n) {
		if (c->have < SMUX_HEADER_LEN) {
			struct smux_header h;

			c->hdr[c->have++] = *p++;
			n--;
			if (c->have < SMUX_HEADER_LEN)
				continue;
			if (smux_header_decode(c->hdr, o->version, &h) != PROTO_OK)
				abort(); /* an invalid frame emitted */
			if ((h.cmd == SMUX_CMD_SYN && !o->client) ||
			    (h.cmd == SMUX_CMD_PSH && (h.length == 0 || h.length > FRAME_DATA)))
				abort();
			c->body_left = h.length;
		} else {
			size_t k = n < c->body_left ? n : c->body_left;

			p += k;
			n -= k;
			c->body_left -= k;
		}
		if (c->have == SMUX_HEADER_LEN && !c->body_left)
			c->have = 0;
	}
}

static void drain(struct fuzz_owner *o, size_t max)
{
	uint8_t buf[512];

	while (max && smux_pending(o->s)) {
		size_t n = smux_take(o->s, buf, max < sizeof(buf) ? max : sizeof(buf));

		check_output_bytes(o, buf, n);
		max -= n;
	}
}

static void write_some(struct fuzz_owner *o, uint32_t id)
{
	static const uint8_t data[3000];
	size_t before = smux_pending(o->s), len = next(o) % sizeof(data);
	long n = smux_write(o->s, id, data, len);

	if (n < 0 && n != PROTO_E_STATE && n != PROTO_E_NOMEM)
		abort();
	if (n > 0 && smux_pending(o->s) > TX_CAP && smux_pending(o->s) > before)
		abort(); /* data took the FIFO past tx_cap */
	if (n > (long)len)
		abort();
}

static void close_stream(struct fuzz_owner *o, uint32_t id)
{
	struct tracked *t = track(o, id, false);

	smux_close(o->s, id);
	if (t)
		t->used = false;
	if (smux_stream_open(o->s, id))
		abort();
}

static void on_output(void *ctx)
{
	struct fuzz_owner *o = ctx;

	if (next(o) % 4 == 0)
		drain(o, next(o) % 2000);
}

static void on_open(void *ctx, uint32_t id)
{
	struct fuzz_owner *o = ctx;

	if (o->client)
		abort();
	(void)track(o, id, true);
	if (next(o) % 2)
		write_some(o, id);
	if (next(o) % 8 == 0)
		close_stream(o, id);
}

static void on_data(void *ctx, uint32_t id, const uint8_t *data, size_t len)
{
	struct fuzz_owner *o = ctx;
	struct tracked *t = track(o, id, false);

	(void)data;
	if (!t || !len || len > SMUX_MAX_LENGTH)
		abort();
	t->unconsumed += len;
	if (o->version == 2 && t->unconsumed > SMUX_V2_WINDOW)
		abort(); /* the window was not enforced */
	switch (next(o) % 6) {
	case 0: /* a slow reader: keep it */
		break;
	case 1:
		write_some(o, id);
		/* fall through */
	default:
		smux_consumed(o->s, id, t->unconsumed);
		t->unconsumed = 0;
		break;
	}
	if (next(o) % 64 == 0)
		close_stream(o, id);
}

static void on_fin(void *ctx, uint32_t id)
{
	struct fuzz_owner *o = ctx;

	if (!track(o, id, false))
		abort();
	if (next(o) % 2)
		close_stream(o, id);
	else if (smux_shutdown(o->s, id) != PROTO_OK && smux_error(o->s) == PROTO_OK)
		abort();
}

static void on_writable(void *ctx, uint32_t id)
{
	struct fuzz_owner *o = ctx;

	if (o->version != 2 || !track(o, id, false))
		abort();
	write_some(o, id);
}

static int documented(int rc)
{
	switch (rc) {
	case PROTO_OK: case PROTO_E_SMUX_VERSION: case PROTO_E_SMUX_CMD:
	case PROTO_E_SMUX_LENGTH: case PROTO_E_SMUX_STREAMS: case PROTO_E_SMUX_SYN:
	case PROTO_E_SMUX_WINDOW: case PROTO_E_NOMEM:
		return 1;
	}
	return 0;
}

static void run(const uint8_t *data, size_t size, uint8_t version, bool client, uint64_t seed)
{
	static const struct smux_ops ops = {on_output, on_open, on_data, on_fin, on_writable};
	struct smux_config cfg = {.version = version, .client = client, .max_streams = MAX_STREAMS,
				  .tx_cap = TX_CAP, .frame_data = FRAME_DATA};
	struct fuzz_owner o = {.version = version, .client = client, .rng = seed};
	size_t pos = 0, max_chunk;
	int failed = PROTO_OK;

	o.s = smux_new(&cfg, &ops, &o);
	if (!o.s)
		return;
	for (unsigned i = 0; client && i < CLIENT_STREAMS; i++) {
		uint32_t id;

		if (smux_open(o.s, &id) != PROTO_OK || id != 3 + 2 * i)
			abort();
		(void)track(&o, id, true);
	}
	max_chunk = (size_t[]){1, 7, 64, 1500, 65536}[next(&o) % 5];
	while (pos < size) {
		size_t n = 1 + next(&o) % max_chunk;
		int rc;

		if (n > size - pos)
			n = size - pos;
		rc = smux_input(o.s, data + pos, n);
		pos += n;
		if (!documented(rc) || (failed != PROTO_OK && rc != failed) || rc != smux_error(o.s))
			abort();
		failed = rc;
		if (smux_stream_count(o.s) > MAX_STREAMS)
			abort();
		if (next(&o) % 3 == 0)
			drain(&o, next(&o) % 5000);
		if (client && next(&o) % 16 == 0) {
			uint32_t id;

			if (smux_open(o.s, &id) == PROTO_OK)
				(void)track(&o, id, true);
		}
		if (next(&o) % 32 == 0)
			smux_keepalive(o.s);
	}
	drain(&o, SIZE_MAX);
	smux_free(o.s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t seed = 1469598103934665603ull; /* FNV-1a of the input: its own chunking */

	for (size_t i = 0; i < size; i++)
		seed = (seed ^ data[i]) * 1099511628211ull;
	for (uint8_t version = 1; version <= 2; version++) {
		run(data, size, version, false, seed);
		run(data, size, version, true, seed ^ 0x5bd1e995u);
	}
	return 0;
}
