/*
 * smux.h — the multiplexer of port sessions (smux.md): many TCP connections
 * carried as streams in the one byte stream of a session's Output payloads.
 * No I/O and no clock: the owner feeds the peer's bytes in and pulls the
 * bytes for the peer out.
 *
 * Frames (smux.md §2–§3): an 8-byte header — Version, Cmd, Length (uint16
 * LE), StreamID (uint32 LE) — then Length data bytes. Commands SYN, FIN, PSH,
 * NOP, and UPD (version 2 only: `consumed` and `window`, uint32 LE each).
 *
 * One `struct smux` per session end, client (opens streams with ids 3, 5, 7,
 * …) or server (accepts any new id, never opens one):
 *
 *   in    smux_input() takes the peer's bytes in chunks of any size (frames
 *         span chunks; several frames share one) and reports streams opened,
 *         data and FINs through ops. PSH data is handed over as it arrives, in
 *         slices, so a frame is never buffered whole: memory for parsing is the
 *         8-byte header. Any protocol error (version other than the session's,
 *         unknown Cmd, UPD in version 1 or with Length != 8, SYN/FIN/NOP with
 *         Length != 0, SYN on the client side, more than max_streams open
 *         streams; in version 2 a PSH that would leave more than the
 *         stream's window unconsumed) makes smux_input() return a negative
 *         proto_err: the session is dead and further calls return the same
 *         error (smux_error() tells it too). Running out of memory kills the
 *         session the same way, with PROTO_E_NOMEM.
 *
 *   out   Everything for the peer (SYN, FIN, PSH, NOP, UPD frames) goes into
 *         one bounded FIFO of pending bytes; the owner moves it into stream
 *         messages with smux_take() whenever the data channel has room, in
 *         message sizes of its choosing (boundaries mean nothing, §1).
 *         ops->on_output tells the owner that the FIFO went from empty to
 *         non-empty. Control frames (SYN, FIN, NOP, UPD) are always accepted —
 *         each may take the FIFO past tx_cap by its own size (8 or 16 bytes;
 *         how many there are follows from the owner's own calls: one SYN and
 *         one FIN per stream, one UPD per half window consumed, a NOP per
 *         smux_keepalive) — while smux_write() accepts data only up to
 *         tx_cap, headers included.
 *
 *   flow  Version 1 (official peers): no per-stream window. smux_write() is
 *         limited only by the FIFO; the receiving owner bounds what it holds
 *         by not accepting further Output messages while its buffers are full
 *         (which stalls every stream of the session, as with the official
 *         peers: smux.md §4.2).
 *         Version 2 (postern peers that both announced PAYLOAD_CAP_SMUX_V2):
 *         per-stream windows. The sender may have at most
 *         peer_window − (written − peer_consumed) bytes of a stream in flight
 *         (peer_window starts at SMUX_V2_INITIAL_PEER_WINDOW until the
 *         first UPD); smux_write() accepts no more than that, and
 *         ops->on_writable(id) says when a blocked stream has room again
 *         (after a UPD opens a window that was full or that cut a
 *         smux_write() short; a write cut short by the FIFO instead waits for
 *         smux_take(), as in version 1). The
 *         receiver reports what its application really consumed with
 *         smux_consumed(), which sends UPD(consumed, window) on the first
 *         consumption and whenever half a window has been consumed since the
 *         last UPD. One slow stream thus never holds up the others.
 *
 * Stream life: a stream is open from SYN (sent or received) until the owner
 * calls smux_close() — normally after a FIN from the peer (ops->on_fin) or
 * after its own connection ended. smux_close() sends FIN unless one was
 * already sent and forgets the stream; later frames for its id are read and
 * discarded, as the library does. Ids are never reused by the client; the
 * server, like the library, treats a SYN for any id not open as a new stream
 * and ignores a SYN for an open one. smux_shutdown() sends FIN but keeps the
 * stream open for the peer's data (half-close between postern peers,
 * smux.md §6). PSH frames after the peer's FIN are discarded, so on_fin
 * really is the end of a stream's data.
 */
#ifndef POSTERN_SMUX_H
#define POSTERN_SMUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMUX_HEADER_LEN 8u
#define SMUX_MAX_LENGTH 65535u            /* Length is 16 bits: accepted up to this */
#define SMUX_FRAME_DATA 32768u            /* largest PSH this side emits (§4.3) */
#define SMUX_FIRST_CLIENT_ID 3u           /* then +2 (§4.1) */
#define SMUX_V2_INITIAL_PEER_WINDOW 262144u /* sender's guess before the first UPD */
#define SMUX_V2_WINDOW 2097152u            /* what our receivers announce per stream */
#define SMUX_DEFAULT_MAX_STREAMS 4096u
#define SMUX_DEFAULT_TX_CAP (256u * 1024u)

enum smux_cmd {
	SMUX_CMD_SYN = 0,
	SMUX_CMD_FIN = 1,
	SMUX_CMD_PSH = 2,
	SMUX_CMD_NOP = 3,
	SMUX_CMD_UPD = 4, /* version 2 only */
};

struct smux_header {
	uint8_t version;
	uint8_t cmd;
	uint16_t length;
	uint32_t stream_id;
};

/* Write h's 8 bytes (no checks: the caller builds valid headers). */
void smux_header_encode(const struct smux_header *h, uint8_t out[SMUX_HEADER_LEN]);

/*
 * Read 8 bytes into *h and check them against a session of `version`:
 * PROTO_OK, PROTO_E_SMUX_VERSION, PROTO_E_SMUX_CMD (unknown, or UPD in
 * version 1), PROTO_E_SMUX_LENGTH (UPD with Length != 8; SYN, FIN or NOP with
 * Length != 0).
 */
int smux_header_decode(const uint8_t in[SMUX_HEADER_LEN], uint8_t version,
		       struct smux_header *h);

struct smux_ops {
	/* The pending-output FIFO was empty and now is not. */
	void (*on_output)(void *ctx);
	/* Server side: the peer opened stream id (dial its destination now). */
	void (*on_open)(void *ctx, uint32_t id);
	/* Data for an open stream; data valid during the call only. The owner
	 * takes all of it (it bounds its buffers by not feeding more input). */
	void (*on_data)(void *ctx, uint32_t id, const uint8_t *data, size_t len);
	/* The peer sent FIN on an open stream: no more data will come. */
	void (*on_fin)(void *ctx, uint32_t id);
	/* Version 2: a stream smux_write() had limited has room again. May be
	 * NULL. */
	void (*on_writable)(void *ctx, uint32_t id);
};

struct smux_config {
	uint8_t version;      /* 1 or 2 */
	bool client;          /* opens streams (else: accepts them) */
	size_t max_streams;   /* open at once; 0 → SMUX_DEFAULT_MAX_STREAMS */
	size_t tx_cap;        /* pending-output bytes smux_write() fills up to;
			       * 0 → SMUX_DEFAULT_TX_CAP */
	size_t frame_data;    /* largest PSH emitted; 0 → SMUX_FRAME_DATA */
};

struct smux;

/* A new session, or NULL (bad config: version not 1 or 2; out of memory). */
struct smux *smux_new(const struct smux_config *cfg, const struct smux_ops *ops, void *ctx);
void smux_free(struct smux *s);

/* The peer's bytes, in order. PROTO_OK, a protocol error (see above: the
 * session is dead), PROTO_E_NOMEM. Callbacks run during the call; they may
 * call smux_write/smux_close/smux_consumed, but not smux_input (which then
 * returns PROTO_E_STATE) or smux_free. */
int smux_input(struct smux *s, const uint8_t *data, size_t len);

/* PROTO_OK while the session is alive, else the error that killed it. */
int smux_error(const struct smux *s);

/* Client side: open a stream (SYN goes out). PROTO_OK with *id set,
 * PROTO_E_STATE (server side, or the session is dead), PROTO_E_SMUX_STREAMS
 * (max_streams open, or ids exhausted), PROTO_E_NOMEM. */
int smux_open(struct smux *s, uint32_t *id);

/*
 * Queue up to len bytes of data for stream id as PSH frames. Returns the
 * number of bytes taken (0 when the FIFO or, in version 2, the stream's
 * window is full: wait for on_output-driven smux_take() room or
 * on_writable), or a negative proto_err: PROTO_E_STATE (unknown or closed
 * stream, FIN already sent, session dead), PROTO_E_NOMEM.
 */
long smux_write(struct smux *s, uint32_t id, const uint8_t *data, size_t len);

/* How many bytes smux_write(id) would take now (0 for unknown streams). */
size_t smux_write_room(const struct smux *s, uint32_t id);

/* Version 2: the application consumed n more bytes of stream id (written to
 * its connection); sends UPD when due. n is capped at what on_data handed
 * over and was not yet reported. No effect in version 1 or for unknown ids. */
void smux_consumed(struct smux *s, uint32_t id, size_t n);

/* End stream id from this side: FIN unless already sent, then forget it.
 * Unknown ids are ignored. */
void smux_close(struct smux *s, uint32_t id);

/* Half-close: send FIN on stream id (once) but keep it open, so the peer's
 * data and FIN still arrive; smux_write() then refuses the stream, and
 * smux_close() later forgets it without a second FIN. PROTO_OK (also when
 * FIN was already sent), PROTO_E_STATE (unknown id, session dead),
 * PROTO_E_NOMEM. */
int smux_shutdown(struct smux *s, uint32_t id);

/* Queue a NOP (keepalive, smux.md §5). */
void smux_keepalive(struct smux *s);

/* Pending output: how many bytes, and take (copy out and drop) up to max of
 * them. smux_take returns the count copied. */
size_t smux_pending(const struct smux *s);
size_t smux_take(struct smux *s, uint8_t *out, size_t max);

/* Open streams now, and whether id is one of them. */
size_t smux_stream_count(const struct smux *s);
bool smux_stream_open(const struct smux *s, uint32_t id);

#endif
