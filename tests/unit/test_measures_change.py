"""Reliable change and recovery between two administrations, in each instrument's direction,
with the sentences a client and a practitioner read."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from mend.domain.errors import InvalidValue, RuleBroken
from mend.domain.measures import (
    SHIPPED, ReliabilityFigures, ReliableChange, ThresholdUnknown, classify,
    clinically_significant, jacobson_truax, reliable_change,
)
from mend.domain.measures.csi import CSI4, CSI16
from mend.domain.measures.phq import GAD7, PHQ9


@pytest.mark.parametrize("first, latest, direction, recovered", [
    (18, 11, "improved", False),      # down 7 ≥ 6, but 11 is still 10 or more
    (14, 8, "improved", True),        # down 6 ≥ 6, and from 14 to below 10
    (8, 14, "deteriorated", False),   # up 6
    (12, 8, "no_change", False),      # down 4 < 6: it crosses 10, but not reliably
    (16, 10, "improved", False),      # exactly the threshold counts
    (16, 11, "no_change", False),     # one point short of it
    (7, 1, "improved", False),        # reliable, but never in the clinical range
    (20, 20, "no_change", False),
])
def test_phq9_change_against_worked_examples(first, latest, direction, recovered):
    assert reliable_change(PHQ9, first, latest) == direction
    assert clinically_significant(PHQ9, first, latest) is recovered
    assert classify(PHQ9, first, latest).outcome == ("recovered" if recovered else direction)


@pytest.mark.parametrize("first, latest, outcome", [
    (12, 7, "recovered"),     # down 5 ≥ 4, from 8 or more to below 8
    (12, 8, "improved"),      # down 4, but 8 is still the clinical range
    (10, 7, "no_change"),     # down 3 < 4
    (5, 9, "deteriorated"),   # up 4
])
def test_gad7_change_against_worked_examples(first, latest, outcome):
    assert classify(GAD7, first, latest).outcome == outcome


def test_a_reliable_improvement_short_of_recovery_reads_so_to_both():
    change = classify(PHQ9, 18, 11)
    assert change.for_client == (
        "Your score has come down by 7 points, a change larger than chance would explain.")
    assert change.for_practitioner == (
        "PHQ-9 went from 18 to 11 (down 7 points). Reliable improvement (threshold 6 points); "
        "still in the clinical range (10 or more), so not recovery.")


def test_a_recovery_tells_the_client_where_the_score_now_is():
    change = classify(PHQ9, 14, 8)
    assert change.for_client == (
        "Your score has come down by 6 points, a change larger than chance would explain, and "
        "it is now below 10, the level this questionnaire counts as recovery.")
    assert change.for_practitioner == (
        "PHQ-9 went from 14 to 8 (down 6 points). Reliable improvement (threshold 6 points), "
        "out of the clinical range (10 or more): recovered.")


def test_a_deterioration_is_named_plainly_and_handed_to_the_practitioner():
    change = classify(PHQ9, 8, 14)
    assert change.for_client == (
        "Your score has gone up by 6 points, a change larger than chance would explain. "
        "Your practitioner will go through it with you.")
    assert change.for_practitioner == (
        "PHQ-9 went from 8 to 14 (up 6 points). Reliable deterioration (threshold 6 points); "
        "now in the clinical range (10 or more).")


def test_a_deterioration_says_whether_it_entered_the_clinical_range():
    assert classify(PHQ9, 12, 18).for_practitioner.endswith(
        "; still in the clinical range (10 or more).")
    assert classify(PHQ9, 0, 7).for_practitioner.endswith(
        "; still outside the clinical range (10 or more).")


def test_a_small_change_is_not_passed_off_as_progress():
    change = classify(PHQ9, 12, 8)
    assert change.for_client == (
        "Your score has come down by 4 points, a change small enough that chance alone could "
        "explain it.")
    assert change.for_practitioner == (
        "PHQ-9 went from 12 to 8 (down 4 points). No reliable change (threshold 6 points). "
        "It crossed the cut-off, but by too little to count.")


def test_one_point_is_one_point_and_no_change_is_no_change():
    assert classify(GAD7, 6, 5).for_client.startswith("Your score has come down by 1 point,")
    same = classify(GAD7, 6, 6)
    assert same.for_client == "Your score is the same as at the start."
    assert same.for_practitioner == (
        "GAD-7 went from 6 to 6 (no change). No reliable change (threshold 4 points).")


@pytest.mark.parametrize("first, latest, field", [(28, 10, "first"), (10, -1, "latest"),
                                                  (True, 3, "first"), (10, 9.5, "latest")])
def test_a_total_outside_the_scale_is_refused_by_name(first, latest, field):
    with pytest.raises(InvalidValue) as caught:
        reliable_change(PHQ9, first, latest)
    assert caught.value.field == field


# The CSI: higher is better, and no threshold ships ----------------------------------------------

@pytest.mark.parametrize("definition", [CSI16, CSI4])
def test_the_csi_ships_no_reliable_change_threshold_without_sourced_figures(definition):
    assert definition.reliable_change.points is None
    assert definition.reliable_change.figures is None
    with pytest.raises(ThresholdUnknown):
        reliable_change(definition, 40, 60)
    with pytest.raises(ThresholdUnknown):
        classify(definition, 40, 60)


def test_an_unknown_threshold_is_a_rule_the_platform_already_maps():
    assert issubclass(ThresholdUnknown, RuleBroken)


def test_on_the_csi_lower_totals_are_the_clinical_side():
    assert CSI16.better == "higher"
    assert [CSI16.cut_off.is_clinical(t) for t in (0, 51, 52, 81)] == [True, True, False, False]
    assert [CSI4.cut_off.is_clinical(t) for t in (13, 14)] == [True, False]


#: Illustrative figures for the test only (SD 10, r .90 gives 8.77, so 9 points): not data.
WITH_A_THRESHOLD = replace(CSI16, version=99, reliable_change=ReliableChange.from_figures(
    ReliabilityFigures(sd=10, reliability=0.9, source="test"), basis="test"))


@pytest.mark.parametrize("first, latest, outcome", [
    (40, 52, "recovered"),      # up 12 ≥ 9, from below 51.5 to above it
    (30, 45, "improved"),       # up 15, still below 51.5
    (60, 50, "deteriorated"),   # down 10: on the CSI that is worse
    (50, 45, "no_change"),      # down 5 < 9
])
def test_on_the_csi_going_up_is_improving(first, latest, outcome):
    assert classify(WITH_A_THRESHOLD, first, latest).outcome == outcome


def test_a_csi_recovery_reads_in_the_csi_direction():
    change = classify(WITH_A_THRESHOLD, 40, 52)
    assert change.for_client == (
        "Your score has gone up by 12 points, a change larger than chance would explain, and "
        "it is now 51.5 or more, the level this questionnaire counts as recovery.")
    assert change.for_practitioner.endswith(
        "out of the clinical range (below 51.5): recovered.")


# Jacobson–Truax ---------------------------------------------------------------------------------

def test_the_jacobson_truax_threshold_is_1_96_sd_root_2_root_1_minus_r():
    assert jacobson_truax(10, 0.9) == pytest.approx(8.7654, abs=1e-4)  # 19.6 × √0.2
    assert jacobson_truax(5, 0.84) == pytest.approx(5.5437, abs=1e-4)  # 9.8 × √0.32


def test_a_threshold_from_figures_is_rounded_up_to_a_whole_point():
    figures = ReliabilityFigures(sd=5, reliability=0.84, source="test")
    assert ReliableChange.from_figures(figures, "test").points == 6


def test_a_definition_refuses_a_threshold_its_own_figures_do_not_give():
    figures = ReliabilityFigures(sd=10, reliability=0.9, source="test")
    with pytest.raises(ValueError, match="does not follow from its figures"):
        replace(CSI16, version=99, reliable_change=ReliableChange(8, "typo", figures))


def test_phq9_and_gad7_ship_the_published_thresholds_of_6_and_4_points():
    assert (PHQ9.reliable_change.points, GAD7.reliable_change.points) == (6, 4)
    assert "IAPT" in PHQ9.reliable_change.basis and "IAPT" in GAD7.reliable_change.basis


def test_a_threshold_computed_from_figures_is_the_one_the_definition_carries():
    assert WITH_A_THRESHOLD.reliable_change.points == 9 == math.ceil(jacobson_truax(10, 0.9))
    # A guard for later versions: any shipped definition with figures must agree with them.
    for definition in SHIPPED:
        figures = definition.reliable_change.figures
        if figures is not None:
            assert definition.reliable_change.points == math.ceil(figures.threshold)
