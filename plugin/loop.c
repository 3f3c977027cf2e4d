/*
 * loop.c — the libwebsockets context and the protocol table of the client.
 */
#include "loop.h"
#include "api_client.h"
#include "client_err.h"
#include "data_channel.h"
#include "forward_conn.h"
#include "forward_listener.h"
#include "signals.h"
#include "stdio_relay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>


/* protocols[0] also gets the context-level callbacks: keep it inert. */
static int callback_none(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			 void *in, size_t len)
{
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
	{"postern-none", callback_none, 0, 0, 0, NULL, 0},
	{LOOP_PROTOCOL_API, api_client_lws_callback, 0, 0, 0, NULL, 0},
	{LOOP_PROTOCOL_DATA, data_channel_lws_callback, 0, 65536, 0, NULL, 0},
	{LOOP_PROTOCOL_STDIO, stdio_relay_lws_callback, 0, 0, 0, NULL, 0},
	{LOOP_PROTOCOL_SIGNAL, signals_lws_callback, 0, 0, 0, NULL, 0},
	{LOOP_PROTOCOL_LISTEN, forward_listener_lws_callback, 0, 0, 0, NULL, 0},
	{LOOP_PROTOCOL_PORT, forward_conn_lws_callback, 0, LOOP_READ_MAX, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0},
};

static void log_to_stderr(int level, const char *line)
{
	(void)level;
	fprintf(stderr, "lws: %s", line);
}

/* A client context trusting the system store and ca_file (may be NULL), TLS
 * 1.2 or newer, the server's certificate checked. */
static SSL_CTX *data_tls_context(const char *ca_file)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (!ctx)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	if (SSL_CTX_set_default_verify_paths(ctx) != 1 ||
	    (ca_file && SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1)) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

int loop_init(struct loop *l, const char *ca_file, char *err, size_t errlen)
{
	struct lws_context_creation_info info;

	memset(l, 0, sizeof(*l));
	if (ca_file && access(ca_file, R_OK) != 0)
		return client_errf(err, errlen, CLIENT_E_CONFIG, "cannot read the CA file %s",
				   ca_file);
	if (getenv("POSTERN_DEBUG"))
		lws_set_log_level(LLL_ERR | LLL_WARN | LLL_NOTICE, log_to_stderr);
	else
		lws_set_log_level(0, NULL);
	memset(&info, 0, sizeof(info));
	info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.client_ssl_ca_filepath = ca_file;
	info.fd_limit_per_thread = LOOP_FD_LIMIT; /* also: lws need not size for ulimit -n */
	info.pt_serv_buf_size = LOOP_READ_MAX + LWS_PRE;
	info.timeout_secs = LOOP_TIMEOUT_S;
	l->ctx = lws_create_context(&info);
	if (!l->ctx)
		return client_errf(err, errlen, CLIENT_E_NET,
				   "cannot create the TLS context (is %s a PEM CA file?)",
				   ca_file ? ca_file : "the system store");
	l->tls = data_tls_context(ca_file);
	if (!l->tls) {
		loop_fini(l);
		return client_errf(err, errlen, CLIENT_E_NET,
				   "cannot create the TLS context (is %s a PEM CA file?)",
				   ca_file ? ca_file : "the system store");
	}
	l->vhost = lws_get_vhost_by_name(l->ctx, "default");
	if (!l->vhost) {
		loop_fini(l);
		return client_errf(err, errlen, CLIENT_E_NET, "lws has no default vhost");
	}
	return CLIENT_OK;
}

int loop_run_until(struct loop *l, const bool *done)
{
	while (!*done)
		if (lws_service(l->ctx, 0) < 0)
			return CLIENT_E_NET;
	return CLIENT_OK;
}

struct loop_alarm {
	lws_sorted_usec_list_t sul;
	bool rang;
};

static void loop_alarm_ring(lws_sorted_usec_list_t *sul)
{
	lws_container_of(sul, struct loop_alarm, sul)->rang = true;
}

int loop_sleep(struct loop *l, unsigned ms)
{
	struct loop_alarm alarm;
	int rc;

	memset(&alarm, 0, sizeof(alarm));
	lws_sul_schedule(l->ctx, 0, &alarm.sul, loop_alarm_ring, (lws_usec_t)ms * LWS_US_PER_MS);
	rc = loop_run_until(l, &alarm.rang);
	lws_sul_cancel(&alarm.sul);
	return rc;
}

void loop_fini(struct loop *l)
{
	if (l->ctx)
		lws_context_destroy(l->ctx);
	l->ctx = NULL;
	SSL_CTX_free(l->tls);
	l->tls = NULL;
	l->vhost = NULL;
}

uint64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
