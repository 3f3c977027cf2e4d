/*
 * sigv4_vectors.h — signed requests with known-good signatures for the SigV4
 * tests: AWS's own SigV4 test suite (sigv4_suite, from gen_sigv4_suite.py)
 * and requests signed by the AWS CLI's botocore (sigv4_botocore, from
 * gen_sigv4_vectors.py). Both tables are generated once and pasted into
 * sigv4_vectors.c; nothing is generated at test time.
 */
#ifndef POSTERN_TEST_SIGV4_VECTORS_H
#define POSTERN_TEST_SIGV4_VECTORS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "sigv4.h"

/* Every vector is signed with these credentials (AWS's documentation ones). */
#define VEC_AKID "AKIDEXAMPLE"
#define VEC_SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

#define VEC_HEADERS_MAX 8

struct sigv4_vector {
	const char *name;
	time_t when; /* the signing time: X-Amz-Date */
	const char *region, *service;
	const char *token; /* session token signed, or NULL */
	const char *method, *path, *query;
	unsigned flags;
	const char *body;
	size_t body_len;
	/* The request as sent: Host, X-Amz-Date and Authorization included. */
	struct sigv4_header headers[VEC_HEADERS_MAX];
	size_t n_headers;
	const char *amz_date;
	const char *canonical;      /* expected canonical request (suite only) */
	const char *string_to_sign; /* expected string to sign (suite only) */
	const char *authorization;
	bool signer_agrees; /* signed exactly the headers sigv4_sign signs */
};

extern const struct sigv4_vector sigv4_suite[];
extern const size_t sigv4_suite_count;
extern const struct sigv4_vector sigv4_botocore[];
extern const size_t sigv4_botocore_count;

/* The request of vector v (headers, body, path, ...) as a struct sigv4_request. */
struct sigv4_request sigv4_vector_request(const struct sigv4_vector *v);

/* The vector of either table with this name; NULL if none. */
const struct sigv4_vector *sigv4_vector_find(const char *name);

/* Parse authz (from an exact-size heap copy, so ASan sees any over-read) and
 * verify req with VEC_SECRET at `now`, skew SIGV4_DEFAULT_SKEW. Returns the
 * parser's error, or sigv4_verify's result. */
int sigv4_vector_check(const struct sigv4_request *req, const char *authz, time_t now);

#endif
