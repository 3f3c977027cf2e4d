/*
 * ws_frame.h — websocket framing (RFC 6455 §5) without I/O: frame headers,
 * payload masking, an incremental decoder, and the Close payload (§5.5.1,
 * §7.4). Code: ws_frame.c (header, mask), ws_decoder.c, ws_close.c.
 *
 *   header  ws_frame_header_encode() writes FIN, opcode, the payload length
 *           in its minimal form (7, 16 or 64 bits) and the mask key if any.
 *
 *   mask    ws_mask() XORs a buffer with the 4-byte key in place, eight bytes
 *           at a time. `offset` is the position of buf[0] in the payload, so a
 *           payload may be masked in pieces: masking [0, k) with offset 0 and
 *           [k, n) with offset k gives the same bytes as masking [0, n) at once.
 *
 *   decode  struct ws_decoder takes the peer's bytes in chunks of any size.
 *           Headers are gathered across chunks (at most 14 bytes kept);
 *           payload is unmasked in place in the caller's buffer and handed to
 *           ops->on_data in slices as large as the chunk allows, never
 *           byte by byte, so memory for parsing is one header. Every frame is
 *           reported as on_frame (its header), zero or more on_data slices,
 *           then on_frame_end. Any protocol error makes ws_decoder_input()
 *           return its negative proto_err; the decoder is then dead and
 *           keeps returning that error. Checks, in this order, for each
 *           header: reserved bits (PROTO_E_WS_RSV), opcode (PROTO_E_WS_OPCODE),
 *           control frame not FIN or longer than 125 bytes
 *           (PROTO_E_WS_CONTROL), mask bit against the role (PROTO_E_WS_MASK:
 *           the client side accepts only unmasked frames, the server side
 *           only masked ones), fragmentation (PROTO_E_WS_FRAGMENT: a
 *           continuation outside a fragmented message, or a new text/binary
 *           frame inside one), then once the extended length is in: a length
 *           not in minimal form (PROTO_E_WS_LENGTH), a 64-bit length with its
 *           top bit set (PROTO_E_WS_LENGTH64), a payload over max_payload
 *           (PROTO_E_WS_TOO_LARGE).
 *
 *   close   ws_close_encode()/ws_close_decode(): status code (big-endian) and
 *           a UTF-8 reason of at most 123 bytes, or an empty payload (no
 *           status). Valid codes: 1000–1003, 1007–1011, 3000–4999 (§7.4.1–2;
 *           1004–1006 and 1015 must never be sent, the rest are reserved).
 */
#ifndef POSTERN_WS_FRAME_H
#define POSTERN_WS_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WS_MAX_HEADER_LEN 14u            /* 2 + 8-byte length + 4-byte key */
#define WS_MAX_CONTROL_PAYLOAD 125u      /* §5.5 */
#define WS_MAX_CLOSE_REASON 123u         /* 125 minus the status code */
#define WS_DEFAULT_MAX_PAYLOAD (1u << 20) /* per frame, when the config says 0 */

enum ws_opcode {
	WS_OP_CONTINUATION = 0x0,
	WS_OP_TEXT = 0x1,
	WS_OP_BINARY = 0x2,
	WS_OP_CLOSE = 0x8,
	WS_OP_PING = 0x9,
	WS_OP_PONG = 0xa,
};

struct ws_frame_header {
	bool fin;
	uint8_t opcode;          /* enum ws_opcode */
	bool masked;
	uint8_t mask_key[4];     /* meaningful when masked */
	uint64_t payload_len;
};

/* Control frames: Close, Ping, Pong (opcodes 0x8 and up). */
static inline bool ws_opcode_is_control(uint8_t opcode)
{
	return (opcode & 0x8u) != 0;
}

/* Length of the header ws_frame_header_encode() writes: 2 to 14 bytes. */
size_t ws_frame_header_len(uint64_t payload_len, bool masked);

/*
 * Write h as a header into out and return its length. No checks: the caller
 * builds valid headers (payload_len below 2^63, control frames FIN and at
 * most 125 bytes).
 */
size_t ws_frame_header_encode(const struct ws_frame_header *h, uint8_t out[WS_MAX_HEADER_LEN]);

/* XOR len bytes of buf with key, buf[0] being byte `offset` of the payload. */
void ws_mask(uint8_t *buf, size_t len, const uint8_t key[4], size_t offset);

/* The same into dst (len bytes, not overlapping src): a copy and a mask in
 * one pass. */
void ws_mask_copy(uint8_t *dst, const uint8_t *src, size_t len, const uint8_t key[4],
		  size_t offset);

/* ---- decoder ------------------------------------------------------------------ */

struct ws_decoder_ops {
	/* A frame's header is in and valid. */
	void (*on_frame)(void *ctx, const struct ws_frame_header *h);
	/* The next slice of its payload, already unmasked (it lies in the
	 * buffer given to ws_decoder_input, which the callee may modify). */
	void (*on_data)(void *ctx, uint8_t *data, size_t len);
	/* The frame's payload is complete (also right after on_frame when it
	 * is empty). */
	void (*on_frame_end)(void *ctx, const struct ws_frame_header *h);
};

struct ws_decoder_config {
	bool server;          /* receives masked frames only (else: unmasked only) */
	uint64_t max_payload; /* per frame; 0 → WS_DEFAULT_MAX_PAYLOAD */
};

/* The state of one decoder; set up by ws_decoder_init, fields private. */
struct ws_decoder {
	struct ws_decoder_config cfg;
	struct ws_decoder_ops ops;
	void *ctx;
	uint8_t hdr_buf[WS_MAX_HEADER_LEN];
	size_t hdr_have, hdr_need;  /* bytes gathered, bytes this header has */
	struct ws_frame_header hdr; /* the frame in progress */
	uint64_t left;              /* its payload bytes still to come */
	uint64_t offset;            /* its payload bytes already handed over */
	bool in_payload;
	bool in_message;            /* a fragmented text/binary message is open */
	bool in_input;
	int dead;
};

void ws_decoder_init(struct ws_decoder *d, const struct ws_decoder_config *cfg,
		     const struct ws_decoder_ops *ops, void *ctx);

/*
 * The peer's bytes, in order; masked payload is unmasked in place in data.
 * PROTO_OK, or a protocol error (see above: the decoder is dead). Callbacks
 * run during the call; calling ws_decoder_input from one returns
 * PROTO_E_STATE.
 */
int ws_decoder_input(struct ws_decoder *d, uint8_t *data, size_t len);

/* PROTO_OK while the decoder is alive, else the error that killed it. */
int ws_decoder_error(const struct ws_decoder *d);

/* Whether the decoder stands between frames (no header or payload pending). */
bool ws_decoder_idle(const struct ws_decoder *d);

/* ---- Close payload -------------------------------------------------------------- */

struct ws_close {
	bool has_code;          /* false: empty payload, no status (1005) */
	uint16_t code;
	const uint8_t *reason;  /* points into the decoded payload; not NUL-ended */
	size_t reason_len;
};

/* Whether a peer may send code in a Close frame (§7.4). */
bool ws_close_code_valid(uint16_t code);

/*
 * Write c as a Close payload into out (cap bytes) and set *out_len: empty when
 * !c->has_code, else the code then the reason. PROTO_OK, PROTO_E_WS_CLOSE
 * (invalid code, a reason without a code, reason over 123 bytes or not
 * UTF-8), PROTO_E_BUFFER_SMALL.
 */
int ws_close_encode(const struct ws_close *c, uint8_t *out, size_t cap, size_t *out_len);

/* Parse a received Close payload. PROTO_OK, PROTO_E_WS_CLOSE (one byte, over
 * 125 bytes, invalid code, reason not UTF-8). */
int ws_close_decode(const uint8_t *p, size_t len, struct ws_close *c);

#endif
