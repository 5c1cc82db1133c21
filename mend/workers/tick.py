"""The tick: what falls due at a moment. The scheduler enqueues one a minute with the minute
as its argument; the tick notices new facts, queues the check-in reminders due at each
person's chosen local hour, raises the alerts time brings (two check-ins missed, a risk
turned high) and enqueues one delivery job per new message, with a job id made from the
message.

Everything it writes is keyed in PostgreSQL (a reminder by case, person and due period; an
alert by its cause), so two schedulers, or one tick run twice, send each reminder once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from mend.workers.alerting import alert_id_for
from mend.workers.context import current
from mend.workers.delivery import deliver, moment
from mend.workers.notices import US, Notices, follow
from mend.workers.outbox import add_many
from mend.workers.queue import job

#: The period a reminder belongs to: the latest due date (due, due + cadence, ...) passed.
_PERIOD = "(c.due_us + ((:now - c.due_us) / c.cadence_us) * c.cadence_us)"
_KEY = ("'reminder:' || c.case_id || ':' || c.account_id || ':' || CAST(" + _PERIOD
        + " AS TEXT)")


@dataclass
class Ticked:
    reminders: int = 0
    alerts: int = 0
    messages: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.reminders} reminders, {self.alerts} alerts, {len(self.messages)} messages"


def run_tick(mend: Any, now: datetime) -> Ticked:
    notices = Notices(mend)
    ticked = Ticked()
    ticked.messages += follow(mend, now, notices=notices)
    reminders = reminders_due(mend, notices, now)
    ticked.reminders = len(reminders)
    ticked.messages += reminders
    for raise_due in (missed_check_ins, risk_turned_high):
        raised = raise_due(mend, notices, now)
        ticked.alerts += raised[0]
        ticked.messages += raised[1]
    return ticked


@job
def tick(at: str = "") -> str:
    mend = current()
    now = moment(at)
    ticked = run_tick(mend, now)
    enqueue_deliveries(mend, ticked.messages, at)
    return str(ticked)


def enqueue_deliveries(mend: Any, message_ids: list[str], at: str = "") -> int:
    return mend.jobs.enqueue_many(
        deliver, [(f"mail-{message_id}", (message_id, at)) for message_id in message_ids])


def reminders_due(mend: Any, notices: Notices, now: datetime) -> list[str]:
    """Queue the reminder of every person whose check-in is due, at their hour, outside
    their quiet hours, unless they paused or stopped them; returns the new messages."""
    now_us = int(now.timestamp() * US)
    due = mend.ledger.rows(
        f"SELECT c.case_id, c.account_id, c.tenant_id, {_PERIOD} AS period_us"
        " FROM mend_check_in_clock c"
        f" LEFT JOIN mend_outbox o ON o.dedup_key = {_KEY}"
        " WHERE c.due_us <= :now AND o.message_id IS NULL", {"now": now_us})
    if not due:
        return []
    by_zone: dict[str, list[dict[str, Any]]] = {}
    for row in due:
        by_zone.setdefault(notices.practice(row["tenant_id"])[1], []).append(row)
    rows = []
    for zone, people in by_zone.items():
        settings = notices.preferences.reminders_of_many(
            sorted({row["account_id"] for row in people}), zone)
        for row in people:
            chosen = settings[row["account_id"]]
            if chosen.paused_at(now) or not _hour_has_come(chosen, row["period_us"], now):
                continue
            rows.append(notices.reminder(
                case_id=row["case_id"], tenant_id=row["tenant_id"],
                account_id=row["account_id"], period_us=row["period_us"], now_us=now_us,
                not_before_us=now_us))
    with mend.ledger.transaction() as cursor:
        add_many(cursor, rows)
    return [row["message_id"] for row in rows]


def _hour_has_come(settings: Any, period_us: int, now: datetime) -> bool:
    """The reminder goes at the person's hour on the day it falls due (the next day when
    that hour had passed already), or at the first tick after, never in quiet hours."""
    zone = settings.zone()
    start = datetime.fromtimestamp(period_us / US, zone)
    at_hour = start.replace(hour=settings.hour, minute=0, second=0, microsecond=0)
    if at_hour < start:
        at_hour = (at_hour + timedelta(days=1)).replace(hour=settings.hour)
    local = now.astimezone(zone)
    return local >= at_hour and not settings.is_quiet(local.hour)


def missed_check_ins(mend: Any, notices: Notices, now: datetime) -> tuple[int, list[str]]:
    """A reporting participant two cadences past their last check-in: alert the case's
    practitioners, once for each such streak."""
    now_us = int(now.timestamp() * US)
    late = mend.ledger.rows(
        "SELECT c.case_id, c.account_id, c.due_us FROM mend_check_in_clock c"
        " WHERE c.due_us + c.cadence_us <= :now", {"now": now_us})
    if not late:
        return 0, []
    known = {row["alert_id"] for row in mend.ledger.rows(
        "SELECT alert_id FROM mend_alerts WHERE kind = 'missed_check_ins'")}
    return _raise_each(mend, notices, now_us, [
        (row["case_id"], "missed_check_ins", f"{row['account_id']}:{row['due_us']}",
         row["account_id"]) for row in late], known)


def risk_turned_high(mend: Any, notices: Notices, now: datetime) -> tuple[int, list[str]]:
    """Compare each open case's risk with the last the tick saw; alert on a turn to high.
    A case seen for the first time is only noted: its risk did not turn, it was found."""
    p = mend.casebook.prefix()
    changed = mend.ledger.rows(
        f"SELECT c.case_id, c.risk, c.fresh_seq, s.risk AS seen FROM {p}cases c"
        " LEFT JOIN mend_risk_seen s ON s.case_id = c.case_id"
        " WHERE c.status = 'open' AND c.risk IS NOT NULL"
        " AND (s.risk IS NULL OR s.risk <> c.risk)")
    if not changed:
        return 0, []
    turned = [(row["case_id"], "risk_high", f"seq-{row['fresh_seq']}", None)
              for row in changed if row["risk"] == "high" and row["seen"] is not None]
    result = _raise_each(mend, notices, int(now.timestamp() * US), turned, set())
    mend.ledger.run([(
        "INSERT INTO mend_risk_seen VALUES (:case_id, :risk)"
        " ON CONFLICT (case_id) DO UPDATE SET risk = excluded.risk",
        {"case_id": row["case_id"], "risk": row["risk"]}) for row in changed])
    return result


def _raise_each(mend: Any, notices: Notices, now_us: int,
                causes: list[tuple[str, str, str, str | None]],
                known: set[str]) -> tuple[int, list[str]]:
    raised, messages = 0, []
    fresh = [c for c in causes if alert_id_for(c[0], c[1], c[2]) not in known]
    if not fresh:
        return 0, []
    with mend.ledger.transaction() as cursor:
        for case_id, kind, cause, person_id in fresh:
            case = notices.case(case_id)
            if case is None:
                continue
            alert = notices.alert(cursor, case, kind, cause, now_us, person_id)
            if alert is not None:
                raised += 1
                messages += alert.message_ids
    return raised, messages
