"""Trust metrics of one case as of an instant (DESIGN §4), computed from its ``CaseFacts``.

Pure computation: no I/O. Every function takes ``as_of`` (only facts that occurred at or
before it count) and, where it says so, ``known_at`` (only facts recorded at or before it
count: the record as it stood then). Times are timezone-aware; days are UTC calendar days; a
window "the last N days" is the half-open interval (T - N days, T].

Decisions where DESIGN §4 leaves room:

1. Check-ins, setbacks and every history are ordered by ``occurred_at``, ties by recording
   order; "the first 3 check-ins" are the first three in that order among those visible.
2. Significant change: the trust score "at the end of day D" is the 28-day score at the last
   instant of D (23:59:59.999999), i.e. the mean over the check-ins of the 28 calendar days
   D-27 .. D. For the day of ``as_of`` itself the day has not ended: it is judged on the
   check-ins that occurred by ``as_of`` (so today's change shows today, provisionally).
3. "Only days after the third check-in count": D must be strictly after the UTC day of the
   third check-in.
4. Significant change is sought up to the day of ``as_of``, or, while the case is closed,
   up to the day it closed: after closing no one checks in, and check-ins leaving the
   window must not manufacture a "change". Comparisons use exact (unrounded) means:
   score >= baseline + 2.0.
5. days_to_significant_change = D - the UTC day the case opened, in days;
   months = days / 30.44, rounded half up to one decimal.
6. Adherence span: the last 56 days (T - 56 days, T], or [opened_at, T] when the case is
   younger than 56 days. "Whole cadence periods in that span" = floor(span length /
   cadence), on exact elapsed time (a 13-day-23-hour span holds one 7-day period, not two).
   Every check-in in the span counts, whoever recorded it. Reporting participants = the
   case's participants at the end of the span (1 when it has none). While the case is
   closed, the span ends at the closing instant instead of T (no check-ins are expected of
   a closed case). Null when no whole period fits the span; capped at 1.
7. Conflicts per week: sum of ``conflicts`` in the last 28 days / the number of distinct
   participants who checked in then (check-ins without a participant count as one more
   reporter) / 4; null when nobody checked in in the window.
8. days_since_setback = UTC day of T - UTC day of the latest setback (0 on the same day);
   null when there is none.
9. Risk. The trust score "as of T - 28 days" is the same definition at that instant: the
   mean over (T - 56 days, T - 28 days]. The trust-drop rule applies only when both scores
   exist, and fires when score(T) <= score(T - 28 days) - 2.0 exactly. "2 setbacks in the
   last 30 days" means exactly 2 (3+ is already high).
10. "No check-in for more than two cadence periods": T - (latest check-in, or the opening
    when there is none yet) > 2 x cadence, strictly. It does not apply while the case is
    closed; next_checkin_due is then null (otherwise latest check-in or opening + cadence).
11. risk_reasons explain the level reached, in definition order, and only that level's:
    high: "safety_red_flag:<code>" per open safety flag, "setbacks_30d>=3",
    "trust_drop>=2.0"; medium: "open_red_flag:<code>" per open red flag,
    "setbacks_30d==2", "no_checkin_2_periods"; low: none.
12. A red flag is open at T when it was raised by T and not resolved by T (with
    ``known_at``: raised / resolved in the record by then). open_red_flags lists codes in
    raising order, each code once.
13. Rounding, half up on the exact value: means (trust score, emotional safety,
    communication ease, baseline, conflicts per week, pulse means) and fractions
    (adherence, success rate) to 2 decimals; months to 1 decimal. Workplace progress n/8
    is exact.
14. Outcome analytics: a case counts as closed when its status at ``as_of`` is closed; it
    counts under the approach in effect at the instant it closed (the last ApproachChanged
    that occurred at or before the closing), and its months to significant change are as
    of its closing (decision 4). Every approach of the vocabulary is listed, in vocabulary
    order, also with 0 closed (success rate and median then null). The median of an even
    number of months is the mean of the middle two, rounded half up to one decimal.
15. A case that reopened counts its days like any other: decisions 4, 6 and 10 look only
    at its status at T.
16. An ``as_of`` before the opening, or a ``known_at`` before the opening was recorded,
    raises ValueError (the case did not exist then); naive datetimes raise ValueError.
17. Weekly series: weeks start on Monday (UTC), from the week of the opening to the week of
    ``as_of``; a point's figures are taken at the last instant of its week, or at ``as_of``
    for the current week; check_ins and setbacks count those that occurred in the week (by
    ``as_of``). Workplace steps are listed in the order they were completed.
18. A program step's owner at T is the person of its latest ProgramStepOwnerAssigned that
    occurred by T (and, with ``known_at``, was recorded by then); owners are listed in program
    order, by account id.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from itertools import accumulate
from typing import Any, Sequence

from mend.domain.case import pulse_is_published
from mend.domain.vocabulary import APPROACHES, PROGRAM_STEPS, SAFETY_RED_FLAGS
from mend.projections.case_facts import CaseFacts

DAY = timedelta(days=1)
WEEK = timedelta(days=7)
_LAST_INSTANT = timedelta(microseconds=1)


@dataclass(frozen=True)
class CaseMetrics:
    as_of: datetime
    stage: str
    status: str
    risk: str
    trust_score: float | None
    emotional_safety: float | None
    communication_ease: float | None
    baseline: float | None
    significant_change_on: date | None
    days_to_significant_change: int | None
    months_to_significant_change: float | None
    checkin_adherence: float | None
    conflicts_per_week: float | None
    setbacks_30d: int
    setbacks_90d: int
    days_since_setback: int | None
    open_red_flags: list[str]
    risk_reasons: list[str]
    next_checkin_due: datetime | None


@dataclass(frozen=True)
class WeekPoint:
    week_start: date
    trust_score: float | None
    emotional_safety: float | None
    communication_ease: float | None
    check_ins: int
    setbacks: int
    risk: str


@dataclass(frozen=True)
class PulsePoint:
    occurred_at: datetime
    responses: int
    mean: float | None
    published: bool
    #: What a pulse answered in Mend asked; None for one entered as a tally from paper.
    question: str | None = None


@dataclass(frozen=True)
class OutOfOrderStep:
    step: str
    reason: str


@dataclass(frozen=True)
class CompletedStep:
    step: str
    occurred_at: datetime
    note: str
    reason: str  # why it came before an earlier step; empty when taken in order


@dataclass(frozen=True)
class StepOwnership:
    step: str
    account_id: str
    #: The owner's name as it is now; the reader fills it in (the metrics know only ids).
    name: str = ""


@dataclass(frozen=True)
class WorkplaceProgress:
    steps_done: list[str]
    steps_completed: int
    progress: float
    pulses: list[PulsePoint]
    out_of_order: list[OutOfOrderStep]
    #: The steps done, in the order they were completed, with when and the note on each.
    completed: list[CompletedStep] = field(default_factory=list)
    #: Each owned step's current owner, in program order.
    owners: list[StepOwnership] = field(default_factory=list)


@dataclass(frozen=True)
class OutcomeSummary:
    closed: bool
    outcome: str | None
    approach: str  # at closing when closed, else as of as_of
    months_to_significant_change: float | None


@dataclass(frozen=True)
class ApproachOutcome:
    approach: str
    closed: int
    reconciled: int
    success_rate: float | None
    median_months_to_change: float | None


def _round(num: int, den: int, places: int) -> float:
    """num / den (both >= 0) rounded half up to ``places`` decimals, exactly."""
    scale = 10**places
    return ((2 * num * scale + den) // (2 * den)) / scale


def _months(days: int) -> float:
    return _round(days * 100, 3044, 1)  # days / 30.44


def _aware(name: str, moment: datetime | None) -> None:
    if moment is not None and (not isinstance(moment, datetime) or moment.tzinfo is None):
        raise ValueError(f"{name} must be a timezone-aware datetime")


class _Record:
    """The facts as the record stood at ``known_at``, arranged for window queries by bisect."""

    def __init__(self, facts: CaseFacts, known_at: datetime | None):
        _aware("known_at", known_at)
        if known_at is not None and facts.opened_recorded_at > known_at:
            raise ValueError("the record did not hold this case at known_at")
        self.facts = facts

        def known(rows: Sequence[Any], recorded: str = "recorded_at") -> list[Any]:
            """The rows the record held at known_at, by the field that says when."""
            if known_at is None:
                return list(rows)
            return [r for r in rows if getattr(r, recorded) <= known_at]

        check_ins = known(facts.check_ins)
        self.check_ins = check_ins
        self.ci_at = [c.occurred_at for c in check_ins]
        self.ci_day = [t.toordinal() for t in self.ci_at]
        self.trust = list(accumulate((c.trust for c in check_ins), initial=0))
        self.safety = list(accumulate((c.emotional_safety for c in check_ins), initial=0))
        self.ease = list(accumulate((c.communication_ease for c in check_ins), initial=0))
        self.setback_at = [s.occurred_at for s in known(facts.setbacks)]
        self.approaches = known(facts.approaches)
        self.stages = known(facts.stages)
        self.statuses = known(facts.statuses)
        self.participants = known(facts.participants)
        self.steps = known(facts.steps)
        self.step_owners = known(facts.step_owners)
        self.pulses = known(facts.pulses)
        self.flags = [
            f if known_at is None or f.resolved_recorded_at is None
            or f.resolved_recorded_at <= known_at else f._replace(resolved_at=None)
            for f in known(facts.red_flags, recorded="raised_recorded_at")
        ]
        self.cadence = timedelta(days=facts.cadence_days)

    def check(self, as_of: datetime) -> None:
        _aware("as_of", as_of)
        if as_of < self.facts.opened_at:
            raise ValueError("as_of is before the case opened")

    # ------------------------------------------------------------------ state at T
    @staticmethod
    def _latest(rows: Sequence[Any], at: datetime) -> Any:
        for row in reversed(rows):  # sorted by occurred_at: the last one by T wins
            if row.occurred_at <= at:
                return row
        return None

    def status(self, at: datetime) -> tuple[str, str | None, datetime | None]:
        row = self._latest(self.statuses, at)
        if row is None or row.status == "open":
            return "open", None, None
        return "closed", row.outcome, row.occurred_at

    def stage(self, at: datetime) -> str:
        return self._latest(self.stages, at).stage

    def approach(self, at: datetime) -> str:
        return self._latest(self.approaches, at).approach

    def participants_at(self, at: datetime) -> int:
        people: set[str] = set()
        for row in self.participants:
            if row.occurred_at > at:
                break
            (people.add if row.added else people.discard)(row.account_id)
        return len(people)

    def open_flags(self, at: datetime) -> list[str]:
        codes: list[str] = []
        for f in self.flags:
            if f.raised_at <= at and not (f.resolved_at is not None and f.resolved_at <= at):
                if f.code not in codes:
                    codes.append(f.code)
        return codes

    # ------------------------------------------------------------------ windows
    def window(self, times: list[datetime], at: datetime, days: int) -> tuple[int, int]:
        """Indices [lo, hi) of the rows in (at - days, at]."""
        return bisect_right(times, at - timedelta(days=days)), bisect_right(times, at)

    def trust_sum(self, at: datetime) -> tuple[int, int]:
        lo, hi = self.window(self.ci_at, at, 28)
        return self.trust[hi] - self.trust[lo], hi - lo

    def means(self, at: datetime) -> tuple[float | None, float | None, float | None]:
        lo, hi = self.window(self.ci_at, at, 28)
        if hi == lo:
            return None, None, None
        n = hi - lo
        return tuple(_round(p[hi] - p[lo], n, 2) for p in (self.trust, self.safety, self.ease))

    def setbacks_in(self, at: datetime, days: int) -> int:
        lo, hi = self.window(self.setback_at, at, days)
        return hi - lo

    # ------------------------------------------------------------------ figures
    def baseline_sum(self, at: datetime) -> int | None:
        return self.trust[3] if bisect_right(self.ci_at, at) >= 3 else None

    def trust_dropped(self, at: datetime) -> bool:
        now_sum, now_n = self.trust_sum(at)
        then_sum, then_n = self.trust_sum(at - timedelta(days=28))
        if not now_n or not then_n:
            return False
        # now_sum/now_n <= then_sum/then_n - 2, without division
        return now_sum * then_n + 2 * now_n * then_n <= then_sum * now_n

    def significant_change(self, at: datetime) -> date | None:
        status, _, closed_at = self.status(at)
        limit = closed_at if status == "closed" else at
        n = bisect_right(self.ci_at, limit)
        if n < 3:
            return None
        days, prefix = self.ci_day, self.trust
        first, last = days[2] + 1, limit.astimezone(timezone.utc).toordinal()
        target = prefix[3] + 6  # 3 x (baseline + 2.0)
        # The score changes only on a day a check-in enters the window or 28 days later
        # when it leaves, so the first qualifying day is the first eligible day or one of those.
        candidates = set(days[:n])
        candidates.update(d + 28 for d in days[:n])
        candidates.add(first)
        for d in sorted(c for c in candidates if first <= c <= last):
            hi = bisect_right(days, d, 0, n)
            lo = bisect_left(days, d - 27, 0, n)
            if hi > lo and 3 * (prefix[hi] - prefix[lo]) >= target * (hi - lo):
                return date.fromordinal(d)
        return None

    def adherence(self, at: datetime) -> float | None:
        status, _, closed_at = self.status(at)
        end = closed_at if status == "closed" else at
        start = end - timedelta(days=56)
        if start <= self.facts.opened_at:
            start = self.facts.opened_at
            lo = bisect_left(self.ci_at, start)  # the span includes the opening instant
        else:
            lo = bisect_right(self.ci_at, start)
        periods = (end - start) // self.cadence
        if periods == 0:
            return None
        expected = max(self.participants_at(end), 1) * periods
        done = bisect_right(self.ci_at, end) - lo
        return _round(min(done, expected), expected, 2)

    def conflicts_per_week(self, at: datetime) -> float | None:
        lo, hi = self.window(self.ci_at, at, 28)
        if hi == lo:
            return None
        window = self.check_ins[lo:hi]
        reporters = len({c.participant_id for c in window})
        return _round(sum(c.conflicts for c in window), reporters * 4, 2)

    def last_check_in(self, at: datetime) -> datetime | None:
        n = bisect_right(self.ci_at, at)
        return self.ci_at[n - 1] if n else None

    def risk(self, at: datetime) -> tuple[str, list[str]]:
        flags = self.open_flags(at)
        in_30d = self.setbacks_in(at, 30)
        high = [f"safety_red_flag:{code}" for code in flags if code in SAFETY_RED_FLAGS]
        if in_30d >= 3:
            high.append("setbacks_30d>=3")
        if self.trust_dropped(at):
            high.append("trust_drop>=2.0")
        if high:
            return "high", high
        medium = [f"open_red_flag:{code}" for code in flags]
        if in_30d == 2:
            medium.append("setbacks_30d==2")
        status, _, _ = self.status(at)
        if status == "open":
            since = self.last_check_in(at) or self.facts.opened_at
            if at - since > 2 * self.cadence:
                medium.append("no_checkin_2_periods")
        return ("medium", medium) if medium else ("low", [])

    def metrics(self, at: datetime) -> CaseMetrics:
        status, _, _ = self.status(at)
        trust, safety, ease = self.means(at)
        base = self.baseline_sum(at)
        changed_on = self.significant_change(at)
        days_to = None
        if changed_on is not None:
            days_to = (changed_on - self.facts.opened_at.astimezone(timezone.utc).date()).days
        lo, hi = self.window(self.setback_at, at, 90)
        latest_setback = self.setback_at[hi - 1] if hi else None
        risk, reasons = self.risk(at)
        last = self.last_check_in(at) or self.facts.opened_at
        return CaseMetrics(
            as_of=at,
            stage=self.stage(at),
            status=status,
            risk=risk,
            trust_score=trust,
            emotional_safety=safety,
            communication_ease=ease,
            baseline=None if base is None else _round(base, 3, 2),
            significant_change_on=changed_on,
            days_to_significant_change=days_to,
            months_to_significant_change=None if days_to is None else _months(days_to),
            checkin_adherence=self.adherence(at),
            conflicts_per_week=self.conflicts_per_week(at),
            setbacks_30d=self.setbacks_in(at, 30),
            setbacks_90d=hi - lo,
            days_since_setback=(
                None if latest_setback is None
                else (_utc_day(at) - _utc_day(latest_setback)).days
            ),
            open_red_flags=self.open_flags(at),
            risk_reasons=reasons,
            next_checkin_due=None if status == "closed" else last + self.cadence,
        )


def _utc_day(moment: datetime) -> date:
    return moment.astimezone(timezone.utc).date()


def _prepared(facts: CaseFacts, as_of: datetime, known_at: datetime | None) -> _Record:
    record = _Record(facts, known_at)
    record.check(as_of)
    return record


# ---------------------------------------------------------------------- public functions
def compute_metrics(
    facts: CaseFacts, as_of: datetime, known_at: datetime | None = None
) -> CaseMetrics:
    return _prepared(facts, as_of, known_at).metrics(as_of)


def weekly_series(
    facts: CaseFacts, as_of: datetime, known_at: datetime | None = None
) -> list[WeekPoint]:
    record = _prepared(facts, as_of, known_at)
    opened = _utc_day(facts.opened_at)
    week = datetime.combine(opened - timedelta(days=opened.weekday()), time(), timezone.utc)
    points = []
    while week <= as_of:
        end = min(week + WEEK - _LAST_INSTANT, as_of)
        trust, safety, ease = record.means(end)
        level, _ = record.risk(end)
        points.append(WeekPoint(
            week_start=week.date(),
            trust_score=trust,
            emotional_safety=safety,
            communication_ease=ease,
            check_ins=bisect_right(record.ci_at, end) - bisect_left(record.ci_at, week),
            setbacks=bisect_right(record.setback_at, end) - bisect_left(record.setback_at, week),
            risk=level,
        ))
        week += WEEK
    return points


def workplace_progress(
    facts: CaseFacts, as_of: datetime, known_at: datetime | None = None
) -> WorkplaceProgress:
    record = _prepared(facts, as_of, known_at)
    taken = [s for s in record.steps if s.occurred_at <= as_of]
    steps = [s.step for s in taken]
    pulses = []
    for p in record.pulses:
        if p.occurred_at > as_of:
            break
        published = pulse_is_published(len(p.scores))
        mean = _round(sum(p.scores), len(p.scores), 2) if published else None
        pulses.append(PulsePoint(p.occurred_at, len(p.scores), mean, published))
    owner_of: dict[str, str] = {}
    for row in record.step_owners:  # by occurred_at: the latest assignment by T wins
        if row.occurred_at > as_of:
            break
        owner_of[row.step] = row.account_id
    return WorkplaceProgress(
        steps_done=steps,
        steps_completed=len(steps),
        progress=len(steps) / len(PROGRAM_STEPS),
        pulses=pulses,
        out_of_order=[OutOfOrderStep(s.step, s.reason) for s in taken if s.reason],
        completed=[CompletedStep(s.step, s.occurred_at, s.note, s.reason) for s in taken],
        owners=[StepOwnership(step, owner_of[step]) for step in PROGRAM_STEPS
                if step in owner_of],
    )


def outcome_summary(
    facts: CaseFacts, as_of: datetime, known_at: datetime | None = None
) -> OutcomeSummary:
    record = _prepared(facts, as_of, known_at)
    status, outcome, closed_at = record.status(as_of)
    changed_on = record.significant_change(as_of)
    months = None
    if changed_on is not None:
        months = _months((changed_on - _utc_day(facts.opened_at)).days)
    return OutcomeSummary(
        closed=status == "closed",
        outcome=outcome,
        approach=record.approach(closed_at or as_of),
        months_to_significant_change=months,
    )


def _median_tenths(tenths: list[int]) -> float | None:
    if not tenths:
        return None
    tenths = sorted(tenths)
    mid = len(tenths) // 2
    if len(tenths) % 2:
        return tenths[mid] / 10
    return _round(tenths[mid - 1] + tenths[mid], 20, 1)  # (a + b) / 2 tenths


def aggregate_outcomes(summaries: Sequence[OutcomeSummary]) -> list[ApproachOutcome]:
    rows = []
    for approach in APPROACHES:
        closed = [s for s in summaries if s.closed and s.approach == approach]
        reconciled = [s for s in closed if s.outcome == "reconciled"]
        months = [
            round(s.months_to_significant_change * 10)
            for s in reconciled if s.months_to_significant_change is not None
        ]
        rows.append(ApproachOutcome(
            approach=approach,
            closed=len(closed),
            reconciled=len(reconciled),
            success_rate=_round(len(reconciled), len(closed), 2) if closed else None,
            median_months_to_change=_median_tenths(months),
        ))
    return rows
