/*
 * atomic_file.h — crash-safe replacement of small files (keys, certificates).
 *
 * A file is written in two steps so that a reader, or the next start after a
 * crash, sees either the old file or the complete new one, never a prefix:
 *
 *   stage:  create "<path>.tmp-<random>" in the same directory with O_EXCL and
 *           the final mode (umask does not apply), write all bytes, fsync;
 *   commit: rename the temporary file over <path> (or, with
 *           ATOMIC_FILE_NOREPLACE, link it to <path> only if <path> does not
 *           exist yet), then fsync the directory.
 *
 * Staging several files before committing any keeps related files (a key and
 * its certificate) consistent except across a crash between two commits.
 * Every failure removes the temporary file. Nothing here is specific to keys;
 * callers decide the mode. Errors come back as -1 with a sentence in err
 * (err may be NULL when errlen is 0).
 */
#ifndef POSTERN_ATOMIC_FILE_H
#define POSTERN_ATOMIC_FILE_H

#include <stddef.h>
#include <sys/types.h>

enum atomic_file_flags {
	ATOMIC_FILE_REPLACE = 0,   /* commit replaces an existing file */
	ATOMIC_FILE_NOREPLACE = 1, /* commit fails (EEXIST) if the file exists */
};

/* A staged file: owned by the caller, needs no initialisation before stage. */
struct atomic_file {
	char *path;   /* final name (malloc'd copy) */
	char *tmp;    /* temporary name, NULL when nothing is staged */
	int flags;
};

/*
 * Write data[0..len) to a new temporary file beside path with the given mode,
 * fsync'd. Returns 0 with af staged (commit or abort it), or -1 (af holds
 * nothing, nothing was left on disk).
 */
int atomic_file_stage(struct atomic_file *af, const char *path, const void *data,
		      size_t len, mode_t mode, int flags, char *err, size_t errlen);

/*
 * Move a staged file to its final name and fsync the directory. Returns 0, or
 * -1 with the temporary file removed and the new data not at the final name
 * (in the rare case that the directory fsync fails after a REPLACE rename, the
 * new file is removed again and the old one is gone too). Either way af is
 * released (no abort needed).
 */
int atomic_file_commit(struct atomic_file *af, char *err, size_t errlen);

/* Remove a staged file that will not be committed and release af. Safe on an
 * af that holds nothing (zeroed, committed or aborted). */
void atomic_file_abort(struct atomic_file *af);

/* Stage and commit in one call. Returns 0 or -1 (nothing left on disk). */
int atomic_file_write(const char *path, const void *data, size_t len, mode_t mode,
		      int flags, char *err, size_t errlen);

#endif
