/*
 * smux_harness.c — the recording smux owner of smux_harness.h.
 */
#include "smux_harness.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_err.h"
#include "test_util.h"

static void append(struct smux_rec *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = r->log_cap - r->log_len;

		va_start(ap, fmt);
		n = vsnprintf(r->log ? r->log + r->log_len : NULL, room, fmt, ap);
		va_end(ap);
		cr_assert_geq(n, 0);
		if ((size_t)n < room)
			break;
		r->log_cap = (r->log_cap + (size_t)n + 1) * 2;
		r->log = realloc(r->log, r->log_cap);
		cr_assert_not_null(r->log);
	}
	r->log_len += (size_t)n;
}

static void append_hex(struct smux_rec *r, const uint8_t *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";

	if (r->log_cap - r->log_len < 2 * len + 1) {
		r->log_cap = (r->log_cap + 2 * len + 1) * 2;
		r->log = realloc(r->log, r->log_cap);
		cr_assert_not_null(r->log);
	}
	for (size_t i = 0; i < len; i++) {
		r->log[r->log_len++] = digits[data[i] >> 4];
		r->log[r->log_len++] = digits[data[i] & 15];
	}
	r->log[r->log_len] = '\0';
}

static void on_output(void *ctx)
{
	((struct smux_rec *)ctx)->outputs++;
}

static void on_open(void *ctx, uint32_t id)
{
	struct smux_rec *r = ctx;

	append(r, "open %u;", id);
	r->last_was_data = false;
}

static void on_data(void *ctx, uint32_t id, const uint8_t *data, size_t len)
{
	struct smux_rec *r = ctx;

	cr_assert_gt(len, 0, "on_data with no data");
	if (r->last_was_data && r->last_data_id == id) {
		r->log_len--; /* reopen the entry: drop its ';' */
	} else {
		append(r, "data %u ", id);
	}
	append_hex(r, data, len);
	append(r, ";");
	r->last_was_data = true;
	r->last_data_id = id;
	r->data_calls++;
	if (len > r->largest_slice)
		r->largest_slice = len;
	if (r->consume_on_data)
		smux_consumed(r->s, id, len);
}

static void on_fin(void *ctx, uint32_t id)
{
	struct smux_rec *r = ctx;

	append(r, "fin %u;", id);
	r->last_was_data = false;
	if (r->close_on_fin)
		smux_close(r->s, id);
}

static void on_writable(void *ctx, uint32_t id)
{
	struct smux_rec *r = ctx;

	append(r, "writable %u;", id);
	r->last_was_data = false;
}

void rec_init(struct smux_rec *r, uint8_t version, bool client, const struct smux_config *cfg)
{
	static const struct smux_ops ops = {on_output, on_open, on_data, on_fin, on_writable};
	struct smux_config dflt = {.version = version, .client = client};

	memset(r, 0, sizeof(*r));
	r->s = smux_new(cfg ? cfg : &dflt, &ops, r);
	cr_assert_not_null(r->s);
	append(r, "%s", "");
}

void rec_fini(struct smux_rec *r)
{
	smux_free(r->s);
	free(r->log);
	memset(r, 0, sizeof(*r));
}

void rec_clear(struct smux_rec *r)
{
	r->log_len = 0;
	r->log[0] = '\0';
	r->last_was_data = false;
}

int rec_input_hex(struct smux_rec *r, const char *hex)
{
	size_t len;
	uint8_t *buf = hex_decode_alloc(hex, &len);
	int rc;

	cr_assert_not_null(buf, "bad hex in test: %s", hex);
	rc = smux_input(r->s, buf, len);
	free(buf);
	return rc;
}

const char *rec_take_hex(struct smux_rec *r)
{
	static uint8_t bytes[4096];
	static char hex[2 * sizeof(bytes) + 1];
	size_t n;

	cr_assert_leq(smux_pending(r->s), sizeof(bytes), "pending output too large for the helper");
	n = smux_take(r->s, bytes, sizeof(bytes));
	hex_encode(bytes, n, hex);
	return hex;
}
