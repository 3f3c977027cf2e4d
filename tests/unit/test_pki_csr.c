/*
 * test_pki_csr.c — agent enrollment: the agent's key and CSR
 * (agent-side/enroll_keys.c) and the CA's checks and signing of CSRs
 * (broker/pki_csr.c, broker/pki_agent.c).
 *
 * Covers: enroll_make_key_and_csr gives a P-256 PKCS#8 key and a CSR for it
 * with CN postern-agent that verifies; round trip through pki_sign_csr: the
 * certificate verifies against the CA for client use (X509_verify_cert and
 * `openssl verify`), carries CN = the instance id and nothing from the CSR's
 * subject or extensions, EKU clientAuth, keyUsage digitalSignature, the CSR's
 * public key, the validity asked for, and the serial reported in hex;
 * serials differ; refusals with distinct codes: a flipped signature byte, a
 * SHA-1 signature, RSA and P-384 keys, an oversized CSR (never read), empty and
 * garbage input, a certificate instead of a CSR, PEM headers, two CSRs,
 * trailing DER bytes, bad instance ids and validities; pki_cert_instance_id
 * and pki_cert_serial_hex on good and unsuitable certificates.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "../../agent-side/enroll_keys.h"
#include "../../broker/pki.h"
#include "pki_test_util.h"
#include "test_util.h"

#define ID "mi-0123456789abcdef0"

struct fixture {
	char *dir;
	struct pki_ca *ca;
	char *key_pem, *csr_pem;
	char err[512];
};

static void setup(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->dir = pt_tmpdir();
	cr_assert_eq(pki_ca_load_or_create(f->dir, &f->ca, f->err, sizeof(f->err)), PKI_OK,
		     "%s", f->err);
	cr_assert_eq(enroll_make_key_and_csr(&f->key_pem, &f->csr_pem, f->err, sizeof(f->err)),
		     0, "%s", f->err);
}

static void teardown(struct fixture *f)
{
	enroll_secret_free(f->key_pem);
	free(f->csr_pem);
	pki_ca_free(f->ca);
	pt_rmdir(f->dir);
}

/* Sign pem (strlen bytes) as ID for 30 days; returns the code, and checks the
 * outputs are empty on failure. *cert (may be NULL) gets the PEM on success. */
static int sign(struct fixture *f, const char *pem, size_t len, const char *id, int days,
		char **cert)
{
	char *out = (char *)1, serial[PKI_SERIAL_HEX_SIZE] = "x";
	int rc = pki_sign_csr(f->ca, pem, len, id, days, &out, serial, f->err, sizeof(f->err));

	if (rc != PKI_OK) {
		cr_assert_null(out);
		cr_assert_str_eq(serial, "");
		cr_assert_neq(f->err[0], '\0', "no error text for %s", pki_err_str(rc));
	} else if (cert) {
		*cert = out;
		return rc;
	}
	free(out);
	return rc;
}

static int sign_text(struct fixture *f, const char *pem)
{
	return sign(f, pem, strlen(pem), ID, 30, NULL);
}

Test(pki_enroll, key_and_csr_belong_together)
{
	struct fixture f;
	EVP_PKEY *key, *csr_key;
	X509_REQ *req;
	BIO *b;
	char cn[64];

	setup(&f);
	cr_assert(strstr(f.key_pem, "-----BEGIN PRIVATE KEY-----"));
	cr_assert(strstr(f.csr_pem, "-----BEGIN CERTIFICATE REQUEST-----"));
	key = pt_key_from_pem(f.key_pem);
	cr_assert_not_null(key);
	cr_assert(EVP_PKEY_is_a(key, "EC"));
	cr_assert_eq(EVP_PKEY_get_bits(key), 256);
	b = BIO_new_mem_buf(f.csr_pem, -1);
	req = PEM_read_bio_X509_REQ(b, NULL, NULL, NULL);
	cr_assert_not_null(req);
	csr_key = X509_REQ_get0_pubkey(req);
	cr_assert_eq(X509_REQ_verify(req, csr_key), 1);
	cr_assert_eq(EVP_PKEY_eq(key, csr_key), 1);
	cr_assert_eq(X509_REQ_get_signature_nid(req), NID_ecdsa_with_SHA256);
	cr_assert_gt(X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(req), NID_commonName,
					       cn, sizeof(cn)), 0);
	cr_assert_str_eq(cn, ENROLL_CSR_CN);
	X509_REQ_free(req);
	BIO_free(b);
	EVP_PKEY_free(key);
	teardown(&f);
	cr_assert_eq(enroll_make_key_and_csr(NULL, NULL, NULL, 0), -1);
}

Test(pki_csr, signed_certificate_is_the_agents_client_certificate)
{
	struct fixture f;
	char *pem = NULL, serial[PKI_SERIAL_HEX_SIZE], check[PKI_SERIAL_HEX_SIZE];
	char id[PKI_INSTANCE_ID_LEN + 1];
	EVP_PKEY *key;
	X509_NAME *subject;
	X509 *x;
	int days = 0, secs = 0;

	setup(&f);
	cr_assert_eq(pki_sign_csr(f.ca, f.csr_pem, strlen(f.csr_pem), ID, 90, &pem, serial, f.err,
				  sizeof(f.err)), PKI_OK, "%s", f.err);
	x = pt_cert_from_pem(pem);
	cr_assert_not_null(x);
	cr_assert_eq(pt_verify(pki_ca_cert(f.ca), x, X509_PURPOSE_SSL_CLIENT, NULL, NULL),
		     X509_V_OK);
	cr_assert_neq(pt_verify(pki_ca_cert(f.ca), x, X509_PURPOSE_SSL_SERVER, NULL, NULL),
		      X509_V_OK);
	subject = X509_get_subject_name(x);
	cr_assert_eq(X509_NAME_entry_count(subject), 1);
	cr_assert_eq(pki_cert_instance_id(x, id), PKI_OK);
	cr_assert_str_eq(id, ID);
	cr_assert_eq(X509_get_extended_key_usage(x), XKU_SSL_CLIENT);
	cr_assert_eq(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE);
	cr_assert_eq(X509_check_ca(x), 0);
	cr_assert_eq(X509_get_ext_by_NID(x, NID_subject_alt_name, -1), -1);
	key = pt_key_from_pem(f.key_pem);
	cr_assert_eq(EVP_PKEY_eq(X509_get0_pubkey(x), key), 1);
	cr_assert_eq(X509_check_private_key(x, key), 1);
	cr_assert_eq(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x), X509_get0_notAfter(x)),
		     1);
	cr_assert(days == 90 && secs >= 300 && secs <= 301, "%d d %d s", days, secs);
	cr_assert_eq(pki_cert_serial_hex(x, check), PKI_OK);
	cr_assert_str_eq(serial, check);
	{
		BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
		BIGNUM *parsed = NULL;

		cr_assert_gt(BN_hex2bn(&parsed, serial), 0);
		cr_assert_eq(BN_cmp(bn, parsed), 0);
		cr_assert(!BN_is_negative(bn));
		cr_assert_leq(BN_num_bits(bn), 128);
		BN_free(bn);
		BN_free(parsed);
	}
	EVP_PKEY_free(key);
	X509_free(x);
	free(pem);
	teardown(&f);
}

Test(pki_csr, openssl_verify_accepts_the_client_certificate)
{
	struct fixture f;
	char *pem = NULL, *ca_path, *cert_path;

	setup(&f);
	cr_assert_eq(sign(&f, f.csr_pem, strlen(f.csr_pem), ID, 30, &pem), PKI_OK, "%s", f.err);
	ca_path = pt_path(f.dir, "ca.pem");
	cert_path = pt_path(f.dir, "agent.pem");
	pt_write(cert_path, pem, strlen(pem));
	{
		const char *const argv[] = { "openssl", "verify", "-CAfile", ca_path, "-purpose",
					     "sslclient", cert_path, NULL };
		const char *const as_server[] = { "openssl", "verify", "-CAfile", ca_path,
						  "-purpose", "sslserver", cert_path, NULL };

		cr_assert_eq(pt_run(argv), 0);
		cr_assert_gt(pt_run(as_server), 0);
	}
	free(ca_path);
	free(cert_path);
	free(pem);
	teardown(&f);
}

Test(pki_csr, requested_subject_and_extensions_are_ignored)
{
	struct fixture f;
	EVP_PKEY *key = EVP_EC_gen("P-256");
	char *csr = pt_make_csr(key, "root", EVP_sha256(), true);
	char *pem = NULL, id[PKI_INSTANCE_ID_LEN + 1];
	X509 *x;

	setup(&f);
	cr_assert_eq(sign(&f, csr, strlen(csr), ID, 30, &pem), PKI_OK, "%s", f.err);
	x = pt_cert_from_pem(pem);
	cr_assert_eq(X509_check_ca(x), 0);
	cr_assert_eq(X509_get_ext_by_NID(x, NID_subject_alt_name, -1), -1);
	cr_assert_eq(X509_NAME_entry_count(X509_get_subject_name(x)), 1);
	cr_assert_eq(pki_cert_instance_id(x, id), PKI_OK);
	cr_assert_str_eq(id, ID);
	X509_free(x);
	free(pem);
	free(csr);
	EVP_PKEY_free(key);
	teardown(&f);
}

Test(pki_csr, serials_differ_between_issues)
{
	enum { N = 16 };
	struct fixture f;
	char serials[N][PKI_SERIAL_HEX_SIZE];

	setup(&f);
	for (int i = 0; i < N; i++) {
		char *pem = NULL;

		cr_assert_eq(pki_sign_csr(f.ca, f.csr_pem, strlen(f.csr_pem), ID, 30, &pem,
					  serials[i], f.err, sizeof(f.err)), PKI_OK);
		cr_assert_gt(strlen(serials[i]), 16);
		for (int j = 0; j < i; j++)
			cr_assert_str_neq(serials[i], serials[j]);
		free(pem);
	}
	teardown(&f);
}

Test(pki_csr, a_flipped_signature_byte_is_refused)
{
	struct fixture f;
	unsigned char *der;
	long len;
	char *broken;

	setup(&f);
	der = pt_der(f.csr_pem, &len);
	cr_assert_not_null(der);
	der[len - 1] ^= 0x01; /* last byte of the signature's s value */
	broken = pt_pem("CERTIFICATE REQUEST", der, (size_t)len);
	cr_assert_eq(sign_text(&f, broken), PKI_E_CSR_SIGNATURE, "%s", f.err);
	cr_assert(strstr(f.err, "signature"), "%s", f.err);
	free(broken);
	der[len - 1] ^= 0x01;
	broken = pt_pem("CERTIFICATE REQUEST", der, (size_t)len);
	cr_assert_eq(sign_text(&f, broken), PKI_OK, "%s", f.err);
	free(broken);
	OPENSSL_free(der);
	teardown(&f);
}

Test(pki_csr, weak_signature_digest_is_refused)
{
	struct fixture f;
	EVP_PKEY *key = EVP_EC_gen("P-256");
	char *csr = pt_make_csr(key, "x", EVP_sha1(), false);

	setup(&f);
	cr_assert_eq(sign_text(&f, csr), PKI_E_CSR_SIGNATURE, "%s", f.err);
	free(csr);
	EVP_PKEY_free(key);
	teardown(&f);
}

Test(pki_csr, keys_other_than_p256_are_refused)
{
	struct fixture f;
	EVP_PKEY *rsa = EVP_RSA_gen(2048), *p384 = EVP_EC_gen("P-384");
	EVP_PKEY *ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	char *csr;

	setup(&f);
	cr_assert(rsa && p384 && ed);
	csr = pt_make_csr(rsa, "x", EVP_sha256(), false);
	cr_assert_eq(sign_text(&f, csr), PKI_E_CSR_KEY, "%s", f.err);
	free(csr);
	csr = pt_make_csr(p384, "x", EVP_sha256(), false);
	cr_assert_eq(sign_text(&f, csr), PKI_E_CSR_KEY, "%s", f.err);
	free(csr);
	csr = pt_make_csr(ed, "x", NULL, false);
	cr_assert_eq(sign_text(&f, csr), PKI_E_CSR_KEY, "%s", f.err);
	free(csr);
	EVP_PKEY_free(rsa);
	EVP_PKEY_free(p384);
	EVP_PKEY_free(ed);
	teardown(&f);
}

Test(pki_csr, oversized_csr_is_refused_without_being_read)
{
	struct fixture f;
	uint8_t *unreadable = test_unreadable_alloc(PKI_CSR_MAX + 1);
	char *at_cap = malloc(PKI_CSR_MAX);

	setup(&f);
	cr_assert_not_null(unreadable);
	cr_assert_eq(sign(&f, (const char *)unreadable, PKI_CSR_MAX + 1, ID, 30, NULL),
		     PKI_E_CSR_TOO_LARGE);
	cr_assert_eq(sign(&f, (const char *)unreadable, (size_t)-1, ID, 30, NULL),
		     PKI_E_CSR_TOO_LARGE);
	/* At the cap the text is read: a real CSR after lines of other text is fine. */
	memset(at_cap, '#', PKI_CSR_MAX);
	memcpy(at_cap + PKI_CSR_MAX - strlen(f.csr_pem), f.csr_pem, strlen(f.csr_pem));
	at_cap[PKI_CSR_MAX - strlen(f.csr_pem) - 1] = '\n';
	cr_assert_eq(sign(&f, at_cap, PKI_CSR_MAX, ID, 30, NULL), PKI_OK, "%s", f.err);
	test_unreadable_free(unreadable, PKI_CSR_MAX + 1);
	free(at_cap);
	teardown(&f);
}

Test(pki_csr, garbage_is_refused)
{
	static const char *const garbage[] = {
		"x", "hello world\n", "-----BEGIN CERTIFICATE REQUEST-----\n",
		"-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----\n",
		"-----BEGIN CERTIFICATE REQUEST-----\nMAA=\n-----END CERTIFICATE REQUEST-----\n",
	};
	struct fixture f;
	uint8_t *exact;
	unsigned char *der, *longer;
	char *pem, *two;
	long len;
	size_t n;

	setup(&f);
	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++)
		cr_assert_eq(sign_text(&f, garbage[i]), PKI_E_CSR_PARSE, "accepted %s", garbage[i]);
	cr_assert_eq(sign(&f, "", 0, ID, 30, NULL), PKI_E_CSR_PARSE);
	cr_assert_eq(sign(&f, NULL, 0, ID, 30, NULL), PKI_E_CSR_PARSE);

	/* truncated, from an exact-size buffer so ASan sees any over-read */
	n = strlen(f.csr_pem);
	exact = test_dup_exact(f.csr_pem, n - 40);
	cr_assert_eq(sign(&f, (const char *)exact, n - 40, ID, 30, NULL), PKI_E_CSR_PARSE);
	free(exact);
	exact = test_dup_exact(f.csr_pem, n);
	cr_assert_eq(sign(&f, (const char *)exact, n, ID, 30, NULL), PKI_OK, "%s", f.err);
	free(exact);

	/* a certificate is not a request */
	cr_assert_eq(sign(&f, f.csr_pem, n, ID, 30, &pem), PKI_OK);
	cr_assert_eq(sign_text(&f, pem), PKI_E_CSR_PARSE);
	free(pem);

	/* the request's DER under another label, with headers, twice, with a tail */
	der = pt_der(f.csr_pem, &len);
	pem = pt_pem("CERTIFICATE", der, (size_t)len);
	cr_assert_eq(sign_text(&f, pem), PKI_E_CSR_PARSE);
	free(pem);
	pem = pt_pem("NEW CERTIFICATE REQUEST", der, (size_t)len);
	cr_assert_eq(sign_text(&f, pem), PKI_OK, "%s", f.err);
	free(pem);
	{
		const char *begin = "-----BEGIN CERTIFICATE REQUEST-----\n";
		const char *hdr = "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,"
				  "00112233445566778899AABBCCDDEEFF\n\n";
		size_t cap = strlen(f.csr_pem) + strlen(hdr) + 1;
		char *with_hdr = malloc(cap);

		snprintf(with_hdr, cap, "%s%s%s", begin, hdr, f.csr_pem + strlen(begin));
		cr_assert_eq(sign_text(&f, with_hdr), PKI_E_CSR_PARSE, "%s", f.err);
		free(with_hdr);
	}
	two = malloc(2 * n + 1);
	memcpy(two, f.csr_pem, n);
	memcpy(two + n, f.csr_pem, n + 1);
	cr_assert_eq(sign_text(&f, two), PKI_E_CSR_PARSE);
	free(two);
	longer = malloc((size_t)len + 1);
	memcpy(longer, der, (size_t)len);
	longer[len] = 0;
	pem = pt_pem("CERTIFICATE REQUEST", longer, (size_t)len + 1);
	cr_assert_eq(sign_text(&f, pem), PKI_E_CSR_PARSE);
	free(pem);
	free(longer);
	OPENSSL_free(der);
	teardown(&f);
}

Test(pki_csr, bad_instance_ids_and_validities_are_refused)
{
	static const char *const bad[] = {
		"", "mi-", "mi-0123456789abcdef", "mi-0123456789abcdef01", "mi-0123456789ABCDEF0",
		"i-0123456789abcdef0", "MI-0123456789abcdef0", "mi_0123456789abcdef0",
		"mi-0123456789abcdefg", "mi-0123456789abcdef0\n", " mi-0123456789abcdef0",
		"mi-0123456789abcde f",
	};
	struct fixture f;
	size_t n;

	setup(&f);
	n = strlen(f.csr_pem);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert(!pki_instance_id_valid(bad[i]), "valid: \"%s\"", bad[i]);
		cr_assert_eq(sign(&f, f.csr_pem, n, bad[i], 30, NULL), PKI_E_INSTANCE_ID,
			     "signed for \"%s\"", bad[i]);
	}
	cr_assert(!pki_instance_id_valid(NULL));
	cr_assert_eq(sign(&f, f.csr_pem, n, NULL, 30, NULL), PKI_E_INSTANCE_ID);
	cr_assert(pki_instance_id_valid("mi-fedcba98765432100"));
	cr_assert_eq(sign(&f, f.csr_pem, n, ID, 0, NULL), PKI_E_INVALID_ARG);
	cr_assert_eq(sign(&f, f.csr_pem, n, ID, -5, NULL), PKI_E_INVALID_ARG);
	cr_assert_eq(sign(&f, f.csr_pem, n, ID, 3651, NULL), PKI_E_INVALID_ARG);
	cr_assert_eq(sign(&f, f.csr_pem, n, ID, 1, NULL), PKI_OK);
	cr_assert_eq(sign(&f, f.csr_pem, n, ID, 3650, NULL), PKI_OK);
	teardown(&f);
}

Test(pki_csr, instance_id_of_other_certificates_is_refused)
{
	static const char *const names[] = { "localhost" };
	struct fixture f;
	char id[PKI_INSTANCE_ID_LEN + 1] = "x", *cert_path, *key_path;
	X509 *x;

	setup(&f);
	cr_assert_eq(pki_cert_instance_id(pki_ca_cert(f.ca), id), PKI_E_INSTANCE_ID);
	cr_assert_str_eq(id, "");
	cert_path = pt_path(f.dir, "s.pem");
	key_path = pt_path(f.dir, "s-key.pem");
	cr_assert_eq(pki_issue_server_cert(f.ca, names, 1, cert_path, key_path, NULL, 0), PKI_OK);
	x = pt_cert_from_file(cert_path);
	cr_assert_eq(pki_cert_instance_id(x, id), PKI_E_INSTANCE_ID);
	X509_free(x);
	cr_assert_eq(pki_cert_instance_id(NULL, id), PKI_E_INSTANCE_ID);
	free(cert_path);
	free(key_path);
	teardown(&f);
}

Test(pki_csr, serial_hex_is_minimal_lower_case)
{
	static const struct { long v; const char *hex; } cases[] = {
		{ 0, "0" }, { 1, "1" }, { 0x0a, "a" }, { 0xab, "ab" }, { 0x100, "100" },
		{ 0x7fffffffL, "7fffffff" },
	};
	X509 *x = X509_new();
	char out[PKI_SERIAL_HEX_SIZE];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cr_assert_eq(ASN1_INTEGER_set(X509_get_serialNumber(x), cases[i].v), 1);
		cr_assert_eq(pki_cert_serial_hex(x, out), PKI_OK);
		cr_assert_str_eq(out, cases[i].hex);
	}
	cr_assert_eq(ASN1_INTEGER_set(X509_get_serialNumber(x), -5), 1);
	cr_assert_eq(pki_cert_serial_hex(x, out), PKI_E_INVALID_ARG);
	cr_assert_str_eq(out, "");
	X509_free(x);
}
