/*
 * shell_env.c — the login shell's environment and argv[0] (see shell_env.h).
 */
#include "shell_env.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A growing NULL-terminated array of malloc'd strings. */
struct shell_env_list {
	char **v;
	size_t n, cap;
	bool failed;
};

static size_t shell_env_key_len(const char *entry)
{
	const char *eq = strchr(entry, '=');

	return eq ? (size_t)(eq - entry) : strlen(entry);
}

static char **shell_env_find(char *const *env, const char *key, size_t key_len)
{
	for (char *const *p = env; p && *p; p++)
		if (shell_env_key_len(*p) == key_len && strncmp(*p, key, key_len) == 0)
			return (char **)p;
	return NULL;
}

const char *shell_env_get(char *const *env, const char *key)
{
	char **slot = shell_env_find(env, key, strlen(key));

	return slot ? *slot + strlen(key) + 1 : NULL;
}

/* Add or (with replace) overwrite one "key=value" entry. */
static void shell_env_put(struct shell_env_list *l, const char *key, size_t key_len,
			  const char *value, bool replace)
{
	size_t len = key_len + 1 + strlen(value) + 1;
	char **slot, *entry, **grown;

	if (l->failed)
		return;
	slot = l->v ? shell_env_find(l->v, key, key_len) : NULL;
	if (slot && !replace)
		return;
	entry = malloc(len);
	if (!entry) {
		l->failed = true;
		return;
	}
	snprintf(entry, len, "%.*s=%s", (int)key_len, key, value);
	if (slot) {
		free(*slot);
		*slot = entry;
		return;
	}
	if (l->n + 2 > l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;

		grown = realloc(l->v, cap * sizeof(*grown));
		if (!grown) {
			free(entry);
			l->failed = true;
			return;
		}
		l->v = grown;
		l->cap = cap;
	}
	l->v[l->n++] = entry;
	l->v[l->n] = NULL;
}

static void shell_env_set(struct shell_env_list *l, const char *key, const char *value,
			  bool replace)
{
	shell_env_put(l, key, strlen(key), value, replace);
}

/* What survives a switch to another user: terminal type, locale, time zone. */
static bool shell_env_kept_across_users(const char *entry, size_t key_len)
{
	static const char *const kept[] = {"TERM", "LANG", "LANGUAGE", "TZ"};

	if (key_len > 3 && strncmp(entry, "LC_", 3) == 0)
		return true;
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		if (strlen(kept[i]) == key_len && strncmp(entry, kept[i], key_len) == 0)
			return true;
	return false;
}

char **shell_env_build(const struct run_as *u, char *const *inherited)
{
	struct shell_env_list l = {0};

	for (char *const *p = inherited; p && *p; p++) {
		size_t key_len = shell_env_key_len(*p);

		if (!(*p)[key_len] || key_len == 0)
			continue; /* not KEY=VALUE */
		if (u->switch_user && !shell_env_kept_across_users(*p, key_len))
			continue;
		shell_env_put(&l, *p, key_len, *p + key_len + 1, true);
	}
	shell_env_set(&l, "HOME", u->home, true);
	shell_env_set(&l, "USER", u->name, true);
	shell_env_set(&l, "LOGNAME", u->name, true);
	shell_env_set(&l, "SHELL", u->shell, true);
	shell_env_set(&l, "PATH", u->uid == 0 ? SHELL_ENV_PATH_ROOT : SHELL_ENV_PATH_USER, false);
	shell_env_set(&l, "TERM", SHELL_ENV_TERM, false);
	shell_env_set(&l, "LANG", SHELL_ENV_LANG, false);
	if (l.failed) {
		shell_env_free(l.v);
		return NULL;
	}
	return l.v;
}

void shell_env_free(char **env)
{
	for (char **p = env; p && *p; p++)
		free(*p);
	free(env);
}

int shell_env_login_name(const char *shell, char *out, size_t outlen)
{
	const char *base = strrchr(shell, '/');
	int n = snprintf(out, outlen, "-%s", base ? base + 1 : shell);

	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}
