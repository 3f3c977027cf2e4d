"""postern running port sessions through a real broker against a scripted
agent (scripted_port_agent.py) that relays to Python destination servers:
the mode the client picks from the handshake, the listener and what it prints,
many connections over smux v1 and v2, ConnectToPortError, the basic mode's
one connection at a time and DisconnectToPort, stdio mode for ProxyCommand
use, the TerminateSession flag on Ctrl-C, and the AWS CLI running postern as
its session-manager-plugin for AWS-StartPortForwardingSession."""
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

from client_util import (CLIENT_DIR, POSTERN, start_args,  # noqa: F401
                         env, session_status)
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
def dest():
    d = DestServer()
    yield d
    d.close()


class Client:
    """postern start-session with pipes; stdout lines are collected by a
    thread (unless stdout is raw data, in stdio mode)."""

    def __init__(self, broker, agent, env, document, params, stdin=subprocess.DEVNULL,
                 lines=True, program=None, args=None, preexec=None):
        args = args or start_args(broker, agent.instance_id, "--document-name", document,
                                  "--parameters", params)
        self.proc = subprocess.Popen([str(program or POSTERN), *args], env=env, stdin=stdin,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     start_new_session=True, preexec_fn=preexec)
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


# ---- the handshake -------------------------------------------------------------------

def test_handshake_lists_capabilities_and_keeps_the_properties(broker, agent, env, dest):
    client, response = start(broker, agent, env, dest)
    assert response["ProcessedClientActions"] == [
        {"ActionType": "SessionType", "ActionStatus": 1, "ActionResult": None, "Error": ""}]
    assert response["PosternCapabilities"] == ["exit-code", "smux-v2", "large-messages"]
    client.opened_port(agent.session_id)
    client.signal(signal.SIGINT)
    assert client.finish()[0] == 0


# ---- multiplexed mode ---------------------------------------------------------------

def accepted_line(client, agent):
    assert client.line() == f"Connection accepted for session [{agent.session_id}]"


def client_frames(agent):
    """(version, cmd, stream id, length) of every smux frame the client sent."""
    with agent.smux.cond:
        return list(agent.smux.frames)


def test_v1_many_connections_at_once_in_small_messages(broker, agent, env, dest):
    client, _ = start(broker, agent, env, dest)            # the agent lists nothing
    port = client.opened_port(agent.session_id)
    assert agent.smux.version == 1
    socks = [connect(port) for _ in range(20)]
    accepted_line(client, agent)
    errors = []

    def talk(i, s):
        try:
            echo(s, bytes([i]) * 1000 + pattern(60000 + i))
        except Exception as e:
            errors.append(repr(e))

    threads = [threading.Thread(target=talk, args=(i, s)) for i, s in enumerate(socks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(agent.smux.wait_opened(20)) == list(range(3, 43, 2))
    assert {f[0] for f in client_frames(agent)} == {1}
    assert max(len(p) for p in agent.output_payloads()) <= SMALL_MESSAGE
    for s in socks:
        s.close()
    wait_until(lambda: not agent.smux.streams, what="every stream to be closed")
    assert agent.smux.errors == [] and agent.errors == []
    client.signal(signal.SIGINT)
    assert client.finish()[0] == 0


def test_v2_and_large_messages_between_postern_peers(broker, agent, env, dest):
    client, _ = start(broker, agent, env, dest, capabilities=CAPS)
    port = client.opened_port(agent.session_id)
    assert agent.smux.version == 2
    with connect(port) as s:
        accepted_line(client, agent)
        echo(s, pattern(600000))                  # past the 256 KiB window both ways
    with connect(port) as s:                      # and the destination blasts
        s.sendall(b"BLAST 2000000\n")
        assert recv_exactly(s, 2000000) == pattern(2000000)
    frames = client_frames(agent)
    assert {f[0] for f in frames} == {2}
    assert any(f[1] == 4 for f in frames), "the client never sent a window update"
    sizes = [len(p) for p in agent.output_payloads()]
    assert SMALL_MESSAGE < max(sizes) <= LARGE_MESSAGE
    assert agent.smux.errors == [] and agent.errors == []
    client.signal(signal.SIGINT)
    assert client.finish()[0] == 0


@pytest.mark.parametrize("capabilities", [None, CAPS], ids=["v1", "v2"])
def test_a_reader_that_stalls(broker, agent, env, dest, capabilities):
    """One local application stops reading while the destination sends it a
    lot. v2: the other connections go on meanwhile. v1: every stream waits
    (as with official peers) and nothing is lost once it reads again."""
    client, _ = start(broker, agent, env, dest, capabilities=capabilities)
    port = client.opened_port(agent.session_id)
    size = 32 * 1024 * 1024                       # well past what the kernel buffers
    stalled = connect(port, timeout=120)
    stalled.sendall(b"BLAST %d\n" % size)
    accepted_line(client, agent)
    if capabilities:                              # the agent waits for a window update
        wait_until(lambda: 3 in agent.smux.streams and
                   agent.smux._room(agent.smux.streams[3]) <= 0, timeout=60,
                   what="the stalled stream's window to fill")
    else:                                         # the client refuses the agent's output
        wait_until(lambda: agent.resends > 0, timeout=60, what="the client to refuse output")
    other = connect(port, timeout=120)
    result = []
    t = threading.Thread(target=lambda: result.append(echo(other, pattern(300000)) or "ok"))
    t.start()
    if capabilities:
        t.join(60)
        assert result == ["ok"], "the other connection waited for the stalled one"
        assert agent.smux.streams[3].written < size, "the stall was over early"
    assert recv_exactly(stalled, size) == pattern(size)
    t.join(60)
    assert result == ["ok"]
    assert agent.smux.errors == [] and agent.errors == []
    client.signal(signal.SIGINT)
    assert client.finish()[0] == 0


def test_connect_to_port_error_closes_only_that_connection(broker, agent, env, dest):
    dials = []

    def dial():
        dials.append(1)
        if len(dials) == 2:
            raise ConnectionRefusedError("no")
        return socket.create_connection(("127.0.0.1", dest.port), timeout=10)

    client = Client(broker, agent, env, FORWARD, f"portNumber={dest.port},localPortNumber=0")
    order = agent.accept()
    agent.port_handshake(json.loads(order["properties"]), dial=dial)
    port = client.opened_port(agent.session_id)
    first = connect(port)
    echo(first, b"one")
    accepted_line(client, agent)
    second = connect(port)
    second.sendall(b"never")
    assert second.recv(10) == b""                 # closed by the client after the FIN
    third = connect(port)
    echo(third, b"three")
    echo(first, b"still one")
    client.signal(signal.SIGINT)
    status, err = client.finish()
    assert status == 0
    assert ("postern: the agent could not connect to the destination port "
            f"{dest.port} for a new connection") in err
    assert err.count("ConnectToPortError") == 1


def test_ctrl_c_sends_the_flag_and_closes_everything(broker, agent, env, dest):
    client, _ = start(broker, agent, env, dest)
    port = client.opened_port(agent.session_id)
    s = connect(port)
    echo(s, b"before")
    client.signal(signal.SIGINT)
    status, err = client.finish()
    assert status == 0
    assert err == ("Terminate signal received, exiting.\n"
                   f"Exiting session with sessionId: {agent.session_id}.\n")
    assert agent.wait_flag(TERMINATE_SESSION) == [TERMINATE_SESSION]
    assert s.recv(10) == b""                      # the local connection was closed
    with pytest.raises(OSError):
        connect(port, timeout=5)
    wait_until(lambda: session_status(broker, agent.session_id) == "Terminated",
               what="the broker to end the session")


def test_out_of_descriptors_connections_wait_in_the_backlog(broker, agent, env, dest):
    """With few descriptors allowed, connections beyond them wait in the
    listener's backlog (accepting rests a moment after each failure) and are
    taken as others close."""
    import resource
    client, _ = start(broker, agent, env, dest, preexec=lambda: resource.setrlimit(
        resource.RLIMIT_NOFILE, (40, 40)))
    port = client.opened_port(agent.session_id)
    socks = [connect(port) for _ in range(50)]   # more than the client can hold open
    accepted_line(client, agent)
    echo(socks[0], b"first")
    for s in socks[:30]:
        s.close()
    for i, s in enumerate(socks[30:]):
        echo(s, b"waited %d" % i)
    client.signal(signal.SIGINT)
    assert client.finish()[0] == 0


def test_keepalive_only_for_old_agents(broker, agent, env, dest):
    client, _ = start(broker, agent, env, dest, agent_version="3.1.1511.0")
    client.opened_port(agent.session_id)
    wait_until(lambda: any(f[1] == 3 and f[2] == 0 for f in client_frames(agent)),
               timeout=40, what="a NOP")
    client.signal(signal.SIGTERM)
    assert client.finish()[0] == 0


def test_piped_stdio_over_one_smux_stream(broker, agent, env, dest):
    """ProxyCommand use of AWS-StartPortForwardingSession with a current
    agent: the agent multiplexes, so stdin and stdout become one stream."""
    client, _ = start(broker, agent, env, dest, params=f"portNumber={dest.port}",
                      stdin=subprocess.PIPE, lines=False)
    data = pattern(200000)
    relay_stdio(client, agent, data)
    status, err = client.finish()
    assert status == 0, err
    assert err == ""
    assert client.proc.stdout.read() == b""
    assert agent.smux.wait_opened(1) == [3]
    assert agent.wait_flag(TERMINATE_SESSION) == [TERMINATE_SESSION]
    assert (1, 1, 3, 0) in client_frames(agent)   # FIN after stdin's end


def test_piped_stdio_ends_when_the_destination_closes(broker, agent, env, dest):
    client, _ = start(broker, agent, env, dest, params=f"portNumber={dest.port}",
                      capabilities=CAPS, stdin=subprocess.PIPE, lines=False)
    client.proc.stdin.write(b"BLAST 3000000\n")
    client.proc.stdin.flush()
    out = client.proc.stdout.read()               # until the client exits
    status, err = client.finish()
    assert status == 0, err
    assert out == pattern(3000000)


def test_aws_cli_runs_postern_for_port_forwarding(broker, agent, env, dest):
    local = socket.socket()
    local.bind(("127.0.0.1", 0))
    wanted = local.getsockname()[1]
    local.close()
    env = dict(env, PATH=f"{CLIENT_DIR}:{os.environ['PATH']}")
    client = Client(broker, agent, env, FORWARD, None, program=AWS, args=[
        "ssm", "start-session", "--target", agent.instance_id, "--endpoint-url", broker.url,
        "--document-name", FORWARD, "--parameters",
        f"portNumber={dest.port},localPortNumber={wanted}"])
    order = agent.accept()
    assert json.loads(order["properties"])["localPortNumber"] == str(wanted)
    agent.port_handshake(json.loads(order["properties"]))
    assert client.opened_port(agent.session_id) == wanted
    with connect(wanted) as s:
        echo(s, b"through the AWS CLI")
    client.signal(signal.SIGINT)                  # the CLI ignores it; the plugin ends
    status, err = client.finish(timeout=60)
    assert status == 0, err
    assert agent.wait_flag(TERMINATE_SESSION) == [TERMINATE_SESSION]


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
