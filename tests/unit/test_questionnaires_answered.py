"""A questionnaire answered on a case: scored by its definition, recorded with its version,
its answers the person's own, and refused, recording nothing, when anything is wrong."""

from __future__ import annotations

import json
from uuid import uuid4

import pytest

from mend.domain.case import Case, visibility_of
from mend.domain.errors import InvalidValue, RuleBroken
from mend.domain.measures.phq import PHQ9
from mend.domain.personal_data import PERSONAL
from mend.projections.summaries import summarise
from tests.unit.test_case_rules import ANA, LEO, case, rejected  # noqa: F401,F811  (a fixture)

#: A PHQ-9 worked by hand: 2+1+3+2+1+2+1+2+1 = 15, the first total of "moderately severe",
#: with item 9 (thoughts of self-harm) answered "Several days".
WORKED = {"q1": 2, "q2": 1, "q3": 3, "q4": 2, "q5": 1, "q6": 2, "q7": 1, "q8": 2, "q9": 1}


def answered(case: Case):
    return [e for e in case.collect_events() if isinstance(e, Case.QuestionnaireAnswered)]


def test_answers_are_scored_and_recorded_with_the_definitions_version(case):
    result = case.answer_questionnaire(participant_id=ANA, instrument="phq9", answers=WORKED)

    assert (result.total, result.band, result.clinical, result.safety) == (
        15, "Moderately severe", True, ("q9",))
    [event] = answered(case)
    assert (event.participant_id, event.instrument, event.version) == (ANA, "phq9", 1)
    assert (event.total, event.band, event.clinical, event.safety) == (
        15, "Moderately severe", True, ["q9"])
    assert json.loads(event.answers) == WORKED
    assert summarise(event) == "PHQ-9: 15 (moderately severe)"


def test_the_answers_are_sealed_with_the_persons_key_and_kept_from_the_partner(case):
    case.answer_questionnaire(participant_id=LEO, instrument="gad7",
                              answers={f"q{n}": 0 for n in range(1, 8)})
    [event] = answered(case)
    assert PERSONAL["mend.domain.case:Case.QuestionnaireAnswered"] == {"answers": "participant"}
    assert visibility_of(event) == "staff"  # never on the partner's timeline


@pytest.mark.parametrize("instrument", ["phq-9", "", "ors", None])
def test_an_instrument_mend_does_not_ship_is_refused_naming_the_field(case, instrument):
    with rejected(case, InvalidValue, "instrument"):
        case.answer_questionnaire(participant_id=ANA, instrument=instrument, answers=WORKED)


def test_a_missing_or_impossible_answer_is_refused_naming_its_item(case):
    with rejected(case, InvalidValue, "q9"):
        case.answer_questionnaire(participant_id=ANA, instrument="phq9",
                                  answers={k: v for k, v in WORKED.items() if k != "q9"})
    with rejected(case, InvalidValue, "q4"):
        case.answer_questionnaire(participant_id=ANA, instrument="phq9",
                                  answers={**WORKED, "q4": 4})


def test_only_a_participant_answers_and_only_on_an_open_case(case):
    with rejected(case, InvalidValue, "participant_id"):
        case.answer_questionnaire(participant_id=uuid4(), instrument="phq9", answers=WORKED)
    case.close(outcome="released")
    with rejected(case, RuleBroken):
        case.answer_questionnaire(participant_id=ANA, instrument="phq9", answers=WORKED)


def test_the_worked_total_is_the_definitions_own_sum():
    assert sum(WORKED.values()) == 15 and PHQ9.band_of(15) == "Moderately severe"
