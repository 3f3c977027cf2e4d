"""Port sessions on the agent, end to end: a real broker, a real
postern-agent (its session worker dialing real TCP servers run here on
loopback), and a client written here from the protocol documents
(port_client.py), so the agent is tested independently of postern's own
client.

Covers: the handshake of a Port session; basic mode (echo, DisconnectToPort
and the destination's close each followed by a re-dial on the next data,
official and large message sizes); stdio (SSH) mode ending with the
destination; multiplexed mode in smux v1 (several streams at once, a failed
dial answered with ConnectToPortError and FIN while another stream goes on,
FIN both ways) and v2 (a stalled destination holding up only its own
stream); keepalive NOPs only for old clients; TerminateSession; and sessions
refused for their properties or destination, by the worker and as the
client sees it.
"""
import json
import os
import random
import socket
import subprocess
import threading
import time

import pytest

import wire
from conftest import AGENT
from scripted_port_agent import LARGE_MESSAGE
from port_client import (CONNECT_TO_PORT_ERROR, DISCONNECT_TO_PORT, FIN, TERMINATE_SESSION,
                         PortClient, Smux)
from sigv4_client import post, read_credentials, signed_request

OLD_CLIENT = "1.1.0.0"       # below 1.1.70: basic mode
CLIENT = "1.2.650.0"         # multiplexed, no keepalive
KEEPALIVE_CLIENT = "1.2.0.0"  # a plugin built from source: keepalive on


def api(broker, target, body):
    key, secret = read_credentials(broker.credentials)
    headers, data = signed_request(broker.url, "AmazonSSM." + target, body, key, secret)
    return post(broker.url, headers, data, broker.ca)


def until(predicate, timeout=20, what="it"):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


# ---- destinations ----------------------------------------------------------------

class Destination:
    """A TCP server on 127.0.0.1: each accepted connection runs handler(conn,
    dest) in a thread. Keeps every connection and notes those whose peer
    (the agent) closed them."""

    def __init__(self, handler, rcvbuf=None):
        self.handler = handler
        self.sock = socket.socket()
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self.peer_closed = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.conns.append(conn)
            threading.Thread(target=self._run, args=(conn,), daemon=True).start()

    def _run(self, conn):
        try:
            self.handler(conn, self)
        except OSError:
            pass
        with self.lock:
            self.peer_closed.append(conn)

    def count(self):
        with self.lock:
            return len(self.conns)

    def closed_by_agent(self, conn):
        with self.lock:
            return conn in self.peer_closed

    def stop_listening(self):
        try:  # wakes the accept() under way, which would keep the port open
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()

    def close(self):
        self.stop_listening()
        with self.lock:
            for c in self.conns:
                try:
                    c.close()
                except OSError:
                    pass


def echo(conn, dest):
    while True:
        data = conn.recv(65536)
        if not data:
            return
        conn.sendall(data)


@pytest.fixture
def destinations():
    made = []

    def make(handler=echo, **kw):
        d = Destination(handler, **kw)
        made.append(d)
        return d

    yield make
    for d in made:
        d.close()


# ---- the agent and sessions ------------------------------------------------------------

@pytest.fixture
def host(broker, agent_factory):
    """A running postern-agent: (Agent, instance id)."""
    agent = agent_factory()
    instance_id = agent.register(broker).stdout.splitlines()[-1]
    agent.start()
    deadline = time.monotonic() + 20
    while True:
        _, inv = api(broker, "DescribeInstanceInformation", {})
        if any(i["InstanceId"] == instance_id and i["PingStatus"] == "Online"
               for i in inv.get("InstanceInformationList", [])):
            return agent, instance_id
        assert time.monotonic() < deadline, "the agent never came online"
        time.sleep(0.2)


@pytest.fixture
def sessions(broker, host):
    made = []

    def start(document, parameters, **kw):
        status, started = api(broker, "StartSession", {
            "Target": host[1], "DocumentName": document,
            "Parameters": {k: [str(v)] for k, v in parameters.items()}})
        assert status == 200, started
        pc = PortClient(broker, started, **kw)
        pc.session_id = started["SessionId"]
        made.append(pc)
        return pc

    yield start
    for pc in made:
        pc.close()


def forwarding(sessions, dest, client_version, capabilities=None, **kw):
    pc = sessions("AWS-StartPortForwardingSession", {"portNumber": dest.port}, **kw)
    request = pc.handshake(client_version, capabilities)
    return pc, request


def session_status(broker, session_id):
    for state in ("Active", "History"):
        _, res = api(broker, "DescribeSessions", {"State": state})
        for s in res["Sessions"]:
            if s["SessionId"] == session_id:
                return s["Status"]
    return None


# ---- handshake and basic mode ---------------------------------------------------------------

def test_port_handshake_names_the_properties_and_offers_capabilities(sessions, destinations):
    dest = destinations()
    pc, request = forwarding(sessions, dest, OLD_CLIENT)
    assert request == {
        "AgentVersion": "3.3.0.0",
        "RequestedClientActions": [{"ActionType": "SessionType", "ActionParameters": {
            "SessionType": "Port", "Properties": {
                "portNumber": str(dest.port), "type": "LocalPortForwarding",
                "localPortNumber": "0"}}}],
        "PosternCapabilities": ["smux-v2", "large-messages"]}
    assert json.loads(pc.stream[1][1])["CustomerMessage"] == ""


def test_basic_mode_echo_and_redial(host, sessions, destinations):
    agent = host[0]
    dest = destinations()
    pc, _ = forwarding(sessions, dest, OLD_CLIENT)
    until(lambda: dest.count() == 1, what="the dial at the session's start")

    pc.send_output(b"hello")
    pc.wait(lambda: bytes(pc.output) == b"hello", what="the echo")
    blob = random.randbytes(200_000)
    pc.send_output(blob)
    pc.wait(lambda: len(pc.output) == 5 + len(blob), what="200 kB echoed")
    assert bytes(pc.output[5:]) == blob
    assert max(pc.output_sizes()) == 1024, "official message size without large-messages"

    # the client's connection ended: the agent closes its own, dials on the next data
    pc.flag(DISCONNECT_TO_PORT)
    until(lambda: dest.closed_by_agent(dest.conns[0]), what="the agent closing connection 1")
    assert dest.count() == 1
    pc.send_output(b"again")
    pc.wait(lambda: pc.output.endswith(b"again"), what="the echo after a re-dial")
    assert dest.count() == 2

    # the destination closes: the next data dials again too
    dest.conns[1].shutdown(socket.SHUT_RDWR)
    agent.wait_for("the destination closed the connection")
    pc.send_output(b"third")
    pc.wait(lambda: pc.output.endswith(b"third"), what="the echo after the second re-dial")
    assert dest.count() == 3

    pc.flag(TERMINATE_SESSION)
    assert pc.wait_closed()["Output"] == ""
    until(lambda: dest.closed_by_agent(dest.conns[2]), what="the last connection closed")
    agent.wait_for(f"session {pc.session_id}: the client ended the session")


def test_basic_mode_large_messages(sessions, destinations):
    dest = destinations()
    pc, _ = forwarding(sessions, dest, OLD_CLIENT, ["large-messages"], msg_size=LARGE_MESSAGE)
    blob = random.randbytes(1_000_000)
    pc.send_output(blob)
    pc.wait(lambda: len(pc.output) == len(blob), timeout=60, what="1 MB echoed")
    assert bytes(pc.output) == blob
    sizes = pc.output_sizes()
    assert max(sizes) > 1024 and max(sizes) <= LARGE_MESSAGE, sizes


# ---- stdio (SSH) mode ----------------------------------------------------------------------------

def fake_sshd(conn, dest):
    conn.sendall(b"SSH-2.0-fake\r\n")
    line = b""
    while not line.endswith(b"\n"):
        data = conn.recv(1)
        if not data:
            return
        line += data
    conn.sendall(b"got:" + line)
    conn.close()


def test_stdio_session_ends_when_the_destination_closes(broker, host, sessions, destinations):
    agent = host[0]
    dest = destinations(fake_sshd)
    pc = sessions("AWS-StartSSHSession", {"portNumber": dest.port})
    request = pc.handshake(CLIENT)
    props = request["RequestedClientActions"][0]["ActionParameters"]["Properties"]
    assert props == {"portNumber": str(dest.port)}
    pc.wait(lambda: bytes(pc.output) == b"SSH-2.0-fake\r\n", what="the banner")
    pc.send_output(b"ping\n")
    assert pc.wait_closed()["Output"] == ""
    assert bytes(pc.output) == b"SSH-2.0-fake\r\ngot:ping\n"
    agent.wait_for(f"session {pc.session_id}: the destination closed the connection: the "
                   "session ends")
    until(lambda: session_status(broker, pc.session_id) == "Terminated", what="Terminated")


# ---- multiplexed mode ------------------------------------------------------------------------------

def mux_session(sessions, dest, version=1, client_version=CLIENT):
    caps = ["smux-v2", "large-messages"] if version == 2 else None
    pc, _ = forwarding(sessions, dest, client_version, caps,
                       msg_size=LARGE_MESSAGE if version == 2 else 1024)
    return pc, Smux(pc, version)


def test_mux_v1_several_streams_fin_and_terminate(host, sessions, destinations):
    agent = host[0]
    dest = destinations()
    pc, smux = mux_session(sessions, dest)
    assert dest.count() == 0, "multiplexed sessions dial per stream, not at the start"
    streams = [smux.open() for _ in range(3)]
    assert [s.id for s in streams] == [3, 5, 7]
    sent = [random.randbytes(60_000 + 1000 * i) for i in range(3)]
    for s, data in zip(streams, sent):
        s.write(data)
    for s, data in zip(streams, sent):
        s.wait_data(len(data))
        assert bytes(s.data) == data
    assert dest.count() == 3
    assert max(pc.output_sizes()) <= 1024, "official message size without large-messages"

    # the client ends stream 3: the agent closes its connection and answers FIN
    streams[0].close()
    streams[0].wait_fin()
    until(lambda: len(dest.peer_closed) == 1, what="the agent closing stream 3's connection")
    # the destination ends one: the agent sends FIN for that stream
    survivor = next(c for c in dest.conns if c not in dest.peer_closed)
    survivor.shutdown(socket.SHUT_RDWR)
    pc.wait(lambda: sum(s.fin for s in streams) == 2, what="FIN for the closed connection")
    last = next(s for s in streams if not s.fin)
    last.write(b"still here")
    last.wait_data(len(sent[streams.index(last)]) + 10)

    pc.flag(TERMINATE_SESSION)
    assert pc.wait_closed()["Output"] == ""
    until(lambda: len(dest.peer_closed) == 3, what="every connection closed")
    agent.wait_for(f"session {pc.session_id}: the client ended the session")


def test_mux_failed_dial_is_flagged_and_the_session_goes_on(host, sessions, destinations):
    agent = host[0]
    dest = destinations()
    pc, smux = mux_session(sessions, dest)
    a = smux.open()
    a.write(b"one")
    a.wait_data(3)
    dest.stop_listening()  # stream a keeps its connection; new dials are refused
    b = smux.open()
    b.write(b"lost")
    b.wait_fin()
    assert not b.data
    assert ("flag", CONNECT_TO_PORT_ERROR) in smux.log
    assert smux.log.index(("flag", CONNECT_TO_PORT_ERROR)) < smux.log.index((FIN, b.id))
    assert pc.flags() == [CONNECT_TO_PORT_ERROR]
    a.write(b"two")
    a.wait_data(6)
    assert bytes(a.data) == b"onetwo" and not a.fin and pc.closed is None
    agent.wait_for(f"stream {b.id}: cannot connect to the destination")


def collect(conn, dest):
    data = b""
    while True:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    with dest.lock:
        dest.got.append(data)


def test_mux_data_then_fin_reach_the_destination(sessions, destinations):
    dest = destinations(collect)
    dest.got = []
    pc, smux = mux_session(sessions, dest)
    payload = random.randbytes(900)
    s = smux.open(payload, fin=True)  # SYN, PSH, FIN in one message: before the dial ends
    s.wait_fin()
    until(lambda: dest.got == [payload], what="the data, then the end of the stream")
    assert not s.data


def stall_or_echo(conn, dest):
    """First line "stall": read nothing until dest.release is set, then count
    what arrives; "echo": echo."""
    head = b""
    while not head.endswith(b"\n"):
        head += conn.recv(1)
    if head == b"echo\n":
        return echo(conn, dest)
    dest.release.wait(60)
    while True:
        data = conn.recv(65536)
        if not data:
            return
        dest.stalled_bytes += len(data)


def test_mux_v2_a_stalled_destination_holds_up_only_its_stream(host, sessions, destinations):
    agent = host[0]
    dest = destinations(stall_or_echo, rcvbuf=4096)
    dest.release = threading.Event()
    dest.stalled_bytes = 0
    pc, smux = mux_session(sessions, dest, version=2)
    big = 16 * 1024 * 1024
    stalled = smux.open()
    stalled.write(b"stall\n")
    writer = threading.Thread(target=stalled.write, args=(bytes(big), 120), daemon=True)
    writer.start()
    until(lambda: stalled.room() <= 0, timeout=30, what="the stalled stream's window to fill")

    other = smux.open()
    data = random.randbytes(2_000_000)
    other.write(b"echo\n" + data)
    other.wait_data(len(data), timeout=60)
    assert bytes(other.data) == data
    assert stalled.room() <= 0 and stalled.written < big, "the stalled stream was held back"
    assert writer.is_alive()
    assert any(cmd == 4 for cmd, _ in smux.log if cmd != "flag"), "the agent sent UPD frames"
    sizes = pc.output_sizes()
    assert max(sizes) > 1024 and max(sizes) <= LARGE_MESSAGE, "large messages"

    dest.release.set()
    writer.join(120)
    assert not writer.is_alive()
    until(lambda: dest.stalled_bytes == big, timeout=60, what="the stalled stream's bytes")
    assert pc.closed is None
    assert "Sanitizer" not in agent.output()


def test_mux_keepalive_only_for_old_clients_and_never_a_silence_timeout(sessions, destinations):
    dest = destinations()
    new_pc, new = mux_session(sessions, dest, client_version=CLIENT)
    old_pc, old = mux_session(sessions, dest, client_version=KEEPALIVE_CLIENT)
    old_pc.wait(lambda: old.nops >= 1, timeout=40, what="a NOP for a 1.2.0.0 client")
    assert new.nops == 0, "no NOP for a client newer than 1.2.331.0"
    for smux in (new, old):
        s = smux.open()
        s.write(b"after the silence")
        s.wait_data(17)
    assert new_pc.closed is None and old_pc.closed is None


# ---- refused sessions ---------------------------------------------------------------------------

def worker_run(state_dir, session_type, properties):
    """`postern-agent worker` with a hand-made StartSession (its data channel
    is never reached: these sessions fail before it opens)."""
    start = (wire.pb_field(1, "s-refused") + wire.pb_field(3, session_type) +
             wire.pb_field(7, "wss://127.0.0.1:1/v1/data-channel/s-refused") +
             wire.pb_field(8, "not-a-token") + wire.pb_field(10, properties))
    envelope = wire.pb_field(1, 1) + wire.pb_field(13, start)
    return subprocess.run([str(AGENT), "worker", "--state-dir", str(state_dir)],
                          input=envelope, capture_output=True, timeout=30)


@pytest.mark.parametrize("properties,status,says", [
    ('{"portNumber":"0"}', 8, "portNumber '0' is not a port number (1-65535)"),
    ('{"portNumber":"70000"}', 8, "portNumber '70000' is not a port number (1-65535)"),
    ('{"type":"LocalPortForwarding"}', 8, "the session's properties have no portNumber"),
    ('{"portNumber":22}x', 8, "not a JSON object"),
    ('{"portNumber":"22","host":"169.254.169.254"}', 9,
     "host '169.254.169.254' resolves to 169.254.169.254:22, which port sessions may not reach"),
    ('{"portNumber":"22","host":"fd00:ec2::254"}', 9, "may not reach"),
])
def test_worker_refuses_bad_properties(broker, agent_factory, properties, status, says):
    agent = agent_factory()
    agent.register(broker)
    res = worker_run(agent.state_dir, "Port", properties)
    assert res.returncode == status, res.stderr
    assert says in res.stderr.decode(), res.stderr


def test_denied_destination_fails_the_session_for_the_client(host, sessions):
    agent = host[0]
    pc = sessions("AWS-StartPortForwardingSessionToRemoteHost",
                  {"host": "169.254.169.254", "portNumber": 80})
    closed = pc.wait_closed()
    assert "destination" in closed["Output"], closed
    agent.wait_for("which port sessions may not reach")
    assert not pc.stream, "no handshake for a session refused before it started"
