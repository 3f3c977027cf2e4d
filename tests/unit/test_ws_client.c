/*
 * test_ws_client.c — the client end of a websocket without I/O
 * (proto/ws_client.c, ws_handshake.c) against ws_client.h and RFC 6455.
 *
 * Covers: the upgrade request byte for byte for a fixed random source, with
 * and without Origin, and every invalid host/path/origin refused; the §1.3
 * example key and its Sec-WebSocket-Accept; accepted response variants and
 * every refusal (status, Accept, Upgrade, Connection, Extensions/Protocol,
 * a line without a colon, a malformed status line, a block over
 * WS_CLIENT_MAX_RESPONSE) with the error sticky; a response split at every
 * byte boundary, frames in the same read as the response; messages whole,
 * fragmented, too large, masked by the server; Ping → Pong, the closing
 * handshake from either side; output frames decoded by a server-side
 * ws_decoder (masked, keys from ops->random, payloads intact, batched, any
 * partial write keeping byte order, PROTO_E_WOULD_BLOCK at out_max);
 * keepalive pings and the hangup; in-place delivery.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "proto_err.h"
#include "test_util.h"
#include "ws_client.h"
#include "ws_frame.h"
#include "ws_test_util.h"

#define RND_CAP 8192u

/* ---- the application side: callbacks that record ------------------------------- */

struct app {
	const uint8_t *script; /* random bytes handed out first */
	size_t script_len;
	uint64_t rng;
	uint8_t rnd[RND_CAP]; /* every random byte handed out, in order */
	size_t rnd_len;

	int opened, messages, closes;
	uint8_t *log; /* messages: 'T'/'B', length (size_t), bytes */
	size_t log_len, log_cap;
	const uint8_t *last_ptr;
	size_t last_len;
	struct ws_close last_close;
	uint8_t close_reason[WS_MAX_CLOSE_REASON];

	struct ws_client *reenter; /* on_message calls ws_client_input on it */
	int reenter_rc;
};

static void app_open(void *ctx)
{
	struct app *a = ctx;

	a->opened++;
}

static void app_message(void *ctx, bool text, uint8_t *data, size_t len)
{
	struct app *a = ctx;
	uint8_t tag = text ? 'T' : 'B';

	while (a->log_cap - a->log_len < 1 + sizeof(len) + len) {
		a->log_cap *= 2;
		a->log = realloc(a->log, a->log_cap);
		cr_assert_not_null(a->log);
	}
	a->log[a->log_len++] = tag;
	memcpy(a->log + a->log_len, &len, sizeof(len));
	a->log_len += sizeof(len);
	if (len)
		memcpy(a->log + a->log_len, data, len);
	a->log_len += len;
	a->last_ptr = data;
	a->last_len = len;
	a->messages++;
	if (a->reenter)
		a->reenter_rc = ws_client_input(a->reenter, (uint8_t *)"x", 1, 0);
}

static void app_close(void *ctx, const struct ws_close *close)
{
	struct app *a = ctx;

	a->last_close = *close;
	cr_assert_leq(close->reason_len, sizeof(a->close_reason));
	if (close->reason_len)
		memcpy(a->close_reason, close->reason, close->reason_len);
	a->last_close.reason = a->close_reason;
	a->closes++;
}

static void app_random(void *ctx, uint8_t *buf, size_t len)
{
	struct app *a = ctx;

	for (size_t i = 0; i < len; i++) {
		if (a->script_len) {
			buf[i] = *a->script++;
			a->script_len--;
		} else {
			a->rng = a->rng * 6364136223846793005ull + 1442695040888963407ull;
			buf[i] = (uint8_t)(a->rng >> 56);
		}
		cr_assert_lt(a->rnd_len, RND_CAP, "random log full");
		a->rnd[a->rnd_len++] = buf[i];
	}
}

static const struct ws_client_ops app_ops = {app_open, app_message, app_close, app_random};

static struct app *app_new(const void *script, size_t script_len)
{
	struct app *a = calloc(1, sizeof(*a));

	cr_assert_not_null(a);
	a->log_cap = 4096;
	a->log = malloc(a->log_cap);
	cr_assert_not_null(a->log);
	a->script = script;
	a->script_len = script_len;
	a->rng = 0x1234567887654321ull;
	return a;
}

static void app_free(struct app *a)
{
	free(a->log);
	free(a);
}

/* ---- the server side ------------------------------------------------------------- */

/* Sec-WebSocket-Accept for a 16-byte key (base64 here, the rest in ws_test_util.c). */
static void accept_for(const uint8_t key[WS_CLIENT_KEY_LEN], char out[29])
{
	char key_b64[32];

	cr_assert_eq(base64_encode(key, WS_CLIENT_KEY_LEN, key_b64, sizeof(key_b64), NULL),
		     PROTO_OK);
	cr_assert_eq(ws_test_accept(key_b64, out), 0);
}

/* One server frame (unmasked unless masked) into out; returns its length. */
static size_t srv_frame(uint8_t *out, bool fin, uint8_t op, const void *payload, size_t len,
			bool masked)
{
	struct ws_frame_header h = {.fin = fin, .opcode = op, .masked = masked,
				    .mask_key = {0xa1, 0xb2, 0xc3, 0xd4}, .payload_len = len};
	size_t hlen = ws_frame_header_encode(&h, out);

	if (len)
		memcpy(out + hlen, payload, len);
	if (masked)
		ws_mask(out + hlen, len, h.mask_key, 0);
	return hlen + len;
}

/* Frames the client wrote, as a server-side decoder sees them. */
struct out_frame {
	bool fin, masked;
	uint8_t op, key[4];
	size_t off, len; /* payload in srv.pay */
};

struct srv {
	struct out_frame f[1024];
	size_t n;
	uint8_t *pay; /* payloads, unmasked, one after another */
	size_t pay_len, pay_cap;
};

static void srv_on_frame(void *ctx, const struct ws_frame_header *h)
{
	struct srv *s = ctx;
	struct out_frame *f;

	cr_assert_lt(s->n, sizeof(s->f) / sizeof(s->f[0]));
	f = &s->f[s->n++];
	f->fin = h->fin;
	f->masked = h->masked;
	f->op = h->opcode;
	memcpy(f->key, h->mask_key, 4);
	f->off = s->pay_len;
	f->len = 0;
}

static void srv_on_data(void *ctx, uint8_t *data, size_t len)
{
	struct srv *s = ctx;

	cr_assert_leq(s->pay_len + len, s->pay_cap);
	memcpy(s->pay + s->pay_len, data, len);
	s->pay_len += len;
	s->f[s->n - 1].len += len;
}

static void srv_on_end(void *ctx, const struct ws_frame_header *h)
{
	(void)ctx;
	(void)h;
}

static const struct ws_decoder_ops srv_ops = {srv_on_frame, srv_on_data, srv_on_end};

/* Decode bytes (whole frames only) as the server would; asserts it accepts them. */
static void srv_decode(struct srv *s, const uint8_t *bytes, size_t n)
{
	struct ws_decoder_config cfg = {.server = true, .max_payload = 1u << 24};
	struct ws_decoder d;
	uint8_t *copy = test_dup_exact(bytes, n);

	memset(s, 0, sizeof(*s));
	s->pay_cap = n; /* payloads are shorter than the frames */
	s->pay = malloc(n ? n : 1);
	cr_assert_not_null(s->pay);
	cr_assert(n == 0 || copy);
	ws_decoder_init(&d, &cfg, &srv_ops, s);
	if (n)
		cr_assert_eq(ws_decoder_input(&d, copy, n), PROTO_OK, "output is not valid frames");
	cr_assert(ws_decoder_idle(&d), "output ends inside a frame");
	free(copy);
}

/* Take (and consume) the client's whole output and decode it. */
static void srv_drain(struct ws_client *c, struct srv *s)
{
	const uint8_t *p;
	size_t n = ws_client_output(c, &p);

	srv_decode(s, p, n);
	ws_client_output_done(c, n);
	cr_assert_eq(ws_client_output(c, &p), 0);
	cr_assert_null(p);
}

static void srv_free(struct srv *s)
{
	free(s->pay);
}

/* Whether needle (a string) occurs in hay[0..n), and where. */
static const uint8_t *find_bytes(const uint8_t *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return hay + i;
	return NULL;
}

/* ---- opening helpers ------------------------------------------------------------- */

static const char *const response_ok = "HTTP/1.1 101 Switching Protocols\r\n"
				       "Upgrade: websocket\r\n"
				       "Connection: Upgrade\r\n"
				       "Sec-WebSocket-Accept: %s\r\n"
				       "\r\n";

static struct ws_client *client_new(struct app *a, const struct ws_client_config *cfg)
{
	struct ws_client *c = NULL;

	cr_assert_eq(ws_client_new(cfg, &app_ops, a, 0, &c), PROTO_OK);
	cr_assert_not_null(c);
	return c;
}

static const struct ws_client_config default_cfg = {
	.host = "broker.example:8443",
	.path = "/v1/data-channel/s-1?role=publish_subscribe",
	.out_max = 1u << 16,
};

/* The response for a.rnd's key, from a printf format with one %s (or none). */
static size_t response_for(const struct app *a, const char *fmt, char *out, size_t cap)
{
	char accept[29];
	int n;

	cr_assert_geq(a->rnd_len, WS_CLIENT_KEY_LEN);
	accept_for(a->rnd, accept);
	n = snprintf(out, cap, fmt, accept, accept);
	cr_assert(n > 0 && (size_t)n < cap);
	return (size_t)n;
}

/* A client past the upgrade with its request drained. */
static struct ws_client *client_open(struct app *a, const struct ws_client_config *cfg)
{
	struct ws_client *c = client_new(a, cfg);
	char resp[512];
	const uint8_t *p;
	size_t n = response_for(a, response_ok, resp, sizeof(resp));

	ws_client_output_done(c, ws_client_output(c, &p));
	cr_assert_eq(ws_client_input(c, (uint8_t *)resp, n, 0), PROTO_OK);
	cr_assert_eq(ws_client_state(c), WS_CLIENT_OPEN);
	cr_assert_eq(a->opened, 1);
	return c;
}

/* Every public call reports err once the connection has failed with it. */
static void assert_failed_with(struct ws_client *c, int err)
{
	uint8_t b[16];

	srv_frame(b, true, WS_OP_TEXT, "hi", 2, false);
	cr_assert_eq(ws_client_error(c), err);
	cr_assert_eq(ws_client_state(c), WS_CLIENT_FAILED);
	cr_assert_eq(ws_client_input(c, b, 4, 1), err);
	cr_assert_eq(ws_client_send(c, WS_OP_TEXT, (const uint8_t *)"x", 1), err);
	cr_assert_eq(ws_client_close(c, 1000, NULL), err);
	cr_assert_eq(ws_client_tick(c, 1u << 30), err);
	cr_assert_not(ws_client_send_ready(c, 1));
	cr_assert_eq(ws_client_error(c), err);
}

/* ---- the upgrade request --------------------------------------------------------- */

static const uint8_t key_0_15[WS_CLIENT_KEY_LEN] = {0, 1, 2, 3, 4, 5, 6, 7,
						   8, 9, 10, 11, 12, 13, 14, 15};

Test(ws_client, request_byte_for_byte)
{
	static const char *const want[2] = {
		"GET /v1/data-channel/s-1?role=publish_subscribe HTTP/1.1\r\n"
		"Host: broker.example:8443\r\n"
		"Upgrade: websocket\r\n"
		"Connection: Upgrade\r\n"
		"Sec-WebSocket-Key: AAECAwQFBgcICQoLDA0ODw==\r\n"
		"Sec-WebSocket-Version: 13\r\n"
		"\r\n",
		"GET /v1/data-channel/s-1?role=publish_subscribe HTTP/1.1\r\n"
		"Host: broker.example:8443\r\n"
		"Upgrade: websocket\r\n"
		"Connection: Upgrade\r\n"
		"Sec-WebSocket-Key: AAECAwQFBgcICQoLDA0ODw==\r\n"
		"Sec-WebSocket-Version: 13\r\n"
		"Origin: https://broker.example\r\n"
		"\r\n",
	};

	for (int i = 0; i < 2; i++) {
		struct ws_client_config cfg = default_cfg;
		struct app *a = app_new(key_0_15, sizeof(key_0_15));
		struct ws_client *c;
		const uint8_t *p;
		size_t n;

		cfg.origin = i ? "https://broker.example" : NULL;
		c = client_new(a, &cfg);
		n = ws_client_output(c, &p);
		cr_assert_eq(n, strlen(want[i]), "request %d: %zu bytes", i, n);
		cr_assert_arr_eq(p, want[i], n, "request %d: %.*s", i, (int)n, (const char *)p);
		cr_assert_eq(a->rnd_len, WS_CLIENT_KEY_LEN, "only the key is drawn at first");
		cr_assert_eq(ws_client_state(c), WS_CLIENT_HANDSHAKE);
		cr_assert_eq(ws_client_http_status(c), 0);
		cr_assert_eq(ws_client_error(c), PROTO_OK);
		cr_assert_not(ws_client_send_ready(c, 1));
		cr_assert_eq(ws_client_send(c, WS_OP_TEXT, (const uint8_t *)"x", 1), PROTO_E_STATE);
		cr_assert_eq(ws_client_close(c, 1000, NULL), PROTO_E_STATE);
		/* a partial write leaves the rest in order */
		ws_client_output_done(c, 10);
		cr_assert_eq(ws_client_output(c, &p), strlen(want[i]) - 10);
		cr_assert_arr_eq(p, want[i] + 10, strlen(want[i]) - 10);
		ws_client_free(c);
		app_free(a);
	}
}

Test(ws_client, config_strings_are_copied)
{
	char host[] = "h.example", path[] = "/p", origin[] = "o";
	struct ws_client_config cfg = {.host = host, .path = path, .origin = origin};
	struct app *a = app_new(key_0_15, sizeof(key_0_15));
	struct ws_client *c = client_new(a, &cfg);
	const uint8_t *p;
	size_t n;

	memset(host, 'X', sizeof(host) - 1);
	memset(path, 'X', sizeof(path) - 1);
	memset(origin, 'X', sizeof(origin) - 1);
	n = ws_client_output(c, &p);
	cr_assert(find_bytes(p, n, "GET /p HTTP/1.1\r\nHost: h.example\r\n") == p);
	cr_assert_not_null(find_bytes(p, n, "\r\nOrigin: o\r\n"));
	ws_client_free(c);
	app_free(a);
}

Test(ws_client, invalid_host_path_origin)
{
	static const struct {
		const char *host, *path, *origin;
	} bad[] = {
		{NULL, "/", NULL},
		{"", "/", NULL},
		{"a b", "/", NULL},
		{"a\r\nX: y", "/", NULL},
		{"a\nb", "/", NULL},
		{"a\rb", "/", NULL},
		{"a\tb", "/", NULL},
		{"h", NULL, NULL},
		{"h", "", NULL},
		{"h", "v1/data", NULL},
		{"h", "/a b", NULL},
		{"h", "/a\r\nX: y", NULL},
		{"h", "/a\n", NULL},
		{"h", "/a\x7f", NULL},
		{"h", "/", "o\r\nX: y"},
		{"h", "/", ""},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ws_client_config cfg = {.host = bad[i].host, .path = bad[i].path,
					       .origin = bad[i].origin};
		struct app *a = app_new(NULL, 0);
		struct ws_client *c = NULL;

		cr_assert_eq(ws_client_new(&cfg, &app_ops, a, 0, &c), PROTO_E_INVALID_ARG,
			     "case %zu", i);
		cr_assert_null(c, "case %zu", i);
		app_free(a);
	}
}

/* ---- the response ---------------------------------------------------------------- */

Test(ws_client, rfc6455_section13_example)
{
	static const char nonce[] = "the sample nonce";
	static const char resp_fmt[] = "HTTP/1.1 101 Switching Protocols\r\n"
				       "Upgrade: websocket\r\n"
				       "Connection: Upgrade\r\n"
				       "Sec-WebSocket-Accept: %s\r\n"
				       "\r\n";
	/* §1.3 (and the example of §1.2) give this Accept for that key; the
	 * "s3pPLMBiTxaOe+xo9SbHpNGWrzo=" quoted by some older drafts is refused */
	const char *accept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
	char mine[29], resp[256], wrong[29];
	struct app *a;
	struct ws_client *c;
	const uint8_t *p;
	size_t n;

	accept_for((const uint8_t *)nonce, mine);
	cr_assert_str_eq(mine, accept, "the test's own Accept computation");

	/* the right Accept opens */
	a = app_new(nonce, WS_CLIENT_KEY_LEN);
	c = client_new(a, &default_cfg);
	n = ws_client_output(c, &p);
	cr_assert_not_null(find_bytes(p, n, "\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"));
	n = (size_t)snprintf(resp, sizeof(resp), resp_fmt, accept);
	cr_assert_eq(ws_client_input(c, (uint8_t *)resp, n, 0), PROTO_OK);
	cr_assert_eq(ws_client_state(c), WS_CLIENT_OPEN);
	cr_assert_eq(ws_client_http_status(c), 101);
	cr_assert_eq(a->opened, 1);
	ws_client_free(c);
	app_free(a);

	/* one character off does not, nor the value of the old drafts */
	strcpy(wrong, accept);
	wrong[5] = 'X';
	a = app_new(nonce, WS_CLIENT_KEY_LEN);
	c = client_new(a, &default_cfg);
	n = (size_t)snprintf(resp, sizeof(resp), resp_fmt, "s3pPLMBiTxaOe+xo9SbHpNGWrzo=");
	cr_assert_eq(ws_client_input(c, (uint8_t *)resp, n, 0), PROTO_E_WS_HANDSHAKE);
	ws_client_free(c);
	app_free(a);
	a = app_new(nonce, WS_CLIENT_KEY_LEN);
	c = client_new(a, &default_cfg);
	n = (size_t)snprintf(resp, sizeof(resp), resp_fmt, wrong);
	cr_assert_eq(ws_client_input(c, (uint8_t *)resp, n, 0), PROTO_E_WS_HANDSHAKE);
	cr_assert_eq(ws_client_http_status(c), 101);
	cr_assert_eq(a->opened, 0);
	assert_failed_with(c, PROTO_E_WS_HANDSHAKE);
	ws_client_free(c);
	app_free(a);
}

Test(ws_client, accepted_responses)
{
	static const char *const ok[] = {
		"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		"Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
		"HTTP/1.1 101\r\nupgrade: websocket\r\nconnection: upgrade\r\n"
		"sec-websocket-accept: %s\r\n\r\n",
		"HTTP/1.1 101 OK\r\nUPGRADE: WebSocket\r\nCONNECTION: keep-alive, Upgrade\r\n"
		"SEC-WEBSOCKET-ACCEPT: %s\r\n\r\n",
		"HTTP/1.1 101 Switching Protocols\r\nServer: x/1.0\r\n"
		"Date: Mon, 30 Nov 2026 05:00:00 GMT\r\nConnection: Upgrade\r\n"
		"Sec-WebSocket-Accept:%s\r\nX-Empty:\r\nUpgrade:  websocket  \r\n\r\n",
		"HTTP/1.1 101 Switching Protocols\r\nConnection: keep-alive\r\n"
		"Connection: UPGRADE\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: \t%s \r\n\r\n",
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct app *a = app_new(NULL, 0);
		struct ws_client *c = client_new(a, &default_cfg);
		char resp[512];
		size_t n = response_for(a, ok[i], resp, sizeof(resp));

		cr_assert_eq(ws_client_input(c, (uint8_t *)resp, n, 0), PROTO_OK, "case %zu: %s", i,
			     resp);
		cr_assert_eq(ws_client_state(c), WS_CLIENT_OPEN, "case %zu", i);
		cr_assert_eq(ws_client_http_status(c), 101);
		cr_assert_eq(a->opened, 1);
		cr_assert(ws_client_send_ready(c, 10));
		ws_client_free(c);
		app_free(a);
	}
}

Test(ws_client, refused_responses)
{
	static const struct {
		const char *fmt;
		int status;
	} bad[] = {
		{"HTTP/1.1 200 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		 "Sec-WebSocket-Accept: %s\r\n\r\n", 200},
		{"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", 403},
		{"HTTP/1.1 404 Not Found\r\n\r\n", 404},
		{"HTTP/1.1 503 Unavailable\r\nRetry-After: 5\r\n\r\n", 503},
		/* malformed status lines */
		{"HTTP/1.0 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		 "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", 0},
		{"HTTP/1.1 10x Switching\r\nUpgrade: websocket\r\n"
		 "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", 0},
		{"HTTP/1.1 1010 Switching\r\nUpgrade: websocket\r\n"
		 "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", 0},
		{"HTTP/1.1  101 Switching\r\nUpgrade: websocket\r\n"
		 "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", 0},
		{"http/1.1 101 Switching\r\nUpgrade: websocket\r\n"
		 "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", 0},
		{"SSH-2.0-OpenSSH\r\n\r\n", 0},
		{"\r\n\r\n", 0},
		/* Accept */
		{"HTTP/1.1 101 S\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", 101},
		{"HTTP/1.1 101 S\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		 "Sec-WebSocket-Accept: s3pPLMBiTxaOe+xo9SbHpNGWrzo=\r\n\r\n", 101},
		{"HTTP/1.1 101 S\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		 "Sec-WebSocket-Accept: %sA\r\n\r\n", 101},
		{"HTTP/1.1 101 S\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		 "Sec-WebSocket-Accept: %s\r\nSec-WebSocket-Accept: %s\r\n\r\n", 101},
		{"HTTP/1.1 101 S\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		 "Sec-WebSocket-Accept: %s, %s\r\n\r\n", 101},
		{"HTTP/1.1 101 S\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		 "Sec-WebSocket-Accept:\r\n\r\n", 101},
		/* Upgrade, Connection */
		{"HTTP/1.1 101 S\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", 101},
		{"HTTP/1.1 101 S\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n"
		 "Sec-WebSocket-Accept: %s\r\n\r\n", 101},
		{"HTTP/1.1 101 S\r\nUpgrade: websocket2\r\nConnection: Upgrade\r\n"
		 "Sec-WebSocket-Accept: %s\r\n\r\n", 101},
		{"HTTP/1.1 101 S\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: %s\r\n\r\n", 101},
		{"HTTP/1.1 101 S\r\nUpgrade: websocket\r\nConnection: keep-alive\r\n"
		 "Sec-WebSocket-Accept: %s\r\n\r\n", 101},
		{"HTTP/1.1 101 S\r\nUpgrade: websocket\r\nConnection: upgraded\r\n"
		 "Sec-WebSocket-Accept: %s\r\n\r\n", 101},
		/* what we did not offer */
		{"HTTP/1.1 101 S\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		 "Sec-WebSocket-Accept: %s\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n",
		 101},
		{"HTTP/1.1 101 S\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		 "sec-websocket-protocol: chat\r\nSec-WebSocket-Accept: %s\r\n\r\n", 101},
		/* not a header */
		{"HTTP/1.1 101 S\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		 "Sec-WebSocket-Accept: %s\r\nno colon here\r\n\r\n", 101},
		{"HTTP/1.1 101 S\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		 "Sec-WebSocket-Accept: %s\r\nX: a\rb\r\n\r\n", 101},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct app *a = app_new(NULL, 0);
		struct ws_client *c = client_new(a, &default_cfg);
		char resp[512];
		size_t n = response_for(a, bad[i].fmt, resp, sizeof(resp));

		cr_assert_eq(ws_client_input(c, (uint8_t *)resp, n, 0), PROTO_E_WS_HANDSHAKE,
			     "case %zu: %s", i, resp);
		cr_assert_eq(ws_client_http_status(c), bad[i].status, "case %zu", i);
		cr_assert_eq(a->opened, 0, "case %zu", i);
		assert_failed_with(c, PROTO_E_WS_HANDSHAKE);
		ws_client_free(c);
		app_free(a);
	}
}

/* A valid response padded by an X-Pad header to exactly total bytes. */
static size_t padded_response(const struct app *a, size_t total, char *out)
{
	char accept[29];
	int head;

	accept_for(a->rnd, accept);
	head = snprintf(out, total + 1,
			"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
			"Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\nX-Pad: ",
			accept);
	cr_assert(head > 0 && (size_t)head + 4 < total);
	memset(out + head, 'p', total - (size_t)head - 4);
	memcpy(out + total - 4, "\r\n\r\n", 4);
	return total;
}

Test(ws_client, response_size_limit)
{
	static const size_t chunks[] = {0, 1, 1000};
	char *resp = malloc(3 * WS_CLIENT_MAX_RESPONSE);

	cr_assert_not_null(resp);
	for (size_t k = 0; k < sizeof(chunks) / sizeof(chunks[0]); k++) {
		for (size_t total = WS_CLIENT_MAX_RESPONSE - 1; total <= WS_CLIENT_MAX_RESPONSE + 1;
		     total++) {
			struct app *a = app_new(NULL, 0);
			struct ws_client *c = client_new(a, &default_cfg);
			size_t n = padded_response(a, total, resp), pos = 0;
			size_t chunk = chunks[k] ? chunks[k] : n;
			int rc = PROTO_OK;

			while (pos < n && rc == PROTO_OK) {
				size_t m = n - pos < chunk ? n - pos : chunk;

				rc = ws_client_input(c, (uint8_t *)resp + pos, m, 0);
				pos += m;
			}
			if (total <= WS_CLIENT_MAX_RESPONSE) {
				cr_assert_eq(rc, PROTO_OK, "%zu bytes, chunk %zu", total, chunk);
				cr_assert_eq(ws_client_state(c), WS_CLIENT_OPEN);
			} else {
				cr_assert_eq(rc, PROTO_E_WS_HANDSHAKE, "%zu bytes, chunk %zu", total,
					     chunk);
				cr_assert_eq(a->opened, 0);
			}
			ws_client_free(c);
			app_free(a);
		}
	}
	/* a header block that never ends */
	{
		struct app *a = app_new(NULL, 0);
		struct ws_client *c = client_new(a, &default_cfg);
		int rc = PROTO_OK;
		size_t fed = 0;

		memset(resp, 'a', 3 * WS_CLIENT_MAX_RESPONSE);
		memcpy(resp, "HTTP/1.1 101 S\r\nX: ", 19);
		while (rc == PROTO_OK && fed < 3 * WS_CLIENT_MAX_RESPONSE) {
			rc = ws_client_input(c, (uint8_t *)resp + fed, 100, 0);
			fed += 100;
		}
		cr_assert_eq(rc, PROTO_E_WS_HANDSHAKE);
		cr_assert_leq(fed, WS_CLIENT_MAX_RESPONSE + 100, "gave up only after %zu bytes", fed);
		assert_failed_with(c, PROTO_E_WS_HANDSHAKE);
		ws_client_free(c);
		app_free(a);
	}
	free(resp);
}

/* Feed n bytes in the pieces split[0..k) (offsets, ascending). */
static int feed_split(struct ws_client *c, uint8_t *buf, size_t n, const size_t *cuts, size_t k)
{
	size_t pos = 0;
	int rc = PROTO_OK;

	for (size_t i = 0; i <= k && rc == PROTO_OK; i++) {
		size_t end = i < k ? cuts[i] : n;

		rc = ws_client_input(c, buf + pos, end - pos, 0);
		pos = end;
	}
	return rc;
}

Test(ws_client, response_split_anywhere_with_frames_behind)
{
	uint8_t wire[2048], big[300];
	struct app *ref;
	size_t n, resp_len;

	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7);
	/* the reference: everything in one read */
	ref = app_new(key_0_15, sizeof(key_0_15));
	{
		struct ws_client *c = client_new(ref, &default_cfg);

		resp_len = response_for(ref, response_ok, (char *)wire, sizeof(wire));
		n = resp_len;
		n += srv_frame(wire + n, true, WS_OP_TEXT, "hello", 5, false);
		n += srv_frame(wire + n, false, WS_OP_BINARY, big, 200, false);
		n += srv_frame(wire + n, true, WS_OP_PING, "pp", 2, false);
		n += srv_frame(wire + n, true, WS_OP_CONTINUATION, big + 200, 100, false);
		n += srv_frame(wire + n, true, WS_OP_BINARY, big, 300, false);
		cr_assert_eq(ws_client_input(c, wire + 0, n, 0), PROTO_OK);
		cr_assert_eq(ref->opened, 1);
		cr_assert_eq(ref->messages, 3, "frames in the response's read are delivered");
		/* the first and the last lie in the read: handed over in place */
		cr_assert_eq(ref->last_ptr, wire + n - 300);
		ws_client_free(c);
	}
	for (size_t cut = 0; cut <= n; cut++) {
		for (size_t cut2 = cut; cut2 <= n; cut2 += (cut2 < resp_len + 3 ? 1 : 97)) {
			struct app *a = app_new(key_0_15, sizeof(key_0_15));
			struct ws_client *c = client_new(a, &default_cfg);
			uint8_t copy[sizeof(wire)];
			size_t cuts[2] = {cut, cut2};

			memcpy(copy, wire, n); /* the ping's payload was not masked: same bytes */
			cr_assert_eq(feed_split(c, copy, n, cuts, 2), PROTO_OK, "cuts %zu %zu", cut,
				     cut2);
			cr_assert_eq(a->opened, 1);
			cr_assert_eq(a->log_len, ref->log_len, "cuts %zu %zu", cut, cut2);
			cr_assert_arr_eq(a->log, ref->log, ref->log_len, "cuts %zu %zu", cut, cut2);
			cr_assert_eq(ws_client_state(c), WS_CLIENT_OPEN);
			ws_client_free(c);
			app_free(a);
		}
		if (cut > resp_len + 3)
			cut += 13;
	}
	app_free(ref);
}

Test(ws_client, refusal_split_anywhere)
{
	static const char fmt[] = "HTTP/1.1 101 S\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
				  "Sec-WebSocket-Accept: %s\r\nSec-WebSocket-Protocol: x\r\n\r\n";

	for (size_t cut = 0; cut <= 140; cut++) {
		struct app *a = app_new(key_0_15, sizeof(key_0_15));
		struct ws_client *c = client_new(a, &default_cfg);
		char resp[256];
		size_t n = response_for(a, fmt, resp, sizeof(resp)), cuts[1] = {cut < n ? cut : n};

		cr_assert_eq(feed_split(c, (uint8_t *)resp, n, cuts, 1), PROTO_E_WS_HANDSHAKE);
		cr_assert_eq(ws_client_http_status(c), 101);
		ws_client_free(c);
		app_free(a);
	}
}

/* ---- messages in ----------------------------------------------------------------- */

/* The log entry for one message. */
static size_t log_entry(uint8_t *out, bool text, const void *data, size_t len)
{
	out[0] = text ? 'T' : 'B';
	memcpy(out + 1, &len, sizeof(len));
	if (len)
		memcpy(out + 1 + sizeof(len), data, len);
	return 1 + sizeof(len) + len;
}

Test(ws_client, messages_whole_and_gathered)
{
	struct app *a = app_new(NULL, 0);
	struct ws_client *c = client_open(a, &default_cfg);
	uint8_t *wire = malloc(1u << 20), *big = malloc(200000), *want = malloc(1u << 20);
	size_t n = 0, w = 0;
	struct srv s;

	cr_assert(wire && big && want);
	for (size_t i = 0; i < 200000; i++)
		big[i] = (uint8_t)(i ^ (i >> 8));
	n += srv_frame(wire + n, true, WS_OP_TEXT, "hello", 5, false);
	w += log_entry(want + w, true, "hello", 5);
	n += srv_frame(wire + n, true, WS_OP_BINARY, "\x00\xff\x01", 3, false);
	w += log_entry(want + w, false, "\x00\xff\x01", 3);
	n += srv_frame(wire + n, true, WS_OP_TEXT, "", 0, false);
	w += log_entry(want + w, true, "", 0);
	n += srv_frame(wire + n, true, WS_OP_BINARY, "", 0, false);
	w += log_entry(want + w, false, "", 0);
	/* RFC 6455 §5.7: "Hel" + "lo", with a Ping and a Pong between */
	n += srv_frame(wire + n, false, WS_OP_TEXT, "Hel", 3, false);
	n += srv_frame(wire + n, true, WS_OP_PING, "mid", 3, false);
	n += srv_frame(wire + n, true, WS_OP_PONG, "x", 1, false);
	n += srv_frame(wire + n, true, WS_OP_CONTINUATION, "lo", 2, false);
	w += log_entry(want + w, true, "Hello", 5);
	/* a binary message in five fragments, one of them empty */
	n += srv_frame(wire + n, false, WS_OP_BINARY, big, 70000, false);
	n += srv_frame(wire + n, false, WS_OP_CONTINUATION, big + 70000, 0, false);
	n += srv_frame(wire + n, false, WS_OP_CONTINUATION, big + 70000, 100000, false);
	n += srv_frame(wire + n, false, WS_OP_CONTINUATION, big + 170000, 29999, false);
	n += srv_frame(wire + n, true, WS_OP_CONTINUATION, big + 199999, 1, false);
	w += log_entry(want + w, false, big, 200000);
	/* an empty message in fragments */
	n += srv_frame(wire + n, false, WS_OP_TEXT, "", 0, false);
	n += srv_frame(wire + n, true, WS_OP_CONTINUATION, "", 0, false);
	w += log_entry(want + w, true, "", 0);
	n += srv_frame(wire + n, true, WS_OP_TEXT, "after", 5, false);
	w += log_entry(want + w, true, "after", 5);

	cr_assert_eq(ws_client_input(c, wire, n, 5), PROTO_OK);
	cr_assert_eq(a->messages, 8);
	cr_assert_eq(a->log_len, w);
	cr_assert_arr_eq(a->log, want, w);
	cr_assert_eq(ws_client_state(c), WS_CLIENT_OPEN);
	/* the Ping was answered, the Pong not */
	srv_drain(c, &s);
	cr_assert_eq(s.n, 1);
	cr_assert_eq(s.f[0].op, WS_OP_PONG);
	cr_assert_eq(s.f[0].len, 3);
	cr_assert_arr_eq(s.pay + s.f[0].off, "mid", 3);
	srv_free(&s);

	/* the same stream in 1-, 2-, 3-, 1000-byte reads gives the same messages */
	for (size_t chunk = 1; chunk <= 1000; chunk = chunk < 3 ? chunk + 1 : 1000) {
		struct app *b = app_new(NULL, 0);
		struct ws_client *d = client_open(b, &default_cfg);
		uint8_t *copy = malloc(n);

		cr_assert_not_null(copy);
		memcpy(copy, wire, n); /* the first input unmasked nothing: the same bytes */
		for (size_t pos = 0; pos < n; pos += chunk)
			cr_assert_eq(ws_client_input(d, copy + pos, n - pos < chunk ? n - pos : chunk,
						     5),
				     PROTO_OK);
		cr_assert_eq(b->log_len, w, "chunk %zu", chunk);
		cr_assert_arr_eq(b->log, want, w, "chunk %zu", chunk);
		free(copy);
		ws_client_free(d);
		app_free(b);
		if (chunk == 1000)
			break;
	}
	free(wire);
	free(big);
	free(want);
	ws_client_free(c);
	app_free(a);
}

Test(ws_client, in_place_delivery)
{
	struct app *a = app_new(NULL, 0);
	struct ws_client *c = client_open(a, &default_cfg);
	uint8_t buf[4096], payload[1000];
	size_t n;

	memset(payload, 'q', sizeof(payload));
	/* one frame in one read: the payload where it lies */
	n = srv_frame(buf, true, WS_OP_BINARY, payload, sizeof(payload), false);
	cr_assert_eq(ws_client_input(c, buf, n, 1), PROTO_OK);
	cr_assert_eq(a->messages, 1);
	cr_assert_eq(a->last_ptr, buf + n - sizeof(payload));
	cr_assert_eq(a->last_len, sizeof(payload));
	/* second of two frames in one read */
	n = srv_frame(buf, true, WS_OP_TEXT, "one", 3, false);
	n += srv_frame(buf + n, true, WS_OP_TEXT, "two", 3, false);
	cr_assert_eq(ws_client_input(c, buf, n, 1), PROTO_OK);
	cr_assert_eq(a->messages, 3);
	cr_assert_eq(a->last_ptr, buf + n - 3);
	cr_assert_arr_eq(a->last_ptr, "two", 3);
	/* one frame over two reads: gathered, whole, right bytes */
	n = srv_frame(buf, true, WS_OP_BINARY, payload, sizeof(payload), false);
	cr_assert_eq(ws_client_input(c, buf, 500, 1), PROTO_OK);
	cr_assert_eq(a->messages, 3);
	cr_assert_eq(ws_client_input(c, buf + 500, n - 500, 1), PROTO_OK);
	cr_assert_eq(a->messages, 4);
	cr_assert_eq(a->last_len, sizeof(payload));
	cr_assert_arr_eq(a->last_ptr, payload, sizeof(payload));
	ws_client_free(c);
	app_free(a);
}

Test(ws_client, no_reentry_from_callbacks)
{
	struct app *a = app_new(NULL, 0);
	struct ws_client *c = client_open(a, &default_cfg);
	uint8_t buf[16];
	size_t n = srv_frame(buf, true, WS_OP_TEXT, "hi", 2, false);

	a->reenter = c;
	a->reenter_rc = PROTO_OK;
	cr_assert_eq(ws_client_input(c, buf, n, 1), PROTO_OK);
	cr_assert_eq(a->reenter_rc, PROTO_E_STATE);
	cr_assert_eq(ws_client_state(c), WS_CLIENT_OPEN);
	a->reenter = NULL;
	n = srv_frame(buf, true, WS_OP_TEXT, "ok", 2, false);
	cr_assert_eq(ws_client_input(c, buf, n, 1), PROTO_OK);
	cr_assert_arr_eq(a->last_ptr, "ok", 2);
	ws_client_free(c);
	app_free(a);
}

Test(ws_client, message_size_limit)
{
	static const size_t parts[][3] = {
		{100, 0, 0},  /* exactly the limit: fine */
		{50, 50, 0},  /* fine in pieces */
		{101, 0, 0},  /* one frame over */
		{60, 41, 0},  /* the pieces add up to one over */
		{40, 40, 21}, /* three pieces */
	};
	struct ws_client_config cfg = default_cfg;

	cfg.max_message = 100;
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		struct app *a = app_new(NULL, 0);
		struct ws_client *c = client_open(a, &cfg);
		uint8_t wire[512], payload[128] = {0};
		size_t n = 0, total = 0, k = 0;
		int rc;

		while (k < 3 && parts[i][k])
			k++;
		for (size_t j = 0; j < k; j++) {
			n += srv_frame(wire + n, j == k - 1, j ? WS_OP_CONTINUATION : WS_OP_BINARY,
				       payload, parts[i][j], false);
			total += parts[i][j];
		}
		rc = ws_client_input(c, wire, n, 1);
		if (total <= 100) {
			cr_assert_eq(rc, PROTO_OK, "case %zu", i);
			cr_assert_eq(a->messages, 1);
			cr_assert_eq(a->last_len, total);
		} else {
			cr_assert_eq(rc, PROTO_E_WS_TOO_LARGE, "case %zu", i);
			cr_assert_eq(a->messages, 0, "case %zu", i);
			assert_failed_with(c, PROTO_E_WS_TOO_LARGE);
		}
		ws_client_free(c);
		app_free(a);
	}
}

Test(ws_client, masked_server_frame_fails)
{
	struct app *a = app_new(NULL, 0);
	struct ws_client *c = client_open(a, &default_cfg);
	uint8_t wire[64];
	size_t n = srv_frame(wire, true, WS_OP_TEXT, "ok", 2, false);

	n += srv_frame(wire + n, true, WS_OP_TEXT, "Hello", 5, true);
	n += srv_frame(wire + n, true, WS_OP_TEXT, "never", 5, false);
	cr_assert_eq(ws_client_input(c, wire, n, 1), PROTO_E_WS_MASK);
	cr_assert_eq(a->messages, 1, "the frame before is delivered, none after");
	assert_failed_with(c, PROTO_E_WS_MASK);
	ws_client_free(c);
	app_free(a);
}

Test(ws_client, decoder_errors_are_final)
{
	static const char *const hex[] = {
		"c1 00",          /* RSV1 */
		"83 00",          /* opcode 3 */
		"09 00",          /* Ping without FIN */
		"80 00",          /* continuation with no message */
		"81 7e 0005 4141414141", /* 16-bit length used for 5 */
	};
	static const int want[] = {PROTO_E_WS_RSV, PROTO_E_WS_OPCODE, PROTO_E_WS_CONTROL,
				   PROTO_E_WS_FRAGMENT, PROTO_E_WS_LENGTH};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct app *a = app_new(NULL, 0);
		struct ws_client *c = client_open(a, &default_cfg);
		uint8_t wire[32];
		long n = hex_decode(hex[i], wire, sizeof(wire));

		cr_assert_gt(n, 0);
		cr_assert_eq(ws_client_input(c, wire, (size_t)n, 1), want[i], "case %zu", i);
		assert_failed_with(c, want[i]);
		ws_client_free(c);
		app_free(a);
	}
}

/* ---- control frames, closing ------------------------------------------------------- */

Test(ws_client, ping_answered_with_pong)
{
	struct app *a = app_new(NULL, 0);
	struct ws_client *c = client_open(a, &default_cfg);
	uint8_t wire[512], p125[125];
	size_t n = 0;
	struct srv s;

	for (size_t i = 0; i < sizeof(p125); i++)
		p125[i] = (uint8_t)(0x80 + i);
	n += srv_frame(wire + n, true, WS_OP_PING, "Hello", 5, false);
	n += srv_frame(wire + n, true, WS_OP_PING, "", 0, false);
	n += srv_frame(wire + n, true, WS_OP_PING, p125, sizeof(p125), false);
	/* the last Ping split over two reads */
	cr_assert_eq(ws_client_input(c, wire, n - 60, 1), PROTO_OK);
	cr_assert_eq(ws_client_input(c, wire + n - 60, 60, 2), PROTO_OK);
	cr_assert_eq(a->messages, 0);
	srv_drain(c, &s);
	cr_assert_eq(s.n, 3);
	for (size_t i = 0; i < 3; i++) {
		cr_assert(s.f[i].fin && s.f[i].masked);
		cr_assert_eq(s.f[i].op, WS_OP_PONG);
	}
	cr_assert_eq(s.f[0].len, 5);
	cr_assert_arr_eq(s.pay + s.f[0].off, "Hello", 5);
	cr_assert_eq(s.f[1].len, 0);
	cr_assert_eq(s.f[2].len, 125);
	cr_assert_arr_eq(s.pay + s.f[2].off, p125, 125);
	srv_free(&s);
	ws_client_free(c);
	app_free(a);
}

/* A peer pinging while nothing is written: Pongs stop once the output holds
 * out_max + WS_CLIENT_CONTROL_SLACK bytes, so memory stays bounded; they
 * resume once it drains. */
Test(ws_client, ping_flood_is_answered_within_out_max)
{
	struct ws_client_config cfg = default_cfg;
	struct app *a = app_new(NULL, 0);
	struct ws_client *c;
	uint8_t ping[64];
	const uint8_t *p;
	size_t n = srv_frame(ping, true, WS_OP_PING, "0123456789", 10, false);

	cfg.out_max = 1000;
	c = client_open(a, &cfg);
	for (int i = 0; i < 10000; i++) {
		uint8_t copy[64];

		memcpy(copy, ping, n);
		cr_assert_eq(ws_client_input(c, copy, n, 1), PROTO_OK);
	}
	cr_assert_leq(ws_client_output(c, &p), cfg.out_max + WS_CLIENT_CONTROL_SLACK + 16);
	ws_client_output_done(c, ws_client_output(c, &p));
	cr_assert_eq(ws_client_input(c, ping, n, 2), PROTO_OK);
	cr_assert_eq(ws_client_output(c, &p), 2 + 4 + 10, "answered again once drained");
	ws_client_free(c);
	app_free(a);
}

/* The Close payload of output frame f. */
static void assert_close_frame(const struct srv *s, size_t f, const char *hex_payload)
{
	uint8_t want[WS_MAX_CONTROL_PAYLOAD];
	long n = hex_decode(hex_payload, want, sizeof(want));

	cr_assert_geq(n, 0);
	cr_assert_lt(f, s->n);
	cr_assert_eq(s->f[f].op, WS_OP_CLOSE);
	cr_assert(s->f[f].fin && s->f[f].masked);
	cr_assert_eq(s->f[f].len, (size_t)n, "close payload of %zu bytes", s->f[f].len);
	if (n)
		cr_assert_arr_eq(s->pay + s->f[f].off, want, (size_t)n);
}

Test(ws_client, peer_closes_first)
{
	struct app *a = app_new(NULL, 0);
	struct ws_client *c = client_open(a, &default_cfg);
	uint8_t wire[256], close_pl[32];
	size_t n = 0;
	struct srv s;

	close_pl[0] = 0x03;
	close_pl[1] = 0xe9; /* 1001 */
	memcpy(close_pl + 2, "going away", 10);
	n += srv_frame(wire + n, true, WS_OP_TEXT, "last", 4, false);
	n += srv_frame(wire + n, true, WS_OP_CLOSE, close_pl, 12, false);
	n += srv_frame(wire + n, true, WS_OP_TEXT, "ignored", 7, false);
	n += srv_frame(wire + n, true, WS_OP_PING, "ignored", 7, false);
	n += srv_frame(wire + n, true, WS_OP_CLOSE, close_pl, 2, false);
	cr_assert_eq(ws_client_input(c, wire, n, 1), PROTO_OK);
	cr_assert_eq(a->messages, 1);
	cr_assert_eq(a->closes, 1);
	cr_assert(a->last_close.has_code);
	cr_assert_eq(a->last_close.code, 1001);
	cr_assert_eq(a->last_close.reason_len, 10);
	cr_assert_arr_eq(a->last_close.reason, "going away", 10);
	cr_assert_eq(ws_client_state(c), WS_CLIENT_CLOSED);
	cr_assert_eq(ws_client_error(c), PROTO_OK);
	srv_drain(c, &s);
	cr_assert_eq(s.n, 1, "one Close in reply, no Pong: %zu frames", s.n);
	assert_close_frame(&s, 0, "03e9");
	srv_free(&s);
	/* later frames change nothing */
	n = srv_frame(wire, true, WS_OP_PING, "x", 1, false);
	cr_assert_eq(ws_client_input(c, wire, n, 2), PROTO_OK);
	cr_assert_eq(a->closes, 1);
	cr_assert_eq(ws_client_send(c, WS_OP_TEXT, (const uint8_t *)"x", 1), PROTO_E_STATE);
	cr_assert_eq(ws_client_send(c, WS_OP_PING, (const uint8_t *)"x", 1), PROTO_E_STATE);
	cr_assert_eq(ws_client_close(c, 1000, NULL), PROTO_E_STATE);
	cr_assert_not(ws_client_send_ready(c, 1));
	cr_assert_eq(ws_client_tick(c, 1u << 20), PROTO_OK, "no keepalive configured");
	{
		const uint8_t *p;

		cr_assert_eq(ws_client_output(c, &p), 0);
	}
	ws_client_free(c);
	app_free(a);
}

Test(ws_client, peer_close_without_code_or_malformed)
{
	static const struct {
		const char *hex;
		bool has_code;
		uint16_t code;
	} cases[] = {
		{"", false, 0},
		{"03", true, 1002},       /* one byte */
		{"03ed", true, 1002},     /* 1005 must not be sent */
		{"03e8ff", true, 1002},   /* reason not UTF-8 */
		{"0bb8", true, 3000},
		{"03e8 6f6b", true, 1000},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct app *a = app_new(NULL, 0);
		struct ws_client *c = client_open(a, &default_cfg);
		uint8_t pl[16], wire[32];
		long pn = hex_decode(cases[i].hex, pl, sizeof(pl));
		size_t n;
		struct srv s;

		cr_assert_geq(pn, 0);
		n = srv_frame(wire, true, WS_OP_CLOSE, pl, (size_t)pn, false);
		cr_assert_eq(ws_client_input(c, wire, n, 1), PROTO_OK, "case %zu", i);
		cr_assert_eq(a->closes, 1);
		cr_assert_eq(a->last_close.has_code, cases[i].has_code, "case %zu", i);
		if (cases[i].has_code) {
			char reply[8];

			cr_assert_eq(a->last_close.code, cases[i].code, "case %zu", i);
			snprintf(reply, sizeof(reply), "%04x", cases[i].code);
			srv_drain(c, &s);
			cr_assert_eq(s.n, 1);
			assert_close_frame(&s, 0, reply);
			srv_free(&s);
		} else {
			struct ws_close cl;

			srv_drain(c, &s);
			cr_assert_eq(s.n, 1);
			cr_assert_eq(s.f[0].op, WS_OP_CLOSE);
			cr_assert_eq(ws_close_decode(s.pay + s.f[0].off, s.f[0].len, &cl), PROTO_OK,
				     "the reply is a valid Close payload");
			srv_free(&s);
		}
		if (cases[i].code == 1002)
			cr_assert_eq(a->last_close.reason_len, 0);
		cr_assert_eq(ws_client_state(c), WS_CLIENT_CLOSED);
		ws_client_free(c);
		app_free(a);
	}
}

Test(ws_client, we_close_first)
{
	struct app *a = app_new(NULL, 0);
	struct ws_client *c = client_open(a, &default_cfg);
	uint8_t wire[64];
	size_t n;
	struct srv s;
	const uint8_t *p;

	cr_assert_eq(ws_client_close(c, 1005, NULL), PROTO_E_WS_CLOSE, "1005 is never sent");
	cr_assert_eq(ws_client_state(c), WS_CLIENT_OPEN);
	cr_assert_eq(ws_client_close(c, 1000, "bye"), PROTO_OK);
	cr_assert_eq(ws_client_state(c), WS_CLIENT_CLOSING);
	cr_assert_eq(ws_client_send(c, WS_OP_TEXT, (const uint8_t *)"x", 1), PROTO_E_STATE);
	cr_assert_eq(ws_client_send(c, WS_OP_BINARY, (const uint8_t *)"x", 1), PROTO_E_STATE);
	cr_assert_not(ws_client_send_ready(c, 1));
	cr_assert_eq(ws_client_close(c, 1000, NULL), PROTO_E_STATE);
	srv_drain(c, &s);
	cr_assert_eq(s.n, 1);
	assert_close_frame(&s, 0, "03e8 627965");
	srv_free(&s);
	/* the peer answers */
	n = srv_frame(wire, true, WS_OP_CLOSE, "\x03\xe8", 2, false);
	cr_assert_eq(ws_client_input(c, wire, n, 1), PROTO_OK);
	cr_assert_eq(a->closes, 1);
	cr_assert_eq(a->last_close.code, 1000);
	cr_assert_eq(ws_client_state(c), WS_CLIENT_CLOSED);
	cr_assert_eq(ws_client_output(c, &p), 0, "no second Close");
	cr_assert_eq(ws_client_error(c), PROTO_OK);
	ws_client_free(c);
	app_free(a);
}

/* ---- sending --------------------------------------------------------------------- */

/* Where key lies in the random bytes handed out after the handshake key, or -1. */
static long key_position(const struct app *a, const uint8_t key[4], size_t from)
{
	for (size_t i = from; i + 4 <= a->rnd_len; i++)
		if (memcmp(a->rnd + i, key, 4) == 0)
			return (long)i;
	return -1;
}

Test(ws_client, sends_masked_batched_and_intact)
{
	struct ws_client_config cfg = {.host = "h", .path = "/", .out_max = 1u << 20};
	struct app *a = app_new(NULL, 0);
	struct ws_client *c = client_open(a, &cfg);
	static const size_t sizes[] = {0, 1, 5, 125, 126, 127, 65535, 65536, 100000, 3};
	uint8_t *data = malloc(100000);
	struct srv s;
	size_t from = WS_CLIENT_KEY_LEN;

	cr_assert_not_null(data);
	for (size_t i = 0; i < 100000; i++)
		data[i] = (uint8_t)(i * 31 + 7);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		const uint8_t *p;
		size_t before = ws_client_output(c, &p);

		cr_assert_eq(ws_client_send(c, i % 2 ? WS_OP_BINARY : WS_OP_TEXT, data, sizes[i]),
			     PROTO_OK, "send %zu of %zu bytes", i, sizes[i]);
		cr_assert_gt(ws_client_output(c, &p), before, "appended to the same output");
		if (i == 4)
			cr_assert_eq(ws_client_send(c, WS_OP_PING, (const uint8_t *)"pi", 2),
				     PROTO_OK);
	}
	for (size_t i = 0; i < 100000; i++)
		cr_assert_eq(data[i], (uint8_t)(i * 31 + 7), "send modified the caller's buffer");
	srv_drain(c, &s);
	cr_assert_eq(s.n, sizeof(sizes) / sizeof(sizes[0]) + 1);
	for (size_t i = 0, f = 0; f < s.n; f++) {
		long at;

		cr_assert(s.f[f].fin, "frame %zu", f);
		cr_assert(s.f[f].masked, "frame %zu", f);
		at = key_position(a, s.f[f].key, from);
		cr_assert_geq(at, 0, "frame %zu: its mask key came from ops->random", f);
		from = (size_t)at + 4; /* fresh: each later than the last */
		if (f == 5) {
			cr_assert_eq(s.f[f].op, WS_OP_PING);
			cr_assert_eq(s.f[f].len, 2);
			cr_assert_arr_eq(s.pay + s.f[f].off, "pi", 2);
			continue;
		}
		cr_assert_eq(s.f[f].op, i % 2 ? WS_OP_BINARY : WS_OP_TEXT, "frame %zu", f);
		cr_assert_eq(s.f[f].len, sizes[i], "frame %zu", f);
		if (sizes[i])
			cr_assert_arr_eq(s.pay + s.f[f].off, data, sizes[i], "frame %zu", f);
		i++;
	}
	srv_free(&s);
	free(data);
	ws_client_free(c);
	app_free(a);
}

Test(ws_client, send_invalid_arguments)
{
	struct app *a = app_new(NULL, 0);
	struct ws_client *c = client_open(a, &default_cfg);
	uint8_t big[126] = {0};
	const uint8_t *p;

	cr_assert_eq(ws_client_send(c, WS_OP_PING, big, 126), PROTO_E_INVALID_ARG);
	cr_assert_eq(ws_client_send(c, WS_OP_PING, big, 125), PROTO_OK);
	ws_client_output_done(c, ws_client_output(c, &p));
	cr_assert_eq(ws_client_send(c, WS_OP_CLOSE, big, 2), PROTO_E_INVALID_ARG);
	cr_assert_eq(ws_client_send(c, WS_OP_PONG, big, 2), PROTO_E_INVALID_ARG);
	cr_assert_eq(ws_client_send(c, WS_OP_CONTINUATION, big, 2), PROTO_E_INVALID_ARG);
	cr_assert_eq(ws_client_send(c, 0x3, big, 2), PROTO_E_INVALID_ARG);
	cr_assert_eq(ws_client_output(c, &p), 0);
	cr_assert_eq(ws_client_state(c), WS_CLIENT_OPEN);
	cr_assert_eq(ws_client_error(c), PROTO_OK, "a refused send does not fail the connection");
	ws_client_free(c);
	app_free(a);
}

Test(ws_client, would_block_at_out_max)
{
	struct ws_client_config cfg = default_cfg;
	struct app *a;
	struct ws_client *c;
	uint8_t *big = calloc(1, 5000), wire[16];
	const uint8_t *p;
	size_t n, pending;
	struct srv s;

	cr_assert_not_null(big);
	cfg.out_max = 1000;
	a = app_new(NULL, 0);
	c = client_open(a, &cfg);
	/* one message always fits an empty output */
	cr_assert(ws_client_send_ready(c, 5000));
	cr_assert_eq(ws_client_send(c, WS_OP_BINARY, big, 5000), PROTO_OK);
	cr_assert_not(ws_client_send_ready(c, 1));
	cr_assert_eq(ws_client_send(c, WS_OP_BINARY, big, 1), PROTO_E_WOULD_BLOCK);
	cr_assert_eq(ws_client_send(c, WS_OP_TEXT, big, 0), PROTO_E_WOULD_BLOCK);
	cr_assert_eq(ws_client_error(c), PROTO_OK, "would-block is not a failure");
	/* Ping and Pong still go out */
	cr_assert_eq(ws_client_send(c, WS_OP_PING, (const uint8_t *)"p", 1), PROTO_OK);
	n = srv_frame(wire, true, WS_OP_PING, "q", 1, false);
	cr_assert_eq(ws_client_input(c, wire, n, 1), PROTO_OK);
	pending = ws_client_output(c, &p);
	cr_assert_eq(pending, 5000 + 8 + 7 + 7);
	/* a partial write is not enough */
	ws_client_output_done(c, 4000);
	cr_assert_not(ws_client_send_ready(c, 1));
	cr_assert_eq(ws_client_send(c, WS_OP_BINARY, big, 1), PROTO_E_WOULD_BLOCK);
	ws_client_output_done(c, pending - 4000);
	cr_assert(ws_client_send_ready(c, 1));
	/* ready agrees with send, whatever the size */
	cr_assert_eq(ws_client_send(c, WS_OP_BINARY, big, 850), PROTO_OK);
	for (size_t len = 0; len < 300; len += 7)
		cr_assert_eq(ws_client_send_ready(c, len),
			     ws_client_send(c, WS_OP_BINARY, big, len) == PROTO_OK, "len %zu", len);
	srv_drain(c, &s);
	srv_free(&s);
	/* below out_max, sends are taken; at or past it they are refused */
	for (int i = 0; i < 100 && ws_client_output(c, &p) < cfg.out_max; i++) {
		cr_assert(ws_client_send_ready(c, 94));
		cr_assert_eq(ws_client_send(c, WS_OP_BINARY, big, 94), PROTO_OK);
	}
	pending = ws_client_output(c, &p);
	cr_assert_geq(pending, cfg.out_max);
	cr_assert_eq(ws_client_send(c, WS_OP_BINARY, big, 94), PROTO_E_WOULD_BLOCK);
	cr_assert_eq(ws_client_send(c, WS_OP_BINARY, big, 0), PROTO_E_WOULD_BLOCK);
	srv_drain(c, &s);
	cr_assert_eq(s.f[s.n - 1].op, WS_OP_BINARY);
	srv_free(&s);
	free(big);
	ws_client_free(c);
	app_free(a);
}

Test(ws_client, partial_writes_keep_byte_order)
{
	struct app *a = app_new(NULL, 0);
	struct ws_client *c = client_open(a, &default_cfg);
	uint8_t *written = malloc(1u << 22), *msg = malloc(5000);
	size_t wn = 0, sent = 0;
	uint64_t rng = 42;
	struct srv s;

	cr_assert(written && msg);
	for (int round = 0; round < 60; round++) {
		const uint8_t *p;
		size_t pending, take;

		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		for (int k = 0; k < (int)(rng >> 61); k++) {
			size_t len = (size_t)((rng >> (20 + k * 5)) % 5000);

			for (size_t i = 0; i < len; i++)
				msg[i] = (uint8_t)(sent + i);
			cr_assert_eq(ws_client_send(c, WS_OP_BINARY, msg, len), PROTO_OK);
			sent++;
		}
		pending = ws_client_output(c, &p);
		take = pending ? (size_t)((rng >> 8) % (pending + 1)) : 0;
		if (round == 59)
			take = pending;
		cr_assert_leq(wn + take, 1u << 22);
		if (take)
			memcpy(written + wn, p, take);
		wn += take;
		ws_client_output_done(c, take);
		cr_assert_eq(ws_client_output(c, &p), pending - take);
	}
	srv_decode(&s, written, wn);
	cr_assert_eq(s.n, sent);
	for (size_t f = 0; f < s.n; f++) {
		for (size_t i = 0; i < s.f[f].len; i++)
			if (s.pay[s.f[f].off + i] != (uint8_t)(f + i))
				cr_assert_fail("message %zu byte %zu out of order", f, i);
	}
	cr_assert_gt(sent, 10);
	srv_free(&s);
	free(written);
	free(msg);
	ws_client_free(c);
	app_free(a);
}

/* ---- keepalive --------------------------------------------------------------------- */

/* Output frames since the last drain, all of which must be keepalive Pings. */
static size_t keepalive_pings(struct ws_client *c)
{
	struct srv s;
	size_t n;

	srv_drain(c, &s);
	for (size_t f = 0; f < s.n; f++) {
		cr_assert_eq(s.f[f].op, WS_OP_PING);
		cr_assert(s.f[f].masked);
		cr_assert_eq(s.f[f].len, 9);
		cr_assert_arr_eq(s.pay + s.f[f].off, "keepalive", 9);
	}
	n = s.n;
	srv_free(&s);
	return n;
}

Test(ws_client, keepalive_ping_and_hangup)
{
	struct ws_client_config cfg = default_cfg;
	struct app *a = app_new(NULL, 0);
	struct ws_client *c;
	uint8_t wire[16];
	size_t n;

	cfg.ping_after_ms = 1000;
	cfg.hangup_after_ms = 5000;
	c = client_open(a, &cfg);
	cr_assert_eq(ws_client_tick(c, 999), PROTO_OK);
	cr_assert_eq(keepalive_pings(c), 0);
	cr_assert_eq(ws_client_tick(c, 1000), PROTO_OK);
	cr_assert_eq(keepalive_pings(c), 1);
	cr_assert_eq(ws_client_tick(c, 1000), PROTO_OK);
	cr_assert_eq(ws_client_tick(c, 1500), PROTO_OK);
	cr_assert_eq(ws_client_tick(c, 1999), PROTO_OK);
	cr_assert_eq(keepalive_pings(c), 0, "not again before another ping_after_ms");
	cr_assert_eq(ws_client_tick(c, 2000), PROTO_OK);
	cr_assert_eq(keepalive_pings(c), 1);
	/* a Pong (or anything) arriving resets the silence */
	n = srv_frame(wire, true, WS_OP_PONG, "keepalive", 9, false);
	cr_assert_eq(ws_client_input(c, wire, n, 2500), PROTO_OK);
	cr_assert_eq(ws_client_tick(c, 3000), PROTO_OK);
	cr_assert_eq(ws_client_tick(c, 3499), PROTO_OK);
	cr_assert_eq(keepalive_pings(c), 0);
	cr_assert_eq(ws_client_tick(c, 3500), PROTO_OK);
	cr_assert_eq(keepalive_pings(c), 1);
	/* silence since 2500: hang up at 7500, not before */
	cr_assert_eq(ws_client_tick(c, 7499), PROTO_OK);
	cr_assert_eq(ws_client_tick(c, 7500), PROTO_E_WS_TIMEOUT);
	assert_failed_with(c, PROTO_E_WS_TIMEOUT);
	ws_client_free(c);
	app_free(a);
}

Test(ws_client, keepalive_quiet_while_data_arrives)
{
	struct ws_client_config cfg = default_cfg;
	struct app *a = app_new(NULL, 0);
	struct ws_client *c;
	uint8_t wire[16];

	cfg.ping_after_ms = 1000;
	cfg.hangup_after_ms = 3000;
	c = client_open(a, &cfg);
	for (uint64_t t = 0; t <= 20000; t += 100) {
		if (t % 900 == 0) {
			size_t n = srv_frame(wire, true, WS_OP_BINARY, "d", 1, false);

			cr_assert_eq(ws_client_input(c, wire, n, t), PROTO_OK);
		}
		cr_assert_eq(ws_client_tick(c, t), PROTO_OK, "t=%llu", (unsigned long long)t);
	}
	cr_assert_eq(keepalive_pings(c), 0);
	cr_assert_eq(a->messages, 23);
	ws_client_free(c);
	app_free(a);
}

Test(ws_client, keepalive_off_and_never_hang_up)
{
	struct ws_client_config cfg = default_cfg;
	struct app *a = app_new(NULL, 0);
	struct ws_client *c = client_open(a, &cfg);

	cr_assert_eq(ws_client_tick(c, 1000000000ull), PROTO_OK);
	cr_assert_eq(keepalive_pings(c), 0);
	ws_client_free(c);
	app_free(a);

	/* pings but no hangup */
	cfg.ping_after_ms = 10;
	a = app_new(NULL, 0);
	c = client_open(a, &cfg);
	for (uint64_t t = 10; t <= 100000; t += 10000)
		cr_assert_eq(ws_client_tick(c, t), PROTO_OK);
	cr_assert_eq(keepalive_pings(c), 10);
	cr_assert_eq(ws_client_state(c), WS_CLIENT_OPEN);
	ws_client_free(c);
	app_free(a);
}

Test(ws_client, open_timeout_only_before_the_upgrade)
{
	struct ws_client_config cfg = default_cfg;
	struct app *a = app_new(NULL, 0);
	struct ws_client *c = NULL;

	cfg.open_timeout_ms = 2000;
	cr_assert_eq(ws_client_new(&cfg, &app_ops, a, 5000, &c), PROTO_OK);
	cr_assert_eq(ws_client_input(c, (uint8_t *)"HTTP/1.1 1", 10, 6000), PROTO_OK);
	cr_assert_eq(ws_client_tick(c, 6999), PROTO_OK, "traffic does not extend it, time does");
	cr_assert_eq(ws_client_tick(c, 4000), PROTO_OK, "a clock that went back is no timeout");
	cr_assert_eq(ws_client_tick(c, 7000), PROTO_E_WS_TIMEOUT);
	assert_failed_with(c, PROTO_E_WS_TIMEOUT);
	ws_client_free(c);
	app_free(a);
	/* once open, only silence counts */
	a = app_new(NULL, 0);
	c = client_open(a, &cfg); /* opened at time 0 */
	cr_assert_eq(ws_client_tick(c, 1000000), PROTO_OK);
	ws_client_free(c);
	app_free(a);
}

Test(ws_client, handshake_timeout)
{
	struct ws_client_config cfg = default_cfg;
	struct app *a = app_new(NULL, 0);
	struct ws_client *c = NULL;

	cfg.ping_after_ms = 100;
	cfg.hangup_after_ms = 1000;
	cr_assert_eq(ws_client_new(&cfg, &app_ops, a, 5000, &c), PROTO_OK);
	cr_assert_eq(ws_client_tick(c, 5500), PROTO_OK, "no Ping before the upgrade");
	{
		const uint8_t *p;
		size_t n = ws_client_output(c, &p);

		cr_assert(n > 4 && memcmp(p, "GET ", 4) == 0);
		cr_assert_arr_eq(p + n - 4, "\r\n\r\n", 4, "only the request is queued");
	}
	cr_assert_eq(ws_client_tick(c, 6000), PROTO_E_WS_TIMEOUT);
	assert_failed_with(c, PROTO_E_WS_TIMEOUT);
	ws_client_free(c);
	app_free(a);
}
