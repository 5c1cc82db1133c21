"""The SQLite event store's recorder, writing each event's link of the history chain in the
transaction that inserts the event.

The library inserts the events one by one in a transaction of its own and collects their
rowids (the notification ids). The first insert takes SQLite's one write lock, which is
held until COMMIT, so the head of the chain read after the inserts is the head these events
extend, and no other writer can slip between. A tenant import goes through the same
``insert_events``, all of it in one transaction.

Events stored without links (a store older than the chain) are linked at start-up
(``create_table``), a batch per write transaction, and by any insert that finds the chain
behind.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore

from mend.projections.history.chain import CHAIN_TABLE, H0, StoredRow, links

log = logging.getLogger(__name__)

#: Events linked per transaction when a store older than the chain is brought up to date.
CATCH_UP_BATCH = 5_000


class ChainedSQLiteRecorder(SQLiteApplicationRecorder):
    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = "stored_events"):
        super().__init__(datastore, events_table_name)
        events = self.events_table_name
        self._head = (f"SELECT notification_id, hash FROM {CHAIN_TABLE}"
                      " ORDER BY notification_id DESC LIMIT 1")
        self._last_before = f"SELECT max(rowid) FROM {events} WHERE rowid < ?"
        self._events_after = (
            f"SELECT rowid, originator_id, originator_version, topic, state FROM {events}"
            " WHERE rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?")
        self._links_after = (f"SELECT notification_id, hash FROM {CHAIN_TABLE}"
                             " WHERE notification_id > ? AND notification_id <= ?"
                             " ORDER BY notification_id LIMIT ?")
        self._insert_link = f"INSERT INTO {CHAIN_TABLE} (notification_id, hash) VALUES (?, ?)"
        self._ends = (f"SELECT (SELECT max(rowid) FROM {events}),"
                      f" (SELECT max(notification_id) FROM {CHAIN_TABLE})")
        self._head_and_count = (
            f"SELECT c.notification_id, c.hash, (SELECT count(*) FROM {events}"
            f" WHERE rowid <= c.notification_id) FROM {CHAIN_TABLE} c"
            " ORDER BY c.notification_id DESC LIMIT 1")

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(),
                f"CREATE TABLE IF NOT EXISTS {CHAIN_TABLE} ("
                "notification_id INTEGER PRIMARY KEY, hash BLOB NOT NULL)"]

    # ------------------------------------------------------------------ writing links
    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent],
                       **kwargs: Any) -> Sequence[int] | None:
        notification_ids = super()._insert_events(c, stored_events, **kwargs)
        if notification_ids:
            self._link_inserted(c, notification_ids, stored_events)
        return notification_ids

    def _link_inserted(self, c: SQLiteCursor, notification_ids: Sequence[int],
                       stored_events: Sequence[StoredEvent]) -> None:
        previous_id, previous = self._read_head(c)
        if previous_id != notification_ids[0] - 1 and self._unlinked_before(
                c, previous_id, notification_ids[0]):
            rows = self._unlinked(c, previous_id, limit=-1)
        else:
            rows = [StoredRow(i, e.originator_id, e.originator_version, e.topic, e.state)
                    for i, e in zip(notification_ids, stored_events)]
        c.executemany(self._insert_link, links(previous, rows))

    def _unlinked_before(self, c: SQLiteCursor, previous_id: int, first_id: int) -> bool:
        """Whether events stored without links lie between the chain's head and these.

        Asked only when the head is not the event just before: a rowid is the largest one
        plus one, so that is the common case, and it saves a statement (the library's
        connections keep one compiled statement, so every other is compiled each time)."""
        c.execute(self._last_before, (first_id,))
        return (c.fetchone()[0] or 0) > previous_id

    def _read_head(self, c: SQLiteCursor) -> tuple[int, bytes]:
        c.execute(self._head)
        row = c.fetchone()
        return (row[0], bytes(row[1])) if row else (0, H0)

    def _unlinked(self, c: SQLiteCursor, after: int, limit: int) -> list[StoredRow]:
        c.execute(self._events_after, (after, 2**63 - 1, limit))
        return [StoredRow(*row) for row in c.fetchall()]

    def create_table(self) -> None:
        super().create_table()
        self.link_unlinked()

    def link_unlinked(self) -> int:
        """Link the events stored without links, a batch per transaction; returns how many."""
        linked = 0
        while self._behind():
            with self._writing() as c:
                previous_id, previous = self._read_head(c)
                rows = self._unlinked(c, previous_id, CATCH_UP_BATCH)
                c.executemany(self._insert_link, links(previous, rows))
            linked += len(rows)
            log.info("history: linked %d events stored before the chain", linked)
            if len(rows) < CATCH_UP_BATCH:
                break
        return linked

    @contextmanager
    def _writing(self) -> Iterator[SQLiteCursor]:
        """A transaction that holds the write lock from its start: the head it reads first
        cannot move before its links are written (a deferred one would fail instead)."""
        with self.datastore.get_connection(commit=True) as conn:
            c = conn.cursor()
            c.execute("BEGIN IMMEDIATE")
            try:
                yield c
            except BaseException:
                conn.rollback()
                raise
            conn.commit()

    def _behind(self) -> bool:
        events, chain = self.history_ends()
        return (events or 0) > (chain or 0)

    # ------------------------------------------------------------------ reading the chain
    def history_ends(self) -> tuple[int | None, int | None]:
        """The last notification id of the events, and of the chain, seen at one instant."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._ends)
            events, chain = c.fetchone()
        return events, chain

    def history_head(self) -> tuple[int, bytes, int]:
        """The chain's last link: its notification id, its hash, and how many events go up
        to it, seen at one instant."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._head_and_count)
            row = c.fetchone()
        return (row[0], bytes(row[1]), row[2]) if row else (0, H0, 0)

    def event_page(self, after: int, upto: int, limit: int) -> list[StoredRow]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._events_after, (after, upto, limit))
            return [StoredRow(*row) for row in c.fetchall()]

    def link_page(self, after: int, upto: int, limit: int) -> list[tuple[int, bytes]]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(self._links_after, (after, upto, limit))
            return [(row[0], bytes(row[1])) for row in c.fetchall()]
