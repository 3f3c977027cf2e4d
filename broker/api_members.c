/*
 * api_members.c — reading request members with AWS's validation errors, and
 * writing JSON answers.
 */
#include "api_actions.h"

#include <string.h>

int api_member_string(const json_t *body, const char *name, size_t max, bool required,
		      const char **out, struct api_response *resp)
{
	const json_t *v = json_object_get(body, name);
	size_t len;

	*out = NULL;
	if (!v || json_is_null(v)) {
		if (!required)
			return 0;
		api_error(resp, 400, "ValidationException", "%s is required", name);
		return -1;
	}
	if (!json_is_string(v)) {
		api_error(resp, 400, "ValidationException", "%s must be a string", name);
		return -1;
	}
	len = json_string_length(v);
	if (len == 0 || len > max || strlen(json_string_value(v)) != len) {
		api_error(resp, 400, "ValidationException",
			  "%s must be 1 to %zu characters", name, max);
		return -1;
	}
	*out = json_string_value(v);
	return 0;
}

int api_member_int(const json_t *body, const char *name, int64_t min, int64_t max,
		   bool required, int64_t *out, struct api_response *resp)
{
	const json_t *v = json_object_get(body, name);

	if (!v || json_is_null(v)) {
		if (!required)
			return 0;
		api_error(resp, 400, "ValidationException", "%s is required", name);
		return -1;
	}
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
		api_error(resp, 400, "ValidationException",
			  "%s must be a whole number from %lld to %lld", name, (long long)min,
			  (long long)max);
		return -1;
	}
	*out = json_integer_value(v);
	return 0;
}

int api_member_time(const json_t *body, const char *name, bool required, int64_t *out,
		    struct api_response *resp)
{
	const json_t *v = json_object_get(body, name);
	double t;

	if (!v || json_is_null(v)) {
		if (!required)
			return 0;
		api_error(resp, 400, "ValidationException", "%s is required", name);
		return -1;
	}
	if (!json_is_number(v) || (t = json_number_value(v)) < 0 || t > 253402300799.0) {
		api_error(resp, 400, "ValidationException",
			  "%s must be a timestamp in epoch seconds", name);
		return -1;
	}
	*out = (int64_t)t;
	return 0;
}

void api_ok_json(struct api_response *resp, json_t *obj)
{
	api_ok(resp, obj ? json_dumps(obj, JSON_COMPACT) : NULL);
	json_decref(obj);
}
