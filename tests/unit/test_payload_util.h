/*
 * test_payload_util.h — helpers shared by the payload codec tests
 * (test_payload_*.c): inputs copied to exactly-sized heap buffers so that
 * AddressSanitizer catches any read past the end, and byte-exact checks of
 * encoder output.
 */
#ifndef POSTERN_TEST_PAYLOAD_UTIL_H
#define POSTERN_TEST_PAYLOAD_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/*
 * A heap copy of s[0..n) with no byte after it (no NUL). Valid until the next
 * call; the last copy stays reachable from a static, so it is not a leak.
 */
const uint8_t *pt_exact(const void *s, size_t n);

/* Both arguments of a decoder for a C string input: buffer and length. */
#define PT_IN(s) pt_exact((s), strlen(s)), strlen(s)

/* Assert rc is PROTO_OK and out[0..len) equals the text want, then free out. */
void pt_expect_encoded(int rc, uint8_t *out, size_t len, const char *want);

/* A malloc'd NUL-terminated copy of out[0..len); frees out. */
char *pt_text(uint8_t *out, size_t len);

/* A malloc'd text of n bytes: prefix, then fill repeated, then suffix. */
char *pt_make_text(const char *prefix, char fill, size_t n, const char *suffix);

#endif
