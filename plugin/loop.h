/*
 * loop.h — the client's one event loop: a libwebsockets context (client
 * only, no listener) whose protocols are the client's connection kinds, each
 * owned by its module:
 *
 *   "postern-api"     HTTPS API calls              api_client.c
 *   "postern-data"    the data-channel websocket   data_channel.c
 *   "postern-stdio"   stdin and stdout (raw files) stdio_relay.c
 *   "postern-signal"  the signal wake-up pipe      signals.c
 *   "postern-listen"  a port session's listener    forward_listener.c
 *   "postern-port"    its local connections        forward_conn.c
 *
 * Modules find their own state through lws_get_opaque_user_data(). The loop
 * runs in phases (an API call, the session, a last API call) by
 * loop_run_until(), always on the same context, never from inside a callback.
 */
#ifndef POSTERN_LOOP_H
#define POSTERN_LOOP_H

#include <libwebsockets.h>
#include <openssl/ssl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOOP_PROTOCOL_API "postern-api"
#define LOOP_PROTOCOL_DATA "postern-data"
#define LOOP_PROTOCOL_STDIO "postern-stdio"
#define LOOP_PROTOCOL_SIGNAL "postern-signal"
#define LOOP_PROTOCOL_LISTEN "postern-listen"
#define LOOP_PROTOCOL_PORT "postern-port"

/* Largest read lws makes from a raw socket in one go (its per-thread service
 * buffer is this plus LWS_PRE): a local connection's read, one large stream
 * message (PAYLOAD_LARGE_MESSAGE_MAX). */
#define LOOP_READ_MAX (32u * 1024u)
/* Descriptors the loop may watch: a port session's local connections
 * (FORWARD_MUX_MAX_CONNS) plus the data channel, stdio, the signal pipe, the
 * listener and API calls. */
#define LOOP_FD_LIMIT 320
/* Seconds a connection may take to connect and finish its TLS handshake (and,
 * for the data channel, its websocket upgrade). */
#define LOOP_TIMEOUT_S 20

struct loop {
	struct lws_context *ctx;
	struct lws_vhost *vhost;
	SSL_CTX *tls; /* the data channel's TLS (proto/tls_pipe.h): same trust as lws's */
};

/*
 * Create the context. ca_file (may be NULL) is trusted for TLS in addition to
 * the system store. lws's own log lines are shown only when POSTERN_DEBUG is
 * set in the environment (they would garble a raw terminal). Returns
 * CLIENT_OK, CLIENT_E_CONFIG (CA file unreadable) or CLIENT_E_NET.
 */
int loop_init(struct loop *l, const char *ca_file, char *err, size_t errlen);

/* Service events until *done is true. CLIENT_OK, or CLIENT_E_NET if lws
 * fails. Not to be called from a loop callback. */
int loop_run_until(struct loop *l, const bool *done);

/* Service events for ms milliseconds. Not from a loop callback. */
int loop_sleep(struct loop *l, unsigned ms);

/* Destroy the context: every connection still open is closed (their close
 * callbacks run now). Idempotent. */
void loop_fini(struct loop *l);

/* Wall-clock milliseconds since the epoch (frame CreatedDate, rstream clock). */
uint64_t loop_now_ms(void);

#endif
