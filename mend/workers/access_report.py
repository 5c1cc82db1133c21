"""Reading the access log back: the owners' report (filtered, sorted, paged) and, for a
client, the reads of their case by the staff.

Names and case titles are not in the log; they come from the read models (the accounts and
the case directory) as they are when the report is read, joined as the alerts inbox and the
operations page join them, so a renamed person shows under their name of today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from mend.domain import authorization as authz
from mend.domain.authorization import Actor
from mend.projections.queries import from_us, to_us
from mend.workers.access_log import STAFF_ROLES, AccessLog

SORTS = ("at", "person", "case", "action", "kind")
#: What a client is shown of staff reads: the kinds that open a case's record.
CASE_READS = ("case", "timeline", "metrics", "export", "report")


@dataclass(frozen=True)
class AccessQuery:
    person: UUID | None = None
    case: UUID | None = None
    since: datetime | None = None
    until: datetime | None = None
    kinds: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    sort: str = "at"
    #: Newest first by time; Z to A by name or title.
    descending: bool = True
    limit: int = 50
    offset: int = 0


@dataclass(frozen=True)
class AccessLine:
    """One row of the log with its people and case named as they are now."""

    seq: int
    at: datetime
    actor_id: str
    actor_name: str
    actor_role: str
    case_id: str | None
    case_title: str | None
    subject_id: str | None
    subject_name: str | None
    kind: str
    action: str
    outcome: str
    address: str
    request_id: str


class AccessReport:
    def __init__(self, log: AccessLog):
        self.log = log

    def for_owner(self, me: Actor, query: AccessQuery) -> tuple[list[AccessLine], int]:
        """A page of the tenant's log and how many rows match in all (owners only)."""
        authz.require_owner(me, "read the access log")
        where, params = _where(str(me.tenant_id), query)
        order = _order(query)
        lines = self._lines(where, params, order, query.limit, query.offset)
        total = self.log.count(f"SELECT count(*) AS n FROM mend_access_log l WHERE {where}",
                               params)
        return lines, total

    def staff_reads(self, me: Actor, case_id: UUID, *, limit: int = 50,
                    offset: int = 0) -> list[AccessLine]:
        """Who on staff opened this case, newest first: never a client's read, the caller's
        own included. The caller must already be known to see the case (the reader)."""
        where, params = _where(str(me.tenant_id), AccessQuery(
            case=case_id, kinds=CASE_READS, actions=("view", "export", "print"),
            outcomes=("allowed",)))
        roles = ", ".join(f"'{role}'" for role in STAFF_ROLES)
        where += f" AND l.actor_role IN ({roles}) AND l.actor_id <> :me"
        params["me"] = str(me.account_id)
        return self._lines(where, params, "l.at_us DESC, l.seq DESC", limit, offset)

    def _lines(self, where: str, params: dict[str, Any], order: str, limit: int,
               offset: int) -> list[AccessLine]:
        p = self.log.casebook.prefix()
        rows = self.log.casebook._rows(
            "SELECT l.*, a.name AS actor_name, c.title AS case_title, s.name AS subject_name"
            f" FROM mend_access_log l LEFT JOIN {p}accounts a ON a.account_id = l.actor_id"
            f" LEFT JOIN {p}cases c ON c.case_id = l.case_id AND c.tenant_id = l.tenant_id"
            f" LEFT JOIN {p}accounts s ON s.account_id = l.subject_id"
            f" WHERE {where} ORDER BY {order} LIMIT :limit OFFSET :offset",
            {**params, "limit": limit, "offset": offset})
        return [AccessLine(
            seq=row["seq"], at=from_us(row["at_us"]), actor_id=row["actor_id"],
            actor_name=row["actor_name"] or "", actor_role=row["actor_role"],
            case_id=row["case_id"], case_title=row["case_title"],
            subject_id=row["subject_id"], subject_name=row["subject_name"],
            kind=row["kind"], action=row["action"], outcome=row["outcome"],
            address=row["address"], request_id=row["request_id"]) for row in rows]


def _where(tenant_id: str, query: AccessQuery) -> tuple[str, dict[str, Any]]:
    sql, params = "l.tenant_id = :tenant", {"tenant": tenant_id}
    if query.person is not None:
        sql += " AND l.actor_id = :person"
        params["person"] = str(query.person)
    if query.case is not None:
        sql += " AND l.case_id = :case"
        params["case"] = str(query.case)
    if query.since is not None:
        sql += " AND l.at_us >= :since"
        params["since"] = to_us(query.since)
    if query.until is not None:
        sql += " AND l.at_us < :until"
        params["until"] = to_us(query.until)
    for column, values in (("kind", query.kinds), ("action", query.actions),
                           ("outcome", query.outcomes)):
        if values:
            names = {f"{column}{i}": value for i, value in enumerate(values)}
            sql += f" AND l.{column} IN ({', '.join(':' + k for k in names)})"
            params.update(names)
    return sql, params


def _order(query: AccessQuery) -> str:
    direction = "DESC" if query.descending else "ASC"
    # By name or title: rows without one last, then each group newest first.
    first = {
        "at": f"l.at_us {direction}",
        "person": f"(a.name IS NULL), lower(a.name) {direction}",
        "case": f"(c.title IS NULL), lower(c.title) {direction}",
        "action": f"l.action {direction}",
        "kind": f"l.kind {direction}",
    }[query.sort if query.sort in SORTS else "at"]
    return f"{first}, l.at_us DESC, l.seq DESC" if query.sort != "at" else \
        f"{first}, l.seq {direction}"
