"""The tables of Mend's own operations, beside the read models: the outbox of messages, the
alerts inbox, each person's reminder and alert settings, and the clock of who owes a check-in.

They live in the views' database (PostgreSQL in production) but are not read models: a
rebuild never drops them, so a rebuilt view never sends a message twice. Every row is keyed
so that writing it twice is writing it once: a message by its dedup key (case, person, due
period for a reminder; alert and recipient for an alert), an alert by an id made from its
cause.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from contextlib import contextmanager
from typing import Any, Iterator

from eventsourcing.persistence import Tracking

from psycopg.sql import SQL, Composed, Literal

from mend.projections.casebook import _NAMED, Casebook, PostgresCasebook, _pg

#: The tracking name of the notices follower (mend.workers.notices) in the views' tracking
#: table: its position in the store's log, committed with the rows it writes.
NOTICES = "Notices"


def _tables(blob: str) -> tuple[str, ...]:
    return (
        """CREATE TABLE IF NOT EXISTS mend_outbox (
            message_id TEXT PRIMARY KEY,
            dedup_key TEXT NOT NULL UNIQUE,
            tenant_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            recipient_id TEXT NOT NULL,
            address TEXT NOT NULL,
            subject TEXT NOT NULL,
            body TEXT NOT NULL,
            state TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            next_attempt_us BIGINT NOT NULL,
            lease_until_us BIGINT NOT NULL DEFAULT 0,
            swept_us BIGINT NOT NULL DEFAULT 0,
            created_us BIGINT NOT NULL,
            sent_us BIGINT,
            reason TEXT NOT NULL DEFAULT '')""",
        "CREATE INDEX IF NOT EXISTS mend_outbox_due ON mend_outbox (state, next_attempt_us)",
        "CREATE INDEX IF NOT EXISTS mend_outbox_by_tenant ON mend_outbox (tenant_id, created_us)",
        """CREATE TABLE IF NOT EXISTS mend_alerts (
            alert_id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            case_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            person_id TEXT,
            raised_us BIGINT NOT NULL,
            state TEXT NOT NULL DEFAULT 'open',
            acknowledged_by TEXT,
            acknowledged_us BIGINT,
            resolved_by TEXT,
            resolved_us BIGINT)""",
        "CREATE INDEX IF NOT EXISTS mend_alerts_by_case ON mend_alerts (tenant_id, case_id)",
        """CREATE TABLE IF NOT EXISTS mend_alert_recipients (
            alert_id TEXT NOT NULL,
            account_id TEXT NOT NULL,
            PRIMARY KEY (alert_id, account_id))""",
        "CREATE INDEX IF NOT EXISTS mend_alert_recipients_by_account"
        " ON mend_alert_recipients (account_id, alert_id)",
        """CREATE TABLE IF NOT EXISTS mend_reminder_settings (
            account_id TEXT PRIMARY KEY,
            time_zone TEXT NOT NULL,
            hour INTEGER NOT NULL,
            quiet_from INTEGER NOT NULL,
            quiet_to INTEGER NOT NULL,
            paused_until_us BIGINT,
            stopped INTEGER NOT NULL DEFAULT 0)""",
        """CREATE TABLE IF NOT EXISTS mend_alert_settings (
            tenant_id TEXT NOT NULL,
            account_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            by_email INTEGER NOT NULL,
            in_inbox INTEGER NOT NULL,
            PRIMARY KEY (tenant_id, account_id, kind))""",
        # Who owes a check-in, and since when: one row per reporting participant of an open
        # case, kept by the notices follower. due_us is when their next check-in falls due.
        """CREATE TABLE IF NOT EXISTS mend_check_in_clock (
            case_id TEXT NOT NULL,
            account_id TEXT NOT NULL,
            tenant_id TEXT NOT NULL,
            cadence_us BIGINT NOT NULL,
            due_us BIGINT NOT NULL,
            PRIMARY KEY (case_id, account_id))""",
        "CREATE INDEX IF NOT EXISTS mend_check_in_clock_due ON mend_check_in_clock (due_us)",
        # The last risk level the tick saw per case, so "turned high" is noticed once.
        """CREATE TABLE IF NOT EXISTS mend_risk_seen (
            case_id TEXT PRIMARY KEY,
            risk TEXT NOT NULL)""",
        # Reports and exports made by jobs: progress, then the file, for those who may read it.
        f"""CREATE TABLE IF NOT EXISTS mend_runs (
            run_id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            kind TEXT NOT NULL,
            subject_id TEXT,
            requested_by TEXT NOT NULL,
            state TEXT NOT NULL,
            done INTEGER NOT NULL DEFAULT 0,
            total INTEGER NOT NULL DEFAULT 0,
            file_name TEXT,
            content_type TEXT,
            content {blob},
            reason TEXT NOT NULL DEFAULT '',
            created_us BIGINT NOT NULL,
            finished_us BIGINT)""",
        "CREATE INDEX IF NOT EXISTS mend_runs_by_tenant ON mend_runs (tenant_id, created_us)",
    )


def now_us() -> int:
    return int(time.time() * 1_000_000)


class Ledger:
    """SQL over the operations tables, the same statements on SQLite and PostgreSQL."""

    def __init__(self, casebook: Casebook):
        self.casebook = casebook
        self.postgres = isinstance(casebook, PostgresCasebook)

    def create_tables(self) -> None:
        self.run([(sql, {}) for sql in _tables("BYTEA" if self.postgres else "BLOB")])

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        return [dict(row) for row in self.casebook._rows(sql, params or {})]

    def run(self, statements: Sequence[tuple[str, dict[str, Any]]],
            tracking: Tracking | None = None) -> None:
        """Every statement, and the tracking position if given, in one transaction."""
        self.casebook._run(statements, tracking)

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """A cursor in one transaction, taking ``:name`` parameters on both stores."""
        with self.casebook.datastore.transaction(commit=True) as cursor:
            yield _Cursor(cursor, self.postgres)

    def mark(self, sql: str, params: dict[str, Any], *, flush: bool = True,
             ) -> list[dict[str, Any]]:
        """One small change in one round trip: the marks of a delivery (claimed, sent),
        which cost four round trips in a transaction of their own, most of a delivery.

        The statement goes as one message with its values quoted by psycopg, committed as it
        runs. ``flush=False`` wraps it in a transaction whose commit PostgreSQL answers
        before its WAL reaches the disk (synchronous_commit off, that transaction alone):
        for a mark whose loss in a database crash only means doing a step again. Returns
        the rows of a RETURNING clause."""
        if not self.postgres:
            with self.transaction() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall() if " RETURNING " in sql else []
        script = mark_script(sql, params, flush=flush)
        with self.casebook.datastore.get_connection() as conn, conn.cursor() as cursor:
            try:
                cursor.execute(script)
                rows: list[dict[str, Any]] = []
                while True:
                    if cursor.description is not None and cursor.pgresult.status == 2:
                        rows = [dict(row) for row in cursor.fetchall()]
                    if not cursor.nextset():
                        return rows
            except BaseException:
                conn.rollback()
                raise

    def position(self, name: str = NOTICES) -> int | None:
        return self.casebook.max_tracking_id(name)


def mark_script(sql: str, params: dict[str, Any], *, flush: bool = True) -> Composed:
    """A mark as one message of the simple query protocol, its values quoted by psycopg."""
    statement = SQL(_NAMED.sub(r"{\1}", sql)).format(
        **{name: Literal(value) for name, value in params.items()})
    return statement if flush else SQL(
        "BEGIN; SET LOCAL synchronous_commit TO OFF; {0}; COMMIT").format(statement)


class _Cursor:
    def __init__(self, cursor: Any, postgres: bool):
        self.cursor, self.postgres = cursor, postgres

    def execute(self, sql: str, params: dict[str, Any] | None = None) -> int:
        """Run one statement; returns how many rows it changed."""
        self.cursor.execute(_pg(sql) if self.postgres else sql, params or {})
        # The library's SQLite cursor wraps sqlite3's and does not pass rowcount on.
        return getattr(self.cursor, "sqlite_cursor", self.cursor).rowcount

    def executemany(self, sql: str, rows: list[dict[str, Any]]) -> None:
        self.cursor.executemany(_pg(sql) if self.postgres else sql, rows)

    def fetchall(self) -> list[dict[str, Any]]:
        return [dict(row) for row in self.cursor.fetchall()]
