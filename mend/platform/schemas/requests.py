"""Request bodies: sign-up, sign-in, members, and one schema per case command.

They own the shape (types, required fields, formats) and state the limits the aggregates
enforce, read from the same constants, so the OpenAPI document says what the domain does.
"""

from __future__ import annotations

from marshmallow import fields as f, validate

from mend.domain import vocabulary as v
from mend.domain.measures import INSTRUMENTS
from mend.platform.schemas.base import (
    GIVEN_PASSWORD, NEW_PASSWORD, RATING, SHORT, TEXT, Schema, occurred_at, one_of, optional_text,
)


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


class LoginSchema(Schema):
    email = f.String(required=True, validate=validate.Length(max=254))
    password = f.String(required=True, load_only=True, validate=GIVEN_PASSWORD)


class PasswordChangeSchema(Schema):
    current_password = f.String(required=True, load_only=True, validate=GIVEN_PASSWORD)
    new_password = f.String(required=True, load_only=True, validate=NEW_PASSWORD)


class TokenRequestSchema(LoginSchema):
    tenant = f.String(load_default=None, metadata={"description": "Tenant slug"})
    label = f.String(load_default="", validate=validate.Length(max=200))


class InviteSchema(Schema):
    email = f.Email(required=True)
    name = f.String(required=True, validate=SHORT)
    role = f.String(required=True, validate=one_of(v.ROLES), metadata={
        "description": "Owners invite any role; practitioners and supervisors clients only."})
    case_id = f.UUID(load_default=None, metadata={
        "description": "For a client: the case they join as a participant with the "
                       "invitation (one the inviter can see)."})
    relation = f.String(load_default="", validate=validate.Length(max=v.RELATION_MAX))


class RoleSchema(Schema):
    role = f.String(required=True, validate=one_of(v.ROLES))


class TimeZoneSchema(Schema):
    time_zone = f.String(required=True, validate=validate.Length(min=1, max=64), metadata={
        "description": "An IANA name such as Europe/Berlin (422 for an unknown one)."})


class AcceptSchema(Schema):
    password = f.String(required=True, load_only=True, validate=NEW_PASSWORD)
    name = f.String(load_default=None, validate=SHORT)


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


class ReassignSchema(EventSchema):
    from_practitioner_id = f.UUID(required=True, metadata={
        "description": "The practitioner who hands the case over (assigned now)."})
    to_practitioner_id = f.UUID(required=True, metadata={
        "description": "The staff member who takes it on (not assigned yet)."})


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


class QuestionnaireAnswersSchema(EventSchema):
    instrument = f.String(required=True, validate=one_of(tuple(sorted(INSTRUMENTS))), metadata={
        "description": "Which questionnaire: " + ", ".join(
            f"{key} ({d.title})" for key, d in sorted(INSTRUMENTS.items()))})
    # Each item's own options are the definition's; they are checked by the case, which names
    # the item refused. Here only the shape: item keys and small whole numbers.
    answers = f.Dict(
        keys=f.String(validate=validate.Length(min=1, max=8)),
        values=f.Integer(strict=True, validate=validate.Range(0, 6)),
        required=True, validate=validate.Length(min=1, max=32),
        metadata={"description": "Each item's key (q1, q2, …) and the value of the option "
                                 "chosen, every item answered once."},
    )
    participant_id = f.UUID(load_default=None, metadata={
        "description": "Whose answers (staff entering them); a client answers only for "
                       "themselves."})


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


class StepOwnerSchema(EventSchema):
    step = f.String(required=True, validate=one_of(v.PROGRAM_STEPS))
    account_id = f.UUID(required=True, metadata={
        "description": "Who owns the step: a participant or practitioner of the case. "
                       "Assigning again replaces the owner."})


class PulseSchema(EventSchema):
    scores = f.List(
        f.Integer(strict=True, validate=RATING), required=True,
        validate=validate.Length(min=1, max=v.MAX_PULSE_SCORES),
    )


class PulseOpenSchema(EventSchema):
    question = f.String(required=True, validate=SHORT, metadata={
        "description": "What the pulse asks, answered 0–10."})
    closes_at = f.AwareDateTime(required=True, metadata={
        "description": "When answers stop and, with at least 5 answers, the results show."})


class PulseAnswerSchema(Schema):
    score = f.Integer(required=True, strict=True, validate=RATING)


class HoldBackSchema(EventSchema):
    until = f.AwareDateTime(load_default=None, metadata={
        "description": "When the entry shows in the portal again by itself; leave it out to "
                       "hold it until it is released."})
    reason = optional_text()


class CloseSchema(NoteSchema):
    outcome = f.String(required=True, validate=one_of(v.OUTCOMES))


class ReopenSchema(EventSchema):
    reason = optional_text()
