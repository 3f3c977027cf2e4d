"""The agent's side of one session, scripted, for testing the client against a
real broker: a FakeAgent (registration and control channel) plus one data
channel on which the test drives the handshake, sends numbered output and
exit codes, and reads back — acknowledged and in order — what the client sent.
"""
import json
import threading
import time

import wire
from fake_agent import FakeAgent

OUTPUT, SIZE, HANDSHAKE_REQUEST, HANDSHAKE_RESPONSE, HANDSHAKE_COMPLETE = 1, 3, 5, 6, 7
FLAG, STDERR, EXIT_CODE = 10, 11, 12


class ScriptedAgent(FakeAgent):
    def __init__(self, broker, tmp_path):
        super().__init__(broker, tmp_path)
        self.ws = None
        self.session_id = None
        self.seq = 0                 # next output_stream_data sequence number
        self.received = []           # (payload_type, payload) of input_stream_data, in order
        self.expected = 0            # next input sequence number
        self.acked = set()           # output sequence numbers the client acknowledged
        self.closed = threading.Event()
        self.cond = threading.Condition()
        self.send_lock = threading.Lock()

    # ---- the data channel ----------------------------------------------------

    def accept(self, timeout=15):
        """Wait for the broker to announce a session and open its data channel."""
        assert self.got_start.wait(timeout), "the broker never started a session"
        start = self.starts[-1]
        self.got_start.clear()
        self.session_id = start["session_id"]
        self.ws = self.open_data_channel(start)
        self.ws.settimeout(None)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        return start

    def _send(self, frame):
        with self.send_lock:
            self.ws.send_binary(frame)

    def _read(self):
        while True:
            try:
                frame = wire.decode_frame(self.ws.recv())
            except Exception:
                self.closed.set()
                with self.cond:
                    self.cond.notify_all()
                return
            if frame["type"] == "channel_closed":
                self.closed.set()
            if frame["type"] == "acknowledge":
                ack = json.loads(frame["payload"])
                with self.cond:
                    self.acked.add(ack["AcknowledgedMessageSequenceNumber"])
                    self.cond.notify_all()
            if frame["type"] != "input_stream_data":
                continue
            assert frame["digest_ok"], frame
            self._send(wire.ack_for(frame))
            fresh = False
            with self.cond:
                if frame["seq"] == self.expected:  # the client never reorders on a socket
                    self.expected += 1
                    self.received.append((frame["payload_type"], frame["payload"]))
                    self.cond.notify_all()
                    fresh = True
            if fresh:
                self.on_input(frame["payload_type"], frame["payload"])

    def on_input(self, payload_type, payload):
        """Each new input message, in order, after it was acknowledged (for
        subclasses that act on what the client sends)."""

    def send(self, payload, payload_type=OUTPUT):
        flags = 1 if self.seq == 0 else 0
        self._send(wire.encode_frame("output_stream_data", payload, seq=self.seq, flags=flags,
                                     payload_type=payload_type))
        self.seq += 1

    def wait_for(self, predicate, timeout=10):
        """Wait until predicate(received) is true; returns received."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while not predicate(self.received):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"client never sent what was expected: {self.received}")
                self.cond.wait(left)
            return list(self.received)

    def input_bytes(self):
        with self.cond:
            return b"".join(p for t, p in self.received if t == OUTPUT)

    def wait_input(self, data, timeout=10):
        """Wait until the keystrokes received so far contain data."""
        self.wait_for(lambda r: data in b"".join(p for t, p in r if t == OUTPUT), timeout)

    def sizes(self):
        with self.cond:
            return [json.loads(p) for t, p in self.received if t == SIZE]

    # ---- session steps ---------------------------------------------------------

    def handshake(self, session_type="Standard_Stream", extra_actions=(), customer_message=""):
        """Send HandshakeRequest, return the client's HandshakeResponse (parsed),
        then send HandshakeComplete."""
        actions = [{"ActionType": "SessionType",
                    "ActionParameters": {"SessionType": session_type, "Properties": None}}]
        actions += list(extra_actions)
        self.send(json.dumps({"AgentVersion": "3.3.0.0",
                              "RequestedClientActions": actions}).encode(), HANDSHAKE_REQUEST)
        got = self.wait_for(lambda r: any(t == HANDSHAKE_RESPONSE for t, _ in r))
        response = json.loads(next(p for t, p in got if t == HANDSHAKE_RESPONSE))
        self.send(json.dumps({"HandshakeTimeToComplete": 1000000,
                              "CustomerMessage": customer_message}).encode(), HANDSHAKE_COMPLETE)
        return response

    def drain(self, timeout=30):
        """Wait until the client acknowledged every output message (as the
        official agent waits for its unacknowledged list to empty)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.acked) < self.seq and not self.closed.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"client acked {len(self.acked)} of {self.seq}")
                self.cond.wait(left)

    def exit(self, code):
        """The shell exits: its exit code, then — once the client has it all —
        the end of the session, which the broker turns into channel_closed."""
        self.send(f"EXIT_CODE: {code}".encode(), EXIT_CODE)
        self.drain()
        self.end()

    def end(self):
        self._send(wire.encode_frame("agent_session_state", json.dumps(
            {"SchemaVersion": 1, "SessionState": "Terminating",
             "SessionId": self.session_id}).encode()))
