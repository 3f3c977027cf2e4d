/*
 * secret.h — releasing strings that may hold a secret (keys, tokens): wiped
 * with OPENSSL_cleanse (which the compiler may not elide) before free().
 */
#ifndef POSTERN_SECRET_H
#define POSTERN_SECRET_H

/* Wipe and free a NUL-terminated heap string; NULL is fine. */
void secret_free(char *s);

#endif
