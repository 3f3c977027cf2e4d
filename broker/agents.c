/*
 * agents.c — admission, bookkeeping and message handling of the agents'
 * control channels (see agents.h).
 */
#include "agents.h"
#include "broker.h"
#include "msg_queue.h"
#include "pki.h"
#include "proto_err.h"
#include "sessions.h"
#include "store.h"

#include <libwebsockets.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SEND_QUEUE_MAX (4u * 1024u * 1024u)
#define MISSED_HEARTBEATS 3

struct agent_conn {
	struct agent_conn *next;
	struct lws *wsi;
	char instance_id[PKI_INSTANCE_ID_LEN + 1];
	char serial[PKI_SERIAL_HEX_SIZE];
	bool hello_done;
	bool replaced;      /* a newer connection of the same instance took over */
	uint64_t next_message_id;
	time_t last_heard;
	uint8_t *rx;        /* fragments of the message being received */
	size_t rx_len;
	struct msg_queue out;
};

/* Instance id and serial of the verified client certificate, or -1. */
static int peer_identity(struct lws *wsi, char id[PKI_INSTANCE_ID_LEN + 1],
			 char serial[PKI_SERIAL_HEX_SIZE])
{
	SSL *ssl = lws_get_ssl(wsi);
	X509 *cert;
	int rc = -1;

	if (!ssl || SSL_get_verify_result(ssl) != X509_V_OK)
		return -1;
	cert = SSL_get1_peer_certificate(ssl);
	if (!cert)
		return -1;
	if (pki_cert_instance_id(cert, id) == PKI_OK && pki_cert_serial_hex(cert, serial) == PKI_OK)
		rc = 0;
	X509_free(cert);
	return rc;
}

int agents_admit(struct broker *b, struct lws *wsi)
{
	char id[PKI_INSTANCE_ID_LEN + 1], serial[PKI_SERIAL_HEX_SIZE], peer[64];
	struct store_instance in;
	bool revoked = true;

	lws_get_peer_simple(wsi, peer, sizeof(peer));
	if (peer_identity(wsi, id, serial) != 0) {
		broker_log(b, 1, "control %s: refused: no valid client certificate from this CA",
			   peer);
		return -1;
	}
	if (store_instance_cert_revoked(b->store, serial, &revoked) != STORE_OK || revoked ||
	    store_instance_get(b->store, id, &in) != STORE_OK || strcmp(in.cert_serial, serial)) {
		broker_log(b, 1, "control %s: refused %s: certificate %s is revoked or not on record",
			   peer, id, serial);
		return -1;
	}
	return 0;
}

struct agent_conn *agents_find(struct broker *b, const char *instance_id)
{
	for (struct agent_conn *a = b->agents; a; a = a->next)
		if (!a->replaced && a->hello_done && strcmp(a->instance_id, instance_id) == 0)
			return a;
	return NULL;
}

static void arm_liveness_timer(struct broker *b, struct agent_conn *a)
{
	lws_set_timer_usecs(a->wsi, (lws_usec_t)b->cfg.heartbeat_interval_s * LWS_US_PER_SEC);
}

int agents_on_established(struct broker *b, struct lws *wsi, struct agent_conn **out)
{
	struct agent_conn *a = calloc(1, sizeof(*a));

	*out = a;
	if (!a)
		return -1;
	a->wsi = wsi;
	if (peer_identity(wsi, a->instance_id, a->serial) != 0)
		return -1; /* admitted a moment ago: cannot happen, but never trust it */
	a->last_heard = time(NULL);
	a->next = b->agents;
	b->agents = a;
	arm_liveness_timer(b, a);
	return 0;
}

int agents_send(struct broker *b, struct agent_conn *a, const control_envelope *env)
{
	uint8_t *packed;
	size_t len;
	int rc = -1;

	(void)b;
	if (control_pack(env, &packed, &len) != PROTO_OK)
		return -1;
	if (a->out.bytes + len <= SEND_QUEUE_MAX && msg_queue_push(&a->out, packed, len, true) == 0) {
		lws_callback_on_writable(a->wsi);
		rc = 0;
	}
	free(packed);
	return rc;
}

int agents_on_writeable(struct broker *b, struct agent_conn *a)
{
	(void)b;
	if (msg_queue_write_one(&a->out, a->wsi) < 0)
		return -1;
	if (a->out.count)
		lws_callback_on_writable(a->wsi);
	return 0;
}

/* An older connection of the same instance gives way to this one. */
static void replace_older(struct broker *b, struct agent_conn *a)
{
	for (struct agent_conn *o = b->agents; o; o = o->next) {
		if (o == a || o->replaced || strcmp(o->instance_id, a->instance_id) != 0)
			continue;
		o->replaced = true;
		broker_log(b, 2, "control: %s reconnected; closing its older connection",
			   a->instance_id);
		lws_set_timeout(o->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
	}
}

static int on_hello(struct broker *b, struct agent_conn *a, const Postern__Control__AgentHello *h)
{
	struct store_instance_hello info = {
		.agent_version = h->agent_version, .platform_type = h->platform_type,
		.platform_name = h->platform_name, .platform_version = h->platform_version,
		.hostname = h->hostname,
		.ip_address = h->n_ip_addresses ? h->ip_addresses[0] : "",
	};
	Postern__Control__HelloAck ack = POSTERN__CONTROL__HELLO_ACK__INIT;
	control_envelope env;
	time_t now = time(NULL);

	if (a->hello_done || strcmp(h->instance_id, a->instance_id) != 0) {
		broker_log(b, 1, "control: %s sent a hello for '%s': closing", a->instance_id,
			   h->instance_id);
		return -1;
	}
	if (store_instance_hello(b->store, a->instance_id, &info, (int64_t)now) != STORE_OK ||
	    store_instance_set_online(b->store, a->instance_id, b->cfg.listen, (int64_t)now) !=
		    STORE_OK) {
		broker_log(b, 0, "control: %s: %s", a->instance_id, store_errmsg(b->store));
		return -1;
	}
	replace_older(b, a);
	a->hello_done = true;
	broker_log(b, 2, "control: %s online (agent %s on %s, %s %s)", a->instance_id,
		   h->agent_version, h->hostname, h->platform_name, h->platform_version);
	control_envelope_init(&env, ++a->next_message_id);
	ack.server_time_ms = (uint64_t)now * 1000u;
	ack.heartbeat_interval_ms = (uint32_t)b->cfg.heartbeat_interval_s * 1000u;
	env.body_case = POSTERN__CONTROL__ENVELOPE__BODY_HELLO_ACK;
	env.hello_ack = &ack;
	return agents_send(b, a, &env);
}

static void on_session_state(struct broker *b, struct agent_conn *a,
			     const Postern__Control__SessionState *st)
{
	bool failed = st->state == POSTERN__CONTROL__SESSION_STATE__STATE__STATE_FAILED;
	struct store_session se;

	if (store_session_get(b->store, st->session_id, &se) != STORE_OK)
		return;
	if (strcmp(se.target, a->instance_id) != 0) { /* not this agent's to report */
		store_session_clear(&se);
		return;
	}
	store_session_clear(&se);
	if (st->has_exit_code)
		store_session_set_exit_code(b->store, st->session_id, st->exit_code);
	if (failed || st->state == POSTERN__CONTROL__SESSION_STATE__STATE__STATE_TERMINATED)
		sessions_agent_report(b, a->instance_id, st->session_id, failed, st->detail);
}

static int dispatch(struct broker *b, struct agent_conn *a, const control_envelope *env)
{
	if (!a->hello_done && env->body_case != POSTERN__CONTROL__ENVELOPE__BODY_AGENT_HELLO) {
		broker_log(b, 1, "control: %s spoke before its hello: closing", a->instance_id);
		return -1;
	}
	switch (env->body_case) {
	case POSTERN__CONTROL__ENVELOPE__BODY_AGENT_HELLO:
		return on_hello(b, a, env->agent_hello);
	case POSTERN__CONTROL__ENVELOPE__BODY_HEARTBEAT:
		return store_instance_ping(b->store, a->instance_id, (int64_t)time(NULL)) ==
			       STORE_OK ? 0 : -1;
	case POSTERN__CONTROL__ENVELOPE__BODY_SESSION_STATE:
		on_session_state(b, a, env->session_state);
		return 0;
	case POSTERN__CONTROL__ENVELOPE__BODY_ERROR:
		broker_log(b, 1, "control: %s reports error %d: %s", a->instance_id,
			   (int)env->error->code, env->error->message);
		return 0;
	default:
		broker_log(b, 3, "control: %s sent message kind %d: ignored", a->instance_id,
			   (int)env->body_case);
		return 0;
	}
}

int agents_on_receive(struct broker *b, struct agent_conn *a, const void *in, size_t len,
		      bool final)
{
	control_envelope *env;
	uint8_t *grown;
	int rc;

	if (a->rx_len + len > CONTROL_MAX_MESSAGE) {
		broker_log(b, 1, "control: %s sent a message over %u bytes: closing",
			   a->instance_id, CONTROL_MAX_MESSAGE);
		return -1;
	}
	grown = realloc(a->rx, a->rx_len + len + 1);
	if (!grown)
		return -1;
	a->rx = grown;
	memcpy(a->rx + a->rx_len, in, len);
	a->rx_len += len;
	if (!final)
		return 0;
	a->last_heard = time(NULL);
	rc = control_unpack(a->rx, a->rx_len, &env);
	a->rx_len = 0;
	if (rc != PROTO_OK) {
		broker_log(b, 1, "control: %s sent a bad message (%s): closing", a->instance_id,
			   proto_err_str(rc));
		return -1;
	}
	rc = dispatch(b, a, env);
	control_free(env);
	return rc;
}

int agents_on_timer(struct broker *b, struct agent_conn *a)
{
	if (time(NULL) - a->last_heard > MISSED_HEARTBEATS * b->cfg.heartbeat_interval_s) {
		broker_log(b, 1, "control: %s silent for %d heartbeats: closing", a->instance_id,
			   MISSED_HEARTBEATS);
		return -1;
	}
	arm_liveness_timer(b, a);
	return 0;
}

void agents_on_closed(struct broker *b, struct agent_conn *a)
{
	struct agent_conn **p;

	if (!a)
		return;
	for (p = &b->agents; *p; p = &(*p)->next)
		if (*p == a) {
			*p = a->next;
			break;
		}
	if (a->hello_done && !a->replaced) {
		store_instance_set_offline(b->store, a->instance_id, b->cfg.listen);
		broker_log(b, 2, "control: %s offline", a->instance_id);
		sessions_agent_gone(b, a->instance_id);
	}
	msg_queue_clear(&a->out);
	free(a->rx);
	free(a);
}

void agents_release_all(struct broker *b)
{
	while (b->agents)
		agents_on_closed(b, b->agents);
}
