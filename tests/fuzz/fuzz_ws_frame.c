/*
 * fuzz_ws_frame.c — libFuzzer target for the websocket frame decoder and the
 * Close payload codec.
 *
 * The input is the peer's byte stream, fed to a client-side and a
 * server-side decoder (a small max_payload, so the cap is reached) in chunk
 * sizes drawn from a PRNG seeded by the input itself. From the events alone
 * the target rebuilds the wire: each header re-encoded with
 * ws_frame_header_encode, each payload slice masked again with ws_mask at
 * its offset. Every completed frame must reproduce the input exactly (so the
 * decoder accepts only minimal length forms and unmasks correctly, whatever
 * the chunking), no slice is empty, slices add up to payload_len, control
 * frames are FIN and at most 125 bytes, the mask bit matches the side,
 * errors are documented and sticky. A Close payload that decodes must
 * re-encode to the same bytes.
 */
#include "fuzz_common.h"
#include "proto_err.h"
#include "ws_frame.h"

#include <stdlib.h>
#include <string.h>

#define MAX_PAYLOAD 4096u

struct owner {
	bool server;
	uint8_t *out;          /* the rebuilt wire */
	size_t out_len, out_cap, complete;
	uint64_t got;          /* payload bytes of the current frame */
	bool in_frame;
	uint8_t close_buf[WS_MAX_CONTROL_PAYLOAD];
	size_t close_len;
};

static void put(struct owner *o, const uint8_t *p, size_t n)
{
	if (o->out_len + n > o->out_cap)
		abort(); /* more bytes out than came in */
	memcpy(o->out + o->out_len, p, n);
	o->out_len += n;
}

static void on_frame(void *ctx, const struct ws_frame_header *h)
{
	struct owner *o = ctx;
	uint8_t hdr[WS_MAX_HEADER_LEN];

	if (o->in_frame || h->masked != o->server || h->payload_len > MAX_PAYLOAD)
		abort();
	if (ws_opcode_is_control(h->opcode) &&
	    (!h->fin || h->payload_len > WS_MAX_CONTROL_PAYLOAD))
		abort();
	put(o, hdr, ws_frame_header_encode(h, hdr));
	o->in_frame = true;
	o->got = 0;
	o->close_len = 0;
}

static void on_data(void *ctx, uint8_t *data, size_t len)
{
	struct owner *o = ctx;

	if (!o->in_frame || !len)
		abort();
	put(o, data, len);
	o->got += len;
}

static void on_frame_end(void *ctx, const struct ws_frame_header *h)
{
	struct owner *o = ctx;
	size_t start = o->out_len - (size_t)h->payload_len;

	if (!o->in_frame || o->got != h->payload_len)
		abort();
	if (h->opcode == WS_OP_CLOSE) {
		struct ws_close c;
		uint8_t again[WS_MAX_CONTROL_PAYLOAD];
		size_t n;

		memcpy(o->close_buf, o->out + start, (size_t)h->payload_len);
		o->close_len = (size_t)h->payload_len;
		if (ws_close_decode(o->close_buf, o->close_len, &c) == PROTO_OK) {
			if (ws_close_encode(&c, again, sizeof(again), &n) != PROTO_OK ||
			    n != o->close_len || memcmp(again, o->close_buf, n) != 0)
				abort();
		}
	}
	if (h->masked) /* mask again: the wire as it came */
		ws_mask(o->out + start, (size_t)h->payload_len, h->mask_key, 0);
	o->in_frame = false;
	o->complete = o->out_len;
}

static int documented(int rc)
{
	switch (rc) {
	case PROTO_OK: case PROTO_E_WS_RSV: case PROTO_E_WS_OPCODE: case PROTO_E_WS_CONTROL:
	case PROTO_E_WS_MASK: case PROTO_E_WS_FRAGMENT: case PROTO_E_WS_LENGTH:
	case PROTO_E_WS_LENGTH64: case PROTO_E_WS_TOO_LARGE:
		return 1;
	}
	return 0;
}

static void run(const uint8_t *data, size_t size, bool server, uint64_t rng)
{
	static const struct ws_decoder_ops ops = {on_frame, on_data, on_frame_end};
	struct ws_decoder_config cfg = {.server = server, .max_payload = MAX_PAYLOAD};
	struct owner o = {.server = server, .out_cap = size};
	struct ws_decoder d;
	uint8_t *copy = malloc(size ? size : 1);
	size_t pos = 0, max_chunk;
	int failed = PROTO_OK;

	o.out = malloc(size ? size : 1);
	if (!copy || !o.out)
		abort();
	memcpy(copy, data, size);
	ws_decoder_init(&d, &cfg, &ops, &o);
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	max_chunk = (size_t[]){1, 3, 16, 200, 65536}[(rng >> 33) % 5];
	while (pos < size) {
		size_t n;
		int rc;

		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		n = 1 + (rng >> 33) % max_chunk;
		if (n > size - pos)
			n = size - pos;
		rc = ws_decoder_input(&d, copy + pos, n);
		pos += n;
		if (!documented(rc) || (failed != PROTO_OK && rc != failed) ||
		    rc != ws_decoder_error(&d))
			abort();
		failed = rc;
	}
	if (memcmp(o.out, data, o.complete) != 0)
		abort(); /* a frame rebuilt from the events differs from the input */
	if (failed == PROTO_OK && ws_decoder_idle(&d) && o.complete != size)
		abort();
	free(copy);
	free(o.out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t seed = 1469598103934665603ull; /* FNV-1a of the input: its own chunking */

	for (size_t i = 0; i < size; i++)
		seed = (seed ^ data[i]) * 1099511628211ull;
	run(data, size, false, seed);
	run(data, size, true, seed ^ 0x5bd1e995u);
	return 0;
}
