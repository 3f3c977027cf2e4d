/*
 * aws_ini.c — reading one profile of the AWS shared credentials file.
 */
#include "aws_ini.h"
#include "client_err.h"
#include "text_lines.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_KEYS (sizeof(ini_keys) / sizeof(ini_keys[0]))

static const struct text_lines_key ini_keys[] = {
	{"aws_access_key_id", offsetof(struct aws_ini_profile, access_key_id)},
	{"aws_secret_access_key", offsetof(struct aws_ini_profile, secret_access_key)},
	{"aws_session_token", offsetof(struct aws_ini_profile, session_token)},
};

struct ini_read {
	const char *path, *profile;
	struct aws_ini_profile *out;
	bool in_section, found;
};

const char *aws_ini_default_path(char *buf, size_t len)
{
	const char *file = getenv("AWS_SHARED_CREDENTIALS_FILE"), *home = getenv("HOME");
	int n;

	if (file && *file && strncmp(file, "~/", 2) == 0 && home && *home)
		n = snprintf(buf, len, "%s%s", home, file + 1);
	else if (file && *file)
		n = snprintf(buf, len, "%s", file);
	else if (home && *home)
		n = snprintf(buf, len, "%s/.aws/credentials", home);
	else
		return NULL;
	return n > 0 && (size_t)n < len ? buf : NULL;
}

static int section_line(struct ini_read *r, char *line, unsigned lineno, char *err,
			size_t errlen)
{
	char *close = strchr(line, ']'), *name;

	if (!close)
		return client_errf(err, errlen, CLIENT_E_CONFIG, "%s:%u: unterminated [section",
				   r->path, lineno);
	*close = '\0';
	name = text_lines_trim(line + 1);
	r->in_section = strcmp(name, r->profile) == 0;
	r->found |= r->in_section;
	return CLIENT_OK;
}

static int ini_line(void *ctx, char *line, unsigned lineno, char *err, size_t errlen)
{
	struct ini_read *r = ctx;
	const struct text_lines_key *key;
	size_t name_len;
	char *value;

	if (line[0] == '[')
		return section_line(r, line, lineno, err, errlen);
	if (!r->in_section)
		return CLIENT_OK;
	name_len = strcspn(line, "=:");
	if (!line[name_len])
		return client_errf(err, errlen, CLIENT_E_CONFIG, "%s:%u: expected name = value",
				   r->path, lineno);
	value = text_lines_trim(line + name_len + 1);
	line[name_len] = '\0';
	line = text_lines_trim(line);
	key = text_lines_key_find(ini_keys, N_KEYS, line, true);
	/* other keys are not ours; a repeated key: the later line wins, as in configparser */
	return key ? text_lines_key_set(text_lines_key_slot(key, r->out), value, err, errlen) : CLIENT_OK;
}

int aws_ini_read_profile(const char *path, const char *profile, struct aws_ini_profile *out,
			 char *err, size_t errlen)
{
	struct ini_read r = {.path = path, .profile = profile, .out = out};
	int rc;

	memset(out, 0, sizeof(*out));
	rc = text_lines_read(path, "#;", ini_line, &r, err, errlen);
	if (rc == CLIENT_E_NOT_FOUND)
		return client_errf(err, errlen, rc, "profile %s not found: there is no %s", profile,
				   path);
	if (rc != CLIENT_OK)
		return rc;
	if (!r.found)
		return client_errf(err, errlen, CLIENT_E_NOT_FOUND, "profile %s not found in %s",
				   profile, path);
	if (!out->access_key_id || !*out->access_key_id || !out->secret_access_key ||
	    !*out->secret_access_key)
		return client_errf(err, errlen, CLIENT_E_CONFIG,
				   "profile %s in %s lacks aws_access_key_id or aws_secret_access_key",
				   profile, path);
	return CLIENT_OK;
}

void aws_ini_profile_free(struct aws_ini_profile *p)
{
	text_lines_keys_free(ini_keys, N_KEYS, p, sizeof(*p));
}
