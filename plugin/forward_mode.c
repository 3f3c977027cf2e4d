/*
 * forward_mode.c — the client's port mode and the version rules behind it (see
 * forward_mode.h).
 */
#include "forward_mode.h"

#include <string.h>

#define VERSION_PARTS_MAX 16
#define VERSION_PART_DIGITS 9 /* fits a long on every platform */

const char *forward_mode_name(enum forward_mode mode)
{
	switch (mode) {
	case FORWARD_MODE_BASIC:
		return "basic";
	case FORWARD_MODE_MUX:
		return "multiplexed";
	case FORWARD_MODE_MUX_STDIO:
		return "multiplexed stdio";
	case FORWARD_MODE_STDIO:
		break;
	}
	return "stdio";
}

bool forward_mode_multiplexed(enum forward_mode mode)
{
	return mode == FORWARD_MODE_MUX || mode == FORWARD_MODE_MUX_STDIO;
}

bool forward_mode_stdio(enum forward_mode mode)
{
	return mode == FORWARD_MODE_STDIO || mode == FORWARD_MODE_MUX_STDIO;
}

/* Split v into at most VERSION_PARTS_MAX numbers; -1 on any parse problem. */
static int version_parts(const char *v, long parts[VERSION_PARTS_MAX])
{
	int n = 0;

	if (!v)
		return -1;
	for (;;) {
		size_t digits = strspn(v, "0123456789");
		long x = 0;

		if (digits == 0 || digits > VERSION_PART_DIGITS || n == VERSION_PARTS_MAX)
			return -1;
		for (size_t i = 0; i < digits; i++)
			x = x * 10 + (v[i] - '0');
		parts[n++] = x;
		v += digits;
		if (*v == '\0')
			return n;
		if (*v++ != '.')
			return -1;
	}
}

bool forward_version_greater(const char *a, const char *b)
{
	long pa[VERSION_PARTS_MAX], pb[VERSION_PARTS_MAX];
	int na = version_parts(a, pa), nb = version_parts(b, pb);

	if (na < 0 || na != nb)
		return false;
	for (int i = 0; i < na; i++)
		if (pa[i] != pb[i])
			return pa[i] > pb[i];
	return false;
}

bool forward_mode_stdio_wanted(bool stdin_pipe, bool stdout_pipe, bool local_port_named)
{
	return stdin_pipe && stdout_pipe && !local_port_named;
}

enum forward_mode forward_mode_choose(const struct forward_props *p, const char *agent_version,
				      bool stdio_wanted)
{
	bool mux;

	if (strcmp(p->type, FORWARD_PROPS_LOCAL_FORWARDING) != 0)
		return FORWARD_MODE_STDIO;
	mux = forward_version_greater(agent_version, FORWARD_MODE_MUX_AFTER);
	if (stdio_wanted)
		return mux ? FORWARD_MODE_MUX_STDIO : FORWARD_MODE_STDIO;
	return mux ? FORWARD_MODE_MUX : FORWARD_MODE_BASIC;
}

bool forward_mode_keepalive(const char *agent_version)
{
	return !forward_version_greater(agent_version, FORWARD_MODE_KEEPALIVE_UNTIL);
}

bool forward_mode_terminate_by_flag(enum forward_mode mode, const char *agent_version)
{
	return forward_mode_multiplexed(mode) ||
	       forward_version_greater(agent_version, FORWARD_MODE_FLAG_AFTER);
}
