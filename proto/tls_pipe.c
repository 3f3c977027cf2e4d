/*
 * tls_pipe.c — TLS client over memory BIOs (see tls_pipe.h).
 *
 * Ciphertext in goes into a memory BIO OpenSSL reads from; what OpenSSL
 * writes lands in another memory BIO, from which tls_pipe_output() moves it
 * into one flat buffer the writer takes prefixes of.
 */
#include "proto_err.h"
#include "tls_pipe.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char alpn_http11[] = "\x08http/1.1";

struct tls_pipe {
	SSL *ssl;
	BIO *rbio, *wbio; /* owned by ssl once set */
	const struct tls_pipe_ops *ops;
	void *ctx;
	size_t out_max;
	bool established, in_input;
	int error;
	char error_text[160];

	uint8_t *plain; /* TLS_PIPE_CHUNK bytes: where records are decrypted to */

	uint8_t *out;   /* ciphertext moved out of wbio, [out_head, out_tail) pending */
	size_t out_head, out_tail, out_cap;
};

static int fail(struct tls_pipe *p, int err)
{
	unsigned long e = ERR_peek_last_error();

	if (p->error)
		return p->error;
	if (err == PROTO_E_TLS && SSL_get_verify_result(p->ssl) != X509_V_OK)
		err = PROTO_E_TLS_VERIFY;
	p->error = err;
	if (err == PROTO_E_TLS && e)
		ERR_error_string_n(e, p->error_text, sizeof(p->error_text));
	else if (err == PROTO_E_TLS)
		snprintf(p->error_text, sizeof(p->error_text), "the TLS session failed");
	ERR_clear_error();
	return err;
}

/* After an SSL call returned r: PROTO_OK to go on (it wants more input), or
 * the failure. */
static int judge(struct tls_pipe *p, int r)
{
	switch (SSL_get_error(p->ssl, r)) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE: /* memory BIOs never refuse a write */
		return PROTO_OK;
	case SSL_ERROR_ZERO_RETURN:
		return fail(p, PROTO_E_TLS_CLOSED);
	default:
		return fail(p, PROTO_E_TLS);
	}
}

static int handshake(struct tls_pipe *p)
{
	int r;

	ERR_clear_error();
	r = SSL_do_handshake(p->ssl);
	if (r == 1) {
		p->established = true;
		return PROTO_OK;
	}
	return judge(p, r);
}

/* Hand over the plaintext that the buffered records hold. */
static int read_plain(struct tls_pipe *p)
{
	for (;;) {
		int r;

		ERR_clear_error();
		r = SSL_read(p->ssl, p->plain, TLS_PIPE_CHUNK);
		if (r <= 0)
			return judge(p, r);
		p->ops->on_data(p->ctx, p->plain, (size_t)r);
		if (p->error)
			return p->error;
	}
}

int tls_pipe_input(struct tls_pipe *p, const uint8_t *data, size_t len)
{
	int rc = PROTO_OK;

	if (p->error)
		return p->error;
	if (p->in_input)
		return PROTO_E_STATE;
	if (len > INT_MAX || (len && BIO_write(p->rbio, data, (int)len) != (int)len))
		return fail(p, PROTO_E_NOMEM);
	p->in_input = true;
	if (!p->established)
		rc = handshake(p);
	if (rc == PROTO_OK && p->established)
		rc = read_plain(p);
	p->in_input = false;
	return rc;
}

bool tls_pipe_established(const struct tls_pipe *p)
{
	return p->established && !p->error;
}

/* Move what OpenSSL wrote into the flat output buffer. */
static int drain_wbio(struct tls_pipe *p)
{
	size_t pending = BIO_ctrl_pending(p->wbio), have = p->out_tail - p->out_head;

	if (!pending)
		return PROTO_OK;
	if (p->out_cap - p->out_tail < pending && p->out_head && p->out_head >= have) {
		/* slide only when that frees room and moves no more than it frees
		 * (never with nothing allocated yet: memmove wants real pointers) */
		memmove(p->out, p->out + p->out_head, have);
		p->out_head = 0;
		p->out_tail = have;
	}
	if (p->out_cap - p->out_tail < pending) {
		size_t cap = p->out_cap ? p->out_cap : 16384;
		uint8_t *grown;

		while (cap - p->out_tail < pending)
			cap *= 2;
		grown = realloc(p->out, cap);
		if (!grown)
			return fail(p, PROTO_E_NOMEM);
		p->out = grown;
		p->out_cap = cap;
	}
	if (BIO_read(p->wbio, p->out + p->out_tail, (int)pending) != (int)pending)
		return fail(p, PROTO_E_TLS);
	p->out_tail += pending;
	return PROTO_OK;
}

int tls_pipe_write(struct tls_pipe *p, const uint8_t *data, size_t len, size_t *taken)
{
	int n, r;

	*taken = 0;
	if (p->error)
		return p->error;
	if (!p->established || !len ||
	    tls_pipe_pending(p) >= p->out_max)
		return PROTO_OK;
	n = len > INT_MAX / 2 ? INT_MAX / 2 : (int)len;
	ERR_clear_error();
	r = SSL_write(p->ssl, data, n);
	if (r <= 0)
		return judge(p, r);
	*taken = (size_t)r;
	return PROTO_OK;
}

size_t tls_pipe_output(struct tls_pipe *p, const uint8_t **data)
{
	size_t pending;

	(void)drain_wbio(p); /* out of memory: what is buffered still goes */
	pending = p->out_tail - p->out_head;
	*data = pending ? p->out + p->out_head : NULL;
	return pending;
}

size_t tls_pipe_pending(const struct tls_pipe *p)
{
	return p->out_tail - p->out_head + BIO_ctrl_pending(p->wbio);
}

void tls_pipe_output_done(struct tls_pipe *p, size_t n)
{
	size_t pending = p->out_tail - p->out_head;

	p->out_head += n < pending ? n : pending;
	if (p->out_head == p->out_tail)
		p->out_head = p->out_tail = 0;
}

int tls_pipe_error(const struct tls_pipe *p)
{
	return p->error;
}

const char *tls_pipe_error_text(const struct tls_pipe *p)
{
	return p->error_text;
}

long tls_pipe_verify_result(const struct tls_pipe *p)
{
	return SSL_get_verify_result(p->ssl);
}

/* SNI and the name the certificate must carry. */
static int name_server(struct tls_pipe *p, const struct tls_pipe_config *cfg)
{
	X509_VERIFY_PARAM *param = SSL_get0_param(p->ssl);
	ASN1_OCTET_STRING *ip = cfg->server ? a2i_IPADDRESS(cfg->server) : NULL;

	if (ip) { /* an address: no SNI (RFC 6066 §3) */
		ASN1_OCTET_STRING_free(ip);
		return !cfg->check_name || X509_VERIFY_PARAM_set1_ip_asc(param, cfg->server) == 1
			       ? PROTO_OK
			       : PROTO_E_TLS;
	}
	if (cfg->server && SSL_set_tlsext_host_name(p->ssl, cfg->server) != 1)
		return PROTO_E_TLS;
	return !cfg->check_name || SSL_set1_host(p->ssl, cfg->server) == 1 ? PROTO_OK
									  : PROTO_E_TLS;
}

int tls_pipe_new(const struct tls_pipe_config *cfg, const struct tls_pipe_ops *ops, void *ctx,
		 struct tls_pipe **out)
{
	struct tls_pipe *p;
	int rc;

	if (!cfg->ssl_ctx || (cfg->check_name && !cfg->server))
		return PROTO_E_INVALID_ARG;
	p = calloc(1, sizeof(*p));
	if (!p)
		return PROTO_E_NOMEM;
	p->ops = ops;
	p->ctx = ctx;
	p->out_max = cfg->out_max;
	p->plain = malloc(TLS_PIPE_CHUNK);
	p->ssl = SSL_new(cfg->ssl_ctx);
	p->rbio = BIO_new(BIO_s_mem());
	p->wbio = BIO_new(BIO_s_mem());
	if (!p->plain || !p->ssl || !p->rbio || !p->wbio) {
		BIO_free(p->rbio);
		BIO_free(p->wbio);
		tls_pipe_free(p);
		return PROTO_E_NOMEM;
	}
	BIO_set_mem_eof_return(p->rbio, -1); /* empty: "want more", not EOF */
	BIO_set_mem_eof_return(p->wbio, -1);
	SSL_set_bio(p->ssl, p->rbio, p->wbio); /* the SSL owns them from here */
	SSL_set_connect_state(p->ssl);
	rc = name_server(p, cfg);
	if (rc == PROTO_OK && SSL_set_alpn_protos(p->ssl, alpn_http11, sizeof(alpn_http11) - 1))
		rc = PROTO_E_TLS;
	if (rc == PROTO_OK)
		rc = handshake(p); /* the ClientHello */
	if (rc != PROTO_OK) {
		ERR_clear_error();
		tls_pipe_free(p);
		return rc;
	}
	*out = p;
	return PROTO_OK;
}

void tls_pipe_free(struct tls_pipe *p)
{
	if (!p)
		return;
	SSL_free(p->ssl);
	free(p->plain);
	free(p->out);
	free(p);
}
