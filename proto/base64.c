/*
 * base64.c — strict standard base64 with padding (see base64.h).
 */
#include "base64.h"
#include "proto_err.h"

#include <stdbool.h>

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t base64_encoded_len(size_t n)
{
	size_t groups = n / 3 + (n % 3 != 0);

	if (groups > SIZE_MAX / 4)
		return 0;
	return groups * 4;
}

size_t base64_decoded_max(size_t n)
{
	return n / 4 * 3;
}

/* Write the 4 characters for up to 3 input bytes (n = 1..3), padding the rest. */
static void encode_group(const uint8_t *in, size_t n, char *out)
{
	uint32_t v = (uint32_t)in[0] << 16;

	if (n > 1)
		v |= (uint32_t)in[1] << 8;
	if (n > 2)
		v |= in[2];
	out[0] = alphabet[v >> 18 & 0x3f];
	out[1] = alphabet[v >> 12 & 0x3f];
	out[2] = n > 1 ? alphabet[v >> 6 & 0x3f] : '=';
	out[3] = n > 2 ? alphabet[v & 0x3f] : '=';
}

int base64_encode(const uint8_t *in, size_t len, char *out, size_t out_cap, size_t *out_len)
{
	size_t need = base64_encoded_len(len);
	size_t o = 0;

	if ((need == 0 && len != 0) || out_cap <= need)
		return PROTO_E_BUFFER_SMALL;
	for (size_t i = 0; i < len; i += 3, o += 4)
		encode_group(in + i, len - i < 3 ? len - i : 3, out + o);
	out[o] = '\0';
	if (out_len)
		*out_len = o;
	return PROTO_OK;
}

/* Value of one alphabet character, or -1. Locale-independent. */
static int sextet(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Number of '=' at the end of a non-empty, 4-aligned text (0..2), or -1 if the
 * padding is malformed ("===", or '=' followed by something else). */
static int padding_of(const char *text, size_t len)
{
	if (text[len - 1] != '=')
		return 0;
	if (text[len - 2] != '=')
		return 1;
	return text[len - 3] == '=' ? -1 : 2;
}

/*
 * Decode one group of 4 characters whose last `pad` are '=' into 3 - pad bytes.
 * Every non-padding character must be in the alphabet and the bits a padded
 * group does not use must be zero.
 */
static bool decode_group(const char *g, int pad, uint8_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++) {
		int s = i < 4 - pad ? sextet(g[i]) : 0;

		if (s < 0)
			return false;
		v = v << 6 | (uint32_t)s;
	}
	if ((pad == 1 && (v & 0xff)) || (pad == 2 && (v & 0xffff)))
		return false;
	out[0] = (uint8_t)(v >> 16);
	if (pad < 2)
		out[1] = (uint8_t)(v >> 8);
	if (pad < 1)
		out[2] = (uint8_t)v;
	return true;
}

int base64_decode(const char *text, size_t len, uint8_t *out, size_t out_cap, size_t *out_len)
{
	int pad;
	size_t n;

	if (len % 4 != 0)
		return PROTO_E_BASE64;
	if (len == 0) {
		*out_len = 0;
		return PROTO_OK;
	}
	pad = padding_of(text, len);
	if (pad < 0)
		return PROTO_E_BASE64;
	n = base64_decoded_max(len) - (size_t)pad;
	if (n > out_cap)
		return PROTO_E_BUFFER_SMALL;
	for (size_t i = 0, o = 0; i < len; i += 4, o += 3) {
		bool last = i + 4 == len;

		if (!decode_group(text + i, last ? pad : 0, out + o))
			return PROTO_E_BASE64;
	}
	*out_len = n;
	return PROTO_OK;
}
