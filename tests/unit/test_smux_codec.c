/*
 * test_smux_codec.c — the smux frame header (proto/smux_codec.c).
 *
 * Covers: every example frame of smux.md §7, encoded from its fields and
 * compared byte for byte, and decoded field by field; little-endian Length and
 * StreamID at their extremes; each malformed header giving its own error code
 * (Version, Cmd, UPD in version 1, Length for each command) in the documented
 * check order; an exhaustive sweep of Version × Cmd × a set of Lengths.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "proto_err.h"
#include "smux.h"
#include "test_util.h"

/* smux.md §7, verbatim (headers only; the PSH data follows its header). */
struct vector {
	const char *name, *hex;
	struct smux_header h;
};

static const struct vector vectors[] = {
	{"open stream 3", "01 00 0000 03000000", {1, SMUX_CMD_SYN, 0, 3}},
	{"hello on stream 3", "01 02 0500 03000000", {1, SMUX_CMD_PSH, 5, 3}},
	{"close stream 3", "01 01 0000 03000000", {1, SMUX_CMD_FIN, 0, 3}},
	{"keepalive", "01 03 0000 00000000", {1, SMUX_CMD_NOP, 0, 0}},
	{"v2 window update", "02 04 0800 03000000", {2, SMUX_CMD_UPD, 8, 3}},
};

Test(smux_codec, errors_are_distinct_and_named)
{
	static const int codes[] = {
		PROTO_E_SMUX_VERSION, PROTO_E_SMUX_CMD, PROTO_E_SMUX_LENGTH,
		PROTO_E_SMUX_STREAMS, PROTO_E_SMUX_SYN, PROTO_E_SMUX_WINDOW,
	};
	const size_t n = sizeof(codes) / sizeof(codes[0]);

	for (size_t i = 0; i < n; i++) {
		cr_assert_str_neq(proto_err_str(codes[i]), "unknown error", "code %d", codes[i]);
		for (size_t j = i + 1; j < n; j++)
			cr_assert_str_neq(proto_err_str(codes[i]), proto_err_str(codes[j]));
	}
}

Test(smux_codec, encode_section7_vectors)
{
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		uint8_t want[SMUX_HEADER_LEN], got[SMUX_HEADER_LEN];

		cr_assert_eq(hex_decode(vectors[i].hex, want, sizeof(want)), SMUX_HEADER_LEN);
		memset(got, 0xee, sizeof(got));
		smux_header_encode(&vectors[i].h, got);
		cr_assert_eq(test_first_diff(got, want, SMUX_HEADER_LEN), -1, "%s", vectors[i].name);
	}
}

Test(smux_codec, decode_section7_vectors)
{
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		uint8_t in[SMUX_HEADER_LEN];
		struct smux_header h;

		cr_assert_eq(hex_decode(vectors[i].hex, in, sizeof(in)), SMUX_HEADER_LEN);
		cr_assert_eq(smux_header_decode(in, vectors[i].h.version, &h), PROTO_OK, "%s",
			     vectors[i].name);
		cr_assert_eq(h.version, vectors[i].h.version);
		cr_assert_eq(h.cmd, vectors[i].h.cmd);
		cr_assert_eq(h.length, vectors[i].h.length);
		cr_assert_eq(h.stream_id, vectors[i].h.stream_id);
	}
}

Test(smux_codec, little_endian_extremes)
{
	struct smux_header h = {2, SMUX_CMD_PSH, 0xfffe, 0x89abcdef}, back;
	uint8_t out[SMUX_HEADER_LEN], want[SMUX_HEADER_LEN];

	smux_header_encode(&h, out);
	cr_assert_eq(hex_decode("02 02 feff efcdab89", want, sizeof(want)), SMUX_HEADER_LEN);
	cr_assert_eq(test_first_diff(out, want, SMUX_HEADER_LEN), -1);
	cr_assert_eq(smux_header_decode(out, 2, &back), PROTO_OK);
	cr_assert_eq(back.length, 0xfffe);
	cr_assert_eq(back.stream_id, 0x89abcdefu);

	h = (struct smux_header){1, SMUX_CMD_PSH, SMUX_MAX_LENGTH, UINT32_MAX};
	smux_header_encode(&h, out);
	cr_assert_eq(smux_header_decode(out, 1, &back), PROTO_OK);
	cr_assert_eq(back.length, SMUX_MAX_LENGTH);
	cr_assert_eq(back.stream_id, UINT32_MAX);
}

static int decode_hex(const char *hex, uint8_t version)
{
	uint8_t in[SMUX_HEADER_LEN];
	struct smux_header h;

	cr_assert_eq(hex_decode(hex, in, sizeof(in)), SMUX_HEADER_LEN);
	return smux_header_decode(in, version, &h);
}

Test(smux_codec, each_error_has_its_code)
{
	/* Version other than the session's */
	cr_assert_eq(decode_hex("02 00 0000 03000000", 1), PROTO_E_SMUX_VERSION);
	cr_assert_eq(decode_hex("01 00 0000 03000000", 2), PROTO_E_SMUX_VERSION);
	cr_assert_eq(decode_hex("00 03 0000 00000000", 1), PROTO_E_SMUX_VERSION);
	cr_assert_eq(decode_hex("ff 03 0000 00000000", 1), PROTO_E_SMUX_VERSION);
	/* unknown Cmd, and UPD in version 1 */
	cr_assert_eq(decode_hex("01 05 0000 03000000", 1), PROTO_E_SMUX_CMD);
	cr_assert_eq(decode_hex("02 05 0000 03000000", 2), PROTO_E_SMUX_CMD);
	cr_assert_eq(decode_hex("01 ff 0000 03000000", 1), PROTO_E_SMUX_CMD);
	cr_assert_eq(decode_hex("01 04 0800 03000000", 1), PROTO_E_SMUX_CMD);
	/* Length wrong for the Cmd */
	cr_assert_eq(decode_hex("01 00 0100 03000000", 1), PROTO_E_SMUX_LENGTH);
	cr_assert_eq(decode_hex("01 01 0001 03000000", 1), PROTO_E_SMUX_LENGTH);
	cr_assert_eq(decode_hex("01 03 ffff 00000000", 1), PROTO_E_SMUX_LENGTH);
	cr_assert_eq(decode_hex("02 04 0700 03000000", 2), PROTO_E_SMUX_LENGTH);
	cr_assert_eq(decode_hex("02 04 0900 03000000", 2), PROTO_E_SMUX_LENGTH);
	cr_assert_eq(decode_hex("02 04 0000 03000000", 2), PROTO_E_SMUX_LENGTH);
	/* accepted: PSH of any Length including 0, NOP with any StreamID */
	cr_assert_eq(decode_hex("01 02 0000 03000000", 1), PROTO_OK);
	cr_assert_eq(decode_hex("01 02 ffff 03000000", 1), PROTO_OK);
	cr_assert_eq(decode_hex("01 03 0000 07000000", 1), PROTO_OK);
}

Test(smux_codec, check_order_version_then_cmd_then_length)
{
	/* everything wrong: the version is reported */
	cr_assert_eq(decode_hex("07 09 0100 03000000", 1), PROTO_E_SMUX_VERSION);
	/* Cmd and Length wrong: the Cmd is reported */
	cr_assert_eq(decode_hex("01 09 0100 03000000", 1), PROTO_E_SMUX_CMD);
	cr_assert_eq(decode_hex("01 04 0100 03000000", 1), PROTO_E_SMUX_CMD);
}

/* Every Version × Cmd × Length class against a v1 and a v2 session. */
Test(smux_codec, exhaustive_sweep)
{
	static const uint16_t lengths[] = {0, 1, 7, 8, 9, 32768, 65535};

	for (unsigned session = 1; session <= 2; session++)
		for (unsigned v = 0; v < 256; v++)
			for (unsigned c = 0; c < 256; c++)
				for (size_t l = 0; l < sizeof(lengths) / sizeof(lengths[0]); l++) {
					struct smux_header h = {(uint8_t)v, (uint8_t)c, lengths[l], 5}, out;
					uint8_t buf[SMUX_HEADER_LEN];
					int want, got;

					if (v != session)
						want = PROTO_E_SMUX_VERSION;
					else if (c > 4 || (c == 4 && session == 1))
						want = PROTO_E_SMUX_CMD;
					else if (c == SMUX_CMD_PSH)
						want = PROTO_OK;
					else if (c == SMUX_CMD_UPD)
						want = lengths[l] == 8 ? PROTO_OK : PROTO_E_SMUX_LENGTH;
					else
						want = lengths[l] == 0 ? PROTO_OK : PROTO_E_SMUX_LENGTH;
					smux_header_encode(&h, buf);
					got = smux_header_decode(buf, (uint8_t)session, &out);
					cr_assert_eq(got, want, "session %u v %u cmd %u len %u", session,
						     v, c, lengths[l]);
					cr_assert_eq(out.length, lengths[l]);
					cr_assert_eq(out.stream_id, 5);
				}
}
