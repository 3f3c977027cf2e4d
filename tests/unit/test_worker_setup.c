/*
 * test_worker_setup.c — the pure pieces of a worker's setup: the data-channel
 * URL (agent-side/worker_url.c), the login shell's environment and argv[0]
 * (shell_env.c) and run-as user names (run_as.c).
 *
 * Covers: URLs with a name, IPv4 and IPv6 host, default and explicit port,
 * query kept verbatim, and refusals (ws://, no path, bad port, fragment,
 * user info); the environment with and without user switching (what is kept,
 * what is dropped, what is always set from the passwd entry, the TERM/LANG
 * defaults only when unset, each key once); "-bash" from "/bin/bash"; the
 * user name rules; the run-as decision for a non-root agent.
 */
#include <criterion/criterion.h>

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../agent-side/run_as.h"
#include "../../agent-side/shell_env.h"
#include "../../agent-side/worker_url.h"

TestSuite(worker_setup);

Test(worker_setup, url_forms)
{
	struct worker_url u;
	char err[256] = "";

	cr_assert_eq(worker_url_parse("wss://broker.example/v1/data-channel/s-1?role=publish_subscribe",
				      &u, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(u.server.host, "broker.example");
	cr_assert_eq(u.server.port, 443);
	cr_assert_str_eq(u.path, "/v1/data-channel/s-1?role=publish_subscribe");
	cr_assert_str_eq(u.host_header, "broker.example:443");

	cr_assert_eq(worker_url_parse("wss://127.0.0.1:8443/v1/x", &u, err, sizeof(err)), 0);
	cr_assert_str_eq(u.server.host, "127.0.0.1");
	cr_assert_eq(u.server.port, 8443);
	cr_assert_not(u.server.host_is_ipv6);

	cr_assert_eq(worker_url_parse("wss://[::1]:9/p?q=1&r=2", &u, err, sizeof(err)), 0);
	cr_assert_str_eq(u.server.host, "::1");
	cr_assert(u.server.host_is_ipv6);
	cr_assert_str_eq(u.host_header, "[::1]:9");
	cr_assert_str_eq(u.path, "/p?q=1&r=2");
}

Test(worker_setup, url_refusals)
{
	static const char *const bad[] = {
		"ws://broker/v1/x", "https://broker/v1/x", "wss://broker", "wss://broker?x=1",
		"wss://broker:0/x", "wss://broker:65536/x", "wss://broker/x#frag",
		"wss://user@broker/x", "wss://bro ker/x", "wss:///x", "wss://[nope]/x",
	};
	struct worker_url u;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[256] = "";

		cr_assert_eq(worker_url_parse(bad[i], &u, err, sizeof(err)), -1, "%s", bad[i]);
		cr_assert_neq(err[0], '\0', "%s: no reason", bad[i]);
	}
	cr_assert_eq(worker_url_parse(NULL, &u, (char[64]){0}, 64), -1);
}

static const struct run_as alice = {
	.name = "alice", .uid = 1001, .gid = 1001, .home = "/home/alice",
	.shell = "/bin/bash", .switch_user = true,
};

static size_t count_key(char **env, const char *key)
{
	size_t n = 0, len = strlen(key);

	for (char **p = env; *p; p++)
		n += strncmp(*p, key, len) == 0 && (*p)[len] == '=';
	return n;
}

Test(worker_setup, env_when_switching_users)
{
	char *const agent_env[] = {
		"HOME=/root", "USER=root", "PATH=/root/bin", "SECRET_TOKEN=x", "TERM=screen",
		"LC_TIME=de_DE.UTF-8", "TZ=UTC", "not-a-pair", "=empty-key", NULL,
	};
	char **env = shell_env_build(&alice, agent_env);

	cr_assert_not_null(env);
	cr_assert_str_eq(shell_env_get(env, "HOME"), "/home/alice");
	cr_assert_str_eq(shell_env_get(env, "USER"), "alice");
	cr_assert_str_eq(shell_env_get(env, "LOGNAME"), "alice");
	cr_assert_str_eq(shell_env_get(env, "SHELL"), "/bin/bash");
	cr_assert_str_eq(shell_env_get(env, "PATH"), SHELL_ENV_PATH_USER);
	cr_assert_str_eq(shell_env_get(env, "TERM"), "screen", "kept, not overridden");
	cr_assert_str_eq(shell_env_get(env, "LANG"), SHELL_ENV_LANG);
	cr_assert_str_eq(shell_env_get(env, "LC_TIME"), "de_DE.UTF-8");
	cr_assert_str_eq(shell_env_get(env, "TZ"), "UTC");
	cr_assert_null(shell_env_get(env, "SECRET_TOKEN"), "nothing else of root's");
	cr_assert_eq(count_key(env, "HOME"), 1, "each key once");
	cr_assert_eq(count_key(env, "TERM"), 1, "each key once");
	shell_env_free(env);
}

Test(worker_setup, env_without_switching)
{
	struct run_as self = alice;
	char *const agent_env[] = {"HOME=/elsewhere", "PATH=/opt/bin", "KEEP=me", "LANG=fr_FR.UTF-8",
				   NULL};
	char **env;

	self.switch_user = false;
	env = shell_env_build(&self, agent_env);
	cr_assert_not_null(env);
	cr_assert_str_eq(shell_env_get(env, "HOME"), "/home/alice", "always the passwd entry's");
	cr_assert_str_eq(shell_env_get(env, "PATH"), "/opt/bin", "inherited");
	cr_assert_str_eq(shell_env_get(env, "KEEP"), "me");
	cr_assert_str_eq(shell_env_get(env, "LANG"), "fr_FR.UTF-8");
	cr_assert_str_eq(shell_env_get(env, "TERM"), SHELL_ENV_TERM, "default when unset");
	shell_env_free(env);

	self.uid = 0;
	self.switch_user = true;
	env = shell_env_build(&self, NULL);
	cr_assert_str_eq(shell_env_get(env, "PATH"), SHELL_ENV_PATH_ROOT);
	shell_env_free(env);
}

Test(worker_setup, login_name)
{
	char out[16];

	cr_assert_eq(shell_env_login_name("/bin/bash", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "-bash");
	cr_assert_eq(shell_env_login_name("zsh", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "-zsh");
	cr_assert_eq(shell_env_login_name("/a/very-long-shell-name", out, sizeof(out)), -1);
}

Test(worker_setup, run_as_names)
{
	cr_assert(run_as_name_valid("ssm-user"));
	cr_assert(run_as_name_valid("a.b_c"));
	cr_assert_not(run_as_name_valid(""));
	cr_assert_not(run_as_name_valid("-rf"));
	cr_assert_not(run_as_name_valid("a b"));
	cr_assert_not(run_as_name_valid("root;id"));
	cr_assert_not(run_as_name_valid("x23456789012345678901234567890123"));
}

Test(worker_setup, run_as_without_root_is_the_agent_itself)
{
	struct passwd *pw = getpwnam("nobody");
	struct run_as u;
	char err[256] = "";

	cr_assert_not_null(pw);
	cr_assert_eq(run_as_resolve("someone-else", pw->pw_uid, &u, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(u.name, "nobody");
	cr_assert_eq(u.uid, pw->pw_uid);
	cr_assert_not(u.switch_user);
	cr_assert_neq(u.shell[0], '\0');
}

Test(worker_setup, run_as_named_user_must_exist)
{
	struct run_as u;
	char err[256] = "";

	cr_assert_eq(run_as_resolve("postern-no-such-user", 0, &u, err, sizeof(err)), -1);
	cr_assert(strstr(err, "does not exist") != NULL, "%s", err);
	cr_assert_eq(run_as_resolve("bad name", 0, &u, err, sizeof(err)), -1);
	cr_assert_eq(run_as_resolve("root", 0, &u, err, sizeof(err)), 0, "%s", err);
	cr_assert(u.switch_user);
	cr_assert_eq(u.uid, 0);
}
