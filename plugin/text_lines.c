/*
 * text_lines.c — line reader and key tables for the small settings files the
 * client reads.
 */
#include "text_lines.h"
#include "client_err.h"
#include "secret.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

char *text_lines_trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

int text_lines_read(const char *path, const char *comment_chars, text_lines_fn fn, void *ctx,
		    char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *line = NULL, *text;
	size_t cap = 0;
	unsigned lineno = 0;
	ssize_t n;
	int rc = CLIENT_OK;

	if (!f)
		return client_errf(err, errlen, errno == ENOENT ? CLIENT_E_NOT_FOUND : CLIENT_E_IO,
				   "cannot read %s: %s", path, strerror(errno));
	while (rc == CLIENT_OK && (n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (n > TEXT_LINES_MAX) {
			rc = client_errf(err, errlen, CLIENT_E_IO, "%s:%u: line too long", path,
					 lineno);
			break;
		}
		text = text_lines_trim(line);
		if (*text && !strchr(comment_chars, *text))
			rc = fn(ctx, text, lineno, err, errlen);
	}
	if (rc == CLIENT_OK && ferror(f))
		rc = client_errf(err, errlen, CLIENT_E_IO, "cannot read %s", path);
	if (line) {
		OPENSSL_cleanse(line, cap); /* may have held a secret */
		free(line);
	}
	fclose(f);
	return rc;
}

const struct text_lines_key *text_lines_key_find(const struct text_lines_key *keys, size_t n,
						 const char *name, bool nocase)
{
	for (size_t i = 0; i < n; i++)
		if ((nocase ? strcasecmp(keys[i].name, name) : strcmp(keys[i].name, name)) == 0)
			return &keys[i];
	return NULL;
}

char **text_lines_key_slot(const struct text_lines_key *key, void *obj)
{
	return (char **)((char *)obj + key->offset);
}

int text_lines_key_set(char **slot, const char *value, char *err, size_t errlen)
{
	char *copy = strdup(value);

	if (!copy)
		return client_errf(err, errlen, CLIENT_E_NOMEM, "out of memory");
	secret_free(*slot);
	*slot = copy;
	return CLIENT_OK;
}

void text_lines_keys_free(const struct text_lines_key *keys, size_t n, void *obj,
			  size_t obj_size)
{
	for (size_t i = 0; i < n; i++)
		secret_free(*text_lines_key_slot(&keys[i], obj));
	memset(obj, 0, obj_size);
}
