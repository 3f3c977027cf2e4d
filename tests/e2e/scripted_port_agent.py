"""The agent's side of a port session, scripted, for testing the client
(session-flow.md §4–§5, smux.md): a ScriptedAgent that answers the handshake
with SessionType Port and then runs the session as the official agent would —
an smux server (version 1, or 2 when both sides listed smux-v2) dialing the
destination for every stream, or, for a client in basic or stdio mode, one raw
connection to the destination dialed at once. It resends the messages the
client leaves unacknowledged. Frames are built here with struct.pack,
independently of the C code, and everything the client sends stays in
`received` for the tests to look at.
"""
import json
import socket
import struct
import threading
import time

import wire
from scripted_agent import (FLAG, HANDSHAKE_COMPLETE, HANDSHAKE_REQUEST, HANDSHAKE_RESPONSE,
                            OUTPUT, ScriptedAgent)

SMUX_HEADER = struct.Struct("<BBHI")       # version, cmd, length, stream id (little-endian)
SYN, FIN, PSH, NOP, UPD = range(5)
DISCONNECT_TO_PORT, TERMINATE_SESSION, CONNECT_TO_PORT_ERROR = 1, 2, 3
SMALL_MESSAGE, LARGE_MESSAGE = 1024, 61440  # PAYLOAD_LARGE_MESSAGE_MAX
FRAME_DATA = 32768                         # largest PSH the library emits
V2_WINDOW = 262144                         # what this agent announces per stream
RESEND_AFTER = 0.3                         # seconds without acknowledgement
RESENDS_PER_TICK = 16                      # oldest first, every 0.1 s
SEND_WINDOW = 256                          # unacknowledged messages before relays wait


def version_tuple(v):
    return tuple(int(x) for x in v.split("."))


def flag(value):
    return struct.pack(">I", value)


class DestServer:
    """The destination port on the agent's side: echoes what it gets, after an
    optional banner; a connection that starts with b"BLAST n\\n" instead gets
    n bytes of a counting pattern and is then closed."""

    def __init__(self, banner=b""):
        self.banner = banner
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        with conn:
            try:
                if self.banner:
                    conn.sendall(self.banner)
                first = conn.recv(65536)
                if first.startswith(b"BLAST "):
                    conn.sendall(pattern(int(first[6:first.index(b"\n")])))
                    return
                while first:
                    conn.sendall(first)
                    first = conn.recv(65536)
            except OSError:
                return

    def close(self):
        self.sock.close()


def pattern(n):
    block = bytes(range(256)) * 256
    return (block * (n // len(block) + 1))[:n]


class SmuxServer:
    """The agent's smux side: accepts streams, dials for each, relays."""

    def __init__(self, agent, version, dial):
        self.agent, self.version, self.dial = agent, version, dial
        self.buf = bytearray()
        self.streams = {}           # id -> _Stream
        self.opened = []            # stream ids in SYN order
        self.frames = []            # (version, cmd, id, length) of every client frame
        self.errors = []
        self.cond = threading.Condition()
        self.out_lock = threading.Lock()

    # ---- client → agent ---------------------------------------------------------

    def feed(self, data):
        self.buf += data
        while len(self.buf) >= SMUX_HEADER.size:
            version, cmd, length, sid = SMUX_HEADER.unpack_from(self.buf)
            if len(self.buf) < SMUX_HEADER.size + length:
                return
            body = bytes(self.buf[SMUX_HEADER.size:SMUX_HEADER.size + length])
            del self.buf[:SMUX_HEADER.size + length]
            with self.cond:
                self.frames.append((version, cmd, sid, length))
                self.cond.notify_all()
            if version != self.version:
                self.errors.append(f"frame of version {version} in a v{self.version} session")
                continue
            self._handle(cmd, sid, body)

    def _handle(self, cmd, sid, body):
        if cmd == SYN:
            with self.cond:
                self.opened.append(sid)
                self.cond.notify_all()
            try:
                sock = self.dial()
            except OSError:
                self.agent.send(flag(CONNECT_TO_PORT_ERROR), FLAG)
                self.write(FIN, sid)
                return
            st = _Stream(sid, sock)
            with self.cond:
                self.streams[sid] = st
            threading.Thread(target=self._relay, args=(st,), daemon=True).start()
        elif cmd == PSH:
            st = self.streams.get(sid)
            if not st:
                return
            try:
                st.sock.sendall(body)
            except OSError:
                pass
            if self.version == 2:
                st.consumed += len(body)
                if st.consumed - st.announced >= V2_WINDOW // 2 or not st.announced:
                    st.announced = st.consumed
                    self.write(UPD, sid, struct.pack("<II", st.consumed & 0xFFFFFFFF,
                                                      V2_WINDOW))
        elif cmd == FIN:
            with self.cond:
                st = self.streams.pop(sid, None)
            if st:
                st.close()
        elif cmd == UPD:
            st = self.streams.get(sid)
            if st and self.version == 2:
                with self.cond:
                    st.peer_consumed, st.peer_window = struct.unpack("<II", body)
                    self.cond.notify_all()
        elif cmd != NOP:
            self.errors.append(f"unknown smux command {cmd}")

    # ---- agent → client ---------------------------------------------------------

    def write(self, cmd, sid, data=b""):
        """One frame, in messages of at most the negotiated size (a frame
        may span messages, as the official peers' byte pipes do)."""
        frame = SMUX_HEADER.pack(self.version, cmd, len(data), sid) + data
        with self.out_lock:
            for i in range(0, len(frame), self.agent.msg_max):
                self.agent.send(frame[i:i + self.agent.msg_max])

    def _room(self, st):
        if self.version == 1:
            return FRAME_DATA
        return st.peer_window - ((st.written - st.peer_consumed) & 0xFFFFFFFF)

    def _relay(self, st):
        while True:
            try:
                data = st.sock.recv(FRAME_DATA)
            except OSError:
                data = b""
            if not data:
                break
            while data:
                with self.cond:     # v2: stay inside the client's window
                    while self._room(st) <= 0 and not st.closed:
                        self.cond.wait(1)
                    if st.closed:
                        return
                    n = min(len(data), self._room(st))
                    st.written += n
                self.write(PSH, st.sid, data[:n])
                data = data[n:]
        with self.cond:
            mine = self.streams.pop(st.sid, None)
        if mine:                    # the destination ended it, not the client
            self.write(FIN, st.sid)
            st.close()

    def wait_opened(self, n, timeout=20):
        with self.cond:
            assert self.cond.wait_for(lambda: len(self.opened) >= n, timeout), self.opened
            return list(self.opened)


class _Stream:
    def __init__(self, sid, sock):
        self.sid, self.sock = sid, sock
        self.written = self.consumed = self.announced = 0
        self.peer_consumed, self.peer_window = 0, V2_WINDOW
        self.closed = False

    def close(self):
        self.closed = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


class BasicRelay:
    """The agent's basic mode: one destination connection, dialed at once and
    again on the first data after it ended or after DisconnectToPort."""

    def __init__(self, agent, dial):
        self.agent, self.dial = agent, dial
        self.sock = None
        self.dials = 0
        self.lock = threading.Lock()
        self._connect()

    def _connect(self):
        self.sock = self.dial()
        self.dials += 1
        threading.Thread(target=self._relay, args=(self.sock,), daemon=True).start()

    def _relay(self, sock):
        while True:
            try:
                data = sock.recv(self.agent.msg_max)
            except OSError:
                data = b""
            if not data:
                break
            self.agent.send(data)
        with self.lock:
            if self.sock is sock:
                self.sock = None

    def on_data(self, data):
        with self.lock:
            if self.sock is None:
                self._connect()
            sock = self.sock
        try:
            sock.sendall(data)
        except OSError:
            pass

    def disconnect(self):
        with self.lock:
            sock, self.sock = self.sock, None
        if sock:
            sock.shutdown(socket.SHUT_RDWR)
            sock.close()


class ScriptedPortAgent(ScriptedAgent):
    def __init__(self, broker, tmp_path):
        super().__init__(broker, tmp_path)
        self.order = threading.RLock()   # sequence numbers and send order
        self.outstanding = {}            # seq -> [frame, last sent]
        self.resends = 0
        self.msg_max = SMALL_MESSAGE
        self.smux = None
        self.basic = None
        self.flags = []                  # flag values the client sent, in order
        self.errors = []
        self.capabilities = []           # what the client's response listed

    def accept(self, timeout=15):
        start = super().accept(timeout)
        threading.Thread(target=self._resend, daemon=True).start()
        return start

    def send(self, payload, payload_type=OUTPUT):
        """Number and send one message. Relay threads wait while SEND_WINDOW
        messages are unacknowledged (the reader thread, which takes the
        acknowledgements in, never waits)."""
        if threading.current_thread() is not self.reader:
            with self.cond:
                self.cond.wait_for(lambda: self._unacked() < SEND_WINDOW or
                                   self.closed.is_set())
        with self.order:
            frame = wire.encode_frame("output_stream_data", payload, seq=self.seq,
                                      flags=1 if self.seq == 0 else 0,
                                      payload_type=payload_type)
            self.outstanding[self.seq] = [frame, time.monotonic()]
            self.seq += 1
            try:
                self._send(frame)
            except Exception:       # the data channel is gone: the session is over
                self.closed.set()

    def _unacked(self):
        return sum(1 for seq in list(self.outstanding) if seq not in self.acked)

    def _resend(self):
        while not self.closed.is_set():
            time.sleep(0.1)
            with self.order:
                sent = 0
                for seq in sorted(self.outstanding):
                    entry = self.outstanding[seq]
                    if seq in self.acked:
                        del self.outstanding[seq]
                    elif time.monotonic() - entry[1] > RESEND_AFTER and \
                            sent < RESENDS_PER_TICK:
                        entry[1] = time.monotonic()
                        self.resends += 1
                        sent += 1
                        try:
                            self._send(entry[0])
                        except Exception:
                            return

    def port_handshake(self, properties, agent_version="3.3.0.0", capabilities=None,
                       dial=None):
        """Handshake as a port session, then run it as the official agent
        would: smux when type is LocalPortForwarding (the client reports a
        current version), else basic. capabilities: what this agent lists
        (None: the key is left out, as official agents do)."""
        request = {"AgentVersion": agent_version, "RequestedClientActions": [
            {"ActionType": "SessionType",
             "ActionParameters": {"SessionType": "Port", "Properties": properties}}]}
        if capabilities is not None:
            request["PosternCapabilities"] = list(capabilities)
        self.send(json.dumps(request).encode(), HANDSHAKE_REQUEST)
        got = self.wait_for(lambda r: any(t == HANDSHAKE_RESPONSE for t, _ in r))
        response = json.loads(next(p for t, p in got if t == HANDSHAKE_RESPONSE))
        self.capabilities = response.get("PosternCapabilities") or []
        both = set(capabilities or []) & set(self.capabilities)
        self.msg_max = LARGE_MESSAGE if "large-messages" in both else SMALL_MESSAGE
        port = int((properties or {}).get("portNumber", "0"))
        dial = dial or (lambda: socket.create_connection(("127.0.0.1", port), timeout=10))
        # agents that multiplex at all are newer than 3.0.196.0 (the stock
        # plugin's rule), and they do it for LocalPortForwarding sessions
        if ((properties or {}).get("type") == "LocalPortForwarding" and
                version_tuple(agent_version) > (3, 0, 196, 0)):
            self.smux = SmuxServer(self, 2 if "smux-v2" in both else 1, dial)
        self.send(json.dumps({"HandshakeTimeToComplete": 1000000,
                              "CustomerMessage": ""}).encode(), HANDSHAKE_COMPLETE)
        if not self.smux:
            self.basic = BasicRelay(self, dial)
        return response

    def on_input(self, payload_type, payload):
        try:
            if payload_type == FLAG:
                value = struct.unpack(">I", payload)[0]
                with self.cond:
                    self.flags.append(value)
                    self.cond.notify_all()
                if value == DISCONNECT_TO_PORT and self.basic:
                    self.basic.disconnect()
            elif payload_type == OUTPUT and self.smux:
                self.smux.feed(payload)
            elif payload_type == OUTPUT and self.basic:
                self.basic.on_data(payload)
        except Exception as e:          # keep reading; the test looks at errors
            self.errors.append(repr(e))

    def wait_flag(self, value, timeout=20):
        with self.cond:
            assert self.cond.wait_for(lambda: value in self.flags, timeout), self.flags
            return list(self.flags)

    def output_payloads(self):
        """The Output payloads the client sent, in order."""
        with self.cond:
            return [p for t, p in self.received if t == OUTPUT]
