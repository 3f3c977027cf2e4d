/*
 * api_register.c — POST /v1/register: an agent trades an activation id and
 * code plus a certificate signing request for an instance id ("mi-" + 17 hex)
 * and a client certificate signed by the broker's CA.
 *
 * Request  {"ActivationId":..., "ActivationCode":..., "Csr":"-----BEGIN ..."}
 * Response {"InstanceId":..., "Certificate":PEM, "CaCertificate":PEM}
 *
 * Consuming the activation, creating the instance and recording the
 * certificate serial happen in one transaction: a refused CSR uses up nothing.
 */
#include "api_actions.h"
#include "broker.h"
#include "json_util.h"
#include "pki.h"
#include "proto_err.h"
#include "store.h"

#include <openssl/pem.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define AGENT_CERT_DAYS 365
#define ACTIVATION_CODE_MAX 250
#define CSR_TEXT_MAX PKI_CSR_MAX

struct registration {
	const char *activation_id, *code, *csr;
	char instance_id[STORE_INSTANCE_ID_LEN + 1];
	char serial[PKI_SERIAL_HEX_SIZE];
	char *cert_pem;
};

static char *ca_pem(const struct broker *b)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *out = NULL;
	long len;

	if (bio && PEM_write_bio_X509(bio, pki_ca_cert(b->ca)) == 1 &&
	    (len = BIO_get_mem_data(bio, &data)) > 0 && (out = malloc((size_t)len + 1))) {
		memcpy(out, data, (size_t)len);
		out[len] = '\0';
	}
	BIO_free(bio);
	return out;
}

/* Inside the transaction: 0, or -1 with resp filled. */
static int register_instance(struct broker *b, struct registration *r, int64_t now,
			     struct api_response *resp)
{
	struct store_activation act;
	struct store_instance_new n = {.activation_id = r->activation_id};
	uint8_t random[STORE_ID_RANDOM_BYTES];
	char err[256];
	int rc = store_activation_consume(b->store, r->activation_id, r->code, now, &act);

	if (rc == STORE_NOT_FOUND || rc == STORE_EXPIRED || rc == STORE_LIMIT) {
		api_error(resp, 400, "InvalidActivation",
			  rc == STORE_NOT_FOUND ? "unknown activation id or wrong code"
			  : rc == STORE_EXPIRED ? "the activation has expired"
						: "the activation's registration limit is reached");
		return -1;
	}
	if (rc != STORE_OK)
		goto store_failed;
	n.name = act.default_instance_name;
	do {
		if (RAND_bytes(random, sizeof(random)) != 1)
			goto store_failed;
		rc = store_instance_register(b->store, &n, random, now, r->instance_id);
	} while (rc == STORE_CONFLICT);
	if (rc != STORE_OK)
		goto store_failed;
	rc = pki_sign_csr(b->ca, r->csr, strlen(r->csr), r->instance_id, AGENT_CERT_DAYS,
			  &r->cert_pem, r->serial, err, sizeof(err));
	if (rc != PKI_OK) {
		api_error(resp, 400, "InvalidCsr", "certificate request refused: %s", err);
		return -1;
	}
	if (store_instance_set_cert(b->store, r->instance_id, r->serial, now) != STORE_OK)
		goto store_failed;
	return 0;
store_failed:
	broker_log(b, 0, "register: %s", store_errmsg(b->store));
	api_error(resp, 500, "InternalServerError", "could not register the instance");
	return -1;
}

void api_register(struct broker *b, const struct api_request *req, struct api_response *resp)
{
	struct registration r = {0};
	json_t *body = NULL;
	char *ca = NULL;

	if (json_util_parse_object(req->body, req->body_len, API_BODY_MAX, &body) != PROTO_OK) {
		api_error(resp, 400, "SerializationException", "request body is not a JSON object");
		return;
	}
	if (api_member_string(body, "ActivationId", STORE_UUID_LEN, true, &r.activation_id,
			      resp) ||
	    api_member_string(body, "ActivationCode", ACTIVATION_CODE_MAX, true, &r.code, resp) ||
	    api_member_string(body, "Csr", CSR_TEXT_MAX, true, &r.csr, resp))
		goto out;
	if (store_begin(b->store) != STORE_OK) {
		api_error(resp, 500, "InternalServerError", "could not register the instance");
		goto out;
	}
	if (register_instance(b, &r, (int64_t)req->now, resp) != 0 ||
	    store_commit(b->store) != STORE_OK) {
		store_rollback(b->store);
		broker_log(b, 2, "register %s: refused activation %s", req->peer, r.activation_id);
		if (resp->status == 0)
			api_error(resp, 500, "InternalServerError", "could not register the instance");
		goto out;
	}
	ca = ca_pem(b);
	broker_log(b, 2, "register %s: instance %s (activation %s, certificate %s)", req->peer,
		   r.instance_id, r.activation_id, r.serial);
	api_ok_json(resp, json_pack("{s:s, s:s, s:s}", "InstanceId", r.instance_id,
				    "Certificate", r.cert_pem, "CaCertificate", ca ? ca : ""));
out:
	free(ca);
	free(r.cert_pem);
	json_decref(body);
}
