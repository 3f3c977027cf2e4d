/*
 * pki_agent.c — agents' client certificates: issue one from a checked CSR at
 * registration, and read back the instance id and serial of a certificate an
 * agent presents.
 */
#include "pki_impl.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#define AGENT_MAX_DAYS 3650
#define SERIAL_MAX_BYTES 20 /* RFC 5280 §4.1.2.2 */

int pki_cert_serial_hex(const X509 *cert, char out[PKI_SERIAL_HEX_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	const ASN1_INTEGER *serial;
	const unsigned char *b;
	size_t n, o = 0;

	out[0] = '\0';
	serial = cert ? X509_get0_serialNumber(cert) : NULL;
	if (!serial || ASN1_STRING_type(serial) != V_ASN1_INTEGER)
		return PKI_E_INVALID_ARG; /* absent or negative */
	b = ASN1_STRING_get0_data(serial);
	n = (size_t)ASN1_STRING_length(serial);
	while (n > 0 && b[0] == 0) {
		b++;
		n--;
	}
	if (n > SERIAL_MAX_BYTES)
		return PKI_E_INVALID_ARG;
	for (size_t i = 0; i < n; i++) {
		if (o > 0 || (b[i] >> 4) != 0)
			out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 0xf];
	}
	if (o == 0)
		out[o++] = '0';
	out[o] = '\0';
	return PKI_OK;
}

int pki_cert_instance_id(const X509 *cert, char out[PKI_INSTANCE_ID_LEN + 1])
{
	const X509_NAME *subject = cert ? X509_get_subject_name(cert) : NULL;
	const ASN1_STRING *cn;
	int idx, type;

	out[0] = '\0';
	if (!subject)
		return PKI_E_INSTANCE_ID;
	idx = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
	if (idx < 0 || X509_NAME_get_index_by_NID(subject, NID_commonName, idx) >= 0)
		return PKI_E_INSTANCE_ID; /* none, or more than one */
	cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, idx));
	if (!cn)
		return PKI_E_INSTANCE_ID;
	type = ASN1_STRING_type(cn);
	if ((type != V_ASN1_UTF8STRING && type != V_ASN1_PRINTABLESTRING &&
	     type != V_ASN1_IA5STRING) || ASN1_STRING_length(cn) != PKI_INSTANCE_ID_LEN)
		return PKI_E_INSTANCE_ID;
	memcpy(out, ASN1_STRING_get0_data(cn), PKI_INSTANCE_ID_LEN);
	out[PKI_INSTANCE_ID_LEN] = '\0';
	if (!pki_instance_id_valid(out)) {
		out[0] = '\0';
		return PKI_E_INSTANCE_ID;
	}
	return PKI_OK;
}

static int make_agent_cert(const struct pki_ca *ca, EVP_PKEY *pub, const char *instance_id,
			   int days, X509 **out, char *err, size_t errlen)
{
	static const struct { int nid; const char *value; } exts[] = {
		{ NID_basic_constraints, "critical,CA:FALSE" },
		{ NID_key_usage, "critical,digitalSignature" },
		{ NID_ext_key_usage, "clientAuth" },
		{ NID_subject_key_identifier, "hash" },
		{ NID_authority_key_identifier, "keyid:always" },
	};
	int rc = pki_cert_begin(out, pub, instance_id, ca->cert, days, err, errlen);

	for (size_t i = 0; rc == PKI_OK && i < sizeof(exts) / sizeof(exts[0]); i++)
		rc = pki_cert_add_ext(*out, ca->cert, exts[i].nid, exts[i].value, err, errlen);
	if (rc == PKI_OK)
		rc = pki_cert_sign(*out, ca->key, err, errlen);
	if (rc != PKI_OK) {
		X509_free(*out);
		*out = NULL;
	}
	return rc;
}

int pki_sign_csr(const struct pki_ca *ca, const char *csr_pem, size_t len,
		 const char *instance_id, int validity_days, char **cert_pem_out,
		 char serial_hex[PKI_SERIAL_HEX_SIZE], char *err, size_t errlen)
{
	EVP_PKEY *pub = NULL;
	X509 *x = NULL;
	char *pem = NULL;
	int rc;

	if (cert_pem_out)
		*cert_pem_out = NULL;
	if (serial_hex)
		serial_hex[0] = '\0';
	if (!ca || !cert_pem_out || !serial_hex)
		return pki_fail(err, errlen, PKI_E_INVALID_ARG, "sign CSR: bad arguments");
	if (!pki_instance_id_valid(instance_id))
		return pki_fail(err, errlen, PKI_E_INSTANCE_ID,
				"sign CSR: instance id is not mi- and 17 lower-case hex digits");
	if (validity_days < 1 || validity_days > AGENT_MAX_DAYS)
		return pki_fail(err, errlen, PKI_E_INVALID_ARG,
				"sign CSR: validity of %d days is outside 1..%d", validity_days,
				AGENT_MAX_DAYS);
	rc = pki_csr_parse(csr_pem, len, &pub, err, errlen);
	if (rc != PKI_OK)
		goto cleanup;
	rc = make_agent_cert(ca, pub, instance_id, validity_days, &x, err, errlen);
	if (rc == PKI_OK)
		rc = pki_cert_pem(x, &pem, NULL, err, errlen);
	if (rc == PKI_OK && pki_cert_serial_hex(x, serial_hex) != PKI_OK)
		rc = pki_fail(err, errlen, PKI_E_CRYPTO, "sign CSR: unusable serial number");
	if (rc != PKI_OK)
		goto cleanup;
	*cert_pem_out = pem;
	pem = NULL;
cleanup:
	free(pem);
	X509_free(x);
	EVP_PKEY_free(pub);
	return rc;
}
