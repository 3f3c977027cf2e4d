/*
 * worker_handshake.c — HandshakeRequest / Response / Complete for the worker
 * (see worker_handshake.h), on top of proto/payload.h.
 */
#include "worker_handshake.h"
#include "agent_version.h"
#include "payload.h"
#include "proto_err.h"

#include <stdio.h>
#include <string.h>

int worker_hs_request(const char *session_type, const char *properties_json, uint8_t **out,
		      size_t *len)
{
	struct payload_requested_action action = {
		.action_type = PAYLOAD_ACTION_NAME_SESSION_TYPE,
		.session_type = (char *)session_type,
	};
	char *offered[] = {PAYLOAD_CAP_SMUX_V2, PAYLOAD_CAP_LARGE_MESSAGES, NULL};
	struct payload_handshake_request req = {
		.agent_version = AGENT_VERSION,
		.actions = &action,
		.n_actions = 1,
		.capabilities = offered,
		.n_capabilities = sizeof(offered) / sizeof(offered[0]) - 1,
	};

	if (properties_json && properties_json[0] && strcmp(properties_json, "null") != 0)
		action.properties = (char *)properties_json;
	return payload_handshake_request_encode(&req, out, len);
}

/* The first action the client did not perform, as a sentence; 0 if none. */
static int worker_hs_failed_action(const struct payload_handshake_response *resp, char *why,
				   size_t whylen)
{
	for (size_t i = 0; i < resp->n_actions; i++) {
		const struct payload_processed_action *a = &resp->actions[i];

		if (a->action_status == PAYLOAD_ACTION_STATUS_SUCCESS)
			continue;
		snprintf(why, whylen, "the client could not perform %s (status %d)%s%s",
			 a->action_type, (int)a->action_status, a->error[0] ? ": " : "", a->error);
		return -1;
	}
	return 0;
}

int worker_hs_check(const uint8_t *payload, size_t len, struct worker_hs_result *res,
		    char *why, size_t whylen)
{
	struct payload_handshake_response resp;
	bool session_type = false;
	int rc = -1, prc;

	memset(res, 0, sizeof(*res));
	prc = payload_handshake_response_decode(payload, len, &resp);
	if (prc != PROTO_OK) {
		snprintf(why, whylen, "the client's HandshakeResponse does not parse (%s)",
			 proto_err_str(prc));
		return -1;
	}
	for (size_t i = 0; i < resp.n_actions; i++)
		if (payload_action_kind_of(resp.actions[i].action_type) ==
		    PAYLOAD_ACTION_SESSION_TYPE)
			session_type = true;
	if (!session_type) {
		snprintf(why, whylen, "the client's HandshakeResponse does not answer the "
				      "SessionType action");
		goto out;
	}
	if (worker_hs_failed_action(&resp, why, whylen) != 0)
		goto out;
	res->exit_code = payload_has_capability(&resp, PAYLOAD_CAP_EXIT_CODE);
	res->smux_v2 = payload_has_capability(&resp, PAYLOAD_CAP_SMUX_V2);
	res->large_messages = payload_has_capability(&resp, PAYLOAD_CAP_LARGE_MESSAGES);
	snprintf(res->client_version, sizeof(res->client_version), "%s", resp.client_version);
	rc = 0;
out:
	payload_handshake_response_free(&resp);
	return rc;
}

int worker_hs_complete(uint64_t elapsed_ms, uint8_t **out, size_t *len)
{
	struct payload_handshake_complete hc = {
		.time_to_complete_ns = (int64_t)elapsed_ms * 1000000,
		.customer_message = "",
	};

	return payload_handshake_complete_encode(&hc, out, len);
}
