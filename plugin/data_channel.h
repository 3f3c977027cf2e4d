/*
 * data_channel.h — the client's end of a session's data channel
 * (data-channel.md §1–§6): the websocket to StreamUrl, the OpenDataChannel
 * text message, then binary frames through a reliable stream (proto/rstream.h,
 * sending input_stream_data) that numbers, acknowledges, reorders and resends.
 * The owner sees whole in-order stream messages and the channel's fate through
 * its ops; it knows nothing of lws. A lost websocket is reported once; the
 * owner may then reopen the channel with a token from ResumeSession.
 *
 * The connection is a raw TCP socket in the loop; TLS and the websocket are
 * proto/ws_link's (no I/O), with the same trust as the API calls (the system
 * store plus the CA file) and the broker's name checked. Output is written
 * only from WRITEABLE, everything queued in one lws_write (at most
 * DC_WRITE_MAX); at most DATA_CHANNEL_TXQ_MAX bytes wait. The rstream's
 * resend timer ticks every RSTREAM_TICK_MS on an lws_sul; a message resent
 * DATA_CHANNEL_MAX_RESENDS times ends the channel. A websocket ping goes out
 * after DATA_CHANNEL_PING_S silent seconds; a broker silent for
 * DATA_CHANNEL_HANGUP_S is given up.
 */
#ifndef POSTERN_DATA_CHANNEL_H
#define POSTERN_DATA_CHANNEL_H

#include <libwebsockets.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"
#include "rstream.h"

struct loop;

#define DATA_CHANNEL_TXQ_MAX (4u * 1024u * 1024u) /* queued frame bytes */
/* Bytes waiting for the socket beyond which data_channel_send_room says 0:
 * sources wait for the socket, not only for acknowledgements. */
#define DATA_CHANNEL_BACKLOG_MAX (1024u * 1024u)
#define DATA_CHANNEL_PING_S 60
#define DATA_CHANNEL_HANGUP_S 180
/* Resends of one message before giving up: about 5 minutes at the 1 s RTO cap,
 * as the stock plugin's 3000 resends at 100 ms (data-channel.md §6.4). */
#define DATA_CHANNEL_MAX_RESENDS 300

struct data_channel_ops {
	/* The websocket is up and OpenDataChannel is queued. */
	void (*on_open)(void *ctx);
	/* The agent's next in-order stream message; f->payload valid during the call. */
	enum rstream_delivery (*on_message)(void *ctx, const struct frame *f);
	/* channel_closed from the broker; output is its Output text ("" normally). */
	void (*on_closed)(void *ctx, const char *output);
	/* The websocket failed or closed; why is a short text. */
	void (*on_lost)(void *ctx, const char *why);
	/* Acknowledgements made room in the send window. */
	void (*on_send_room)(void *ctx);
	/* A message was resent too often: the agent is gone. */
	void (*on_resend_limit)(void *ctx);
};

struct data_channel;

/*
 * Start connecting to stream_url and send OpenDataChannel with token once
 * connected (ClientVersion POSTERN_VERSION, a fresh RequestId and ClientId).
 * On CLIENT_OK *out is the channel (free with data_channel_free()). Errors:
 * CLIENT_E_CONFIG (not a ws:// or wss:// URL), CLIENT_E_NET, CLIENT_E_NOMEM.
 */
int data_channel_open(struct loop *l, const char *stream_url, const char *token,
		      const struct data_channel_ops *ops, void *ctx, struct data_channel **out,
		      char *err, size_t errlen);

/*
 * After ops->on_lost: dial again with a token from ResumeSession (the same
 * stream URL and ClientId, data-channel.md §1.1–1.2). The reliable stream
 * carries on: what the agent has not acknowledged is resent. CLIENT_OK (a
 * failure to connect comes through ops->on_lost again), CLIENT_E_PROTOCOL
 * (the channel is not lost, or stopped), CLIENT_E_CONFIG, CLIENT_E_NOMEM.
 */
int data_channel_reopen(struct data_channel *dc, const char *token, char *err, size_t errlen);

/*
 * Send one stream message (kind input_stream_data). CLIENT_OK,
 * CLIENT_E_WOULD_BLOCK (window full: wait for on_send_room),
 * CLIENT_E_PROTOCOL (empty or oversized payload), CLIENT_E_NOMEM.
 */
int data_channel_send(struct data_channel *dc, uint32_t payload_type, const uint8_t *buf,
		      size_t len);

/* Payload bytes data_channel_send would accept now: the reliable stream's
 * window, or 0 while DATA_CHANNEL_BACKLOG_MAX bytes wait for the socket. */
size_t data_channel_send_room(const struct data_channel *dc);

/* Widen (or narrow) the reliable stream's send window (rstream.h). */
void data_channel_set_send_window(struct data_channel *dc, size_t bytes);

/* Messages sent and not yet acknowledged (0: the agent has everything). */
size_t data_channel_unacked(const struct data_channel *dc);

/* Deliver again the messages that arrived after one the owner refused
 * (RSTREAM_NOT_READY) and that are held, acknowledged, for reordering: the
 * agent never resends those. Not from inside ops->on_message. */
void data_channel_retry(struct data_channel *dc);

/* Stop (true) or resume (false) reading the websocket (backpressure). */
void data_channel_pause_rx(struct data_channel *dc, bool paused);

/* End of the session: stop the timer and the ops callbacks, close the
 * websocket asynchronously. Idempotent. */
void data_channel_stop(struct data_channel *dc);

/* Release everything; after data_channel_stop() and once the loop is gone. */
void data_channel_free(struct data_channel *dc);

/* The "postern-data" protocol callback (see loop.h). */
int data_channel_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user,
			      void *in, size_t len);

#endif
