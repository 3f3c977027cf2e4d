/*
 * test_agent_state.c — the agent's state directory (agent-side/agent_state.c,
 * agent_file.c).
 *
 * Covers: the default directory for root, with $XDG_STATE_HOME, with $HOME
 * only, relative values ignored, none at all; path resolution (relative made
 * absolute, trailing slashes); creation of missing parents and the directory
 * itself with mode 0700 even under umask 0; refusing an existing directory
 * open to others or a path that is not a directory; saving a registration
 * (four files, their modes, their content, no temporary files left), refusing
 * to overwrite it without replace and replacing it with; a save that fails
 * half-way leaves no agent.conf and no new file; loading (round trip, missing
 * registration, malformed agent.conf, a key readable by others); the
 * directory lock; atomic writes and capped reads.
 */
#include <criterion/criterion.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../agent-side/agent_file.h"
#include "../../agent-side/agent_state.h"

#define GOOD_ID "mi-0123456789abcdef0"

static char root[256];

static void setup(void)
{
	snprintf(root, sizeof(root), "/tmp/agent-state-test-XXXXXX");
	cr_assert_not_null(mkdtemp(root));
}

/* rm -r path (no symlinks are followed: lstat) */
static void remove_tree(const char *path)
{
	struct stat st;
	struct dirent *e;
	DIR *d;

	if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && (d = opendir(path))) {
		while ((e = readdir(d))) {
			char sub[1024];

			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
				snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
				remove_tree(sub);
			}
		}
		closedir(d);
	}
	remove(path);
}

static void teardown(void)
{
	remove_tree(root);
}

TestSuite(agent_state, .init = setup, .fini = teardown);
TestSuite(agent_file, .init = setup, .fini = teardown);

static unsigned mode_of(const char *path)
{
	struct stat st;

	cr_assert_eq(stat(path, &st), 0, "stat %s", path);
	return (unsigned)(st.st_mode & 07777);
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static char *slurp(const char *path)
{
	char *text, err[256];
	size_t len;

	cr_assert_eq(agent_file_read(path, 65536, &text, &len, err, sizeof(err)), 0, "%s", err);
	return text;
}

/* Entries of dir other than . and .. */
static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	cr_assert_not_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static const struct agent_registration sample = {
	.conf = {.broker = "https://127.0.0.1:8443", .instance_id = GOOD_ID},
	.key_pem = "-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----\n",
	.cert_pem = "-----BEGIN CERTIFICATE-----\nCERT\n-----END CERTIFICATE-----\n",
	.ca_pem = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n",
};

static void paths_in(const char *sub, struct agent_paths *p)
{
	char dir[512], err[256];

	snprintf(dir, sizeof(dir), "%s/%s", root, sub);
	cr_assert_eq(agent_state_paths(dir, p, err, sizeof(err)), 0, "%s", err);
}

Test(agent_state, default_directory)
{
	char out[256], err[256];

	cr_assert_eq(agent_state_default_dir(0, "/x", "/home/u", out, sizeof(out), err, sizeof(err)),
		     0);
	cr_assert_str_eq(out, "/var/lib/postern-agent");
	cr_assert_eq(agent_state_default_dir(1000, "/x/state", "/home/u", out, sizeof(out), err,
					     sizeof(err)), 0);
	cr_assert_str_eq(out, "/x/state/postern-agent");
	cr_assert_eq(agent_state_default_dir(1000, NULL, "/home/u", out, sizeof(out), err,
					     sizeof(err)), 0);
	cr_assert_str_eq(out, "/home/u/.local/state/postern-agent");
	cr_assert_eq(agent_state_default_dir(1000, "relative", "/home/u", out, sizeof(out), err,
					     sizeof(err)), 0, "a relative XDG_STATE_HOME is ignored");
	cr_assert_str_eq(out, "/home/u/.local/state/postern-agent");
	cr_assert_eq(agent_state_default_dir(1000, "", "", out, sizeof(out), err, sizeof(err)), -1);
	cr_assert_eq(agent_state_default_dir(1000, NULL, NULL, out, sizeof(out), err, sizeof(err)),
		     -1);
	cr_assert(strstr(err, "--state-dir"), "%s", err);
	cr_assert_eq(agent_state_default_dir(1000, NULL, "/home/u", out, 10, err, sizeof(err)), -1);
}

Test(agent_state, paths_are_absolute_and_named)
{
	struct agent_paths p;
	char err[256], cwd[512], want[700];

	cr_assert_eq(agent_state_paths("/srv/agent///", &p, err, sizeof(err)), 0);
	cr_assert_str_eq(p.dir, "/srv/agent");
	cr_assert_str_eq(p.conf, "/srv/agent/agent.conf");
	cr_assert_str_eq(p.key, "/srv/agent/key.pem");
	cr_assert_str_eq(p.cert, "/srv/agent/cert.pem");
	cr_assert_str_eq(p.ca, "/srv/agent/ca.pem");
	cr_assert_not_null(getcwd(cwd, sizeof(cwd)));
	cr_assert_eq(agent_state_paths("rel/dir", &p, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/rel/dir", strcmp(cwd, "/") ? cwd : "");
	cr_assert_str_eq(p.dir, want);
}

Test(agent_state, creates_directory_and_parents_0700)
{
	char dir[512], parent[512], err[256];
	mode_t old = umask(0);

	snprintf(parent, sizeof(parent), "%s/a/b", root);
	snprintf(dir, sizeof(dir), "%s/a/b/state", root);
	cr_assert_eq(agent_state_make_dir(dir, err, sizeof(err)), 0, "%s", err);
	umask(old);
	cr_assert_eq(mode_of(dir), 0700);
	cr_assert_eq(mode_of(parent), 0700);
	cr_assert_eq(agent_state_make_dir(dir, err, sizeof(err)), 0, "existing and private: fine");
}

Test(agent_state, umask_does_not_widen_or_narrow_the_directory)
{
	char dir[512], err[256];
	mode_t old = umask(0077);

	snprintf(dir, sizeof(dir), "%s/state", root);
	cr_assert_eq(agent_state_make_dir(dir, err, sizeof(err)), 0, "%s", err);
	umask(old);
	cr_assert_eq(mode_of(dir), 0700);
}

/* Stage and commit one file (asserting success). */
static void write_file(const char *path, const char *text, mode_t mode)
{
	struct agent_file f;
	char err[512];

	cr_assert_eq(agent_file_stage(&f, path, text, strlen(text), mode, err, sizeof(err)), 0,
		     "%s", err);
	cr_assert_eq(agent_file_commit(&f, err, sizeof(err)), 0, "%s", err);
}

Test(agent_state, refuses_an_open_or_wrong_directory)
{
	char dir[512], file[512], err[256];

	snprintf(dir, sizeof(dir), "%s/shared", root);
	cr_assert_eq(mkdir(dir, 0755), 0);
	cr_assert_eq(chmod(dir, 0755), 0);
	cr_assert_eq(agent_state_make_dir(dir, err, sizeof(err)), -1);
	cr_assert(strstr(err, "open to other users"), "%s", err);
	cr_assert_eq(mode_of(dir), 0755, "never chmod'ed");

	snprintf(file, sizeof(file), "%s/file", root);
	write_file(file, "x", 0600);
	cr_assert_eq(agent_state_make_dir(file, err, sizeof(err)), -1);
	cr_assert(strstr(err, "not a directory"), "%s", err);
	snprintf(dir, sizeof(dir), "%s/file/below", root);
	cr_assert_eq(agent_state_make_dir(dir, err, sizeof(err)), -1);
}

Test(agent_state, save_writes_four_files_with_their_modes)
{
	struct agent_paths p;
	struct agent_state st;
	char err[512], *text;
	mode_t old = umask(0);

	paths_in("state", &p);
	cr_assert_eq(agent_state_make_dir(p.dir, err, sizeof(err)), 0, "%s", err);
	cr_assert_not(agent_state_registered(&p));
	cr_assert_eq(agent_state_save(&p, &sample, false, err, sizeof(err)), 0, "%s", err);
	umask(old);
	cr_assert(agent_state_registered(&p));
	cr_assert_eq(mode_of(p.key), 0600);
	cr_assert_eq(mode_of(p.cert), 0644);
	cr_assert_eq(mode_of(p.ca), 0644);
	cr_assert_eq(mode_of(p.conf), 0644);
	cr_assert_eq(entries(p.dir), 4, "no temporary file left behind");
	text = slurp(p.key);
	cr_assert_str_eq(text, sample.key_pem);
	free(text);
	text = slurp(p.ca);
	cr_assert_str_eq(text, sample.ca_pem);
	free(text);

	cr_assert_eq(agent_state_load(p.dir, &st, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(st.conf.instance_id, GOOD_ID);
	cr_assert_str_eq(st.conf.broker, "https://127.0.0.1:8443");
	cr_assert_eq(st.broker.port, 8443);
	cr_assert_str_eq(st.paths.key, p.key);
}

Test(agent_state, existing_registration_needs_replace)
{
	struct agent_paths p;
	struct agent_registration again = sample;
	struct agent_state st;
	char err[512], *text;

	paths_in("state", &p);
	cr_assert_eq(agent_state_make_dir(p.dir, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(agent_state_save(&p, &sample, false, err, sizeof(err)), 0, "%s", err);
	memcpy(again.conf.instance_id, "mi-fffffffffffffffff", AGENT_INSTANCE_ID_LEN + 1);
	again.key_pem = "NEW KEY\n";
	cr_assert_eq(agent_state_save(&p, &again, false, err, sizeof(err)), -1);
	cr_assert(strstr(err, "already holds a registration"), "%s", err);
	text = slurp(p.key);
	cr_assert_str_eq(text, sample.key_pem, "left alone");
	free(text);
	cr_assert_eq(entries(p.dir), 4);

	cr_assert_eq(agent_state_save(&p, &again, true, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(agent_state_load(p.dir, &st, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(st.conf.instance_id, "mi-fffffffffffffffff");
	text = slurp(p.key);
	cr_assert_str_eq(text, "NEW KEY\n");
	free(text);
	cr_assert_eq(entries(p.dir), 4);
}

Test(agent_state, failed_save_leaves_no_registration)
{
	struct agent_paths p;
	char err[512];

	paths_in("state", &p);
	cr_assert_eq(agent_state_make_dir(p.dir, err, sizeof(err)), 0, "%s", err);
	/* a directory where ca.pem goes: the third rename fails (EISDIR) */
	cr_assert_eq(mkdir(p.ca, 0700), 0);
	cr_assert_eq(agent_state_save(&p, &sample, false, err, sizeof(err)), -1);
	cr_assert(strstr(err, "ca.pem"), "%s", err);
	cr_assert_not(agent_state_registered(&p));
	cr_assert_not(exists(p.key), "the key already renamed is removed again");
	cr_assert_not(exists(p.cert));
	cr_assert_eq(entries(p.dir), 1, "only the obstacle remains");
}

Test(agent_state, failed_replace_leaves_no_registration)
{
	struct agent_paths p;
	struct agent_state st;
	char err[512];

	paths_in("state", &p);
	cr_assert_eq(agent_state_make_dir(p.dir, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(agent_state_save(&p, &sample, false, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(unlink(p.ca), 0);
	cr_assert_eq(mkdir(p.ca, 0700), 0);
	cr_assert_eq(agent_state_save(&p, &sample, true, err, sizeof(err)), -1);
	cr_assert_not(agent_state_registered(&p), "agent.conf went first");
	cr_assert_eq(agent_state_load(p.dir, &st, err, sizeof(err)), -1);
}

Test(agent_state, load_reports_what_is_wrong)
{
	struct agent_paths p;
	struct agent_state st;
	char err[1024];

	paths_in("state", &p);
	cr_assert_eq(agent_state_make_dir(p.dir, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(agent_state_load(p.dir, &st, err, sizeof(err)), -1);
	cr_assert(strstr(err, "holds no registration"), "%s", err);

	cr_assert_eq(agent_state_save(&p, &sample, false, err, sizeof(err)), 0, "%s", err);
	write_file(p.conf, "broker https://b\ninstance-id nope\n", 0644);
	cr_assert_eq(agent_state_load(p.dir, &st, err, sizeof(err)), -1);
	cr_assert(strstr(err, "agent.conf: line 2:"), "%s", err);

	cr_assert_eq(agent_state_save(&p, &sample, true, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(chmod(p.key, 0640), 0);
	cr_assert_eq(agent_state_load(p.dir, &st, err, sizeof(err)), -1);
	cr_assert(strstr(err, "readable by other users"), "%s", err);

	cr_assert_eq(chmod(p.key, 0600), 0);
	cr_assert_eq(unlink(p.cert), 0);
	cr_assert_eq(agent_state_load(p.dir, &st, err, sizeof(err)), -1);
	cr_assert(strstr(err, "cert.pem"), "%s", err);
}

Test(agent_state, one_process_at_a_time)
{
	char dir[512], err[512];
	int first, second;

	snprintf(dir, sizeof(dir), "%s/state", root);
	cr_assert_eq(agent_state_make_dir(dir, err, sizeof(err)), 0, "%s", err);
	first = agent_state_lock(dir, err, sizeof(err));
	cr_assert_geq(first, 0, "%s", err);
	second = agent_state_lock(dir, err, sizeof(err));
	cr_assert_eq(second, -1);
	cr_assert(strstr(err, "in use by another postern-agent"), "%s", err);
	close(first);
	second = agent_state_lock(dir, err, sizeof(err));
	cr_assert_geq(second, 0, "free again: %s", err);
	close(second);
}

Test(agent_file, atomic_write_replaces_and_keeps_the_mode)
{
	char path[512], err[256], *text;
	struct agent_file f;

	snprintf(path, sizeof(path), "%s/file", root);
	write_file(path, "old", 0644);
	cr_assert_eq(agent_file_stage(&f, path, "new", 3, 0600, err, sizeof(err)), 0, "%s", err);
	text = slurp(path);
	cr_assert_str_eq(text, "old", "staging does not touch the file");
	free(text);
	cr_assert_eq(entries(root), 2, "the file and its temporary");
	cr_assert_eq(agent_file_commit(&f, err, sizeof(err)), 0, "%s", err);
	text = slurp(path);
	cr_assert_str_eq(text, "new");
	free(text);
	cr_assert_eq(mode_of(path), 0600);
	cr_assert_eq(entries(root), 1);

	cr_assert_eq(agent_file_stage(&f, path, "newer", 5, 0600, err, sizeof(err)), 0);
	agent_file_abort(&f);
	agent_file_abort(&f); /* twice is fine */
	cr_assert_eq(entries(root), 1, "abort removes the temporary file");
	cr_assert_eq(agent_file_sync_dir(root, err, sizeof(err)), 0, "%s", err);
}

Test(agent_file, stage_fails_cleanly_in_a_missing_directory)
{
	char path[512], err[256];
	struct agent_file f;

	snprintf(path, sizeof(path), "%s/missing/file", root);
	cr_assert_eq(agent_file_stage(&f, path, "x", 1, 0600, err, sizeof(err)), -1);
	cr_assert(strstr(err, "missing/file"), "%s", err);
	cr_assert_null(f.tmp);
	cr_assert_null(f.path);
}

Test(agent_file, read_is_capped_and_wants_a_regular_file)
{
	char path[512], err[256], *text = (char *)"unset";
	size_t len = 99;

	snprintf(path, sizeof(path), "%s/file", root);
	write_file(path, "0123456789", 0600);
	cr_assert_eq(agent_file_read(path, 10, &text, &len, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(len, 10);
	cr_assert_str_eq(text, "0123456789");
	free(text);
	cr_assert_eq(agent_file_read(path, 9, &text, &len, err, sizeof(err)), -1);
	cr_assert_null(text);
	cr_assert(strstr(err, "too large"), "%s", err);
	cr_assert_eq(agent_file_read(root, 100, &text, &len, err, sizeof(err)), -1);
	cr_assert(strstr(err, "not a regular file"), "%s", err);
	snprintf(path, sizeof(path), "%s/none", root);
	cr_assert_eq(agent_file_read(path, 100, &text, &len, err, sizeof(err)), -1);
	cr_assert_eq(agent_file_remove(path, err, sizeof(err)), 0, "missing is fine");
}
