/*
 * credentials.c — the resolution order of credentials.h.
 */
#include "credentials.h"
#include "aws_ini.h"
#include "client_err.h"
#include "config_file.h"
#include "secret.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_BUF 4096

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

static const char *env(const char *name)
{
	return nonempty(getenv(name));
}

/* Copy the first non-NULL candidate into *out (left NULL when none). */
static int pick(char **out, const char *a, const char *b, const char *c, const char *d)
{
	const char *v = a ? a : b ? b : c ? c : d;

	if (!v)
		return CLIENT_OK;
	*out = strdup(v);
	return *out ? CLIENT_OK : CLIENT_E_NOMEM;
}

static int take_keys(struct credentials *out, const char *id, const char *secret,
		     const char *token)
{
	out->access_key_id = strdup(id);
	out->secret_access_key = strdup(secret);
	out->session_token = token ? strdup(token) : NULL;
	if (!out->access_key_id || !out->secret_access_key || (token && !out->session_token))
		return CLIENT_E_NOMEM;
	return CLIENT_OK;
}

/*
 * Keys from the named profile. explicit: the user named it, so its absence
 * is an error; otherwise ("default") absence is CLIENT_E_NOT_FOUND.
 */
static int keys_from_profile(const char *profile, bool explicit, struct credentials *out,
			     char *err, size_t errlen)
{
	char path_buf[PATH_BUF];
	const char *path = aws_ini_default_path(path_buf, sizeof(path_buf));
	struct aws_ini_profile p;
	int rc;

	if (!path)
		return explicit ? client_errf(err, errlen, CLIENT_E_CONFIG,
					      "profile %s: no credentials file (HOME is not set)",
					      profile)
				: CLIENT_E_NOT_FOUND;
	rc = aws_ini_read_profile(path, profile, &p, err, errlen);
	if (rc == CLIENT_OK) {
		rc = take_keys(out, p.access_key_id, p.secret_access_key, nonempty(p.session_token));
		snprintf(out->source, sizeof(out->source), "profile %s in %s", profile, path);
	} else if (rc == CLIENT_E_NOT_FOUND && explicit) {
		rc = CLIENT_E_CONFIG; /* err already says which profile and file */
	}
	aws_ini_profile_free(&p);
	return rc;
}

static int keys_from_env(struct credentials *out, char *err, size_t errlen)
{
	const char *id = env("AWS_ACCESS_KEY_ID"), *secret = env("AWS_SECRET_ACCESS_KEY");

	if (!id && !secret)
		return CLIENT_E_NOT_FOUND;
	if (!id || !secret)
		return client_errf(err, errlen, CLIENT_E_CONFIG, "%s is set but %s is not",
				   id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
				   id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
	snprintf(out->source, sizeof(out->source), "the environment");
	return take_keys(out, id, secret, env("AWS_SESSION_TOKEN"));
}

static int resolve_keys(const struct credentials_request *req, const struct config_file *cfg,
			const char *cfg_path, struct credentials *out, char *err, size_t errlen)
{
	const char *profile = nonempty(req->profile);
	int rc;

	if (profile)
		return keys_from_profile(profile, true, out, err, errlen);
	rc = keys_from_env(out, err, errlen);
	if (rc != CLIENT_E_NOT_FOUND)
		return rc;
	profile = env("AWS_PROFILE");
	rc = keys_from_profile(profile ? profile : "default", profile != NULL, out, err, errlen);
	if (rc != CLIENT_E_NOT_FOUND)
		return rc;
	if (!cfg->access_key_id)
		return CLIENT_OK; /* none anywhere: credentials_require says so */
	snprintf(out->source, sizeof(out->source), "%s", cfg_path);
	return take_keys(out, cfg->access_key_id, cfg->secret_access_key, NULL);
}

int credentials_resolve(const struct credentials_request *req, struct credentials *out,
			char *err, size_t errlen)
{
	char cfg_buf[PATH_BUF];
	const char *cfg_path = config_file_default_path(cfg_buf, sizeof(cfg_buf));
	struct config_file cfg;
	int rc = CLIENT_OK;

	memset(out, 0, sizeof(*out));
	memset(&cfg, 0, sizeof(cfg));
	if (cfg_path) {
		rc = config_file_read(cfg_path, &cfg, err, errlen);
		if (rc == CLIENT_E_NOT_FOUND)
			rc = CLIENT_OK;
	}
	if (rc == CLIENT_OK)
		rc = pick(&out->endpoint_url, nonempty(req->endpoint_url),
			  env("AWS_ENDPOINT_URL_SSM"), env("AWS_ENDPOINT_URL"), cfg.endpoint_url);
	if (rc == CLIENT_OK)
		rc = pick(&out->ca, nonempty(req->ca), env("AWS_CA_BUNDLE"), cfg.ca, NULL);
	if (rc == CLIENT_OK)
		rc = pick(&out->region, nonempty(req->region), env("AWS_REGION"),
			  env("AWS_DEFAULT_REGION"), cfg.region ? cfg.region
								: CREDENTIALS_DEFAULT_REGION);
	if (rc == CLIENT_E_NOMEM)
		client_errf(err, errlen, rc, "out of memory");
	if (rc == CLIENT_OK)
		rc = resolve_keys(req, &cfg, cfg_path, out, err, errlen);
	config_file_free(&cfg);
	return rc;
}

int credentials_require(const struct credentials *c, char *err, size_t errlen)
{
	if (!c->access_key_id)
		return client_errf(err, errlen, CLIENT_E_CONFIG,
				   "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
				   "name a profile of the shared credentials file with --profile or "
				   "AWS_PROFILE, or put access-key-id and secret-access-key in "
				   "~/.config/postern/config");
	if (!c->endpoint_url)
		return client_errf(err, errlen, CLIENT_E_CONFIG,
				   "no endpoint: give --endpoint-url, set AWS_ENDPOINT_URL_SSM or "
				   "AWS_ENDPOINT_URL, or put endpoint-url in ~/.config/postern/config");
	return CLIENT_OK;
}

void credentials_free(struct credentials *c)
{
	secret_free(c->access_key_id);
	secret_free(c->secret_access_key);
	secret_free(c->session_token);
	free(c->endpoint_url);
	free(c->ca);
	free(c->region);
	memset(c, 0, sizeof(*c));
}
