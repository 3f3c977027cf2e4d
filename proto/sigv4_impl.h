/*
 * sigv4_impl.h — what the SigV4 files (sigv4*.c) share and nobody else uses:
 * a growable text buffer with a sticky failure flag, the character classes
 * of the grammar and hex (sigv4_util.c), the field validators of the header
 * text (sigv4_auth.c), the canonical request builder (sigv4_canon.c) and
 * the signature computation (sigv4.c).
 */
#ifndef POSTERN_SIGV4_IMPL_H
#define POSTERN_SIGV4_IMPL_H

#include "sigv4.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Append-only text. After any failed growth `failed` is set, later appends
 * do nothing, and the owner reports PROTO_E_NOMEM once at the end. */
struct sigv4_buf {
	char *data; /* NUL-terminated whenever len > 0 and !failed */
	size_t len, cap;
	bool failed;
};

void sigv4_buf_put(struct sigv4_buf *b, const void *p, size_t n);
void sigv4_buf_putc(struct sigv4_buf *b, char c);
void sigv4_buf_puts(struct sigv4_buf *b, const char *s);
void sigv4_buf_free(struct sigv4_buf *b);

/* Lower-case hex of in[0..n) into out (2n characters and a NUL). */
void sigv4_hex(const uint8_t *in, size_t n, char *out);

/* Value of hex digit c (lower case; upper case too if upper_too), or -1. */
int sigv4_hex_digit(char c, bool upper_too);

/* Byte-wise order of a[0..an) and b[0..bn), a prefix first: <0, 0, >0. */
int sigv4_span_cmp(const char *a, size_t an, const char *b, size_t bn);

/* RFC 7230 token character, upper case excluded (a signed header name). */
bool sigv4_is_name_char(unsigned char c);

/* White space of a header value: SP HT CR LF VT FF. */
bool sigv4_is_space(char c);

/* ASCII lower case of c. */
char sigv4_lower(char c);

/* Does header name `name` (NUL-terminated, any case) equal lower[0..n)? */
bool sigv4_name_is(const char *name, const char *lower, size_t n);

/* As sigv4_name_is, for a NUL-terminated lower-case name. */
bool sigv4_name_eq(const char *name, const char *lower);

/* Fill the scope of a from the five Credential parts (key id, YYYYMMDD,
 * region, service, terminator; part[i][0..len[i]) each) if all fit the
 * grammar of sigv4_parse_authorization. */
bool sigv4_auth_set_scope(struct sigv4_auth *a, const char *const part[5], const size_t len[5]);

/* Set a->signed_headers and n_signed from s[0..n) if it is a valid
 * SignedHeaders value (token names, strictly ascending, within the limits). */
bool sigv4_auth_set_signed(struct sigv4_auth *a, const char *s, size_t n);

/*
 * Append the canonical request of req for the SignedHeaders text `signed`
 * to b. Returns PROTO_OK, PROTO_E_AUTH_HEADER (a listed name has no header
 * in req), PROTO_E_INVALID_ARG or PROTO_E_NOMEM.
 */
int sigv4_canon_request(const struct sigv4_request *req, const char *signed_headers,
			struct sigv4_buf *b);

/*
 * The signature of req under auth's scope (date, region, service) and
 * SignedHeaders, dated amz_date (the X-Amz-Date value), with the secret.
 * Returns PROTO_OK or the errors of sigv4_canon_request, sigv4_signing_key.
 */
int sigv4_compute_signature(const struct sigv4_auth *auth, const char *amz_date,
			    const struct sigv4_request *req, const char *secret,
			    uint8_t sig[SIGV4_SIG_LEN]);

#endif
