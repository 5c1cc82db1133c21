"""A delivery's "sent" mark, sent to PostgreSQL without waiting for its answer.

"Sent" must be on disk before it counts (forgotten in a crash, the message would go again),
and waiting for that flush was a fifth of a delivery. PostgreSQL runs and commits a
statement it has received whether or not the sender reads the answer, so a delivery sends
its mark, one message on a connection of its own, and ends; rq's bookkeeping of the job's
end and the next job's start (Redis round trips) overlap the flush. The answer is read when
the worker's next delivery begins, or when the worker stops.

What this changes in a failure: none of the guarantees. If PostgreSQL refused the mark or
went away, the mark is made again (it is idempotent) before the next delivery does anything,
and that delivery fails, to be retried, until it can be; the message stays "sending" under
its lease meanwhile. If the worker dies with a mark unread, the mark was already with
PostgreSQL, as a mark waited for would have been; one that never got there leaves the
message "sending" until its lease runs out and the sweeper queues it again: sent twice,
under one Message-ID, which is what a worker killed mid-send has always meant.

SQLite (the embedded default, one process) marks at once.
"""

from __future__ import annotations

import atexit
import contextlib
from typing import Any

from psycopg import pq

from mend.workers.ledger import Ledger, mark_script
from mend.workers.unawaited import results_within

#: How long reading a mark's answer may wait before the mark is made again.
WAIT_SECONDS = 10.0


class MarkNotMade(Exception):
    """PostgreSQL refused a mark, or did not answer it in time."""


class MarksInFlight:
    def __init__(self, ledger: Ledger):
        self.ledger = ledger
        self._pending: tuple[str, dict[str, Any]] | None = None
        self._stack: contextlib.ExitStack | None = None
        self._conn: Any = None

    def send(self, sql: str, params: dict[str, Any]) -> None:
        """Send a mark (flushed on commit), after settling the one before it."""
        self.settle()
        if not self.ledger.postgres:
            self.ledger.mark(sql, params)
            return
        self._pending = (sql, params)
        try:
            if self._stack is None:
                stack = contextlib.ExitStack()
                self._conn = stack.enter_context(self.ledger.casebook.datastore.get_connection())
                self._stack = stack
            self._conn.pgconn.send_query(mark_script(sql, params).as_bytes(self._conn))
        except Exception:  # the database away: made again, waited for, at the next settle
            self._let_go(broken=True)

    def settle(self) -> None:
        """Make sure the last mark sent is on disk: read its answer, or make it again.
        Raises (and keeps the mark, for the next try) while the database cannot take it."""
        if self._pending is None:
            return
        try:
            if self._stack is None:
                raise MarkNotMade("the mark was not sent")
            self._read_answer()
            self._let_go(broken=False)
        except Exception:
            self._let_go(broken=True)
            sql, params = self._pending
            self.ledger.mark(sql, params)  # raises while the database is away
        self._pending = None

    def _read_answer(self) -> None:
        results = results_within(self._conn.pgconn, WAIT_SECONDS)
        if results is None:
            raise MarkNotMade("the database did not answer in time")
        for result in results:
            if result.status == pq.ExecStatus.FATAL_ERROR:
                raise MarkNotMade(result.error_message.decode(errors="replace"))

    def _let_go(self, *, broken: bool) -> None:
        stack, self._stack = self._stack, None
        if stack is None:
            return
        if broken:  # mid-answer or dead: not to be lent again
            with contextlib.suppress(Exception):
                self._conn.close()
        with contextlib.suppress(Exception):
            stack.close()
        self._conn = None


_marks: dict[int, MarksInFlight] = {}


def marks_for(ledger: Ledger) -> MarksInFlight:
    """This process's marks in flight for a ledger (a worker has one Mend, so one)."""
    marks = _marks.get(id(ledger))
    if marks is None or marks.ledger is not ledger:
        marks = _marks[id(ledger)] = MarksInFlight(ledger)
    return marks


def settle_all() -> None:
    """Read every answer still unread: a worker calls this as it stops."""
    for marks in list(_marks.values()):
        with contextlib.suppress(Exception):
            marks.settle()


atexit.register(settle_all)
