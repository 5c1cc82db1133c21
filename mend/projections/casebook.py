"""The casebook view: the case directory, case timelines and account names, with tracking.

Rows and the tracking position are written in one transaction, so a batch of events is
applied exactly once whatever crashes. One SQL text serves both stores: statements use
``:name`` parameters, which the PostgreSQL class rewrites to psycopg's ``%(name)s``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from psycopg.sql import SQL

#: A change to the view: the name of one statement in STATEMENTS and its parameters.
Change = tuple[str, dict[str, Any]]

TABLES = (
    """CREATE TABLE IF NOT EXISTS mend_timeline (
        event_id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        case_id TEXT NOT NULL,
        position BIGINT NOT NULL,
        type TEXT NOT NULL,
        occurred_us BIGINT NOT NULL,
        recorded_us BIGINT NOT NULL,
        actor_id TEXT,
        visibility TEXT NOT NULL,
        summary TEXT NOT NULL,
        data TEXT NOT NULL)""",
    """CREATE INDEX IF NOT EXISTS mend_timeline_by_case
        ON mend_timeline (tenant_id, case_id, occurred_us, position)""",
    """CREATE TABLE IF NOT EXISTS mend_cases (
        case_id TEXT PRIMARY KEY,
        tenant_id TEXT NOT NULL,
        title TEXT NOT NULL,
        kind TEXT NOT NULL,
        approach TEXT NOT NULL,
        stage TEXT NOT NULL,
        status TEXT NOT NULL,
        outcome TEXT,
        opened_us BIGINT NOT NULL,
        last_activity_us BIGINT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS mend_cases_by_tenant ON mend_cases (tenant_id, opened_us)",
    """CREATE TABLE IF NOT EXISTS mend_case_people (
        case_id TEXT NOT NULL,
        account_id TEXT NOT NULL,
        part TEXT NOT NULL,
        relation TEXT NOT NULL,
        PRIMARY KEY (case_id, account_id, part))""",
    "CREATE INDEX IF NOT EXISTS mend_case_people_by_account ON mend_case_people (account_id)",
    """CREATE TABLE IF NOT EXISTS mend_accounts (
        account_id TEXT PRIMARY KEY,
        name TEXT NOT NULL)""",
)

STATEMENTS = {
    "timeline": (
        "INSERT INTO mend_timeline VALUES (:event_id, :tenant_id, :case_id, :position, :type,"
        " :occurred_us, :recorded_us, :actor_id, :visibility, :summary, :data)"
    ),
    "case_opened": (
        "INSERT INTO mend_cases VALUES (:case_id, :tenant_id, :title, :kind, :approach,"
        " :stage, 'open', NULL, :occurred_us, :occurred_us)"
    ),
    "case_touched": (
        "UPDATE mend_cases SET last_activity_us = :occurred_us"
        " WHERE case_id = :case_id AND last_activity_us < :occurred_us"
    ),
    "case_stage": "UPDATE mend_cases SET stage = :stage WHERE case_id = :case_id",
    "case_approach": "UPDATE mend_cases SET approach = :approach WHERE case_id = :case_id",
    "case_status": (
        "UPDATE mend_cases SET status = :status, outcome = :outcome WHERE case_id = :case_id"
    ),
    "person_added": (
        "INSERT INTO mend_case_people VALUES (:case_id, :account_id, :part, :relation)"
    ),
    "person_removed": (
        "DELETE FROM mend_case_people"
        " WHERE case_id = :case_id AND account_id = :account_id AND part = :part"
    ),
    "account_named": "INSERT INTO mend_accounts VALUES (:account_id, :name)",
    "account_renamed": "UPDATE mend_accounts SET name = :name WHERE account_id = :account_id",
}


def to_us(moment: datetime) -> int:
    """Microseconds since the epoch: orders the same in every store, unlike text or collations."""
    return int(moment.timestamp() * 1_000_000) if moment.tzinfo else to_us(
        moment.replace(tzinfo=timezone.utc)
    )


def from_us(micros: int) -> datetime:
    return datetime.fromtimestamp(micros / 1_000_000, tz=timezone.utc)


@dataclass(frozen=True)
class TimelineEntry:
    id: str
    type: str
    occurred_at: datetime
    recorded_at: datetime
    actor_id: str | None
    actor_name: str | None
    visibility: str
    summary: str
    data: dict[str, Any]
    cursor: str


@dataclass(frozen=True)
class CaseRow:
    id: str
    title: str
    kind: str
    approach: str
    stage: str
    status: str
    outcome: str | None
    opened_at: datetime
    last_activity_at: datetime


@dataclass(frozen=True)
class Viewer:
    """Whose eyes a query serves: it decides which cases and which events come back."""

    tenant_id: UUID
    account_id: UUID
    role: str

    @property
    def is_staff(self) -> bool:
        return self.role != "client"


class CasebookQueries:
    """Read queries over the casebook tables; each one requires the tenant and the viewer."""

    def _rows(self, sql: str, params: dict[str, Any]) -> list[Any]:
        raise NotImplementedError

    def _visible_case_clause(self, viewer: Viewer) -> str:
        if viewer.role in ("owner", "supervisor"):
            return ""
        part = "practitioner" if viewer.role == "practitioner" else "participant"
        return (
            " AND c.case_id IN (SELECT case_id FROM mend_case_people"
            f" WHERE account_id = :viewer AND part = '{part}')"
        )

    def cases(self, viewer: Viewer, *, limit: int = 100, after: str | None = None) -> list[CaseRow]:
        sql = (
            "SELECT c.* FROM mend_cases c WHERE c.tenant_id = :tenant"
            + self._visible_case_clause(viewer)
            + (" AND c.case_id > :after" if after else "")
            + " ORDER BY c.case_id LIMIT :limit"
        )
        rows = self._rows(
            sql, {"tenant": str(viewer.tenant_id), "viewer": str(viewer.account_id),
                  "after": after, "limit": limit},
        )
        return [
            CaseRow(
                id=r["case_id"], title=r["title"], kind=r["kind"], approach=r["approach"],
                stage=r["stage"], status=r["status"], outcome=r["outcome"],
                opened_at=from_us(r["opened_us"]), last_activity_at=from_us(r["last_activity_us"]),
            )
            for r in rows
        ]

    def timeline(
        self,
        viewer: Viewer,
        case_id: UUID,
        *,
        as_of: datetime | None = None,
        known_at: datetime | None = None,
        types: Sequence[str] = (),
        after: str | None = None,
        limit: int = 100,
    ) -> list[TimelineEntry]:
        """A case's events in occurred_at order as this viewer may read them.

        ``as_of`` keeps what had happened by then; ``known_at`` keeps what the record held
        then. ``after`` is the cursor of the last entry of the previous page.
        """
        params: dict[str, Any] = {
            "tenant": str(viewer.tenant_id), "case": str(case_id),
            "viewer": str(viewer.account_id), "limit": limit,
        }
        sql = (
            "SELECT t.*, a.name AS actor_name FROM mend_timeline t"
            " LEFT JOIN mend_accounts a ON a.account_id = t.actor_id"
            " WHERE t.tenant_id = :tenant AND t.case_id = :case"
        )
        if viewer.is_staff:
            sql += " AND (t.visibility != 'private' OR t.actor_id = :viewer)"
        else:
            sql += (
                " AND (t.visibility = 'shared'"
                " OR (t.visibility = 'private' AND t.actor_id = :viewer))"
            )
        if as_of is not None:
            sql += " AND t.occurred_us <= :as_of"
            params["as_of"] = to_us(as_of)
        if known_at is not None:
            sql += " AND t.recorded_us <= :known_at"
            params["known_at"] = to_us(known_at)
        if types:
            names = {f"type{i}": name for i, name in enumerate(types)}
            sql += f" AND t.type IN ({', '.join(':' + n for n in names)})"
            params.update(names)
        if after:
            occurred_us, position = (int(p) for p in after.split("-", 1))
            sql += (
                " AND (t.occurred_us > :after_us"
                " OR (t.occurred_us = :after_us AND t.position > :after_pos))"
            )
            params.update(after_us=occurred_us, after_pos=position)
        sql += " ORDER BY t.occurred_us, t.position LIMIT :limit"
        return [_entry(r) for r in self._rows(sql, params)]


def _entry(r: Any) -> TimelineEntry:
    return TimelineEntry(
        id=r["event_id"], type=r["type"], occurred_at=from_us(r["occurred_us"]),
        recorded_at=from_us(r["recorded_us"]), actor_id=r["actor_id"],
        actor_name=r["actor_name"], visibility=r["visibility"], summary=r["summary"],
        data=json.loads(r["data"]), cursor=f"{r['occurred_us']}-{r['position']}",
    )


class SQLiteCasebook(CasebookQueries, SQLiteTrackingRecorder):
    def construct_create_table_statements(self) -> list[str]:
        return super().construct_create_table_statements() + list(TABLES)

    def apply(self, changes: Sequence[Change], tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as c:
            for name, params in changes:
                c.execute(STATEMENTS[name], params)
            self._insert_tracking(c, tracking)

    def _rows(self, sql: str, params: dict[str, Any]) -> list[Any]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(sql, params)
            return c.fetchall()


_NAMED = re.compile(r"(?<!:):([a-z_0-9]+)")


def _pg(sql: str) -> str:
    return _NAMED.sub(r"%(\1)s", sql)


class PostgresCasebook(CasebookQueries, PostgresTrackingRecorder):
    def __init__(self, datastore: Any, **kwargs: Any):
        super().__init__(datastore, **kwargs)
        self.sql_create_statements.extend(SQL(t) for t in TABLES)  # type: ignore[arg-type]

    def apply(self, changes: Sequence[Change], tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as curs:
            for name, params in changes:
                curs.execute(_pg(STATEMENTS[name]), params, prepare=True)
            self._insert_tracking(curs, tracking)

    def _rows(self, sql: str, params: dict[str, Any]) -> list[Any]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(_pg(sql), params)
            return curs.fetchall()
