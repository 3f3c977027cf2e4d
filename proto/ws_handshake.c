/*
 * ws_handshake.c — the websocket upgrade request and the judging of its
 * response (RFC 6455 §4.1, §4.2.2; see ws_client_impl.h).
 */
#include "base64.h"
#include "proto_err.h"
#include "ws_client_impl.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11" /* §1.3 */
#define REQUEST_FIXED_LEN 256u                        /* the request without its values */

/* Printable ASCII without spaces: what a request target or Host may hold. */
static bool token_text(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static int accept_for(const char *key_b64, char accept[WS_ACCEPT_LEN + 1])
{
	char joined[64];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;
	int n = snprintf(joined, sizeof(joined), "%s%s", key_b64, WS_GUID);

	if (n < 0 || (size_t)n >= sizeof(joined) ||
	    EVP_Digest(joined, (size_t)n, md, &md_len, EVP_sha1(), NULL) != 1)
		return PROTO_E_NOMEM;
	return base64_encode(md, md_len, accept, WS_ACCEPT_LEN + 1, NULL);
}

int ws_handshake_request(const struct ws_client_config *cfg, const uint8_t *key, uint8_t **out,
			 size_t *out_len, char accept[WS_ACCEPT_LEN + 1])
{
	char key_b64[32];
	size_t cap;
	char *req;
	int n, rc;

	if (!token_text(cfg->host) || !token_text(cfg->path) || cfg->path[0] != '/' ||
	    (cfg->origin && !token_text(cfg->origin)))
		return PROTO_E_INVALID_ARG;
	rc = base64_encode(key, WS_CLIENT_KEY_LEN, key_b64, sizeof(key_b64), NULL);
	if (rc == PROTO_OK)
		rc = accept_for(key_b64, accept);
	if (rc != PROTO_OK)
		return rc;
	cap = REQUEST_FIXED_LEN + strlen(cfg->host) + strlen(cfg->path) +
	      (cfg->origin ? strlen(cfg->origin) : 0);
	req = malloc(cap);
	if (!req)
		return PROTO_E_NOMEM;
	n = snprintf(req, cap,
		     "GET %s HTTP/1.1\r\n"
		     "Host: %s\r\n"
		     "Upgrade: websocket\r\n"
		     "Connection: Upgrade\r\n"
		     "Sec-WebSocket-Key: %s\r\n"
		     "Sec-WebSocket-Version: 13\r\n"
		     "%s%s%s"
		     "\r\n",
		     cfg->path, cfg->host, key_b64, cfg->origin ? "Origin: " : "",
		     cfg->origin ? cfg->origin : "", cfg->origin ? "\r\n" : "");
	if (n < 0 || (size_t)n >= cap) {
		free(req);
		return PROTO_E_NOMEM;
	}
	*out = (uint8_t *)req;
	*out_len = (size_t)n;
	return PROTO_OK;
}

size_t ws_handshake_block_len(const uint8_t *buf, size_t len, size_t from)
{
	for (size_t i = from; i + 4 <= len; i++)
		if (memcmp(buf + i, "\r\n\r\n", 4) == 0)
			return i + 4;
	return 0;
}

/* ---- the response ----------------------------------------------------------------- */

struct line {
	const char *p;
	size_t len;
};

/* The next CRLF-ended line at *pos in block; false at the closing empty line. */
static bool next_line(const char *block, size_t len, size_t *pos, struct line *l)
{
	const char *p = block + *pos, *end = block + len;
	const char *cr = memchr(p, '\r', (size_t)(end - p));

	if (!cr || cr + 1 >= end || cr[1] != '\n' || cr == p)
		return false;
	l->p = p;
	l->len = (size_t)(cr - p);
	*pos = (size_t)(cr + 2 - block);
	return true;
}

static void trim(struct line *v)
{
	while (v->len && (v->p[0] == ' ' || v->p[0] == '\t')) {
		v->p++;
		v->len--;
	}
	while (v->len && (v->p[v->len - 1] == ' ' || v->p[v->len - 1] == '\t'))
		v->len--;
}

static bool equals_ci(const struct line *v, const char *s)
{
	return v->len == strlen(s) && strncasecmp(v->p, s, v->len) == 0;
}

/* Whether the comma-separated list v holds token (any case). */
static bool list_has(const struct line *v, const char *token)
{
	size_t i = 0;

	while (i <= v->len) {
		size_t j = i;
		struct line item;

		while (j < v->len && v->p[j] != ',')
			j++;
		item.p = v->p + i;
		item.len = j - i;
		trim(&item);
		if (equals_ci(&item, token))
			return true;
		i = j + 1;
	}
	return false;
}

/* "HTTP/1.1 NNN[ reason]" → NNN, or 0. */
static int status_of(const struct line *l)
{
	const char *p = l->p;

	if (l->len < 12 || memcmp(p, "HTTP/1.1 ", 9) != 0 || (l->len > 12 && p[12] != ' '))
		return 0;
	for (int i = 9; i < 12; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return (p[9] - '0') * 100 + (p[10] - '0') * 10 + (p[11] - '0');
}

int ws_handshake_check(const uint8_t *block, size_t len, const char *accept, int *status)
{
	const char *text = (const char *)block;
	bool upgrade = false, connection = false, accepted = false, extra = false;
	int accepts = 0;
	size_t pos = 0;
	struct line l;

	*status = 0;
	if (!next_line(text, len, &pos, &l))
		return PROTO_E_WS_HANDSHAKE;
	*status = status_of(&l);
	if (*status != 101)
		return PROTO_E_WS_HANDSHAKE;
	while (next_line(text, len, &pos, &l)) {
		const char *colon = memchr(l.p, ':', l.len);
		struct line name, value;

		if (!colon)
			return PROTO_E_WS_HANDSHAKE;
		name = (struct line){l.p, (size_t)(colon - l.p)};
		value = (struct line){colon + 1, l.len - name.len - 1};
		trim(&value);
		if (equals_ci(&name, "Upgrade"))
			upgrade = equals_ci(&value, "websocket");
		else if (equals_ci(&name, "Connection"))
			connection = connection || list_has(&value, "upgrade");
		else if (equals_ci(&name, "Sec-WebSocket-Accept"))
			accepted = ++accepts == 1 && value.len == WS_ACCEPT_LEN &&
				   memcmp(value.p, accept, WS_ACCEPT_LEN) == 0;
		else if (equals_ci(&name, "Sec-WebSocket-Extensions") ||
			 equals_ci(&name, "Sec-WebSocket-Protocol"))
			extra = true; /* we offered neither */
	}
	if (pos + 2 != len) /* a line without CRLF, or stray bytes: not a header block */
		return PROTO_E_WS_HANDSHAKE;
	return upgrade && connection && accepted && accepts == 1 && !extra
		       ? PROTO_OK
		       : PROTO_E_WS_HANDSHAKE;
}
