/*
 * test_rstream.c — the reliable stream on a fake clock: numbering, flags,
 * acknowledgement frames, the retransmission timer and its constants
 * (data-channel.md §6.4), resend limits, the send window, reordering,
 * duplicate re-acknowledgement (§6.6), "not ready" handling and
 * pause/start publication (§7.2).
 */
#include <criterion/criterion.h>
#include <string.h>

#include "payload.h"
#include "proto_err.h"
#include "rstream_harness.h"
#include "test_util.h"

#define T0 1700000000000ull /* fake clock start, ms */

static struct endpoint ep;

static void agent_side(void)
{
	struct rstream_config cfg = {.honour_publication = true};

	endpoint_init(&ep, MSG_OUTPUT_STREAM_DATA, &cfg, 42);
}

static void client_side(void)
{
	endpoint_init(&ep, MSG_INPUT_STREAM_DATA, NULL, 7);
}

static void teardown(void)
{
	endpoint_fini(&ep);
}

static void send_bytes(const char *s, uint64_t now)
{
	cr_assert_eq(rstream_send(ep.rs, PAYLOAD_OUTPUT, (const uint8_t *)s, strlen(s), now),
		     PROTO_OK);
}

static struct rstream_stats stats(void)
{
	struct rstream_stats st;

	rstream_get_stats(ep.rs, &st);
	return st;
}

static struct payload_ack decode_ack(const struct sent_record *r)
{
	struct payload_ack ack;

	cr_assert_not_null(r);
	cr_assert_eq(payload_ack_decode(r->f.payload, r->f.payload_len, &ack), PROTO_OK);
	return ack;
}

TestSuite(rstream_agent, .init = agent_side, .fini = teardown);
TestSuite(rstream_client, .init = client_side, .fini = teardown);

Test(rstream_agent, numbers_messages_from_zero_with_official_flags)
{
	send_bytes("a", T0);
	send_bytes("b", T0);
	send_bytes("c", T0);
	cr_assert_eq(ep.n_sent, 3);
	for (int i = 0; i < 3; i++) {
		cr_assert_str_eq(ep.sent[i].f.message_type, "output_stream_data");
		cr_assert_eq(ep.sent[i].f.sequence_number, i);
		cr_assert_eq(ep.sent[i].f.payload_type, PAYLOAD_OUTPUT);
		cr_assert_eq(ep.sent[i].f.created_date, T0);
	}
	cr_assert_eq(ep.sent[0].f.flags, FRAME_FLAG_SYN, "agent output #0 carries SYN");
	cr_assert_eq(ep.sent[1].f.flags, 0);
	cr_assert_not(uuid_equal(&ep.sent[0].f.message_id, &ep.sent[1].f.message_id));
	cr_assert_eq(ep.sent[0].f.message_id.b[6] >> 4, 4, "v4 message ids");
}

Test(rstream_client, input_stream_data_flags_are_zero)
{
	send_bytes("ls\r", T0);
	cr_assert_str_eq(ep.sent[0].f.message_type, "input_stream_data");
	cr_assert_eq(ep.sent[0].f.flags, 0);
}

Test(rstream_client, rejects_empty_and_oversized_payloads)
{
	static uint8_t big[70000];

	cr_assert_eq(rstream_send(ep.rs, PAYLOAD_OUTPUT, big, 0, T0), PROTO_E_INVALID_ARG);
	cr_assert_eq(rstream_send(ep.rs, PAYLOAD_OUTPUT, big, sizeof(big), T0), PROTO_E_TOO_LARGE);
	cr_assert_eq(ep.n_sent, 0);
	cr_assert_eq(stats().next_send_seq, 0, "a refused send takes no number");
}

Test(rstream_agent, first_resend_waits_for_rto_on_the_100ms_tick)
{
	send_bytes("x", T0);
	cr_assert_eq(stats().rto_ms, 200.0);
	cr_assert_eq(stats().srtt_ms, 100.0);
	cr_assert_eq(stats().rttvar_ms, 0.0);
	rstream_tick(ep.rs, T0 + 100);
	rstream_tick(ep.rs, T0 + 200); /* 200 is not more than RTO 200 */
	cr_assert_eq(ep.n_sent, 1);
	rstream_tick(ep.rs, T0 + 300);
	cr_assert_eq(ep.n_sent, 2);
	cr_assert_eq(ep.sent[1].len, ep.sent[0].len);
	cr_assert_eq(memcmp(ep.sent[1].raw, ep.sent[0].raw, ep.sent[0].len), 0,
		     "a retransmission is byte-identical");
	/* last_sent moved to 300: not again before 300 + RTO */
	rstream_tick(ep.rs, T0 + 400);
	rstream_tick(ep.rs, T0 + 500);
	cr_assert_eq(ep.n_sent, 2);
	rstream_tick(ep.rs, T0 + 600);
	cr_assert_eq(ep.n_sent, 3);
	cr_assert_eq(stats().resent_msgs, 2);
}

Test(rstream_agent, rtt_estimate_follows_the_spec_formulas)
{
	send_bytes("x", T0);
	cr_assert_eq(endpoint_feed_ack(&ep, 0, T0 + 50), RSTREAM_CONSUMED);
	/* R = 50: RTTVAR = 0.25*|100-50| = 12.5, SRTT = 87.5 + 6.25 = 93.75,
	 * RTO = 93.75 + max(10, 50) = 143.75 */
	cr_assert_float_eq(stats().rttvar_ms, 12.5, 1e-9);
	cr_assert_float_eq(stats().srtt_ms, 93.75, 1e-9);
	cr_assert_float_eq(stats().rto_ms, 143.75, 1e-9);
	cr_assert_eq(rstream_unacked(ep.rs), 0);

	send_bytes("y", T0 + 100);
	endpoint_feed_ack(&ep, 1, T0 + 300); /* R = 200 */
	/* RTTVAR = 0.75*12.5 + 0.25*|93.75-200| = 9.375 + 26.5625 = 35.9375
	 * SRTT = 0.875*93.75 + 25 = 107.03125; RTO = SRTT + 143.75 = 250.78125 */
	cr_assert_float_eq(stats().rttvar_ms, 35.9375, 1e-9);
	cr_assert_float_eq(stats().srtt_ms, 107.03125, 1e-9);
	cr_assert_float_eq(stats().rto_ms, 250.78125, 1e-9);
}

Test(rstream_agent, rto_is_capped_at_one_second)
{
	send_bytes("x", T0);
	endpoint_feed_ack(&ep, 0, T0 + 5000);
	cr_assert_eq(stats().rto_ms, 1000.0);
	/* with RTO capped, an overdue message goes out at the first tick past 1 s */
	send_bytes("y", T0 + 10000);
	rstream_tick(ep.rs, T0 + 11000); /* exactly RTO: not yet */
	cr_assert_eq(ep.n_sent, 2);
	rstream_tick(ep.rs, T0 + 11100);
	cr_assert_eq(ep.n_sent, 3);
}

Test(rstream_agent, rto_variance_term_has_a_10ms_floor)
{
	uint64_t t = T0;

	for (int i = 0; i < 200; i++) {
		send_bytes("x", t);
		t += 100;
		endpoint_feed_ack(&ep, i, t); /* R = 100 = SRTT: variance decays */
	}
	cr_assert_float_eq(stats().srtt_ms, 100.0, 1e-6);
	cr_assert_float_eq(stats().rto_ms, 110.0, 1e-6);
}

Test(rstream_agent, resend_limit_reports_the_peer_gone)
{
	struct rstream_config cfg = {.max_resends = 5};
	uint64_t t = T0;
	int rc = PROTO_OK;

	endpoint_fini(&ep);
	endpoint_init(&ep, MSG_OUTPUT_STREAM_DATA, &cfg, 1);
	send_bytes("x", t);
	for (int i = 0; i < 100 && rc == PROTO_OK; i++) {
		t += RSTREAM_TICK_MS;
		rc = rstream_tick(ep.rs, t);
	}
	cr_assert_eq(rc, PROTO_E_RESEND_LIMIT);
	cr_assert_eq(ep.n_sent, 6, "original plus max_resends copies");
}

Test(rstream_agent, default_resend_limit_is_3000)
{
	uint64_t t = T0;
	int rc = PROTO_OK;
	unsigned ticks = 0;

	send_bytes("x", t);
	while (rc == PROTO_OK && ticks < 10000) {
		t += RSTREAM_TICK_MS;
		ticks++;
		rc = rstream_tick(ep.rs, t);
		endpoint_clear_sent(&ep);
	}
	cr_assert_eq(rc, PROTO_E_RESEND_LIMIT);
	cr_assert_eq(stats().resent_msgs, 3000);
}

Test(rstream_agent, each_tick_resends_at_most_its_budget_oldest_first)
{
	for (int i = 0; i < 40; i++)
		send_bytes("m", T0);
	endpoint_clear_sent(&ep);
	rstream_tick(ep.rs, T0 + 300);
	cr_assert_eq(ep.n_sent, 16);
	for (int i = 0; i < 16; i++)
		cr_assert_eq(ep.sent[i].f.sequence_number, i);
	rstream_tick(ep.rs, T0 + 400);
	cr_assert_eq(ep.n_sent, 32);
	cr_assert_eq(ep.sent[16].f.sequence_number, 16);
}

Test(rstream_agent, acks_in_any_order_release_the_window)
{
	for (int i = 0; i < 5; i++)
		send_bytes("abcd", T0);
	cr_assert_eq(stats().unacked_bytes, 20);
	endpoint_feed_ack(&ep, 3, T0 + 10);
	endpoint_feed_ack(&ep, 3, T0 + 10); /* duplicate ack ignored */
	endpoint_feed_ack(&ep, 99, T0 + 10); /* unknown ack ignored */
	cr_assert_eq(rstream_unacked(ep.rs), 4);
	cr_assert_eq(stats().unacked_bytes, 16);
	endpoint_feed_ack(&ep, 0, T0 + 10);
	endpoint_feed_ack(&ep, 1, T0 + 10);
	endpoint_feed_ack(&ep, 2, T0 + 10);
	endpoint_feed_ack(&ep, 4, T0 + 10);
	cr_assert_eq(rstream_unacked(ep.rs), 0);
	cr_assert_eq(stats().unacked_bytes, 0);
	endpoint_clear_sent(&ep);
	rstream_tick(ep.rs, T0 + 5000);
	cr_assert_eq(ep.n_sent, 0, "nothing acknowledged is resent");
}

Test(rstream_agent, full_window_blocks_until_acknowledged)
{
	struct rstream_config cfg = {.send_window_bytes = 100, .send_window_msgs = 3};
	uint8_t buf[60] = {0};

	endpoint_fini(&ep);
	endpoint_init(&ep, MSG_OUTPUT_STREAM_DATA, &cfg, 1);
	cr_assert_eq(rstream_send(ep.rs, PAYLOAD_OUTPUT, buf, 60, T0), PROTO_OK);
	cr_assert_eq(rstream_send_room(ep.rs), 40);
	cr_assert_eq(rstream_send(ep.rs, PAYLOAD_OUTPUT, buf, 41, T0), PROTO_E_WOULD_BLOCK);
	cr_assert_eq(rstream_send(ep.rs, PAYLOAD_OUTPUT, buf, 101, T0), PROTO_E_TOO_LARGE);
	cr_assert_eq(rstream_send(ep.rs, PAYLOAD_OUTPUT, buf, 20, T0), PROTO_OK);
	cr_assert_eq(rstream_send(ep.rs, PAYLOAD_OUTPUT, buf, 20, T0), PROTO_OK);
	cr_assert_eq(rstream_send_room(ep.rs), 0, "message count bound reached");
	cr_assert_eq(rstream_send(ep.rs, PAYLOAD_OUTPUT, buf, 1, T0), PROTO_E_WOULD_BLOCK);
	endpoint_feed_ack(&ep, 0, T0 + 1);
	cr_assert_eq(rstream_send_room(ep.rs), 60);
	cr_assert_eq(rstream_send(ep.rs, PAYLOAD_OUTPUT, buf, 60, T0), PROTO_OK);
	cr_assert_eq(stats().next_send_seq, 4);
}

Test(rstream_agent, send_window_can_change_under_way)
{
	struct rstream_config cfg = {.send_window_bytes = 100};
	uint8_t buf[80] = {0};

	endpoint_fini(&ep);
	endpoint_init(&ep, MSG_OUTPUT_STREAM_DATA, &cfg, 1);
	cr_assert_eq(rstream_send(ep.rs, PAYLOAD_OUTPUT, buf, 80, T0), PROTO_OK);
	rstream_set_send_window(ep.rs, 50); /* below what is in flight: no room, no wrap */
	cr_assert_eq(rstream_send_room(ep.rs), 0);
	cr_assert_eq(rstream_send(ep.rs, PAYLOAD_OUTPUT, buf, 1, T0), PROTO_E_WOULD_BLOCK);
	rstream_set_send_window(ep.rs, 0); /* ignored */
	cr_assert_eq(rstream_send_room(ep.rs), 0);
	rstream_set_send_window(ep.rs, 1000);
	cr_assert_eq(rstream_send_room(ep.rs), 920);
	cr_assert_eq(rstream_send(ep.rs, PAYLOAD_OUTPUT, buf, 80, T0), PROTO_OK);
	endpoint_feed_ack(&ep, 0, T0 + 1);
	cr_assert_eq(rstream_send_room(ep.rs), 920);
}

Test(rstream_client, acknowledges_each_in_order_message)
{
	cr_assert_eq(endpoint_feed_stream(&ep, 0, "hello", 5, T0), RSTREAM_CONSUMED);
	cr_assert_eq(ep.got_len, 5);
	cr_assert_eq(memcmp(ep.got, "hello", 5), 0);
	const struct sent_record *r = endpoint_nth_sent(&ep, MSG_ACKNOWLEDGE, 0);
	struct payload_ack ack = decode_ack(r);

	cr_assert_eq(r->f.flags, FRAME_FLAG_SYN | FRAME_FLAG_FIN);
	cr_assert_eq(r->f.sequence_number, 0);
	cr_assert_eq(r->f.payload_type, PAYLOAD_NONE);
	cr_assert_str_eq(ack.message_type, "output_stream_data");
	cr_assert_eq(ack.sequence_number, 0);
	cr_assert(ack.is_sequential);
	/* test_frame_build's fixed message id */
	char id[UUID_STR_LEN + 1];
	uuid_format(&ack.message_id, id);
	cr_assert_str_eq(id, "0b5e3a7d-1f24-4c89-9a61-3d2e8f4b7c10");
}

Test(rstream_client, reorders_and_acks_out_of_order_frames_at_once)
{
	endpoint_feed_stream(&ep, 2, "C", 1, T0);
	endpoint_feed_stream(&ep, 1, "B", 1, T0);
	cr_assert_eq(ep.got_len, 0, "nothing delivered before #0");
	cr_assert_eq(endpoint_count_sent(&ep, MSG_ACKNOWLEDGE), 2, "held frames are acked");
	cr_assert_eq(stats().buffered_msgs, 2);
	endpoint_feed_stream(&ep, 0, "A", 1, T0);
	cr_assert_eq(ep.got_len, 3);
	cr_assert_eq(memcmp(ep.got, "ABC", 3), 0);
	cr_assert_eq(stats().buffered_msgs, 0);
	cr_assert_eq(stats().buffered_bytes, 0);
	cr_assert_eq(stats().expected_seq, 3);
	cr_assert_eq(endpoint_count_sent(&ep, MSG_ACKNOWLEDGE), 3);
}

Test(rstream_client, re_acknowledges_duplicates)
{
	endpoint_feed_stream(&ep, 0, "A", 1, T0);
	endpoint_feed_stream(&ep, 0, "A", 1, T0);
	endpoint_feed_stream(&ep, 2, "C", 1, T0);
	endpoint_feed_stream(&ep, 2, "C", 1, T0);
	cr_assert_eq(ep.got_len, 1, "a duplicate is not delivered twice");
	cr_assert_eq(endpoint_count_sent(&ep, MSG_ACKNOWLEDGE), 4, "every copy is acked (§6.6)");
	cr_assert_eq(decode_ack(endpoint_nth_sent(&ep, MSG_ACKNOWLEDGE, 1)).sequence_number, 0);
	cr_assert_eq(stats().duplicates, 1);
}

Test(rstream_client, not_ready_leaves_the_message_unacknowledged)
{
	ep.not_ready = true;
	endpoint_feed_stream(&ep, 0, "A", 1, T0);
	cr_assert_eq(ep.n_sent, 0, "no ack while the session is not ready");
	cr_assert_eq(stats().expected_seq, 0);
	endpoint_feed_stream(&ep, 1, "B", 1, T0);
	cr_assert_eq(endpoint_count_sent(&ep, MSG_ACKNOWLEDGE), 1, "a later one is held and acked");
	ep.not_ready = false;
	endpoint_feed_stream(&ep, 0, "A", 1, T0 + 300); /* the peer's resend */
	cr_assert_eq(ep.got_len, 2);
	cr_assert_eq(memcmp(ep.got, "AB", 2), 0);
}

Test(rstream_client, held_frames_wait_for_retry_when_not_ready)
{
	endpoint_feed_stream(&ep, 1, "B", 1, T0);
	endpoint_feed_stream(&ep, 0, "A", 1, T0);
	cr_assert_eq(ep.got_len, 2);
	endpoint_feed_stream(&ep, 3, "D", 1, T0);
	endpoint_feed_stream(&ep, 2, "C", 1, T0);
	cr_assert_eq(ep.got_len, 4);
	endpoint_feed_stream(&ep, 5, "F", 1, T0);
	ep.not_ready = true;
	endpoint_feed_stream(&ep, 4, "E", 1, T0);
	cr_assert_eq(ep.got_len, 4);
	ep.not_ready = false;
	rstream_retry_delivery(ep.rs); /* #5 is held, #4 is not: nothing yet */
	cr_assert_eq(ep.got_len, 4);
	endpoint_feed_stream(&ep, 4, "E", 1, T0 + 300);
	cr_assert_eq(ep.got_len, 6);
	cr_assert_eq(memcmp(ep.got, "ABCDEF", 6), 0);
}

Test(rstream_client, full_reorder_buffer_drops_without_ack)
{
	struct rstream_config cfg = {.recv_buffer_msgs = 4, .recv_buffer_bytes = 1 << 20};

	endpoint_fini(&ep);
	endpoint_init(&ep, MSG_INPUT_STREAM_DATA, &cfg, 1);
	endpoint_feed_stream(&ep, 3, "D", 1, T0);
	endpoint_feed_stream(&ep, 4, "E", 1, T0); /* beyond expected + 4 - 1 */
	cr_assert_eq(endpoint_count_sent(&ep, MSG_ACKNOWLEDGE), 1);
	cr_assert_eq(stats().dropped_full, 1);
	cr_assert_eq(stats().buffered_msgs, 1);
}

Test(rstream_client, reorder_buffer_respects_its_byte_bound)
{
	struct rstream_config cfg = {.recv_buffer_bytes = 300};
	uint8_t payload[100] = {0};

	endpoint_fini(&ep);
	endpoint_init(&ep, MSG_INPUT_STREAM_DATA, &cfg, 1);
	endpoint_feed_stream(&ep, 1, payload, sizeof(payload), T0); /* 220 bytes held */
	endpoint_feed_stream(&ep, 2, payload, sizeof(payload), T0); /* would be 440 */
	cr_assert_eq(stats().buffered_msgs, 1);
	cr_assert_leq(stats().buffered_bytes, 300);
	cr_assert_eq(endpoint_count_sent(&ep, MSG_ACKNOWLEDGE), 1);
}

Test(rstream_client, own_stream_type_and_invalid_frames_are_refused)
{
	size_t len;
	uint8_t *raw = test_frame_build("input_stream_data", 0, PAYLOAD_OUTPUT, "x", 1, &len);
	struct frame other;

	cr_assert_eq(rstream_input(ep.rs, raw, len, T0, &other), PROTO_E_NOT_STREAM);
	raw[len - 1] ^= 1;
	cr_assert_eq(rstream_input(ep.rs, raw, len, T0, &other), PROTO_E_DIGEST);
	cr_assert_eq(rstream_input(ep.rs, raw, 100, T0, &other), PROTO_E_TRUNCATED);
	free(raw);
	cr_assert_eq(ep.n_sent, 0, "nothing invalid is acknowledged");
}

Test(rstream_client, other_frames_go_to_the_owner)
{
	size_t len;
	uint8_t *raw = test_frame_build("channel_closed", 0, PAYLOAD_NONE, "{}", 2, &len);
	struct frame other;

	cr_assert_eq(rstream_input(ep.rs, raw, len, T0, &other), RSTREAM_OTHER);
	cr_assert_str_eq(other.message_type, "channel_closed");
	cr_assert_eq(other.payload_len, 2);
	free(raw);
	/* the client ignores publication frames: they reach the owner too */
	cr_assert_eq(endpoint_feed_control(&ep, MSG_PAUSE_PUBLICATION, T0), RSTREAM_OTHER);
	send_bytes("x", T0);
	cr_assert_eq(ep.n_sent, 1, "the client never pauses");
}

Test(rstream_agent, pause_holds_back_sends_and_resends_until_start)
{
	cr_assert_eq(endpoint_feed_control(&ep, MSG_PAUSE_PUBLICATION, T0), RSTREAM_CONSUMED);
	cr_assert(stats().paused);
	send_bytes("a", T0);
	send_bytes("b", T0);
	cr_assert_eq(ep.n_sent, 0);
	cr_assert_eq(stats().next_send_seq, 2, "messages are still numbered");
	rstream_tick(ep.rs, T0 + 1000);
	cr_assert_eq(ep.n_sent, 0, "no resends while paused");
	cr_assert_eq(endpoint_feed_control(&ep, MSG_START_PUBLICATION, T0 + 2000), RSTREAM_CONSUMED);
	cr_assert_eq(ep.n_sent, 2, "the backlog is flushed at once");
	cr_assert_eq(ep.sent[0].f.sequence_number, 0);
	cr_assert_eq(ep.sent[1].f.sequence_number, 1);
	cr_assert_not(stats().paused);
}

Test(rstream_agent, incoming_data_or_ack_also_ends_a_pause)
{
	endpoint_feed_control(&ep, MSG_PAUSE_PUBLICATION, T0);
	send_bytes("a", T0);
	endpoint_feed_stream(&ep, 0, "k", 1, T0 + 10);
	cr_assert_not(stats().paused);
	cr_assert_eq(endpoint_count_sent(&ep, MSG_OUTPUT_STREAM_DATA), 1);

	endpoint_feed_control(&ep, MSG_PAUSE_PUBLICATION, T0 + 20);
	send_bytes("b", T0 + 20);
	endpoint_feed_ack(&ep, 0, T0 + 30);
	cr_assert_not(stats().paused);
	cr_assert_eq(endpoint_count_sent(&ep, MSG_OUTPUT_STREAM_DATA), 2);
}
