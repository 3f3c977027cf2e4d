/*
 * sigv4_util.c — the small pieces every sigv4 file uses (sigv4_impl.h): the
 * growable text buffer, hex, character classes and byte-span comparison.
 */
#include "sigv4_impl.h"

#include <stdlib.h>
#include <string.h>

void sigv4_buf_put(struct sigv4_buf *b, const void *p, size_t n)
{
	size_t cap = b->cap ? b->cap : 256;
	char *grown;

	if (b->failed || n == 0)
		return;
	while (cap - b->len <= n) { /* room for n bytes and the NUL */
		if (cap > SIZE_MAX / 2) {
			b->failed = true;
			return;
		}
		cap *= 2;
	}
	if (cap != b->cap) {
		grown = realloc(b->data, cap);
		if (!grown) {
			b->failed = true;
			return;
		}
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void sigv4_buf_putc(struct sigv4_buf *b, char c)
{
	sigv4_buf_put(b, &c, 1);
}

void sigv4_buf_puts(struct sigv4_buf *b, const char *s)
{
	sigv4_buf_put(b, s, strlen(s));
}

void sigv4_buf_free(struct sigv4_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

void sigv4_hex(const uint8_t *in, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * n] = '\0';
}

bool sigv4_is_name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

bool sigv4_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

char sigv4_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool sigv4_name_is(const char *name, const char *lower, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (name[i] == '\0' || sigv4_lower(name[i]) != lower[i])
			return false;
	return name[n] == '\0';
}

bool sigv4_name_eq(const char *name, const char *lower)
{
	return sigv4_name_is(name, lower, strlen(lower));
}

int sigv4_span_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	if (c != 0)
		return c;
	return an < bn ? -1 : an > bn;
}

int sigv4_hex_digit(char c, bool upper_too)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (upper_too && c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
