/*
 * ws_client.h — the client end of one websocket connection (RFC 6455) without
 * I/O. The caller owns the socket (a TLS stream, say): it feeds what it reads
 * to ws_client_input() and writes what ws_client_output() holds. Code:
 * ws_client.c (connection, messages, output), ws_handshake.c (the HTTP
 * upgrade, §4.1–4.2).
 *
 *   opening   ws_client_new() queues the upgrade request (GET, Host, Upgrade,
 *             Connection, a fresh Sec-WebSocket-Key, version 13; no
 *             subprotocol, no extension). The response must be
 *             `HTTP/1.1 101`, with Upgrade: websocket, a Connection header
 *             holding the token "upgrade", the right Sec-WebSocket-Accept,
 *             and neither Sec-WebSocket-Extensions nor -Protocol. Anything
 *             else is PROTO_E_WS_HANDSHAKE (ws_client_http_status() tells a
 *             refusal's status code); a header block over
 *             WS_CLIENT_MAX_RESPONSE bytes is PROTO_E_WS_HANDSHAKE too. Bytes
 *             after the header block are the first frames.
 *
 *   messages  Text and binary messages reach ops->on_message whole, at most
 *             cfg.max_message bytes (else PROTO_E_WS_TOO_LARGE). A message
 *             in one frame that arrived in one read is handed over where it
 *             lies, without a copy; fragmented ones are gathered. Pings are
 *             answered with a Pong of the same payload (none while the output
 *             holds more than cfg.out_max + WS_CLIENT_CONTROL_SLACK: memory
 *             stays bounded against a flood, and §5.5.3 lets the latest Ping
 *             alone be answered); Pongs only count as traffic.
 *
 *   sending   ws_client_send() appends one whole frame (FIN, a fresh random
 *             mask key, the payload masked) to the output: the frames of many
 *             messages leave in one write. Data is refused with
 *             PROTO_E_WOULD_BLOCK when the frame would take the output past
 *             cfg.out_max bytes (one message always fits in an empty output);
 *             Ping, Pong and Close frames are never refused.
 *
 *   closing   ws_client_close() queues a Close frame; data sends are then
 *             PROTO_E_STATE. A Close from the peer is reported through
 *             ops->on_close and answered with the same status code (unless
 *             we closed first). Once both Close frames have passed, the state
 *             is WS_CLIENT_CLOSED: write out what is left, then drop the
 *             socket. Frames after the peer's Close are ignored.
 *
 *   keepalive ws_client_tick() sends a Ping (payload "keepalive") once nothing
 *             has arrived for cfg.ping_after_ms, and returns PROTO_E_WS_TIMEOUT
 *             once nothing has arrived for cfg.hangup_after_ms (0: never), or
 *             when the upgrade is not through cfg.open_timeout_ms after
 *             ws_client_new (0: no such limit).
 *
 * Any error from ws_client_input() is final: the connection is unusable and
 * every later call returns the same error.
 */
#ifndef POSTERN_WS_CLIENT_H
#define POSTERN_WS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ws_frame.h"

#define WS_CLIENT_MAX_RESPONSE 8192u /* the upgrade response's header block */
#define WS_CLIENT_KEY_LEN 16u        /* random bytes behind Sec-WebSocket-Key */
#define WS_CLIENT_CONTROL_SLACK 4096u /* Pongs queued beyond out_max, at most */

enum ws_client_state {
	WS_CLIENT_HANDSHAKE, /* upgrade request queued, no (whole) response yet */
	WS_CLIENT_OPEN,      /* messages flow both ways */
	WS_CLIENT_CLOSING,   /* one side's Close has passed, not yet the other's */
	WS_CLIENT_CLOSED,    /* both Close frames passed: flush, then drop the socket */
	WS_CLIENT_FAILED,    /* a protocol error: drop the socket */
};

struct ws_client_ops {
	/* The upgrade was accepted; messages may be sent. */
	void (*on_open)(void *ctx);
	/* One whole message; data is valid (and writable) during the call only. */
	void (*on_message)(void *ctx, bool text, uint8_t *data, size_t len);
	/* The peer's Close frame (status and reason as decoded; a malformed
	 * Close payload is reported as code 1002 with no reason). */
	void (*on_close)(void *ctx, const struct ws_close *close);
	/* len unpredictable bytes (mask keys, the handshake key). */
	void (*random)(void *ctx, uint8_t *buf, size_t len);
};

struct ws_client_config {
	const char *host;         /* Host header value (with :port when not default) */
	const char *path;         /* request target: "/v1/data-channel/…?…" */
	const char *origin;       /* Origin header, or NULL for none */
	size_t max_message;       /* largest message accepted; 0 → WS_DEFAULT_MAX_PAYLOAD */
	size_t out_max;           /* output bytes beyond which data is refused */
	uint64_t ping_after_ms;   /* 0: never ping */
	uint64_t hangup_after_ms; /* 0: never give up */
	uint64_t open_timeout_ms; /* 0: the upgrade may take as long as it takes */
};

struct ws_client;

/*
 * A connection in WS_CLIENT_HANDSHAKE with the upgrade request queued; now_ms
 * starts the keepalive clock. The config's strings are copied. PROTO_OK,
 * PROTO_E_INVALID_ARG (host or path missing, or holding CR, LF or NUL-less
 * garbage such as a space in the path), PROTO_E_NOMEM.
 */
int ws_client_new(const struct ws_client_config *cfg, const struct ws_client_ops *ops, void *ctx,
		  uint64_t now_ms, struct ws_client **out);

void ws_client_free(struct ws_client *c);

/*
 * Bytes read from the server, in order; data may be modified. Callbacks run
 * during the call (not re-entrantly: ws_client_input from a callback returns
 * PROTO_E_STATE). PROTO_OK, PROTO_E_WS_HANDSHAKE, a decoder error
 * (PROTO_E_WS_*, see ws_frame.h), PROTO_E_WS_TOO_LARGE (a message over
 * max_message), PROTO_E_NOMEM.
 */
int ws_client_input(struct ws_client *c, uint8_t *data, size_t len, uint64_t now_ms);

/*
 * Queue one message or control frame: opcode WS_OP_TEXT, WS_OP_BINARY or
 * WS_OP_PING (WS_OP_CLOSE: use ws_client_close). PROTO_OK,
 * PROTO_E_WOULD_BLOCK (output full: wait for it to drain), PROTO_E_STATE (not
 * open, or closing), PROTO_E_INVALID_ARG (a ping over 125 bytes, another
 * opcode), PROTO_E_NOMEM.
 */
int ws_client_send(struct ws_client *c, uint8_t opcode, const uint8_t *data, size_t len);

/* Queue a Close frame with code and reason (NULL: none); see ws_close_encode
 * for what is valid. PROTO_OK, PROTO_E_STATE (already sent one, or failed),
 * PROTO_E_WS_CLOSE, PROTO_E_NOMEM. */
int ws_client_close(struct ws_client *c, uint16_t code, const char *reason);

/* Bytes waiting to be written; *data points at the first (NULL when none). */
size_t ws_client_output(const struct ws_client *c, const uint8_t **data);

/* n bytes of the output were written (n <= what ws_client_output gave). */
void ws_client_output_done(struct ws_client *c, size_t n);

/* Whether ws_client_send would take a data message of len bytes now. */
bool ws_client_send_ready(const struct ws_client *c, size_t len);

/* Ping if due; PROTO_E_WS_TIMEOUT when the peer has been silent too long. */
int ws_client_tick(struct ws_client *c, uint64_t now_ms);

enum ws_client_state ws_client_state(const struct ws_client *c);

/* The status code of the upgrade response once its status line is in (101
 * when accepted), else 0. */
int ws_client_http_status(const struct ws_client *c);

/* The error that failed the connection, PROTO_OK while it has not failed. */
int ws_client_error(const struct ws_client *c);

#endif
