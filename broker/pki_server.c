/*
 * pki_server.c — the broker's own TLS server certificate: issue it for the
 * names and addresses the broker listens on, and decide whether the one on
 * disk still fits (same names, same CA, not near expiry, key beside it).
 */
#include "pki_impl.h"
#include "atomic_file.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#define DNS_NAME_MAX 253
#define DNS_LABEL_MAX 63

/* One listen name, classified. */
struct san {
	bool is_ip;
	unsigned char ip[16];
	size_t ip_len;
	const char *dns;
};

static bool dns_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/* Letters, digits, '-', '_' in non-empty labels of at most 63 characters
 * that neither start nor end with '-', separated by single dots; an optional
 * leading "*." label. */
static bool dns_name_valid(const char *name)
{
	size_t len = strlen(name), label = 0;
	const char *p = name;

	if (len == 0 || len > DNS_NAME_MAX)
		return false;
	if (strncmp(p, "*.", 2) == 0)
		p += 2;
	for (; *p; p++) {
		if (*p == '.') {
			if (label == 0 || p[-1] == '-')
				return false;
			label = 0;
		} else if (!dns_char(*p) || ++label > DNS_LABEL_MAX ||
			   (label == 1 && *p == '-')) {
			return false;
		}
	}
	return label > 0 && p[-1] != '-';
}

static bool classify(const char *name, struct san *s)
{
	memset(s, 0, sizeof(*s));
	if (!name)
		return false;
	if (inet_pton(AF_INET, name, s->ip) == 1) {
		s->is_ip = true;
		s->ip_len = 4;
		return true;
	}
	if (inet_pton(AF_INET6, name, s->ip) == 1) {
		s->is_ip = true;
		s->ip_len = 16;
		return true;
	}
	s->dns = name;
	return dns_name_valid(name);
}

/* Classify every name; false if n is out of range or any name is invalid
 * (*bad = its index, or n for a bad count). */
static bool classify_all(const char *const *names, size_t n, struct san *out, size_t *bad)
{
	*bad = n;
	if (!names || n == 0 || n > PKI_MAX_NAMES)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!classify(names[i], &out[i])) {
			*bad = i;
			return false;
		}
	}
	return true;
}

static bool ascii_case_equal(const unsigned char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char x = a[i], y = (unsigned char)b[i];

		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

static bool san_matches(const GENERAL_NAME *g, const struct san *s)
{
	int type;
	const ASN1_STRING *v = GENERAL_NAME_get0_value(g, &type);

	if (!v)
		return false;
	if (s->is_ip)
		return type == GEN_IPADD && (size_t)ASN1_STRING_length(v) == s->ip_len &&
		       memcmp(ASN1_STRING_get0_data(v), s->ip, s->ip_len) == 0;
	return type == GEN_DNS && (size_t)ASN1_STRING_length(v) == strlen(s->dns) &&
	       ascii_case_equal(ASN1_STRING_get0_data(v), s->dns, strlen(s->dns));
}

static bool san_in(const GENERAL_NAMES *gens, const struct san *s)
{
	for (int i = 0; i < sk_GENERAL_NAME_num(gens); i++)
		if (san_matches(sk_GENERAL_NAME_value(gens, i), s))
			return true;
	return false;
}

static int add_sans(X509 *x, const struct san *sans, size_t n, char *err, size_t errlen)
{
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	GENERAL_NAME *g = NULL;
	ASN1_STRING *v = NULL;
	int rc = PKI_E_CRYPTO;

	if (!gens)
		goto cleanup;
	for (size_t i = 0; i < n; i++) {
		if (san_in(gens, &sans[i]))
			continue; /* a name given twice goes in once */
		g = GENERAL_NAME_new();
		v = sans[i].is_ip ? ASN1_OCTET_STRING_new() : ASN1_IA5STRING_new();
		if (!g || !v)
			goto cleanup;
		if (sans[i].is_ip ? ASN1_OCTET_STRING_set(v, sans[i].ip, (int)sans[i].ip_len) != 1
				  : ASN1_STRING_set(v, sans[i].dns, -1) != 1)
			goto cleanup;
		GENERAL_NAME_set0_value(g, sans[i].is_ip ? GEN_IPADD : GEN_DNS, v);
		v = NULL;
		if (sk_GENERAL_NAME_push(gens, g) <= 0)
			goto cleanup;
		g = NULL;
	}
	if (X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT) != 1)
		goto cleanup;
	rc = PKI_OK;
cleanup:
	ASN1_STRING_free(v);
	GENERAL_NAME_free(g);
	GENERAL_NAMES_free(gens);
	if (rc != PKI_OK)
		return pki_fail(err, errlen, rc, "cannot add the subjectAltName extension");
	return rc;
}

static int make_server_cert(const struct pki_ca *ca, EVP_PKEY *key, const char *cn,
			    const struct san *sans, size_t n, X509 **out,
			    char *err, size_t errlen)
{
	static const struct { int nid; const char *value; } exts[] = {
		{ NID_basic_constraints, "critical,CA:FALSE" },
		{ NID_key_usage, "critical,digitalSignature" },
		{ NID_ext_key_usage, "serverAuth" },
		{ NID_subject_key_identifier, "hash" },
		{ NID_authority_key_identifier, "keyid:always" },
	};
	int rc = pki_cert_begin(out, key, cn, ca->cert, PKI_SERVER_CERT_DAYS, err, errlen);

	for (size_t i = 0; rc == PKI_OK && i < sizeof(exts) / sizeof(exts[0]); i++)
		rc = pki_cert_add_ext(*out, ca->cert, exts[i].nid, exts[i].value, err, errlen);
	if (rc == PKI_OK)
		rc = add_sans(*out, sans, n, err, errlen);
	if (rc == PKI_OK)
		rc = pki_cert_sign(*out, ca->key, err, errlen);
	if (rc != PKI_OK) {
		X509_free(*out);
		*out = NULL;
	}
	return rc;
}

int pki_issue_server_cert(const struct pki_ca *ca, const char *const *names, size_t n,
			  const char *cert_path, const char *key_path,
			  char *err, size_t errlen)
{
	struct san sans[PKI_MAX_NAMES];
	size_t bad;
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	int rc;

	if (!ca || !cert_path || !key_path)
		return pki_fail(err, errlen, PKI_E_INVALID_ARG, "server certificate: bad arguments");
	if (!classify_all(names, n, sans, &bad)) {
		if (bad == n)
			return pki_fail(err, errlen, PKI_E_NAME,
					"server certificate: %zu names, need 1 to %d", n,
					PKI_MAX_NAMES);
		return pki_fail(err, errlen, PKI_E_NAME,
				"server certificate: \"%.80s\" is neither an IP address nor a "
				"DNS name", names[bad] ? names[bad] : "(null)");
	}
	ERR_clear_error();
	key = pki_new_key();
	if (!key) {
		rc = pki_fail(err, errlen, PKI_E_CRYPTO, "cannot generate the server key");
		goto cleanup;
	}
	rc = make_server_cert(ca, key, names[0], sans, n, &x, err, errlen);
	if (rc == PKI_OK)
		rc = pki_install_pair(key, x, key_path, cert_path, ATOMIC_FILE_REPLACE, err, errlen);
cleanup:
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}

static bool issued_by(const struct pki_ca *ca, X509 *x)
{
	return X509_check_issued(ca->cert, x) == X509_V_OK &&
	       X509_verify(x, X509_get0_pubkey(ca->cert)) == 1;
}

static bool valid_long_enough(const X509 *x)
{
	time_t renew = time(NULL) + (time_t)PKI_RENEW_BEFORE_DAYS * 86400;

	return X509_cmp_current_time(X509_get0_notBefore(x)) < 0 &&
	       X509_cmp_time(X509_get0_notAfter(x), &renew) > 0;
}

static bool same_names(const X509 *x, const struct san *sans, size_t n)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	bool ok = gens != NULL;

	for (int i = 0; ok && i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);

		ok = false;
		for (size_t j = 0; !ok && j < n; j++)
			ok = san_matches(g, &sans[j]);
	}
	for (size_t j = 0; ok && j < n; j++)
		ok = san_in(gens, &sans[j]);
	GENERAL_NAMES_free(gens);
	return ok;
}

bool pki_server_cert_matches(const struct pki_ca *ca, const char *cert_path,
			     const char *key_path, const char *const *names, size_t n)
{
	struct san sans[PKI_MAX_NAMES];
	EVP_PKEY *key = NULL;
	X509 *x = NULL;
	bool io_error, ok = false;
	size_t bad;

	if (!ca || !cert_path || !key_path || !classify_all(names, n, sans, &bad))
		return false;
	x = pki_read_cert_file(cert_path, &io_error, NULL, 0);
	if (!x || !issued_by(ca, x) || !valid_long_enough(x) || !same_names(x, sans, n))
		goto cleanup;
	key = pki_read_key_file(key_path, &io_error, NULL, 0);
	ok = key && X509_check_private_key(x, key) == 1;
cleanup:
	EVP_PKEY_free(key);
	X509_free(x);
	ERR_clear_error();
	return ok;
}
