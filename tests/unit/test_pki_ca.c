/*
 * test_pki_ca.c — the broker's CA files (broker/pki_ca.c, atomic_file.c).
 *
 * Covers: first start creates ca.pem (0644) and ca-key.pem (0600) whatever the
 * umask, with nothing else left in the directory; the CA certificate's subject,
 * extensions, validity and serial; a second start loads the same certificate;
 * a damaged or foreign ca-key.pem, a damaged ca.pem, a ca.pem that is not a CA
 * and a missing half are clear errors that leave the files as they were; a
 * missing directory is an I/O error; error names.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/x509v3.h>

#include "../../broker/pki.h"
#include "pki_test_util.h"

struct fixture {
	char *dir, *cert_path, *key_path;
	struct pki_ca *ca;
	char err[512];
};

static void setup(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->dir = pt_tmpdir();
	f->cert_path = pt_path(f->dir, "ca.pem");
	f->key_path = pt_path(f->dir, "ca-key.pem");
}

static void teardown(struct fixture *f)
{
	pki_ca_free(f->ca);
	free(f->cert_path);
	free(f->key_path);
	pt_rmdir(f->dir);
}

static void create(struct fixture *f)
{
	int rc = pki_ca_load_or_create(f->dir, &f->ca, f->err, sizeof(f->err));

	cr_assert_eq(rc, PKI_OK, "create: %s (%s)", pki_err_str(rc), f->err);
	cr_assert_not_null(f->ca);
}

/* Load must fail with want, say which file, and leave both files as they were. */
static void expect_load_error(struct fixture *f, int want, const char *file_named)
{
	char *cert_before = pt_read(f->cert_path, NULL), *key_before = pt_read(f->key_path, NULL);
	struct pki_ca *ca = (struct pki_ca *)1;
	int rc = pki_ca_load_or_create(f->dir, &ca, f->err, sizeof(f->err));
	char *cert_after = pt_read(f->cert_path, NULL), *key_after = pt_read(f->key_path, NULL);

	cr_assert_eq(rc, want, "got %s (%s)", pki_err_str(rc), f->err);
	cr_assert_null(ca);
	cr_assert(strstr(f->err, file_named), "error does not name %s: %s", file_named, f->err);
	cr_assert_eq(cert_before == NULL, cert_after == NULL);
	cr_assert_eq(key_before == NULL, key_after == NULL);
	if (cert_before)
		cr_assert_str_eq(cert_before, cert_after);
	if (key_before)
		cr_assert_str_eq(key_before, key_after);
	free(cert_before);
	free(key_before);
	free(cert_after);
	free(key_after);
}

Test(pki_ca, create_then_reload_gives_the_same_certificate)
{
	struct fixture f;
	struct pki_ca *again = NULL;
	X509 *on_disk;

	setup(&f);
	create(&f);
	on_disk = pt_cert_from_file(f.cert_path);
	cr_assert_not_null(on_disk);
	cr_assert_eq(X509_cmp(on_disk, pki_ca_cert(f.ca)), 0);
	cr_assert_eq(pki_ca_load_or_create(f.dir, &again, f.err, sizeof(f.err)), PKI_OK, "%s",
		     f.err);
	cr_assert_eq(X509_cmp(pki_ca_cert(again), pki_ca_cert(f.ca)), 0);
	cr_assert_eq(pt_count_entries(f.dir), 2);
	pki_ca_free(again);
	X509_free(on_disk);
	teardown(&f);
}

Test(pki_ca, certificate_is_a_p256_ca_for_ten_years)
{
	struct fixture f;
	X509 *x;
	char cn[128];
	BASIC_CONSTRAINTS *bc;
	int crit = -1, days = 0, secs = 0;
	const ASN1_INTEGER *serial;
	char serial_hex[PKI_SERIAL_HEX_SIZE];
	EVP_PKEY *key;

	setup(&f);
	create(&f);
	x = pki_ca_cert(f.ca);
	cr_assert_gt(X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn,
					       sizeof(cn)), 0);
	cr_assert_eq(strncmp(cn, "postern CA ", 11), 0, "%s", cn);
	cr_assert_eq(strlen(cn), 11 + 8);
	cr_assert_eq(X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)), 0);
	cr_assert_eq(X509_check_ca(x), 1);
	bc = X509_get_ext_d2i(x, NID_basic_constraints, &crit, NULL);
	cr_assert_not_null(bc);
	cr_assert_eq(crit, 1);
	cr_assert(bc->ca);
	cr_assert_eq(ASN1_INTEGER_get(bc->pathlen), 0);
	BASIC_CONSTRAINTS_free(bc);
	cr_assert_eq(X509_get_key_usage(x), KU_KEY_CERT_SIGN | KU_CRL_SIGN);
	cr_assert_eq(pt_ext_critical(x, NID_key_usage), 1);
	cr_assert_not_null(X509_get0_subject_key_id(x));
	cr_assert_eq(X509_get_signature_nid(x), NID_ecdsa_with_SHA256);
	key = X509_get0_pubkey(x);
	cr_assert(EVP_PKEY_is_a(key, "EC"));
	cr_assert_eq(EVP_PKEY_get_bits(key), 256);
	cr_assert_eq(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x), X509_get0_notAfter(x)),
		     1);
	/* backdated 5 minutes for clock skew; the two clock reads may straddle a second */
	cr_assert(days == PKI_CA_DAYS && secs >= 300 && secs <= 301, "validity %d days %d s",
		  days, secs);
	serial = X509_get0_serialNumber(x);
	cr_assert_eq(ASN1_STRING_type(serial), V_ASN1_INTEGER); /* positive */
	cr_assert_leq(ASN1_STRING_length(serial), 16);
	cr_assert_eq(pki_cert_serial_hex(x, serial_hex), PKI_OK);
	cr_assert_gt(strlen(serial_hex), 16); /* 2^-64 chance of a false failure */
	cr_assert_eq(X509_verify(x, key), 1);
	teardown(&f);
}

Test(pki_ca, files_get_exact_modes_whatever_the_umask)
{
	static const mode_t masks[] = { 077, 0, 022 };

	for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		struct fixture f;
		mode_t old = umask(masks[i]);

		setup(&f);
		create(&f);
		umask(old);
		cr_assert_eq(pt_mode(f.key_path), 0600, "umask %03o: key mode %03o",
			     (unsigned)masks[i], (unsigned)pt_mode(f.key_path));
		cr_assert_eq(pt_mode(f.cert_path), 0644, "umask %03o: cert mode %03o",
			     (unsigned)masks[i], (unsigned)pt_mode(f.cert_path));
		cr_assert_eq(pt_count_entries(f.dir), 2, "temporary files left behind");
		teardown(&f);
	}
}

Test(pki_ca, damaged_key_is_an_error_and_not_replaced)
{
	static const char garbage[] = "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n"
				      "-----END PRIVATE KEY-----\n";
	struct fixture f;

	setup(&f);
	create(&f);
	pki_ca_free(f.ca);
	f.ca = NULL;
	pt_write(f.key_path, garbage, strlen(garbage));
	expect_load_error(&f, PKI_E_CA_KEY, "ca-key.pem");
	pt_write(f.key_path, "", 0);
	expect_load_error(&f, PKI_E_CA_KEY, "ca-key.pem");
	teardown(&f);
}

Test(pki_ca, foreign_key_is_a_mismatch_and_not_replaced)
{
	struct fixture f, other;
	char *foreign;
	size_t len;

	setup(&f);
	setup(&other);
	create(&f);
	create(&other);
	pki_ca_free(f.ca);
	f.ca = NULL;
	foreign = pt_read(other.key_path, &len);
	pt_write(f.key_path, foreign, len);
	expect_load_error(&f, PKI_E_CA_MISMATCH, "ca-key.pem");
	cr_assert(strstr(f.err, "ca.pem"));
	free(foreign);
	teardown(&other);
	teardown(&f);
}

Test(pki_ca, damaged_certificate_is_an_error)
{
	struct fixture f;
	char *pem;
	size_t len;

	setup(&f);
	create(&f);
	pki_ca_free(f.ca);
	f.ca = NULL;
	pem = pt_read(f.cert_path, &len);
	pt_write(f.cert_path, pem, len / 2); /* truncated */
	expect_load_error(&f, PKI_E_CA_CERT, "ca.pem");
	free(pem);
	teardown(&f);
}

Test(pki_ca, a_leaf_certificate_is_not_a_ca)
{
	static const char *const names[] = { "localhost" };
	struct fixture f;
	char *leaf_cert, *leaf_key;

	setup(&f);
	create(&f);
	leaf_cert = pt_path(f.dir, "leaf.pem");
	leaf_key = pt_path(f.dir, "leaf-key.pem");
	cr_assert_eq(pki_issue_server_cert(f.ca, names, 1, leaf_cert, leaf_key, f.err,
					   sizeof(f.err)), PKI_OK, "%s", f.err);
	pki_ca_free(f.ca);
	f.ca = NULL;
	cr_assert_eq(rename(leaf_cert, f.cert_path), 0);
	cr_assert_eq(rename(leaf_key, f.key_path), 0);
	expect_load_error(&f, PKI_E_CA_CERT, "ca.pem");
	free(leaf_cert);
	free(leaf_key);
	teardown(&f);
}

Test(pki_ca, one_missing_file_is_an_error_and_nothing_is_created)
{
	struct fixture f;

	setup(&f);
	create(&f);
	pki_ca_free(f.ca);
	f.ca = NULL;
	cr_assert_eq(unlink(f.cert_path), 0);
	expect_load_error(&f, PKI_E_CA_INCOMPLETE, "ca-key.pem");
	cr_assert(!pt_exists(f.cert_path));
	cr_assert_eq(pt_count_entries(f.dir), 1);
	teardown(&f);

	setup(&f);
	create(&f);
	pki_ca_free(f.ca);
	f.ca = NULL;
	cr_assert_eq(unlink(f.key_path), 0);
	expect_load_error(&f, PKI_E_CA_INCOMPLETE, "ca.pem");
	cr_assert(!pt_exists(f.key_path));
	cr_assert_eq(pt_count_entries(f.dir), 1);
	teardown(&f);
}

Test(pki_ca, missing_directory_is_an_io_error)
{
	struct fixture f;
	char *gone;
	struct pki_ca *ca = NULL;

	setup(&f);
	gone = pt_path(f.dir, "not-there");
	cr_assert_eq(pki_ca_load_or_create(gone, &ca, f.err, sizeof(f.err)), PKI_E_IO);
	cr_assert_null(ca);
	cr_assert(strstr(f.err, "not-there"), "%s", f.err);
	cr_assert_eq(pt_count_entries(f.dir), 0);
	cr_assert_eq(pki_ca_load_or_create(NULL, &ca, NULL, 0), PKI_E_INVALID_ARG);
	free(gone);
	teardown(&f);
}

Test(pki_ca, error_names_are_distinct)
{
	static const int codes[] = {
		PKI_OK, PKI_E_NOMEM, PKI_E_INVALID_ARG, PKI_E_IO, PKI_E_CRYPTO,
		PKI_E_CA_INCOMPLETE, PKI_E_CA_CERT, PKI_E_CA_KEY, PKI_E_CA_MISMATCH, PKI_E_NAME,
		PKI_E_CSR_TOO_LARGE, PKI_E_CSR_PARSE, PKI_E_CSR_SIGNATURE, PKI_E_CSR_KEY,
		PKI_E_INSTANCE_ID,
	};
	size_t n = sizeof(codes) / sizeof(codes[0]);

	for (size_t i = 0; i < n; i++) {
		cr_assert_str_neq(pki_err_str(codes[i]), "unknown");
		for (size_t j = i + 1; j < n; j++)
			cr_assert_str_neq(pki_err_str(codes[i]), pki_err_str(codes[j]));
	}
	cr_assert_str_eq(pki_err_str(12345), "unknown");
}
