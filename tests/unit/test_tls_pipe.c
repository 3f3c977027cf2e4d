/*
 * test_tls_pipe.c — the TLS client over memory BIOs (proto/tls_pipe.c) and
 * the websocket over it (proto/ws_link.c), against tls_pipe.h and ws_link.h.
 *
 * The server is a real OpenSSL server SSL on its own memory BIOs, with a CA
 * and certificates (EC P-256) made here; the test moves the bytes between
 * the two ends by hand.
 *
 * Covers: the handshake in TLS 1.3 and (server capped) 1.2, data both ways
 * byte-exact, 1 MiB each way (on_data chunks of at most TLS_PIPE_CHUNK, the
 * out_max bound on writes), ciphertext one byte at a time; an untrusted CA,
 * a DNS name the certificate lacks, IP literals against IP SANs, SNI sent
 * for names only; sticky errors, garbage ciphertext, close_notify,
 * re-entrant input, bad arguments. ws_link: the upgrade request leaves only
 * after the handshake, the 101 and a frame in one record, a masked message
 * intact on the server side, plain mode unchanged, ws_link_pending.
 */
#include <criterion/criterion.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_err.h"
#include "tls_pipe.h"
#include "ws_client.h"
#include "ws_frame.h"
#include "ws_link.h"
#include "ws_test_util.h"

#define MIB (1024u * 1024u)

/* ---- keys and certificates --------------------------------------------------------- */

static EVP_PKEY *key_new(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	cr_assert_not_null(k);
	return k;
}

static void cert_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *e;

	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	e = X509V3_EXT_nconf_nid(NULL, &v3, nid, value);
	cr_assert_not_null(e);
	cr_assert_eq(X509_add_ext(x, e, -1), 1);
	X509_EXTENSION_free(e);
}

/* A certificate for key named cn, signed by ca_key/ca (self-signed when ca
 * is NULL: then a CA); san is the subjectAltName value, or NULL. */
static X509 *cert_new(EVP_PKEY *key, const char *cn, X509 *ca, EVP_PKEY *ca_key, const char *san)
{
	X509 *x = X509_new();

	cr_assert_not_null(x);
	cr_assert_eq(X509_set_version(x, X509_VERSION_3), 1);
	cr_assert_eq(ASN1_INTEGER_set(X509_get_serialNumber(x), ca ? 2 : 1), 1);
	cr_assert_eq(X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_UTF8,
						(const unsigned char *)cn, -1, -1, 0),
		     1);
	cr_assert_eq(X509_set_issuer_name(x, X509_get_subject_name(ca ? ca : x)), 1);
	cr_assert_not_null(X509_gmtime_adj(X509_getm_notBefore(x), -3600));
	cr_assert_not_null(X509_gmtime_adj(X509_getm_notAfter(x), 86400));
	cr_assert_eq(X509_set_pubkey(x, key), 1);
	if (!ca) {
		cert_ext(x, NULL, NID_basic_constraints, "critical,CA:TRUE");
		cert_ext(x, NULL, NID_key_usage, "critical,keyCertSign,cRLSign");
	}
	if (san)
		cert_ext(x, ca, NID_subject_alt_name, san);
	cr_assert_gt(X509_sign(x, ca ? ca_key : key, EVP_sha256()), 0);
	return x;
}

static const char *const san_std = "DNS:localhost,IP:127.0.0.1,IP:::1";

/* A trusted CA, a server certificate from it (SANs given) and the contexts. */
struct pki {
	EVP_PKEY *ca_key, *key;
	X509 *ca, *cert;
	SSL_CTX *client_ctx, *server_ctx;
};

static void pki_init(struct pki *k, const char *san, bool untrusted, int server_max_version)
{
	EVP_PKEY *other_key = NULL;
	X509 *other = NULL;

	memset(k, 0, sizeof(*k));
	k->ca_key = key_new();
	k->key = key_new();
	k->ca = cert_new(k->ca_key, "postern test CA", NULL, NULL, NULL);
	k->cert = cert_new(k->key, "localhost", k->ca, k->ca_key, san);
	if (untrusted) { /* the client trusts another CA */
		other_key = key_new();
		other = cert_new(other_key, "postern other CA", NULL, NULL, NULL);
	}

	k->client_ctx = SSL_CTX_new(TLS_client_method());
	cr_assert_not_null(k->client_ctx);
	SSL_CTX_set_verify(k->client_ctx, SSL_VERIFY_PEER, NULL);
	cr_assert_eq(X509_STORE_add_cert(SSL_CTX_get_cert_store(k->client_ctx),
					 untrusted ? other : k->ca),
		     1);

	k->server_ctx = SSL_CTX_new(TLS_server_method());
	cr_assert_not_null(k->server_ctx);
	cr_assert_eq(SSL_CTX_use_certificate(k->server_ctx, k->cert), 1);
	cr_assert_eq(SSL_CTX_use_PrivateKey(k->server_ctx, k->key), 1);
	if (server_max_version)
		cr_assert_eq(SSL_CTX_set_max_proto_version(k->server_ctx, server_max_version), 1);
	X509_free(other);
	EVP_PKEY_free(other_key);
}

static void pki_free(struct pki *k)
{
	SSL_CTX_free(k->client_ctx);
	SSL_CTX_free(k->server_ctx);
	X509_free(k->ca);
	X509_free(k->cert);
	EVP_PKEY_free(k->ca_key);
	EVP_PKEY_free(k->key);
}

/* ---- the server end ---------------------------------------------------------------- */

struct server {
	SSL *ssl;
	BIO *rbio, *wbio; /* owned by ssl */
};

static void server_init(struct server *s, SSL_CTX *ctx)
{
	s->ssl = SSL_new(ctx);
	s->rbio = BIO_new(BIO_s_mem());
	s->wbio = BIO_new(BIO_s_mem());
	cr_assert(s->ssl && s->rbio && s->wbio);
	BIO_set_mem_eof_return(s->rbio, -1);
	BIO_set_mem_eof_return(s->wbio, -1);
	SSL_set_bio(s->ssl, s->rbio, s->wbio);
	SSL_set_accept_state(s->ssl);
}

static void server_free(struct server *s)
{
	SSL_free(s->ssl);
}

/* Give the server ciphertext. */
static void server_feed(struct server *s, const uint8_t *data, size_t len)
{
	if (len)
		cr_assert_eq(BIO_write(s->rbio, data, (int)len), (int)len);
}

/* The server's ciphertext so far (malloc'd; *len may be 0). */
static uint8_t *server_take(struct server *s, size_t *len)
{
	size_t n = BIO_ctrl_pending(s->wbio);
	uint8_t *b = malloc(n ? n : 1);

	cr_assert_not_null(b);
	if (n)
		cr_assert_eq(BIO_read(s->wbio, b, (int)n), (int)n);
	*len = n;
	return b;
}

/* Advance the server's handshake; false once it failed. */
static bool server_step(struct server *s)
{
	int r;

	if (SSL_is_init_finished(s->ssl))
		return true;
	r = SSL_do_handshake(s->ssl);
	if (r == 1)
		return true;
	r = SSL_get_error(s->ssl, r);
	ERR_clear_error();
	return r == SSL_ERROR_WANT_READ || r == SSL_ERROR_WANT_WRITE;
}

/* Plaintext the server can read now, appended to buf (cap bytes); new length. */
static size_t server_read(struct server *s, uint8_t *buf, size_t have, size_t cap)
{
	for (;;) {
		int r = SSL_read(s->ssl, buf + have, (int)(cap - have));

		if (r <= 0) {
			cr_assert_eq(SSL_get_error(s->ssl, r), SSL_ERROR_WANT_READ);
			ERR_clear_error();
			return have;
		}
		have += (size_t)r;
		if (have == cap)
			return have;
	}
}

static void server_write(struct server *s, const void *data, size_t len)
{
	size_t written = 0;

	cr_assert_eq(SSL_write_ex(s->ssl, data, len, &written), 1);
	cr_assert_eq(written, len);
}

/* ---- the client end ---------------------------------------------------------------- */

struct client {
	struct tls_pipe *p;
	uint8_t *got; /* plaintext received */
	size_t got_len, got_cap;
	size_t calls, max_chunk;
	int reenter_rc; /* when reenter: what tls_pipe_input said from on_data */
	bool reenter;
};

static void client_on_data(void *ctx, uint8_t *data, size_t len)
{
	struct client *c = ctx;

	cr_assert_gt(len, 0);
	cr_assert_leq(c->got_len + len, c->got_cap, "more plaintext than expected");
	memcpy(c->got + c->got_len, data, len);
	c->got_len += len;
	c->calls++;
	if (len > c->max_chunk)
		c->max_chunk = len;
	if (c->reenter)
		c->reenter_rc = tls_pipe_input(c->p, (const uint8_t *)"x", 1);
}

static const struct tls_pipe_ops client_ops = {client_on_data};

static void client_init(struct client *c, const struct pki *k, const char *server,
			bool check_name, size_t out_max)
{
	struct tls_pipe_config cfg = {.ssl_ctx = k->client_ctx, .server = server,
				      .check_name = check_name, .out_max = out_max};

	memset(c, 0, sizeof(*c));
	c->got_cap = 2 * MIB;
	c->got = malloc(c->got_cap);
	cr_assert_not_null(c->got);
	cr_assert_eq(tls_pipe_new(&cfg, &client_ops, c, &c->p), PROTO_OK);
	cr_assert_not_null(c->p);
	cr_assert_not(tls_pipe_established(c->p));
}

static void client_free(struct client *c)
{
	tls_pipe_free(c->p);
	free(c->got);
}

/* Move the client's whole output to the server; how many bytes. */
static size_t client_to_server(struct tls_pipe *p, struct server *s)
{
	const uint8_t *data;
	size_t n = tls_pipe_output(p, &data);

	if (n)
		server_feed(s, data, n);
	else
		cr_assert_null(data);
	tls_pipe_output_done(p, n);
	return n;
}

/* Move the server's ciphertext to the client, in pieces of step bytes (0:
 * all at once); tls_pipe_input's first error, else PROTO_OK. */
static int server_to_client(struct server *s, struct tls_pipe *p, size_t step)
{
	size_t n;
	uint8_t *b = server_take(s, &n);
	int rc = PROTO_OK;

	for (size_t off = 0; off < n && rc == PROTO_OK;) {
		size_t k = step && n - off > step ? step : n - off;

		rc = tls_pipe_input(p, b + off, k);
		off += k;
	}
	free(b);
	return rc;
}

/* Run the handshake to its end; the client's error, PROTO_OK once both
 * ends are done. */
static int handshake(struct client *c, struct server *s, size_t step)
{
	for (int round = 0; round < 16; round++) {
		int rc;

		client_to_server(c->p, s);
		if (!server_step(s)) {
			/* the server gave up: it may still have sent an alert */
			rc = server_to_client(s, c->p, step);
			return rc != PROTO_OK ? rc : PROTO_E_TLS;
		}
		rc = server_to_client(s, c->p, step);
		if (rc != PROTO_OK)
			return rc;
		if (tls_pipe_established(c->p) && SSL_is_init_finished(s->ssl)) {
			client_to_server(c->p, s); /* nothing must be left behind */
			return PROTO_OK;
		}
	}
	cr_assert_fail("the handshake did not finish");
	return PROTO_E_TLS;
}

static void fill(uint8_t *b, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		b[i] = (uint8_t)(seed >> 16);
	}
}

/* Every call reports err once the pipe failed with it. */
static void assert_failed_with(struct client *c, int err)
{
	size_t taken = 99;

	cr_assert_eq(tls_pipe_error(c->p), err);
	cr_assert_not(tls_pipe_established(c->p));
	cr_assert_eq(tls_pipe_input(c->p, (const uint8_t *)"\x17\x03\x03\x00\x01x", 6), err);
	cr_assert_eq(tls_pipe_write(c->p, (const uint8_t *)"x", 1, &taken), err);
	cr_assert_eq(taken, 0);
	cr_assert_eq(tls_pipe_error(c->p), err);
}

/* Client and server past the handshake over a CA the client trusts. */
struct pair {
	struct pki k;
	struct server s;
	struct client c;
};

static void pair_open(struct pair *x, const char *server, int server_max_version, size_t out_max)
{
	pki_init(&x->k, san_std, false, server_max_version);
	server_init(&x->s, x->k.server_ctx);
	client_init(&x->c, &x->k, server, true, out_max);
	cr_assert_eq(handshake(&x->c, &x->s, 0), PROTO_OK);
	cr_assert(tls_pipe_established(x->c.p));
	cr_assert_eq(tls_pipe_error(x->c.p), PROTO_OK);
	cr_assert_str_empty(tls_pipe_error_text(x->c.p));
	cr_assert_eq(tls_pipe_verify_result(x->c.p), X509_V_OK);
}

static void pair_close(struct pair *x)
{
	client_free(&x->c);
	server_free(&x->s);
	pki_free(&x->k);
}

/* A short exchange each way, byte-exact. */
static void ping_pong(struct pair *x)
{
	static const char up[] = "GET / HTTP/1.1\r\n\r\n", down[] = "HTTP/1.1 200 OK\r\n\r\n";
	uint8_t buf[64];
	size_t taken = 0, n;

	cr_assert_eq(tls_pipe_write(x->c.p, (const uint8_t *)up, sizeof(up) - 1, &taken), PROTO_OK);
	cr_assert_eq(taken, sizeof(up) - 1);
	cr_assert_gt(client_to_server(x->c.p, &x->s), sizeof(up) - 1);
	n = server_read(&x->s, buf, 0, sizeof(buf));
	cr_assert_eq(n, sizeof(up) - 1);
	cr_assert_arr_eq(buf, up, n);

	x->c.got_len = 0;
	server_write(&x->s, down, sizeof(down) - 1);
	cr_assert_eq(server_to_client(&x->s, x->c.p, 0), PROTO_OK);
	cr_assert_eq(x->c.got_len, sizeof(down) - 1);
	cr_assert_arr_eq(x->c.got, down, sizeof(down) - 1);
}

/* ---- tls_pipe: handshake and data ------------------------------------------------------- */

Test(tls_pipe, tls13_handshake_and_data)
{
	struct pair x;

	pair_open(&x, "localhost", 0, 1u << 20);
	cr_assert_eq(SSL_version(x.s.ssl), TLS1_3_VERSION);
	ping_pong(&x);
	pair_close(&x);
}

Test(tls_pipe, tls12_handshake_and_data)
{
	struct pair x;

	pair_open(&x, "localhost", TLS1_2_VERSION, 1u << 20);
	cr_assert_eq(SSL_version(x.s.ssl), TLS1_2_VERSION);
	ping_pong(&x);
	pair_close(&x);
}

Test(tls_pipe, nothing_is_taken_before_the_handshake)
{
	struct pki k;
	struct client c;
	const uint8_t *data;
	size_t taken = 7, n;

	pki_init(&k, san_std, false, 0);
	client_init(&c, &k, "localhost", true, 1u << 20);
	n = tls_pipe_output(c.p, &data);
	cr_assert_gt(n, 5, "no ClientHello");
	cr_assert_eq(data[0], 0x16, "not a handshake record");
	cr_assert_eq(tls_pipe_pending(c.p), n);
	cr_assert_eq(tls_pipe_write(c.p, (const uint8_t *)"x", 1, &taken), PROTO_OK);
	cr_assert_eq(taken, 0);
	cr_assert_eq(tls_pipe_pending(c.p), n);
	client_free(&c);
	pki_free(&k);
}

Test(tls_pipe, one_mib_down_in_bounded_chunks)
{
	struct pair x;
	uint8_t *big = malloc(MIB);

	cr_assert_not_null(big);
	fill(big, MIB, 1);
	pair_open(&x, "localhost", 0, 1u << 20);
	x.c.got_len = 0;
	server_write(&x.s, big, MIB);
	cr_assert_eq(server_to_client(&x.s, x.c.p, 0), PROTO_OK); /* all in one input */
	cr_assert_eq(x.c.got_len, MIB);
	cr_assert_arr_eq(x.c.got, big, MIB);
	cr_assert_leq(x.c.max_chunk, TLS_PIPE_CHUNK);
	cr_assert_geq(x.c.calls, MIB / TLS_PIPE_CHUNK);
	free(big);
	pair_close(&x);
}

Test(tls_pipe, one_mib_up_within_out_max)
{
	enum { OUT_MAX = 40000, PIECE = 5000 };
	struct pair x;
	uint8_t *big = malloc(MIB), *seen = malloc(MIB);
	size_t off = 0, have = 0;
	int refusals = 0;

	cr_assert(big && seen);
	fill(big, MIB, 2);
	pair_open(&x, "localhost", 0, OUT_MAX);
	while (off < MIB) {
		size_t k = MIB - off < PIECE ? MIB - off : PIECE, taken = 0;
		size_t before = tls_pipe_pending(x.c.p);

		cr_assert_eq(tls_pipe_write(x.c.p, big + off, k, &taken), PROTO_OK);
		if (before >= OUT_MAX) {
			/* full: nothing taken, nothing added, until the writer drains */
			cr_assert_eq(taken, 0);
			cr_assert_eq(tls_pipe_pending(x.c.p), before);
			refusals++;
			cr_assert_gt(client_to_server(x.c.p, &x.s), 0);
			cr_assert_eq(tls_pipe_pending(x.c.p), 0);
			have = server_read(&x.s, seen, have, MIB);
			continue;
		}
		cr_assert_gt(taken, 0);
		cr_assert_leq(taken, k);
		/* a write below the bound adds at most one piece's records */
		cr_assert_lt(tls_pipe_pending(x.c.p), OUT_MAX + PIECE + 256);
		off += taken;
	}
	client_to_server(x.c.p, &x.s);
	have = server_read(&x.s, seen, have, MIB);
	cr_assert_eq(have, MIB);
	cr_assert_arr_eq(seen, big, MIB);
	cr_assert_geq(refusals, MIB / OUT_MAX - 1);
	free(big);
	free(seen);
	pair_close(&x);
}

Test(tls_pipe, output_taken_in_parts_keeps_order)
{
	struct pair x;
	uint8_t msg[3000], seen[3000];
	const uint8_t *data;
	size_t taken = 0, n, have = 0;

	fill(msg, sizeof(msg), 3);
	pair_open(&x, "localhost", 0, 1u << 20);
	cr_assert_eq(tls_pipe_write(x.c.p, msg, sizeof(msg), &taken), PROTO_OK);
	cr_assert_eq(taken, sizeof(msg));
	while ((n = tls_pipe_output(x.c.p, &data)) > 0) {
		size_t k = n < 7 ? n : 7; /* a writer that takes 7 bytes a time */

		server_feed(&x.s, data, k);
		tls_pipe_output_done(x.c.p, k);
		cr_assert_eq(tls_pipe_pending(x.c.p), n - k);
	}
	cr_assert_null(data);
	have = server_read(&x.s, seen, have, sizeof(seen));
	cr_assert_eq(have, sizeof(msg));
	cr_assert_arr_eq(seen, msg, sizeof(msg));
	pair_close(&x);
}

Test(tls_pipe, ciphertext_one_byte_at_a_time)
{
	struct pki k;
	struct server s;
	struct client c;
	uint8_t msg[20000];

	fill(msg, sizeof(msg), 4);
	pki_init(&k, san_std, false, 0);
	server_init(&s, k.server_ctx);
	client_init(&c, &k, "localhost", true, 1u << 20);
	cr_assert_eq(handshake(&c, &s, 1), PROTO_OK);
	server_write(&s, msg, sizeof(msg));
	cr_assert_eq(server_to_client(&s, c.p, 1), PROTO_OK);
	cr_assert_eq(c.got_len, sizeof(msg));
	cr_assert_arr_eq(c.got, msg, sizeof(msg));
	client_free(&c);
	server_free(&s);
	pki_free(&k);
}

/* ---- tls_pipe: the certificate --------------------------------------------------------- */

/* Handshake against a server with san, the client naming server; the
 * client's result and, when it failed, the pipe is checked sticky. */
static int try_handshake(const char *san, bool untrusted, const char *server, bool check_name,
			 long *verify, char *sni, size_t sni_cap)
{
	struct pki k;
	struct server s;
	struct client c;
	const char *name;
	int rc;

	pki_init(&k, san, untrusted, 0);
	server_init(&s, k.server_ctx);
	client_init(&c, &k, server, check_name, 1u << 20);
	rc = handshake(&c, &s, 0);
	*verify = tls_pipe_verify_result(c.p);
	if (rc != PROTO_OK)
		assert_failed_with(&c, rc);
	name = SSL_get_servername(s.ssl, TLSEXT_NAMETYPE_host_name);
	if (sni)
		snprintf(sni, sni_cap, "%s", name ? name : "(none)");
	client_free(&c);
	server_free(&s);
	pki_free(&k);
	return rc;
}

Test(tls_pipe, untrusted_ca_is_a_verify_error)
{
	long verify;

	cr_assert_eq(try_handshake(san_std, true, "localhost", true, &verify, NULL, 0),
		     PROTO_E_TLS_VERIFY);
	cr_assert_eq(verify, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, "verify %ld", verify);
	/* not even without the name check */
	cr_assert_eq(try_handshake(san_std, true, "localhost", false, &verify, NULL, 0),
		     PROTO_E_TLS_VERIFY);
}

Test(tls_pipe, dns_name_the_certificate_lacks)
{
	long verify;

	cr_assert_eq(try_handshake(san_std, false, "broker.example", true, &verify, NULL, 0),
		     PROTO_E_TLS_VERIFY);
	cr_assert_eq(verify, X509_V_ERR_HOSTNAME_MISMATCH, "verify %ld", verify);
	/* without check_name only the chain counts */
	cr_assert_eq(try_handshake(san_std, false, "broker.example", false, &verify, NULL, 0),
		     PROTO_OK);
	cr_assert_eq(verify, X509_V_OK);
}

Test(tls_pipe, ip_literals_against_ip_sans)
{
	long verify;

	cr_assert_eq(try_handshake(san_std, false, "127.0.0.1", true, &verify, NULL, 0), PROTO_OK);
	cr_assert_eq(try_handshake(san_std, false, "::1", true, &verify, NULL, 0), PROTO_OK);

	cr_assert_eq(try_handshake("DNS:localhost,IP:10.0.0.1,IP:::2", false, "127.0.0.1", true,
				   &verify, NULL, 0),
		     PROTO_E_TLS_VERIFY);
	cr_assert_eq(verify, X509_V_ERR_IP_ADDRESS_MISMATCH, "verify %ld", verify);
	cr_assert_eq(try_handshake("DNS:localhost,IP:10.0.0.1,IP:::2", false, "::1", true, &verify,
				   NULL, 0),
		     PROTO_E_TLS_VERIFY);
	cr_assert_eq(verify, X509_V_ERR_IP_ADDRESS_MISMATCH, "verify %ld", verify);
	/* a name that spells the address does not match an IP SAN as a DNS name */
	cr_assert_eq(try_handshake("DNS:localhost", false, "127.0.0.1", true, &verify, NULL, 0),
		     PROTO_E_TLS_VERIFY);
}

Test(tls_pipe, sni_for_names_only)
{
	long verify;
	char sni[64];

	cr_assert_eq(try_handshake(san_std, false, "localhost", true, &verify, sni, sizeof(sni)),
		     PROTO_OK);
	cr_assert_str_eq(sni, "localhost");
	cr_assert_eq(try_handshake(san_std, false, "127.0.0.1", true, &verify, sni, sizeof(sni)),
		     PROTO_OK);
	cr_assert_str_eq(sni, "(none)");
	cr_assert_eq(try_handshake(san_std, false, "::1", true, &verify, sni, sizeof(sni)),
		     PROTO_OK);
	cr_assert_str_eq(sni, "(none)");
}

/* ---- tls_pipe: failures ---------------------------------------------------------------- */

Test(tls_pipe, garbage_ciphertext)
{
	static const char http[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
	struct pki k;
	struct client c;

	pki_init(&k, san_std, false, 0);
	client_init(&c, &k, "localhost", true, 1u << 20);
	cr_assert_eq(tls_pipe_input(c.p, (const uint8_t *)http, sizeof(http) - 1), PROTO_E_TLS);
	cr_assert_str_not_empty(tls_pipe_error_text(c.p));
	cr_assert_eq(tls_pipe_verify_result(c.p), X509_V_OK);
	assert_failed_with(&c, PROTO_E_TLS);
	client_free(&c);
	pki_free(&k);
}

Test(tls_pipe, garbage_after_the_handshake)
{
	struct pair x;
	uint8_t junk[64];

	pair_open(&x, "localhost", 0, 1u << 20);
	memset(junk, 0, sizeof(junk));
	junk[0] = 0x17; /* application data, then a record that cannot decrypt */
	junk[1] = 0x03;
	junk[2] = 0x03;
	junk[4] = sizeof(junk) - 5;
	cr_assert_eq(tls_pipe_input(x.c.p, junk, sizeof(junk)), PROTO_E_TLS);
	cr_assert_str_not_empty(tls_pipe_error_text(x.c.p));
	assert_failed_with(&x.c, PROTO_E_TLS);
	pair_close(&x);
}

Test(tls_pipe, close_notify_after_data)
{
	struct pair x;

	pair_open(&x, "localhost", 0, 1u << 20);
	x.c.got_len = 0;
	server_write(&x.s, "last words", 10);
	cr_assert_geq(SSL_shutdown(x.s.ssl), 0);
	cr_assert_eq(server_to_client(&x.s, x.c.p, 0), PROTO_E_TLS_CLOSED);
	cr_assert_eq(x.c.got_len, 10, "the data before close_notify is delivered");
	cr_assert_arr_eq(x.c.got, "last words", 10);
	cr_assert_str_empty(tls_pipe_error_text(x.c.p));
	assert_failed_with(&x.c, PROTO_E_TLS_CLOSED);
	pair_close(&x);
}

Test(tls_pipe, input_from_on_data_is_refused)
{
	struct pair x;

	pair_open(&x, "localhost", 0, 1u << 20);
	x.c.got_len = 0;
	x.c.reenter = true;
	server_write(&x.s, "abc", 3);
	cr_assert_eq(server_to_client(&x.s, x.c.p, 0), PROTO_OK);
	cr_assert_eq(x.c.reenter_rc, PROTO_E_STATE);
	cr_assert_eq(tls_pipe_error(x.c.p), PROTO_OK, "a refused re-entry does not fail the pipe");
	x.c.reenter = false;
	ping_pong(&x);
	pair_close(&x);
}

Test(tls_pipe, new_arguments)
{
	struct pki k;
	struct tls_pipe *p = NULL;
	struct tls_pipe_config cfg = {.ssl_ctx = NULL, .server = "localhost", .check_name = true,
				      .out_max = 1024};

	pki_init(&k, san_std, false, 0);
	cr_assert_eq(tls_pipe_new(&cfg, &client_ops, NULL, &p), PROTO_E_INVALID_ARG);
	cr_assert_null(p);
	cfg.ssl_ctx = k.client_ctx;
	cfg.server = NULL;
	cr_assert_eq(tls_pipe_new(&cfg, &client_ops, NULL, &p), PROTO_E_INVALID_ARG);
	cr_assert_null(p);
	cfg.check_name = false; /* no name, no check: allowed */
	cr_assert_eq(tls_pipe_new(&cfg, &client_ops, NULL, &p), PROTO_OK);
	cr_assert_not_null(p);
	tls_pipe_free(p);
	tls_pipe_free(NULL);
	pki_free(&k);
}

/* ---- ws_link ---------------------------------------------------------------------------- */

struct app {
	int opened, messages, closes;
	uint8_t msg[256];
	size_t msg_len;
	bool msg_text;
	uint64_t rng;
};

static void app_open(void *ctx)
{
	((struct app *)ctx)->opened++;
}

static void app_message(void *ctx, bool text, uint8_t *data, size_t len)
{
	struct app *a = ctx;

	cr_assert_leq(len, sizeof(a->msg));
	memcpy(a->msg, data, len);
	a->msg_len = len;
	a->msg_text = text;
	a->messages++;
}

static void app_close(void *ctx, const struct ws_close *close)
{
	(void)close;
	((struct app *)ctx)->closes++;
}

static void app_random(void *ctx, uint8_t *buf, size_t len)
{
	struct app *a = ctx;

	for (size_t i = 0; i < len; i++) {
		a->rng = a->rng * 6364136223846793005ull + 1442695040888963407ull;
		buf[i] = (uint8_t)(a->rng >> 56);
	}
}

static const struct ws_client_ops app_ops = {app_open, app_message, app_close, app_random};

static const char *const upgrade_path = "/v1/data-channel/s-1?role=publish_subscribe";

static struct ws_link *link_new(struct app *a, const struct pki *k, bool use_tls, size_t tls_max)
{
	struct ws_link_config cfg = {
		.ws = {.host = "localhost:8443", .path = upgrade_path, .out_max = 1u << 16},
		.use_tls = use_tls,
		.tls = {.ssl_ctx = k ? k->client_ctx : NULL, .server = "localhost",
			.check_name = true, .out_max = tls_max},
	};
	struct ws_link *l = NULL;

	memset(a, 0, sizeof(*a));
	a->rng = 0x0123456789abcdefull;
	cr_assert_eq(ws_link_new(&cfg, &app_ops, a, 0, &l), PROTO_OK);
	cr_assert_not_null(l);
	return l;
}

/* The 101 response for the request in req (NUL-terminated) into out. */
static size_t response_for(const char *req, char *out, size_t cap)
{
	const char *key = strstr(req, "Sec-WebSocket-Key: ");
	char key_b64[32], accept[29];
	size_t n;
	int w;

	cr_assert_not_null(key, "no key in the request");
	key += strlen("Sec-WebSocket-Key: ");
	n = strcspn(key, "\r");
	cr_assert_lt(n, sizeof(key_b64));
	memcpy(key_b64, key, n);
	key_b64[n] = '\0';
	cr_assert_eq(ws_test_accept(key_b64, accept), 0);
	w = snprintf(out, cap,
		     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
		     "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
		     accept);
	cr_assert(w > 0 && (size_t)w < cap);
	return (size_t)w;
}

/* Move the link's output to the server; how many bytes. */
static size_t link_to_server(struct ws_link *l, struct server *s)
{
	const uint8_t *data;
	size_t n = ws_link_output(l, &data);

	server_feed(s, data, n);
	ws_link_output_done(l, n);
	return n;
}

static int server_to_link(struct server *s, struct ws_link *l)
{
	size_t n;
	uint8_t *b = server_take(s, &n);
	int rc = ws_link_input(l, b, n, 0);

	free(b);
	return rc;
}

/* One frame a client sent, as a server-side decoder reads it. */
struct seen_frame {
	int frames;
	bool masked, fin;
	uint8_t op;
	uint8_t pay[256];
	size_t len;
};

static void seen_on_frame(void *ctx, const struct ws_frame_header *h)
{
	struct seen_frame *f = ctx;

	f->frames++;
	f->masked = h->masked;
	f->fin = h->fin;
	f->op = h->opcode;
}

static void seen_on_data(void *ctx, uint8_t *data, size_t len)
{
	struct seen_frame *f = ctx;

	cr_assert_leq(f->len + len, sizeof(f->pay));
	memcpy(f->pay + f->len, data, len);
	f->len += len;
}

static void seen_on_end(void *ctx, const struct ws_frame_header *h)
{
	(void)ctx;
	(void)h;
}

static const struct ws_decoder_ops seen_ops = {seen_on_frame, seen_on_data, seen_on_end};

/* A link over TLS with its upgrade done, the request checked on the way. */
struct tls_link {
	struct pki k;
	struct server s;
	struct app a;
	struct ws_link *l;
};

static void tls_link_open(struct tls_link *t, size_t tls_max, const void *first, size_t first_len)
{
	uint8_t wire[1024];
	char req[2048], resp[512];
	size_t req_len = 0, resp_len, queued;
	const uint8_t *unused;
	struct ws_client *ws;
	int round;

	pki_init(&t->k, san_std, false, 0);
	server_init(&t->s, t->k.server_ctx);
	t->l = link_new(&t->a, &t->k, true, tls_max);
	ws = ws_link_ws(t->l);
	cr_assert_not_null(ws_link_tls(t->l));
	queued = ws_client_output(ws, &unused);
	cr_assert_gt(queued, 0, "no upgrade request queued");

	/* the handshake: no plaintext reaches the server, the request waits */
	for (round = 0; round < 16 && !tls_pipe_established(ws_link_tls(t->l)); round++) {
		link_to_server(t->l, &t->s);
		cr_assert(server_step(&t->s));
		cr_assert_eq(server_read(&t->s, (uint8_t *)req, 0, sizeof(req)), 0);
		cr_assert_eq(ws_client_output(ws, &unused), queued, "request left before the handshake");
		cr_assert_eq(server_to_link(&t->s, t->l), PROTO_OK);
	}
	cr_assert(tls_pipe_established(ws_link_tls(t->l)));

	/* then the request, whole */
	for (round = 0; round < 4 && req_len < queued; round++) {
		link_to_server(t->l, &t->s);
		cr_assert(server_step(&t->s));
		req_len = server_read(&t->s, (uint8_t *)req, req_len, sizeof(req) - 1);
	}
	cr_assert_eq(req_len, queued);
	req[req_len] = '\0';
	cr_assert(strncmp(req, "GET /v1/data-channel/s-1?role=publish_subscribe HTTP/1.1\r\n",
			  strlen("GET /v1/data-channel/s-1?role=publish_subscribe HTTP/1.1\r\n")) == 0,
		  "request: %s", req);
	cr_assert_not_null(strstr(req, "\r\nHost: localhost:8443\r\n"));
	cr_assert_eq(ws_client_output(ws, &unused), 0);

	/* the 101 and a first frame in one record */
	resp_len = response_for(req, resp, sizeof(resp));
	cr_assert_leq(resp_len + first_len, sizeof(wire));
	memcpy(wire, resp, resp_len);
	if (first_len)
		memcpy(wire + resp_len, first, first_len);
	server_write(&t->s, wire, resp_len + first_len);
	cr_assert_eq(server_to_link(&t->s, t->l), PROTO_OK);
	cr_assert_eq(t->a.opened, 1);
	cr_assert_eq(ws_client_state(ws), WS_CLIENT_OPEN);
}

static void tls_link_close(struct tls_link *t)
{
	ws_link_free(t->l);
	server_free(&t->s);
	pki_free(&t->k);
}

/* The client's frames, decrypted and decoded on the server side. */
static void server_frames(struct tls_link *t, struct seen_frame *f)
{
	struct ws_decoder_config cfg = {.server = true, .max_payload = 1u << 16};
	struct ws_decoder d;
	uint8_t buf[4096];
	size_t n;

	memset(f, 0, sizeof(*f));
	link_to_server(t->l, &t->s);
	n = server_read(&t->s, buf, 0, sizeof(buf));
	ws_decoder_init(&d, &cfg, &seen_ops, f);
	cr_assert_eq(ws_decoder_input(&d, buf, n), PROTO_OK);
	cr_assert(ws_decoder_idle(&d));
}

Test(ws_link, upgrade_after_the_handshake_and_first_frame_in_the_same_record)
{
	struct tls_link t;
	uint8_t frame[64];
	struct ws_frame_header h = {.fin = true, .opcode = WS_OP_TEXT, .payload_len = 5};
	size_t n = ws_frame_header_encode(&h, frame);

	memcpy(frame + n, "hello", 5);
	tls_link_open(&t, 1u << 20, frame, n + 5);
	cr_assert_eq(t.a.messages, 1, "the frame after the 101 was not delivered");
	cr_assert(t.a.msg_text);
	cr_assert_eq(t.a.msg_len, 5);
	cr_assert_arr_eq(t.a.msg, "hello", 5);
	tls_link_close(&t);
}

Test(ws_link, message_arrives_masked_and_intact)
{
	struct tls_link t;
	struct seen_frame f;
	uint8_t msg[200];

	fill(msg, sizeof(msg), 5);
	tls_link_open(&t, 1u << 20, NULL, 0);
	cr_assert_eq(ws_client_send(ws_link_ws(t.l), WS_OP_BINARY, msg, sizeof(msg)), PROTO_OK);
	server_frames(&t, &f);
	cr_assert_eq(f.frames, 1);
	cr_assert(f.masked);
	cr_assert(f.fin);
	cr_assert_eq(f.op, WS_OP_BINARY);
	cr_assert_eq(f.len, sizeof(msg));
	cr_assert_arr_eq(f.pay, msg, sizeof(msg));
	tls_link_close(&t);
}

Test(ws_link, pending_counts_both_queues)
{
	struct tls_link t;
	struct seen_frame f;
	struct ws_client *ws;
	const uint8_t *unused;
	uint8_t one[100], two[150];
	size_t q1, q2, tls_wait;

	fill(one, sizeof(one), 6);
	fill(two, sizeof(two), 7);
	tls_link_open(&t, 1, NULL, 0); /* the TLS output is full with one byte waiting */
	ws = ws_link_ws(t.l);
	cr_assert_eq(ws_link_pending(t.l), 0);

	cr_assert_eq(ws_client_send(ws, WS_OP_BINARY, one, sizeof(one)), PROTO_OK);
	q1 = ws_client_output(ws, &unused);
	cr_assert_eq(ws_link_pending(t.l), q1, "the websocket's queue is not counted");

	cr_assert_gt(ws_link_output(t.l, &unused), q1); /* encrypted, not yet written */
	cr_assert_eq(ws_client_output(ws, &unused), 0);
	tls_wait = tls_pipe_pending(ws_link_tls(t.l));
	cr_assert_eq(ws_link_pending(t.l), tls_wait, "the TLS output is not counted");

	cr_assert_eq(ws_client_send(ws, WS_OP_BINARY, two, sizeof(two)), PROTO_OK);
	q2 = ws_client_output(ws, &unused);
	cr_assert_eq(ws_link_pending(t.l), q2 + tls_wait);
	/* the TLS side is past out_max: asking for output encrypts nothing more */
	cr_assert_eq(ws_link_output(t.l, &unused), tls_wait);
	cr_assert_eq(ws_client_output(ws, &unused), q2);

	server_frames(&t, &f); /* the first leaves; the second waits for the next call */
	cr_assert_eq(f.frames, 1);
	cr_assert_arr_eq(f.pay, one, sizeof(one));
	cr_assert_eq(ws_client_output(ws, &unused), q2);
	cr_assert_eq(ws_link_pending(t.l), q2);
	server_frames(&t, &f);
	cr_assert_eq(f.frames, 1);
	cr_assert_eq(f.len, sizeof(two));
	cr_assert_arr_eq(f.pay, two, sizeof(two));
	cr_assert_eq(ws_link_pending(t.l), 0);
	tls_link_close(&t);
}

Test(ws_link, tls_errors_come_through)
{
	struct tls_link t;

	tls_link_open(&t, 1u << 20, NULL, 0);
	cr_assert_geq(SSL_shutdown(t.s.ssl), 0);
	cr_assert_eq(server_to_link(&t.s, t.l), PROTO_E_TLS_CLOSED);
	cr_assert_eq(ws_link_input(t.l, (uint8_t *)"x", 1, 0), PROTO_E_TLS_CLOSED);
	tls_link_close(&t);
}

Test(ws_link, plain_passes_bytes_unchanged)
{
	struct app a;
	struct ws_link *l = link_new(&a, NULL, false, 0);
	struct ws_client *ws = ws_link_ws(l);
	const uint8_t *out, *direct;
	char req[2048], resp[512];
	uint8_t frame[64];
	struct ws_frame_header h = {.fin = true, .opcode = WS_OP_BINARY, .payload_len = 3};
	size_t n, hn, resp_len;

	cr_assert_null(ws_link_tls(l));
	n = ws_link_output(l, &out);
	cr_assert_eq(ws_client_output(ws, &direct), n);
	cr_assert_eq(out, direct, "plain output is the websocket's own");
	cr_assert_eq(ws_link_pending(l), n);
	cr_assert_lt(n, sizeof(req));
	memcpy(req, out, n);
	req[n] = '\0';
	cr_assert(strncmp(req, "GET /v1/data-channel/", 21) == 0);
	ws_link_output_done(l, 10);
	cr_assert_eq(ws_link_pending(l), n - 10);
	ws_link_output_done(l, n - 10);
	cr_assert_eq(ws_link_output(l, &out), 0);

	resp_len = response_for(req, resp, sizeof(resp));
	hn = ws_frame_header_encode(&h, frame);
	memcpy(frame + hn, "\x01\x02\x03", 3);
	cr_assert_eq(ws_link_input(l, (uint8_t *)resp, resp_len, 0), PROTO_OK);
	cr_assert_eq(a.opened, 1);
	cr_assert_eq(ws_link_input(l, frame, hn + 3, 0), PROTO_OK);
	cr_assert_eq(a.messages, 1);
	cr_assert_not(a.msg_text);
	cr_assert_arr_eq(a.msg, "\x01\x02\x03", 3);
	ws_link_free(l);
}
