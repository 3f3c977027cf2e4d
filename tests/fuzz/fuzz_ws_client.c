/*
 * fuzz_ws_client.c — libFuzzer target for the client end of a websocket
 * (proto/ws_client.c, ws_handshake.c).
 *
 * Byte 0 of the input chooses the set-up: bit 0 feeds the rest as the
 * server's whole stream (the upgrade response included: the handshake key
 * is fixed to the RFC 6455 §1.3 nonce, so an input can hold the right
 * Accept), else a valid 101 response is put before it; bits 1–4 pick small
 * or large max_message and out_max and the keepalive timers. A PRNG seeded
 * by the input interleaves reads of random sizes with sends, Close, ticks
 * and partial writes. Checked: only documented errors, any error sticky
 * across every call, on_open at most once, messages within max_message,
 * send_ready agreeing with send, the state never going back; the request
 * ends in an empty line; everything written after it is a sequence of whole
 * FIN frames, masked, that a server-side ws_decoder accepts, with nothing
 * after our Close. No crash, no leak.
 */
#include "base64.h"
#include "fuzz_common.h"
#include "proto_err.h"
#include "ws_client.h"
#include "ws_frame.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONCE "the sample nonce" /* RFC 6455 §1.3; Accept s3pPLMBiTxaQ9kYGzzhZRbK+xOo= */

struct run {
	uint64_t rng;
	size_t key_left; /* handshake key bytes still to hand out */
	size_t max_message;
	int opened;
	bool closed_by_peer;

	/* what the client wrote, as the server decodes it */
	struct ws_decoder srv;
	bool our_close_seen;
	bool in_frame;
};

static uint64_t next(uint64_t *rng)
{
	*rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
	return *rng >> 33;
}

static void on_open(void *ctx)
{
	struct run *r = ctx;

	if (r->opened++)
		abort(); /* opened twice */
}

static void on_message(void *ctx, bool text, uint8_t *data, size_t len)
{
	struct run *r = ctx;

	(void)text;
	if (!r->opened || len > r->max_message || (len && !data))
		abort();
	if (len) /* valid and writable during the call: touch every byte */
		memset(data, 0x5a, len);
}

static void on_close(void *ctx, const struct ws_close *close)
{
	struct run *r = ctx;

	if (r->closed_by_peer || !r->opened || close->reason_len > WS_MAX_CLOSE_REASON ||
	    (close->reason_len && !close->reason) || (!close->has_code && close->reason_len))
		abort();
	r->closed_by_peer = true;
}

static void on_random(void *ctx, uint8_t *buf, size_t len)
{
	struct run *r = ctx;

	for (size_t i = 0; i < len; i++) {
		if (r->key_left) {
			buf[i] = (uint8_t)NONCE[sizeof(NONCE) - 1 - r->key_left];
			r->key_left--;
		} else {
			buf[i] = (uint8_t)next(&r->rng);
		}
	}
}

static const struct ws_client_ops client_ops = {on_open, on_message, on_close, on_random};

/* ---- the server's view of our output ------------------------------------------------ */

static void srv_frame(void *ctx, const struct ws_frame_header *h)
{
	struct run *r = ctx;

	if (!h->fin || !h->masked || r->our_close_seen)
		abort(); /* a fragment, an unmasked frame, or anything after our Close */
	switch (h->opcode) {
	case WS_OP_TEXT: case WS_OP_BINARY: case WS_OP_PING: case WS_OP_PONG:
		break;
	case WS_OP_CLOSE:
		r->our_close_seen = true;
		break;
	default:
		abort();
	}
	r->in_frame = true;
}

static void srv_data(void *ctx, uint8_t *data, size_t len)
{
	(void)ctx;
	(void)data;
	(void)len;
}

static void srv_end(void *ctx, const struct ws_frame_header *h)
{
	struct run *r = ctx;

	(void)h;
	r->in_frame = false;
}

static const struct ws_decoder_ops srv_ops = {srv_frame, srv_data, srv_end};

/* Write (and check) up to want bytes of the client's output. */
static void drain(struct run *r, struct ws_client *c, size_t want)
{
	const uint8_t *p;
	size_t n = ws_client_output(c, &p);
	uint8_t *copy;

	if (want > n)
		want = n;
	if (!want)
		return;
	copy = malloc(want);
	if (!copy)
		abort();
	memcpy(copy, p, want);
	if (ws_decoder_input(&r->srv, copy, want) != PROTO_OK)
		abort(); /* not frames a server accepts */
	free(copy);
	ws_client_output_done(c, want);
}

/* ---- the run ---------------------------------------------------------------------- */

static size_t valid_response(char *out, size_t cap)
{
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	char key[32], joined[96], accept[32];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	int n;

	if (base64_encode((const uint8_t *)NONCE, 16, key, sizeof(key), NULL) != PROTO_OK)
		abort();
	n = snprintf(joined, sizeof(joined), "%s%s", key, guid);
	if (EVP_Digest(joined, (size_t)n, md, &md_len, EVP_sha1(), NULL) != 1 ||
	    base64_encode(md, md_len, accept, sizeof(accept), NULL) != PROTO_OK)
		abort();
	n = snprintf(out, cap,
		     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		     "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
		     accept);
	return (size_t)n;
}

static bool input_error(int rc)
{
	switch (rc) {
	case PROTO_E_WS_HANDSHAKE: case PROTO_E_WS_RSV: case PROTO_E_WS_OPCODE:
	case PROTO_E_WS_CONTROL: case PROTO_E_WS_MASK: case PROTO_E_WS_FRAGMENT:
	case PROTO_E_WS_LENGTH: case PROTO_E_WS_LENGTH64: case PROTO_E_WS_TOO_LARGE:
	case PROTO_E_WS_TIMEOUT: case PROTO_E_NOMEM:
		return true;
	}
	return false;
}

/* The sticky-error rule and the state never going back. */
static void check(struct ws_client *c, int rc, int *failed, enum ws_client_state *last)
{
	enum ws_client_state st = ws_client_state(c);

	if (*failed != PROTO_OK && (rc != *failed || ws_client_error(c) != *failed))
		abort();
	if (ws_client_error(c) != PROTO_OK) {
		*failed = ws_client_error(c);
		if (!input_error(*failed) || st != WS_CLIENT_FAILED)
			abort();
	}
	if (st < *last)
		abort();
	*last = st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ws_client_config cfg = {.host = "broker.example:8443", .path = "/v1/data-channel/x"};
	struct ws_decoder_config srv_cfg = {.server = true, .max_payload = 1u << 20};
	struct run r = {.key_left = 16};
	enum ws_client_state last = WS_CLIENT_HANDSHAKE;
	struct ws_client *c = NULL;
	uint8_t *stream, msg[300];
	size_t len, pos = 0;
	uint64_t now = 1000;
	int failed = PROTO_OK;
	const uint8_t *p;
	uint8_t mode;

	if (size < 1)
		return 0;
	mode = data[0];
	data++;
	size--;
	r.rng = 1469598103934665603ull;
	for (size_t i = 0; i < size; i++)
		r.rng = (r.rng ^ data[i]) * 1099511628211ull;
	cfg.max_message = mode & 2 ? 64 : 4096;
	r.max_message = cfg.max_message;
	cfg.out_max = mode & 4 ? 64 : 4096;
	cfg.ping_after_ms = mode & 8 ? 500 : 0;
	cfg.hangup_after_ms = mode & 16 ? 3000 : 0;

	/* the server's stream: [a valid response,] then the input */
	stream = malloc(256 + size);
	if (!stream)
		abort();
	len = mode & 1 ? 0 : valid_response((char *)stream, 256);
	memcpy(stream + len, data, size);
	len += size;

	if (ws_client_new(&cfg, &client_ops, &r, now, &c) != PROTO_OK)
		abort();
	ws_decoder_init(&r.srv, &srv_cfg, &srv_ops, &r);
	{ /* the request alone, whole, ending in its empty line */
		size_t n = ws_client_output(c, &p);

		if (n < 4 || memcmp(p + n - 4, "\r\n\r\n", 4) != 0 || memcmp(p, "GET ", 4) != 0)
			abort();
		ws_client_output_done(c, n);
	}
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i < size ? data[i] : i);

	while (pos < len) {
		uint64_t action = next(&r.rng) % 16;
		int rc;

		if (action < 9) { /* a read */
			size_t n = 1 + next(&r.rng) % ((size_t[]){1, 7, 64, 1500})[action % 4];

			if (n > len - pos)
				n = len - pos;
			rc = ws_client_input(c, stream + pos, n, now);
			pos += n;
			if (rc != PROTO_OK && !input_error(rc))
				abort();
		} else if (action < 12) { /* a send */
			static const uint8_t ops[] = {WS_OP_TEXT, WS_OP_BINARY, WS_OP_PING, WS_OP_PONG};
			uint8_t op = ops[next(&r.rng) % 4];
			size_t n = next(&r.rng) % sizeof(msg);
			bool ready = ws_client_send_ready(c, n), data_op = op != WS_OP_PING;

			rc = ws_client_send(c, op, msg, n);
			if (failed == PROTO_OK && op != WS_OP_PONG && !(op == WS_OP_PING && n > 125) &&
			    data_op && ws_client_state(c) == WS_CLIENT_OPEN &&
			    (rc == PROTO_OK) != ready)
				abort(); /* send_ready disagrees with send */
			if (rc != PROTO_OK && rc != PROTO_E_WOULD_BLOCK && rc != PROTO_E_STATE &&
			    rc != PROTO_E_INVALID_ARG && rc != failed)
				abort();
			if (op == WS_OP_PONG && rc != PROTO_E_INVALID_ARG && rc != failed)
				abort();
		} else if (action < 13) { /* our Close */
			uint16_t code = next(&r.rng) % 2 ? 1000 : (uint16_t)next(&r.rng);

			rc = ws_client_close(c, code, next(&r.rng) % 2 ? "bye" : NULL);
			if (rc != PROTO_OK && rc != PROTO_E_STATE && rc != PROTO_E_WS_CLOSE &&
			    rc != failed)
				abort();
			if (rc == PROTO_OK && ws_client_state(c) != WS_CLIENT_CLOSING &&
			    ws_client_state(c) != WS_CLIENT_CLOSED)
				abort();
		} else if (action < 14) { /* time passes */
			now += next(&r.rng) % 1500;
			rc = ws_client_tick(c, now);
			if (rc != PROTO_OK && rc != PROTO_E_WS_TIMEOUT && rc != failed)
				abort();
		} else { /* a write of some of the output */
			drain(&r, c, next(&r.rng) % 2000);
			rc = failed;
		}
		check(c, rc, &failed, &last);
	}
	drain(&r, c, (size_t)-1);
	if (ws_client_output(c, &p) != 0 || !ws_decoder_idle(&r.srv) || r.in_frame)
		abort(); /* the output ended inside a frame */
	if (ws_client_state(c) == WS_CLIENT_CLOSED && !(r.our_close_seen && r.closed_by_peer))
		abort(); /* closed without both Close frames */
	ws_client_free(c);
	free(stream);
	return 0;
}
