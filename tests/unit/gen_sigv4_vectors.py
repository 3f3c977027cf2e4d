#!/usr/bin/python3
"""
gen_sigv4_vectors.py — regenerates the botocore vectors pasted into
tests/unit/sigv4_vectors.c (the `sigv4_botocore` table). It is not run
at test time: run it by hand with Debian's python3 and the awscli package
(which vendors botocore as awscli.botocore), then paste its output over the
table.

    /usr/bin/python3 tests/unit/gen_sigv4_vectors.py > /tmp/vectors.c

Most vectors go through a real botocore client, exactly as `aws ssm` and
`aws kms` build, serialize and sign a request; the request is captured in the
`before-send` event, after signing, and never leaves the process. The rest
sign a hand-made AWSRequest with SigV4Auth directly, to cover what the
clients never send (raw UTF-8 in a body, a path needing normalisation and
double encoding, a query string). The clock is frozen by replacing the
datetime class botocore's signer reads.
"""
import awscli.botocore.session  # first: importing auth directly is circular

import datetime

from awscli.botocore import auth
from awscli.botocore.auth import SigV4Auth
from awscli.botocore.awsrequest import AWSRequest
from awscli.botocore.config import Config
from awscli.botocore.credentials import Credentials

AKID = 'AKIDEXAMPLE'
SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY'
TOKEN = ('IQoJb3JpZ2luX2VjEPT//////////wEaCXVzLWVhc3QtMSJHMEUCIQD'
         'example+session/token==')


class Captured(Exception):
    pass


def freeze(epoch):
    when = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)

    class Frozen(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return cls(when.year, when.month, when.day,
                       when.hour, when.minute, when.second)

    auth.datetime.datetime = Frozen


def client_request(service, region, endpoint, token, call):
    session = awscli.botocore.session.get_session()
    client = session.create_client(
        service, region_name=region, endpoint_url=endpoint,
        aws_access_key_id=AKID, aws_secret_access_key=SECRET,
        aws_session_token=token,
        # unsigned, but fixed so that regenerating gives the same text
        config=Config(user_agent='aws-cli/2.9.19 Python/3.11.2 Linux botocore/2.0.0dev155'))
    seen = {}

    def before_send(request, **_):
        seen['request'] = request
        raise Captured()

    client.meta.events.register('before-send', before_send)
    try:
        call(client)
    except Captured:
        pass
    return seen['request']


def direct_request(method, url, headers, body, region, service, token):
    request = AWSRequest(method=method, url=url, headers=headers, data=body)
    SigV4Auth(Credentials(AKID, SECRET, token), service, region).add_auth(request)
    return request


def c_string(data):
    if isinstance(data, str):
        data = data.encode('utf-8')
    out = []
    for b in data:
        c = chr(b)
        if c in '"\\':
            out.append('\\' + c)
        elif c == '\n':
            out.append('\\n')
        elif 0x20 <= b < 0x7f and c != '?':
            out.append(c)
        else:
            out.append('\\x%02x""' % b)
    return '"' + ''.join(out) + '"'


def c_lines(data, indent):
    """A multi-line text as one C literal per line, for reading."""
    lines = data.split('\n')
    parts = [c_string(line + '\n') for line in lines[:-1]] + [c_string(lines[-1])]
    return ('\n' + indent).join(parts)


def text(v):
    return v.decode('utf-8') if isinstance(v, bytes) else v


def emit(name, epoch, region, service, token, request, host, path, query):
    # botocore derives Host from the URL; the HTTP client sends it first.
    headers = [('Host', host)] + [(k, text(v)) for k, v in request.headers.items()]
    body = request.body or b''
    if isinstance(body, str):
        body = body.encode('utf-8')
    print('\t{')
    print('\t\t.name = %s,' % c_string(name))
    print('\t\t.when = %d, .region = %s, .service = %s,' %
          (epoch, c_string(region), c_string(service)))
    print('\t\t.token = %s,' % (c_string(token) if token else 'NULL'))
    print('\t\t.method = %s, .path = %s, .query = %s,' %
          (c_string(request.method), c_string(path), c_string(query)))
    print('\t\t.body = %s, .body_len = %d,' % (c_string(body), len(body)))
    print('\t\t.headers = {')
    for k, v in headers:
        print('\t\t\t{ %s, %s },' % (c_string(k), c_string(v)))
    print('\t\t},')
    print('\t\t.n_headers = %d,' % len(headers))
    print('\t\t.amz_date = %s,' % c_string(dict(headers)['X-Amz-Date']))
    print('\t\t.authorization =')
    print('\t\t\t%s,' % c_string(dict(headers)['Authorization']))
    print('\t\t.signer_agrees = true,')
    print('\t},')


def main():
    t0 = 1700000000          # 2023-11-14T22:13:20Z
    leap = 1709251199        # 2024-02-29T23:59:59Z
    local = 'https://127.0.0.1:8443'

    def start_session(target, **extra):
        return lambda c: c.start_session(Target=target, **extra)

    cases = [
        ('ssm StartSession', t0, 'us-east-1', 'ssm', None, local,
         start_session('mi-0123456789abcdef0'), '127.0.0.1:8443'),
        ('ssm StartSession, session token', t0, 'us-east-1', 'ssm', TOKEN, local,
         start_session('i-0fedcba9876543210'), '127.0.0.1:8443'),
        ('ssm DescribeInstanceInformation, empty input', t0, 'us-east-1', 'ssm',
         None, local, lambda c: c.describe_instance_information(),
         '127.0.0.1:8443'),
        ('ssm StartSession, escaped non-ASCII', t0, 'eu-west-1', 'ssm', None, local,
         start_session('mi-0123456789abcdef0', Reason='caf\u00e9 \u2615 \u00fcber'),
         '127.0.0.1:8443'),
        ('kms GenerateDataKey, default port, leap day', leap, 'eu-west-1', 'kms',
         TOKEN, None,
         lambda c: c.generate_data_key(KeyId='alias/postern', NumberOfBytes=32),
         'kms.eu-west-1.amazonaws.com'),
    ]
    print('/* generated by tests/unit/gen_sigv4_vectors.py — do not edit by hand */')
    for name, epoch, region, service, token, endpoint, call, host in cases:
        freeze(epoch)
        request = client_request(service, region, endpoint, token, call)
        emit(name, epoch, region, service, token, request, host, '/', '')

    freeze(t0)
    raw = '{"Target":"mi-0123456789abcdef0","Reason":"caf\u00e9 \u2615"}'.encode()
    request = direct_request(
        'POST', local + '/',
        {'Content-Type': 'application/x-amz-json-1.1',
         'X-Amz-Target': 'AmazonSSM.StartSession'},
        raw, 'us-east-1', 'ssm', None)
    emit('raw UTF-8 body', t0, 'us-east-1', 'ssm', None, request,
         '127.0.0.1:8443', '/', '')

    path = '/v1/control%20channel/./i-0123//a%2Fb/../c~d/'
    query = 'role=publish_subscribe&A=%E1%88%B4&flag&empty=&x=%2F%20'
    request = direct_request(
        'GET', 'https://broker.example:8443' + path + '?' + query,
        {'X-Amz-Target': 'Postern.Test'}, b'', 'us-east-1', 'ssmmessages', TOKEN)
    emit('path normalisation and query', t0, 'us-east-1', 'ssmmessages', TOKEN,
         request, 'broker.example:8443', path, query)


if __name__ == '__main__':
    main()
