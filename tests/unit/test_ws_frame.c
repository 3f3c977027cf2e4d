/*
 * test_ws_frame.c — websocket framing (proto/ws_frame.c, ws_decoder.c,
 * ws_close.c).
 *
 * Covers: the examples of RFC 6455 §5.7 encoded byte for byte and decoded
 * event by event (unmasked and masked "Hello", "Hel" + "lo" fragmented,
 * Ping/Pong, the 16- and 64-bit length forms of a 256-byte and a 64 KiB
 * binary frame); minimal length forms at their edges; every malformed header
 * giving its own error code, and the decoder staying dead after one; input
 * split at every byte boundary giving the same events as whole input, and
 * whole input giving one payload slice per frame; ws_mask against a naive
 * byte loop for random lengths, offsets and split points; a large random
 * message round-tripping through encode + mask → decode in random chunkings;
 * the Close payload both ways.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "proto_err.h"
#include "test_util.h"
#include "ws_frame.h"

/* ---- a recorder of decoder events ---------------------------------------------- */

/*
 * Events as bytes: 'F' fin opcode masked len(8, LE), then the payload
 * (slices merged, so chunking does not show), then 'E'. slices counts
 * on_data calls.
 */
struct rec {
	uint8_t *log;
	size_t len, cap, slices, frames;
};

static void rec_put(struct rec *r, const void *p, size_t n)
{
	cr_assert_leq(r->len + n, r->cap, "recorder full");
	memcpy(r->log + r->len, p, n);
	r->len += n;
}

static void rec_frame(void *ctx, const struct ws_frame_header *h)
{
	struct rec *r = ctx;
	uint8_t e[4] = {'F', h->fin, h->opcode, h->masked};

	rec_put(r, e, sizeof(e));
	rec_put(r, &h->payload_len, sizeof(h->payload_len));
	r->frames++;
}

static void rec_data(void *ctx, uint8_t *data, size_t len)
{
	struct rec *r = ctx;

	cr_assert_gt(len, 0);
	rec_put(r, data, len);
	r->slices++;
}

static void rec_end(void *ctx, const struct ws_frame_header *h)
{
	struct rec *r = ctx;

	(void)h;
	rec_put(r, "E", 1);
}

static const struct ws_decoder_ops rec_ops = {rec_frame, rec_data, rec_end};

static void rec_init(struct rec *r, size_t cap)
{
	memset(r, 0, sizeof(*r));
	r->log = malloc(cap);
	r->cap = cap;
	cr_assert_not_null(r->log);
}

/* Decode a copy of wire (the decoder unmasks in place) in chunks of at most
 * `chunk` bytes (0: whole); returns the decoder's result. */
static int decode_chunked(const uint8_t *wire, size_t n, bool server, size_t chunk,
			  struct rec *r)
{
	struct ws_decoder_config cfg = {.server = server, .max_payload = 1u << 24};
	struct ws_decoder d;
	uint8_t *copy = test_dup_exact(wire, n);
	size_t pos = 0;
	int rc = PROTO_OK;

	cr_assert(n == 0 || copy);
	ws_decoder_init(&d, &cfg, &rec_ops, r);
	if (!chunk)
		chunk = n ? n : 1;
	while (pos < n && rc == PROTO_OK) {
		size_t k = n - pos < chunk ? n - pos : chunk;

		rc = ws_decoder_input(&d, copy + pos, k);
		pos += k;
	}
	if (rc == PROTO_OK)
		cr_assert(ws_decoder_idle(&d));
	free(copy);
	return rc;
}

/* ---- RFC 6455 §5.7 --------------------------------------------------------------- */

struct example {
	const char *name, *hex;
	struct ws_frame_header h;
	const char *payload;
};

static const struct example examples[] = {
	{"unmasked Hello", "81 05 48656c6c6f", {true, WS_OP_TEXT, false, {0}, 5}, "Hello"},
	{"masked Hello", "81 85 37fa213d 7f9f4d5158",
	 {true, WS_OP_TEXT, true, {0x37, 0xfa, 0x21, 0x3d}, 5}, "Hello"},
	{"fragment Hel", "01 03 48656c", {false, WS_OP_TEXT, false, {0}, 3}, "Hel"},
	{"fragment lo", "80 02 6c6f", {true, WS_OP_CONTINUATION, false, {0}, 2}, "lo"},
	{"unmasked Ping", "89 05 48656c6c6f", {true, WS_OP_PING, false, {0}, 5}, "Hello"},
	{"masked Pong", "8a 85 37fa213d 7f9f4d5158",
	 {true, WS_OP_PONG, true, {0x37, 0xfa, 0x21, 0x3d}, 5}, "Hello"},
};

Test(ws_frame, errors_are_distinct_and_named)
{
	static const int codes[] = {
		PROTO_E_WS_RSV, PROTO_E_WS_OPCODE, PROTO_E_WS_CONTROL, PROTO_E_WS_MASK,
		PROTO_E_WS_FRAGMENT, PROTO_E_WS_LENGTH, PROTO_E_WS_LENGTH64,
		PROTO_E_WS_TOO_LARGE, PROTO_E_WS_CLOSE,
	};
	const size_t n = sizeof(codes) / sizeof(codes[0]);

	for (size_t i = 0; i < n; i++) {
		cr_assert_str_neq(proto_err_str(codes[i]), "unknown error", "code %d", codes[i]);
		for (size_t j = i + 1; j < n; j++)
			cr_assert_str_neq(proto_err_str(codes[i]), proto_err_str(codes[j]));
	}
}

Test(ws_frame, encode_section57_examples)
{
	for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++) {
		const struct example *e = &examples[i];
		uint8_t want[32], got[32];
		long wlen = hex_decode(e->hex, want, sizeof(want));
		size_t hlen, plen = strlen(e->payload);

		cr_assert_gt(wlen, 0);
		memset(got, 0xee, sizeof(got));
		hlen = ws_frame_header_encode(&e->h, got);
		cr_assert_eq(hlen, ws_frame_header_len(e->h.payload_len, e->h.masked), "%s", e->name);
		memcpy(got + hlen, e->payload, plen);
		if (e->h.masked)
			ws_mask(got + hlen, plen, e->h.mask_key, 0);
		cr_assert_eq(hlen + plen, (size_t)wlen, "%s", e->name);
		cr_assert_eq(test_first_diff(got, want, (size_t)wlen), -1, "%s", e->name);
	}
}

Test(ws_frame, decode_section57_examples)
{
	for (size_t i = 0; i < sizeof(examples) / sizeof(examples[0]); i++) {
		const struct example *e = &examples[i];
		uint8_t wire[32];
		long wlen = hex_decode(e->hex, wire, sizeof(wire));
		struct rec r;
		struct ws_decoder_config cfg = {.server = e->h.masked};
		struct ws_decoder d;
		uint8_t want[64];
		size_t plen = strlen(e->payload);

		rec_init(&r, 256);
		ws_decoder_init(&d, &cfg, &rec_ops, &r);
		if (e->h.opcode == WS_OP_CONTINUATION) { /* its start first */
			uint8_t start[] = {0x01, 0x00};

			cr_assert_eq(ws_decoder_input(&d, start, sizeof(start)), PROTO_OK);
			r.len = 0;
		}
		cr_assert_eq(ws_decoder_input(&d, wire, (size_t)wlen), PROTO_OK, "%s", e->name);
		want[0] = 'F';
		want[1] = e->h.fin;
		want[2] = e->h.opcode;
		want[3] = e->h.masked;
		memcpy(want + 4, &e->h.payload_len, 8);
		memcpy(want + 12, e->payload, plen);
		want[12 + plen] = 'E';
		cr_assert_eq(r.len, 13 + plen, "%s", e->name);
		cr_assert_eq(test_first_diff(r.log, want, r.len), -1, "%s", e->name);
		cr_assert_eq(r.slices, 1, "%s: payload in one slice", e->name);
		free(r.log);
	}
}

Test(ws_frame, length_forms_256_and_64k)
{
	static const struct {
		uint64_t len;
		const char *hex;
	} forms[] = {
		{256, "82 7e 0100"},
		{65536, "82 7f 0000000000010000"},
	};

	for (size_t i = 0; i < 2; i++) {
		struct ws_frame_header h = {.fin = true, .opcode = WS_OP_BINARY,
					    .payload_len = forms[i].len};
		uint8_t want[16], got[WS_MAX_HEADER_LEN];
		long wlen = hex_decode(forms[i].hex, want, sizeof(want));
		size_t n = (size_t)wlen + forms[i].len;
		uint8_t *wire = malloc(n);
		struct rec r;

		cr_assert_eq(ws_frame_header_encode(&h, got), (size_t)wlen);
		cr_assert_eq(test_first_diff(got, want, (size_t)wlen), -1);
		memcpy(wire, want, (size_t)wlen);
		for (size_t k = 0; k < forms[i].len; k++)
			wire[wlen + (long)k] = (uint8_t)(k * 7);
		rec_init(&r, n + 64);
		cr_assert_eq(decode_chunked(wire, n, false, 0, &r), PROTO_OK);
		cr_assert_eq(r.frames, 1);
		cr_assert_eq(r.slices, 1);
		cr_assert_eq(test_first_diff(r.log + 12, wire + wlen, forms[i].len), -1);
		free(wire);
		free(r.log);
	}
}

Test(ws_frame, minimal_length_edges)
{
	static const struct {
		uint64_t len;
		size_t hlen;
	} edges[] = {{0, 2}, {125, 2}, {126, 4}, {65535, 4}, {65536, 10},
		     {UINT64_C(0x7fffffffffffffff), 10}};

	for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++) {
		struct ws_frame_header h = {.fin = true, .opcode = WS_OP_BINARY,
					    .payload_len = edges[i].len, .masked = true};
		uint8_t out[WS_MAX_HEADER_LEN];

		cr_assert_eq(ws_frame_header_encode(&h, out), edges[i].hlen + 4);
		cr_assert_eq(ws_frame_header_len(edges[i].len, false), edges[i].hlen);
	}
}

/* ---- errors ------------------------------------------------------------------------ */

Test(ws_frame, each_error_has_its_code)
{
	static const struct {
		const char *name, *hex;
		bool server;
		int err;
	} cases[] = {
		{"RSV1", "c1 00", false, PROTO_E_WS_RSV},
		{"RSV2", "a1 00", false, PROTO_E_WS_RSV},
		{"RSV3", "91 00", false, PROTO_E_WS_RSV},
		{"opcode 3", "83 00", false, PROTO_E_WS_OPCODE},
		{"opcode 0xb", "8b 00", false, PROTO_E_WS_OPCODE},
		{"ping not FIN", "09 00", false, PROTO_E_WS_CONTROL},
		{"close 126 bytes", "88 7e 007e", false, PROTO_E_WS_CONTROL},
		{"masked to client", "82 80 01020304", false, PROTO_E_WS_MASK},
		{"unmasked to server", "82 00", true, PROTO_E_WS_MASK},
		{"stray continuation", "80 00", false, PROTO_E_WS_FRAGMENT},
		{"text inside message", "02 00 81 00", false, PROTO_E_WS_FRAGMENT},
		{"binary inside message", "01 00 89 00 82 00", false, PROTO_E_WS_FRAGMENT},
		{"16-bit length 125", "82 7e 007d", false, PROTO_E_WS_LENGTH},
		{"16-bit length 0", "82 7e 0000", false, PROTO_E_WS_LENGTH},
		{"64-bit length 65535", "82 7f 000000000000ffff", false, PROTO_E_WS_LENGTH},
		{"64-bit length 5", "82 7f 0000000000000005", false, PROTO_E_WS_LENGTH},
		{"64-bit top bit", "82 7f 8000000000000000", false, PROTO_E_WS_LENGTH64},
		{"over cap", "82 7f 0000000001000001", false, PROTO_E_WS_TOO_LARGE},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t wire[32], more[] = {0x81, 0x00};
		long n = hex_decode(cases[i].hex, wire, sizeof(wire));
		struct ws_decoder_config cfg = {.server = cases[i].server,
						.max_payload = 1u << 24};
		struct ws_decoder d;
		struct rec r;

		cr_assert_gt(n, 0);
		rec_init(&r, 256);
		ws_decoder_init(&d, &cfg, &rec_ops, &r);
		cr_assert_eq(ws_decoder_input(&d, wire, (size_t)n), cases[i].err, "%s: %s",
			     cases[i].name, proto_err_str(ws_decoder_input(&d, wire, 0)));
		cr_assert_eq(ws_decoder_error(&d), cases[i].err, "%s", cases[i].name);
		cr_assert_eq(ws_decoder_input(&d, more, sizeof(more)), cases[i].err,
			     "%s: stays dead", cases[i].name);
		/* the same, byte by byte */
		ws_decoder_init(&d, &cfg, &rec_ops, &r);
		for (long k = 0; k < n; k++) {
			int rc = ws_decoder_input(&d, wire + k, 1);

			if (rc != PROTO_OK) {
				cr_assert_eq(rc, cases[i].err, "%s bytewise", cases[i].name);
				break;
			}
			cr_assert_lt(k, n - 1, "%s bytewise: no error", cases[i].name);
		}
		free(r.log);
	}
}

Test(ws_frame, control_frames_inside_message_and_at_limits)
{
	/* Ping between fragments, a 125-byte Pong, an empty Close */
	uint8_t wire[512];
	size_t n = 0;
	struct rec r;

	wire[n++] = 0x01, wire[n++] = 0x01, wire[n++] = 'a';
	wire[n++] = 0x89, wire[n++] = 0x00;
	wire[n++] = 0x8a, wire[n++] = 125;
	memset(wire + n, 'p', 125);
	n += 125;
	wire[n++] = 0x80, wire[n++] = 0x01, wire[n++] = 'b';
	wire[n++] = 0x88, wire[n++] = 0x00;
	rec_init(&r, 1024);
	cr_assert_eq(decode_chunked(wire, n, false, 0, &r), PROTO_OK);
	cr_assert_eq(r.frames, 5);
	free(r.log);
}

/* ---- chunking ---------------------------------------------------------------------- */

/* Several frames back to back, client-bound (unmasked) or server-bound. */
static size_t build_stream(uint8_t *out, bool masked)
{
	static const uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
	static const struct {
		bool fin;
		uint8_t op;
		uint64_t len;
	} frames[] = {
		{true, WS_OP_TEXT, 5}, {false, WS_OP_BINARY, 0}, {false, WS_OP_CONTINUATION, 126},
		{true, WS_OP_PING, 3}, {true, WS_OP_CONTINUATION, 300}, {true, WS_OP_BINARY, 70000},
		{true, WS_OP_CLOSE, 2},
	};
	size_t n = 0;

	for (size_t i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
		struct ws_frame_header h = {.fin = frames[i].fin, .opcode = frames[i].op,
					    .masked = masked, .payload_len = frames[i].len};
		size_t len = (size_t)frames[i].len;

		memcpy(h.mask_key, key, 4);
		h.mask_key[0] = (uint8_t)(h.mask_key[0] + i);
		n += ws_frame_header_encode(&h, out + n);
		for (size_t k = 0; k < len; k++)
			out[n + k] = (uint8_t)(i * 31 + k * 13);
		if (masked)
			ws_mask(out + n, len, h.mask_key, 0);
		n += len;
	}
	return n;
}

Test(ws_frame, every_split_gives_the_same_events)
{
	size_t cap = 80000;
	uint8_t *wire = malloc(cap);

	for (int masked = 0; masked <= 1; masked++) {
		size_t n = build_stream(wire, masked);
		struct rec whole;

		cr_assert_leq(n, cap);
		rec_init(&whole, 2 * n);
		cr_assert_eq(decode_chunked(wire, n, masked, 0, &whole), PROTO_OK);
		cr_assert_eq(whole.frames, 7);
		cr_assert_eq(whole.slices, 6, "one slice per non-empty frame");
		for (size_t split = 1; split < n; split++) {
			struct rec r = {.log = malloc(2 * n), .cap = 2 * n};
			struct ws_decoder_config cfg = {.server = masked};
			struct ws_decoder d;
			uint8_t *copy = test_dup_exact(wire, n);

			ws_decoder_init(&d, &cfg, &rec_ops, &r);
			cr_assert_eq(ws_decoder_input(&d, copy, split), PROTO_OK);
			cr_assert_eq(ws_decoder_input(&d, copy + split, n - split), PROTO_OK);
			cr_assert_eq(r.len, whole.len, "split %zu", split);
			cr_assert_eq(test_first_diff(r.log, whole.log, r.len), -1, "split %zu", split);
			cr_assert_leq(r.slices, whole.slices + 1, "split %zu", split);
			free(copy);
			free(r.log);
		}
		/* and one byte at a time */
		{
			struct rec r;

			rec_init(&r, 2 * n);
			cr_assert_eq(decode_chunked(wire, n, masked, 1, &r), PROTO_OK);
			cr_assert_eq(test_first_diff(r.log, whole.log, r.len), -1);
			free(r.log);
		}
		free(whole.log);
	}
	free(wire);
}

/* ---- masking ----------------------------------------------------------------------- */

static uint64_t rng_next(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

Test(ws_frame, mask_equals_byte_loop)
{
	uint64_t s = 42;
	uint8_t buf[600], ref[600];

	for (int iter = 0; iter < 3000; iter++) {
		size_t len = rng_next(&s) % sizeof(buf), offset = rng_next(&s);
		size_t split = len ? rng_next(&s) % (len + 1) : 0, start = rng_next(&s) % 8;
		uint8_t key[4];

		if (start > sizeof(buf) - len)
			start = 0;
		for (int k = 0; k < 4; k++)
			key[k] = (uint8_t)rng_next(&s);
		for (size_t k = 0; k < sizeof(buf); k++)
			buf[k] = ref[k] = (uint8_t)rng_next(&s);
		for (size_t k = 0; k < len; k++)
			ref[start + k] ^= key[(offset + k) % 4];
		if (iter % 2) {
			ws_mask(buf + start, len, key, offset);
		} else { /* in two pieces */
			ws_mask(buf + start, split, key, offset);
			ws_mask(buf + start + split, len - split, key, offset + split);
		}
		cr_assert_eq(test_first_diff(buf, ref, sizeof(buf)), -1,
			     "len %zu offset %zu split %zu", len, offset, split);
	}
}

Test(ws_frame, mask_copy_equals_copy_then_mask)
{
	uint64_t s = 7;
	uint8_t src[600], dst[608], ref[608];

	for (int iter = 0; iter < 3000; iter++) {
		size_t len = rng_next(&s) % sizeof(src), offset = rng_next(&s);
		size_t at = rng_next(&s) % 8; /* unaligned destinations too */
		uint8_t key[4];

		for (int k = 0; k < 4; k++)
			key[k] = (uint8_t)rng_next(&s);
		for (size_t k = 0; k < sizeof(src); k++)
			src[k] = (uint8_t)rng_next(&s);
		memset(dst, 0xa5, sizeof(dst));
		memcpy(ref, dst, sizeof(ref));
		memcpy(ref + at, src, len);
		ws_mask(ref + at, len, key, offset);
		ws_mask_copy(dst + at, src, len, key, offset);
		cr_assert_eq(test_first_diff(dst, ref, sizeof(dst)), -1, "len %zu offset %zu at %zu",
			     len, offset, at);
	}
}

Test(ws_frame, large_message_round_trips_in_random_chunks)
{
	const size_t total = 1u << 20, frag = 100000;
	uint8_t *msg = malloc(total), *wire = malloc(total + 64 * WS_MAX_HEADER_LEN);
	uint64_t s = 7;
	size_t n = 0;

	for (size_t k = 0; k < total; k++)
		msg[k] = (uint8_t)rng_next(&s);
	for (size_t pos = 0; pos < total; pos += frag) {
		size_t len = total - pos < frag ? total - pos : frag;
		struct ws_frame_header h = {.fin = pos + len == total,
					    .opcode = pos ? WS_OP_CONTINUATION : WS_OP_BINARY,
					    .masked = true, .payload_len = len};

		for (int k = 0; k < 4; k++)
			h.mask_key[k] = (uint8_t)rng_next(&s);
		n += ws_frame_header_encode(&h, wire + n);
		memcpy(wire + n, msg + pos, len);
		ws_mask(wire + n, len, h.mask_key, 0);
		n += len;
	}
	for (int round = 0; round < 4; round++) {
		struct ws_decoder_config cfg = {.server = true};
		struct ws_decoder d;
		struct rec r;
		uint8_t *copy = test_dup_exact(wire, n);
		size_t pos = 0, got = 0, max = (size_t[]){3, 100, 5000, 70000}[round];

		rec_init(&r, total + 1024);
		ws_decoder_init(&d, &cfg, &rec_ops, &r);
		while (pos < n) {
			size_t k = 1 + rng_next(&s) % max;

			if (k > n - pos)
				k = n - pos;
			cr_assert_eq(ws_decoder_input(&d, copy + pos, k), PROTO_OK);
			pos += k;
		}
		cr_assert(ws_decoder_idle(&d));
		/* strip the event markers: 'F'+11 bytes, payload, 'E' per frame */
		for (size_t i = 0, at = 0; at < r.len; i++) {
			size_t len = total - i * frag < frag ? total - i * frag : frag;

			cr_assert_eq(r.log[at], 'F');
			at += 12;
			cr_assert_eq(test_first_diff(r.log + at, msg + got, len), -1, "frame %zu", i);
			at += len;
			got += len;
			cr_assert_eq(r.log[at++], 'E');
		}
		cr_assert_eq(got, total);
		free(copy);
		free(r.log);
	}
	free(msg);
	free(wire);
}

/* ---- Close payload --------------------------------------------------------------- */

Test(ws_frame, close_payload_both_ways)
{
	uint8_t out[WS_MAX_CONTROL_PAYLOAD + 8], reason[WS_MAX_CLOSE_REASON + 1];
	struct ws_close c = {.has_code = true, .code = 1000, .reason = (const uint8_t *)"bye",
			     .reason_len = 3}, back;
	size_t n;

	cr_assert_eq(ws_close_encode(&c, out, sizeof(out), &n), PROTO_OK);
	cr_assert_eq(n, 5);
	cr_assert_eq(test_first_diff(out, (const uint8_t *)"\x03\xe8" "bye", 5), -1);
	cr_assert_eq(ws_close_decode(out, n, &back), PROTO_OK);
	cr_assert(back.has_code);
	cr_assert_eq(back.code, 1000);
	cr_assert_eq(back.reason_len, 3);
	cr_assert_eq(memcmp(back.reason, "bye", 3), 0);

	cr_assert_eq(ws_close_decode(out, 0, &back), PROTO_OK);
	cr_assert_not(back.has_code);
	cr_assert_eq(ws_close_decode(out, 1, &back), PROTO_E_WS_CLOSE);
	c = (struct ws_close){0};
	cr_assert_eq(ws_close_encode(&c, out, sizeof(out), &n), PROTO_OK);
	cr_assert_eq(n, 0);

	/* reason length: 123 fits, 124 does not */
	memset(reason, 'r', sizeof(reason));
	c = (struct ws_close){.has_code = true, .code = 4000, .reason = reason,
			      .reason_len = WS_MAX_CLOSE_REASON};
	cr_assert_eq(ws_close_encode(&c, out, sizeof(out), &n), PROTO_OK);
	cr_assert_eq(n, WS_MAX_CONTROL_PAYLOAD);
	cr_assert_eq(ws_close_encode(&c, out, n - 1, &n), PROTO_E_BUFFER_SMALL);
	c.reason_len++;
	cr_assert_eq(ws_close_encode(&c, out, sizeof(out), &n), PROTO_E_WS_CLOSE);

	/* invalid UTF-8 in the reason, both ways */
	c = (struct ws_close){.has_code = true, .code = 1001,
			      .reason = (const uint8_t *)"\xc0\xaf", .reason_len = 2};
	cr_assert_eq(ws_close_encode(&c, out, sizeof(out), &n), PROTO_E_WS_CLOSE);
	cr_assert_eq(ws_close_decode((const uint8_t *)"\x03\xe9\xed\xa0\x80", 5, &back),
		     PROTO_E_WS_CLOSE);
	cr_assert_eq(ws_close_decode((const uint8_t *)"\x03\xe9\xe2\x82\xac", 5, &back),
		     PROTO_OK); /* U+20AC */
}

Test(ws_frame, close_codes_per_section74)
{
	static const uint16_t ok[] = {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011,
				      3000, 4000, 4999};
	static const uint16_t bad[] = {0, 999, 1004, 1005, 1006, 1012, 1015, 2999, 5000, 65535};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		uint8_t p[2] = {(uint8_t)(ok[i] >> 8), (uint8_t)ok[i]};
		struct ws_close c;

		cr_assert(ws_close_code_valid(ok[i]), "%u", ok[i]);
		cr_assert_eq(ws_close_decode(p, 2, &c), PROTO_OK, "%u", ok[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t p[2] = {(uint8_t)(bad[i] >> 8), (uint8_t)bad[i]}, out[8];
		struct ws_close c = {.has_code = true, .code = bad[i]};
		size_t n;

		cr_assert_not(ws_close_code_valid(bad[i]), "%u", bad[i]);
		cr_assert_eq(ws_close_decode(p, 2, &c), PROTO_E_WS_CLOSE, "%u", bad[i]);
		c = (struct ws_close){.has_code = true, .code = bad[i]};
		cr_assert_eq(ws_close_encode(&c, out, sizeof(out), &n), PROTO_E_WS_CLOSE);
	}
}
