/*
 * pki_cert.c — the steps every certificate the CA makes goes through (key
 * generation, serial, names, validity, extensions, signature), PEM text out,
 * and reading the PEM files the CA keeps.
 */
#include "pki_impl.h"
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#define PEM_FILE_MAX (1024 * 1024)
#define SERIAL_BYTES 16

EVP_PKEY *pki_new_key(void)
{
	return EVP_EC_gen("P-256");
}

/* 128 random bits with the top bit clear (DER-positive), never zero. */
static int random_serial(X509 *x)
{
	unsigned char b[SERIAL_BYTES];
	ASN1_INTEGER *serial = NULL;
	BIGNUM *bn = NULL;
	int ok = 0;

	do {
		if (RAND_bytes(b, sizeof(b)) != 1)
			goto cleanup;
		b[0] &= 0x7f;
		bn = BN_bin2bn(b, sizeof(b), bn);
		if (!bn)
			goto cleanup;
	} while (BN_is_zero(bn));
	serial = BN_to_ASN1_INTEGER(bn, NULL);
	ok = serial && X509_set_serialNumber(x, serial) == 1;
cleanup:
	OPENSSL_cleanse(b, sizeof(b));
	ASN1_INTEGER_free(serial);
	BN_free(bn);
	return ok;
}

int pki_cert_begin(X509 **out, EVP_PKEY *pub, const char *cn, const X509 *issuer,
		   int days, char *err, size_t errlen)
{
	X509 *x = X509_new();
	X509_NAME *subject = X509_NAME_new();
	int rc = PKI_E_CRYPTO;

	*out = NULL;
	if (!x || !subject) {
		rc = pki_fail(err, errlen, PKI_E_NOMEM, "cannot allocate a certificate");
		goto cleanup;
	}
	if (X509_NAME_add_entry_by_NID(subject, NID_commonName, MBSTRING_UTF8,
				       (const unsigned char *)cn, -1, -1, 0) != 1) {
		rc = pki_fail(err, errlen, PKI_E_NAME, "cannot use \"%s\" as a common name", cn);
		goto cleanup;
	}
	if (X509_set_version(x, X509_VERSION_3) != 1 || !random_serial(x) ||
	    X509_set_subject_name(x, subject) != 1 ||
	    X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : subject) != 1 ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -PKI_BACKDATE_SECONDS) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), days, 0, NULL) ||
	    X509_set_pubkey(x, pub) != 1) {
		rc = pki_fail(err, errlen, PKI_E_CRYPTO, "cannot fill in a certificate");
		goto cleanup;
	}
	*out = x;
	x = NULL;
	rc = PKI_OK;
cleanup:
	X509_NAME_free(subject);
	X509_free(x);
	return rc;
}

int pki_cert_add_ext(X509 *x, const X509 *issuer, int nid, const char *value,
		     char *err, size_t errlen)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	/* X509V3_set_ctx only reads the issuer, but its prototype is not const. */
	X509V3_set_ctx(&ctx, issuer ? (X509 *)issuer : x, x, NULL, NULL, 0);
	ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
	ok = ext && X509_add_ext(x, ext, -1) == 1;
	X509_EXTENSION_free(ext);
	if (!ok)
		return pki_fail(err, errlen, PKI_E_CRYPTO, "cannot add extension %s = %s",
				OBJ_nid2sn(nid), value);
	return PKI_OK;
}

int pki_cert_sign(X509 *x, EVP_PKEY *key, char *err, size_t errlen)
{
	if (X509_sign(x, key, EVP_sha256()) <= 0)
		return pki_fail(err, errlen, PKI_E_CRYPTO, "cannot sign the certificate");
	return PKI_OK;
}

/* Copy a memory BIO's contents into a malloc'd NUL-terminated string and wipe
 * the BIO's buffer (it may hold a private key). */
static int bio_to_string(BIO *bio, char **out, size_t *len)
{
	char *data = NULL;
	long n = BIO_get_mem_data(bio, &data);

	*out = NULL;
	if (n <= 0 || !data)
		return PKI_E_CRYPTO;
	*out = malloc((size_t)n + 1);
	if (*out) {
		memcpy(*out, data, (size_t)n);
		(*out)[n] = '\0';
		if (len)
			*len = (size_t)n;
	}
	OPENSSL_cleanse(data, (size_t)n);
	return *out ? PKI_OK : PKI_E_NOMEM;
}

int pki_cert_pem(X509 *x, char **out, size_t *len, char *err, size_t errlen)
{
	BIO *bio = BIO_new(BIO_s_mem());
	int rc;

	*out = NULL;
	if (!bio || PEM_write_bio_X509(bio, x) != 1)
		rc = PKI_E_CRYPTO;
	else
		rc = bio_to_string(bio, out, len);
	BIO_free(bio);
	if (rc != PKI_OK)
		return pki_fail(err, errlen, rc, "cannot write the certificate as PEM");
	return PKI_OK;
}

int pki_key_pem(EVP_PKEY *key, char **out, size_t *len, char *err, size_t errlen)
{
	BIO *bio = BIO_new(BIO_s_secmem());
	int rc;

	*out = NULL;
	if (!bio || PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL) != 1)
		rc = PKI_E_CRYPTO;
	else
		rc = bio_to_string(bio, out, len);
	BIO_free(bio);
	if (rc != PKI_OK)
		return pki_fail(err, errlen, rc, "cannot write the private key as PEM");
	return PKI_OK;
}

void pki_secret_free(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}

/* Never prompt: an encrypted key cannot be used unattended. */
static int no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* The whole file in a memory BIO (at most PEM_FILE_MAX bytes). */
static BIO *read_file(const char *path, char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	BIO *bio = NULL;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), saved = 0;

	if (fd < 0 || fstat(fd, &st) != 0) {
		saved = errno;
		goto cleanup;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > PEM_FILE_MAX) {
		saved = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		goto cleanup;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		saved = ENOMEM;
		goto cleanup;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			saved = n < 0 ? errno : EIO;
			goto cleanup;
		}
		got += (size_t)n;
	}
	bio = BIO_new(BIO_s_secmem());
	if (!bio || BIO_write(bio, buf, (int)got) != (int)got) {
		BIO_free(bio);
		bio = NULL;
		saved = ENOMEM;
	}
cleanup:
	if (buf) {
		OPENSSL_cleanse(buf, got);
		free(buf);
	}
	if (fd >= 0)
		close(fd);
	if (!bio)
		pki_fail(err, errlen, PKI_E_IO, "cannot read %s: %s", path, strerror(saved));
	return bio;
}

X509 *pki_read_cert_file(const char *path, bool *io_error, char *err, size_t errlen)
{
	BIO *bio = read_file(path, err, errlen);
	X509 *x = NULL;

	*io_error = !bio;
	if (bio) {
		ERR_clear_error();
		x = PEM_read_bio_X509(bio, NULL, no_password, NULL);
		if (!x)
			pki_fail(err, errlen, PKI_E_CA_CERT, "%s holds no readable certificate", path);
	}
	BIO_free(bio);
	return x;
}

EVP_PKEY *pki_read_key_file(const char *path, bool *io_error, char *err, size_t errlen)
{
	BIO *bio = read_file(path, err, errlen);
	EVP_PKEY *key = NULL;

	*io_error = !bio;
	if (bio) {
		ERR_clear_error();
		key = PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL);
		if (!key)
			pki_fail(err, errlen, PKI_E_CA_KEY,
				 "%s holds no readable private key (damaged or encrypted)", path);
	}
	BIO_free(bio);
	return key;
}

int pki_install_pair(EVP_PKEY *key, X509 *cert, const char *key_path, const char *cert_path,
		     int flags, char *err, size_t errlen)
{
	struct atomic_file key_file = {0}, cert_file = {0};
	char *key_pem = NULL, *cert_pem = NULL;
	size_t key_len = 0, cert_len = 0;
	int rc = pki_key_pem(key, &key_pem, &key_len, err, errlen);

	if (rc == PKI_OK)
		rc = pki_cert_pem(cert, &cert_pem, &cert_len, err, errlen);
	if (rc != PKI_OK)
		goto cleanup;
	rc = PKI_E_IO;
	if (atomic_file_stage(&key_file, key_path, key_pem, key_len, 0600, flags, err,
			      errlen) != 0 ||
	    atomic_file_stage(&cert_file, cert_path, cert_pem, cert_len, 0644, flags, err,
			      errlen) != 0 ||
	    atomic_file_commit(&key_file, err, errlen) != 0)
		goto cleanup;
	if (atomic_file_commit(&cert_file, err, errlen) != 0) {
		unlink(key_path); /* a key without its certificate is of no use */
		goto cleanup;
	}
	rc = PKI_OK;
cleanup:
	atomic_file_abort(&key_file);
	atomic_file_abort(&cert_file);
	pki_secret_free(key_pem);
	free(cert_pem);
	return rc;
}
