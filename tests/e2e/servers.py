"""Real servers for the port-forwarding tests and benchmarks, each on a free
loopback port:

  EchoServer   echoes every byte back, one thread per connection; it can stop
               listening (connections already accepted keep working) and listen
               again on the same port, and it counts connections open at once
  PushServer   each connection asks for N bytes ("N\\n") and gets N bytes of a
               pseudo-random stream, then the server closes it; it records what
               it sent (bytes so far, SHA-256 once done) for the reader to compare
  Postgres     Debian's PostgreSQL server in a temporary folder, trust auth,
               TCP on 127.0.0.1 only; run as `nobody` when the tests run as root
               (postgres refuses to run as root)

Servers are context managers: `with EchoServer() as echo: ...echo.port...`.
"""
import glob
import hashlib
import os
import pwd
import random
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

LOOPBACK = "127.0.0.1"


def free_port():
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def recv_exact(sock, n):
    """Exactly n bytes from sock (ConnectionError if it ends sooner)."""
    buf = bytearray(n)
    view, got = memoryview(buf), 0
    while got < n:
        k = sock.recv_into(view[got:])
        if k == 0:
            raise ConnectionError(f"connection ended after {got} of {n} bytes")
        got += k
    return bytes(buf)


class _Listener:
    """A listening socket with an accept thread; handle(conn) runs on a thread
    of its own per connection. Subclasses define handle()."""

    def __init__(self, port=None, backlog=512):
        self.port = port or free_port()
        self.backlog = backlog
        self.lock = threading.Lock()
        self.active = 0            # connections open right now
        self.accepted = 0          # connections accepted so far
        self.most_at_once = 0      # the largest `active` seen
        self._sock = None
        self._conns = []
        self._threads = []

    def start(self):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((LOOPBACK, self.port))
        s.listen(self.backlog)
        self._sock = s
        t = threading.Thread(target=self._accept_loop, args=(s,), daemon=True)
        t.start()
        self._threads.append(t)
        return self

    def _accept_loop(self, s):
        while True:
            try:
                conn, _ = s.accept()
            except OSError:
                return  # stop_listening() shut it down
            with self.lock:
                self.accepted += 1
                self.active += 1
                self.most_at_once = max(self.most_at_once, self.active)
                self._conns.append(conn)
                index = self.accepted - 1
            t = threading.Thread(target=self._serve, args=(conn, index), daemon=True)
            t.start()

    def _serve(self, conn, index):
        try:
            self.handle(conn, index)
        except OSError:
            pass
        finally:
            conn.close()
            with self.lock:
                self.active -= 1

    def handle(self, conn, index):
        raise NotImplementedError

    def stop_listening(self):
        """Refuse new connections (nothing listens on the port any more);
        connections already accepted go on."""
        if self._sock:
            try:
                self._sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
            except OSError:
                pass
            self._sock.close()
            self._sock = None

    def listen_again(self):
        return self.start()

    def wait_active(self, n, timeout=30.0):
        """Wait until exactly n connections are open; returns whether they were."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.active == n:
                return True
            time.sleep(0.05)
        return self.active == n

    def close(self):
        self.stop_listening()
        with self.lock:
            conns = list(self._conns)
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()


class EchoServer(_Listener):
    def handle(self, conn, index):
        while True:
            data = conn.recv(65536)
            if not data:
                return
            conn.sendall(data)


class Pattern:
    """A reproducible pseudo-random byte stream, cheap to produce at memory
    speed: 64 KiB slices of a 4 MiB random pool taken at pseudo-random offsets,
    so no two nearby chunks are alike and a lost, repeated or reordered chunk
    changes the stream's SHA-256."""

    POOL = 4 << 20
    CHUNK = 64 << 10

    def __init__(self, seed):
        rng = random.Random(seed)
        self.pool = memoryview(rng.randbytes(self.POOL + self.CHUNK))
        self.offsets = [rng.randrange(self.POOL) for _ in range(4096)]

    def chunks(self, total):
        k = 0
        while total > 0:
            n = min(self.CHUNK, total)
            off = self.offsets[k % len(self.offsets)]
            yield self.pool[off:off + n]
            total -= n
            k += 1


class Pushed:
    """What a PushServer sent on one connection."""

    def __init__(self, requested):
        self.requested = requested
        self.sent = 0
        self.sha256 = None     # hex digest once everything was sent
        self.error = None      # the OSError that ended it early, if any
        self.finished = threading.Event()


class PushServer(_Listener):
    """Connection i reads a decimal length and a newline, then receives that
    many bytes of Pattern(seed + i) and is closed. `pushes[i]` tells what was
    sent; `pushed(i)` waits for the i-th connection to ask."""

    MAX_REQUEST = 1 << 40

    def __init__(self, port=None, seed=1):
        super().__init__(port)
        self.seed = seed
        self.pushes = {}
        self._asked = threading.Condition(self.lock)

    def handle(self, conn, index):
        line = b""
        while not line.endswith(b"\n") and len(line) < 32:
            b = conn.recv(1)
            if not b:
                return
            line += b
        requested = int(line)
        if not 0 <= requested <= self.MAX_REQUEST:
            return
        push = Pushed(requested)
        with self._asked:
            self.pushes[index] = push
            self._asked.notify_all()
        digest = hashlib.sha256()
        try:
            for chunk in Pattern(self.seed + index).chunks(requested):
                conn.sendall(chunk)
                digest.update(chunk)
                push.sent += len(chunk)
            push.sha256 = digest.hexdigest()
        except OSError as e:
            push.error = e
        finally:
            push.finished.set()

    def pushed(self, index, timeout=30.0):
        with self._asked:
            if not self._asked.wait_for(lambda: index in self.pushes, timeout):
                raise AssertionError(f"connection {index} never reached the push server")
            return self.pushes[index]


def request_push(sock, n):
    """Ask a PushServer (through whatever forward sock leads to) for n bytes."""
    sock.sendall(b"%d\n" % n)


def read_all_hashed(sock, n, bufsize=1 << 20):
    """Read exactly n bytes from sock without keeping them: their SHA-256 (hex)."""
    digest = hashlib.sha256()
    buf = bytearray(bufsize)
    view, got = memoryview(buf), 0
    while got < n:
        k = sock.recv_into(view[:min(bufsize, n - got)])
        if k == 0:
            raise ConnectionError(f"connection ended after {got} of {n} bytes")
        digest.update(view[:k])
        got += k
    return digest.hexdigest()


# ---- PostgreSQL -----------------------------------------------------------------

def _pg_bin(name):
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise FileNotFoundError(f"PostgreSQL's {name} is not installed (package postgresql)")
    return found[-1]  # the newest installed version


class Postgres:
    """A PostgreSQL server of its own: initdb in a fresh folder, then postgres
    on 127.0.0.1:port with trust authentication, superuser `postgres`,
    database `postgres`. Tests that run as root run it as `nobody`; its folder
    is then created in the system's temporary directory (pytest's are private
    to root) and removed by close()."""

    USER = "postgres"

    def __init__(self, port=None):
        self.port = port or free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="postern-pg-"))
        self.data = self.dir / "data"
        self.log_path = self.dir / "postgres.log"
        self.proc = None
        self._owner = None
        if os.geteuid() == 0:
            self._owner = pwd.getpwnam("nobody")
            os.chown(self.dir, self._owner.pw_uid, self._owner.pw_gid)

    def _as_owner(self, argv):
        if not self._owner:
            return argv
        return ["setpriv", f"--reuid={self._owner.pw_uid}", f"--regid={self._owner.pw_gid}",
                "--clear-groups", *argv]

    def _env(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(HOME=str(self.dir), LC_ALL="C", LANG="C")
        return env

    def start(self, timeout=60.0):
        subprocess.run(self._as_owner([_pg_bin("initdb"), "-D", str(self.data), "-U", self.USER,
                                       "--auth=trust", "--encoding=UTF8", "--locale=C",
                                       "--no-sync"]),
                       cwd=self.dir, env=self._env(), check=True, capture_output=True,
                       timeout=timeout)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            self._as_owner([_pg_bin("postgres"), "-D", str(self.data), "-p", str(self.port),
                            "-c", f"listen_addresses={LOOPBACK}",
                            "-c", f"unix_socket_directories={self.dir}",
                            "-c", "fsync=off", "-c", "max_connections=50"]),
            cwd=self.dir, env=self._env(), stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("postgres exited: " + self.log_path.read_text())
            ready = subprocess.run([_pg_bin("pg_isready"), "-q", "-h", LOOPBACK,
                                    "-p", str(self.port), "-U", self.USER],
                                   env=self._env(), timeout=timeout)
            if ready.returncode == 0:
                return self
            time.sleep(0.1)
        raise TimeoutError("postgres not ready: " + self.log_path.read_text())

    def psql(self, sql, port=None, timeout=60):
        """Run sql with psql against port (default: the server's own);
        CompletedProcess, unaligned tuples-only output."""
        return subprocess.run(["psql", "-X", "-h", LOOPBACK, "-p", str(port or self.port),
                               "-U", self.USER, "-d", "postgres", "-At", "-v",
                               "ON_ERROR_STOP=1", "-c", sql],
                              env=self._env(), capture_output=True, text=True, timeout=timeout)

    def pgbench(self, *args, port=None, timeout=120):
        return subprocess.run(["pgbench", "-h", LOOPBACK, "-p", str(port or self.port),
                               "-U", self.USER, *args, "postgres"],
                              env=self._env(), capture_output=True, text=True, timeout=timeout)

    def close(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(2)  # SIGINT: fast shutdown
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()


def main():
    """`servers.py echo PORT`: an EchoServer in a process of its own (for
    benchmarks, whose measuring thread must not share an interpreter with it),
    until killed."""
    import argparse
    import signal

    ap = argparse.ArgumentParser(description="a test server on 127.0.0.1")
    ap.add_argument("kind", choices=["echo"])
    ap.add_argument("port", type=int)
    args = ap.parse_args()
    stop = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop)  # the server's threads inherit it
    EchoServer(args.port).start()
    signal.sigwait(stop)


if __name__ == "__main__":
    main()
