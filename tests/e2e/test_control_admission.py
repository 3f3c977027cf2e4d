"""Who may open the agents' control channel: only a client certificate issued
by this broker's CA, for a registered instance, with the serial on record."""
import json
import ssl
import subprocess

import pytest
import websocket

from test_broker_api import make_csr, register


def connect(broker, cert=None, key=None):
    sslopt = {"ca_certs": broker.ca, "cert_reqs": ssl.CERT_REQUIRED}
    if cert:
        sslopt.update(certfile=str(cert), keyfile=str(key))
    return websocket.create_connection(f"wss://127.0.0.1:{broker.port}/v1/control",
                                       sslopt=sslopt, timeout=5)


def foreign_certificate(tmp_path, cn):
    """A CA of our own and a client certificate it signed for `cn`."""
    ca_key, ca = tmp_path / "foreign-ca-key.pem", tmp_path / "foreign-ca.pem"
    key, csr, cert = tmp_path / "f-key.pem", tmp_path / "f.csr", tmp_path / "f.pem"
    run = lambda *a: subprocess.run(a, check=True, capture_output=True)
    run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes", "-subj", "/CN=foreign CA", "-days", "2", "-keyout", str(ca_key),
        "-out", str(ca))
    run("openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
        "-nodes", "-subj", f"/CN={cn}", "-keyout", str(key), "-out", str(csr))
    run("openssl", "x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
        "-CAcreateserial", "-days", "2", "-out", str(cert))
    return cert, key


def registered_certificate(broker, tmp_path):
    tmp_path.mkdir(exist_ok=True)
    act = json.loads(broker.aws("ssm", "create-activation", "--iam-role", "demo").stdout)
    csr = make_csr(tmp_path)
    status, body = register(broker, act["ActivationId"], act["ActivationCode"], csr)
    assert status == 200, body
    cert = tmp_path / "agent.pem"
    cert.write_text(body["Certificate"])
    return body["InstanceId"], cert, tmp_path / "agent-key.pem"


def test_no_client_certificate_is_refused(broker):
    with pytest.raises((websocket.WebSocketException, OSError)):
        connect(broker)
    assert "no valid client certificate" in broker.output()


def test_certificate_from_another_ca_is_refused(broker, tmp_path):
    instance, _, _ = registered_certificate(broker, tmp_path / "real")
    cert, key = foreign_certificate(tmp_path, instance)
    with pytest.raises((websocket.WebSocketException, OSError)):
        connect(broker, cert, key)


def test_registered_certificate_is_admitted(broker, tmp_path):
    instance, cert, key = registered_certificate(broker, tmp_path / "real")
    ws = connect(broker, cert, key)
    ws.close()
