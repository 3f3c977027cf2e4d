#!/usr/bin/python3
"""Port-forwarding benchmarks, each beside anchors measured in the same run:

  throughput        iperf3 for SECONDS seconds each way through a postern port
                    forward (client, broker and agent on this machine, TLS on)
                    vs `ssh -L` (aes128-gcm@openssh.com) to a private sshd vs
                    direct loopback TCP; ratios postern/ssh and postern/direct;
                    and the floor of the architecture: three socat processes
                    relaying TCP -> TLS -> TLS -> TCP with nothing on top. Also
                    each postern process's CPU share during its run
  connection setup  a new connection through an established forward: connect,
                    then one 1-byte echo round trip; median of 100, beside the
                    same through ssh -L and direct
  --perf            perf record -g of the client, the broker and the agent's
                    session worker during the postern iperf3 runs: the top
                    symbols of each

Everything runs on loopback in a temporary folder. Figures, not pass/fail.
"""
import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "e2e"))
sys.path.insert(0, str(HERE))

from bench_session import start_agent  # noqa: E402
from conftest import Broker, free_port, wait_for_port  # noqa: E402
from port_util import PortForward  # noqa: E402
from servers import LOOPBACK  # noqa: E402
from sshd import Sshd  # noqa: E402

SECONDS = 5
SETUPS = 100
PERF_TOP = 12
PERF_TOP_DSO = 6


def iperf3(port, reverse=False, attempts=5):
    """Bits per second received in one iperf3 run to port. An iperf3 server
    may still be closing the previous test ("busy"): then wait and retry."""
    argv = ["iperf3", "-c", LOOPBACK, "-p", str(port), "-t", str(SECONDS), "-J"]
    if reverse:
        argv.append("-R")
    for attempt in range(attempts):
        res = subprocess.run(argv, capture_output=True, text=True, timeout=SECONDS + 60)
        out = json.loads(res.stdout or "{}")
        if res.returncode == 0 and "error" not in out:
            return out["end"]["sum_received"]["bits_per_second"]
        error = out.get("error") or res.stderr.strip()
        if "busy" not in error:
            break
        time.sleep(1)
    raise RuntimeError(f"iperf3 to {port}: {error}")


def setup_time(port):
    """Median seconds for connect + a 1-byte echo round trip, over SETUPS."""
    samples = []
    for _ in range(SETUPS):
        t0 = time.perf_counter()
        with socket.create_connection((LOOPBACK, port), timeout=30) as s:
            s.sendall(b"x")
            if s.recv(1) != b"x":
                raise RuntimeError(f"echo through {port} failed")
            samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def session_worker(agent_pid):
    """The pid of the agent's (only) session worker, or None."""
    try:
        kids = Path(f"/proc/{agent_pid}/task/{agent_pid}/children").read_text().split()
    except OSError:
        return None
    for kid in kids:
        try:
            if b"worker" in Path(f"/proc/{kid}/cmdline").read_bytes():
                return int(kid)
        except OSError:
            pass
    return None


class CpuUse:
    """CPU time (user + system, as a share of one core) that some processes
    spend while a block runs, from /proc/PID/stat: which process saturates."""

    def __init__(self, pids):
        self.pids = {name: pid for name, pid in pids.items() if pid}
        self.start = {}
        self.shares = {}

    @staticmethod
    def ticks(pid):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return int(fields[11]) + int(fields[12])  # utime + stime

    def __enter__(self):
        self.t0 = time.monotonic()
        self.start = {name: self.ticks(pid) for name, pid in self.pids.items()}
        return self

    def __exit__(self, *exc):
        elapsed = time.monotonic() - self.t0
        hz = os.sysconf("SC_CLK_TCK")
        for name, pid in self.pids.items():
            end, begin = self.ticks(pid), self.start.get(name)
            if end is not None and begin is not None and elapsed > 0:
                self.shares[name] = (end - begin) / hz / elapsed

    def line(self):
        return "   ".join(f"{name} {share * 100:3.0f}%" for name, share in self.shares.items())


class Perf:
    """perf record -g of some processes while a block runs; top symbols after."""

    def __init__(self, folder, pids):
        self.folder = folder
        self.pids = {name: pid for name, pid in pids.items() if pid}
        self.procs = {}

    def __enter__(self):
        for name, pid in self.pids.items():
            out = self.folder / f"perf-{name}.data"
            self.procs[name] = (out, subprocess.Popen(
                ["perf", "record", "-q", "-g", "-o", str(out), "-p", str(pid)],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        time.sleep(0.5)  # let perf attach
        return self

    def __exit__(self, *exc):
        for _, proc in self.procs.values():
            proc.send_signal(2)
        for _, proc in self.procs.values():
            proc.wait(timeout=60)

    def report(self):
        for name, (out, proc) in self.procs.items():
            for sort, what, top in (("dso", "by library", PERF_TOP_DSO),
                                    ("dso,sym", "top symbols", PERF_TOP)):
                print(f"-- perf: {name} (pid {self.pids[name]}), {what}, self time")
                res = subprocess.run(["perf", "report", "--stdio", "--no-children", "-g", "none",
                                      "--sort", sort, "-i", str(out)],
                                     capture_output=True, text=True, timeout=120)
                lines = [l for l in res.stdout.splitlines()
                         if l.strip() and not l.startswith("#")]
                if not lines:
                    err = (proc.stderr.read().decode(errors="replace") + res.stderr).strip()
                    print(f"   (no samples: {err[:300]})")
                    break
                for line in lines[:top]:
                    print("  " + line.strip())


def mbit(bps):
    return f"{bps / 1e6:9.0f} Mbit/s" if bps else "      n/a Mbit/s"


def ms(x):
    return f"{x * 1000:7.3f} ms" if x else "    n/a ms"


def ratio(a, b):
    return f"{a / b:.2f}x" if a and b else "n/a"


def stop_process(proc):
    """Terminate proc; kill it if it lingers."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def end_forward(fwd):
    """Ctrl-C a postern forward; kill it if that does not end it."""
    if fwd.proc:
        try:
            fwd.interrupt()
        except AssertionError as e:
            print(f"postern: {str(e).strip()[:400]}")
            fwd.kill()


def ssh_forward(sshd, forwards, stack):
    """ssh -N -L for each (local port, destination port); waits until they listen."""
    argv = sshd.ssh_args("-N", "-c", "aes128-gcm@openssh.com", "-o", "ExitOnForwardFailure=yes")
    for local, dest in forwards:
        argv += ["-L", f"{LOOPBACK}:{local}:{LOOPBACK}:{dest}"]
    proc = subprocess.Popen(argv + [f"{sshd.user}@{LOOPBACK}"])
    stack.callback(stop_process, proc)
    for local, _ in forwards:
        wait_for_port(local, proc, timeout=30)


def tls_relay(folder, dest, stack):
    """The floor of any three-process TLS relay on this machine: socat as the
    client, the relay in the middle and the agent (TCP -> TLS -> TLS -> TCP,
    TLS 1.3 with OpenSSL's defaults, 64 KiB reads), with no protocol of its
    own on top. Returns the port to connect to, or None without socat."""
    if not shutil.which("socat"):
        print("bench_port: socat is not installed (scripts/install-deps.sh): no TLS relay anchor")
        return None
    cert, key = folder / "relay-cert.pem", folder / "relay-key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-keyout", str(key), "-out", str(cert),
                    "-days", "1", "-subj", f"/CN={LOOPBACK}", "-addext",
                    f"subjectAltName=IP:{LOOPBACK}"], check=True, capture_output=True)
    server = f"cert={cert},key={key},verify=0,fork,reuseaddr,bind={LOOPBACK}"
    client = f"cafile={cert},commonname={LOOPBACK}"
    agent, relay, entry = free_port(), free_port(), free_port()
    for listen, connect in ((f"OPENSSL-LISTEN:{agent},{server}", f"TCP:{LOOPBACK}:{dest}"),
                            (f"OPENSSL-LISTEN:{relay},{server}",
                             f"OPENSSL:{LOOPBACK}:{agent},{client}"),
                            (f"TCP-LISTEN:{entry},fork,reuseaddr,bind={LOOPBACK}",
                             f"OPENSSL:{LOOPBACK}:{relay},{client}")):
        proc = subprocess.Popen(["socat", "-b", "65536", listen, connect],
                                stderr=subprocess.DEVNULL)
        stack.callback(stop_process, proc)
        wait_for_port(int(listen.split(":")[1].split(",")[0]), proc)
    return entry


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--perf", action="store_true",
                    help="profile the postern processes during the iperf3 runs")
    args = ap.parse_args()
    if not shutil.which("iperf3"):
        sys.exit("bench_port: iperf3 is not installed (scripts/install-deps.sh)")
    if args.perf and not shutil.which("perf"):
        print("bench_port: perf is not installed (Debian: linux-perf); no profile")
        args.perf = False
    for sig in (signal.SIGTERM, signal.SIGHUP):  # still stop every process started
        signal.signal(sig, lambda signum, _: sys.exit(128 + signum))

    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        folder = Path(tmp)
        (folder / "home").mkdir()
        broker = Broker(folder / "broker", free_port())
        stack.callback(broker.stop)
        broker.start()
        sshd = Sshd(folder / "sshd")
        stack.callback(sshd.stop)
        sshd.start()
        iperf_port = free_port()
        iperf = subprocess.Popen(["iperf3", "-s", "-B", LOOPBACK, "-p", str(iperf_port)],
                                 stdout=subprocess.DEVNULL,
                                 stderr=open(folder / "iperf3.log", "wb"))
        stack.callback(stop_process, iperf)
        # the echo server runs in a process of its own: sharing this
        # interpreter's lock would add its thread switches to every sample
        echo_port = free_port()
        echo = subprocess.Popen([sys.executable, str(HERE.parent / "e2e" / "servers.py"), "echo",
                                 str(echo_port)])
        stack.callback(stop_process, echo)
        wait_for_port(iperf_port, iperf)
        wait_for_port(echo_port, echo)
        agent, target = start_agent(broker, folder)
        stack.callback(stop_process, agent)
        env = broker.aws_env(HOME=str(folder / "home"))
        ssh_iperf, ssh_echo = free_port(), free_port()
        ssh_forward(sshd, [(ssh_iperf, iperf_port), (ssh_echo, echo_port)], stack)
        relay_iperf = tls_relay(folder, iperf_port, stack)

        def forward(dest, name):
            fwd = PortForward(broker, target, env, "AWS-StartPortForwardingSession",
                              {"portNumber": dest, "localPortNumber": 0},
                              folder / f"client-{name}.log")
            stack.callback(end_forward, fwd)
            try:
                return fwd.start()
            except AssertionError as e:
                print(f"postern: port forwarding unavailable: {str(e).strip()[:400]}")
                return None

        print(f"== port forwarding (iperf3 {SECONDS} s per run; higher is better)")
        fwd = forward(iperf_port, "iperf")
        pids = None
        if fwd:
            pids = {"client": fwd.pid, "broker": broker.proc.pid,
                    "agent worker": session_worker(agent.pid)}
        for reverse, label in ((False, "client -> server"), (True, "server -> client")):
            direct = iperf3(iperf_port, reverse)
            over_ssh = iperf3(ssh_iperf, reverse)
            relayed = iperf3(relay_iperf, reverse) if relay_iperf else None
            through, perf = None, Perf(folder, pids) if pids and args.perf else None
            cpu = CpuUse(pids or {})
            if fwd:
                try:
                    with perf or contextlib.nullcontext(), cpu:
                        through = iperf3(fwd.port, reverse)
                except RuntimeError as e:
                    print(f"postern: {e}")
            print(f"{label}: postern {mbit(through)}   ssh -L {mbit(over_ssh)}   "
                  f"direct {mbit(direct)}   postern/ssh {ratio(through, over_ssh)}   "
                  f"postern/direct {ratio(through, direct)}")
            print(f"   TLS relay floor (socat x3) {mbit(relayed)}   "
                  f"postern/relay {ratio(through, relayed)}   relay/ssh {ratio(relayed, over_ssh)}")
            if cpu.shares:
                print(f"   CPU during the postern run (100% = one core): {cpu.line()}")
            if perf:
                perf.report()

        print(f"== connection setup through an established forward, median of {SETUPS} "
              "(lower is better)")
        fwd_echo = forward(echo_port, "echo")
        through = None
        if fwd_echo:
            try:
                through = setup_time(fwd_echo.port)
            except (OSError, RuntimeError) as e:
                print(f"postern: {e}")
        over_ssh, direct = setup_time(ssh_echo), setup_time(echo_port)
        print(f"connect + 1-byte echo: postern {ms(through)}   ssh -L {ms(over_ssh)}   "
              f"direct {ms(direct)}   postern/ssh {ratio(through, over_ssh)}   "
              f"postern/direct {ratio(through, direct)}")


if __name__ == "__main__":
    main()
