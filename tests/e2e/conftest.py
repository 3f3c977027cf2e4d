"""Fixtures for the end-to-end tests: real postern processes on loopback.

Each test gets its own temporary data directory and a free port; processes are
stopped (and their stderr kept for assertions) when the test ends.
"""
import os
import socket
import subprocess
import time
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
