/*
 * fuzz_sigv4.c — libFuzzer target for the SigV4 network parsers: the
 * Authorization header (sigv4_parse_authorization) and, with the same bytes
 * as a request path, query and header value, the canonical request.
 *
 * Properties: the parser returns only its documented codes and reads
 * nothing past the input (ASan); a header that parses formats to text that
 * parses back to the same struct and differs from the input only in spaces
 * and parameter order; verifying it returns a documented code; the
 * canonical query is a fixed point (canonicalising it again changes
 * nothing), as is the canonical URI taken as already encoded.
 */
#include "fuzz_common.h"
#include "proto_err.h"
#include "sigv4.h"

#include <stdlib.h>
#include <string.h>

static size_t count_non_spaces(const char *s, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += s[i] != ' ';
	return k;
}

static int verify_documented(int rc)
{
	switch (rc) {
	case PROTO_OK: case PROTO_E_AUTH_UNSIGNED: case PROTO_E_AUTH_SCOPE:
	case PROTO_E_AUTH_EXPIRED: case PROTO_E_AUTH_HEADER: case PROTO_E_AUTH_SIGNATURE:
		return 1;
	}
	return 0;
}

static void check_authorization(const uint8_t *data, size_t size)
{
	static const struct sigv4_header headers[] = {
		{ "Host", "127.0.0.1:8443" },
		{ "Content-Type", "application/x-amz-json-1.1" },
		{ "X-Amz-Target", "AmazonSSM.StartSession" },
		{ "X-Amz-Date", "20231114T221320Z" },
	};
	static const struct sigv4_request req = {
		.method = "POST", .path = "/", .headers = headers, .n_headers = 4,
		.body = (const uint8_t *)"{}", .body_len = 2,
	};
	struct sigv4_auth a, b;
	char text[SIGV4_AUTH_MAX + 1];
	size_t len;
	int rc = sigv4_parse_authorization((const char *)data, size, &a);

	if (rc != PROTO_OK && rc != PROTO_E_AUTH_MALFORMED && rc != PROTO_E_AUTH_ALGORITHM)
		abort();
	if (rc != PROTO_OK)
		return;
	if (sigv4_format_authorization(&a, text, sizeof(text), &len) != PROTO_OK ||
	    len > SIGV4_AUTH_MAX || sigv4_parse_authorization(text, len, &b) != PROTO_OK ||
	    memcmp(&a, &b, sizeof(a)) != 0 ||
	    count_non_spaces((const char *)data, size) != count_non_spaces(text, len))
		abort();
	if (!verify_documented(sigv4_verify(&a, &req, "secret", 1700000000, 300, NULL)))
		abort();
}

/* Line `n` (0-based) of a canonical request, as a new string. */
static char *line_of(const char *text, int n)
{
	size_t len;
	char *out;

	for (; n > 0; n--)
		text = strchr(text, '\n') + 1;
	len = strcspn(text, "\n");
	out = malloc(len + 1);
	if (out) {
		memcpy(out, text, len);
		out[len] = '\0';
	}
	return out;
}

/* The canonical request of a GET with this path, query and host; *out NULL
 * only when memory ran out. */
static void canonical(const char *path, const char *query, const char *host, unsigned flags,
		      char **out)
{
	const struct sigv4_header h = { "Host", host };
	const struct sigv4_request req = { .method = "GET", .path = path, .query = query,
					   .headers = &h, .n_headers = 1, .flags = flags };
	int rc = sigv4_canonical_request(&req, "host", out, NULL);

	if (rc == PROTO_E_NOMEM) {
		*out = NULL;
		return;
	}
	if (rc != PROTO_OK)
		abort();
}

static void check_canonical(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *first = NULL, *again = NULL, *uri = NULL, *query = NULL;
	char *uri2 = NULL, *query2 = NULL;

	if (!s)
		return;
	memcpy(s, data, size);
	s[size] = '\0';
	canonical(s, s, s, 0, &first);
	if (!first)
		goto out;
	uri = line_of(first, 1);
	query = line_of(first, 2);
	if (!uri || !query)
		goto out;
	canonical(uri, query, "h", SIGV4_PATH_AS_SENT, &again);
	if (!again)
		goto out;
	uri2 = line_of(again, 1);
	query2 = line_of(again, 2);
	if (uri2 && query2 && (strcmp(uri, uri2) != 0 || strcmp(query, query2) != 0))
		abort();
out:
	free(uri2);
	free(query2);
	free(uri);
	free(query);
	free(again);
	free(first);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_authorization(data, size);
	check_canonical(data, size);
	return 0;
}
