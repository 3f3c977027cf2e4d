/*
 * bench_proto.c — throughput of the wire library, beside anchors measured in
 * the same run: SHA-256 over the same bytes (every frame carries a digest, so
 * that is the floor a frame codec can reach) and memcpy.
 *
 * Prints MB/s of payload for frame encode, frame decode (with digest check), a
 * loss-free reliable-stream loopback (encode, decode, acknowledge, release),
 * websocket masking (ws_mask) and the websocket decoder on one masked frame
 * (header parse plus unmasking in place, as a server receives it), each as a
 * ratio to the SHA-256 anchor of the same payload size. Figures, not
 * pass/fail: machines here are shared and noisy.
 */
#include "frame.h"
#include "proto_err.h"
#include "rstream.h"
#include "ws_frame.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_timing.h"


struct codec_ctx {
	uint8_t *payload, *wire;
	size_t payload_len, wire_len;
	uint8_t sink;
};

static void run_sha256(void *p, size_t n)
{
	struct codec_ctx *c = p;
	uint8_t md[32];

	for (size_t i = 0; i < n; i++) {
		SHA256(c->payload, c->payload_len, md);
		c->sink ^= md[0];
	}
}

static void run_memcpy(void *p, size_t n)
{
	struct codec_ctx *c = p;

	for (size_t i = 0; i < n; i++) {
		memcpy(c->wire + FRAME_PAYLOAD_OFFSET, c->payload, c->payload_len);
		c->sink ^= c->wire[FRAME_PAYLOAD_OFFSET + i % c->payload_len];
	}
}

static struct frame sample_frame(const struct codec_ctx *c)
{
	struct frame f;
	struct uuid id = {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}};

	frame_init(&f, MSG_OUTPUT_STREAM_DATA, 1700000000000ull, &id);
	f.payload_type = PAYLOAD_OUTPUT;
	f.payload = c->payload;
	f.payload_len = c->payload_len;
	return f;
}

static void run_encode(void *p, size_t n)
{
	struct codec_ctx *c = p;
	struct frame f = sample_frame(c);

	for (size_t i = 0; i < n; i++) {
		f.sequence_number = (int64_t)i;
		if (frame_encode(&f, c->wire, c->wire_len, &c->wire_len) != PROTO_OK)
			abort();
	}
}

static void run_decode(void *p, size_t n)
{
	struct codec_ctx *c = p;
	struct frame f;

	for (size_t i = 0; i < n; i++) {
		if (frame_decode(c->wire, c->wire_len, c->wire_len, &f) != PROTO_OK)
			abort();
		c->sink ^= (uint8_t)f.payload_len;
	}
}

static void run_ws_mask(void *p, size_t n)
{
	static const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
	struct codec_ctx *c = p;

	for (size_t i = 0; i < n; i++) {
		ws_mask(c->payload, c->payload_len, key, i);
		c->sink ^= c->payload[i % c->payload_len];
	}
}

/* One masked binary frame of the payload, decoded again and again (each pass
 * unmasks it in place, so the bytes alternate; the framing stays valid). */
struct ws_ctx {
	uint8_t *wire;
	size_t wire_len;
	uint64_t got;
};

static void ws_count(void *p, uint8_t *data, size_t len)
{
	(void)data;
	((struct ws_ctx *)p)->got += len;
}

static void run_ws_decode(void *p, size_t n)
{
	static const struct ws_decoder_ops ops = {NULL, ws_count, NULL};
	static const struct ws_decoder_config cfg = {.server = true};
	struct ws_ctx *w = p;
	struct ws_decoder d;

	ws_decoder_init(&d, &cfg, &ops, w);
	for (size_t i = 0; i < n; i++)
		if (ws_decoder_input(&d, w->wire, w->wire_len) != PROTO_OK)
			abort();
}

static struct ws_ctx ws_sample(const struct codec_ctx *c)
{
	struct ws_frame_header h = {.fin = true, .opcode = WS_OP_BINARY, .masked = true,
				    .mask_key = {0x37, 0xfa, 0x21, 0x3d},
				    .payload_len = c->payload_len};
	struct ws_ctx w = {.wire = malloc(WS_MAX_HEADER_LEN + c->payload_len)};
	size_t hl;

	if (!w.wire)
		abort();
	hl = ws_frame_header_encode(&h, w.wire);
	memcpy(w.wire + hl, c->payload, c->payload_len);
	ws_mask(w.wire + hl, c->payload_len, h.mask_key, 0);
	w.wire_len = hl + c->payload_len;
	return w;
}

/* Two streams wired back to back through a small in-memory mailbox. */
struct loop_ctx {
	struct rstream *a, *b;
	uint8_t *payload;
	size_t payload_len;
	uint64_t rng, delivered;
};

static enum rstream_delivery loop_deliver(void *p, const struct frame *f)
{
	struct loop_ctx *l = p;

	l->delivered += f->payload_len;
	return RSTREAM_DELIVERED;
}

static void loop_random(void *p, uint8_t *buf, size_t len)
{
	struct loop_ctx *l = p;

	for (size_t i = 0; i < len; i++) {
		l->rng = l->rng * 6364136223846793005ull + 1442695040888963407ull;
		buf[i] = (uint8_t)(l->rng >> 56);
	}
}

static void run_loop(void *p, size_t n)
{
	struct loop_ctx *l = p;

	for (size_t i = 0; i < n; i++) {
		/* a → b, and b's acknowledgement straight back to a */
		if (rstream_send(l->a, PAYLOAD_OUTPUT, l->payload, l->payload_len, 1) != PROTO_OK)
			abort();
	}
}

/* Each stream's transmissions go straight into the other stream. */
struct route {
	struct loop_ctx *loop;
	int side;
};

static int route_transmit(void *p, const uint8_t *frame, size_t len)
{
	struct route *r = p;
	struct frame other;

	return rstream_input(r->side ? r->loop->a : r->loop->b, frame, len, 1, &other) < 0;
}

static enum rstream_delivery route_deliver(void *p, const struct frame *f)
{
	return loop_deliver(((struct route *)p)->loop, f);
}

static void route_random(void *p, uint8_t *buf, size_t len)
{
	loop_random(((struct route *)p)->loop, buf, len);
}

static void report(const char *what, size_t size, double sec_per_op, double anchor)
{
	double mbps = (double)size / sec_per_op / 1e6;

	printf("  %-34s %9.1f MB/s  %10.0f msg/s  %5.2fx SHA-256\n", what, mbps,
	       1.0 / sec_per_op, anchor / sec_per_op);
}

static void bench_size(size_t size)
{
	static const struct rstream_ops ops = {route_transmit, route_deliver, route_random};
	struct codec_ctx c = {.payload_len = size, .wire_len = FRAME_PAYLOAD_OFFSET + size};
	struct loop_ctx l = {.rng = 1, .payload_len = size};
	struct route ra = {&l, 0}, rb = {&l, 1};
	struct rstream_config cfg_a = {.send_kind = MSG_OUTPUT_STREAM_DATA};
	struct rstream_config cfg_b = {.send_kind = MSG_INPUT_STREAM_DATA};
	struct ws_ctx w;
	double sha, t;

	c.payload = malloc(size);
	c.wire = malloc(c.wire_len);
	if (!c.payload || !c.wire)
		abort();
	for (size_t i = 0; i < size; i++)
		c.payload[i] = (uint8_t)(i * 31 + 7);
	l.payload = c.payload;
	l.a = rstream_new(&cfg_a, &ops, &ra);
	l.b = rstream_new(&cfg_b, &ops, &rb);

	printf("payload %zu bytes:\n", size);
	sha = bench_measure(run_sha256, &c, 64);
	report("anchor: SHA-256 of the payload", size, sha, sha);
	report("anchor: memcpy of the payload", size, bench_measure(run_memcpy, &c, 64), sha);
	report("frame_encode", size, bench_measure(run_encode, &c, 64), sha);
	report("frame_decode (digest checked)", size, bench_measure(run_decode, &c, 64), sha);
	t = bench_measure(run_loop, &l, 64);
	report("rstream loopback (send+ack)", size, t, sha);
	if (rstream_unacked(l.a) != 0)
		abort();
	w = ws_sample(&c);
	report("ws_mask (in place)", size, bench_measure(run_ws_mask, &c, 64), sha);
	report("ws decoder (masked frame)", size, bench_measure(run_ws_decode, &w, 64), sha);
	if (w.got % size != 0)
		abort();
	free(w.wire);
	rstream_free(l.a);
	rstream_free(l.b);
	free(c.payload);
	free(c.wire);
	if (c.sink == 0x5a)
		printf(" ");
}

int main(void)
{
	printf("== proto/ codec and reliable stream (higher is better)\n");
	bench_size(1024);
	bench_size(32 * 1024);
	return 0;
}
