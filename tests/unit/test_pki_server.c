/*
 * test_pki_server.c — the broker's TLS server certificate (broker/pki_server.c).
 *
 * Covers: a certificate for 127.0.0.1, ::1 and localhost verifies against the
 * CA (X509_verify_cert, purpose sslserver, host and address checks) and with
 * `openssl verify` on the written files; its exact SANs (IP vs DNS), CN, key
 * usage, EKU, validity and file modes; pki_server_cert_matches true for the
 * same names in any order or case, false for a changed name set, another CA,
 * a missing or foreign key, damaged files and a certificate expiring within
 * 30 days; refused names write nothing; a failure to install the certificate
 * removes the new key; reissuing replaces both files.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "../../broker/pki.h"
#include "pki_test_util.h"

static const char *const loopback[] = { "127.0.0.1", "::1", "localhost" };
#define N_LOOPBACK (sizeof(loopback) / sizeof(loopback[0]))

struct fixture {
	char *dir, *cert_path, *key_path;
	struct pki_ca *ca;
	char err[512];
};

static void setup(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->dir = pt_tmpdir();
	f->cert_path = pt_path(f->dir, "server.pem");
	f->key_path = pt_path(f->dir, "server-key.pem");
	cr_assert_eq(pki_ca_load_or_create(f->dir, &f->ca, f->err, sizeof(f->err)), PKI_OK,
		     "%s", f->err);
}

static void teardown(struct fixture *f)
{
	pki_ca_free(f->ca);
	free(f->cert_path);
	free(f->key_path);
	pt_rmdir(f->dir);
}

static void issue(struct fixture *f, const char *const *names, size_t n)
{
	int rc = pki_issue_server_cert(f->ca, names, n, f->cert_path, f->key_path, f->err,
				       sizeof(f->err));

	cr_assert_eq(rc, PKI_OK, "%s: %s", pki_err_str(rc), f->err);
}

static bool matches(struct fixture *f, const char *const *names, size_t n)
{
	return pki_server_cert_matches(f->ca, f->cert_path, f->key_path, names, n);
}

Test(pki_server, certificate_verifies_against_the_ca_for_its_names)
{
	struct fixture f;
	X509 *x;
	X509 *ca;

	setup(&f);
	issue(&f, loopback, N_LOOPBACK);
	x = pt_cert_from_file(f.cert_path);
	cr_assert_not_null(x);
	ca = pki_ca_cert(f.ca);
	cr_assert_eq(pt_verify(ca, x, X509_PURPOSE_SSL_SERVER, NULL, NULL), X509_V_OK);
	cr_assert_eq(pt_verify(ca, x, X509_PURPOSE_SSL_SERVER, "localhost", NULL), X509_V_OK);
	cr_assert_eq(pt_verify(ca, x, X509_PURPOSE_SSL_SERVER, NULL, "127.0.0.1"), X509_V_OK);
	cr_assert_eq(pt_verify(ca, x, X509_PURPOSE_SSL_SERVER, NULL, "::1"), X509_V_OK);
	cr_assert_eq(pt_verify(ca, x, X509_PURPOSE_SSL_SERVER, "example.com", NULL),
		     X509_V_ERR_HOSTNAME_MISMATCH);
	cr_assert_eq(pt_verify(ca, x, X509_PURPOSE_SSL_SERVER, NULL, "10.0.0.1"),
		     X509_V_ERR_IP_ADDRESS_MISMATCH);
	/* An address is not also a DNS name, nor the other way round. */
	cr_assert_eq(pt_verify(ca, x, X509_PURPOSE_SSL_SERVER, "127.0.0.1", NULL),
		     X509_V_ERR_HOSTNAME_MISMATCH);
	cr_assert_neq(pt_verify(ca, x, X509_PURPOSE_SSL_CLIENT, NULL, NULL), X509_V_OK);
	X509_free(x);
	teardown(&f);
}

Test(pki_server, certificate_carries_exactly_the_given_names)
{
	static const unsigned char v4[4] = { 127, 0, 0, 1 };
	static const unsigned char v6[16] = { [15] = 1 };
	struct fixture f;
	GENERAL_NAMES *gens;
	const ASN1_STRING *v;
	int type, days = 0, secs = 0;
	char cn[64];
	X509 *x;

	setup(&f);
	issue(&f, loopback, N_LOOPBACK);
	x = pt_cert_from_file(f.cert_path);
	cr_assert_not_null(x);
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	cr_assert_not_null(gens);
	cr_assert_eq(sk_GENERAL_NAME_num(gens), 3);
	v = GENERAL_NAME_get0_value(sk_GENERAL_NAME_value(gens, 0), &type);
	cr_assert_eq(type, GEN_IPADD);
	cr_assert_eq(ASN1_STRING_length(v), 4);
	cr_assert_arr_eq(ASN1_STRING_get0_data(v), v4, 4);
	v = GENERAL_NAME_get0_value(sk_GENERAL_NAME_value(gens, 1), &type);
	cr_assert_eq(type, GEN_IPADD);
	cr_assert_eq(ASN1_STRING_length(v), 16);
	cr_assert_arr_eq(ASN1_STRING_get0_data(v), v6, 16);
	v = GENERAL_NAME_get0_value(sk_GENERAL_NAME_value(gens, 2), &type);
	cr_assert_eq(type, GEN_DNS);
	cr_assert_eq(ASN1_STRING_length(v), 9);
	cr_assert_arr_eq(ASN1_STRING_get0_data(v), "localhost", 9);
	GENERAL_NAMES_free(gens);

	cr_assert_gt(X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn,
					       sizeof(cn)), 0);
	cr_assert_str_eq(cn, "127.0.0.1");
	cr_assert_eq(X509_NAME_cmp(X509_get_issuer_name(x),
				   X509_get_subject_name(pki_ca_cert(f.ca))), 0);
	cr_assert_eq(X509_get_extended_key_usage(x), XKU_SSL_SERVER);
	cr_assert_eq(X509_get_key_usage(x), KU_DIGITAL_SIGNATURE);
	cr_assert_eq(pt_ext_critical(x, NID_key_usage), 1);
	cr_assert_eq(X509_check_ca(x), 0);
	cr_assert_not_null(X509_get0_authority_key_id(x));
	cr_assert_eq(X509_get_signature_nid(x), NID_ecdsa_with_SHA256);
	cr_assert_eq(ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(x), X509_get0_notAfter(x)),
		     1);
	cr_assert(days == PKI_SERVER_CERT_DAYS && secs >= 300 && secs <= 301, "%d d %d s", days,
		  secs);
	X509_free(x);
	teardown(&f);
}

Test(pki_server, key_file_is_private_and_fits_the_certificate)
{
	struct fixture f;
	EVP_PKEY *key;
	X509 *x;

	setup(&f);
	umask(0);
	issue(&f, loopback, N_LOOPBACK);
	cr_assert_eq(pt_mode(f.key_path), 0600);
	cr_assert_eq(pt_mode(f.cert_path), 0644);
	cr_assert_eq(pt_count_entries(f.dir), 4, "temporary files left behind");
	key = pt_key_from_file(f.key_path);
	x = pt_cert_from_file(f.cert_path);
	cr_assert_not_null(key);
	cr_assert_not_null(x);
	cr_assert(EVP_PKEY_is_a(key, "EC"));
	cr_assert_eq(EVP_PKEY_get_bits(key), 256);
	cr_assert_eq(X509_check_private_key(x, key), 1);
	EVP_PKEY_free(key);
	X509_free(x);
	teardown(&f);
}

Test(pki_server, openssl_verify_accepts_the_written_files)
{
	struct fixture f, other;
	char *ca_path, *other_ca_path;

	setup(&f);
	setup(&other);
	issue(&f, loopback, N_LOOPBACK);
	ca_path = pt_path(f.dir, "ca.pem");
	other_ca_path = pt_path(other.dir, "ca.pem");
	{
		const char *const plain[] = { "openssl", "verify", "-CAfile", ca_path,
					      f.cert_path, NULL };
		const char *const host[] = { "openssl", "verify", "-CAfile", ca_path, "-purpose",
					     "sslserver", "-verify_hostname", "localhost",
					     f.cert_path, NULL };
		const char *const ip[] = { "openssl", "verify", "-CAfile", ca_path, "-purpose",
					   "sslserver", "-verify_ip", "::1", f.cert_path, NULL };
		const char *const wrong_ca[] = { "openssl", "verify", "-CAfile", other_ca_path,
						 f.cert_path, NULL };

		cr_assert_eq(pt_run(plain), 0);
		cr_assert_eq(pt_run(host), 0);
		cr_assert_eq(pt_run(ip), 0);
		cr_assert_gt(pt_run(wrong_ca), 0, "openssl verify accepted another CA");
	}
	free(ca_path);
	free(other_ca_path);
	teardown(&other);
	teardown(&f);
}

Test(pki_server, matches_the_same_names_in_any_order_or_case)
{
	static const char *const reordered[] = { "LocalHost", "::1", "127.0.0.1" };
	static const char *const spelled[] = { "0:0:0:0:0:0:0:1", "localhost", "127.0.0.1",
					       "localhost" };
	struct fixture f;

	setup(&f);
	issue(&f, loopback, N_LOOPBACK);
	cr_assert(matches(&f, loopback, N_LOOPBACK));
	cr_assert(matches(&f, reordered, 3));
	cr_assert(matches(&f, spelled, 4));
	teardown(&f);
}

Test(pki_server, does_not_match_other_names)
{
	static const char *const fewer[] = { "127.0.0.1", "localhost" };
	static const char *const more[] = { "127.0.0.1", "::1", "localhost", "broker.example" };
	static const char *const other_ip[] = { "127.0.0.2", "::1", "localhost" };
	static const char *const bad[] = { "127.0.0.1", "::1", "local host" };
	struct fixture f;

	setup(&f);
	issue(&f, loopback, N_LOOPBACK);
	cr_assert(!matches(&f, fewer, 2));
	cr_assert(!matches(&f, more, 4));
	cr_assert(!matches(&f, other_ip, 3));
	cr_assert(!matches(&f, bad, 3));
	cr_assert(!matches(&f, loopback, 0));
	cr_assert(!matches(&f, NULL, 3));
	teardown(&f);
}

Test(pki_server, does_not_match_another_ca_or_broken_files)
{
	struct fixture f, other;
	char *foreign_key, *pem;
	size_t len;

	setup(&f);
	setup(&other);
	issue(&f, loopback, N_LOOPBACK);
	issue(&other, loopback, N_LOOPBACK);
	cr_assert(!pki_server_cert_matches(other.ca, f.cert_path, f.key_path, loopback,
					   N_LOOPBACK));

	/* the other broker's key beside our certificate */
	foreign_key = pt_read(other.key_path, &len);
	pem = pt_read(f.key_path, NULL);
	pt_write(f.key_path, foreign_key, len);
	cr_assert(!matches(&f, loopback, N_LOOPBACK));
	pt_write(f.key_path, pem, strlen(pem));
	cr_assert(matches(&f, loopback, N_LOOPBACK));
	free(pem);

	pem = pt_read(f.cert_path, &len);
	pt_write(f.cert_path, pem, len / 2);
	cr_assert(!matches(&f, loopback, N_LOOPBACK));
	pt_write(f.cert_path, pem, len);
	cr_assert(matches(&f, loopback, N_LOOPBACK));

	cr_assert_eq(unlink(f.key_path), 0);
	cr_assert(!matches(&f, loopback, N_LOOPBACK));
	cr_assert_eq(unlink(f.cert_path), 0);
	cr_assert(!matches(&f, loopback, N_LOOPBACK));
	free(pem);
	free(foreign_key);
	teardown(&other);
	teardown(&f);
}

/* A certificate with the right names from the right CA, valid for days more. */
static void plant_cert(struct fixture *f, int days)
{
	char *ca_key_path = pt_path(f->dir, "ca-key.pem");
	EVP_PKEY *ca_key = pt_key_from_file(ca_key_path);
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *x;
	char *pem;
	BIO *b = BIO_new(BIO_s_mem());
	char *data;
	long n;

	cr_assert(ca_key && key && b);
	x = pt_make_server_cert(pki_ca_cert(f->ca), ca_key, key, days);
	pem = pt_cert_pem(x);
	pt_write(f->cert_path, pem, strlen(pem));
	cr_assert_eq(PEM_write_bio_PrivateKey(b, key, NULL, NULL, 0, NULL, NULL), 1);
	n = BIO_get_mem_data(b, &data);
	pt_write(f->key_path, data, (size_t)n);
	BIO_free(b);
	free(pem);
	X509_free(x);
	EVP_PKEY_free(key);
	EVP_PKEY_free(ca_key);
	free(ca_key_path);
}

Test(pki_server, does_not_match_a_certificate_expiring_within_30_days)
{
	struct fixture f;

	setup(&f);
	plant_cert(&f, 60);
	cr_assert(matches(&f, loopback, N_LOOPBACK), "the planted certificate is not usable");
	plant_cert(&f, PKI_RENEW_BEFORE_DAYS - 1);
	cr_assert(!matches(&f, loopback, N_LOOPBACK));
	plant_cert(&f, -1);
	cr_assert(!matches(&f, loopback, N_LOOPBACK));
	teardown(&f);
}

Test(pki_server, refuses_bad_names_and_writes_nothing)
{
	static const char long_label[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.x";
	static const char cn_too_long[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bbbbbbbbbbbbbbbb";
	static const char *const bad[] = {
		"", "local host", "a,DNS:evil.example", "bad..name", ".lead", "trail.", "-",
		"fe80::1%eth0", "1.2.3.4/32", "name\n", "caf\xc3\xa9.example", "*", "a.*.b",
		"-lead.example", "trail-.example", "x.-y", long_label,
	};
	char big[300];
	struct fixture f;

	setup(&f);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *names[2] = { "localhost", bad[i] };

		cr_assert_eq(pki_issue_server_cert(f.ca, names, 2, f.cert_path, f.key_path, f.err,
						   sizeof(f.err)), PKI_E_NAME, "accepted \"%s\"", bad[i]);
	}
	{
		const char *first_too_long[] = { cn_too_long, "localhost" };
		const char *huge[] = { big };
		const char *with_null[] = { "localhost", NULL };
		const char *many[PKI_MAX_NAMES + 1];

		for (size_t i = 0; i < PKI_MAX_NAMES + 1; i++)
			many[i] = "localhost";
		cr_assert_eq(pki_issue_server_cert(f.ca, many, PKI_MAX_NAMES + 1, f.cert_path,
						   f.key_path, NULL, 0), PKI_E_NAME);
		cr_assert_eq(pki_issue_server_cert(f.ca, many, PKI_MAX_NAMES, f.cert_path,
						   f.key_path, NULL, 0), PKI_OK);
		cr_assert_eq(unlink(f.cert_path), 0);
		cr_assert_eq(unlink(f.key_path), 0);
		cr_assert_eq(pki_issue_server_cert(f.ca, first_too_long, 2, f.cert_path,
						   f.key_path, f.err, sizeof(f.err)), PKI_E_NAME,
			     "%s", f.err);
		cr_assert_eq(pki_issue_server_cert(f.ca, huge, 1, f.cert_path, f.key_path, NULL, 0),
			     PKI_E_NAME);
		cr_assert_eq(pki_issue_server_cert(f.ca, with_null, 2, f.cert_path, f.key_path,
						   NULL, 0), PKI_E_NAME);
		cr_assert_eq(pki_issue_server_cert(f.ca, loopback, 0, f.cert_path, f.key_path,
						   NULL, 0), PKI_E_NAME);
		cr_assert_eq(pki_issue_server_cert(f.ca, NULL, 1, f.cert_path, f.key_path,
						   NULL, 0), PKI_E_NAME);
	}
	cr_assert(!pt_exists(f.cert_path));
	cr_assert(!pt_exists(f.key_path));
	cr_assert_eq(pt_count_entries(f.dir), 2);
	teardown(&f);
}

Test(pki_server, accepts_wildcards_underscores_and_long_labels)
{
	static const char label63[] =
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example";
	static const char *const names[] = { "broker.example", "*.agents.example",
					     "under_score.local", "10.1.2.3", "2001:db8::7",
					     label63 };
	struct fixture f;

	setup(&f);
	issue(&f, names, 6);
	cr_assert(matches(&f, names, 6));
	teardown(&f);
}

Test(pki_server, failing_to_install_the_certificate_removes_the_new_key)
{
	struct fixture f;
	char *missing_dir_cert;

	setup(&f);
	/* The certificate cannot even be staged: nothing at all is written. */
	missing_dir_cert = pt_path(f.dir, "no-such-dir/server.pem");
	cr_assert_eq(pki_issue_server_cert(f.ca, loopback, N_LOOPBACK, missing_dir_cert,
					   f.key_path, f.err, sizeof(f.err)), PKI_E_IO);
	cr_assert(strstr(f.err, "no-such-dir"), "%s", f.err);
	cr_assert(!pt_exists(f.key_path));
	cr_assert_eq(pt_count_entries(f.dir), 2);

	/* Staged, the key installed, then the rename onto a directory fails. */
	cr_assert_eq(mkdir(f.cert_path, 0755), 0);
	cr_assert_eq(pki_issue_server_cert(f.ca, loopback, N_LOOPBACK, f.cert_path, f.key_path,
					   f.err, sizeof(f.err)), PKI_E_IO);
	cr_assert(!pt_exists(f.key_path), "the new key was left without its certificate");
	cr_assert_eq(pt_count_entries(f.dir), 3); /* ca.pem, ca-key.pem, the directory */
	cr_assert_eq(rmdir(f.cert_path), 0);
	free(missing_dir_cert);
	teardown(&f);
}

Test(pki_server, reissuing_replaces_both_files)
{
	static const char *const moved[] = { "broker.example", "192.0.2.10" };
	struct fixture f;
	char *old_key, *new_key;

	setup(&f);
	issue(&f, loopback, N_LOOPBACK);
	old_key = pt_read(f.key_path, NULL);
	issue(&f, moved, 2);
	new_key = pt_read(f.key_path, NULL);
	cr_assert_str_neq(old_key, new_key);
	cr_assert(matches(&f, moved, 2));
	cr_assert(!matches(&f, loopback, N_LOOPBACK));
	cr_assert_eq(pt_count_entries(f.dir), 4);
	free(old_key);
	free(new_key);
	teardown(&f);
}
