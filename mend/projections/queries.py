"""Read queries over the casebook. Every query takes the viewer: its tenant and its eyes.

There is no query that can return another tenant's rows: the tenant is a required part of
every WHERE clause, and which cases and events come back depends on the viewer's role.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from typing import Any
from uuid import UUID

from mend.domain.authorization import Actor
from mend.projections.summaries import headline, subject_ids


def to_us(moment: datetime) -> int:
    """Microseconds since the epoch (naive times are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1_000_000)


def from_us(micros: int) -> datetime:
    return datetime.fromtimestamp(micros / 1_000_000, tz=timezone.utc)


@dataclass(frozen=True)
class Named:
    """Someone as a record shows them: their account id and their name as it is now."""

    id: str | None
    name: str | None


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
    #: Held back from the portal: only staff and the entry's author see it meanwhile.
    held: bool = False
    #: When a held entry shows by itself; None while held until released.
    held_until: datetime | None = None

    @property
    def actor(self) -> Named:
        return Named(self.actor_id, self.actor_name)


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
    risk: str | None
    trust_score: float | None
    next_checkin_due: datetime | None
    closed_approach: str | None
    months_to_change: float | None
    #: The assigned practitioners, by name; filled in for caseloads only.
    practitioners: tuple[Named, ...] = ()
    #: Why the risk is what it is (the metrics' reasons), and how the trust score moved
    #: over the last 28 days; staff figures.
    risk_reasons: tuple[str, ...] = ()
    trust_change: float | None = None
    #: The position of the latest event projected for the case: its facts are the same
    #: for as long as this is.
    touched_seq: int = 0


@dataclass(frozen=True)
class ActivityEntry:
    position: int
    recorded_at: datetime
    occurred_at: datetime | None
    actor_id: str | None
    actor_name: str | None
    type: str
    case_id: str | None
    summary: str

    @property
    def actor(self) -> Named:
        return Named(self.actor_id, self.actor_name)


@dataclass(frozen=True)
class CaseRecord:
    """One stored case event as the metrics read it: its name, times and fields."""

    position: int
    type: str
    occurred_at: datetime
    recorded_at: datetime
    actor_id: str | None
    data: dict[str, Any]


def _case_row(r: Any) -> CaseRow:
    due = r["next_checkin_due_us"]
    return CaseRow(
        id=r["case_id"], title=r["title"], kind=r["kind"], approach=r["approach"],
        stage=r["stage"], status=r["status"], outcome=r["outcome"],
        opened_at=from_us(r["opened_us"]), last_activity_at=from_us(r["last_activity_us"]),
        risk=r["risk"], trust_score=r["trust_score"],
        next_checkin_due=from_us(due) if due is not None else None,
        closed_approach=r["closed_approach"], months_to_change=r["months_to_change"],
        risk_reasons=tuple(json.loads(r["risk_reasons"] or "[]")),
        trust_change=r["trust_change"], touched_seq=r["touched_seq"],
    )


class CasebookQueries:
    def _rows(self, sql: str, params: dict[str, Any]) -> list[Any]:
        raise NotImplementedError

    def prefix(self) -> str:
        raise NotImplementedError

    def _visible_cases(self, viewer: Actor, p: str) -> str:
        if viewer.role in ("owner", "supervisor"):
            return ""
        part = "practitioner" if viewer.role == "practitioner" else "participant"
        return (f" AND c.case_id IN (SELECT case_id FROM {p}case_people"
                f" WHERE account_id = :viewer AND part = '{part}')")

    def cases(
        self,
        viewer: Actor,
        *,
        limit: int = 100,
        after: str | None = None,
        practitioner: UUID | None = None,
        filters: dict[str, str] | None = None,
    ) -> list[CaseRow]:
        """The cases this viewer may see, by id; a caseload when filtered by practitioner.

        ``filters`` narrows by kind, stage, risk or status (exact values).
        """
        p = self.prefix()
        params: dict[str, Any] = {"limit": limit}
        sql = self._selected_cases(viewer, p, params, practitioner, filters)
        if after:
            sql += " AND c.case_id > :after"
            params["after"] = after
        sql += " ORDER BY c.case_id LIMIT :limit"
        return [_case_row(r) for r in self._rows(sql, params)]

    def _selected_cases(self, viewer: Actor, p: str, params: dict[str, Any],
                        practitioner: UUID | None, filters: dict[str, str] | None) -> str:
        """SELECT of the cases this viewer may see, narrowed to one practitioner's and by
        exact kind, stage, risk or status; fills ``params`` with what it binds."""
        params.update(tenant=str(viewer.tenant_id), viewer=str(viewer.account_id))
        sql = f"SELECT c.* FROM {p}cases c WHERE c.tenant_id = :tenant"
        sql += self._visible_cases(viewer, p)
        if practitioner is not None:
            sql += (f" AND c.case_id IN (SELECT case_id FROM {p}case_people"
                    " WHERE account_id = :practitioner AND part = 'practitioner')")
            params["practitioner"] = str(practitioner)
        for column, value in (filters or {}).items():
            if column in ("kind", "stage", "risk", "status") and value:
                sql += f" AND c.{column} = :f_{column}"
                params[f"f_{column}"] = value
            elif column == "title" and value:
                # Words of the title, in any case; the user's % and _ are letters, not patterns.
                escaped = value.lower().replace("\\", "\\\\")
                escaped = escaped.replace("%", "\\%").replace("_", "\\_")
                sql += " AND lower(c.title) LIKE :f_title ESCAPE '\\'"
                params["f_title"] = f"%{escaped}%"
        return sql

    def caseload_counts(self, viewer: Actor, *, now: datetime,
                        practitioner: UUID | None = None) -> dict[str, int]:
        """How many of the viewer's open cases are at high risk, and how many overdue."""
        p = self.prefix()
        params: dict[str, Any] = {"now": to_us(now)}
        inner = self._selected_cases(viewer, p, params, practitioner, {"status": "open"})
        rows = self._rows(
            "SELECT COUNT(*) AS open,"
            " COALESCE(SUM(CASE WHEN risk = 'high' THEN 1 ELSE 0 END), 0) AS high,"
            " COALESCE(SUM(CASE WHEN next_checkin_due_us < :now THEN 1 ELSE 0 END), 0)"
            f" AS overdue FROM ({inner}) AS selected", params)
        return {k: int(rows[0][k]) for k in ("open", "high", "overdue")}

    def visible_case(self, viewer: Actor, case_id: UUID) -> CaseRow | None:
        """The case when this viewer may see it: the tenant's, and for a practitioner one
        they are assigned to, for a client one they take part in; else None."""
        p = self.prefix()
        sql = f"SELECT c.* FROM {p}cases c WHERE c.tenant_id = :tenant AND c.case_id = :case"
        sql += self._visible_cases(viewer, p)
        rows = self._rows(sql, {"tenant": str(viewer.tenant_id), "case": str(case_id),
                                "viewer": str(viewer.account_id)})
        return _case_row(rows[0]) if rows else None

    def cases_of_person(self, tenant_id: UUID, account_id: UUID) -> list[UUID]:
        """Every case of the tenant a person is on, as a participant or a practitioner."""
        p = self.prefix()
        rows = self._rows(
            f"SELECT DISTINCT c.case_id FROM {p}cases c JOIN {p}case_people cp"
            " ON cp.case_id = c.case_id WHERE c.tenant_id = :tenant"
            " AND cp.account_id = :person ORDER BY c.case_id",
            {"tenant": str(tenant_id), "person": str(account_id)})
        return [UUID(str(r["case_id"])) for r in rows]

    def caseload(
        self,
        viewer: Actor,
        *,
        now: datetime,
        limit: int = 50,
        offset: int = 0,
        practitioner: UUID | None = None,
        filters: dict[str, str] | None = None,
    ) -> list[CaseRow]:
        """The viewer's cases in the order they need attention: high risk first, then an
        overdue check-in, then the most recent activity; with their practitioners' names.
        Closed cases only when ``filters`` asks for them by status."""
        filters = {"status": "open", **{k: v for k, v in (filters or {}).items() if v}}
        p = self.prefix()
        params: dict[str, Any] = {"now": to_us(now), "limit": limit, "offset": offset}
        sql = self._selected_cases(viewer, p, params, practitioner, filters)
        sql += (" ORDER BY CASE c.risk WHEN 'high' THEN 0 WHEN 'medium' THEN 1"
                " WHEN 'low' THEN 2 ELSE 3 END,"
                " CASE WHEN c.next_checkin_due_us < :now THEN 0 ELSE 1 END,"
                " c.last_activity_us DESC, c.case_id LIMIT :limit OFFSET :offset")
        rows = [_case_row(r) for r in self._rows(sql, params)]
        if not rows:
            return rows
        ids = {f"c{i}": row.id for i, row in enumerate(rows)}
        named: dict[str, list[Named]] = {}
        for r in self._rows(
            f"SELECT cp.case_id, cp.account_id, a.name FROM {p}case_people cp"
            f" LEFT JOIN {p}accounts a ON a.account_id = cp.account_id"
            f" WHERE cp.part = 'practitioner' AND cp.case_id IN ({', '.join(':' + k for k in ids)})"
            " ORDER BY a.name", ids,
        ):
            named.setdefault(r["case_id"], []).append(Named(r["account_id"], r["name"] or ""))
        return [replace(row, practitioners=tuple(named.get(row.id, ()))) for row in rows]

    def closed_cases(self, viewer: Actor) -> list[CaseRow]:
        """Every closed case of the viewer's tenant, for outcome analytics (overseers)."""
        p = self.prefix()
        rows = self._rows(
            f"SELECT c.* FROM {p}cases c WHERE c.tenant_id = :tenant AND c.status = 'closed'",
            {"tenant": str(viewer.tenant_id)},
        )
        return [_case_row(r) for r in rows]

    def timeline(
        self,
        viewer: Actor,
        case_id: UUID,
        *,
        as_of: datetime | None = None,
        known_at: datetime | None = None,
        types: Sequence[str] = (),
        after: str | None = None,
        limit: int = 100,
        visibility: str | None = None,
        person: UUID | None = None,
        newest_first: bool = False,
    ) -> list[TimelineEntry]:
        """A case's events in occurred_at order as this viewer may read them.

        ``as_of`` keeps what had happened by then; ``known_at`` keeps what the record held
        then. ``visibility`` keeps one kind of entry (of those the viewer may read); ``person``
        the entries they recorded or that name them. ``after`` is the cursor of the last
        entry of the previous page; ``newest_first`` pages from the latest entry backwards.
        The caller must already know the viewer may see the case (the reader asks first).
        """
        p = self.prefix()
        params: dict[str, Any] = {
            "tenant": str(viewer.tenant_id), "case": str(case_id),
            "viewer": str(viewer.account_id), "limit": limit,
            "now": to_us(datetime.now(timezone.utc)),
        }
        # A hold whose release time has passed holds nothing: the entry shows by itself.
        sql = (
            f"SELECT t.*, a.name AS actor_name, h.event_id AS held_id,"
            f" h.until_us AS held_until_us FROM {p}timeline t"
            f" LEFT JOIN {p}accounts a ON a.account_id = t.actor_id"
            f" LEFT JOIN {p}holds h ON h.event_id = t.event_id"
            " AND (h.until_us IS NULL OR h.until_us > :now)"
            " WHERE t.tenant_id = :tenant AND t.case_id = :case"
        )
        if viewer.is_staff:
            sql += " AND (t.visibility != 'private' OR t.actor_id = :viewer)"
        else:
            sql += (" AND ((t.visibility = 'shared' AND h.event_id IS NULL)"
                    " OR (t.visibility IN ('shared', 'private') AND t.actor_id = :viewer))")
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
        if visibility:
            sql += " AND t.visibility = :visibility"
            params["visibility"] = visibility
        if person is not None:
            # An account id appears in the data only where the entry names that person.
            sql += " AND (t.actor_id = :person OR t.data LIKE :person_in_data)"
            params.update(person=str(person), person_in_data=f'%"{person}"%')
        if after:
            occurred_us, position = (int(part) for part in after.split("-", 1))
            # A row comparison, which the index on (tenant, case, occurred_us, position)
            # answers as a range: a page deep in a long timeline costs what the first does.
            sql += (" AND (t.occurred_us, t.position) "
                    f"{'<' if newest_first else '>'} (:after_us, :after_pos)")
            params.update(after_us=occurred_us, after_pos=position)
        order = " DESC" if newest_first else ""
        sql += f" ORDER BY t.occurred_us{order}, t.position{order} LIMIT :limit"
        rows = [(r, json.loads(r["data"])) for r in self._rows(sql, params)]
        names = self.names(set().union(*(subject_ids(data) for _, data in rows)))
        entries = []
        for r, data in rows:
            if r["type"] == "case_opened":
                data.pop("tenant", None)  # the viewer's own tenant: an id of no use to anyone
            if r["type"] == "trust_pulse_recorded":
                # A pulse is shown as its count and, when published, its mean: never as the
                # list of what each person answered.
                data.pop("scores", None)
            entries.append(TimelineEntry(
                id=r["event_id"], type=r["type"], occurred_at=from_us(r["occurred_us"]),
                recorded_at=from_us(r["recorded_us"]), actor_id=r["actor_id"],
                actor_name=r["actor_name"], visibility=r["visibility"],
                summary=headline(r["type"], data, names, r["summary"]),
                data=data, cursor=f"{r['occurred_us']}-{r['position']}",
                held=r["held_id"] is not None,
                held_until=from_us(r["held_until_us"]) if r["held_until_us"] else None,
            ))
        return entries

    def pulse_marks(self, tenant_id: UUID, case_id: UUID) -> list[dict[str, Any]]:
        """The case's pulses as opened and the marks of who answered, oldest first, every
        visibility: the reader turns them into counts and never passes the names on."""
        rows = self._rows(
            f"SELECT type, occurred_us, actor_id, data FROM {self.prefix()}timeline"
            " WHERE tenant_id = :tenant AND case_id = :case"
            " AND type IN ('pulse_opened', 'pulse_answered', 'pulse_closed') ORDER BY position",
            {"tenant": str(tenant_id), "case": str(case_id)})
        return [{"type": r["type"], "occurred_at": from_us(r["occurred_us"]),
                 "data": json.loads(r["data"])} for r in rows]

    def pulse_tally(self, tenant_id: UUID, box_id: UUID) -> dict[int, int]:
        """How many answers of each score a pulse's ballot box holds."""
        rows = self._rows(f"SELECT score, answers FROM {self.prefix()}pulse_tally"
                          " WHERE tenant_id = :tenant AND box_id = :box",
                          {"tenant": str(tenant_id), "box": str(box_id)})
        return {int(r["score"]): int(r["answers"]) for r in rows}

    def names(self, account_ids: set[str]) -> dict[str, str]:
        """Accounts' names as they are now (a rename shows on every entry after it)."""
        if not account_ids:
            return {}
        ids = {f"id{i}": account_id for i, account_id in enumerate(sorted(account_ids))}
        rows = self._rows(
            f"SELECT account_id, name FROM {self.prefix()}accounts"
            f" WHERE account_id IN ({', '.join(':' + k for k in ids)})", ids)
        return {r["account_id"]: r["name"] for r in rows}

    def case_records(self, tenant_id: UUID, case_id: UUID,
                     generation_prefix: str | None = None) -> list[CaseRecord]:
        """Every event of one case in recording order, all visibilities: the metrics' input.

        Metrics are figures, not text: they are computed over every event of the case, and
        only the figures are shown to clients. ``generation_prefix`` reads a generation other
        than the served one (a rebuild computes the stored figures of the one it fills).
        """
        p = generation_prefix or self.prefix()
        rows = self._rows(
            f"SELECT position, type, occurred_us, recorded_us, actor_id, data FROM {p}timeline"
            " WHERE tenant_id = :tenant AND case_id = :case ORDER BY position",
            {"tenant": str(tenant_id), "case": str(case_id)},
        )
        return [
            CaseRecord(r["position"], r["type"], from_us(r["occurred_us"]),
                       from_us(r["recorded_us"]), r["actor_id"], json.loads(r["data"]))
            for r in rows
        ]

    def activity(self, viewer: Actor, *, before: int | None = None, limit: int = 100,
                 actor_id: UUID | None = None, types: Sequence[str] = (),
                 since: datetime | None = None,
                 until: datetime | None = None) -> list[ActivityEntry]:
        """The tenant's activity, newest first: who did what, when, to which case; narrowed
        to one person, to some types, and to what was recorded in [since, until)."""
        p = self.prefix()
        params: dict[str, Any] = {"tenant": str(viewer.tenant_id), "limit": limit}
        sql = (f"SELECT v.*, a.name AS actor_name FROM {p}activity v"
               f" LEFT JOIN {p}accounts a ON a.account_id = v.actor_id"
               " WHERE v.tenant_id = :tenant")
        if before is not None:
            sql += " AND v.position < :before"
            params["before"] = before
        if actor_id is not None:
            sql += " AND v.actor_id = :actor"
            params["actor"] = str(actor_id)
        if types:
            names = {f"t{i}": kind for i, kind in enumerate(types)}
            sql += f" AND v.type IN ({', '.join(':' + k for k in names)})"
            params.update(names)
        if since is not None:
            sql += " AND v.recorded_us >= :since"
            params["since"] = to_us(since)
        if until is not None:
            sql += " AND v.recorded_us < :until"
            params["until"] = to_us(until)
        sql += " ORDER BY v.position DESC LIMIT :limit"
        return [
            ActivityEntry(
                position=r["position"], recorded_at=from_us(r["recorded_us"]),
                occurred_at=from_us(r["occurred_us"]) if r["occurred_us"] is not None else None,
                actor_id=r["actor_id"], actor_name=r["actor_name"], type=r["type"],
                case_id=r["case_id"], summary=r["summary"],
            )
            for r in self._rows(sql, params)
        ]

    def figures_fresh(self, case_id: UUID) -> bool:
        """Whether the case's stored figures have seen every event of it projected so far
        (True for an id that is not a case)."""
        rows = self._rows(f"SELECT fresh_seq >= touched_seq AS fresh FROM {self.prefix()}cases"
                          " WHERE case_id = :case_id", {"case_id": str(case_id)})
        return not rows or bool(rows[0]["fresh"])

    def stale_cases(self, generation_prefix: str, day: str | None, limit: int) -> list[Any]:
        """Cases whose stored metrics predate their latest event or, given a day, that day."""
        moved_on = " OR (status = 'open' AND metrics_day < :day)" if day else ""
        return self._rows(
            f"SELECT case_id, tenant_id, touched_seq FROM {generation_prefix}cases"
            f" WHERE fresh_seq < touched_seq{moved_on} ORDER BY case_id LIMIT :limit",
            {"day": day, "limit": limit},
        )
