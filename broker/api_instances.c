/*
 * api_instances.c — AmazonSSM.DescribeInstanceInformation (cli-and-api.md
 * §5.5): the registered agents, whether they are online, what they run.
 */
#include "api_actions.h"
#include "broker.h"
#include "store.h"

#include <string.h>

#define MAX_RESULTS_DEFAULT 50

/* An agent that missed three heartbeats has lost its connection. */
static int64_t ping_threshold(const struct broker *b)
{
	return 3 * b->cfg.heartbeat_interval_s;
}

static json_t *instance_json(const struct broker *b, const struct store_instance *in,
			     int64_t now)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:b}",
			      "InstanceId", in->id,
			      "PingStatus", store_instance_ping_status(in, now, ping_threshold(b)) ==
						    STORE_PING_ONLINE ? "Online" : "ConnectionLost",
			      "AgentVersion", in->agent_version,
			      "PlatformType", in->platform_type[0] ? in->platform_type : "Linux",
			      "PlatformName", in->platform_name,
			      "PlatformVersion", in->platform_version,
			      "ComputerName", in->hostname,
			      "IPAddress", in->ip_address,
			      "RegistrationDate", (json_int_t)in->registered_at,
			      "ResourceType", "ManagedInstance",
			      "IsLatestVersion", 1);

	if (o && in->last_ping)
		json_object_set_new(o, "LastPingDateTime", json_integer(in->last_ping));
	if (o && in->activation_id[0])
		json_object_set_new(o, "ActivationId", json_string(in->activation_id));
	if (o && in->iam_role[0])
		json_object_set_new(o, "IamRole", json_string(in->iam_role));
	if (o && in->name[0])
		json_object_set_new(o, "Name", json_string(in->name));
	return o;
}

/*
 * InstanceIds from either filter form: InstanceInformationFilterList
 * [{"key":"InstanceIds","valueSet":[...]}] or Filters [{"Key":..,"Values":[..]}].
 */
static int instance_id_filter(const json_t *body, const char **ids, size_t *n,
			      struct api_response *resp)
{
	static const struct { const char *list, *key, *values; } forms[] = {
		{"InstanceInformationFilterList", "key", "valueSet"},
		{"Filters", "Key", "Values"},
	};

	*n = 0;
	for (size_t f = 0; f < 2; f++) {
		const json_t *list = json_object_get(body, forms[f].list), *item;
		size_t i;

		json_array_foreach(list, i, item) {
			const json_t *key = json_object_get(item, forms[f].key);
			const json_t *vals = json_object_get(item, forms[f].values), *v;
			size_t k;

			if (!json_is_string(key) || !json_is_array(vals)) {
				api_error(resp, 400, "InvalidFilterKey", "malformed filter");
				return -1;
			}
			if (strcmp(json_string_value(key), "InstanceIds") != 0) {
				api_error(resp, 400, "InvalidFilterKey",
					  "filter key %s is not supported", json_string_value(key));
				return -1;
			}
			json_array_foreach(vals, k, v) {
				if (!json_is_string(v) || *n >= STORE_INSTANCE_FILTER_IDS_MAX) {
					api_error(resp, 400, "InvalidInstanceInformationFilterValue",
						  "up to %d instance ids, as strings",
						  STORE_INSTANCE_FILTER_IDS_MAX);
					return -1;
				}
				ids[(*n)++] = json_string_value(v);
			}
		}
	}
	return 0;
}

void api_describe_instance_information(struct broker *b, const struct api_caller *caller,
				       json_t *body, const struct api_request *req,
				       struct api_response *resp)
{
	const char *ids[STORE_INSTANCE_FILTER_IDS_MAX];
	struct store_instance_query q = {.instance_ids = ids, .now = (int64_t)req->now,
					 .ping_threshold = ping_threshold(b)};
	struct store_instance_page page = {0};
	int64_t max = MAX_RESULTS_DEFAULT;
	json_t *list, *out;
	int rc;

	(void)caller;
	if (api_member_int(body, "MaxResults", 5, 50, false, &max, resp) ||
	    api_member_string(body, "NextToken", STORE_NEXT_TOKEN_MAX, false, &q.next_token,
			      resp) ||
	    instance_id_filter(body, ids, &q.n_instance_ids, resp))
		return;
	q.max_results = (unsigned)max;
	rc = store_instance_list(b->store, &q, &page);
	if (rc == STORE_BAD_TOKEN) {
		api_error(resp, 400, "InvalidNextToken", "the NextToken is not valid");
		return;
	}
	if (rc != STORE_OK) {
		broker_log(b, 0, "DescribeInstanceInformation: %s", store_errmsg(b->store));
		api_error(resp, 500, "InternalServerError", "could not read instances");
		return;
	}
	list = json_array();
	for (size_t i = 0; list && i < page.count; i++)
		json_array_append_new(list, instance_json(b, &page.items[i], q.now));
	out = json_pack("{s:o}", "InstanceInformationList", list);
	if (out && page.next_token[0])
		json_object_set_new(out, "NextToken", json_string(page.next_token));
	store_instance_page_free(&page);
	api_ok_json(resp, out);
}
