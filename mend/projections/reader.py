"""The one read service under the API and the pages: who may read what is decided here.

Every method takes the acting person, answers NotFound for a case they may not see (another
tenant's, or one they are not on) and Forbidden for a read their role may not make, and
returns frozen dataclasses already shaped for them: a client never receives a staff figure
(risk, its reasons, red-flag codes) and never a staff-only or another person's private event.

Who may see a case is read from the view (the case directory and its people), which every
command waits for before it answers, so an unassignment or a removal holds from the next
request on without a read of the event store. Only the case's own details (its cadence and
exact next check-in) come from the aggregate.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from uuid import UUID

from mend.domain import authorization as authz
from mend.domain.authorization import Actor
from mend.domain.ballots import BallotBox
from mend.domain.case import Case
from mend.domain.casework import Casework
from mend.domain.errors import Forbidden, InvalidValue, NotFound
from mend.projections.case_facts import CaseFacts
from mend.projections.case_metrics import facts_of_case
from mend.projections.casebook import Casebook
from mend.projections.metrics import (
    ApproachOutcome,
    CaseMetrics,
    OutcomeSummary,
    PulsePoint,
    WeekPoint,
    WorkplaceProgress,
    aggregate_outcomes,
    compute_metrics,
    weekly_series,
    workplace_progress,
)
from mend.projections.pulses import PulseView, pulse_views
from mend.projections.queries import ActivityEntry, CaseRow, Named, TimelineEntry
from mend.projections.standing import STANDING_TYPES, CaseStanding, standing_of

#: The largest page of a timeline an export reads at once.
EXPORT_PAGE = 500


@dataclass(frozen=True)
class Participant:
    account_id: UUID
    relation: str
    name: str = ""


@dataclass(frozen=True)
class CaseDetail:
    id: UUID
    title: str
    kind: str
    approach: str
    stage: str
    status: str
    outcome: str | None
    opened_at: datetime
    checkin_cadence_days: int
    participants: tuple[Participant, ...]
    practitioners: tuple[UUID, ...]
    next_checkin_due: datetime | None
    #: The assigned practitioners with their names, as they are now.
    practitioner_people: tuple[Named, ...] = ()


@dataclass(frozen=True)
class TimelinePage:
    case_id: UUID
    events: tuple[TimelineEntry, ...]
    next: str | None


@dataclass(frozen=True)
class CaseFigures:
    case_id: UUID
    metrics: CaseMetrics


@dataclass(frozen=True)
class CaseloadPage:
    cases: tuple[CaseRow, ...]
    next: str | None


@dataclass(frozen=True)
class CaseExport:
    exported_at: datetime
    exported_by: UUID
    case: CaseDetail
    figures: CaseFigures
    events: tuple[TimelineEntry, ...]


def _detail(case: Case, names: dict[str, str] | None = None) -> CaseDetail:
    names = names or {}
    return CaseDetail(
        id=case.id, title=case.title, kind=case.kind, approach=case.approach,
        stage=case.stage, status=case.status, outcome=case.outcome,
        opened_at=case.opened_at, checkin_cadence_days=case.cadence_days,
        participants=tuple(Participant(UUID(a), r, names.get(a, ""))
                           for a, r in case.participants.items()),
        practitioners=tuple(UUID(p) for p in case.practitioners),
        next_checkin_due=case.next_check_in_due() if case.is_open else None,
        practitioner_people=tuple(Named(p, names.get(p, "")) for p in case.practitioners),
    )


#: How many cases' facts a process keeps folded (a long case's are a few hundred KB).
FACTS_CACHE_SIZE = 256


def _masked_metrics(actor: Actor, metrics: CaseMetrics) -> CaseMetrics:
    """A client's figures carry no risk, no reasons for it and no red-flag codes."""
    if actor.is_staff:
        return metrics
    return replace(metrics, risk=None, risk_reasons=[], open_red_flags=[])


def _masked_weeks(actor: Actor, weeks: Sequence[WeekPoint]) -> tuple[WeekPoint, ...]:
    return tuple(weeks if actor.is_staff else (replace(week, risk=None) for week in weeks))


#: Told of every decision on reading one case, as it is made: (the person, the case, the kind
#: of data: case, timeline, metrics or export, and "allowed", "denied" or "not_found"). The
#: platform writes the access log from it; a read allowed is told before its data is read.
Witness = Callable[[Actor, UUID, str, str], None]


class Reader:
    def __init__(self, casework: Casework, casebook: Casebook):
        self.casework = casework
        self.casebook = casebook
        # A case's facts, folded from its stored rows, by (generation, case, the position of
        # its latest projected event): a new event or a rebuild makes a new key, so an entry
        # is never stale, only unused. The metrics read facts and never change them.
        self._facts_cache: OrderedDict[tuple[str, UUID, int], CaseFacts] = OrderedDict()
        self._facts_lock = threading.Lock()
        self.witness: Witness | None = None

    # ------------------------------------------------------------------ one case
    def _visible(self, actor: Actor, case_id: UUID, kind: str) -> CaseRow:
        row = self.casebook.visible_case(actor, case_id)
        if row is None:
            self._refused(actor, case_id, kind)
            raise NotFound(f"No case {case_id}.")
        if self.witness:
            self.witness(actor, case_id, kind, "allowed")
        return row

    def _refused(self, actor: Actor, case_id: UUID, kind: str) -> None:
        """Tell the witness of a refusal: "denied" for a case of the tenant this person may
        not read, "not_found" when the tenant has no such case."""
        if self.witness:
            exists = self.casebook.visible_case(replace(actor, role="owner"), case_id)
            self.witness(actor, case_id, kind, "denied" if exists else "not_found")

    def case(self, actor: Actor, case_id: UUID) -> CaseDetail:
        """The case with its people by name (as named now)."""
        try:
            case = self.casework.get_case(actor, case_id)
        except NotFound:
            self._refused(actor, case_id, "case")
            raise
        if self.witness:
            self.witness(actor, case_id, "case", "allowed")
        return _detail(case, self.casebook.names({*case.participants, *case.practitioners}))

    def timeline(
        self, actor: Actor, case_id: UUID, *, as_of: datetime | None = None,
        known_at: datetime | None = None, types: Sequence[str] = (), after: str | None = None,
        limit: int = 100, visibility: str | None = None, person: UUID | None = None,
        newest_first: bool = False,
    ) -> TimelinePage:
        """The case's events in occurred_at order as this person may read them: shared
        events, staff-only ones for staff, and private journal entries for their author."""
        self._visible(actor, case_id, "timeline")
        entries = self.casebook.timeline(actor, case_id, as_of=as_of, known_at=known_at,
                                         types=types, after=after, limit=limit,
                                         visibility=visibility, person=person,
                                         newest_first=newest_first)
        more = len(entries) == limit
        return TimelinePage(case_id, tuple(entries), entries[-1].cursor if more else None)

    def standing(self, actor: Actor, case_id: UUID, *, as_of: datetime | None = None,
                 known_at: datetime | None = None) -> CaseStanding:
        """Active boundaries, agreements, open red flags and the latest readiness checklist,
        from what this person may read of the timeline (a client's has no red flag)."""
        self._visible(actor, case_id, "case")
        return standing_of(self._all_entries(actor, case_id, as_of=as_of, known_at=known_at,
                                             types=STANDING_TYPES))

    def everything_readable(self, actor: Actor, case_id: UUID) -> tuple[TimelineEntry, ...]:
        """Every timeline entry of the case this person may read, oldest first: what a
        participant's own download holds."""
        self._visible(actor, case_id, "export")
        return self._all_entries(actor, case_id)

    def _all_entries(self, actor: Actor, case_id: UUID, **query: Any) -> tuple[TimelineEntry, ...]:
        """Every entry the view gives this person for the query, page after page."""
        entries: list[TimelineEntry] = []
        after = None
        while True:
            page = self.casebook.timeline(actor, case_id, after=after, limit=EXPORT_PAGE, **query)
            entries += page
            if len(page) < EXPORT_PAGE:
                return tuple(entries)
            after = page[-1].cursor

    def _facts(self, actor: Actor, case_id: UUID, as_of: datetime | None,
               known_at: datetime | None) -> tuple[CaseFacts, datetime]:
        row = self._visible(actor, case_id, "metrics")
        as_of = as_of or datetime.now(timezone.utc)
        if as_of < row.opened_at:
            raise InvalidValue("as_of", "is before the case was opened")
        facts = self._folded(actor, case_id, row.touched_seq)
        if known_at is not None and known_at < facts.opened_recorded_at:
            raise InvalidValue("known_at", "is before the case was recorded")
        return facts, as_of

    def _folded(self, actor: Actor, case_id: UUID, touched_seq: int) -> CaseFacts:
        key = (self.casebook.prefix(), case_id, touched_seq)
        with self._facts_lock:
            if key in self._facts_cache:
                self._facts_cache.move_to_end(key)
                return self._facts_cache[key]
        facts = facts_of_case(self.casebook, actor.tenant_id, case_id)
        with self._facts_lock:
            self._facts_cache[key] = facts
            while len(self._facts_cache) > FACTS_CACHE_SIZE:
                self._facts_cache.popitem(last=False)
        return facts

    def figures(self, actor: Actor, case_id: UUID, *, as_of: datetime | None = None,
                known_at: datetime | None = None) -> CaseFigures:
        """The DESIGN §4 figures; a client's without risk, its reasons or red-flag codes."""
        facts, as_of = self._facts(actor, case_id, as_of, known_at)
        return CaseFigures(case_id, _masked_metrics(actor, compute_metrics(facts, as_of, known_at)))

    def overview(self, actor: Actor, case_id: UUID, *, as_of: datetime | None = None,
                 known_at: datetime | None = None) -> tuple[CaseFigures, tuple[WeekPoint, ...]]:
        """The figures and the weekly series together, from one read of the case's facts
        (the case page shows both)."""
        facts, as_of = self._facts(actor, case_id, as_of, known_at)
        metrics = _masked_metrics(actor, compute_metrics(facts, as_of, known_at))
        return CaseFigures(case_id, metrics), _masked_weeks(actor,
                                                            weekly_series(facts, as_of, known_at))

    def weekly(self, actor: Actor, case_id: UUID, *, as_of: datetime | None = None,
               known_at: datetime | None = None) -> tuple[WeekPoint, ...]:
        facts, as_of = self._facts(actor, case_id, as_of, known_at)
        return _masked_weeks(actor, weekly_series(facts, as_of, known_at))

    def progress(self, actor: Actor, case_id: UUID, *, as_of: datetime | None = None,
                 known_at: datetime | None = None) -> WorkplaceProgress:
        facts, as_of = self._facts(actor, case_id, as_of, known_at)
        if facts.kind != "workplace":
            raise NotFound("Only workplace cases have a program.")
        progress = workplace_progress(facts, as_of, known_at)
        progress = self._with_answered_pulses(actor, case_id, progress, as_of)
        if not progress.owners:
            return progress
        # Owners by name as they are now, like every other person the reader shows.
        names = self.casebook.names({o.account_id for o in progress.owners})
        return replace(progress, owners=[replace(o, name=names.get(o.account_id, ""))
                                         for o in progress.owners])

    def pulses(self, actor: Actor, case_id: UUID, *,
               now: datetime | None = None) -> list[PulseView]:
        """The case's anonymous pulses, newest first, as anyone on the case may see them:
        the question and the count, and only once a pulse is over the mean and the bands."""
        self._visible(actor, case_id, "metrics")
        views = pulse_views(self.casebook.pulse_marks(actor.tenant_id, case_id),
                            actor.account_id, now or datetime.now(timezone.utc),
                            lambda pulse_id: self.casebook.pulse_tally(
                                actor.tenant_id, BallotBox.id_for(pulse_id)))
        if actor.is_staff:
            return views
        return [replace(view, audience_ids=(), answered_ids=()) for view in views]

    def _with_answered_pulses(self, actor: Actor, case_id: UUID, progress: WorkplaceProgress,
                              as_of: datetime) -> WorkplaceProgress:
        """The program's pulse series with the pulses answered in Mend, each at its closing
        once closed (counted, and with its mean when published), beside those entered from
        paper; a pulse still open is not on the series yet."""
        answered = [PulsePoint(p.closes_at, p.answers, p.mean, p.published, p.question)
                    for p in self.pulses(actor, case_id, now=as_of) if p.closed]
        if not answered:
            return progress
        series = sorted([*progress.pulses, *answered], key=lambda point: point.occurred_at)
        return replace(progress, pulses=series)

    def export(self, actor: Actor, case_id: UUID) -> CaseExport:
        """The case's whole record as an owner may read it (a client's private journal
        entries stay theirs). Recording that it was taken is the caller's command."""
        try:
            detail = _detail(self.casework.case_for_export(actor, case_id))
        except (NotFound, Forbidden):
            self._refused(actor, case_id, "export")
            raise
        if self.witness:
            self.witness(actor, case_id, "export", "allowed")
        exported_at = datetime.now(timezone.utc)
        events = self._all_entries(actor, case_id)
        figures = self.figures(actor, case_id, as_of=exported_at)
        return CaseExport(exported_at, actor.account_id, detail, figures, events)

    # ------------------------------------------------------------------ many cases
    def cases(self, actor: Actor, *, limit: int = 50, after: str | None = None) -> CaseloadPage:
        """The cases this person may see, by id: all of the tenant's for overseers."""
        rows = self.casebook.cases(actor, limit=limit, after=after)
        return CaseloadPage(tuple(rows), rows[-1].id if len(rows) == limit else None)

    def cases_of_person(self, actor: Actor, account_id: UUID) -> list[UUID]:
        """The cases of the owner's practice a person is on (to erase that person's data)."""
        authz.require_owner(actor, "list the cases of a person")
        return self.casebook.cases_of_person(actor.tenant_id, account_id)

    def caseload(
        self, actor: Actor, *, practitioner: UUID | None = None,
        filters: dict[str, str] | None = None, limit: int = 50, after: str | None = None,
    ) -> CaseloadPage:
        """A practitioner's own caseload, or for overseers the tenant's or one
        practitioner's, in order of attention; ``after`` is the previous page's ``next``."""
        authz.require_staff(actor, "read caseloads")
        if practitioner is not None and practitioner != actor.account_id:
            authz.require_overseer(actor, "read another practitioner's caseload")
        offset = int(after) if after else 0
        rows = self.casebook.caseload(actor, now=datetime.now(timezone.utc), limit=limit,
                                      offset=offset, practitioner=practitioner,
                                      filters=filters)
        more = len(rows) == limit
        return CaseloadPage(tuple(rows), str(offset + len(rows)) if more else None)

    def caseload_counts(self, actor: Actor, *,
                        practitioner: UUID | None = None) -> dict[str, int]:
        """Open, high-risk and overdue counts of the caseload ``caseload`` would page."""
        authz.require_staff(actor, "read caseloads")
        if practitioner is not None and practitioner != actor.account_id:
            authz.require_overseer(actor, "read another practitioner's caseload")
        return self.casebook.caseload_counts(actor, now=datetime.now(timezone.utc),
                                             practitioner=practitioner)

    def outcomes(self, actor: Actor) -> list[ApproachOutcome]:
        """Success rate by approach over the tenant's closed cases (overseers)."""
        authz.require_overseer(actor, "read outcome analytics")
        return aggregate_outcomes([
            OutcomeSummary(closed=True, outcome=row.outcome,
                           approach=row.closed_approach or row.approach,
                           months_to_significant_change=row.months_to_change)
            for row in self.casebook.closed_cases(actor)
        ])

    def audit(self, actor: Actor, *, before: int | None = None, limit: int = 100,
              who: UUID | None = None, types: Sequence[str] = (), since: datetime | None = None,
              until: datetime | None = None) -> tuple[list[ActivityEntry], int | None]:
        """Who did what, when, to which case: the tenant's activity, newest first (owners);
        narrowed to one person (``who``), some types, and a span of recording time."""
        authz.require_owner(actor, "read the audit log")
        entries = self.casebook.activity(actor, before=before, limit=limit, actor_id=who,
                                         types=types, since=since, until=until)
        return entries, entries[-1].position if len(entries) == limit else None
