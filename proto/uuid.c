/*
 * uuid.c — UUID text form, wire byte order and v4 construction.
 */
#include "uuid.h"
#include "proto_err.h"

#include <string.h>

static const char hex_digits[] = "0123456789abcdef";

/* Byte positions after which the printed form has a hyphen. */
static bool hyphen_after(int byte_index)
{
	return byte_index == 3 || byte_index == 5 || byte_index == 7 || byte_index == 9;
}

struct uuid uuid_v4_from_bytes(const uint8_t random16[UUID_LEN])
{
	struct uuid id;

	memcpy(id.b, random16, UUID_LEN);
	id.b[6] = (uint8_t)((id.b[6] & 0x0f) | 0x40);
	id.b[8] = (uint8_t)((id.b[8] & 0x3f) | 0x80);
	return id;
}

void uuid_format(const struct uuid *id, char out[UUID_STR_LEN + 1])
{
	char *p = out;

	for (int i = 0; i < UUID_LEN; i++) {
		*p++ = hex_digits[id->b[i] >> 4];
		*p++ = hex_digits[id->b[i] & 0x0f];
		if (hyphen_after(i))
			*p++ = '-';
	}
	*p = '\0';
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int uuid_parse(const char *text, struct uuid *out)
{
	const char *p = text;

	for (int i = 0; i < UUID_LEN; i++) {
		int hi = hex_value(p[0]);
		int lo = hi < 0 ? -1 : hex_value(p[1]);

		if (lo < 0)
			return PROTO_E_UUID;
		out->b[i] = (uint8_t)(hi << 4 | lo);
		p += 2;
		if (hyphen_after(i) && *p++ != '-')
			return PROTO_E_UUID;
	}
	return *p == '\0' ? PROTO_OK : PROTO_E_UUID;
}

void uuid_to_wire(const struct uuid *id, uint8_t wire[UUID_LEN])
{
	memcpy(wire, id->b + 8, 8);
	memcpy(wire + 8, id->b, 8);
}

void uuid_from_wire(const uint8_t wire[UUID_LEN], struct uuid *out)
{
	memcpy(out->b + 8, wire, 8);
	memcpy(out->b, wire + 8, 8);
}

bool uuid_equal(const struct uuid *a, const struct uuid *b)
{
	return memcmp(a->b, b->b, UUID_LEN) == 0;
}
