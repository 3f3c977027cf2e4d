/*
 * test_client_escape.c — the ~. escape state machine of terminal sessions
 * (plugin/escape.h): where an escape may start, what it sends, how it ends.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "../../plugin/escape.h"

struct fed {
	enum escape_action action;
	char out[64];
	size_t len;
};

/* Feed text to e in one call; out is NUL-terminated for comparison. */
static struct fed feed(struct escape *e, const char *text)
{
	struct fed r;

	r.action = escape_feed(e, (const uint8_t *)text, strlen(text), (uint8_t *)r.out, &r.len);
	cr_assert_leq(r.len, strlen(text) + 1);
	r.out[r.len] = '\0';
	return r;
}

/* Feed text one byte per call (as a terminal delivers keystrokes). */
static struct fed feed_bytes(struct escape *e, const char *text)
{
	struct fed r = {ESCAPE_CONTINUE, "", 0};

	for (const char *p = text; *p && r.action == ESCAPE_CONTINUE; p++) {
		struct fed one;
		char c[2] = {*p, '\0'};

		one = feed(e, c);
		memcpy(r.out + r.len, one.out, one.len);
		r.len += one.len;
		r.action = one.action;
	}
	r.out[r.len] = '\0';
	return r;
}

Test(client_escape, tilde_dot_at_the_start_disconnects)
{
	struct escape e;
	struct fed r;

	escape_init(&e);
	r = feed(&e, "~.");
	cr_assert_eq(r.action, ESCAPE_DISCONNECT);
	cr_assert_eq(r.len, 0);
}

Test(client_escape, after_cr_or_lf_in_one_read_or_bytewise)
{
	struct escape e;
	struct fed r;

	escape_init(&e);
	r = feed(&e, "ls\r~.ignored");
	cr_assert_eq(r.action, ESCAPE_DISCONNECT);
	cr_assert_str_eq(r.out, "ls\r");
	escape_init(&e);
	r = feed_bytes(&e, "echo hi\n~.");
	cr_assert_eq(r.action, ESCAPE_DISCONNECT);
	cr_assert_str_eq(r.out, "echo hi\n");
}

Test(client_escape, not_in_the_middle_of_a_line)
{
	struct escape e;
	struct fed r;

	escape_init(&e);
	r = feed(&e, "cd ~.\r");
	cr_assert_eq(r.action, ESCAPE_CONTINUE);
	cr_assert_str_eq(r.out, "cd ~.\r");
	r = feed(&e, "x~.");
	cr_assert_eq(r.action, ESCAPE_CONTINUE);
	cr_assert_str_eq(r.out, "x~.");
}

Test(client_escape, double_tilde_sends_one)
{
	struct escape e;
	struct fed r;

	escape_init(&e);
	r = feed(&e, "~~.");
	cr_assert_eq(r.action, ESCAPE_CONTINUE);
	cr_assert_str_eq(r.out, "~.");
}

Test(client_escape, tilde_and_another_byte_are_both_sent)
{
	struct escape e;
	struct fed r;

	escape_init(&e);
	r = feed(&e, "~/bin\r");
	cr_assert_str_eq(r.out, "~/bin\r");
	r = feed(&e, "~\r~.");
	cr_assert_eq(r.action, ESCAPE_DISCONNECT, "a newline after a held ~ starts a line");
	cr_assert_str_eq(r.out, "~\r");
}

Test(client_escape, held_tilde_waits_for_the_next_read)
{
	struct escape e;
	struct fed r;

	escape_init(&e);
	r = feed(&e, "\r~");
	cr_assert_str_eq(r.out, "\r");
	cr_assert_eq(e.state, ESCAPE_HELD);
	r = feed(&e, "a");
	cr_assert_str_eq(r.out, "~a");
	r = feed(&e, "\r~");
	r = feed(&e, ".");
	cr_assert_eq(r.action, ESCAPE_DISCONNECT);
	cr_assert_eq(r.len, 0);
}

Test(client_escape, done_drops_everything_after)
{
	struct escape e;
	struct fed r;

	escape_init(&e);
	feed(&e, "~.");
	r = feed(&e, "more");
	cr_assert_eq(r.action, ESCAPE_DISCONNECT);
	cr_assert_eq(r.len, 0);
}

Test(client_escape, control_bytes_pass_unchanged)
{
	struct escape e;
	struct fed r;
	const uint8_t keys[] = {0x03, 0x1a, 0x1c, 0x04, '\n', 0x00, 0xff};
	uint8_t out[16];
	size_t n;

	escape_init(&e);
	cr_assert_eq(escape_feed(&e, keys, sizeof(keys), out, &n), ESCAPE_CONTINUE);
	cr_assert_eq(n, sizeof(keys));
	cr_assert_arr_eq(out, keys, sizeof(keys), "a lone LF or NUL must not be rewritten");
	r = feed(&e, "");
	cr_assert_eq(r.len, 0);
}
