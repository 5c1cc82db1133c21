"""Every command route against its command: the same field names, the same limits.

The schemas own shape and state the limits for the API document; the aggregates enforce them.
Both read the limits from ``mend.domain.vocabulary``, and this walk proves they agree: for each
limit a route's schema states, a value at the limit passes the schema and the domain, a value
just past it is refused by both, and the domain's error names the field the client sent.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import UUID, uuid4

import marshmallow as ma
import pytest
from marshmallow import fields as f
from marshmallow import validate

from mend.domain import commands as cmd
from mend.domain import vocabulary as v
from mend.domain.authorization import Actor
from mend.domain.case import Case
from mend.domain.errors import InvalidValue, MendError
from mend.domain.store import event_id
from mend.domain.tenancy import Tenant
from mend.platform import schemas as s
from mend.platform.api.cases import ROUTES, Route

TENANT, STAFF = uuid4(), uuid4()
ACTOR = Actor(STAFF, TENANT, "practitioner")
PATH_IDS = re.compile(r"<uuid:(\w+)>")


@dataclasses.dataclass
class Scene:
    """A fresh case of the command's kind with what the command acts on."""

    case: Case
    people: list[UUID]
    boundary: UUID
    flag: UUID


def scene(kind: str, people: int = 5) -> Scene:
    case = Case.open(tenant=TENANT, kind=kind, title="Ana and Leo", approach="therapy_guided",
                     breach_category="dishonesty", breach_summary="A hidden debt.",
                     occurred_at=datetime.now(timezone.utc) - timedelta(days=30))
    ids = [uuid4() for _ in range(people)]
    for person in ids:
        case.add_participant(person)
    case.assign_practitioner(STAFF)
    return Scene(case, ids, case.set_boundary("No phones at dinner"),
                 case.raise_red_flag("ongoing_secrecy"))


def kind_for(route: Route) -> str:
    if route.command is cmd.PracticeRitual:
        return "couple"
    return "workplace"


#: One valid body per command (the path ids come from the scene), as the client sends it.
EXAMPLES: dict[type[cmd.CaseCommand], Callable[[Scene], dict[str, Any]]] = {
    cmd.AddParticipant: lambda sc: {"account_id": uuid4(), "relation": "partner"},
    cmd.RemoveParticipant: lambda sc: {"account_id": sc.people[0]},
    cmd.AssignPractitioner: lambda sc: {"account_id": uuid4()},
    cmd.UnassignPractitioner: lambda sc: {"account_id": STAFF},
    cmd.ReassignCase: lambda sc: {"from_practitioner_id": STAFF, "to_practitioner_id": uuid4()},
    cmd.DiscloseBreach: lambda sc: {"category": "dishonesty", "summary": "Another debt."},
    cmd.RecordCheckIn: lambda sc: {"trust": 5, "emotional_safety": 5, "communication_ease": 5,
                                   "conflicts": 1, "participant_id": sc.people[0]},
    cmd.RecordSetback: lambda sc: {"severity": 2, "description": "A row."},
    cmd.OfferApology: lambda sc: {
        "from_id": sc.people[0], "to_ids": sc.people[1:2], "text": "I am sorry.",
        "names_harm": True, "takes_responsibility": True, "commits_to_change": True},
    cmd.SetBoundary: lambda sc: {"text": "Ask first"},
    cmd.ReviseBoundary: lambda sc: {"boundary_id": sc.boundary, "text": "Ask first, always"},
    cmd.RetireBoundary: lambda sc: {"boundary_id": sc.boundary, "note": "Not needed"},
    cmd.RecordBoundaryCrossed: lambda sc: {"boundary_id": sc.boundary, "note": "Phone out"},
    cmd.RaiseRedFlag: lambda sc: {"code": "gaslighting", "note": "Denied the text."},
    cmd.ResolveRedFlag: lambda sc: {"flag_id": sc.flag, "note": "Shared the accounts."},
    cmd.NoteSession: lambda sc: {"text": "Calmer."},
    cmd.WriteJournal: lambda sc: {"text": "Slept well.", "visibility": "shared"},
    cmd.PracticeRitual: lambda sc: {"ritual": "letter", "note": "Read aloud."},
    cmd.MakeAgreement: lambda sc: {"text": "Sunday walks"},
    cmd.KeepAgreement: lambda sc: {"agreement_id": sc.case.make_agreement("Sunday walks"),
                                   "note": "Walked by the river."},
    cmd.AssessReadiness: lambda sc: {"answers": {"breach_accepted": True}, "note": "Ready."},
    cmd.ReachMilestone: lambda sc: {"title": "A month of check-ins", "note": ""},
    cmd.AdvanceStage: lambda sc: {"stage": "honest_conversations", "reason": ""},
    cmd.ChangeApproach: lambda sc: {"approach": "self_guided", "reason": "Wants space."},
    cmd.CompleteProgramStep: lambda sc: {"step": "public_acknowledgment", "note": "",
                                         "reason": ""},
    cmd.AssignStepOwner: lambda sc: {"step": "open_forums", "account_id": sc.people[0]},
    cmd.RecordTrustPulse: lambda sc: {"scores": [5, 6, 7]},
    cmd.OpenPulse: lambda sc: {"question": "Do you trust leadership?",
                               "closes_at": datetime.now(timezone.utc) + timedelta(days=7)},
    cmd.ClosePulse: lambda sc: {"pulse_id": sc.case.open_pulse(
        "Do you trust leadership?", datetime.now(timezone.utc) + timedelta(days=7))},
    cmd.HoldBackEntry: lambda sc: {"entry_id": event_id(sc.case.id, 1), "reason": "Later.",
                                   "until": datetime.now(timezone.utc) + timedelta(days=2)},
    cmd.ReleaseEntry: lambda sc: {"entry_id": event_id(sc.case.id, 1)},
    cmd.CloseCase: lambda sc: {"outcome": "released", "note": ""},
    cmd.ReopenCase: lambda sc: {"reason": "They asked again."},
}


def run(route: Route, sc: Scene, body: dict[str, Any]) -> None:
    """Build the command as the route does (body plus path ids) and apply it to the case."""
    if route.command is cmd.ReopenCase:
        sc.case.close("released")
    if route.command is cmd.ReleaseEntry:
        sc.case.hold_back_entry(body["entry_id"], entry_visibility="shared")
    command = route.command(**body)
    if isinstance(command, cmd.EntryCommand):
        # What the casework reads from the store: the case's opening entry is shared.
        command = dataclasses.replace(command, entry_visibility="shared")
    command.apply(sc.case, ACTOR)


def path_ids(route: Route) -> set[str]:
    return set(PATH_IDS.findall(route.path))


def command_fields(command: type[cmd.CaseCommand]) -> set[str]:
    # A field the casework fills in from the store (never a request) is no body's business.
    return {field.name for field in dataclasses.fields(command)
            if "filled_in_by" not in field.metadata}


def schema_fields(schema: ma.Schema) -> set[str]:
    return {field.data_key or name for name, field in schema.load_fields.items()}


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.command.__name__)
def test_a_routes_body_and_path_are_exactly_its_commands_fields(route):
    assert schema_fields(route.schema()) | path_ids(route) == command_fields(route.command)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.command.__name__)
def test_each_example_is_valid_for_the_schema_and_the_domain(route):
    sc = scene(kind_for(route))
    body = EXAMPLES[route.command](sc)
    ids = {k: body.pop(k) for k in path_ids(route)}
    loaded = route.schema().load(route.schema().dump(body) | {})
    run(route, sc, {**ids, **loaded})


def edges(field: f.Field) -> list[tuple[str, Any, bool]]:
    """(what, value, valid) around every limit the field's validators state."""
    cases: list[tuple[str, Any, bool]] = []
    for validator in field.validators:
        if isinstance(validator, validate.Length) and isinstance(field, f.String):
            if validator.max is not None:
                cases += [("at max", "x" * validator.max, True),
                          ("past max", "x" * (validator.max + 1), False)]
            if validator.min:
                cases += [("below min", "", False)]
        elif isinstance(validator, validate.Length) and isinstance(field, f.List):
            if validator.max is not None and isinstance(field.inner, f.Integer):
                cases += [("at max", [5] * validator.max, True),
                          ("past max", [5] * (validator.max + 1), False)]
            if validator.min:
                cases += [("empty", [], False)]
        elif isinstance(validator, validate.Range):
            if validator.min is not None:
                cases += [("at min", validator.min, True), ("below min", validator.min - 1, False)]
            if validator.max is not None:
                cases += [("at max", validator.max, True), ("past max", validator.max + 1, False)]
        elif isinstance(validator, validate.OneOf):
            cases += [("outside the set", "not-in-the-vocabulary", False)]
    return cases


def limit_cases() -> list[Any]:
    found = []
    for route in ROUTES:
        for name, field in route.schema().load_fields.items():
            for what, value, valid in edges(field):
                found.append(pytest.param(route, field.data_key or name, value, valid,
                                          id=f"{route.command.__name__}-{name}-{what}"))
    return found


@pytest.mark.parametrize("route, field, value, valid", limit_cases())
def test_the_schema_and_the_domain_draw_each_limit_in_the_same_place(route, field, value, valid):
    sc = scene(kind_for(route), people=5)  # a pulse goes to five people or more
    body = EXAMPLES[route.command](sc) | {field: value}
    ids = {k: body.pop(k) for k in path_ids(route)}
    schema = route.schema()
    schema_errors = schema.validate(schema.dump(body))
    if valid:
        assert not schema_errors
        run(route, sc, {**ids, **body})
        return
    assert field in schema_errors, "the schema let a value past the limit through"
    with pytest.raises(InvalidValue) as caught:
        run(route, sc, {**ids, **body})
    assert caught.value.field == field, "the domain named another field than the client sent"


def test_the_opening_schema_and_the_case_agree_on_limits_and_names():
    opening = {"kind": "couple", "title": "Ana and Leo", "approach": "self_guided",
               "breach": {"category": "infidelity", "summary": "An affair."},
               "checkin_cadence_days": 7}

    def open_with(body: dict[str, Any]) -> None:
        Case.open(tenant=TENANT, kind=body["kind"], title=body["title"],
                  approach=body["approach"], breach_category=body["breach"]["category"],
                  breach_summary=body["breach"]["summary"],
                  cadence_days=body["checkin_cadence_days"])

    bends = [
        ("title", ["title"], "x" * (v.SHORT_MAX + 1)),
        ("breach.summary", ["breach", "summary"], "x" * (v.TEXT_MAX + 1)),
        ("breach.category", ["breach", "category"], "gossip"),
        ("checkin_cadence_days", ["checkin_cadence_days"], v.MAX_CADENCE_DAYS + 1),
        ("kind", ["kind"], "marriage"),
    ]
    for name, path, value in bends:
        body = {**opening, "breach": dict(opening["breach"])}
        target = body
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        messages = s.CaseOpenSchema().validate(body)
        assert path[0] in messages, name
        with pytest.raises(InvalidValue) as caught:
            open_with(body)
        assert caught.value.field == name
    open_with({**opening, "title": "x" * v.SHORT_MAX,
               "breach": {"category": "other", "summary": "x" * v.TEXT_MAX}})


@pytest.mark.parametrize("slug, valid", [
    ("é-clinic", False), ("a", False), ("ab", True), ("-clinic", False), ("Clinic", False),
    ("harbor-counseling", True), ("x" * v.SLUG_MAX, True), ("x" * (v.SLUG_MAX + 1), False),
])
def test_the_sign_up_schema_and_the_tenant_agree_on_slugs(slug, valid):
    body = {"name": "Harbor", "slug": slug, "kind": "practice",
            "owner": {"email": "hana@harbor.example", "password": "a long enough secret",
                      "name": "Hana"}}
    assert ("slug" not in s.TenantSignUpSchema().validate(body)) is valid
    try:
        Tenant.register(name="Harbor", slug=slug, kind="practice")
    except MendError as error:
        assert not valid and isinstance(error, InvalidValue) and error.field == "slug"
    else:
        assert valid
