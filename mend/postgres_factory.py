"""The library's PostgreSQL persistence, with pools that come back quickly after an outage.

After PostgreSQL restarts, every idle connection in a pool is dead, and the pool does not
know until one is used. The library's own recorders retry such a failure; Mend's reads of
keys and views, and the access log's sender (a row cannot be sent twice), would answer 503
instead. So each connection the pool lends is first looked at: a server that hung up has
left something to read (its farewell, the end of the stream) on a connection that was asked
nothing, which a zero-wait ``select`` sees without a round trip. Such a connection is closed
and, since a restart kills them all, the pool is told to replace its idle ones; the caller
is given a new connection. The library's ``POSTGRES_PRE_PING`` would catch the same with a
round trip for every connection lent, a cost on every request for an event of the rare day.

While PostgreSQL is down, the pool's attempts to replace lost connections wait longer each
time (1 s, 2 s, 4 s, …, for five minutes), so after a long outage requests would wait on the
pool's schedule, not on the database. Attempts here give up after ``RECONNECT_SECONDS``; the
next request that finds the pool short opens a connection at once.
"""

from __future__ import annotations

import select
import weakref
from typing import Any

import psycopg
from eventsourcing.postgres import PostgresFactory
from psycopg import pq

#: How long the pool keeps retrying a lost connection in the background before it leaves
#: the next request to open one.
RECONNECT_SECONDS = 2.0


class Factory(PostgresFactory):
    def __init__(self, env: Any):
        super().__init__(env)
        pool = self.datastore.pool
        pool.reconnect_timeout = RECONNECT_SECONDS
        # psycopg_pool's ``check`` callback, which the library sets only to its pre-ping;
        # a weak reference, so the pool does not keep itself alive through its own check.
        if not hasattr(pool, "_check"):
            raise RuntimeError("this psycopg_pool keeps its check callback elsewhere")
        pool._check = _looking_for_hang_ups(weakref.ref(pool))


def _looking_for_hang_ups(pool_ref: weakref.ref) -> Any:
    def check(conn: psycopg.Connection) -> None:
        if not _hung_up(conn.pgconn):
            return
        conn.close()
        pool = pool_ref()
        if pool is not None:
            pool.drain()
        raise psycopg.OperationalError("the server closed the connection while it was idle")

    return check


def _hung_up(pgconn: Any) -> bool:
    """Anything to read on a connection that was asked nothing: the server's farewell, or a
    notification left from a LISTEN. The first is a dead connection; the second, never on
    the connections Mend lends, is not worth telling apart (reading it takes the farewell
    into libpq's buffer without changing the connection's status), so both are replaced."""
    if pgconn.status != pq.ConnStatus.OK:
        return True
    return bool(select.select([pgconn.socket], [], [], 0)[0])
