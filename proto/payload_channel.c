/*
 * payload_channel.c — the payloads that open, describe and close a data
 * channel: OpenDataChannel (data-channel.md §1.2, the first websocket text
 * message of either party), channel_closed (§5.2, broker → client/agent) and
 * agent_session_state (§5.3, agent → broker). All three are flat objects, so
 * each is a field table in wire order driven by json_util.
 */
#include "payload.h"
#include "json_util.h"
#include "proto_err.h"

#include <stddef.h>

/* ---- channel_closed ------------------------------------------------------ */

#define CC_FIELD(key, type, member) \
	{ key, type, offsetof(struct payload_channel_closed, member), JSON_UTIL_ZERO }

static const struct json_util_field cc_fields[] = {
	CC_FIELD("MessageId", JSON_UTIL_STRING, message_id),
	CC_FIELD("CreatedDate", JSON_UTIL_STRING, created_date),
	CC_FIELD("DestinationId", JSON_UTIL_STRING, destination_id),
	CC_FIELD("SessionId", JSON_UTIL_STRING, session_id),
	CC_FIELD("MessageType", JSON_UTIL_STRING, message_type),
	CC_FIELD("SchemaVersion", JSON_UTIL_UINT32, schema_version),
	CC_FIELD("Output", JSON_UTIL_STRING, output),
};

int payload_channel_closed_encode(const struct payload_channel_closed *cc, uint8_t **out,
				  size_t *out_len)
{
	return json_util_encode_fields(JSON_UTIL_FIELDS(cc_fields), cc, out, out_len);
}

int payload_channel_closed_decode(const uint8_t *buf, size_t len,
				  struct payload_channel_closed *out)
{
	int rc = json_util_decode_fields(buf, len, PAYLOAD_JSON_MAX,
					 JSON_UTIL_FIELDS(cc_fields), out, sizeof(*out));

	if (rc != PROTO_OK)
		payload_channel_closed_free(out);
	return rc;
}

void payload_channel_closed_free(struct payload_channel_closed *cc)
{
	json_util_free_fields(JSON_UTIL_FIELDS(cc_fields), cc, sizeof(*cc));
}

/* ---- agent_session_state ------------------------------------------------- */

#define ST_FIELD(key, type, member) \
	{ key, type, offsetof(struct payload_session_state, member), JSON_UTIL_ZERO }

static const struct json_util_field session_state_fields[] = {
	ST_FIELD("SchemaVersion", JSON_UTIL_UINT32, schema_version),
	ST_FIELD("SessionState", JSON_UTIL_STRING, session_state),
	ST_FIELD("SessionId", JSON_UTIL_STRING, session_id),
};

int payload_session_state_encode(const struct payload_session_state *st, uint8_t **out,
				 size_t *out_len)
{
	return json_util_encode_fields(JSON_UTIL_FIELDS(session_state_fields), st, out, out_len);
}

int payload_session_state_decode(const uint8_t *buf, size_t len,
				 struct payload_session_state *out)
{
	int rc = json_util_decode_fields(buf, len, PAYLOAD_JSON_MAX,
					 JSON_UTIL_FIELDS(session_state_fields), out, sizeof(*out));

	if (rc != PROTO_OK)
		payload_session_state_free(out);
	return rc;
}

void payload_session_state_free(struct payload_session_state *st)
{
	json_util_free_fields(JSON_UTIL_FIELDS(session_state_fields), st, sizeof(*st));
}

/* ---- OpenDataChannel ----------------------------------------------------- */

#define ODC_FIELD(key, member, absent) \
	{ key, JSON_UTIL_STRING, offsetof(struct payload_open_data_channel, member), absent }

/* One table serves both forms: the optional keys are left out when NULL. */
static const struct json_util_field odc_fields[] = {
	ODC_FIELD("MessageSchemaVersion", message_schema_version, JSON_UTIL_ZERO),
	ODC_FIELD("RequestId", request_id, JSON_UTIL_ZERO),
	ODC_FIELD("TokenValue", token_value, JSON_UTIL_REQUIRED),
	ODC_FIELD("ClientInstanceId", client_instance_id, JSON_UTIL_OMIT),
	ODC_FIELD("ClientId", client_id, JSON_UTIL_ZERO),
	ODC_FIELD("ClientVersion", client_version, JSON_UTIL_OMIT),
};

int payload_open_data_channel_encode(const struct payload_open_data_channel *odc,
				     uint8_t **out, size_t *out_len)
{
	return json_util_encode_fields(JSON_UTIL_FIELDS(odc_fields), odc, out, out_len);
}

int payload_open_data_channel_decode(const uint8_t *buf, size_t len,
				     struct payload_open_data_channel *out)
{
	int rc = json_util_decode_fields(buf, len, PAYLOAD_JSON_MAX,
					 JSON_UTIL_FIELDS(odc_fields), out, sizeof(*out));

	if (rc != PROTO_OK)
		payload_open_data_channel_free(out);
	return rc;
}

void payload_open_data_channel_free(struct payload_open_data_channel *odc)
{
	json_util_free_fields(JSON_UTIL_FIELDS(odc_fields), odc, sizeof(*odc));
}
