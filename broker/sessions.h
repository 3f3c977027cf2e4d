/*
 * sessions.h — live sessions on this broker and the data-channel relay
 * (data-channel.md §1, §6.8, §7.2; session-flow.md §1, §3.4, §8).
 *
 * StartSession creates a live session and two single-use tokens (client and
 * agent role, stored only as hashes). Both ends open a websocket to
 * /v1/data-channel/<id> and send OpenDataChannel with their token; when the
 * client is attached the agent is told (control channel) to start the session,
 * and from then on every frame from one end is validated and written to the
 * other unchanged, in order. Frames for an end that is absent wait in a
 * bounded queue; when a queue is full the broker stops reading from the
 * sending end until it drains (libwebsockets rx flow control), so memory per
 * session is bounded by two queues of relay-queue bytes. A malformed frame
 * closes only the connection that sent it.
 *
 * The agent's agent_session_state is consumed here; when the agent reports
 * Terminating the client gets channel_closed after the output queued before
 * it, and the session is recorded as Terminated. When the agent's data
 * channel closes without that, the session ends with the agent's report on
 * the control channel (Failed with its reason, or Terminated), or after
 * SESSIONS_REPORT_GRACE_S without one.
 */
#ifndef POSTERN_BROKER_SESSIONS_H
#define POSTERN_BROKER_SESSIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define SESSIONS_DATA_PATH "/v1/data-channel/"

struct broker;
#define SESSIONS_TOKEN_CHARS 64
#define SESSIONS_URL_MAX 512

/* wss://<public host>/v1/data-channel/<id>?role=publish_subscribe. 0, or -1. */
int sessions_stream_url(const struct broker *b, const char *id, char *out, size_t len);

struct broker;
struct lws;
struct live_session;
struct data_conn;

/* What StartSession needs to start one. */
struct session_start {
	const char *target, *owner, *document, *session_type, *parameters_json, *reason;
	const char *properties_json;
};

/*
 * Create a live session (recorded in the store as Connecting) and its tokens.
 * On success fills id, client_token and stream_url. 0, or -1 with a message.
 */
int sessions_start(struct broker *b, const struct session_start *s, char *id, size_t idlen,
		   char client_token[SESSIONS_TOKEN_CHARS + 1], char *stream_url,
		   size_t urllen, char *err, size_t errlen);

/*
 * Once a second (server.c): end sessions whose client never attached before
 * its token expired (Failed), and sessions whose agent closed its data
 * channel without Terminating and sent no report within
 * SESSIONS_REPORT_GRACE_S (Terminated).
 */
#define SESSIONS_REPORT_GRACE_S 5
void sessions_sweep(struct broker *b, time_t now);

/*
 * End a session from outside (TerminateSession): channel_closed to both ends,
 * the agent told on its control channel, the store updated. 0 if it was
 * live, 1 if it is not live here (already over or unknown).
 */
int sessions_terminate(struct broker *b, const char *id, const char *output);

/* A fresh client token for a live session (ResumeSession). 0, or -1. */
int sessions_new_client_token(struct broker *b, const char *id,
			      char token[SESSIONS_TOKEN_CHARS + 1]);

/*
 * The agent reports on a session's worker (control channel SessionState): a
 * failure before or during the session ends it with the agent's detail as the
 * text the client shows; ignored unless the session is live on instance_id.
 */
void sessions_agent_report(struct broker *b, const char *instance_id, const char *session_id,
			   bool failed, const char *detail);

/* The agent of instance_id went away: end its sessions that never attached. */
void sessions_agent_gone(struct broker *b, const char *instance_id);

/* Data-channel connection callbacks. Non-zero: close that connection. */
int sessions_admit(struct broker *b, const char *path);
int sessions_on_established(struct broker *b, struct lws *wsi, struct data_conn **out);
int sessions_on_receive(struct broker *b, struct data_conn *c, const void *in, size_t len,
			bool final, bool binary);
int sessions_on_writeable(struct broker *b, struct data_conn *c);
int sessions_on_timer(struct broker *b, struct data_conn *c);
void sessions_on_closed(struct broker *b, struct data_conn *c);

void sessions_release_all(struct broker *b);

#endif
