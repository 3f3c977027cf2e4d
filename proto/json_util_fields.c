/*
 * json_util_fields.c — the table-driven half of json_util (see json_util.h):
 * reading, writing and freeing flat structs described by json_util_field
 * tables, and the common body of every JSON payload decoder.
 */
#include "json_util.h"
#include "proto_err.h"

#include <stdlib.h>
#include <string.h>

/* ---- whole payloads ----------------------------------------------------- */

int json_util_decode(const uint8_t *buf, size_t len, size_t max, json_util_reader read,
		     void *out, size_t out_size)
{
	json_t *root = NULL;
	int rc;

	memset(out, 0, out_size);
	rc = json_util_parse_object(buf, len, max, &root);
	if (rc == PROTO_OK)
		rc = read(root, out);
	json_decref(root);
	return rc;
}

/* ---- field tables ------------------------------------------------------- */

static void *member(void *base, const struct json_util_field *f)
{
	return (char *)base + f->offset;
}

static const void *const_member(const void *base, const struct json_util_field *f)
{
	return (const char *)base + f->offset;
}

static int read_field(const json_t *obj, const struct json_util_field *f, void *out)
{
	void *m = member(out, f);
	int64_t n = 0;
	int rc;

	switch (f->type) {
	case JSON_UTIL_STRING:
		return json_util_get_string(obj, f->key, f->absent, m);
	case JSON_UTIL_INT32:
		rc = json_util_get_int(obj, f->key, INT32_MIN, INT32_MAX, f->absent, &n);
		*(int32_t *)m = (int32_t)n;
		return rc;
	case JSON_UTIL_UINT32:
		rc = json_util_get_int(obj, f->key, 0, UINT32_MAX, f->absent, &n);
		*(uint32_t *)m = (uint32_t)n;
		return rc;
	case JSON_UTIL_INT64:
		return json_util_get_int(obj, f->key, INT64_MIN, INT64_MAX, f->absent, m);
	case JSON_UTIL_RAW:
		return json_util_get_raw(obj, f->key, f->absent, m);
	}
	return PROTO_E_INVALID_ARG;
}

int json_util_read_fields(const json_t *obj, const struct json_util_field *fields, size_t n,
			  void *out)
{
	int rc = PROTO_OK;

	for (size_t i = 0; i < n && rc == PROTO_OK; i++)
		rc = read_field(obj, &fields[i], out);
	return rc;
}

/* The JSON value of a string or raw member; *v stays NULL when it is left out. */
static int text_value(const struct json_util_field *f, const char *s, json_t **v)
{
	if (!s && f->absent == JSON_UTIL_OMIT)
		return PROTO_OK;
	if (!s && (f->type == JSON_UTIL_RAW || f->absent == JSON_UTIL_NULL)) {
		*v = json_null();
		return PROTO_OK;
	}
	if (f->type == JSON_UTIL_RAW)
		return json_util_parse_text(s, JSON_UTIL_TEXT_MAX, v);
	return json_util_pack(v, "s", s); /* NULL here: PROTO_E_INVALID_ARG */
}

/* The JSON value of one member; *v stays NULL when it is left out. */
static int field_value(const struct json_util_field *f, const void *in, json_t **v)
{
	const void *m = const_member(in, f);

	*v = NULL;
	switch (f->type) {
	case JSON_UTIL_STRING:
	case JSON_UTIL_RAW:
		return text_value(f, *(char *const *)m, v);
	case JSON_UTIL_INT32:
		*v = json_integer(*(const int32_t *)m);
		break;
	case JSON_UTIL_UINT32:
		*v = json_integer(*(const uint32_t *)m);
		break;
	case JSON_UTIL_INT64:
		*v = json_integer(*(const int64_t *)m);
		break;
	}
	return *v ? PROTO_OK : PROTO_E_NOMEM;
}

int json_util_write_fields(json_t *obj, const struct json_util_field *fields, size_t n,
			   const void *in)
{
	for (size_t i = 0; i < n; i++) {
		json_t *v;
		int rc = field_value(&fields[i], in, &v);

		if (rc != PROTO_OK)
			return rc;
		if (v && json_object_set_new_nocheck(obj, fields[i].key, v) != 0)
			return PROTO_E_NOMEM;
	}
	return PROTO_OK;
}

int json_util_fields_value(const struct json_util_field *fields, size_t n, const void *in,
			   json_t **out)
{
	json_t *obj = json_object();
	int rc = obj ? json_util_write_fields(obj, fields, n, in) : PROTO_E_NOMEM;

	if (rc != PROTO_OK) {
		json_decref(obj);
		return rc;
	}
	*out = obj;
	return PROTO_OK;
}

int json_util_encode_fields(const struct json_util_field *fields, size_t n, const void *in,
			    uint8_t **out, size_t *out_len)
{
	json_t *obj = NULL;
	int rc = json_util_fields_value(fields, n, in, &obj);

	if (rc == PROTO_OK)
		rc = json_util_dump(obj, out, out_len);
	json_decref(obj);
	return rc;
}

int json_util_decode_fields(const uint8_t *buf, size_t len, size_t max,
			    const struct json_util_field *fields, size_t n, void *out,
			    size_t out_size)
{
	json_t *root = NULL;
	int rc;

	memset(out, 0, out_size);
	rc = json_util_parse_object(buf, len, max, &root);
	if (rc == PROTO_OK)
		rc = json_util_read_fields(root, fields, n, out);
	json_decref(root);
	return rc;
}

void json_util_free_fields(const struct json_util_field *fields, size_t n, void *obj,
			   size_t obj_size)
{
	for (size_t i = 0; i < n; i++) {
		if (fields[i].type == JSON_UTIL_STRING || fields[i].type == JSON_UTIL_RAW)
			free(*(char **)member(obj, &fields[i]));
	}
	memset(obj, 0, obj_size);
}
