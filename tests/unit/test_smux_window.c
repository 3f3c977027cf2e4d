/*
 * test_smux_window.c — version 2 flow control of the smux session
 * (smux.md §4.2; proto/smux_send.c).
 *
 * Covers: the initial peer window of 262144 bytes (smux.md §4.2), then the
 * SMUX_V2_WINDOW our receivers announce; the sender blocking at the
 * window and on_writable firing after the UPD that opens it (and not
 * otherwise); the §7 UPD example as a session applies it; UPD sent on the
 * first consumption and then only once half a window was consumed since the
 * last one; consumption clamped to what arrived; no UPD in version 1 or for
 * unknown ids; UPDs for unknown ids or claiming more than was written
 * ignored; a peer overrunning our window killed with PROTO_E_SMUX_WINDOW;
 * all of it across the 2^32 wraparound of every counter; and a client ⇄
 * server pair passing UPDs back and forth.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "byteorder.h"
#include "proto_err.h"
#include "smux_harness.h"
#include "smux_impl.h"
#include "test_util.h"

#define BIG_TX (4u * 1024u * 1024u) /* so the FIFO never limits a write here */
#define HALF (SMUX_V2_WINDOW / 2)

static uint8_t zeros[SMUX_V2_WINDOW + 65536];

static void rec_v2(struct smux_rec *r, bool client)
{
	struct smux_config cfg = {.version = 2, .client = client, .tx_cap = BIG_TX};

	rec_init(r, 2, client, &cfg);
}

static uint32_t open_drained(struct smux_rec *c)
{
	uint32_t id;
	uint8_t out[64];

	cr_assert_eq(smux_open(c->s, &id), PROTO_OK);
	(void)smux_take(c->s, out, sizeof(out));
	return id;
}

static void drain(struct smux_rec *r)
{
	static uint8_t sink[65536];

	while (smux_take(r->s, sink, sizeof(sink)))
		;
}

/* Feed a UPD(consumed, window) for id. */
static int feed_upd(struct smux_rec *r, uint32_t id, uint32_t consumed, uint32_t window)
{
	struct smux_header h = {2, SMUX_CMD_UPD, 8, id};
	uint8_t frame[SMUX_HEADER_LEN + 8];

	smux_header_encode(&h, frame);
	le32_put(frame + 8, consumed);
	le32_put(frame + 12, window);
	return smux_input(r->s, frame, sizeof(frame));
}

/* Feed n data bytes for id, as PSH frames of up to 65535. */
static int feed_data(struct smux_rec *r, uint32_t id, size_t n)
{
	while (n) {
		size_t len = n < SMUX_MAX_LENGTH ? n : SMUX_MAX_LENGTH;
		struct smux_header h = {2, SMUX_CMD_PSH, (uint16_t)len, id};
		uint8_t hdr[SMUX_HEADER_LEN];
		int rc;

		smux_header_encode(&h, hdr);
		rc = smux_input(r->s, hdr, sizeof(hdr));
		if (rc == PROTO_OK)
			rc = smux_input(r->s, zeros, len);
		if (rc != PROTO_OK)
			return rc;
		n -= len;
	}
	return PROTO_OK;
}

static struct smux_stream *stream(struct smux_rec *r, uint32_t id)
{
	struct smux_stream *st = smux_table_find(&r->s->table, id);

	cr_assert_not_null(st);
	return st;
}

/* ---- sending ------------------------------------------------------------------ */

Test(smux_window, initial_peer_window)
{
	struct smux_rec c;
	uint32_t id;

	rec_v2(&c, true);
	id = open_drained(&c);
	cr_assert_eq(smux_write_room(c.s, id), SMUX_V2_INITIAL_PEER_WINDOW);
	cr_assert_eq(smux_write(c.s, id, zeros, sizeof(zeros)), SMUX_V2_INITIAL_PEER_WINDOW);
	cr_assert_eq(smux_write_room(c.s, id), 0);
	cr_assert_eq(smux_write(c.s, id, zeros, 1), 0);
	/* another stream has its own window */
	cr_assert_eq(smux_write_room(c.s, open_drained(&c)), SMUX_V2_INITIAL_PEER_WINDOW);
	rec_fini(&c);
}

Test(smux_window, v1_has_no_window)
{
	struct smux_config cfg = {.version = 1, .client = true, .tx_cap = BIG_TX};
	struct smux_rec c;
	uint32_t id;

	rec_init(&c, 1, true, &cfg);
	id = open_drained(&c);
	cr_assert_eq(smux_write(c.s, id, zeros, sizeof(zeros)), sizeof(zeros));
	cr_assert_gt(smux_write_room(c.s, id), SMUX_V2_INITIAL_PEER_WINDOW);
	rec_fini(&c);
}

Test(smux_window, upd_opens_window_and_fires_on_writable)
{
	struct smux_rec c;
	uint32_t id;

	rec_v2(&c, true);
	id = open_drained(&c);
	cr_assert_eq(smux_write(c.s, id, zeros, sizeof(zeros)), SMUX_V2_INITIAL_PEER_WINDOW);
	drain(&c);
	/* the §7 example: consumed 32768, window 65536 — still 229376 in flight */
	cr_assert_eq(rec_input_hex(&c, "02 04 0800 03000000 00800000 00000100"), PROTO_OK);
	cr_assert_eq(smux_write_room(c.s, id), 0);
	cr_assert_str_eq(c.log, "");
	/* consumed 200704: 61440 in flight, 4096 of room */
	cr_assert_eq(feed_upd(&c, id, 200704, 65536), PROTO_OK);
	cr_assert_str_eq(c.log, "writable 3;");
	cr_assert_eq(smux_write_room(c.s, id), 4096);
	/* a further UPD while not blocked: no callback */
	cr_assert_eq(feed_upd(&c, id, 262144, 65536), PROTO_OK);
	cr_assert_str_eq(c.log, "writable 3;");
	cr_assert_eq(smux_write_room(c.s, id), 65536);
	/* blocked again by a write cut short, then opened */
	cr_assert_eq(smux_write(c.s, id, zeros, 70000), 65536);
	cr_assert_eq(feed_upd(&c, id, 262144 + 10, 65536), PROTO_OK);
	cr_assert_str_eq(c.log, "writable 3;writable 3;");
	cr_assert_eq(smux_write_room(c.s, id), 10);
	rec_fini(&c);
}

Test(smux_window, section7_upd_on_a_fresh_stream)
{
	struct smux_rec c;
	uint32_t id;

	rec_v2(&c, true);
	id = open_drained(&c);
	cr_assert_eq(smux_write(c.s, id, zeros, 40000), 40000);
	cr_assert_eq(rec_input_hex(&c, "02 04 0800 03000000 00800000 00000100"), PROTO_OK);
	cr_assert_eq(smux_write_room(c.s, id), 65536 - (40000 - 32768));
	cr_assert_str_eq(c.log, ""); /* was not blocked */
	rec_fini(&c);
}

Test(smux_window, bogus_upds_ignored)
{
	struct smux_rec c;
	uint32_t id;

	rec_v2(&c, true);
	id = open_drained(&c);
	cr_assert_eq(smux_write(c.s, id, zeros, 1000), 1000);
	/* claims 2000 consumed of 1000 written */
	cr_assert_eq(feed_upd(&c, id, 2000, 1000000), PROTO_OK);
	cr_assert_eq(smux_write_room(c.s, id), SMUX_V2_INITIAL_PEER_WINDOW - 1000);
	/* unknown stream */
	cr_assert_eq(feed_upd(&c, 99, 0, 0), PROTO_OK);
	cr_assert_eq(smux_error(c.s), PROTO_OK);
	/* a zero window stops the stream (the peer may shrink it) */
	cr_assert_eq(feed_upd(&c, id, 1000, 0), PROTO_OK);
	cr_assert_eq(smux_write_room(c.s, id), 0);
	cr_assert_str_eq(c.log, "");
	rec_fini(&c);
}

Test(smux_window, no_writable_after_fin_sent)
{
	struct smux_rec c;
	uint32_t id;

	rec_v2(&c, true);
	id = open_drained(&c);
	cr_assert_eq(smux_write(c.s, id, zeros, sizeof(zeros)), SMUX_V2_INITIAL_PEER_WINDOW);
	cr_assert_eq(smux_shutdown(c.s, id), PROTO_OK);
	cr_assert_eq(feed_upd(&c, id, SMUX_V2_INITIAL_PEER_WINDOW, SMUX_V2_WINDOW), PROTO_OK);
	cr_assert_str_eq(c.log, "");
	rec_fini(&c);
}

/* ---- receiving -------------------------------------------------------------- */

Test(smux_window, upd_on_first_consumption_then_every_half_window)
{
	struct smux_rec s;

	rec_v2(&s, false);
	cr_assert_eq(rec_input_hex(&s, "02 00 0000 03000000"), PROTO_OK);
	cr_assert_eq(feed_data(&s, 3, HALF + 100000), PROTO_OK);
	cr_assert_eq(smux_pending(s.s), 0); /* nothing before the owner consumes */
	smux_consumed(s.s, 3, 10);            /* UPD(10, 2 MiB) */
	cr_assert_str_eq(rec_take_hex(&s), "02040800030000000a00000000002000");
	smux_consumed(s.s, 3, HALF - 1);      /* HALF − 1 since the last UPD */
	cr_assert_eq(smux_pending(s.s), 0);
	smux_consumed(s.s, 3, 1);             /* half a window: UPD(10 + 1 MiB, 2 MiB) */
	cr_assert_str_eq(rec_take_hex(&s), "02040800030000000a00100000002000");
	smux_consumed(s.s, 3, 50000);
	cr_assert_eq(smux_pending(s.s), 0);
	rec_fini(&s);
}

Test(smux_window, consumption_clamped_to_what_arrived)
{
	struct smux_rec s;

	rec_v2(&s, false);
	cr_assert_eq(rec_input_hex(&s, "02 00 0000 03000000 02 02 0300 03000000 616263"), PROTO_OK);
	smux_consumed(s.s, 3, 1000);
	cr_assert_str_eq(rec_take_hex(&s), "02040800030000000300000000002000");
	smux_consumed(s.s, 3, 1000); /* nothing left to consume */
	smux_consumed(s.s, 3, 0);
	smux_consumed(s.s, 5, 1);    /* unknown stream */
	cr_assert_eq(smux_pending(s.s), 0);
	rec_fini(&s);
}

Test(smux_window, v1_sends_no_upd)
{
	struct smux_rec s;

	rec_init(&s, 1, false, NULL);
	cr_assert_eq(rec_input_hex(&s, "01 00 0000 03000000 01 02 0300 03000000 616263"), PROTO_OK);
	smux_consumed(s.s, 3, 3);
	cr_assert_eq(smux_pending(s.s), 0);
	rec_fini(&s);
}

Test(smux_window, peer_overrunning_the_window_dies)
{
	struct smux_rec s;

	rec_v2(&s, false);
	cr_assert_eq(rec_input_hex(&s, "02 00 0000 03000000 02 00 0000 05000000"), PROTO_OK);
	cr_assert_eq(feed_data(&s, 3, SMUX_V2_WINDOW), PROTO_OK);
	cr_assert_eq(feed_data(&s, 5, 1000), PROTO_OK); /* other streams unaffected */
	smux_consumed(s.s, 3, 1);
	cr_assert_eq(feed_data(&s, 3, 1), PROTO_OK);      /* exactly full again */
	cr_assert_eq(feed_data(&s, 3, 1), PROTO_E_SMUX_WINDOW);
	cr_assert_eq(smux_error(s.s), PROTO_E_SMUX_WINDOW);
	rec_fini(&s);
}

Test(smux_window, empty_psh_on_full_window_is_fine)
{
	struct smux_rec s;

	rec_v2(&s, false);
	cr_assert_eq(rec_input_hex(&s, "02 00 0000 03000000"), PROTO_OK);
	cr_assert_eq(feed_data(&s, 3, SMUX_V2_WINDOW), PROTO_OK);
	cr_assert_eq(rec_input_hex(&s, "02 02 0000 03000000"), PROTO_OK);
	/* data for a finished stream is discarded, not counted */
	cr_assert_eq(rec_input_hex(&s, "02 01 0000 03000000 02 02 0100 03000000 00"), PROTO_OK);
	cr_assert_eq(smux_error(s.s), PROTO_OK);
	rec_fini(&s);
}

/* ---- 2^32 wraparound ----------------------------------------------------------- */

Test(smux_window, sender_counters_wrap)
{
	struct smux_rec c;
	struct smux_stream *st;
	uint32_t id;

	rec_v2(&c, true);
	id = open_drained(&c);
	st = stream(&c, id);
	st->written = st->peer_consumed = 0xffffff00u; /* as if 4 GiB had gone by */
	st->peer_window = SMUX_V2_WINDOW;
	cr_assert_eq(smux_write_room(c.s, id), SMUX_V2_WINDOW);
	cr_assert_eq(smux_write(c.s, id, zeros, 512), 512);
	cr_assert_eq(st->written, 0x100u);
	cr_assert_eq(smux_write_room(c.s, id), SMUX_V2_WINDOW - 512);
	/* a UPD from before the wrap: 384 still in flight */
	cr_assert_eq(feed_upd(&c, id, 0xffffff80u, SMUX_V2_WINDOW), PROTO_OK);
	cr_assert_eq(smux_write_room(c.s, id), SMUX_V2_WINDOW - 384);
	/* and one after it */
	cr_assert_eq(feed_upd(&c, id, 0x100u, SMUX_V2_WINDOW), PROTO_OK);
	cr_assert_eq(smux_write_room(c.s, id), SMUX_V2_WINDOW);
	/* one claiming past what was written (across the wrap) is ignored */
	cr_assert_eq(feed_upd(&c, id, 0x101u, 5), PROTO_OK);
	cr_assert_eq(smux_write_room(c.s, id), SMUX_V2_WINDOW);
	/* block at the window across the wrap, and reopen */
	cr_assert_eq(smux_write(c.s, id, zeros, sizeof(zeros)), SMUX_V2_WINDOW);
	cr_assert_eq(feed_upd(&c, id, 0x100u + 7, SMUX_V2_WINDOW), PROTO_OK);
	cr_assert_str_eq(c.log, "writable 3;");
	cr_assert_eq(smux_write_room(c.s, id), 7);
	rec_fini(&c);
}

Test(smux_window, receiver_counters_wrap)
{
	struct smux_rec s;
	struct smux_stream *st;

	rec_v2(&s, false);
	cr_assert_eq(rec_input_hex(&s, "02 00 0000 03000000"), PROTO_OK);
	st = stream(&s, 3);
	st->received = st->consumed = st->upd_consumed = 0xffffff00u;
	st->upd_sent = true;
	/* a full window across the wrap, then no more */
	cr_assert_eq(feed_data(&s, 3, SMUX_V2_WINDOW), PROTO_OK);
	cr_assert_eq(st->received, 0xffffff00u + SMUX_V2_WINDOW);
	cr_assert_eq(smux_pending(s.s), 0);
	smux_consumed(s.s, 3, HALF - 1);
	cr_assert_eq(smux_pending(s.s), 0);
	smux_consumed(s.s, 3, 1); /* consumed = 0xffffff00 + 1 MiB = 0x000fff00 */
	cr_assert_str_eq(rec_take_hex(&s), "020408000300000000ff0f0000002000");
	cr_assert_eq(feed_data(&s, 3, HALF), PROTO_OK);
	cr_assert_eq(feed_data(&s, 3, 1), PROTO_E_SMUX_WINDOW);
	rec_fini(&s);
}

/* ---- a pair ------------------------------------------------------------------- */

static void move(struct smux_rec *from, struct smux_rec *to)
{
	static uint8_t buf[65536];
	size_t n;

	while ((n = smux_take(from->s, buf, sizeof(buf))) > 0)
		cr_assert_eq(smux_input(to->s, buf, n), PROTO_OK);
}

Test(smux_window, pair_blocks_and_resumes)
{
	struct smux_rec c, s;
	uint32_t id;

	rec_v2(&c, true);
	rec_v2(&s, false);
	cr_assert_eq(smux_open(c.s, &id), PROTO_OK);
	cr_assert_eq(smux_write(c.s, id, zeros, sizeof(zeros)), SMUX_V2_INITIAL_PEER_WINDOW);
	move(&c, &s);
	cr_assert_eq(strlen(s.log), strlen("open 3;data 3 ;") + 2 * SMUX_V2_INITIAL_PEER_WINDOW);
	smux_consumed(s.s, id, 1);          /* first consumption: UPD(1, SMUX_V2_WINDOW) */
	move(&s, &c);
	cr_assert_str_eq(c.log, "writable 3;");
	cr_assert_eq(smux_write_room(c.s, id), SMUX_V2_WINDOW - SMUX_V2_INITIAL_PEER_WINDOW + 1);
	smux_consumed(s.s, id, SMUX_V2_INITIAL_PEER_WINDOW - 1); /* under half a window since */
	move(&s, &c);
	cr_assert_eq(smux_write_room(c.s, id), SMUX_V2_WINDOW - SMUX_V2_INITIAL_PEER_WINDOW + 1);
	cr_assert_eq(smux_write(c.s, id, zeros, HALF), HALF);
	move(&c, &s);
	smux_consumed(s.s, id, HALF);       /* over half a window since: all consumed */
	move(&s, &c);
	cr_assert_eq(smux_write_room(c.s, id), SMUX_V2_WINDOW);
	cr_assert_str_eq(c.log, "writable 3;"); /* was not blocked: no second call */
	rec_fini(&c);
	rec_fini(&s);
}
