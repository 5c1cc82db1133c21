"""The form and the answers schema read off a definition: fields in order, choices as printed,
and bad answers refused under the item's own name."""

from __future__ import annotations

import marshmallow as ma
import pytest

from mend.domain.measures import SHIPPED, form_of, score
from mend.platform.schemas.measures import answers_schema
from mend.domain.measures.csi import CSI4, CSI16, WORD_PAIRS
from mend.domain.measures.phq import FREQUENCY, GAD7, PHQ9, PHQ_NOTICE


def zeros(count: int) -> dict[str, int]:
    return {f"q{n}": 0 for n in range(1, count + 1)}


def errors_of(definition, body: dict) -> dict[str, list[str]]:
    with pytest.raises(ma.ValidationError) as caught:
        answers_schema(definition)().load(body)
    return caught.value.messages


def test_the_phq9_form_is_its_items_in_order_with_their_options():
    form = form_of(PHQ9)
    assert (form.instrument, form.version, form.title) == ("phq9", 1, "PHQ-9")
    assert form.instructions == PHQ9.instructions and form.notice == PHQ_NOTICE
    assert [f.name for f in form.fields] == [f"q{n}" for n in range(1, 10)]
    assert form.fields[8].label == PHQ9.item("q9").wording
    assert all(f.choices == FREQUENCY and f.required for f in form.fields)


def test_the_csi16_form_keeps_each_items_own_choices_in_printed_order():
    fields = {f.name: f for f in form_of(CSI16).fields}
    assert [v for v, _ in fields["q1"].choices] == [0, 1, 2, 3, 4, 5, 6]
    assert [v for v, _ in fields["q2"].choices] == [5, 4, 3, 2, 1, 0]
    assert [v for v, _ in fields["q12"].choices] == [0, 1, 2, 3, 4, 5]
    assert fields["q11"].label == "INTERESTING … BORING"
    assert fields["q11"].lead_in == WORD_PAIRS and fields["q10"].lead_in == ""


@pytest.mark.parametrize("definition", SHIPPED, ids=lambda d: d.key)
def test_each_schema_has_one_field_per_item(definition):
    schema = answers_schema(definition)()
    assert list(schema.fields) == [item.key for item in definition.items]


def test_a_complete_payload_loads_unchanged_and_scores():
    body = {**zeros(9), "q2": 3, "q9": 1}
    loaded = answers_schema(PHQ9)().load(body)
    assert loaded == body
    result = score(PHQ9, loaded)
    assert (result.total, result.safety) == (4, ("q9",))


def test_a_missing_answer_is_refused_under_its_item():
    body = zeros(9)
    del body["q9"]
    assert errors_of(PHQ9, body) == {"q9": ["Please answer this question."]}


def test_a_value_outside_the_items_options_is_refused_under_its_item():
    assert errors_of(PHQ9, {**zeros(9), "q3": 4}) == {"q3": ["Must be one of 0, 1, 2, 3."]}


def test_an_unknown_item_is_refused_under_its_own_name():
    assert errors_of(GAD7, {**zeros(7), "q8": 0}) == {"q8": ["Unknown field."]}


@pytest.mark.parametrize("value", ["2", True, 1.5, None])
def test_an_answer_that_is_not_a_whole_number_is_refused(value):
    assert list(errors_of(PHQ9, {**zeros(9), "q1": value})) == ["q1"]


def test_the_csi_schema_allows_6_on_happiness_only():
    assert answers_schema(CSI4)().load({**zeros(4), "q1": 6})["q1"] == 6
    assert errors_of(CSI4, {**zeros(4), "q2": 6}) == {"q2": ["Must be one of 0, 1, 2, 3, 4, 5."]}


def test_a_schema_is_built_once_per_version():
    assert answers_schema(PHQ9) is answers_schema(PHQ9)
    assert answers_schema(PHQ9) is not answers_schema(GAD7)
    assert answers_schema(PHQ9).__name__ == "Phq9V1AnswersSchema"
