/*
 * test_util.c — shared unit-test helpers: hex conversion, exact-size copies
 * and a valid-frame builder (see test_util.h).
 */
#include "test_util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "proto_err.h"

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int hex_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

long hex_decode(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (const char *p = hex; *p; p++) {
		int v;

		if (hex_space(*p))
			continue;
		v = hex_nibble(*p);
		if (v < 0)
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= cap)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0)
		return -1;
	return (long)n;
}

uint8_t *hex_decode_alloc(const char *hex, size_t *out_len)
{
	size_t digits = 0;
	uint8_t *buf;
	long n;

	for (const char *p = hex; *p; p++)
		if (!hex_space(*p))
			digits++;
	buf = malloc(digits / 2 ? digits / 2 : 1);
	if (!buf)
		return NULL;
	n = hex_decode(hex, buf, digits / 2);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	*out_len = (size_t)n;
	return buf;
}

void hex_encode(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

long test_first_diff(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return (long)i;
	return -1;
}

uint8_t *test_dup_exact(const void *p, size_t n)
{
	uint8_t *copy = malloc(n);

	if (copy && n)
		memcpy(copy, p, n);
	return copy;
}

uint8_t *test_unreadable_alloc(size_t len)
{
	void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

void test_unreadable_free(uint8_t *p, size_t len)
{
	if (p)
		munmap(p, len);
}

uint8_t *test_frame_build(const char *message_type, int64_t seq, uint32_t payload_type,
			  const void *payload, size_t payload_len, size_t *out_len)
{
	static const uint8_t id[UUID_LEN] = {
		0x0b, 0x5e, 0x3a, 0x7d, 0x1f, 0x24, 0x4c, 0x89,
		0x9a, 0x61, 0x3d, 0x2e, 0x8f, 0x4b, 0x7c, 0x10,
	};
	struct frame f;
	uint8_t *buf;

	memset(&f, 0, sizeof(f));
	if (strlen(message_type) >= sizeof(f.message_type))
		return NULL;
	strcpy(f.message_type, message_type);
	f.schema_version = FRAME_SCHEMA_VERSION;
	f.created_date = 1700000000000ull;
	f.sequence_number = seq;
	f.payload_type = payload_type;
	memcpy(f.message_id.b, id, UUID_LEN);
	f.payload = payload;
	f.payload_len = payload_len;

	buf = malloc(frame_encoded_len(&f));
	if (!buf)
		return NULL;
	if (frame_encode(&f, buf, frame_encoded_len(&f), out_len) != PROTO_OK) {
		free(buf);
		return NULL;
	}
	return buf;
}
