"""Port sessions in tests: a running agent that forwards ports (`port_host`),
postern's client listening for one (`PortForward`, the `port_forward` fixture),
and the peak memory of every process on the path (`RssMonitor`).

Test modules import the fixtures they use from here:
    from port_util import env, online_host, port_host, port_forward  # noqa: F401
"""
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from client_util import POSTERN, env  # noqa: F401 (fixture)
from servers import LOOPBACK, recv_exact

OPENED = re.compile(rb"Port (\d+) opened for sessionId (\S+?)\.(?:\s|$)")

# ---- the client's side ------------------------------------------------------------

class PortForward:
    """`postern start-session` for a port document, in a session of its own (so
    that interrupt() is a terminal's Ctrl-C), stdout and stderr in one log.
    start() waits for `Port <p> opened for sessionId <S>.`: then .port and
    .session_id are known."""

    def __init__(self, broker, target, env, document, params, log_path, program=POSTERN):
        self.argv = [str(program), "start-session", "--target", target,
                     "--endpoint-url", broker.url, "--document-name", document]
        if params:
            self.argv += ["--parameters", ",".join(f"{k}={v}" for k, v in params.items())]
        self.env = env
        self.log_path = Path(log_path)
        self.proc = None
        self.port = None
        self.session_id = None

    def start(self, timeout=30.0):
        with open(self.log_path, "ab") as log:
            # stdin stays open and silent: a port forward must not depend on it
            self.proc = subprocess.Popen(self.argv, env=self.env, stdin=subprocess.PIPE,
                                         stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = OPENED.search(self.log_path.read_bytes())
            if m:
                self.port, self.session_id = int(m.group(1)), m.group(2).decode()
                return self
            if self.proc.poll() is not None:
                raise AssertionError(f"postern exited with {self.proc.returncode} before "
                                     f"listening:\n{self.output()}")
            time.sleep(0.05)
        raise AssertionError(f"postern printed no 'Port … opened' in {timeout:.0f} s:\n"
                             f"{self.output()}")

    @property
    def pid(self):
        return self.proc.pid

    def output(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def connect(self, timeout=60.0, rcvbuf=None):
        """A local application's connection to the forward. rcvbuf, if given,
        caps the socket's receive buffer (set before connecting, so the TCP
        window stays that small)."""
        s = socket.socket()
        if rcvbuf:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        s.settimeout(timeout)
        s.connect((LOOPBACK, self.port))
        return s

    def wait_output(self, pattern, timeout=30.0):
        """Wait until the client's output matches pattern (a regex); the match."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = rx.search(self.output())
            if m:
                return m
            time.sleep(0.1)
        raise AssertionError(f"/{pattern}/ not in the client's output:\n{self.output()}")

    def interrupt(self, timeout=20.0):
        """Ctrl-C, as a terminal delivers it (to the process group); the exit status."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"postern still running {timeout:.0f} s after Ctrl-C:\n"
                                 f"{self.output()}")

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def assert_closed_without_data(sock):
    """The connection ends (closed or reset) before delivering a byte: what
    a client must see for a destination that refused it."""
    try:
        got = sock.recv(1)
    except ConnectionResetError:
        got = b""
    assert got == b"", "a connection to a refused destination delivered data"


def echo_round_trip(sock, payload):
    """Send payload through sock and read it back from an echo server."""
    sock.sendall(payload)
    return recv_exact(sock, len(payload)) == payload


# ---- the agent's side ---------------------------------------------------------------

class PortHost:
    """A registered, online postern-agent: its instance id and its process."""

    def __init__(self, instance_id, agent):
        self.instance_id = instance_id
        self.agent = agent

    @property
    def pid(self):
        return self.agent.proc.pid


def start_online_agent(broker, agent_factory, timeout=20.0):
    agent = agent_factory()
    instance_id = agent.register(broker).stdout.splitlines()[-1]
    agent.start()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        inv = json.loads(broker.aws("ssm", "describe-instance-information").stdout)
        if any(i["InstanceId"] == instance_id and i["PingStatus"] == "Online"
               for i in inv["InstanceInformationList"]):
            return PortHost(instance_id, agent)
        time.sleep(0.3)
    raise AssertionError(f"{instance_id} never came online:\n{agent.output()}")


@pytest.fixture
def online_host(broker, agent_factory):
    """A PortHost: a registered agent, online."""
    return start_online_agent(broker, agent_factory)


@pytest.fixture
def port_host(online_host):
    """The agent port forwards go through (an online agent)."""
    return online_host


@pytest.fixture
def port_forward(broker, port_host, env, tmp_path):
    """port_forward(portNumber=P, document=..., **parameters): a started
    PortForward to port_host (localPortNumber 0 unless given). Whatever a test
    leaves running is killed afterwards."""
    made = []

    def make(document="AWS-StartPortForwardingSession", env_=None, **params):
        params.setdefault("localPortNumber", 0)
        fwd = PortForward(broker, port_host.instance_id, env_ or env, document, params,
                          tmp_path / f"client-{len(made)}.log")
        made.append(fwd)
        return fwd.start()

    yield make
    for fwd in made:
        fwd.kill()


# ---- memory ------------------------------------------------------------------------

def _status_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def _children(pid):
    kids = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                kids += [int(k) for k in f.read().split()]
    except OSError:
        pass
    return kids


def _cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


class RssMonitor:
    """Peak resident memory (VmHWM) of named processes and all their
    descendants (the agent's session workers), read every `interval` seconds
    by a thread so that processes that exit early are seen too. VmHWM is the
    kernel's own high-water mark, so sampling misses no peak of a process it
    saw; it can only miss a process that lived less than one interval."""

    def __init__(self, interval=0.2, **roots):
        self.roots = dict(roots)
        self.interval = interval
        self.peaks = {}          # pid -> [name, peak kB]
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = None

    def add(self, name, pid):
        self.roots[name] = pid

    def sample(self):
        with self._lock:
            self._sample()

    def _sample(self):
        for name, root in list(self.roots.items()):
            todo = [(name, root)]
            while todo:
                label, pid = todo.pop()
                hwm = _status_kb(pid, "VmHWM")
                if hwm is None:
                    continue
                entry = self.peaks.setdefault(pid, [label, 0])
                entry[1] = max(entry[1], hwm)
                for kid in _children(pid):
                    todo.append((f"{name} child {kid} ({_cmdline(kid)})", kid))

    def _run(self):
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self):
        self.sample()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.sample()

    def report(self):
        """Lines `name: peak MiB`, largest first."""
        rows = sorted(self.peaks.values(), key=lambda e: -e[1])
        return "\n".join(f"  {label}: {kb / 1024:.1f} MiB" for label, kb in rows)

    def over(self, bound_bytes):
        return [(label, kb) for label, kb in self.peaks.values() if kb * 1024 > bound_bytes]

    def saw(self, text):
        return any(text in label for label, _ in self.peaks.values())
