/*
 * ws_frame.c — websocket frame headers and payload masking (RFC 6455 §5.2,
 * §5.3). The decoder lives in ws_decoder.c, the Close payload in ws_close.c.
 *
 * Masking is the hot path of every frame a client sends and a server
 * receives: ws_mask() rotates the key to the payload offset once, then XORs
 * eight bytes per step through memcpy'd 64-bit words (no aliasing or
 * alignment assumptions; compilers turn the loop into vector code), leaving
 * a byte loop only for the tail.
 */
#include "byteorder.h"
#include "ws_frame.h"

#include <string.h>

#define LEN7_MAX 125u
#define LEN16_MARK 126u
#define LEN64_MARK 127u

size_t ws_frame_header_len(uint64_t payload_len, bool masked)
{
	size_t n = 2;

	if (payload_len > 0xffffu)
		n += 8;
	else if (payload_len > LEN7_MAX)
		n += 2;
	return masked ? n + 4 : n;
}

size_t ws_frame_header_encode(const struct ws_frame_header *h, uint8_t out[WS_MAX_HEADER_LEN])
{
	size_t n = 2;
	uint8_t mask_bit = h->masked ? 0x80u : 0;

	out[0] = (uint8_t)((h->fin ? 0x80u : 0) | (h->opcode & 0x0fu));
	if (h->payload_len <= LEN7_MAX) {
		out[1] = (uint8_t)(mask_bit | h->payload_len);
	} else if (h->payload_len <= 0xffffu) {
		out[1] = (uint8_t)(mask_bit | LEN16_MARK);
		out[2] = (uint8_t)(h->payload_len >> 8);
		out[3] = (uint8_t)h->payload_len;
		n += 2;
	} else {
		out[1] = (uint8_t)(mask_bit | LEN64_MARK);
		be64_put(out + 2, h->payload_len);
		n += 8;
	}
	if (h->masked) {
		memcpy(out + n, h->mask_key, 4);
		n += 4;
	}
	return n;
}

/* dst = src XOR the key rotated by offset; dst may be src. */
static void mask_into(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t key[4],
		      size_t offset)
{
	uint8_t rot[8];
	uint64_t word;
	size_t i = 0;

	for (size_t k = 0; k < sizeof(rot); k++)
		rot[k] = key[(offset + k) & 3u];
	memcpy(&word, rot, sizeof(word));
	for (; len - i >= 32; i += 32) {
		uint64_t v[4];

		memcpy(v, src + i, sizeof(v));
		v[0] ^= word;
		v[1] ^= word;
		v[2] ^= word;
		v[3] ^= word;
		memcpy(dst + i, v, sizeof(v));
	}
	for (; len - i >= 8; i += 8) {
		uint64_t v;

		memcpy(&v, src + i, sizeof(v));
		v ^= word;
		memcpy(dst + i, &v, sizeof(v));
	}
	for (; i < len; i++)
		dst[i] = src[i] ^ rot[i & 3u];
}

void ws_mask(uint8_t *buf, size_t len, const uint8_t key[4], size_t offset)
{
	mask_into(buf, buf, len, key, offset);
}

void ws_mask_copy(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t key[4],
		  size_t offset)
{
	mask_into(dst, src, len, key, offset);
}
