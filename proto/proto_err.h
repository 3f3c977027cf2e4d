/*
 * proto_err.h — the one error enum of the wire library.
 *
 * Every function in proto/ that can fail returns an `enum proto_err`: PROTO_OK
 * (zero) on success, a distinct negative code per failure so callers and tests
 * can tell exactly what was wrong with a frame or payload. proto_err_str() gives
 * a short, stable, human-readable name for logs.
 */
#ifndef POSTERN_PROTO_ERR_H
#define POSTERN_PROTO_ERR_H

enum proto_err {
	PROTO_OK = 0,

	/* generic */
	PROTO_E_NOMEM = -1,          /* allocation failed */
	PROTO_E_INVALID_ARG = -2,    /* caller passed something impossible */
	PROTO_E_BUFFER_SMALL = -3,   /* output buffer too small */

	/* data-channel frame decoding (data-channel.md §2) */
	PROTO_E_TRUNCATED = -10,      /* fewer than 120 bytes */
	PROTO_E_HEADER_LENGTH = -11,  /* HeaderLength != 116 */
	PROTO_E_MESSAGE_TYPE = -12,   /* empty, too long, or not a type name */
	PROTO_E_SCHEMA_VERSION = -13, /* SchemaVersion != 1 */
	PROTO_E_CREATED_DATE = -14,   /* CreatedDate == 0 */
	PROTO_E_SEQUENCE = -15,       /* SequenceNumber < 0 */
	PROTO_E_PAYLOAD_TYPE = -16,   /* PayloadType not in the table of §4 */
	PROTO_E_PAYLOAD_LENGTH = -17, /* PayloadLength != message length - 120 */
	PROTO_E_DIGEST = -18,         /* PayloadDigest != SHA-256(payload) */
	PROTO_E_TOO_LARGE = -19,      /* frame or payload over the configured cap */

	/* payload codecs (data-channel.md §4, §5) */
	PROTO_E_JSON = -30,          /* not JSON, or not an object where one is needed */
	PROTO_E_FIELD_TYPE = -31,    /* a known key holds a value of the wrong type */
	PROTO_E_FIELD_RANGE = -32,   /* a number or string outside its allowed range */
	PROTO_E_FIELD_MISSING = -33, /* a key the receiver cannot do without */
	PROTO_E_BASE64 = -34,        /* malformed base64 */
	PROTO_E_UUID = -35,          /* malformed UUID text */
	PROTO_E_EXIT_CODE = -36,     /* not "EXIT_CODE: <n>" */
	PROTO_E_FLAG = -37,          /* flag payload not 4 bytes or unknown value */

	/* reliable stream (data-channel.md §6) */
	PROTO_E_WOULD_BLOCK = -50,   /* send buffer full: stop reading the source */
	PROTO_E_RESEND_LIMIT = -51,  /* a message was resent too often: peer gone */
	PROTO_E_NOT_STREAM = -52,    /* frame is not of the peer's stream type */
	PROTO_E_STATE = -53,         /* call not valid in the stream's state */

	/* control channel (control.proto) */
	PROTO_E_PROTOBUF = -70,      /* protobuf-c could not unpack the bytes */
	PROTO_E_VERSION = -71,       /* control protocol version not supported */
	PROTO_E_EMPTY = -72,         /* envelope carries no message */

	/* smux (smux.md, smux.h) */
	PROTO_E_SMUX_VERSION = -80,  /* frame Version is not the session's */
	PROTO_E_SMUX_CMD = -81,      /* unknown Cmd, or UPD in version 1 */
	PROTO_E_SMUX_LENGTH = -82,   /* Length wrong for the Cmd */
	PROTO_E_SMUX_STREAMS = -83,  /* too many open streams, or ids exhausted */
	PROTO_E_SMUX_SYN = -84,      /* a SYN sent to the client side */
	PROTO_E_SMUX_WINDOW = -85,   /* version 2: data beyond the stream's window */

	/* websocket framing (ws_frame.h); -90.. is taken by sigv4 */
	PROTO_E_WS_RSV = -110,       /* a reserved bit (RSV1-3) set */
	PROTO_E_WS_OPCODE = -111,    /* opcode not defined by RFC 6455 */
	PROTO_E_WS_CONTROL = -112,   /* control frame not FIN or over 125 bytes */
	PROTO_E_WS_MASK = -113,      /* mask bit wrong for the receiving side */
	PROTO_E_WS_FRAGMENT = -114,  /* stray continuation, or data frame inside a message */
	PROTO_E_WS_LENGTH = -115,    /* payload length not in its minimal form */
	PROTO_E_WS_LENGTH64 = -116,  /* 64-bit payload length with the top bit set */
	PROTO_E_WS_TOO_LARGE = -117, /* payload over the configured cap */
	PROTO_E_WS_CLOSE = -118,     /* malformed Close payload */
	PROTO_E_WS_HANDSHAKE = -119, /* the upgrade was refused or its response is wrong */
	PROTO_E_WS_TIMEOUT = -120,   /* the peer has been silent past the hang-up time */

	/* TLS over memory (tls_pipe.h) */
	PROTO_E_TLS = -121,          /* the handshake or a record failed */
	PROTO_E_TLS_VERIFY = -122,   /* the server's certificate was not accepted */
	PROTO_E_TLS_CLOSED = -123,   /* the server sent close_notify */

	/* request authentication (sigv4.h) */
	PROTO_E_AUTH_MALFORMED = -90, /* Authorization header not in SigV4 form */
	PROTO_E_AUTH_ALGORITHM = -91, /* a scheme other than AWS4-HMAC-SHA256 */
	PROTO_E_AUTH_DATE = -92,      /* X-Amz-Date absent, repeated or malformed */
	PROTO_E_AUTH_UNSIGNED = -93,  /* host or x-amz-date not among SignedHeaders */
	PROTO_E_AUTH_SCOPE = -94,     /* scope date != X-Amz-Date's, or bad terminator */
	PROTO_E_AUTH_EXPIRED = -95,   /* X-Amz-Date outside now +- the allowed skew */
	PROTO_E_AUTH_HEADER = -96,    /* a signed header is absent from the request */
	PROTO_E_AUTH_SIGNATURE = -97, /* signature does not match */
	PROTO_E_AUTH_REPLAY = -98,    /* signature already seen inside the window */
	PROTO_E_AUTH_THROTTLED = -99, /* replay cache full of live entries */
	PROTO_E_AUTH_KEY = -100,      /* unknown access key id (the caller's lookup) */
};

/* Short stable name of an error code ("truncated", "digest", ...). Never NULL. */
const char *proto_err_str(int err);

#endif
