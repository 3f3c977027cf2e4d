/*
 * pki_ca.c — the CA's life cycle: load ca.pem + ca-key.pem from the data
 * directory and check them, or create a new self-signed CA there; free it.
 */
#include "pki_impl.h"
#include "atomic_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#define CA_CERT_FILE "ca.pem"
#define CA_KEY_FILE "ca-key.pem"

static char *join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + 1 + strlen(name) + 1;
	char *p = malloc(n);

	if (p)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

/* PKI_OK with *exists set, or PKI_E_IO when the answer is unknown. */
static int file_exists(const char *path, bool *exists, char *err, size_t errlen)
{
	struct stat st;

	if (lstat(path, &st) == 0) {
		*exists = true;
		return PKI_OK;
	}
	if (errno == ENOENT) {
		*exists = false;
		return PKI_OK;
	}
	return pki_fail(err, errlen, PKI_E_IO, "cannot look at %s: %s", path, strerror(errno));
}

static int load(struct pki_ca *ca, const char *cert_path, const char *key_path,
		char *err, size_t errlen)
{
	bool io_error;

	ca->cert = pki_read_cert_file(cert_path, &io_error, err, errlen);
	if (!ca->cert)
		return io_error ? PKI_E_IO : PKI_E_CA_CERT;
	if (X509_check_ca(ca->cert) != 1)
		return pki_fail(err, errlen, PKI_E_CA_CERT,
				"%s is not a CA certificate (basicConstraints CA:TRUE, keyCertSign)",
				cert_path);
	ca->key = pki_read_key_file(key_path, &io_error, err, errlen);
	if (!ca->key)
		return io_error ? PKI_E_IO : PKI_E_CA_KEY;
	if (X509_check_private_key(ca->cert, ca->key) != 1)
		return pki_fail(err, errlen, PKI_E_CA_MISMATCH, "%s is not the private key of %s",
				key_path, cert_path);
	return PKI_OK;
}

static int make_ca_cert(struct pki_ca *ca, char *err, size_t errlen)
{
	unsigned char r[4];
	char cn[sizeof("postern CA ") + 8];
	int rc;

	if (RAND_bytes(r, sizeof(r)) != 1)
		return pki_fail(err, errlen, PKI_E_CRYPTO, "no random bytes for the CA name");
	snprintf(cn, sizeof(cn), "postern CA %02x%02x%02x%02x", r[0], r[1], r[2], r[3]);
	rc = pki_cert_begin(&ca->cert, ca->key, cn, NULL, PKI_CA_DAYS, err, errlen);
	if (rc == PKI_OK)
		rc = pki_cert_add_ext(ca->cert, NULL, NID_basic_constraints,
				      "critical,CA:TRUE,pathlen:0", err, errlen);
	if (rc == PKI_OK)
		rc = pki_cert_add_ext(ca->cert, NULL, NID_key_usage,
				      "critical,keyCertSign,cRLSign", err, errlen);
	if (rc == PKI_OK)
		rc = pki_cert_add_ext(ca->cert, NULL, NID_subject_key_identifier, "hash",
				      err, errlen);
	if (rc == PKI_OK)
		rc = pki_cert_sign(ca->cert, ca->key, err, errlen);
	return rc;
}

/* Make a new CA and install its files; neither file may exist yet, and none
 * is left behind on failure. */
static int create(struct pki_ca *ca, const char *cert_path, const char *key_path,
		  char *err, size_t errlen)
{
	int rc;

	ca->key = pki_new_key();
	if (!ca->key)
		return pki_fail(err, errlen, PKI_E_CRYPTO, "cannot generate the CA key");
	rc = make_ca_cert(ca, err, errlen);
	if (rc != PKI_OK)
		return rc;
	/* NOREPLACE: never overwrite a CA that appeared meanwhile */
	return pki_install_pair(ca->key, ca->cert, key_path, cert_path, ATOMIC_FILE_NOREPLACE,
				err, errlen);
}

int pki_ca_load_or_create(const char *dir, struct pki_ca **out, char *err, size_t errlen)
{
	struct pki_ca *ca = NULL;
	char *cert_path = NULL, *key_path = NULL;
	bool have_cert = false, have_key = false;
	int rc;

	if (out)
		*out = NULL;
	if (!dir || !*dir || !out)
		return pki_fail(err, errlen, PKI_E_INVALID_ARG, "CA: bad arguments");
	ERR_clear_error();
	ca = calloc(1, sizeof(*ca));
	cert_path = join(dir, CA_CERT_FILE);
	key_path = join(dir, CA_KEY_FILE);
	if (!ca || !cert_path || !key_path) {
		rc = pki_fail(err, errlen, PKI_E_NOMEM, "CA: cannot allocate");
		goto cleanup;
	}
	rc = file_exists(cert_path, &have_cert, err, errlen);
	if (rc == PKI_OK)
		rc = file_exists(key_path, &have_key, err, errlen);
	if (rc != PKI_OK)
		goto cleanup;
	if (have_cert && have_key) {
		rc = load(ca, cert_path, key_path, err, errlen);
	} else if (!have_cert && !have_key) {
		rc = create(ca, cert_path, key_path, err, errlen);
	} else {
		rc = pki_fail(err, errlen, PKI_E_CA_INCOMPLETE,
			      "%s exists but %s does not: restore it, or remove %s to create a "
			      "new CA (every agent must then register again)",
			      have_cert ? cert_path : key_path, have_cert ? key_path : cert_path,
			      have_cert ? cert_path : key_path);
	}
	if (rc != PKI_OK)
		goto cleanup;
	*out = ca;
	ca = NULL;
cleanup:
	pki_ca_free(ca);
	free(cert_path);
	free(key_path);
	return rc;
}

void pki_ca_free(struct pki_ca *ca)
{
	if (!ca)
		return;
	X509_free(ca->cert);
	EVP_PKEY_free(ca->key);
	free(ca);
}

X509 *pki_ca_cert(const struct pki_ca *ca)
{
	return ca ? ca->cert : NULL;
}
