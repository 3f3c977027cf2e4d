/*
 * api_client.h — one signed call of the AWS JSON 1.1 API (cli-and-api.md §4):
 * POST / to the endpoint with X-Amz-Target AmazonSSM.<Action>, the JSON body,
 * a random X-Amz-Postern-Nonce (so no two calls share a signature: the broker
 * refuses replays) and Signature V4 for service "ssm" (sigv4_sign), over
 * an lws HTTPS client connection in the client's loop. The answer is the
 * parsed JSON object, or the AWS error turned into "<__type>: <message>".
 */
#ifndef POSTERN_API_CLIENT_H
#define POSTERN_API_CLIENT_H

#include <jansson.h>
#include <libwebsockets.h>
#include <stddef.h>

struct credentials;
struct loop;

#define API_CLIENT_SERVICE "ssm"
#define API_CLIENT_TARGET_PREFIX "AmazonSSM."
#define API_CLIENT_RESPONSE_MAX (1024u * 1024u) /* bytes of answer accepted */

/* Appended to TLS failures (lws reports them as "… SSL err …"). */
#define API_CLIENT_TLS_HINT \
	" (TLS failed: is the broker's CA given with --ca, AWS_CA_BUNDLE or ca in the config file?)"

/*
 * Call AmazonSSM.<action> with body (not stolen) at c->endpoint_url, signed
 * with c's keys for c->region. Runs the loop until the answer is in, so it
 * must not be called from a loop callback. On CLIENT_OK *response is a new
 * reference to the answer's JSON object. Errors, message in err:
 *   CLIENT_E_API       the service refused: "<type>: <message>" (a namespaced
 *                      type "com.amazonaws.ssm#X" reads as "X"), or
 *                      "HTTP <status>" for a non-AWS error answer
 *   CLIENT_E_NET       cannot connect, TLS failure, connection lost
 *   CLIENT_E_PROTOCOL  a 200 answer that is not a JSON object, or too long
 *   CLIENT_E_CONFIG    no keys or endpoint in c, a bad endpoint URL, a
 *                      signing failure (e.g. malformed key id)
 *   CLIENT_E_NOMEM
 */
int api_client_call(struct loop *l, const struct credentials *c, const char *action,
		    const json_t *body, json_t **response, char *err, size_t errlen);

/* The "postern-api" protocol callback (see loop.h). */
int api_client_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			    void *in, size_t len);

#endif
