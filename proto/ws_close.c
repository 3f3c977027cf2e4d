/*
 * ws_close.c — the payload of a websocket Close frame (RFC 6455 §5.5.1):
 * nothing, or a 2-byte big-endian status code followed by a UTF-8 reason of
 * at most 123 bytes. Codes are those §7.4 lets an endpoint send.
 */
#include "proto_err.h"
#include "ws_frame.h"

#include <string.h>

bool ws_close_code_valid(uint16_t code)
{
	return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) ||
	       (code >= 3000 && code <= 4999);
}

/* Length of the UTF-8 sequence starting at p (at most n bytes), 0 if none
 * (overlong forms, surrogates and code points above U+10FFFF are not). */
static size_t utf8_seq(const uint8_t *p, size_t n)
{
	uint8_t lo = 0x80, hi = 0xbf;
	size_t len;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

static bool utf8_valid(const uint8_t *p, size_t n)
{
	while (n) {
		size_t k = utf8_seq(p, n);

		if (!k)
			return false;
		p += k;
		n -= k;
	}
	return true;
}

int ws_close_encode(const struct ws_close *c, uint8_t *out, size_t cap, size_t *out_len)
{
	if (!c->has_code) {
		if (c->reason_len)
			return PROTO_E_WS_CLOSE;
		*out_len = 0;
		return PROTO_OK;
	}
	if (!ws_close_code_valid(c->code) || c->reason_len > WS_MAX_CLOSE_REASON ||
	    (c->reason_len && !utf8_valid(c->reason, c->reason_len)))
		return PROTO_E_WS_CLOSE;
	if (cap < 2 + c->reason_len)
		return PROTO_E_BUFFER_SMALL;
	out[0] = (uint8_t)(c->code >> 8);
	out[1] = (uint8_t)c->code;
	if (c->reason_len)
		memcpy(out + 2, c->reason, c->reason_len);
	*out_len = 2 + c->reason_len;
	return PROTO_OK;
}

int ws_close_decode(const uint8_t *p, size_t len, struct ws_close *c)
{
	memset(c, 0, sizeof(*c));
	if (len == 0)
		return PROTO_OK;
	if (len == 1 || len > WS_MAX_CONTROL_PAYLOAD)
		return PROTO_E_WS_CLOSE;
	c->code = (uint16_t)(p[0] << 8 | p[1]);
	if (!ws_close_code_valid(c->code) || !utf8_valid(p + 2, len - 2)) {
		memset(c, 0, sizeof(*c));
		return PROTO_E_WS_CLOSE;
	}
	c->has_code = true;
	c->reason = p + 2;
	c->reason_len = len - 2;
	return PROTO_OK;
}
