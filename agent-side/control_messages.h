/*
 * control_messages.h — the control-channel messages the agent sends, built
 * as protobuf-c structures ready for control_pack() (proto/control.h), and
 * names for the kinds it receives (for logs).
 *
 * Each builder fills a caller-owned struct that holds the envelope and its
 * body; the envelope points into that struct and into the caller's strings,
 * so the struct and those strings must outlive the packing. Nothing here
 * allocates or does I/O.
 */
#ifndef POSTERN_CONTROL_MESSAGES_H
#define POSTERN_CONTROL_MESSAGES_H

#include <stdint.h>

#include "control.h"
#include "host_info.h"

/* What this agent can do (AgentHello.capabilities). */
#define CONTROL_MESSAGES_MAX_CAPS 4

struct control_msg_hello {
	control_envelope env;
	Postern__Control__AgentHello hello;
	char *addrs[HOST_INFO_MAX_ADDRS];
	char *caps[CONTROL_MESSAGES_MAX_CAPS];
};

struct control_msg_heartbeat {
	control_envelope env;
	Postern__Control__Heartbeat heartbeat;
};

struct control_msg_error {
	control_envelope env;
	Postern__Control__Error error;
};

/* AgentHello for this host and instance (agent_version AGENT_VERSION,
 * platform_type "Linux", capabilities "session.shell"). */
void control_messages_hello(struct control_msg_hello *m, uint64_t message_id,
			    const char *instance_id, const struct host_info *host);

void control_messages_heartbeat(struct control_msg_heartbeat *m, uint64_t message_id,
				uint64_t sent_at_ms, uint32_t active_sessions);

/* Error answering the broker's message in_reply_to; session_id may be NULL. */
void control_messages_error(struct control_msg_error *m, uint64_t message_id,
			    uint64_t in_reply_to, Postern__Control__Error__Code code,
			    const char *message, const char *session_id);

/* "HelloAck", "StartSession", ... for an envelope's body case; never NULL. */
const char *control_messages_kind(Postern__Control__Envelope__BodyCase kind);

/* "CODE_REFUSED", ... for an Error code; never NULL. */
const char *control_messages_error_code(Postern__Control__Error__Code code);

#endif
