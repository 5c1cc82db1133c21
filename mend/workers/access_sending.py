"""Sending a request's access-log rows as its reads are allowed, and waiting for them to be
on disk before its answer leaves.

On PostgreSQL a row goes as one message of the simple query protocol, sent without waiting
for an answer, on a connection the request keeps from the views' pool until its end:

    SELECT set_config('synchronous_commit', 'off', true), mend_access_log_append('…');
    COMMIT;
    SELECT pg_current_xact_id()

The first transaction takes the writers' lock, chains and inserts the row and commits
without waiting for the disk, so the lock is held for the insert alone, never for an fsync.
The second commits as every transaction does, so it returns only once the WAL is on disk up
to its commit record, past the row's; concurrent requests and processes share that flush.
PostgreSQL does all of this while the request reads the case and renders its answer; at the
end, ``finish`` reads the answers (by then, usually, arrived) and gives the connection back.
No thread of ours is involved and no row waits in this process's memory: a row is in
PostgreSQL, or on the wire with the request that waits for it.

SQLite, the embedded store of one process, appends (and commits) at once.
"""

from __future__ import annotations

import contextlib
import json
import select
from typing import Any

from psycopg import pq, sql

from mend.workers.unawaited import results_within

#: How long an answer waits for its row before it is refused (the store is not answering).
WAIT_SECONDS = 10.0
MESSAGE = ("SELECT set_config('synchronous_commit', 'off', true), "
           "mend_access_log_append({batch}::jsonb) AS seq; COMMIT; SELECT pg_current_xact_id()")


class RowNotWritten(Exception):
    """Raised when the database refused or did not answer a row in time."""


class PostgresSender:
    """One request's rows on one connection, each sent as it comes."""

    def __init__(self, datastore: Any):
        self._datastore = datastore
        self._stack: contextlib.ExitStack | None = None
        self._conn: Any = None
        self._waiting = False
        self._numbers: list[int] = []
        self._error: Exception | None = None

    def send(self, row: Any) -> None:
        """Put the row on the wire; what keeps it from there is kept for ``finish``."""
        if self._error is not None:
            return
        try:
            if self._waiting:  # one message at a time on a connection
                self._numbers.append(self._answer())
            if self._stack is None:
                self._stack = contextlib.ExitStack()
                self._conn = self._stack.enter_context(self._datastore.get_connection())
            batch = sql.Literal(json.dumps([vars(row)])).as_string(self._conn)
            pgconn = self._conn.pgconn
            self._waiting = True  # from here, a failure leaves the connection unusable
            pgconn.send_query(MESSAGE.format(batch=batch).encode())
            while pgconn.flush():  # a few hundred bytes: on the wire at once
                select.select([], [pgconn.socket], [], WAIT_SECONDS)
        except Exception as error:  # the store away: the answer will be a 503
            self._error = error

    def finish(self) -> list[int]:
        """The rows' numbers once on disk; raises what kept any of them from it."""
        try:
            if self._error is not None:
                raise self._error
            if self._waiting:
                self._numbers.append(self._answer())
            return self._numbers
        finally:
            self.close()

    def _answer(self) -> int:
        """Wait for the message's answers; until they are all read, the connection stays
        marked as waiting, so that ``close`` throws it away rather than reuse it."""
        results = results_within(self._conn.pgconn, WAIT_SECONDS)
        if results is None:
            raise RowNotWritten("the database did not answer in time")
        number, refused = None, None
        for result in results:
            if result.status == pq.ExecStatus.FATAL_ERROR:
                refused = refused or result.error_message.decode(errors="replace")
            elif result.status == pq.ExecStatus.TUPLES_OK and number is None:
                number = int(result.get_value(0, 1))
        self._waiting = False
        if refused or number is None:
            raise RowNotWritten(refused or "no row number came back")
        return number

    def close(self) -> None:
        stack, self._stack = self._stack, None
        if stack is None:
            return
        if self._waiting:  # given up before its answers came: mid-statement, not reusable
            with contextlib.suppress(Exception):
                self._conn.close()
        with contextlib.suppress(Exception):
            stack.close()


class SQLiteSender:
    def __init__(self, append: Any):
        self._append = append
        self._numbers: list[int] = []
        self._error: Exception | None = None

    def send(self, row: Any) -> None:
        if self._error is None:
            try:
                self._numbers += self._append([row])
            except Exception as error:  # kept for finish: the answer will be a 503
                self._error = error

    def finish(self) -> list[int]:
        if self._error is not None:
            raise self._error
        return self._numbers

    def close(self) -> None:
        pass
