"""postern against a real postern-agent: a shell on the agent's host, driven
on a pseudo-terminal as a person would (commands, `stty size` after a resize,
Ctrl-C, exit codes, vi), and through the AWS CLI with postern as its
session-manager-plugin. Every test skips, saying why, until postern-agent is
built and runs shell sessions (a probe session decides)."""
import json
import os
import re
import subprocess
import time

import pexpect
import pytest

from client_util import (CLIENT_DIR, POSTERN, drop_data_channel, finish, run,  # noqa: F401
                         spawn, start_args, env, wait_attached)
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


def set_prompt(child):
    """A recognisable prompt; its echo ('postern''-e2e') never matches it."""
    child.send("PS1='" + PROMPT_MARK.replace("-", "''-", 1) + "$ '\r")
    child.expect_exact(f"{PROMPT_MARK}$ ")


def shell(broker, host, env, rows=24, cols=80):
    """An interactive session on host with a recognisable prompt."""
    child = spawn(start_args(broker, host), env, rows=rows, cols=cols, timeout=20)
    set_prompt(child)
    return child


def command(child, line):
    """Run line; its output (with the echo of line) up to the next prompt.
    Tests look for text that the echo cannot contain, e.g. $((6*7)) -> 42."""
    child.send(line + "\r")
    child.expect_exact(f"{PROMPT_MARK}$ ")
    return child.before.decode(errors="replace")


def test_shell_runs_commands(broker, host, env):
    child = shell(broker, host, env)
    assert "42" in command(child, "echo $((6*7))")
    assert "hello world" in command(child, "printf 'hello %s\\n' world")
    child.send("exit\r")
    assert finish(child) == 0


def test_a_dropped_data_channel_is_resumed(broker, host, env):
    """The client's connection is destroyed under it (ss -K): postern calls
    ResumeSession, dials again with the new token, and the shell carries on,
    output typed during the drop included."""
    child = shell(broker, host, env)
    assert "42" in command(child, "echo $((6*7))")
    session_id = re.findall(r"session (\S+): client attached", broker.output())[-1]
    drop_data_channel(broker, child.pid)
    child.send("echo after $((20+3))\r")
    wait_attached(broker, session_id, 2)
    child.expect_exact("after 23")
    child.expect_exact(f"{PROMPT_MARK}$ ")
    assert "still 2" in command(child, "echo still $((1+1))")
    child.send("exit 3\r")
    assert finish(child) == 3


def test_stty_size_follows_a_resize(broker, host, env):
    child = shell(broker, host, env, rows=24, cols=80)
    assert "24 80" in command(child, "stty size")
    child.setwinsize(40, 132)       # the shell may redraw its prompt: look for the answer
    time.sleep(0.5)
    child.send("stty size\r")
    child.expect_exact("40 132")
    child.expect_exact(f"{PROMPT_MARK}$ ")
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
    assert "still 2" in command(child, "echo still $((1+1))")
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
    assert "vi 42" in command(child, "echo vi $((40+2))")
    child.send("exit\r")
    assert finish(child) == 0


def test_aws_cli_runs_a_postern_shell(broker, host, env):
    env = dict(env, PATH=f"{CLIENT_DIR}:{os.environ['PATH']}")
    child = pexpect.spawn(AWS, ["ssm", "start-session", "--target", host,
                                "--endpoint-url", broker.url], env=env, dimensions=(24, 80),
                          timeout=30)
    set_prompt(child)
    assert "42" in command(child, "echo $((6*7))")
    child.send("exit\r")
    assert finish(child, timeout=30) == 0


def test_twenty_concurrent_sessions_each_get_their_own_output(broker, host, env):
    """20 postern clients at once on one agent: each sees only its own marker
    and exits with its own code."""
    procs = []
    for i in range(20):
        script = f"echo marker-{i}-$((1000+{i}))\nexit {i}\n".encode()
        p = subprocess.Popen([str(POSTERN), *start_args(broker, host)], env=env,
                             stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        procs.append((i, p, script))
    for i, p, script in procs:
        out, err = p.communicate(script, timeout=60)
        assert f"marker-{i}-{1000 + i}".encode() in out, err
        others = [j for j in range(20) if j != i and f"marker-{j}-".encode() in out]
        assert not others, f"session {i} saw output of {others}"
        assert p.returncode == i
