/*
 * agent_file.c — crash-safe writes and capped reads of small files (see
 * agent_file.h).
 */
#include "agent_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_ATTEMPTS 8

/* "<dir>/.<base>.tmp-<16 hex>" for path, malloc'd; NULL on failure. */
static char *temp_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
	const char *base = path + dir_len;
	size_t size = strlen(path) + 32;
	unsigned char rnd[8];
	char *tmp;

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return NULL;
	tmp = malloc(size);
	if (!tmp)
		return NULL;
	snprintf(tmp, size, "%.*s.%s.tmp-%02x%02x%02x%02x%02x%02x%02x%02x", (int)dir_len, path,
		 base, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	return tmp;
}

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Create a fresh temporary file beside f->path; fd or -1 (f->tmp set on success). */
static int create_temp(struct agent_file *f, mode_t mode)
{
	for (int i = 0; i < TMP_ATTEMPTS; i++) {
		int fd;

		f->tmp = temp_name(f->path);
		if (!f->tmp)
			return -1;
		fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
		if (fd >= 0)
			return fd;
		free(f->tmp);
		f->tmp = NULL;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

int agent_file_stage(struct agent_file *f, const char *path, const void *data, size_t len,
		     mode_t mode, char *err, size_t errlen)
{
	int fd, saved;

	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	if (!f->path) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	fd = create_temp(f, mode);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create a file beside %s: %s", path, strerror(errno));
		agent_file_abort(f);
		return -1;
	}
	if (fchmod(fd, mode) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		saved = errno;
		close(fd);
		snprintf(err, errlen, "cannot write %s: %s", f->tmp, strerror(saved));
		agent_file_abort(f);
		return -1;
	}
	if (close(fd) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", f->tmp, strerror(errno));
		agent_file_abort(f);
		return -1;
	}
	return 0;
}

int agent_file_commit(struct agent_file *f, char *err, size_t errlen)
{
	int rc = 0;

	if (!f->tmp) {
		snprintf(err, errlen, "%s: nothing staged", f->path ? f->path : "(none)");
		rc = -1;
	} else if (rename(f->tmp, f->path) != 0) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", f->tmp, f->path,
			 strerror(errno));
		rc = -1;
	} else {
		free(f->tmp);
		f->tmp = NULL;
	}
	agent_file_abort(f);
	return rc;
}

void agent_file_abort(struct agent_file *f)
{
	if (f->tmp)
		unlink(f->tmp);
	free(f->tmp);
	free(f->path);
	f->tmp = NULL;
	f->path = NULL;
}

int agent_file_sync_dir(const char *dir, char *err, size_t errlen)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) != 0) {
		snprintf(err, errlen, "cannot sync directory %s: %s", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int agent_file_remove(const char *path, char *err, size_t errlen)
{
	if (unlink(path) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int agent_file_read(const char *path, size_t max, char **out, size_t *len, char *err,
		    size_t errlen)
{
	struct stat st;
	size_t got = 0;
	char *buf = NULL;
	int fd;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || (uintmax_t)st.st_size > max) {
		snprintf(err, errlen, "%s: %s", path,
			 S_ISREG(st.st_mode) ? "file too large" : "not a regular file");
		goto fail;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break; /* shrank while reading: take what is there */
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return 0;
fail:
	free(buf);
	close(fd);
	return -1;
}
