#!/usr/bin/python3
"""Shell-session benchmarks, each beside OpenSSH measured in the same run:

  session start   time from running the client to the shell's prompt, median
                  of 20, vs `ssh -tt` to a local sshd
  keystroke echo  p50/p99 round trip of 1,000 single bytes through a session
                  running `cat` (no tty echo), vs the same through ssh
  memory          RSS of an idle agent and of a broker with one idle agent

Everything runs on loopback in a temporary folder. Figures, not pass/fail.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pexpect

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "e2e"))
sys.path.insert(0, str(HERE))

from conftest import BIN, Broker, free_port  # noqa: E402
from sshd import Sshd  # noqa: E402

STARTS = 20
KEYSTROKES = 1000
PROMPT_ENV = {"PS1": "$ ", "ENV": ""}


def memory_kb(pid):
    """RSS, PSS and private (unshared) kB of a process, from smaps_rollup."""
    fields = {}
    for line in open(f"/proc/{pid}/smaps_rollup"):
        parts = line.split()
        if len(parts) == 3 and parts[2] == "kB":
            fields[parts[0].rstrip(":")] = int(parts[1])
    return (fields["Rss"], fields["Pss"],
            fields["Private_Clean"] + fields["Private_Dirty"])


def tls_floor_kb(broker):
    """The same three figures for a bare TLS client after one handshake with
    the broker (tests/bench/tls_floor.c): the anchor for the agent."""
    out = subprocess.run([str(BIN.parent / "bench" / "tls_floor"), "127.0.0.1",
                          str(broker.port), broker.ca], capture_output=True, text=True,
                         check=True).stdout
    fields = dict(item.split("=") for item in out.split())
    return int(fields["rss_kb"]), int(fields["pss_kb"]), int(fields["private_kb"])


def memory_line(name, kb, anchor=None):
    text = f"{name:28s} RSS {kb[0] / 1024:5.1f} MB  PSS {kb[1] / 1024:5.1f} MB  " \
           f"private {kb[2] / 1024:5.1f} MB"
    if anchor:
        text += f"   ({kb[0] / anchor[0]:.2f}x / {kb[1] / anchor[1]:.2f}x / " \
                f"{kb[2] / anchor[2]:.2f}x the TLS client)"
    return text


def start_agent(broker, folder):
    act = json.loads(broker.aws("ssm", "create-activation", "--iam-role", "bench").stdout)
    act_id, code = act["ActivationId"], act["ActivationCode"]
    out = subprocess.run([str(BIN / "postern-agent"), "register", "--broker", broker.url,
                          "--ca", broker.ca, "--activation-id", act_id, "--activation-code",
                          code, "--state-dir", str(folder / "agent")],
                         capture_output=True, text=True, check=True)
    target = out.stdout.strip().splitlines()[-1]
    agent = subprocess.Popen([str(BIN / "postern-agent"), "run", "--state-dir",
                              str(folder / "agent")], stderr=open(folder / "agent.log", "wb"))
    for _ in range(200):
        info = json.loads(broker.aws("ssm", "describe-instance-information").stdout)
        if any(i["PingStatus"] == "Online" for i in info["InstanceInformationList"]):
            return agent, target
        time.sleep(0.05)
    raise RuntimeError("agent never came online")


def postern_cmd(broker, target):
    return [str(BIN / "postern"), "start-session", "--target", target, "--endpoint-url",
            broker.url, "--ca", broker.ca]


PROMPT = rb"[$#] "  # the end of bash's prompt, for root and for others


def time_to_prompt(argv, env):
    t0 = time.perf_counter()
    child = pexpect.spawn(argv[0], argv[1:], env=env, timeout=30)
    child.expect(PROMPT)
    elapsed = time.perf_counter() - t0
    child.terminate(force=True)
    return elapsed


def echo_round_trips(argv, env):
    child = pexpect.spawn(argv[0], argv[1:], env=env, timeout=30, encoding=None)
    child.delaybeforesend = None  # pexpect sleeps 50 ms before each send by default
    child.expect(PROMPT)
    child.sendline(b"stty -echo -icanon; cat")
    time.sleep(1.0)  # let the prompt and the echo of the command line pass
    while True:
        try:
            child.read_nonblocking(65536, timeout=0.5)
        except pexpect.TIMEOUT:
            break
    samples = []
    for i in range(KEYSTROKES):
        byte = bytes([ord("a") + i % 26])
        t0 = time.perf_counter()
        child.send(byte)
        got = child.read_nonblocking(1, timeout=10)
        samples.append(time.perf_counter() - t0)
        assert got == byte, (got, byte)
    child.terminate(force=True)
    samples.sort()
    return samples[len(samples) // 2], samples[int(len(samples) * 0.99)]


def ms(x):
    return f"{x * 1000:8.2f} ms"


def main():
    env = dict(os.environ, **PROMPT_ENV)
    env = {k: v for k, v in env.items() if not k.startswith("AWS_")}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        broker = Broker(folder / "broker", free_port()).start()
        sshd = Sshd(folder / "sshd").start()
        agent = None
        try:
            agent, target = start_agent(broker, folder)
            env.update(broker.aws_env())
            time.sleep(1)
            print("== shell sessions (lower is better)")
            floor = tls_floor_kb(broker)
            print("memory (RSS counts shared library pages; private is this process's own):")
            print("  " + memory_line("bare TLS client (anchor)", floor))
            print("  " + memory_line("idle agent (goal RSS <= 4 MB)", memory_kb(agent.pid), floor))
            print("  " + memory_line("broker with one idle agent", memory_kb(broker.proc.pid)))

            pst = postern_cmd(broker, target)
            ssh = sshd.ssh_args("-tt", "root@127.0.0.1")
            p_start = statistics.median(time_to_prompt(pst, env) for _ in range(STARTS))
            s_start = statistics.median(time_to_prompt(ssh, env) for _ in range(STARTS))
            print(f"session start, median of {STARTS}: postern {ms(p_start)}   ssh {ms(s_start)}"
                  f"   ratio {p_start / s_start:.2f}x")

            p50, p99 = echo_round_trips(pst, env)
            s50, s99 = echo_round_trips(ssh, env)
            print(f"keystroke echo, {KEYSTROKES} bytes: postern p50 {ms(p50)} p99 {ms(p99)}"
                  f"   ssh p50 {ms(s50)} p99 {ms(s99)}   ratio p50 {p50 / s50:.2f}x "
                  f"p99 {p99 / s99:.2f}x")
        finally:
            if agent:
                agent.terminate()
                agent.wait()
            sshd.stop()
            broker.stop()


if __name__ == "__main__":
    main()
