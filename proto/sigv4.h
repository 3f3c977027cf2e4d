/*
 * sigv4.h — AWS Signature Version 4, header form (AWS4-HMAC-SHA256), for both
 * sides of the AWS JSON 1.1 API (cli-and-api.md §4): the client signs, the
 * broker parses the Authorization header, verifies it and refuses replays.
 *
 *   Authorization: AWS4-HMAC-SHA256 Credential=AKID/20231114/us-east-1/ssm/aws4_request,
 *                  SignedHeaders=content-type;host;x-amz-date;x-amz-target,
 *                  Signature=<64 lower-case hex digits>
 *
 * Signature = HMAC(kSigning, StringToSign), where
 *   kSigning     = HMAC(HMAC(HMAC(HMAC("AWS4" secret, YYYYMMDD), region), service),
 *                       "aws4_request")
 *   StringToSign = "AWS4-HMAC-SHA256\n" X-Amz-Date "\n" YYYYMMDD/region/service/aws4_request
 *                  "\n" hex(SHA-256(CanonicalRequest))
 *   CanonicalRequest = method "\n" canonical URI "\n" canonical query "\n"
 *                  one "name:value\n" per signed header "\n" SignedHeaders "\n"
 *                  hex(SHA-256(body))
 *
 * Canonical form, as botocore (auth.py SigV4Auth) and the AWS SigV4 test suite
 * build it for every service but S3:
 *   - URI: the path as sent (already percent-encoded once), with '.' and '..'
 *     segments and empty segments removed (RFC 3986 §5.2.4 plus AWS's "//"
 *     rule), then percent-encoded again: every byte but A-Z a-z 0-9 - . _ ~
 *     and '/' becomes %XX (upper-case hex), so "/a%20b" signs as "/a%2520b".
 *     An empty path is "/". SIGV4_PATH_NO_NORMALIZE and SIGV4_PATH_AS_SENT
 *     give S3's rules (or the suite's "unnormalized" cases) instead.
 *   - query: split on '&' (empty parameters dropped), each name and value
 *     percent-decoded where a valid %XX escape appears and re-encoded as
 *     above ('/' too), a missing '=' meaning an empty value; sorted by
 *     encoded name, then encoded value; joined "name=value" with '&'. A '+'
 *     is a literal plus (%2B), never a space. For anything a SigV4 client
 *     sends (canonically encoded queries) this equals botocore's raw sort.
 *   - headers: names lower-cased; every request header with a signed name
 *     contributes, in request order, its value with leading and trailing
 *     white space (SP HT CR LF VT FF) removed and each inner run of it
 *     folded to one space; several values of one name are joined with ','.
 *   - payload: always the SHA-256 of the body received; an
 *     X-Amz-Content-SHA256 header is signed like any x-amz-* header but never
 *     replaces the hash (UNSIGNED-PAYLOAD is an S3 feature).
 *
 * proto/ does no I/O: the caller passes the current time and the secret.
 * Functions returning int return PROTO_OK or a negative enum proto_err code.
 * Implementation: sigv4_canon.c (canonical request), sigv4_auth.c (the header
 * text), sigv4.c (keys and signing), sigv4_verify.c, sigv4_date.c
 * (X-Amz-Date), sigv4_err.c (AWS error names), sigv4_replay.c (replay cache),
 * sigv4_util.c and sigv4_impl.h (shared internals).
 */
#ifndef POSTERN_SIGV4_H
#define POSTERN_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define SIGV4_TERMINATOR "aws4_request"

#define SIGV4_AMZ_DATE_LEN 16     /* "20231114T221320Z" */
#define SIGV4_AUTH_MAX 2048       /* longest Authorization value parsed or produced */
#define SIGV4_AKID_MAX 128        /* access key id: 1..128 of A-Z a-z 0-9 _ */
#define SIGV4_SCOPE_PART_MAX 63   /* region, service: a-z 0-9 -; terminator: a-z 0-9 _ */
#define SIGV4_HEADER_NAME_MAX 64  /* one name in SignedHeaders */
#define SIGV4_SIGNED_MAX 32       /* names in SignedHeaders */
#define SIGV4_SIGNED_TEXT_MAX 1024 /* the SignedHeaders value */
#define SIGV4_SECRET_MAX 256      /* secret access key */
#define SIGV4_SIG_LEN 32          /* signature bytes (64 hex digits on the wire) */
#define SIGV4_DEFAULT_SKEW 300    /* AWS's allowed clock skew, seconds */

/* struct sigv4_request.flags. Neither is needed for the AWS JSON services. */
#define SIGV4_PATH_NO_NORMALIZE 0x1u /* keep '.', '..' and empty segments */
#define SIGV4_PATH_AS_SENT 0x2u      /* do not encode the path a second time (S3) */

/* One request header as received or to be sent. Both strings NUL-terminated. */
struct sigv4_header {
	const char *name;  /* any case */
	const char *value; /* as on the wire; the canonical form trims and folds it */
};

/* What of an HTTP request the signature covers. Nothing here is retained. */
struct sigv4_request {
	const char *method;  /* "POST" (case-sensitive, as sent) */
	const char *path;    /* as on the request line, before any '?'; NULL or "" is "/" */
	const char *query;   /* as on the request line, after the '?'; NULL or "" for none */
	const struct sigv4_header *headers;
	size_t n_headers;
	const uint8_t *body; /* may be NULL when body_len is 0 */
	size_t body_len;
	unsigned flags;      /* SIGV4_PATH_* */
};

struct sigv4_credentials {
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token; /* NULL for long-term credentials */
};

/* A parsed Authorization header. Every string is NUL-terminated; the struct
 * holds no pointers, so it may be copied and compared with memcmp. */
struct sigv4_auth {
	char access_key_id[SIGV4_AKID_MAX + 1];
	char date[9];                                 /* YYYYMMDD of the scope */
	char region[SIGV4_SCOPE_PART_MAX + 1];
	char service[SIGV4_SCOPE_PART_MAX + 1];
	char terminator[SIGV4_SCOPE_PART_MAX + 1];    /* "aws4_request" if valid */
	char signed_headers[SIGV4_SIGNED_TEXT_MAX + 1]; /* "content-type;host;..." */
	size_t n_signed;                              /* names in signed_headers */
	uint8_t signature[SIGV4_SIG_LEN];
};

/*
 * Parse an Authorization value (value[0..len), no NUL needed; network input:
 * nothing past len is read). Grammar, strictly:
 *   "AWS4-HMAC-SHA256" 1*SP param 2( "," *SP param )
 *   param = "Credential=" akid "/" 8DIGIT "/" region "/" service "/" terminator
 *         | "SignedHeaders=" name *( ";" name )   ; lower-case tokens, strictly
 *                                                 ; ascending, no duplicates
 *         | "Signature=" 64 lower-case hex digits
 * each of the three exactly once, in any order; nothing before or after.
 * Returns PROTO_OK (*out filled, unused bytes zero), PROTO_E_AUTH_ALGORITHM
 * when the first word is another scheme ("Basic", "AWS4-ECDSA-P256-SHA256"),
 * or PROTO_E_AUTH_MALFORMED for anything else wrong, including a value longer
 * than SIGV4_AUTH_MAX. *out is untouched on error. The terminator, region and
 * service are returned as sent: sigv4_verify checks the terminator and date;
 * whether the region and service are acceptable is the caller's decision.
 */
int sigv4_parse_authorization(const char *value, size_t len, struct sigv4_auth *out);

/*
 * Write auth as an Authorization value with ", " separators (as botocore
 * does) and a NUL into out[0..out_cap). *out_len (may be NULL) gets the length.
 * Returns PROTO_OK or PROTO_E_BUFFER_SMALL; SIGV4_AUTH_MAX + 1 always suffices
 * for a struct sigv4_parse_authorization or sigv4_sign produced.
 */
int sigv4_format_authorization(const struct sigv4_auth *auth, char *out, size_t out_cap,
			       size_t *out_len);

/*
 * The canonical request of req for the given SignedHeaders value (lower-case
 * names separated by ';', as in struct sigv4_auth) into a new malloc'd
 * NUL-terminated string *out of *out_len bytes, which the caller frees.
 * Returns PROTO_OK, PROTO_E_AUTH_HEADER if a listed header is absent from
 * req, PROTO_E_INVALID_ARG, or PROTO_E_NOMEM.
 */
int sigv4_canonical_request(const struct sigv4_request *req, const char *signed_headers,
			    char **out, size_t *out_len);

/*
 * The string to sign for a canonical request: algorithm, amz_date (the
 * X-Amz-Date value), the scope amz_date[0..8)/region/service/aws4_request and
 * the hex SHA-256 of canonical[0..len), separated by '\n', NUL-terminated in
 * out[0..out_cap). Returns PROTO_OK, PROTO_E_BUFFER_SMALL or PROTO_E_INVALID_ARG.
 */
int sigv4_string_to_sign(const char *canonical, size_t len, const char *amz_date,
			 const char *region, const char *service, char *out, size_t out_cap);

/* kSigning for a secret, a scope date YYYYMMDD, region and service.
 * Returns PROTO_OK, PROTO_E_INVALID_ARG (NULL, or secret over SIGV4_SECRET_MAX)
 * or PROTO_E_NOMEM (libcrypto failed). */
int sigv4_signing_key(const char *secret, const char *date, const char *region,
		      const char *service, uint8_t key[SIGV4_SIG_LEN]);

/* X-Amz-Date text of a UTC time. PROTO_E_INVALID_ARG outside years 0000..9999. */
int sigv4_format_amz_date(time_t when, char out[SIGV4_AMZ_DATE_LEN + 1]);

/* Parse exactly "YYYYMMDDTHHMMSSZ" (a real calendar date, seconds 00..59)
 * from text[0..len) into *out. Returns PROTO_OK or PROTO_E_AUTH_DATE. */
int sigv4_parse_amz_date(const char *text, size_t len, time_t *out);

/*
 * Sign req as of `when` (UTC). Signed: host (required in req->headers, else
 * PROTO_E_INVALID_ARG), content-type and every x-amz-* header present, the
 * X-Amz-Date this call makes and, with a session token, X-Amz-Security-Token.
 * Any x-amz-date, x-amz-security-token or authorization header in req is
 * ignored (this call supplies its own); other headers (user-agent,
 * content-length, ...) are left unsigned. For an `aws ssm`-shaped request the
 * result equals botocore's byte for byte.
 *
 * Writes the X-Amz-Date value to amz_date and the Authorization value with a
 * NUL to authz[0..authz_cap) (SIGV4_AUTH_MAX + 1 suffices). The caller sends
 * both, and X-Amz-Security-Token: <session_token> when it is set. The output
 * is always accepted by sigv4_parse_authorization: names, region, service
 * and key id outside its grammar, or a result over its limits, give
 * PROTO_E_INVALID_ARG. Other errors: PROTO_E_BUFFER_SMALL, PROTO_E_NOMEM.
 */
int sigv4_sign(const struct sigv4_request *req, const struct sigv4_credentials *cred,
	       const char *region, const char *service, time_t when,
	       char amz_date[SIGV4_AMZ_DATE_LEN + 1], char *authz, size_t authz_cap);

/*
 * Verify req against its parsed Authorization header and the secret of
 * auth->access_key_id (the caller looked it up; PROTO_E_AUTH_KEY is the
 * caller's code for an unknown key). now is the current UTC time and
 * skew_seconds the allowed difference either way (AWS: 300). Checks, in order:
 *   PROTO_E_AUTH_UNSIGNED  host or x-amz-date not in SignedHeaders
 *   PROTO_E_AUTH_DATE      X-Amz-Date absent, repeated or not YYYYMMDDTHHMMSSZ
 *   PROTO_E_AUTH_SCOPE     terminator not aws4_request, or scope date not the
 *                          date of X-Amz-Date
 *   PROTO_E_AUTH_EXPIRED   |now - X-Amz-Date| > skew_seconds (expired or
 *                          not yet current)
 *   PROTO_E_AUTH_HEADER    a signed header is absent from req
 *   PROTO_E_AUTH_SIGNATURE the recomputed signature differs (constant-time
 *                          comparison)
 * plus PROTO_E_INVALID_ARG / PROTO_E_NOMEM. Region and service are NOT checked
 * here: the signature covers them; compare auth->region and auth->service
 * with what this endpoint serves. req need hold only the signed headers
 * (nothing else is read). *request_time (may be NULL) gets the X-Amz-Date
 * time whenever it parsed, for sigv4_replay_check_and_add.
 */
int sigv4_verify(const struct sigv4_auth *auth, const struct sigv4_request *req,
		 const char *secret, time_t now, unsigned skew_seconds, time_t *request_time);

/*
 * The AWS JSON error for an authentication failure: returns the `__type`
 * (IncompleteSignatureException, InvalidSignatureException,
 * UnrecognizedClientException, ThrottlingException, InternalFailure) and sets
 * *message (may be NULL) to a short fixed text for the "message" member.
 * Every type is sent with HTTP 400 except InternalFailure (500), which any
 * code that is not an authentication failure maps to. PROTO_OK gives NULL.
 */
const char *sigv4_err_aws_type(int err, const char **message);

/*
 * Replay cache: the signatures of verified requests, remembered while their
 * X-Amz-Date is inside the skew window, so a captured request cannot be sent
 * again. Fixed memory, allocated once by sigv4_replay_init: a ring of
 * `capacity` entries in arrival order plus an open-addressing index.
 *
 * An entry is forgotten only once it has expired (now > request time + skew),
 * when sigv4_verify would refuse that request as expired anyway: that is what
 * makes forgetting safe. So when the ring is full and its oldest entry is
 * still live, the cache does not evict it (that would re-open a replay
 * window) but refuses the new request with PROTO_E_AUTH_THROTTLED. A cache
 * of capacity N therefore accepts at least N requests per 2 × skew seconds
 * (an entry lives at most 2 × skew: its time may be up to skew in the future).
 * Entries leave from the oldest end, so one that expires early behind a
 * younger-expiring one lingers (harmlessly) until it reaches that end.
 *
 * Call it after sigv4_verify succeeded: the index hashes the signature bytes,
 * which are then HMAC outputs no client can steer. `now` should not go
 * backwards by more than the skew. Two identical requests signed in the same
 * second carry the same signature, so the second is refused as a replay.
 */
struct sigv4_replay_entry {
	uint8_t signature[SIGV4_SIG_LEN];
	int64_t expires; /* request time + skew: the last second it is accepted */
};

struct sigv4_replay_cache {
	struct sigv4_replay_entry *ring;
	size_t capacity, head, count;
	uint32_t *index;  /* ring position + 1; 0 = empty slot */
	size_t index_mask; /* slots - 1; slots is a power of two >= 2 × capacity */
	unsigned skew;
};

/* Allocate a cache of 1..2^24 entries for a skew of skew_seconds (> 0).
 * Returns PROTO_OK, PROTO_E_INVALID_ARG or PROTO_E_NOMEM (cache zeroed). */
int sigv4_replay_init(struct sigv4_replay_cache *cache, size_t capacity, unsigned skew_seconds);

/* Release the memory of an initialised (or zeroed) cache; idempotent. */
void sigv4_replay_free(struct sigv4_replay_cache *cache);

/*
 * Returns PROTO_OK (remembered), PROTO_E_AUTH_REPLAY (seen and still live),
 * PROTO_E_AUTH_EXPIRED (request_time outside now ± skew: the cache cannot
 * vouch for it), PROTO_E_AUTH_THROTTLED (full of live entries) or
 * PROTO_E_INVALID_ARG.
 */
int sigv4_replay_check_and_add(struct sigv4_replay_cache *cache,
			       const uint8_t signature[SIGV4_SIG_LEN], time_t request_time,
			       time_t now);

/* Entries currently held (never more than the capacity). */
size_t sigv4_replay_count(const struct sigv4_replay_cache *cache);

#endif
