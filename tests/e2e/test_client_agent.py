"""postern against a real postern-agent: a shell on the agent's host, driven
on a pseudo-terminal as a person would (commands, `stty size` after a resize,
Ctrl-C, exit codes, vi), and through the AWS CLI with postern as its
session-manager-plugin. Every test skips, saying why, until postern-agent is
built and runs shell sessions (a probe session decides)."""
import json
import os
import subprocess
import time

import pexpect
import pytest

from client_util import CLIENT_DIR, client_env, finish, run, spawn, start_args
from conftest import AGENT, AWS

PROMPT_MARK = "postern-e2e"

# Why the agent cannot run sessions, once a probe found out (the probe takes a
# while to time out: one is enough per run).
not_ready = []


def wait_online(broker, instance_id, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        inv = json.loads(broker.aws("ssm", "describe-instance-information").stdout)
        if any(i["InstanceId"] == instance_id and i["PingStatus"] == "Online"
               for i in inv["InstanceInformationList"]):
            return
        time.sleep(0.3)
    raise AssertionError(f"{instance_id} never came online")


@pytest.fixture
def env(broker, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    return client_env(broker, home)


@pytest.fixture
def host(broker, agent_factory, env):
    """The instance id of a running postern-agent that runs shell sessions."""
    if not AGENT.exists():
        pytest.skip("postern-agent is not built")
    if not_ready:
        pytest.skip(not_ready[0])
    agent = agent_factory()
    instance_id = agent.register(broker).stdout.splitlines()[-1]
    agent.start()
    wait_online(broker, instance_id)
    try:
        probe = run(start_args(broker, instance_id), env, timeout=20,
                    input=b"echo probe-$((6*7))\nexit 0\n")
    except subprocess.TimeoutExpired:
        not_ready.append("postern-agent does not run shell sessions yet (no answer in 20 s)")
        pytest.skip(not_ready[0])
    if b"probe-42" not in probe.stdout:
        not_ready.append("postern-agent does not run shell sessions yet: "
                         + (probe.stderr.decode().strip() or "no output"))
        pytest.skip(not_ready[0])
    return instance_id


def shell(broker, host, env, rows=24, cols=80):
    """An interactive session with a recognisable prompt."""
    child = spawn(start_args(broker, host), env, rows=rows, cols=cols, timeout=20)
    child.sendline(f"PS1='{PROMPT_MARK}$ '")
    child.expect_exact(f"\r\n{PROMPT_MARK}$ ")
    return child


def command(child, line):
    child.send(line + "\r")
    child.expect_exact(f"{PROMPT_MARK}$ ")
    return child.before.decode(errors="replace")


def test_shell_runs_commands(broker, host, env):
    child = shell(broker, host, env)
    assert "42" in command(child, "echo $((6*7))")
    assert "hello world" in command(child, "printf 'hello %s\\n' world")
    child.send("exit\r")
    assert finish(child) == 0


def test_stty_size_follows_a_resize(broker, host, env):
    child = shell(broker, host, env, rows=24, cols=80)
    assert "24 80" in command(child, "stty size")
    child.setwinsize(40, 132)
    time.sleep(0.5)
    assert "40 132" in command(child, "stty size")
    child.send("exit\r")
    assert finish(child) == 0


def test_ctrl_c_interrupts_sleep(broker, host, env):
    child = shell(broker, host, env)
    child.send("sleep 100\r")
    time.sleep(1)
    start = time.monotonic()
    child.sendcontrol("c")
    child.expect_exact(f"{PROMPT_MARK}$ ", timeout=10)
    assert time.monotonic() - start < 5
    assert "still here" in command(child, "echo still here")
    child.send("exit\r")
    assert finish(child) == 0


def test_exit_code_becomes_the_clients(broker, host, env):
    child = shell(broker, host, env)
    child.send("exit 7\r")
    assert finish(child) == 7


def test_vi_draws_and_quits(broker, host, env, tmp_path):
    child = shell(broker, host, env)
    child.send("vi -u NONE /tmp/postern-e2e-vi-$$\r")
    child.expect_exact("~")         # the empty buffer's tilde lines
    child.send("ihello from vi\x1b")
    child.expect_exact("hello from vi")
    child.send(":q!\r")
    child.expect_exact(f"{PROMPT_MARK}$ ")
    assert "vi exited" in command(child, "echo vi exited")
    child.send("exit\r")
    assert finish(child) == 0


def test_aws_cli_runs_a_postern_shell(broker, host, env):
    env = dict(env, PATH=f"{CLIENT_DIR}:{os.environ['PATH']}")
    child = pexpect.spawn(AWS, ["ssm", "start-session", "--target", host,
                                "--endpoint-url", broker.url], env=env, dimensions=(24, 80),
                          timeout=30)
    child.sendline(f"PS1='{PROMPT_MARK}$ '")
    child.expect_exact(f"\r\n{PROMPT_MARK}$ ")
    assert "42" in command(child, "echo $((6*7))")
    child.send("exit\r")
    assert finish(child, timeout=30) == 0
