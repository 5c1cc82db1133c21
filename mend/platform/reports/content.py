"""What a report holds, read from the reader as the person who asked for it.

A case report holds the case's figures, its weekly series and the entries shared with its
clients, as staff see them: no staff note and nobody's private journal, so that any
practitioner who may read the case may read its report too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from uuid import UUID
from zoneinfo import ZoneInfo

from mend.domain.authorization import Actor
from mend.domain.tenancy import Tenant
from mend.projections.metrics import ApproachOutcome, CaseMetrics, WeekPoint
from mend.projections.queries import CaseRow, TimelineEntry
from mend.projections.reader import CaseDetail

#: How many entries, and caseload rows, one read takes.
PAGE = 500
#: As many weeks as the case page draws: half a year keeps the chart legible.
CHART_WEEKS = 26

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Heading:
    """Whose report it is and when it was made, in the practice's time zone."""

    practice: str
    made_for: str
    made_at: datetime
    tz: ZoneInfo


@dataclass(frozen=True)
class CaseReport:
    heading: Heading
    case: CaseDetail
    figures: CaseMetrics
    weeks: tuple[WeekPoint, ...]
    entries: tuple[TimelineEntry, ...]

    @property
    def check_ins(self) -> int:
        """Every check-in of the case, as the weekly table counts them."""
        return sum(week.check_ins for week in self.weeks)


@dataclass(frozen=True)
class OutcomeReport:
    heading: Heading
    rows: tuple[ApproachOutcome, ...]


@dataclass(frozen=True)
class CaseloadReport:
    heading: Heading
    rows: tuple[CaseRow, ...]


def heading(mend, actor: Actor) -> Heading:
    tenant = mend.store.peek(actor.tenant_id, Tenant)
    name = mend.casebook.names({str(actor.account_id)}).get(str(actor.account_id), "")
    return Heading(tenant.name, name, datetime.now(timezone.utc), ZoneInfo(tenant.time_zone))


def case_report(mend, actor: Actor, case_id: UUID, progress: Progress) -> CaseReport:
    """The case as this person may read it now; NotFound when they may not."""
    reader = mend.reader
    detail = reader.case(actor, case_id)
    progress(1)
    figures, weeks = reader.overview(actor, case_id)
    progress(2)
    entries: list[TimelineEntry] = []
    after = None
    while True:
        page = reader.timeline(actor, case_id, visibility="shared", after=after, limit=PAGE)
        entries += page.events
        if page.next is None:
            break
        after = page.next
    progress(3)
    return CaseReport(heading(mend, actor), detail, figures.metrics, weeks, tuple(entries))


def outcome_report(mend, actor: Actor, progress: Progress) -> OutcomeReport:
    rows = mend.reader.outcomes(actor)
    progress(1)
    return OutcomeReport(heading(mend, actor), tuple(rows))


def caseload_report(mend, actor: Actor, progress: Progress) -> CaseloadReport:
    """The caseload as the dashboard opens on it: a practitioner's own open cases, an
    overseer's every open case of the practice, those needing attention first."""
    reader = mend.reader
    practitioner = None if actor.oversees_tenant else actor.account_id
    rows: list[CaseRow] = []
    after = None
    while True:
        page = reader.caseload(actor, practitioner=practitioner, limit=PAGE, after=after)
        rows += page.cases
        progress(1)
        if page.next is None:
            break
        after = page.next
    return CaseloadReport(heading(mend, actor), tuple(rows))
