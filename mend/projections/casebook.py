"""The casebook view's storage on SQLite and PostgreSQL: generations, tracking, writes.

The read models (timelines, case directory with caseload metrics, activity feed) live in
one generation of tables at a time. A batch of view changes and its tracking position are
written in one transaction, so every event is applied exactly once, whatever crashes. The
tracking position is kept per generation (``Mend#2``), so a rebuild can fill generation 3
from the first event while generation 2 keeps serving, and then take over in one update.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from functools import lru_cache
from operator import itemgetter
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from psycopg.sql import SQL

from mend.projections.queries import (  # noqa: F401
    CaseRecord, CasebookQueries, from_us, to_us,
)
from mend.projections.tables import (
    ADDED_COLUMNS, APPENDS, STATEMENTS, TABLES, names, table_names,
)

#: A change to the view: the name of one statement in STATEMENTS and its parameters.
Change = tuple[str, dict[str, Any]]
#: One statement and the parameters of each of its consecutive executions.
Run = tuple[str, list[dict[str, Any]]]


@lru_cache(maxsize=None)
def _statement(name: str, prefix: str) -> str:
    return STATEMENTS[name].format(p=prefix)

#: How long a process trusts its last look at the served generation (under the 2 s grace
#: period for which a rebuild keeps the tables it replaced).
SERVED_GENERATION_TTL = 1.0

GENERATIONS = """CREATE TABLE IF NOT EXISTS mend_view_generation (
    name TEXT PRIMARY KEY, generation INTEGER NOT NULL)"""


class Casebook(CasebookQueries):
    """The view's interface (its queries, generations and writes), shared by both stores;
    subclasses supply the SQL plumbing. Everything that reads or feeds the view is typed
    with this class."""

    application_name = "Mend"

    # -- plumbing each store implements
    def _rows(self, sql: str, params: dict[str, Any]) -> list[Any]:
        raise NotImplementedError

    def _run(self, statements: Sequence[tuple[str, dict[str, Any]]],
             tracking: Tracking | None = None) -> None:
        raise NotImplementedError

    def _write(self, prefix: str, appends: dict[str, list[dict[str, Any]]], runs: list[Run],
               tracking: Tracking | None) -> None:
        """In one transaction: the appended rows of each APPENDS statement, then the runs in
        order, then the tracking position."""
        raise NotImplementedError

    # -- generations
    def current_generation(self) -> int:
        rows = self._rows(
            "SELECT generation FROM mend_view_generation WHERE name = 'casebook'", {}
        )
        return rows[0]["generation"]

    def served_generation(self) -> int:
        """The generation readers use, looked up at most once a second per process.

        Every read asked the database before, one query per request for a row that changes
        only when a rebuild swaps generations; a reader a second late still finds the old
        tables, which a rebuild keeps for longer than that (its grace period).
        """
        now = time.monotonic()
        cached = getattr(self, "_served", None)
        if cached is None or now - cached[1] > SERVED_GENERATION_TTL:
            cached = self._served = (self.current_generation(), now)
        return cached[0]

    def prefix(self) -> str:
        return names(self.served_generation())

    def tracking_name(self, generation: int | None = None) -> str:
        generation = self.current_generation() if generation is None else generation
        return f"{self.application_name}#{generation}"

    def position(self, generation: int | None = None) -> int:
        return self.max_tracking_id(self.tracking_name(generation)) or 0

    def caught_up_with(self, notification_id: int) -> bool:
        return self.has_tracking_id(self.tracking_name(self.served_generation()),
                                    notification_id)

    def create_generation(self, generation: int) -> None:
        prefix = names(generation)
        self._run([(statement.format(p=prefix), {}) for statement in TABLES])
        missing = [(table, column, declaration) for table, column, declaration in ADDED_COLUMNS
                   if column not in self._columns(prefix + table)]
        if missing:
            self._run([(self._add_column(prefix + table, column, declaration), {})
                       for table, column, declaration in missing]
                      + [(f"UPDATE {prefix}cases SET metrics_day = ''", {})])

    def _columns(self, table: str) -> set[str]:
        raise NotImplementedError

    def _add_column(self, table: str, column: str, declaration: str) -> str:
        return f"ALTER TABLE {table} ADD COLUMN {column} {declaration}"

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
        self._served = None  # this process switches at once; others within a second

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
        # Rows that only append to their table go in bulk; the rest keep their order, with
        # consecutive executions of one statement grouped so they can be sent together.
        appends: dict[str, list[dict[str, Any]]] = {}
        runs: list[Run] = []
        for name, params in changes:
            if name in APPENDS:
                appends.setdefault(name, []).append(params)
                continue
            sql = _statement(name, prefix)
            if runs and runs[-1][0] == sql:
                runs[-1][1].append(params)
            else:
                runs.append((sql, [params]))
        self._write(prefix, appends, runs, tracking)

    def write_metrics(self, rows: Sequence[dict[str, Any]], generation: int) -> None:
        prefix = names(generation)
        self._write(prefix, {}, [(_statement("metrics", prefix), list(rows))] if rows else [],
                    None)


class SQLiteCasebook(Casebook, SQLiteTrackingRecorder):
    _tracking_table = "tracking"

    def _columns(self, table: str) -> set[str]:
        return {row["name"] for row in self._rows(f"PRAGMA table_info({table})", {})}

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

    def _write(self, prefix: str, appends: dict[str, list[dict[str, Any]]], runs: list[Run],
               tracking: Tracking | None) -> None:
        with self.datastore.transaction(commit=True) as c:
            for name, rows in appends.items():
                c.executemany(_statement(name, prefix), rows)
            for sql, rows in runs:
                c.executemany(sql, rows)
            if tracking is not None:
                self._insert_tracking(c, tracking)

    def _rows(self, sql: str, params: dict[str, Any]) -> list[Any]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(sql, params)
            return c.fetchall()


_NAMED = re.compile(r"(?<!:):([a-z_0-9]+)")


@lru_cache(maxsize=1024)
def _pg(sql: str) -> str:
    """`:name` to psycopg's `%(name)s`, leaving `::casts` alone."""
    return _NAMED.sub(r"%(\1)s", sql)


@lru_cache(maxsize=None)
def _copy(name: str, prefix: str) -> tuple[str, Any]:
    """The COPY statement of an APPENDS statement, and what picks its columns from a row."""
    table, columns = APPENDS[name]
    return f"COPY {prefix}{table} ({', '.join(columns)}) FROM STDIN", itemgetter(*columns)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _copy_text(rows: list[dict[str, Any]], columns_of: Any) -> str | None:
    """The rows in COPY's text format, or None when a value is not text, int or None.

    The same bytes psycopg's write_row() would send, at a third of its cost in pure Python.
    """
    lines = []
    for row in rows:
        fields = []
        for value in columns_of(row):
            if value is None:
                fields.append("\\N")
            elif type(value) is str:
                if "\x00" in value:
                    return None  # not storable: let psycopg refuse it as it would any insert
                if "\\" in value or "\n" in value or "\r" in value or "\t" in value:
                    value = value.translate(_COPY_ESCAPES)
                fields.append(value)
            elif type(value) is int:
                fields.append(str(value))
            else:
                return None
        lines.append("\t".join(fields))
    lines.append("")
    return "\n".join(lines)


class PostgresCasebook(Casebook, PostgresTrackingRecorder):
    def _columns(self, table: str) -> set[str]:
        rows = self._rows("SELECT column_name AS name FROM information_schema.columns"
                          " WHERE table_schema = current_schema() AND table_name = :t",
                          {"t": table})
        return {row["name"] for row in rows}

    def _add_column(self, table: str, column: str, declaration: str) -> str:
        # Several processes may open the view at once: the second finds the column there.
        return f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {declaration}"

    def __init__(self, datastore: Any, **kwargs: Any):
        super().__init__(datastore, **kwargs)
        self._tracking_table = self.tracking_table_name
        self.sql_create_statements.append(SQL(GENERATIONS))  # type: ignore[arg-type]

    def create_table(self) -> None:
        super().create_table()
        self._initialise()

    def _run(self, statements: Sequence[tuple[str, dict[str, Any]]],
             tracking: Tracking | None = None) -> None:
        # Tables and generations change rarely: no pipeline mode here. When psycopg reads the
        # answer to a DROP in pipeline mode only as the pipeline ends, it forgets its prepared
        # statements but leaves their DEALLOCATE ALL pending; sent after the next statement it
        # prepares on that connection, it then fails ("prepared statement ... does not
        # exist"): a rebuild's first batches could fail so.
        with self.datastore.transaction(commit=True) as curs:
            for sql, params in statements:
                curs.execute(_pg(sql), params, prepare=bool(params))
            if tracking is not None:
                self._insert_tracking(curs, tracking)

    def _write(self, prefix: str, appends: dict[str, list[dict[str, Any]]], runs: list[Run],
               tracking: Tracking | None) -> None:
        with self.datastore.transaction(commit=True) as curs:
            # COPY is the cheapest way in for many rows (it cannot run in pipeline mode).
            for name, rows in appends.items():
                statement, columns_of = _copy(name, prefix)
                with curs.copy(statement) as copy:
                    text = _copy_text(rows, columns_of)
                    if text is not None:
                        copy.write(text)
                    else:
                        for row in rows:
                            copy.write_row(columns_of(row))
            # Pipeline mode sends the rest without waiting for each statement's answer.
            with curs.connection.pipeline():
                for sql, rows in runs:
                    if len(rows) == 1:
                        curs.execute(_pg(sql), rows[0], prepare=bool(rows[0]))
                    else:
                        curs.executemany(_pg(sql), rows)
                if tracking is not None:
                    self._track(curs, tracking)

    def _track(self, curs: Any, tracking: Tracking) -> None:
        """Insert the tracking row in pipeline mode, on a cursor of its own.

        The recorder reads the insert's answer back (fetchone). Answers to the statements sent
        before it may still be arriving, and pipeline mode hands each answer to the cursor that
        sent its statement: on a shared cursor, one of them could be taken for the tracking
        insert's ("the last operation didn't produce records").
        """
        with curs.connection.cursor() as own:
            self._insert_tracking(own, tracking)

    def _rows(self, sql: str, params: dict[str, Any]) -> list[Any]:
        # One statement reads one consistent snapshot without a transaction around it, whose
        # BEGIN and ROLLBACK cost two more round trips (and on rollback psycopg deallocates
        # every statement the connection had prepared for the runner's writes).
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(_pg(sql), params)
            return curs.fetchall()

    def case_records(self, tenant_id: UUID, case_id: UUID,
                     generation_prefix: str | None = None) -> list[CaseRecord]:
        """CasebookQueries.case_records, the same rows read back as one JSON array.

        Pure-Python psycopg converts every value of a result on its own, which made this read
        (a hundred rows of six values for a typical case) most of a metrics refresh; one text
        value parsed by the json module costs a fraction. ``data`` stays the stored text.
        """
        p = generation_prefix or self.prefix()
        rows = self._rows(
            "SELECT json_agg(json_build_array(position, type, occurred_us, recorded_us,"
            " actor_id, data) ORDER BY position)::text AS records"
            f" FROM {p}timeline WHERE tenant_id = :tenant AND case_id = :case",
            {"tenant": str(tenant_id), "case": str(case_id)},
        )
        records = rows[0]["records"] if rows else None
        return [
            CaseRecord(position, type_, from_us(occurred_us), from_us(recorded_us), actor_id,
                       json.loads(data))
            for position, type_, occurred_us, recorded_us, actor_id, data
            in (json.loads(records) if records else ())
        ]
