/*
 * tls_floor.c — the memory floor of a TLS client on this system: a process
 * that loads OpenSSL as the agent does (shared libraries, error strings),
 * connects to HOST:PORT, completes one TLS handshake trusting CA, and then
 * prints its own memory the way the benchmark reads the agent's:
 *
 *   rss_kb=N pss_kb=N private_kb=N
 *
 * It is the anchor for the idle agent's figures (tests/bench/bench_session.py):
 * whatever a TLS client costs merely by being one, the agent costs too.
 *
 * usage: tls_floor HOST PORT CA
 */
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* Sum of one field ("Rss:", "Pss:", ...) over /proc/self/smaps_rollup. */
static long rollup_kb(const char *field)
{
	char line[256];
	long kb = -1, v;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, strlen(field)) == 0 &&
		    sscanf(line + strlen(field), "%ld", &v) == 1)
			kb = (kb < 0 ? 0 : kb) + v;
	fclose(f);
	return kb;
}

static int dial(const char *host, const char *port)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
	int fd = -1;

	if (getaddrinfo(host, port, &hints, &res) != 0)
		return -1;
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	return fd;
}

int main(int argc, char **argv)
{
	SSL_CTX *ctx;
	SSL *ssl;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: tls_floor HOST PORT CA\n");
		return 2;
	}
	OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL);
	ctx = SSL_CTX_new(TLS_client_method());
	if (!ctx || SSL_CTX_load_verify_locations(ctx, argv[3], NULL) != 1) {
		fprintf(stderr, "tls_floor: cannot load %s\n", argv[3]);
		return 1;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	fd = dial(argv[1], argv[2]);
	ssl = SSL_new(ctx);
	if (fd < 0 || !ssl || SSL_set_fd(ssl, fd) != 1 || SSL_connect(ssl) != 1) {
		fprintf(stderr, "tls_floor: no TLS session with %s:%s\n", argv[1], argv[2]);
		ERR_print_errors_fp(stderr);
		return 1;
	}
	printf("rss_kb=%ld pss_kb=%ld private_kb=%ld\n", rollup_kb("Rss:"), rollup_kb("Pss:"),
	       rollup_kb("Private_Clean:") + rollup_kb("Private_Dirty:"));
	SSL_shutdown(ssl);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	return 0;
}
