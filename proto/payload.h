/*
 * payload.h — codecs for the payloads carried inside data-channel frames
 * (data-channel.md §1.2, §4.1, §5): the JSON messages (acknowledge,
 * channel_closed, agent_session_state, OpenDataChannel, the handshake, the
 * encryption challenge, terminal size) and the two binary/text ones (Flag,
 * ExitCode). The module does no I/O: callers hand in bytes and get bytes back.
 *
 * Conventions for every codec here:
 *   - payload_X_encode(in, &out, &out_len) writes a malloc'd buffer of out_len
 *     bytes (not NUL-terminated) that the caller frees with free(). JSON comes
 *     out compact with the keys in the order of data-channel.md §5, which is the
 *     order Go's encoding/json uses. Returns PROTO_OK, PROTO_E_INVALID_ARG (a
 *     required string is NULL or not UTF-8, a value out of its range),
 *     PROTO_E_JSON / PROTO_E_TOO_LARGE (embedded JSON text malformed / over
 *     64 KiB) or PROTO_E_NOMEM; on error *out is untouched and nothing is
 *     allocated.
 *   - payload_X_decode(buf, len, &out) never reads outside buf[0..len) and does
 *     not need a NUL terminator. JSON input is capped at PAYLOAD_JSON_MAX bytes
 *     before parsing. Keys match case-insensitively (an exact match wins),
 *     unknown keys are ignored, and a missing key or JSON null reads as the zero
 *     value ("" for strings, 0, false) unless the codec says otherwise.
 *     Errors: PROTO_E_TOO_LARGE (over a cap), PROTO_E_JSON (not JSON, not an
 *     object, invalid UTF-8), PROTO_E_FIELD_TYPE (wrong JSON type),
 *     PROTO_E_FIELD_RANGE (number out of range or not an integer, string too
 *     long), PROTO_E_FIELD_MISSING (a key the receiver cannot do without),
 *     PROTO_E_UUID, PROTO_E_BASE64, PROTO_E_NOMEM.
 *   - Decoded structs with pointers own them: release with payload_X_free(),
 *     which frees the members (not the struct itself) and zeroes the struct.
 *     On error a JSON decoder leaves *out zeroed, owning nothing (the ExitCode
 *     and Flag decoders leave it untouched). After a successful
 *     decode every `char *` is non-NULL unless its comment says "NULL when".
 *   - Strings are NUL-terminated UTF-8. JSON text containing \u0000 is refused
 *     (PROTO_E_JSON), so decoded strings never hide an embedded NUL.
 */
#ifndef POSTERN_PAYLOAD_H
#define POSTERN_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uuid.h"

/* Largest JSON payload any decoder accepts (data-channel.md §1.6 caps a whole
 * message at 64 KiB; no official JSON payload comes near it). */
#define PAYLOAD_JSON_MAX (64u * 1024u)

/* Most entries accepted in a handshake's action and error lists (the official
 * agent sends at most two actions). More: PROTO_E_TOO_LARGE. */
#define PAYLOAD_ACTIONS_MAX 32u

/* Most decoded bytes of an encryption challenge (§5.8: 92 in practice). */
#define PAYLOAD_CHALLENGE_MAX 1024u

/* Longest MessageType name (data-channel.md §2.2). */
#define PAYLOAD_MESSAGE_TYPE_MAX 32u

/* ---- acknowledge (data-channel.md §5.1) -------------------------------------
 * {"AcknowledgedMessageType":…,"AcknowledgedMessageId":…,
 *  "AcknowledgedMessageSequenceNumber":N,"IsSequentialMessage":true}
 */
struct payload_ack {
	char message_type[PAYLOAD_MESSAGE_TYPE_MAX + 1]; /* of the acked frame */
	struct uuid message_id;                          /* of the acked frame */
	int64_t sequence_number;                         /* of the acked frame, >= 0 */
	bool is_sequential;                              /* always true when sent */
};

/* INVALID_ARG if message_type is not NUL-terminated within the array or
 * sequence_number < 0. */
int payload_ack_encode(const struct payload_ack *ack, uint8_t **out, size_t *out_len);

/*
 * AcknowledgedMessageSequenceNumber is required (FIELD_MISSING) and must be in
 * [0, INT64_MAX] (FIELD_RANGE): it is the only field a receiver uses. A missing
 * AcknowledgedMessageId reads as the all-zero UUID, a malformed one is
 * PROTO_E_UUID; a MessageType longer than 32 bytes is FIELD_RANGE. No heap
 * memory: there is no payload_ack_free().
 */
int payload_ack_decode(const uint8_t *buf, size_t len, struct payload_ack *out);

/* ---- channel_closed (data-channel.md §5.2) ----------------------------------
 * {"MessageId":…,"CreatedDate":…,"DestinationId":…,"SessionId":…,
 *  "MessageType":"channel_closed","SchemaVersion":1,"Output":…}
 * Every string is kept as text: no receiver parses MessageId or CreatedDate,
 * so the decoder does not either (a client must act on channel_closed).
 */
struct payload_channel_closed {
	char *message_id;
	char *created_date;   /* e.g. "2023-11-14T22:13:20.000Z" */
	char *destination_id; /* target instance id */
	char *session_id;
	char *message_type;   /* "channel_closed" */
	uint32_t schema_version;
	char *output;         /* text for the user; "" for a normal end */
};

int payload_channel_closed_encode(const struct payload_channel_closed *cc, uint8_t **out,
				  size_t *out_len);
int payload_channel_closed_decode(const uint8_t *buf, size_t len,
				  struct payload_channel_closed *out);
void payload_channel_closed_free(struct payload_channel_closed *cc);

/* ---- agent_session_state (data-channel.md §5.3) -----------------------------
 * {"SchemaVersion":1,"SessionState":"Connected","SessionId":…}
 */
#define PAYLOAD_SESSION_STATE_CONNECTED "Connected"
#define PAYLOAD_SESSION_STATE_TERMINATING "Terminating"

struct payload_session_state {
	uint32_t schema_version;
	char *session_state; /* PAYLOAD_SESSION_STATE_*, kept as sent */
	char *session_id;
};

int payload_session_state_encode(const struct payload_session_state *st, uint8_t **out,
				 size_t *out_len);
int payload_session_state_decode(const uint8_t *buf, size_t len,
				 struct payload_session_state *out);
void payload_session_state_free(struct payload_session_state *st);

/* ---- OpenDataChannel, the first (text) websocket message (data-channel.md §1.2)
 * client: {"MessageSchemaVersion":"1.0","RequestId":…,"TokenValue":…,
 *          "ClientId":…,"ClientVersion":…}
 * agent:  {"MessageSchemaVersion":"1.0","RequestId":…,"TokenValue":…,
 *          "ClientInstanceId":…,"ClientId":""}
 * The encoder writes the keys in the order MessageSchemaVersion, RequestId,
 * TokenValue, [ClientInstanceId], ClientId, [ClientVersion], leaving out the
 * bracketed ones when NULL — which yields both official shapes exactly.
 * RequestId and ClientId stay text (the agent's ClientId is "").
 */
struct payload_open_data_channel {
	char *message_schema_version; /* "1.0" */
	char *request_id;
	char *token_value;            /* required by the decoder (FIELD_MISSING) */
	char *client_id;
	char *client_version;         /* NULL when absent (every released plugin) */
	char *client_instance_id;     /* NULL when absent (every client) */
};

int payload_open_data_channel_encode(const struct payload_open_data_channel *odc,
				     uint8_t **out, size_t *out_len);
int payload_open_data_channel_decode(const uint8_t *buf, size_t len,
				     struct payload_open_data_channel *out);
void payload_open_data_channel_free(struct payload_open_data_channel *odc);

/* ---- handshake actions (data-channel.md §5.5, §5.6; session-flow.md §2) ------ */
#define PAYLOAD_ACTION_NAME_SESSION_TYPE "SessionType"
#define PAYLOAD_ACTION_NAME_KMS_ENCRYPTION "KMSEncryption"

enum payload_action_kind {
	PAYLOAD_ACTION_UNKNOWN = 0, /* any other ActionType, kept by name */
	PAYLOAD_ACTION_SESSION_TYPE,
	PAYLOAD_ACTION_KMS_ENCRYPTION,
};

/* The kind of an ActionType name (exact, case-sensitive, as the official code
 * compares it). NULL gives PAYLOAD_ACTION_UNKNOWN. */
enum payload_action_kind payload_action_kind_of(const char *action_type);

/* ActionStatus values (§5.6). The stock plugin sends 0 for action types it does
 * not know; any value other than 1 fails the handshake. */
enum payload_action_status {
	PAYLOAD_ACTION_STATUS_SUCCESS = 1,
	PAYLOAD_ACTION_STATUS_FAILED = 2,
	PAYLOAD_ACTION_STATUS_UNSUPPORTED = 3,
};

/* ---- HandshakeRequest (PayloadType 5, agent → client, §5.5) ------------------
 * {"AgentVersion":…,"RequestedClientActions":[{"ActionType":…,"ActionParameters":…},…]}
 *   SessionType   ActionParameters {"SessionType":…,"Properties":<any JSON>}
 *   KMSEncryption ActionParameters {"KMSKeyId":…[,"Challenge":…]}
 *   other         ActionParameters kept as JSON text
 * The kind of an action is payload_action_kind_of(action_type); the encoder
 * writes the ActionParameters shape of that kind, so only the members the kind
 * uses are read. For the two known kinds ActionParameters must be an object or
 * null (else FIELD_TYPE).
 */
struct payload_requested_action {
	char *action_type; /* name as sent */

	/* PAYLOAD_ACTION_SESSION_TYPE */
	char *session_type; /* "Standard_Stream", "InteractiveCommands",
			     * "NonInteractiveCommands" or "Port" (not checked here) */
	char *properties;   /* compact JSON text, NULL when JSON null; the encoder
			     * embeds it as a JSON value (PROTO_E_JSON if malformed) */

	/* PAYLOAD_ACTION_KMS_ENCRYPTION */
	char *kms_key_id;
	char *challenge;    /* base64 text as sent (used verbatim as a KMS encryption
			     * context value); NULL when absent (older agents), and
			     * then the encoder leaves the key out */

	/* PAYLOAD_ACTION_UNKNOWN */
	char *parameters;   /* ActionParameters as compact JSON text, NULL when
			     * JSON null */
};

struct payload_handshake_request {
	char *agent_version; /* dotted version, e.g. "3.3.0.0"; not parsed here */
	struct payload_requested_action *actions; /* n_actions entries; NULL when 0 */
	size_t n_actions;    /* at most PAYLOAD_ACTIONS_MAX; a null list reads as 0 */
	/* postern's extension, as in the response below: what a postern agent
	 * offers beyond the official protocol (official clients ignore the key).
	 * NULL: absent, and the encoder leaves it out; else NULL-terminated. */
	char **capabilities;
	size_t n_capabilities;
};

int payload_handshake_request_encode(const struct payload_handshake_request *req,
				     uint8_t **out, size_t *out_len);
int payload_handshake_request_decode(const uint8_t *buf, size_t len,
				     struct payload_handshake_request *out);
void payload_handshake_request_free(struct payload_handshake_request *req);

/* ---- HandshakeResponse (PayloadType 6, client → agent, §5.6) -----------------
 * {"ClientVersion":…,"ProcessedClientActions":[{"ActionType":…,"ActionStatus":N,
 *   "ActionResult":…,"Error":…},…],"Errors":null|[…]}
 */
enum payload_result_kind {
	PAYLOAD_RESULT_NULL = 0, /* "ActionResult":null */
	PAYLOAD_RESULT_KMS,      /* {"KMSCipherTextKey":…,"KMSCipherTextHash":…} */
	PAYLOAD_RESULT_RAW,      /* anything else, kept as JSON text */
};

struct payload_kms_result {
	uint8_t *cipher_text_key;  /* KMS CiphertextBlob (base64 on the wire); NULL
				    * when JSON null */
	size_t cipher_text_key_len;
	uint8_t *cipher_text_hash; /* NULL when JSON null (what the plugin sends) */
	size_t cipher_text_hash_len;
	bool challenge_ack;        /* ChallengeAcknowledgement; absent reads as
				    * false and the encoder writes it only when true */
};

struct payload_processed_action {
	char *action_type;    /* name as sent */
	int32_t action_status; /* enum payload_action_status, or anything the peer sent */
	enum payload_result_kind result_kind;
	/*
	 * Decoding: null/missing → NULL; for a KMSEncryption action an object →
	 * KMS (any other non-null value is FIELD_TYPE); for any other action a
	 * non-null value → RAW (the plugin puts 3 there for unknown actions).
	 */
	struct payload_kms_result kms; /* when result_kind == PAYLOAD_RESULT_KMS */
	char *result;         /* when result_kind == PAYLOAD_RESULT_RAW: JSON text */
	char *error;          /* "" on success */
};

struct payload_handshake_response {
	char *client_version;  /* e.g. "1.2.650.0" */
	struct payload_processed_action *actions; /* n_actions entries; NULL when 0 */
	size_t n_actions;      /* at most PAYLOAD_ACTIONS_MAX */
	char **errors;         /* NULL for "Errors":null; else NULL-terminated */
	size_t n_errors;       /* at most PAYLOAD_ACTIONS_MAX */
	/*
	 * postern's own extension: what a postern client can do beyond the
	 * official protocol, under PAYLOAD_CAPABILITIES_KEY (official agents
	 * ignore unknown keys). NULL: key absent (an official client) and the
	 * encoder leaves it out; else NULL-terminated.
	 */
	char **capabilities;
	size_t n_capabilities;
};

#define PAYLOAD_CAPABILITIES_KEY "PosternCapabilities"
/* The client exits with the remote exit code: send ExitCode (PayloadType 12)
 * for shells. Official clients would print it, so it is only sent to these. */
#define PAYLOAD_CAP_EXIT_CODE "exit-code"
/* Port sessions between postern peers: smux version 2 (per-stream windows,
 * smux.md §4.2) instead of version 1, used only when both the agent's request
 * and the client's response list it. */
#define PAYLOAD_CAP_SMUX_V2 "smux-v2"
/* Stream messages larger than the official peers' 1 KiB (up to
 * PAYLOAD_LARGE_MESSAGE_MAX), used only when both sides list it. */
#define PAYLOAD_CAP_LARGE_MESSAGES "large-messages"
#define PAYLOAD_LARGE_MESSAGE_MAX (60u * 1024u)
/* The reliable stream's send window for port sessions between such peers
 * (bulk data: a wider window keeps a fast link busy). */
#define PAYLOAD_LARGE_WINDOW (8u * 1024u * 1024u)

/* Whether a capability list (NULL-terminated, or NULL) holds name. */
bool payload_caps_have(char *const *capabilities, size_t n, const char *name);

/* Whether a decoded response lists the capability. */
bool payload_has_capability(const struct payload_handshake_response *resp, const char *name);

int payload_handshake_response_encode(const struct payload_handshake_response *resp,
				      uint8_t **out, size_t *out_len);
int payload_handshake_response_decode(const uint8_t *buf, size_t len,
				      struct payload_handshake_response *out);
void payload_handshake_response_free(struct payload_handshake_response *resp);

/* ---- HandshakeComplete (PayloadType 7, agent → client, §5.7) -----------------
 * {"HandshakeTimeToComplete":<ns>,"CustomerMessage":…}
 */
struct payload_handshake_complete {
	int64_t time_to_complete_ns; /* Go time.Duration */
	char *customer_message;      /* printed by the plugin; may be "" */
};

int payload_handshake_complete_encode(const struct payload_handshake_complete *hc,
				      uint8_t **out, size_t *out_len);
int payload_handshake_complete_decode(const uint8_t *buf, size_t len,
				      struct payload_handshake_complete *out);
void payload_handshake_complete_free(struct payload_handshake_complete *hc);

/* ---- EncChallengeRequest / EncChallengeResponse (PayloadTypes 8, 9, §5.8) ----
 * {"Challenge":"<base64 of nonce‖ciphertext‖tag>"} — same shape both ways.
 * The decoder requires Challenge (FIELD_MISSING when missing or null), caps the
 * decoded bytes at PAYLOAD_CHALLENGE_MAX (TOO_LARGE) and refuses malformed
 * base64 (PROTO_E_BASE64).
 */
struct payload_enc_challenge {
	uint8_t *challenge; /* decoded bytes; non-NULL after a decode, even when len 0 */
	size_t len;
};

/* INVALID_ARG if challenge is NULL with len != 0 or len > PAYLOAD_CHALLENGE_MAX. */
int payload_enc_challenge_encode(const struct payload_enc_challenge *ch, uint8_t **out,
				 size_t *out_len);
int payload_enc_challenge_decode(const uint8_t *buf, size_t len,
				 struct payload_enc_challenge *out);
void payload_enc_challenge_free(struct payload_enc_challenge *ch);

/* ---- Size (PayloadType 3, client → agent, §5.4) ------------------------------
 * {"cols":N,"rows":M} — lower-case keys, uint32 values (FIELD_RANGE outside
 * [0, UINT32_MAX]); missing keys read as 0.
 */
struct payload_size {
	uint32_t cols;
	uint32_t rows;
};

int payload_size_encode(const struct payload_size *sz, uint8_t **out, size_t *out_len);
int payload_size_decode(const uint8_t *buf, size_t len, struct payload_size *out);

/* ---- ExitCode (PayloadType 12, agent → client, §5.9) -------------------------
 * ASCII "EXIT_CODE: <n>", n decimal int32, possibly negative. The decoder
 * accepts exactly: the prefix "EXIT_CODE: " (one space), an optional '-', one
 * or more digits, and nothing after them; the value must fit int32. Anything
 * else is PROTO_E_EXIT_CODE.
 */
int payload_exit_code_encode(int32_t code, uint8_t **out, size_t *out_len);
int payload_exit_code_decode(const uint8_t *buf, size_t len, int32_t *out);

/* ---- Flag (PayloadType 10, §4.1) ----------------------------------------------
 * Exactly 4 bytes, big-endian uint32. Both directions refuse any other length
 * or value with PROTO_E_FLAG.
 */
#define PAYLOAD_FLAG_LEN 4u

enum payload_flag {
	PAYLOAD_FLAG_DISCONNECT_TO_PORT = 1,   /* client: basic port forwarding, local
						* TCP connection closed */
	PAYLOAD_FLAG_TERMINATE_SESSION = 2,    /* client: Ctrl-C in a port session */
	PAYLOAD_FLAG_CONNECT_TO_PORT_ERROR = 3, /* agent: mux dial failed */
};

int payload_flag_encode(enum payload_flag flag, uint8_t **out, size_t *out_len);
int payload_flag_decode(const uint8_t *buf, size_t len, enum payload_flag *out);

#endif
