/*
 * api_activation.c — AmazonSSM.CreateActivation (cli-and-api.md §5.6): an
 * activation id and a one-time-shown code that agents register with.
 */
#include "api_actions.h"
#include "broker.h"
#include "store.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <string.h>

#define DEFAULT_LIFETIME_S (24 * 3600)
#define MAX_LIFETIME_S (30 * 24 * 3600)
#define CODE_RANDOM_BYTES 20 /* 160 bits */

/* 32 characters of an unambiguous alphabet from 20 random bytes (base32). */
static void make_code(const uint8_t random[CODE_RANDOM_BYTES], char out[33])
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned bits = 0, acc = 0;
	size_t n = 0;

	for (size_t i = 0; i < CODE_RANDOM_BYTES; i++) {
		acc = (acc << 8) | random[i];
		bits += 8;
		while (bits >= 5) {
			out[n++] = alphabet[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	out[n] = '\0';
}

void api_create_activation(struct broker *b, const struct api_caller *caller, json_t *body,
			   const struct api_request *req, struct api_response *resp)
{
	uint8_t code_random[CODE_RANDOM_BYTES], id_random[STORE_ACTIVATION_RANDOM_BYTES];
	struct store_activation_new a = {0};
	int64_t limit = 1, expires = (int64_t)req->now + DEFAULT_LIFETIME_S;
	char code[33], id[STORE_UUID_LEN + 1];
	int rc;

	if (api_member_string(body, "IamRole", STORE_IAM_ROLE_MAX, true, &a.iam_role, resp) ||
	    api_member_string(body, "Description", STORE_DESCRIPTION_MAX, false,
			      &a.description, resp) ||
	    api_member_string(body, "DefaultInstanceName", STORE_INSTANCE_NAME_MAX, false,
			      &a.default_instance_name, resp) ||
	    api_member_int(body, "RegistrationLimit", 1, STORE_REGISTRATION_LIMIT_MAX, false,
			   &limit, resp) ||
	    api_member_time(body, "ExpirationDate", false, &expires, resp))
		return;
	if (expires <= (int64_t)req->now || expires > (int64_t)req->now + MAX_LIFETIME_S) {
		api_error(resp, 400, "InvalidParameters",
			  "ExpirationDate must be in the future and at most 30 days away");
		return;
	}
	a.registration_limit = (int)limit;
	a.expires = expires;
	do {
		if (RAND_bytes(code_random, sizeof(code_random)) != 1 ||
		    RAND_bytes(id_random, sizeof(id_random)) != 1) {
			api_error(resp, 500, "InternalServerError", "no randomness");
			return;
		}
		make_code(code_random, code);
		rc = store_activation_create(b->store, &a, code, id_random, (int64_t)req->now, id);
	} while (rc == STORE_CONFLICT);
	OPENSSL_cleanse(code_random, sizeof(code_random));
	if (rc != STORE_OK) {
		broker_log(b, 0, "CreateActivation: %s", store_errmsg(b->store));
		api_error(resp, 500, "InternalServerError", "could not store the activation");
		return;
	}
	broker_log(b, 2, "activation %s created by %s for role %s (limit %d)", id, caller->user,
		   a.iam_role, a.registration_limit);
	api_ok_json(resp, json_pack("{s:s, s:s}", "ActivationId", id, "ActivationCode", code));
	OPENSSL_cleanse(code, sizeof(code));
}
