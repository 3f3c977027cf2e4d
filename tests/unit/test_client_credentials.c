/*
 * test_client_credentials.c — where the client's keys, endpoint, CA and
 * region come from (plugin/credentials.h): the order of the environment, the
 * shared credentials file and ~/.config/postern/config, each file's format,
 * and every refusal, with files in a private HOME per test.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <criterion/criterion.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../plugin/aws_ini.h"
#include "../../plugin/client_err.h"
#include "../../plugin/config_file.h"
#include "../../plugin/credentials.h"

static char home[64];

static const char *const cleared[] = {
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
	"AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SSM",
	"AWS_CA_BUNDLE", "AWS_REGION", "AWS_DEFAULT_REGION", "XDG_CONFIG_HOME",
};

static void setup(void)
{
	snprintf(home, sizeof(home), "/tmp/postern-cred-XXXXXX");
	cr_assert_not_null(mkdtemp(home));
	for (size_t i = 0; i < sizeof(cleared) / sizeof(cleared[0]); i++)
		unsetenv(cleared[i]);
	setenv("HOME", home, 1);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void teardown(void)
{
	nftw(home, remove_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* Write text to HOME/rel, creating directories. */
static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	for (const char *slash = strchr(rel, '/'); slash; slash = strchr(slash + 1, '/')) {
		snprintf(path, sizeof(path), "%s/%.*s", home, (int)(slash - rel), rel);
		mkdir(path, 0700);
	}
	snprintf(path, sizeof(path), "%s/%s", home, rel);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

static const char shared[] =
	"# comment\n"
	"; another\n"
	"[default]\n"
	"aws_access_key_id = DEFAULTKEY\n"
	"aws_secret_access_key = default-secret\n"
	"\n"
	"[ops]\n"
	"AWS_Access_Key_Id: OPSKEY\n"
	"aws_secret_access_key=ops-secret\n"
	"aws_session_token = ops-token\n"
	"region = ignored-here\n"
	"[half]\n"
	"aws_access_key_id = HALFKEY\n";

static const char config[] =
	"# postern settings\n"
	"endpoint-url https://config.example:8443\n"
	"ca /etc/postern/ca.pem\n"
	"region eu-north-1\n"
	"access-key-id CONFIGKEY\n"
	"secret-access-key   config secret with spaces  \n";

static struct credentials resolve_ok(const struct credentials_request *req)
{
	struct credentials c;
	char err[512] = "";

	cr_assert_eq(credentials_resolve(req, &c, err, sizeof(err)), CLIENT_OK, "%s", err);
	return c;
}

static void resolve_fails(const struct credentials_request *req, const char *why)
{
	struct credentials c;
	char err[512] = "";

	cr_assert_eq(credentials_resolve(req, &c, err, sizeof(err)), CLIENT_E_CONFIG);
	cr_assert(strstr(err, why), "'%s' does not say '%s'", err, why);
	cr_assert_null(strstr(err, "-secret"), "a secret in '%s'", err);
	credentials_free(&c);
}

static void keys_are(const struct credentials *c, const char *id, const char *secret,
		     const char *token)
{
	cr_assert_str_eq(c->access_key_id, id);
	cr_assert_str_eq(c->secret_access_key, secret);
	if (token)
		cr_assert_str_eq(c->session_token, token);
	else
		cr_assert_null(c->session_token);
}

TestSuite(client_credentials, .init = setup, .fini = teardown);

Test(client_credentials, nothing_anywhere)
{
	struct credentials_request req = {0};
	struct credentials c = resolve_ok(&req);
	char err[512] = "";

	cr_assert_null(c.access_key_id);
	cr_assert_null(c.endpoint_url);
	cr_assert_null(c.ca);
	cr_assert_str_eq(c.region, "us-east-1");
	cr_assert_eq(credentials_require(&c, err, sizeof(err)), CLIENT_E_CONFIG);
	cr_assert(strstr(err, "no credentials") && strstr(err, "AWS_ACCESS_KEY_ID") &&
		  strstr(err, "--profile") && strstr(err, "~/.config/postern/config"), "%s", err);
	credentials_free(&c);
}

Test(client_credentials, environment_keys)
{
	struct credentials_request req = {0};
	struct credentials c;

	setenv("AWS_ACCESS_KEY_ID", "ENVKEY", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
	c = resolve_ok(&req);
	keys_are(&c, "ENVKEY", "env-secret", NULL);
	cr_assert_str_eq(c.source, "the environment");
	credentials_free(&c);
	setenv("AWS_SESSION_TOKEN", "env-token", 1);
	c = resolve_ok(&req);
	keys_are(&c, "ENVKEY", "env-secret", "env-token");
	credentials_free(&c);
}

Test(client_credentials, half_of_the_environment_keys_is_refused)
{
	struct credentials_request req = {0};

	setenv("AWS_ACCESS_KEY_ID", "ENVKEY", 1);
	resolve_fails(&req, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
	unsetenv("AWS_ACCESS_KEY_ID");
	setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
	resolve_fails(&req, "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
	setenv("AWS_ACCESS_KEY_ID", "", 1); /* empty counts as unset */
	resolve_fails(&req, "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
}

Test(client_credentials, default_profile_of_the_shared_file)
{
	struct credentials_request req = {0};
	struct credentials c;

	put(".aws/credentials", shared);
	c = resolve_ok(&req);
	keys_are(&c, "DEFAULTKEY", "default-secret", NULL);
	cr_assert(strstr(c.source, "profile default in") && strstr(c.source, ".aws/credentials"),
		  "%s", c.source);
	credentials_free(&c);
}

Test(client_credentials, environment_beats_the_default_profile)
{
	struct credentials_request req = {0};
	struct credentials c;

	put(".aws/credentials", shared);
	setenv("AWS_ACCESS_KEY_ID", "ENVKEY", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
	c = resolve_ok(&req);
	keys_are(&c, "ENVKEY", "env-secret", NULL);
	credentials_free(&c);
}

Test(client_credentials, aws_profile_picks_a_section_after_the_environment)
{
	struct credentials_request req = {0};
	struct credentials c;

	put(".aws/credentials", shared);
	setenv("AWS_PROFILE", "ops", 1);
	c = resolve_ok(&req);
	keys_are(&c, "OPSKEY", "ops-secret", "ops-token");
	credentials_free(&c);
	setenv("AWS_ACCESS_KEY_ID", "ENVKEY", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
	c = resolve_ok(&req);
	keys_are(&c, "ENVKEY", "env-secret", NULL);
	credentials_free(&c);
}

Test(client_credentials, an_explicit_profile_beats_the_environment)
{
	struct credentials_request req = {.profile = "ops"};
	struct credentials c;

	put(".aws/credentials", shared);
	setenv("AWS_ACCESS_KEY_ID", "ENVKEY", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
	setenv("AWS_PROFILE", "default", 1);
	c = resolve_ok(&req);
	keys_are(&c, "OPSKEY", "ops-secret", "ops-token");
	credentials_free(&c);
}

Test(client_credentials, an_empty_profile_means_the_default_chain)
{
	struct credentials_request req = {.profile = ""};
	struct credentials c;

	put(".aws/credentials", shared);
	c = resolve_ok(&req);
	keys_are(&c, "DEFAULTKEY", "default-secret", NULL);
	credentials_free(&c);
}

Test(client_credentials, shared_file_from_the_environment)
{
	struct credentials_request req = {.profile = "ops"};
	struct credentials c;

	put("elsewhere/creds", shared);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "~/elsewhere/creds", 1);
	c = resolve_ok(&req);
	keys_are(&c, "OPSKEY", "ops-secret", "ops-token");
	credentials_free(&c);
}

Test(client_credentials, named_profiles_must_exist)
{
	struct credentials_request flag = {.profile = "nope"}, none = {0};

	resolve_fails(&flag, "profile nope not found: there is no");
	put(".aws/credentials", shared);
	resolve_fails(&flag, "profile nope not found in");
	setenv("AWS_PROFILE", "gone", 1);
	resolve_fails(&none, "profile gone not found in");
}

Test(client_credentials, a_profile_needs_both_keys)
{
	struct credentials_request req = {.profile = "half"};

	put(".aws/credentials", shared);
	resolve_fails(&req, "profile half in");
	resolve_fails(&req, "lacks aws_access_key_id or aws_secret_access_key");
}

Test(client_credentials, malformed_shared_file)
{
	struct credentials_request req = {0};

	put(".aws/credentials", "[default\naws_access_key_id = X\n");
	resolve_fails(&req, "credentials:1: unterminated [section");
	put(".aws/credentials", "[default]\njust words\n");
	resolve_fails(&req, "credentials:2: expected name = value");
}

Test(client_credentials, config_file_last)
{
	struct credentials_request req = {0};
	struct credentials c;

	put(".config/postern/config", config);
	c = resolve_ok(&req);
	keys_are(&c, "CONFIGKEY", "config secret with spaces", NULL);
	cr_assert_str_eq(c.endpoint_url, "https://config.example:8443");
	cr_assert_str_eq(c.ca, "/etc/postern/ca.pem");
	cr_assert_str_eq(c.region, "eu-north-1");
	cr_assert(strstr(c.source, ".config/postern/config"));
	credentials_free(&c);
	put(".aws/credentials", shared); /* the default profile comes before it */
	c = resolve_ok(&req);
	keys_are(&c, "DEFAULTKEY", "default-secret", NULL);
	cr_assert_str_eq(c.endpoint_url, "https://config.example:8443");
	credentials_free(&c);
}

Test(client_credentials, xdg_config_home)
{
	struct credentials_request req = {0};
	struct credentials c;
	char xdg[128];

	put("xdg/postern/config", "endpoint-url https://xdg.example\n");
	snprintf(xdg, sizeof(xdg), "%s/xdg", home);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	c = resolve_ok(&req);
	cr_assert_str_eq(c.endpoint_url, "https://xdg.example");
	credentials_free(&c);
}

Test(client_credentials, endpoint_ca_and_region_order)
{
	struct credentials_request flags = {.endpoint_url = "https://flag", .ca = "/flag.pem",
					    .region = "ap-south-1"};
	struct credentials_request none = {0};
	struct credentials c;

	put(".config/postern/config", config);
	setenv("AWS_ENDPOINT_URL", "https://generic", 1);
	setenv("AWS_ENDPOINT_URL_SSM", "https://ssm-specific", 1);
	setenv("AWS_CA_BUNDLE", "/env.pem", 1);
	setenv("AWS_DEFAULT_REGION", "us-west-1", 1);
	setenv("AWS_REGION", "us-west-2", 1);
	c = resolve_ok(&flags);
	cr_assert_str_eq(c.endpoint_url, "https://flag");
	cr_assert_str_eq(c.ca, "/flag.pem");
	cr_assert_str_eq(c.region, "ap-south-1");
	credentials_free(&c);
	c = resolve_ok(&none);
	cr_assert_str_eq(c.endpoint_url, "https://ssm-specific");
	cr_assert_str_eq(c.ca, "/env.pem");
	cr_assert_str_eq(c.region, "us-west-2");
	credentials_free(&c);
	unsetenv("AWS_ENDPOINT_URL_SSM");
	unsetenv("AWS_REGION");
	c = resolve_ok(&none);
	cr_assert_str_eq(c.endpoint_url, "https://generic");
	cr_assert_str_eq(c.region, "us-west-1");
	credentials_free(&c);
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_CA_BUNDLE");
	unsetenv("AWS_DEFAULT_REGION");
	c = resolve_ok(&none);
	cr_assert_str_eq(c.endpoint_url, "https://config.example:8443");
	cr_assert_str_eq(c.ca, "/etc/postern/ca.pem");
	cr_assert_str_eq(c.region, "eu-north-1");
	credentials_free(&c);
}

Test(client_credentials, settings_survive_a_key_error)
{
	struct credentials_request req = {.profile = "nope", .endpoint_url = "https://e",
					  .region = "r"};
	struct credentials c;
	char err[512];

	cr_assert_eq(credentials_resolve(&req, &c, err, sizeof(err)), CLIENT_E_CONFIG);
	cr_assert_str_eq(c.endpoint_url, "https://e");
	cr_assert_str_eq(c.region, "r");
	credentials_free(&c);
}

Test(client_credentials, require_wants_an_endpoint)
{
	struct credentials_request req = {0};
	struct credentials c;
	char err[512] = "";

	setenv("AWS_ACCESS_KEY_ID", "ENVKEY", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
	c = resolve_ok(&req);
	cr_assert_eq(credentials_require(&c, err, sizeof(err)), CLIENT_E_CONFIG);
	cr_assert(strstr(err, "no endpoint") && strstr(err, "--endpoint-url") &&
		  strstr(err, "AWS_ENDPOINT_URL_SSM"), "%s", err);
	credentials_free(&c);
	setenv("AWS_ENDPOINT_URL", "https://e", 1);
	c = resolve_ok(&req);
	cr_assert_eq(credentials_require(&c, err, sizeof(err)), CLIENT_OK);
	credentials_free(&c);
}

/* ---- the config file on its own ------------------------------------------------- */

TestSuite(client_config, .init = setup, .fini = teardown);

static void config_fails(const char *text, const char *why)
{
	struct config_file cf;
	char path[128], err[512] = "";

	put("c", text);
	snprintf(path, sizeof(path), "%s/c", home);
	cr_assert_eq(config_file_read(path, &cf, err, sizeof(err)), CLIENT_E_CONFIG, "%s", text);
	cr_assert(strstr(err, why), "'%s' does not say '%s'", err, why);
	cr_assert_null(strstr(err, "s3cr3t"), "a secret in '%s'", err);
	config_file_free(&cf);
}

Test(client_config, refusals_name_the_line)
{
	config_fails("region r\nendpoint https://x\n", "/c:2: unknown key 'endpoint'");
	config_fails("\n\nregion\n", "/c:3: region needs a value");
	config_fails("ca a\nca b\n", "/c:2: ca given twice");
	config_fails("secret-access-key s3cr3t\n", "access-key-id and secret-access-key go together");
	config_fails("access-key-id K\n", "go together");
	config_fails("Region r\n", "unknown key 'Region'");
}

Test(client_config, missing_file_is_not_found)
{
	struct config_file cf;
	char err[512];

	cr_assert_eq(config_file_read("/nonexistent/postern/config", &cf, err, sizeof(err)),
		     CLIENT_E_NOT_FOUND);
	config_file_free(&cf);
}

Test(client_config, comments_blank_lines_and_tabs)
{
	struct config_file cf;
	char path[128], err[512] = "";

	put("c", "  # indented comment\n\n\tregion\t\tus-east-2  \r\n");
	snprintf(path, sizeof(path), "%s/c", home);
	cr_assert_eq(config_file_read(path, &cf, err, sizeof(err)), CLIENT_OK, "%s", err);
	cr_assert_str_eq(cf.region, "us-east-2");
	cr_assert_null(cf.endpoint_url);
	config_file_free(&cf);
}

/* ---- the shared credentials file on its own ------------------------------------- */

TestSuite(client_ini, .init = setup, .fini = teardown);

Test(client_ini, sections_keys_and_repeats)
{
	struct aws_ini_profile p;
	char path[128], err[512] = "";

	put("creds", "[ spaced name ]\naws_access_key_id=A\naws_secret_access_key=B\n"
		     "aws_secret_access_key=C\n[other]\naws_access_key_id=Z\n");
	snprintf(path, sizeof(path), "%s/creds", home);
	cr_assert_eq(aws_ini_read_profile(path, "spaced name", &p, err, sizeof(err)), CLIENT_OK,
		     "%s", err);
	cr_assert_str_eq(p.access_key_id, "A");
	cr_assert_str_eq(p.secret_access_key, "C");
	cr_assert_null(p.session_token);
	aws_ini_profile_free(&p);
	cr_assert_eq(aws_ini_read_profile(path, "absent", &p, err, sizeof(err)),
		     CLIENT_E_NOT_FOUND);
	aws_ini_profile_free(&p);
	cr_assert_eq(aws_ini_read_profile("/nonexistent", "default", &p, err, sizeof(err)),
		     CLIENT_E_NOT_FOUND);
	aws_ini_profile_free(&p);
}
