/*
 * shell_env.h — the command line and environment of a session's login
 * shell, from its run-as user (run_as.h). Pure: builds arrays, no I/O.
 *
 * Environment rules:
 *   - without user switching (the agent is not root) the agent's own
 *     environment is inherited;
 *   - with user switching only TERM, LANG, LANGUAGE, LC_* and TZ are kept
 *     from it (nothing of root's environment leaks to the user), and PATH is
 *     the system default for that user;
 *   - HOME, USER, LOGNAME and SHELL always come from the passwd entry;
 *   - TERM=xterm-256color and LANG=C.UTF-8 when unset (as the official
 *     agent does).
 */
#ifndef POSTERN_SHELL_ENV_H
#define POSTERN_SHELL_ENV_H

#include <stddef.h>

#include "run_as.h"

#define SHELL_ENV_TERM "xterm-256color"
#define SHELL_ENV_LANG "C.UTF-8"
#define SHELL_ENV_PATH_USER "/usr/local/bin:/usr/bin:/bin:/usr/games"
#define SHELL_ENV_PATH_ROOT "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/*
 * The environment for u's shell given the agent's (NULL-terminated,
 * e.g. environ). A new NULL-terminated array of new "KEY=VALUE" strings, each
 * key once; free with shell_env_free. NULL on allocation failure.
 */
char **shell_env_build(const struct run_as *u, char *const *inherited);

void shell_env_free(char **env);

/* The value of key in env, or NULL. */
const char *shell_env_get(char *const *env, const char *key);

/* argv[0] of a login shell: "-" and the shell's base name ("-bash"). 0, or
 * -1 if it does not fit. */
int shell_env_login_name(const char *shell, char *out, size_t outlen);

#endif
