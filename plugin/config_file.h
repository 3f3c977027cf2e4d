/*
 * config_file.h — the client's own settings file, ~/.config/postern/config
 * ($XDG_CONFIG_HOME/postern/config when that is set): `key value` lines,
 * '#' comments, each key at most once. Keys:
 *
 *   endpoint-url       broker API endpoint, e.g. https://broker.example:8443
 *   ca                 CA certificate file to trust for the broker
 *   region             signing region
 *   access-key-id      credentials, used when neither the environment nor the
 *   secret-access-key  shared credentials file has any (both or neither)
 */
#ifndef POSTERN_CONFIG_FILE_H
#define POSTERN_CONFIG_FILE_H

#include <stddef.h>

struct config_file {
	char *endpoint_url;
	char *ca;
	char *region;
	char *access_key_id;
	char *secret_access_key;
};

/*
 * The default path into buf, or NULL when neither XDG_CONFIG_HOME nor HOME is
 * set (or buf is too small).
 */
const char *config_file_default_path(char *buf, size_t len);

/*
 * Read path into *out (zeroed first; free with config_file_free() whatever the
 * result). Returns CLIENT_OK, CLIENT_E_NOT_FOUND (no file: not an error for
 * callers), CLIENT_E_CONFIG ("PATH:LINE: …" for an unknown key, a key without
 * a value or given twice, only one of the two credential keys), CLIENT_E_IO,
 * CLIENT_E_NOMEM. Messages never include a value.
 */
int config_file_read(const char *path, struct config_file *out, char *err, size_t errlen);
void config_file_free(struct config_file *c);

#endif
