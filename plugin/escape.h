/*
 * escape.h — the `~.` escape of a terminal session, as in ssh: a '~' typed
 * right after a newline (CR or LF) or at the very start of the session is held
 * back; the next byte decides:
 *
 *   '.'   end the session locally (ESCAPE_DISCONNECT; later bytes are dropped)
 *   '~'   send one '~'
 *   other send the held '~' and that byte
 *
 * A pure state machine over the bytes read from the terminal: no I/O.
 */
#ifndef POSTERN_ESCAPE_H
#define POSTERN_ESCAPE_H

#include <stddef.h>
#include <stdint.h>

#define ESCAPE_CHAR '~'

enum escape_state {
	ESCAPE_LINE_START, /* after a newline, or at the start */
	ESCAPE_MID_LINE,
	ESCAPE_HELD,       /* a '~' at line start is held back */
	ESCAPE_DONE,       /* ~. seen: everything else is dropped */
};

enum escape_action {
	ESCAPE_CONTINUE,
	ESCAPE_DISCONNECT, /* ~. was typed */
};

struct escape {
	enum escape_state state;
};

/* Start of a session: a '~' typed first is an escape. */
void escape_init(struct escape *e);

/*
 * Filter in[0..len) into out, which must hold len + 1 bytes (a held '~' may be
 * released with the byte after it). *out_len is the number of bytes to send.
 * Returns ESCAPE_DISCONNECT when `~.` completes (bytes before it are in out),
 * else ESCAPE_CONTINUE.
 */
enum escape_action escape_feed(struct escape *e, const uint8_t *in, size_t len, uint8_t *out,
			       size_t *out_len);

#endif
