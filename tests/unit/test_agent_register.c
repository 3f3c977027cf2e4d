/*
 * test_agent_register.c — registration's texts and checks, in memory:
 * request and answer bodies (agent-side/register_json.c) and the checks of
 * what the broker sends back (agent-side/agent_tls.c), with a real broker CA
 * (broker/pki_*.c) signing a real agent CSR (agent-side/enroll_keys.c).
 *
 * Covers: the request's JSON; a 200 answer; refusals (400 with __type and
 * message, message only, type only, no body, 5xx); answers that are not
 * understood (bad JSON, missing or malformed fields, odd statuses, too
 * large); the issued certificate accepted when it matches the key, names the
 * instance and chains to the CA, and refused when any of those fails; CA
 * files with and without a certificate.
 */
#include <criterion/criterion.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../../agent-side/agent_tls.h"
#include "../../agent-side/enroll_keys.h"
#include "../../agent-side/register_json.h"
#include "../../broker/pki.h"
#include "pki_test_util.h"

#define ID "mi-0123456789abcdef0"

static int answer(int status, const char *body, struct register_answer *a)
{
	return register_json_answer(status, body, strlen(body), a);
}

Test(agent_register_json, request_body)
{
	char *text = register_json_request("id-1", "co\"de", "-----BEGIN CSR-----\nX\n");
	json_t *o = json_loads(text, 0, NULL);

	cr_assert_not_null(o);
	cr_assert_str_eq(json_string_value(json_object_get(o, "ActivationId")), "id-1");
	cr_assert_str_eq(json_string_value(json_object_get(o, "ActivationCode")), "co\"de");
	cr_assert_str_eq(json_string_value(json_object_get(o, "Csr")), "-----BEGIN CSR-----\nX\n");
	cr_assert_eq(json_object_size(o), 3);
	json_decref(o);
	free(text);
}

Test(agent_register_json, issued)
{
	struct register_answer a;

	cr_assert_eq(answer(200, "{\"InstanceId\":\"" ID "\",\"Certificate\":\"CERT\","
				 "\"CaCertificate\":\"CA\"}", &a), REGISTER_ISSUED);
	cr_assert_str_eq(a.instance_id, ID);
	cr_assert_str_eq(a.cert_pem, "CERT");
	cr_assert_str_eq(a.ca_pem, "CA");
	register_json_free(&a);
	register_json_free(&a); /* twice is fine */
}

Test(agent_register_json, refusals_carry_the_brokers_message)
{
	struct register_answer a;

	cr_assert_eq(answer(400, "{\"__type\":\"InvalidActivation\",\"message\":\"wrong code\"}",
			    &a), REGISTER_REFUSED);
	cr_assert_str_eq(a.message, "wrong code");
	cr_assert_str_eq(a.error_type, "InvalidActivation");
	register_json_free(&a);
	cr_assert_eq(answer(400, "{\"Message\":\"capital M\"}", &a), REGISTER_REFUSED);
	cr_assert_str_eq(a.message, "capital M");
	register_json_free(&a);
	cr_assert_eq(answer(403, "{\"__type\":\"AccessDenied\"}", &a), REGISTER_REFUSED);
	cr_assert_str_eq(a.message, "AccessDenied");
	register_json_free(&a);
	cr_assert_eq(answer(500, "", &a), REGISTER_REFUSED);
	cr_assert_str_eq(a.message, "HTTP status 500");
	register_json_free(&a);
	cr_assert_eq(answer(502, "<html>bad gateway</html>", &a), REGISTER_REFUSED);
	register_json_free(&a);
}

Test(agent_register_json, answers_not_understood)
{
	static const struct {
		int status;
		const char *body;
		const char *says;
	} cases[] = {
		{200, "", "not a JSON object"},
		{200, "[1,2]", "not a JSON object"},
		{200, "{\"InstanceId\":\"" ID "\"", "not a JSON object"},
		{200, "{\"Certificate\":\"C\"}", "no valid InstanceId"},
		{200, "{\"InstanceId\":\"i-123\",\"Certificate\":\"C\"}", "no valid InstanceId"},
		{200, "{\"InstanceId\":\"" ID "\"}", "no Certificate"},
		{200, "{\"InstanceId\":\"" ID "\",\"Certificate\":\"\"}", "no Certificate"},
		{200, "{\"InstanceId\":\"" ID "\",\"Certificate\":7}", "no Certificate"},
		{200, "{\"InstanceId\":\"" ID "\",\"InstanceId\":\"" ID "\",\"Certificate\":\"C\"}",
		 "not a JSON object"},
		{302, "", "unexpected HTTP status 302"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct register_answer a;

		cr_assert_eq(answer(cases[i].status, cases[i].body, &a), REGISTER_BAD, "case %zu", i);
		cr_assert(strstr(a.message, cases[i].says), "case %zu: %s", i, a.message);
		cr_assert_null(a.cert_pem);
		register_json_free(&a);
	}
}

Test(agent_register_json, oversized_answer_is_not_read)
{
	struct register_answer a;
	static const char body[] = "{}";

	cr_assert_eq(register_json_answer(200, body, REGISTER_ANSWER_MAX + 1, &a), REGISTER_BAD);
	cr_assert(strstr(a.message, "too large"));
}

/* ---- the issued certificate --------------------------------------------------- */

struct issued {
	char *dir, *key_pem, *csr_pem, *cert_pem, *ca_pem;
	struct pki_ca *ca;
};

static void issue(struct issued *x, const char *instance_id)
{
	char err[512], serial[PKI_SERIAL_HEX_SIZE];

	memset(x, 0, sizeof(*x));
	x->dir = pt_tmpdir();
	cr_assert_eq(pki_ca_load_or_create(x->dir, &x->ca, err, sizeof(err)), PKI_OK, "%s", err);
	cr_assert_eq(enroll_make_key_and_csr(&x->key_pem, &x->csr_pem, err, sizeof(err)), 0, "%s",
		     err);
	cr_assert_eq(pki_sign_csr(x->ca, x->csr_pem, strlen(x->csr_pem), instance_id, 30,
				  &x->cert_pem, serial, err, sizeof(err)), PKI_OK, "%s", err);
	x->ca_pem = pt_cert_pem(pki_ca_cert(x->ca));
}

static void release(struct issued *x)
{
	pki_ca_free(x->ca);
	enroll_secret_free(x->key_pem);
	free(x->csr_pem);
	free(x->cert_pem);
	free(x->ca_pem);
	pt_rmdir(x->dir);
}

Test(agent_register_tls, a_good_certificate_is_accepted)
{
	struct issued x;
	char err[512] = "";

	issue(&x, ID);
	cr_assert_eq(agent_tls_check_issued(x.cert_pem, x.key_pem, x.ca_pem, ID, err, sizeof(err)),
		     0, "%s", err);
	cr_assert_eq(agent_tls_check_ca_pem(x.ca_pem, strlen(x.ca_pem), err, sizeof(err)), 0);
	release(&x);
}

Test(agent_register_tls, mismatches_are_refused)
{
	struct issued x, other;
	char err[512];

	issue(&x, ID);
	issue(&other, ID);
	cr_assert_eq(agent_tls_check_issued(x.cert_pem, other.key_pem, x.ca_pem, ID, err,
					    sizeof(err)), -1);
	cr_assert(strstr(err, "not for this agent's key"), "%s", err);
	cr_assert_eq(agent_tls_check_issued(x.cert_pem, x.key_pem, x.ca_pem,
					    "mi-fffffffffffffffff", err, sizeof(err)), -1);
	cr_assert(strstr(err, "is for '" ID "'"), "%s", err);
	cr_assert_eq(agent_tls_check_issued(x.cert_pem, x.key_pem, other.ca_pem, ID, err,
					    sizeof(err)), -1);
	cr_assert(strstr(err, "does not verify against the CA"), "%s", err);
	cr_assert_eq(agent_tls_check_issued("garbage", x.key_pem, x.ca_pem, ID, err, sizeof(err)),
		     -1);
	cr_assert(strstr(err, "no PEM certificate"), "%s", err);
	cr_assert_eq(agent_tls_check_issued(x.cert_pem, x.key_pem, "garbage", ID, err,
					    sizeof(err)), -1);
	release(&x);
	release(&other);
}

Test(agent_register_tls, ca_file_must_hold_a_certificate)
{
	char err[512];
	static const char junk[] = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";

	cr_assert_eq(agent_tls_check_ca_pem("hello", 5, err, sizeof(err)), -1);
	cr_assert(strstr(err, "no PEM certificate"), "%s", err);
	cr_assert_eq(agent_tls_check_ca_pem(junk, strlen(junk), err, sizeof(err)), -1);
	cr_assert_eq(agent_tls_check_ca_pem("", 0, err, sizeof(err)), -1);
}
