/*
 * register_json.c — request and answer bodies of POST /v1/register (see
 * register_json.h).
 */
#include "register_json.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *register_json_request(const char *activation_id, const char *activation_code,
			    const char *csr_pem)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "ActivationId", activation_id, "ActivationCode",
			      activation_code, "Csr", csr_pem);
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	return text;
}

static const char *string_member(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int bad(struct register_answer *a, const char *why)
{
	snprintf(a->message, sizeof(a->message), "%s", why);
	return REGISTER_BAD;
}

static int refused(struct register_answer *a, int status, const json_t *o)
{
	const char *type = o ? string_member(o, "__type") : NULL;
	const char *msg = o ? string_member(o, "message") : NULL;

	if (!msg && o)
		msg = string_member(o, "Message");
	snprintf(a->error_type, sizeof(a->error_type), "%s", type ? type : "");
	if (msg || type)
		snprintf(a->message, sizeof(a->message), "%s", msg ? msg : type);
	else
		snprintf(a->message, sizeof(a->message), "HTTP status %d", status);
	return REGISTER_REFUSED;
}

int register_json_answer(int http_status, const char *body, size_t len,
			 struct register_answer *out)
{
	const char *id, *cert, *ca;
	json_t *o = NULL;
	int kind;

	memset(out, 0, sizeof(*out));
	if (len > REGISTER_ANSWER_MAX)
		return bad(out, "the answer is too large");
	if (len)
		o = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	if (o && !json_is_object(o)) {
		json_decref(o);
		o = NULL;
	}
	if (http_status != 200) {
		kind = http_status >= 400 && http_status < 600
			       ? refused(out, http_status, o)
			       : bad(out, "unexpected HTTP status");
		if (kind == REGISTER_BAD)
			snprintf(out->message, sizeof(out->message), "unexpected HTTP status %d",
				 http_status);
		goto done;
	}
	if (!o) {
		kind = bad(out, "the answer is not a JSON object");
		goto done;
	}
	id = string_member(o, "InstanceId");
	cert = string_member(o, "Certificate");
	ca = string_member(o, "CaCertificate");
	if (!id || !agent_conf_instance_id_valid(id)) {
		kind = bad(out, "the answer has no valid InstanceId");
		goto done;
	}
	if (!cert || !cert[0]) {
		kind = bad(out, "the answer has no Certificate");
		goto done;
	}
	memcpy(out->instance_id, id, AGENT_INSTANCE_ID_LEN + 1);
	out->cert_pem = strdup(cert);
	out->ca_pem = strdup(ca ? ca : "");
	kind = out->cert_pem && out->ca_pem ? REGISTER_ISSUED : bad(out, "out of memory");
done:
	json_decref(o);
	return kind;
}

void register_json_free(struct register_answer *a)
{
	free(a->cert_pem);
	free(a->ca_pem);
	a->cert_pem = NULL;
	a->ca_pem = NULL;
}
