"""Running the postern client in tests: its environment (a private HOME, the
broker's CA and admin credentials, nothing from the caller's AWS_* settings),
interactive runs on a pseudo-terminal (pexpect) and piped runs."""
import os
import subprocess
from pathlib import Path

import pexpect

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
