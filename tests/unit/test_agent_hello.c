/*
 * test_agent_hello.c — what the agent says on the control channel
 * (agent-side/control_messages.c) and its side of the conversation
 * (agent-side/control_link.c), driven without any network.
 *
 * Covers: AgentHello's every field, through pack and unpack; Heartbeat and
 * Error builders; the link: hello queued on open, HelloAck makes it ready
 * with the broker's interval (clamped; 0 = default), heartbeats at that
 * interval with increasing message ids and a probe request each time, any
 * message or pong postpones the dead-connection verdict, three silent
 * intervals close the connection, no HelloAck within the timeout closes it,
 * StartSession and TerminateSession answered with Error{CODE_REFUSED}
 * (in_reply_to, session id), unparsable messages answered with
 * CODE_MALFORMED / CODE_UNSUPPORTED_VERSION, a bounded queue, the deadline
 * the transport should wake at, close releasing everything.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include <stdlib.h>
#include <string.h>

#include "../../agent-side/agent_version.h"
#include "../../agent-side/control_link.h"
#include "../../agent-side/control_messages.h"
#include "control.h"
#include "proto_err.h"

#define ID "mi-0123456789abcdef0"
#define BODY(x) POSTERN__CONTROL__ENVELOPE__BODY_##x
#define CODE(x) POSTERN__CONTROL__ERROR__CODE__CODE_##x

static const struct host_info sample_host = {
	.platform_name = "Debian GNU/Linux",
	.platform_version = "12",
	.architecture = "x86_64",
	.hostname = "web-1",
	.addrs = {"10.0.0.5", "192.168.122.1", "fe80::1"},
	.n_addrs = 3,
	.runs_as_root = true,
	.user = "root",
};

/* Pack what a builder made and unpack it again (asserting success). */
static control_envelope *round_trip(const control_envelope *env)
{
	control_envelope *out;
	uint8_t *buf;
	size_t len;

	cr_assert_eq(control_pack(env, &buf, &len), PROTO_OK);
	cr_assert_eq(control_unpack(buf, len, &out), PROTO_OK);
	free(buf);
	return out;
}

Test(agent_hello, carries_every_field)
{
	struct control_msg_hello m;
	control_envelope *env;
	Postern__Control__AgentHello *h;

	control_messages_hello(&m, 7, ID, &sample_host);
	env = round_trip(&m.env);
	cr_assert_eq(env->protocol_version, CONTROL_PROTOCOL_VERSION);
	cr_assert_eq(env->message_id, 7);
	cr_assert_eq(env->body_case, BODY(AGENT_HELLO));
	h = env->agent_hello;
	cr_assert_str_eq(h->instance_id, ID);
	cr_assert_str_eq(h->agent_version, "3.3.0.0");
	cr_assert_str_eq(h->agent_version, AGENT_VERSION);
	cr_assert_str_eq(h->platform_name, "Debian GNU/Linux");
	cr_assert_str_eq(h->platform_version, "12");
	cr_assert_str_eq(h->platform_type, "Linux");
	cr_assert_str_eq(h->architecture, "x86_64");
	cr_assert_str_eq(h->hostname, "web-1");
	cr_assert_eq(h->n_ip_addresses, 3);
	cr_assert_str_eq(h->ip_addresses[0], "10.0.0.5");
	cr_assert_str_eq(h->ip_addresses[1], "192.168.122.1");
	cr_assert_str_eq(h->ip_addresses[2], "fe80::1");
	cr_assert_eq(h->n_capabilities, 1);
	cr_assert_str_eq(h->capabilities[0], "session.shell");
	cr_assert(h->runs_as_root);
	control_free(env);
}

Test(agent_hello, no_addresses_and_not_root)
{
	struct host_info host = sample_host;
	struct control_msg_hello m;
	control_envelope *env;

	host.n_addrs = 0;
	host.runs_as_root = false;
	control_messages_hello(&m, 1, ID, &host);
	env = round_trip(&m.env);
	cr_assert_eq(env->agent_hello->n_ip_addresses, 0);
	cr_assert_not(env->agent_hello->runs_as_root);
	control_free(env);
}

Test(agent_hello, heartbeat_and_error_builders)
{
	struct control_msg_heartbeat hb;
	struct control_msg_error er;
	control_envelope *env;

	control_messages_heartbeat(&hb, 9, 1700000000123u, 0);
	env = round_trip(&hb.env);
	cr_assert_eq(env->body_case, BODY(HEARTBEAT));
	cr_assert_eq(env->heartbeat->sent_at_ms, 1700000000123u);
	cr_assert_eq(env->heartbeat->active_sessions, 0);
	control_free(env);

	control_messages_error(&er, 10, 4, CODE(REFUSED), "no", NULL);
	env = round_trip(&er.env);
	cr_assert_eq(env->body_case, BODY(ERROR));
	cr_assert_eq(env->error->in_reply_to, 4);
	cr_assert_eq(env->error->code, CODE(REFUSED));
	cr_assert_str_eq(env->error->message, "no");
	cr_assert_str_eq(env->error->session_id, "");
	control_free(env);

	cr_assert_str_eq(control_messages_kind(BODY(START_SESSION)), "StartSession");
	cr_assert_str_eq(control_messages_error_code(CODE(REFUSED)), "CODE_REFUSED");
	cr_assert_str_eq(control_messages_error_code((Postern__Control__Error__Code)99),
			 "CODE_UNKNOWN");
}

/* ---- the link --------------------------------------------------------------- */

static struct control_link link_;
static struct control_link_time clock_;

static void link_setup(void)
{
	cr_redirect_stderr(); /* the link logs what it refuses: keep the report readable */
	control_link_init(&link_, ID, &sample_host);
	clock_ = (struct control_link_time){.mono_ms = 5000, .wall_ms = 1700000000000u};
}

static void link_teardown(void)
{
	control_link_close(&link_);
}

TestSuite(agent_link, .init = link_setup, .fini = link_teardown);

static void advance(uint64_t ms)
{
	clock_.mono_ms += ms;
	clock_.wall_ms += ms;
}

/* Pop the oldest queued message, unpacked (caller frees), or NULL. */
static control_envelope *pop(void)
{
	const struct control_link_msg *m = control_link_peek(&link_);
	control_envelope *env;

	if (!m)
		return NULL;
	cr_assert_eq(control_unpack(m->data, m->len, &env), PROTO_OK);
	control_link_pop(&link_);
	return env;
}

static int feed(const control_envelope *env)
{
	uint8_t *buf;
	size_t len;
	int rc;

	cr_assert_eq(control_pack(env, &buf, &len), PROTO_OK);
	rc = control_link_receive(&link_, buf, len, &clock_);
	free(buf);
	return rc;
}

static int feed_hello_ack(uint32_t interval_ms)
{
	Postern__Control__HelloAck ack = POSTERN__CONTROL__HELLO_ACK__INIT;
	control_envelope env;

	control_envelope_init(&env, 1);
	ack.server_time_ms = clock_.wall_ms;
	ack.heartbeat_interval_ms = interval_ms;
	env.body_case = BODY(HELLO_ACK);
	env.hello_ack = &ack;
	return feed(&env);
}

/* Open and complete the hello; the hello itself is popped and checked. */
static void open_ready(uint32_t interval_ms)
{
	control_envelope *env;

	cr_assert_eq(control_link_open(&link_, &clock_), CONTROL_LINK_OK);
	env = pop();
	cr_assert_not_null(env);
	cr_assert_eq(env->body_case, BODY(AGENT_HELLO));
	control_free(env);
	cr_assert_eq(feed_hello_ack(interval_ms), CONTROL_LINK_OK);
	cr_assert_eq(link_.state, CONTROL_LINK_READY);
}

Test(agent_link, open_queues_the_hello_first)
{
	control_envelope *env;

	cr_assert_eq(control_link_deadline(&link_), UINT64_MAX, "idle: nothing to do");
	cr_assert_eq(control_link_open(&link_, &clock_), CONTROL_LINK_OK);
	cr_assert_eq(link_.state, CONTROL_LINK_HELLO_SENT);
	env = pop();
	cr_assert_eq(env->body_case, BODY(AGENT_HELLO));
	cr_assert_eq(env->message_id, 1);
	cr_assert_str_eq(env->agent_hello->instance_id, ID);
	control_free(env);
	cr_assert_null(pop());
	cr_assert_eq(control_link_deadline(&link_), clock_.mono_ms + CONTROL_LINK_HELLO_TIMEOUT_MS);
}

Test(agent_link, heartbeats_at_the_brokers_interval)
{
	control_envelope *env;
	uint64_t last_id = 1;

	open_ready(2000);
	cr_assert_eq(link_.interval_ms, 2000);
	cr_assert_eq(control_link_tick(&link_, &clock_), CONTROL_LINK_OK);
	cr_assert_null(pop(), "nothing due yet");
	cr_assert_not(control_link_take_probe(&link_));
	cr_assert_eq(control_link_deadline(&link_), clock_.mono_ms + 2000);
	for (int i = 0; i < 5; i++) {
		advance(1999);
		cr_assert_eq(control_link_tick(&link_, &clock_), CONTROL_LINK_OK);
		cr_assert_null(pop(), "one ms early");
		advance(1);
		cr_assert_eq(control_link_tick(&link_, &clock_), CONTROL_LINK_OK);
		env = pop();
		cr_assert_not_null(env, "beat %d", i);
		cr_assert_eq(env->body_case, BODY(HEARTBEAT));
		cr_assert_eq(env->heartbeat->sent_at_ms, clock_.wall_ms);
		cr_assert_eq(env->heartbeat->active_sessions, 0);
		cr_assert_gt(env->message_id, last_id);
		last_id = env->message_id;
		control_free(env);
		cr_assert(control_link_take_probe(&link_), "probe with each beat");
		cr_assert_not(control_link_take_probe(&link_), "once");
		cr_assert_eq(feed_hello_ack(2000), CONTROL_LINK_OK, "any message is life");
	}
}

Test(agent_link, three_silent_intervals_mean_dead)
{
	control_envelope *env;

	open_ready(1000);
	advance(2999);
	while ((env = pop()))
		control_free(env);
	cr_assert_eq(control_link_tick(&link_, &clock_), CONTROL_LINK_OK);
	cr_assert_eq(control_link_deadline(&link_) - clock_.mono_ms, 1, "dead in 1 ms");
	advance(1);
	cr_assert_eq(control_link_tick(&link_, &clock_), CONTROL_LINK_CLOSE);
	cr_assert(strstr(control_link_reason(&link_), "3 heartbeat intervals"), "%s",
		  control_link_reason(&link_));
}

Test(agent_link, a_pong_or_any_message_keeps_it_alive)
{
	Postern__Control__Heartbeat hb = POSTERN__CONTROL__HEARTBEAT__INIT;
	control_envelope env, *out;

	open_ready(1000);
	control_envelope_init(&env, 2);
	env.body_case = BODY(HEARTBEAT);
	env.heartbeat = &hb;
	for (int i = 0; i < 10; i++) {
		advance(2500);
		if (i % 2)
			control_link_alive(&link_, &clock_);
		else
			cr_assert_eq(feed(&env), CONTROL_LINK_OK);
		cr_assert_eq(control_link_tick(&link_, &clock_), CONTROL_LINK_OK, "round %d", i);
		while ((out = pop())) {
			cr_assert_neq(out->body_case, BODY(ERROR), "a heartbeat needs no answer");
			control_free(out);
		}
	}
}

Test(agent_link, no_hello_ack_in_time)
{
	cr_assert_eq(control_link_open(&link_, &clock_), CONTROL_LINK_OK);
	advance(CONTROL_LINK_HELLO_TIMEOUT_MS - 1);
	cr_assert_eq(control_link_tick(&link_, &clock_), CONTROL_LINK_OK);
	advance(1);
	cr_assert_eq(control_link_tick(&link_, &clock_), CONTROL_LINK_CLOSE);
	cr_assert(strstr(control_link_reason(&link_), "did not answer the hello"));
}

Test(agent_link, interval_is_clamped)
{
	open_ready(0);
	cr_assert_eq(link_.interval_ms, CONTROL_LINK_INTERVAL_DEFAULT_MS);
	control_link_close(&link_);
	open_ready(5);
	cr_assert_eq(link_.interval_ms, CONTROL_LINK_INTERVAL_MIN_MS);
	control_link_close(&link_);
	open_ready(UINT32_MAX);
	cr_assert_eq(link_.interval_ms, CONTROL_LINK_INTERVAL_MAX_MS);
}

Test(agent_link, sessions_are_refused_for_now)
{
	Postern__Control__StartSession start = POSTERN__CONTROL__START_SESSION__INIT;
	Postern__Control__TerminateSession term = POSTERN__CONTROL__TERMINATE_SESSION__INIT;
	control_envelope env, *out;

	open_ready(20000);
	control_envelope_init(&env, 41);
	start.session_id = "alice-0123456789abcdef0";
	start.token = "secret-token";
	env.body_case = BODY(START_SESSION);
	env.start_session = &start;
	cr_assert_eq(feed(&env), CONTROL_LINK_OK);
	out = pop();
	cr_assert_not_null(out);
	cr_assert_eq(out->body_case, BODY(ERROR));
	cr_assert_eq(out->error->code, CODE(REFUSED));
	cr_assert_eq(out->error->in_reply_to, 41);
	cr_assert_str_eq(out->error->session_id, "alice-0123456789abcdef0");
	cr_assert_null(strstr(out->error->message, "secret"));
	control_free(out);

	control_envelope_init(&env, 42);
	term.session_id = "alice-0123456789abcdef0";
	env.body_case = BODY(TERMINATE_SESSION);
	env.terminate_session = &term;
	cr_assert_eq(feed(&env), CONTROL_LINK_OK);
	out = pop();
	cr_assert_eq(out->body_case, BODY(ERROR));
	cr_assert_eq(out->error->code, CODE(REFUSED));
	cr_assert_eq(out->error->in_reply_to, 42);
	control_free(out);
	cr_assert_null(pop());
}

Test(agent_link, unparsable_messages_are_answered)
{
	static const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
	Postern__Control__Heartbeat hb = POSTERN__CONTROL__HEARTBEAT__INIT;
	control_envelope env, *out;

	open_ready(20000);
	cr_assert_eq(control_link_receive(&link_, garbage, sizeof(garbage), &clock_),
		     CONTROL_LINK_OK);
	out = pop();
	cr_assert_eq(out->body_case, BODY(ERROR));
	cr_assert_eq(out->error->code, CODE(MALFORMED));
	control_free(out);

	control_envelope_init(&env, 3);
	env.protocol_version = 2;
	env.body_case = BODY(HEARTBEAT);
	env.heartbeat = &hb;
	cr_assert_eq(feed(&env), CONTROL_LINK_OK);
	out = pop();
	cr_assert_eq(out->error->code, CODE(UNSUPPORTED_VERSION));
	control_free(out);

	cr_assert_eq(control_link_receive(&link_, garbage, 0, &clock_), CONTROL_LINK_OK,
		     "an empty message is an envelope of protocol version 0");
	out = pop();
	cr_assert_eq(out->error->code, CODE(UNSUPPORTED_VERSION));
	control_free(out);

	control_envelope_init(&env, 4); /* right version, no message inside */
	cr_assert_eq(postern__control__envelope__get_packed_size(&env), 4);
	{
		uint8_t buf[8];
		size_t n = postern__control__envelope__pack(&env, buf);

		cr_assert_eq(control_link_receive(&link_, buf, n, &clock_), CONTROL_LINK_OK);
	}
	out = pop();
	cr_assert_eq(out->error->code, CODE(MALFORMED));
	control_free(out);
}

Test(agent_link, the_queue_is_bounded)
{
	Postern__Control__TerminateSession term = POSTERN__CONTROL__TERMINATE_SESSION__INIT;
	control_envelope env;
	int rc = CONTROL_LINK_OK, n = 0;

	open_ready(20000);
	control_envelope_init(&env, 5);
	term.session_id = "s";
	env.body_case = BODY(TERMINATE_SESSION);
	env.terminate_session = &term;
	while (rc == CONTROL_LINK_OK && n < 2 * CONTROL_LINK_QUEUE_MAX) {
		rc = feed(&env);
		n++;
	}
	cr_assert_eq(rc, CONTROL_LINK_CLOSE);
	cr_assert_eq(n, CONTROL_LINK_QUEUE_MAX + 1);
	cr_assert(strstr(control_link_reason(&link_), "not reading"));
	control_link_close(&link_);
	cr_assert_null(control_link_peek(&link_));
	cr_assert_eq(link_.state, CONTROL_LINK_IDLE);
}

Test(agent_link, idle_link_ignores_input)
{
	cr_assert_eq(control_link_tick(&link_, &clock_), CONTROL_LINK_OK);
	cr_assert_eq(feed_hello_ack(1000), CONTROL_LINK_OK);
	cr_assert_eq(link_.state, CONTROL_LINK_IDLE);
	cr_assert_null(pop());
	control_link_alive(&link_, &clock_);
	cr_assert_eq(control_link_deadline(&link_), UINT64_MAX);
}
