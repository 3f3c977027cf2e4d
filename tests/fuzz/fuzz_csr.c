/*
 * fuzz_csr.c — libFuzzer target for the CA's check of an agent's CSR
 * (broker/pki_csr.c: pki_csr_parse), the one part of enrollment that reads
 * bytes from the network.
 *
 * The input is tried as the CSR text itself and, when it starts like a DER
 * SEQUENCE (0x30), also as DER wrapped in a CERTIFICATE REQUEST PEM block, so
 * mutations reach the DER, key and signature checks and not only the PEM
 * reader (OpenSSL itself is not instrumented, so coverage cannot steer
 * through its base64 decoder). Any input must give PKI_OK or one of the parser's documented refusals,
 * without reading outside the input (ASan) or leaking (LSan); an accepted CSR
 * must yield an EC P-256 public key. Links broker/pki_csr.c and
 * broker/pki_err.c with libcrypto only.
 */
#include "fuzz_common.h"
#include "../../broker/pki.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/pem.h>

static int documented(int rc)
{
	switch (rc) {
	case PKI_OK: case PKI_E_NOMEM: case PKI_E_CSR_TOO_LARGE: case PKI_E_CSR_PARSE:
	case PKI_E_CSR_SIGNATURE: case PKI_E_CSR_KEY:
		return 1;
	}
	return 0;
}

static void check(const char *text, size_t len)
{
	EVP_PKEY *key = NULL;
	char err[256];
	int rc = pki_csr_parse(text, len, &key, err, sizeof(err));

	if (!documented(rc) || memchr(err, '\0', sizeof(err)) == NULL)
		abort();
	if (rc != PKI_OK) {
		if (key)
			abort();
		return;
	}
	if (!key || !EVP_PKEY_is_a(key, "EC") || EVP_PKEY_get_bits(key) != 256)
		abort();
	EVP_PKEY_free(key);
}

/* data as DER inside a PEM block, then checked from an exact-size copy. */
static void check_as_der(const uint8_t *data, size_t size)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem, *copy;
	long n;

	if (bio && PEM_write_bio(bio, "CERTIFICATE REQUEST", "", data, (long)size) > 0) {
		n = BIO_get_mem_data(bio, &pem);
		copy = malloc((size_t)n);
		if (copy) {
			memcpy(copy, pem, (size_t)n);
			check(copy, (size_t)n);
			free(copy);
		}
	}
	BIO_free(bio);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check((const char *)data, size);
	if (size > 0 && data[0] == 0x30)
		check_as_der(data, size);
	return 0;
}
