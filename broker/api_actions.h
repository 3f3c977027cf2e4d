/*
 * api_actions.h — the API's action handlers, one file each, and the helpers
 * they share for reading request members (api_members.c). A handler gets the
 * authenticated caller and the parsed JSON body and fills the response.
 */
#ifndef POSTERN_BROKER_API_ACTIONS_H
#define POSTERN_BROKER_API_ACTIONS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api.h"

/* Agents register here, authenticated by their activation code (no SigV4). */
#define API_REGISTER_PATH "/v1/register"

typedef void (*api_handler)(struct broker *b, const struct api_caller *caller,
			    json_t *body, const struct api_request *req,
			    struct api_response *resp);

struct api_action {
	const char *target; /* X-Amz-Target */
	api_handler run;
	bool admin_only;
};

void api_create_activation(struct broker *b, const struct api_caller *caller, json_t *body,
			   const struct api_request *req, struct api_response *resp);
void api_describe_instance_information(struct broker *b, const struct api_caller *caller,
				       json_t *body, const struct api_request *req,
				       struct api_response *resp);

void api_start_session(struct broker *b, const struct api_caller *caller, json_t *body,
		       const struct api_request *req, struct api_response *resp);
void api_resume_session(struct broker *b, const struct api_caller *caller, json_t *body,
			const struct api_request *req, struct api_response *resp);
void api_terminate_session(struct broker *b, const struct api_caller *caller, json_t *body,
			   const struct api_request *req, struct api_response *resp);
void api_describe_sessions(struct broker *b, const struct api_caller *caller, json_t *body,
			   const struct api_request *req, struct api_response *resp);

/* POST /v1/register: not SigV4-signed; parses its own body. */
void api_register(struct broker *b, const struct api_request *req, struct api_response *resp);

/*
 * Read an optional string member of 1..max characters (0 allowed when
 * allow_empty). *out is NULL when the member is absent or null. On a wrong
 * type or length, fills resp with ValidationException and returns -1.
 */
int api_member_string(const json_t *body, const char *name, size_t max, bool required,
		      const char **out, struct api_response *resp);

/* Read an optional integer member within [min, max]; *out untouched if absent. */
int api_member_int(const json_t *body, const char *name, int64_t min, int64_t max,
		   bool required, int64_t *out, struct api_response *resp);

/* Read an optional timestamp member (epoch seconds, fractions allowed). */
int api_member_time(const json_t *body, const char *name, bool required, int64_t *out,
		    struct api_response *resp);

/* Serialize obj compactly into the response (status 200) and release obj. */
void api_ok_json(struct api_response *resp, json_t *obj);

#endif
