/*
 * store_instances.c — the instances table (managed nodes registered through
 * an activation: identity, certificate serial, what the agent reported, when
 * it was last heard from, which broker holds its control channel) and the
 * revoked_certs table (serials of replaced and deregistered certificates).
 * See store.h.
 *
 * Deregistered instances keep their row (for the audit trail) but are
 * invisible to every call except store_instance_cert_revoked().
 */
#include "store_impl.h"

#include <stdlib.h>
#include <string.h>

#define INST_COLUMNS \
	"i.id, i.activation_id, a.iam_role, i.name, i.cert_serial, i.registered_at, " \
	"i.last_ping, i.agent_version, i.platform_type, i.platform_name, " \
	"i.platform_version, i.hostname, i.ip_address, i.online, i.broker_id"
#define INST_FROM \
	" FROM instances AS i LEFT JOIN activations AS a ON a.id = i.activation_id "

enum { COL_ID, COL_ACTIVATION, COL_ROLE, COL_NAME, COL_SERIAL, COL_REGISTERED, COL_PING,
       COL_VERSION, COL_PTYPE, COL_PNAME, COL_PVERSION, COL_HOSTNAME, COL_IP, COL_ONLINE,
       COL_BROKER };

struct text_col {
	int col;
	size_t offset, cap;
	const char *what;
};

#define TEXT_COL(c, field, what) \
	{ c, offsetof(struct store_instance, field), sizeof(((struct store_instance *)0)->field), what }

static const struct text_col text_cols[] = {
	TEXT_COL(COL_ID, id, "instance id"),
	TEXT_COL(COL_ACTIVATION, activation_id, "activation id"),
	TEXT_COL(COL_ROLE, iam_role, "IAM role"),
	TEXT_COL(COL_NAME, name, "instance name"),
	TEXT_COL(COL_SERIAL, cert_serial, "certificate serial"),
	TEXT_COL(COL_VERSION, agent_version, "agent version"),
	TEXT_COL(COL_PTYPE, platform_type, "platform type"),
	TEXT_COL(COL_PNAME, platform_name, "platform name"),
	TEXT_COL(COL_PVERSION, platform_version, "platform version"),
	TEXT_COL(COL_HOSTNAME, hostname, "hostname"),
	TEXT_COL(COL_IP, ip_address, "IP address"),
	TEXT_COL(COL_BROKER, broker_id, "broker id"),
};

static int read_instance(struct store *s, sqlite3_stmt *st, struct store_instance *in)
{
	int rc = STORE_OK;

	for (size_t i = 0; rc == STORE_OK && i < sizeof(text_cols) / sizeof(text_cols[0]); i++)
		rc = store__col_text(s, st, text_cols[i].col, (char *)in + text_cols[i].offset,
				     text_cols[i].cap, text_cols[i].what);
	in->registered_at = sqlite3_column_int64(st, COL_REGISTERED);
	in->last_ping = sqlite3_column_int64(st, COL_PING); /* NULL reads as 0: never */
	in->online = sqlite3_column_int(st, COL_ONLINE) != 0;
	return rc;
}

enum store_ping_status store_instance_ping_status(const struct store_instance *in, int64_t now,
						  int64_t threshold)
{
	return in->last_ping != 0 && in->last_ping >= now - threshold ? STORE_PING_ONLINE
								       : STORE_PING_CONNECTION_LOST;
}

/* Bind the instance id (parameter 1) of a live instance; malformed ids are
 * STORE_NOT_FOUND. */
static int bind_id(struct store *s, sqlite3_stmt *st, const char *id)
{
	return store__bind_text(s, st, 1, id, STORE_INSTANCE_ID_LEN, TEXT_KEY, "instance id");
}

/* Run an UPDATE of one live instance: STORE_NOT_FOUND if none matched. */
static int run_update(struct store *s, sqlite3_stmt *st, const char *what)
{
	int rc = store__run(s, st, what);

	if (rc == STORE_OK && store__changes(s) == 0)
		rc = STORE_NOT_FOUND;
	return rc;
}

/* Is serial in revoked_certs? */
static int serial_revoked(struct store *s, const char *serial, bool *revoked)
{
	static const char sql[] = "SELECT 1 FROM revoked_certs WHERE serial = ?1";
	sqlite3_stmt *st = store__stmt(s, STMT_INST_REVOKED, sql);
	int rc = st ? store__bind_text(s, st, 1, serial, STORE_CERT_SERIAL_MAX, TEXT_KEY,
				       "certificate serial")
		    : STORE_ERROR;

	if (rc == STORE_OK)
		rc = store__step_row(s, st, "look up revoked serial");
	*revoked = rc == STORE_OK;
	if (rc == STORE_NOT_FOUND)
		rc = STORE_OK;
	store__release(st);
	return rc;
}

/* A serial may be given to an instance only if it was never revoked. */
static int check_serial_fresh(struct store *s, const char *serial)
{
	bool revoked = false;
	int rc;

	if (!serial || !*serial)
		return STORE_OK;
	if (strlen(serial) > STORE_CERT_SERIAL_MAX)
		return store__fail(s, "certificate serial is longer than %d bytes",
				   STORE_CERT_SERIAL_MAX);
	rc = serial_revoked(s, serial, &revoked);
	if (rc == STORE_OK && revoked)
		rc = STORE_CONFLICT;
	return rc;
}

static int revoke(struct store *s, const char *serial, const char *id, int64_t now)
{
	static const char sql[] =
		"INSERT INTO revoked_certs (serial, instance_id, revoked_at) VALUES (?1, ?2, ?3) "
		"ON CONFLICT (serial) DO NOTHING";
	sqlite3_stmt *st = store__stmt(s, STMT_INST_REVOKE, sql);
	int rc = st ? STORE_OK : STORE_ERROR;

	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 1, serial, STORE_CERT_SERIAL_MAX, TEXT_REQUIRED,
				      "certificate serial");
	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 2, id, STORE_INSTANCE_ID_LEN, TEXT_REQUIRED,
				      "instance id");
	if (rc == STORE_OK)
		rc = store__bind_i64(s, st, 3, now);
	if (rc == STORE_OK)
		rc = store__run(s, st, "revoke certificate");
	store__release(st);
	return rc;
}

int store_instance_register(struct store *s, const struct store_instance_new *n,
			    const uint8_t random[STORE_ID_RANDOM_BYTES], int64_t now,
			    char id_out[STORE_INSTANCE_ID_LEN + 1])
{
	static const char sql[] =
		"INSERT INTO instances (id, activation_id, name, cert_serial, registered_at) "
		"VALUES (?1, ?2, ?3, ?4, ?5)";
	char id[STORE_INSTANCE_ID_LEN + 1] = "mi-";
	struct store__tx tx = { 0 };
	sqlite3_stmt *st = NULL;
	int rc;

	store__hex17(random, id + 3);
	rc = store__tx_begin(s, &tx);
	if (rc == STORE_OK)
		rc = check_serial_fresh(s, n->cert_serial);
	if (rc != STORE_OK)
		goto out;
	st = store__stmt(s, STMT_INST_INSERT, sql);
	rc = st ? store__bind_text(s, st, 1, id, STORE_INSTANCE_ID_LEN, TEXT_REQUIRED,
				   "instance id")
		: STORE_ERROR;
	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 2, n->activation_id, STORE_UUID_LEN, TEXT_NULLABLE,
				      "activation id");
	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 3, n->name, STORE_INSTANCE_NAME_MAX, TEXT_OPTIONAL,
				      "instance name");
	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 4, n->cert_serial, STORE_CERT_SERIAL_MAX,
				      TEXT_NULLABLE, "certificate serial");
	if (rc == STORE_OK)
		rc = store__bind_i64(s, st, 5, now);
	if (rc == STORE_OK)
		rc = store__run(s, st, "insert instance");
	if (rc == STORE_OK)
		rc = store__tx_commit(s, &tx);
	if (rc == STORE_OK)
		memcpy(id_out, id, sizeof(id));
out:
	store__release(st);
	store__tx_abort(s, &tx);
	return rc;
}

int store_instance_get(struct store *s, const char *id, struct store_instance *out)
{
	static const char sql[] =
		"SELECT " INST_COLUMNS INST_FROM "WHERE i.id = ?1 AND i.deregistered = 0";
	sqlite3_stmt *st = store__stmt(s, STMT_INST_GET, sql);
	int rc = st ? bind_id(s, st, id) : STORE_ERROR;

	if (rc == STORE_OK)
		rc = store__step_row(s, st, "read instance");
	if (rc == STORE_OK)
		rc = read_instance(s, st, out);
	store__release(st);
	return rc;
}

int store_instance_hello(struct store *s, const char *id, const struct store_instance_hello *h,
			 int64_t now)
{
	static const char sql[] =
		"UPDATE instances SET agent_version = ?2, platform_type = ?3, platform_name = ?4, "
		"platform_version = ?5, hostname = ?6, ip_address = ?7, last_ping = ?8 "
		"WHERE id = ?1 AND deregistered = 0";
	const struct {
		const char *text;
		size_t max;
		const char *what;
	} fields[] = {
		{ h->agent_version, STORE_AGENT_VERSION_MAX, "agent version" },
		{ h->platform_type, STORE_PLATFORM_TYPE_MAX, "platform type" },
		{ h->platform_name, STORE_PLATFORM_NAME_MAX, "platform name" },
		{ h->platform_version, STORE_PLATFORM_VERSION_MAX, "platform version" },
		{ h->hostname, STORE_HOSTNAME_MAX, "hostname" },
		{ h->ip_address, STORE_IP_ADDRESS_MAX, "IP address" },
	};
	sqlite3_stmt *st = store__stmt(s, STMT_INST_HELLO, sql);
	int rc = st ? bind_id(s, st, id) : STORE_ERROR;

	for (int i = 0; rc == STORE_OK && i < (int)(sizeof(fields) / sizeof(fields[0])); i++)
		rc = store__bind_text(s, st, 2 + i, fields[i].text, fields[i].max, TEXT_OPTIONAL,
				      fields[i].what);
	if (rc == STORE_OK)
		rc = store__bind_i64(s, st, 8, now);
	if (rc == STORE_OK)
		rc = run_update(s, st, "record agent hello");
	store__release(st);
	return rc;
}

int store_instance_ping(struct store *s, const char *id, int64_t now)
{
	static const char sql[] =
		"UPDATE instances SET last_ping = ?2 WHERE id = ?1 AND deregistered = 0";
	sqlite3_stmt *st = store__stmt(s, STMT_INST_PING, sql);
	int rc = st ? bind_id(s, st, id) : STORE_ERROR;

	if (rc == STORE_OK)
		rc = store__bind_i64(s, st, 2, now);
	if (rc == STORE_OK)
		rc = run_update(s, st, "record ping");
	store__release(st);
	return rc;
}

int store_instance_set_online(struct store *s, const char *id, const char *broker_id,
			      int64_t now)
{
	static const char sql[] =
		"UPDATE instances SET online = 1, broker_id = ?2, last_ping = ?3 "
		"WHERE id = ?1 AND deregistered = 0";
	sqlite3_stmt *st = store__stmt(s, STMT_INST_SET_ONLINE, sql);
	int rc = st ? bind_id(s, st, id) : STORE_ERROR;

	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 2, broker_id, STORE_BROKER_ID_MAX, TEXT_REQUIRED,
				      "broker id");
	if (rc == STORE_OK)
		rc = store__bind_i64(s, st, 3, now);
	if (rc == STORE_OK)
		rc = run_update(s, st, "set instance online");
	store__release(st);
	return rc;
}

int store_instance_set_offline(struct store *s, const char *id, const char *broker_id)
{
	static const char sql[] =
		"UPDATE instances SET online = 0, broker_id = NULL "
		"WHERE id = ?1 AND deregistered = 0 AND (broker_id IS NULL OR broker_id = ?2)";
	static const char exists_sql[] =
		"SELECT 1 FROM instances WHERE id = ?1 AND deregistered = 0";
	sqlite3_stmt *st = store__stmt(s, STMT_INST_SET_OFFLINE, sql), *ex = NULL;
	int rc = st ? bind_id(s, st, id) : STORE_ERROR;

	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 2, broker_id, STORE_BROKER_ID_MAX, TEXT_REQUIRED,
				      "broker id");
	if (rc == STORE_OK)
		rc = run_update(s, st, "set instance offline");
	if (rc != STORE_NOT_FOUND)
		goto out;
	/* Nothing changed: no such instance, or it is online elsewhere. */
	ex = store__stmt(s, STMT_INST_BROKER_OF, exists_sql);
	rc = ex ? bind_id(s, ex, id) : STORE_ERROR;
	if (rc == STORE_OK)
		rc = store__step_row(s, ex, "read instance");
	if (rc == STORE_OK)
		rc = STORE_CONFLICT;
out:
	store__release(st);
	store__release(ex);
	return rc;
}

/* The current serial of a live instance into serial ("" if none). */
static int current_serial(struct store *s, const char *id, char serial[STORE_CERT_SERIAL_MAX + 1])
{
	static const char sql[] =
		"SELECT cert_serial FROM instances WHERE id = ?1 AND deregistered = 0";
	sqlite3_stmt *st = store__stmt(s, STMT_INST_SERIAL_OF, sql);
	int rc = st ? bind_id(s, st, id) : STORE_ERROR;

	if (rc == STORE_OK)
		rc = store__step_row(s, st, "read certificate serial");
	if (rc == STORE_OK)
		rc = store__col_text(s, st, 0, serial, STORE_CERT_SERIAL_MAX + 1,
				     "certificate serial");
	store__release(st);
	return rc;
}

/* Inside a transaction: the instance's serial old becomes serial, and old
 * (if any) is revoked. */
static int replace_serial(struct store *s, const char *id, const char *old, const char *serial,
			  int64_t now)
{
	static const char sql[] = "UPDATE instances SET cert_serial = ?2 WHERE id = ?1";
	sqlite3_stmt *st = NULL;
	int rc = check_serial_fresh(s, serial);

	if (rc != STORE_OK)
		goto out;
	st = store__stmt(s, STMT_INST_SET_CERT, sql);
	rc = st ? bind_id(s, st, id) : STORE_ERROR;
	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 2, serial, STORE_CERT_SERIAL_MAX, TEXT_REQUIRED,
				      "certificate serial");
	if (rc == STORE_OK)
		rc = run_update(s, st, "set certificate serial");
	if (rc == STORE_OK && *old)
		rc = revoke(s, old, id, now);
out:
	store__release(st);
	return rc;
}

int store_instance_set_cert(struct store *s, const char *id, const char *serial, int64_t now)
{
	char old[STORE_CERT_SERIAL_MAX + 1] = "";
	struct store__tx tx = { 0 };
	int rc;

	if (!serial || !*serial) {
		rc = store__fail(s, "certificate serial is missing");
		goto out;
	}
	rc = store__tx_begin(s, &tx);
	if (rc == STORE_OK)
		rc = current_serial(s, id, old);
	if (rc == STORE_OK && strcmp(old, serial) != 0)
		rc = replace_serial(s, id, old, serial, now);
	if (rc == STORE_OK)
		rc = store__tx_commit(s, &tx);
out:
	store__tx_abort(s, &tx);
	return rc;
}

int store_instance_deregister(struct store *s, const char *id, int64_t now,
			      char serial_out[STORE_CERT_SERIAL_MAX + 1])
{
	static const char sql[] =
		"UPDATE instances SET deregistered = 1, deregistered_at = ?2, online = 0, "
		"broker_id = NULL WHERE id = ?1 AND deregistered = 0";
	char serial[STORE_CERT_SERIAL_MAX + 1] = "";
	struct store__tx tx = { 0 };
	sqlite3_stmt *st = NULL;
	int rc;

	rc = store__tx_begin(s, &tx);
	if (rc == STORE_OK)
		rc = current_serial(s, id, serial);
	if (rc != STORE_OK)
		goto out;
	st = store__stmt(s, STMT_INST_DEREGISTER, sql);
	rc = st ? bind_id(s, st, id) : STORE_ERROR;
	if (rc == STORE_OK)
		rc = store__bind_i64(s, st, 2, now);
	if (rc == STORE_OK)
		rc = run_update(s, st, "deregister instance");
	if (rc == STORE_OK && *serial)
		rc = revoke(s, serial, id, now);
	if (rc == STORE_OK)
		rc = store__tx_commit(s, &tx);
	if (rc == STORE_OK)
		memcpy(serial_out, serial, sizeof(serial));
out:
	store__release(st);
	store__tx_abort(s, &tx);
	return rc;
}

int store_instance_cert_revoked(struct store *s, const char *serial, bool *revoked)
{
	if (!serial || !*serial)
		return store__fail(s, "certificate serial is missing");
	return serial_revoked(s, serial, revoked);
}

/* ---- listing ---- */

/* The ids filter as a JSON array for json_each(). Ids that cannot be
 * instance ids are left out (they could match nothing), so no escaping is
 * ever needed. *json is NULL when there is no filter; caller frees. */
static int ids_json(struct store *s, const struct store_instance_query *q, char **json)
{
	size_t o = 0;
	char *buf;
	bool first = true;

	*json = NULL;
	if (q->n_instance_ids == 0)
		return STORE_OK;
	if (q->n_instance_ids > STORE_INSTANCE_FILTER_IDS_MAX)
		return store__fail(s, "more than %d instance ids", STORE_INSTANCE_FILTER_IDS_MAX);
	buf = malloc(q->n_instance_ids * (STORE_INSTANCE_ID_LEN + 3) + 3);
	if (!buf)
		return store__fail(s, "out of memory");
	buf[o++] = '[';
	for (size_t i = 0; i < q->n_instance_ids; i++) {
		const char *id = q->instance_ids[i];

		if (!id || strlen(id) != STORE_INSTANCE_ID_LEN || strncmp(id, "mi-", 3) != 0 ||
		    strspn(id + 3, "0123456789abcdef") != STORE_INSTANCE_ID_LEN - 3)
			continue;
		if (!first)
			buf[o++] = ',';
		buf[o++] = '"';
		memcpy(buf + o, id, STORE_INSTANCE_ID_LEN);
		o += STORE_INSTANCE_ID_LEN;
		buf[o++] = '"';
		first = false;
	}
	buf[o++] = ']';
	buf[o] = '\0';
	*json = buf;
	return STORE_OK;
}

static int query_fingerprint(struct store *s, const struct store_instance_query *q,
			     uint8_t out[STORE_CURSOR_QUERY_LEN])
{
	struct store__query_hash qh;
	int rc = store__qh_init(s, &qh, 'I');

	if (rc != STORE_OK)
		return rc;
	store__qh_i64(&qh, q->n_instance_ids != 0, (int64_t)q->n_instance_ids);
	for (size_t i = 0; i < q->n_instance_ids; i++)
		store__qh_text(&qh, q->instance_ids[i]);
	store__qh_i64(&qh, q->ping_mask != 0, q->ping_mask);
	return store__qh_final(s, &qh, out);
}

static int bind_list(struct store *s, sqlite3_stmt *st, const struct store_instance_query *q,
		     const char *ids, const struct store__cursor *after)
{
	unsigned mask = q->ping_mask ? q->ping_mask
				     : 1u << STORE_PING_ONLINE | 1u << STORE_PING_CONNECTION_LOST;
	int rc;

	rc = ids ? store__bind_text(s, st, 1, ids, strlen(ids), TEXT_REQUIRED, "instance ids")
		 : store__bind_text(s, st, 1, NULL, 0, TEXT_NULLABLE, "instance ids");
	if (rc == STORE_OK)
		rc = store__bind_i64(s, st, 2, (mask >> STORE_PING_ONLINE) & 1);
	if (rc == STORE_OK)
		rc = store__bind_i64(s, st, 3, (mask >> STORE_PING_CONNECTION_LOST) & 1);
	if (rc == STORE_OK)
		rc = store__bind_i64(s, st, 4, q->now - q->ping_threshold);
	if (rc == STORE_OK)
		rc = store__bind_text(s, st, 5, after ? after->id : NULL, STORE_INSTANCE_ID_LEN,
				      TEXT_NULLABLE, "next token");
	if (rc == STORE_OK)
		rc = store__bind_i64(s, st, 6, (int64_t)q->max_results + 1);
	return rc;
}

int store_instance_list(struct store *s, const struct store_instance_query *q,
			struct store_instance_page *page)
{
	static const char sql[] =
		"SELECT " INST_COLUMNS INST_FROM
		"WHERE i.deregistered = 0"
		"  AND (?1 IS NULL OR i.id IN (SELECT value FROM json_each(?1)))"
		"  AND (CASE WHEN IFNULL(i.last_ping, 0) <> 0 AND i.last_ping >= ?4"
		"       THEN ?2 ELSE ?3 END)"
		"  AND (?5 IS NULL OR i.id > ?5) "
		"ORDER BY i.id LIMIT ?6";
	uint8_t fingerprint[STORE_CURSOR_QUERY_LEN];
	struct store__cursor after = { 0 }, next = { .kind = 'I' };
	bool has_after = q->next_token && *q->next_token;
	sqlite3_stmt *st = NULL;
	char *ids = NULL;
	int rc, step = SQLITE_DONE;

	memset(page, 0, sizeof(*page));
	if (q->max_results < 1 || q->max_results > STORE_PAGE_MAX) {
		rc = store__fail(s, "max results %u is not 1-%d", q->max_results, STORE_PAGE_MAX);
		goto out;
	}
	rc = query_fingerprint(s, q, fingerprint);
	if (rc == STORE_OK && has_after)
		rc = store__cursor_decode(s, q->next_token, 'I', STORE_INSTANCE_ID_LEN,
					  fingerprint, &after);
	if (rc == STORE_OK)
		rc = ids_json(s, q, &ids);
	if (rc != STORE_OK)
		goto out;
	page->items = calloc(q->max_results, sizeof(*page->items));
	st = store__stmt(s, STMT_INST_LIST, sql);
	if (!page->items || !st) {
		rc = st ? store__fail(s, "out of memory") : STORE_ERROR;
		goto out;
	}
	rc = bind_list(s, st, q, ids, has_after ? &after : NULL);
	while (rc == STORE_OK && (step = sqlite3_step(st)) == SQLITE_ROW) {
		if (page->count == q->max_results) {
			memcpy(next.query, fingerprint, sizeof(fingerprint));
			memcpy(next.id, page->items[page->count - 1].id, STORE_INSTANCE_ID_LEN + 1);
			rc = store__cursor_encode(s, &next, page->next_token);
			break;
		}
		rc = read_instance(s, st, &page->items[page->count++]);
	}
	if (rc == STORE_OK && step != SQLITE_ROW && step != SQLITE_DONE)
		rc = store__sql_fail(s, "list instances");
out:
	store__release(st);
	free(ids);
	if (rc != STORE_OK)
		store_instance_page_free(page);
	return rc;
}

void store_instance_page_free(struct store_instance_page *page)
{
	free(page->items);
	memset(page, 0, sizeof(*page));
}
