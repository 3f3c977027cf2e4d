/*
 * text_lines.h — read a small text settings file line by line, and fill a
 * settings struct through a table of key names; shared by the postern config
 * file (config_file.c) and the AWS shared credentials file (aws_ini.c).
 */
#ifndef POSTERN_TEXT_LINES_H
#define POSTERN_TEXT_LINES_H

#include <stdbool.h>
#include <stddef.h>

#define TEXT_LINES_MAX 4096 /* longest line accepted, bytes */

/*
 * Called for each line that is not blank and does not start with one of the
 * comment characters, with surrounding white space removed (line may be
 * modified). Return CLIENT_OK to go on, anything else stops the read and is
 * returned by text_lines_read().
 */
typedef int (*text_lines_fn)(void *ctx, char *line, unsigned lineno, char *err,
			     size_t errlen);

/*
 * Returns CLIENT_OK, CLIENT_E_NOT_FOUND (no such file), CLIENT_E_IO (cannot
 * read it, or a line over TEXT_LINES_MAX), CLIENT_E_NOMEM or fn's error.
 */
int text_lines_read(const char *path, const char *comment_chars, text_lines_fn fn, void *ctx,
		    char *err, size_t errlen);

/* Remove leading and trailing spaces and tabs in place; returns the start. */
char *text_lines_trim(char *s);

/* ---- key tables: one char * member of a settings struct per key ------------ */

struct text_lines_key {
	const char *name;
	size_t offset; /* offsetof() the char * member */
};

/* The entry named name (ASCII case-insensitively if nocase), or NULL. */
const struct text_lines_key *text_lines_key_find(const struct text_lines_key *keys, size_t n,
						 const char *name, bool nocase);

/* The member of obj a key names. */
char **text_lines_key_slot(const struct text_lines_key *key, void *obj);

/* Replace *slot (wiped and freed) by a copy of value: CLIENT_OK or CLIENT_E_NOMEM. */
int text_lines_key_set(char **slot, const char *value, char *err, size_t errlen);

/* Wipe and free every member the table names, then zero obj[0..obj_size). */
void text_lines_keys_free(const struct text_lines_key *keys, size_t n, void *obj,
			  size_t obj_size);

#endif
