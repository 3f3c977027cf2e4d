/*
 * payload_challenge.c — the encryption challenge (data-channel.md §5.8,
 * session-flow.md §7.1): {"Challenge":"<base64>"}, sent by the agent as
 * EncChallengeRequest (PayloadType 8) and echoed re-encrypted by the client as
 * EncChallengeResponse (PayloadType 9). The codec only moves the bytes; the
 * cipher is the caller's business.
 */
#include "payload.h"
#include "json_util.h"
#include "proto_err.h"

#include <stdlib.h>
#include <string.h>

int payload_enc_challenge_encode(const struct payload_enc_challenge *ch, uint8_t **out,
				 size_t *out_len)
{
	static const uint8_t none[1];
	json_t *v;
	int rc;

	if ((!ch->challenge && ch->len != 0) || ch->len > PAYLOAD_CHALLENGE_MAX)
		return PROTO_E_INVALID_ARG;
	/* NULL with length 0 is written as "", never null: the decoder requires it */
	rc = json_util_bytes_value(ch->challenge ? ch->challenge : none, ch->len, &v);
	if (rc != PROTO_OK)
		return rc;
	return json_util_pack_dump(out, out_len, "{s:o}", "Challenge", v);
}

static int read_challenge(const json_t *root, void *out)
{
	struct payload_enc_challenge *ch = out;

	return json_util_get_bytes(root, "Challenge", PAYLOAD_CHALLENGE_MAX, JSON_UTIL_REQUIRED,
				   &ch->challenge, &ch->len);
}

int payload_enc_challenge_decode(const uint8_t *buf, size_t len,
				 struct payload_enc_challenge *out)
{
	int rc = json_util_decode(buf, len, PAYLOAD_JSON_MAX, read_challenge, out, sizeof(*out));

	if (rc != PROTO_OK)
		payload_enc_challenge_free(out);
	return rc;
}

void payload_enc_challenge_free(struct payload_enc_challenge *ch)
{
	free(ch->challenge);
	memset(ch, 0, sizeof(*ch));
}
