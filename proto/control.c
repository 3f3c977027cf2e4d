/*
 * control.c — control-channel envelope checks around protobuf-c.
 */
#include "control.h"
#include "proto_err.h"

#include <stdlib.h>

void control_envelope_init(control_envelope *env, uint64_t message_id)
{
	postern__control__envelope__init(env);
	env->protocol_version = CONTROL_PROTOCOL_VERSION;
	env->message_id = message_id;
}

int control_pack(const control_envelope *env, uint8_t **out, size_t *out_len)
{
	size_t len;
	uint8_t *buf;

	*out = NULL;
	*out_len = 0;
	if (env->body_case == POSTERN__CONTROL__ENVELOPE__BODY__NOT_SET)
		return PROTO_E_EMPTY;
	len = postern__control__envelope__get_packed_size(env);
	if (len > CONTROL_MAX_MESSAGE)
		return PROTO_E_TOO_LARGE;
	buf = malloc(len ? len : 1);
	if (!buf)
		return PROTO_E_NOMEM;
	*out_len = postern__control__envelope__pack(env, buf);
	*out = buf;
	return PROTO_OK;
}

int control_unpack(const uint8_t *buf, size_t len, control_envelope **out)
{
	control_envelope *env;
	int rc = PROTO_OK;

	*out = NULL;
	if (len > CONTROL_MAX_MESSAGE)
		return PROTO_E_TOO_LARGE;
	env = postern__control__envelope__unpack(NULL, len, buf);
	if (!env)
		return PROTO_E_PROTOBUF;
	if (env->protocol_version != CONTROL_PROTOCOL_VERSION)
		rc = PROTO_E_VERSION;
	else if (env->body_case == POSTERN__CONTROL__ENVELOPE__BODY__NOT_SET)
		rc = PROTO_E_EMPTY;
	if (rc != PROTO_OK) {
		control_free(env);
		return rc;
	}
	*out = env;
	return PROTO_OK;
}

void control_free(control_envelope *env)
{
	if (env)
		postern__control__envelope__free_unpacked(env, NULL);
}
