/*
 * handshake.h — the client's side of the session handshake (session-flow.md
 * §2, data-channel.md §5.5–§5.6): turn the agent's HandshakeRequest into the
 * HandshakeResponse to send and the session kind to run. Pure: bytes in,
 * bytes out.
 *
 *   action                                              ActionStatus
 *   SessionType Standard_Stream, InteractiveCommands,
 *               NonInteractiveCommands                  1 Success (a shell)
 *   SessionType Port                                    1 when port sessions are
 *                                                       supported, else 2 Failed
 *   SessionType anything else                           2 Failed
 *   KMSEncryption                                       2 Failed (not implemented yet)
 *   any other ActionType                                3 Unsupported
 * Each failed action carries an Error text, also listed in Errors; Errors is
 * null when every action succeeded. ActionResult is always null.
 *
 * Every answer carries postern's PosternCapabilities extension (payload.h):
 * "exit-code", "smux-v2" and "large-messages". The outcome records which of
 * the last two the agent's request listed too; a capability is used only when
 * both sides listed it (official agents list none).
 */
#ifndef POSTERN_HANDSHAKE_H
#define POSTERN_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum handshake_kind {
	HANDSHAKE_KIND_NONE = 0, /* no SessionType action accepted */
	HANDSHAKE_KIND_SHELL,    /* Standard_Stream and the two command types */
	HANDSHAKE_KIND_PORT,
};

struct handshake_options {
	const char *client_version; /* the ClientVersion to report */
	bool port_supported;        /* accept SessionType Port */
};

struct handshake_outcome {
	enum handshake_kind kind;
	char *session_type;  /* as the agent sent it; NULL without a SessionType action */
	char *properties;    /* Port: the Properties JSON text; else NULL */
	char *agent_version; /* as sent ("" when absent) */
	bool failed;         /* an action was refused: the agent will end the session */
	char error[256];     /* the first refusal, for the user */
	bool smux_v2;        /* both listed smux-v2: port sessions use smux version 2 */
	bool large_messages; /* both listed large-messages: stream messages may carry
			      * up to PAYLOAD_LARGE_MESSAGE_MAX bytes, else 1024 */
};

/* Name of a kind, for messages ("shell", "port", "none"). */
const char *handshake_kind_name(enum handshake_kind kind);

/*
 * Answer the HandshakeRequest payload req[0..len). On CLIENT_OK *resp is a
 * malloc'd HandshakeResponse payload of *resp_len bytes (caller frees) and
 * *out describes the session (free with handshake_outcome_free()). Returns
 * CLIENT_E_PROTOCOL for a request that does not decode (nothing allocated),
 * CLIENT_E_NOMEM.
 */
int handshake_answer(const uint8_t *req, size_t len, const struct handshake_options *opt,
		     uint8_t **resp, size_t *resp_len, struct handshake_outcome *out);

void handshake_outcome_free(struct handshake_outcome *o);

#endif
