/*
 * pki_test_util.h — helpers for the CA tests (test_pki_*.c): temporary
 * directories, file contents and modes, PEM <-> OpenSSL objects, chain
 * verification, running the openssl command, and hand-made certificates and
 * CSRs for cases the CA itself never produces. Helpers abort() on setup
 * failures that are not what a test is about.
 */
#ifndef POSTERN_PKI_TEST_UTIL_H
#define POSTERN_PKI_TEST_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

/* A new empty directory under $TMPDIR (or /tmp); malloc'd path. */
char *pt_tmpdir(void);

/* Remove every file in dir (flat), then dir itself; frees dir. NULL is fine. */
void pt_rmdir(char *dir);

/* malloc'd "dir/name". */
char *pt_path(const char *dir, const char *name);

/* Number of entries in dir other than . and .. */
int pt_count_entries(const char *dir);

/* Permission bits of path, or (mode_t)-1 if it does not exist. */
mode_t pt_mode(const char *path);
bool pt_exists(const char *path);

/* Whole file, NUL-terminated, malloc'd (*len may be NULL); NULL if unreadable. */
char *pt_read(const char *path, size_t *len);
/* Write (replace) a file with mode 0600; aborts on failure. */
void pt_write(const char *path, const void *data, size_t len);

X509 *pt_cert_from_pem(const char *pem);
X509 *pt_cert_from_file(const char *path);
EVP_PKEY *pt_key_from_pem(const char *pem);
EVP_PKEY *pt_key_from_file(const char *path);

/* Chain check of leaf against the single trusted ca with the given
 * X509_PURPOSE_* (0: none); host / ip (text) if non-NULL must be in the SANs.
 * Returns X509_V_OK or the verify error. */
int pt_verify(X509 *ca, X509 *leaf, int purpose, const char *host, const char *ip);

/* Run argv (argv[0] looked up in PATH) with stdout and stderr discarded;
 * returns its exit status, or -1 if it could not run or was killed. */
int pt_run(const char *const argv[]);

/* A CSR for key with CN=cn signed with md, as PEM (malloc'd). With
 * extensions, it asks for CA:TRUE and a DNS SAN (the CA must ignore both). */
char *pt_make_csr(EVP_PKEY *key, const char *cn, const EVP_MD *md, bool extensions);

/* PEM text with DER contents der[0..len) under the given label (malloc'd). */
char *pt_pem(const char *label, const unsigned char *der, size_t len);
/* DER of the first PEM block of pem (malloc'd with OPENSSL_malloc: free with
 * OPENSSL_free); NULL if none. */
unsigned char *pt_der(const char *pem, long *len);

/* A leaf certificate for key signed by ca_key/ca_cert, with SANs "localhost",
 * 127.0.0.1, ::1, notAfter now + not_after_days. */
X509 *pt_make_server_cert(X509 *ca_cert, EVP_PKEY *ca_key, EVP_PKEY *key, int not_after_days);

/* 1 if x has extension nid marked critical, 0 if not critical, -1 if absent. */
int pt_ext_critical(const X509 *x, int nid);

/* PEM of a certificate (malloc'd). */
char *pt_cert_pem(X509 *x);

#endif
