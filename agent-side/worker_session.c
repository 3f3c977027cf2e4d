/*
 * worker_session.c — one session over its data channel (see worker.h and
 * worker_impl.h): opening it, the handshake, delivering the client's stream
 * in order to the session's kind (worker_kind.h), and the three ways a
 * session ends (the kind finishes; the broker, a signal or a failure stops
 * it; the websocket is lost).
 */
#include "worker_impl.h"
#include "agent_log.h"
#include "frame.h"
#include "payload.h"
#include "proto_err.h"

#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the reliable stream's hooks -------------------------------------------------- */

static int worker_session_transmit(void *ctx, const uint8_t *frame, size_t len)
{
	return worker_ws_queue(ctx, frame, len, false);
}

static void worker_session_random(void *ctx, uint8_t *buf, size_t len)
{
	worker_random(ctx, buf, len);
}

/* The handshake's answer is judged once rstream_input() has returned, i.e.
 * after it has been acknowledged; until then later messages must wait. */
static enum rstream_delivery worker_session_take_response(struct worker *w,
							  const struct frame *f)
{
	w->hs_response = malloc(f->payload_len ? f->payload_len : 1);
	if (!w->hs_response)
		return RSTREAM_NOT_READY; /* the client resends it */
	memcpy(w->hs_response, f->payload, f->payload_len);
	w->hs_response_len = f->payload_len;
	return RSTREAM_DELIVERED;
}

static enum rstream_delivery worker_session_deliver(void *ctx, const struct frame *f)
{
	struct worker *w = ctx;

	switch (w->phase) {
	case WORKER_HANDSHAKE:
		if (w->hs_response)
			return RSTREAM_NOT_READY; /* not started yet */
		if (f->payload_type == PAYLOAD_HANDSHAKE_RESPONSE)
			return worker_session_take_response(w, f);
		return RSTREAM_DELIVERED; /* before the handshake: acknowledged and dropped */
	case WORKER_RUNNING:
		return w->kind->deliver(w, f);
	default:
		return RSTREAM_DELIVERED; /* the session is ending: nobody to hand it to */
	}
}

int worker_session_init(struct worker *w)
{
	const struct rstream_config cfg = {
		.send_kind = MSG_OUTPUT_STREAM_DATA,
		.max_frame = WORKER_MAX_FRAME,
		.honour_publication = true,
	};
	const struct rstream_ops ops = {
		.transmit = worker_session_transmit,
		.deliver = worker_session_deliver,
		.random_bytes = worker_session_random,
	};

	w->rs = rstream_new(&cfg, &ops, w);
	return w->rs ? 0 : -1;
}

/* ---- messages of our own ----------------------------------------------------------- */

/* agent_session_state (unsequenced, consumed by the broker: §5.3). */
static int worker_session_send_state(struct worker *w, const char *state)
{
	struct payload_session_state st = {
		.schema_version = 1,
		.session_state = (char *)state,
		.session_id = w->start->session_id,
	};
	uint8_t id_bytes[UUID_LEN], *json = NULL, *buf = NULL;
	size_t json_len = 0, len;
	struct frame f;
	struct uuid id;
	int rc = -1;

	worker_random(w, id_bytes, sizeof(id_bytes));
	id = uuid_v4_from_bytes(id_bytes);
	if (payload_session_state_encode(&st, &json, &json_len) != PROTO_OK)
		goto out;
	frame_init(&f, MSG_AGENT_SESSION_STATE, worker_now_ms(), &id);
	f.payload = json;
	f.payload_len = json_len;
	len = frame_encoded_len(&f);
	buf = malloc(len);
	if (buf && frame_encode(&f, buf, len, &len) == PROTO_OK)
		rc = worker_ws_queue(w, buf, len, false);
out:
	free(buf);
	free(json);
	return rc;
}

/* The first (text) message: the agent's OpenDataChannel (§1.2). The token
 * is needed only here, so it is wiped afterwards. */
static int worker_session_send_open(struct worker *w)
{
	char request_id[UUID_STR_LEN + 1];
	uint8_t id_bytes[UUID_LEN], *json = NULL;
	struct payload_open_data_channel odc = {
		.message_schema_version = "1.0",
		.request_id = request_id,
		.token_value = w->start->token,
		.client_id = "",
		.client_instance_id = w->st.conf.instance_id,
	};
	size_t len = 0;
	struct uuid id;
	int rc;

	worker_random(w, id_bytes, sizeof(id_bytes));
	id = uuid_v4_from_bytes(id_bytes);
	uuid_format(&id, request_id);
	if (payload_open_data_channel_encode(&odc, &json, &len) != PROTO_OK)
		return -1;
	rc = worker_ws_queue(w, json, len, true);
	OPENSSL_cleanse(json, len);
	free(json);
	OPENSSL_cleanse(w->start->token, strlen(w->start->token));
	return rc;
}

static int worker_session_send_payload(struct worker *w, uint32_t type, uint8_t *payload,
				       size_t len)
{
	int rc = rstream_send(w->rs, type, payload, len, worker_now_ms());

	free(payload);
	return rc;
}

void worker_session_open(struct worker *w)
{
	uint8_t *req = NULL;
	size_t len = 0;
	int rc;

	if (w->phase != WORKER_CONNECTING)
		return;
	if (worker_session_send_open(w) != 0 ||
	    worker_session_send_state(w, PAYLOAD_SESSION_STATE_CONNECTED) != 0) {
		worker_session_stop(w, WORKER_EXIT_FAILED, "cannot open the data channel: out of "
			  "memory");
		return;
	}
	rc = worker_hs_request(w->start->session_type, w->start->properties_json, &req, &len);
	if (rc == PROTO_OK)
		rc = worker_session_send_payload(w, PAYLOAD_HANDSHAKE_REQUEST, req, len);
	if (rc != PROTO_OK) {
		worker_session_stop(w, WORKER_EXIT_FAILED, "cannot send the HandshakeRequest: %s",
				    proto_err_str(rc));
		return;
	}
	w->phase = WORKER_HANDSHAKE;
	w->hs_sent_ms = worker_now_ms();
	agent_log(AGENT_LOG_INFO, "session %s: data channel open; handshake started",
		  w->start->session_id);
}

/* ---- the handshake's answer --------------------------------------------------------- */

static void worker_session_judge(struct worker *w)
{
	uint8_t *resp = w->hs_response, *complete = NULL;
	size_t resp_len = w->hs_response_len, len = 0;
	char why[512];
	int rc;

	w->hs_response = NULL;
	w->hs_response_len = 0;
	if (w->phase != WORKER_HANDSHAKE) { /* stopped meanwhile */
		free(resp);
		return;
	}
	rc = worker_hs_check(resp, resp_len, &w->hs, why, sizeof(why));
	free(resp);
	if (rc != 0) {
		worker_session_stop(w, WORKER_EXIT_HANDSHAKE, "handshake failed: %s", why);
		return;
	}
	rc = worker_hs_complete(worker_now_ms() - w->hs_sent_ms, &complete, &len);
	if (rc == PROTO_OK)
		rc = worker_session_send_payload(w, PAYLOAD_HANDSHAKE_COMPLETE, complete, len);
	if (rc != PROTO_OK) {
		worker_session_stop(w, WORKER_EXIT_FAILED, "cannot send HandshakeComplete: %s",
				    proto_err_str(rc));
		return;
	}
	agent_log(AGENT_LOG_INFO, "session %s: handshake done (client %s%s)", w->start->session_id,
		  w->hs.client_version[0] ? w->hs.client_version : "of unknown version",
		  w->hs.exit_code ? ", wants exit codes" : "");
	rc = w->kind->start(w, why, sizeof(why));
	if (rc != WORKER_EXIT_OK) {
		worker_session_stop(w, rc, "%s", why);
		return;
	}
	w->phase = WORKER_RUNNING;
	rstream_retry_delivery(w->rs); /* what arrived while the kind was starting */
	worker_session_flow(w);
}

/* ---- input from the broker ------------------------------------------------------------ */

static void worker_session_other(struct worker *w, const struct frame *f)
{
	struct payload_channel_closed cc;
	const char *output = "";

	if (message_kind_of(f->message_type) != MSG_CHANNEL_CLOSED || w->phase == WORKER_CLOSING)
		return;
	if (payload_channel_closed_decode(f->payload, f->payload_len, &cc) == PROTO_OK)
		output = cc.output;
	else
		memset(&cc, 0, sizeof(cc));
	worker_session_stop(w, WORKER_EXIT_OK, "the broker closed the session%s%s",
			    output[0] ? ": " : "", output);
	payload_channel_closed_free(&cc);
}

static void worker_session_drain(struct worker *w);

void worker_session_input(struct worker *w, const uint8_t *msg, size_t len)
{
	struct frame other;
	int rc = rstream_input(w->rs, msg, len, worker_now_ms(), &other);

	if (rc == RSTREAM_OTHER)
		worker_session_other(w, &other);
	else if (rc < 0)
		agent_log(AGENT_LOG_WARN, "session %s: dropped a message from the broker (%s, %zu "
			  "bytes)", w->start->session_id, proto_err_str(rc), len);
	if (w->hs_response)
		worker_session_judge(w);
	worker_session_flow(w); /* acknowledgements may have made room */
	worker_session_drain(w);
}

/* ---- the end ---------------------------------------------------------------------------- */

static void worker_session_check_done(struct worker *w)
{
	if (w->phase != WORKER_CLOSING && w->phase != WORKER_STOPPING)
		return;
	if (w->ws)
		return;
	if (w->kind->busy && w->kind->busy(w))
		return; /* e.g. a shell still being killed */
	w->done = true;
	lws_cancel_service(w->lws); /* the loop may be about to sleep in poll(): wake it */
}

void worker_session_stop(struct worker *w, int exit_status, const char *fmt, ...)
{
	char why[1024];
	va_list ap;

	if (w->phase == WORKER_STOPPING)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	agent_log(exit_status == WORKER_EXIT_OK ? AGENT_LOG_INFO : AGENT_LOG_ERROR,
		  "session %s: %s", w->start->session_id, why);
	w->phase = WORKER_STOPPING;
	w->exit_status = exit_status;
	w->kind->stop(w);
	worker_ws_close(w, false);
	worker_session_flow(w);
	worker_session_check_done(w);
}

void worker_session_lost(struct worker *w, const char *why)
{
	switch (w->phase) {
	case WORKER_CONNECTING:
		worker_session_stop(w, WORKER_EXIT_CONNECT, "cannot open the data channel to "
				    "%s:%d: %s", w->url.server.host, w->url.server.port, why);
		break;
	case WORKER_CLOSING:
	case WORKER_STOPPING:
		worker_session_check_done(w);
		break;
	default:
		/* Reconnecting (data-channel.md §8.2) is a later feature: for now a lost
		 * data channel ends the session (and its shell). */
		worker_session_stop(w, WORKER_EXIT_LOST, "lost the data channel: %s; stopping the "
				    "session", why);
		break;
	}
}

/* Finished: what the kind still owes the client, then wait for the
 * acknowledgements (at most WORKER_DRAIN_MS), then Terminating and close. */
static void worker_session_drain(struct worker *w)
{
	bool drained;

	if (w->phase != WORKER_DRAINING)
		return;
	drained = !w->kind->drain || w->kind->drain(w);
	if ((!drained || rstream_unacked(w->rs)) && worker_now_ms() < w->drain_deadline_ms)
		return;
	if (rstream_unacked(w->rs))
		agent_log(AGENT_LOG_WARN, "session %s: %zu messages unacknowledged after %u ms",
			  w->start->session_id, rstream_unacked(w->rs), WORKER_DRAIN_MS);
	w->phase = WORKER_CLOSING;
	worker_session_send_state(w, PAYLOAD_SESSION_STATE_TERMINATING);
	worker_ws_close(w, true);
	worker_session_check_done(w);
}

void worker_session_finish(struct worker *w)
{
	if (w->phase != WORKER_RUNNING)
		return;
	w->phase = WORKER_DRAINING;
	w->drain_deadline_ms = worker_now_ms() + WORKER_DRAIN_MS;
	worker_session_flow(w);
	worker_session_drain(w);
}

void worker_session_flow(struct worker *w)
{
	if (w->kind && !w->destroying)
		w->kind->flow(w);
}

void worker_session_tick(struct worker *w)
{
	uint64_t now = worker_now_ms();

	worker_signals_poll(w);
	if (w->ws_open && w->phase > WORKER_CONNECTING && w->phase < WORKER_STOPPING &&
	    rstream_tick(w->rs, now) == PROTO_E_RESEND_LIMIT)
		worker_session_stop(w, WORKER_EXIT_PEER_GONE, "the client stopped acknowledging "
				    "output: ending the session");
	if (w->phase == WORKER_HANDSHAKE && now - w->hs_sent_ms >= WORKER_HS_TIMEOUT_MS)
		worker_session_stop(w, WORKER_EXIT_HANDSHAKE, "%s", WORKER_HS_TIMEOUT_TEXT);
	w->kind->tick(w);
	worker_ws_tick(w);
	worker_session_drain(w);
	if (w->ws && w->ws_close_wanted && now >= w->close_deadline_ms) {
		agent_log(AGENT_LOG_WARN, "session %s: the broker did not complete the close in "
			  "time", w->start->session_id);
		lws_set_timeout(w->ws, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
		w->ws = NULL;
		w->ws_open = false;
	}
	worker_session_check_done(w);
}
