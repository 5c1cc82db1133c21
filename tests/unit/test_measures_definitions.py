"""The definitions as data: what ships, lookup by version, and definitions that refuse to be
built when they contradict themselves."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mend.domain.errors import NotFound
from mend.domain.measures import (
    INSTRUMENTS, SHIPPED, Band, CutOff, Item, Registry, SafetyItem, lookup, score,
)
from mend.domain.measures.csi import CSI4, CSI16
from mend.domain.measures.phq import FREQUENCY, GAD7, PHQ9, PHQ_NOTICE


def test_the_registry_holds_the_four_shipped_instruments_by_key():
    assert set(INSTRUMENTS) == {"phq9", "gad7", "csi16", "csi4"}
    assert INSTRUMENTS["phq9"] is PHQ9 and INSTRUMENTS["csi4"] is CSI4


def test_a_version_is_found_by_key_and_version_and_an_unknown_one_is_not():
    assert lookup("gad7", 1) is GAD7
    with pytest.raises(NotFound):
        lookup("gad7", 2)
    with pytest.raises(NotFound):
        lookup("ors", 1)


def test_an_answer_given_on_an_old_version_is_still_scored_by_that_version():
    renamed = replace(PHQ9, version=2, bands=(Band(0, "None–minimal"),) + PHQ9.bands[1:])
    registry = Registry.of(SHIPPED + (renamed,))
    given = {f"q{n}": 0 for n in range(1, 10)}
    assert registry.latest["phq9"] is renamed
    assert score(registry.lookup("phq9", 1), given).band == "Minimal"
    assert score(registry.lookup("phq9", 2), given).band == "None–minimal"


def test_a_version_cannot_be_defined_twice():
    with pytest.raises(ValueError, match="phq9 v1 is defined twice"):
        Registry.of(SHIPPED + (replace(PHQ9, title="PHQ-9 (edited)"),))


def test_the_shipped_instruments_cannot_be_edited_in_place():
    with pytest.raises(AttributeError):
        PHQ9.title = "Mood check"  # type: ignore[misc]


# The shipped data -------------------------------------------------------------------------------

def test_the_phq9_has_nine_items_on_the_same_four_options_and_its_notice():
    assert [item.key for item in PHQ9.items] == [f"q{n}" for n in range(1, 10)]
    assert all(item.options == FREQUENCY for item in PHQ9.items)
    assert FREQUENCY == ((0, "Not at all"), (1, "Several days"), (2, "More than half the days"),
                         (3, "Nearly every day"))
    assert PHQ9.instructions == ("Over the last 2 weeks, how often have you been bothered by "
                                 "any of the following problems?")
    assert PHQ9.item("q9").wording == (
        "Thoughts that you would be better off dead or of hurting yourself in some way")
    assert PHQ9.safety == (SafetyItem("q9", above=0),)
    assert PHQ9.attribution.notice == PHQ_NOTICE == (
        "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
        "with an educational grant from Pfizer Inc. No permission required to reproduce, "
        "translate, display or distribute.")


def test_the_gad7_has_seven_items_and_the_same_notice():
    assert len(GAD7.items) == 7
    assert GAD7.item("q1").wording == "Feeling nervous, anxious or on edge"
    assert GAD7.attribution.notice == PHQ_NOTICE
    assert (GAD7.cut_off.value, GAD7.reliable_change.points) == (8, 4)


def test_the_csi_options_differ_from_item_to_item():
    sizes = [len(item.options) for item in CSI16.items]
    assert sizes == [7] + [6] * 15
    assert len({item.options for item in CSI16.items}) == 10  # four scales, six word pairs


def test_the_csi4_is_four_of_the_csi16_items_worded_the_same():
    wordings = {item.wording: item.options for item in CSI16.items}
    assert [wordings[item.wording] == item.options for item in CSI4.items] == [True] * 4
    assert [CSI16.item(k).wording for k in ("q1", "q5", "q7", "q10")] == [
        item.wording for item in CSI4.items]


def test_the_csi_cut_offs_are_the_authors():
    assert (CSI16.cut_off.value, CSI16.cut_off.clinical) == (51.5, "below")
    assert (CSI4.cut_off.value, CSI4.cut_off.clinical) == (13.5, "below")
    assert "Funk" in CSI16.attribution.citation and "572–583" in CSI16.attribution.citation


@pytest.mark.parametrize("definition", SHIPPED, ids=lambda d: d.key)
def test_every_shipped_instrument_names_its_authors_and_shows_a_notice(definition):
    assert definition.attribution.authors and definition.attribution.notice
    assert definition.purpose and definition.instructions


# Definitions that contradict themselves ---------------------------------------------------------

@pytest.mark.parametrize("change, complaint", [
    ({"score_range": (0, 30)}, "the items add up to 0–27"),
    ({"bands": (Band(1, "Mild"),)}, "bands must start at 0"),
    ({"bands": (Band(0, "Low"), Band(30, "High"))}, "bands must start at 0 and rise"),
    ({"safety": (SafetyItem("q10", above=0),)}, "safety item q10 is not an item"),
    ({"better": "higher"}, "contradicts 'higher is better'"),
    ({"cut_off": CutOff(10, "below", "typo")}, "contradicts 'lower is better'"),
    ({"items": PHQ9.items + (PHQ9.items[0],)}, "item keys must be present and unique"),
    ({"items": (Item("q1", "Twice", ((0, "No"), (0, "Yes"))),)}, "needs distinct option values"),
])
def test_a_definition_that_contradicts_itself_is_refused_when_built(change, complaint):
    with pytest.raises(ValueError, match=complaint):
        replace(PHQ9, version=99, **change)
