"""Port forwarding through postern (client, broker, agent) to real servers on
loopback: 200 connections at once in one session, a refused destination that
fails only its own connection, a reader that stops for 10 s while 1 GiB is
pushed at it (every byte arrives; no process's memory grows past RSS_BOUND),
a stalled connection that does not hold up another one, and the AWS CLI with
postern as its session-manager-plugin."""
import os
import random
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pexpect

from client_util import CLIENT_DIR, drop_data_channel, finish, wait_attached
from conftest import AWS
from port_util import RssMonitor, assert_closed_without_data, echo_round_trip
from port_util import env, online_host, port_forward, port_host  # noqa: F401 (fixtures)
from servers import LOOPBACK, EchoServer, PushServer, read_all_hashed, recv_exact, request_push

# The most resident memory (VmHWM, the kernel's peak) that any one process on
# the path -- client, broker, agent, the agent's session worker -- may reach
# while a forward carries more data than that. 64 MiB.
RSS_BOUND = 64 << 20

CONNECTIONS = 200
PUSH_TOTAL = 1 << 30            # 1 GiB pushed at a reader that stalls
STALL_SECONDS = 10
STALLED_TOTAL = 512 << 20       # conn A: far more than all buffers on the path
OTHER_TOTAL = 50 * 1000 * 1000  # conn B: moved while A is stalled


def memory_checked(mem):
    """Assertion message parts: the processes over RSS_BOUND (none is right)."""
    over = mem.over(RSS_BOUND)
    report = f"peak RSS per process (bound {RSS_BOUND >> 20} MiB):\n{mem.report()}"
    print(report)  # shown with pytest -rP
    return over, report


def test_two_hundred_concurrent_connections_each_get_their_own_echo(port_forward):
    rng = random.Random(200)
    with EchoServer() as echo:
        fwd = port_forward(portNumber=echo.port)
        socks = [fwd.connect() for _ in range(CONNECTIONS)]
        payloads = [rng.randbytes(rng.randint(1, 64 << 10)) for _ in range(CONNECTIONS)]
        with ThreadPoolExecutor(CONNECTIONS) as pool:
            ok = list(pool.map(echo_round_trip, socks, payloads))
        wrong = [i for i, good in enumerate(ok) if not good]
        assert not wrong, f"connections {wrong} got back something else"
        assert echo.active == CONNECTIONS, "the destination did not see 200 connections at once"
        for s in socks:
            s.close()
        assert echo.wait_active(0), (f"{echo.active} destination connections still open "
                                     "after every local one closed")
        assert fwd.interrupt() == 0, fwd.output()


def test_a_dropped_data_channel_is_resumed_without_losing_a_byte(broker, port_forward):
    """The client's connection to the broker is destroyed (ss -K) while a
    connection through the forward moves data: postern resumes the session,
    and the connection carries on with every byte in order."""
    rng = random.Random(7)
    with EchoServer() as echo:
        fwd = port_forward(portNumber=echo.port)
        app = fwd.connect()
        assert echo_round_trip(app, rng.randbytes(100_000))
        payload = rng.randbytes(8 << 20)
        with ThreadPoolExecutor(1) as pool:
            back = pool.submit(recv_exact, app, len(payload))
            app.sendall(payload[:1 << 20])
            drop_data_channel(broker, fwd.pid)
            app.sendall(payload[1 << 20:])
            assert back.result(timeout=120) == payload
        wait_attached(broker, fwd.session_id, 2)
        assert echo_round_trip(app, b"after the drop")
        app.close()
        assert fwd.interrupt() == 0, fwd.output()


def test_refused_destination_fails_only_that_connection(port_forward):
    with EchoServer() as echo:
        fwd = port_forward(portNumber=echo.port)
        first = fwd.connect()
        assert echo_round_trip(first, b"before the refusal")

        echo.stop_listening()  # nothing listens at the destination now
        refused = fwd.connect()
        assert_closed_without_data(refused)
        fwd.wait_output(r"(?i)(connect\w*\b.*\b(fail|refus)|"
                        r"(could not|cannot|unable to|failed to) (connect|reach))")

        assert echo_round_trip(first, b"the first connection still works")
        echo.listen_again()
        again = fwd.connect()
        assert echo_round_trip(again, b"and new ones work again")
        for s in (first, refused, again):
            s.close()
        assert fwd.interrupt() == 0, fwd.output()


def test_stalled_reader_gets_every_byte_of_1gib_in_bounded_memory(broker, port_host,
                                                                   port_forward):
    with PushServer() as push:
        fwd = port_forward(portNumber=push.port)
        with RssMonitor(client=fwd.pid, broker=broker.proc.pid, agent=port_host.pid) as mem:
            app = fwd.connect(timeout=120)
            request_push(app, PUSH_TOTAL)
            pushed = push.pushed(0)
            time.sleep(STALL_SECONDS)  # the application reads nothing meanwhile
            sent_during_stall = pushed.sent
            print(f"{sent_during_stall >> 20} MiB left the server during the stall")
            digest = read_all_hashed(app, PUSH_TOTAL)
            assert pushed.finished.wait(60) and pushed.sha256, pushed.error
            assert app.recv(1) == b"", "the server's close did not reach the application"
            app.close()
        assert digest == pushed.sha256, "the bytes that arrived are not the bytes sent"
        assert mem.saw("worker"), f"the agent's session worker was never seen:\n{mem.report()}"
        over, report = memory_checked(mem)
        assert not over, (f"{report}\n({sent_during_stall >> 20} MiB left the server "
                          "during the stall)")
        assert fwd.interrupt() == 0, fwd.output()


def wait_until_blocked(pushed, timeout=90.0):
    """Wait until a push makes no progress for a second (its data is backed up
    all the way to the server) or is done; returns bytes sent by then."""
    deadline = time.monotonic() + timeout
    last = -1
    while time.monotonic() < deadline and not pushed.finished.is_set():
        if pushed.sent == last:
            break
        last = pushed.sent
        time.sleep(1.0)
    return pushed.sent


def test_stalled_connection_does_not_hold_up_another(broker, port_host, port_forward):
    """A's reader stalls while its server pushes far more than every buffer on
    the path; B then moves 50 MB through the same session and completes while
    A is still stalled; then A resumes and gets every byte."""
    with PushServer() as push:
        fwd = port_forward(portNumber=push.port)
        with RssMonitor(client=fwd.pid, broker=broker.proc.pid, agent=port_host.pid) as mem:
            a = fwd.connect(timeout=120, rcvbuf=64 << 10)
            request_push(a, STALLED_TOTAL)
            a_push = push.pushed(0)
            backed_up = wait_until_blocked(a_push)
            print(f"A stalled with {backed_up >> 20} MiB sent by its server")
            assert not a_push.finished.is_set(), (
                f"all {STALLED_TOTAL >> 20} MiB for a reader that reads nothing were "
                "accepted: something on the path buffers without bound")

            b = fwd.connect(timeout=120)
            request_push(b, OTHER_TOTAL)
            try:
                b_digest = read_all_hashed(b, OTHER_TOTAL)
            except TimeoutError as e:
                raise AssertionError("connection B stalled behind the stalled connection A "
                                     f"({backed_up >> 20} MiB of A left its server)") from e
            b_push = push.pushed(1)
            assert b_push.finished.wait(60)
            assert b_digest == b_push.sha256, "B's bytes are not the bytes sent"
            assert not a_push.finished.is_set(), (
                "A's server finished while A's reader was stalled: not a stall")

            a_digest = read_all_hashed(a, STALLED_TOTAL)
            assert a_push.finished.wait(60)
            assert a_digest == a_push.sha256, "A's bytes are not the bytes sent"
            a.close()
            b.close()
        over, report = memory_checked(mem)
        assert not over, report
        assert fwd.interrupt() == 0, fwd.output()


def test_aws_cli_forwards_a_port_with_postern_as_its_plugin(broker, port_host, env):
    env = dict(env, PATH=f"{CLIENT_DIR}:{os.environ['PATH']}")
    with EchoServer() as echo:
        child = pexpect.spawn(AWS, ["ssm", "start-session", "--target", port_host.instance_id,
                                    "--endpoint-url", broker.url,
                                    "--document-name", "AWS-StartPortForwardingSession",
                                    "--parameters", f"portNumber={echo.port},localPortNumber=0"],
                              env=env, dimensions=(24, 80), timeout=30)
        child.expect(rb"Port (\d+) opened for sessionId")
        port = int(child.match.group(1))
        with socket.create_connection((LOOPBACK, port), timeout=30) as s:
            assert echo_round_trip(s, b"through the AWS CLI " * 100)
        child.sendcontrol("c")
        assert finish(child, timeout=30) == 0
