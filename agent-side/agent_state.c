/*
 * agent_state.c — the state directory and the registration in it (see
 * agent_state.h).
 */
#include "agent_state.h"
#include "agent_file.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define MODE_DIR 0700
#define MODE_SECRET 0600
#define MODE_PUBLIC 0644

int agent_state_default_dir(uid_t euid, const char *xdg_state_home, const char *home,
			    char *out, size_t outlen, char *err, size_t errlen)
{
	int n;

	if (euid == 0)
		n = snprintf(out, outlen, "%s", AGENT_STATE_ROOT_DIR);
	else if (xdg_state_home && xdg_state_home[0] == '/')
		n = snprintf(out, outlen, "%s/%s", xdg_state_home, AGENT_STATE_DIR_NAME);
	else if (home && home[0] == '/')
		n = snprintf(out, outlen, "%s/.local/state/%s", home, AGENT_STATE_DIR_NAME);
	else {
		snprintf(err, errlen, "no state directory: $HOME is not set; give --state-dir");
		return -1;
	}
	if (n < 0 || (size_t)n >= outlen) {
		snprintf(err, errlen, "the state directory's path is too long");
		return -1;
	}
	return 0;
}

/* $HOME, or the password database's home directory, or NULL. */
static const char *home_dir(void)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	if (home && home[0] == '/')
		return home;
	pw = getpwuid(geteuid());
	return pw ? pw->pw_dir : NULL;
}

static int join(char *out, size_t outlen, const char *dir, const char *name)
{
	int n = snprintf(out, outlen, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

int agent_state_paths(const char *dir, struct agent_paths *p, char *err, size_t errlen)
{
	char cwd[AGENT_STATE_PATH_MAX];
	size_t len;
	int n;

	memset(p, 0, sizeof(*p));
	if (!dir) {
		if (agent_state_default_dir(geteuid(), getenv("XDG_STATE_HOME"), home_dir(), p->dir,
					    sizeof(p->dir), err, errlen) != 0)
			return -1;
	} else if (dir[0] == '/') {
		n = snprintf(p->dir, sizeof(p->dir), "%s", dir);
		if (n < 0 || (size_t)n >= sizeof(p->dir))
			goto too_long;
	} else {
		if (!getcwd(cwd, sizeof(cwd))) {
			snprintf(err, errlen, "cannot resolve %s: %s", dir, strerror(errno));
			return -1;
		}
		n = snprintf(p->dir, sizeof(p->dir), "%s/%s", strcmp(cwd, "/") ? cwd : "", dir);
		if (n < 0 || (size_t)n >= sizeof(p->dir))
			goto too_long;
	}
	len = strlen(p->dir);
	while (len > 1 && p->dir[len - 1] == '/')
		p->dir[--len] = '\0';
	if (join(p->conf, sizeof(p->conf), p->dir, "agent.conf") ||
	    join(p->key, sizeof(p->key), p->dir, "key.pem") ||
	    join(p->cert, sizeof(p->cert), p->dir, "cert.pem") ||
	    join(p->ca, sizeof(p->ca), p->dir, "ca.pem"))
		goto too_long;
	return 0;
too_long:
	snprintf(err, errlen, "the state directory's path is too long");
	return -1;
}

/* The final directory exists: it must be ours and private. */
static int check_existing_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (stat(dir, &st) != 0) {
		snprintf(err, errlen, "cannot use state directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s is not a directory", dir);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "state directory %s belongs to uid %u, not to this user (%u)",
			 dir, (unsigned)st.st_uid, (unsigned)geteuid());
		return -1;
	}
	if (st.st_mode & 077) {
		snprintf(err, errlen,
			 "state directory %s is open to other users (mode %04o); "
			 "use a new directory or `chmod 700` it",
			 dir, (unsigned)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

int agent_state_make_dir(const char *dir, char *err, size_t errlen)
{
	char path[AGENT_STATE_PATH_MAX];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(path)) {
		snprintf(err, errlen, "bad state directory path");
		return -1;
	}
	memcpy(path, dir, len + 1);
	for (char *p = path + 1; ; p++) {
		bool last = *p == '\0';

		if (*p != '/' && !last)
			continue;
		*p = '\0';
		if (mkdir(path, MODE_DIR) == 0) {
			if (chmod(path, MODE_DIR) != 0) { /* in case umask removed bits */
				snprintf(err, errlen, "cannot chmod %s: %s", path, strerror(errno));
				return -1;
			}
		} else if (errno != EEXIST) {
			snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
			return -1;
		}
		if (last)
			break;
		*p = '/';
	}
	return check_existing_dir(dir, err, errlen);
}

int agent_state_lock(const char *dir, char *err, size_t errlen)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "cannot open state directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		snprintf(err, errlen, "state directory %s is in use by another postern-agent%s", dir,
			 errno == EWOULDBLOCK ? "" : " (cannot lock it)");
		close(fd);
		return -1;
	}
	return fd;
}

bool agent_state_registered(const struct agent_paths *p)
{
	struct stat st;

	return lstat(p->conf, &st) == 0;
}

enum { FILE_KEY, FILE_CERT, FILE_CA, FILE_CONF, N_FILES };

/* Remove the new files already renamed into place (after a failed commit). */
static void remove_committed(const char *const paths[N_FILES], int committed)
{
	char ignored[256];

	for (int i = committed - 1; i >= 0; i--)
		agent_file_remove(paths[i], ignored, sizeof(ignored));
}

int agent_state_save(const struct agent_paths *p, const struct agent_registration *reg,
		     bool replace, char *err, size_t errlen)
{
	const char *const paths[N_FILES] = {p->key, p->cert, p->ca, p->conf};
	static const mode_t modes[N_FILES] = {MODE_SECRET, MODE_PUBLIC, MODE_PUBLIC, MODE_PUBLIC};
	struct agent_file staged[N_FILES] = {{0}};
	char conf[AGENT_CONF_MAX_BYTES];
	const char *texts[N_FILES] = {reg->key_pem, reg->cert_pem, reg->ca_pem, conf};
	char ignored[256];
	int committed = 0, rc = -1, len;

	len = agent_conf_format(&reg->conf, conf, sizeof(conf));
	if (len < 0) {
		snprintf(err, errlen, "the registration does not fit in agent.conf");
		return -1;
	}
	if (!replace && agent_state_registered(p)) {
		snprintf(err, errlen, "%s already holds a registration", p->dir);
		return -1;
	}
	for (int i = 0; i < N_FILES; i++)
		if (agent_file_stage(&staged[i], paths[i], texts[i], strlen(texts[i]), modes[i], err,
				     errlen) != 0)
			goto out;
	/* from here on the old registration is gone: agent.conf goes first */
	if (agent_file_remove(p->conf, err, errlen) != 0 ||
	    agent_file_sync_dir(p->dir, err, errlen) != 0)
		goto out;
	for (; committed < N_FILES; committed++)
		if (agent_file_commit(&staged[committed], err, errlen) != 0)
			goto out;
	if (agent_file_sync_dir(p->dir, err, errlen) != 0)
		goto out;
	rc = 0;
out:
	for (int i = 0; i < N_FILES; i++)
		agent_file_abort(&staged[i]);
	if (rc != 0 && committed > 0) {
		remove_committed(paths, committed);
		agent_file_sync_dir(p->dir, ignored, sizeof(ignored));
	}
	return rc;
}

/* A required file of the registration: present, regular, readable. */
static int check_file(const char *path, bool secret, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) != 0 || access(path, R_OK) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is not a regular file", path);
		return -1;
	}
	if (secret && (st.st_mode & 077)) {
		snprintf(err, errlen, "%s is readable by other users (mode %04o); `chmod 600` it",
			 path, (unsigned)(st.st_mode & 07777));
		return -1;
	}
	return 0;
}

int agent_state_load(const char *dir, struct agent_state *st, char *err, size_t errlen)
{
	char *text = NULL, why[512];
	size_t len;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	if (agent_state_paths(dir, &st->paths, err, errlen) != 0)
		return -1;
	if (!agent_state_registered(&st->paths)) {
		snprintf(err, errlen, "%s holds no registration (run `postern-agent register` first)",
			 st->paths.dir);
		return -1;
	}
	if (agent_file_read(st->paths.conf, AGENT_CONF_MAX_BYTES, &text, &len, err, errlen) != 0)
		return -1;
	if (agent_conf_parse(text, len, &st->conf, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "%s: %s", st->paths.conf, why);
		goto out;
	}
	if (agent_url_parse(st->conf.broker, &st->broker, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "%s: %s", st->paths.conf, why); /* parse checked it already */
		goto out;
	}
	if (check_file(st->paths.key, true, err, errlen) ||
	    check_file(st->paths.cert, false, err, errlen) ||
	    check_file(st->paths.ca, false, err, errlen))
		goto out;
	rc = 0;
out:
	free(text);
	return rc;
}
