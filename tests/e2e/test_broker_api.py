"""The broker's first start, its signed HTTP API and agent registration,
against a real postern-broker on loopback, driven by Debian's AWS CLI and by
hand-signed requests for the refusals the CLI would never produce."""
import datetime
import json
import os
import re
import stat
import subprocess

import pytest

from conftest import BIN
from sigv4_client import post, read_credentials, signed_request

INSTANCE_ID = re.compile(r"^mi-[0-9a-f]{17}$")


def test_first_start_creates_ca_and_admin_credentials(broker):
    data = broker.data_dir
    assert stat.S_IMODE(os.stat(data).st_mode) == 0o700
    creds = data / "admin-credentials"
    assert stat.S_IMODE(os.stat(creds).st_mode) == 0o600
    text = creds.read_text()
    assert text.startswith("[default]\n")
    key, secret = read_credentials(creds)
    assert re.fullmatch(r"PKIA[A-Z2-7]{16}", key) and len(secret) == 40
    assert stat.S_IMODE(os.stat(data / "ca-key.pem").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(data / "server-key.pem").st_mode) == 0o600
    verify = subprocess.run(["openssl", "verify", "-CAfile", broker.ca,
                             str(data / "server.pem")], capture_output=True, text=True)
    assert verify.returncode == 0, verify.stderr
    out = broker.output()
    assert str(data / "admin-credentials") in out and str(data / "ca.pem") in out


def test_restart_keeps_ca_and_credentials(broker_factory):
    b = broker_factory().start()
    ca, creds = open(b.ca).read(), open(b.credentials).read()
    b.stop()
    b.start()
    assert open(b.ca).read() == ca and open(b.credentials).read() == creds
    b.aws("ssm", "describe-instance-information")


def test_create_activation_and_empty_inventory(broker):
    res = json.loads(broker.aws("ssm", "create-activation", "--iam-role", "demo",
                                "--registration-limit", "2").stdout)
    assert re.fullmatch(r"[0-9a-f-]{36}", res["ActivationId"])
    assert len(res["ActivationCode"]) >= 20
    inv = json.loads(broker.aws("ssm", "describe-instance-information").stdout)
    assert inv["InstanceInformationList"] == []


def test_create_activation_validates(broker):
    res = broker.aws("ssm", "create-activation", "--iam-role", "demo",
                     "--expiration-date", "2001-01-01T00:00:00Z", check=False)
    assert res.returncode != 0 and "InvalidParameters" in res.stderr


@pytest.mark.parametrize("bad", ["--nonsense", "--listen=nothing", "--token-ttl=0"])
def test_bad_arguments_are_refused(tmp_path, bad):
    res = subprocess.run([str(BIN / "postern-broker"), "--data-dir", str(tmp_path / "d"), bad],
                         capture_output=True, text=True, timeout=20)
    assert res.returncode != 0
    assert res.stderr.startswith("postern-broker: ")


def test_help_documents_flags_and_config_keys():
    res = subprocess.run([str(BIN / "postern-broker"), "--help"], capture_output=True,
                         text=True)
    assert res.returncode == 0
    for flag in ("--data-dir", "--listen", "--config", "--token-ttl", "--public-url"):
        assert flag in res.stdout


def test_config_file_is_read_and_checked(tmp_path, broker_factory):
    cfg = tmp_path / "broker.conf"
    cfg.write_text("# comment\nlog-level 3\n")
    b = broker_factory(extra_args=["--config", str(cfg)]).start()
    b.aws("ssm", "describe-instance-information")
    assert "debug" in b.output()
    cfg.write_text("log-level 9\n")
    res = subprocess.run([str(BIN / "postern-broker"), "--data-dir", str(tmp_path / "x"),
                          "--config", str(cfg)], capture_output=True, text=True)
    assert res.returncode == 2 and f"{cfg}:1:" in res.stderr


# ---- refusals: each answered in AWS's shape and logged ----------------------

def call(broker, target="AmazonSSM.DescribeInstanceInformation", body=None, key=None,
         secret=None, when=None, tamper=None):
    k, s = read_credentials(broker.credentials)
    headers, data = signed_request(broker.url, target, body or {}, key or k, secret or s,
                                   when=when)
    if tamper:
        headers, data = tamper(headers, data)
    return post(broker.url, headers, data, broker.ca)


def test_signed_request_is_accepted(broker):
    status, body = call(broker)
    assert status == 200 and body["InstanceInformationList"] == []


def test_unsigned_request(broker):
    status, body = post(broker.url, {"Content-Type": "application/x-amz-json-1.1",
                                     "X-Amz-Target": "AmazonSSM.StartSession"},
                        b"{}", broker.ca)
    assert status == 400 and body["__type"] == "MissingAuthenticationTokenException"
    assert "refused unsigned request" in broker.output()


def test_unknown_access_key(broker):
    status, body = call(broker, key="PKIAAAAAAAAAAAAAAAAA")
    assert status == 400 and body["__type"] == "UnrecognizedClientException"


def test_wrong_secret(broker):
    status, body = call(broker, secret="x" * 40)
    assert status == 400 and body["__type"] == "InvalidSignatureException"


def test_tampered_body(broker):
    status, body = call(broker, body={"MaxResults": 5},
                        tamper=lambda h, d: (h, d.replace(b"5", b"6")))
    assert status == 400 and body["__type"] == "InvalidSignatureException"


def test_expired_signature(broker):
    old = datetime.datetime.utcnow() - datetime.timedelta(minutes=20)
    status, body = call(broker, when=old)
    assert status == 400 and body["__type"] == "InvalidSignatureException"
    assert "refused request" in broker.output()


def test_replayed_request(broker):
    k, s = read_credentials(broker.credentials)
    headers, data = signed_request(broker.url, "AmazonSSM.DescribeInstanceInformation",
                                   {}, k, s)
    assert post(broker.url, headers, data, broker.ca)[0] == 200
    status, body = post(broker.url, headers, data, broker.ca)
    assert status == 400 and body["__type"] == "InvalidSignatureException"


def test_unknown_operation(broker):
    status, body = call(broker, target="AmazonSSM.NoSuchThing")
    assert status == 400 and body["__type"] == "UnknownOperationException"


def test_malformed_json_body(broker):
    status, body = call(broker, body=b"{not json")
    assert status == 400 and body["__type"] == "SerializationException"


def test_service_must_be_ssm(broker):
    k, s = read_credentials(broker.credentials)
    headers, data = signed_request(broker.url, "AmazonSSM.DescribeInstanceInformation",
                                   {}, k, s, service="s3")
    status, body = post(broker.url, headers, data, broker.ca)
    assert status == 400 and body["__type"] == "InvalidSignatureException"


# ---- agent registration -------------------------------------------------------

def make_csr(tmp_path):
    key, csr = tmp_path / "agent-key.pem", tmp_path / "agent.csr"
    subprocess.run(["openssl", "req", "-new", "-newkey", "ec",
                    "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=whatever",
                    "-keyout", str(key), "-out", str(csr)], check=True, capture_output=True)
    return csr.read_text()


def register(broker, activation, code, csr):
    body = json.dumps({"ActivationId": activation, "ActivationCode": code,
                       "Csr": csr}).encode()
    return post(broker.url, {"Content-Type": "application/json"}, body, broker.ca,
                path="/v1/register")


def test_registration_issues_instance_id_and_certificate(broker, tmp_path):
    act = json.loads(broker.aws("ssm", "create-activation", "--iam-role", "demo",
                                "--registration-limit", "1").stdout)
    status, body = register(broker, act["ActivationId"], act["ActivationCode"],
                            make_csr(tmp_path))
    assert status == 200, body
    assert INSTANCE_ID.match(body["InstanceId"])
    cert = tmp_path / "agent.pem"
    cert.write_text(body["Certificate"])
    assert body["CaCertificate"] == open(broker.ca).read()
    verify = subprocess.run(["openssl", "verify", "-CAfile", broker.ca, "-purpose", "sslclient",
                             str(cert)], capture_output=True, text=True)
    assert verify.returncode == 0, verify.stderr
    subject = subprocess.run(["openssl", "x509", "-noout", "-subject", "-in", str(cert)],
                             capture_output=True, text=True).stdout
    assert body["InstanceId"] in subject

    inv = json.loads(broker.aws("ssm", "describe-instance-information").stdout)
    ids = [i["InstanceId"] for i in inv["InstanceInformationList"]]
    assert ids == [body["InstanceId"]]

    # the limit was 1: a second registration is refused
    status, again = register(broker, act["ActivationId"], act["ActivationCode"],
                             make_csr(tmp_path))
    assert status == 400 and again["__type"] == "InvalidActivation"


def test_registration_refusals_use_up_nothing(broker, tmp_path):
    act = json.loads(broker.aws("ssm", "create-activation", "--iam-role", "demo").stdout)
    status, body = register(broker, act["ActivationId"], "WRONG" * 5, make_csr(tmp_path))
    assert status == 400 and body["__type"] == "InvalidActivation"
    status, body = register(broker, act["ActivationId"], act["ActivationCode"],
                            "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n"
                            "-----END CERTIFICATE REQUEST-----\n")
    assert status == 400 and body["__type"] == "InvalidCsr"
    # the bad CSR consumed nothing: the one registration is still available
    status, body = register(broker, act["ActivationId"], act["ActivationCode"],
                            make_csr(tmp_path))
    assert status == 200, body
