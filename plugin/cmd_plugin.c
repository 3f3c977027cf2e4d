/*
 * cmd_plugin.c — the session-manager-plugin command line (cli-and-api.md §1):
 * the AWS CLI ran StartSession and hands us its answer; we run the session.
 * Differences from the stock plugin, on purpose: diagnostics go to stderr,
 * errors exit non-zero, and the exit status is the remote one when known.
 */
#include "attach.h"
#include "cli_args.h"
#include "client_err.h"
#include "cmd.h"
#include "credentials.h"
#include "loop.h"
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INSTALLED_TEXT \
	"The Session Manager plugin was installed successfully. Use the AWS CLI to start a session."

/* The SDK's default endpoint, for an empty ENDPOINT argument. */
static int default_endpoint(struct credentials *c)
{
	char url[256];

	snprintf(url, sizeof(url), "https://ssm.%s.amazonaws.com", c->region);
	c->endpoint_url = strdup(url);
	return c->endpoint_url ? CLIENT_OK : CLIENT_E_NOMEM;
}

static int run(const struct cli_plugin *args)
{
	const struct credentials_request cr = {args->profile, args->endpoint, NULL, args->region};
	struct credentials cred;
	struct loop loop;
	struct attach_params ap = {.session_id = args->session_id,
				   .token_value = args->token_value,
				   .stream_url = args->stream_url,
				   .remote_status = false,
				   .local_port_named = args->local_port_named};
	char err[1024], cred_err[1024] = "";
	int rc, status;

	/* keys only matter for TerminateSession: a problem with them is reported then */
	rc = credentials_resolve(&cr, &cred, cred_err, sizeof(cred_err));
	if (rc == CLIENT_OK && !cred.endpoint_url)
		rc = default_endpoint(&cred);
	if (rc == CLIENT_OK)
		rc = credentials_require(&cred, cred_err, sizeof(cred_err));
	if (rc == CLIENT_OK)
		ap.cred = &cred;
	ap.cred_error = cred_err;
	rc = loop_init(&loop, cred.ca ? cred.ca : getenv("AWS_CA_BUNDLE"), err, sizeof(err));
	if (rc == CLIENT_OK) {
		status = attach_run(&loop, &ap);
	} else {
		fprintf(stderr, "%s: %s\n", CLI_PLUGIN_NAME, err);
		status = client_err_exit_status(rc);
	}
	loop_fini(&loop);
	credentials_free(&cred);
	return status;
}

int cmd_plugin(int argc, char *argv[])
{
	struct cli_plugin args;
	char err[1024];
	int rc, status = 0;

	rc = cli_plugin_parse(argc, argv, &args, err, sizeof(err));
	if (rc != CLIENT_OK) {
		fprintf(stderr, "%s: %s\n", CLI_PLUGIN_NAME, err);
		status = client_err_exit_status(rc);
	} else if (args.mode == CLI_PLUGIN_INSTALLED) {
		printf("\n%s\n\n", INSTALLED_TEXT);
	} else if (args.mode == CLI_PLUGIN_VERSION) {
		printf("%s\n", SESSION_CLIENT_VERSION);
	} else {
		status = run(&args);
	}
	cli_plugin_free(&args);
	return status;
}
