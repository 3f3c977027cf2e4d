/*
 * tls_pipe.h — the client side of a TLS connection over memory (OpenSSL with
 * memory BIOs), without I/O: the caller moves the ciphertext between the
 * socket and the pipe, the pipe turns it into plaintext and back.
 *
 * Why: the socket stays in the caller's event loop, which reads and writes
 * it in large chunks (one read for many TLS records, one write for all the
 * records produced since the last one), where OpenSSL on a socket makes one
 * system call per record.
 *
 *   start     tls_pipe_new() puts the ClientHello in the output. The
 *             handshake runs as the server's bytes come in; the certificate
 *             is checked against the context's trust (the caller sets
 *             SSL_VERIFY_PEER on it) and, with cfg.check_name, against
 *             cfg.server: a DNS name (also sent as SNI) or an IP address
 *             (v4 or v6 literal, without brackets).
 *   receive   tls_pipe_input() takes ciphertext and hands the plaintext it
 *             yields to ops->on_data in chunks of up to TLS_PIPE_CHUNK bytes.
 *   send      tls_pipe_write() encrypts plaintext into the output once the
 *             handshake is done, taking nothing while cfg.out_max bytes of
 *             ciphertext wait. tls_pipe_output()/_output_done() hand the
 *             ciphertext to the writer.
 *
 * Errors are final (every later call returns the same): PROTO_E_TLS (the
 * handshake or a record failed; tls_pipe_error_text() says what OpenSSL
 * said), PROTO_E_TLS_VERIFY (the server's certificate was not accepted;
 * tls_pipe_verify_result() gives the X509_V_ERR_* code), PROTO_E_TLS_CLOSED
 * (the server sent close_notify).
 */
#ifndef POSTERN_TLS_PIPE_H
#define POSTERN_TLS_PIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#define TLS_PIPE_CHUNK (64u * 1024u) /* plaintext handed over per on_data call, at most */

struct tls_pipe_ops {
	/* Plaintext from the server, in order; valid and writable during the call. */
	void (*on_data)(void *ctx, uint8_t *data, size_t len);
};

struct tls_pipe_config {
	SSL_CTX *ssl_ctx;   /* a client context: trust, verification mode, versions */
	const char *server; /* host name or IP literal the certificate must show */
	bool check_name;    /* check it (else only the chain is verified) */
	size_t out_max;     /* ciphertext waiting beyond which writes take nothing */
};

struct tls_pipe;

/* PROTO_OK, PROTO_E_INVALID_ARG (no context, or check_name without a
 * server), PROTO_E_TLS (OpenSSL refused to set up), PROTO_E_NOMEM. */
int tls_pipe_new(const struct tls_pipe_config *cfg, const struct tls_pipe_ops *ops, void *ctx,
		 struct tls_pipe **out);

void tls_pipe_free(struct tls_pipe *p);

/* Ciphertext from the server. PROTO_OK or a final error (see above). Not
 * re-entrant: from ops->on_data it returns PROTO_E_STATE. */
int tls_pipe_input(struct tls_pipe *p, const uint8_t *data, size_t len);

/* Whether the handshake is complete. */
bool tls_pipe_established(const struct tls_pipe *p);

/* Encrypt up to len bytes; *taken gets how many (0 before the handshake is
 * done or while the output is full). PROTO_OK or a final error. */
int tls_pipe_write(struct tls_pipe *p, const uint8_t *data, size_t len, size_t *taken);

/* Ciphertext waiting to be written; *data points at it (NULL when none). */
size_t tls_pipe_output(struct tls_pipe *p, const uint8_t **data);

/* Ciphertext waiting, without preparing it for the writer. */
size_t tls_pipe_pending(const struct tls_pipe *p);

/* n bytes of it were written (n <= what tls_pipe_output gave). */
void tls_pipe_output_done(struct tls_pipe *p, size_t n);

/* The error that failed the pipe, PROTO_OK while it has not. */
int tls_pipe_error(const struct tls_pipe *p);

/* OpenSSL's words for a PROTO_E_TLS failure ("" otherwise). */
const char *tls_pipe_error_text(const struct tls_pipe *p);

/* The certificate verification result (X509_V_OK until one failed). */
long tls_pipe_verify_result(const struct tls_pipe *p);

#endif
