/*
 * forward_props.c — Port session Properties and the listen address (rules in
 * forward_props.h).
 */
#include "forward_props.h"
#include "client_err.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

struct props_key {
	const char *name;
	size_t offset;
};

static const struct props_key keys[] = {
	{"portNumber", offsetof(struct forward_props, port_number)},
	{"type", offsetof(struct forward_props, type)},
	{"localPortNumber", offsetof(struct forward_props, local_port_number)},
	{"localUnixSocket", offsetof(struct forward_props, local_unix_socket)},
	{"localConnectionType", offsetof(struct forward_props, local_connection_type)},
};

static int take(const json_t *v, const char *name, char *dst, char *err, size_t errlen)
{
	const char *text;

	if (!v || json_is_null(v))
		return CLIENT_OK;
	if (json_is_integer(v)) {
		snprintf(dst, FORWARD_PROPS_TEXT_MAX + 1, "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		return CLIENT_OK;
	}
	if (!json_is_string(v))
		return client_errf(err, errlen, CLIENT_E_PROTOCOL,
				   "the port properties' %s is not a string", name);
	text = json_string_value(v);
	if (json_string_length(v) > FORWARD_PROPS_TEXT_MAX || strlen(text) != json_string_length(v))
		return client_errf(err, errlen, CLIENT_E_PROTOCOL,
				   "the port properties' %s is too long", name);
	memcpy(dst, text, json_string_length(v) + 1);
	return CLIENT_OK;
}

int forward_props_parse(const char *json, struct forward_props *out, char *err, size_t errlen)
{
	json_t *root;
	int rc = CLIENT_OK;

	memset(out, 0, sizeof(*out));
	if (!json)
		return CLIENT_OK;
	root = json_loads(json, JSON_DECODE_ANY, NULL);
	if (!root || (!json_is_object(root) && !json_is_null(root))) {
		json_decref(root);
		return client_errf(err, errlen, CLIENT_E_PROTOCOL,
				   "the port properties are not a JSON object");
	}
	for (size_t i = 0; rc == CLIENT_OK && i < sizeof(keys) / sizeof(keys[0]); i++)
		rc = take(json_object_get(root, keys[i].name), keys[i].name,
			  (char *)out + keys[i].offset, err, errlen);
	json_decref(root);
	if (rc != CLIENT_OK)
		memset(out, 0, sizeof(*out));
	return rc;
}

/* "", "0" → 0; else 1–65535 in plain decimal digits; -1 for anything else. */
static long local_port(const char *text)
{
	long v = 0;

	if (strlen(text) > 5)
		return -1;
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
	}
	return v <= 65535 ? v : -1;
}

int forward_props_listen(const struct forward_props *p, struct forward_listen *out, char *err,
			 size_t errlen)
{
	long port;

	memset(out, 0, sizeof(*out));
	if (strcmp(p->local_connection_type, "unix") == 0) {
		if (!p->local_unix_socket[0])
			return client_errf(err, errlen, CLIENT_E_PROTOCOL,
					   "localConnectionType is unix but localUnixSocket is "
					   "empty");
		if (strlen(p->local_unix_socket) > FORWARD_PROPS_PATH_MAX)
			return client_errf(err, errlen, CLIENT_E_PROTOCOL,
					   "localUnixSocket is longer than %d bytes",
					   FORWARD_PROPS_PATH_MAX);
		out->kind = FORWARD_LISTEN_UNIX;
		memcpy(out->path, p->local_unix_socket, strlen(p->local_unix_socket) + 1);
		return CLIENT_OK;
	}
	port = local_port(p->local_port_number);
	if (port < 0)
		return client_errf(err, errlen, CLIENT_E_PROTOCOL,
				   "localPortNumber '%.32s' is not a port number (0-65535)",
				   p->local_port_number);
	out->kind = FORWARD_LISTEN_TCP;
	out->port = (uint16_t)port;
	return CLIENT_OK;
}
