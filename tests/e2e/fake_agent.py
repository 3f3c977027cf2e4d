"""A fake agent for relay tests: registers with the broker, holds a control
channel speaking control.proto, and opens data channels when told to."""
import json
import ssl
import subprocess
import threading

import websocket

import wire
from sigv4_client import post


class FakeAgent:
    def __init__(self, broker, tmp_path):
        self.broker = broker
        act = json.loads(broker.aws("ssm", "create-activation", "--iam-role", "fake").stdout)
        key, csr = tmp_path / "fake-key.pem", tmp_path / "fake.csr"
        subprocess.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=x",
                        "-keyout", str(key), "-out", str(csr)], check=True,
                       capture_output=True)
        status, body = post(broker.url, {"Content-Type": "application/json"},
                            json.dumps({"ActivationId": act["ActivationId"],
                                        "ActivationCode": act["ActivationCode"],
                                        "Csr": csr.read_text()}).encode(),
                            broker.ca, path="/v1/register")
        assert status == 200, body
        self.instance_id = body["InstanceId"]
        self.cert = tmp_path / "fake.pem"
        self.cert.write_text(body["Certificate"])
        self.key = key
        self.control = None
        self.starts = []            # StartSession messages received: dicts
        self.got_start = threading.Event()

    def sslopt(self, client_cert=True):
        opt = {"ca_certs": self.broker.ca, "cert_reqs": ssl.CERT_REQUIRED}
        if client_cert:
            opt.update(certfile=str(self.cert), keyfile=str(self.key))
        return opt

    def connect(self):
        self.control = websocket.create_connection(
            f"wss://127.0.0.1:{self.broker.port}/v1/control", sslopt=self.sslopt(),
            timeout=10)
        self.control.send_binary(wire.agent_hello(self.instance_id))
        ack = wire.pb_decode(self.control.recv())
        assert 11 in ack, ack  # HelloAck
        threading.Thread(target=self._listen, daemon=True).start()
        return self

    def _listen(self):
        while True:
            try:
                msg = self.control.recv()
            except Exception:
                return
            env = wire.pb_decode(msg)
            if 13 in env:
                start = wire.pb_decode(env[13][0])
                self.starts.append({
                    "session_id": start[1][0].decode(), "url": start[7][0].decode(),
                    "token": start[8][0].decode(),
                    "session_type": start.get(3, [b""])[0].decode(),
                    "document": start.get(2, [b""])[0].decode(),
                    "properties": start.get(10, [b""])[0].decode()})
                self.got_start.set()

    def report(self, session_id, state, detail=""):
        """Tell the broker how a session went (SessionState: 3 Terminated, 4 Failed)."""
        self.reports = getattr(self, "reports", 0) + 1
        self.control.send_binary(wire.session_state(100 + self.reports, session_id, state,
                                                    detail))

    def open_data_channel(self, start):
        ws = websocket.create_connection(start["url"], sslopt=self.sslopt(False), timeout=10)
        ws.send(wire.open_data_channel(start["token"], agent=True))
        return ws

    def close(self):
        if self.control:
            self.control.close()
