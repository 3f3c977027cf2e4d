/*
 * pki_err.c — names of the CA's error codes and the one place that turns an
 * error (with OpenSSL's error queue) into the sentence callers get in err.
 */
#include "pki_impl.h"

#include <stdarg.h>
#include <stdio.h>

#include <openssl/err.h>

const char *pki_err_str(int err)
{
	switch (err) {
	case PKI_OK: return "ok";
	case PKI_E_NOMEM: return "nomem";
	case PKI_E_INVALID_ARG: return "invalid-arg";
	case PKI_E_IO: return "io";
	case PKI_E_CRYPTO: return "crypto";
	case PKI_E_CA_INCOMPLETE: return "ca-incomplete";
	case PKI_E_CA_CERT: return "ca-cert";
	case PKI_E_CA_KEY: return "ca-key";
	case PKI_E_CA_MISMATCH: return "ca-mismatch";
	case PKI_E_NAME: return "name";
	case PKI_E_CSR_TOO_LARGE: return "csr-too-large";
	case PKI_E_CSR_PARSE: return "csr-parse";
	case PKI_E_CSR_SIGNATURE: return "csr-signature";
	case PKI_E_CSR_KEY: return "csr-key";
	case PKI_E_INSTANCE_ID: return "instance-id";
	}
	return "unknown";
}

int pki_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	const char *sep = ": ";
	size_t used = 0;
	unsigned long e;
	va_list ap;
	int n;

	if (err && errlen) {
		va_start(ap, fmt);
		n = vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
		used = n < 0 ? 0 : (size_t)n < errlen ? (size_t)n : errlen - 1;
		err[used] = '\0';
	}
	while ((e = ERR_get_error()) != 0) {
		char one[256];

		if (!err || used + 1 >= errlen)
			continue; /* keep draining */
		ERR_error_string_n(e, one, sizeof(one));
		n = snprintf(err + used, errlen - used, "%s%s", sep, one);
		used = n < 0 ? used : used + (size_t)n < errlen ? used + (size_t)n : errlen - 1;
		sep = "; ";
	}
	return rc;
}
