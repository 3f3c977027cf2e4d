/*
 * relay.c — data-channel websocket connections: admission by
 * OpenDataChannel token, frame validation, and the bounded relay between a
 * session's two ends (see sessions.h).
 */
#include "sessions_impl.h"
#include "broker.h"
#include "frame.h"
#include "payload.h"
#include "proto_err.h"

#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>

#define OPEN_TIMEOUT_S 10

static const char *role_name(enum end_role role)
{
	return role == END_CLIENT ? "client" : "agent";
}

int sessions_admit(struct broker *b, const char *path)
{
	const char *id = path + strlen(SESSIONS_DATA_PATH);
	char clean[STORE_SESSION_ID_MAX + 1];
	size_t n = strcspn(id, "?");

	if (strncmp(path, SESSIONS_DATA_PATH, strlen(SESSIONS_DATA_PATH)) != 0 || n == 0 ||
	    n >= sizeof(clean))
		return -1;
	memcpy(clean, id, n);
	clean[n] = '\0';
	return sessions_find(b, clean) ? 0 : -1;
}

/* The session id in this connection's URL. */
static void url_session(struct lws *wsi, char out[STORE_SESSION_ID_MAX + 1])
{
	char path[256];
	size_t n;

	out[0] = '\0';
	if (lws_hdr_copy(wsi, path, sizeof(path), WSI_TOKEN_GET_URI) < 0 ||
	    strncmp(path, SESSIONS_DATA_PATH, strlen(SESSIONS_DATA_PATH)) != 0)
		return;
	n = strcspn(path + strlen(SESSIONS_DATA_PATH), "?");
	if (n <= STORE_SESSION_ID_MAX) {
		memcpy(out, path + strlen(SESSIONS_DATA_PATH), n);
		out[n] = '\0';
	}
}

int sessions_on_established(struct broker *b, struct lws *wsi, struct data_conn **out)
{
	struct data_conn *c = calloc(1, sizeof(*c));

	(void)b;
	*out = c;
	if (!c)
		return -1;
	c->wsi = wsi;
	lws_get_peer_simple(wsi, c->peer, sizeof(c->peer));
	url_session(wsi, c->url_session); /* headers are gone once messages flow */
	lws_set_timer_usecs(wsi, (lws_usec_t)OPEN_TIMEOUT_S * LWS_US_PER_SEC);
	return 0;
}

void relay_wake(struct broker *b, struct live_session *s, enum end_role to)
{
	(void)b;
	if (s->end[to])
		lws_callback_on_writable(s->end[to]->wsi);
}

/* The first message: OpenDataChannel with a token for this session. */
static int open_channel(struct broker *b, struct data_conn *c, const uint8_t *msg, size_t len)
{
	struct payload_open_data_channel odc;
	char session[STORE_SESSION_ID_MAX + 1];
	const char *url_id = c->url_session;
	enum store_token_role role;
	struct live_session *s;
	int rc = payload_open_data_channel_decode(msg, len, &odc);

	if (rc != PROTO_OK) {
		broker_log(b, 1, "data %s: first message is not OpenDataChannel (%s)", c->peer,
			   proto_err_str(rc));
		return -1;
	}
	rc = store_token_consume(b->store, odc.token_value, (int64_t)time(NULL), session, &role);
	payload_open_data_channel_free(&odc);
	if (rc != STORE_OK || strcmp(session, url_id) != 0 || !(s = sessions_find(b, session)) ||
	    s->ended) {
		broker_log(b, 1, "data %s: refused token for %s: %s", c->peer, url_id,
			   rc == STORE_OK ? "session over or token for another session"
					  : store_status_str(rc));
		return -1;
	}
	c->role = role == STORE_ROLE_CLIENT ? END_CLIENT : END_AGENT;
	if (s->end[c->role]) { /* a reconnection replaces the old connection */
		s->end[c->role]->session = NULL;
		lws_set_timeout(s->end[c->role]->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
	}
	c->session = s;
	s->end[c->role] = c;
	lws_set_timer_usecs(c->wsi, LWS_SET_TIMER_USEC_CANCEL);
	broker_log(b, 2, "session %s: %s attached from %s", s->id, role_name(c->role), c->peer);
	sessions_attached(b, s, c->role);
	relay_wake(b, s, c->role);
	return 0;
}

/* Consume the agent's agent_session_state (§5.3). */
static void session_state(struct broker *b, struct live_session *s, const struct frame *f)
{
	struct payload_session_state st;

	if (payload_session_state_decode(f->payload, f->payload_len, &st) != PROTO_OK)
		return;
	if (strcmp(st.session_state, PAYLOAD_SESSION_STATE_TERMINATING) == 0)
		sessions_end(b, s, "", STORE_SESSION_TERMINATED);
	payload_session_state_free(&st);
}

/* A port client's Ctrl-C: the TerminateSession flag, sent once and never
 * resent, right before the client leaves (session-flow.md §4.4). */
static bool is_terminate_flag(const struct frame *f)
{
	enum payload_flag flag;

	return f->payload_type == PAYLOAD_FLAG && frame_digest_valid(f) &&
	       payload_flag_decode(f->payload, f->payload_len, &flag) == PROTO_OK &&
	       flag == PAYLOAD_FLAG_TERMINATE_SESSION;
}

/* Which message types each end may send through the relay. */
static bool relayed(enum end_role from, enum message_kind kind)
{
	if (kind == MSG_ACKNOWLEDGE)
		return true;
	return from == END_CLIENT ? kind == MSG_INPUT_STREAM_DATA : kind == MSG_OUTPUT_STREAM_DATA;
}

static int relay_frame(struct broker *b, struct data_conn *c, const uint8_t *msg, size_t len)
{
	struct live_session *s = c->session;
	enum end_role to = c->role == END_CLIENT ? END_AGENT : END_CLIENT;
	enum message_kind kind;
	struct frame f;
	/* the ends check digests (data-channel.md §2.7); the relay forwards bytes */
	int rc = frame_decode_unverified(msg, len, (size_t)b->cfg.max_frame_bytes, &f);

	if (rc != PROTO_OK) {
		broker_log(b, 1, "session %s: malformed frame from the %s (%s): closing it", s->id,
			   role_name(c->role), proto_err_str(rc));
		return -1;
	}
	kind = message_kind_of(f.message_type);
	if (c->role == END_AGENT && kind == MSG_AGENT_SESSION_STATE) {
		if (frame_digest_valid(&f)) /* the broker reads this one itself */
			session_state(b, s, &f);
		return 0;
	}
	if (s->ended || !relayed(c->role, kind)) {
		broker_log(b, 3, "session %s: dropped %s from the %s", s->id, f.message_type,
			   role_name(c->role));
		return 0;
	}
	if (kind != MSG_ACKNOWLEDGE)
		s->bytes[c->role] += f.payload_len;
	if (c->role == END_CLIENT && kind == MSG_INPUT_STREAM_DATA && is_terminate_flag(&f))
		s->terminate_flagged = true;
	if (msg_queue_push(&s->to[to], msg, len, true) != 0)
		return -1;
	relay_wake(b, s, to);
	if (s->to[to].bytes > (size_t)b->cfg.relay_queue_bytes && !c->rx_paused) {
		c->rx_paused = true;
		lws_rx_flow_control(c->wsi, 0);
	}
	return 0;
}

int sessions_on_receive(struct broker *b, struct data_conn *c, const void *in, size_t len,
			bool final, bool binary)
{
	uint8_t *grown;
	int rc;

	(void)binary; /* receivers treat text and binary alike (data-channel.md §1.3) */
	if (c->rx_len + len > (size_t)b->cfg.max_frame_bytes) {
		broker_log(b, 1, "data %s: message over %ld bytes: closing", c->peer,
			   b->cfg.max_frame_bytes);
		return -1;
	}
	if (final && c->rx_len == 0 && c->session) /* whole in one piece: no gathering */
		return relay_frame(b, c, in, len);
	grown = realloc(c->rx, c->rx_len + len + 1);
	if (!grown)
		return -1;
	c->rx = grown;
	memcpy(c->rx + c->rx_len, in, len);
	c->rx_len += len;
	if (!final)
		return 0;
	rc = c->session ? relay_frame(b, c, c->rx, c->rx_len) : open_channel(b, c, c->rx, c->rx_len);
	c->rx_len = 0;
	return rc;
}

int sessions_on_writeable(struct broker *b, struct data_conn *c)
{
	struct live_session *s = c->session;
	enum end_role from = c->role == END_CLIENT ? END_AGENT : END_CLIENT;
	struct data_conn *sender;

	if (!s)
		return 0;
	if (msg_queue_write_one(&s->to[c->role], c->wsi) < 0)
		return -1;
	sender = s->end[from];
	if (sender && sender->rx_paused &&
	    s->to[c->role].bytes <= (size_t)b->cfg.relay_queue_bytes / 2) {
		sender->rx_paused = false;
		lws_rx_flow_control(sender->wsi, 1);
	}
	if (s->to[c->role].count)
		lws_callback_on_writable(c->wsi);
	else if (c->closing)
		return -1;
	return 0;
}

int sessions_on_timer(struct broker *b, struct data_conn *c)
{
	if (c->session)
		return 0;
	broker_log(b, 1, "data %s: no OpenDataChannel within %d s: closing", c->peer,
		   OPEN_TIMEOUT_S);
	return -1;
}

void sessions_on_closed(struct broker *b, struct data_conn *c)
{
	struct live_session *s;

	if (!c)
		return;
	s = c->session;
	if (s && s->end[c->role] == c) {
		s->end[c->role] = NULL;
		broker_log(b, 2, "session %s: %s detached", s->id, role_name(c->role));
		if (!s->ended && c->role == END_AGENT && s->agent_reported_ok) {
			sessions_end(b, s, "", STORE_SESSION_TERMINATED);
		} else if (!s->ended && c->role == END_AGENT) {
			/* how it went comes on the control channel (a failure there
			 * must not read as a normal end): wait for it, a while */
			s->agent_left = time(NULL);
		} else if (!s->ended && s->terminate_flagged) {
			/* a client that flagged TerminateSession is not coming back: end
			 * now, in case the flag itself never reaches the agent */
			sessions_end(b, s, "", STORE_SESSION_TERMINATED);
		} else if (!s->ended) {
			store_session_set_status(b->store, s->id, STORE_SESSION_DISCONNECTED,
						 (int64_t)time(NULL));
			if (s->end[END_AGENT])
				sessions_queue_control(b, s, END_AGENT, "pause_publication", NULL);
		}
		sessions_free_if_done(b, s);
	}
	free(c->rx);
	free(c);
}
