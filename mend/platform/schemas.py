"""Request and response schemas of /api/v1: the one source of validation and of the OpenAPI text.

Unknown fields are rejected (marshmallow's default), so a body can never smuggle in a tenant,
an actor or a role. Ranges and closed sets come from the domain's vocabulary.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone

import marshmallow as ma
from marshmallow import fields as f, validate

from mend.domain import vocabulary as v

TEXT = validate.Length(min=1, max=v.TEXT_MAX)
SHORT = validate.Length(min=1, max=v.SHORT_MAX)
NEW_PASSWORD = validate.Length(min=v.PASSWORD_MIN, max=v.PASSWORD_MAX)
#: A password being checked, not chosen: any length up to the cap, so a short wrong one is 401.
GIVEN_PASSWORD = validate.Length(max=v.PASSWORD_MAX)
RATING = validate.Range(v.RATING_MIN, v.RATING_MAX)


def one_of(values: tuple[str, ...]) -> validate.OneOf:
    return validate.OneOf(values)


def occurred_at() -> f.AwareDateTime:
    return f.AwareDateTime(
        load_default=None,
        metadata={"description": "When it happened (ISO 8601 with offset); defaults to now."},
    )


def optional_text() -> f.String:
    return f.String(load_default="", validate=validate.Length(max=v.TEXT_MAX))


def unstorable_text(data: object, path: str = "") -> dict[str, list[str]]:
    """Where the input holds text no store can keep: a NUL character (PostgreSQL's text
    refuses it, and a view that cannot be written stops every tenant's views) or a lone
    surrogate (not UTF-8 at all)."""
    if isinstance(data, str):
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            return {path or "_schema": ["Must be valid Unicode text."]}
        return {path or "_schema": ["Must not contain NUL characters."]} if "\x00" in data else {}
    found: dict[str, list[str]] = {}
    if isinstance(data, Mapping):
        keys = data.keys()
        for key in keys:
            name = f"{path}.{key}" if path else str(key)
            found.update(unstorable_text(key, name))
            values = data.getlist(key) if hasattr(data, "getlist") else [data[key]]
            for value in values:
                found.update(unstorable_text(value, name))
    elif isinstance(data, (list, tuple)):
        for value in data:
            found.update(unstorable_text(value, path))
    return found


class Schema(ma.Schema):
    """Every schema raises on unknown fields (marshmallow's default, stated here on purpose),
    and refuses text that cannot be stored (see ``unstorable_text``) wherever it is."""

    class Meta:
        unknown = ma.RAISE

    @ma.pre_load
    def refuse_unstorable_text(self, data: object, **kwargs: object) -> object:
        if errors := unstorable_text(data):
            raise ma.ValidationError(errors)
        return data


# ---------------------------------------------------------------- tenants, members, sign-in
class OwnerSchema(Schema):
    email = f.Email(required=True)
    password = f.String(required=True, load_only=True, validate=NEW_PASSWORD)
    name = f.String(required=True, validate=SHORT)


class TenantSignUpSchema(Schema):
    name = f.String(required=True, validate=SHORT)
    slug = f.String(required=True, validate=[
        validate.Length(min=v.SLUG_MIN, max=v.SLUG_MAX),
        validate.Regexp(f"^{v.SLUG_PATTERN}$", error="lowercase letters, digits and hyphens"),
    ])
    kind = f.String(required=True, validate=one_of(v.TENANT_KINDS))
    owner = f.Nested(OwnerSchema, required=True)


class TenantCreatedSchema(Schema):
    tenant_id = f.UUID()
    slug = f.String()
    owner_id = f.UUID()


class LoginSchema(Schema):
    email = f.String(required=True, validate=validate.Length(max=254))
    password = f.String(required=True, load_only=True, validate=GIVEN_PASSWORD)


class SignedInSchema(Schema):
    account_id = f.UUID()
    name = f.String()
    tenants = f.List(f.Dict())
    csrf_token = f.String(metadata={"description": "Send as X-CSRF-Token on state changes."})


class PasswordChangeSchema(Schema):
    current_password = f.String(required=True, load_only=True, validate=GIVEN_PASSWORD)
    new_password = f.String(required=True, load_only=True, validate=NEW_PASSWORD)


class TokenRequestSchema(LoginSchema):
    tenant = f.String(load_default=None, metadata={"description": "Tenant slug"})
    label = f.String(load_default="", validate=validate.Length(max=200))


class TokenSchema(Schema):
    token = f.String(metadata={"description": "Shown once; send as 'Authorization: Bearer …'"})
    token_id = f.UUID(metadata={"description": "To list and revoke it later"})
    account_id = f.UUID()
    tenant = f.String()
    role = f.String()


class InviteSchema(Schema):
    email = f.Email(required=True)
    name = f.String(required=True, validate=SHORT)
    role = f.String(required=True, validate=one_of(v.ROLES), metadata={
        "description": "Owners invite any role; practitioners and supervisors clients only."})
    case_id = f.UUID(load_default=None, metadata={
        "description": "For a client: the case they join as a participant with the "
                       "invitation (one the inviter can see)."})
    relation = f.String(load_default="", validate=validate.Length(max=v.RELATION_MAX))


class InvitationSchema(Schema):
    account_id = f.UUID()
    invite_url = f.String()
    token = f.String()
    expires_at = f.AwareDateTime()


class RoleSchema(Schema):
    role = f.String(required=True, validate=one_of(v.ROLES))


class TokenListSchema(Schema):
    tokens = f.List(f.Dict(), metadata={"description": "[{token_id}]: the secrets are not kept"})


class AcceptSchema(Schema):
    password = f.String(required=True, load_only=True, validate=NEW_PASSWORD)
    name = f.String(load_default=None, validate=SHORT)


class AcceptedSchema(Schema):
    account_id = f.UUID()


class MemberSchema(Schema):
    account_id = f.UUID()
    email = f.String()
    name = f.String()
    role = f.String()
    status = f.String()


class MemberListSchema(Schema):
    members = f.List(f.Nested(MemberSchema))


# ---------------------------------------------------------------- cases
class BreachSchema(Schema):
    category = f.String(required=True, validate=one_of(v.BREACH_CATEGORIES))
    summary = f.String(required=True, validate=TEXT)


class CaseOpenSchema(Schema):
    kind = f.String(required=True, validate=one_of(v.CASE_KINDS))
    title = f.String(required=True, validate=SHORT)
    approach = f.String(required=True, validate=one_of(v.APPROACHES))
    breach = f.Nested(BreachSchema, required=True)
    checkin_cadence_days = f.Integer(
        load_default=v.DEFAULT_CADENCE_DAYS, strict=True,
        validate=validate.Range(1, v.MAX_CADENCE_DAYS),
    )
    occurred_at = occurred_at()


class RecordedSchema(Schema):
    id = f.UUID(metadata={"description": "The recorded event's id"})
    type = f.String()
    occurred_at = f.AwareDateTime(allow_none=True)
    recorded_at = f.AwareDateTime()
    case_id = f.UUID()


class BoundaryRecordedSchema(RecordedSchema):
    boundary_id = f.UUID(metadata={"description": "The new boundary's id"})


class FlagRecordedSchema(RecordedSchema):
    flag_id = f.UUID(metadata={"description": "The new red flag's id"})


class AgreementRecordedSchema(RecordedSchema):
    agreement_id = f.UUID(metadata={"description": "The new agreement's id"})


class CaseSummarySchema(Schema):
    id = f.UUID()
    title = f.String()
    kind = f.String()
    approach = f.String()
    stage = f.String()
    status = f.String()
    outcome = f.String(allow_none=True)
    opened_at = f.AwareDateTime()
    last_activity_at = f.AwareDateTime()


class CaseListSchema(Schema):
    cases = f.List(f.Nested(CaseSummarySchema))
    next = f.String(allow_none=True)


class ListQuerySchema(Schema):
    after = f.String(load_default=None, validate=validate.Length(max=100))
    limit = f.Integer(load_default=50, validate=validate.Range(1, 200))


class ParticipantOutSchema(Schema):
    account_id = f.UUID()
    relation = f.String()


class CaseDetailSchema(Schema):
    id = f.UUID()
    title = f.String()
    kind = f.String()
    approach = f.String()
    stage = f.String()
    status = f.String()
    outcome = f.String(allow_none=True)
    opened_at = f.AwareDateTime()
    checkin_cadence_days = f.Integer()
    participants = f.List(f.Nested(ParticipantOutSchema))
    practitioners = f.List(f.UUID())
    next_checkin_due = f.AwareDateTime(allow_none=True)


# ---------------------------------------------------------------- case commands
class EventSchema(Schema):
    """A command that records an event: it may say when the event happened."""

    occurred_at = occurred_at()


class NoteSchema(EventSchema):
    note = optional_text()


class ParticipantSchema(EventSchema):
    account_id = f.UUID(required=True)
    relation = f.String(load_default="", validate=validate.Length(max=v.RELATION_MAX))


class PractitionerSchema(EventSchema):
    account_id = f.UUID(required=True)


class CheckInSchema(NoteSchema):
    trust = f.Integer(required=True, strict=True, validate=RATING)
    emotional_safety = f.Integer(required=True, strict=True, validate=RATING)
    communication_ease = f.Integer(required=True, strict=True, validate=RATING)
    conflicts = f.Integer(required=True, strict=True, validate=validate.Range(0, v.MAX_CONFLICTS))
    participant_id = f.UUID(load_default=None)


class SetbackSchema(EventSchema):
    severity = f.Integer(
        required=True, strict=True, validate=validate.Range(v.SEVERITY_MIN, v.SEVERITY_MAX)
    )
    description = f.String(required=True, validate=TEXT)


class ApologySchema(EventSchema):
    from_id = f.UUID(required=True)
    to_ids = f.List(f.UUID(), required=True,
                    validate=validate.Length(min=1, max=v.MAX_APOLOGY_RECIPIENTS))
    text = f.String(required=True, validate=TEXT)
    names_harm = f.Boolean(required=True, truthy={True}, falsy={False})
    takes_responsibility = f.Boolean(required=True, truthy={True}, falsy={False})
    commits_to_change = f.Boolean(required=True, truthy={True}, falsy={False})


class TextSchema(EventSchema):
    text = f.String(required=True, validate=TEXT)


class WhenSchema(EventSchema):
    pass


class CrossingSchema(NoteSchema):
    pass


class RedFlagSchema(NoteSchema):
    code = f.String(required=True, validate=one_of(v.RED_FLAGS))


class JournalSchema(EventSchema):
    text = f.String(required=True, validate=TEXT)
    visibility = f.String(load_default="private", validate=one_of(v.JOURNAL_VISIBILITIES))


class RitualSchema(NoteSchema):
    ritual = f.String(required=True, validate=one_of(v.RITUALS))


class ReadinessSchema(NoteSchema):
    answers = f.Dict(
        keys=f.String(validate=one_of(v.READINESS_ITEMS)),
        values=f.Boolean(truthy={True}, falsy={False}),
        required=True, validate=validate.Length(min=1),
    )


class MilestoneSchema(NoteSchema):
    title = f.String(required=True, validate=SHORT)


class StageSchema(EventSchema):
    stage = f.String(required=True, validate=one_of(v.STAGES))
    reason = f.String(load_default="", validate=validate.Length(max=v.TEXT_MAX), metadata={
        "description": "Required when the case skips a stage (422 otherwise)."})


class ApproachSchema(EventSchema):
    approach = f.String(required=True, validate=one_of(v.APPROACHES))
    reason = optional_text()


class BreachDisclosureSchema(EventSchema):
    category = f.String(required=True, validate=one_of(v.BREACH_CATEGORIES))
    summary = f.String(required=True, validate=TEXT)


class ProgramStepSchema(NoteSchema):
    step = f.String(required=True, validate=one_of(v.PROGRAM_STEPS))
    reason = f.String(load_default="", validate=validate.Length(max=v.TEXT_MAX), metadata={
        "description": "Required when an earlier step is not done yet (422 otherwise)."})


class PulseSchema(EventSchema):
    scores = f.List(
        f.Integer(strict=True, validate=RATING), required=True,
        validate=validate.Length(min=1, max=v.MAX_PULSE_SCORES),
    )


class CloseSchema(NoteSchema):
    outcome = f.String(required=True, validate=one_of(v.OUTCOMES))


class ReopenSchema(EventSchema):
    reason = optional_text()


class JobSchema(Schema):
    job_id = f.String(allow_none=True, metadata={"description": "The rq job id, when queued"})
    status = f.String(metadata={"description": "queued (on a worker) or done (in-process)"})
    result = f.String(allow_none=True)


# ---------------------------------------------------------------- reads
def not_in_future(value: datetime) -> None:
    # A case as of next year is a guess, not a record; and a far-off date would make the
    # weekly series run for thousands of weeks.
    if value > datetime.now(timezone.utc):
        raise ma.ValidationError("Must not be in the future.")


def past_instant(description: str | None = None) -> f.AwareDateTime:
    return f.AwareDateTime(load_default=None, validate=not_in_future,
                           metadata={"description": description} if description else {})


class TimelineQuerySchema(Schema):
    as_of = past_instant("Only what happened up to this instant.")
    known_at = past_instant("Only what the record held at this instant.")
    type = f.List(
        f.String(validate=validate.Length(max=64)), load_default=list,
        metadata={"description": "Event types in snake_case; repeat to ask for several."},
    )
    after = f.String(load_default=None, validate=validate.Regexp(r"^\d+-\d+$"))
    limit = f.Integer(load_default=100, validate=validate.Range(1, 500))


class ActorSchema(Schema):
    id = f.UUID(allow_none=True)
    name = f.String(allow_none=True)


class TimelineEventSchema(Schema):
    id = f.UUID()
    type = f.String()
    occurred_at = f.AwareDateTime()
    recorded_at = f.AwareDateTime()
    actor = f.Nested(ActorSchema)
    visibility = f.String()
    summary = f.String()
    data = f.Dict()


class TimelineSchema(Schema):
    case_id = f.UUID()
    events = f.List(f.Nested(TimelineEventSchema))
    next = f.String(allow_none=True)


class CaseExportSchema(Schema):
    exported_at = f.AwareDateTime()
    exported_by = f.UUID()
    case = f.Nested(CaseDetailSchema)
    metrics = f.Nested("MetricsSchema")
    events = f.List(f.Nested(TimelineEventSchema))


class HealthSchema(Schema):
    status = f.String()
    store = f.String()
    redis = f.String()
    projections = f.Dict()


# ---------------------------------------------------------------- metrics and analytics
class MetricsQuerySchema(Schema):
    as_of = past_instant("The case as of this instant (by when things happened); default now.")
    known_at = past_instant(
        "Only what the record held at this instant (by when it was recorded).")


class MetricsSchema(Schema):
    case_id = f.UUID()
    as_of = f.AwareDateTime()
    stage = f.String()
    status = f.String()
    risk = f.String(allow_none=True, metadata={"description": "Staff only; null for clients"})
    risk_reasons = f.List(f.String())
    trust_score = f.Float(allow_none=True)
    emotional_safety = f.Float(allow_none=True)
    communication_ease = f.Float(allow_none=True)
    baseline = f.Float(allow_none=True)
    significant_change_on = f.Date(allow_none=True)
    days_to_significant_change = f.Integer(allow_none=True)
    months_to_significant_change = f.Float(allow_none=True)
    checkin_adherence = f.Float(allow_none=True)
    conflicts_per_week = f.Float(allow_none=True)
    setbacks_30d = f.Integer()
    setbacks_90d = f.Integer()
    days_since_setback = f.Integer(allow_none=True)
    open_red_flags = f.List(f.String())
    next_checkin_due = f.AwareDateTime(allow_none=True)


class WeekSchema(Schema):
    week_start = f.Date()
    trust_score = f.Float(allow_none=True)
    emotional_safety = f.Float(allow_none=True)
    communication_ease = f.Float(allow_none=True)
    check_ins = f.Integer()
    setbacks = f.Integer()
    risk = f.String(allow_none=True)


class WeeklySchema(Schema):
    case_id = f.UUID()
    weeks = f.List(f.Nested(WeekSchema))


class PulsePointSchema(Schema):
    occurred_at = f.AwareDateTime()
    responses = f.Integer()
    mean = f.Float(allow_none=True)
    published = f.Boolean()


class OutOfOrderStepSchema(Schema):
    step = f.String()
    reason = f.String()


class ProgressSchema(Schema):
    case_id = f.UUID()
    steps_done = f.List(f.String())
    steps_completed = f.Integer()
    progress = f.Float()
    pulses = f.List(f.Nested(PulsePointSchema))
    out_of_order = f.List(f.Nested(OutOfOrderStepSchema), metadata={
        "description": "Steps taken before an earlier one, with the reason given"})


class CaseloadQuerySchema(Schema):
    after = f.String(load_default=None, validate=validate.Regexp(r"^\d{1,9}$"),
                     metadata={"description": "The previous page's `next`."})
    limit = f.Integer(load_default=50, validate=validate.Range(1, 200))
    practitioner = f.UUID(load_default=None)
    kind = f.String(load_default=None, validate=one_of(v.CASE_KINDS))
    stage = f.String(load_default=None, validate=one_of(v.STAGES))
    risk = f.String(load_default=None, validate=one_of(("low", "medium", "high")))
    status = f.String(load_default=None, validate=one_of(("open", "closed")))


class CaseloadItemSchema(Schema):
    id = f.UUID()
    title = f.String()
    kind = f.String()
    stage = f.String()
    status = f.String()
    risk = f.String(allow_none=True)
    trust_score = f.Float(allow_none=True)
    last_activity_at = f.AwareDateTime()
    next_checkin_due = f.AwareDateTime(allow_none=True)
    practitioners = f.List(f.Nested(ActorSchema), metadata={
        "description": "The assigned practitioners, by name"})


class CaseloadSchema(Schema):
    cases = f.List(f.Nested(CaseloadItemSchema))
    next = f.String(allow_none=True)


class ApproachOutcomeSchema(Schema):
    approach = f.String()
    closed = f.Integer()
    reconciled = f.Integer()
    success_rate = f.Float(allow_none=True)
    median_months_to_change = f.Float(allow_none=True)


class OutcomesSchema(Schema):
    approaches = f.List(f.Nested(ApproachOutcomeSchema))


class AuditQuerySchema(Schema):
    before = f.Integer(load_default=None, validate=validate.Range(min=1))
    limit = f.Integer(load_default=100, validate=validate.Range(1, 500))


class AuditEntrySchema(Schema):
    position = f.Integer()
    recorded_at = f.AwareDateTime()
    occurred_at = f.AwareDateTime(allow_none=True)
    actor = f.Nested(ActorSchema)
    type = f.String()
    case_id = f.UUID(allow_none=True)
    summary = f.String()


class AuditSchema(Schema):
    entries = f.List(f.Nested(AuditEntrySchema))
    next = f.Integer(allow_none=True)
