/*
 * main.c — postern-broker: read settings, prepare the data directory, serve
 * until SIGINT/SIGTERM.
 */
#include "bootstrap.h"
#include "broker.h"
#include "server.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

/* The one process-wide pointer: signal handlers get no context argument. */
static struct broker *signal_target;

static void on_signal(int sig)
{
	(void)sig;
	if (signal_target) {
		signal_target->stop = 1;
		server_wake(signal_target);
	}
}

static void install_signals(struct broker *b)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	signal_target = b;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int main(int argc, char **argv)
{
	static struct broker b;
	char err[1024];
	int rc;

	config_defaults(&b.cfg);
	rc = config_from_args(&b.cfg, argc, argv, err, sizeof(err));
	if (rc == 1)
		return 0;
	if (rc < 0) {
		fprintf(stderr, "postern-broker: %s\n", err);
		return 2;
	}
	if (bootstrap(&b, err, sizeof(err)) != 0) {
		fprintf(stderr, "postern-broker: %s\n", err);
		bootstrap_release(&b);
		return 1;
	}
	install_signals(&b);
	if (server_start(&b, err, sizeof(err)) != 0) {
		fprintf(stderr, "postern-broker: %s\n", err);
		bootstrap_release(&b);
		return 1;
	}
	broker_log(&b, 2, "serving %s (CA %s/ca.pem, admin credentials %s/admin-credentials)",
		   b.public_url, b.cfg.data_dir, b.cfg.data_dir);
	server_run(&b);
	broker_log(&b, 2, "stopping");
	server_stop(&b);
	bootstrap_release(&b);
	return 0;
}
