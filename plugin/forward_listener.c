/*
 * forward_listener.c — a port session's listening socket in the event loop (see
 * forward_listener.h).
 */
#define _GNU_SOURCE /* accept4 */
#include "forward_listener.h"
#include "client_err.h"
#include "loop.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int bind_tcp(int fd, struct forward_listen *at, char *err, size_t errlen)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(at->port)};
	socklen_t len = sizeof(sa);
	int one = 1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		return client_errf(err, errlen, CLIENT_E_IO, "cannot listen on 127.0.0.1:%u: %s",
				   (unsigned)at->port, strerror(errno));
	if (getsockname(fd, (struct sockaddr *)&sa, &len) != 0)
		return client_errf(err, errlen, CLIENT_E_IO, "getsockname: %s", strerror(errno));
	at->port = ntohs(sa.sin_port);
	return CLIENT_OK;
}

/* Whether path is a Unix socket nobody listens on any more. */
static bool stale_socket(const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, rc;

	if (lstat(sa->sun_path, &st) != 0 || !S_ISSOCK(st.st_mode))
		return false;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	close(fd);
	return rc != 0 && errno == ECONNREFUSED;
}

static int bind_unix(int fd, const struct forward_listen *at, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	mode_t old;
	int rc;

	memcpy(sa.sun_path, at->path, strlen(at->path) + 1);
	if (stale_socket(&sa))
		(void)unlink(sa.sun_path);
	old = umask(0177); /* the socket file: 0600 from the start */
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (rc != 0)
		return client_errf(err, errlen, CLIENT_E_IO, "cannot listen on %s: %s", at->path,
				   strerror(errno));
	return CLIENT_OK;
}

int forward_listener_start(struct forward_listener *pl, struct loop *l,
			   const struct forward_listen *at, const struct forward_listener_ops *ops,
			   void *ctx, char *err, size_t errlen)
{
	lws_adopt_desc_t ad;
	int rc;

	memset(pl, 0, sizeof(*pl));
	pl->ops = ops;
	pl->ctx = ctx;
	pl->context = l->ctx;
	pl->at = *at;
	pl->fd = socket(at->kind == FORWARD_LISTEN_UNIX ? AF_UNIX : AF_INET,
			SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (pl->fd < 0)
		return client_errf(err, errlen, CLIENT_E_IO, "socket: %s", strerror(errno));
	rc = at->kind == FORWARD_LISTEN_UNIX ? bind_unix(pl->fd, &pl->at, err, errlen)
					     : bind_tcp(pl->fd, &pl->at, err, errlen);
	if (rc == CLIENT_OK) {
		pl->unlink_at_stop = at->kind == FORWARD_LISTEN_UNIX;
		if (listen(pl->fd, FORWARD_LISTENER_BACKLOG) != 0)
			rc = client_errf(err, errlen, CLIENT_E_IO, "listen: %s", strerror(errno));
	}
	if (rc == CLIENT_OK) {
		memset(&ad, 0, sizeof(ad));
		ad.vh = l->vhost;
		ad.type = LWS_ADOPT_RAW_FILE_DESC;
		ad.fd.filefd = (lws_filefd_type)(long)pl->fd;
		ad.vh_prot_name = LOOP_PROTOCOL_LISTEN;
		ad.opaque = pl;
		pl->wsi = lws_adopt_descriptor_vhost_via_info(&ad);
		if (!pl->wsi) /* lws closed the descriptor */
			rc = client_errf(err, errlen, CLIENT_E_IO, "cannot watch the listener");
		pl->fd = -1;
	}
	pl->started = true;
	if (rc != CLIENT_OK)
		forward_listener_stop(pl);
	return rc;
}

/* Watch for connections unless the owner paused or a failure rests us. */
static void update(struct forward_listener *pl, bool was_watching)
{
	bool watch = !pl->paused && !pl->backing_off;

	if (pl->wsi && watch != was_watching)
		lws_rx_flow_control(pl->wsi, watch);
}

void forward_listener_pause(struct forward_listener *pl, bool paused)
{
	bool was = !pl->paused && !pl->backing_off;

	pl->paused = paused;
	update(pl, was);
}

static void backoff_over(lws_sorted_usec_list_t *sul)
{
	struct forward_listener *pl = lws_container_of(sul, struct forward_listener, backoff);

	pl->backing_off = false;
	update(pl, false);
}

static void accept_some(struct forward_listener *pl, struct lws *wsi)
{
	int lfd = lws_get_socket_fd(wsi);

	for (int i = 0; i < FORWARD_LISTENER_ACCEPTS_PER_WAKE && !pl->paused && pl->ops; i++) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0) {
			pl->ops->on_accept(pl->ctx, fd);
			continue;
		}
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
		    errno != ECONNABORTED) {
			lwsl_warn("listener: accept: %s\n", strerror(errno));
			pl->backing_off = true;
			update(pl, !pl->paused);
			lws_sul_schedule(pl->context, 0, &pl->backoff, backoff_over,
					 (lws_usec_t)FORWARD_LISTENER_BACKOFF_MS * LWS_US_PER_MS);
		}
		return;
	}
}

void forward_listener_stop(struct forward_listener *pl)
{
	if (!pl->started)
		return;
	pl->started = false;
	pl->ops = NULL;
	lws_sul_cancel(&pl->backoff);
	if (pl->fd >= 0)
		close(pl->fd);
	pl->fd = -1;
	if (pl->wsi) {
		lws_set_opaque_user_data(pl->wsi, NULL);
		lws_set_timeout(pl->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
		pl->wsi = NULL;
	}
	if (pl->unlink_at_stop)
		(void)unlink(pl->at.path);
	pl->unlink_at_stop = false;
}

int forward_listener_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
				  void *in, size_t len)
{
	struct forward_listener *pl = lws_get_opaque_user_data(wsi);

	(void)user;
	(void)in;
	(void)len;
	if (!pl)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
		accept_some(pl, wsi);
		return 0;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		pl->wsi = NULL;
		return 0;
	default:
		return 0;
	}
}
