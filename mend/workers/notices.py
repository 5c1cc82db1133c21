"""The notices follower: reads the store's log and turns facts into alerts and messages.

It follows the log like a projection: each batch of events, the rows it causes (alerts, inbox
rows, outbox messages, the check-in clock) and its position are committed in one transaction,
so every fact is noticed exactly once, whatever dies when. It needs PostgreSQL only: while
Redis is away the messages wait in the outbox, and the sweeper queues them when it returns.

Facts recorded more than a day before they are read (an import, a first start on an old
store) keep the check-in clock right but alert no one: news that old is not news.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, Tracking

from mend.domain import vocabulary as v
from mend.domain.case import Case
from mend.domain.errors import NotFound
from mend.domain.store import event_id
from mend.domain.tenancy import Account, Tenant
from mend.workers import outbox
from mend.workers.alerting import Raised, raise_alert
from mend.workers.ledger import NOTICES
from mend.workers.preferences import Preferences

log = logging.getLogger(__name__)

BATCH = 500
NEWS_FOR = timedelta(days=1)
US = 1_000_000


def _us(moment: datetime) -> int:
    return int(moment.timestamp() * US)


class Notices:
    """What the follower and the tick share: names, links and the recipients of a case."""

    def __init__(self, mend: Any):
        self.mend = mend
        self.preferences = Preferences(mend.ledger)
        self._practices: dict[str, tuple[str, str]] = {}

    def practice(self, tenant_id: str) -> tuple[str, str]:
        """The practice's name and time zone."""
        if tenant_id not in self._practices:
            tenant = self.mend.store.peek(UUID(tenant_id), Tenant)
            self._practices[tenant_id] = (tenant.name, tenant.time_zone)
        return self._practices[tenant_id]

    def case_link(self, case_id: str) -> str:
        return f"{self.mend.settings.public_url}/cases/{case_id}"

    def portal_link(self, case_id: str) -> str:
        return f"{self.mend.settings.public_url}/portal/cases/{case_id}"

    def settings_link(self) -> str:
        return f"{self.mend.settings.public_url}/portal/reminders"

    def case(self, case_id: str) -> Case | None:
        try:
            return self.mend.store.peek(UUID(case_id), Case)
        except NotFound:
            return None

    def alert(self, cursor: Any, case: Case, kind: str, cause: str, now_us: int,
              person_id: str | None = None) -> Raised | None:
        tenant_id = str(case.tenant)
        raised = raise_alert(
            cursor, self.preferences, tenant_id=tenant_id, case_id=str(case.id), kind=kind,
            cause=cause, practitioners=list(case.practitioners),
            practice=self.practice(tenant_id)[0], case_link=self.case_link(str(case.id)),
            now_us=now_us, person_id=person_id)
        return raised

    def reminder(self, *, case_id: str, tenant_id: str, account_id: str, period_us: int,
                 now_us: int, not_before_us: int) -> dict[str, Any]:
        """An outbox row of a check-in reminder: who it is from, that it is due, a link."""
        practice = self.practice(tenant_id)[0]
        dedup_key = f"reminder:{case_id}:{account_id}:{period_us}"
        return {
            "message_id": outbox.message_id_for(dedup_key), "dedup_key": dedup_key,
            "tenant_id": tenant_id, "kind": "reminder.check_in", "recipient_id": account_id,
            "subject": f"{practice}: your check-in is due",
            "body": (f"Hello,\n\nyour check-in with {practice} is due. It takes a minute:\n"
                     f"{self.portal_link(case_id)}\n\nTo change when these reminders come,"
                     f" pause or stop them:\n{self.settings_link()}\n\n— {practice},"
                     " through Mend\n"),
            "next": max(now_us, not_before_us), "now": now_us,
        }

    def address_of(self, account_id: str) -> tuple[str, str] | None:
        """A person's name and email address, looked up when the message goes."""
        try:
            account = self.mend.store.peek(UUID(account_id), Account)
        except NotFound:
            return None
        if account.is_erased:
            return None  # nobody to write to any more
        return account.name, account.email


def follow(mend: Any, now: datetime, *, notices: Notices | None = None) -> list[str]:
    """Notice every fact recorded since the last call; returns the ids of messages queued."""
    notices = notices or Notices(mend)
    ledger, recorder = mend.ledger, mend.store.recorder
    queued: list[str] = []
    while True:
        position = ledger.position(NOTICES) or 0
        notifications = recorder.select_notifications(
            start=position, limit=BATCH, inclusive_of_start=False)
        if not notifications:
            return queued
        try:
            with ledger.transaction() as cursor:
                batch: list[str] = []
                for notification in notifications:
                    domain_event = mend.store.mapper.to_domain_event(notification)
                    batch += _notice(cursor, notices, domain_event, now)
                mend.casebook._insert_tracking(
                    cursor.cursor, Tracking(NOTICES, notifications[-1].id))
        except IntegrityError:
            continue  # another follower committed this batch first; go on from its position
        queued += batch


def _notice(cursor: Any, notices: Notices, event: Any, now: datetime) -> list[str]:
    if not isinstance(event, Case.Event):
        return []
    name = type(event).__name__
    case_id = str(event.originator_id)
    news = event.timestamp >= now - NEWS_FOR
    now_us = _us(now)
    if name == "ParticipantAdded":
        case = notices.case(case_id)
        if case is not None and case.status == "open":
            _start_clock(cursor, case, str(event.account_id), _us(event.occurred_at))
    elif name == "ParticipantRemoved":
        cursor.execute("DELETE FROM mend_check_in_clock WHERE case_id = :case_id"
                       " AND account_id = :account_id",
                       {"case_id": case_id, "account_id": str(event.account_id)})
    elif name == "CheckInRecorded":
        person = event.participant_id or event.actor_id
        if person is not None:
            cursor.execute(
                "UPDATE mend_check_in_clock SET due_us = :at + cadence_us"
                " WHERE case_id = :case_id AND account_id = :account_id"
                " AND due_us < :at + cadence_us",
                {"case_id": case_id, "account_id": str(person),
                 "at": _us(event.occurred_at)})
    elif name == "CaseClosed":
        cursor.execute("DELETE FROM mend_check_in_clock WHERE case_id = :case_id",
                       {"case_id": case_id})
    elif name == "CaseReopened":
        case = notices.case(case_id)
        if case is not None:
            for account_id in case.participants:
                _start_clock(cursor, case, account_id, _us(event.occurred_at))
    elif not news:
        return []
    elif name == "RedFlagRaised" and event.code in v.SAFETY_RED_FLAGS:
        case = notices.case(case_id)
        if case is not None:
            raised = notices.alert(cursor, case, "safety_flag", str(event.flag_id), now_us)
            return raised.message_ids if raised else []
    elif name == "QuestionnaireAnswered" and event.safety:
        # A safety item answered past its limit (PHQ-9 item 9): the same alert as a safety
        # red flag, to every practitioner on the case, whoever entered the answers.
        case = notices.case(case_id)
        if case is not None:
            cause = str(event_id(event.originator_id, event.originator_version))
            raised = notices.alert(cursor, case, "safety_flag", cause, now_us,
                                   person_id=str(event.participant_id))
            return raised.message_ids if raised else []
    elif name == "BoundaryCrossed":
        case = notices.case(case_id)
        if case is not None:
            cause = str(event_id(event.originator_id, event.originator_version))
            raised = notices.alert(cursor, case, "boundary_crossed", cause, now_us)
            return raised.message_ids if raised else []
    elif name == "CheckInReminderSent":
        return _remind_now(cursor, notices, case_id, event, now)
    return []


def _start_clock(cursor: Any, case: Case, account_id: str, since_us: int) -> None:
    cadence_us = case.cadence_days * 86_400 * US
    cursor.execute(
        "INSERT INTO mend_check_in_clock VALUES (:case_id, :account_id, :tenant_id,"
        " :cadence_us, :due_us) ON CONFLICT (case_id, account_id) DO UPDATE"
        " SET due_us = excluded.due_us",
        {"case_id": str(case.id), "account_id": account_id, "tenant_id": str(case.tenant),
         "cadence_us": cadence_us, "due_us": since_us + cadence_us})


def _remind_now(cursor: Any, notices: Notices, case_id: str, event: Any,
                now: datetime) -> list[str]:
    """A practitioner pressed "Send reminder": every reporting participant who has not
    paused or stopped reminders gets one, outside their quiet hours."""
    case = notices.case(case_id)
    if case is None:
        return []
    tenant_id = str(case.tenant)
    zone = notices.practice(tenant_id)[1]
    people = list(case.participants)
    settings = notices.preferences.reminders_of_many(people, zone, cursor)
    rows = []
    for account_id in people:
        chosen = settings[account_id]
        if chosen.paused_at(now):
            continue
        rows.append(notices.reminder(
            case_id=case_id, tenant_id=tenant_id, account_id=account_id,
            period_us=_us(event.due_at), now_us=_us(now),
            not_before_us=_us(end_of_quiet(chosen, now))))
    outbox.add_many(cursor, rows)
    return [row["message_id"] for row in rows]


def end_of_quiet(settings: Any, moment: datetime) -> datetime:
    """The moment itself, or the first whole hour after it that is not in quiet hours."""
    local = moment.astimezone(settings.zone())
    for _ in range(25):
        if not settings.is_quiet(local.hour):
            return local
        local = (local + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    return local
