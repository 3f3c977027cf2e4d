"""The agent's session worker, end to end: a real broker, the real worker
(agent-side/worker*.c, pty_shell.c) started through worker_spawn(), and a
client played here with websocket-client and wire.py.

The control channel is held by the fake agent (fake_agent.py), which receives
the broker's StartSession — token included — exactly as the real agent will;
it hands the StartSession to worker_host (tests/e2e/worker_host.c, built here
from the agent's library), which does what the agent's control client is
going to do: worker_spawn() it and worker_reap() it. `postern-agent run`
does not start workers yet (its StartSession handling is the hook named in
worker.h), so this is the closest to the real thing until it does.

Sessions run a real login shell: as root that is the user ssm-user, created
on first use as Session Manager does.
"""
import json
import os
import re
import select
import shutil
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest
import websocket

import wire
from conftest import ROOT
from fake_agent import FakeAgent
from sigv4_client import post, read_credentials, signed_request

LIB = ROOT / "build" / "lib"
HOST_SRC = ROOT / "tests" / "e2e" / "worker_host.c"

OUTPUT, SIZE, HS_REQUEST, HS_RESPONSE, HS_COMPLETE, EXIT_CODE = 1, 3, 5, 6, 7, 12


# ---- the worker host -----------------------------------------------------------

SAN_FLAGS = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all",
             "-fno-omit-frame-pointer"]


@pytest.fixture(scope="session")
def worker_host(tmp_path_factory):
    """worker_host built from the agent's library; with POSTERN_E2E_SANITIZE=1
    from the sanitizer objects of `make asan` instead, and every test then
    fails on a sanitizer report in a worker's log."""
    sanitize = os.environ.get("POSTERN_E2E_SANITIZE") == "1"
    if sanitize:
        asan = ROOT / "build" / "asan"
        srcs = [p for d in ("agent-side", "proto") for p in (ROOT / d).glob("*.c")
                if p.name != "main.c"]
        objs = [asan / p.parent.name / (p.stem + ".o") for p in srcs]
        objs.append(asan / "gen" / "control.pb-c.o")
        if not all(p.exists() for p in objs):
            pytest.skip("run `make asan` first: sanitizer objects missing")
        libs, extra = objs, SAN_FLAGS
    else:
        libs = [LIB / "libpostern-postern-agent.a", LIB / "libpostern-proto.a"]
        if not all(p.exists() for p in libs):
            pytest.skip("build the tree first (make): the agent's library is missing")
        extra = []
    out = tmp_path_factory.mktemp("host") / "worker_host"
    pkg = subprocess.run(["pkg-config", "--libs", "libwebsockets", "openssl", "jansson",
                          "libprotobuf-c"], capture_output=True, text=True, check=True)
    subprocess.run(["cc", "-std=c11", "-D_POSIX_C_SOURCE=200809L", "-D_DEFAULT_SOURCE",
                    "-Wall", "-Wextra", "-Werror", *extra, f"-I{ROOT / 'agent-side'}",
                    f"-I{ROOT / 'proto'}", f"-I{ROOT / 'build' / 'gen'}", "-o", str(out),
                    str(HOST_SRC), *map(str, libs), *pkg.stdout.split()], check=True)
    return out


class StartCatcher(FakeAgent):
    """The fake agent, keeping each StartSession's raw bytes by session id."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.raw_starts = {}
        self.cond = threading.Condition()

    def _listen(self):
        while True:
            try:
                msg = self.control.recv()
            except Exception:
                return
            env = wire.pb_decode(msg)
            if 13 in env:
                raw = env[13][0]
                sid = wire.pb_decode(raw)[1][0].decode()
                with self.cond:
                    self.raw_starts[sid] = raw
                    self.cond.notify_all()

    def wait_start(self, session_id, timeout=10):
        with self.cond:
            assert self.cond.wait_for(lambda: session_id in self.raw_starts, timeout), \
                f"no StartSession for {session_id}"
            return self.raw_starts.pop(session_id)


@pytest.fixture
def agent(broker, tmp_path):
    a = StartCatcher(broker, tmp_path).connect()
    yield a
    a.close()


@pytest.fixture
def state_dir(broker, agent, tmp_path):
    """The agent's state directory as `postern-agent register` leaves it."""
    d = tmp_path / "agent-state"
    d.mkdir(mode=0o700)
    (d / "agent.conf").write_text(f"broker {broker.url}\ninstance-id {agent.instance_id}\n")
    shutil.copy(agent.key, d / "key.pem")
    os.chmod(d / "key.pem", 0o600)
    shutil.copy(agent.cert, d / "cert.pem")
    shutil.copy(broker.ca, d / "ca.pem")
    return d


def read_line(stream, timeout):
    ready, _, _ = select.select([stream], [], [], timeout)
    assert ready, f"nothing from the worker host within {timeout} s"
    return stream.readline().decode()


# ---- the client ------------------------------------------------------------------

def api(broker, target, body):
    key, secret = read_credentials(broker.credentials)
    headers, data = signed_request(broker.url, "AmazonSSM." + target, body, key, secret)
    return post(broker.url, headers, data, broker.ca)


class Client:
    """A data-channel client: acknowledges and orders the agent's stream,
    numbers its own, keeps what it saw."""

    def __init__(self, broker, started):
        self.ws = websocket.create_connection(
            started["StreamUrl"], timeout=10,
            sslopt={"ca_certs": broker.ca, "cert_reqs": ssl.CERT_REQUIRED})
        self.ws.send(wire.open_data_channel(started["TokenValue"]))
        self.seq = 0
        self.expected = 0
        self.stream = []        # the agent's stream messages, in order
        self.output = bytearray()
        self.closed = None      # channel_closed payload, once it came

    def send(self, payload_type, payload):
        self.ws.send_binary(wire.encode_frame("input_stream_data", payload, seq=self.seq,
                                              flags=0, payload_type=payload_type))
        self.seq += 1

    def type(self, text):
        self.send(OUTPUT, text.encode() if isinstance(text, str) else text)

    def pump(self, timeout):
        """Handle one incoming frame (or none within timeout)."""
        self.ws.settimeout(timeout)
        try:
            f = wire.decode_frame(self.ws.recv())
        except websocket.WebSocketTimeoutException:
            return
        assert f["digest_ok"], f
        if f["type"] == "output_stream_data":
            self.ws.send_binary(wire.ack_for(f))
            if f["seq"] == self.expected:  # the broker keeps order; resends are duplicates
                self.expected += 1
                self.stream.append(f)
                if f["payload_type"] == OUTPUT:
                    self.output += f["payload"]
        elif f["type"] == "channel_closed":
            self.closed = json.loads(f["payload"])

    def until(self, done, timeout=15, what="it"):
        deadline = time.monotonic() + timeout
        while not done():
            left = deadline - time.monotonic()
            assert left > 0, f"timed out waiting for {what}; output so far: {bytes(self.output)!r}"
            assert self.closed is None or done(), f"channel closed first: {self.closed}"
            self.pump(min(left, 0.5))

    def handshake(self, capabilities=("exit-code",), status=1):
        self.until(lambda: self.stream, what="the HandshakeRequest")
        req = self.stream[0]
        body = {"ClientVersion": "0.1.0",
                "ProcessedClientActions": [{"ActionType": "SessionType", "ActionStatus": status,
                                            "ActionResult": None, "Error": ""}],
                "Errors": None}
        if capabilities is not None:
            body["PosternCapabilities"] = list(capabilities)
        self.send(HS_RESPONSE, json.dumps(body, separators=(",", ":")).encode())
        return req

    def wait_complete(self):
        self.until(lambda: any(f["payload_type"] == HS_COMPLETE for f in self.stream),
                   what="HandshakeComplete")

    def close(self):
        self.ws.close()


class Session:
    def __init__(self, broker, agent, host, state_dir, log_dir):
        status, self.started = api(broker, "StartSession", {"Target": agent.instance_id})
        assert status == 200, self.started
        self.id = self.started["SessionId"]
        self.client = Client(broker, self.started)  # attaching makes the broker dispatch
        raw = agent.wait_start(self.id)
        self.log_path = Path(log_dir) / f"worker-{self.id}.log"
        self.log = open(self.log_path, "wb")
        self.host = subprocess.Popen([str(host), "spawn", "--state-dir", str(state_dir)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self.log)
        self.host.stdin.write(wire.pb_field(1, 1) + wire.pb_field(13, raw))
        self.host.stdin.close()
        line = read_line(self.host.stdout, 10)
        assert line.startswith("worker "), line + self.worker_log()
        self.worker_pid = int(line.split()[1])

    def worker_log(self):
        return self.log_path.read_text(errors="replace")

    def wait_exit(self, timeout=15):
        """The worker's exit status as worker_reap reported it, and the reason."""
        line = read_line(self.host.stdout, timeout)
        _, pid, status, failed, *reason = line.split(" ", 4)
        assert int(pid) == self.worker_pid, line
        self.host.wait(5)
        self.log.close()
        return int(status), " ".join(reason).strip()

    def open_shell(self, cols=123, rows=45, capabilities=("exit-code",)):
        req = self.client.handshake(capabilities)
        self.client.wait_complete()
        self.client.send(SIZE, json.dumps({"cols": cols, "rows": rows}).encode())
        return req

    def kill(self):
        if self.host.poll() is None:
            self.host.kill()
            self.host.wait()
        try:
            os.kill(self.worker_pid, 9)
        except ProcessLookupError:
            pass
        self.client.close()


@pytest.fixture
def sessions(broker, agent, worker_host, state_dir, tmp_path):
    made = []

    def make():
        s = Session(broker, agent, worker_host, state_dir, tmp_path)
        made.append(s)
        return s

    yield make
    for s in made:
        s.kill()
    for s in made:
        log = s.worker_log()
        assert "Sanitizer" not in log and "runtime error" not in log, log


def shell_pid(client):
    """Have the shell print its pid and return it."""
    client.until(lambda: re.search(rb"[\r\n]pid=(\d+)\r\n", client.output),
                 what="the shell's pid")
    return int(re.search(rb"[\r\n]pid=(\d+)\r\n", client.output).group(1))


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie is dead too
        return f.read().split(") ", 1)[1][0] != "Z"


def wait_gone(pid, timeout=5):
    deadline = time.monotonic() + timeout
    while pid_alive(pid):
        assert time.monotonic() < deadline, f"process {pid} is still alive"
        time.sleep(0.05)


# ---- the tests ---------------------------------------------------------------------

def test_shell_session_from_handshake_to_exit_code(broker, sessions):
    s = sessions()
    req = s.open_shell()
    assert req["seq"] == 0 and req["flags"] == 1 and req["payload_type"] == HS_REQUEST
    assert json.loads(req["payload"]) == {
        "AgentVersion": "3.3.0.0",
        "RequestedClientActions": [{"ActionType": "SessionType", "ActionParameters": {
            "SessionType": "Standard_Stream", "Properties": None}}],
        "PosternCapabilities": ["smux-v2", "large-messages"]}
    complete = next(f for f in s.client.stream if f["payload_type"] == HS_COMPLETE)
    assert complete["seq"] == 1
    assert json.loads(complete["payload"])["CustomerMessage"] == ""

    s.client.type("id -un; echo $((6*7)); stty size; exit 7\r")
    s.client.until(lambda: s.client.closed is not None, what="channel_closed")
    out = bytes(s.client.output)
    assert b"\n42\r\n45 123\r\n" in out, out
    if os.geteuid() == 0:
        assert b"ssm-user\r\n42\r\n" in out, out
    types = [f["payload_type"] for f in s.client.stream]
    assert types[-1] == EXIT_CODE, types
    assert s.client.stream[-1]["payload"] == b"EXIT_CODE: 7"
    assert s.client.closed["Output"] == "" and s.client.closed["SessionId"] == s.id
    assert s.wait_exit() == (0, "")
    status, hist = api(broker, "DescribeSessions", {"State": "History"})
    assert [x["Status"] for x in hist["Sessions"] if x["SessionId"] == s.id] == ["Terminated"]


def test_ctrl_c_interrupts_the_foreground_job_and_the_session_goes_on(sessions):
    s = sessions()
    s.open_shell()
    s.client.type("sleep 100\r")
    time.sleep(0.5)
    s.client.type(b"\x03")
    s.client.type("echo after-$((2+3))\r")
    s.client.until(lambda: b"after-5\r\n" in s.client.output, timeout=10,
                   what="the prompt after Ctrl-C")
    s.client.type("exit\r")
    s.client.until(lambda: s.client.closed is not None, what="channel_closed")
    assert s.client.stream[-1]["payload"] == b"EXIT_CODE: 0"
    assert s.wait_exit() == (0, "")


def test_twenty_concurrent_sessions_each_get_their_own_output(sessions):
    opened = [sessions() for _ in range(20)]
    errors = []

    def run(i, s):
        try:
            s.open_shell()
            s.client.type(f"echo marker-$(({i} * 1000 + 7)); exit {i}\r")
            s.client.until(lambda: s.client.closed is not None, timeout=30,
                           what=f"session {i} to end")
            out = bytes(s.client.output)
            assert f"marker-{i * 1000 + 7}\r\n".encode() in out, out
            others = [j for j in range(20) if j != i and f"marker-{j * 1000 + 7}\r\n".encode() in out]
            assert not others, f"session {i} saw the output of {others}"
            assert s.client.stream[-1]["payload"] == f"EXIT_CODE: {i}".encode()
        except Exception as e:  # noqa: BLE001 — reported below
            errors.append(f"session {i}: {e}")

    threads = [threading.Thread(target=run, args=(i, s)) for i, s in enumerate(opened)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, "\n".join(errors)
    assert [s.wait_exit()[0] for s in opened] == [0] * 20


def test_large_output_in_big_messages_with_characters_whole(sessions):
    s = sessions()
    s.open_shell()
    # printf's octal escapes keep the characters out of the echoed command line
    s.client.type("for i in $(seq 20000); do printf '\\303\\251\\342\\202\\254"
                  "\\360\\237\\230\\200'; done; echo; exit\r")
    s.client.until(lambda: s.client.closed is not None, timeout=60, what="the end")
    payloads = [f["payload"] for f in s.client.stream if f["payload_type"] == OUTPUT]
    for p in payloads:
        p.decode("utf-8")  # no message splits a character
    assert max(len(p) for p in payloads) > 1024, "more than the official 1 KiB per message"
    assert max(len(p) for p in payloads) <= 16 * 1024 + 3
    assert bytes(s.client.output).count("é€😀".encode()) == 20000


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(next(line for line in f if line.startswith("VmRSS:")).split()[1])


def test_output_waits_for_a_client_that_does_not_read(sessions):
    s = sessions()
    s.open_shell()
    s.client.until(lambda: b"$ " in s.client.output, what="the prompt")
    before = rss_kib(s.worker_pid)
    s.client.type("head -c 8000000 /dev/zero | tr '\\0' x; echo; echo done-$((1+1)); exit\r")
    time.sleep(3)  # reading nothing, acknowledging nothing: the worker must stop reading
    grown = rss_kib(s.worker_pid) - before
    assert grown < 16 * 1024, f"the worker grew by {grown} KiB while the client was away"
    s.client.until(lambda: s.client.closed is not None, timeout=90, what="the end")
    out = bytes(s.client.output)
    assert out.count(b"x") - s.client.output[:200].count(b"x") >= 8000000 - 200
    assert b"x\r\ndone-2\r\n" in out
    assert s.wait_exit() == (0, "")


def test_no_exit_code_for_a_client_without_the_capability(sessions):
    s = sessions()
    s.open_shell(capabilities=None)
    s.client.type("exit 3\r")
    s.client.until(lambda: s.client.closed is not None, what="channel_closed")
    assert EXIT_CODE not in [f["payload_type"] for f in s.client.stream]
    assert s.wait_exit() == (0, "")


def test_terminate_session_hangs_up_the_shell(broker, sessions):
    s = sessions()
    s.open_shell()
    s.client.type("echo pid=$$\r")
    shell = shell_pid(s.client)
    assert pid_alive(shell)
    status, _ = api(broker, "TerminateSession", {"SessionId": s.id})
    assert status == 200
    s.client.until(lambda: s.client.closed is not None, what="channel_closed")
    assert s.wait_exit() == (0, "")
    wait_gone(shell)
    assert "the broker closed the session" in s.worker_log()


def test_sigterm_stops_the_worker_and_its_shell(sessions):
    s = sessions()
    s.open_shell()
    s.client.type("trap '' HUP; echo pid=$$\r")  # a shell deaf to SIGHUP: SIGKILL follows
    shell = shell_pid(s.client)
    s.host.terminate()  # the host passes it on with worker_stop()
    s.client.until(lambda: s.client.closed is not None, what="channel_closed")
    assert s.wait_exit() == (0, "")
    wait_gone(shell)
    assert "stopped by a signal" in s.worker_log()


def test_failed_handshake_ends_the_session(sessions):
    s = sessions()
    s.client.handshake(status=2)
    s.client.until(lambda: s.client.closed is not None, what="channel_closed")
    assert HS_COMPLETE not in [f["payload_type"] for f in s.client.stream]
    status, reason = s.wait_exit()
    assert status == 4 and "handshake" in reason
    assert "handshake failed: the client could not perform SessionType (status 2)" \
        in s.worker_log()


def test_stream_data_before_the_handshake_is_acknowledged_and_dropped(sessions):
    s = sessions()
    s.client.until(lambda: s.client.stream, what="the HandshakeRequest")
    s.client.type("echo too-early\r")  # seq 0: before the response, dropped
    s.client.handshake()
    s.client.wait_complete()
    s.client.type("echo $((40+2)); exit\r")
    s.client.until(lambda: s.client.closed is not None, what="channel_closed")
    assert b"too-early" not in s.client.output and b"42\r\n" in s.client.output
    assert s.wait_exit() == (0, "")


def test_losing_the_data_channel_kills_the_shell(broker, sessions):
    s = sessions()
    s.open_shell()
    s.client.type("trap '' HUP; echo pid=$$\r")
    shell = shell_pid(s.client)
    broker.proc.kill()
    status, reason = s.wait_exit()
    assert status == 3 and "lost" in reason
    wait_gone(shell)
