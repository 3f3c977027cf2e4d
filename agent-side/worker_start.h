/*
 * worker_start.h — handing a session's StartSession from the agent to its
 * worker process through a pipe that becomes the worker's stdin: one packed
 * control Envelope (proto/control.h) carrying the StartSession, then EOF.
 *
 * The StartSession holds the session's data-channel token, so it never goes
 * into argv or the environment (both visible to other users through /proc),
 * and every buffer that held it packed is wiped before it is freed.
 */
#ifndef POSTERN_WORKER_START_H
#define POSTERN_WORKER_START_H

#include <stddef.h>
#include <stdint.h>

#include "control.h"

/* Largest packed envelope accepted: it must fit a pipe's default buffer,
 * so that the agent can write it whole without waiting for the worker. */
#define WORKER_START_MAX (64u * 1024u)

/*
 * Write start, packed as an Envelope (message id 0), to fd. A non-blocking
 * fd must take the whole message at once. 0, or -1 with a sentence in err
 * (over WORKER_START_MAX, out of memory, a short or failed write).
 */
int worker_start_write(int fd, const Postern__Control__StartSession *start, char *err,
		       size_t errlen);

/*
 * Read fd to EOF (at most WORKER_START_MAX bytes; more is an error, checked
 * before unpacking) and unpack it. The envelope must carry a StartSession
 * with a session id, a data-channel URL and a token. 0 with *env set (free
 * it with control_free), or -1 with a sentence in err and *env NULL.
 */
int worker_start_read(int fd, control_envelope **env, char *err, size_t errlen);

#endif
