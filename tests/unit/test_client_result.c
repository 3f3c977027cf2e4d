/*
 * test_client_result.c — how a session's end becomes the client's exit
 * status (plugin/session_result.h): ExitCode payloads, channel_closed, a lost
 * connection, ~., signals and errors.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <string.h>

#include "../../plugin/client_err.h"
#include "../../plugin/session_result.h"

static int exit_code(struct session_result *r, const char *payload)
{
	return session_result_exit_code(r, (const uint8_t *)payload, strlen(payload));
}

Test(client_result, exit_code_then_channel_closed)
{
	struct session_result r;

	session_result_init(&r);
	cr_assert_eq(exit_code(&r, "EXIT_CODE: 7"), CLIENT_OK);
	cr_assert(session_result_end(&r, SESSION_END_CLOSED, 0, ""));
	cr_assert_eq(session_result_exit_status(&r), 7);
	cr_assert_not(session_result_wants_terminate(&r));
}

Test(client_result, exit_code_then_lost_connection)
{
	struct session_result r;

	session_result_init(&r);
	cr_assert_eq(exit_code(&r, "EXIT_CODE: 0"), CLIENT_OK);
	session_result_end(&r, SESSION_END_LOST, 0, "the broker closed the data channel");
	cr_assert_eq(session_result_exit_status(&r), 0);
}

Test(client_result, codes_wrap_like_exit)
{
	struct session_result r;

	session_result_init(&r);
	exit_code(&r, "EXIT_CODE: -1");
	session_result_end(&r, SESSION_END_CLOSED, 0, "");
	cr_assert_eq(session_result_exit_status(&r), 255);
	exit_code(&r, "EXIT_CODE: 256");
	cr_assert_eq(session_result_exit_status(&r), 0);
	exit_code(&r, "EXIT_CODE: 130");
	cr_assert_eq(session_result_exit_status(&r), 130, "the latest code counts");
}

Test(client_result, malformed_exit_codes_are_ignored)
{
	static const char *const bad[] = {"EXIT_CODE:7", "EXIT_CODE: ", "exit_code: 1",
					  "EXIT_CODE: 1x", "EXIT_CODE: 99999999999", ""};
	struct session_result r;

	session_result_init(&r);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(exit_code(&r, bad[i]), CLIENT_E_PROTOCOL, "%s", bad[i]);
	cr_assert_not(r.have_exit_code);
	session_result_end(&r, SESSION_END_CLOSED, 0, "");
	cr_assert_eq(session_result_exit_status(&r), 0);
}

Test(client_result, channel_closed_without_exit_code)
{
	struct session_result r;

	session_result_init(&r);
	session_result_end(&r, SESSION_END_CLOSED, 0, "");
	cr_assert_eq(session_result_exit_status(&r), 0);
	session_result_init(&r);
	session_result_end(&r, SESSION_END_CLOSED, 0,
			   "Your session timed out due to inactivity and has been terminated.");
	cr_assert_eq(session_result_exit_status(&r), 1);
	cr_assert_str_eq(r.message,
			 "Your session timed out due to inactivity and has been terminated.");
}

Test(client_result, lost_without_exit_code_is_an_error)
{
	struct session_result r;

	session_result_init(&r);
	session_result_end(&r, SESSION_END_LOST, 0, "gone");
	cr_assert_eq(session_result_exit_status(&r), 1);
	cr_assert_not(session_result_wants_terminate(&r));
}

Test(client_result, local_ends_terminate_the_session)
{
	struct session_result r;

	session_result_init(&r);
	exit_code(&r, "EXIT_CODE: 3");
	session_result_end(&r, SESSION_END_ESCAPE, 0, NULL);
	cr_assert_eq(session_result_exit_status(&r), 255, "~. wins over an earlier exit code");
	cr_assert(session_result_wants_terminate(&r));
	session_result_init(&r);
	session_result_end(&r, SESSION_END_SIGNAL, SIGTERM, NULL);
	cr_assert_eq(session_result_exit_status(&r), 128 + SIGTERM);
	cr_assert(session_result_wants_terminate(&r));
	session_result_init(&r);
	session_result_end(&r, SESSION_END_ERROR, 0, "resend limit");
	cr_assert_eq(session_result_exit_status(&r), 1);
	cr_assert(session_result_wants_terminate(&r));
}

Test(client_result, only_the_first_end_counts)
{
	struct session_result r;

	session_result_init(&r);
	cr_assert_eq(session_result_exit_status(&r), 1, "still running is not a success");
	cr_assert_not(session_result_end(&r, SESSION_END_NONE, 0, NULL));
	cr_assert(session_result_end(&r, SESSION_END_CLOSED, 0, ""));
	cr_assert_not(session_result_end(&r, SESSION_END_LOST, 0, "late"));
	cr_assert_eq(r.end, SESSION_END_CLOSED);
	cr_assert_str_eq(r.message, "");
}

Test(client_result, a_port_session_the_user_ended)
{
	struct session_result r;

	session_result_init(&r);
	cr_assert(session_result_end(&r, SESSION_END_TERMINATED, SIGINT, NULL));
	cr_assert_eq(session_result_exit_status(&r), 0, "Ctrl-C ends a port session normally");
	cr_assert_not(session_result_wants_terminate(&r), "the acknowledged flag told the agent");
	r.agent_unaware = true;
	cr_assert_eq(session_result_exit_status(&r), 0);
	cr_assert(session_result_wants_terminate(&r), "no acknowledged flag: the API ends it");
}
