/*
 * pki_impl.h — the CA's private pieces shared by the pki_*.c files: the CA
 * struct, error reporting, and the certificate-building steps every issued
 * certificate goes through. Not for use outside broker/pki_*.c.
 */
#ifndef POSTERN_PKI_IMPL_H
#define POSTERN_PKI_IMPL_H

#include "pki.h"

struct pki_ca {
	X509 *cert;
	EVP_PKEY *key;
};

#define PKI_BACKDATE_SECONDS 300 /* notBefore this far in the past: clock skew */

/* pki_err.c */

/*
 * Write the formatted sentence into err, followed by ": " and the OpenSSL
 * error queue (oldest first, "; " between) if it holds anything, drain the
 * queue, and return rc. err may be NULL when errlen is 0.
 */
int pki_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* pki_csr.c: true if key is an EC key on P-256 with named-curve encoding. */
bool pki_key_is_p256(const EVP_PKEY *key);

/* pki_cert.c */

/* A new P-256 key, or NULL (OpenSSL error queued). */
EVP_PKEY *pki_new_key(void);

/*
 * A new v3 certificate for pub with subject CN=cn, a 128-bit random positive
 * serial, valid from PKI_BACKDATE_SECONDS ago for days days, issued by issuer
 * (its subject becomes our issuer name), or self-issued when issuer is NULL.
 * Extensions and signature are up to the caller. Returns PKI_OK with *out set.
 */
int pki_cert_begin(X509 **out, EVP_PKEY *pub, const char *cn, const X509 *issuer,
		   int days, char *err, size_t errlen);

/* Add one extension written in OpenSSL's config syntax (constant text only:
 * never pass names from outside through here). issuer as for pki_cert_begin. */
int pki_cert_add_ext(X509 *x, const X509 *issuer, int nid, const char *value,
		     char *err, size_t errlen);

/* Sign x with key, SHA-256. */
int pki_cert_sign(X509 *x, EVP_PKEY *key, char *err, size_t errlen);

/* PEM text of a certificate / an unencrypted PKCS#8 private key, malloc'd and
 * NUL-terminated (*len without the NUL, may be NULL). Free a key's text with
 * pki_secret_free. */
int pki_cert_pem(X509 *x, char **out, size_t *len, char *err, size_t errlen);
int pki_key_pem(EVP_PKEY *key, char **out, size_t *len, char *err, size_t errlen);

/*
 * Write key (0600) and certificate (0644) to their paths, each atomically,
 * the key first; if the certificate then cannot be installed, the key just
 * installed is removed again. flags: ATOMIC_FILE_REPLACE or _NOREPLACE.
 * PKI_OK, PKI_E_IO, or a PEM-encoding error.
 */
int pki_install_pair(EVP_PKEY *key, X509 *cert, const char *key_path, const char *cert_path,
		     int flags, char *err, size_t errlen);

/* Wipe and free a NUL-terminated secret (NULL is fine). */
void pki_secret_free(char *s);

/* Read a whole PEM file of at most 1 MiB: a certificate / a private key
 * (never prompts for a password: an encrypted key is an error). NULL on error
 * with a sentence in err; *io_error tells a missing/unreadable file (true)
 * from damaged contents (false). */
X509 *pki_read_cert_file(const char *path, bool *io_error, char *err, size_t errlen);
EVP_PKEY *pki_read_key_file(const char *path, bool *io_error, char *err, size_t errlen);

#endif
