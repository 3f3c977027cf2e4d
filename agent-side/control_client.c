/*
 * control_client.c — the control channel's connection, timers and
 * reconnection over libwebsockets (see control_client.h); one handler per
 * callback reason.
 */
#include "control_client.h"
#include "agent_log.h"
#include "agent_lws.h"
#include "agent_net.h"
#include "agent_tls.h"
#include "control.h"
#include "control_backoff.h"
#include "control_link.h"
#include "host_info.h"
#include "session_table.h"

#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct control_client {
	const struct agent_state *st;
	struct lws_context *lws;
	SSL_CTX *ssl;
	struct agent_tls_diag diag;   /* why the last handshake failed */
	struct host_info host;        /* collected anew before each attempt */
	struct control_link link;     /* the conversation */
	char url[AGENT_URL_MAX + 32]; /* wss://... for logs */
	char path[AGENT_URL_MAX + 32];
	char host_header[AGENT_URL_HOST_MAX + 8];

	struct lws *wsi;              /* the current connection, or NULL */
	bool attempt_open;            /* an attempt is under way (not yet ended) */
	bool established;             /* ... and its websocket is up */
	bool ping_due;                /* send a websocket ping when the queue is empty */
	uint64_t ready_at_ms;         /* when HelloAck arrived (0: not yet) */
	unsigned attempts;            /* since start, for the logs */
	unsigned failures;            /* in a row, for the backoff */
	uint8_t *rx;                  /* the message being reassembled */
	size_t rx_len;
	char close_reason[512];       /* why this connection is ending, if we know */

	struct session_table sessions; /* one worker process per session */
	volatile sig_atomic_t *child_exited; /* SIGCHLD seen (run_cmd.c's flag) */

	lws_sorted_usec_list_t retry; /* next attempt */
	lws_sorted_usec_list_t grace; /* stop waiting for the close handshake */
	bool stopping, finished;
};

static struct control_client *client_of(struct lws *wsi)
{
	return lws_context_user(lws_get_context(wsi));
}

static struct control_link_time now_time(void)
{
	struct timespec mono, wall;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &wall);
	return (struct control_link_time){
		.mono_ms = (uint64_t)mono.tv_sec * 1000u + (uint64_t)mono.tv_nsec / 1000000u,
		.wall_ms = (uint64_t)wall.tv_sec * 1000u + (uint64_t)wall.tv_nsec / 1000000u,
	};
}

/* ---- attempts and backoff ---------------------------------------------------- */

static void connect_now(lws_sorted_usec_list_t *sul);

/* The current attempt is over (failed, closed or lost): schedule the next. */
static void attempt_ended(struct control_client *c, const char *reason)
{
	struct control_link_time now = now_time();
	bool was_ready = c->ready_at_ms != 0;
	uint32_t rnd = 0, delay;

	if (!c->attempt_open)
		return;
	c->attempt_open = false;
	c->established = false;
	c->ping_due = false;
	c->wsi = NULL;
	c->rx_len = 0;
	control_link_close(&c->link);
	if (was_ready && now.mono_ms - c->ready_at_ms >= CONTROL_CLIENT_STABLE_MS)
		c->failures = 0;
	c->ready_at_ms = 0;
	if (c->stopping) {
		agent_log(AGENT_LOG_INFO, "disconnected from %s", c->url);
		c->finished = true;
		return;
	}
	lws_get_random(c->lws, &rnd, sizeof(rnd));
	delay = control_backoff_delay_ms(c->failures, rnd);
	agent_log(was_ready ? AGENT_LOG_WARN : AGENT_LOG_ERROR,
		  "%s %s: %s; next attempt in %u.%u s", was_ready ? "lost connection to"
		  : "cannot connect to", c->url, reason, delay / 1000, delay % 1000 / 100);
	if (c->failures < 64)
		c->failures++;
	lws_sul_schedule(c->lws, 0, &c->retry, connect_now, (lws_usec_t)delay * LWS_US_PER_MS);
}

static void connect_now(lws_sorted_usec_list_t *sul)
{
	struct control_client *c = lws_container_of(sul, struct control_client, retry);
	const struct agent_url *u = &c->st->broker;
	struct lws_client_connect_info i;

	if (c->stopping)
		return;
	host_info_collect(&c->host);
	agent_tls_diag_reset(&c->diag);
	c->close_reason[0] = '\0';
	c->attempt_open = true;
	c->attempts++;
	agent_log(AGENT_LOG_INFO, "connecting to %s (attempt %u)", c->url, c->attempts);
	memset(&i, 0, sizeof(i));
	i.context = c->lws;
	i.address = u->host;
	i.port = u->port;
	i.path = c->path;
	i.host = c->host_header; /* lws takes the TLS name from it, up to a ':' */
	i.ssl_connection = LCCSCF_USE_SSL;
	if (u->host_is_ipv6) /* lws cannot name an IPv6 host; the TLS context checks it */
		i.ssl_connection |= LCCSCF_SKIP_SERVER_CERT_HOSTNAME_CHECK;
	i.alpn = "http/1.1";
	i.protocol = NULL; /* no subprotocol */
	i.local_protocol_name = "postern-control";
	i.pwsi = &c->wsi;
	if (!lws_client_connect_via_info(&i)) {
		char why[512];

		agent_net_explain_start_failure(u, why, sizeof(why));
		attempt_ended(c, why);
	}
}

/* ---- the connection ------------------------------------------------------------ */

/* Ask for WRITEABLE if something waits, and re-arm the link's timer. */
static void service_link(struct control_client *c, struct lws *wsi)
{
	struct control_link_time now = now_time();
	uint64_t deadline = control_link_deadline(&c->link);
	uint64_t wait_ms = deadline > now.mono_ms ? deadline - now.mono_ms : 1;

	if (control_link_take_probe(&c->link))
		c->ping_due = true;
	if (control_link_peek(&c->link) || c->ping_due)
		lws_callback_on_writable(wsi);
	if (deadline != UINT64_MAX)
		lws_set_timer_usecs(wsi, (lws_usec_t)wait_ms * LWS_US_PER_MS);
}

/* The link wants the connection closed: remember why, and close it. */
static int close_for_link(struct control_client *c)
{
	snprintf(c->close_reason, sizeof(c->close_reason), "%s", control_link_reason(&c->link));
	return -1;
}

static int on_established(struct control_client *c, struct lws *wsi)
{
	struct control_link_time now = now_time();

	c->established = true;
	agent_log(AGENT_LOG_INFO, "websocket open to %s; saying hello as %s", c->url,
		  c->st->conf.instance_id);
	if (control_link_open(&c->link, &now) != CONTROL_LINK_OK)
		return close_for_link(c);
	service_link(c, wsi);
	return 0;
}

/* Network or TLS failures are agent_tls's to explain; after a good handshake
 * the broker answered the websocket request with an error, or hung up on it. */
static int on_connection_error(struct control_client *c, struct lws *wsi, const char *in)
{
	char why[768];
	int status = wsi ? (int)lws_http_client_http_response(wsi) : 0;

	if (agent_tls_explain(&c->diag, &c->st->broker, in, c->st->paths.ca, why, sizeof(why)) !=
	    AGENT_TLS_DONE)
		; /* why says it */
	else if (status && status != 101)
		snprintf(why, sizeof(why), "the broker refused the websocket with HTTP %d (%s)",
			 status, in ? in : "no detail");
	else
		snprintf(why, sizeof(why), "the broker hung up on the websocket request (%s): "
			 "it does not accept this agent's certificate (revoked, deregistered, or "
			 "issued by another broker's CA?)", in ? in : "no detail");
	attempt_ended(c, why);
	return 0;
}

/* A fragment of a message; the link sees whole messages only. */
static int on_receive(struct control_client *c, struct lws *wsi, const void *in, size_t len)
{
	struct control_link_time now;
	uint8_t *grown;
	int rc;

	if (c->rx_len + len > CONTROL_MAX_MESSAGE) {
		snprintf(c->close_reason, sizeof(c->close_reason),
			 "the broker sent a message over %u bytes", CONTROL_MAX_MESSAGE);
		return -1;
	}
	grown = realloc(c->rx, c->rx_len + len + 1);
	if (!grown) {
		snprintf(c->close_reason, sizeof(c->close_reason), "out of memory");
		return -1;
	}
	c->rx = grown;
	memcpy(c->rx + c->rx_len, in, len);
	c->rx_len += len;
	if (!lws_is_final_fragment(wsi))
		return 0;
	now = now_time();
	rc = control_link_receive(&c->link, c->rx, c->rx_len, &now);
	c->rx_len = 0;
	if (rc != CONTROL_LINK_OK)
		return close_for_link(c);
	if (!c->ready_at_ms && c->link.state == CONTROL_LINK_READY)
		c->ready_at_ms = now.mono_ms ? now.mono_ms : 1;
	service_link(c, wsi);
	return 0;
}

/* A websocket ping: its pong proves the broker alive even if it sends no
 * heartbeats of its own. */
static int write_ping(struct control_client *c, struct lws *wsi)
{
	uint8_t buf[LWS_PRE + 1];

	c->ping_due = false;
	if (lws_write(wsi, buf + LWS_PRE, 0, LWS_WRITE_PING) < 0) {
		snprintf(c->close_reason, sizeof(c->close_reason), "writing to the broker failed");
		return -1;
	}
	return 0;
}

static int on_pong(struct control_client *c, struct lws *wsi)
{
	struct control_link_time now = now_time();

	control_link_alive(&c->link, &now);
	service_link(c, wsi);
	return 0;
}

static int on_writeable(struct control_client *c, struct lws *wsi)
{
	const struct control_link_msg *m;
	uint8_t *buf;
	int n;

	if (c->stopping) {
		lws_close_reason(wsi, LWS_CLOSE_STATUS_GOINGAWAY, (unsigned char *)"agent stopping",
				 14);
		return -1;
	}
	m = control_link_peek(&c->link);
	if (!m && c->ping_due)
		return write_ping(c, wsi);
	if (!m)
		return 0; /* lws may call unasked */
	buf = malloc(LWS_PRE + m->len);
	if (!buf) {
		snprintf(c->close_reason, sizeof(c->close_reason), "out of memory");
		return -1;
	}
	memcpy(buf + LWS_PRE, m->data, m->len);
	n = lws_write(wsi, buf + LWS_PRE, m->len, LWS_WRITE_BINARY);
	free(buf);
	if (n < (int)m->len) {
		snprintf(c->close_reason, sizeof(c->close_reason), "writing to the broker failed");
		return -1;
	}
	control_link_pop(&c->link);
	if (control_link_peek(&c->link) || c->ping_due)
		lws_callback_on_writable(wsi);
	return 0;
}

static int on_timer(struct control_client *c, struct lws *wsi)
{
	struct control_link_time now = now_time();

	if (control_link_tick(&c->link, &now) != CONTROL_LINK_OK)
		return close_for_link(c);
	service_link(c, wsi);
	return 0;
}

/* The broker's close frame: status code (2 bytes, big-endian) and reason. */
static void on_peer_close(struct control_client *c, const uint8_t *in, size_t len)
{
	unsigned code = len >= 2 ? (unsigned)in[0] << 8 | in[1] : 0;

	if (c->close_reason[0])
		return;
	if (len > 2)
		snprintf(c->close_reason, sizeof(c->close_reason),
			 "the broker closed the connection (%u: %.*s)", code, (int)(len - 2),
			 (const char *)in + 2);
	else
		snprintf(c->close_reason, sizeof(c->close_reason),
			 "the broker closed the connection (%u)", code);
}

static int on_closed(struct control_client *c)
{
	attempt_ended(c, c->close_reason[0] ? c->close_reason
					    : "the connection closed (network or broker went away)");
	return 0;
}

static int callback_control(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			    void *in, size_t len)
{
	struct control_client *c = client_of(wsi);

	switch (reason) {
	case LWS_CALLBACK_OPENSSL_PERFORM_SERVER_CERT_VERIFICATION:
		return agent_tls_note_verify(&c->diag, user, (int)len);
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		return on_connection_error(c, wsi, in);
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		return on_established(c, wsi);
	case LWS_CALLBACK_CLIENT_RECEIVE:
		return on_receive(c, wsi, in, len);
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		return on_writeable(c, wsi);
	case LWS_CALLBACK_CLIENT_RECEIVE_PONG:
		return on_pong(c, wsi);
	case LWS_CALLBACK_TIMER:
		return on_timer(c, wsi);
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		on_peer_close(c, in, len);
		return 0;
	case LWS_CALLBACK_CLIENT_CLOSED:
		return on_closed(c);
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

static const struct lws_protocols control_protocols[] = {
	{"postern-control", callback_control, 0, 0, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0},
};

/* ---- life cycle --------------------------------------------------------------- */

static void lws_log_line(int level, const char *line)
{
	agent_log(level & LLL_ERR ? AGENT_LOG_ERROR : AGENT_LOG_WARN, "lws: %.*s",
		  (int)strcspn(line, "\n"), line);
}

static void on_grace_over(lws_sorted_usec_list_t *sul)
{
	struct control_client *c = lws_container_of(sul, struct control_client, grace);

	agent_log(AGENT_LOG_WARN, "the broker did not complete the close handshake in time");
	c->finished = true;
}

static void begin_stop(struct control_client *c)
{
	c->stopping = true;
	lws_sul_cancel(&c->retry);
	if (c->wsi && c->established) {
		agent_log(AGENT_LOG_INFO, "stopping: closing the connection to %s", c->url);
		lws_callback_on_writable(c->wsi);
		lws_sul_schedule(c->lws, 0, &c->grace, on_grace_over,
				 (lws_usec_t)CONTROL_CLIENT_STOP_GRACE_MS * LWS_US_PER_MS);
		return;
	}
	agent_log(AGENT_LOG_INFO, "stopping");
	c->finished = true;
}

static int build_names(struct control_client *c)
{
	const struct agent_url *u = &c->st->broker;
	char host[AGENT_URL_HOST_MAX + 2];
	int n;

	if (agent_url_host_text(u, host, sizeof(host)) != 0 ||
	    agent_url_authority(u, c->host_header, sizeof(c->host_header)) != 0 ||
	    agent_url_path(u, CONTROL_CLIENT_PATH, c->path, sizeof(c->path)) != 0)
		return -1;
	n = snprintf(c->url, sizeof(c->url), "wss://%s:%d%s", host, u->port, c->path);
	return n < 0 || (size_t)n >= sizeof(c->url) ? -1 : 0;
}

/* A session's worker started or ended: tell the broker. */
static void report_session(void *ctx, const char *session_id, int state, bool has_exit_code,
			   int exit_code, const char *detail)
{
	struct control_client *c = ctx;

	if (control_link_session_state(&c->link, session_id, state, has_exit_code, exit_code,
				       detail) == CONTROL_LINK_OK && c->wsi)
		lws_callback_on_writable(c->wsi);
}

static void start_session(void *ctx, const Postern__Control__StartSession *start)
{
	struct control_client *c = ctx;

	session_table_start(&c->sessions, start);
}

static void stop_session(void *ctx, const char *session_id)
{
	struct control_client *c = ctx;

	session_table_stop(&c->sessions, session_id);
}

struct control_client *control_client_new(const struct agent_state *st, bool verbose,
					  char *err, size_t errlen)
{
	struct control_client *c = calloc(1, sizeof(*c));

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	c->st = st;
	control_link_init(&c->link, st->conf.instance_id, &c->host);
	session_table_init(&c->sessions, st->paths.dir, report_session, c);
	control_link_set_sessions(&c->link, &(struct control_link_sessions){
		.start = start_session, .stop = stop_session, .ctx = c});
	if (build_names(c) != 0) {
		snprintf(err, errlen, "the broker URL is too long");
		goto fail;
	}
	c->ssl = agent_tls_context(&st->broker, st->paths.ca, st->paths.cert, st->paths.key,
				   &c->diag, err, errlen);
	if (!c->ssl)
		goto fail;
	lws_set_log_level(verbose ? LLL_ERR | LLL_WARN : 0, lws_log_line);
	c->lws = agent_lws_client_context(control_protocols, c->ssl, c, 64,
					  CONTROL_CLIENT_CONNECT_TIMEOUT_S);
	if (!c->lws) {
		snprintf(err, errlen, "cannot start libwebsockets");
		goto fail;
	}
	return c;
fail:
	control_client_free(c);
	return NULL;
}

void control_client_run(struct control_client *c, const volatile sig_atomic_t *stop)
{
	lws_sul_schedule(c->lws, 0, &c->retry, connect_now, 1);
	while (!c->finished) {
		if (*stop && !c->stopping)
			begin_stop(c);
		if (c->child_exited && *c->child_exited) {
			*c->child_exited = 0; /* before reaping: a later SIGCHLD sets it again */
			session_table_reap(&c->sessions);
		}
		if (c->finished || lws_service(c->lws, 0) < 0)
			break;
	}
	lws_sul_cancel(&c->retry);
	lws_sul_cancel(&c->grace);
}

void control_client_watch_children(struct control_client *c,
				   volatile sig_atomic_t *child_exited)
{
	c->child_exited = child_exited;
}

void control_client_wake(struct control_client *c)
{
	if (c && c->lws)
		lws_cancel_service(c->lws);
}

void control_client_free(struct control_client *c)
{
	if (!c)
		return;
	if (c->lws) {
		c->stopping = true; /* closing callbacks during destroy schedule nothing */
		lws_context_destroy(c->lws);
	}
	SSL_CTX_free(c->ssl);
	control_link_close(&c->link);
	free(c->rx);
	free(c);
}
