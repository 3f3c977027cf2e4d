/*
 * register_cmd.c — `postern-agent register` (see register_cmd.h).
 */
#include "register_cmd.h"
#include "agent_args.h"
#include "agent_file.h"
#include "agent_state.h"
#include "agent_tls.h"
#include "enroll_keys.h"
#include "register_http.h"
#include "register_json.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define REGISTER_PATH "/v1/register"
#define REGISTER_TIMEOUT_S 30u
#define CA_FILE_MAX (1024u * 1024u)

#define EXIT_FAILED 1
#define EXIT_USAGE 2

struct register_opts {
	const char *broker, *ca, *activation_id, *activation_code, *state_dir;
	bool force, verbose;
};

/* Everything the command holds; released in one place. */
struct register_run {
	struct register_opts o;
	struct agent_url url;
	struct agent_paths paths;
	char *ca_pem;
	size_t ca_len;
	int lock_fd;
	char *key_pem, *csr_pem, *request;
	struct register_http_answer http;
	struct register_answer answer;
};

static const char details[] =
	"The broker URL is the one the broker prints at start-up (https://HOST:PORT).\n"
	"Only the CA certificate in --ca is trusted for it (the broker's ca.pem), never\n"
	"the system's store. The activation id and code come from\n"
	"`aws ssm create-activation` against the broker.\n"
	"\n"
	"The state directory (created with mode 0700) receives key.pem (0600),\n"
	"cert.pem, ca.pem (a copy of --ca) and agent.conf; every file is written\n"
	"atomically and agent.conf last, so a failure leaves no partial registration.\n"
	"Default: /var/lib/postern-agent as root, else $XDG_STATE_HOME/postern-agent\n"
	"or ~/.local/state/postern-agent. An existing directory must be private to\n"
	"this user; one postern-agent at a time may use it.\n"
	"\n"
	"On success the last line on stdout is the new instance id (mi-...).\n"
	"Exit status: 0 registered, 1 failed (refused activation, broker unreachable,\n"
	"TLS failure, state directory problem), 2 bad usage.\n";

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "postern-agent: <sentence>" on stderr; returns EXIT_FAILED. */
static int fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "postern-agent: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_FAILED;
}

/* Fill r->o and r->url. -1 to go on, else the exit status (help, bad usage). */
static int parse_options(struct register_run *r, int argc, char **argv)
{
	struct register_opts *o = &r->o;
	const struct agent_option options[] = {
		{"broker", "URL", "the broker's base URL, https://HOST[:PORT][/PREFIX]", &o->broker, NULL, true},
		{"ca", "FILE", "CA certificate (PEM) to trust for the broker", &o->ca, NULL, true},
		{"activation-id", "ID", "activation id from create-activation", &o->activation_id,
		 NULL, true},
		{"activation-code", "CODE", "activation code from create-activation",
		 &o->activation_code, NULL, true},
		{"state-dir", "DIR", "where to keep the registration (see below)", &o->state_dir,
		 NULL, false},
		{"force", NULL, "replace an existing registration in the state directory", NULL,
		 &o->force, false},
		{"verbose", NULL, "also show libwebsockets' own error lines", NULL, &o->verbose,
		 false},
	};
	const struct agent_command cmd = {
		"register",
		"Register this host with a postern broker: trade an activation for an instance\n"
		"id and a client certificate.",
		details, options, sizeof(options) / sizeof(options[0]),
	};
	char err[512];
	int rc = agent_args_parse(&cmd, argc, argv, err, sizeof(err));

	if (rc == AGENT_ARGS_HELP)
		return EXIT_SUCCESS;
	if (rc == AGENT_ARGS_ERROR) {
		fprintf(stderr, "postern-agent register: %s (see postern-agent register --help)\n",
			err);
		return EXIT_USAGE;
	}
	if (agent_url_parse(o->broker, &r->url, err, sizeof(err)) != 0) {
		fprintf(stderr, "postern-agent register: --broker: %s\n", err);
		return EXIT_USAGE;
	}
	return -1; /* parsed: go on */
}

/* The CA file: readable, a certificate. */
static int read_ca(struct register_run *r)
{
	char err[512];

	if (agent_file_read(r->o.ca, CA_FILE_MAX, &r->ca_pem, &r->ca_len, err, sizeof(err)) != 0)
		return fail("--ca: %s", err);
	if (agent_tls_check_ca_pem(r->ca_pem, r->ca_len, err, sizeof(err)) != 0)
		return fail("--ca %s: %s", r->o.ca, err);
	return 0;
}

/* Create and lock the state directory; refuse an existing registration. */
static int prepare_state(struct register_run *r)
{
	char err[1200];

	if (agent_state_paths(r->o.state_dir, &r->paths, err, sizeof(err)) != 0 ||
	    agent_state_make_dir(r->paths.dir, err, sizeof(err)) != 0)
		return fail("%s", err);
	r->lock_fd = agent_state_lock(r->paths.dir, err, sizeof(err));
	if (r->lock_fd < 0)
		return fail("%s", err);
	if (agent_state_registered(&r->paths) && !r->o.force)
		return fail("%s already holds a registration; use --force to replace it",
			    r->paths.dir);
	return 0;
}

/* Make the key and CSR and POST them. */
static int exchange(struct register_run *r)
{
	char err[1024];
	int rc;

	if (enroll_make_key_and_csr(&r->key_pem, &r->csr_pem, err, sizeof(err)) != 0)
		return fail("%s", err);
	r->request = register_json_request(r->o.activation_id, r->o.activation_code, r->csr_pem);
	if (!r->request)
		return fail("out of memory");
	rc = register_http_post(&r->url, r->o.ca, REGISTER_PATH, r->request, REGISTER_TIMEOUT_S,
				r->o.verbose, &r->http, err, sizeof(err));
	if (rc == REGISTER_HTTP_UNREACHABLE)
		return fail("cannot reach the broker at %s: %s", r->o.broker, err);
	if (rc == REGISTER_HTTP_TLS)
		return fail("no secure connection to the broker at %s: %s", r->o.broker, err);
	if (rc != REGISTER_HTTP_OK)
		return fail("registration with %s failed: %s", r->o.broker, err);
	return 0;
}

static int check_answer(struct register_run *r)
{
	char err[1024];
	int kind = register_json_answer(r->http.status, r->http.body, r->http.len, &r->answer);

	if (kind == REGISTER_REFUSED && r->http.status < 500)
		return fail("registration refused: %s", r->answer.message);
	if (kind == REGISTER_REFUSED)
		return fail("the broker could not register this host (HTTP %d): %s",
			    r->http.status, r->answer.message);
	if (kind != REGISTER_ISSUED)
		return fail("the broker's answer is not understood: %s", r->answer.message);
	if (agent_tls_check_issued(r->answer.cert_pem, r->key_pem, r->ca_pem,
				   r->answer.instance_id, err, sizeof(err)) != 0)
		return fail("%s (instance %s is registered at the broker but unusable)", err,
			    r->answer.instance_id);
	return 0;
}

static int save(struct register_run *r)
{
	struct agent_registration reg = {
		.key_pem = r->key_pem, .cert_pem = r->answer.cert_pem, .ca_pem = r->ca_pem,
	};
	char err[1200];

	snprintf(reg.conf.broker, sizeof(reg.conf.broker), "%s", r->o.broker);
	memcpy(reg.conf.instance_id, r->answer.instance_id, sizeof(reg.conf.instance_id));
	if (agent_state_save(&r->paths, &reg, r->o.force, err, sizeof(err)) != 0)
		return fail("cannot save the registration of %s: %s", r->answer.instance_id, err);
	printf("registered with %s\n", r->o.broker);
	printf("state directory: %s\n", r->paths.dir);
	printf("start the agent with: postern-agent run%s%s\n",
	       r->o.state_dir ? " --state-dir " : "", r->o.state_dir ? r->paths.dir : "");
	printf("%s\n", r->answer.instance_id);
	return fflush(stdout) == 0 ? 0 : EXIT_FAILED;
}

static void release(struct register_run *r)
{
	if (r->lock_fd >= 0)
		close(r->lock_fd);
	free(r->ca_pem);
	enroll_secret_free(r->key_pem);
	free(r->csr_pem);
	free(r->request);
	free(r->http.body);
	register_json_free(&r->answer);
}

int register_cmd_main(int argc, char **argv)
{
	struct register_run r;
	int rc;

	memset(&r, 0, sizeof(r));
	r.lock_fd = -1;
	rc = parse_options(&r, argc, argv);
	if (rc >= 0)
		return rc; /* help printed, or bad usage */
	rc = read_ca(&r);
	if (rc == 0)
		rc = prepare_state(&r);
	if (rc == 0)
		rc = exchange(&r);
	if (rc == 0)
		rc = check_answer(&r);
	if (rc == 0)
		rc = save(&r);
	release(&r);
	return rc;
}
