/*
 * ws_client_impl.h — what ws_client.c and ws_handshake.c share (not for use
 * elsewhere): the HTTP upgrade of RFC 6455 §4.1–4.2 as text in, text out.
 */
#ifndef POSTERN_WS_CLIENT_IMPL_H
#define POSTERN_WS_CLIENT_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "ws_client.h"

#define WS_ACCEPT_LEN 28u /* base64 of a SHA-1 digest */

/*
 * The upgrade request for cfg with key (WS_CLIENT_KEY_LEN random bytes) into a
 * new buffer *out (*out_len bytes, not NUL-ended; the caller frees it), and the
 * Sec-WebSocket-Accept the server must answer with into accept. PROTO_OK,
 * PROTO_E_INVALID_ARG (host or path missing, empty, or with a character that
 * cannot stand in a request line or header), PROTO_E_NOMEM.
 */
int ws_handshake_request(const struct ws_client_config *cfg, const uint8_t *key, uint8_t **out,
			 size_t *out_len, char accept[WS_ACCEPT_LEN + 1]);

/* Length of the header block at the start of buf[0..len) including its
 * closing empty line, or 0 when that line has not arrived. The search starts
 * at `from` (bytes before it were searched already). */
size_t ws_handshake_block_len(const uint8_t *buf, size_t len, size_t from);

/*
 * Judge a whole response header block (as measured by ws_handshake_block_len).
 * *status receives the status code when the status line parses (else 0).
 * PROTO_OK when it accepts the upgrade with accept, else PROTO_E_WS_HANDSHAKE.
 */
int ws_handshake_check(const uint8_t *block, size_t len, const char *accept, int *status);

#endif
