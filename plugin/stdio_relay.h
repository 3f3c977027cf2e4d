/*
 * stdio_relay.h — stdin and stdout of a session, adopted into the event loop
 * as raw files (duplicates of fds 0 and 1, so lws may close them freely).
 *
 * Input: up to STDIO_RELAY_READ_MAX bytes per read are handed to
 * ops->on_input; the owner pauses reading while it cannot send
 * (stdio_relay_pause_input). End of input (EOF, a hang-up, a read error)
 * calls ops->on_input_end once; reading then stops for good.
 *
 * Output: bytes are queued and written whenever stdout is writable, at most
 * STDIO_RELAY_WRITE_MAX per write, so a blocking stdout never stalls the loop;
 * up to STDIO_RELAY_DIRECT_MAX bytes with nothing queued before them are
 * written at once if stdout has room (keystroke echo latency).
 * Above STDIO_RELAY_HIGH_MARK queued bytes stdio_relay_output_full() is true
 * (the owner stops receiving), and ops->on_output_room is called when the
 * queue falls below STDIO_RELAY_LOW_MARK again. A write error, or stdout
 * reporting an error or hang-up (checked every STDIO_RELAY_CHECK_MS, since
 * poll() reports those even when nothing is asked for), calls
 * ops->on_output_error once; later output is discarded.
 */
#ifndef POSTERN_STDIO_RELAY_H
#define POSTERN_STDIO_RELAY_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;

#define STDIO_RELAY_READ_MAX 1024u          /* the stock plugin's chunk (data-channel.md §7.1) */
#define STDIO_RELAY_WRITE_MAX 4096u         /* PIPE_BUF: a write after POLLOUT won't block */
#define STDIO_RELAY_DIRECT_MAX 256u         /* written at once when nothing is queued */
#define STDIO_RELAY_HIGH_MARK (256u * 1024u)
#define STDIO_RELAY_LOW_MARK (64u * 1024u)
#define STDIO_RELAY_HARD_CAP (1024u * 1024u) /* stdio_relay_write refuses beyond */
#define STDIO_RELAY_CHECK_MS 250u

struct stdio_relay_ops {
	void (*on_input)(void *ctx, const uint8_t *buf, size_t len);
	void (*on_input_end)(void *ctx);
	void (*on_output_room)(void *ctx);
	void (*on_output_error)(void *ctx, const char *why);
};

struct stdio_relay {
	struct loop *loop;
	const struct stdio_relay_ops *ops;
	void *ctx;
	struct lws *in_wsi, *out_wsi;
	int out_fd;                      /* the dup lws watches (valid while out_wsi) */
	bool in_paused, in_ended, in_reopen, out_failed, out_was_full, stopped;
	uint8_t *out_buf;                /* queue: out_buf[out_head .. out_head + out_len) */
	size_t out_head, out_len, out_cap;
	bool out_mid_line;               /* the last byte written was not '\n' */
	lws_sorted_usec_list_t check;    /* the stdout error check */
	lws_sorted_usec_list_t rearm;    /* asks for the next WRITEABLE, see on_writeable */
};

/* Adopt stdin and stdout. CLIENT_OK, CLIENT_E_IO. */
int stdio_relay_start(struct stdio_relay *s, struct loop *l, const struct stdio_relay_ops *ops,
		      void *ctx, char *err, size_t errlen);

/* Stop (true) or resume (false) reading stdin. */
void stdio_relay_pause_input(struct stdio_relay *s, bool paused);

/* Queue bytes for stdout: CLIENT_OK, CLIENT_E_WOULD_BLOCK (over the hard cap:
 * try again later), CLIENT_E_NOMEM. After an output error: CLIENT_OK, dropped. */
int stdio_relay_write(struct stdio_relay *s, const uint8_t *buf, size_t len);

bool stdio_relay_output_full(const struct stdio_relay *s);

/* Whether stdout's last byte left the cursor mid-line (for a final message). */
bool stdio_relay_mid_line(const struct stdio_relay *s);

/* End of the session: write out what is queued (blocking), stop the timer,
 * detach from both connections and have lws close them; the ops are not
 * called any more and s may be released right after. Idempotent; safe on a
 * zeroed struct. */
void stdio_relay_stop(struct stdio_relay *s);

/* Free the queue (after the loop is gone). */
void stdio_relay_free(struct stdio_relay *s);

/* The "postern-stdio" protocol callback (see loop.h). */
int stdio_relay_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			     void *in, size_t len);

#endif
