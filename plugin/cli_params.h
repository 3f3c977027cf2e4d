/*
 * cli_params.h — the --parameters value of start-session, in either of the
 * AWS CLI's forms, turned into StartSession's Parameters member (a map from
 * name to a list of strings, cli-and-api.md §5.1):
 *
 *   JSON (text starting with '{'):  {"portNumber":["22"],"command":"a, b"}
 *       each value a string (taken as a one-element list) or a list of strings
 *   shorthand:  portNumber=22,host=db.internal   host=a,b   cmd="echo a,b"   k=[a,b]
 *       items separated by commas; `name=value` starts a parameter and an item
 *       without '=' adds one more value to the parameter before it (so
 *       `k=a,b` is {"k":["a","b"]}); a value in "double" or 'single' quotes may
 *       hold commas (a backslash escapes the quote inside); [a,b] is a list;
 *       spaces around unquoted names and values are dropped.
 * Names and values must be non-empty; a name given twice is an error.
 */
#ifndef POSTERN_CLI_PARAMS_H
#define POSTERN_CLI_PARAMS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Parse text into *out, a new JSON object of string → array of strings, that
 * the caller releases with json_decref(). Returns CLIENT_OK, CLIENT_E_USAGE
 * (err says where the text is wrong) or CLIENT_E_NOMEM; *out is untouched on
 * error.
 */
int cli_params_parse(const char *text, json_t **out, char *err, size_t errlen);

/* Whether a StartSession Parameters object (or NULL) names localPortNumber or
 * localUnixSocket: a port session then always listens (forward_mode.h). */
bool cli_params_name_local_port(const json_t *params);

#endif
