/*
 * broker.h — the broker's one context struct, handed to every module (no
 * globals): settings, state store, CA, the event loop, and the tables of
 * connected agents and live sessions.
 */
#ifndef POSTERN_BROKER_BROKER_H
#define POSTERN_BROKER_BROKER_H

#include <libwebsockets.h>
#include <signal.h>
#include <stdbool.h>

#include "config.h"
#include "sigv4.h"

struct store;
struct pki_ca;
struct agent_conn;
struct live_session;

struct broker {
	struct broker_config cfg;
	char public_url[CONFIG_TEXT_MAX + 16]; /* cfg.public_url or https://listen */
	struct store *store;
	struct pki_ca *ca;
	struct sigv4_replay_cache replay; /* signatures seen within the skew window */
	struct lws_context *lws;
	struct lws_vhost *vhost;
	struct agent_conn *agents;  /* connected agents (agents.c) */
	struct live_session *sessions; /* live sessions (sessions.c) */
	lws_sorted_usec_list_t sweep;  /* once a second: sessions_sweep() */
	volatile sig_atomic_t stop; /* set by the signal handler; the loop exits */
};

/* Log at a level (0 error .. 3 debug) if cfg.log_level allows; to stderr. */
void broker_log(const struct broker *b, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
