/*
 * agent_tls.c — the agent's TLS client contexts and their diagnostics (see
 * agent_tls.h).
 */
#include "agent_tls.h"

#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

/* what: the oldest queued OpenSSL error; drains the queue. Returns -1. */
static int tls_fail(char *err, size_t errlen, const char *what)
{
	unsigned long e = ERR_get_error();
	char detail[256] = "no detail from OpenSSL";

	if (e)
		ERR_error_string_n(e, detail, sizeof(detail));
	ERR_clear_error();
	snprintf(err, errlen, "%s (%s)", what, detail);
	return -1;
}

/* Handshake progress and fatal alerts from the broker go into the record. */
static void on_tls_message(int write_p, int version, int content_type, const void *buf,
			   size_t len, SSL *ssl, void *arg)
{
	struct agent_tls_diag *diag = arg;
	const unsigned char *p = buf;

	(void)version;
	(void)ssl;
	if (len < 1)
		return;
	if (content_type == SSL3_RT_HANDSHAKE) {
		if (write_p && p[0] == SSL3_MT_CLIENT_HELLO)
			diag->hello_sent = true;
		if (!write_p)
			diag->server_answered = true;
		if (!write_p && p[0] == SSL3_MT_FINISHED)
			diag->finished_seen = true;
	} else if (content_type == SSL3_RT_ALERT && !write_p && len >= 2 &&
		   p[0] == SSL3_AL_FATAL) {
		snprintf(diag->alert, sizeof(diag->alert), "%s", SSL_alert_desc_string_long(p[1]));
	}
}

/* The broker's certificate must name url's host (a DNS name or an address). */
static int expect_host(SSL_CTX *ctx, const struct agent_url *url)
{
	X509_VERIFY_PARAM *param = SSL_CTX_get0_param(ctx);

	X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
	if (X509_VERIFY_PARAM_set1_ip_asc(param, url->host) == 1)
		return 0;
	return X509_VERIFY_PARAM_set1_host(param, url->host, 0) == 1 ? 0 : -1;
}

static int load_client_cert(SSL_CTX *ctx, const char *cert_file, const char *key_file,
			    char *err, size_t errlen)
{
	char what[1200];

	if (SSL_CTX_use_certificate_chain_file(ctx, cert_file) != 1) {
		snprintf(what, sizeof(what), "cannot use certificate %s", cert_file);
		return tls_fail(err, errlen, what);
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key_file, SSL_FILETYPE_PEM) != 1) {
		snprintf(what, sizeof(what), "cannot use private key %s", key_file);
		return tls_fail(err, errlen, what);
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		snprintf(what, sizeof(what), "%s does not belong to %s", key_file, cert_file);
		return tls_fail(err, errlen, what);
	}
	return 0;
}

SSL_CTX *agent_tls_context(const struct agent_url *url, const char *ca_file,
			   const char *cert_file, const char *key_file,
			   struct agent_tls_diag *diag, char *err, size_t errlen)
{
	SSL_CTX *ctx;
	char what[1200];

	ERR_clear_error();
	agent_tls_diag_reset(diag);
	diag->client_cert = cert_file != NULL;
	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx) {
		tls_fail(err, errlen, "cannot create a TLS context");
		return NULL;
	}
	if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 || expect_host(ctx, url) != 0) {
		tls_fail(err, errlen, "cannot configure the TLS context");
		goto fail;
	}
	if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
		snprintf(what, sizeof(what), "cannot load CA certificate %s", ca_file);
		tls_fail(err, errlen, what);
		goto fail;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (cert_file && load_client_cert(ctx, cert_file, key_file, err, errlen) != 0)
		goto fail;
	SSL_CTX_set_msg_callback(ctx, on_tls_message);
	SSL_CTX_set_msg_callback_arg(ctx, diag);
	return ctx;
fail:
	SSL_CTX_free(ctx);
	return NULL;
}

void agent_tls_diag_reset(struct agent_tls_diag *diag)
{
	bool client_cert = diag->client_cert;

	memset(diag, 0, sizeof(*diag));
	diag->verify_error = X509_V_OK;
	diag->client_cert = client_cert;
}

int agent_tls_note_verify(struct agent_tls_diag *diag, void *x509_store_ctx, int preverify_ok)
{
	X509_STORE_CTX *ctx = x509_store_ctx;

	if (!preverify_ok && ctx && diag->verify_error == X509_V_OK) {
		diag->verify_error = X509_STORE_CTX_get_error(ctx);
		diag->verify_depth = X509_STORE_CTX_get_error_depth(ctx);
	}
	return 0;
}

enum agent_tls_stage agent_tls_explain(const struct agent_tls_diag *diag,
				       const struct agent_url *url, const char *lws_reason,
				       const char *ca_file, char *out, size_t outlen)
{
	int v = diag->verify_error;
	const char *lws = lws_reason && lws_reason[0] ? lws_reason : "no detail";

	if (!diag->hello_sent) {
		snprintf(out, outlen, "no connection to %s port %d (%s)", url->host, url->port, lws);
		return AGENT_TLS_NO_CONNECTION;
	}
	if (v == X509_V_ERR_HOSTNAME_MISMATCH || v == X509_V_ERR_IP_ADDRESS_MISMATCH)
		snprintf(out, outlen, "TLS: the broker's certificate is not for %s (%s)", url->host,
			 X509_verify_cert_error_string(v));
	else if (v != X509_V_OK)
		snprintf(out, outlen, "TLS: the broker's certificate was not accepted: %s "
				      "(depth %d; is %s the broker's CA?)",
			 X509_verify_cert_error_string(v), diag->verify_depth, ca_file);
	else if (diag->alert[0] && diag->client_cert)
		snprintf(out, outlen, "TLS: the broker refused the handshake (alert: %s): it does "
				      "not accept this agent's certificate (revoked, expired, or "
				      "issued by another broker's CA?)", diag->alert);
	else if (diag->alert[0])
		snprintf(out, outlen, "TLS: the broker refused the handshake (alert: %s)",
			 diag->alert);
	else if (!diag->server_answered)
		snprintf(out, outlen, "TLS: %s port %d does not answer in TLS (is this the broker's "
				      "URL?) (%s)", url->host, url->port, lws);
	else if (!diag->finished_seen)
		snprintf(out, outlen, "TLS: the handshake failed (%s)", lws);
	else {
		snprintf(out, outlen, "%s", lws);
		return AGENT_TLS_DONE;
	}
	return AGENT_TLS_FAILED;
}

int agent_tls_check_ca_pem(const char *pem, size_t len, char *err, size_t errlen)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	X509 *cert = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	int rc = cert ? 0 : -1;

	if (!cert)
		tls_fail(err, errlen, "no PEM certificate in it");
	X509_free(cert);
	BIO_free(bio);
	ERR_clear_error();
	return rc;
}

/* A store holding every certificate of ca_pem; NULL on failure. */
static X509_STORE *store_from_pem(const char *ca_pem)
{
	X509_STORE *store = X509_STORE_new();
	BIO *bio = BIO_new_mem_buf(ca_pem, -1);
	X509 *ca;
	int n = 0;

	while (store && bio && (ca = PEM_read_bio_X509(bio, NULL, NULL, NULL))) {
		n += X509_STORE_add_cert(store, ca) == 1;
		X509_free(ca);
	}
	ERR_clear_error(); /* the read that ended the loop */
	BIO_free(bio);
	if (!n) {
		X509_STORE_free(store);
		return NULL;
	}
	return store;
}

static int check_chain(X509 *cert, const char *ca_pem, char *err, size_t errlen)
{
	X509_STORE *store = store_from_pem(ca_pem);
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int rc = -1;

	if (!store || !ctx || X509_STORE_CTX_init(ctx, store, cert, NULL) != 1 ||
	    X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_CLIENT) != 1) {
		tls_fail(err, errlen, "cannot check the issued certificate");
	} else if (X509_verify_cert(ctx) != 1) {
		snprintf(err, errlen, "the issued certificate does not verify against the CA: %s",
			 X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
	} else {
		rc = 0;
	}
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	ERR_clear_error();
	return rc;
}

int agent_tls_check_issued(const char *cert_pem, const char *key_pem, const char *ca_pem,
			   const char *instance_id, char *err, size_t errlen)
{
	BIO *cbio = BIO_new_mem_buf(cert_pem, -1), *kbio = BIO_new_mem_buf(key_pem, -1);
	X509 *cert = cbio ? PEM_read_bio_X509(cbio, NULL, NULL, NULL) : NULL;
	EVP_PKEY *key = kbio ? PEM_read_bio_PrivateKey(kbio, NULL, NULL, NULL) : NULL;
	char cn[128] = "";
	int rc = -1;

	if (!cert) {
		tls_fail(err, errlen, "the broker's answer holds no PEM certificate");
		goto out;
	}
	if (!key || X509_check_private_key(cert, key) != 1) {
		tls_fail(err, errlen, "the issued certificate is not for this agent's key");
		goto out;
	}
	X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof(cn));
	if (strcmp(cn, instance_id) != 0) {
		snprintf(err, errlen, "the issued certificate is for '%s', not for %s", cn,
			 instance_id);
		goto out;
	}
	rc = check_chain(cert, ca_pem, err, errlen);
out:
	X509_free(cert);
	EVP_PKEY_free(key);
	BIO_free(cbio);
	BIO_free(kbio);
	ERR_clear_error();
	return rc;
}
