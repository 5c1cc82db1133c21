"""Scoring questionnaires: hand-worked totals, every band edge, reverse keying, safety items, and
answers refused with the item they are wrong about."""

from __future__ import annotations

import pytest

from mend.domain.errors import InvalidValue
from mend.domain.measures import (
    Attribution, Band, CutOff, Instrument, Item, ReliableChange, score,
)
from mend.domain.measures.csi import CSI4, CSI16
from mend.domain.measures.phq import GAD7, PHQ9


def answers(*values: int) -> dict[str, int]:
    return {f"q{n}": value for n, value in enumerate(values, 1)}


def answers_totalling(definition: Instrument, total: int) -> dict[str, int]:
    """Answers adding up to ``total``: each item in turn takes as many points as it can."""
    chosen = {}
    for item in definition.items:
        value = min(max(item.values), total)
        chosen[item.key], total = value, total - value
    assert total == 0
    return chosen


def refused(definition: Instrument, given: dict) -> InvalidValue:
    with pytest.raises(InvalidValue) as caught:
        score(definition, given)
    return caught.value


# PHQ-9 ---------------------------------------------------------------------------------------

def test_a_phq9_is_the_sum_of_its_answers_and_names_its_band():
    result = score(PHQ9, answers(1, 2, 0, 3, 1, 1, 2, 0, 0))
    assert (result.total, result.band, result.clinical, result.safety) == (
        10, "Moderate", True, ())
    assert (result.instrument, result.version) == ("phq9", 1)


@pytest.mark.parametrize("total, band, clinical", [
    (0, "Minimal", False), (4, "Minimal", False), (5, "Mild", False), (9, "Mild", False),
    (10, "Moderate", True), (14, "Moderate", True), (15, "Moderately severe", True),
    (19, "Moderately severe", True), (20, "Severe", True), (27, "Severe", True),
])
def test_every_phq9_band_edge_falls_where_the_manual_puts_it(total, band, clinical):
    result = score(PHQ9, answers_totalling(PHQ9, total))
    assert (result.total, result.band, result.clinical) == (total, band, clinical)


def test_the_lowest_and_highest_phq9_answers_give_0_and_27():
    assert score(PHQ9, answers(*[0] * 9)).total == 0
    assert score(PHQ9, answers(*[3] * 9)).total == 27


def test_no_thoughts_of_self_harm_raise_no_safety_item():
    assert score(PHQ9, answers(3, 3, 3, 3, 3, 3, 3, 3, 0)).safety == ()


@pytest.mark.parametrize("value", [1, 2, 3])
def test_any_thought_of_self_harm_raises_item_9_whatever_the_total(value):
    result = score(PHQ9, answers(0, 0, 0, 0, 0, 0, 0, 0, value))
    assert (result.total, result.band, result.safety) == (value, "Minimal", ("q9",))


# GAD-7 ---------------------------------------------------------------------------------------

def test_a_gad7_is_the_sum_of_its_answers():
    result = score(GAD7, answers(3, 2, 1, 0, 1, 2, 0))
    assert (result.total, result.band, result.clinical) == (9, "Mild", True)


@pytest.mark.parametrize("total, band, clinical", [
    (0, "Minimal", False), (4, "Minimal", False), (5, "Mild", False), (7, "Mild", False),
    (8, "Mild", True), (9, "Mild", True), (10, "Moderate", True), (14, "Moderate", True),
    (15, "Severe", True), (21, "Severe", True),
])
def test_every_gad7_band_edge_and_the_recovery_line_at_8(total, band, clinical):
    result = score(GAD7, answers_totalling(GAD7, total))
    assert (result.total, result.band, result.clinical) == (total, band, clinical)


# CSI -----------------------------------------------------------------------------------------

#: Happy (3), most of the time (4); true items 3, 4, 2, 3; extent items 3, 3, 2, 4; word pairs
#: interesting 4, good 5, full 3, sturdy 2, hopeful 4, enjoyable 3: 3+4+12+12+21 = 52.
SATISFIED_52 = answers(3, 4, 3, 4, 2, 3, 3, 3, 2, 4, 4, 5, 3, 2, 4, 3)


def test_a_csi16_of_52_is_just_outside_notable_dissatisfaction():
    result = score(CSI16, SATISFIED_52)
    assert (result.total, result.band, result.clinical) == (
        52, "No notable relationship dissatisfaction", False)


def test_a_csi16_of_51_is_below_the_cut_off_of_51_5():
    result = score(CSI16, {**SATISFIED_52, "q12": 4})
    assert (result.total, result.band, result.clinical) == (
        51, "Notable relationship dissatisfaction", True)


def test_csi16_points_are_those_printed_on_each_option_not_its_position():
    options = {item.key: dict((label, value) for value, label in item.options)
               for item in CSI16.items}
    assert options["q2"]["All the time"] == 5 and options["q2"]["Never"] == 0
    assert options["q11"]["5 (INTERESTING)"] == 5 and options["q11"]["0 (BORING)"] == 0
    assert options["q12"]["0 (BAD)"] == 0 and options["q12"]["5 (GOOD)"] == 5
    assert options["q15"]["5 (HOPEFUL)"] == 5


def test_the_csi16_runs_from_0_to_81_and_the_csi4_from_0_to_21():
    assert score(CSI16, {i.key: min(i.values) for i in CSI16.items}).total == 0
    assert score(CSI16, {i.key: max(i.values) for i in CSI16.items}).total == 81
    assert score(CSI4, answers(0, 0, 0, 0)).total == 0
    assert score(CSI4, answers(6, 5, 5, 5)).total == 21


@pytest.mark.parametrize("given, total, clinical", [
    ((4, 3, 3, 4), 14, False), ((4, 3, 3, 3), 13, True), ((1, 1, 0, 1), 3, True),
])
def test_a_csi4_below_13_5_is_notable_dissatisfaction(given, total, clinical):
    result = score(CSI4, answers(*given))
    assert (result.total, result.clinical) == (total, clinical)


def test_the_csi_happiness_item_takes_6_but_its_other_items_stop_at_5():
    assert score(CSI4, answers(6, 0, 0, 0)).total == 6
    assert refused(CSI4, answers(0, 6, 0, 0)).field == "q2"


# Reverse keying --------------------------------------------------------------------------------

HOW_OFTEN = ((1, "Never"), (2, "Sometimes"), (3, "Often"), (4, "Always"))
TRUST = Instrument(
    key="trust_check", version=1, title="Trust check", purpose="A test instrument.",
    instructions="How often ...", score_range=(2, 8),
    items=(Item("q1", "I can rely on my partner", HOW_OFTEN),
           Item("q2", "I check my partner's phone", HOW_OFTEN, reverse_keyed=True)),
    bands=(Band(2, "Low"), Band(6, "High")), better="higher",
    cut_off=CutOff(5.5, "below", "test"), reliable_change=ReliableChange(2, "test"),
    attribution=Attribution(("Test",), 2024, "Test notice.", "Test."),
)


@pytest.mark.parametrize("rely, check, total", [(4, 1, 8), (4, 4, 5), (1, 4, 2), (2, 3, 4)])
def test_a_reverse_keyed_item_scores_from_the_other_end_of_its_options(rely, check, total):
    assert score(TRUST, {"q1": rely, "q2": check}).total == total


def test_the_shipped_instruments_carry_their_direction_on_the_options_instead():
    assert not any(item.reverse_keyed for d in (PHQ9, GAD7, CSI16, CSI4) for item in d.items)


# Refusals --------------------------------------------------------------------------------------

def test_an_unanswered_item_is_refused_by_name():
    given = answers(1, 1, 1, 1, 1, 1, 1, 1, 1)
    del given["q5"]
    error = refused(PHQ9, given)
    assert (error.field, error.message) == ("q5", "must be answered")


@pytest.mark.parametrize("value", [4, -1, 99])
def test_a_value_that_is_not_one_of_the_items_options_is_refused_by_name(value):
    error = refused(PHQ9, {**answers(*[0] * 9), "q3": value})
    assert (error.field, error.message) == ("q3", "must be one of 0, 1, 2, 3")


def test_an_item_the_questionnaire_does_not_have_is_refused_by_name():
    error = refused(GAD7, {**answers(*[0] * 7), "q8": 1})
    assert (error.field, error.message) == ("q8", "is not an item of GAD-7")


@pytest.mark.parametrize("value", [True, "2", 2.0, None])
def test_an_answer_that_is_not_a_whole_number_is_refused(value):
    assert refused(PHQ9, {**answers(*[0] * 9), "q1": value}).field == "q1"


def test_answers_that_are_not_a_mapping_are_refused():
    assert refused(PHQ9, [0] * 9).field == "answers"  # type: ignore[arg-type]
