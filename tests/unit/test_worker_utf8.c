/*
 * test_worker_utf8.c — agent-side/utf8_tail.c: where terminal output may be
 * cut without splitting a UTF-8 character.
 *
 * Covers: ASCII and complete characters of every length (nothing held);
 * every proper prefix of 2-, 3- and 4-byte characters (held whole); the
 * RFC 3629 second-byte limits (E0, ED, F0, F4) deciding between "incomplete"
 * and "invalid"; invalid bytes (C0, C1, F5–FF, stray continuations, a lead
 * followed by too many continuations) never held; short buffers; and an
 * exhaustive cross-check: cutting valid text at every offset and holding back
 * what the function says always gives valid pieces that concatenate to the
 * original.
 */
#include <criterion/criterion.h>

#include <stdbool.h>
#include <string.h>

#include "../../agent-side/utf8_tail.h"

#define HELD(s) utf8_tail_incomplete((const uint8_t *)(s), sizeof(s) - 1)

TestSuite(worker_utf8);

Test(worker_utf8, complete_text_holds_nothing)
{
	cr_assert_eq(utf8_tail_incomplete(NULL, 0), 0);
	cr_assert_eq(HELD("plain ascii\r\n"), 0);
	cr_assert_eq(HELD("caf\xc3\xa9"), 0);             /* é */
	cr_assert_eq(HELD("\xe2\x82\xac"), 0);            /* € */
	cr_assert_eq(HELD("x\xf0\x9f\x98\x80"), 0);       /* 😀 */
	cr_assert_eq(HELD("\xf4\x8f\xbf\xbf"), 0);        /* U+10FFFF */
}

Test(worker_utf8, prefixes_are_held)
{
	cr_assert_eq(HELD("caf\xc3"), 1);
	cr_assert_eq(HELD("\xe2"), 1);
	cr_assert_eq(HELD("ab\xe2\x82"), 2);
	cr_assert_eq(HELD("\xf0"), 1);
	cr_assert_eq(HELD("\xf0\x9f"), 2);
	cr_assert_eq(HELD("z\xf0\x9f\x98"), 3);
	cr_assert_eq(HELD("\xc3\xa9\xe2\x82"), 2, "after a complete character");
}

Test(worker_utf8, second_byte_limits)
{
	cr_assert_eq(HELD("\xe0\xa0"), 2);
	cr_assert_eq(HELD("\xe0\x9f"), 0, "overlong: invalid, passed through");
	cr_assert_eq(HELD("\xed\x9f"), 2);
	cr_assert_eq(HELD("\xed\xa0"), 0, "surrogate");
	cr_assert_eq(HELD("\xf0\x90"), 2);
	cr_assert_eq(HELD("\xf0\x8f"), 0, "overlong");
	cr_assert_eq(HELD("\xf4\x8f\xbf"), 3);
	cr_assert_eq(HELD("\xf4\x90"), 0, "above U+10FFFF");
}

Test(worker_utf8, invalid_bytes_are_never_held)
{
	cr_assert_eq(HELD("\xc0"), 0);
	cr_assert_eq(HELD("\xc1"), 0);
	cr_assert_eq(HELD("\xf5"), 0);
	cr_assert_eq(HELD("\xff"), 0);
	cr_assert_eq(HELD("\x80"), 0, "a stray continuation");
	cr_assert_eq(HELD("a\x80\x80\x80"), 0, "three continuations without a lead");
	cr_assert_eq(HELD("\xc3\xa9\xa9"), 0, "a lead with too many continuations");
	cr_assert_eq(HELD("\xe2\x82\xac\x82"), 0);
}

static bool valid_utf8(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t need = s[i] < 0x80 ? 1 : s[i] >= 0xC2 && s[i] <= 0xDF ? 2
			    : s[i] >= 0xE0 && s[i] <= 0xEF ? 3 : s[i] >= 0xF0 && s[i] <= 0xF4 ? 4 : 0;

		if (!need || i + need > n)
			return false;
		for (size_t k = 1; k < need; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
		i += need;
	}
	return true;
}

/* What the pty reader does: read `step` bytes at a time, hold back the tail. */
Test(worker_utf8, cutting_anywhere_keeps_characters_whole)
{
	static const char text[] = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z\xd0\x96\xe4\xb8\xad"
				   "\xf4\x8f\xbf\xbf!";
	const size_t n = sizeof(text) - 1;

	for (size_t step = 1; step <= n; step++) {
		uint8_t buf[64], out[64];
		size_t held = 0, out_len = 0;

		for (size_t pos = 0; pos < n; pos += step) {
			size_t take = pos + step > n ? n - pos : step, total, tail;

			memcpy(buf + held, text + pos, take);
			total = held + take;
			tail = utf8_tail_incomplete(buf, total);
			cr_assert(valid_utf8(buf, total - tail), "step %zu pos %zu", step, pos);
			memcpy(out + out_len, buf, total - tail);
			out_len += total - tail;
			memmove(buf, buf + total - tail, tail);
			held = tail;
		}
		cr_assert_eq(held, 0);
		cr_assert_eq(out_len, n);
		cr_assert_eq(memcmp(out, text, n), 0);
	}
}
