/*
 * documents.c — the built-in session documents (cli-and-api.md §6.3) and
 * parameter resolution: validation, defaults, and substitution into the
 * properties handed to the agent.
 *
 * Properties are templates held as JSON text and substituted as JSON, never
 * as text: a string value that is exactly one "{{ name }}" placeholder becomes
 * the parameter's value; placeholders inside a longer string are replaced by
 * the value's text. Values therefore cannot change the structure of what the
 * agent receives, whatever they contain.
 */
#include "documents.h"
#include "document_values.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VALUE_MAX 65535
#define PLACEHOLDER_NAME_MAX 64

static const struct document_parameter ssh_parameters[] = {
	{"portNumber", "22", document_valid_port, DOCUMENT_EXPECTS_PORT},
};

static const struct document_parameter port_parameters[] = {
	{"portNumber", "80", document_valid_port, DOCUMENT_EXPECTS_PORT},
	{"localPortNumber", "0", document_valid_local_port, DOCUMENT_EXPECTS_LOCAL_PORT},
};

static const struct document_parameter remote_parameters[] = {
	{"host", NULL, document_valid_host, DOCUMENT_EXPECTS_HOST},
	{"portNumber", "80", document_valid_port, DOCUMENT_EXPECTS_PORT},
	{"localPortNumber", "0", document_valid_local_port, DOCUMENT_EXPECTS_LOCAL_PORT},
};

#define PARAMS(a) a, sizeof(a) / sizeof(a[0])

static const struct document builtin[] = {
	{DOCUMENTS_DEFAULT_SHELL, "Standard_Stream", NULL, 0, NULL},
	{"AWS-StartSSHSession", "Port", PARAMS(ssh_parameters),
	 "{\"portNumber\":\"{{ portNumber }}\"}"},
	{"AWS-StartPortForwardingSession", "Port", PARAMS(port_parameters),
	 "{\"portNumber\":\"{{ portNumber }}\",\"type\":\"LocalPortForwarding\","
	 "\"localPortNumber\":\"{{ localPortNumber }}\"}"},
	{"AWS-StartPortForwardingSessionToRemoteHost", "Port", PARAMS(remote_parameters),
	 "{\"host\":\"{{ host }}\",\"portNumber\":\"{{ portNumber }}\","
	 "\"type\":\"LocalPortForwarding\",\"localPortNumber\":\"{{ localPortNumber }}\"}"},
};

const struct document *documents_find(const char *name)
{
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if (strcmp(builtin[i].name, name) == 0)
			return &builtin[i];
	return NULL;
}

size_t documents_count(void)
{
	return sizeof(builtin) / sizeof(builtin[0]);
}

const struct document *documents_at(size_t i)
{
	return i < documents_count() ? &builtin[i] : NULL;
}

static const struct document_parameter *find_parameter(const struct document *doc,
							const char *name)
{
	for (size_t i = 0; i < doc->n_parameters; i++)
		if (strcmp(doc->parameters[i].name, name) == 0)
			return &doc->parameters[i];
	return NULL;
}

/* The value of one caller parameter: a list holding one string. */
static const char *single_value(const char *name, const json_t *v, char *err, size_t errlen)
{
	const json_t *item = json_array_get(v, 0);

	if (!json_is_array(v) || json_array_size(v) != 1 || !json_is_string(item) ||
	    json_string_length(item) == 0 || json_string_length(item) > VALUE_MAX) {
		snprintf(err, errlen, "parameter %s takes exactly one value", name);
		return NULL;
	}
	return json_string_value(item);
}

/* ---- substitution ---------------------------------------------------------------- */

/* The value named by the placeholder text s[0..len) with optional spaces, or
 * NULL when there is no such parameter. */
static const char *placeholder_value(const char *s, size_t len, const json_t *values)
{
	char name[PLACEHOLDER_NAME_MAX];

	while (len && *s == ' ') {
		s++;
		len--;
	}
	while (len && s[len - 1] == ' ')
		len--;
	if (len == 0 || len >= sizeof(name))
		return NULL;
	memcpy(name, s, len);
	name[len] = '\0';
	return json_string_value(json_array_get(json_object_get(values, name), 0));
}

/* Replace each "{{ name }}" in text with its value's text; unknown names
 * become empty. A new JSON string, or NULL (out of memory). */
static json_t *substitute_text(const char *text, const json_t *values)
{
	size_t cap = strlen(text) + 1, len = 0;
	char *out = malloc(cap);
	const char *p = text;
	json_t *result;

	while (out && *p) {
		const char *open = strstr(p, "{{"), *close = open ? strstr(open + 2, "}}") : NULL;
		size_t piece = open && close ? (size_t)(open - p) : strlen(p);
		const char *value = open && close ? placeholder_value(open + 2,
								      (size_t)(close - open - 2),
								      values)
						  : NULL;
		size_t value_len = value ? strlen(value) : 0;

		if (len + piece + value_len + 1 > cap) {
			char *grown = realloc(out, (len + piece + value_len + 1) * 2);

			if (!grown) {
				free(out);
				return NULL;
			}
			out = grown;
			cap = (len + piece + value_len + 1) * 2;
		}
		memcpy(out + len, p, piece);
		len += piece;
		memcpy(out + len, value ? value : "", value_len);
		len += value_len;
		p = open && close ? close + 2 : p + piece;
	}
	if (!out)
		return NULL;
	out[len] = '\0';
	result = json_string(out);
	free(out);
	return result;
}

/* Substitute every string member of the template object in place. */
static int substitute_object(json_t *obj, const json_t *values)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		json_t *sub;

		if (json_is_object(v)) {
			if (substitute_object(v, values) != 0)
				return -1;
			continue;
		}
		if (!json_is_string(v))
			continue;
		sub = substitute_text(json_string_value(v), values);
		if (!sub || json_object_set_new(obj, key, sub) != 0)
			return -1;
	}
	return 0;
}

static char *properties_for(const struct document *doc, const json_t *values)
{
	json_t *tmpl;
	char *out = NULL;

	if (!doc->properties)
		return strdup("null");
	tmpl = json_loads(doc->properties, 0, NULL);
	if (tmpl && substitute_object(tmpl, values) == 0)
		out = json_dumps(tmpl, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(tmpl);
	return out;
}

/* ---- resolution ------------------------------------------------------------------- */

static int take_parameters(const struct document *doc, const json_t *parameters,
			   json_t *values, char *err, size_t errlen)
{
	const char *name;
	json_t *v;

	if (parameters && !json_is_null(parameters) && !json_is_object(parameters)) {
		snprintf(err, errlen, "Parameters must be a map of lists");
		return -1;
	}
	json_object_foreach((json_t *)parameters, name, v) {
		const struct document_parameter *p = find_parameter(doc, name);
		const char *value;

		if (!p) {
			snprintf(err, errlen, "document %s has no parameter %s", doc->name, name);
			return -1;
		}
		if (!(value = single_value(name, v, err, errlen)))
			return -1;
		if (p->valid && !p->valid(value)) {
			snprintf(err, errlen, "parameter %s: '%.64s%s' is not %s", name, value,
				 strlen(value) > 64 ? "..." : "", p->expects);
			return -1;
		}
		if (json_object_set_new(values, name, json_pack("[s]", value)) != 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

static int add_defaults(const struct document *doc, json_t *values, char *err, size_t errlen)
{
	for (size_t i = 0; i < doc->n_parameters; i++) {
		const struct document_parameter *p = &doc->parameters[i];

		if (json_object_get(values, p->name))
			continue;
		if (!p->default_value) {
			snprintf(err, errlen, "parameter %s is required", p->name);
			return -1;
		}
		if (json_object_set_new(values, p->name, json_pack("[s]", p->default_value)) != 0) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

int documents_resolve(const struct document *doc, const json_t *parameters,
		      char **parameters_json, char **properties_json, char *err, size_t errlen)
{
	json_t *values = json_object();
	int rc = -1;

	*parameters_json = *properties_json = NULL;
	if (!values) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (take_parameters(doc, parameters, values, err, errlen) != 0 ||
	    add_defaults(doc, values, err, errlen) != 0)
		goto out;
	*parameters_json = json_dumps(values, JSON_COMPACT | JSON_SORT_KEYS);
	*properties_json = properties_for(doc, values);
	if (*parameters_json && *properties_json)
		rc = 0;
	else
		snprintf(err, errlen, "out of memory");
out:
	if (rc != 0) {
		free(*parameters_json);
		free(*properties_json);
		*parameters_json = *properties_json = NULL;
	}
	json_decref(values);
	return rc;
}
