/*
 * run_as.c — choosing, and if need be creating, the session's user (see
 * run_as.h).
 */
#include "run_as.h"
#include "agent_log.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RUN_AS_USERADD "/usr/sbin/useradd"
#define RUN_AS_CREATE_ATTEMPTS 20   /* concurrent workers race for the passwd lock */
#define RUN_AS_RETRY_MS 150

bool run_as_name_valid(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > 32 || name[0] == '-')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static int run_as_from_passwd(const struct passwd *pw, bool switch_user, struct run_as *out,
			      char *err, size_t errlen)
{
	const char *shell = pw->pw_shell && pw->pw_shell[0] ? pw->pw_shell : RUN_AS_DEFAULT_SHELL;
	const char *home = pw->pw_dir && pw->pw_dir[0] ? pw->pw_dir : "/";
	int n1, n2, n3;

	memset(out, 0, sizeof(*out));
	n1 = snprintf(out->name, sizeof(out->name), "%s", pw->pw_name);
	n2 = snprintf(out->home, sizeof(out->home), "%s", home);
	n3 = snprintf(out->shell, sizeof(out->shell), "%s", shell);
	if (n1 < 0 || (size_t)n1 >= sizeof(out->name) || n2 < 0 ||
	    (size_t)n2 >= sizeof(out->home) || n3 < 0 || (size_t)n3 >= sizeof(out->shell)) {
		snprintf(err, errlen, "the passwd entry of '%s' has too long a field", pw->pw_name);
		return -1;
	}
	out->uid = pw->pw_uid;
	out->gid = pw->pw_gid;
	out->switch_user = switch_user;
	return 0;
}

static void run_as_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Run useradd for the default user; its wait status, or -1. */
static int run_as_useradd(void)
{
	char *const argv[] = {"useradd", "-m", "-s", "/bin/bash", RUN_AS_DEFAULT_USER, NULL};
	char *const envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL};
	int status;
	pid_t pid = fork(), r;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		execve(RUN_AS_USERADD, argv, envp);
		_exit(127);
	}
	do
		r = waitpid(pid, &status, 0);
	while (r < 0 && errno == EINTR);
	return r == pid ? status : -1;
}

/* Look the default user up, creating it when missing. */
static int run_as_default_user(struct run_as *out, char *err, size_t errlen)
{
	int status = -1;

	for (int attempt = 0; attempt < RUN_AS_CREATE_ATTEMPTS; attempt++) {
		struct passwd *pw = getpwnam(RUN_AS_DEFAULT_USER);

		if (pw)
			return run_as_from_passwd(pw, true, out, err, errlen);
		if (attempt > 0)
			run_as_sleep_ms(RUN_AS_RETRY_MS);
		status = run_as_useradd();
		if (status == 0)
			agent_log(AGENT_LOG_INFO, "created the user %s for sessions",
				  RUN_AS_DEFAULT_USER);
	}
	snprintf(err, errlen, "cannot create the user %s (useradd: %s %d)", RUN_AS_DEFAULT_USER,
		 status >= 0 && WIFEXITED(status) ? "exit status" : "wait status",
		 status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status) : status);
	return -1;
}

int run_as_resolve(const char *run_as, uid_t euid, struct run_as *out, char *err,
		   size_t errlen)
{
	struct passwd *pw;

	if (euid != 0) {
		pw = getpwuid(euid);
		if (!pw) {
			snprintf(err, errlen, "the agent's own user (uid %ld) has no passwd entry",
				 (long)euid);
			return -1;
		}
		if (run_as && run_as[0] && strcmp(run_as, pw->pw_name) != 0)
			agent_log(AGENT_LOG_WARN, "run-as user '%s' ignored: the agent is not root",
				  run_as);
		agent_log(AGENT_LOG_INFO, "the agent is not root: the session runs as %s "
			  "(no user switching)", pw->pw_name);
		return run_as_from_passwd(pw, false, out, err, errlen);
	}
	if (!run_as || !run_as[0])
		return run_as_default_user(out, err, errlen);
	if (!run_as_name_valid(run_as)) {
		snprintf(err, errlen, "the run-as user name is not valid");
		return -1;
	}
	pw = getpwnam(run_as);
	if (!pw) {
		snprintf(err, errlen, "the run-as user '%s' does not exist on this host", run_as);
		return -1;
	}
	return run_as_from_passwd(pw, true, out, err, errlen);
}
