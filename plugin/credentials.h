/*
 * credentials.h — where the client's settings come from: the access key that
 * signs API calls, the endpoint, the CA to trust and the signing region.
 * First found wins, setting by setting:
 *
 *   keys      1. the named profile (--profile, or the plugin's PROFILE) in the
 *               shared credentials file — an explicit profile overrides the
 *               environment, as in botocore and aws-sdk-go
 *             2. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN)
 *             3. the AWS_PROFILE profile, else [default], in the shared file
 *             4. access-key-id + secret-access-key in the postern config file
 *   endpoint  request, AWS_ENDPOINT_URL_SSM, AWS_ENDPOINT_URL, config endpoint-url
 *   CA        request, AWS_CA_BUNDLE, config ca
 *   region    request, AWS_REGION, AWS_DEFAULT_REGION, config region, us-east-1
 *
 * (shared file: aws_ini.h; config file: config_file.h.) Nothing is printed;
 * no message ever contains a secret.
 */
#ifndef POSTERN_CREDENTIALS_H
#define POSTERN_CREDENTIALS_H

#include <stddef.h>

#define CREDENTIALS_DEFAULT_REGION "us-east-1"

struct credentials_request {
	const char *profile;      /* NULL or "" for none */
	const char *endpoint_url; /* NULL or "" for none */
	const char *ca;           /* NULL or "" for none */
	const char *region;       /* NULL or "" for none */
};

struct credentials {
	char *access_key_id;     /* NULL when no source had keys */
	char *secret_access_key;
	char *session_token;     /* NULL for long-term keys */
	char *endpoint_url;      /* NULL when no source named one */
	char *ca;                /* NULL: the system store only */
	char *region;            /* never NULL after a successful resolve */
	char source[320];        /* where the keys came from, for messages */
};

/*
 * Fill *out (free with credentials_free() whatever the result). Returns
 * CLIENT_OK — also when no keys or endpoint were found (see
 * credentials_require) — or CLIENT_E_CONFIG: a malformed config file; only
 * one of the two key variables set, a profile named by --profile/PROFILE or
 * AWS_PROFILE that does not exist, a profile without keys, a malformed
 * credentials file (after those key errors endpoint, ca and region are
 * filled all the same); CLIENT_E_IO, CLIENT_E_NOMEM.
 */
int credentials_resolve(const struct credentials_request *req, struct credentials *out,
			char *err, size_t errlen);

/* CLIENT_OK if out has keys and an endpoint, else CLIENT_E_CONFIG saying
 * what is missing and where it may come from. */
int credentials_require(const struct credentials *c, char *err, size_t errlen);

void credentials_free(struct credentials *c);

#endif
