"""How the program board reads: each step's state in words, its owner, its evidence, and the
pulses (a mean only once enough people answered), with a chart of the published ones."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from mend.platform.web.charts import pulse_chart
from mend.platform.web.program_board import board_of
from mend.projections.metrics import (
    CompletedStep,
    PulsePoint,
    StepOwnership,
    WorkplaceProgress,
)

UTC = timezone.utc
NOW = datetime(2026, 5, 20, 12, tzinfo=UTC)


def progress(completed=(), owners=(), pulses=()) -> WorkplaceProgress:
    completed = list(completed)
    return WorkplaceProgress(
        steps_done=[c.step for c in completed], steps_completed=len(completed),
        progress=len(completed) / 8, pulses=list(pulses), out_of_order=[],
        completed=completed, owners=list(owners),
    )


def test_steps_read_done_next_and_not_started_in_program_order():
    board = board_of(progress([
        CompletedStep("public_acknowledgment", datetime(2026, 3, 3, 9, tzinfo=UTC),
                      "Said at the all-hands.", ""),
    ]), UTC, NOW)
    assert [c.step for c in board.steps][:3] == [
        "public_acknowledgment", "transparent_facts", "accountability"]
    assert [c.state_words for c in board.steps] == ["Done on 3 March", "Next"] + [
        "Not started"] * 6
    assert board.steps[0].note == "Said at the all-hands."
    assert board.summary == "1 of 8 steps done"
    # Completing a later step now would go before the open ones: its form asks why.
    assert board.steps[1].ahead_of == ""
    assert board.steps[3].ahead_of == "Transparent facts and Accountability"


def test_a_step_taken_out_of_order_says_what_it_went_before_and_why():
    board = board_of(progress([
        CompletedStep("public_acknowledgment", datetime(2026, 3, 3, tzinfo=UTC), "", ""),
        CompletedStep("external_audit", datetime(2026, 3, 9, tzinfo=UTC), "Report filed.",
                      "The regulator came early."),
        CompletedStep("transparent_facts", datetime(2026, 3, 12, tzinfo=UTC), "", ""),
    ]), UTC, NOW)
    audit = board.steps[4]
    assert audit.state_words == "Done on 9 March"
    assert audit.out_of_order == ("Taken before Transparent facts, Accountability and Open "
                                  "forums: The regulator came early.")
    assert board.steps[2].state_words == "Next"  # accountability: the first step not done


def test_days_are_read_in_the_practice_s_zone_with_the_year_when_it_is_another():
    late = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)  # 1 January in Auckland
    board = board_of(progress([CompletedStep("public_acknowledgment", late, "", "")]),
                     ZoneInfo("Pacific/Auckland"), NOW)
    assert board.steps[0].state_words == "Done on 1 January"  # this year, there
    board = board_of(progress([CompletedStep("public_acknowledgment", late, "", "")]), UTC,
                     NOW)
    assert board.steps[0].state_words == "Done on 31 December 2025"


def test_each_step_names_its_owner_or_says_it_has_none():
    board = board_of(progress(owners=[
        StepOwnership("accountability", "an-account-id", "Dana Reyes")]), UTC, NOW)
    assert board.steps[2].owner_words == "Owner: Dana Reyes"
    assert board.steps[2].owner_id == "an-account-id"
    assert board.steps[0].owner_words == "No owner yet" and board.steps[0].owner_id == ""


def test_a_pulse_below_five_answers_shows_only_its_count_and_stays_off_the_chart():
    pulses = [PulsePoint(datetime(2026, 3, 2, tzinfo=UTC), 6, 6.83, True),
              PulsePoint(datetime(2026, 3, 16, tzinfo=UTC), 4, None, False),
              PulsePoint(datetime(2026, 4, 1, tzinfo=UTC), 5, 7.2, True)]
    board = board_of(progress(pulses=pulses), UTC, NOW)
    assert [p.words for p in board.pulses] == [
        "Mean 6.8 from 6 answers",
        "4 answers; results show when the pulse closes with at least 5",
        "Mean 7.2 from 5 answers",
    ]
    [line] = board.chart.lines
    assert len(line.dots) == 2 and len(line.segments) == 1
    assert line.dots[0][0] < line.dots[1][0] and line.dots[1][1] < line.dots[0][1]  # higher
    assert board.chart_words == ("Mean answer of 2 published pulses on a 0 to 10 scale, from "
                                 "2 March to 1 April: 6.8, 7.2.")


def test_pulses_are_placed_by_date_and_none_published_is_an_empty_chart():
    day = [datetime(2026, 3, d, tzinfo=UTC) for d in (1, 2, 31)]
    chart = pulse_chart([PulsePoint(d, 5, 6.0, True) for d in day])
    xs = [x for x, _ in chart.lines[0].dots]
    assert xs[1] - xs[0] < (xs[2] - xs[1]) / 10  # a day apart, then a month
    assert [label for label, _ in chart.x_ticks] == ["1 Mar", "31 Mar"]  # no overlapping dates
    assert pulse_chart([PulsePoint(day[0], 3, None, False)]).empty
    lone = pulse_chart([PulsePoint(day[0], 5, 6.0, True)])
    assert not lone.empty and lone.lines[0].segments == () and len(lone.lines[0].dots) == 1
