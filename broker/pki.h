/*
 * pki.h — the broker's certificate authority.
 *
 * The broker runs its own small CA (ECDSA P-256, SHA-256 signatures) kept in
 * its data directory as ca.pem (0644) and ca-key.pem (0600). It issues:
 *
 *   - the broker's own TLS server certificate (subjectAltName = the names and
 *     addresses it listens on, EKU serverAuth, 825 days), regenerated when the
 *     listen names change or expiry is near (pki_server_cert_matches);
 *   - one client certificate per agent at registration, from the agent's CSR
 *     (subject CN = the agent's instance id mi-<17 hex>, EKU clientAuth). Only
 *     the CSR's public key is used: its subject and extensions are ignored.
 *
 * Every function that can fail returns an `enum pki_err` (PKI_OK is zero) and
 * writes a sentence into err[0..errlen) that includes OpenSSL's error text
 * where OpenSSL failed (err may be NULL when errlen is 0). Files are written
 * with atomic_file.h: a failure never leaves a partial key or certificate.
 * Nothing here keeps global state.
 */
#ifndef POSTERN_PKI_H
#define POSTERN_PKI_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

enum pki_err {
	PKI_OK = 0,
	PKI_E_NOMEM = -1,          /* allocation failed */
	PKI_E_INVALID_ARG = -2,    /* caller passed something impossible */
	PKI_E_IO = -3,             /* a file could not be read, written or synced */
	PKI_E_CRYPTO = -4,         /* OpenSSL failed where it should not */

	/* the CA's files */
	PKI_E_CA_INCOMPLETE = -10, /* only one of ca.pem, ca-key.pem exists */
	PKI_E_CA_CERT = -11,       /* ca.pem unreadable, damaged, or not a CA */
	PKI_E_CA_KEY = -12,        /* ca-key.pem unreadable or damaged */
	PKI_E_CA_MISMATCH = -13,   /* ca-key.pem is not the key of ca.pem */

	/* the server certificate */
	PKI_E_NAME = -20,          /* a listen name is neither an address nor a DNS name */

	/* agent enrollment (network input) */
	PKI_E_CSR_TOO_LARGE = -30, /* over PKI_CSR_MAX bytes: not parsed at all */
	PKI_E_CSR_PARSE = -31,     /* not one PEM "CERTIFICATE REQUEST" holding valid DER */
	PKI_E_CSR_SIGNATURE = -32, /* the CSR's self-signature does not verify */
	PKI_E_CSR_KEY = -33,       /* public key is not an EC P-256 named-curve key */
	PKI_E_INSTANCE_ID = -34,   /* not mi- followed by 17 lower-case hex digits */
};

/* Short stable name of an error code ("csr-signature", ...). Never NULL. */
const char *pki_err_str(int err);

#define PKI_CSR_MAX (16 * 1024)      /* bytes of CSR PEM accepted from the network */
#define PKI_INSTANCE_ID_LEN 20       /* "mi-" + 17 hex digits */
#define PKI_SERIAL_HEX_SIZE 41       /* 20-byte serial in hex + NUL */
#define PKI_SERVER_CERT_DAYS 825
#define PKI_CA_DAYS 3650
#define PKI_RENEW_BEFORE_DAYS 30     /* pki_server_cert_matches wants this much left */
#define PKI_MAX_NAMES 64             /* names in one server certificate */

struct pki_ca;

/*
 * Load the CA from dir/ca.pem and dir/ca-key.pem, or create it when neither
 * exists. Loading checks that ca.pem is a CA certificate (basicConstraints
 * CA:TRUE) and that ca-key.pem is its private key; any problem is an error and
 * the files are left as they are (PKI_E_CA_CERT, PKI_E_CA_KEY,
 * PKI_E_CA_MISMATCH; PKI_E_CA_INCOMPLETE if exactly one file exists). Creating
 * writes a self-signed CA: CN "postern CA <8 hex>", basicConstraints critical
 * CA:TRUE pathlen:0, keyUsage critical keyCertSign+cRLSign, subject key id,
 * 10 years, 128-bit random serial; it never replaces a file that appeared
 * meanwhile, and on failure removes whatever it wrote. dir must exist.
 * On PKI_OK *out is a new CA (free with pki_ca_free); otherwise *out is NULL.
 */
int pki_ca_load_or_create(const char *dir, struct pki_ca **out, char *err, size_t errlen);

void pki_ca_free(struct pki_ca *ca);

/* The CA certificate, owned by ca (for an X509_STORE: X509_STORE_add_cert
 * takes its own reference). */
X509 *pki_ca_cert(const struct pki_ca *ca);

/*
 * Issue the broker's TLS server certificate for names[0..n) (1 <= n <=
 * PKI_MAX_NAMES): a name that parses as an IPv4 or IPv6 address becomes an IP
 * subjectAltName, any other a DNS one (letters, digits, '-', '_', '.', an
 * optional leading "*.", at most 253 characters); CN = names[0] (so at most 64
 * characters). A new P-256 key goes to key_path (0600), the certificate to
 * cert_path (0644), each replaced atomically; the key is installed first, and
 * if the certificate then cannot be, the new key is removed again.
 * PKI_E_NAME for a bad name (nothing written).
 */
int pki_issue_server_cert(const struct pki_ca *ca, const char *const *names, size_t n,
			  const char *cert_path, const char *key_path,
			  char *err, size_t errlen);

/*
 * True if cert_path holds a certificate signed by ca whose subjectAltName set
 * is exactly names[0..n) (order and duplicates aside; DNS names compared
 * without regard to case, addresses by value), that is valid now and for at
 * least PKI_RENEW_BEFORE_DAYS more days, and key_path holds its private key.
 * False on any problem, including unreadable files: the caller then issues a
 * new certificate with pki_issue_server_cert.
 */
bool pki_server_cert_matches(const struct pki_ca *ca, const char *cert_path,
			     const char *key_path, const char *const *names, size_t n);

/*
 * Parse and check an agent's CSR from the network without issuing anything:
 * len is checked against PKI_CSR_MAX before any byte is read; the text must
 * be one PEM block "CERTIFICATE REQUEST" (no encryption headers) holding
 * exactly one DER CertificationRequest, version 1, whose self-signature
 * verifies, with an EC P-256 named-curve public key. pem need not be
 * NUL-terminated. On PKI_OK *key_out is the CSR's public key (caller frees
 * with EVP_PKEY_free); otherwise NULL. Pure in-memory (the fuzz target).
 */
int pki_csr_parse(const char *pem, size_t len, EVP_PKEY **key_out, char *err, size_t errlen);

/* True if id is "mi-" followed by exactly 17 lower-case hex digits. */
bool pki_instance_id_valid(const char *id);

/*
 * Issue an agent's client certificate from its CSR (checked as by
 * pki_csr_parse): subject CN=instance_id and nothing else from the CSR,
 * EKU clientAuth, keyUsage digitalSignature, CA:FALSE, 128-bit random serial,
 * valid from 5 minutes ago (clock skew) for validity_days (1..3650).
 * On PKI_OK *cert_pem_out is the NUL-terminated PEM (caller frees with free())
 * and serial_hex the serial as pki_cert_serial_hex formats it; otherwise
 * *cert_pem_out is NULL and serial_hex is "".
 */
int pki_sign_csr(const struct pki_ca *ca, const char *csr_pem, size_t len,
		 const char *instance_id, int validity_days, char **cert_pem_out,
		 char serial_hex[PKI_SERIAL_HEX_SIZE], char *err, size_t errlen);

/*
 * The instance id of an agent certificate (its subject must hold exactly one
 * CN, a valid instance id, and nothing else checked here: chain, validity and
 * EKU are the TLS verifier's job). Returns PKI_OK with out filled, or
 * PKI_E_INSTANCE_ID (out = "").
 */
int pki_cert_instance_id(const X509 *cert, char out[PKI_INSTANCE_ID_LEN + 1]);

/*
 * The certificate's serial number as lower-case hex without leading zero
 * digits ("0" for zero), the form pki_sign_csr reports, for revocation
 * lookups. PKI_E_INVALID_ARG (out = "") if negative or over 20 bytes.
 */
int pki_cert_serial_hex(const X509 *cert, char out[PKI_SERIAL_HEX_SIZE]);

#endif
