/*
 * session.c — the life of a session: data channel, handshake, the dispatch
 * to a session kind, and the end (see session.h).
 */
#include "session.h"
#include "api_client.h"
#include "client_err.h"
#include "loop.h"
#include "payload.h"
#include "proto_err.h"
#include "session_impl.h"
#include "terminal.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void session_end(struct session *s, enum session_end end, int signo, const char *message)
{
	if (session_result_end(s->result, end, signo, message))
		s->done = s->wake = true;
}

/* The kind that runs a handshake kind; NULL for none. */
static const struct session_kind *kind_for(enum handshake_kind kind)
{
	switch (kind) {
	case HANDSHAKE_KIND_SHELL:
		return &session_shell_kind;
	case HANDSHAKE_KIND_PORT:
		return &session_port_kind;
	case HANDSHAKE_KIND_NONE:
		break;
	}
	return NULL;
}

static void start_kind(struct session *s, const struct session_kind *kind)
{
	char err[512];

	s->kind = kind;
	if (kind->start(s, err, sizeof(err)) != CLIENT_OK) {
		session_end(s, SESSION_END_ERROR, 0, err);
		return;
	}
	s->started = true;
}

/* ---- handshake (session-flow.md §2) ---------------------------------------- */

static void answer_handshake(struct session *s, const struct frame *f)
{
	const struct handshake_options opt = {
		.client_version = SESSION_CLIENT_VERSION,
		.port_supported = kind_for(HANDSHAKE_KIND_PORT) != NULL,
	};
	uint8_t *resp;
	size_t len;
	int rc;

	handshake_outcome_free(&s->hs);
	rc = handshake_answer(f->payload, f->payload_len, &opt, &resp, &len, &s->hs);
	if (rc != CLIENT_OK) {
		session_end(s, SESSION_END_ERROR, 0, "the agent's handshake request is malformed");
		return;
	}
	rc = data_channel_send(s->dc, PAYLOAD_HANDSHAKE_RESPONSE, resp, len);
	free(resp);
	if (rc != CLIENT_OK)
		session_end(s, SESSION_END_ERROR, 0, "cannot send the handshake response");
	/* a refused action makes the agent end the session; channel_closed says why */
}

static void handshake_complete(struct session *s, const struct frame *f)
{
	struct payload_handshake_complete hc;
	const struct session_kind *kind = kind_for(s->hs.kind);
	char msg[512];

	if (!kind) {
		snprintf(msg, sizeof(msg), "cannot start the session: %s",
			 s->hs.failed ? s->hs.error : "unable to determine the session type");
		session_end(s, SESSION_END_ERROR, 0, msg);
		return;
	}
	if (payload_handshake_complete_decode(f->payload, f->payload_len, &hc) == PROTO_OK) {
		if (hc.customer_message[0])
			fprintf(stderr, "%s\n", hc.customer_message);
		payload_handshake_complete_free(&hc);
	}
	start_kind(s, kind);
}

/* ---- data channel events ------------------------------------------------------ */

static enum rstream_delivery on_message(void *ctx, const struct frame *f)
{
	struct session *s = ctx;

	if (s->done)
		return RSTREAM_NOT_READY;
	s->resume_failures = 0; /* the agent is reached again */
	switch (f->payload_type) {
	case PAYLOAD_HANDSHAKE_REQUEST:
		answer_handshake(s, f);
		return RSTREAM_DELIVERED;
	case PAYLOAD_HANDSHAKE_COMPLETE:
		if (!s->kind)
			handshake_complete(s, f);
		return RSTREAM_DELIVERED;
	case PAYLOAD_ENC_CHALLENGE_REQUEST:
		session_end(s, SESSION_END_ERROR, 0,
			    "the agent asked for session encryption, not supported yet");
		return RSTREAM_DELIVERED;
	default:
		break;
	}
	if (!s->kind && f->payload_type == PAYLOAD_OUTPUT)
		start_kind(s, &session_shell_kind); /* an agent without handshake: a shell */
	if (!s->started)
		return RSTREAM_DELIVERED; /* nothing runs yet to take it (the plugin waits too) */
	return s->kind->on_payload(s, f);
}

static void on_open(void *ctx)
{
	(void)ctx; /* the agent speaks first */
}

static void on_closed(void *ctx, const char *output)
{
	session_end(ctx, SESSION_END_CLOSED, 0, output);
}

/* The connection dropped: dial again (session_resume, out of the loop) while
 * attempts remain, else the session is lost. */
static void on_lost(void *ctx, const char *why)
{
	struct session *s = ctx;

	if (s->done)
		return;
	if (!s->params->cred || s->resume_failures >= SESSION_RESUME_ATTEMPTS) {
		session_end(s, SESSION_END_LOST, 0, s->resume_failures ? s->resume_why : why);
		return;
	}
	snprintf(s->resume_why, sizeof(s->resume_why), "%s", why);
	s->resume_wanted = s->wake = true;
}

static void on_send_room(void *ctx)
{
	struct session *s = ctx;

	s->resume_failures = 0; /* acknowledgements arrive: the agent is reached again */
	if (s->started && !s->done)
		s->kind->on_send_room(s);
}

static void on_resend_limit(void *ctx)
{
	session_end(ctx, SESSION_END_ERROR, 0,
		    "the agent has stopped acknowledging what this client sends");
}

static void on_signal(void *ctx, int signo)
{
	struct session *s = ctx;

	if (s->done)
		return;
	if (s->started) {
		s->kind->on_signal(s, signo);
		return;
	}
	if (signo == SIGINT || signo == SIGQUIT || signo == SIGTERM || signo == SIGHUP)
		session_end(s, SESSION_END_SIGNAL, signo, "interrupted before the session started");
}

/* ---- resuming a dropped data channel (data-channel.md §8) ------------------------ */

/* ResumeSession: the new token into token (cap bytes). CLIENT_OK or an error
 * in err. */
static int resume_token(struct session *s, char *token, size_t cap, char *err, size_t errlen)
{
	json_t *body = json_pack("{s:s}", "SessionId", s->params->session_id), *resp = NULL;
	const char *value;
	int rc;

	if (!body)
		return client_errf(err, errlen, CLIENT_E_NOMEM, "out of memory");
	rc = api_client_call(s->loop, s->params->cred, "ResumeSession", body, &resp, err, errlen);
	json_decref(body);
	if (rc != CLIENT_OK)
		return rc;
	value = json_string_value(json_object_get(resp, "TokenValue"));
	if (!value || !*value || strlen(value) >= cap)
		rc = client_errf(err, errlen, CLIENT_E_PROTOCOL, "ResumeSession gave no token");
	else
		snprintf(token, cap, "%s", value);
	json_decref(resp);
	return rc;
}

/* Called from session_run, outside the loop's callbacks: wait a moment after
 * a failed attempt, ask for a new token, dial again. */
static void session_resume(struct session *s)
{
	char token[2048], err[1024], why[sizeof(err) + sizeof(s->resume_why) + 32];
	int rc;

	s->resume_wanted = false;
	if (s->resume_failures++ > 0)
		loop_sleep(s->loop, SESSION_RESUME_PAUSE_MS);
	if (s->done)
		return;
	rc = resume_token(s, token, sizeof(token), err, sizeof(err));
	if (rc == CLIENT_OK)
		rc = data_channel_reopen(s->dc, token, err, sizeof(err));
	OPENSSL_cleanse(token, sizeof(token));
	if (rc == CLIENT_OK)
		return;
	snprintf(why, sizeof(why), "%s; resuming failed: %s", s->resume_why, err);
	session_end(s, SESSION_END_LOST, 0, why);
}

static const struct data_channel_ops channel_ops = {
	on_open, on_message, on_closed, on_lost, on_send_room, on_resend_limit,
};

int session_run(struct loop *l, const struct session_params *p, struct session_result *result,
		bool *mid_line, char *err, size_t errlen)
{
	struct session s;
	int rc;

	memset(&s, 0, sizeof(s));
	s.loop = l;
	s.params = p;
	s.result = result;
	session_result_init(result);
	rc = data_channel_open(l, p->stream_url, p->token_value, &channel_ops, &s, &s.dc, err,
			       errlen);
	if (rc == CLIENT_OK)
		rc = signals_start(&s.signals, l, on_signal, &s, err, errlen);
	while (rc == CLIENT_OK && !s.done) {
		rc = loop_run_until(l, &s.wake);
		s.wake = s.done;
		if (rc == CLIENT_OK && s.resume_wanted && !s.done)
			session_resume(&s);
	}
	if (rc == CLIENT_E_NET)
		client_errf(err, errlen, rc, "the event loop failed");
	if (s.kind)
		s.kind->stop(&s);
	data_channel_stop(s.dc);
	data_channel_free(s.dc);
	signals_stop(&s.signals);
	terminal_restore();
	handshake_outcome_free(&s.hs);
	*mid_line = s.mid_line;
	return rc;
}
