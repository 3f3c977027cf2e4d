/*
 * cmd_start.c — `postern start-session`: resolve settings, call StartSession,
 * run the session.
 */
#include "api_client.h"
#include "attach.h"
#include "cli_args.h"
#include "cli_params.h"
#include "client_err.h"
#include "cmd.h"
#include "credentials.h"
#include "loop.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* The StartSession request (cli-and-api.md §5.1) from the flags. */
static int build_request(const struct cli_start *a, json_t **out, char *err, size_t errlen)
{
	json_t *req = json_pack("{s:s}", "Target", a->target), *params = NULL;
	int rc = req ? CLIENT_OK : client_errf(err, errlen, CLIENT_E_USAGE,
					       "--target is not valid UTF-8");

	if (rc == CLIENT_OK && a->document_name &&
	    json_object_set_new(req, "DocumentName", json_string(a->document_name)) != 0)
		rc = client_errf(err, errlen, CLIENT_E_USAGE, "--document-name is not valid UTF-8");
	if (rc == CLIENT_OK && a->parameters) {
		rc = cli_params_parse(a->parameters, &params, err, errlen);
		if (rc == CLIENT_OK && json_object_set_new(req, "Parameters", params) != 0)
			rc = client_errf(err, errlen, CLIENT_E_NOMEM, "out of memory");
	}
	if (rc == CLIENT_OK && a->reason &&
	    json_object_set_new(req, "Reason", json_string(a->reason)) != 0)
		rc = client_errf(err, errlen, CLIENT_E_USAGE, "--reason is not valid UTF-8");
	if (rc != CLIENT_OK) {
		json_decref(req);
		return rc;
	}
	*out = req;
	return CLIENT_OK;
}

static const char *member(const json_t *obj, const char *key)
{
	const char *v = json_string_value(json_object_get(obj, key));

	return v && *v ? v : NULL;
}

int cmd_start_session(int argc, char *argv[])
{
	struct credentials cred = {0};
	struct cli_start args;
	struct loop loop = {0};
	json_t *req = NULL, *resp = NULL;
	struct attach_params ap = {.remote_status = true};
	char err[1024] = "";
	int rc, status = 1;

	rc = cli_start_parse(argc, argv, &args, err, sizeof(err));
	if (rc == CLIENT_OK && args.help) {
		fputs(cli_usage_text, stdout);
		return 0;
	}
	if (rc == CLIENT_OK)
		rc = build_request(&args, &req, err, sizeof(err));
	if (rc == CLIENT_OK)
		ap.local_port_named = cli_params_name_local_port(json_object_get(req, "Parameters"));
	if (rc == CLIENT_OK) {
		const struct credentials_request cr = {args.profile, args.endpoint_url, args.ca,
						       args.region};

		rc = credentials_resolve(&cr, &cred, err, sizeof(err));
	}
	if (rc == CLIENT_OK)
		rc = credentials_require(&cred, err, sizeof(err));
	if (rc == CLIENT_OK)
		rc = loop_init(&loop, cred.ca, err, sizeof(err));
	if (rc == CLIENT_OK)
		rc = api_client_call(&loop, &cred, "StartSession", req, &resp, err, sizeof(err));
	if (rc == CLIENT_OK) {
		ap.session_id = member(resp, "SessionId");
		ap.token_value = member(resp, "TokenValue");
		ap.stream_url = member(resp, "StreamUrl");
		ap.cred = &cred;
		if (!ap.session_id || !ap.token_value || !ap.stream_url)
			rc = client_errf(err, sizeof(err), CLIENT_E_PROTOCOL,
					 "the StartSession answer lacks SessionId, TokenValue or "
					 "StreamUrl");
	}
	if (rc == CLIENT_OK)
		status = attach_run(&loop, &ap);
	if (rc != CLIENT_OK) {
		fprintf(stderr, "postern: %s\n", err);
		if (rc == CLIENT_E_USAGE)
			fputs("usage: postern start-session --target ID [options] "
			      "(postern --help for more)\n", stderr);
		status = client_err_exit_status(rc);
	}
	json_decref(resp);
	json_decref(req);
	loop_fini(&loop);
	credentials_free(&cred);
	return status;
}
