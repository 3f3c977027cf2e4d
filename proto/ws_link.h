/*
 * ws_link.h — a client websocket (ws_client.h) over TLS (tls_pipe.h) or plain
 * TCP, without I/O: the bytes the caller reads from the socket go in,
 * the bytes to write come out. The caller reaches the websocket itself
 * (send, close, tick, state) through ws_link_ws(), the TLS side's diagnosis
 * through ws_link_tls().
 *
 * Ordering: the upgrade request waits until the TLS handshake is done; then
 * what the websocket queues is encrypted as ws_link_output() is asked for,
 * as much as the TLS output bound (cfg.tls.out_max) lets through.
 */
#ifndef POSTERN_WS_LINK_H
#define POSTERN_WS_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tls_pipe.h"
#include "ws_client.h"

struct ws_link_config {
	struct ws_client_config ws;
	bool use_tls;
	struct tls_pipe_config tls; /* when use_tls */
};

struct ws_link;

/* PROTO_OK, or what ws_client_new / tls_pipe_new returned. ops and ctx are the
 * websocket's (ws_client.h). */
int ws_link_new(const struct ws_link_config *cfg, const struct ws_client_ops *ops, void *ctx,
		uint64_t now_ms, struct ws_link **out);

void ws_link_free(struct ws_link *l);

/* Bytes read from the socket. PROTO_OK, or the first final error of the TLS
 * side (PROTO_E_TLS*) or the websocket (see ws_client_input). */
int ws_link_input(struct ws_link *l, uint8_t *data, size_t len, uint64_t now_ms);

/* Bytes to write to the socket; *data points at them (NULL when none). */
size_t ws_link_output(struct ws_link *l, const uint8_t **data);

/* Bytes waiting on their way out: queued by the websocket, or encrypted
 * and not yet taken by the writer. What senders should hold back on. */
size_t ws_link_pending(const struct ws_link *l);

/* n of them were written. */
void ws_link_output_done(struct ws_link *l, size_t n);

struct ws_client *ws_link_ws(struct ws_link *l);

/* The TLS side, or NULL on plain TCP. */
struct tls_pipe *ws_link_tls(struct ws_link *l);

#endif
