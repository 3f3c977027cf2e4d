/*
 * test_payload_util.c — the helpers of test_payload_util.h. Holds no tests.
 */
#include "test_payload_util.h"
#include "proto_err.h"
#include "test_util.h"

#include <criterion/criterion.h>
#include <stdlib.h>

static uint8_t *last_copy;

const uint8_t *pt_exact(const void *s, size_t n)
{
	free(last_copy);
	last_copy = test_dup_exact(s, n);
	cr_assert(last_copy || n == 0);
	return last_copy;
}

void pt_expect_encoded(int rc, uint8_t *out, size_t len, const char *want)
{
	cr_assert_eq(rc, PROTO_OK, "encode failed: %s", proto_err_str(rc));
	cr_assert_eq(len, strlen(want), "length %zu, want %zu: %.*s", len, strlen(want),
		     (int)len, (const char *)out);
	cr_assert(memcmp(out, want, len) == 0, "got  %.*s\nwant %s", (int)len,
		  (const char *)out, want);
	free(out);
}

char *pt_text(uint8_t *out, size_t len)
{
	char *s = malloc(len + 1);

	cr_assert_not_null(s);
	memcpy(s, out, len);
	s[len] = '\0';
	free(out);
	return s;
}

char *pt_make_text(const char *prefix, char fill, size_t n, const char *suffix)
{
	size_t a = strlen(prefix), c = strlen(suffix);
	char *s;

	cr_assert(n >= a + c);
	s = malloc(n + 1);
	cr_assert_not_null(s);
	memcpy(s, prefix, a);
	memset(s + a, fill, n - a - c);
	memcpy(s + n - c, suffix, c);
	s[n] = '\0';
	return s;
}
