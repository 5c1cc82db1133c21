"""The PostgreSQL event store's recorder, writing each event's link of the history chain in
the transaction that inserts the event, while the library's EXCLUSIVE lock on the events
table is held.

The library inserts in pipeline mode: lock, NOTIFY, ``INSERT … RETURNING``, one sync, then
it reads the new notification ids, then COMMIT. The head of the chain (and the last event
before this insert) is read between the lock and the INSERT, in the same pipeline, so in the
same round trip, and the links go in just before COMMIT, in the commit's round trip: a
chained save costs no extra round trip. Under the lock no other transaction can insert
events or links, so the head read there is the head this save extends. A tenant import
calls the same ``_insert_stored_events`` once per chunk in one plain transaction; each chunk
is linked there and then, from the links of the chunks before it.

Events stored without links (a store older than the chain, or a Mend without it writing in
a rolling upgrade) are linked first: in batches at start-up (``create_table``), a short lock
per batch, and by any insert that finds the chain behind.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from eventsourcing.persistence import ProgrammingError, StoredEvent
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresDatastore,
)
from psycopg import Cursor, pq
from psycopg.sql import SQL, Identifier

from mend.projections.history.chain import CHAIN_TABLE, H0, StoredRow, canonical_id, links

log = logging.getLogger(__name__)

#: Events linked per transaction when a store older than the chain is brought up to date.
CATCH_UP_BATCH = 5_000


class ChainedPostgresRecorder(PostgresApplicationRecorder):
    def __init__(self, datastore: PostgresDatastore, *,
                 events_table_name: str = "stored_events"):
        if datastore.enable_db_functions:
            raise ProgrammingError("POSTGRES_ENABLE_DB_FUNCTIONS inserts events past the"
                                   " recorder, so without their links of the history chain")
        super().__init__(datastore, events_table_name=events_table_name)
        names = {"schema": Identifier(datastore.schema), "chain": Identifier(CHAIN_TABLE),
                 "events": Identifier(events_table_name)}

        def sql(text: str) -> str:
            # Rendered once: psycopg renders a Composed again at every execute.
            return SQL(text).format(**names).as_string()

        self.sql_create_statements.append(SQL(
            "CREATE TABLE IF NOT EXISTS {schema}.{chain} ("
            "notification_id bigint PRIMARY KEY, hash bytea NOT NULL)").format(**names))
        # Which event got which id, so that each link is made over its own event.
        self.insert_events_statement += SQL(", originator_id, originator_version")
        # Both are a step down an index from its end, whatever the tables' size.
        self._head_and_last_event = sql(
            "SELECT c.notification_id, c.hash,"
            " (SELECT max(notification_id) FROM {schema}.{events}) AS last_event"
            " FROM (SELECT 1) AS one LEFT JOIN (SELECT notification_id, hash"
            " FROM {schema}.{chain} ORDER BY notification_id DESC LIMIT 1) AS c ON true")
        self._head = sql("SELECT notification_id, hash FROM {schema}.{chain}"
                         " ORDER BY notification_id DESC LIMIT 1")
        self._head_and_count = sql(
            "SELECT c.notification_id, c.hash, (SELECT count(*) FROM {schema}.{events} e"
            " WHERE e.notification_id <= c.notification_id) AS events FROM {schema}.{chain} c"
            " ORDER BY c.notification_id DESC LIMIT 1")
        self._ends = sql("SELECT (SELECT max(notification_id) FROM {schema}.{events}) AS events,"
                         " (SELECT max(notification_id) FROM {schema}.{chain}) AS chain")
        self._events_after = sql(
            "SELECT notification_id, originator_id, originator_version, topic, state"
            " FROM {schema}.{events} WHERE notification_id > %s AND notification_id <= %s"
            " ORDER BY notification_id LIMIT %s")
        self._links_after = sql(
            "SELECT notification_id, hash FROM {schema}.{chain} WHERE notification_id > %s"
            " AND notification_id <= %s ORDER BY notification_id LIMIT %s")
        self._insert_link = sql("INSERT INTO {schema}.{chain} (notification_id, hash)"
                                " VALUES (%s, %s)")
        # The cursor of an insert in pipeline mode, and the cursor its head was read on.
        self._pending = threading.local()

    # ------------------------------------------------------------------ writing links
    def _insert_stored_events(self, curs: Cursor[Any], stored_events: Sequence[StoredEvent],
                              **kwargs: Any) -> None:
        # PostgresApplicationRecorder's own steps (lock, NOTIFY, insert), with the head read
        # under the lock and before these events.
        self._lock_table(curs)
        self._notify_channel(curs)
        head = curs.connection.cursor()
        head.execute(self._head_and_last_event, prepare=True)
        PostgresAggregateRecorder._insert_stored_events(self, curs, stored_events, **kwargs)
        if curs.connection.pgconn.pipeline_status == pq.PipelineStatus.OFF:
            self._link_inserted(curs, head, stored_events)  # the import's own transaction
        else:
            self._pending.insert = (curs, head)  # linked once the library's sync brings ids

    def _fetch_ids_after_insert_events(self, curs: Cursor[Any],
                                       stored_events: Sequence[StoredEvent],
                                       **kwargs: Any) -> Sequence[int] | None:
        notification_ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        pending, self._pending.insert = getattr(self._pending, "insert", None), None
        if pending is None or pending[0] is not curs:
            raise ProgrammingError("events were inserted without their links")
        self._link_inserted(curs, pending[1], stored_events)
        return notification_ids

    def _link_inserted(self, curs: Cursor[Any], head: Cursor[Any],
                       stored_events: Sequence[StoredEvent]) -> None:
        curs.scroll(0, "absolute")
        inserted = curs.fetchall()
        top = head.fetchone()
        previous_id = top["notification_id"] or 0
        previous = H0 if top["hash"] is None else bytes(top["hash"])
        if (top["last_event"] or 0) <= previous_id:
            by_place = {(canonical_id(e.originator_id), e.originator_version): e
                        for e in stored_events}
            rows = []
            for row in sorted(inserted, key=lambda r: r["notification_id"]):
                event = by_place[(canonical_id(row["originator_id"]), row["originator_version"])]
                rows.append(StoredRow(row["notification_id"], event.originator_id,
                                      event.originator_version, event.topic, event.state))
        else:  # events stored without links before these: link them all, in order
            rows = self._unlinked(head, previous_id, limit=None)
        self._write_links(head, links(previous, rows))

    def _unlinked(self, curs: Cursor[Any], after: int, limit: int | None) -> list[StoredRow]:
        curs.execute(self._events_after, (after, 2**63 - 1, limit))
        return [_stored_row(row) for row in curs.fetchall()]

    def _write_links(self, curs: Cursor[Any], new_links: Iterable[tuple[int, bytes]]) -> None:
        rows = list(new_links)
        if len(rows) == 1:  # a save's usual one event: one prepared statement, no arrays
            curs.execute(self._insert_link, rows[0], prepare=True)
        elif rows:
            curs.executemany(self._insert_link, rows)

    def create_table(self) -> None:
        super().create_table()
        self.link_unlinked()

    def link_unlinked(self) -> int:
        """Link the events stored without links, a batch per transaction, so writers wait at
        most one batch for the lock; returns how many were linked."""
        linked = 0
        while self._behind():
            with self.datastore.transaction(commit=True) as curs:
                self._lock_table(curs)
                curs.execute(self._head)
                top = curs.fetchone()
                previous_id, previous = (top["notification_id"], bytes(top["hash"])) if top \
                    else (0, H0)
                rows = self._unlinked(curs, previous_id, CATCH_UP_BATCH)
                self._write_links(curs, links(previous, rows))
            linked += len(rows)
            log.info("history: linked %d events stored before the chain (up to notification"
                     " id %d)", linked, rows[-1].notification_id if rows else previous_id)
            if len(rows) < CATCH_UP_BATCH:
                break
        return linked

    def _behind(self) -> bool:
        ends = self.history_ends()
        return (ends[0] or 0) > (ends[1] or 0)

    # ------------------------------------------------------------------ reading the chain
    def history_ends(self) -> tuple[int | None, int | None]:
        """The last notification id of the events, and of the chain, seen at one instant."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._ends)
            row = curs.fetchone()
        return row["events"], row["chain"]

    def history_head(self) -> tuple[int, bytes, int]:
        """The chain's last link: its notification id, its hash, and how many events go up
        to it, seen at one instant."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._head_and_count)
            row = curs.fetchone()
        if row is None:
            return 0, H0, 0
        return row["notification_id"], bytes(row["hash"]), row["events"]

    def event_page(self, after: int, upto: int, limit: int) -> list[StoredRow]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._events_after, (after, upto, limit), prepare=True)
            return [_stored_row(row) for row in curs.fetchall()]

    def link_page(self, after: int, upto: int, limit: int) -> list[tuple[int, bytes]]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self._links_after, (after, upto, limit), prepare=True)
            return [(row["notification_id"], bytes(row["hash"])) for row in curs.fetchall()]


def _stored_row(row: dict[str, Any]) -> StoredRow:
    return StoredRow(row["notification_id"], row["originator_id"], row["originator_version"],
                     row["topic"], bytes(row["state"]) if row["state"] is not None else b"")
