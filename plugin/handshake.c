/*
 * handshake.c — HandshakeRequest in, HandshakeResponse out (rules in handshake.h).
 */
#include "handshake.h"
#include "client_err.h"
#include "payload.h"
#include "proto_err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERROR_TEXT_MAX 256

static const char *const shell_types[] = {
	"Standard_Stream",
	"InteractiveCommands",
	"NonInteractiveCommands",
};

const char *handshake_kind_name(enum handshake_kind kind)
{
	switch (kind) {
	case HANDSHAKE_KIND_SHELL:
		return "shell";
	case HANDSHAKE_KIND_PORT:
		return "port";
	case HANDSHAKE_KIND_NONE:
		break;
	}
	return "none";
}

static enum handshake_kind kind_of(const char *session_type)
{
	for (size_t i = 0; i < sizeof(shell_types) / sizeof(shell_types[0]); i++)
		if (strcmp(session_type, shell_types[i]) == 0)
			return HANDSHAKE_KIND_SHELL;
	return strcmp(session_type, "Port") == 0 ? HANDSHAKE_KIND_PORT : HANDSHAKE_KIND_NONE;
}

static int copy_text(char **dst, const char *src)
{
	free(*dst);
	*dst = src ? strdup(src) : NULL;
	return src && !*dst ? CLIENT_E_NOMEM : CLIENT_OK;
}

/* Decide one SessionType action; returns its status, error text in errbuf. */
static int session_type_action(const struct payload_requested_action *a,
			       const struct handshake_options *opt, struct handshake_outcome *out,
			       char *errbuf)
{
	const char *type = a->session_type ? a->session_type : "";
	enum handshake_kind kind = kind_of(type);

	if (copy_text(&out->session_type, type) != CLIENT_OK)
		return -1;
	if (kind == HANDSHAKE_KIND_NONE || (kind == HANDSHAKE_KIND_PORT && !opt->port_supported)) {
		snprintf(errbuf, ERROR_TEXT_MAX, "SessionType %.64s is not supported by this client",
			 type);
		return PAYLOAD_ACTION_STATUS_FAILED;
	}
	out->kind = kind;
	if (copy_text(&out->properties, kind == HANDSHAKE_KIND_PORT ? a->properties : NULL) !=
	    CLIENT_OK)
		return -1;
	return PAYLOAD_ACTION_STATUS_SUCCESS;
}

static int decide(const struct payload_requested_action *a, const struct handshake_options *opt,
		  struct handshake_outcome *out, char *errbuf)
{
	errbuf[0] = '\0';
	switch (payload_action_kind_of(a->action_type)) {
	case PAYLOAD_ACTION_SESSION_TYPE:
		return session_type_action(a, opt, out, errbuf);
	case PAYLOAD_ACTION_KMS_ENCRYPTION:
		snprintf(errbuf, ERROR_TEXT_MAX,
			 "session encryption (KMSEncryption) is not supported by this client yet");
		return PAYLOAD_ACTION_STATUS_FAILED;
	case PAYLOAD_ACTION_UNKNOWN:
		break;
	}
	snprintf(errbuf, ERROR_TEXT_MAX, "action type %.64s is not supported",
		 a->action_type ? a->action_type : "");
	return PAYLOAD_ACTION_STATUS_UNSUPPORTED;
}

/* Build the processed action list and the Errors list for req. */
static int process(const struct payload_handshake_request *req,
		   const struct handshake_options *opt, struct payload_handshake_response *resp,
		   struct handshake_outcome *out)
{
	char errbuf[ERROR_TEXT_MAX];
	size_t n = req->n_actions;

	resp->actions = calloc(n ? n : 1, sizeof(*resp->actions));
	resp->errors = calloc(n + 1, sizeof(*resp->errors));
	if (!resp->actions || !resp->errors)
		return CLIENT_E_NOMEM;
	for (size_t i = 0; i < n; i++) {
		struct payload_processed_action *pa = &resp->actions[i];
		int status = decide(&req->actions[i], opt, out, errbuf);

		resp->n_actions++;
		if (status < 0)
			return CLIENT_E_NOMEM;
		pa->action_status = status;
		pa->result_kind = PAYLOAD_RESULT_NULL;
		pa->action_type = strdup(req->actions[i].action_type ? req->actions[i].action_type
								     : "");
		pa->error = strdup(errbuf);
		if (!pa->action_type || !pa->error)
			return CLIENT_E_NOMEM;
		if (status == PAYLOAD_ACTION_STATUS_SUCCESS)
			continue;
		if (!out->failed)
			snprintf(out->error, sizeof(out->error), "%s", errbuf);
		out->failed = true;
		if (!(resp->errors[resp->n_errors++] = strdup(errbuf)))
			return CLIENT_E_NOMEM;
	}
	if (resp->n_errors == 0) { /* "Errors":null */
		free(resp->errors);
		resp->errors = NULL;
	}
	return CLIENT_OK;
}

int handshake_answer(const uint8_t *req_buf, size_t len, const struct handshake_options *opt,
		     uint8_t **resp_buf, size_t *resp_len, struct handshake_outcome *out)
{
	/* what this client does beyond the official protocol (payload.h) */
	static char *const capabilities[] = {PAYLOAD_CAP_EXIT_CODE, PAYLOAD_CAP_SMUX_V2,
					     PAYLOAD_CAP_LARGE_MESSAGES, NULL};
	struct payload_handshake_request req;
	struct payload_handshake_response resp = {0};
	int rc;

	memset(out, 0, sizeof(*out));
	if (payload_handshake_request_decode(req_buf, len, &req) != PROTO_OK)
		return CLIENT_E_PROTOCOL;
	resp.client_version = strdup(opt->client_version);
	out->agent_version = strdup(req.agent_version);
	out->smux_v2 = payload_caps_have(req.capabilities, req.n_capabilities,
					 PAYLOAD_CAP_SMUX_V2);
	out->large_messages = payload_caps_have(req.capabilities, req.n_capabilities,
						PAYLOAD_CAP_LARGE_MESSAGES);
	rc = resp.client_version && out->agent_version ? process(&req, opt, &resp, out)
						       : CLIENT_E_NOMEM;
	resp.capabilities = (char **)capabilities;
	resp.n_capabilities = sizeof(capabilities) / sizeof(capabilities[0]) - 1;
	if (rc == CLIENT_OK && payload_handshake_response_encode(&resp, resp_buf, resp_len) !=
				       PROTO_OK)
		rc = CLIENT_E_NOMEM;
	resp.capabilities = NULL; /* static: not the response's to free */
	resp.n_capabilities = 0;
	payload_handshake_response_free(&resp);
	payload_handshake_request_free(&req);
	if (rc != CLIENT_OK)
		handshake_outcome_free(out);
	return rc;
}

void handshake_outcome_free(struct handshake_outcome *o)
{
	free(o->session_type);
	free(o->properties);
	free(o->agent_version);
	memset(o, 0, sizeof(*o));
}
