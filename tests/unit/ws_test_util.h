/*
 * ws_test_util.h — server-side websocket arithmetic shared by the websocket
 * unit tests (test_ws_client.c, test_tls_pipe.c).
 */
#ifndef POSTERN_WS_TEST_UTIL_H
#define POSTERN_WS_TEST_UTIL_H

/* Sec-WebSocket-Accept (RFC 6455 §4.2.2) for the Sec-WebSocket-Key text
 * key_b64, computed here with SHA-1 and base64, NUL-terminated into out.
 * Returns 0, or -1 when key_b64 is too long or a primitive failed. */
int ws_test_accept(const char *key_b64, char out[29]);

#endif
