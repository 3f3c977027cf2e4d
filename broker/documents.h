/*
 * documents.h — the session documents the broker knows (cli-and-api.md §6):
 * their session type, their parameters with defaults and validation, and
 * the properties handed to the agent after substitution.
 */
#ifndef POSTERN_BROKER_DOCUMENTS_H
#define POSTERN_BROKER_DOCUMENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define DOCUMENTS_DEFAULT_SHELL "SSM-SessionManagerRunShell"

struct document_parameter {
	const char *name;
	const char *default_value;          /* NULL: required */
	bool (*valid)(const char *value);   /* NULL: any 1..65535 characters */
	const char *expects;                /* what valid() accepts, for errors */
};

struct document {
	const char *name;
	const char *session_type;           /* Standard_Stream, Port, ... */
	const struct document_parameter *parameters;
	size_t n_parameters;
	const char *properties;             /* JSON template with {{ name }}; NULL = null */
};

/* The built-in document of that name, or NULL. */
const struct document *documents_find(const char *name);

/* The built-in documents, for listing: how many, and the i-th (NULL past the end). */
size_t documents_count(void);
const struct document *documents_at(size_t i);

/*
 * Check the caller's Parameters (NULL or {"name":["value"]}) against doc: no
 * unknown names, one value each, valid values, defaults for the missing.
 * The properties are the document's template with each "{{ name }}"
 * replaced as JSON (documents.c): values never change its structure.
 * On success *parameters_json is the complete parameter map and
 * *properties_json the substituted properties (both malloc'd; caller frees).
 * 0, or -1 with a sentence in err (nothing allocated).
 */
int documents_resolve(const struct document *doc, const json_t *parameters,
		      char **parameters_json, char **properties_json, char *err, size_t errlen);

#endif
