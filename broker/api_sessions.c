/*
 * api_sessions.c — the session actions of the API (cli-and-api.md §5.1–5.4):
 * StartSession, ResumeSession, TerminateSession and DescribeSessions.
 * Callers other than the administrator see and end only their own sessions.
 */
#define _XOPEN_SOURCE 700 /* strptime */
#include "agents.h"
#include "api_actions.h"
#include "broker.h"
#include "documents.h"
#include "sessions.h"
#include "store.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define DESCRIBE_DEFAULT_MAX 20

static bool valid_document_name(const char *name)
{
	size_t n = strlen(name);

	if (n < 3 || n > STORE_DOCUMENT_MAX)
		return false;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:/") == n;
}

void api_start_session(struct broker *b, const struct api_caller *caller, json_t *body,
		       const struct api_request *req, struct api_response *resp)
{
	struct session_start st = {.owner = caller->user};
	const struct document *doc;
	struct store_instance in;
	char id[STORE_SESSION_ID_MAX + 1], token[SESSIONS_TOKEN_CHARS + 1], url[SESSIONS_URL_MAX];
	char err[256];
	json_t *params = json_object_get(body, "Parameters");
	char *params_text = NULL, *props = NULL;

	(void)req;
	st.document = DOCUMENTS_DEFAULT_SHELL;
	if (api_member_string(body, "Target", STORE_TARGET_MAX, true, &st.target, resp) ||
	    api_member_string(body, "DocumentName", STORE_DOCUMENT_MAX, false, &st.document, resp) ||
	    api_member_string(body, "Reason", STORE_REASON_MAX, false, &st.reason, resp))
		return;
	if (!st.document)
		st.document = DOCUMENTS_DEFAULT_SHELL;
	if (!valid_document_name(st.document) || !(doc = documents_find(st.document))) {
		api_error(resp, 400, "InvalidDocument", "document %s does not exist", st.document);
		return;
	}
	if (st.reason && strpbrk(st.reason, "\r\n")) {
		api_error(resp, 400, "ValidationException", "Reason must be a single line");
		return;
	}
	if (documents_resolve(doc, params, &params_text, &props, err, sizeof(err)) != 0) {
		api_error(resp, 400, "InvalidDocument", "%s", err);
		return;
	}
	st.session_type = doc->session_type;
	st.parameters_json = params_text;
	st.properties_json = props;
	if (store_instance_get(b->store, st.target, &in) != STORE_OK) {
		api_error(resp, 400, "TargetNotConnected", "%s is not a registered target", st.target);
	} else if (!agents_find(b, st.target)) {
		api_error(resp, 400, "TargetNotConnected", "%s is not connected", st.target);
	} else if (sessions_start(b, &st, id, sizeof(id), token, url, sizeof(url), err,
				  sizeof(err)) != 0) {
		broker_log(b, 0, "StartSession: %s", err);
		api_error(resp, 500, "InternalServerError", "could not start the session");
	} else {
		broker_log(b, 2, "session %s: started by %s on %s (%s)", id, caller->user, st.target,
			   st.document);
		api_ok_json(resp, json_pack("{s:s, s:s, s:s}", "SessionId", id, "TokenValue", token,
					    "StreamUrl", url));
		OPENSSL_cleanse(token, sizeof(token));
	}
	free(params_text);
	free(props);
}

/* Read the session named in the body, checking the caller may act on it. */
static int own_session(struct broker *b, const struct api_caller *caller, json_t *body,
		       struct store_session *se, struct api_response *resp)
{
	const char *id;

	if (api_member_string(body, "SessionId", STORE_SESSION_ID_MAX, true, &id, resp))
		return -1;
	if (store_session_get(b->store, id, se) != STORE_OK) {
		api_error(resp, 400, "DoesNotExistException", "session %s does not exist", id);
		return -1;
	}
	if (!caller->admin && strcmp(se->owner, caller->user) != 0) {
		store_session_clear(se);
		api_error(resp, 400, "AccessDeniedException", "session %s belongs to another user",
			  id);
		return -1;
	}
	return 0;
}

void api_terminate_session(struct broker *b, const struct api_caller *caller, json_t *body,
			   const struct api_request *req, struct api_response *resp)
{
	struct store_session se;

	(void)req;
	if (own_session(b, caller, body, &se, resp) != 0)
		return;
	if (sessions_terminate(b, se.id, "") == 0)
		broker_log(b, 2, "session %s: terminated by %s", se.id, caller->user);
	api_ok_json(resp, json_pack("{s:s}", "SessionId", se.id));
	store_session_clear(&se);
}

void api_resume_session(struct broker *b, const struct api_caller *caller, json_t *body,
			const struct api_request *req, struct api_response *resp)
{
	char token[SESSIONS_TOKEN_CHARS + 1], url[SESSIONS_URL_MAX];
	struct store_session se;

	(void)req;
	if (own_session(b, caller, body, &se, resp) != 0)
		return;
	if (sessions_stream_url(b, se.id, url, sizeof(url)) != 0 ||
	    sessions_new_client_token(b, se.id, token) != 0) {
		/* over: no TokenValue, so the stock plugin exits cleanly (§8.3) */
		api_ok_json(resp, json_pack("{s:s}", "SessionId", se.id));
	} else {
		api_ok_json(resp, json_pack("{s:s, s:s, s:s}", "SessionId", se.id, "TokenValue",
					    token, "StreamUrl", url));
		OPENSSL_cleanse(token, sizeof(token));
	}
	store_session_clear(&se);
}

/* ISO-8601 "YYYY-MM-DDTHH:MM:SS[.fff]Z" (or a date alone) to epoch seconds. */
static int parse_iso8601(const char *text, int64_t *out)
{
	struct tm tm = {0};
	const char *end = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm);

	if (!end) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(text, "%Y-%m-%d", &tm);
		if (!end || *end)
			return -1;
	} else {
		if (*end == '.')
			end += 1 + strspn(end + 1, "0123456789");
		if (*end == 'Z')
			end++;
		if (*end)
			return -1;
	}
	*out = (int64_t)timegm(&tm);
	return 0;
}

static int session_filters(const json_t *body, struct store_session_query *q,
			   struct api_response *resp)
{
	const json_t *list = json_object_get(body, "Filters"), *f;
	size_t i;

	json_array_foreach(list, i, f) {
		const json_t *k = json_object_get(f, "key"), *v = json_object_get(f, "value");
		const char *key, *value;

		if (!json_is_string(k) || !json_is_string(v) || json_string_length(v) == 0) {
			api_error(resp, 400, "InvalidFilterKey", "filters are {\"key\",\"value\"}");
			return -1;
		}
		key = json_string_value(k);
		value = json_string_value(v);
		if (strcmp(key, "InvokedAfter") == 0 && parse_iso8601(value, &q->invoked_after) == 0)
			q->has_invoked_after = true;
		else if (strcmp(key, "InvokedBefore") == 0 &&
			 parse_iso8601(value, &q->invoked_before) == 0)
			q->has_invoked_before = true;
		else if (strcmp(key, "Target") == 0)
			q->target = value;
		else if (strcmp(key, "Owner") == 0)
			q->owner = value;
		else if (strcmp(key, "SessionId") == 0)
			q->session_id = value;
		else if (strcmp(key, "Status") == 0 &&
			 store_session_status_parse(value, &q->status) == STORE_OK)
			q->has_status = true;
		else {
			api_error(resp, 400, "InvalidFilterKey", "filter %s=%s is not supported", key,
				  value);
			return -1;
		}
	}
	return 0;
}

static json_t *session_json(const struct store_session *se)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s}", "SessionId", se->id, "Target",
			      se->target, "Status", store_session_status_name(se->status),
			      "StartDate", (json_int_t)se->start_date, "DocumentName",
			      se->document_name, "Owner", se->owner);

	if (o && se->ended)
		json_object_set_new(o, "EndDate", json_integer(se->end_date));
	if (o && se->reason[0])
		json_object_set_new(o, "Reason", json_string(se->reason));
	if (o && se->details[0])
		json_object_set_new(o, "Details", json_string(se->details));
	return o;
}

void api_describe_sessions(struct broker *b, const struct api_caller *caller, json_t *body,
			   const struct api_request *req, struct api_response *resp)
{
	struct store_session_query q = {0};
	struct store_session_page page = {0};
	int64_t max = DESCRIBE_DEFAULT_MAX;
	const char *state;
	json_t *list, *out;
	int rc;

	(void)req;
	if (api_member_string(body, "State", 16, true, &state, resp) ||
	    api_member_int(body, "MaxResults", 1, 200, false, &max, resp) ||
	    api_member_string(body, "NextToken", STORE_NEXT_TOKEN_MAX, false, &q.next_token, resp) ||
	    session_filters(body, &q, resp))
		return;
	if (strcmp(state, "Active") != 0 && strcmp(state, "History") != 0) {
		api_error(resp, 400, "ValidationException", "State must be Active or History");
		return;
	}
	q.state = strcmp(state, "Active") == 0 ? STORE_SESSIONS_ACTIVE : STORE_SESSIONS_HISTORY;
	q.max_results = (unsigned)max;
	if (!caller->admin)
		q.owner = caller->user;
	rc = store_session_list(b->store, &q, &page);
	if (rc != STORE_OK) {
		if (rc == STORE_BAD_TOKEN)
			api_error(resp, 400, "InvalidNextToken", "the NextToken is not valid");
		else
			api_error(resp, 500, "InternalServerError", "could not read sessions");
		return;
	}
	list = json_array();
	for (size_t i = 0; list && i < page.count; i++)
		json_array_append_new(list, session_json(&page.items[i]));
	out = json_pack("{s:o}", "Sessions", list);
	if (out && page.next_token[0])
		json_object_set_new(out, "NextToken", json_string(page.next_token));
	store_session_page_free(&page);
	api_ok_json(resp, out);
}
