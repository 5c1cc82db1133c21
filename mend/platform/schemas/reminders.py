"""A person's check-in reminder settings: what /api/v1/me/reminders takes and answers."""

from __future__ import annotations

from marshmallow import fields as f, validate

from mend.platform.schemas.base import Schema

__all__ = ["ReminderChoiceSchema", "RemindersSchema"]


def _hour(description: str) -> f.Integer:
    return f.Integer(required=True, metadata={"description": f"{description} (0 to 23)."})


class ReminderChoiceSchema(Schema):
    time_zone = f.String(required=True, validate=validate.Length(min=1, max=64), metadata={
        "description": "An IANA name such as Europe/Lisbon (422 for an unknown one)."})
    hour = _hour("The hour, in that zone, reminders arrive; not inside the quiet hours")
    quiet_from = _hour("Quiet from this hour")
    quiet_to = _hour("Quiet up to this hour")
    paused_until = f.Date(load_default=None, allow_none=True, metadata={
        "description": "No reminders until this day (a day after today); null for none."})
    stopped = f.Boolean(load_default=None, allow_none=True, metadata={
        "description": "True: no reminders at all until started again; left out or null "
                       "keeps it as it is."})


class RemindersSchema(ReminderChoiceSchema):
    chosen = f.Boolean(metadata={"description": "False: the practice's defaults, never saved."})
    practice_time_zone = f.String()
