/*
 * documents.c — the built-in session documents and parameter resolution.
 */
#include "documents.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VALUE_MAX 65535

static const struct document builtin[] = {
	{DOCUMENTS_DEFAULT_SHELL, "Standard_Stream", NULL, 0, NULL},
};

const struct document *documents_find(const char *name)
{
	for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
		if (strcmp(builtin[i].name, name) == 0)
			return &builtin[i];
	return NULL;
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

/* Replace each "{{ name }}" (spaces optional) in tmpl with its value. */
static char *substitute(const char *tmpl, const json_t *values)
{
	size_t cap = strlen(tmpl) + 1, len = 0;
	char *out = malloc(cap);
	const char *p = tmpl;

	while (out && *p) {
		const char *open = strstr(p, "{{"), *close = open ? strstr(open, "}}") : NULL;
		const char *piece = p, *value = NULL;
		size_t piece_len = open && close ? (size_t)(open - p) : strlen(p);
		char name[64];

		if (open && close) {
			const char *s = open + 2, *e = close;

			while (*s == ' ')
				s++;
			while (e > s && e[-1] == ' ')
				e--;
			if ((size_t)(e - s) < sizeof(name)) {
				memcpy(name, s, (size_t)(e - s));
				name[e - s] = '\0';
				value = json_string_value(json_array_get(json_object_get(values, name), 0));
			}
		}
		for (int part = 0; part < 2 && out; part++) {
			const char *src = part ? value : piece;
			size_t n = part ? (value ? strlen(value) : 0) : piece_len;
			char *grown;

			if (len + n + 1 > cap) {
				cap = (len + n + 1) * 2;
				grown = realloc(out, cap);
				if (!grown) {
					free(out);
					out = NULL;
					break;
				}
				out = grown;
			}
			if (out && n)
				memcpy(out + len, src, n);
			len += n;
		}
		if (!out)
			break;
		out[len] = '\0';
		p = open && close ? close + 2 : p + piece_len;
	}
	return out;
}

int documents_resolve(const struct document *doc, const json_t *parameters,
		      char **parameters_json, char **properties_json, char *err, size_t errlen)
{
	json_t *values = json_object(), *v;
	const char *name;
	int rc = -1;

	*parameters_json = *properties_json = NULL;
	if (!values)
		goto out;
	if (parameters && !json_is_null(parameters) && !json_is_object(parameters)) {
		snprintf(err, errlen, "Parameters must be a map of lists");
		goto out;
	}
	json_object_foreach((json_t *)parameters, name, v) {
		const struct document_parameter *p = find_parameter(doc, name);
		const char *value;

		if (!p) {
			snprintf(err, errlen, "document %s has no parameter %s", doc->name, name);
			goto out;
		}
		if (!(value = single_value(name, v, err, errlen)))
			goto out;
		if (p->valid && !p->valid(value)) {
			snprintf(err, errlen, "parameter %s: '%s' is not allowed", name, value);
			goto out;
		}
		json_object_set_new(values, name, json_pack("[s]", value));
	}
	for (size_t i = 0; i < doc->n_parameters; i++) {
		const struct document_parameter *p = &doc->parameters[i];

		if (json_object_get(values, p->name))
			continue;
		if (!p->default_value) {
			snprintf(err, errlen, "parameter %s is required", p->name);
			goto out;
		}
		json_object_set_new(values, p->name, json_pack("[s]", p->default_value));
	}
	*parameters_json = json_dumps(values, JSON_COMPACT);
	*properties_json = doc->properties ? substitute(doc->properties, values) : strdup("null");
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
