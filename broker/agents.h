/*
 * agents.h — the agents connected to this broker over their control channel
 * (/v1/control, mutual TLS), and the channel's message handling.
 *
 * A connection is admitted only with a client certificate issued by this
 * broker's CA, for a registered instance, with the serial on record and not
 * revoked. Its first message must be AgentHello for that same instance; the
 * broker answers HelloAck and marks the instance online. Any message counts
 * as a sign of life; three heartbeat intervals of silence close it. A second
 * connection for the same instance replaces the first.
 *
 * Messages to an agent queue on its connection (bounded) and go out one per
 * WRITEABLE callback.
 */
#ifndef POSTERN_BROKER_AGENTS_H
#define POSTERN_BROKER_AGENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "control.h"

#define AGENTS_CONTROL_PATH "/v1/control"

struct broker;
struct lws;
struct agent_conn;

/* Admission check for a websocket upgrade to AGENTS_CONTROL_PATH (0 = accept). */
int agents_admit(struct broker *b, struct lws *wsi);

/* Callback reasons of a control-channel connection. Non-zero: close it. */
int agents_on_established(struct broker *b, struct lws *wsi, struct agent_conn **out);
int agents_on_receive(struct broker *b, struct agent_conn *a, const void *in, size_t len,
		      bool final);
int agents_on_writeable(struct broker *b, struct agent_conn *a);
int agents_on_timer(struct broker *b, struct agent_conn *a);
void agents_on_closed(struct broker *b, struct agent_conn *a);

/* The connection of an online instance, or NULL. */
struct agent_conn *agents_find(struct broker *b, const char *instance_id);

/* Queue one envelope for the agent (packed here). 0, or -1 if it cannot. */
int agents_send(struct broker *b, struct agent_conn *a, const control_envelope *env);

/* Close every agent connection (shutdown). */
void agents_release_all(struct broker *b);

#endif
