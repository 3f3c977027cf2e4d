/*
 * json_util.c — Go-style JSON reading and compact writing for the payload codecs
 * (see json_util.h). Owns the mapping from jansson errors to proto_err codes.
 */
#include "json_util.h"
#include "base64.h"
#include "proto_err.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define DUMP_FLAGS (JSON_COMPACT | JSON_ENCODE_ANY)

/* ---- parsing and serializing -------------------------------------------- */

static int load_error(const json_error_t *err)
{
	switch (json_error_code(err)) {
	case json_error_out_of_memory:
		return PROTO_E_NOMEM;
	case json_error_numeric_overflow:
		return PROTO_E_FIELD_RANGE;
	default:
		return PROTO_E_JSON;
	}
}

int json_util_parse_object(const uint8_t *buf, size_t len, size_t max, json_t **out)
{
	json_error_t err;
	json_t *root;

	if (len > max)
		return PROTO_E_TOO_LARGE;
	if (len == 0)
		return PROTO_E_JSON;
	root = json_loadb((const char *)buf, len, 0, &err);
	if (!root)
		return load_error(&err);
	if (!json_is_object(root)) {
		json_decref(root);
		return PROTO_E_JSON;
	}
	*out = root;
	return PROTO_OK;
}

int json_util_parse_text(const char *text, size_t max, json_t **out)
{
	json_error_t err;
	json_t *v;
	size_t len;

	if (!text) {
		*out = json_null();
		return PROTO_OK;
	}
	len = strnlen(text, max + 1);
	if (len > max)
		return PROTO_E_TOO_LARGE;
	v = json_loadb(text, len, JSON_DECODE_ANY, &err);
	if (!v)
		return load_error(&err);
	*out = v;
	return PROTO_OK;
}

/* Serialize into a fresh buffer with `extra` spare bytes after the text. */
static int dump_alloc(const json_t *value, size_t extra, char **out, size_t *out_len)
{
	size_t len = json_dumpb(value, NULL, 0, DUMP_FLAGS);
	char *buf;

	if (len == 0)
		return PROTO_E_NOMEM; /* every value has a non-empty text */
	buf = malloc(len + extra);
	if (!buf)
		return PROTO_E_NOMEM;
	if (json_dumpb(value, buf, len, DUMP_FLAGS) != len) {
		free(buf);
		return PROTO_E_NOMEM;
	}
	*out = buf;
	*out_len = len;
	return PROTO_OK;
}

int json_util_dump(const json_t *value, uint8_t **out, size_t *out_len)
{
	char *buf;
	int rc = dump_alloc(value, 0, &buf, out_len);

	if (rc == PROTO_OK)
		*out = (uint8_t *)buf;
	return rc;
}

int json_util_dump_text(const json_t *value, char **out)
{
	char *buf;
	size_t len;
	int rc = dump_alloc(value, 1, &buf, &len);

	if (rc != PROTO_OK)
		return rc;
	buf[len] = '\0';
	*out = buf;
	return PROTO_OK;
}

static int vpack(json_t **out, const char *fmt, va_list ap)
{
	json_error_t err;
	json_t *v = json_vpack_ex(&err, 0, fmt, ap);

	if (!v)
		return json_error_code(&err) == json_error_out_of_memory ? PROTO_E_NOMEM
									 : PROTO_E_INVALID_ARG;
	*out = v;
	return PROTO_OK;
}

int json_util_pack(json_t **out, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vpack(out, fmt, ap);
	va_end(ap);
	return rc;
}

int json_util_pack_dump(uint8_t **out, size_t *out_len, const char *fmt, ...)
{
	json_t *root = NULL;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vpack(&root, fmt, ap);
	va_end(ap);
	if (rc != PROTO_OK)
		return rc;
	rc = json_util_dump(root, out, out_len);
	json_decref(root);
	return rc;
}

/* ---- Go-style key lookup ------------------------------------------------ */

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool ascii_equal_fold(const char *a, const char *b)
{
	while (*a && ascii_lower(*a) == ascii_lower(*b)) {
		a++;
		b++;
	}
	return *a == *b;
}

json_t *json_util_get(const json_t *obj, const char *key)
{
	json_t *found;
	const char *k;
	json_t *v;

	if (!json_is_object(obj))
		return NULL;
	found = json_object_get(obj, key);
	if (!found) {
		/* json_object_foreach wants a non-const object; it only reads. */
		json_object_foreach ((json_t *)obj, k, v) {
			if (ascii_equal_fold(k, key))
				found = v;
		}
	}
	return json_is_null(found) ? NULL : found;
}

/* ---- typed getters ------------------------------------------------------ */

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* Missing or null value: what `absent` says, as PROTO_OK with *out set, or
 * PROTO_E_FIELD_MISSING. zero is the zero value to copy, NULL for none. */
static int absent_text(enum json_util_absent absent, const char *zero, char **out)
{
	if (absent == JSON_UTIL_REQUIRED)
		return PROTO_E_FIELD_MISSING;
	if (absent != JSON_UTIL_ZERO || !zero) {
		*out = NULL;
		return PROTO_OK;
	}
	*out = dup_n(zero, strlen(zero));
	return *out ? PROTO_OK : PROTO_E_NOMEM;
}

int json_util_string_value(const json_t *v, enum json_util_absent absent, char **out)
{
	char *s;

	if (!v || json_is_null(v))
		return absent_text(absent, "", out);
	if (!json_is_string(v))
		return PROTO_E_FIELD_TYPE;
	s = dup_n(json_string_value(v), json_string_length(v));
	if (!s)
		return PROTO_E_NOMEM;
	*out = s;
	return PROTO_OK;
}

int json_util_get_string(const json_t *obj, const char *key, enum json_util_absent absent,
			 char **out)
{
	return json_util_string_value(json_util_get(obj, key), absent, out);
}

int json_util_get_int(const json_t *obj, const char *key, int64_t min, int64_t max,
		      enum json_util_absent absent, int64_t *out)
{
	const json_t *v = json_util_get(obj, key);
	json_int_t n;

	if (!v) {
		if (absent == JSON_UTIL_REQUIRED)
			return PROTO_E_FIELD_MISSING;
		*out = 0;
		return PROTO_OK;
	}
	if (json_is_real(v))
		return PROTO_E_FIELD_RANGE;
	if (!json_is_integer(v))
		return PROTO_E_FIELD_TYPE;
	n = json_integer_value(v);
	if (n < min || n > max)
		return PROTO_E_FIELD_RANGE;
	*out = (int64_t)n;
	return PROTO_OK;
}

int json_util_get_bool(const json_t *obj, const char *key, bool *out)
{
	const json_t *v = json_util_get(obj, key);

	if (v && !json_is_boolean(v))
		return PROTO_E_FIELD_TYPE;
	*out = v && json_is_true(v);
	return PROTO_OK;
}

/* Decode base64 text into a fresh buffer (at least 1 byte, so never NULL). */
static int decode_b64(const char *text, size_t len, size_t max, uint8_t **out, size_t *out_len)
{
	size_t cap = base64_decoded_max(len);
	uint8_t *buf;
	size_t n;
	int rc;

	if (len % 4 != 0)
		return PROTO_E_BASE64;
	if (cap > 2 && cap - 2 > max) /* padding trims at most 2 bytes */
		return PROTO_E_TOO_LARGE;
	buf = malloc(cap ? cap : 1);
	if (!buf)
		return PROTO_E_NOMEM;
	rc = base64_decode(text, len, buf, cap, &n);
	if (rc == PROTO_OK && n > max)
		rc = PROTO_E_TOO_LARGE;
	if (rc != PROTO_OK) {
		free(buf);
		return rc;
	}
	*out = buf;
	*out_len = n;
	return PROTO_OK;
}

int json_util_get_bytes(const json_t *obj, const char *key, size_t max,
			enum json_util_absent absent, uint8_t **out, size_t *out_len)
{
	const json_t *v = json_util_get(obj, key);

	if (!v) {
		if (absent == JSON_UTIL_REQUIRED)
			return PROTO_E_FIELD_MISSING;
		*out = NULL;
		*out_len = 0;
		return PROTO_OK;
	}
	if (!json_is_string(v))
		return PROTO_E_FIELD_TYPE;
	return decode_b64(json_string_value(v), json_string_length(v), max, out, out_len);
}

int json_util_bytes_value(const uint8_t *data, size_t len, json_t **out)
{
	size_t text_len = base64_encoded_len(len);
	char *text;
	json_t *v;

	if (!data) {
		*out = json_null();
		return PROTO_OK;
	}
	if (text_len == 0 && len != 0)
		return PROTO_E_TOO_LARGE;
	text = malloc(text_len + 1);
	if (!text)
		return PROTO_E_NOMEM;
	base64_encode(data, len, text, text_len + 1, NULL);
	v = json_stringn_nocheck(text, text_len);
	free(text);
	if (!v)
		return PROTO_E_NOMEM;
	*out = v;
	return PROTO_OK;
}

int json_util_get_raw(const json_t *obj, const char *key, enum json_util_absent absent,
		      char **out)
{
	const json_t *v = json_util_get(obj, key);

	if (!v)
		return absent_text(absent, NULL, out);
	return json_util_dump_text(v, out);
}

/* ---- arrays ------------------------------------------------------------- */

/* The array behind key: NULL for missing/null, FIELD_TYPE for a non-array,
 * TOO_LARGE over max_items. */
static int get_array(const json_t *obj, const char *key, size_t max_items, const json_t **arr)
{
	const json_t *v = json_util_get(obj, key);

	if (v && !json_is_array(v))
		return PROTO_E_FIELD_TYPE;
	if (v && json_array_size(v) > max_items)
		return PROTO_E_TOO_LARGE;
	*arr = v;
	return PROTO_OK;
}

void json_util_free_strings(char **strings)
{
	if (!strings)
		return;
	for (char **p = strings; *p; p++)
		free(*p);
	free(strings);
}

int json_util_get_strings(const json_t *obj, const char *key, size_t max_items, char ***out,
			  size_t *count)
{
	const json_t *arr = NULL;
	char **list = NULL;
	size_t n = 0;
	int rc;

	rc = get_array(obj, key, max_items, &arr);
	if (rc != PROTO_OK || !arr)
		goto out;
	n = json_array_size(arr);
	list = calloc(n + 1, sizeof(*list));
	if (!list) {
		rc = PROTO_E_NOMEM;
		goto out;
	}
	for (size_t i = 0; i < n && rc == PROTO_OK; i++)
		rc = json_util_string_value(json_array_get(arr, i), JSON_UTIL_ZERO, &list[i]);
out:
	if (rc != PROTO_OK) {
		json_util_free_strings(list);
		return rc;
	}
	*out = list;
	*count = n;
	return PROTO_OK;
}

int json_util_strings_value(char *const *strings, size_t count, json_t **out)
{
	json_t *arr;
	int rc = PROTO_OK;

	if (!strings) {
		*out = json_null();
		return PROTO_OK;
	}
	arr = json_array();
	if (!arr)
		return PROTO_E_NOMEM;
	for (size_t i = 0; i < count && rc == PROTO_OK; i++) {
		json_t *s;

		rc = json_util_pack(&s, "s", strings[i]);
		if (rc == PROTO_OK && json_array_append_new(arr, s) != 0)
			rc = PROTO_E_NOMEM;
	}
	if (rc != PROTO_OK) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return PROTO_OK;
}

/* Read element i of arr into item (zeroed here). */
static int read_item(const json_t *arr, size_t i, json_util_item_reader read, void *item,
		     size_t item_size)
{
	const json_t *v = json_array_get(arr, i);

	memset(item, 0, item_size);
	if (json_is_null(v))
		v = NULL;
	else if (!json_is_object(v))
		return PROTO_E_FIELD_TYPE;
	return read(v, item);
}

int json_util_get_objects(const json_t *obj, const char *key, size_t max_items,
			  size_t item_size, json_util_item_reader read,
			  json_util_item_release release, void **out, size_t *count)
{
	const json_t *arr = NULL;
	unsigned char *items = NULL;
	size_t n = 0, done = 0;
	int rc;

	rc = get_array(obj, key, max_items, &arr);
	if (rc != PROTO_OK || !arr || json_array_size(arr) == 0)
		goto out;
	n = json_array_size(arr);
	items = calloc(n, item_size); /* n <= max_items: no overflow in practice */
	if (!items) {
		rc = PROTO_E_NOMEM;
		goto out;
	}
	for (done = 0; done < n; done++) {
		rc = read_item(arr, done, read, items + done * item_size, item_size);
		if (rc != PROTO_OK)
			break;
	}
out:
	if (rc != PROTO_OK) {
		/* items[0..done) were read; the failing one released itself */
		for (size_t i = 0; i < done; i++)
			release(items + i * item_size);
		free(items);
		return rc;
	}
	*out = items;
	*count = items ? n : 0;
	return PROTO_OK;
}

int json_util_objects_value(const void *items, size_t count, size_t item_size,
			    json_util_item_builder build, json_t **out)
{
	const unsigned char *p = items;
	json_t *arr = json_array();
	int rc = arr ? PROTO_OK : PROTO_E_NOMEM;

	for (size_t i = 0; i < count && rc == PROTO_OK; i++) {
		json_t *v;

		rc = build(p + i * item_size, &v);
		if (rc == PROTO_OK && json_array_append_new(arr, v) != 0)
			rc = PROTO_E_NOMEM;
	}
	if (rc != PROTO_OK) {
		json_decref(arr);
		return rc;
	}
	*out = arr;
	return PROTO_OK;
}
