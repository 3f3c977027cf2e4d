/*
 * test_smux.c — the smux session (proto/smux.c, smux_send.c, smux_table.c,
 * smux_fifo.c), version 1 and the parts of version 2 that need no window.
 *
 * Covers: the examples of smux.md §7 as sessions produce and consume them;
 * the same callbacks whether frames arrive split at every byte boundary, one
 * byte at a time or many frames in one chunk; PSH data handed over in the
 * slices it arrives in; client ids 3, 5, 7, …; each protocol error through
 * smux_input() with its own code, and the session staying dead; SYN to the
 * client refused; SYN for an open id ignored; FIN and PSH for unknown or
 * closed ids discarded; PSH after FIN discarded; FIN sent once whatever the
 * mix of smux_shutdown and smux_close; max_streams on both sides; tx_cap
 * respected by smux_write while control frames always go in; PSH split at
 * frame_data; on_output only on empty → non-empty; the stream table with
 * thousands of streams. Windows (version 2) are in test_smux_window.c, the
 * two-session simulation in test_smux_sim.c.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "proto_err.h"
#include "rstream_harness.h" /* harness_rand */
#include "smux_harness.h"
#include "smux_impl.h"
#include "test_util.h"

/* Compare hex ignoring white space in the expectation. */
static void expect_hex(const char *got, const char *want)
{
	char compact[8192];
	size_t n = 0;

	for (const char *p = want; *p; p++)
		if (*p != ' ') {
			cr_assert_lt(n + 1, sizeof(compact));
			compact[n++] = *p;
		}
	compact[n] = '\0';
	cr_assert_str_eq(got, compact);
}

static void expect_log(struct smux_rec *r, const char *want)
{
	cr_assert_str_eq(r->log, want);
}

/* ---- configuration ------------------------------------------------------------ */

Test(smux_session, bad_config_is_refused)
{
	struct smux_config cfg = {.version = 0};

	cr_assert_null(smux_new(&cfg, NULL, NULL));
	cfg.version = 3;
	cr_assert_null(smux_new(&cfg, NULL, NULL));
	cr_assert_null(smux_new(NULL, NULL, NULL));
	smux_free(NULL);
}

Test(smux_session, null_ops_are_allowed)
{
	struct smux_config cfg = {.version = 1};
	struct smux *s = smux_new(&cfg, NULL, NULL);
	uint8_t in[] = {1, 0, 0, 0, 3, 0, 0, 0, 1, 2, 1, 0, 3, 0, 0, 0, 'x', 1, 1, 0, 0, 3, 0, 0, 0};

	cr_assert_not_null(s);
	cr_assert_eq(smux_input(s, in, sizeof(in)), PROTO_OK);
	cr_assert(smux_stream_open(s, 3));
	smux_free(s);
}

/* ---- smux.md §7 as sessions see it --------------------------------------------- */

Test(smux_session, client_emits_section7_frames)
{
	struct smux_rec c;
	uint32_t id;

	rec_init(&c, 1, true, NULL);
	cr_assert_eq(smux_open(c.s, &id), PROTO_OK);
	cr_assert_eq(id, 3);
	expect_hex(rec_take_hex(&c), "01 00 0000 03000000");
	cr_assert_eq(smux_write(c.s, 3, (const uint8_t *)"hello", 5), 5);
	expect_hex(rec_take_hex(&c), "01 02 0500 03000000 68656c6c6f");
	smux_close(c.s, 3);
	expect_hex(rec_take_hex(&c), "01 01 0000 03000000");
	smux_keepalive(c.s);
	expect_hex(rec_take_hex(&c), "01 03 0000 00000000");
	cr_assert_eq(smux_stream_count(c.s), 0);
	rec_fini(&c);
}

Test(smux_session, client_first_message_both_forms)
{
	struct smux_rec c;
	uint32_t id;

	/* SYN alone, then SYN and the application's first bytes together */
	rec_init(&c, 1, true, NULL);
	cr_assert_eq(smux_open(c.s, &id), PROTO_OK);
	expect_hex(rec_take_hex(&c), "01000000 03000000");
	cr_assert_eq(smux_open(c.s, &id), PROTO_OK);
	cr_assert_eq(smux_write(c.s, id, (const uint8_t *)"hello", 5), 5);
	expect_hex(rec_take_hex(&c), "01000000050000000102050005000000 68656c6c6f");
	rec_fini(&c);
}

Test(smux_session, server_reads_section7_frames)
{
	struct smux_rec s;

	rec_init(&s, 1, false, NULL);
	cr_assert_eq(rec_input_hex(&s, "01000000030000000102050003000000 68656c6c6f"), PROTO_OK);
	expect_log(&s, "open 3;data 3 68656c6c6f;");
	cr_assert_eq(rec_input_hex(&s, "01 03 0000 00000000"), PROTO_OK);
	cr_assert_eq(rec_input_hex(&s, "01 01 0000 03000000"), PROTO_OK);
	expect_log(&s, "open 3;data 3 68656c6c6f;fin 3;");
	cr_assert(smux_stream_open(s.s, 3)); /* open until the owner closes it */
	cr_assert_eq(smux_pending(s.s), 0);  /* nothing is answered by itself */
	smux_close(s.s, 3);
	expect_hex(rec_take_hex(&s), "01 01 0000 03000000");
	cr_assert_eq(smux_stream_count(s.s), 0);
	rec_fini(&s);
}

Test(smux_session, v2_session_frames_carry_version_2)
{
	struct smux_rec c;
	uint32_t id;

	rec_init(&c, 2, true, NULL);
	cr_assert_eq(smux_open(c.s, &id), PROTO_OK);
	cr_assert_eq(smux_write(c.s, id, (const uint8_t *)"hello", 5), 5);
	smux_close(c.s, id);
	smux_keepalive(c.s);
	expect_hex(rec_take_hex(&c), "02 00 0000 03000000 02 02 0500 03000000 68656c6c6f"
				     "02 01 0000 03000000 02 03 0000 00000000");
	rec_fini(&c);
}

/* ---- chunking ---------------------------------------------------------------- */

/* A busy server-side byte stream: opens, data of several sizes, interleaving,
 * NOPs, an empty PSH, a duplicate SYN, data and FIN for unknown ids, FINs;
 * with `big`, one PSH of 65535 in the middle. */
static uint8_t *busy_stream(bool big, size_t *len)
{
	static const struct { uint8_t cmd; uint32_t id; uint16_t len; } frames[] = {
		{SMUX_CMD_SYN, 3, 0},   {SMUX_CMD_PSH, 3, 5},   {SMUX_CMD_SYN, 5, 0},
		{SMUX_CMD_NOP, 0, 0},   {SMUX_CMD_PSH, 5, 300}, {SMUX_CMD_PSH, 3, 1},
		{SMUX_CMD_PSH, 3, 0},   {SMUX_CMD_SYN, 3, 0},   {SMUX_CMD_PSH, 9, 17},
		{SMUX_CMD_FIN, 11, 0},  {SMUX_CMD_PSH, 5, 65535}, {SMUX_CMD_FIN, 3, 0},
		{SMUX_CMD_SYN, 7, 0},   {SMUX_CMD_PSH, 7, 2},   {SMUX_CMD_FIN, 7, 0},
		{SMUX_CMD_PSH, 5, 9},   {SMUX_CMD_NOP, 0, 0},
	};
	size_t total = 0, pos = 0;
	uint8_t *buf;
	uint64_t rng = 42;

	for (size_t i = 0; i < sizeof(frames) / sizeof(frames[0]); i++)
		total += SMUX_HEADER_LEN + (frames[i].len == 65535 && !big ? 40 : frames[i].len);
	buf = malloc(total);
	cr_assert_not_null(buf);
	for (size_t i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
		uint16_t n = frames[i].len == 65535 && !big ? 40 : frames[i].len;
		struct smux_header h = {1, frames[i].cmd, n, frames[i].id};

		smux_header_encode(&h, buf + pos);
		pos += SMUX_HEADER_LEN;
		for (size_t j = 0; j < n; j++)
			buf[pos++] = (uint8_t)harness_rand(&rng);
	}
	*len = total;
	return buf;
}

static char *log_for_chunks(const uint8_t *buf, size_t len, size_t a, size_t b)
{
	struct smux_rec r;
	char *log;

	/* three pieces: [0,a) [a,b) [b,len) */
	rec_init(&r, 1, false, NULL);
	cr_assert_eq(smux_input(r.s, buf, a), PROTO_OK);
	cr_assert_eq(smux_input(r.s, buf + a, b - a), PROTO_OK);
	cr_assert_eq(smux_input(r.s, buf + b, len - b), PROTO_OK);
	log = strdup(r.log);
	rec_fini(&r);
	return log;
}

Test(smux_chunks, one_chunk_gives_expected_events)
{
	size_t len;
	uint8_t *buf = busy_stream(true, &len);
	struct smux_rec r;

	rec_init(&r, 1, false, NULL);
	cr_assert_eq(smux_input(r.s, buf, len), PROTO_OK);
	/* the events in order, data merged per run: */
	cr_assert(strncmp(r.log, "open 3;data 3 ", 14) == 0);
	cr_assert_not_null(strstr(r.log, ";open 5;data 5 "));
	cr_assert_not_null(strstr(r.log, ";fin 3;open 7;data 7 "));
	cr_assert_null(strstr(r.log, "data 9 ")); /* PSH for unknown 9 discarded */
	cr_assert_null(strstr(r.log, "fin 11;")); /* FIN for unknown 11 ignored */
	cr_assert_eq(smux_stream_count(r.s), 3);
	cr_assert_eq(smux_pending(r.s), 0);
	cr_assert_eq(r.data_calls, 6);            /* one per non-empty PSH of an open id */
	rec_fini(&r);
	free(buf);
}

Test(smux_chunks, every_split_point_gives_same_events)
{
	size_t len;
	uint8_t *buf = busy_stream(false, &len);
	char *whole = log_for_chunks(buf, len, len, len);

	for (size_t a = 0; a <= len; a++) {
		char *log = log_for_chunks(buf, len, a, len);

		cr_assert_str_eq(log, whole, "split at %zu", a);
		free(log);
	}
	free(whole);
	free(buf);
}

Test(smux_chunks, every_pair_of_split_points_gives_same_events)
{
	size_t len;
	uint8_t *buf = busy_stream(false, &len);
	char *whole = log_for_chunks(buf, len, len, len);

	for (size_t a = 0; a <= len; a++)
		for (size_t b = a; b <= len; b++) {
			char *log = log_for_chunks(buf, len, a, b);

			cr_assert_str_eq(log, whole, "cuts at %zu, %zu", a, b);
			free(log);
		}
	free(whole);
	free(buf);
}

Test(smux_chunks, byte_by_byte_gives_same_events_in_slices)
{
	size_t len;
	uint8_t *buf = busy_stream(true, &len);
	char *whole = log_for_chunks(buf, len, len, len);
	struct smux_rec r;

	rec_init(&r, 1, false, NULL);
	for (size_t i = 0; i < len; i++) {
		uint8_t *one = test_dup_exact(buf + i, 1);

		cr_assert_eq(smux_input(r.s, one, 1), PROTO_OK);
		free(one);
	}
	cr_assert_str_eq(r.log, whole);
	cr_assert_eq(r.largest_slice, 1); /* data is never held back for a whole frame */
	rec_fini(&r);
	free(whole);
	free(buf);
}

Test(smux_chunks, random_chunks_of_a_big_stream)
{
	size_t len;
	uint8_t *buf = busy_stream(true, &len);
	char *whole = log_for_chunks(buf, len, len, len);
	uint64_t rng = 5;

	for (int round = 0; round < 50; round++) {
		struct smux_rec r;
		size_t pos = 0;

		rec_init(&r, 1, false, NULL);
		while (pos < len) {
			size_t n = 1 + harness_rand(&rng) % 3000;
			uint8_t *chunk;

			if (n > len - pos)
				n = len - pos;
			chunk = test_dup_exact(buf + pos, n);
			cr_assert_eq(smux_input(r.s, chunk, n), PROTO_OK);
			free(chunk);
			pos += n;
		}
		cr_assert_str_eq(r.log, whole, "round %d", round);
		rec_fini(&r);
	}
	free(whole);
	free(buf);
}

Test(smux_chunks, big_psh_handed_over_as_it_arrives)
{
	struct smux_rec r;
	uint8_t *frame = calloc(1, SMUX_HEADER_LEN + SMUX_MAX_LENGTH);
	struct smux_header h = {1, SMUX_CMD_PSH, SMUX_MAX_LENGTH, 3};
	size_t pos = 0;

	cr_assert_not_null(frame);
	smux_header_encode(&h, frame);
	rec_init(&r, 1, false, NULL);
	cr_assert_eq(rec_input_hex(&r, "01 00 0000 03000000"), PROTO_OK);
	while (pos < SMUX_HEADER_LEN + SMUX_MAX_LENGTH) {
		size_t n = SMUX_HEADER_LEN + SMUX_MAX_LENGTH - pos < 1000
				   ? SMUX_HEADER_LEN + SMUX_MAX_LENGTH - pos : 1000;
		size_t before = r.data_calls;

		cr_assert_eq(smux_input(r.s, frame + pos, n), PROTO_OK);
		if (pos > 0) /* every chunk after the header's is delivered at once */
			cr_assert_eq(r.data_calls, before + 1);
		pos += n;
	}
	cr_assert_eq(r.largest_slice, 1000);
	cr_assert_eq(r.log_len, strlen("open 3;data 3 ;") + 2 * SMUX_MAX_LENGTH);
	rec_fini(&r);
	free(frame);
}

/* ---- stream ids ---------------------------------------------------------------- */

Test(smux_ids, client_ids_are_3_5_7)
{
	struct smux_rec c;
	uint32_t id;

	rec_init(&c, 1, true, NULL);
	for (uint32_t want = 3; want < 3 + 2 * 100; want += 2) {
		cr_assert_eq(smux_open(c.s, &id), PROTO_OK);
		cr_assert_eq(id, want);
		if (want % 3 == 0)
			smux_close(c.s, id); /* ids are never reused */
	}
	rec_fini(&c);
}

Test(smux_ids, server_never_opens)
{
	struct smux_rec s;
	uint32_t id = 77;

	rec_init(&s, 1, false, NULL);
	cr_assert_eq(smux_open(s.s, &id), PROTO_E_STATE);
	cr_assert_eq(id, 77);
	cr_assert_eq(smux_pending(s.s), 0);
	rec_fini(&s);
}

Test(smux_ids, server_accepts_any_new_id)
{
	struct smux_rec s;

	rec_init(&s, 1, false, NULL);
	cr_assert_eq(rec_input_hex(&s, "01 00 0000 00000000 01 00 0000 02000000"
				       "01 00 0000 ffffffff 01 00 0000 03000000"), PROTO_OK);
	expect_log(&s, "open 0;open 2;open 4294967295;open 3;");
	rec_fini(&s);
}

Test(smux_ids, client_ids_run_out)
{
	struct smux_rec c;
	uint32_t id;

	rec_init(&c, 1, true, NULL);
	c.s->last_id = UINT32_MAX - 4; /* white box: skip four billion opens */
	cr_assert_eq(smux_open(c.s, &id), PROTO_OK);
	cr_assert_eq(id, UINT32_MAX - 2);
	cr_assert_eq(smux_open(c.s, &id), PROTO_OK);
	cr_assert_eq(id, UINT32_MAX);
	cr_assert_eq(smux_open(c.s, &id), PROTO_E_SMUX_STREAMS);
	cr_assert_eq(smux_error(c.s), PROTO_OK); /* the session lives on */
	rec_fini(&c);
}

/* ---- protocol errors ------------------------------------------------------------ */

static void expect_death(uint8_t version, bool client, const char *prefix, const char *bad,
			 int code)
{
	struct smux_rec r;
	char *log;
	uint32_t id;

	rec_init(&r, version, client, NULL);
	cr_assert_eq(rec_input_hex(&r, prefix), PROTO_OK);
	log = strdup(r.log);
	cr_assert_eq(rec_input_hex(&r, bad), code, "%s", bad);
	cr_assert_eq(smux_error(r.s), code);
	/* dead: everything after is refused, nothing more reported or sent */
	(void)rec_take_hex(&r);
	cr_assert_eq(rec_input_hex(&r, "01 03 0000 00000000"), code);
	cr_assert_eq(rec_input_hex(&r, ""), code);
	cr_assert_eq(smux_write(r.s, 3, (const uint8_t *)"x", 1), PROTO_E_STATE);
	cr_assert_eq(smux_write_room(r.s, 3), 0);
	cr_assert_eq(smux_open(r.s, &id), PROTO_E_STATE);
	cr_assert_eq(smux_shutdown(r.s, 3), PROTO_E_STATE);
	smux_keepalive(r.s);
	smux_consumed(r.s, 3, 1);
	smux_close(r.s, 3);
	cr_assert_eq(smux_pending(r.s), 0);
	cr_assert_str_eq(r.log, log);
	free(log);
	rec_fini(&r);
}

Test(smux_errors, each_error_through_input)
{
	const char *open3 = "01 00 0000 03000000";

	expect_death(1, false, open3, "02 02 0100 03000000 ff", PROTO_E_SMUX_VERSION);
	expect_death(2, false, "02 00 0000 03000000", "01 03 0000 00000000", PROTO_E_SMUX_VERSION);
	expect_death(1, false, open3, "01 05 0000 03000000", PROTO_E_SMUX_CMD);
	expect_death(1, false, open3, "01 04 0800 03000000 0000000000000100", PROTO_E_SMUX_CMD);
	expect_death(1, false, open3, "01 00 0400 05000000 00000000", PROTO_E_SMUX_LENGTH);
	expect_death(1, false, open3, "01 01 0100 03000000 00", PROTO_E_SMUX_LENGTH);
	expect_death(1, false, open3, "01 03 0100 00000000 00", PROTO_E_SMUX_LENGTH);
	expect_death(2, false, "02 00 0000 03000000", "02 04 0400 03000000 00000000",
		     PROTO_E_SMUX_LENGTH);
	expect_death(1, true, "", open3, PROTO_E_SMUX_SYN);
	expect_death(2, true, "", "02 00 0000 04000000", PROTO_E_SMUX_SYN);
}

Test(smux_errors, error_mid_chunk_stops_there)
{
	struct smux_rec r;

	/* a good frame, a bad one, then a frame that must never be seen */
	rec_init(&r, 1, false, NULL);
	cr_assert_eq(rec_input_hex(&r, "01 00 0000 03000000 01 09 0000 03000000 01 00 0000 05000000"),
		     PROTO_E_SMUX_CMD);
	expect_log(&r, "open 3;");
	cr_assert(!smux_stream_open(r.s, 5));
	rec_fini(&r);
}

Test(smux_errors, header_split_before_error_byte)
{
	struct smux_rec r;

	rec_init(&r, 1, false, NULL);
	cr_assert_eq(rec_input_hex(&r, "01"), PROTO_OK);
	cr_assert_eq(rec_input_hex(&r, "07 0000 0300"), PROTO_OK); /* 6 of 8 bytes: undecided */
	cr_assert_eq(rec_input_hex(&r, "00"), PROTO_OK);
	cr_assert_eq(rec_input_hex(&r, "00"), PROTO_E_SMUX_CMD);
	rec_fini(&r);
}

static void reenter(void *ctx, uint32_t id)
{
	struct smux_rec *r = ctx;
	uint8_t nop[] = {1, 3, 0, 0, 0, 0, 0, 0};

	(void)id;
	cr_assert_eq(smux_input(r->s, nop, sizeof(nop)), PROTO_E_STATE);
	r->outputs = 1000;
}

Test(smux_errors, input_from_a_callback_is_refused)
{
	struct smux_config cfg = {.version = 1};
	struct smux_ops ops = {.on_open = reenter};
	struct smux_rec r = {0};
	uint8_t syn[] = {1, 0, 0, 0, 3, 0, 0, 0};

	r.s = smux_new(&cfg, &ops, &r);
	cr_assert_eq(smux_input(r.s, syn, sizeof(syn)), PROTO_OK);
	cr_assert_eq(r.outputs, 1000);
	cr_assert_eq(smux_error(r.s), PROTO_OK);
	smux_free(r.s);
}

/* ---- stream life ------------------------------------------------------------------ */

Test(smux_streams, duplicate_syn_ignored)
{
	struct smux_rec s;

	rec_init(&s, 1, false, NULL);
	cr_assert_eq(rec_input_hex(&s, "01 00 0000 03000000 01 02 0100 03000000 61"
				       "01 00 0000 03000000 01 02 0100 03000000 62"), PROTO_OK);
	expect_log(&s, "open 3;data 3 6162;");
	cr_assert_eq(smux_stream_count(s.s), 1);
	rec_fini(&s);
}

Test(smux_streams, unknown_ids_discarded)
{
	struct smux_rec s, c;
	uint32_t id;

	rec_init(&s, 1, false, NULL);
	cr_assert_eq(rec_input_hex(&s, "01 02 0300 03000000 616263 01 01 0000 03000000"
				       "01 02 0000 05000000"), PROTO_OK);
	expect_log(&s, "");
	cr_assert_eq(smux_stream_count(s.s), 0);
	cr_assert_eq(smux_pending(s.s), 0);
	rec_fini(&s);

	rec_init(&c, 1, true, NULL);
	cr_assert_eq(smux_open(c.s, &id), PROTO_OK);
	cr_assert_eq(rec_input_hex(&c, "01 02 0200 05000000 6162 01 01 0000 07000000"
				       "01 02 0100 03000000 7a"), PROTO_OK);
	expect_log(&c, "data 3 7a;");
	rec_fini(&c);
}

Test(smux_streams, frames_after_local_close_discarded)
{
	struct smux_rec s;

	rec_init(&s, 1, false, NULL);
	cr_assert_eq(rec_input_hex(&s, "01 00 0000 03000000"), PROTO_OK);
	smux_close(s.s, 3);
	expect_hex(rec_take_hex(&s), "01 01 0000 03000000");
	cr_assert_eq(rec_input_hex(&s, "01 02 0300 03000000 616263 01 01 0000 03000000"), PROTO_OK);
	expect_log(&s, "open 3;");
	cr_assert_eq(smux_pending(s.s), 0);
	cr_assert_eq(smux_write(s.s, 3, (const uint8_t *)"x", 1), PROTO_E_STATE);
	rec_fini(&s);
}

Test(smux_streams, data_after_fin_discarded_and_fin_reported_once)
{
	struct smux_rec s;

	rec_init(&s, 1, false, NULL);
	cr_assert_eq(rec_input_hex(&s, "01 00 0000 03000000 01 02 0100 03000000 61"
				       "01 01 0000 03000000 01 02 0100 03000000 62"
				       "01 01 0000 03000000"), PROTO_OK);
	expect_log(&s, "open 3;data 3 61;fin 3;");
	/* the owner may still answer on a stream the peer finished */
	cr_assert_eq(smux_write(s.s, 3, (const uint8_t *)"ok", 2), 2);
	expect_hex(rec_take_hex(&s), "01 02 0200 03000000 6f6b");
	rec_fini(&s);
}

Test(smux_streams, close_from_fin_callback)
{
	struct smux_rec s;

	rec_init(&s, 1, false, NULL);
	s.close_on_fin = true;
	cr_assert_eq(rec_input_hex(&s, "01 00 0000 03000000 01 01 0000 03000000"
				       "01 02 0100 03000000 62"), PROTO_OK);
	expect_log(&s, "open 3;fin 3;");
	cr_assert_eq(smux_stream_count(s.s), 0);
	expect_hex(rec_take_hex(&s), "01 01 0000 03000000");
	rec_fini(&s);
}

static void close_on_data(void *ctx, uint32_t id, const uint8_t *data, size_t len)
{
	struct smux *s = *(struct smux **)ctx;

	(void)data;
	(void)len;
	smux_close(s, id);
}

Test(smux_streams, close_from_data_callback_mid_frame)
{
	struct smux_config cfg = {.version = 1};
	struct smux_ops ops = {.on_data = close_on_data};
	struct smux *s;
	uint8_t in[] = {1, 0, 0, 0, 3, 0, 0, 0, 1, 2, 4, 0, 3, 0, 0, 0, 'a', 'b', 'c', 'd'};

	s = smux_new(&cfg, &ops, &s);
	cr_assert_eq(smux_input(s, in, 18), PROTO_OK); /* "ab": closes the stream */
	cr_assert_eq(smux_stream_count(s), 0);
	cr_assert_eq(smux_input(s, in + 18, 2), PROTO_OK); /* "cd": dropped */
	cr_assert_eq(smux_pending(s), SMUX_HEADER_LEN);
	smux_free(s);
}

Test(smux_streams, fin_sent_once)
{
	struct smux_rec c;
	uint32_t a, b, d;

	rec_init(&c, 1, true, NULL);
	cr_assert_eq(smux_open(c.s, &a), PROTO_OK);
	cr_assert_eq(smux_open(c.s, &b), PROTO_OK);
	cr_assert_eq(smux_open(c.s, &d), PROTO_OK);
	(void)rec_take_hex(&c);
	/* close, close again */
	smux_close(c.s, a);
	smux_close(c.s, a);
	/* shutdown, shutdown again, write refused, close */
	cr_assert_eq(smux_shutdown(c.s, b), PROTO_OK);
	cr_assert_eq(smux_shutdown(c.s, b), PROTO_OK);
	cr_assert_eq(smux_write(c.s, b, (const uint8_t *)"x", 1), PROTO_E_STATE);
	cr_assert_eq(smux_write_room(c.s, b), 0);
	smux_close(c.s, b);
	/* close of an id never opened */
	smux_close(c.s, 99);
	cr_assert_eq(smux_shutdown(c.s, 99), PROTO_E_STATE);
	expect_hex(rec_take_hex(&c), "01 01 0000 03000000 01 01 0000 05000000");
	cr_assert_eq(smux_stream_count(c.s), 1);
	rec_fini(&c);
}

Test(smux_streams, half_close_keeps_receiving)
{
	struct smux_rec c;
	uint32_t id;

	rec_init(&c, 1, true, NULL);
	cr_assert_eq(smux_open(c.s, &id), PROTO_OK);
	cr_assert_eq(smux_shutdown(c.s, id), PROTO_OK);
	cr_assert_eq(rec_input_hex(&c, "01 02 0200 03000000 6869 01 01 0000 03000000"), PROTO_OK);
	expect_log(&c, "data 3 6869;fin 3;");
	smux_close(c.s, id);
	expect_hex(rec_take_hex(&c), "01 00 0000 03000000 01 01 0000 03000000");
	rec_fini(&c);
}

Test(smux_streams, max_streams_server)
{
	struct smux_config cfg = {.version = 1, .max_streams = 3};
	struct smux_rec s;

	rec_init(&s, 1, false, &cfg);
	cr_assert_eq(rec_input_hex(&s, "01 00 0000 03000000 01 00 0000 05000000 01 00 0000 07000000"),
		     PROTO_OK);
	smux_close(s.s, 5); /* room for one more */
	cr_assert_eq(rec_input_hex(&s, "01 00 0000 09000000 01 00 0000 07000000"), PROTO_OK);
	cr_assert_eq(rec_input_hex(&s, "01 00 0000 0b000000"), PROTO_E_SMUX_STREAMS);
	expect_log(&s, "open 3;open 5;open 7;open 9;");
	rec_fini(&s);
}

Test(smux_streams, max_streams_client)
{
	struct smux_config cfg = {.version = 1, .client = true, .max_streams = 2};
	struct smux_rec c;
	uint32_t a, b, d;

	rec_init(&c, 1, true, &cfg);
	cr_assert_eq(smux_open(c.s, &a), PROTO_OK);
	cr_assert_eq(smux_open(c.s, &b), PROTO_OK);
	cr_assert_eq(smux_open(c.s, &d), PROTO_E_SMUX_STREAMS);
	smux_close(c.s, a);
	cr_assert_eq(smux_open(c.s, &d), PROTO_OK);
	cr_assert_eq(d, 7);
	cr_assert_eq(smux_error(c.s), PROTO_OK);
	rec_fini(&c);
}

Test(smux_streams, default_max_streams)
{
	struct smux_rec c;
	uint32_t id;

	rec_init(&c, 1, true, NULL);
	for (size_t i = 0; i < SMUX_DEFAULT_MAX_STREAMS; i++)
		cr_assert_eq(smux_open(c.s, &id), PROTO_OK);
	cr_assert_eq(smux_open(c.s, &id), PROTO_E_SMUX_STREAMS);
	cr_assert_eq(smux_stream_count(c.s), SMUX_DEFAULT_MAX_STREAMS);
	rec_fini(&c);
}

/* ---- output: tx_cap, frame sizes, on_output ------------------------------------- */

static uint8_t *pattern(size_t n)
{
	uint8_t *p = malloc(n ? n : 1);

	cr_assert_not_null(p);
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + i / 251);
	return p;
}

Test(smux_output, write_splits_at_frame_data)
{
	struct smux_rec c;
	uint8_t *data = pattern(70000), *out = malloc(80000);
	uint32_t id;
	size_t n, pos = 0;
	static const uint16_t sizes[] = {32768, 32768, 4464};

	rec_init(&c, 1, true, NULL);
	cr_assert_eq(smux_open(c.s, &id), PROTO_OK);
	(void)rec_take_hex(&c);
	cr_assert_eq(smux_write(c.s, id, data, 70000), 70000);
	n = smux_take(c.s, out, 80000);
	cr_assert_eq(n, 70000 + 3 * SMUX_HEADER_LEN);
	for (size_t i = 0; i < 3; i++) {
		struct smux_header h;

		cr_assert_eq(smux_header_decode(out + pos, 1, &h), PROTO_OK);
		cr_assert_eq(h.cmd, SMUX_CMD_PSH);
		cr_assert_eq(h.stream_id, id);
		cr_assert_eq(h.length, sizes[i]);
		cr_assert_eq(memcmp(out + pos + SMUX_HEADER_LEN, data + (pos - i * SMUX_HEADER_LEN),
				    h.length), 0);
		pos += SMUX_HEADER_LEN + h.length;
	}
	rec_fini(&c);
	free(data);
	free(out);
}

Test(smux_output, configured_frame_data)
{
	struct smux_config cfg = {.version = 1, .client = true, .frame_data = 100};
	struct smux_rec c;
	uint8_t *data = pattern(250);
	uint32_t id;

	rec_init(&c, 1, true, &cfg);
	cr_assert_eq(smux_open(c.s, &id), PROTO_OK);
	(void)rec_take_hex(&c);
	cr_assert_eq(smux_write(c.s, id, data, 250), 250);
	cr_assert_eq(smux_pending(c.s), 250 + 3 * SMUX_HEADER_LEN);
	rec_fini(&c);
	free(data);

	/* above the 16-bit Length: clamped to 65535 */
	cfg.frame_data = 100000;
	rec_init(&c, 1, true, &cfg);
	cr_assert_eq(c.s->cfg.frame_data, SMUX_MAX_LENGTH);
	rec_fini(&c);
}

Test(smux_output, tx_cap_bounds_data_not_control)
{
	struct smux_config cfg = {.version = 1, .client = true, .tx_cap = 1000, .frame_data = 100};
	struct smux_rec c;
	uint8_t *data = pattern(5000), out[2000];
	uint32_t a, b;
	long n;

	rec_init(&c, 1, true, &cfg);
	cr_assert_eq(smux_open(c.s, &a), PROTO_OK);
	cr_assert_eq(smux_open(c.s, &b), PROTO_OK);
	/* 16 bytes of SYNs queued: 984 left = 9 frames of 108 (972) + 12 → 4 data */
	cr_assert_eq(smux_write_room(c.s, a), 9 * 100 + 4);
	n = smux_write(c.s, a, data, 5000);
	cr_assert_eq(n, 904);
	cr_assert_eq(smux_pending(c.s), 1000);
	cr_assert_eq(smux_write_room(c.s, a), 0);
	cr_assert_eq(smux_write(c.s, b, data, 5000), 0);
	/* control frames still go in, past tx_cap by their own size */
	smux_close(c.s, b);
	smux_keepalive(c.s);
	cr_assert_eq(smux_pending(c.s), 1016);
	cr_assert_eq(smux_write(c.s, a, data, 1), 0);
	/* draining makes room again */
	cr_assert_eq(smux_take(c.s, out, 116), 116);
	cr_assert_eq(smux_write_room(c.s, a), 92);
	cr_assert_eq(smux_write(c.s, a, data + 904, 5000), 92);
	cr_assert_eq(smux_pending(c.s), 1000);
	rec_fini(&c);
	free(data);
}

Test(smux_output, tiny_tx_cap_still_progresses)
{
	struct smux_config cfg = {.version = 1, .client = true, .tx_cap = 1};
	struct smux_rec c;
	uint32_t id;
	uint8_t out[64];

	rec_init(&c, 1, true, &cfg);
	cr_assert_eq(smux_open(c.s, &id), PROTO_OK);
	(void)smux_take(c.s, out, sizeof(out));
	cr_assert_eq(smux_write(c.s, id, (const uint8_t *)"abc", 3), 1);
	expect_hex(rec_take_hex(&c), "01 02 0100 03000000 61");
	rec_fini(&c);
}

Test(smux_output, on_output_only_when_fifo_becomes_non_empty)
{
	struct smux_rec c;
	uint32_t id;
	uint8_t out[10];

	rec_init(&c, 1, true, NULL);
	cr_assert_eq(c.outputs, 0);
	cr_assert_eq(smux_open(c.s, &id), PROTO_OK);
	cr_assert_eq(c.outputs, 1);
	cr_assert_eq(smux_write(c.s, id, (const uint8_t *)"abc", 3), 3);
	smux_keepalive(c.s);
	cr_assert_eq(c.outputs, 1);
	cr_assert_eq(smux_take(c.s, out, sizeof(out)), 10); /* partly drained */
	smux_keepalive(c.s);
	cr_assert_eq(c.outputs, 1);
	while (smux_take(c.s, out, sizeof(out)))
		;
	cr_assert_eq(smux_write(c.s, id, (const uint8_t *)"", 0), 0); /* nothing queued */
	cr_assert_eq(c.outputs, 1);
	smux_keepalive(c.s);
	cr_assert_eq(c.outputs, 2);
	rec_fini(&c);
}

Test(smux_output, take_in_any_sizes_keeps_order)
{
	struct smux_rec c;
	uint8_t *data = pattern(200000), *got = malloc(300000);
	size_t got_len = 0;
	uint64_t rng = 7;
	uint32_t id;

	rec_init(&c, 1, true, NULL);
	cr_assert_eq(smux_open(c.s, &id), PROTO_OK);
	/* queue, and take in random sizes, interleaved: the FIFO wraps and grows */
	for (size_t off = 0; off < 200000;) {
		size_t n = 1 + harness_rand(&rng) % 5000, m;
		long w;

		if (n > 200000 - off)
			n = 200000 - off;
		w = smux_write(c.s, id, data + off, n);
		cr_assert_geq(w, 0);
		off += (size_t)w;
		m = harness_rand(&rng) % 4000;
		got_len += smux_take(c.s, got + got_len, m);
	}
	got_len += smux_take(c.s, got + got_len, 300000);
	/* what it should be: SYN, then the same writes as frames */
	cr_assert_eq(smux_pending(c.s), 0);
	cr_assert_gt(got_len, 200000);
	{
		struct smux_rec s;

		rec_init(&s, 1, false, NULL);
		cr_assert_eq(smux_input(s.s, got, got_len), PROTO_OK);
		cr_assert_eq(s.log_len, strlen("open 3;data 3 ;") + 2 * 200000);
		for (size_t i = 0; i < 200000; i++) {
			char hex[3];

			hex_encode(data + i, 1, hex);
			cr_assert(memcmp(s.log + strlen("open 3;data 3 ") + 2 * i, hex, 2) == 0,
				  "byte %zu", i);
		}
		rec_fini(&s);
	}
	rec_fini(&c);
	free(data);
	free(got);
}

/* ---- the stream table ----------------------------------------------------------- */

Test(smux_table, thousands_of_streams)
{
	struct smux_config cfg = {.version = 1, .max_streams = 20000};
	struct smux_rec s;
	uint8_t frame[SMUX_HEADER_LEN];
	uint32_t *ids = malloc(10000 * sizeof(*ids));
	bool *open = calloc(10000, sizeof(*open));
	uint64_t rng = 3;
	size_t count = 0;

	rec_init(&s, 1, false, &cfg);
	/* ids of every shape: sequential odd, and random */
	for (size_t i = 0; i < 10000; i++) {
		struct smux_header h = {1, SMUX_CMD_SYN, 0, 0};

		ids[i] = i < 5000 ? 3 + 2 * (uint32_t)i : (uint32_t)harness_rand(&rng) | 1u << 31;
		h.stream_id = ids[i];
		smux_header_encode(&h, frame);
		cr_assert_eq(smux_input(s.s, frame, sizeof(frame)), PROTO_OK);
		if (!open[i]) {
			open[i] = true;
			count++;
		}
	}
	cr_assert_eq(smux_stream_count(s.s), count);
	/* close a random half, then check every id */
	for (size_t i = 0; i < 10000; i++)
		if (harness_rand(&rng) & 1) {
			smux_close(s.s, ids[i]);
			open[i] = false;
			count--;
		}
	cr_assert_eq(smux_stream_count(s.s), count);
	for (size_t i = 0; i < 10000; i++)
		cr_assert_eq(smux_stream_open(s.s, ids[i]), open[i], "id %u", ids[i]);
	for (uint32_t id = 4; id < 30000; id += 2) /* even ids were never opened */
		cr_assert(!smux_stream_open(s.s, id));
	/* the load factor stays at most 1/2 */
	cr_assert_leq(s.s->table.count * 2, s.s->table.cap);
	rec_fini(&s);
	free(ids);
	free(open);
}

Test(smux_table, colliding_ids_survive_removal)
{
	struct smux_table t = {0};
	struct smux_stream *st[64];
	uint64_t rng = 11;

	/* ids that differ only above the hashed bits still land anywhere; make
	 * long probe runs by inserting 64 ids and removing in random order */
	for (size_t i = 0; i < 64; i++) {
		st[i] = calloc(1, sizeof(**st));
		st[i]->id = (uint32_t)(i * 0x10000u + 1);
		cr_assert_eq(smux_table_insert(&t, st[i]), PROTO_OK);
	}
	for (size_t round = 0; round < 64; round++) {
		size_t k = harness_rand(&rng) % 64;

		if (!st[k])
			continue;
		smux_table_remove(&t, st[k]->id);
		free(st[k]);
		st[k] = NULL;
		for (size_t i = 0; i < 64; i++)
			cr_assert_eq(smux_table_find(&t, (uint32_t)(i * 0x10000u + 1)), st[i]);
	}
	smux_table_free_all(&t);
}

/* ---- the FIFO's memory ----------------------------------------------------------- */

Test(smux_output, fifo_keeps_its_buffer_for_data_and_drops_a_burst)
{
	struct smux_config cfg = {.version = 1, .client = true, .tx_cap = 4096,
				  .max_streams = 5000};
	struct smux_rec c;
	uint8_t *data = pattern(8192), out[4096];
	uint32_t id;

	rec_init(&c, 1, true, &cfg);
	cr_assert_eq(smux_open(c.s, &id), PROTO_OK);
	/* fill to tx_cap and drain, again and again: one buffer throughout */
	cr_assert_gt(smux_write(c.s, id, data, 8192), 4000);
	{
		const uint8_t *buf = c.s->out.buf;

		for (int i = 0; i < 10; i++) {
			while (smux_take(c.s, out, sizeof(out)))
				;
			cr_assert_gt(smux_write(c.s, id, data, 8192), 4000);
			cr_assert_eq(c.s->out.buf, buf);
		}
	}
	while (smux_take(c.s, out, sizeof(out)))
		;
	/* 3000 SYNs: 24000 bytes of control frames, far past tx_cap */
	for (int i = 0; i < 3000; i++)
		cr_assert_eq(smux_open(c.s, &id), PROTO_OK);
	cr_assert_eq(smux_pending(c.s), 3000 * SMUX_HEADER_LEN);
	cr_assert_gt(c.s->out.cap, 2 * cfg.tx_cap);
	while (smux_take(c.s, out, sizeof(out)))
		;
	cr_assert_null(c.s->out.buf); /* released once drained */
	cr_assert_eq(smux_write(c.s, id, data, 10), 10);
	expect_hex(rec_take_hex(&c), "01 02 0a00 73170000 00070e151c232a31383f");
	rec_fini(&c);
	free(data);
}
