/*
 * test_payload_json.c — the JSON helpers behind every payload codec
 * (proto/json_util.c): Go-style key matching, zero values for missing and null
 * keys, typed getters with their distinct error codes, the size cap and
 * compact, ordered output.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "json_util.h"
#include "proto_err.h"
#include "test_payload_util.h"

static json_t *parse(const char *text)
{
	json_t *root = NULL;

	cr_assert_eq(json_util_parse_object(PT_IN(text), 1 << 20, &root), PROTO_OK, "%s", text);
	return root;
}

static int parse_rc(const char *text)
{
	json_t *root = NULL;
	int rc = json_util_parse_object(PT_IN(text), 1 << 20, &root);

	cr_assert_eq(rc == PROTO_OK, root != NULL);
	json_decref(root);
	return rc;
}

static json_int_t int_of(const json_t *obj, const char *key)
{
	const json_t *v = json_util_get(obj, key);

	cr_assert(json_is_integer(v), "no integer for %s", key);
	return json_integer_value(v);
}

Test(payload_json, exact_key_wins_over_folded)
{
	json_t *a = parse("{\"cols\":1,\"COLS\":2}");
	json_t *b = parse("{\"COLS\":2,\"cols\":1,\"Cols\":3}");

	cr_assert_eq(int_of(a, "cols"), 1);
	cr_assert_eq(int_of(b, "cols"), 1);
	json_decref(a);
	json_decref(b);
}

Test(payload_json, last_folded_match_wins)
{
	json_t *a = parse("{\"COLS\":2,\"cOlS\":3}");

	cr_assert_eq(int_of(a, "cols"), 3);
	cr_assert_eq(int_of(a, "Cols"), 3);
	json_decref(a);
}

Test(payload_json, duplicate_exact_key_last_wins)
{
	json_t *a = parse("{\"rows\":1,\"rows\":7}");

	cr_assert_eq(int_of(a, "rows"), 7);
	json_decref(a);
}

Test(payload_json, fold_is_ascii_only_and_whole_key)
{
	json_t *a = parse("{\"col\":1,\"colss\":2,\"\\u212aey\":3}");

	cr_assert_null(json_util_get(a, "cols"));
	cr_assert_null(json_util_get(a, "key")); /* KELVIN SIGN is not 'K' here */
	json_decref(a);
}

Test(payload_json, null_reads_as_missing)
{
	json_t *a = parse("{\"s\":null,\"n\":null,\"b\":null}");
	char *s = (char *)"x";
	int64_t n = 5;
	bool b = true;

	cr_assert_null(json_util_get(a, "s"));
	cr_assert_eq(json_util_get_string(a, "s", JSON_UTIL_ZERO, &s), PROTO_OK);
	cr_assert_str_eq(s, "");
	free(s);
	cr_assert_eq(json_util_get_string(a, "s", JSON_UTIL_NULL, &s), PROTO_OK);
	cr_assert_null(s);
	cr_assert_eq(json_util_get_string(a, "s", JSON_UTIL_REQUIRED, &s), PROTO_E_FIELD_MISSING);
	cr_assert_eq(json_util_get_int(a, "n", 0, 10, JSON_UTIL_ZERO, &n), PROTO_OK);
	cr_assert_eq(n, 0);
	cr_assert_eq(json_util_get_int(a, "n", 0, 10, JSON_UTIL_REQUIRED, &n),
		     PROTO_E_FIELD_MISSING);
	cr_assert_eq(json_util_get_bool(a, "b", &b), PROTO_OK);
	cr_assert_eq(b, false);
	json_decref(a);
}

Test(payload_json, int_ranges_and_types)
{
	json_t *a = parse("{\"neg\":-1,\"big\":4294967296,\"max\":4294967295,\"real\":1.0,"
			  "\"half\":0.5,\"exp\":1e3,\"str\":\"1\",\"bool\":true,\"arr\":[1],"
			  "\"min64\":-9223372036854775808,\"max64\":9223372036854775807}");
	int64_t n;

	cr_assert_eq(json_util_get_int(a, "neg", 0, UINT32_MAX, JSON_UTIL_ZERO, &n),
		     PROTO_E_FIELD_RANGE);
	cr_assert_eq(json_util_get_int(a, "big", 0, UINT32_MAX, JSON_UTIL_ZERO, &n),
		     PROTO_E_FIELD_RANGE);
	cr_assert_eq(json_util_get_int(a, "max", 0, UINT32_MAX, JSON_UTIL_ZERO, &n), PROTO_OK);
	cr_assert_eq(n, UINT32_MAX);
	cr_assert_eq(json_util_get_int(a, "real", 0, 10, JSON_UTIL_ZERO, &n), PROTO_E_FIELD_RANGE);
	cr_assert_eq(json_util_get_int(a, "half", 0, 10, JSON_UTIL_ZERO, &n), PROTO_E_FIELD_RANGE);
	cr_assert_eq(json_util_get_int(a, "exp", 0, 10000, JSON_UTIL_ZERO, &n),
		     PROTO_E_FIELD_RANGE);
	cr_assert_eq(json_util_get_int(a, "str", 0, 10, JSON_UTIL_ZERO, &n), PROTO_E_FIELD_TYPE);
	cr_assert_eq(json_util_get_int(a, "bool", 0, 10, JSON_UTIL_ZERO, &n), PROTO_E_FIELD_TYPE);
	cr_assert_eq(json_util_get_int(a, "arr", 0, 10, JSON_UTIL_ZERO, &n), PROTO_E_FIELD_TYPE);
	cr_assert_eq(json_util_get_int(a, "min64", INT64_MIN, INT64_MAX, JSON_UTIL_ZERO, &n),
		     PROTO_OK);
	cr_assert_eq(n, INT64_MIN);
	cr_assert_eq(json_util_get_int(a, "max64", INT64_MIN, INT64_MAX, JSON_UTIL_ZERO, &n),
		     PROTO_OK);
	cr_assert_eq(n, INT64_MAX);
	json_decref(a);
}

Test(payload_json, string_and_bool_types)
{
	json_t *a = parse("{\"n\":1,\"o\":{},\"t\":\"true\",\"u\":\"h\\u00e9\\u2026\"}");
	char *s = NULL;
	bool b;

	cr_assert_eq(json_util_get_string(a, "n", JSON_UTIL_ZERO, &s), PROTO_E_FIELD_TYPE);
	cr_assert_eq(json_util_get_string(a, "o", JSON_UTIL_ZERO, &s), PROTO_E_FIELD_TYPE);
	cr_assert_null(s);
	cr_assert_eq(json_util_get_bool(a, "t", &b), PROTO_E_FIELD_TYPE);
	cr_assert_eq(json_util_get_bool(a, "n", &b), PROTO_E_FIELD_TYPE);
	cr_assert_eq(json_util_get_string(a, "u", JSON_UTIL_ZERO, &s), PROTO_OK);
	cr_assert_str_eq(s, "h\xc3\xa9\xe2\x80\xa6");
	free(s);
	json_decref(a);
}

Test(payload_json, parse_refusals)
{
	cr_assert_eq(parse_rc(""), PROTO_E_JSON);
	cr_assert_eq(parse_rc("   "), PROTO_E_JSON);
	cr_assert_eq(parse_rc("[]"), PROTO_E_JSON);
	cr_assert_eq(parse_rc("\"x\""), PROTO_E_JSON);
	cr_assert_eq(parse_rc("null"), PROTO_E_JSON);
	cr_assert_eq(parse_rc("7"), PROTO_E_JSON);
	cr_assert_eq(parse_rc("{"), PROTO_E_JSON);
	cr_assert_eq(parse_rc("{}x"), PROTO_E_JSON);
	cr_assert_eq(parse_rc("{}{}"), PROTO_E_JSON);
	cr_assert_eq(parse_rc("{'a':1}"), PROTO_E_JSON);
	cr_assert_eq(parse_rc("{\"a\":1,}"), PROTO_E_JSON);
	cr_assert_eq(parse_rc("{\"a\":\"\\u0000\"}"), PROTO_E_JSON);
	cr_assert_eq(parse_rc("{\"a\":\"\xff\"}"), PROTO_E_JSON);
	cr_assert_eq(parse_rc("{\"a\":\"\xc3\"}"), PROTO_E_JSON);
	cr_assert_eq(parse_rc("{\"a\":\"\\ud800\"}"), PROTO_E_JSON);
	cr_assert_eq(parse_rc("{\"a\":01}"), PROTO_E_JSON);
	cr_assert_eq(parse_rc("{\"a\":NaN}"), PROTO_E_JSON);
	cr_assert_eq(parse_rc(" \t\r\n{}\n "), PROTO_OK);
	cr_assert_eq(parse_rc("{\"a\":99999999999999999999}"), PROTO_E_FIELD_RANGE);
	cr_assert_eq(parse_rc("{\"a\":1e400}"), PROTO_E_FIELD_RANGE);
}

Test(payload_json, embedded_nul_byte_is_refused)
{
	json_t *root = NULL;

	cr_assert_eq(json_util_parse_object(pt_exact("{}\0", 3), 3, 100, &root), PROTO_E_JSON);
	cr_assert_eq(json_util_parse_object(pt_exact("{\"a\0\":1}", 8), 8, 100, &root),
		     PROTO_E_JSON);
}

Test(payload_json, size_cap_before_parsing)
{
	char *ok = pt_make_text("{", ' ', 100, "}");
	json_t *root = NULL;

	cr_assert_eq(json_util_parse_object(PT_IN(ok), 100, &root), PROTO_OK);
	json_decref(root);
	root = NULL;
	cr_assert_eq(json_util_parse_object(PT_IN(ok), 99, &root), PROTO_E_TOO_LARGE);
	cr_assert_null(root);
	/* refused unread: not even valid JSON */
	cr_assert_eq(json_util_parse_object((const uint8_t *)"", 1000, 999, &root),
		     PROTO_E_TOO_LARGE);
	free(ok);
}

Test(payload_json, deep_nesting_is_refused_not_crashing)
{
	size_t depth = 5000;
	char *s = malloc(2 * depth + 8);
	size_t n = 0;
	json_t *root = NULL;

	cr_assert_not_null(s);
	s[n++] = '{';
	s[n++] = '"';
	s[n++] = 'a';
	s[n++] = '"';
	s[n++] = ':';
	for (size_t i = 0; i < depth; i++)
		s[n++] = '[';
	for (size_t i = 0; i < depth; i++)
		s[n++] = ']';
	s[n++] = '}';
	cr_assert_eq(json_util_parse_object(pt_exact(s, n), n, n, &root), PROTO_E_JSON);
	free(s);
}

Test(payload_json, dump_is_compact_and_ordered)
{
	json_t *root = parse("{ \"z\" : 1 , \"a\" : [ 1 , "
			     "{ \"y\" : null , \"b\" : \"\\/<&\" } ] }");
	uint8_t *out;
	size_t n;
	char *text;
	int rc = json_util_dump(root, &out, &n);

	pt_expect_encoded(rc, out, n, "{\"z\":1,\"a\":[1,{\"y\":null,\"b\":\"/<&\"}]}");
	cr_assert_eq(json_util_dump_text(json_util_get(root, "A"), &text), PROTO_OK);
	cr_assert_str_eq(text, "[1,{\"y\":null,\"b\":\"/<&\"}]");
	free(text);
	json_decref(root);
}

Test(payload_json, parse_text_any_value)
{
	json_t *v = NULL;

	cr_assert_eq(json_util_parse_text(NULL, 10, &v), PROTO_OK);
	cr_assert(json_is_null(v));
	cr_assert_eq(json_util_parse_text("\"x\"", 10, &v), PROTO_OK);
	cr_assert(json_is_string(v));
	json_decref(v);
	cr_assert_eq(json_util_parse_text("{\"a\":", 10, &v), PROTO_E_JSON);
	cr_assert_eq(json_util_parse_text("", 10, &v), PROTO_E_JSON);
	cr_assert_eq(json_util_parse_text("[1,2,3,4,5]", 10, &v), PROTO_E_TOO_LARGE);
	cr_assert_eq(json_util_parse_text("[1,2,3,45]", 10, &v), PROTO_OK);
	json_decref(v);
}

Test(payload_json, bytes_getter)
{
	json_t *a = parse("{\"e\":\"\",\"k\":\"AQID\",\"bad\":\"AQI\",\"num\":5,"
			  "\"big\":\"AAAAAA==\"}");
	uint8_t *p = (uint8_t *)"x";
	size_t n = 9;

	cr_assert_eq(json_util_get_bytes(a, "e", 10, JSON_UTIL_NULL, &p, &n), PROTO_OK);
	cr_assert_not_null(p);
	cr_assert_eq(n, 0);
	free(p);
	cr_assert_eq(json_util_get_bytes(a, "k", 3, JSON_UTIL_NULL, &p, &n), PROTO_OK);
	cr_assert(n == 3 && p[0] == 1 && p[1] == 2 && p[2] == 3);
	free(p);
	cr_assert_eq(json_util_get_bytes(a, "k", 2, JSON_UTIL_NULL, &p, &n), PROTO_E_TOO_LARGE);
	cr_assert_eq(json_util_get_bytes(a, "big", 4, JSON_UTIL_NULL, &p, &n), PROTO_OK);
	cr_assert_eq(n, 4);
	free(p);
	cr_assert_eq(json_util_get_bytes(a, "big", 3, JSON_UTIL_NULL, &p, &n), PROTO_E_TOO_LARGE);
	cr_assert_eq(json_util_get_bytes(a, "bad", 10, JSON_UTIL_NULL, &p, &n), PROTO_E_BASE64);
	cr_assert_eq(json_util_get_bytes(a, "num", 10, JSON_UTIL_NULL, &p, &n), PROTO_E_FIELD_TYPE);
	cr_assert_eq(json_util_get_bytes(a, "none", 10, JSON_UTIL_NULL, &p, &n), PROTO_OK);
	cr_assert_null(p);
	cr_assert_eq(n, 0);
	cr_assert_eq(json_util_get_bytes(a, "none", 10, JSON_UTIL_REQUIRED, &p, &n),
		     PROTO_E_FIELD_MISSING);
	json_decref(a);
}

Test(payload_json, strings_getter)
{
	json_t *a = parse("{\"null\":null,\"empty\":[],\"two\":[null,\"b\"],\"num\":[\"a\",1],"
			  "\"obj\":{},\"three\":[\"a\",\"b\",\"c\"]}");
	char **list = (char **)1;
	size_t n = 9;

	cr_assert_eq(json_util_get_strings(a, "null", 2, &list, &n), PROTO_OK);
	cr_assert(list == NULL && n == 0);
	cr_assert_eq(json_util_get_strings(a, "missing", 2, &list, &n), PROTO_OK);
	cr_assert(list == NULL && n == 0);
	cr_assert_eq(json_util_get_strings(a, "empty", 2, &list, &n), PROTO_OK);
	cr_assert(list != NULL && list[0] == NULL && n == 0);
	json_util_free_strings(list);
	cr_assert_eq(json_util_get_strings(a, "two", 2, &list, &n), PROTO_OK);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(list[0], "");
	cr_assert_str_eq(list[1], "b");
	cr_assert_null(list[2]);
	json_util_free_strings(list);
	cr_assert_eq(json_util_get_strings(a, "num", 2, &list, &n), PROTO_E_FIELD_TYPE);
	cr_assert_eq(json_util_get_strings(a, "obj", 2, &list, &n), PROTO_E_FIELD_TYPE);
	cr_assert_eq(json_util_get_strings(a, "three", 2, &list, &n), PROTO_E_TOO_LARGE);
	json_decref(a);
}

Test(payload_json, pack_errors)
{
	json_t *v = NULL;

	cr_assert_eq(json_util_pack(&v, "{s:s}", "a", (const char *)NULL), PROTO_E_INVALID_ARG);
	cr_assert_eq(json_util_pack(&v, "{s:s}", "a", "\xff"), PROTO_E_INVALID_ARG);
	cr_assert_eq(json_util_pack(&v, "{s:s*}", "a", (const char *)NULL), PROTO_OK);
	cr_assert_eq(json_object_size(v), 0);
	json_decref(v);
}
