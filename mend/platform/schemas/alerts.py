"""The alerts inbox and each member's choice of alerts: what /api/v1/alerts and
/api/v1/me/alert-settings take and answer."""

from __future__ import annotations

from marshmallow import fields as f, validate

from mend.platform.schemas.base import Schema, one_of
from mend.workers.inbox import SCOPES, SHOWN
from mend.workers.preferences import ALERT_KINDS

__all__ = ["AlertQuerySchema", "AlertSchema", "AlertListSchema", "AlertActedSchema",
           "AlertChoiceSchema", "AlertSettingsSchema"]


class AlertQuerySchema(Schema):
    scope = f.String(load_default="mine", validate=one_of(SCOPES), metadata={
        "description": "mine: the caller's inbox; practice: every alert of the practice "
                       "(supervisors and owners)."})
    show = f.String(load_default="unresolved", validate=one_of(tuple(SHOWN)), metadata={
        "description": "unresolved: open and acknowledged ones; resolved: those done with."})
    limit = f.Integer(load_default=100, validate=validate.Range(1, 200))


class AlertCaseSchema(Schema):
    id = f.UUID()
    title = f.String()


class AlertPersonSchema(Schema):
    id = f.UUID()
    name = f.String()


class AlertSchema(Schema):
    id = f.UUID()
    kind = f.String(metadata={"description": ", ".join(ALERT_KINDS)})
    state = f.String(metadata={"description": "open, acknowledged or resolved"})
    case = f.Nested(AlertCaseSchema)
    person = f.Nested(AlertPersonSchema, allow_none=True, metadata={
        "description": "Whom the alert is about, when it is about one person (a client who "
                       "missed check-ins)."})
    raised_at = f.AwareDateTime()
    acknowledged_by = f.Nested(AlertPersonSchema, allow_none=True)
    acknowledged_at = f.AwareDateTime(allow_none=True)
    resolved_by = f.Nested(AlertPersonSchema, allow_none=True)
    resolved_at = f.AwareDateTime(allow_none=True)


class AlertListSchema(Schema):
    alerts = f.List(f.Nested(AlertSchema))
    open = f.Integer(metadata={"description": "Open alerts in the caller's own inbox."})


class AlertActedSchema(Schema):
    alert = f.Nested(AlertSchema)
    changed = f.Boolean(metadata={
        "description": "False when a colleague had already acknowledged or resolved it."})


class AlertChoiceSchema(Schema):
    kind = f.String(required=True, validate=one_of(ALERT_KINDS))
    by_email = f.Boolean(required=True)
    in_inbox = f.Boolean(required=True)


class AlertSettingsSchema(Schema):
    alerts = f.List(f.Nested(AlertChoiceSchema), required=True, metadata={
        "description": "A choice per kind of alert; kinds left out keep their setting."})
