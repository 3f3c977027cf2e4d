/*
 * control_link.c — the agent's side of the control-channel conversation
 * (see control_link.h).
 */
#include "control_link.h"
#include "agent_log.h"
#include "control.h"
#include "control_messages.h"
#include "proto_err.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BODY(x) POSTERN__CONTROL__ENVELOPE__BODY_##x
#define CODE(x) POSTERN__CONTROL__ERROR__CODE__CODE_##x

static int link_close(struct control_link *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int link_close(struct control_link *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(l->reason, sizeof(l->reason), fmt, ap);
	va_end(ap);
	return CONTROL_LINK_CLOSE;
}

void control_link_init(struct control_link *l, const char *instance_id,
		       const struct host_info *host)
{
	memset(l, 0, sizeof(*l));
	l->instance_id = instance_id;
	l->host = host;
	l->state = CONTROL_LINK_IDLE;
	l->next_message_id = 1;
}

/* Pack env onto the queue. OK or CLOSE. */
static int enqueue(struct control_link *l, const control_envelope *env)
{
	struct control_link_msg *m;
	int rc;

	if (l->queue_count == CONTROL_LINK_QUEUE_MAX)
		return link_close(l, "the broker is not reading: %d messages waiting to be sent",
				  CONTROL_LINK_QUEUE_MAX);
	m = &l->queue[(l->queue_head + l->queue_count) % CONTROL_LINK_QUEUE_MAX];
	rc = control_pack(env, &m->data, &m->len);
	if (rc != PROTO_OK)
		return link_close(l, "cannot pack a %s: %s", control_messages_kind(env->body_case),
				  proto_err_str(rc));
	l->queue_count++;
	return CONTROL_LINK_OK;
}

static int send_error(struct control_link *l, uint64_t in_reply_to,
		      Postern__Control__Error__Code code, const char *message,
		      const char *session_id)
{
	struct control_msg_error m;

	control_messages_error(&m, l->next_message_id++, in_reply_to, code, message, session_id);
	return enqueue(l, &m.env);
}

int control_link_open(struct control_link *l, const struct control_link_time *now)
{
	struct control_msg_hello m;

	control_link_close(l);
	l->state = CONTROL_LINK_HELLO_SENT;
	l->opened_ms = now->mono_ms;
	l->last_rx_ms = now->mono_ms;
	control_messages_hello(&m, l->next_message_id++, l->instance_id, l->host);
	return enqueue(l, &m.env);
}

static uint32_t checked_interval(uint32_t asked)
{
	if (asked == 0) {
		agent_log(AGENT_LOG_WARN, "HelloAck names no heartbeat interval: using %u ms",
			  CONTROL_LINK_INTERVAL_DEFAULT_MS);
		return CONTROL_LINK_INTERVAL_DEFAULT_MS;
	}
	if (asked < CONTROL_LINK_INTERVAL_MIN_MS || asked > CONTROL_LINK_INTERVAL_MAX_MS) {
		uint32_t v = asked < CONTROL_LINK_INTERVAL_MIN_MS ? CONTROL_LINK_INTERVAL_MIN_MS
								  : CONTROL_LINK_INTERVAL_MAX_MS;

		agent_log(AGENT_LOG_WARN, "heartbeat interval %" PRIu32 " ms is out of range: using %"
			  PRIu32 " ms", asked, v);
		return v;
	}
	return asked;
}

static int on_hello_ack(struct control_link *l, const Postern__Control__HelloAck *ack,
			const struct control_link_time *now)
{
	if (l->state == CONTROL_LINK_READY) {
		agent_log(AGENT_LOG_WARN, "a second HelloAck on this connection: ignored");
		return CONTROL_LINK_OK;
	}
	l->state = CONTROL_LINK_READY;
	l->interval_ms = checked_interval(ack->heartbeat_interval_ms);
	l->next_beat_ms = now->mono_ms + l->interval_ms;
	l->clock_offset_ms = ack->server_time_ms ? (int64_t)ack->server_time_ms -
							   (int64_t)now->wall_ms : 0;
	agent_log(AGENT_LOG_INFO, "connected: broker accepted instance %s, heartbeat every %"
		  PRIu32 " ms", l->instance_id, l->interval_ms);
	if (l->clock_offset_ms > 60000 || l->clock_offset_ms < -60000)
		agent_log(AGENT_LOG_WARN, "this host's clock differs from the broker's by %" PRId64
			  " s", l->clock_offset_ms / 1000);
	return CONTROL_LINK_OK;
}

void control_link_set_sessions(struct control_link *l, const struct control_link_sessions *h)
{
	l->sessions = *h;
}

int control_link_session_state(struct control_link *l, const char *session_id, int state,
			       bool has_exit_code, int exit_code, const char *detail)
{
	Postern__Control__SessionState st = POSTERN__CONTROL__SESSION_STATE__INIT;
	control_envelope env;

	if (l->state != CONTROL_LINK_READY)
		return CONTROL_LINK_OK;
	st.session_id = (char *)session_id;
	st.state = (Postern__Control__SessionState__State)state;
	st.has_exit_code = has_exit_code;
	st.exit_code = exit_code;
	st.detail = (char *)(detail ? detail : "");
	control_envelope_init(&env, l->next_message_id++);
	env.body_case = BODY(SESSION_STATE);
	env.session_state = &st;
	return enqueue(l, &env);
}

static int refuse_session(struct control_link *l, const control_envelope *env);

/* Hand a session request to the hooks. The token is never logged. */
static int session_request(struct control_link *l, const control_envelope *env)
{
	if (!l->sessions.start)
		return refuse_session(l, env);
	if (env->body_case == BODY(START_SESSION))
		l->sessions.start(l->sessions.ctx, env->start_session);
	else
		l->sessions.stop(l->sessions.ctx, env->terminate_session->session_id);
	return CONTROL_LINK_OK;
}

/* Without session hooks: refuse. The token is never logged. */
static int refuse_session(struct control_link *l, const control_envelope *env)
{
	const char *sid;

	if (env->body_case == BODY(START_SESSION)) {
		sid = env->start_session->session_id;
		agent_log(AGENT_LOG_WARN, "StartSession %s (%s, %s, by %s): not implemented yet; "
			  "refused", sid, env->start_session->document_name,
			  env->start_session->session_type, env->start_session->owner);
		return send_error(l, env->message_id, CODE(REFUSED),
				  "this agent does not run sessions yet", sid);
	}
	sid = env->terminate_session->session_id;
	agent_log(AGENT_LOG_WARN, "TerminateSession %s: not implemented yet; refused", sid);
	return send_error(l, env->message_id, CODE(REFUSED),
			  "this agent has no sessions to terminate yet", sid);
}

static int dispatch(struct control_link *l, const control_envelope *env,
		    const struct control_link_time *now)
{
	switch (env->body_case) {
	case BODY(HELLO_ACK):
		return on_hello_ack(l, env->hello_ack, now);
	case BODY(HEARTBEAT):
		return CONTROL_LINK_OK; /* its arrival was the point */
	case BODY(START_SESSION):
	case BODY(TERMINATE_SESSION):
		return session_request(l, env);
	case BODY(ERROR):
		agent_log(AGENT_LOG_WARN, "broker reports %s (in reply to message %" PRIu64 ")%s%s: %s",
			  control_messages_error_code(env->error->code), env->error->in_reply_to,
			  env->error->session_id[0] ? " for session " : "", env->error->session_id,
			  env->error->message);
		return CONTROL_LINK_OK;
	default:
		agent_log(AGENT_LOG_WARN, "broker sent %s, which only an agent sends: ignored",
			  control_messages_kind(env->body_case));
		return CONTROL_LINK_OK;
	}
}

int control_link_receive(struct control_link *l, const uint8_t *buf, size_t len,
			 const struct control_link_time *now)
{
	control_envelope *env;
	int rc;

	if (l->state == CONTROL_LINK_IDLE)
		return CONTROL_LINK_OK;
	l->last_rx_ms = now->mono_ms;
	rc = control_unpack(buf, len, &env);
	if (rc != PROTO_OK) {
		agent_log(AGENT_LOG_WARN, "broker sent a message that does not parse (%s, %zu bytes)",
			  proto_err_str(rc), len);
		return send_error(l, 0,
				  rc == PROTO_E_VERSION ? CODE(UNSUPPORTED_VERSION) : CODE(MALFORMED),
				  rc == PROTO_E_VERSION ? "this agent speaks control protocol version 1"
				  : rc == PROTO_E_EMPTY ? "empty envelope or unknown message kind"
							: "message does not parse",
				  NULL);
	}
	rc = dispatch(l, env, now);
	control_free(env);
	return rc;
}

int control_link_tick(struct control_link *l, const struct control_link_time *now)
{
	struct control_msg_heartbeat m;

	if (l->state == CONTROL_LINK_HELLO_SENT &&
	    now->mono_ms - l->opened_ms >= CONTROL_LINK_HELLO_TIMEOUT_MS)
		return link_close(l, "the broker did not answer the hello within %u s",
				  CONTROL_LINK_HELLO_TIMEOUT_MS / 1000);
	if (l->state != CONTROL_LINK_READY)
		return CONTROL_LINK_OK;
	if (now->mono_ms - l->last_rx_ms >= (uint64_t)CONTROL_LINK_MISSED_BEATS * l->interval_ms)
		return link_close(l, "no message from the broker for %u heartbeat intervals "
				  "(%" PRIu64 " ms): the connection is dead",
				  CONTROL_LINK_MISSED_BEATS, now->mono_ms - l->last_rx_ms);
	if (now->mono_ms < l->next_beat_ms)
		return CONTROL_LINK_OK;
	l->next_beat_ms = now->mono_ms + l->interval_ms;
	l->probe_wanted = true;
	control_messages_heartbeat(&m, l->next_message_id++, now->wall_ms, 0);
	return enqueue(l, &m.env);
}

void control_link_alive(struct control_link *l, const struct control_link_time *now)
{
	if (l->state != CONTROL_LINK_IDLE)
		l->last_rx_ms = now->mono_ms;
}

bool control_link_take_probe(struct control_link *l)
{
	bool wanted = l->probe_wanted;

	l->probe_wanted = false;
	return wanted;
}

uint64_t control_link_deadline(const struct control_link *l)
{
	uint64_t dead;

	switch (l->state) {
	case CONTROL_LINK_HELLO_SENT:
		return l->opened_ms + CONTROL_LINK_HELLO_TIMEOUT_MS;
	case CONTROL_LINK_READY:
		dead = l->last_rx_ms + (uint64_t)CONTROL_LINK_MISSED_BEATS * l->interval_ms;
		return dead < l->next_beat_ms ? dead : l->next_beat_ms;
	default:
		return UINT64_MAX;
	}
}

const struct control_link_msg *control_link_peek(const struct control_link *l)
{
	return l->queue_count ? &l->queue[l->queue_head] : NULL;
}

void control_link_pop(struct control_link *l)
{
	if (!l->queue_count)
		return;
	free(l->queue[l->queue_head].data);
	l->queue[l->queue_head].data = NULL;
	l->queue_head = (l->queue_head + 1) % CONTROL_LINK_QUEUE_MAX;
	l->queue_count--;
}

void control_link_close(struct control_link *l)
{
	while (l->queue_count)
		control_link_pop(l);
	l->queue_head = 0;
	l->state = CONTROL_LINK_IDLE;
	l->interval_ms = 0;
	l->probe_wanted = false;
}

const char *control_link_reason(const struct control_link *l)
{
	return l->reason[0] ? l->reason : "no reason recorded";
}
