/*
 * ws_link.c — a websocket client over TLS or plain TCP (see ws_link.h).
 */
#include "proto_err.h"
#include "ws_link.h"

#include <stdlib.h>

struct ws_link {
	struct ws_client *ws;
	struct tls_pipe *tls;
	uint64_t now_ms; /* of the input being handled */
	int ws_error;    /* from ws_client_input inside the TLS callback */
};

static void on_plaintext(void *ctx, uint8_t *data, size_t len)
{
	struct ws_link *l = ctx;

	if (!l->ws_error)
		l->ws_error = ws_client_input(l->ws, data, len, l->now_ms);
}

int ws_link_new(const struct ws_link_config *cfg, const struct ws_client_ops *ops, void *ctx,
		uint64_t now_ms, struct ws_link **out)
{
	static const struct tls_pipe_ops tls_ops = {on_plaintext};
	struct ws_link *l = calloc(1, sizeof(*l));
	int rc;

	if (!l)
		return PROTO_E_NOMEM;
	rc = ws_client_new(&cfg->ws, ops, ctx, now_ms, &l->ws);
	if (rc == PROTO_OK && cfg->use_tls)
		rc = tls_pipe_new(&cfg->tls, &tls_ops, l, &l->tls);
	if (rc != PROTO_OK) {
		ws_link_free(l);
		return rc;
	}
	*out = l;
	return PROTO_OK;
}

void ws_link_free(struct ws_link *l)
{
	if (!l)
		return;
	tls_pipe_free(l->tls);
	ws_client_free(l->ws);
	free(l);
}

int ws_link_input(struct ws_link *l, uint8_t *data, size_t len, uint64_t now_ms)
{
	int rc;

	if (!l->tls)
		return ws_client_input(l->ws, data, len, now_ms);
	if (l->ws_error)
		return l->ws_error;
	l->now_ms = now_ms;
	rc = tls_pipe_input(l->tls, data, len);
	return l->ws_error ? l->ws_error : rc;
}

/* Encrypt what the websocket has queued, as far as the TLS output takes it. */
static void pump(struct ws_link *l)
{
	const uint8_t *plain;
	size_t n, taken;

	while ((n = ws_client_output(l->ws, &plain)) > 0) {
		if (tls_pipe_write(l->tls, plain, n, &taken) != PROTO_OK || !taken)
			return;
		ws_client_output_done(l->ws, taken);
	}
}

size_t ws_link_output(struct ws_link *l, const uint8_t **data)
{
	if (!l->tls)
		return ws_client_output(l->ws, data);
	pump(l);
	return tls_pipe_output(l->tls, data);
}

size_t ws_link_pending(const struct ws_link *l)
{
	const uint8_t *unused;

	return ws_client_output(l->ws, &unused) + (l->tls ? tls_pipe_pending(l->tls) : 0);
}

void ws_link_output_done(struct ws_link *l, size_t n)
{
	if (l->tls)
		tls_pipe_output_done(l->tls, n);
	else
		ws_client_output_done(l->ws, n);
}

struct ws_client *ws_link_ws(struct ws_link *l)
{
	return l->ws;
}

struct tls_pipe *ws_link_tls(struct ws_link *l)
{
	return l->tls;
}
