"""Connections PostgreSQL ended while they sat in the pool are not lent to a request.

The server ends them as it does when it restarts; the shared server itself keeps running.
"""

from __future__ import annotations

import time

import psycopg
from eventsourcing.persistence import InfrastructureFactory
from eventsourcing.utils import Environment

from mend.config import Settings


def test_connections_the_server_ended_while_idle_are_replaced_before_they_are_lent(
        pg_databases):
    url = pg_databases()
    factory = InfrastructureFactory.construct(Environment(env=Settings(database_url=url)
                                                          .views_env()))
    datastore = factory.datastore
    try:
        with datastore.get_connection() as first, datastore.get_connection() as second:
            ended = {first.info.backend_pid, second.info.backend_pid}
        with psycopg.connect(url, autocommit=True) as admin:
            for pid in ended:
                admin.execute("SELECT pg_terminate_backend(%s)", [pid])
            deadline = time.monotonic() + 5
            while admin.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)",
                                [list(ended)]).fetchone()[0]:
                assert time.monotonic() < deadline, "the server did not end the connections"
                time.sleep(0.05)

        for _ in range(3):  # each read a request would make, as it would make them
            with datastore.get_connection() as conn:
                assert conn.execute("SELECT 1 AS one").fetchone()["one"] == 1
                assert conn.info.backend_pid not in ended
    finally:
        datastore.close()
