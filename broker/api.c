/*
 * api.c — authentication and dispatch of API requests (cli-and-api.md §4):
 * Signature V4 against postern-issued access keys, replay refusal, then the
 * action named by X-Amz-Target. Every refusal is logged with its reason.
 */
#include "api.h"
#include "api_actions.h"
#include "broker.h"
#include "json_util.h"
#include "proto_err.h"
#include "sigv4.h"
#include "store.h"
#include "uuid.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SERVICE_SSM "ssm"
#define TARGET_MAX 128

static const struct api_action actions[] = {
	{"AmazonSSM.CreateActivation", api_create_activation, true},
	{"AmazonSSM.DescribeInstanceInformation", api_describe_instance_information, false},
	{"AmazonSSM.StartSession", api_start_session, false},
	{"AmazonSSM.ResumeSession", api_resume_session, false},
	{"AmazonSSM.TerminateSession", api_terminate_session, false},
	{"AmazonSSM.DescribeSessions", api_describe_sessions, false},
};

void api_response_free(struct api_response *resp)
{
	free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
}

static void set_body(struct api_response *resp, int status, char *json)
{
	api_response_free(resp);
	resp->status = status;
	resp->body = json;
	resp->body_len = json ? strlen(json) : 0;
	if (!json) {
		/* out of memory: a fixed answer needs no allocation */
		static const char oom[] = "{\"__type\":\"InternalServerError\",\"message\":\"out of memory\"}";

		resp->status = 500;
		resp->body = strdup(oom);
		resp->body_len = resp->body ? strlen(oom) : 0;
	}
}

void api_error(struct api_response *resp, int status, const char *type, const char *fmt, ...)
{
	char message[512];
	json_t *obj;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	obj = json_pack("{s:s, s:s}", "__type", type, "message", message);
	set_body(resp, status, obj ? json_dumps(obj, JSON_COMPACT) : NULL);
	json_decref(obj);
}

void api_ok(struct api_response *resp, char *json)
{
	set_body(resp, 200, json);
}

static void new_request_id(struct api_response *resp)
{
	uint8_t random16[UUID_LEN];
	struct uuid id;

	if (RAND_bytes(random16, sizeof(random16)) != 1)
		memset(random16, 0, sizeof(random16));
	id = uuid_v4_from_bytes(random16);
	uuid_format(&id, resp->request_id);
}

/* The values of the headers a request signed, copied out of the transport. */
struct signed_headers {
	struct sigv4_header list[SIGV4_SIGNED_MAX];
	size_t n;
	char names[SIGV4_SIGNED_MAX][SIGV4_HEADER_NAME_MAX + 1];
	char values[SIGV4_SIGNED_MAX][API_HEADER_MAX];
};

static void collect_signed_headers(const struct api_request *req, const struct sigv4_auth *auth,
				   struct signed_headers *sh)
{
	const char *p = auth->signed_headers;
	size_t k = 0;

	sh->n = 0;
	/* the parser guarantees at most SIGV4_SIGNED_MAX names of bounded length */
	while (*p && k < SIGV4_SIGNED_MAX) {
		size_t len = strcspn(p, ";");

		memcpy(sh->names[k], p, len);
		sh->names[k][len] = '\0';
		p += len + (p[len] == ';');
		if (req->header(req->header_ctx, sh->names[k], sh->values[k], API_HEADER_MAX) >= 0) {
			sh->list[sh->n].name = sh->names[k];
			sh->list[sh->n].value = sh->values[k];
			sh->n++;
		} /* an absent one is left out: sigv4_verify reports it */
		k++;
	}
}

static void refuse(struct broker *b, const struct api_request *req, struct api_response *resp,
		   int err, const char *key_id)
{
	const char *message, *type = sigv4_err_aws_type(err, &message);

	broker_log(b, 2, "api %s: refused request (key %s): %s", req->peer,
		   key_id && *key_id ? key_id : "-", proto_err_str(err));
	api_error(resp, strcmp(type, "InternalFailure") == 0 ? 500 : 400, type, "%s", message);
}

/* Verify the signature; fills caller or resp (an error). 0 if authenticated. */
static int authenticate(struct broker *b, const struct api_request *req,
			struct api_caller *caller, struct api_response *resp)
{
	struct signed_headers *sh;
	char authz[SIGV4_AUTH_MAX + 1];
	struct sigv4_auth auth;
	struct store_key key;
	struct sigv4_request sreq = {
		.method = req->method, .path = req->path, .query = req->query,
		.body = req->body, .body_len = req->body_len,
	};
	time_t request_time = 0;
	int n = req->header(req->header_ctx, "authorization", authz, sizeof(authz)), rc;

	if (n < 0) {
		broker_log(b, 2, "api %s: refused unsigned request", req->peer);
		api_error(resp, 400, "MissingAuthenticationTokenException",
			  "Missing Authentication Token");
		return -1;
	}
	rc = sigv4_parse_authorization(authz, (size_t)n, &auth);
	if (rc != PROTO_OK) {
		refuse(b, req, resp, rc, NULL);
		return -1;
	}
	if (strcmp(auth.service, SERVICE_SSM) != 0) {
		broker_log(b, 2, "api %s: refused request scoped to service '%s'", req->peer,
			   auth.service);
		api_error(resp, 400, "InvalidSignatureException",
			  "Credential should be scoped to correct service: '%s'.", SERVICE_SSM);
		return -1;
	}
	if (store_key_lookup(b->store, auth.access_key_id, &key) != STORE_OK || key.disabled) {
		refuse(b, req, resp, PROTO_E_AUTH_KEY, auth.access_key_id);
		return -1;
	}
	sh = malloc(sizeof(*sh));
	if (sh) {
		collect_signed_headers(req, &auth, sh);
		sreq.headers = sh->list;
		sreq.n_headers = sh->n;
		rc = sigv4_verify(&auth, &sreq, key.secret, req->now,
				  (unsigned)b->cfg.signature_skew_s, &request_time);
		free(sh);
	} else {
		rc = PROTO_E_NOMEM;
	}
	OPENSSL_cleanse(key.secret, sizeof(key.secret));
	if (rc == PROTO_OK)
		rc = sigv4_replay_check_and_add(&b->replay, auth.signature, request_time, req->now);
	if (rc != PROTO_OK) {
		refuse(b, req, resp, rc, auth.access_key_id);
		return -1;
	}
	snprintf(caller->access_key_id, sizeof(caller->access_key_id), "%s", key.id);
	snprintf(caller->user, sizeof(caller->user), "%s", key.user);
	caller->admin = strcmp(key.user, "admin") == 0;
	return 0;
}

static const struct api_action *find_action(const char *target)
{
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (strcmp(actions[i].target, target) == 0)
			return &actions[i];
	return NULL;
}

void api_handle(struct broker *b, const struct api_request *req, struct api_response *resp)
{
	const struct api_action *action;
	struct api_caller caller;
	char target[TARGET_MAX];
	json_t *body = NULL;

	memset(resp, 0, sizeof(*resp));
	new_request_id(resp);
	if (strcmp(req->path, API_REGISTER_PATH) == 0) {
		api_register(b, req, resp);
		return;
	}
	if (strcmp(req->path, "/") != 0) {
		api_error(resp, 404, "UnknownOperationException", "no such path");
		return;
	}
	if (authenticate(b, req, &caller, resp) != 0)
		return;
	if (req->header(req->header_ctx, "x-amz-target", target, sizeof(target)) < 0 ||
	    !(action = find_action(target))) {
		broker_log(b, 2, "api %s: %s: unknown operation", req->peer, caller.user);
		api_error(resp, 400, "UnknownOperationException", "unknown operation");
		return;
	}
	if (action->admin_only && !caller.admin) {
		broker_log(b, 2, "api %s: %s: %s denied", req->peer, caller.user, target);
		api_error(resp, 400, "AccessDeniedException", "%s is not allowed to call %s",
			  caller.user, target);
		return;
	}
	if (json_util_parse_object(req->body, req->body_len, API_BODY_MAX, &body) != PROTO_OK) {
		api_error(resp, 400, "SerializationException", "request body is not a JSON object");
		return;
	}
	broker_log(b, 3, "api %s: %s: %s", req->peer, caller.user, target);
	action->run(b, &caller, body, req, resp);
	json_decref(body);
}
