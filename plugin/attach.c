/*
 * attach.c — run a started session, end it on the broker if we ended it,
 * and tell the user how it ended (see attach.h).
 */
#include "attach.h"
#include "api_client.h"
#include "client_err.h"
#include "credentials.h"
#include "loop.h"
#include "session.h"
#include "terminal.h"

#include <jansson.h>
#include <stdio.h>
#include <unistd.h>

static void terminate(struct loop *l, const struct attach_params *p)
{
	json_t *body, *resp = NULL;
	char err[1024];

	if (!p->cred) {
		fprintf(stderr, "postern: cannot end session %s on the broker: %s\n", p->session_id,
			p->cred_error ? p->cred_error : "no credentials");
		return;
	}
	body = json_pack("{s:s}", "SessionId", p->session_id);
	if (!body)
		return;
	if (api_client_call(l, p->cred, "TerminateSession", body, &resp, err, sizeof(err)) !=
	    CLIENT_OK)
		fprintf(stderr, "postern: TerminateSession %s: %s\n", p->session_id, err);
	json_decref(resp);
	json_decref(body);
}

static void report(const struct attach_params *p, const struct session_result *r, bool mid_line,
		   bool interactive)
{
	const char *nl = mid_line ? "\n" : "";

	switch (r->end) {
	case SESSION_END_CLOSED:
		if (r->message[0])
			fprintf(stderr, "%sSessionId: %s : %s\n", nl, p->session_id, r->message);
		else if (interactive)
			fprintf(stderr, "%sExiting session with sessionId: %s.\n", nl, p->session_id);
		break;
	case SESSION_END_LOST:
		if (!r->have_exit_code)
			fprintf(stderr, "%spostern: %s (session %s)\n", nl, r->message, p->session_id);
		else if (interactive)
			fprintf(stderr, "%sExiting session with sessionId: %s.\n", nl, p->session_id);
		break;
	case SESSION_END_ESCAPE:
		fprintf(stderr, "%sTerminating session %s (~.).\n", nl, p->session_id);
		break;
	case SESSION_END_TERMINATED:
		if (r->quiet)
			break;
		if (r->signo)
			fprintf(stderr, "%sTerminate signal received, exiting.\n", nl);
		fprintf(stderr, "Exiting session with sessionId: %s.\n", p->session_id);
		break;
	case SESSION_END_SIGNAL:
		fprintf(stderr, "%spostern: session %s: %s (signal %d)\n", nl, p->session_id,
			r->message[0] ? r->message : "ended by a signal", r->signo);
		break;
	case SESSION_END_ERROR:
	case SESSION_END_NONE:
		fprintf(stderr, "%spostern: session %s: %s\n", nl, p->session_id, r->message);
		break;
	}
}

int attach_run(struct loop *l, const struct attach_params *p)
{
	const struct session_params sp = {p->session_id, p->token_value, p->stream_url, p->cred,
					  p->local_port_named};
	bool interactive = terminal_is_tty(STDIN_FILENO), mid_line = false;
	struct session_result result;
	char err[1024];
	int rc;

	if (interactive)
		fprintf(stderr, "Starting session with SessionId: %s\n", p->session_id);
	rc = session_run(l, &sp, &result, &mid_line, err, sizeof(err));
	if (rc != CLIENT_OK) {
		fprintf(stderr, "postern: %s\n", err);
		return client_err_exit_status(rc);
	}
	report(p, &result, mid_line, interactive);
	if (session_result_wants_terminate(&result))
		terminate(l, p);
	if (!p->remote_status && result.end == SESSION_END_CLOSED && result.have_exit_code)
		return 0;
	return session_result_exit_status(&result);
}
