/*
 * utf8_tail.c — the incomplete UTF-8 character at the end of a chunk (see
 * utf8_tail.h). Lead and second-byte ranges are those of RFC 3629 §4, so
 * overlong forms, surrogates and code points above U+10FFFF count as invalid
 * and are never held back.
 */
#include "utf8_tail.h"

#include <stdbool.h>

/* Bytes in the character a lead byte starts; 0 for ASCII, continuation
 * bytes and bytes that never occur in UTF-8. */
static size_t utf8_tail_seq_len(uint8_t lead)
{
	if (lead >= 0xC2 && lead <= 0xDF)
		return 2;
	if (lead >= 0xE0 && lead <= 0xEF)
		return 3;
	if (lead >= 0xF0 && lead <= 0xF4)
		return 4;
	return 0;
}

/* Whether b may follow lead as the character's second byte. */
static bool utf8_tail_second_ok(uint8_t lead, uint8_t b)
{
	uint8_t lo = 0x80, hi = 0xBF;

	if (lead == 0xE0)
		lo = 0xA0;
	else if (lead == 0xED)
		hi = 0x9F;
	else if (lead == 0xF0)
		lo = 0x90;
	else if (lead == 0xF4)
		hi = 0x8F;
	return b >= lo && b <= hi;
}

size_t utf8_tail_incomplete(const uint8_t *buf, size_t len)
{
	for (size_t back = 1; back <= UTF8_TAIL_MAX && back <= len; back++) {
		uint8_t b = buf[len - back];
		size_t need;

		if ((b & 0xC0) == 0x80)
			continue; /* a continuation byte: look further back for the lead */
		need = utf8_tail_seq_len(b);
		if (need <= back)
			return 0; /* complete, ASCII, or not UTF-8 at all */
		if (back >= 2 && !utf8_tail_second_ok(b, buf[len - back + 1]))
			return 0;
		return back;
	}
	return 0;
}
