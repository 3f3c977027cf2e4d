/*
 * agent_state.h — the agent's state directory: where it is, creating it,
 * locking it, and the registration kept in it.
 *
 *   DIR/agent.conf   broker URL and instance id (agent_conf.h), mode 0644
 *   DIR/key.pem      the agent's private key (PKCS#8 PEM), mode 0600
 *   DIR/cert.pem     its client certificate, issued by the broker's CA, 0644
 *   DIR/ca.pem       the CA the agent trusts for the broker (copy of --ca), 0644
 *
 * DIR is --state-dir, else /var/lib/postern-agent for root, else
 * $XDG_STATE_HOME/postern-agent, else ~/.local/state/postern-agent; it is
 * created with mode 0700. agent.conf is the registration's commit mark: it
 * is removed first and written last, so a directory with agent.conf holds a
 * complete registration and one without holds none. Every file is written
 * atomically (agent_file.h). One process at a time uses a state directory
 * (an exclusive flock on the directory itself).
 */
#ifndef POSTERN_AGENT_STATE_H
#define POSTERN_AGENT_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "agent_conf.h"
#include "agent_url.h"

#define AGENT_STATE_ROOT_DIR "/var/lib/postern-agent"
#define AGENT_STATE_DIR_NAME "postern-agent"
#define AGENT_STATE_PATH_MAX 1024

struct agent_paths {
	char dir[AGENT_STATE_PATH_MAX];
	char conf[AGENT_STATE_PATH_MAX + 16];
	char key[AGENT_STATE_PATH_MAX + 16];
	char cert[AGENT_STATE_PATH_MAX + 16];
	char ca[AGENT_STATE_PATH_MAX + 16];
};

/* A registration to save: the texts are NUL-terminated PEM. */
struct agent_registration {
	struct agent_conf conf;
	const char *key_pem;
	const char *cert_pem;
	const char *ca_pem;
};

/* A loaded registration. */
struct agent_state {
	struct agent_paths paths;
	struct agent_conf conf;
	struct agent_url broker; /* conf.broker, parsed */
};

/*
 * The default directory for a process with this effective uid, given
 * $XDG_STATE_HOME and $HOME (either may be NULL; relative values are
 * ignored, as the XDG specification says). 0, or -1 when neither gives an
 * absolute directory for a non-root user.
 */
int agent_state_default_dir(uid_t euid, const char *xdg_state_home, const char *home,
			    char *out, size_t outlen, char *err, size_t errlen);

/* Fill p for dir (NULL: the default for this process; relative: made
 * absolute against the working directory). 0 or -1. */
int agent_state_paths(const char *dir, struct agent_paths *p, char *err, size_t errlen);

/*
 * Create dir and any missing parents with mode 0700. An existing directory
 * must belong to this user and be closed to group and others (it is never
 * chmod'ed: it might be a shared directory given by mistake). 0 or -1.
 */
int agent_state_make_dir(const char *dir, char *err, size_t errlen);

/* Take the directory's exclusive lock for this process's lifetime. Returns
 * the descriptor holding it (close it to release), or -1 (another process
 * holds it, or the directory cannot be opened). */
int agent_state_lock(const char *dir, char *err, size_t errlen);

/* True when dir holds a registration (agent.conf exists). */
bool agent_state_registered(const struct agent_paths *p);

/*
 * Write a registration into the existing directory p->dir: all four files or,
 * on any failure, no agent.conf and none of the new files. With replace
 * false an existing registration is an error and is left alone; with replace
 * true it is overwritten. 0 or -1.
 */
int agent_state_save(const struct agent_paths *p, const struct agent_registration *reg,
		     bool replace, char *err, size_t errlen);

/* Load the registration in dir (NULL: the default directory). 0, or -1 with
 * a sentence (not registered, unreadable, malformed agent.conf). */
int agent_state_load(const char *dir, struct agent_state *st, char *err, size_t errlen);

#endif
