"""The request schemas in both modes: a JSON body, and an HTML form body loaded the same way."""

from __future__ import annotations

from datetime import datetime, timezone
from uuid import uuid4
from zoneinfo import ZoneInfo

import marshmallow as ma
import pytest
from werkzeug.datastructures import MultiDict

from mend.domain import commands as cmd
from mend.domain import vocabulary as v
from mend.platform import schemas as s
from mend.platform.forms import form_errors, load_form

BERLIN = ZoneInfo("Europe/Berlin")


def form(*pairs: tuple[str, str]) -> MultiDict:
    return MultiDict(list(pairs))


def errors_of(schema: ma.Schema, body: MultiDict | dict) -> dict[str, list[str]]:
    with pytest.raises(ma.ValidationError) as caught:
        if isinstance(body, MultiDict):
            load_form(schema, body, BERLIN)
        else:
            schema.load(body)
    return form_errors(caught.value)


def test_a_check_in_form_with_numbers_as_text_loads_into_the_same_command_as_json():
    body = load_form(s.CheckInSchema(), form(
        ("trust", "6"), ("emotional_safety", "5"), ("communication_ease", " 7 "),
        ("conflicts", "0"), ("note", "A calm week."), ("csrf_token", "xyz"), ("submit", ""),
    ), BERLIN)
    json_body = s.CheckInSchema().load({
        "trust": 6, "emotional_safety": 5, "communication_ease": 7, "conflicts": 0,
        "note": "A calm week.",
    })
    assert cmd.RecordCheckIn(**body) == cmd.RecordCheckIn(**json_body)


def test_json_stays_strict_about_numbers_sent_as_text():
    errors = errors_of(s.CheckInSchema(), {
        "trust": "6", "emotional_safety": 5, "communication_ease": 7, "conflicts": 0})
    assert list(errors) == ["trust"]


@pytest.mark.parametrize("value", ["six", "6.5", "1e3"])
def test_a_number_field_that_is_not_a_whole_number_is_named(value):
    errors = errors_of(s.CheckInSchema(), form(
        ("trust", value), ("emotional_safety", "5"), ("communication_ease", "7"),
        ("conflicts", "0")))
    assert list(errors) == ["trust"]


def test_a_rating_out_of_range_gets_the_same_message_from_a_form_as_from_json():
    fields = {"trust": 11, "emotional_safety": 5, "communication_ease": 7, "conflicts": 0}
    from_json = errors_of(s.CheckInSchema(), fields)
    from_form = errors_of(s.CheckInSchema(), form(*((k, str(n)) for k, n in fields.items())))
    assert from_form == from_json == {"trust": [f"Must be greater than or equal to "
                                                f"{v.RATING_MIN} and less than or equal to "
                                                f"{v.RATING_MAX}."]}


def test_blank_inputs_count_as_not_sent():
    body = load_form(s.CloseSchema(), form(("outcome", "released"), ("note", ""),
                                           ("occurred_at", "")), BERLIN)
    assert body == {"outcome": "released", "note": "", "occurred_at": None}
    errors = errors_of(s.CheckInSchema(), form(("trust", ""), ("emotional_safety", "5"),
                                               ("communication_ease", "5"), ("conflicts", "0")))
    assert errors == {"trust": ["Missing data for required field."]}


def test_checkboxes_send_on_or_nothing():
    giver, receiver = uuid4(), uuid4()
    body = load_form(s.ApologySchema(), form(
        ("from_id", str(giver)), ("to_ids", str(receiver)), ("text", "I lied to you."),
        ("names_harm", "on"), ("commits_to_change", "on"),
    ), BERLIN)
    assert (body["names_harm"], body["takes_responsibility"], body["commits_to_change"]) == (
        True, False, True)
    assert body["to_ids"] == [receiver]


def test_repeated_keys_make_a_list_and_one_key_a_list_of_one():
    a, b = uuid4(), uuid4()
    many = load_form(s.ApologySchema(), form(
        ("from_id", str(uuid4())), ("to_ids", str(a)), ("to_ids", str(b)), ("to_ids", ""),
        ("text", "Sorry."),
    ), BERLIN)
    assert many["to_ids"] == [a, b]
    pulse = load_form(s.PulseSchema(), form(("scores", "7")), BERLIN)
    assert pulse["scores"] == [7]


def test_a_datetime_local_value_is_read_in_the_tenants_time_zone():
    body = load_form(s.NoteSchema(), form(("occurred_at", "2026-07-01T14:30")), BERLIN)
    assert body["occurred_at"] == datetime(2026, 7, 1, 12, 30, tzinfo=timezone.utc)
    winter = load_form(s.NoteSchema(), form(("occurred_at", "2026-01-15T09:00")), BERLIN)
    assert winter["occurred_at"] == datetime(2026, 1, 15, 8, 0, tzinfo=timezone.utc)
    kept = load_form(s.NoteSchema(), form(("occurred_at", "2026-01-15T09:00+05:00")), BERLIN)
    assert kept["occurred_at"] == datetime(2026, 1, 15, 4, 0, tzinfo=timezone.utc)


def test_a_moment_that_is_not_one_is_named():
    assert list(errors_of(s.NoteSchema(), form(("occurred_at", "next tuesday")))) == [
        "occurred_at"]


def test_nested_inputs_are_named_with_dots_and_errors_come_back_so():
    body = load_form(s.CaseOpenSchema(), form(
        ("kind", "couple"), ("title", "Ana and Leo"), ("approach", "therapy_guided"),
        ("breach.category", "infidelity"), ("breach.summary", "An affair."),
        ("checkin_cadence_days", "14"),
    ), BERLIN)
    assert body["breach"] == {"category": "infidelity", "summary": "An affair."}
    assert body["checkin_cadence_days"] == 14
    errors = errors_of(s.CaseOpenSchema(), form(
        ("kind", "couple"), ("title", "Ana and Leo"), ("approach", "therapy_guided"),
        ("breach.category", "infidelity"), ("breach.summary", "x" * (v.TEXT_MAX + 1)),
    ))
    assert list(errors) == ["breach.summary"]


def test_a_readiness_checklist_answers_unticked_items_no():
    body = load_form(s.ReadinessSchema(), form(
        ("answers.breach_accepted", "on"), ("answers.external_support", "on")), BERLIN)
    assert body["answers"]["breach_accepted"] is True
    assert body["answers"]["knows_exit_is_possible"] is False
    assert set(body["answers"]) == set(v.READINESS_ITEMS)
    errors = errors_of(s.ReadinessSchema(), form(("answers.sleeps_well", "on")))
    assert list(errors) == ["answers.sleeps_well.key"]


def test_a_form_refuses_text_that_cannot_be_stored_by_field():
    errors = errors_of(s.TextSchema(), form(("text", "bad\x00byte")))
    assert errors == {"text": ["Must not contain NUL characters."]}
