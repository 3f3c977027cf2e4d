/*
 * bootstrap.c — data directory, state database, CA, TLS certificate and the
 * administrator's access key, created on first start and loaded afterwards.
 */
#include "bootstrap.h"
#include "atomic_file.h"
#include "broker.h"
#include "pki.h"
#include "proto_err.h"
#include "sigv4.h"
#include "store.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PATH_BUF (CONFIG_TEXT_MAX + 32)
#define REPLAY_CACHE_ENTRIES 65536

static void data_path(const struct broker *b, const char *name, char out[PATH_BUF])
{
	snprintf(out, PATH_BUF, "%s/%s", b->cfg.data_dir, name);
}

static int ensure_data_dir(const struct broker *b, char *err, size_t errlen)
{
	struct stat st;

	if (mkdir(b->cfg.data_dir, 0700) == 0) {
		broker_log(b, 2, "created data directory %s", b->cfg.data_dir);
		return 0;
	}
	if (errno != EEXIST) {
		snprintf(err, errlen, "cannot create data directory %s: %s", b->cfg.data_dir,
			 strerror(errno));
		return -1;
	}
	if (stat(b->cfg.data_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a directory", b->cfg.data_dir);
		return -1;
	}
	return 0;
}

/* Append name to names[] unless present. */
static void add_name(const char **names, size_t *n, size_t cap, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(names[i], name) == 0)
			return;
	if (*n < cap && *name)
		names[(*n)++] = name;
}

/*
 * The certificate names: the listen address (or, for a wildcard address, the
 * loopback names), the host of public-url, and server-names.
 */
static size_t cert_names(struct broker *b, char host[CONFIG_TEXT_MAX],
			 char url_host[CONFIG_TEXT_MAX], char extra[CONFIG_TEXT_MAX],
			 const char **names, size_t cap)
{
	size_t n = 0;
	char *save = NULL, *tok;
	const char *h, *end;

	if (strcmp(host, "0.0.0.0") != 0 && strcmp(host, "::") != 0)
		add_name(names, &n, cap, host);
	add_name(names, &n, cap, "localhost");
	add_name(names, &n, cap, "127.0.0.1");
	add_name(names, &n, cap, "::1");
	h = strstr(b->public_url, "://");
	h = h ? h + 3 : b->public_url;
	if (*h == '[') {
		h++;
		end = strchr(h, ']');
	} else {
		end = h + strcspn(h, ":/");
	}
	if (end && (size_t)(end - h) < CONFIG_TEXT_MAX) {
		memcpy(url_host, h, (size_t)(end - h));
		url_host[end - h] = '\0';
		add_name(names, &n, cap, url_host);
	}
	strcpy(extra, b->cfg.server_names);
	for (tok = strtok_r(extra, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
		add_name(names, &n, cap, tok);
	return n;
}

static int ensure_server_cert(struct broker *b, char *err, size_t errlen)
{
	char host[CONFIG_TEXT_MAX], url_host[CONFIG_TEXT_MAX] = "", extra[CONFIG_TEXT_MAX];
	char cert[PATH_BUF], key[PATH_BUF];
	const char *names[PKI_MAX_NAMES];
	size_t n;
	int port;

	if (config_listen_parts(&b->cfg, host, sizeof(host), &port, err, errlen) != 0)
		return -1;
	if (b->cfg.public_url[0])
		snprintf(b->public_url, sizeof(b->public_url), "%s", b->cfg.public_url);
	else
		snprintf(b->public_url, sizeof(b->public_url), "https://%s", b->cfg.listen);
	n = cert_names(b, host, url_host, extra, names, PKI_MAX_NAMES);
	data_path(b, "server.pem", cert);
	data_path(b, "server-key.pem", key);
	if (pki_server_cert_matches(b->ca, cert, key, names, n))
		return 0;
	if (pki_issue_server_cert(b->ca, names, n, cert, key, err, errlen) != PKI_OK)
		return -1;
	broker_log(b, 2, "issued TLS certificate %s for %zu names", cert, n);
	return 0;
}

/* Create the administrator key and its credentials file, once. */
static int ensure_admin_credentials(struct broker *b, char *err, size_t errlen)
{
	char path[PATH_BUF], text[256];
	uint8_t random[STORE_KEY_RANDOM_BYTES];
	struct store_key key;
	int len, rc;

	data_path(b, "admin-credentials", path);
	if (access(path, F_OK) == 0)
		return 0;
	do {
		if (RAND_bytes(random, sizeof(random)) != 1) {
			snprintf(err, errlen, "no randomness for the administrator key");
			return -1;
		}
		rc = store_key_create(b->store, BOOTSTRAP_ADMIN_USER, random, time(NULL), &key);
	} while (rc == STORE_CONFLICT);
	OPENSSL_cleanse(random, sizeof(random));
	if (rc != STORE_OK) {
		snprintf(err, errlen, "cannot create the administrator key: %s",
			 store_errmsg(b->store));
		return -1;
	}
	len = snprintf(text, sizeof(text),
		       "[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n",
		       key.id, key.secret);
	OPENSSL_cleanse(key.secret, sizeof(key.secret));
	rc = atomic_file_write(path, text, (size_t)len, 0600, ATOMIC_FILE_NOREPLACE, err, errlen);
	OPENSSL_cleanse(text, sizeof(text));
	if (rc != 0)
		return -1;
	broker_log(b, 2, "administrator access key %s written to %s", key.id, path);
	return 0;
}

int bootstrap(struct broker *b, char *err, size_t errlen)
{
	char path[PATH_BUF];

	if (ensure_data_dir(b, err, errlen) != 0)
		return -1;
	data_path(b, "state.db", path);
	if (store_open(path, &b->store, err, errlen) != STORE_OK)
		return -1;
	if (pki_ca_load_or_create(b->cfg.data_dir, &b->ca, err, errlen) != PKI_OK)
		return -1;
	if (ensure_server_cert(b, err, errlen) != 0)
		return -1;
	if (ensure_admin_credentials(b, err, errlen) != 0)
		return -1;
	if (sigv4_replay_init(&b->replay, REPLAY_CACHE_ENTRIES,
			      (unsigned)b->cfg.signature_skew_s) != PROTO_OK) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

void bootstrap_release(struct broker *b)
{
	sigv4_replay_free(&b->replay);
	pki_ca_free(b->ca);
	b->ca = NULL;
	store_close(b->store);
	b->store = NULL;
}
