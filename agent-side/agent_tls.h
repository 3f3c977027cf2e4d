/*
 * agent_tls.h — the agent's TLS client side, shared by `register` and `run`:
 *
 *  - an OpenSSL client context that trusts exactly one CA file (never the
 *    system's store), requires TLS 1.2 or newer, checks that the broker's
 *    certificate names the host of the broker URL, and, for the control
 *    channel, presents the agent's key and certificate; libwebsockets is
 *    given this context (provided_client_ssl_ctx) and does the handshakes;
 *  - a record of why a handshake failed (the verification error, the TLS
 *    alert the broker sent) turned into one plain sentence;
 *  - checks of the PEM texts registration deals with.
 *
 * Knows OpenSSL, not libwebsockets.
 */
#ifndef POSTERN_AGENT_TLS_H
#define POSTERN_AGENT_TLS_H

#include <stdbool.h>
#include <stddef.h>

#include <openssl/ssl.h>

#include "agent_url.h"

/* How far the last handshake got, and why it failed, as OpenSSL saw it. */
struct agent_tls_diag {
	bool hello_sent;      /* a ClientHello went out: TCP was connected */
	bool server_answered; /* a handshake message came back */
	bool finished_seen;   /* the broker's Finished came: handshake complete */
	int verify_error;     /* X509_V_OK, or the first error verifying the broker */
	int verify_depth;     /* where in the broker's chain it occurred */
	char alert[96];       /* description of a fatal alert the broker sent, or "" */
	bool client_cert;     /* this context presents a client certificate */
};

/* What agent_tls_explain found. */
enum agent_tls_stage {
	AGENT_TLS_NO_CONNECTION, /* TCP never connected (refused, unreachable, DNS) */
	AGENT_TLS_FAILED,        /* the handshake failed or was refused */
	AGENT_TLS_DONE,          /* TLS was fine: the failure came later */
};

/*
 * A client context trusting only ca_file, expecting the broker's certificate
 * to name url's host; with cert_file and key_file (both or neither) it
 * presents that certificate. diag must outlive the context: handshakes
 * record into it. NULL with a sentence in err (unreadable files, no
 * certificate in ca_file, key not matching the certificate). Free with
 * SSL_CTX_free after libwebsockets is done with it.
 */
SSL_CTX *agent_tls_context(const struct agent_url *url, const char *ca_file,
			   const char *cert_file, const char *key_file,
			   struct agent_tls_diag *diag, char *err, size_t errlen);

/* Clear the record before a new connection. */
void agent_tls_diag_reset(struct agent_tls_diag *diag);

/*
 * Record a verification step (from libwebsockets'
 * LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION: x509_store_ctx is
 * the callback's user pointer, preverify_ok its len). Always returns 0 (the
 * callback's "no objection": OpenSSL's own verdict stands).
 */
int agent_tls_note_verify(struct agent_tls_diag *diag, void *x509_store_ctx, int preverify_ok);

/*
 * Explain a failed connection to url from the record: returns the stage it
 * failed at, with one sentence in out for NO_CONNECTION and FAILED (naming
 * ca_file when the broker's certificate was not accepted, and including
 * libwebsockets' own text, lws_reason, which may be NULL). For DONE, out is
 * lws_reason and the caller knows better what went wrong.
 */
enum agent_tls_stage agent_tls_explain(const struct agent_tls_diag *diag,
				       const struct agent_url *url, const char *lws_reason,
				       const char *ca_file, char *out, size_t outlen);

/* 0 if pem holds at least one certificate, else -1 with a sentence. */
int agent_tls_check_ca_pem(const char *pem, size_t len, char *err, size_t errlen);

/*
 * Check the certificate a broker issued at registration: it parses, belongs
 * to key_pem, names instance_id, and verifies against ca_pem as a TLS client
 * certificate. 0, or -1 with a sentence.
 */
int agent_tls_check_issued(const char *cert_pem, const char *key_pem, const char *ca_pem,
			   const char *instance_id, char *err, size_t errlen);

#endif
