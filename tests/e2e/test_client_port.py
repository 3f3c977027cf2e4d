"""postern running port sessions through a real broker against a scripted
agent (scripted_port_agent.py) that relays to Python destination servers:
stdio mode for ProxyCommand use, exact bytes both ways, and its end; the basic
mode's one connection at a time, DisconnectToPort, and the TerminateSession
flag (or API) on Ctrl-C."""
import json
import os
import queue
import signal
import socket
import stat
import subprocess
import threading
import time

import pytest

from client_util import CLIENT_DIR, POSTERN, client_env, start_args
from conftest import AWS
from scripted_agent import FLAG, OUTPUT
from scripted_port_agent import (CONNECT_TO_PORT_ERROR, DISCONNECT_TO_PORT, LARGE_MESSAGE,
                                 SMALL_MESSAGE, TERMINATE_SESSION, DestServer,
                                 ScriptedPortAgent, pattern)

FORWARD = "AWS-StartPortForwardingSession"
SSH = "AWS-StartSSHSession"
CAPS = ["smux-v2", "large-messages"]


@pytest.fixture
def agent(broker, tmp_path):
    a = ScriptedPortAgent(broker, tmp_path).connect()
    yield a
    a.close()


@pytest.fixture
def env(broker, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    return client_env(broker, home)


@pytest.fixture
def dest():
    d = DestServer()
    yield d
    d.close()


class Client:
    """postern start-session with pipes; stdout lines are collected by a
    thread (unless stdout is raw data, in stdio mode)."""

    def __init__(self, broker, agent, env, document, params, stdin=subprocess.DEVNULL,
                 lines=True, program=None, args=None):
        args = args or start_args(broker, agent.instance_id, "--document-name", document,
                                  "--parameters", params)
        self.proc = subprocess.Popen([str(program or POSTERN), *args], env=env, stdin=stdin,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     start_new_session=True)
        self.lines = queue.Queue()
        if lines:
            threading.Thread(target=self._read_lines, daemon=True).start()

    def _read_lines(self):
        for line in self.proc.stdout:
            self.lines.put(line.decode().rstrip("\n"))
        self.lines.put(None)

    def line(self, timeout=20):
        got = self.lines.get(timeout=timeout)
        assert got is not None, "stdout ended: " + self.proc.stderr.read().decode()
        return got

    def opened_port(self, session_id):
        first = self.line()
        prefix = "Port "
        assert first.startswith(prefix) and first.endswith(f" opened for sessionId {session_id}."), first
        assert self.line() == "Waiting for connections..."
        return int(first[len(prefix):].split()[0])

    def signal(self, sig):
        os.killpg(self.proc.pid, sig)

    def finish(self, timeout=30):
        self.proc.wait(timeout=timeout)
        return self.proc.returncode, self.proc.stderr.read().decode()


def start(broker, agent, env, dest, document=FORWARD, params=None, agent_version="3.3.0.0",
          capabilities=None, properties=None, **kw):
    """A client and the agent's side of its session, through the handshake."""
    params = params or f"portNumber={dest.port},localPortNumber=0"
    client = Client(broker, agent, env, document, params, **kw)
    order = agent.accept()
    props = json.loads(order["properties"]) if properties is None else properties
    response = agent.port_handshake(props, agent_version=agent_version,
                                    capabilities=capabilities)
    return client, response


def connect(port, timeout=20):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.settimeout(timeout)
    return s


def recv_exactly(sock, n):
    out = bytearray()
    while len(out) < n:
        chunk = sock.recv(n - len(out))
        assert chunk, f"closed after {len(out)} of {n} bytes"
        out += chunk
    return bytes(out)


def echo(sock, data):
    sock.sendall(data)
    assert recv_exactly(sock, len(data)) == data


def wait_until(predicate, timeout=20, what="condition"):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def session_status(broker, session_id):
    for state in ("Active", "History"):
        res = json.loads(broker.aws("ssm", "describe-sessions", "--state", state).stdout)
        for s in res["Sessions"]:
            if s["SessionId"] == session_id:
                return s["Status"]
    return None


# ---- stdio mode ---------------------------------------------------------------------

def relay_stdio(client, agent, data):
    """Write data to the client's stdin and read it back from its stdout
    (through the agent and an echo server), then close stdin."""
    got = bytearray()

    def read():
        while len(got) < len(data):
            chunk = client.proc.stdout.read1(65536)
            if not chunk:
                return
            got.extend(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    client.proc.stdin.write(data)
    client.proc.stdin.flush()
    reader.join(60)
    assert bytes(got) == data
    client.proc.stdin.close()


def test_stdio_mode_relays_bytes_exactly_and_ends_on_eof(broker, agent, env, dest):
    client, _ = start(broker, agent, env, dest, document=SSH, params=f"portNumber={dest.port}",
                      stdin=subprocess.PIPE, lines=False)
    assert agent.basic and not agent.smux      # the agent's side is basic mode
    data = pattern(300000) + b"\n\r\n\x00\xff"
    relay_stdio(client, agent, data)
    status, err = client.finish()
    assert status == 0, err
    assert client.proc.stdout.read() == b""    # nothing but the data on stdout
    assert err == ""                           # and nothing on stderr either
    assert agent.wait_flag(TERMINATE_SESSION) == [TERMINATE_SESSION]  # after all the data
    assert b"".join(agent.output_payloads()) == data
    assert max(len(p) for p in agent.output_payloads()) <= SMALL_MESSAGE


def test_piped_stdio_without_a_local_port_relays_even_a_forwarding_document(
        broker, agent, env, dest):
    """ProxyCommand use of AWS-StartPortForwardingSession: stdin and stdout are
    pipes and no localPortNumber was given. An agent too old to multiplex
    speaks raw bytes."""
    client, _ = start(broker, agent, env, dest, params=f"portNumber={dest.port}",
                      agent_version="3.0.196.0", stdin=subprocess.PIPE, lines=False)
    relay_stdio(client, agent, b"SSH-2.0-test\r\n" + pattern(5000))
    status, err = client.finish()
    assert status == 0, err
    assert agent.wait_flag(TERMINATE_SESSION) == [TERMINATE_SESSION]


def test_stdio_mode_ends_when_the_agent_ends_the_session(broker, agent, env, dest):
    client, _ = start(broker, agent, env, dest, document=SSH, params=f"portNumber={dest.port}",
                      stdin=subprocess.PIPE, lines=False)
    relay_stdio_open = b"hello"
    client.proc.stdin.write(relay_stdio_open)
    client.proc.stdin.flush()
    assert client.proc.stdout.read(5) == b"hello"
    agent.end()                                # as after sshd closed the connection
    status, err = client.finish()
    assert status == 0, err
    assert err == ""


# ---- basic mode -----------------------------------------------------------------------

def test_basic_mode_one_connection_at_a_time(broker, agent, env):
    dest = DestServer(banner=b"banner\n")
    client, _ = start(broker, agent, env, dest, agent_version="3.0.196.0")
    port = client.opened_port(agent.session_id)
    # the agent dialed at once and sent the banner: left unacknowledged until a
    # connection exists, so the agent has to resend it
    wait_until(lambda: agent.resends >= 2, what="the agent to resend the banner")
    assert not agent.output_payloads()
    first = connect(port)
    assert client.line() == f"Connection accepted for session {agent.session_id}."
    assert recv_exactly(first, 7) == b"banner\n"
    echo(first, b"ping")
    second = connect(port)                     # waits in the backlog meanwhile
    echo(first, pattern(100000))
    first.close()
    agent.wait_flag(DISCONNECT_TO_PORT)
    assert client.line() == f"Connection accepted for session {agent.session_id}."
    second.sendall(b"again")                   # the agent re-dials on the next data
    assert recv_exactly(second, 12) == b"banner\nagain"
    assert agent.basic.dials == 2
    client.signal(signal.SIGINT)
    status, err = client.finish()
    assert status == 0
    assert "Terminate signal received, exiting." in err
    assert f"Exiting session with sessionId: {agent.session_id}." in err
    assert agent.wait_flag(TERMINATE_SESSION) == [DISCONNECT_TO_PORT, TERMINATE_SESSION]
    with pytest.raises(OSError):
        connect(port, timeout=5)
    dest.close()


def test_basic_mode_with_an_agent_too_old_for_the_flag_uses_the_api(broker, agent, env, dest):
    client, _ = start(broker, agent, env, dest, agent_version="2.3.722.0")
    client.opened_port(agent.session_id)
    client.signal(signal.SIGTERM)
    status, err = client.finish()
    assert status == 0, err
    wait_until(lambda: session_status(broker, agent.session_id) == "Terminated",
               what="the session to be terminated")
    assert agent.flags == []                   # the TerminateSession API ended it


def test_unix_socket_listener(broker, agent, env, dest, tmp_path):
    path = tmp_path / "forward.sock"
    client, _ = start(broker, agent, env, dest, agent_version="3.0.196.0", properties={
        "portNumber": str(dest.port), "type": "LocalPortForwarding",
        "localConnectionType": "unix", "localUnixSocket": str(path)})
    assert client.line() == f"Unix socket {path} opened for sessionId {agent.session_id}."
    assert client.line() == "Waiting for connections..."
    assert stat.S_ISSOCK(path.stat().st_mode) and stat.S_IMODE(path.stat().st_mode) == 0o600
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(20)
        s.connect(str(path))
        echo(s, b"over a unix socket")
    client.signal(signal.SIGINT)
    assert client.finish()[0] == 0
    assert not path.exists()
