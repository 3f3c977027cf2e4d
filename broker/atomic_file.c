/*
 * atomic_file.c — crash-safe replacement of small files: temporary file with
 * O_EXCL and the final mode, fsync, rename (or link for "no replace"), fsync
 * of the directory. See atomic_file.h for the contract.
 */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_ATTEMPTS 8

static int fail(char *err, size_t errlen, int saved_errno, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int saved_errno, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err && errlen) {
		va_start(ap, fmt);
		n = vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < errlen)
			snprintf(err + n, errlen - (size_t)n, ": %s", strerror(saved_errno));
	}
	errno = saved_errno;
	return -1;
}

static void release(struct atomic_file *af)
{
	free(af->path);
	free(af->tmp);
	af->path = NULL;
	af->tmp = NULL;
}

/* fsync the directory holding path, so a rename or link in it is durable. */
static int sync_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd, rc = -1, saved;

	if (!slash)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (!dir)
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		rc = fsync(fd);
		saved = errno;
		close(fd);
		errno = saved;
	}
	saved = errno;
	free(dir);
	errno = saved;
	return rc;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Create a fresh temporary file beside af->path; af->tmp gets its name. */
static int create_tmp(struct atomic_file *af, mode_t mode)
{
	size_t cap = strlen(af->path) + sizeof(".tmp-") + 16;

	af->tmp = malloc(cap);
	if (!af->tmp)
		return -1;
	for (int i = 0; i < TMP_ATTEMPTS; i++) {
		uint8_t r[8];
		int fd;

		if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
			break;
		snprintf(af->tmp, cap, "%s.tmp-%02x%02x%02x%02x%02x%02x%02x%02x", af->path,
			 r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
		fd = open(af->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			break;
	}
	free(af->tmp);
	af->tmp = NULL;
	return -1;
}

int atomic_file_stage(struct atomic_file *af, const char *path, const void *data,
		      size_t len, mode_t mode, int flags, char *err, size_t errlen)
{
	int fd = -1, rc = -1, saved = 0;
	const char *what = "";

	af->path = NULL;
	af->tmp = NULL;
	af->flags = flags;
	if (!path || !*path || (!data && len))
		return fail(err, errlen, EINVAL, "atomic write: bad arguments");
	af->path = strdup(path);
	if (!af->path) {
		saved = errno;
		what = "allocate";
		goto cleanup;
	}
	fd = create_tmp(af, mode);
	if (fd < 0) {
		saved = errno;
		what = "create a temporary file for";
		goto cleanup;
	}
	/* The mode given to open() was reduced by the umask: set it exactly. */
	if (fchmod(fd, mode) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0) {
		saved = errno;
		what = "write";
		goto cleanup;
	}
	if (close(fd) != 0) {
		fd = -1;
		saved = errno;
		what = "close";
		goto cleanup;
	}
	fd = -1;
	rc = 0;
cleanup:
	if (fd >= 0)
		close(fd);
	if (rc != 0) {
		if (af->tmp)
			unlink(af->tmp);
		release(af);
		return fail(err, errlen, saved, "cannot %s %s", what, path);
	}
	return 0;
}

int atomic_file_commit(struct atomic_file *af, char *err, size_t errlen)
{
	int rc = -1, saved = 0;

	if (!af->tmp || !af->path) {
		release(af);
		return fail(err, errlen, EINVAL, "atomic write: nothing staged");
	}
	if (af->flags & ATOMIC_FILE_NOREPLACE) {
		/* link() refuses an existing name, which rename() would replace. */
		if (link(af->tmp, af->path) != 0) {
			saved = errno;
			unlink(af->tmp);
			goto cleanup;
		}
		unlink(af->tmp);
	} else if (rename(af->tmp, af->path) != 0) {
		saved = errno;
		unlink(af->tmp);
		goto cleanup;
	}
	if (sync_dir_of(af->path) != 0) {
		/* In place but perhaps not durable: take it back out. */
		saved = errno;
		unlink(af->path);
		goto cleanup;
	}
	rc = 0;
cleanup:
	if (rc != 0)
		fail(err, errlen, saved, "cannot install %s", af->path);
	release(af);
	return rc;
}

void atomic_file_abort(struct atomic_file *af)
{
	if (af->tmp)
		unlink(af->tmp);
	release(af);
}

int atomic_file_write(const char *path, const void *data, size_t len, mode_t mode,
		      int flags, char *err, size_t errlen)
{
	struct atomic_file af;

	if (atomic_file_stage(&af, path, data, len, mode, flags, err, errlen) != 0)
		return -1;
	return atomic_file_commit(&af, err, errlen);
}
