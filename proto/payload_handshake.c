/*
 * payload_handshake.c — the handshake that opens every session
 * (session-flow.md §2): HandshakeRequest (PayloadType 5, data-channel.md §5.5)
 * with its SessionType, KMSEncryption and unknown actions, HandshakeResponse
 * (6, §5.6) with the per-action status and results, and HandshakeComplete
 * (7, §5.7). Flat parts are json_util field tables; this file owns the nesting.
 */
#include "payload.h"
#include "json_util.h"
#include "proto_err.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum payload_action_kind payload_action_kind_of(const char *action_type)
{
	if (!action_type)
		return PAYLOAD_ACTION_UNKNOWN;
	if (strcmp(action_type, PAYLOAD_ACTION_NAME_SESSION_TYPE) == 0)
		return PAYLOAD_ACTION_SESSION_TYPE;
	if (strcmp(action_type, PAYLOAD_ACTION_NAME_KMS_ENCRYPTION) == 0)
		return PAYLOAD_ACTION_KMS_ENCRYPTION;
	return PAYLOAD_ACTION_UNKNOWN;
}

/* ==== HandshakeRequest ==================================================== */

#define RA_FIELD(key, type, member, absent) \
	{ key, type, offsetof(struct payload_requested_action, member), absent }

/* ActionParameters of the two known kinds (the unknown kind keeps them whole). */
static const struct json_util_field session_type_params[] = {
	RA_FIELD("SessionType", JSON_UTIL_STRING, session_type, JSON_UTIL_ZERO),
	RA_FIELD("Properties", JSON_UTIL_RAW, properties, JSON_UTIL_NULL),
};

static const struct json_util_field kms_params[] = {
	RA_FIELD("KMSKeyId", JSON_UTIL_STRING, kms_key_id, JSON_UTIL_ZERO),
	RA_FIELD("Challenge", JSON_UTIL_STRING, challenge, JSON_UTIL_OMIT),
};

/* The ActionParameters table of a known kind; NULL for the unknown kind. */
static const struct json_util_field *params_table(enum payload_action_kind kind, size_t *n)
{
	switch (kind) {
	case PAYLOAD_ACTION_SESSION_TYPE:
		*n = JSON_UTIL_COUNT(session_type_params);
		return session_type_params;
	case PAYLOAD_ACTION_KMS_ENCRYPTION:
		*n = JSON_UTIL_COUNT(kms_params);
		return kms_params;
	case PAYLOAD_ACTION_UNKNOWN:
		break;
	}
	*n = 0;
	return NULL;
}

static void release_requested_action(void *item)
{
	struct payload_requested_action *a = item;

	free(a->action_type);
	free(a->session_type);
	free(a->properties);
	free(a->kms_key_id);
	free(a->challenge);
	free(a->parameters);
	memset(a, 0, sizeof(*a));
}

/* ActionParameters of a known kind: an object (or null, all keys missing). */
static int read_known_params(const json_t *v, enum payload_action_kind kind,
			     struct payload_requested_action *a)
{
	const json_t *params = json_util_get(v, "ActionParameters");
	size_t n;
	const struct json_util_field *t = params_table(kind, &n);

	if (params && !json_is_object(params))
		return PROTO_E_FIELD_TYPE;
	return json_util_read_fields(params, t, n, a);
}

static int read_requested_action(const json_t *v, void *item)
{
	struct payload_requested_action *a = item;
	enum payload_action_kind kind;
	int rc;

	rc = json_util_get_string(v, "ActionType", JSON_UTIL_ZERO, &a->action_type);
	if (rc != PROTO_OK)
		goto out;
	kind = payload_action_kind_of(a->action_type);
	if (kind == PAYLOAD_ACTION_UNKNOWN)
		rc = json_util_get_raw(v, "ActionParameters", JSON_UTIL_NULL, &a->parameters);
	else
		rc = read_known_params(v, kind, a);
out:
	if (rc != PROTO_OK)
		release_requested_action(a);
	return rc;
}

static int build_requested_action(const void *item, json_t **out)
{
	const struct payload_requested_action *a = item;
	enum payload_action_kind kind = payload_action_kind_of(a->action_type);
	json_t *params = NULL;
	size_t n;
	const struct json_util_field *t = params_table(kind, &n);
	int rc;

	if (t)
		rc = json_util_fields_value(t, n, a, &params);
	else
		rc = json_util_parse_text(a->parameters, JSON_UTIL_TEXT_MAX, &params);
	if (rc != PROTO_OK)
		return rc;
	return json_util_pack(out, "{s:s,s:o}", "ActionType", a->action_type,
			      "ActionParameters", params);
}

static int read_request(const json_t *root, void *out)
{
	struct payload_handshake_request *req = out;
	void *actions = NULL;
	int rc;

	rc = json_util_get_string(root, "AgentVersion", JSON_UTIL_ZERO, &req->agent_version);
	if (rc == PROTO_OK)
		rc = json_util_get_objects(root, "RequestedClientActions", PAYLOAD_ACTIONS_MAX,
					   sizeof(*req->actions), read_requested_action,
					   release_requested_action, &actions, &req->n_actions);
	req->actions = actions;
	if (rc == PROTO_OK)
		rc = json_util_get_strings(root, PAYLOAD_CAPABILITIES_KEY, PAYLOAD_ACTIONS_MAX,
					   &req->capabilities, &req->n_capabilities);
	return rc;
}

int payload_handshake_request_decode(const uint8_t *buf, size_t len,
				     struct payload_handshake_request *out)
{
	int rc = json_util_decode(buf, len, PAYLOAD_JSON_MAX, read_request, out, sizeof(*out));

	if (rc != PROTO_OK)
		payload_handshake_request_free(out);
	return rc;
}

int payload_handshake_request_encode(const struct payload_handshake_request *req,
				     uint8_t **out, size_t *out_len)
{
	json_t *actions = NULL, *caps = NULL;
	int rc;

	if (!req->actions && req->n_actions != 0)
		return PROTO_E_INVALID_ARG;
	rc = json_util_objects_value(req->actions, req->n_actions, sizeof(*req->actions),
				     build_requested_action, &actions);
	if (rc == PROTO_OK && req->capabilities)
		rc = json_util_strings_value(req->capabilities, req->n_capabilities, &caps);
	if (rc != PROTO_OK) {
		json_decref(actions);
		return rc;
	}
	if (!caps)
		return json_util_pack_dump(out, out_len, "{s:s,s:o}", "AgentVersion",
					   req->agent_version, "RequestedClientActions", actions);
	return json_util_pack_dump(out, out_len, "{s:s,s:o,s:o}", "AgentVersion",
				   req->agent_version, "RequestedClientActions", actions,
				   PAYLOAD_CAPABILITIES_KEY, caps);
}

void payload_handshake_request_free(struct payload_handshake_request *req)
{
	for (size_t i = 0; req->actions && i < req->n_actions; i++)
		release_requested_action(&req->actions[i]);
	free(req->actions);
	free(req->agent_version);
	json_util_free_strings(req->capabilities);
	memset(req, 0, sizeof(*req));
}

/* ==== HandshakeResponse =================================================== */

#define PA_FIELD(key, type, member) \
	{ key, type, offsetof(struct payload_processed_action, member), JSON_UTIL_ZERO }

/* ActionResult sits between these two groups on the wire. */
static const struct json_util_field processed_head[] = {
	PA_FIELD("ActionType", JSON_UTIL_STRING, action_type),
	PA_FIELD("ActionStatus", JSON_UTIL_INT32, action_status),
};

static const struct json_util_field processed_tail[] = {
	PA_FIELD("Error", JSON_UTIL_STRING, error),
};

static void release_processed_action(void *item)
{
	struct payload_processed_action *a = item;

	free(a->action_type);
	free(a->kms.cipher_text_key);
	free(a->kms.cipher_text_hash);
	free(a->result);
	free(a->error);
	memset(a, 0, sizeof(*a));
}

static int read_kms_result(const json_t *v, struct payload_kms_result *kms)
{
	int rc;

	rc = json_util_get_bytes(v, "KMSCipherTextKey", PAYLOAD_JSON_MAX, JSON_UTIL_NULL,
				 &kms->cipher_text_key, &kms->cipher_text_key_len);
	if (rc == PROTO_OK)
		rc = json_util_get_bytes(v, "KMSCipherTextHash", PAYLOAD_JSON_MAX, JSON_UTIL_NULL,
					 &kms->cipher_text_hash, &kms->cipher_text_hash_len);
	if (rc == PROTO_OK)
		rc = json_util_get_bool(v, "ChallengeAcknowledgement", &kms->challenge_ack);
	return rc;
}

static int read_action_result(const json_t *v, struct payload_processed_action *a)
{
	const json_t *res = json_util_get(v, "ActionResult");

	if (!res) {
		a->result_kind = PAYLOAD_RESULT_NULL;
		return PROTO_OK;
	}
	if (payload_action_kind_of(a->action_type) != PAYLOAD_ACTION_KMS_ENCRYPTION) {
		a->result_kind = PAYLOAD_RESULT_RAW;
		return json_util_dump_text(res, &a->result);
	}
	if (!json_is_object(res))
		return PROTO_E_FIELD_TYPE;
	a->result_kind = PAYLOAD_RESULT_KMS;
	return read_kms_result(res, &a->kms);
}

static int read_processed_action(const json_t *v, void *item)
{
	struct payload_processed_action *a = item;
	int rc;

	rc = json_util_read_fields(v, JSON_UTIL_FIELDS(processed_head), a);
	if (rc == PROTO_OK)
		rc = read_action_result(v, a);
	if (rc == PROTO_OK)
		rc = json_util_read_fields(v, JSON_UTIL_FIELDS(processed_tail), a);
	if (rc != PROTO_OK)
		release_processed_action(a);
	return rc;
}

static int build_kms_result(const struct payload_kms_result *kms, json_t **out)
{
	json_t *key = NULL, *hash = NULL;
	int rc;

	rc = json_util_bytes_value(kms->cipher_text_key, kms->cipher_text_key_len, &key);
	if (rc == PROTO_OK)
		rc = json_util_bytes_value(kms->cipher_text_hash, kms->cipher_text_hash_len, &hash);
	if (rc != PROTO_OK) {
		json_decref(key);
		return rc;
	}
	return json_util_pack(out, "{s:o,s:o,s:o*}", "KMSCipherTextKey", key,
			      "KMSCipherTextHash", hash, "ChallengeAcknowledgement",
			      kms->challenge_ack ? json_true() : NULL);
}

static int build_action_result(const struct payload_processed_action *a, json_t **out)
{
	switch (a->result_kind) {
	case PAYLOAD_RESULT_NULL:
		*out = json_null();
		return PROTO_OK;
	case PAYLOAD_RESULT_KMS:
		return build_kms_result(&a->kms, out);
	case PAYLOAD_RESULT_RAW:
		return json_util_parse_text(a->result, JSON_UTIL_TEXT_MAX, out);
	}
	return PROTO_E_INVALID_ARG;
}

static int build_processed_action(const void *item, json_t **out)
{
	const struct payload_processed_action *a = item;
	json_t *obj = NULL, *result;
	int rc;

	rc = json_util_fields_value(JSON_UTIL_FIELDS(processed_head), a, &obj);
	if (rc != PROTO_OK)
		return rc;
	rc = build_action_result(a, &result);
	/* json_object_set_new steals result even when it fails */
	if (rc == PROTO_OK && json_object_set_new_nocheck(obj, "ActionResult", result) != 0)
		rc = PROTO_E_NOMEM;
	if (rc == PROTO_OK)
		rc = json_util_write_fields(obj, JSON_UTIL_FIELDS(processed_tail), a);
	if (rc != PROTO_OK) {
		json_decref(obj);
		return rc;
	}
	*out = obj;
	return PROTO_OK;
}

static int read_response(const json_t *root, void *out)
{
	struct payload_handshake_response *resp = out;
	void *actions = NULL;
	int rc;

	rc = json_util_get_string(root, "ClientVersion", JSON_UTIL_ZERO, &resp->client_version);
	if (rc == PROTO_OK)
		rc = json_util_get_objects(root, "ProcessedClientActions", PAYLOAD_ACTIONS_MAX,
					   sizeof(*resp->actions), read_processed_action,
					   release_processed_action, &actions, &resp->n_actions);
	resp->actions = actions;
	if (rc == PROTO_OK)
		rc = json_util_get_strings(root, "Errors", PAYLOAD_ACTIONS_MAX, &resp->errors,
					   &resp->n_errors);
	if (rc == PROTO_OK)
		rc = json_util_get_strings(root, PAYLOAD_CAPABILITIES_KEY, PAYLOAD_ACTIONS_MAX,
					   &resp->capabilities, &resp->n_capabilities);
	return rc;
}

int payload_handshake_response_decode(const uint8_t *buf, size_t len,
				      struct payload_handshake_response *out)
{
	int rc = json_util_decode(buf, len, PAYLOAD_JSON_MAX, read_response, out, sizeof(*out));

	if (rc != PROTO_OK)
		payload_handshake_response_free(out);
	return rc;
}

int payload_handshake_response_encode(const struct payload_handshake_response *resp,
				      uint8_t **out, size_t *out_len)
{
	json_t *actions = NULL, *errors = NULL, *caps = NULL;
	int rc;

	if (!resp->actions && resp->n_actions != 0)
		return PROTO_E_INVALID_ARG;
	rc = json_util_objects_value(resp->actions, resp->n_actions, sizeof(*resp->actions),
				     build_processed_action, &actions);
	if (rc == PROTO_OK)
		rc = json_util_strings_value(resp->errors, resp->n_errors, &errors);
	if (rc == PROTO_OK && resp->capabilities)
		rc = json_util_strings_value(resp->capabilities, resp->n_capabilities, &caps);
	if (rc != PROTO_OK) {
		json_decref(actions);
		json_decref(errors);
		return rc;
	}
	if (!caps)
		return json_util_pack_dump(out, out_len, "{s:s,s:o,s:o}", "ClientVersion",
					   resp->client_version, "ProcessedClientActions",
					   actions, "Errors", errors);
	return json_util_pack_dump(out, out_len, "{s:s,s:o,s:o,s:o}", "ClientVersion",
				   resp->client_version, "ProcessedClientActions", actions,
				   "Errors", errors, PAYLOAD_CAPABILITIES_KEY, caps);
}

void payload_handshake_response_free(struct payload_handshake_response *resp)
{
	for (size_t i = 0; resp->actions && i < resp->n_actions; i++)
		release_processed_action(&resp->actions[i]);
	free(resp->actions);
	free(resp->client_version);
	json_util_free_strings(resp->errors);
	json_util_free_strings(resp->capabilities);
	memset(resp, 0, sizeof(*resp));
}

bool payload_caps_have(char *const *capabilities, size_t n, const char *name)
{
	for (size_t i = 0; capabilities && i < n; i++)
		if (strcmp(capabilities[i], name) == 0)
			return true;
	return false;
}

bool payload_has_capability(const struct payload_handshake_response *resp, const char *name)
{
	return payload_caps_have(resp->capabilities, resp->n_capabilities, name);
}

/* ==== HandshakeComplete =================================================== */

static const struct json_util_field complete_fields[] = {
	{ "HandshakeTimeToComplete", JSON_UTIL_INT64,
	  offsetof(struct payload_handshake_complete, time_to_complete_ns), JSON_UTIL_ZERO },
	{ "CustomerMessage", JSON_UTIL_STRING,
	  offsetof(struct payload_handshake_complete, customer_message), JSON_UTIL_ZERO },
};

int payload_handshake_complete_encode(const struct payload_handshake_complete *hc,
				      uint8_t **out, size_t *out_len)
{
	return json_util_encode_fields(JSON_UTIL_FIELDS(complete_fields), hc, out, out_len);
}

int payload_handshake_complete_decode(const uint8_t *buf, size_t len,
				      struct payload_handshake_complete *out)
{
	int rc = json_util_decode_fields(buf, len, PAYLOAD_JSON_MAX,
					 JSON_UTIL_FIELDS(complete_fields), out, sizeof(*out));

	if (rc != PROTO_OK)
		payload_handshake_complete_free(out);
	return rc;
}

void payload_handshake_complete_free(struct payload_handshake_complete *hc)
{
	json_util_free_fields(JSON_UTIL_FIELDS(complete_fields), hc, sizeof(*hc));
}
