"""OpenSSH through postern: ssh and scp with
`ProxyCommand postern start-session --document-name AWS-StartSSHSession` to a
private sshd on loopback, the client finding its broker and CA in
~/.config/postern/config of a temporary HOME. A remote command's output and
exit code come back; a 200 MB random file goes there and back unchanged; a
closed port is reported to the user."""
import hashlib
import os
import re
import subprocess

import pytest

from client_util import POSTERN, client_env
from conftest import free_port
from port_util import online_host  # noqa: F401 (fixture)
from sshd import Sshd

COPY_BYTES = 200 * 1000 * 1000


@pytest.fixture
def sshd(tmp_path):
    s = Sshd(tmp_path / "sshd").start()
    yield s
    s.stop()


@pytest.fixture
def env(broker, tmp_path):
    """The client's settings come from its config file, not from AWS_*
    variables (only the credentials file is named by the environment)."""
    home = tmp_path / "home"
    (home / ".config" / "postern").mkdir(parents=True)
    (home / ".config" / "postern" / "config").write_text(
        f"endpoint-url {broker.url}\nca {broker.ca}\n")
    return client_env(broker, home, AWS_CA_BUNDLE=None)


@pytest.fixture
def ssh_host(online_host):
    """The agent SSH sessions go through (an online agent)."""
    return online_host


def proxied(sshd, args):
    """args (ssh or scp) with postern as the ProxyCommand."""
    proxy = (f"{POSTERN} start-session --target %h --document-name AWS-StartSSHSession "
             "--parameters portNumber=%p")
    return [args[0], "-o", f"ProxyCommand={proxy}", *args[1:]]


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def test_ssh_runs_a_remote_command(sshd, ssh_host, env):
    res = subprocess.run(proxied(sshd, sshd.ssh_args(
        f"{sshd.user}@{ssh_host.instance_id}",
        "echo remote-$((6*7)); echo to-stderr >&2; exit 3")),
        env=env, capture_output=True, timeout=60)
    assert res.stdout == b"remote-42\n", res.stderr
    assert b"to-stderr" in res.stderr
    assert res.returncode == 3, res.stderr


def test_scp_200mb_both_ways(sshd, ssh_host, env, tmp_path):
    src, there, back = tmp_path / "src.bin", tmp_path / "there.bin", tmp_path / "back.bin"
    with open(src, "wb") as f:
        for _ in range(COPY_BYTES // (1 << 20)):
            f.write(os.urandom(1 << 20))
        f.write(os.urandom(COPY_BYTES % (1 << 20)))
    remote = f"{sshd.user}@{ssh_host.instance_id}"

    up = subprocess.run(proxied(sshd, sshd.scp_args(str(src), f"{remote}:{there}")),
                        env=env, capture_output=True, timeout=300)
    assert up.returncode == 0, up.stderr
    down = subprocess.run(proxied(sshd, sshd.scp_args(f"{remote}:{there}", str(back))),
                          env=env, capture_output=True, timeout=300)
    assert down.returncode == 0, down.stderr

    assert os.path.getsize(back) == COPY_BYTES
    digest = sha256_file(src)
    assert sha256_file(there) == digest, "the upload changed the file"
    assert sha256_file(back) == digest, "the download changed the file"


def test_a_closed_ssh_port_is_reported_to_the_user(ssh_host, env):
    """Nothing listens at portNumber: the agent cannot connect, and the user
    learns why (session-flow: a session failed on the agent reaches the client
    as channel_closed with the agent's error text) instead of a bare EOF."""
    closed = free_port()
    proc = subprocess.Popen([str(POSTERN), "start-session", "--target", ssh_host.instance_id,
                             "--document-name", "AWS-StartSSHSession",
                             "--parameters", f"portNumber={closed}"],
                            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        out, err = proc.communicate(timeout=30)  # stdin stays open: the session must end itself
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"postern still running 30 s after the agent could not connect: "
                             f"{err!r}")
    assert out == b"", "stdout carries only the destination's bytes"
    assert re.search(rb"(?i)(connect\w*\b.*\b(fail|refus)|(could not|cannot|unable to) connect)",
                     err), f"no reason given (exit {proc.returncode}): {err!r}"
