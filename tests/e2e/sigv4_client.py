"""Signing arbitrary API requests the way the AWS CLI does, for tests that
need requests the CLI would never send (stale, replayed, tampered).

Uses the botocore that Debian's awscli package ships.
"""
import datetime
import json
import ssl
import urllib.error
import urllib.request
import uuid
from unittest import mock

import awscli.botocore.session  # noqa: F401  (import first: avoids a cycle)
from awscli.botocore.auth import SigV4Auth
from awscli.botocore.awsrequest import AWSRequest
from awscli.botocore.credentials import Credentials


def read_credentials(path):
    key = secret = None
    for line in open(path):
        if "=" in line:
            name, value = (p.strip() for p in line.split("=", 1))
            if name == "aws_access_key_id":
                key = value
            elif name == "aws_secret_access_key":
                secret = value
    return key, secret


def signed_request(url, target, body, key, secret, when=None, service="ssm"):
    """Return (headers, data) of a request signed at `when` (UTC datetime)."""
    data = json.dumps(body).encode() if not isinstance(body, bytes) else body
    req = AWSRequest(method="POST", url=url + "/", data=data, headers={
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": target,
        # as the AWS CLI does: a fresh id per call, signed, so that two identical
        # calls in the same second are not taken for a replay
        "amz-sdk-invocation-id": str(uuid.uuid4()),
    })
    auth = SigV4Auth(Credentials(key, secret), service, "us-east-1")
    if when is None:
        auth.add_auth(req)
    else:
        with mock.patch("awscli.botocore.auth.datetime") as dt:
            dt.datetime.utcnow.return_value = when
            dt.datetime.now.return_value = when
            dt.timezone = datetime.timezone
            auth.add_auth(req)
    return dict(req.headers.items()), data


def post(url, headers, data, ca, path="/"):
    """POST to url + path and return (status, parsed JSON body)."""
    ctx = ssl.create_default_context(cafile=ca)
    req = urllib.request.Request(url + path, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req, context=ctx, timeout=10) as resp:
            return resp.status, json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")
