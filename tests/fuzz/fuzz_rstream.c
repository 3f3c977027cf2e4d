/*
 * fuzz_rstream.c — libFuzzer target for the reliable stream's receive path.
 *
 * The input is a sequence of records: a 1-byte opcode, then a 2-byte big-endian
 * length and that many bytes. Opcodes feed raw bytes to rstream_input(), build a
 * valid peer stream frame or acknowledge with a fuzzed sequence number, send
 * data, or advance the clock and tick. Whatever arrives, the stream must not
 * crash, must stay within its configured buffer bounds, and must deliver only
 * bytes in sequence order.
 */
#include "fuzz_common.h"
#include "frame.h"
#include "payload.h"
#include "proto_err.h"
#include "rstream.h"

#include <stdlib.h>
#include <string.h>

#define WINDOW_BYTES 4096
#define WINDOW_MSGS 16
#define HOLD_BYTES 4096
#define HOLD_MSGS 8

struct fuzz_ctx {
	uint64_t rng;
	int64_t last_delivered;
};

static int transmit(void *ctx, const uint8_t *frame, size_t len)
{
	struct frame f;

	(void)ctx;
	if (frame_decode(frame, len, 0, &f) != PROTO_OK)
		abort(); /* the stream must only send valid frames */
	return 0;
}

static enum rstream_delivery deliver(void *ctx, const struct frame *f)
{
	struct fuzz_ctx *c = ctx;

	if (f->sequence_number != c->last_delivered + 1)
		abort(); /* out of order or repeated delivery */
	c->last_delivered = f->sequence_number;
	return RSTREAM_DELIVERED;
}

static void random_bytes(void *ctx, uint8_t *buf, size_t len)
{
	struct fuzz_ctx *c = ctx;

	for (size_t i = 0; i < len; i++) {
		c->rng = c->rng * 6364136223846793005ull + 1442695040888963407ull;
		buf[i] = (uint8_t)(c->rng >> 56);
	}
}

static void feed_frame(struct rstream *rs, const char *type, int64_t seq, uint32_t ptype,
		       const uint8_t *payload, size_t len, uint64_t now)
{
	struct frame f = {0}, other;
	uint8_t buf[FRAME_PAYLOAD_OFFSET + 1024];
	size_t out_len;

	strcpy(f.message_type, type);
	f.schema_version = FRAME_SCHEMA_VERSION;
	f.created_date = now;
	f.sequence_number = seq;
	f.payload_type = ptype;
	f.payload = payload;
	f.payload_len = len > 1024 ? 1024 : len;
	if (frame_encode(&f, buf, sizeof(buf), &out_len) == PROTO_OK)
		(void)rstream_input(rs, buf, out_len, now, &other);
}

static void feed_ack(struct rstream *rs, int64_t seq, uint64_t now)
{
	struct payload_ack ack = {.sequence_number = seq, .is_sequential = true};
	uint8_t *json;
	size_t len;

	strcpy(ack.message_type, "output_stream_data");
	if (payload_ack_encode(&ack, &json, &len) != PROTO_OK)
		return;
	feed_frame(rs, "acknowledge", 0, 0, json, len, now);
	free(json);
}

static void check_bounds(const struct rstream *rs)
{
	struct rstream_stats st;

	rstream_get_stats(rs, &st);
	if (st.unacked_bytes > WINDOW_BYTES || st.unacked_msgs > WINDOW_MSGS ||
	    st.buffered_bytes > HOLD_BYTES || st.buffered_msgs > HOLD_MSGS)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct rstream_ops ops = {transmit, deliver, random_bytes};
	struct rstream_config cfg = {
		.send_kind = MSG_OUTPUT_STREAM_DATA, .send_window_bytes = WINDOW_BYTES,
		.send_window_msgs = WINDOW_MSGS, .recv_buffer_bytes = HOLD_BYTES,
		.recv_buffer_msgs = HOLD_MSGS, .max_resends = 50, .honour_publication = true,
	};
	struct fuzz_ctx c = {.rng = 1, .last_delivered = -1};
	struct rstream *rs = rstream_new(&cfg, &ops, &c);
	uint64_t now = 1700000000000ull;
	size_t pos = 0;

	if (!rs)
		return 0;
	while (pos + 3 <= size) {
		uint8_t op = data[pos];
		size_t len = (size_t)data[pos + 1] << 8 | data[pos + 2];
		const uint8_t *arg = data + pos + 3;
		int64_t seq = len % 64;
		struct frame other;

		pos += 3;
		if (len > size - pos)
			len = size - pos;
		switch (op % 7) {
		case 0: (void)rstream_input(rs, arg, len, now, &other); break;
		case 1: feed_frame(rs, "input_stream_data", seq, PAYLOAD_OUTPUT, arg, len, now); break;
		case 2: feed_ack(rs, seq, now); break;
		case 3: if (len) (void)rstream_send(rs, PAYLOAD_OUTPUT, arg, len, now); break;
		case 4: now += len; (void)rstream_tick(rs, now); break;
		case 5: feed_frame(rs, len & 1 ? "pause_publication" : "start_publication",
				   0, 0, (const uint8_t *)"{}", 2, now); break;
		case 6: rstream_retry_delivery(rs); break;
		}
		pos += len;
		check_bounds(rs);
	}
	rstream_free(rs);
	return 0;
}
