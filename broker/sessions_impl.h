/*
 * sessions_impl.h — state shared by sessions.c (the live-session table,
 * starting and ending sessions) and relay.c (the data-channel connections).
 */
#ifndef POSTERN_BROKER_SESSIONS_IMPL_H
#define POSTERN_BROKER_SESSIONS_IMPL_H

#include "msg_queue.h"
#include "sessions.h"
#include "store.h"

#include <time.h>

enum end_role { END_CLIENT = 0, END_AGENT = 1 };

struct data_conn {
	struct lws *wsi;
	struct live_session *session; /* NULL until OpenDataChannel is accepted */
	enum end_role role;
	bool rx_paused;                /* reading stopped: the other end's queue is full */
	bool closing;                  /* close once this end's queue is written */
	uint8_t *rx;                   /* fragments of the message being received */
	size_t rx_len;
	char peer[64];
	char url_session[STORE_SESSION_ID_MAX + 1]; /* from the upgrade request's path */
};

struct live_session {
	struct live_session *next;
	char id[STORE_SESSION_ID_MAX + 1];
	char target[STORE_TARGET_MAX + 1];
	char document[STORE_DOCUMENT_MAX + 1];
	char session_type[32];
	char *parameters_json, *properties_json;
	char owner[STORE_OWNER_MAX + 1];
	struct data_conn *end[2];      /* attached connections */
	struct msg_queue to[2];        /* frames waiting to be written to each end */
	bool dispatched;               /* the agent has been told to start it */
	bool ended;                    /* over: no more frames accepted */
	bool connected;                /* both ends attached once */
	bool terminate_flagged;        /* the client sent the TerminateSession flag */
	bool agent_reported_ok;        /* the agent's control channel said it ended well */
	time_t agent_left;             /* the agent's data channel closed with no
					* Terminating: its report is awaited (0: not) */
	uint64_t bytes[2];             /* payload bytes received from each end */
	time_t started;
};

/* sessions.c */
struct live_session *sessions_find(struct broker *b, const char *id);
void sessions_attached(struct broker *b, struct live_session *s, enum end_role role);
/* End s (idempotent). Never frees s: call sessions_free_if_done() after. */
void sessions_end(struct broker *b, struct live_session *s, const char *output,
		  enum store_session_status status);
void sessions_free_if_done(struct broker *b, struct live_session *s);
int sessions_queue_control(struct broker *b, struct live_session *s, enum end_role to,
			   const char *message_type, const char *output);

/* relay.c */
void relay_wake(struct broker *b, struct live_session *s, enum end_role to);

#endif
