/*
 * secret.c — wipe-then-free for secret strings.
 */
#include "secret.h"

#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

void secret_free(char *s)
{
	if (s) {
		OPENSSL_cleanse(s, strlen(s));
		free(s);
	}
}
