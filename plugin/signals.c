/*
 * signals.c — flag-setting handlers and the wake-up pipe (see signals.h).
 */
#include "signals.h"
#include "client_err.h"
#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

/* Flagged for the loop; SIGPIPE (last) is only ignored. */
static const int handled[SIGNALS_HANDLED] = {SIGINT,  SIGQUIT, SIGTSTP, SIGWINCH,
					     SIGTERM, SIGHUP,  SIGPIPE};

#define N_HANDLED (SIGNALS_HANDLED - 1)

/* What the handlers touch: set by signals_start before any handler runs. */
static volatile sig_atomic_t signal_pending[N_HANDLED];
static volatile sig_atomic_t signal_wake_fd = -1;

static void on_signal(int signo)
{
	int saved = errno;

	for (size_t i = 0; i < N_HANDLED; i++)
		if (handled[i] == signo)
			signal_pending[i] = 1;
	if (signal_wake_fd >= 0) {
		ssize_t n = write(signal_wake_fd, "", 1); /* full pipe: already awake */

		(void)n;
	}
	errno = saved;
}

static void set_disposition(int signo, void (*handler)(int), struct sigaction *old)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(signo, &sa, old);
}

int signals_start(struct signals *s, struct loop *l, signals_fn fn, void *ctx, char *err,
		  size_t errlen)
{
	lws_sock_file_fd_type u;
	int fds[2];

	memset(s, 0, sizeof(*s));
	s->wake_rd = -1;
	if (pipe(fds) != 0)
		return client_errf(err, errlen, CLIENT_E_IO, "pipe: %s", strerror(errno));
	for (int i = 0; i < 2; i++) {
		fcntl(fds[i], F_SETFD, FD_CLOEXEC);
		fcntl(fds[i], F_SETFL, O_NONBLOCK);
	}
	u.filefd = (lws_filefd_type)(long)fds[0];
	s->wsi = lws_adopt_descriptor_vhost(l->vhost, LWS_ADOPT_RAW_FILE_DESC, u,
					    LOOP_PROTOCOL_SIGNAL, NULL);
	if (!s->wsi) {
		close(fds[0]);
		close(fds[1]);
		return client_errf(err, errlen, CLIENT_E_IO, "cannot watch the signal pipe");
	}
	lws_set_opaque_user_data(s->wsi, s);
	s->wake_rd = fds[0]; /* owned by the wsi from now on */
	s->fn = fn;
	s->ctx = ctx;
	for (size_t i = 0; i < N_HANDLED; i++)
		signal_pending[i] = 0;
	signal_wake_fd = fds[1];
	for (size_t i = 0; i < N_HANDLED; i++)
		set_disposition(handled[i], on_signal, &s->saved[i]);
	set_disposition(SIGPIPE, SIG_IGN, &s->saved[N_HANDLED]);
	s->installed = 1;
	return CLIENT_OK;
}

void signals_stop(struct signals *s)
{
	int fd = signal_wake_fd;

	if (!s->installed)
		return;
	for (size_t i = 0; i < SIGNALS_HANDLED; i++)
		sigaction(handled[i], &s->saved[i], NULL);
	signal_wake_fd = -1;
	if (fd >= 0)
		close(fd); /* the read end sees POLLHUP and lws closes it */
	if (s->wsi)
		lws_set_opaque_user_data(s->wsi, NULL);
	s->fn = NULL;
	s->installed = 0;
}

static void dispatch(struct signals *s)
{
	char drain[64];

	while (read(s->wake_rd, drain, sizeof(drain)) > 0)
		;
	for (size_t i = 0; i < N_HANDLED; i++) {
		if (!signal_pending[i])
			continue;
		signal_pending[i] = 0;
		if (s->fn)
			s->fn(s->ctx, handled[i]);
	}
}

int signals_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			 void *in, size_t len)
{
	struct signals *s = lws_get_opaque_user_data(wsi);

	(void)user;
	(void)in;
	(void)len;
	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
		if (s)
			dispatch(s);
		return 0;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		if (s) {
			s->wsi = NULL;
			s->wake_rd = -1;
		}
		return 0;
	default:
		return 0;
	}
}
