/*
 * frame.h — the Session Manager data-channel frame (data-channel.md §2–§4).
 *
 *   offset size field
 *        0    4 HeaderLength    uint32, always 116 (offset of PayloadLength)
 *        4   32 MessageType     ASCII, right-padded with spaces (NULs accepted)
 *       36    4 SchemaVersion   uint32, always 1
 *       40    8 CreatedDate     uint64, ms since the epoch, never 0
 *       48    8 SequenceNumber  int64, stream position; 0 for unsequenced types
 *       56    8 Flags           uint64, bit 0 SYN, bit 1 FIN; receivers ignore it
 *       64   16 MessageId       UUID, second half first (uuid_to_wire)
 *       80   32 PayloadDigest   SHA-256 of the payload bytes as carried
 *      112    4 PayloadType     uint32, table in §4 (0 = none)
 *      116    4 PayloadLength   uint32, bytes that follow
 *      120    n Payload
 *
 * All integers big-endian. One websocket message carries exactly one frame, so the
 * decoder is given the whole message and checks PayloadLength against it. The codec
 * does no I/O and allocates nothing: a decoded frame's payload points into the
 * caller's buffer and lives as long as that buffer.
 */
#ifndef POSTERN_FRAME_H
#define POSTERN_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "uuid.h"

#define FRAME_HEADER_LENGTH 116u
#define FRAME_PAYLOAD_OFFSET 120u
#define FRAME_MESSAGE_TYPE_LEN 32u
#define FRAME_SCHEMA_VERSION 1u
#define FRAME_DIGEST_LEN 32u

/* The broker's cap on one data-channel message (data-channel.md §1.6). */
#define FRAME_MAX_DEFAULT (64u * 1024u)

#define FRAME_FLAG_SYN 1u
#define FRAME_FLAG_FIN 2u

/* PayloadType values (data-channel.md §4). */
enum payload_type {
	PAYLOAD_NONE = 0,
	PAYLOAD_OUTPUT = 1,
	PAYLOAD_ERROR = 2,
	PAYLOAD_SIZE = 3,
	PAYLOAD_PARAMETER = 4,
	PAYLOAD_HANDSHAKE_REQUEST = 5,
	PAYLOAD_HANDSHAKE_RESPONSE = 6,
	PAYLOAD_HANDSHAKE_COMPLETE = 7,
	PAYLOAD_ENC_CHALLENGE_REQUEST = 8,
	PAYLOAD_ENC_CHALLENGE_RESPONSE = 9,
	PAYLOAD_FLAG = 10,
	PAYLOAD_STDERR = 11,
	PAYLOAD_EXIT_CODE = 12,
	PAYLOAD_TYPE_MAX = PAYLOAD_EXIT_CODE,
};

/* MessageType names of the data channel (data-channel.md §3). */
enum message_kind {
	MSG_UNKNOWN = 0,
	MSG_INPUT_STREAM_DATA,
	MSG_OUTPUT_STREAM_DATA,
	MSG_ACKNOWLEDGE,
	MSG_CHANNEL_CLOSED,
	MSG_START_PUBLICATION,
	MSG_PAUSE_PUBLICATION,
	MSG_AGENT_SESSION_STATE,
};

struct frame {
	char message_type[FRAME_MESSAGE_TYPE_LEN + 1]; /* trimmed, NUL-terminated */
	uint32_t schema_version;
	uint64_t created_date;
	int64_t sequence_number;
	uint64_t flags;
	struct uuid message_id;
	uint8_t digest[FRAME_DIGEST_LEN]; /* filled by decode; encode computes it */
	uint32_t payload_type;
	const uint8_t *payload; /* borrowed, payload_len bytes */
	size_t payload_len;
};

/* Bytes frame_encode() writes for this frame. */
size_t frame_encoded_len(const struct frame *f);

/*
 * Encode f into out; the digest is computed here (f->digest is ignored). The
 * encoder refuses every header value frame_decode() would refuse, with the same
 * codes: message_type not 1..32 characters of [A-Za-z0-9_] (MESSAGE_TYPE),
 * schema_version != 1 (SCHEMA_VERSION), created_date 0 (CREATED_DATE), negative
 * sequence_number (SEQUENCE), payload_type over 12 (PAYLOAD_TYPE); also
 * PROTO_E_TOO_LARGE for a payload over 4 GiB - 1 and PROTO_E_BUFFER_SMALL.
 * The size cap is the receiver's policy and is not applied here.
 * On success *out_len is set.
 */
int frame_encode(const struct frame *f, uint8_t *out, size_t out_cap, size_t *out_len);

/*
 * Decode and validate one whole message of len bytes. max_len caps the message
 * (0 means FRAME_MAX_DEFAULT). Checks, in this order, each with its own code:
 * length >= 120 (TRUNCATED), length <= max_len (TOO_LARGE), HeaderLength
 * (HEADER_LENGTH), MessageType (MESSAGE_TYPE), SchemaVersion (SCHEMA_VERSION),
 * CreatedDate != 0 (CREATED_DATE), SequenceNumber >= 0 (SEQUENCE), PayloadType
 * known (PAYLOAD_TYPE), PayloadLength == len - 120 (PAYLOAD_LENGTH), and for a
 * non-empty payload the SHA-256 digest (DIGEST). Flags are not checked (§2.5).
 * Never reads outside buf[0..len).
 */
int frame_decode(const uint8_t *buf, size_t len, size_t max_len, struct frame *out);

/*
 * frame_decode() without the digest check, for a relay that forwards the
 * bytes unchanged and leaves that check to the receiver (§2.7): what reads
 * or records the payload itself must use frame_decode() or check
 * frame_digest_valid() first.
 */
int frame_decode_unverified(const uint8_t *buf, size_t len, size_t max_len, struct frame *out);

/* Whether a decoded frame's PayloadDigest matches its payload (empty: yes). */
bool frame_digest_valid(const struct frame *f);

/* Map a trimmed MessageType to its kind, and back ("" for MSG_UNKNOWN). */
enum message_kind message_kind_of(const char *message_type);
const char *message_kind_name(enum message_kind kind);

/* Convenience: fill f's header for an unsequenced message (seq 0, flags SYN|FIN). */
void frame_init(struct frame *f, enum message_kind kind, uint64_t now_ms,
		const struct uuid *id);

#endif
