"""A port-session client written from the protocol documents, for testing
the agent independently of postern's own client: the data channel
(data-channel.md: OpenDataChannel, numbering, acknowledgements, reordering,
resending what the agent left unacknowledged), the handshake with or
without PosternCapabilities, flags, and smux versions 1 and 2 (smux.md)
spoken with struct.pack, little-endian.

PortClient carries Output bytes one way and hands the agent's Output bytes
to a sink; Smux turns those byte streams into streams of a session."""
import json
import queue
import ssl
import struct
import threading
import time

import websocket

import wire

OUTPUT, HS_REQUEST, HS_RESPONSE, HS_COMPLETE, FLAG = 1, 5, 6, 7, 10
DISCONNECT_TO_PORT, TERMINATE_SESSION, CONNECT_TO_PORT_ERROR = 1, 2, 3
RESEND_AFTER = 0.3  # seconds before an unacknowledged message is sent again


class PortClient:
    """One data channel, as the client. Everything the agent sends in order
    is kept in `stream` as (payload_type, payload); Output payloads also go
    to `on_output` (by default appended to `output`)."""

    def __init__(self, broker, started, msg_size=1024):
        self.ws = websocket.create_connection(
            started["StreamUrl"], timeout=15,
            sslopt={"ca_certs": broker.ca, "cert_reqs": ssl.CERT_REQUIRED})
        self.ws.send(wire.open_data_channel(started["TokenValue"]))
        self.msg_size = msg_size
        self.cond = threading.Condition()
        self.outbox = queue.Queue()  # frames for the websocket, written by one thread
        self.seq = 0
        self.unacked = {}       # seq -> [frame, when last written, None while queued]
        self.expected = 0
        self.held = {}
        self.stream = []        # (payload_type, payload) from the agent, in order
        self.output = bytearray()
        self.on_output = self.output.extend
        self.closed = None      # channel_closed payload
        self.gone = False       # the websocket ended
        self.ws.settimeout(None)
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._write, daemon=True).start()
        threading.Thread(target=self._resend, daemon=True).start()

    # ---- wire -------------------------------------------------------------------

    def _send_raw(self, frame, entry=None):
        """Never blocks: the reader must go on reading while the broker holds
        back what this client sends (it stops reading a sender whose peer
        does not keep up)."""
        self.outbox.put((frame, entry))

    def _write(self):
        while True:
            item = self.outbox.get()
            if item is None:
                return
            try:
                self.ws.send_binary(item[0])
            except Exception:
                return
            if item[1] is not None:
                with self.cond:
                    item[1][1] = time.monotonic()

    def _read(self):
        while True:
            try:
                f = wire.decode_frame(self.ws.recv())
            except Exception:
                with self.cond:
                    self.gone = True
                    self.cond.notify_all()
                return
            assert f["digest_ok"], f
            if f["type"] == "output_stream_data":
                self._send_raw(wire.ack_for(f))
                with self.cond:
                    if f["seq"] >= self.expected:
                        self.held[f["seq"]] = f
                    while self.expected in self.held:
                        g = self.held.pop(self.expected)
                        self.expected += 1
                        self.stream.append((g["payload_type"], g["payload"]))
                        if g["payload_type"] == OUTPUT:
                            self.on_output(g["payload"])
                    self.cond.notify_all()
            elif f["type"] == "acknowledge":
                seq = json.loads(f["payload"])["AcknowledgedMessageSequenceNumber"]
                with self.cond:
                    self.unacked.pop(seq, None)
                    self.cond.notify_all()
            elif f["type"] == "channel_closed":
                with self.cond:
                    self.closed = json.loads(f["payload"])
                    self.cond.notify_all()

    def _resend(self):
        while not self.gone:
            time.sleep(0.1)
            now = time.monotonic()
            with self.cond:
                due = [e for e in self.unacked.values()
                       if e[1] is not None and now - e[1] > RESEND_AFTER]
                for e in due:
                    e[1] = None
            for e in due:
                self._send_raw(e[0], e)

    def send(self, payload_type, payload):
        with self.cond:
            frame = wire.encode_frame("input_stream_data", payload, seq=self.seq, flags=0,
                                      payload_type=payload_type)
            entry = self.unacked[self.seq] = [frame, None]
            self.seq += 1
        self._send_raw(frame, entry)

    def send_output(self, data):
        """Output messages of at most msg_size bytes."""
        for i in range(0, len(data), self.msg_size):
            self.send(OUTPUT, bytes(data[i:i + self.msg_size]))

    def flag(self, value):
        self.send(FLAG, struct.pack(">I", value))

    def wait(self, predicate, timeout=20, what="it"):
        deadline = time.monotonic() + timeout
        with self.cond:
            while not predicate():
                left = deadline - time.monotonic()
                assert left > 0, f"timed out waiting for {what}; closed={self.closed}"
                assert not self.gone or predicate(), f"data channel ended first: {self.closed}"
                self.cond.wait(min(left, 0.5))

    def wait_closed(self, timeout=20):
        self.wait(lambda: self.closed is not None or self.gone, timeout, "channel_closed")
        return self.closed

    def flags(self):
        with self.cond:
            return [struct.unpack(">I", p)[0] for t, p in self.stream if t == FLAG]

    def output_sizes(self):
        with self.cond:
            return [len(p) for t, p in self.stream if t == OUTPUT]

    # ---- handshake -------------------------------------------------------------------

    def handshake(self, client_version="1.2.650.0", capabilities=None):
        """Answer the HandshakeRequest; returns it (parsed) once
        HandshakeComplete has arrived."""
        self.wait(lambda: self.stream, what="the HandshakeRequest")
        ptype, payload = self.stream[0]
        assert ptype == HS_REQUEST, self.stream[0]
        request = json.loads(payload)
        body = {"ClientVersion": client_version,
                "ProcessedClientActions": [{"ActionType": "SessionType", "ActionStatus": 1,
                                            "ActionResult": None, "Error": ""}],
                "Errors": None}
        if capabilities is not None:
            body["PosternCapabilities"] = list(capabilities)
        self.send(HS_RESPONSE, json.dumps(body, separators=(",", ":")).encode())
        self.wait(lambda: any(t == HS_COMPLETE for t, _ in self.stream),
                  what="HandshakeComplete")
        return request

    def close(self):
        self.gone = True
        self.outbox.put(None)
        try:
            self.ws.close()
        except Exception:
            pass


# ---- smux ------------------------------------------------------------------------------

SYN, FIN, PSH, NOP, UPD = 0, 1, 2, 3, 4
HEADER = struct.Struct("<BBHI")
WINDOW = 262144       # what this client announces per stream (v2)
FRAME_DATA = 16384    # PSH data per frame this client sends


class Stream:
    def __init__(self, smux, sid):
        self.smux, self.id = smux, sid
        self.data = bytearray()
        self.fin = False
        self.events = []          # ("fin",) in the order frames arrived
        # v2 flow control, both ways
        self.written = 0
        self.peer_consumed = 0
        self.peer_window = WINDOW  # the initial guess of smux.md §4.2
        self.consumed = 0
        self.upd_sent_at = None

    def write(self, data, timeout=30):
        """PSH frames; in v2 never more than the agent's window in flight."""
        view = memoryview(bytes(data))
        while view:
            n = min(len(view), FRAME_DATA)
            if self.smux.version == 2:
                with self.smux.pc.cond:
                    deadline = time.monotonic() + timeout
                    while self.peer_window - (self.written - self.peer_consumed) <= 0:
                        left = deadline - time.monotonic()
                        assert left > 0, f"stream {self.id}: no window for {timeout} s"
                        self.smux.pc.cond.wait(min(left, 0.5))
                    n = min(n, self.peer_window - (self.written - self.peer_consumed))
                    self.written += n
            self.smux.send_frame(PSH, self.id, view[:n])
            view = view[n:]

    def room(self):
        """v2: bytes the agent's window lets this client send now."""
        with self.smux.pc.cond:
            return self.peer_window - (self.written - self.peer_consumed)

    def close(self):
        self.smux.send_frame(FIN, self.id)

    def wait_data(self, n, timeout=30):
        self.smux.pc.wait(lambda: len(self.data) >= n, timeout,
                          f"{n} bytes on stream {self.id} (have {len(self.data)})")

    def wait_fin(self, timeout=30):
        self.smux.pc.wait(lambda: self.fin, timeout, f"FIN on stream {self.id}")


class Smux:
    """The client side of smux over a PortClient (which must not have been
    given another on_output)."""

    def __init__(self, pc, version=1):
        self.pc, self.version = pc, version
        self.buf = bytearray()
        self.streams = {}
        self.next_id = 3
        self.nops = 0
        self.log = []             # ("flag", v) and (cmd, sid) in arrival order
        self.lock = threading.Lock()
        self.out = queue.Queue()  # frames, sent in order by one thread
        pc.on_output = self._feed
        self._flag_count = 0
        threading.Thread(target=self._send_loop, daemon=True).start()

    def _send_loop(self):
        while True:
            frame = self.out.get()
            try:
                self.pc.send_output(frame)
            except Exception:
                return
            finally:
                self.out.task_done()

    def send_frame(self, cmd, sid, data=b""):
        """Queue a frame; frames leave in order and never interleave."""
        self.out.put(HEADER.pack(self.version, cmd, len(data), sid) + bytes(data))

    def flush(self):
        """Wait until every queued frame went out."""
        self.out.join()

    def open(self, data=b"", fin=False):
        """SYN; with data (v1 only: no window is checked) and fin, those
        frames too, all in the same Output message as far as it reaches."""
        with self.lock:
            sid = self.next_id
            self.next_id += 2
        s = self.streams[sid] = Stream(self, sid)
        frames = HEADER.pack(self.version, SYN, 0, sid)
        if data:
            frames += HEADER.pack(self.version, PSH, len(data), sid) + bytes(data)
        if fin:
            frames += HEADER.pack(self.version, FIN, 0, sid)
        self.out.put(frames)
        return s

    # called with pc.cond held, for every in-order Output payload
    def _feed(self, payload):
        flags = [p for t, p in self.pc.stream if t == FLAG]
        while self._flag_count < len(flags):
            self.log.append(("flag", struct.unpack(">I", flags[self._flag_count])[0]))
            self._flag_count += 1
        self.buf += payload
        while len(self.buf) >= HEADER.size:
            ver, cmd, length, sid = HEADER.unpack_from(self.buf)
            assert ver == self.version, f"smux version {ver}, expected {self.version}"
            if len(self.buf) < HEADER.size + length:
                return
            data = bytes(self.buf[HEADER.size:HEADER.size + length])
            del self.buf[:HEADER.size + length]
            self._frame(cmd, sid, data)

    def _frame(self, cmd, sid, data):
        self.log.append((cmd, sid))
        s = self.streams.get(sid)
        if cmd == NOP:
            self.nops += 1
        elif cmd == PSH and s:
            s.data += data
            if self.version == 2:
                s.consumed += len(data)
                if s.upd_sent_at is None or s.consumed - s.upd_sent_at >= WINDOW // 2:
                    s.upd_sent_at = s.consumed
                    self.send_frame(UPD, sid, struct.pack("<II", s.consumed & 0xFFFFFFFF,
                                                          WINDOW))
        elif cmd == FIN and s:
            s.fin = True
        elif cmd == UPD and s:
            assert self.version == 2, "UPD in smux v1"
            s.peer_consumed, s.peer_window = struct.unpack("<II", data)
        elif cmd == SYN:
            raise AssertionError(f"the agent opened stream {sid}")
