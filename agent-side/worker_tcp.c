/*
 * worker_tcp.c — one outgoing TCP connection adopted into the worker's lws
 * loop (see worker_tcp.h).
 *
 * The socket is adopted as a raw descriptor: lws polls it and calls back on
 * POLLIN (RAW_RX_FILE), POLLOUT (RAW_WRITEABLE_FILE) and when it closes the
 * descriptor (RAW_CLOSE_FILE; on POLLHUP without POLLIN it closes it by
 * itself); reading and writing are done here. A connect in progress waits
 * for POLLOUT with reading off; a refused connect shows as POLLHUP, so lws
 * closes the descriptor and the close callback reads SO_ERROR before the
 * next address is tried.
 *
 * One timer (sul) per connection does three jobs, never two at once: the
 * connect timeout of the address being tried, the step to the next address
 * (or the failure report) after one failed, and the linger limit of a
 * closing connection. A second one asks for POLLOUT on the next turn of the
 * loop when the wish arises inside the WRITEABLE callback itself: the
 * raw-file role clears POLLOUT after that callback returns, so a request
 * made during it would be lost.
 *
 * Memory: the structure and a queue of at most queue_cap bytes, grown on
 * demand and released when it empties (beyond WORKER_TCP_QUEUE_KEEP).
 */
#include "worker_tcp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define WORKER_TCP_QUEUE_KEEP (16u * 1024u) /* an empty queue keeps this much memory */
#define WORKER_TCP_QUEUE_MIN 4096u

enum worker_tcp_state {
	WORKER_TCP_CONNECTING, /* connect() under way on wsi, or the next step is due */
	WORKER_TCP_OPEN,
	WORKER_TCP_DEAD,       /* failed or closed: nothing more happens */
};

struct worker_tcp {
	struct lws_vhost *vhost;
	struct lws_context *cx;
	const struct port_dest *dest;
	size_t next;                /* the next address to try */
	struct lws *wsi;            /* NULL between attempts and once closed */
	int fd;                     /* wsi's descriptor, -1 without wsi */
	enum worker_tcp_state state;
	struct worker_tcp_ops ops;
	void *ctx;
	bool owned;                 /* until worker_tcp_close() */
	bool linger;                /* closing: write the queue, then close */
	bool reading;               /* POLLIN wanted on wsi */
	size_t window;              /* the owner's read window */
	uint8_t *q;                 /* queue: q[head .. head + len) */
	size_t q_head, q_len, q_alloc, q_cap;
	lws_sorted_usec_list_t sul;
	lws_sorted_usec_list_t sul_write; /* POLLOUT wanted from inside WRITEABLE */
	bool in_writeable;          /* the WRITEABLE callback is under way */
	unsigned in_cb;             /* owner callbacks under way */
	char peer[PORT_DEST_TEXT_MAX];
	char why[192];
};

static void worker_tcp_free(struct worker_tcp *t)
{
	lws_sul_cancel(&t->sul);
	lws_sul_cancel(&t->sul_write);
	free(t->q);
	free(t);
}

/* After an owner callback without a wsi: free t once nobody holds it. true
 * if t still exists. */
static bool worker_tcp_settle(struct worker_tcp *t)
{
	if (t->in_cb || t->owned || t->wsi)
		return true;
	worker_tcp_free(t);
	return false;
}

static void worker_tcp_timer(struct worker_tcp *t, lws_usec_t us);

static void worker_tcp_on_write_timer(lws_sorted_usec_list_t *sul)
{
	struct worker_tcp *t = lws_container_of(sul, struct worker_tcp, sul_write);

	if (t->wsi)
		lws_callback_on_writable(t->wsi);
}

/* POLLOUT wanted: now, or on the next turn if WRITEABLE is under way. */
static void worker_tcp_want_write(struct worker_tcp *t)
{
	if (!t->wsi)
		return;
	if (!t->in_writeable) {
		lws_callback_on_writable(t->wsi);
		return;
	}
	lws_sul_cancel(&t->sul_write);
	lws_sul_schedule(t->cx, 0, &t->sul_write, worker_tcp_on_write_timer, 1);
}

/* Have lws close the descriptor (RAW_CLOSE_FILE follows from the loop). */
static void worker_tcp_kill(struct worker_tcp *t)
{
	if (t->wsi)
		lws_set_timeout(t->wsi, PENDING_TIMEOUT_CLOSE_SEND, LWS_TO_KILL_ASYNC);
}

static void worker_tcp_flow(struct worker_tcp *t)
{
	bool want = t->owned && t->state == WORKER_TCP_OPEN && t->window && !t->linger;

	if (t->wsi && want != t->reading) {
		lws_rx_flow_control(t->wsi, want);
		t->reading = want;
	}
}

/* The connection is over; tell the owner (from the loop only). */
static void worker_tcp_dead(struct worker_tcp *t, bool error, const char *why)
{
	if (t->state == WORKER_TCP_DEAD)
		return;
	t->state = WORKER_TCP_DEAD;
	worker_tcp_flow(t);
	if (!t->owned)
		return;
	t->in_cb++;
	t->ops.on_closed(t->ctx, t, error, why);
	t->in_cb--;
}

/* ---- connecting --------------------------------------------------------------------- */

static int worker_tcp_adopt(struct worker_tcp *t, int fd)
{
	lws_adopt_desc_t info;

	memset(&info, 0, sizeof(info));
	info.vh = t->vhost;
	info.type = LWS_ADOPT_RAW_FILE_DESC;
	info.fd.filefd = (lws_filefd_type)(long long)fd;
	info.vh_prot_name = WORKER_TCP_PROTOCOL;
	info.opaque = t;
	t->wsi = lws_adopt_descriptor_vhost_via_info(&info); /* closes fd on failure */
	if (!t->wsi)
		return -1;
	t->fd = fd;
	t->reading = true; /* adopted with POLLIN on: off until connected */
	lws_rx_flow_control(t->wsi, 0);
	t->reading = false;
	lws_callback_on_writable(t->wsi);
	return 0;
}

/* Start connecting to the next address that takes a connect(); when none
 * is left, the timer reports the failure from the loop. */
static void worker_tcp_attempt(struct worker_tcp *t)
{
	while (t->next < t->dest->n) {
		const struct port_dest_addr *a = &t->dest->addr[t->next++];
		int fd = socket(a->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

		port_dest_format((const struct sockaddr *)&a->sa, t->peer, sizeof(t->peer));
		if (fd < 0) {
			snprintf(t->why, sizeof(t->why), "%s: %s", t->peer, strerror(errno));
			continue;
		}
		if (connect(fd, (const struct sockaddr *)&a->sa, a->len) != 0 &&
		    errno != EINPROGRESS) {
			snprintf(t->why, sizeof(t->why), "%s: %s", t->peer, strerror(errno));
			close(fd);
			continue;
		}
		if (worker_tcp_adopt(t, fd) != 0) {
			snprintf(t->why, sizeof(t->why), "%s: cannot add it to the event loop",
				 t->peer);
			continue;
		}
		t->why[0] = '\0';
		worker_tcp_timer(t, (lws_usec_t)WORKER_TCP_CONNECT_TIMEOUT_MS * LWS_US_PER_MS);
		return;
	}
	worker_tcp_timer(t, 1);
}

static void worker_tcp_on_timer(lws_sorted_usec_list_t *sul)
{
	struct worker_tcp *t = lws_container_of(sul, struct worker_tcp, sul);

	if (t->wsi) { /* the connect timed out, or the linger ran out */
		if (t->state == WORKER_TCP_CONNECTING)
			snprintf(t->why, sizeof(t->why), "%s: no answer within %u ms", t->peer,
				 WORKER_TCP_CONNECT_TIMEOUT_MS);
		worker_tcp_kill(t);
		return;
	}
	if (t->state != WORKER_TCP_CONNECTING || !t->owned)
		return;
	if (t->next < t->dest->n) {
		worker_tcp_attempt(t);
		return;
	}
	t->state = WORKER_TCP_DEAD;
	t->in_cb++;
	t->ops.on_failed(t->ctx, t, t->why[0] ? t->why : "no address to connect to");
	t->in_cb--;
	worker_tcp_settle(t);
}

static void worker_tcp_timer(struct worker_tcp *t, lws_usec_t us)
{
	lws_sul_cancel(&t->sul);
	lws_sul_schedule(t->cx, 0, &t->sul, worker_tcp_on_timer, us);
}

struct worker_tcp *worker_tcp_dial(struct lws_context *cx, struct lws_vhost *vhost,
				   const struct port_dest *dest, size_t queue_cap,
				   const struct worker_tcp_ops *ops, void *ctx)
{
	struct worker_tcp *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->vhost = vhost;
	t->cx = cx;
	t->dest = dest;
	t->fd = -1;
	t->state = WORKER_TCP_CONNECTING;
	t->ops = *ops;
	t->ctx = ctx;
	t->owned = true;
	t->q_cap = queue_cap;
	worker_tcp_attempt(t);
	return t;
}

static int worker_tcp_flush(struct worker_tcp *t);

/* POLLOUT while connecting: connected, or this address failed. */
static int worker_tcp_on_connect(struct worker_tcp *t)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	if (err) {
		snprintf(t->why, sizeof(t->why), "%s: %s", t->peer, strerror(err));
		return -1; /* closed; the close callback moves on */
	}
	lws_sul_cancel(&t->sul);
	t->state = WORKER_TCP_OPEN;
	if (t->owned) {
		t->in_cb++;
		t->ops.on_connected(t->ctx, t);
		t->in_cb--;
	}
	worker_tcp_flow(t);
	return worker_tcp_flush(t); /* writable now: what was queued meanwhile */
}

/* ---- reading and writing --------------------------------------------------------------- */

static int worker_tcp_on_readable(struct worker_tcp *t)
{
	uint8_t buf[WORKER_TCP_READ_MAX];
	size_t want = t->window < sizeof(buf) ? t->window : sizeof(buf);
	ssize_t n;

	if (!t->owned || t->state != WORKER_TCP_OPEN || !want || t->linger) {
		worker_tcp_flow(t); /* polled before reading stopped */
		return 0;
	}
	n = recv(t->fd, buf, want, 0);
	if (n > 0) {
		t->in_cb++;
		t->ops.on_data(t->ctx, t, buf, (size_t)n);
		t->in_cb--;
		return 0;
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	if (n == 0)
		worker_tcp_dead(t, false, "end of stream");
	else
		worker_tcp_dead(t, true, strerror(errno));
	return -1;
}

static void worker_tcp_consumed(struct worker_tcp *t, size_t n)
{
	t->q_head += n;
	t->q_len -= n;
	if (t->q_len)
		return;
	t->q_head = 0;
	if (t->q_alloc > WORKER_TCP_QUEUE_KEEP) {
		free(t->q);
		t->q = NULL;
		t->q_alloc = 0;
	}
}

/* Write what the socket takes now. -1: close (failed, or a lingering close
 * is complete). */
static int worker_tcp_flush(struct worker_tcp *t)
{
	size_t total = 0;

	while (t->q_len) {
		ssize_t n = send(t->fd, t->q + t->q_head, t->q_len, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n > 0) {
			worker_tcp_consumed(t, (size_t)n);
			total += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		worker_tcp_dead(t, true, strerror(errno));
		return -1;
	}
	if (total && t->owned) {
		t->in_cb++;
		t->ops.on_written(t->ctx, t, total);
		t->in_cb--;
	}
	if (t->q_len) {
		worker_tcp_want_write(t);
		return 0;
	}
	return t->owned || !t->linger ? 0 : -1;
}

static int worker_tcp_on_writeable(struct worker_tcp *t)
{
	int rc = 0;

	t->in_writeable = true;
	if (t->state == WORKER_TCP_CONNECTING)
		rc = worker_tcp_on_connect(t);
	else if (t->state == WORKER_TCP_OPEN)
		rc = worker_tcp_flush(t);
	t->in_writeable = false;
	return rc;
}

int worker_tcp_write(struct worker_tcp *t, const uint8_t *data, size_t len)
{
	uint8_t *grown;
	size_t want;

	if (!t->owned || t->state == WORKER_TCP_DEAD || t->q_len + len > t->q_cap)
		return -1;
	if (!len)
		return 0;
	if (t->q_head + t->q_len + len > t->q_alloc && t->q_head) {
		memmove(t->q, t->q + t->q_head, t->q_len);
		t->q_head = 0;
	}
	if (t->q_len + len > t->q_alloc) {
		want = t->q_alloc ? t->q_alloc : WORKER_TCP_QUEUE_MIN;
		while (want < t->q_len + len)
			want *= 2;
		if (want > t->q_cap)
			want = t->q_cap;
		grown = realloc(t->q, want);
		if (!grown)
			return -1;
		t->q = grown;
		t->q_alloc = want;
	}
	memcpy(t->q + t->q_head + t->q_len, data, len);
	t->q_len += len;
	if (t->state == WORKER_TCP_OPEN)
		worker_tcp_want_write(t);
	return 0;
}

size_t worker_tcp_queued(const struct worker_tcp *t)
{
	return t->q_len;
}

void worker_tcp_read(struct worker_tcp *t, size_t window)
{
	t->window = window;
	worker_tcp_flow(t);
}

bool worker_tcp_connected(const struct worker_tcp *t)
{
	return t->state == WORKER_TCP_OPEN;
}

const char *worker_tcp_peer(const struct worker_tcp *t)
{
	return t->peer;
}

void worker_tcp_close(struct worker_tcp *t, bool flush)
{
	if (!t || !t->owned)
		return;
	t->owned = false;
	memset(&t->ops, 0, sizeof(t->ops));
	if (!t->wsi) {
		worker_tcp_settle(t);
		return;
	}
	if (flush && t->state != WORKER_TCP_DEAD && t->q_len) {
		/* still connecting: written once connected (one address only) */
		t->linger = true;
		worker_tcp_flow(t);
		worker_tcp_timer(t, (lws_usec_t)WORKER_TCP_LINGER_MS * LWS_US_PER_MS);
		return;
	}
	worker_tcp_kill(t);
}

/* ---- lws ----------------------------------------------------------------------------------- */

static int worker_tcp_on_close(struct worker_tcp *t, struct lws *wsi)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (!t || wsi != t->wsi)
		return 0;
	if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = 0;
	t->wsi = NULL;
	t->fd = -1;
	t->reading = false;
	lws_sul_cancel(&t->sul);
	lws_sul_cancel(&t->sul_write);
	if (!worker_tcp_settle(t))
		return 0;
	if (t->state == WORKER_TCP_CONNECTING) {
		if (!t->why[0])
			snprintf(t->why, sizeof(t->why), "%s: %s", t->peer,
				 strerror(err ? err : ECONNREFUSED));
		worker_tcp_timer(t, 1); /* the next address, or the failure */
		return 0;
	}
	worker_tcp_dead(t, true, err ? strerror(err) : "the connection was lost");
	worker_tcp_settle(t);
	return 0;
}

int worker_tcp_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			void *in, size_t len)
{
	struct worker_tcp *t = lws_get_opaque_user_data(wsi);

	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
		return t && wsi == t->wsi ? worker_tcp_on_readable(t) : -1;
	case LWS_CALLBACK_RAW_WRITEABLE_FILE:
		return t && wsi == t->wsi ? worker_tcp_on_writeable(t) : 0;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		return worker_tcp_on_close(t, wsi);
	default:
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}
