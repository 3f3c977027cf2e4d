/*
 * sigv4_err.c — the AWS JSON 1.1 error (`__type` and message) a broker sends
 * for each authentication failure (cli-and-api.md §4). Names follow what AWS
 * JSON services return: IncompleteSignatureException when the signature
 * information is missing or unreadable, InvalidSignatureException when it is
 * present but wrong, stale or already used.
 */
#include "sigv4.h"
#include "proto_err.h"

#include <stddef.h>

static const char incomplete[] = "IncompleteSignatureException";
static const char invalid[] = "InvalidSignatureException";

static const struct {
	int err;
	const char *type;
	const char *message;
} table[] = {
	{ PROTO_E_AUTH_MALFORMED, incomplete,
	  "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' "
	  "parameters in the form AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., "
	  "Signature=..." },
	{ PROTO_E_AUTH_ALGORITHM, incomplete,
	  "Unsupported Authorization algorithm: only AWS4-HMAC-SHA256 is accepted." },
	{ PROTO_E_AUTH_DATE, incomplete,
	  "Authorization header requires existence of a valid 'X-Amz-Date' header "
	  "(YYYYMMDD'T'HHMMSS'Z')." },
	{ PROTO_E_AUTH_UNSIGNED, invalid,
	  "'Host' and 'X-Amz-Date' must be SignedHeaders in the AWS Authorization." },
	{ PROTO_E_AUTH_SCOPE, invalid,
	  "Credential should be scoped to the date of X-Amz-Date and end in aws4_request." },
	{ PROTO_E_AUTH_EXPIRED, invalid,
	  "Signature expired or not yet current: X-Amz-Date is outside the allowed clock skew." },
	{ PROTO_E_AUTH_HEADER, invalid,
	  "A header listed in SignedHeaders is missing from the request." },
	{ PROTO_E_AUTH_SIGNATURE, invalid,
	  "The request signature we calculated does not match the signature you provided. "
	  "Check your AWS Secret Access Key and signing method. Consult the service "
	  "documentation for details." },
	{ PROTO_E_AUTH_REPLAY, invalid,
	  "This request has already been received: sign every request anew." },
	{ PROTO_E_AUTH_THROTTLED, "ThrottlingException", "Rate exceeded" },
	{ PROTO_E_AUTH_KEY, "UnrecognizedClientException",
	  "The security token included in the request is invalid." },
};

const char *sigv4_err_aws_type(int err, const char **message)
{
	const char *type = "InternalFailure";
	const char *text = "The request processing has failed because of an unknown error, "
			   "exception or failure.";

	if (err == PROTO_OK) {
		type = NULL;
		text = NULL;
	}
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (table[i].err == err) {
			type = table[i].type;
			text = table[i].message;
		}
	}
	if (message)
		*message = text;
	return type;
}
