/*
 * sessions.c — the live-session table: starting a session (store record,
 * tokens, stream URL), dispatching it to the agent once the client is
 * attached, and ending it (channel_closed to each end, store updated).
 */
#include "sessions_impl.h"
#include "agents.h"
#include "base64.h"
#include "broker.h"
#include "frame.h"
#include "payload.h"
#include "proto_err.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_RANDOM_BYTES 48 /* 64 base64 characters */

struct live_session *sessions_find(struct broker *b, const char *id)
{
	for (struct live_session *s = b->sessions; s; s = s->next)
		if (strcmp(s->id, id) == 0)
			return s;
	return NULL;
}

/* A random token (base64url, no padding) registered for the session and role. */
static int new_token(struct broker *b, const char *session_id, enum store_token_role role,
		     char token[SESSIONS_TOKEN_CHARS + 1])
{
	uint8_t random[TOKEN_RANDOM_BYTES];
	size_t len;
	int rc;

	if (RAND_bytes(random, sizeof(random)) != 1)
		return -1;
	rc = base64_encode(random, sizeof(random), token, SESSIONS_TOKEN_CHARS + 1, &len);
	OPENSSL_cleanse(random, sizeof(random));
	if (rc != PROTO_OK)
		return -1;
	for (char *p = token; *p; p++)
		*p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
	return store_token_add(b->store, session_id, role, token,
			       (int64_t)time(NULL) + b->cfg.token_ttl_s) == STORE_OK ? 0 : -1;
}

int sessions_stream_url(const struct broker *b, const char *id, char *out, size_t len)
{
	const char *rest = strncmp(b->public_url, "https://", 8) == 0 ? b->public_url + 8
								       : b->public_url;
	int n = snprintf(out, len, "wss://%s%s%s?role=publish_subscribe", rest,
			 SESSIONS_DATA_PATH, id);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static void live_free(struct live_session *s)
{
	msg_queue_clear(&s->to[END_CLIENT]);
	msg_queue_clear(&s->to[END_AGENT]);
	free(s->parameters_json);
	free(s->properties_json);
	free(s);
}

int sessions_start(struct broker *b, const struct session_start *st, char *id, size_t idlen,
		   char client_token[SESSIONS_TOKEN_CHARS + 1], char *url, size_t urllen,
		   char *err, size_t errlen)
{
	struct store_session_new n = {
		.caller = st->owner, .target = st->target, .owner = st->owner,
		.document_name = st->document, .parameters = st->parameters_json,
		.reason = st->reason, .start_date = (int64_t)time(NULL),
	};
	uint8_t random[STORE_ID_RANDOM_BYTES];
	struct live_session *s = calloc(1, sizeof(*s));
	char agent_token[SESSIONS_TOKEN_CHARS + 1];
	int rc;

	if (!s || !(s->parameters_json = strdup(st->parameters_json ? st->parameters_json : "{}")) ||
	    !(s->properties_json = strdup(st->properties_json ? st->properties_json : "null")))
		goto fail;
	do {
		if (RAND_bytes(random, sizeof(random)) != 1)
			goto fail;
		rc = store_session_create(b->store, &n, random, s->id);
	} while (rc == STORE_CONFLICT);
	if (rc != STORE_OK || new_token(b, s->id, STORE_ROLE_CLIENT, client_token) != 0 ||
	    new_token(b, s->id, STORE_ROLE_AGENT, agent_token) != 0)
		goto fail;
	OPENSSL_cleanse(agent_token, sizeof(agent_token)); /* re-issued at dispatch */
	snprintf(s->target, sizeof(s->target), "%s", st->target);
	snprintf(s->document, sizeof(s->document), "%s", st->document);
	snprintf(s->session_type, sizeof(s->session_type), "%s", st->session_type);
	snprintf(s->owner, sizeof(s->owner), "%s", st->owner);
	s->started = time(NULL);
	s->next = b->sessions;
	b->sessions = s;
	snprintf(id, idlen, "%s", s->id);
	return sessions_stream_url(b, s->id, url, urllen);
fail:
	snprintf(err, errlen, "could not create the session: %s", store_errmsg(b->store));
	if (s && s->id[0])
		store_session_set_status(b->store, s->id, STORE_SESSION_FAILED, (int64_t)time(NULL));
	if (s)
		live_free(s);
	return -1;
}

/* Tell the agent to start the session, with a fresh agent-role token. */
static int dispatch(struct broker *b, struct live_session *s)
{
	Postern__Control__StartSession start = POSTERN__CONTROL__START_SESSION__INIT;
	struct agent_conn *agent = agents_find(b, s->target);
	char token[SESSIONS_TOKEN_CHARS + 1], url[SESSIONS_URL_MAX];
	control_envelope env;
	int rc;

	if (!agent || sessions_stream_url(b, s->id, url, sizeof(url)) != 0 ||
	    new_token(b, s->id, STORE_ROLE_AGENT, token) != 0)
		return -1;
	start.session_id = s->id;
	start.document_name = s->document;
	start.session_type = s->session_type;
	start.data_channel_url = url;
	start.token = token;
	start.owner = s->owner;
	start.properties_json = s->properties_json;
	control_envelope_init(&env, 0);
	env.body_case = POSTERN__CONTROL__ENVELOPE__BODY_START_SESSION;
	env.start_session = &start;
	rc = agents_send(b, agent, &env);
	OPENSSL_cleanse(token, sizeof(token));
	return rc;
}

void sessions_attached(struct broker *b, struct live_session *s, enum end_role role)
{
	if (role == END_CLIENT && !s->dispatched) {
		if (dispatch(b, s) != 0) {
			broker_log(b, 1, "session %s: target %s is not connected", s->id, s->target);
			sessions_end(b, s, "The target is not connected.", STORE_SESSION_FAILED);
			return;
		}
		s->dispatched = true;
		broker_log(b, 2, "session %s: dispatched to %s", s->id, s->target);
	} else if (role == END_CLIENT && s->end[END_AGENT]) {
		/* the client is back: the agent may publish again (§7.2) */
		sessions_queue_control(b, s, END_AGENT, "start_publication", NULL);
	}
	if (s->end[END_CLIENT] && s->end[END_AGENT]) {
		s->connected = true;
		store_session_set_status(b->store, s->id, STORE_SESSION_CONNECTED, (int64_t)time(NULL));
	}
}

/* Build a broker-originated frame (channel_closed, start/pause_publication). */
static int control_frame(const struct live_session *s, const char *message_type,
			 const char *output, uint8_t **out, size_t *out_len)
{
	struct payload_channel_closed cc = {0};
	char id_text[UUID_STR_LEN + 1], date[32];
	uint8_t random16[UUID_LEN], *json = NULL;
	size_t json_len = 0;
	struct frame f;
	struct uuid id;
	time_t now = time(NULL);
	struct tm tm;
	int rc;

	if (RAND_bytes(random16, sizeof(random16)) != 1)
		return -1;
	id = uuid_v4_from_bytes(random16);
	frame_init(&f, message_kind_of(message_type), (uint64_t)now * 1000u, &id);
	if (strcmp(message_type, "channel_closed") == 0) {
		uuid_format(&id, id_text);
		gmtime_r(&now, &tm);
		strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S.000Z", &tm);
		cc.message_id = id_text;
		cc.created_date = date;
		cc.destination_id = (char *)s->target;
		cc.session_id = (char *)s->id;
		cc.message_type = "channel_closed";
		cc.schema_version = 1;
		cc.output = (char *)(output ? output : "");
		if (payload_channel_closed_encode(&cc, &json, &json_len) != PROTO_OK)
			return -1;
	} else {
		json = (uint8_t *)strdup("{}");
		json_len = 2;
		if (!json)
			return -1;
	}
	f.payload = json;
	f.payload_len = json_len;
	*out_len = frame_encoded_len(&f);
	*out = malloc(*out_len);
	rc = *out ? frame_encode(&f, *out, *out_len, out_len) : PROTO_E_NOMEM;
	free(json);
	if (rc != PROTO_OK) {
		free(*out);
		return -1;
	}
	return 0;
}

int sessions_queue_control(struct broker *b, struct live_session *s, enum end_role to,
			   const char *message_type, const char *output)
{
	uint8_t *frame;
	size_t len;
	int rc;

	if (control_frame(s, message_type, output, &frame, &len) != 0)
		return -1;
	rc = msg_queue_push(&s->to[to], frame, len, true);
	free(frame);
	relay_wake(b, s, to);
	return rc;
}

static void tell_agent_to_stop(struct broker *b, struct live_session *s, const char *reason)
{
	Postern__Control__TerminateSession term = POSTERN__CONTROL__TERMINATE_SESSION__INIT;
	struct agent_conn *agent = agents_find(b, s->target);
	control_envelope env;

	if (!agent || !s->dispatched)
		return;
	term.session_id = s->id;
	term.reason = (char *)reason;
	control_envelope_init(&env, 0);
	env.body_case = POSTERN__CONTROL__ENVELOPE__BODY_TERMINATE_SESSION;
	env.terminate_session = &term;
	agents_send(b, agent, &env);
}

void sessions_end(struct broker *b, struct live_session *s, const char *output,
		  enum store_session_status status)
{
	int64_t now = (int64_t)time(NULL);

	if (s->ended)
		return;
	s->ended = true;
	for (int role = END_CLIENT; role <= END_AGENT; role++) {
		if (!s->end[role])
			continue;
		sessions_queue_control(b, s, (enum end_role)role, "channel_closed", output);
		s->end[role]->closing = true;
	}
	tell_agent_to_stop(b, s, output ? output : "");
	store_session_add_bytes(b->store, s->id, (int64_t)s->bytes[END_CLIENT],
				(int64_t)s->bytes[END_AGENT]);
	if (output && *output)
		store_session_set_details(b->store, s->id, output);
	store_session_set_status(b->store, s->id, status, now);
	broker_log(b, 2, "session %s: ended (%s; %llu bytes in, %llu out)", s->id,
		   store_session_status_name(status), (unsigned long long)s->bytes[END_CLIENT],
		   (unsigned long long)s->bytes[END_AGENT]);
	/* the caller frees it (sessions_free_if_done) once it no longer uses s */
}

void sessions_free_if_done(struct broker *b, struct live_session *s)
{
	struct live_session **p;

	if (!s->ended || s->end[END_CLIENT] || s->end[END_AGENT])
		return;
	for (p = &b->sessions; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			break;
		}
	live_free(s);
}

int sessions_terminate(struct broker *b, const char *id, const char *output)
{
	struct live_session *s = sessions_find(b, id);

	if (!s || s->ended)
		return 1;
	sessions_end(b, s, output, STORE_SESSION_TERMINATED);
	sessions_free_if_done(b, s);
	return 0;
}

int sessions_new_client_token(struct broker *b, const char *id,
			      char token[SESSIONS_TOKEN_CHARS + 1])
{
	struct live_session *s = sessions_find(b, id);

	if (!s || s->ended)
		return -1;
	return new_token(b, s->id, STORE_ROLE_CLIENT, token);
}

void sessions_agent_report(struct broker *b, const char *instance_id, const char *session_id,
			   bool failed, const char *detail)
{
	struct live_session *s = sessions_find(b, session_id);

	if (!s || s->ended || strcmp(s->target, instance_id) != 0)
		return;
	if (failed) {
		broker_log(b, 1, "session %s: the agent reports a failure: %s", s->id, detail);
		sessions_end(b, s, detail && *detail ? detail : "The session failed on the target.",
			     STORE_SESSION_FAILED);
	} else if (!s->end[END_AGENT]) {
		sessions_end(b, s, "", STORE_SESSION_TERMINATED);
	} else {
		s->agent_reported_ok = true; /* its data channel closes next */
	}
	sessions_free_if_done(b, s);
}

void sessions_sweep(struct broker *b, time_t now)
{
	struct live_session *s = b->sessions, *next;

	for (; s; s = next) {
		next = s->next;
		if (s->ended)
			continue;
		if (!s->dispatched && now - s->started > b->cfg.token_ttl_s) {
			broker_log(b, 1, "session %s: the client never connected", s->id);
			sessions_end(b, s, "The client did not connect in time.",
				     STORE_SESSION_FAILED);
		} else if (s->agent_left && !s->end[END_AGENT] &&
			   now - s->agent_left >= SESSIONS_REPORT_GRACE_S) {
			sessions_end(b, s, "", STORE_SESSION_TERMINATED);
		}
		sessions_free_if_done(b, s);
	}
}

void sessions_agent_gone(struct broker *b, const char *instance_id)
{
	struct live_session *s = b->sessions, *next;

	for (; s; s = next) {
		next = s->next;
		if (!s->ended && strcmp(s->target, instance_id) == 0 && !s->end[END_AGENT]) {
			sessions_end(b, s, "The target disconnected.", STORE_SESSION_FAILED);
			sessions_free_if_done(b, s);
		}
	}
}

void sessions_release_all(struct broker *b)
{
	while (b->sessions) {
		struct live_session *s = b->sessions;

		b->sessions = s->next;
		if (!s->ended)
			store_session_set_status(b->store, s->id, STORE_SESSION_TERMINATED,
						 (int64_t)time(NULL));
		live_free(s);
	}
}
