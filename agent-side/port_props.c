/*
 * port_props.c — a Port session's properties and mode (see port_props.h).
 */
#include "port_props.h"
#include "version_cmp.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* key as Go's encoding/json finds it: exact, else the last case-insensitive match. */
static json_t *port_props_member(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key), *found = NULL;
	const char *k;

	if (v)
		return v;
	json_object_foreach(o, k, v)
		if (strcasecmp(k, key) == 0)
			found = v;
	return found;
}

/* "1".."65535" as digits without a sign, space or leading zero. */
static int port_props_port_text(const char *s, uint16_t *out)
{
	unsigned long n = 0;
	size_t len = strlen(s);

	if (len == 0 || len > 5 || s[0] == '0')
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		n = n * 10 + (unsigned long)(s[i] - '0');
	}
	if (n > 65535)
		return -1;
	*out = (uint16_t)n;
	return 0;
}

static int port_props_port(json_t *v, uint16_t *out, char *err, size_t errlen)
{
	json_int_t n;

	if (!v || json_is_null(v)) {
		snprintf(err, errlen, "the session's properties have no portNumber");
		return -1;
	}
	if (json_is_string(v)) {
		if (port_props_port_text(json_string_value(v), out) == 0)
			return 0;
		snprintf(err, errlen, "portNumber '%.16s%s' is not a port number (1-65535)",
			 json_string_value(v), strlen(json_string_value(v)) > 16 ? "..." : "");
		return -1;
	}
	if (json_is_integer(v)) {
		n = json_integer_value(v);
		if (n >= 1 && n <= 65535) {
			*out = (uint16_t)n;
			return 0;
		}
		snprintf(err, errlen, "portNumber %lld is not a port number (1-65535)", (long long)n);
		return -1;
	}
	snprintf(err, errlen, "portNumber must be a string of digits");
	return -1;
}

static bool port_props_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '-' || c == '_' || c == ':';
}

static int port_props_host(json_t *v, char *out, char *err, size_t errlen)
{
	const char *s;
	size_t len;

	if (!v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0)) {
		snprintf(out, PORT_HOST_MAX + 1, "%s", PORT_DEFAULT_HOST);
		return 0;
	}
	if (!json_is_string(v)) {
		snprintf(err, errlen, "host must be a string");
		return -1;
	}
	s = json_string_value(v);
	len = json_string_length(v);
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']') { /* "[::1]" */
		s++;
		len -= 2;
	}
	if (len == 0 || len > PORT_HOST_MAX || s[0] == '-') {
		snprintf(err, errlen, "host is not a name or an address");
		return -1;
	}
	for (size_t i = 0; i < len; i++)
		if (!port_props_host_char(s[i])) {
			snprintf(err, errlen, "host is not a name or an address");
			return -1;
		}
	memcpy(out, s, len);
	out[len] = '\0';
	return 0;
}

int port_props_parse(const char *properties_json, struct port_props *out, char *err,
		     size_t errlen)
{
	json_t *o = NULL, *type;
	json_error_t jerr;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (properties_json && strlen(properties_json) <= PORT_PROPS_JSON_MAX)
		o = json_loads(properties_json, 0, &jerr);
	if (!json_is_object(o)) {
		snprintf(err, errlen, "the session's properties are not a JSON object");
		goto out;
	}
	if (port_props_port(port_props_member(o, "portNumber"), &out->port, err, errlen) != 0 ||
	    port_props_host(port_props_member(o, "host"), out->host, err, errlen) != 0)
		goto out;
	type = port_props_member(o, "type");
	if (type && !json_is_null(type) && !json_is_string(type)) {
		snprintf(err, errlen, "type must be a string");
		goto out;
	}
	out->local_forwarding = json_is_string(type) &&
				strcmp(json_string_value(type), PORT_TYPE_LOCAL_FORWARDING) == 0;
	rc = 0;
out:
	json_decref(o);
	return rc;
}

enum port_mode port_props_mode(const struct port_props *p, const char *client_version)
{
	if (!p->local_forwarding)
		return PORT_MODE_STDIO;
	return version_cmp(client_version, PORT_MUX_MIN_CLIENT) >= 0 ? PORT_MODE_MUX
								      : PORT_MODE_BASIC;
}

bool port_props_keepalive(const char *client_version)
{
	return version_cmp(client_version, PORT_KEEPALIVE_MAX_CLIENT) <= 0;
}

const char *port_mode_name(enum port_mode mode)
{
	switch (mode) {
	case PORT_MODE_STDIO:
		return "stdio";
	case PORT_MODE_BASIC:
		return "basic";
	default:
		return "multiplexed";
	}
}
