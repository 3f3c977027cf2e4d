/*
 * proto_err.c — names of the wire library's error codes, for logs.
 */
#include "proto_err.h"

const char *proto_err_str(int err)
{
	switch ((enum proto_err)err) {
	case PROTO_OK: return "ok";
	case PROTO_E_NOMEM: return "out of memory";
	case PROTO_E_INVALID_ARG: return "invalid argument";
	case PROTO_E_BUFFER_SMALL: return "buffer too small";
	case PROTO_E_TRUNCATED: return "frame truncated";
	case PROTO_E_HEADER_LENGTH: return "bad header length";
	case PROTO_E_MESSAGE_TYPE: return "bad message type";
	case PROTO_E_SCHEMA_VERSION: return "bad schema version";
	case PROTO_E_CREATED_DATE: return "zero created date";
	case PROTO_E_SEQUENCE: return "negative sequence number";
	case PROTO_E_PAYLOAD_TYPE: return "unknown payload type";
	case PROTO_E_PAYLOAD_LENGTH: return "payload length mismatch";
	case PROTO_E_DIGEST: return "payload digest mismatch";
	case PROTO_E_TOO_LARGE: return "too large";
	case PROTO_E_JSON: return "malformed JSON";
	case PROTO_E_FIELD_TYPE: return "field of wrong type";
	case PROTO_E_FIELD_RANGE: return "field out of range";
	case PROTO_E_FIELD_MISSING: return "required field missing";
	case PROTO_E_BASE64: return "malformed base64";
	case PROTO_E_UUID: return "malformed UUID";
	case PROTO_E_EXIT_CODE: return "malformed exit code";
	case PROTO_E_FLAG: return "bad flag payload";
	case PROTO_E_WOULD_BLOCK: return "send buffer full";
	case PROTO_E_RESEND_LIMIT: return "resend limit reached";
	case PROTO_E_NOT_STREAM: return "not a stream message";
	case PROTO_E_STATE: return "invalid in this state";
	case PROTO_E_PROTOBUF: return "malformed control message";
	case PROTO_E_VERSION: return "unsupported control protocol version";
	case PROTO_E_EMPTY: return "empty control message";
	case PROTO_E_SMUX_VERSION: return "smux version mismatch";
	case PROTO_E_SMUX_CMD: return "unknown smux command";
	case PROTO_E_SMUX_LENGTH: return "bad smux frame length";
	case PROTO_E_SMUX_STREAMS: return "too many smux streams";
	case PROTO_E_SMUX_SYN: return "smux stream opened by the server";
	case PROTO_E_SMUX_WINDOW: return "smux stream window exceeded";
	case PROTO_E_WS_RSV: return "websocket reserved bit set";
	case PROTO_E_WS_OPCODE: return "unknown websocket opcode";
	case PROTO_E_WS_CONTROL: return "bad websocket control frame";
	case PROTO_E_WS_MASK: return "websocket mask bit wrong for this side";
	case PROTO_E_WS_FRAGMENT: return "bad websocket fragmentation";
	case PROTO_E_WS_LENGTH: return "non-minimal websocket length";
	case PROTO_E_WS_LENGTH64: return "websocket length top bit set";
	case PROTO_E_WS_TOO_LARGE: return "websocket frame too large";
	case PROTO_E_WS_CLOSE: return "malformed websocket close payload";
	case PROTO_E_WS_HANDSHAKE: return "websocket upgrade refused or malformed";
	case PROTO_E_WS_TIMEOUT: return "websocket peer silent too long";
	case PROTO_E_TLS: return "TLS failed";
	case PROTO_E_TLS_VERIFY: return "TLS certificate not accepted";
	case PROTO_E_TLS_CLOSED: return "TLS closed by the peer";
	case PROTO_E_AUTH_MALFORMED: return "malformed Authorization header";
	case PROTO_E_AUTH_ALGORITHM: return "unsupported signature algorithm";
	case PROTO_E_AUTH_DATE: return "missing or malformed X-Amz-Date";
	case PROTO_E_AUTH_UNSIGNED: return "host or x-amz-date not signed";
	case PROTO_E_AUTH_SCOPE: return "credential scope mismatch";
	case PROTO_E_AUTH_EXPIRED: return "request time outside the allowed skew";
	case PROTO_E_AUTH_HEADER: return "signed header missing from request";
	case PROTO_E_AUTH_SIGNATURE: return "signature mismatch";
	case PROTO_E_AUTH_REPLAY: return "replayed request";
	case PROTO_E_AUTH_THROTTLED: return "replay cache full";
	case PROTO_E_AUTH_KEY: return "unknown access key";
	}
	return "unknown error";
}
