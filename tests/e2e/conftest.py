"""Fixtures for the end-to-end tests: real postern processes on loopback.

Each test gets its own temporary data directory and a free port; processes are
stopped (and their stderr kept for assertions) when the test ends.
"""
import json
import os
import signal
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "build" / "bin"
AWS = "/usr/bin/aws"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, proc, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listening on {port} after {timeout}s")


class Broker:
    """A postern-broker process in its own data directory."""

    def __init__(self, data_dir, port, extra_args=()):
        self.data_dir = Path(data_dir)
        self.port = port
        self.url = f"https://127.0.0.1:{port}"
        self.log_path = self.data_dir.parent / f"broker-{port}.log"
        self.extra_args = list(extra_args)
        self.proc = None

    def start(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [str(BIN / "postern-broker"), "--data-dir", str(self.data_dir),
             "--listen", f"127.0.0.1:{self.port}", *self.extra_args],
            stdout=self.log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.proc)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.log.close()
        return self.proc.returncode if self.proc else None

    def output(self):
        return self.log_path.read_text(errors="replace")

    @property
    def ca(self):
        return str(self.data_dir / "ca.pem")

    @property
    def credentials(self):
        return str(self.data_dir / "admin-credentials")

    def aws_env(self, **extra):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("AWS_")}
        env.update(AWS_SHARED_CREDENTIALS_FILE=self.credentials,
                   AWS_CONFIG_FILE=os.devnull, AWS_CA_BUNDLE=self.ca,
                   AWS_DEFAULT_REGION="us-east-1", AWS_PAGER="")
        env.update(extra)
        return env

    def aws(self, *args, check=True, **env):
        """Run Debian's AWS CLI against this broker; returns CompletedProcess."""
        res = subprocess.run(
            [AWS, *args, "--endpoint-url", self.url, "--output", "json"],
            env=self.aws_env(**env), capture_output=True, text=True, timeout=60)
        if check and res.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed: {res.stderr}")
        return res


@pytest.fixture
def broker(tmp_path):
    b = Broker(tmp_path / "data", free_port()).start()
    yield b
    b.stop()


@pytest.fixture
def broker_factory(tmp_path):
    made = []

    def make(data_dir=None, **kw):
        b = Broker(data_dir or tmp_path / f"data{len(made)}", free_port(), **kw)
        made.append(b)
        return b

    yield make
    for b in made:
        b.stop()


# ---- postern-agent ----------------------------------------------------------

AGENT = BIN / "postern-agent"


def create_activation(broker, *extra):
    """A new activation on broker: {"ActivationId": ..., "ActivationCode": ...}.
    Each call carries a unique description: the AWS CLI signs two identical calls
    in the same second identically, and the broker refuses the second as a replay."""
    return json.loads(broker.aws("ssm", "create-activation", "--iam-role", "demo",
                                 "--description", f"agent test {uuid.uuid4()}",
                                 *extra).stdout)


class Agent:
    """A postern-agent with its own state directory: `register` runs to
    completion, `start` runs `postern-agent run` in the background with its
    stderr kept in a log file."""

    def __init__(self, state_dir):
        self.state_dir = Path(state_dir)
        self.log_path = self.state_dir.parent / f"{self.state_dir.name}-agent.log"
        self.proc = None

    def register(self, broker, activation=None, *extra, ca=None, url=None, check=True):
        act = activation or create_activation(broker)
        res = subprocess.run(
            [str(AGENT), "register", "--broker", url or broker.url, "--ca", ca or broker.ca,
             "--activation-id", act["ActivationId"],
             "--activation-code", act["ActivationCode"],
             "--state-dir", str(self.state_dir), *extra],
            capture_output=True, text=True, timeout=60)
        if check and res.returncode != 0:
            raise AssertionError(f"register failed ({res.returncode}): {res.stderr}")
        return res

    def start(self, *extra):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [str(AGENT), "run", "--state-dir", str(self.state_dir), *extra],
            stdout=self.log, stderr=subprocess.STDOUT)
        return self

    def stop(self, sig=signal.SIGTERM, timeout=10):
        """Signal the agent and wait; returns its exit status (killed: None)."""
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.log.close()
                return None
        self.log.close()
        return self.proc.returncode

    def output(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for(self, text, timeout=20.0, count=1):
        """Wait until text appears count times in the log; returns the log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out = self.output()
            if out.count(text) >= count:
                return out
            if self.proc and self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"'{text}' x{count} not in the agent's log:\n{self.output()}")


@pytest.fixture
def agent_factory(tmp_path):
    made = []

    def make(name=None):
        a = Agent(tmp_path / (name or f"agent-state{len(made)}"))
        made.append(a)
        return a

    yield make
    for a in made:
        a.stop(signal.SIGKILL)
