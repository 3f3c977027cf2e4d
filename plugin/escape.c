/*
 * escape.c — the ~. state machine (see escape.h).
 */
#include "escape.h"

#include <stdbool.h>

static bool is_newline(uint8_t c)
{
	return c == '\r' || c == '\n';
}

void escape_init(struct escape *e)
{
	e->state = ESCAPE_LINE_START;
}

enum escape_action escape_feed(struct escape *e, const uint8_t *in, size_t len, uint8_t *out,
			       size_t *out_len)
{
	size_t n = 0;

	for (size_t i = 0; i < len && e->state != ESCAPE_DONE; i++) {
		uint8_t c = in[i];

		if (e->state == ESCAPE_LINE_START && c == ESCAPE_CHAR) {
			e->state = ESCAPE_HELD;
			continue;
		}
		if (e->state == ESCAPE_HELD) {
			if (c == '.') {
				e->state = ESCAPE_DONE;
				break;
			}
			out[n++] = ESCAPE_CHAR;
			if (c == ESCAPE_CHAR) {
				e->state = ESCAPE_MID_LINE;
				continue;
			}
		}
		out[n++] = c;
		e->state = is_newline(c) ? ESCAPE_LINE_START : ESCAPE_MID_LINE;
	}
	*out_len = n;
	return e->state == ESCAPE_DONE ? ESCAPE_DISCONNECT : ESCAPE_CONTINUE;
}
