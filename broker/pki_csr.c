/*
 * pki_csr.c — checking an agent's certificate signing request as it arrives
 * from the network, in memory only (no files, no CA): size cap, one PEM block,
 * strict DER, version, P-256 public key, self-signature. Also the instance-id
 * syntax. This file and pki_err.c are all the CSR fuzz target links.
 */
#include "pki_impl.h"

#include <string.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

bool pki_instance_id_valid(const char *id)
{
	if (!id || strncmp(id, "mi-", 3) != 0)
		return false;
	for (int i = 3; i < PKI_INSTANCE_ID_LEN; i++) {
		char c = id[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false; /* also stops at a NUL before 17 digits */
	}
	return id[PKI_INSTANCE_ID_LEN] == '\0';
}

bool pki_key_is_p256(const EVP_PKEY *key)
{
	char group[64], encoding[32];
	size_t len = 0;
	int nid;

	if (!key || !EVP_PKEY_is_a(key, "EC"))
		return false;
	if (EVP_PKEY_get_group_name(key, group, sizeof(group), &len) != 1)
		return false;
	nid = OBJ_sn2nid(group);
	if (nid == NID_undef)
		nid = EC_curve_nist2nid(group);
	if (nid != NID_X9_62_prime256v1)
		return false;
	/* Explicit curve parameters are refused even when they spell out P-256. */
	if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_EC_ENCODING, encoding,
					   sizeof(encoding), NULL) != 1)
		return false;
	return strcmp(encoding, OSSL_PKEY_EC_ENCODING_GROUP) == 0;
}

static bool public_key_sound(EVP_PKEY *key)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
	bool ok = ctx && EVP_PKEY_public_check(ctx) == 1;

	EVP_PKEY_CTX_free(ctx);
	return ok;
}

static bool strong_signature(const X509_REQ *req)
{
	switch (X509_REQ_get_signature_nid(req)) {
	case NID_ecdsa_with_SHA256: case NID_ecdsa_with_SHA384: case NID_ecdsa_with_SHA512:
		return true;
	}
	return false;
}

/* Exactly one PEM block named CERTIFICATE REQUEST, without headers; its DER
 * must decode to a request using every byte. */
static int decode_pem(BIO *bio, X509_REQ **out, char *err, size_t errlen)
{
	char *name = NULL, *header = NULL, *name2 = NULL, *header2 = NULL;
	unsigned char *der = NULL, *der2 = NULL;
	const unsigned char *p;
	long der_len = 0, len2 = 0;
	int rc = PKI_E_CSR_PARSE;

	*out = NULL;
	if (PEM_read_bio(bio, &name, &header, &der, &der_len) != 1) {
		rc = pki_fail(err, errlen, rc, "CSR is not PEM");
		goto cleanup;
	}
	if (strcmp(name, PEM_STRING_X509_REQ) != 0 && strcmp(name, PEM_STRING_X509_REQ_OLD) != 0) {
		rc = pki_fail(err, errlen, rc, "CSR PEM block is not a certificate request");
		goto cleanup;
	}
	if (header[0] != '\0') {
		rc = pki_fail(err, errlen, rc, "CSR PEM block has headers");
		goto cleanup;
	}
	if (PEM_read_bio(bio, &name2, &header2, &der2, &len2) == 1) {
		rc = pki_fail(err, errlen, rc, "CSR text holds more than one PEM block");
		goto cleanup;
	}
	ERR_clear_error(); /* "no start line" from looking for a second block */
	p = der;
	*out = d2i_X509_REQ(NULL, &p, der_len);
	if (!*out) {
		rc = pki_fail(err, errlen, rc, "CSR DER does not decode");
		goto cleanup;
	}
	if (p != der + der_len) {
		X509_REQ_free(*out);
		*out = NULL;
		rc = pki_fail(err, errlen, rc, "CSR DER has trailing bytes");
		goto cleanup;
	}
	rc = PKI_OK;
cleanup:
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(der);
	OPENSSL_free(name2);
	OPENSSL_free(header2);
	OPENSSL_free(der2);
	return rc;
}

int pki_csr_parse(const char *pem, size_t len, EVP_PKEY **key_out, char *err, size_t errlen)
{
	X509_REQ *req = NULL;
	EVP_PKEY *key;
	BIO *bio = NULL;
	int rc;

	if (key_out)
		*key_out = NULL;
	if (!key_out || (!pem && len))
		return pki_fail(err, errlen, PKI_E_INVALID_ARG, "CSR: bad arguments");
	/* The cap comes first: nothing of an oversized request is read. */
	if (len > PKI_CSR_MAX)
		return pki_fail(err, errlen, PKI_E_CSR_TOO_LARGE,
				"CSR of %zu bytes is over the %d-byte limit", len, PKI_CSR_MAX);
	if (len == 0)
		return pki_fail(err, errlen, PKI_E_CSR_PARSE, "CSR is empty");
	ERR_clear_error();
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio) {
		rc = pki_fail(err, errlen, PKI_E_NOMEM, "CSR: cannot allocate");
		goto cleanup;
	}
	rc = decode_pem(bio, &req, err, errlen);
	if (rc != PKI_OK)
		goto cleanup;
	if (X509_REQ_get_version(req) != X509_REQ_VERSION_1) {
		rc = pki_fail(err, errlen, PKI_E_CSR_PARSE, "CSR version is not 1");
		goto cleanup;
	}
	key = X509_REQ_get0_pubkey(req);
	if (!pki_key_is_p256(key) || !public_key_sound(key)) {
		rc = pki_fail(err, errlen, PKI_E_CSR_KEY, "CSR public key is not an EC P-256 key");
		goto cleanup;
	}
	if (!strong_signature(req) || X509_REQ_verify(req, key) != 1) {
		rc = pki_fail(err, errlen, PKI_E_CSR_SIGNATURE,
			      "CSR signature does not verify with its public key");
		goto cleanup;
	}
	if (!EVP_PKEY_up_ref(key)) {
		rc = pki_fail(err, errlen, PKI_E_CRYPTO, "CSR: cannot reference its key");
		goto cleanup;
	}
	*key_out = key;
	rc = PKI_OK;
cleanup:
	X509_REQ_free(req);
	BIO_free(bio);
	return rc;
}
