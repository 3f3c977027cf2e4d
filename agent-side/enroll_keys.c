/*
 * enroll_keys.c — the agent's registration key pair and CSR (see
 * enroll_keys.h). In memory only.
 */
#include "enroll_keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

/* what, then the oldest queued OpenSSL error (the cause); drains the queue. */
static int enroll_error(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();
	char detail[256] = "no OpenSSL error recorded";

	if (e)
		ERR_error_string_n(e, detail, sizeof(detail));
	ERR_clear_error();
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", what, detail);
	return -1;
}

/* A memory BIO's contents as a new NUL-terminated string; the BIO's buffer is
 * wiped. NULL on failure. */
static char *take_text(BIO *bio)
{
	char *data = NULL, *s;
	long n = BIO_get_mem_data(bio, &data);

	if (n <= 0 || !data)
		return NULL;
	s = malloc((size_t)n + 1);
	if (s) {
		memcpy(s, data, (size_t)n);
		s[n] = '\0';
	}
	OPENSSL_cleanse(data, (size_t)n);
	return s;
}

static X509_REQ *make_csr(EVP_PKEY *key)
{
	X509_REQ *req = X509_REQ_new();
	X509_NAME *name = X509_NAME_new();
	int ok = req && name &&
		 X509_REQ_set_version(req, X509_REQ_VERSION_1) == 1 &&
		 X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
					    (const unsigned char *)ENROLL_CSR_CN, -1, -1, 0) == 1 &&
		 X509_REQ_set_subject_name(req, name) == 1 &&
		 X509_REQ_set_pubkey(req, key) == 1 &&
		 X509_REQ_sign(req, key, EVP_sha256()) > 0;

	X509_NAME_free(name);
	if (!ok) {
		X509_REQ_free(req);
		return NULL;
	}
	return req;
}

int enroll_make_key_and_csr(char **key_pem, char **csr_pem, char *err, size_t errlen)
{
	BIO *key_bio = NULL, *csr_bio = NULL;
	EVP_PKEY *key = NULL;
	X509_REQ *req = NULL;
	int rc = -1;

	if (key_pem)
		*key_pem = NULL;
	if (csr_pem)
		*csr_pem = NULL;
	if (!key_pem || !csr_pem) {
		if (err && errlen)
			snprintf(err, errlen, "enroll: bad arguments");
		return -1;
	}
	ERR_clear_error();
	key = EVP_EC_gen("P-256");
	if (!key) {
		rc = enroll_error(err, errlen, "cannot generate a P-256 key");
		goto cleanup;
	}
	req = make_csr(key);
	if (!req) {
		rc = enroll_error(err, errlen, "cannot make the certificate signing request");
		goto cleanup;
	}
	key_bio = BIO_new(BIO_s_secmem());
	csr_bio = BIO_new(BIO_s_mem());
	if (!key_bio || !csr_bio ||
	    PEM_write_bio_PrivateKey(key_bio, key, NULL, NULL, 0, NULL, NULL) != 1 ||
	    PEM_write_bio_X509_REQ(csr_bio, req) != 1 ||
	    !(*key_pem = take_text(key_bio)) || !(*csr_pem = take_text(csr_bio))) {
		rc = enroll_error(err, errlen, "cannot write the key and request as PEM");
		goto cleanup;
	}
	rc = 0;
cleanup:
	if (rc != 0) {
		enroll_secret_free(*key_pem);
		free(*csr_pem);
		*key_pem = NULL;
		*csr_pem = NULL;
	}
	BIO_free(key_bio);
	BIO_free(csr_bio);
	X509_REQ_free(req);
	EVP_PKEY_free(key);
	return rc;
}

void enroll_secret_free(char *secret)
{
	if (secret) {
		OPENSSL_cleanse(secret, strlen(secret));
		free(secret);
	}
}
