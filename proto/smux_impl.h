/*
 * smux_impl.h — the smux session's private state, shared by smux.c
 * (lifecycle, the input parser and dispatch of received frames), smux_send.c
 * (frames this side emits, version 2 send windows and UPDs), smux_table.c
 * (the stream table) and smux_fifo.c (the pending-output FIFO). Not for use
 * outside those files (and white-box unit tests).
 */
#ifndef POSTERN_SMUX_IMPL_H
#define POSTERN_SMUX_IMPL_H

#include "smux.h"

/* One open stream. Counters are uint32 and wrap (smux.md §4.2: mod 2^32). */
struct smux_stream {
	uint32_t id;
	bool fin_sent;      /* our FIN is queued: no more smux_write */
	bool fin_received;  /* the peer's FIN arrived: later PSH discarded */
	/* version 2, sending */
	bool window_blocked; /* smux_write was cut short by the window */
	uint32_t written;    /* data bytes queued for the peer */
	uint32_t peer_consumed, peer_window; /* from the peer's last UPD */
	/* version 2, receiving */
	bool upd_sent;       /* a UPD has gone out for this stream */
	uint32_t received;   /* data bytes handed to on_data */
	uint32_t consumed;   /* bytes the owner reported with smux_consumed */
	uint32_t upd_consumed; /* `consumed` as last announced in a UPD */
};

/* Open addressing (linear probing, backward-shift deletion) keyed by id. */
struct smux_table {
	struct smux_stream **slots; /* NULL: empty */
	size_t cap;                 /* a power of two, or 0 before the first insert */
	size_t count;
};

/* The pending-output FIFO: a ring of bytes that grows by doubling. */
struct smux_fifo {
	uint8_t *buf;
	size_t cap, head, len;
	size_t keep; /* largest buffer kept once drained */
};

/* Where the input parser is in the peer's byte stream. */
struct smux_rx {
	uint8_t hdr_buf[SMUX_HEADER_LEN];
	size_t hdr_have;          /* header bytes collected; 8 → in the body */
	struct smux_header hdr;   /* the current frame, once decoded */
	size_t body_left;         /* body bytes still to come */
	uint8_t upd_buf[8];       /* a UPD body being collected */
	size_t upd_have;
};

struct smux {
	struct smux_config cfg;   /* defaults filled in */
	struct smux_ops ops;
	void *ctx;
	int dead;                 /* PROTO_OK while alive, else the error that killed it */
	bool in_input;            /* smux_input is running (no re-entry) */
	uint32_t last_id;         /* client: the last id opened (ids are last_id + 2) */
	uint32_t window_limit;    /* v2: most unconsumed bytes a stream may hold */
	struct smux_table table;
	struct smux_fifo out;
	struct smux_rx rx;
};

/* smux_table.c */
struct smux_stream *smux_table_find(const struct smux_table *t, uint32_t id);
int smux_table_insert(struct smux_table *t, struct smux_stream *st);
void smux_table_remove(struct smux_table *t, uint32_t id); /* does not free */
void smux_table_free_all(struct smux_table *t);

/* smux_fifo.c */
/* Append a then b (all or nothing). PROTO_OK or PROTO_E_NOMEM. */
int smux_fifo_push(struct smux_fifo *f, const uint8_t *a, size_t alen,
		   const uint8_t *b, size_t blen);
size_t smux_fifo_take(struct smux_fifo *f, uint8_t *out, size_t max);
void smux_fifo_release(struct smux_fifo *f);

/* smux_send.c: queue one frame (header plus len data bytes). Fires on_output
 * when the FIFO was empty. PROTO_OK or PROTO_E_NOMEM (the session dies). */
int smux_send_frame(struct smux *s, uint8_t cmd, uint32_t id, const uint8_t *data,
		    size_t len);
/* smux_send.c: a UPD(consumed, window) from the peer for stream st. */
void smux_send_on_upd(struct smux *s, struct smux_stream *st, uint32_t consumed,
		      uint32_t window);

/* smux.c: kill the session with err (the first error sticks). */
void smux_die(struct smux *s, int err);
/* smux.c: a new open stream in the table, or NULL (out of memory). */
struct smux_stream *smux_stream_add(struct smux *s, uint32_t id);

#endif
