/*
 * test_control.c — the broker ⇄ agent control channel (proto/control.c over
 * the protobuf-c code generated from proto/control.proto).
 *
 * Covers: a pack/unpack round trip of every message kind of control.proto
 * (AgentHello with its repeated fields, HelloAck, Heartbeat, StartSession with
 * multi-valued parameters and preferences, TerminateSession, SessionState in
 * every state, TranscriptChunk with binary data full of NULs, TranscriptAck,
 * Error with every code) comparing every field and the re-packed bytes; unknown
 * fields and unknown message kinds (forward compatibility); the envelope
 * checks: empty envelope (PROTO_E_EMPTY on pack and unpack), protocol version
 * (PROTO_E_VERSION), garbage (PROTO_E_PROTOBUF), the size cap on both sides
 * (PROTO_E_TOO_LARGE, refused without reading); every truncated prefix and
 * every single-bit flip of each packed kind either fails cleanly or yields an
 * envelope that is freed. Inputs are exact-size heap copies and everything
 * unpacked is released with control_free, so the ASan/LSan build checks bounds
 * and leaks.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "proto_err.h"
#include "test_util.h"

typedef Postern__Control__Envelope__BodyCase body_case;

#define BODY(x) POSTERN__CONTROL__ENVELOPE__BODY_##x
#define STATE(x) POSTERN__CONTROL__SESSION_STATE__STATE__STATE_##x
#define CODE(x) POSTERN__CONTROL__ERROR__CODE__CODE_##x

static const body_case all_kinds[] = {
	BODY(AGENT_HELLO),   BODY(HELLO_ACK),	     BODY(HEARTBEAT),
	BODY(START_SESSION), BODY(TERMINATE_SESSION), BODY(SESSION_STATE),
	BODY(TRANSCRIPT_CHUNK), BODY(TRANSCRIPT_ACK), BODY(ERROR),
};
#define N_KINDS (sizeof(all_kinds) / sizeof(all_kinds[0]))

/* ---- sample messages, one per kind, every field set ------------------------ */

struct sample {
	control_envelope env;
	Postern__Control__AgentHello hello;
	Postern__Control__HelloAck hello_ack;
	Postern__Control__Heartbeat heartbeat;
	Postern__Control__StartSession start;
	Postern__Control__Parameter params[3];
	Postern__Control__Parameter *param_ptrs[3];
	Postern__Control__SessionPreferences prefs;
	Postern__Control__TerminateSession terminate;
	Postern__Control__SessionState state;
	Postern__Control__TranscriptChunk chunk;
	Postern__Control__TranscriptAck chunk_ack;
	Postern__Control__Error error;
	uint8_t data[300];
};

static char *ips[] = { "10.0.0.5", "fe80::1", "192.168.122.1" };
static char *caps[] = { "session.shell", "session.port", "smux.v2", "" };
static char *cmd_values[] = { "echo hello", "ls -l /tmp", "" };
static char *port_values[] = { "22" };
static char *host_values[] = { "db.internal", "10.1.2.3" };

/* Fill s with one message of the given kind, every field non-default. */
static void sample_build(struct sample *s, body_case kind)
{
	memset(s, 0, sizeof(*s));
	control_envelope_init(&s->env, 0xfedcba9876543210ull);
	s->env.body_case = kind;

	switch (kind) {
	case BODY(AGENT_HELLO):
		postern__control__agent_hello__init(&s->hello);
		s->hello.instance_id = "mi-0123456789abcdef0";
		s->hello.agent_version = "3.3.0.0";
		s->hello.platform_name = "Debian GNU/Linux";
		s->hello.platform_version = "12";
		s->hello.platform_type = "Linux";
		s->hello.architecture = "x86_64";
		s->hello.hostname = "h\xc3\xb4te.example"; /* UTF-8 */
		s->hello.n_ip_addresses = 3;
		s->hello.ip_addresses = ips;
		s->hello.n_capabilities = 4;
		s->hello.capabilities = caps;
		s->hello.runs_as_root = 1;
		s->env.agent_hello = &s->hello;
		break;
	case BODY(HELLO_ACK):
		postern__control__hello_ack__init(&s->hello_ack);
		s->hello_ack.server_time_ms = 1700000000123ull;
		s->hello_ack.heartbeat_interval_ms = 15000;
		s->env.hello_ack = &s->hello_ack;
		break;
	case BODY(HEARTBEAT):
		postern__control__heartbeat__init(&s->heartbeat);
		s->heartbeat.sent_at_ms = UINT64_MAX;
		s->heartbeat.active_sessions = UINT32_MAX;
		s->env.heartbeat = &s->heartbeat;
		break;
	case BODY(START_SESSION):
		for (int i = 0; i < 3; i++) {
			postern__control__parameter__init(&s->params[i]);
			s->param_ptrs[i] = &s->params[i];
		}
		s->params[0].name = "commands";
		s->params[0].n_values = 3;
		s->params[0].values = cmd_values;
		s->params[1].name = "portNumber";
		s->params[1].n_values = 1;
		s->params[1].values = port_values;
		s->params[2].name = "host";
		s->params[2].n_values = 2;
		s->params[2].values = host_values;
		postern__control__session_preferences__init(&s->prefs);
		s->prefs.shell_profile = "exec bash -l\nset -o vi";
		s->prefs.idle_timeout_minutes = 20;
		s->prefs.max_duration_minutes = 1440;
		s->prefs.kms_key_id = "arn:aws:kms:eu-west-1:111122223333:key/abcd";
		s->prefs.separate_output_stream = 1;
		postern__control__start_session__init(&s->start);
		s->start.session_id = "alice-0a1b2c3d4e5f60718";
		s->start.document_name = "SSM-SessionManagerRunShell";
		s->start.session_type = "Standard_Stream";
		s->start.n_parameters = 3;
		s->start.parameters = s->param_ptrs;
		s->start.run_as = "ssm-user";
		s->start.preferences = &s->prefs;
		s->start.data_channel_url = "wss://broker.example/v1/data-channel/alice-0a1b2c3d4e5f60718";
		s->start.token = "tok_0123456789abcdef";
		s->start.owner = "alice";
		s->start.properties_json = "{\"commands\":[\"echo hello\"],\"x\":null}";
		s->env.start_session = &s->start;
		break;
	case BODY(TERMINATE_SESSION):
		postern__control__terminate_session__init(&s->terminate);
		s->terminate.session_id = "bob-ffffffffffffffff0";
		s->terminate.reason = "terminated by admin";
		s->env.terminate_session = &s->terminate;
		break;
	case BODY(SESSION_STATE):
		postern__control__session_state__init(&s->state);
		s->state.session_id = "carol-1234";
		s->state.state = STATE(TERMINATED);
		s->state.has_exit_code = 1;
		s->state.exit_code = -15;
		s->state.bytes_from_client = 123456789012ull;
		s->state.bytes_to_client = UINT64_MAX;
		s->state.detail = "shell exited";
		s->env.session_state = &s->state;
		break;
	case BODY(TRANSCRIPT_CHUNK):
		for (size_t i = 0; i < sizeof(s->data); i++)
			s->data[i] = (uint8_t)(i % 3 == 0 ? 0 : i);
		postern__control__transcript_chunk__init(&s->chunk);
		s->chunk.session_id = "dave-77";
		s->chunk.sequence = 41;
		s->chunk.data.data = s->data;
		s->chunk.data.len = sizeof(s->data);
		s->chunk.final = 1;
		s->env.transcript_chunk = &s->chunk;
		break;
	case BODY(TRANSCRIPT_ACK):
		postern__control__transcript_ack__init(&s->chunk_ack);
		s->chunk_ack.session_id = "dave-77";
		s->chunk_ack.sequence = 41;
		s->env.transcript_ack = &s->chunk_ack;
		break;
	case BODY(ERROR):
		postern__control__error__init(&s->error);
		s->error.in_reply_to = 99;
		s->error.code = CODE(UNKNOWN_SESSION);
		s->error.message = "no such session: eve-1";
		s->error.session_id = "eve-1";
		s->env.error = &s->error;
		break;
	default:
		cr_assert_fail("no sample for body case %d", (int)kind);
	}
}

/* ---- field-by-field comparison ------------------------------------------------ */

static void assert_strv(size_t n_got, char **got, size_t n_want, char **want, const char *what)
{
	cr_assert_eq(n_got, n_want, "%s: count", what);
	for (size_t i = 0; i < n_want; i++)
		cr_assert_str_eq(got[i], want[i], "%s[%zu]", what, i);
}

static void assert_same_hello(const Postern__Control__AgentHello *g,
			      const Postern__Control__AgentHello *w)
{
	cr_assert_str_eq(g->instance_id, w->instance_id);
	cr_assert_str_eq(g->agent_version, w->agent_version);
	cr_assert_str_eq(g->platform_name, w->platform_name);
	cr_assert_str_eq(g->platform_version, w->platform_version);
	cr_assert_str_eq(g->platform_type, w->platform_type);
	cr_assert_str_eq(g->architecture, w->architecture);
	cr_assert_str_eq(g->hostname, w->hostname);
	assert_strv(g->n_ip_addresses, g->ip_addresses, w->n_ip_addresses, w->ip_addresses,
		    "ip_addresses");
	assert_strv(g->n_capabilities, g->capabilities, w->n_capabilities, w->capabilities,
		    "capabilities");
	cr_assert_eq(!!g->runs_as_root, !!w->runs_as_root);
}

static void assert_same_start(const Postern__Control__StartSession *g,
			      const Postern__Control__StartSession *w)
{
	cr_assert_str_eq(g->session_id, w->session_id);
	cr_assert_str_eq(g->document_name, w->document_name);
	cr_assert_str_eq(g->session_type, w->session_type);
	cr_assert_eq(g->n_parameters, w->n_parameters);
	for (size_t i = 0; i < w->n_parameters; i++) {
		cr_assert_str_eq(g->parameters[i]->name, w->parameters[i]->name);
		assert_strv(g->parameters[i]->n_values, g->parameters[i]->values,
			    w->parameters[i]->n_values, w->parameters[i]->values, "values");
	}
	cr_assert_str_eq(g->run_as, w->run_as);
	if (w->preferences) {
		const Postern__Control__SessionPreferences *gp = g->preferences, *wp = w->preferences;

		cr_assert_not_null(gp);
		cr_assert_str_eq(gp->shell_profile, wp->shell_profile);
		cr_assert_eq(gp->idle_timeout_minutes, wp->idle_timeout_minutes);
		cr_assert_eq(gp->max_duration_minutes, wp->max_duration_minutes);
		cr_assert_str_eq(gp->kms_key_id, wp->kms_key_id);
		cr_assert_eq(!!gp->separate_output_stream, !!wp->separate_output_stream);
	} else {
		cr_assert_null(g->preferences);
	}
	cr_assert_str_eq(g->data_channel_url, w->data_channel_url);
	cr_assert_str_eq(g->token, w->token);
	cr_assert_str_eq(g->owner, w->owner);
	cr_assert_str_eq(g->properties_json, w->properties_json);
}

static void assert_same_state(const Postern__Control__SessionState *g,
			      const Postern__Control__SessionState *w)
{
	cr_assert_str_eq(g->session_id, w->session_id);
	cr_assert_eq(g->state, w->state);
	cr_assert_eq(!!g->has_exit_code, !!w->has_exit_code);
	cr_assert_eq(g->exit_code, w->exit_code);
	cr_assert_eq(g->bytes_from_client, w->bytes_from_client);
	cr_assert_eq(g->bytes_to_client, w->bytes_to_client);
	cr_assert_str_eq(g->detail, w->detail);
}

static void assert_same_chunk(const Postern__Control__TranscriptChunk *g,
			      const Postern__Control__TranscriptChunk *w)
{
	cr_assert_str_eq(g->session_id, w->session_id);
	cr_assert_eq(g->sequence, w->sequence);
	cr_assert_eq(g->data.len, w->data.len);
	if (w->data.len)
		cr_assert_eq(memcmp(g->data.data, w->data.data, w->data.len), 0);
	cr_assert_eq(!!g->final, !!w->final);
}

static void assert_same_envelope(const control_envelope *g, const control_envelope *w)
{
	cr_assert_eq(g->protocol_version, w->protocol_version);
	cr_assert_eq(g->message_id, w->message_id);
	cr_assert_eq(g->body_case, w->body_case);

	switch (w->body_case) {
	case BODY(AGENT_HELLO):
		assert_same_hello(g->agent_hello, w->agent_hello);
		break;
	case BODY(HELLO_ACK):
		cr_assert_eq(g->hello_ack->server_time_ms, w->hello_ack->server_time_ms);
		cr_assert_eq(g->hello_ack->heartbeat_interval_ms, w->hello_ack->heartbeat_interval_ms);
		break;
	case BODY(HEARTBEAT):
		cr_assert_eq(g->heartbeat->sent_at_ms, w->heartbeat->sent_at_ms);
		cr_assert_eq(g->heartbeat->active_sessions, w->heartbeat->active_sessions);
		break;
	case BODY(START_SESSION):
		assert_same_start(g->start_session, w->start_session);
		break;
	case BODY(TERMINATE_SESSION):
		cr_assert_str_eq(g->terminate_session->session_id, w->terminate_session->session_id);
		cr_assert_str_eq(g->terminate_session->reason, w->terminate_session->reason);
		break;
	case BODY(SESSION_STATE):
		assert_same_state(g->session_state, w->session_state);
		break;
	case BODY(TRANSCRIPT_CHUNK):
		assert_same_chunk(g->transcript_chunk, w->transcript_chunk);
		break;
	case BODY(TRANSCRIPT_ACK):
		cr_assert_str_eq(g->transcript_ack->session_id, w->transcript_ack->session_id);
		cr_assert_eq(g->transcript_ack->sequence, w->transcript_ack->sequence);
		break;
	case BODY(ERROR):
		cr_assert_eq(g->error->in_reply_to, w->error->in_reply_to);
		cr_assert_eq(g->error->code, w->error->code);
		cr_assert_str_eq(g->error->message, w->error->message);
		cr_assert_str_eq(g->error->session_id, w->error->session_id);
		break;
	default:
		cr_assert_fail("unexpected body case %d", (int)w->body_case);
	}
}

/* ---- pack / unpack helpers ------------------------------------------------------ */

static uint8_t *pack_ok(const control_envelope *env, size_t *len)
{
	uint8_t *buf = NULL;

	cr_assert_eq(control_pack(env, &buf, len), PROTO_OK);
	cr_assert_not_null(buf);
	cr_assert_gt(*len, 0);
	return buf;
}

/* control_unpack from an exact-size heap copy; checks the documented
 * "on error *out is NULL" contract. */
static int unpack_exact(const uint8_t *buf, size_t len, control_envelope **out)
{
	uint8_t *copy = test_dup_exact(buf, len);
	int rc;

	cr_assert(copy != NULL || len == 0);
	*out = (control_envelope *)&rc; /* must be overwritten */
	rc = control_unpack(copy ? copy : (const uint8_t *)"", len, out);
	free(copy);
	if (rc == PROTO_OK)
		cr_assert_not_null(*out);
	else
		cr_assert_null(*out, "rc %d but *out set", rc);
	return rc;
}

/* Pack, unpack, compare every field, re-pack and compare the bytes. */
static void round_trip(const control_envelope *env)
{
	size_t len, len2;
	uint8_t *buf = pack_ok(env, &len), *buf2;
	control_envelope *got;

	cr_assert_eq(len, postern__control__envelope__get_packed_size(env));
	cr_assert_eq(unpack_exact(buf, len, &got), PROTO_OK);
	assert_same_envelope(got, env);
	buf2 = pack_ok(got, &len2);
	cr_assert_eq(len2, len);
	cr_assert_eq(memcmp(buf2, buf, len), 0, "re-packed bytes differ");
	control_free(got);
	free(buf2);
	free(buf);
}

/* ---- round trips ---------------------------------------------------------------- */

Test(control_roundtrip, envelope_init)
{
	control_envelope env;

	control_envelope_init(&env, 7);
	cr_assert_eq(env.protocol_version, CONTROL_PROTOCOL_VERSION);
	cr_assert_eq(env.protocol_version, 1);
	cr_assert_eq(env.message_id, 7);
	cr_assert_eq(env.body_case, POSTERN__CONTROL__ENVELOPE__BODY__NOT_SET);
}

Test(control_roundtrip, agent_hello)
{
	struct sample s;

	sample_build(&s, BODY(AGENT_HELLO));
	round_trip(&s.env);
	/* Repeated fields empty, bool false. */
	s.hello.n_ip_addresses = 0;
	s.hello.ip_addresses = NULL;
	s.hello.n_capabilities = 1;
	s.hello.runs_as_root = 0;
	round_trip(&s.env);
}

Test(control_roundtrip, hello_ack)
{
	struct sample s;

	sample_build(&s, BODY(HELLO_ACK));
	round_trip(&s.env);
}

Test(control_roundtrip, heartbeat)
{
	struct sample s;

	sample_build(&s, BODY(HEARTBEAT));
	round_trip(&s.env);
	/* All-default body: still a heartbeat, not an empty envelope. */
	s.heartbeat.sent_at_ms = 0;
	s.heartbeat.active_sessions = 0;
	round_trip(&s.env);
}

Test(control_roundtrip, start_session)
{
	struct sample s;

	sample_build(&s, BODY(START_SESSION));
	round_trip(&s.env);
	/* Without preferences and with a parameter that has no values. */
	s.start.preferences = NULL;
	s.params[1].n_values = 0;
	s.params[1].values = NULL;
	round_trip(&s.env);
}

Test(control_roundtrip, terminate_session)
{
	struct sample s;

	sample_build(&s, BODY(TERMINATE_SESSION));
	round_trip(&s.env);
}

Test(control_roundtrip, session_state_every_state)
{
	static const struct {
		Postern__Control__SessionState__State state;
		int has_exit;
		int32_t exit_code;
		uint64_t from, to;
		const char *detail;
	} v[] = {
		{ STATE(UNSPECIFIED), 0, 0, 0, 0, "" },
		{ STATE(STARTING), 0, 0, 0, 0, "forked" },
		{ STATE(CONNECTED), 0, 0, 1, 2, "" },
		{ STATE(TERMINATED), 1, 0, 4096, 1ull << 40, "exit 0" },
		{ STATE(TERMINATED), 1, 255, 17, 18, "exit 255" },
		{ STATE(TERMINATED), 1, INT32_MIN, UINT64_MAX, UINT64_MAX, "min" },
		{ STATE(TERMINATED), 1, INT32_MAX, UINT64_MAX - 1, 1, "max" },
		{ STATE(FAILED), 1, -1, 0, 0, "could not set up pty: ENOENT" },
		{ STATE(FAILED), 0, 0, 5, 0, "run-as user \"x\" missing" },
	};
	struct sample s;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		sample_build(&s, BODY(SESSION_STATE));
		s.state.state = v[i].state;
		s.state.has_exit_code = v[i].has_exit;
		s.state.exit_code = v[i].exit_code;
		s.state.bytes_from_client = v[i].from;
		s.state.bytes_to_client = v[i].to;
		s.state.detail = (char *)v[i].detail;
		round_trip(&s.env);
	}
}

Test(control_roundtrip, transcript_chunk_binary_data)
{
	struct sample s;
	uint8_t all[256];

	sample_build(&s, BODY(TRANSCRIPT_CHUNK));
	cr_assert_eq(s.data[0], 0);
	round_trip(&s.env);
	/* Every byte value, starting and ending with NUL. */
	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)(i + 1);
	all[255] = 0;
	all[0] = 0;
	s.chunk.data.data = all;
	s.chunk.data.len = sizeof(all);
	s.chunk.final = 0;
	round_trip(&s.env);
	/* Empty data, last chunk. */
	s.chunk.data.data = NULL;
	s.chunk.data.len = 0;
	s.chunk.final = 1;
	round_trip(&s.env);
}

Test(control_roundtrip, transcript_ack)
{
	struct sample s;

	sample_build(&s, BODY(TRANSCRIPT_ACK));
	round_trip(&s.env);
	s.chunk_ack.sequence = UINT64_MAX;
	round_trip(&s.env);
}

Test(control_roundtrip, error_every_code)
{
	struct sample s;

	for (int code = CODE(UNSPECIFIED); code <= CODE(INTERNAL); code++) {
		sample_build(&s, BODY(ERROR));
		s.error.code = (Postern__Control__Error__Code)code;
		s.env.message_id = (uint64_t)code;
		round_trip(&s.env);
	}
}

Test(control_roundtrip, message_id_extremes)
{
	struct sample s;

	sample_build(&s, BODY(HEARTBEAT));
	s.env.message_id = 0;
	round_trip(&s.env);
	s.env.message_id = UINT64_MAX;
	round_trip(&s.env);
}

/* ---- forward compatibility ------------------------------------------------------- */

Test(control_compat, unknown_fields_are_skipped)
{
	/* A heartbeat with an extra field 99 (varint) inside the body and an extra
	 * field 7 (bytes) in the envelope: a newer sender's additions. */
	static const char hex[] =
		"0801"     /* protocol_version 1 */
		"1005"     /* message_id 5 */
		"3a03616263" /* field 7, LEN 3, "abc" (unknown) */
		"6206"     /* heartbeat, LEN 6 */
		"082a"     /* sent_at_ms 42 */
		"9806e807"; /* field 99 varint 1000 (unknown) */
	size_t len;
	uint8_t *buf = hex_decode_alloc(hex, &len);
	control_envelope *env;

	cr_assert_not_null(buf);
	cr_assert_eq(unpack_exact(buf, len, &env), PROTO_OK);
	cr_assert_eq(env->message_id, 5);
	cr_assert_eq(env->body_case, BODY(HEARTBEAT));
	cr_assert_eq(env->heartbeat->sent_at_ms, 42);
	cr_assert_eq(env->heartbeat->active_sessions, 0);
	control_free(env);
	free(buf);
}

Test(control_compat, unknown_message_kind_is_empty)
{
	/* Version 1 envelope whose only body is a future oneof member (field 30). */
	static const char hex[] = "0801" "1009" "f2010400000000";
	size_t len;
	uint8_t *buf = hex_decode_alloc(hex, &len);
	control_envelope *env;

	cr_assert_not_null(buf);
	cr_assert_eq(unpack_exact(buf, len, &env), PROTO_E_EMPTY);
	free(buf);
}

/* ---- envelope errors ------------------------------------------------------------- */

Test(control_errors, pack_empty_envelope)
{
	control_envelope env;
	uint8_t *out = (uint8_t *)&env;
	size_t len = 99;

	control_envelope_init(&env, 1);
	cr_assert_eq(control_pack(&env, &out, &len), PROTO_E_EMPTY);
	cr_assert_null(out);
	cr_assert_eq(len, 0);
}

Test(control_errors, unpack_empty_envelope)
{
	control_envelope env;
	control_envelope *got;
	size_t len;
	uint8_t *buf;

	/* control_pack refuses it, so pack a body-less envelope by hand. */
	control_envelope_init(&env, 12345);
	len = postern__control__envelope__get_packed_size(&env);
	buf = malloc(len);
	cr_assert_not_null(buf);
	cr_assert_eq(postern__control__envelope__pack(&env, buf), len);
	cr_assert_eq(unpack_exact(buf, len, &got), PROTO_E_EMPTY);
	free(buf);
}

Test(control_errors, unsupported_protocol_version)
{
	static const uint32_t bad[] = { 0, 2, 3, 0x7fffffff, UINT32_MAX };
	struct sample s;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t len;
		uint8_t *buf;
		control_envelope *got;

		sample_build(&s, BODY(START_SESSION));
		s.env.protocol_version = bad[i];
		/* control_pack uses the version as given ... */
		buf = pack_ok(&s.env, &len);
		/* ... and control_unpack refuses it. */
		cr_assert_eq(unpack_exact(buf, len, &got), PROTO_E_VERSION, "version %u", bad[i]);
		free(buf);
	}
}

Test(control_errors, zero_length_message)
{
	control_envelope *got;

	/* Zero bytes are a valid protobuf encoding of an all-default envelope,
	 * i.e. protocol version 0: refused as an unsupported version. */
	cr_assert_eq(unpack_exact((const uint8_t *)"", 0, &got), PROTO_E_VERSION);
}

Test(control_errors, garbage_is_protobuf_error)
{
	static const char *const garbage[] = {
		"ffffffffff",                 /* a tag varint that never ends */
		"ffffffffffffffffffffff",     /* an over-long varint */
		"0f01",                       /* wire type 7 */
		"0e01",                       /* wire type 6 */
		"0001",                       /* field number 0 */
		"08015210",                   /* agent_hello LEN 16, nothing follows */
		"0a00",                       /* protocol_version sent as LEN */
		"0880",                       /* varint cut short */
		"0b",                         /* start-group */
		"08010c",                     /* end-group with no start */
		"08015202ffff",               /* agent_hello holding garbage */
		"0901",                       /* fixed64 cut short */
		"68656c6c6f2c20776f726c64",   /* "hello, world" */
	};
	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		size_t len;
		uint8_t *buf = hex_decode_alloc(garbage[i], &len);
		control_envelope *got;

		cr_assert_not_null(buf);
		cr_assert_eq(unpack_exact(buf, len, &got), PROTO_E_PROTOBUF, "%s", garbage[i]);
		free(buf);
	}
}

/* ---- size cap ---------------------------------------------------------------------- */

Test(control_size, unpack_over_cap_refused_without_reading)
{
	size_t len = CONTROL_MAX_MESSAGE + 1;
	uint8_t *buf = test_unreadable_alloc(len);
	control_envelope *got = (control_envelope *)&len;

	cr_assert_not_null(buf);
	cr_assert_eq(control_unpack(buf, len, &got), PROTO_E_TOO_LARGE);
	cr_assert_null(got);
	cr_assert_eq(control_unpack(buf, SIZE_MAX, &got), PROTO_E_TOO_LARGE);
	test_unreadable_free(buf, len);
}

/* A TranscriptChunk whose packed size is exactly `target` bytes. */
static void chunk_of_packed_size(struct sample *s, uint8_t *data, size_t target)
{
	size_t n = target, size;

	sample_build(s, BODY(TRANSCRIPT_CHUNK));
	s->chunk.data.data = data;
	/* Varint length prefixes grow with n, so walk down to the exact size. */
	for (;;) {
		s->chunk.data.len = n;
		size = postern__control__envelope__get_packed_size(&s->env);
		if (size == target)
			return;
		cr_assert_gt(size, target, "cannot hit %zu exactly", target);
		n -= size - target;
	}
}

Test(control_size, exactly_at_the_cap)
{
	uint8_t *data = calloc(1, CONTROL_MAX_MESSAGE);
	struct sample s;
	size_t len;
	uint8_t *buf;
	control_envelope *got;

	cr_assert_not_null(data);
	chunk_of_packed_size(&s, data, CONTROL_MAX_MESSAGE);
	buf = pack_ok(&s.env, &len);
	cr_assert_eq(len, CONTROL_MAX_MESSAGE);
	cr_assert_eq(unpack_exact(buf, len, &got), PROTO_OK);
	assert_same_envelope(got, &s.env);
	control_free(got);
	free(buf);
	free(data);
}

Test(control_size, pack_one_byte_over_the_cap)
{
	uint8_t *data = calloc(1, CONTROL_MAX_MESSAGE + 1);
	struct sample s;
	uint8_t *buf = data;
	size_t len = 99;

	cr_assert_not_null(data);
	chunk_of_packed_size(&s, data, CONTROL_MAX_MESSAGE + 1);
	cr_assert_eq(control_pack(&s.env, &buf, &len), PROTO_E_TOO_LARGE);
	cr_assert_null(buf);
	cr_assert_eq(len, 0);
	free(data);
}

/* ---- truncation and corruption ---------------------------------------------------- */

static int acceptable_unpack_rc(int rc)
{
	return rc == PROTO_OK || rc == PROTO_E_PROTOBUF || rc == PROTO_E_VERSION ||
	       rc == PROTO_E_EMPTY;
}

Test(control_corruption, every_prefix_of_every_kind)
{
	for (size_t k = 0; k < N_KINDS; k++) {
		struct sample s;
		size_t len;
		uint8_t *buf;
		int oks = 0;

		sample_build(&s, all_kinds[k]);
		buf = pack_ok(&s.env, &len);
		for (size_t n = 0; n < len; n++) {
			control_envelope *got;
			int rc = unpack_exact(buf, n, &got);

			cr_assert(acceptable_unpack_rc(rc), "kind %d prefix %zu: rc %d",
				  (int)all_kinds[k], n, rc);
			if (rc == PROTO_OK) {
				cr_assert_eq(got->protocol_version, CONTROL_PROTOCOL_VERSION);
				cr_assert_neq(got->body_case, POSTERN__CONTROL__ENVELOPE__BODY__NOT_SET);
				oks++;
			}
			control_free(got);
		}
		/* Cutting inside the body's length-delimited field always fails. */
		cr_assert_eq(oks, 0, "kind %d: a strict prefix unpacked", (int)all_kinds[k]);
		free(buf);
	}
}

Test(control_corruption, every_bit_flip_of_every_kind)
{
	for (size_t k = 0; k < N_KINDS; k++) {
		struct sample s;
		size_t len;
		uint8_t *buf;

		sample_build(&s, all_kinds[k]);
		buf = pack_ok(&s.env, &len);
		for (size_t bit = 0; bit < len * 8; bit++) {
			control_envelope *got;
			int rc;

			buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			rc = unpack_exact(buf, len, &got);
			buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			cr_assert(acceptable_unpack_rc(rc), "kind %d bit %zu: rc %d",
				  (int)all_kinds[k], bit, rc);
			control_free(got);
		}
		free(buf);
	}
}

Test(control_misc, error_codes_are_distinct_and_named)
{
	static const int codes[] = {
		PROTO_OK, PROTO_E_NOMEM, PROTO_E_TOO_LARGE, PROTO_E_PROTOBUF, PROTO_E_VERSION,
		PROTO_E_EMPTY,
	};
	const size_t n = sizeof(codes) / sizeof(codes[0]);

	for (size_t i = 0; i < n; i++) {
		cr_assert_str_neq(proto_err_str(codes[i]), "unknown error", "code %d", codes[i]);
		for (size_t j = i + 1; j < n; j++) {
			cr_assert_neq(codes[i], codes[j]);
			cr_assert_str_neq(proto_err_str(codes[i]), proto_err_str(codes[j]));
		}
	}
}

Test(control_misc, free_null_is_harmless)
{
	control_free(NULL);
}
