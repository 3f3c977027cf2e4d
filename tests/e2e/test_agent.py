"""postern-agent against a real postern-broker on loopback: `register` (files,
modes, refusals that leave nothing behind) and `run` (online in the broker's
inventory, heartbeats, reconnection with backoff, dead-connection detection,
refused certificates, sessions refused for now, clean stop on SIGTERM/SIGINT)."""
import json
import os
import re
import signal
import socket
import stat
import subprocess
import time

import pytest

from conftest import AGENT, create_activation, free_port
from sigv4_client import post, read_credentials, signed_request

INSTANCE_ID = re.compile(r"^mi-[0-9a-f]{17}$")


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def os_release_name():
    for path in ("/etc/os-release", "/usr/lib/os-release"):
        try:
            for line in open(path):
                if line.startswith("NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
        except OSError:
            pass
    return "Linux"


def instances(broker):
    return {i["InstanceId"]: i for i in json.loads(
        broker.aws("ssm", "describe-instance-information").stdout)["InstanceInformationList"]}


def wait_online(broker, instance_id, timeout=20.0):
    deadline = time.monotonic() + timeout
    info = None
    while time.monotonic() < deadline:
        info = instances(broker).get(instance_id)
        if info and info["PingStatus"] == "Online":
            return info
        time.sleep(0.3)
    raise AssertionError(f"{instance_id} never Online: {info}\n{broker.output()}")


def foreign_ca(tmp_path):
    key, ca = tmp_path / "foreign-ca-key.pem", tmp_path / "foreign-ca.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=foreign CA", "-days", "2",
                    "-keyout", str(key), "-out", str(ca)], check=True, capture_output=True)
    return ca


# ---- the command line ---------------------------------------------------------

def test_help_is_complete():
    top = subprocess.run([str(AGENT), "--help"], capture_output=True, text=True)
    assert top.returncode == 0 and "register" in top.stdout and "run" in top.stdout
    reg = subprocess.run([str(AGENT), "register", "--help"], capture_output=True, text=True)
    assert reg.returncode == 0
    for flag in ("--broker URL", "--ca FILE", "--activation-id ID", "--activation-code CODE",
                 "--state-dir DIR", "--force", "--verbose", "--help"):
        assert flag in reg.stdout, flag
    assert "last line" in reg.stdout and "/var/lib/postern-agent" in reg.stdout
    run = subprocess.run([str(AGENT), "run", "--help"], capture_output=True, text=True)
    assert run.returncode == 0
    for flag in ("--state-dir DIR", "--verbose", "--help", "SIGTERM", "backoff"):
        assert flag in run.stdout, flag
    ver = subprocess.run([str(AGENT), "--version"], capture_output=True, text=True)
    assert ver.returncode == 0 and "3.3.0.0" in ver.stdout


@pytest.mark.parametrize("missing", ["--broker", "--ca", "--activation-id",
                                     "--activation-code"])
def test_register_names_a_missing_flag(tmp_path, missing):
    args = {"--broker": "https://127.0.0.1:1", "--ca": "/dev/null", "--activation-id": "x",
            "--activation-code": "y", "--state-dir": str(tmp_path / "st")}
    del args[missing]
    res = subprocess.run([str(AGENT), "register", *[x for kv in args.items() for x in kv]],
                         capture_output=True, text=True)
    assert res.returncode == 2
    assert f"missing {missing}" in res.stderr
    assert not (tmp_path / "st").exists()


@pytest.mark.parametrize("args,says", [
    (["frobnicate"], "unknown command"),
    (["register", "--broker"], "needs a value"),
    (["register", "--nonsense"], "unknown option"),
    (["register", "--broker", "http://x", "--ca", "c", "--activation-id", "i",
      "--activation-code", "c"], "must start with https://"),
    (["run", "extra"], "unexpected argument"),
])
def test_bad_usage(args, says):
    res = subprocess.run([str(AGENT), *args], capture_output=True, text=True)
    assert res.returncode == 2 and says in res.stderr, res.stderr


# ---- register -----------------------------------------------------------------

def test_register_writes_the_state_directory(broker, agent_factory):
    agent = agent_factory()
    res = agent.register(broker)
    instance_id = res.stdout.strip().splitlines()[-1]
    assert INSTANCE_ID.match(instance_id), res.stdout
    st = agent.state_dir
    assert mode(st) == 0o700
    assert sorted(os.listdir(st)) == ["agent.conf", "ca.pem", "cert.pem", "key.pem"]
    assert mode(st / "key.pem") == 0o600
    assert (st / "ca.pem").read_text() == open(broker.ca).read()
    assert (st / "key.pem").read_text().startswith("-----BEGIN PRIVATE KEY-----")
    conf = (st / "agent.conf").read_text()
    assert f"\nbroker {broker.url}\n" in conf and f"\ninstance-id {instance_id}\n" in conf
    verify = subprocess.run(["openssl", "verify", "-CAfile", broker.ca, "-purpose", "sslclient",
                             str(st / "cert.pem")], capture_output=True, text=True)
    assert verify.returncode == 0, verify.stderr
    subject = subprocess.run(["openssl", "x509", "-noout", "-subject", "-in",
                              str(st / "cert.pem")], capture_output=True, text=True).stdout
    assert instance_id in subject
    assert instance_id in instances(broker)


def test_register_creates_missing_parents(broker, tmp_path, agent_factory):
    agent = agent_factory("deep/er/state")
    agent.register(broker)
    assert mode(agent.state_dir) == 0o700
    assert (agent.state_dir / "agent.conf").exists()


def assert_nothing_written(state_dir):
    assert not state_dir.exists() or os.listdir(state_dir) == [], os.listdir(state_dir)


def test_wrong_activation_code_is_refused(broker, agent_factory):
    agent = agent_factory()
    act = create_activation(broker)
    res = agent.register(broker, {**act, "ActivationCode": "WRONG" * 5}, check=False)
    assert res.returncode == 1
    assert res.stderr == ("postern-agent: registration refused: "
                          "unknown activation id or wrong code\n")
    assert res.stdout == ""
    assert_nothing_written(agent.state_dir)


def test_used_up_activation_is_refused(broker, agent_factory):
    act = create_activation(broker, "--registration-limit", "1")
    agent_factory().register(broker, act)
    res = agent_factory().register(broker, act, check=False)
    assert res.returncode == 1 and "registration refused:" in res.stderr
    assert "limit" in res.stderr


def test_wrong_ca_is_a_tls_failure_and_uses_nothing_up(broker, agent_factory, tmp_path):
    act = create_activation(broker, "--registration-limit", "1")
    agent = agent_factory()
    ca = foreign_ca(tmp_path)
    res = agent.register(broker, act, ca=str(ca), check=False)
    assert res.returncode == 1
    assert res.stderr.startswith("postern-agent: no secure connection to the broker")
    assert "certificate was not accepted" in res.stderr and str(ca) in res.stderr
    assert_nothing_written(agent.state_dir)
    # the activation was never presented: it still works
    agent.register(broker, act)


def test_broker_name_must_match_its_certificate(broker, agent_factory):
    # "127.1" resolves to 127.0.0.1, but the broker's certificate does not name it
    agent = agent_factory()
    res = agent.register(broker, url=f"https://127.1:{broker.port}", check=False)
    assert res.returncode == 1
    assert "the broker's certificate is not for 127.1" in res.stderr, res.stderr
    assert_nothing_written(agent.state_dir)


def test_unreachable_broker(broker, agent_factory):
    agent = agent_factory()
    port = free_port()
    res = agent.register(broker, url=f"https://127.0.0.1:{port}", check=False)
    assert res.returncode == 1
    assert res.stderr.startswith(f"postern-agent: cannot reach the broker at "
                                 f"https://127.0.0.1:{port}: no connection to 127.0.0.1 "
                                 f"port {port}")
    assert_nothing_written(agent.state_dir)


def test_not_a_tls_server(agent_factory, broker, tmp_path):
    with socket.socket() as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen()
        port = srv.getsockname()[1]
        proc = subprocess.Popen(
            [str(AGENT), "register", "--broker", f"https://127.0.0.1:{port}", "--ca",
             broker.ca, "--activation-id", "x", "--activation-code", "y", "--state-dir",
             str(tmp_path / "st")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        conn, _ = srv.accept()
        conn.recv(4096)
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        conn.close()
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1
    assert "does not answer in TLS" in err, err


def test_bad_ca_file(broker, agent_factory, tmp_path):
    agent = agent_factory()
    res = agent.register(broker, ca=str(tmp_path / "missing.pem"), check=False)
    assert res.returncode == 1 and "--ca" in res.stderr and "missing.pem" in res.stderr
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n")
    res = agent.register(broker, ca=str(junk), check=False)
    assert res.returncode == 1 and "no PEM certificate" in res.stderr
    assert_nothing_written(agent.state_dir)


def test_existing_registration_needs_force(broker, agent_factory):
    agent = agent_factory()
    first = agent.register(broker).stdout.splitlines()[-1]
    files = {n: (agent.state_dir / n).read_bytes() for n in os.listdir(agent.state_dir)}
    act = create_activation(broker, "--registration-limit", "1")
    res = agent.register(broker, act, check=False)
    assert res.returncode == 1
    assert "already holds a registration" in res.stderr and "--force" in res.stderr
    assert {n: (agent.state_dir / n).read_bytes() for n in os.listdir(agent.state_dir)} == files
    # the refusal came before the broker was asked: the activation is unused
    second = agent.register(broker, act, "--force").stdout.splitlines()[-1]
    assert INSTANCE_ID.match(second) and second != first
    assert f"instance-id {second}" in (agent.state_dir / "agent.conf").read_text()
    assert (agent.state_dir / "key.pem").read_bytes() != files["key.pem"]
    assert sorted(os.listdir(agent.state_dir)) == sorted(files)


def test_open_state_directory_is_refused(broker, tmp_path, agent_factory):
    agent = agent_factory()
    agent.state_dir.mkdir(mode=0o755)
    os.chmod(agent.state_dir, 0o755)
    res = agent.register(broker, check=False)
    assert res.returncode == 1 and "open to other users" in res.stderr
    assert mode(agent.state_dir) == 0o755 and os.listdir(agent.state_dir) == []


# ---- run ------------------------------------------------------------------------

@pytest.fixture
def fast_broker(broker_factory):
    """A broker asking for a heartbeat every second."""
    return broker_factory(extra_args=["--heartbeat-interval", "1"]).start()


def registered(broker, agent_factory, name=None):
    agent = agent_factory(name)
    instance_id = agent.register(broker).stdout.splitlines()[-1]
    return agent, instance_id


def test_run_goes_online_and_stops_on_sigterm(broker, agent_factory):
    agent, instance_id = registered(broker, agent_factory)
    agent.start()
    info = wait_online(broker, instance_id)
    assert info["AgentVersion"] == "3.3.0.0"
    assert info["ComputerName"] == socket.gethostname()
    assert info["PlatformName"] == os_release_name()
    assert info["PlatformType"] == "Linux"
    log = agent.wait_for("connected: broker accepted instance " + instance_id)
    assert re.search(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info connecting to "
                     rf"wss://127\.0\.0\.1:{broker.port}/v1/control \(attempt 1\)$", log,
                     re.M), log
    assert agent.stop(signal.SIGTERM) == 0
    out = agent.output()
    assert "stopping: closing the connection" in out and out.rstrip().endswith("info stopped")
    deadline = time.monotonic() + 10
    while "offline" not in broker.output() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert f"control: {instance_id} offline" in broker.output()


def test_run_heartbeats_keep_it_online(fast_broker, agent_factory):
    agent, instance_id = registered(fast_broker, agent_factory)
    agent.start()
    wait_online(fast_broker, instance_id)
    time.sleep(5)  # five intervals: without heartbeats the broker would have closed it
    assert instances(fast_broker)[instance_id]["PingStatus"] == "Online"
    out = agent.output()
    assert out.count("connecting to") == 1, out
    assert "silent" not in fast_broker.output()
    assert agent.stop(signal.SIGINT) == 0


def test_run_reconnects_with_backoff(fast_broker, agent_factory):
    agent, instance_id = registered(fast_broker, agent_factory)
    agent.start()
    agent.wait_for("connected: broker accepted")
    fast_broker.stop()
    agent.wait_for("lost connection to")
    agent.wait_for("cannot connect to", count=3, timeout=30)
    time.sleep(4)
    out = agent.output()
    # at most 1 + 2 + 4 + 8 s between attempts: never a busy loop
    attempts = out.count("info connecting to")
    assert 3 <= attempts <= 8, out
    delays = [float(d) for d in re.findall(r"next attempt in (\d+\.\d) s", out)]
    assert delays and all(0.1 <= d <= 30.0 for d in delays), delays
    assert re.search(r"cannot connect to \S+: no connection to 127\.0\.0\.1 port "
                     rf"{fast_broker.port}", out), out
    fast_broker.start()
    agent.wait_for("connected: broker accepted", count=2, timeout=40)
    wait_online(fast_broker, instance_id)
    assert agent.stop(signal.SIGTERM) == 0


def test_run_notices_a_silent_broker(fast_broker, agent_factory):
    agent, instance_id = registered(fast_broker, agent_factory)
    agent.start()
    agent.wait_for("connected: broker accepted")
    os.kill(fast_broker.proc.pid, signal.SIGSTOP)
    try:
        out = agent.wait_for("the connection is dead", timeout=10)
        assert "no message from the broker for 3 heartbeat intervals" in out
    finally:
        os.kill(fast_broker.proc.pid, signal.SIGCONT)
    agent.wait_for("connected: broker accepted", count=2, timeout=40)
    assert agent.stop() == 0


def test_run_with_a_certificate_from_another_broker(broker_factory, agent_factory):
    home = broker_factory().start()
    other = broker_factory().start()
    agent, _ = registered(home, agent_factory)
    # trust the other broker and point at it: it must refuse our certificate
    (agent.state_dir / "ca.pem").write_bytes(open(other.ca, "rb").read())
    conf = agent.state_dir / "agent.conf"
    conf.write_text(conf.read_text().replace(home.url, other.url))
    agent.start()
    out = agent.wait_for("does not accept this agent's certificate", timeout=20)
    assert "next attempt in" in out
    assert "refused" in other.output()
    assert agent.stop() == 0


def test_run_with_the_wrong_ca_for_the_broker(broker, agent_factory, tmp_path):
    agent, _ = registered(broker, agent_factory)
    (agent.state_dir / "ca.pem").write_bytes(foreign_ca(tmp_path).read_bytes())
    agent.start()
    out = agent.wait_for("the broker's certificate was not accepted", timeout=20)
    assert str(agent.state_dir / "ca.pem") in out
    assert agent.stop() == 0


def test_run_needs_a_registration(agent_factory):
    agent = agent_factory()
    res = subprocess.run([str(AGENT), "run", "--state-dir", str(agent.state_dir)],
                         capture_output=True, text=True, timeout=10)
    assert res.returncode == 1 and "holds no registration" in res.stderr


def test_one_agent_per_state_directory(broker, agent_factory):
    agent, instance_id = registered(broker, agent_factory)
    agent.start()
    wait_online(broker, instance_id)
    second = subprocess.run([str(AGENT), "run", "--state-dir", str(agent.state_dir)],
                            capture_output=True, text=True, timeout=10)
    assert second.returncode == 1 and "in use by another postern-agent" in second.stderr
    forced = agent.register(broker, None, "--force", check=False)
    assert forced.returncode == 1 and "in use" in forced.stderr
    assert agent.stop() == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to run the agent as another user")
def test_as_an_ordinary_user(broker, tmp_path):
    """Not root: the default state directory is under $XDG_STATE_HOME, and the
    agent says once that it cannot switch users."""
    import pwd
    import shutil
    import tempfile
    nobody = pwd.getpwnam("nobody")
    home = tempfile.mkdtemp(prefix="postern-agent-user-")
    try:
        os.chown(home, nobody.pw_uid, nobody.pw_gid)
        ca = os.path.join(home, "broker-ca.pem")
        shutil.copy(broker.ca, ca)
        os.chmod(ca, 0o644)
        as_nobody = ["setpriv", f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}",
                     "--clear-groups"]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home,
               "XDG_STATE_HOME": os.path.join(home, "state")}
        act = create_activation(broker)
        res = subprocess.run(
            [*as_nobody, str(AGENT), "register", "--broker", broker.url, "--ca", ca,
             "--activation-id", act["ActivationId"], "--activation-code",
             act["ActivationCode"]], env=env, capture_output=True, text=True, timeout=60)
        assert res.returncode == 0, res.stderr
        instance_id = res.stdout.splitlines()[-1]
        state = os.path.join(home, "state", "postern-agent")
        assert sorted(os.listdir(state)) == ["agent.conf", "ca.pem", "cert.pem", "key.pem"]
        assert os.stat(state).st_uid == nobody.pw_uid and mode(state) == 0o700
        assert mode(os.path.join(home, "state")) == 0o700
        log = open(os.path.join(home, "agent.log"), "wb")
        proc = subprocess.Popen([*as_nobody, str(AGENT), "run"], env=env, stdout=log,
                                stderr=subprocess.STDOUT)
        try:
            wait_online(broker, instance_id)
        finally:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=10) == 0
            log.close()
        out = open(os.path.join(home, "agent.log")).read()
        line = "running as nobody: sessions will run as this user (no user switching)"
        assert out.count(line) == 1, out
    finally:
        shutil.rmtree(home, ignore_errors=True)
