"""Response bodies, as the OpenAPI document describes them."""

from __future__ import annotations

from marshmallow import fields as f

from mend.platform.schemas.base import Schema


class TenantCreatedSchema(Schema):
    tenant_id = f.UUID()
    slug = f.String()
    owner_id = f.UUID()


class SignedInSchema(Schema):
    account_id = f.UUID()
    name = f.String()
    tenants = f.List(f.Dict())
    csrf_token = f.String(metadata={"description": "Send as X-CSRF-Token on state changes."})


class TokenSchema(Schema):
    token = f.String(metadata={"description": "Shown once; send as 'Authorization: Bearer …'"})
    token_id = f.UUID(metadata={"description": "To list and revoke it later"})
    account_id = f.UUID()
    tenant = f.String()
    role = f.String()


class InvitationSchema(Schema):
    account_id = f.UUID()
    invite_url = f.String()
    token = f.String()
    expires_at = f.AwareDateTime()


class TokenListSchema(Schema):
    tokens = f.List(f.Dict(), metadata={"description": "[{token_id}]: the secrets are not kept"})


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


class RecordedSchema(Schema):
    id = f.UUID(metadata={"description": "The recorded event's id"})
    type = f.String()
    occurred_at = f.AwareDateTime(allow_none=True)
    recorded_at = f.AwareDateTime()
    case_id = f.UUID()


class BoundaryRecordedSchema(RecordedSchema):
    boundary_id = f.UUID(metadata={"description": "The new boundary's id"})


class PulseOpenedSchema(RecordedSchema):
    pulse_id = f.UUID(metadata={"description": "The new pulse's id"})


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


class ParticipantOutSchema(Schema):
    account_id = f.UUID()
    relation = f.String()
    name = f.String(metadata={"description": "As the person is named now."})


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


class JobSchema(Schema):
    job_id = f.String(allow_none=True, metadata={"description": "The rq job id, when queued"})
    status = f.String(metadata={"description": "queued (on a worker) or done (in-process)"})
    result = f.String(allow_none=True)


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
    held = f.Boolean(metadata={
        "description": "Held back from the portal: shown to staff and to its author only."})
    held_until = f.AwareDateTime(allow_none=True, metadata={
        "description": "When a held entry shows in the portal by itself; null while it is "
                       "held until released."})


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


class CompletedStepSchema(Schema):
    step = f.String()
    occurred_at = f.AwareDateTime()
    note = f.String()
    reason = f.String()


class StepOwnershipSchema(Schema):
    step = f.String()
    account_id = f.UUID()
    name = f.String()


class ProgressSchema(Schema):
    case_id = f.UUID()
    steps_done = f.List(f.String())
    steps_completed = f.Integer()
    progress = f.Float()
    pulses = f.List(f.Nested(PulsePointSchema))
    out_of_order = f.List(f.Nested(OutOfOrderStepSchema), metadata={
        "description": "Steps taken before an earlier one, with the reason given"})
    completed = f.List(f.Nested(CompletedStepSchema), metadata={
        "description": "The steps done, in the order they were completed, with the note "
                       "on each"})
    owners = f.List(f.Nested(StepOwnershipSchema), metadata={
        "description": "Who owns each step that has an owner, in program order"})


class StandingBoundarySchema(Schema):
    id = f.UUID()
    text = f.String()
    set_at = f.AwareDateTime()
    crossings = f.Integer()
    last_crossed_at = f.AwareDateTime(allow_none=True)


class StandingAgreementSchema(Schema):
    id = f.UUID()
    text = f.String()
    made_at = f.AwareDateTime()
    kept = f.Integer(metadata={"description": "How many times it was recorded as kept"})
    last_kept_at = f.AwareDateTime(allow_none=True)


class StandingFlagSchema(Schema):
    id = f.UUID()
    code = f.String()
    note = f.String()
    raised_at = f.AwareDateTime()


class ReadinessOutSchema(Schema):
    answers = f.Dict(keys=f.String(), values=f.Boolean())
    note = f.String()
    assessed_at = f.AwareDateTime()
    ready = f.Integer(metadata={"description": "How many items were answered yes"})
    actor = f.Method("_actor", metadata={
        "description": "Who answered: a practitioner assessing, or a participant for "
                       "themselves ({id, name})"})

    def _actor(self, readiness: object) -> dict[str, object]:
        return {"id": readiness.actor_id, "name": readiness.actor_name}


class RitualPracticeSchema(Schema):
    ritual = f.String()
    times = f.Integer()
    last_at = f.AwareDateTime()


class StandingSchema(Schema):
    case_id = f.UUID()
    boundaries = f.List(f.Nested(StandingBoundarySchema))
    agreements = f.List(f.Nested(StandingAgreementSchema))
    flags = f.List(f.Nested(StandingFlagSchema), metadata={
        "description": "Open red flags, safety ones first (staff only: empty for clients)"})
    readiness = f.Nested(ReadinessOutSchema, allow_none=True, metadata={
        "description": "The latest readiness checklist, whoever answered it"})
    readiness_by_person = f.List(f.Nested(ReadinessOutSchema), metadata={
        "description": "Each person's latest checklist, the most recent first"})
    rituals = f.List(f.Nested(RitualPracticeSchema), metadata={
        "description": "Each ritual practiced: how often, and when last"})


class CaseloadItemSchema(Schema):
    id = f.UUID()
    title = f.String()
    kind = f.String()
    stage = f.String()
    status = f.String()
    risk = f.String(allow_none=True)
    risk_reasons = f.List(f.String(), metadata={"description": "Why the risk is what it is"})
    trust_score = f.Float(allow_none=True)
    trust_change = f.Float(allow_none=True, metadata={
        "description": "How the trust score moved over the last 28 days"})
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
