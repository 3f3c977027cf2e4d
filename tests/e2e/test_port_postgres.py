"""PostgreSQL behind a postern agent, reached through
AWS-StartPortForwardingSessionToRemoteHost: psql runs a query, and pgbench
initialises its tables and then runs 8 clients for 10 s through the same
forward with no failed transaction."""
import re

import pytest

from port_util import env, online_host, port_forward, port_host  # noqa: F401 (fixtures)
from servers import LOOPBACK, Postgres

PGBENCH_CLIENTS = 8
PGBENCH_SECONDS = 10


@pytest.fixture
def postgres():
    with Postgres() as pg:
        yield pg


def test_psql_and_pgbench_through_a_forward_to_a_remote_host(port_forward, postgres):
    fwd = port_forward("AWS-StartPortForwardingSessionToRemoteHost", host=LOOPBACK,
                       portNumber=postgres.port)

    res = postgres.psql("select 6*7, current_setting('port')", port=fwd.port)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == f"42|{postgres.port}"  # the server behind the forward

    init = postgres.pgbench("-i", "-q", port=fwd.port)
    assert init.returncode == 0, init.stderr
    run = postgres.pgbench("-c", str(PGBENCH_CLIENTS), "-j", "2", "-T", str(PGBENCH_SECONDS),
                           port=fwd.port, timeout=PGBENCH_SECONDS + 120)
    assert run.returncode == 0, run.stdout + run.stderr
    processed = re.search(r"number of transactions actually processed: (\d+)", run.stdout)
    failed = re.search(r"number of failed transactions: (\d+)", run.stdout)
    assert processed and int(processed.group(1)) > 0, run.stdout
    assert failed and int(failed.group(1)) == 0, run.stdout
    assert f"number of clients: {PGBENCH_CLIENTS}" in run.stdout

    assert fwd.interrupt() == 0, fwd.output()
