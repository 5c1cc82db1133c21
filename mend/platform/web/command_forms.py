"""A form for each event a case can record, built from the API route's own request schema.

The schema says each field's type, whether it is required, its range and its closed set; this
module turns that into inputs (a number with its bounds, a choice, a text area, a checkbox,
a date and time) and adds only the words: a title per form and a label per field. A form posts
to the same typed command its API route builds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field as dataclass_field
from typing import Any

import marshmallow as ma
from marshmallow import fields as f

from mend.platform.api.cases import ROUTES, Route
from mend.platform.web.words import word

#: What each form is called on the case page, by its command.
TITLES = {
    "AddParticipant": "Add a participant",
    "AssignPractitioner": "Assign a practitioner",
    "ReassignCase": "Hand the case to another practitioner",
    "DiscloseBreach": "Record a further breach",
    "RecordCheckIn": "Record a check-in",
    "RecordSetback": "Record a setback",
    "OfferApology": "Record an apology",
    "SetBoundary": "Set a boundary",
    "RaiseRedFlag": "Raise a red flag",
    "NoteSession": "Write a session note (staff only)",
    "WriteJournal": "Write a journal entry",
    "PracticeRitual": "Record a ritual",
    "MakeAgreement": "Record an agreement",
    "KeepAgreement": "Record it kept",
    "AssessReadiness": "Readiness checklist",
    "ReachMilestone": "Record a milestone",
    "AdvanceStage": "Advance the stage",
    "ChangeApproach": "Change the approach",
    "CompleteProgramStep": "Complete a program step",
    "AssignStepOwner": "Assign a program step's owner",
    "OpenPulse": "Send an anonymous trust pulse",
    "ClosePulse": "Trust pulse closed",
    "RecordTrustPulse": "Record a pulse taken on paper",
    "CloseCase": "Close the case",
    "ReopenCase": "Reopen the case",
    "ReviseBoundary": "Revise this boundary",
    "RetireBoundary": "Retire this boundary",
    "RecordBoundaryCrossed": "Record a crossing",
    "ResolveRedFlag": "Resolve this flag",
    "RemoveParticipant": "Remove from the case",
    "UnassignPractitioner": "Unassign",
    "HoldBackEntry": "Hold back from the portal",
    "ReleaseEntry": "Shown in the portal",
}

LABELS = {
    "trust": "Trust (0–10)",
    "emotional_safety": "Emotional safety (0–10)",
    "communication_ease": "Communication ease (0–10)",
    "conflicts": "Conflicts since the last check-in",
    "participant_id": "Whose check-in",
    "occurred_at": "When it happened",
    "from_id": "Who apologised",
    "to_ids": "To whom",
    "names_harm": "Names the harm done",
    "takes_responsibility": "Takes responsibility without excuses",
    "commits_to_change": "Commits to a change",
    "account_id": "Person",
    "from_practitioner_id": "From",
    "to_practitioner_id": "To",
    "text": "What was said",
    "note": "Note",
    "severity": "Severity (1 mild – 3 serious)",
    "code": "Red flag",
    "visibility": "Who may read it",
    "answers": "Ready to begin",
    "scores": "Scores (0–10), one per answer",
    "question": "The question, answered 0–10",
    "closes_at": "Answers close at",
}

#: Free-text fields that take paragraphs rather than a line.
LONG_TEXT = {"text", "note", "summary", "description", "reason"}
#: Fields that name people of the case; their choices come from the page.
PEOPLE = {"account_id", "participant_id", "from_id", "to_ids", "from_practitioner_id",
          "to_practitioner_id"}
#: How many score boxes a pulse form offers (blank ones are left out).
PULSE_BOXES = 12


@dataclass(frozen=True)
class Input:
    name: str
    label: str
    #: number, choice, text, long_text, checkbox, moment, person, people, checklist or scores
    kind: str
    required: bool
    choices: tuple[tuple[str, str], ...] = ()
    low: int | None = None
    high: int | None = None
    max_length: int | None = None


@dataclass(frozen=True)
class CommandForm:
    slug: str
    title: str
    route: Route
    inputs: tuple[Input, ...] = dataclass_field(default=())
    #: For a form about one thing (a boundary, a flag, a person): the command's field that
    #: names it, taken from the route's path (``boundary_id``).
    item_field: str | None = None

    @property
    def command(self) -> type:
        return self.route.command


def _validators(field: f.Field) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for validator in field.validators:
        if isinstance(validator, ma.validate.OneOf):
            found["choices"] = tuple((str(c), word(str(c))) for c in validator.choices)
        elif isinstance(validator, ma.validate.Range):
            found["low"], found["high"] = validator.min, validator.max
        elif isinstance(validator, ma.validate.Length) and validator.max is not None:
            found["max_length"] = validator.max
    return found


def _input(name: str, field: f.Field) -> Input:
    label = LABELS.get(name, word(name))
    found = _validators(field)
    kind = "text"
    if name in PEOPLE:
        kind = "people" if isinstance(field, f.List) else "person"
        found.pop("max_length", None)
    elif isinstance(field, f.Dict):
        kind = "checklist"
        found = _validators(field.key_field) if field.key_field else {}
        found.pop("max_length", None)
    elif isinstance(field, f.List):
        kind = "scores"
        found = _validators(field.inner)
    elif isinstance(field, f.Boolean):
        kind = "checkbox"
    elif isinstance(field, (f.AwareDateTime, f.DateTime)):
        kind = "moment"
    elif isinstance(field, f.Integer):
        kind = "number"
    elif "choices" in found:
        kind = "choice"
    elif name in LONG_TEXT:
        kind = "long_text"
    return Input(name, label, kind, field.required, **found)


def _form(route: Route) -> CommandForm:
    name = route.command.__name__
    inputs = tuple(_input(n, fld) for n, fld in route.schema().load_fields.items())
    # What happened first, then the note on it; the moment last, as most things are
    # recorded as they happen.
    inputs = tuple(sorted(inputs, key=lambda i: (i.name == "occurred_at", i.name == "note")))
    item = re.search(r"<uuid:(\w+)>", route.path)
    return CommandForm(slug=route.path.split("/")[0], title=TITLES.get(name, word(name)),
                       route=route, inputs=inputs, item_field=item.group(1) if item else None)


#: Every form by the command it records, for routes on the case itself (no id in the path).
CASE_FORMS: dict[str, CommandForm] = {
    route.command.__name__: _form(route) for route in ROUTES if "<" not in route.path
}
#: Forms about one thing of a case (a boundary, a flag, a person), by command.
ITEM_FORMS: dict[str, CommandForm] = {
    route.command.__name__: _form(route) for route in ROUTES if "<" in route.path
}
