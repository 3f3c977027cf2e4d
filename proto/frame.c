/*
 * frame.c — encode, decode and validate data-channel frames.
 */
#include "frame.h"
#include "byteorder.h"
#include "proto_err.h"

#include <openssl/sha.h>
#include <string.h>

enum {
	OFF_HEADER_LENGTH = 0,
	OFF_MESSAGE_TYPE = 4,
	OFF_SCHEMA_VERSION = 36,
	OFF_CREATED_DATE = 40,
	OFF_SEQUENCE = 48,
	OFF_FLAGS = 56,
	OFF_MESSAGE_ID = 64,
	OFF_DIGEST = 80,
	OFF_PAYLOAD_TYPE = 112,
	OFF_PAYLOAD_LENGTH = 116,
};

static const char *const kind_names[] = {
	[MSG_UNKNOWN] = "",
	[MSG_INPUT_STREAM_DATA] = "input_stream_data",
	[MSG_OUTPUT_STREAM_DATA] = "output_stream_data",
	[MSG_ACKNOWLEDGE] = "acknowledge",
	[MSG_CHANNEL_CLOSED] = "channel_closed",
	[MSG_START_PUBLICATION] = "start_publication",
	[MSG_PAUSE_PUBLICATION] = "pause_publication",
	[MSG_AGENT_SESSION_STATE] = "agent_session_state",
};

enum message_kind message_kind_of(const char *message_type)
{
	for (size_t i = 1; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (strcmp(kind_names[i], message_type) == 0)
			return (enum message_kind)i;
	return MSG_UNKNOWN;
}

const char *message_kind_name(enum message_kind kind)
{
	if ((size_t)kind >= sizeof(kind_names) / sizeof(kind_names[0]))
		return "";
	return kind_names[kind];
}

void frame_init(struct frame *f, enum message_kind kind, uint64_t now_ms,
		const struct uuid *id)
{
	memset(f, 0, sizeof(*f));
	strcpy(f->message_type, message_kind_name(kind));
	f->schema_version = FRAME_SCHEMA_VERSION;
	f->created_date = now_ms;
	f->flags = FRAME_FLAG_SYN | FRAME_FLAG_FIN;
	f->message_id = *id;
}

static int type_name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* A type name is 1..32 characters of [A-Za-z0-9_]. */
static int type_name_valid(const char *name, size_t len)
{
	if (len == 0 || len > FRAME_MESSAGE_TYPE_LEN)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!type_name_char((unsigned char)name[i]))
			return 0;
	return 1;
}

size_t frame_encoded_len(const struct frame *f)
{
	return FRAME_PAYLOAD_OFFSET + f->payload_len;
}

int frame_encode(const struct frame *f, uint8_t *out, size_t out_cap, size_t *out_len)
{
	size_t type_len = strnlen(f->message_type, sizeof(f->message_type));
	size_t total = frame_encoded_len(f);

	/* Refuse what frame_decode() would refuse, so we never send such a frame. */
	if (!type_name_valid(f->message_type, type_len))
		return PROTO_E_MESSAGE_TYPE;
	if (f->schema_version != FRAME_SCHEMA_VERSION)
		return PROTO_E_SCHEMA_VERSION;
	if (f->created_date == 0)
		return PROTO_E_CREATED_DATE;
	if (f->sequence_number < 0)
		return PROTO_E_SEQUENCE;
	if (f->payload_type > PAYLOAD_TYPE_MAX)
		return PROTO_E_PAYLOAD_TYPE;
	if (f->payload_len > UINT32_MAX)
		return PROTO_E_TOO_LARGE;
	if (out_cap < total)
		return PROTO_E_BUFFER_SMALL;

	be32_put(out + OFF_HEADER_LENGTH, FRAME_HEADER_LENGTH);
	memset(out + OFF_MESSAGE_TYPE, ' ', FRAME_MESSAGE_TYPE_LEN);
	memcpy(out + OFF_MESSAGE_TYPE, f->message_type, type_len);
	be32_put(out + OFF_SCHEMA_VERSION, f->schema_version);
	be64_put(out + OFF_CREATED_DATE, f->created_date);
	be64_put(out + OFF_SEQUENCE, (uint64_t)f->sequence_number);
	be64_put(out + OFF_FLAGS, f->flags);
	uuid_to_wire(&f->message_id, out + OFF_MESSAGE_ID);
	SHA256(f->payload_len ? f->payload : (const uint8_t *)"", f->payload_len,
	       out + OFF_DIGEST);
	be32_put(out + OFF_PAYLOAD_TYPE, f->payload_type);
	be32_put(out + OFF_PAYLOAD_LENGTH, (uint32_t)f->payload_len);
	if (f->payload_len)
		memcpy(out + FRAME_PAYLOAD_OFFSET, f->payload, f->payload_len);
	*out_len = total;
	return PROTO_OK;
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * The official decoders strip NULs from both ends, then surrounding white space
 * (data-channel.md §2.2); what remains must be a type name.
 */
static int decode_message_type(const uint8_t *field, char out[FRAME_MESSAGE_TYPE_LEN + 1])
{
	size_t start = 0, end = FRAME_MESSAGE_TYPE_LEN;

	while (start < end && field[start] == 0)
		start++;
	while (end > start && field[end - 1] == 0)
		end--;
	while (start < end && is_space(field[start]))
		start++;
	while (end > start && is_space(field[end - 1]))
		end--;
	if (!type_name_valid((const char *)field + start, end - start))
		return PROTO_E_MESSAGE_TYPE;
	memcpy(out, field + start, end - start);
	out[end - start] = '\0';
	return PROTO_OK;
}

int frame_decode_unverified(const uint8_t *buf, size_t len, size_t max_len, struct frame *out)
{
	int rc;

	if (max_len == 0)
		max_len = FRAME_MAX_DEFAULT;
	if (len < FRAME_PAYLOAD_OFFSET)
		return PROTO_E_TRUNCATED;
	if (len > max_len)
		return PROTO_E_TOO_LARGE;
	if (be32_get(buf + OFF_HEADER_LENGTH) != FRAME_HEADER_LENGTH)
		return PROTO_E_HEADER_LENGTH;
	rc = decode_message_type(buf + OFF_MESSAGE_TYPE, out->message_type);
	if (rc != PROTO_OK)
		return rc;
	out->schema_version = be32_get(buf + OFF_SCHEMA_VERSION);
	if (out->schema_version != FRAME_SCHEMA_VERSION)
		return PROTO_E_SCHEMA_VERSION;
	out->created_date = be64_get(buf + OFF_CREATED_DATE);
	if (out->created_date == 0)
		return PROTO_E_CREATED_DATE;
	out->sequence_number = (int64_t)be64_get(buf + OFF_SEQUENCE);
	if (out->sequence_number < 0)
		return PROTO_E_SEQUENCE;
	out->flags = be64_get(buf + OFF_FLAGS);
	uuid_from_wire(buf + OFF_MESSAGE_ID, &out->message_id);
	memcpy(out->digest, buf + OFF_DIGEST, FRAME_DIGEST_LEN);
	out->payload_type = be32_get(buf + OFF_PAYLOAD_TYPE);
	if (out->payload_type > PAYLOAD_TYPE_MAX)
		return PROTO_E_PAYLOAD_TYPE;
	if (be32_get(buf + OFF_PAYLOAD_LENGTH) != len - FRAME_PAYLOAD_OFFSET)
		return PROTO_E_PAYLOAD_LENGTH;
	out->payload = buf + FRAME_PAYLOAD_OFFSET;
	out->payload_len = len - FRAME_PAYLOAD_OFFSET;
	return PROTO_OK;
}

bool frame_digest_valid(const struct frame *f)
{
	uint8_t digest[FRAME_DIGEST_LEN];

	if (!f->payload_len)
		return true;
	SHA256(f->payload, f->payload_len, digest);
	return memcmp(digest, f->digest, FRAME_DIGEST_LEN) == 0;
}

int frame_decode(const uint8_t *buf, size_t len, size_t max_len, struct frame *out)
{
	int rc = frame_decode_unverified(buf, len, max_len, out);

	if (rc == PROTO_OK && !frame_digest_valid(out))
		return PROTO_E_DIGEST;
	return rc;
}
