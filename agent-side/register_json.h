/*
 * register_json.h — the bodies of POST /v1/register (broker/api_register.c):
 *
 *   request  {"ActivationId":..., "ActivationCode":..., "Csr":PEM}
 *   200      {"InstanceId":"mi-...", "Certificate":PEM, "CaCertificate":PEM}
 *   400/5xx  {"__type":"InvalidActivation", "message":"..."}
 *
 * Text in, text out; no I/O.
 */
#ifndef POSTERN_REGISTER_JSON_H
#define POSTERN_REGISTER_JSON_H

#include <stddef.h>

#include "agent_conf.h"

#define REGISTER_ANSWER_MAX (256u * 1024u) /* a longer answer is refused unread */

enum register_answer_kind {
	REGISTER_ISSUED = 0,   /* 200 with every field */
	REGISTER_REFUSED = 1,  /* the broker said no: message holds its reason */
	REGISTER_BAD = -1,     /* not an answer we understand: message says why */
};

struct register_answer {
	char instance_id[AGENT_INSTANCE_ID_LEN + 1];
	char *cert_pem;        /* malloc'd */
	char *ca_pem;          /* malloc'd; may be "" */
	char error_type[64];   /* "__type" of a refusal */
	char message[512];     /* the refusal's message, or why the answer is bad */
};

/* The request body, malloc'd and NUL-terminated; NULL on allocation failure. */
char *register_json_request(const char *activation_id, const char *activation_code,
			    const char *csr_pem);

/* Classify an answer (status, body of len bytes) into out. Returns its kind;
 * release out with register_json_free whatever the kind. */
int register_json_answer(int http_status, const char *body, size_t len,
			 struct register_answer *out);

void register_json_free(struct register_answer *a);

#endif
