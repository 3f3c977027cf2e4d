/*
 * document_values.h — what the built-in documents accept as parameter values
 * (cli-and-api.md §6.3), checked before a session is started, so nothing is
 * ever dialled for a malformed destination.
 */
#ifndef POSTERN_BROKER_DOCUMENT_VALUES_H
#define POSTERN_BROKER_DOCUMENT_VALUES_H

#include <stdbool.h>

#define DOCUMENT_EXPECTS_PORT "a port number from 1 to 65535"
#define DOCUMENT_EXPECTS_LOCAL_PORT "a port number from 0 to 65535"
#define DOCUMENT_EXPECTS_HOST "a host name or an IPv4 or IPv6 address"
#define DOCUMENT_HOST_MAX 253

/* Decimal 1..65535 without sign, spaces or leading zeros. */
bool document_valid_port(const char *value);

/* Decimal 0..65535 likewise ("0": any free port). */
bool document_valid_local_port(const char *value);

/* A DNS host name (letters, digits and hyphens in dot-separated labels of
 * 1..63 characters, no label starting or ending with a hyphen, at most
 * DOCUMENT_HOST_MAX characters, one trailing dot allowed), an IPv4 address in
 * dotted-quad form, or an IPv6 address (no brackets, no zone). */
bool document_valid_host(const char *value);

#endif
