/*
 * enroll_keys.h — the agent's key pair and certificate signing request for
 * registration. The agent makes a new ECDSA P-256 key, sends the broker a CSR
 * for it (subject CN "postern-agent"; the broker replaces the subject with
 * the instance id it assigns and ignores any extensions), and keeps the key.
 * Text in, text out: writing the key and the issued certificate to disk is
 * the registration module's job.
 */
#ifndef POSTERN_ENROLL_KEYS_H
#define POSTERN_ENROLL_KEYS_H

#include <stddef.h>

#define ENROLL_CSR_CN "postern-agent"

/*
 * Make a new P-256 key and a CSR signed with it (SHA-256). Returns 0 with
 * *key_pem (unencrypted PKCS#8 "PRIVATE KEY" PEM; free with
 * enroll_secret_free) and *csr_pem ("CERTIFICATE REQUEST" PEM; free with
 * free()) set, both NUL-terminated; or -1 with both NULL and a sentence,
 * including OpenSSL's error text, in err (err may be NULL when errlen is 0).
 */
int enroll_make_key_and_csr(char **key_pem, char **csr_pem, char *err, size_t errlen);

/* Wipe a NUL-terminated secret (a private key's PEM) and free it. NULL is fine. */
void enroll_secret_free(char *secret);

#endif
