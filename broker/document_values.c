/*
 * document_values.c — parameter value checks for the built-in documents
 * (see document_values.h).
 */
#include "document_values.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stddef.h>
#include <string.h>

static bool decimal_in(const char *value, long min, long max)
{
	long n = 0;
	size_t len = strlen(value);

	if (len == 0 || len > 5 || (len > 1 && value[0] == '0'))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)value[i]))
			return false;
		n = n * 10 + (value[i] - '0');
	}
	return n >= min && n <= max;
}

bool document_valid_port(const char *value)
{
	return decimal_in(value, 1, 65535);
}

bool document_valid_local_port(const char *value)
{
	return decimal_in(value, 0, 65535);
}

static bool valid_label(const char *label, size_t len)
{
	if (len == 0 || len > 63 || label[0] == '-' || label[len - 1] == '-')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)label[i]) && label[i] != '-')
			return false;
	return true;
}

static bool valid_host_name(const char *value)
{
	size_t len = strlen(value);
	const char *p = value, *end;

	if (len && value[len - 1] == '.')
		len--;
	if (len == 0 || len > DOCUMENT_HOST_MAX)
		return false;
	end = value + len;
	while (p < end) {
		const char *dot = memchr(p, '.', (size_t)(end - p));
		size_t label = dot ? (size_t)(dot - p) : (size_t)(end - p);

		if (!valid_label(p, label))
			return false;
		p += label + (dot ? 1 : 0);
		if (dot && p == end)
			return false; /* "a..b" handled by the empty label; "a." stripped above */
	}
	return true;
}

/* All digits and dots: it must then be a dotted quad, not a name. */
static bool looks_numeric(const char *value)
{
	return strspn(value, "0123456789.") == strlen(value);
}

bool document_valid_host(const char *value)
{
	unsigned char addr[16];

	if (strchr(value, ':'))
		return inet_pton(AF_INET6, value, addr) == 1;
	if (looks_numeric(value))
		return inet_pton(AF_INET, value, addr) == 1;
	return valid_host_name(value);
}
