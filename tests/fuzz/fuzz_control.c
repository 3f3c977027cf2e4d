/*
 * fuzz_control.c — libFuzzer target for the control-channel unpacker.
 *
 * Any input must unpack or fail cleanly, and an envelope that unpacks must
 * pack again. Packing is then idempotent: unpack(pack(e)) packs to the same
 * bytes. (protobuf-c keeps unknown fields, including the invalid field number 0
 * when its tag is an over-long varint, and packs that tag minimally, which it
 * then refuses; so a second unpack may fail, but never crash.)
 */
#include "fuzz_common.h"
#include "control.h"
#include "proto_err.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	control_envelope *env, *env2;
	uint8_t *packed, *packed2;
	size_t len, len2;

	if (control_unpack(data, size, &env) != PROTO_OK)
		return 0;
	if (control_pack(env, &packed, &len) != PROTO_OK)
		abort();
	if (control_unpack(packed, len, &env2) != PROTO_OK) {
		free(packed);
		control_free(env);
		return 0;
	}
	if (control_pack(env2, &packed2, &len2) != PROTO_OK || len2 != len ||
	    memcmp(packed, packed2, len) != 0)
		abort();
	free(packed);
	free(packed2);
	control_free(env);
	control_free(env2);
	return 0;
}
