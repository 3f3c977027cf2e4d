/*
 * agent_file.h — the agent's small files on disk: crash-safe writes, capped
 * reads. Nothing here knows which files the agent keeps (agent_state.c does).
 *
 * A write happens in two steps, so that a reader — or the next start after a
 * crash — sees either the old file or the complete new one, never a part:
 *
 *   stage:  create "<dir>/.<name>.tmp-<random>" beside the final path with
 *           O_EXCL and the final mode (umask does not apply), write every
 *           byte, fsync, close;
 *   commit: rename the temporary file over the final path.
 *
 * After committing one or more files the caller fsyncs their directory
 * (agent_file_sync_dir) to make the renames durable. Staging several files
 * before committing any lets a caller make a group of files appear together
 * except across a crash between two renames. Errors are -1 with a sentence in
 * err naming the path and the system's reason.
 */
#ifndef POSTERN_AGENT_FILE_H
#define POSTERN_AGENT_FILE_H

#include <stddef.h>
#include <sys/types.h>

/* A staged file; zero-initialise before staging. */
struct agent_file {
	char *path; /* final name (malloc'd copy) */
	char *tmp;  /* temporary name; NULL when nothing is staged */
};

/* Write data[0..len) to a new temporary file beside path, fsync'd. 0 with f
 * staged (commit or abort it), or -1 with nothing left on disk. */
int agent_file_stage(struct agent_file *f, const char *path, const void *data, size_t len,
		     mode_t mode, char *err, size_t errlen);

/* Rename the staged file over its final path. 0, or -1 with the temporary
 * file removed. Either way f is released. */
int agent_file_commit(struct agent_file *f, char *err, size_t errlen);

/* Remove a staged file that will not be committed and release f. Safe on a
 * zeroed, committed or aborted f. */
void agent_file_abort(struct agent_file *f);

/* fsync a directory (after renames or unlinks in it). 0 or -1. */
int agent_file_sync_dir(const char *dir, char *err, size_t errlen);

/* Remove path; a path that does not exist is not an error. 0 or -1. */
int agent_file_remove(const char *path, char *err, size_t errlen);

/*
 * Read a whole regular file of at most max bytes into a new NUL-terminated
 * buffer (*out, caller frees; *len excludes the NUL). 0, or -1 (missing,
 * unreadable, not a regular file, or larger than max).
 */
int agent_file_read(const char *path, size_t max, char **out, size_t *len, char *err,
		    size_t errlen);

#endif
