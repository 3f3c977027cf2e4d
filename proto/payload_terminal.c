/*
 * payload_terminal.c — the small stream-data payloads around a terminal or port
 * session: Size (PayloadType 3, data-channel.md §5.4, JSON), ExitCode
 * (PayloadType 12, §5.9, ASCII text) and Flag (PayloadType 10, §4.1, 4 bytes).
 */
#include "payload.h"
#include "byteorder.h"
#include "json_util.h"
#include "proto_err.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Size ---------------------------------------------------------------- */

static const struct json_util_field size_fields[] = {
	{ "cols", JSON_UTIL_UINT32, offsetof(struct payload_size, cols), JSON_UTIL_ZERO },
	{ "rows", JSON_UTIL_UINT32, offsetof(struct payload_size, rows), JSON_UTIL_ZERO },
};

int payload_size_encode(const struct payload_size *sz, uint8_t **out, size_t *out_len)
{
	return json_util_encode_fields(JSON_UTIL_FIELDS(size_fields), sz, out, out_len);
}

int payload_size_decode(const uint8_t *buf, size_t len, struct payload_size *out)
{
	int rc = json_util_decode_fields(buf, len, PAYLOAD_JSON_MAX,
					 JSON_UTIL_FIELDS(size_fields), out, sizeof(*out));

	if (rc != PROTO_OK)
		memset(out, 0, sizeof(*out));
	return rc;
}

/* ---- ExitCode ------------------------------------------------------------ */

#define EXIT_CODE_PREFIX "EXIT_CODE: "
#define EXIT_CODE_PREFIX_LEN (sizeof(EXIT_CODE_PREFIX) - 1)
/* prefix, '-', 10 digits of INT32_MIN, NUL for snprintf */
#define EXIT_CODE_MAX_TEXT (EXIT_CODE_PREFIX_LEN + 1 + 10 + 1)

int payload_exit_code_encode(int32_t code, uint8_t **out, size_t *out_len)
{
	char *buf = malloc(EXIT_CODE_MAX_TEXT);
	int n;

	if (!buf)
		return PROTO_E_NOMEM;
	n = snprintf(buf, EXIT_CODE_MAX_TEXT, EXIT_CODE_PREFIX "%" PRId32, code);
	if (n < 0 || (size_t)n >= EXIT_CODE_MAX_TEXT) {
		free(buf); /* cannot happen for an int32 */
		return PROTO_E_INVALID_ARG;
	}
	*out = (uint8_t *)buf;
	*out_len = (size_t)n;
	return PROTO_OK;
}

/*
 * Parse [-]digits filling exactly p[0..len) into an int32. The magnitude is
 * accumulated in an int64 and checked after every digit, so it never exceeds
 * 2^31 and cannot overflow.
 */
static int parse_int32(const uint8_t *p, size_t len, int32_t *out)
{
	bool negative = len > 0 && p[0] == '-';
	int64_t limit = negative ? -(int64_t)INT32_MIN : INT32_MAX;
	int64_t v = 0;
	size_t i = negative ? 1 : 0;

	if (i == len)
		return PROTO_E_EXIT_CODE; /* no digits */
	for (; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return PROTO_E_EXIT_CODE;
		v = v * 10 + (p[i] - '0');
		if (v > limit)
			return PROTO_E_EXIT_CODE;
	}
	*out = (int32_t)(negative ? -v : v);
	return PROTO_OK;
}

int payload_exit_code_decode(const uint8_t *buf, size_t len, int32_t *out)
{
	if (len < EXIT_CODE_PREFIX_LEN || memcmp(buf, EXIT_CODE_PREFIX, EXIT_CODE_PREFIX_LEN) != 0)
		return PROTO_E_EXIT_CODE;
	return parse_int32(buf + EXIT_CODE_PREFIX_LEN, len - EXIT_CODE_PREFIX_LEN, out);
}

/* ---- Flag ---------------------------------------------------------------- */

static bool flag_known(uint32_t v)
{
	return v >= PAYLOAD_FLAG_DISCONNECT_TO_PORT && v <= PAYLOAD_FLAG_CONNECT_TO_PORT_ERROR;
}

int payload_flag_encode(enum payload_flag flag, uint8_t **out, size_t *out_len)
{
	uint8_t *buf;

	if (!flag_known((uint32_t)flag))
		return PROTO_E_FLAG;
	buf = malloc(PAYLOAD_FLAG_LEN);
	if (!buf)
		return PROTO_E_NOMEM;
	be32_put(buf, (uint32_t)flag);
	*out = buf;
	*out_len = PAYLOAD_FLAG_LEN;
	return PROTO_OK;
}

int payload_flag_decode(const uint8_t *buf, size_t len, enum payload_flag *out)
{
	uint32_t v;

	if (len != PAYLOAD_FLAG_LEN)
		return PROTO_E_FLAG;
	v = be32_get(buf);
	if (!flag_known(v))
		return PROTO_E_FLAG;
	*out = (enum payload_flag)v;
	return PROTO_OK;
}
