/*
 * pki_test_util.c — helpers for the CA tests (see pki_test_util.h).
 */
#include "pki_test_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

extern char **environ;

static void *must(void *p)
{
	if (!p)
		abort();
	return p;
}

/* A memory BIO's contents as a malloc'd string; frees the BIO. */
static char *bio_text(BIO *b)
{
	char *data, *out;
	long n = BIO_get_mem_data(b, &data);

	out = must(malloc((size_t)n + 1));
	memcpy(out, data, (size_t)n);
	out[n] = '\0';
	BIO_free(b);
	return out;
}

char *pt_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *dir;

	if (!base || !*base)
		base = "/tmp";
	dir = pt_path(base, "postern-pki-XXXXXX");
	must(mkdtemp(dir));
	return dir;
}

char *pt_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = must(malloc(n));

	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

void pt_rmdir(char *dir)
{
	DIR *d;
	struct dirent *e;

	if (!dir)
		return;
	d = opendir(dir);
	if (d) {
		while ((e = readdir(d)) != NULL) {
			char *p;

			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			p = pt_path(dir, e->d_name);
			unlink(p);
			free(p);
		}
		closedir(d);
	}
	rmdir(dir);
	free(dir);
}

int pt_count_entries(const char *dir)
{
	DIR *d = must(opendir(dir));
	struct dirent *e;
	int n = 0;

	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

mode_t pt_mode(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return (mode_t)-1;
	return st.st_mode & 07777;
}

bool pt_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

char *pt_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			buf = must(realloc(buf, cap));
		}
		size_t got = fread(buf + n, 1, 4096, f);

		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

void pt_write(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len || close(fd) != 0)
		abort();
}

X509 *pt_cert_from_pem(const char *pem)
{
	BIO *b = must(BIO_new_mem_buf(pem, -1));
	X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);

	BIO_free(b);
	return x;
}

X509 *pt_cert_from_file(const char *path)
{
	char *pem = pt_read(path, NULL);
	X509 *x = pem ? pt_cert_from_pem(pem) : NULL;

	free(pem);
	return x;
}

EVP_PKEY *pt_key_from_pem(const char *pem)
{
	BIO *b = must(BIO_new_mem_buf(pem, -1));
	EVP_PKEY *k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);

	BIO_free(b);
	return k;
}

EVP_PKEY *pt_key_from_file(const char *path)
{
	char *pem = pt_read(path, NULL);
	EVP_PKEY *k = pem ? pt_key_from_pem(pem) : NULL;

	free(pem);
	return k;
}

int pt_verify(X509 *ca, X509 *leaf, int purpose, const char *host, const char *ip)
{
	X509_STORE *store = must(X509_STORE_new());
	X509_STORE_CTX *ctx = must(X509_STORE_CTX_new());
	X509_VERIFY_PARAM *param;
	int rc;

	if (X509_STORE_add_cert(store, ca) != 1 ||
	    X509_STORE_CTX_init(ctx, store, leaf, NULL) != 1)
		abort();
	param = X509_STORE_CTX_get0_param(ctx);
	if (purpose && X509_STORE_CTX_set_purpose(ctx, purpose) != 1)
		abort();
	if (host && X509_VERIFY_PARAM_set1_host(param, host, 0) != 1)
		abort();
	if (ip && X509_VERIFY_PARAM_set1_ip_asc(param, ip) != 1)
		abort();
	rc = X509_verify_cert(ctx) == 1 ? X509_V_OK : X509_STORE_CTX_get_error(ctx);
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return rc;
}

int pt_run(const char *const argv[])
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int status, rc;

	if (posix_spawn_file_actions_init(&fa) != 0)
		return -1;
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawnp(&pid, argv[0], &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void add_ext(X509_REQ *req, STACK_OF(X509_EXTENSION) *exts, int nid, const char *v)
{
	X509V3_CTX ctx;
	X509_EXTENSION *e;

	X509V3_set_ctx(&ctx, NULL, NULL, req, NULL, 0);
	e = must(X509V3_EXT_nconf_nid(NULL, &ctx, nid, v));
	if (!sk_X509_EXTENSION_push(exts, e))
		abort();
}

char *pt_make_csr(EVP_PKEY *key, const char *cn, const EVP_MD *md, bool extensions)
{
	X509_REQ *req = must(X509_REQ_new());
	X509_NAME *name = must(X509_NAME_new());
	BIO *b = must(BIO_new(BIO_s_mem()));
	char *out;

	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn,
				       -1, -1, 0) != 1 ||
	    X509_REQ_set_subject_name(req, name) != 1 || X509_REQ_set_pubkey(req, key) != 1)
		abort();
	if (extensions) {
		STACK_OF(X509_EXTENSION) *exts = must(sk_X509_EXTENSION_new_null());

		add_ext(req, exts, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(req, exts, NID_subject_alt_name, "DNS:evil.example");
		if (X509_REQ_add_extensions(req, exts) != 1)
			abort();
		sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	}
	if (X509_REQ_sign(req, key, md) <= 0 || PEM_write_bio_X509_REQ(b, req) != 1)
		abort();
	out = bio_text(b);
	X509_NAME_free(name);
	X509_REQ_free(req);
	return out;
}

char *pt_pem(const char *label, const unsigned char *der, size_t len)
{
	BIO *b = must(BIO_new(BIO_s_mem()));
	char *out;

	if (PEM_write_bio(b, label, "", der, (long)len) <= 0)
		abort();
	out = bio_text(b);
	return out;
}

unsigned char *pt_der(const char *pem, long *len)
{
	BIO *b = must(BIO_new_mem_buf(pem, -1));
	char *name = NULL, *header = NULL;
	unsigned char *der = NULL;

	if (PEM_read_bio(b, &name, &header, &der, len) != 1)
		der = NULL;
	OPENSSL_free(name);
	OPENSSL_free(header);
	BIO_free(b);
	return der;
}

X509 *pt_make_server_cert(X509 *ca_cert, EVP_PKEY *ca_key, EVP_PKEY *key, int not_after_days)
{
	X509 *x = must(X509_new());
	X509_NAME *name = must(X509_NAME_new());
	X509V3_CTX ctx;
	X509_EXTENSION *san;

	if (X509_set_version(x, X509_VERSION_3) != 1 ||
	    ASN1_INTEGER_set(X509_get_serialNumber(x), 4242) != 1 ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
				       (const unsigned char *)"localhost", -1, -1, 0) != 1 ||
	    X509_set_subject_name(x, name) != 1 ||
	    X509_set_issuer_name(x, X509_get_subject_name(ca_cert)) != 1 ||
	    !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), not_after_days, 0, NULL) ||
	    X509_set_pubkey(x, key) != 1)
		abort();
	X509V3_set_ctx(&ctx, ca_cert, x, NULL, NULL, 0);
	san = must(X509V3_EXT_nconf_nid(NULL, &ctx, NID_subject_alt_name,
					"DNS:localhost,IP:127.0.0.1,IP:::1"));
	if (X509_add_ext(x, san, -1) != 1 || X509_sign(x, ca_key, EVP_sha256()) <= 0)
		abort();
	X509_EXTENSION_free(san);
	X509_NAME_free(name);
	return x;
}

char *pt_cert_pem(X509 *x)
{
	BIO *b = must(BIO_new(BIO_s_mem()));
	char *out;

	if (PEM_write_bio_X509(b, x) != 1)
		abort();
	out = bio_text(b);
	return out;
}

int pt_ext_critical(const X509 *x, int nid)
{
	int idx = X509_get_ext_by_NID(x, nid, -1);

	return idx < 0 ? -1 : X509_EXTENSION_get_critical(X509_get_ext(x, idx));
}
