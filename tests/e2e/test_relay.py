"""Sessions through the broker with fake peers on both ends: StartSession,
token admission, byte-exact relaying in both directions, session end,
TerminateSession, DescribeSessions, and refusals."""
import json
import ssl
import time

import pytest
import websocket

import wire
from fake_agent import FakeAgent
from sigv4_client import post, read_credentials, signed_request


def api(broker, target, body):
    key, secret = read_credentials(broker.credentials)
    headers, data = signed_request(broker.url, "AmazonSSM." + target, body, key, secret)
    return post(broker.url, headers, data, broker.ca)


def client_connect(broker, started):
    ws = websocket.create_connection(started["StreamUrl"], timeout=10,
                                     sslopt={"ca_certs": broker.ca,
                                             "cert_reqs": ssl.CERT_REQUIRED})
    ws.send(wire.open_data_channel(started["TokenValue"]))
    return ws


@pytest.fixture
def agent(broker, tmp_path):
    a = FakeAgent(broker, tmp_path).connect()
    yield a
    a.close()


def history(broker, session_id, timeout=15):
    """The session's DescribeSessions entry once it is in History."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        status, hist = api(broker, "DescribeSessions", {"State": "History"})
        found = [s for s in hist.get("Sessions", []) if s["SessionId"] == session_id]
        if found:
            return found[0]
        time.sleep(0.2)
    raise AssertionError(f"{session_id} never reached History")


def start(broker, agent, **extra):
    status, body = api(broker, "StartSession", {"Target": agent.instance_id, **extra})
    assert status == 200, body
    return body


def open_pair(broker, agent):
    started = start(broker, agent)
    assert started["StreamUrl"].startswith(f"wss://127.0.0.1:{broker.port}/v1/data-channel/")
    client = client_connect(broker, started)
    assert agent.got_start.wait(10), "the agent was never told to start the session"
    order = agent.starts[-1]
    agent.got_start.clear()
    assert order["session_id"] == started["SessionId"]
    assert order["session_type"] == "Standard_Stream"
    agent_ws = agent.open_data_channel(order)
    return started, client, agent_ws


def test_frames_are_relayed_unchanged_both_ways(broker, agent):
    started, client, agent_ws = open_pair(broker, agent)
    out = wire.encode_frame("output_stream_data", b"$ hello\r\n", seq=0, flags=1,
                            payload_type=1)
    agent_ws.send_binary(out)
    got = client.recv()
    assert got == out
    frame = wire.decode_frame(got)
    client.send_binary(wire.ack_for(frame))
    assert wire.decode_frame(agent_ws.recv())["type"] == "acknowledge"
    keys = wire.encode_frame("input_stream_data", b"ls\r", seq=0, flags=0, payload_type=1)
    client.send_binary(keys)
    assert agent_ws.recv() == keys

    # the agent reports the end: the client gets channel_closed, history has it
    agent_ws.send_binary(wire.encode_frame(
        "agent_session_state", json.dumps({"SchemaVersion": 1, "SessionState": "Terminating",
                                           "SessionId": started["SessionId"]}).encode()))
    closed = wire.decode_frame(client.recv())
    assert closed["type"] == "channel_closed" and closed["digest_ok"]
    body = json.loads(closed["payload"])
    assert body["SessionId"] == started["SessionId"] and body["Output"] == ""
    status, hist = api(broker, "DescribeSessions", {"State": "History"})
    assert status == 200
    [s] = hist["Sessions"]
    assert s["SessionId"] == started["SessionId"] and s["Status"] == "Terminated"
    assert s["Owner"] == "admin" and s["Target"] == agent.instance_id
    assert s["EndDate"] >= s["StartDate"] > 0


def test_terminate_session_closes_both_ends(broker, agent):
    started, client, agent_ws = open_pair(broker, agent)
    status, active = api(broker, "DescribeSessions", {"State": "Active"})
    assert [s["SessionId"] for s in active["Sessions"]] == [started["SessionId"]]
    status, body = api(broker, "TerminateSession", {"SessionId": started["SessionId"]})
    assert status == 200 and body == {"SessionId": started["SessionId"]}
    assert wire.decode_frame(client.recv())["type"] == "channel_closed"
    assert wire.decode_frame(agent_ws.recv())["type"] == "channel_closed"
    # terminating again is fine; resuming yields no token
    assert api(broker, "TerminateSession", {"SessionId": started["SessionId"]})[0] == 200
    status, resumed = api(broker, "ResumeSession", {"SessionId": started["SessionId"]})
    assert status == 200 and "TokenValue" not in resumed


def test_malformed_frame_closes_only_that_connection(broker, agent):
    a_started, a_client, a_agent = open_pair(broker, agent)
    b_started, b_client, b_agent = open_pair(broker, agent)
    bad = bytearray(wire.encode_frame("input_stream_data", b"x", seq=0, payload_type=1))
    bad[3] ^= 0x01  # HeaderLength no longer 116
    a_client.send_binary(bytes(bad))
    with pytest.raises((websocket.WebSocketException, OSError)):
        a_client.recv()
    assert "malformed frame from the client" in broker.output()
    frame = wire.encode_frame("output_stream_data", b"still here", seq=0, payload_type=1)
    b_agent.send_binary(frame)
    assert b_client.recv() == frame


def test_digest_is_left_to_the_receiving_end(broker, agent):
    """The relay forwards a frame whose payload does not match its digest
    unchanged (data-channel.md §2.7: the ends check it), and keeps the
    connection."""
    _, client, agent_ws = open_pair(broker, agent)
    odd = bytearray(wire.encode_frame("input_stream_data", b"xyz", seq=0, payload_type=1))
    odd[-1] ^= 0xFF
    client.send_binary(bytes(odd))
    assert agent_ws.recv() == bytes(odd)
    frame = wire.encode_frame("output_stream_data", b"still here", seq=0, payload_type=1)
    agent_ws.send_binary(frame)
    assert client.recv() == frame


def test_reused_token_is_refused(broker, agent):
    started, client, agent_ws = open_pair(broker, agent)
    again = client_connect(broker, started)
    with pytest.raises((websocket.WebSocketException, OSError)):
        again.recv()
    assert "refused token" in broker.output() and "used" in broker.output()


def test_expired_token_is_refused(broker_factory, tmp_path):
    broker = broker_factory(extra_args=["--token-ttl", "5"]).start()
    agent = FakeAgent(broker, tmp_path).connect()
    started = start(broker, agent)
    time.sleep(6)
    with pytest.raises((websocket.WebSocketException, OSError)):
        client_connect(broker, started).recv()
    # the session was ended when its token expired unused; nothing was dispatched
    session = history(broker, started["SessionId"])
    assert session["Status"] == "Failed", session
    assert "the client never connected" in broker.output()
    assert agent.starts == []
    agent.close()


def test_start_session_refusals(broker, agent, tmp_path):
    status, body = api(broker, "StartSession", {"Target": "mi-00000000000000000"})
    assert status == 400 and body["__type"] == "TargetNotConnected"
    status, body = api(broker, "StartSession", {"Target": agent.instance_id,
                                                "DocumentName": "No-Such-Document"})
    assert status == 400 and body["__type"] == "InvalidDocument"
    status, body = api(broker, "StartSession", {"Target": agent.instance_id,
                                                "Parameters": {"nope": ["1"]}})
    assert status == 400 and body["__type"] == "InvalidDocument"
    agent.close()
    deadline = time.time() + 10
    while time.time() < deadline:
        status, body = api(broker, "StartSession", {"Target": agent.instance_id})
        if status == 400:
            break
        time.sleep(0.2)
    assert body["__type"] == "TargetNotConnected"


def test_unknown_session_data_channel_is_refused(broker):
    with pytest.raises((websocket.WebSocketException, OSError)):
        websocket.create_connection(
            f"wss://127.0.0.1:{broker.port}/v1/data-channel/admin-00000000000000000",
            sslopt={"ca_certs": broker.ca, "cert_reqs": ssl.CERT_REQUIRED}, timeout=5)


def test_client_gone_then_agent_gone_leaves_the_broker_sound(broker, agent):
    """The session is freed once, whichever end leaves last (a double free here
    once crashed the broker at exit)."""
    started, client, agent_ws = open_pair(broker, agent)
    for i in range(50):  # output queued for a client that is about to vanish
        agent_ws.send_binary(wire.encode_frame("output_stream_data", b"x" * 4096, seq=i,
                                               payload_type=1))
    client.sock.close()  # no close handshake: as if the client were killed
    time.sleep(0.5)
    agent_ws.close()  # no Terminating, no report: ended after the grace period
    assert history(broker, started["SessionId"])["Status"] == "Terminated"
    assert broker.stop() == 0
    assert "double free" not in broker.output()


def test_malformed_frame_from_the_agent_closes_only_the_agent(broker, agent):
    started, client, agent_ws = open_pair(broker, agent)
    _, other_client, other_agent = open_pair(broker, agent)
    agent_ws.send_binary(b"\x00\x00\x00\x74" + b"not a frame" * 20)  # HeaderLength fine, rest not
    with pytest.raises((websocket.WebSocketException, OSError)):
        agent_ws.recv()
    assert "malformed frame from the agent" in broker.output()
    # the agent's loss ends that session for its client, and only that one
    assert wire.decode_frame(client.recv())["type"] == "channel_closed"
    frame = wire.encode_frame("output_stream_data", b"unaffected", seq=0, payload_type=1)
    other_agent.send_binary(frame)
    assert other_client.recv() == frame


def test_port_documents_reach_the_agent_substituted(broker, agent):
    cases = [
        ("AWS-StartSSHSession", {"portNumber": ["2222"]}, {"portNumber": "2222"}),
        ("AWS-StartPortForwardingSession", {"portNumber": ["5432"]},
         {"portNumber": "5432", "type": "LocalPortForwarding", "localPortNumber": "0"}),
        ("AWS-StartPortForwardingSessionToRemoteHost",
         {"host": ["db.internal"], "portNumber": ["5432"], "localPortNumber": ["15432"]},
         {"host": "db.internal", "portNumber": "5432", "type": "LocalPortForwarding",
          "localPortNumber": "15432"}),
    ]
    for document, params, properties in cases:
        started = start(broker, agent, DocumentName=document, Parameters=params)
        client = client_connect(broker, started)
        assert agent.got_start.wait(10), document
        order = agent.starts[-1]
        agent.got_start.clear()
        assert order["session_type"] == "Port" and order["document"] == document
        assert json.loads(order["properties"]) == properties
        client.close()


def test_port_document_parameters_are_checked_before_anything_starts(broker, agent):
    bad = [
        ("AWS-StartPortForwardingSession", {"portNumber": ["0"]}, "from 1 to 65535"),
        ("AWS-StartPortForwardingSession", {"portNumber": ["65536"]}, "from 1 to 65535"),
        ("AWS-StartPortForwardingSession", {"localPortNumber": ["-1"]}, "from 0 to 65535"),
        ("AWS-StartPortForwardingSessionToRemoteHost", {"portNumber": ["22"]},
         "parameter host is required"),
        ("AWS-StartPortForwardingSessionToRemoteHost", {"host": ['x","type":"y']},
         "not a host name"),
        ("AWS-StartPortForwardingSessionToRemoteHost", {"host": ["a b"]}, "not a host name"),
        ("AWS-StartSSHSession", {"portNumber": ["22"], "host": ["h"]}, "no parameter host"),
    ]
    for document, params, needle in bad:
        status, body = api(broker, "StartSession", {"Target": agent.instance_id,
                                                    "DocumentName": document,
                                                    "Parameters": params})
        assert status == 400 and body["__type"] == "InvalidDocument", body
        assert needle in body["message"], body
    status, active = api(broker, "DescribeSessions", {"State": "Active"})
    assert active["Sessions"] == [] and agent.starts == []


def test_terminate_flag_then_client_gone_ends_the_session(broker, agent):
    """A port client's Ctrl-C: the TerminateSession flag, then the client
    leaves at once; the session ends even if the agent ignores the flag."""
    started = start(broker, agent, DocumentName="AWS-StartPortForwardingSession",
                    Parameters={"portNumber": ["80"]})
    client = client_connect(broker, started)
    assert agent.got_start.wait(10)
    agent_ws = agent.open_data_channel(agent.starts[-1])
    client.send_binary(wire.encode_frame("input_stream_data", b"\x00\x00\x00\x02", seq=0,
                                         payload_type=10))
    client.close()
    got = [wire.decode_frame(agent_ws.recv()) for _ in range(2)]
    assert got[0]["type"] == "input_stream_data" and got[0]["payload"] == b"\x00\x00\x00\x02"
    assert got[1]["type"] == "channel_closed"
    status, hist = api(broker, "DescribeSessions", {"State": "History"})
    assert hist["Sessions"][0]["SessionId"] == started["SessionId"]
    assert hist["Sessions"][0]["Status"] == "Terminated"


def test_agent_failure_reported_after_its_data_channel_closed(broker, agent):
    """A worker that fails after opening its data channel closes it first and
    the agent reports on the control channel: the session is Failed with the
    agent's reason, which the client sees in channel_closed."""
    started, client, agent_ws = open_pair(broker, agent)
    agent_ws.close()
    time.sleep(0.3)
    agent.report(started["SessionId"], 4, "cannot connect to localhost:2222: Connection refused")
    closed = wire.decode_frame(client.recv())
    assert closed["type"] == "channel_closed"
    assert b"Connection refused" in closed["payload"]
    session = history(broker, started["SessionId"])
    assert session["Status"] == "Failed", session


def test_agent_success_report_before_its_data_channel_closes(broker, agent):
    started, client, agent_ws = open_pair(broker, agent)
    agent.report(started["SessionId"], 3)
    time.sleep(0.3)
    agent_ws.close()
    t0 = time.time()
    assert wire.decode_frame(client.recv())["type"] == "channel_closed"
    assert time.time() - t0 < 4  # not the 5 s grace period: the report already said
    assert history(broker, started["SessionId"])["Status"] == "Terminated"
