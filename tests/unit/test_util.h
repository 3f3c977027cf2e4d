/*
 * test_util.h — helpers shared by the unit tests in tests/unit/.
 *
 * Hex conversion (for the worked test vectors of data-channel.md §9 and any
 * other byte-exact expectation), exact-size heap copies (so AddressSanitizer
 * flags any read past the end of an input), and a builder for valid
 * data-channel frames. Nothing here asserts: every helper reports failure by
 * its return value, so the caller's test decides what a failure means.
 */
#ifndef POSTERN_TEST_UTIL_H
#define POSTERN_TEST_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "frame.h"

/*
 * Decode hex text into out (at most cap bytes). Either case is accepted and
 * white space anywhere is skipped, so a vector can be pasted with its line
 * breaks. Returns the number of bytes written, or -1 on a non-hex character,
 * an odd number of digits, or more than cap bytes.
 */
long hex_decode(const char *hex, uint8_t *out, size_t cap);

/*
 * As hex_decode, into a new malloc'd buffer of exactly the decoded length
 * (at least one byte is allocated so an empty result is not NULL). Returns
 * NULL on malformed hex or allocation failure; caller frees.
 */
uint8_t *hex_decode_alloc(const char *hex, size_t *out_len);

/* Lower-case hex of n bytes into out (2 * n + 1 bytes, NUL-terminated). */
void hex_encode(const uint8_t *in, size_t n, char *out);

/* Index of the first byte where a and b differ, or -1 if the n bytes match. */
long test_first_diff(const uint8_t *a, const uint8_t *b, size_t n);

/*
 * A malloc'd copy of exactly n bytes of p (malloc(0) when n == 0), so any
 * access beyond n is a heap overflow ASan reports. NULL only on allocation
 * failure with n > 0. Caller frees.
 */
uint8_t *test_dup_exact(const void *p, size_t n);

/*
 * An anonymous mapping of len bytes that may not be read or written
 * (PROT_NONE): passing it to a parser with its true length proves the parser
 * rejected the input without touching it (any access is a SIGSEGV). NULL on
 * failure. Release with test_unreadable_free(p, len).
 */
uint8_t *test_unreadable_alloc(size_t len);
void test_unreadable_free(uint8_t *p, size_t len);

/*
 * Encode a valid frame into a new buffer of exactly its encoded length.
 * Header: schema 1, CreatedDate 1 700 000 000 000, the given message type,
 * sequence number and payload type, Flags 0, MessageId
 * 0b5e3a7d-1f24-4c89-9a61-3d2e8f4b7c10. Returns NULL if frame_encode fails
 * (e.g. a bad type name) or on allocation failure; *out_len gets the length.
 */
uint8_t *test_frame_build(const char *message_type, int64_t seq, uint32_t payload_type,
			  const void *payload, size_t payload_len, size_t *out_len);

#endif
