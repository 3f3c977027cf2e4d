/*
 * worker_handshake.h — the agent's side of the session handshake
 * (session-flow.md §2; data-channel.md §5.5–§5.7), as payloads in and out:
 *
 *   A→C HandshakeRequest   AgentVersion, one SessionType action, and
 *                          PosternCapabilities: what this agent offers,
 *                          always "smux-v2" and "large-messages" (official
 *                          clients ignore the key)
 *   C→A HandshakeResponse  every action must come back with ActionStatus 1;
 *                          postern clients also list PosternCapabilities, and
 *                          an offered capability is used iff it is listed
 *   A→C HandshakeComplete  how long it took; no customer message
 *
 * No I/O and no clock: the caller numbers, sends and times the messages.
 */
#ifndef POSTERN_WORKER_HANDSHAKE_H
#define POSTERN_WORKER_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The official agent's limit for each handshake step (session-flow.md §1). */
#define WORKER_HS_TIMEOUT_MS 15000u
#define WORKER_HS_TIMEOUT_TEXT                                                            \
	"Handshake timed out. Please ensure that you have the latest version of the "      \
	"session manager plugin."

/* What the client said, once worker_hs_check() accepted it. */
struct worker_hs_result {
	bool exit_code;      /* the client listed PAYLOAD_CAP_EXIT_CODE */
	bool smux_v2;        /* ... PAYLOAD_CAP_SMUX_V2: port sessions speak smux v2 */
	bool large_messages; /* ... PAYLOAD_CAP_LARGE_MESSAGES: port sessions send
			      * up to PAYLOAD_LARGE_MESSAGE_MAX per message */
	char client_version[64];
};

/*
 * The HandshakeRequest payload (malloc'd, *len bytes; caller frees):
 * {"AgentVersion":AGENT_VERSION,"RequestedClientActions":[{"ActionType":
 * "SessionType","ActionParameters":{"SessionType":session_type,
 * "Properties":properties}}],"PosternCapabilities":["smux-v2",
 * "large-messages"]}.
 * properties_json is embedded as given; NULL, "" and "null" all give null
 * (what shells use). 0, or a negative proto_err (PROTO_E_JSON for malformed
 * properties).
 */
int worker_hs_request(const char *session_type, const char *properties_json, uint8_t **out,
		      size_t *len);

/*
 * Judge a HandshakeResponse payload. 0 with *res filled when it decodes, has
 * at least one action, a SessionType action among them, and every action has
 * ActionStatus 1; else -1 with a sentence in why for the session's failure.
 */
int worker_hs_check(const uint8_t *payload, size_t len, struct worker_hs_result *res,
		    char *why, size_t whylen);

/* The HandshakeComplete payload: {"HandshakeTimeToComplete":elapsed_ms in ns,
 * "CustomerMessage":""}. 0 or a negative proto_err. */
int worker_hs_complete(uint64_t elapsed_ms, uint8_t **out, size_t *len);

#endif
