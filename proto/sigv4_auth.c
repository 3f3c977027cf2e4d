/*
 * sigv4_auth.c — the Authorization header text: the strict, bounded parser
 * the broker runs on network input, the formatter the signer uses, and the
 * field validators both share so that whatever is signed also parses.
 */
#include "sigv4_impl.h"
#include "proto_err.h"

#include <stdio.h>
#include <string.h>

enum param { P_CREDENTIAL, P_SIGNED_HEADERS, P_SIGNATURE, P_COUNT };

static const char *const param_names[P_COUNT] = {
	[P_CREDENTIAL] = "Credential",
	[P_SIGNED_HEADERS] = "SignedHeaders",
	[P_SIGNATURE] = "Signature",
};

static bool akid_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

static bool region_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

static bool terminator_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

static bool digit_char(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Copy s[0..n) into dst[0..cap) with a NUL if 1 <= n < cap and ok() holds
 * for every character. */
static bool take(char *dst, size_t cap, const char *s, size_t n, bool (*ok)(unsigned char))
{
	if (n == 0 || n >= cap)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!ok((unsigned char)s[i]))
			return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

bool sigv4_auth_set_scope(struct sigv4_auth *a, const char *const part[5], const size_t len[5])
{
	return take(a->access_key_id, sizeof(a->access_key_id), part[0], len[0], akid_char) &&
	       len[1] == 8 && take(a->date, sizeof(a->date), part[1], len[1], digit_char) &&
	       take(a->region, sizeof(a->region), part[2], len[2], region_char) &&
	       take(a->service, sizeof(a->service), part[3], len[3], region_char) &&
	       take(a->terminator, sizeof(a->terminator), part[4], len[4], terminator_char);
}

bool sigv4_auth_set_signed(struct sigv4_auth *a, const char *s, size_t n)
{
	size_t count = 0, start = 0, prev = 0;

	if (n == 0 || n > SIGV4_SIGNED_TEXT_MAX)
		return false;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != ';') {
			if (!sigv4_is_name_char((unsigned char)s[i]))
				return false;
			continue;
		}
		if (i == start || i - start > SIGV4_HEADER_NAME_MAX || ++count > SIGV4_SIGNED_MAX)
			return false;
		if (count > 1 && sigv4_span_cmp(s + prev, start - 1 - prev, s + start, i - start) >= 0)
			return false; /* not strictly ascending */
		prev = start;
		start = i + 1;
	}
	memcpy(a->signed_headers, s, n);
	a->signed_headers[n] = '\0';
	a->n_signed = count;
	return true;
}

static int parse_credential(const char *s, size_t n, struct sigv4_auth *a)
{
	const char *part[5];
	size_t len[5], k = 0, start = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '/')
			continue;
		if (k == 5)
			return PROTO_E_AUTH_MALFORMED;
		part[k] = s + start;
		len[k++] = i - start;
		start = i + 1;
	}
	if (k != 5 || !sigv4_auth_set_scope(a, part, len))
		return PROTO_E_AUTH_MALFORMED;
	return PROTO_OK;
}

static int parse_signature(const char *s, size_t n, struct sigv4_auth *a)
{
	if (n != 2 * SIGV4_SIG_LEN)
		return PROTO_E_AUTH_MALFORMED;
	for (size_t i = 0; i < SIGV4_SIG_LEN; i++) {
		int hi = sigv4_hex_digit(s[2 * i], false), lo = sigv4_hex_digit(s[2 * i + 1], false);

		if (hi < 0 || lo < 0)
			return PROTO_E_AUTH_MALFORMED;
		a->signature[i] = (uint8_t)(hi << 4 | lo);
	}
	return PROTO_OK;
}

/* One "Key=value" of s[0..n); marks it in seen[]. */
static int parse_param(const char *s, size_t n, struct sigv4_auth *a, bool seen[P_COUNT])
{
	const char *eq = memchr(s, '=', n);
	size_t key_len = eq ? (size_t)(eq - s) : n;
	const char *val = eq ? eq + 1 : s;
	size_t val_len = eq ? n - key_len - 1 : 0;

	for (int p = 0; p < P_COUNT; p++) {
		if (!eq || strlen(param_names[p]) != key_len || memcmp(s, param_names[p], key_len))
			continue;
		if (seen[p])
			return PROTO_E_AUTH_MALFORMED;
		seen[p] = true;
		if (p == P_CREDENTIAL)
			return parse_credential(val, val_len, a);
		if (p == P_SIGNATURE)
			return parse_signature(val, val_len, a);
		return sigv4_auth_set_signed(a, val, val_len) ? PROTO_OK : PROTO_E_AUTH_MALFORMED;
	}
	return PROTO_E_AUTH_MALFORMED;
}

int sigv4_parse_authorization(const char *value, size_t len, struct sigv4_auth *out)
{
	static const size_t alg_len = sizeof(SIGV4_ALGORITHM) - 1;
	struct sigv4_auth a;
	bool seen[P_COUNT] = { false };
	size_t i = 0;
	int rc;

	if (!value || !out)
		return PROTO_E_INVALID_ARG;
	if (len > SIGV4_AUTH_MAX)
		return PROTO_E_AUTH_MALFORMED;
	while (i < len && value[i] != ' ')
		i++;
	if (i == 0)
		return PROTO_E_AUTH_MALFORMED;
	if (i != alg_len || memcmp(value, SIGV4_ALGORITHM, alg_len) != 0)
		return PROTO_E_AUTH_ALGORITHM;
	memset(&a, 0, sizeof(a));
	for (;;) {
		size_t end;

		while (i < len && value[i] == ' ')
			i++;
		if (i == len)
			return PROTO_E_AUTH_MALFORMED; /* nothing, or a trailing comma */
		for (end = i; end < len && value[end] != ','; end++)
			;
		rc = parse_param(value + i, end - i, &a, seen);
		if (rc != PROTO_OK)
			return rc;
		if (end == len)
			break;
		i = end + 1;
	}
	for (int p = 0; p < P_COUNT; p++)
		if (!seen[p])
			return PROTO_E_AUTH_MALFORMED;
	*out = a;
	return PROTO_OK;
}

/* Whatever fits struct sigv4_auth formats within SIGV4_AUTH_MAX, so every
 * header sigv4_sign writes is one sigv4_parse_authorization accepts. */
_Static_assert(sizeof(SIGV4_ALGORITHM " Credential=////, SignedHeaders=, Signature=") - 1 +
		       SIGV4_AKID_MAX + 8 + 3 * SIGV4_SCOPE_PART_MAX + SIGV4_SIGNED_TEXT_MAX +
		       2 * SIGV4_SIG_LEN <= SIGV4_AUTH_MAX,
	       "the longest formatted header must parse");

/* printf arguments "%.*s" for a char array member: never past its end. */
#define FIELD(f) (int)(sizeof(f) - 1), (f)

int sigv4_format_authorization(const struct sigv4_auth *auth, char *out, size_t out_cap,
			       size_t *out_len)
{
	char sig[2 * SIGV4_SIG_LEN + 1];
	int n;

	if (!auth || !out)
		return PROTO_E_INVALID_ARG;
	sigv4_hex(auth->signature, SIGV4_SIG_LEN, sig);
	n = snprintf(out, out_cap,
		     SIGV4_ALGORITHM " Credential=%.*s/%.*s/%.*s/%.*s/%.*s"
				     ", SignedHeaders=%.*s, Signature=%s",
		     FIELD(auth->access_key_id), FIELD(auth->date), FIELD(auth->region),
		     FIELD(auth->service), FIELD(auth->terminator), FIELD(auth->signed_headers),
		     sig);
	if (n < 0 || (size_t)n >= out_cap)
		return PROTO_E_BUFFER_SMALL;
	if (out_len)
		*out_len = (size_t)n;
	return PROTO_OK;
}
