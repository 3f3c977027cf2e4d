/*
 * payload_ack.c — the acknowledge payload (data-channel.md §5.1): the JSON one
 * side sends for every stream-data frame it accepted.
 */
#include "payload.h"
#include "json_util.h"
#include "proto_err.h"

#include <string.h>

int payload_ack_encode(const struct payload_ack *ack, uint8_t **out, size_t *out_len)
{
	char id[UUID_STR_LEN + 1];

	if (strnlen(ack->message_type, sizeof(ack->message_type)) >= sizeof(ack->message_type) ||
	    ack->sequence_number < 0)
		return PROTO_E_INVALID_ARG;
	uuid_format(&ack->message_id, id);
	return json_util_pack_dump(out, out_len, "{s:s,s:s,s:I,s:b}",
				   "AcknowledgedMessageType", ack->message_type,
				   "AcknowledgedMessageId", id,
				   "AcknowledgedMessageSequenceNumber",
				   (json_int_t)ack->sequence_number,
				   "IsSequentialMessage", (int)ack->is_sequential);
}

static int read_message_type(const json_t *root, char *out, size_t cap)
{
	const json_t *v = json_util_get(root, "AcknowledgedMessageType");

	if (!v)
		return PROTO_OK; /* out is already "" */
	if (!json_is_string(v))
		return PROTO_E_FIELD_TYPE;
	if (json_string_length(v) >= cap)
		return PROTO_E_FIELD_RANGE;
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return PROTO_OK;
}

static int read_message_id(const json_t *root, struct uuid *out)
{
	const json_t *v = json_util_get(root, "AcknowledgedMessageId");

	if (!v)
		return PROTO_OK; /* out is already the zero UUID */
	if (!json_is_string(v))
		return PROTO_E_FIELD_TYPE;
	return uuid_parse(json_string_value(v), out);
}

static int read_ack(const json_t *root, void *out)
{
	struct payload_ack *ack = out;
	int rc;

	rc = read_message_type(root, ack->message_type, sizeof(ack->message_type));
	if (rc == PROTO_OK)
		rc = read_message_id(root, &ack->message_id);
	if (rc == PROTO_OK)
		rc = json_util_get_int(root, "AcknowledgedMessageSequenceNumber", 0, INT64_MAX,
				       JSON_UTIL_REQUIRED, &ack->sequence_number);
	if (rc == PROTO_OK)
		rc = json_util_get_bool(root, "IsSequentialMessage", &ack->is_sequential);
	return rc;
}

int payload_ack_decode(const uint8_t *buf, size_t len, struct payload_ack *out)
{
	int rc = json_util_decode(buf, len, PAYLOAD_JSON_MAX, read_ack, out, sizeof(*out));

	if (rc != PROTO_OK)
		memset(out, 0, sizeof(*out));
	return rc;
}
