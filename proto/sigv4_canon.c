/*
 * sigv4_canon.c — the SigV4 canonical request (rules in sigv4.h): canonical
 * URI, canonical query string and header block.
 */
#include "sigv4_impl.h"
#include "proto_err.h"

#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>

static const char hex_upper[] = "0123456789ABCDEF";

/* ---- percent encoding ----------------------------------------------------- */

static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

static void put_escaped(struct sigv4_buf *b, unsigned char c)
{
	char e[3] = { '%', hex_upper[c >> 4], hex_upper[c & 0xf] };

	sigv4_buf_put(b, e, sizeof(e));
}

/* Append s[0..n) with every byte but the unreserved ones (and '/', when
 * keep_slash) written as %XX. */
static void put_encoded(struct sigv4_buf *b, const char *s, size_t n, bool keep_slash)
{
	size_t run = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (unreserved(c) || (keep_slash && c == '/'))
			continue;
		sigv4_buf_put(b, s + run, i - run);
		put_escaped(b, c);
		run = i + 1;
	}
	sigv4_buf_put(b, s + run, n - run);
}

/* Append s[0..n) decoded (each valid %XX; anything else is a literal byte)
 * and encoded again canonically, '/' included. */
static void put_requoted(struct sigv4_buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '%' && i + 2 < n && sigv4_hex_digit(s[i + 1], true) >= 0 &&
		    sigv4_hex_digit(s[i + 2], true) >= 0) {
			c = (unsigned char)(sigv4_hex_digit(s[i + 1], true) << 4 |
					    sigv4_hex_digit(s[i + 2], true));
			i += 2;
		}
		if (unreserved(c))
			sigv4_buf_putc(b, (char)c);
		else
			put_escaped(b, c);
	}
}

/* ---- canonical URI -------------------------------------------------------- */

static void put_segment(struct sigv4_buf *b, const char *s, size_t n, bool encode)
{
	if (encode)
		put_encoded(b, s, n, true);
	else
		sigv4_buf_put(b, s, n);
}

/* Remove the last segment written since `start`, with the '/' before it. */
static void drop_segment(struct sigv4_buf *b, size_t start)
{
	size_t k = b->len;

	if (b->failed || k == start)
		return;
	while (k > start && b->data[k - 1] != '/')
		k--;
	if (k > start)
		k--;
	b->len = k;
	b->data[k] = '\0';
}

/* The path without '.', '..' and empty segments, as botocore's
 * remove_dot_segments: leading and trailing '/' kept, '..' above the root
 * ignored. (Where nothing remains, canon_uri makes it "/".) */
static void put_normalized(struct sigv4_buf *b, const char *path, size_t n, bool encode)
{
	size_t start = b->len;
	bool absolute = path[0] == '/';

	for (size_t i = 0; i < n;) {
		size_t j = i;

		while (j < n && path[j] != '/')
			j++;
		if (j - i == 2 && path[i] == '.' && path[i + 1] == '.') {
			drop_segment(b, start);
		} else if (j > i && !(j - i == 1 && path[i] == '.')) {
			if (absolute || b->len > start)
				sigv4_buf_putc(b, '/');
			put_segment(b, path + i, j - i, encode);
		}
		i = j + 1;
	}
	if (path[n - 1] == '/')
		sigv4_buf_putc(b, '/');
}

static void canon_uri(struct sigv4_buf *b, const char *path, unsigned flags)
{
	size_t n = strlen(path ? path : "");
	size_t start = b->len;
	bool encode = !(flags & SIGV4_PATH_AS_SENT);

	if (n > 0 && (flags & SIGV4_PATH_NO_NORMALIZE))
		put_segment(b, path, n, encode);
	else if (n > 0)
		put_normalized(b, path, n, encode);
	if (b->len == start)
		sigv4_buf_putc(b, '/');
}

/* ---- canonical query string ----------------------------------------------- */

struct qparam {
	size_t name_off, name_len, value_off, value_len; /* in the scratch text */
	const char *name, *value;                        /* set once it stops moving */
};

static int qparam_cmp(const void *pa, const void *pb)
{
	const struct qparam *a = pa, *b = pb;
	int c = sigv4_span_cmp(a->name, a->name_len, b->name, b->name_len);

	return c != 0 ? c : sigv4_span_cmp(a->value, a->value_len, b->value, b->value_len);
}

/* Split query into parameters, canonicalising each name and value into
 * scratch; *n_out gets the count. */
static void split_query(const char *query, struct qparam *params, size_t *n_out,
			struct sigv4_buf *scratch)
{
	size_t n = 0;

	for (const char *p = query; *p;) {
		size_t len = strcspn(p, "&");
		const char *eq = memchr(p, '=', len);
		size_t name_len = eq ? (size_t)(eq - p) : len;

		if (len > 0) {
			struct qparam *q = &params[n++];

			q->name_off = scratch->len;
			put_requoted(scratch, p, name_len);
			q->name_len = scratch->len - q->name_off;
			q->value_off = scratch->len;
			if (eq)
				put_requoted(scratch, eq + 1, len - name_len - 1);
			q->value_len = scratch->len - q->value_off;
		}
		p += len + (p[len] == '&');
	}
	*n_out = n;
}

static int canon_query(struct sigv4_buf *b, const char *query)
{
	struct sigv4_buf scratch = { 0 };
	struct qparam *params = NULL;
	size_t max = 1, n = 0;
	int rc = PROTO_OK;

	if (!query || !*query)
		return PROTO_OK;
	for (const char *p = query; *p; p++)
		max += *p == '&';
	params = calloc(max, sizeof(*params));
	if (!params)
		return PROTO_E_NOMEM;
	split_query(query, params, &n, &scratch);
	if (scratch.failed) {
		rc = PROTO_E_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		params[i].name = scratch.data ? scratch.data + params[i].name_off : "";
		params[i].value = scratch.data ? scratch.data + params[i].value_off : "";
	}
	qsort(params, n, sizeof(*params), qparam_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			sigv4_buf_putc(b, '&');
		sigv4_buf_put(b, params[i].name, params[i].name_len);
		sigv4_buf_putc(b, '=');
		sigv4_buf_put(b, params[i].value, params[i].value_len);
	}
out:
	free(params);
	sigv4_buf_free(&scratch);
	return rc;
}

/* ---- canonical headers ---------------------------------------------------- */

/* Append v without leading or trailing white space, inner runs folded to one
 * space. */
static void put_trimmed(struct sigv4_buf *b, const char *v)
{
	bool gap = false, any = false;

	for (; *v; v++) {
		if (sigv4_is_space(*v)) {
			gap = any;
			continue;
		}
		if (gap)
			sigv4_buf_putc(b, ' ');
		sigv4_buf_putc(b, *v);
		gap = false;
		any = true;
	}
}

/* One "name:value[,value...]\n" line per name of signed_headers. */
static int canon_headers(struct sigv4_buf *b, const struct sigv4_request *req,
			 const char *signed_headers)
{
	const char *name = signed_headers;

	for (;;) {
		size_t n = strcspn(name, ";");
		bool found = false;

		sigv4_buf_put(b, name, n);
		sigv4_buf_putc(b, ':');
		for (size_t i = 0; i < req->n_headers; i++) {
			const struct sigv4_header *h = &req->headers[i];

			if (n == 0 || !h->name || !sigv4_name_is(h->name, name, n))
				continue;
			if (found)
				sigv4_buf_putc(b, ',');
			put_trimmed(b, h->value ? h->value : "");
			found = true;
		}
		if (!found)
			return PROTO_E_AUTH_HEADER;
		sigv4_buf_putc(b, '\n');
		if (name[n] == '\0')
			return PROTO_OK;
		name += n + 1;
	}
}

/* ---- the canonical request ------------------------------------------------ */

int sigv4_canon_request(const struct sigv4_request *req, const char *signed_headers,
			struct sigv4_buf *b)
{
	uint8_t digest[SHA256_DIGEST_LENGTH];
	char hex[2 * SHA256_DIGEST_LENGTH + 1];
	int rc;

	if (!req || !req->method || !signed_headers || (req->n_headers && !req->headers) ||
	    (req->body_len && !req->body))
		return PROTO_E_INVALID_ARG;
	sigv4_buf_puts(b, req->method);
	sigv4_buf_putc(b, '\n');
	canon_uri(b, req->path, req->flags);
	sigv4_buf_putc(b, '\n');
	rc = canon_query(b, req->query);
	if (rc != PROTO_OK)
		return rc;
	sigv4_buf_putc(b, '\n');
	rc = canon_headers(b, req, signed_headers);
	if (rc != PROTO_OK)
		return rc;
	sigv4_buf_putc(b, '\n');
	sigv4_buf_puts(b, signed_headers);
	sigv4_buf_putc(b, '\n');
	SHA256(req->body_len ? req->body : (const uint8_t *)"", req->body_len, digest);
	sigv4_hex(digest, sizeof(digest), hex);
	sigv4_buf_puts(b, hex);
	return b->failed ? PROTO_E_NOMEM : PROTO_OK;
}

int sigv4_canonical_request(const struct sigv4_request *req, const char *signed_headers,
			    char **out, size_t *out_len)
{
	struct sigv4_buf b = { 0 };
	int rc;

	if (!out)
		return PROTO_E_INVALID_ARG;
	rc = sigv4_canon_request(req, signed_headers, &b);
	if (rc == PROTO_OK) {
		*out = b.data;
		if (out_len)
			*out_len = b.len;
		b.data = NULL;
	}
	sigv4_buf_free(&b);
	return rc;
}
