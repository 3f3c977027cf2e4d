/*
 * smux_codec.c — the 8-byte smux frame header (smux.md §2–§3): Version, Cmd,
 * Length (uint16 LE), StreamID (uint32 LE). Checks a received header against
 * the session's version in a fixed order — Version, then Cmd, then Length —
 * so each malformed header has exactly one error code.
 */
#include "byteorder.h"
#include "proto_err.h"
#include "smux.h"

#define UPD_BODY_LEN 8u

void smux_header_encode(const struct smux_header *h, uint8_t out[SMUX_HEADER_LEN])
{
	out[0] = h->version;
	out[1] = h->cmd;
	le16_put(out + 2, h->length);
	le32_put(out + 4, h->stream_id);
}

/* Whether Length suits Cmd (which is already known to be valid). */
static bool length_fits(uint8_t cmd, uint16_t length)
{
	switch (cmd) {
	case SMUX_CMD_PSH:
		return true;
	case SMUX_CMD_UPD:
		return length == UPD_BODY_LEN;
	default: /* SYN, FIN, NOP carry nothing */
		return length == 0;
	}
}

int smux_header_decode(const uint8_t in[SMUX_HEADER_LEN], uint8_t version,
		       struct smux_header *h)
{
	h->version = in[0];
	h->cmd = in[1];
	h->length = le16_get(in + 2);
	h->stream_id = le32_get(in + 4);
	if (h->version != version)
		return PROTO_E_SMUX_VERSION;
	if (h->cmd > SMUX_CMD_UPD || (h->cmd == SMUX_CMD_UPD && version < 2))
		return PROTO_E_SMUX_CMD;
	if (!length_fits(h->cmd, h->length))
		return PROTO_E_SMUX_LENGTH;
	return PROTO_OK;
}
