/*
 * session_result.c — end reasons and exit statuses (table in session_result.h).
 */
#include "session_result.h"
#include "client_err.h"
#include "payload.h"
#include "proto_err.h"

#include <stdio.h>
#include <string.h>

void session_result_init(struct session_result *r)
{
	memset(r, 0, sizeof(*r));
}

bool session_result_end(struct session_result *r, enum session_end end, int signo,
			const char *message)
{
	if (r->end != SESSION_END_NONE || end == SESSION_END_NONE)
		return false;
	r->end = end;
	r->signo = signo;
	snprintf(r->message, sizeof(r->message), "%s", message ? message : "");
	return true;
}

int session_result_exit_code(struct session_result *r, const uint8_t *payload, size_t len)
{
	int32_t code;

	if (payload_exit_code_decode(payload, len, &code) != PROTO_OK)
		return CLIENT_E_PROTOCOL;
	r->exit_code = code;
	r->have_exit_code = true;
	return CLIENT_OK;
}

int session_result_exit_status(const struct session_result *r)
{
	switch (r->end) {
	case SESSION_END_CLOSED:
		if (r->have_exit_code)
			break;
		return r->message[0] ? 1 : 0;
	case SESSION_END_LOST:
		if (r->have_exit_code)
			break;
		return 1;
	case SESSION_END_ESCAPE:
		return SESSION_RESULT_ESCAPE_STATUS;
	case SESSION_END_TERMINATED:
		return 0;
	case SESSION_END_SIGNAL:
		return 128 + r->signo;
	case SESSION_END_ERROR:
	case SESSION_END_NONE:
		return 1;
	}
	return (int)((uint32_t)r->exit_code & 0xffu);
}

bool session_result_wants_terminate(const struct session_result *r)
{
	return r->end == SESSION_END_ESCAPE || r->end == SESSION_END_SIGNAL ||
	       r->end == SESSION_END_ERROR ||
	       (r->end == SESSION_END_TERMINATED && r->agent_unaware);
}
