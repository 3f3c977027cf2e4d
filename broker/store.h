/*
 * store.h — the broker's embedded state: one SQLite database (state.db),
 * reached through one `struct store` handle.
 *
 * Owns: access keys, activations, managed instances (and the serials of
 * their revoked certificates), session records, data-channel tokens and the
 * audit log. One module per table (store_keys.c, store_activations.c,
 * store_instances.c, store_sessions.c, store_tokens.c, store_audit.c); the
 * handle, schema migration and statement cache live in store.c, shared
 * helpers in store_util.c and store_cursor.c (NextToken), declared in the
 * module-internal store_impl.h.
 *
 * Contracts common to every function here:
 *  - Every function that can fail returns an `enum store_status`. After
 *    STORE_ERROR, store_errmsg() says what went wrong; for the other statuses
 *    the message is unspecified.
 *  - Writes are durable when the function returns STORE_OK (WAL mode,
 *    synchronous=FULL: the log is fsync'd at each commit), unless the caller
 *    holds a transaction open with store_begin(), in which case they are
 *    durable when store_commit() returns STORE_OK.
 *  - The store has no randomness and no clock of its own: callers pass random
 *    bytes for every generated identifier and the time ("now", epoch seconds).
 *  - Text arguments are NUL-terminated; the *_MAX constants below are the
 *    longest accepted (in bytes, without the NUL), and record buffers are one
 *    larger. Over-long text is STORE_ERROR. Text the store generates is ASCII.
 *  - A handle is used by one thread at a time (the broker's event loop).
 *  - Secrets never leave the database except to the caller that asked for
 *    them (store_key_lookup); activation codes and data-channel tokens are
 *    stored only as SHA-256 hashes.
 */
#ifndef POSTERN_STORE_H
#define POSTERN_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct store;

enum store_status {
	STORE_OK = 0,
	STORE_NOT_FOUND,   /* no such row (or, for activations, a wrong code) */
	STORE_CONFLICT,    /* duplicate id, or a change the row's state forbids */
	STORE_EXPIRED,     /* activation or token past its expiry */
	STORE_USED,        /* data-channel token already consumed */
	STORE_LIMIT,       /* activation's registration limit reached */
	STORE_BAD_TOKEN,   /* a NextToken that this query did not produce */
	STORE_ERROR,       /* anything else: see store_errmsg() */
};

/* Short stable name of a status ("ok", "not found", ...). Never NULL. */
const char *store_status_str(int status);

/* ---- handle ------------------------------------------------------------------ */

/* Schema version this build creates and understands (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 1

/*
 * Open (creating if needed) the database file at path, with mode 0600
 * (tightened if the file, or its -wal / -shm, already exists with a wider
 * one), WAL journal, synchronous=FULL, foreign keys on and a busy timeout,
 * and bring the schema to STORE_SCHEMA_VERSION. A database written by a newer
 * broker (higher user_version) is refused. On success *out is the handle; on
 * failure *out is NULL, a message is written to err (errlen bytes, may be 0)
 * and STORE_ERROR is returned.
 */
int store_open(const char *path, struct store **out, char *err, size_t errlen);

/* Close the handle (NULL is ignored). A transaction left open is rolled back. */
void store_close(struct store *s);

/* The message of the last STORE_ERROR on this handle ("" if none). */
const char *store_errmsg(const struct store *s);

/*
 * Group several calls into one atomic, durable transaction (e.g. consuming an
 * activation and registering the instance). Between store_begin() and
 * store_commit() / store_rollback() every function still returns its own
 * status; one that fails undoes only its own changes, and the caller decides
 * whether to commit the rest. store_begin() while one is open is STORE_ERROR.
 * store_commit() that fails rolls the whole transaction back (and so ends
 * it); store_rollback() with no transaction open does nothing and returns
 * STORE_OK, so `if (failed || store_commit(s)) store_rollback(s);` is safe.
 */
int store_begin(struct store *s);
int store_commit(struct store *s);
int store_rollback(struct store *s);

/* ---- limits shared by several tables ------------------------------------------ */

#define STORE_UUID_LEN 36          /* activation ids: 8-4-4-4-12 lower-case hex */
#define STORE_ID_RANDOM_BYTES 9    /* random bytes behind the 17 hex digits of a
				      session or instance id (the last 4 bits are unused) */
#define STORE_USER_MAX 64          /* user names: [A-Za-z0-9+=,.@_-], IAM's set */
#define STORE_IAM_ROLE_MAX 64
#define STORE_DESCRIPTION_MAX 256
#define STORE_INSTANCE_NAME_MAX 256
#define STORE_TARGET_MAX 400
#define STORE_OWNER_MAX 256
#define STORE_BROKER_ID_MAX 64
#define STORE_PAGE_MAX 200         /* largest max_results of any list */
#define STORE_NEXT_TOKEN_MAX 200   /* longest NextToken the store writes or reads */

/* ---- access keys (store_keys.c) ------------------------------------------------ */

#define STORE_KEY_ID_LEN 20        /* "PKIA" + 16 of A-Z2-7 */
#define STORE_KEY_SECRET_LEN 40    /* base64 alphabet, no padding */
#define STORE_KEY_RANDOM_BYTES 40  /* 10 for the id, 30 for the secret */

struct store_key {
	char id[STORE_KEY_ID_LEN + 1];
	char secret[STORE_KEY_SECRET_LEN + 1]; /* caller should OPENSSL_cleanse() it */
	char user[STORE_USER_MAX + 1];
	int64_t created;
	bool disabled;
};

/*
 * Create an access key for user (1–STORE_USER_MAX chars of IAM's name set).
 * The id is "PKIA" + base32 of random[0..10), the secret the base64 of
 * random[10..40): the same bytes always give the same key. *out receives the
 * new key. STORE_CONFLICT if the id already exists (try other bytes).
 */
int store_key_create(struct store *s, const char *user,
		     const uint8_t random[STORE_KEY_RANDOM_BYTES], int64_t now,
		     struct store_key *out);

/* Look a key up by id, disabled or not. STORE_NOT_FOUND if unknown. */
int store_key_lookup(struct store *s, const char *id, struct store_key *out);

/* Disable or re-enable a key. STORE_NOT_FOUND if unknown. */
int store_key_set_disabled(struct store *s, const char *id, bool disabled);

/* ---- activations (store_activations.c) ------------------------------------------ */

#define STORE_ACTIVATION_RANDOM_BYTES 16  /* become a version-4 UUID */
#define STORE_ACTIVATION_CODE_MIN 20
#define STORE_ACTIVATION_CODE_MAX 250
#define STORE_REGISTRATION_LIMIT_MAX 1000

struct store_activation_new {
	const char *iam_role;              /* required */
	const char *description;           /* NULL or "" for none */
	const char *default_instance_name; /* NULL or "" for none */
	int registration_limit;            /* 1–STORE_REGISTRATION_LIMIT_MAX */
	int64_t expires;                   /* first second it is no longer valid; > now */
};

struct store_activation {
	char id[STORE_UUID_LEN + 1];
	char iam_role[STORE_IAM_ROLE_MAX + 1];
	char description[STORE_DESCRIPTION_MAX + 1];
	char default_instance_name[STORE_INSTANCE_NAME_MAX + 1];
	int registration_limit;
	int registrations;                 /* used so far */
	int64_t expires;
	int64_t created;
};

/*
 * Create an activation whose id is the version-4 UUID made from random and
 * whose code is code (STORE_ACTIVATION_CODE_MIN–MAX chars; only its SHA-256
 * is stored). id_out receives the id. STORE_CONFLICT if the id exists.
 */
int store_activation_create(struct store *s, const struct store_activation_new *a,
			    const char *code,
			    const uint8_t random[STORE_ACTIVATION_RANDOM_BYTES], int64_t now,
			    char id_out[STORE_UUID_LEN + 1]);

/*
 * Use one registration of an activation, atomically: STORE_OK (count
 * incremented; *out, if not NULL, receives the activation after it),
 * STORE_NOT_FOUND for an unknown id *or* a wrong code (the same answer, so a
 * caller cannot tell which), STORE_EXPIRED when now >= expires, STORE_LIMIT
 * when every registration is used. Expiry and limit are only reported to a
 * caller that gave the right code.
 */
int store_activation_consume(struct store *s, const char *id, const char *code, int64_t now,
			     struct store_activation *out);

/* Read an activation (the code is not needed). STORE_NOT_FOUND if unknown. */
int store_activation_get(struct store *s, const char *id, struct store_activation *out);

/* ---- managed instances (store_instances.c) --------------------------------------- */

#define STORE_INSTANCE_ID_LEN 20   /* "mi-" + 17 lower-case hex */
#define STORE_CERT_SERIAL_MAX 64   /* hex */
#define STORE_AGENT_VERSION_MAX 32
#define STORE_PLATFORM_TYPE_MAX 16
#define STORE_PLATFORM_NAME_MAX 128
#define STORE_PLATFORM_VERSION_MAX 64
#define STORE_HOSTNAME_MAX 255
#define STORE_IP_ADDRESS_MAX 64
#define STORE_INSTANCE_FILTER_IDS_MAX 100

struct store_instance_new {
	const char *activation_id;   /* NULL: registered without an activation */
	const char *name;            /* NULL or "" for none */
	const char *cert_serial;     /* NULL: set later with store_instance_set_cert() */
};

/* What an agent reports when its control channel opens. NULL means "". */
struct store_instance_hello {
	const char *agent_version;
	const char *platform_type;   /* Linux, Windows, MacOS */
	const char *platform_name;
	const char *platform_version;
	const char *hostname;
	const char *ip_address;
};

struct store_instance {
	char id[STORE_INSTANCE_ID_LEN + 1];
	char activation_id[STORE_UUID_LEN + 1];   /* "" if none */
	char iam_role[STORE_IAM_ROLE_MAX + 1];    /* from the activation; "" if none */
	char name[STORE_INSTANCE_NAME_MAX + 1];
	char cert_serial[STORE_CERT_SERIAL_MAX + 1]; /* "" if none yet */
	int64_t registered_at;
	int64_t last_ping;                        /* 0: never */
	char agent_version[STORE_AGENT_VERSION_MAX + 1];
	char platform_type[STORE_PLATFORM_TYPE_MAX + 1];
	char platform_name[STORE_PLATFORM_NAME_MAX + 1];
	char platform_version[STORE_PLATFORM_VERSION_MAX + 1];
	char hostname[STORE_HOSTNAME_MAX + 1];
	char ip_address[STORE_IP_ADDRESS_MAX + 1];
	bool online;                              /* control channel open on broker_id */
	char broker_id[STORE_BROKER_ID_MAX + 1];  /* "" when offline */
};

enum store_ping_status {
	STORE_PING_ONLINE = 0,
	STORE_PING_CONNECTION_LOST = 1,
};

/*
 * PingStatus of an instance at time now: Online if it was heard from within
 * the last threshold seconds (last_ping >= now - threshold), else
 * ConnectionLost. The list filter below uses the same rule.
 */
enum store_ping_status store_instance_ping_status(const struct store_instance *in, int64_t now,
						  int64_t threshold);

/*
 * Register an instance whose id is "mi-" + the first 17 hex digits of
 * random; id_out receives it. STORE_CONFLICT if the id or the serial is
 * already taken (or the serial was revoked), STORE_NOT_FOUND if
 * activation_id names no activation.
 */
int store_instance_register(struct store *s, const struct store_instance_new *n,
			    const uint8_t random[STORE_ID_RANDOM_BYTES], int64_t now,
			    char id_out[STORE_INSTANCE_ID_LEN + 1]);

/* Read a registered instance. STORE_NOT_FOUND if unknown or deregistered. */
int store_instance_get(struct store *s, const char *id, struct store_instance *out);

/* Record the agent's hello (version, platform, hostname, address); also
 * counts as a ping at now. STORE_NOT_FOUND if unknown or deregistered. */
int store_instance_hello(struct store *s, const char *id, const struct store_instance_hello *h,
			 int64_t now);

/* The agent was heard from at now. STORE_NOT_FOUND if unknown or deregistered. */
int store_instance_ping(struct store *s, const char *id, int64_t now);

/* The agent's control channel is open on broker_id (also a ping at now). */
int store_instance_set_online(struct store *s, const char *id, const char *broker_id,
			      int64_t now);

/*
 * The agent's control channel on broker_id closed. STORE_CONFLICT (and no
 * change) if the instance is by now online on another broker, so a late
 * "offline" from one broker cannot hide a reconnection to another.
 */
int store_instance_set_offline(struct store *s, const char *id, const char *broker_id);

/*
 * Give the instance a (new) certificate serial. The previous serial, if any,
 * is revoked at now. STORE_CONFLICT if serial is in use or revoked.
 */
int store_instance_set_cert(struct store *s, const char *id, const char *serial, int64_t now);

/*
 * Deregister an instance: it disappears from get and list, and its
 * certificate serial is revoked. serial_out receives that serial ("" if the
 * instance had none) so the broker can drop connections using it.
 * STORE_NOT_FOUND if unknown or already deregistered.
 */
int store_instance_deregister(struct store *s, const char *id, int64_t now,
			      char serial_out[STORE_CERT_SERIAL_MAX + 1]);

/* *revoked = whether serial (hex, case-sensitive as stored) was revoked. */
int store_instance_cert_revoked(struct store *s, const char *serial, bool *revoked);

struct store_instance_query {
	const char *const *instance_ids; /* n_instance_ids ids; NULL/0: no filter.
					    Malformed ids simply match nothing. */
	size_t n_instance_ids;           /* at most STORE_INSTANCE_FILTER_IDS_MAX */
	unsigned ping_mask;              /* bits (1u << enum store_ping_status); 0: no filter */
	int64_t now, ping_threshold;     /* for ping_mask (see store_instance_ping_status) */
	unsigned max_results;            /* 1–STORE_PAGE_MAX */
	const char *next_token;          /* NULL or "": first page */
};

struct store_instance_page {
	struct store_instance *items;    /* count records, ascending by id */
	size_t count;
	char next_token[STORE_NEXT_TOKEN_MAX + 1]; /* "" on the last page */
};

/*
 * One page of registered instances matching q, ascending by id. The
 * NextToken names the last id returned and the query it belongs to:
 * STORE_BAD_TOKEN for a token that is malformed, altered, or from a query
 * with other filters. Free the page with store_instance_page_free().
 */
int store_instance_list(struct store *s, const struct store_instance_query *q,
			struct store_instance_page *page);
void store_instance_page_free(struct store_instance_page *page);

/* ---- sessions (store_sessions.c) --------------------------------------------------- */

#define STORE_SESSION_ID_MAX 96
#define STORE_CALLER_MAX (STORE_SESSION_ID_MAX - 18) /* name part of a session id */
#define STORE_DOCUMENT_MAX 128
#define STORE_REASON_MAX 256
#define STORE_DETAILS_MAX 1024
#define STORE_PARAMETERS_MAX (256 * 1024)

enum store_session_status {
	STORE_SESSION_CONNECTING = 0,
	STORE_SESSION_CONNECTED,
	STORE_SESSION_DISCONNECTED,
	STORE_SESSION_TERMINATING,
	STORE_SESSION_TERMINATED,  /* terminal */
	STORE_SESSION_FAILED,      /* terminal */
};

/* The API's name of a status ("Connecting", ...); "" for an invalid value. */
const char *store_session_status_name(enum store_session_status st);

/* Parse an API status name (exact case). STORE_NOT_FOUND if not one. */
int store_session_status_parse(const char *name, enum store_session_status *out);

struct store_session_new {
	const char *caller;       /* 1–STORE_CALLER_MAX chars of [A-Za-z0-9+=,.@_-] */
	const char *target;       /* 1–STORE_TARGET_MAX */
	const char *owner;        /* 1–STORE_OWNER_MAX */
	const char *document_name; /* 1–STORE_DOCUMENT_MAX */
	const char *parameters;   /* JSON text, NULL for "{}"; at most STORE_PARAMETERS_MAX */
	const char *reason;       /* NULL or "" for none */
	int64_t start_date;
};

struct store_session {
	char id[STORE_SESSION_ID_MAX + 1];
	char target[STORE_TARGET_MAX + 1];
	char owner[STORE_OWNER_MAX + 1];
	char document_name[STORE_DOCUMENT_MAX + 1];
	char *parameters;         /* JSON text, owned: release with store_session_clear() */
	char reason[STORE_REASON_MAX + 1];
	enum store_session_status status;
	int64_t start_date;
	bool ended;               /* end_date is set (the session is history) */
	int64_t end_date;
	bool has_exit_code;
	int exit_code;
	int64_t bytes_in, bytes_out;
	char details[STORE_DETAILS_MAX + 1];
};

/*
 * Create a session record in status Connecting; its id is caller + "-" + the
 * first 17 hex digits of random, written to id_out. STORE_CONFLICT if that id
 * exists. Malformed parameters JSON is STORE_ERROR.
 */
int store_session_create(struct store *s, const struct store_session_new *n,
			 const uint8_t random[STORE_ID_RANDOM_BYTES],
			 char id_out[STORE_SESSION_ID_MAX + 1]);

/* Read a session into *out (then store_session_clear(out)). STORE_NOT_FOUND. */
int store_session_get(struct store *s, const char *id, struct store_session *out);

/* Free what a session record owns (its parameters); the record may be reused. */
void store_session_clear(struct store_session *se);

/*
 * Change a session's status. A terminal status (Terminated, Failed) also sets
 * the end date to now. Once a session has ended its status is final: setting
 * the same status again is STORE_OK and changes nothing, any other is
 * STORE_CONFLICT. STORE_NOT_FOUND if unknown.
 */
int store_session_set_status(struct store *s, const char *id, enum store_session_status st,
			     int64_t now);

/* Record the remote exit code. STORE_NOT_FOUND if unknown. */
int store_session_set_exit_code(struct store *s, const char *id, int exit_code);

/* Add to the relayed byte counters (client → agent is in, agent → client is out). */
int store_session_add_bytes(struct store *s, const char *id, int64_t bytes_in,
			    int64_t bytes_out);

/* Replace the details text (0–STORE_DETAILS_MAX). */
int store_session_set_details(struct store *s, const char *id, const char *details);

enum store_session_state {
	STORE_SESSIONS_ACTIVE = 0,  /* no end date yet */
	STORE_SESSIONS_HISTORY,     /* ended */
};

/* DescribeSessions. Every filter is optional; all given filters must match. */
struct store_session_query {
	enum store_session_state state;
	bool has_invoked_after;
	int64_t invoked_after;      /* start_date >= invoked_after */
	bool has_invoked_before;
	int64_t invoked_before;     /* start_date < invoked_before */
	const char *target;         /* NULL: any */
	const char *owner;          /* NULL: any */
	const char *session_id;     /* NULL: any */
	bool has_status;
	enum store_session_status status;
	unsigned max_results;       /* 1–STORE_PAGE_MAX */
	const char *next_token;     /* NULL or "": first page */
};

struct store_session_page {
	struct store_session *items; /* newest first: start_date, then id, descending */
	size_t count;
	char next_token[STORE_NEXT_TOKEN_MAX + 1]; /* "" on the last page */
};

/*
 * One page of sessions matching q. Paging is by position (start date and id
 * of the last row returned), so sessions created while a caller pages never
 * shift the pages: each session that existed when paging began is returned
 * exactly once. STORE_BAD_TOKEN for a NextToken that is malformed, altered,
 * or from a query with another state or other filters (the page size may
 * change between pages). Free the page with store_session_page_free().
 */
int store_session_list(struct store *s, const struct store_session_query *q,
		       struct store_session_page *page);
void store_session_page_free(struct store_session_page *page);

/* ---- data-channel tokens (store_tokens.c) ---------------------------------------------- */

#define STORE_TOKEN_MAX 300  /* TokenValue is at most 300 chars */

enum store_token_role {
	STORE_ROLE_CLIENT = 0,
	STORE_ROLE_AGENT,
};

/*
 * Remember a token (1–STORE_TOKEN_MAX chars; only its SHA-256 is stored) for
 * one role of one session, valid until expires (exclusive). STORE_NOT_FOUND
 * if the session does not exist, STORE_CONFLICT if the token was added before.
 */
int store_token_add(struct store *s, const char *session_id, enum store_token_role role,
		    const char *token, int64_t expires);

/*
 * Use a token once, atomically. STORE_OK: session_out and *role_out receive
 * what it is bound to, and it is marked used. Otherwise, and with nothing
 * written: STORE_USED if it was consumed before, STORE_EXPIRED if now >=
 * expires, STORE_NOT_FOUND if it was never added (or was purged).
 */
int store_token_consume(struct store *s, const char *token, int64_t now,
			char session_out[STORE_SESSION_ID_MAX + 1],
			enum store_token_role *role_out);

/* Delete tokens that expired before `before`; *removed (may be NULL) gets how many. */
int store_token_purge(struct store *s, int64_t before, int64_t *removed);

/* ---- audit log (store_audit.c) ------------------------------------------------------------ */

#define STORE_ACTOR_MAX 256
#define STORE_ACTION_MAX 128
#define STORE_AUDIT_DETAIL_MAX (64 * 1024)

struct store_audit_new {
	int64_t time;
	const char *actor;   /* 1–STORE_ACTOR_MAX */
	const char *action;  /* 1–STORE_ACTION_MAX, e.g. "ssm:StartSession" */
	const char *target;  /* NULL or "" for none; at most STORE_TARGET_MAX */
	bool allowed;
	const char *detail;  /* JSON text, NULL for "{}"; at most STORE_AUDIT_DETAIL_MAX */
};

struct store_audit_event {
	int64_t id;          /* ascending in order of appending */
	int64_t time;
	char actor[STORE_ACTOR_MAX + 1];
	char action[STORE_ACTION_MAX + 1];
	char target[STORE_TARGET_MAX + 1];
	bool allowed;
	char *detail;        /* owned by the page */
};

struct store_audit_page {
	struct store_audit_event *items;
	size_t count;
};

/*
 * Append an event; *id_out (may be NULL) receives its id. The log is
 * append-only: the schema refuses updates and deletes of its rows.
 * Malformed detail JSON is STORE_ERROR.
 */
int store_audit_append(struct store *s, const struct store_audit_new *e, int64_t *id_out);

/* Up to max (1–STORE_PAGE_MAX) events with id > after_id, oldest first. */
int store_audit_list(struct store *s, int64_t after_id, unsigned max,
		     struct store_audit_page *page);
void store_audit_page_free(struct store_audit_page *page);

#endif
