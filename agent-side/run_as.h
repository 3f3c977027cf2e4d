/*
 * run_as.h — which user a session's shell runs as.
 *
 * As root (the normal case) the run-as user is StartSession.run_as if set,
 * else RUN_AS_DEFAULT_USER, which is created when missing the way Session
 * Manager does it (useradd -m -s /bin/bash ssm-user); the shell then drops
 * to that user before it runs (pty_shell.h). A named user that does not
 * exist is an error, never created. Not as root, the agent cannot switch
 * users: the shell runs as the agent's own user whatever run_as says.
 *
 * Runs before the worker's event loop starts (creating the user waits for
 * useradd), so blocking here is fine.
 */
#ifndef POSTERN_RUN_AS_H
#define POSTERN_RUN_AS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define RUN_AS_DEFAULT_USER "ssm-user"
#define RUN_AS_NAME_MAX 64
#define RUN_AS_DEFAULT_SHELL "/bin/sh"

struct run_as {
	char name[RUN_AS_NAME_MAX];
	uid_t uid;
	gid_t gid;
	char home[PATH_MAX];
	char shell[PATH_MAX];  /* the passwd entry's, else RUN_AS_DEFAULT_SHELL */
	bool switch_user;      /* the agent is root: drop to uid/gid (initgroups) */
};

/* A user name the worker will look up: 1..32 of [A-Za-z0-9._-], not
 * starting with '-'. */
bool run_as_name_valid(const char *name);

/*
 * Decide the session's user for an agent whose effective uid is euid (see
 * above). 0 with *out filled, or -1 with a sentence in err (invalid or
 * unknown user, useradd failed).
 */
int run_as_resolve(const char *run_as, uid_t euid, struct run_as *out, char *err,
		   size_t errlen);

#endif
