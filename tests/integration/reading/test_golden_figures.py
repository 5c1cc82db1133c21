"""The four golden stories read back: the view's facts and figures, and the HTTP answers,
equal the pure fold of the stored events at every instant, and every hand-worked figure holds.
"""

from __future__ import annotations

import inspect
from dataclasses import asdict
from datetime import datetime
from typing import Any

import pytest

import tests.unit.test_golden_metrics as golden
from mend.platform import schemas as s
from mend.projections.metrics import (
    aggregate_outcomes,
    compute_metrics,
    outcome_summary,
    weekly_series,
    workplace_progress,
)
from tests.integration.reading.world import (
    INSTANTS,
    UTC,
    at,
    dumped,
    hidden_pulses,
    iso,
    metrics_json,
)


# ====================================================================== golden stories
def test_the_stories_were_recorded_through_casework_as_the_unit_module_tells_them(world):
    for case, count in (("ana_leo", 86), ("maya", 42), ("family", 21)):
        events = world.events(case)
        assert sum(type(e).__name__ == "CheckInRecorded" for e in events) == count
        assert [e.originator_version for e in events] == list(range(1, len(events) + 1))
        # occurred_at comes from the story; the store's own time is when it was recorded
        assert all(e.occurred_at.year == 2025 < e.timestamp.year for e in events)
    assert {e.actor_id for e in world.events("ana_leo")} == {world.actors["owner"].account_id}


@pytest.mark.parametrize("case", ["ana_leo", "maya", "family", "work"])
def test_the_facts_read_from_the_view_equal_the_pure_fold_of_the_stored_events(world, case):
    pure = golden.facts_of(world.events(case))
    assert world.view_facts(case) == hidden_pulses(pure)


def _golden_checks() -> list[Any]:
    """Every hand-worked test of the unit module that takes a story's facts or events, with
    its own parameters: they run again below on what the view gives back."""
    takes = {"ana_leo", "maya", "family_facts", "work", "ana_leo_events", "maya_events"}
    found = []
    for name, test in vars(golden).items():
        if not name.startswith("test_") or not callable(test):
            continue
        params = list(inspect.signature(test).parameters)
        fixtures = [p for p in params if p in takes]
        if not fixtures:
            continue
        rows: list[dict[str, Any]] = [{}]
        for mark in getattr(test, "pytestmark", []):
            if mark.name == "parametrize":
                names = [n.strip() for n in mark.args[0].split(",")]
                rows = [dict(zip(names, v if len(names) > 1 else (v,))) for v in mark.args[1]]
        assert set(params) == set(fixtures) | set(rows[0]), name
        for i, row in enumerate(rows):
            label = name if len(rows) == 1 else f"{name}[{i}]"
            found.append(pytest.param(name, fixtures, row, id=label))
    return found


GOLDEN_CHECKS = _golden_checks()


def test_the_golden_checks_cover_all_four_stories():
    names = {p.values[0] for p in GOLDEN_CHECKS}
    assert {
        "test_ana_leo_significant_change",
        "test_maya_chris_risk",
        "test_family_metrics",
        "test_workplace_progress",
        "test_workplace_progress_as_the_record_stood",
        "test_outcome_analytics",
        "test_as_of_equals_folding_only_what_had_happened",
        "test_maya_chris_weekly_series",
    } <= names
    assert len(GOLDEN_CHECKS) > 30


@pytest.mark.parametrize("name, fixtures, row", GOLDEN_CHECKS)
def test_every_hand_worked_figure_holds_on_the_view(world, name, fixtures, row):
    given = {
        "ana_leo": lambda: world.view_facts("ana_leo"),
        "maya": lambda: world.view_facts("maya"),
        "family_facts": lambda: world.view_facts("family"),
        "work": lambda: (world.view_facts("work"), world.between),
        "ana_leo_events": lambda: world.events("ana_leo"),
        "maya_events": lambda: world.events("maya"),
    }
    getattr(golden, name)(**{f: given[f]() for f in fixtures}, **row)


@pytest.mark.parametrize("case", ["ana_leo", "maya", "family", "work"])
def test_figures_through_the_view_equal_the_pure_fold_at_every_instant(world, case):
    view, pure = world.view_facts(case), golden.facts_of(world.events(case))
    for when in INSTANTS[case]:
        assert compute_metrics(view, when) == compute_metrics(pure, when), when
        assert outcome_summary(view, when) == outcome_summary(pure, when), when
        assert workplace_progress(view, when) == workplace_progress(pure, when), when
    end = INSTANTS[case][-1]
    assert weekly_series(view, end) == weekly_series(pure, end)


@pytest.mark.parametrize("case", ["ana_leo", "maya", "family", "work"])
def test_http_metrics_equal_the_pure_fold(world, case):
    pure, case_id = golden.facts_of(world.events(case)), world.cases[case]
    for when in INSTANTS[case][::3] + INSTANTS[case][-9:]:
        answer = world.get("owner", f"/cases/{case_id}/metrics", as_of=when)
        assert answer.status_code == 200, answer.json
        assert answer.json == metrics_json(case_id, compute_metrics(pure, when)), when
    end = INSTANTS[case][-1]
    weekly = world.get("sky", f"/cases/{case_id}/metrics/weekly", as_of=end)
    assert weekly.json == dumped(
        s.WeeklySchema, {"case_id": case_id, "weeks": [asdict(w) for w in weekly_series(pure, end)]}
    )


def test_http_key_figures_of_ana_and_leo(world):
    case_id = world.cases["ana_leo"]
    before = world.get("pat", f"/cases/{case_id}/metrics", as_of=at(2025, 6, 22, 23)).json
    assert before["significant_change_on"] is None and before["baseline"] == 3.0
    m = world.get("pat", f"/cases/{case_id}/metrics", as_of=at(2025, 6, 24, 12)).json
    assert (m["baseline"], m["significant_change_on"]) == (3.0, "2025-06-23")
    assert (m["days_to_significant_change"], m["months_to_significant_change"]) == (168, 5.5)
    closed = world.get("pat", f"/cases/{case_id}/metrics", as_of=golden.ANA_LEO_CLOSED).json
    assert (closed["status"], closed["stage"], closed["trust_score"]) == (
        "closed",
        "moving_forward",
        8.0,
    )
    assert (closed["risk"], closed["next_checkin_due"]) == ("low", None)


@pytest.mark.parametrize(
    "when, risk, reasons",
    next(m.args[1] for m in golden.test_maya_chris_risk.pytestmark if m.name == "parametrize"),
)
def test_http_risk_and_reasons_of_maya_and_chris(world, when, risk, reasons):
    m = world.get("owner", f"/cases/{world.cases['maya']}/metrics", as_of=when).json
    assert (m["risk"], m["risk_reasons"]) == (risk, reasons)
    flags = ["defensive_about_devices"] if when >= at(2025, 4, 16, 12) else []
    assert m["open_red_flags"] == flags


def test_http_workplace_pulses_are_hidden_below_five_responses(world):
    case_id = world.cases["work"]
    march = world.get("owner", f"/cases/{case_id}/progress", as_of=at(2025, 3, 1, 12)).json
    assert (march["steps_completed"], march["progress"]) == (3, 0.375)
    assert march["pulses"] == [
        {
            "occurred_at": "2025-02-14T12:00:00+00:00",
            "responses": 3,
            "mean": None,
            "published": False,
        }
    ]
    july = world.get("owner", f"/cases/{case_id}/progress", as_of=at(2025, 7, 15, 12)).json
    assert [(p["responses"], p["mean"], p["published"]) for p in july["pulses"]] == [
        (3, None, False),
        (6, 5.5, True),
        (12, 7.17, True),
    ]
    assert july["steps_done"] == [step for step, _ in golden.STEPS[:7]]
    then = world.get(
        "owner", f"/cases/{case_id}/progress", as_of=at(2025, 7, 31), known_at=world.between
    ).json
    assert (then["steps_completed"], then["progress"]) == (5, 0.625)
    assert [p["responses"] for p in then["pulses"]] == [3, 6]
    # the timeline never carries a pulse's scores, to anyone: its count, and its mean on the
    # program's series once published
    pulses = [
        e
        for e in world.get("owner", f"/cases/{case_id}/timeline").json["events"]
        if e["type"] == "trust_pulse_recorded"
    ]
    assert [e["data"] for e in pulses] == [
        {"responses": 3, "published": False},
        {"responses": 6, "published": True},
        {"responses": 12, "published": True},
    ]


def test_http_outcome_analytics_over_the_two_closed_stories(world):
    end = datetime.now(UTC)
    expected = aggregate_outcomes(
        [outcome_summary(golden.facts_of(world.events(case)), end) for case in ("ana_leo", "maya")]
    )
    for who in ("owner", "sky"):
        answer = world.get(who, "/analytics/outcomes")
        assert answer.status_code == 200
        assert answer.json == dumped(s.OutcomesSchema, {"approaches": expected})
    rows = {r["approach"]: r for r in answer.json["approaches"]}
    assert rows["therapy_guided"] == {
        "approach": "therapy_guided",
        "closed": 1,
        "reconciled": 1,
        "success_rate": 1.0,
        "median_months_to_change": 5.5,
    }
    assert rows["ai_assisted"] == {
        "approach": "ai_assisted",
        "closed": 1,
        "reconciled": 0,
        "success_rate": 0.0,
        "median_months_to_change": None,
    }
    assert rows["self_guided"]["closed"] == rows["passive"]["closed"] == 0
    # the other tenant's closed case counts only there
    theirs = world.get("other_owner", "/analytics/outcomes").json["approaches"]
    assert [(r["approach"], r["closed"]) for r in theirs if r["closed"]] == [("self_guided", 1)]


def test_caseload_figures_equal_the_metrics_of_the_stories_now(world):
    rows = {r["id"]: r for status in ("open", "closed")
            for r in world.get("sky", "/caseload", status=status).json["cases"]}
    now = datetime.now(UTC)
    for case in ("ana_leo", "maya", "family", "work"):
        m = compute_metrics(golden.facts_of(world.events(case)), now)
        row = rows[str(world.cases[case])]
        assert (row["risk"], row["trust_score"], row["stage"], row["status"]) == (
            m.risk,
            m.trust_score,
            m.stage,
            m.status,
        ), case
        due = m.next_checkin_due.isoformat() if m.next_checkin_due else None
        assert row["next_checkin_due"] == due, case
    assert rows[str(world.cases["family"])]["risk"] == "medium"  # no check-in since April
    assert rows[str(world.cases["ana_leo"])]["last_activity_at"] == iso(golden.ANA_LEO_CLOSED)
