/*
 * test_frame.c — the data-channel frame codec (proto/frame.c).
 *
 * Covers: the worked vectors of data-channel.md §9.1 and §9.2 (encoded from
 * their field values and compared byte for byte, and decoded field by field);
 * message_kind_of / message_kind_name; round trips of every message kind and
 * every payload type with empty, small and near-cap payloads; the size cap and
 * the explicit max_len argument; every truncated prefix of a frame (each from a
 * heap buffer of exactly that length, so ASan sees any over-read); each header
 * field out of range giving its own error code, in the documented check order;
 * MessageType trimming (§2.2); digest checks (§2.7); Flags ignored (§2.5); a
 * sweep flipping every bit of valid frames; and the encoder's own errors.
 */
#include <criterion/criterion.h>

#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

#include "byteorder.h"
#include "frame.h"
#include "proto_err.h"
#include "test_util.h"
#include "uuid.h"

/* ---- error codes ------------------------------------------------------------ */

Test(frame_errors, codes_are_distinct_and_named)
{
	static const int codes[] = {
		PROTO_OK, PROTO_E_BUFFER_SMALL, PROTO_E_TRUNCATED, PROTO_E_HEADER_LENGTH,
		PROTO_E_MESSAGE_TYPE, PROTO_E_SCHEMA_VERSION, PROTO_E_CREATED_DATE,
		PROTO_E_SEQUENCE, PROTO_E_PAYLOAD_TYPE, PROTO_E_PAYLOAD_LENGTH, PROTO_E_DIGEST,
		PROTO_E_TOO_LARGE, PROTO_E_UUID,
	};
	const size_t n = sizeof(codes) / sizeof(codes[0]);

	for (size_t i = 0; i < n; i++) {
		cr_assert_not_null(proto_err_str(codes[i]));
		cr_assert_str_neq(proto_err_str(codes[i]), "unknown error", "code %d", codes[i]);
		for (size_t j = i + 1; j < n; j++) {
			cr_assert_neq(codes[i], codes[j]);
			cr_assert_str_neq(proto_err_str(codes[i]), proto_err_str(codes[j]));
		}
	}
	cr_assert_str_eq(proto_err_str(12345), "unknown error");
}

/* ---- the vectors of data-channel.md §9, verbatim --------------------------- */

#define CREATED_91 1700000000000ull /* 0000018bcfe56800 */
#define CREATED_92 1700000000250ull /* 0000018bcfe568fa */

/* §9.1 acknowledge */
static const char ack_acked_id[] = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
static const char ack_own_id[] = "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
static const char ack_payload[] =
	"{\"AcknowledgedMessageType\":\"output_stream_data\",\"AcknowledgedMessageId\":\"7c9e6679-7425-40de-944b-e07fc1f90ae7\",\"AcknowledgedMessageSequenceNumber\":0,\"IsSequentialMessage\":true}";
static const char ack_digest_hex[] =
	"02cd971e905da746e9806c71debc018f7a2b9aadb4d1322f19da9fe4b4878ef7";
static const char ack_frame_hex[] =
	"0000007461636b6e6f776c65646765202020202020202020202020202020202020202020\n"
	"000000010000018bcfe56800000000000000000000000000000000038e7f9a0b1c2d3e4f\n"
	"6f1c2d3e4a5b4c6d02cd971e905da746e9806c71debc018f7a2b9aadb4d1322f19da9fe4\n"
	"b4878ef700000000000000b07b2241636b6e6f776c65646765644d657373616765547970\n"
	"65223a226f75747075745f73747265616d5f64617461222c2241636b6e6f776c65646765\n"
	"644d6573736167654964223a2237633965363637392d373432352d343064652d39343462\n"
	"2d653037666331663930616537222c2241636b6e6f776c65646765644d65737361676553\n"
	"657175656e63654e756d626572223a302c22497353657175656e7469616c4d6573736167\n"
	"65223a747275657d\n";

/* §9.2 input_stream_data */
static const char input_id[] = "0b5e3a7d-1f24-4c89-9a61-3d2e8f4b7c10";
static const uint8_t input_payload[] = { 0x6c, 0x73, 0x0d };
static const char input_digest_hex[] =
	"1d887ce0f8672e4914d9000e801cd74ecd805dd9366c0bc42dc16adc0197dc2f";
static const char input_frame_hex[] =
	"00000074696e7075745f73747265616d5f64617461202020202020202020202020202020\n"
	"000000010000018bcfe568fa000000000000000100000000000000009a613d2e8f4b7c10\n"
	"0b5e3a7d1f244c891d887ce0f8672e4914d9000e801cd74ecd805dd9366c0bc42dc16adc\n"
	"0197dc2f00000001000000036c730d\n";

/* §2.7: SHA-256 of the empty string. */
static const char empty_digest_hex[] =
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/* Field offsets of §2, restated here so the tests do not trust frame.c's. */
enum {
	T_HEADER_LENGTH = 0,
	T_MESSAGE_TYPE = 4,
	T_SCHEMA = 36,
	T_CREATED = 40,
	T_SEQUENCE = 48,
	T_FLAGS = 56,
	T_MESSAGE_ID = 64,
	T_DIGEST = 80,
	T_PAYLOAD_TYPE = 112,
	T_PAYLOAD_LENGTH = 116,
	T_PAYLOAD = 120,
};

/* ---- helpers ------------------------------------------------------------------ */

/* A vector as a heap buffer of exactly its length. */
static uint8_t *vector(const char *hex, size_t *len)
{
	uint8_t *buf = hex_decode_alloc(hex, len);

	cr_assert_not_null(buf, "test vector is not valid hex");
	return buf;
}

static void parse_id(const char *text, struct uuid *id)
{
	cr_assert_eq(uuid_parse(text, id), PROTO_OK, "bad UUID in test: %s", text);
}

static void set_type(struct frame *f, const char *name)
{
	cr_assert_lt(strlen(name), sizeof(f->message_type));
	strcpy(f->message_type, name);
}

/* The header fields of §9.1, as a sender would fill them. */
static void frame_91(struct frame *f)
{
	memset(f, 0, sizeof(*f));
	set_type(f, "acknowledge");
	f->schema_version = 1;
	f->created_date = CREATED_91;
	f->sequence_number = 0;
	f->flags = FRAME_FLAG_SYN | FRAME_FLAG_FIN;
	parse_id(ack_own_id, &f->message_id);
	f->payload_type = PAYLOAD_NONE;
	f->payload = (const uint8_t *)ack_payload;
	f->payload_len = strlen(ack_payload);
}

/* The header fields of §9.2. */
static void frame_92(struct frame *f)
{
	memset(f, 0, sizeof(*f));
	set_type(f, "input_stream_data");
	f->schema_version = 1;
	f->created_date = CREATED_92;
	f->sequence_number = 1;
	f->flags = 0;
	parse_id(input_id, &f->message_id);
	f->payload_type = PAYLOAD_OUTPUT;
	f->payload = input_payload;
	f->payload_len = sizeof(input_payload);
}

static void assert_bytes(const uint8_t *got, const uint8_t *want, size_t n, const char *what)
{
	long at = test_first_diff(got, want, n);

	cr_assert_eq(at, -1, "%s: first difference at offset %ld: got %02x, want %02x", what,
		     at, at >= 0 ? got[at] : 0, at >= 0 ? want[at] : 0);
}

static void assert_digest_hex(const uint8_t digest[FRAME_DIGEST_LEN], const char *want)
{
	char hex[2 * FRAME_DIGEST_LEN + 1];

	hex_encode(digest, FRAME_DIGEST_LEN, hex);
	cr_assert_str_eq(hex, want);
}

/* Decode from an exact-size heap copy; the copy is returned (caller frees) so the
 * decoded payload pointer stays valid. */
static int decode_copy(const uint8_t *buf, size_t len, size_t max_len, struct frame *f,
		       uint8_t **copy)
{
	uint8_t *c = test_dup_exact(buf, len);
	int rc;

	cr_assert(c != NULL || len == 0);
	rc = frame_decode(c, len, max_len, f);
	if (copy) {
		*copy = c;
	} else {
		free(c);
		f->payload = NULL;
	}
	return rc;
}

/* Decode from an exact-size heap copy, returning only the result code. */
static int decode_rc(const uint8_t *buf, size_t len)
{
	struct frame f;

	return decode_copy(buf, len, 0, &f, NULL);
}

/* Every field of a decoded frame equals what was encoded. */
static void assert_same_frame(const struct frame *got, const struct frame *want)
{
	uint8_t digest[FRAME_DIGEST_LEN];

	cr_assert_str_eq(got->message_type, want->message_type);
	cr_assert_eq(got->schema_version, want->schema_version);
	cr_assert_eq(got->created_date, want->created_date);
	cr_assert_eq(got->sequence_number, want->sequence_number);
	cr_assert_eq(got->flags, want->flags);
	cr_assert(uuid_equal(&got->message_id, &want->message_id));
	cr_assert_eq(got->payload_type, want->payload_type);
	cr_assert_eq(got->payload_len, want->payload_len);
	if (want->payload_len)
		cr_assert_eq(memcmp(got->payload, want->payload, want->payload_len), 0);
	SHA256(want->payload_len ? want->payload : (const uint8_t *)"", want->payload_len,
	       digest);
	assert_bytes(got->digest, digest, FRAME_DIGEST_LEN, "digest");
}

/* A payload of n bytes cycling through every byte value. */
static uint8_t *pattern(size_t n)
{
	uint8_t *p = malloc(n ? n : 1);

	cr_assert_not_null(p);
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + 3);
	return p;
}

/* ---- §9: the worked vectors ------------------------------------------------- */

Test(frame_vectors, doc_digests_are_sha256_of_payloads)
{
	uint8_t d[FRAME_DIGEST_LEN];

	cr_assert_eq(strlen(ack_payload), 176);
	SHA256((const uint8_t *)ack_payload, strlen(ack_payload), d);
	assert_digest_hex(d, ack_digest_hex);
	SHA256(input_payload, sizeof(input_payload), d);
	assert_digest_hex(d, input_digest_hex);
	SHA256((const uint8_t *)"", 0, d);
	assert_digest_hex(d, empty_digest_hex);
}

Test(frame_vectors, encode_acknowledge_91)
{
	size_t want_len, got_len = 0;
	uint8_t *want = vector(ack_frame_hex, &want_len);
	struct frame f;
	uint8_t *out;

	cr_assert_eq(want_len, 296);
	frame_91(&f);
	memset(f.digest, 0xa5, sizeof(f.digest)); /* ignored by the encoder */
	cr_assert_eq(frame_encoded_len(&f), 296);
	out = malloc(296);
	cr_assert_eq(frame_encode(&f, out, 296, &got_len), PROTO_OK);
	cr_assert_eq(got_len, 296);
	assert_bytes(out, want, 296, "§9.1 frame");
	free(out);
	free(want);
}

Test(frame_vectors, frame_init_builds_the_91_header)
{
	size_t want_len, got_len = 0;
	uint8_t *want = vector(ack_frame_hex, &want_len);
	struct uuid id;
	struct frame f;
	uint8_t *out = malloc(want_len);

	parse_id(ack_own_id, &id);
	frame_init(&f, MSG_ACKNOWLEDGE, CREATED_91, &id);
	cr_assert_str_eq(f.message_type, "acknowledge");
	cr_assert_eq(f.schema_version, 1);
	cr_assert_eq(f.sequence_number, 0);
	cr_assert_eq(f.flags, 3);
	cr_assert_eq(f.payload_type, 0);
	f.payload = (const uint8_t *)ack_payload;
	f.payload_len = strlen(ack_payload);
	cr_assert_eq(frame_encode(&f, out, want_len, &got_len), PROTO_OK);
	cr_assert_eq(got_len, want_len);
	assert_bytes(out, want, want_len, "frame_init §9.1");
	free(out);
	free(want);
}

Test(frame_vectors, encode_input_stream_data_92)
{
	size_t want_len, got_len = 0;
	uint8_t *want = vector(input_frame_hex, &want_len);
	struct frame f;
	uint8_t *out;

	cr_assert_eq(want_len, 123);
	frame_92(&f);
	cr_assert_eq(frame_encoded_len(&f), 123);
	out = malloc(123);
	cr_assert_eq(frame_encode(&f, out, 123, &got_len), PROTO_OK);
	cr_assert_eq(got_len, 123);
	assert_bytes(out, want, 123, "§9.2 frame");
	free(out);
	free(want);
}

Test(frame_vectors, decode_acknowledge_91)
{
	size_t len;
	uint8_t *buf = vector(ack_frame_hex, &len);
	char id[UUID_STR_LEN + 1];
	struct frame f;

	memset(&f, 0x5a, sizeof(f));
	cr_assert_eq(frame_decode(buf, len, 0, &f), PROTO_OK);
	cr_assert_str_eq(f.message_type, "acknowledge");
	cr_assert_eq(message_kind_of(f.message_type), MSG_ACKNOWLEDGE);
	cr_assert_eq(f.schema_version, 1);
	cr_assert_eq(f.created_date, CREATED_91);
	cr_assert_eq(f.sequence_number, 0);
	cr_assert_eq(f.flags, FRAME_FLAG_SYN | FRAME_FLAG_FIN);
	uuid_format(&f.message_id, id);
	cr_assert_str_eq(id, ack_own_id);
	assert_digest_hex(f.digest, ack_digest_hex);
	cr_assert_eq(f.payload_type, PAYLOAD_NONE);
	cr_assert_eq(f.payload_len, 176);
	cr_assert_eq(f.payload, buf + T_PAYLOAD, "payload must point into the buffer");
	cr_assert_eq(memcmp(f.payload, ack_payload, 176), 0);
	/* The acknowledged id inside the JSON is the §9.1 one. */
	cr_assert_not_null(strstr(ack_payload, ack_acked_id));
	free(buf);
}

Test(frame_vectors, decode_input_stream_data_92)
{
	size_t len;
	uint8_t *buf = vector(input_frame_hex, &len);
	char id[UUID_STR_LEN + 1];
	struct frame f;

	memset(&f, 0x5a, sizeof(f));
	cr_assert_eq(frame_decode(buf, len, 0, &f), PROTO_OK);
	cr_assert_str_eq(f.message_type, "input_stream_data");
	cr_assert_eq(message_kind_of(f.message_type), MSG_INPUT_STREAM_DATA);
	cr_assert_eq(f.schema_version, 1);
	cr_assert_eq(f.created_date, CREATED_92);
	cr_assert_eq(f.sequence_number, 1);
	cr_assert_eq(f.flags, 0);
	uuid_format(&f.message_id, id);
	cr_assert_str_eq(id, input_id);
	assert_digest_hex(f.digest, input_digest_hex);
	cr_assert_eq(f.payload_type, PAYLOAD_OUTPUT);
	cr_assert_eq(f.payload_len, 3);
	cr_assert_eq(f.payload, buf + T_PAYLOAD);
	cr_assert_eq(memcmp(f.payload, "ls\r", 3), 0);
	free(buf);
}

/* ---- message kinds and round trips ------------------------------------------ */

static const struct {
	enum message_kind kind;
	const char *name;
} kinds[] = {
	{ MSG_INPUT_STREAM_DATA, "input_stream_data" },
	{ MSG_OUTPUT_STREAM_DATA, "output_stream_data" },
	{ MSG_ACKNOWLEDGE, "acknowledge" },
	{ MSG_CHANNEL_CLOSED, "channel_closed" },
	{ MSG_START_PUBLICATION, "start_publication" },
	{ MSG_PAUSE_PUBLICATION, "pause_publication" },
	{ MSG_AGENT_SESSION_STATE, "agent_session_state" },
};
#define N_KINDS (sizeof(kinds) / sizeof(kinds[0]))

Test(frame_kinds, names_map_both_ways)
{
	for (size_t i = 0; i < N_KINDS; i++) {
		cr_assert_str_eq(message_kind_name(kinds[i].kind), kinds[i].name);
		cr_assert_eq(message_kind_of(kinds[i].name), kinds[i].kind, "%s", kinds[i].name);
	}
	cr_assert_str_eq(message_kind_name(MSG_UNKNOWN), "");
	cr_assert_str_eq(message_kind_name((enum message_kind)(MSG_AGENT_SESSION_STATE + 1)), "");
	cr_assert_str_eq(message_kind_name((enum message_kind)1000), "");
}

Test(frame_kinds, unknown_names)
{
	static const char *const unknown[] = {
		"", "Acknowledge", "ACKNOWLEDGE", "acknowledge ", " acknowledge",
		"acknowledg", "acknowledgee", "interactive_shell", "agent_task_complete",
		"input_stream", "output_stream_data\n",
	};

	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		cr_assert_eq(message_kind_of(unknown[i]), MSG_UNKNOWN, "'%s'", unknown[i]);
}

Test(frame_kinds, frame_init_every_kind)
{
	struct uuid id;
	struct frame f;

	parse_id(input_id, &id);
	for (size_t i = 0; i < N_KINDS; i++) {
		memset(&f, 0x77, sizeof(f));
		frame_init(&f, kinds[i].kind, 42, &id);
		cr_assert_str_eq(f.message_type, kinds[i].name);
		cr_assert_eq(f.schema_version, FRAME_SCHEMA_VERSION);
		cr_assert_eq(f.created_date, 42);
		cr_assert_eq(f.sequence_number, 0);
		cr_assert_eq(f.flags, FRAME_FLAG_SYN | FRAME_FLAG_FIN);
		cr_assert(uuid_equal(&f.message_id, &id));
		cr_assert_eq(f.payload_type, 0);
		cr_assert_null(f.payload);
		cr_assert_eq(f.payload_len, 0);
	}
}

/* Encode f into an exact buffer, decode it from an exact copy, compare. */
static void round_trip(const struct frame *f, size_t max_len)
{
	size_t len = frame_encoded_len(f), out_len = 0;
	uint8_t *buf = malloc(len), *copy;
	struct frame got;

	cr_assert_not_null(buf);
	cr_assert_eq(len, T_PAYLOAD + f->payload_len);
	cr_assert_eq(frame_encode(f, buf, len, &out_len), PROTO_OK, "%s type %u len %zu",
		     f->message_type, f->payload_type, f->payload_len);
	cr_assert_eq(out_len, len);
	/* The wire header as §2 lays it out. */
	cr_assert_eq(be32_get(buf + T_HEADER_LENGTH), 116);
	cr_assert_eq(be32_get(buf + T_PAYLOAD_LENGTH), f->payload_len);
	cr_assert_eq(be32_get(buf + T_PAYLOAD_TYPE), f->payload_type);
	for (size_t i = strlen(f->message_type); i < FRAME_MESSAGE_TYPE_LEN; i++)
		cr_assert_eq(buf[T_MESSAGE_TYPE + i], ' ', "MessageType must be space-padded");

	memset(&got, 0x5a, sizeof(got));
	cr_assert_eq(decode_copy(buf, len, max_len, &got, &copy), PROTO_OK, "%s type %u len %zu",
		     f->message_type, f->payload_type, f->payload_len);
	assert_same_frame(&got, f);
	cr_assert_eq(got.payload, copy + T_PAYLOAD);
	free(copy);
	free(buf);
}

Test(frame_roundtrip, every_kind_every_payload_type)
{
	static const size_t sizes[] = { 0, 1, 37, 1024, 1027 };
	struct uuid id;
	uint8_t *payload = pattern(1027);
	uint8_t rnd[UUID_LEN];

	for (size_t k = 0; k < N_KINDS; k++) {
		for (uint32_t pt = 0; pt <= PAYLOAD_TYPE_MAX; pt++) {
			for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
				struct frame f;

				for (int i = 0; i < UUID_LEN; i++)
					rnd[i] = (uint8_t)(k * 31 + pt * 17 + s * 5 + (size_t)i);
				id = uuid_v4_from_bytes(rnd);
				frame_init(&f, kinds[k].kind, CREATED_91 + k, &id);
				f.payload_type = pt;
				f.sequence_number = (int64_t)(k * 1000 + pt * 10 + s);
				f.flags = (uint64_t)s;
				f.payload = sizes[s] ? payload : NULL;
				f.payload_len = sizes[s];
				round_trip(&f, 0);
			}
		}
	}
	free(payload);
}

Test(frame_roundtrip, empty_payload_has_empty_digest)
{
	size_t len;
	uint8_t *buf = test_frame_build("channel_closed", 0, 0, NULL, 0, &len);
	struct frame f;

	cr_assert_not_null(buf);
	cr_assert_eq(len, 120);
	assert_digest_hex(buf + T_DIGEST, empty_digest_hex);
	cr_assert_eq(frame_decode(buf, len, 0, &f), PROTO_OK);
	cr_assert_eq(f.payload_len, 0);
	assert_digest_hex(f.digest, empty_digest_hex);
	free(buf);
}

Test(frame_roundtrip, extreme_header_values)
{
	uint8_t one = 0x42;
	struct frame f;

	frame_92(&f);
	f.created_date = 1;
	f.sequence_number = 0;
	f.flags = 0;
	round_trip(&f, 0);
	f.created_date = UINT64_MAX;
	f.sequence_number = INT64_MAX;
	f.flags = UINT64_MAX;
	f.payload = &one;
	f.payload_len = 1;
	round_trip(&f, 0);
	/* Longest legal name: exactly 32 characters, no padding at all. */
	set_type(&f, "abcdefghijklmnopqrstuvwxyzABCD_9");
	cr_assert_eq(strlen(f.message_type), 32);
	round_trip(&f, 0);
	cr_assert_eq(message_kind_of(f.message_type), MSG_UNKNOWN);
}

/* ---- size cap and max_len --------------------------------------------------- */

Test(frame_size, payload_at_the_64k_cap)
{
	size_t n = FRAME_MAX_DEFAULT - T_PAYLOAD;
	uint8_t *payload = pattern(n);
	struct frame f;

	frame_92(&f);
	f.payload = payload;
	f.payload_len = n;
	cr_assert_eq(frame_encoded_len(&f), FRAME_MAX_DEFAULT);
	round_trip(&f, 0);
	round_trip(&f, FRAME_MAX_DEFAULT);
	free(payload);
}

Test(frame_size, one_byte_over_the_64k_cap)
{
	size_t n = FRAME_MAX_DEFAULT - T_PAYLOAD + 1, len;
	uint8_t *payload = pattern(n);
	uint8_t *buf = test_frame_build("output_stream_data", 9, PAYLOAD_OUTPUT, payload, n, &len);
	struct frame f;

	cr_assert_not_null(buf, "the encoder has no 64 KiB cap, only the decoder");
	cr_assert_eq(len, FRAME_MAX_DEFAULT + 1);
	cr_assert_eq(decode_copy(buf, len, 0, &f, NULL), PROTO_E_TOO_LARGE);
	cr_assert_eq(decode_copy(buf, len, FRAME_MAX_DEFAULT, &f, NULL), PROTO_E_TOO_LARGE);
	cr_assert_eq(decode_copy(buf, len, FRAME_MAX_DEFAULT + 1, &f, NULL), PROTO_OK);
	free(buf);
	free(payload);
}

Test(frame_size, explicit_max_len)
{
	size_t len;
	uint8_t *buf = vector(input_frame_hex, &len);
	struct frame f;

	cr_assert_eq(decode_copy(buf, len, len, &f, NULL), PROTO_OK);
	cr_assert_eq(decode_copy(buf, len, len + 1, &f, NULL), PROTO_OK);
	cr_assert_eq(decode_copy(buf, len, SIZE_MAX, &f, NULL), PROTO_OK);
	cr_assert_eq(decode_copy(buf, len, len - 1, &f, NULL), PROTO_E_TOO_LARGE);
	cr_assert_eq(decode_copy(buf, len, 120, &f, NULL), PROTO_E_TOO_LARGE);
	cr_assert_eq(decode_copy(buf, len, 1, &f, NULL), PROTO_E_TOO_LARGE);
	/* Checked in the documented order: length >= 120 comes before the cap. */
	cr_assert_eq(decode_copy(buf, 100, 50, &f, NULL), PROTO_E_TRUNCATED);
	free(buf);
}

Test(frame_size, larger_max_len_admits_larger_frames)
{
	size_t n = 200 * 1024, len;
	uint8_t *payload = pattern(n);
	struct frame f;

	frame_92(&f);
	f.payload = payload;
	f.payload_len = n;
	len = frame_encoded_len(&f);
	round_trip(&f, 256 * 1024);
	round_trip(&f, len);
	free(payload);
}

Test(frame_size, over_the_cap_is_refused_without_reading)
{
	size_t len = FRAME_MAX_DEFAULT + 1;
	uint8_t *buf = test_unreadable_alloc(len);
	struct frame f;

	cr_assert_not_null(buf);
	cr_assert_eq(frame_decode(buf, len, 0, &f), PROTO_E_TOO_LARGE);
	test_unreadable_free(buf, len);
}

Test(frame_size, encoder_refuses_payload_over_4gib)
{
#if SIZE_MAX > UINT32_MAX
	uint8_t byte = 0, out[T_PAYLOAD];
	size_t out_len = 0;
	struct frame f;

	frame_92(&f);
	f.payload = &byte; /* never read: the length is refused first */
	f.payload_len = (size_t)UINT32_MAX + 1;
	cr_assert_eq(frame_encode(&f, out, sizeof(out), &out_len), PROTO_E_TOO_LARGE);
#else
	cr_skip_test("size_t cannot exceed 4 GiB here");
#endif
}

/* ---- truncation ---------------------------------------------------------------- */

static void every_prefix(const char *hex)
{
	size_t len;
	uint8_t *buf = vector(hex, &len);

	for (size_t k = 0; k < len; k++) {
		int want = k < T_PAYLOAD ? PROTO_E_TRUNCATED : PROTO_E_PAYLOAD_LENGTH;
		int rc = decode_rc(buf, k);

		cr_assert_eq(rc, want, "prefix of %zu bytes: got %d (%s), want %d", k, rc,
			     proto_err_str(rc), want);
	}
	cr_assert_eq(decode_rc(buf, len), PROTO_OK);
	free(buf);
}

Test(frame_truncation, every_prefix_of_91)
{
	every_prefix(ack_frame_hex);
}

Test(frame_truncation, every_prefix_of_92)
{
	every_prefix(input_frame_hex);
}

Test(frame_truncation, every_prefix_of_empty_payload_frame)
{
	size_t len;
	uint8_t *buf = test_frame_build("start_publication", 0, 0, NULL, 0, &len);

	cr_assert_not_null(buf);
	for (size_t k = 0; k < len; k++)
		cr_assert_eq(decode_rc(buf, k), PROTO_E_TRUNCATED, "prefix %zu", k);
	cr_assert_eq(decode_rc(buf, len), PROTO_OK);
	free(buf);
}

Test(frame_truncation, trailing_bytes)
{
	size_t len;
	uint8_t *buf = vector(input_frame_hex, &len);
	uint8_t *longer = calloc(1, len + 5);

	memcpy(longer, buf, len);
	for (size_t extra = 1; extra <= 5; extra++)
		cr_assert_eq(decode_rc(longer, len + extra), PROTO_E_PAYLOAD_LENGTH);
	free(longer);
	free(buf);
}

/* ---- each header field out of range -------------------------------------------- */

/* Decode a copy of the §9.2 frame after mut() rewrote it. */
static int decode_92_with(void (*mut)(uint8_t *buf, uint64_t v), uint64_t v, struct frame *f)
{
	size_t len;
	uint8_t *buf = vector(input_frame_hex, &len);
	int rc;

	mut(buf, v);
	rc = decode_copy(buf, len, 0, f, NULL);
	free(buf);
	return rc;
}

static void put_header_length(uint8_t *b, uint64_t v)
{
	be32_put(b + T_HEADER_LENGTH, (uint32_t)v);
}

static void put_schema(uint8_t *b, uint64_t v)
{
	be32_put(b + T_SCHEMA, (uint32_t)v);
}

static void put_created(uint8_t *b, uint64_t v)
{
	be64_put(b + T_CREATED, v);
}

static void put_sequence(uint8_t *b, uint64_t v)
{
	be64_put(b + T_SEQUENCE, v);
}

static void put_flags(uint8_t *b, uint64_t v)
{
	be64_put(b + T_FLAGS, v);
}

static void put_payload_type(uint8_t *b, uint64_t v)
{
	be32_put(b + T_PAYLOAD_TYPE, (uint32_t)v);
}

static void put_payload_length(uint8_t *b, uint64_t v)
{
	be32_put(b + T_PAYLOAD_LENGTH, (uint32_t)v);
}

Test(frame_fields, header_length)
{
	static const uint64_t bad[] = { 0, 115, 117, 120, 0x74000000, 0xffffffff };
	struct frame f;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(decode_92_with(put_header_length, bad[i], &f), PROTO_E_HEADER_LENGTH,
			     "HeaderLength %llu", (unsigned long long)bad[i]);
	cr_assert_eq(decode_92_with(put_header_length, 116, &f), PROTO_OK);
}

Test(frame_fields, schema_version)
{
	struct frame f;

	cr_assert_eq(decode_92_with(put_schema, 0, &f), PROTO_E_SCHEMA_VERSION);
	cr_assert_eq(decode_92_with(put_schema, 2, &f), PROTO_E_SCHEMA_VERSION);
	cr_assert_eq(decode_92_with(put_schema, 0xffffffff, &f), PROTO_E_SCHEMA_VERSION);
	cr_assert_eq(decode_92_with(put_schema, 0x01000000, &f), PROTO_E_SCHEMA_VERSION);
	cr_assert_eq(decode_92_with(put_schema, 1, &f), PROTO_OK);
}

Test(frame_fields, created_date)
{
	struct frame f;

	cr_assert_eq(decode_92_with(put_created, 0, &f), PROTO_E_CREATED_DATE);
	cr_assert_eq(decode_92_with(put_created, 1, &f), PROTO_OK);
	cr_assert_eq(f.created_date, 1);
	cr_assert_eq(decode_92_with(put_created, UINT64_MAX, &f), PROTO_OK);
	cr_assert_eq(f.created_date, UINT64_MAX);
}

Test(frame_fields, sequence_number)
{
	struct frame f;

	cr_assert_eq(decode_92_with(put_sequence, (uint64_t)-1, &f), PROTO_E_SEQUENCE);
	cr_assert_eq(decode_92_with(put_sequence, 0x8000000000000000ull, &f), PROTO_E_SEQUENCE);
	cr_assert_eq(decode_92_with(put_sequence, (uint64_t)-12345, &f), PROTO_E_SEQUENCE);
	cr_assert_eq(decode_92_with(put_sequence, 0, &f), PROTO_OK);
	cr_assert_eq(f.sequence_number, 0);
	cr_assert_eq(decode_92_with(put_sequence, INT64_MAX, &f), PROTO_OK);
	cr_assert_eq(f.sequence_number, INT64_MAX);
}

Test(frame_fields, payload_type)
{
	struct frame f;

	cr_assert_eq(decode_92_with(put_payload_type, 13, &f), PROTO_E_PAYLOAD_TYPE);
	cr_assert_eq(decode_92_with(put_payload_type, 0xffffffff, &f), PROTO_E_PAYLOAD_TYPE);
	cr_assert_eq(decode_92_with(put_payload_type, 0x80000000, &f), PROTO_E_PAYLOAD_TYPE);
	for (uint32_t pt = 0; pt <= 12; pt++) {
		cr_assert_eq(decode_92_with(put_payload_type, pt, &f), PROTO_OK, "type %u", pt);
		cr_assert_eq(f.payload_type, pt);
	}
}

Test(frame_fields, payload_length)
{
	struct frame f;

	cr_assert_eq(decode_92_with(put_payload_length, 4, &f), PROTO_E_PAYLOAD_LENGTH);
	cr_assert_eq(decode_92_with(put_payload_length, 2, &f), PROTO_E_PAYLOAD_LENGTH);
	cr_assert_eq(decode_92_with(put_payload_length, 0, &f), PROTO_E_PAYLOAD_LENGTH);
	cr_assert_eq(decode_92_with(put_payload_length, 123, &f), PROTO_E_PAYLOAD_LENGTH);
	cr_assert_eq(decode_92_with(put_payload_length, 0xffffffff, &f), PROTO_E_PAYLOAD_LENGTH);
	cr_assert_eq(decode_92_with(put_payload_length, 0x80000003, &f), PROTO_E_PAYLOAD_LENGTH);
	cr_assert_eq(decode_92_with(put_payload_length, 3, &f), PROTO_OK);
}

Test(frame_fields, flags_are_ignored)
{
	static const uint64_t any[] = {
		0, 1, 2, 3, 4, 0xff, 0x8000000000000000ull, 0x123456789abcdef0ull, UINT64_MAX,
	};
	struct frame f;

	for (size_t i = 0; i < sizeof(any) / sizeof(any[0]); i++) {
		cr_assert_eq(decode_92_with(put_flags, any[i], &f), PROTO_OK);
		cr_assert_eq(f.flags, any[i]);
	}
}

Test(frame_fields, checks_run_in_documented_order)
{
	/* A frame wrong in every field; repairing one field at a time must reveal
	 * the next error in the order frame.h documents. */
	size_t len;
	uint8_t *good = vector(input_frame_hex, &len);
	uint8_t *buf = test_dup_exact(good, len);
	struct frame f;

	be32_put(buf + T_HEADER_LENGTH, 0);
	memset(buf + T_MESSAGE_TYPE, ' ', FRAME_MESSAGE_TYPE_LEN);
	be32_put(buf + T_SCHEMA, 0);
	be64_put(buf + T_CREATED, 0);
	be64_put(buf + T_SEQUENCE, (uint64_t)-1);
	be32_put(buf + T_PAYLOAD_TYPE, 13);
	be32_put(buf + T_PAYLOAD_LENGTH, 0);
	buf[T_DIGEST] ^= 1;

	cr_assert_eq(decode_copy(buf, len, len - 1, &f, NULL), PROTO_E_TOO_LARGE);
	cr_assert_eq(decode_copy(buf, len, 0, &f, NULL), PROTO_E_HEADER_LENGTH);
	memcpy(buf + T_HEADER_LENGTH, good + T_HEADER_LENGTH, 4);
	cr_assert_eq(decode_copy(buf, len, 0, &f, NULL), PROTO_E_MESSAGE_TYPE);
	memcpy(buf + T_MESSAGE_TYPE, good + T_MESSAGE_TYPE, 32);
	cr_assert_eq(decode_copy(buf, len, 0, &f, NULL), PROTO_E_SCHEMA_VERSION);
	memcpy(buf + T_SCHEMA, good + T_SCHEMA, 4);
	cr_assert_eq(decode_copy(buf, len, 0, &f, NULL), PROTO_E_CREATED_DATE);
	memcpy(buf + T_CREATED, good + T_CREATED, 8);
	cr_assert_eq(decode_copy(buf, len, 0, &f, NULL), PROTO_E_SEQUENCE);
	memcpy(buf + T_SEQUENCE, good + T_SEQUENCE, 8);
	cr_assert_eq(decode_copy(buf, len, 0, &f, NULL), PROTO_E_PAYLOAD_TYPE);
	memcpy(buf + T_PAYLOAD_TYPE, good + T_PAYLOAD_TYPE, 4);
	cr_assert_eq(decode_copy(buf, len, 0, &f, NULL), PROTO_E_PAYLOAD_LENGTH);
	memcpy(buf + T_PAYLOAD_LENGTH, good + T_PAYLOAD_LENGTH, 4);
	cr_assert_eq(decode_copy(buf, len, 0, &f, NULL), PROTO_E_DIGEST);
	memcpy(buf + T_DIGEST, good + T_DIGEST, 32);
	cr_assert_eq(decode_copy(buf, len, 0, &f, NULL), PROTO_OK);
	free(buf);
	free(good);
}

/* ---- MessageType (§2.2) --------------------------------------------------------- */

/* Decode the §9.2 frame with its 32-byte MessageType field replaced. */
static int decode_with_type_field(const void *field32, struct frame *f)
{
	size_t len;
	uint8_t *buf = vector(input_frame_hex, &len);
	int rc;

	memcpy(buf + T_MESSAGE_TYPE, field32, FRAME_MESSAGE_TYPE_LEN);
	rc = decode_copy(buf, len, 0, f, NULL);
	free(buf);
	return rc;
}

/* A 32-byte field: `pad` everywhere, then n bytes of text at offset at. */
static void type_field(uint8_t field[32], uint8_t pad, size_t at, const char *text, size_t n)
{
	memset(field, pad, 32);
	cr_assert_leq(at + n, 32);
	memcpy(field + at, text, n);
}

#define TEXT(s) s, sizeof(s) - 1

Test(frame_message_type, rejected_fields)
{
	static const struct {
		const char *what;
		uint8_t pad;
		size_t at;
		const char *text;
		size_t n;
	} bad[] = {
		{ "all spaces", ' ', 0, TEXT("") },
		{ "all NULs", 0, 0, TEXT("") },
		{ "NULs and spaces only", 0, 4, TEXT("    ") },
		{ "embedded space", ' ', 0, TEXT("input stream_data") },
		{ "embedded NUL", ' ', 0, TEXT("input\0stream_data") },
		{ "two names", ' ', 0, TEXT("acknowledge acknowledge") },
		{ "non-ASCII inside", ' ', 0, TEXT("input_stre\xe4m_data") },
		{ "non-ASCII at the end", ' ', 0, TEXT("input_stream_data\xc3\xa9") },
		{ "non-ASCII alone", ' ', 0, TEXT("\x80") },
		{ "NBSP padding", 0, 0, TEXT("input_stream_data\xa0\xa0") },
		{ "control char inside", ' ', 0, TEXT("input_\x01stream_data") },
		{ "control char at the end", ' ', 0, TEXT("input_stream_data\x1b") },
		{ "control char at the start", ' ', 0, TEXT("\x07input_stream_data") },
		{ "DEL", ' ', 0, TEXT("input_stream_data\x7f") },
		{ "hyphens", ' ', 0, TEXT("input-stream-data") },
		{ "dot", ' ', 0, TEXT("input.stream") },
		{ "NUL inside the padding", ' ', 0, TEXT("input_stream_data  \0") },
	};
	uint8_t field[32];
	struct frame f;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		type_field(field, bad[i].pad, bad[i].at, bad[i].text, bad[i].n);
		cr_assert_eq(decode_with_type_field(field, &f), PROTO_E_MESSAGE_TYPE, "%s",
			     bad[i].what);
	}
}

Test(frame_message_type, accepted_paddings)
{
	static const struct {
		const char *what;
		uint8_t pad;
		size_t at;
		const char *text;
		size_t n;
	} good[] = {
		{ "space padding", ' ', 0, TEXT("input_stream_data") },
		{ "NUL padding", 0, 0, TEXT("input_stream_data") },
		{ "leading NULs", ' ', 0, TEXT("\0\0\0input_stream_data") },
		{ "leading spaces", ' ', 5, TEXT("input_stream_data") },
		{ "leading spaces, NUL padding", 0, 0, TEXT("   input_stream_data") },
		{ "NULs, spaces, name, spaces, NULs", 0, 0, TEXT("\0\0  input_stream_data   ") },
		{ "other white space around", 0, 0, TEXT("\t\r\n input_stream_data \n\t\v\f") },
		{ "spaces then NULs", ' ', 0, TEXT("input_stream_data      \0\0\0\0\0\0\0\0\0") },
	};
	uint8_t field[32];
	struct frame f;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		type_field(field, good[i].pad, good[i].at, good[i].text, good[i].n);
		cr_assert_eq(decode_with_type_field(field, &f), PROTO_OK, "%s", good[i].what);
		cr_assert_str_eq(f.message_type, "input_stream_data", "%s", good[i].what);
		cr_assert_eq(message_kind_of(f.message_type), MSG_INPUT_STREAM_DATA);
	}
}

Test(frame_message_type, full_width_name)
{
	uint8_t field[32];
	struct frame f;

	type_field(field, ' ', 0, TEXT("ABCDEFGHIJKLMNOPQRSTUVWXYZ_01234"));
	cr_assert_eq(decode_with_type_field(field, &f), PROTO_OK);
	cr_assert_str_eq(f.message_type, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_01234");
	cr_assert_eq(message_kind_of(f.message_type), MSG_UNKNOWN);
}

/* ---- PayloadDigest (§2.7) -------------------------------------------------------- */

Test(frame_digest, flipping_any_digest_byte)
{
	size_t len;
	uint8_t *buf = vector(ack_frame_hex, &len);

	for (size_t i = 0; i < FRAME_DIGEST_LEN; i++) {
		buf[T_DIGEST + i] ^= 0x01;
		cr_assert_eq(decode_rc(buf, len), PROTO_E_DIGEST, "digest byte %zu", i);
		buf[T_DIGEST + i] ^= 0x81;
		cr_assert_eq(decode_rc(buf, len), PROTO_E_DIGEST, "digest byte %zu", i);
		buf[T_DIGEST + i] ^= 0x80;
	}
	cr_assert_eq(decode_rc(buf, len), PROTO_OK);
	free(buf);
}

Test(frame_digest, flipping_any_payload_byte)
{
	size_t len;
	uint8_t *buf = vector(ack_frame_hex, &len);

	for (size_t i = T_PAYLOAD; i < len; i++) {
		buf[i] ^= 0xff;
		cr_assert_eq(decode_rc(buf, len), PROTO_E_DIGEST, "payload byte %zu", i - T_PAYLOAD);
		buf[i] ^= 0xff;
	}
	cr_assert_eq(decode_rc(buf, len), PROTO_OK);
	free(buf);
}

/* The relay's decode: every other check, not the digest; frame_digest_valid
 * tells the same thing frame_decode would have. */
Test(frame_digest, unverified_decode_skips_only_the_digest)
{
	size_t len;
	uint8_t *buf = vector(ack_frame_hex, &len);
	struct frame f;

	buf[T_PAYLOAD] ^= 0x20;
	cr_assert_eq(decode_rc(buf, len), PROTO_E_DIGEST);
	cr_assert_eq(frame_decode_unverified(buf, len, 0, &f), PROTO_OK);
	cr_assert_eq(f.payload_len, len - T_PAYLOAD);
	cr_assert_eq(f.payload, buf + T_PAYLOAD);
	cr_assert_not(frame_digest_valid(&f));
	buf[T_PAYLOAD] ^= 0x20;
	cr_assert_eq(frame_decode_unverified(buf, len, 0, &f), PROTO_OK);
	cr_assert(frame_digest_valid(&f));
	buf[T_SCHEMA + 3] ^= 0x01; /* anything but the digest is still checked */
	cr_assert_eq(frame_decode_unverified(buf, len, 0, &f), PROTO_E_SCHEMA_VERSION);
	cr_assert_eq(frame_decode_unverified(buf, 100, 0, &f), PROTO_E_TRUNCATED);
	free(buf);
}

Test(frame_digest, empty_payload_accepts_any_digest)
{
	size_t len;
	uint8_t *buf = test_frame_build("pause_publication", 0, 0, NULL, 0, &len);
	struct frame f;

	cr_assert_not_null(buf);
	for (int v = 0; v < 3; v++) {
		for (size_t i = 0; i < FRAME_DIGEST_LEN; i++)
			buf[T_DIGEST + i] = v == 0 ? 0 : v == 1 ? 0xff : (uint8_t)(i * 13);
		cr_assert_eq(decode_copy(buf, len, 0, &f, NULL), PROTO_OK);
		cr_assert_eq(memcmp(f.digest, buf + T_DIGEST, FRAME_DIGEST_LEN), 0,
			     "the digest is reported as carried");
	}
	free(buf);
}

/* ---- every single-bit flip -------------------------------------------------------- */

/*
 * What flipping one bit at `off` must give, from the mutated bytes; -1 means
 * "PROTO_OK or PROTO_E_MESSAGE_TYPE" (a flipped letter can be another name).
 */
static int expected_after_flip(const uint8_t *m, size_t len, size_t off)
{
	if (off < T_MESSAGE_TYPE)
		return PROTO_E_HEADER_LENGTH;
	if (off < T_SCHEMA)
		return -1;
	if (off < T_CREATED)
		return PROTO_E_SCHEMA_VERSION;
	if (off < T_SEQUENCE)
		return be64_get(m + T_CREATED) == 0 ? PROTO_E_CREATED_DATE : PROTO_OK;
	if (off < T_FLAGS)
		return (int64_t)be64_get(m + T_SEQUENCE) < 0 ? PROTO_E_SEQUENCE : PROTO_OK;
	if (off < T_DIGEST)
		return PROTO_OK; /* Flags and MessageId: anything goes */
	if (off < T_PAYLOAD_TYPE)
		return len > T_PAYLOAD ? PROTO_E_DIGEST : PROTO_OK;
	if (off < T_PAYLOAD_LENGTH)
		return be32_get(m + T_PAYLOAD_TYPE) <= 12 ? PROTO_OK : PROTO_E_PAYLOAD_TYPE;
	if (off < T_PAYLOAD)
		return PROTO_E_PAYLOAD_LENGTH;
	return PROTO_E_DIGEST;
}

/* A frame that decoded after a bit flip re-encodes to the same bytes, except
 * that NUL padding in MessageType comes back as spaces. */
static void assert_consistent(const struct frame *f, const uint8_t *m, size_t len)
{
	uint8_t *re = malloc(len);
	size_t re_len = 0;

	cr_assert_not_null(re);
	cr_assert_eq(f->payload, m + T_PAYLOAD);
	cr_assert_eq(f->payload_len, len - T_PAYLOAD);
	cr_assert_eq(frame_encode(f, re, len, &re_len), PROTO_OK, "type '%s'", f->message_type);
	cr_assert_eq(re_len, len);
	for (size_t i = 0; i < len; i++) {
		if (i >= T_DIGEST && i < T_PAYLOAD_TYPE && len == T_PAYLOAD)
			continue; /* empty payload: carried digest is not the computed one */
		if (i >= T_MESSAGE_TYPE && i < T_SCHEMA && m[i] == 0 && re[i] == ' ')
			continue;
		cr_assert_eq(re[i], m[i], "re-encoded byte %zu: %02x vs %02x", i, re[i], m[i]);
	}
	free(re);
}

static void flip_every_bit(const uint8_t *valid, size_t len)
{
	uint8_t *m = malloc(len);
	int oks = 0;

	cr_assert_not_null(m);
	for (size_t bit = 0; bit < len * 8; bit++) {
		size_t off = bit / 8;
		struct frame f;
		int want, rc;

		memcpy(m, valid, len);
		m[off] ^= (uint8_t)(1u << (bit % 8));
		want = expected_after_flip(m, len, off);
		memset(&f, 0x5a, sizeof(f));
		rc = frame_decode(m, len, 0, &f);
		if (want == -1)
			cr_assert(rc == PROTO_OK || rc == PROTO_E_MESSAGE_TYPE,
				  "bit %zu (MessageType): got %d (%s)", bit, rc, proto_err_str(rc));
		else
			cr_assert_eq(rc, want, "bit %zu (byte %zu): got %d (%s), want %d (%s)", bit,
				     off, rc, proto_err_str(rc), want, proto_err_str(want));
		if (rc == PROTO_OK) {
			assert_consistent(&f, m, len);
			oks++;
		}
	}
	cr_assert_gt(oks, 0);
	free(m);
}

Test(frame_bitflip, every_bit_of_91)
{
	size_t len;
	uint8_t *buf = vector(ack_frame_hex, &len);

	flip_every_bit(buf, len);
	free(buf);
}

Test(frame_bitflip, every_bit_of_92)
{
	size_t len;
	uint8_t *buf = vector(input_frame_hex, &len);

	flip_every_bit(buf, len);
	free(buf);
}

Test(frame_bitflip, every_bit_of_empty_payload_frame)
{
	size_t len;
	uint8_t *buf = test_frame_build("channel_closed", 0, 0, NULL, 0, &len);

	cr_assert_not_null(buf);
	flip_every_bit(buf, len);
	free(buf);
}

/* ---- encoder errors ------------------------------------------------------------- */

Test(frame_encode_errors, bad_message_type_names)
{
	static const char *const bad[] = {
		"", "input stream_data", " acknowledge", "acknowledge ", "input-stream-data",
		"ack\tnowledge", "caf\xc3\xa9", "ack\x7f",
	};
	uint8_t out[T_PAYLOAD + 3];
	size_t out_len = 0;
	struct frame f;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		frame_92(&f);
		set_type(&f, bad[i]);
		cr_assert_eq(frame_encode(&f, out, sizeof(out), &out_len), PROTO_E_MESSAGE_TYPE,
			     "'%s'", bad[i]);
	}
	/* 33 characters: fills the whole field with no terminating NUL. */
	frame_92(&f);
	memset(f.message_type, 'a', sizeof(f.message_type));
	cr_assert_eq(sizeof(f.message_type), 33);
	cr_assert_eq(frame_encode(&f, out, sizeof(out), &out_len), PROTO_E_MESSAGE_TYPE);
	/* 32 characters is the limit and fine. */
	f.message_type[32] = '\0';
	cr_assert_eq(frame_encode(&f, out, sizeof(out), &out_len), PROTO_OK);
	cr_assert_eq(out_len, sizeof(out));
}

Test(frame_encode_errors, header_values_the_decoder_would_refuse)
{
	uint8_t out[T_PAYLOAD + 3];
	size_t out_len = 0;
	struct frame f;

	frame_92(&f);
	f.schema_version = 0;
	cr_assert_eq(frame_encode(&f, out, sizeof(out), &out_len), PROTO_E_SCHEMA_VERSION);
	f.schema_version = 2;
	cr_assert_eq(frame_encode(&f, out, sizeof(out), &out_len), PROTO_E_SCHEMA_VERSION);
	frame_92(&f);
	f.created_date = 0;
	cr_assert_eq(frame_encode(&f, out, sizeof(out), &out_len), PROTO_E_CREATED_DATE);
	frame_92(&f);
	f.sequence_number = -1;
	cr_assert_eq(frame_encode(&f, out, sizeof(out), &out_len), PROTO_E_SEQUENCE);
	frame_92(&f);
	f.payload_type = PAYLOAD_TYPE_MAX + 1;
	cr_assert_eq(frame_encode(&f, out, sizeof(out), &out_len), PROTO_E_PAYLOAD_TYPE);
	f.payload_type = PAYLOAD_TYPE_MAX;
	cr_assert_eq(frame_encode(&f, out, sizeof(out), &out_len), PROTO_OK);
}

Test(frame_encode_errors, buffer_one_byte_short)
{
	struct frame f;
	size_t need, out_len = 0;
	uint8_t *out;

	frame_92(&f);
	need = frame_encoded_len(&f);
	/* Exactly one byte short, on the heap: ASan would catch any write. */
	out = malloc(need - 1);
	memset(out, 0xaa, need - 1);
	cr_assert_eq(frame_encode(&f, out, need - 1, &out_len), PROTO_E_BUFFER_SMALL);
	for (size_t i = 0; i < need - 1; i++)
		cr_assert_eq(out[i], 0xaa, "byte %zu written despite BUFFER_SMALL", i);
	cr_assert_eq(frame_encode(&f, out, 0, &out_len), PROTO_E_BUFFER_SMALL);
	free(out);

	/* Same for an empty payload (120 bytes needed). */
	f.payload = NULL;
	f.payload_len = 0;
	out = malloc(119);
	cr_assert_eq(frame_encode(&f, out, 119, &out_len), PROTO_E_BUFFER_SMALL);
	free(out);
}
