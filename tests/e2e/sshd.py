"""A private OpenSSH server on a loopback port, for the end-to-end tests and the
benchmarks: its own host key, its own client key authorized for the current
user, an SFTP subsystem (scp speaks SFTP), all in one folder of the caller's."""
import getpass
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sshd:
    """sshd -D on 127.0.0.1:port. `user` is the account a client logs in as
    (the current one: an unprivileged sshd can only log in its own user)."""

    def __init__(self, folder):
        self.dir = Path(folder)
        self.dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.dir, 0o700)
        self.port = _free_port()
        self.user = getpass.getuser()
        self.host_key = self.dir / "host_ed25519"
        self.client_key = self.dir / "id_ed25519"
        for key in (self.host_key, self.client_key):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)],
                           check=True)
        self.authorized = self.dir / "authorized_keys"
        shutil.copy(str(self.client_key) + ".pub", self.authorized)
        os.chmod(self.authorized, 0o600)
        self.log_path = self.dir / "sshd.log"
        self.config = self.dir / "sshd_config"
        self.config.write_text(
            f"Port {self.port}\nListenAddress 127.0.0.1\nHostKey {self.host_key}\n"
            f"AuthorizedKeysFile {self.authorized}\nPasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n"
            f"PidFile {self.dir / 'sshd.pid'}\nPermitRootLogin yes\n"
            "Subsystem sftp internal-sftp\n"
            "Ciphers aes128-gcm@openssh.com,chacha20-poly1305@openssh.com\n")
        self.proc = None

    def start(self):
        if os.geteuid() == 0:
            Path("/run/sshd").mkdir(exist_ok=True)  # privilege separation directory
        self.proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(self.config)],
                                     stderr=open(self.log_path, "wb"))
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("sshd did not start: " + self.log_path.read_text())

    def client_options(self):
        """The options every client of this server needs (ssh and scp alike):
        its key, no host-key bookkeeping, no prompts, errors only."""
        return ["-i", str(self.client_key),
                "-o", "StrictHostKeyChecking=no", "-o", f"UserKnownHostsFile={os.devnull}",
                "-o", "BatchMode=yes", "-o", "LogLevel=ERROR"]

    def ssh_args(self, *extra):
        return ["ssh", "-p", str(self.port), *self.client_options(), *extra]

    def scp_args(self, *extra):
        return ["scp", "-q", "-P", str(self.port), *self.client_options(), *extra]

    def stop(self):
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=10)
