/*
 * worker_start.c — the StartSession handed to a worker over a pipe (see
 * worker_start.h).
 */
#include "worker_start.h"
#include "proto_err.h"

#include <errno.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void worker_start_wipe_free(uint8_t *buf, size_t len)
{
	if (!buf)
		return;
	OPENSSL_cleanse(buf, len);
	free(buf);
}

int worker_start_write(int fd, const Postern__Control__StartSession *start, char *err,
		       size_t errlen)
{
	control_envelope env;
	uint8_t *buf = NULL;
	size_t len = 0, done = 0;
	int rc = -1, prc;

	control_envelope_init(&env, 0);
	env.body_case = POSTERN__CONTROL__ENVELOPE__BODY_START_SESSION;
	env.start_session = (Postern__Control__StartSession *)start;
	prc = control_pack(&env, &buf, &len);
	if (prc != PROTO_OK) {
		snprintf(err, errlen, "cannot pack the StartSession: %s", proto_err_str(prc));
		goto out;
	}
	if (len > WORKER_START_MAX) {
		snprintf(err, errlen, "the StartSession is %zu bytes, over the worker's limit "
				      "of %u", len, WORKER_START_MAX);
		goto out;
	}
	while (done < len) {
		ssize_t n = write(fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "cannot hand the StartSession to the worker: %s",
				 n < 0 ? strerror(errno) : "short write");
			goto out;
		}
		done += (size_t)n;
	}
	rc = 0;
out:
	worker_start_wipe_free(buf, len);
	return rc;
}

/* Read fd to EOF into buf (cap bytes; one more byte read proves EOF). The
 * byte count, or -1 with err set. */
static ssize_t worker_start_read_all(int fd, uint8_t *buf, size_t cap, char *err, size_t errlen)
{
	size_t len = 0;

	for (;;) {
		ssize_t n = read(fd, buf + len, cap + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "cannot read the StartSession: %s", strerror(errno));
			return -1;
		}
		if (n == 0)
			return (ssize_t)len;
		len += (size_t)n;
		if (len > cap) {
			snprintf(err, errlen, "the StartSession is over %zu bytes", cap);
			return -1;
		}
	}
}

static int worker_start_check(const control_envelope *env, char *err, size_t errlen)
{
	const Postern__Control__StartSession *s = env->start_session;

	if (env->body_case != POSTERN__CONTROL__ENVELOPE__BODY_START_SESSION) {
		snprintf(err, errlen, "the message on stdin is not a StartSession");
		return -1;
	}
	if (!s->session_id[0] || !s->data_channel_url[0] || !s->token[0]) {
		snprintf(err, errlen, "the StartSession lacks a session id, URL or token");
		return -1;
	}
	return 0;
}

int worker_start_read(int fd, control_envelope **env, char *err, size_t errlen)
{
	uint8_t *buf = malloc(WORKER_START_MAX + 1);
	ssize_t len = -1;
	int rc = -1, prc;

	*env = NULL;
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	len = worker_start_read_all(fd, buf, WORKER_START_MAX, err, errlen);
	if (len < 0)
		goto out;
	prc = control_unpack(buf, (size_t)len, env);
	if (prc != PROTO_OK) {
		snprintf(err, errlen, "the StartSession does not unpack: %s", proto_err_str(prc));
		goto out;
	}
	if (worker_start_check(*env, err, errlen) != 0) {
		control_free(*env);
		*env = NULL;
		goto out;
	}
	rc = 0;
out:
	worker_start_wipe_free(buf, WORKER_START_MAX + 1);
	return rc;
}
