/*
 * bench_smux.c — throughput of the smux session, beside anchors measured in
 * the same run: memcpy and SHA-256 of the same bytes (every data-channel
 * message that carries smux bytes is also hashed, so SHA-256 is the cost the
 * multiplexer should stay well clear of).
 *
 * Prints MB/s of stream data for: encode (smux_write of the payload as PSH
 * frames, then smux_take of the wire bytes), decode (smux_input of those wire
 * bytes in 1024-byte reads, as the official peers read their socket, into
 * on_data), and a version 2 pair moving the payload client → server with the
 * receiver's UPDs flowing back. Each as a ratio to the SHA-256 anchor.
 * Figures, not pass/fail: machines here are shared and noisy.
 */
#include "proto_err.h"
#include "smux.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_timing.h"

#define READ_SIZE 1024u

struct bench {
	uint8_t *payload, *wire, *copy;
	size_t size, wire_len;
	struct smux *tx, *rx;   /* v1 client (stream 3) and server */
	struct smux *c2, *s2;   /* the v2 pair */
	uint32_t id, id2;
	uint64_t delivered;
	uint8_t sink;
};

static void on_data(void *ctx, uint32_t id, const uint8_t *data, size_t len)
{
	struct bench *b = ctx;

	(void)id;
	memcpy(b->copy, data, len); /* as an owner copies into its connection's buffer */
	b->delivered += len;
	b->sink ^= b->copy[len - 1];
}

static void on_data_v2(void *ctx, uint32_t id, const uint8_t *data, size_t len)
{
	struct bench *b = ctx;

	on_data(ctx, id, data, len);
	smux_consumed(b->s2, id, len);
}

static void run_sha256(void *p, size_t n)
{
	struct bench *b = p;
	uint8_t md[32];

	for (size_t i = 0; i < n; i++) {
		SHA256(b->payload, b->size, md);
		b->sink ^= md[0];
	}
}

static void run_memcpy(void *p, size_t n)
{
	struct bench *b = p;

	for (size_t i = 0; i < n; i++) {
		memcpy(b->copy, b->payload, b->size);
		b->sink ^= b->copy[i % b->size];
	}
}

static void run_encode(void *p, size_t n)
{
	struct bench *b = p;

	for (size_t i = 0; i < n; i++) {
		if (smux_write(b->tx, b->id, b->payload, b->size) != (long)b->size)
			abort();
		b->wire_len = smux_take(b->tx, b->wire, b->size + 64 * SMUX_HEADER_LEN);
	}
}

static void run_decode(void *p, size_t n)
{
	struct bench *b = p;

	for (size_t i = 0; i < n; i++)
		for (size_t off = 0; off < b->wire_len; off += READ_SIZE) {
			size_t len = b->wire_len - off < READ_SIZE ? b->wire_len - off : READ_SIZE;

			if (smux_input(b->rx, b->wire + off, len) != PROTO_OK)
				abort();
		}
}

/* Move everything pending from one session into the other, in 1024-byte reads. */
static void pump(struct smux *from, struct smux *to)
{
	uint8_t buf[READ_SIZE];
	size_t len;

	while ((len = smux_take(from, buf, sizeof(buf))) > 0)
		if (smux_input(to, buf, len) != PROTO_OK)
			abort();
}

static void run_pair_v2(void *p, size_t n)
{
	struct bench *b = p;

	for (size_t i = 0; i < n; i++) {
		size_t off = 0;

		while (off < b->size) {
			long w = smux_write(b->c2, b->id2, b->payload + off, b->size - off);

			if (w < 0)
				abort();
			off += (size_t)w;
			pump(b->c2, b->s2);
			pump(b->s2, b->c2); /* the UPDs */
		}
	}
}

static void report(const char *what, size_t size, double sec_per_op, double anchor)
{
	printf("  %-34s %9.1f MB/s  %5.2fx SHA-256\n", what, (double)size / sec_per_op / 1e6,
	       anchor / sec_per_op);
}

static struct smux *session(uint8_t version, bool client, void (*data)(void *, uint32_t,
		const uint8_t *, size_t), void *ctx)
{
	struct smux_ops ops = {.on_data = data};
	struct smux_config cfg = {.version = version, .client = client, .tx_cap = 4u << 20};
	struct smux *s = smux_new(&cfg, &ops, ctx);

	if (!s)
		abort();
	return s;
}

static void bench_size(size_t size)
{
	struct bench b = {.size = size};
	double sha;

	b.payload = malloc(size);
	b.copy = malloc(size);
	b.wire = malloc(size + 64 * SMUX_HEADER_LEN);
	if (!b.payload || !b.copy || !b.wire)
		abort();
	for (size_t i = 0; i < size; i++)
		b.payload[i] = (uint8_t)(i * 31 + 7);
	b.tx = session(1, true, NULL, &b);
	b.rx = session(1, false, on_data, &b);
	b.c2 = session(2, true, NULL, &b);
	b.s2 = session(2, false, on_data_v2, &b);
	if (smux_open(b.tx, &b.id) != PROTO_OK || smux_open(b.c2, &b.id2) != PROTO_OK)
		abort();
	pump(b.tx, b.rx); /* the SYNs */
	pump(b.c2, b.s2);

	printf("payload %zu bytes:\n", size);
	sha = bench_measure(run_sha256, &b, 16);
	report("anchor: SHA-256 of the payload", size, sha, sha);
	report("anchor: memcpy of the payload", size, bench_measure(run_memcpy, &b, 16), sha);
	report("smux encode (write + take)", size, bench_measure(run_encode, &b, 16), sha);
	report("smux decode (1 KiB reads)", size, bench_measure(run_decode, &b, 16), sha);
	report("smux v2 pair (with UPDs)", size, bench_measure(run_pair_v2, &b, 16), sha);
	smux_free(b.tx);
	smux_free(b.rx);
	smux_free(b.c2);
	smux_free(b.s2);
	free(b.payload);
	free(b.copy);
	free(b.wire);
	if (b.sink == 0x5a && b.delivered == 1)
		printf(" ");
}

int main(void)
{
	printf("== proto/ smux session (higher is better)\n");
	bench_size(1024);
	bench_size(32 * 1024);
	bench_size(256 * 1024);
	return 0;
}
