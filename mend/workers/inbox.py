"""The alerts inbox: the alerts that reached a member, open first, and acknowledging and
resolving them.

A member's inbox holds the alerts put there for them (mend_alert_recipients) on cases they
may still see; supervisors and owners may also look at every alert of the practice. Acting
on an alert is for staff who may see its case. Another practice's alert does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from mend.domain import authorization as authz
from mend.domain.authorization import Actor
from mend.domain.casework import Casework
from mend.domain.errors import NotFound
from mend.projections.queries import from_us
from mend.workers.ledger import Ledger, now_us

#: Which alerts a list holds, by what became of them.
SHOWN = {"unresolved": ("open", "acknowledged"), "resolved": ("resolved",)}
#: Whose alerts: the member's own inbox, or (supervisors and owners) the whole practice's.
SCOPES = ("mine", "practice")


@dataclass(frozen=True)
class Alert:
    id: str
    kind: str
    state: str
    case_id: str
    case_title: str
    person_id: str | None
    person_name: str
    raised_at: datetime
    acknowledged_by_id: str | None = None
    acknowledged_by: str = ""
    acknowledged_at: datetime | None = None
    resolved_by_id: str | None = None
    resolved_by: str = ""
    resolved_at: datetime | None = None


def _alert(row: dict[str, Any]) -> Alert:
    def at(column: str) -> datetime | None:
        return from_us(row[column]) if row[column] is not None else None

    return Alert(
        id=row["alert_id"], kind=row["kind"], state=row["state"], case_id=row["case_id"],
        case_title=row["title"], person_id=row["person_id"],
        person_name=row["person_name"] or "", raised_at=from_us(row["raised_us"]),
        acknowledged_by_id=row["acknowledged_by"], acknowledged_by=row["ack_name"] or "",
        acknowledged_at=at("acknowledged_us"), resolved_by_id=row["resolved_by"],
        resolved_by=row["res_name"] or "", resolved_at=at("resolved_us"))


class Inbox:
    def __init__(self, ledger: Ledger, casework: Casework):
        self.ledger, self.casework = ledger, casework

    # ------------------------------------------------------------------ reading
    def alerts(self, viewer: Actor, *, scope: str = "mine", shown: str = "unresolved",
               limit: int = 100) -> list[Alert]:
        """Open first, then acknowledged (or the resolved ones), newest first."""
        sql, params = self._selected(viewer, scope, SHOWN[shown])
        sql += (" ORDER BY CASE a.state WHEN 'open' THEN 0 WHEN 'acknowledged' THEN 1"
                " ELSE 2 END, a.raised_us DESC, a.alert_id LIMIT :limit")
        return [_alert(row) for row in self.ledger.rows(sql, {**params, "limit": limit})]

    def open_count(self, viewer: Actor) -> int:
        """How many alerts in the member's own inbox nobody has acknowledged yet."""
        if not viewer.is_staff:
            return 0
        sql, params = self._selected(viewer, "mine", ("open",))
        rows = self.ledger.rows(f"SELECT COUNT(*) AS n FROM ({sql}) AS waiting", params)
        return int(rows[0]["n"])

    def alert(self, viewer: Actor, alert_id: UUID | str) -> Alert:
        """One alert of the practice on a case the viewer may see, whoever's inbox it is in."""
        sql, params = self._selected(viewer, "practice", tuple(s for v in SHOWN.values()
                                                               for s in v), check=False)
        rows = self.ledger.rows(sql + " AND a.alert_id = :alert_id",
                                {**params, "alert_id": str(alert_id)})
        if not rows:
            raise NotFound(f"No alert {alert_id}.")
        return _alert(rows[0])

    def _selected(self, viewer: Actor, scope: str, states: tuple[str, ...],
                  check: bool = True) -> tuple[str, dict[str, Any]]:
        """The SELECT of the alerts a viewer may list, and its parameters."""
        authz.require_staff(viewer, "read alerts")
        if scope == "practice" and check:
            authz.require_overseer(viewer, "see every alert of the practice")
        casebook = self.ledger.casebook
        p = casebook.prefix()
        marks = ", ".join(f":s{i}" for i in range(len(states)))
        params: dict[str, Any] = {"tenant": str(viewer.tenant_id),
                                  "viewer": str(viewer.account_id),
                                  **{f"s{i}": state for i, state in enumerate(states)}}
        sql = (
            "SELECT a.*, c.title, pa.name AS person_name, ka.name AS ack_name,"
            f" ra.name AS res_name FROM mend_alerts a JOIN {p}cases c ON c.case_id = a.case_id"
            f" LEFT JOIN {p}accounts pa ON pa.account_id = a.person_id"
            f" LEFT JOIN {p}accounts ka ON ka.account_id = a.acknowledged_by"
            f" LEFT JOIN {p}accounts ra ON ra.account_id = a.resolved_by"
            f" WHERE a.tenant_id = :tenant AND c.tenant_id = :tenant AND a.state IN ({marks})")
        if scope == "mine":
            sql += (" AND a.alert_id IN (SELECT alert_id FROM mend_alert_recipients"
                    " WHERE account_id = :viewer)")
        # The casebook's own rule of who sees which case: a practitioner taken off a case
        # no longer sees its alerts, even those already in their inbox.
        sql += casebook._visible_cases(viewer, p)
        return sql, params

    # ------------------------------------------------------------------ acting
    def acknowledge(self, viewer: Actor, alert_id: UUID | str,
                    at_us: int | None = None) -> tuple[Alert, bool]:
        """Open → acknowledged, by the viewer; the alert, and whether this changed it (an
        alert a colleague acknowledged or resolved first is left as it is)."""
        return self._move(viewer, alert_id, "acknowledge alerts", (
            "UPDATE mend_alerts SET state = 'acknowledged', acknowledged_by = :who,"
            " acknowledged_us = :now WHERE alert_id = :alert_id AND tenant_id = :tenant"
            " AND state = 'open'"), at_us)

    def resolve(self, viewer: Actor, alert_id: UUID | str,
                at_us: int | None = None) -> tuple[Alert, bool]:
        """Open or acknowledged → resolved; resolving an open alert acknowledges it too."""
        return self._move(viewer, alert_id, "resolve alerts", (
            "UPDATE mend_alerts SET state = 'resolved', resolved_by = :who, resolved_us = :now,"
            " acknowledged_by = COALESCE(acknowledged_by, :who),"
            " acknowledged_us = COALESCE(acknowledged_us, :now)"
            " WHERE alert_id = :alert_id AND tenant_id = :tenant AND state <> 'resolved'"),
            at_us)

    def _move(self, viewer: Actor, alert_id: UUID | str, action: str, sql: str,
              at_us: int | None) -> tuple[Alert, bool]:
        # Staff first: a client is refused the same way whatever id they send.
        authz.require_staff(viewer, action)
        found = self.alert(viewer, alert_id)
        # The case as the record has it now, not as the views last saw it.
        self.casework.authorize_staff_action(viewer, UUID(found.case_id), action)
        with self.ledger.transaction() as cursor:
            changed = cursor.execute(sql, {
                "who": str(viewer.account_id), "now": at_us or now_us(),
                "alert_id": found.id, "tenant": str(viewer.tenant_id)})
        return self.alert(viewer, alert_id), bool(changed)
