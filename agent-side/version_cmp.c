/*
 * version_cmp.c — the agent's order of version strings (see version_cmp.h).
 * Strings are read as ranges; nothing is copied.
 */
#include "version_cmp.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#define VERSION_DIGITS_MAX 18 /* more digits than this never count as a number */

struct range {
	const char *p;
	size_t len;
};

static int version_sign(long long d)
{
	return (d > 0) - (d < 0);
}

/* Byte order, then length: Go's string comparison. */
static int version_text_cmp(struct range a, struct range b)
{
	int c = memcmp(a.p, b.p, a.len < b.len ? a.len : b.len);

	if (c)
		return version_sign(c);
	return version_sign((long long)a.len - (long long)b.len);
}

static bool version_digits(struct range r)
{
	if (r.len == 0 || r.len > VERSION_DIGITS_MAX)
		return false;
	for (size_t i = 0; i < r.len; i++)
		if (r.p[i] < '0' || r.p[i] > '9')
			return false;
	return true;
}

static long long version_number(struct range r)
{
	long long n = 0;

	for (size_t i = 0; i < r.len; i++)
		n = n * 10 + (r.p[i] - '0');
	return n;
}

/* An integer as Go's strconv.Atoi reads one: optional sign, then digits. */
static bool version_integer(struct range r, long long *out)
{
	struct range digits = r;
	bool negative = false;

	if (r.len && (r.p[0] == '+' || r.p[0] == '-')) {
		negative = r.p[0] == '-';
		digits.p++;
		digits.len--;
	}
	if (!version_digits(digits))
		return false;
	*out = negative ? -version_number(digits) : version_number(digits);
	return true;
}

/* The next '.'-separated piece of *rest (which is consumed past it). */
static struct range version_next(struct range *rest)
{
	const char *dot = memchr(rest->p, '.', rest->len);
	struct range piece = {rest->p, dot ? (size_t)(dot - rest->p) : rest->len};

	rest->p += piece.len + (dot ? 1 : 0);
	rest->len -= piece.len + (dot ? 1 : 0);
	return piece;
}

/* ---- semantic versions --------------------------------------------------------- */

struct semver {
	long long n[3];
	struct range pre; /* len 0: a release */
};

/* Dot-separated identifiers of [0-9A-Za-z-], none empty. */
static bool version_ident_chars(struct range r)
{
	for (size_t i = 0; i < r.len; i++) {
		char c = r.p[i];

		if (c == '.' && (i == 0 || i + 1 == r.len || r.p[i + 1] == '.'))
			return false;
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      c == '-' || c == '.'))
			return false;
	}
	return r.len > 0;
}

static bool version_semver(const char *s, struct semver *v)
{
	size_t len = strlen(s), core = strcspn(s, "-+");
	struct range rest = {s, core};
	const char *plus;

	for (int i = 0; i < 3; i++) {
		struct range part = version_next(&rest);

		if (!version_digits(part))
			return false;
		v->n[i] = version_number(part);
	}
	if (rest.len || s[core - 1] == '.')
		return false; /* a fourth component, or a trailing dot */
	v->pre = (struct range){s + core, 0};
	if (core == len)
		return true;
	plus = memchr(s + core, '+', len - core);
	if (s[core] == '-') {
		v->pre.p = s + core + 1;
		v->pre.len = (size_t)((plus ? plus : s + len) - v->pre.p);
		if (!version_ident_chars(v->pre))
			return false;
	}
	return !plus || version_ident_chars((struct range){plus + 1, (size_t)(s + len - plus - 1)});
}

static int version_pre_cmp(struct range a, struct range b)
{
	if (!a.len || !b.len)
		return version_sign((long long)!a.len - (long long)!b.len); /* release wins */
	while (a.len && b.len) {
		struct range x = version_next(&a), y = version_next(&b);
		bool xn = version_digits(x), yn = version_digits(y);
		int c;

		if (xn && yn)
			c = version_sign(version_number(x) - version_number(y));
		else if (xn != yn)
			c = xn ? -1 : 1;
		else
			c = version_text_cmp(x, y);
		if (c)
			return c;
	}
	return version_sign((long long)(a.len != 0) - (long long)(b.len != 0));
}

static int version_semver_cmp(const struct semver *a, const struct semver *b)
{
	for (int i = 0; i < 3; i++)
		if (a->n[i] != b->n[i])
			return version_sign(a->n[i] - b->n[i]);
	return version_pre_cmp(a->pre, b->pre);
}

/* ---- everything else: component by component ------------------------------------------ */

static size_t version_components(struct range r)
{
	size_t n = 1;

	for (size_t i = 0; i < r.len; i++)
		n += r.p[i] == '.';
	return n;
}

int version_cmp(const char *a, const char *b)
{
	struct range ra, rb;
	struct semver sa, sb;
	size_t na, nb;

	a = a ? a : "";
	b = b ? b : "";
	if (version_semver(a, &sa) && version_semver(b, &sb))
		return version_semver_cmp(&sa, &sb);
	ra = (struct range){a, strlen(a)};
	rb = (struct range){b, strlen(b)};
	na = version_components(ra);
	nb = version_components(rb);
	for (size_t i = 0; i < na && i < nb; i++) {
		struct range x = version_next(&ra), y = version_next(&rb);
		long long xi, yi;
		int c;

		if (version_integer(x, &xi) && version_integer(y, &yi))
			c = version_sign(xi - yi);
		else
			c = version_text_cmp(x, y);
		if (c)
			return c;
	}
	return version_sign((long long)na - (long long)nb);
}
