"""Golden scenarios of the trust metrics (DESIGN §4), every figure worked out by hand.

Each story is played through the real Case aggregate with back-dated ``occurred_at`` times in
2025 (well before the real clock), its events are folded into CaseFacts, and the metrics are
checked against the arithmetic in the comments. Week k of a story starts on its k-th Monday.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone
from functools import partial
from typing import Any, Callable
from uuid import uuid4

import pytest

from mend.domain.case import Case
from mend.projections.case_facts import CaseFacts, CheckIn, from_json, to_json
from mend.projections.case_metrics import facts_of_events
from mend.projections.metrics import (
    ApproachOutcome,
    OutcomeSummary,
    PulsePoint,
    aggregate_outcomes,
    compute_metrics,
    outcome_summary,
    weekly_series,
    workplace_progress,
)

UTC = timezone.utc
TENANT = uuid4()
ANA, LEO = uuid4(), uuid4()
MAYA, CHRIS = uuid4(), uuid4()
ROSA, TOM, SAM, LUCIA = uuid4(), uuid4(), uuid4(), uuid4()
NOOR = uuid4()  # the counselor


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0, us: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, us, tzinfo=UTC)


def facts_of(events: list[Any]) -> CaseFacts:
    return facts_of_events(events)


def ratings(trust: int) -> dict[str, int]:
    """Every story rates emotional safety one above trust and communication one below."""
    return dict(trust=trust, emotional_safety=trust + 1, communication_ease=max(trust - 1, 0))


class Story:
    """Commands scheduled by occurred_at and played in that order through a real Case."""

    def __init__(self, **opening: Any):
        self.case = Case.open(tenant=TENANT, **opening)
        self.plan: list[tuple[datetime, int, Callable[[], Any]]] = []

    def on(self, when: datetime, method: str, *args: Any, **kwargs: Any) -> None:
        call = partial(getattr(self.case, method), *args, occurred_at=when, **kwargs)
        self.plan.append((when, len(self.plan), call))

    def play(self) -> list[Any]:
        for _, _, call in sorted(self.plan, key=lambda p: p[:2]):
            call()
        return list(self.case.collect_events())


# ---------------------------------------------------------------------- (a) Ana & Leo
ANA_LEO_OPENED = at(2025, 1, 6, 9)  # a Monday
ANA_LEO_CLOSED = at(2025, 11, 5, 12)
ANA_LEO_WEEKS = 44  # weeks 0..43: Monday 2025-01-06 .. Monday 2025-11-03


def ana_leo_trust(k: int) -> tuple[int, int | None]:
    """(Ana, Leo) in week k; None: Leo skipped the check-in ("being policed")."""
    early = {0: (2, 4), 1: (3, 3), 2: (3, 3), 3: (3, None), 4: (4, 3), 5: (3, 3), 6: (4, None)}
    if k in early:
        return early[k]
    v = 4 if k <= 20 else 5 if k <= 23 else 6 if k <= 29 else 7 if k <= 35 else 8
    return v, v


def ana_leo_conflicts(k: int) -> tuple[int, int]:
    return (3, 2) if k <= 6 else (1, 1) if k <= 20 else (1, 0) if k <= 35 else (0, 0)


def ana_and_leo() -> list[Any]:
    s = Story(kind="couple", title="Ana and Leo", approach="therapy_guided",
              breach_category="infidelity", breach_summary="Leo's affair.",
              occurred_at=ANA_LEO_OPENED)
    s.on(ANA_LEO_OPENED, "add_participant", ANA, "partner")
    s.on(ANA_LEO_OPENED, "add_participant", LEO, "partner")
    s.on(ANA_LEO_OPENED, "assign_practitioner", NOOR)
    for k in range(ANA_LEO_WEEKS):
        monday = ANA_LEO_OPENED.replace(hour=0) + timedelta(weeks=k)
        (ana, leo), (ana_c, leo_c) = ana_leo_trust(k), ana_leo_conflicts(k)
        s.on(monday + timedelta(hours=20), "record_check_in", participant_id=ANA,
             conflicts=ana_c, **ratings(ana))
        if leo is not None:
            s.on(monday + timedelta(hours=20, minutes=30), "record_check_in", participant_id=LEO,
                 conflicts=leo_c, **ratings(leo))
    for day in range(1, 303):  # the daily no-phones check-in ritual, Jan 7 .. Nov 4
        s.on(at(2025, 1, 6, 7, 30) + timedelta(days=day), "practice_ritual", "daily_checkin")
    s.on(at(2025, 1, 8, 11), "offer_apology", from_id=LEO, to_ids=[ANA], text="I lied.",
         names_harm=True, takes_responsibility=True, commits_to_change=True)
    s.on(at(2025, 1, 9, 11), "set_boundary", "Calendars are shared.")
    s.on(at(2025, 1, 22, 12), "record_setback", 2, "An argument over a late text.")
    s.on(at(2025, 2, 12, 12), "record_setback", 1, "An old wound reopened.")
    s.on(at(2025, 2, 17, 10), "advance_stage", "honest_conversations")
    s.on(at(2025, 5, 5, 10), "advance_stage", "restoring")
    s.on(at(2025, 9, 1, 10), "advance_stage", "moving_forward")
    s.on(at(2025, 3, 4, 15), "note_session", "Both engaged.")
    s.on(ANA_LEO_CLOSED, "close", "reconciled")
    return s.play()


@pytest.fixture(scope="module")
def ana_leo_events() -> list[Any]:
    return ana_and_leo()


@pytest.fixture(scope="module")
def ana_leo(ana_leo_events) -> CaseFacts:
    return facts_of(ana_leo_events)


def test_ana_leo_facts(ana_leo):
    assert ana_leo.kind == "couple" and ana_leo.cadence_days == 7
    assert ana_leo.opened_at == ANA_LEO_OPENED
    # 44 weeks x 2 check-ins, minus Leo's two skipped weeks (3 and 6).
    assert len(ana_leo.check_ins) == 86
    assert [s.severity for s in ana_leo.setbacks] == [2, 1]
    assert ana_leo.rituals == {"daily_checkin": 302}  # Jan 7 .. Nov 4
    assert [s.stage for s in ana_leo.stages] == [
        "aftermath", "honest_conversations", "restoring", "moving_forward"]
    assert [(s.status, s.outcome) for s in ana_leo.statuses] == [("closed", "reconciled")]
    assert ana_leo.last_activity_at == ANA_LEO_CLOSED


def test_ana_leo_week_2_after_the_first_setback(ana_leo):
    m = compute_metrics(ana_leo, at(2025, 1, 24, 12))  # Friday of week 2
    assert (m.stage, m.status) == ("aftermath", "open")
    # check-ins by then: week 0 (2, 4), week 1 (3, 3), week 2 (3, 3): 18 / 6
    assert m.trust_score == 3.0
    # ratings +1 / -1: (18 + 6) / 6, (18 - 6) / 6
    assert (m.emotional_safety, m.communication_ease) == (4.0, 2.0)
    # first three check-ins: Ana w0 2, Leo w0 4, Ana w1 3 -> 9 / 3
    assert m.baseline == 3.0
    # since opening (Jan 6 09:00 .. Jan 24 12:00 = 18 d 3 h): 2 whole periods x 2 people = 4
    # expected, 6 recorded -> 1.5, capped at 1
    assert m.checkin_adherence == 1.0
    # conflicts: (3 + 2) x 3 weeks = 15 / 2 people / 4
    assert m.conflicts_per_week == 1.88  # 1.875 rounded half up
    assert (m.setbacks_30d, m.setbacks_90d, m.days_since_setback) == (1, 1, 2)
    assert (m.risk, m.risk_reasons, m.open_red_flags) == ("low", [], [])
    assert m.significant_change_on is None
    assert m.next_checkin_due == at(2025, 1, 27, 20, 30)  # Leo's Jan 20 20:30 + 7 days


def test_ana_leo_two_setbacks_in_30_days_make_it_medium(ana_leo):
    m = compute_metrics(ana_leo, at(2025, 2, 14, 12))  # Friday of week 5
    # window (Jan 17 12:00, Feb 14 12:00]: w2 (3, 3), w3 (3, -), w4 (4, 3), w5 (3, 3) = 22 / 7
    assert m.trust_score == 3.14
    assert m.emotional_safety == 4.14  # 29 / 7
    assert m.communication_ease == 2.14  # 15 / 7
    # conflicts (3+2) + 3 + (3+2) + (3+2) = 18 / 2 people / 4
    assert m.conflicts_per_week == 2.25
    # setbacks Jan 22 and Feb 12 both in (Jan 15 12:00, Feb 14 12:00]
    assert (m.setbacks_30d, m.setbacks_90d, m.days_since_setback) == (2, 2, 2)
    # trust as of Jan 17 12:00 was (2+4+3+3)/4 = 3.0: no drop
    assert (m.risk, m.risk_reasons) == ("medium", ["setbacks_30d==2"])


def test_ana_leo_week_8(ana_leo):
    m = compute_metrics(ana_leo, at(2025, 3, 3, 21))  # Monday of week 8, after both check-ins
    assert m.stage == "honest_conversations"
    # window (Feb 3 21:00, Mar 3 21:00]: week 4's check-ins (20:00, 20:30) fall just outside;
    # w5 (3, 3), w6 (4, -), w7 (4, 4), w8 (4, 4) = 26 / 7 = 3.714
    assert m.trust_score == 3.71
    # span: the last 56 days (Jan 6 21:00, Mar 3 21:00] (the case is 56 d 12 h old),
    # 8 whole weeks x 2 people = 16 expected; weeks 1..8 hold 16 - 2 skipped = 14
    assert m.checkin_adherence == 0.88  # 14 / 16 = 0.875, half up
    # conflicts (3+2) + 3 + (1+1) + (1+1) = 12 / 2 / 4
    assert m.conflicts_per_week == 1.5
    # Feb 12 only in (Feb 1 21:00, Mar 3 21:00]; Mar 3 - Feb 12 = 19 days
    assert (m.setbacks_30d, m.setbacks_90d, m.days_since_setback) == (1, 2, 19)
    assert (m.risk, m.risk_reasons) == ("low", [])
    assert m.next_checkin_due == at(2025, 3, 10, 20, 30)


def test_ana_leo_significant_change(ana_leo):
    # threshold baseline 3.0 + 2.0 = 5.0. Every 28-day window of calendar days holds exactly
    # four Mondays, so the score at the end of any day of week k is the mean of weeks k-3..k:
    # week 23: w20..w23 = 4, 5, 5, 5 -> 4.75 (no); week 24: w21..w24 = 5, 5, 5, 6 -> 5.25 (yes)
    # so D = Monday of week 24 = 2025-06-23, 168 days after 2025-01-06; 168 / 30.44 = 5.52
    before = compute_metrics(ana_leo, at(2025, 6, 22, 23))
    assert before.significant_change_on is None
    assert before.days_to_significant_change is None
    m = compute_metrics(ana_leo, at(2025, 6, 24, 12))
    assert m.significant_change_on == date(2025, 6, 23)
    assert m.days_to_significant_change == 168
    assert m.months_to_significant_change == 5.5
    # the day of as_of counts on what happened by then: at 20:15 Ana's 6 is in, Leo's not:
    # days May 27..Jun 23 hold w21..w23 (5 x 6) + Ana's 6 = 36 / 7 = 5.14 >= 5.0
    provisional = compute_metrics(ana_leo, at(2025, 6, 23, 20, 15))
    assert provisional.significant_change_on == date(2025, 6, 23)
    # while the instant window (May 26 20:15, Jun 23 20:15] also still holds Leo's May 26
    # 20:30 check-in (4): (4 + 30 + 6) / 8
    assert provisional.trust_score == 5.0


def test_ana_leo_at_closing_and_after(ana_leo):
    m = compute_metrics(ana_leo, ANA_LEO_CLOSED)
    assert (m.stage, m.status) == ("moving_forward", "closed")
    # window (Oct 8 12:00, Nov 5 12:00]: weeks 40..43, all 8
    assert (m.trust_score, m.emotional_safety, m.communication_ease) == (8.0, 9.0, 7.0)
    assert m.conflicts_per_week == 0.0
    assert m.baseline == 3.0
    # (Sep 10 12:00, Nov 5 12:00]: weeks 36..43 = 16 check-ins / (2 x 8)
    assert m.checkin_adherence == 1.0
    # no setback since Feb 12: Nov 5 - Feb 12 = 266 days
    assert (m.setbacks_30d, m.setbacks_90d, m.days_since_setback) == (0, 0, 266)
    assert (m.risk, m.risk_reasons) == ("low", [])
    assert m.next_checkin_due is None  # closed
    assert m.significant_change_on == date(2025, 6, 23)

    later = compute_metrics(ana_leo, at(2025, 12, 31, 12))
    assert later.trust_score is None  # nobody checks in on a closed case
    assert later.checkin_adherence == 1.0  # the span ends at the closing (decision 6)
    assert (later.risk, later.risk_reasons) == ("low", [])  # no "no check-in" while closed
    assert later.significant_change_on == date(2025, 6, 23)
    assert later.days_since_setback == 322  # Dec 31 - Feb 12


# ---------------------------------------------------------------------- (b) Maya & Chris
MAYA_OPENED = at(2025, 3, 3, 10)  # a Monday
MAYA_CLOSED = at(2025, 9, 1, 10)
MAYA_WEEKS = 21  # weeks 0..20: Mar 3 .. Jul 21, then they stop checking in
MAYA_SETBACKS = [(at(2025, 5, 7, 12), 2), (at(2025, 5, 21, 12), 2), (at(2025, 6, 4, 12), 3),
                 (at(2025, 6, 18, 12), 2), (at(2025, 7, 2, 12), 3), (at(2025, 7, 16, 12), 3)]


def maya_chris_trust(k: int) -> tuple[int, int]:
    if k <= 8:
        return (5, 6) if k == 2 else (4, 6)  # week sums 10 (11 in week 2)
    return (3, 5) if k <= 12 else (1, 3)  # week sums 8, then 4


def maya_and_chris() -> list[Any]:
    s = Story(kind="couple", title="Maya and Chris", approach="self_guided",
              breach_category="digital_secrecy", breach_summary="Chris's online affair.",
              occurred_at=MAYA_OPENED)
    s.on(MAYA_OPENED, "add_participant", MAYA, "partner")
    s.on(MAYA_OPENED, "add_participant", CHRIS, "partner")
    for k in range(MAYA_WEEKS):
        monday = MAYA_OPENED.replace(hour=0) + timedelta(weeks=k)
        maya, chris = maya_chris_trust(k)
        conflicts = (2, 3) if k <= 12 else (4, 5)
        s.on(monday + timedelta(hours=19), "record_check_in", participant_id=MAYA,
             conflicts=conflicts[0], **ratings(maya))
        s.on(monday + timedelta(hours=19, minutes=30), "record_check_in", participant_id=CHRIS,
             conflicts=conflicts[1], **ratings(chris))
    s.on(at(2025, 4, 1, 10), "advance_stage", "honest_conversations")
    s.on(at(2025, 4, 16, 12), "raise_red_flag", "defensive_about_devices", "Hides his phone.")
    s.on(at(2025, 5, 12, 10), "change_approach", "ai_assisted", "Worksheets stalled.")
    for when, severity in MAYA_SETBACKS:
        s.on(when, "record_setback", severity, "Blame game.")
    s.on(MAYA_CLOSED, "close", "released")
    return s.play()


@pytest.fixture(scope="module")
def maya_events() -> list[Any]:
    return maya_and_chris()


@pytest.fixture(scope="module")
def maya(maya_events) -> CaseFacts:
    return facts_of(maya_events)


FLAG = "open_red_flag:defensive_about_devices"


@pytest.mark.parametrize("when, risk, reasons", [
    # nothing wrong yet
    (at(2025, 4, 10, 12), "low", []),
    # the flag is raised
    (at(2025, 4, 16, 12), "medium", [FLAG]),
    # May 7 and May 21 in (Apr 21, May 21]; trust 4.25 vs 5.0 a month before: no drop
    (at(2025, 5, 21, 12), "medium", [FLAG, "setbacks_30d==2"]),
    (at(2025, 6, 4, 11, 59, 59), "medium", [FLAG, "setbacks_30d==2"]),
    # May 7, May 21, Jun 4 in (May 5 12:00, Jun 4 12:00]: risk turns high
    (at(2025, 6, 4, 12), "high", ["setbacks_30d>=3"]),
    # (May 7 12:00, Jun 6 12:00] has lost May 7: two again; trust 3.5 vs 4.75: no drop
    (at(2025, 6, 6, 12), "medium", [FLAG, "setbacks_30d==2"]),
    # (May 26 19:00, Jun 23 19:00]: Chris w12 5 + w13..w15 (1+3) x 3 + Maya w16 1 = 18 / 8
    # = 2.25; (Apr 28 19:00, May 26 19:00]: Chris w8 6 + w9..w11 8 x 3 + Maya w12 3 = 33 / 8
    # = 4.125; a drop of 1.875
    (at(2025, 6, 23, 19), "medium", [FLAG, "setbacks_30d==2"]),
    # at Chris's check-in: w13..w16 = 16 / 8 = 2.0 vs w9..w12 = 32 / 8 = 4.0: a drop of 2.0
    (at(2025, 6, 23, 19, 30), "high", ["trust_drop>=2.0"]),
    # Jun 4, Jun 18, Jul 2 in (Jun 2 12:00, Jul 2 12:00]; trust 2.0 vs 3.5: no drop
    (at(2025, 7, 2, 12), "high", ["setbacks_30d>=3"]),
    # Jun 18, Jul 2, Jul 16
    (at(2025, 7, 16, 12), "high", ["setbacks_30d>=3"]),
    # last check-in Jul 21 19:30: exactly 14 days later is not "more than" two periods
    (at(2025, 8, 4, 19, 30), "medium", [FLAG]),
    (at(2025, 8, 4, 19, 31), "medium", [FLAG, "no_checkin_2_periods"]),
    (at(2025, 8, 20, 12), "medium", [FLAG, "no_checkin_2_periods"]),
    # closed: no check-ins are expected any more, the flag is still open
    (MAYA_CLOSED, "medium", [FLAG]),
])
def test_maya_chris_risk(maya, when, risk, reasons):
    m = compute_metrics(maya, when)
    assert (m.risk, m.risk_reasons) == (risk, reasons)


def test_maya_chris_figures(maya):
    m = compute_metrics(maya, at(2025, 6, 25, 12))  # Wednesday of week 16
    # first three check-ins: Maya w0 4, Chris w0 6, Maya w1 4 -> 14 / 3
    assert m.baseline == 4.67
    # (May 28 12:00, Jun 25 12:00]: w13..w16, (1 + 3) x 4 = 16 / 8
    assert (m.trust_score, m.emotional_safety, m.communication_ease) == (2.0, 3.0, 1.0)
    # conflicts (4 + 5) x 4 = 36 / 2 / 4
    assert m.conflicts_per_week == 4.5
    # (May 26 12:00, Jun 25 12:00]: Jun 4, Jun 18; 90 days: all four so far; Jun 25 - Jun 18
    assert (m.setbacks_30d, m.setbacks_90d, m.days_since_setback) == (2, 4, 7)
    assert m.open_red_flags == ["defensive_about_devices"]
    # 2.0 vs 4.0 as of May 28 (w9..w12)
    assert (m.risk, m.risk_reasons) == ("high", ["trust_drop>=2.0"])
    # baseline + 2.0 = 6.67 is never reached
    assert m.significant_change_on is None

    closed = compute_metrics(maya, MAYA_CLOSED)
    assert (closed.status, closed.stage) == ("closed", "honest_conversations")
    assert closed.trust_score is None and closed.conflicts_per_week is None
    # span (Jul 7 10:00, Sep 1 10:00]: weeks 18..20 = 6 check-ins / (2 x 8 weeks)
    assert closed.checkin_adherence == 0.38  # 0.375 half up
    # (Jun 3 10:00, Sep 1 10:00]: Jun 4, Jun 18, Jul 2, Jul 16; Sep 1 - Jul 16 = 47 days
    assert (closed.setbacks_30d, closed.setbacks_90d, closed.days_since_setback) == (0, 4, 47)
    assert closed.next_checkin_due is None


def test_maya_chris_weekly_series(maya):
    series = weekly_series(maya, at(2025, 7, 3, 12))  # Thursday of week 17
    assert [p.week_start for p in series] == [
        date(2025, 3, 3) + timedelta(weeks=k) for k in range(18)]
    # figures at each Sunday 23:59:59.999999: weeks 0..5 low, the flag from week 6; week 16
    # (end Jun 29): w13..w16 = 2.0 vs w9..w12 = 4.0 -> high; the setbacks never make three
    # at a week's end ((May 9, Jun 8] holds May 21 and Jun 4 only); the current week is
    # taken at as_of, Jul 3 12:00, when Jun 4, Jun 18 and Jul 2 are within 30 days
    assert [p.risk for p in series] == ["low"] * 6 + ["medium"] * 10 + ["high", "high"]
    assert [p.check_ins for p in series] == [2] * 18
    assert [p.setbacks for p in series] == [0] * 9 + [1, 0, 1, 0, 1, 0, 1, 0, 1]
    # trust: w0 10/2, w0..w1 20/4, w0..w2 31/6 = 5.167, w0..w3 41/8 = 5.125 (half up),
    # w1..w4 41/8, w2..w5 41/8, w3..w6 40/8
    assert [p.trust_score for p in series[:7]] == [5.0, 5.0, 5.17, 5.13, 5.13, 5.13, 5.0]
    # w16: 2.0; w17 at Jul 3: w14..w17 = 2.0
    assert [p.trust_score for p in series[16:]] == [2.0, 2.0]
    assert series[0].emotional_safety == 6.0 and series[0].communication_ease == 4.0
    # the week-end reading of week 17 (Jul 6) is medium again: Jun 4 has left the 30 days
    assert weekly_series(maya, at(2025, 7, 6, 23, 59, 59, 999999))[-1].risk == "medium"


# ---------------------------------------------------------------------- (c) a family
FAMILY_OPENED = at(2025, 2, 3, 10)  # a Monday
# rounds every 14 days from Feb 3; (Rosa, Tom, Sam, Lucia); None: no check-in
FAMILY_ROUNDS = [
    (3, 5, 2, None),     # Feb 3
    (4, 5, 3, None),     # Feb 17
    (4, 6, None, None),  # Mar 3: Sam skips
    (5, 6, 4, None),     # Mar 17
    (6, None, 5, 7),     # Mar 31: Tom skips; grandmother Lucia joined Mar 20
    (6, 7, None, 7),     # Apr 14: Sam skips
    (7, 8, 6, 8),        # Apr 28
]


def family() -> list[Any]:
    s = Story(kind="family", title="The Alves family", approach="therapy_guided",
              breach_category="neglect", breach_summary="Years of absence.", cadence_days=14,
              occurred_at=FAMILY_OPENED)
    for person, relation in ((ROSA, "mother"), (TOM, "father"), (SAM, "son")):
        s.on(FAMILY_OPENED, "add_participant", person, relation)
    s.on(at(2025, 3, 20, 10), "add_participant", LUCIA, "grandmother")
    for r, values in enumerate(FAMILY_ROUNDS):
        day = FAMILY_OPENED.replace(hour=18) + timedelta(days=14 * r)
        for i, (person, trust) in enumerate(zip((ROSA, TOM, SAM, LUCIA), values)):
            if trust is not None:
                s.on(day + timedelta(minutes=10 * i), "record_check_in", participant_id=person,
                     conflicts=1, **ratings(trust))
    for week in range(12):  # Sundays Feb 9 .. Apr 27
        s.on(at(2025, 2, 9, 19) + timedelta(weeks=week), "practice_ritual", "family_dinner")
    for when in (at(2025, 2, 28, 19), at(2025, 3, 28, 19), at(2025, 4, 25, 19)):
        s.on(when, "practice_ritual", "regret_circle")
    return s.play()


@pytest.fixture(scope="module")
def family_facts() -> CaseFacts:
    return facts_of(family())


def test_family_rituals_and_participants(family_facts):
    assert family_facts.rituals == {"family_dinner": 12, "regret_circle": 3}
    assert family_facts.rituals_practiced == 15
    assert family_facts.cadence_days == 14
    assert len(family_facts.participants) == 4


def test_family_metrics(family_facts):
    m = compute_metrics(family_facts, at(2025, 4, 30, 12))
    # (Apr 2 12:00, Apr 30 12:00]: Apr 14 (6, 7, 7) + Apr 28 (7, 8, 6, 8) = 49 / 7
    assert (m.trust_score, m.emotional_safety, m.communication_ease) == (7.0, 8.0, 6.0)
    # first three: Rosa 3, Tom 5, Sam 2 (18:00, 18:10, 18:20 on Feb 3) = 10 / 3
    assert m.baseline == 3.33
    # span (Mar 5 12:00, Apr 30 12:00] = 56 days = 4 periods of 14 days; 4 participants
    # (Lucia included) -> 16 expected; Mar 17: 3, Mar 31: 3, Apr 14: 3, Apr 28: 4 = 13
    assert m.checkin_adherence == 0.81  # 13 / 16 = 0.8125
    # 7 conflicts / 4 people who checked in / 4 = 0.4375
    assert m.conflicts_per_week == 0.44
    # threshold 10/3 + 2 = 5.33. A 28-day window of days always holds two rounds:
    # Feb 17: (10 + 12) / 6 = 3.67; Mar 3: (12 + 10) / 5 = 4.4; Mar 17: (10 + 15) / 5 = 5.0;
    # Mar 31: (15 + 18) / 6 = 5.5 >= 5.33 -> 56 days after Feb 3; 56 / 30.44 = 1.84
    assert m.significant_change_on == date(2025, 3, 31)
    assert (m.days_to_significant_change, m.months_to_significant_change) == (56, 1.8)
    assert (m.risk, m.risk_reasons) == ("low", [])
    assert m.next_checkin_due == at(2025, 5, 12, 18, 30)  # Lucia's Apr 28 18:30 + 14 days


@pytest.mark.parametrize("when, adherence", [
    # 7 days 2 hours since opening: no 14-day period yet
    (at(2025, 2, 10, 12), None),
    # 17 days 2 hours: 1 period x 3 participants = 3 expected, 6 recorded -> capped
    (at(2025, 2, 20, 12), 1.0),
    # 50 days 2 hours since opening: 3 periods x 4 participants (Lucia since Mar 20) = 12;
    # Feb 3: 3, Feb 17: 3, Mar 3: 2, Mar 17: 3 = 11 -> 0.9167
    (at(2025, 3, 25, 12), 0.92),
])
def test_family_adherence(family_facts, when, adherence):
    assert compute_metrics(family_facts, when).checkin_adherence == adherence


def test_family_cadence_of_14_days_for_the_missing_check_in_rule(family_facts):
    # last check-in Apr 28 18:30; two periods of 14 days end May 26 18:30
    assert compute_metrics(family_facts, at(2025, 5, 26, 18, 30)).risk == "low"
    late = compute_metrics(family_facts, at(2025, 5, 27, 12))
    assert (late.risk, late.risk_reasons) == ("medium", ["no_checkin_2_periods"])
    early = compute_metrics(family_facts, at(2025, 2, 10, 12))
    assert (early.trust_score, early.baseline) == (3.33, 3.33)  # 10 / 3, the first round


# ---------------------------------------------------------------------- (d) a workplace
WORK_OPENED = at(2025, 1, 13, 10)
STEPS = [  # (step, occurred_at), in the order they happened
    ("public_acknowledgment", at(2025, 1, 15, 10)),
    ("transparent_facts", at(2025, 1, 29, 10)),
    ("accountability", at(2025, 2, 12, 10)),
    ("open_forums", at(2025, 3, 5, 10)),
    ("external_audit", at(2025, 4, 2, 10)),
    ("ongoing_updates", at(2025, 5, 7, 10)),
    ("renewal_ritual", at(2025, 6, 18, 10)),
    ("trust_measurement", at(2025, 7, 16, 10)),
]
PULSES = [
    (at(2025, 2, 14, 12), [4, 5, 3]),
    (at(2025, 4, 15, 12), [4, 5, 6, 5, 6, 7]),
    (at(2025, 7, 15, 12), [6, 7, 8, 7, 6, 8, 7, 9, 6, 7, 8, 7]),
]


def workplace() -> tuple[list[Any], datetime]:
    """The audit's report is written up only after the May update: recorded late, back-dated.

    Returns the events and an instant between recording those two."""
    case = Case.open(tenant=TENANT, kind="workplace", title="Northwind data breach",
                     approach="self_guided", breach_category="data_breach",
                     breach_summary="Customer data leaked.", occurred_at=WORK_OPENED)
    for step, when in STEPS[:4]:
        case.complete_program_step(step, occurred_at=when)
    for when, scores in PULSES[:2]:
        case.record_trust_pulse(scores, occurred_at=when)
    case.complete_program_step("ongoing_updates",
        reason="The audit report ran late; the updates could not wait.", occurred_at=STEPS[5][1])
    time.sleep(0.002)
    between = datetime.now(UTC)
    time.sleep(0.002)
    case.complete_program_step("external_audit", occurred_at=STEPS[4][1])
    case.record_trust_pulse(PULSES[2][1], occurred_at=PULSES[2][0])
    for step, when in STEPS[6:]:
        case.complete_program_step(step, occurred_at=when)
    return list(case.collect_events()), between


@pytest.fixture(scope="module")
def work() -> tuple[CaseFacts, datetime]:
    events, between = workplace()
    return facts_of(events), between


def test_workplace_progress(work):
    facts, _ = work
    march = workplace_progress(facts, at(2025, 3, 1, 12))
    assert march.steps_done == ["public_acknowledgment", "transparent_facts", "accountability"]
    assert (march.steps_completed, march.progress) == (3, 0.375)  # 3 / 8
    # 3 responses: hidden
    assert march.pulses == [PulsePoint(at(2025, 2, 14, 12), 3, None, False)]

    mid_july = workplace_progress(facts, at(2025, 7, 15, 12))
    # the back-dated audit sits at its own date, before the May update
    assert mid_july.steps_done == [s for s, _ in STEPS[:7]]
    assert (mid_july.steps_completed, mid_july.progress) == (7, 0.875)
    assert mid_july.pulses == [
        PulsePoint(at(2025, 2, 14, 12), 3, None, False),
        PulsePoint(at(2025, 4, 15, 12), 6, 5.5, True),  # 33 / 6
        PulsePoint(at(2025, 7, 15, 12), 12, 7.17, True),  # 86 / 12 = 7.1667
    ]
    done = workplace_progress(facts, at(2025, 7, 31))
    assert (done.steps_done, done.steps_completed, done.progress) == (
        [s for s, _ in STEPS], 8, 1.0)
    # The May update was recorded before the audit, with the reason it could not wait.
    assert [(s.step, s.reason) for s in done.out_of_order] == [
        ("ongoing_updates", "The audit report ran late; the updates could not wait.")]
    assert march.out_of_order == []


def test_workplace_progress_as_the_record_stood(work):
    facts, between = work
    then = workplace_progress(facts, at(2025, 7, 31), known_at=between)
    # before the audit and the July pulse were written down
    assert then.steps_done == ["public_acknowledgment", "transparent_facts", "accountability",
                               "open_forums", "ongoing_updates"]
    assert then.progress == 0.625  # 5 / 8
    assert [p.responses for p in then.pulses] == [3, 6]


# ---------------------------------------------------------------------- outcome analytics
def test_outcome_analytics(ana_leo, maya):
    end = at(2025, 12, 31)
    a, b = outcome_summary(ana_leo, end), outcome_summary(maya, end)
    assert a == OutcomeSummary(closed=True, outcome="reconciled", approach="therapy_guided",
                               months_to_significant_change=5.5)
    # Maya and Chris moved from worksheets to AI prompts on May 12: they closed ai_assisted
    assert b == OutcomeSummary(closed=True, outcome="released", approach="ai_assisted",
                               months_to_significant_change=None)
    assert aggregate_outcomes([a, b]) == [
        ApproachOutcome("therapy_guided", 1, 1, 1.0, 5.5),
        ApproachOutcome("self_guided", 0, 0, None, None),
        ApproachOutcome("ai_assisted", 1, 0, 0.0, None),
        ApproachOutcome("passive", 0, 0, None, None),
    ]
    # before it closed, the case is open and counts nowhere
    summer = outcome_summary(maya, at(2025, 8, 1))
    assert (summer.closed, summer.approach) == (False, "ai_assisted")
    assert aggregate_outcomes([summer])[2] == ApproachOutcome("ai_assisted", 0, 0, None, None)


def test_median_months_of_several_reconciled_cases():
    summaries = [OutcomeSummary(True, "reconciled", "self_guided", m) for m in (5.5, 8.0)]
    summaries += [OutcomeSummary(True, "reconciled", "self_guided", None),
                  OutcomeSummary(True, "withdrawn", "self_guided", None)]
    row = aggregate_outcomes(summaries)[1]
    # 3 of 4 reconciled; median of 5.5 and 8.0 = 6.75 -> 6.8 (half up)
    assert row == ApproachOutcome("self_guided", 4, 3, 0.75, 6.8)


# ---------------------------------------------------------------------- as_of, known_at, JSON
@pytest.mark.parametrize("when", [
    at(2025, 3, 3, 10), at(2025, 4, 16, 12), at(2025, 5, 26, 19, 15), at(2025, 6, 4, 12),
    at(2025, 6, 23, 19, 30), at(2025, 8, 20), MAYA_CLOSED, at(2025, 12, 1),
])
def test_as_of_equals_folding_only_what_had_happened(maya_events, maya, when):
    early = facts_of([e for e in maya_events if e.occurred_at <= when])
    assert compute_metrics(maya, when) == compute_metrics(early, when)
    assert weekly_series(maya, when) == weekly_series(early, when)
    assert outcome_summary(maya, when) == outcome_summary(early, when)


@pytest.mark.parametrize("when", [at(2025, 1, 6, 20, 30), at(2025, 2, 14, 12),
                                  at(2025, 6, 23, 20, 15), ANA_LEO_CLOSED])
def test_as_of_equals_folding_only_what_had_happened_ana_leo(ana_leo_events, ana_leo, when):
    early = facts_of([e for e in ana_leo_events if e.occurred_at <= when])
    assert compute_metrics(ana_leo, when) == compute_metrics(early, when)


def test_known_at_leaves_out_what_was_recorded_later():
    opened = at(2025, 1, 6, 9)
    case = Case.open(tenant=TENANT, kind="couple", title="Ana and Leo", approach="self_guided",
                     breach_category="dishonesty", breach_summary="Lies.", occurred_at=opened)
    case.add_participant(ANA, occurred_at=opened)
    case.add_participant(LEO, occurred_at=opened)
    for day, trust in ((6, 4), (13, 6), (20, 8)):
        case.record_check_in(participant_id=ANA, conflicts=0, occurred_at=at(2025, 1, day, 20),
                             **ratings(trust))
    flag = case.raise_red_flag("no_transparency", occurred_at=at(2025, 1, 8, 12))
    time.sleep(0.002)
    known_at = datetime.now(UTC)
    time.sleep(0.002)
    # Leo's paper check-in of Jan 10 is typed in later; the flag is resolved later, back-dated
    case.record_check_in(participant_id=LEO, conflicts=2, occurred_at=at(2025, 1, 10, 12),
                         **ratings(2))
    case.resolve_red_flag(flag, occurred_at=at(2025, 1, 22, 12))
    facts = facts_of(list(case.collect_events()))
    assert [c.trust for c in facts.check_ins] == [4, 2, 6, 8]  # occurred_at order
    assert isinstance(facts.check_ins[1], CheckIn) and facts.check_ins[1].participant_id == str(LEO)

    T = at(2025, 1, 24, 12)
    now = compute_metrics(facts, T)
    # 4 + 2 + 6 + 8 = 20 / 4; first three by occurred_at 4, 2, 6 = 12 / 3
    assert (now.trust_score, now.baseline) == (5.0, 4.0)
    assert (now.risk, now.open_red_flags) == ("low", [])
    then = compute_metrics(facts, T, known_at=known_at)
    # 4 + 6 + 8 = 18 / 3, baseline the same three
    assert (then.trust_score, then.baseline) == (6.0, 6.0)
    assert (then.risk, then.risk_reasons) == ("medium", ["open_red_flag:no_transparency"])
    # conflicts: (0 + 2) / 2 people / 4 now; 0 / 1 / 4 then
    assert (now.conflicts_per_week, then.conflicts_per_week) == (0.25, 0.0)

    with pytest.raises(ValueError):
        compute_metrics(facts, T, known_at=facts.opened_recorded_at - timedelta(seconds=1))
    with pytest.raises(ValueError):
        compute_metrics(facts, opened - timedelta(seconds=1))


def test_json_round_trip(ana_leo, maya, family_facts, work):
    for facts in (ana_leo, maya, family_facts, work[0]):
        text = to_json(facts)
        assert ": " not in text and ", " not in text  # compact
        again = from_json(text)
        assert again == facts
        assert to_json(again) == text
        assert compute_metrics(again, at(2025, 12, 31)) == compute_metrics(facts, at(2025, 12, 31))


# ---------------------------------------------------------------------- performance
def test_ten_thousand_check_ins_compute_fast():
    opened = at(2011, 1, 3, 9)
    case = Case.open(tenant=TENANT, kind="couple", title="A long case", approach="passive",
                     breach_category="other", breach_summary="Long.", occurred_at=opened)
    case.add_participant(ANA, occurred_at=opened)
    case.add_participant(LEO, occurred_at=opened)
    for i in range(10_000):  # two a day for 5,000 days; trust 4, 5, 6, ...: never a change
        case.record_check_in(participant_id=ANA if i % 2 else LEO, conflicts=i % 3,
                             occurred_at=opened + timedelta(days=i // 2, hours=10 + i % 2),
                             **ratings(4 + i % 3))
        if i % 500 == 0:
            case.record_setback(1, "A slip.", occurred_at=opened + timedelta(days=i // 2))
    facts = facts_of(list(case.collect_events()))
    assert len(facts.check_ins) == 10_000
    as_of = opened + timedelta(days=5_001)
    best = float("inf")
    for _ in range(5):
        started = time.perf_counter()
        m = compute_metrics(facts, as_of)
        best = min(best, time.perf_counter() - started)
    print(f"\ncompute_metrics over 10,000 check-ins: {best * 1000:.1f} ms")
    assert m.significant_change_on is None  # the whole history was scanned
    assert best < 0.5
