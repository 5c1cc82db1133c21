"""``as_of`` answers equal a second store into which only the events that had happened by then
were recorded; ``known_at`` answers equal one holding only the events the record held then.
"""

from __future__ import annotations

import tests.unit.test_golden_metrics as golden
from mend.projections.metrics import (
    compute_metrics,
    weekly_series,
    workplace_progress,
)
from tests.integration.reading.world import (
    at,
    entry_json,
    hidden_pulses,
    metrics_json,
    timeline_pages,
    uncursored,
)

# ====================================================================== as_of and known_at
VIEWERS = ("owner", "pat", "ana", "leo")


def test_timelines_as_of_a_date_equal_a_store_holding_only_what_had_happened(world, replicas):
    early = replicas["as_of"]
    for case, when in ((c, early.dates[world.cases[c]]) for c in ("home", "maya", "ana_leo")):
        case_id = world.cases[case]
        for who in VIEWERS if case == "home" else ("owner",):
            v = world.viewer(who)
            served = world.view.timeline(v, case_id, as_of=when, limit=1000)
            expected = early.view.timeline(v, case_id, limit=1000)
            assert served and uncursored(served) == uncursored(expected), (case, who)
            if case == "home":
                answer = timeline_pages(world, who, case_id, limit=4, as_of=when)
                assert answer == [entry_json(e) for e in expected]
    # day 6 of "home" holds the late milestone of day 3, and not what came after
    owner_sees = [e.type for e in early.view.timeline(world.viewer("owner"), world.cases["home"])]
    assert "milestone_reached" in owner_sees and "session_noted" in owner_sees
    assert "red_flag_raised" not in owner_sees


def test_metrics_as_of_a_date_equal_a_store_holding_only_what_had_happened(world, replicas):
    early = replicas["as_of"]
    for case in ("home", "maya", "ana_leo"):
        when = early.dates[world.cases[case]]
        folded = golden.facts_of([e for e in world.events(case) if e.occurred_at <= when])
        from_replica = early.facts(world, case)
        assert from_replica == folded
        expected = compute_metrics(folded, when)
        assert compute_metrics(world.view_facts(case), when) == expected
        assert compute_metrics(from_replica, when) == expected
        assert weekly_series(world.view_facts(case), when) == weekly_series(folded, when)
        answer = world.get("owner", f"/cases/{world.cases[case]}/metrics", as_of=when)
        assert answer.json == metrics_json(world.cases[case], expected)
    # the hand-worked figure of the day: Ana's check-in in, Leo's not yet
    provisional = compute_metrics(early.facts(world, "ana_leo"), at(2025, 6, 23, 20, 15))
    assert provisional.significant_change_on.isoformat() == "2025-06-23"
    assert provisional.trust_score == 5.0


def test_timelines_known_at_equal_a_store_holding_only_what_was_recorded_then(world, replicas):
    then = replicas["known_at"]
    case_id = world.cases["home"]
    for who in VIEWERS:
        v = world.viewer(who)
        served = world.view.timeline(v, case_id, known_at=world.home_known, limit=1000)
        expected = then.view.timeline(v, case_id, limit=1000)
        assert uncursored(served) == uncursored(expected), who
        assert len(world.view.timeline(v, case_id, limit=1000)) > len(expected)
        for when in (world.day(3), world.day(6.5), world.day(13)):
            assert uncursored(
                world.view.timeline(v, case_id, as_of=when, known_at=world.home_known, limit=1000)
            ) == uncursored(then.view.timeline(v, case_id, as_of=when, limit=1000))
        answer = timeline_pages(world, who, case_id, limit=5, known_at=world.home_known)
        assert answer == [entry_json(e) for e in expected]
    types = [e.type for e in then.view.timeline(world.viewer("owner"), case_id)]
    assert "milestone_reached" not in types  # recorded later, though back-dated to day 3
    work = world.cases["work"]
    assert uncursored(
        world.view.timeline(world.viewer("owner"), work, known_at=world.between)
    ) == uncursored(then.view.timeline(world.viewer("owner"), work))


def test_metrics_known_at_equal_a_store_holding_only_what_was_recorded_then(world, replicas):
    then = replicas["known_at"]
    for case, known, instants in (
        ("home", world.home_known, [world.day(n) for n in (3, 6.5, 10.5, 13, 21, 25, 29)]),
        ("work", world.between, [at(2025, 3, 1, 12), at(2025, 7, 15, 12), at(2025, 7, 31)]),
    ):
        case_id = world.cases[case]
        folded = golden.facts_of([e for e in world.events(case) if e.timestamp <= known])
        assert then.facts(world, case) == hidden_pulses(folded)
        served = world.view_facts(case)
        for when in instants:
            expected = compute_metrics(folded, when)
            assert compute_metrics(served, when, known) == expected, when
            assert compute_metrics(then.facts(world, case), when) == expected, when
            assert workplace_progress(served, when, known) == workplace_progress(folded, when)
            answer = world.get("owner", f"/cases/{case_id}/metrics", as_of=when, known_at=known)
            assert answer.json == metrics_json(case_id, expected), when
    # as the record stood, the safety flag was open and Ana's day-5 check-in unknown
    stood = world.get(
        "pat",
        f"/cases/{world.cases['home']}/metrics",
        as_of=world.day(21),
        known_at=world.home_known,
    ).json
    now = world.get("pat", f"/cases/{world.cases['home']}/metrics", as_of=world.day(21)).json
    assert stood["open_red_flags"] == ["abuse_history"] and now["open_red_flags"] == []
    assert stood["baseline"] == 6.0  # the first three by occurred_at then: (6 + 7 + 5) / 3
    assert now["baseline"] == 5.0  # 6, 7 and the late day-5 check-in of 2
