"""An independent Python rendering of the wire, for fake peers in tests:
Session Manager data-channel frames (data-channel.md §2) and just enough
protobuf to speak the control channel (proto/control.proto)."""
import hashlib
import json
import struct
import time
import uuid

FRAME_HEADER = struct.Struct(">I32sIQqQ16s32sII")


def encode_frame(message_type, payload=b"", seq=0, flags=3, payload_type=0, message_id=None,
                 created=None):
    mid = (message_id or uuid.uuid4()).bytes
    return FRAME_HEADER.pack(
        116, message_type.encode().ljust(32, b" "), 1,
        created if created is not None else int(time.time() * 1000), seq, flags,
        mid[8:] + mid[:8], hashlib.sha256(payload).digest(), payload_type,
        len(payload)) + payload


def decode_frame(data):
    (hl, mtype, schema, created, seq, flags, mid, digest, ptype,
     plen) = FRAME_HEADER.unpack_from(data)
    payload = data[120:]
    assert hl == 116 and plen == len(payload)
    return {"type": mtype.strip(b" \0").decode(), "seq": seq, "flags": flags,
            "id": uuid.UUID(bytes=mid[8:] + mid[:8]), "payload_type": ptype,
            "payload": payload, "digest_ok": hashlib.sha256(payload).digest() == digest}


def ack_for(frame):
    body = json.dumps({"AcknowledgedMessageType": frame["type"],
                       "AcknowledgedMessageId": str(frame["id"]),
                       "AcknowledgedMessageSequenceNumber": frame["seq"],
                       "IsSequentialMessage": True}, separators=(",", ":")).encode()
    return encode_frame("acknowledge", body)


def open_data_channel(token, agent=False):
    msg = {"MessageSchemaVersion": "1.0", "RequestId": str(uuid.uuid4()),
           "TokenValue": token}
    if agent:
        msg.update(ClientInstanceId="mi-test", ClientId="")
    else:
        msg.update(ClientId=str(uuid.uuid4()), ClientVersion="1.2.0.0")
    return json.dumps(msg, separators=(",", ":"))


# ---- protobuf, minimal: varints, strings, bytes, nested messages -------------

def _varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def pb_field(number, value):
    """Encode one field: int → varint, str/bytes → length-delimited."""
    if isinstance(value, int):
        return _varint(number << 3) + _varint(value)
    data = value.encode() if isinstance(value, str) else value
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def pb_decode(data):
    """Decode one message level into {field: [values]} (bytes for len-delimited)."""
    out, i = {}, 0
    while i < len(data):
        key, i = _read_varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _read_varint(data, i)
        elif wire == 2:
            n, i = _read_varint(data, i)
            value, i = data[i:i + n], i + n
        else:
            raise ValueError(f"wire type {wire}")
        out.setdefault(number, []).append(value)
    return out


def _read_varint(data, i):
    shift = result = 0
    while True:
        b = data[i]
        i += 1
        result |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return result, i


def session_state(message_id, session_id, state, detail=""):
    """A control-channel envelope carrying SessionState (state: 3 Terminated,
    4 Failed)."""
    body = pb_field(1, session_id) + pb_field(2, state) + (pb_field(7, detail) if detail else b"")
    return pb_field(1, 1) + pb_field(2, message_id) + pb_field(15, body)


def agent_hello(instance_id, version="3.3.0.0", hostname="fake-host"):
    hello = (pb_field(1, instance_id) + pb_field(2, version) + pb_field(3, "Fake OS") +
             pb_field(4, "1") + pb_field(5, "Linux") + pb_field(7, hostname))
    return pb_field(1, 1) + pb_field(2, 1) + pb_field(10, hello)


def heartbeat():
    return pb_field(1, 1) + pb_field(12, pb_field(1, int(time.time() * 1000)))
