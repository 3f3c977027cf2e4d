/*
 * cli_params.c — --parameters in JSON or AWS CLI shorthand form (the grammar
 * is in cli_params.h).
 */
#include "cli_params.h"
#include "client_err.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define PARAMS_WHAT "--parameters"

/* ---- JSON form ------------------------------------------------------------- */

static int json_values(const char *key, json_t *v, json_t **list, char *err, size_t errlen)
{
	size_t i;
	json_t *item;

	if (json_is_string(v)) {
		if (json_string_length(v) == 0)
			return client_errf(err, errlen, CLIENT_E_USAGE,
					   PARAMS_WHAT ": %s has an empty value", key);
		*list = json_pack("[O]", v);
		return *list ? CLIENT_OK : client_errf(err, errlen, CLIENT_E_NOMEM, "out of memory");
	}
	if (!json_is_array(v))
		return client_errf(err, errlen, CLIENT_E_USAGE,
				   PARAMS_WHAT ": %s must be a string or a list of strings", key);
	json_array_foreach(v, i, item) {
		if (!json_is_string(item) || json_string_length(item) == 0)
			return client_errf(err, errlen, CLIENT_E_USAGE,
					   PARAMS_WHAT ": %s must be a list of non-empty strings", key);
	}
	*list = json_incref(v);
	return CLIENT_OK;
}

static int parse_json(const char *text, json_t **out, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr), *result, *v, *list = NULL;
	const char *key;
	int rc = CLIENT_OK;

	if (!root)
		return client_errf(err, errlen, CLIENT_E_USAGE, PARAMS_WHAT ": bad JSON: %s",
				   jerr.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return client_errf(err, errlen, CLIENT_E_USAGE,
				   PARAMS_WHAT ": JSON must be an object");
	}
	result = json_object();
	if (!result)
		rc = client_errf(err, errlen, CLIENT_E_NOMEM, "out of memory");
	json_object_foreach(root, key, v) {
		if (rc != CLIENT_OK)
			break;
		if (!*key) {
			rc = client_errf(err, errlen, CLIENT_E_USAGE,
					 PARAMS_WHAT ": a parameter name is empty");
			break;
		}
		rc = json_values(key, v, &list, err, errlen);
		if (rc == CLIENT_OK && json_object_set_new(result, key, list) != 0)
			rc = client_errf(err, errlen, CLIENT_E_NOMEM, "out of memory");
	}
	json_decref(root);
	if (rc != CLIENT_OK) {
		json_decref(result);
		return rc;
	}
	*out = result;
	return CLIENT_OK;
}

/* ---- shorthand form -------------------------------------------------------- */

struct scanner {
	const char *p;
	char *buf;    /* scratch for one token, as long as the whole text */
	char *err;
	size_t errlen;
};

static void skip_spaces(struct scanner *s)
{
	while (*s->p == ' ' || *s->p == '\t')
		s->p++;
}

static void trim_right(char *t)
{
	size_t n = strlen(t);

	while (n && (t[n - 1] == ' ' || t[n - 1] == '\t'))
		t[--n] = '\0';
}

/* A quoted value into s->buf; s->p is on the opening quote. */
static int scan_quoted(struct scanner *s)
{
	char quote = *s->p++, *o = s->buf;

	while (*s->p && *s->p != quote) {
		if (*s->p == '\\' && s->p[1] == quote)
			s->p++;
		*o++ = *s->p++;
	}
	if (*s->p != quote)
		return client_errf(s->err, s->errlen, CLIENT_E_USAGE,
				   PARAMS_WHAT ": unterminated %c quote", quote);
	s->p++;
	*o = '\0';
	skip_spaces(s);
	return CLIENT_OK;
}

/* One value (quoted or bare) into s->buf, ending before ',' or (in a list) ']'. */
static int scan_value(struct scanner *s, bool in_list)
{
	const char *stop = in_list ? ",]" : ",";
	size_t n;

	skip_spaces(s);
	if (*s->p == '"' || *s->p == '\'') {
		int rc = scan_quoted(s);

		if (rc == CLIENT_OK && *s->p && !strchr(stop, *s->p))
			rc = client_errf(s->err, s->errlen, CLIENT_E_USAGE,
					 PARAMS_WHAT ": unexpected text after a quoted value");
		return rc;
	}
	n = strcspn(s->p, stop);
	memcpy(s->buf, s->p, n);
	s->buf[n] = '\0';
	s->p += n;
	trim_right(s->buf);
	if (!*s->buf)
		return client_errf(s->err, s->errlen, CLIENT_E_USAGE, PARAMS_WHAT ": empty value");
	return CLIENT_OK;
}

static int append_value(struct scanner *s, json_t *list)
{
	return json_array_append_new(list, json_string(s->buf)) == 0
		       ? CLIENT_OK
		       : client_errf(s->err, s->errlen, CLIENT_E_NOMEM,
				     PARAMS_WHAT ": out of memory or not UTF-8");
}

/* "[a,b]" after name=; s->p is on '['. */
static int scan_list(struct scanner *s, json_t *list)
{
	int rc;

	s->p++;
	skip_spaces(s);
	if (*s->p == ']')
		return client_errf(s->err, s->errlen, CLIENT_E_USAGE, PARAMS_WHAT ": empty list");
	for (;;) {
		rc = scan_value(s, true);
		if (rc == CLIENT_OK)
			rc = append_value(s, list);
		if (rc != CLIENT_OK)
			return rc;
		if (*s->p == ']')
			break;
		if (*s->p != ',')
			return client_errf(s->err, s->errlen, CLIENT_E_USAGE,
					   PARAMS_WHAT ": unterminated [ list");
		s->p++;
	}
	s->p++;
	skip_spaces(s);
	return CLIENT_OK;
}

/* The item at s->p: `name=value`, `name=[…]` or a bare extra value. */
static int scan_item(struct scanner *s, json_t *result, json_t **current)
{
	json_t *list;
	bool quoted;
	size_t n;
	int rc;

	skip_spaces(s);
	if (*s->p == ',' || !*s->p)
		return client_errf(s->err, s->errlen, CLIENT_E_USAGE,
				   PARAMS_WHAT ": empty item (a stray comma?)");
	n = strcspn(s->p, "=,");
	quoted = *s->p == '"' || *s->p == '\'';
	if (s->p[n] != '=' || quoted) {
		/* no name: one more value of the parameter before */
		if (!*current)
			return client_errf(s->err, s->errlen, CLIENT_E_USAGE,
					   PARAMS_WHAT ": expected name=value");
		rc = scan_value(s, false);
		return rc == CLIENT_OK ? append_value(s, *current) : rc;
	}
	memcpy(s->buf, s->p, n);
	s->buf[n] = '\0';
	trim_right(s->buf);
	s->p += n + 1;
	if (!*s->buf)
		return client_errf(s->err, s->errlen, CLIENT_E_USAGE, PARAMS_WHAT ": empty name");
	if (json_object_get(result, s->buf))
		return client_errf(s->err, s->errlen, CLIENT_E_USAGE,
				   PARAMS_WHAT ": %s given twice", s->buf);
	list = json_array();
	if (!list || json_object_set_new(result, s->buf, list) != 0)
		return client_errf(s->err, s->errlen, CLIENT_E_NOMEM,
				   PARAMS_WHAT ": out of memory or not UTF-8");
	*current = list;
	skip_spaces(s);
	if (*s->p == '[')
		return scan_list(s, list);
	rc = scan_value(s, false);
	return rc == CLIENT_OK ? append_value(s, list) : rc;
}

static int parse_shorthand(const char *text, json_t **out, char *err, size_t errlen)
{
	struct scanner s = {.p = text, .err = err, .errlen = errlen};
	json_t *result = json_object(), *current = NULL;
	int rc = CLIENT_OK;

	s.buf = malloc(strlen(text) + 1);
	if (!result || !s.buf)
		rc = client_errf(err, errlen, CLIENT_E_NOMEM, "out of memory");
	while (rc == CLIENT_OK) {
		rc = scan_item(&s, result, &current);
		if (rc != CLIENT_OK || !*s.p)
			break;
		if (*s.p != ',')
			rc = client_errf(err, errlen, CLIENT_E_USAGE,
					 PARAMS_WHAT ": expected ',' near '%.20s'", s.p);
		else
			s.p++;
	}
	free(s.buf);
	if (rc != CLIENT_OK) {
		json_decref(result);
		return rc;
	}
	*out = result;
	return CLIENT_OK;
}

int cli_params_parse(const char *text, json_t **out, char *err, size_t errlen)
{
	const char *p = text;

	while (isspace((unsigned char)*p))
		p++;
	if (!*p)
		return client_errf(err, errlen, CLIENT_E_USAGE, PARAMS_WHAT ": empty");
	return *p == '{' ? parse_json(p, out, err, errlen) : parse_shorthand(p, out, err, errlen);
}

bool cli_params_name_local_port(const json_t *params)
{
	return json_object_get(params, "localPortNumber") ||
	       json_object_get(params, "localUnixSocket");
}
