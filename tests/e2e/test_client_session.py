"""postern running sessions through a real broker, with a scripted agent on
the other end (scripted_agent.py) so that every byte the client sends can be
checked: the handshake answer, raw keystrokes, window sizes, output and exit
codes, the ~. escape, signals, piped stdin, the terminal left as it was, and
the AWS CLI running postern as its session-manager-plugin."""
import json
import os
import re
import signal
import subprocess
import threading
import time

import pexpect
import pytest

from client_util import (CLIENT_DIR, PLUGIN, POSTERN, finish, spawn,  # noqa: F401
                         start_args, env, session_status, wait_status)
from conftest import AWS
from scripted_agent import SIZE, STDERR, ScriptedAgent
from sigv4_client import post, read_credentials, signed_request


@pytest.fixture
def agent(broker, tmp_path):
    a = ScriptedAgent(broker, tmp_path).connect()
    yield a
    a.close()


def interactive(broker, agent, env, *extra, rows=24, cols=80):
    """postern start-session on a terminal, through the handshake."""
    child = spawn(start_args(broker, agent.instance_id, *extra), env, rows=rows, cols=cols)
    agent.accept()
    child.expect_exact("Starting session with SessionId: " + agent.session_id)
    response = agent.handshake()
    agent.wait_for(lambda r: any(t == SIZE for t, _ in r))
    return child, response


def test_handshake_output_size_and_exit_code(broker, agent, env):
    child = spawn(start_args(broker, agent.instance_id), env, rows=33, cols=101)
    agent.accept()
    response = agent.handshake(customer_message="Welcome to the fake host.")
    assert response == {"ClientVersion": "1.2.650.0", "ProcessedClientActions": [
        {"ActionType": "SessionType", "ActionStatus": 1, "ActionResult": None, "Error": ""}],
        "Errors": None,
        "PosternCapabilities": ["exit-code", "smux-v2", "large-messages"]}
    child.expect_exact("Welcome to the fake host.")
    agent.wait_for(lambda r: any(t == SIZE for t, _ in r))
    assert agent.sizes() == [{"cols": 101, "rows": 33}]
    agent.send(b"fake$ ")
    child.expect_exact("fake$ ")
    agent.send(b"\x1b[1mbold\x1b[0m \xe2\x9c\x93\r\n")
    child.expect_exact(b"\x1b[1mbold\x1b[0m \xe2\x9c\x93\r\n")
    agent.exit(7)
    assert finish(child) == 7
    assert f"Exiting session with sessionId: {agent.session_id}." in child.before.decode()


def test_keystrokes_are_sent_as_typed(broker, agent, env):
    child, _ = interactive(broker, agent, env)
    child.send("ls -l\r")
    child.sendcontrol("c")
    child.sendcontrol("z")
    child.sendcontrol("\\")
    child.sendcontrol("d")
    child.send("\n")               # a lone LF stays LF
    child.send("echo ~/x\r~~\r")   # ~ mid-line as is; ~~ at line start sends one ~
    want = b"ls -l\r\x03\x1a\x1c\x04\necho ~/x\r~\r"
    agent.wait_input(want)
    assert agent.input_bytes() == want
    agent.exit(0)
    assert finish(child) == 0


def test_window_size_follows_the_terminal(broker, agent, env):
    child, _ = interactive(broker, agent, env)
    child.setwinsize(40, 132)
    agent.wait_for(lambda r: len([t for t, _ in r if t == SIZE]) >= 2)
    assert agent.sizes() == [{"cols": 80, "rows": 24}, {"cols": 132, "rows": 40}]
    agent.exit(0)
    assert finish(child) == 0


def test_escape_ends_and_terminates_the_session(broker, agent, env):
    child, _ = interactive(broker, agent, env)
    agent.send(b"prompt$ ")
    child.expect_exact("prompt$ ")
    child.send("true\r")
    child.send("~.")
    assert finish(child) == 255
    assert f"Terminating session {agent.session_id} (~.)" in child.before.decode()
    assert agent.input_bytes() == b"true\r"
    wait_status(broker, agent.session_id, "Terminated")
    assert agent.closed.wait(10), "the agent was not told the session ended"


def stty_after(cmdline, env):
    """Run cmdline on a terminal through sh, then `stty -a`; returns the child."""
    return pexpect.spawn("/bin/sh", ["-c", cmdline + "; echo STATUS=$?; stty -a"],
                         env=env, dimensions=(24, 80), timeout=15)


def assert_cooked(child):
    child.expect(pexpect.EOF)
    out = child.before.decode()
    modes = out[out.index("STATUS="):]
    for flag in ("icanon", "echo", "isig", "icrnl", "opost", "iexten"):
        assert re.search(rf"(?<![-\w]){flag}\b", modes), f"{flag} not restored:\n{modes}"
    return int(re.search(r"STATUS=(\d+)", out).group(1))


def shell_line(broker, agent):
    return " ".join([str(POSTERN), *start_args(broker, agent.instance_id)])


def test_terminal_is_restored_after_a_normal_end(broker, agent, env):
    child = stty_after(shell_line(broker, agent), env)
    agent.accept()
    agent.handshake()
    agent.wait_for(lambda r: any(t == SIZE for t, _ in r))
    agent.exit(5)
    assert assert_cooked(child) == 5


def test_sigterm_restores_the_terminal_and_terminates(broker, agent, env):
    child = stty_after(shell_line(broker, agent), env)
    agent.accept()
    agent.handshake()
    agent.wait_for(lambda r: any(t == SIZE for t, _ in r))
    pid = int(subprocess.run(["pgrep", "-P", str(child.pid), "-x", "postern"],
                             capture_output=True, text=True).stdout.split()[0])
    os.kill(pid, signal.SIGTERM)
    assert assert_cooked(child) == 128 + signal.SIGTERM
    wait_status(broker, agent.session_id, "Terminated")


def test_lost_broker_restores_the_terminal(broker, agent, env):
    child = stty_after(shell_line(broker, agent), env)
    agent.accept()
    agent.handshake()
    agent.wait_for(lambda r: any(t == SIZE for t, _ in r))
    broker.stop()
    assert assert_cooked(child) == 1
    assert "postern: the broker closed the data channel" in child.before.decode()


def test_ctrl_c_while_waiting_for_the_agent(broker, agent, env):
    child = spawn(start_args(broker, agent.instance_id), env)
    agent.accept()                  # but no handshake: the client waits
    child.expect_exact("Starting session")
    time.sleep(0.5)                 # the handlers are installed right after that line
    child.sendintr()                # the terminal is not raw yet: SIGINT
    assert finish(child) == 128 + signal.SIGINT
    assert "interrupted before the session started" in child.before.decode()
    wait_status(broker, agent.session_id, "Terminated")


def test_terminate_session_from_elsewhere(broker, agent, env):
    child, _ = interactive(broker, agent, env)
    broker.aws("ssm", "terminate-session", "--session-id", agent.session_id)
    assert finish(child) == 0
    assert f"Exiting session with sessionId: {agent.session_id}." in child.before.decode()


def test_kms_and_unknown_actions_are_refused(broker, agent, env):
    child = spawn(start_args(broker, agent.instance_id), env)
    agent.accept()
    response = agent.handshake(extra_actions=[
        {"ActionType": "KMSEncryption", "ActionParameters": {"KMSKeyId": "alias/k"}},
        {"ActionType": "Telepathy", "ActionParameters": None}])
    statuses = [(a["ActionType"], a["ActionStatus"]) for a in response["ProcessedClientActions"]]
    assert statuses == [("SessionType", 1), ("KMSEncryption", 2), ("Telepathy", 3)]
    assert len(response["Errors"]) == 2 and "KMSEncryption" in response["Errors"][0]
    agent.end()
    assert finish(child) == 0


def test_piped_stdin_and_stdout_stay_exact(broker, agent, env):
    proc = subprocess.Popen([str(POSTERN), *start_args(broker, agent.instance_id)], env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    agent.accept()
    agent.handshake()
    proc.stdin.write(b"line one\nx\n\n~.\n")
    proc.stdin.close()              # EOF: the session goes on
    agent.wait_input(b"line one\nx\n\n~.\n")
    assert agent.sizes() == [{"cols": 300, "rows": 100}]
    agent.send(b"after eof\n")
    agent.send(b"to stderr\n", STDERR)
    agent.exit(3)
    proc.stdin = None               # closed above
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 3
    assert out == b"after eof\n"
    assert err == b"to stderr\n"
    assert agent.input_bytes() == b"line one\nx\n\n~.\n"


def test_agent_without_handshake_is_a_shell(broker, agent, env):
    proc = subprocess.Popen([str(POSTERN), *start_args(broker, agent.instance_id)], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    agent.accept()
    agent.send(b"$ ")               # like the official agent without KMS
    agent.wait_for(lambda r: any(t == SIZE for t, _ in r))
    agent.send(b"bye\n")
    agent.end()
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0 and out == b"$ bye\n" and err == b""


def test_large_output_arrives_in_order(broker, agent, env):
    proc = subprocess.Popen([str(POSTERN), *start_args(broker, agent.instance_id)], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    agent.accept()
    agent.handshake()
    chunks = [bytes([65 + i % 26]) * 1024 for i in range(4000)]

    def produce():                  # while the client's stdout is read below
        for c in chunks:
            agent.send(c)
        agent.exit(0)

    threading.Thread(target=produce, daemon=True).start()
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert out == b"".join(chunks)


# ---- the session-manager-plugin contract -------------------------------------------

def start_session(broker, target):
    key, secret = read_credentials(broker.credentials)
    headers, data = signed_request(broker.url, "AmazonSSM.StartSession", {"Target": target},
                                   key, secret)
    status, body = post(broker.url, headers, data, broker.ca)
    assert status == 200, body
    return body


@pytest.mark.parametrize("via_env", [False, True])
def test_plugin_runs_a_started_session(broker, agent, env, via_env):
    started = start_session(broker, agent.instance_id)
    response = json.dumps({k: started[k] for k in ("SessionId", "TokenValue", "StreamUrl")})
    if via_env:
        env = dict(env, AWS_SSM_START_SESSION_RESPONSE=response)
        response = "AWS_SSM_START_SESSION_RESPONSE"
    request = json.dumps({"Target": agent.instance_id})
    child = spawn([response, "us-east-1", "StartSession", "", request, broker.url], env,
                  program=PLUGIN)
    agent.accept()
    agent.handshake()
    agent.send(b"plugin ok\r\n")
    child.expect_exact("plugin ok")
    child.send("~.")                # TerminateSession goes to ENDPOINT with the default chain
    assert finish(child) == 255
    wait_status(broker, started["SessionId"], "Terminated")


def test_aws_cli_runs_postern_as_its_plugin(broker, agent, env):
    env = dict(env, PATH=f"{CLIENT_DIR}:{os.environ['PATH']}")
    child = pexpect.spawn(AWS, ["ssm", "start-session", "--target", agent.instance_id,
                                "--endpoint-url", broker.url], env=env, dimensions=(30, 90),
                          timeout=30)
    agent.accept()
    response = agent.handshake()
    assert response["ClientVersion"] == "1.2.650.0"
    agent.wait_for(lambda r: any(t == SIZE for t, _ in r))
    assert agent.sizes() == [{"cols": 90, "rows": 30}]
    agent.send(b"through the AWS CLI\r\n")
    child.expect_exact("through the AWS CLI")
    child.send("whoami\r")
    agent.wait_input(b"whoami\r")
    agent.exit(0)
    assert finish(child, timeout=30) == 0


def test_a_slow_stdout_loses_nothing(broker, agent, env, tmp_path):
    """stdout not read for a while: the client stops reading the data channel
    (backpressure through the broker to the agent) and resumes, all in order."""
    out = tmp_path / "out"
    cmd = " ".join([str(POSTERN), *start_args(broker, agent.instance_id)])
    proc = subprocess.Popen(["bash", "-c", f"set -o pipefail; {cmd} </dev/null | "
                             f"(sleep 3; cat > {out})"], env=env)
    agent.accept()
    agent.handshake()
    chunks = [bytes([97 + i % 26]) * 1000 for i in range(3000)]

    def produce():
        for c in chunks:
            agent.send(c)
        agent.exit(4)

    threading.Thread(target=produce, daemon=True).start()
    assert proc.wait(timeout=90) == 4
    assert out.read_bytes() == b"".join(chunks)
