/*
 * fuzz_frame.c — libFuzzer target for the data-channel frame decoder.
 *
 * Any input must decode to PROTO_OK or one of the decoder's documented errors,
 * without reading past the input (ASan); a frame that decodes must re-encode
 * and decode again to the same fields (the digest too, unless the payload is
 * empty: receivers do not check an empty payload's digest, the encoder writes
 * the real one).
 */
#include "fuzz_common.h"
#include "frame.h"
#include "proto_err.h"

#include <stdlib.h>
#include <string.h>

static int documented(int rc)
{
	switch (rc) {
	case PROTO_OK: case PROTO_E_TRUNCATED: case PROTO_E_TOO_LARGE:
	case PROTO_E_HEADER_LENGTH: case PROTO_E_MESSAGE_TYPE: case PROTO_E_SCHEMA_VERSION:
	case PROTO_E_CREATED_DATE: case PROTO_E_SEQUENCE: case PROTO_E_PAYLOAD_TYPE:
	case PROTO_E_PAYLOAD_LENGTH: case PROTO_E_DIGEST:
		return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frame f, g;
	uint8_t *again;
	size_t len;
	int rc = frame_decode(data, size, 0, &f);

	if (!documented(rc))
		abort();
	if (rc != PROTO_OK)
		return 0;
	again = malloc(frame_encoded_len(&f));
	if (!again)
		return 0;
	if (frame_encode(&f, again, frame_encoded_len(&f), &len) != PROTO_OK ||
	    len != size || frame_decode(again, len, 0, &g) != PROTO_OK ||
	    strcmp(f.message_type, g.message_type) != 0 ||
	    f.sequence_number != g.sequence_number || f.created_date != g.created_date ||
	    f.flags != g.flags || !uuid_equal(&f.message_id, &g.message_id) ||
	    (f.payload_len && memcmp(f.digest, g.digest, sizeof(f.digest)) != 0) ||
	    f.payload_type != g.payload_type || f.payload_len != g.payload_len ||
	    memcmp(f.payload, g.payload, f.payload_len) != 0)
		abort();
	free(again);
	return 0;
}
