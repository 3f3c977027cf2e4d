"""Running the postern client in tests: its environment (a private HOME, the
broker's CA and admin credentials, nothing from the caller's AWS_* settings),
interactive runs on a pseudo-terminal (pexpect) and piped runs."""
import json
import os
import re
import subprocess
import time
from pathlib import Path

import pexpect
import pytest

from conftest import BIN

# POSTERN_CLIENT_DIR runs another build of the client (e.g. with sanitizers):
# a folder holding postern and its session-manager-plugin link.
CLIENT_DIR = Path(os.environ.get("POSTERN_CLIENT_DIR", BIN))
POSTERN = CLIENT_DIR / "postern"
PLUGIN = CLIENT_DIR / "session-manager-plugin"


def client_env(broker, home, **extra):
    """The environment of a client of broker: credentials from its admin file,
    its CA trusted through AWS_CA_BUNDLE, HOME a private folder."""
    env = broker.aws_env(HOME=str(home))
    env.pop("XDG_CONFIG_HOME", None)
    env.update({k: v for k, v in extra.items() if v is not None})
    for k in [k for k, v in extra.items() if v is None]:
        env.pop(k, None)
    return env


def spawn(args, env, rows=24, cols=80, program=POSTERN, timeout=15):
    """postern (or another program) on a pseudo-terminal of rows x cols."""
    return pexpect.spawn(str(program), [str(a) for a in args], env=env,
                         dimensions=(rows, cols), timeout=timeout)


def start_args(broker, target, *extra):
    return ["start-session", "--target", target, "--endpoint-url", broker.url, *extra]


def run(args, env, input=None, timeout=30, program=POSTERN):
    """postern with pipes (no terminal): CompletedProcess with bytes."""
    return subprocess.run([str(program), *[str(a) for a in args]], env=env, input=input,
                          capture_output=True, timeout=timeout)


def finish(child, timeout=15):
    """Wait for a spawned client to exit; returns its exit status (or -signal)."""
    child.expect(pexpect.EOF, timeout=timeout)
    child.close()
    return child.exitstatus if child.exitstatus is not None else -child.signalstatus


@pytest.fixture
def env(broker, tmp_path):
    """The client's environment: the broker's credentials and CA, a fresh HOME.
    Test modules import it: `from client_util import env  # noqa: F401 (fixture)`."""
    home = tmp_path / "home"
    home.mkdir()
    return client_env(broker, home)


def session_status(broker, session_id):
    """The session's Status in DescribeSessions (Active, then History), or None."""
    for state in ("Active", "History"):
        res = json.loads(broker.aws("ssm", "describe-sessions", "--state", state).stdout)
        for s in res["Sessions"]:
            if s["SessionId"] == session_id:
                return s["Status"]
    return None


def wait_status(broker, session_id, status, timeout=15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if session_status(broker, session_id) == status:
            return
        time.sleep(0.2)
    raise AssertionError(f"{session_id} is {session_status(broker, session_id)}, not {status}")


def drop_data_channel(broker, pid):
    """Destroy the one connection process pid holds to the broker (ss -K), as
    a network fault would; skips the test where the kernel cannot do that."""
    sockets = subprocess.run(["ss", "-tnpH", "state", "established", "dport", "=",
                              str(broker.port)], capture_output=True, text=True).stdout
    mine = [line for line in sockets.splitlines() if f"pid={pid}," in line]
    assert len(mine) == 1, sockets
    sport = re.search(r"127\.0\.0\.1:(\d+)\s+127\.0\.0\.1:%d" % broker.port, mine[0]).group(1)
    kill = subprocess.run(["ss", "-K", "dst", "127.0.0.1", "dport", "=", str(broker.port),
                           "sport", "=", sport], capture_output=True, text=True)
    still = subprocess.run(["ss", "-tnH", "state", "established", "sport", "=", sport],
                           capture_output=True, text=True).stdout
    if kill.returncode != 0 or still.strip():
        pytest.skip(f"ss -K cannot destroy sockets here: {kill.stderr.strip()}")


def wait_attached(broker, session_id, times, timeout=30.0):
    """Wait until the broker has seen the session's client attach `times` times."""
    deadline = time.monotonic() + timeout
    while broker.output().count(f"session {session_id}: client attached") < times:
        assert time.monotonic() < deadline, broker.output()
        time.sleep(0.1)
