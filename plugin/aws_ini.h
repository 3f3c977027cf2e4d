/*
 * aws_ini.h — one profile of the AWS shared credentials file
 * (AWS_SHARED_CREDENTIALS_FILE, a leading ~/ meaning $HOME; default
 * ~/.aws/credentials), INI as botocore reads it:
 *
 *   [default]
 *   aws_access_key_id = AKID…
 *   aws_secret_access_key = …
 *   aws_session_token = …        (optional)
 *
 * Sections are profile names; `name = value` or `name: value`; names compare
 * case-insensitively; '#' and ';' start comment lines; other keys are ignored.
 */
#ifndef POSTERN_AWS_INI_H
#define POSTERN_AWS_INI_H

#include <stddef.h>

struct aws_ini_profile {
	char *access_key_id;
	char *secret_access_key;
	char *session_token; /* NULL when absent */
};

/* The credentials file path into buf: AWS_SHARED_CREDENTIALS_FILE, else
 * $HOME/.aws/credentials; NULL when neither can be formed. */
const char *aws_ini_default_path(char *buf, size_t len);

/*
 * Read section `profile` of the file at path into *out (zeroed first; free with
 * aws_ini_profile_free() whatever the result). Returns CLIENT_OK,
 * CLIENT_E_NOT_FOUND (no file, or no such section), CLIENT_E_CONFIG (the
 * section lacks the key id or the secret, or a line is not name = value),
 * CLIENT_E_IO or CLIENT_E_NOMEM. Messages never include a value.
 */
int aws_ini_read_profile(const char *path, const char *profile, struct aws_ini_profile *out,
			 char *err, size_t errlen);
void aws_ini_profile_free(struct aws_ini_profile *p);

#endif
