"""AWS's session-manager-plugin, unchanged, against postern: `aws ssm
start-session --endpoint-url https://BROKER` with that plugin first on PATH,
a real broker and a real postern-agent on loopback. Shell sessions driven on a
pseudo-terminal (commands, UTF-8, a long paste, a resize, Ctrl-C, vi, bulk
output, exit), TerminateSession from elsewhere, a dropped data channel that
the plugin resumes by itself; port forwarding in the plugin's multiplexed mode
(many connections at once, a refused destination, Ctrl-C), and ssh and scp
with the AWS CLI as their ProxyCommand (AWS-StartSSHSession).

The plugin is not part of postern: these tests run only when the environment
variable POSTERN_OFFICIAL_PLUGIN names an executable build of it, and skip
otherwise. Its websocket dialer trusts the system's certificate store and
SSL_CERT_FILE, not AWS_CA_BUNDLE, so the broker's CA is given to it as
SSL_CERT_FILE. A port or SSH test skips when the broker's log shows that the
agent refused the session as a kind it does not run yet; any other failure
fails."""
import hashlib
import json
import os
import random
import re
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pexpect
import pytest

from client_util import (client_env, drop_data_channel, session_status, wait_attached,
                         wait_status)
from conftest import AWS
from port_util import assert_closed_without_data, echo_round_trip
from port_util import online_host  # noqa: F401 (fixture)
from servers import LOOPBACK, EchoServer
from sshd import Sshd

OFFICIAL = os.environ.get("POSTERN_OFFICIAL_PLUGIN", "")

pytestmark = pytest.mark.skipif(
    not (OFFICIAL and os.path.isfile(OFFICIAL) and os.access(OFFICIAL, os.X_OK)),
    reason="set POSTERN_OFFICIAL_PLUGIN to an executable build of AWS's "
           "session-manager-plugin to run these checks")

PROMPT_MARK = "official-e2e"
STARTED = re.compile(rb"Starting session with SessionId: (\S+)")
CSI = re.compile(r"\x1b\[[0-9;?>=]*[A-Za-z]")


@pytest.fixture
def env(broker, tmp_path):
    """The AWS CLI's environment with the official plugin first on PATH."""
    home = tmp_path / "home"
    home.mkdir()
    bin_dir = tmp_path / "official-bin"
    bin_dir.mkdir()
    (bin_dir / "session-manager-plugin").symlink_to(Path(OFFICIAL).resolve())
    return client_env(broker, home, PATH=f"{bin_dir}:{os.environ['PATH']}",
                      SSL_CERT_FILE=broker.ca)


@pytest.fixture
def host(online_host):  # noqa: F811 (port_util's fixture)
    """A registered, online postern-agent: (instance id, conftest's Agent)."""
    return online_host.instance_id, online_host.agent


class Session:
    """`aws ssm start-session` on a pseudo-terminal, past the plugin's
    `Starting session` line, with a recognisable prompt set."""

    def __init__(self, broker, env, target, rows=24, cols=80):
        self.child = pexpect.spawn(AWS, ["ssm", "start-session", "--target", target,
                                         "--endpoint-url", broker.url],
                                   env=env, dimensions=(rows, cols), timeout=30)
        self.child.expect(STARTED)
        self.id = self.child.match.group(1).decode()
        # the echo of this line ('official''-e2e') never matches the prompt
        self.child.send("PS1='" + PROMPT_MARK.replace("-", "''-", 1) + "$ '\r")
        self.prompt()

    def prompt(self, timeout=30):
        self.child.expect_exact(f"{PROMPT_MARK}$ ", timeout=timeout)
        return self.child.before.decode(errors="replace")

    def command(self, line, timeout=30):
        """Run line; what the terminal showed up to the next prompt, without
        carriage returns and control sequences (tests look for text the echo
        of line cannot contain)."""
        self.child.send(line + "\r")
        return CSI.sub("", self.prompt(timeout)).replace("\r", "")

    def plugin_pid(self):
        out = subprocess.run(["pgrep", "-P", str(self.child.pid)], capture_output=True,
                             text=True).stdout.split()
        assert len(out) == 1, f"the AWS CLI has {len(out)} children"
        return int(out[0])

    def finish(self, timeout=30):
        """Wait for the AWS CLI to exit: (exit status, what it printed last)."""
        self.child.expect(pexpect.EOF, timeout=timeout)
        tail = self.child.before.decode(errors="replace")
        self.child.close()
        return self.child.exitstatus, tail


def complaints(log, session_id=None):
    """The warn and error lines of a broker or agent log (of one session)."""
    return [line for line in log.splitlines()
            if re.search(r"\s(warn|error)\s", line)
            and (session_id is None or session_id in line)]


def goodbye(session_id):
    return f"Exiting session with sessionId: {session_id}."


def test_commands_and_exit(broker, host, env):
    target, agent = host
    s = Session(broker, env, target)
    assert "\n42\n" in s.command("echo $((6*7))")
    assert "\u2713 utf8 ok" in s.command("printf '\\342\\234\\223 utf8 %s\\n' ok")
    # one write of 3000 bytes: the plugin sends it as several 1 KiB messages
    assert "\n3001\n" in s.command("echo " + "x" * 3000 + " | wc -c")
    s.child.send("exit\r")
    status, tail = s.finish()
    assert status == 0 and goodbye(s.id) in tail
    wait_status(broker, s.id, "Terminated")
    assert complaints(broker.output()) == []
    assert complaints(agent.output()) == []


def test_a_failing_shell_ends_the_plugin_cleanly(broker, host, env):
    """The plugin asked for no exit code: nothing but the goodbye line follows
    the shell's last output, and the AWS CLI exits 0 as it does with AWS."""
    s = Session(broker, env, host[0])
    s.child.send("exit 3\r")
    status, tail = s.finish()
    assert status == 0
    after_logout = tail[tail.index("logout"):]
    assert after_logout.split() == ["logout", *goodbye(s.id).split()]


def test_resize_reaches_the_pty(broker, host, env):
    s = Session(broker, env, host[0], rows=24, cols=80)
    assert "\n24 80\n" in s.command("stty size")
    s.child.setwinsize(40, 132)     # the plugin notices within its 500 ms poll
    deadline = time.monotonic() + 20
    while "\n40 132\n" not in s.command("stty size"):
        assert time.monotonic() < deadline, "the pty never got the new size"
        time.sleep(0.5)
    s.child.send("exit\r")
    assert s.finish()[0] == 0


def test_ctrl_c_interrupts_sleep(broker, host, env):
    s = Session(broker, env, host[0])
    s.child.send("sleep 100\r")
    s.child.expect_exact("sleep 100")
    time.sleep(1)
    s.child.sendcontrol("c")        # the plugin catches SIGINT and sends 03
    s.prompt(timeout=20)
    assert "\nstill 2\n" in s.command("echo still $((1+1))")
    s.child.send("exit\r")
    assert s.finish()[0] == 0


def test_vi_edits_a_file(broker, host, env):
    s = Session(broker, env, host[0])
    s.command("cd \"$(mktemp -d)\"")
    s.child.send("vi note.txt\r")
    s.child.expect_exact("note.txt")
    time.sleep(1)
    s.child.send("iwritten in vi\x1b")
    time.sleep(0.5)
    s.child.send(":wq\r")
    s.prompt()
    assert "\nwritten in vi\n" in s.command("cat note.txt")
    s.child.send("exit\r")
    assert s.finish()[0] == 0


def test_bulk_output_arrives_whole_and_in_order(broker, host, env):
    s = Session(broker, env, host[0])
    out = s.command("seq 1 60000; echo done-$((1+1))", timeout=120)
    numbers = re.findall(r"^(\d+)$", out, re.M)
    assert numbers == [str(i) for i in range(1, 60001)]
    assert "done-2" in out
    s.child.send("exit\r")
    assert s.finish()[0] == 0


def test_terminate_session_ends_the_plugin(broker, host, env):
    target, agent = host
    s = Session(broker, env, target)
    s.child.send("sleep 300\r")
    s.child.expect_exact("sleep 300")
    res = json.loads(broker.aws("ssm", "terminate-session", "--session-id", s.id).stdout)
    assert res == {"SessionId": s.id}
    status, tail = s.finish()
    assert status == 0 and goodbye(s.id) in tail
    wait_status(broker, s.id, "Terminated")
    agent.wait_for(f"session {s.id}: worker done")


def test_a_dropped_data_channel_is_resumed(broker, host, env):
    """The plugin's connection is destroyed under it (ss -K): the plugin calls
    ResumeSession and dials again with the new token; the shell carries on."""
    s = Session(broker, env, host[0])
    drop_data_channel(broker, s.plugin_pid())
    wait_attached(broker, s.id, 2)
    assert "\nafter 23\n" in s.command("echo after $((20+3))")
    s.child.send("exit\r")
    status, tail = s.finish()
    assert status == 0 and goodbye(s.id) in tail


# ---- port sessions ------------------------------------------------------------------

CONNECTIONS = 20
OPENED = re.compile(rb"Port (\d+) opened for sessionId (\S+)\.")
UNSUPPORTED = "this agent does not run this kind of session"


def skip_if_unsupported(broker):
    """Skip when the agent refused a session as a kind it does not run yet."""
    if UNSUPPORTED in broker.output():
        pytest.skip(f"postern-agent does not run this session type yet ({UNSUPPORTED})")


class Forward:
    """`aws ssm start-session --document-name AWS-StartPortForwardingSession`
    on a pseudo-terminal (so that Ctrl-C is a terminal's), past the plugin's
    `Port P opened` and `Waiting for connections...` lines."""

    def __init__(self, broker, env, target, dest_port):
        self.child = pexpect.spawn(AWS, [
            "ssm", "start-session", "--target", target, "--endpoint-url", broker.url,
            "--document-name", "AWS-StartPortForwardingSession",
            "--parameters", f"portNumber={dest_port},localPortNumber=0"],
            env=env, timeout=30)
        if self.child.expect([OPENED, pexpect.EOF]) == 1:
            skip_if_unsupported(broker)
            raise AssertionError("the plugin ended before listening:\n"
                                 + self.child.before.decode(errors="replace"))
        self.port = int(self.child.match.group(1))
        self.id = self.child.match.group(2).decode()
        self.child.expect_exact("Waiting for connections...")

    def connect(self):
        return socket.create_connection((LOOPBACK, self.port), timeout=60)

    def interrupt(self):
        """Ctrl-C: (exit status, what the plugin printed since the last match)."""
        self.child.sendintr()
        self.child.expect(pexpect.EOF, timeout=30)
        out = self.child.before.decode(errors="replace")
        self.child.close()
        return self.child.exitstatus, out


def test_port_forward_many_connections_at_once(broker, host, env):
    rng = random.Random(20)
    with EchoServer() as echo:
        fwd = Forward(broker, env, host[0], echo.port)
        socks = [fwd.connect() for _ in range(CONNECTIONS)]
        fwd.child.expect_exact(f"Connection accepted for session [{fwd.id}]")
        payloads = [rng.randbytes(rng.randint(1, 64 << 10)) for _ in range(CONNECTIONS)]
        with ThreadPoolExecutor(CONNECTIONS) as pool:
            ok = list(pool.map(echo_round_trip, socks, payloads))
        assert all(ok), f"connections {[i for i, g in enumerate(ok) if not g]} got back " \
                        "something else"
        assert echo.active == CONNECTIONS, "the destination did not see them all at once"
        for s in socks:
            s.close()
        assert echo.wait_active(0), f"{echo.active} destination connections left open"
        status, out = fwd.interrupt()
        assert status == 0
        assert "Terminate signal received, exiting." in out and goodbye(fwd.id) in out
        wait_status(broker, fwd.id, "Terminated")


def test_port_forward_refused_destination(broker, host, env):
    with EchoServer() as echo:
        fwd = Forward(broker, env, host[0], echo.port)
        first = fwd.connect()
        assert echo_round_trip(first, b"before the refusal")
        echo.stop_listening()
        refused = fwd.connect()
        assert_closed_without_data(refused)
        # the agent's ConnectToPortError flag, as the plugin words it
        fwd.child.expect_exact("Connection to destination port failed, check SSM Agent logs.")
        assert echo_round_trip(first, b"the first connection still works")
        echo.listen_again()
        again = fwd.connect()
        assert echo_round_trip(again, b"and a new one works again")
        for s in (first, refused, again):
            s.close()
        assert fwd.interrupt()[0] == 0


# ---- ssh with the AWS CLI as ProxyCommand ----------------------------------------

@pytest.fixture
def sshd(tmp_path):
    s = Sshd(tmp_path / "sshd").start()
    yield s
    s.stop()


def proxied(broker, args):
    proxy = (f"{AWS} ssm start-session --target %h --document-name AWS-StartSSHSession "
             f"--parameters portNumber=%p --endpoint-url {broker.url}")
    return [args[0], "-o", f"ProxyCommand={proxy}", *args[1:]]


def test_ssh_runs_a_remote_command(broker, host, env, sshd):
    res = subprocess.run(proxied(broker, sshd.ssh_args(
        f"{sshd.user}@{host[0]}", "echo remote-$((6*7)); echo to-stderr >&2; exit 3")),
        env=env, capture_output=True, timeout=90)
    if res.returncode == 255:       # ssh's own failure
        skip_if_unsupported(broker)
    assert res.stdout == b"remote-42\n", res.stderr
    assert b"to-stderr" in res.stderr
    assert res.returncode == 3, res.stderr


def test_scp_both_ways(broker, host, env, sshd, tmp_path):
    """A few MiB only: the plugin sends at most 1 KiB per millisecond."""
    src, there, back = tmp_path / "src.bin", tmp_path / "there.bin", tmp_path / "back.bin"
    src.write_bytes(os.urandom(4 << 20))
    remote = f"{sshd.user}@{host[0]}"
    up = subprocess.run(proxied(broker, sshd.scp_args(str(src), f"{remote}:{there}")),
                        env=env, capture_output=True, timeout=300)
    if up.returncode != 0:
        skip_if_unsupported(broker)
    assert up.returncode == 0, up.stderr
    down = subprocess.run(proxied(broker, sshd.scp_args(f"{remote}:{there}", str(back))),
                          env=env, capture_output=True, timeout=300)
    assert down.returncode == 0, down.stderr
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    assert hashlib.sha256(there.read_bytes()).hexdigest() == digest, "the upload changed it"
    assert hashlib.sha256(back.read_bytes()).hexdigest() == digest, "the download changed it"
