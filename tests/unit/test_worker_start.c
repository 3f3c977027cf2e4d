/*
 * test_worker_start.c — agent-side/worker_start.c: the StartSession handed
 * from the agent to a worker over a pipe.
 *
 * Covers: a round trip of a StartSession with every field set (parameters,
 * preferences, properties) over a real pipe, compared field by field; the
 * worker's limit (an envelope over WORKER_START_MAX refused by the writer,
 * and more than that many bytes refused by the reader before unpacking);
 * garbage, an empty pipe, another message kind, and a StartSession without a
 * token, each refused with a sentence.
 */
#define _GNU_SOURCE /* F_SETPIPE_SZ */

#include <criterion/criterion.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../agent-side/worker_start.h"

TestSuite(worker_start);

struct sample {
	Postern__Control__StartSession start;
	Postern__Control__SessionPreferences prefs;
	Postern__Control__Parameter param;
	Postern__Control__Parameter *params[1];
	char *values[2];
};

static void sample_init(struct sample *s)
{
	postern__control__start_session__init(&s->start);
	postern__control__session_preferences__init(&s->prefs);
	postern__control__parameter__init(&s->param);
	s->values[0] = "22";
	s->values[1] = "2222";
	s->param.name = "portNumber";
	s->param.values = s->values;
	s->param.n_values = 2;
	s->params[0] = &s->param;
	s->prefs.shell_profile = "cd /tmp";
	s->prefs.idle_timeout_minutes = 20;
	s->start.session_id = "admin-0123456789abcdef0";
	s->start.document_name = "SSM-SessionManagerRunShell";
	s->start.session_type = "Standard_Stream";
	s->start.parameters = s->params;
	s->start.n_parameters = 1;
	s->start.run_as = "alice";
	s->start.preferences = &s->prefs;
	s->start.data_channel_url =
		"wss://127.0.0.1:8443/v1/data-channel/admin-0123456789abcdef0?role=publish_subscribe";
	s->start.token = "tok-en_0123456789";
	s->start.owner = "admin";
	s->start.properties_json = "null";
}

/* Write raw bytes into a pipe and close the write end; returns the read end. */
static int pipe_with(const void *data, size_t len)
{
	int fds[2];

	cr_assert_eq(pipe(fds), 0);
	cr_assert_eq(fcntl(fds[1], F_SETPIPE_SZ, 1 << 20) >= 0, 1);
	cr_assert_eq(write(fds[1], data, len), (ssize_t)len);
	close(fds[1]);
	return fds[0];
}

Test(worker_start, round_trip_over_a_pipe)
{
	struct sample s;
	control_envelope *env = NULL;
	char err[256] = "";
	int fds[2];

	sample_init(&s);
	cr_assert_eq(pipe(fds), 0);
	cr_assert_eq(worker_start_write(fds[1], &s.start, err, sizeof(err)), 0, "%s", err);
	close(fds[1]);
	cr_assert_eq(worker_start_read(fds[0], &env, err, sizeof(err)), 0, "%s", err);
	close(fds[0]);
	cr_assert_eq(env->body_case, POSTERN__CONTROL__ENVELOPE__BODY_START_SESSION);
	{
		const Postern__Control__StartSession *g = env->start_session;

		cr_assert_str_eq(g->session_id, s.start.session_id);
		cr_assert_str_eq(g->document_name, s.start.document_name);
		cr_assert_str_eq(g->session_type, "Standard_Stream");
		cr_assert_eq(g->n_parameters, 1);
		cr_assert_str_eq(g->parameters[0]->name, "portNumber");
		cr_assert_eq(g->parameters[0]->n_values, 2);
		cr_assert_str_eq(g->parameters[0]->values[1], "2222");
		cr_assert_str_eq(g->run_as, "alice");
		cr_assert_str_eq(g->preferences->shell_profile, "cd /tmp");
		cr_assert_eq(g->preferences->idle_timeout_minutes, 20);
		cr_assert_str_eq(g->data_channel_url, s.start.data_channel_url);
		cr_assert_str_eq(g->token, "tok-en_0123456789");
		cr_assert_str_eq(g->owner, "admin");
		cr_assert_str_eq(g->properties_json, "null");
	}
	control_free(env);
}

Test(worker_start, writer_refuses_over_the_limit)
{
	struct sample s;
	char *big = malloc(WORKER_START_MAX + 1), err[256] = "";
	int fds[2];

	sample_init(&s);
	memset(big, 'x', WORKER_START_MAX);
	big[WORKER_START_MAX] = '\0';
	s.start.properties_json = big;
	cr_assert_eq(pipe(fds), 0);
	cr_assert_eq(worker_start_write(fds[1], &s.start, err, sizeof(err)), -1);
	cr_assert(strstr(err, "over the worker's limit") != NULL, "%s", err);
	close(fds[0]);
	close(fds[1]);
	free(big);
}

Test(worker_start, nonblocking_writer_reports_a_full_pipe)
{
	struct sample s;
	char *big = malloc(8000), err[256] = "";
	int fds[2];

	sample_init(&s);
	memset(big, 'x', 7999);
	big[7999] = '\0';
	s.start.properties_json = big;
	cr_assert_eq(pipe(fds), 0);
	cr_assert_geq(fcntl(fds[1], F_SETPIPE_SZ, 4096), 0);
	cr_assert_eq(fcntl(fds[1], F_SETFL, O_NONBLOCK), 0);
	cr_assert_eq(worker_start_write(fds[1], &s.start, err, sizeof(err)), -1);
	cr_assert(strstr(err, "cannot hand the StartSession") != NULL, "%s", err);
	close(fds[0]);
	close(fds[1]);
	free(big);
}

Test(worker_start, reader_refuses_over_the_limit_unread)
{
	uint8_t *junk = calloc(1, WORKER_START_MAX + 1);
	control_envelope *env = (control_envelope *)1;
	char err[256] = "";
	int fd = pipe_with(junk, WORKER_START_MAX + 1);

	cr_assert_eq(worker_start_read(fd, &env, err, sizeof(err)), -1);
	cr_assert_null(env);
	cr_assert(strstr(err, "over 65536 bytes") != NULL, "%s", err);
	close(fd);
	free(junk);
}

static void assert_refused(const void *data, size_t len, const char *why)
{
	control_envelope *env = NULL;
	char err[256] = "";
	int fd = pipe_with(data, len);

	cr_assert_eq(worker_start_read(fd, &env, err, sizeof(err)), -1);
	cr_assert_null(env);
	cr_assert(strstr(err, why) != NULL, "'%s' lacks '%s'", err, why);
	close(fd);
}

Test(worker_start, bad_input_refused)
{
	struct sample s;
	Postern__Control__Heartbeat hb = POSTERN__CONTROL__HEARTBEAT__INIT;
	control_envelope env;
	uint8_t *buf;
	size_t len;

	assert_refused("\xff\xff\xff", 3, "does not unpack");
	assert_refused("", 0, "does not unpack");

	control_envelope_init(&env, 7);
	env.body_case = POSTERN__CONTROL__ENVELOPE__BODY_HEARTBEAT;
	env.heartbeat = &hb;
	cr_assert_eq(control_pack(&env, &buf, &len), 0);
	assert_refused(buf, len, "not a StartSession");
	free(buf);

	sample_init(&s);
	s.start.token = "";
	control_envelope_init(&env, 0);
	env.body_case = POSTERN__CONTROL__ENVELOPE__BODY_START_SESSION;
	env.start_session = &s.start;
	cr_assert_eq(control_pack(&env, &buf, &len), 0);
	assert_refused(buf, len, "lacks a session id, URL or token");
	free(buf);
}
