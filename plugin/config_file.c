/*
 * config_file.c — the table of keys of ~/.config/postern/config and its reader.
 */
#include "config_file.h"
#include "client_err.h"
#include "text_lines.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_KEYS (sizeof(config_keys) / sizeof(config_keys[0]))

static const struct text_lines_key config_keys[] = {
	{"endpoint-url", offsetof(struct config_file, endpoint_url)},
	{"ca", offsetof(struct config_file, ca)},
	{"region", offsetof(struct config_file, region)},
	{"access-key-id", offsetof(struct config_file, access_key_id)},
	{"secret-access-key", offsetof(struct config_file, secret_access_key)},
};

struct config_read {
	const char *path;
	struct config_file *out;
};

const char *config_file_default_path(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	int n;

	if (xdg && *xdg)
		n = snprintf(buf, len, "%s/postern/config", xdg);
	else if (home && *home)
		n = snprintf(buf, len, "%s/.config/postern/config", home);
	else
		return NULL;
	return n > 0 && (size_t)n < len ? buf : NULL;
}

static int config_line(void *ctx, char *line, unsigned lineno, char *err, size_t errlen)
{
	struct config_read *r = ctx;
	size_t name_len = strcspn(line, " \t");
	char *value = text_lines_trim(line + name_len), **slot;
	const struct text_lines_key *key;

	line[name_len] = '\0';
	key = text_lines_key_find(config_keys, N_KEYS, line, false);
	if (!key)
		return client_errf(err, errlen, CLIENT_E_CONFIG, "%s:%u: unknown key '%.64s'",
				   r->path, lineno, line);
	slot = text_lines_key_slot(key, r->out);
	if (!*value)
		return client_errf(err, errlen, CLIENT_E_CONFIG, "%s:%u: %s needs a value", r->path,
				   lineno, line);
	if (*slot)
		return client_errf(err, errlen, CLIENT_E_CONFIG, "%s:%u: %s given twice", r->path,
				   lineno, line);
	return text_lines_key_set(slot, value, err, errlen);
}

int config_file_read(const char *path, struct config_file *out, char *err, size_t errlen)
{
	struct config_read r = {.path = path, .out = out};
	int rc;

	memset(out, 0, sizeof(*out));
	rc = text_lines_read(path, "#", config_line, &r, err, errlen);
	if (rc == CLIENT_OK && !out->access_key_id != !out->secret_access_key)
		rc = client_errf(err, errlen, CLIENT_E_CONFIG,
				 "%s: access-key-id and secret-access-key go together", path);
	return rc;
}

void config_file_free(struct config_file *c)
{
	text_lines_keys_free(config_keys, N_KEYS, c, sizeof(*c));
}
