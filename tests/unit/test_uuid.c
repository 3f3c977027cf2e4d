/*
 * test_uuid.c — message-id UUIDs (proto/uuid.c).
 *
 * Covers: printed form (lower-case 8-4-4-4-12) and parse round trips; the
 * data-channel.md §2.6 wire example (halves swapped) and the ids of the §9
 * vectors; upper- and mixed-case input; every malformed text form (each
 * shorter length, longer, missing or misplaced hyphens, a non-hex character in
 * every position, trailing and leading junk) → PROTO_E_UUID, each parsed from a
 * heap buffer of exactly the string's size so ASan sees any over-read; the
 * version and variant bits set by uuid_v4_from_bytes; uuid_equal.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "proto_err.h"
#include "test_util.h"
#include "uuid.h"

static const char example[] = "00112233-4455-6677-8899-aabbccddeeff";
static const char example_wire_hex[] = "8899aabbccddeeff0011223344556677";

/* Parse text from an exact-size heap copy (text plus its NUL). */
static int parse_exact(const char *text, size_t n, struct uuid *out)
{
	char *copy = malloc(n + 1);
	int rc;

	cr_assert_not_null(copy);
	memcpy(copy, text, n);
	copy[n] = '\0';
	rc = uuid_parse(copy, out);
	free(copy);
	return rc;
}

static int parse_str(const char *text, struct uuid *out)
{
	return parse_exact(text, strlen(text), out);
}

static void fill(struct uuid *id, unsigned seed)
{
	for (int i = 0; i < UUID_LEN; i++)
		id->b[i] = (uint8_t)(seed * 37u + (unsigned)i * 101u + (seed >> 3));
}

Test(uuid, format_is_lower_case_8_4_4_4_12)
{
	struct uuid id;
	char text[UUID_STR_LEN + 1];

	for (int i = 0; i < UUID_LEN; i++)
		id.b[i] = (uint8_t)(0xa0 + i);
	memset(text, 'x', sizeof(text));
	uuid_format(&id, text);
	cr_assert_str_eq(text, "a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf");
	cr_assert_eq(strlen(text), UUID_STR_LEN);
}

Test(uuid, format_parse_round_trip)
{
	for (unsigned seed = 0; seed < 300; seed++) {
		struct uuid id, back;
		char text[UUID_STR_LEN + 1];

		if (seed == 0)
			memset(id.b, 0, UUID_LEN);
		else if (seed == 1)
			memset(id.b, 0xff, UUID_LEN);
		else
			fill(&id, seed);
		uuid_format(&id, text);
		cr_assert_eq(strlen(text), UUID_STR_LEN);
		for (int i = 0; i < UUID_STR_LEN; i++) {
			char c = text[i];

			if (i == 8 || i == 13 || i == 18 || i == 23)
				cr_assert_eq(c, '-', "%s", text);
			else
				cr_assert((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'), "%s", text);
		}
		memset(&back, 0x5a, sizeof(back));
		cr_assert_eq(parse_str(text, &back), PROTO_OK, "%s", text);
		cr_assert(uuid_equal(&id, &back), "%s", text);
	}
}

Test(uuid, parse_format_round_trip)
{
	static const char *const texts[] = {
		example,
		"00000000-0000-0000-0000-000000000000",
		"ffffffff-ffff-ffff-ffff-ffffffffffff",
		"7c9e6679-7425-40de-944b-e07fc1f90ae7",
	};
	struct uuid id;
	char out[UUID_STR_LEN + 1];

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		cr_assert_eq(parse_str(texts[i], &id), PROTO_OK);
		uuid_format(&id, out);
		cr_assert_str_eq(out, texts[i]);
	}
}

Test(uuid, section_2_6_example_on_the_wire)
{
	struct uuid id, back;
	uint8_t wire[UUID_LEN], want[UUID_LEN];
	char text[UUID_STR_LEN + 1];

	cr_assert_eq(parse_str(example, &id), PROTO_OK);
	for (int i = 0; i < UUID_LEN; i++)
		cr_assert_eq(id.b[i], (uint8_t)(i * 0x11), "byte %d in printed order", i);
	cr_assert_eq(hex_decode(example_wire_hex, want, sizeof(want)), UUID_LEN);
	uuid_to_wire(&id, wire);
	cr_assert_arr_eq(wire, want, UUID_LEN);
	memset(&back, 0, sizeof(back));
	uuid_from_wire(wire, &back);
	cr_assert(uuid_equal(&id, &back));
	uuid_format(&back, text);
	cr_assert_str_eq(text, example);
}

Test(uuid, section_9_ids_on_the_wire)
{
	static const struct {
		const char *text, *wire_hex;
	} v[] = {
		{ "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f", "8e7f9a0b1c2d3e4f6f1c2d3e4a5b4c6d" },
		{ "0b5e3a7d-1f24-4c89-9a61-3d2e8f4b7c10", "9a613d2e8f4b7c100b5e3a7d1f244c89" },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct uuid id, back;
		uint8_t wire[UUID_LEN], want[UUID_LEN];

		cr_assert_eq(parse_str(v[i].text, &id), PROTO_OK);
		cr_assert_eq(hex_decode(v[i].wire_hex, want, sizeof(want)), UUID_LEN);
		uuid_to_wire(&id, wire);
		cr_assert_arr_eq(wire, want, UUID_LEN, "%s", v[i].text);
		uuid_from_wire(want, &back);
		cr_assert(uuid_equal(&id, &back));
	}
}

Test(uuid, wire_swap_round_trip)
{
	for (unsigned seed = 0; seed < 100; seed++) {
		struct uuid id, back;
		uint8_t wire[UUID_LEN];

		fill(&id, seed);
		uuid_to_wire(&id, wire);
		cr_assert_eq(memcmp(wire, id.b + 8, 8), 0);
		cr_assert_eq(memcmp(wire + 8, id.b, 8), 0);
		uuid_from_wire(wire, &back);
		cr_assert(uuid_equal(&id, &back));
	}
}

Test(uuid, upper_and_mixed_case_accepted)
{
	struct uuid lower, upper, mixed;
	char out[UUID_STR_LEN + 1];

	cr_assert_eq(parse_str(example, &lower), PROTO_OK);
	cr_assert_eq(parse_str("00112233-4455-6677-8899-AABBCCDDEEFF", &upper), PROTO_OK);
	cr_assert_eq(parse_str("00112233-4455-6677-8899-aAbBcCdDeEfF", &mixed), PROTO_OK);
	cr_assert(uuid_equal(&lower, &upper));
	cr_assert(uuid_equal(&lower, &mixed));
	uuid_format(&upper, out);
	cr_assert_str_eq(out, example, "printed form is always lower-case");
}

Test(uuid, every_shorter_length_rejected)
{
	struct uuid id;

	for (size_t n = 0; n < UUID_STR_LEN; n++)
		cr_assert_eq(parse_exact(example, n, &id), PROTO_E_UUID, "first %zu chars", n);
	cr_assert_eq(parse_exact(example, UUID_STR_LEN, &id), PROTO_OK);
}

Test(uuid, trailing_and_leading_junk_rejected)
{
	static const char *const bad[] = {
		"00112233-4455-6677-8899-aabbccddeeff0",
		"00112233-4455-6677-8899-aabbccddeeffa",
		"00112233-4455-6677-8899-aabbccddeeff ",
		"00112233-4455-6677-8899-aabbccddeeff\n",
		"00112233-4455-6677-8899-aabbccddeeff-",
		"00112233-4455-6677-8899-aabbccddeeff}",
		" 00112233-4455-6677-8899-aabbccddeeff",
		"{00112233-4455-6677-8899-aabbccddeeff}",
		"urn:uuid:00112233-4455-6677-8899-aabbccddeeff",
		"0x00112233-4455-6677-8899-aabbccddeeff",
	};
	struct uuid id;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(parse_str(bad[i], &id), PROTO_E_UUID, "'%s'", bad[i]);
}

Test(uuid, missing_or_misplaced_hyphens_rejected)
{
	static const char *const bad[] = {
		"00112233445566778899aabbccddeeff",     /* no hyphens (32 chars) */
		"00112233445566778899aabbccddeeff0000", /* no hyphens, 36 chars */
		"001122334455-6677-8899-aabbccddeeff",  /* first missing */
		"00112233-44556677-8899-aabbccddeeff",  /* second missing */
		"00112233-4455-66778899-aabbccddeeff",  /* third missing */
		"00112233-4455-6677-8899aabbccddeeff",  /* fourth missing */
		"0011223-34455-6677-8899-aabbccddeeff", /* first one early */
		"001122334-455-6677-8899-aabbccddeeff", /* first one late */
		"00112233-445-56677-8899-aabbccddeeff",
		"00112233-4455-667-78899-aabbccddeeff",
		"00112233-4455-6677-88-99aabbccddeeff",
		"00112233-4455-6677-8899a-abbccddeeff",
		"00112233--455-6677-8899-aabbccddeeff", /* double hyphen */
		"-0112233-4455-6677-8899-aabbccddeeff",
		"00112233-4455-6677-8899-aabbccddeef-",
		"0011-2233-4455-6677-8899aabbccddeeff",
		"00112233_4455_6677_8899_aabbccddeeff", /* wrong separator */
		"00112233 4455 6677 8899 aabbccddeeff",
		"00112233:4455:6677:8899:aabbccddeeff",
	};
	struct uuid id;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(parse_str(bad[i], &id), PROTO_E_UUID, "'%s'", bad[i]);
}

Test(uuid, non_hex_in_every_position_rejected)
{
	static const char junk[] = { 'g', 'G', 'x', 'z', ' ', '+', '-', ':', '/', '@', '`', '\x7f',
				     '\x80', '\xff', '\n' };
	struct uuid id;
	char text[UUID_STR_LEN + 1];

	for (int pos = 0; pos < UUID_STR_LEN; pos++) {
		int hyphen = pos == 8 || pos == 13 || pos == 18 || pos == 23;

		for (size_t j = 0; j < sizeof(junk); j++) {
			if (hyphen && junk[j] == '-')
				continue;
			memcpy(text, example, sizeof(text));
			text[pos] = junk[j];
			cr_assert_eq(parse_str(text, &id), PROTO_E_UUID, "0x%02x at %d",
				     (unsigned char)junk[j], pos);
		}
		if (hyphen) {
			/* A hex digit where the hyphen belongs. */
			memcpy(text, example, sizeof(text));
			text[pos] = '0';
			cr_assert_eq(parse_str(text, &id), PROTO_E_UUID, "digit at %d", pos);
		}
	}
}

Test(uuid, embedded_nul_ends_the_string)
{
	struct uuid id;
	char text[UUID_STR_LEN + 1];

	for (int pos = 0; pos < UUID_STR_LEN; pos++) {
		memcpy(text, example, sizeof(text));
		text[pos] = '\0';
		/* Exact-size copy of all 37 bytes: the parser must stop at the NUL. */
		cr_assert_eq(parse_exact(text, UUID_STR_LEN, &id), PROTO_E_UUID, "NUL at %d", pos);
	}
}

Test(uuid, v4_bits)
{
	for (unsigned seed = 0; seed < 256; seed++) {
		uint8_t rnd[UUID_LEN], saved[UUID_LEN];
		struct uuid id;
		char text[UUID_STR_LEN + 1];

		for (int i = 0; i < UUID_LEN; i++)
			rnd[i] = seed == 0 ? 0 : seed == 1 ? 0xff : (uint8_t)(seed * 29u + (unsigned)i * 53u);
		memcpy(saved, rnd, sizeof(rnd));
		id = uuid_v4_from_bytes(rnd);
		cr_assert_arr_eq(rnd, saved, UUID_LEN, "input left alone");
		cr_assert_eq(id.b[6] >> 4, 4, "version nibble");
		cr_assert_eq(id.b[6] & 0x0f, rnd[6] & 0x0f, "rest of byte 6 kept");
		cr_assert_eq(id.b[8] & 0xc0, 0x80, "variant bits 10");
		cr_assert_eq(id.b[8] & 0x3f, rnd[8] & 0x3f, "rest of byte 8 kept");
		for (int i = 0; i < UUID_LEN; i++)
			if (i != 6 && i != 8)
				cr_assert_eq(id.b[i], rnd[i], "byte %d kept", i);
		uuid_format(&id, text);
		cr_assert_eq(text[14], '4');
		cr_assert(strchr("89ab", text[19]) != NULL, "%s", text);
	}
}

Test(uuid, equal)
{
	struct uuid a, b;

	fill(&a, 7);
	b = a;
	cr_assert(uuid_equal(&a, &b));
	for (int i = 0; i < UUID_LEN; i++) {
		b = a;
		b.b[i] ^= 1;
		cr_assert_not(uuid_equal(&a, &b), "byte %d", i);
	}
}
