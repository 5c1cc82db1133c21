"""The casebook view's storage on SQLite and PostgreSQL: generations, tracking, writes.

The read models (timelines, case directory with caseload metrics, activity feed) live in
one generation of tables at a time. A batch of view changes and its tracking position are
written in one transaction, so every event is applied exactly once, whatever crashes. The
tracking position is kept per generation (``Mend#2``), so a rebuild can fill generation 3
from the first event while generation 2 keeps serving, and then take over in one update.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from psycopg.sql import SQL

from mend.projections.queries import CasebookQueries, Viewer, from_us, to_us  # noqa: F401
from mend.projections.tables import STATEMENTS, TABLES, names, table_names

#: A change to the view: the name of one statement in STATEMENTS and its parameters.
Change = tuple[str, dict[str, Any]]

GENERATIONS = """CREATE TABLE IF NOT EXISTS mend_view_generation (
    name TEXT PRIMARY KEY, generation INTEGER NOT NULL)"""


class Casebook(CasebookQueries):
    """Generation bookkeeping shared by both stores; subclasses supply the SQL plumbing."""

    application_name = "Mend"

    # -- plumbing each store implements
    def _rows(self, sql: str, params: dict[str, Any]) -> list[Any]:
        raise NotImplementedError

    def _run(self, statements: Sequence[tuple[str, dict[str, Any]]],
             tracking: Tracking | None = None) -> None:
        raise NotImplementedError

    # -- generations
    def current_generation(self) -> int:
        rows = self._rows(
            "SELECT generation FROM mend_view_generation WHERE name = 'casebook'", {}
        )
        return rows[0]["generation"]

    def prefix(self) -> str:
        return names(self.current_generation())

    def tracking_name(self, generation: int | None = None) -> str:
        generation = self.current_generation() if generation is None else generation
        return f"{self.application_name}#{generation}"

    def position(self, generation: int | None = None) -> int:
        return self.max_tracking_id(self.tracking_name(generation)) or 0

    def caught_up_with(self, notification_id: int) -> bool:
        return self.has_tracking_id(self.tracking_name(), notification_id)

    def create_generation(self, generation: int) -> None:
        prefix = names(generation)
        self._run([(statement.format(p=prefix), {}) for statement in TABLES])

    def drop_generation(self, generation: int) -> None:
        """Drop a generation's tables and forget its tracking position, in one transaction."""
        self._run(
            [(f"DROP TABLE IF EXISTS {table}", {}) for table in table_names(generation)]
            + [(f"DELETE FROM {self._tracking_table} WHERE application_name = :name",
                {"name": self.tracking_name(generation)})]
        )

    def promote(self, generation: int) -> None:
        """Serve this generation from now on; one row update, so readers switch at once."""
        self._run([(
            "UPDATE mend_view_generation SET generation = :generation WHERE name = 'casebook'",
            {"generation": generation},
        )])

    def _initialise(self) -> None:
        self._run([
            (GENERATIONS, {}),
            ("INSERT INTO mend_view_generation (name, generation) SELECT 'casebook', 1"
             " WHERE NOT EXISTS (SELECT 1 FROM mend_view_generation)", {}),
        ])
        self.create_generation(self.current_generation())

    # -- writing
    def apply(self, changes: Sequence[Change], tracking: Tracking,
              generation: int | None = None) -> None:
        """Write a batch of changes and its tracking position in one transaction."""
        generation = self.current_generation() if generation is None else generation
        prefix = names(generation)
        self._run([(STATEMENTS[name].format(p=prefix), params) for name, params in changes],
                  tracking)

    def write_metrics(self, rows: Sequence[dict[str, Any]], generation: int) -> None:
        statement = STATEMENTS["metrics"].format(p=names(generation))
        self._run([(statement, row) for row in rows])


class SQLiteCasebook(Casebook, SQLiteTrackingRecorder):
    _tracking_table = "tracking"

    def create_table(self) -> None:
        super().create_table()
        self._initialise()

    def _run(self, statements: Sequence[tuple[str, dict[str, Any]]],
             tracking: Tracking | None = None) -> None:
        with self.datastore.transaction(commit=True) as c:
            for sql, params in statements:
                c.execute(sql, params)
            if tracking is not None:
                self._insert_tracking(c, tracking)

    def _rows(self, sql: str, params: dict[str, Any]) -> list[Any]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(sql, params)
            return c.fetchall()


_NAMED = re.compile(r"(?<!:):([a-z_0-9]+)")


def _pg(sql: str) -> str:
    """`:name` to psycopg's `%(name)s`, leaving `::casts` alone."""
    return _NAMED.sub(r"%(\1)s", sql)


class PostgresCasebook(Casebook, PostgresTrackingRecorder):
    def __init__(self, datastore: Any, **kwargs: Any):
        super().__init__(datastore, **kwargs)
        self._tracking_table = self.tracking_table_name
        self.sql_create_statements.append(SQL(GENERATIONS))  # type: ignore[arg-type]

    def create_table(self) -> None:
        super().create_table()
        self._initialise()

    def _run(self, statements: Sequence[tuple[str, dict[str, Any]]],
             tracking: Tracking | None = None) -> None:
        with self.datastore.transaction(commit=True) as curs:
            # Pipeline mode sends the batch without waiting for each statement's answer.
            with curs.connection.pipeline():
                for sql, params in statements:
                    curs.execute(_pg(sql), params, prepare=bool(params))
                if tracking is not None:
                    self._insert_tracking(curs, tracking)

    def _rows(self, sql: str, params: dict[str, Any]) -> list[Any]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(_pg(sql), params)
            return curs.fetchall()
